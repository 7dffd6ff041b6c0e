/**
 * The Express adapter (Express 4 and 5; any connect-style server works the same way): the
 * `node:http` handler of {@link createNodeHandler} as a middleware. It answers every request
 * that reaches it itself — a coded error or the provider's answer — and never calls `next()`.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNodeHandler, type AdaptableApp } from './node';

export { captureRawBody, type AdaptableApp } from './node';

/** A connect-style middleware, accepted by `express().use()` in Express 4 and 5. */
export type ExpressMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Builds the Express middleware for an app. Usually called as `calls.express()`:
 * `app.use('/placetel', calls.express())`. Body parsers mounted before it: see
 * `captureRawBody`.
 */
export function createExpressMiddleware(app: AdaptableApp): ExpressMiddleware {
  const handle = createNodeHandler(app);
  return function callcontrolExpress(req, res) {
    handle(req, res);
  };
}
