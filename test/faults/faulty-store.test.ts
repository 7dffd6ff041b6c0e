/**
 * The store double of the fault tests (`test/helpers/faulty-store.ts`) does what it says: it
 * forwards, stalls, fails, delays and recovers on command.
 */
import { faultyStore } from '../helpers/faulty-store';

function settledWithin<T>(promise: Promise<T>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
}

test('forwards to the inner store while ok, and counts the calls', async () => {
  const store = faultyStore();
  await store.sessionSet('call', 'f', 1, 5000);
  expect(await store.sessionGet('call', 'f')).toBe(1);
  expect(store.count('sessionSet')).toBe(1);
  expect(store.count()).toBe(2);
  expect(store.mode).toBe('ok');
  await store.close();
});

test('stall: calls never settle until recover, then go on against the inner store', async () => {
  const store = faultyStore();
  store.stall();
  const write = store.sessionSet('call', 'f', 'late', 5000);
  expect(await settledWithin(write, 100)).toBe(false);
  expect(store.stalled).toBe(1);
  store.recover();
  await write;
  expect(store.stalled).toBe(0);
  expect(await store.sessionGet('call', 'f')).toBe('late');
  await store.close();
});

test('stall with dropStalled: stalled calls never settle, new ones do', async () => {
  const store = faultyStore();
  store.stall(['sessionGet']);
  const read = store.sessionGet('call', 'f');
  await store.sessionSet('call', 'f', 1, 5000); // not affected
  store.recover({ dropStalled: true });
  expect(await settledWithin(read, 100)).toBe(false);
  expect(await store.sessionGet('call', 'f')).toBe(1);
  await store.close();
});

test('fail: calls reject at once with the error given; close is never faulted', async () => {
  const store = faultyStore();
  const error = new Error('connection refused');
  store.fail(error);
  await expect(store.sessionGetAll('call')).rejects.toBe(error);
  await expect(store.close()).resolves.toBeUndefined();
});

test('delay: calls answer late', async () => {
  const store = faultyStore();
  store.delay(80);
  const start = performance.now();
  await store.sessionGetAll('call');
  expect(performance.now() - start).toBeGreaterThanOrEqual(70);
  await store.close();
});
