#!/usr/bin/env node
/**
 * The `callcontrol` command.
 *
 * `callcontrol simulate <provider> <url>` plays a whole call of a registered provider
 * (`src/providers/registry.ts`; each provider's options are in its `plugin.ts`) against a
 * webhook URL — the same scenarios as the test kit
 * (`callcontrol/testing`) plays — and prints a progress line per request (the bodies with
 * `--verbose`), the call as the caller lives it (the transcript the provider's model writes,
 * see `src/testing/transcript.ts`) and a summary (coloured on a terminal), or one JSON document
 * with `--json`. `--scenario <file>` reads a scenario file (JSON or YAML, see `./scenario.ts`)
 * under the flags given. A followed
 * answer that breaks the provider's rules (`CC_ERR_ANSWER_INVALID`) ends the call there: the
 * exchanges so far are reported with the problems (path, message, spec section), and `problem`
 * in the JSON. Exit codes: 0 every answer 2xx, 1 any request without a 2xx answer or an invalid
 * answer, 2 usage error.
 *
 * `callcontrol validate <provider> <file.xml>` checks an XML answer against what the provider
 * documents and names the spec section of each problem (see `src/validate/`); exit 0 valid, 1
 * invalid, 2 usage error or unreadable file.
 *
 * `callcontrol replay <file> <url>` sends a recording (the app option `record`) again and
 * reports where the answers now differ (see `./replay.ts`); exit 0 none, 1 differences, 2 usage.
 *
 * `callcontrol --version` (`-v`) prints the version of the installed package.
 *
 * An option given an empty or blank value (`--secret ''`, or `--secret "$SECRET"` with the
 * variable unset) is a usage error naming the option: none of the options means anything
 * empty, and a request signed with an empty key would only look like a wrong secret.
 *
 * @module
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SimulateArguments, SimulateOption } from '../providers/plugin';
import { isCallControlError } from '../core/errors';
import { PROVIDERS } from '../providers/registry';
import { processIo, useColour, type CliIo } from './io';
import {
  formatExchange,
  formatHeading,
  formatJson,
  formatProblem,
  formatSummary,
  formatTranscriptBlock,
  type AnswerProblem,
  summarize,
  passed,
} from './output';
import { registerReplayCommand } from './replay';
import { registerValidateCommand } from './validate';
import { sendSequence, splitCredentials, type ExchangeResult, type OutgoingRequest } from './send';
import { withScenarioFile } from './scenario';
import { callStep, type TranscriptEntry } from '../testing/transcript';
import { packageVersion } from './version';

export { processIo, useColour, type CliIo } from './io';

function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

/** The options commander hands an action: strings, numbers and flags. */
type ParsedOptions = SimulateArguments;

/** The common scenario options: `--from`, `--to`, `--digits`, `--secret`, `--hangup-cause`. */
const COMMON_OPTIONS: Readonly<Record<string, string>> = {
  secret: '--secret <secret>',
  digits: '--digits <keys>',
  hangupCause: '--hangup-cause <cause>',
};

/** The commander option of a provider's declared `simulate` option. */
function commanderOption(declared: SimulateOption): Option {
  const option = new Option(declared.flags, declared.description);
  if (declared.wholeNumber === true)
    option.argParser(wholeNumber(declared.flags.split(' ')[0] ?? declared.flags));
  if (declared.defaultValue !== undefined) option.default(declared.defaultValue);
  return option;
}

/**
 * The first option of `command` given an empty or blank value (`''`, `' '`; for a variadic
 * option, any entry), as the usage error to report; `undefined` when there is none.
 */
function emptyOption(command: Command, options: ParsedOptions): string | undefined {
  for (const option of command.options) {
    const value: unknown = options[option.attributeName()];
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((entry) => typeof entry === 'string' && entry.trim() === '')) {
      return (
        `error: ${option.long ?? option.flags} must not be empty ` +
        '(is the shell variable that should give it unset?)'
      );
    }
  }
  return undefined;
}

/** The version `--version` prints; the reason instead when package.json cannot be read. */
function version(): string {
  try {
    return packageVersion();
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Runs the command with `argv` (without `node` and the script path) and resolves with the exit
 * code: 0 when every request got a 2xx answer, 1 otherwise or for an invalid followed answer,
 * 2 for a usage error.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('callcontrol')
    .description('Call-control webhooks for telephony providers')
    .version(version(), '-v, --version', 'print the version of callcontrol')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const simulate = program
    .command('simulate')
    .description('play a whole call against a webhook URL, the way the provider sends it');

  for (const plugin of PROVIDERS) {
    const simulation = plugin.simulate;
    // Typed explicitly so that `command.error()` (never returns) narrows the code after it.
    const command: Command = simulate
      .command(plugin.name)
      .description(simulation.description)
      .argument('<url>', simulation.urlHelp);
    for (const option of simulation.options) command.addOption(commanderOption(option));
    for (const key of Object.keys(simulation.unsupported)) {
      const flags = COMMON_OPTIONS[key];
      if (flags !== undefined) command.addOption(new Option(flags).hideHelp());
    }
    command
      .option(
        '--timeout-ms <ms>',
        'per-request timeout in milliseconds',
        wholeNumber('--timeout-ms'),
        10_000,
      )
      .option(
        '--scenario <file>',
        'a scenario file (JSON or YAML): caller, callee, digits, targets (who answers after how many seconds, busy, no-answer), talkSeconds, hangupAfterSeconds, options; flags given win',
      )
      .option('--verbose', 'print each raw request body and answer under its exchange')
      .option(
        '--json',
        'print the exchanges and the transcript as one JSON document instead of text',
      )
      .addHelpText('after', simulation.notes)
      .action(async (target: string, given: ParsedOptions) => {
        let options = given;
        const scenarioFile = given['scenario'];
        if (typeof scenarioFile === 'string' && scenarioFile.trim() !== '') {
          try {
            options = withScenarioFile(
              command,
              given,
              scenarioFile,
              new Set(
                simulation.options
                  .filter((option) => option.wholeNumber === true)
                  .map((option) => new Option(option.flags).attributeName()),
              ),
            );
          } catch (error) {
            command.error(`error: ${error instanceof Error ? error.message : String(error)}`, {
              exitCode: 2,
            });
          }
        }
        for (const [key, reason] of Object.entries(simulation.unsupported)) {
          if (options[key] !== undefined && reason !== undefined) {
            command.error(`error: ${COMMON_OPTIONS[key] ?? key}: ${reason}`, { exitCode: 2 });
          }
        }
        const empty = emptyOption(command, options);
        if (empty !== undefined) command.error(empty, { exitCode: 2 });
        let requests: readonly OutgoingRequest[];
        let url: string;
        let base: string;
        // What the caller lives, as the provider's model writes it at each step.
        const transcript: TranscriptEntry[] = [];
        try {
          const opening = callStep(simulation.scenario(options));
          requests = opening.requests;
          transcript.push(...opening.transcript);
          url = splitCredentials(target).url;
          base = url.replace(/\/+$/, '');
        } catch (error) {
          command.error(`error: ${error instanceof Error ? error.message : String(error)}`, {
            exitCode: 2,
          });
        }
        const json = options['json'] === true;
        const verbose = options['verbose'] === true;
        const colour = !json && useColour(io);
        if (!json) {
          io.stdout(
            formatHeading(
              plugin.name,
              url,
              requests.length,
              colour,
              simulation.follow !== undefined,
            ),
          );
        }
        const started = performance.now();
        let index = 0;
        let planned = requests.length;
        const { follow, sign } = simulation;
        // An answer that breaks the provider's rules ends the run as a failed one (exit 1),
        // with the exchanges so far still reported.
        let problem: AnswerProblem | undefined;
        let results: ExchangeResult[];
        try {
          results = await sendSequence(target, requests, {
            timeoutMs: options['timeoutMs'] as number,
            ...(follow === undefined
              ? {}
              : {
                  follow: (result: ExchangeResult, sent: readonly OutgoingRequest[]) => {
                    try {
                      const step = callStep(follow.call(simulation, result, sent, options, base));
                      transcript.push(...step.transcript);
                      return step;
                    } catch (error) {
                      if (!isCallControlError(error) || error.code !== 'CC_ERR_ANSWER_INVALID') {
                        throw error;
                      }
                      problem = { code: error.code, message: error.message };
                      return [];
                    }
                  },
                }),
            ...(sign === undefined
              ? {}
              : {
                  sign: (request: OutgoingRequest, requestUrl: string) =>
                    sign.call(simulation, request, requestUrl, options),
                }),
            onExchange: (result: ExchangeResult, total: number) => {
              planned = total;
              if (!json) io.stdout(formatExchange(result, ++index, total, colour, verbose));
            },
            stop: () => problem !== undefined,
          });
        } catch (error) {
          command.error(`error: ${error instanceof Error ? error.message : String(error)}`, {
            exitCode: 2,
          });
        }
        const summary = summarize(results, planned, performance.now() - started);
        if (!passed(summary) || problem !== undefined) exitCode = 1;
        if (json) {
          io.stdout(formatJson(plugin.name, url, results, summary, problem, transcript));
        } else {
          io.stdout(formatTranscriptBlock(transcript, colour));
          if (problem !== undefined) io.stdout(formatProblem(problem, colour));
          io.stdout(formatSummary(summary, colour));
        }
      });
  }

  const validate = registerValidateCommand(program, io);
  const replay = registerReplayCommand(program, io);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (
      code === 'commander.helpDisplayed' ||
      code === 'commander.version' ||
      code === 'commander.help'
    )
      return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    io.stderr(`callcontrol: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  return validate.exitCode() ?? replay.exitCode() ?? exitCode;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
