/**
 * The provider-neutral webhook app: router (`on`, `onAny`, `onError`) and the pipeline
 * authenticate → parse → (duplicate check) → dispatch with a deadline → render → reply.
 *
 * A provider plugs in through a {@link ProviderDefinition}: which methods it sends, how a
 * request becomes a typed event, and how an answer becomes XML. Everything else — method
 * checks, authentication order, handler isolation, the fallback answer, error replies — is
 * the same for every provider and lives here.
 *
 * @module
 */
import { CallControlError, ERROR_CODES, isCallControlError } from './errors';
import {
  checkLogger,
  createLineLimiter,
  describeThrown,
  firstStackFrame,
  LATE_AFTER_MS,
  logRequest,
  problemLine,
  type CallControlLogger,
  type ProblemLine,
} from './log';
import { requestSession, storedSession } from './session';
import { REDACTED, redactRequest } from './auth';
import { createRecorder, type Recorder } from './record';
import { observedExchange, type ExchangeObserver } from './observe';
import { requestTelemetry, type RequestTelemetry } from './telemetry';
import { MemoryStore, type CallStore, type RecordWrite, type StoredReply } from './store';
import {
  LEASE_MS,
  LEASE_RENEW_MS,
  SESSION_MARGIN_MS,
  STORE_TIMEOUT_MS,
  StoreGuard,
  type GuardedResult,
} from './store-guard';
import {
  callRecordKey,
  CALL_ENDED_FIELD,
  deliveryIdKey,
  deliveryKey,
  storedHeaders,
  storedReply,
  type Outcome,
} from './duplicates';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_DUPLICATE_TTL_MS,
  DEFAULT_ENDED_SESSION_TTL_MS,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_SESSION_TTL_MS,
  DEFAULT_TIMEOUT_MS,
  type WebhookAppOptions,
} from './options';
import type { ParseContext, ProviderDefinition } from './provider';
import { createPublicUrlResolver } from './public-url';
import { errorReply, xmlReply } from './reply';
import type {
  Authenticator,
  ErrorContext,
  HandlerContext,
  SessionValue,
  WebhookEvent,
  WebhookReply,
  WebhookRequest,
} from './types';

// The contracts live in their own modules; re-exported here, where they were public before.
export {
  commonAppOptions,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_DUPLICATE_TTL_MS,
  DEFAULT_ENDED_SESSION_TTL_MS,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_SESSION_TTL_MS,
  DEFAULT_TIMEOUT_MS,
  type CommonAppOptions,
  type DuplicateOptions,
  type EventOptions,
  type WebhookAppOptions,
} from './options';
export type { ParseContext, ProviderDefinition } from './provider';
export { errorReply, XML_CONTENT_TYPE } from './reply';

/**
 * Per event name: the event type a handler receives and what it may return
 * (`unknown` for notify-only events, whose return value is ignored).
 */
export type EventMap = Record<string, { event: WebhookEvent; answer: unknown }>;

/**
 * A handler for one event: sync or async, returning what the event map allows — for an event
 * the provider executes, an answer or `null` (no action: the neutral answer); for a notify-only
 * event, anything (ignored).
 */
export type EventHandler<TEvent, TResult> = (
  event: TEvent,
  context: HandlerContext,
) => TResult | Promise<TResult>;

/** Called with every error: refused requests (4xx) and failed handlers (fallback sent). */
export type ErrorHandler<TEvent extends WebhookEvent> = (
  error: CallControlError,
  context: ErrorContext<TEvent>,
) => unknown;

/** A positive whole number (of milliseconds or bytes), or the default; TypeError otherwise. */
function positiveOption(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen <= 0) {
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}`);
  }
  return chosen;
}

const TIMED_OUT = Symbol('timed out');

/** An empty body, for the stand-in request of a refusal without one. */
const EMPTY = Buffer.alloc(0);

/**
 * How many times a repetition claims its delivery: again after the request holding it released
 * it or its lease lapsed, while time is left.
 */
const MAX_CLAIM_ATTEMPTS = 5;

/** A repetition stops waiting for the first delivery this long before its deadline: 100 ms. */
const WAIT_MARGIN_MS = 100;

/**
 * Resolves with `work`'s value, or with {@link TIMED_OUT} once `ms` milliseconds passed; rejects
 * when `work` rejects first. The timer is armed only when `work` has not settled by the end of
 * the current run of microtasks (a handler that answers synchronously costs none); Node's
 * timers count from the event loop's time at the start of the tick, so it fires when one armed
 * at the call would.
 */
function within<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    work.then(
      (value) => {
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        reject(error);
      },
    );
    process.nextTick(() => {
      if (!done) timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    });
  });
}

/** What a handler's call gave: its answer rendered, or the error that stands in for it. */
type HandlerAnswer = { ok: true; xml: string } | { ok: false; error: CallControlError };

/** The `onAny` observers and the handler, started: what they will give. */
interface StartedAnswer {
  readonly observers: Promise<unknown> | undefined;
  readonly answering: HandlerAnswer | Promise<HandlerAnswer>;
}

/** Whether `value` is a promise or another thenable (reading `then` may throw: a Proxy). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `/a/b/` and `/a/b` are one path; `''` is `/`. */
function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** What {@link WebhookApp.handle} learns about a request on the way, for its log line. */
interface RequestTrace<TEvent> {
  /** The request as the authenticators left it (URL token removed); set once they passed. */
  authenticated?: WebhookRequest;
  /** The parsed event. */
  event?: TEvent;
  /** `true` when duplicate detection is skipped for this request (`handle`'s option). */
  skipDuplicates?: boolean;
  /** When the answer is due (`Date.now()` time, in milliseconds); set once the event is known. */
  deadline?: number;
  /** The request's spans and metrics, when an OpenTelemetry SDK is registered (`telemetry.ts`). */
  telemetry?: RequestTelemetry;
}

/** Options of {@link WebhookApp.handle}. */
export interface HandleOptions {
  /**
   * `false`: no duplicate detection for this request — the handler runs even when the same
   * delivery was answered before (no stored reply is used, none is stored, no once-per-call
   * replay is refused). For development tools that run a request again on purpose (the
   * inspector's replay, `docs/inspector.md`). Default `true`: as configured (`duplicates`).
   */
  readonly duplicates?: boolean | undefined;
}

/** Options of {@link WebhookApp.drain} and {@link WebhookApp.close}. */
export interface DrainOptions {
  /**
   * How long to wait for the requests in flight, in **milliseconds** (`0`: not at all). Default:
   * the app's longest answer deadline (`timeoutMs`, or a longer `events[…].timeoutMs`) plus
   * {@link DRAIN_MARGIN_MS}, which every request that reached the app before is answered within
   * unless synchronous code blocks the event loop.
   */
  readonly timeoutMs?: number | undefined;
}

/** What {@link WebhookApp.drain} and {@link WebhookApp.close} found. */
export interface DrainResult {
  /** `true` when no request was in flight any more when it resolved. */
  readonly drained: boolean;
  /** The requests still in flight when it resolved (`0` when drained). */
  readonly inFlight: number;
}

/** Added to the longest answer deadline for {@link DrainOptions.timeoutMs}'s default: 1000 ms. */
export const DRAIN_MARGIN_MS = 1000;

/** Longest wait for the store's own `close()` in {@link WebhookApp.close}: 1000 ms. */
export const STORE_CLOSE_TIMEOUT_MS = 1000;

/**
 * A webhook app for one provider: register handlers, then mount it with an adapter.
 *
 * @typeParam M - the provider's event map
 * @typeParam TEvent - every event the provider may deliver (known and unknown names)
 * @typeParam TAnswer - the provider's answer type
 */
export class WebhookApp<M extends EventMap, TEvent extends WebhookEvent, TAnswer> {
  /** Largest accepted request body in bytes. */
  readonly bodyLimitBytes: number;
  /** Time the whole request body may take to arrive, in milliseconds. */
  readonly bodyTimeoutMs: number;
  /** Largest size of the request's headers in bytes. */
  readonly maxHeaderBytes: number;
  /** Where deliveries and sessions are kept. */
  readonly store: CallStore;
  /** Bounds every call to {@link WebhookApp.store}, with a circuit breaker (`store-guard.ts`). */
  readonly #guard: StoreGuard;
  readonly #provider: ProviderDefinition<TEvent, TAnswer>;
  readonly #authenticators: readonly Authenticator[];
  readonly #fallbackXml: string;
  readonly #eventFallbackXml = new Map<string, string>();
  readonly #timeoutMs: number;
  readonly #eventTimeoutMs = new Map<string, number>();
  readonly #duplicateTtlMs: number | undefined;
  readonly #sessionTtlMs: number;
  readonly #endedSessionTtlMs: number;
  readonly #eventPaths: ReadonlyMap<string, string>;
  /** The public URL of a request as received (`publicUrl`, `trustProxy`; see `public-url.ts`). */
  readonly #publicUrlOf: (request: WebhookRequest) => string | undefined;
  readonly #handlers = new Map<string, EventHandler<WebhookEvent, unknown>>();
  /** The public URL of each authenticated request in flight, for its handler's context. */
  readonly #requestUrls = new WeakMap<WebhookRequest, () => string | undefined>();
  readonly #anyHandlers: EventHandler<TEvent, unknown>[] = [];
  readonly #errorHandlers: ErrorHandler<TEvent>[] = [];
  readonly #logger: CallControlLogger | undefined;
  /** Writes a problem line to stderr (rate-limited); `undefined` with `stderr: false`. */
  readonly #stderr: ((line: string) => void) | undefined;
  /** Appends each exchange to the `record` file; `undefined` without the option. */
  readonly #recorder: Recorder | undefined;
  /** The observers of {@link WebhookApp.observe}; without any, nothing is built for them. */
  readonly #observers = new Set<ExchangeObserver>();
  /**
   * The telemetry of each traced request, for its store calls, handler and rendering; keyed by
   * its parsed event (one object per request, even when one request object is handled twice at
   * once). Made when the first request is traced (with an SDK).
   */
  #traced: WeakMap<WebhookEvent, RequestTelemetry> | undefined;
  /** Requests inside {@link WebhookApp.handle} right now. */
  #inFlight = 0;
  /** Called once {@link WebhookApp.handle} has no request in flight (see `drain`). */
  #idle: (() => void)[] = [];

  /**
   * @throws {TypeError} for invalid options: a fallback that is not an answer of this provider,
   *   a limit, deadline or TTL that is not a positive whole number, an `eventPaths` or `events`
   *   entry naming an event the provider does not send, a `logger` without `info`, `warn` and
   *   `error` methods, a `publicUrl` that is not an absolute http(s) URL without query,
   *   fragment or credentials, a `trustProxy` entry that is not an address or CIDR range; and no
   *   `authenticators` without `allowUnauthenticated: true`
   */
  constructor(
    provider: ProviderDefinition<TEvent, TAnswer>,
    options: WebhookAppOptions<TAnswer> = {},
  ) {
    this.#provider = provider;
    this.#authenticators = [...(options.authenticators ?? [])];
    if (this.#authenticators.length === 0 && options.allowUnauthenticated !== true) {
      const accepted = provider.credentialOptions ?? ['authenticators'];
      throw new TypeError(
        `${provider.name}: no way to authenticate requests is configured, so anyone could ` +
          `drive your calls; give ${orList(accepted)} (or allowUnauthenticated: true, for ` +
          'local development and tests only)',
      );
    }
    this.#logger = checkLogger(options.logger);
    this.#recorder =
      options.record === undefined
        ? undefined
        : createRecorder(options.record, {
            provider: provider.name,
            authenticators: this.#authenticators,
            signatureHeader: provider.signature?.header,
            onFailure: (error) =>
              this.#report(
                new CallControlError(
                  'CC_ERR_RECORD_FAILED',
                  `Recording to ${String(options.record?.file)} failed, recording stopped: ${describeThrown(error)}`,
                  { cause: error },
                ),
                undefined,
                undefined,
                'error',
              ),
          });
    this.#stderr =
      options.stderr === false
        ? undefined
        : createLineLimiter({
            source: provider.name,
            // Looked up at each write, so that a replaced or wrapped stream is written to.
            write: (line) => process.stderr.write(`${line}\n`),
          });
    this.bodyLimitBytes = positiveOption(
      'bodyLimitBytes',
      options.bodyLimitBytes,
      DEFAULT_BODY_LIMIT_BYTES,
    );
    this.bodyTimeoutMs = positiveOption(
      'bodyTimeoutMs',
      options.bodyTimeoutMs,
      DEFAULT_BODY_TIMEOUT_MS,
    );
    this.maxHeaderBytes = positiveOption(
      'maxHeaderBytes',
      options.maxHeaderBytes,
      DEFAULT_MAX_HEADER_BYTES,
    );
    this.#timeoutMs = positiveOption(
      'timeoutMs',
      options.timeoutMs,
      provider.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    this.#fallbackXml = this.#renderFallback('fallback', options.fallback);
    for (const [name, eventOptions] of Object.entries(options.events ?? {})) {
      if (eventOptions === undefined) continue;
      this.#checkEventName(`events["${name}"]`, name);
      if (eventOptions.timeoutMs !== undefined) {
        this.#eventTimeoutMs.set(
          name,
          positiveOption(`events["${name}"].timeoutMs`, eventOptions.timeoutMs, 1),
        );
      }
      if (eventOptions.fallback !== undefined) {
        this.#eventFallbackXml.set(
          name,
          this.#renderFallback(`events["${name}"].fallback`, eventOptions.fallback),
        );
      }
    }
    const duplicates = options.duplicates ?? {};
    this.#duplicateTtlMs =
      duplicates === false
        ? undefined
        : positiveOption('duplicates.ttlMs', duplicates.ttlMs, DEFAULT_DUPLICATE_TTL_MS);
    this.#sessionTtlMs = positiveOption(
      'sessionTtlMs',
      options.sessionTtlMs,
      DEFAULT_SESSION_TTL_MS,
    );
    this.#endedSessionTtlMs = positiveOption(
      'endedSessionTtlMs',
      options.endedSessionTtlMs,
      DEFAULT_ENDED_SESSION_TTL_MS,
    );
    this.store = options.store ?? new MemoryStore();
    this.#guard = new StoreGuard(this.store, {
      onRecovery: (outageMs) => this.#storeRecovered(outageMs),
    });
    const paths = new Map<string, string>();
    for (const [path, name] of Object.entries(options.eventPaths ?? {})) {
      this.#checkEventName(`eventPaths["${path}"]`, name);
      paths.set(normalizePath(path), name);
    }
    this.#eventPaths = paths;
    this.#publicUrlOf = createPublicUrlResolver({
      publicUrl: options.publicUrl,
      trustProxy: options.trustProxy,
    });
  }

  /** `publicUrl` of a request as received (see {@link ParseContext.publicUrl}), made once. */
  #urlContext(received: WebhookRequest): Pick<ParseContext, 'publicUrl'> {
    let made = false;
    let url: string | undefined;
    const resolve = this.#publicUrlOf;
    return {
      publicUrl(): string | undefined {
        if (!made) {
          url = resolve(received);
          made = true;
        }
        return url;
      },
    };
  }

  #checkEventName(option: string, name: unknown): void {
    if (typeof name !== 'string' || !this.#provider.events.includes(name)) {
      throw new TypeError(
        `${option}: ${this.#provider.name} sends no event "${String(name)}"; known: ${this.#provider.events.join(', ')}`,
      );
    }
  }

  #renderFallback(option: string, answer: TAnswer | undefined): string {
    if (answer !== undefined && !this.#provider.isAnswer(answer)) {
      throw new TypeError(
        `${option} must be an answer built with the ${this.#provider.name} builders`,
      );
    }
    return this.#provider.render(answer);
  }

  /** The provider id, e.g. `'placetel'`. */
  get provider(): string {
    return this.#provider.name;
  }

  /**
   * Whether `value` is an answer of this app's provider: built with its builders (a
   * `placetel.forward(…)` for a Placetel app, …).
   */
  isAnswer(value: unknown): value is TAnswer {
    return this.#provider.isAnswer(value);
  }

  /**
   * The XML document this app sends for `answer` as the answer to `event`, rendered exactly as
   * a handler's return value is (with the app's own render options, e.g. Ozeki's `render`);
   * `undefined` is the neutral answer. `event` may be absent for answers that fit any event.
   * The test kit renders expected answers with it.
   *
   * @throws {TypeError} for a value that is not an answer of this provider
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that does not fit `event`
   *   (e.g. an Ozeki command outside the event's control context)
   */
  renderAnswer(answer: TAnswer | undefined, event?: TEvent): string {
    if (answer !== undefined && !this.#provider.isAnswer(answer)) {
      throw new TypeError(
        `renderAnswer: not an answer built with the ${this.#provider.name} builders`,
      );
    }
    return this.#provider.render(answer, event);
  }

  /**
   * Registers the handler that answers events named `name`. One handler per name. Where a
   * provider routes by qualified names (Opentact's `call_state:hangup`), the most specific
   * registered name answers and the plain name (`call_state`) catches the rest.
   *
   * @throws {TypeError} for a name the provider does not send, a second handler for the same
   *   name, or a handler that is not a function
   */
  on<K extends keyof M & string>(
    name: K,
    handler: EventHandler<M[K]['event'], M[K]['answer']>,
  ): this {
    if (!this.#provider.events.includes(name) && this.#provider.acceptsEventName?.(name) !== true) {
      throw new TypeError(
        `${this.#provider.name} sends no event "${String(name)}"; known: ${this.#provider.events.join(', ')}`,
      );
    }
    if (typeof handler !== 'function')
      throw new TypeError(`on("${name}"): handler must be a function`);
    if (this.#handlers.has(name)) {
      throw new TypeError(`on("${name}"): a handler is already registered; use onAny to observe`);
    }
    this.#handlers.set(name, handler as EventHandler<WebhookEvent, unknown>);
    return this;
  }

  /**
   * Registers an observer called for every parsed event (also events of names the provider
   * added after this version). Its return value is ignored; the reply waits for it until the
   * deadline; an error it throws goes to `onError` and does not change the answer. A repeated
   * delivery is not observed again.
   *
   * @throws {TypeError} when `handler` is not a function
   */
  onAny(handler: EventHandler<TEvent, unknown>): this {
    if (typeof handler !== 'function') throw new TypeError('onAny: handler must be a function');
    this.#anyHandlers.push(handler);
    return this;
  }

  /**
   * Registers an error handler, called with every {@link CallControlError}: requests refused
   * with 4xx, handler failures and missed deadlines answered with the fallback, and store
   * failures. Without one, 5xx-class errors go to the `logger`, and without a logger every
   * error is one line on stderr (see the `stderr` option). Errors thrown by the
   * error handler itself are ignored.
   *
   * @throws {TypeError} when `handler` is not a function
   */
  onError(handler: ErrorHandler<TEvent>): this {
    if (typeof handler !== 'function') throw new TypeError('onError: handler must be a function');
    this.#errorHandlers.push(handler);
    return this;
  }

  /**
   * Registers an observer of every exchange: called once per request this app answers (through
   * {@link handle}, and the refusals adapters report through {@link fail}), after its reply is
   * ready, with an `ObservedExchange` — received time, provider, event name, call id,
   * outcome, error code, latency in milliseconds, the request and the typed event with their
   * secrets masked as in recordings, and the answer — and the request as received (secrets
   * included: see {@link ExchangeObserver}). Synchronous and cheap for the reply: keep the
   * observer short. Without observers nothing is built. The live inspector uses it.
   *
   * @returns a function that removes the observer (calling it again does nothing)
   * @throws {TypeError} when `observer` is not a function
   */
  observe(observer: ExchangeObserver): () => void {
    if (typeof observer !== 'function') throw new TypeError('observe: observer must be a function');
    const registered: ExchangeObserver = (exchange, received) => observer(exchange, received);
    this.#observers.add(registered);
    return () => {
      this.#observers.delete(registered);
    };
  }

  /** Hands one exchange to every observer; never throws. */
  #notify(
    received: WebhookRequest,
    event: TEvent | undefined,
    reply: WebhookReply,
    receivedAt: Date,
    latencyMs: number,
  ): void {
    try {
      const exchange = observedExchange(
        {
          provider: this.#provider.name,
          authenticators: this.#authenticators,
          signatureHeader: this.#provider.signature?.header,
        },
        received,
        event,
        reply,
        receivedAt,
        latencyMs,
      );
      for (const observer of this.#observers) {
        try {
          observer(exchange, received);
        } catch {
          // An observer that fails must not take the reply down with it.
        }
      }
    } catch {
      // A request that cannot be read for its record: not observed.
    }
  }

  /**
   * Runs the whole pipeline for one request and returns the reply. Never rejects, whatever a
   * handler, an `onAny` observer, an `onError` handler, the logger or the store throws (an
   * `Error` or not, a Proxy whose traps throw, `undefined`): every failure becomes a coded
   * error reply (4xx) or, once the event is parsed, the fallback answer (200). What nothing
   * else catches is `CC_ERR_HANDLER_FAILED`: the fallback with 200 after parsing, 500 before.
   * With a `logger`, writes the request's one line (see {@link CommonAppOptions.logger}); a
   * reply ready past its deadline is marked late there (without a logger: one stderr line).
   * `options.duplicates: false` skips duplicate detection for this request (see
   * {@link HandleOptions}); observers ({@link observe}) see the exchange before it resolves.
   */
  async handle(received: WebhookRequest, options?: HandleOptions): Promise<WebhookReply> {
    this.#inFlight++;
    const receivedAt = new Date();
    const startedAt = performance.now();
    const trace: RequestTrace<TEvent> =
      options?.duplicates === false ? { skipDuplicates: true } : {};
    const telemetry = requestTelemetry(this.#provider.name, startedAt);
    if (telemetry !== undefined) trace.telemetry = telemetry;
    let reply: WebhookReply;
    try {
      reply = await this.#handle(received, trace);
    } catch (error) {
      reply = this.#rescue(error, received, trace);
    }
    try {
      const late =
        trace.deadline !== undefined && Date.now() > trace.deadline + LATE_AFTER_MS
          ? Date.now() - trace.deadline
          : undefined;
      if (this.#logger !== undefined) {
        this.#logLine(this.#logger, received, trace, reply, startedAt, late !== undefined);
      } else if (late !== undefined && trace.event !== undefined) {
        this.#warnLate(trace.event, late);
      }
      this.#recorder?.record(received, reply, receivedAt);
      if (this.#observers.size > 0) {
        this.#notify(received, trace.event, reply, receivedAt, performance.now() - startedAt);
      }
      if (telemetry !== undefined) {
        const path =
          trace.authenticated === undefined ? undefined : this.#loggedPath(trace.authenticated);
        telemetry.finish(received, trace.event, reply, path);
      }
    } catch {
      // Reporting must not take the reply down with it.
    }
    if (--this.#inFlight === 0 && this.#idle.length > 0) {
      for (const wake of this.#idle.splice(0)) wake();
    }
    return reply;
  }

  /**
   * The reply for something the pipeline threw that nothing caught: the fallback once the
   * event is known, else a coded error; reported as `CC_ERR_HANDLER_FAILED`. Never throws.
   */
  #rescue(error: unknown, received: WebhookRequest, trace: RequestTrace<TEvent>): WebhookReply {
    const request = trace.authenticated ?? received;
    const event = trace.event;
    try {
      if (event === undefined) {
        const checked = trace.authenticated === undefined ? 0 : this.#authenticators.length;
        return this.#refuse(error, request, checked);
      }
      this.#report(
        new CallControlError(
          'CC_ERR_HANDLER_FAILED',
          `Handling the ${event.name} failed unexpectedly; the fallback was sent: ${describeThrown(error)}`,
          { cause: error },
        ),
        request,
        event,
        'fallback',
      );
      return xmlReply(200, this.#fallbackFor(event), {}, 'fallback', 'CC_ERR_HANDLER_FAILED');
    } catch {
      return event === undefined
        ? errorReply(new CallControlError('CC_ERR_HANDLER_FAILED', 'Unexpected error'))
        : xmlReply(200, this.#fallbackFor(event), {}, 'fallback', 'CC_ERR_HANDLER_FAILED');
    }
  }

  #logLine(
    logger: CallControlLogger,
    received: WebhookRequest,
    trace: RequestTrace<TEvent>,
    reply: WebhookReply,
    startedAt: number,
    late: boolean,
  ): void {
    const event = trace.event;
    logRequest(logger, {
      provider: this.#provider.name,
      ...(event === undefined ? {} : { event: event.name }),
      ...(event === undefined || event.callId === '' ? {} : { callId: event.callId }),
      method: received.method,
      // Only once authenticated: before, the path may hold a URL token (right or wrong).
      ...(trace.authenticated === undefined ? {} : { path: this.#loggedPath(trace.authenticated) }),
      status: reply.status,
      outcome: reply.outcome ?? (reply.status < 400 ? 'handled' : 'refused'),
      ...(reply.code === undefined ? {} : { code: reply.code }),
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      ...(late ? { late: true as const } : {}),
    });
  }

  /** A reply was ready `lateMs` after its deadline, without a logger: one stderr line. */
  #warnLate(event: TEvent, lateMs: number): void {
    this.#stderr?.(
      problemLine({
        provider: this.#provider.name,
        event: event.name,
        outcome: 'late',
        message:
          `The reply was ready ${Math.round(lateMs)} ms after its deadline: synchronous code ` +
          `(a handler, or anything else in the process) blocked the event loop, which timeoutMs ` +
          `cannot interrupt`,
      }),
    );
  }

  async #handle(received: WebhookRequest, trace: RequestTrace<TEvent>): Promise<WebhookReply> {
    const startedAt = Date.now();
    let event: TEvent;
    let request = received;
    // How many authenticators ran over `request` (took out what they check), for onError's copy.
    let checked = 0;
    try {
      if (!this.#provider.methods.includes(request.method)) {
        throw new CallControlError(
          'CC_ERR_METHOD_NOT_ALLOWED',
          `${this.#provider.name} sends ${this.#provider.methods.join(', ')}, not ${request.method}`,
          { headers: { allow: this.#provider.methods.join(', ') } },
        );
      }
      // The public URL of the request as received (URL token included): signed over as sent.
      const urls = this.#urlContext(received);
      for (const authenticate of this.#authenticators) {
        request = authenticate(request, urls) ?? request;
        checked++;
      }
      trace.authenticated = request;
      this.#requestUrls.set(request, urls.publicUrl);
      const routedEvent =
        this.#eventPaths.size === 0 ? undefined : this.#eventPaths.get(normalizePath(request.path));
      event = this.#provider.parse(request, { routedEvent, publicUrl: urls.publicUrl });
      trace.event = event;
    } catch (error) {
      trace.telemetry?.start(undefined);
      return this.#refuse(error, request, checked);
    }

    if (trace.telemetry !== undefined) {
      trace.telemetry.start(event);
      (this.#traced ??= new WeakMap()).set(event, trace.telemetry);
    }
    const deadline = startedAt + (this.#eventTimeoutMs.get(event.name) ?? this.#timeoutMs);
    trace.deadline = deadline;
    const remaining = (): number => Math.max(0, deadline - Date.now());
    const deliveryId =
      this.#duplicateTtlMs === undefined ? undefined : this.#provider.deliveryId?.(request, event);
    const key =
      trace.skipDuplicates === true
        ? undefined
        : deliveryId !== undefined
          ? deliveryIdKey(this.#provider.name, deliveryId)
          : this.#duplicateTtlMs === undefined ||
              event.callId === '' ||
              this.#provider.repeatableEvents?.includes(event.name) === true
            ? undefined
            : deliveryKey(
                this.#provider.name,
                event,
                request,
                this.#provider.signature?.covers === 'body',
              );
    if (key !== undefined) return this.#deduplicated(key, event, request, remaining);
    return this.#dispatch(event, request, remaining);
  }

  /**
   * Answers a delivery with duplicate detection. It claims the delivery under a lease
   * ({@link LEASE_MS}) and runs it — or answers with the stored reply of its first delivery —
   * or, while another request (here or in another instance) holds the lease, waits for its
   * reply, and claims the delivery itself when that lease is released (its handling failed) or
   * lapses (its instance died). Without the store — it failed, did not answer in time, or is
   * known to be down — the delivery is answered without duplicate detection.
   */
  async #deduplicated(
    key: string,
    event: TEvent,
    request: WebhookRequest,
    remaining: () => number,
  ): Promise<WebhookReply> {
    // A store may keep a call's deliveries beside its record (RedisStore: one hash slot), and
    // read the record in the claim's own round trip (claimWithRecord).
    const store = this.store;
    if (store.deliveryKeyOf !== undefined) {
      key = store.deliveryKeyOf(`${this.#provider.name}:${event.callId}`, key);
    }
    const recordKey =
      store.claimWithRecord !== undefined && this.#provider.oncePerCall?.includes(event.name)
        ? callRecordKey(this.#provider.name, event.callId)
        : undefined;
    // Else read beside the first claim, so that the check costs no extra round trip.
    let record = recordKey === undefined ? this.#callRecord(event, request, remaining) : undefined;
    const claiming = () =>
      recordKey === undefined || store.claimWithRecord === undefined
        ? store.claim(key, LEASE_MS)
        : store.claimWithRecord(key, LEASE_MS, recordKey).then((found) => {
            record = Promise.resolve(found.record);
            return found.claim;
          });
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const left = remaining();
      // At most half of what is left, so the handler keeps the other half.
      const claim = await this.#store(
        'claim',
        request,
        event,
        claiming,
        Math.min(STORE_TIMEOUT_MS, left / 2),
      );
      if (claim === undefined) return this.#dispatch(event, request, remaining);
      if (claim.state === 'done') return storedReply(claim.reply, 'duplicate');
      if (claim.state === 'claimed') {
        const replayed = await this.#refusedReplay(key, claim.token, event, request, record);
        if (replayed !== undefined) return replayed;
        return this.#dispatchClaimed(key, claim.token, event, request, remaining);
      }
      const waitMs = Math.max(0, remaining() - WAIT_MARGIN_MS);
      const waitedFrom = Date.now();
      const waited = await this.#guarded('waitFor', request, event, remaining(), () =>
        this.store.waitFor(key, waitMs),
      );
      if (!waited.ok) {
        if (remaining() > 0) return this.#dispatch(event, request, remaining);
        break;
      }
      if (waited.value !== undefined) return storedReply(waited.value, 'duplicate');
      // Released, or its lease lapsed: claim it (again). A wait that ran out did not see that.
      if (remaining() <= 0 || Date.now() - waitedFrom >= waitMs) break;
    }
    this.#report(
      new CallControlError(
        'CC_ERR_HANDLER_TIMEOUT',
        `A repetition of this ${event.name} waited for the first delivery past the deadline`,
      ),
      request,
      event,
      'fallback',
    );
    return xmlReply(200, this.#fallbackFor(event), {}, 'fallback', 'CC_ERR_HANDLER_TIMEOUT');
  }

  /**
   * Runs a delivery this request claimed, renewing its lease every {@link LEASE_RENEW_MS} while
   * it runs. Then, beside the reply (never delaying it): its reply is stored for the repetitions
   * (`complete`), or — when the fallback went out (the handler failed or missed its deadline) —
   * the claim is released, so that a retry runs the handler again.
   */
  async #dispatchClaimed(
    key: string,
    token: string,
    event: TEvent,
    request: WebhookRequest,
    remaining: () => number,
  ): Promise<WebhookReply> {
    let renewing = true;
    let renewal: NodeJS.Timeout | undefined;
    const stopRenewing = (): void => {
      renewing = false;
      if (renewal !== undefined) clearInterval(renewal);
    };
    // Armed only when the dispatch has not settled by the end of this run of microtasks (a
    // handler that answers at once needs no renewal: no timer for it). The first renewal is
    // due LEASE_RENEW_MS later, a third of the lease, either way.
    process.nextTick(() => {
      if (!renewing) return;
      renewal = setInterval(() => {
        void this.#store('renew', request, event, () =>
          this.store.renew(key, token, LEASE_MS),
        ).then((held) => {
          // Lost (its lease lapsed and another request claimed it): nothing left to renew.
          if (held === false && renewing) stopRenewing();
        });
      }, LEASE_RENEW_MS);
      renewal.unref();
    });
    let reply: WebhookReply;
    try {
      reply = await this.#dispatch(event, request, remaining);
    } catch (error) {
      stopRenewing();
      void this.#store('release', request, event, () => this.store.release(key, token));
      throw error;
    }
    stopRenewing();
    if (reply.outcome === 'fallback') {
      void this.#store('release', request, event, () => this.store.release(key, token));
    } else {
      const stored: StoredReply = {
        status: reply.status,
        headers: storedHeaders(reply.headers),
        body: reply.text ?? reply.body.toString('utf8'),
      };
      const ttlMs = this.#duplicateTtlMs ?? DEFAULT_DUPLICATE_TTL_MS;
      const store = this.store;
      // A store that can writes the call's record with the reply (one round trip to Redis).
      const write = store.completeWithRecord === undefined ? undefined : this.#callMemo(event);
      void this.#store('complete', request, event, () =>
        store.completeWithRecord !== undefined
          ? store.completeWithRecord(key, token, stored, ttlMs, write)
          : store.complete(key, token, stored, ttlMs),
      );
      if (store.completeWithRecord === undefined) this.#rememberCall(event, request);
    }
    return reply;
  }

  /**
   * Reads the call's record of the once-per-call events it was answered for, when `event` is
   * one of the provider's {@link ProviderDefinition.oncePerCall} events (else `undefined`, and
   * nothing is read): at most one store read per request, bounded like the claim. Resolves
   * `undefined` when the store failed or did not answer in time (then nothing is refused).
   */
  #callRecord(
    event: TEvent,
    request: WebhookRequest,
    remaining: () => number,
  ): Promise<Record<string, SessionValue> | undefined> | undefined {
    if (this.#provider.oncePerCall?.includes(event.name) !== true) return undefined;
    const key = callRecordKey(this.#provider.name, event.callId);
    return this.#store(
      'callRecord',
      request,
      event,
      () => this.store.sessionGetAll(key),
      Math.min(STORE_TIMEOUT_MS, remaining() / 2),
    );
  }

  /**
   * For a delivery this request claimed: when the call's record shows it already had this
   * once-per-call event, or ended, the delivery is a replay — its claim is given up, `onError`
   * gets `CC_ERR_EVENT_REPLAYED` and this is the 409 reply. `undefined` otherwise (also without
   * a record to go by).
   */
  async #refusedReplay(
    key: string,
    token: string,
    event: TEvent,
    request: WebhookRequest,
    record: Promise<Record<string, SessionValue> | undefined> | undefined,
  ): Promise<WebhookReply | undefined> {
    const seen = record === undefined ? undefined : await record;
    if (seen === undefined) return undefined;
    const ended = seen[CALL_ENDED_FIELD] !== undefined;
    if (!ended && seen[event.name] === undefined) return undefined;
    void this.#store('release', request, event, () => this.store.release(key, token));
    const error = new CallControlError(
      'CC_ERR_EVENT_REPLAYED',
      ended
        ? `This call has ended; a new ${event.name} for it is a replay and was not handled`
        : `This call already had its ${event.name}; another is a replay and was not handled`,
    );
    this.#report(error, request, event, 'refused');
    return errorReply(error);
  }

  /**
   * Remembers, beside the reply, that the call was answered for a once-per-call event (or ended,
   * by {@link ProviderDefinition.isCallEnd}), for the session TTL (at least the duplicate TTL):
   * one store write, only for providers that name such events. Called once a delivery's reply
   * is stored — not after a fallback, whose retry must run the handler again.
   */
  #rememberCall(event: TEvent, request: WebhookRequest): void {
    const write = this.#callMemo(event);
    if (write === undefined) return;
    void this.#store('callRecord', request, event, () =>
      this.store.sessionSet(write.callKey, write.field, write.value, write.ttlMs),
    );
  }

  /** What {@link #rememberCall} writes for `event` (`undefined`: nothing). */
  #callMemo(event: TEvent): RecordWrite | undefined {
    const once = this.#provider.oncePerCall;
    if (once === undefined || once.length === 0) return undefined;
    const ends = this.#provider.isCallEnd?.(event) === true;
    if (!ends && !once.includes(event.name)) return undefined;
    const callKey = callRecordKey(this.#provider.name, event.callId);
    const ttlMs = Math.max(this.#sessionTtlMs, this.#duplicateTtlMs ?? 0);
    return ends
      ? { callKey, field: CALL_ENDED_FIELD, value: event.name, ttlMs }
      : { callKey, field: event.name, value: true, ttlMs };
  }

  /** Runs the observers and the handler with a deadline, and renders the reply. */
  #dispatch(
    event: TEvent,
    request: WebhookRequest,
    remaining: () => number,
  ): Promise<WebhookReply> {
    const session =
      event.callId === ''
        ? requestSession()
        : storedSession(
            // A session call resolves in time for the handler to answer, store or no store.
            async (operation, run) => {
              const bound = Math.min(STORE_TIMEOUT_MS, remaining() - SESSION_MARGIN_MS);
              const result = await this.#guarded(operation, request, event, bound, () =>
                run(this.store),
              );
              return result.ok ? { value: result.value } : undefined;
            },
            `${this.#provider.name}:${event.callId}`,
            this.#sessionTtlMs,
          );
    const context: HandlerContext = {
      request,
      session,
      publicUrl: this.#requestUrls.get(request) ?? (() => undefined),
    };
    const telemetry = this.#traced?.get(event);
    if (telemetry !== undefined) {
      // The observers and the handler run in the handler span's context: their spans nest.
      const run = telemetry.handler(event.name, () => this.#observedAnswer(event, context));
      return this.#answered(event, request, remaining, session, run.value, run.end);
    }
    return this.#answered(
      event,
      request,
      remaining,
      session,
      this.#observedAnswer(event, context),
      undefined,
    );
  }

  /** Starts the `onAny` observers and the handler: what they will give. */
  #observedAnswer(event: TEvent, context: HandlerContext): StartedAnswer {
    const request = context.request;
    const observers =
      this.#anyHandlers.length === 0
        ? undefined
        : Promise.all(
            this.#anyHandlers.map((observer) =>
              this.#run(observer, event, context).catch((error: unknown) => {
                try {
                  this.#report(wrapHandlerError(error, event.name), request, event, 'error');
                } catch {
                  // Never an unhandled rejection: the reply may have gone out already.
                }
              }),
            ),
          );
    return { observers, answering: this.#answer(event, context) };
  }

  /**
   * Waits for the handler's answer (and the observers) until the deadline, and makes the reply;
   * `ended` ends the handler span (with the code standing for the answer, if any).
   */
  async #answered(
    event: TEvent,
    request: WebhookRequest,
    remaining: () => number,
    session: HandlerContext['session'],
    started: StartedAnswer,
    ended: ((code?: string) => void) | undefined,
  ): Promise<WebhookReply> {
    const { observers, answering } = started;
    // A handler that answered synchronously needs no deadline: its answer is here.
    const answered =
      answering instanceof Promise ? await within(answering, remaining()) : answering;
    let xml: string;
    let outcome: Outcome = 'handled';
    let code: string | undefined;
    if (answered === TIMED_OUT) {
      // The late result is discarded; what it throws later is not reported again.
      if (answering instanceof Promise) answering.catch(() => undefined);
      this.#report(
        new CallControlError(
          'CC_ERR_HANDLER_TIMEOUT',
          `The ${event.name} handler did not answer within its deadline; the fallback was sent`,
        ),
        request,
        event,
        'fallback',
      );
      xml = this.#fallbackFor(event);
      outcome = 'fallback';
      code = 'CC_ERR_HANDLER_TIMEOUT';
    } else if (answered.ok) {
      xml = answered.xml;
    } else {
      this.#report(answered.error, request, event, 'fallback');
      xml = this.#fallbackFor(event);
      outcome = 'fallback';
      code = answered.error.code;
    }
    ended?.(code);
    if (observers !== undefined) await within(observers, remaining());
    if (this.#provider.isCallEnd?.(event) === true && session.key !== '') {
      // Beside the reply, not before it.
      void this.#store('sessionExpire', request, event, () =>
        this.store.sessionExpire(session.key, this.#endedSessionTtlMs),
      );
    }
    return xmlReply(200, xml, {}, outcome, code);
  }

  /**
   * The handler's answer rendered, or the error that stands in for it: at once when the handler
   * answered synchronously (or there is none), else a promise of it (never rejecting).
   */
  #answer(event: TEvent, context: HandlerContext): HandlerAnswer | Promise<HandlerAnswer> {
    let handler: EventHandler<TEvent, unknown> | undefined;
    let result: unknown;
    try {
      handler = this.#handlerFor(event);
      result = handler === undefined ? undefined : handler(event, context);
      if (isThenable(result)) {
        const answering = handler;
        return Promise.resolve(result).then(
          (value) => this.#rendered(event, context, answering, value),
          (error: unknown) => ({ ok: false, error: wrapHandlerError(error, event.name) }),
        );
      }
    } catch (error) {
      return { ok: false, error: wrapHandlerError(error, event.name) };
    }
    return this.#rendered(event, context, handler, result);
  }

  /** What the handler answered (`result`), checked and rendered, or the error for it. */
  #rendered(
    event: TEvent,
    context: HandlerContext,
    handler: EventHandler<TEvent, unknown> | undefined,
    result: unknown,
  ): HandlerAnswer {
    try {
      if (!this.#provider.answeredEvents.includes(event.name)) result = undefined;
      // `null` is "no action" on purpose; `undefined` from a handler is a forgotten `return`.
      else if (result === null) result = undefined;
      else if (result === undefined && handler !== undefined) {
        this.#warnNoAnswer(event, context.request);
      }
      if (result !== undefined && !this.#provider.isAnswer(result)) {
        throw new CallControlError(
          'CC_ERR_HANDLER_RESULT',
          `The ${event.name} handler returned ${describe(result)}, not a ${this.#provider.name} answer`,
        );
      }
      const answer = result as TAnswer | undefined;
      const telemetry = this.#traced?.get(event);
      return {
        ok: true,
        xml:
          telemetry === undefined
            ? this.#provider.render(answer, event)
            : telemetry.render(() => this.#provider.render(answer, event)),
      };
    } catch (error) {
      return { ok: false, error: wrapHandlerError(error, event.name) };
    }
  }

  #fallbackFor(event: TEvent): string {
    return this.#eventFallbackXml.get(event.name) ?? this.#fallbackXml;
  }

  /**
   * Runs a store operation through the guard, bounded by `boundMs` (default
   * {@link STORE_TIMEOUT_MS}), and gives its value — or `undefined` when the store failed, did
   * not answer in time or is known to be down, so that a store never fails nor holds up a call.
   * The first failure of an outage is reported as `CC_ERR_STORE_UNAVAILABLE`, the rest of it
   * not (see {@link StoreGuard}).
   */
  #store<T>(
    operation: string,
    request: WebhookRequest,
    event: TEvent,
    run: () => Promise<T>,
    boundMs: number = STORE_TIMEOUT_MS,
  ): Promise<T | undefined> {
    const stored = this.#traced?.get(event)?.storeCall(operation);
    return this.#guard.run(boundMs, run).then((result) => {
      stored?.(result);
      if (result.ok) return result.value;
      if (result.outageStarted) this.#storeUnavailable(operation, request, event, boundMs, result);
      return undefined;
    });
  }

  /** {@link #store}, with why there is no value. Never rejects. */
  #guarded<T>(
    operation: string,
    request: WebhookRequest,
    event: TEvent,
    boundMs: number,
    run: () => Promise<T>,
  ): Promise<GuardedResult<T>> {
    const stored = this.#traced?.get(event)?.storeCall(operation);
    return this.#guard.run(boundMs, run).then((result) => {
      stored?.(result);
      if (!result.ok && result.outageStarted) {
        this.#storeUnavailable(operation, request, event, boundMs, result);
      }
      return result;
    });
  }

  /** Reports the failure that starts a store outage as `CC_ERR_STORE_UNAVAILABLE`. Never throws. */
  #storeUnavailable(
    operation: string,
    request: WebhookRequest,
    event: TEvent,
    boundMs: number,
    result: Exclude<GuardedResult<unknown>, { ok: true }>,
  ): void {
    try {
      this.#report(
        new CallControlError(
          'CC_ERR_STORE_UNAVAILABLE',
          result.reason === 'timeout'
            ? `The store did not answer (${operation}) within ${Math.ceil(boundMs)} ms; ` +
                'calls are answered without it until it is back'
            : `The store failed (${operation}); calls are answered without it until it is back`,
          { cause: result.error },
        ),
        request,
        event,
        'error',
      );
    } catch {
      // Reporting must not take the reply down with it.
    }
  }

  /**
   * The store answers again after an outage (reported once as `CC_ERR_STORE_UNAVAILABLE`): one
   * line to the logger's `info`, else to stderr (unless `stderr: false`) — `onError` gets errors
   * only.
   */
  #storeRecovered(outageMs: number): void {
    const message =
      `The store answers again after ${Math.round(outageMs)} ms; duplicate detection and ` +
      'sessions are back';
    if (this.#logger !== undefined) {
      try {
        this.#logger.info(
          { provider: this.#provider.name, store: 'recovered', outageMs: Math.round(outageMs) },
          `callcontrol: ${message}`,
        );
      } catch {
        // A failing logger must not take a call down with it.
      }
      return;
    }
    this.#stderr?.(problemLine({ provider: this.#provider.name, outcome: 'recovered', message }));
  }

  /**
   * Turns an error into its reply and reports it to `onError`. Adapters call this for errors
   * met before the core sees the request (body too large, connection aborted).
   * A value that is not a {@link CallControlError} is reported as `CC_ERR_HANDLER_FAILED` (500).
   * Never throws, whatever `error` and `request` are.
   */
  fail(error: unknown, request?: WebhookRequest): WebhookReply {
    const telemetry = requestTelemetry(this.#provider.name, performance.now());
    const reply = this.#refuse(error, request);
    if (telemetry !== undefined) {
      // An adapter's refusal (body too large, aborted): its span and metrics, no path.
      telemetry.finish(
        request ?? { method: '', path: '', query: '', headers: {}, body: EMPTY },
        undefined,
        reply,
        undefined,
      );
    }
    if (request !== undefined && this.#observers.size > 0) {
      this.#notify(request, undefined, reply, new Date(), 0);
    }
    if (this.#logger !== undefined) {
      try {
        logRequest(this.#logger, {
          provider: this.#provider.name,
          ...(request === undefined ? {} : { method: request.method }),
          status: reply.status,
          outcome: reply.outcome ?? 'refused',
          ...(reply.code === undefined ? {} : { code: reply.code }),
        });
      } catch {
        // A request whose fields throw when read: the reply goes out without its line.
      }
    }
    return reply;
  }

  /**
   * {@link fail} without the request line: the error's reply, reported to `onError`. Never
   * throws, whatever `error` is: a value that is not a {@link CallControlError} (or whose shape
   * cannot be read) is `CC_ERR_HANDLER_FAILED` (500, "Unexpected error").
   */
  #refuse(error: unknown, request: WebhookRequest | undefined, checked = 0): WebhookReply {
    let coded: CallControlError;
    let reply: WebhookReply;
    try {
      coded = codedError(error);
      reply = errorReply(coded);
    } catch {
      coded = unexpected(error);
      reply = errorReply(coded);
    }
    try {
      this.#report(coded, request, undefined, 'refused', checked);
    } catch {
      // Reporting must not take the reply down with it.
    }
    return reply;
  }

  /**
   * Waits until no request is in flight in this app, at most `options.timeoutMs` milliseconds
   * (default: the longest answer deadline plus {@link DRAIN_MARGIN_MS}). A request is in flight
   * from the moment the adapter hands it over (its body read) until its reply is ready; requests
   * whose body is still arriving are the server's to wait for (`server.close()`). Requests that
   * arrive while it waits are answered as always, and waited for too: the app never refuses
   * work, so a load balancer that sends a few more during a shutdown gets answers. Stop sending
   * work first — take the instance out of the load balancer (a readiness check that fails),
   * then `server.close()` — and drain then. Never rejects; calling it again is fine.
   *
   * With the `record` option it then also waits, within the same `timeoutMs`, until the lines
   * of the exchanges answered so far are written to the recording, so that a process that
   * drains before it exits loses none.
   *
   * Use it instead of {@link close} when several apps share one store: drain them all, then
   * close each (`close({ timeoutMs: 0 })`), so that the store stays open while any of them
   * still answers.
   *
   * @returns whether every request was answered in time, and how many were still in flight
   * @throws {TypeError} (as a rejection) when `timeoutMs` is not a whole number ≥ 0
   */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    const timeoutMs = options.timeoutMs ?? this.#longestTimeoutMs() + DRAIN_MARGIN_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
      throw new TypeError(`timeoutMs must be a whole number ≥ 0, got ${String(options.timeoutMs)}`);
    }
    const until = Date.now() + timeoutMs;
    if (this.#inFlight === 0) return this.#recorded(until, { drained: true, inFlight: 0 });
    let wake: (() => void) | undefined;
    const idle = new Promise<void>((resolve) => {
      wake = resolve;
      this.#idle.push(resolve);
    });
    const result = await within(idle, timeoutMs);
    if (result === TIMED_OUT) {
      this.#idle = this.#idle.filter((waiter) => waiter !== wake);
      return this.#recorded(until, { drained: false, inFlight: this.#inFlight });
    }
    return this.#recorded(until, { drained: true, inFlight: 0 });
  }

  /**
   * Waits until the recording's queued lines (the `record` option) are written, at most until
   * `until` (`Date.now()` time, in milliseconds), then resolves with `result`.
   */
  async #recorded(until: number, result: DrainResult): Promise<DrainResult> {
    if (this.#recorder !== undefined) await within(this.#recorder.idle(), until - Date.now());
    return result;
  }

  /**
   * Closes the app gracefully: {@link drain} (waits for the requests in flight and the
   * recording's pending lines, at most `options.timeoutMs` milliseconds), then closes the app's
   * store (its Redis connection, the memory store's timers), waiting for that at most
   * {@link STORE_CLOSE_TIMEOUT_MS} (a store that does not answer — a stalled Redis — is left
   * behind, and `onError` hears `CC_ERR_STORE_UNAVAILABLE`). So it resolves within `timeoutMs` + 1000 ms, and never
   * rejects. Requests that arrive later are still answered; with a closed `RedisStore` they are
   * answered without it (`CC_ERR_STORE_UNAVAILABLE`, as for a failed store).
   *
   * @returns what {@link drain} found
   * @throws {TypeError} (as a rejection) when `timeoutMs` is not a whole number ≥ 0
   */
  async close(options: DrainOptions = {}): Promise<DrainResult> {
    const drained = await this.drain(options);
    let failure: unknown;
    let closing: Promise<void>;
    try {
      closing = this.store.close();
    } catch (error) {
      closing = Promise.reject(error);
    }
    const closed = await within(
      closing.then(
        () => true,
        (error: unknown) => {
          failure = error;
          return false;
        },
      ),
      STORE_CLOSE_TIMEOUT_MS,
    );
    if (closed !== true) {
      this.#report(
        new CallControlError(
          'CC_ERR_STORE_UNAVAILABLE',
          closed === TIMED_OUT
            ? `The store did not close within ${STORE_CLOSE_TIMEOUT_MS} ms; left behind`
            : 'The store failed to close',
          failure === undefined ? {} : { cause: failure },
        ),
        undefined,
        undefined,
        'error',
      );
    }
    return drained;
  }

  /** The longest answer deadline of any event, in milliseconds. */
  #longestTimeoutMs(): number {
    return Math.max(this.#timeoutMs, ...this.#eventTimeoutMs.values());
  }

  #handlerFor(event: TEvent): EventHandler<WebhookEvent, unknown> | undefined {
    const keys = this.#provider.routingKeys?.(event) ?? [event.name];
    for (const key of keys) {
      const handler = this.#handlers.get(key);
      if (handler !== undefined) return handler;
    }
    return undefined;
  }

  async #run<E>(
    handler: EventHandler<E, unknown>,
    event: E,
    context: HandlerContext,
  ): Promise<unknown> {
    return handler(event, context);
  }

  /**
   * An answered event's handler returned `undefined` (in JavaScript: a forgotten `return`): the
   * neutral answer goes out, and the logger's `warn` (else stderr) says so.
   */
  #warnNoAnswer(event: TEvent, request: WebhookRequest): void {
    const message =
      `The ${event.name} handler returned undefined; the neutral answer (empty <Response/>) ` +
      `went out. Return an answer, or null for no action`;
    if (this.#logger !== undefined) {
      try {
        this.#logger.warn(
          {
            provider: this.#provider.name,
            event: event.name,
            ...(event.callId === '' ? {} : { callId: event.callId }),
            path: this.#loggedPath(request),
          },
          `callcontrol: ${message}`,
        );
      } catch {
        // A failing logger must not take the reply down with it.
      }
      return;
    }
    this.#stderr?.(
      problemLine({
        provider: this.#provider.name,
        event: event.name,
        outcome: 'warning',
        status: 200,
        message,
      }),
    );
  }

  /**
   * The path of an authenticated request as logged: a configured URL token left in it (beyond
   * the segment the check took out) redacted.
   */
  #loggedPath(request: WebhookRequest): string {
    if (this.#authenticators.length === 0) return request.path;
    const bare = { ...request, query: '', headers: {} };
    return this.#redacted(bare, this.#authenticators.length).path;
  }

  /**
   * `request` as `onError` may see it: the values of `Authorization`, `Proxy-Authorization`,
   * `Cookie` and the provider's signature header replaced by `[redacted]`, and what the
   * authenticators redact — the URL token in the path or query (the first `checked` of them
   * already ran over `request`). Never throws: a request that cannot be copied is replaced by
   * one that holds only its method.
   */
  #redacted(request: WebhookRequest, checked: number): WebhookRequest {
    try {
      const header = this.#provider.signature?.header;
      return redactRequest(
        request,
        this.#authenticators,
        header === undefined ? [] : [header],
        checked,
      );
    } catch {
      return {
        method: String(request.method),
        path: `/${REDACTED}`,
        query: '',
        headers: {},
        body: Buffer.alloc(0),
      };
    }
  }

  /**
   * Reports an error to the `onError` handlers; without any, 5xx-class errors go to the logger
   * and, without a logger, every error goes to stderr as one line (unless `stderr: false`).
   * `outcome` is what the request got: `refused` (the error's status), `fallback` (the fallback
   * answer), or `error` (the answer did not change). `onError` gets the request without its
   * secrets (see {@link #redacted}); `checked` is how many authenticators already ran over it
   * (all of them once the event is parsed, none for a request refused before the checks).
   */
  #report(
    error: CallControlError,
    request: WebhookRequest | undefined,
    event: TEvent | undefined,
    outcome: 'refused' | 'fallback' | 'error',
    checked = event === undefined ? 0 : this.#authenticators.length,
  ): void {
    if (this.#errorHandlers.length === 0) {
      if (this.#logger !== undefined) {
        // 4xx and fallbacks are on the request's own line (`logRequest`).
        if (error.status < 500) return;
        try {
          this.#logger.error(
            { provider: this.#provider.name, code: error.code, err: error.cause ?? error },
            `callcontrol: ${error.message}`,
          );
        } catch {
          // A failing logger must not take the reply down with it.
        }
      } else if (this.#stderr !== undefined) {
        this.#stderr(problemLine(problemOf(this.#provider.name, error, event, outcome)));
      }
      return;
    }
    const context: ErrorContext<TEvent> = {
      request: request === undefined ? undefined : this.#redacted(request, checked),
      event,
    };
    for (const handler of this.#errorHandlers) {
      try {
        const result = handler(error, context);
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        // An error handler that fails must not take the reply down with it.
      }
    }
  }
}

/**
 * Creates a {@link WebhookApp} for a provider definition. Providers wrap this in their own
 * `createApp` that turns provider options (secrets…) into authenticators.
 *
 * @throws {TypeError} for invalid options, see {@link WebhookApp}
 */
export function createWebhookApp<M extends EventMap, TEvent extends WebhookEvent, TAnswer>(
  provider: ProviderDefinition<TEvent, TAnswer>,
  options: WebhookAppOptions<TAnswer> = {},
): WebhookApp<M, TEvent, TAnswer> {
  return new WebhookApp<M, TEvent, TAnswer>(provider, options);
}

/**
 * What a handler (or an `onAny` observer) threw or rejected with, as the error `onError` gets:
 * the core's own `CC_ERR_HANDLER_RESULT` as it is, anything else — a look-alike of another
 * module copy or a forgery included — `CC_ERR_HANDLER_FAILED` with the value as its `cause`.
 * Never throws, whatever the value is (see {@link describeThrown}).
 */
function wrapHandlerError(error: unknown, eventName: string): CallControlError {
  try {
    // Only this module throws it (in #answer): `instanceof`, not the look-alike check.
    if (error instanceof CallControlError && error.code === 'CC_ERR_HANDLER_RESULT') return error;
  } catch {
    // A value whose shape cannot be read is not ours: wrapped below.
  }
  return new CallControlError(
    'CC_ERR_HANDLER_FAILED',
    `The ${eventName} handler failed: ${describeThrown(error)}`,
    { cause: error },
  );
}

/** `CC_ERR_HANDLER_FAILED` (500, "Unexpected error") for a value that is no coded error. */
function unexpected(error: unknown): CallControlError {
  return new CallControlError('CC_ERR_HANDLER_FAILED', 'Unexpected error', { cause: error });
}

/**
 * `error` as a {@link CallControlError} of this module: itself; a copy of another module's (the
 * CommonJS and ES builds both loaded) with a known code rebuilt from its code, message, headers
 * and `expose`, the copy as its `cause`; anything else {@link unexpected}. May throw for a value
 * whose fields throw when read (the caller falls back to {@link unexpected}).
 */
function codedError(error: unknown): CallControlError {
  if (error instanceof CallControlError) return error;
  if (!isCallControlError(error) || !Object.hasOwn(ERROR_CODES, error.code)) {
    return unexpected(error);
  }
  const headers: Record<string, string> = {};
  const given: unknown = error.headers;
  if (typeof given === 'object' && given !== null) {
    for (const [name, value] of Object.entries(given)) {
      if (typeof value === 'string') headers[name] = value;
    }
  }
  return new CallControlError(error.code, describeThrown(error), {
    cause: error,
    headers,
    ...(typeof error.expose === 'boolean' ? { expose: error.expose } : {}),
  });
}

/** The stderr line's fields for an error (see {@link problemLine}). */
function problemOf(
  provider: string,
  error: CallControlError,
  event: WebhookEvent | undefined,
  outcome: 'refused' | 'fallback' | 'error',
): ProblemLine {
  const cause = error.cause;
  let message = error.message;
  // A store's own error says why it failed; a handler's is already in the message. Read only
  // through describeThrown: a handler may throw anything, a Proxy whose traps throw included.
  const reason = describeCause(cause);
  if (reason !== undefined && !message.includes(reason)) message = `${message}: ${reason}`;
  return {
    provider,
    event: event?.name,
    outcome,
    status: outcome === 'refused' ? error.status : outcome === 'fallback' ? 200 : undefined,
    code: error.code,
    message,
    at: error.code === 'CC_ERR_HANDLER_FAILED' ? firstStackFrame(cause) : undefined,
  };
}

/** An `Error` cause's message (never throwing); `undefined` for anything else or an empty one. */
function describeCause(cause: unknown): string | undefined {
  let isError: boolean;
  try {
    isError = cause instanceof Error;
  } catch {
    return undefined;
  }
  if (!isError) return undefined;
  const reason = describeThrown(cause);
  return reason === '' ? undefined : reason;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

/** What kind of value a handler returned (`null`, `an array`, `an object`, `a string`…); never throws. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  try {
    // Array.isArray throws for a revoked Proxy.
    return Array.isArray(value) ? 'an array' : 'an object';
  } catch {
    return 'an object';
  }
}
