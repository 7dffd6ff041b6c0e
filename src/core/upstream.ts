/**
 * What provider API clients (Ozeki's command API, Opentact's REST API) share: turning a failed
 * `fetch` into a coded error.
 *
 * @module
 */
import { CallControlError } from './errors';

/** What {@link upstreamFailure} needs to say where a request went. */
export interface UpstreamContext {
  /** The request's abort signal; aborted means the client's timeout passed. */
  readonly signal: AbortSignal;
  /** The start of the message, e.g. `'Ozeki Call'` or `'Opentact POST /call/sca/…'`. */
  readonly where: string;
  /** The host the request went to, without credentials. */
  readonly target: string;
  /** The client's timeout in **milliseconds**, for the message. */
  readonly timeoutMs: number;
  /** Removes secrets from text that may quote them. */
  readonly redact: (text: string) => string;
}

/**
 * The coded error for a `fetch` that failed: `CC_ERR_UPSTREAM_TIMEOUT` when the signal was
 * aborted (the timeout passed), else `CC_ERR_UPSTREAM_UNREACHABLE` with the network error's
 * code (`ECONNREFUSED`…) or message. The original error is the `cause`.
 */
export function upstreamFailure(error: unknown, context: UpstreamContext): CallControlError {
  if (context.signal.aborted) {
    return new CallControlError(
      'CC_ERR_UPSTREAM_TIMEOUT',
      `${context.where}: no complete answer from ${context.target} within ${context.timeoutMs} ms`,
      { cause: error },
    );
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const reason =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.message === 'string'
        ? cause.message
        : error instanceof Error
          ? error.message
          : String(error);
  return new CallControlError(
    'CC_ERR_UPSTREAM_UNREACHABLE',
    context.redact(`${context.where}: cannot reach ${context.target}: ${reason}`),
    { cause: error },
  );
}
