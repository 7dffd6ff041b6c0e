import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { placetel, type WebhookEvent } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { createTestClient } from '../../src/testing';
import { createPlacetelDemo } from '../../examples/placetel/app';
import { QUIET } from '../helpers/apps';

const SECRET = 'test-secret-not-real';

interface Report {
  ok: boolean;
  exchanges: { status: number; body: string; request: { event: string; body: string } }[];
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

const seen: WebhookEvent[] = [];
const log: string[] = [];
let server: Server;
let base: string;
const demo = createPlacetelDemo({
  secret: SECRET,
  forwardTo: ['022129191999', '7777abcdefg@fpbx.de'],
  log: (line) => log.push(line),
});
/** Answers every IncomingCall with `answer` (set per test). */
let answer: placetel.PlacetelAnswer = placetel.hangup();
const scripted = placetel.createApp({ ...QUIET, secret: SECRET });
scripted.on('IncomingCall', () => answer);

beforeAll(async () => {
  for (const app of [demo, scripted]) {
    (app as { onAny(handler: (event: WebhookEvent) => void): unknown }).onAny((event) => {
      seen.push(event);
    });
  }
  const http = express();
  http.use('/placetel', demo.express());
  http.use('/scripted', scripted.express());
  // Answers with a document no builder makes: one that breaks the spec.
  http.post('/invalid', (_request, response) => {
    response.type('application/xml').send('<Response><Reject reason="nope"/></Response>');
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
  seen.length = 0;
  log.length = 0;
});

async function simulate(
  path: string,
  ...args: string[]
): Promise<{ code: number; report: Report; io: { out: string; err: string } }> {
  const io = capture();
  const code = await runCli(
    ['simulate', 'placetel', `${base}${path}`, '--secret', SECRET, ...args, '--json'],
    io,
  );
  return { code, report: (io.out === '' ? {} : JSON.parse(io.out)) as Report, io };
}

const events = (report: Report) => report.exchanges.map((e) => [e.request.event, e.status]);
const hungUpType = () =>
  (seen.find((event) => event.name === 'HungUp') as placetel.PlacetelHungUp | undefined)?.type;

describe('callcontrol simulate placetel follows the answer to IncomingCall', () => {
  test('the example server rejects an anonymous caller: no CallAccepted, HungUp busy', async () => {
    const { code, report } = await simulate('/placetel', '--from', 'anonymous');
    expect(code).toBe(0);
    expect(report.exchanges[0]?.body).toContain('<Reject reason="busy"/>');
    expect(events(report)).toEqual([
      ['IncomingCall', 200],
      ['HungUp', 200],
    ]);
    expect(hungUpType()).toBe('busy');
    expect(report.exchanges[1]?.request.body).toContain('duration=0');
    expect(log.join('\n')).toMatch(/ended \(busy, 0s\), rejected busy/);
  });

  test('the example server forwards another caller: CallAccepted with a peer, HungUp accepted', async () => {
    const { code, report } = await simulate('/placetel', '--duration', '42');
    expect(code).toBe(0);
    expect(events(report)).toEqual([
      ['IncomingCall', 200],
      ['CallAccepted', 200],
      ['HungUp', 200],
    ]);
    expect(seen[1]).toMatchObject({ name: 'CallAccepted', peer: '022129191999' });
    expect(seen[2]).toMatchObject({ name: 'HungUp', type: 'accepted', duration: 42 });
    expect(seen.map((event) => event.callId)).toEqual(Array(3).fill(seen[0]?.callId));
  });

  test('--peer names who answers a forward; --hangup-cause missed skips CallAccepted', async () => {
    const peer = await simulate('/placetel', '--peer', 'sip-9@fpbx.de');
    expect(seen[1]).toMatchObject({ name: 'CallAccepted', peer: 'sip-9@fpbx.de' });
    expect(events(peer.report)).toHaveLength(3);
    seen.length = 0;
    const missed = await simulate('/placetel', '--hangup-cause', 'missed');
    expect(events(missed.report)).toEqual([
      ['IncomingCall', 200],
      ['HungUp', 200],
    ]);
    expect(hungUpType()).toBe('missed');
  });

  test.each([
    ['<Reject/>', 'blocked', placetel.reject()],
    ['<Hangup/>', 'blocked', placetel.hangup()],
    ['<Forward voicemail="true"/>', 'voicemail', placetel.forward({ voicemail: true })],
  ])('%s ends the call without CallAccepted (HungUp %s)', async (_name, type, given) => {
    answer = given;
    const { code, report } = await simulate('/scripted');
    expect(code).toBe(0);
    expect(events(report).map(([event]) => event)).toEqual(['IncomingCall', 'HungUp']);
    expect(hungUpType()).toBe(type);
  });

  test('an answer that breaks the spec fails the run with its problem', async () => {
    const { code, io } = await simulate('/invalid');
    expect(code).toBe(1);
    expect(io.out).toMatch(/breaks the Placetel spec/);
    expect(io.out).toMatch(/\/Response\/Reject\[1\]\/@reason/);
    expect(io.out).toMatch(/placetel\.md §3\.3/);
  });
});

describe('the test kit plays the same model', () => {
  test('client.playCall: anonymous is rejected (HungUp busy), others are forwarded', async () => {
    const client = createTestClient(demo, { secret: SECRET });
    const rejected = await client.playCall({ from: 'anonymous' });
    expect(rejected.exchanges.map((exchange) => exchange.event)).toEqual([
      'IncomingCall',
      'HungUp',
    ]);
    expect(hungUpType()).toBe('busy');
    seen.length = 0;
    const forwarded = await client.playCall({ from: '017312345678' });
    expect(forwarded.exchanges.map((exchange) => exchange.event)).toEqual([
      'IncomingCall',
      'CallAccepted',
      'HungUp',
    ]);
    expect(hungUpType()).toBe('accepted');
  });
});
