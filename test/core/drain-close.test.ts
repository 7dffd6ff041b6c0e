/**
 * `calls.drain()` and `calls.close()`: waiting for the requests in flight (bounded), answering
 * the ones that arrive meanwhile, then closing the store — bounded too, when the store never
 * answers or fails to close.
 */
import {
  MemoryStore,
  placetel,
  STORE_CLOSE_TIMEOUT_MS,
  type CallControlError,
  type CallStore,
  type WebhookReply,
} from '../../src';
import { placetelIncoming, TEST_APP } from '../helpers/apps';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ANSWER = placetel.reject({ reason: 'busy' });

/** An app whose handler takes `ms` milliseconds; `errors` collects what onError gets. */
function slowApp(ms: number, store?: CallStore) {
  const errors: CallControlError[] = [];
  const calls = placetel.createApp({ ...TEST_APP, timeoutMs: 5000, store });
  calls.on('IncomingCall', async () => {
    await sleep(ms);
    return ANSWER;
  });
  calls.onError((error) => {
    errors.push(error);
  });
  return { calls, errors };
}

function expectAnswered(reply: WebhookReply): void {
  expect(reply.status).toBe(200);
  expect(reply.outcome).toBe('handled');
  expect(reply.text).toContain('<Reject');
}

test('drain() with nothing in flight resolves at once', async () => {
  const { calls } = slowApp(10);
  const started = Date.now();
  expect(await calls.drain()).toEqual({ drained: true, inFlight: 0 });
  expect(Date.now() - started).toBeLessThan(100);
});

test('drain() waits for the requests in flight, and for those that arrive meanwhile', async () => {
  const { calls } = slowApp(300);
  const first = [1, 2, 3].map((n) => calls.handle(placetelIncoming(`drain000${n}`)));
  await sleep(20);
  const draining = calls.drain({ timeoutMs: 5000 });
  await sleep(150);
  // Arrives while draining: answered, and waited for.
  const late = calls.handle(placetelIncoming('drain0004'));
  let lateDone = false;
  void late.then(() => (lateDone = true));
  expect(await draining).toEqual({ drained: true, inFlight: 0 });
  expect(lateDone).toBe(true);
  for (const reply of await Promise.all([...first, late])) expectAnswered(reply);
});

test('drain() gives up after timeoutMs and says how many are still in flight', async () => {
  const { calls } = slowApp(600);
  const replies = [
    calls.handle(placetelIncoming('drain0005')),
    calls.handle(placetelIncoming('drain0006')),
  ];
  await sleep(20);
  const started = Date.now();
  expect(await calls.drain({ timeoutMs: 50 })).toEqual({ drained: false, inFlight: 2 });
  expect(Date.now() - started).toBeLessThan(400);
  for (const reply of await Promise.all(replies)) expectAnswered(reply);
  expect(await calls.drain({ timeoutMs: 0 })).toEqual({ drained: true, inFlight: 0 });
});

test('drain() refuses a timeoutMs that is no whole number ≥ 0', async () => {
  const { calls } = slowApp(10);
  for (const timeoutMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    await expect(calls.drain({ timeoutMs })).rejects.toThrow(TypeError);
  }
});

test('close() drains, then closes the store; later requests are still answered', async () => {
  const store = new MemoryStore();
  const closeSpy = jest.spyOn(store, 'close');
  const { calls } = slowApp(200, store);
  const reply = calls.handle(placetelIncoming('close0001'));
  await sleep(20);
  expect(await calls.close()).toEqual({ drained: true, inFlight: 0 });
  expect(closeSpy).toHaveBeenCalledTimes(1);
  expectAnswered(await reply);
  expectAnswered(await calls.handle(placetelIncoming('close0002')));
});

test.each([
  ['never settles', () => new Promise<void>(() => undefined)],
  ['rejects', () => Promise.reject(new Error('close failed'))],
  [
    'throws',
    () => {
      throw new Error('close threw');
    },
  ],
])(
  'close() with a store whose close %s: resolves within its bound, onError hears it',
  async (_name, close) => {
    const store = Object.assign(new MemoryStore(), { close });
    const { calls, errors } = slowApp(10, store);
    const started = Date.now();
    expect(await calls.close({ timeoutMs: 0 })).toEqual({ drained: true, inFlight: 0 });
    expect(Date.now() - started).toBeLessThan(STORE_CLOSE_TIMEOUT_MS + 500);
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_STORE_UNAVAILABLE']);
  },
);
