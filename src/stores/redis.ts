/**
 * A {@link CallStore} in Redis (through ioredis 5), so that the instances of an app behind a
 * load balancer share duplicate detection and per-call sessions.
 *
 * Key layout (every key starts with `keyPrefix`, default `callcontrol:`):
 *
 * | key                                | type   | value                                                      |
 * | ---------------------------------- | ------ | ---------------------------------------------------------- |
 * | `<prefix>delivery:<delivery key>`  | string | `pending` while claimed, then the reply as JSON            |
 * | `<prefix>session:<call key>`       | hash   | one field per session field, each value as JSON text       |
 *
 * Every key has a TTL (`PX`/`PEXPIRE`, in milliseconds), so nothing stays behind.
 *
 * @module
 */
import type * as IORedis from 'ioredis';
import type { Redis } from 'ioredis';

/**
 * ioredis, loaded when a store first connects by URL: an app that keeps the memory store does
 * not pay for it (about 19 MiB of RSS).
 */
function ioredis(): typeof IORedis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('ioredis') as typeof IORedis;
}
import {
  sessionRecord,
  type CallStore,
  type ClaimResult,
  type SessionValue,
  type StoredReply,
} from '../core/store';

/** Options of {@link RedisStore}: exactly one of `client` and `url`. */
export interface RedisStoreOptions {
  /**
   * An ioredis client to use. The store does not close it ({@link RedisStore.close} leaves it
   * connected); its own `keyPrefix`, if any, applies in front of the store's `keyPrefix`.
   */
  readonly client?: Redis;
  /**
   * A `redis://` or `rediss://` URL (e.g. `redis://127.0.0.1:6379/0`); the store creates a
   * client for it, owns it and quits it on {@link RedisStore.close}. That client gives up a
   * command after one failed reconnect (`maxRetriesPerRequest: 1`) and a connection attempt
   * after 2000 ms, so that a call never waits long on a Redis that is down (and waits at most
   * 100 ms for its socket to close on {@link RedisStore.close}); pass your own `client` for
   * other settings.
   */
  readonly url?: string;
  /**
   * Prepended to every key the store writes. Default `callcontrol:`. A non-empty string of at
   * most 256 characters without whitespace or control characters.
   */
  readonly keyPrefix?: string;
  /**
   * How often {@link RedisStore.waitFor} looks whether a pending delivery is done, in
   * milliseconds. Default 20; a whole number from 1 to 60000.
   */
  readonly pollIntervalMs?: number;
}

/** The value of a delivery key while it is claimed and not yet done. */
const PENDING = 'pending';

/**
 * Claims a delivery: returns `[1]` when it set the key to `pending` (with a TTL of ARGV[1] ms),
 * or `[0, <current value>]` when the key existed.
 */
const CLAIM_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
return {1}
`;

/** Deletes a delivery key only while its value is still `pending` (ARGV[1]). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const DEFAULT_PREFIX = 'callcontrol:';
const DEFAULT_POLL_INTERVAL_MS = 20;
const MAX_POLL_INTERVAL_MS = 60_000;
const MAX_PREFIX_LENGTH = 256;
const OWNED_CONNECT_TIMEOUT_MS = 2000;
const CLOSE_WAIT_MS = 1000;
const OWNED_DISCONNECT_TIMEOUT_MS = 100;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeClient(value: unknown): value is Redis {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['get', 'set', 'eval', 'multi', 'hget', 'hgetall', 'hdel', 'pexpire'].every(
    (method) => typeof candidate[method] === 'function',
  );
}

/** A TTL in whole milliseconds, at least 1, as Redis's `PX`/`PEXPIRE` need. */
function ttlArgument(name: string, ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(
      `RedisStore: ${name} must be a finite number of milliseconds, got ${String(ms)}`,
    );
  }
  return Math.max(1, Math.ceil(ms));
}

/** The value under `redisKey`, read back as JSON, or a clear error naming the key. */
function parseJson(text: string, redisKey: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `RedisStore: ${what} under Redis key "${redisKey}" is not valid JSON (${reason}); ` +
        'was the key written by something other than callcontrol?',
      { cause: error },
    );
  }
}

function parseReply(text: string, redisKey: string): StoredReply {
  const value = parseJson(text, redisKey, 'the stored reply');
  const problem = replyProblem(value);
  if (problem !== undefined) {
    throw new Error(
      `RedisStore: the value under Redis key "${redisKey}" is not a stored reply (${problem}); ` +
        'was the key written by something other than callcontrol?',
    );
  }
  return value as StoredReply;
}

function replyProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object';
  if (typeof value.status !== 'number' || !Number.isInteger(value.status)) {
    return '"status" is not a whole number';
  }
  if (typeof value.body !== 'string') return '"body" is not a string';
  if (!isRecord(value.headers)) return '"headers" is not an object';
  for (const [name, header] of Object.entries(value.headers)) {
    if (typeof header !== 'string') return `header "${name}" is not a string`;
  }
  return undefined;
}

/**
 * The {@link CallStore} for several instances of an app: deliveries and sessions live in Redis,
 * so a repeated delivery is recognised whichever instance it reaches, and a call's events share
 * one session wherever they are handled.
 *
 * - {@link RedisStore.claim} is one Lua script (`GET`, then `SET <key> pending PX <ttl>` when
 *   absent), atomic across every client of the server.
 * - {@link RedisStore.waitFor} polls the delivery key every `pollIntervalMs` (one `GET` per
 *   poll, no extra connection) until it is done, gone or the timeout passes.
 * - Methods reject with ioredis's error when Redis fails (unreachable, `WRONGTYPE`, …), and with
 *   an `Error` naming the key when a value read back is not what callcontrol wrote (not JSON,
 *   not a reply). A TTL or timeout that is not a number rejects with a `TypeError`.
 *
 * @throws {TypeError} for bad options: neither or both of `client` and `url`, a `url` that is
 *   not `redis://` or `rediss://`, a `client` that is not an ioredis client, a bad `keyPrefix`
 *   or `pollIntervalMs`
 */
export class RedisStore implements CallStore {
  readonly #client: Redis;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #pollIntervalMs: number;
  /** Wakes the sleeping polls of {@link RedisStore.waitFor} (with `false`) on close. */
  readonly #sleepers = new Set<() => void>();
  /** Rejects the commands in flight, when close() has to drop a connection that is not ready. */
  readonly #inFlight = new Set<(error: Error) => void>();
  #closed = false;

  constructor(options: RedisStoreOptions) {
    if (!isRecord(options)) throw new TypeError('RedisStore: options must be an object');
    const { client, url } = options;
    if ((client === undefined) === (url === undefined)) {
      throw new TypeError('RedisStore: pass exactly one of `client` (an ioredis client) and `url`');
    }
    this.#prefix = RedisStore.#checkPrefix(options.keyPrefix);
    this.#pollIntervalMs = RedisStore.#checkPollInterval(options.pollIntervalMs);
    if (client !== undefined) {
      if (!looksLikeClient(client)) {
        throw new TypeError('RedisStore: `client` must be an ioredis client (new Redis(...))');
      }
      this.#client = client;
      this.#ownsClient = false;
    } else {
      this.#client = RedisStore.#connect(url);
      this.#ownsClient = true;
    }
  }

  static #checkPrefix(prefix: unknown): string {
    if (prefix === undefined) return DEFAULT_PREFIX;
    if (
      typeof prefix !== 'string' ||
      prefix.length === 0 ||
      prefix.length > MAX_PREFIX_LENGTH ||
      // eslint-disable-next-line no-control-regex
      /[\s\u0000-\u001f\u007f]/u.test(prefix)
    ) {
      throw new TypeError(
        `RedisStore: keyPrefix must be a non-empty string of at most ${MAX_PREFIX_LENGTH} ` +
          `characters without whitespace or control characters, got ${JSON.stringify(prefix) ?? String(prefix)}`,
      );
    }
    return prefix;
  }

  static #checkPollInterval(interval: unknown): number {
    if (interval === undefined) return DEFAULT_POLL_INTERVAL_MS;
    if (
      typeof interval !== 'number' ||
      !Number.isSafeInteger(interval) ||
      interval < 1 ||
      interval > MAX_POLL_INTERVAL_MS
    ) {
      throw new TypeError(
        `RedisStore: pollIntervalMs must be a whole number of milliseconds from 1 to ` +
          `${MAX_POLL_INTERVAL_MS}, got ${String(interval)}`,
      );
    }
    return interval;
  }

  static #connect(url: unknown): Redis {
    let parsed: URL;
    try {
      if (typeof url !== 'string') throw new TypeError('not a string');
      parsed = new URL(url);
    } catch {
      throw new TypeError(
        `RedisStore: url must be a redis:// or rediss:// URL, got ${String(url)}`,
      );
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new TypeError(
        `RedisStore: url must be a redis:// or rediss:// URL, got ${parsed.protocol}//…`,
      );
    }
    const client = new (ioredis().Redis)(parsed.href, {
      maxRetriesPerRequest: 1,
      connectTimeout: OWNED_CONNECT_TIMEOUT_MS,
      // ioredis waits this long for a socket to close on disconnect(), with a timer that stays
      // even when the socket was closed already (closing while it reconnects): keep it short.
      disconnectTimeout: OWNED_DISCONNECT_TIMEOUT_MS,
    });
    // Failures reach the caller as rejected commands; without a listener ioredis would also
    // print every connection error.
    client.on('error', () => undefined);
    return client;
  }

  /** The ioredis client the store uses (the one passed, or the one it created for `url`). */
  get client(): Redis {
    return this.#client;
  }

  /** The prefix in front of every key the store writes. */
  get keyPrefix(): string {
    return this.#prefix;
  }

  #deliveryKey(key: string): string {
    return `${this.#prefix}delivery:${key}`;
  }

  #sessionKey(callKey: string): string {
    return `${this.#prefix}session:${callKey}`;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('RedisStore: the store is closed');
  }

  /**
   * Runs one Redis command so that {@link RedisStore.close} can settle it: ioredis keeps the
   * commands queued while it reconnects, and never settles them once disconnected there.
   */
  #run<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const abort = (error: Error): void => reject(error);
      this.#inFlight.add(abort);
      command.then(
        (value) => {
          this.#inFlight.delete(abort);
          resolve(value);
        },
        (error: unknown) => {
          this.#inFlight.delete(abort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /**
   * Claims a delivery for `ttlMs` milliseconds unless it is pending or done: sets
   * `<prefix>delivery:<key>` to `pending` with that TTL when absent, atomically (one Lua
   * script). Resolves `{ state: 'claimed' }`, `{ state: 'pending' }` or
   * `{ state: 'done', reply }`.
   *
   * @throws (rejects) when Redis fails, or with an `Error` when the key holds something that is
   *   not a stored reply
   */
  async claim(key: string, ttlMs: number): Promise<ClaimResult> {
    this.#checkOpen();
    const redisKey = this.#deliveryKey(key);
    const result: unknown = await this.#run(
      this.#client.eval(CLAIM_SCRIPT, 1, redisKey, ttlArgument('ttlMs', ttlMs), PENDING),
    );
    if (!Array.isArray(result) || (result[0] !== 1 && result[0] !== 0)) {
      throw new Error(
        `RedisStore: unexpected answer of the claim script: ${JSON.stringify(result)}`,
      );
    }
    if (result[0] === 1) return { state: 'claimed' };
    const current: unknown = result[1];
    if (typeof current !== 'string') {
      throw new Error(
        `RedisStore: unexpected answer of the claim script: ${JSON.stringify(result)}`,
      );
    }
    if (current === PENDING) return { state: 'pending' };
    return { state: 'done', reply: parseReply(current, redisKey) };
  }

  /**
   * Stores the reply of a delivery, kept for `ttlMs` milliseconds: `SET <prefix>delivery:<key>
   * <reply as JSON> PX <ttl>` (whether or not it is still claimed). Waiters in every instance
   * see it at their next poll.
   *
   * @throws (rejects) when Redis fails
   */
  async complete(key: string, reply: StoredReply, ttlMs: number): Promise<void> {
    this.#checkOpen();
    const json = JSON.stringify({ status: reply.status, headers: reply.headers, body: reply.body });
    await this.#run(
      this.#client.set(this.#deliveryKey(key), json, 'PX', ttlArgument('ttlMs', ttlMs)),
    );
  }

  /**
   * Gives a claimed delivery up: deletes `<prefix>delivery:<key>` only while it is still
   * `pending` (atomic, Lua), so a reply stored meanwhile is kept. Waiters resolve `undefined`
   * at their next poll.
   *
   * @throws (rejects) when Redis fails
   */
  async release(key: string): Promise<void> {
    this.#checkOpen();
    await this.#run(this.#client.eval(RELEASE_SCRIPT, 1, this.#deliveryKey(key), PENDING));
  }

  /**
   * Waits until a pending delivery is done and resolves with its reply, polling
   * `<prefix>delivery:<key>` every `pollIntervalMs`. Resolves `undefined` when the key is absent
   * or disappears (released, or its claim expired), when `timeoutMs` milliseconds pass first,
   * or when the store is closed meanwhile. Holds one timer at a time, cleared on every outcome.
   *
   * @throws (rejects) when Redis fails, with an `Error` when the key holds something that is
   *   not a stored reply, or with a `TypeError` when `timeoutMs` is not a number
   */
  async waitFor(key: string, timeoutMs: number): Promise<StoredReply | undefined> {
    this.#checkOpen();
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs)) {
      throw new TypeError(
        `RedisStore: timeoutMs must be a number of milliseconds, got ${String(timeoutMs)}`,
      );
    }
    const redisKey = this.#deliveryKey(key);
    const deadline = performance.now() + Math.max(0, timeoutMs);
    for (;;) {
      let current: string | null;
      try {
        current = await this.#run(this.#client.get(redisKey));
      } catch (error) {
        if (this.#closed) return undefined;
        throw error;
      }
      if (this.#closed || current === null) return undefined;
      if (current !== PENDING) return parseReply(current, redisKey);
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      if (!(await this.#sleep(Math.min(this.#pollIntervalMs, left)))) return undefined;
    }
  }

  /** Resolves `true` after `ms`, or `false` at once when the store is closed meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.#sleepers.delete(wake);
        resolve(true);
      }, ms);
      this.#sleepers.add(wake);
    });
  }

  /**
   * One field of a call's session (`HGET <prefix>session:<callKey> <field>`), parsed from JSON;
   * `undefined` when absent.
   *
   * @throws (rejects) when Redis fails, or with an `Error` when the field is not valid JSON
   */
  async sessionGet(callKey: string, field: string): Promise<SessionValue | undefined> {
    this.#checkOpen();
    const redisKey = this.#sessionKey(callKey);
    const text = await this.#run(this.#client.hget(redisKey, field));
    if (text === null) return undefined;
    return parseJson(text, redisKey, `session field "${field}"`) as SessionValue;
  }

  /**
   * Every field of a call's session (`HGETALL <prefix>session:<callKey>`), each parsed from
   * JSON; `{}` when there is none.
   *
   * @throws (rejects) when Redis fails, or with an `Error` when a field is not valid JSON
   */
  async sessionGetAll(callKey: string): Promise<Record<string, SessionValue>> {
    this.#checkOpen();
    const redisKey = this.#sessionKey(callKey);
    const fields = await this.#run(this.#client.hgetall(redisKey));
    return sessionRecord(
      Object.entries(fields),
      (text, field) => parseJson(text, redisKey, `session field "${field}"`) as SessionValue,
    );
  }

  /**
   * Sets one field of a call's session to `value` as JSON and makes the whole session live
   * `ttlMs` milliseconds from now: `HSET` and `PEXPIRE` of `<prefix>session:<callKey>` in one
   * `MULTI`.
   *
   * @throws (rejects) when Redis fails, or with a `TypeError` when `value` has no JSON form
   */
  async sessionSet(
    callKey: string,
    field: string,
    value: SessionValue,
    ttlMs: number,
  ): Promise<void> {
    this.#checkOpen();
    const json: string | undefined = JSON.stringify(value);
    if (json === undefined) {
      throw new TypeError(
        `RedisStore: session field "${field}" has no JSON form (${typeof value})`,
      );
    }
    const redisKey = this.#sessionKey(callKey);
    const results = await this.#run(
      this.#client
        .multi()
        .hset(redisKey, field, json)
        .pexpire(redisKey, ttlArgument('ttlMs', ttlMs))
        .exec(),
    );
    if (results === null) throw new Error('RedisStore: the session transaction was aborted');
    for (const [error] of results) if (error) throw error;
  }

  /**
   * Removes one field of a call's session (`HDEL`); the session keeps its TTL, and Redis deletes
   * the key with its last field.
   *
   * @throws (rejects) when Redis fails
   */
  async sessionDelete(callKey: string, field: string): Promise<void> {
    this.#checkOpen();
    await this.#run(this.#client.hdel(this.#sessionKey(callKey), field));
  }

  /**
   * Makes a call's session live `ttlMs` milliseconds from now (`PEXPIRE`); nothing happens when
   * the call has no session.
   *
   * @throws (rejects) when Redis fails
   */
  async sessionExpire(callKey: string, ttlMs: number): Promise<void> {
    this.#checkOpen();
    await this.#run(this.#client.pexpire(this.#sessionKey(callKey), ttlArgument('ttlMs', ttlMs)));
  }

  /**
   * Closes the store: pending {@link RedisStore.waitFor} calls resolve `undefined` and later calls
   * reject. A client the store created for `url` is quit when connected (commands in flight get
   * their answers first; resolves once the connection has ended, 1000 ms at most) and dropped
   * otherwise (commands in flight reject; no reconnect is attempted). A client that was passed
   * in stays open. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of [...this.#sleepers]) wake();
    if (!this.#ownsClient) return;
    const client = this.#client;
    if (client.status === 'end') return;
    if (client.status === 'ready') {
      const ended = this.#ended(CLOSE_WAIT_MS);
      try {
        await client.quit();
      } catch {
        // dropped below
      }
      if (await ended) return;
    }
    client.disconnect();
    const error = new Error('RedisStore: the store was closed before Redis answered');
    for (const abort of [...this.#inFlight]) abort(error);
    this.#inFlight.clear();
  }

  /** Resolves `true` once the client emits `end`, `false` after `ms` (listener and timer go). */
  #ended(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const onEnd = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#client.off('end', onEnd);
        resolve(false);
      }, ms);
      this.#client.once('end', onEnd);
    });
  }
}
