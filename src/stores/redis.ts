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
import type { ConnectionOptions } from 'node:tls';
import type * as IORedis from 'ioredis';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
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

/**
 * A Redis Cluster for {@link RedisStoreOptions.cluster}: the store creates an ioredis `Cluster`
 * for it, owns it and quits it on {@link RedisStore.close}.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/
 */
export interface RedisClusterStoreOptions {
  /**
   * Some nodes of the cluster as `host:port` (`127.0.0.1:7000`, `redis-0.internal:6379`,
   * `[::1]:7000`): the client asks the first that answers for the slot map (`CLUSTER SLOTS`) and
   * finds the other nodes there. One to 64 entries, each a host name or IP address and a port
   * from 1 to 65535.
   */
  readonly nodes: readonly string[];
  /** The ACL user name of every node (`AUTH <username> <password>`). Never in an error message. */
  readonly username?: string | undefined;
  /** The password of every node (`requirepass` or the ACL user's). Never in an error message. */
  readonly password?: string | undefined;
  /** TLS to every node: `true`, or Node's `tls.connect` options (e.g. `{ ca }`). Default none. */
  readonly tls?: boolean | ConnectionOptions | undefined;
}

/**
 * A master behind Redis Sentinel for {@link RedisStoreOptions.sentinel}: the store creates an
 * ioredis client in sentinel mode for it, owns it and quits it on {@link RedisStore.close}.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
 */
export interface RedisSentinelStoreOptions {
  /**
   * Sentinels of the group as `host:port` (`127.0.0.1:26379`, `[::1]:26379`): the client asks
   * them for the master's address (`SENTINEL get-master-addr-by-name <name>`) on every
   * (re)connect. One to 64 entries, each a host name or IP address and a port from 1 to 65535.
   */
  readonly sentinels: readonly string[];
  /**
   * The master's name as the sentinels know it (`sentinel monitor <name> …`, e.g. `mymaster`):
   * 1 to 256 characters without whitespace or control characters.
   */
  readonly name: string;
  /** The ACL user name of the master and replicas. Never in an error message. */
  readonly username?: string | undefined;
  /** The password of the master and replicas. Never in an error message. */
  readonly password?: string | undefined;
  /** The ACL user name of the sentinels (`sentinel` processes with `user`/`requirepass`). */
  readonly sentinelUsername?: string | undefined;
  /** The password of the sentinels. Never in an error message. */
  readonly sentinelPassword?: string | undefined;
  /**
   * TLS to the master (`true`, or Node's `tls.connect` options); to the sentinels too unless
   * `sentinelTls` says otherwise. Default none.
   */
  readonly tls?: boolean | ConnectionOptions | undefined;
  /** TLS to the sentinels when it differs from `tls` (`false`: none). Default: as `tls`. */
  readonly sentinelTls?: boolean | ConnectionOptions | undefined;
}

/**
 * Options of {@link RedisStore}: exactly one of `client`, `url`, `cluster` and `sentinel`.
 *
 * Every client the store creates (`url`, `cluster`, `sentinel`) gives up a command after
 * `commandTimeoutMs` and after one failed reconnect (`maxRetriesPerRequest: 1`), and a
 * connection attempt after 2000 ms, so that commands do not pile up while Redis is stopped,
 * down or failing over; it pipelines the commands issued in one tick (`enableAutoPipelining`:
 * concurrent requests share a socket write) and waits at most 100 ms for its socket to close on
 * {@link RedisStore.close}. Pass your own `client` for other settings.
 */
export interface RedisStoreOptions {
  /**
   * An ioredis client to use: a `Redis` (one server, or sentinel mode) or a `Cluster`. The store
   * does not close it ({@link RedisStore.close} leaves it connected); its own `keyPrefix`, if
   * any, applies in front of the store's `keyPrefix`.
   */
  readonly client?: Redis | Cluster;
  /**
   * A `redis://` or `rediss://` URL (e.g. `redis://127.0.0.1:6379/0`); the store creates a
   * client for it, owns it and quits it on {@link RedisStore.close} (settings: see
   * {@link RedisStoreOptions}).
   */
  readonly url?: string;
  /**
   * A Redis Cluster (e.g. `{ nodes: ['10.0.0.1:6379', '10.0.0.2:6379'] }`): the store creates an
   * ioredis `Cluster` for it and owns it. Besides the settings every owned client has, a
   * command that meets a node that went away, `CLUSTERDOWN` or `TRYAGAIN` is sent again after
   * 100 ms with a fresh slot map (`retryDelayOnFailover`, `retryDelayOnClusterDown`,
   * `retryDelayOnTryAgain`; at most 16 times), and the slot map is read again every 2000 ms
   * (`slotsRefreshInterval`; 1000 ms to answer), so a replica promoted after a master failed is
   * used as soon as the cluster says so. Every key of one call shares a hash slot (see
   * {@link RedisStore.deliveryKeyOf}).
   */
  readonly cluster?: RedisClusterStoreOptions;
  /**
   * A master behind Redis Sentinel (e.g. `{ sentinels: ['10.0.0.1:26379'], name: 'mymaster' }`):
   * the store creates an ioredis client in sentinel mode and owns it. It connects to the
   * master the sentinels name, reconnects (after 50 ms, growing to 2000 ms) to the one they
   * name after a failover, and listens to the sentinels' `+switch-master` so that a failover is
   * seen at once rather than at the next failed command (`failoverDetector`).
   */
  readonly sentinel?: RedisSentinelStoreOptions;
  /**
   * How long a client the store creates (`url`, `cluster`, `sentinel`) waits for the answer to
   * one command, in milliseconds (ioredis `commandTimeout`); then the command rejects with
   * `RedisStore: Command timed out`. Default 1000; a whole number from 1 to 60000. A `client`
   * passed in keeps its own settings. (The app bounds every store call by the answer deadline
   * anyway; this keeps a stopped Redis from holding commands forever.)
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
/** `retryDelayOnFailover`, `retryDelayOnClusterDown` and `retryDelayOnTryAgain` of `cluster`. */
const CLUSTER_RETRY_DELAY_MS = 100;
const CLUSTER_MAX_REDIRECTIONS = 16;
const CLUSTER_SLOTS_REFRESH_TIMEOUT_MS = 1000;
const CLUSTER_SLOTS_REFRESH_INTERVAL_MS = 2000;
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

/** A `TypeError` for bad options, with `code: 'ERR_INVALID_ARG_VALUE'` (as Node's own). */
function optionError(message: string): TypeError {
  const error = new TypeError(message);
  Object.defineProperty(error, 'code', { value: 'ERR_INVALID_ARG_VALUE', enumerable: true });
  return error;
}

/** The settings of every client the store creates (see {@link RedisStoreOptions}). */
function ownedRedisSettings(commandTimeoutMs: number): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    // Commands of concurrent requests issued in one tick go out in one socket write: the
    // writes were a fifth of the server's CPU time under load (docs/performance.md).
    enableAutoPipelining: true,
    connectTimeout: OWNED_CONNECT_TIMEOUT_MS,
    // ioredis waits this long for a socket to close on disconnect(), with a timer that stays
    // even when the socket was closed already (closing while it reconnects): keep it short.
    disconnectTimeout: OWNED_DISCONNECT_TIMEOUT_MS,
  };
}

/** What the `Cluster` the store creates adds to {@link ownedRedisSettings} (see `cluster`). */
function ownedClusterSettings(commandTimeoutMs: number): ClusterOptions {
  return {
    enableAutoPipelining: true,
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    maxRedirections: CLUSTER_MAX_REDIRECTIONS,
    slotsRefreshTimeout: Math.min(commandTimeoutMs, CLUSTER_SLOTS_REFRESH_TIMEOUT_MS),
    slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_INTERVAL_MS,
  };
}

/**
 * Failures reach the caller as rejected commands; without a listener ioredis would also print
 * every connection error (with the AUTH command's arguments: the password).
 */
function watchErrors<T extends Redis | Cluster>(client: T): T {
  client.on('error', () => undefined);
  if (client.isCluster) client.on('node error', () => undefined);
  return client;
}

/**
 * How long a sentinel-mode client the store owns waits before it connects again after ioredis
 * ended it without a `close()`: 50 ms.
 */
const SENTINEL_RECONNECT_MS = 50;

const MAX_ADDRESSES = 64;
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/** `host:port` (or `[ipv6]:port`) as ioredis wants it; a coded `TypeError` naming `where`. */
function parseAddress(value: unknown, where: string): { host: string; port: number } {
  const bad = (why: string): TypeError =>
    optionError(`RedisStore: ${where} must be "host:port" (e.g. "127.0.0.1:6379"), ${why}`);
  if (typeof value !== 'string') throw bad(`got ${value === null ? 'null' : typeof value}`);
  const shown =
    value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}…` : JSON.stringify(value);
  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(value);
  if (bracketed !== null) {
    host = bracketed[1] ?? '';
    port = bracketed[2] ?? '';
    if (!IPV6.test(host) || !host.includes(':')) throw bad(`got ${shown}: not an IPv6 address`);
  } else {
    if (value.includes('://')) throw bad(`got ${shown}: not a URL, without a scheme`);
    const colon = value.lastIndexOf(':');
    if (colon < 0) throw bad(`got ${shown}: no port`);
    host = value.slice(0, colon);
    port = value.slice(colon + 1);
    if (host.includes(':')) throw bad(`got ${shown}: write an IPv6 address as "[::1]:6379"`);
    if (!HOST_NAME.test(host)) throw bad(`got ${shown}: not a host name or IP address`);
  }
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw bad(`got ${shown}: the port is not a whole number from 1 to 65535`);
  }
  return { host, port: Number(port) };
}

/** A non-empty list of at most 64 addresses (see {@link parseAddress}). */
function parseAddresses(value: unknown, where: string): { host: string; port: number }[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ADDRESSES) {
    throw optionError(
      `RedisStore: ${where} must be a list of 1 to ${MAX_ADDRESSES} "host:port" strings, got ` +
        (Array.isArray(value) ? `${value.length} entries` : value === null ? 'null' : typeof value),
    );
  }
  return value.map((entry, index) => parseAddress(entry, `${where}[${index}]`));
}

/** An optional credential: absent, or a non-empty string (never repeated in the error). */
function credential(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw optionError(`RedisStore: ${where} must be a non-empty string when given`);
  }
  return value;
}

/** An optional `tls` option: absent/false (none), true (`{}`), or `tls.connect` options. */
function tlsOption(value: unknown, where: string): ConnectionOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  if (isRecord(value)) return value as ConnectionOptions;
  throw optionError(`RedisStore: ${where} must be true, false or tls.connect options`);
}

/** What the store needs of checked `cluster` or `sentinel` options. */
interface CheckedHaOptions<T> {
  readonly nodes: { host: string; port: number }[];
  readonly redisOptions: T;
  /** The credentials, never to appear in an error message. */
  readonly secrets: string[];
}

function checkClusterOptions(cluster: unknown): CheckedHaOptions<RedisOptions> {
  if (!isRecord(cluster)) {
    throw optionError('RedisStore: `cluster` must be an object such as { nodes: ["host:port"] }');
  }
  const nodes = parseAddresses(cluster.nodes, 'cluster.nodes');
  const username = credential(cluster.username, 'cluster.username');
  const password = credential(cluster.password, 'cluster.password');
  const tls = tlsOption(cluster.tls, 'cluster.tls');
  const redisOptions: RedisOptions = {};
  if (username !== undefined) redisOptions.username = username;
  if (password !== undefined) redisOptions.password = password;
  if (tls !== undefined) redisOptions.tls = tls;
  return { nodes, redisOptions, secrets: [username ?? '', password ?? ''] };
}

function checkSentinelOptions(sentinel: unknown): CheckedHaOptions<RedisOptions> {
  if (!isRecord(sentinel)) {
    throw optionError(
      'RedisStore: `sentinel` must be an object such as { sentinels: ["host:port"], name: "mymaster" }',
    );
  }
  const nodes = parseAddresses(sentinel.sentinels, 'sentinel.sentinels');
  const { name } = sentinel;
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > MAX_PREFIX_LENGTH ||
    // eslint-disable-next-line no-control-regex
    /[\s\x00-\x1f\x7f]/.test(name)
  ) {
    throw optionError(
      "RedisStore: sentinel.name must be the master's name as the sentinels know it " +
        `(1 to ${MAX_PREFIX_LENGTH} characters, no whitespace), got ` +
        (typeof name === 'string' ? `${name.length} characters` : typeof name),
    );
  }
  const username = credential(sentinel.username, 'sentinel.username');
  const password = credential(sentinel.password, 'sentinel.password');
  const sentinelUsername = credential(sentinel.sentinelUsername, 'sentinel.sentinelUsername');
  const sentinelPassword = credential(sentinel.sentinelPassword, 'sentinel.sentinelPassword');
  const tls = tlsOption(sentinel.tls, 'sentinel.tls');
  const sentinelTls =
    sentinel.sentinelTls === undefined
      ? tls
      : tlsOption(sentinel.sentinelTls, 'sentinel.sentinelTls');
  const redisOptions: RedisOptions = { sentinels: nodes, name };
  if (username !== undefined) redisOptions.username = username;
  if (password !== undefined) redisOptions.password = password;
  if (sentinelUsername !== undefined) redisOptions.sentinelUsername = sentinelUsername;
  if (sentinelPassword !== undefined) redisOptions.sentinelPassword = sentinelPassword;
  if (tls !== undefined) {
    // ioredis uses `tls` for the master only with this flag set; `sentinelTLS` for sentinels.
    redisOptions.tls = tls;
    redisOptions.enableTLSForSentinelMode = true;
  }
  if (sentinelTls !== undefined) redisOptions.sentinelTLS = sentinelTls;
  return {
    nodes,
    redisOptions,
    secrets: [username, password, sentinelUsername, sentinelPassword].filter(
      (value): value is string => value !== undefined,
    ),
  };
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
 * @throws {TypeError} with `code: 'ERR_INVALID_ARG_VALUE'` for bad options: none or more than
 *   one of `client`, `url`, `cluster` and `sentinel`, a `url` that is not `redis://` or
 *   `rediss://` (the message never repeats the URL), a `client` that is not an ioredis client, a
 *   `cluster.nodes` or `sentinel.sentinels` that is not a list of 1 to 64 `host:port` strings, a
 *   bad `sentinel.name`, an empty credential (never repeated), a bad `tls`, `keyPrefix`,
 *   `pollIntervalMs` or `commandTimeoutMs`
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
    if (!isRecord(options)) throw optionError('RedisStore: options must be an object');
    const { client, url, cluster, sentinel } = options;
    const given = [client, url, cluster, sentinel].filter((value) => value !== undefined).length;
    if (given !== 1) {
      throw optionError(
        'RedisStore: pass exactly one of `client` (an ioredis client), `url`, `cluster` and ' +
          `\`sentinel\`, got ${given === 0 ? 'none' : String(given)}`,
      );
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
        throw optionError(
          'RedisStore: `client` must be an ioredis client (new Redis(...) or new Cluster(...))',
        );
      }
      this.#client = client as Redis;
      this.#ownsClient = false;
      this.#urlSecrets = [];
    } else if (url !== undefined) {
      const parsed = RedisStore.#parseUrl(url);
      this.#urlSecrets = urlSecrets(parsed);
      this.#client = RedisStore.#connect(parsed, commandTimeoutMs);
      this.#ownsClient = true;
    } else if (cluster !== undefined) {
      const checked = checkClusterOptions(cluster);
      this.#urlSecrets = checked.secrets;
      this.#client = watchErrors(
        new (ioredis().Cluster)(checked.nodes, {
          ...ownedClusterSettings(commandTimeoutMs),
          redisOptions: { ...ownedRedisSettings(commandTimeoutMs), ...checked.redisOptions },
        }),
      ) as unknown as Redis;
      this.#ownsClient = true;
    } else {
      const checked = checkSentinelOptions(sentinel);
      this.#urlSecrets = checked.secrets;
      const client = watchErrors(
        new (ioredis().Redis)({
          ...ownedRedisSettings(commandTimeoutMs),
          ...checked.redisOptions,
          failoverDetector: true,
        }),
      );
      // ioredis 5 (5.11) may give up for good at a failover: when the sentinels' +switch-master
      // closes the connection while a reconnect is asking a sentinel for the master, that
      // attempt fails with "Connection is closed" and the client ends (status `end`) instead of
      // retrying — about 3 failovers in 40 in the failover test. A store the application has
      // not closed connects again.
      client.on('end', () => {
        if (this.#closed) return;
        setTimeout(() => {
          if (!this.#closed && client.status === 'end') client.connect().catch(() => undefined);
        }, SENTINEL_RECONNECT_MS).unref();
      });
      this.#client = client;
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
      throw optionError(
        `RedisStore: keyPrefix must be a non-empty string of at most ${MAX_PREFIX_LENGTH} ` +
          `characters without whitespace or control characters, got ${JSON.stringify(prefix) ?? String(prefix)}`,
      );
    }
    return prefix;
  }

  static #checkWhole(name: string, value: unknown, fallback: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
      throw optionError(
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
      throw optionError(
        `RedisStore: url must be a redis:// or rediss:// URL, got ${
          typeof url === 'string' ? 'a string that is not a URL' : typeof url
        }`,
      );
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw optionError(
        `RedisStore: url must be a redis:// or rediss:// URL, got ${parsed.protocol}//…`,
      );
    }
    return parsed;
  }

  static #connect(parsed: URL, commandTimeoutMs: number): Redis {
    return watchErrors(new (ioredis().Redis)(parsed.href, ownedRedisSettings(commandTimeoutMs)));
  }

  /**
   * The ioredis client the store uses: the one passed, or the one it created for `url` or
   * `sentinel` (a `Redis`) or for `cluster` (a `Cluster`).
   */
  get client(): Redis | Cluster {
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
    type Credentials = Partial<
      Record<'password' | 'username' | 'sentinelPassword' | 'sentinelUsername', unknown>
    >;
    const options = (this.#client as { options?: Credentials & { redisOptions?: Credentials } })
      .options;
    const fromClient = [
      options?.password,
      options?.username,
      options?.sentinelPassword,
      options?.sentinelUsername,
      options?.redisOptions?.password,
      options?.redisOptions?.username,
    ].filter((value): value is string => typeof value === 'string' && value !== '');
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
   * and no reconnect is attempted. The same for the clients created for `cluster` (every node)
   * and `sentinel` (whose connections to the sentinels are dropped too). Resolves within 1000 ms
   * in every case. A client that was passed in stays open. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of [...this.#sleepers]) wake();
    if (!this.#ownsClient) return;
    const client = this.#client;
    if (client.status === 'end') return this.#dropSentinelConnections();
    if (client.status === 'ready') {
      const ended = this.#ended(CLOSE_WAIT_MS - CLOSE_DROP_MS);
      // QUIT is never awaited on its own: a stopped Redis does not answer it.
      client.quit().catch(() => undefined);
      if (await ended) return this.#dropSentinelConnections();
    }
    client.disconnect();
    const error = new Error('RedisStore: the store was closed before Redis answered');
    for (const abort of [...this.#inFlight]) abort(error);
    this.#inFlight.clear();
  }

  /**
   * In sentinel mode, `QUIT` ends the master connection but not the failover detector's
   * subscriptions to the sentinels, which would reconnect for ever: `disconnect()` ends them
   * (and does nothing more to a connection that has ended).
   */
  #dropSentinelConnections(): void {
    // ioredis's default for `sentinels` is null.
    const { sentinels } = this.#client.options as { sentinels?: unknown };
    if (!this.#client.isCluster && Array.isArray(sentinels) && sentinels.length > 0) {
      this.#client.disconnect();
    }
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
