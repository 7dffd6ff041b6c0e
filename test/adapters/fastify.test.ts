/**
 * `calls.fastify()` registered in a real Fastify 5 instance listening on 127.0.0.1: signed
 * Placetel fixtures (POST form) and VoipNow's GET fixtures answered end to end, paths relative to
 * the prefix with the query kept, the app's own body limit as a coded 413 (Fastify's `bodyLimit`,
 * content-type parsers and error format stay out of it), a coded 405, helmet's headers, the TCP
 * peer address for `allowFrom`, and the host's own routes and hooks beside the plugin.
 *
 * Fastify's `inject()` is not used: light-my-request loads cookie@2, an ES module that Jest
 * cannot `require` on Node 20.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createFastifyPlugin, placetel, type CallControlError } from '../../src';
import type { RequestFixture } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';
import {
  EMPTY_RESPONSE,
  SIGNED_PLACETEL,
  VOIPNOW_GETS,
  errorCodeOf,
  expectAnswerHeaders,
  placetelApp,
  queryOf,
  requestFixture,
  responseXml,
  tampered,
  voipnowApp,
  type Seen,
} from './common';

const FORM = 'application/x-www-form-urlencoded';
const SECRET = '12345';

/**
 * The apps behind the shared instance, and what each saw. The signed fixtures share one call
 * id, and some tests send one request to several paths: there each is a delivery of its own
 * (`duplicates: false`), not a replay (test/integration/replay.test.ts).
 */
const signedApp = placetelApp({ secret: SECRET, duplicates: false });
const openApp = placetelApp();
const voip = voipnowApp();
const smallApp = placetelApp({ bodyLimitBytes: 256 });
const allowedApp = placetelApp({ allowFrom: ['127.0.0.1'] });
const deniedApp = placetelApp({ allowFrom: ['192.0.2.1'] });
const nestedApp = placetelApp({ duplicates: false });
const apps = [signedApp, openApp, voip, smallApp, allowedApp, deniedApp, nestedApp];

/** URLs the host's `onRequest` and `onResponse` hooks saw, in order. */
const hookUrls: string[] = [];
/** Bodies the host's own form parser read (it must never see callcontrol's requests). */
const hostParsed: string[] = [];

let fastify: FastifyInstance;
let base: string;

beforeAll(async () => {
  // A tiny bodyLimit and a host-wide form parser: neither may touch callcontrol's requests.
  fastify = Fastify({ bodyLimit: 64 });
  fastify.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    hostParsed.push(String(body));
    done(null, { parsed: String(body) });
  });
  fastify.addHook('onRequest', async (request) => {
    hookUrls.push(`onRequest ${request.url}`);
  });
  fastify.addHook('onResponse', async (request) => {
    hookUrls.push(`onResponse ${request.url}`);
  });
  fastify.get('/health', async () => 'ok');
  fastify.post('/placetel-status', async (request) => request.body);

  await fastify.register(signedApp.calls.fastify(), { prefix: '/placetel' });
  await fastify.register(openApp.calls.fastify(), { prefix: '/open' });
  await fastify.register(voip.calls.fastify({ logLevel: 'warn' }), {
    prefix: '/telephony/voipnow',
  });
  await fastify.register(createFastifyPlugin(smallApp.calls), { prefix: '/small' });
  await fastify.register(allowedApp.calls.fastify(), { prefix: '/allowed' });
  await fastify.register(deniedApp.calls.fastify(), { prefix: '/denied' });
  await fastify.register(
    async function api(instance) {
      await instance.register(nestedApp.calls.fastify(), { prefix: '/placetel' });
    },
    { prefix: '/api' },
  );
  base = await fastify.listen({ port: 0, host: '127.0.0.1' });
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

afterAll(async () => {
  await fastify.close();
  await Promise.all(apps.map(({ calls }) => calls.close()));
});

beforeEach(() => {
  for (const { seen } of apps) {
    seen.events.length = 0;
    seen.errors.length = 0;
  }
  hookUrls.length = 0;
  hostParsed.length = 0;
});

/** An answer, its body as exact bytes. */
interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

async function send(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, init);
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
}

function postFixture(
  path: string,
  fixture: RequestFixture,
  body = fixture.body ?? '',
): Promise<Answer> {
  expect(fixture.method).toBe('POST');
  return send(path, { method: 'POST', headers: fixture.headers, body });
}

function expectClean(seen: Seen): void {
  expect(seen.errors.map((error: CallControlError) => error.code)).toEqual([]);
}

describe('Placetel (signed POST form)', () => {
  test('the fixtures hold signed Placetel requests with the test secret', () => {
    expect(SIGNED_PLACETEL.length).toBeGreaterThan(0);
    for (const fixture of SIGNED_PLACETEL) expect(fixture.secret).toBe(SECRET);
  });

  test.each(SIGNED_PLACETEL.map((fixture) => [fixture.id, fixture] as const))(
    '%s verifies and reaches its handler with the documented fields',
    async (_id, fixture) => {
      const answer = await postFixture('/placetel', fixture);
      expect(answer.status).toBe(200);
      expectAnswerHeaders(answer.headers, answer.body);
      const expected =
        fixture.expect.event === 'IncomingCall'
          ? canonicalXml(
              `<Response><Forward><Target><Number>${fixture.expect.fields['to'] ?? ''}</Number></Target></Forward></Response>`,
            )
          : EMPTY_RESPONSE;
      expect(canonicalXml(answer.text)).toEqual(expected);
      expect(signedApp.seen.events).toEqual([
        { name: fixture.expect.event, raw: fixture.expect.fields, path: '/', query: '' },
      ]);
      expectClean(signedApp.seen);
      expect(hostParsed).toEqual([]);
    },
  );

  test('placetel.incoming is answered with the documented Forward (placetel.forward-one-number)', async () => {
    const answer = await postFixture('/placetel/', requestFixture('placetel', 'placetel.incoming'));
    expect(answer.status).toBe(200);
    expect(canonicalXml(answer.text)).toEqual(
      responseXml('placetel', 'placetel.forward-one-number'),
    );
    // `/placetel/` is `/` to the app.
    expect(signedApp.seen.events.map((event) => event.path)).toEqual(['/']);
  });

  test('one changed body byte: 403 CC_ERR_SIGNATURE_INVALID, no handler runs', async () => {
    const fixture = requestFixture('placetel', 'placetel.incoming');
    const answer = await postFixture('/placetel', fixture, tampered(fixture.body ?? ''));
    expect(answer.status).toBe(403);
    expectAnswerHeaders(answer.headers, answer.body);
    expect(errorCodeOf(answer.text)).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(signedApp.seen.events).toEqual([]);
    expect(signedApp.seen.errors.map((error) => error.code)).toEqual(['CC_ERR_SIGNATURE_INVALID']);
  });

  test('a non-ASCII answer: Content-Length counts bytes', async () => {
    const { body, headers } = placetel.placetelRequest({
      call_id: 'c0ffee',
      direction: 'in',
      event: 'IncomingCall',
      from: '0301234567',
      to: 'müller@fpbx.de',
    });
    const answer = await send('/open', { method: 'POST', headers, body });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('müller@fpbx.de');
    expect(answer.body.length).toBeGreaterThan(answer.text.length);
    expectAnswerHeaders(answer.headers, answer.body);
  });
});

describe('VoipNow (GET)', () => {
  /** A fixture's path relative to where VoipNow is mounted (`/voipnow/…` or `/myscript`). */
  function appPath(fixture: RequestFixture): string {
    const path = fixture.path.split('?')[0] ?? '';
    return path.startsWith('/voipnow/') ? path.slice('/voipnow'.length) : path;
  }

  test('the fixtures hold VoipNow GET requests', () => {
    expect(VOIPNOW_GETS.length).toBeGreaterThanOrEqual(2);
  });

  test.each(VOIPNOW_GETS.map((fixture) => [fixture.id, fixture] as const))(
    '%s: the path relative to the prefix, the query kept, the documented answer',
    async (_id, fixture) => {
      const query = queryOf(fixture.path);
      const answer = await send(`/telephony/voipnow${appPath(fixture)}?${query}`, {
        headers: fixture.headers,
      });
      expect(answer.status).toBe(200);
      expectAnswerHeaders(answer.headers, answer.body);
      expect(canonicalXml(answer.text)).toEqual(
        fixture.expect.event === 'call_interactive'
          ? responseXml('voipnow', 'voipnow.jump')
          : EMPTY_RESPONSE,
      );
      expect(voip.seen.events).toEqual([
        { name: fixture.expect.event, raw: fixture.expect.fields, path: appPath(fixture), query },
      ]);
      expectClean(voip.seen);
    },
  );
});

describe('limits and refusals', () => {
  test("the app's bodyLimitBytes: 413 CC_ERR_BODY_TOO_LARGE as XML, not Fastify's JSON", async () => {
    const answer = await send('/small', {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: `call_id=a&event=IncomingCall&from=${'1'.repeat(1000)}`,
    });
    expect(answer.status).toBe(413);
    expectAnswerHeaders(answer.headers, answer.body);
    expect(errorCodeOf(answer.text)).toBe('CC_ERR_BODY_TOO_LARGE');
    expect(smallApp.seen.errors.map((error) => error.code)).toEqual(['CC_ERR_BODY_TOO_LARGE']);
  });

  test("Fastify's own bodyLimit (64 bytes here) and form parser do not apply", async () => {
    const fixture = requestFixture('placetel', 'placetel.incoming');
    expect(Buffer.byteLength(fixture.body ?? '')).toBeGreaterThan(64);
    expect((await postFixture('/placetel', fixture)).status).toBe(200);
    // The host's routes keep Fastify's: its limit answers with Fastify's own error.
    const host = await send('/placetel-status', {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'x'.repeat(100),
    });
    expect(host.status).toBe(413);
    expect(host.headers.get('content-type')).toContain('application/json');
    expect(hostParsed).toEqual([]);
  });

  test.each(['PUT', 'GET', 'DELETE'])(
    '%s to Placetel (POST only): coded 405 with Allow',
    async (method) => {
      const answer = await send('/placetel', { method });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
      expectAnswerHeaders(answer.headers, answer.body);
      expect(errorCodeOf(answer.text)).toBe('CC_ERR_METHOD_NOT_ALLOWED');
    },
  );

  test('a content type Fastify has no parser for reaches the app: its coded 415', async () => {
    const answer = await send('/open', {
      method: 'POST',
      headers: { 'content-type': 'application/x-unknown' },
      body: 'hello',
    });
    expect(answer.status).toBe(415);
    expectAnswerHeaders(answer.headers, answer.body);
    expect(errorCodeOf(answer.text)).toBe('CC_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  test('allowFrom checks the TCP peer (127.0.0.1): allowed, and 403 from elsewhere', async () => {
    const fixture = requestFixture('placetel', 'placetel.example-curl-incoming');
    expect((await postFixture('/allowed', fixture)).status).toBe(200);
    expect(allowedApp.seen.events.map((event) => event.name)).toEqual(['IncomingCall']);
    const denied = await postFixture('/denied', fixture);
    expect(denied.status).toBe(403);
    expect(errorCodeOf(denied.text)).toBe('CC_ERR_SOURCE_FORBIDDEN');
    expect(deniedApp.seen.events).toEqual([]);
  });
});

describe('beside the host', () => {
  test("the host's routes outside the prefix are still Fastify's", async () => {
    const health = await send('/health');
    expect(health.status).toBe(200);
    expect(health.text).toBe('ok');
    expect(health.headers.get('x-content-type-options')).toBeNull();
    // Under no registered prefix (`/placetelx` is not `/placetel`): Fastify's 404.
    const other = await send('/placetelx', { method: 'POST' });
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toContain('application/json');
  });

  test('paths below the prefix reach the app relative to it, the query kept', async () => {
    const paths = ['/open', '/open/', '/open/a/b%20c?x=1&y=%2A'];
    for (const [index, path] of paths.entries()) {
      const { body, headers } = placetel.placetelRequest({
        call_id: `c0ffee${index}`,
        direction: 'in',
        event: 'IncomingCall',
        from: '0301234567',
        to: '0221',
      });
      expect((await send(path, { method: 'POST', headers, body })).status).toBe(200);
    }
    expect(openApp.seen.events.map((event) => [event.path, event.query])).toEqual([
      ['/', ''],
      ['/', ''],
      ['/a/b%20c', 'x=1&y=%2A'],
    ]);
  });

  test('a plugin registered inside a prefixed plugin sees paths relative to both', async () => {
    const fixture = requestFixture('placetel', 'placetel.example-curl-incoming');
    expect((await postFixture('/api/placetel', fixture)).status).toBe(200);
    expect((await postFixture('/api/placetel/x', fixture)).status).toBe(200);
    expect(nestedApp.seen.events.map((event) => event.path)).toEqual(['/', '/x']);
  });

  test("the host's onRequest and onResponse hooks run and see the full URL", async () => {
    const fixture = requestFixture('placetel', 'placetel.example-curl-incoming');
    expect((await postFixture('/open/sub?q=1', fixture)).status).toBe(200);
    // onResponse runs when the response finished; give it the next turns of the loop.
    for (let turn = 0; turn < 100 && hookUrls.length < 2; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hookUrls).toEqual(['onRequest /open/sub?q=1', 'onResponse /open/sub?q=1']);
    expect(openApp.seen.events.map((event) => event.path)).toEqual(['/sub']);
  });

  test('registered without a prefix, the app sees every unclaimed path unchanged', async () => {
    const { calls, seen } = placetelApp({ duplicates: false });
    const bare = Fastify();
    bare.get('/health', async () => 'ok');
    await bare.register(calls.fastify());
    try {
      const bareBase = await bare.listen({ port: 0, host: '127.0.0.1' });
      const { body, headers } = placetel.placetelRequest({
        call_id: 'c0ffee',
        direction: 'in',
        event: 'IncomingCall',
        from: '0301234567',
        to: '0221',
      });
      for (const path of ['/', '/hooks/placetel?a=b']) {
        const response = await fetch(`${bareBase}${path}`, { method: 'POST', headers, body });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
      const health = await fetch(`${bareBase}/health`);
      expect(await health.text()).toBe('ok');
      expect(seen.events.map((event) => [event.path, event.query])).toEqual([
        ['/', ''],
        ['/hooks/placetel', 'a=b'],
      ]);
    } finally {
      await bare.close();
      await calls.close();
    }
  });
});
