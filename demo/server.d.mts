import type { Server } from 'node:http';

/** Starts the demo server on `port` (0: any free port; default PORT or 3000) and returns it; it listens once 'listening' fires. */
export function start(port?: number, host?: string): Server;
