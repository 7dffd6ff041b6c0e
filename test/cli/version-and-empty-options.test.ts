/**
 * `callcontrol --version` prints the version of package.json, read at run time; an option
 * given an empty value (what `"$UNSET_VARIABLE"` expands to) is a usage error that names it,
 * and no request goes out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, type CliIo } from '../../src/cli';
import { packageVersion } from '../../src/cli/version';

const ROOT = resolve(__dirname, '../..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

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

describe('callcontrol --version', () => {
  test.each([['--version'], ['-v']])(
    '%s prints the version of package.json and exits 0',
    async (flag) => {
      const io = capture();
      expect(await runCli([flag], io)).toBe(0);
      expect(io.out).toBe(`${VERSION}\n`);
      expect(io.err).toBe('');
    },
  );

  test('--help lists --version', async () => {
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out).toContain('-v, --version');
  });

  describe('packageVersion', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'callcontrol-version-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test('walks up to the package.json named callcontrol, past the one of another package', () => {
      // lib/cli.js of an installed callcontrol inside a project that has a package.json too.
      const pkg = join(dir, 'node_modules', 'callcontrol');
      mkdirSync(join(pkg, 'lib', 'nested'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '9.9.9' }));
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({ name: 'callcontrol', version: '1.2.3' }),
      );
      writeFileSync(join(pkg, 'lib', 'nested', 'package.json'), JSON.stringify({ type: 'module' }));
      expect(packageVersion(join(pkg, 'lib', 'nested'))).toBe('1.2.3');
      expect(packageVersion(join(pkg, 'lib'))).toBe('1.2.3');
    });

    test('throws when there is no package.json named callcontrol above', () => {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '9.9.9' }));
      expect(() => packageVersion(dir)).toThrow(/no package.json named callcontrol/);
    });

    test('reads this checkout from src/cli', () => {
      expect(packageVersion(join(ROOT, 'src', 'cli'))).toBe(VERSION);
    });
  });
});

describe('empty option values are usage errors', () => {
  let server: Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      request.resume();
      response.writeHead(200, { 'content-type': 'application/xml' }).end('<Response/>');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });
  beforeEach(() => {
    requests = 0;
  });

  test.each([
    ['placetel', '--secret', ''],
    ['placetel', '--secret', ' '],
    ['placetel', '--from', ''],
    ['placetel', '--to', ''],
    ['placetel', '--peer', ''],
    ['placetel', '--call-id', ''],
    ['ozeki', '--from', ''],
    ['ozeki', '--to', ''],
    ['ozeki', '--digits', ''],
    ['voipnow', '--digits', ''],
    ['voipnow', '--from', ''],
    ['voipnow', '--variable', ''],
    ['opentact', '--digits', ''],
    ['opentact', '--to', ''],
    ['opentact', '--hangup-cause', ''],
  ])('simulate %s %s %j: exit 2 naming the option, nothing sent', async (provider, flag, value) => {
    const io = capture();
    const code = await runCli(['simulate', provider, url, flag, value], io);
    expect(code).toBe(2);
    expect(io.err).toContain(`${flag} must not be empty`);
    expect(io.out).toBe('');
    expect(requests).toBe(0);
  });

  test('an empty entry among several --digits of Ozeki', async () => {
    const io = capture();
    expect(await runCli(['simulate', 'ozeki', url, '--digits', '1', ''], io)).toBe(2);
    expect(io.err).toContain('--digits must not be empty');
    expect(requests).toBe(0);
  });

  test('the same options with values play the call', async () => {
    const io = capture();
    const code = await runCli(
      ['simulate', 'voipnow', url, '--from', '100', '--to', '200', '--digits', '1'],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(requests).toBe(3);
  });

  test('--secret for a provider that signs nothing still names the real reason', async () => {
    const io = capture();
    expect(await runCli(['simulate', 'ozeki', url, '--secret', ''], io)).toBe(2);
    expect(io.err).toContain('Ozeki signs no requests');
  });
});
