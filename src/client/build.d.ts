/** Set by the build (rollup.config.mjs): true in dist/bigpipe.tt.min.js and the ESM build, false in dist/bigpipe.min.js. */
declare const TRUSTED_TYPES: boolean;
/** Set by the build: true in the ESM build (dist/client.js), false in the script-tag builds. */
declare const MODULE: boolean;
