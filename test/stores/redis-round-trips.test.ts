/**
 * RedisStore on the request path, against the real redis-server of
 * test/setup/redis-global-setup.ts: how many Redis commands one Placetel `IncomingCall` costs
 * (one before the answer: claim and record read in one script; one after it: reply and record
 * written in one script), that every key of one call shares its Redis Cluster hash slot, and
 * that two apps sharing Redis still detect duplicates and replays. The combined store methods
 * (`claimWithRecord`, `completeWithRecord`) are checked on their own too.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { placetel, RedisStore, type WebhookRequest } from '../../src';
import { QUIET } from '../helpers/apps';
import { deleteKeys } from '../helpers/redis';
import { sleep, uniqueKey } from './contract';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const keySlot = require('cluster-key-slot') as (key: string) => number;

const url = process.env.REDIS_URL;
if (url === undefined || url === '') throw new Error('REDIS_URL is not set (jest globalSetup)');
const REDIS_URL: string = url;
const RUN_PREFIX = `callcontrol-test:${randomUUID()}:`;
const SECRET = 'fake-round-trip-secret-0001';

let admin: Redis;
const closing: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  expect(await admin.ping()).toBe('PONG');
});

afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

afterAll(async () => {
  await deleteKeys(admin, RUN_PREFIX);
  await admin.quit();
});

/** A client that writes down the name of every command it sends. */
function countingClient(): { client: Redis; sent: string[] } {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const sent: string[] = [];
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command, stream) => {
    sent.push(command.name);
    return send(command, stream);
  };
  closing.push(() => client.quit());
  return { client, sent };
}

/** A Placetel app on its own RedisStore (an "instance"), counting its IncomingCall runs. */
function instance(
  client: Redis,
  onRun: () => void = () => undefined,
): { calls: placetel.PlacetelApp; runs: string[] } {
  const store = new RedisStore({ client, keyPrefix: RUN_PREFIX });
  const calls = placetel.createApp({ ...QUIET, secret: SECRET, store });
  const runs: string[] = [];
  calls.on('IncomingCall', (event) => {
    runs.push(event.callId);
    onRun();
    return placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
  });
  closing.push(() => calls.close({ timeoutMs: 0 }));
  return { calls, runs };
}

/** A signed IncomingCall of `callId`, as `handle()` takes it. */
function incoming(callId: string, from = '017312345678'): WebhookRequest {
  const request = placetel.placetelRequest(
    { call_id: callId, event: 'IncomingCall', from, to: '022129191999' },
    SECRET,
  );
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: request.headers,
    body: Buffer.from(request.body, 'utf8'),
  };
}

/** Waits (at most 2 s) until `sent` holds `count` commands. */
async function settled(sent: readonly string[], count: number): Promise<void> {
  for (let i = 0; i < 100 && sent.length < count; i++) await sleep(20);
  await sleep(50);
}

describe('one IncomingCall through an app on RedisStore', () => {
  test('one Redis command before the handler runs, one beside the answer (EVALSHA each)', async () => {
    const { client, sent } = countingClient();
    let beforeHandler: string[] = [];
    const { calls, runs } = instance(client, () => (beforeHandler = [...sent]));
    // A first call loads the scripts (EVALSHA, NOSCRIPT, EVAL) where the server lacks them.
    await calls.handle(incoming(`warm-${randomUUID()}`));
    await settled(sent, 2);
    sent.length = 0;

    const callId = randomUUID();
    const reply = await calls.handle(incoming(callId));
    await settled(sent, 2);

    expect(reply.status).toBe(200);
    expect(reply.outcome).toBe('handled');
    expect(beforeHandler).toEqual(['evalsha']);
    expect(sent).toEqual(['evalsha', 'evalsha']);
    expect(runs).toHaveLength(2);
  });

  test('the delivery, the record and the session of one call share one hash slot', async () => {
    const { client, sent } = countingClient();
    const { calls } = instance(client);
    const callId = `{odd}${randomUUID()}`;
    calls.on('CallAccepted', async (_event, { session }) => {
      await session.set('answered', true);
    });
    await calls.handle(incoming(callId));
    await settled(sent, 2);
    const accepted = placetel.placetelRequest(
      { call_id: callId, event: 'CallAccepted', from: '017312345678', to: '022129191999' },
      SECRET,
    );
    await calls.handle({
      method: 'POST',
      path: '/',
      query: '',
      headers: accepted.headers,
      body: Buffer.from(accepted.body, 'utf8'),
    });
    await sleep(100);

    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await admin.scan(cursor, 'MATCH', `${RUN_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const tag = `{_odd_${callId.slice(5)}}`;
    const ofCall = keys.filter((key) => key.includes(tag));
    // Two deliveries (IncomingCall, CallAccepted), the record and the call's session.
    expect(
      ofCall.filter((key) => key.startsWith(`${RUN_PREFIX}delivery:${tag}placetel:`)),
    ).toHaveLength(2);
    expect(ofCall).toContain(`${RUN_PREFIX}session:${tag}placetel#${callId}`);
    expect(ofCall).toContain(`${RUN_PREFIX}session:${tag}placetel:${callId}`);
    expect(ofCall).toHaveLength(4);
    expect(new Set(ofCall.map(keySlot)).size).toBe(1);
    expect(await admin.hgetall(`${RUN_PREFIX}session:${tag}placetel#${callId}`)).toEqual({
      IncomingCall: 'true',
    });
  });
});

describe('two apps sharing Redis (combined store calls)', () => {
  test('a repetition on the other instance gets the stored reply; the handler runs once', async () => {
    const a = instance(countingClient().client);
    const b = instance(countingClient().client);
    const request = incoming(randomUUID());
    const first = await a.calls.handle(request);
    await sleep(100);
    const again = await b.calls.handle(request);
    expect(again.outcome).toBe('duplicate');
    expect(again.body.toString()).toBe(first.body.toString());
    expect([...a.runs, ...b.runs]).toHaveLength(1);
  });

  test('the same delivery to both at once: the handler runs once, both answer alike', async () => {
    const a = instance(countingClient().client);
    const b = instance(countingClient().client);
    const request = incoming(randomUUID());
    const [one, two] = await Promise.all([a.calls.handle(request), b.calls.handle(request)]);
    expect(one.body.toString()).toBe(two.body.toString());
    expect([one.outcome, two.outcome].sort()).toEqual(['duplicate', 'handled']);
    expect([...a.runs, ...b.runs]).toHaveLength(1);
  });

  test('a second IncomingCall of one call (another body) on the other instance is a replay: 409', async () => {
    const a = instance(countingClient().client);
    const b = instance(countingClient().client);
    const callId = randomUUID();
    expect((await a.calls.handle(incoming(callId))).status).toBe(200);
    await sleep(100);
    const replayed = await b.calls.handle(incoming(callId, '0171999999'));
    expect([replayed.status, replayed.code]).toEqual([409, 'CC_ERR_EVENT_REPLAYED']);
    expect([...a.runs, ...b.runs]).toEqual([callId]);
  });
});

describe('RedisStore.claimWithRecord and completeWithRecord', () => {
  function store(): RedisStore {
    const created = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    closing.push(() => created.close());
    return created;
  }
  const REPLY = { status: 200, headers: { 'content-type': 'application/xml' }, body: '<R/>' };

  test('claimed: the record as sessionGetAll reads it; pending and done: no record', async () => {
    const one = store();
    const record = uniqueKey('placetel#call');
    await one.sessionSet(record, 'IncomingCall', true, 5000);
    await one.sessionSet(record, '#ended', 'HungUp', 5000);
    const key = one.deliveryKeyOf(record, uniqueKey('placetel:delivery'));
    const first = await one.claimWithRecord(key, 5000, record);
    expect(first).toEqual({
      claim: { state: 'claimed', token: expect.any(String) },
      record: { IncomingCall: true, '#ended': 'HungUp' },
    });
    expect(await one.claimWithRecord(key, 5000, record)).toEqual({
      claim: { state: 'pending' },
      record: {},
    });
    if (first.claim.state !== 'claimed') throw new Error('not claimed');
    await one.complete(key, first.claim.token, REPLY, 5000);
    expect(await one.claimWithRecord(key, 5000, record)).toEqual({
      claim: { state: 'done', reply: REPLY },
      record: {},
    });
    expect((await one.claimWithRecord(uniqueKey('d'), 5000, uniqueKey('c#x'))).record).toEqual({});
  });

  test('the lease and the record TTL are milliseconds', async () => {
    const one = store();
    const record = uniqueKey('placetel#call');
    const key = one.deliveryKeyOf(record, uniqueKey('placetel:delivery'));
    const claim = (await one.claimWithRecord(key, 1500, record)).claim;
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const leaseTtl = await admin.pttl(`${RUN_PREFIX}delivery:${key}`);
    expect(leaseTtl).toBeGreaterThan(1000);
    expect(leaseTtl).toBeLessThanOrEqual(1500);
    await one.completeWithRecord(key, claim.token, REPLY, 60_000, {
      callKey: record,
      field: 'IncomingCall',
      value: true,
      ttlMs: 7_200_000,
    });
    const replyTtl = await admin.pttl(`${RUN_PREFIX}delivery:${key}`);
    expect(replyTtl).toBeGreaterThan(59_000);
    expect(replyTtl).toBeLessThanOrEqual(60_000);
    const recordTtl = await admin.pttl(`${RUN_PREFIX}session:{${record.slice(9)}}${record}`);
    expect(recordTtl).toBeGreaterThan(7_100_000);
    expect(recordTtl).toBeLessThanOrEqual(7_200_000);
    expect(await one.sessionGetAll(record)).toEqual({ IncomingCall: true });
  });

  test('only the holder stores the reply; the record is written either way', async () => {
    const one = store();
    const record = uniqueKey('placetel#call');
    const key = one.deliveryKeyOf(record, uniqueKey('placetel:delivery'));
    const claim = (await one.claimWithRecord(key, 5000, record)).claim;
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const write = { callKey: record, field: '#ended', value: 'HungUp', ttlMs: 5000 };
    await one.completeWithRecord(key, 'someone-else', REPLY, 5000, write);
    expect((await one.claim(key, 5000)).state).toBe('pending');
    expect(await one.sessionGetAll(record)).toEqual({ '#ended': 'HungUp' });
    await one.completeWithRecord(key, claim.token, REPLY, 5000, undefined);
    expect(await one.claim(key, 5000)).toEqual({ state: 'done', reply: REPLY });
    await expect(
      one.completeWithRecord(key, claim.token, REPLY, 5000, {
        ...write,
        value: (() => 1) as unknown as string,
      }),
    ).rejects.toThrow(TypeError);
  });

  test('a record field that is not JSON: the claim stands, the record is undefined', async () => {
    const one = store();
    const record = uniqueKey('placetel#call');
    const recordRedisKey = `${RUN_PREFIX}session:{${record.slice(9)}}${record}`;
    await admin.hset(recordRedisKey, 'IncomingCall', 'not json {');
    await admin.pexpire(recordRedisKey, 5000);
    const key = one.deliveryKeyOf(record, uniqueKey('placetel:delivery'));
    const found = await one.claimWithRecord(key, 5000, record);
    expect(found.claim.state).toBe('claimed');
    expect(found.record).toBeUndefined();
    expect(await admin.get(`${RUN_PREFIX}delivery:${key}`)).toMatch(/^pending:/);
  });

  test('scripts unknown to the server (SCRIPT FLUSH) are sent again with EVAL', async () => {
    const one = store();
    await admin.script('FLUSH');
    const record = uniqueKey('placetel#call');
    const key = one.deliveryKeyOf(record, uniqueKey('placetel:delivery'));
    expect((await one.claimWithRecord(key, 5000, record)).claim.state).toBe('claimed');
    expect((await one.claim(key, 5000)).state).toBe('pending');
  });
});

describe('the client RedisStore creates for url', () => {
  test('pipelines the commands of one tick automatically (one socket write for many requests)', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: RUN_PREFIX });
    closing.push(() => store.close());
    expect(store.client.options.enableAutoPipelining).toBe(true);
    const keys = Array.from({ length: 20 }, () => uniqueKey('delivery'));
    const claims = await Promise.all(keys.map((key) => store.claim(key, 5000)));
    expect(claims.every((claim) => claim.state === 'claimed')).toBe(true);
    expect(store.client.autoPipelineQueueSize).toBe(0);
  });
});
