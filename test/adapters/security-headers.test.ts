/**
 * The security headers of every adapter: exactly the API set of OWASP's REST Security Cheat
 * Sheet (`security-headers.ts`) on `node()`, `express()`, `fetch()` and `fastify()`, none of
 * helmet's browser-only headers, and the `securityHeaders` option (helmet's options, or `false`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { placetel } from '../../src';

const SECRET = 'security-headers-secret';

/** The API set, written out: what every answer must carry besides its own headers. */
const API_SET: Record<string, string> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The reply's own headers (not security headers) and the transport's. */
const OWN = new Set(['content-type', 'content-length', 'connection', 'keep-alive', 'date']);

function app(): placetel.PlacetelApp {
  const calls = placetel.createApp({ secret: SECRET, stderr: false });
  calls.on('IncomingCall', () => placetel.forward({ targets: [{ numbers: ['022129191999'] }] }));
  return calls;
}

function signed(): { headers: Record<string, string>; body: string } {
  return placetel.placetelRequest(
    {
      call_id: `c${Math.random().toString(16).slice(2)}`,
      event: 'IncomingCall',
      from: '0151',
      to: '0221',
      direction: 'in',
    },
    SECRET,
  );
}

/** Every header of the answer but the reply's own and the transport's. */
function securityOf(headers: Headers): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, value] of headers) if (!OWN.has(name)) found[name] = value;
  return found;
}

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string): Promise<Response> {
  const request = signed();
  return fetch(url, { method: 'POST', headers: request.headers, body: request.body });
}

const servers: Server[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const server of servers) server.close();
  for (const close of closers) await close();
});

type Adapter = (
  options?: placetel.PlacetelApp extends never
    ? never
    : Parameters<placetel.PlacetelApp['node']>[0],
) => Promise<string | ((r: Request) => Promise<Response>)>;

const adapters: Record<string, Adapter> = {
  node: async (options) => {
    const server = createServer(app().node(options));
    servers.push(server);
    return `${await listening(server)}/placetel`;
  },
  express: async (options) => {
    const host = express();
    host.use('/placetel', app().express(options));
    const server = createServer(host);
    servers.push(server);
    return `${await listening(server)}/placetel`;
  },
  fetch: async (options) => app().fetch({ basePath: '/placetel', ...options }),
  fastify: async (options) => {
    const fastify = Fastify();
    await fastify.register(app().fastify(options), { prefix: '/placetel' });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => fastify.close());
    return `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/placetel`;
  },
};

async function answer(
  target: string | ((r: Request) => Promise<Response>),
  body?: { headers: Record<string, string>; body: string },
): Promise<Response> {
  const request = body ?? signed();
  if (typeof target === 'string') return post(target);
  return target(
    new Request('http://127.0.0.1/placetel', {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    }),
  );
}

describe.each(Object.keys(adapters))('%s adapter', (name) => {
  const make = adapters[name] as Adapter;

  test('an answer carries exactly the API set of security headers', async () => {
    const response = await answer(await make());
    expect(response.status).toBe(200);
    expect(securityOf(response.headers)).toEqual(API_SET);
  });

  test('a refused request carries the same set', async () => {
    const target = await make();
    const response =
      typeof target === 'string'
        ? await fetch(target, { method: 'POST', body: 'event=IncomingCall' })
        : await target(
            new Request('http://127.0.0.1/placetel', {
              method: 'POST',
              body: 'event=IncomingCall',
            }),
          );
    expect(response.status).toBe(403);
    expect(securityOf(response.headers)).toEqual(API_SET);
  });

  test('securityHeaders: false sends none; Cache-Control: no-store stays', async () => {
    const response = await answer(await make({ securityHeaders: false }));
    // Nothing removed either: Express's own X-Powered-By is the host app's to disable.
    expect(securityOf(response.headers)).toEqual({
      'cache-control': 'no-store',
      ...(name === 'express' ? { 'x-powered-by': 'Express' } : {}),
    });
  });

  test('securityHeaders: helmet options replace the set', async () => {
    const response = await answer(
      await make({
        securityHeaders: {
          contentSecurityPolicy: false,
          strictTransportSecurity: { maxAge: 60 },
          xFrameOptions: false,
          referrerPolicy: false,
          crossOriginOpenerPolicy: false,
          crossOriginResourcePolicy: false,
          originAgentCluster: false,
          xDnsPrefetchControl: false,
          xDownloadOptions: false,
          xPermittedCrossDomainPolicies: false,
          xXssProtection: false,
        },
      }),
    );
    expect(securityOf(response.headers)).toEqual({
      'cache-control': 'no-store',
      'strict-transport-security': 'max-age=60; includeSubDomains',
      'x-content-type-options': 'nosniff',
    });
  });
});

test('helmet options helmet refuses are a TypeError when the adapter is built', () => {
  expect(() =>
    app().node({ securityHeaders: { strictTransportSecurity: { maxAge: -1 } } }),
  ).toThrow(TypeError);
});
