#!/usr/bin/env node
/**
 * The `callcontrol` command.
 *
 * `callcontrol simulate placetel <url>` plays a whole Placetel call against a webhook URL and
 * prints each request and the answer it got; it exits 1 when any request got no 2xx answer.
 *
 * @module
 */
import { Command, InvalidArgumentError } from 'commander';
import { placetelCallScenario, PLACETEL_HANGUP_TYPES } from '../providers/placetel';
import { sendSequence, type ExchangeResult } from './send';

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
  io.stdout(`→ ${request.method} ${result.url}  ${request.event}\n  ${request.body}\n`);
  if (result.status === undefined) {
    io.stdout(`← no answer: ${result.error ?? 'unknown error'}\n\n`);
    return;
  }
  const ms = result.elapsedMs.toFixed(1);
  io.stdout(
    `← ${result.status} ${result.contentType ?? '(no content type)'}  ${ms} ms\n  ${result.body}\n\n`,
  );
}

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

  simulate
    .command('placetel')
    .description(
      'IncomingCall → CallAccepted → HungUp (or OutgoingCall → HungUp), form-encoded, keys sorted',
    )
    .argument(
      '<url>',
      'the webhook URL, e.g. http://127.0.0.1:3000/placetel (user:pass@ sends basic auth)',
    )
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
    .option('--call-id <id>', 'call id (default: random 64 hex characters)')
    .option(
      '--timeout-ms <ms>',
      'per-request timeout in milliseconds',
      wholeNumber('--timeout-ms'),
      10_000,
    )
    .option('--json', 'print the exchanges as one JSON document instead of text')
    .action(async (url: string, options: Record<string, string | number | boolean | undefined>) => {
      const str = (key: string): string | undefined =>
        typeof options[key] === 'string' ? (options[key] as string) : undefined;
      const requests = placetelCallScenario({
        direction: options['outgoing'] === true ? 'out' : 'in',
        ...(str('secret') === undefined ? {} : { secret: str('secret') as string }),
        ...(str('from') === undefined ? {} : { from: str('from') as string }),
        ...(str('to') === undefined ? {} : { to: str('to') as string }),
        ...(str('peer') === undefined ? {} : { peer: str('peer') as string }),
        ...(str('hangupCause') === undefined ? {} : { hangupType: str('hangupCause') as string }),
        ...(str('callId') === undefined ? {} : { callId: str('callId') as string }),
        ...(typeof options['duration'] === 'number'
          ? { durationSeconds: options['duration'] }
          : {}),
      });
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
