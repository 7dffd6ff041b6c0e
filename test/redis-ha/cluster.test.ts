/**
 * RedisStore on a Redis Cluster, against a real cluster of this file's own (three masters with
 * one replica each on free loopback ports: `cluster-servers.ts`), through the store's
 * `cluster` option:
 *
 * - the CallStore contract (`test/stores/contract.ts`), each store and its peer with an ioredis
 *   `Cluster` of its own;
 * - one slot per call: every key the store writes for one call (its deliveries through
 *   `deliveryKeyOf`, its session, its record of once-per-call events) hashes to one slot
 *   (`CLUSTER KEYSLOT`, asked of the cluster), and the two-key scripts run; a delivery key
 *   without the call's hash tag is refused (by ioredis, which groups commands by slot, or by
 *   the cluster: `CROSSSLOT`), which is what the tag prevents;
 * - the failover: two instances of a Placetel app, bounded signed traffic with repeated
 *   deliveries, and in the middle the master serving slot 0 (a third of the calls) killed
 *   with SIGKILL (`harness.ts`). Every request is answered within the deadline (+ 250 ms),
 *   none is lost; a handler runs twice only for a repeat handled while the store was out (no
 *   duplicate detection then, docs/reliability.md "Faults"); after the replica is promoted,
 *   without restarting the apps, a delivery repeated on the other instance gets the stored
 *   reply and a session written on one instance is read on the other. Beside the harness's
 *   figures, two cluster times: from the kill until the replica serves the slots as master with
 *   every live node saying `cluster_state:ok` (`promotedMs`), and until a session write to a
 *   key in the killed master's slots succeeds again (`slotsWritableMs`). The figures go to
 *   `test-output/redis-ha-cluster.json`.
 *
 * When redis-server cannot be found or installed (`scripts/ensure-redis.sh`), the tests fail
 * with the script's reason (as the other Redis tests do): they are never skipped.
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { RedisStore } from '../../src/stores/redis';
import { describeCallStore } from '../stores/contract';
import { startCluster, type ClusterNode, type TestCluster } from './cluster-servers';
import { expectPromisesKept, reportFigures, runFailover } from './harness';

describe('RedisStore on a Redis Cluster', () => {
  let cluster: TestCluster;
  /** An admin connection to the cluster (CLUSTER KEYSLOT, SCAN of every master). */
  let admin: Cluster;

  beforeAll(async () => {
    cluster = await startCluster();
    admin = new Cluster(
      cluster.nodeList.map((node) => {
        const [host, port] = node.split(':');
        return { host: host ?? '127.0.0.1', port: Number(port) };
      }),
      { redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2000 } },
    );
    admin.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    admin?.disconnect();
    await cluster?.stop();
  });

  const store = (keyPrefix = `cluster-test:${randomUUID()}:`): RedisStore =>
    new RedisStore({ cluster: { nodes: cluster.nodeList }, keyPrefix });

  describeCallStore(
    'RedisStore (cluster)',
    () => store(),
    (created) => created.close(),
    {
      peer: (first) => store(first.keyPrefix),
    },
  );

  describe('one slot per call', () => {
    /** Every key under `prefix` on every master (SCAN), as the cluster holds them. */
    async function keysUnder(prefix: string): Promise<string[]> {
      const keys: string[] = [];
      for (const node of admin.nodes('master')) {
        let cursor = '0';
        do {
          const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...found);
        } while (cursor !== '0');
      }
      return keys;
    }

    test('the keys of one call share a slot, and the two-key scripts run on the cluster', async () => {
      const keyPrefix = `cluster-slots:${randomUUID()}:`;
      const a = store(keyPrefix);
      const b = store(keyPrefix);
      const calls = Array.from({ length: 30 }, () => randomUUID());
      for (const id of calls) {
        const callKey = `placetel:${id}`;
        const recordKey = `placetel#${id}`;
        const incoming = a.deliveryKeyOf(callKey, `placetel:IncomingCall:${id}`);
        const { claim } = await a.claimWithRecord(incoming, 5000, recordKey);
        if (claim.state !== 'claimed') throw new Error(`not claimed: ${claim.state}`);
        const reply = { status: 200, headers: {}, body: '<Response/>' };
        await a.completeWithRecord(incoming, claim.token, reply, 60_000, {
          callKey: recordKey,
          field: 'IncomingCall',
          value: true,
          ttlMs: 60_000,
        });
        await a.sessionSet(callKey, 'routing', 'a', 60_000);
        const hungUp = b.deliveryKeyOf(callKey, `placetel:HungUp:${id}`);
        const second = await b.claimWithRecord(hungUp, 5000, recordKey);
        expect(second.record).toEqual({ IncomingCall: true });
        expect(await b.sessionGet(callKey, 'routing')).toBe('a');
        expect(await b.claim(incoming, 5000)).toEqual({ state: 'done', reply });
      }
      const keys = await keysUnder(keyPrefix);
      // Per call: 2 deliveries, the record and the session.
      expect(keys).toHaveLength(calls.length * 4);
      const slotsOfCall = new Map<string, Set<number>>();
      for (const key of keys) {
        const id = calls.find((call) => key.includes(call));
        if (id === undefined) throw new Error(`a key of no call: ${key}`);
        const slot = await admin.cluster('KEYSLOT', key);
        slotsOfCall.set(id, (slotsOfCall.get(id) ?? new Set()).add(slot));
      }
      expect(slotsOfCall.size).toBe(calls.length);
      for (const slots of slotsOfCall.values()) expect(slots.size).toBe(1);
      // The calls spread over the cluster (30 random ids on three masters).
      const distinct = new Set([...slotsOfCall.values()].map((slots) => [...slots][0]));
      expect(distinct.size).toBeGreaterThan(20);
      await a.close();
      await b.close();
    });

    test('a delivery key without the call hash tag is refused (two slots in one script)', async () => {
      const a = store();
      // Keys chosen so that they fall in different slots: without the tag they would.
      let refused: unknown;
      for (let i = 0; i < 10 && refused === undefined; i += 1) {
        const id = randomUUID();
        await a
          .claimWithRecord(`placetel:IncomingCall:${id}`, 5000, `placetel#${id}`)
          .catch((error: unknown) => (refused = error));
      }
      await a.close();
      expect(refused).toBeInstanceOf(Error);
      // ioredis refuses it before sending (its auto-pipeline groups commands by slot); without
      // it Redis would answer CROSSSLOT.
      expect((refused as Error).message).toMatch(
        /^RedisStore: (?:CROSSSLOT|All the keys in a pipeline command should belong to the same slot)/,
      );
    });
  });

  describe('failover', () => {
    test('the master of slot 0 killed under signed traffic with repeats: every request answered in time, none lost; duplicates and sessions work again without a restart', async () => {
      const keyPrefix = `cluster-failover:${randomUUID()}:`;
      const old = await cluster.ownerOf(0);
      const [first, last] = cluster.slotsOf(old);
      // A call whose keys live in the slots of the master to be killed, for the probe.
      let probeCall = '';
      for (let i = 0; i < 1000 && probeCall === ''; i += 1) {
        const id = randomUUID();
        const slot = await admin.cluster('KEYSLOT', `{${id}}`);
        if (slot >= first && slot <= last) probeCall = `placetel:${id}`;
      }
      expect(probeCall).not.toBe('');
      const probe = store(keyPrefix);
      let killedAt = 0;
      let promotion: Promise<{ node: ClusterNode; ms: number }> | undefined;
      let writable: Promise<number | undefined> | undefined;
      const figures = await runFailover({
        kind: 'cluster',
        store: () => store(keyPrefix),
        fail: () => {
          killedAt = performance.now();
          cluster.kill(old);
          promotion = cluster.waitForFailover(old, 20_000).then((node) => ({
            node,
            ms: Math.round(performance.now() - killedAt),
          }));
          writable = (async () => {
            while (performance.now() - killedAt < 20_000) {
              const ok = await probe.sessionSet(probeCall, 'probe', 1, 60_000).then(
                () => true,
                () => false,
              );
              if (ok) return Math.round(performance.now() - killedAt);
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
            return undefined;
          })();
        },
      });
      if (promotion === undefined || writable === undefined) throw new Error('fail() not called');
      const { node: promoted, ms: promotedMs } = await promotion;
      const slotsWritableMs = await writable;
      await probe.close();
      const clusterFigures = { ...figures, promotedMs, slotsWritableMs };
      reportFigures(clusterFigures);
      process.stdout.write(
        `cluster failover: ${old.name} (slots ${first}-${last}) killed; ${promoted.name} ` +
          `promoted after ${promotedMs} ms, the slots writable again after ` +
          `${String(slotsWritableMs)} ms\n`,
      );

      expect(promoted.name).toBe(old.name.replace('master', 'replica'));
      expectPromisesKept(figures);
      expect(slotsWritableMs).toBeDefined();
    }, 60_000);
  });
});
