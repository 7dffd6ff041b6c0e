/**
 * The /telnyx and /signalwire mounts of the built example server (what `npm start` runs),
 * played with the built `callcontrol simulate telnyx|signalwire`: the menu in a Gather, 1 to
 * sales, 2 to support, anything else the menu once more and then goodbye. /telnyx is verified
 * with TELNYX_PUBLIC_KEY (a throwaway Ed25519 key pair made here), and a request with a stale
 * telnyx-timestamp gets a coded 403 whose log line says why (docs/providers/telnyx.md §3);
 * /signalwire is verified with SIGNALWIRE_SIGNING_KEY over SIGNALWIRE_PUBLIC_URL
 * (docs/providers/signalwire.md §3.1); in production without its variable, a mount is not served.
 */
import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = resolve(ROOT, 'dist/examples/server.js');
const CLI = resolve(ROOT, 'dist/src/cli/index.js');
const SIGNING_KEY = 'PSK_E2eKeyNotReal00000000000';
const keys = generateKeyPairSync('ed25519');
const PUBLIC_KEY = keys.publicKey
  .export({ format: 'der', type: 'spki' })
  .subarray(12)
  .toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'callcontrol-e2e-telnyx-'));
const KEY_FILE = join(dir, 'test-key-not-real.pem');
writeFileSync(KEY_FILE, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }));

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
  const built = existsSync(SERVER) && readFileSync(SERVER, 'utf8').includes('createSignalwireDemo');
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
  rmSync(dir, { recursive: true, force: true });
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  }
});

const events = (stdout: string): Array<[string, number]> =>
  (JSON.parse(stdout) as Report).exchanges.map((e) => [e.request.event, e.status]);

describe('the Telnyx menu at /telnyx', () => {
  let server: Started;
  beforeAll(async () => {
    server = await startServer({
      NODE_ENV: 'production',
      TELNYX_PUBLIC_KEY: PUBLIC_KEY,
      TELNYX_SALES: '+15550001111',
      TELNYX_SUPPORT: '+15550003333,+15550004444',
      SIGNALWIRE_SIGNING_KEY: SIGNING_KEY,
      SIGNALWIRE_SALES: '+15550005555',
      SIGNALWIRE_SUPPORT: '+15550006666',
    });
  });

  test('the startup line says both mounts need a signature, and never prints a key', () => {
    expect(server.output()).toMatch(/\/telnyx \(signature required\)/);
    expect(server.output()).toMatch(/\/signalwire \(signature required\)/);
    expect(server.output()).not.toContain(SIGNING_KEY);
  });

  test('key 2 is dialled to the support numbers, every request signed and accepted', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'telnyx',
      `${server.url}/telnyx`,
      '--private-key',
      KEY_FILE,
      '--digits',
      '2',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(events(stdout)).toEqual([
      ['voice', 200],
      ['gather', 200],
      ['status-callback', 200],
    ]);
    const dial = (JSON.parse(stdout) as Report).exchanges[1]?.body ?? '';
    expect(dial).toContain('<Number>+15550003333</Number><Number>+15550004444</Number>');
  });

  test('another key: the menu once more, then goodbye', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'telnyx',
      `${server.url}/telnyx`,
      '--private-key',
      KEY_FILE,
      '--digits',
      '7',
      '8',
      '--json',
    ]);
    expect(code).toBe(0);
    const exchanges = (JSON.parse(stdout) as Report).exchanges;
    expect(exchanges.map((e) => e.request.event)).toEqual([
      'voice',
      'gather',
      'gather',
      'status-callback',
    ]);
    expect(exchanges[2]?.body).toContain('<Say>Goodbye.</Say><Hangup/>');
  });

  test('a stale telnyx-timestamp gets a coded 403 whose log line says why', async () => {
    const body = 'AccountSid=a&CallSid=v3%3Astale&From=%2B15550000001&To=%2B15550000002';
    const timestamp = String(Math.floor(Date.now() / 1000) - 400);
    const signature = sign(null, Buffer.from(`${timestamp}|${body}`), keys.privateKey).toString(
      'base64',
    );
    const res = await fetch(`${server.url}/telnyx`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': signature,
      },
      body,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('CC_ERR_SIGNATURE_INVALID');
    const output = await eventually(server.output, /Stale telnyx-timestamp/);
    expect(output).toMatch(
      /provider=telnyx .*status=403 code=CC_ERR_SIGNATURE_INVALID message="Stale telnyx-timestamp: signed 40\d s ago, more than the 300 s allowed/,
    );
    expect(output).not.toContain(signature);
  });

  test('SignalWire: key 1 is dialled to the sales number', async () => {
    const { code, stdout } = await runCommand([
      'simulate',
      'signalwire',
      `${server.url}/signalwire`,
      '--signing-key',
      SIGNING_KEY,
      '--digits',
      '1',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(events(stdout)).toEqual([
      ['voice', 200],
      ['gather', 200],
      ['status-callback', 200],
    ]);
    expect((JSON.parse(stdout) as Report).exchanges[1]?.body).toContain(
      '<Number>+15550005555</Number>',
    );
  });
});

describe('SIGNALWIRE_PUBLIC_URL and production rules', () => {
  test('signed for the local URL while SIGNALWIRE_PUBLIC_URL names another: 403 naming the URL checked', async () => {
    const server = await startServer({
      NODE_ENV: 'production',
      SIGNALWIRE_SIGNING_KEY: SIGNING_KEY,
      SIGNALWIRE_PUBLIC_URL: 'https://voice.example.com',
    });
    const { code, stdout } = await runCommand([
      'simulate',
      'signalwire',
      `${server.url}/signalwire`,
      '--signing-key',
      SIGNING_KEY,
      '--json',
    ]);
    expect(code).toBe(1);
    expect(events(stdout)[0]).toEqual(['voice', 403]);
    const output = await eventually(server.output, /URL checked/);
    expect(output).toContain('URL checked: https://voice.example.com/signalwire');
    expect(output).not.toContain(SIGNING_KEY);
    // Without TELNYX_PUBLIC_KEY in production, /telnyx is off and the output names the variable.
    expect(output).toMatch(/\/telnyx is not served \(404\): TELNYX_PUBLIC_KEY is not set/);
    expect((await fetch(`${server.url}/telnyx`, { method: 'POST' })).status).toBe(404);
  });
});
