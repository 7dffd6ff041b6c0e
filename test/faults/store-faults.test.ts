/**
 * The promises of an app whose store stalls, fails and recovers (the store double of
 * `test/helpers/faulty-store.ts` around a `MemoryStore`), through real HTTP on 127.0.0.1:
 *
 * - every request is answered within the deadline + 250 ms with 200, with the handler's own
 *   answer (sessions read as empty, writes dropped), whether the store stalls or fails;
 * - a store known to be down is not waited for (circuit breaker);
 * - `CC_ERR_STORE_UNAVAILABLE` is reported once per outage, and the recovery once;
 * - after the store recovers, duplicate detection works again, without a restart;
 * - storing the reply and the ended call's session TTL never delay the answer;
 * - a handler's session calls resolve in time for it to answer.
 *
 * Deadlines are 1000 ms (300 ms where a short one is the point) and loads a few dozen requests.
 */
import type { CallControlError, CallControlLogger } from '../../src';
import { MemoryStore, placetel } from '../../src';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store';
import { TEST_APP } from '../helpers/apps';
import {
  callId,
  duplicatesDetectedWithin,
  FALLBACK_XML,
  FORWARD,
  FORWARD_XML,
  load,
  placetelBody,
  post,
  serve,
  xmlOf,
  type Timed,
} from './harness';

const DEADLINE_MS = 1000;
/** The promise: answered within the deadline and this much more. */
const SLACK_MS = 250;

interface Rig {
  readonly store: FaultyStore;
  readonly calls: placetel.PlacetelApp;
  readonly base: string;
  readonly errors: CallControlError[];
  readonly infos: string[];
  /** How often the IncomingCall handler ran, per call id. */
  readonly handled: Map<string, number>;
}

/** An app on a faulty store whose IncomingCall handler reads and writes the call's session. */
async function rig(timeoutMs = DEADLINE_MS): Promise<Rig> {
  const store = faultyStore(new MemoryStore());
  const errors: CallControlError[] = [];
  const infos: string[] = [];
  const logger: CallControlLogger = {
    info: (_fields, message) => {
      if (typeof message === 'string' && message.includes('store')) infos.push(message);
    },
    warn: () => undefined,
    error: () => undefined,
  };
  const calls = placetel.createApp({ ...TEST_APP, store, timeoutMs, logger });
  const handled = new Map<string, number>();
  calls.on('IncomingCall', async (call, { session }) => {
    handled.set(call.callId, (handled.get(call.callId) ?? 0) + 1);
    const seen = (await session.get<number>('seen')) ?? 0;
    await session.set('seen', seen + 1);
    return FORWARD();
  });
  calls.onError((error) => {
    errors.push(error);
  });
  return { store, calls, base: await serve(calls), errors, infos, handled };
}

function storeReports(errors: readonly CallControlError[]): number {
  return errors.filter((error) => error.code === 'CC_ERR_STORE_UNAVAILABLE').length;
}

/** 40 requests, 20 a second: every fifth repeats the one before it (a provider's retry). */
function burst(base: string, label: string): Promise<Timed[]> {
  return load(40, 50, (i) => ({
    base,
    body: placetelBody(callId(`${label}:${i % 5 === 4 ? i - 1 : i}`)),
  }));
}

function expectAllInTime(results: readonly Timed[], deadlineMs = DEADLINE_MS): void {
  const late = results.filter((r) => r.status !== 200 || r.ms > deadlineMs + SLACK_MS);
  expect(late.map((r) => `${r.status} after ${Math.round(r.ms)} ms`)).toEqual([]);
}

/** Latencies of the requests sent at least `fromMs` after the first. */
function after(results: readonly Timed[], fromMs: number): number[] {
  const start = results[0]?.sentAt ?? 0;
  return results.filter((r) => r.sentAt - start >= fromMs).map((r) => r.ms);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function dedupeWithin(r: Rig, ms: number): Promise<boolean> {
  return duplicatesDetectedWithin(r.base, r.base, r.handled, ms);
}

describe('a store that stalls (Redis stopped: nothing errors, nothing answers)', () => {
  test('every request is answered within the deadline + 250 ms with 200, mostly the handler’s own answer', async () => {
    const r = await rig();
    r.store.stall();
    const results = await burst(r.base, 'stalled');
    expectAllInTime(results);
    const own = results.filter((res) => xmlOf(res).name === FORWARD_XML.name);
    // Only a request that spent its time on the store before the breaker opened may miss it.
    expect(own.length).toBeGreaterThanOrEqual(results.length - 3);
    for (const res of results) expect([FORWARD_XML, FALLBACK_XML]).toContainEqual(xmlOf(res));
    expect(storeReports(r.errors)).toBe(1);
    r.store.recover({ dropStalled: true });
  });

  test('once the breaker is open, requests do not wait for the store at all', async () => {
    const r = await rig();
    r.store.stall();
    const results = await burst(r.base, 'breaker');
    // After the first 3 timeouts (500 ms each, concurrent), only a probe a second waits.
    const later = after(results, 800);
    expect(later.length).toBeGreaterThan(20);
    expect(median(later)).toBeLessThan(150);
    expect(later.filter((ms) => ms > 300).length).toBeLessThanOrEqual(3);
    // Calls made to the store: bounded by the breaker, not one per request.
    expect(r.store.stalled).toBeLessThan(results.length);
    r.store.recover({ dropStalled: true });
  });

  test('storing the reply and the session TTL of an ended call never delay the answer', async () => {
    const r = await rig();
    r.store.stall(['complete', 'sessionExpire', 'release', 'renew']);
    const id = callId('beside');
    for (const event of ['IncomingCall', 'HungUp']) {
      const res = await post(r.base, placetelBody(id, event));
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(300);
    }
    r.store.recover({ dropStalled: true });
  });
});

describe('a store that fails (Redis killed: every call rejects)', () => {
  test('every request is answered within the deadline + 250 ms with 200 and the handler’s own answer', async () => {
    const r = await rig();
    r.store.fail(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    const results = await burst(r.base, 'failing');
    expectAllInTime(results);
    for (const res of results) expect(xmlOf(res)).toEqual(FORWARD_XML);
    expect(storeReports(r.errors)).toBe(1);
    // Without the store there is no duplicate detection: every delivery ran its handler.
    expect([...r.handled.values()].reduce((a, b) => a + b, 0)).toBe(results.length);
  });
});

describe('recovery', () => {
  test('duplicates are detected again without a restart; one report per outage, and one recovery', async () => {
    const r = await rig();
    // Healthy: a retry is answered from the store.
    expect(await dedupeWithin(r, 2000)).toBe(true);
    for (const outage of [1, 2]) {
      r.store.stall();
      expectAllInTime(await burst(r.base, `outage-${outage}`));
      r.store.recover({ dropStalled: true });
      expect(await dedupeWithin(r, 5000)).toBe(true);
      expect(storeReports(r.errors)).toBe(outage);
      expect(r.infos).toHaveLength(outage);
    }
    expect(r.infos[0]).toMatch(/store answers again after \d+ ms/);
  });

  test('a failing store that comes back: the same', async () => {
    const r = await rig();
    r.store.fail();
    expectAllInTime(await burst(r.base, 'down'));
    r.store.recover();
    expect(await dedupeWithin(r, 5000)).toBe(true);
    expect(storeReports(r.errors)).toBe(1);
    expect(r.infos).toHaveLength(1);
  });
});

describe("a handler's session calls", () => {
  test('reads resolve as empty in time for the handler to answer, with a short deadline too', async () => {
    for (const timeoutMs of [DEADLINE_MS, 300]) {
      const r = await rig(timeoutMs);
      r.store.stall(['sessionGet', 'sessionGetAll', 'sessionSet']);
      const res = await post(r.base, placetelBody(callId(`read:${timeoutMs}`)));
      expect(res.status).toBe(200);
      expect(xmlOf(res)).toEqual(FORWARD_XML);
      expect(res.ms).toBeLessThan(timeoutMs + SLACK_MS);
      r.store.recover({ dropStalled: true });
    }
  });

  test('getAll reads as {} and delete resolves when the store fails', async () => {
    const store = faultyStore(new MemoryStore());
    const calls = placetel.createApp({ ...TEST_APP, store, timeoutMs: DEADLINE_MS });
    let seen: unknown;
    calls.on('IncomingCall', async (_call, { session }) => {
      seen = await session.getAll();
      await session.delete('x');
      return FORWARD();
    });
    calls.onError(() => undefined);
    const base = await serve(calls);
    store.fail();
    const res = await post(base, placetelBody(callId('getAll')));
    expect(xmlOf(res)).toEqual(FORWARD_XML);
    expect(seen).toEqual({});
  });

  test('a value without a JSON form is still a TypeError (the handler fails: the fallback)', async () => {
    const calls = placetel.createApp({ ...TEST_APP, timeoutMs: DEADLINE_MS });
    const errors: CallControlError[] = [];
    calls.on('IncomingCall', async (_call, { session }) => {
      await session.set('f', (() => 1) as unknown as string);
      return FORWARD();
    });
    calls.onError((error) => {
      errors.push(error);
    });
    const res = await post(await serve(calls), placetelBody(callId('json')));
    expect(xmlOf(res)).toEqual(FALLBACK_XML);
    expect(errors.map((e) => e.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
    expect(errors[0]?.message).toMatch(/no JSON form/);
  });
});
