/**
 * The store guard (`src/core/store-guard.ts`) on its own: every call bounded, the circuit
 * breaker (open after 3 failures in a row, a probe after the cool-down, closed by its success),
 * one outage start per outage and one recovery.
 */
import { MemoryStore } from '../../src/core/store';
import {
  BREAKER_FAILURES,
  StoreGuard,
  StoreTimeoutError,
  type GuardedResult,
} from '../../src/core/store-guard';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store';

/** A guard over a faulty memory store, with a clock the test moves. */
function setup(): {
  store: FaultyStore;
  guard: StoreGuard;
  recoveries: number[];
  advance: (ms: number) => void;
} {
  const store = faultyStore(new MemoryStore());
  let now = 0;
  const recoveries: number[] = [];
  const guard = new StoreGuard(store, {
    now: () => now,
    onRecovery: (ms) => recoveries.push(ms),
  });
  return { store, guard, recoveries, advance: (ms) => (now += ms) };
}

function read(guard: StoreGuard, store: FaultyStore, bound = 200): Promise<GuardedResult<unknown>> {
  return guard.run(bound, () => store.sessionGetAll('call'));
}

test('a call that answers gives its value', async () => {
  const { store, guard } = setup();
  await store.sessionSet('call', 'f', 1, 5000);
  expect(await read(guard, store)).toEqual({ ok: true, value: { f: 1 } });
});

test('a stalled call is given up after its bound, with a StoreTimeoutError', async () => {
  const { store, guard } = setup();
  store.stall();
  const start = performance.now();
  const result = await read(guard, store, 150);
  const elapsed = performance.now() - start;
  expect(result).toMatchObject({ ok: false, reason: 'timeout', outageStarted: true });
  if (result.ok) throw new Error('ok');
  expect(result.error).toBeInstanceOf(StoreTimeoutError);
  expect(elapsed).toBeGreaterThanOrEqual(140);
  expect(elapsed).toBeLessThan(1000);
  store.recover({ dropStalled: true });
});

test('a bound of 0 asks nothing and counts nothing', async () => {
  const { store, guard } = setup();
  expect(await read(guard, store, 0)).toMatchObject({ ok: false, reason: 'timeout' });
  expect(store.count()).toBe(0);
  expect(guard.outage).toBe(false);
});

test('a store that throws synchronously or rejects with a non-Error never rejects the guard', async () => {
  const { guard } = setup();
  const thrown = await guard.run(100, () => {
    throw new Error('sync');
  });
  expect(thrown).toMatchObject({ ok: false, reason: 'failed' });
  const odd = await guard.run(100, () => Promise.reject(Object.create(null) as Error));
  expect(odd).toMatchObject({ ok: false, reason: 'failed' });
});

test(`the breaker opens after ${BREAKER_FAILURES} failures in a row; open, nothing is asked`, async () => {
  const { store, guard } = setup();
  store.fail();
  const first = await read(guard, store);
  expect(first).toMatchObject({ ok: false, reason: 'failed', outageStarted: true });
  for (let i = 1; i < BREAKER_FAILURES; i++) {
    expect(await read(guard, store)).toMatchObject({ ok: false, outageStarted: false });
  }
  expect(guard.state).toBe('open');
  const asked = store.count();
  for (let i = 0; i < 100; i++) {
    expect(await read(guard, store)).toMatchObject({ ok: false, reason: 'open' });
  }
  expect(store.count()).toBe(asked);
});

test('a success before the threshold keeps the breaker closed', async () => {
  const { store, guard } = setup();
  for (let round = 0; round < 5; round++) {
    store.fail();
    for (let i = 1; i < BREAKER_FAILURES; i++) await read(guard, store);
    store.recover();
    expect(await read(guard, store)).toMatchObject({ ok: true });
  }
  expect(guard.state).toBe('closed');
});

test('after the cool-down one probe goes through; its failure opens the breaker again', async () => {
  const { store, guard, advance } = setup();
  store.stall();
  for (let i = 0; i < BREAKER_FAILURES; i++) await read(guard, store, 120);
  expect(guard.state).toBe('open');
  advance(1000);
  expect(guard.state).toBe('half-open');
  const asked = store.count();
  const probe = read(guard, store, 120);
  // While the probe runs, the others are not let through.
  expect(await read(guard, store)).toMatchObject({ ok: false, reason: 'open' });
  expect(await probe).toMatchObject({ ok: false, reason: 'timeout', outageStarted: false });
  expect(store.count()).toBe(asked + 1);
  expect(guard.state).toBe('open');
  expect(await read(guard, store)).toMatchObject({ ok: false, reason: 'open' });
  store.recover({ dropStalled: true });
});

test('the probe that succeeds closes the breaker; the outage ends after 3 successes, heard once', async () => {
  const { store, guard, recoveries, advance } = setup();
  store.fail();
  for (let i = 0; i < BREAKER_FAILURES; i++) await read(guard, store);
  expect(guard.outage).toBe(true);
  store.recover();
  advance(1500);
  expect(await read(guard, store)).toMatchObject({ ok: true });
  expect(guard.state).toBe('closed');
  expect(guard.outage).toBe(true);
  await read(guard, store);
  expect(recoveries).toEqual([]);
  await read(guard, store);
  expect(recoveries).toEqual([1500]);
  expect(guard.outage).toBe(false);
  for (let i = 0; i < 10; i++) await read(guard, store);
  expect(recoveries).toEqual([1500]);
});

test('a store that fails every other call is one outage, not one per failure', async () => {
  const { store, guard, recoveries } = setup();
  let starts = 0;
  for (let i = 0; i < 40; i++) {
    if (i % 2 === 0) store.fail();
    else store.recover();
    const result = await read(guard, store);
    if (!result.ok && result.outageStarted) starts++;
  }
  expect(starts).toBe(1);
  expect(recoveries).toEqual([]);
});

test('a short-bound timeout (a handler near its deadline) is not counted', async () => {
  const { store, guard } = setup();
  store.stall();
  for (let i = 0; i < 5; i++) {
    expect(await read(guard, store, 20)).toMatchObject({ ok: false, outageStarted: false });
  }
  expect(guard.state).toBe('closed');
  expect(guard.outage).toBe(false);
  store.recover({ dropStalled: true });
});

test('settled waits for the calls in flight, at most the time given', async () => {
  const { store, guard } = setup();
  store.delay(80);
  void read(guard, store, 1000);
  expect(await guard.settled(1000)).toBe(true);
  store.stall();
  void read(guard, store, 400);
  const start = performance.now();
  expect(await guard.settled(100)).toBe(false);
  expect(performance.now() - start).toBeLessThan(350);
  // The stalled call is given up at its bound: settled then.
  expect(await guard.settled(2000)).toBe(true);
  store.recover({ dropStalled: true });
});

test('invalid options are TypeErrors', () => {
  const store = new MemoryStore();
  expect(() => new StoreGuard(store, { failures: 0 })).toThrow(TypeError);
  expect(() => new StoreGuard(store, { coolDownMs: 1.5 })).toThrow(TypeError);
  expect(() => new StoreGuard(store, { recoverySuccesses: -1 })).toThrow(TypeError);
});

describe('the bound costs no timer when the store has answered within the tick', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a memory-store call arms no timer, and a call that stays pending arms one', async () => {
    const { store, guard } = setup();
    const timers = jest.spyOn(global, 'setTimeout');
    // Settled after a chain of microtasks, as an async store method calling another does.
    const chained = guard.run(200, () =>
      store.sessionGetAll('call').then((found) => Promise.resolve(found)),
    );
    expect(await chained).toEqual({ ok: true, value: {} });
    // Past the tick, when a timer would have been armed.
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers).not.toHaveBeenCalled();
    store.stall();
    const stalled = guard.run(150, () => store.sessionGetAll('call'));
    expect(await stalled).toMatchObject({ ok: false, reason: 'timeout' });
    expect(timers).toHaveBeenCalledTimes(1);
    store.recover({ dropStalled: true });
  });

  test('a store answering after the tick (a timer of its own) is still bounded and answered', async () => {
    const { guard } = setup();
    const late = await guard.run(
      500,
      () => new Promise<number>((resolve) => setTimeout(() => resolve(7), 20)),
    );
    expect(late).toEqual({ ok: true, value: 7 });
    const never = await guard.run(100, () => new Promise<number>(() => undefined));
    expect(never).toMatchObject({ ok: false, reason: 'timeout' });
  });

  test('a plain value, a thenable answering at once and a thenable that throws', async () => {
    const { guard } = setup();
    expect(await guard.run(200, () => 3)).toEqual({ ok: true, value: 3 });
    const now = { then: (ok: (value: number) => void) => ok(4) } as PromiseLike<number>;
    expect(await guard.run(200, () => now)).toEqual({ ok: true, value: 4 });
    const broken = {
      then: () => {
        throw new Error('broken then');
      },
    } as unknown as PromiseLike<number>;
    expect(await guard.run(200, () => broken)).toMatchObject({ ok: false, reason: 'failed' });
    // None of them is left in flight.
    expect(await guard.settled(50)).toBe(true);
  });
});
