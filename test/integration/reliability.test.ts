/**
 * The promises the pipeline keeps under slow handlers, repeated deliveries, per-call state, a
 * failing store and hostile senders — through real Express servers on 127.0.0.1 (Placetel
 * requests, the provider does not matter here). Times are small and every wait is bounded.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { CallControlError } from '../../src';
import { MemoryStore, opentact, ozeki, placetel, voipnow, type CallStore } from '../../src';
import { listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';
import { QUIET, TEST_APP } from '../helpers/apps';

const CALL_ID = 'f4591ba315d81671d7a06c2a3b4f963dafd119de39cb26edd8a6476676b2f447';

function body(event: string, extra: Record<string, string> = {}): string {
  return placetel.placetelRequest({
    call_id: CALL_ID,
    direction: 'in',
    event,
    from: '017312345678',
    to: '022129191999',
    ...extra,
  }).body;
}

async function mount(calls: placetel.PlacetelApp): Promise<Server> {
  const app = express();
  app.use('/placetel', calls.express());
  return listenOnLoopback(app);
}

function post(server: Server, text: string): request.Test {
  return request(server)
    .post('/placetel')
    .set('content-type', 'application/x-www-form-urlencoded')
    .send(text);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function codes(errors: CallControlError[]): string[] {
  return errors.map((error) => error.code);
}

const FORWARD = () => placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
const FORWARD_XML = canonicalXml(
  '<Response><Forward><Target><Number>022129191999</Number></Target></Forward></Response>',
);

describe('answer deadline', () => {
  test('a slow handler: the fallback goes out at the deadline, the late answer is discarded', async () => {
    const errors: CallControlError[] = [];
    let finished = false;
    const calls = placetel.createApp({
      ...TEST_APP,
      timeoutMs: 150,
      fallback: placetel.reject({ reason: 'busy' }),
    });
    calls.on('IncomingCall', async () => {
      await sleep(1000);
      finished = true;
      return FORWARD();
    });
    calls.onError((error) => {
      errors.push(error);
    });
    const server = await mount(calls);
    const started = Date.now();
    const res = await post(server, body('IncomingCall'));
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Reject reason="busy"/></Response>'),
    );
    expect(elapsed).toBeLessThan(900);
    expect(finished).toBe(false);
    expect(codes(errors)).toEqual(['CC_ERR_HANDLER_TIMEOUT']);
  });

  test('per event: its own deadline and fallback', async () => {
    const calls = placetel.createApp({
      ...TEST_APP,
      timeoutMs: 5000,
      events: { IncomingCall: { timeoutMs: 100, fallback: placetel.hangup() } },
    });
    calls.on('IncomingCall', () => sleep(1000).then(FORWARD));
    calls.onError(() => undefined);
    const server = await mount(calls);
    const res = await post(server, body('IncomingCall'));
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response><Hangup/></Response>'));
  });

  test('a slow observer does not hold the reply past the deadline', async () => {
    const calls = placetel.createApp({ ...TEST_APP, timeoutMs: 150, duplicates: false });
    calls.onAny(() => sleep(1000));
    calls.on('IncomingCall', FORWARD);
    const server = await mount(calls);
    const started = Date.now();
    const res = await post(server, body('IncomingCall'));
    expect(Date.now() - started).toBeLessThan(900);
    expect(canonicalXml(res.text)).toEqual(FORWARD_XML);
  });

  test('invalid deadlines and event names are TypeErrors when the app is created', () => {
    expect(() => placetel.createApp({ ...TEST_APP, timeoutMs: 0 })).toThrow(TypeError);
    expect(() => placetel.createApp({ ...TEST_APP, timeoutMs: 1.5 })).toThrow(TypeError);
    expect(() =>
      placetel.createApp({ ...TEST_APP, events: { Hangup: { timeoutMs: 10 } } as never }),
    ).toThrow(TypeError);
    expect(() =>
      placetel.createApp({ ...TEST_APP, events: { IncomingCall: { fallback: 'x' as never } } }),
    ).toThrow(TypeError);
  });
});

describe('repeated deliveries', () => {
  test('a retry runs the handler once and gets the same reply, byte for byte', async () => {
    let runs = 0;
    const calls = placetel.createApp(TEST_APP);
    calls.on('IncomingCall', () => {
      runs++;
      return runs === 1 ? FORWARD() : placetel.hangup();
    });
    const server = await mount(calls);
    const first = await post(server, body('IncomingCall'));
    const second = await post(server, body('IncomingCall'));
    expect(runs).toBe(1);
    expect(second.text).toBe(first.text);
    expect(second.headers['content-length']).toBe(first.headers['content-length']);
    expect(canonicalXml(second.text)).toEqual(FORWARD_XML);
  });

  test('concurrent repetitions wait for the first and get its reply', async () => {
    let runs = 0;
    const calls = placetel.createApp(TEST_APP);
    calls.on('IncomingCall', async () => {
      runs++;
      await sleep(100);
      return FORWARD();
    });
    const server = await mount(calls);
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => post(server, body('IncomingCall'))),
    );
    expect(runs).toBe(1);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(canonicalXml(reply.text)).toEqual(FORWARD_XML);
    }
  });

  test('notify events too: the handler (a database write) runs once per delivery', async () => {
    const writes: string[] = [];
    const observed: string[] = [];
    const calls = placetel.createApp(TEST_APP);
    calls.on('HungUp', (call) => {
      writes.push(call.callId);
    });
    calls.onAny((event) => {
      observed.push(event.name);
    });
    const server = await mount(calls);
    for (let i = 0; i < 3; i++) {
      await post(server, body('HungUp', { type: 'accepted', duration: '38' })).expect(200);
    }
    expect(writes).toEqual([CALL_ID]);
    expect(observed).toEqual(['HungUp']);
  });

  test('different events, calls or bodies are different deliveries', async () => {
    let runs = 0;
    const calls = placetel.createApp(TEST_APP);
    calls.onAny(() => {
      runs++;
    });
    const server = await mount(calls);
    await post(server, body('IncomingCall')).expect(200);
    await post(server, body('CallAccepted', { peer: 'a@b' })).expect(200);
    await post(server, body('IncomingCall', { call_id: 'other' })).expect(200);
    await post(server, body('CallAccepted', { peer: 'c@d' })).expect(200);
    expect(runs).toBe(4);
  });

  test('duplicates: false runs the handler for every delivery', async () => {
    let runs = 0;
    const calls = placetel.createApp({ ...TEST_APP, duplicates: false });
    calls.on('IncomingCall', () => {
      runs++;
      return FORWARD();
    });
    const server = await mount(calls);
    await post(server, body('IncomingCall')).expect(200);
    await post(server, body('IncomingCall')).expect(200);
    expect(runs).toBe(2);
  });

  test('after ttlMs a delivery is handled anew (an event a call can have twice)', async () => {
    // A once-per-call event (IncomingCall) is refused instead: test/integration/replay.test.ts.
    let runs = 0;
    const calls = placetel.createApp({ ...TEST_APP, duplicates: { ttlMs: 100 } });
    calls.on('CallAccepted', () => {
      runs++;
    });
    const server = await mount(calls);
    await post(server, body('CallAccepted', { peer: 'a@b' })).expect(200);
    await sleep(200);
    await post(server, body('CallAccepted', { peer: 'a@b' })).expect(200);
    expect(runs).toBe(2);
  });

  test('a refused request is not remembered: fixed, it is handled', async () => {
    let runs = 0;
    const calls = placetel.createApp({ ...QUIET, secret: 'test-secret-not-real' });
    calls.on('IncomingCall', () => {
      runs++;
      return FORWARD();
    });
    calls.onError(() => undefined);
    const server = await mount(calls);
    const text = body('IncomingCall');
    await post(server, text).expect(403);
    await post(server, text)
      .set('x-placetel-signature', placetel.signPlacetelBody(text, 'test-secret-not-real'))
      .expect(200);
    expect(runs).toBe(1);
  });
});

describe('per-call sessions', () => {
  test('what one event stores, a later event of the call reads', async () => {
    const seen: unknown[] = [];
    const calls = placetel.createApp(TEST_APP);
    calls.on('IncomingCall', async (call, { session }) => {
      await session.set('caller', call.from);
      await session.set('menu', { path: ['1', '2'], pin: null });
      return FORWARD();
    });
    calls.on('HungUp', async (_call, { session }) => {
      seen.push(await session.get('caller'), await session.getAll());
      await session.delete('menu');
      seen.push(await session.getAll());
    });
    const server = await mount(calls);
    await post(server, body('IncomingCall')).expect(200);
    await post(server, body('HungUp', { type: 'accepted', duration: '5' })).expect(200);
    expect(seen).toEqual([
      '017312345678',
      { caller: '017312345678', menu: { path: ['1', '2'], pin: null } },
      { caller: '017312345678' },
    ]);
  });

  test('calls do not share sessions', async () => {
    const seen: unknown[] = [];
    const calls = placetel.createApp(TEST_APP);
    calls.on('IncomingCall', async (call, { session }) => {
      seen.push(await session.get('n'));
      await session.set('n', call.callId);
      return null;
    });
    const server = await mount(calls);
    await post(server, body('IncomingCall', { call_id: 'a' })).expect(200);
    await post(server, body('IncomingCall', { call_id: 'b' })).expect(200);
    expect(seen).toEqual([undefined, undefined]);
  });

  test('the session ends endedSessionTtlMs after the call ended', async () => {
    const store = new MemoryStore();
    const calls = placetel.createApp({ ...TEST_APP, store, endedSessionTtlMs: 100 });
    calls.on('IncomingCall', async (_call, { session }) => {
      await session.set('pin', '1234');
      return null;
    });
    const server = await mount(calls);
    await post(server, body('IncomingCall')).expect(200);
    await post(server, body('HungUp', { type: 'accepted', duration: '5' })).expect(200);
    expect(await store.sessionGet(`placetel:${CALL_ID}`, 'pin')).toBe('1234');
    await sleep(200);
    expect(await store.sessionGet(`placetel:${CALL_ID}`, 'pin')).toBeUndefined();
  });
});

describe('a failing store never fails a call', () => {
  function brokenStore(): CallStore {
    const fail = () => Promise.reject(new Error('connection refused'));
    return {
      claim: fail,
      renew: fail,
      complete: fail,
      release: fail,
      waitFor: fail,
      sessionGet: fail,
      sessionGetAll: fail,
      sessionSet: fail,
      sessionDelete: fail,
      sessionExpire: fail,
      close: () => Promise.resolve(),
    };
  }

  test('the handler runs and answers; onError hears CC_ERR_STORE_UNAVAILABLE', async () => {
    const errors: CallControlError[] = [];
    const calls = placetel.createApp({ ...TEST_APP, store: brokenStore() });
    calls.on('IncomingCall', FORWARD);
    calls.onError((error) => {
      errors.push(error);
    });
    const server = await mount(calls);
    const res = await post(server, body('IncomingCall'));
    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(FORWARD_XML);
    expect(codes(errors)).toEqual(['CC_ERR_STORE_UNAVAILABLE']);
  });

  test('a session write that fails in a handler is dropped: the handler still answers', async () => {
    const errors: CallControlError[] = [];
    const calls = placetel.createApp({
      ...TEST_APP,
      store: brokenStore(),
      fallback: placetel.hangup(),
    });
    calls.on('IncomingCall', async (_call, { session }) => {
      await session.set('x', 1);
      expect(await session.get('x')).toBeUndefined(); // read as empty
      return FORWARD();
    });
    calls.onError((error) => {
      errors.push(error);
    });
    const server = await mount(calls);
    const res = await post(server, body('IncomingCall'));
    expect(canonicalXml(res.text)).toEqual(FORWARD_XML);
    // One report for the outage, not one per store call.
    expect(codes(errors)).toEqual(['CC_ERR_STORE_UNAVAILABLE']);
  });
});

describe('hostile senders', () => {
  test('too many fields: 413 CC_ERR_BODY_TOO_MANY_FIELDS', async () => {
    const server = await mount(placetel.createApp(TEST_APP));
    const many = Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&');
    const res = await post(server, `${body('IncomingCall')}&${many}`);
    expect(res.status).toBe(413);
    expect(canonicalXml(res.text).attributes['code']).toBe('CC_ERR_BODY_TOO_MANY_FIELDS');
  });

  test('headers over maxHeaderBytes: 431 CC_ERR_HEADERS_TOO_LARGE', async () => {
    const server = await mount(placetel.createApp({ ...TEST_APP, maxHeaderBytes: 1024 }));
    const res = await post(server, body('IncomingCall')).set('x-padding', 'x'.repeat(2000));
    expect(res.status).toBe(431);
    expect(canonicalXml(res.text).attributes['code']).toBe('CC_ERR_HEADERS_TOO_LARGE');
  });

  test('a body that stalls: 408 CC_ERR_BODY_TIMEOUT and the connection is closed', async () => {
    const errors: CallControlError[] = [];
    const calls = placetel.createApp({ ...TEST_APP, bodyTimeoutMs: 200 });
    calls.onError((error) => {
      errors.push(error);
    });
    const server = await mount(calls);
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const text = body('IncomingCall');
    socket.write(
      `POST /placetel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${text.length}\r\n\r\n${text.slice(0, 10)}`,
    );
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    const started = Date.now();
    await Promise.race([once(socket, 'close'), sleep(3000)]);
    socket.destroy();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('CC_ERR_BODY_TIMEOUT');
    expect(codes(errors)).toEqual(['CC_ERR_BODY_TIMEOUT']);
  });

  test('invalid limits are TypeErrors when the app is created', () => {
    expect(() => placetel.createApp({ ...TEST_APP, bodyTimeoutMs: -1 })).toThrow(TypeError);
    expect(() => placetel.createApp({ ...TEST_APP, maxHeaderBytes: 0 })).toThrow(TypeError);
    expect(() => placetel.createApp({ ...TEST_APP, duplicates: { ttlMs: 0 } })).toThrow(TypeError);
  });
});

describe('repetitions that are new events are not answered from the store', () => {
  test('Ozeki: the same digits typed twice reach the handler twice', async () => {
    const attempts: string[] = [];
    const calls = ozeki.createApp(TEST_APP);
    calls.on('DtmfEntered', (call) => {
      attempts.push(call.dtmfDigits);
      return [ozeki.speak(`attempt ${attempts.length}`)];
    });
    const app = express();
    app.use('/ozeki', calls.express());
    const server = await listenOnLoopback(app);
    const send = () =>
      request(server)
        .post('/ozeki')
        .set('content-type', 'application/x-www-form-urlencoded')
        .send('NotificationName=DtmfEntered&CallId=H2Wwb&DtmfDigits=9999');
    expect((await send()).text).toContain('attempt 1');
    expect((await send()).text).toContain('attempt 2');
  });

  test('Opentact: a Gather follow-up with the same digits, and calls without a call id', async () => {
    let gathers = 0;
    let callFlows = 0;
    const calls = opentact.createApp(TEST_APP);
    calls.on('gather', () => {
      gathers++;
      return null;
    });
    calls.on('call_flow_request', () => {
      callFlows++;
      return null;
    });
    const app = express();
    app.use('/opentact', calls.express());
    const server = await listenOnLoopback(app);
    for (let i = 0; i < 2; i++) {
      await request(server).get('/opentact?dtmf=1&from=1&tn=2&state=live&sca=a&call=c').expect(200);
      // Two calls from one caller to one number: the same GET, no call id to tell them apart.
      await request(server).get('/opentact?from=%2B14158531285&to=18382050010').expect(200);
    }
    expect([gathers, callFlows]).toEqual([2, 2]);
  });

  test('VoipNow: an IVR that loops calls Call Interactive again', async () => {
    let runs = 0;
    const calls = voipnow.createApp(TEST_APP);
    calls.on('call_interactive', () => {
      runs++;
      return null;
    });
    const app = express();
    app.use('/voipnow', calls.express());
    const server = await listenOnLoopback(app);
    const url = '/voipnow?CallID=a1&CallAPIID=1%3Aa1&CallStatus=ANSWER&CallFlow=IN&menu=main';
    await request(server).get(url).expect(200);
    await request(server).get(url).expect(200);
    expect(runs).toBe(2);
  });
});
