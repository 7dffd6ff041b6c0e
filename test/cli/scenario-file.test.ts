import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { placetel } from '../../src';
import { runCli, type CliIo } from '../../src/cli';
import { createTestClient, loadCallScenario } from '../../src/testing';
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

/** `--scenario` reads a scenario file into the provider's options; flags given on the line win. */
describe('callcontrol simulate --scenario', () => {
  let server: Server;
  let url: string;
  const seen: Array<Record<string, unknown>> = [];
  const dir = mkdtempSync(join(tmpdir(), 'cc-scenario-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  function app() {
    const calls = placetel.createApp({ ...QUIET, secret: SECRET });
    calls.onAny((event) => {
      seen.push(event.raw as Record<string, unknown>);
    });
    calls.on('IncomingCall', (call) =>
      call.from === 'anonymous'
        ? placetel.reject({ reason: 'busy' })
        : placetel.forward({ targets: [{ numbers: ['022129191999'] }] }),
    );
    return calls;
  }

  beforeAll(async () => {
    const web = express();
    web.use('/placetel', app().express());
    server = await new Promise<Server>((resolve) => {
      const s = web.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/placetel`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  test('a YAML file gives the caller, callee and provider options (leading zeros kept)', async () => {
    const scenario = file(
      'call.yaml',
      [
        'caller: 017312345678',
        'callee: 022129191998',
        'options:',
        '  peer: 7777abcdefg@fpbx.de',
        '  call-id: scenario-call-1',
      ].join('\n'),
    );
    const io = capture();
    const code = await runCli(
      ['simulate', 'placetel', url, '--secret', SECRET, '--scenario', scenario],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({
      event: 'IncomingCall',
      from: '017312345678',
      to: '022129191998',
      call_id: 'scenario-call-1',
    });
  });

  test('a flag given on the command line wins over the file', async () => {
    const scenario = file('anon.json', '{ "caller": "017312345678", "callee": "0301234" }');
    const io = capture();
    const code = await runCli(
      [
        'simulate',
        'placetel',
        url,
        '--secret',
        SECRET,
        '--scenario',
        scenario,
        '--from',
        'anonymous',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({ from: 'anonymous', to: '0301234' });
    expect(seen.map((raw) => raw['event'])).toEqual(['IncomingCall', 'HungUp']);
  });

  test.each([
    ['unknown option', 'options: { colour: red }', /has no --colour option/],
    ['a key that is no scenario key', 'caler: 1', /unknown key "caler"/],
    ['digits Placetel never sends', 'digits: ["1"]', /--digits <keys>: Placetel sends no digits/],
    [
      'a whole-number option given text',
      'options: { duration: soon }',
      /--duration must be a whole number/,
    ],
  ])('%s is a usage error (exit 2) naming the file', async (_name, text, message) => {
    const scenario = file(`bad-${seen.length}-${Math.random()}.yaml`, text);
    const io = capture();
    const code = await runCli(['simulate', 'placetel', url, '--scenario', scenario], io);
    expect(code).toBe(2);
    expect(io.err).toMatch(message);
    expect(seen).toEqual([]);
  });

  test('a file that cannot be read is a usage error', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'placetel', url, '--scenario', join(dir, 'missing.yaml')],
      io,
    );
    expect(code).toBe(2);
    expect(io.err).toContain('cannot read the scenario file');
    expect(io.err).toContain('ENOENT');
  });

  test('the test kit loads the same file as CallOptions', async () => {
    const scenario = file(
      'kit.yaml',
      'caller: anonymous\ncallee: 022129191999\ntargets: { "022129191999": busy }\ntalkSeconds: 5\n',
    );
    const options = loadCallScenario(scenario);
    expect(options).toEqual({
      from: 'anonymous',
      to: '022129191999',
      targets: { '022129191999': 'busy' },
      talkSeconds: 5,
    });
    const client = createTestClient(app(), { secret: SECRET });
    const call = await client.playCall(options);
    expect(call.exchanges.map((exchange) => exchange.event)).toEqual(['IncomingCall', 'HungUp']);
    expect(() => loadCallScenario(join(dir, 'missing.yaml'))).toThrow(/ENOENT/);
    expect(() => loadCallScenario('talkSeconds: -1\n')).toThrow(/talkSeconds/);
  });
});
