/**
 * The adapter contract: what an adapter (`src/adapters/`: `node:http`, Express, Fetch API,
 * Fastify) needs of an app — its limits and the two entry points of the core. A `WebhookApp`
 * is one; adapters depend on this, never on the app's class.
 *
 * @module
 */
import type { WebhookReply, WebhookRequest } from './types';

/** What the adapter needs of an app: its limits and the two entry points of the core. */
export interface AdaptableApp {
  /** Largest body the adapter reads, in bytes; a larger one is answered with 413. */
  readonly bodyLimitBytes: number;
  /** Time the whole body may take to arrive, in milliseconds; a slower one gets 408. */
  readonly bodyTimeoutMs: number;
  /** Largest size of the headers in bytes (names and values); larger ones get 431. */
  readonly maxHeaderBytes: number;
  /** Runs the pipeline for a request whose body was read; never rejects. */
  handle(request: WebhookRequest): Promise<WebhookReply>;
  /** The coded reply for an error met before the pipeline (body too large, aborted…). */
  fail(error: unknown, request?: WebhookRequest): WebhookReply;
}
