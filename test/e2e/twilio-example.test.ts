/**
 * The /twilio mount of the built example server (what `npm start` runs), played with the
 * built `callcontrol simulate twilio`: the menu in a Gather, 1 to sales, 2 to support, anything
 * else the menu once more and then goodbye; requests signed with TWILIO_AUTH_TOKEN for the URL
 * TWILIO_PUBLIC_URL names, a request signed for another URL refused with a log line that says
 * which URL was checked; in production without the token, /twilio is not served.
 */
import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import twilioNode from 'twilio';

const ROOT = resolve(__dirname, '../..');
const SERVER = resolve(ROOT, 'dist/examples/server.js');
const CLI = resolve(ROOT, 'dist/src/cli/index.js');
const TOKEN = 'e2e-auth-token-not-real';

const children: ChildProcessWithoutNullStreams[] = [];

interface Started {
  readonly url: string;
  output(): string;
}

/** Spawns the built example server with `env` (no credential inherited); resolves once it listens. */
function startServer(env: Record<string, string>): Promise<Started> {
  const base: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1' };
  for (const name of Object.keys(base)) {
    if (/_(SECRET|TOKEN|KEY|PUBLIC_URL)$/.test(name) || name === 'REDIS_URL') {
      Reflect.deleteProperty(base, name);
    }
  }
  const child = spawn(process.execPath, [SERVER], { env: { ...base, ...env } });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const check = (): void => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      done({ url: match[1] as string, output: () => output });
    };
    child.stdout.on('data', check);
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${String(code)}:\n${output}`)),
    );
  });
}

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

async function eventually(read: () => string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200 && !pattern.test(read()); i++) {
    await new Promise((wait) => setTimeout(wait, 25));
  }
  return read();
}

interface Report {
  exchanges: { status: number; body: string; request: { event: string } }[];
}

beforeAll(() => {
  const built = existsSync(SERVER) && readFileSync(SERVER, 'utf8').includes('createTwilioDemo');
  if (!built || !existsSync(CLI)) {
    try {
      execFileSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        {
          cwd: ROOT,
          stdio: 'ignore',
        },
      );
    } catch {
      // Emitted even with type errors elsewhere; the tests below fail if the build is missing.
    }
  }
}, 120_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  }
});

describe('the Twilio menu at /twilio', () => {
  let server: Started;
  beforeAll(async () => {
    server = await startServer({
      NODE_ENV: 'development',
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_SALES: '+15550001111,+15550002222',
      TWILIO_SUPPORT: '+15550003333',
    });
  });

  test('key 1 is dialled to the sales numbers, every request signed and accepted', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'twilio',
      `${server.url}/twilio`,
      '--auth-token',
      TOKEN,
      '--digits',
      '1',
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.exchanges.map((e) => [e.request.event, e.status])).toEqual([
      ['voice', 200],
      ['gather', 200],
      ['status-callback', 200],
    ]);
    expect(report.exchanges[0]?.body).toMatch(
      new RegExp(`<Gather [^>]*action="${server.url}/twilio/actions/menu\\?attempt=1"`),
    );
    expect(report.exchanges[1]?.body).toContain(
      '<Dial><Number>+15550001111</Number><Number>+15550002222</Number></Dial>',
    );
    expect(server.output()).toContain('/twilio (signature required)');
  });

  test('key 2 goes to support; another key hears the menu once more, then goodbye', async () => {
    const support = await runCommand([
      'simulate',
      'twilio',
      `${server.url}/twilio`,
      '--auth-token',
      TOKEN,
      '--digits',
      '2',
      '--json',
    ]);
    expect((JSON.parse(support.stdout) as Report).exchanges[1]?.body).toContain(
      '<Number>+15550003333</Number>',
    );
    const { code, stdout } = await runCommand([
      'simulate',
      'twilio',
      `${server.url}/twilio`,
      '--auth-token',
      TOKEN,
      '--digits',
      '9',
      '7',
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.exchanges.map((e) => e.request.event)).toEqual([
      'voice',
      'gather',
      'gather',
      'status-callback',
    ]);
    expect(report.exchanges[1]?.body).toContain('attempt=2');
    expect(report.exchanges[2]?.body).toContain('<Hangup/>');
  });

  test('a wrong auth token: 403, and the log line says why without the token', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'twilio',
      `${server.url}/twilio`,
      '--auth-token',
      'another-token',
      '--json',
    ]);
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as Report).exchanges[0]?.status).toBe(403);
    const log = await eventually(server.output, /CC_ERR_SIGNATURE_INVALID/);
    expect(log).toMatch(
      /CC_ERR_SIGNATURE_INVALID.*URL checked: http:\/\/127\.0\.0\.1:\d+\/twilio\//,
    );
    expect(log).not.toContain('another-token');
    expect(log).not.toContain(TOKEN);
  });
});

describe('TWILIO_PUBLIC_URL', () => {
  test('requests are verified against <TWILIO_PUBLIC_URL>/twilio; one signed for the local URL is refused, saying which URL was checked', async () => {
    const server = await startServer({
      NODE_ENV: 'development',
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_PUBLIC_URL: 'https://voice.example.com',
    });
    const local = await runCommand([
      'simulate',
      'twilio',
      `${server.url}/twilio`,
      '--auth-token',
      TOKEN,
      '--json',
    ]);
    expect(local.code).toBe(1);
    expect((JSON.parse(local.stdout) as Report).exchanges[0]?.status).toBe(403);
    const log = await eventually(server.output, /URL checked/);
    expect(log).toContain('URL checked: https://voice.example.com/twilio/');

    const params = { CallSid: 'CA0123456789abcdef0123456789abcdef', From: '+15550001111' };
    const response = await fetch(`${server.url}/twilio`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioNode.getExpectedTwilioSignature(
          TOKEN,
          'https://voice.example.com/twilio',
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      'action="https://voice.example.com/twilio/actions/menu?attempt=1"',
    );
  });

  test('in production without TWILIO_AUTH_TOKEN, /twilio is not served and the output says what turns it on', async () => {
    const server = await startServer({ NODE_ENV: 'production' });
    const response = await fetch(`${server.url}/twilio`, { method: 'POST', body: 'CallSid=CA1' });
    expect(response.status).toBe(404);
    await response.arrayBuffer();
    expect(server.output()).toMatch(/\/twilio[^\n]*TWILIO_AUTH_TOKEN/);
  });
});
