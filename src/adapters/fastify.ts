/**
 * The Fastify adapter: an encapsulated Fastify 5 plugin serving an app under the
 * prefix it is registered with — `fastify.register(calls.fastify(), { prefix: '/placetel' })` —
 * as a thin layer over the `node:http` handler of {@link createNodeHandler}.
 *
 * The plugin's routes (`/` and `/*` under the prefix, every method) take the request out of
 * Fastify's lifecycle in a route-level `preParsing` hook, before Fastify reads a byte of the
 * body: `reply.hijack()`, then the `node:http` handler gets `request.raw` and `reply.raw`. So the
 * answer is exactly what `calls.node()` and `calls.express()` send — the exact body bytes for
 * signature checks, the app's `bodyLimitBytes` and `bodyTimeoutMs` (413 `CC_ERR_BODY_TOO_LARGE`,
 * 408 `CC_ERR_BODY_TIMEOUT` as coded XML, never Fastify's JSON errors), the header limit, a coded
 * 405 for a method the provider does not send, the security headers (`security-headers.ts`), a byte-correct
 * `Content-Length` and `application/xml; charset=utf-8` — and Fastify's own content-type
 * parsers, `bodyLimit` and error handler never see the request.
 *
 * What still runs: the host's `onRequest` hooks, its `preParsing` hooks registered before this
 * plugin, and `onResponse` hooks. What does not: `preValidation`, `preHandler`, `onSend` hooks,
 * and headers set with `reply.header()` (the reply is hijacked). The remote address `allowFrom`
 * checks is the TCP peer's (`request.raw.socket.remoteAddress`), as in the other `node:http`
 * adapters; Fastify's `trustProxy` does not change it.
 *
 * Fastify is an optional peer dependency: this module imports nothing of it, not even its types
 * (the few shapes it uses are declared here), so callcontrol's types never need it.
 *
 * @see https://fastify.dev/docs/latest/Reference/Plugins/
 * @see https://fastify.dev/docs/latest/Reference/Hooks/#preparsing
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNodeHandler, type AdaptableApp } from './node';
import type { SecurityHeadersOptions } from './security-headers';

export type { AdaptableApp } from './node';

/** Fastify's log levels, for {@link FastifyAdapterOptions.logLevel}. */
export type FastifyLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Options of {@link createFastifyPlugin} (and `calls.fastify()`). */
export interface FastifyAdapterOptions extends SecurityHeadersOptions {
  /**
   * Fastify's log level for the plugin's routes (a Fastify route option), e.g. `'warn'` to keep
   * every webhook request out of the `info` log. Default: the instance's.
   */
  readonly logLevel?: FastifyLogLevel | undefined;
}

/**
 * What the plugin uses of a Fastify request: Node's request and the route parameters. Declared
 * here rather than imported, so that callcontrol's types never need the `fastify` package
 * (an optional peer); Fastify 4's and 5's requests fit.
 */
export interface FastifyRequestLike {
  /** Node's request. */
  readonly raw: IncomingMessage;
  /** The route parameters (`'*'`: the wildcard's match). */
  readonly params: unknown;
}

/** What the plugin uses of a Fastify reply (see {@link FastifyRequestLike}). */
export interface FastifyReplyLike {
  /** Node's response. */
  readonly raw: ServerResponse;
  /** Whether the reply went out already. */
  readonly sent: boolean;
  /** Takes the reply out of Fastify's lifecycle. */
  hijack(): unknown;
}

/** The route options the plugin sets: the `preParsing` hook that hands the request on. */
export interface FastifyRouteOptionsLike {
  /** Fastify's `preParsing` route hook: runs before any body parser reads the request. */
  readonly preParsing: (request: FastifyRequestLike, reply: FastifyReplyLike) => void;
  /** The routes' log level, see {@link FastifyAdapterOptions.logLevel}. */
  readonly logLevel?: FastifyLogLevel;
}

/** What the plugin uses of a Fastify instance (see {@link FastifyRequestLike}). */
export interface FastifyInstanceLike {
  /** The prefix the plugin was registered with (`''` without one). */
  readonly prefix: string;
  /** Registers a route for every method. */
  all(
    path: string,
    options: FastifyRouteOptionsLike,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => void,
  ): unknown;
}

/**
 * The plugin {@link createFastifyPlugin} returns, for `fastify.register(plugin, { prefix })`:
 * a callback-style Fastify plugin. Encapsulated: its routes and hook do not leak into the host
 * instance.
 */
export type CallControlFastifyPlugin = (
  instance: FastifyInstanceLike,
  options: unknown,
  done: (error?: Error) => void,
) => void;

/**
 * Builds the Fastify plugin for an app. Usually called as `calls.fastify()`:
 *
 * ```ts
 * await fastify.register(calls.fastify(), { prefix: '/placetel' });
 * ```
 *
 * The plugin serves the prefix and every path below it (`/placetel`, `/placetel/`,
 * `/placetel/error`…) with every method Fastify supports; the app sees the path relative to the
 * prefix (`/`, `/error`), the raw query string, the exact body bytes and the TCP peer address.
 * Registered without a prefix it serves every path of the instance that no other route takes.
 * Every request that reaches it is answered by the app — the provider's answer, its fallback, or
 * a coded error — never by Fastify's error handler.
 *
 * @param app - the app to serve (a provider app, or any {@link AdaptableApp})
 * @param options - see {@link FastifyAdapterOptions}
 * @returns an encapsulated Fastify plugin (callback style; registers `/` and `/*` under the
 *   prefix). Building it throws nothing; registering it twice under one prefix makes Fastify
 *   reject the second with `FST_ERR_DUPLICATED_ROUTE`.
 */
export function createFastifyPlugin(
  app: AdaptableApp,
  options: FastifyAdapterOptions = {},
): CallControlFastifyPlugin {
  const handle = createNodeHandler(
    app,
    options.securityHeaders === undefined
      ? undefined
      : { securityHeaders: options.securityHeaders },
  );
  return function callcontrolFastify(instance, _pluginOptions, done) {
    const prefix = instance.prefix.endsWith('/') ? instance.prefix.slice(0, -1) : instance.prefix;

    /** Leaves Fastify's lifecycle and lets the `node:http` handler answer. */
    function delegate(request: FastifyRequestLike, reply: FastifyReplyLike): void {
      if (reply.sent) return;
      reply.hijack();
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      const url = raw.url ?? '/';
      // The target from the server root, for `WebhookRequest.originalUrl` (as Express keeps it;
      // Fastify's own `request.originalUrl` reads the same property).
      raw.originalUrl ??= url;
      // The node handler reads `req.url` synchronously when called (as under Express's
      // `app.use(prefix, …)`, which rewrites `req.url` the same way); hooks running later see
      // the original URL again.
      raw.url = relativeUrl(url, prefix, request.params);
      try {
        handle(raw, reply.raw);
      } finally {
        raw.url = url;
      }
    }

    const preParsing = function callcontrolPreParsing(
      request: FastifyRequestLike,
      reply: FastifyReplyLike,
    ): void {
      // Neither `done` nor the payload: the hijacked request never reaches Fastify's parsers.
      delegate(request, reply);
    };
    const routeOptions: FastifyRouteOptionsLike = {
      preParsing,
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    };
    instance.all('/', routeOptions, delegate);
    instance.all('/*', routeOptions, delegate);
    done();
  };
}

/**
 * `url` (path and query) relative to `prefix`: `/placetel/error?a=1` under `/placetel` is
 * `/error?a=1`, `/placetel` is `/`. The prefix is compared case-insensitively (Fastify may route
 * case-insensitively); a URL that does not start with it (a `rewriteUrl`, duplicate slashes) is
 * rebuilt from the route's wildcard parameter.
 */
function relativeUrl(url: string, prefix: string, params: unknown): string {
  if (prefix === '') return url;
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  if (path.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) {
    const rest = path.slice(prefix.length);
    if (rest === '') return `/${query}`;
    if (rest.startsWith('/')) return `${rest}${query}`;
  }
  const wildcard = (params as Record<string, unknown> | undefined)?.['*'];
  return `/${typeof wildcard === 'string' ? wildcard : ''}${query}`;
}
