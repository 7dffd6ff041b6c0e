/**
 * A real redis-server on a free loopback port, for the tests (`test/setup/redis-global-setup.ts`)
 * and the load bench (`bench/processes.ts`): `scripts/ensure-redis.sh` finds redis-server (and
 * installs the Debian package with apt-get where it runs as root on a fresh machine), then it
 * is started with `--bind 127.0.0.1 --save '' --appendonly no` — nothing written to disk.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ENSURE_TIMEOUT_MS = 5 * 60_000; // apt-get update + install on a slow mirror
const READY_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;
const OUTPUT_LIMIT = 16 * 1024;

/** `scripts/ensure-redis.sh` of the checkout (this file runs from `scripts/` or `dist/scripts/`). */
function ensureScript(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return path.join(dir, 'scripts', 'ensure-redis.sh');
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `scripts/ensure-redis.sh`: the path of redis-server, or an error with its message (it
 * installs Debian's package where apt-get runs as root; at most 5 minutes).
 */
export function ensureRedisBinary(): Promise<string> {
  const script = ensureScript();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk); // "installing …" shows while apt-get runs
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ENSURE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${script}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const binary = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && binary !== '') resolve(binary);
      else {
        const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
        reject(new Error(`${script} failed (${how}): ${stderr.trim()}`));
      }
    });
  });
}

/** A loopback port nobody listens on right now (redis-server cannot pick one itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
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

/**
 * Whether a Redis server on 127.0.0.1:`port` answers `PING` within 1 s (`+PONG`, or `-NOAUTH`
 * from a server that wants a password).
 */
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
      if (answer.includes('\r\n'))
        finish(answer.startsWith('+PONG') || answer.startsWith('-NOAUTH'));
    });
    socket.on('error', () => finish(false));
  });
}

/** A redis-server started by {@link startRedisServer}. */
export interface StartedRedis {
  /** `redis://127.0.0.1:<port>/0` */
  readonly url: string;
  /** The redis-server process; stop it with SIGTERM. */
  readonly child: ChildProcess;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /**
   * The loopback port to listen on, e.g. the port of a server that was killed, to start it again
   * where its clients reconnect. Default: a free one.
   */
  readonly port?: number;
  /**
   * More redis-server arguments, e.g. `['--requirepass', '<password>']` (then PING answers
   * `NOAUTH`, which counts as answering).
   */
  readonly args?: readonly string[];
}

/**
 * Finds (or installs) redis-server, starts it on a free loopback port (or `options.port`) — up
 * to 3 attempts — and resolves once it answers PING (at most 10 s an attempt).
 *
 * @param onSpawn - called with every redis-server process started, so the caller can stop it
 *   on its own shutdown paths
 * @throws (rejects) when redis-server cannot be had or does not answer
 */
export async function startRedisServer(
  onSpawn: (child: ChildProcess) => void = () => undefined,
  options: RedisServerOptions = {},
): Promise<StartedRedis> {
  const binary = await ensureRedisBinary();
  let lastError = new Error('redis-server was not started');
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat(
        ['--daemonize', 'no', '--dir', tmpdir(), '--loglevel', 'warning'],
        options.args ?? [],
      ),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    onSpawn(child);
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < OUTPUT_LIMIT) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exited: string | undefined;
    child.on('error', (error) => (exited = `could not start: ${error.message}`));
    child.on('exit', (code, signal) => (exited ??= `exited (${signal ?? `code ${String(code)}`})`));

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (exited === undefined && Date.now() < deadline) {
      if (await answersPing(port)) return { child, url: `redis://127.0.0.1:${port}/0` };
      await sleep(50);
    }
    if (exited === undefined) child.kill('SIGKILL');
    lastError = new Error(
      `${binary} on port ${port} ${exited ?? `did not answer PING within ${READY_TIMEOUT_MS} ms`}` +
        (output.trim() === '' ? '' : `:\n${output.trim()}`),
    );
  }
  throw lastError;
}
