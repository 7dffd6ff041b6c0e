/**
 * The Fetch-API adapter: `calls.fetch()` called directly with `Request` objects answers like the
 * `node:http` adapter — the provider's answer, helmet's headers (compared with a real
 * `calls.node()` server), coded refusals for oversized, stalled, encoded or header-heavy
 * requests — and resolves with a `Response` for every failure. One test serves it through a
 * small `node:http` bridge on 127.0.0.1 and plays a whole simulated call against it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { runCli, type CliIo } from '../../src/cli';
import {
  createFetchHandler,
  ozeki,
  placetel,
  voipnow,
  type CallControlError,
  type FetchHandler,
  type WebhookEvent,
} from '../../src';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';
import { QUIET, TEST_APP } from '../helpers/apps';

const FORM = 'application/x-www-form-urlencoded';
const ORIGIN = 'http://127.0.0.1';
const placetelFixtures = loadFixtures('placetel').requests;
const signedPlacetel = placetelFixtures.filter((fixture) => fixture.secret !== undefined);
const voipnowFixtures = loadFixtures('voipnow').requests;

/** Headers that belong to the connection, not to the answer (only the node server sends them). */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

function fixture(list: readonly RequestFixture[], id: string): RequestFixture {
  const found = list.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no fixture ${id}`);
  return found;
}

/** The fixture as a Fetch `Request` to `http://127.0.0.1<path>`. */
function fixtureRequest(entry: RequestFixture): Request {
  const hasBody = entry.method !== 'GET' && entry.method !== 'HEAD';
  return new Request(`${ORIGIN}${entry.path}`, {
    method: entry.method,
    headers: entry.headers,
    ...(hasBody ? { body: entry.body ?? '' } : {}),
  });
}

function post(path: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...headers },
    body,
  });
}

async function errorCode(response: Response): Promise<string | undefined> {
  const root = canonicalXml(await response.text());
  expect(root.name).toBe('Error');
  return root.attributes['code'];
}

function headerObject(headers: Iterable<[string, string]>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (!TRANSPORT_HEADERS.has(name)) result[name] = value;
  }
  return result;
}

/** A stream body that yields `chunk` on every pull, `count` times (Infinity: forever). */
function chunkStream(chunk: Uint8Array, count: number) {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulls >= count) {
        controller.close();
        return;
      }
      state.pulls += 1;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function streamRequest(stream: ReadableStream<Uint8Array>, headers: Record<string, string>) {
  return new Request(`${ORIGIN}/placetel`, {
    method: 'POST',
    headers: { 'content-type': FORM, ...headers },
    body: stream,
    duplex: 'half',
  } as RequestInit);
}

function placetelApp(secret?: string, options: placetel.PlacetelAppOptions = {}) {
  const calls = placetel.createApp({
    ...TEST_APP,
    ...options,
    ...(secret === undefined ? {} : { secret }),
  });
  const errors: CallControlError[] = [];
  const events: WebhookEvent[] = [];
  calls.on('IncomingCall', (call) => placetel.forward({ targets: [{ numbers: [call.to] }] }));
  calls.onAny((event) => {
    events.push(event);
  });
  calls.onError((error) => {
    errors.push(error);
  });
  return { calls, errors, events };
}

describe('answers', () => {
  test('the fixture files hold signed Placetel requests and a VoipNow GET', () => {
    expect(signedPlacetel.length).toBeGreaterThan(0);
    expect(voipnowFixtures.some((entry) => entry.method === 'GET')).toBe(true);
  });

  test.each(signedPlacetel.map((entry) => [entry.id, entry] as const))(
    'signed Placetel fixture %s: 200 with the documented event',
    async (_id, entry) => {
      const { calls, errors, events } = placetelApp(entry.secret);
      const response = await calls.fetch({ basePath: '/placetel' })(fixtureRequest(entry));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      const text = await response.text();
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
      expect(canonicalXml(text).name).toBe('Response');
      expect(errors).toEqual([]);
      expect(events.map((event) => event.name)).toEqual([entry.expect.event]);
      expect({ ...events[0]?.raw }).toEqual(entry.expect.fields);
    },
  );

  test('placetel.incoming: the Forward, and the same headers and body the node adapter sends', async () => {
    const entry = fixture(placetelFixtures, 'placetel.incoming');
    const { calls } = placetelApp(entry.secret);
    const response = await calls.fetch()(fixtureRequest(entry));
    const fetchBody = await response.text();
    expect(response.status).toBe(200);
    expect(canonicalXml(fetchBody)).toEqual(
      canonicalXml(
        '<Response><Forward><Target><Number>022129191999</Number></Target></Forward></Response>',
      ),
    );

    const server = await listenOnLoopback(createServer(calls.node()));
    const nodeResponse = await fetch(`${baseUrlOf(server)}${entry.path}`, {
      method: 'POST',
      headers: entry.headers,
      body: entry.body ?? '',
    });
    const nodeBody = await nodeResponse.text();
    expect(nodeResponse.status).toBe(200);
    expect(fetchBody).toBe(nodeBody);

    const fetchHeaders = headerObject(response.headers);
    const nodeHeaders = headerObject(nodeResponse.headers);
    expect(fetchHeaders).toEqual(nodeHeaders);
    // The security headers are there (not only content-type and content-length).
    expect(fetchHeaders['x-content-type-options']).toBe('nosniff');
    expect(fetchHeaders['content-security-policy']).toBeDefined();
    expect(fetchHeaders['strict-transport-security']).toBeDefined();
    expect(fetchHeaders['x-powered-by']).toBeUndefined();
    expect(fetchHeaders['x-frame-options']).toBe('DENY');
    expect(Object.keys(fetchHeaders).length).toBeGreaterThanOrEqual(7);
  });

  test('refusals carry the same headers as from the node adapter, except `connection`', async () => {
    const { calls } = placetelApp('test-secret-not-real');
    const server = await listenOnLoopback(createServer(calls.node()));
    const body = 'event=IncomingCall&call_id=a';
    const response = await calls.fetch()(post('/', body));
    const nodeResponse = await fetch(baseUrlOf(server), {
      method: 'POST',
      headers: { 'content-type': FORM },
      body,
    });
    expect(response.status).toBe(403);
    expect(nodeResponse.status).toBe(403);
    expect(await response.text()).toBe(await nodeResponse.text());
    expect(headerObject(response.headers)).toEqual(headerObject(nodeResponse.headers));
  });

  test('VoipNow Call Interactive by GET: method, path and raw query reach the app', async () => {
    const entry = fixture(voipnowFixtures, 'voipnow.call-interactive-get');
    const calls = voipnow.createApp(TEST_APP);
    const seen: voipnow.VoipNowEvent[] = [];
    const requests: { method: string; path: string; query: string; body: string }[] = [];
    calls.on('call_interactive', (call, context) => {
      seen.push(call);
      requests.push({
        method: context.request.method,
        path: context.request.path,
        query: context.request.query,
        body: context.request.body.toString('utf8'),
      });
      return [voipnow.playSound('welcome'), voipnow.hangup()];
    });
    const response = await calls.fetch()(fixtureRequest(entry));
    expect(response.status).toBe(200);
    expect(canonicalXml(await response.text())).toEqual(
      canonicalXml('<Response><PlaySound>welcome</PlaySound><Hangup/></Response>'),
    );
    const url = new URL(entry.path, ORIGIN);
    expect(requests).toEqual([
      { method: 'GET', path: '/myscript', query: url.search.slice(1), body: '' },
    ]);
    expect({ ...seen[0]?.raw }).toEqual(entry.expect.fields);
  });

  test('headers: lower-case names, repeated ones joined with ", "', async () => {
    const calls = ozeki.createApp(TEST_APP);
    const seen: Readonly<Record<string, string | undefined>>[] = [];
    calls.onAny((_event, context) => {
      seen.push(context.request.headers);
    });
    const request = new Request(`${ORIGIN}/`, {
      method: 'POST',
      headers: [
        ['Content-Type', FORM],
        ['X-Trace', 'a'],
        ['x-trace', 'b'],
      ],
      body: 'NotificationName=GoTo&CallId=a',
    });
    expect((await calls.fetch()(request)).status).toBe(200);
    expect(seen[0]?.['x-trace']).toBe('a, b');
    expect(seen[0]?.['content-type']).toBe(FORM);
    expect(seen[0]?.['Content-Type']).toBeUndefined();
  });

  test('the signature verifies over the exact bytes however the stream splits them', async () => {
    const secret = 'test-secret-not-real';
    const { calls, errors, events } = placetelApp(secret);
    const simulated = placetel.placetelRequest(
      { call_id: 'c1', event: 'IncomingCall', from: 'Grüße@example.com', to: '022129191999' },
      secret,
    );
    const bytes = Buffer.from(simulated.body, 'utf8');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // One byte per chunk: multi-byte characters arrive split.
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    const response = await calls.fetch()(streamRequest(stream, simulated.headers));
    expect(response.status).toBe(200);
    expect(errors).toEqual([]);
    expect(events[0]?.from).toBe('Grüße@example.com');
  });
});

describe('basePath and eventPaths', () => {
  function ozekiApp(eventPaths: Record<string, ozeki.OzekiEventName>) {
    const calls = ozeki.createApp({ ...TEST_APP, eventPaths });
    const seen: string[] = [];
    calls.onAny((event, context) => {
      seen.push(`${event.name}:${event.callId}:${context.request.path}`);
    });
    calls.onError(() => undefined);
    return { calls, seen };
  }

  test('basePath is stripped, so eventPaths are written relative to it', async () => {
    const { calls, seen } = ozekiApp({ '/error': 'CallError', '/finished': 'CallFinished' });
    const handle = calls.fetch({ basePath: '/api/ozeki/' });
    expect((await handle(post('/api/ozeki/error', 'CallId=e1'))).status).toBe(200);
    const finished = new Request(`${ORIGIN}/api/ozeki/finished?CallId=f1&Duration=12`);
    expect((await handle(finished)).status).toBe(200);
    expect((await handle(post('/api/ozeki', 'NotificationName=GoTo&CallId=g1'))).status).toBe(200);
    expect(seen).toEqual(['CallError:e1:/error', 'CallFinished:f1:/finished', 'GoTo:g1:/']);
  });

  test('a path outside basePath (also a longer segment) reaches the app unchanged', async () => {
    const { calls, seen } = ozekiApp({ '/error': 'CallError' });
    const handle = calls.fetch({ basePath: '/api/ozeki' });
    const outside = await handle(post('/api/ozeki2/error', 'CallId=e1'));
    expect(outside.status).toBe(400);
    expect(await errorCode(outside)).toBe('CC_ERR_REQUEST_MALFORMED');
    await handle(post('/other/error', 'NotificationName=GoTo&CallId=g1'));
    expect(seen).toEqual(['GoTo:g1:/other/error']);
  });

  test('without basePath the app sees the full path: eventPaths include the prefix', async () => {
    const { calls, seen } = ozekiApp({ '/api/ozeki/error': 'CallError' });
    expect((await calls.fetch()(post('/api/ozeki/error', 'CallId=e1'))).status).toBe(200);
    expect(seen).toEqual(['CallError:e1:/api/ozeki/error']);
  });

  test('an invalid basePath or remoteAddress is a TypeError when the handler is built', () => {
    const calls = ozeki.createApp(TEST_APP);
    expect(() => calls.fetch({ basePath: 'api' })).toThrow(TypeError);
    expect(() => calls.fetch({ basePath: '/api?x=1' })).toThrow(TypeError);
    expect(() =>
      calls.fetch({ remoteAddress: 'x' as unknown as (request: Request) => string }),
    ).toThrow(TypeError);
    expect(() => calls.fetch({ basePath: '/' })).not.toThrow();
  });
});

describe('body limits', () => {
  const KB16 = new Uint8Array(16 * 1024).fill(0x61);

  test('Content-Length above bodyLimitBytes: 413 without reading the body', async () => {
    const { calls, errors } = placetelApp();
    const { stream, state } = chunkStream(KB16, Infinity);
    const response = await calls.fetch()(
      streamRequest(stream, { 'content-length': String(70_000) }),
    );
    expect(response.status).toBe(413);
    expect(await errorCode(response)).toBe('CC_ERR_BODY_TOO_LARGE');
    expect(response.headers.get('connection')).toBeNull();
    // At most the one chunk the stream queues when it is created.
    expect(state.pulls).toBeLessThanOrEqual(1);
    expect(state.cancelled).toBe(true);
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_BODY_TOO_LARGE']);
  });

  test('no Content-Length: 413 as soon as the bytes read pass the limit, reading stops', async () => {
    const { calls } = placetelApp(undefined, { bodyLimitBytes: 40_000 });
    const { stream, state } = chunkStream(KB16, Infinity);
    const response = await calls.fetch()(streamRequest(stream, {}));
    expect(response.status).toBe(413);
    expect(await errorCode(response)).toBe('CC_ERR_BODY_TOO_LARGE');
    // 3 chunks pass 40,000 bytes; one more may have been queued ahead.
    expect(state.pulls).toBeGreaterThanOrEqual(3);
    expect(state.pulls).toBeLessThanOrEqual(4);
    expect(state.cancelled).toBe(true);
  });

  test('a string body above the default limit: 413', async () => {
    const { calls } = placetelApp();
    const response = await calls.fetch()(post('/', `a=${'x'.repeat(70_000)}`));
    expect(response.status).toBe(413);
  });

  test('a body shorter or longer than its Content-Length: 400 CC_ERR_BODY_ABORTED', async () => {
    const { calls } = placetelApp();
    const short = chunkStream(KB16, 1);
    const response = await calls.fetch()(
      streamRequest(short.stream, { 'content-length': '20000' }),
    );
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('CC_ERR_BODY_ABORTED');
    const long = chunkStream(KB16, Infinity);
    const longer = await calls.fetch()(streamRequest(long.stream, { 'content-length': '20000' }));
    expect(await errorCode(longer)).toBe('CC_ERR_BODY_ABORTED');
    expect(long.state.cancelled).toBe(true);
  });

  test('a stream that fails: 400 CC_ERR_BODY_ABORTED; one that yields no bytes: 400', async () => {
    const { calls } = placetelApp();
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    const aborted = await calls.fetch()(streamRequest(failing, {}));
    expect(await errorCode(aborted)).toBe('CC_ERR_BODY_ABORTED');
    const strings = new ReadableStream<string>({
      start(controller) {
        controller.enqueue('event=IncomingCall');
        controller.close();
      },
    });
    const invalid = await calls.fetch()(
      streamRequest(strings as unknown as ReadableStream<Uint8Array>, {}),
    );
    expect(invalid.status).toBe(400);
    expect(await errorCode(invalid)).toBe('CC_ERR_BODY_INVALID');
  });

  test('a Content-Length that is no number: 400 CC_ERR_REQUEST_MALFORMED', async () => {
    const { calls } = placetelApp();
    const { stream } = chunkStream(KB16, 1);
    const response = await calls.fetch()(streamRequest(stream, { 'content-length': '12, 12' }));
    expect(await errorCode(response)).toBe('CC_ERR_REQUEST_MALFORMED');
  });

  test('a body that stalls: 408 CC_ERR_BODY_TIMEOUT after bodyTimeoutMs, the stream cancelled', async () => {
    const { calls, errors } = placetelApp(undefined, { bodyTimeoutMs: 150 });
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Buffer.from('event=IncomingCall&'));
      },
      pull() {
        return new Promise<void>(() => undefined); // never delivers more
      },
      cancel() {
        cancelled = true;
      },
    });
    const started = Date.now();
    const response = await calls.fetch()(streamRequest(stalled, {}));
    const elapsed = Date.now() - started;
    expect(response.status).toBe(408);
    expect(await errorCode(response)).toBe('CC_ERR_BODY_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(3_000);
    expect(cancelled).toBe(true);
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_BODY_TIMEOUT']);
  }, 5_000);

  test('Content-Encoding gzip: 415, the body not read', async () => {
    const { calls } = placetelApp();
    const { stream, state } = chunkStream(KB16, 4);
    const response = await calls.fetch()(streamRequest(stream, { 'content-encoding': 'gzip' }));
    expect(response.status).toBe(415);
    expect(await errorCode(response)).toBe('CC_ERR_UNSUPPORTED_MEDIA_TYPE');
    expect(state.cancelled).toBe(true);
    const identity = await calls.fetch()(
      post('/', 'event=HungUp&call_id=a&type=missed', { 'content-encoding': 'identity' }),
    );
    expect(identity.status).toBe(200);
  });

  test('a body already read: 500 CC_ERR_CONFIG_BODY_CONSUMED', async () => {
    const { calls, errors } = placetelApp();
    const request = post('/', 'event=HungUp&call_id=a&type=missed');
    await request.text();
    const response = await calls.fetch()(request);
    expect(response.status).toBe(500);
    expect(await errorCode(response)).toBe('CC_ERR_CONFIG_BODY_CONSUMED');
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_CONFIG_BODY_CONSUMED']);
  });
});

describe('headers too large', () => {
  test('larger than maxHeaderBytes: 431', async () => {
    const { calls } = placetelApp(undefined, { maxHeaderBytes: 1024 });
    const response = await calls.fetch()(
      post('/', 'event=HungUp&call_id=a&type=missed', { 'x-padding': 'p'.repeat(1024) }),
    );
    expect(response.status).toBe(431);
    expect(await errorCode(response)).toBe('CC_ERR_HEADERS_TOO_LARGE');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('more than 100 header names: 431', async () => {
    const { calls } = placetelApp();
    const headers: Record<string, string> = {};
    for (let i = 0; i < 101; i += 1) headers[`x-h${i}`] = '1';
    const response = await calls.fetch()(post('/', 'event=HungUp&call_id=a', headers));
    expect(await errorCode(response)).toBe('CC_ERR_HEADERS_TOO_LARGE');
  });
});

describe('remoteAddress and allowFrom', () => {
  const body = 'NotificationName=GoTo&CallId=a';

  test('without remoteAddress, allowFrom refuses: the Fetch API has no peer address', async () => {
    const calls = ozeki.createApp({ ...QUIET, allowFrom: ['192.0.2.0/24'] });
    const response = await calls.fetch()(post('/', body));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('CC_ERR_SOURCE_FORBIDDEN');
  });

  test('the remoteAddress option gives the address allowFrom checks', async () => {
    const calls = ozeki.createApp({ ...QUIET, allowFrom: ['192.0.2.0/24'] });
    const addresses = new WeakMap<Request, string>();
    const seen: (string | undefined)[] = [];
    calls.onAny((_event, context) => {
      seen.push(context.request.remoteAddress);
    });
    const handle = calls.fetch({ remoteAddress: (request) => addresses.get(request) });
    const inside = post('/', body);
    addresses.set(inside, '192.0.2.7');
    expect((await handle(inside)).status).toBe(200);
    const outside = post('/', body);
    addresses.set(outside, '198.51.100.1');
    expect((await handle(outside)).status).toBe(403);
    expect((await handle(post('/', body))).status).toBe(403);
    expect(seen).toEqual(['192.0.2.7']);
  });
});

describe('never throws', () => {
  test('a handler that throws: 200 with the fallback answer, onError told', async () => {
    const calls = placetel.createApp(TEST_APP);
    const errors: CallControlError[] = [];
    calls.on('IncomingCall', () => {
      throw new Error('database down');
    });
    calls.onError((error) => {
      errors.push(error);
    });
    const response = await calls.fetch()(
      post('/', placetel.placetelRequest({ call_id: 'a', event: 'IncomingCall' }).body),
    );
    expect(response.status).toBe(200);
    expect(canonicalXml(await response.text())).toEqual(canonicalXml('<Response/>'));
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
  });

  test('a throwing remoteAddress option or a broken request: a 500 Response, no rejection', async () => {
    const calls = placetel.createApp(TEST_APP);
    const errors: CallControlError[] = [];
    calls.onError((error) => {
      errors.push(error);
    });
    const throwing = calls.fetch({
      remoteAddress: () => {
        throw new Error('no address');
      },
    });
    const response = await throwing(post('/', 'event=HungUp&call_id=a'));
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('>Internal error</Error>');
    const broken = await calls.fetch()({ url: 'not a url' } as unknown as Request);
    expect(broken.status).toBe(500);
    expect(errors.map((error) => error.code)).toEqual([
      'CC_ERR_HANDLER_FAILED',
      'CC_ERR_HANDLER_FAILED',
    ]);
  });

  test('createFetchHandler works with any AdaptableApp', async () => {
    const calls = placetel.createApp(TEST_APP);
    const handle: FetchHandler = createFetchHandler(calls, { basePath: '/placetel' });
    const response = await handle(post('/placetel', 'event=HungUp&call_id=a&type=missed'));
    expect(response.status).toBe(200);
  });
});

/**
 * A minimal bridge from `node:http` to a Fetch handler, as Node 20 has no built-in Fetch server:
 * IncomingMessage → Request (the body streamed), Response → ServerResponse. The peer address is
 * handed to the adapter through a WeakMap, as with Bun's `server.requestIP`.
 */
function bridge(
  build: (remoteAddress: (request: Request) => string | undefined) => FetchHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  const peers = new WeakMap<Request, string>();
  const handle = build((request) => peers.get(request));
  return (req, res) => {
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
    }
    const method = req.method ?? 'GET';
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: req, duplex: 'half' }),
    } as RequestInit);
    if (req.socket.remoteAddress !== undefined) peers.set(request, req.socket.remoteAddress);
    handle(request)
      .then(async (response) => {
        const body = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, [...response.headers]);
        res.end(body);
      })
      .catch(() => res.destroy());
  };
}

test('served through a node:http bridge on 127.0.0.1: a whole simulated Placetel call', async () => {
  const secret = 'test-secret-not-real';
  const calls = placetel.createApp({
    ...QUIET,
    secret,
    allowFrom: ['127.0.0.1', '::1', '::ffff:127.0.0.1'],
  });
  const seen: string[] = [];
  calls.on('IncomingCall', (call) => placetel.forward({ targets: [{ numbers: [call.to] }] }));
  calls.onAny((event, context) => {
    seen.push(`${event.name} ${context.request.path}`);
  });
  const server = await listenOnLoopback(
    createServer(bridge((remoteAddress) => calls.fetch({ basePath: '/placetel', remoteAddress }))),
  );
  const io: CliIo & { out: string; err: string } = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  const code = await runCli(
    ['simulate', 'placetel', `${baseUrlOf(server)}/placetel`, '--secret', secret, '--verbose'],
    io,
  );
  expect(io.err).toBe('');
  expect(code).toBe(0);
  expect(seen).toEqual(['IncomingCall /', 'CallAccepted /', 'HungUp /']);
  expect(io.out).toContain('<Forward><Target><Number>022129191999</Number></Target></Forward>');
  expect(io.out).toContain('✓ 3 requests, every answer 2xx');

  const refused = await fetch(`${baseUrlOf(server)}/placetel`, {
    method: 'POST',
    headers: { 'content-type': FORM },
    body: 'event=HungUp&call_id=a',
  });
  expect(refused.status).toBe(403);
  expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  expect(refused.headers.get('content-length')).toBe(String((await refused.text()).length));
});
