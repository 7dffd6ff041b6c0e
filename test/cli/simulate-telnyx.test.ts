/**
 * `callcontrol simulate telnyx` against the example server's `/telnyx` (examples/telnyx/app.ts):
 * a whole TeXML call that follows the menu's Gather actions with scripted digits, every request
 * signed with a throwaway Ed25519 key whose public half is TELNYX_PUBLIC_KEY; unsigned, wrongly
 * signed and stale requests get a coded 403 whose log line says why (docs/providers/telnyx.md §3).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createExampleApp } from '../../examples/server';
import { runCli, type CliIo } from '../../src/cli';
import { telnyxCallScenario, signTelnyxTestRequest } from '../../src/providers/telnyx/simulate';
import { telnyxPublicKeyBase64 } from '../../src/providers/telnyx/verify';
import { canonicalXml } from '../helpers/xml';

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
  exchanges: { status: number; body: string; request: { event: string; path?: string } }[];
}

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const dir = mkdtempSync(join(tmpdir(), 'callcontrol-telnyx-'));
const keyFile = join(dir, 'test-key-not-real.pem');
const otherFile = join(dir, 'other-key-not-real.pem');
writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(otherFile, other.privateKey.export({ type: 'pkcs8', format: 'pem' }));

const lines: string[] = [];
let server: Server;
let base: string;
const saved = { sales: process.env['TELNYX_SALES'], support: process.env['TELNYX_SUPPORT'] };

beforeAll(async () => {
  process.env['TELNYX_SALES'] = '+15550000001';
  process.env['TELNYX_SUPPORT'] = '+15550000002,+15550000003';
  const app = createExampleApp({
    telnyxPublicKey: telnyxPublicKeyBase64(keys.publicKey),
    production: true,
    log: (line) => lines.push(line),
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  if (saved.sales === undefined) delete process.env['TELNYX_SALES'];
  else process.env['TELNYX_SALES'] = saved.sales;
  if (saved.support === undefined) delete process.env['TELNYX_SUPPORT'];
  else process.env['TELNYX_SUPPORT'] = saved.support;
});

beforeEach(() => {
  lines.length = 0;
});

async function simulate(...args: string[]): Promise<{ code: number; report: Report; err: string }> {
  const io = capture();
  const code = await runCli(['simulate', 'telnyx', `${base}/telnyx`, ...args, '--json'], io);
  return { code, report: JSON.parse(io.out) as Report, err: io.err };
}

describe('callcontrol simulate telnyx against the example server', () => {
  test('key 2 is dialled to TELNYX_SUPPORT, both numbers at once', async () => {
    const { code, report, err } = await simulate('--private-key', keyFile, '--digits', '2');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, provider: 'telnyx' });
    expect(report.exchanges.map((e) => [e.request.event, e.status])).toEqual([
      ['voice', 200],
      ['gather', 200],
      ['status-callback', 200],
    ]);
    expect(report.exchanges[1]?.request.path).toBe('/actions/menu');
    expect(canonicalXml(report.exchanges[1]?.body ?? '')).toEqual(
      canonicalXml(
        '<Response><Dial><Number>+15550000002</Number><Number>+15550000003</Number></Dial></Response>',
      ),
    );
    expect(lines.some((line) => line.includes('digits=2'))).toBe(true);
  });

  test('key 1 is dialled to TELNYX_SALES', async () => {
    const { code, report } = await simulate('--private-key', keyFile, '--digits', '1');
    expect(code).toBe(0);
    expect(report.exchanges[1]?.body).toContain('<Number>+15550000001</Number>');
  });

  test('another key hears the menu once more, then is hung up', async () => {
    const { code, report } = await simulate('--private-key', keyFile, '--digits', '9', '7');
    expect(code).toBe(0);
    expect(report.exchanges.map((e) => e.request.event)).toEqual([
      'voice',
      'gather',
      'gather',
      'status-callback',
    ]);
    expect(report.exchanges[1]?.body).toContain('<Gather');
    expect(report.exchanges[2]?.body).toContain('<Hangup/>');
  });

  test('no key at all: the redirect counts as another key, then hang up', async () => {
    const { code, report } = await simulate('--private-key', keyFile);
    expect(code).toBe(0);
    expect(report.exchanges.map((e) => e.request.event)).toEqual([
      'voice',
      'voice',
      'voice',
      'status-callback',
    ]);
    expect(report.exchanges[2]?.body).toContain('<Hangup/>');
  });

  test('unsigned or signed with another key: 403, exit 1', async () => {
    const unsigned = await simulate();
    expect(unsigned.code).toBe(1);
    expect(unsigned.report.exchanges.map((e) => e.status)).toEqual([403, 403]);
    const wrong = await simulate('--private-key', otherFile);
    expect(wrong.code).toBe(1);
    expect(wrong.report.exchanges[0]?.status).toBe(403);
    expect(wrong.report.exchanges[0]?.body).toContain('CC_ERR_SIGNATURE_INVALID');
  });

  test('--secret is a usage error that points to --private-key', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'telnyx', `${base}/telnyx`, '--secret', 'x'], io);
    expect(code).toBe(2);
    expect(io.err).toMatch(/--private-key/);
  });
});

describe('a stale telnyx-timestamp at the example server', () => {
  test('gets a coded 403 whose log line says why, without the signature', async () => {
    const [voice] = telnyxCallScenario();
    const stale = signTelnyxTestRequest(
      voice as NonNullable<typeof voice>,
      keys.privateKey,
      Math.floor(Date.now() / 1000) - 301,
    );
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    let res: request.Response;
    try {
      let test = request(server).post('/telnyx');
      for (const [name, value] of Object.entries(stale.headers)) test = test.set(name, value);
      res = await test.send(stale.body);
    } finally {
      spy.mockRestore();
    }
    expect(res.status).toBe(403);
    expect(res.text).toContain('CC_ERR_SIGNATURE_INVALID');
    const line = written.join('');
    expect(line).toMatch(/provider=telnyx .*status=403 code=CC_ERR_SIGNATURE_INVALID/);
    expect(line).toMatch(/Stale telnyx-timestamp: signed 30\d s ago, more than the 300 s allowed/);
    expect(line).not.toContain(stale.headers['telnyx-signature-ed25519'] as string);
  });
});
