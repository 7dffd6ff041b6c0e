/**
 * Where an app keeps what outlives one request: the replies of handled deliveries (so that a
 * delivery the provider repeats is answered with the same reply, and its handler runs once) and
 * per-call sessions (state shared by the events of one call).
 *
 * {@link MemoryStore} (the default) keeps them in this process, bounded in entries and bytes;
 * the Redis store (`callcontrol`'s `RedisStore`) shares them between the instances of an app
 * behind a load balancer. Both pass one contract test suite (`test/stores/contract.ts`).
 *
 * @module
 */
import { LRUCache } from 'lru-cache';
import type { SessionValue } from './types';

export type { SessionValue } from './types';

/** A reply as it is stored for a delivery and sent again to its repetitions. */
export interface StoredReply {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, as UTF-8 text (callcontrol's answers are XML). */
  readonly body: string;
}

/**
 * What {@link CallStore.claim} found:
 * - `claimed`: nobody handled this delivery yet; the caller now owns it and must
 *   {@link CallStore.complete} or {@link CallStore.release} it;
 * - `pending`: another request (in this or another instance) is handling it right now;
 * - `done`: it was handled; `reply` is what was answered.
 */
export type ClaimResult =
  | { readonly state: 'claimed' }
  | { readonly state: 'pending' }
  | { readonly state: 'done'; readonly reply: StoredReply };

/**
 * The storage behind duplicate detection and sessions. Keys are opaque strings built by the
 * core (`<provider>:<event>:<call id>:<hash>` for deliveries, `<provider>:<call id>` for calls).
 * All times are in **milliseconds**. Methods reject only when the storage itself fails (e.g.
 * Redis is unreachable); the core then answers without duplicate detection rather than fail a
 * call.
 */
export interface CallStore {
  /** Claims a delivery for `ttlMs` unless it is pending or done (atomic across instances). */
  claim(key: string, ttlMs: number): Promise<ClaimResult>;
  /** Stores the reply of a claimed delivery, kept for `ttlMs`. */
  complete(key: string, reply: StoredReply, ttlMs: number): Promise<void>;
  /** Gives a claimed delivery up without a reply, so that a repetition is handled anew. */
  release(key: string): Promise<void>;
  /**
   * Waits until a pending delivery is done and resolves with its reply; `undefined` when
   * `timeoutMs` passes first or the claim was released.
   */
  waitFor(key: string, timeoutMs: number): Promise<StoredReply | undefined>;
  /** One field of a call's session; `undefined` when absent. */
  sessionGet(callKey: string, field: string): Promise<SessionValue | undefined>;
  /** Every field of a call's session (`{}` when there is none). */
  sessionGetAll(callKey: string): Promise<Record<string, SessionValue>>;
  /** Sets one field; the session then lives for `ttlMs` from now. */
  sessionSet(callKey: string, field: string, value: SessionValue, ttlMs: number): Promise<void>;
  /** Removes one field. */
  sessionDelete(callKey: string, field: string): Promise<void>;
  /** Sets how long the session lives from now (e.g. a short grace after the call ended). */
  sessionExpire(callKey: string, ttlMs: number): Promise<void>;
  /** Frees what the store holds (connections, timers). */
  close(): Promise<void>;
}

/**
 * A session's fields as a plain object, each JSON text read with `parse`. A field named
 * `__proto__` is a field like any other, not the object's prototype. For store implementations.
 */
export function sessionRecord(
  fields: Iterable<readonly [string, string]>,
  parse: (text: string, field: string) => SessionValue,
): Record<string, SessionValue> {
  const all: Record<string, SessionValue> = {};
  for (const [field, text] of fields) {
    Object.defineProperty(all, field, {
      value: parse(text, field),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return all;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most deliveries remembered at once (least recently used go first). Default 100000. */
  readonly maxDeliveries?: number;
  /** Most calls with a session at once. Default 100000. */
  readonly maxSessions?: number;
  /**
   * Most bytes of session data (JSON text of the values) held at once; the least recently used
   * sessions go first. Default 64 MiB.
   */
  readonly maxSessionBytes?: number;
}

/**
 * A delivery in the memory store: {@link PENDING} while handled, then its reply itself (one
 * object less per remembered delivery than a `{ state, reply }` wrapper).
 */
type Delivery = StoredReply;

/** The delivery is being handled. */
const PENDING: StoredReply = Object.freeze({ status: 0, headers: Object.freeze({}), body: '' });

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen <= 0) {
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}`);
  }
  return chosen;
}

function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * The default {@link CallStore}: this process's memory, bounded (lru-cache) in deliveries,
 * sessions and session bytes. Enough for one instance; use the Redis store when several
 * instances serve one provider.
 *
 * @throws {TypeError} for limits that are not positive whole numbers
 */
export class MemoryStore implements CallStore {
  readonly #deliveries: LRUCache<string, Delivery>;
  // A session is one string, the JSON of its [field, value] pairs: a Map and a string per field
  // cost about twice the memory (see docs/performance.md).
  readonly #sessions: LRUCache<string, string>;
  readonly #waiters = new Map<string, Set<(reply: StoredReply | undefined) => void>>();

  constructor(options: MemoryStoreOptions = {}) {
    this.#deliveries = new LRUCache<string, Delivery>({
      max: positive('maxDeliveries', options.maxDeliveries, 100_000),
      ttlAutopurge: false,
    });
    this.#sessions = new LRUCache<string, string>({
      max: positive('maxSessions', options.maxSessions, 100_000),
      maxSize: positive('maxSessionBytes', options.maxSessionBytes, 64 * 1024 * 1024),
      sizeCalculation: (session, key) => key.length + session.length + 16,
      ttlAutopurge: false,
    });
  }

  /** @inheritdoc */
  async claim(key: string, ttlMs: number): Promise<ClaimResult> {
    const found = this.#deliveries.get(key);
    if (found !== undefined) {
      return found === PENDING ? { state: 'pending' } : { state: 'done', reply: found };
    }
    this.#deliveries.set(key, PENDING, { ttl: ttl(ttlMs) });
    return { state: 'claimed' };
  }

  /** @inheritdoc */
  async complete(key: string, reply: StoredReply, ttlMs: number): Promise<void> {
    this.#deliveries.set(key, reply, { ttl: ttl(ttlMs) });
    this.#wake(key, reply);
  }

  /** @inheritdoc */
  async release(key: string): Promise<void> {
    if (this.#deliveries.get(key) === PENDING) this.#deliveries.delete(key);
    this.#wake(key, undefined);
  }

  /** @inheritdoc */
  waitFor(key: string, timeoutMs: number): Promise<StoredReply | undefined> {
    const found = this.#deliveries.get(key);
    if (found === undefined) return Promise.resolve(undefined);
    if (found !== PENDING) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(key) ?? new Set();
      this.#waiters.set(key, waiters);
      const done = (reply: StoredReply | undefined): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(key);
        resolve(reply);
      };
      const timer = setTimeout(() => done(undefined), Math.max(0, timeoutMs));
      waiters.add(done);
    });
  }

  #wake(key: string, reply: StoredReply | undefined): void {
    for (const waiter of [...(this.#waiters.get(key) ?? [])]) waiter(reply);
  }

  #read(callKey: string): [string, SessionValue][] {
    const text = this.#sessions.get(callKey);
    return text === undefined ? [] : (JSON.parse(text) as [string, SessionValue][]);
  }

  /** @inheritdoc */
  async sessionGet(callKey: string, field: string): Promise<SessionValue | undefined> {
    return this.#read(callKey).find(([name]) => name === field)?.[1];
  }

  /** @inheritdoc */
  async sessionGetAll(callKey: string): Promise<Record<string, SessionValue>> {
    return sessionRecord(
      this.#read(callKey).map(([field, value]) => [field, JSON.stringify(value)] as const),
      (text) => JSON.parse(text) as SessionValue,
    );
  }

  /** @inheritdoc */
  async sessionSet(
    callKey: string,
    field: string,
    value: SessionValue,
    ttlMs: number,
  ): Promise<void> {
    const pairs = this.#read(callKey).filter(([name]) => name !== field);
    // Through JSON, so the stored value is a copy and a value with no JSON form throws now.
    pairs.push([field, JSON.parse(JSON.stringify(value)) as SessionValue]);
    this.#sessions.set(callKey, JSON.stringify(pairs), { ttl: ttl(ttlMs) });
  }

  /** @inheritdoc */
  async sessionDelete(callKey: string, field: string): Promise<void> {
    const pairs = this.#read(callKey);
    const left = pairs.filter(([name]) => name !== field);
    if (left.length === pairs.length) return;
    if (left.length === 0) {
      this.#sessions.delete(callKey);
      return;
    }
    const remaining = this.#sessions.getRemainingTTL(callKey);
    this.#sessions.set(callKey, JSON.stringify(left), { ttl: ttl(remaining) });
  }

  /** @inheritdoc */
  async sessionExpire(callKey: string, ttlMs: number): Promise<void> {
    const session = this.#sessions.get(callKey);
    if (session !== undefined) this.#sessions.set(callKey, session, { ttl: ttl(ttlMs) });
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    for (const key of [...this.#waiters.keys()]) this.#wake(key, undefined);
    this.#deliveries.clear();
    this.#sessions.clear();
  }
}
