/**
 * The request log: one structured line per request through a pino-compatible logger, at the
 * level its outcome calls for, with provider, event, call id, status, outcome, code and duration.
 */
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import pino from 'pino';
import request from 'supertest';
import { placetel, type CallControlLogger, type WebhookReply } from '../../src';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';

const SECRET = 'test-secret-not-real';

interface Line {
  level: 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message: string | undefined;
}

function recorder(): { logger: CallControlLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: Line['level']) =>
    (object: Record<string, unknown>, message?: string): void => {
      lines.push({ level, object, message });
    };
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

function signed(fields: Record<string, string>): { body: string; signature: string } {
  const body = new URLSearchParams(fields).toString();
  return { body, signature: placetel.signPlacetelBody(body, SECRET) };
}

function send(
  calls: placetel.PlacetelApp,
  fields: Record<string, string>,
  signature?: string,
): Promise<WebhookReply> {
  const { body, signature: valid } = signed(fields);
  return calls.handle({
    method: 'POST',
    path: '/',
    query: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-placetel-signature': signature ?? valid,
    },
    body: Buffer.from(body),
  });
}

const incoming = { event: 'IncomingCall', call_id: 'c0ffee01', from: '0301234', to: '0401234' };

test('a handled request is one info line with provider, event, call id, status and duration', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ secret: SECRET, logger });
  calls.on('IncomingCall', () => placetel.reject({ reason: 'busy' }));
  const reply = await send(calls, incoming);
  expect(reply.status).toBe(200);
  expect(lines).toHaveLength(1);
  const [line] = lines;
  expect(line?.level).toBe('info');
  expect(line?.message).toBe('callcontrol request');
  expect(line?.object).toMatchObject({
    provider: 'placetel',
    event: 'IncomingCall',
    callId: 'c0ffee01',
    method: 'POST',
    path: '/',
    status: 200,
    outcome: 'handled',
  });
  expect(line?.object['code']).toBeUndefined();
  expect(typeof line?.object['durationMs']).toBe('number');
  expect(line?.object['durationMs']).toBeGreaterThanOrEqual(0);
});

test('a repeated delivery is logged as duplicate, a failing handler as fallback with its code', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ secret: SECRET, logger });
  calls.onError(() => undefined);
  calls.on('IncomingCall', (event) => {
    if (event.from === 'failing') throw new Error('database down');
    return placetel.reject({ reason: 'busy' });
  });
  await send(calls, incoming);
  await send(calls, incoming);
  // A delivery whose handler failed is not remembered: its retry runs the handler again.
  const failing = { ...incoming, call_id: 'c0ffee02', from: 'failing' };
  await send(calls, failing);
  await send(calls, failing);
  expect(lines.map((line) => [line.level, line.object['outcome'], line.object['code']])).toEqual([
    ['info', 'handled', undefined],
    ['info', 'duplicate', undefined],
    ['warn', 'fallback', 'CC_ERR_HANDLER_FAILED'],
    ['warn', 'fallback', 'CC_ERR_HANDLER_FAILED'],
  ]);
});

test('a refused request is a warn line with its code, and never the path before authentication', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ secret: SECRET, logger });
  const reply = await send(calls, incoming, 'ab'.repeat(32));
  expect(reply.status).toBe(403);
  expect(lines).toHaveLength(1);
  expect(lines[0]?.level).toBe('warn');
  expect(lines[0]?.object).toMatchObject({
    provider: 'placetel',
    status: 403,
    outcome: 'refused',
    code: 'CC_ERR_SIGNATURE_INVALID',
  });
  expect(lines[0]?.object['path']).toBeUndefined();
  expect(lines[0]?.object['event']).toBeUndefined();
});

test('a URL token in the path is not logged: the line has the path without it', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({
    secret: SECRET,
    logger,
    urlToken: { tokens: 'fake-url-token-123456', in: 'path' },
  });
  calls.on('IncomingCall', () => placetel.reject({ reason: 'busy' }));
  const { body, signature } = signed(incoming);
  const reply = await calls.handle({
    method: 'POST',
    path: '/fake-url-token-123456',
    query: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-placetel-signature': signature,
    },
    body: Buffer.from(body),
  });
  expect(reply.status).toBe(200);
  expect(JSON.stringify(lines)).not.toContain('fake-url-token');
});

test('errors met by the adapter (body too large) get a line too', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ secret: SECRET, logger, bodyLimitBytes: 64 });
  const server = await listenOnLoopback(createServer(calls.node()));
  try {
    const response = await request(baseUrlOf(server))
      .post('/')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send('x='.padEnd(200, 'y'));
    expect(response.status).toBe(413);
  } finally {
    server.close();
  }
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 'warn',
    object: { provider: 'placetel', method: 'POST', status: 413, code: 'CC_ERR_BODY_TOO_LARGE' },
  });
});

test('without onError handlers, a failed handler goes to logger.error with its cause as err', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ secret: SECRET, logger });
  const cause = new Error('database down');
  calls.on('IncomingCall', () => {
    throw cause;
  });
  const reply = await send(calls, incoming);
  expect(reply.status).toBe(200);
  expect(reply.outcome).toBe('fallback');
  const errors = lines.filter((line) => line.level === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]?.object).toMatchObject({ provider: 'placetel', code: 'CC_ERR_HANDLER_FAILED' });
  expect(errors[0]?.object['err']).toBe(cause);
  expect(lines.filter((line) => line.message === 'callcontrol request')).toHaveLength(1);
});

test('a logger that throws does not change the reply', async () => {
  const broken: CallControlLogger = {
    info: () => {
      throw new Error('disk full');
    },
    warn: () => {
      throw new Error('disk full');
    },
    error: () => {
      throw new Error('disk full');
    },
  };
  const calls = placetel.createApp({ secret: SECRET, logger: broken });
  calls.on('IncomingCall', () => placetel.reject({ reason: 'busy' }));
  const reply = await send(calls, incoming);
  expect(reply.status).toBe(200);
  expect(reply.text).toContain('<Reject');
});

test('a logger without info, warn and error is refused when the app is created', () => {
  expect(() => placetel.createApp({ secret: SECRET, logger: {} as CallControlLogger })).toThrow(
    TypeError,
  );
});

test('a real pino logger writes one JSON line per request', async () => {
  const written: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ base: null }, destination);
  const calls = placetel.createApp({ secret: SECRET, logger });
  calls.on('IncomingCall', () => placetel.reject({ reason: 'busy' }));
  await send(calls, incoming);
  await send(calls, { ...incoming, call_id: 'c0ffee02' }, 'cd'.repeat(32));
  const lines = written
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({
    level: 30,
    msg: 'callcontrol request',
    provider: 'placetel',
    event: 'IncomingCall',
    callId: 'c0ffee01',
    status: 200,
    outcome: 'handled',
  });
  expect(lines[1]).toMatchObject({ level: 40, status: 403, code: 'CC_ERR_SIGNATURE_INVALID' });
});
