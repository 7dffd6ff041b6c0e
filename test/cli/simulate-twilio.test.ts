/**
 * `callcontrol simulate twilio`: a whole call that follows the app's TwiML answers (the
 * Gather action with each --digits entry, the Dial action), every request signed with
 * --auth-token for the exact URL it is sent to (docs/providers/twilio.md §3.1), and an app
 * that checks another URL refusing it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { twilio, type WebhookEvent } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { QUIET } from '../helpers/apps';

const TOKEN = 'fake-auth-token-for-tests';

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env: {},
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

interface Report {
  ok: boolean;
  exchanges: { status: number; body: string; url: string; request: { event: string } }[];
}

const seen: WebhookEvent[] = [];
let server: Server;
let base: string;

function menuApp(publicUrl?: string) {
  const calls = twilio.createApp({
    ...QUIET,
    authToken: TOKEN,
    actions: ['menu', 'dialed', 'again'] as const,
    ...(publicUrl === undefined ? {} : { publicUrl }),
  });
  calls.onAny((event) => {
    seen.push(event);
  });
  calls.on('voice', () =>
    twilio.gather({ numDigits: 1, action: calls.actionUrl('menu') }, twilio.say('Menu.')),
  );
  calls.action('menu', (result) =>
    result.name === 'gather' && result.digits === '1'
      ? twilio.dial({ action: calls.actionUrl('dialed') }, twilio.number('+15550001111'))
      : twilio.redirect(calls.actionUrl('again')),
  );
  calls.action('again', () =>
    twilio.gather({ numDigits: 1, action: calls.actionUrl('menu') }, twilio.say('Again.')),
  );
  calls.action('dialed', () => twilio.hangup());
  return calls;
}

beforeAll(async () => {
  const http = express();
  http.use('/twilio', menuApp().express());
  http.use('/elsewhere', menuApp('https://voice.example.com/twilio').express());
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

test('follows the Gather action with the digits and the Dial action, signed for each URL', async () => {
  const io = capture();
  const code = await runCli(
    ['simulate', 'twilio', `${base}/twilio`, '--auth-token', TOKEN, '--digits', '1', '--json'],
    io,
  );
  expect(io.err).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(io.out) as Report;
  expect(report.exchanges.map((e) => [e.request.event, e.status])).toEqual([
    ['voice', 200],
    ['gather', 200],
    ['dial', 200],
    ['status-callback', 200],
  ]);
  expect(report.exchanges[1]?.url).toBe(`${base}/twilio/actions/menu`);
  expect(report.exchanges[1]?.body).toContain('<Number>+15550001111</Number>');
  expect(report.exchanges[2]?.body).toContain('<Hangup/>');
  expect(seen.map((event) => [event.name, (event as twilio.TwilioEvent).action])).toEqual([
    ['voice', undefined],
    ['gather', 'menu'],
    ['dial', 'dialed'],
    ['status-callback', undefined],
  ]);
});

test('several --digits entries: one per Gather met (a Redirect in between)', async () => {
  const io = capture();
  const code = await runCli(
    ['simulate', 'twilio', `${base}/twilio`, '--auth-token', TOKEN, '--digits', '9', '1'],
    io,
  );
  expect(code).toBe(0);
  expect(io.out).toContain('✓ 6 requests, every answer 2xx');
  expect(seen.map((event) => event.name)).toEqual([
    'voice',
    'gather',
    'voice',
    'gather',
    'dial',
    'status-callback',
  ]);
});

test('without --auth-token every request is refused with 403 CC_ERR_SIGNATURE_MISSING', async () => {
  const io = capture();
  const code = await runCli(['simulate', 'twilio', `${base}/twilio`, '--json'], io);
  expect(code).toBe(1);
  const report = JSON.parse(io.out) as Report;
  expect(report.exchanges.map((e) => e.status)).toEqual([403, 403]);
  expect(report.exchanges[0]?.body).toContain('CC_ERR_SIGNATURE_MISSING');
});

test('signed for another URL than the app checks: 403 naming the URL checked', async () => {
  const io = capture();
  const code = await runCli(
    ['simulate', 'twilio', `${base}/elsewhere`, '--auth-token', TOKEN, '--json'],
    io,
  );
  expect(code).toBe(1);
  const report = JSON.parse(io.out) as Report;
  expect(report.exchanges[0]?.status).toBe(403);
  expect(report.exchanges[0]?.body).toContain('CC_ERR_SIGNATURE_INVALID');
  expect(report.exchanges[0]?.body).toContain('https://voice.example.com/twilio/');
  expect(report.exchanges[0]?.body).not.toContain(TOKEN);
});

test('--secret is a usage error naming --auth-token', async () => {
  const io = capture();
  const code = await runCli(['simulate', 'twilio', `${base}/twilio`, '--secret', 'x'], io);
  expect(code).toBe(2);
  expect(io.err).toContain('--auth-token');
});
