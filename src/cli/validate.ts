/**
 * `callcontrol validate <provider> <file>`: checks an XML answer document against what the
 * provider documents (see {@link validateAnswer}) and prints each problem with its spec
 * section.
 *
 * Output: one line per problem — severity, line:column, path, message, `[code]`, and the
 * spec section — then a summary line; coloured when stdout is a TTY and `NO_COLOR` is unset
 * (`FORCE_COLOR` forces colour, `FORCE_COLOR=0` turns it off). `--json` prints the
 * {@link ValidationResult} instead. `<file>` `-` reads stdin.
 *
 * Exit codes: 0 valid (warnings allowed), 1 invalid, 2 usage error or unreadable file.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import * as util from 'node:util';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PROVIDERS } from '../providers/registry';
import {
  VALIDATE_PROVIDERS,
  validateAnswer,
  type Problem,
  type ValidateOptions,
  type ValidateProvider,
  type ValidationResult,
} from '../validate';

/**
 * Where the command writes. Structurally the `CliIo` of `src/cli/index.ts` (declared here so
 * that this module does not import the CLI entry point).
 */
export interface ValidateCliIo {
  /** Receives the report, or the JSON document with `--json`. */
  readonly stdout: (text: string) => void;
  /** Receives errors (unreadable file). */
  readonly stderr: (text: string) => void;
}

/** Options of {@link registerValidateCommand}; all default to the process's own. */
export interface ValidateCommandOptions {
  /** Reads stdin for the file `-`. Default: all of `process.stdin` as UTF-8. */
  readonly readStdin?: () => Promise<string>;
  /** Reads a file as UTF-8. Default: `fs.promises.readFile`. */
  readonly readFile?: (path: string) => Promise<string>;
  /** Whether stdout is a terminal. Default: `process.stdout.isTTY`. */
  readonly isTTY?: boolean;
  /** The environment read for `NO_COLOR` and `FORCE_COLOR`. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called with the exit code when the command has run (0, 1 or 2). */
  readonly onExitCode?: (code: number) => void;
}

/** What {@link registerValidateCommand} returns. */
export interface ValidateCommandHandle {
  /** The `validate` command added to the program. */
  readonly command: Command;
  /**
   * The exit code of the last run: 0 valid, 1 invalid, 2 unreadable file; undefined when the
   * command has not run (commander reports usage errors itself, e.g. an unknown provider).
   */
  readonly exitCode: () => number | undefined;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseProvider(value: string): ValidateProvider {
  if ((VALIDATE_PROVIDERS as readonly string[]).includes(value)) return value as ValidateProvider;
  throw new InvalidArgumentError(`must be one of ${VALIDATE_PROVIDERS.join(', ')}`);
}

/**
 * Whether to colour: `FORCE_COLOR` (anything but `0`/`false`) forces it, `FORCE_COLOR=0`
 * or a set `NO_COLOR` turns it off (https://no-color.org/), otherwise only on a TTY.
 */
export function useColour(
  isTTY: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return isTTY;
}

type Style = 'red' | 'yellow' | 'green' | 'dim' | 'bold' | 'cyan';

const ANSI: Record<Style, readonly [number, number]> = {
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

type StyleText = (format: string, text: string, options?: { validateStream?: boolean }) => string;

/** A painter: `node:util` styleText when present (Node ≥ 20.12), else plain ANSI; identity without colour. */
function painter(colour: boolean): (style: Style, text: string) => string {
  if (!colour) return (_style, text) => text;
  const styleText = (util as { styleText?: StyleText }).styleText;
  return (style, text) => {
    if (styleText !== undefined) {
      try {
        // validateStream false: the colour decision is made here, not by Node.
        return styleText(style, text, { validateStream: false });
      } catch {
        // fall back to ANSI below
      }
    }
    const [open, close] = ANSI[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}

/** One problem as one line of the human output. */
export function formatProblem(
  problem: Problem,
  paint: (style: Style, text: string) => string = (_s, t) => t,
): string {
  const severity =
    problem.severity === 'error' ? paint('red', 'error  ') : paint('yellow', 'warning');
  const where = problem.line === undefined ? '-' : `${problem.line}:${problem.column ?? 1}`;
  return `${severity} ${paint('dim', where.padEnd(7))} ${paint('cyan', problem.path)}  ${problem.message} ${paint('dim', `[${problem.code}]`)} ${paint('dim', `(${problem.spec})`)}`;
}

/** The human report of a result: a header, one line per problem, a summary line. */
export function formatResult(
  provider: ValidateProvider,
  file: string,
  result: ValidationResult,
  colour = false,
): string {
  const paint = painter(colour);
  const errors = result.problems.filter((problem) => problem.severity === 'error').length;
  const warnings = result.problems.length - errors;
  const lines = [
    paint('bold', `validating ${file === '-' ? '(stdin)' : file} as a ${provider} answer`),
  ];
  for (const problem of result.problems) lines.push(formatProblem(problem, paint));
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    result.valid
      ? paint('green', `✓ valid${warnings > 0 ? ` (${count(warnings, 'warning')})` : ''}`)
      : paint('red', `✗ invalid: ${count(errors, 'error')}, ${count(warnings, 'warning')}`),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Adds `validate <provider> <file>` to `program` (a commander `Command`).
 *
 * The action reads the file (`-`: stdin), runs {@link validateAnswer} and prints the human
 * report or, with `--json`, the {@link ValidationResult} as JSON. Its exit code (0 valid, 1
 * invalid, 2 unreadable file) is passed to `options.onExitCode` and kept in the returned
 * handle's `exitCode()`; an unknown provider is a commander usage error
 * (`commander.invalidArgument`, which the CLI maps to 2).
 *
 * A provider's own options come from its plug-in (`validateOptions`), e.g. Ozeki's
 * `--ozeki-control <control>` (extension, thirdParty, routing), which names the control context
 * instead of inferring it; giving one with another provider is a usage error (exit 2).
 *
 * @example
 * ```ts
 * const program = new Command('callcontrol').exitOverride();
 * const validate = registerValidateCommand(program, io);
 * await program.parseAsync(['validate', 'placetel', 'answer.xml'], { from: 'user' });
 * process.exitCode = validate.exitCode() ?? 0;
 * ```
 */
export function registerValidateCommand(
  program: Command,
  io: ValidateCliIo,
  options: ValidateCommandOptions = {},
): ValidateCommandHandle {
  let exitCode: number | undefined;
  const finish = (code: number): void => {
    exitCode = code;
    options.onExitCode?.(code);
  };
  const command = program
    .command('validate')
    .description(
      'check an XML answer against what the provider documents; explains each problem with its spec section',
    )
    .argument('<provider>', `the provider: ${VALIDATE_PROVIDERS.join(', ')}`, parseProvider)
    .argument('<file>', 'the XML answer document; - reads stdin')
    .option('--json', 'print the result ({ valid, problems }) as JSON')
    .action(
      async (
        provider: ValidateProvider,
        file: string,
        flags: Readonly<Record<string, string | boolean | undefined>>,
      ) => {
        const given: Record<string, string> = {};
        for (const plugin of PROVIDERS) {
          for (const option of plugin.validateOptions ?? []) {
            const value = flags[option.key];
            if (typeof value !== 'string') continue;
            if (plugin.name !== provider) {
              command.error(
                `error: ${option.flags.split(' ')[0] ?? option.flags} is an option of ${plugin.name}, not ${provider}`,
                { exitCode: 2 },
              );
            }
            given[option.key] = value;
          }
        }
        let xml: string;
        try {
          xml =
            file === '-'
              ? await (options.readStdin ?? readAllStdin)()
              : await (options.readFile ?? ((path: string) => readFile(path, 'utf8')))(file);
        } catch (error) {
          // Not `instanceof Error`: errors from another realm (a test VM) are errors too.
          const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
          const reason =
            typeof code === 'string'
              ? `${code}${typeof message === 'string' ? ` (${message})` : ''}`
              : String(message ?? error);
          io.stderr(
            `callcontrol validate: cannot read ${file === '-' ? 'stdin' : file}: ${reason}\n`,
          );
          finish(2);
          return;
        }
        const result = validateAnswer(provider, xml, given as ValidateOptions);
        if (flags['json'] === true) {
          io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          const colour = useColour(
            options.isTTY ?? process.stdout.isTTY === true,
            options.env ?? process.env,
          );
          io.stdout(formatResult(provider, file, result, colour));
        }
        finish(result.valid ? 0 : 1);
      },
    );
  for (const plugin of PROVIDERS) {
    for (const option of plugin.validateOptions ?? []) {
      command.addOption(
        new Option(option.flags, `${plugin.title} only: ${option.description}`)
          .choices(option.choices)
          .argParser((value: string) => {
            if (!option.choices.includes(value)) {
              throw new InvalidArgumentError(`must be ${option.choices.join(', ')}`);
            }
            return value;
          }),
      );
    }
  }
  return { command, exitCode: () => exitCode };
}
