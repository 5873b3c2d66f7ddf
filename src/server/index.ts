/**
 * bigpipe-js/server: stream a page pagelet by pagelet over a Web ReadableStream or a Node ServerResponse. It is
 * bigpipe-js/web (../web.ts) with the Node adapters, and `runtime: 'inline'` as the default.
 */
export * from '../web';
export { renderToNodeResponse } from './node';
export { renderToNodeStream } from './node-stream';
