import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { placetel } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { splitCredentials } from '../../src/cli/send';
import { QUIET } from '../helpers/apps';

const SECRET = 'test-secret-not-real';

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

describe('callcontrol simulate placetel', () => {
  let server: Server;
  let url: string;
  const seen: placetel.PlacetelEvent[] = [];

  beforeAll(async () => {
    const calls = placetel.createApp({
      ...QUIET,
      secret: SECRET,
      basicAuth: [
        { username: 'placetel', password: 'not-a-real-password' },
        { username: 'other', password: 'also-not-real' },
      ],
    });
    calls.onAny((event) => {
      seen.push(event as placetel.PlacetelEvent);
    });
    calls.on('IncomingCall', (call) =>
      call.from === 'anonymous'
        ? placetel.reject({ reason: 'busy' })
        : placetel.forward({ targets: [{ numbers: ['022129191999'] }] }),
    );
    const app = express();
    app.use('/placetel', calls.express());
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    url = `http://placetel:not-a-real-password@127.0.0.1:${port}/placetel`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  test('plays IncomingCall → CallAccepted → HungUp and prints each exchange', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'placetel', url, '--secret', SECRET, '--duration', '12', '--verbose'],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(seen.map((event) => event.name)).toEqual(['IncomingCall', 'CallAccepted', 'HungUp']);
    expect(new Set(seen.map((event) => event.callId)).size).toBe(1);
    const hungUp = seen[2] as placetel.PlacetelHungUp;
    expect(hungUp.duration).toBe(12);
    expect(hungUp.type).toBe('accepted');
    expect(io.out).toContain('<Forward><Target><Number>022129191999</Number></Target></Forward>');
    expect(io.out).toContain('✓ 3 requests, every answer 2xx');
    expect(io.out).not.toContain('not-a-real-password');
  });

  test('--json prints one document with every exchange', async () => {
    const io = capture();
    const code = await runCli(
      [
        'simulate',
        'placetel',
        url,
        '--secret',
        SECRET,
        '--from',
        'anonymous',
        '--hangup-cause',
        'missed',
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as {
      ok: boolean;
      exchanges: { status: number; body: string; request: { event: string } }[];
    };
    expect(report.ok).toBe(true);
    expect(report.exchanges.map((exchange) => exchange.request.event)).toEqual([
      'IncomingCall',
      'HungUp',
    ]);
    expect(report.exchanges[0]?.body).toContain('<Reject reason="busy"/>');
    expect((seen[1] as placetel.PlacetelHungUp).duration).toBe(0);
  });

  test('--outgoing plays OutgoingCall → HungUp', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'placetel', url, '--secret', SECRET, '--outgoing', '--to', '23'],
      io,
    );
    expect(code).toBe(0);
    expect(seen.map((event) => [event.name, event.direction, event.to])).toEqual([
      ['OutgoingCall', 'out', '23'],
      ['HungUp', 'out', '23'],
    ]);
  });

  test('exits 1 when answers are not 2xx (unsigned requests to a signed endpoint)', async () => {
    const io = capture();
    const code = await runCli(['simulate', 'placetel', url], io);
    expect(code).toBe(1);
    expect(io.out).toContain('CC_ERR_SIGNATURE_MISSING');
    expect(io.out).toContain('without a 2xx answer');
    expect(seen).toEqual([]);
  });

  test('exits 1 with a reason when nothing answers', async () => {
    const refused = await new Promise<number>((resolve) => {
      const s = express().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const io = capture();
    const code = await runCli(
      ['simulate', 'placetel', `http://127.0.0.1:${refused}/placetel`, '--timeout-ms', '5000'],
      io,
    );
    expect(code).toBe(1);
    expect(io.out).toContain('no answer: ECONNREFUSED');
  });

  test.each([
    [['simulate', 'placetel']],
    [['simulate', 'placetel', 'http://127.0.0.1:1/x', '--duration', 'soon']],
    [['simulate', 'nosuchprovider', 'http://127.0.0.1:1/x']],
    [['simulate', 'placetel', 'ftp://127.0.0.1/x']],
    [['simulate', 'placetel', 'not a url']],
  ])('usage errors exit 2: %j', async (argv) => {
    const io = capture();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err).not.toBe('');
  });

  test('--help exits 0', async () => {
    const io = capture();
    expect(await runCli(['simulate', 'placetel', '--help'], io)).toBe(0);
    expect(io.out).toContain('--hangup-cause');
  });
});

describe('splitCredentials', () => {
  test('turns user:pass@ into a basic auth header and strips it from the URL', () => {
    expect(splitCredentials('http://us%3Aer:p%40ss@127.0.0.1:3000/placetel?x=1')).toEqual({
      url: 'http://127.0.0.1:3000/placetel?x=1',
      authorization: `Basic ${Buffer.from('us:er:p@ss').toString('base64')}`,
    });
    expect(splitCredentials('http://127.0.0.1/x')).toEqual({ url: 'http://127.0.0.1/x' });
  });
});
