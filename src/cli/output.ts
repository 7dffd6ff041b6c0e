/**
 * How `callcontrol simulate` reports: one progress line per exchange (with the body sent and
 * the answer) and a summary for a terminal, coloured when {@link useColour} says so; or one
 * JSON document with `--json`.
 *
 * @module
 */
import type { ExchangeResult } from './send';
import { clock, describeEntry, type CallTranscript } from '../testing/transcript';

/** ANSI SGR styles used; every one is reset with `\x1b[0m`. */
const STYLES = { green: 32, red: 31, dim: 2, bold: 1, cyan: 36 } as const;

/** A style name of {@link STYLES}. */
export type Style = keyof typeof STYLES;

/** Styles text when `colour` is true; returns it unchanged otherwise. */
export function stylize(colour: boolean, style: Style, text: string): string {
  return colour ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
}

/** Whether an exchange got a 2xx answer. */
export function exchangeOk(result: ExchangeResult): boolean {
  return result.status !== undefined && result.status >= 200 && result.status <= 299;
}

/**
 * The lines of one exchange: `✓ 1/3 IncomingCall  POST <url> → 200 <type>  3.1 ms`; with
 * `verbose`, then `  > <body sent>` (POST) and `  < <answer>` (the answer of a request that got
 * no 2xx is shown without `verbose` too: it says why).
 *
 * @param index - the exchange's position, from 1
 * @param total - the number of requests sent and planned so far (it grows as the call follows
 *   the answers)
 */
export function formatExchange(
  result: ExchangeResult,
  index: number,
  total: number,
  colour: boolean,
  verbose = true,
): string {
  const ok = exchangeOk(result);
  const mark = ok ? stylize(colour, 'green', '✓') : stylize(colour, 'red', '✗');
  const head = `${mark} ${index}/${total} ${stylize(colour, 'bold', result.request.event)}  ${result.request.method} ${result.url}`;
  const lines: string[] = [];
  if (result.status === undefined) {
    lines.push(
      `${head} → ${stylize(colour, 'red', `no answer: ${result.error ?? 'unknown error'}`)}`,
    );
  } else {
    const status = stylize(colour, ok ? 'green' : 'red', String(result.status));
    const type = result.contentType ?? '(no content type)';
    lines.push(`${head} → ${status} ${type}  ${result.elapsedMs.toFixed(1)} ms`);
  }
  if (verbose) {
    if (result.request.body !== '') {
      lines.push(stylize(colour, 'dim', `  > ${result.request.body}`));
    }
    if (result.status !== undefined) lines.push(`  < ${result.body}`);
  } else if (result.status !== undefined && !ok) {
    // A refusal's body says why (its error code): shown without --verbose too.
    lines.push(`  < ${result.body}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What a run came to, for the summary line and the JSON document. */
export interface SimulationSummary {
  /** Requests of the scenario. */
  readonly requests: number;
  /** Requests sent (fewer when one got no answer at all: the run stops there). */
  readonly sent: number;
  /** Requests sent without a 2xx answer. */
  readonly failed: number;
  /** Wall time of the whole run, in milliseconds. */
  readonly elapsedMs: number;
}

/** Sums up the results of a run of `requests` requests. */
export function summarize(
  results: readonly ExchangeResult[],
  requests: number,
  elapsedMs: number,
): SimulationSummary {
  return {
    requests,
    sent: results.length,
    failed: results.filter((result) => !exchangeOk(result)).length,
    elapsedMs,
  };
}

/** Whether the run passed: every request of the scenario sent and answered 2xx. */
export function passed(summary: SimulationSummary): boolean {
  return summary.failed === 0 && summary.sent === summary.requests;
}

/**
 * The summary line: `✓ 3 requests, every answer 2xx (12.3 ms)` or
 * `✗ 1 of 3 requests without a 2xx answer (…)`.
 */
export function formatSummary(summary: SimulationSummary, colour: boolean): string {
  const ms = `${summary.elapsedMs.toFixed(1)} ms`;
  if (passed(summary)) {
    return `${stylize(colour, 'green', `✓ ${summary.requests} requests, every answer 2xx`)} (${ms})\n`;
  }
  const missing = summary.requests - summary.sent + summary.failed;
  const notSent =
    summary.sent < summary.requests ? `, ${summary.requests - summary.sent} not sent` : '';
  return `${stylize(colour, 'red', `✗ ${missing} of ${summary.requests} requests without a 2xx answer${notSent}`)} (${ms})\n`;
}

/**
 * The heading printed before the first exchange: `callcontrol simulate placetel → <url>`, with
 * `(3 requests)` for a fixed script, or `(follows the answers)` when the provider's model adds
 * requests as the answers ask (the count is known only at the end, in the summary).
 */
export function formatHeading(
  provider: string,
  url: string,
  requests: number,
  colour: boolean,
  follows = false,
): string {
  const count = follows ? 'follows the answers' : `${requests} requests`;
  return `${stylize(colour, 'cyan', `callcontrol simulate ${provider}`)} → ${url} (${count})\n`;
}

/**
 * The transcript block: `The call, as the caller lives it:` and one line per entry with its
 * time on the simulated clock (`  0:04  presses 1`); `''` for an empty transcript.
 */
export function formatTranscriptBlock(transcript: CallTranscript, colour: boolean): string {
  if (transcript.length === 0) return '';
  const lines = transcript.map(
    (entry) => `  ${stylize(colour, 'dim', clock(entry.at))}  ${describeEntry(entry)}`,
  );
  return `${stylize(colour, 'bold', 'The call, as the caller lives it:')}\n${lines.join('\n')}\n`;
}

/**
 * Why a simulation stopped at an answer: the error a provider's `follow` threw, e.g.
 * `CC_ERR_ANSWER_INVALID` with one line per problem (`path: message (spec §)`).
 */
export interface AnswerProblem {
  /** The `CC_ERR_…` code. */
  readonly code: string;
  /** The error's message, as printed. */
  readonly message: string;
}

/**
 * The problem printed after the exchanges: `✗ CC_ERR_ANSWER_INVALID: <message>`.
 */
export function formatProblem(problem: AnswerProblem, colour: boolean): string {
  return `${stylize(colour, 'red', `✗ ${problem.code}`)}: ${problem.message}\n`;
}

/**
 * The `--json` document: `{ ok, provider, url, summary, transcript, exchanges }`, each
 * exchange with its request (`event`, `method`, `headers`, `body`, `path`, `query`), `url`,
 * `status`, `contentType`, `body`, `elapsedMs` and `error` (no answer); each transcript entry
 * as the model wrote it (`kind`, `at` in seconds, …) with its line as `text`; with `problem`
 * ({@link AnswerProblem}) and `ok: false` when the run stopped at an answer.
 */
export function formatJson(
  provider: string,
  url: string,
  results: readonly ExchangeResult[],
  summary: SimulationSummary,
  problem?: AnswerProblem,
  transcript: CallTranscript = [],
): string {
  const ok = passed(summary) && problem === undefined;
  const document = {
    ok,
    provider,
    url,
    summary,
    transcript: transcript.map((entry) => ({ ...entry, text: describeEntry(entry) })),
    exchanges: results,
  };
  return `${JSON.stringify(problem === undefined ? document : { ...document, problem }, null, 2)}\n`;
}
