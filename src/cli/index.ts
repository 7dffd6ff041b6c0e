#!/usr/bin/env node
/**
 * The `callcontrol` command.
 *
 * `callcontrol simulate <provider> <url>` plays a whole call of that provider (`placetel`,
 * `ozeki`, `voipnow`, `opentact`) against a webhook URL and prints each request and the answer it got; it exits 1
 * when any request got no 2xx answer.
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander';
import { opentactCallScenario } from '../providers/opentact/simulate';
import { ozekiCallScenario } from '../providers/ozeki/simulate';
import { placetelCallScenario, PLACETEL_HANGUP_TYPES } from '../providers/placetel';
import { voipNowCallScenario } from '../providers/voipnow/simulate';
import { sendSequence, type ExchangeResult, type OutgoingRequest } from './send';

/** Where the command writes; defaults to the process streams. */
export interface CliIo {
  /** Receives the report: each request, its answer, and the summary line. */
  readonly stdout: (text: string) => void;
  /** Receives usage errors and help on errors. */
  readonly stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

function printExchange(io: CliIo, result: ExchangeResult): void {
  const { request } = result;
  // A GET's fields are in the URL; a POST's in the body, printed below it.
  io.stdout(`→ ${request.method} ${result.url}  ${request.event}\n`);
  if (request.body !== '') io.stdout(`  ${request.body}\n`);
  if (result.status === undefined) {
    io.stdout(`← no answer: ${result.error ?? 'unknown error'}\n\n`);
    return;
  }
  const ms = result.elapsedMs.toFixed(1);
  io.stdout(
    `← ${result.status} ${result.contentType ?? '(no content type)'}  ${ms} ms\n  ${result.body}\n\n`,
  );
}

/** The options commander hands an action: strings, numbers and flags. */
type ParsedOptions = Record<string, string | number | boolean | undefined>;

function stringOption(options: ParsedOptions, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' ? value : undefined;
}

/** `{ [name]: value }` when the option was given, `{}` otherwise (for exactOptionalPropertyTypes). */
function given<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}

/** One provider's `simulate` subcommand: its options and the requests of the call it plays. */
interface SimulateCommand {
  readonly provider: string;
  readonly description: string;
  readonly urlHelp: string;
  readonly configure: (command: Command) => void;
  readonly scenario: (options: ParsedOptions) => readonly OutgoingRequest[];
}

const SIMULATIONS: readonly SimulateCommand[] = [
  {
    provider: 'placetel',
    description:
      'IncomingCall → CallAccepted → HungUp (or OutgoingCall → HungUp), form-encoded, keys sorted',
    urlHelp: 'the webhook URL, e.g. http://127.0.0.1:3000/placetel (user:pass@ sends basic auth)',
    configure: (command) =>
      command
        .option('--secret <secret>', 'sign every request with X-PLACETEL-SIGNATURE')
        .option('--from <number>', 'caller id')
        .option('--to <number>', 'called number')
        .option('--peer <sip-id>', 'SIP peer that answers (incoming) or calls (outgoing)')
        .option('--outgoing', 'simulate an outgoing call (OutgoingCall → HungUp)')
        .option(
          '--hangup-cause <type>',
          `HungUp type: ${PLACETEL_HANGUP_TYPES.join(', ')} (anything but accepted skips CallAccepted)`,
        )
        .option(
          '--duration <seconds>',
          'talk time reported by HungUp, in seconds',
          wholeNumber('--duration'),
        )
        .option('--call-id <id>', 'call id (default: random 64 hex characters)'),
    scenario: (options) =>
      placetelCallScenario({
        direction: options['outgoing'] === true ? 'out' : 'in',
        ...given('secret', stringOption(options, 'secret')),
        ...given('from', stringOption(options, 'from')),
        ...given('to', stringOption(options, 'to')),
        ...given('peer', stringOption(options, 'peer')),
        ...given('hangupType', stringOption(options, 'hangupCause')),
        ...given('callId', stringOption(options, 'callId')),
        ...(typeof options['duration'] === 'number'
          ? { durationSeconds: options['duration'] }
          : {}),
      }),
  },
  {
    provider: 'ozeki',
    description: 'IncomingCall → DtmfEntered (one per --digits entry), form-encoded POSTs',
    urlHelp:
      'the notification URL, e.g. http://127.0.0.1:3000/ozeki (query parameters such as a token are kept)',
    configure: (command) =>
      command
        .option('--from <number>', 'CallerId of the caller (default 1000)')
        .option('--to <extension>', 'ApiExtension called (default 9994)')
        .option(
          '--digits <keys...>',
          'DtmfDigits typed after the menu, one DtmfEntered each (default 1234)',
        )
        .option('--call-id <id>', 'CallId (default: 5 random characters)'),
    scenario: (options) => {
      const digits = options['digits'];
      return ozekiCallScenario({
        ...given('from', stringOption(options, 'from')),
        ...given('to', stringOption(options, 'to')),
        ...given('callId', stringOption(options, 'callId')),
        ...(Array.isArray(digits) ? { digits: digits.map(String) } : {}),
      });
    },
  },
  {
    provider: 'voipnow',
    description:
      'Dial-In → Call Interactive (the caller typed --digits into the IVR) → Hangup, by GET or POST',
    urlHelp: 'the Script URL, e.g. http://127.0.0.1:3000/voipnow (query parameters are kept)',
    configure: (command) =>
      command
        .option('--method <method>', 'GET (fields in the query, default) or POST (form body)')
        .option('--from <number>', 'CallerIDNum (default 14155550100)')
        .option('--to <number>', 'CalledNumber and CalledDID (default 14155550199)')
        .option('--digits <digits>', 'what the caller typed into the IVR (default 09897987)')
        .option(
          '--variable <name>',
          'interactive parameter carrying the digits',
          'SubscriptionCode',
        )
        .option('--routed', 'send to <url>/dial-in, <url>/interactive, <url>/hangup')
        .option('--call-id <id>', 'CallID (default: 32 random hex characters)'),
    scenario: (options) => {
      const method = stringOption(options, 'method')?.toUpperCase();
      if (method !== undefined && method !== 'GET' && method !== 'POST') {
        throw new InvalidArgumentError('--method must be GET or POST');
      }
      return voipNowCallScenario({
        ...(method === undefined ? {} : { method }),
        ...given('from', stringOption(options, 'from')),
        ...given('to', stringOption(options, 'to')),
        ...given('digits', stringOption(options, 'digits')),
        ...given('variable', stringOption(options, 'variable')),
        ...given('callId', stringOption(options, 'callId')),
        routed: options['routed'] === true,
      });
    },
  },
  {
    provider: 'opentact',
    description:
      'call-flow request → call_state init → call_flow Answer → call_state live → Gather follow-up (--digits) → hangup → destroyed',
    urlHelp:
      'the URL of call_flow_url, webhook_url and the Gather url, e.g. http://127.0.0.1:3000/opentact',
    configure: (command) =>
      command
        .option(
          '--method <method>',
          'call-flow request by GET (default) or POST (JSON call entity)',
        )
        .option('--from <number>', 'caller (ANI, default +14158531285)')
        .option('--to <number>', 'Opentact number called (DNIS, default 18382050010)')
        .option('--digits <keys>', 'digits entered at the Gather with a url (default 1234)')
        .option(
          '--duration <seconds>',
          'talk time reported when the call ends, in seconds',
          wholeNumber('--duration'),
        )
        .option('--call-id <uuid>', 'the call uuid (default: random)'),
    scenario: (options) => {
      const method = stringOption(options, 'method')?.toUpperCase();
      if (method !== undefined && method !== 'GET' && method !== 'POST') {
        throw new InvalidArgumentError('--method must be GET or POST');
      }
      return opentactCallScenario({
        ...(method === undefined ? {} : { method }),
        ...given('from', stringOption(options, 'from')),
        ...given('to', stringOption(options, 'to')),
        ...given('digits', stringOption(options, 'digits')),
        ...given('callId', stringOption(options, 'callId')),
        ...(typeof options['duration'] === 'number'
          ? { durationSeconds: options['duration'] }
          : {}),
      });
    },
  },
];

/**
 * Runs the command with `argv` (without `node` and the script path) and resolves with the exit
 * code: 0 when every request got a 2xx answer, 1 otherwise, 2 for a usage error.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('callcontrol')
    .description('Call-control webhooks for telephony providers')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const simulate = program
    .command('simulate')
    .description('play a whole call against a webhook URL, the way the provider sends it');

  for (const simulation of SIMULATIONS) {
    const command = simulate
      .command(simulation.provider)
      .description(simulation.description)
      .argument('<url>', simulation.urlHelp);
    simulation.configure(command);
    command
      .option(
        '--timeout-ms <ms>',
        'per-request timeout in milliseconds',
        wholeNumber('--timeout-ms'),
        10_000,
      )
      .option('--json', 'print the exchanges as one JSON document instead of text')
      .action(async (url: string, options: ParsedOptions) => {
        const requests = simulation.scenario(options);
        const json = options['json'] === true;
        const results = await sendSequence(url, requests, {
          timeoutMs: options['timeoutMs'] as number,
          ...(json ? {} : { onExchange: (result: ExchangeResult) => printExchange(io, result) }),
        });
        const failed = results.filter(
          (r) => r.status === undefined || r.status < 200 || r.status > 299,
        );
        if (failed.length > 0 || results.length < requests.length) exitCode = 1;
        if (json) {
          io.stdout(`${JSON.stringify({ ok: exitCode === 0, exchanges: results }, null, 2)}\n`);
        } else {
          io.stdout(
            exitCode === 0
              ? `✓ ${results.length} requests, every answer 2xx\n`
              : `✗ ${failed.length} of ${requests.length} requests without a 2xx answer\n`,
          );
        }
      });
  }

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
  return exitCode;
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
