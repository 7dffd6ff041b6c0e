/**
 * Every adapter enforces the body limit the same way (`core/limits.ts`): a body of exactly
 * `bodyLimitBytes` is read, one byte more is 413 `CC_ERR_BODY_TOO_LARGE` — announced by
 * `Content-Length` or streamed without one — on `node:http`, Express, Fastify and the Fetch API
 * alike.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { createCallControlApp } from '../../src/adapters/app';
import { pingProvider } from '../helpers/ping-provider';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';

const LIMIT = 100;

const provider = pingProvider();

const app = () =>
  createCallControlApp(provider, {
    allowUnauthenticated: true,
    stderr: false,
    bodyLimitBytes: LIMIT,
  });

/** Sends `size` bytes: with `Content-Length`, or streamed (chunked) without one. */
type Send = (
  size: number,
  how: 'declared' | 'streamed',
) => Promise<{ status: number; code: string }>;

async function answer(response: Response): Promise<{ status: number; code: string }> {
  const text = await response.text();
  return { status: response.status, code: /CC_ERR_[A-Z_]+/.exec(text)?.[0] ?? '' };
}

function body(size: number, how: 'declared' | 'streamed'): RequestInit {
  const bytes = new Uint8Array(size).fill(0x61);
  if (how === 'declared') return { method: 'POST', body: bytes };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < size; at += 30) controller.enqueue(bytes.slice(at, at + 30));
      controller.close();
    },
  });
  return { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
}

const overHttp =
  (url: string): Send =>
  async (size, how) =>
    answer(await fetch(url, body(size, how)));

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

describe.each([
  [
    'node:http',
    async (): Promise<Send> => {
      const server = await listenOnLoopback(createServer(app().node()));
      return overHttp(`${baseUrlOf(server)}/`);
    },
  ],
  [
    'Express',
    async (): Promise<Send> => {
      const host = express();
      host.use('/hooks', app().express());
      const server = await listenOnLoopback(host);
      return overHttp(`${baseUrlOf(server)}/hooks`);
    },
  ],
  [
    'Fastify',
    async (): Promise<Send> => {
      const fastify = Fastify();
      await fastify.register(app().fastify(), { prefix: '/hooks' });
      await fastify.listen({ port: 0, host: '127.0.0.1' });
      closing.push(() => fastify.close());
      const port = (fastify.server.address() as AddressInfo).port;
      return overHttp(`http://127.0.0.1:${port}/hooks`);
    },
  ],
  [
    'Fetch API',
    async (): Promise<Send> => {
      const handle = app().fetch();
      return async (size, how) =>
        answer(await handle(new Request('http://localhost/', body(size, how))));
    },
  ],
])('%s', (_name, start) => {
  test.each(['declared', 'streamed'] as const)(
    '%s: exactly the limit is read, one more byte is 413',
    async (how) => {
      const send = await start();
      expect(await send(LIMIT, how)).toEqual({ status: 200, code: '' });
      expect(await send(LIMIT + 1, how)).toEqual({ status: 413, code: 'CC_ERR_BODY_TOO_LARGE' });
    },
  );
});
