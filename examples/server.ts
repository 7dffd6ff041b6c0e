/**
 * The example server that `npm start` runs: an Express app with callcontrol mounted per
 * provider. Configuration by environment:
 *
 * - `PORT` (default 3000), `HOST` (default: all interfaces)
 * - `PLACETEL_SECRET`: when set, Placetel requests must carry a valid `X-PLACETEL-SIGNATURE`
 * - `FORWARD_TO`: comma-separated numbers or SIP ids incoming Placetel calls are forwarded to
 *   (default `022129191999`)
 * - `OZEKI_PUBLIC_URL`: where the PBX reaches `/ozeki`, for the PIN menu's `ForwardToUrl`
 *   (default: `http://<Host header>/ozeki`)
 * - `OZEKI_TOKEN`: when set, Ozeki requests need `?token=<OZEKI_TOKEN>`
 * - `OZEKI_PINS`: comma-separated PINs the IVR accepts (default `1234`)
 * - `OZEKI_TRANSFER_TO`, `OZEKI_OPERATOR`: extensions for a valid PIN and for key 0 (default
 *   `1001`, `1000`)
 * - `VOIPNOW_TOKEN`: when set, VoipNow requests need `?token=<VOIPNOW_TOKEN>`
 * - `VOIPNOW_SUBSCRIPTIONS`: comma-separated subscription ids that get support (default
 *   `09897987`)
 * - `REDIS_URL` (e.g. `redis://127.0.0.1:6379/0`): when set, duplicate detection and call sessions
 *   live in Redis, shared by every instance started with the same URL (`REDIS_KEY_PREFIX`,
 *   default `callcontrol:`); otherwise in this process's memory
 * - `OPENTACT_TOKEN`: when set, Opentact requests need `?token=<OPENTACT_TOKEN>`
 * - `OPENTACT_PUBLIC_URL`: where Opentact reaches `/opentact`, for the PIN `<Gather url>`
 *   (default: `http://<Host header>/opentact`)
 * - `OPENTACT_PINS`: comma-separated PINs of the private menu (default `1234`)
 * - `OPENTACT_SUPPORT`, `OPENTACT_SALES`: comma-separated SIP destinations (defaults
 *   `support1@sip.opentact.org,support2@sip.opentact.org`, `sales@sip.opentact.org`);
 *   `OPENTACT_PRIVATE_LINE` (default `private@sip.opentact.org`)
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { RedisStore, type CallStore } from '../src';
import { createOpentactDemo } from './opentact/app';
import { createOzekiDemo } from './ozeki/app';
import { createPlacetelDemo } from './placetel/app';
import { createVoipNowDemo } from './voipnow/app';

/** Options of {@link createExampleApp}; each falls back to its environment variable. */
export interface ExampleOptions {
  readonly placetelSecret?: string | undefined;
  readonly forwardTo?: readonly string[];
  readonly ozekiToken?: string | undefined;
  readonly ozekiPins?: readonly string[];
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept; default from `REDIS_URL`, else in memory. */
  readonly store?: CallStore | undefined;
}

/** The store `REDIS_URL` names, or `undefined` (each app then keeps its own in memory). */
export function storeFromEnv(): CallStore | undefined {
  const url = process.env['REDIS_URL'];
  if (url === undefined || url === '') return undefined;
  return new RedisStore({ url, keyPrefix: process.env['REDIS_KEY_PREFIX'] || 'callcontrol:' });
}

/** A comma-separated environment variable as a list (empty entries dropped). */
function listFromEnv(name: string, fallback: string): string[] {
  return (process.env[name] ?? fallback)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** The Express app of the example server, without listening. */
export function createExampleApp(options: ExampleOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const forwardTo = options.forwardTo ?? listFromEnv('FORWARD_TO', '022129191999');
  const secret = options.placetelSecret ?? (process.env['PLACETEL_SECRET'] || undefined);
  const store = options.store;

  app.use(
    '/placetel',
    createPlacetelDemo({
      secret,
      forwardTo,
      ...(options.log ? { log: options.log } : {}),
      store,
    }).express(),
  );
  app.use(
    '/ozeki',
    createOzekiDemo({
      publicUrl: process.env['OZEKI_PUBLIC_URL'] || undefined,
      token: options.ozekiToken ?? (process.env['OZEKI_TOKEN'] || undefined),
      pins: options.ozekiPins ?? listFromEnv('OZEKI_PINS', '1234'),
      transferTo: process.env['OZEKI_TRANSFER_TO'] || '1001',
      operator: process.env['OZEKI_OPERATOR'] || '1000',
      ...(options.log ? { log: options.log } : {}),
      store,
    }).express(),
  );
  app.use(
    '/voipnow',
    createVoipNowDemo({
      token: process.env['VOIPNOW_TOKEN'] || undefined,
      subscriptions: listFromEnv('VOIPNOW_SUBSCRIPTIONS', '09897987'),
      ...(options.log ? { log: options.log } : {}),
      store,
    }).express(),
  );
  app.use(
    '/opentact',
    createOpentactDemo({
      publicUrl: process.env['OPENTACT_PUBLIC_URL'] || undefined,
      token: process.env['OPENTACT_TOKEN'] || undefined,
      pins: listFromEnv('OPENTACT_PINS', '1234'),
      support: listFromEnv(
        'OPENTACT_SUPPORT',
        'support1@sip.opentact.org,support2@sip.opentact.org',
      ),
      sales: listFromEnv('OPENTACT_SALES', 'sales@sip.opentact.org'),
      privateLine: process.env['OPENTACT_PRIVATE_LINE'] || 'private@sip.opentact.org',
      ...(options.log ? { log: options.log } : {}),
      store,
    }).express(),
  );
  app.get('/', (_req, res) => {
    res
      .type('text/plain')
      .send(
        'callcontrol example server\n' +
          'POST /placetel  Placetel Call Control / Notify API\n' +
          'POST /ozeki     Ozeki Phone System notifications (OzML IVR)\n' +
          'GET|POST /voipnow[/dial-in|/interactive|/hangup|…]  4PSA VoipNow Call Events and Call Interactive\n' +
          'GET|POST /opentact  Opentact call flow, Gather follow-ups and events\n',
      );
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
  const store = storeFromEnv();
  startExampleServer(undefined, undefined, { store })
    .then((server) => {
      const { port } = server.address() as AddressInfo;
      const secured = process.env['PLACETEL_SECRET'] ? 'signature required' : 'no signature check';
      console.log(
        `callcontrol example listening on http://127.0.0.1:${port}/placetel (${secured})` +
          `, /ozeki, /voipnow and /opentact; store: ${store === undefined ? 'memory' : 'redis'}`,
      );
      const stop = (): void => {
        server.close(() => {
          void (store?.close() ?? Promise.resolve()).finally(() => process.exit(0));
        });
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
