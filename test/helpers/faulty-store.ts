/**
 * A store double for fault tests: wraps any {@link CallStore} (a fresh `MemoryStore` by default)
 * and, on command, makes its methods stall (never settle), fail (reject at once) or answer late,
 * then recover — the ways a Redis that is stopped (`kill -STOP`), killed or slow looks to the
 * app.
 *
 * ```ts
 * const store = faultyStore();
 * const calls = placetel.createApp({ ...options, store });
 * store.stall(); // every call from now on never settles …
 * store.recover(); // … until now: stalled calls go on against the inner store, as Redis resumes
 * ```
 *
 * The wrapper is built from the inner store's methods (whatever the `CallStore` interface holds),
 * so it keeps up with the interface. `close()` is never faulted: it closes the inner store.
 */
import { MemoryStore, type CallStore } from '../../src/core/store';

/** How the double answers right now. */
export type FaultMode = 'ok' | 'stall' | 'fail' | 'delay';

/** What a call of the double did, in order (see {@link FaultControls.log}). */
export interface FaultyCall {
  /** The method, e.g. `'claim'`. */
  readonly method: string;
  /** The mode it met. */
  readonly mode: FaultMode;
  /** `performance.now()` when it was called. */
  readonly at: number;
}

/** The controls of a {@link FaultyStore}. */
export interface FaultControls {
  /** The inner store the double forwards to. */
  readonly inner: CallStore;
  /** The current mode. */
  readonly mode: FaultMode;
  /**
   * From now on, calls of `methods` (default: every method but `close`) never settle until
   * {@link FaultControls.recover}.
   */
  stall(methods?: readonly string[]): void;
  /**
   * From now on, calls of `methods` (default: every method but `close`) reject at once with
   * `error` (default `Error('faulty store: failing')`).
   */
  fail(error?: Error, methods?: readonly string[]): void;
  /** From now on, calls of `methods` (default: all but `close`) answer `ms` milliseconds late. */
  delay(ms: number, methods?: readonly string[]): void;
  /**
   * Back to normal. Calls stalled so far go on against the inner store (as a stopped Redis
   * answers its queued commands when it resumes), unless `dropStalled` is `true`: then they
   * never settle.
   */
  recover(options?: { readonly dropStalled?: boolean }): void;
  /** Calls that are stalled right now. */
  readonly stalled: number;
  /** Every call so far, in order. */
  readonly log: readonly FaultyCall[];
  /** How many calls of `method` were made (all methods when omitted). */
  count(method?: string): number;
}

/** A {@link CallStore} with {@link FaultControls}. */
export type FaultyStore = CallStore & FaultControls;

const DEFAULT_ERROR_MESSAGE = 'faulty store: failing';

/** Every method name of `store`, own and inherited (a class instance or a plain object). */
function methodNames(store: object): string[] {
  const names = new Set<string>();
  for (
    let level: object | null = store;
    level !== null && level !== Object.prototype;
    level = Object.getPrototypeOf(level) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(level)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(level, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/**
 * Wraps `inner` (default: a new `MemoryStore`) in a store double that stalls, fails or delays
 * on command. See the module's description.
 */
export function faultyStore(inner: CallStore = new MemoryStore()): FaultyStore {
  let mode: FaultMode = 'ok';
  let affected: ReadonlySet<string> | undefined; // undefined: every method but close
  let error = new Error(DEFAULT_ERROR_MESSAGE);
  let delayMs = 0;
  let stalled: (() => void)[] = [];
  const log: FaultyCall[] = [];

  const applies = (method: string): boolean =>
    method !== 'close' && (affected === undefined || affected.has(method));

  const call = (method: string, run: () => Promise<unknown>): Promise<unknown> => {
    const current = applies(method) ? mode : 'ok';
    log.push({ method, mode: current, at: performance.now() });
    switch (current) {
      case 'ok':
        return run();
      case 'fail':
        return Promise.reject(error);
      case 'delay':
        return new Promise((resolve) => setTimeout(resolve, delayMs)).then(run);
      case 'stall':
        return new Promise((resolve, reject) => {
          stalled.push(() => run().then(resolve, reject));
        });
    }
  };

  const setMode = (next: FaultMode, methods: readonly string[] | undefined): void => {
    mode = next;
    affected = methods === undefined ? undefined : new Set(methods);
  };

  const controls: FaultControls = {
    inner,
    get mode() {
      return mode;
    },
    stall(methods) {
      setMode('stall', methods);
    },
    fail(failure, methods) {
      error = failure ?? new Error(DEFAULT_ERROR_MESSAGE);
      setMode('fail', methods);
    },
    delay(ms, methods) {
      delayMs = ms;
      setMode('delay', methods);
    },
    recover(options = {}) {
      setMode('ok', undefined);
      const resumed = stalled;
      stalled = [];
      if (options.dropStalled !== true) for (const resume of resumed) resume();
    },
    get stalled() {
      return stalled.length;
    },
    log,
    count(method) {
      return method === undefined ? log.length : log.filter((c) => c.method === method).length;
    },
  };

  const store: Record<string, unknown> = {};
  for (const name of methodNames(inner)) {
    const method = (inner as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[
      name
    ];
    if (method === undefined) continue;
    store[name] = (...args: unknown[]) => call(name, () => method.apply(inner, args));
  }
  Object.defineProperties(store, Object.getOwnPropertyDescriptors(controls));
  return store as unknown as FaultyStore;
}
