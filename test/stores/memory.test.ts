/**
 * MemoryStore: the CallStore contract, and the limits that keep it bounded (least recently used
 * deliveries and sessions go first).
 */
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
