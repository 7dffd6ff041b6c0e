/**
 * What the fault and security properties need of each provider, in one shape: an app with
 * given options and one answered event's handler, well-formed requests of that event (with a
 * call id, so duplicate detection and sessions take part), a recognisable answer of the
 * handler's own and a recognisable fallback, and ways to send a request through the Express
 * middleware, the `node:http` handler or the Fetch handler.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import { opentact, ozeki, placetel, voipnow, type CallControlError } from '../../src';
import type {
  ErrorContext,
  HandlerContext,
  WebhookEvent,
  WebhookReply,
  WebhookRequest,
} from '../../src/core/types';
import type { AdaptableApp } from '../../src/adapters/node';
import { listenOnLoopback } from '../helpers/server';

/** The four providers. */
export type ProviderName = 'placetel' | 'ozeki' | 'voipnow' | 'opentact';

/** A handler as the properties register it, whatever the provider. */
export type LooseHandler = (event: WebhookEvent, context: HandlerContext) => unknown;

/** The surface of an app the properties use, whatever the provider. */
export interface LooseApp extends AdaptableApp {
  readonly provider: string;
  on(name: string, handler: LooseHandler): unknown;
  onAny(handler: LooseHandler): unknown;
  onError(handler: (error: CallControlError, context: ErrorContext) => unknown): unknown;
  handle(request: WebhookRequest): Promise<WebhookReply>;
  express(): express.RequestHandler;
  fetch(options?: { basePath?: string }): (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

/**
 * A request relative to where the app is mounted: `path` starts with `/`, `query` is the raw
 * query string without `?` (already percent-encoded), `type` the content type, if any.
 */
export interface Shaped {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query: string;
  readonly body: Buffer;
  readonly type: string | undefined;
}

/** One provider as the properties drive it. */
export interface ProviderCase {
  readonly name: ProviderName;
  /** The answered event the properties send; it carries a call id. */
  readonly event: string;
  /** Where the test server mounts the app. */
  readonly mount: string;
  /** The provider's app with `options` (nothing else is set). */
  create(options: Record<string, unknown>): LooseApp;
  /** Well-formed requests of {@link ProviderCase.event}, field values drawn from `value`. */
  request(value: fc.Arbitrary<string>): fc.Arbitrary<Shaped>;
  /** The handler's own answer; its XML holds {@link OWN_MARKER}. */
  own(): unknown;
  /** An answer to use as the app's `fallback`; its XML holds {@link FALLBACK_MARKER}. */
  fallback(): unknown;
  /** Which part of the request carries the form fields (for the field limit). */
  readonly fieldsIn: 'form' | 'query' | 'json';
}

/** Text in every own answer of the handlers in these properties (Placetel: a number). */
export const OWN_MARKER: Readonly<Record<ProviderName, string>> = {
  placetel: '022129191999',
  ozeki: 'own-answer-marker',
  voipnow: 'own-answer-marker',
  opentact: 'own-answer-marker',
};

/** Text in every fallback of the apps in these properties (Placetel: the reject reason). */
export const FALLBACK_MARKER: Readonly<Record<ProviderName, string>> = {
  placetel: 'reason="busy"',
  ozeki: 'fallback-marker',
  voipnow: 'fallback-marker',
  opentact: 'fallback-marker',
};

const FORM = 'application/x-www-form-urlencoded';

/** Field values that every provider accepts and a handler is reached with. */
export const fieldValue: fc.Arbitrary<string> = fc.string({ unit: 'grapheme', maxLength: 24 });

/** A call id: what providers send (letters, digits, `-`, `.`), never empty. */
export const callId: fc.Arbitrary<string> = fc.stringMatching(/^[0-9A-Za-z][0-9A-Za-z.-]{3,40}$/);

function formOf(fields: readonly (readonly [string, string])[]): string {
  const params = new URLSearchParams();
  for (const [key, value] of fields) params.append(key, value);
  return params.toString();
}

function loose(app: unknown): LooseApp {
  return app as LooseApp;
}

/** The four providers, each with its answered event. */
export const PROVIDERS: readonly ProviderCase[] = [
  {
    name: 'placetel',
    event: 'IncomingCall',
    mount: '/placetel',
    fieldsIn: 'form',
    create: (options) => loose(placetel.createApp(options)),
    request: (value) =>
      fc.record({ id: callId, from: value, to: value }).map(({ id, from, to }) => ({
        method: 'POST' as const,
        path: '/',
        query: '',
        body: Buffer.from(
          placetel.placetelRequest({
            event: 'IncomingCall',
            call_id: id,
            from,
            to,
            direction: 'in',
          }).body,
        ),
        type: FORM,
      })),
    own: () => placetel.forward({ targets: [{ numbers: ['022129191999'] }] }),
    fallback: () => placetel.reject({ reason: 'busy' }),
  },
  {
    name: 'ozeki',
    event: 'IncomingCall',
    mount: '/ozeki',
    fieldsIn: 'form',
    create: (options) => loose(ozeki.createApp(options)),
    request: (value) =>
      fc.record({ id: callId, from: value, to: value }).map(({ id, from, to }) => ({
        method: 'POST' as const,
        path: '/',
        query: '',
        body: Buffer.from(
          ozeki.ozekiNotification('IncomingCall', { CallId: id, CallerId: from, ApiExtension: to })
            .body,
        ),
        type: FORM,
      })),
    own: () => [ozeki.speak('own-answer-marker')],
    fallback: () => [ozeki.speak('fallback-marker')],
  },
  {
    name: 'voipnow',
    event: 'call_interactive',
    mount: '/voipnow',
    // GET: the fields travel in the query (VoipNow's default for Call Interactive).
    fieldsIn: 'query',
    create: (options) => loose(voipnow.createApp(options)),
    request: (value) =>
      fc.record({ id: callId, from: value, name: value }).map(({ id, from, name }) => ({
        method: 'GET' as const,
        path: '/',
        query: formOf([
          ['CallAPIID', `3584705175:${id}`],
          ['CallID', id],
          ['CallerIDNum', from],
          ['CallerIDName', name],
          ['CallStatus', 'ANSWER'],
          ['CallFlow', 'IN'],
        ]),
        body: Buffer.alloc(0),
        type: undefined,
      })),
    own: () => [voipnow.playTts('own-answer-marker')],
    fallback: () => [voipnow.playTts('fallback-marker')],
  },
  {
    name: 'opentact',
    event: 'call_flow_request',
    mount: '/opentact',
    fieldsIn: 'json',
    create: (options) => loose(opentact.createApp(options)),
    request: (value) =>
      fc.record({ id: callId, from: value, to: value }).map(({ id, from, to }) => ({
        method: 'POST' as const,
        path: '/',
        query: '',
        body: Buffer.from(JSON.stringify({ uuid: id, from, to, state: 'ringing' })),
        type: 'application/json',
      })),
    own: () => [opentact.say('own-answer-marker')],
    fallback: () => [opentact.say('fallback-marker')],
  },
];

/** One fixed, plain request of the provider's answered event (for `examples` of properties). */
export function sampleRequest(testCase: ProviderCase): Shaped {
  const [shaped] = fc.sample(testCase.request(fc.constant('0301234567')), { numRuns: 1, seed: 13 });
  if (shaped === undefined) throw new Error('no sample');
  return shaped;
}

/** The case of one provider. */
export function providerCase(name: ProviderName): ProviderCase {
  const found = PROVIDERS.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no provider ${name}`);
  return found;
}

/** A request on its way: the target under the mount, headers and body. */
export interface Outgoing {
  readonly method: 'GET' | 'POST';
  /** Path and query under the mount, e.g. `/?a=1`. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Send the body without `Content-Length` (chunked). */
  readonly chunked?: boolean;
}

/** A shaped request as it goes out, with extra headers. */
export function outgoing(shaped: Shaped, headers: Readonly<Record<string, string>> = {}): Outgoing {
  const query = shaped.query === '' ? '' : `?${shaped.query}`;
  return {
    method: shaped.method,
    target: `${shaped.path}${query}`,
    headers: { ...(shaped.type === undefined ? {} : { 'content-type': shaped.type }), ...headers },
    body: shaped.body,
  };
}

/** What came back: status, headers (lower-case names) and the body as text. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
}

/** Sends requests to an app, over HTTP or straight into its handler. */
export interface Sender {
  send(sent: Outgoing, timeoutMs?: number): Promise<Answer>;
}

/** An Express server on 127.0.0.1 whose app can be replaced between requests. */
export interface ExpressHost extends Sender {
  readonly server: Server;
  /** Serves `app` at the mount from now on. */
  use(app: LooseApp): void;
}

/** Builds the Express app that serves `app` at `mount` (with whatever else a test mounts). */
export type ExpressBuilder = (app: LooseApp, mount: string) => express.Express;

/** The plain setup: the app's middleware at its mount, nothing else. */
export const plainExpress: ExpressBuilder = (app, mount) => {
  const host = express();
  host.use(mount, app.express());
  return host;
};

/**
 * A server on 127.0.0.1 serving, at `mount`, the Express app `build` made for the app last
 * given to `use()`: one server for the many apps a property makes. It is closed after the
 * test.
 */
export async function expressHost(
  mount: string,
  build: ExpressBuilder = plainExpress,
): Promise<ExpressHost> {
  let current: express.Express | undefined;
  const server = await listenOnLoopback({
    listen: (port, hostname) =>
      http
        .createServer((req, res) => {
          if (current === undefined) throw new Error('no app to serve');
          current(req, res);
        })
        .listen(port, hostname),
  });
  return {
    server,
    use: (app) => {
      current = build(app, mount);
    },
    send: (sent, timeoutMs = 5000) =>
      sendOverHttp(server, `${mount}${sent.target}`, sent, timeoutMs),
  };
}

/**
 * Sends one request with `node:http` to a server on 127.0.0.1 and reads the whole answer;
 * rejects when no complete answer came within `timeoutMs`. The body goes out with its
 * `Content-Length`, or chunked (1 KiB chunks) when `sent.chunked`.
 */
export function sendOverHttp(
  server: Server,
  path: string,
  sent: Outgoing,
  timeoutMs: number,
): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  return new Promise<Answer>((resolve, reject) => {
    const headers: Record<string, string> = { ...sent.headers };
    if (sent.chunked !== true && (sent.body.length > 0 || sent.method === 'POST')) {
      headers['content-length'] = String(sent.body.length);
    }
    const outgoing = http.request(
      { host: '127.0.0.1', port, method: sent.method, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, string | undefined>,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    const timer = setTimeout(
      () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    outgoing.on('error', fail);
    if (sent.chunked === true) {
      for (let at = 0; at < sent.body.length; at += 1024) {
        outgoing.write(sent.body.subarray(at, at + 1024));
      }
      outgoing.end();
    } else {
      outgoing.end(sent.body);
    }
  });
}

/** Sends requests straight into the app's Fetch handler (no socket). */
export function fetchSender(app: LooseApp, mount: string): Sender {
  const handle = app.fetch({ basePath: mount });
  return {
    send: async (sent) => {
      const headers: Record<string, string> = { ...sent.headers };
      if (sent.method === 'POST' && sent.chunked !== true) {
        headers['content-length'] = String(sent.body.length);
      }
      const init: RequestInit & { duplex?: 'half' } = { method: sent.method, headers };
      if (sent.method === 'POST') {
        if (sent.chunked === true) {
          const bytes = sent.body;
          init.body = new ReadableStream<Uint8Array>({
            start(controller) {
              // A few chunks, as a stream arrives.
              for (let at = 0; at < bytes.length; at += 1024) {
                controller.enqueue(new Uint8Array(bytes.subarray(at, at + 1024)));
              }
              controller.close();
            },
          });
          init.duplex = 'half';
        } else {
          init.body = sent.body;
        }
      }
      const response = await handle(new Request(`http://127.0.0.1${mount}${sent.target}`, init));
      const received: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        received[name] = value;
      });
      return { status: response.status, headers: received, text: await response.text() };
    },
  };
}

/** The `code` attribute of an `<Error code="…">` answer, or `undefined`. */
export function errorCodeOf(text: string): string | undefined {
  return /^(?:<\?xml[^>]*\?>\s*)?<Error code="(CC_ERR_[A-Z_]+)"/.exec(text)?.[1];
}

/** A timer-based delay whose timers a test can clear at its end. */
export class Timers {
  readonly #pending = new Set<NodeJS.Timeout>();

  /** Resolves with `value` after `ms` milliseconds (unless {@link clear}ed first). */
  after<T>(ms: number, value: T): Promise<T> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve(value);
      }, ms);
      this.#pending.add(timer);
    });
  }

  /** Cancels every pending delay (its promise then never settles). */
  clear(): void {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}

/** A promise that never settles (and holds no timer or handle). */
export function never<T = never>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
