/**
 * The example server that `npm start` runs: an Express app with callcontrol mounted per
 * provider. Configuration by environment:
 *
 * - `PORT` (default 3000), `HOST` (default: all interfaces)
 * - `NODE_ENV`: with `production`, a provider whose credential variable (below) is unset or
 *   empty is not served (its path answers 404, and the startup output names the variable that
 *   turns it on); otherwise it is served without authentication, with a warning at startup
 * - `PLACETEL_SECRET`: Placetel requests must carry a valid `X-PLACETEL-SIGNATURE`
 * - `FORWARD_TO`: comma-separated numbers or SIP ids incoming Placetel calls are forwarded to
 *   (default `022129191999`)
 * - `OZEKI_PUBLIC_URL`: where the PBX reaches `/ozeki`, for the PIN menu's `ForwardToUrl`
 *   (default: `http://<Host header>/ozeki`)
 * - `OZEKI_TOKEN`: Ozeki requests need `?token=<OZEKI_TOKEN>`
 * - `OZEKI_PINS`: comma-separated PINs the IVR accepts (default `1234`)
 * - `OZEKI_TRANSFER_TO`, `OZEKI_OPERATOR`: extensions for a valid PIN and for key 0 (default
 *   `1001`, `1000`)
 * - `VOIPNOW_TOKEN`: VoipNow requests need `?token=<VOIPNOW_TOKEN>`
 * - `VOIPNOW_SUBSCRIPTIONS`: comma-separated subscription ids that get support (default
 *   `09897987`)
 * - `REDIS_URL` (e.g. `redis://127.0.0.1:6379/0`): when set, duplicate detection and call sessions
 *   live in Redis, shared by every instance started with the same URL (`REDIS_KEY_PREFIX`,
 *   default `callcontrol:`); otherwise in this process's memory
 * - `OPENTACT_TOKEN`: Opentact requests need `?token=<OPENTACT_TOKEN>`
 * - `OPENTACT_PUBLIC_URL`: where Opentact reaches `/opentact`, for the PIN `<Gather url>`
 *   (default: `http://<Host header>/opentact`)
 * - `OPENTACT_PINS`: comma-separated PINs of the private menu (default `1234`)
 * - `OPENTACT_SUPPORT`, `OPENTACT_SALES`: comma-separated SIP destinations (defaults
 *   `support1@sip.opentact.org,support2@sip.opentact.org`, `sales@sip.opentact.org`);
 *   `OPENTACT_PRIVATE_LINE` (default `private@sip.opentact.org`)
 *
 * The tokens are URL tokens: 16 to 512 characters of `A-Z a-z 0-9 . _ ~ -`, e.g.
 * `node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))"`. A value the
 * library refuses stops the server at startup with one line naming the variable and the rule
 * (exit code 1). No secret's value is ever printed.
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
  readonly voipnowToken?: string | undefined;
  readonly opentactToken?: string | undefined;
  /**
   * Whether a provider without its credential stays off (`true`) or is served without
   * authentication (`false`). Default: `NODE_ENV === 'production'`.
   */
  readonly production?: boolean | undefined;
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept; default from `REDIS_URL`, else in memory. */
  readonly store?: CallStore | undefined;
}

/** One provider of the example server and how its requests are checked. */
export interface ExampleProvider {
  /** Where it is mounted, e.g. `'/placetel'`. */
  readonly path: string;
  /** The environment variable of its credential, e.g. `'PLACETEL_SECRET'`. */
  readonly variable: string;
  /**
   * `checked`: the credential is set and every request must carry it; `unauthenticated`: it is
   * unset or empty and requests are served without a check (only when not in production);
   * `off`: it is unset or empty in production, and the path is not mounted (404).
   */
  readonly status: 'checked' | 'unauthenticated' | 'off';
  /** Whether the variable is set but empty (`PLACETEL_SECRET=`), rather than unset. */
  readonly empty: boolean;
}

/** A configuration the example server cannot start with; its message names the variable. */
export class ExampleConfigError extends Error {
  override readonly name = 'ExampleConfigError';
}

/** A provider with its credential, which is never printed. */
interface PlannedProvider extends ExampleProvider {
  readonly credential: string | undefined;
}

const CREDENTIALS = [
  { path: '/placetel', variable: 'PLACETEL_SECRET', option: 'placetelSecret' },
  { path: '/ozeki', variable: 'OZEKI_TOKEN', option: 'ozekiToken' },
  { path: '/voipnow', variable: 'VOIPNOW_TOKEN', option: 'voipnowToken' },
  { path: '/opentact', variable: 'OPENTACT_TOKEN', option: 'opentactToken' },
] as const;

function plan(options: ExampleOptions): PlannedProvider[] {
  const production = options.production ?? process.env['NODE_ENV'] === 'production';
  return CREDENTIALS.map(({ path, variable, option }) => {
    const value = options[option] ?? process.env[variable];
    const credential = value === undefined || value === '' ? undefined : value;
    return {
      path,
      variable,
      credential,
      empty: value === '',
      status: credential !== undefined ? 'checked' : production ? 'off' : 'unauthenticated',
    };
  });
}

/** The providers of the example server and how each is checked, from options and environment. */
export function exampleProviders(options: ExampleOptions = {}): ExampleProvider[] {
  return plan(options).map(({ path, variable, status, empty }) => ({
    path,
    variable,
    status,
    empty,
  }));
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

/**
 * Creates one demo, turning the library's `TypeError` for its credential (a token too short,
 * with characters a URL token may not have) into an {@link ExampleConfigError} naming the
 * variable. The library's messages never hold the value.
 */
function demo<T>(provider: PlannedProvider, create: (credential: string | undefined) => T): T {
  try {
    return create(provider.credential);
  } catch (error) {
    if (error instanceof TypeError) {
      const rule = error.message.replace(/^(urlToken|secret): /, '');
      throw new ExampleConfigError(`${provider.variable} is not usable: ${rule}`);
    }
    throw error;
  }
}

/**
 * The Express app of the example server, without listening.
 *
 * @throws {ExampleConfigError} for a credential variable the library refuses (e.g. an
 *   `OZEKI_TOKEN` shorter than 16 characters)
 */
export function createExampleApp(options: ExampleOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const forwardTo = options.forwardTo ?? listFromEnv('FORWARD_TO', '022129191999');
  const store = options.store;
  const log = options.log ? { log: options.log } : {};
  const [placetel, ozeki, voipnow, opentact] = plan(options) as [
    PlannedProvider,
    PlannedProvider,
    PlannedProvider,
    PlannedProvider,
  ];
  const allowUnauthenticated = (provider: PlannedProvider) => provider.status === 'unauthenticated';

  if (placetel.status !== 'off') {
    const calls = demo(placetel, (secret) =>
      createPlacetelDemo({
        secret,
        allowUnauthenticated: allowUnauthenticated(placetel),
        forwardTo,
        ...log,
        store,
      }),
    );
    app.use(placetel.path, calls.express());
  }
  if (ozeki.status !== 'off') {
    const calls = demo(ozeki, (token) =>
      createOzekiDemo({
        publicUrl: process.env['OZEKI_PUBLIC_URL'] || undefined,
        token,
        allowUnauthenticated: allowUnauthenticated(ozeki),
        pins: options.ozekiPins ?? listFromEnv('OZEKI_PINS', '1234'),
        transferTo: process.env['OZEKI_TRANSFER_TO'] || '1001',
        operator: process.env['OZEKI_OPERATOR'] || '1000',
        ...log,
        store,
      }),
    );
    app.use(ozeki.path, calls.express());
  }
  if (voipnow.status !== 'off') {
    const calls = demo(voipnow, (token) =>
      createVoipNowDemo({
        token,
        allowUnauthenticated: allowUnauthenticated(voipnow),
        subscriptions: listFromEnv('VOIPNOW_SUBSCRIPTIONS', '09897987'),
        ...log,
        store,
      }),
    );
    app.use(voipnow.path, calls.express());
  }
  if (opentact.status !== 'off') {
    const calls = demo(opentact, (token) =>
      createOpentactDemo({
        publicUrl: process.env['OPENTACT_PUBLIC_URL'] || undefined,
        token,
        allowUnauthenticated: allowUnauthenticated(opentact),
        pins: listFromEnv('OPENTACT_PINS', '1234'),
        support: listFromEnv(
          'OPENTACT_SUPPORT',
          'support1@sip.opentact.org,support2@sip.opentact.org',
        ),
        sales: listFromEnv('OPENTACT_SALES', 'sales@sip.opentact.org'),
        privateLine: process.env['OPENTACT_PRIVATE_LINE'] || 'private@sip.opentact.org',
        ...log,
        store,
      }),
    );
    app.use(opentact.path, calls.express());
  }
  const lines: Record<string, string> = {
    '/placetel': 'POST /placetel  Placetel Call Control / Notify API',
    '/ozeki': 'POST /ozeki     Ozeki Phone System notifications (OzML IVR)',
    '/voipnow':
      'GET|POST /voipnow[/dial-in|/interactive|/hangup|…]  4PSA VoipNow Call Events and Call Interactive',
    '/opentact': 'GET|POST /opentact  Opentact call flow, Gather follow-ups and events',
  };
  const index =
    'callcontrol example server\n' +
    [placetel, ozeki, voipnow, opentact]
      .map((provider) =>
        provider.status === 'off'
          ? `${provider.path}: not served (set ${provider.variable})\n`
          : `${lines[provider.path] ?? provider.path}\n`,
      )
      .join('');
  app.get('/', (_req, res) => {
    res.type('text/plain').send(index);
  });
  return app;
}

/** How a served provider's requests are checked, for the startup line. */
function checkOf(provider: ExampleProvider): string {
  if (provider.status === 'unauthenticated') return 'NO AUTHENTICATION';
  return provider.variable === 'PLACETEL_SECRET' ? 'signature required' : 'token required';
}

/**
 * What the example server prints when it listens: one line with each served path and how its
 * requests are checked, then a line per provider that is served without authentication (a
 * warning) or not served at all (and which variable turns it on). Never a secret's value.
 */
export function startupLines(
  origin: string,
  providers: readonly ExampleProvider[],
  store: 'memory' | 'redis',
): string[] {
  const served = providers.filter((provider) => provider.status !== 'off');
  const paths = served.map((provider, i) => {
    const path = `${i === 0 ? origin : ''}${provider.path} (${checkOf(provider)})`;
    return i === 0 ? path : `${i === served.length - 1 ? ' and ' : ', '}${path}`;
  });
  const lines = [
    `callcontrol example listening on ${served.length === 0 ? `${origin} (no provider served)` : paths.join('')}; store: ${store}`,
  ];
  for (const provider of providers) {
    const missing = `${provider.variable} is ${provider.empty ? 'empty' : 'not set'}`;
    const rule =
      provider.variable === 'PLACETEL_SECRET'
        ? 'the secret of your Placetel API settings; requests then need a valid X-PLACETEL-SIGNATURE'
        : `16 to 512 characters of A-Z a-z 0-9 . _ ~ -; requests then need ?token=<${provider.variable}>`;
    if (provider.status === 'unauthenticated') {
      lines.push(
        `warning: ${provider.path} accepts requests without authentication: ${missing}. ` +
          `Set ${provider.variable} (${rule}); with NODE_ENV=production ${provider.path} is not served without it`,
      );
    } else if (provider.status === 'off') {
      lines.push(
        `${provider.path} is not served (404): ${missing} and NODE_ENV is production. ` +
          `Set ${provider.variable} to serve it (${rule})`,
      );
    }
  }
  return lines;
}

/**
 * Starts the example server; resolves once it listens.
 *
 * @throws {ExampleConfigError} (as a rejection) for a credential variable the library refuses
 */
export async function startExampleServer(
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
      const providers = exampleProviders();
      const lines = startupLines(
        `http://127.0.0.1:${port}`,
        providers,
        store === undefined ? 'memory' : 'redis',
      );
      console.log(lines.join('\n'));
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
      if (error instanceof ExampleConfigError) {
        console.error(`callcontrol example: ${error.message}`);
      } else {
        console.error('callcontrol example failed to start:', error);
      }
      process.exit(1);
    });
}
