/**
 * An Opentact app mounted in a real Express 5 app: call-flow answers, Gather follow-ups,
 * notify-only events routed by qualified names, refusals, and security without signatures.
 * Every server listens on 127.0.0.1 only.
 */
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { opentact, type CallControlError } from '../../src';
import { listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';
import { QUIET, TEST_APP } from '../helpers/apps';

const TOKEN = 'test-token-not-a-secret-0001';

async function mount(calls: opentact.OpentactApp): Promise<Server> {
  const app = express();
  app.use('/opentact', calls.express());
  return listenOnLoopback(app);
}

function envelope(state: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    uuid: `event-${state}`,
    type: 'call_state',
    payload: { state, duration: 3 },
    call: { uuid: 'call-1', direction: 'in', from: '+1415', to: '1838', state, ...extra },
    ref_id: 'call-1',
  });
}

function postJson(server: Server, body: string, path = '/opentact'): request.Test {
  return request(server).post(path).set('content-type', 'application/json').send(body);
}

describe('answers', () => {
  test('the call-flow request is answered with Opentact XML, by GET and by POST', async () => {
    const calls = opentact.createApp(TEST_APP);
    calls.on('call_flow_request', (call) => [
      opentact.answer(),
      opentact.say(`Hello ${call.from}`),
      opentact.hangup(),
    ]);
    const server = await mount(calls);
    const expected = canonicalXml(
      '<Response><Answer/><Say>Hello +14158531285</Say><Hangup/></Response>',
    );
    const get = await request(server).get('/opentact?from=%2B14158531285&to=18382050010');
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(canonicalXml(get.text)).toEqual(expected);
    const post = await postJson(
      server,
      JSON.stringify({ uuid: 'u', from: '+14158531285', to: '18382050010' }),
      '/opentact?from=%2B14158531285&to=18382050010',
    );
    expect(canonicalXml(post.text)).toEqual(expected);
  });

  test('a Gather follow-up is answered; the URL own parameters stay readable', async () => {
    const seen: opentact.OpentactGather[] = [];
    const calls = opentact.createApp(TEST_APP);
    calls.on('gather', (call) => {
      seen.push(call);
      return call.dtmf === '1234' ? [opentact.dial('private@sip.opentact.org')] : null;
    });
    const server = await mount(calls);
    const res = await request(server).get(
      '/opentact?menu=private&dtmf=1234&from=%2B1&tn=1838&state=live&sca=a&call=c',
    );
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Dial><To>private@sip.opentact.org</To></Dial></Response>'),
    );
    expect(seen[0]?.query['menu']).toBe('private');
    expect(seen[0]?.callId).toBe('c');
  });

  test('events are notify only: <Response/> whatever the handler returns', async () => {
    const calls = opentact.createApp(TEST_APP);
    calls.on('call_state', () => [opentact.hangup()]);
    const server = await mount(calls);
    const res = await postJson(server, envelope('live'));
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
  });

  test('a handler that throws gets the fallback', async () => {
    const errors: CallControlError[] = [];
    const calls = opentact.createApp({
      ...TEST_APP,
      fallback: [opentact.say('Sorry, please call again later.'), opentact.hangup()],
    });
    calls.on('call_flow_request', () => {
      throw new Error('database down');
    });
    calls.onError((error) => {
      errors.push(error);
    });
    const server = await mount(calls);
    const res = await request(server).get('/opentact?from=1&to=2');
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Say>Sorry, please call again later.</Say><Hangup/></Response>'),
    );
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
  });
});

describe('qualified event names', () => {
  test('the most specific handler answers; the plain name catches the rest', async () => {
    const seen: string[] = [];
    const calls = opentact.createApp(TEST_APP);
    calls.on('call_state:hangup', (event) => {
      seen.push(`hangup-handler:${event.state ?? ''}`);
    });
    calls.on('call_state', (event) => {
      seen.push(`state-handler:${event.state ?? ''}`);
    });
    calls.on('call_flow:Dial', (event) => {
      seen.push(`dial-handler:${String(event.success)}`);
    });
    const server = await mount(calls);
    await postJson(server, envelope('live')).expect(200);
    await postJson(server, envelope('hangup', { q850_cause: 16 })).expect(200);
    await postJson(
      server,
      JSON.stringify({ type: 'call_flow', command: 'Dial', success: false, payload: {} }),
    ).expect(200);
    await postJson(
      server,
      JSON.stringify({ type: 'call_flow', command: 'Say', success: true, payload: {} }),
    ).expect(200);
    expect(seen).toEqual(['state-handler:live', 'hangup-handler:hangup', 'dial-handler:false']);
  });

  test('on() refuses names Opentact does not send', () => {
    const calls = opentact.createApp(TEST_APP);
    expect(() => calls.on('call_state:' as 'call_state', () => undefined)).toThrow(TypeError);
    expect(() => calls.on('balance:x' as 'balance', () => undefined)).toThrow(TypeError);
  });

  test('an unknown envelope type is acknowledged and reaches onAny', async () => {
    const seen: string[] = [];
    const calls = opentact.createApp(TEST_APP);
    calls.onAny((event) => {
      seen.push(event.name);
    });
    const server = await mount(calls);
    const res = await postJson(server, JSON.stringify({ type: 'tn_order', payload: { x: 1 } }));
    expect(res.status).toBe(200);
    expect(seen).toEqual(['tn_order']);
  });

  test('eventPaths decide when given', async () => {
    const seen: string[] = [];
    const calls = opentact.createApp({ ...TEST_APP, eventPaths: { '/events': 'call_state' } });
    calls.onAny((event) => {
      seen.push(event.name);
    });
    const server = await mount(calls);
    await request(server).get('/opentact/events?from=1&to=2').expect(200);
    await request(server).get('/opentact?from=1&to=2').expect(200);
    expect(seen).toEqual(['call_state', 'call_flow_request']);
  });
});

describe('refusals and security', () => {
  test('unknown requests 400, form bodies 415, PUT 405', async () => {
    const server = await mount(opentact.createApp(TEST_APP));
    const unknown = await request(server).get('/opentact?x=1');
    expect(unknown.status).toBe(400);
    const form = await request(server)
      .post('/opentact')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send('from=1');
    expect(form.status).toBe(415);
    const put = await request(server).put('/opentact').send('');
    expect(put.status).toBe(405);
    expect(put.headers['allow']).toBe('GET, POST');
  });

  test('the ?token=… of Opentact docs, removed before handlers see the query', async () => {
    const seen: opentact.OpentactGather[] = [];
    const calls = opentact.createApp({ ...QUIET, urlToken: { tokens: TOKEN } });
    calls.on('gather', (call) => {
      seen.push(call);
      return null;
    });
    const server = await mount(calls);
    expect((await request(server).get('/opentact?dtmf=1&call=c')).status).toBe(403);
    await request(server).get(`/opentact?token=${TOKEN}&dtmf=1&call=c`).expect(200);
    expect(seen[0]?.query).toEqual({ dtmf: '1', call: 'c' });
  });

  test('allowFrom: OPENTACT_SOURCE_ADDRESSES refuses loopback, loopback admitted when listed', async () => {
    const opentactOnly = await mount(
      opentact.createApp({ ...QUIET, allowFrom: opentact.OPENTACT_SOURCE_ADDRESSES }),
    );
    expect((await request(opentactOnly).get('/opentact?from=1&to=2')).status).toBe(403);
    const local = await mount(
      opentact.createApp({
        ...QUIET,
        allowFrom: [...opentact.OPENTACT_SOURCE_ADDRESSES, '127.0.0.1', '::1'],
      }),
    );
    await request(local).get('/opentact?from=1&to=2').expect(200);
  });
});
