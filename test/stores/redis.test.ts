/**
 * RedisStore against a real redis-server (started by test/setup/redis-global-setup.ts, or the
 * one `REDIS_URL` names): the CallStore contract, with a second RedisStore on its own connection
 * as the "other instance", and what is particular to Redis (options, key layout, clients it does
 * or does not own, foreign values under its keys, a server that is down).
 *
 * Every run writes under a fresh key prefix and deletes its keys afterwards, so runs against one
 * server never collide.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/stores/redis';
import { deleteKeys } from '../helpers/redis';
import { describeCallStore, sleep, uniqueKey } from './contract';

const setupError = process.env.CALLCONTROL_REDIS_SETUP_ERROR;
if (setupError !== undefined && setupError !== '') throw new Error(setupError);
const url = process.env.REDIS_URL;
if (url === undefined || url === '') {
  throw new Error(
    'REDIS_URL is not set: the jest globalSetup (test/setup/redis-global-setup.ts) starts ' +
      'redis-server and sets it; run the tests through jest.config.js, or set REDIS_URL',
  );
}
const REDIS_URL: string = url;
const RUN_PREFIX = `callcontrol-test:${randomUUID()}:`;

let admin: Redis;

/**
 * The Redis key of a call's session: `<prefix>session:{<call id>}<call key>`, the call id being
 * what follows the first `:` or `#` (the hash tag every key of one call shares).
 */
function sessionKey(call: string): string {
  const id = call.slice(call.search(/[:#]/) + 1).replace(/[{}]/g, '_');
  return `${RUN_PREFIX}session:{${id}}${call}`;
}

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  expect(await admin.ping()).toBe('PONG');
});

afterAll(async () => {
  await deleteKeys(admin, RUN_PREFIX);
  await admin.quit();
});

describeCallStore(
  'RedisStore',
  () => new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX }),
  (store) => store.close(),
  { peer: (store) => new RedisStore({ url: REDIS_URL, keyPrefix: store.keyPrefix }) },
);

/** A loopback port nobody listens on. */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address !== null && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

describe('RedisStore options', () => {
  const client = (): Redis => new Redis(REDIS_URL, { lazyConnect: true });

  test.each([
    ['neither client nor url', {}],
    ['both client and url', { client: client(), url: REDIS_URL }],
    ['a url that is not redis://', { url: 'http://127.0.0.1:6379' }],
    ['a url that is not a URL', { url: '127.0.0.1:6379' }],
    ['a url that is not a string', { url: 6379 as unknown as string }],
    ['a client that is not an ioredis client', { client: {} as unknown as Redis }],
    ['an empty keyPrefix', { url: REDIS_URL, keyPrefix: '' }],
    ['a keyPrefix with a space', { url: REDIS_URL, keyPrefix: 'call control:' }],
    ['a keyPrefix with a newline', { url: REDIS_URL, keyPrefix: 'a\nb:' }],
    ['a keyPrefix that is not a string', { url: REDIS_URL, keyPrefix: 7 as unknown as string }],
    ['a keyPrefix of 257 characters', { url: REDIS_URL, keyPrefix: 'p'.repeat(257) }],
    ['pollIntervalMs 0', { url: REDIS_URL, pollIntervalMs: 0 }],
    ['pollIntervalMs -5', { url: REDIS_URL, pollIntervalMs: -5 }],
    ['pollIntervalMs 2.5', { url: REDIS_URL, pollIntervalMs: 2.5 }],
    ['pollIntervalMs NaN', { url: REDIS_URL, pollIntervalMs: Number.NaN }],
    ['pollIntervalMs 60001', { url: REDIS_URL, pollIntervalMs: 60_001 }],
    ['pollIntervalMs as text', { url: REDIS_URL, pollIntervalMs: '20' as unknown as number }],
  ])('%s is a TypeError', (_, options) => {
    expect(() => new RedisStore(options)).toThrow(TypeError);
  });

  test('options that are not an object are a TypeError', () => {
    expect(() => new RedisStore(undefined as unknown as { url: string })).toThrow(TypeError);
  });

  test('defaults: prefix callcontrol:, and rediss:// URLs are accepted', async () => {
    const store = new RedisStore({ client: client() });
    expect(store.keyPrefix).toBe('callcontrol:');
    await store.close();
    const tls = new RedisStore({ url: 'rediss://127.0.0.1:1/0' });
    await tls.close();
  });
});

describe('RedisStore in Redis', () => {
  test('key layout: <prefix>delivery:<key> holds pending:<token>, then the reply as JSON, with TTLs', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    const key = uniqueKey('placetel:IncomingCall:call');
    const redisKey = `${RUN_PREFIX}delivery:${key}`;
    const claim = await store.claim(key, 5000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    expect(await admin.get(redisKey)).toBe(`pending:${claim.token}`);
    const claimTtl = await admin.pttl(redisKey);
    expect(claimTtl).toBeGreaterThan(4000);
    expect(claimTtl).toBeLessThanOrEqual(5000);
    expect(await store.renew(key, claim.token, 9000)).toBe(true);
    expect(await admin.pttl(redisKey)).toBeGreaterThan(8000);
    const reply = { status: 200, headers: { 'content-type': 'application/xml' }, body: 'ü' };
    await store.complete(key, claim.token, reply, 60_000);
    expect(JSON.parse((await admin.get(redisKey)) ?? 'null')).toEqual(reply);
    expect(await admin.pttl(redisKey)).toBeGreaterThan(59_000);
    await store.close();
  });

  test('fractional TTLs are rounded up to whole milliseconds', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    const key = uniqueKey('delivery');
    await store.claim(key, 999.2);
    const ttl = await admin.pttl(`${RUN_PREFIX}delivery:${key}`);
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(1000);
    await expect(store.claim(uniqueKey('delivery'), Number.NaN)).rejects.toThrow(TypeError);
    await expect(store.waitFor(key, Number.NaN)).rejects.toThrow(TypeError);
    await store.close();
  });

  test('key layout: <prefix>session:{<call id>}<call key> is a hash of JSON texts with the session TTL', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    const call = uniqueKey('placetel:call');
    const redisKey = `${RUN_PREFIX}session:{${call.slice('placetel:'.length)}}${call}`;
    expect(sessionKey(call)).toBe(redisKey);
    await store.sessionSet(call, 'menu', { level: 2, path: ['main', 'pin'] }, 30_000);
    await store.sessionSet(call, 'name', 'Jürgen', 30_000);
    expect(await admin.hgetall(redisKey)).toEqual({
      menu: '{"level":2,"path":["main","pin"]}',
      name: '"Jürgen"',
    });
    expect(await admin.pttl(redisKey)).toBeGreaterThan(29_000);
    await store.sessionExpire(call, 3000);
    expect(await admin.pttl(redisKey)).toBeLessThanOrEqual(3000);
    await store.sessionDelete(call, 'menu');
    await store.sessionDelete(call, 'name');
    expect(await admin.exists(redisKey)).toBe(0);
    await store.close();
  });

  test('a field named __proto__ is a session field like any other', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    const call = uniqueKey('call');
    await store.sessionSet(call, '__proto__', { polluted: true }, 5000);
    await store.sessionSet(call, 'constructor', 1, 5000);
    const all = await store.sessionGetAll(call);
    expect(Object.keys(all).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
    expect(await store.sessionGet(call, '__proto__')).toEqual({ polluted: true });
    await store.close();
  });

  test('two prefixes on one server do not see each other', async () => {
    const one = new RedisStore({ url: REDIS_URL, keyPrefix: `${RUN_PREFIX}one:` });
    const two = new RedisStore({ url: REDIS_URL, keyPrefix: `${RUN_PREFIX}two:` });
    await one.claim('same-key', 5000);
    await one.sessionSet('same-call', 'f', 1, 5000);
    expect(await two.claim('same-key', 5000)).toMatchObject({ state: 'claimed' });
    expect(await two.sessionGetAll('same-call')).toEqual({});
    await one.close();
    await two.close();
  });

  test('a slower pollIntervalMs still sees the reply, one poll later at most', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX, pollIntervalMs: 150 });
    const other = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    const key = uniqueKey('delivery');
    const claim = await other.claim(key, 5000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const start = performance.now();
    const waiting = store.waitFor(key, 5000);
    await sleep(20);
    await other.complete(key, claim.token, { status: 200, headers: {}, body: 'ok' }, 5000);
    expect(await waiting).toEqual({ status: 200, headers: {}, body: 'ok' });
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    await store.close();
    await other.close();
  });
});

describe('RedisStore clients', () => {
  test('a client passed in is used and not closed by close()', async () => {
    const client = new Redis(REDIS_URL);
    const store = new RedisStore({ client, keyPrefix: RUN_PREFIX });
    expect(store.client).toBe(client);
    expect(await store.claim(uniqueKey('delivery'), 5000)).toMatchObject({ state: 'claimed' });
    await store.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  test('the client created for url is quit by close(); close() twice is fine', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    await store.sessionSet(uniqueKey('call'), 'f', 1, 5000);
    await store.close();
    expect(store.client.status).toBe('end');
    await expect(store.close()).resolves.toBeUndefined();
  });

  test('after close() every method rejects', async () => {
    const store = new RedisStore({ client: new Redis(REDIS_URL), keyPrefix: RUN_PREFIX });
    await store.close();
    const key = uniqueKey('delivery');
    const reply = { status: 200, headers: {}, body: '' };
    for (const call of [
      () => store.claim(key, 1000),
      () => store.renew(key, 'token', 1000),
      () => store.complete(key, 'token', reply, 1000),
      () => store.release(key, 'token'),
      () => store.waitFor(key, 1000),
      () => store.sessionGet(key, 'f'),
      () => store.sessionGetAll(key),
      () => store.sessionSet(key, 'f', 1, 1000),
      () => store.sessionDelete(key, 'f'),
      () => store.sessionExpire(key, 1000),
    ]) {
      await expect(call()).rejects.toThrow('closed');
    }
    await store.client.quit();
  });
});

describe('RedisStore with values it did not write', () => {
  let store: RedisStore;
  beforeEach(() => {
    store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
  });
  afterEach(() => store.close());

  test('a delivery key that is not JSON rejects claim and waitFor with an error naming it', async () => {
    const key = uniqueKey('delivery');
    await admin.set(`${RUN_PREFIX}delivery:${key}`, 'not json {', 'PX', 5000);
    await expect(store.claim(key, 1000)).rejects.toThrow(/not valid JSON/);
    await expect(store.claim(key, 1000)).rejects.toThrow(`${RUN_PREFIX}delivery:${key}`);
    await expect(store.waitFor(key, 1000)).rejects.toThrow(/not valid JSON/);
  });

  test.each([
    ['a JSON array', '[1,2]'],
    ['no status', '{"headers":{},"body":""}'],
    ['a status that is text', '{"status":"200","headers":{},"body":""}'],
    ['a body that is not text', '{"status":200,"headers":{},"body":5}'],
    ['headers that are not an object', '{"status":200,"headers":[],"body":""}'],
    ['a header that is not text', '{"status":200,"headers":{"x":1},"body":""}'],
  ])('a delivery key holding %s is not a stored reply', async (_, value) => {
    const key = uniqueKey('delivery');
    await admin.set(`${RUN_PREFIX}delivery:${key}`, value, 'PX', 5000);
    await expect(store.claim(key, 1000)).rejects.toThrow(/is not a stored reply/);
    await expect(store.waitFor(key, 1000)).rejects.toThrow(/is not a stored reply/);
  });

  test('a session field that is not JSON rejects sessionGet and sessionGetAll', async () => {
    const call = uniqueKey('call');
    await admin.hset(sessionKey(call), 'good', '1', 'bad', "{'single':1}");
    await admin.pexpire(sessionKey(call), 5000);
    expect(await store.sessionGet(call, 'good')).toBe(1);
    await expect(store.sessionGet(call, 'bad')).rejects.toThrow(
      /session field "bad".*not valid JSON/,
    );
    await expect(store.sessionGetAll(call)).rejects.toThrow(/not valid JSON/);
  });

  test('a key of the wrong Redis type rejects with the Redis error', async () => {
    const key = uniqueKey('delivery');
    await admin.hset(`${RUN_PREFIX}delivery:${key}`, 'a', 'b');
    await admin.pexpire(`${RUN_PREFIX}delivery:${key}`, 5000);
    await expect(store.claim(key, 1000)).rejects.toThrow(/WRONGTYPE/);
    await admin.set(sessionKey(key), 'text', 'PX', 5000);
    await expect(store.sessionSet(key, 'f', 1, 1000)).rejects.toThrow(/WRONGTYPE/);
    await expect(store.sessionGetAll(key)).rejects.toThrow(/WRONGTYPE/);
  });

  test('a session value without a JSON form is a TypeError', async () => {
    const call = uniqueKey('call');
    const notJson = (() => 1) as unknown as string;
    await expect(store.sessionSet(call, 'f', notJson, 1000)).rejects.toThrow(TypeError);
  });
});

describe('RedisStore with a server that is down', () => {
  const BOUND_MS = 3000;

  async function rejectsSoon(run: () => Promise<unknown>): Promise<void> {
    const start = performance.now();
    await expect(run()).rejects.toThrow();
    expect(performance.now() - start).toBeLessThan(BOUND_MS);
  }

  test('every method rejects within a bounded time (client that gives up)', async () => {
    const port = await unusedPort();
    const client = new Redis({
      host: '127.0.0.1',
      port,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      connectTimeout: 500,
      lazyConnect: true,
    });
    client.on('error', () => undefined);
    const store = new RedisStore({ client, keyPrefix: RUN_PREFIX });
    const reply = { status: 200, headers: {}, body: '' };
    await rejectsSoon(() => store.claim('k', 1000));
    await rejectsSoon(() => store.renew('k', 'token', 1000));
    await rejectsSoon(() => store.complete('k', 'token', reply, 1000));
    await rejectsSoon(() => store.release('k', 'token'));
    await rejectsSoon(() => store.waitFor('k', 10_000));
    await rejectsSoon(() => store.sessionGet('c', 'f'));
    await rejectsSoon(() => store.sessionGetAll('c'));
    await rejectsSoon(() => store.sessionSet('c', 'f', 1, 1000));
    await rejectsSoon(() => store.sessionDelete('c', 'f'));
    await rejectsSoon(() => store.sessionExpire('c', 1000));
    await store.close();
    expect(client.status).toBe('end'); // retryStrategy gave up: nothing left to disconnect
  });

  test('a store made from a url rejects within a bounded time too, and closes at once', async () => {
    const port = await unusedPort();
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}/0`, keyPrefix: RUN_PREFIX });
    await rejectsSoon(() => store.claim('k', 1000));
    await rejectsSoon(() => store.sessionGetAll('c'));
    const pending = store.sessionGet('c', 'f'); // queued while ioredis reconnects
    const attempts: string[] = [];
    store.client.on('connecting', () => attempts.push('connecting'));
    const start = performance.now();
    await store.close();
    expect(performance.now() - start).toBeLessThan(1000);
    await expect(pending).rejects.toThrow(/closed/);
    await sleep(300);
    expect(attempts).toEqual([]); // no reconnect after close
  });
});
