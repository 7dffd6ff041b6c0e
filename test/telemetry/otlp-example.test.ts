/**
 * The documented OTLP example (`examples/otel.ts`, run as a program in a child process) against a
 * stand-in collector: an HTTP server on 127.0.0.1 in the test that takes the OTLP/HTTP POSTs.
 * One signed Placetel IncomingCall through the example's server, then SIGTERM (its shutdown):
 * the collector got the request span (with the service name from `OTEL_SERVICE_NAME`) at
 * `/v1/traces` and `callcontrol.requests` at `/v1/metrics`. Bounded: every wait has a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { placetel } from '../../src';
import { TS_REQUIRE_HOOK } from '../helpers/ts-require-hook';
import { SECRET } from './otel';

jest.setTimeout(30_000);

const ROOT = resolve(__dirname, '../..');

interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

let collector: Server;
let child: ChildProcess | undefined;
let scratch: string;
const received: Received[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'callcontrol-otlp-'));
  // In a child process: the OTLP exporters load their transport with a dynamic `import()`,
  // which jest's module sandbox refuses.
  writeFileSync(join(scratch, 'ts-hook.js'), TS_REQUIRE_HOOK);
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await new Promise<void>((done) => collector.close(() => done()));
  rmSync(scratch, { recursive: true, force: true });
});

/** Resolves with the first stdout line matching `pattern`; rejects on exit or after `ms`. */
function lineOf(process_: ChildProcess, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve_, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${String(pattern)} within ${ms} ms: ${output}`)),
      ms,
    );
    process_.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve_(match);
      }
    });
    process_.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    process_.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)}: ${output}`));
    });
  });
}

/** Resolves with the exit code; kills the child and rejects after `ms`. */
function exitOf(process_: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve_, reject) => {
    if (process_.exitCode !== null) {
      resolve_(process_.exitCode);
      return;
    }
    const timer = setTimeout(() => {
      process_.kill('SIGKILL');
      reject(new Error(`did not exit within ${ms} ms`));
    }, ms);
    process_.once('exit', (code) => {
      clearTimeout(timer);
      resolve_(code);
    });
  });
}

it('exports the request span and the metrics to the collector over OTLP/HTTP', async () => {
  const { port: collectorPort } = collector.address() as AddressInfo;
  const started = spawn(
    process.execPath,
    ['-r', join(scratch, 'ts-hook.js'), join(ROOT, 'examples/otel.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'test',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
        OTEL_SERVICE_NAME: 'calls-under-test',
        PLACETEL_SECRET: SECRET,
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = started;
  const [, port] = await lineOf(started, /listening on .*"port":(\d+)/, 20_000);
  const signed = placetel.placetelRequest(
    { call_id: 'otlp-call-1', event: 'IncomingCall', from: '017312345678', to: '022129191999' },
    SECRET,
  );
  const reply = await fetch(`http://127.0.0.1:${String(port)}/`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
    signal: AbortSignal.timeout(5000),
  });
  expect(reply.status).toBe(200);
  expect(await reply.text()).toContain('<Forward');
  // SIGTERM: the example drains, then flushes both providers before it exits.
  started.kill('SIGTERM');
  expect(await exitOf(started, 15_000)).toBe(0);

  const traces = received.filter((post) => post.path === '/v1/traces');
  const exported = received.filter((post) => post.path === '/v1/metrics');
  expect(traces.length).toBeGreaterThan(0);
  expect(exported.length).toBeGreaterThan(0);
  expect(traces[0]?.contentType).toContain('application/json');
  const spans = traces.map((post) => post.body).join('\n');
  expect(spans).toContain('"callcontrol placetel IncomingCall"');
  expect(spans).toContain('"callcontrol handler IncomingCall"');
  expect(spans).toContain('calls-under-test');
  expect(spans).not.toContain(SECRET);
  const metricNames = exported.map((post) => post.body).join('\n');
  expect(metricNames).toContain('"callcontrol.requests"');
  expect(metricNames).toContain('"callcontrol.request.duration"');
});
