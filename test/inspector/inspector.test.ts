/**
 * The live inspector (docs/inspector.md) without a browser: not served in production, the token,
 * secrets masked in what the page gets (JSON list and stream), the buffer's bounds by count and
 * age, replay, and the core's observer hook (nothing built without an observer). The page itself
 * is driven in headless Chromium by `inspector-browser.test.ts`.
 */
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { createInspector, placetel, type InspectorEntry } from '../../src';
import * as observe from '../../src/core/observe';
import { createTestClient } from '../../src/testing';
import { QUIET } from '../helpers/apps';

const SECRET = 'placetel-secret-inspector-1';
const URL_TOKEN = 'url-token-inspector-77777777';
const INSPECTOR_TOKEN = 'inspector-token-0123456789';

/** Runs `work` with `NODE_ENV` set to `value`, restoring it afterwards. */
async function withNodeEnv<T>(value: string | undefined, work: () => Promise<T> | T): Promise<T> {
  // Next.js's types declare NODE_ENV read-only.
  const env = process.env as Record<string, string | undefined>;
  const before = env['NODE_ENV'];
  if (value === undefined) delete env['NODE_ENV'];
  else env['NODE_ENV'] = value;
  try {
    return await work();
  } finally {
    if (before === undefined) delete env['NODE_ENV'];
    else env['NODE_ENV'] = before;
  }
}

/** A signed Placetel app with a URL token, answering IncomingCall with a forward. */
function signedApp(handled: string[] = []) {
  const calls = placetel.createApp({ ...QUIET, secret: SECRET, urlToken: { tokens: [URL_TOKEN] } });
  calls.on('IncomingCall', (event) => {
    handled.push(event.callId);
    return placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
  });
  return calls;
}

function clientOf(calls: ReturnType<typeof signedApp>) {
  return createTestClient(calls, {
    secret: SECRET,
    urlToken: URL_TOKEN,
    headers: {
      authorization: 'Bearer bearer-secret-5555',
      cookie: 'sid=cookie-secret-6666',
      'x-twilio-signature': 'twilio-sig-8888',
    },
  });
}

/** The first `exchange` events of the stream at `url` (its raw text), once `count` arrived. */
function streamText(url: string, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${count} exchange events in time`)),
      10_000,
    );
    get(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.split('event: exchange').length - 1 >= count) {
          clearTimeout(timer);
          res.destroy();
          resolve(text);
        }
      });
    }).on('error', reject);
  });
}

describe('inspector: where it is served', () => {
  test('NODE_ENV=production: /_callcontrol/ and its API answer 404, and nothing is watched', async () => {
    await withNodeEnv('production', async () => {
      const inspector = createInspector();
      expect(inspector.enabled).toBe(false);
      const calls = signedApp();
      inspector.watch(calls);
      await clientOf(calls).placetel.incomingCall({ callId: 'prod-1' });
      expect(inspector.entries()).toEqual([]);
      const http = express();
      http.use('/_callcontrol', inspector.node());
      for (const path of [
        '/_callcontrol/',
        '/_callcontrol',
        '/_callcontrol/inspector.js',
        '/_callcontrol/api/exchanges',
        '/_callcontrol/api/stream',
        `/_callcontrol/?token=${INSPECTOR_TOKEN}`,
      ]) {
        const res = await request(http).get(path);
        expect([path, res.status]).toEqual([path, 404]);
      }
      expect((await request(http).post('/_callcontrol/api/replay/1')).status).toBe(404);
    });
  });

  test('outside production it is served: the page, its script and stylesheet, with a strict CSP', async () => {
    await withNodeEnv('development', async () => {
      const inspector = createInspector();
      expect(inspector.enabled).toBe(true);
      const http = express();
      http.use('/_callcontrol', inspector.node());
      const page = await request(http).get('/_callcontrol/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('inspector.js');
      const redirect = await request(http).get('/_callcontrol');
      expect([redirect.status, redirect.headers['location']]).toEqual([303, '/_callcontrol/']);
      expect((await request(http).get('/_callcontrol/inspector.js')).status).toBe(200);
      expect((await request(http).get('/_callcontrol/inspector.css')).status).toBe(200);
      expect((await request(http).get('/_callcontrol/nope')).status).toBe(404);
    });
  });

  test('enabled in production: only with a token (or behind your own auth), which every request needs', async () => {
    await withNodeEnv('production', async () => {
      expect(() => createInspector({ enabled: true })).toThrow(/needs a token/);
      expect(() => createInspector({ enabled: true, token: 'short' })).toThrow(/16 characters/);
      expect(createInspector({ enabled: true, behindOwnAuth: true }).enabled).toBe(true);
      const inspector = createInspector({ enabled: true, token: INSPECTOR_TOKEN });
      const http = express();
      http.use('/_callcontrol', inspector.node());
      for (const path of [
        '/_callcontrol/',
        '/_callcontrol/api/exchanges',
        '/_callcontrol/api/stream',
      ]) {
        const missing = await request(http).get(path);
        expect([path, missing.status, missing.body.code]).toEqual([
          path,
          401,
          'CC_ERR_TOKEN_MISSING',
        ]);
        expect(missing.text).not.toContain(INSPECTOR_TOKEN);
      }
      const wrong = await request(http)
        .get('/_callcontrol/api/exchanges')
        .set('authorization', 'Bearer inspector-token-wrong-000000');
      expect([wrong.status, wrong.body.code]).toEqual([403, 'CC_ERR_TOKEN_INVALID']);
      const bearer = await request(http)
        .get('/_callcontrol/api/exchanges')
        .set('authorization', `Bearer ${INSPECTOR_TOKEN}`);
      expect(bearer.status).toBe(200);
      // Opened with ?token=: the token goes into an HttpOnly cookie and out of the address.
      const opened = await request(http).get(`/_callcontrol/?token=${INSPECTOR_TOKEN}`);
      expect(opened.status).toBe(303);
      expect(opened.headers['location']).toBe('/_callcontrol/');
      const cookie = String(opened.headers['set-cookie']?.[0] ?? '');
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/_callcontrol/);
      const page = await request(http)
        .get('/_callcontrol/')
        .set('cookie', cookie.split(';')[0] ?? '');
      expect(page.status).toBe(200);
    });
  });
});

describe('inspector: what the page gets', () => {
  test('secrets are masked in the JSON list and the stream: headers, URL token, signatures, in the typed event too', async () => {
    await withNodeEnv('test', async () => {
      const inspector = createInspector();
      const calls = signedApp();
      inspector.watch(calls, { name: '/placetel' });
      const http = express();
      http.use('/_callcontrol', inspector.node());
      const server: Server = await new Promise((resolve) => {
        const s = http.listen(0, '127.0.0.1', () => resolve(s));
      });
      try {
        const client = clientOf(calls);
        const reply = await client.placetel.incomingCall({ from: '0301234', callId: 'mask-1' });
        expect(reply.status).toBe(200);
        // A field that echoes the webhook URL, token included, reaches the typed event's raw.
        const echoed = await client.send({
          event: 'IncomingCall',
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `event=IncomingCall&call_id=mask-2&from=0301234&to=022129191999&callback=${encodeURIComponent(`https://example.com/placetel?token=${URL_TOKEN}`)}`,
        });
        expect(echoed.status).toBe(200);
        const signature = reply.request.headers['x-placetel-signature'] ?? 'no signature';
        const { port } = server.address() as AddressInfo;
        const stream = await streamText(`http://127.0.0.1:${port}/_callcontrol/api/stream`, 2);
        const list = (await request(http).get('/_callcontrol/api/exchanges')).text;
        for (const text of [stream, list]) {
          for (const secret of [
            signature,
            URL_TOKEN,
            'bearer-secret-5555',
            'cookie-secret-6666',
            'twilio-sig-8888',
            SECRET,
          ]) {
            expect(text).not.toContain(secret);
          }
          expect(text).toContain('[redacted]');
        }
        const entries = (JSON.parse(list) as { entries: InspectorEntry[] }).entries;
        expect(entries.map((entry) => entry.callId)).toEqual(['mask-1', 'mask-2']);
        const [first, second] = entries as [InspectorEntry, InspectorEntry];
        expect(first.request.headers['authorization']).toBe('[redacted]');
        expect(first.request.headers['x-placetel-signature']).toBe('[redacted]');
        expect(first.app).toBe('/placetel');
        expect(first.provider).toBe('placetel');
        expect(first.event).toBe('IncomingCall');
        expect(first.outcome).toBe('handled');
        expect(first.latencyMs).toBeGreaterThanOrEqual(0);
        expect(first.reply.body).toContain('<Forward>');
        expect(first.findings?.valid).toBe(true);
        expect(first.typedEvent?.['callId']).toBe('mask-1');
        const raw = second.typedEvent?.['raw'] as Record<string, string>;
        expect(raw['callback']).toBe('https://example.com/placetel?token=[redacted]');
      } finally {
        inspector.close();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  test('refusals show with their error code and without findings', async () => {
    await withNodeEnv('test', async () => {
      const inspector = createInspector();
      const calls = signedApp();
      inspector.watch(calls);
      const client = createTestClient(calls, { secret: 'a-wrong-secret-000', urlToken: URL_TOKEN });
      expect((await client.placetel.incomingCall({ callId: 'bad-sig' })).status).toBe(403);
      const [entry] = inspector.entries();
      expect(entry?.outcome).toBe('refused');
      expect(entry?.code).toBe('CC_ERR_SIGNATURE_INVALID');
      expect(entry?.findings).toBeUndefined();
      expect(entry?.typedEvent).toBeUndefined();
    });
  });
});

describe('inspector: adapter refusals', () => {
  test('a request the adapter refuses before the pipeline (body too large) shows with its code', async () => {
    await withNodeEnv('test', async () => {
      const inspector = createInspector();
      const calls = placetel.createApp({ ...QUIET, secret: SECRET, bodyLimitBytes: 64 });
      inspector.watch(calls);
      const http = express();
      http.use('/placetel', calls.express());
      const res = await request(http)
        .post('/placetel')
        .type('form')
        .send({ event: 'IncomingCall', call_id: 'x'.repeat(200) });
      expect(res.status).toBe(413);
      const [entry] = inspector.entries();
      expect([entry?.outcome, entry?.code, entry?.reply.status]).toEqual([
        'refused',
        'CC_ERR_BODY_TOO_LARGE',
        413,
      ]);
    });
  });
});

describe('inspector: the buffer', () => {
  test('keeps at most maxEntries: the oldest go first', async () => {
    await withNodeEnv('test', async () => {
      const inspector = createInspector({ maxEntries: 3 });
      const calls = signedApp();
      inspector.watch(calls);
      const client = clientOf(calls);
      for (let i = 1; i <= 5; i++) await client.placetel.incomingCall({ callId: `count-${i}` });
      expect(inspector.entries().map((entry) => entry.callId)).toEqual([
        'count-3',
        'count-4',
        'count-5',
      ]);
      expect(await inspector.replay('1')).toBeUndefined();
    });
  });

  test('drops what is older than maxAgeMs', async () => {
    await withNodeEnv('test', async () => {
      const inspector = createInspector({ maxAgeMs: 60_000 });
      const calls = signedApp();
      inspector.watch(calls);
      const client = clientOf(calls);
      await client.placetel.incomingCall({ callId: 'age-1' });
      const now = Date.now();
      const later = jest.spyOn(Date, 'now').mockReturnValue(now + 30_000);
      try {
        expect(inspector.entries()).toHaveLength(1);
        later.mockReturnValue(now + 61_000);
        expect(inspector.entries()).toEqual([]);
      } finally {
        later.mockRestore();
      }
    });
  });

  test('the defaults: one hour, 1000 entries; bad bounds are refused', () => {
    expect(() => createInspector({ maxAgeMs: 0 })).toThrow(TypeError);
    expect(() => createInspector({ maxEntries: 1.5 })).toThrow(TypeError);
  });
});

describe('inspector: replay', () => {
  test('runs the stored request through its app again, authenticated, and shows it as a replay', async () => {
    await withNodeEnv('test', async () => {
      const inspector = createInspector();
      const handled: string[] = [];
      const calls = signedApp(handled);
      inspector.watch(calls);
      const http = express();
      http.use('/_callcontrol', inspector.node());
      await clientOf(calls).placetel.incomingCall({ callId: 'replay-1' });
      expect(handled).toEqual(['replay-1']);
      const [original] = inspector.entries() as [InspectorEntry];

      // Without the inspector's header (what a page of another origin cannot add): refused.
      expect((await request(http).post(`/_callcontrol/api/replay/${original.id}`)).status).toBe(
        400,
      );
      expect((await request(http).get(`/_callcontrol/api/replay/${original.id}`)).status).toBe(405);
      expect(
        (
          await request(http)
            .post('/_callcontrol/api/replay/999')
            .set('x-callcontrol-inspector', '1')
        ).status,
      ).toBe(404);

      const res = await request(http)
        .post(`/_callcontrol/api/replay/${original.id}`)
        .set('x-callcontrol-inspector', '1');
      expect(res.status).toBe(201);
      const replayed = (res.body as { entry: InspectorEntry }).entry;
      expect(replayed.replayOf).toBe(original.id);
      expect(replayed.outcome).toBe('handled');
      expect(replayed.callId).toBe('replay-1');
      expect(replayed.reply.body).toBe(original.reply.body);
      expect(handled).toEqual(['replay-1', 'replay-1']);
      expect(inspector.entries().map((entry) => entry.id)).toEqual([original.id, replayed.id]);

      // As a provider's retry: duplicate detection answers with the stored reply.
      const retry = await inspector.replay(original.id, { asRetry: true });
      expect(retry?.outcome).toBe('duplicate');
      expect(retry?.replayOf).toBe(original.id);
      expect(handled).toHaveLength(2);
    });
  });
});

describe('core: app.observe', () => {
  test('builds nothing without an observer; one exchange per request with one; stops when removed', async () => {
    const calls = signedApp();
    const client = clientOf(calls);
    const built = jest.spyOn(observe, 'observedExchange');
    try {
      await client.placetel.incomingCall({ callId: 'obs-1' });
      expect(built).not.toHaveBeenCalled();
      const seen: string[] = [];
      const stop = calls.observe((exchange, received) => {
        seen.push(`${exchange.callId ?? ''} ${exchange.outcome} ${received.method}`);
      });
      const failing = calls.observe(() => {
        throw new Error('an observer that fails');
      });
      expect((await client.placetel.incomingCall({ callId: 'obs-2' })).status).toBe(200);
      expect(seen).toEqual(['obs-2 handled POST']);
      expect(built).toHaveBeenCalledTimes(1);
      stop();
      failing();
      await client.placetel.incomingCall({ callId: 'obs-3' });
      expect(seen).toHaveLength(1);
      expect(built).toHaveBeenCalledTimes(1);
      expect(() => calls.observe(undefined as never)).toThrow(TypeError);
    } finally {
      built.mockRestore();
    }
  });
});
