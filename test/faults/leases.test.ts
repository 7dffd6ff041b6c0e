/**
 * A delivery is claimed under a short lease that its holder renews while it works, and given
 * up when its handling failed — two "instances" (apps) sharing one `MemoryStore`, through real
 * HTTP on 127.0.0.1 (the same contract holds for `RedisStore`: `test/stores/contract.ts`, and
 * `redis-faults.test.ts` with a real redis-server):
 *
 * - an instance that dies mid-handler does not strand the delivery: a retry reaching the other
 *   instance claims it once the lease lapses, and gets the handler's own answer in time;
 * - a handler slower than the lease is not run twice: its instance renews the lease;
 * - a delivery whose handler failed (threw, missed the deadline) is released: its retry runs the
 *   handler again, and a retry that was waiting for it claims it and runs it itself.
 *
 * Times: the lease is 1500 ms (renewed every 500 ms), deadlines 3000 ms (Placetel's) or 1000 ms.
 */
import type { CallControlError } from '../../src';
import { MemoryStore, placetel, type CallStore } from '../../src';
import { LEASE_MS } from '../../src/core/store-guard';
import { faultyStore } from '../helpers/faulty-store';
import { TEST_APP } from '../helpers/apps';
import {
  callId,
  FALLBACK_XML,
  FORWARD,
  FORWARD_XML,
  placetelBody,
  post,
  serve,
  sleep,
  xmlOf,
} from './harness';

type Handler = (attempt: number) => Promise<void>;

/** An instance: an app on `store` whose IncomingCall handler runs `work` (counted across both). */
async function instance(
  store: CallStore,
  timeoutMs: number,
  counter: { runs: number },
  work: Handler,
): Promise<{ base: string; errors: CallControlError[] }> {
  const calls = placetel.createApp({ ...TEST_APP, store, timeoutMs });
  const errors: CallControlError[] = [];
  calls.on('IncomingCall', async () => {
    counter.runs += 1;
    await work(counter.runs);
    return FORWARD();
  });
  calls.onError((error) => {
    errors.push(error);
  });
  return { base: await serve(calls), errors };
}

const never = (): Promise<void> => new Promise<void>(() => undefined);

test('an instance that dies mid-handler: the retry on the other instance runs the handler and answers in time', async () => {
  const shared = new MemoryStore();
  // Instance A reaches the store through a double, so that it can "die": once stalled, its
  // renewals (and anything else it would say) never reach the store.
  const aStore = faultyStore(shared);
  const counter = { runs: 0 };
  const a = await instance(aStore, 3000, counter, never);
  const b = await instance(shared, 3000, counter, async () => undefined);
  const body = placetelBody(callId('crashed'));
  void post(a.base, body, 5000); // its answer never matters: A is dead
  await sleep(100);
  expect(counter.runs).toBe(1); // A claimed it and runs the handler …
  aStore.stall(); // … and dies
  const retry = await post(b.base, body);
  expect(retry.status).toBe(200);
  expect(xmlOf(retry)).toEqual(FORWARD_XML); // the handler's own answer, not the fallback
  expect(retry.ms).toBeLessThan(3000);
  expect(retry.ms).toBeLessThan(LEASE_MS + 1000);
  expect(counter.runs).toBe(2);
  aStore.recover({ dropStalled: true });
});

test('a handler slower than the lease is run once: its instance renews the lease, the retry gets its reply', async () => {
  const shared = new MemoryStore();
  const counter = { runs: 0 };
  const slow = async (): Promise<void> => sleep(LEASE_MS + 700);
  const a = await instance(shared, 3000, counter, slow);
  const b = await instance(shared, 3000, counter, slow);
  const body = placetelBody(callId('slow'));
  const first = post(a.base, body);
  await sleep(100);
  const retry = await post(b.base, body);
  expect(xmlOf(await first)).toEqual(FORWARD_XML);
  expect(xmlOf(retry)).toEqual(FORWARD_XML);
  expect(retry.ms).toBeLessThan(3000);
  expect(counter.runs).toBe(1);
});

test('a handler that threw: its delivery is released, and the retry runs the handler again', async () => {
  const shared = new MemoryStore();
  const counter = { runs: 0 };
  const flaky = async (attempt: number): Promise<void> => {
    if (attempt === 1) throw new Error('database not reachable');
  };
  const a = await instance(shared, 1000, counter, flaky);
  const b = await instance(shared, 1000, counter, flaky);
  const body = placetelBody(callId('threw'));
  const first = await post(a.base, body);
  expect(xmlOf(first)).toEqual(FALLBACK_XML);
  expect(a.errors.map((e) => e.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
  await sleep(50); // the release goes beside the answer
  const retry = await post(b.base, body);
  expect(xmlOf(retry)).toEqual(FORWARD_XML);
  expect(counter.runs).toBe(2);
  // Once answered by the handler, the delivery is done: a third try is a duplicate.
  await sleep(50);
  const third = await post(a.base, body);
  expect(xmlOf(third)).toEqual(FORWARD_XML);
  expect(counter.runs).toBe(2);
});

test('a retry waiting for a handler that misses its deadline claims the delivery and runs it itself', async () => {
  const shared = new MemoryStore();
  const counter = { runs: 0 };
  const firstTooSlow = async (attempt: number): Promise<void> => {
    if (attempt === 1) await sleep(2000);
  };
  const a = await instance(shared, 1000, counter, firstTooSlow);
  const b = await instance(shared, 1000, counter, firstTooSlow);
  const body = placetelBody(callId('timed-out'));
  const first = post(a.base, body);
  await sleep(300);
  const retry = await post(b.base, body); // its deadline: 1300 ms after the first's start
  expect(xmlOf(await first)).toEqual(FALLBACK_XML);
  expect(a.errors.map((e) => e.code)).toEqual(['CC_ERR_HANDLER_TIMEOUT']);
  expect(xmlOf(retry)).toEqual(FORWARD_XML);
  expect(retry.ms).toBeLessThan(1000 + 250);
  expect(counter.runs).toBe(2);
});
