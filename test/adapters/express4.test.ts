/**
 * `calls.express()` in a real Express 4 app (the `express4` alias) on 127.0.0.1: the signed
 * Placetel fixtures end to end (a changed byte refused with 403), a body parser mounted before
 * callcontrol with `verify: captureRawBody` and without it (a coded 500 at once), a mount under a
 * path prefix, the app's body limit, and Express 4's `X-Powered-By` removed from the answers.
 */
import { readFileSync } from 'node:fs';
import express4 from 'express4';
import { captureRawBody } from '../../src';
import type { RequestFixture } from '../helpers/fixtures';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';
import {
  EMPTY_RESPONSE,
  SIGNED_PLACETEL,
  errorCodeOf,
  expectAnswerHeaders,
  placetelApp,
  requestFixture,
  responseXml,
  tampered,
} from './common';

const SECRET = '12345';
const FORM = 'application/x-www-form-urlencoded';

/** An answer, its body as exact bytes. */
interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

/** Starts `app` on 127.0.0.1 (closed after the test) and POSTs the fixture to `path`. */
async function post(
  app: ReturnType<typeof express4>,
  path: string,
  fixture: RequestFixture,
  body = fixture.body ?? '',
): Promise<Answer> {
  const server = await listenOnLoopback(app);
  return send(`${baseUrlOf(server)}${path}`, { method: 'POST', headers: fixture.headers, body });
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
}

describe('Placetel fixtures through Express 4', () => {
  test('the express4 alias is Express 4', () => {
    const manifest = JSON.parse(readFileSync(require.resolve('express4/package.json'), 'utf8')) as {
      version: string;
    };
    expect(manifest.version).toMatch(/^4\./);
  });

  test.each(SIGNED_PLACETEL.map((fixture) => [fixture.id, fixture] as const))(
    '%s verifies and reaches its handler with the documented fields',
    async (_id, fixture) => {
      const { calls, seen } = placetelApp({ secret: SECRET });
      const app = express4();
      app.use('/placetel', calls.express());
      const answer = await post(app, '/placetel', fixture);
      expect(answer.status).toBe(200);
      expectAnswerHeaders(answer.headers, answer.body);
      expect(canonicalXml(answer.text)).toEqual(
        fixture.id === 'placetel.incoming'
          ? responseXml('placetel', 'placetel.forward-one-number')
          : fixture.expect.event === 'IncomingCall'
            ? canonicalXml(
                `<Response><Forward><Target><Number>${fixture.expect.fields['to'] ?? ''}</Number></Target></Forward></Response>`,
              )
            : EMPTY_RESPONSE,
      );
      expect(seen.events).toEqual([
        { name: fixture.expect.event, raw: fixture.expect.fields, path: '/', query: '' },
      ]);
      expect(seen.errors).toEqual([]);
      await calls.close();
    },
  );

  test('one changed body byte: 403 CC_ERR_SIGNATURE_INVALID, no handler runs', async () => {
    const { calls, seen } = placetelApp({ secret: SECRET });
    const app = express4();
    app.use('/placetel', calls.express());
    const fixture = requestFixture('placetel', 'placetel.call-accepted');
    const answer = await post(app, '/placetel', fixture, tampered(fixture.body ?? ''));
    expect(answer.status).toBe(403);
    expectAnswerHeaders(answer.headers, answer.body);
    expect(errorCodeOf(answer.text)).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(seen.events).toEqual([]);
    await calls.close();
  });

  test("Express 4's X-Powered-By: on the host's routes, not on callcontrol's answers", async () => {
    const { calls } = placetelApp({ secret: SECRET });
    const app = express4();
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    app.use('/placetel', calls.express());
    const server = await listenOnLoopback(app);
    const health = await send(`${baseUrlOf(server)}/health`);
    expect(health.headers.get('x-powered-by')).toBe('Express');
    const fixture = requestFixture('placetel', 'placetel.incoming');
    const answer = await send(`${baseUrlOf(server)}/placetel`, {
      method: 'POST',
      headers: fixture.headers,
      body: fixture.body ?? '',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-powered-by')).toBeNull();
    await calls.close();
  });
});

describe('body parsers mounted before callcontrol', () => {
  test('urlencoded with verify: captureRawBody: the signature checks the raw bytes', async () => {
    const { calls, seen } = placetelApp({ secret: SECRET });
    const app = express4();
    app.use(express4.urlencoded({ extended: false, verify: captureRawBody }));
    app.use('/placetel', calls.express());
    const server = await listenOnLoopback(app);
    const fixture = requestFixture('placetel', 'placetel.incoming');
    const url = `${baseUrlOf(server)}/placetel`;

    const answer = await send(url, {
      method: 'POST',
      headers: fixture.headers,
      body: fixture.body ?? '',
    });
    expect(answer.status).toBe(200);
    expect(canonicalXml(answer.text)).toEqual(
      responseXml('placetel', 'placetel.forward-one-number'),
    );
    expect(seen.events.map((event) => event.raw)).toEqual([fixture.expect.fields]);

    const bad = await send(url, {
      method: 'POST',
      headers: fixture.headers,
      body: tampered(fixture.body ?? ''),
    });
    expect(bad.status).toBe(403);
    expect(errorCodeOf(bad.text)).toBe('CC_ERR_SIGNATURE_INVALID');
    await calls.close();
  });

  test('urlencoded without verify: a coded 500 CC_ERR_CONFIG_BODY_CONSUMED at once', async () => {
    const { calls, seen } = placetelApp({ secret: SECRET });
    const app = express4();
    app.use(express4.urlencoded({ extended: false }));
    app.use('/placetel', calls.express());
    const answer = await post(app, '/placetel', requestFixture('placetel', 'placetel.incoming'));
    expect(answer.status).toBe(500);
    expectAnswerHeaders(answer.headers, answer.body);
    expect(errorCodeOf(answer.text)).toBe('CC_ERR_CONFIG_BODY_CONSUMED');
    expect(answer.text).toContain('captureRawBody');
    expect(seen.events).toEqual([]);
    expect(seen.errors.map((error) => error.code)).toEqual(['CC_ERR_CONFIG_BODY_CONSUMED']);
    await calls.close();
  });
});

describe('mounting', () => {
  test('under a path prefix: paths relative to it, the query kept, other paths Express’s', async () => {
    const { calls, seen } = placetelApp({ secret: SECRET });
    const app = express4();
    app.use('/hooks/telephony/placetel', calls.express());
    const server = await listenOnLoopback(app);
    const base = `${baseUrlOf(server)}/hooks/telephony/placetel`;
    const accepted = requestFixture('placetel', 'placetel.call-accepted');
    const hungup = requestFixture('placetel', 'placetel.hungup-accepted');
    const first = await send(base, {
      method: 'POST',
      headers: accepted.headers,
      body: accepted.body ?? '',
    });
    expect(first.status).toBe(200);
    const second = await send(`${base}/events?source=test`, {
      method: 'POST',
      headers: hungup.headers,
      body: hungup.body ?? '',
    });
    expect(second.status).toBe(200);
    expect(seen.events.map((event) => [event.name, event.path, event.query])).toEqual([
      ['CallAccepted', '/', ''],
      ['HungUp', '/events', 'source=test'],
    ]);
    const outside = await send(`${baseUrlOf(server)}/hooks/telephony`, { method: 'POST' });
    expect(outside.status).toBe(404);
    expect(outside.headers.get('content-type')).not.toBe('application/xml; charset=utf-8');
    await calls.close();
  });

  test("the app's bodyLimitBytes: 413 CC_ERR_BODY_TOO_LARGE as XML", async () => {
    const { calls } = placetelApp({ bodyLimitBytes: 256 });
    const app = express4();
    app.use('/placetel', calls.express());
    const server = await listenOnLoopback(app);
    const answer = await send(`${baseUrlOf(server)}/placetel`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: `call_id=a&event=IncomingCall&from=${'1'.repeat(1000)}`,
    });
    expect(answer.status).toBe(413);
    expectAnswerHeaders(answer.headers, answer.body);
    expect(errorCodeOf(answer.text)).toBe('CC_ERR_BODY_TOO_LARGE');
    await calls.close();
  });
});
