/**
 * jest globalTeardown: stops the redis-server that `redis-global-setup.ts` started (nothing to
 * do when `REDIS_URL` pointed at a server of your own). SIGTERM, then SIGKILL after 5 s.
 */
import type { ChildProcess } from 'node:child_process';

/** What the setup left on globalThis (jest shares it between setup and teardown). */
interface RedisServerHolder {
  __callcontrolRedisServer?: { readonly child: ChildProcess; readonly url: string } | undefined;
}

const STOP_TIMEOUT_MS = 5000;

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

export default async function redisGlobalTeardown(): Promise<void> {
  const holder = globalThis as RedisServerHolder;
  const started = holder.__callcontrolRedisServer;
  if (started === undefined) return;
  holder.__callcontrolRedisServer = undefined;
  if (process.env.REDIS_URL === started.url) delete process.env.REDIS_URL;
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await exited(child, STOP_TIMEOUT_MS))) {
    child.kill('SIGKILL');
    await exited(child, STOP_TIMEOUT_MS);
  }
}
