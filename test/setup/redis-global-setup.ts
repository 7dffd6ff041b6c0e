/**
 * jest globalSetup: a real redis-server for the Redis store tests (`test/stores/redis.test.ts`).
 *
 * - `REDIS_URL` set: that server is used as it is (nothing is started).
 * - otherwise: `scripts/ensure-redis.sh` finds redis-server (installing the Debian package with
 *   apt-get on a fresh machine where it runs as root), then redis-server is started on a free
 *   loopback port (`--bind 127.0.0.1 --save '' --appendonly no`, nothing written to disk) and
 *   `REDIS_URL` is set to it for the test workers. The teardown
 *   (`redis-global-teardown.ts`) stops it; it is also killed if jest exits without one.
 *
 * When Redis cannot be had, the reason goes to `CALLCONTROL_REDIS_SETUP_ERROR` and stderr, and
 * `redis.test.ts` fails with it: the run fails with that message instead of skipping the Redis
 * tests, while a run of other test files alone is not held up by it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where the teardown finds what the setup started (jest shares globalThis between them). */
interface RedisServerHolder {
  __callcontrolRedisServer?: { readonly child: ChildProcess; readonly url: string } | undefined;
}

const SETUP_ERROR_VARIABLE = 'CALLCONTROL_REDIS_SETUP_ERROR';
const ENSURE_SCRIPT = path.resolve(__dirname, '../../scripts/ensure-redis.sh');
const ENSURE_TIMEOUT_MS = 5 * 60_000; // apt-get update + install on a slow mirror
const READY_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;
const OUTPUT_LIMIT = 16 * 1024;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `scripts/ensure-redis.sh`: the path of redis-server, or an error with its message. */
function ensureRedisServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ENSURE_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      reject(new Error(`could not run ${ENSURE_SCRIPT}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const binary = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && binary !== '') resolve(binary);
      else {
        const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
        reject(new Error(`${ENSURE_SCRIPT} failed (${how}): ${stderr.trim()}`));
      }
    });
  });
}

/** A loopback port nobody listens on right now (redis-server cannot pick one itself). */
function freePort(): Promise<number> {
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

/** Starts redis-server on a free loopback port and waits until it answers PING. */
async function startRedisServer(binary: string): Promise<{ child: ChildProcess; url: string }> {
  let lastError = new Error('redis-server was not started');
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        tmpdir(),
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
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
      if (await answersPing(port)) {
        return { child, url: `redis://127.0.0.1:${port}/0` };
      }
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

export default async function redisGlobalSetup(): Promise<void> {
  delete process.env.CALLCONTROL_REDIS_SETUP_ERROR;
  if (process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== '') return;
  try {
    const binary = await ensureRedisServer();
    const started = await startRedisServer(binary);
    (globalThis as RedisServerHolder).__callcontrolRedisServer = started;
    // Should jest exit without running the teardown, the server goes with it.
    process.once('exit', () => started.child.kill('SIGKILL'));
    process.env.REDIS_URL = started.url;
  } catch (error) {
    const message =
      'No Redis for the Redis store tests: ' +
      (error instanceof Error ? error.message : String(error)) +
      '\nInstall redis-server (or run the tests as root where apt-get works), or set REDIS_URL.';
    process.env[SETUP_ERROR_VARIABLE] = message;
    process.stderr.write(`\n${message}\n`);
  }
}
