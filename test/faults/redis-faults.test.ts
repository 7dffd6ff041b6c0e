/**
 * Two "instances" (apps, each with its own `RedisStore` connection) sharing a real redis-server
 * that this file starts on a free loopback port of its own (`scripts/redis-server.ts`), so it
 * can stop it (`SIGSTOP`: the TCP peer still acknowledges, nothing errors, nothing answers),
 * kill it (`SIGKILL`) and start it again on the same port without disturbing the server of the
 * other Redis tests:
 *
 * - stopped for 3 s under bounded load (20 requests a second, every fifth a retry sent to the
 *   other instance): every request answered within the deadline + 250 ms, none non-2xx;
 *   duplicate detection works again once Redis resumes;
 * - killed, and started again 3 s later: the same (with a 400 ms deadline), without restarting
 *   the apps;
 * - `RedisStore` gives a command up after `commandTimeoutMs`, and `close()` resolves within
 *   1000 ms while Redis is stopped;
 * - a wrong or rotated password reaches no log line, no stderr line and no `onError` context
 *   (everything captured, serialized with `util.inspect` at depth Infinity, is searched for it).
 */
import type { ChildProcess } from 'node:child_process';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import type { CallControlError, CallControlLogger } from '../../src';
import { placetel, RedisStore } from '../../src';
import { startRedisServer, type StartedRedis } from '../../scripts/redis-server';
import { QUIET } from '../helpers/apps';
import {
  callId,
  duplicatesDetectedWithin,
  FORWARD,
  load,
  placetelBody,
  post,
  serve,
  sleep,
  type Timed,
} from './harness';

const DEADLINE_MS = 1000;
const SLACK_MS = 250;
const KILLED_DEADLINE_MS = 400;

const children = new Set<ChildProcess>();

async function startRedis(options: { port?: number; args?: string[] } = {}): Promise<StartedRedis> {
  return startRedisServer((child) => children.add(child), options);
}

function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGCONT');
  child.kill('SIGKILL');
}

afterAll(() => {
  for (const child of children) stop(child);
});

const stores: RedisStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function portOf(url: string): number {
  return Number(new URL(url).port);
}

interface Instance {
  readonly base: string;
  readonly store: RedisStore;
  readonly errors: CallControlError[];
}

/**
 * Two apps on `url` with the answer deadline `timeoutMs`, one `RedisStore` each, counting their
 * handler runs per call id.
 */
async function twoInstances(
  url: string,
  timeoutMs = DEADLINE_MS,
): Promise<{
  a: Instance;
  b: Instance;
  handled: Map<string, number>;
}> {
  const handled = new Map<string, number>();
  const keyPrefix = `faults:${callId('prefix')}:`;
  const make = async (): Promise<Instance> => {
    // A long command timeout: the app's own bounds, not the client's, keep the promise.
    const store = new RedisStore({ url, keyPrefix, commandTimeoutMs: 10_000 });
    stores.push(store);
    const calls = placetel.createApp({
      ...QUIET,
      allowUnauthenticated: true,
      store,
      timeoutMs,
    });
    const errors: CallControlError[] = [];
    calls.on('IncomingCall', async (call, { session }) => {
      handled.set(call.callId, (handled.get(call.callId) ?? 0) + 1);
      const seen = (await session.get<number>('seen')) ?? 0;
      await session.set('seen', seen + 1);
      return FORWARD();
    });
    calls.onError((error) => {
      errors.push(error);
    });
    return { base: await serve(calls), store, errors };
  };
  return { a: await make(), b: await make(), handled };
}

/** 20 requests a second for `seconds`, alternating instances; every fifth retries the one before on the other. */
function traffic(a: Instance, b: Instance, label: string, seconds: number): Promise<Timed[]> {
  return load(seconds * 20, 50, (i) => {
    const n = i % 5 === 4 ? i - 1 : i;
    return { base: i % 2 === 0 ? a.base : b.base, body: placetelBody(callId(`${label}:${n}`)) };
  });
}

function expectAllInTime(results: readonly Timed[], deadlineMs = DEADLINE_MS): void {
  const late = results.filter((r) => r.status !== 200 || r.ms > deadlineMs + SLACK_MS);
  expect(late.map((r) => `${r.status} after ${Math.round(r.ms)} ms`)).toEqual([]);
}

describe('a real redis-server that is stopped, killed and started again', () => {
  let redis: StartedRedis;

  beforeAll(async () => {
    redis = await startRedis();
  });

  test('stopped (SIGSTOP) for 3 s under load: every request in time, 0 non-2xx; duplicates detected again after', async () => {
    const { a, b, handled } = await twoInstances(redis.url);
    expect(await duplicatesDetectedWithin(a.base, b.base, handled, 3000)).toBe(true);
    const sending = traffic(a, b, 'stopped', 4);
    await sleep(500);
    redis.child.kill('SIGSTOP');
    await sleep(3000);
    redis.child.kill('SIGCONT');
    expectAllInTime(await sending);
    expect(await duplicatesDetectedWithin(a.base, b.base, handled, 8000)).toBe(true);
    for (const instance of [a, b]) {
      const reports = instance.errors.filter((e) => e.code === 'CC_ERR_STORE_UNAVAILABLE');
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports.length).toBeLessThanOrEqual(2);
    }
  });

  test('killed (SIGKILL) and started again on its port: every request in time, 0 non-2xx; duplicates detected again without a restart', async () => {
    // A short deadline: ioredis's reconnect back-off (50 ms more each attempt) soon exceeds it.
    const { a, b, handled } = await twoInstances(redis.url, KILLED_DEADLINE_MS);
    expect(await duplicatesDetectedWithin(a.base, b.base, handled, 3000)).toBe(true);
    const sending = traffic(a, b, 'killed', 4);
    await sleep(500);
    redis.child.kill('SIGKILL');
    await sleep(3000);
    redis = await startRedis({ port: portOf(redis.url) });
    expectAllInTime(await sending, KILLED_DEADLINE_MS);
    expect(await duplicatesDetectedWithin(a.base, b.base, handled, 10_000)).toBe(true);
  });

  test('a command is given up after commandTimeoutMs, and close() resolves within 1000 ms, while Redis is stopped', async () => {
    const store = new RedisStore({ url: redis.url, commandTimeoutMs: 300 });
    expect(await store.sessionGetAll('warm-up')).toEqual({});
    redis.child.kill('SIGSTOP');
    try {
      const start = performance.now();
      await expect(store.sessionGet('call', 'f')).rejects.toThrow(/RedisStore: Command timed out/);
      expect(performance.now() - start).toBeLessThan(1000);
      const pending = store.sessionGetAll('call').then(
        () => 'answered',
        () => 'rejected',
      );
      const closing = performance.now();
      await store.close();
      expect(performance.now() - closing).toBeLessThan(1000);
      expect(await pending).toBe('rejected');
    } finally {
      redis.child.kill('SIGCONT');
    }
  });
});

describe('Redis passwords never reach a log line, stderr or onError', () => {
  // Obviously fake passwords; the URL-encoded one has characters a URL must escape.
  const RIGHT = 'fake-right-password-4f1c';
  const WRONG = 'fake-wrong-password-9a2e';
  const ROTATED = 'fake-rotated-p@ss:word/7d';
  const SECRETS = [RIGHT, WRONG, ROTATED, encodeURIComponent(ROTATED)];

  test('a wrong password, and a password rotated under a running app', async () => {
    const redis = await startRedis({ args: ['--requirepass', RIGHT] });
    const port = portOf(redis.url);
    const captured: string[] = [];
    const keep = (...values: unknown[]): void => {
      for (const value of values) {
        captured.push(typeof value === 'string' ? value : inspect(value, { depth: Infinity }));
      }
    };
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      keep(String(chunk));
      return true;
    });
    try {
      const logger: CallControlLogger = {
        info: (fields, message) => keep(fields, message),
        warn: (fields, message) => keep(fields, message),
        error: (fields, message) => keep(fields, message),
      };
      const urls = {
        wrong: `redis://:${WRONG}@127.0.0.1:${port}/0`,
        right: `redis://:${RIGHT}@127.0.0.1:${port}/0`,
        user: `redis://default:${encodeURIComponent(ROTATED)}@127.0.0.1:${port}/0`,
      };
      const apps: { base: string; store: RedisStore }[] = [];
      for (const [url, via] of [
        [urls.wrong, 'onError'],
        [urls.wrong, 'logger'],
        [urls.wrong, 'stderr'],
        [urls.right, 'onError'],
        [urls.user, 'logger'],
      ] as const) {
        const store = new RedisStore({ url, keyPrefix: 'faults:secrets:', commandTimeoutMs: 300 });
        stores.push(store);
        const calls = placetel.createApp({
          allowUnauthenticated: true,
          store,
          timeoutMs: DEADLINE_MS,
          ...(via === 'logger' ? { logger } : {}),
        });
        calls.on('IncomingCall', async (_call, { session }) => {
          await session.set('x', 1);
          await session.get('x');
          return FORWARD();
        });
        if (via === 'onError') {
          calls.onError((error, context) => {
            keep(error, context, error.cause, (error.cause as Error | undefined)?.stack);
          });
        }
        apps.push({ base: await serve(calls), store });
      }
      const round = async (label: string): Promise<void> => {
        for (const [i, app] of apps.entries()) {
          const res = await post(app.base, placetelBody(callId(`${label}:${i}`)));
          expect(res.status).toBe(200);
          // The store's own errors, as a user calling it directly gets them.
          for (const call of [
            () => app.store.sessionGetAll('c'),
            () => app.store.claim('k', 1000),
            () => app.store.sessionSet('c', 'f', 1, 1000),
          ]) {
            await call().then(
              (value) => keep(value),
              (error: unknown) => keep(error, (error as Error).stack),
            );
          }
        }
      };
      await round('wrong');
      // Rotate: the server takes a new password, and every connection must log in again.
      const admin = new Redis(urls.right, { maxRetriesPerRequest: 1 });
      await admin.config('SET', 'requirepass', ROTATED);
      await admin.client('KILL', 'TYPE', 'normal');
      admin.disconnect();
      await sleep(300);
      await round('rotated');
      // A URL the store refuses names no part of it.
      for (const url of [
        `redis//:${WRONG}@127.0.0.1:${port}`,
        `http://:${WRONG}@127.0.0.1:${port}`,
      ]) {
        try {
          new RedisStore({ url });
        } catch (error) {
          keep(error, (error as Error).message);
        }
      }
      const text = captured.join('\n');
      // The capture saw the failures: otherwise finding no secret would prove nothing.
      expect(text).toMatch(/WRONGPASS|NOAUTH/);
      expect(text).toMatch(/CC_ERR_STORE_UNAVAILABLE/);
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    } finally {
      stderr.mockRestore();
      stop(redis.child);
    }
  });
});
