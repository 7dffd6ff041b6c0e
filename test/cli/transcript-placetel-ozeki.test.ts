/**
 * `callcontrol simulate placetel|ozeki --scenario <file>`: a YAML scenario file's plan (who
 * answers after how many seconds, the talk, the digits) is played, and the transcript is
 * printed ("The call, as the caller lives it:") and given in `--json` as `transcript`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { ozeki, placetel } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { QUIET } from '../helpers/apps';

const SECRET = 'test-secret-not-real';
const TOKEN = 'test-token-not-real-0123456789';

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
  transcript: { kind: string; at: number; text: string }[];
  exchanges: { request: { event: string; body: string } }[];
}

let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callcontrol-transcript-'));
  const placetelApp = placetel.createApp({ ...QUIET, secret: SECRET });
  placetelApp.on('IncomingCall', () =>
    placetel.forward({
      targets: [
        { numbers: ['022129191998'], ringtime: 20 },
        { numbers: ['022129191999'], ringtime: 30 },
      ],
    }),
  );
  const ozekiApp = ozeki.createApp({ ...QUIET, urlToken: { tokens: TOKEN } });
  ozekiApp.on('IncomingCall', (_call, { request }) => [
    ozeki.userInput({
      timeout: 10,
      initialCommands: [ozeki.speak('For your PIN, press 2.')],
      inputs: [
        {
          key: '2',
          commands: [
            ozeki.userInput({
              digits: 4,
              timeout: 10,
              forwardToUrl: `http://${String(request.headers['host'])}/ozeki?token=${TOKEN}`,
            }),
          ],
        },
      ],
    }),
  ]);
  ozekiApp.on('DtmfEntered', () => [ozeki.speak('Transferring.'), ozeki.blindTransfer('2000')]);
  const http = express();
  http.use('/placetel', placetelApp.express());
  http.use('/ozeki', ozekiApp.express());
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

function scenario(name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, out: io.out };
}

describe('simulate placetel --scenario', () => {
  const file = () =>
    scenario(
      'placetel.yaml',
      [
        'caller: 017312345678',
        'callee: 022129191999',
        'targets:',
        '  "022129191998": busy',
        '  "022129191999": { answerAfterSeconds: 9 }',
        'talkSeconds: 51',
        '',
      ].join('\n'),
    );

  test('prints the transcript with times on the simulated clock', async () => {
    const { code, out } = await run([
      'simulate',
      'placetel',
      `${base}/placetel`,
      '--secret',
      SECRET,
      '--scenario',
      file(),
    ]);
    expect(code).toBe(0);
    const block = out.slice(out.indexOf('The call, as the caller lives it:'));
    expect(block.split('\n').slice(1, 6)).toEqual([
      '  0:00  call from 017312345678 to 022129191999',
      '  0:00  rings 022129191998 … busy',
      '  0:00  rings 022129191999 … answered after 9 s',
      '  0:09  talks 51 s with 022129191999',
      '  1:00  call ended: completed, 1 min (HungUp type=accepted)',
    ]);
  });

  test('--json: the transcript entries, and the plan in HungUp duration', async () => {
    const { code, out } = await run([
      'simulate',
      'placetel',
      `${base}/placetel`,
      '--secret',
      SECRET,
      '--scenario',
      file(),
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(out) as Report;
    expect(report.transcript.map((entry) => entry.text)).toEqual([
      'call from 017312345678 to 022129191999',
      'rings 022129191998 … busy',
      'rings 022129191999 … answered after 9 s',
      'talks 51 s with 022129191999',
      'call ended: completed, 1 min (HungUp type=accepted)',
    ]);
    expect(report.transcript.at(-1)).toMatchObject({ kind: 'ended', at: 60, durationSeconds: 60 });
    expect(report.exchanges.map((e) => e.request.event)).toEqual([
      'IncomingCall',
      'CallAccepted',
      'HungUp',
    ]);
    const hungUp = new URLSearchParams(report.exchanges[2]?.request.body);
    expect(hungUp.get('duration')).toBe('51');
    expect(hungUp.get('from')).toBe('017312345678');
  });
});

describe('simulate ozeki --scenario', () => {
  const file = () =>
    scenario(
      'ozeki.yaml',
      [
        'caller: "1000"',
        'digits: ["2", "1234"]',
        'targets:',
        '  "2000": { answerAfterSeconds: 5 }',
        'talkSeconds: 20',
        '',
      ].join('\n'),
    );

  test('prints the transcript and gives it in --json', async () => {
    const url = `${base}/ozeki?token=${TOKEN}`;
    const text = await run(['simulate', 'ozeki', url, '--scenario', file()]);
    expect(text.code).toBe(0);
    const block = text.out.slice(text.out.indexOf('The call, as the caller lives it:'));
    expect(block).toContain('  0:00  call from 1000 to 9994\n');
    expect(block).toContain('  0:00  hears: For your PIN, press 2.\n');
    expect(block).toContain('  0:02  presses 2\n');
    expect(block).toContain('  0:03  presses 1234\n');
    expect(block).toContain('  0:06  rings 2000 … answered after 5 s\n');
    expect(block).toContain('  0:11  talks 20 s with 2000\n');
    expect(block).toContain('  0:31  call ended: completed, 31 s (BlindTransfer to 2000)\n');

    const json = await run(['simulate', 'ozeki', url, '--scenario', file(), '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as Report;
    expect(report.exchanges.map((e) => e.request.event)).toEqual(['IncomingCall', 'DtmfEntered']);
    const texts = report.transcript.map((entry) => entry.text);
    expect(texts[0]).toBe('call from 1000 to 9994');
    expect(texts).toContain('presses 1234');
    expect(texts).toContain('rings 2000 … answered after 5 s');
    expect(texts.at(-1)).toBe('call ended: completed, 31 s (BlindTransfer to 2000)');
    expect(report.transcript.filter((entry) => entry.kind === 'ended')).toHaveLength(1);
  });
});
