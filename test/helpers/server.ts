/**
 * Test servers on loopback: every server listens on an ephemeral port of 127.0.0.1 only and is
 * closed (with its open connections) after the test that started it.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const servers: Server[] = [];

afterEach(async () => {
  const closing = servers.splice(0).map(async (server) => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  await Promise.all(closing);
});

/** What can listen: an Express app, or anything else with Node's `listen(port, host)`. */
export interface Listenable {
  listen(port: number, host: string): Server;
}

/**
 * Starts `app` on 127.0.0.1 with an ephemeral port; the server is closed after the current
 * test. Resolves once it listens.
 */
export async function listenOnLoopback(app: Listenable): Promise<Server> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  if (address.address !== '127.0.0.1') throw new Error(`listening on ${address.address}`);
  return server;
}

/** `http://127.0.0.1:<port>` of a listening server. */
export function baseUrlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
