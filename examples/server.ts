/**
 * The example server that `npm start` runs: an Express app with callcontrol mounted per
 * provider. Configuration by environment:
 *
 * - `PORT` (default 3000), `HOST` (default: all interfaces)
 * - `PLACETEL_SECRET`: when set, Placetel requests must carry a valid `X-PLACETEL-SIGNATURE`
 * - `FORWARD_TO`: comma-separated numbers or SIP ids incoming Placetel calls are forwarded to
 *   (default `022129191999`)
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createPlacetelDemo } from './placetel/app';

/** Options of {@link createExampleApp}; each falls back to its environment variable. */
export interface ExampleOptions {
  readonly placetelSecret?: string | undefined;
  readonly forwardTo?: readonly string[];
  readonly log?: (line: string) => void;
}

/** The Express app of the example server, without listening. */
export function createExampleApp(options: ExampleOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const forwardTo =
    options.forwardTo ??
    (process.env['FORWARD_TO'] ?? '022129191999')
      .split(',')
      .map((number) => number.trim())
      .filter((number) => number !== '');
  const secret = options.placetelSecret ?? (process.env['PLACETEL_SECRET'] || undefined);

  app.use(
    '/placetel',
    createPlacetelDemo({
      secret,
      forwardTo,
      ...(options.log ? { log: options.log } : {}),
    }).express(),
  );
  app.get('/', (_req, res) => {
    res
      .type('text/plain')
      .send('callcontrol example server\nPOST /placetel  Placetel Call Control / Notify API\n');
  });
  return app;
}

/** Starts the example server; resolves once it listens. */
export function startExampleServer(
  port = Number(process.env['PORT'] ?? 3000),
  host = process.env['HOST'],
  options: ExampleOptions = {},
): Promise<Server> {
  const app = createExampleApp(options);
  return new Promise((resolve, reject) => {
    const server = host === undefined ? app.listen(port) : app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

if (require.main === module) {
  startExampleServer()
    .then((server) => {
      const { port } = server.address() as AddressInfo;
      const secured = process.env['PLACETEL_SECRET'] ? 'signature required' : 'no signature check';
      console.log(
        `callcontrol example listening on http://127.0.0.1:${port}/placetel (${secured})`,
      );
      const stop = (): void => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      console.error('callcontrol example failed to start:', error);
      process.exit(1);
    });
}
