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
import { createHmac } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = resolve(ROOT, 'dist/examples/server.js');
const CLI = resolve(ROOT, 'dist/src/cli/index.js');
const SECRET = 'e2e-secret-not-real';

let server: ChildProcessWithoutNullStreams;
let baseUrl: string;
let serverLog = '';

/** The credential variables of the example server, none inherited from the test's environment. */
const CREDENTIAL_VARIABLES = ['PLACETEL_SECRET', 'OZEKI_TOKEN', 'VOIPNOW_TOKEN', 'OPENTACT_TOKEN'];

/**
 * The environment of a spawned server: this process's without credentials and without
 * `REDIS_URL` (a new user's: memory store), plus `env`.
 */
function serverEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1' };
  for (const name of [...CREDENTIAL_VARIABLES, 'REDIS_URL']) Reflect.deleteProperty(result, name);
  return Object.assign(result, env);
}

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  /** stdout and stderr so far (read it again later: it keeps growing). */
  output(): string;
}

const extraServers: ChildProcessWithoutNullStreams[] = [];

/** Spawns the built example server with `env`; resolves with its origin once it listens. */
function startServer(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [SERVER], { env: serverEnv(env) });
  extraServers.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolveStarted, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const check = (): void => {
      // The startup output is one write: wait for its last line.
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)[^\n]*\n(?:[^\n]*\n)*/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolveStarted({ child, url: match[1] as string, output: () => output });
    };
    child.stdout.on('data', check);
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${String(code)}:\n${output}`)),
    );
  });
}

/** Runs the built example server with `env` until it exits by itself. */
function runServerToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [SERVER], { env: serverEnv(env) });
  extraServers.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolveExit, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not exit:\n${output}`)), 20_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveExit({ code, output });
    });
  });
}

/** A signed (or, with `signature`, wrongly signed) Placetel IncomingCall, sent with fetch. */
async function postIncoming(url: string, secret: string, signature?: string) {
  const body = 'call_id=e2e0001&event=IncomingCall&from=017312345678&to=022129191999';
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-placetel-signature': signature ?? createHmac('sha256', secret).update(body).digest('hex'),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

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
    // Not production: the providers without a credential are served, with a warning.
    env: serverEnv({
      NODE_ENV: 'development',
      PLACETEL_SECRET: SECRET,
      FORWARD_TO: '022129191999,7777abcdefg@fpbx.de',
    }),
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
  for (const child of [server, ...extraServers]) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
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

test('an anonymous caller is rejected as busy: no CallAccepted, HungUp busy', async () => {
  const { code, stdout } = await runCommand([
    'simulate',
    'placetel',
    `${baseUrl}/placetel`,
    '--secret',
    SECRET,
    '--from',
    'anonymous',
  ]);
  expect(code).toBe(0);
  // The caller's side: rejected at once, busy, no CallAccepted.
  expect(stdout).toContain('call from anonymous to 022129191999');
  expect(stdout).toMatch(/call ended: busy, 0 s \(HungUp type=busy\)/);
  expect(stdout).not.toContain('CallAccepted');
  const log = await logMatching(/placetel call \w+ ended \(busy, 0s\), rejected busy/);
  expect(log).toMatch(/placetel HungUp .* type=busy duration=0s/);
});

test('unsigned requests are refused with 403 when PLACETEL_SECRET is set', async () => {
  const { code, stdout } = await runCommand(['simulate', 'placetel', `${baseUrl}/placetel`]);
  expect(code).toBe(1);
  expect(stdout).toContain('→ 403');
  expect(stdout).toContain('CC_ERR_SIGNATURE_MISSING');
});

test('a wrongly signed request: one log line naming CC_ERR_SIGNATURE_INVALID, no signature', async () => {
  const signature = createHmac('sha256', 'not-the-secret').update('x').digest('hex');
  const before = serverLog.length;
  const reply = await postIncoming(`${baseUrl}/placetel`, SECRET, signature);
  expect(reply.status).toBe(403);
  expect(reply.body).toContain('CC_ERR_SIGNATURE_INVALID');
  await logMatching(/CC_ERR_SIGNATURE_INVALID/);
  // Give a second line (if any) the time to arrive.
  await new Promise((wait) => setTimeout(wait, 200));
  const lines = serverLog.slice(before).split('\n');
  expect(lines.filter((line) => line.includes('CC_ERR_SIGNATURE_INVALID'))).toEqual([
    'placetel error CC_ERR_SIGNATURE_INVALID (403) call=-: The X-PLACETEL-SIGNATURE does not ' +
      'match the body under any configured secret',
  ]);
  expect(serverLog).not.toContain(signature);
  expect(serverLog).not.toContain(SECRET);
});

test('the startup output: how each path is checked, a warning for each one without', () => {
  const UNAUTHENTICATED = [
    ['/ozeki', 'OZEKI_TOKEN'],
    ['/voipnow', 'VOIPNOW_TOKEN'],
    ['/opentact', 'OPENTACT_TOKEN'],
    ['/telnyx', 'TELNYX_PUBLIC_KEY'],
    ['/signalwire', 'SIGNALWIRE_SIGNING_KEY'],
    ['/twilio', 'TWILIO_AUTH_TOKEN'],
  ] as const;
  const startup = serverLog.split('\n').slice(0, 1 + UNAUTHENTICATED.length);
  expect(startup[0]).toMatch(
    /^callcontrol example listening on http:\/\/127\.0\.0\.1:\d+\/placetel \(signature required\), \/ozeki \(NO AUTHENTICATION\), \/voipnow \(NO AUTHENTICATION\), \/opentact \(NO AUTHENTICATION\), \/sipgate \(signature required\), \/telnyx \(NO AUTHENTICATION\), \/signalwire \(NO AUTHENTICATION\) and \/twilio \(NO AUTHENTICATION\); store: memory$/,
  );
  for (const [path, variable] of UNAUTHENTICATED) {
    const warning = new RegExp(
      `^warning: ${path} accepts requests without authentication: ${variable} is not set\\. ` +
        `Set ${variable} .*with NODE_ENV=production ${path} is not served without it$`,
    );
    expect({ path, warned: startup.slice(1).some((line) => warning.test(line)) }).toEqual({
      path,
      warned: true,
    });
  }
  expect(serverLog).not.toContain(SECRET);
});

describe('NODE_ENV=production', () => {
  const OZEKI_TOKEN = 'e2e-ozeki-token-not-a-secret-01';

  test('PLACETEL_SECRET= (empty): /placetel is not served (404), the output says what turns it on', async () => {
    const started = await startServer({
      NODE_ENV: 'production',
      PLACETEL_SECRET: '',
      OZEKI_TOKEN,
    });
    // Signed with the empty secret, and unsigned: no routing answer either way.
    const signedEmpty = await postIncoming(`${started.url}/placetel`, '');
    expect(signedEmpty.status).toBe(404);
    expect(signedEmpty.body).not.toContain('<Response');
    const unsigned = await fetch(`${started.url}/placetel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'call_id=e2e0002&event=IncomingCall&from=1&to=2',
    });
    expect(unsigned.status).toBe(404);
    // Ozeki has its token: served, and only with it.
    const ozekiBody = 'NotificationName=IncomingCall&CallId=e2e&Caller=1000&Callee=9994';
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const withToken = await fetch(`${started.url}/ozeki?token=${OZEKI_TOKEN}`, {
      method: 'POST',
      headers: form,
      body: ozekiBody,
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('<UserInput');
    const withoutToken = await fetch(`${started.url}/ozeki`, {
      method: 'POST',
      headers: form,
      body: ozekiBody,
    });
    expect(withoutToken.status).toBe(403);
    // VoipNow and Opentact have no token: not served.
    expect((await fetch(`${started.url}/voipnow?CallID=a1&CallAPIID=1%3Aa1`)).status).toBe(404);
    expect((await fetch(`${started.url}/opentact?from=1&to=2`)).status).toBe(404);

    const output = started.output();
    expect(output).toMatch(
      /^callcontrol example listening on http:\/\/127\.0\.0\.1:\d+\/ozeki \(token required\) and \/sipgate \(signature required\); store: memory\n/,
    );
    expect(output).toContain(
      '/placetel is not served (404): PLACETEL_SECRET is empty and NODE_ENV is production. ' +
        'Set PLACETEL_SECRET to serve it',
    );
    expect(output).toContain(
      '/voipnow is not served (404): VOIPNOW_TOKEN is not set and NODE_ENV is production. ' +
        'Set VOIPNOW_TOKEN to serve it',
    );
    expect(output).toContain('Set OPENTACT_TOKEN to serve it');
    expect(output).not.toContain('warning:');
    expect(output).not.toContain(OZEKI_TOKEN);
  });

  test('with every credential set, every provider is served and checked', async () => {
    const started = await startServer({
      NODE_ENV: 'production',
      PLACETEL_SECRET: SECRET,
      OZEKI_TOKEN,
      VOIPNOW_TOKEN: 'e2e-voipnow-token-not-a-secret',
      OPENTACT_TOKEN: 'e2e-opentact-token-not-a-secret',
    });
    expect(started.output().split('\n')[0]).toMatch(
      /\/placetel \(signature required\), \/ozeki \(token required\), \/voipnow \(token required\), \/opentact \(token required\) and \/sipgate \(signature required\); store: memory$/,
    );
    const signed = await postIncoming(`${started.url}/placetel`, SECRET);
    expect(signed.status).toBe(200);
    expect(signed.body).toContain('<Forward>');
    expect((await postIncoming(`${started.url}/placetel`, 'another-secret')).status).toBe(403);
    for (const secret of [SECRET, OZEKI_TOKEN, 'e2e-voipnow-token', 'e2e-opentact-token']) {
      expect(started.output()).not.toContain(secret);
    }
  });
});

test.each([
  ['OZEKI_TOKEN', 'tooShortValue1'],
  ['VOIPNOW_TOKEN', 'has spaces but is long enough'],
  ['OPENTACT_TOKEN', 'short-opentact'],
])(
  '%s the library refuses: one line naming the variable and the rule, exit code 1',
  async (variable, value) => {
    const { code, output } = await runServerToExit({ NODE_ENV: 'development', [variable]: value });
    expect(code).toBe(1);
    expect(output).toBe(
      `callcontrol example: ${variable} is not usable: every token must be 16 to 512 characters ` +
        "of A-Z a-z 0-9 . _ ~ - (e.g. crypto.randomBytes(24).toString('base64url'))\n",
    );
    expect(output).not.toContain(value);
  },
);

test.each([
  ['TWILIO_PUBLIC_URL', { TWILIO_AUTH_TOKEN: 'fake-twilio-token-not-real' }],
  ['SIGNALWIRE_PUBLIC_URL', { SIGNALWIRE_SIGNING_KEY: 'PSKfake-signing-key-not-real' }],
])('%s that is not an http(s) URL: one line naming it, exit code 1', async (variable, env) => {
  const { code, output } = await runServerToExit({
    NODE_ENV: 'development',
    ...env,
    [variable]: 'ftp://voice.example.test',
  });
  expect(code).toBe(1);
  expect(output).toBe(
    `callcontrol example: ${variable} is not usable: give an http: or https: URL, not ftp:\n`,
  );
});

describe('the Ozeki IVR at /ozeki', () => {
  test('a menu for the IncomingCall, a transfer for the right PIN', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'ozeki',
      `${baseUrl}/ozeki`,
      '--digits',
      '2',
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
      '2',
      '9999',
      '9998',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /hears: That PIN is not valid\. Please try once more\.\n(.*\n)*.*hears: Sorry, that PIN is not valid\. Goodbye\./,
    );
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
      '--verbose',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('<PlaySound>invalid-subscription</PlaySound><Hangup/>');
    expect(stdout).toContain('hears: sound invalid-subscription');
    expect(stdout).toMatch(/call ended: completed, 4 s \(Hangup CallStatus=ANSWER\)/);
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
        '0',
        '1234',
        '--json',
      ]);
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as {
        exchanges: { status: number; body: string; url: string; request: { event: string } }[];
      };
      expect(report.exchanges.map((exchange) => [exchange.request.event, exchange.status])).toEqual(
        [
          ['call_flow_request', 200],
          ['call_state:init', 200],
          ['call_flow:Answer', 200],
          ['call_state:live', 200],
          ['gather', 200],
          // The private line's dialled leg: live when it answers, hangup after the talk.
          ['call_state:live', 200],
          ['call_state:hangup', 200],
          ['call_state:hangup', 200],
          ['call_state:destroyed', 200],
        ],
      );
      const [callFlow, , , , gather] = report.exchanges;
      const destroyed = report.exchanges.at(-1);
      expect(callFlow?.body).toContain('<Answer/>');
      expect(callFlow?.body).toMatch(
        new RegExp(`<Gather [^>]*url="${baseUrl}/opentact\\?menu=private"`),
      );
      expect(gather?.url).toContain('menu=private');
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
      '0',
      '0000',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('hears: Sorry, that PIN is not valid. Goodbye.');
    expect(stdout).toContain('✓ 7 requests, every answer 2xx');
  });
});
