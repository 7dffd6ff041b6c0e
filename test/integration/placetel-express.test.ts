/**
 * The whole pipeline of a Placetel app mounted in a real Express 5 app: answers and their
 * headers, handler isolation and the fallback, coded error replies, body parsers mounted
 * before callcontrol, option validation, and a client that sends less than it announced.
 *
 * Every server listens on 127.0.0.1 only and is closed after its test.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express, { type Express } from 'express';
import request from 'supertest';
import { CallControlError, captureRawBody, placetel } from '../../src';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { canonicalXml, type CanonicalElement } from '../helpers/xml';
import { listenOnLoopback } from '../helpers/server';
import { QUIET, TEST_APP } from '../helpers/apps';

const FORM = 'application/x-www-form-urlencoded';
const XML_TYPE = 'application/xml; charset=utf-8';
const SECRET = '12345';
const EMPTY_RESPONSE = canonicalXml('<Response/>');
const CALL_ID = 'f4591ba315d81671d7a06c2a3b4f963dafd119de39cb26edd8a6476676b2f447';
const USER = 'demo';
const PASSWORD = 'not-a-real-password';

const fixtures = loadFixtures('placetel');

function requestFixture(id: string): RequestFixture {
  const found = fixtures.requests.find((fixture) => fixture.id === id);
  if (found === undefined) throw new Error(`no request fixture ${id}`);
  return found;
}

function responseXml(id: string): CanonicalElement {
  const found = fixtures.responses.find((fixture) => fixture.id === id);
  if (found === undefined) throw new Error(`no response fixture ${id}`);
  return canonicalXml(found.xml);
}

/** One signed fixture per Placetel event (secret 12345). */
const SIGNED = {
  IncomingCall: requestFixture('placetel.incoming'),
  CallAccepted: requestFixture('placetel.call-accepted'),
  HungUp: requestFixture('placetel.hungup-accepted'),
  OutgoingCall: requestFixture('placetel.outgoing'),
} as const;

/** A body and headers ready to send. */
interface Sendable {
  body: string;
  headers: Record<string, string>;
}

function fromFixture(fixture: RequestFixture): Sendable {
  expect(fixture.method).toBe('POST');
  return { body: fixture.body ?? '', headers: fixture.headers };
}

/** An unsigned form request with the given fields, keys sorted as Placetel sends them. */
function form(fields: Record<string, string>): Sendable {
  const { body, headers } = placetel.placetelRequest(fields);
  return { body, headers: { ...headers } };
}

/** A form request signed with {@link SECRET} over exactly `body`. */
function signed(body: string): Sendable {
  return {
    body,
    headers: {
      'content-type': FORM,
      'x-placetel-signature': placetel.signPlacetelBody(body, SECRET),
    },
  };
}

const INCOMING = form({
  call_id: CALL_ID,
  direction: 'in',
  event: 'IncomingCall',
  from: '017312345678',
  to: '022129191999',
});

/** Mounts `calls` at /placetel of a new Express app (after `setup`, e.g. global parsers). */
async function mount(
  calls: placetel.PlacetelApp,
  setup: (app: Express) => void = () => undefined,
): Promise<Server> {
  const app = express();
  setup(app);
  app.use('/placetel', calls.express());
  return listenOnLoopback(app);
}

/** POSTs a request to /placetel with its exact body. */
function post(server: Server, { body, headers }: Sendable): request.Test {
  let test = request(server).post('/placetel');
  for (const [name, value] of Object.entries(headers)) test = test.set(name, value);
  return test.send(body);
}

/** Keeps the response body as the exact bytes received (`res.body` is a Buffer). */
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

/** The `code` of an `<Error code="…">` reply. */
function errorCode(res: request.Response): string | undefined {
  expect(res.headers['content-type']).toBe(XML_TYPE);
  const root = canonicalXml(res.text);
  expect(root.name).toBe('Error');
  return root.attributes['code'];
}

/** Collects what an app's `onError` handlers receive. */
function collectErrors(calls: placetel.PlacetelApp): CallControlError[] {
  const errors: CallControlError[] = [];
  calls.onError((error) => {
    errors.push(error);
  });
  return errors;
}

function basicAuthHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

describe('answers', () => {
  test('an IncomingCall handler returning forward() gets 200 XML with the API security headers', async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    const errors = collectErrors(calls);
    const seen: placetel.PlacetelIncomingCall[] = [];
    calls.on('IncomingCall', (call) => {
      seen.push(call);
      return placetel.forward({ targets: [{ numbers: [call.to] }] });
    });
    const server = await mount(calls);

    const res = await post(server, fromFixture(SIGNED.IncomingCall)).buffer(true).parse(rawBytes);

    expect(res.status).toBe(200);
    const bytes = res.body as Buffer;
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(canonicalXml(bytes.toString('utf8'))).toEqual(
      responseXml('placetel.forward-one-number'),
    );
    expect(res.headers['content-type']).toBe(XML_TYPE);
    expect(res.headers['content-length']).toBe(String(bytes.length));
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // The API set (OWASP REST Security Cheat Sheet), none of helmet's browser-only headers.
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBeUndefined();
    expect(res.headers['x-dns-prefetch-control']).toBeUndefined();
    expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(res.headers['etag']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(seen.map((call) => [call.name, call.callId, call.from])).toEqual([
      ['IncomingCall', CALL_ID, '017312345678'],
    ]);
    expect(errors).toEqual([]);
  });

  test('Content-Length counts bytes, not characters, for a non-ASCII answer', async () => {
    const sipId = 'müller@fpbx.de';
    const calls = placetel.createApp(TEST_APP);
    const errors = collectErrors(calls);
    calls.on('IncomingCall', () => placetel.forward({ targets: [{ numbers: [sipId] }] }));
    const server = await mount(calls);

    const res = await post(server, INCOMING).buffer(true).parse(rawBytes);

    expect(res.status).toBe(200);
    const bytes = res.body as Buffer;
    const text = bytes.toString('utf8');
    expect(text).toContain(sipId);
    expect(bytes.length).toBe(text.length + 1); // 'ü' is two bytes in UTF-8
    expect(res.headers['content-length']).toBe(String(bytes.length));
    expect(res.headers['content-type']).toBe(XML_TYPE);
    expect(canonicalXml(text)).toEqual(
      canonicalXml(
        `<Response><Forward><Target><Number>${sipId}</Number></Target></Forward></Response>`,
      ),
    );
    expect(errors).toEqual([]);
  });

  test.each(Object.entries(SIGNED))(
    'an app without any handler answers %s with 200 <Response/>',
    async (_name, fixture) => {
      const calls = placetel.createApp({ ...QUIET, secret: SECRET });
      const errors = collectErrors(calls);
      const server = await mount(calls);

      const res = await post(server, fromFixture(fixture));

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(XML_TYPE);
      expect(canonicalXml(res.text)).toEqual(EMPTY_RESPONSE);
      expect(errors).toEqual([]);
    },
  );

  test.each([SIGNED.CallAccepted, SIGNED.HungUp, SIGNED.OutgoingCall])(
    'a notify-only event without a handler ($expect.event) gets <Response/> while IncomingCall has one',
    async (fixture) => {
      const calls = placetel.createApp({ ...QUIET, secret: SECRET });
      const errors = collectErrors(calls);
      const incoming = jest.fn(() => placetel.hangup());
      calls.on('IncomingCall', incoming);
      const server = await mount(calls);

      const res = await post(server, fromFixture(fixture));

      expect(res.status).toBe(200);
      expect(canonicalXml(res.text)).toEqual(EMPTY_RESPONSE);
      expect(incoming).not.toHaveBeenCalled();
      expect(errors).toEqual([]);
    },
  );

  test('a notify handler that returns nothing gets <Response/>', async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    const errors = collectErrors(calls);
    const hungUp: placetel.PlacetelHungUp[] = [];
    calls.on('HungUp', (call) => {
      hungUp.push(call);
    });
    const server = await mount(calls);

    const res = await post(server, fromFixture(SIGNED.HungUp));

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(EMPTY_RESPONSE);
    expect(hungUp.map((call) => [call.type, call.duration])).toEqual([['accepted', 38]]);
    expect(errors).toEqual([]);
  });

  test("a notify handler's return value is ignored: <Response/>, no error", async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET, fallback: placetel.hangup() });
    const errors = collectErrors(calls);
    const saved: string[] = [];
    const save = async (name: string): Promise<number> => saved.push(name);
    calls.on('HungUp', (call) => save(call.name));
    calls.on('CallAccepted', (call) => saved.push(call.name));
    calls.on('OutgoingCall', () => placetel.reject() as unknown as undefined);
    const server = await mount(calls);

    // In the order of a call (the fixtures share one call id: nothing may follow its HungUp).
    for (const fixture of [SIGNED.OutgoingCall, SIGNED.CallAccepted, SIGNED.HungUp]) {
      const res = await post(server, fromFixture(fixture));
      expect([fixture.id, res.status]).toEqual([fixture.id, 200]);
      expect(canonicalXml(res.text)).toEqual(EMPTY_RESPONSE);
    }

    expect(saved).toEqual(['CallAccepted', 'HungUp']);
    expect(errors).toEqual([]);
  });

  test('an async handler is awaited', async () => {
    const calls = placetel.createApp(TEST_APP);
    const errors = collectErrors(calls);
    calls.on('IncomingCall', async (call) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return call.from === '017312345678' ? placetel.reject({ reason: 'busy' }) : placetel.hangup();
    });
    const server = await mount(calls);

    const res = await post(server, INCOMING);

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Reject reason="busy"/></Response>'),
    );
    expect(errors).toEqual([]);
  });

  test('an unknown event name gets 200 <Response/> and reaches onAny', async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    const errors = collectErrors(calls);
    const incoming = jest.fn(() => placetel.hangup());
    calls.on('IncomingCall', incoming);
    const observed: (placetel.PlacetelEvent | placetel.PlacetelUnknownEvent)[] = [];
    calls.onAny((event) => {
      observed.push(event);
    });
    const server = await mount(calls);
    const body = placetel.encodePlacetelForm({
      call_id: CALL_ID,
      event: 'CallTransferred',
      from: '017312345678',
      to: '022129191999',
    });

    const res = await post(server, signed(body));

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(EMPTY_RESPONSE);
    expect(incoming).not.toHaveBeenCalled();
    expect(observed).toHaveLength(1);
    expect(observed[0]?.name).toBe('CallTransferred');
    expect(observed[0]?.callId).toBe(CALL_ID);
    expect(observed[0]?.raw['event']).toBe('CallTransferred');
    expect(errors).toEqual([]);
  });
});

describe('handler failures', () => {
  const FALLBACK = placetel.forward({ targets: [{ numbers: ['0800123'] }] });
  const failures = [
    [
      'throws',
      (error: Error) => () => {
        throw error;
      },
    ],
    [
      'rejects',
      (error: Error) => async () => {
        await Promise.resolve();
        throw error;
      },
    ],
  ] as const;
  const fallbacks = [
    ['the default <Response/>', undefined, EMPTY_RESPONSE],
    ['the configured fallback', FALLBACK, canonicalXml(FALLBACK.toXml())],
  ] as const;
  const cases = failures.flatMap(([how, make]) =>
    fallbacks.map(([which, fallback, xml]) => [how, which, make, fallback, xml] as const),
  );

  test.each(cases)(
    'a handler that %s gets 200 with %s, and onError gets CC_ERR_HANDLER_FAILED',
    async (_how, _which, make, fallback, xml) => {
      const original = new Error('database down');
      const calls = placetel.createApp({ ...TEST_APP, fallback });
      const contexts: (string | undefined)[] = [];
      const errors: CallControlError[] = [];
      calls.onError((error, context) => {
        errors.push(error);
        contexts.push(context.event?.name);
      });
      calls.on('IncomingCall', make(original));
      const server = await mount(calls);

      const res = await post(server, INCOMING);

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(XML_TYPE);
      expect(canonicalXml(res.text)).toEqual(xml);
      expect(errors).toHaveLength(1);
      const error = errors[0];
      expect(error).toBeInstanceOf(CallControlError);
      expect(error?.code).toBe('CC_ERR_HANDLER_FAILED');
      expect(error?.cause).toBe(original);
      expect(contexts).toEqual(['IncomingCall']);
    },
  );

  const nonAnswers: [string, unknown][] = [
    ['a string', '<Response><Hangup/></Response>'],
    ['a plain object', { action: 'Forward', element: { name: 'Forward' } }],
    ['a number', 42],
  ];

  test.each(nonAnswers)(
    'a handler returning %s gets the fallback and CC_ERR_HANDLER_RESULT',
    async (_what, value) => {
      for (const [, fallback, xml] of fallbacks) {
        const calls = placetel.createApp({ ...TEST_APP, fallback });
        const errors = collectErrors(calls);
        // Not an answer: only possible past the type checker, as from JavaScript.
        calls.on('IncomingCall', (() => value) as unknown as () => null);
        const server = await mount(calls);

        const res = await post(server, INCOMING);

        expect(res.status).toBe(200);
        expect(canonicalXml(res.text)).toEqual(xml);
        expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_RESULT']);
        expect(errors[0]).toBeInstanceOf(CallControlError);
      }
    },
  );

  test('null is "no action": the neutral <Response/> (not the fallback), no error', async () => {
    const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
    const errors = collectErrors(calls);
    calls.on('IncomingCall', () => null);
    const server = await mount(calls);

    const res = await post(server, INCOMING);

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
    expect(errors).toEqual([]);
  });

  test('a handler whose answer builder throws gets the fallback', async () => {
    const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
    const errors = collectErrors(calls);
    calls.on('IncomingCall', () => placetel.forward({ targets: [{ numbers: [] }] }));
    const server = await mount(calls);

    const res = await post(server, INCOMING);

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(canonicalXml(FALLBACK.toXml()));
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
    expect((errors[0]?.cause as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
  });
});

describe('observers and error handlers', () => {
  test('onAny observers see every event, known and unknown, in order', async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    const errors = collectErrors(calls);
    const first: string[] = [];
    const second: string[] = [];
    const handled: unknown[] = [];
    calls.on('IncomingCall', (call) => {
      handled.push(call);
      return placetel.hangup();
    });
    calls.onAny((event) => {
      first.push(event.name);
    });
    calls.onAny(async (event) => {
      await Promise.resolve();
      second.push(`${event.name}:${event.callId}`);
    });
    const server = await mount(calls);
    const unknown = signed(
      placetel.encodePlacetelForm({ call_id: CALL_ID, event: 'CallParked', from: '1', to: '2' }),
    );
    const sequence = [
      fromFixture(SIGNED.IncomingCall),
      fromFixture(SIGNED.CallAccepted),
      fromFixture(SIGNED.OutgoingCall),
      unknown,
      fromFixture(SIGNED.HungUp),
    ];

    for (const item of sequence) {
      const res = await post(server, item);
      expect(res.status).toBe(200);
    }

    const names = ['IncomingCall', 'CallAccepted', 'OutgoingCall', 'CallParked', 'HungUp'];
    expect(first).toEqual(names);
    expect(second).toEqual(names.map((name) => `${name}:${CALL_ID}`));
    expect(handled).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  test('observers that throw or reject change nothing in the answer and go to onError', async () => {
    const calls = placetel.createApp(TEST_APP);
    const errors = collectErrors(calls);
    const syncFailure = new Error('observer failed');
    const asyncFailure = new Error('observer rejected');
    calls.onAny(() => {
      throw syncFailure;
    });
    calls.onAny(async () => {
      await Promise.resolve();
      throw asyncFailure;
    });
    // Slow work: the reply waits for it, so its failure is reported before the answer goes out.
    const slowFailure = new Error('slow observer rejected');
    calls.onAny(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw slowFailure;
    });
    const later: string[] = [];
    calls.onAny((event) => {
      later.push(event.name);
    });
    calls.on('IncomingCall', () => placetel.reject({ reason: 'busy' }));
    const server = await mount(calls);

    const res = await post(server, INCOMING);

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml('<Response><Reject reason="busy"/></Response>'),
    );
    expect(later).toEqual(['IncomingCall']);
    expect(errors.map((error) => error.code)).toEqual([
      'CC_ERR_HANDLER_FAILED',
      'CC_ERR_HANDLER_FAILED',
      'CC_ERR_HANDLER_FAILED',
    ]);
    // In any order: observers run concurrently.
    expect(errors.map((error) => error.cause)).toEqual(
      expect.arrayContaining([syncFailure, asyncFailure, slowFailure]),
    );
  });

  test('an onError handler that throws or rejects does not break the reply', async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    calls.onError(() => {
      throw new Error('error handler failed');
    });
    calls.onError(async () => {
      await Promise.resolve();
      throw new Error('error handler rejected');
    });
    const reported: string[] = [];
    calls.onError((error) => {
      reported.push(error.code);
    });
    calls.on('IncomingCall', () => {
      throw new Error('handler failed');
    });
    const server = await mount(calls);

    const handlerFailure = await post(server, fromFixture(SIGNED.IncomingCall));
    expect(handlerFailure.status).toBe(200);
    expect(canonicalXml(handlerFailure.text)).toEqual(EMPTY_RESPONSE);

    const refused = await post(server, {
      ...fromFixture(SIGNED.HungUp),
      body: 'call_id=x&event=HungUp',
    });
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('CC_ERR_SIGNATURE_INVALID');

    expect(reported).toEqual(['CC_ERR_HANDLER_FAILED', 'CC_ERR_SIGNATURE_INVALID']);
  });
});

describe('refused requests', () => {
  test.each(['get', 'put', 'delete', 'patch'] as const)(
    '%s gets 405 with Allow: POST',
    async (method) => {
      const calls = placetel.createApp(TEST_APP);
      const errors = collectErrors(calls);
      const handler = jest.fn();
      calls.onAny(handler);
      const server = await mount(calls);

      const res = await request(server)[method]('/placetel');

      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      expect(errorCode(res)).toBe('CC_ERR_METHOD_NOT_ALLOWED');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(handler).not.toHaveBeenCalled();
      expect(errors.map((error) => error.code)).toEqual(['CC_ERR_METHOD_NOT_ALLOWED']);
    },
  );

  test.each([
    ['without event', `call_id=${CALL_ID}&from=017312345678&to=022129191999`],
    ['with an empty event', `call_id=${CALL_ID}&event=&from=017312345678`],
    ['without call_id', 'direction=in&event=IncomingCall&from=017312345678&to=022129191999'],
    ['with an empty call_id', 'call_id=&event=IncomingCall&from=017312345678'],
    ['that is empty', ''],
  ])('a request %s gets 400 CC_ERR_REQUEST_MALFORMED', async (_what, body) => {
    const calls = placetel.createApp(TEST_APP);
    const errors = collectErrors(calls);
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls);

    const res = await post(server, { body, headers: { 'content-type': FORM } });

    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('CC_ERR_REQUEST_MALFORMED');
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_REQUEST_MALFORMED']);
  });

  test.each([
    ['a non-ASCII duration', 'ü', '"ü"'],
    ['a duration with a control character', '%01', '"\uFFFD"'],
  ])(
    'an error reply quoting %s is well-formed XML with a byte-exact Content-Length',
    async (_what, duration, quoted) => {
      const calls = placetel.createApp(TEST_APP);
      const server = await mount(calls);
      const body = `call_id=${CALL_ID}&duration=${duration}&event=HungUp&from=1&to=2`;

      const res = await post(server, { body, headers: { 'content-type': FORM } })
        .buffer(true)
        .parse(rawBytes);

      expect(res.status).toBe(400);
      const bytes = res.body as Buffer;
      expect(res.headers['content-length']).toBe(String(bytes.length));
      const root = canonicalXml(bytes.toString('utf8'));
      expect(root.name).toBe('Error');
      expect(root.attributes['code']).toBe('CC_ERR_REQUEST_MALFORMED');
      expect(JSON.stringify(root.children)).toContain(JSON.stringify(quoted).slice(1, -1));
    },
  );

  test.each(['text/plain', 'application/xml', 'multipart/form-data; boundary=x'])(
    'Content-Type %s gets 415 CC_ERR_UNSUPPORTED_MEDIA_TYPE',
    async (type) => {
      const calls = placetel.createApp(TEST_APP);
      const handler = jest.fn();
      calls.onAny(handler);
      const server = await mount(calls);

      const res = await post(server, { body: INCOMING.body, headers: { 'content-type': type } });

      expect(res.status).toBe(415);
      expect(errorCode(res)).toBe('CC_ERR_UNSUPPORTED_MEDIA_TYPE');
      expect(handler).not.toHaveBeenCalled();
    },
  );

  test('Content-Encoding gzip gets 415 CC_ERR_UNSUPPORTED_MEDIA_TYPE', async () => {
    const calls = placetel.createApp(TEST_APP);
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls);

    const res = await request(server)
      .post('/placetel')
      .set('content-type', FORM)
      .set('content-encoding', 'gzip')
      .send(gzipSync(Buffer.from(INCOMING.body, 'utf8')));

    expect(res.status).toBe(415);
    expect(errorCode(res)).toBe('CC_ERR_UNSUPPORTED_MEDIA_TYPE');
    expect(handler).not.toHaveBeenCalled();

    // The server still answers a normal request afterwards.
    const ok = await post(server, INCOMING);
    expect(ok.status).toBe(200);
  });

  test('a body larger than bodyLimitBytes gets 413 CC_ERR_BODY_TOO_LARGE', async () => {
    const calls = placetel.createApp({ ...TEST_APP, bodyLimitBytes: 1024 });
    const errors = collectErrors(calls);
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls);
    const prefix = `${INCOMING.body}&padding=`;
    const tooLarge = prefix + 'x'.repeat(2000 - prefix.length);
    const atLimit = prefix + 'x'.repeat(1024 - prefix.length);
    expect(Buffer.byteLength(tooLarge)).toBe(2000);
    expect(Buffer.byteLength(atLimit)).toBe(1024);

    const res = await post(server, { body: tooLarge, headers: { 'content-type': FORM } });

    expect(res.status).toBe(413);
    expect(res.headers['connection']).toBe('close');
    expect(errorCode(res)).toBe('CC_ERR_BODY_TOO_LARGE');
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_BODY_TOO_LARGE']);

    const exact = await post(server, { body: atLimit, headers: { 'content-type': FORM } });
    expect(exact.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('basic auth', () => {
  const credentials = { username: USER, password: PASSWORD };

  test('no credentials get 401 with a Basic challenge', async () => {
    const calls = placetel.createApp({ ...QUIET, basicAuth: credentials });
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls);

    const res = await post(server, INCOMING);

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(errorCode(res)).toBe('CC_ERR_AUTH_BASIC');
    expect(handler).not.toHaveBeenCalled();
  });

  test.each([
    ['a wrong password', basicAuthHeader(USER, 'wrong-password')],
    ['a wrong user name', basicAuthHeader('someone', PASSWORD)],
    ['the password as a prefix', basicAuthHeader(USER, PASSWORD.slice(0, -1))],
    ['another scheme', `Bearer ${PASSWORD}`],
  ])('%s gets 401', async (_what, authorization) => {
    const calls = placetel.createApp({ ...QUIET, basicAuth: credentials });
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls);

    const res = await post(server, {
      body: INCOMING.body,
      headers: { ...INCOMING.headers, authorization },
    });

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(errorCode(res)).toBe('CC_ERR_AUTH_BASIC');
    expect(handler).not.toHaveBeenCalled();
  });

  test('the right credentials get 200', async () => {
    const calls = placetel.createApp({ ...QUIET, basicAuth: credentials });
    calls.on('IncomingCall', () => placetel.hangup());
    const server = await mount(calls);

    const res = await post(server, INCOMING).auth(USER, PASSWORD);

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response><Hangup/></Response>'));
  });

  test('every one of several credential pairs is accepted, nothing else', async () => {
    const calls = placetel.createApp({
      ...QUIET,
      basicAuth: [credentials, { username: 'rotated', password: 'also-not-real' }],
    });
    const server = await mount(calls);

    const first = await post(server, INCOMING).auth(USER, PASSWORD);
    const second = await post(server, INCOMING).auth('rotated', 'also-not-real');
    const mixed = await post(server, INCOMING).auth(USER, 'also-not-real');

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(mixed.status).toBe(401);
    expect(errorCode(mixed)).toBe('CC_ERR_AUTH_BASIC');
  });

  test('basic auth is checked before the signature', async () => {
    const calls = placetel.createApp({ ...QUIET, basicAuth: credentials, secret: SECRET });
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls);
    const fixture = fromFixture(SIGNED.IncomingCall);
    const badSignature = {
      body: fixture.body,
      headers: { ...fixture.headers, 'x-placetel-signature': '0'.repeat(64) },
    };

    const bothWrong = await post(server, badSignature).auth(USER, 'wrong-password');
    expect(bothWrong.status).toBe(401);
    expect(errorCode(bothWrong)).toBe('CC_ERR_AUTH_BASIC');

    const authOnly = await post(server, badSignature).auth(USER, PASSWORD);
    expect(authOnly.status).toBe(403);
    expect(errorCode(authOnly)).toBe('CC_ERR_SIGNATURE_INVALID');

    const both = await post(server, fixture).auth(USER, PASSWORD);
    expect(both.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('body parsers mounted before callcontrol', () => {
  test('a parser without a raw body gets 500 CC_ERR_CONFIG_BODY_CONSUMED at once', async () => {
    const calls = placetel.createApp(TEST_APP);
    const errors = collectErrors(calls);
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls, (app) => {
      app.use(express.urlencoded({ extended: false }));
    });

    const res = await post(server, INCOMING).timeout(5000);

    expect(res.status).toBe(500);
    expect(errorCode(res)).toBe('CC_ERR_CONFIG_BODY_CONSUMED');
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_CONFIG_BODY_CONSUMED']);
  });

  test('with verify: captureRawBody the signature is checked over the raw bytes', async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    const errors = collectErrors(calls);
    const accepted: placetel.PlacetelCallAccepted[] = [];
    const received: Buffer[] = [];
    calls.on('CallAccepted', (call, context) => {
      accepted.push(call);
      received.push(context.request.body);
    });
    const server = await mount(calls, (app) => {
      app.use(express.urlencoded({ extended: false, verify: captureRawBody }));
    });
    // The fixture with a raw `@`, as curl sends it: re-encoding the parsed form gives `%40`,
    // so only the raw bytes verify.
    const fixture = SIGNED.CallAccepted;
    const body = (fixture.body ?? '').replace('%40', '@');
    expect(body).toContain('peer=7777abcdefg@fpbx.de');
    const reencoded = new URLSearchParams(body).toString();
    expect(reencoded).not.toBe(body);
    expect(placetel.signPlacetelBody(reencoded, SECRET)).not.toBe(
      placetel.signPlacetelBody(body, SECRET),
    );

    const res = await post(server, signed(body)).timeout(5000);

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(EMPTY_RESPONSE);
    expect(errors).toEqual([]);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.peer).toBe('7777abcdefg@fpbx.de');
    expect(accepted[0]?.callId).toBe(fixture.expect.fields['call_id']);
    expect({ ...accepted[0]?.raw }).toEqual(fixture.expect.fields);
    expect(received[0]?.toString('utf8')).toBe(body);

    // Still verified, not waved through: a changed byte is refused.
    const tampered = await post(server, {
      body: body.slice(0, -1) + 'x',
      headers: signed(body).headers,
    }).timeout(5000);
    expect(tampered.status).toBe(403);
    expect(errorCode(tampered)).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(accepted).toHaveLength(1);
  });

  test('with verify: captureRawBody every signed fixture verifies', async () => {
    // The fixtures share one call id: here each is a delivery of its own, not a replay.
    const calls = placetel.createApp({ ...QUIET, secret: SECRET, duplicates: false });
    const errors = collectErrors(calls);
    const names: string[] = [];
    calls.onAny((event) => {
      names.push(event.name);
    });
    const server = await mount(calls, (app) => {
      app.use(express.urlencoded({ extended: false, verify: captureRawBody }));
    });
    const signedFixtures = fixtures.requests.filter((fixture) => fixture.secret === SECRET);
    expect(signedFixtures.length).toBeGreaterThan(0);

    for (const fixture of signedFixtures) {
      const res = await post(server, fromFixture(fixture)).timeout(5000);
      expect([fixture.id, res.status]).toEqual([fixture.id, 200]);
    }

    expect(names).toEqual(signedFixtures.map((fixture) => fixture.expect.event));
    expect(errors).toEqual([]);
  });

  test('express.json() mounted globally does not disturb a form request', async () => {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    const errors = collectErrors(calls);
    const seen: placetel.PlacetelIncomingCall[] = [];
    calls.on('IncomingCall', (call) => {
      seen.push(call);
      return placetel.queue({ id: 123 });
    });
    const server = await mount(calls, (app) => {
      app.use(express.json());
    });

    const res = await post(server, fromFixture(SIGNED.IncomingCall)).timeout(5000);

    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response><Queue id="123"/></Response>'));
    expect(seen.map((call) => [call.callId, call.from, call.to])).toEqual([
      [CALL_ID, '017312345678', '022129191999'],
    ]);
    expect(errors).toEqual([]);
  });
});

describe('option validation', () => {
  const invalidOptions: [string, unknown][] = [
    ["secret ''", { secret: '' }],
    ['secret []', { secret: [] }],
    ["secret ['12345', '']", { secret: ['12345', ''] }],
    ['bodyLimitBytes 0', { bodyLimitBytes: 0 }],
    ['bodyLimitBytes -1', { bodyLimitBytes: -1 }],
    ['bodyLimitBytes 1.5', { bodyLimitBytes: 1.5 }],
    ['a fallback that is a string', { fallback: '<Response><Hangup/></Response>' }],
    ['a fallback that is a plain object', { fallback: { action: 'Hangup' } }],
    ['basicAuth with an empty username', { basicAuth: { username: '', password: PASSWORD } }],
    [
      'basicAuth with a username containing ":"',
      { basicAuth: { username: 'de:mo', password: PASSWORD } },
    ],
    ['basicAuth with an empty password', { basicAuth: { username: USER, password: '' } }],
  ];

  test.each(invalidOptions)('createApp with %s throws TypeError', (_what, options) => {
    expect(() =>
      placetel.createApp({ ...TEST_APP, ...(options as placetel.PlacetelAppOptions) }),
    ).toThrow(TypeError);
  });

  test('valid options do not throw', () => {
    expect(() =>
      placetel.createApp({
        ...QUIET,
        secret: [SECRET, 'next-secret'],
        bodyLimitBytes: 1,
        fallback: placetel.hangup(),
        basicAuth: { username: USER, password: PASSWORD },
      }),
    ).not.toThrow();
  });

  test('on() with an unknown event name throws TypeError', () => {
    const calls = placetel.createApp(TEST_APP);
    const on = calls.on.bind(calls) as (name: string, handler: () => void) => unknown;
    expect(() => on('CallTransferred', () => undefined)).toThrow(TypeError);
    expect(() => on('incomingcall', () => undefined)).toThrow(TypeError);
  });

  test('on() with a handler that is not a function throws TypeError', () => {
    const calls = placetel.createApp(TEST_APP);
    const on = calls.on.bind(calls) as (name: string, handler: unknown) => unknown;
    expect(() => on('IncomingCall', placetel.hangup())).toThrow(TypeError);
    expect(() => on('HungUp', undefined)).toThrow(TypeError);
  });

  test('a second handler for the same event throws TypeError and keeps the first', async () => {
    const calls = placetel.createApp(TEST_APP);
    calls.on('IncomingCall', () => placetel.hangup());
    expect(() => calls.on('IncomingCall', () => placetel.reject())).toThrow(TypeError);
    const server = await mount(calls);

    const res = await post(server, INCOMING);

    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response><Hangup/></Response>'));
  });

  test('onAny() and onError() with a non-function throw TypeError', () => {
    const calls = placetel.createApp(TEST_APP);
    expect(() => calls.onAny('x' as unknown as () => void)).toThrow(TypeError);
    expect(() => calls.onError(null as unknown as () => void)).toThrow(TypeError);
  });
});

describe('a client that sends less than its Content-Length', () => {
  test('is answered or dropped without crashing the server, which keeps serving', async () => {
    const calls = placetel.createApp(TEST_APP);
    const aborted = new Promise<CallControlError>((resolve) => {
      calls.onError((error) => resolve(error));
    });
    const handler = jest.fn();
    calls.onAny(handler);
    const server = await mount(calls);
    const { port } = server.address() as AddressInfo;

    const socket = connect(port, '127.0.0.1');
    const closed = once(socket, 'close');
    socket.on('error', () => undefined);
    socket.resume();
    await once(socket, 'connect');
    socket.end(
      'POST /placetel HTTP/1.1\r\n' +
        `Host: 127.0.0.1:${port}\r\n` +
        `Content-Type: ${FORM}\r\n` +
        'Content-Length: 100\r\n' +
        '\r\n' +
        'event=Inco',
    );
    await closed;

    const error = await aborted;
    expect(error).toBeInstanceOf(CallControlError);
    expect(error.code).toBe('CC_ERR_BODY_ABORTED');
    expect(handler).not.toHaveBeenCalled();
    expect(server.listening).toBe(true);

    const res = await post(server, INCOMING);
    expect(res.status).toBe(200);
    expect(canonicalXml(res.text)).toEqual(EMPTY_RESPONSE);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
