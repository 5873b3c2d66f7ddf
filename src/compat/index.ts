/**
 * dist/bigpipe.compat.min.js: lets pages of older BigPipe servers run on the bigpipe-js runtime unchanged. Load it
 * right after the runtime (inline, or a script tag without async or defer). It takes the payload shapes of
 * src/compat/adapt.ts wherever those servers send them: `new BigPipe(n)` (the ASP.NET MVC tutorial: `BigPipe` is then
 * a constructor too, `n` the total), `bigpipe.onPageletArrive` on what it returns, `big_pipe.onPageletArrive`
 * (Facebook 2010), and `BigPipe.onPageletArrive` itself. Protocol payloads pass through unchanged.
 */
import { ARRIVE, GLOBAL, type BigPipeGlobal } from '../protocol';
import { adapt } from './adapt';

const w = window as any;
const B: BigPipeGlobal | undefined = w[GLOBAL];
/** payloads sent through the compat entry points so far: an `is_last` payload's position is the page's total */
let n = 0;
/** What `new BigPipe(count)` returns: an object with the method, adapting each payload. */
const pipe = (count?: unknown) => ({ [ARRIVE]: (payload: unknown) => B![ARRIVE](adapt(payload, ++n, count)) });

if (!B || B.q || typeof B[ARRIVE] != 'function')
  // The stub's object is taken over by the runtime later: standing in for it now would keep the runtime out.
  console.error(
    'bigpipe.compat.min.js: load it after the bigpipe-js runtime (inline, or a script tag without async or defer)',
  );
else {
  // `new BigPipe(n)` must work, so the global becomes a function; the runtime keeps its object, so `timeout` is
  // forwarded to it and a second runtime still finds an installed one (it has the method and no `q`).
  // A class, not a function: terser's unsafe_arrows would make a function expression an arrow, which `new` refuses.
  const legacy = Object.assign(
    class {
      constructor(count?: unknown) {
        // biome-ignore lint/correctness/noConstructorReturn: `new BigPipe(n)` of old pages must give the running runtime
        return pipe(count);
      }
    },
    pipe(),
  );
  Object.defineProperty(legacy, 'timeout', { get: () => B.timeout, set: (ms) => (B.timeout = ms) });
  w[GLOBAL] = legacy;
  w.big_pipe = pipe();
}
