/**
 * The acceptance of recording and replay with the example server: `CALLCONTROL_RECORD` (here
 * its `record` option) records the simulated calls of several providers, one file a mount; the
 * shutdown drains the apps, so every line is written when it resolves; the recordings replayed
 * (`callcontrol replay`, the test kit's `client.replay`) against the same example server report
 * no difference, and against one whose Placetel handler forwards elsewhere report that answer.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlacetelDemo } from '../../examples/placetel/app';
import { startExample, type ExampleServer, type ExampleServerOptions } from '../../examples/server';
import { runCli, type CliIo } from '../../src/cli';
import { createTestClient } from '../../src/testing';

const SECRET = 'record-replay-secret-not-real';
const OPENTACT_TOKEN = 'record-replay-opentact-token-0123';
const TWILIO_TOKEN = 'record-replay-twilio-token-not-real';
const FORWARD_TO = ['+4930123456'];
const CHANGED_FORWARD_TO = ['+4940999999'];

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

/** The example server on 127.0.0.1 (`port` 0: any free one), its logs kept quiet. */
function start(port: number, options: ExampleServerOptions = {}): Promise<ExampleServer> {
  return startExample({
    port,
    host: '127.0.0.1',
    production: false,
    placetelSecret: SECRET,
    opentactToken: OPENTACT_TOKEN,
    twilioAuthToken: TWILIO_TOKEN,
    forwardTo: FORWARD_TO,
    log: () => undefined,
    ...options,
  });
}

function portOf(server: ExampleServer): number {
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

function linesOf(file: string): string[] {
  return (existsSync(file) ? readFileSync(file, 'utf8') : '')
    .split('\n')
    .filter((line) => line !== '');
}

/** Each mount's replay: its recording, the URL of its mount and its credential flags. */
const MOUNTS = [
  { name: 'placetel', path: '/placetel', flags: ['--secret', SECRET] },
  { name: 'opentact', path: `/opentact?token=${OPENTACT_TOKEN}`, flags: [] },
  { name: 'twilio', path: '/twilio', flags: ['--auth-token', TWILIO_TOKEN] },
] as const;

const started: ExampleServer[] = [];
let dir: string;
let port: number;
/** Exchanges each simulated mount answered, by mount name. */
const simulated = new Map<string, number>();

beforeAll(async () => {
  dir = join(mkdtempSync(join(tmpdir(), 'callcontrol-record-example-')), 'recordings');
  const recording = await start(0, { record: dir });
  started.push(recording);
  port = portOf(recording);
  const url = `http://127.0.0.1:${port}`;
  const calls: [string, string[]][] = [
    ['placetel', ['placetel', `${url}/placetel`, '--secret', SECRET, '--from', '+4917012345']],
    ['placetel', ['placetel', `${url}/placetel`, '--secret', SECRET, '--from', 'anonymous']],
    ['opentact', ['opentact', `${url}/opentact?token=${OPENTACT_TOKEN}`, '--digits', '0', '1234']],
    ['twilio', ['twilio', `${url}/twilio`, '--auth-token', TWILIO_TOKEN, '--digits', '1']],
  ];
  for (const [name, args] of calls) {
    const io = capture();
    const code = await runCli(['simulate', ...args, '--json'], io);
    expect({ args, code, err: io.err }).toEqual({ args, code: 0, err: '' });
    const report = JSON.parse(io.out) as { exchanges: unknown[] };
    simulated.set(name, (simulated.get(name) ?? 0) + report.exchanges.length);
  }
  // The shutdown drains every app: once it resolves, every line is written.
  const result = await recording.shutdown({ timeoutMs: 10_000 });
  expect(result.clean).toBe(true);
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((server) => server.shutdown({ timeoutMs: 5000 })));
});

describe('the example server records with CALLCONTROL_RECORD, and the recording replays', () => {
  test('one recording a mount, every exchange written by the time the shutdown resolved', () => {
    for (const { name } of MOUNTS) {
      const lines = linesOf(join(dir, `${name}.jsonl`));
      expect([name, lines.length]).toEqual([name, simulated.get(name)]);
      // No credential anywhere in the file: not in the requests, nor in the answers (the
      // Opentact PIN menu's follow-up URL carries the URL token: recorded as [redacted]).
      for (const secret of [SECRET, OPENTACT_TOKEN, TWILIO_TOKEN]) {
        expect(lines.join('\n')).not.toContain(secret);
      }
      if (name === 'opentact') {
        const answers = lines.map(
          (line) => (JSON.parse(line) as { reply: { body: string } }).reply.body,
        );
        expect(answers.join('\n')).toContain('token=[redacted]');
      }
    }
    // Mounts that got no request record nothing.
    expect(existsSync(join(dir, 'ozeki.jsonl'))).toBe(false);
  });

  test('replayed against the same example server: no difference, exit 0', async () => {
    // The same server again, on the same port: answers that name their own URL are the same.
    const same = await start(port);
    started.push(same);
    try {
      for (const mount of MOUNTS) {
        const io = capture();
        const code = await runCli(
          [
            'replay',
            join(dir, `${mount.name}.jsonl`),
            `http://127.0.0.1:${port}${mount.path}`,
            ...mount.flags,
          ],
          io,
        );
        expect({ mount: mount.name, code, out: io.out, err: io.err }).toEqual({
          mount: mount.name,
          code: 0,
          out: expect.stringMatching(
            new RegExp(`${simulated.get(mount.name)} requests replayed, 0 differ\\n$`),
          ) as unknown,
          err: '',
        });
      }
    } finally {
      await same.shutdown({ timeoutMs: 5000 });
    }
  });

  test('replayed against a changed Placetel handler: the difference is reported, exit 1', async () => {
    const changed = await start(port, { forwardTo: CHANGED_FORWARD_TO });
    started.push(changed);
    try {
      const io = capture();
      const code = await runCli(
        [
          'replay',
          join(dir, 'placetel.jsonl'),
          `http://127.0.0.1:${port}/placetel`,
          '--secret',
          SECRET,
        ],
        io,
      );
      expect(code).toBe(1);
      expect(io.out).toMatch(/#1 POST http:\/\/127\.0\.0\.1:\d+\/placetel\/?: DIFFERS/);
      expect(io.out).toContain(CHANGED_FORWARD_TO[0]);
      expect(io.out).toContain(FORWARD_TO[0]);
      expect(io.out).toMatch(/requests replayed, 1 differ\n$/);
    } finally {
      await changed.shutdown({ timeoutMs: 5000 });
    }
  });

  test('the test kit loads the recording: expectSame passes for the same handler, fails for a changed one', async () => {
    const text = readFileSync(join(dir, 'placetel.jsonl'), 'utf8');
    const demo = (forwardTo: readonly string[]) =>
      createPlacetelDemo({ secret: SECRET, forwardTo, log: () => undefined });
    const same = demo(FORWARD_TO);
    const replayed = await createTestClient(same, { secret: SECRET }).replay(text);
    expect(replayed.exchanges).toHaveLength(simulated.get('placetel') ?? -1);
    replayed.expectSame();
    const changed = demo(CHANGED_FORWARD_TO);
    const again = await createTestClient(changed, { secret: SECRET }).replay(text);
    expect(() => again.expectSame()).toThrow(/Replayed request #1 \(POST \/\) differs in its body/);
    await Promise.all([same.close(), changed.close()]);
  });
});
