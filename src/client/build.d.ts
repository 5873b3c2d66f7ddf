/** Set by the build (rollup.config.mjs): true in dist/bigpipe.tt.min.js and the ESM build, false in dist/bigpipe.min.js. */
declare const TRUSTED_TYPES: boolean;
