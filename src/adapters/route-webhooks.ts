/**
 * Answering webhook paths in front of another request listener — typically an Express app —
 * so that the webhooks skip the framework's per-request setup.
 *
 * Mounted as a middleware (`app.use('/placetel', calls.express())`), callcontrol runs after
 * Express has prepared the request: Express 5 switches the prototypes of `req` and `res` to
 * its own on every request before any middleware runs, and in the pinned benchmark that alone
 * took Express's per-request cost from ~15 to ~55 µs of server CPU (the objects it touches
 * survive garbage collection far more often; docs/performance.md). Nothing a middleware does can
 * undo it. {@link routeWebhooks} answers the webhook paths before the listener sees them, with
 * the same `node:http` handler `calls.node()` builds, and hands every other request to the
 * listener unchanged.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeHandler } from './node';

/**
 * A request listener: `(req, res) => void`. An Express application is one (`express()` can be
 * passed as it is), and so is any `http.createServer` handler.
 */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** One mount, sorted for matching: its path and handler. */
interface Mount {
  readonly path: string;
  readonly handle: NodeHandler;
}

/**
 * A `node:http` request listener that answers the webhooks of `mounts` itself and passes every
 * other request to `next`:
 *
 * ```ts
 * const app = express(); // the rest of the site, as before
 * http.createServer(routeWebhooks({ '/placetel': calls.node() }, app)).listen(3000);
 * ```
 *
 * A request whose path is a mount's path, or below it (`/placetel`, `/placetel/`,
 * `/placetel/x?y=1`; not `/placetelx`), goes to that mount's handler with `req.url` relative to
 * the mount (`/`, `/x?y=1`) and `req.originalUrl` the URL as received — as Express's
 * `app.use(path, …)` hands them, so signatures over the full URL and the app's public URL work
 * as under Express. The longest matching mount wins. Paths are compared as received
 * (case-sensitive, not percent-decoded). Everything else reaches `next` untouched.
 *
 * @param mounts - mount path → handler (`calls.node()`); each path starts with `/`, has no
 *   trailing `/` (except the root `/` itself), no `?` or `#`
 * @param next - the listener for every other request, e.g. an Express app
 * @throws {TypeError} for a mount path of another form, a handler or `next` that is not a
 *   function, or no mounts
 */
export function routeWebhooks(
  mounts: Readonly<Record<string, NodeHandler>>,
  next: RequestListener,
): NodeHandler {
  if (typeof next !== 'function') {
    throw new TypeError('routeWebhooks: next must be a request listener, e.g. an Express app');
  }
  if (typeof mounts !== 'object' || mounts === null) {
    throw new TypeError('routeWebhooks: mounts must be an object of path → handler');
  }
  const sorted: Mount[] = [];
  for (const [path, handle] of Object.entries(mounts)) {
    if (!/^\/(?:[^?#\s]*[^/?#\s])?$/u.test(path)) {
      throw new TypeError(
        `routeWebhooks: a mount path starts with "/", without a trailing "/", "?", "#" or spaces; got ${JSON.stringify(path)}`,
      );
    }
    if (typeof handle !== 'function') {
      throw new TypeError(
        `routeWebhooks: the handler of ${path} must be a function (calls.node())`,
      );
    }
    sorted.push({ path: path === '/' ? '' : path, handle });
  }
  if (sorted.length === 0) throw new TypeError('routeWebhooks: give at least one mount');
  sorted.sort((a, b) => b.path.length - a.path.length);
  return function callcontrolRouteWebhooks(req, res) {
    const url = req.url ?? '/';
    for (const mount of sorted) {
      if (!url.startsWith(mount.path)) continue;
      const after = url.charCodeAt(mount.path.length);
      // The end of the URL, or its path continuing with "/" or ending at "?".
      if (!(Number.isNaN(after) || after === 0x2f || after === 0x3f)) continue;
      const rest = url.slice(mount.path.length);
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
      mount.handle(req, res);
      return;
    }
    next(req, res);
  };
}
