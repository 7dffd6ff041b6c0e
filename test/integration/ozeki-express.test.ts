/**
 * An Ozeki app mounted in a real Express 5 app: answers per notification context, GET and POST,
 * case-insensitive names, routed paths for ErrorUrl/FinishedUrl, URL token and source
 * allowlist, and coded refusals. Every server listens on 127.0.0.1 only.
 */
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { CallControlError, ozeki } from '../../src';
import { listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';
import { QUIET, TEST_APP } from '../helpers/apps';

const FORM = 'application/x-www-form-urlencoded';
const TOKEN = 'test-token-not-a-secret-0001';

async function mount(calls: ozeki.OzekiApp): Promise<Server> {
  const app = express();
  app.use('/ozeki', calls.express());
  return listenOnLoopback(app);
}

function post(server: Server, body: string, path = '/ozeki'): request.Test {
  return request(server).post(path).set('content-type', FORM).send(body);
}

function errorCode(xml: string): string | undefined {
  const root = canonicalXml(xml);
  expect(root.name).toBe('Error');
  return root.attributes['code'];
}

describe('answers', () => {
  test('IncomingCall answered with a UserInput menu', async () => {
    const calls = ozeki.createApp(TEST_APP);
    calls.on('IncomingCall', (call) => [
      ozeki.userInput({
        digits: 4,
        timeout: 10,
        forwardToUrl: 'http://127.0.0.1/ozeki',
        initialCommands: [ozeki.speak(`Hello ${call.callerDisplayName ?? ''}`)],
      }),
    ]);
    const server = await mount(calls);
    const res = await post(
      server,
      'NotificationName=IncomingCall&CallId=Nt3uh&ApiExtension=9994&CallerId=1000&CallerDisplayName=John+Smith',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml(
        '<Response><UserInput Digits="4" Timeout="10" ForwardToUrl="http://127.0.0.1/ozeki">' +
          '<InitialCommands><Speak>Hello John Smith</Speak></InitialCommands></UserInput></Response>',
      ),
    );
  });

  test('a handler may return an ozeki.response() as well as a list', async () => {
    const calls = ozeki.createApp(TEST_APP);
    calls.on('DtmfEntered', (call) =>
      ozeki.response([ozeki.speak(`You typed ${call.dtmfDigits}`), ozeki.hangup()], {
        control: 'extension',
      }),
    );
    const server = await mount(calls);
    const res = await post(server, 'NotificationName=DtmfEntered&CallId=H2Wwb&DtmfDigits=1234');
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Speak>You typed 1234</Speak><Hangup/></Response>'),
    );
  });

  test('RoutingInterception answered with a Route', async () => {
    const calls = ozeki.createApp(TEST_APP);
    calls.on('RoutingInterception', (call) =>
      call.lastCallState === 'NoAnswer'
        ? [ozeki.route({ destination: '1000', ringTime: 30 })]
        : null,
    );
    const server = await mount(calls);
    const res = await post(
      server,
      'NotificationName=RoutingInterception&CallerID=1442&OriginalDialedNumber=81234567&LastCallState=NoAnswer',
    );
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Route Destination="1000" RingTime="30"/></Response>'),
    );
  });

  test('CallChanged answered with third-party OzML', async () => {
    const calls = ozeki.createApp(TEST_APP);
    calls.on('CallChanged', (call) =>
      call.callState === 'Ringing'
        ? [ozeki.speak('Hello!', { party: 'caller' }), ozeki.hangup({ callId: call.callId })]
        : null,
    );
    const server = await mount(calls);
    const res = await post(server, 'NotificationName=CallChanged&CallId=23Xdz7&CallState=Ringing');
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml(
        '<Response><Speak Party="caller">Hello!</Speak><Hangup CallId="23Xdz7"/></Response>',
      ),
    );
  });

  test('camel-case rendering, as Ozeki samples write OzML', async () => {
    const calls = ozeki.createApp({
      ...TEST_APP,
      render: { attributeCase: 'camel', declaration: false },
    });
    calls.on('IncomingCall', () => [
      ozeki.userInput({ timeout: 10, repeat: true, forwardToUrl: 'http://127.0.0.1/ozeki' }),
    ]);
    const server = await mount(calls);
    const res = await post(server, 'NotificationName=IncomingCall&CallId=a');
    expect(res.text).not.toContain('<?xml');
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml(
        '<Response><UserInput timeout="10" repeat="true" forwardToUrl="http://127.0.0.1/ozeki"/></Response>',
      ),
    );
  });
});

describe('an answer that does not fit its notification gets the fallback', () => {
  test.each([
    ['CallChanged', 'Speak without Party', () => [ozeki.speak('Hi')]],
    ['IncomingCall', 'a third-party Forward', () => [ozeki.forward({ destination: '500' })]],
    ['IncomingCall', 'Reject after Speak', () => [ozeki.speak('Hi'), ozeki.reject()]],
    ['RoutingInterception', 'Speak instead of Route', () => [ozeki.speak('Hi')]],
  ] as const)('%s with %s: <Response/> and onError', async (name, _what, answer) => {
    const errors: CallControlError[] = [];
    const calls = ozeki.createApp(TEST_APP);
    calls.on(name, answer);
    calls.onError((error) => {
      errors.push(error);
    });
    const server = await mount(calls);
    const res = await post(server, `NotificationName=${name}&CallId=abc`);
    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
    expect(errors).toHaveLength(1);
    const cause = errors[0]?.cause;
    expect(cause).toBeInstanceOf(CallControlError);
    expect((cause as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
  });

  test('a configured fallback is sent instead', async () => {
    const calls = ozeki.createApp({
      ...TEST_APP,
      fallback: [ozeki.speak('Sorry, please call again later.'), ozeki.hangup()],
    });
    calls.on('IncomingCall', () => {
      throw new Error('database down');
    });
    calls.onError(() => undefined);
    const server = await mount(calls);
    const res = await post(server, 'NotificationName=IncomingCall&CallId=abc');
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Speak>Sorry, please call again later.</Speak><Hangup/></Response>'),
    );
  });

  test('RecordCompleted accepts an answer built explicitly for API-extension control', async () => {
    const calls = ozeki.createApp(TEST_APP);
    calls.on('RecordCompleted', (call) =>
      ozeki.response([ozeki.speak(`Saved ${call.recordUrl ?? ''}`), ozeki.delay(1)], {
        control: 'extension',
      }),
    );
    const server = await mount(calls);
    const res = await post(server, 'NotificationName=RecordCompleted&CallId=a&RecordURL=r.wav');
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Speak>Saved r.wav</Speak><Delay>1</Delay></Response>'),
    );
  });
});

describe('requests', () => {
  test('names and field names are matched ignoring case', async () => {
    const seen: ozeki.OzekiEvent[] = [];
    const calls = ozeki.createApp(TEST_APP);
    calls.onAny((event) => {
      seen.push(event as ozeki.OzekiEvent);
    });
    const server = await mount(calls);
    await post(server, 'notificationname=dtmfentered&CALLID=X1&dtmfdigits=42').expect(200);
    expect(seen[0]).toMatchObject({ name: 'DtmfEntered', callId: 'X1', dtmfDigits: '42' });
  });

  test('body fields win over query fields of the same name; both stay readable', async () => {
    const seen: ozeki.OzekiEvent[] = [];
    const calls = ozeki.createApp(TEST_APP);
    calls.onAny((event) => {
      seen.push(event as ozeki.OzekiEvent);
    });
    const server = await mount(calls);
    await post(server, 'NotificationName=GoTo&CallId=body', '/ozeki?CallId=query&x=1').expect(200);
    expect(seen[0]).toMatchObject({
      name: 'GoTo',
      callId: 'body',
      query: { CallId: 'query', x: '1' },
    });
  });

  test('an unknown notification is acknowledged and reaches onAny', async () => {
    const seen: string[] = [];
    const calls = ozeki.createApp(TEST_APP);
    calls.onAny((event) => {
      seen.push(event.name);
    });
    const server = await mount(calls);
    const res = await post(server, 'NotificationName=SomethingNew&CallId=a');
    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
    expect(seen).toEqual(['SomethingNew']);
  });

  test('eventPaths route the ErrorUrl and FinishedUrl requests, which name no notification', async () => {
    const seen: string[] = [];
    const calls = ozeki.createApp({
      ...TEST_APP,
      eventPaths: { '/error': 'CallError', '/finished/': 'CallFinished' },
    });
    calls.onAny((event) => {
      seen.push(`${event.name}:${event.callId}`);
    });
    const server = await mount(calls);
    await post(server, 'CallId=e1', '/ozeki/error').expect(200);
    await request(server).get('/ozeki/finished?CallId=f1&Duration=12').expect(200);
    // A NotificationName in the request wins over the path.
    await post(server, 'NotificationName=GoTo&CallId=g1', '/ozeki/finished').expect(200);
    expect(seen).toEqual(['CallError:e1', 'CallFinished:f1', 'GoTo:g1']);
  });

  test('eventPaths naming an event Ozeki does not send is a TypeError', () => {
    expect(() =>
      ozeki.createApp({ ...TEST_APP, eventPaths: { '/x': 'Finished' as ozeki.OzekiEventName } }),
    ).toThrow(TypeError);
  });

  test('no NotificationName and no routed path: 400 CC_ERR_REQUEST_MALFORMED', async () => {
    const server = await mount(ozeki.createApp(TEST_APP));
    const res = await post(server, 'CallId=abc');
    expect(res.status).toBe(400);
    expect(errorCode(res.text)).toBe('CC_ERR_REQUEST_MALFORMED');
  });

  test('a JSON body: 415; PUT: 405 with Allow', async () => {
    const server = await mount(ozeki.createApp(TEST_APP));
    const json = await request(server)
      .post('/ozeki')
      .set('content-type', 'application/json')
      .send('{"NotificationName":"IncomingCall"}');
    expect(json.status).toBe(415);
    expect(errorCode(json.text)).toBe('CC_ERR_UNSUPPORTED_MEDIA_TYPE');
    const put = await request(server).put('/ozeki').send('');
    expect(put.status).toBe(405);
    expect(put.headers['allow']).toBe('POST, GET');
  });
});

describe('security without signatures', () => {
  test('a URL token: missing 403, wrong 403, right 200 and invisible to handlers', async () => {
    const seen: ozeki.OzekiEvent[] = [];
    const calls = ozeki.createApp({ ...QUIET, urlToken: { tokens: TOKEN } });
    calls.onAny((event) => {
      seen.push(event as ozeki.OzekiEvent);
    });
    const server = await mount(calls);
    const body = 'NotificationName=IncomingCall&CallId=a';

    const missing = await post(server, body);
    expect(missing.status).toBe(403);
    expect(errorCode(missing.text)).toBe('CC_ERR_TOKEN_MISSING');
    const wrong = await post(server, body, '/ozeki?token=wrong-token-wrong-token');
    expect(errorCode(wrong.text)).toBe('CC_ERR_TOKEN_INVALID');
    expect(seen).toEqual([]);

    await post(server, body, `/ozeki?AppDate=2024-05-01&token=${TOKEN}`).expect(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.query).toEqual({ AppDate: '2024-05-01' });
    expect(JSON.stringify(seen[0]?.raw)).not.toContain(TOKEN);
  });

  test('a token as a path segment, with routed paths behind it', async () => {
    const seen: string[] = [];
    const calls = ozeki.createApp({
      ...QUIET,
      urlToken: { tokens: TOKEN, in: 'path' },
      eventPaths: { '/finished': 'CallFinished' },
    });
    calls.onAny((event) => {
      seen.push(event.name);
    });
    const server = await mount(calls);
    await post(server, 'CallId=a', `/ozeki/${TOKEN}/finished`).expect(200);
    const res = await post(server, 'CallId=a', '/ozeki/finished');
    expect(res.status).toBe(403);
    expect(seen).toEqual(['CallFinished']);
  });

  test('allowFrom: loopback admitted, other ranges refused with 403', async () => {
    const open = await mount(ozeki.createApp({ ...QUIET, allowFrom: ['127.0.0.0/8', '::1'] }));
    await post(open, 'NotificationName=GoTo&CallId=a').expect(200);

    const closed = await mount(ozeki.createApp({ ...QUIET, allowFrom: ['192.0.2.0/24'] }));
    const res = await post(closed, 'NotificationName=GoTo&CallId=a').set(
      'x-forwarded-for',
      '192.0.2.10',
    );
    expect(res.status).toBe(403);
    expect(errorCode(res.text)).toBe('CC_ERR_SOURCE_FORBIDDEN');
  });

  test('allowFrom behind a trusted proxy reads X-Forwarded-For', async () => {
    const server = await mount(
      ozeki.createApp({ ...QUIET, allowFrom: ['192.0.2.0/24'], trustProxy: ['127.0.0.1', '::1'] }),
    );
    await post(server, 'NotificationName=GoTo&CallId=a')
      .set('x-forwarded-for', '192.0.2.10')
      .expect(200);
    const res = await post(server, 'NotificationName=GoTo&CallId=a').set(
      'x-forwarded-for',
      '198.51.100.1',
    );
    expect(res.status).toBe(403);
  });

  test('basic auth', async () => {
    const server = await mount(
      ozeki.createApp({
        ...QUIET,
        basicAuth: { username: 'pbx', password: 'not-a-real-password' },
      }),
    );
    const res = await post(server, 'NotificationName=GoTo&CallId=a');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    await post(server, 'NotificationName=GoTo&CallId=a')
      .auth('pbx', 'not-a-real-password')
      .expect(200);
  });
});
