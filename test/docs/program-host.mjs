// Preloaded (`node --import`) into a program taken from the docs, so it runs exactly as written on a machine where
// port 3000 may be taken: a listen on 3000 listens on a free port of 127.0.0.1 instead and reports it to the test
// (IPC), and the data calls the docs leave to the reader (`news()`, `orders(signal)`) exist. orders() resolves when
// the test says so, which lets the test see the shell and the fast pagelet go out before the slow one.
import { Server } from 'node:net';

const listen = Server.prototype.listen;
Server.prototype.listen = function (...args) {
  if (args[0] === 3000 || args[0]?.port === 3000) {
    this.once('listening', () => process.send({ port: this.address().port }));
    return listen.call(this, 0, '127.0.0.1', ...args.slice(1).filter((a) => typeof a === 'function'));
  }
  return listen.apply(this, args);
};

let release;
const released = new Promise((resolve) => (release = resolve));
process.on('message', (message) => message === 'release' && release());
// The IPC channel must not keep a finished program alive, nor end it early: the server keeps it running.
process.channel?.unref();

globalThis.news = async () => '<ul><li>Launch</li></ul>';
globalThis.orders = (signal) =>
  new Promise((resolve, reject) => {
    released.then(() => resolve('<p>3 orders</p>'));
    signal.addEventListener('abort', () => reject(signal.reason));
  });
