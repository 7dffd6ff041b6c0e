/**
 * `callcontrol simulate signalwire` against the example server's `/signalwire`
 * (examples/signalwire/app.ts): a whole cXML call that follows the menu's Gather actions, every
 * request signed with SIGNALWIRE_SIGNING_KEY for the URL it is sent to; a request signed for
 * another URL or with another key gets a coded 403 naming the URL checked
 * (docs/providers/signalwire.md §3.1). SIGNALWIRE_PUBLIC_URL names the URL the requests are
 * signed for.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createExampleApp, type ExampleOptions } from '../../examples/server';
import { runCli, type CliIo } from '../../src/cli';
import {
  signalwireCallScenario,
  signSignalwireTestRequest,
} from '../../src/providers/signalwire/simulate';
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

const KEY = 'PSK_TestKeyNotReal0000000000';
const VARIABLES = ['SIGNALWIRE_SALES', 'SIGNALWIRE_SUPPORT', 'SIGNALWIRE_PUBLIC_URL'] as const;
const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));

async function listen(options: ExampleOptions): Promise<{ server: Server; base: string }> {
  const app = createExampleApp(options);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let server: Server;
let base: string;

beforeAll(async () => {
  process.env['SIGNALWIRE_SALES'] = '+15550000001';
  process.env['SIGNALWIRE_SUPPORT'] = '+15550000002';
  delete process.env['SIGNALWIRE_PUBLIC_URL'];
  ({ server, base } = await listen({
    signalwireSigningKey: KEY,
    production: true,
    log: () => undefined,
  }));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const [name, value] of saved) {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
});

async function simulate(
  at: string,
  ...args: string[]
): Promise<{ code: number; report: Report; err: string }> {
  const io = capture();
  const code = await runCli(['simulate', 'signalwire', `${at}/signalwire`, ...args, '--json'], io);
  return { code, report: JSON.parse(io.out) as Report, err: io.err };
}

describe('callcontrol simulate signalwire against the example server', () => {
  test('key 1 is dialled to SIGNALWIRE_SALES', async () => {
    const { code, report, err } = await simulate(base, '--signing-key', KEY, '--digits', '1');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, provider: 'signalwire' });
    expect(report.exchanges.map((e) => [e.request.event, e.status])).toEqual([
      ['voice', 200],
      ['gather', 200],
      ['status-callback', 200],
    ]);
    expect(canonicalXml(report.exchanges[1]?.body ?? '')).toEqual(
      canonicalXml('<Response><Dial><Number>+15550000001</Number></Dial></Response>'),
    );
  });

  test('another key twice: the menu once more, then hang up', async () => {
    const { code, report } = await simulate(base, '--signing-key', KEY, '--digits', '5', '#');
    expect(code).toBe(0);
    expect(report.exchanges.map((e) => e.request.event)).toEqual([
      'voice',
      'gather',
      'gather',
      'status-callback',
    ]);
    expect(report.exchanges[2]?.body).toContain('<Hangup/>');
  });

  test('unsigned or under another key: 403, exit 1', async () => {
    expect((await simulate(base)).report.exchanges.map((e) => e.status)).toEqual([403, 403]);
    const wrong = await simulate(base, '--signing-key', 'PSK_OtherKey0000000000000000');
    expect(wrong.code).toBe(1);
    expect(wrong.report.exchanges[0]?.body).toContain('CC_ERR_SIGNATURE_INVALID');
  });
});

describe('SIGNALWIRE_PUBLIC_URL', () => {
  test('requests are checked against <SIGNALWIRE_PUBLIC_URL>/signalwire', async () => {
    process.env['SIGNALWIRE_PUBLIC_URL'] = 'https://voice.example.com/';
    const behind = await listen({ signalwireSigningKey: KEY, production: true, log: () => {} });
    delete process.env['SIGNALWIRE_PUBLIC_URL'];
    const [voice] = signalwireCallScenario();
    const send = (url: string) => {
      const signed = signSignalwireTestRequest(voice as NonNullable<typeof voice>, url, KEY);
      let test = request(behind.server).post('/signalwire');
      for (const [name, value] of Object.entries(signed.headers)) test = test.set(name, value);
      return test.send(signed.body);
    };
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const right = await send('https://voice.example.com/signalwire');
      expect(right.status).toBe(200);
      expect(right.text).toContain('https://voice.example.com/signalwire/actions/menu?attempt=1');
      const local = await send(`${behind.base}/signalwire`);
      expect(local.status).toBe(403);
    } finally {
      spy.mockRestore();
      behind.server.close();
    }
    const line = written.join('');
    expect(line).toMatch(/provider=signalwire .*status=403 code=CC_ERR_SIGNATURE_INVALID/);
    expect(line).toContain('URL checked: https://voice.example.com/signalwire');
    expect(line).not.toContain(KEY);
  });
});
