/**
 * The processes `bench/load` starts: a redis-server on a free loopback port (found or installed by
 * `scripts/ensure-redis.sh`, started as `test/setup/redis-global-setup.ts` starts it: nothing
 * written to disk) and instances of the built example server (`dist/examples/server.js`), whose
 * stdout is read line by line while they run.
 *
 * Every child is registered, so that {@link stopAll} (on the normal end, on errors, on SIGINT)
 * and a last-resort `exit` hook stop exactly what was started here.
 *
 * @module
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The checkout: this file runs as `dist/bench/processes.js`. */
export const ROOT = path.resolve(__dirname, '..', '..');
const ENSURE_SCRIPT = path.join(ROOT, 'scripts', 'ensure-redis.sh');
const SERVER = path.join(ROOT, 'dist', 'examples', 'server.js');
const ENSURE_TIMEOUT_MS = 5 * 60_000;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5000;

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) if (running(child)) child.kill('SIGKILL');
});

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** Runs `scripts/ensure-redis.sh`: the path of redis-server. */
function ensureRedisServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ENSURE_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ENSURE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${ENSURE_SCRIPT}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const binary = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && binary !== '') resolve(binary);
      else reject(new Error(`${ENSURE_SCRIPT} failed: ${stderr.trim()}`));
    });
  });
}

/** A loopback port nobody listens on right now (redis-server cannot pick one itself). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

/** Whether a Redis server on 127.0.0.1:`port` answers `PING` with `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 1000);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG'));
    });
    socket.on('error', () => finish(false));
  });
}

/** A redis-server this process started. */
export interface StartedRedis {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts redis-server on a free loopback port (3 attempts) and waits until it answers PING. */
export async function startRedis(): Promise<StartedRedis> {
  const binary = await ensureRedisServer();
  let lastError = new Error('redis-server was not started');
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
    args.push('no', '--daemonize', 'no', '--dir', tmpdir(), '--loglevel', 'warning');
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(child);
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < 16_384) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exited: string | undefined;
    child.on('error', (error) => (exited = `could not start: ${error.message}`));
    child.on('exit', (code, signal) => (exited ??= `exited (${signal ?? `code ${String(code)}`})`));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (exited === undefined && Date.now() < deadline) {
      if (await answersPing(port)) return { url: `redis://127.0.0.1:${port}/0`, child };
      await sleep(50);
    }
    await stopChild(child);
    lastError = new Error(
      `${binary} on port ${port} ${exited ?? `did not answer PING within ${READY_TIMEOUT_MS} ms`}` +
        (output.trim() === '' ? '' : `:\n${output.trim()}`),
    );
  }
  throw lastError;
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
