/**
 * Replays of Placetel's signed requests (the signature covers the body only, with no timestamp):
 * a captured request sent again with `?x=1`, to another path under the mount, identically after
 * the duplicate TTL, and an `IncomingCall` for a call that has hung up — each runs the handler
 * once. Placetel apps on Express 5 on 127.0.0.1, with the memory store and with a real Redis
 * shared by two apps (two instances).
 */
import type { Server } from 'node:http';
import { inspect } from 'node:util';
import express from 'express';
import {
  MemoryStore,
  RedisStore,
  placetel,
  type CallControlError,
  type CallStore,
} from '../../src';
import { QUIET } from '../helpers/apps';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';

const SECRET = 'fake-replay-secret-0001';
const XML_TYPE = 'application/xml; charset=utf-8';

/** Short windows, so that "after the duplicate TTL" is a fraction of a second away. */
const DUPLICATE_TTL_MS = 200;
const AFTER_TTL_MS = 450;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One signed request of a call: its event's form body and headers. */
interface Signed {
  body: string;
  headers: Record<string, string>;
}

/** The signed requests of one inbound call (IncomingCall, CallAccepted, HungUp). */
function call(callId?: string): { incoming: Signed; accepted: Signed; hungUp: Signed } {
  const [incoming, accepted, hungUp] = placetel.placetelCallScenario({
    secret: SECRET,
    ...(callId === undefined ? {} : { callId }),
  });
  if (incoming === undefined || accepted === undefined || hungUp === undefined) {
    throw new Error('the scenario has three requests');
  }
  const signed = (request: placetel.PlacetelSimulatedRequest): Signed => ({
    body: request.body,
    headers: { ...request.headers },
  });
  return { incoming: signed(incoming), accepted: signed(accepted), hungUp: signed(hungUp) };
}

/** A Placetel app counting its handlers' runs and collecting its errors. */
function countingApp(options: placetel.PlacetelAppOptions = {}) {
  const calls = placetel.createApp({
    ...QUIET,
    secret: SECRET,
    duplicates: { ttlMs: DUPLICATE_TTL_MS },
    ...options,
  });
  const runs: Record<string, number> = {};
  const count = (name: string): void => {
    runs[name] = (runs[name] ?? 0) + 1;
  };
  calls.on('IncomingCall', () => {
    count('IncomingCall');
    return placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
  });
  calls.on('CallAccepted', () => count('CallAccepted'));
  calls.on('HungUp', () => count('HungUp'));
  const errors: CallControlError[] = [];
  const contexts: string[] = [];
  calls.onError((error, context) => {
    errors.push(error);
    contexts.push(inspect(context, { depth: Infinity }));
  });
  return { calls, runs, errors, contexts };
}

async function serve(calls: placetel.PlacetelApp): Promise<Server> {
  const app = express();
  app.use('/placetel', calls.express());
  return listenOnLoopback(app);
}

interface Answer {
  status: number;
  text: string;
  code: string | undefined;
}

/** POSTs a signed request to `path` (under the server) exactly as captured. */
async function post(server: Server, path: string, { body, headers }: Signed): Promise<Answer> {
  const response = await fetch(`${baseUrlOf(server)}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  expect(response.headers.get('content-type')).toBe(XML_TYPE);
  const root = canonicalXml(text);
  return {
    status: response.status,
    text,
    code: root.name === 'Error' ? root.attributes['code'] : undefined,
  };
}

describe('a captured IncomingCall sent again (memory store)', () => {
  test('with ?x=1 or to another path under the mount: the stored reply, the handler runs once', async () => {
    const { calls, runs, errors } = countingApp();
    const server = await serve(calls);
    const { incoming } = call();

    const first = await post(server, '/placetel', incoming);
    const variants = [
      await post(server, '/placetel?x=1', incoming),
      await post(server, '/placetel/anything', incoming),
      await post(server, '/placetel/anything?token=whatever&x=2', incoming),
    ];

    expect(first.status).toBe(200);
    for (const answer of variants) expect([answer.status, answer.text]).toEqual([200, first.text]);
    expect(runs).toEqual({ IncomingCall: 1 });
    expect(errors).toEqual([]);
  });

  test('identical, after the duplicate TTL: 409 CC_ERR_EVENT_REPLAYED, the handler runs once', async () => {
    const { calls, runs, errors, contexts } = countingApp();
    const server = await serve(calls);
    const { incoming } = call();

    expect((await post(server, '/placetel', incoming)).status).toBe(200);
    await sleep(AFTER_TTL_MS);
    const replayed = await post(server, '/placetel', incoming);
    const varied = await post(server, '/placetel/other?x=1', incoming);

    expect([replayed.status, replayed.code]).toEqual([409, 'CC_ERR_EVENT_REPLAYED']);
    expect([varied.status, varied.code]).toEqual([409, 'CC_ERR_EVENT_REPLAYED']);
    expect(runs).toEqual({ IncomingCall: 1 });
    expect(errors.map((error) => [error.code, error.status])).toEqual([
      ['CC_ERR_EVENT_REPLAYED', 409],
      ['CC_ERR_EVENT_REPLAYED', 409],
    ]);
    // onError hears of it with the event, and without the signature the replay carried.
    const signature = incoming.headers['x-placetel-signature'] ?? '';
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(contexts).toHaveLength(2);
    for (const context of contexts) {
      expect(context).toContain("name: 'IncomingCall'");
      expect(context).not.toContain(signature);
    }
  });

  test('an IncomingCall for a call that has hung up is refused, also one never seen before', async () => {
    const { calls, runs, errors } = countingApp();
    const server = await serve(calls);
    const seen = call();
    const unseen = call();

    for (const request of [seen.incoming, seen.accepted, seen.hungUp, unseen.hungUp]) {
      expect((await post(server, '/placetel', request)).status).toBe(200);
    }
    await sleep(AFTER_TTL_MS);
    const answers = [
      await post(server, '/placetel', seen.incoming),
      await post(server, '/placetel', unseen.incoming),
      await post(server, '/placetel?again', seen.hungUp),
    ];

    expect(answers.map((answer) => [answer.status, answer.code])).toEqual([
      [409, 'CC_ERR_EVENT_REPLAYED'],
      [409, 'CC_ERR_EVENT_REPLAYED'],
      [409, 'CC_ERR_EVENT_REPLAYED'],
    ]);
    expect(runs).toEqual({ IncomingCall: 1, CallAccepted: 1, HungUp: 2 });
    expect(errors.map((error) => error.code)).toEqual([
      'CC_ERR_EVENT_REPLAYED',
      'CC_ERR_EVENT_REPLAYED',
      'CC_ERR_EVENT_REPLAYED',
    ]);
  });

  test('what is remembered outlives the ended call’s session', async () => {
    const { calls, runs } = countingApp({ endedSessionTtlMs: 50, sessionTtlMs: 60_000 });
    const server = await serve(calls);
    const { incoming, hungUp } = call();
    await post(server, '/placetel', incoming);
    await post(server, '/placetel', hungUp);
    await sleep(AFTER_TTL_MS);
    const replayed = await post(server, '/placetel', incoming);
    expect([replayed.status, replayed.code]).toEqual([409, 'CC_ERR_EVENT_REPLAYED']);
    expect(runs).toEqual({ IncomingCall: 1, HungUp: 1 });
  });

  test('the record is not part of the call’s session, and does not keep it alive', async () => {
    const calls = placetel.createApp({
      ...QUIET,
      secret: SECRET,
      duplicates: { ttlMs: DUPLICATE_TTL_MS },
      endedSessionTtlMs: 50,
    });
    const sessions: Record<string, unknown>[] = [];
    calls.on('IncomingCall', async (_event, { session }) => {
      await session.set('pin', '1234');
      return null;
    });
    calls.on('CallAccepted', async (_event, { session }) => {
      sessions.push(await session.getAll());
    });
    const server = await serve(calls);
    const { incoming, accepted, hungUp } = call();
    await post(server, '/placetel', incoming);
    await post(server, '/placetel', accepted);
    await post(server, '/placetel', hungUp);
    await sleep(AFTER_TTL_MS);
    // CallAccepted is no once-per-call event: a late one is handled, and finds the session gone.
    expect((await post(server, '/placetel', accepted)).status).toBe(200);
    expect(sessions).toEqual([{ pin: '1234' }, {}]);
  });

  test('a call’s own events are all handled; retries within the window get the stored reply', async () => {
    const { calls, runs, errors } = countingApp({ duplicates: { ttlMs: 60_000 } });
    const server = await serve(calls);
    const { incoming, accepted, hungUp } = call();
    const answers = [];
    for (const request of [incoming, incoming, accepted, hungUp, hungUp]) {
      answers.push(await post(server, '/placetel', request));
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[1]?.text).toBe(answers[0]?.text);
    expect(runs).toEqual({ IncomingCall: 1, CallAccepted: 1, HungUp: 1 });
    expect(errors).toEqual([]);
  });

  test('a delivery answered with the fallback is not remembered: its retry runs the handler', async () => {
    const calls = placetel.createApp({
      ...QUIET,
      secret: SECRET,
      duplicates: { ttlMs: DUPLICATE_TTL_MS },
    });
    let runs = 0;
    calls.on('IncomingCall', () => {
      runs++;
      if (runs === 1) throw new Error('first attempt fails on purpose');
      return placetel.queue({ id: 1 });
    });
    calls.onError(() => undefined);
    const server = await serve(calls);
    const { incoming } = call();
    expect((await post(server, '/placetel', incoming)).status).toBe(200);
    await sleep(50);
    const retry = await post(server, '/placetel', incoming);
    expect(retry.status).toBe(200);
    expect(canonicalXml(retry.text)).toEqual(canonicalXml('<Response><Queue id="1"/></Response>'));
    expect(runs).toBe(2);
  });

  test('duplicates: false turns the refusal off too (documented)', async () => {
    const { calls, runs } = countingApp({ duplicates: false });
    const server = await serve(calls);
    const { incoming } = call();
    await post(server, '/placetel', incoming);
    const again = await post(server, '/placetel', incoming);
    expect(again.status).toBe(200);
    expect(runs).toEqual({ IncomingCall: 2 });
  });

  test('a store whose record read fails: answered without the check, reported', async () => {
    const inner = new MemoryStore();
    const store: CallStore = {
      claim: (key, leaseMs) => inner.claim(key, leaseMs),
      renew: (key, token, leaseMs) => inner.renew(key, token, leaseMs),
      complete: (key, token, reply, ttlMs) => inner.complete(key, token, reply, ttlMs),
      release: (key, token) => inner.release(key, token),
      waitFor: (key, timeoutMs) => inner.waitFor(key, timeoutMs),
      sessionGet: (key, field) => inner.sessionGet(key, field),
      sessionGetAll: () => Promise.reject(new Error('record read fails on purpose')),
      sessionSet: (key, field, value, ttlMs) => inner.sessionSet(key, field, value, ttlMs),
      sessionDelete: (key, field) => inner.sessionDelete(key, field),
      sessionExpire: (key, ttlMs) => inner.sessionExpire(key, ttlMs),
      close: () => inner.close(),
    };
    const { calls, runs, errors } = countingApp({ store });
    const server = await serve(calls);
    const { incoming } = call();
    await post(server, '/placetel', incoming);
    await sleep(AFTER_TTL_MS);
    const again = await post(server, '/placetel', incoming);
    expect(again.status).toBe(200);
    expect(runs).toEqual({ IncomingCall: 2 });
    expect(errors.map((error) => error.code)).toContain('CC_ERR_STORE_UNAVAILABLE');
    expect(errors.map((error) => error.code)).not.toContain('CC_ERR_EVENT_REPLAYED');
  });
});

const redisUrl = process.env['REDIS_URL'];
const describeRedis = redisUrl === undefined ? describe.skip : describe;

describeRedis('two instances sharing a real Redis', () => {
  test('a replay on the other instance, after the duplicate TTL: refused, the handler ran once', async () => {
    const prefix = `callcontrol-replay-test-${process.pid}-${Date.now()}:`;
    const stores = [
      new RedisStore({ url: redisUrl ?? '', keyPrefix: prefix }),
      new RedisStore({ url: redisUrl ?? '', keyPrefix: prefix }),
    ];
    const apps = stores.map((store) => countingApp({ store }));
    try {
      const [a, b] = await Promise.all(apps.map((app) => serve(app.calls)));
      if (a === undefined || b === undefined) throw new Error('two servers');
      const { incoming, hungUp } = call();
      const other = call();

      expect((await post(a, '/placetel', incoming)).status).toBe(200);
      // Within the window, on the other instance, under another path: the stored reply.
      const copy = await post(b, '/placetel/x?y=1', incoming);
      expect(copy.status).toBe(200);
      expect((await post(a, '/placetel', other.hungUp)).status).toBe(200);
      // Past the duplicate TTL (`complete` and the call's record are written beside the replies).
      await sleep(AFTER_TTL_MS);
      const answers = [
        await post(b, '/placetel', incoming),
        await post(b, '/placetel', other.incoming),
        await post(a, '/placetel', hungUp),
      ];

      expect(answers.map((answer) => [answer.status, answer.code])).toEqual([
        [409, 'CC_ERR_EVENT_REPLAYED'],
        [409, 'CC_ERR_EVENT_REPLAYED'],
        [200, undefined],
      ]);
      const total = (name: string): number =>
        apps.reduce((sum, app) => sum + (app.runs[name] ?? 0), 0);
      expect([total('IncomingCall'), total('HungUp')]).toEqual([1, 2]);
    } finally {
      await Promise.all(apps.map((app) => app.calls.close()));
    }
  });
});
