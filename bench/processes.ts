/**
 * The processes `bench/load` starts: a redis-server on a free loopback port (the test setup's,
 * `scripts/redis-server.ts`) and instances of the built example server (`dist/examples/server.js`), whose
 * stdout is read line by line while they run; and how `bench/http` pins processes to CPUs
 * ({@link planCpus}, {@link pinProcess}: `taskset`, Linux).
 *
 * Every child is registered, so that {@link stopAll} (on the normal end, on errors, on SIGINT)
 * and a last-resort `exit` hook stop exactly what was started here.
 *
 * @module
 */
import {
  execFileSync,
  spawn,
  type ChildProcess,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  startRedisServer,
  type RedisServerOptions,
  type StartedRedis,
} from '../scripts/redis-server';

/** The checkout: this file runs as `dist/bench/processes.js`. */
export const ROOT = path.resolve(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'dist', 'examples', 'server.js');
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5000;

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) if (running(child)) child.kill('SIGKILL');
});

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves `true` once `child` has exited (and its output streams closed), `false` after `ms`. */
function closed(child: ChildProcess, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!running(child) && (child.stdout === null || child.stdout.readableEnded)) {
      resolve(true);
      return;
    }
    const timer = setTimeout(() => {
      child.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('close', onClose);
  });
}

/** SIGTERM, then SIGKILL after {@link STOP_TIMEOUT_MS}; resolves once the child is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (running(child)) child.kill('SIGTERM');
  if (!(await closed(child, STOP_TIMEOUT_MS))) {
    if (running(child)) child.kill('SIGKILL');
    await closed(child, STOP_TIMEOUT_MS);
  }
  started.delete(child);
}

/** Stops every child started here (instances first, then Redis). */
export async function stopAll(): Promise<void> {
  const children = [...started];
  const redis = children.filter((child) => child.spawnfile.endsWith('redis-server'));
  await Promise.all(children.filter((child) => !redis.includes(child)).map(stopChild));
  await Promise.all(redis.map(stopChild));
}

/** Peak resident set size of a running process in bytes (Linux `VmHWM`), or `undefined`. */
export function peakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

export type { StartedRedis } from '../scripts/redis-server';

/**
 * Starts redis-server on a free loopback port, or `options.port` (see `scripts/redis-server.ts`),
 * registered here.
 */
export function startRedis(options: RedisServerOptions = {}): Promise<StartedRedis> {
  return startRedisServer((child) => started.add(child), options);
}

/** A running instance of the example server. */
export interface Instance {
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** Lines the instance wrote to stderr (the first 20 kept in {@link Instance.stderrSample}). */
  stderrLines: number;
  readonly stderrSample: string[];
}

/**
 * Starts `dist/examples/server.js` on 127.0.0.1 with an OS-chosen port, on the Redis store, and
 * resolves once it listens. `onLine` gets every later stdout line (the one-line event logs).
 */
export function startInstance(
  name: string,
  env: Readonly<Record<string, string>>,
  onLine: (line: string) => void,
): Promise<Instance> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' };
  const child = spawn(process.execPath, [SERVER], { env: childEnv, stdio: 'pipe' });
  started.add(child);
  const stderrSample: string[] = [];
  const instance: Instance = { name, child, origin: '', port: 0, stderrLines: 0, stderrSample };
  let log = '';
  let listening = false;
  return new Promise<Instance>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not start within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS,
    );
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} ${why}:\n${log}${stderrSample.join('\n')}`));
    };
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      if (listening) {
        onLine(line);
        return;
      }
      log += `${line}\n`;
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))\/placetel .*store: (\w+)/.exec(
        line,
      );
      if (match === null) return;
      if (match[3] !== 'redis') {
        fail(`uses the ${match[3] ?? '?'} store, not redis`);
        return;
      }
      listening = true;
      instance.origin = match[1] ?? '';
      instance.port = Number(match[2]);
      clearTimeout(timer);
      resolve(instance);
    });
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
      instance.stderrLines += 1;
      if (stderrSample.length < 20) stderrSample.push(line);
    });
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (!listening) fail(`exited (${signal ?? `code ${String(code)}`})`);
    });
  });
}

/** The CPU ids of a `Cpus_allowed_list` line of a `/proc/…/status` file, or `undefined`. */
function cpusOfStatus(file: string): number[] | undefined {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))?.[1];
    if (list === undefined) return undefined;
    const cpus = new Set<number>();
    for (const part of list.split(',')) {
      const [from, to = from] = part.split('-').map(Number);
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return undefined;
      for (let cpu = from ?? 0; cpu <= (to ?? 0); cpu++) cpus.add(cpu);
    }
    return [...cpus].sort((a, b) => a - b);
  } catch {
    return undefined;
  }
}

/**
 * The CPU ids a process may run on, from `Cpus_allowed_list` of `/proc/<pid>/status` (Linux;
 * `0-1`, `0,2-3`), ascending; `undefined` where /proc cannot tell.
 */
export function allowedCpus(pid: number | 'self' = 'self'): number[] | undefined {
  return cpusOfStatus(`/proc/${pid}/status`);
}

/**
 * The CPUs every thread of a process may run on (`/proc/<pid>/task/<tid>/status`): `1` when all
 * threads are pinned to CPU 1, `0,1` for an unpinned process on two CPUs; distinct lists of
 * different threads joined with ` | `. `undefined` where /proc cannot tell.
 */
export function threadCpus(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    const lists = new Set<string>();
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const cpus = cpusOfStatus(`/proc/${pid}/task/${task}/status`);
      if (cpus !== undefined) lists.add(cpus.join(','));
    }
    return lists.size === 0 ? undefined : [...lists].sort().join(' | ');
  } catch {
    return undefined;
  }
}

/** Whether `taskset` (util-linux) can be run here. */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins every thread of a running process to one CPU: `taskset -a -p -c <cpu> <pid>` (`-a`: all
 * its threads, e.g. Node's libuv pool and V8's workers, not only the main one).
 *
 * @throws when taskset fails (no such process, a CPU the process may not use)
 */
export function pinProcess(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/**
 * How `bench/http` places its processes: with `pinned`, each server alone on `serverCpu` and
 * the load generator (and redis-server) on `generatorCpu`; otherwise unpinned, and `why` says
 * why.
 */
export interface CpuPlan {
  readonly pinned: boolean;
  /** CPUs this process may use (the machine's, or its cgroup's). */
  readonly available: readonly number[];
  readonly generatorCpu: number | undefined;
  readonly serverCpu: number | undefined;
  /** Why the run is not pinned; `undefined` when pinned. */
  readonly why: string | undefined;
}

/**
 * Decides the placement: pinned when at least two CPUs are available (`os.availableParallelism()`
 * and `/proc/self/status`) and `taskset` exists, unless `wantPinned` is false. The generator
 * takes the first allowed CPU, the server the second (`taskset -c 0` / `-c 1` on a 2-core
 * machine).
 */
export function planCpus(wantPinned: boolean): CpuPlan {
  const count = availableParallelism();
  const available = allowedCpus() ?? Array.from({ length: count }, (_unused, index) => index);
  const unpinned = (why: string): CpuPlan => ({
    pinned: false,
    available,
    generatorCpu: undefined,
    serverCpu: undefined,
    why,
  });
  if (!wantPinned) return unpinned('--unpinned was given');
  if (Math.min(count, available.length) < 2) {
    return unpinned(
      `only ${Math.min(count, available.length)} CPU available: the server shares it with the load generator`,
    );
  }
  if (!hasTaskset()) return unpinned('no taskset (util-linux) on this machine');
  return {
    pinned: true,
    available,
    generatorCpu: available[0],
    serverCpu: available[1],
    why: undefined,
  };
}
