/**
 * A {@link CallStore} in Redis (through ioredis 5), so that the instances of an app behind a
 * load balancer share duplicate detection and per-call sessions.
 *
 * Key layout (every key starts with `keyPrefix`, default `callcontrol:`):
 *
 * | key                                          | type   | value                                            |
 * | -------------------------------------------- | ------ | ------------------------------------------------ |
 * | `<prefix>delivery:<delivery key>`            | string | `pending:<token>` while leased, then the reply as JSON |
 * | `<prefix>session:{<call id>}<call key>`      | hash   | one field per session field, each value as JSON text |
 *
 * The core asks {@link RedisStore.deliveryKeyOf} for its delivery keys, so they read
 * `{<call id>}<provider>:<hash>`: every key of one call — its deliveries, its session
 * (`<provider>:<call id>`) and its record of once-per-call events (`<provider>#<call id>`) —
 * carries the hash tag `{<call id>}` and lives in one Redis Cluster hash slot, which the scripts
 * touching two of them at once need. (A `keyPrefix` holding a `{…}` of its own is the tag of
 * every key instead: all in one slot, which works too.)
 *
 * Every key has a TTL (`PX`/`PEXPIRE`, in milliseconds), so nothing stays behind: a leased
 * delivery lives as long as its lease, a done one as long as the duplicate window.
 *
 * Round trips: a request of a once-per-call event (Placetel's `IncomingCall`) takes one before
 * its answer ({@link RedisStore.claimWithRecord}: claim and record read, one Lua script) and one
 * after it ({@link RedisStore.completeWithRecord}: reply and record stored, one Lua script);
 * scripts go as `EVALSHA` (see `redis-scripts.ts`).
 *
 * Errors that leave the store never carry the arguments of the Redis command that failed (ioredis
 * puts the `AUTH` password there) nor the URL's password or user name: each is a new `Error`
 * with a message that names what failed.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type * as IORedis from 'ioredis';
import type { Redis } from 'ioredis';
import {
  CLAIM,
  CLAIM_WITH_RECORD,
  COMPLETE,
  COMPLETE_WITH_RECORD,
  RELEASE,
  RENEW,
} from './redis-scripts';

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
  type RecordedClaim,
  type RecordWrite,
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
   * command after `commandTimeoutMs` and after one failed reconnect (`maxRetriesPerRequest: 1`),
   * and a connection attempt after 2000 ms, so that commands do not pile up while Redis is
   * stopped or down (and waits at most 100 ms for its socket to close on
   * {@link RedisStore.close}); it pipelines the commands issued in one tick
   * (`enableAutoPipelining`: concurrent requests share a socket write). Pass your own `client`
   * for other settings.
   */
  readonly url?: string;
  /**
   * How long the client the store creates for `url` waits for the answer to one command, in
   * milliseconds (ioredis `commandTimeout`); then the command rejects with
   * `RedisStore: Command timed out`. Default 1000; a whole number from 1 to 60000. Only for
   * `url`: a `client` passed in keeps its own settings. (The app bounds every store call by the
   * answer deadline anyway; this keeps a stopped Redis from holding commands forever.)
   */
  readonly commandTimeoutMs?: number;
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

/**
 * The value of a delivery key while it is leased: `pending:<token>` (older versions wrote a bare
 * `pending`, which reads as leased too).
 */
const PENDING = 'pending';

function leaseValue(token: string): string {
  return `${PENDING}:${token}`;
}

function isLeased(value: string): boolean {
  return value === PENDING || value.startsWith(`${PENDING}:`);
}

/**
 * The hash tag of a call key (`<provider>:<call id>`, or a record's `<provider>#<call id>`): the
 * call id (what follows the first `:` or `#`; the whole key when there is neither), its `{` and
 * `}` replaced by `_` so that Redis reads the whole of it as the tag. Equal call ids give equal
 * tags, so every key of one call shares its Redis Cluster hash slot.
 */
export function callHashTag(callKey: string): string {
  const colon = callKey.indexOf(':');
  const hash = callKey.indexOf('#');
  const at = colon < 0 ? hash : hash < 0 ? colon : Math.min(colon, hash);
  const id = at < 0 || at === callKey.length - 1 ? callKey : callKey.slice(at + 1);
  return id.includes('{') || id.includes('}') ? id.replace(/[{}]/g, '_') : id;
}

const DEFAULT_PREFIX = 'callcontrol:';
const DEFAULT_POLL_INTERVAL_MS = 20;
const MAX_POLL_INTERVAL_MS = 60_000;
const MAX_PREFIX_LENGTH = 256;
const OWNED_CONNECT_TIMEOUT_MS = 2000;
const CLOSE_WAIT_MS = 1000;
const OWNED_DISCONNECT_TIMEOUT_MS = 100;
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
const MAX_COMMAND_TIMEOUT_MS = 60_000;
/** Of the 1000 ms close() may take, what is left for dropping the connection after `QUIT`. */
const CLOSE_DROP_MS = 150;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeClient(value: unknown): value is Redis {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['get', 'set', 'eval', 'evalsha', 'multi', 'hget', 'hgetall', 'hdel', 'pexpire'].every(
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

/**
 * An error safe to leave the store: a new `Error` whose message is `RedisStore: ` and the
 * original's message with each of `secrets` replaced by `***`, with the original's `code` when it
 * is a short word (`ECONNREFUSED`) — and nothing else: ioredis puts the command that failed on
 * its errors, with its arguments (for `AUTH`, the password), and the original is not kept as
 * `cause`.
 */
function safeError(error: unknown, secrets: readonly string[]): Error {
  let message: string;
  try {
    message = error instanceof Error ? error.message : String(error);
  } catch {
    message = 'unknown error';
  }
  for (const secret of secrets) if (secret !== '') message = message.split(secret).join('***');
  const safe = new Error(message.startsWith('RedisStore: ') ? message : `RedisStore: ${message}`);
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) {
    Object.defineProperty(safe, 'code', { value: code, enumerable: true });
  }
  return safe;
}

/** A URL's user name and password, as written and decoded (for {@link safeError}). */
function urlSecrets(url: URL): string[] {
  const secrets: string[] = [];
  for (const part of [url.password, url.username]) {
    if (part === '') continue;
    secrets.push(part);
    try {
      secrets.push(decodeURIComponent(part));
    } catch {
      // not percent-encoded text: the raw form is enough
    }
  }
  return secrets;
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

/** A claim script's answer (`{1}` or `{0, <current value>}`) as a {@link ClaimResult}. */
function claimResult(result: unknown, redisKey: string, token: string): ClaimResult {
  if (!Array.isArray(result) || (result[0] !== 1 && result[0] !== 0)) {
    throw new Error(`RedisStore: unexpected answer of the claim script for "${redisKey}"`);
  }
  if (result[0] === 1) return { state: 'claimed', token };
  const current: unknown = result[1];
  if (typeof current !== 'string') {
    throw new Error(`RedisStore: unexpected answer of the claim script for "${redisKey}"`);
  }
  if (isLeased(current)) return { state: 'pending' };
  return { state: 'done', reply: parseReply(current, redisKey) };
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
 *   absent), atomic across every client of the server; {@link RedisStore.claimWithRecord} reads
 *   the call's record in the same script, {@link RedisStore.completeWithRecord} writes it with
 *   the reply: one round trip before the answer, one after it.
 * - {@link RedisStore.waitFor} polls the delivery key every `pollIntervalMs` (one `GET` per
 *   poll, no extra connection) until it is done, gone or the timeout passes.
 * - A delivery is claimed under a lease: `pending:<token>` with the lease as TTL, renewed by its
 *   holder ({@link RedisStore.renew}); completing and releasing check the token in the same Lua
 *   script as the write.
 * - Methods reject with an `Error` saying what Redis or ioredis answered (unreachable, `WRONGTYPE`,
 *   `Command timed out`, …; never with the command's arguments or the URL's credentials), and
 *   with an `Error` naming the key when a value read back is not what callcontrol wrote (not
 *   JSON, not a reply). A TTL or timeout that is not a number rejects with a `TypeError`.
 *
 * @throws {TypeError} for bad options: neither or both of `client` and `url`, a `url` that is
 *   not `redis://` or `rediss://` (the message never repeats the URL), a `client` that is not an
 *   ioredis client, a bad `keyPrefix`, `pollIntervalMs` or `commandTimeoutMs`
 */
export class RedisStore implements CallStore {
  readonly #client: Redis;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #pollIntervalMs: number;
  /** The URL's user name and password, never to appear in an error message. */
  readonly #urlSecrets: readonly string[];
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
    this.#pollIntervalMs = RedisStore.#checkWhole(
      'pollIntervalMs',
      options.pollIntervalMs,
      DEFAULT_POLL_INTERVAL_MS,
      MAX_POLL_INTERVAL_MS,
    );
    const commandTimeoutMs = RedisStore.#checkWhole(
      'commandTimeoutMs',
      options.commandTimeoutMs,
      DEFAULT_COMMAND_TIMEOUT_MS,
      MAX_COMMAND_TIMEOUT_MS,
    );
    if (client !== undefined) {
      if (!looksLikeClient(client)) {
        throw new TypeError('RedisStore: `client` must be an ioredis client (new Redis(...))');
      }
      this.#client = client;
      this.#ownsClient = false;
      this.#urlSecrets = [];
    } else {
      const parsed = RedisStore.#parseUrl(url);
      this.#urlSecrets = urlSecrets(parsed);
      this.#client = RedisStore.#connect(parsed, commandTimeoutMs);
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

  static #checkWhole(name: string, value: unknown, fallback: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new TypeError(
        `RedisStore: ${name} must be a whole number of milliseconds from 1 to ${max}, ` +
          `got ${typeof value === 'number' ? String(value) : typeof value}`,
      );
    }
    return value;
  }

  /** The URL, parsed; the error never repeats it (it may hold a password). */
  static #parseUrl(url: unknown): URL {
    let parsed: URL;
    try {
      if (typeof url !== 'string') throw new TypeError('not a string');
      parsed = new URL(url);
    } catch {
      throw new TypeError(
        `RedisStore: url must be a redis:// or rediss:// URL, got ${
          typeof url === 'string' ? 'a string that is not a URL' : typeof url
        }`,
      );
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new TypeError(
        `RedisStore: url must be a redis:// or rediss:// URL, got ${parsed.protocol}//…`,
      );
    }
    return parsed;
  }

  static #connect(parsed: URL, commandTimeoutMs: number): Redis {
    const client = new (ioredis().Redis)(parsed.href, {
      maxRetriesPerRequest: 1,
      commandTimeout: commandTimeoutMs,
      // Commands of concurrent requests issued in one tick go out in one socket write: the
      // writes were a fifth of the server's CPU time under load (docs/performance.md).
      enableAutoPipelining: true,
      connectTimeout: OWNED_CONNECT_TIMEOUT_MS,
      // ioredis waits this long for a socket to close on disconnect(), with a timer that stays
      // even when the socket was closed already (closing while it reconnects): keep it short.
      disconnectTimeout: OWNED_DISCONNECT_TIMEOUT_MS,
    });
    // Failures reach the caller as rejected commands; without a listener ioredis would also
    // print every connection error (with the AUTH command's arguments: the password).
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
    return `${this.#prefix}session:{${callHashTag(callKey)}}${callKey}`;
  }

  /**
   * The key the core keeps the delivery `key` of the call `callKey` under: `{<call id>}<key>`,
   * so that `<prefix>delivery:{<call id>}<key>` shares the hash slot of the call's session and
   * record (`<prefix>session:{<call id>}<call key>`): one script may touch both, also on Redis
   * Cluster. See {@link CallStore.deliveryKeyOf}.
   */
  deliveryKeyOf(callKey: string, key: string): string {
    return `{${callHashTag(callKey)}}${key}`;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('RedisStore: the store is closed');
  }

  /** What an error message must never hold: the URL's and the client's credentials. */
  #secrets(): string[] {
    const options = (this.#client as { options?: { password?: unknown; username?: unknown } })
      .options;
    const fromClient = [options?.password, options?.username].filter(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    return [...this.#urlSecrets, ...fromClient];
  }

  /** {@link safeError} with this store's secrets. */
  #safe(error: unknown): Error {
    return safeError(error, this.#secrets());
  }

  /**
   * Runs one Redis command so that {@link RedisStore.close} can settle it (ioredis keeps the
   * commands queued while it reconnects, and never settles them once disconnected there), and
   * rejects with a {@link safeError}.
   */
  #run<T>(command: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const abort = (error: Error): void => reject(error);
      this.#inFlight.add(abort);
      let started: Promise<T>;
      try {
        started = command();
      } catch (error) {
        started = Promise.reject(error as Error);
      }
      started.then(
        (value) => {
          this.#inFlight.delete(abort);
          resolve(value);
        },
        (error: unknown) => {
          this.#inFlight.delete(abort);
          reject(this.#safe(error));
        },
      );
    });
  }

  /**
   * Claims a delivery under a lease of `leaseMs` milliseconds unless it is leased or done: sets
   * `<prefix>delivery:<key>` to `pending:<token>` with that TTL when absent, atomically (one Lua
   * script), the token being a new random UUID. Resolves `{ state: 'claimed', token }`,
   * `{ state: 'pending' }` or `{ state: 'done', reply }`.
   *
   * @throws (rejects) when Redis fails, or with an `Error` when the key holds something that is
   *   not a stored reply
   */
  async claim(key: string, leaseMs: number): Promise<ClaimResult> {
    this.#checkOpen();
    const redisKey = this.#deliveryKey(key);
    const token = randomUUID();
    const lease = ttlArgument('leaseMs', leaseMs);
    const result: unknown = await this.#run(() =>
      CLAIM.run(this.#client, [redisKey, lease, leaseValue(token)]),
    );
    return claimResult(result, redisKey, token);
  }

  /**
   * {@link RedisStore.claim} and, when the delivery is claimed, `HGETALL` of the call's record
   * (the session `recordKey`, e.g. `placetel#<call id>`) in the same Lua script: one round trip.
   * Resolves `{ claim, record }`, `record` being `{}` unless the claim is `claimed`, and
   * `undefined` when a field of the record is not valid JSON (the claim stands). The two keys
   * share a Redis Cluster hash slot when `key` came from {@link RedisStore.deliveryKeyOf} with
   * the same call id.
   *
   * @throws (rejects) as {@link RedisStore.claim} does, and when the record is not a hash
   *   (`WRONGTYPE`)
   */
  async claimWithRecord(key: string, leaseMs: number, recordKey: string): Promise<RecordedClaim> {
    this.#checkOpen();
    const redisKey = this.#deliveryKey(key);
    const recordRedisKey = this.#sessionKey(recordKey);
    const token = randomUUID();
    const lease = ttlArgument('leaseMs', leaseMs);
    const result: unknown = await this.#run(() =>
      CLAIM_WITH_RECORD.run(this.#client, [redisKey, recordRedisKey, lease, leaseValue(token)]),
    );
    const claim = claimResult(result, redisKey, token);
    if (claim.state !== 'claimed') return { claim, record: {} };
    const flat: unknown = (result as unknown[])[1];
    if (!Array.isArray(flat) || flat.some((item) => typeof item !== 'string')) {
      throw new Error(`RedisStore: unexpected answer of the claim script for "${redisKey}"`);
    }
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      pairs.push([flat[i] as string, flat[i + 1] as string]);
    }
    try {
      return {
        claim,
        record: sessionRecord(
          pairs,
          (text, field) =>
            parseJson(text, recordRedisKey, `session field "${field}"`) as SessionValue,
        ),
      };
    } catch {
      // Not what callcontrol wrote: the claim stands (a rejection would leave it leased and
      // unused), and no replay is refused for want of a record.
      return { claim, record: undefined };
    }
  }

  /**
   * Extends the lease of a delivery held under `token` to `leaseMs` milliseconds from now
   * (`PEXPIRE` when `<prefix>delivery:<key>` is still `pending:<token>`, in one Lua script).
   * Resolves `true` when it did, `false` when the key holds anything else or nothing.
   *
   * @throws (rejects) when Redis fails
   */
  async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    this.#checkOpen();
    const lease = ttlArgument('leaseMs', leaseMs);
    const result: unknown = await this.#run(() =>
      RENEW.run(this.#client, [this.#deliveryKey(key), leaseValue(token), lease]),
    );
    return result === 1;
  }

  /**
   * Stores the reply of a delivery, kept for `ttlMs` milliseconds: `SET <prefix>delivery:<key>
   * <reply as JSON> PX <ttl>` when the key is `pending:<token>` or absent (one Lua script);
   * a key leased under another token, or done, is left as it is. Waiters in every instance see
   * the reply at their next poll.
   *
   * @throws (rejects) when Redis fails
   */
  async complete(key: string, token: string, reply: StoredReply, ttlMs: number): Promise<void> {
    this.#checkOpen();
    const json = JSON.stringify({ status: reply.status, headers: reply.headers, body: reply.body });
    const ttl = ttlArgument('ttlMs', ttlMs);
    await this.#run(() =>
      COMPLETE.run(this.#client, [this.#deliveryKey(key), leaseValue(token), json, ttl]),
    );
  }

  /**
   * {@link RedisStore.complete} and, when `record` is given, the write of the call's record
   * ({@link RedisStore.sessionSet} of `record.field` under `record.callKey`, `PEXPIRE` of
   * `record.ttlMs` milliseconds; done whether or not the reply was stored) in one Lua script:
   * one round trip.
   *
   * @throws (rejects) when Redis fails, or with a `TypeError` when `record.value` has no JSON
   *   form or a TTL is not a number
   */
  async completeWithRecord(
    key: string,
    token: string,
    reply: StoredReply,
    ttlMs: number,
    record: RecordWrite | undefined,
  ): Promise<void> {
    if (record === undefined) return this.complete(key, token, reply, ttlMs);
    this.#checkOpen();
    const json = JSON.stringify({ status: reply.status, headers: reply.headers, body: reply.body });
    const ttl = ttlArgument('ttlMs', ttlMs);
    const value: string | undefined = JSON.stringify(record.value);
    if (value === undefined) {
      throw new TypeError(
        `RedisStore: session field "${record.field}" has no JSON form (${typeof record.value})`,
      );
    }
    const recordTtl = ttlArgument('ttlMs', record.ttlMs);
    const args = [this.#deliveryKey(key), this.#sessionKey(record.callKey), leaseValue(token)];
    await this.#run(() =>
      COMPLETE_WITH_RECORD.run(this.#client, [...args, json, ttl, record.field, value, recordTtl]),
    );
  }

  /**
   * Gives a delivery leased under `token` up: deletes `<prefix>delivery:<key>` only while it is
   * still `pending:<token>` (atomic, Lua), so a reply stored meanwhile, or another holder's
   * lease, is kept. Waiters resolve `undefined` at their next poll.
   *
   * @throws (rejects) when Redis fails
   */
  async release(key: string, token: string): Promise<void> {
    this.#checkOpen();
    await this.#run(() => RELEASE.run(this.#client, [this.#deliveryKey(key), leaseValue(token)]));
  }

  /**
   * Waits while a delivery is leased and resolves with its reply once it is done, polling
   * `<prefix>delivery:<key>` every `pollIntervalMs`. Resolves `undefined` when the key is absent
   * or disappears (released, or its lease lapsed: seen at the next poll), when `timeoutMs`
   * milliseconds pass first, or when the store is closed meanwhile. Holds one timer at a time,
   * cleared on every outcome.
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
        current = await this.#run(() => this.#client.get(redisKey));
      } catch (error) {
        if (this.#closed) return undefined;
        throw error;
      }
      if (this.#closed || current === null) return undefined;
      if (!isLeased(current)) return parseReply(current, redisKey);
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
    const text = await this.#run(() => this.#client.hget(redisKey, field));
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
    const fields = await this.#run(() => this.#client.hgetall(redisKey));
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
    const ttl = ttlArgument('ttlMs', ttlMs);
    const results = await this.#run(() =>
      this.#client.multi().hset(redisKey, field, json).pexpire(redisKey, ttl).exec(),
    );
    if (results === null) throw new Error('RedisStore: the session transaction was aborted');
    for (const [error] of results) if (error) throw this.#safe(error);
  }

  /**
   * Removes one field of a call's session (`HDEL`); the session keeps its TTL, and Redis deletes
   * the key with its last field.
   *
   * @throws (rejects) when Redis fails
   */
  async sessionDelete(callKey: string, field: string): Promise<void> {
    this.#checkOpen();
    await this.#run(() => this.#client.hdel(this.#sessionKey(callKey), field));
  }

  /**
   * Makes a call's session live `ttlMs` milliseconds from now (`PEXPIRE`); nothing happens when
   * the call has no session.
   *
   * @throws (rejects) when Redis fails
   */
  async sessionExpire(callKey: string, ttlMs: number): Promise<void> {
    this.#checkOpen();
    const ttl = ttlArgument('ttlMs', ttlMs);
    await this.#run(() => this.#client.pexpire(this.#sessionKey(callKey), ttl));
  }

  /**
   * Closes the store: pending {@link RedisStore.waitFor} calls resolve `undefined` and later calls
   * reject. A client the store created for `url` is quit when connected (commands in flight get
   * their answers first) and dropped when it is not, or when the connection has not ended 850 ms
   * after `QUIT` was sent — Redis stopped (`kill -STOP`) or gone: commands in flight then reject,
   * and no reconnect is attempted. Resolves within 1000 ms in every case. A client that was
   * passed in stays open. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of [...this.#sleepers]) wake();
    if (!this.#ownsClient) return;
    const client = this.#client;
    if (client.status === 'end') return;
    if (client.status === 'ready') {
      const ended = this.#ended(CLOSE_WAIT_MS - CLOSE_DROP_MS);
      // QUIT is never awaited on its own: a stopped Redis does not answer it.
      client.quit().catch(() => undefined);
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
