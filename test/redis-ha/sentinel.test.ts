/**
 * RedisStore behind Redis Sentinel, against a real Sentinel group of this file's own (one
 * master, one replica, three sentinels on free loopback ports: `sentinel-servers.ts`):
 *
 * - the CallStore contract (`test/stores/contract.ts`), each store on a client in sentinel mode
 *   and its peer on a second one;
 * - the failover: two instances of a Placetel app, bounded signed traffic with repeated
 *   deliveries, the master killed (SIGKILL) in the middle (`harness.ts`). Every request is
 *   answered within the deadline (+ 250 ms), none is lost; a handler runs twice only for a
 *   repeat that raced its first delivery while the store was unreachable (handled without
 *   duplicate detection, docs/reliability.md "Faults"), and at most as many times as such
 *   repeats were sent; after the failover, without restarting the apps, a delivery repeated on
 *   the other instance gets the stored reply and a session written on one instance is read on
 *   the other. The figures go to `test-output/redis-ha-sentinel.json`.
 *
 * When redis-server cannot be found or installed (`scripts/ensure-redis.sh`), the file is
 * skipped with the reason on stderr.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/stores/redis';
import { describeCallStore } from '../stores/contract';
import { reportFigures, runFailover } from './harness';
import { startSentinelGroup, type SentinelGroup } from './sentinel-servers';

/** Why the file is skipped: redis-server cannot be had. Undefined: it can. */
function unavailable(): string | undefined {
  try {
    execFileSync('bash', [path.resolve(__dirname, '..', '..', 'scripts', 'ensure-redis.sh')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 5 * 60_000,
    });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    return stderr === undefined || stderr === '' ? String(error) : stderr;
  }
}

const reason = unavailable();
if (reason !== undefined) {
  process.stderr.write(
    `\n*** SKIPPED test/redis-ha/sentinel.test.ts: no redis-server for the Sentinel group.\n` +
      `${reason}\n*** Install redis-server (or run the tests as root where apt-get works).\n\n`,
  );
}
const describeIfRedis = reason === undefined ? describe : describe.skip;

/** The client settings of RedisStore's own `url` client, in sentinel mode. */
function sentinelClient(group: SentinelGroup): Redis {
  const client = new Redis({
    sentinels: group.sentinels.map(({ host, port }) => ({ host, port })),
    name: group.name,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    enableAutoPipelining: true,
    connectTimeout: 2000,
    disconnectTimeout: 100,
    // Subscribes to the sentinels' +switch-master: the new master is used at once.
    failoverDetector: true,
  });
  client.on('error', () => undefined);
  return client;
}

describeIfRedis('RedisStore behind Redis Sentinel', () => {
  let group: SentinelGroup;
  const clients = new Map<RedisStore, Redis>();

  beforeAll(async () => {
    group = await startSentinelGroup();
  }, 60_000);

  afterAll(async () => {
    await group?.stop();
  });

  const store = (keyPrefix = `sentinel-test:${Date.now()}:${Math.random()}:`): RedisStore => {
    const client = sentinelClient(group);
    const created = new RedisStore({ client, keyPrefix });
    clients.set(created, client);
    return created;
  };
  const close = async (created: RedisStore): Promise<void> => {
    await created.close();
    const client = clients.get(created);
    clients.delete(created);
    client?.disconnect();
  };

  describeCallStore('RedisStore (sentinel)', () => store(), close, {
    peer: (first) => store(first.keyPrefix),
  });

  describe('failover', () => {
    // Not the contract's: the failover kills the master the contract ran on.
    test('the master killed under signed traffic with repeats: every request answered in time, none lost; duplicates and sessions work again without a restart', async () => {
      const keyPrefix = `sentinel-failover:${Date.now()}:`;
      const before = await group.currentMaster();
      expect(before.port).toBe(group.master.port);
      const figures = await runFailover({
        kind: 'sentinel',
        store: () => store(keyPrefix),
        fail: () => group.killMaster(),
      });
      for (const created of [...clients.keys()]) await close(created);
      const after = await group.waitForNewMaster(before, 10_000);
      reportFigures(figures);

      expect(after.port).toBe(group.replica.port);
      expect(figures.lostDetails).toEqual([]);
      expect(figures.answeredLate).toBe(0);
      expect(figures.answeredInTime).toBe(figures.requests);
      expect(figures.failoverMs).toBeDefined();
      // A handler runs twice only for a delivery handled while the store was out (no duplicate
      // detection then), and only for one that was sent again.
      expect(figures.answeredTwiceDetails).toHaveLength(figures.answeredTwiceInOutage);
      expect(figures.answeredTwiceInOutage).toBeLessThanOrEqual(figures.repeatsInOutage);
      expect(figures.repeatAnswersDiffering).toBe(0);
      expect(figures.sessionMisses).toBe(figures.sessionMissesInOutage);
      expect(figures.duplicatesDetectedAgain).toBe(true);
      expect(figures.sessionsSharedAgain).toBe(true);
    }, 60_000);
  });
});
