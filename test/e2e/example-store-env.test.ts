/**
 * The example server's store from the environment: REDIS_URL, REDIS_CLUSTER_NODES, or
 * REDIS_SENTINELS with REDIS_SENTINEL_NAME; at most one; what the startup line calls it; no
 * password in an error. (The stores themselves are tested against real servers in
 * test/stores and test/redis-ha.)
 */
import { storeFromEnv, storeKindFromEnv } from '../../examples/server';
import { RedisStore } from '../../src';

const PASSWORD = 'fake-redis-password-for-tests';

async function created(env: Record<string, string>): Promise<RedisStore> {
  const store = storeFromEnv(env);
  expect(store).toBeInstanceOf(RedisStore);
  await (store as RedisStore).close();
  return store as RedisStore;
}

describe('storeFromEnv', () => {
  test('nothing set: no store (each app keeps its own in memory)', () => {
    expect(storeFromEnv({})).toBeUndefined();
    expect(storeFromEnv({ REDIS_URL: '', REDIS_CLUSTER_NODES: '' })).toBeUndefined();
    expect(storeKindFromEnv({})).toBe('memory');
  });

  test('REDIS_URL: one Redis, with REDIS_KEY_PREFIX', async () => {
    const store = await created({ REDIS_URL: 'redis://127.0.0.1:1/0', REDIS_KEY_PREFIX: 'x:' });
    expect(store.keyPrefix).toBe('x:');
    expect(storeKindFromEnv({ REDIS_URL: 'redis://127.0.0.1:1/0' })).toBe('redis');
  });

  test('REDIS_CLUSTER_NODES: a cluster client over the listed nodes', async () => {
    const env = { REDIS_CLUSTER_NODES: ' 127.0.0.1:1 , 127.0.0.1:2,', REDIS_PASSWORD: PASSWORD };
    const store = await created(env);
    expect((store.client as { isCluster?: boolean }).isCluster).toBe(true);
    expect(storeKindFromEnv(env)).toBe('redis cluster');
  });

  test('REDIS_SENTINELS with REDIS_SENTINEL_NAME: a client in sentinel mode', async () => {
    const env = { REDIS_SENTINELS: '127.0.0.1:1,127.0.0.1:2', REDIS_SENTINEL_NAME: 'mymaster' };
    const store = await created(env);
    const options = (store.client as unknown as { options: { name?: string; sentinels?: unknown } })
      .options;
    expect(options.name).toBe('mymaster');
    expect(options.sentinels).toEqual([
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ]);
    expect(storeKindFromEnv(env)).toBe('redis sentinel');
  });

  test('refused: two stores named, sentinels without a name, a bad node; never the password', () => {
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: '127.0.0.1:2' }, /at most one/],
      [{ REDIS_CLUSTER_NODES: '127.0.0.1:2', REDIS_SENTINELS: '127.0.0.1:3' }, /at most one/],
      [{ REDIS_SENTINELS: '127.0.0.1:3', REDIS_PASSWORD: PASSWORD }, /REDIS_SENTINEL_NAME/],
      [{ REDIS_CLUSTER_NODES: 'not a node', REDIS_PASSWORD: PASSWORD }, /./],
    ];
    for (const [env, message] of refusals) {
      let thrown: unknown;
      try {
        // A store made where a refusal was due is closed, so the failure shows, not a hang.
        void storeFromEnv(env)?.close();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain(PASSWORD);
    }
  });
});
