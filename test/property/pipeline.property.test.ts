/**
 * Property: through the real Express middleware of each provider's `createApp()`, listening on
 * 127.0.0.1, any method, path, query string, content type, body (text or random bytes) and
 * extra headers get either 200 with a well-formed XML answer, or a coded 4xx —
 * `<Error code="CC_ERR_…">` with the status of that code, as `application/xml; charset=utf-8`,
 * and no body for HEAD. Never a 5xx, never a hang.
 *
 * Half the requests are ones the provider sends (its event names, methods and content type)
 * with hostile field values, so they reach the handlers; the handlers answer with strings
 * taken from the request (caller ids, digits…), and every string a handler put in an answer
 * comes back exactly in the 200 body. Failures the app reports to `onError` are only the coded
 * refusals, the deliberate handler errors, and answers refused with `CC_ERR_ANSWER_INVALID`.
 * Each app routes some paths with `eventPaths`, and a second run configures basic auth, a URL
 * token (and Placetel's signature), with credentials right, wrong, garbled or missing.
 */
import type { Server } from 'node:http';
import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { CallControlError, ERROR_CODES, opentact, ozeki, placetel, voipnow } from '../../src';
import type { ErrorHandler, EventHandler } from '../../src/core/app';
import type { CommonSecurityOptions } from '../../src/core/auth';
import { signPlacetelBody } from '../../src/providers/placetel/verify';
import type { WebhookEvent } from '../../src/core/types';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { listenOnLoopback } from '../helpers/server';
import { canonicalXml, type CanonicalElement } from '../helpers/xml';
import {
  contentTypes,
  deepJson,
  formText,
  hostileString,
  mutate,
  mutations,
  partsOf,
  queryString,
  xmlCarriable,
} from './arbitraries';
import { TEST_APP } from '../helpers/apps';

const RUNS = 200;
const SECURED_RUNS = 100;
const REQUEST_TIMEOUT_MS = 5000;
const MAX_QUERY_CHARS = 6000;
const XML_TYPE = 'application/xml; charset=utf-8';
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

const SECURITY = {
  basicAuth: { username: 'pbx', password: 'a-test-password' },
  urlToken: { tokens: 'a-test-token-0123456789' },
} as const satisfies CommonSecurityOptions;
const PLACETEL_SECRET = 'a-test-secret';

/** What a handler throws on purpose; reported, never answered with a 5xx. */
const DELIBERATE = new Error('deliberate handler failure');

/** What one request left behind in the app: strings answered, errors reported. */
interface Trace {
  echoes: string[];
  errors: CallControlError[];
}

/** Builds an answer from a request string and records the string once the builder took it. */
function echo<T>(trace: Trace, values: readonly string[], build: () => T): T {
  const answer = build();
  trace.echoes.push(...values);
  return answer;
}

/** The app's surface these tests use, whatever the provider. */
interface Observable {
  onAny(handler: EventHandler<WebhookEvent, unknown>): unknown;
  onError(handler: ErrorHandler<WebhookEvent>): unknown;
  express(): express.RequestHandler;
}

/** Observers that fail on some requests, and the error collector. */
function observe(app: Observable, trace: Trace): void {
  app.onAny(async (event) => {
    if (event.from.includes('7')) throw DELIBERATE;
  });
  app.onError((error) => {
    trace.errors.push(error);
  });
}

interface PipelineCase {
  readonly provider: string;
  readonly mount: string;
  readonly methods: readonly Method[];
  readonly keys: readonly string[];
  readonly fixtures: readonly RequestFixture[];
  /** Requests the provider sends, their field values hostile: they reach the handlers. */
  readonly valid: (value: fc.Arbitrary<string>) => fc.Arbitrary<Shaped>;
  /** The app; with `security`, every authenticator is configured (Placetel: a secret too). */
  readonly app: (trace: Trace, security?: CommonSecurityOptions) => Observable;
}

/** The parts of a request a case generates; the rest is added around it. */
interface Shaped {
  readonly method: Method;
  readonly query: string;
  readonly body: Buffer;
  readonly type: string | undefined;
}

const FORM = 'application/x-www-form-urlencoded';

/** Percent-encodes a value as a form does; a lone surrogate becomes bytes that are not UTF-8. */
function formEncode(value: string): string {
  return Array.from(value, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return '%ED%A0%80';
    }
  }).join('');
}

/** `key=value&…`, values percent-encoded (or, now and then, sent raw). */
function form(fields: readonly (readonly [string, string])[], raw = false): string {
  return fields.map(([key, value]) => `${key}=${raw ? value : formEncode(value)}`).join('&');
}

/** The same fields as a GET query or a POST form body. */
function getOrPost(
  methods: readonly Method[],
  fields: fc.Arbitrary<(readonly [string, string])[]>,
): fc.Arbitrary<Shaped> {
  return fc
    .record({ method: fc.constantFrom(...methods), fields, raw: fc.boolean() })
    .map(({ method, fields: list, raw }) => {
      const text = form(list, raw);
      return method === 'GET'
        ? { method, query: text, body: Buffer.alloc(0), type: undefined }
        : { method, query: '', body: Buffer.from(text, 'utf8'), type: FORM };
    });
}

const CASES: readonly PipelineCase[] = [
  {
    provider: 'placetel',
    mount: '/placetel',
    methods: ['POST'],
    keys: ['event', 'call_id', 'from', 'to', 'direction', 'peer', 'type', 'duration'],
    fixtures: loadFixtures('placetel').requests,
    valid: (value) =>
      getOrPost(
        ['POST'],
        fc
          .record({
            event: fc.constantFrom('IncomingCall', 'HungUp', 'CallAccepted', 'OutgoingCall'),
            callId: value,
            from: value,
            to: value,
            duration: fc.oneof(fc.constantFrom('38', '0', ''), value),
          })
          .map(({ event, callId, from, to, duration }) => [
            ['event', event],
            ['call_id', callId === '' ? 'x' : callId],
            ['from', from],
            ['to', to],
            ['duration', duration],
          ]),
      ),
    app: (trace, security) => {
      const calls = placetel.createApp(
        security === undefined ? TEST_APP : { ...security, secret: PLACETEL_SECRET },
      );
      calls.on('IncomingCall', async (call, { session }) => {
        await session.set('from', call.from);
        return echo(trace, [call.from], () =>
          placetel.forward({ targets: [{ ringtime: 30, numbers: [call.from] }] }),
        );
      });
      calls.on('HungUp', () => {
        throw DELIBERATE;
      });
      observe(calls, trace);
      return calls;
    },
  },
  {
    provider: 'ozeki',
    mount: '/ozeki',
    methods: ['POST', 'GET'],
    keys: [
      'NotificationName',
      'CallId',
      'CallerId',
      'CallerDisplayName',
      'ApiExtension',
      'DtmfDigits',
      'CallState',
      'OriginalDialedNumber',
    ],
    fixtures: loadFixtures('ozeki').requests,
    valid: (value) =>
      getOrPost(
        ['POST', 'GET'],
        fc
          .record({
            name: fc.constantFrom(
              'IncomingCall',
              'DtmfEntered',
              'RoutingInterception',
              'CallChanged',
              'CallConnected',
              'incomingcall',
            ),
            callId: value,
            caller: value,
            display: value,
            digits: value,
            dialed: value,
          })
          .map(({ name, callId, caller, display, digits, dialed }) => [
            ['NotificationName', name],
            ['CallId', callId],
            ['CallerId', caller],
            ['CallerDisplayName', display],
            ['DtmfDigits', digits],
            ['OriginalDialedNumber', dialed],
            ['CallState', display],
          ]),
      ),
    app: (trace, security) => {
      const calls = ozeki.createApp({
        ...TEST_APP,
        ...security,
        eventPaths: { '/error': 'CallError', '/finished': 'CallFinished' },
        ...(security === undefined ? {} : { render: { attributeCase: 'camel' } }),
      });
      calls.on('IncomingCall', (call) => {
        const name = call.callerDisplayName ?? call.from;
        return echo(trace, [name], () => [ozeki.speak(name, { language: 'en-UK' })]);
      });
      calls.on('DtmfEntered', (call) =>
        echo(trace, [call.dtmfDigits], () => [
          ozeki.speak(call.dtmfDigits),
          ozeki.blindTransfer(call.dtmfDigits),
        ]),
      );
      calls.on('RoutingInterception', (call) =>
        echo(trace, [call.to], () => [ozeki.route({ destination: call.to })]),
      );
      // Not third-party OzML: refused when rendered, answered with the fallback.
      calls.on('CallChanged', (call) => [ozeki.speak(call.callState ?? 'unknown')]);
      calls.on('CallConnected', () => {
        throw DELIBERATE;
      });
      observe(calls, trace);
      return calls;
    },
  },
  {
    provider: 'voipnow',
    mount: '/voipnow',
    methods: ['GET', 'POST'],
    keys: [
      'CallID',
      'CallerIDNum',
      'CallerIDName',
      'CalledNumber',
      'CallStatus',
      'CallFlow',
      'CallAPIID',
      'EventType',
      'sub',
    ],
    fixtures: loadFixtures('voipnow').requests,
    valid: (value) =>
      getOrPost(
        ['GET', 'POST'],
        fc
          .record({
            interactive: fc.boolean(),
            callId: value,
            from: value,
            name: value,
            sub: fc.oneof(value, fc.constant('null')),
          })
          .map(({ interactive, callId, from, name, sub }) => [
            ...(interactive
              ? [['CallAPIID', '3584705175:5205dc5c'] as const, ['sub', sub] as const]
              : [['CallStatus', 'ANSWER'] as const, ['CallFlow', 'IN'] as const]),
            ['CallID', callId],
            ['CallerIDNum', from],
            ['CallerIDName', name],
          ]),
      ),
    app: (trace, security) => {
      const calls = voipnow.createApp({
        ...TEST_APP,
        ...security,
        eventPaths: { '/interactive': 'call_interactive', '/hangup': 'Hangup' },
      });
      calls.on('call_interactive', (call) => {
        const code = call.param('sub') ?? call.from;
        const name = call.callerIdName ?? 'caller';
        return echo(trace, [code, name], () => [
          voipnow.setVar('SubscriptionCode', code),
          voipnow.playTts(name, { volume: 100 }),
          voipnow.setCaller({ name, number: code }),
        ]);
      });
      calls.on('Hangup', () => {
        throw DELIBERATE;
      });
      observe(calls, trace);
      return calls;
    },
  },
  {
    provider: 'opentact',
    mount: '/opentact',
    methods: ['GET', 'POST'],
    keys: ['from', 'to', 'dtmf', 'code', 'state', 'tn', 'sca', 'call', 'attempts', 'success'],
    fixtures: loadFixtures('opentact').requests,
    valid: (value) =>
      fc.oneof(
        fc
          .record({ from: value, to: value, dtmf: fc.option(value, { nil: undefined }) })
          .map(({ from, to, dtmf }): Shaped => ({
            method: 'GET',
            query: form([
              ['from', from],
              ['to', to],
              ...(dtmf === undefined ? [] : [['dtmf', dtmf] as const]),
            ]),
            body: Buffer.alloc(0),
            type: undefined,
          })),
        fc
          .record({ uuid: value, from: value, to: value, state: value })
          .map(({ uuid, from, to, state }): Shaped => ({
            method: 'POST',
            query: form([['from', from]]),
            body: Buffer.from(JSON.stringify({ uuid, from, to, state, tn: { tn: 1 } }), 'utf8'),
            type: 'application/json',
          })),
      ),
    app: (trace, security) => {
      const calls = opentact.createApp({
        ...TEST_APP,
        ...security,
        eventPaths: { '/events': 'call_state', '/gather/': 'gather' },
      });
      calls.on('call_flow_request', (call) =>
        echo(trace, [call.from, call.to], () => [
          opentact.answer(),
          opentact.say(call.from, { textAttribute: call.to.length % 2 === 0 }),
          opentact.dial(call.to),
        ]),
      );
      calls.on('gather', (event) =>
        echo(trace, [event.dtmf], () => [opentact.meta('dtmf', event.dtmf), opentact.hangup()]),
      );
      calls.on('call_state', () => {
        throw DELIBERATE;
      });
      observe(calls, trace);
      return calls;
    },
  },
];

/** A printable request target: anything outside `!`–`~` (and `#`) percent-encoded as UTF-8. */
function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]|#/gu, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate cannot be encoded
    }
  });
}

/** Header names a client might send (not the ones that frame the message). */
const headerName = fc.oneof(
  fc.constantFrom(
    'x-placetel-signature',
    'authorization',
    'x-forwarded-for',
    'content-encoding',
    'accept',
    'accept-charset',
    'accept-encoding',
    'cookie',
    'origin',
    'user-agent',
    'if-none-match',
    'range',
  ),
  fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
);

/** Header values Node sends: printable ASCII and Latin-1, no line breaks. */
const headerValue = fc.oneof(
  fc.constantFrom(
    'gzip',
    'identity',
    'IDENTITY',
    'br',
    'deflate, gzip',
    '',
    'Basic %%%',
    'Basic Og==',
    '0'.repeat(64),
    '::ffff:127.0.0.1, 10.0.0.1',
    'bytes=0-1',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
  fc.nat({ max: 3000 }).map((n) => 'v'.repeat(n)),
);

interface Sent {
  readonly method: Method;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

function requestArbitrary(testCase: PipelineCase): fc.Arbitrary<Sent> {
  const fixtureIndex = fc.nat({ max: testCase.fixtures.length - 1 });
  const fixture = (index: number): RequestFixture | undefined => testCase.fixtures[index];
  const body = fc.oneof(
    fc.constant({ body: Buffer.alloc(0), type: undefined }),
    fc
      .uint8Array({ maxLength: 256 })
      .map((bytes) => ({ body: Buffer.from(bytes), type: undefined })),
    hostileString.map((text) => ({ body: Buffer.from(text, 'utf8'), type: undefined })),
    formText(testCase.keys).map((text) => ({
      body: Buffer.from(text, 'utf8'),
      type: 'application/x-www-form-urlencoded',
    })),
    fc
      .oneof(
        fc.jsonValue().map((value) => JSON.stringify(value)),
        fc.integer({ min: 0, max: 3000 }).map((depth) => deepJson(depth, depth % 2 === 0)),
      )
      .map((text) => ({ body: Buffer.from(text, 'utf8'), type: 'application/json' })),
    fc.tuple(fixtureIndex, fc.option(mutations, { nil: undefined })).map(([index, edits]) => {
      const found = fixture(index);
      const bytes = found === undefined ? Buffer.alloc(0) : partsOf(found).body;
      return {
        body: edits === undefined ? bytes : mutate(bytes, edits),
        type: found?.headers['content-type'],
      };
    }),
    fc.integer({ min: 60, max: 80 }).map((kilobytes) => ({
      body: Buffer.alloc(kilobytes * 1024, 'a=1&'),
      type: 'application/x-www-form-urlencoded',
    })),
  );
  const fixtureQueries = testCase.fixtures.map((found) => partsOf(found).query);
  const wellFormed = testCase.valid(hostileString).map((shaped): Sent => ({
    method: shaped.method,
    target: `${testCase.mount}${shaped.query === '' ? '' : `?${printable(shaped.query).slice(0, MAX_QUERY_CHARS)}`}`,
    headers: shaped.type === undefined ? [] : [['content-type', shaped.type]],
    body: shaped.body,
  }));
  return fc.oneof(wellFormed.map(describeSent), anyRequest(testCase, body, fixtureQueries));
}

/** Any request at all: method, path, query, content type, body and extra headers. */
function anyRequest(
  testCase: PipelineCase,
  body: fc.Arbitrary<{ body: Buffer; type: string | undefined }>,
  fixtureQueries: readonly string[],
): fc.Arbitrary<Sent> {
  return fc
    .record({
      method: fc.oneof(
        { arbitrary: fc.constantFrom(...testCase.methods), weight: 4 },
        { arbitrary: fc.constantFrom(...METHODS), weight: 1 },
      ),
      path: fc.constantFrom(
        '',
        '/',
        '/x',
        '/a/b/',
        '//',
        '/%ZZ',
        '/%2e%2e/',
        '/%00',
        '/interactive',
        '/interactive//',
        '/hangup',
        '/error',
        '/finished/',
        '/events',
        '/gather',
        '/a-test-token-0123456789/interactive',
      ),
      query: fc.oneof(
        queryString(testCase.keys),
        fc.constantFrom(...fixtureQueries),
        fc
          .tuple(fc.constantFrom(...fixtureQueries), mutations)
          .map(([query, edits]) => mutate(Buffer.from(query), edits).toString('latin1')),
      ),
      body,
      contentType: fc.oneof(
        { arbitrary: fc.constant('body' as const), weight: 3 },
        { arbitrary: contentTypes, weight: 2 },
      ),
      extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
    })
    .map(({ method, path, query, body: sent, contentType, extra }) => {
      const type = contentType === 'body' ? sent.type : contentType;
      const headers: [string, string][] = [...extra];
      if (type !== undefined) headers.push(['content-type', type]);
      // Node itself answers a request line over 16 KiB (with the headers) with a bare 431,
      // before any middleware runs: stay below that.
      const printableQuery = printable(query).slice(0, MAX_QUERY_CHARS);
      const target = `${testCase.mount}${path}${printableQuery === '' ? '' : `?${printableQuery}`}`;
      return describeSent({ method, target, headers, body: sent.body });
    });
}

/** Counterexamples name the request without dumping an 80 KB body. */
function describeSent(sent: Sent): Sent {
  return Object.assign(
    { ...sent },
    {
      [fc.toStringMethod]: () =>
        `${sent.method} ${sent.target} ${JSON.stringify(sent.headers)} ` +
        `body(${sent.body.length} bytes): ${JSON.stringify(sent.body.subarray(0, 200).toString('latin1'))}`,
    },
  );
}

/** Reads the whole body as bytes, whatever the content type. */
function rawBytes(
  res: request.Response,
  callback: (error: Error | null, body: Buffer) => void,
): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('error', (error: Error) => callback(error, Buffer.alloc(0)));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** A superagent serializer that leaves the body's bytes alone (Node writes a Buffer as is). */
function bytesAsTheyAre(body: Buffer): string {
  return body as unknown as string;
}

async function send(server: Server, sent: Sent): Promise<request.Response> {
  const agent = request(server);
  const methods: Record<Method, (url: string) => request.Test> = {
    GET: (url) => agent.get(url),
    POST: (url) => agent.post(url),
    PUT: (url) => agent.put(url),
    HEAD: (url) => agent.head(url),
    OPTIONS: (url) => agent.options(url),
    DELETE: (url) => agent.delete(url),
  };
  let test = methods[sent.method](sent.target).timeout(REQUEST_TIMEOUT_MS);
  for (const [name, value] of sent.headers) test = test.set(name, value);
  if (sent.body.length > 0) {
    // superagent writes a HEAD body without Content-Length, so the server would read it as the
    // next request: frame it.
    if (sent.method === 'HEAD') test = test.set('content-length', String(sent.body.length));
    // superagent would serialize a Buffer for a form or JSON content type (`0=97&1=61…`,
    // `{"type":"Buffer",…}`): the bytes go out as they are instead.
    test = test.serialize(bytesAsTheyAre).send(sent.body);
  }
  return test.buffer(true).parse(rawBytes);
}

/** Every text and attribute value in a tree. */
function valuesOf(node: CanonicalElement): string[] {
  return [
    ...Object.values(node.attributes),
    ...node.children.flatMap((child) => ('text' in child ? [child.text] : valuesOf(child))),
  ];
}

function isErrorCode(code: string): code is keyof typeof ERROR_CODES {
  return Object.hasOwn(ERROR_CODES, code);
}

/** Asserts one reply and what the app reported while answering it. */
function checkReply(sent: Sent, res: request.Response, trace: Trace): void {
  // A reply to HEAD has no body, which supertest leaves unparsed.
  const read = res.body as unknown;
  const bytes = sent.method === 'HEAD' && !Buffer.isBuffer(read) ? Buffer.alloc(0) : read;
  if (!Buffer.isBuffer(bytes)) throw new Error('the body was not read as bytes');
  if (res.status >= 500) {
    throw new Error(`a ${res.status}: ${bytes.toString('utf8')}`);
  }
  expect(res.headers['content-type']).toBe(XML_TYPE);
  // Well-formed UTF-8 holding only characters XML can carry (error messages quote requests).
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (!xmlCarriable(text)) throw new Error(`a character XML cannot carry: ${JSON.stringify(text)}`);
  if (sent.method === 'HEAD') {
    expect(bytes.length).toBe(0);
  } else {
    expect(res.headers['content-length']).toBe(String(bytes.length));
  }

  if (res.status === 200) {
    if (sent.method !== 'HEAD') {
      const tree = canonicalXml(text);
      expect(tree.name).toBe('Response');
      const values = valuesOf(tree);
      for (const value of trace.echoes) expect(values).toContain(value);
    }
  } else {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (sent.method !== 'HEAD') {
      const tree = canonicalXml(text);
      expect(tree.name).toBe('Error');
      const code = tree.attributes['code'] ?? '';
      expect(code).toMatch(/^CC_ERR_[A-Z_]+$/);
      if (!isErrorCode(code)) throw new Error(`${code} is not a registered code`);
      expect(ERROR_CODES[code].status).toBe(res.status);
    }
  }

  for (const error of trace.errors) {
    expect(error).toBeInstanceOf(CallControlError);
    if (error.status < 500) continue;
    const cause: unknown = error.cause;
    const expected =
      error.code === 'CC_ERR_HANDLER_FAILED' &&
      (cause === DELIBERATE ||
        (cause instanceof CallControlError && cause.code === 'CC_ERR_ANSWER_INVALID'));
    if (!expected) {
      throw new Error(`reported ${error.code}: ${error.message}`, { cause });
    }
  }
}

/** Credentials right, wrong, garbled or missing, added to a request for the secured app. */
function withCredentials(sent: fc.Arbitrary<Sent>): fc.Arbitrary<Sent> {
  const good = Buffer.from(`${SECURITY.basicAuth.username}:${SECURITY.basicAuth.password}`);
  return fc
    .record({
      sent,
      auth: fc.oneof(
        fc.constant(`Basic ${good.toString('base64')}`),
        fc.constantFrom(
          undefined,
          'Basic',
          'Basic !!!',
          'Bearer x',
          `basic  ${good.toString('base64')}`,
        ),
        headerValue,
      ),
      token: fc.oneof(
        fc.constant(`token=${SECURITY.urlToken.tokens}`),
        fc.constantFrom(
          undefined,
          'token=',
          'token=%ZZ',
          `token=${SECURITY.urlToken.tokens}&token=${SECURITY.urlToken.tokens}`,
          `TOKEN=${SECURITY.urlToken.tokens}`,
          `token=${SECURITY.urlToken.tokens}%00`,
        ),
      ),
      signature: fc.oneof(
        fc.constant('sign' as const),
        fc.constantFrom(undefined, '', 'zz', '0'.repeat(64), ` ${'A'.repeat(64)} `),
      ),
    })
    .map(({ sent: base, auth, token, signature }) => {
      const headers: (readonly [string, string])[] = base.headers.filter(
        ([name]) => name !== 'authorization' && name !== 'x-placetel-signature',
      );
      if (auth !== undefined) headers.push(['authorization', auth]);
      if (signature === 'sign') {
        headers.push(['x-placetel-signature', signPlacetelBody(base.body, PLACETEL_SECRET)]);
      } else if (signature !== undefined) {
        headers.push(['x-placetel-signature', signature]);
      }
      const target =
        token === undefined
          ? base.target
          : `${base.target}${base.target.includes('?') ? '&' : '?'}${token}`;
      return describeSent({ ...base, target, headers });
    });
}

async function checkPipeline(
  testCase: PipelineCase,
  requests: fc.Arbitrary<Sent>,
  runs: number,
  security?: CommonSecurityOptions,
): Promise<void> {
  const trace: Trace = { echoes: [], errors: [] };
  const app = express();
  app.use(testCase.mount, testCase.app(trace, security).express());
  const server = await listenOnLoopback(app);
  const statuses = new Set<number>();

  await fc.assert(
    fc.asyncProperty(requests, async (sent) => {
      trace.echoes = [];
      trace.errors = [];
      const res = await send(server, sent);
      statuses.add(res.status);
      checkReply(sent, res, trace);
    }),
    { numRuns: runs },
  );
  // Not vacuous: requests were answered as well as refused.
  expect(statuses.has(200)).toBe(true);
  expect([...statuses].some((status) => status >= 400)).toBe(true);
}

describe.each(CASES)('$provider pipeline under hostile requests', (testCase) => {
  test('answers 200 with XML or a coded 4xx, never a 5xx or a hang', async () => {
    await checkPipeline(testCase, requestArbitrary(testCase), RUNS);
  });

  test('with basic auth, a URL token (and a signature) configured: the same', async () => {
    await checkPipeline(
      testCase,
      withCredentials(requestArbitrary(testCase)),
      SECURED_RUNS,
      SECURITY,
    );
  });
});
