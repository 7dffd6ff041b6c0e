/**
 * The Opentact REST client against a fake Opentact on 127.0.0.1 (spec §2.1 mode 3, §2.5, §6):
 * both push endpoints with the multipart `file` field exactly, the `X-Auth-Token` header, the
 * `{"success": …}` envelope, answers that are not the envelope, redirects, transport failures,
 * and that the token never reaches an error.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { CallControlError } from '../../../src/core/errors';
import {
  createOpentactClient,
  OPENTACT_API_BASE_URL,
  OPENTACT_MAX_RESPONSE_BYTES,
  OPENTACT_STAGING_BASE_URL,
  OpentactApiError,
  type OpentactClientOptions,
} from '../../../src/providers/opentact/client';
import { baseUrlOf, listenOnLoopback } from '../../helpers/server';
import { thrown } from '../../helpers/assert';

// ---------------------------------------------------------------------------------------------
// The fake Opentact
// ---------------------------------------------------------------------------------------------

/** The multipart `file` part as the fake received it. */
interface RecordedFile {
  /** The form field's name. */
  readonly field: string;
  readonly filename: string;
  readonly type: string;
  readonly text: string;
}

/** One request as the fake Opentact received it. */
interface Recorded {
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/rest/sip/app/call/online`. */
  readonly path: string;
  readonly pathname: string;
  readonly query: [string, string][];
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as text. */
  readonly body: string;
  /** The names of every multipart field, in order (`[]` for a body that is not multipart). */
  readonly fields: string[];
  /** Every multipart part that is a file. */
  readonly files: RecordedFile[];
}

/** What the fake answers. */
type Reply =
  /** JSON (`application/json`) with HTTP 200 or `status`. */
  | { json: unknown; status?: number; headers?: Record<string, string> }
  /** A body as is. */
  | { status?: number; headers?: Record<string, string>; body: string | Buffer }
  /** A body of `bytes` bytes, written in chunks without Content-Length (chunked). */
  | { chunkedBytes: number }
  /** The start of a body, then nothing more: the connection stays open, or is reset. */
  | { partial: string; then?: 'reset' }
  /** No answer at all. */
  | 'never';

const CALL_UUID = '6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0+/=.Tok3n-S3cr3t';
const XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n    <Answer/>\n    <Say>Thank you for calling Opentact.</Say>\n    <Hangup/>\n</Response>';

/** A call entity as Opentact sends it (trimmed from spec §4.3 Fixture E). */
const CALL = {
  uuid: CALL_UUID,
  direction: 'in',
  from: '+14158531285',
  to: 18382050010,
  state: 'live',
  type: 'CallSCA',
  tn: { tn: 18382050010, registered: true, deleted_on: null },
};

const OK: Reply = { json: { success: true, payload: CALL } };

async function fakeOpentact(reply: (request: Recorded) => Reply = () => OK) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const path = req.url ?? '/';
        const url = new URL(path, 'http://127.0.0.1');
        const raw = Buffer.concat(chunks);
        const contentType = req.headers['content-type'] ?? '';
        const fields: string[] = [];
        const files: RecordedFile[] = [];
        if (contentType.startsWith('multipart/form-data')) {
          const form = await new Response(raw, {
            headers: { 'content-type': contentType },
          }).formData();
          for (const [field, value] of form.entries()) {
            fields.push(field);
            if (typeof value !== 'string') {
              files.push({
                field,
                filename: value.name,
                type: value.type,
                text: await value.text(),
              });
            }
          }
        }
        const recorded: Recorded = {
          method: req.method ?? '',
          path,
          pathname: url.pathname,
          query: [...url.searchParams],
          headers: req.headers,
          body: raw.toString('utf8'),
          fields,
          files,
        };
        requests.push(recorded);
        const answer = reply(recorded);
        if (answer === 'never') return;
        if ('json' in answer) {
          res
            .writeHead(answer.status ?? 200, {
              'content-type': 'application/json; charset=utf-8',
              ...answer.headers,
            })
            .end(JSON.stringify(answer.json));
        } else if ('chunkedBytes' in answer) {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          let left = answer.chunkedBytes;
          const write = (): void => {
            while (left > 0) {
              const size = Math.min(left, chunk.length);
              left -= size;
              if (!res.write(chunk.subarray(0, size))) {
                res.once('drain', write);
                return;
              }
            }
            res.end();
          };
          write();
        } else if ('partial' in answer) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(answer.partial);
          if (answer.then === 'reset') setTimeout(() => res.destroy(), 20);
        } else {
          res
            .writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers })
            .end(answer.body);
        }
      })();
    });
  });
  const listening = await listenOnLoopback(server);
  const origin = baseUrlOf(listening);
  return { requests, origin, baseUrl: `${origin}/rest` };
}

/** A client for a fake, with the test token. */
function clientFor(baseUrl: string, options: Partial<OpentactClientOptions> = {}) {
  return createOpentactClient({ token: TOKEN, baseUrl, timeoutMs: 2000, ...options });
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

/** The OpentactApiError a promise rejects with, checked to be one. */
async function refusal(promise: Promise<unknown>): Promise<OpentactApiError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(OpentactApiError);
  expect((error as OpentactApiError).code).toBe('CC_ERR_UPSTREAM_REFUSED');
  expect((error as OpentactApiError).status).toBe(502);
  return error as OpentactApiError;
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

describe('createOpentactClient options', () => {
  test.each([
    ['no token', {}],
    ['an empty token', { token: '' }],
    ['a token that is not a string', { token: 42 }],
    ['a token with a space', { token: 'abc def' }],
    ['a token with a line break', { token: 'abc\r\nX-Evil: 1' }],
    ['a token with non-ASCII', { token: 'tökén' }],
    ['an ftp URL', { token: 't', baseUrl: 'ftp://127.0.0.1/rest' }],
    ['a relative URL', { token: 't', baseUrl: '/rest' }],
    ['not a URL', { token: 't', baseUrl: 'opentact' }],
    ['credentials in the URL', { token: 't', baseUrl: 'https://me:pw@api.opentact.org/rest' }],
    ['a query', { token: 't', baseUrl: 'https://api.opentact.org/rest?jwt=x' }],
    ['a fragment', { token: 't', baseUrl: 'https://api.opentact.org/rest#x' }],
    ['a timeout of 0', { token: 't', timeoutMs: 0 }],
    ['a negative timeout', { token: 't', timeoutMs: -1 }],
    ['a NaN timeout', { token: 't', timeoutMs: Number.NaN }],
    ['an infinite timeout', { token: 't', timeoutMs: Infinity }],
    ['a timeout given as text', { token: 't', timeoutMs: '1000' }],
    ['an unknown option', { token: 't', timeout: 1000 }],
    ['options that are not an object', 'token'],
  ])('%s is a TypeError', (_what, options) => {
    expect(
      thrown(() => createOpentactClient(options as unknown as OpentactClientOptions)),
    ).toBeInstanceOf(TypeError);
  });

  test('errors about options never quote the token', () => {
    for (const options of [
      { token: 'S3cret token' },
      { token: 'S3cret-token', baseUrl: 'gopher://x' },
      { token: 'S3cret-token', timeoutMs: 0 },
    ]) {
      const error = thrown(() => createOpentactClient(options));
      expect(error).toBeInstanceOf(TypeError);
      expect(inspect(error)).not.toContain('S3cret');
    }
  });

  test('the production and staging base URLs are exported; defaults are accepted', () => {
    expect(OPENTACT_API_BASE_URL).toBe('https://api.opentact.org/rest');
    expect(OPENTACT_STAGING_BASE_URL).toBe('https://api.stage.opentact.org/rest');
    expect(() => createOpentactClient({ token: TOKEN })).not.toThrow();
    expect(() =>
      createOpentactClient({ token: TOKEN, baseUrl: OPENTACT_STAGING_BASE_URL, timeoutMs: 1 }),
    ).not.toThrow();
    expect(() =>
      createOpentactClient({ token: TOKEN, baseUrl: undefined, timeoutMs: undefined }),
    ).not.toThrow();
  });

  test('the client is frozen', () => {
    expect(Object.isFrozen(createOpentactClient({ token: TOKEN }))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// pushCallFlow
// ---------------------------------------------------------------------------------------------

describe('pushCallFlow', () => {
  test('POSTs multipart with exactly one field "file" (call_flow.xml, text/xml) to /call/sca/{uuid} with X-Auth-Token', async () => {
    const fake = await fakeOpentact();
    const result = await clientFor(fake.baseUrl).pushCallFlow(CALL_UUID, XML);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/rest/call/sca/${CALL_UUID}`);
    expect(request?.headers['x-auth-token']).toBe(TOKEN);
    expect(request?.headers['authorization']).toBeUndefined();
    expect(request?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=\S+$/);
    expect(request?.fields).toEqual(['file']);
    expect(request?.files).toEqual([
      { field: 'file', filename: 'call_flow.xml', type: 'text/xml', text: XML },
    ]);
    expect(request?.body).toContain(
      'Content-Disposition: form-data; name="file"; filename="call_flow.xml"\r\nContent-Type: text/xml\r\n\r\n',
    );
    expect(result).toEqual({
      callUuid: CALL_UUID,
      endpoint: 'sca',
      payload: CALL,
      call: {
        uuid: CALL_UUID,
        direction: 'in',
        from: '+14158531285',
        to: '18382050010',
        state: 'live',
        raw: CALL,
      },
    });
  });

  test('endpoint \'legacy\' POSTs the same part to /sip/app/call/{uuid} (OAS "Post call XML")', async () => {
    const fake = await fakeOpentact();
    const result = await clientFor(fake.baseUrl).pushCallFlow(CALL_UUID, XML, {
      endpoint: 'legacy',
    });
    expect(result.endpoint).toBe('legacy');
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/rest/sip/app/call/${CALL_UUID}`);
    expect(request?.headers['x-auth-token']).toBe(TOKEN);
    expect(request?.files).toEqual([
      { field: 'file', filename: 'call_flow.xml', type: 'text/xml', text: XML },
    ]);
  });

  test("endpoint 'sca' given explicitly, and a base URL without a path or with a trailing slash", async () => {
    const fake = await fakeOpentact();
    await clientFor(fake.origin).pushCallFlow(CALL_UUID, XML, { endpoint: 'sca' });
    await clientFor(`${fake.origin}/rest/`).pushCallFlow(CALL_UUID, XML);
    expect(fake.requests.map((request) => request.path)).toEqual([
      `/call/sca/${CALL_UUID}`,
      `/rest/call/sca/${CALL_UUID}`,
    ]);
  });

  test('an answer object with toXml() is rendered and sent', async () => {
    const fake = await fakeOpentact();
    const answer = { toXml: () => '<Response><Hangup/></Response>' };
    await clientFor(fake.baseUrl).pushCallFlow(CALL_UUID, answer);
    expect(fake.requests[0]?.files[0]?.text).toBe('<Response><Hangup/></Response>');
  });

  test('non-ASCII XML arrives as UTF-8, unchanged; an upper-case UUID is sent as given', async () => {
    const fake = await fakeOpentact();
    const xml = '<Response><Say lang="de-DE">Grüße, 你好 — €</Say></Response>';
    await clientFor(fake.baseUrl).pushCallFlow(CALL_UUID.toUpperCase(), xml);
    expect(fake.requests[0]?.files[0]?.text).toBe(xml);
    expect(fake.requests[0]?.pathname).toBe(`/rest/call/sca/${CALL_UUID.toUpperCase()}`);
  });

  test('a payload that is not a call is returned as is, without call', async () => {
    const fake = await fakeOpentact(() => ({ json: { success: true, payload: 'queued' } }));
    expect(await clientFor(fake.baseUrl).pushCallFlow(CALL_UUID, XML)).toEqual({
      callUuid: CALL_UUID,
      endpoint: 'sca',
      payload: 'queued',
    });
    const empty = await fakeOpentact(() => ({ json: { success: true } }));
    const result = await clientFor(empty.baseUrl).pushCallFlow(CALL_UUID, XML);
    expect(result.payload).toBeUndefined();
    expect(result.call).toBeUndefined();
  });

  test.each<[string, unknown, unknown, unknown?]>([
    ['an empty uuid', '', XML],
    ['a uuid without dashes', '6a1ffcf8abaf422a9bfcec1349a2b81c', XML],
    ['a uuid with a path', `${CALL_UUID}/../../auth`, XML],
    ['a uuid with a query', `${CALL_UUID}?x=1`, XML],
    ['a uuid with spaces', ` ${CALL_UUID} `, XML],
    ['a number as uuid', 42, XML],
    ['an empty XML', CALL_UUID, ''],
    ['a blank XML', CALL_UUID, ' \n\t '],
    ['a toXml() that renders nothing', CALL_UUID, { toXml: () => '' }],
    ['a toXml() that returns no string', CALL_UUID, { toXml: () => 42 }],
    ['an object without toXml()', CALL_UUID, { xml: XML }],
    ['no call flow', CALL_UUID, undefined],
    ['XML with a lone surrogate', CALL_UUID, '<Response><Say>\uD800</Say></Response>'],
    ['an unknown endpoint', CALL_UUID, XML, { endpoint: 'v2' }],
    ['an unknown option', CALL_UUID, XML, { endpont: 'sca' }],
  ])('%s rejects with a TypeError and sends nothing', async (_what, ...args) => {
    // `...args`, not named parameters: jest takes a 4th parameter for `done` on 3-value rows.
    const fake = await fakeOpentact();
    const client = clientFor(fake.baseUrl);
    const push = client.pushCallFlow as (...args: unknown[]) => Promise<unknown>;
    const error = await rejection(push(...args));
    expect(error).toBeInstanceOf(TypeError);
    expect(fake.requests).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// getCall, listOnlineCalls, request
// ---------------------------------------------------------------------------------------------

describe('getCall, listOnlineCalls and request', () => {
  test('getCall GETs /sip/app/call/{uuid} and reads the call lightly typed', async () => {
    const fake = await fakeOpentact();
    const call = await clientFor(fake.baseUrl).getCall(CALL_UUID);
    expect(call).toEqual({
      uuid: CALL_UUID,
      direction: 'in',
      from: '+14158531285',
      to: '18382050010',
      state: 'live',
      raw: CALL,
    });
    const [request] = fake.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(`/rest/sip/app/call/${CALL_UUID}`);
    expect(request?.headers['x-auth-token']).toBe(TOKEN);
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.body).toBe('');
  });

  test('getCall leaves out fields that are missing or of another type', async () => {
    const fake = await fakeOpentact(() => ({
      json: { success: true, payload: { uuid: CALL_UUID, state: null, from: true } },
    }));
    expect(await clientFor(fake.baseUrl).getCall(CALL_UUID)).toEqual({
      uuid: CALL_UUID,
      raw: { uuid: CALL_UUID, state: null, from: true },
    });
  });

  test('getCall with a payload that is not an object is CC_ERR_UPSTREAM_INVALID', async () => {
    const fake = await fakeOpentact(() => ({ json: { success: true, payload: [CALL] } }));
    const error = await failure(clientFor(fake.baseUrl).getCall(CALL_UUID));
    expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
  });

  test('getCall with an invalid uuid rejects with a TypeError and sends nothing', async () => {
    const fake = await fakeOpentact();
    expect(await rejection(clientFor(fake.baseUrl).getCall('online'))).toBeInstanceOf(TypeError);
    expect(fake.requests).toEqual([]);
  });

  test('listOnlineCalls GETs /sip/app/call/online and reads a list or a page', async () => {
    const second = { uuid: '1c7091a5-ba1f-46a2-bf06-b1137cb6b683', direction: 'out' };
    const fake = await fakeOpentact((request) =>
      request.query.length === 0
        ? { json: { success: true, payload: [CALL, second] } }
        : { json: { success: true, payload: { take: 10, skip: 0, total: 1, data: [second] } } },
    );
    const client = clientFor(fake.baseUrl);
    const calls = await client.listOnlineCalls();
    expect(calls.map((call) => call.uuid)).toEqual([CALL_UUID, second.uuid]);
    expect(calls[1]).toEqual({ uuid: second.uuid, direction: 'out', raw: second });
    expect(fake.requests[0]?.method).toBe('GET');
    expect(fake.requests[0]?.path).toBe('/rest/sip/app/call/online');
    expect(fake.requests[0]?.headers['x-auth-token']).toBe(TOKEN);
    // A page, reached through request() to tell the answers apart.
    expect(await client.request('GET', '/sip/app/call/online', { query: { take: 10 } })).toEqual({
      take: 10,
      skip: 0,
      total: 1,
      data: [second],
    });
    const paged = await fakeOpentact(() => ({
      json: { success: true, payload: { take: 10, skip: 0, total: 1, data: [second] } },
    }));
    expect(await clientFor(paged.baseUrl).listOnlineCalls()).toEqual([
      { uuid: second.uuid, direction: 'out', raw: second },
    ]);
  });

  test.each([
    ['a payload that is no list', { total: 0 }],
    ['an entry that is not an object', [CALL, 'x']],
  ])('listOnlineCalls with %s is CC_ERR_UPSTREAM_INVALID', async (_what, payload) => {
    const fake = await fakeOpentact(() => ({ json: { success: true, payload } }));
    const error = await failure(clientFor(fake.baseUrl).listOnlineCalls());
    expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
  });

  test('request sends the method, the path below baseUrl, the query and a JSON body', async () => {
    const fake = await fakeOpentact(() => ({
      json: { success: true, payload: { take: 100, skip: 0, total: 0, data: [] } },
    }));
    const client = clientFor(fake.baseUrl);
    const payload = await client.request('POST', '/sip/app/call/search', {
      query: { take: 100, skip: 0, debug: false, absent: undefined, q: 'a b&c' },
      json: { mode: 'AND', order: { created_on: 'DESC' } },
    });
    expect(payload).toEqual({ take: 100, skip: 0, total: 0, data: [] });
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.pathname).toBe('/rest/sip/app/call/search');
    expect(request?.query).toEqual([
      ['take', '100'],
      ['skip', '0'],
      ['debug', 'false'],
      ['q', 'a b&c'],
    ]);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-auth-token']).toBe(TOKEN);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      mode: 'AND',
      order: { created_on: 'DESC' },
    });
  });

  test('request without options, with DELETE and with PATCH', async () => {
    const fake = await fakeOpentact(() => ({ json: { success: true, payload: null } }));
    const client = clientFor(fake.baseUrl);
    expect(await client.request('GET', '/account')).toBeNull();
    await client.request('DELETE', `/sip/app/call/flow/${CALL_UUID}`);
    await client.request('PATCH', '/account/notification', { json: { balance: true } });
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /rest/account',
      `DELETE /rest/sip/app/call/flow/${CALL_UUID}`,
      'PATCH /rest/account/notification',
    ]);
    expect(fake.requests[0]?.headers['content-type']).toBeUndefined();
  });

  test.each<[string, unknown, unknown, unknown?]>([
    ['an unknown method', 'HEAD', '/account'],
    ['a lower-case method', 'get', '/account'],
    ['a path without "/"', 'GET', 'account'],
    ['an empty path', 'GET', ''],
    ['a path with a query', 'GET', '/account?x=1'],
    ['a path with a fragment', 'GET', '/account#x'],
    ['a path with ".."', 'GET', '/sip/../auth'],
    ['a path with "%2e%2e"', 'GET', '/sip/%2e%2e/auth'],
    ['a path with "."', 'GET', '/./auth'],
    ['a path with "//"', 'GET', '//evil.example/x'],
    ['a path with a space', 'GET', '/a b'],
    ['a path with a backslash', 'GET', '/a\\b'],
    ['a broken percent-encoding', 'GET', '/a%zz'],
    ['json with GET', 'GET', '/account', { json: {} }],
    ['json that cannot be written', 'POST', '/x', { json: { n: 1n } }],
    ['a query value that is an object', 'GET', '/x', { query: { a: {} } }],
    ['a query value that is NaN', 'GET', '/x', { query: { a: Number.NaN } }],
    ['an unknown option', 'GET', '/x', { body: 'x' }],
  ])('request with %s rejects with a TypeError and sends nothing', async (_what, ...args) => {
    // `...args`, not named parameters: jest takes a 4th parameter for `done` on 3-value rows.
    const fake = await fakeOpentact();
    const request = clientFor(fake.baseUrl).request as (...args: unknown[]) => Promise<unknown>;
    const error = await rejection(request(...args));
    expect(error).toBeInstanceOf(TypeError);
    expect(fake.requests).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The envelope
// ---------------------------------------------------------------------------------------------

describe('the envelope (spec §6)', () => {
  test('success: true resolves with the payload exactly', async () => {
    const payload = { uuid: CALL_UUID, nested: [1, 'two', { three: null }], balance: 873.06067 };
    const fake = await fakeOpentact(() => ({ json: { success: true, payload } }));
    expect(await clientFor(fake.baseUrl).request('GET', '/x')).toEqual(payload);
  });

  test('success: false with message and status (HTTP 200) is an OpentactApiError with both', async () => {
    const fake = await fakeOpentact(() => ({
      json: { success: false, message: 'Call not found', status: 404 },
    }));
    const error = await refusal(clientFor(fake.baseUrl).pushCallFlow(CALL_UUID, XML));
    expect(error.httpStatus).toBe(200);
    expect(error.opentactMessage).toBe('Call not found');
    expect(error.opentactStatus).toBe(404);
    expect(error.tokenRefused).toBe(false);
    expect(error.method).toBe('POST');
    expect(error.path).toBe(`/call/sca/${CALL_UUID}`);
    expect(error.message).toContain('Call not found');
    expect(error.message).toContain('404');
    expect(error).toBeInstanceOf(CallControlError);
    expect(error.expose).toBe(false);
  });

  test('success: false with an HTTP error status, without status, with a list of messages', async () => {
    const answers: Reply[] = [
      { status: 400, json: { success: false, message: 'file is required', status: 400 } },
      { status: 500, json: { success: false, message: 'Internal error' } },
      { json: { success: false, message: ['to must be a number', 'from is empty'] } },
      { json: { success: false } },
    ];
    const fake = await fakeOpentact(() => answers[fake.requests.length - 1] ?? OK);
    const client = clientFor(fake.baseUrl);
    const errors: OpentactApiError[] = [];
    for (let i = 0; i < answers.length; i++) {
      errors.push(await refusal(client.request('POST', '/x')));
    }
    expect(
      errors.map((error) => [error.httpStatus, error.opentactMessage, error.opentactStatus]),
    ).toEqual([
      [400, 'file is required', 400],
      [500, 'Internal error', undefined],
      [200, 'to must be a number; from is empty', undefined],
      [200, '', undefined],
    ]);
    expect(errors[3]?.message).toContain('(no message)');
  });

  test.each<[string, Reply]>([
    [
      'HTTP 401 with the envelope',
      { status: 401, json: { success: false, message: 'Unauthorized', status: 401 } },
    ],
    ['HTTP 401 without a body', { status: 401, body: '' }],
    ['HTTP 401 with an HTML page', { status: 401, body: '<html><body>401</body></html>' }],
    ['HTTP 403 with the envelope', { status: 403, json: { success: false, message: 'Forbidden' } }],
    ['HTTP 403 with "success": true (sic)', { status: 403, json: { success: true, payload: {} } }],
  ])('%s is an OpentactApiError saying the token was refused', async (_what, reply) => {
    const fake = await fakeOpentact(() => reply);
    const error = await refusal(clientFor(fake.baseUrl).listOnlineCalls());
    expect(error.tokenRefused).toBe(true);
    expect([401, 403]).toContain(error.httpStatus);
    expect(error.message).toContain('token was refused');
  });

  test('HTTP 200 with success: false and status 401 also says the token was refused', async () => {
    const fake = await fakeOpentact(() => ({
      json: { success: false, message: 'jwt expired', status: 401 },
    }));
    const error = await refusal(clientFor(fake.baseUrl).getCall(CALL_UUID));
    expect(error.tokenRefused).toBe(true);
    expect(error.opentactMessage).toBe('jwt expired');
  });
});

// ---------------------------------------------------------------------------------------------
// Answers that are not the envelope
// ---------------------------------------------------------------------------------------------

describe('answers that are not the envelope are CC_ERR_UPSTREAM_INVALID', () => {
  test.each<[string, Reply]>([
    [
      'an HTML 502 page of a proxy',
      {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
      },
    ],
    ['an HTML page with HTTP 200', { headers: { 'content-type': 'text/html' }, body: '<html/>' }],
    ['plain text with HTTP 200', { body: 'OK' }],
    ['an empty body with HTTP 200', { body: '' }],
    ['an empty body with HTTP 204', { status: 204, body: '' }],
    ['truncated JSON', { body: '{"success":true,"payload":' }],
    ['JSON without success', { json: { payload: CALL } }],
    ['JSON with success as text', { json: { success: 'true', payload: CALL } }],
    ['a JSON array', { json: [{ success: true }] }],
    ['JSON null', { json: null }],
    ['HTTP 500 with JSON that is no envelope', { status: 500, json: { error: 'boom' } }],
    ['HTTP 500 with "success": true', { status: 500, json: { success: true, payload: {} } }],
    ['HTTP 404 with text', { status: 404, body: 'Cannot POST /rest/call/sca' }],
    ['a body that is not UTF-8', { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }],
  ])('%s', async (_what, reply) => {
    const fake = await fakeOpentact(() => reply);
    const error = await failure(clientFor(fake.baseUrl).pushCallFlow(CALL_UUID, XML));
    expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
    expect(error.status).toBe(502);
    expect(error).not.toBeInstanceOf(OpentactApiError);
  });

  test('the HTML 502 page names the HTTP status in the message', async () => {
    const fake = await fakeOpentact(() => ({ status: 502, body: '<html>Bad Gateway</html>' }));
    const error = await failure(clientFor(fake.baseUrl).listOnlineCalls());
    expect(error.message).toContain('HTTP 502');
  });

  test.each([301, 302, 307, 308])(
    'a %i redirect is not followed (it would carry the token elsewhere)',
    async (status) => {
      const fake = await fakeOpentact((request) =>
        request.pathname.startsWith('/rest/')
          ? { status, headers: { location: `/elsewhere${request.pathname}` }, body: '' }
          : OK,
      );
      const error = await failure(clientFor(fake.baseUrl).pushCallFlow(CALL_UUID, XML));
      expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
      expect(error.message).toContain(`HTTP ${status}`);
      expect(error.message).toContain('redirect not followed');
      expect(error.message).toContain('HTTPS-only');
      expect(fake.requests.map((request) => request.pathname)).toEqual([
        `/rest/call/sca/${CALL_UUID}`,
      ]);
    },
  );

  test('an answer over 4 MiB with Content-Length is refused without reading it', async () => {
    const big = Buffer.alloc(OPENTACT_MAX_RESPONSE_BYTES + 1, 0x20);
    const fake = await fakeOpentact(() => ({
      headers: { 'content-type': 'application/json' },
      body: big,
    }));
    const error = await failure(clientFor(fake.baseUrl).request('GET', '/x'));
    expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
    expect(error.message).toContain(`larger than ${OPENTACT_MAX_RESPONSE_BYTES} bytes`);
  });

  test('a chunked answer over 4 MiB is cut off at the limit', async () => {
    const fake = await fakeOpentact(() => ({ chunkedBytes: OPENTACT_MAX_RESPONSE_BYTES + 65536 }));
    const error = await failure(clientFor(fake.baseUrl).request('GET', '/x'));
    expect(error.code).toBe('CC_ERR_UPSTREAM_INVALID');
    expect(error.message).toContain('larger than');
  });

  test('an answer of exactly 4 MiB is still read', async () => {
    const head = '{"success":true,"payload":"';
    const tail = '"}';
    const filler = 'x'.repeat(OPENTACT_MAX_RESPONSE_BYTES - head.length - tail.length);
    const fake = await fakeOpentact(() => ({ body: `${head}${filler}${tail}` }));
    const payload = await clientFor(fake.baseUrl).request('GET', '/x');
    expect(typeof payload === 'string' ? payload.length : -1).toBe(filler.length);
  });
});

// ---------------------------------------------------------------------------------------------
// Transport failures
// ---------------------------------------------------------------------------------------------

describe('transport failures', () => {
  test('connection refused is CC_ERR_UPSTREAM_UNREACHABLE', async () => {
    const port = await closedPort();
    const client = clientFor(`http://127.0.0.1:${port}/rest`);
    const error = await failure(client.pushCallFlow(CALL_UUID, XML));
    expect(error.code).toBe('CC_ERR_UPSTREAM_UNREACHABLE');
    expect(error.status).toBe(502);
    expect(error.message).toContain('ECONNREFUSED');
  });

  test('a server that never answers is CC_ERR_UPSTREAM_TIMEOUT after timeoutMs', async () => {
    const fake = await fakeOpentact(() => 'never');
    const client = clientFor(fake.baseUrl, { timeoutMs: 200 });
    const started = performance.now();
    const error = await failure(client.pushCallFlow(CALL_UUID, XML));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('CC_ERR_UPSTREAM_TIMEOUT');
    expect(error.status).toBe(504);
    expect(error.message).toContain('200 ms');
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3000);
    expect(fake.requests).toHaveLength(1);
  });

  test('an answer whose body never ends is a timeout too (the limit covers the body)', async () => {
    const fake = await fakeOpentact(() => ({ partial: '{"success":true,"payload":' }));
    const client = clientFor(fake.baseUrl, { timeoutMs: 200 });
    const started = performance.now();
    const error = await failure(client.getCall(CALL_UUID));
    expect(error.code).toBe('CC_ERR_UPSTREAM_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  test('a connection reset in the middle of the body is CC_ERR_UPSTREAM_UNREACHABLE', async () => {
    const fake = await fakeOpentact(() => ({ partial: '{"success":true,', then: 'reset' }));
    const error = await failure(clientFor(fake.baseUrl).listOnlineCalls());
    expect(error.code).toBe('CC_ERR_UPSTREAM_UNREACHABLE');
  });
});

// ---------------------------------------------------------------------------------------------
// The token never reaches an error
// ---------------------------------------------------------------------------------------------

describe('the token never appears in errors', () => {
  const FORMS = [TOKEN, encodeURIComponent(TOKEN)];

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

  function expectNoToken(error: unknown): void {
    const texts = [
      ...stringsIn(error),
      String(error),
      inspect(error, { depth: 8, showHidden: true }),
      JSON.stringify(error),
    ];
    for (const form of FORMS) {
      for (const text of texts) expect(text).not.toContain(form);
    }
  }

  /** The error of a push to a fake answering `reply`, checking the token did go out. */
  async function errorFrom(
    reply: (request: Recorded) => Reply,
    timeoutMs = 2000,
  ): Promise<CallControlError> {
    const fake = await fakeOpentact(reply);
    const error = await failure(
      clientFor(fake.baseUrl, { timeoutMs }).pushCallFlow(CALL_UUID, XML),
    );
    expect(fake.requests[0]?.headers['x-auth-token']).toBe(TOKEN);
    return error;
  }

  test.each<[string, (request: Recorded) => Reply, string]>([
    [
      'success: false quoting the token',
      (request) => ({
        json: {
          success: false,
          message: `Invalid token ${String(request.headers['x-auth-token'])}`,
        },
      }),
      'CC_ERR_UPSTREAM_REFUSED',
    ],
    [
      'HTTP 401 quoting the token URL-encoded',
      () => ({
        status: 401,
        json: { success: false, message: `jwt=${encodeURIComponent(TOKEN)} expired`, status: 401 },
      }),
      'CC_ERR_UPSTREAM_REFUSED',
    ],
    [
      'an HTML page quoting the token',
      () => ({ status: 500, headers: { 'content-type': 'text/html' }, body: `<p>${TOKEN}</p>` }),
      'CC_ERR_UPSTREAM_INVALID',
    ],
    [
      'non-JSON with HTTP 200 quoting the token (JSON.parse would quote it)',
      () => ({ headers: { 'content-type': `text/plain; t=${TOKEN}` }, body: `<${TOKEN}>` }),
      'CC_ERR_UPSTREAM_INVALID',
    ],
    [
      'a redirect to a URL with the token',
      () => ({
        status: 302,
        headers: { location: `https://evil.example/?jwt=${TOKEN}` },
        body: '',
      }),
      'CC_ERR_UPSTREAM_INVALID',
    ],
    ['a server that never answers', () => 'never', 'CC_ERR_UPSTREAM_TIMEOUT'],
  ])('%s', async (_what, reply, code) => {
    const error = await errorFrom(reply, code === 'CC_ERR_UPSTREAM_TIMEOUT' ? 150 : 2000);
    expect(error.code).toBe(code);
    expectNoToken(error);
  });

  test('the refused message has the token replaced by ***', async () => {
    const error = await errorFrom(() => ({
      json: { success: false, message: `Invalid token ${TOKEN}` },
    }));
    expect((error as OpentactApiError).opentactMessage).toBe('Invalid token ***');
  });

  test('connection refused', async () => {
    const port = await closedPort();
    const error = await failure(
      clientFor(`http://127.0.0.1:${port}/rest`).pushCallFlow(CALL_UUID, XML),
    );
    expect(error.code).toBe('CC_ERR_UPSTREAM_UNREACHABLE');
    expectNoToken(error);
  });

  test('TypeErrors for arguments', async () => {
    const fake = await fakeOpentact();
    const client = clientFor(fake.baseUrl);
    for (const promise of [
      client.pushCallFlow('nope', XML),
      client.pushCallFlow(CALL_UUID, ''),
      client.request('GET', 'bad'),
    ]) {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(TypeError);
      expectNoToken(error);
    }
  });
});
