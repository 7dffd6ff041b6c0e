/**
 * A Redis Sentinel group on loopback for the tests: one master, one replica and three
 * sentinels (`redis-server <conf> --sentinel`), each a `redis-server` process of its own on a
 * free port of 127.0.0.1, with its configuration, log and data in a fresh temp directory.
 *
 * - redis-server is found (or installed, as root on a fresh Debian/Ubuntu machine) by
 *   `scripts/ensure-redis.sh`; nothing else is needed (no redis-cli: the state is read with
 *   ioredis).
 * - Readiness is waited for on state, never on fixed sleeps: the master answers `PING`, the
 *   replica's `INFO replication` says `master_link_status:up`, every sentinel answers
 *   `SENTINEL get-master-addr-by-name` with the master and knows the other two sentinels and
 *   the replica (`SENTINEL master`), so that a failover can be agreed on at once. Every wait is
 *   bounded ({@link START_TIMEOUT_MS} an attempt, {@link START_OVERALL_MS} in all); a server
 *   that exits (its port taken meanwhile by another process) fails the attempt at once, and the
 *   group is started again on new ports (3 attempts).
 * - Cleanup, also when a test fails or jest dies: every server is started `detached` (a process
 *   group of its own) and its pid written to `<dir>/<name>.pid`; {@link SentinelGroup.stop}
 *   kills every group (SIGKILL) and removes the directory; a `process.on('exit')` hook does the
 *   same; and a small detached watchdog (`sh`) kills the groups listed in the pid files and
 *   removes the directory within a second of the jest worker's death (SIGKILL included).
 *
 * Sentinel settings: `sentinel monitor <name> 127.0.0.1 <master port> 2` (quorum 2 of 3),
 * `down-after-milliseconds` 1000, `failover-timeout` 3000, `parallel-syncs` 1.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** How long one attempt of {@link startSentinelGroup} waits for the group, in milliseconds. */
export const START_TIMEOUT_MS = 20_000;
/** How many times {@link startSentinelGroup} tries, each on new ports. */
const START_ATTEMPTS = 3;
/** The bound of all attempts together, in milliseconds. */
export const START_OVERALL_MS = 45_000;
/** Sentinel's `down-after-milliseconds`: a master silent this long is subjectively down. */
export const DOWN_AFTER_MS = 1000;
/** Sentinel's `failover-timeout`, in milliseconds. */
export const FAILOVER_TIMEOUT_MS = 3000;

/** `host:port` of one server of the group. */
export interface Address {
  readonly host: '127.0.0.1';
  readonly port: number;
}

/** One redis-server process of the group. */
export interface GroupServer extends Address {
  /** `master`, `replica`, `sentinel-1` … (also the name of its pid, conf and log files). */
  readonly name: string;
  readonly child: ChildProcess;
}

/** A running Sentinel group (see the module docs). */
export interface SentinelGroup {
  /** The master name the sentinels monitor (`sentinel monitor <name> …`). */
  readonly name: string;
  /** The three sentinels, as ioredis's `sentinels` option takes them. */
  readonly sentinels: readonly Address[];
  /** The same as `host:port` strings. */
  readonly sentinelList: readonly string[];
  /** The master when the group started. */
  readonly master: GroupServer;
  /** The replica when the group started. */
  readonly replica: GroupServer;
  /** The temp directory with every server's conf, log, data and pid file. */
  readonly dir: string;
  /**
   * The master's address as the sentinels see it now (`SENTINEL get-master-addr-by-name`,
   * asked of each sentinel in turn until one answers; 1 s per sentinel).
   *
   * @throws when no sentinel answers
   */
  currentMaster(): Promise<Address>;
  /**
   * Kills the master's redis-server with SIGKILL (the test's `fail()`), at once.
   */
  killMaster(): void;
  /**
   * Resolves with the new master once a majority of the sentinels (2 of 3) name another master
   * than `old` and that server answers `ROLE` as `master`; rejects after `timeoutMs`
   * milliseconds.
   */
  waitForNewMaster(old: Address, timeoutMs: number): Promise<Address>;
  /** Kills every server of the group (SIGKILL to each process group) and removes `dir`. */
  stop(): Promise<void>;
  /** The last `lines` lines of every server's log, each headed by its name (for a failure). */
  logs(lines?: number): string;
}

/** Free ports, distinct from one another. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** `SENTINEL master <name>` as a field → value record. */
function pairs(reply: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (!Array.isArray(reply)) return record;
  for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
  return record;
}

/** Every pid file's process group gets SIGKILL; the pid files and `dir` go. */
function killAll(dir: string, servers: readonly GroupServer[], watchdog: ChildProcess): void {
  for (const server of servers) killGroup(server.child);
  killGroup(watchdog);
  rmSync(dir, { recursive: true, force: true });
}

/** Options of {@link startSentinelGroup}. */
export interface SentinelGroupOptions {
  /** The master name the sentinels monitor. Default `callcontrol-test`. */
  readonly name?: string;
}

/**
 * Starts a Sentinel group (one master, one replica, three sentinels) on free loopback ports
 * and resolves once it is ready (see the module docs). Stop it with {@link SentinelGroup.stop}.
 *
 * @throws (rejects) when redis-server cannot be found or installed (the message of
 *   `scripts/ensure-redis.sh`), or the group is not ready after 3 attempts (each bounded by
 *   {@link START_TIMEOUT_MS}, all by {@link START_OVERALL_MS}; the message has the servers' log
 *   tails); every server started is killed then
 */
export async function startSentinelGroup(
  options: SentinelGroupOptions = {},
): Promise<SentinelGroup> {
  const name = options.name ?? 'callcontrol-test';
  const binary = await ensureRedisServer();
  let lastError: unknown;
  const overall = Date.now() + START_OVERALL_MS;
  // A free port can be taken by someone else (another test's servers) before redis-server
  // binds it: a server that exits, or a group that does not form, is tried again on new ports.
  for (let attempt = 1; attempt <= START_ATTEMPTS && Date.now() < overall; attempt += 1) {
    try {
      return await startOnce(binary, name, Math.min(Date.now() + START_TIMEOUT_MS, overall));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** One attempt of {@link startSentinelGroup}: every server it started is killed on failure. */
async function startOnce(binary: string, name: string, deadline: number): Promise<SentinelGroup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'callcontrol-sentinel-'));
  const watchdog = startWatchdog(dir);
  const servers: GroupServer[] = [];
  let stopped = false;
  const onExit = (): void => {
    if (!stopped) killAll(dir, servers, watchdog);
  };
  process.once('exit', onExit);

  const start = (
    serverName: string,
    port: number,
    lines: string[],
    sentinel: boolean,
  ): GroupServer => {
    const child = spawnServer(binary, dir, serverName, port, lines, sentinel ? ['--sentinel'] : []);
    const server: GroupServer = { name: serverName, host: '127.0.0.1', port, child };
    servers.push(server);
    return server;
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    const exits = servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (server.child.exitCode !== null || server.child.signalCode !== null) resolve();
          else server.child.once('exit', () => resolve());
        }),
    );
    killAll(dir, servers, watchdog);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(exits),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000))),
    ]);
    clearTimeout(timer);
  };

  try {
    const [masterPort, replicaPort, ...sentinelPorts] = await freePorts(5);
    if (masterPort === undefined || replicaPort === undefined) throw new Error('no ports');
    const data = ['save ""', 'appendonly no'];
    const master = start('master', masterPort, [...data, 'dbfilename master.rdb'], false);
    const replica = start(
      'replica',
      replicaPort,
      [...data, 'dbfilename replica.rdb', `replicaof 127.0.0.1 ${masterPort}`],
      false,
    );
    const gone = (): string | undefined =>
      servers.find((server) => server.child.exitCode !== null || server.child.signalCode !== null)
        ?.name;
    await until(
      'Sentinel group',
      'the master answering PING',
      deadline,
      async () => ((await ask(masterPort, 'PING')) === 'PONG' ? true : undefined),
      gone,
    );
    await until(
      'Sentinel group',
      'the replica in sync',
      deadline,
      async () => {
        const info = await ask(replicaPort, 'INFO', 'replication');
        return typeof info === 'string' && info.includes('master_link_status:up')
          ? true
          : undefined;
      },
      gone,
    );
    sentinelPorts.forEach((port, i) =>
      start(
        `sentinel-${i + 1}`,
        port,
        [
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${name} 1`,
        ],
        true,
      ),
    );
    for (const port of sentinelPorts) {
      await until(
        'Sentinel group',
        `sentinel ${port} knowing the group`,
        deadline,
        async () => {
          const master = pairs(await ask(port, 'SENTINEL', 'MASTER', name));
          return master.port === String(masterPort) &&
            master['num-other-sentinels'] === '2' &&
            master['num-slaves'] === '1'
            ? true
            : undefined;
        },
        gone,
      );
    }

    const sentinels: Address[] = sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
    const currentMaster = async (): Promise<Address> => {
      for (const sentinel of sentinels) {
        const reply = await ask(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
        if (Array.isArray(reply) && reply.length === 2) {
          return { host: '127.0.0.1', port: Number(reply[1]) };
        }
      }
      throw new Error('Sentinel group: no sentinel named the master');
    };
    return {
      name,
      sentinels,
      sentinelList: sentinels.map((s) => `${s.host}:${s.port}`),
      master,
      replica,
      dir,
      currentMaster,
      killMaster: () => {
        master.child.kill('SIGKILL');
        // Its pid may be reused once it is gone: the watchdog must not kill that process.
        rmSync(path.join(dir, 'master.pid'), { force: true });
      },
      waitForNewMaster: async (old, timeoutMs) =>
        until('Sentinel group', 'a new master', Date.now() + timeoutMs, async () => {
          const named = await Promise.all(
            sentinels.map((s) => ask(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)),
          );
          const ports = named
            .filter((reply): reply is unknown[] => Array.isArray(reply) && reply.length === 2)
            .map((reply) => Number(reply[1]))
            .filter((port) => port !== old.port);
          const port = ports[0];
          if (port === undefined || ports.filter((p) => p === port).length < 2) return undefined;
          const role = await ask(port, 'ROLE');
          return Array.isArray(role) && role[0] === 'master'
            ? { host: '127.0.0.1' as const, port }
            : undefined;
        }),
      stop,
      logs: (lines = 40) =>
        servers
          .map((server) => `== ${server.name} (${server.port})\n${tail(dir, server.name, lines)}`)
          .join('\n'),
    };
  } catch (error) {
    const exited = servers
      .filter((server) => server.child.exitCode !== null || server.child.signalCode !== null)
      .map((server) => `${server.name} (${server.port}) exited`);
    const logs = servers
      .map((server) => `== ${server.name} (${server.port})\n${tail(dir, server.name, 10)}`)
      .join('\n');
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}${exited.length > 0 ? `; ${exited.join(', ')}` : ''}\n${logs}`, {
      cause: error,
    });
  }
}

/** The last `lines` lines of the log of the server `name` in `dir`. */
function tail(dir: string, name: string, lines: number): string {
  try {
    return readFileSync(path.join(dir, `${name}.log`), 'utf8')
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}
