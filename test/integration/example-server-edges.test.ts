/**
 * The example server's own edges, in this process on 127.0.0.1: its HTTP limits (a client that
 * sends its headers slowly is cut; an unknown path announcing a huge body gets 404 at once,
 * its body never read), liveness and readiness, and its graceful shutdown — requests in flight
 * answered with the handler's answer, within the bound also when the store never answers.
 * (`test/e2e/shutdown.test.ts` does the same through SIGTERM to the built server.)
 */
import { once } from 'node:events';
import { request as httpRequest, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  SERVER_TIMEOUTS,
  startExample,
  type ExampleServer,
  type ExampleServerOptions,
} from '../../examples/server';
import type { CallStore } from '../../src';
import { faultyStore } from '../helpers/faulty-store';

const running: ExampleServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(
    running.splice(0).map(async (example) => {
      example.server.closeAllConnections();
      await bounded(example.shutdown({ timeoutMs: 2000 }), 5000);
    }),
  );
});

/** `work`'s value, or `'still running'` once `ms` passed. */
async function bounded<T>(work: Promise<T>, ms: number): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function start(options: ExampleServerOptions = {}): Promise<ExampleServer> {
  const example = await startExample({
    port: 0,
    host: '127.0.0.1',
    production: false,
    log: () => undefined,
    ...options,
  });
  running.push(example);
  return example;
}

function portOf(example: ExampleServer): number {
  return (example.server.address() as AddressInfo).port;
}

interface RawAnswer {
  /** Everything the server sent. */
  readonly text: string;
  /** Milliseconds from connecting until the server closed the connection. */
  readonly closedAfterMs: number;
}

/**
 * Writes `head` on a fresh connection (then `drip` every `dripMs`, if given) and collects what
 * comes back until the server closes the connection or `limitMs` passes (then it rejects).
 */
function raw(
  example: ExampleServer,
  head: string,
  limitMs: number,
  drip?: { text: string; everyMs: number },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(portOf(example), '127.0.0.1');
    sockets.push(socket);
    let text = '';
    let dripping: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      clearInterval(dripping);
      socket.destroy();
      reject(
        new Error(`the connection was still open after ${limitMs} ms; got ${JSON.stringify(text)}`),
      );
    }, limitMs);
    socket.on('connect', () => {
      socket.write(head);
      if (drip !== undefined) {
        dripping = setInterval(() => {
          if (!socket.destroyed && socket.writable) socket.write(drip.text);
        }, drip.everyMs);
      }
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(limit);
      clearInterval(dripping);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
  });
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request over `agent`. */
function send(
  example: ExampleServer,
  agent: Agent,
  method: string,
  path: string,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: portOf(example),
        method,
        path,
        agent,
        timeout: 20_000,
        headers:
          body === undefined
            ? {}
            : {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': String(Buffer.byteLength(body)),
              },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
      },
    );
    request.on('error', reject);
    request.on('timeout', () => request.destroy(new Error('no answer within 20 s')));
    request.end(body);
  });
}

function incomingCall(callId: string): string {
  return `event=IncomingCall&call_id=${callId}&from=017312345678&to=022129191999&direction=in`;
}

const FORWARD = '<Forward><Target ringtime="30"><Number>022129191999</Number></Target></Forward>';

/** Resolves once `count()` reaches `n` (checked every 10 ms), or rejects after `ms`. */
async function until(count: () => number, n: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (count() < n) {
    if (Date.now() > deadline) throw new Error(`only ${count()} of ${n} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('HTTP limits', () => {
  test('a client sending its headers slowly is cut within the headers timeout', async () => {
    const example = await start();
    const bound =
      SERVER_TIMEOUTS.headersTimeoutMs + SERVER_TIMEOUTS.connectionsCheckingIntervalMs + 3000;
    const answer = await raw(example, 'POST /placetel HTTP/1.1\r\nHost: 127.0.0.1\r\n', bound, {
      text: 'X-Slow: 1\r\n',
      everyMs: 500,
    });
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(SERVER_TIMEOUTS.headersTimeoutMs - 100);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  test.each(['/nope', '/placetelx', '/', '/healthz'])(
    '%s announcing a 10 MB body it never sends is answered at once and its connection closed',
    async (path) => {
      const example = await start();
      const answer = await raw(
        example,
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 10000000\r\n\r\n`,
        3000,
      );
      expect(answer.text).toMatch(/^HTTP\/1\.1 404 /);
      expect(answer.text.toLowerCase()).toContain('connection: close');
      expect(answer.text).not.toMatch(/<html|stack|at .*\.js/i);
    },
  );

  test('GET / and an unknown GET answer at once with short text', async () => {
    const example = await start();
    const agent = new Agent({ keepAlive: false });
    const index = await send(example, agent, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('callcontrol example server');
    const missing = await send(example, agent, 'GET', '/missing');
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('not found\n');
  });
});

describe('liveness, readiness and graceful shutdown', () => {
  test('20 requests in flight are answered with the handler’s answer; readiness says 503 at once', async () => {
    let handled = 0;
    const example = await start({
      handlerDelayMs: 800,
      log: (line) => {
        if (line.startsWith('placetel IncomingCall')) handled += 1;
      },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 30 });
    expect((await send(example, agent, 'GET', '/healthz')).status).toBe(200);
    expect((await send(example, agent, 'GET', '/readyz')).status).toBe(200);
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      send(example, agent, 'POST', '/placetel', incomingCall(`shutdown${i}`)),
    );
    await until(() => handled, 20, 10_000);

    const started = Date.now();
    const shutdown = example.shutdown({ timeoutMs: 10_000, delayMs: 300 });
    expect(example.ready).toBe(false);
    // During the delay new requests are still taken; readiness says the instance is going.
    const readiness = await send(example, agent, 'GET', '/readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.headers['connection']).toBe('close');
    const late = await send(example, agent, 'POST', '/placetel', incomingCall('shutdownlate'));
    expect(late.status).toBe(200);
    expect(late.body).toContain(FORWARD);

    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    for (const answer of answers) {
      expect(answer.body).toContain(FORWARD);
      // Keep-alive clients are told to open their next connection elsewhere.
      expect(answer.headers['connection']).toBe('close');
    }
    const result = await shutdown;
    expect(result).toMatchObject({ clean: true, unanswered: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(example.server.listening).toBe(false);
    agent.destroy();
  }, 30_000);

  test('with a store that never answers (nor closes), in-flight requests are answered and the shutdown keeps its bound', async () => {
    const store = faultyStore();
    const stalledClose: CallStore = Object.assign(Object.create(store) as CallStore, {
      close: () => new Promise<void>(() => undefined),
    });
    let handled = 0;
    const example = await start({
      store: stalledClose,
      handlerDelayMs: 300,
      log: (line) => {
        if (line.startsWith('placetel IncomingCall')) handled += 1;
      },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 30 });
    store.stall();
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      send(example, agent, 'POST', '/placetel', incomingCall(`stalled${i}`)),
    );
    await until(() => handled, 20, 10_000);
    const started = Date.now();
    const result = await bounded(example.shutdown({ timeoutMs: 6000 }), 6000 + 2000);
    if (result === 'still running') throw new Error('the shutdown did not keep its bound');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(6000 + 500);
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    for (const answer of answers) expect(answer.body).toContain(FORWARD);
    expect(result.unanswered).toBe(0);
    store.recover({ dropStalled: true });
    agent.destroy();
  }, 30_000);

  test('a request still sending its body when the bound passes is cut, and the shutdown keeps its bound', async () => {
    const example = await start();
    const socket = connect(portOf(example), '127.0.0.1');
    sockets.push(socket);
    await once(socket, 'connect');
    socket.write(
      'POST /placetel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nevent=',
    );
    socket.on('error', () => undefined);
    const closed = once(socket, 'close');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const result = await example.shutdown({ timeoutMs: 3000 });
    expect(Date.now() - started).toBeLessThan(3000 + 500);
    expect(result.clean).toBe(false);
    // The server closed the connection (the client hears of it a moment later).
    await closed;
  }, 20_000);

  test('shutdown() twice is one shutdown', async () => {
    const example = await start();
    const first = example.shutdown({ timeoutMs: 2000 });
    expect(example.shutdown()).toBe(first);
    expect((await first).clean).toBe(true);
  });
});
