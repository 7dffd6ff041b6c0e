/**
 * The store guard: every call an app makes to its {@link CallStore} goes through one, so that a
 * store that stalls (Redis stopped: nothing errors, nothing answers), fails (Redis killed) or
 * recovers never holds a call past its answer deadline, whatever store it is — `MemoryStore`,
 * `RedisStore` or one of your own.
 *
 * - **Bounded calls.** Each call is given up after a bound the app computes from what is left of
 *   the answer deadline and {@link STORE_TIMEOUT_MS}; the app then answers without the store.
 *   The store's own promise is left to settle (or not) on its own; its outcome is ignored.
 * - **Circuit breaker.** After {@link BREAKER_FAILURES} failures or timeouts in a row the
 *   breaker opens: calls are not made at all (they resolve at once as `open`) for
 *   {@link BREAKER_COOL_DOWN_MS}; then one call goes through as a probe (the others still
 *   resolve `open` while it runs); its success closes the breaker, its failure opens it again.
 *   So a store that is down costs one probe per cool-down, and its recovery is noticed without a
 *   restart.
 * - **One report per outage.** The first failure after the store was healthy starts an outage:
 *   that call's result says `outageStarted`, and its caller reports `CC_ERR_STORE_UNAVAILABLE`;
 *   later failures do not. The outage ends after {@link RECOVERY_SUCCESSES} successes in a row
 *   (one call with a session write and its duplicate check is enough), and the guard's
 *   `onRecovery` hears it once.
 *
 * @module
 */
import type { CallStore } from './store';

/** Most a store call on a request's path is waited for: 500 ms (less when the deadline is near). */
export const STORE_TIMEOUT_MS = 500;

/**
 * A handler's session calls resolve at least this long before the answer deadline, so that the
 * handler can still answer in time: 100 ms.
 */
export const SESSION_MARGIN_MS = 100;

/**
 * The lease a delivery is claimed under: 1500 ms, renewed every {@link LEASE_RENEW_MS} while its
 * handler works. When the instance holding it dies, a retry elsewhere claims it at most this
 * long after the last renewal.
 */
export const LEASE_MS = 1500;

/** How often the holder of a delivery renews its lease: every 500 ms (a third of the lease). */
export const LEASE_RENEW_MS = 500;

/** Failures or timeouts in a row that open the breaker: 3. */
export const BREAKER_FAILURES = 3;

/** How long an open breaker lets no call through before it tries one (a probe): 1000 ms. */
export const BREAKER_COOL_DOWN_MS = 1000;

/** Successes in a row that end an outage (and its report): 3. */
export const RECOVERY_SUCCESSES = 3;

/**
 * A timeout given up with a bound shorter than this (a handler calling its session just before
 * its deadline) says nothing about the store, and is not counted: 100 ms.
 */
export const MIN_COUNTED_BOUND_MS = 100;

/** The state of a guard's circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * What a guarded call gave: the store's value, or why there is none —
 * `failed` (the store rejected: `error`), `timeout` (no answer within the bound), `open` (the
 * breaker let the call not through; nothing was asked). `outageStarted` is `true` for the one
 * failure that starts an outage: its caller reports it.
 */
export type GuardedResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: 'failed' | 'timeout' | 'open';
      readonly error: Error | undefined;
      readonly outageStarted: boolean;
    };

/** Options of {@link StoreGuard}; every time in milliseconds. */
export interface StoreGuardOptions {
  /** Failures or timeouts in a row that open the breaker. Default {@link BREAKER_FAILURES}. */
  readonly failures?: number;
  /** How long the breaker stays open before a probe. Default {@link BREAKER_COOL_DOWN_MS}. */
  readonly coolDownMs?: number;
  /** Successes in a row that end an outage. Default {@link RECOVERY_SUCCESSES}. */
  readonly recoverySuccesses?: number;
  /** Called once when an outage ends, with how long it lasted in milliseconds. */
  readonly onRecovery?: (outageMs: number) => void;
  /** The breaker's clock, `performance.now()` by default (for tests). */
  readonly now?: () => number;
}

/** Why a store call was given up: it did not answer within its bound. */
export class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';
}

/**
 * Guards one {@link CallStore} (see the module's description). Never rejects: a store that
 * throws synchronously, rejects with something that is not an `Error`, or never settles gives a
 * result with `ok: false`.
 */
export class StoreGuard {
  /** The store guarded. */
  readonly store: CallStore;
  readonly #failuresToOpen: number;
  readonly #coolDownMs: number;
  readonly #recoverySuccesses: number;
  readonly #onRecovery: ((outageMs: number) => void) | undefined;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  #outageSince: number | undefined;
  #successes = 0;
  /** Calls in flight (each settles within its bound), for {@link StoreGuard.settled}. */
  readonly #inFlight = new Set<Promise<unknown>>();

  /** @throws {TypeError} for options that are not positive whole numbers */
  constructor(store: CallStore, options: StoreGuardOptions = {}) {
    this.store = store;
    this.#failuresToOpen = whole('failures', options.failures, BREAKER_FAILURES);
    this.#coolDownMs = whole('coolDownMs', options.coolDownMs, BREAKER_COOL_DOWN_MS);
    this.#recoverySuccesses = whole(
      'recoverySuccesses',
      options.recoverySuccesses,
      RECOVERY_SUCCESSES,
    );
    this.#onRecovery = options.onRecovery;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The breaker's state right now (an open breaker whose cool-down passed reads `half-open`). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#coolDownMs) {
      return 'half-open';
    }
    return this.#state;
  }

  /** Whether an outage is going on (reported, not yet over). */
  get outage(): boolean {
    return this.#outageSince !== undefined;
  }

  /**
   * Calls `work` unless the breaker is open, and gives up waiting for it after `boundMs`
   * milliseconds (a bound ≤ 0 asks nothing: `timeout` at once, not counted). Resolves with the
   * value or with why there is none; never rejects. `work` may also return a plain value (a
   * store that answers synchronously): no timer is armed then.
   *
   * The bound's timer is armed only when `work`'s promise has not settled by the end of the
   * current run of microtasks (a memory store's promise has: it costs no timer). Node's timers
   * count from the event loop's time at the start of the current tick, so a timer armed there
   * fires when one armed at the call would.
   */
  run<T>(boundMs: number, work: () => PromiseLike<T> | T): Promise<GuardedResult<T>> {
    if (!(boundMs > 0)) {
      return Promise.resolve({
        ok: false,
        reason: 'timeout',
        error: undefined,
        outageStarted: false,
      });
    }
    if (!this.#admit()) {
      return Promise.resolve({ ok: false, reason: 'open', error: undefined, outageStarted: false });
    }
    const probe = this.#state === 'half-open';
    let started: PromiseLike<T> | T;
    try {
      started = work();
    } catch (error) {
      return Promise.resolve(
        this.#record({ ok: false, timedOut: false, error: asError(error) }, boundMs, probe),
      );
    }
    if (!isThenable(started)) {
      return Promise.resolve(this.#record({ ok: true, value: started }, boundMs, probe));
    }
    const pending = started;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let settle!: (result: GuardedResult<T>) => void;
    const result = new Promise<GuardedResult<T>>((resolve) => (settle = resolve));
    const finish = (
      outcome: { ok: true; value: T } | { ok: false; timedOut: boolean; error: Error },
    ): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      this.#inFlight.delete(result);
      settle(this.#record(outcome, boundMs, probe));
    };
    try {
      pending.then(
        (value) => finish({ ok: true, value }),
        (error: unknown) => finish({ ok: false, timedOut: false, error: asError(error) }),
      );
    } catch (error) {
      // A thenable whose `then` throws: a failed call.
      finish({ ok: false, timedOut: false, error: asError(error) });
    }
    if (done) return result;
    this.#inFlight.add(result);
    // After the microtasks queued now (a settled promise's callbacks among them) have run.
    process.nextTick(() => {
      if (done) return;
      timer = setTimeout(() => {
        finish({
          ok: false,
          timedOut: true,
          error: new StoreTimeoutError(`the store did not answer within ${Math.ceil(boundMs)} ms`),
        });
      }, boundMs);
    });
    return result;
  }

  /**
   * Resolves `true` once every call in flight settled (each does within its bound), `false`
   * after `ms` milliseconds — for a graceful close that lets the writes after the last replies
   * (stored replies, session TTLs) finish before the store is closed.
   */
  async settled(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (this.#inFlight.size > 0) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#inFlight]),
        new Promise((resolve) => (timer = setTimeout(resolve, left))),
      ]);
      clearTimeout(timer);
    }
    return true;
  }

  /** Whether a call may go to the store now; an open breaker past its cool-down admits a probe. */
  #admit(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#probing) return false;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#coolDownMs) return false;
      this.#state = 'half-open';
    }
    this.#probing = true;
    return true;
  }

  #record<T>(
    outcome: { ok: true; value: T } | { ok: false; timedOut: boolean; error: Error },
    boundMs: number,
    probe: boolean,
  ): GuardedResult<T> {
    if (probe) this.#probing = false;
    if (outcome.ok) {
      this.#failures = 0;
      if (this.#state !== 'closed') this.#state = 'closed';
      if (this.#outageSince !== undefined && ++this.#successes >= this.#recoverySuccesses) {
        const lasted = this.#now() - this.#outageSince;
        this.#outageSince = undefined;
        this.#successes = 0;
        try {
          this.#onRecovery?.(lasted);
        } catch {
          // A failing listener must not take the call down with it.
        }
      }
      return outcome;
    }
    const reason = outcome.timedOut ? 'timeout' : 'failed';
    if (outcome.timedOut && boundMs < MIN_COUNTED_BOUND_MS && !probe) {
      return { ok: false, reason, error: outcome.error, outageStarted: false };
    }
    this.#successes = 0;
    this.#failures++;
    if (probe || this.#failures >= this.#failuresToOpen) {
      this.#state = 'open';
      this.#openedAt = this.#now();
    }
    const outageStarted = this.#outageSince === undefined;
    if (outageStarted) this.#outageSince = this.#now();
    return { ok: false, reason, error: outcome.error, outageStarted };
  }
}

function isThenable<T>(value: PromiseLike<T> | T): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function asError(error: unknown): Error {
  let text: string;
  try {
    if (error instanceof Error) return error;
    text = String(error);
  } catch {
    text = 'a value that cannot be shown';
  }
  return new Error(`the store rejected with ${text}`);
}

function whole(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen <= 0) {
    throw new TypeError(
      `StoreGuard: ${name} must be a positive whole number, got ${String(value)}`,
    );
  }
  return chosen;
}
