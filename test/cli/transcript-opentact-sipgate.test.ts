/**
 * `callcontrol simulate opentact|sipgate <url> --scenario <file>`: a YAML scenario file drives
 * the call (caller, digits, which target answers after how many seconds, the talk time), the
 * transcript is printed after the exchanges and carried in `--json`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { sipgate } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { createOpentactDemo } from '../../examples/opentact/app';
import { QUIET } from '../helpers/apps';

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
  exchanges: { request: { event: string }; body: string }[];
  transcript: { kind: string; at: number; text: string; durationSeconds?: number }[];
}

const TOKEN = 'test-token-not-real-0123456789';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dir = mkdtempSync(join(tmpdir(), 'callcontrol-transcript-'));
const keyFile = join(dir, 'test-key-not-real.pem');
writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
let server: Server;
let base: string;

beforeAll(async () => {
  const http = express();
  http.use(
    '/opentact',
    createOpentactDemo({
      token: TOKEN,
      pins: ['1234'],
      support: ['sip:anna@support.example.com'],
      sales: ['+15550002'],
      privateLine: '+15550003',
      log: () => undefined,
    }).express(),
  );
  const calls = sipgate.createApp({ ...QUIET, publicKey: keys.publicKey });
  calls.on('newCall', () =>
    sipgate.response({
      onAnswer: `${base}/sipgate`,
      onHangup: `${base}/sipgate`,
      action: sipgate.gather({ onData: `${base}/sipgate?step=menu`, maxDigits: 1 }),
    }),
  );
  calls.on('dtmf', () => sipgate.dial({ numbers: ['4915799912345', '4915799954321'] }));
  http.use('/sipgate', calls.express());
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('simulate opentact --scenario', () => {
  const file = join(dir, 'opentact.yaml');
  writeFileSync(
    file,
    [
      'caller: "+14155550100"',
      'callee: 18382050010',
      'digits: ["0", "1234"]',
      'targets:',
      '  "+15550003": { answerAfterSeconds: 6 }',
      'talkSeconds: 30',
      '',
    ].join('\n'),
  );

  test('prints the transcript with times', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'opentact', `${base}/opentact?token=${TOKEN}`, '--scenario', file],
      io,
    );
    expect(code).toBe(0);
    expect(io.out).toContain('The call, as the caller lives it:');
    for (const line of [
      '0:00  call from +14155550100 to 18382050010',
      '0:05  presses 0',
      '0:08  presses 1234',
      '0:11  rings +15550003 … answered after 6 s',
      '0:17  talks 30 s with +15550003',
      '0:47  call ended: completed, 47 s (q850_cause=16 NORMAL_CLEARING)',
    ]) {
      expect(io.out).toContain(line);
    }
    expect(io.out).not.toContain(TOKEN.slice(0, 12) + '…');
  });

  test('--json carries the transcript; destroyed reports the 47 s', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'opentact', `${base}/opentact?token=${TOKEN}`, '--scenario', file, '--json'],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as Report;
    expect(report.transcript.map((entry) => entry.text)).toContain(
      'rings +15550003 … answered after 6 s',
    );
    const last = report.transcript.at(-1);
    expect(last).toMatchObject({ kind: 'ended', durationSeconds: 47 });
    const destroyed = report.exchanges.find(
      (exchange) => exchange.request.event === 'call_state:destroyed',
    );
    expect(destroyed).toBeDefined();
    expect(report.exchanges.map((exchange) => exchange.request.event)).toContain('gather');
  });
});

describe('simulate sipgate --scenario', () => {
  const file = join(dir, 'sipgate.yaml');
  writeFileSync(
    file,
    [
      'caller: 4930123456',
      'callee: 4928559389086',
      'digits: ["1"]',
      'targets:',
      '  "4915799912345": busy',
      '  "4915799954321": 12',
      'talkSeconds: 45',
      '',
    ].join('\n'),
  );

  test('prints the transcript and carries it in --json', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'sipgate', `${base}/sipgate`, '--private-key', keyFile, '--scenario', file],
      io,
    );
    expect(code).toBe(0);
    for (const line of [
      '0:00  call from 4930123456 to 4928559389086',
      '0:00  presses 1',
      '0:01  rings 4915799912345 … busy',
      '0:01  rings 4915799954321 … answered after 12 s',
      '0:13  talks 45 s with 4915799954321',
      '0:58  call ended: completed, 58 s (hangup cause=normalClearing)',
    ]) {
      expect(io.out).toContain(line);
    }
    const json = capture();
    expect(
      await runCli(
        [
          'simulate',
          'sipgate',
          `${base}/sipgate`,
          '--private-key',
          keyFile,
          '--scenario',
          file,
          '--json',
        ],
        json,
      ),
    ).toBe(0);
    const report = JSON.parse(json.out) as Report;
    expect(report.exchanges.map((exchange) => exchange.request.event)).toEqual([
      'newCall',
      'dtmf',
      'answer',
      'hangup',
    ]);
    expect(report.transcript.map((entry) => entry.text)).toEqual([
      'call from 4930123456 to 4928559389086',
      'presses 1',
      '(the provider fetches /?step=menu)',
      'rings 4915799912345 … busy',
      'rings 4915799954321 … answered after 12 s',
      'talks 45 s with 4915799954321',
      'call ended: completed, 58 s (hangup cause=normalClearing)',
    ]);
  });
});
