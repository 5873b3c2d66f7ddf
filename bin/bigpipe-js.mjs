#!/usr/bin/env node
// `npx bigpipe-js check <url>`: does this page follow the bigpipe-js protocol (PROTOCOL.md)? The checking logic is
// src/check/ (entry index.ts), built to dist/check.js with the server module.
import { main } from '../dist/check.js';

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
});
