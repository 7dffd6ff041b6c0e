/**
 * Starting a bench server: listen on 127.0.0.1 with an OS-chosen port, print it
 * (`bench-server listening on 127.0.0.1:<port>`), and exit cleanly on SIGTERM/SIGINT — so that
 * `node --cpu-prof` writes its profile (a process killed by a signal writes none).
 *
 * @module
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A required environment variable; exits 2 when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`bench server: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

/** Listens on 127.0.0.1:0 and prints the port. */
export function listen(server: Server): void {
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`bench-server listening on 127.0.0.1:${port}\n`);
  });
  const stop = (): void => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
