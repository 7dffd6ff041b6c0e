/**
 * The live inspector: a development page that shows every request a callcontrol app receives
 * as it happens — time, provider, event, call id, outcome, latency — grouped per call id as that
 * call's timeline; a request opens to the raw request, the typed event, the answer with the
 * validator's findings ({@link validateAnswer}) and its error code; a button replays it. Guide:
 * `docs/inspector.md`.
 *
 * ```ts
 * const inspector = createInspector();            // off (404) when NODE_ENV=production
 * inspector.watch(calls);                          // every app to show
 * app.use('/_callcontrol', inspector.node());      // Express, or any node:http server
 * ```
 *
 * Served: the page (`/`, with `inspector.js` and `inspector.css`, no build step), a
 * Server-Sent Events stream of the exchanges (`api/stream`, one `exchange` event each), their
 * JSON list (`api/exchanges`) and replay (`POST api/replay/<id>`). Secrets are masked as in
 * recordings (see {@link ObservedExchange}); the request as received — which replay sends again —
 * stays in this process's memory and is never sent to the page.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { safeEqual } from '../core/auth';
import type { HandleOptions } from '../core/app';
import type { ExchangeObserver, ObservedExchange } from '../core/observe';
import type { WebhookReply, WebhookRequest } from '../core/types';
import { findProvider } from '../providers/registry';
import { validateAnswer, type ValidationResult } from '../validate';
import { INSPECTOR_CSS, INSPECTOR_HTML, INSPECTOR_JS } from './assets';

/** Default of {@link InspectorOptions.maxAgeMs}: 3600000 ms (one hour). */
export const DEFAULT_INSPECTOR_MAX_AGE_MS = 60 * 60 * 1000;

/** Default of {@link InspectorOptions.maxEntries}: 1000 exchanges. */
export const DEFAULT_INSPECTOR_MAX_ENTRIES = 1000;

/** The cookie the page's requests carry the token in, once opened with `?token=`. */
export const INSPECTOR_COOKIE = 'callcontrol_inspector';

/** Interval of the stream's keep-alive comment line, in milliseconds: 15000. */
const HEARTBEAT_MS = 15_000;

/** Options of {@link createInspector}. */
export interface InspectorOptions {
  /**
   * How long an exchange stays in the buffer, in **milliseconds**; older ones are dropped.
   * Default {@link DEFAULT_INSPECTOR_MAX_AGE_MS} (one hour).
   */
  readonly maxAgeMs?: number | undefined;
  /**
   * Most exchanges kept; past it the oldest is dropped. Default
   * {@link DEFAULT_INSPECTOR_MAX_ENTRIES} (1000). Each keeps its request as received in memory
   * (for replay): at most the apps' `bodyLimitBytes` each.
   */
  readonly maxEntries?: number | undefined;
  /**
   * Whether the inspector is served. Default: `process.env.NODE_ENV !== 'production'`. When it
   * is not, it watches nothing (no exchange is built), and every path answers 404. `true` with
   * `NODE_ENV=production` needs a `token` (or `behindOwnAuth: true`).
   */
  readonly enabled?: boolean | undefined;
  /**
   * A secret every request to the inspector must carry: `Authorization: Bearer <token>`, or the
   * page opened once as `…/_callcontrol/?token=<token>` (then kept in an HttpOnly, SameSite=Strict
   * cookie scoped to the inspector's path, and the token removed from the address). At least 16
   * characters. Without it, anyone who reaches the path sees the traffic: fine on a developer's
   * machine, never on a public server.
   */
  readonly token?: string | undefined;
  /**
   * `true`: the inspector is mounted behind the application's own authentication (a
   * middleware that refuses unauthenticated requests before they reach it), so it may be
   * enabled in production without a `token`. Default `false`.
   */
  readonly behindOwnAuth?: boolean | undefined;
}

/** What the inspector needs of an app: every callcontrol app (`placetel.createApp(…)`, …) is one. */
export interface InspectableApp {
  /** The provider id, e.g. `'placetel'`. */
  readonly provider: string;
  /** See `WebhookApp.observe`. */
  observe(observer: ExchangeObserver): () => void;
  /** See `WebhookApp.handle`: replay runs the stored request through it again. */
  handle(request: WebhookRequest, options?: HandleOptions): Promise<WebhookReply>;
}

/** Options of {@link Inspector.watch}. */
export interface WatchOptions {
  /** The app's label on the page, e.g. its mount path `'/placetel'`. Default: its provider id. */
  readonly name?: string | undefined;
}

/** One exchange as the inspector keeps and serves it: what the app observed, and more. */
export interface InspectorEntry extends ObservedExchange {
  /** The entry's id: increasing whole numbers, as strings (`'1'`, `'2'`…). */
  readonly id: string;
  /** The label of the app that answered (see {@link WatchOptions.name}). */
  readonly app: string;
  /**
   * The validator's findings for the answer ({@link validateAnswer} with the app's provider):
   * for XML answers with status 200; absent otherwise (refusals, providers not in the registry).
   */
  readonly findings?: ValidationResult;
  /** For a replay: the id of the entry it replayed. */
  readonly replayOf?: string;
}

/** Options of {@link Inspector.replay}. */
export interface ReplayOptions {
  /**
   * `false` (default): duplicate detection is skipped for the replay, so the handler runs again
   * and its new answer is shown. `true`: the request goes through duplicate detection as any
   * delivery does — within the app's `duplicates.ttlMs` it is answered with the stored reply
   * (outcome `duplicate`), as a provider's retry would be.
   */
  readonly asRetry?: boolean | undefined;
}

/** The node:http / Express handler of {@link Inspector.node}. */
export type InspectorHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/** A live inspector; see {@link createInspector}. */
export interface Inspector {
  /** Whether it is served (see {@link InspectorOptions.enabled}). */
  readonly enabled: boolean;
  /**
   * Shows `app`'s exchanges from now on. Does nothing when not {@link enabled}.
   *
   * @returns a function that stops watching it
   * @throws {TypeError} when `app` has no `observe` and `handle`
   */
  watch(app: InspectableApp, options?: WatchOptions): () => void;
  /** The buffered exchanges, oldest first (entries past `maxAgeMs` dropped first). */
  entries(): InspectorEntry[];
  /**
   * Sends the request of entry `id` through its app again, in-process, exactly as it was
   * received (its signature headers and URL token included, so it passes the app's
   * authentication again; a provider signature over a timestamp, as Telnyx's, may have expired).
   * The new exchange is buffered and pushed to the page like any other, with `replayOf: id`.
   *
   * @returns the new entry, or `undefined` when `id` is not (any more) in the buffer, or its app
   *   is no longer watched
   */
  replay(id: string, options?: ReplayOptions): Promise<InspectorEntry | undefined>;
  /**
   * A `node:http` handler serving the inspector, for `app.use('/_callcontrol', inspector.node())`
   * in Express (which strips the mount path) or a plain `node:http` server (give `basePath`,
   * e.g. `'/_callcontrol'`; requests outside it go to `next`, else 404). Not enabled: every
   * request answers 404.
   */
  node(options?: { readonly basePath?: string | undefined }): InspectorHandler;
  /** Ends the open streams and stops watching every app (a server's shutdown waits for them). */
  close(): void;
}

interface Watched {
  readonly app: InspectableApp;
  readonly name: string;
  readonly validates: boolean;
}

interface Stored {
  readonly entry: InspectorEntry;
  /** `Date.now()` when it arrived, for `maxAgeMs`. */
  readonly at: number;
  /** The request as received, secrets included: in memory only, for replay. */
  readonly original: WebhookRequest;
  readonly watched: Watched;
}

function positiveWhole(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen <= 0) {
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}`);
  }
  return chosen;
}

/** The answer's findings, for XML answers with status 200 of a registered provider. */
function findingsOf(exchange: ObservedExchange, validates: boolean): ValidationResult | undefined {
  if (!validates || exchange.reply.status !== 200) return undefined;
  const type = exchange.reply.headers['content-type'] ?? '';
  if (!/xml/i.test(type)) return undefined;
  try {
    return validateAnswer(
      exchange.provider as Parameters<typeof validateAnswer>[0],
      exchange.reply.body,
    );
  } catch {
    return undefined;
  }
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function notFound(res: ServerResponse): void {
  send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
}

/** The value of one cookie of a `Cookie` header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Creates a live inspector (see the module's documentation and `docs/inspector.md`).
 *
 * Security: not served when `NODE_ENV=production` unless `enabled: true`, and then only with a
 * `token` or `behindOwnAuth: true`; every answer carries `Cache-Control: no-store` and a strict
 * Content-Security-Policy; replay needs a `POST` with the header `X-Callcontrol-Inspector: 1`
 * (which a page of another origin cannot send without the inspector's consent).
 *
 * @throws {TypeError} for a `maxAgeMs` or `maxEntries` that is not a positive whole number, a
 *   `token` shorter than 16 characters, or `enabled: true` with `NODE_ENV=production` without a
 *   `token` or `behindOwnAuth: true`
 */
export function createInspector(options: InspectorOptions = {}): Inspector {
  const maxAgeMs = positiveWhole('maxAgeMs', options.maxAgeMs, DEFAULT_INSPECTOR_MAX_AGE_MS);
  const maxEntries = positiveWhole('maxEntries', options.maxEntries, DEFAULT_INSPECTOR_MAX_ENTRIES);
  const production = process.env['NODE_ENV'] === 'production';
  const enabled = options.enabled ?? !production;
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    throw new TypeError('token must be a string of at least 16 characters');
  }
  if (enabled && production && token === undefined && options.behindOwnAuth !== true) {
    throw new TypeError(
      'createInspector: enabled with NODE_ENV=production needs a token (or behindOwnAuth: true ' +
        'when it is mounted behind your own authentication)',
    );
  }

  const buffer: Stored[] = [];
  const byId = new Map<string, Stored>();
  const streams = new Set<ServerResponse>();
  const watching = new Set<() => void>();
  /** Requests being replayed → the entry they replay and, once observed, the new entry. */
  const replays = new WeakMap<WebhookRequest, { of: string; entry?: InspectorEntry }>();
  let sequence = 0;
  let heartbeat: NodeJS.Timeout | undefined;

  const prune = (now: number): void => {
    while (buffer.length > 0) {
      const oldest = buffer[0] as Stored;
      if (buffer.length <= maxEntries && now - oldest.at <= maxAgeMs) break;
      buffer.shift();
      byId.delete(oldest.entry.id);
    }
  };

  const push = (entry: InspectorEntry): void => {
    const frame = `id: ${entry.id}\nevent: exchange\ndata: ${JSON.stringify(entry)}\n\n`;
    for (const res of streams) res.write(frame);
  };

  const add = (watched: Watched, exchange: ObservedExchange, received: WebhookRequest): void => {
    const replay = replays.get(received);
    const findings = findingsOf(exchange, watched.validates);
    const entry: InspectorEntry = {
      id: String(++sequence),
      app: watched.name,
      ...exchange,
      ...(findings === undefined ? {} : { findings }),
      ...(replay === undefined ? {} : { replayOf: replay.of }),
    };
    if (replay !== undefined) replay.entry = entry;
    const now = Date.now();
    const stored: Stored = { entry, at: now, original: received, watched };
    buffer.push(stored);
    byId.set(entry.id, stored);
    prune(now);
    push(entry);
  };

  const entries = (): InspectorEntry[] => {
    prune(Date.now());
    return buffer.map((stored) => stored.entry);
  };

  const inspector: Inspector = {
    enabled,
    watch(app, watchOptions = {}) {
      if (
        typeof app !== 'object' ||
        app === null ||
        typeof app.observe !== 'function' ||
        typeof app.handle !== 'function'
      ) {
        throw new TypeError('watch: give a callcontrol app (with observe and handle)');
      }
      if (!enabled) return () => undefined;
      const watched: Watched = {
        app,
        name: watchOptions.name ?? app.provider,
        validates: findProvider(app.provider) !== undefined,
      };
      const stop = app.observe((exchange, received) => add(watched, exchange, received));
      watching.add(stop);
      return () => {
        stop();
        watching.delete(stop);
      };
    },
    entries,
    async replay(id, replayOptions = {}) {
      prune(Date.now());
      const stored = byId.get(id);
      if (stored === undefined) return undefined;
      // A copy: its identity tells the observer that this exchange is the replay.
      const request: WebhookRequest = { ...stored.original };
      const pending: { of: string; entry?: InspectorEntry } = { of: id };
      replays.set(request, pending);
      await stored.watched.app.handle(
        request,
        replayOptions.asRetry === true ? {} : { duplicates: false },
      );
      return pending.entry;
    },
    node(nodeOptions = {}) {
      const basePath = (nodeOptions.basePath ?? '').replace(/\/+$/, '');
      return (req, res, next) => {
        let url = req.url ?? '/';
        if (basePath !== '') {
          const path = url.split('?')[0] ?? '';
          if (path !== basePath && !path.startsWith(`${basePath}/`)) {
            if (next !== undefined) next();
            else notFound(res);
            return;
          }
          url = url.slice(basePath.length) || '/';
        }
        if (!enabled) {
          notFound(res);
          return;
        }
        try {
          serve(req, res, url);
        } catch {
          if (!res.headersSent) sendJson(res, 500, { message: 'The inspector failed' });
          else res.destroy();
        }
      };
    },
    close() {
      for (const stop of watching) stop();
      watching.clear();
      for (const res of streams) res.end();
      streams.clear();
      if (heartbeat !== undefined) clearInterval(heartbeat);
      heartbeat = undefined;
    },
  };

  /** The mount path as the client sees it: `originalUrl` (Express) without `url`'s part. */
  const mountOf = (req: IncomingMessage, url: string): string => {
    const original =
      (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
    const originalPath = original.split('?')[0] ?? '';
    const ownPath = url.split('?')[0] ?? '';
    const mount =
      ownPath === '/' && !originalPath.endsWith('/')
        ? originalPath
        : originalPath.endsWith(ownPath)
          ? originalPath.slice(0, originalPath.length - ownPath.length)
          : '';
    return mount === '' ? '/' : mount;
  };

  /** Whether the request may see the inspector; answers 401/403 itself when not. */
  const allowed = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams): boolean => {
    if (token === undefined) return true;
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') === true ? header.slice(7).trim() : undefined;
    const given = bearer ?? query.get('token') ?? cookieValue(req.headers.cookie, INSPECTOR_COOKIE);
    if (given === undefined || given === null || given === '') {
      sendJson(res, 401, {
        code: 'CC_ERR_TOKEN_MISSING',
        message: 'The inspector needs its token: open it as …/?token=<token>',
      });
      return false;
    }
    if (!safeEqual(given, token)) {
      sendJson(res, 403, { code: 'CC_ERR_TOKEN_INVALID', message: 'Wrong inspector token' });
      return false;
    }
    return true;
  };

  const serve = (req: IncomingMessage, res: ServerResponse, url: string): void => {
    const at = url.indexOf('?');
    const path = at === -1 ? url : url.slice(0, at);
    const query = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
    const method = req.method ?? 'GET';
    if (!allowed(req, res, query)) return;
    const mount = mountOf(req, url);
    if ((path === '/' || path === '') && method === 'GET') {
      const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? url;
      const originalPath = original.split('?')[0] ?? '';
      if (query.has('token') || !originalPath.endsWith('/')) {
        // Into the cookie and out of the address bar (and history); `/_callcontrol` → `/_callcontrol/`.
        const headers: Record<string, string> = {
          ...SECURITY_HEADERS,
          location: mount.endsWith('/') ? mount : `${mount}/`,
        };
        const given = query.get('token');
        if (given !== null && token !== undefined) {
          headers['set-cookie'] =
            `${INSPECTOR_COOKIE}=${encodeURIComponent(given)}; Path=${mount}; HttpOnly; SameSite=Strict`;
        }
        res.writeHead(303, headers);
        res.end();
        return;
      }
      send(res, 200, 'text/html; charset=utf-8', INSPECTOR_HTML);
      return;
    }
    if (path === '/inspector.js' && method === 'GET') {
      send(res, 200, 'text/javascript; charset=utf-8', INSPECTOR_JS);
      return;
    }
    if (path === '/inspector.css' && method === 'GET') {
      send(res, 200, 'text/css; charset=utf-8', INSPECTOR_CSS);
      return;
    }
    if (path === '/api/exchanges' && method === 'GET') {
      sendJson(res, 200, { entries: entries() });
      return;
    }
    if (path === '/api/stream' && method === 'GET') {
      openStream(req, res);
      return;
    }
    const replayMatch = /^\/api\/replay\/(\d{1,15})$/.exec(path);
    if (replayMatch !== null) {
      if (method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendJson(res, 405, {
          code: 'CC_ERR_METHOD_NOT_ALLOWED',
          message: 'Replay is a POST',
        });
        return;
      }
      if (req.headers['x-callcontrol-inspector'] !== '1') {
        sendJson(res, 400, {
          code: 'CC_ERR_REQUEST_MALFORMED',
          message: 'Replay needs the header X-Callcontrol-Inspector: 1',
        });
        return;
      }
      // Nothing to read: a body, if any, is discarded.
      req.resume();
      const id = replayMatch[1] as string;
      void inspector.replay(id, { asRetry: query.get('asRetry') === '1' }).then(
        (entry) => {
          if (entry === undefined) {
            sendJson(res, 404, { message: `No exchange ${id} in the buffer (any more)` });
          } else sendJson(res, 201, { entry });
        },
        () => sendJson(res, 500, { message: 'The replay failed' }),
      );
      return;
    }
    notFound(res);
  };

  const openStream = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // The reconnection delay, then what is buffered (after the last id the client saw).
    const last = Number(req.headers['last-event-id'] ?? '0');
    let frames = 'retry: 2000\n\n';
    for (const entry of entries()) {
      if (Number.isFinite(last) && Number(entry.id) <= last) continue;
      frames += `id: ${entry.id}\nevent: exchange\ndata: ${JSON.stringify(entry)}\n\n`;
    }
    res.write(frames);
    streams.add(res);
    res.on('close', () => {
      streams.delete(res);
      if (streams.size === 0 && heartbeat !== undefined) {
        clearInterval(heartbeat);
        heartbeat = undefined;
      }
    });
    if (heartbeat === undefined) {
      heartbeat = setInterval(() => {
        for (const stream of streams) stream.write(': keep-alive\n\n');
      }, HEARTBEAT_MS);
      heartbeat.unref();
    }
  };

  return inspector;
}
