/**
 * The /flow/<provider> mounts of the built example server (what `npm start` runs), played with
 * the built `callcontrol simulate`: the same call-log flow on every provider that can express it
 * (the startup output names the others and why); a caller in FLOW_BLOCKED — given nationally,
 * matched as given and as E.164 — is rejected as busy, any other caller forwarded to
 * FLOW_FORWARD_TO with 20 s ring time; GET /flow/calls returns the neutral records, newest
 * first; authentication is that of the provider's own mount, with the same variables.
 */
import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = resolve(ROOT, 'dist/examples/server.js');
const CLI = resolve(ROOT, 'dist/src/cli/index.js');
const SECRET = 'e2e-flow-secret-not-real';
const TOKEN = 'e2e-flow-auth-token-not-real';

const children: ChildProcessWithoutNullStreams[] = [];

interface Started {
  readonly url: string;
  output(): string;
}

/** Spawns the built example server with `env` (no credential inherited); resolves once it listens. */
function startServer(env: Record<string, string>): Promise<Started> {
  const base: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1' };
  for (const name of Object.keys(base)) {
    if (/_(SECRET|TOKEN|KEY|PUBLIC_URL)$/.test(name) || /^(REDIS_URL|FLOW_)/.test(name)) {
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
      // The startup output is one write: wait for the flow lines.
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*call-log flow at/.exec(output);
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

interface Report {
  exchanges: { status: number; body: string; request: { event: string } }[];
}

function simulate(args: string[]): Promise<Report> {
  return new Promise((done, reject) => {
    execFile(
      process.execPath,
      [CLI, 'simulate', ...args, '--json'],
      { encoding: 'utf8', timeout: 20_000 },
      (error, stdout) => {
        try {
          done(JSON.parse(stdout) as Report);
        } catch {
          reject(error ?? new Error(stdout));
        }
      },
    );
  });
}

beforeAll(() => {
  const built = existsSync(SERVER) && readFileSync(SERVER, 'utf8').includes('createFlowDemo');
  if (!built || !existsSync(CLI)) {
    try {
      execFileSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        { cwd: ROOT, stdio: 'ignore' },
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

describe('the call-log flow at /flow/<provider>', () => {
  let server: Started;
  beforeAll(async () => {
    server = await startServer({
      NODE_ENV: 'development',
      PLACETEL_SECRET: SECRET,
      TWILIO_AUTH_TOKEN: TOKEN,
      FLOW_BLOCKED: '017312345678, +4930123456',
      FLOW_FORWARD_TO: '+4922129191999,+4922129191998',
    });
  }, 30_000);

  test('the startup output names the flow mounts, and each provider that cannot, with why', () => {
    const output = server.output();
    expect(output).toMatch(/call-log flow at \/flow\/placetel, [^\n]*\/flow\/twilio/);
    expect(output).toContain('GET /flow/calls');
    expect(output).toMatch(/\/flow\/voipnow is not served: voipnow cannot express forward: .+§/);
    expect(output).toMatch(/\/flow\/opentact is not served: opentact cannot express reject: .+/);
  });

  test('Placetel: a blocked caller (national, as given) is rejected as busy', async () => {
    const report = await simulate([
      'placetel',
      `${server.url}/flow/placetel`,
      '--secret',
      SECRET,
      '--from',
      '017312345678',
      '--hangup-cause',
      'busy',
    ]);
    expect(report.exchanges[0]?.status).toBe(200);
    expect(report.exchanges[0]?.body).toContain('<Reject reason="busy"/>');
  });

  test('Placetel: another caller is forwarded to FLOW_FORWARD_TO with 20 s ring time', async () => {
    const report = await simulate([
      'placetel',
      `${server.url}/flow/placetel`,
      '--secret',
      SECRET,
      '--from',
      '015112345678',
      '--duration',
      '42',
    ]);
    expect(report.exchanges.map((exchange) => exchange.status)).toEqual([200, 200, 200]);
    expect(report.exchanges[0]?.body).toContain(
      '<Forward><Target ringtime="20"><Number>+4922129191999</Number><Number>+4922129191998</Number></Target></Forward>',
    );
  });

  test('Twilio: the blocked caller in E.164 is rejected as busy; others are dialled for 20 s', async () => {
    const blocked = await simulate([
      'twilio',
      `${server.url}/flow/twilio`,
      '--auth-token',
      TOKEN,
      '--from',
      '+4917312345678',
    ]);
    expect(blocked.exchanges[0]?.status).toBe(200);
    expect(blocked.exchanges[0]?.body).toContain('<Reject reason="busy"/>');
    const other = await simulate([
      'twilio',
      `${server.url}/flow/twilio`,
      '--auth-token',
      TOKEN,
      '--from',
      '+4915112345678',
    ]);
    expect(other.exchanges[0]?.body).toMatch(
      /<Dial [^>]*timeout="20"[^>]*><Number>\+4922129191999<\/Number><Number>\+4922129191998<\/Number><\/Dial>/,
    );
  });

  test('authentication is that of the provider mount: unsigned or wrongly signed is refused', async () => {
    const unsigned = await fetch(`${server.url}/flow/placetel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'call_id=abc&event=IncomingCall&from=017312345678&to=022129191999',
    });
    expect(unsigned.status).toBe(403);
    const wrong = await simulate([
      'twilio',
      `${server.url}/flow/twilio`,
      '--auth-token',
      'another-token',
    ]);
    expect(wrong.exchanges[0]?.status).toBe(403);
  });

  test('GET /flow/calls: the neutral records, newest first', async () => {
    const response = await fetch(`${server.url}/flow/calls`);
    expect(response.status).toBe(200);
    const calls = (await response.json()) as Record<string, unknown>[];
    expect(calls.length).toBeGreaterThanOrEqual(4);
    const [newest] = calls;
    expect(newest).toMatchObject({
      provider: 'twilio',
      from: { raw: '+4915112345678', e164: '+4915112345678' },
      direction: expect.any(String),
      answered: expect.any(Boolean),
      cause: expect.any(String),
    });
    const placetelForwarded = calls.find(
      (call) => call['provider'] === 'placetel' && call['durationSeconds'] === 42,
    );
    expect(placetelForwarded).toMatchObject({
      from: { raw: '015112345678', e164: '+4915112345678' },
      to: { raw: '022129191999', e164: '+4922129191999' },
      direction: 'inbound',
      answered: true,
      cause: 'completed',
      providerCause: 'accepted',
    });
    const placetelBlocked = calls.find(
      (call) => call['provider'] === 'placetel' && call['providerCause'] === 'busy',
    );
    expect(placetelBlocked).toMatchObject({ answered: false, cause: 'busy' });
    expect(typeof (calls[0] as { callId?: unknown }).callId).toBe('string');
  });
});

describe('in production', () => {
  test('/flow/<provider> is not served without the provider credential', async () => {
    const server = await startServer({ NODE_ENV: 'production', TWILIO_AUTH_TOKEN: TOKEN });
    const response = await fetch(`${server.url}/flow/placetel`, { method: 'POST', body: '' });
    expect(response.status).toBe(404);
    expect(server.output()).toMatch(/call-log flow at [^\n]*\/flow\/twilio/);
    expect(server.output()).not.toMatch(/call-log flow at [^\n]*\/flow\/placetel/);
  }, 30_000);
});
