/**
 * The Fetch-API adapter: a `(Request) => Promise<Response>` handler for runtimes and frameworks
 * that speak the WHATWG Fetch API instead of `node:http` — Next.js route handlers, Hono, Bun,
 * Deno, Cloudflare-style workers.
 *
 * It does what the `node:http` adapter does, with Fetch's types: it checks the headers against
 * the app's `maxHeaderBytes`, reads the raw body from `request.body` (bounded by `bodyLimitBytes`
 * and `bodyTimeoutMs`), converts the request to a `WebhookRequest`, lets the core answer,
 * and builds a `Response` with the reply's headers, a byte-correct `Content-Length` and the same
 * security headers of the `node:http` adapter. The handler never throws or rejects:
 * every failure is answered, with a coded error or the provider's fallback answer.
 *
 * The core uses `Buffer` and `node:crypto`, so the runtime must offer them (Node.js 20+, Bun,
 * Deno, workers with Node.js compatibility such as Cloudflare's `nodejs_compat`).
 *
 * @module
 */
import { CallControlError } from '../core/errors';
import { checkHeaderEntries, readRequestBody } from '../core/limits';
import type { WebhookReply, WebhookRequest } from '../core/types';
import type { AdaptableApp } from './node';
import {
  securityHeadersFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from './security-headers';

/** Options of {@link createFetchHandler} (and `calls.fetch()`). */
export interface FetchHandlerOptions extends SecurityHeadersOptions {
  /**
   * A path prefix removed from the URL's pathname before the app sees it, e.g.
   * `'/api/placetel'`: a request to `/api/placetel/error` reaches the app as `/error`, and one to
   * `/api/placetel` as `/`, so `eventPaths` are written as under Express's `app.use(prefix, …)`.
   * Compared case-sensitively with the URL's percent-encoded pathname, on a segment boundary
   * (`/api/placetel2` is not under `/api/placetel`); a path outside it reaches the app unchanged.
   * A trailing `/` is ignored; `'/'` or `''` strip nothing.
   *
   * Without it the app sees the URL's full pathname (a Fetch handler has no mount path), so
   * `eventPaths` must then include the prefix (`'/api/placetel/error'`).
   */
  readonly basePath?: string | undefined;
  /**
   * The client's IP address for a request (the Fetch API has no socket to read it from), e.g.
   * from the runtime (`server.requestIP(request)` in Bun, `info.remoteAddr` in Deno) or from a
   * header your own trusted proxy sets. It becomes `WebhookRequest.remoteAddress`, which the
   * source allowlist (`allowFrom`) checks. Without this option, or when it returns `undefined`
   * (or `''`), the request has no address and `allowFrom` refuses it with 403
   * `CC_ERR_SOURCE_FORBIDDEN`. Never take the address from a header a client can set itself.
   */
  readonly remoteAddress?: ((request: Request) => string | undefined) | undefined;
}

/**
 * A Fetch-API request handler. It resolves with the provider's answer, a coded error answer, or
 * the fallback answer; it never rejects.
 */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Connection-level headers the runtime owns: `connection: close` of an error reply is dropped
 * (it is invalid in HTTP/2, and the runtime decides what happens to the connection).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** Statuses whose response may carry no body (the `Response` constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Builds the Fetch-API handler for an app. Usually called as `calls.fetch(options)`.
 *
 * The request becomes a `WebhookRequest`: upper-case `method`; `path` is the URL's
 * pathname (percent-encoded as the URL serializes it) with `basePath` removed; `query` the raw
 * query without `?`; `headers` with lower-case names, a repeated header joined with `', '` by
 * the Fetch API's `Headers` (as Node joins them; Node keeps only the first of a few, such as a
 * repeated `Content-Type` or `Authorization`, which here arrive joined and are then refused);
 * `remoteAddress` from the option; `body` the exact bytes of `request.body`; `scheme` and
 * `host` those of `request.url` (as the runtime built it, from the `Host` header for most: the
 * URL parser drops a default port, `:443` for `https`), `originalUrl` its pathname and search
 * (with the `basePath`).
 *
 * Refused before the pipeline, through `app.fail(error, request)` and so reported to `onError`:
 * - 431 `CC_ERR_HEADERS_TOO_LARGE`: more than 100 header names, or names and values together
 *   longer than the app's `maxHeaderBytes` (UTF-8 bytes);
 * - 500 `CC_ERR_CONFIG_BODY_CONSUMED`: `request.bodyUsed` — something read the body before;
 * - 415 `CC_ERR_UNSUPPORTED_MEDIA_TYPE`: a `Content-Encoding` other than `identity`;
 * - 400 `CC_ERR_REQUEST_MALFORMED`: a `Content-Length` that is not a decimal number;
 * - 413 `CC_ERR_BODY_TOO_LARGE`: a `Content-Length` above `bodyLimitBytes` (the body is not
 *   read), or, without one, as soon as the bytes read pass `bodyLimitBytes` (reading stops and
 *   the stream is cancelled);
 * - 408 `CC_ERR_BODY_TIMEOUT`: the whole body did not arrive within `bodyTimeoutMs`
 *   (milliseconds, from the start of reading); the stream is cancelled;
 * - 400 `CC_ERR_BODY_ABORTED`: the stream failed, or its length differs from `Content-Length`;
 * - 400 `CC_ERR_BODY_INVALID`: the stream yielded something that is not bytes.
 *
 * The `Response` carries the reply's status and headers (`content-type`, and `content-length`
 * set from the body's byte length), the security headers of `options.securityHeaders` (default:
 * the API set of `security-headers.ts`, the same as every adapter's; computed once from
 * helmet itself; the reply's own headers win), and not the reply's
 * `connection` header, which belongs to the runtime. Any unexpected failure (a throwing
 * `remoteAddress` option, a broken request object) is answered with `app.fail(error)`.
 *
 * @param app - the app to serve (a `WebhookApp`, or anything with its limits, `handle` and
 *   `fail`)
 * @param options - see {@link FetchHandlerOptions}
 * @returns a handler that resolves with a `Response` and never rejects
 * @throws {TypeError} when `basePath` does not start with `/` or holds `?` or `#`, or when
 *   `remoteAddress` is not a function
 *
 * @example Next.js route handler
 * ```ts
 * // app/api/placetel/[[...path]]/route.ts
 * import { placetel } from 'callcontrol';
 *
 * const calls = placetel.createApp({ secret: process.env.PLACETEL_SECRET });
 * calls.on('IncomingCall', () => placetel.forward({ targets: [{ numbers: ['022129191999'] }] }));
 *
 * export const runtime = 'nodejs';
 * export const POST = calls.fetch({ basePath: '/api/placetel' });
 * ```
 *
 * @example Bun.serve
 * ```ts
 * // with the peer address for `allowFrom`
 * const peers = new WeakMap<Request, string>();
 * const handle = calls.fetch({ remoteAddress: (request) => peers.get(request) });
 * Bun.serve({
 *   port: 3000,
 *   fetch(request, server) {
 *     const peer = server.requestIP(request);
 *     if (peer !== null) peers.set(request, peer.address);
 *     return handle(request);
 *   },
 * });
 * ```
 * `calls.fetch()` builds the handler; the app itself is not one, so pass the handler
 * (`export default { fetch: calls.fetch() }`), never `export default calls`.
 *
 * @example Hono
 * ```ts
 * import { Hono } from 'hono';
 *
 * const handle = calls.fetch({ basePath: '/placetel' });
 * const app = new Hono();
 * // Before any middleware that reads the body (the adapter needs the exact bytes):
 * app.all('/placetel', (c) => handle(c.req.raw));
 * app.all('/placetel/*', (c) => handle(c.req.raw));
 * export default app;
 * ```
 */
export function createFetchHandler(
  app: AdaptableApp,
  options: FetchHandlerOptions = {},
): FetchHandler {
  const basePath = checkBasePath(options.basePath);
  const security = securityHeadersFor(options);
  const remoteAddress = options.remoteAddress;
  if (remoteAddress !== undefined && typeof remoteAddress !== 'function') {
    throw new TypeError('remoteAddress: give a function (request) => string | undefined');
  }
  return async function callcontrolFetch(request: Request): Promise<Response> {
    try {
      return await serve(app, request, basePath, remoteAddress, security);
    } catch (error) {
      return failure(app, error, security);
    }
  };
}

/** The validated `basePath` without trailing slashes; `''` for none. */
function checkBasePath(basePath: string | undefined): string {
  if (basePath === undefined) return '';
  if (typeof basePath !== 'string' || (basePath !== '' && !basePath.startsWith('/'))) {
    throw new TypeError(`basePath: give a path starting with "/", not ${String(basePath)}`);
  }
  if (/[?#]/.test(basePath)) {
    throw new TypeError(`basePath: a path holds no "?" or "#": ${basePath}`);
  }
  return basePath.replace(/\/+$/, '');
}

/** `path` relative to `basePath`, or unchanged when it is not under it. */
function stripBasePath(path: string, basePath: string): string {
  if (basePath === '') return path;
  if (path === basePath) return '/';
  return path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : path;
}

async function serve(
  app: AdaptableApp,
  request: Request,
  basePath: string,
  remoteAddress: FetchHandlerOptions['remoteAddress'],
  security: SecurityHeaders,
): Promise<Response> {
  const url = new URL(request.url);
  const headers = Object.create(null) as Record<string, string | undefined>;
  for (const [name, value] of request.headers) {
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  const address = remoteAddress?.(request);
  const scheme: WebhookRequest['scheme'] =
    url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : undefined;
  const base: Omit<WebhookRequest, 'body'> = {
    method: request.method.toUpperCase(),
    path: stripBasePath(url.pathname, basePath),
    query: url.search.slice(1),
    headers,
    ...(typeof address === 'string' && address !== '' ? { remoteAddress: address } : {}),
    ...(scheme === undefined ? {} : { scheme }),
    ...(url.host === '' ? {} : { host: url.host }),
    originalUrl: `${url.pathname}${url.search}`,
  };

  let body: Buffer;
  try {
    checkHeaderEntries(app, request.headers);
    body = await readBody(app, request, headers);
  } catch (error) {
    discardBody(request);
    return toResponse(app.fail(error, { ...base, body: Buffer.alloc(0) }), security);
  }
  return toResponse(await app.handle({ ...base, body }), security);
}

/** Stops an unread body (ignoring a stream that is locked, read or failed). */
function discardBody(request: Request): void {
  try {
    const stream = request.body;
    if (stream !== null && !stream.locked) stream.cancel().catch(() => undefined);
  } catch {
    // Nothing more to release.
  }
}

/** The body, read within the app's limits (`core/limits.ts`) unless something read it before. */
async function readBody(
  app: AdaptableApp,
  request: Request,
  headers: Readonly<Record<string, string | undefined>>,
): Promise<Buffer> {
  if (request.bodyUsed) {
    throw new CallControlError(
      'CC_ERR_CONFIG_BODY_CONSUMED',
      'The request body was already read (request.bodyUsed). Hand callcontrol the request ' +
        'before anything reads its body.',
      { expose: true },
    );
  }
  return readRequestBody(app, request.body, headers);
}

/** The `Response` for a reply: the security headers, then the reply's own. */
function toResponse(reply: WebhookReply, security: SecurityHeaders): Response {
  const headers = new Headers();
  for (const name in security.set) headers.set(name, security.set[name] as string);
  for (const [name, value] of Object.entries(reply.headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.set(name, value);
  }
  if (NULL_BODY_STATUSES.has(reply.status)) {
    headers.delete('content-length');
    return new Response(null, { status: reply.status, headers });
  }
  headers.set('content-length', String(reply.body.byteLength));
  return new Response(reply.body, { status: reply.status, headers });
}

/** The answer to an unexpected failure; a bare 500 if even that cannot be built. */
function failure(app: AdaptableApp, error: unknown, security: SecurityHeaders): Response {
  try {
    return toResponse(app.fail(error), security);
  } catch {
    return new Response(null, { status: 500 });
  }
}
