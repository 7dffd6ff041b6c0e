/**
 * Every adapter fills what URL-signing providers need of a request: `scheme` as the server saw
 * it, `host` as received (`Host` / `:authority`), and `originalUrl`, the target from the server
 * root with the mount prefix and the query — and the app's `publicUrl()` made from them.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer as createHttp2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { createCallControlApp } from '../../src/adapters/app';
import type { ProviderDefinition } from '../../src/core/provider';
import type { WebhookEvent, WebhookRequest } from '../../src/core/types';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';
import { TEST_APP } from '../helpers/apps';

interface Seen {
  request?: WebhookRequest;
  publicUrl?: string | undefined;
}

const provider: ProviderDefinition<WebhookEvent, string> = {
  name: 'test',
  methods: ['POST', 'GET'],
  events: ['Ping'],
  answeredEvents: [],
  parse: () => ({ provider: 'test', name: 'Ping', callId: '', from: '', to: '', raw: {} }),
  isAnswer: (value): value is string => typeof value === 'string',
  render: () => '<Response/>',
};

/** An app whose one check records the request as received and its public URL. */
function recordingApp(seen: Seen, options: { publicUrl?: string; trustProxy?: string[] } = {}) {
  return createCallControlApp(provider, {
    ...TEST_APP,
    ...options,
    authenticators: [
      (request, context) => {
        seen.request = request;
        seen.publicUrl = context?.publicUrl();
      },
    ],
  });
}

async function post(url: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { method: 'POST', body: 'a=1', headers });
  await response.arrayBuffer();
  return response.status;
}

test('node: scheme http, the Host header, req.url as the original URL', async () => {
  const seen: Seen = {};
  const server = await listenOnLoopback(createServer(recordingApp(seen).node()));
  const base = baseUrlOf(server);
  expect(await post(`${base}/hooks/twilio?token=x&a=%20b`)).toBe(200);
  const host = base.slice('http://'.length);
  expect(seen.request).toMatchObject({
    scheme: 'http',
    host,
    originalUrl: '/hooks/twilio?token=x&a=%20b',
    path: '/hooks/twilio',
    query: 'token=x&a=%20b',
  });
  expect(seen.publicUrl).toBe(`http://${host}/hooks/twilio?token=x&a=%20b`);
});

test('node: a TLS socket is https (socket.encrypted)', async () => {
  const seen: Seen = {};
  const handle = recordingApp(seen).node();
  // A stream standing in for a TLS socket: what the adapter reads of one is `encrypted`.
  const socket = Object.assign(new PassThrough(), { encrypted: true, remoteAddress: '127.0.0.1' });
  const req = new IncomingMessage(socket as never);
  req.method = 'POST';
  req.url = '/x?y=1';
  req.headers = { host: 'example.com' };
  req.rawHeaders = ['Host', 'example.com'];
  req.push(null);
  const res = new ServerResponse(req);
  const finished = new Promise<void>((resolve) => {
    res.end = ((..._args: unknown[]) => {
      resolve();
      return res;
    }) as never;
  });
  handle(req, res);
  await finished;
  expect(seen.request).toMatchObject({
    scheme: 'https',
    host: 'example.com',
    originalUrl: '/x?y=1',
  });
  expect(seen.publicUrl).toBe('https://example.com/x?y=1');
});

test('node under HTTP/2: the host is :authority', async () => {
  const seen: Seen = {};
  const server: Http2Server = createHttp2Server(recordingApp(seen).node() as never);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const client = connect(`http://127.0.0.1:${port}`);
  try {
    const stream = client.request({ ':method': 'POST', ':path': '/h2?q=1' });
    stream.end('a=1');
    stream.resume();
    await once(stream, 'end');
  } finally {
    client.close();
    server.close();
  }
  expect(seen.request).toMatchObject({
    scheme: 'http',
    host: `127.0.0.1:${port}`,
    originalUrl: '/h2?q=1',
  });
});

test.each([
  ['Express 5', () => express()],
  ['Express 4', () => express4()],
])('%s: the mount prefix is in originalUrl, not in path', async (_name, make) => {
  const seen: Seen = {};
  const app = make();
  app.use(
    '/hooks/twilio',
    recordingApp(seen, { publicUrl: 'https://example.com/public/twilio' }).express(),
  );
  const server = await listenOnLoopback(app);
  const base = baseUrlOf(server);
  expect(await post(`${base}/hooks/twilio?token=x`)).toBe(200);
  expect(seen.request).toMatchObject({
    scheme: 'http',
    host: base.slice('http://'.length),
    originalUrl: '/hooks/twilio?token=x',
    path: '/',
    query: 'token=x',
  });
  // The mount point called without a trailing slash: the public URL has none either.
  expect(seen.publicUrl).toBe('https://example.com/public/twilio?token=x');
  expect(await post(`${base}/hooks/twilio/status`)).toBe(200);
  expect(seen.request).toMatchObject({ originalUrl: '/hooks/twilio/status', path: '/status' });
  expect(seen.publicUrl).toBe('https://example.com/public/twilio/status');
});

test('Express behind a trusted proxy: X-Forwarded-* are read; from others not', async () => {
  const seen: Seen = {};
  const app = express();
  app.use('/hooks', recordingApp(seen, { trustProxy: ['127.0.0.1', '::1'] }).express());
  const server = await listenOnLoopback(app);
  const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' };
  expect(await post(`${baseUrlOf(server)}/hooks/a?b=1`, headers)).toBe(200);
  expect(seen.publicUrl).toBe('https://example.com/hooks/a?b=1');

  const untrusted: Seen = {};
  const other = express();
  other.use('/hooks', recordingApp(untrusted, { trustProxy: ['10.0.0.0/8'] }).express());
  const otherServer = await listenOnLoopback(other);
  const otherBase = baseUrlOf(otherServer);
  expect(await post(`${otherBase}/hooks/a?b=1`, headers)).toBe(200);
  expect(untrusted.publicUrl).toBe(`${otherBase}/hooks/a?b=1`);
});

test('Fastify: the prefix is in originalUrl, and Fastify sees its own URL unchanged', async () => {
  const seen: Seen = {};
  const fastify = Fastify();
  let hookUrl: string | undefined;
  fastify.addHook('onResponse', async (request) => {
    hookUrl = request.originalUrl;
  });
  await fastify.register(recordingApp(seen).fastify(), { prefix: '/hooks/twilio' });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  try {
    const port = (fastify.server.address() as AddressInfo).port;
    expect(await post(`http://127.0.0.1:${port}/hooks/twilio/status?token=x`)).toBe(200);
    expect(seen.request).toMatchObject({
      scheme: 'http',
      host: `127.0.0.1:${port}`,
      originalUrl: '/hooks/twilio/status?token=x',
      path: '/status',
      query: 'token=x',
    });
    expect(seen.publicUrl).toBe(`http://127.0.0.1:${port}/hooks/twilio/status?token=x`);
    expect(hookUrl).toBe('/hooks/twilio/status?token=x');
  } finally {
    await fastify.close();
  }
});

test('fetch: scheme, host and path with query of request.url; basePath stays in originalUrl', async () => {
  const seen: Seen = {};
  const handle = recordingApp(seen, { publicUrl: 'https://example.com/api/twilio' }).fetch({
    basePath: '/api/twilio',
  });
  const response = await handle(
    new Request('https://[2001:db8::1]:8443/api/twilio?token=x', { method: 'POST', body: 'a=1' }),
  );
  expect(response.status).toBe(200);
  expect(seen.request).toMatchObject({
    scheme: 'https',
    host: '[2001:db8::1]:8443',
    originalUrl: '/api/twilio?token=x',
    path: '/',
    query: 'token=x',
  });
  expect(seen.publicUrl).toBe('https://example.com/api/twilio?token=x');

  const plain: Seen = {};
  const handlePlain = recordingApp(plain).fetch();
  await handlePlain(new Request('http://example.org/x/y?z=1', { method: 'POST', body: 'a=1' }));
  expect(plain.request).toMatchObject({
    scheme: 'http',
    host: 'example.org',
    originalUrl: '/x/y?z=1',
  });
  expect(plain.publicUrl).toBe('http://example.org/x/y?z=1');
});
