#!/usr/bin/env node
/**
 * The `callcontrol` command.
 *
 * `callcontrol simulate <provider> <url>` plays a whole call of that provider (`placetel`,
 * `ozeki`, `voipnow`, `opentact`, `sipgate`) against a webhook URL — the same scenarios as the test kit
 * (`callcontrol/testing`) plays — and prints a progress line per request with the answer it got
 * and a summary (coloured on a terminal), or one JSON document with `--json`. Exit codes: 0
 * every answer 2xx, 1 any request without a 2xx answer, 2 usage error.
 *
 * `callcontrol validate <provider> <file.xml>` checks an XML answer against what the provider
 * documents and names the spec section of each problem (see `src/validate/`); exit 0 valid, 1
 * invalid, 2 usage error or unreadable file.
 *
 * `callcontrol --version` (`-v`) prints the version of the installed package.
 *
 * An option given an empty or blank value (`--secret ''`, or `--secret "$SECRET"` with the
 * variable unset) is a usage error naming the option: none of the options means anything
 * empty, and a request signed with an empty key would only look like a wrong secret.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { opentactCallScenario, Q850_CAUSES } from '../providers/opentact/simulate';
import { ozekiCallScenario } from '../providers/ozeki/simulate';
import { placetelCallScenario, PLACETEL_HANGUP_TYPES } from '../providers/placetel';
import { SIPGATE_HANGUP_CAUSES, sipgateCallScenario } from '../providers/sipgate';
import { VOIPNOW_HANGUP_STATUSES, voipNowCallScenario } from '../providers/voipnow/simulate';
import { processIo, useColour, type CliIo } from './io';
import {
  formatExchange,
  formatHeading,
  formatJson,
  formatSummary,
  summarize,
  passed,
} from './output';
import { registerValidateCommand } from './validate';
import { sendSequence, splitCredentials, type ExchangeResult, type OutgoingRequest } from './send';
import { packageVersion } from './version';

export { processIo, useColour, type CliIo } from './io';

function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
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

/** `{ [name]: value }` when `value` is defined, `{}` otherwise. */
function optional<K extends string, V>(name: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, V>);
}

/** One provider's `simulate` subcommand: its options and the requests of the call it plays. */
interface SimulateCommand {
  readonly provider: string;
  readonly description: string;
  readonly urlHelp: string;
  readonly configure: (command: Command) => void;
  readonly scenario: (options: ParsedOptions) => readonly OutgoingRequest[];
  /**
   * Common scenario options this provider has no notion of, with the reason: accepted by the
   * parser (hidden from `--help`) only to explain the usage error.
   */
  readonly unsupported: Readonly<Record<string, string>>;
  /** Printed after the options in `--help`: what each common option means here. */
  readonly notes: string;
}

/** The common scenario options: `--from`, `--to`, `--digits`, `--secret`, `--hangup-cause`. */
const COMMON_OPTIONS: Readonly<Record<string, string>> = {
  secret: '--secret <secret>',
  digits: '--digits <keys>',
  hangupCause: '--hangup-cause <cause>',
};

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
    unsupported: {
      digits: 'Placetel sends no digits: its Call Control API has no DTMF events',
    },
    notes: `
Placetel: --secret signs each body with X-PLACETEL-SIGNATURE (HMAC-SHA256, the app's
\`secret\`); --hangup-cause is HungUp's type; there is no --digits (Placetel sends no DTMF).
Basic auth: put user:password@ in the URL.`,
    scenario: (options) =>
      placetelCallScenario({
        direction: options['outgoing'] === true ? 'out' : 'in',
        ...given('secret', stringOption(options, 'secret')),
        ...given('from', stringOption(options, 'from')),
        ...given('to', stringOption(options, 'to')),
        ...given('peer', stringOption(options, 'peer')),
        ...optional('hangupType', placetelHangupType(stringOption(options, 'hangupCause'))),
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
    unsupported: {
      secret:
        "Ozeki signs no requests: put the app's URL token in the URL (?token=…) or basic auth as user:password@",
      hangupCause: 'Ozeki sends no hangup notification to an API extension, so no hangup cause',
    },
    notes: `
Ozeki: --digits takes one or more entries, one DtmfEntered each; there is no --secret (Ozeki
signs nothing: put a URL token in the URL, ?token=…, or user:password@ for basic auth) and no
--hangup-cause (Ozeki sends no hangup notification to an API extension).`,
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
        .option(
          '--hangup-cause <status>',
          `CallStatus of the Hangup event: ${VOIPNOW_HANGUP_STATUSES.join(' or ')} (default ANSWER)`,
        )
        .option('--call-id <id>', 'CallID (default: 32 random hex characters)'),
    unsupported: {
      secret:
        "VoipNow signs no requests: put the app's URL token in the URL (?token=…) or basic auth as user:password@",
    },
    notes: `
VoipNow: --digits is the interactive parameter (--variable) of the Call Interactive request;
--hangup-cause is the Hangup event's CallStatus (ANSWER or UNKNOWN, all VoipNow sends); there
is no --secret (VoipNow signs nothing: put a URL token in the URL, ?token=…, or user:password@).`,
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
        ...optional('hangupStatus', voipNowHangupStatus(stringOption(options, 'hangupCause'))),
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
        .option(
          '--hangup-cause <cause>',
          `Q.850 cause reported by call_state destroyed, a number or ${Object.keys(Q850_CAUSES).join(', ')} (default NORMAL_CLEARING)`,
        )
        .option('--call-id <uuid>', 'the call uuid (default: random)'),
    unsupported: {
      secret:
        "Opentact signs no requests: put the app's URL token in the URL (?token=…) or basic auth as user:password@",
    },
    notes: `
Opentact: --digits are entered at the Gather with a url; --hangup-cause is the Q.850 cause of
call_state destroyed; there is no --secret (Opentact signs nothing, spec §5: put the URL token
in the URL, ?token=…, as Opentact's docs do).`,
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
        ...given('hangupCause', stringOption(options, 'hangupCause')),
        ...(typeof options['duration'] === 'number'
          ? { durationSeconds: options['duration'] }
          : {}),
      });
    },
  },
  {
    provider: 'sipgate',
    description:
      'newCall → answer → dtmf (with --digits) → hangup, form-encoded POSTs, signed with --private-key',
    urlHelp: 'the push URL, e.g. http://127.0.0.1:3000/sipgate (user:pass@ sends basic auth)',
    configure: (command) =>
      command
        .option(
          '--private-key <file>',
          "sign every request with X-Sipgate-Signature using this RSA private key (PEM file); the app's publicKey must be its public half",
        )
        .option('--from <number>', 'calling number (default 491776249000)')
        .option('--to <number>', 'called number (default 4928559389086)')
        .option('--outgoing', 'simulate an outgoing call (direction=out)')
        .option('--digits <keys>', 'keys entered after the answer: one dtmf event (default none)')
        .option(
          '--hangup-cause <cause>',
          `cause of the hangup event, e.g. ${SIPGATE_HANGUP_CAUSES.join(', ')} (default normalClearing; any other skips answer and dtmf)`,
        )
        .option('--call-id <id>', 'callId (default: 76 random upper-case hex characters)'),
    unsupported: {
      secret:
        "sipgate signs with an RSA key, not a shared secret: give --private-key <file> (a PEM private key whose public half is the app's publicKey)",
    },
    notes: `
sipgate: --private-key signs each body with X-Sipgate-Signature (RSA-SHA256, spec
docs/providers/sipgate.md §3.1); sipgate's own private key is not public, so give a key pair
of yours and the app its public half as \`publicKey\` (unsigned requests get 403 from an app
with the default key). --digits sends one dtmf event; --hangup-cause is the hangup's cause.`,
    scenario: (options) => {
      const keyFile = stringOption(options, 'privateKey');
      let privateKey: string | undefined;
      if (keyFile !== undefined) {
        try {
          privateKey = readFileSync(keyFile, 'utf8');
        } catch (error) {
          throw new InvalidArgumentError(
            `--private-key: cannot read ${keyFile}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      const requests = sipgateCallScenario({
        direction: options['outgoing'] === true ? 'out' : 'in',
        ...given('from', stringOption(options, 'from')),
        ...given('to', stringOption(options, 'to')),
        ...given('dtmf', stringOption(options, 'digits')),
        ...given('cause', stringOption(options, 'hangupCause')),
        ...given('callId', stringOption(options, 'callId')),
        ...optional('privateKey', privateKey),
      });
      return requests;
    },
  },
];

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

/** `--hangup-cause` of Placetel: one of its HungUp types. */
function placetelHangupType(
  value: string | undefined,
): (typeof PLACETEL_HANGUP_TYPES)[number] | undefined {
  if (value === undefined) return undefined;
  const type = PLACETEL_HANGUP_TYPES.find((known) => known === value);
  if (type === undefined) {
    throw new InvalidArgumentError(
      `--hangup-cause must be one of ${PLACETEL_HANGUP_TYPES.join(', ')}, got "${value}"`,
    );
  }
  return type;
}

/** `--hangup-cause` of VoipNow: the Hangup event's CallStatus. */
function voipNowHangupStatus(
  value: string | undefined,
): (typeof VOIPNOW_HANGUP_STATUSES)[number] | undefined {
  if (value === undefined) return undefined;
  const status = VOIPNOW_HANGUP_STATUSES.find((known) => known === value.toUpperCase());
  if (status === undefined) {
    throw new InvalidArgumentError(
      `--hangup-cause must be ${VOIPNOW_HANGUP_STATUSES.join(' or ')}, got "${value}"`,
    );
  }
  return status;
}

/**
 * Runs the command with `argv` (without `node` and the script path) and resolves with the exit
 * code: 0 when every request got a 2xx answer, 1 otherwise, 2 for a usage error.
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

  for (const simulation of SIMULATIONS) {
    // Typed explicitly so that `command.error()` (never returns) narrows the code after it.
    const command: Command = simulate
      .command(simulation.provider)
      .description(simulation.description)
      .argument('<url>', simulation.urlHelp);
    simulation.configure(command);
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
      .option('--json', 'print the exchanges as one JSON document instead of text')
      .addHelpText('after', simulation.notes)
      .action(async (target: string, options: ParsedOptions) => {
        for (const [key, reason] of Object.entries(simulation.unsupported)) {
          if (options[key] !== undefined) {
            command.error(`error: ${COMMON_OPTIONS[key] ?? key}: ${reason}`, { exitCode: 2 });
          }
        }
        const empty = emptyOption(command, options);
        if (empty !== undefined) command.error(empty, { exitCode: 2 });
        let requests: readonly OutgoingRequest[];
        let url: string;
        try {
          requests = simulation.scenario(options);
          url = splitCredentials(target).url;
        } catch (error) {
          command.error(`error: ${error instanceof Error ? error.message : String(error)}`, {
            exitCode: 2,
          });
        }
        const json = options['json'] === true;
        const colour = !json && useColour(io);
        if (!json) io.stdout(formatHeading(simulation.provider, url, requests.length, colour));
        const started = performance.now();
        let index = 0;
        const results = await sendSequence(target, requests, {
          timeoutMs: options['timeoutMs'] as number,
          ...(json
            ? {}
            : {
                onExchange: (result: ExchangeResult) =>
                  io.stdout(formatExchange(result, ++index, requests.length, colour)),
              }),
        });
        const summary = summarize(results, requests.length, performance.now() - started);
        if (!passed(summary)) exitCode = 1;
        io.stdout(
          json
            ? formatJson(simulation.provider, url, results, summary)
            : formatSummary(summary, colour),
        );
      });
  }

  const validate = registerValidateCommand(program, io);

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
  return validate.exitCode() ?? exitCode;
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
