/** Set by the build: true in the ESM build (dist/client.js), false in the script-tag build. */
declare const MODULE: boolean;
