import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { opentact, ozeki, placetel, voipnow, type WebhookEvent } from '../../src';
import { runCli, useColour, type CliIo } from '../../src/cli';
import { QUIET } from '../helpers/apps';

const SECRET = 'test-secret-not-real';
const TOKEN = 'test-token-not-real-0123456789';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

function capture(extra: Partial<CliIo> = {}): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env: {},
    ...extra,
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
  url: string;
  summary: { requests: number; sent: number; failed: number };
  exchanges: { status: number; body: string; request: { event: string; method: string } }[];
}

const seen: WebhookEvent[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const placetelApp = placetel.createApp({ ...QUIET, secret: SECRET });
  placetelApp.on('IncomingCall', () =>
    placetel.forward({ targets: [{ numbers: ['022129191999'] }] }),
  );
  const ozekiApp = ozeki.createApp({ ...QUIET, urlToken: { tokens: TOKEN } });
  const pinInput = (host: string | undefined) => [
    ozeki.userInput({
      digits: 4,
      timeout: 10,
      forwardToUrl: `http://${String(host)}/ozeki?token=${TOKEN}`,
    }),
  ];
  ozekiApp.on('IncomingCall', (_call, { request }) => pinInput(request.headers['host']));
  ozekiApp.on('DtmfEntered', (call, { request }) =>
    call.dtmfDigits === '4321' ? [ozeki.blindTransfer('1001')] : pinInput(request.headers['host']),
  );
  const voipnowApp = voipnow.createApp({
    ...QUIET,
    basicAuth: { username: 'voipnow', password: 'not-a-real-password' },
  });
  voipnowApp.on('call_interactive', (call) =>
    call.param('SubscriptionCode') === '777' ? [voipnow.hangup()] : null,
  );
  const opentactApp = opentact.createApp({ ...QUIET, urlToken: { tokens: TOKEN } });
  opentactApp.on('call_flow_request', (_event, { request }) => [
    opentact.answer(),
    opentact.gather({
      length: 2,
      url: `http://${String(request.headers['host'])}/opentact?token=${TOKEN}`,
    }),
  ]);
  opentactApp.on('gather', (event) => (event.dtmf === '55' ? [opentact.hangup()] : null));
  const apps = [placetelApp, ozekiApp, voipnowApp, opentactApp];
  for (const app of apps) {
    (app as { onAny(handler: (event: WebhookEvent) => void): unknown }).onAny((event) => {
      seen.push(event);
    });
  }
  const http = express();
  http.use('/placetel', placetelApp.express());
  http.use('/ozeki', ozekiApp.express());
  http.use('/voipnow', voipnowApp.express());
  http.use('/opentact', opentactApp.express());
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

async function json(argv: string[]): Promise<{ code: number; report: Report }> {
  const io = capture();
  const code = await runCli([...argv, '--json'], io);
  return { code, report: JSON.parse(io.out) as Report };
}

describe('callcontrol simulate, every provider', () => {
  test('placetel: --from --to --secret --hangup-cause', async () => {
    const { code, report } = await json([
      'simulate',
      'placetel',
      `http://${base}/placetel`,
      '--secret',
      SECRET,
      '--from',
      '0301234',
      '--to',
      '0409876',
      '--hangup-cause',
      'busy',
    ]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, provider: 'placetel', summary: { requests: 2 } });
    expect(report.exchanges.map((e) => [e.request.event, e.status])).toEqual([
      ['IncomingCall', 200],
      ['HungUp', 200],
    ]);
    expect(seen.map((e) => [e.name, e.from, e.to])).toEqual([
      ['IncomingCall', '0301234', '0409876'],
      ['HungUp', '0301234', '0409876'],
    ]);
    expect((seen[1] as placetel.PlacetelHungUp).type).toBe('busy');
  });

  test('ozeki: --from --to --digits, token in the URL', async () => {
    const { code, report } = await json([
      'simulate',
      'ozeki',
      `http://${base}/ozeki?token=${TOKEN}`,
      '--from',
      '1500',
      '--to',
      '9000',
      '--digits',
      '1',
      '4321',
    ]);
    expect(code).toBe(0);
    expect(report.exchanges.map((e) => e.request.event)).toEqual([
      'IncomingCall',
      'DtmfEntered',
      'DtmfEntered',
    ]);
    expect(report.exchanges[2]?.body).toContain('<BlindTransfer>1001</BlindTransfer>');
    expect(seen.map((e) => [e.name, e.from || e.to])).toEqual([
      ['IncomingCall', '1500'],
      ['DtmfEntered', expect.any(String)],
      ['DtmfEntered', expect.any(String)],
    ]);
    expect(seen[0]?.to).toBe('9000');
  });

  test('voipnow: --from --to --digits --hangup-cause, basic auth in the URL', async () => {
    const { code, report } = await json([
      'simulate',
      'voipnow',
      `http://voipnow:not-a-real-password@${base}/voipnow`,
      '--from',
      '111',
      '--to',
      '222',
      '--digits',
      '777',
      '--hangup-cause',
      'unknown',
    ]);
    expect(code).toBe(0);
    expect(report.url).not.toContain('not-a-real-password');
    expect(report.exchanges[1]?.body).toContain('<Hangup/>');
    expect(seen.map((e) => [e.name, e.from, e.to])).toEqual([
      ['Dial-In', '111', '222'],
      ['call_interactive', '111', '222'],
      ['Hangup', '111', '222'],
    ]);
    expect((seen[2] as voipnow.VoipNowHangup).callStatus).toBe('UNKNOWN');
  });

  test('opentact: --from --to --digits --hangup-cause', async () => {
    const { code, report } = await json([
      'simulate',
      'opentact',
      `http://${base}/opentact?token=${TOKEN}`,
      '--from',
      '+15550001',
      '--to',
      '15550002',
      '--digits',
      '55',
      '--hangup-cause',
      '19',
    ]);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ requests: 7, sent: 7, failed: 0 });
    expect(report.exchanges[4]?.body).toContain('<Hangup/>');
    const destroyed = seen.at(-1) as opentact.OpentactCallStateEvent;
    expect([destroyed.q850Cause, destroyed.q850CauseString]).toEqual([19, 'NO_ANSWER']);
    expect(seen[0]?.from).toBe('+15550001');
  });

  test('exit 1 when requests are refused (wrong token), with the reason', async () => {
    const { code, report } = await json([
      'simulate',
      'opentact',
      `http://${base}/opentact?token=wrong-token-not-real-0000`,
    ]);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    // No answer to follow: the call-flow request and the five call events, no Gather follow-up.
    expect(report.summary.failed).toBe(6);
    expect(report.exchanges[0]?.body).toContain('CC_ERR_TOKEN_INVALID');
  });

  test.each([
    ['ozeki', '--secret', SECRET, /Ozeki signs no requests/],
    ['voipnow', '--secret', SECRET, /VoipNow signs no requests/],
    ['opentact', '--secret', SECRET, /Opentact signs no requests/],
    ['placetel', '--digits', '1', /Placetel sends no digits/],
    ['ozeki', '--hangup-cause', 'busy', /no hangup notification/],
    ['placetel', '--hangup-cause', 'exploded', /--hangup-cause must be one of/],
    ['voipnow', '--hangup-cause', 'BUSY', /ANSWER or UNKNOWN/],
    ['opentact', '--hangup-cause', 'EXPLODED', /unknown Q.850 cause/],
    ['opentact', '--digits', '12a', /DTMF keys/],
    ['voipnow', '--method', 'PUT', /GET or POST/],
  ])('usage error exits 2 with a reason: %s %s %s', async (provider, option, value, reason) => {
    const io = capture();
    expect(await runCli(['simulate', provider, `http://${base}/x`, option, value], io)).toBe(2);
    expect(io.err).toMatch(reason);
    expect(io.out).toBe('');
    expect(seen).toEqual([]);
  });

  test('--help documents the options per provider', async () => {
    for (const [provider, text] of [
      ['placetel', 'X-PLACETEL-SIGNATURE'],
      ['ozeki', 'no --secret'],
      ['voipnow', 'ANSWER or UNKNOWN'],
      ['opentact', 'Q.850'],
    ] as const) {
      const io = capture();
      expect(await runCli(['simulate', provider, '--help'], io)).toBe(0);
      expect(io.out).toContain(text);
    }
  });
});

describe('callcontrol simulate, terminal output', () => {
  const argv = () => ['simulate', 'placetel', `http://${base}/placetel`, '--secret', SECRET];

  test('a progress line per exchange and a summary, no colour when not a TTY', async () => {
    const io = capture({ isTTY: false });
    expect(await runCli(argv(), io)).toBe(0);
    expect(io.out).not.toMatch(ANSI);
    expect(io.out).toMatch(/^callcontrol simulate placetel → http:\/\/127\.0\.0\.1:\d+\/placetel/);
    expect(io.out).toMatch(/✓ 1\/3 IncomingCall {2}POST http:\/\/\S+ → 200 application\/xml/);
    expect(io.out).toMatch(/✓ 2\/3 CallAccepted/);
    expect(io.out).toMatch(/✓ 3\/3 HungUp/);
    expect(io.out).toMatch(/✓ 3 requests, every answer 2xx \(\d+\.\d ms\)\n$/);
  });

  test('colour on a TTY, unless NO_COLOR; FORCE_COLOR forces it', async () => {
    const tty = capture({ isTTY: true });
    expect(await runCli(argv(), tty)).toBe(0);
    expect(tty.out).toMatch(ANSI);
    const noColour = capture({ isTTY: true, env: { NO_COLOR: '1' } });
    await runCli(argv(), noColour);
    expect(noColour.out).not.toMatch(ANSI);
    const forced = capture({ isTTY: false, env: { FORCE_COLOR: '1' } });
    await runCli(argv(), forced);
    expect(forced.out).toMatch(ANSI);
    const json = capture({ isTTY: true });
    await runCli([...argv(), '--json'], json);
    expect(json.out).not.toMatch(ANSI);
    expect(useColour({ ...json, env: { FORCE_COLOR: '0' }, isTTY: false })).toBe(false);
  });

  test('a failed exchange is marked and counted', async () => {
    const io = capture();
    expect(await runCli(['simulate', 'placetel', `http://${base}/placetel`], io)).toBe(1);
    expect(io.out).toMatch(/✗ 1\/3 IncomingCall .* → 403/);
    expect(io.out).toContain('✗ 3 of 3 requests without a 2xx answer');
  });
});
