/**
 * The README's demonstration, as a new user runs it: the built example server (what
 * `npm start` runs) in its own process, and the built `callcontrol` command against it.
 */
import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = resolve(ROOT, 'dist/examples/server.js');
const CLI = resolve(ROOT, 'dist/src/cli/index.js');
const SECRET = 'e2e-secret-not-real';

let server: ChildProcessWithoutNullStreams;
let baseUrl: string;
let serverLog = '';

/** Runs the built command without blocking, so the server's log keeps flowing in meanwhile. */
function runCommand(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { encoding: 'utf8', timeout: 20_000 },
      (error, stdout) => {
        done({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout,
        });
      },
    );
  });
}

/** Waits until the server's log matches (it arrives through a pipe, a little after the answer). */
async function logMatching(pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200 && !pattern.test(serverLog); i++) {
    await new Promise((wait) => setTimeout(wait, 25));
  }
  return serverLog;
}

beforeAll(async () => {
  if (!existsSync(SERVER) || !existsSync(CLI)) {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
      },
    );
  }
  server = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      PLACETEL_SECRET: SECRET,
      FORWARD_TO: '022129191999,7777abcdefg@fpbx.de',
    },
  });
  baseUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${serverLog}`)),
      20_000,
    );
    server.stdout.on('data', (chunk: Buffer) => {
      serverLog += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\/placetel/.exec(serverLog);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1] as string);
      }
    });
    server.stderr.on('data', (chunk: Buffer) => {
      serverLog += chunk.toString('utf8');
    });
    server.once('exit', (code) =>
      reject(new Error(`server exited with ${String(code)}:\n${serverLog}`)),
    );
  });
});

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((done) => server.once('exit', done));
    server.kill('SIGTERM');
    await exited;
  }
});

test('a whole signed call: a Forward for IncomingCall, 200 for the rest', async () => {
  const { code, stdout } = await runCommand([
    'simulate',
    'placetel',
    `${baseUrl}/placetel`,
    '--secret',
    SECRET,
    '--json',
  ]);
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as {
    ok: boolean;
    exchanges: { status: number; contentType: string; body: string; request: { event: string } }[];
  };
  expect(report.ok).toBe(true);
  expect(report.exchanges.map((exchange) => [exchange.request.event, exchange.status])).toEqual([
    ['IncomingCall', 200],
    ['CallAccepted', 200],
    ['HungUp', 200],
  ]);
  const [incoming, accepted, hungUp] = report.exchanges;
  expect(incoming?.contentType).toBe('application/xml; charset=utf-8');
  expect(incoming?.body).toContain(
    '<Forward><Target ringtime="30"><Number>022129191999</Number><Number>7777abcdefg@fpbx.de</Number></Target></Forward>',
  );
  expect(accepted?.body).toContain('<Response/>');
  expect(hungUp?.body).toContain('<Response/>');
  const log = await logMatching(/placetel HungUp .* type=accepted duration=38s/);
  expect(log).toMatch(
    /placetel IncomingCall call=\w+ from=017312345678 to=022129191999 direction=in/,
  );
  expect(log).toMatch(/placetel HungUp .* type=accepted duration=38s/);
});

test('an anonymous caller is rejected as busy', async () => {
  const { code, stdout } = await runCommand([
    'simulate',
    'placetel',
    `${baseUrl}/placetel`,
    '--secret',
    SECRET,
    '--from',
    'anonymous',
    '--hangup-cause',
    'missed',
  ]);
  expect(code).toBe(0);
  expect(stdout).toContain('<Reject reason="busy"/>');
});

test('unsigned requests are refused with 403 when PLACETEL_SECRET is set', async () => {
  const { code, stdout } = await runCommand(['simulate', 'placetel', `${baseUrl}/placetel`]);
  expect(code).toBe(1);
  expect(stdout).toContain('→ 403');
  expect(stdout).toContain('CC_ERR_SIGNATURE_MISSING');
});

describe('the Ozeki IVR at /ozeki', () => {
  test('a menu for the IncomingCall, a transfer for the right PIN', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'ozeki',
      `${baseUrl}/ozeki`,
      '--digits',
      '1234',
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      exchanges: { status: number; body: string; request: { event: string } }[];
    };
    expect(report.exchanges.map((exchange) => [exchange.request.event, exchange.status])).toEqual([
      ['IncomingCall', 200],
      ['DtmfEntered', 200],
    ]);
    const [incoming, dtmf] = report.exchanges;
    expect(incoming?.body).toContain('<UserInput');
    expect(incoming?.body).toMatch(/<Input Key="2"><UserInput [^>]*Digits="4"/);
    expect(incoming?.body).toContain(`ForwardToUrl="${baseUrl}/ozeki"`);
    expect(dtmf?.body).toContain('<BlindTransfer>1001</BlindTransfer>');
    const log = await logMatching(/ozeki DtmfEntered .* digits=\*\*\*\*/);
    expect(log).toMatch(/ozeki IncomingCall call=\w+ from=1000 to=9994/);
    expect(log).not.toContain('digits=1234');
  });

  test('a wrong PIN may be tried once more (counted in the session), then goodbye', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'ozeki',
      `${baseUrl}/ozeki`,
      '--digits',
      '9999',
      '9998',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('<Speak>That PIN is not valid. Please try once more.</Speak>');
    expect(stdout).toContain('<Speak>Sorry, that PIN is not valid. Goodbye.</Speak><Hangup/>');
    expect(stdout).toContain('✓ 3 requests, every answer 2xx');
  });
});

describe('the VoipNow support IVR at /voipnow', () => {
  test.each([
    ['GET', []],
    ['POST', ['--routed']],
  ])('%s: a known subscription jumps to the support context', async (method, extra) => {
    const { code, stdout } = await runCommand([
      'simulate',
      'voipnow',
      `${baseUrl}/voipnow`,
      '--method',
      method,
      '--digits',
      '09897987',
      '--json',
      ...extra,
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      exchanges: { status: number; body: string; url: string; request: { event: string } }[];
    };
    expect(report.exchanges.map((exchange) => [exchange.request.event, exchange.status])).toEqual([
      ['Dial-In', 200],
      ['call_interactive', 200],
      ['Hangup', 200],
    ]);
    const [dialIn, interactive, hangup] = report.exchanges;
    expect(dialIn?.body).toContain('<Response/>');
    expect(interactive?.body).toMatch(/<Jump [^>]*context="StartSupport"/);
    expect(hangup?.body).toContain('<Response/>');
    if (extra.length > 0) expect(interactive?.url).toBe(`${baseUrl}/voipnow/interactive`);
    const log = await logMatching(/voipnow Hangup .* status=ANSWER/);
    expect(log).toMatch(
      /voipnow Dial-In call=\w+ from=14155550100 to=14155550199 extension=0003\*001/,
    );
  });

  test('an unknown subscription hears a sound and is hung up', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'voipnow',
      `${baseUrl}/voipnow`,
      '--digits',
      '1111',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('<PlaySound>invalid-subscription</PlaySound><Hangup/>');
    expect(stdout).toContain('✓ 3 requests, every answer 2xx');
  });
});

test('the built callcontrol bins run by themselves (as `npx callcontrol` runs them)', () => {
  // dist/ is what the tests and the example run; lib/ (built by `npm run build:package`, which
  // `npm test` runs before jest) is what package.json's bin names and the tarball ships.
  const bin = (
    JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    }
  ).bin;
  const published = resolve(ROOT, bin['callcontrol'] ?? '');
  expect(published).toBe(resolve(ROOT, 'lib/cli.js'));
  for (const file of [CLI, published]) {
    accessSync(file, constants.X_OK);
    expect(readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(execFileSync(file, ['--help'], { encoding: 'utf8' })).toContain('validate');
  }
});

describe('the Opentact IVR at /opentact', () => {
  test.each(['GET', 'POST'])(
    '%s call-flow request: a menu with a private PIN Gather, the right PIN is put through',
    async (method) => {
      const { code, stdout } = await runCommand([
        'simulate',
        'opentact',
        `${baseUrl}/opentact`,
        '--method',
        method,
        '--digits',
        '1234',
        '--json',
      ]);
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as {
        exchanges: { status: number; body: string; request: { event: string } }[];
      };
      expect(report.exchanges.map((exchange) => [exchange.request.event, exchange.status])).toEqual(
        [
          ['call_flow_request', 200],
          ['call_state:init', 200],
          ['call_flow:Answer', 200],
          ['call_state:live', 200],
          ['gather', 200],
          ['call_state:hangup', 200],
          ['call_state:destroyed', 200],
        ],
      );
      const [callFlow, , , , gather, , destroyed] = report.exchanges;
      expect(callFlow?.body).toContain('<Answer/>');
      expect(callFlow?.body).toMatch(
        new RegExp(`<Gather [^>]*url="${baseUrl}/opentact\\?menu=private"`),
      );
      expect(gather?.body).toContain('<Dial><To>private@sip.opentact.org</To></Dial>');
      expect(destroyed?.body).toContain('<Response/>');
      const log = await logMatching(/opentact call_state .* state=destroyed cause=NORMAL_CLEARING/);
      expect(log).toMatch(/opentact call_flow_request call=- from=\+14158531285 to=18382050010/);
      expect(log).toMatch(/opentact gather .* digits=\*\*\*\*/);
    },
  );

  test('a wrong PIN hears goodbye', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'opentact',
      `${baseUrl}/opentact`,
      '--digits',
      '0000',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('<Say>Sorry, that PIN is not valid. Goodbye.</Say><Hangup/>');
    expect(stdout).toContain('✓ 7 requests, every answer 2xx');
  });
});
