/**
 * The Lua scripts of `RedisStore`, each run by `EVALSHA` (its SHA1 only) and sent whole
 * (`EVAL`) only when Redis answers `NOSCRIPT` (a server that never saw it, restarted, or after
 * `SCRIPT FLUSH`); Redis then keeps it for the next `EVALSHA`.
 *
 * Every script touches only the keys it is given (`KEYS`), so that it runs on Redis Cluster too
 * when they share a hash slot: `RedisStore` puts every key of one call (its deliveries, its
 * session, its record) under the hash tag `{<call id>}`, and a script with two keys is always
 * given two keys of one call. On a cluster, ioredis sends `EVALSHA` to the master of the slot
 * of its keys; a master that never ran a script (a replica promoted by a failover: replicas
 * receive a script's writes, not the script) answers `NOSCRIPT` once and gets it as `EVAL`.
 * No script reads or writes a key it was not given, calls `KEYS`/`SCAN`, or selects a database.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** One Lua script with a fixed number of keys. */
export class LuaScript {
  /** The SHA1 of `source`, in hex, as `EVALSHA` wants it. */
  readonly sha: string;

  /**
   * @param source - the Lua text
   * @param keys - how many of a call's arguments are keys (`KEYS`); the rest are `ARGV`
   */
  constructor(
    readonly source: string,
    readonly keys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Runs the script with `args` (its keys first): one `EVALSHA`, and once more as `EVAL` when
   * Redis answers `NOSCRIPT`. `client` may be a `Redis` or (typed as one by `RedisStore`) a
   * `Cluster`: both route the command by its keys.
   *
   * @throws (rejects) with what ioredis rejects with
   */
  run(client: Redis, args: readonly (string | number)[]): Promise<unknown> {
    return client.evalsha(this.sha, this.keys, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return client.eval(this.source, this.keys, ...args);
      }
      throw error;
    });
  }
}

/**
 * Claims a delivery: KEYS[1] the delivery key, ARGV[1] the lease in ms, ARGV[2]
 * `pending:<token>`. Returns `{1}` when it set the key (with that TTL), or `{0, <current value>}`
 * when the key existed.
 */
export const CLAIM = new LuaScript(
  `local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
return {1}`,
  1,
);

/**
 * {@link CLAIM} and, when the delivery was claimed, the call's record read in the same step:
 * KEYS[1] the delivery key, KEYS[2] the record's hash, ARGV as for {@link CLAIM}. Returns
 * `{1, {field, value, …}}` (the hash's `HGETALL`) or `{0, <current value>}`.
 */
export const CLAIM_WITH_RECORD = new LuaScript(
  `local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
return {1, redis.call('HGETALL', KEYS[2])}`,
  2,
);

/**
 * Extends the TTL of a delivery key (KEYS[1]) to ARGV[2] ms while it is leased under ARGV[1]
 * (`pending:<token>`): 1 or 0.
 */
export const RENEW = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
  1,
);

/**
 * Stores the reply ARGV[2] with a TTL of ARGV[3] ms when the delivery key (KEYS[1]) is leased
 * under ARGV[1] or absent: 1, else 0.
 */
export const COMPLETE = new LuaScript(
  `local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`,
  1,
);

/**
 * {@link COMPLETE} (KEYS[1], ARGV[1..3]) and, whether or not the reply was stored, the call's
 * record written: `HSET KEYS[2] ARGV[4] ARGV[5]` and `PEXPIRE KEYS[2] ARGV[6]`. Returns 1 when
 * the reply was stored, else 0.
 */
export const COMPLETE_WITH_RECORD = new LuaScript(
  `local current = redis.call('GET', KEYS[1])
local stored = 0
if not current or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  stored = 1
end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return stored`,
  2,
);

/** Deletes a delivery key (KEYS[1]) only while it is leased under ARGV[1] (`pending:<token>`). */
export const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  1,
);
