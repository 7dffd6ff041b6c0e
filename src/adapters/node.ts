/**
 * The `node:http` adapter: a `(req, res) => void` handler for `http.createServer`, and the
 * ground of the Express adapter (Express hands its middleware the same `req` and `res`).
 *
 * It reads the raw body itself (bounded by the app's `bodyLimitBytes`), converts the request to
 * a {@link WebhookRequest}, lets the core answer, applies the security headers (`security-headers.ts`) and writes
 * the reply with a byte-correct `Content-Length`. It never calls `next()` with an error: every
 * failure is answered here, with a coded error or the provider's fallback answer.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallControlError } from '../core/errors';
import { rawBodyFailure } from '../core/bounded-read';
import { bodyReadError, checkKeptBody, checkRawHeaders, readRequestBody } from '../core/limits';
import type { AdaptableApp } from '../core/adapter';
import type { WebhookReply, WebhookRequest } from '../core/types';
import {
  DEFAULT_SECURITY_HEADERS,
  securityHeadersFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from './security-headers';

export type { AdaptableApp } from '../core/adapter';

/** A `node:http` request handler: `http.createServer(calls.node())`. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The request as body-parser leaves it: `rawBody` is what {@link captureRawBody} stores. */
interface ParsedRequest extends IncomingMessage {
  rawBody?: unknown;
  _body?: unknown;
  originalUrl?: string;
}

/**
 * A body-parser `verify` hook that keeps the exact body bytes on `req.rawBody`, so callcontrol
 * can verify signatures when the host app parses bodies before callcontrol's middleware. The
 * adapter then applies the app's limits to them: a body over `bodyLimitBytes` gets 413, one
 * with a `Content-Encoding` (which the parser decompressed) 415. Use it through
 * `bodyParserOptions` (`callcontrol/express`), which also sets the parser's `limit` and
 * `inflate: false`, with `createExpressErrorHandler` behind the middleware for the parser's
 * own errors.
 *
 * @example
 * ```ts
 * app.use(express.urlencoded({ extended: false, ...bodyParserOptions(calls) }));
 * app.use('/placetel', calls.express(), createExpressErrorHandler(calls));
 * ```
 */
export function captureRawBody(req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  (req as ParsedRequest).rawBody = Buffer.from(buf);
}

/** Options of {@link createNodeHandler} (and `calls.node()`, `calls.express()`). */
export type NodeHandlerOptions = SecurityHeadersOptions;

/**
 * The security headers the adapter sets by default (the API set of
 * `API_HELMET_OPTIONS`), and the ones it removes, recorded once: see `security-headers.ts`.
 */
export const SECURITY_HEADERS: SecurityHeaders = DEFAULT_SECURITY_HEADERS;

/**
 * Builds the `node:http` handler for an app. Usually called as `calls.node()`:
 * `http.createServer(calls.node()).listen(3000)`. Every path of the server is the app's;
 * mount it behind your own routing for more (or use `calls.express()`).
 *
 * When another body parser ran first: if it kept the raw bytes (see {@link captureRawBody}),
 * they are used; otherwise the request is answered at once with `CC_ERR_CONFIG_BODY_CONSUMED`
 * (500) — it neither waits for a body that will never come nor verifies a re-encoded one.
 *
 * @param options - `securityHeaders`: helmet's options or `false` (see `security-headers.ts`)
 * @throws {TypeError} for `securityHeaders` options helmet refuses
 */
export function createNodeHandler(app: AdaptableApp, options?: NodeHandlerOptions): NodeHandler {
  const security = securityHeadersFor(options);
  return function callcontrolNode(req, res) {
    serve(app, req as ParsedRequest, res, security).catch((error: unknown) => {
      // serve() answers every failure itself; this only guards against a broken socket.
      if (!res.headersSent) send(res, app.fail(error), security);
      else res.destroy();
    });
  };
}

/**
 * Node's request headers as strings: the object itself unless a header came as a list (only
 * `set-cookie` does), then a copy with the list joined by ', '.
 */
function plainHeaders(
  headers: IncomingMessage['headers'],
): Readonly<Record<string, string | undefined>> {
  for (const name in headers) {
    if (Array.isArray(headers[name])) {
      const joined: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(headers)) {
        joined[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      return joined;
    }
  }
  return headers as Readonly<Record<string, string | undefined>>;
}

/**
 * The request without its body, as the core sees it: `scheme` `'https'` over a TLS socket
 * (`socket.encrypted`), else `'http'`; `host` the `Host` header (`:authority` under HTTP/2);
 * `originalUrl` Express's (and connect's) `req.originalUrl`, else `req.url` — the target from
 * the server root, where `path` is below the mount.
 */
function requestBase(req: ParsedRequest): Omit<WebhookRequest, 'body'> {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const headers = plainHeaders(req.headers);
  const host = headers['host'] ?? headers[':authority'];
  const originalUrl = typeof req.originalUrl === 'string' ? req.originalUrl : url;
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    query: queryAt === -1 ? '' : url.slice(queryAt + 1),
    headers,
    ...(req.socket?.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress }),
    scheme:
      (req.socket as { encrypted?: unknown } | undefined)?.encrypted === true ? 'https' : 'http',
    ...(host === undefined || host === '' ? {} : { host }),
    originalUrl,
  };
}

async function serve(
  app: AdaptableApp,
  req: ParsedRequest,
  res: ServerResponse,
  security: SecurityHeaders,
): Promise<void> {
  const base = requestBase(req);
  let body: Buffer;
  try {
    checkRawHeaders(app, req.rawHeaders);
    body = await readBody(app, req);
  } catch (error) {
    send(res, app.fail(error, { ...base, body: Buffer.alloc(0) }), security);
    return;
  }
  const reply = await app.handle({ ...base, body });
  send(res, reply, security);
}

/**
 * The body: the bytes a body parser in front kept (with the same limits), else read here
 * within the app's limits (`core/limits.ts`).
 */
async function readBody(app: AdaptableApp, req: ParsedRequest): Promise<Buffer> {
  const kept = Buffer.isBuffer(req.rawBody)
    ? req.rawBody
    : typeof req.rawBody === 'string'
      ? Buffer.from(req.rawBody, 'utf8')
      : undefined;
  // What a body parser in front kept: the same limits as a body read here. An encoded body
  // was decompressed by the parser, so the bytes are not what the sender signed.
  if (kept !== undefined) return checkKeptBody(app, kept, req.headers);
  if (req._body === true || req.readableEnded) {
    throw new CallControlError(
      'CC_ERR_CONFIG_BODY_CONSUMED',
      'The request body was already read by another body parser that kept no raw body. Mount ' +
        'callcontrol before body parsers, or give the parser `verify: captureRawBody`.',
      { expose: true },
    );
  }
  return readRequestBody(app, req, req.headers);
}

/** What body-parser (Express's `express.json`, `express.urlencoded`…) puts on its errors. */
interface ParserError {
  readonly type: string;
  readonly encoding?: unknown;
}

/** Whether `error` is one of body-parser's (an http-errors error with a string `type`). */
function isParserError(error: unknown): error is ParserError {
  return (
    error instanceof Error &&
    typeof (error as { type?: unknown }).type === 'string' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

/**
 * A `(error, req, res)` function that answers a body parser's error the way the adapter answers
 * a body it reads itself, and returns `false` for any other error (the caller passes it on):
 *
 * - the body was kept (`verify: captureRawBody`) but did not parse (`entity.parse.failed`,
 *   too many parameters…), or the parser refused its charset before reading it
 *   (`charset.unsupported`): the request goes through the whole pipeline over the raw bytes,
 *   so it gets what it would get without the parser (403 for a bad signature, 415, 400…);
 * - `entity.too.large`: 413 `CC_ERR_BODY_TOO_LARGE`; `encoding.unsupported` (an encoded body
 *   with `inflate: false`): 415 `CC_ERR_UNSUPPORTED_MEDIA_TYPE`; `request.aborted` and
 *   `request.size.invalid`: 400 `CC_ERR_BODY_ABORTED`; any other: 400 `CC_ERR_BODY_INVALID`.
 *
 * Each answer is a coded XML error with the security headers, reported to `onError` (the
 * parser's error is not its `cause`: it may carry the body); never an HTML page or a stack.
 */
export function createParserErrorAnswer(
  app: AdaptableApp,
  options?: NodeHandlerOptions,
): (error: unknown, req: IncomingMessage, res: ServerResponse) => boolean {
  const security = securityHeadersFor(options);
  const handle = createNodeHandler(app, options);
  return function answerParserError(error, req, res) {
    if (!isParserError(error)) return false;
    const parsed = req as ParsedRequest;
    const untouched =
      error.type === 'charset.unsupported' && parsed._body !== true && !req.readableEnded;
    if (Buffer.isBuffer(parsed.rawBody) || untouched) {
      handle(req, res);
      return true;
    }
    let coded: CallControlError;
    // raw-body's own failures (too large, aborted, short…): coded as a body read here is.
    const failure = rawBodyFailure(error, app.bodyLimitBytes, { keepCause: false });
    if (failure !== undefined) {
      coded = bodyReadError(failure, app);
    } else if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
      const encoding = req.headers['content-encoding'];
      coded = new CallControlError(
        'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
        error.type === 'encoding.unsupported' && encoding !== undefined
          ? `Content-Encoding ${encoding.toLowerCase()} is not accepted`
          : 'The charset of the body is not accepted; expected utf-8',
      );
    } else {
      coded = new CallControlError('CC_ERR_BODY_INVALID', 'The body could not be read');
    }
    // Whatever is left of the body is read off and dropped; the reply closes the connection.
    if (!req.readableEnded) req.resume();
    send(res, app.fail(coded, { ...requestBase(req), body: Buffer.alloc(0) }), security);
    return true;
  };
}

function send(res: ServerResponse, reply: WebhookReply, security: SecurityHeaders): void {
  if (res.headersSent || res.writableEnded) return;
  // Express 4 and 5 set `X-Powered-By` via res.setHeader before our middleware runs; helmet's
  // list removes it. ETag is never generated: the reply is written directly, not through
  // res.send. One writeHead with every header is cheaper than a setHeader call each.
  for (const name of security.removed) res.removeHeader(name);
  res.writeHead(reply.status, { ...security.set, ...reply.headers });
  // A string body goes out with the header in one write; a Buffer would take a second one.
  if (reply.text !== undefined) res.end(reply.text, 'utf8');
  else res.end(reply.body);
}
