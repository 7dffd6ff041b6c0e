/**
 * RedisStore's `cluster` and `sentinel` options, without servers: which input is refused (a
 * coded TypeError that names the option and never repeats a credential), and what client the
 * store creates for good input (an ioredis `Cluster`, or a `Redis` in sentinel mode, with the
 * bounded settings of every client the store owns). The stores here point at loopback ports
 * nobody listens on and are closed at once. The same options against real servers:
 * test/redis-ha/.
 */
import { Cluster, Redis } from 'ioredis';
import { RedisStore, type RedisStoreOptions } from '../../src/stores/redis';

const SECRET = 'pässwörd-s3cr3t';

function thrown(options: unknown): TypeError & { code?: unknown } {
  try {
    new RedisStore(options as RedisStoreOptions);
  } catch (error) {
    if (error instanceof TypeError) return error as TypeError & { code?: unknown };
    throw error;
  }
  throw new Error('no error thrown');
}

describe('RedisStore options: cluster and sentinel, refused', () => {
  const cluster = (nodes: unknown): unknown => ({ cluster: { nodes } });
  const sentinel = (sentinels: unknown, name: unknown = 'mymaster'): unknown => ({
    sentinel: { sentinels, name },
  });

  test.each([
    ['no option at all', {}, /exactly one of .*got none/],
    [
      'url and cluster',
      { url: 'redis://127.0.0.1:1', cluster: { nodes: ['127.0.0.1:1'] } },
      /got 2/,
    ],
    [
      'cluster and sentinel',
      { cluster: { nodes: ['a:1'] }, sentinel: { sentinels: ['a:1'], name: 'm' } },
      /got 2/,
    ],
    ['cluster that is not an object', { cluster: 'a:1' }, /`cluster` must be an object/],
    ['cluster.nodes empty', cluster([]), /cluster\.nodes must be a list of 1 to 64 .*0 entries/],
    [
      'cluster.nodes not a list',
      cluster('127.0.0.1:7000'),
      /cluster\.nodes must be a list.*string/,
    ],
    ['cluster.nodes of 65', cluster(Array(65).fill('a:1')), /65 entries/],
    ['a node without port', cluster(['127.0.0.1']), /cluster\.nodes\[0\] .*no port/],
    ['a node with port 0', cluster(['a:1', 'a:0']), /cluster\.nodes\[1\] .*port/],
    ['a node with port 65536', cluster(['a:65536']), /port is not a whole number/],
    ['a node with port x', cluster(['a:x']), /port/],
    ['a node with an empty host', cluster([':7000']), /not a host name/],
    ['a node with a space', cluster(['a b:7000']), /not a host name/],
    ['a bare IPv6 address', cluster(['::1:7000']), /\[::1\]:6379/],
    ['a bracketed non-IPv6', cluster(['[abc]:7000']), /not an IPv6/],
    ['a node that is a number', cluster([7000]), /cluster\.nodes\[0\] .*got number/],
    ['a URL as node', cluster(['redis://127.0.0.1:7000']), /not a URL/],
    ['sentinel not an object', { sentinel: null }, /`sentinel` must be an object/],
    ['sentinel.sentinels empty', sentinel([]), /sentinel\.sentinels must be a list/],
    ['a sentinel without port', sentinel(['127.0.0.1']), /sentinel\.sentinels\[0\]/],
    [
      'sentinel.name missing',
      { sentinel: { sentinels: ['a:1'] } },
      /sentinel\.name .*got undefined/,
    ],
    ['sentinel.name empty', sentinel(['a:1'], ''), /sentinel\.name .*0 characters/],
    ['sentinel.name with a space', sentinel(['a:1'], 'my master'), /sentinel\.name/],
    ['sentinel.name of 257', sentinel(['a:1'], 'm'.repeat(257)), /257 characters/],
    ['an empty cluster.password', { cluster: { nodes: ['a:1'], password: '' } }, /password/],
    [
      'a sentinelPassword that is a number',
      { sentinel: { sentinels: ['a:1'], name: 'm', sentinelPassword: 5 } },
      /sentinel\.sentinelPassword/,
    ],
    ['cluster.tls as text', { cluster: { nodes: ['a:1'], tls: 'yes' } }, /cluster\.tls/],
    [
      'commandTimeoutMs 0 with cluster',
      { cluster: { nodes: ['a:1'] }, commandTimeoutMs: 0 },
      /commandTimeoutMs/,
    ],
  ])('%s: a coded TypeError', (_, options, message) => {
    const error = thrown(options);
    expect(error.message).toMatch(/^RedisStore: /);
    expect(error.message).toMatch(message);
    expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
  });

  test('a bad entry never brings a credential into the message', () => {
    for (const options of [
      { cluster: { nodes: [''], password: SECRET, username: SECRET } },
      { cluster: { nodes: ['a:1'], password: SECRET, tls: 3 } },
      { sentinel: { sentinels: ['a:1'], name: '', password: SECRET, sentinelPassword: SECRET } },
    ]) {
      expect(thrown(options).message).not.toContain(SECRET);
    }
  });

  test('a long bad entry is shortened in the message', () => {
    const error = thrown(cluster([`${'h'.repeat(500)}`]));
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('RedisStore options: cluster and sentinel, accepted', () => {
  test('cluster: the store owns an ioredis Cluster with bounded settings, and closes it', async () => {
    const store = new RedisStore({
      cluster: { nodes: ['127.0.0.1:1', '[::1]:2', 'redis-0.example.internal:6379'] },
      commandTimeoutMs: 700,
    });
    const client = store.client;
    expect(client).toBeInstanceOf(Cluster);
    const cluster = client as Cluster;
    expect(cluster.options).toMatchObject({
      enableAutoPipelining: true,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      maxRedirections: 16,
      slotsRefreshTimeout: 700,
      slotsRefreshInterval: 2000,
    });
    expect(cluster.options.redisOptions).toMatchObject({
      maxRetriesPerRequest: 1,
      commandTimeout: 700,
      connectTimeout: 2000,
      disconnectTimeout: 100,
      enableAutoPipelining: true,
    });
    const started = performance.now();
    await store.close();
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(store.claim('{c}k', 1000)).rejects.toThrow(/closed/);
  });

  test('cluster credentials and tls go to every node', async () => {
    const store = new RedisStore({
      cluster: { nodes: ['127.0.0.1:1'], username: 'app', password: SECRET, tls: true },
    });
    const cluster = store.client as Cluster;
    expect(cluster.options.redisOptions).toMatchObject({
      username: 'app',
      password: SECRET,
      tls: {},
    });
    await store.close();
  });

  test('sentinel: the store owns a Redis in sentinel mode with failoverDetector', async () => {
    const store = new RedisStore({
      sentinel: {
        sentinels: ['127.0.0.1:1', 'localhost:2'],
        name: 'mymaster',
        password: SECRET,
        sentinelPassword: 'other',
        tls: true,
        sentinelTls: false,
      },
    });
    const client = store.client;
    expect(client).toBeInstanceOf(Redis);
    expect((client as Redis).options).toMatchObject({
      sentinels: [
        { host: '127.0.0.1', port: 1 },
        { host: 'localhost', port: 2 },
      ],
      name: 'mymaster',
      password: SECRET,
      sentinelPassword: 'other',
      failoverDetector: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      connectTimeout: 2000,
      enableAutoPipelining: true,
      enableTLSForSentinelMode: true,
      tls: {},
    });
    expect((client as Redis).options.sentinelTLS).toBeUndefined();
    await store.close();
  });

  test('client accepts a Cluster the caller owns, and leaves it open on close', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const store = new RedisStore({ client: cluster });
    expect(store.client).toBe(cluster);
    await store.close();
    expect(cluster.status).toBe('wait');
    cluster.disconnect();
  });

  test('a command against an unreachable cluster rejects without the password', async () => {
    const store = new RedisStore({
      cluster: { nodes: ['127.0.0.1:1'], password: SECRET },
      commandTimeoutMs: 200,
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      store.sessionGet('placetel:c', 'f').then(
        () => 'resolved',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('pending'), 3000))),
    ]);
    clearTimeout(timer);
    await store.close();
    expect(outcome).not.toContain(SECRET);
    // Rejected by ioredis, or still queued until close: both leave the caller's deadline to
    // the app's store guard; a resolved value would be wrong.
    expect(outcome).not.toBe('resolved');
  });
});
