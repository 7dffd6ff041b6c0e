/**
 * Body parsers mounted in front of callcontrol (real `express.json` / `express.urlencoded` of
 * Express 5, and body-parser 1 of Express 4): with the recipe — `bodyParserOptions(calls)` on
 * the parser, `createExpressErrorHandler(calls)` behind the middleware — a request gets the
 * same status and error code as without a parser in front: the body limit (413), the refusal
 * of encoded bodies (415, never verified against decompressed bytes), coded 400s for bodies that
 * do not parse, and never an HTML page or a stack trace. The old recipe (`verify:
 * captureRawBody` alone) keeps the limit and the refusal of encoded bodies too.
 *
 * Every server listens on 127.0.0.1 only and is closed after its test.
 */
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import express, { type Express } from 'express';
import express4 from 'express4';
import {
  bodyParserOptions,
  captureRawBody,
  createExpressErrorHandler,
  placetel,
  type CallControlError,
} from '../../src';
import { QUIET } from '../helpers/apps';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';

const SECRET = 'test-secret-not-real-0001';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const XML_TYPE = 'application/xml; charset=utf-8';
const CALL_ID = 'f4591ba315d81671d7a06c2a3b4f963dafd119de39cb26edd8a6476676b2f447';

/** A Placetel app that records what reaches its handlers and `onError`. */
function placetelApp(options: placetel.PlacetelAppOptions = {}) {
  const calls = placetel.createApp({ ...QUIET, secret: SECRET, ...options });
  const handled: string[] = [];
  const errors: CallControlError[] = [];
  calls.onAny((event) => {
    handled.push(event.name);
  });
  calls.on('IncomingCall', () => placetel.queue({ id: 7 }));
  calls.onError((error) => {
    errors.push(error);
  });
  return { calls, handled, errors };
}

/** How the parsers are put in front of callcontrol. */
type Setup = 'plain' | 'recipe' | 'verify-only' | 'recipe-express4';

/** An Express app with `calls` at /placetel, the parsers in front as `setup` says. */
function hostApp(calls: placetel.PlacetelApp, setup: Setup): Express {
  if (setup === 'recipe-express4') {
    const app = express4();
    app.use(express4.json(bodyParserOptions(calls)));
    app.use(express4.urlencoded({ extended: false, ...bodyParserOptions(calls) }));
    app.use('/placetel', calls.express(), createExpressErrorHandler(calls));
    return app as unknown as Express;
  }
  const app = express();
  if (setup === 'recipe') {
    app.use(express.json(bodyParserOptions(calls)));
    app.use(express.urlencoded({ extended: false, ...bodyParserOptions(calls) }));
    app.use('/placetel', calls.express(), createExpressErrorHandler(calls));
  } else if (setup === 'verify-only') {
    // The former recipe: the parser's own defaults (100 kB, inflate), only the raw bytes kept.
    app.use(express.json({ verify: captureRawBody }));
    app.use(express.urlencoded({ extended: false, verify: captureRawBody }));
    app.use('/placetel', calls.express());
  } else {
    app.use('/placetel', calls.express());
  }
  // The host's own route behind the parsers: its errors stay its own.
  app.post('/api', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

async function serve(calls: placetel.PlacetelApp, setup: Setup): Promise<Server> {
  return listenOnLoopback(hostApp(calls, setup));
}

/** An answer as received. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * POSTs exactly `body` with `headers` to `path` (with fetch: supertest re-encodes a gzip
 * body).
 */
async function post(
  server: Server,
  body: string | Buffer,
  headers: Record<string, string>,
  path = '/placetel',
): Promise<Answer> {
  const response = await fetch(`${baseUrlOf(server)}${path}`, {
    method: 'POST',
    headers,
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function signedHeaders(body: string | Buffer, type = FORM): Record<string, string> {
  return { 'content-type': type, 'x-placetel-signature': placetel.signPlacetelBody(body, SECRET) };
}

/** A signed form IncomingCall padded with a `pad` field to `bytes` bytes. */
function incomingOf(bytes: number): string {
  const head = `call_id=${CALL_ID}&direction=in&event=IncomingCall&from=0171&to=0221&pad=`;
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

/** Status and code of a reply, after checking it is callcontrol's XML and no HTML or stack. */
function coded(res: Answer): [number, string | undefined] {
  expect(res.text).not.toMatch(/<html|<pre>|<!DOCTYPE/i);
  expect(res.text).not.toMatch(/\n\s+at \S/);
  expect(res.text).not.toMatch(/node_modules|body-parser|raw-body/);
  expect(res.headers.get('content-type')).toBe(XML_TYPE);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  if (res.status === 200) return [200, undefined];
  const root = canonicalXml(res.text);
  expect(root.name).toBe('Error');
  return [res.status, root.attributes['code']];
}

const SETUPS_WITH_PARSERS: Setup[] = ['recipe', 'recipe-express4'];

describe.each(SETUPS_WITH_PARSERS)('parsers in front (%s)', (setup) => {
  test('a signed form body is handled, verified over the raw bytes', async () => {
    const { calls, handled, errors } = placetelApp();
    const server = await serve(calls, setup);
    const body = incomingOf(200);
    const res = await post(server, body, signedHeaders(body));
    expect(coded(res)).toEqual([200, undefined]);
    expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response><Queue id="7"/></Response>'));
    expect(handled).toEqual(['IncomingCall']);
    expect(errors).toEqual([]);
  });

  test('a signed body over bodyLimitBytes gets 413 CC_ERR_BODY_TOO_LARGE, unhandled', async () => {
    const { calls, handled, errors } = placetelApp({ bodyLimitBytes: 4096 });
    const server = await serve(calls, setup);
    const body = incomingOf(90 * 1024);
    const res = await post(server, body, signedHeaders(body));
    expect(coded(res)).toEqual([413, 'CC_ERR_BODY_TOO_LARGE']);
    expect(handled).toEqual([]);
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_BODY_TOO_LARGE']);
  });

  test.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
  ] as const)(
    'a %s body signed over its decompressed bytes gets 415 CC_ERR_UNSUPPORTED_MEDIA_TYPE',
    async (encoding, compress) => {
      const { calls, handled, errors } = placetelApp();
      const server = await serve(calls, setup);
      const body = incomingOf(200);
      const res = await post(server, compress(Buffer.from(body)), {
        ...signedHeaders(body),
        'content-encoding': encoding,
      });
      expect(coded(res)).toEqual([415, 'CC_ERR_UNSUPPORTED_MEDIA_TYPE']);
      expect(handled).toEqual([]);
      expect(errors.map((error) => error.code)).toEqual(['CC_ERR_UNSUPPORTED_MEDIA_TYPE']);
    },
  );

  test('an error on the host’s own route stays the host’s', async () => {
    const { calls, errors } = placetelApp();
    const server = await serve(calls, setup);
    const res = await post(server, '{broken', { 'content-type': JSON_TYPE }, '/api');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).not.toBe(XML_TYPE);
    expect(errors).toEqual([]);
  });
});

/** Hostile requests, each answered the same with and without parsers in front. */
const HOSTILE: readonly [
  string,
  () => { body: string | Buffer; headers: Record<string, string> },
][] = [
  [
    'malformed signed JSON',
    () => ({ body: '{"event":', headers: signedHeaders('{"event":', JSON_TYPE) }),
  ],
  [
    'malformed unsigned JSON',
    () => ({ body: '{"event":', headers: { 'content-type': JSON_TYPE } }),
  ],
  ['a JSON array, signed', () => ({ body: '[1,2]', headers: signedHeaders('[1,2]', JSON_TYPE) })],
  [
    'JSON with a nested value, signed',
    () => {
      const body = `{"event":"IncomingCall","call_id":"${CALL_ID}","x":{"y":1}}`;
      return { body, headers: signedHeaders(body, JSON_TYPE) };
    },
  ],
  [
    'a form in latin1, signed',
    () => {
      const body = incomingOf(100);
      return { body, headers: signedHeaders(body, `${FORM}; charset=latin1`) };
    },
  ],
  [
    'a form with 1001 fields, signed',
    () => {
      const body =
        `event=IncomingCall&call_id=${CALL_ID}&` +
        Array.from({ length: 1000 }, (_, i) => `f${i}=1`).join('&');
      return { body, headers: signedHeaders(body) };
    },
  ],
  [
    'a form whose signature does not match',
    () => ({ body: incomingOf(299), headers: signedHeaders(incomingOf(300)) }),
  ],
  [
    'a gzip body, unsigned',
    () => ({
      body: gzipSync(Buffer.from(incomingOf(100))),
      headers: { 'content-type': FORM, 'content-encoding': 'gzip' },
    }),
  ],
  [
    'an unknown Content-Encoding',
    () => ({
      body: incomingOf(100),
      headers: { ...signedHeaders(incomingOf(100)), 'content-encoding': 'x-custom' },
    }),
  ],
  [
    'a body over the limit, unsigned JSON',
    () => ({ body: `{"a":"${'x'.repeat(70_000)}"}`, headers: { 'content-type': JSON_TYPE } }),
  ],
];

describe('the same answers as without a parser in front', () => {
  test.each(HOSTILE)('%s', async (_name, make) => {
    const answers: Record<string, [number, string | undefined]> = {};
    for (const setup of ['plain', 'recipe', 'recipe-express4'] as const) {
      const { calls, handled } = placetelApp();
      const server = await serve(calls, setup);
      const { body, headers } = make();
      const res = await post(server, body, headers);
      answers[setup] = coded(res);
      expect([setup, handled]).toEqual([setup, []]);
    }
    expect(answers['plain']?.[0]).toBeGreaterThanOrEqual(400);
    expect(answers['recipe']).toEqual(answers['plain']);
    expect(answers['recipe-express4']).toEqual(answers['plain']);
  });
});

describe('the former recipe (verify: captureRawBody alone) keeps the limits too', () => {
  test('a signed 90 KB body within the parser’s 100 kB: 413 over bodyLimitBytes', async () => {
    const { calls, handled, errors } = placetelApp();
    const server = await serve(calls, 'verify-only');
    const body = incomingOf(90 * 1024);
    const res = await post(server, body, signedHeaders(body));
    expect(coded(res)).toEqual([413, 'CC_ERR_BODY_TOO_LARGE']);
    expect(handled).toEqual([]);
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_BODY_TOO_LARGE']);
  });

  test('a gzip body the parser decompressed: 415, not verified against those bytes', async () => {
    const { calls, handled, errors } = placetelApp();
    const server = await serve(calls, 'verify-only');
    const body = incomingOf(200);
    const res = await post(server, gzipSync(Buffer.from(body)), {
      ...signedHeaders(body),
      'content-encoding': 'gzip',
    });
    expect(coded(res)).toEqual([415, 'CC_ERR_UNSUPPORTED_MEDIA_TYPE']);
    expect(handled).toEqual([]);
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_UNSUPPORTED_MEDIA_TYPE']);
  });
});

describe('a client that goes away in the middle of the body', () => {
  test('is reported as CC_ERR_BODY_ABORTED, never handled', async () => {
    const { calls, handled, errors } = placetelApp();
    const server = await serve(calls, 'recipe');
    const { port } = server.address() as AddressInfo;
    const body = incomingOf(1000);
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /placetel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM}\r\n` +
        `X-Placetel-Signature: ${placetel.signPlacetelBody(body, SECRET)}\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 100)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const deadline = Date.now() + 5000;
    while (errors.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_BODY_ABORTED']);
    expect(handled).toEqual([]);
  });
});
