/**
 * `calls.fetch()` behind a real Hono app — `app.all('/placetel', …)` and `app.all('/placetel/*',
 * …)` handing `c.req.raw` to the handler with `basePath: '/placetel'` — exercised through
 * `app.request()` and through @hono/node-server listening on 127.0.0.1: signed Placetel
 * fixtures answered and compared as XML, a changed byte refused with 403, paths relative to the
 * base path, helmet's headers, and the peer address passed on for `allowFrom`.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { FetchHandler } from '../../src';
import type { RequestFixture } from '../helpers/fixtures';
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

/** A Hono app serving `handle` at exactly `/placetel` and below it, and a route of its own. */
function honoApp(handle: FetchHandler): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get('/health', (c) => c.text('ok'));
  app.all('/placetel', (c) => handle(c.req.raw));
  app.all('/placetel/*', (c) => handle(c.req.raw));
  return app;
}

function init(fixture: RequestFixture, body = fixture.body ?? ''): RequestInit {
  expect(fixture.method).toBe('POST');
  return { method: 'POST', headers: fixture.headers, body };
}

/** The documented answer to a fixture from {@link placetelApp}. */
function expectedAnswer(fixture: RequestFixture) {
  if (fixture.id === 'placetel.incoming') {
    return responseXml('placetel', 'placetel.forward-one-number');
  }
  return fixture.expect.event === 'IncomingCall'
    ? canonicalXml(
        `<Response><Forward><Target><Number>${fixture.expect.fields['to'] ?? ''}</Number></Target></Forward></Response>`,
      )
    : EMPTY_RESPONSE;
}

describe('app.request()', () => {
  test.each(SIGNED_PLACETEL.map((fixture) => [fixture.id, fixture] as const))(
    '%s: verified, answered as documented',
    async (_id, fixture) => {
      const { calls, seen } = placetelApp({ secret: SECRET });
      const app = honoApp(calls.fetch({ basePath: '/placetel' }));
      const response = await app.request('/placetel', init(fixture));
      const body = Buffer.from(await response.arrayBuffer());
      expect(response.status).toBe(200);
      expectAnswerHeaders(response.headers, body);
      expect(canonicalXml(body.toString('utf8'))).toEqual(expectedAnswer(fixture));
      expect(seen.events).toEqual([
        { name: fixture.expect.event, raw: fixture.expect.fields, path: '/', query: '' },
      ]);
      expect(seen.errors).toEqual([]);
      await calls.close();
    },
  );

  test('a changed byte: 403 CC_ERR_SIGNATURE_INVALID, no handler runs', async () => {
    const { calls, seen } = placetelApp({ secret: SECRET });
    const app = honoApp(calls.fetch({ basePath: '/placetel' }));
    const fixture = requestFixture('placetel', 'placetel.incoming');
    const response = await app.request('/placetel', init(fixture, tampered(fixture.body ?? '')));
    expect(response.status).toBe(403);
    expect(errorCodeOf(await response.text())).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(seen.events).toEqual([]);
    await calls.close();
  });

  test('the exact base path, paths below it (relative, query kept), and Hono’s own routes', async () => {
    const { calls, seen } = placetelApp({ secret: SECRET });
    const app = honoApp(calls.fetch({ basePath: '/placetel' }));
    const accepted = requestFixture('placetel', 'placetel.call-accepted');
    const hungup = requestFixture('placetel', 'placetel.hungup-accepted');
    expect((await app.request('/placetel', init(accepted))).status).toBe(200);
    expect((await app.request('/placetel/events?x=1', init(hungup))).status).toBe(200);
    expect(seen.events.map((event) => [event.name, event.path, event.query])).toEqual([
      ['CallAccepted', '/', ''],
      ['HungUp', '/events', 'x=1'],
    ]);
    expect(await (await app.request('/health')).text()).toBe('ok');
    expect((await app.request('/placetelx', init(accepted))).status).toBe(404);
    await calls.close();
  });
});

describe('@hono/node-server on 127.0.0.1', () => {
  const signed = placetelApp({ secret: SECRET });
  const peers = new WeakMap<Request, string>();
  const allowed = placetelApp({ secret: SECRET, allowFrom: ['127.0.0.1'] });
  const denied = placetelApp({ secret: SECRET, allowFrom: ['192.0.2.1'] });
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = honoApp(signed.calls.fetch({ basePath: '/placetel' }));
    // allowFrom needs the peer address, which only the Node server knows: pass it on.
    const remoteAddress = (request: Request) => peers.get(request);
    for (const [path, calls] of [
      ['/allowed', allowed.calls],
      ['/denied', denied.calls],
    ] as const) {
      const handle = calls.fetch({ basePath: path, remoteAddress });
      app.all(path, (c) => {
        const peer = c.env.incoming.socket.remoteAddress;
        if (peer !== undefined) peers.set(c.req.raw, peer);
        return handle(c.req.raw);
      });
    }
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(),
      ) as Server;
    });
    const address = server.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([signed, allowed, denied].map(({ calls }) => calls.close()));
  });

  test('placetel.incoming over HTTP: the documented Forward, exact bytes and headers', async () => {
    const fixture = requestFixture('placetel', 'placetel.incoming');
    const response = await fetch(`${base}/placetel`, init(fixture));
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expectAnswerHeaders(response.headers, body);
    expect(canonicalXml(body.toString('utf8'))).toEqual(
      responseXml('placetel', 'placetel.forward-one-number'),
    );
  });

  test('a bad signature over HTTP: 403 CC_ERR_SIGNATURE_INVALID', async () => {
    const fixture = requestFixture('placetel', 'placetel.outgoing');
    const response = await fetch(`${base}/placetel/`, init(fixture, tampered(fixture.body ?? '')));
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(403);
    expectAnswerHeaders(response.headers, body);
    expect(errorCodeOf(body.toString('utf8'))).toBe('CC_ERR_SIGNATURE_INVALID');
  });

  test('the peer address handed to remoteAddress: allowFrom allows 127.0.0.1 only', async () => {
    const fixture = requestFixture('placetel', 'placetel.call-accepted');
    const ok = await fetch(`${base}/allowed`, init(fixture));
    expect(ok.status).toBe(200);
    expect(canonicalXml(await ok.text())).toEqual(EMPTY_RESPONSE);
    const refused = await fetch(`${base}/denied`, init(fixture));
    expect(refused.status).toBe(403);
    expect(errorCodeOf(await refused.text())).toBe('CC_ERR_SOURCE_FORBIDDEN');
    expect(denied.seen.events).toEqual([]);
  });
});
