/**
 * The app's options: what every provider's `createApp` accepts besides its security options
 * ({@link CommonAppOptions}), what the core's {@link WebhookAppOptions} adds, their defaults,
 * and {@link commonAppOptions}, which passes the common ones through to the core.
 *
 * @module
 */
import type { CommonSecurityOptions } from './auth';
import type { CallControlLogger } from './log';
import type { RecordOptions } from './record';
import type { CallStore } from './store';
import type { Authenticator } from './types';

/** Default request body limit: 64 KiB (provider webhooks are well under 2 KiB). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** Default answer deadline when the provider names none: 5000 ms. */
export const DEFAULT_TIMEOUT_MS = 5000;

/** Default time a handled delivery is remembered to answer its repetitions: 120000 ms. */
export const DEFAULT_DUPLICATE_TTL_MS = 120_000;

/** Default life of a call's session after its last write: 7200000 ms (2 h). */
export const DEFAULT_SESSION_TTL_MS = 7_200_000;

/** Default life of a call's session once the call ended (late events, retries): 60000 ms. */
export const DEFAULT_ENDED_SESSION_TTL_MS = 60_000;

/** Default time the whole request body may take to arrive: 10000 ms. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Default limit of the request's header bytes (names and values): 8192. */
export const DEFAULT_MAX_HEADER_BYTES = 8192;

/** Options of one event, see {@link WebhookAppOptions.events}. */
export interface EventOptions<TAnswer> {
  /** This event's answer deadline in **milliseconds**. */
  readonly timeoutMs?: number | undefined;
  /** This event's fallback answer (when its handler throws, fails or misses the deadline). */
  readonly fallback?: TAnswer | undefined;
}

/** How repeated deliveries are handled, see {@link WebhookAppOptions.duplicates}. */
export interface DuplicateOptions {
  /**
   * How long a handled delivery is remembered, in **milliseconds**: a repetition within it gets
   * the stored reply. Default {@link DEFAULT_DUPLICATE_TTL_MS}.
   */
  readonly ttlMs?: number | undefined;
}

/**
 * The options every provider's `createApp` accepts besides its security options: fallback,
 * limits, deadlines, duplicate detection, store and sessions.
 *
 * @typeParam TAnswer - the provider's answer type
 * @typeParam TName - the provider's event names (for `events`)
 */
export interface CommonAppOptions<TAnswer, TName extends string> {
  /**
   * The answer sent when a handler throws, returns something that is not an answer, or misses
   * its deadline. Default: the provider's neutral answer.
   */
  readonly fallback?: TAnswer | undefined;
  /** Largest accepted request body in bytes; larger ones get 413. Default 65536 (64 KiB). */
  readonly bodyLimitBytes?: number | undefined;
  /**
   * The answer deadline in **milliseconds**, from the moment the request's body was read: when a
   * handler has not returned by then, the fallback answer goes out at once, the late result is
   * discarded and `onError` gets `CC_ERR_HANDLER_TIMEOUT`. Default: the provider's (see its
   * `createApp`), else {@link DEFAULT_TIMEOUT_MS}.
   *
   * The deadline is a timer, and no timer runs while synchronous code holds the event loop:
   * nothing can interrupt it. A handler that blocks the loop for 4 s (a busy loop, a sync `fs`
   * call, a huge `JSON.parse`) is answered when it returns, at 4 s, with its own answer, and
   * every other request of the process waits behind it. Such a reply — ready more than
   * `LATE_AFTER_MS` (50 ms) after its deadline — is counted as late: the `logger`'s request line
   * says `late: true` (at `warn`), else one stderr line (see `stderr`). Keep handlers
   * asynchronous; heavy work belongs in a worker thread.
   */
  readonly timeoutMs?: number | undefined;
  /** Per event name: its own deadline and fallback, e.g. `{ IncomingCall: { timeoutMs: 2000 } }`. */
  readonly events?: Readonly<Partial<Record<TName, EventOptions<TAnswer>>>> | undefined;
  /**
   * Repeated deliveries run the handler once: concurrent repetitions wait for the first, later
   * ones within `ttlMs` get its stored reply. A delivery is the same provider, event, call id
   * and body — and, for providers that do not sign the body alone, method, path and query (the
   * URL token left out). Placetel signs only the body, so a captured request sent again with
   * `?x=1` or to another path under the mount is the same delivery, never a new one.
   *
   * With it, an app also refuses replays of the events a call has once (Placetel
   * `IncomingCall`, `OutgoingCall`, `HungUp`): it remembers for `sessionTtlMs` (at least
   * `ttlMs`) which of them each call was answered for and whether the call ended, and a new
   * delivery of one for a call that had it or has ended — an identical request after `ttlMs`,
   * an `IncomingCall` after the call hung up — gets 409 `CC_ERR_EVENT_REPLAYED`, its handler
   * not run. One store read per such delivery (beside the claim) and one write once it was
   * answered; a delivery answered with the fallback is not remembered, so its retry runs. See
   * `docs/security.md`, "Replay protection per provider".
   *
   * On by default; `false` turns both off. Not for events without a call id, nor for the events
   * a provider declares repeatable (digits typed again, an IVR that loops): their identical
   * repetition can be a new event.
   */
  readonly duplicates?: DuplicateOptions | false | undefined;
  /**
   * Where deliveries and sessions are kept. Default: a `MemoryStore` of this app. Give a
   * `RedisStore` when several instances serve one provider.
   */
  readonly store?: CallStore | undefined;
  /** Life of a call's session after its last write, in **milliseconds**. Default 2 h. */
  readonly sessionTtlMs?: number | undefined;
  /** Life of a call's session once its call ended, in **milliseconds**. Default 60 s. */
  readonly endedSessionTtlMs?: number | undefined;
  /**
   * Time the whole request body may take to arrive, in **milliseconds** (a slower sender gets
   * 408 `CC_ERR_BODY_TIMEOUT`). Default {@link DEFAULT_BODY_TIMEOUT_MS}.
   */
  readonly bodyTimeoutMs?: number | undefined;
  /**
   * Largest size of the request's headers in bytes, names and values (431
   * `CC_ERR_HEADERS_TOO_LARGE` above). Default {@link DEFAULT_MAX_HEADER_BYTES}; Node's own
   * limit (16 KiB by default) applies before it.
   */
  readonly maxHeaderBytes?: number | undefined;
  /**
   * Whether problems are written to stderr when nobody else hears of them. Without a `logger`
   * and without `onError` handlers, every request refused (4xx), every fallback answer and
   * every other error (a failed store, a failed `onAny` observer) writes one line to stderr;
   * so does, without a `logger`, every handler of an answered event that returned `undefined`
   * (no error, so `onError` does not get it). At most 10 lines a second per app, then one line
   * counting the lines suppressed:
   *
   * `[callcontrol] provider=placetel event=- outcome=refused status=403
   * code=CC_ERR_SIGNATURE_INVALID message="The X-PLACETEL-SIGNATURE does not match the body
   * under any configured secret"`
   *
   * Lines name the provider, event, outcome, status, error code and message; never a secret,
   * token, signature, password or request body. With a `logger`, the same goes to the logger
   * instead; with `onError`, errors go to the handlers. `false` turns the lines off (e.g. in
   * tests that send bad requests on purpose); errors then reach only `onError` and `logger`.
   * Default `true`.
   */
  readonly stderr?: boolean | undefined;
  /**
   * A pino-compatible logger (`info`/`warn`/`error` taking `(object, message)`): every request
   * gets one line `callcontrol request` with provider, event, call id, method, path, status,
   * outcome (`handled`, `fallback`, `duplicate`, `refused`), error code and duration in
   * milliseconds — `info` when answered as intended, `warn` for 4xx and fallbacks, `error` for
   * 5xx. Without `onError` handlers, 5xx-class errors go to `logger.error` (with `err`) instead
   * of stderr (see `stderr`), and an answered-event handler that returned `undefined` gets a
   * `logger.warn` line. Default: none (no request lines). See {@link CallControlLogger}.
   */
  readonly logger?: CallControlLogger | undefined;
  /**
   * The public URL of the mount point, as the provider calls it, e.g.
   * `'https://example.com/hooks/twilio'`: an absolute `http:`/`https:` URL without query,
   * fragment or credentials (else `createApp` throws a `TypeError`). The mount point is what
   * the app sees as path `/`: the prefix of `app.use(prefix, calls.express())` or of
   * Fastify's `register(…, { prefix })`, the `basePath` of `calls.fetch()`, the server root for
   * `calls.node()`. A request's public URL (what URL-signing providers sign, see
   * `requestPublicUrl`) is then this URL, the path below the mount and the query as received.
   * Default: none — the URL is made from the request's scheme and `Host`, and from a proxy's
   * `Forwarded` / `X-Forwarded-Proto` / `X-Forwarded-Host` only when the peer is in
   * `trustProxy`. Give it behind proxies you cannot list, and whenever the app is reached
   * under another URL than the one the provider calls.
   */
  readonly publicUrl?: string | undefined;
  /**
   * Record every request the app receives, with its answer, to `record.file`: one JSON object a
   * line (`RecordedExchange`: method, path, query, headers, body as UTF-8 text or base64,
   * `receivedAt`, provider, and the reply's status, headers, body, outcome and code), with
   * `Authorization`, `Proxy-Authorization`, `Cookie`, every signature header and URL tokens
   * replaced by `[redacted]`. Lines are appended after the reply went out; the file stops
   * growing at `record.maxBytes` bytes (default 10 MiB). A failing write never changes an
   * answer: it is reported once as `CC_ERR_RECORD_FAILED` (to `onError`, else the logger or
   * stderr) and recording stops. `callcontrol replay` sends a recording again. Default: off.
   */
  readonly record?: RecordOptions | undefined;
}

/** Options of {@link createWebhookApp}: the {@link CommonAppOptions}, plus what providers set. */
export interface WebhookAppOptions<TAnswer> extends CommonAppOptions<TAnswer, string> {
  /**
   * Checks run in order before parsing; each throws to refuse the request. At least one is
   * required unless `allowUnauthenticated` is `true`.
   */
  readonly authenticators?: readonly Authenticator[];
  /**
   * `true`: accept an app without `authenticators`, whose requests nobody checks — for local
   * development and tests only. See {@link CommonSecurityOptions.allowUnauthenticated}.
   */
  readonly allowUnauthenticated?: boolean | undefined;
  /**
   * Which event a path receives, for providers that call one URL per event without naming the
   * event in the request (VoipNow's Call Events, Ozeki's `ErrorUrl`/`FinishedUrl`): paths
   * relative to where the app is mounted, e.g. `{ '/finished': 'CallFinished' }`. A trailing
   * `/` does not matter. When a request names its event itself, the provider decides which
   * wins (see its `parse`).
   */
  readonly eventPaths?: Readonly<Record<string, string>> | undefined;
  /**
   * Addresses and CIDR ranges of the reverse proxies in front of the app, see
   * {@link CommonSecurityOptions.trustProxy}: only when the TCP peer is one of them are
   * `X-Forwarded-For` (for `allowFrom`), and `Forwarded`, `X-Forwarded-Proto`,
   * `X-Forwarded-Host` (for the request's public URL) read. Default: none.
   *
   * @throws {TypeError} (from the app's constructor) for an entry that is not an address or range
   */
  readonly trustProxy?: readonly string[] | undefined;
}

/**
 * The name of every option of {@link CommonAppOptions}, which {@link commonAppOptions} passes
 * to the core. The compiler keeps it complete: an option added to `CommonAppOptions` and not
 * here (or named here and not there) is a type error, so no option is silently dropped.
 */
const COMMON_APP_OPTIONS = {
  fallback: true,
  bodyLimitBytes: true,
  timeoutMs: true,
  events: true,
  duplicates: true,
  store: true,
  sessionTtlMs: true,
  endedSessionTtlMs: true,
  bodyTimeoutMs: true,
  maxHeaderBytes: true,
  stderr: true,
  logger: true,
  publicUrl: true,
  record: true,
} as const satisfies Record<keyof CommonAppOptions<unknown, string>, true>;

/** The names of {@link CommonAppOptions}' options, in declaration order (see `COMMON_APP_OPTIONS`). */
export const COMMON_APP_OPTION_NAMES: readonly (keyof CommonAppOptions<unknown, string>)[] =
  Object.freeze(Object.keys(COMMON_APP_OPTIONS) as (keyof CommonAppOptions<unknown, string>)[]);

/**
 * The {@link WebhookAppOptions} that {@link CommonAppOptions} (and `allowUnauthenticated` and
 * `trustProxy` of {@link CommonSecurityOptions}) set, for a provider's `createApp`: every
 * option named in `COMMON_APP_OPTION_NAMES` passed through as given (an absent one as
 * `undefined`), and nothing else — the provider's own options (secrets, tokens, `render`…)
 * never reach the core.
 */
export function commonAppOptions<TAnswer>(
  options: CommonAppOptions<TAnswer, string> &
    Pick<CommonSecurityOptions, 'allowUnauthenticated' | 'trustProxy'>,
): WebhookAppOptions<TAnswer> {
  const passed: Record<string, unknown> = {
    allowUnauthenticated: options.allowUnauthenticated,
    trustProxy: options.trustProxy,
  };
  for (const name of COMMON_APP_OPTION_NAMES) passed[name] = options[name];
  return passed as WebhookAppOptions<TAnswer>;
}
