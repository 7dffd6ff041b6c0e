/**
 * The app users get from a provider's `createApp`: the core's {@link WebhookApp} plus the
 * adapter methods `express()`, `node()`, `fetch()` and `fastify()`.
 *
 * The core (`src/core/`) imports no adapter: its `WebhookApp` is the router and the pipeline,
 * and adapters serve anything with the adapter contract (`AdaptableApp`, `core/adapter.ts`). This layer
 * above both adds the one-line mounts, so that `calls.express()` and friends stay. See
 * `docs/architecture.md`, "The core imports no adapter".
 *
 * @module
 */
import { WebhookApp, type EventMap } from '../core/app';
import type { WebhookAppOptions } from '../core/options';
import type { ProviderDefinition } from '../core/provider';
import type { WebhookEvent } from '../core/types';
import { createExpressMiddleware, type ExpressMiddleware } from './express';
import type { SecurityHeadersOptions } from './security-headers';
import {
  createFastifyPlugin,
  type CallControlFastifyPlugin,
  type FastifyAdapterOptions,
} from './fastify';
import { createFetchHandler, type FetchHandler, type FetchHandlerOptions } from './fetch';
import { createNodeHandler, type NodeHandler } from './node';

/**
 * A webhook app for one provider with its adapters: register handlers (`on`, `onAny`,
 * `onError`), then mount it with `express()`, `node()`, `fetch()` or `fastify()`. Every
 * provider's `createApp` returns one; `callcontrol` exports it also as `WebhookApp`.
 *
 * @typeParam M - the provider's event map
 * @typeParam TEvent - every event the provider may deliver (known and unknown names)
 * @typeParam TAnswer - the provider's answer type
 */
export class CallControlApp<
  M extends EventMap,
  TEvent extends WebhookEvent,
  TAnswer,
> extends WebhookApp<M, TEvent, TAnswer> {
  /**
   * An Express (4 or 5) middleware serving this app: `app.use('/placetel', calls.express())`.
   * It reads the raw body itself; see {@link createExpressMiddleware} for body parsers mounted
   * before it. `options.securityHeaders`: helmet's options for the answers' security headers,
   * or `false` for none (default: the API set, see `API_HELMET_OPTIONS`).
   *
   * @throws {TypeError} for `securityHeaders` options helmet refuses
   */
  express(options?: SecurityHeadersOptions): ExpressMiddleware {
    return createExpressMiddleware(this, options);
  }

  /**
   * A `node:http` handler serving this app on every path of a server:
   * `http.createServer(calls.node()).listen(3000)`. `options.securityHeaders`: as for
   * {@link express}.
   *
   * @throws {TypeError} for `securityHeaders` options helmet refuses
   */
  node(options?: SecurityHeadersOptions): NodeHandler {
    return createNodeHandler(this, options);
  }

  /**
   * A Fetch-API handler `(Request) => Promise<Response>` serving this app, for Next.js route
   * handlers, Hono, Bun, Deno and workers: `export const POST = calls.fetch({ basePath:
   * '/api/placetel' })`. The app sees the URL's full path unless `basePath` strips it, and has
   * a peer address for `allowFrom` only through `remoteAddress`; see {@link createFetchHandler}.
   */
  fetch(options?: FetchHandlerOptions): FetchHandler {
    return createFetchHandler(this, options);
  }

  /**
   * An encapsulated Fastify plugin serving this app under the prefix it is registered with:
   * `fastify.register(calls.fastify(), { prefix: '/placetel' })`. The app sees paths relative to
   * the prefix and the exact body bytes; Fastify's parsers and error format never see the
   * request. See {@link createFastifyPlugin}.
   */
  fastify(options?: FastifyAdapterOptions): CallControlFastifyPlugin {
    return createFastifyPlugin(this, options);
  }
}

/**
 * Creates a {@link CallControlApp} for a provider definition: the core's `createWebhookApp`
 * with the adapter methods. Providers wrap this in their own `createApp` that turns provider
 * options (secrets…) into authenticators.
 *
 * @throws {TypeError} for invalid options, see {@link WebhookApp}
 */
export function createCallControlApp<M extends EventMap, TEvent extends WebhookEvent, TAnswer>(
  provider: ProviderDefinition<TEvent, TAnswer>,
  options: WebhookAppOptions<TAnswer> = {},
): CallControlApp<M, TEvent, TAnswer> {
  return new CallControlApp<M, TEvent, TAnswer>(provider, options);
}
