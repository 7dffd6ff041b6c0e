/**
 * SIGTERM to the built example server (what `npm start` runs) with 20 requests in flight: all
 * 20 are answered 200 with the handler's answer, then the process exits within its shutdown
 * bound — with the memory store, and with a real redis-server stopped (`kill -STOP`: the TCP
 * peer still acknowledges, nothing ever answers). The slow handler is the example server's
 * test hook `EXAMPLE_HANDLER_DELAY_MS`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startRedisServer } from '../../scripts/redis-server';

const ROOT = resolve(__dirname, '../..');
const SERVER = resolve(ROOT, 'dist/examples/server.js');
/** The example server's default shutdown bound (`SHUTDOWN_TIMEOUT_MS`). */
const SHUTDOWN_BOUND_MS = 10_000;
/** Time a loaded machine may take to deliver the signal and reap the process. */
const PROCESS_SLACK_MS = 2000;
const HANDLER_DELAY_MS = 1500;
const FORWARD = '<Forward><Target ringtime="30"><Number>022129191999</Number></Target></Forward>';

const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(SERVER)) {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
      },
    );
  }
});

afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  }
});

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Resolves with the exit code and the time of exit (`Date.now()`). */
  readonly exited: Promise<{ code: number | null; at: number }>;
}

/** Spawns the built example server with `env` (no credentials: served unauthenticated). */
async function startServer(env: Record<string, string>): Promise<Running> {
  const environment: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    EXAMPLE_HANDLER_DELAY_MS: String(HANDLER_DELAY_MS),
    ...env,
  };
  for (const name of ['PLACETEL_SECRET', 'OZEKI_TOKEN', 'VOIPNOW_TOKEN', 'OPENTACT_TOKEN']) {
    Reflect.deleteProperty(environment, name);
  }
  if (env['REDIS_URL'] === undefined) Reflect.deleteProperty(environment, 'REDIS_URL');
  const child = spawn(process.execPath, [SERVER], { env: environment });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; at: number }>((resolveExit) => {
    child.once('exit', (code) => resolveExit({ code, at: Date.now() }));
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const check = (): void => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolveUrl(match[1] as string);
    };
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`server exited:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

async function postIncoming(url: string, callId: string) {
  const response = await fetch(`${url}/placetel`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `event=IncomingCall&call_id=${callId}&from=017312345678&to=022129191999&direction=in`,
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: await response.text() };
}

/** Waits until the server's output holds `n` lines matching `pattern` (bounded). */
async function linesMatching(running: Running, pattern: RegExp, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  const count = (): number =>
    running
      .output()
      .split('\n')
      .filter((line) => pattern.test(line)).length;
  while (count() < n) {
    if (Date.now() > deadline)
      throw new Error(`only ${count()} of ${n} lines:\n${running.output()}`);
    await new Promise((wait) => setTimeout(wait, 20));
  }
}

/** 20 requests in flight, SIGTERM, then every answer and the exit. */
async function shutdownWithTwentyInFlight(running: Running, prefix: string): Promise<void> {
  const answers = Promise.all(
    Array.from({ length: 20 }, (_, i) => postIncoming(running.url, `${prefix}${i}`)),
  );
  // Every request reached its handler (the demo logs each event as it starts).
  await linesMatching(running, new RegExp(`^placetel IncomingCall call=${prefix}`), 20);
  const signalled = Date.now();
  running.child.kill('SIGTERM');

  const results = await answers;
  expect(results.map((result) => result.status)).toEqual(Array(20).fill(200));
  for (const result of results) expect(result.body).toContain(FORWARD);

  const { code, at } = await running.exited;
  expect(at - signalled).toBeLessThan(SHUTDOWN_BOUND_MS + PROCESS_SLACK_MS);
  expect(code).toBe(0);
  expect(running.output()).toMatch(/shut down in \d+ ms; every request answered/);
}

test('SIGTERM with 20 requests in flight (memory store): 20 answered, then exit', async () => {
  const running = await startServer({});
  await shutdownWithTwentyInFlight(running, 'sigterm');
}, 60_000);

test('SIGTERM with 20 requests in flight and Redis stopped (SIGSTOP): 20 answered, then exit within the bound', async () => {
  const redis = await startRedisServer((child) => children.push(child));
  try {
    const running = await startServer({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `callcontrol-shutdown:${process.pid}:`,
    });
    // Connected and answering before it stops.
    const warm = await postIncoming(running.url, 'warmup');
    expect(warm.status).toBe(200);
    expect(redis.child.kill('SIGSTOP')).toBe(true);
    await shutdownWithTwentyInFlight(running, 'stalled');
  } finally {
    redis.child.kill('SIGCONT');
    redis.child.kill('SIGKILL');
  }
}, 60_000);
