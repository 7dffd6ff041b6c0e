import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlacetelDemo } from '../../examples/placetel/app';
import { twilio } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { compareReplies, createTestClient } from '../../src/testing';
import { QUIET } from '../helpers/apps';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';

const SECRET = 'replay-test-secret';

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

/** The example server's Placetel app on 127.0.0.1, recording to `file` when given. */
async function demoServer(forwardTo: readonly string[], file?: string): Promise<string> {
  const demo = createPlacetelDemo({
    secret: SECRET,
    forwardTo,
    log: () => undefined,
    ...(file === undefined ? {} : { record: { file } }),
  });
  return baseUrlOf(await listenOnLoopback(createServer(demo.node())));
}

/** Waits until the recording holds `lines` lines. */
async function recording(file: string, lines: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not yet created
    }
    if (text.split('\n').filter((line) => line !== '').length >= lines) return text;
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error(`the recording never reached ${lines} lines`);
}

/** Records a simulated call and an anonymous (rejected) one against the demo. */
async function recordCalls(): Promise<{ file: string; text: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'callcontrol-replay-')), 'calls.jsonl');
  const url = await demoServer(['+4930123456'], file);
  let total = 0;
  for (const from of ['+4917012345', 'anonymous']) {
    const io = capture();
    const code = await runCli(
      ['simulate', 'placetel', url, '--secret', SECRET, '--from', from, '--json'],
      io,
    );
    expect(code).toBe(0);
    total += (JSON.parse(io.out) as { exchanges: unknown[] }).exchanges.length;
  }
  return { file, text: await recording(file, total) };
}

describe('callcontrol replay', () => {
  it('reports no difference against the same routing, with exit 0', async () => {
    const { file, text } = await recordCalls();
    expect(text).not.toContain(SECRET);
    const url = await demoServer(['+4930123456']);
    const io = capture();
    const code = await runCli(['replay', file, url, '--secret', SECRET, '--json'], io);
    expect(io.err).toBe('');
    const report = JSON.parse(io.out) as {
      requests: number;
      differing: number;
      results: { status: number }[];
    };
    expect(report.requests).toBeGreaterThan(2);
    expect(report.differing).toBe(0);
    expect(report.results.every((result) => result.status === 200)).toBe(true);
    expect(code).toBe(0);
  });

  it('reports the changed answer of a changed handler, with exit 1', async () => {
    const { file } = await recordCalls();
    const url = await demoServer(['+4940999999']);
    const io = capture();
    const code = await runCli(['replay', file, url, '--secret', SECRET], io);
    expect(code).toBe(1);
    expect(io.out).toMatch(/DIFFERS/);
    expect(io.out).toContain('+4940999999');
    expect(io.out).toMatch(/requests replayed, 1 differ/);
  });

  it('without the secret the requests are refused: every one differs', async () => {
    const { file } = await recordCalls();
    const url = await demoServer(['+4930123456']);
    const io = capture();
    expect(await runCli(['replay', file, url], io)).toBe(1);
    expect(io.out).toMatch(/status: recorded 200, now 403/);
  });

  it('exits 2 for an unreadable file, a line that is not an exchange, or a bad URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callcontrol-replay-'));
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"provider":"placetel"}\n');
    expect(
      await runCli(['replay', join(dir, 'missing.jsonl'), 'http://127.0.0.1:1'], capture()),
    ).toBe(2);
    const io = capture();
    expect(await runCli(['replay', broken, 'http://127.0.0.1:1'], io)).toBe(2);
    expect(io.err).toMatch(/line 1: not a recorded exchange/);
    expect(await runCli(['replay', broken, 'not a url'], capture())).toBe(2);
    expect(await runCli(['replay', broken, 'http://127.0.0.1:1', '--secret', ''], capture())).toBe(
      2,
    );
  });
});

describe('client.replay', () => {
  it('replays a recording in-process: expectSame passes for the same routing, fails for a changed one', async () => {
    const { text } = await recordCalls();
    const same = createPlacetelDemo({
      secret: SECRET,
      forwardTo: ['+4930123456'],
      log: () => undefined,
    });
    const replayed = await createTestClient(same, { secret: SECRET }).replay(text);
    expect(replayed.exchanges.length).toBeGreaterThan(2);
    expect(replayed.expectSame()).toBe(replayed);

    const changed = createPlacetelDemo({
      secret: SECRET,
      forwardTo: ['+4940999999'],
      log: () => undefined,
    });
    const differing = await createTestClient(changed, { secret: SECRET }).replay(text);
    expect(differing.exchanges.filter((exchange) => exchange.differences.length > 0)).toHaveLength(
      1,
    );
    expect(() => differing.expectSame()).toThrow(/differs in its body/);
  });

  it('reads a recording from a file path', async () => {
    const { file } = await recordCalls();
    const app = createPlacetelDemo({
      secret: SECRET,
      forwardTo: ['+4930123456'],
      log: () => undefined,
    });
    (await createTestClient(app, { secret: SECRET }).replay(file)).expectSame();
  });
});

describe('compareReplies', () => {
  it('compares bodies as XML: attribute order and formatting do not count, content does', () => {
    const recorded = { status: 200, body: '<Response><Forward a="1" b="2"/></Response>' };
    expect(
      compareReplies(recorded, {
        status: 200,
        body: '<?xml version="1.0"?>\n<Response>\n  <Forward b="2" a="1"/>\n</Response>',
      }),
    ).toEqual([]);
    expect(
      compareReplies(recorded, {
        status: 200,
        body: '<Response><Forward a="1" b="3"/></Response>',
      }),
    ).toEqual([expect.objectContaining({ field: 'body' })]);
    expect(compareReplies({ status: 200, body: 'ok' }, { status: 500, body: 'ok' })).toEqual([
      { field: 'status', recorded: '200', now: '500' },
    ]);
  });
});

describe('callcontrol replay, a provider that signs the URL', () => {
  it('re-signs each request with --auth-token for the URL it is sent to', async () => {
    const token = 'replay-test-auth-token';
    const file = join(mkdtempSync(join(tmpdir(), 'callcontrol-replay-')), 'twilio.jsonl');
    const recordingApp = twilio.createApp({
      ...QUIET,
      authToken: token,
      publicUrl: 'https://voice.example.com/twilio',
      record: { file },
    });
    recordingApp.on('voice', () => twilio.response(twilio.say('Hello.'), twilio.hangup()));
    const client = createTestClient(recordingApp, {
      authToken: token,
      publicUrl: 'https://voice.example.com/twilio',
    });
    expect((await client.twilio.voice()).status).toBe(200);
    const text = await recording(file, 1);
    expect(text).not.toContain(token);

    let url = '';
    const server = createServer((request, response) => {
      const replayed = twilio.createApp({ ...QUIET, authToken: token, publicUrl: url });
      replayed.on('voice', () => twilio.response(twilio.say('Hello.'), twilio.hangup()));
      replayed.node()(request, response);
    });
    url = baseUrlOf(await listenOnLoopback(server));
    const io = capture();
    expect(await runCli(['replay', file, url, '--auth-token', token], io)).toBe(0);
    expect(io.out).toMatch(/1 requests replayed, 0 differ/);
    const unsigned = capture();
    expect(await runCli(['replay', file, url], unsigned)).toBe(1);
    expect(unsigned.out).toMatch(/now 403/);
  });
});
