/**
 * `callcontrol simulate voipnow` follows the answers (src/providers/voipnow/simulate.ts): the
 * example app's support IVR and a digitvar menu, with --scenario files (YAML, JSON) and --json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { voipnow, type WebhookEvent } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { createVoipNowDemo } from '../../examples/voipnow/app';
import { QUIET } from '../helpers/apps';

const TOKEN = 'test-token-not-real-0123456789';

interface Report {
  ok: boolean;
  exchanges: { status: number; body: string; url: string; request: { event: string } }[];
  transcript: { kind: string; at: number; text: string; durationSeconds?: number }[];
}

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

const log: string[] = [];
const demo = createVoipNowDemo({
  subscriptions: ['09897987'],
  token: TOKEN,
  log: (line) => log.push(line),
});
const seen: WebhookEvent[] = [];
const menu = voipnow.createApp({ ...QUIET, allowUnauthenticated: true });
menu.onAny((event) => {
  seen.push(event);
});
menu.on('call_interactive', (call) => {
  const choice = call.param('choice');
  if (choice === undefined) return [voipnow.playSound('main-menu', { digitvar: 'choice' })];
  if (choice === '9') return [voipnow.playSound('main-menu', { digitvar: 'choice', loop: 2 })];
  return choice === '1'
    ? [voipnow.jump({ context: 'Sales' })]
    : [voipnow.playTts('Goodbye'), voipnow.hangup()];
});
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callcontrol-voipnow-'));
  const http = express();
  http.use('/voipnow', demo.express());
  http.use('/menu', menu.express());
  http.get('/invalid', (_request, response) => {
    response.type('application/xml').send('<Response><Play>x</Play></Response>');
  });
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
  await Promise.all([demo.close(), menu.close()]);
});

beforeEach(() => {
  log.length = 0;
  seen.length = 0;
});

function scenario(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('--scenario (YAML): the menu key goes back to the Script URL, Sales answers after 6 s', async () => {
  const file = scenario(
    'sales.yaml',
    [
      'caller: "017312345678"',
      'callee: "022129191999"',
      'digits: ["09897987", "9", "1"]',
      'targets:',
      '  Sales: { answerAfterSeconds: 6 }',
      'talkSeconds: 20',
      'options: { routed: true, method: POST }',
      '',
    ].join('\n'),
  );
  const io = capture();
  const code = await runCli(['simulate', 'voipnow', `${base}/menu`, '--scenario', file], io);
  expect(io.err).toBe('');
  expect(code).toBe(0);
  expect(io.out).toContain('The call, as the caller lives it:');
  const lines = io.out.split('\n').map((line) => line.trim());
  const expected = [
    '0:00  call from 017312345678 to 022129191999',
    '0:02  presses 09897987',
    '0:02  hears: sound main-menu',
    '0:04  presses 9',
    `0:04  (the provider fetches ${base}/menu/interactive?SubscriptionCode=09897987&choice=9)`,
    '0:04  hears: sound main-menu (2 times)',
    '0:08  presses 1',
    '0:08  jumps to IVR context Sales',
    '0:08  rings Sales … answered after 6 s',
    '0:14  talks 20 s with Sales',
    '0:34  call ended: completed, 34 s (Hangup CallStatus=ANSWER)',
  ];
  let from = 0;
  for (const line of expected) {
    const index = lines.indexOf(line, from);
    expect([line, index]).toEqual([line, expect.any(Number)]);
    expect(index).toBeGreaterThanOrEqual(from);
    from = index + 1;
  }
  expect(seen.map((event) => [event.name, event.from, event.to])).toEqual([
    ['Dial-In', '017312345678', '022129191999'],
    ['call_interactive', '017312345678', '022129191999'],
    ['call_interactive', '017312345678', '022129191999'],
    ['call_interactive', '017312345678', '022129191999'],
    ['Hangup', '017312345678', '022129191999'],
  ]);
  expect((seen[3] as voipnow.VoipNowCallInteractive).param('choice')).toBe('1');
});

test('--scenario (JSON) --json: a busy Jump destination, the transcript in the report', async () => {
  const file = scenario(
    'busy.json',
    JSON.stringify({ digits: ['09897987'], targets: { StartSupport: 'busy' } }),
  );
  const io = capture();
  const code = await runCli(
    ['simulate', 'voipnow', `${base}/voipnow?token=${TOKEN}`, '--scenario', file, '--json'],
    io,
  );
  expect(code).toBe(0);
  const report = JSON.parse(io.out) as Report;
  expect(report.ok).toBe(true);
  expect(report.exchanges.map((exchange) => exchange.request.event)).toEqual([
    'Dial-In',
    'call_interactive',
    'Hangup',
  ]);
  expect(report.transcript.map((entry) => entry.text)).toEqual([
    'call from 14155550100 to 14155550199',
    'the IVR answers and asks for SubscriptionCode',
    'presses 09897987',
    'jumps to IVR context StartSupport option 1',
    'rings StartSupport … busy',
    'call ended: busy, 2 s (Hangup CallStatus=ANSWER)',
  ]);
  expect(report.transcript.at(-1)).toMatchObject({ kind: 'ended', durationSeconds: 2 });
  expect(log.some((line) => /voipnow Hangup .* status=ANSWER/.test(line))).toBe(true);
});

test('the caller hangs up during the ring: canceled after hangupAfterSeconds', async () => {
  const file = scenario(
    'hangup.yaml',
    'digits: ["1234", "1"]\ntargets:\n  Sales: no-answer\nhangupAfterSeconds: 15\n',
  );
  const io = capture();
  expect(
    await runCli(['simulate', 'voipnow', `${base}/menu`, '--scenario', file, '--json'], io),
  ).toBe(0);
  const report = JSON.parse(io.out) as Report;
  expect(report.transcript.slice(-2).map((entry) => entry.text)).toEqual([
    'rings Sales … caller hung up after 11 s',
    'call ended: canceled, 15 s (Hangup CallStatus=ANSWER)',
  ]);
});

test('an answer that breaks the spec fails the run (exit 1) with the problem', async () => {
  const io = capture();
  const code = await runCli(['simulate', 'voipnow', `${base}/invalid`, '--json'], io);
  expect(code).toBe(1);
  const report = JSON.parse(io.out) as Report & { problem: { code: string; message: string } };
  expect(report.problem.code).toBe('CC_ERR_ANSWER_INVALID');
  expect(report.problem.message).toContain('Play');
});
