/**
 * The processes `bench/load` starts: a redis-server on a free loopback port (the test setup's,
 * `scripts/redis-server.ts`) and instances of the built example server (`dist/examples/server.js`), whose
 * stdout is read line by line while they run.
 *
 * Every child is registered, so that {@link stopAll} (on the normal end, on errors, on SIGINT)
 * and a last-resort `exit` hook stop exactly what was started here.
 *
 * @module
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
