/**
 * `callcontrol replay <file> <url>`: sends every request of a recording (the app's `record`
 * option) again to `<url>` plus its recorded path and query, re-signed with a test credential
 * where the provider signs (`--secret`, `--auth-token`, `--private-key <file>`; the provider's
 * test-kit signing, `src/providers/<name>/plugin.ts`), and reports per request whether the
 * answer now differs from the recorded one: the status, and the body compared as XML. Exit 0 no
 * difference, 1 differences (or a request that got no answer), 2 usage error or unreadable file.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  compareReplies,
  urlTokensOf,
  parseRecording,
  replayRequest,
  type RecordedExchange,
  type ReplayCredentials,
  type ReplayDifference,
} from '../testing/replay';
import type { CliIo } from './io';

/** Per-request timeout of `callcontrol replay`, in milliseconds, unless `--timeout-ms`. */
const DEFAULT_REPLAY_TIMEOUT_MS = 10_000;

/** One replayed request, as `--json` prints it. */
export interface ReplayedRequest {
  /** Line order in the recording, from 1. */
  readonly index: number;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The URL the request was sent to. */
  readonly url: string;
  /** The recorded status. */
  readonly recordedStatus: number;
  /** The new status (`undefined` when no answer came). */
  readonly status: number | undefined;
  /** What differs; empty when the answer is the same. */
  readonly differences: readonly ReplayDifference[];
  /** Why no answer came (network error, timeout). */
  readonly error?: string;
}

async function sendOne(
  exchange: RecordedExchange,
  target: string,
  credentials: ReplayCredentials,
  timeoutMs: number,
  index: number,
): Promise<ReplayedRequest> {
  const request = replayRequest(exchange, target, credentials);
  const base = { index, method: request.method, url: request.url };
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    const body = await response.text();
    return {
      ...base,
      recordedStatus: exchange.reply.status,
      status: response.status,
      differences: compareReplies(
        exchange.reply,
        { status: response.status, body },
        urlTokensOf(target),
      ),
    };
  } catch (error) {
    return {
      ...base,
      recordedStatus: exchange.reply.status,
      status: undefined,
      differences: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function describe(result: ReplayedRequest): string {
  const head = `#${result.index} ${result.method} ${result.url}`;
  if (result.error !== undefined) return `${head}: no answer (${result.error})\n`;
  if (result.differences.length === 0) return `${head}: same (${String(result.status)})\n`;
  const lines = result.differences.map((difference) =>
    difference.field === 'status'
      ? `  status: recorded ${difference.recorded}, now ${difference.now}`
      : `  body: recorded ${JSON.stringify(difference.recorded)}\n        now ${JSON.stringify(difference.now)}`,
  );
  return `${head}: DIFFERS\n${lines.join('\n')}\n`;
}

/** Exit code of the registered command once it ran, see {@link registerReplayCommand}. */
export interface ReplayCommandHandle {
  /** The exit code the last run set; `undefined` when the command did not run. */
  exitCode(): number | undefined;
}

/**
 * Registers `replay <file> <url>` on `program`; the command writes to `io`.
 */
export function registerReplayCommand(program: Command, io: CliIo): ReplayCommandHandle {
  let exitCode: number | undefined;
  const command: Command = program
    .command('replay')
    .description(
      'send a recording (the app option `record`) again to a URL and report where the answers now differ',
    )
    .argument('<file>', 'the recording: one JSON object a line')
    .argument(
      '<url>',
      'the URL of the app mount; each recorded path and query is added to it (its own query, e.g. a URL token ?token=…, is kept)',
    )
    .option('--secret <secret>', 'sign with this shared secret (providers that sign so)')
    .option('--auth-token <token>', 'sign with this auth token (providers that sign the URL)')
    .option('--private-key <file>', 'sign with the private key (PEM) in this file')
    .option('--timeout-ms <ms>', 'per-request timeout in milliseconds')
    .option('--json', 'print the results as one JSON document')
    .action(
      async (file: string, target: string, flags: Readonly<Record<string, string | boolean>>) => {
        const usage = (message: string): never => {
          exitCode = 2;
          command.error(`error: ${message}`, { exitCode: 2 });
          throw new Error(message);
        };
        for (const key of ['secret', 'authToken', 'privateKey', 'timeoutMs'] as const) {
          const value = flags[key];
          if (typeof value === 'string' && value.trim() === '') usage(`--${key} must not be empty`);
        }
        const timeoutText = flags['timeoutMs'];
        const timeoutMs =
          typeof timeoutText === 'string' ? Number(timeoutText) : DEFAULT_REPLAY_TIMEOUT_MS;
        if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
          usage('--timeout-ms must be a positive whole number');
        }
        let url: URL | undefined;
        try {
          url = new URL(target);
        } catch {
          usage(`<url> is not a URL: ${target}`);
        }
        if (url?.protocol !== 'http:' && url?.protocol !== 'https:') usage('<url> must be http(s)');
        let exchanges: RecordedExchange[] = [];
        let privateKey: string | undefined;
        try {
          exchanges = parseRecording(await readFile(file, 'utf8'));
          if (typeof flags['privateKey'] === 'string') {
            privateKey = await readFile(flags['privateKey'], 'utf8');
          }
        } catch (error) {
          usage(error instanceof Error ? error.message : String(error));
        }
        const credentials: ReplayCredentials = {
          secret: typeof flags['secret'] === 'string' ? flags['secret'] : undefined,
          authToken: typeof flags['authToken'] === 'string' ? flags['authToken'] : undefined,
          privateKey,
        };
        const results: ReplayedRequest[] = [];
        for (const [index, exchange] of exchanges.entries()) {
          let result: ReplayedRequest;
          try {
            result = await sendOne(exchange, target, credentials, timeoutMs, index + 1);
          } catch (error) {
            usage(error instanceof Error ? error.message : String(error));
            return;
          }
          results.push(result);
          if (flags['json'] !== true) io.stdout(describe(result));
        }
        const differing = results.filter(
          (result) => result.error !== undefined || result.differences.length > 0,
        ).length;
        exitCode = differing === 0 ? 0 : 1;
        io.stdout(
          flags['json'] === true
            ? `${JSON.stringify({ file, url: target, requests: results.length, differing, results }, null, 2)}\n`
            : `${results.length} requests replayed, ${differing} differ\n`,
        );
      },
    );
  return { exitCode: () => exitCode };
}
