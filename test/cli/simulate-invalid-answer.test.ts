import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli, type CliIo } from '../../src/cli';

interface Report {
  ok: boolean;
  summary: { sent: number; failed: number };
  exchanges: { status: number; body: string; request: { event: string } }[];
  problem?: { code: string; message: string };
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

// Every request is answered 200 with a hand-written Opentact document whose Gather url is no URL.
const INVALID = '<Response><Gather url="not a url"/></Response>';
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/xml' });
    response.end(INVALID);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('an invalid followed answer fails the run with the exchanges so far', () => {
  test('text: exchanges printed, then the problem (path, message, spec §), exit 1', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'opentact', `${base}/hook`], io);
    expect(code).toBe(1);
    expect(io.err).toBe('');
    expect(io.out).toMatch(/callcontrol simulate opentact/);
    expect(io.out).toMatch(/1\/\d+ call_flow_request .* → 200/);
    expect(io.out).toMatch(/✗ CC_ERR_ANSWER_INVALID: the answer to .* breaks the Opentact spec/);
    expect(io.out).toMatch(/\/Response\/Gather\[1\]\/@url: .+ \(docs\/providers\/opentact\.md §/);
    // The problem comes after the exchange it concerns, the summary last.
    expect(io.out.indexOf('CC_ERR_ANSWER_INVALID')).toBeGreaterThan(
      io.out.indexOf('call_flow_request'),
    );
  });

  test('--json: ok false, the exchanges sent and the problem', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'opentact', `${base}/hook`, '--json'], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out) as Report;
    expect(report.ok).toBe(false);
    expect(report.exchanges.length).toBeGreaterThan(0);
    expect(report.exchanges.length).toBe(report.summary.sent);
    expect(report.exchanges.at(-1)?.body).toBe(INVALID);
    expect(report.problem?.code).toBe('CC_ERR_ANSWER_INVALID');
    expect(report.problem?.message).toMatch(/\/Response\/Gather\[1\]\/@url/);
  });

  test('the run stops at the invalid answer: nothing is sent after it', async () => {
    let requests = 0;
    const counting = createServer((_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end(INVALID);
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    try {
      const port = (counting.address() as AddressInfo).port;
      const io = capture();
      await runCli(['simulate', 'opentact', `http://127.0.0.1:${port}/hook`, '--json'], io);
      const report = JSON.parse(io.out) as Report;
      // The first answer (call_flow_request) is the invalid one: no request follows it.
      expect(report.exchanges.map((exchange) => exchange.request.event)).toEqual([
        'call_flow_request',
      ]);
      expect(requests).toBe(1);
    } finally {
      await new Promise((resolve) => counting.close(resolve));
    }
  });
});
