/**
 * `callcontrol simulate <twilio|telnyx|signalwire> <url> --scenario <file>`: a YAML scenario
 * file (caller, digits, targets, talkSeconds) played against a running app; the printed
 * transcript ("The call, as the caller lives it:") and `--json`'s `transcript` show the menu,
 * the dial answered after the plan's ring time, the talk and the call's end with the
 * provider's cause.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { signalwire, telnyx, twilio } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { QUIET } from '../helpers/apps';

const TOKEN = 'fake-auth-token-for-tests';
const keys = generateKeyPairSync('ed25519');
const dir = mkdtempSync(join(tmpdir(), 'cc-twiml-transcript-'));
const keyFile = join(dir, 'telnyx.pem');
writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const scenario = join(dir, 'call.yaml');
writeFileSync(
  scenario,
  [
    'caller: "+15550009999"',
    'digits: ["1"]',
    'targets:',
    '  "+15550001111": { answerAfterSeconds: 6 }',
    'talkSeconds: 40',
    '',
  ].join('\n'),
);

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

type Builders = typeof twilio;

function menu(ns: Builders, calls: ReturnType<typeof twilio.createApp<readonly ['menu']>>) {
  calls.on('voice', () =>
    ns.gather({ numDigits: 1, action: calls.actionUrl('menu') }, ns.say('Press 1 for sales.')),
  );
  calls.action('menu', () => ns.dial({ timeout: 20 }, ns.number('+15550001111')));
  return calls;
}

let server: Server;
let base: string;

beforeAll(async () => {
  const http = express();
  http.use(
    '/twilio',
    menu(
      twilio,
      twilio.createApp({ ...QUIET, authToken: TOKEN, actions: ['menu'] as const }),
    ).express(),
  );
  const tx = telnyx.createApp({
    ...QUIET,
    publicKey: telnyx.telnyxPublicKeyBase64(keys.publicKey),
    actions: ['menu'] as const,
  });
  menu(telnyx as unknown as Builders, tx as never);
  http.use('/telnyx', tx.express());
  const sw = signalwire.createApp({ ...QUIET, signingKey: TOKEN, actions: ['menu'] as const });
  menu(signalwire as unknown as Builders, sw as never);
  http.use('/signalwire', sw.express());
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const CASES: Array<[string, string[], string]> = [
  ['twilio', ['--auth-token', TOKEN], 'CallStatus=completed'],
  [
    'telnyx',
    ['--private-key', keyFile],
    'CallStatus=completed HangupCause=normal_clearing HangupSource=caller',
  ],
  [
    'signalwire',
    ['--signing-key', TOKEN],
    'CallStatus=completed SipResultCode=200 HangupDirection=inbound',
  ],
];

describe.each(CASES)('simulate %s --scenario', (provider, credentials, cause) => {
  test('prints the transcript of the call the scenario file plans', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', provider, `${base}/${provider}`, ...credentials, '--scenario', scenario],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const block = io.out.slice(io.out.indexOf('The call, as the caller lives it:'));
    const lines = block.split('\n').map((line) => line.trim());
    for (const wanted of [
      /^0:00 +call from \+15550009999 to /,
      /^0:00 +hears: Press 1 for sales\.$/,
      /^0:02 +presses 1$/,
      /^0:03 +\(the provider fetches \/actions\/menu\)$/,
      /^0:03 +rings \+15550001111 … answered after 6 s$/,
      /^0:09 +talks 40 s with \+15550001111$/,
      new RegExp(`^0:49 +call ended: completed, 49 s \\(${cause}\\)$`),
    ]) {
      expect(lines.some((line) => wanted.test(line))).toBe(true);
    }
  });

  test('--json carries the transcript: entries with their text', async () => {
    const io = capture();
    const code = await runCli(
      [
        'simulate',
        provider,
        `${base}/${provider}`,
        ...credentials,
        '--scenario',
        scenario,
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as {
      exchanges: Array<{ request: { event: string; body: string } }>;
      transcript: Array<{ kind: string; at: number; text: string }>;
    };
    expect(report.transcript.map((entry) => entry.text)).toEqual([
      expect.stringMatching(/^call from \+15550009999 to /),
      'hears: Press 1 for sales.',
      'presses 1',
      '(the provider fetches /actions/menu)',
      'rings +15550001111 … answered after 6 s',
      'talks 40 s with +15550001111',
      `call ended: completed, 49 s (${cause})`,
    ]);
    expect(report.transcript.at(-1)).toMatchObject({ kind: 'ended', at: 49 });
    const status = report.exchanges.at(-1);
    expect(status?.request.event).toBe('status-callback');
    expect(new URLSearchParams(status?.request.body).get('CallDuration')).toBe('49');
  });
});
