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
import type { ChildProcess } from 'node:child_process';
import { startRedisServer } from '../../scripts/redis-server';

/** Where the teardown finds what the setup started (jest shares globalThis between them). */
interface RedisServerHolder {
  __callcontrolRedisServer?: { readonly child: ChildProcess; readonly url: string } | undefined;
}

const SETUP_ERROR_VARIABLE = 'CALLCONTROL_REDIS_SETUP_ERROR';

export default async function redisGlobalSetup(): Promise<void> {
  delete process.env.CALLCONTROL_REDIS_SETUP_ERROR;
  if (process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== '') return;
  try {
    const started = await startRedisServer();
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
