/**
 * A Redis Cluster on loopback for the tests: three masters with one replica each, six
 * `redis-server --cluster-enabled yes` processes on free ports of 127.0.0.1, with their
 * configuration, `nodes.conf`, log and pid file in a fresh temp directory.
 *
 * - redis-server is found (or installed, as root on a fresh Debian/Ubuntu machine) by
 *   `scripts/ensure-redis.sh` (through `sentinel-servers.ts`). The cluster is formed with
 *   plain commands over ioredis, as `redis-cli --cluster create … --cluster-replicas 1` does
 *   it (`CLUSTER SET-CONFIG-EPOCH`, `CLUSTER ADDSLOTS` 0–5460 / 5461–10922 / 10923–16383,
 *   `CLUSTER MEET`, `CLUSTER REPLICATE`), so redis-cli is not needed.
 * - Readiness is waited for on state, never on fixed sleeps: every node answers `PING`, knows
 *   the six nodes, sees three replicas (`CLUSTER NODES`) and says `cluster_state:ok` with all
 *   16384 slots (`CLUSTER INFO`), and every replica's `INFO replication` says
 *   `master_link_status:up`. Every wait is bounded ({@link CLUSTER_START_TIMEOUT_MS}).
 * - Cleanup, also when a test fails or jest dies: every server is started `detached` (a process
 *   group of its own) with its pid in `<dir>/<name>.pid`; {@link TestCluster.stop} SIGKILLs
 *   every group and removes the directory, a `process.on('exit')` hook does the same, and a
 *   small detached watchdog (`sh`) kills the groups of the pid files and removes the directory
 *   within a second of the jest worker's death (SIGKILL included).
 *
 * Settings: `cluster-node-timeout` 1000 ms (a master silent that long is suspected; the
 * masters agree it failed and its replica is promoted within a few seconds),
 * `cluster-replica-validity-factor 0` (a replica is always eligible, however long it was cut
 * off), nothing written to disk but `nodes.conf`.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ask,
  ensureRedisServer,
  freePort,
  killGroup,
  spawnServer,
  startWatchdog,
  until,
} from './servers';

/** How long {@link startCluster} waits for the cluster to be ready, in milliseconds. */
export const CLUSTER_START_TIMEOUT_MS = 30_000;
/** `cluster-node-timeout`, in milliseconds. */
export const NODE_TIMEOUT_MS = 1000;
const SLOTS = 16384;

/** One redis-server of the cluster. */
export interface ClusterNode {
  /** `master-1` … `master-3`, `replica-1` … `replica-3` (as started). */
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The node id (`CLUSTER MYID`). */
  readonly id: string;
  readonly child: ChildProcess;
}

/** A running cluster (see the module docs). */
export interface TestCluster {
  /** The three masters as started; `masters[i]` serves the i-th third of the slots. */
  readonly masters: readonly ClusterNode[];
  /** `replicas[i]` replicates `masters[i]`. */
  readonly replicas: readonly ClusterNode[];
  /** Every node as `127.0.0.1:<port>`, as RedisStore's `cluster.nodes` takes them. */
  readonly nodeList: readonly string[];
  readonly dir: string;
  /**
   * The node serving `slot` now (`CLUSTER SLOTS`, asked of each live node in turn).
   *
   * @throws (rejects) when no node answers
   */
  ownerOf(slot: number): Promise<ClusterNode>;
  /** The first and last slot a master served when the cluster started (inclusive). */
  slotsOf(master: ClusterNode): [number, number];
  /** SIGKILL of one node's redis-server, at once (its pid file goes first). */
  kill(node: ClusterNode): void;
  /**
   * Resolves with the node that serves `old`'s slots once it is a master (`ROLE`) and every
   * live node says `cluster_state:ok`; rejects after `timeoutMs` milliseconds.
   */
  waitForFailover(old: ClusterNode, timeoutMs: number): Promise<ClusterNode>;
  /** SIGKILLs every node (each process group) and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Free ports, distinct, whose cluster bus ports (port + 10000) are below 65536 and free too.
 */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (port + 10000 > 65535) continue;
    const bus = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port + 10000, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (bus) ports.add(port);
  }
  return [...ports];
}

/** `CLUSTER INFO` as a field → value record ({} when the node does not answer). */
async function clusterInfo(port: number): Promise<Record<string, string>> {
  const text = await ask(port, 'CLUSTER', 'INFO');
  const record: Record<string, string> = {};
  if (typeof text !== 'string') return record;
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) record[line.slice(0, at)] = line.slice(at + 1);
  }
  return record;
}

/** The slot ranges of `CLUSTER SLOTS`: [start, end, master port]. */
async function slotOwners(port: number): Promise<[number, number, number][] | undefined> {
  const reply = await ask(port, 'CLUSTER', 'SLOTS');
  if (!Array.isArray(reply)) return undefined;
  return reply.map((range: unknown[]) => {
    const master = range[2] as unknown[];
    return [Number(range[0]), Number(range[1]), Number(master[1])];
  });
}

/**
 * Starts a cluster of three masters with one replica each on free loopback ports and resolves
 * once it is ready (see the module docs). Stop it with {@link TestCluster.stop}.
 *
 * @throws (rejects) when redis-server cannot be found or installed (the message of
 *   `scripts/ensure-redis.sh`), or the cluster is not ready within
 *   {@link CLUSTER_START_TIMEOUT_MS}; every server started is killed then
 */
export async function startCluster(): Promise<TestCluster> {
  const binary = await ensureRedisServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'callcontrol-cluster-'));
  const watchdog = startWatchdog(dir);
  const children: ChildProcess[] = [];
  let stopped = false;
  const killAll = (): void => {
    for (const child of children) killGroup(child);
    killGroup(watchdog);
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = (): void => {
    if (!stopped) killAll();
  };
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    const exits = children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
        }),
    );
    killAll();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(exits),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000))),
    ]);
    clearTimeout(timer);
  };

  const start = (name: string, port: number): ChildProcess => {
    const child = spawnServer(binary, dir, name, port, [
      'save ""',
      'appendonly no',
      `dbfilename ${name}.rdb`,
      'cluster-enabled yes',
      `cluster-config-file ${name}-nodes.conf`,
      `cluster-node-timeout ${NODE_TIMEOUT_MS}`,
      'cluster-replica-validity-factor 0',
    ]);
    children.push(child);
    return child;
  };

  try {
    const ports = await freePorts(6);
    const names = ['master-1', 'master-2', 'master-3', 'replica-1', 'replica-2', 'replica-3'];
    const started = names.map((name, i) => ({ name, port: ports[i] as number }));
    const processes = started.map(({ name, port }) => start(name, port));
    const deadline = Date.now() + CLUSTER_START_TIMEOUT_MS;
    const nodes: ClusterNode[] = [];
    for (const [i, { name, port }] of started.entries()) {
      const id = await until(
        'Redis Cluster',
        `${name} answering CLUSTER MYID`,
        deadline,
        async () => {
          const reply = await ask(port, 'CLUSTER', 'MYID');
          return typeof reply === 'string' && reply !== '' ? reply : undefined;
        },
      );
      nodes.push({ name, host: '127.0.0.1', port, id, child: processes[i] as ChildProcess });
    }
    const masters = nodes.slice(0, 3);
    const replicas = nodes.slice(3);
    const third = Math.ceil(SLOTS / 3); // 5462: 0–5461 … as redis-cli splits them, near enough
    for (const [i, master] of masters.entries()) {
      await ask(master.port, 'CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
      const first = i * third;
      const last = Math.min(SLOTS, (i + 1) * third) - 1;
      const slots = Array.from({ length: last - first + 1 }, (_, k) => first + k);
      if ((await ask(master.port, 'CLUSTER', 'ADDSLOTS', ...slots)) !== 'OK') {
        throw new Error(`Redis Cluster: ${master.name} refused CLUSTER ADDSLOTS`);
      }
    }
    const [meeting, ...others] = nodes;
    for (const node of others) {
      await ask(meeting?.port ?? 0, 'CLUSTER', 'MEET', '127.0.0.1', node.port);
    }
    for (const node of nodes) {
      await until('Redis Cluster', `${node.name} knowing the six nodes`, deadline, async () => {
        const text = await ask(node.port, 'CLUSTER', 'NODES');
        if (typeof text !== 'string') return undefined;
        return masters.every((m) => text.includes(m.id)) &&
          text.trim().split('\n').length === nodes.length
          ? true
          : undefined;
      });
    }
    for (const [i, replica] of replicas.entries()) {
      const master = masters[i] as ClusterNode;
      await until(
        'Redis Cluster',
        `${replica.name} replicating ${master.name}`,
        deadline,
        async () =>
          (await ask(replica.port, 'CLUSTER', 'REPLICATE', master.id)) === 'OK' ? true : undefined,
      );
    }
    for (const node of nodes) {
      await until('Redis Cluster', `${node.name} seeing a healthy cluster`, deadline, async () => {
        const info = await clusterInfo(node.port);
        const text = await ask(node.port, 'CLUSTER', 'NODES');
        return info.cluster_state === 'ok' &&
          info.cluster_slots_ok === String(SLOTS) &&
          info.cluster_known_nodes === '6' &&
          typeof text === 'string' &&
          (text.match(/[ ,](?:slave|replica) /g) ?? []).length === 3 &&
          !/fail|handshake|noaddr/.test(text)
          ? true
          : undefined;
      });
    }
    for (const replica of replicas) {
      await until('Redis Cluster', `${replica.name} in sync`, deadline, async () => {
        const info = await ask(replica.port, 'INFO', 'replication');
        return typeof info === 'string' && info.includes('master_link_status:up')
          ? true
          : undefined;
      });
    }

    const byPort = (port: number): ClusterNode | undefined => nodes.find((n) => n.port === port);
    const live = (): ClusterNode[] =>
      nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    const ownerOf = async (slot: number): Promise<ClusterNode> => {
      for (const node of live()) {
        const owners = await slotOwners(node.port);
        const range = owners?.find(([first, last]) => first <= slot && slot <= last);
        const owner = range === undefined ? undefined : byPort(range[2]);
        if (owner !== undefined) return owner;
      }
      throw new Error(`Redis Cluster: no node named the owner of slot ${slot}`);
    };
    return {
      masters,
      replicas,
      nodeList: nodes.map((n) => `127.0.0.1:${n.port}`),
      dir,
      ownerOf,
      slotsOf: (master) => {
        const i = masters.indexOf(master);
        if (i < 0) throw new Error(`Redis Cluster: ${master.name} is not a master as started`);
        return [i * third, Math.min(SLOTS, (i + 1) * third) - 1];
      },
      kill: (node) => {
        // Its pid may be reused once it is gone: the watchdog must not kill that process.
        rmSync(path.join(dir, `${node.name}.pid`), { force: true });
        node.child.kill('SIGKILL');
      },
      waitForFailover: async (old, timeoutMs) => {
        const slot = masters.includes(old) ? masters.indexOf(old) * third : 0;
        return until(
          'Redis Cluster',
          `a replica promoted in place of ${old.name}`,
          Date.now() + timeoutMs,
          async () => {
            const survivors = live().filter((n) => n !== old);
            const infos = await Promise.all(survivors.map((n) => clusterInfo(n.port)));
            if (!infos.every((info) => info.cluster_state === 'ok')) return undefined;
            const owner = await ownerOf(slot).catch(() => undefined);
            if (owner === undefined || owner === old) return undefined;
            const role = await ask(owner.port, 'ROLE');
            return Array.isArray(role) && role[0] === 'master' ? owner : undefined;
          },
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
