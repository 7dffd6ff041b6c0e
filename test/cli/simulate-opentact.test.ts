import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { runCli, type CliIo } from '../../src/cli';
import { createTestClient } from '../../src/testing';
import { createOpentactDemo } from '../../examples/opentact/app';

const TOKEN = 'test-token-not-real-0123456789';

interface Report {
  ok: boolean;
  exchanges: { status: number; body: string; url: string; request: { event: string } }[];
}

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

const log: string[] = [];
const demo = createOpentactDemo({
  token: TOKEN,
  pins: ['1234'],
  support: ['+15550001'],
  sales: ['+15550002'],
  privateLine: '+15550003',
  log: (line) => log.push(line),
});
let server: Server;
let base: string;

beforeAll(async () => {
  const http = express();
  http.use('/opentact', demo.express());
  // Answers with a document that breaks the spec (a Gather url that is no URL).
  http.get('/invalid', (_request, response) => {
    response.type('application/xml').send('<Response><Gather url="not a url"/></Response>');
  });
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  log.length = 0;
});

async function simulate(...args: string[]): Promise<{ code: number; report: Report; err: string }> {
  const io = capture();
  const code = await runCli(
    ['simulate', 'opentact', `${base}/opentact?token=${TOKEN}`, ...args, '--json'],
    io,
  );
  return { code, report: (io.out === '' ? {} : JSON.parse(io.out)) as Report, err: io.err };
}

describe('callcontrol simulate opentact follows the example PIN menu', () => {
  test('0 picks the private menu; the PIN goes to the Gather url, ?menu=private kept', async () => {
    const { code, report } = await simulate('--digits', '0', '1234');
    expect(code).toBe(0);
    const events = report.exchanges.map((exchange) => exchange.request.event);
    expect(events).toEqual([
      'call_flow_request',
      'call_state:init',
      'call_flow:Answer',
      'call_state:live',
      'gather',
      // The private line's dialled leg (direction out, parent = the call, spec §4.3 Fixture G):
      // live when it answers, hangup when the caller hangs up after the talk.
      'call_state:live',
      'call_state:hangup',
      'call_state:hangup',
      'call_state:destroyed',
    ]);
    const gather = report.exchanges[4];
    const url = new URL(gather?.url ?? '');
    expect(url.pathname).toBe('/opentact');
    expect(url.searchParams.get('menu')).toBe('private');
    expect(url.searchParams.getAll('token')).toEqual([TOKEN]);
    expect(url.searchParams.get('dtmf')).toBe('1234');
    expect(gather?.body).toContain('PIN accepted');
    expect(log.join('\n')).toMatch(/gather .*digits=\*\*\*\*/);
  });

  test('a wrong PIN is refused by the app', async () => {
    const { report } = await simulate('--digits', '0', '9999');
    expect(report.exchanges[4]?.body).toContain('that PIN is not valid');
  });

  test('2 picks sales: no Gather url is reached, no gather request is sent', async () => {
    const { code, report } = await simulate('--digits', '2');
    expect(code).toBe(0);
    expect(report.exchanges.map((exchange) => exchange.request.event)).not.toContain('gather');
  });

  test('an answer that breaks the spec fails the run with its problem', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'opentact', `${base}/invalid`], io);
    expect(code).toBe(1);
    expect(io.out).toMatch(/breaks the Opentact spec/);
    expect(io.out).toMatch(/\/Response\/Gather\[1\]\/@url/);
  });
});

describe('the test kit plays the same model', () => {
  test('client.playCall({ digits: ["0", "1234"] }) reaches the PIN url', async () => {
    const open = createOpentactDemo({
      allowUnauthenticated: true,
      pins: ['1234'],
      support: ['+15550001'],
      sales: ['+15550002'],
      privateLine: '+15550003',
      log: () => undefined,
    });
    const client = createTestClient(open);
    const call = await client.playCall({ digits: ['0', '1234'] });
    call.expectAllOk();
    expect(call.exchanges.map((exchange) => exchange.event)).toContain('gather');
    expect(call.reply('gather').text).toContain('PIN accepted');
  });
});
