/**
 * The Ozeki HTTP API client against a fake PBX on 127.0.0.1 (spec §1, §1.1, §1.2, §2, §3.3,
 * §6 F1–F3): URL shapes of Ozeki 10 (`/api?command=`) and XE (`/?command=`), GET and POST,
 * wire parameter names, every status code, broken answers, transport failures, and that the
 * password never reaches an error.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { CallControlError } from '../../../src/core/errors';
import {
  createOzekiClient,
  formatOzekiStatusMessage,
  isOzekiStatusCode,
  OZEKI_STATUS_CODES,
  OzekiCommandError,
  parseOzekiApiResponse,
  renderOzekiApiResponse,
  type OzekiCallInfo,
  type OzekiClientOptions,
  type OzekiStatusCode,
} from '../../../src/providers/ozeki/client';
import { baseUrlOf, listenOnLoopback } from '../../helpers/server';
import { thrown } from '../../helpers/assert';

// ---------------------------------------------------------------------------------------------
// The fake PBX
// ---------------------------------------------------------------------------------------------

/** One request as the fake PBX received it. */
interface Recorded {
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/api?command=Hold&CallId=Nt3uh`. */
  readonly path: string;
  readonly pathname: string;
  /** The query's parameters in order, decoded. */
  readonly query: [string, string][];
  readonly body: string;
  /** The body's form parameters in order, decoded. */
  readonly form: [string, string][];
  readonly headers: IncomingHttpHeaders;
}

/** What the fake PBX answers: an XML body with HTTP 200, a full answer, or nothing ever. */
type Reply =
  | string
  | { status?: number; headers?: Record<string, string>; body: string }
  | { partial: string; then: 'hang' | 'reset' }
  | 'never';

const OK = renderOzekiApiResponse({ code: 200 });

async function fakePbx(reply: (request: Recorded) => Reply = () => OK) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const url = new URL(path, 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: Recorded = {
        method: req.method ?? '',
        path,
        pathname: url.pathname,
        query: [...url.searchParams],
        body,
        form: [...new URLSearchParams(body)],
        headers: req.headers,
      };
      requests.push(recorded);
      const answer = reply(recorded);
      if (answer === 'never') return;
      if (typeof answer === 'string') {
        res.writeHead(200, { 'content-type': 'application/xml' }).end(answer);
      } else if ('partial' in answer) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.write(answer.partial);
        if (answer.then === 'reset') setTimeout(() => res.destroy(), 20);
      } else {
        res
          .writeHead(answer.status ?? 200, { 'content-type': 'application/xml', ...answer.headers })
          .end(answer.body);
      }
    });
  });
  const listening = await listenOnLoopback(server);
  return { requests, origin: baseUrlOf(listening) };
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, it resolved');
}

/** The CallControlError a promise rejects with, checked to be one. */
async function failure(promise: Promise<unknown>): Promise<CallControlError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(CallControlError);
  return error as CallControlError;
}

/** The OzekiCommandError a promise rejects with, checked to be one. */
async function refusal(promise: Promise<unknown>): Promise<OzekiCommandError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(OzekiCommandError);
  expect((error as OzekiCommandError).code).toBe('CC_ERR_UPSTREAM_REFUSED');
  return error as OzekiCommandError;
}

/** A port that was just open on 127.0.0.1 and is closed now (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

describe('createOzekiClient options', () => {
  test.each([
    ['an ftp URL', { baseUrl: 'ftp://127.0.0.1/api' }],
    ['a relative URL', { baseUrl: '/api' }],
    ['not a URL', { baseUrl: 'pbx' }],
    ['credentials in the URL', { baseUrl: 'http://admin:abc123@127.0.0.1:9509/api' }],
    ['a fragment', { baseUrl: 'http://127.0.0.1:9509/api#x' }],
    ['a timeout of 0', { baseUrl: 'http://127.0.0.1:9509/api', timeoutMs: 0 }],
    ['a negative timeout', { baseUrl: 'http://127.0.0.1:9509/api', timeoutMs: -5 }],
    ['a NaN timeout', { baseUrl: 'http://127.0.0.1:9509/api', timeoutMs: Number.NaN }],
    ['an infinite timeout', { baseUrl: 'http://127.0.0.1:9509/api', timeoutMs: Infinity }],
    ['username without password', { baseUrl: 'http://127.0.0.1:9509/api', username: 'admin' }],
    ['password without username', { baseUrl: 'http://127.0.0.1:9509/api', password: 'abc123' }],
    ['an empty username', { baseUrl: 'http://127.0.0.1:9509/api', username: '', password: 'x' }],
    ['method PUT', { baseUrl: 'http://127.0.0.1:9509/api', method: 'PUT' }],
    ['an unknown option', { baseUrl: 'http://127.0.0.1:9509/api', timeout: 5 }],
  ])('%s is a TypeError', (_what, options) => {
    expect(
      thrown(() => createOzekiClient(options as unknown as OzekiClientOptions)),
    ).toBeInstanceOf(TypeError);
  });

  test('the error about options never quotes the password', () => {
    const error = thrown(() =>
      createOzekiClient({ baseUrl: 'gopher://x', username: 'admin', password: 'p4ss-word' }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(inspect(error)).not.toContain('p4ss-word');
  });

  test('valid options of both generations are accepted', () => {
    expect(() => createOzekiClient({ baseUrl: 'http://127.0.0.1:9509/api' })).not.toThrow();
    expect(() =>
      createOzekiClient({
        baseUrl: 'https://127.0.0.1:7780/',
        username: 'admin',
        password: '',
        timeoutMs: 1,
        method: 'POST',
      }),
    ).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// URL shapes, GET and POST
// ---------------------------------------------------------------------------------------------

/** The F1 Call of the spec (§6), as options. */
const F1 = {
  dialed: '102',
  apiExtension: '101',
  callerId: '3000',
  callerDisplayName: 'John Smith',
  url: 'http://yourapp.com/callconnected.php',
  errorUrl: 'http://yourapp.com/error.php',
  finishedUrl: 'http://yourapp.com/callfinished.php',
  ringTime: 120,
} as const;

/** The F1 request line's path and query, verbatim from spec §6. */
const F1_PATH =
  '/api?command=Call&Dialed=102&ApiExtension=101&CallerId=3000&CallerDisplayName=John+Smith&Url=http%3A%2F%2Fyourapp.com%2Fcallconnected.php&ErrorUrl=http%3A%2F%2Fyourapp.com%2Ferror.php&FinishedUrl=http%3A%2F%2Fyourapp.com%2Fcallfinished.php&RingTime=120&Username=admin&Password=abc123';

describe('URL shapes and methods', () => {
  test('Ozeki 10 GET: the F1 Call goes to /api?command=Call&… exactly as the spec writes it', async () => {
    const pbx = await fakePbx();
    const client = createOzekiClient({
      baseUrl: `${pbx.origin}/api`,
      username: 'admin',
      password: 'abc123',
    });
    const result = await client.call(F1);
    expect(result).toEqual({
      code: 200,
      message: 'Command successfully executed',
      raw: OK,
      fields: {},
    });
    expect(pbx.requests).toHaveLength(1);
    const [request] = pbx.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(F1_PATH);
    expect(request?.body).toBe('');
    expect(request?.query).toEqual([
      ['command', 'Call'],
      ['Dialed', '102'],
      ['ApiExtension', '101'],
      ['CallerId', '3000'],
      ['CallerDisplayName', 'John Smith'],
      ['Url', 'http://yourapp.com/callconnected.php'],
      ['ErrorUrl', 'http://yourapp.com/error.php'],
      ['FinishedUrl', 'http://yourapp.com/callfinished.php'],
      ['RingTime', '120'],
      ['Username', 'admin'],
      ['Password', 'abc123'],
    ]);
  });

  test('XE GET: commands go to /?command=… on a 7780-style base, without credentials when none are set', async () => {
    const pbx = await fakePbx();
    const client = createOzekiClient({ baseUrl: `${pbx.origin}/` });
    await client.hold({ callId: 'Nt3uh' });
    expect(pbx.requests.map((request) => request.path)).toEqual(['/?command=Hold&CallId=Nt3uh']);
  });

  test('a base without a path gets "/" and a base with a query of its own gets the parameters after "&"', async () => {
    const pbx = await fakePbx();
    await createOzekiClient({ baseUrl: pbx.origin }).hangup({ callId: 'a1' });
    await createOzekiClient({ baseUrl: `${pbx.origin}/api?tenant=7` }).hangup({ callId: 'a2' });
    await createOzekiClient({ baseUrl: `${pbx.origin}/api?` }).hangup({ callId: 'a3' });
    expect(pbx.requests.map((request) => request.path)).toEqual([
      '/?command=Hangup&CallId=a1',
      '/api?tenant=7&command=Hangup&CallId=a2',
      '/api?command=Hangup&CallId=a3',
    ]);
  });

  test('Ozeki 10 POST: the F1 Call as a form body to /api, command included', async () => {
    const pbx = await fakePbx();
    const client = createOzekiClient({
      baseUrl: `${pbx.origin}/api`,
      username: 'admin',
      password: 'abc123',
      method: 'POST',
    });
    await client.call(F1);
    const [request] = pbx.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.body).toBe(F1_PATH.slice('/api?'.length));
  });

  test('XE POST (F2 form): command=Call&Dialed=103&ApiExtension=9990… to /', async () => {
    const pbx = await fakePbx();
    const client = createOzekiClient({ baseUrl: `${pbx.origin}/`, method: 'POST' });
    await client.call({
      dialed: 103,
      apiExtension: 9990,
      url: 'http://xyz.com/call_connected.php',
    });
    const [request] = pbx.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/');
    expect(request?.body).toBe(
      'command=Call&Dialed=103&ApiExtension=9990&Url=http%3A%2F%2Fxyz.com%2Fcall_connected.php',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Methods and their wire parameters
// ---------------------------------------------------------------------------------------------

describe('methods and wire parameters', () => {
  async function client(options: Partial<OzekiClientOptions> = {}, reply?: () => Reply) {
    const pbx = await fakePbx(reply);
    return {
      pbx,
      ozeki: createOzekiClient({
        baseUrl: `${pbx.origin}/api`,
        username: 'HTTP_User_1',
        password: 'qwe123',
        ...options,
      }),
    };
  }

  test('call with ResponseOzML as text and as an object with toXml()', async () => {
    const { pbx, ozeki } = await client({ username: undefined, password: undefined });
    await ozeki.call({ dialed: '100', responseOzml: '<Response><Speak>Hi</Speak></Response>' });
    await ozeki.call({
      dialed: '100',
      callerId: 1000,
      url: 'https://app.example/connected?AppLocation=Main+Street',
      responseOzml: { toXml: () => '<Response><Hangup/></Response>' },
    });
    expect(pbx.requests.map((request) => request.query)).toEqual([
      [
        ['command', 'Call'],
        ['Dialed', '100'],
        ['ResponseOzML', '<Response><Speak>Hi</Speak></Response>'],
      ],
      [
        ['command', 'Call'],
        ['Dialed', '100'],
        ['CallerId', '1000'],
        ['Url', 'https://app.example/connected?AppLocation=Main+Street'],
        ['ResponseOzML', '<Response><Hangup/></Response>'],
      ],
    ]);
  });

  test.each([
    ['no dialed', { url: 'http://a.example/' }],
    ['an empty dialed', { dialed: ' ', url: 'http://a.example/' }],
    ['neither url nor responseOzml', { dialed: '102' }],
    ['an empty responseOzml', { dialed: '102', responseOzml: '' }],
    ['a responseOzml without toXml', { dialed: '102', responseOzml: { xml: '<Response/>' } }],
    ['a url that is not http(s)', { dialed: '102', url: 'ftp://a.example/' }],
    ['a relative url', { dialed: '102', url: '/connected' }],
    ['an errorUrl that is no URL', { dialed: '102', url: 'http://a.example/', errorUrl: 'x' }],
    ['a ringTime of 0', { dialed: '102', url: 'http://a.example/', ringTime: 0 }],
    ['a fractional ringTime', { dialed: '102', url: 'http://a.example/', ringTime: 1.5 }],
    ['a fractional dialed number', { dialed: 10.5, url: 'http://a.example/' }],
    ['an unknown option', { dialed: '102', url: 'http://a.example/', ringtime: 5 }],
  ])('call with %s rejects with a TypeError and sends nothing', async (_what, options) => {
    const { pbx, ozeki } = await client();
    const error = await rejection(
      ozeki.call(options as unknown as Parameters<typeof ozeki.call>[0]),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(pbx.requests).toEqual([]);
  });

  test('forwardCall is ForwardCall (F3) by default and Forward on request', async () => {
    const { pbx, ozeki } = await client();
    await ozeki.forwardCall({ callId: 'Nt3uh', destination: '104' });
    await ozeki.forwardCall({ callId: 'Nt3uh', destination: 500, commandName: 'Forward' });
    expect(pbx.requests.map((request) => request.path)).toEqual([
      '/api?command=ForwardCall&CallId=Nt3uh&Destination=104&Username=HTTP_User_1&Password=qwe123',
      '/api?command=Forward&CallId=Nt3uh&Destination=500&Username=HTTP_User_1&Password=qwe123',
    ]);
  });

  test('hold (F3), unhold and hangup send CallId', async () => {
    const { pbx, ozeki } = await client();
    await ozeki.hold({ callId: 'Nt3uh' });
    await ozeki.unhold({ callId: 'Nt3uh' });
    await ozeki.hangup({ callId: '23Xdz7' });
    expect(pbx.requests.map((request) => request.path)).toEqual([
      '/api?command=Hold&CallId=Nt3uh&Username=HTTP_User_1&Password=qwe123',
      '/api?command=Unhold&CallId=Nt3uh&Username=HTTP_User_1&Password=qwe123',
      '/api?command=Hangup&CallId=23Xdz7&Username=HTTP_User_1&Password=qwe123',
    ]);
  });

  test.each([
    ['hold', { callId: '' }],
    ['unhold', {}],
    ['hangup', { callId: 'x', extra: 1 }],
    ['forwardCall', { callId: 'x' }],
    ['forwardCall', { callId: 'x', destination: '1', commandName: 'forward' }],
  ] as const)('%s with invalid options %j rejects with a TypeError', async (method, options) => {
    const { pbx, ozeki } = await client();
    const call = ozeki[method] as (options: unknown) => Promise<unknown>;
    expect(await rejection(call(options))).toBeInstanceOf(TypeError);
    expect(pbx.requests).toEqual([]);
  });

  test('sendSms sends every parameter (DeliveryReportURL spelled so) and resolves with the SmsId', async () => {
    const { pbx, ozeki } = await client({}, () =>
      renderOzekiApiResponse({ code: 200, smsId: '6b5c6978-0cd6-4a58-86fc-3d1b279b9201' }),
    );
    const result = await ozeki.sendSms({
      apiExtension: '9000',
      sender: '+3620',
      recipient: '+062554670',
      message: 'Hello! How are you? & 100%',
      deliveryReportUrl: 'http://yourapp.com/report.php',
    });
    expect(result.smsId).toBe('6b5c6978-0cd6-4a58-86fc-3d1b279b9201');
    expect(result.code).toBe(200);
    expect(pbx.requests[0]?.query).toEqual([
      ['command', 'SendSms'],
      ['ApiExtension', '9000'],
      ['Sender', '+3620'],
      ['Recipient', '+062554670'],
      ['Message', 'Hello! How are you? & 100%'],
      ['DeliveryReportURL', 'http://yourapp.com/report.php'],
      ['Username', 'HTTP_User_1'],
      ['Password', 'qwe123'],
    ]);
  });

  test('sendSms without an SmsId in the answer (XE) resolves without smsId', async () => {
    const { ozeki } = await client();
    const result = await ozeki.sendSms({ recipient: '+062554670', message: 'Hi' });
    expect(result.smsId).toBeUndefined();
  });

  test.each([
    ['no recipient', { message: 'Hi' }],
    ['an empty message', { recipient: '1', message: '' }],
    ['a bad deliveryReportUrl', { recipient: '1', message: 'Hi', deliveryReportUrl: 'mailto:x' }],
  ])('sendSms with %s rejects with a TypeError', async (_what, options) => {
    const { pbx, ozeki } = await client();
    const error = await rejection(
      ozeki.sendSms(options as unknown as Parameters<typeof ozeki.sendSms>[0]),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(pbx.requests).toEqual([]);
  });

  const CALLS: readonly OzekiCallInfo[] = [
    {
      callState: 'InCall',
      callId: 'uteom',
      source: '1000',
      callerId: 'John Smith',
      destination: '1001',
      startTime: '2013-07-01T10:49:07.9558+02:00',
      ringDuration: 2,
      talkDuration: 956,
    },
    { callState: 'Ringing', callId: 'H2Wwb', source: '1002', destination: '+3612345' },
  ];

  test('listActiveCalls resolves with typed calls (durations in seconds)', async () => {
    const { pbx, ozeki } = await client({ method: 'POST' }, () =>
      renderOzekiApiResponse({ code: 200, activeCalls: CALLS, namespaces: 'none' }),
    );
    const result = await ozeki.listActiveCalls();
    expect(result.calls).toEqual(CALLS);
    expect(result.calls[0]?.talkDuration).toBe(956);
    expect(pbx.requests[0]?.form).toEqual([
      ['command', 'ListActiveCalls'],
      ['Username', 'HTTP_User_1'],
      ['Password', 'qwe123'],
    ]);
  });

  test('listActiveCalls resolves with [] for <ActiveCalls/> and for no <ActiveCalls> at all', async () => {
    const { ozeki } = await client({}, () =>
      renderOzekiApiResponse({ code: 200, activeCalls: [] }),
    );
    expect((await ozeki.listActiveCalls()).calls).toEqual([]);
    const other = await client();
    expect((await other.ozeki.listActiveCalls()).calls).toEqual([]);
  });

  test('command sends any command with its parameters in order', async () => {
    const { pbx, ozeki } = await client({}, () =>
      renderOzekiApiResponse({ code: 200 }).replace(
        '</Message>',
        '</Message><NotificationName>CallConnected</NotificationName>',
      ),
    );
    const result = await ozeki.command('SendEmail', {
      ApiExtension: 9000,
      Recipient: 'a@b.example',
      Subject: undefined,
      Html: false,
      Message: 'Hi',
    });
    expect(result.fields).toEqual({ NotificationName: 'CallConnected' });
    expect(pbx.requests[0]?.query).toEqual([
      ['command', 'SendEmail'],
      ['ApiExtension', '9000'],
      ['Recipient', 'a@b.example'],
      ['Html', 'false'],
      ['Message', 'Hi'],
      ['Username', 'HTTP_User_1'],
      ['Password', 'qwe123'],
    ]);
    await ozeki.command('ListExtensions');
    expect(pbx.requests[1]?.path).toBe(
      '/api?command=ListExtensions&Username=HTTP_User_1&Password=qwe123',
    );
  });

  test.each([
    ['an empty name', '', {}],
    ['a name with "&"', 'Hold&x=1', {}],
    ['a "command" parameter', 'Hold', { Command: 'Hangup' }],
    ['a "Password" parameter', 'Hold', { password: 'x' }],
    ['a "Username" parameter', 'Hold', { USERNAME: 'x' }],
    ['a parameter name with "="', 'Hold', { 'a=b': '1' }],
    ['a NaN value', 'Hold', { CallId: Number.NaN }],
    ['an object value', 'Hold', { CallId: {} }],
  ])('command with %s rejects with a TypeError', async (_what, name, params) => {
    const { pbx, ozeki } = await client();
    const error = await rejection(
      ozeki.command(name, params as unknown as Parameters<typeof ozeki.command>[1]),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(pbx.requests).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Status codes
// ---------------------------------------------------------------------------------------------

/** Arguments that fill each template's placeholders. */
const ARGS: Readonly<Partial<Record<OzekiStatusCode, readonly string[]>>> = {
  300: ['command=Hold&CallId'],
  301: ['Teleport'],
  302: ['CallId', 'Hold'],
  303: ['Hold'],
  401: ['9986'],
  402: ['102', 'Busy'],
  601: ['g67th7'],
  701: ['SIP'],
  702: ['SIP'],
};

const ERROR_CODES = Object.keys(OZEKI_STATUS_CODES)
  .map(Number)
  .filter((code): code is OzekiStatusCode => isOzekiStatusCode(code) && code !== 200);

describe('status codes (spec §1.2)', () => {
  test('the table holds exactly the documented codes', () => {
    expect(Object.keys(OZEKI_STATUS_CODES).map(Number)).toEqual([
      200, 300, 301, 302, 303, 304, 305, 306, 307, 401, 402, 501, 601, 701, 702, 703,
    ]);
    expect(OZEKI_STATUS_CODES[601]).toEqual({
      name: 'CallNotFound',
      message: "Call not found with ID '{0}'",
    });
  });

  test('formatOzekiStatusMessage fills the placeholders and leaves missing ones', () => {
    expect(formatOzekiStatusMessage(601, 'g67th7')).toBe("Call not found with ID 'g67th7'");
    expect(formatOzekiStatusMessage(402, '102')).toBe(
      "Call connect to '102' failed with result state '{1}'",
    );
    expect(formatOzekiStatusMessage(200)).toBe('Command successfully executed');
  });

  test.each([
    ['ozeki10', 'ozeki10'],
    ['xe', 'xe'],
    ['none', 'none'],
  ] as const)('200 with %s namespaces resolves', async (_what, namespaces) => {
    const pbx = await fakePbx(() => renderOzekiApiResponse({ code: 200, namespaces }));
    const result = await createOzekiClient({ baseUrl: `${pbx.origin}/api` }).hold({
      callId: 'Nt3uh',
    });
    expect(result.code).toBe(200);
    expect(result.message).toBe('Command successfully executed');
  });

  test('200 without prolog, pretty-printed and with CRLF resolves', async () => {
    const body =
      '\r\n<Response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\r\n\t<Code> 200 </Code>\r\n\t<Message>\r\n    Command successfully executed\r\n  </Message>\r\n</Response>\r\n';
    const pbx = await fakePbx(() => body);
    const result = await createOzekiClient({ baseUrl: `${pbx.origin}/` }).hold({ callId: 'x' });
    expect(result).toEqual({
      code: 200,
      message: 'Command successfully executed',
      raw: body,
      fields: {},
    });
  });

  test.each(ERROR_CODES.map((code) => [code, OZEKI_STATUS_CODES[code].name] as const))(
    '%d rejects with OzekiCommandError %s',
    async (code, name) => {
      const message = formatOzekiStatusMessage(code, ...(ARGS[code] ?? []));
      const pbx = await fakePbx(() => renderOzekiApiResponse({ code, message }));
      const client = createOzekiClient({ baseUrl: `${pbx.origin}/api` });
      const error = await refusal(client.hold({ callId: 'g67th7' }));
      expect(error).toBeInstanceOf(CallControlError);
      expect(error.status).toBe(502);
      expect(error.ozekiCode).toBe(code);
      expect(error.ozekiName).toBe(name);
      expect(error.ozekiMessage).toBe(message);
      expect(error.command).toBe('Hold');
      expect(error.message).toBe(`Ozeki refused Hold: ${code} ${name}: ${message}`);
    },
  );

  test('an undocumented code rejects with ozekiName "Unknown"', async () => {
    const pbx = await fakePbx(() => renderOzekiApiResponse({ code: 999, message: 'Odd' }));
    const error = await refusal(createOzekiClient({ baseUrl: pbx.origin }).call(F1));
    expect(error.ozekiCode).toBe(999);
    expect(error.ozekiName).toBe('Unknown');
    expect(error.ozekiMessage).toBe('Odd');
    expect(error.command).toBe('Call');
  });

  test('a 2xx code other than 200 is refused too, and a missing <Message> is ""', async () => {
    const pbx = await fakePbx(() => '<Response><Code>201</Code></Response>');
    const error = await refusal(createOzekiClient({ baseUrl: pbx.origin }).hold({ callId: 'x' }));
    expect(error.ozekiCode).toBe(201);
    expect(error.ozekiName).toBe('Unknown');
    expect(error.ozekiMessage).toBe('');
  });

  test('the 401 fixture document from the XE docs (inside HTTP 200) is refused as ApiExtensionUnavailable', async () => {
    const body =
      '<?xml version="1.0"?>\n<Response xmlns:xsd="http://www.w3.org/XMLSchema" xmlns:xsi="http://www.w3.org/XMLSchema-instance">\n<Code>401</Code>\n<Message>API extension \'9986\' unavailable, please check configuration or permissions</Message>\n</Response>';
    const pbx = await fakePbx(() => body);
    const error = await refusal(
      createOzekiClient({ baseUrl: `${pbx.origin}/`, method: 'POST' }).call({
        dialed: 103,
        apiExtension: 9986,
        url: 'http://xyz.com/',
      }),
    );
    expect(error.ozekiName).toBe('ApiExtensionUnavailable');
  });
});

// ---------------------------------------------------------------------------------------------
// Answers that are not the envelope
// ---------------------------------------------------------------------------------------------

describe('invalid answers are CC_ERR_UPSTREAM_INVALID', () => {
  test.each<[string, Reply]>([
    ['a truncated document', '<?xml version="1.0"?><Response><Code>200</Code>'],
    ['mismatched tags', '<Response><Code>200</Cod></Response>'],
    [
      'an HTML error page with HTTP 200',
      {
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Oops</h1></body></html>',
      },
    ],
    ['well-formed XHTML', '<html><body><p>Service unavailable</p></body></html>'],
    ['plain text', 'Internal Server Error'],
    ['an empty body', ''],
    ['no <Code>', '<Response><Message>Command successfully executed</Message></Response>'],
    ['a <Code> that is not a number', '<Response><Code>OK</Code><Message>x</Message></Response>'],
    ['a negative <Code>', '<Response><Code>-1</Code></Response>'],
    ['two <Code>s', '<Response><Code>200</Code><Code>601</Code></Response>'],
    [
      'a DOCTYPE with entities',
      '<!DOCTYPE r [<!ENTITY a "200">]><Response><Code>&a;</Code></Response>',
    ],
    ['HTTP 500 with an HTML page', { status: 500, body: '<html><body>Error</body></html>' }],
    ['HTTP 500 even with a valid envelope', { status: 500, body: OK }],
    ['HTTP 404', { status: 404, body: 'Not Found' }],
  ])('%s', async (_what, reply) => {
    const pbx = await fakePbx(() => reply);
    const error = await failure(
      createOzekiClient({ baseUrl: `${pbx.origin}/api` }).hold({ callId: 'x' }),
    );
    expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
    expect(error.status).toBe(502);
    expect(error).not.toBeInstanceOf(OzekiCommandError);
  });

  test('a redirect is not followed (it would carry the credentials elsewhere)', async () => {
    const pbx = await fakePbx((request) =>
      request.pathname === '/api'
        ? { status: 302, headers: { location: '/elsewhere' }, body: '' }
        : OK,
    );
    const client = createOzekiClient({
      baseUrl: `${pbx.origin}/api`,
      username: 'u',
      password: 'p',
    });
    const error = await failure(client.hold({ callId: 'x' }));
    expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
    expect(error.message).toContain('HTTP 302');
    expect(pbx.requests.map((request) => request.pathname)).toEqual(['/api']);
  });
});

// ---------------------------------------------------------------------------------------------
// Transport failures
// ---------------------------------------------------------------------------------------------

describe('transport failures', () => {
  test('connection refused is CC_ERR_UPSTREAM_UNREACHABLE', async () => {
    const port = await closedPort();
    const client = createOzekiClient({ baseUrl: `http://127.0.0.1:${port}/api` });
    const error = await failure(client.hold({ callId: 'x' }));
    expect(error.code).toBe('CC_ERR_UPSTREAM_UNREACHABLE');
    expect(error.status).toBe(502);
    expect(error.message).toContain('ECONNREFUSED');
  });

  test('a PBX that never answers is CC_ERR_UPSTREAM_TIMEOUT after timeoutMs', async () => {
    const pbx = await fakePbx(() => 'never');
    const client = createOzekiClient({ baseUrl: `${pbx.origin}/api`, timeoutMs: 200 });
    const started = performance.now();
    const error = await failure(client.hold({ callId: 'x' }));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('CC_ERR_UPSTREAM_TIMEOUT');
    expect(error.status).toBe(504);
    expect(error.message).toContain('200 ms');
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3000);
    expect(pbx.requests).toHaveLength(1);
  });

  test('an answer whose body never ends is a timeout too', async () => {
    const pbx = await fakePbx(() => ({ partial: '<Response><Code>200</Code>', then: 'hang' }));
    const client = createOzekiClient({ baseUrl: `${pbx.origin}/api`, timeoutMs: 200 });
    const error = await failure(client.hold({ callId: 'x' }));
    expect(error.code).toBe('CC_ERR_UPSTREAM_TIMEOUT');
  });

  test('a connection reset in the middle of the body is CC_ERR_UPSTREAM_UNREACHABLE', async () => {
    const pbx = await fakePbx(() => ({ partial: '<Response><Code>200</Code>', then: 'reset' }));
    const client = createOzekiClient({ baseUrl: `${pbx.origin}/api`, timeoutMs: 2000 });
    const error = await failure(client.hold({ callId: 'x' }));
    expect(error.code).toBe('CC_ERR_UPSTREAM_UNREACHABLE');
  });
});

// ---------------------------------------------------------------------------------------------
// The password never reaches an error
// ---------------------------------------------------------------------------------------------

describe('the password never appears in errors', () => {
  const PASSWORD = 'S3cret pässwörd&=+/';
  const FORMS = [
    PASSWORD,
    encodeURIComponent(PASSWORD),
    new URLSearchParams([['p', PASSWORD]]).toString().slice(2),
  ];

  /** Every string reachable from `value` (own properties, non-enumerable ones and causes too). */
  function stringsIn(value: unknown, seen = new Set<unknown>(), depth = 0): string[] {
    if (typeof value === 'string') return [value];
    if (typeof value !== 'object' || value === null || depth > 8 || seen.has(value)) return [];
    seen.add(value);
    const found: string[] = [];
    if (value instanceof Error) found.push(value.message, value.stack ?? '');
    for (const key of Object.getOwnPropertyNames(value)) {
      found.push(key);
      let child: unknown;
      try {
        child = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      found.push(...stringsIn(child, seen, depth + 1));
    }
    return found;
  }

  function expectNoPassword(error: unknown): void {
    const texts = [
      ...stringsIn(error),
      String(error),
      inspect(error, { depth: 8, showHidden: true }),
    ];
    for (const form of FORMS) {
      for (const text of texts) expect(text).not.toContain(form);
    }
  }

  async function errorFrom(
    method: 'GET' | 'POST',
    reply: (request: Recorded) => Reply,
    timeoutMs = 2000,
  ): Promise<CallControlError> {
    const pbx = await fakePbx(reply);
    const client = createOzekiClient({
      baseUrl: `${pbx.origin}/api`,
      username: 'admin',
      password: PASSWORD,
      method,
      timeoutMs,
    });
    const error = await failure(client.call(F1));
    // The password did go to the PBX, so the checks below are meaningful.
    const sent = pbx.requests[0];
    const params = method === 'GET' ? sent?.query : sent?.form;
    expect(params).toContainEqual(['Password', PASSWORD]);
    return error;
  }

  test.each(['GET', 'POST'] as const)(
    '%s: a PBX that quotes the request in a ParseError gets it replaced by ***',
    async (method) => {
      const error = await errorFrom(method, (request) =>
        renderOzekiApiResponse({
          code: 300,
          message: formatOzekiStatusMessage(
            300,
            method === 'GET' ? request.path : `${request.body} (${PASSWORD})`,
          ),
        }),
      );
      expect(error).toBeInstanceOf(OzekiCommandError);
      expect((error as OzekiCommandError).ozekiMessage).toContain('Password=***');
      expectNoPassword(error);
    },
  );

  test.each(['GET', 'POST'] as const)('%s: refused, invalid, HTTP 500', async (method) => {
    for (const reply of [
      renderOzekiApiResponse({ code: 305 }),
      `<html><body>Bad request ${PASSWORD}</body>`,
      { status: 500, body: `Error at /api?Password=${encodeURIComponent(PASSWORD)}` },
    ]) {
      const error = await errorFrom(method, () => reply);
      expect(error.code).toMatch(/^CC_ERR_UPSTREAM_(REFUSED|INVALID)$/);
      expectNoPassword(error);
    }
  });

  test('GET: timeout', async () => {
    const error = await errorFrom('GET', () => 'never', 150);
    expect(error.code).toBe('CC_ERR_UPSTREAM_TIMEOUT');
    expectNoPassword(error);
  });

  test.each(['GET', 'POST'] as const)('%s: connection refused', async (method) => {
    const port = await closedPort();
    const client = createOzekiClient({
      baseUrl: `http://127.0.0.1:${port}/api`,
      username: 'admin',
      password: PASSWORD,
      method,
    });
    const error = await failure(client.call(F1));
    expect(error.code).toBe('CC_ERR_UPSTREAM_UNREACHABLE');
    expectNoPassword(error);
  });
});

// ---------------------------------------------------------------------------------------------
// parseOzekiApiResponse and renderOzekiApiResponse directly
// ---------------------------------------------------------------------------------------------

describe('parseOzekiApiResponse', () => {
  test('reads a BOM, comments, CDATA, references, prefixes and any case', () => {
    const parsed = parseOzekiApiResponse(
      '\uFEFF<?xml version="1.0" encoding="utf-8"?><!-- answer --><?pbx note?>' +
        '<r:response xmlns:r="urn:x"><r:CODE>601</r:CODE>' +
        "<Message>Call not found with ID '<![CDATA[a<b]]>&amp;&#65;&#x42;&apos;'</Message>" +
        '<Extra a="1">x &lt; y</Extra></r:response><!-- end -->\n',
    );
    expect(parsed).toEqual({
      code: 601,
      message: "Call not found with ID 'a<b&AB''",
      fields: { Extra: 'x < y' },
    });
  });

  test('reads durations as plain seconds or .NET TimeSpans', () => {
    const parsed = parseOzekiApiResponse(
      '<Response><Code>200</Code><ActiveCalls>' +
        '<CallInfo><CallState>Hold</CallState><CallId>a</CallId><RingDuration>1.5</RingDuration><TalkDuration>01:02:03</TalkDuration></CallInfo>' +
        '<CallInfo><CallState>InCall</CallState><CallId>b</CallId><CallerId/><TalkDuration>1.00:00:01.25</TalkDuration></CallInfo>' +
        '</ActiveCalls></Response>',
    );
    expect(parsed.calls).toEqual([
      { callState: 'Hold', callId: 'a', ringDuration: 1.5, talkDuration: 3723 },
      { callState: 'InCall', callId: 'b', callerId: '', talkDuration: 86401.25 },
    ]);
  });

  test.each([
    ['a CallInfo without CallId', '<CallInfo><CallState>InCall</CallState></CallInfo>'],
    ['a CallInfo without CallState', '<CallInfo><CallId>a</CallId></CallInfo>'],
    [
      'a duration that is not seconds',
      '<CallInfo><CallState>InCall</CallState><CallId>a</CallId><TalkDuration>long</TalkDuration></CallInfo>',
    ],
  ])('%s is CC_ERR_UPSTREAM_INVALID', (_what, callInfo) => {
    const error = thrown(() =>
      parseOzekiApiResponse(
        `<Response><Code>200</Code><ActiveCalls>${callInfo}</ActiveCalls></Response>`,
      ),
    );
    expect(error).toBeInstanceOf(CallControlError);
    expect((error as CallControlError).code).toBe('CC_ERR_UPSTREAM_INVALID');
  });

  test.each([
    ['an unclosed root', '<Response><Code>200</Code>'],
    ['an unclosed child', '<Response><Code>200</Response>'],
    ['text after the root', '<Response><Code>200</Code></Response>trailing'],
    ['a second root', '<Response><Code>200</Code></Response><Response/>'],
    ['an undefined entity', '<Response><Code>200</Code><Message>&nbsp;</Message></Response>'],
    ['a duplicate attribute', '<Response a="1" a="2"><Code>200</Code></Response>'],
    ['"<" in an attribute', '<Response a="<"><Code>200</Code></Response>'],
    ['a declaration not first', '<Response><?xml version="1.0"?><Code>200</Code></Response>'],
    ['an unclosed comment', '<Response><Code>200</Code><!-- </Response>'],
    ['a DOCTYPE', '<!DOCTYPE Response><Response><Code>200</Code></Response>'],
    ['whitespace only', '  \n '],
    ['deep nesting', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`],
  ])('%s is CC_ERR_UPSTREAM_INVALID', (_what, xml) => {
    const error = thrown(() => parseOzekiApiResponse(xml));
    expect(error).toBeInstanceOf(CallControlError);
    expect((error as CallControlError).code).toBe('CC_ERR_UPSTREAM_INVALID');
  });

  // The parser (@xmldom/xmldom) is lenient where that cannot turn a broken answer into a
  // success: stray characters in a message are kept as they are.
  test.each([
    ['a bare &', '<Response><Code>200</Code><Message>a & b</Message></Response>', 'a & b'],
    [
      'an unquoted attribute',
      '<Response><Hangup CallId=23Xdz7></Hangup><Code>200</Code><Message>m</Message></Response>',
      'm',
    ],
    [
      'a control character',
      '<Response><Code>200</Code><Message>\u0001</Message></Response>',
      '\u0001',
    ],
  ])('%s is tolerated', (_what, xml, message) => {
    expect(parseOzekiApiResponse(xml)).toMatchObject({ code: 200, message });
  });
});

describe('renderOzekiApiResponse', () => {
  test('writes Code and Message with the 2001 namespaces by default', () => {
    expect(renderOzekiApiResponse({ code: 200 })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><Code>200</Code><Message>Command successfully executed</Message></Response>',
    );
  });

  test('the default message of a documented code is its template, placeholders left', () => {
    expect(parseOzekiApiResponse(renderOzekiApiResponse({ code: 601 })).message).toBe(
      "Call not found with ID '{0}'",
    );
  });

  test('escapes text, which reads back unchanged', () => {
    const message = `a < b & "c" 'd' ]]> &amp; \r\n\t`;
    const smsId = '</SmsId><Code>200</Code>';
    const parsed = parseOzekiApiResponse(renderOzekiApiResponse({ code: 302, message, smsId }));
    expect(parsed.code).toBe(302);
    expect(parsed.message).toBe(message.trim());
    expect(parsed.smsId).toBe(smsId);
  });

  test.each([
    ['a fractional code', { code: 200.5 }],
    ['a negative code', { code: -1 }],
    ['an undocumented code without message', { code: 999 }],
    ['unknown namespaces', { code: 200, namespaces: 'ozeki11' }],
    [
      'a negative duration',
      { code: 200, activeCalls: [{ callState: 'InCall', callId: 'a', ringDuration: -1 }] },
    ],
  ])('%s is a TypeError', (_what, options) => {
    expect(
      thrown(() =>
        renderOzekiApiResponse(options as unknown as Parameters<typeof renderOzekiApiResponse>[0]),
      ),
    ).toBeInstanceOf(TypeError);
  });

  test('a character XML cannot carry is CC_ERR_ANSWER_INVALID', () => {
    const error = thrown(() => renderOzekiApiResponse({ code: 200, message: 'a\u0000b' }));
    expect((error as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
  });
});
