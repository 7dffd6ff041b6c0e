/**
 * The contract every {@link CallStore} passes (the docstrings of `src/core/store.ts`), as one
 * jest suite run against each store: `memory.test.ts` and `redis.test.ts`.
 *
 * Times are small (TTLs and leases of 60–200 ms, waits bounded by a few seconds), so the whole
 * suite takes a few seconds per store. Leases: a claim hands out a token; only its holder renews,
 * completes or releases, a lease lapses without renewal, and a waiter notices the lapse. Every test uses keys of its own, so stores that share data between
 * tests (one Redis server) never see each other's keys.
 */
import { randomUUID } from 'node:crypto';
import type { CallStore, SessionValue, StoredReply } from '../../src/core/store';

/** How {@link describeCallStore} gets more instances of a store. */
export interface CallStoreSuiteOptions<S extends CallStore> {
  /**
   * Another instance sharing `store`'s data, as a second instance of an app behind a load
   * balancer would (for Redis: a second `RedisStore` with its own connection to the same server
   * and prefix). Default: `store` itself (a store whose data lives in one process). Peers are
   * cleaned up like stores.
   */
  readonly peer?: (store: S) => Promise<S> | S;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let sequence = 0;

/** A key no other test (in this run or another) uses. */
export function uniqueKey(label: string): string {
  sequence += 1;
  return `${label}:${sequence}:${randomUUID()}`;
}

/** Milliseconds since `start` (from `performance.now()`). */
function since(start: number): number {
  return performance.now() - start;
}

/** Timers (`setTimeout`/`setInterval`) alive in this process. */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

/**
 * The live timers once the count is back to `baseline` or after 500 ms: jest and lru-cache
 * hold short timers of their own now and then, while a timer leaked by `waitFor` (10 s in the
 * test) would still be there.
 */
async function timersSettled(baseline: number): Promise<number> {
  for (let i = 0; i < 10 && activeTimers() > baseline; i += 1) await sleep(50);
  return activeTimers();
}

const REPLY: StoredReply = {
  status: 200,
  headers: {
    'content-type': 'application/xml; charset=utf-8',
    'x-callcontrol-note': 'Grüße — ☎',
  },
  body:
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="de">Grüße aus Köln, ' +
    '日本語, emoji 📞, "quotes" & <escapes> \\ backslash\ttab\r\nCRLF</Say></Response>',
};

const OTHER_REPLY: StoredReply = {
  status: 503,
  headers: {},
  body: '',
};

/** One field per shape of JSON value, as sessions store them. */
const SESSION_VALUES: Readonly<Record<string, SessionValue>> = {
  text: 'hello',
  empty: '',
  unicode: 'Grüße 日本語 📞 "quoted" \\ \n line',
  zero: 0,
  integer: 42,
  negative: -17,
  float: 3.25,
  big: Number.MAX_SAFE_INTEGER,
  tiny: 1e-9,
  yes: true,
  no: false,
  nothing: null,
  emptyArray: [],
  emptyObject: {},
  array: [1, 'two', null, false, [3, [4]], { five: 5 }],
  object: { nested: { deeper: { list: ['a', { b: null }] } }, 'key with spaces': 'ü' },
};

/**
 * Declares the contract suite for one store.
 *
 * @param name the store, as it appears in test names
 * @param create a new store (called before every test)
 * @param cleanup frees a store after its test (default: `store.close()`); called once per store
 *   and per distinct peer
 * @param options how to get a second instance sharing the data ({@link CallStoreSuiteOptions})
 */
export function describeCallStore<S extends CallStore>(
  name: string,
  create: () => Promise<S> | S,
  cleanup?: (store: S) => Promise<void>,
  options: CallStoreSuiteOptions<S> = {},
): void {
  describe(`${name} passes the CallStore contract`, () => {
    let store: S;
    let created: S[] = [];

    beforeEach(async () => {
      store = await create();
      created = [store];
    });

    afterEach(async () => {
      const all = [...new Set(created)];
      created = [];
      for (const each of all) await (cleanup ?? ((s: S) => s.close()))(each);
    });

    /** A second instance sharing `store`'s data. */
    async function peer(): Promise<S> {
      if (options.peer === undefined) return store;
      const other = await options.peer(store);
      created.push(other);
      return other;
    }

    /** Claims `key` in `on` (default: `store`), expecting it to be claimed; its token. */
    async function claimed(key: string, leaseMs = 5000, on: CallStore = store): Promise<string> {
      const result = await on.claim(key, leaseMs);
      expect(result).toEqual({ state: 'claimed', token: expect.any(String) });
      if (result.state !== 'claimed') throw new Error(`not claimed: ${result.state}`);
      expect(result.token.length).toBeGreaterThanOrEqual(16);
      return result.token;
    }

    describe('deliveries: claim, complete, release', () => {
      test('a first claim is claimed with a token; repeating it, here or in another instance, is pending', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        await claimed(key);
        expect(await store.claim(key, 5000)).toEqual({ state: 'pending' });
        expect(await other.claim(key, 5000)).toEqual({ state: 'pending' });
      });

      test('every claim gets a token of its own', async () => {
        const tokens = new Set<string>();
        for (let i = 0; i < 5; i++) tokens.add(await claimed(uniqueKey('delivery')));
        expect(tokens.size).toBe(5);
      });

      test('after complete, every claim is done with the reply as stored, byte for byte', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        await store.complete(key, token, REPLY, 5000);
        for (const each of [store, other, store]) {
          const found = await each.claim(key, 5000);
          expect(found).toEqual({ state: 'done', reply: REPLY });
          if (found.state !== 'done') throw new Error('not done');
          expect(
            Buffer.from(found.reply.body, 'utf8').equals(Buffer.from(REPLY.body, 'utf8')),
          ).toBe(true);
          expect(found.reply.headers).toStrictEqual(REPLY.headers);
          expect(found.reply.status).toBe(200);
        }
      });

      test('an empty reply (no headers, empty body) is stored as such', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        await store.complete(key, token, OTHER_REPLY, 5000);
        expect(await store.claim(key, 5000)).toEqual({ state: 'done', reply: OTHER_REPLY });
      });

      test('release makes a claimed delivery claimable again, in every instance', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        await store.release(key, token);
        await claimed(key, 5000, other);
        expect(await store.claim(key, 5000)).toEqual({ state: 'pending' });
      });

      test('release keeps a delivery that is done; releasing an unknown key is harmless', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        await store.complete(key, token, REPLY, 5000);
        await store.release(key, token);
        expect(await store.claim(key, 5000)).toEqual({ state: 'done', reply: REPLY });
        await expect(store.release(uniqueKey('never-claimed'), token)).resolves.toBeUndefined();
      });

      test('a claim lapses after its lease, so a repetition is handled anew', async () => {
        const key = uniqueKey('delivery');
        await claimed(key, 60);
        expect(await store.claim(key, 60)).toEqual({ state: 'pending' });
        await sleep(140);
        await claimed(key);
      });

      test('a reply is kept for the ttlMs of complete, then forgotten', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key, 50);
        await store.complete(key, token, REPLY, 200);
        await sleep(100); // past the lease: complete set its own TTL
        expect(await store.claim(key, 5000)).toEqual({ state: 'done', reply: REPLY });
        await sleep(180);
        await claimed(key);
      });

      test('20 concurrent claims of one delivery, across instances: exactly one is claimed', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).claim(key, 5000)),
        );
        expect(results.filter((r) => r.state === 'claimed')).toHaveLength(1);
        expect(results.filter((r) => r.state === 'pending')).toHaveLength(19);
      });

      test('concurrent claims of different deliveries are each claimed', async () => {
        const keys = Array.from({ length: 10 }, () => uniqueKey('delivery'));
        const results = await Promise.all(keys.map((key) => store.claim(key, 5000)));
        expect(results).toEqual(keys.map(() => ({ state: 'claimed', token: expect.any(String) })));
      });

      test('deliveries do not interfere with each other', async () => {
        const a = uniqueKey('delivery-a');
        const b = uniqueKey('delivery-b');
        const c = uniqueKey('delivery-c');
        const tokenA = await claimed(a);
        const tokenB = await claimed(b);
        await store.complete(a, tokenA, REPLY, 5000);
        await store.release(b, tokenB);
        expect(await store.claim(a, 5000)).toEqual({ state: 'done', reply: REPLY });
        await claimed(b);
        await claimed(c);
        // a key that is a prefix of another is still another key
        await claimed(`${a}:x`);
      });
    });

    describe('leases: renew, and only the holder of the token', () => {
      test('renew extends the lease while the holder works; without it, the lease lapses', async () => {
        const other = await peer();
        const renewed = uniqueKey('delivery');
        const lapsing = uniqueKey('delivery');
        const token = await claimed(renewed, 150);
        await claimed(lapsing, 150);
        for (let i = 0; i < 4; i++) {
          await sleep(60);
          expect(await other.renew(renewed, token, 150)).toBe(true);
        }
        // 240 ms after the claim: the renewed lease holds, the other one lapsed
        expect(await store.claim(renewed, 150)).toEqual({ state: 'pending' });
        await claimed(lapsing, 5000, other);
      });

      test('renew is refused for another token, a lapsed lease, a done or unknown delivery', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key, 60);
        expect(await store.renew(key, 'not-the-token', 5000)).toBe(false);
        await sleep(140); // lapsed
        expect(await store.renew(key, token, 5000)).toBe(false);
        expect(await store.claim(key, 5000)).toEqual({
          state: 'claimed',
          token: expect.any(String),
        });
        expect(await store.renew(key, token, 5000)).toBe(false); // another holder now
        const done = uniqueKey('delivery');
        const doneToken = await claimed(done);
        await store.complete(done, doneToken, REPLY, 5000);
        expect(await store.renew(done, doneToken, 5000)).toBe(false);
        expect(await store.claim(done, 5000)).toEqual({ state: 'done', reply: REPLY });
        expect(await store.renew(uniqueKey('never-claimed'), token, 5000)).toBe(false);
      });

      test('renew refused does not change the delivery: a done reply keeps its TTL', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        await store.complete(key, token, REPLY, 120);
        expect(await store.renew(key, token, 60_000)).toBe(false);
        await sleep(200);
        await claimed(key);
      });

      test('complete by a holder whose lease lapsed, after another claimed it, changes nothing', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const first = await claimed(key, 60);
        await sleep(140);
        const second = await claimed(key, 5000, other);
        await store.complete(key, first, OTHER_REPLY, 5000); // too late: not the holder
        expect(await store.claim(key, 5000)).toEqual({ state: 'pending' });
        await other.complete(key, second, REPLY, 5000);
        expect(await store.claim(key, 5000)).toEqual({ state: 'done', reply: REPLY });
      });

      test('complete by a holder whose lease lapsed, nobody else holding it, stores the reply', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key, 60);
        await sleep(140);
        await store.complete(key, token, REPLY, 5000);
        expect(await store.claim(key, 5000)).toEqual({ state: 'done', reply: REPLY });
      });

      test('a second complete does not replace the stored reply', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        await store.complete(key, token, REPLY, 5000);
        await store.complete(key, token, OTHER_REPLY, 5000);
        await store.complete(key, 'another-token', OTHER_REPLY, 5000);
        expect(await store.claim(key, 5000)).toEqual({ state: 'done', reply: REPLY });
      });

      test('release by another token, or by a holder whose lease lapsed, leaves the holder be', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const first = await claimed(key, 60);
        await store.release(key, 'not-the-token');
        expect(await store.claim(key, 60)).toEqual({ state: 'pending' });
        await sleep(140);
        const second = await claimed(key, 5000, other);
        await store.release(key, first); // too late: not the holder
        expect(await store.claim(key, 5000)).toEqual({ state: 'pending' });
        expect(await other.renew(key, second, 5000)).toBe(true);
      });
    });

    describe('waitFor', () => {
      test('resolves undefined at once for a delivery nobody claimed', async () => {
        const start = performance.now();
        expect(await store.waitFor(uniqueKey('delivery'), 2000)).toBeUndefined();
        expect(since(start)).toBeLessThan(1000);
      });

      test('resolves at once with the reply of a delivery that is done', async () => {
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        await store.complete(key, token, REPLY, 5000);
        const start = performance.now();
        expect(await store.waitFor(key, 2000)).toEqual(REPLY);
        expect(since(start)).toBeLessThan(1000);
      });

      test('resolves with the reply when another instance completes the delivery', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        const start = performance.now();
        const waiting = other.waitFor(key, 3000);
        const alsoWaiting = other.waitFor(key, 3000);
        await sleep(60);
        await store.complete(key, token, REPLY, 5000);
        expect(await waiting).toEqual(REPLY);
        expect(await alsoWaiting).toEqual(REPLY);
        const elapsed = since(start);
        expect(elapsed).toBeGreaterThanOrEqual(50);
        expect(elapsed).toBeLessThan(1500);
      });

      test('resolves undefined after timeoutMs while the delivery stays leased', async () => {
        const key = uniqueKey('delivery');
        await claimed(key);
        const start = performance.now();
        expect(await store.waitFor(key, 120)).toBeUndefined();
        const elapsed = since(start);
        expect(elapsed).toBeGreaterThanOrEqual(110);
        expect(elapsed).toBeLessThan(1000);
        expect(await store.claim(key, 5000)).toEqual({ state: 'pending' });
      });

      test('a timeout of 0 looks once and resolves undefined for a leased delivery', async () => {
        const key = uniqueKey('delivery');
        await claimed(key);
        const start = performance.now();
        expect(await store.waitFor(key, 0)).toBeUndefined();
        expect(since(start)).toBeLessThan(500);
      });

      test('resolves undefined soon after the claim is released by another instance', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const token = await claimed(key);
        const start = performance.now();
        const waiting = store.waitFor(key, 3000);
        await sleep(60);
        await other.release(key, token);
        expect(await waiting).toBeUndefined();
        expect(since(start)).toBeLessThan(1500);
        await claimed(key);
      });

      test('resolves undefined when the lease lapses, long before its timeout', async () => {
        const key = uniqueKey('delivery');
        await claimed(key, 150);
        const start = performance.now();
        expect(await store.waitFor(key, 5000)).toBeUndefined();
        const elapsed = since(start);
        expect(elapsed).toBeGreaterThanOrEqual(100);
        expect(elapsed).toBeLessThan(1500);
        await claimed(key);
      });

      test('keeps waiting while the holder renews its lease, and gets its reply', async () => {
        const other = await peer();
        const key = uniqueKey('delivery');
        const token = await claimed(key, 150);
        const waiting = store.waitFor(key, 5000);
        for (let i = 0; i < 5; i++) {
          await sleep(60);
          expect(await other.renew(key, token, 150)).toBe(true);
        }
        await other.complete(key, token, REPLY, 5000);
        expect(await waiting).toEqual(REPLY);
      });

      test('resolves undefined when the store is closed meanwhile', async () => {
        const key = uniqueKey('delivery');
        await claimed(key);
        const start = performance.now();
        const waiting = store.waitFor(key, 5000);
        await sleep(30);
        await store.close();
        expect(await waiting).toBeUndefined();
        expect(since(start)).toBeLessThan(1500);
      });

      test('leaves no timer behind, whatever the outcome', async () => {
        const other = await peer();
        const baseline = activeTimers();
        const timedOut = uniqueKey('delivery');
        await claimed(timedOut);
        expect(await store.waitFor(timedOut, 60)).toBeUndefined();
        const completed = uniqueKey('delivery');
        const completedToken = await claimed(completed);
        const waiting = store.waitFor(completed, 10_000);
        await sleep(40);
        await other.complete(completed, completedToken, REPLY, 5000);
        expect(await waiting).toEqual(REPLY);
        const released = uniqueKey('delivery');
        const releasedToken = await claimed(released);
        const waitingToo = store.waitFor(released, 10_000);
        await sleep(40);
        await other.release(released, releasedToken);
        expect(await waitingToo).toBeUndefined();
        const lapsed = uniqueKey('delivery');
        await claimed(lapsed, 80);
        expect(await store.waitFor(lapsed, 10_000)).toBeUndefined();
        expect(await timersSettled(baseline)).toBeLessThanOrEqual(baseline);
      });
    });

    describe('sessions', () => {
      test('a call without a session has no fields', async () => {
        const call = uniqueKey('call');
        expect(await store.sessionGet(call, 'anything')).toBeUndefined();
        expect(await store.sessionGetAll(call)).toEqual({});
      });

      test('sessionSet, then sessionGet and sessionGetAll, here and in another instance', async () => {
        const other = await peer();
        const call = uniqueKey('call');
        await store.sessionSet(call, 'menu', 'main', 5000);
        await other.sessionSet(call, 'attempts', 2, 5000);
        for (const each of [store, other]) {
          expect(await each.sessionGet(call, 'menu')).toBe('main');
          expect(await each.sessionGet(call, 'attempts')).toBe(2);
          expect(await each.sessionGet(call, 'missing')).toBeUndefined();
          expect(await each.sessionGetAll(call)).toStrictEqual({ menu: 'main', attempts: 2 });
        }
      });

      test('JSON values of every shape come back equal', async () => {
        const call = uniqueKey('call');
        for (const [field, value] of Object.entries(SESSION_VALUES)) {
          await store.sessionSet(call, field, value, 5000);
        }
        for (const [field, value] of Object.entries(SESSION_VALUES)) {
          expect(await store.sessionGet(call, field)).toStrictEqual(value);
        }
        expect(await store.sessionGetAll(call)).toStrictEqual(SESSION_VALUES);
      });

      test('field names are any text', async () => {
        const call = uniqueKey('call');
        const fields = [
          'a:b',
          'Grüße',
          '📞',
          'with space',
          'x'.repeat(300),
          '__proto__',
          'constructor',
        ];
        for (const [i, field] of fields.entries()) await store.sessionSet(call, field, i, 5000);
        for (const [i, field] of fields.entries()) {
          expect(await store.sessionGet(call, field)).toBe(i);
        }
        const all = await store.sessionGetAll(call);
        expect(Object.keys(all).sort()).toEqual([...fields].sort());
        expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
        expect(Object.getOwnPropertyDescriptor(all, '__proto__')?.value).toBe(5);
      });

      test('sessionSet replaces the value of a field', async () => {
        const call = uniqueKey('call');
        await store.sessionSet(call, 'step', { at: 1 }, 5000);
        await store.sessionSet(call, 'step', ['now', 'a', 'list'], 5000);
        expect(await store.sessionGet(call, 'step')).toEqual(['now', 'a', 'list']);
        expect(await store.sessionGetAll(call)).toEqual({ step: ['now', 'a', 'list'] });
      });

      test('sessionDelete removes one field and keeps the others', async () => {
        const other = await peer();
        const call = uniqueKey('call');
        await store.sessionSet(call, 'a', 1, 5000);
        await store.sessionSet(call, 'b', 2, 5000);
        await other.sessionDelete(call, 'a');
        expect(await store.sessionGet(call, 'a')).toBeUndefined();
        expect(await store.sessionGetAll(call)).toEqual({ b: 2 });
        await expect(store.sessionDelete(call, 'never-set')).resolves.toBeUndefined();
        await expect(store.sessionDelete(uniqueKey('no-call'), 'x')).resolves.toBeUndefined();
        expect(await store.sessionGetAll(call)).toEqual({ b: 2 });
      });

      test('deleting the last field removes the session', async () => {
        const call = uniqueKey('call');
        await store.sessionSet(call, 'only', true, 5000);
        await store.sessionDelete(call, 'only');
        expect(await store.sessionGetAll(call)).toEqual({});
        await store.sessionExpire(call, 5000); // does not bring it back
        expect(await store.sessionGetAll(call)).toEqual({});
        await store.sessionSet(call, 'again', 1, 5000);
        expect(await store.sessionGetAll(call)).toEqual({ again: 1 });
      });

      test('a session lives ttlMs from its last sessionSet, every field with it', async () => {
        const call = uniqueKey('call');
        await store.sessionSet(call, 'first', 1, 120);
        await sleep(70);
        await store.sessionSet(call, 'second', 2, 120); // refreshes the whole session
        await sleep(70); // 140 ms after the first set
        expect(await store.sessionGetAll(call)).toEqual({ first: 1, second: 2 });
        await sleep(130);
        expect(await store.sessionGetAll(call)).toEqual({});
        expect(await store.sessionGet(call, 'first')).toBeUndefined();
      });

      test('sessionDelete keeps the TTL the session had', async () => {
        const call = uniqueKey('call');
        await store.sessionSet(call, 'a', 1, 100);
        await store.sessionSet(call, 'b', 2, 100);
        await store.sessionDelete(call, 'a');
        expect(await store.sessionGetAll(call)).toEqual({ b: 2 });
        await sleep(170);
        expect(await store.sessionGetAll(call)).toEqual({});
      });

      test('sessionExpire sets how long the session lives from now, shorter or longer', async () => {
        const shortened = uniqueKey('call');
        const lengthened = uniqueKey('call');
        await store.sessionSet(shortened, 'x', 'y', 60_000);
        await store.sessionSet(lengthened, 'x', 'y', 60);
        await store.sessionExpire(shortened, 60);
        await store.sessionExpire(lengthened, 60_000);
        await sleep(140);
        expect(await store.sessionGetAll(shortened)).toEqual({});
        expect(await store.sessionGetAll(lengthened)).toEqual({ x: 'y' });
      });

      test('sessionExpire of a call without a session creates none', async () => {
        const call = uniqueKey('call');
        await store.sessionExpire(call, 5000);
        expect(await store.sessionGetAll(call)).toEqual({});
      });

      test('calls do not share sessions, and sessions do not touch deliveries', async () => {
        const a = uniqueKey('call');
        const b = uniqueKey('call');
        await store.sessionSet(a, 'who', 'a', 5000);
        await store.sessionSet(b, 'who', 'b', 5000);
        await store.sessionExpire(a, 1);
        await sleep(20);
        expect(await store.sessionGetAll(a)).toEqual({});
        expect(await store.sessionGetAll(b)).toEqual({ who: 'b' });
        // the same key as a delivery and as a call are separate things
        await store.sessionSet(a, 'who', 'a', 5000);
        const token = await claimed(a);
        await store.complete(a, token, REPLY, 5000);
        expect(await store.sessionGetAll(a)).toEqual({ who: 'a' });
        expect(await store.claim(a, 5000)).toEqual({ state: 'done', reply: REPLY });
      });
    });
  });
}
