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
 * - `REDIS_CLUSTER_NODES` (comma-separated `host:port`, e.g. `10.0.0.1:6379,10.0.0.2:6379`):
 *   the same in a Redis Cluster; `REDIS_SENTINELS` (comma-separated `host:port`) with
 *   `REDIS_SENTINEL_NAME` (the master's name, e.g. `mymaster`): the same on the master Redis
 *   Sentinel names. `REDIS_PASSWORD` (and `REDIS_USERNAME`) for the cluster's nodes or the
 *   Sentinel group's master and replicas, `REDIS_SENTINEL_PASSWORD` for the sentinels. At most
 *   one of `REDIS_URL`, `REDIS_CLUSTER_NODES` and `REDIS_SENTINELS`: two refuse to start
 * - `OPENTACT_TOKEN`: Opentact requests need `?token=<OPENTACT_TOKEN>`
 * - `OPENTACT_PUBLIC_URL`: where Opentact reaches `/opentact`, for the PIN `<Gather url>`
 *   (default: `http://<Host header>/opentact`)
 * - `OPENTACT_PINS`: comma-separated PINs of the private menu (default `1234`)
 * - `OPENTACT_SUPPORT`, `OPENTACT_SALES`: comma-separated SIP destinations (defaults
 *   `support1@sip.opentact.org,support2@sip.opentact.org`, `sales@sip.opentact.org`);
 *   `OPENTACT_PRIVATE_LINE` (default `private@sip.opentact.org`)
 * - `SIPGATE_PUBLIC_KEY`: the RSA public key (PEM) sipgate.io requests are checked with; unset:
 *   sipgate's published key, so `/sipgate` always requires a valid `X-Sipgate-Signature`
 * - `SIPGATE_FORWARD_TO`: comma-separated E.164 numbers (without `+`, up to 5) incoming sipgate
 *   calls are dialled to (default `4915799912345`); `SIPGATE_PUBLIC_URL`: where sipgate reaches
 *   `/sipgate`, for the `onAnswer`/`onHangup` follow-ups (default: `http://<Host header>/sipgate`)
 * - `TELNYX_PUBLIC_KEY`: Telnyx's public key (base64, as the Telnyx portal shows it); requests to
 *   `/telnyx` must carry a valid `telnyx-signature-ed25519` signed within 300 seconds
 * - `TELNYX_SALES`, `TELNYX_SUPPORT`: comma-separated E.164 numbers keys 1 and 2 of the `/telnyx`
 *   menu dial (defaults `+15551230001`, `+15551230002`)
 * - `SIGNALWIRE_SIGNING_KEY`: the SignalWire project's Signing Key; requests to `/signalwire`
 *   must carry a valid `X-SignalWire-Signature` (or `X-Twilio-Signature`)
 * - `SIGNALWIRE_PUBLIC_URL`: the public base URL SignalWire signs its requests for, e.g.
 *   `https://voice.example.com` (a request to `/signalwire` is then checked against
 *   `https://voice.example.com/signalwire`); default: the request's scheme and `Host`
 * - `TWILIO_AUTH_TOKEN`: the Twilio account's Auth Token; requests to `/twilio` must carry a valid
 *   `X-Twilio-Signature`
 * - `TWILIO_PUBLIC_URL`: the public base URL Twilio signs its requests for, e.g.
 *   `https://voice.example.com` (a request to `/twilio` is then checked against
 *   `https://voice.example.com/twilio`); default: the request's scheme and `Host`
 * - `TWILIO_SALES`, `TWILIO_SUPPORT`: comma-separated E.164 numbers keys 1 and 2 of the `/twilio`
 *   menu dial (defaults `+15551230001`, `+15551230002`)
 * - `SIGNALWIRE_SALES`, `SIGNALWIRE_SUPPORT`: comma-separated E.164 numbers keys 1 and 2 of the
 *   `/signalwire` menu dial (defaults `+15551230001`, `+15551230002`)
 * - `FLOW_BLOCKED`, `FLOW_FORWARD_TO`, `FLOW_DEFAULT_COUNTRY`: the provider-neutral call-log flow
 *   at `/flow/<provider>` (every provider that can express it, authenticated as its own mount;
 *   docs/flows.md): callers in `FLOW_BLOCKED` (comma-separated, compared as given and as E.164)
 *   are rejected as busy, other calls forwarded to `FLOW_FORWARD_TO` (comma-separated, default
 *   `+4922129191999`) with 20 s ring time; national numbers are of `FLOW_DEFAULT_COUNTRY`
 *   (default `DE`); `GET /flow/calls` returns the last 100 calls' records, newest first
 *
 * - `SHUTDOWN_TIMEOUT_MS` (default 10000): on SIGTERM or SIGINT the server shuts down gracefully
 *   (see {@link ExampleServer.shutdown}) and exits within this many milliseconds, also when
 *   Redis does not answer; exit code 0 when every request was answered, 1 otherwise (and at
 *   once on a second signal)
 * - `SHUTDOWN_DELAY_MS` (default 0): how long, after the signal, the server keeps taking new
 *   requests while `GET /readyz` already answers 503 — time for a load balancer's health check
 *   to take the instance out (part of `SHUTDOWN_TIMEOUT_MS`)
 * - `KEEP_ALIVE_TIMEOUT_MS` (default 5000): how long an idle keep-alive connection stays open;
 *   behind a proxy that reuses connections, set it above the proxy's idle timeout
 * - `CALLCONTROL_RECORD`: a directory (created when missing); when set, every mounted app
 *   records each request it receives and its answer (the app option `record`: secrets, tokens
 *   and signatures redacted, at most 10 MiB a file) to `<dir>/<mount>.jsonl`, one file per mount:
 *   `placetel.jsonl`, …, `flow-twilio.jsonl` for `/flow/twilio`. Replay one against its mount:
 *   `callcontrol replay <dir>/placetel.jsonl http://127.0.0.1:3000/placetel --secret …`. Off
 *   when unset or empty
 * - `EXAMPLE_HANDLER_DELAY_MS`: for tests only — every event's reply waits this long (an
 *   `onAny` observer sleeps, bounded by the deadline), as with a slow handler
 *
 * Outside production, the live inspector (docs/inspector.md) is served at `/_callcontrol/`,
 * watching every mounted app: each request as it happens, grouped per call, with replay; with
 * `NODE_ENV=production` (or the `production` option) it is not mounted, and the path answers 404.
 *
 * Beside the providers: `GET /healthz` answers 200 while the process runs (liveness), `GET
 * /readyz` 200 until a shutdown began, then 503 (readiness); every other path 404 at once,
 * without reading a body. Headers must arrive within 5 s, a whole request within 20 s (see
 * {@link SERVER_TIMEOUTS}).
 *
 * The tokens are URL tokens: 16 to 512 characters of `A-Z a-z 0-9 . _ ~ -`, e.g.
 * `node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))"`. A value the
 * library refuses stops the server at startup with one line naming the variable and the rule
 * (exit code 1). No secret's value is ever printed.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express from 'express';
import {
  createInspector,
  type InspectableApp,
  type Inspector,
  RedisStore,
  STORE_CLOSE_TIMEOUT_MS,
  type CallStore,
  type DrainOptions,
  type DrainResult,
  type RecordOptions,
} from '../src';
import { createOpentactDemo } from './opentact/app';
import { createOzekiDemo } from './ozeki/app';
import { createPlacetelDemo } from './placetel/app';
import { createSignalwireDemo } from './signalwire/app';
import { createSipgateDemo } from './sipgate/app';
import { createTelnyxDemo } from './telnyx/app';
import { createTwilioDemo } from './twilio/app';
import { createVoipNowDemo } from './voipnow/app';
import { createFlowDemo, flowCountryFrom, flowStartupLines } from './flow/app';

/** Options of {@link createExampleApp}; each falls back to its environment variable. */
export interface ExampleOptions {
  readonly placetelSecret?: string | undefined;
  readonly forwardTo?: readonly string[];
  readonly ozekiToken?: string | undefined;
  readonly ozekiPins?: readonly string[];
  readonly voipnowToken?: string | undefined;
  readonly opentactToken?: string | undefined;
  /** A PEM public key for `/sipgate`; default `SIPGATE_PUBLIC_KEY`, else sipgate's published key. */
  readonly sipgatePublicKey?: string | undefined;
  /** Telnyx's public key (base64) for `/telnyx`; default `TELNYX_PUBLIC_KEY`. */
  readonly telnyxPublicKey?: string | undefined;
  /** The Signing Key for `/signalwire`; default `SIGNALWIRE_SIGNING_KEY`. */
  readonly signalwireSigningKey?: string | undefined;
  /** The Auth Token for `/twilio`; default `TWILIO_AUTH_TOKEN`. */
  readonly twilioAuthToken?: string | undefined;
  /**
   * Whether a provider without its credential stays off (`true`) or is served without
   * authentication (`false`). Default: `NODE_ENV === 'production'`.
   */
  readonly production?: boolean | undefined;
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept; default from `REDIS_URL`, else in memory. */
  readonly store?: CallStore | undefined;
  /**
   * For tests: every event's reply waits this many milliseconds (an `onAny` observer sleeps;
   * the deadline still bounds it), as with a slow handler. Default: `EXAMPLE_HANDLER_DELAY_MS`,
   * else none.
   */
  readonly handlerDelayMs?: number | undefined;
  /**
   * A directory every mounted app records its requests and answers to, one file a mount
   * (`<dir>/placetel.jsonl`, `<dir>/flow-twilio.jsonl`; the app option `record`), created when
   * missing. Default: `CALLCONTROL_RECORD`, else (unset or empty) no recording.
   */
  readonly record?: string | undefined;
}

/**
 * The HTTP server's own limits, in **milliseconds** (Node's defaults are 60 s for headers, 5 min
 * for a request and a 30 s check interval: slow senders held connections 60–90 s):
 * - `headersTimeoutMs`: the request's headers must have arrived within 5 s of its first byte
 *   (else Node answers 408 and closes the connection);
 * - `requestTimeoutMs`: the whole request within 20 s — above the apps' own `bodyTimeoutMs`
 *   (10 s after the headers), so a slow webhook body gets callcontrol's coded 408 first;
 * - `keepAliveTimeoutMs`: an idle keep-alive connection is closed after 5 s (`KEEP_ALIVE_TIMEOUT_MS`
 *   changes it);
 * - `connectionsCheckingIntervalMs`: how often Node checks the first two, every 1 s.
 */
export const SERVER_TIMEOUTS = Object.freeze({
  headersTimeoutMs: 5000,
  requestTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5000,
  connectionsCheckingIntervalMs: 1000,
});

/** Default bound of a graceful shutdown, in milliseconds: 10000 (`SHUTDOWN_TIMEOUT_MS`). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * What a shutdown keeps back from its bound for closing the stores (each bounded by
 * `STORE_CLOSE_TIMEOUT_MS`, 1000 ms) and exiting, in milliseconds.
 */
const SHUTDOWN_RESERVE_MS = STORE_CLOSE_TIMEOUT_MS + 500;

/** What the example server needs of a provider app to shut down: its drain and close. */
interface ClosableApp {
  drain(options?: DrainOptions): Promise<DrainResult>;
  close(options?: DrainOptions): Promise<DrainResult>;
  onAny(handler: () => Promise<void>): unknown;
}

/** The server's shutdown state and what it waits for. */
interface ServerState {
  /** Set once a shutdown began: `/readyz` answers 503, replies carry `Connection: close`. */
  shuttingDown: boolean;
  /** Responses not finished yet, to mark `Connection: close` when a shutdown begins. */
  readonly responses: Set<ServerResponse>;
  /** The live inspector at `/_callcontrol/` (outside production); its streams end at shutdown. */
  inspector?: Inspector | undefined;
}

/** Where the example server serves the live inspector outside production (docs/inspector.md). */
export const INSPECTOR_PATH = '/_callcontrol';

/** Whether a mounted app can be watched by the inspector (every callcontrol app can). */
function inspectable(calls: object): calls is InspectableApp {
  return (
    typeof (calls as Partial<InspectableApp>).observe === 'function' &&
    typeof (calls as Partial<InspectableApp>).handle === 'function'
  );
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
  // Checked without its variable too: sipgate's published key is the default.
  { path: '/sipgate', variable: 'SIPGATE_PUBLIC_KEY', option: 'sipgatePublicKey', published: true },
  { path: '/telnyx', variable: 'TELNYX_PUBLIC_KEY', option: 'telnyxPublicKey' },
  { path: '/signalwire', variable: 'SIGNALWIRE_SIGNING_KEY', option: 'signalwireSigningKey' },
  { path: '/twilio', variable: 'TWILIO_AUTH_TOKEN', option: 'twilioAuthToken' },
] as const;

function plan(options: ExampleOptions): PlannedProvider[] {
  const production = options.production ?? process.env['NODE_ENV'] === 'production';
  return CREDENTIALS.map((entry) => {
    const { path, variable, option } = entry;
    const value = options[option] ?? process.env[variable];
    const credential = value === undefined || value === '' ? undefined : value;
    return {
      path,
      variable,
      credential,
      empty: value === '',
      status:
        credential !== undefined || 'published' in entry
          ? 'checked'
          : production
            ? 'off'
            : 'unauthenticated',
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

/**
 * The store the environment names — `REDIS_URL`, `REDIS_CLUSTER_NODES`, or `REDIS_SENTINELS`
 * with `REDIS_SENTINEL_NAME` (see the module's list) — or `undefined` (each app then keeps its
 * own in memory).
 *
 * @throws {TypeError} when more than one of them is set, `REDIS_SENTINELS` without
 *   `REDIS_SENTINEL_NAME`, or a value `RedisStore` refuses (the message never repeats a password)
 */
export function storeFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CallStore | undefined {
  const value = (name: string): string | undefined => {
    const found = env[name];
    return found === undefined || found === '' ? undefined : found;
  };
  const list = (name: string): string[] | undefined =>
    value(name)
      ?.split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  const url = value('REDIS_URL');
  const nodes = list('REDIS_CLUSTER_NODES');
  const sentinels = list('REDIS_SENTINELS');
  const named = [url, nodes, sentinels].filter((given) => given !== undefined).length;
  if (named > 1) {
    throw new TypeError(
      'Set at most one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS (one store for all apps)',
    );
  }
  const keyPrefix = value('REDIS_KEY_PREFIX') ?? 'callcontrol:';
  const username = value('REDIS_USERNAME');
  const password = value('REDIS_PASSWORD');
  const credentials = {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
  if (url !== undefined) return new RedisStore({ url, keyPrefix });
  if (nodes !== undefined) return new RedisStore({ cluster: { nodes, ...credentials }, keyPrefix });
  if (sentinels !== undefined) {
    const name = value('REDIS_SENTINEL_NAME');
    if (name === undefined) {
      throw new TypeError('REDIS_SENTINELS needs REDIS_SENTINEL_NAME, the name of the master');
    }
    const sentinelPassword = value('REDIS_SENTINEL_PASSWORD');
    return new RedisStore({
      sentinel: {
        sentinels,
        name,
        ...credentials,
        ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
      },
      keyPrefix,
    });
  }
  return undefined;
}

/** How the startup lines name the store of {@link storeFromEnv}'s environment. */
export function storeKindFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): 'memory' | 'redis' | 'redis cluster' | 'redis sentinel' {
  if ((env['REDIS_CLUSTER_NODES'] ?? '') !== '') return 'redis cluster';
  if ((env['REDIS_SENTINELS'] ?? '') !== '') return 'redis sentinel';
  return (env['REDIS_URL'] ?? '') !== '' ? 'redis' : 'memory';
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
 * variable — or, for a bad public URL, `publicUrlVariable`. The library's messages never hold
 * the value.
 */
function demo<T>(
  provider: PlannedProvider,
  create: (credential: string | undefined) => T,
  publicUrlVariable?: string,
): T {
  try {
    return create(provider.credential);
  } catch (error) {
    if (
      error instanceof TypeError &&
      publicUrlVariable !== undefined &&
      /^publicUrl: /.test(error.message)
    ) {
      throw new ExampleConfigError(
        `${publicUrlVariable} is not usable: ${error.message.replace(/^publicUrl: /, '')}`,
      );
    }
    if (error instanceof TypeError) {
      const rule = error.message.replace(/^(urlToken|secret|publicKey|signingKey|authToken): /, '');
      throw new ExampleConfigError(`${provider.variable} is not usable: ${rule}`);
    }
    throw error;
  }
}

/**
 * A whole number of milliseconds ≥ 0 from an option or an environment variable; `fallback`
 * when neither is set.
 *
 * @throws {ExampleConfigError} naming the variable for anything else
 */
function millisecondsFrom(variable: string, option: number | undefined, fallback: number): number {
  const raw = option ?? process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ExampleConfigError(
      `${variable} is not usable: give a whole number of milliseconds ≥ 0, got ${String(raw)}`,
    );
  }
  return value;
}

/**
 * Answers at once with a short plain-text reply, without reading the request's body: a request
 * announcing a body gets `Connection: close`, so Node does not read it either.
 */
function answerAtOnce(req: IncomingMessage, res: ServerResponse, status: number, text: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const announcesBody =
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
    req.headers['transfer-encoding'] !== undefined;
  if (announcesBody) res.setHeader('connection', 'close');
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/**
 * The Express app of the example server, without listening.
 *
 * @throws {ExampleConfigError} for a credential variable the library refuses (e.g. an
 *   `OZEKI_TOKEN` shorter than 16 characters), or an `EXAMPLE_HANDLER_DELAY_MS` that is no
 *   whole number of milliseconds
 */
export function createExampleApp(options: ExampleOptions = {}): express.Express {
  return buildExample(options, { shuttingDown: false, responses: new Set() }).app;
}

/** The example's Express app and the provider apps mounted in it. */
function buildExample(
  options: ExampleOptions,
  state: ServerState,
): { app: express.Express; apps: ClosableApp[]; flowLines: string[] } {
  const app = express();
  app.disable('x-powered-by');
  const apps: ClosableApp[] = [];
  const handlerDelayMs = millisecondsFrom('EXAMPLE_HANDLER_DELAY_MS', options.handlerDelayMs, 0);
  // The live inspector, watching every mounted app: outside production only (else 404).
  const inspector =
    (options.production ?? process.env['NODE_ENV'] === 'production')
      ? undefined
      : createInspector({ enabled: true });
  state.inspector = inspector;
  const mount = (path: string, calls: ClosableApp & { express(): express.RequestHandler }) => {
    if (inspector !== undefined && inspectable(calls)) inspector.watch(calls, { name: path });
    if (handlerDelayMs > 0) {
      calls.onAny(() => new Promise<void>((resolve) => setTimeout(resolve, handlerDelayMs)));
    }
    apps.push(calls);
    app.use(path, calls.express());
  };
  app.use((req, res, next) => {
    // During a shutdown every reply closes its connection: the client opens its next one to
    // another instance.
    if (state.shuttingDown) res.setHeader('connection', 'close');
    else {
      state.responses.add(res);
      res.once('close', () => state.responses.delete(res));
    }
    next();
  });
  if (inspector !== undefined) app.use(INSPECTOR_PATH, inspector.node());
  app.get('/healthz', (req, res) => answerAtOnce(req, res, 200, 'ok\n'));
  app.get('/readyz', (req, res) =>
    state.shuttingDown
      ? answerAtOnce(req, res, 503, 'shutting down\n')
      : answerAtOnce(req, res, 200, 'ready\n'),
  );
  const recordFor = recorderFor(options.record ?? process.env['CALLCONTROL_RECORD']);
  const forwardTo = options.forwardTo ?? listFromEnv('FORWARD_TO', '022129191999');
  const store = options.store;
  const log = options.log ? { log: options.log } : {};
  const planned = plan(options);
  /** The planned provider mounted at `path`. */
  const plannedAt = (path: string): PlannedProvider =>
    planned.find((provider) => provider.path === path) as PlannedProvider;
  const [placetel, ozeki, voipnow, opentact, sipgate] = planned as [
    PlannedProvider,
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
        record: recordFor('placetel'),
      }),
    );
    mount(placetel.path, calls);
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
        record: recordFor('ozeki'),
      }),
    );
    mount(ozeki.path, calls);
  }
  if (voipnow.status !== 'off') {
    const calls = demo(voipnow, (token) =>
      createVoipNowDemo({
        token,
        allowUnauthenticated: allowUnauthenticated(voipnow),
        subscriptions: listFromEnv('VOIPNOW_SUBSCRIPTIONS', '09897987'),
        ...log,
        store,
        record: recordFor('voipnow'),
      }),
    );
    mount(voipnow.path, calls);
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
        record: recordFor('opentact'),
      }),
    );
    mount(opentact.path, calls);
  }
  const sipgateCalls = demo(sipgate, (publicKey) =>
    createSipgateDemo({
      publicKey,
      publicUrl: process.env['SIPGATE_PUBLIC_URL'] || undefined,
      forwardTo: listFromEnv('SIPGATE_FORWARD_TO', '4915799912345'),
      ...log,
      store,
      record: recordFor('sipgate'),
    }),
  );
  mount(sipgate.path, sipgateCalls);
  const telnyx = plannedAt('/telnyx');
  if (telnyx.status !== 'off') {
    const calls = demo(telnyx, (publicKey) =>
      createTelnyxDemo({
        publicKey,
        allowUnauthenticated: allowUnauthenticated(telnyx),
        sales: listFromEnv('TELNYX_SALES', '+15551230001'),
        support: listFromEnv('TELNYX_SUPPORT', '+15551230002'),
        ...log,
        store,
        record: recordFor('telnyx'),
      }),
    );
    mount(telnyx.path, calls);
  }
  const signalwire = plannedAt('/signalwire');
  if (signalwire.status !== 'off') {
    const base = process.env['SIGNALWIRE_PUBLIC_URL'];
    const calls = demo(
      signalwire,
      (signingKey) =>
        createSignalwireDemo({
          signingKey,
          allowUnauthenticated: allowUnauthenticated(signalwire),
          ...(base ? { publicUrl: `${base.replace(/\/+$/, '')}${signalwire.path}` } : {}),
          sales: listFromEnv('SIGNALWIRE_SALES', '+15551230001'),
          support: listFromEnv('SIGNALWIRE_SUPPORT', '+15551230002'),
          ...log,
          store,
          record: recordFor('signalwire'),
        }),
      'SIGNALWIRE_PUBLIC_URL',
    );
    mount(signalwire.path, calls);
  }
  const twilioPlan = plannedAt('/twilio');
  if (twilioPlan.status !== 'off') {
    const base = process.env['TWILIO_PUBLIC_URL'];
    const calls = demo(
      twilioPlan,
      (authToken) =>
        createTwilioDemo({
          authToken,
          allowUnauthenticated: allowUnauthenticated(twilioPlan),
          ...(base ? { publicUrl: `${base.replace(/\/+$/, '')}${twilioPlan.path}` } : {}),
          sales: listFromEnv('TWILIO_SALES', '+15551230001'),
          support: listFromEnv('TWILIO_SUPPORT', '+15551230002'),
          ...log,
          store,
          record: recordFor('twilio'),
        }),
      'TWILIO_PUBLIC_URL',
    );
    mount(twilioPlan.path, calls);
  }
  // The provider-neutral call-log flow (docs/flows.md) at /flow/<provider>, each authenticated
  // as the provider's own mount; GET /flow/calls lists the last 100 calls, newest first.
  const flowPublicUrl: Readonly<Record<string, string | undefined>> = {
    '/twilio': process.env['TWILIO_PUBLIC_URL'],
    '/signalwire': process.env['SIGNALWIRE_PUBLIC_URL'],
  };
  const flowForwardTo = listFromEnv('FLOW_FORWARD_TO', '+4922129191999');
  if (flowForwardTo.length === 0) {
    throw new ExampleConfigError('FLOW_FORWARD_TO is not usable: give at least one number');
  }
  let flowCountry;
  try {
    flowCountry = flowCountryFrom(process.env['FLOW_DEFAULT_COUNTRY']);
  } catch (error) {
    throw new ExampleConfigError(`FLOW_DEFAULT_COUNTRY is not usable: ${(error as Error).message}`);
  }
  const flows = createFlowDemo({
    providers: planned
      .filter((provider) => provider.status !== 'off')
      .map((provider) => {
        const base = flowPublicUrl[provider.path];
        const name = provider.path.slice(1);
        return {
          name,
          credential: provider.credential,
          allowUnauthenticated: allowUnauthenticated(provider),
          publicUrl: base ? `${base.replace(/\/+$/, '')}/flow/${name}` : undefined,
          record: recordFor(`flow-${name}`),
        };
      }),
    blocked: listFromEnv('FLOW_BLOCKED', ''),
    forwardTo: flowForwardTo,
    defaultCountry: flowCountry,
    store,
  });
  for (const flowMount of flows.mounts) mount(flowMount.path, flowMount.app);
  app.get('/flow/calls', (req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(flows.calls.latest());
  });
  const lines: Record<string, string> = {
    '/placetel': 'POST /placetel  Placetel Call Control / Notify API',
    '/ozeki': 'POST /ozeki     Ozeki Phone System notifications (OzML IVR)',
    '/voipnow':
      'GET|POST /voipnow[/dial-in|/interactive|/hangup|…]  4PSA VoipNow Call Events and Call Interactive',
    '/opentact': 'GET|POST /opentact  Opentact call flow, Gather follow-ups and events',
    '/sipgate': 'POST /sipgate  sipgate.io Push API (newCall, answer, hangup, dtmf)',
    '/telnyx': 'GET|POST /telnyx[/actions/menu]  Telnyx TeXML menu (1 sales, 2 support)',
    '/signalwire': 'GET|POST /signalwire[/actions/menu]  SignalWire cXML menu (1 sales, 2 support)',
    '/twilio': 'GET|POST /twilio[/actions/menu]  Twilio TwiML menu (1 sales, 2 support)',
  };
  const index =
    'callcontrol example server\n' +
    planned
      .map((provider) =>
        provider.status === 'off'
          ? `${provider.path}: not served (set ${provider.variable})\n`
          : `${lines[provider.path] ?? provider.path}\n`,
      )
      .join('');
  app.get('/', (req, res) => answerAtOnce(req, res, 200, index));
  // Express's own 404 and error replies wait for the whole body first: a request to an unknown
  // path announcing a large body would never be answered.
  app.use((req, res) => answerAtOnce(req, res, 404, 'not found\n'));
  app.use((error: unknown, req: IncomingMessage, res: ServerResponse, _next: unknown) => {
    const status = (error as { status?: unknown } | null)?.status;
    const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
    answerAtOnce(req, res, code, code === 500 ? 'internal error\n' : 'bad request\n');
  });
  return { app, apps, flowLines: flowStartupLines(flows) };
}

/**
 * The `record` option of the app mounted as `name` (`placetel`, `flow-twilio`): a file
 * `<name>.jsonl` in `directory`, which is created; no recording without a directory.
 *
 * @throws {ExampleConfigError} naming `CALLCONTROL_RECORD` when the directory cannot be created
 */
function recorderFor(directory: string | undefined): (name: string) => RecordOptions | undefined {
  if (directory === undefined || directory === '') return () => undefined;
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new ExampleConfigError(
      `CALLCONTROL_RECORD is not usable: the directory cannot be created (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return (name) => ({ file: join(directory, `${name}.jsonl`) });
}

/** The credential variables that are signature keys (the others are URL tokens). */
const SIGNED_BY = new Set([
  'PLACETEL_SECRET',
  'SIPGATE_PUBLIC_KEY',
  'TELNYX_PUBLIC_KEY',
  'SIGNALWIRE_SIGNING_KEY',
  'TWILIO_AUTH_TOKEN',
]);

/** What each signature key's variable holds and requires, for the startup lines. */
const SIGNATURE_RULES: Readonly<Record<string, string>> = {
  PLACETEL_SECRET:
    'the secret of your Placetel API settings; requests then need a valid X-PLACETEL-SIGNATURE',
  TELNYX_PUBLIC_KEY:
    'the public key of your Telnyx account, base64 as the portal shows it; requests then need a valid telnyx-signature-ed25519 within 300 seconds',
  TWILIO_AUTH_TOKEN:
    'the Auth Token of your Twilio account; requests then need a valid X-Twilio-Signature over TWILIO_PUBLIC_URL',
  SIGNALWIRE_SIGNING_KEY:
    'the Signing Key of your SignalWire project; requests then need a valid X-SignalWire-Signature over SIGNALWIRE_PUBLIC_URL',
};

/** How a served provider's requests are checked, for the startup line. */
function checkOf(provider: ExampleProvider): string {
  if (provider.status === 'unauthenticated') return 'NO AUTHENTICATION';
  return SIGNED_BY.has(provider.variable) ? 'signature required' : 'token required';
}

/**
 * What the example server prints when it listens: one line with each served path and how its
 * requests are checked, then a line per provider that is served without authentication (a
 * warning) or not served at all (and which variable turns it on). Never a secret's value.
 */
export function startupLines(
  origin: string,
  providers: readonly ExampleProvider[],
  store: 'memory' | 'redis' | 'redis cluster' | 'redis sentinel',
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
      SIGNATURE_RULES[provider.variable] ??
      `16 to 512 characters of A-Z a-z 0-9 . _ ~ -; requests then need ?token=<${provider.variable}>`;
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
  return (await startExample({ ...options, port, host })).server;
}

/** Options of {@link startExample}: {@link ExampleOptions}, and where to listen. */
export interface ExampleServerOptions extends ExampleOptions {
  /** Port to listen on (`0`: any free one). Default `PORT`, else 3000. */
  readonly port?: number | undefined;
  /** Address to listen on. Default `HOST`, else every interface. */
  readonly host?: string | undefined;
  /**
   * Idle keep-alive connections are closed after this many milliseconds. Default
   * `KEEP_ALIVE_TIMEOUT_MS`, else {@link SERVER_TIMEOUTS}`.keepAliveTimeoutMs` (5000).
   */
  readonly keepAliveTimeoutMs?: number | undefined;
}

/** Options of {@link ExampleServer.shutdown}, in **milliseconds**. */
export interface ShutdownOptions {
  /**
   * The whole shutdown's bound: it resolves within it, whatever the requests and the store do.
   * Default `SHUTDOWN_TIMEOUT_MS`, else {@link DEFAULT_SHUTDOWN_TIMEOUT_MS} (10000).
   */
  readonly timeoutMs?: number | undefined;
  /**
   * How long new requests are still taken after the shutdown began, while `GET /readyz`
   * already answers 503. Default `SHUTDOWN_DELAY_MS`, else 0.
   */
  readonly delayMs?: number | undefined;
}

/** What a shutdown did. */
export interface ShutdownResult {
  /** Whether every request was answered and every connection ended within the bound. */
  readonly clean: boolean;
  /** Requests still inside a provider app when the bound cut the wait (0 when clean). */
  readonly unanswered: number;
  /** Time the shutdown took, in milliseconds. */
  readonly elapsedMs: number;
}

/** A running example server. */
export interface ExampleServer {
  /** The listening `node:http` server. */
  readonly server: Server;
  /** `false` once a shutdown began (`GET /readyz` then answers 503). */
  readonly ready: boolean;
  /** The startup lines of the `/flow/<provider>` mounts (served, and which cannot and why). */
  readonly flowLines: readonly string[];
  /** The live inspector at {@link INSPECTOR_PATH}; `undefined` in production (not served). */
  readonly inspector: Inspector | undefined;
  /**
   * Shuts the server down gracefully, within `options.timeoutMs`:
   * 1. `GET /readyz` answers 503 and every reply carries `Connection: close`; for `delayMs`
   *    new requests are still taken (a load balancer's health check takes the instance out);
   * 2. the server stops accepting connections and closes the idle keep-alive ones;
   * 3. the requests in flight are answered: each provider app is drained
   *    (`calls.drain()`), and the connections still open end (a request still sending its
   *    body is waited for until the bound leaves 1.5 s, then its connection is closed);
   * 4. each provider app is closed, and its store (Redis) with it, each bounded by 1000 ms —
   *    a Redis that does not answer does not hold the process (`options.store`, if given, is
   *    closed too).
   *
   * Calling it again returns the same promise. It rejects only for a bad option or variable
   * (below; the command line checks the variables at startup), never for what the requests or
   * the store do.
   *
   * @throws {ExampleConfigError} (as a rejection) for a `timeoutMs`, `delayMs` or `SHUTDOWN_*`
   *   variable that is no whole number of milliseconds
   */
  shutdown(options?: ShutdownOptions): Promise<ShutdownResult>;
}

/**
 * Starts the example server with its HTTP limits ({@link SERVER_TIMEOUTS}), readiness and
 * graceful shutdown; resolves once it listens. The caller decides when to shut it down (the
 * command line does on SIGTERM and SIGINT).
 *
 * @throws {ExampleConfigError} (as a rejection) for a variable the example or the library
 *   refuses
 */
export async function startExample(options: ExampleServerOptions = {}): Promise<ExampleServer> {
  const state: ServerState = { shuttingDown: false, responses: new Set() };
  const { app, apps, flowLines } = buildExample(options, state);
  const store = options.store;
  const server = createServer(
    {
      headersTimeout: SERVER_TIMEOUTS.headersTimeoutMs,
      requestTimeout: SERVER_TIMEOUTS.requestTimeoutMs,
      keepAliveTimeout: millisecondsFrom(
        'KEEP_ALIVE_TIMEOUT_MS',
        options.keepAliveTimeoutMs,
        SERVER_TIMEOUTS.keepAliveTimeoutMs,
      ),
      connectionsCheckingInterval: SERVER_TIMEOUTS.connectionsCheckingIntervalMs,
    },
    app,
  );
  const port = options.port ?? Number(process.env['PORT'] ?? 3000);
  const host = options.host ?? process.env['HOST'];
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (host === undefined) server.listen(port, listening);
    else server.listen(port, host, listening);
  });
  let shuttingDown: Promise<ShutdownResult> | undefined;
  return {
    server,
    flowLines,
    inspector: state.inspector,
    get ready() {
      return !state.shuttingDown;
    },
    shutdown(shutdownOptions = {}) {
      shuttingDown ??= shutdown(server, state, apps, store, shutdownOptions);
      return shuttingDown;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Resolves `true` when `work` settles within `ms`, else `false`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** See {@link ExampleServer.shutdown}. */
async function shutdown(
  server: Server,
  state: ServerState,
  apps: readonly ClosableApp[],
  store: CallStore | undefined,
  options: ShutdownOptions,
): Promise<ShutdownResult> {
  const started = Date.now();
  const timeoutMs = millisecondsFrom(
    'SHUTDOWN_TIMEOUT_MS',
    options.timeoutMs,
    DEFAULT_SHUTDOWN_TIMEOUT_MS,
  );
  const delayMs = millisecondsFrom('SHUTDOWN_DELAY_MS', options.delayMs, 0);
  const deadline = started + timeoutMs;
  // What is left for waiting, once the stores' close and the exit are set aside.
  const left = (): number => Math.max(0, deadline - SHUTDOWN_RESERVE_MS - Date.now());

  state.shuttingDown = true;
  // Its open event streams would hold the server's close until the bound.
  state.inspector?.close();
  for (const res of state.responses) if (!res.headersSent) res.setHeader('connection', 'close');
  state.responses.clear();
  if (delayMs > 0) await sleep(Math.min(delayMs, left()));

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const drained = await Promise.all(apps.map((app) => app.drain({ timeoutMs: left() })));
  // Requests of other routes, and bodies still arriving, end with their connections.
  const ended = await settlesWithin(closed, left());
  if (!ended) {
    server.closeAllConnections();
    await settlesWithin(closed, 100);
  }
  await Promise.all(apps.map((app) => app.close({ timeoutMs: 0 })));
  // Also when no provider app uses it (every provider off); closing it again does nothing.
  if (store !== undefined) {
    await settlesWithin(
      store.close().catch(() => undefined),
      STORE_CLOSE_TIMEOUT_MS,
    );
  }
  const unanswered = drained.reduce((sum, result) => sum + result.inFlight, 0);
  return {
    clean: ended && drained.every((result) => result.drained),
    unanswered,
    elapsedMs: Date.now() - started,
  };
}

if (require.main === module) {
  main();
}

/** `npm start`: listen, print the startup lines, shut down gracefully on SIGTERM and SIGINT. */
function main(): void {
  let store: CallStore | undefined;
  let timeoutMs: number;
  try {
    store = storeFromEnv();
    timeoutMs = millisecondsFrom('SHUTDOWN_TIMEOUT_MS', undefined, DEFAULT_SHUTDOWN_TIMEOUT_MS);
    millisecondsFrom('SHUTDOWN_DELAY_MS', undefined, 0);
  } catch (error) {
    failedToStart(error);
    return;
  }
  startExample({ store })
    .then((example) => {
      const { port } = example.server.address() as AddressInfo;
      const providers = exampleProviders();
      const lines = startupLines(
        `http://127.0.0.1:${port}`,
        providers,
        store === undefined ? 'memory' : storeKindFromEnv(),
      );
      console.log([...lines, ...example.flowLines].join('\n'));
      if (example.inspector !== undefined) {
        console.log(
          `inspector: http://127.0.0.1:${port}${INSPECTOR_PATH}/ (every request as it happens; not served with NODE_ENV=production)`,
        );
      }
      const recording = process.env['CALLCONTROL_RECORD'];
      if (recording !== undefined && recording.trim() !== '') {
        console.log(
          `recording every request and answer to ${recording}/<mount>.jsonl (secrets redacted; replay with: npx callcontrol replay <file> <url>)`,
        );
      }
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          console.error(`callcontrol example: ${signal} again: exiting now`);
          process.exit(1);
        }
        stopping = true;
        console.log(
          `callcontrol example: ${signal}: shutting down (readiness 503, answering the requests in flight, at most ${timeoutMs} ms)`,
        );
        // The last resort, should anything hold the shutdown past its bound.
        setTimeout(() => {
          console.error(`callcontrol example: not shut down within ${timeoutMs} ms; exiting`);
          process.exit(1);
        }, timeoutMs).unref();
        void example.shutdown().then((result) => {
          console.log(
            `callcontrol example: shut down in ${result.elapsedMs} ms` +
              (result.clean
                ? '; every request answered'
                : `; ${result.unanswered} request(s) unanswered, connections closed`),
          );
          process.exit(result.clean ? 0 : 1);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch(failedToStart);
}

function failedToStart(error: unknown): void {
  if (error instanceof ExampleConfigError) {
    console.error(`callcontrol example: ${error.message}`);
  } else {
    console.error('callcontrol example failed to start:', error);
  }
  process.exit(1);
}
