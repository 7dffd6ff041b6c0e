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
import { randomUUID } from 'node:crypto';
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
 * - `claimed`: nobody holds this delivery; the caller now holds it under a lease of `leaseMs`,
 *   identified by `token`, and must {@link CallStore.complete} or {@link CallStore.release} it
 *   (renewing the lease with {@link CallStore.renew} while it works);
 * - `pending`: another request (in this or another instance) holds a lease on it right now;
 * - `done`: it was handled; `reply` is what was answered.
 */
export type ClaimResult =
  | { readonly state: 'claimed'; readonly token: string }
  | { readonly state: 'pending' }
  | { readonly state: 'done'; readonly reply: StoredReply };

/**
 * What {@link CallStore.claimWithRecord} found: the claim, and the call's record (its
 * once-per-call events, a session in the store's session space) as it was in the same step —
 * `{}` when the claim is not `claimed` (the core reads it only for a claimed delivery).
 */
export interface RecordedClaim {
  /** As {@link CallStore.claim} resolves. */
  readonly claim: ClaimResult;
  /**
   * As {@link CallStore.sessionGetAll} of the record key resolves; `undefined` when the record
   * could not be read (a value the store cannot parse), where `sessionGetAll` would reject: the
   * claim stands, and the core refuses nothing for want of a record.
   */
  readonly record: Record<string, SessionValue> | undefined;
}

/**
 * One field a completion writes into its call's record ({@link CallStore.completeWithRecord}),
 * as {@link CallStore.sessionSet} would: `field` set to `value` under the session key
 * `callKey`, which then lives `ttlMs` **milliseconds** from now.
 */
export interface RecordWrite {
  /** The record's key in the session space (`<provider>#<call id>`). */
  readonly callKey: string;
  /** The field, e.g. the event name or `#ended`. */
  readonly field: string;
  /** Its value (JSON). */
  readonly value: SessionValue;
  /** How long the record lives from now, in milliseconds. */
  readonly ttlMs: number;
}

/**
 * The storage behind duplicate detection and sessions. Keys are opaque strings built by the
 * core (`<provider>:<hash>` for deliveries, `<provider>:<call id>` for calls). All times are in
 * **milliseconds**.
 *
 * **Deliveries** are claimed under a short **lease** (the core asks for 1500 ms and renews it
 * every 500 ms while the handler works), so that a delivery whose owner crashed becomes
 * claimable again soon, and a retry reaching another instance runs the handler. A claim hands
 * out a `token` (any unguessable string, e.g. `crypto.randomUUID()`); `renew`, `complete` and
 * `release` act only for the holder of the token, so an owner whose lease lapsed cannot undo
 * the work of the one that claimed the delivery after it. A delivery is in one of three states —
 * absent, leased (`pending`, with its token and a TTL of the lease), done (the reply, with a TTL
 * of the duplicate window) — and every transition is atomic across the instances sharing the
 * store. A store for one process can keep a map; `MemoryStore` and `RedisStore` are the
 * reference implementations, and `test/stores/contract.ts` is the contract as tests.
 *
 * Methods reject only when the storage itself fails (e.g. Redis is unreachable). The core
 * bounds every call by the answer deadline and a store timeout, stops calling a store that keeps
 * failing for a while (circuit breaker), and answers without it meanwhile: no duplicate
 * detection, sessions read as empty (see `docs/reliability.md`, "Faults"). A store need not
 * time its own calls out for that, but one holding connections should (as `RedisStore` does),
 * so that calls given up on do not pile up.
 */
export interface CallStore {
  /**
   * Claims a delivery unless it is leased or done (atomic across instances): an absent delivery
   * becomes leased for `leaseMs` under a new token, returned with `claimed`.
   */
  claim(key: string, leaseMs: number): Promise<ClaimResult>;
  /**
   * Extends the lease of a delivery held under `token` to `leaseMs` from now. Resolves `true`
   * when it did, `false` when the delivery is no longer leased under `token` (the lease lapsed,
   * or it was completed or released).
   */
  renew(key: string, token: string, leaseMs: number): Promise<boolean>;
  /**
   * Stores the reply of a delivery, kept for `ttlMs`, when it is leased under `token` or absent
   * (the lease lapsed and nobody claimed it since); otherwise — leased under another token, or
   * done — leaves it as it is. Waiters get the stored reply.
   */
  complete(key: string, token: string, reply: StoredReply, ttlMs: number): Promise<void>;
  /**
   * Gives a delivery leased under `token` up without a reply (its handling failed), so that a
   * repetition is handled anew; does nothing otherwise. Waiters resolve `undefined`.
   */
  release(key: string, token: string): Promise<void>;
  /**
   * Waits while a delivery is leased, and resolves with its reply once it is done; `undefined`
   * when it is absent, becomes absent (released, or its lease lapsed: noticed within the
   * lease's own time, not only at `timeoutMs`), or `timeoutMs` passes first.
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
  /**
   * Optional. The key under which the core keeps the delivery `key` of the call `callKey`
   * (`<provider>:<call id>`), when the store wants a call's deliveries beside its sessions
   * (`RedisStore`: in the call's Redis Cluster hash slot). It must be a pure function of its
   * arguments, equal in every instance, and distinct for distinct `key`s. The core asks it once
   * per delivery and then uses its answer for every delivery method. Without it: `key` itself.
   */
  deliveryKeyOf?(callKey: string, key: string): string;
  /**
   * Optional. {@link CallStore.claim} of `key` and {@link CallStore.sessionGetAll} of
   * `recordKey` as one operation (one round trip to a remote store); the claim keeps its
   * atomicity. The core uses it, when present, for deliveries of once-per-call events.
   */
  claimWithRecord?(key: string, leaseMs: number, recordKey: string): Promise<RecordedClaim>;
  /**
   * Optional. {@link CallStore.complete} and, when `record` is given, the
   * {@link CallStore.sessionSet} it describes (done whether or not the reply was stored, as two
   * separate calls would) as one operation. The core uses it, when present, instead of the two.
   */
  completeWithRecord?(
    key: string,
    token: string,
    reply: StoredReply,
    ttlMs: number,
    record: RecordWrite | undefined,
  ): Promise<void>;
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

/** A delivery that is being handled: leased under `token`. */
class Lease {
  constructor(readonly token: string) {}
}

/**
 * A delivery in the memory store: a {@link Lease} while handled, then its reply itself (one
 * object less per remembered delivery than a `{ state, reply }` wrapper).
 */
type Delivery = Lease | StoredReply;

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen <= 0) {
    throw new TypeError(`${name} must be a positive whole number, got ${String(value)}`);
  }
  return chosen;
}

/** Most distinct replies {@link MemoryStore} keeps for sharing between deliveries. */
const SHARED_REPLIES = 256;

function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * `text` as one flat string. V8's `JSON.stringify` returns text longer than 32 characters as a
 * rope (parts joined by cons strings: for a 156-character session 3 parts and 2 joins, 96 bytes
 * more than the flat text); reading a character flattens it in place, and the next garbage
 * collection drops the rope's nodes.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/**
 * The bytes a session counts against `maxSessionBytes`: its key and stored text (UTF-16 code
 * units) and 16 for the entry.
 */
function sessionSize(callKey: string, text: string): number {
  return callKey.length + text.length + 16;
}

/**
 * The fields of a stored session text (`<expiry, base 36><JSON object>`); `JSON.parse` makes a
 * field named `__proto__` an own field, not the object's prototype.
 */
function fieldsOf(text: string): Record<string, SessionValue> {
  return JSON.parse(text.slice(text.indexOf('{'))) as Record<string, SessionValue>;
}

/**
 * The default {@link CallStore}: this process's memory, bounded in deliveries (lru-cache),
 * sessions and session bytes (least recently used first). Enough for one instance; use the Redis
 * store when several instances serve one provider.
 *
 * A session is one map entry: the call key → one flat string, the time it expires
 * (`performance.now()` milliseconds, base 36) followed by the JSON object of its fields — about
 * 37 bytes of map entry beside the text, where an lru-cache entry with a TTL and a size costs 89
 * (see docs/performance.md). The map's order is the order of use: a read or write moves the
 * session to its end, and the first session goes when a limit is reached. An expired session is
 * removed when it is next read or written, or when it is the least recently used.
 *
 * @throws {TypeError} for limits that are not positive whole numbers
 */
export class MemoryStore implements CallStore {
  readonly #deliveries: LRUCache<string, Delivery>;
  /** Call key → `<expiry, base 36><JSON object of the fields>`, least recently used first. */
  readonly #sessions = new Map<string, string>();
  readonly #maxSessions: number;
  readonly #maxSessionBytes: number;
  /** The bytes counted for the sessions held ({@link sessionSize}). */
  #sessionBytes = 0;
  /**
   * The key of the session used last (the map's last), which a read or write leaves in place: a
   * map entry deleted and set again leaves a hole in V8's table until it is rebuilt, and moving
   * every used session doubled the table (73 instead of 37 bytes per session).
   */
  #newest: string | undefined;
  /** The iterator {@link MemoryStore.#evict} takes the least recently used sessions from. */
  #oldest: MapIterator<[string, string]> | undefined;
  readonly #waiters = new Map<string, Set<(reply: StoredReply | undefined) => void>>();
  /**
   * Replies remembered recently, by body: most deliveries are answered with one of a few
   * documents, so a remembered delivery shares the stored reply of an equal one instead of
   * keeping its own copy of the text (at most {@link SHARED_REPLIES} kept; cleared when full).
   */
  readonly #shared = new Map<string, StoredReply>();

  constructor(options: MemoryStoreOptions = {}) {
    this.#deliveries = new LRUCache<string, Delivery>({
      max: positive('maxDeliveries', options.maxDeliveries, 100_000),
      ttlAutopurge: false,
    });
    this.#maxSessions = positive('maxSessions', options.maxSessions, 100_000);
    this.#maxSessionBytes = positive('maxSessionBytes', options.maxSessionBytes, 64 * 1024 * 1024);
  }

  /** @inheritdoc */
  async claim(key: string, leaseMs: number): Promise<ClaimResult> {
    return this.#claim(key, leaseMs);
  }

  /**
   * {@link MemoryStore.claim} and, for a claimed delivery, the record's fields in one step (one
   * promise and one guarded store call instead of two); `record` is `{}` when the delivery is
   * pending or done.
   */
  async claimWithRecord(key: string, leaseMs: number, recordKey: string): Promise<RecordedClaim> {
    const claim = this.#claim(key, leaseMs);
    return { claim, record: claim.state === 'claimed' ? this.#fields(recordKey) : {} };
  }

  #claim(key: string, leaseMs: number): ClaimResult {
    const found = this.#deliveries.get(key);
    if (found !== undefined) {
      return found instanceof Lease ? { state: 'pending' } : { state: 'done', reply: found };
    }
    const token = randomUUID();
    // Kept as one flat string: a key built by concatenation (a rope) or cut from a request
    // (a slice keeps the whole request text alive) would hold more than its own characters.
    this.#deliveries.set(flat(key), new Lease(token), { ttl: ttl(leaseMs) });
    return { state: 'claimed', token };
  }

  /** The lease of `key` when it is held under `token`. */
  #held(key: string, token: string): Lease | undefined {
    const found = this.#deliveries.get(key);
    return found instanceof Lease && found.token === token ? found : undefined;
  }

  /** @inheritdoc */
  async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    const lease = this.#held(key, token);
    if (lease === undefined) return false;
    this.#deliveries.set(key, lease, { ttl: ttl(leaseMs) });
    return true;
  }

  /** @inheritdoc */
  async complete(key: string, token: string, reply: StoredReply, ttlMs: number): Promise<void> {
    this.#complete(key, token, reply, ttlMs);
  }

  /**
   * {@link MemoryStore.complete} and, when `record` is given, the session write it describes
   * (done whether or not the reply was stored) in one step.
   *
   * @throws {TypeError} (as a rejection) for a record value with no JSON form; the reply is
   *   stored first
   */
  async completeWithRecord(
    key: string,
    token: string,
    reply: StoredReply,
    ttlMs: number,
    record: RecordWrite | undefined,
  ): Promise<void> {
    this.#complete(key, token, reply, ttlMs);
    if (record !== undefined) this.#set(record.callKey, record.field, record.value, record.ttlMs);
  }

  #complete(key: string, token: string, reply: StoredReply, ttlMs: number): void {
    if (this.#deliveries.get(key) !== undefined && this.#held(key, token) === undefined) return;
    const kept = this.#share(reply);
    this.#deliveries.set(key, kept, { ttl: ttl(ttlMs) });
    this.#wake(key, kept);
  }

  /**
   * An equal reply remembered before (same status, headers and body), else `reply` itself, its
   * body flattened, remembered for the next ones.
   */
  #share(reply: StoredReply): StoredReply {
    const known = this.#shared.get(reply.body);
    if (known !== undefined && known.status === reply.status) {
      const a = Object.keys(known.headers);
      const b = reply.headers;
      if (
        known.headers === b ||
        (a.length === Object.keys(b).length && a.every((name) => known.headers[name] === b[name]))
      ) {
        return known;
      }
    }
    if (this.#shared.size >= SHARED_REPLIES) this.#shared.clear();
    flat(reply.body);
    this.#shared.set(reply.body, reply);
    return reply;
  }

  /** @inheritdoc */
  async release(key: string, token: string): Promise<void> {
    if (this.#held(key, token) === undefined) return;
    this.#deliveries.delete(key);
    this.#wake(key, undefined);
  }

  /**
   * Waits while a delivery is leased, and resolves with its reply once it is done; `undefined`
   * when it is absent, becomes absent (released, or its lease lapsed), or `timeoutMs`
   * milliseconds pass first. Woken by `complete` and `release`; a lapsing lease is noticed by a
   * timer set to when it ends (one timer per waiter at a time, cleared on every outcome).
   */
  waitFor(key: string, timeoutMs: number): Promise<StoredReply | undefined> {
    const found = this.#deliveries.get(key);
    if (!(found instanceof Lease)) return Promise.resolve(found);
    const deadline = performance.now() + Math.max(0, timeoutMs);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(key) ?? new Set();
      this.#waiters.set(key, waiters);
      let timer: NodeJS.Timeout | undefined;
      const done = (reply: StoredReply | undefined): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key);
        resolve(reply);
      };
      const look = (): void => {
        const current = this.#deliveries.get(key);
        const left = deadline - performance.now();
        if (!(current instanceof Lease)) done(current);
        else if (left <= 0) done(undefined);
        else {
          // Look again when the lease would end (it may be renewed meanwhile), or at the deadline.
          const leaseLeft = this.#deliveries.getRemainingTTL(key);
          timer = setTimeout(look, Math.max(1, Math.min(left, leaseLeft + 1)));
        }
      };
      waiters.add(done);
      look();
    });
  }

  #wake(key: string, reply: StoredReply | undefined): void {
    for (const waiter of [...(this.#waiters.get(key) ?? [])]) waiter(reply);
  }

  /**
   * The stored text of a live session (moved to the end of the order of use), or `undefined`;
   * an expired one is removed.
   */
  #text(callKey: string): string | undefined {
    const text = this.#sessions.get(callKey);
    if (text === undefined) return undefined;
    if (performance.now() > parseInt(text, 36)) {
      this.#remove(callKey);
      return undefined;
    }
    if (callKey !== this.#newest) {
      // A map keeps the order of insertion: deleted and set again, the session is the last.
      this.#sessions.delete(callKey);
      this.#sessions.set(callKey, text);
      this.#newest = callKey;
    }
    return text;
  }

  /** The fields of a live session (`{}` when there is none). */
  #fields(callKey: string): Record<string, SessionValue> {
    const text = this.#text(callKey);
    return text === undefined ? {} : fieldsOf(text);
  }

  /**
   * Stores `fields` as the session of `callKey`, expiring at `expiresAt` (`performance.now()`
   * milliseconds), as its most recently used; then removes the least recently used sessions
   * while a limit is exceeded. A session larger than `maxSessionBytes` on its own is not kept.
   */
  #write(callKey: string, fields: Record<string, SessionValue>, expiresAt: number): void {
    const text = flat(`${Math.ceil(expiresAt).toString(36)}${JSON.stringify(fields)}`);
    const size = sessionSize(callKey, text);
    if (size > this.#maxSessionBytes) {
      this.#remove(callKey);
      return;
    }
    const old = this.#sessions.get(callKey);
    if (old !== undefined) {
      this.#sessionBytes -= sessionSize(callKey, old);
      // The newest session keeps its place (set replaces its text); any other moves to the end.
      if (callKey !== this.#newest) this.#sessions.delete(callKey);
    }
    // A flat key: the call id is often cut from the request text, which a slice keeps alive.
    this.#sessions.set(flat(callKey), text);
    this.#newest = callKey;
    this.#sessionBytes += size;
    this.#evict();
  }

  /**
   * Removes the least recently used sessions while a limit is exceeded.
   *
   * A map's iteration starts at the front of V8's table and steps over every entry deleted
   * since the table was last rebuilt; in a full store each write evicts the first session and
   * every read moves one to the end, so a new iterator per write stepped over up to tens of
   * thousands of deleted entries (36 % of busy time, docs/performance.md). One iterator is
   * kept while the writes keep evicting: every entry it passed was deleted, so its next entry
   * is the map's first. It is dropped after a write that evicted nothing, so that it does not
   * hold the map's old tables alive.
   */
  #evict(): void {
    if (this.#sessions.size <= this.#maxSessions && this.#sessionBytes <= this.#maxSessionBytes) {
      this.#oldest = undefined;
      return;
    }
    do {
      this.#oldest ??= this.#sessions.entries();
      const next = this.#oldest.next();
      if (next.done === true) {
        // Not while a limit is exceeded: it ends only past the last entry, and it deleted every
        // entry it passed (so the map would be empty).
        this.#oldest = undefined;
        return;
      }
      const [key, text] = next.value;
      this.#sessions.delete(key);
      this.#sessionBytes -= sessionSize(key, text);
    } while (this.#sessions.size > this.#maxSessions || this.#sessionBytes > this.#maxSessionBytes);
  }

  #remove(callKey: string): void {
    const text = this.#sessions.get(callKey);
    if (text === undefined) return;
    this.#sessions.delete(callKey);
    this.#sessionBytes -= sessionSize(callKey, text);
  }

  /** @inheritdoc */
  async sessionGet(callKey: string, field: string): Promise<SessionValue | undefined> {
    const fields = this.#fields(callKey);
    return Object.hasOwn(fields, field) ? fields[field] : undefined;
  }

  /** @inheritdoc */
  async sessionGetAll(callKey: string): Promise<Record<string, SessionValue>> {
    return this.#fields(callKey);
  }

  /** @inheritdoc */
  async sessionSet(
    callKey: string,
    field: string,
    value: SessionValue,
    ttlMs: number,
  ): Promise<void> {
    this.#set(callKey, field, value, ttlMs);
  }

  #set(callKey: string, field: string, value: SessionValue, ttlMs: number): void {
    // Through JSON, so the stored value is a copy and a value with no JSON form throws now.
    const copy = JSON.parse(JSON.stringify(value)) as SessionValue;
    const fields = this.#fields(callKey);
    Object.defineProperty(fields, field, {
      value: copy,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    this.#write(callKey, fields, performance.now() + ttl(ttlMs));
  }

  /** @inheritdoc */
  async sessionDelete(callKey: string, field: string): Promise<void> {
    const text = this.#text(callKey);
    if (text === undefined) return;
    const fields = fieldsOf(text);
    if (!Object.hasOwn(fields, field)) return;
    Reflect.deleteProperty(fields, field);
    if (Object.keys(fields).length === 0) this.#remove(callKey);
    else this.#write(callKey, fields, parseInt(text, 36));
  }

  /** @inheritdoc */
  async sessionExpire(callKey: string, ttlMs: number): Promise<void> {
    const text = this.#text(callKey);
    if (text !== undefined) this.#write(callKey, fieldsOf(text), performance.now() + ttl(ttlMs));
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    for (const key of [...this.#waiters.keys()]) this.#wake(key, undefined);
    this.#deliveries.clear();
    this.#sessions.clear();
    this.#sessionBytes = 0;
    this.#newest = undefined;
    this.#oldest = undefined;
  }
}
