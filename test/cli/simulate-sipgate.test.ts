import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { sipgate, type WebhookEvent } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
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
  provider: string;
  exchanges: { status: number; body: string; url: string; request: { event: string } }[];
  problem?: { code: string; message: string };
}

// A throwaway key pair: the app is given its public half instead of sipgate's published key.
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dir = mkdtempSync(join(tmpdir(), 'callcontrol-sipgate-'));
const keyFile = join(dir, 'test-key-not-real.pem');
writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));

const seen: WebhookEvent[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const ownKey = sipgate.createApp({ ...QUIET, publicKey: keys.publicKey });
  ownKey.onAny((event) => {
    seen.push(event);
  });
  // What each caller (`from`) gets: the follow-ups at this mount, unless the caller is `quiet`.
  const followUps = () => ({
    onAnswer: `${base}/sipgate?step=answer`,
    onHangup: `${base}/sipgate`,
  });
  ownKey.on('newCall', (call) => {
    switch (call.from) {
      case 'anonymous':
        return sipgate.response({ ...followUps(), action: sipgate.reject({ reason: 'busy' }) });
      case '4911':
        return sipgate.response({ ...followUps(), action: sipgate.reject() });
      case '4922':
        return sipgate.response({ ...followUps(), action: sipgate.hangup() });
      case 'quiet':
        return sipgate.dial({ numbers: ['4915799912345'] });
      case '4930123456':
        return sipgate.response({
          ...followUps(),
          action: sipgate.gather({ onData: `${base}/sipgate?step=pin`, maxDigits: 4 }),
        });
      default:
        return sipgate.response({
          ...followUps(),
          action: sipgate.dial({ numbers: ['4915799912345', '4915799954321'] }),
        });
    }
  });
  ownKey.on('dtmf', (event) =>
    event.dtmf === '0815' ? sipgate.dial({ numbers: ['4915799900000'] }) : sipgate.hangup(),
  );
  const defaultKey = sipgate.createApp({ ...QUIET });
  const http = express();
  http.use('/sipgate', ownKey.express());
  http.use('/sipgate-default', defaultKey.express());
  // Answers with a document that breaks the spec (<Say> does not exist at sipgate).
  http.post('/sipgate-invalid', (_request, response) => {
    response.type('application/xml').send('<Response><Say>Hello</Say></Response>');
  });
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

describe('callcontrol simulate sipgate', () => {
  test('--private-key --from --to --digits: newCall → dtmf to onData → answer → hangup, all accepted', async () => {
    const io = capture();
    const code = await runCli(
      [
        'simulate',
        'sipgate',
        `${base}/sipgate`,
        '--private-key',
        keyFile,
        '--from',
        '4930123456',
        '--to',
        '4940987654',
        '--digits',
        '0815',
        '--json',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as Report;
    expect(report).toMatchObject({ ok: true, provider: 'sipgate' });
    expect(report.exchanges.map((e) => [e.request.event, e.status])).toEqual([
      ['newCall', 200],
      ['dtmf', 200],
      ['answer', 200],
      ['hangup', 200],
    ]);
    expect(report.exchanges[0]?.body).toContain('<Gather');
    // Each follow-up goes to the URL the answer named, its query kept.
    expect(report.exchanges.map((e) => new URL(e.url).search)).toEqual([
      '',
      '?step=pin',
      '?step=answer',
      '',
    ]);
    expect(seen.map((e) => e.name)).toEqual(['newCall', 'dtmf', 'answer', 'hangup']);
    expect(seen[0]).toMatchObject({ from: '4930123456', to: '4940987654' });
    expect((seen[1] as sipgate.SipgateDtmf).dtmf).toBe('0815');
    // The dialled number answers.
    expect((seen[2] as sipgate.SipgateAnswerEvent).answeringNumber).toBe('4915799900000');
    expect(seen[3]).toMatchObject({ cause: 'normalClearing', answeringNumber: '4915799900000' });
    expect(new Set(seen.map((e) => e.callId)).size).toBe(1);
  });

  test('<Dial>: answer by the first number dialled, then hangup normalClearing', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'sipgate', `${base}/sipgate`, '--private-key', keyFile, '--json'],
      io,
    );
    expect(code).toBe(0);
    expect(seen.map((e) => e.name)).toEqual(['newCall', 'answer', 'hangup']);
    expect((seen[1] as sipgate.SipgateAnswerEvent).answeringNumber).toBe('4915799912345');
    expect((seen[2] as sipgate.SipgateHangup).cause).toBe('normalClearing');
  });

  test.each([
    ['anonymous', 'busy'],
    ['4911', 'noAnswer'],
    ['4922', 'normalClearing'],
  ])(
    'from %s (<Reject busy>, <Reject>, <Hangup/>): hangup cause %s, no answer',
    async (from, cause) => {
      const io = capture();
      const code = await runCli(
        ['simulate', 'sipgate', `${base}/sipgate`, '--private-key', keyFile, '--from', from],
        io,
      );
      expect(code).toBe(0);
      expect(seen.map((e) => e.name)).toEqual(['newCall', 'hangup']);
      expect((seen[1] as sipgate.SipgateHangup).cause).toBe(cause);
    },
  );

  test('no onAnswer/onHangup in the answer: no answer or hangup is sent', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'sipgate', `${base}/sipgate`, '--private-key', keyFile, '--from', 'quiet'],
      io,
    );
    expect(code).toBe(0);
    expect(seen.map((e) => e.name)).toEqual(['newCall']);
  });

  test('a <Gather> with no --digits entry left: dtmf empty after the timeout (spec §2.2, §4.4)', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'sipgate', `${base}/sipgate`, '--private-key', keyFile, '--from', '4930123456'],
      io,
    );
    expect(code).toBe(0);
    // The app answers the empty dtmf with <Hangup/>.
    expect(seen.map((e) => e.name)).toEqual(['newCall', 'dtmf', 'hangup']);
    expect((seen[1] as sipgate.SipgateDtmf).dtmf).toBe('');
  });

  test('an answer that breaks the spec fails the run with its problem', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'sipgate', `${base}/sipgate-invalid`, '--json'], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out) as Report;
    expect(report.exchanges.map((e) => e.request.event)).toEqual(['newCall']);
    expect(report.problem?.code).toBe('CC_ERR_ANSWER_INVALID');
    expect(report.problem?.message).toMatch(/breaks the sipgate\.io spec/);
    expect(report.problem?.message).toMatch(/Say/);
  });

  test('--hangup-cause takes any cause for a dialled call; not normalClearing skips answer', async () => {
    const io = capture();
    const code = await runCli(
      [
        'simulate',
        'sipgate',
        `${base}/sipgate`,
        '--private-key',
        keyFile,
        '--hangup-cause',
        'chanunavail',
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(seen.map((e) => e.name)).toEqual(['newCall', 'hangup']);
    expect((seen[1] as sipgate.SipgateHangup).cause).toBe('chanunavail');
  });

  test('unsigned against an app with the default key: 403, exit 1', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'sipgate', `${base}/sipgate-default`, '--json'], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out) as Report;
    // A refused newCall names no follow-up URL: nothing follows it.
    expect(report.exchanges.map((e) => e.status)).toEqual([403]);
  });

  test('signed with another key than the app has: 403', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'sipgate', `${base}/sipgate-default`, '--private-key', keyFile, '--json'],
      io,
    );
    expect(code).toBe(1);
    expect((JSON.parse(io.out) as Report).exchanges[0]?.status).toBe(403);
  });

  test.each([
    [['--private-key', ''], /--private-key must not be empty/],
    [['--private-key', join(dir, 'missing.pem')], /--private-key: cannot read/],
    [['--secret', 'test-secret-not-real'], /--secret.*--private-key/],
    [['--digits', ' '], /--digits must not be empty/],
  ])('usage error %j', async (extra, message) => {
    const io = capture();
    const code = await runCli(['simulate', 'sipgate', `${base}/sipgate`, ...extra], io);
    expect(code).toBe(2);
    expect(io.err).toMatch(message);
    expect(seen).toEqual([]);
  });

  test('--help lists the documented hangup causes', async () => {
    const io = capture();
    expect(await runCli(['simulate', 'sipgate', '--help'], io)).toBe(0);
    expect(io.out).toContain('--private-key <file>');
    for (const cause of sipgate.SIPGATE_HANGUP_CAUSES) expect(io.out).toContain(cause);
  });
});
