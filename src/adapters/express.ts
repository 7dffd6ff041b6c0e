/**
 * The Express adapter (Express 4 and 5; any connect-style server works the same way): the
 * `node:http` handler of {@link createNodeHandler} as a middleware. It answers every request
 * that reaches it itself — a coded error or the provider's answer — and never calls `next()`.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  captureRawBody,
  createNodeHandler,
  createParserErrorAnswer,
  type AdaptableApp,
  type NodeHandlerOptions,
} from './node';

export { captureRawBody, type AdaptableApp } from './node';

/** A connect-style middleware, accepted by `express().use()` in Express 4 and 5. */
export type ExpressMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** A connect-style error middleware (four parameters), accepted by `express().use()`. */
export type ExpressErrorMiddleware = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** What {@link bodyParserOptions} gives: options of body-parser's parsers. */
export interface BodyParserOptions {
  /** Largest body the parser reads, in **bytes**: the app's `bodyLimitBytes`. */
  readonly limit: number;
  /** `false`: a body with a `Content-Encoding` is refused (415), never decompressed. */
  readonly inflate: false;
  /** Keeps the exact body bytes on `req.rawBody` ({@link captureRawBody}). */
  readonly verify: typeof captureRawBody;
}

/**
 * The options that make a body parser mounted in front of callcontrol keep callcontrol's rules,
 * for body-parser's parsers (`express.json`, `express.urlencoded`, `express.text`,
 * `express.raw`, and `bodyParser.*` in Express 4): `limit` = the app's `bodyLimitBytes`,
 * `inflate: false` (an encoded body is refused with 415, as callcontrol refuses it — it would
 * otherwise be decompressed, and the bytes checked would not be the bytes sent) and
 * `verify: captureRawBody` (the signature is checked over the exact bytes). Spread them after
 * your own options; they apply to every request the parser reads, other routes too. Mount
 * {@link createExpressErrorHandler} behind callcontrol's middleware, so that what the parser
 * refuses is answered as callcontrol answers it.
 *
 * Whatever the parser's options, the adapter applies `bodyLimitBytes` (413) and refuses a
 * `Content-Encoding` (415) on the raw bytes a parser kept. The one limit a parser in front
 * cannot keep is `bodyTimeoutMs`: body-parser has no timeout (Node's `server.requestTimeout`
 * bounds it, 300 s by default) — mount callcontrol before the parsers where you can.
 *
 * @example
 * ```ts
 * app.use(express.json(bodyParserOptions(calls)));
 * app.use(express.urlencoded({ extended: false, ...bodyParserOptions(calls) }));
 * app.use('/placetel', calls.express(), createExpressErrorHandler(calls));
 * ```
 */
export function bodyParserOptions(app: Pick<AdaptableApp, 'bodyLimitBytes'>): BodyParserOptions {
  return { limit: app.bodyLimitBytes, inflate: false, verify: captureRawBody };
}

/**
 * An Express error middleware for callcontrol's mount path, behind its middleware:
 * `app.use('/placetel', calls.express(), createExpressErrorHandler(calls))`. It answers the
 * errors of a body parser mounted in front (body-parser's: errors with a `type` such as
 * `entity.too.large`) as the adapter answers a body it reads itself — coded XML errors with
 * callcontrol's status and security headers, never Express's HTML error page or a stack trace:
 *
 * - the parser kept the bytes (`verify: captureRawBody`) but could not parse them (broken JSON,
 *   too many fields…), or refused their charset before reading: the request goes through the
 *   whole pipeline over the raw bytes, and gets what it gets without a parser in front (403 for
 *   a bad signature, 415, 400 `CC_ERR_BODY_INVALID`…);
 * - larger than the parser's `limit`: 413 `CC_ERR_BODY_TOO_LARGE`;
 * - a `Content-Encoding` with `inflate: false`: 415 `CC_ERR_UNSUPPORTED_MEDIA_TYPE`;
 * - the client went away: 400 `CC_ERR_BODY_ABORTED`; anything else of the parser: 400
 *   `CC_ERR_BODY_INVALID`.
 *
 * Each is reported to `onError` and the logger like the adapter's own. Other errors — your
 * middleware's, anything without body-parser's `type` — go on with `next(error)`, as do errors
 * on other paths (Express calls it only for its mount path).
 */
export function createExpressErrorHandler(
  app: AdaptableApp,
  options?: NodeHandlerOptions,
): ExpressErrorMiddleware {
  const answer = createParserErrorAnswer(app, options);
  return function callcontrolExpressErrors(error, req, res, next) {
    let answered: boolean;
    try {
      answered = answer(error, req, res);
    } catch (failure) {
      next(failure);
      return;
    }
    if (!answered) next(error);
  };
}

/**
 * Builds the Express middleware for an app. Usually called as `calls.express()`:
 * `app.use('/placetel', calls.express())`. Body parsers mounted before it: see
 * {@link bodyParserOptions} and {@link createExpressErrorHandler}.
 *
 * @param options - `securityHeaders`: helmet's options or `false` (see `security-headers.ts`)
 * @throws {TypeError} for `securityHeaders` options helmet refuses
 */
export function createExpressMiddleware(
  app: AdaptableApp,
  options?: NodeHandlerOptions,
): ExpressMiddleware {
  const handle = createNodeHandler(app, options);
  return function callcontrolExpress(req, res) {
    handle(req, res);
  };
}
