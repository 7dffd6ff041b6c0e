/**
 * A VoipNow app mounted in a real Express 5 app: Call Interactive answers, notify-only Call
 * Events, GET and POST on one route, event identification, parameters, and security without
 * signatures. Every server listens on 127.0.0.1 only.
 */
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import type { CallControlError } from '../../src';
import { voipnow } from '../../src';
import { listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';
import { QUIET, TEST_APP } from '../helpers/apps';

const TOKEN = 'test-token-not-a-secret-0001';
const INTERACTIVE =
  'CallID=5205dc5c&CallerIDNum=000%2A306&CallFlow=IN&CallStatus=ANSWER&CallAPIID=3584705175%3A5205dc5c';

async function mount(calls: voipnow.VoipNowApp): Promise<Server> {
  const app = express();
  app.use('/voipnow', calls.express());
  return listenOnLoopback(app);
}

function errorCode(xml: string): string | undefined {
  const root = canonicalXml(xml);
  expect(root.name).toBe('Error');
  return root.attributes['code'];
}

describe('Call Interactive', () => {
  test('answered with VoipNow XML, by GET and by POST on one route', async () => {
    const calls = voipnow.createApp(TEST_APP);
    calls.on('call_interactive', (call) =>
      call.param('SubscriptionCode') === '09897987'
        ? [voipnow.jump({ context: 'StartSupport', option: 1, priority: 1 })]
        : [voipnow.playSound('invalid-subscription'), voipnow.hangup()],
    );
    const server = await mount(calls);
    const expected = canonicalXml(
      '<Response><Jump context="StartSupport" option="1" priority="1"/></Response>',
    );

    const get = await request(server).get(`/voipnow?${INTERACTIVE}&SubscriptionCode=09897987`);
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(canonicalXml(get.text)).toEqual(expected);

    const post = await request(server)
      .post('/voipnow?SubscriptionCode=09897987')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(INTERACTIVE);
    expect(canonicalXml(post.text)).toEqual(expected);

    const unknown = await request(server).get(`/voipnow?${INTERACTIVE}&SubscriptionCode=1`);
    expect(canonicalXml(unknown.text)).toEqual(
      canonicalXml('<Response><PlaySound>invalid-subscription</PlaySound><Hangup/></Response>'),
    );
  });

  test('static and interactive parameters: params, and param() reads "null" as unset', async () => {
    const seen: voipnow.VoipNowCallInteractive[] = [];
    const calls = voipnow.createApp(TEST_APP);
    calls.on('call_interactive', (call) => {
      seen.push(call);
      return null;
    });
    const server = await mount(calls);
    await request(server).get(`/voipnow?${INTERACTIVE}&lang=en&Code=null`).expect(200);
    expect(seen[0]?.params).toEqual({ lang: 'en', Code: 'null' });
    expect(seen[0]?.param('lang')).toBe('en');
    expect(seen[0]?.param('Code')).toBeUndefined();
    expect(seen[0]?.callApiId).toBe('3584705175:5205dc5c');
  });

  test('a handler that throws gets the fallback', async () => {
    const errors: CallControlError[] = [];
    const calls = voipnow.createApp({ ...TEST_APP, fallback: [voipnow.pause({ length: 5 })] });
    calls.on('call_interactive', () => {
      throw new Error('CRM down');
    });
    calls.onError((error) => {
      errors.push(error);
    });
    const server = await mount(calls);
    const res = await request(server).get(`/voipnow?${INTERACTIVE}`);
    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Pause length="5"/></Response>'),
    );
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
  });
});

describe('Call Events', () => {
  test('are acknowledged with <Response/>, whatever the handler returns', async () => {
    const calls = voipnow.createApp(TEST_APP);
    calls.on('Hangup', () => [voipnow.hangup()]);
    const server = await mount(calls);
    const res = await request(server).get(
      '/voipnow?CallID=1f6b&CallerIDNum=14155550100&CallStatus=ANSWER&CallFlow=IN',
    );
    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
  });

  test('eventPaths route every event, the answer events included', async () => {
    const seen: string[] = [];
    const calls = voipnow.createApp({
      ...TEST_APP,
      eventPaths: { '/answer-in': 'Answer-In', '/answer-out': 'Answer-Out', '/hangup': 'Hangup' },
    });
    calls.onAny((event) => {
      seen.push(event.name);
    });
    const server = await mount(calls);
    const fields = 'CallID=a&CallStatus=ANSWER&CallFlow=IN';
    await request(server).get(`/voipnow/answer-in?${fields}`).expect(200);
    await request(server).get(`/voipnow/answer-out?${fields}`).expect(200);
    await request(server).get(`/voipnow/hangup/?${fields}`).expect(200);
    // Not routed: identified from the fields (ANSWER → Hangup).
    await request(server).get(`/voipnow/other?${fields}`).expect(200);
    expect(seen).toEqual(['Answer-In', 'Answer-Out', 'Hangup', 'Hangup']);
  });

  test('an EventType field names the event', async () => {
    const seen: string[] = [];
    const calls = voipnow.createApp(TEST_APP);
    calls.onAny((event) => {
      seen.push(event.name);
    });
    const server = await mount(calls);
    await request(server).get('/voipnow?EventType=call_interactive&CallID=a').expect(200);
    expect(seen).toEqual(['call_interactive']);
  });

  test('a request whose event cannot be told is 400 CC_ERR_REQUEST_MALFORMED', async () => {
    const server = await mount(voipnow.createApp(TEST_APP));
    const res = await request(server).get('/voipnow?CallID=a&CallStatus=RINGING');
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe('CC_ERR_REQUEST_MALFORMED');
  });
});

describe('refusals and security', () => {
  test('DELETE: 405 with Allow; a JSON body: 415', async () => {
    const server = await mount(voipnow.createApp(TEST_APP));
    const del = await request(server).delete('/voipnow');
    expect(del.status).toBe(405);
    expect(del.headers['allow']).toBe('GET, POST');
    const json = await request(server)
      .post('/voipnow')
      .set('content-type', 'application/json')
      .send('{"CallID":"a"}');
    expect(json.status).toBe(415);
  });

  test('a URL token, removed before the handler sees the parameters', async () => {
    const seen: voipnow.VoipNowEvent[] = [];
    const calls = voipnow.createApp({ ...QUIET, urlToken: { tokens: TOKEN } });
    calls.onAny((event) => {
      seen.push(event);
    });
    const server = await mount(calls);
    const missing = await request(server).get(`/voipnow?${INTERACTIVE}`);
    expect(missing.status).toBe(403);
    expect(errorCode(missing.text)).toBe('CC_ERR_TOKEN_MISSING');
    await request(server).get(`/voipnow?${INTERACTIVE}&token=${TOKEN}&x=1`).expect(200);
    expect(seen[0]?.params).toEqual({ x: '1' });
  });

  test('allowFrom refuses other addresses', async () => {
    const server = await mount(voipnow.createApp({ ...QUIET, allowFrom: ['192.0.2.0/24'] }));
    const res = await request(server).get(`/voipnow?${INTERACTIVE}`);
    expect(res.status).toBe(403);
    expect(errorCode(res.text)).toBe('CC_ERR_SOURCE_FORBIDDEN');
  });
});
