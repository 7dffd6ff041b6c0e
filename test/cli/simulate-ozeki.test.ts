import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { runCli, type CliIo } from '../../src/cli';
import { createTestClient } from '../../src/testing';
import { createOzekiDemo } from '../../examples/ozeki/app';

const TOKEN = 'test-token-not-real-0123456789';

interface Report {
  ok: boolean;
  exchanges: {
    status: number;
    body: string;
    url: string;
    request: { event: string; body: string };
  }[];
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

const demoOptions = { pins: ['1234'], transferTo: '2000', operator: '100', log: () => undefined };
const demo = createOzekiDemo({ ...demoOptions, token: TOKEN });
let server: Server;
let base: string;

beforeAll(async () => {
  const http = express();
  http.use('/ozeki', demo.express());
  // Answers with a document that breaks the spec (a UserInput with no commands to run).
  http.post('/invalid', (_request, response) => {
    response.type('application/xml').send('<Response><UserInput Timeout="soon"/></Response>');
  });
  server = await new Promise<Server>((resolve) => {
    const s = http.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function simulate(...args: string[]): Promise<{ code: number; report: Report }> {
  const io = capture();
  const code = await runCli(
    ['simulate', 'ozeki', `${base}/ozeki?token=${TOKEN}`, ...args, '--json'],
    io,
  );
  return { code, report: JSON.parse(io.out) as Report };
}

const events = (report: Report) => report.exchanges.map((exchange) => exchange.request.event);

describe('callcontrol simulate ozeki follows the example PIN menu', () => {
  test('2 opens the PIN prompt; the PIN is posted to its ForwardToUrl as DtmfEntered', async () => {
    const { code, report } = await simulate('--digits', '2', '1234');
    expect(code).toBe(0);
    expect(events(report)).toEqual(['IncomingCall', 'DtmfEntered']);
    const dtmf = report.exchanges[1];
    const url = new URL(dtmf?.url ?? '');
    expect(url.pathname).toBe('/ozeki');
    expect(url.searchParams.getAll('token')).toEqual([TOKEN]);
    const fields = new URLSearchParams(dtmf?.request.body);
    expect(fields.get('DtmfDigits')).toBe('1234');
    expect(fields.get('CallId')).toBe(
      new URLSearchParams(report.exchanges[0]?.request.body).get('CallId'),
    );
    expect(dtmf?.body).toContain('<BlindTransfer>2000</BlindTransfer>');
  });

  test('two wrong PINs: the second prompt is followed too, then the app hangs up', async () => {
    const { report } = await simulate('--digits', '2', '9999', '8888');
    expect(events(report)).toEqual(['IncomingCall', 'DtmfEntered', 'DtmfEntered']);
    expect(report.exchanges[2]?.body).toContain('<Hangup');
  });

  test('1 picks the opening hours: no ForwardToUrl is reached, no DtmfEntered is sent', async () => {
    const { code, report } = await simulate('--digits', '1');
    expect(code).toBe(0);
    expect(events(report)).toEqual(['IncomingCall']);
  });

  test('an answer that breaks the spec fails the run with its problem', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'ozeki', `${base}/invalid`], io);
    expect(code).toBe(1);
    expect(io.out).toMatch(/breaks the Ozeki spec/);
    expect(io.out).toMatch(/UserInput/);
  });
});

describe('the test kit plays the same model', () => {
  test('client.playCall({ digits: ["2", "1234"] }) reaches the PIN url', async () => {
    const open = createOzekiDemo({ ...demoOptions, allowUnauthenticated: true });
    const call = await createTestClient(open).playCall({ digits: ['2', '1234'] });
    call.expectAllOk();
    expect(call.exchanges.map((exchange) => exchange.event)).toEqual([
      'IncomingCall',
      'DtmfEntered',
    ]);
    expect(call.reply('DtmfEntered').text).toContain('<BlindTransfer>2000</BlindTransfer>');
  });
});
