/**
 * What the Redis Cluster and Sentinel tests share to run servers on loopback: finding
 * redis-server (`scripts/ensure-redis.sh`), free ports, one-off admin commands, bounded polling,
 * and the cleanup of detached process groups (also after jest dies, by a watchdog).
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { sleep } from '../../scripts/redis-server';

export {
  ensureRedisBinary as ensureRedisServer,
  freePort,
  sleep,
} from '../../scripts/redis-server';

/** How often {@link until} looks again, in milliseconds. */
const POLL_MS = 50;

/** A short-lived admin connection to one server (no retries, no offline queue). */
export function admin(port: number, commandTimeoutMs = 1000): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: commandTimeoutMs,
  });
  client.on('error', () => undefined);
  return client;
}

/** Runs `command` on the server at `port` with a fresh connection; undefined when that fails. */
export async function ask(
  port: number,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  const client = admin(port, 2000);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/**
 * Polls `check` every 50 ms until it returns a value other than undefined; throws (named by
 * `label`) past `deadline` (`Date.now()` milliseconds) or once `gone` names a server that exited.
 */
export async function until<T>(
  label: string,
  what: string,
  deadline: number,
  check: () => Promise<T | undefined>,
  gone: () => string | undefined = () => undefined,
): Promise<T> {
  for (;;) {
    const exited = gone();
    if (exited !== undefined) throw new Error(`${label}: ${exited} exited`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${label}: ${what} not within the bound`);
    await sleep(POLL_MS);
  }
}

/** SIGKILL to the process group of `child` (started `detached`), else to it alone. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone already
    }
  }
}

/**
 * The watchdog: `sh`, detached, polls the jest worker's pid every second; once it is gone,
 * SIGKILLs the process group of every pid file in `dir` and removes `dir`.
 */
export function startWatchdog(dir: string): ChildProcess {
  const script =
    'while kill -0 "$0" 2>/dev/null; do sleep 1; done; ' +
    'for f in "$1"/*.pid; do [ -f "$f" ] && kill -9 "-$(cat "$f")" 2>/dev/null; done; ' +
    'rm -rf "$1"';
  const watchdog = spawn('sh', ['-c', script, String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  return watchdog;
}

/**
 * Starts one redis-server on 127.0.0.1:`port` in the foreground, detached (a process group of
 * its own, its pid in `<dir>/<name>.pid` for {@link startWatchdog}), with `<dir>/<name>.conf`:
 * the port, loopback only, `dir` and `<dir>/<name>.log`, then `lines` (e.g. `cluster-enabled
 * yes`, `sentinel monitor …`). `args` follow the configuration file (e.g. `--sentinel`).
 */
export function spawnServer(
  binary: string,
  dir: string,
  name: string,
  port: number,
  lines: readonly string[],
  args: readonly string[] = [],
): ChildProcess {
  const conf = path.join(dir, `${name}.conf`);
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'daemonize no',
      `dir ${dir}`,
      `logfile ${path.join(dir, `${name}.log`)}`,
      ...lines,
      '',
    ].join('\n'),
  );
  const child = spawn(binary, [conf, ...args], { detached: true, stdio: 'ignore' });
  child.unref();
  child.on('error', () => undefined);
  if (child.pid !== undefined) writeFileSync(path.join(dir, `${name}.pid`), `${child.pid}\n`);
  return child;
}
