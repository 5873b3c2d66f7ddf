// bench/servers/web.mjs as a Worker, for workerd (bench/runtimes.mjs bundles it).
import { handle } from './web.mjs';

export default { fetch: handle };
