/**
 * MemoryStore: the CallStore contract, and the limits that keep it bounded (least recently used
 * deliveries and sessions go first).
 */
import fc from 'fast-check';
import { MemoryStore } from '../../src/core/store';
import { describeCallStore, uniqueKey } from './contract';

describeCallStore('MemoryStore', () => new MemoryStore());

describe('MemoryStore limits', () => {
  test('maxDeliveries: the least recently used delivery is forgotten first', async () => {
    const store = new MemoryStore({ maxDeliveries: 2 });
    const [a, b, c] = [uniqueKey('a'), uniqueKey('b'), uniqueKey('c')];
    expect(await store.claim(a, 60_000)).toMatchObject({ state: 'claimed' });
    expect(await store.claim(b, 60_000)).toMatchObject({ state: 'claimed' });
    expect(await store.claim(a, 60_000)).toEqual({ state: 'pending' }); // a is now the most recent
    expect(await store.claim(c, 60_000)).toMatchObject({ state: 'claimed' }); // b goes
    expect(await store.claim(a, 60_000)).toEqual({ state: 'pending' });
    expect(await store.claim(c, 60_000)).toEqual({ state: 'pending' });
    expect(await store.claim(b, 60_000)).toMatchObject({ state: 'claimed' }); // b was forgotten; a goes
    expect(await store.claim(c, 60_000)).toEqual({ state: 'pending' });
    expect(await store.claim(a, 60_000)).toMatchObject({ state: 'claimed' });
    await store.close();
  });

  test('maxSessions: the least recently used session is forgotten first', async () => {
    const store = new MemoryStore({ maxSessions: 2 });
    const [a, b, c] = [uniqueKey('a'), uniqueKey('b'), uniqueKey('c')];
    await store.sessionSet(a, 'f', 'a', 60_000);
    await store.sessionSet(b, 'f', 'b', 60_000);
    expect(await store.sessionGet(a, 'f')).toBe('a'); // a is now the most recent
    await store.sessionSet(c, 'f', 'c', 60_000); // b goes
    expect(await store.sessionGetAll(b)).toEqual({});
    expect(await store.sessionGetAll(a)).toEqual({ f: 'a' });
    expect(await store.sessionGetAll(c)).toEqual({ f: 'c' });
    await store.close();
  });

  test('maxSessionBytes: sessions beyond the byte budget push out the least recently used', async () => {
    // each session counts 341 bytes: its key (6 + 16), its field (1 + 16) and the JSON text (302)
    const store = new MemoryStore({ maxSessionBytes: 1100 });
    const big = 'x'.repeat(300);
    const calls = Array.from({ length: 4 }, (_, i) => `call-${i}`);
    await store.sessionSet(calls[0] ?? '', 'f', big, 60_000);
    await store.sessionSet(calls[1] ?? '', 'f', big, 60_000);
    await store.sessionSet(calls[2] ?? '', 'f', big, 60_000);
    expect(await store.sessionGet(calls[0] ?? '', 'f')).toBe(big); // call-0 is now the most recent
    await store.sessionSet(calls[3] ?? '', 'f', big, 60_000); // over 1100 bytes: call-1 goes
    expect(await store.sessionGetAll(calls[1] ?? '')).toEqual({});
    for (const kept of [calls[0], calls[2], calls[3]]) {
      expect(await store.sessionGet(kept ?? '', 'f')).toBe(big);
    }
    await store.close();
  });

  test('growing one session counts its new bytes against the budget', async () => {
    const store = new MemoryStore({ maxSessionBytes: 1000 });
    await store.sessionSet('other', 'f', 'x'.repeat(400), 60_000);
    await store.sessionSet('growing', 'a', 'y'.repeat(300), 60_000);
    await store.sessionSet('growing', 'b', 'z'.repeat(300), 60_000); // 'other' goes
    expect(await store.sessionGetAll('other')).toEqual({});
    expect(await store.sessionGetAll('growing')).toEqual({
      a: 'y'.repeat(300),
      b: 'z'.repeat(300),
    });
    await store.close();
  });

  test('reads and writes in any order keep the order of use', async () => {
    const store = new MemoryStore({ maxSessions: 3 });
    const [a, b, c, d] = [uniqueKey('a'), uniqueKey('b'), uniqueKey('c'), uniqueKey('d')];
    for (const call of [a, b, c]) await store.sessionSet(call, 'f', call, 60_000); // a, b, c
    expect(await store.sessionGet(a, 'f')).toBe(a); // b, c, a
    await store.sessionSet(a, 'g', 1, 60_000); // a again: b, c, a
    expect(await store.sessionGet(b, 'f')).toBe(b); // c, a, b
    await store.sessionSet(d, 'f', d, 60_000); // c goes
    expect(await store.sessionGetAll(c)).toEqual({});
    expect(await store.sessionGetAll(a)).toEqual({ f: a, g: 1 }); // b, d, a
    await store.sessionExpire(b, 60_000); // d, a, b
    await store.sessionSet(c, 'f', c, 60_000); // d goes
    expect(await store.sessionGetAll(d)).toEqual({});
    for (const kept of [a, b, c]) expect(await store.sessionGet(kept, 'f')).toBe(kept);
    await store.close();
  });

  test('a session used again after another was added moves behind it', async () => {
    const store = new MemoryStore({ maxSessions: 3 });
    const [a, b, c, d, e] = [
      uniqueKey('a'),
      uniqueKey('b'),
      uniqueKey('c'),
      uniqueKey('d'),
      uniqueKey('e'),
    ];
    await store.sessionSet(a, 'f', 1, 60_000);
    await store.sessionSet(b, 'f', 1, 60_000);
    expect(await store.sessionGet(a, 'f')).toBe(1); // b, a
    await store.sessionSet(c, 'f', 1, 60_000); // b, a, c
    expect(await store.sessionGet(a, 'f')).toBe(1); // b, c, a
    await store.sessionSet(d, 'f', 1, 60_000); // b goes: c, a, d
    await store.sessionSet(e, 'f', 1, 60_000); // c goes: a, d, e
    expect(await store.sessionGetAll(c)).toEqual({});
    expect(await store.sessionGet(a, 'f')).toBe(1);
    await store.close();
  });

  test('any run of writes, reads, deletes and evictions keeps the order of a reference LRU', async () => {
    // The store keeps one iterator over its map across the writes that evict; reads move
    // sessions behind it and deletes leave holes. A reference model says what must survive.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.tuple(
            fc.constantFrom('set', 'get', 'delete', 'expire'),
            fc.integer({ min: 0, max: 11 }),
          ),
          { maxLength: 120 },
        ),
        async (max, steps) => {
          const store = new MemoryStore({ maxSessions: max });
          const model: string[] = []; // least recently used first
          const use = (call: string): void => {
            const at = model.indexOf(call);
            if (at >= 0) model.splice(at, 1);
            model.push(call);
          };
          for (const [op, n] of steps) {
            const call = `call-${n}`;
            const live = model.includes(call);
            if (op === 'set') {
              await store.sessionSet(call, 'f', n, 60_000);
              use(call);
              while (model.length > max) model.shift();
            } else if (op === 'get') {
              expect(await store.sessionGet(call, 'f')).toBe(live ? n : undefined);
              if (live) use(call);
            } else if (op === 'delete') {
              await store.sessionDelete(call, 'f'); // its only field: the session goes
              if (live) model.splice(model.indexOf(call), 1);
            } else {
              await store.sessionExpire(call, 60_000);
              if (live) use(call);
            }
          }
          for (let n = 0; n < 12; n++) {
            const call = `call-${n}`;
            expect(await store.sessionGetAll(call)).toEqual(model.includes(call) ? { f: n } : {});
            if (model.includes(call)) use(call);
          }
          await store.close();
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a session written again counts only its latest bytes', async () => {
    const store = new MemoryStore({ maxSessionBytes: 1000 });
    await store.sessionSet('other', 'f', 'x'.repeat(400), 60_000);
    for (let i = 0; i < 50; i++) await store.sessionSet('busy', 'f', `${i}`.repeat(100), 60_000);
    await store.sessionDelete('busy', 'never-set');
    await store.sessionExpire('busy', 60_000);
    expect(await store.sessionGet('other', 'f')).toBe('x'.repeat(400));
    expect(await store.sessionGet('busy', 'f')).toBe('49'.repeat(100));
    await store.close();
  });

  test('an expired session gives its bytes back when it is found expired', async () => {
    const store = new MemoryStore({ maxSessionBytes: 1000 });
    await store.sessionSet('short', 'f', 'x'.repeat(400), 20);
    await store.sessionSet('long', 'f', 'y'.repeat(400), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.sessionGetAll('short')).toEqual({});
    await store.sessionSet('new', 'f', 'z'.repeat(400), 60_000); // fits beside 'long'
    expect(await store.sessionGet('long', 'f')).toBe('y'.repeat(400));
    expect(await store.sessionGet('new', 'f')).toBe('z'.repeat(400));
    await store.close();
  });

  test('a session larger than maxSessionBytes on its own is not kept, nor what it replaced', async () => {
    const store = new MemoryStore({ maxSessionBytes: 500 });
    await store.sessionSet('small', 'f', 'x', 60_000);
    await store.sessionSet('call', 'f', 'y', 60_000);
    await store.sessionSet('call', 'g', 'z'.repeat(600), 60_000);
    expect(await store.sessionGetAll('call')).toEqual({});
    expect(await store.sessionGetAll('small')).toEqual({ f: 'x' }); // nothing else pushed out
    await store.close();
  });

  test.each([
    ['maxDeliveries', { maxDeliveries: 0 }],
    ['maxDeliveries', { maxDeliveries: -1 }],
    ['maxDeliveries', { maxDeliveries: 1.5 }],
    ['maxDeliveries', { maxDeliveries: Number.NaN }],
    ['maxSessions', { maxSessions: 0 }],
    ['maxSessions', { maxSessions: Number.POSITIVE_INFINITY }],
    ['maxSessions', { maxSessions: '10' as unknown as number }],
    ['maxSessionBytes', { maxSessionBytes: 0 }],
    ['maxSessionBytes', { maxSessionBytes: 2 ** 60 }],
    ['maxSessionBytes', { maxSessionBytes: 10.25 }],
  ])('%s %j is a TypeError naming the option', (option, limits) => {
    expect(() => new MemoryStore(limits)).toThrow(TypeError);
    expect(() => new MemoryStore(limits)).toThrow(option);
  });

  test('positive whole limits are accepted', () => {
    expect(
      () => new MemoryStore({ maxDeliveries: 1, maxSessions: 1, maxSessionBytes: 1 }),
    ).not.toThrow();
  });
});

describe('MemoryStore remembered replies', () => {
  const headers = { 'content-type': 'application/xml; charset=utf-8' };

  async function remember(
    store: MemoryStore,
    key: string,
    reply: Parameters<MemoryStore['complete']>[2],
  ) {
    const claim = await store.claim(key, 60_000);
    if (claim.state !== 'claimed') throw new Error(`not claimed: ${claim.state}`);
    await store.complete(key, claim.token, reply, 60_000);
    const again = await store.claim(key, 60_000);
    if (again.state !== 'done') throw new Error(`not done: ${again.state}`);
    return again.reply;
  }

  test('equal replies of different deliveries are kept once; different ones apart', async () => {
    const store = new MemoryStore();
    const body = '<Response><Forward/></Response>';
    const a = await remember(store, uniqueKey('reply'), { status: 200, headers, body });
    const b = await remember(store, uniqueKey('reply'), {
      status: 200,
      headers: { ...headers },
      body: `${body}`,
    });
    expect(b).toBe(a);
    const otherStatus = await remember(store, uniqueKey('reply'), { status: 503, headers, body });
    expect(otherStatus).not.toBe(a);
    expect(otherStatus.status).toBe(503);
    const otherHeader = await remember(store, uniqueKey('reply'), {
      status: 200,
      headers: { ...headers, 'retry-after': '1' },
      body,
    });
    expect(otherHeader).not.toBe(a);
    expect(otherHeader.headers['retry-after']).toBe('1');
    const otherBody = await remember(store, uniqueKey('reply'), {
      status: 200,
      headers,
      body: '<Response/>',
    });
    expect(otherBody.body).toBe('<Response/>');
    await store.close();
  });
});

describe('MemoryStore.claimWithRecord and completeWithRecord', () => {
  const REPLY = { status: 200, headers: { 'content-type': 'application/xml' }, body: '<R/>' };

  test('claimed: the record as sessionGetAll reads it; pending and done: no record', async () => {
    const store = new MemoryStore();
    const record = uniqueKey('placetel#call');
    await store.sessionSet(record, 'IncomingCall', true, 5000);
    await store.sessionSet(record, '#ended', 'HungUp', 5000);
    const key = uniqueKey('placetel:delivery');
    const first = await store.claimWithRecord(key, 5000, record);
    expect(first).toEqual({
      claim: { state: 'claimed', token: expect.any(String) },
      record: { IncomingCall: true, '#ended': 'HungUp' },
    });
    expect(await store.claimWithRecord(key, 5000, record)).toEqual({
      claim: { state: 'pending' },
      record: {},
    });
    if (first.claim.state !== 'claimed') throw new Error('not claimed');
    await store.complete(key, first.claim.token, REPLY, 5000);
    expect(await store.claimWithRecord(key, 5000, record)).toEqual({
      claim: { state: 'done', reply: REPLY },
      record: {},
    });
    expect((await store.claimWithRecord(uniqueKey('d'), 5000, uniqueKey('c#x'))).record).toEqual(
      {},
    );
    await store.close();
  });

  test('the lease is milliseconds: a claim lapses after it', async () => {
    const store = new MemoryStore();
    const key = uniqueKey('placetel:delivery');
    const record = uniqueKey('placetel#call');
    expect((await store.claimWithRecord(key, 30, record)).claim.state).toBe('claimed');
    expect((await store.claim(key, 30)).state).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await store.claim(key, 30)).state).toBe('claimed');
    await store.close();
  });

  test('only the holder stores the reply; the record is written either way, for its TTL', async () => {
    const store = new MemoryStore();
    const record = uniqueKey('placetel#call');
    const key = uniqueKey('placetel:delivery');
    const claim = (await store.claimWithRecord(key, 5000, record)).claim;
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const write = { callKey: record, field: '#ended', value: 'HungUp', ttlMs: 60 };
    await store.completeWithRecord(key, 'someone-else', REPLY, 5000, write);
    expect((await store.claim(key, 5000)).state).toBe('pending');
    expect(await store.sessionGetAll(record)).toEqual({ '#ended': 'HungUp' });
    await store.completeWithRecord(key, claim.token, REPLY, 5000, undefined);
    expect(await store.claim(key, 5000)).toEqual({ state: 'done', reply: REPLY });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.sessionGetAll(record)).toEqual({}); // the record's TTL: 60 ms
    await store.close();
  });

  test('waiters get the reply stored by completeWithRecord', async () => {
    const store = new MemoryStore();
    const key = uniqueKey('placetel:delivery');
    const claim = (await store.claimWithRecord(key, 5000, uniqueKey('placetel#call'))).claim;
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const waiting = store.waitFor(key, 5000);
    await store.completeWithRecord(key, claim.token, REPLY, 5000, undefined);
    expect(await waiting).toEqual(REPLY);
    await store.close();
  });
});
