/**
 * `callcontrol validate` through a fresh commander Command with captured output: exit codes,
 * the JSON shape, stdin, and colour only when asked for.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  registerValidateCommand,
  useColour,
  type ValidateCommandOptions,
} from '../../src/cli/validate';

// eslint-disable-next-line no-control-regex -- the ANSI escape is what is looked for
const ANSI = /\u001b\[/;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[], options: ValidateCommandOptions = {}): Promise<Run> {
  const captured = { out: '', err: '' };
  const io = {
    stdout: (text: string) => {
      captured.out += text;
    },
    stderr: (text: string) => {
      captured.err += text;
    },
  };
  const program = new Command('callcontrol')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const handle = registerValidateCommand(program, io, { isTTY: false, env: {}, ...options });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) return { code: 2, ...captured };
    throw error;
  }
  return { code: handle.exitCode() ?? 0, ...captured };
}

let dir: string;
const file = (name: string, xml: string): string => {
  const path = join(dir, name);
  writeFileSync(path, xml);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callcontrol-validate-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const VALID =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Reject reason="busy"/>\n</Response>\n';
const INVALID = '<Response>\n  <Reject reason="declined"/>\n  <Dial/>\n</Response>\n';

test('a valid answer exits 0 with a ✓ line', async () => {
  const result = await run(['validate', 'placetel', file('valid.xml', VALID)]);
  expect(result.code).toBe(0);
  expect(result.err).toBe('');
  expect(result.out).toMatch(/as a placetel answer/);
  expect(result.out).toMatch(/✓ valid\n$/);
  expect(result.out).not.toMatch(ANSI);
});

test('warnings alone still exit 0', async () => {
  const result = await run([
    'validate',
    'placetel',
    file('legacy.xml', '<Response><Queue queue_id="1"/></Response>'),
  ]);
  expect(result.code).toBe(0);
  expect(result.out).toMatch(
    /^warning 1:11 +\/Response\/Queue\[1\]\/@queue_id .*\[legacy\] \(docs\/providers\/placetel\.md §3\.3/m,
  );
  expect(result.out).toMatch(/✓ valid \(1 warning\)/);
});

test('an invalid answer exits 1, one line per problem with line:col, path, message, spec', async () => {
  const result = await run(['validate', 'placetel', file('invalid.xml', INVALID)]);
  expect(result.code).toBe(1);
  const lines = result.out.trimEnd().split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[1]).toMatch(
    /^error +2:3 +\/Response\/Reject\[1\]\/@reason +<Reject> reason must be "busy", got "declined" \[bad-enum\] \(docs\/providers\/placetel\.md §3\.3 Other actions\)$/,
  );
  expect(lines[2]).toMatch(/^error +3:3 +\/Response\/Dial\[1\] .*\[unknown-element\]/);
  expect(lines[3]).toBe('✗ invalid: 2 errors, 0 warnings');
  expect(result.out).not.toMatch(ANSI);
});

test('--json prints the ValidationResult', async () => {
  const result = await run(['validate', 'placetel', file('invalid.xml', INVALID), '--json']);
  expect(result.code).toBe(1);
  const parsed = JSON.parse(result.out) as unknown;
  expect(parsed).toEqual({
    valid: false,
    problems: [
      {
        code: 'bad-enum',
        message: '<Reject> reason must be "busy", got "declined"',
        path: '/Response/Reject[1]/@reason',
        line: 2,
        column: 3,
        spec: 'docs/providers/placetel.md §3.3 Other actions',
        severity: 'error',
      },
      expect.objectContaining({
        code: 'unknown-element',
        path: '/Response/Dial[1]',
        line: 3,
        column: 3,
      }),
    ],
  });
  expect(Object.keys(parsed as object)).toEqual(['valid', 'problems']);
});

test('malformed XML exits 1 with its line and column', async () => {
  const result = await run([
    'validate',
    'opentact',
    file('broken.xml', '<Response>\n<Say>Hi</Response>'),
    '--json',
  ]);
  expect(result.code).toBe(1);
  const parsed = JSON.parse(result.out) as { problems: { code: string; line?: number }[] };
  expect(parsed.problems[0]).toMatchObject({ code: 'xml-malformed', line: 2 });
});

test('- reads stdin', async () => {
  const result = await run(['validate', 'voipnow', '-'], {
    readStdin: () => Promise.resolve('<Response><Hangup/></Response>'),
  });
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/validating \(stdin\) as a voipnow answer/);
});

test('--ozeki-control names the context', async () => {
  const path = file('speak.xml', '<Response><Speak>Hi</Speak></Response>');
  expect((await run(['validate', 'ozeki', path])).code).toBe(0);
  const third = await run(['validate', 'ozeki', path, '--ozeki-control', 'thirdParty']);
  expect(third.code).toBe(1);
  expect(third.out).toMatch(/needs party in third-party control/i);
  expect((await run(['validate', 'ozeki', path, '--ozeki-control', 'nope'])).code).toBe(2);
  const other = await run([
    'validate',
    'placetel',
    file('v.xml', VALID),
    '--ozeki-control',
    'routing',
  ]);
  expect(other.code).toBe(2);
  expect(other.err).toMatch(/--ozeki-control is an option of ozeki, not placetel/);
});

test('an unreadable file exits 2 with a message on stderr', async () => {
  const result = await run(['validate', 'placetel', join(dir, 'missing.xml')]);
  expect(result.code).toBe(2);
  expect(result.out).toBe('');
  expect(result.err).toMatch(/cannot read .*missing\.xml: ENOENT/);
});

test('an unknown provider or a missing argument is a usage error (2)', async () => {
  const unknown = await run(['validate', 'nosuchprovider', file('v.xml', VALID)]);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toMatch(/placetel, ozeki, voipnow, opentact, sipgate/);
  expect((await run(['validate', 'placetel'])).code).toBe(2);
});

describe('colour', () => {
  test('only on a TTY, unless NO_COLOR; FORCE_COLOR forces', () => {
    expect(useColour(true, {})).toBe(true);
    expect(useColour(false, {})).toBe(false);
    expect(useColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColour(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour(true, { FORCE_COLOR: '0' })).toBe(false);
  });

  test('a TTY gets ANSI colours; FORCE_COLOR without a TTY too; NO_COLOR none', async () => {
    const path = file('invalid.xml', INVALID);
    expect((await run(['validate', 'placetel', path], { isTTY: true })).out).toMatch(ANSI);
    expect((await run(['validate', 'placetel', path], { env: { FORCE_COLOR: '1' } })).out).toMatch(
      ANSI,
    );
    expect(
      (await run(['validate', 'placetel', path], { isTTY: true, env: { NO_COLOR: '1' } })).out,
    ).not.toMatch(ANSI);
  });

  test('--json never has colour', async () => {
    const result = await run(['validate', 'placetel', file('invalid.xml', INVALID), '--json'], {
      isTTY: true,
    });
    expect(result.out).not.toMatch(ANSI);
  });
});
