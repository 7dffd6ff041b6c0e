/**
 * The transcript of a simulated call: what the caller lives, in order, on the simulated call's
 * clock — "call from … to …", "hears: …", "presses 1", "rings 022129191999 … answered after
 * 4 s", "call ended: completed, 38 s". `callcontrol simulate` prints it (the raw requests and
 * answers behind `--verbose`, the entries in `--json`), and the test kit's played calls carry it
 * (`PlayedCall.transcript`, `expectTranscript`), so that a test asserts on the call as the
 * caller lives it. Each provider's model of the call (`src/providers/<name>/simulate.ts`)
 * writes the entries, from the answers it follows.
 *
 * Also the provider-neutral part of a scenario that such a model reads ({@link CallPlan}):
 * which dialled target answers after how many seconds (or is busy, or never answers), how
 * long the talk lasts, and when the caller hangs up. The scenario files of `callcontrol
 * simulate --scenario` are read by `./scenario-file.ts`.
 *
 * @module
 */
import type { TestRequest } from './reply';

/**
 * How a call ended, in the field's neutral terms (each provider's own cause goes along in
 * {@link TranscriptEnded.cause}):
 * `completed` (answered, then hung up), `busy`, `rejected` (refused by the app),
 * `no-answer` (rang out), `canceled` (the caller hung up before an answer), `failed`,
 * `voicemail` (sent to voicemail).
 */
export type CallEndOutcome =
  'completed' | 'busy' | 'rejected' | 'no-answer' | 'canceled' | 'failed' | 'voicemail';

/** What a dialled target did: see {@link TranscriptRings}. */
export type RingOutcome = 'answered' | 'busy' | 'no-answer' | 'canceled';

/** Fields every entry has. */
interface EntryBase {
  /** When it happened: **seconds** since the call started, on the simulated clock. */
  readonly at: number;
}

/** The call comes in (or goes out): the first entry of a transcript. */
export interface TranscriptCall extends EntryBase {
  /** The entry's kind: `'call'`. */
  readonly kind: 'call';
  /** The caller id, as the provider sends it. */
  readonly from: string;
  /** The number or extension called. */
  readonly to: string;
  /** `'in'` (default) or `'out'` for an outgoing call. */
  readonly direction?: 'in' | 'out';
}

/**
 * The caller hears something: a text read out (`<Say>`, `<Speak>`…), an audio file played
 * (`what` is its URL), music on hold, a beep.
 */
export interface TranscriptHears extends EntryBase {
  /** The entry's kind: `'hears'`. */
  readonly kind: 'hears';
  /** The text read out, or a description (`'audio https://…/menu.wav'`, `'music on hold'`). */
  readonly what: string;
}

/** The caller presses keys (DTMF) at a prompt. */
export interface TranscriptPresses extends EntryBase {
  /** The entry's kind: `'presses'`. */
  readonly kind: 'presses';
  /** The keys, in order, e.g. `'1'` or `'1234#'`. */
  readonly digits: string;
}

/** A prompt waited for keys and got none (its timeout ran out). */
export interface TranscriptNoInput extends EntryBase {
  /** The entry's kind: `'no-input'`. */
  readonly kind: 'no-input';
  /** How long the prompt waited, in **seconds** (when known). */
  readonly waitedSeconds?: number;
}

/** A forward or dial rings a target, and what the target did. */
export interface TranscriptRings extends EntryBase {
  /** The entry's kind: `'rings'`. */
  readonly kind: 'rings';
  /** The target: a number, SIP URI, extension, queue… as the answer names it. */
  readonly target: string;
  /** `answered`, `busy`, `no-answer` (rang out) or `canceled` (the caller hung up meanwhile). */
  readonly outcome: RingOutcome;
  /** Ring time until that outcome, in **seconds**. */
  readonly afterSeconds: number;
}

/** The caller talks with the target that answered. */
export interface TranscriptTalks extends EntryBase {
  /** The entry's kind: `'talks'`. */
  readonly kind: 'talks';
  /** Who the caller talks to. */
  readonly with: string;
  /** Talk time in **seconds**. */
  readonly seconds: number;
}

/** The provider fetches the next instructions from another URL (a redirect, a gather action). */
export interface TranscriptFollows extends EntryBase {
  /** The entry's kind: `'follows'`. */
  readonly kind: 'follows';
  /** The URL (path and query below the webhook URL, or absolute). */
  readonly url: string;
}

/** Anything else worth a line: "is put in queue support", "leaves a message of 12 s". */
export interface TranscriptNote extends EntryBase {
  /** The entry's kind: `'note'`. */
  readonly kind: 'note';
  /** The line as the caller lives it, e.g. `'is put in queue support'`. */
  readonly text: string;
}

/** The call ends: the last entry. */
export interface TranscriptEnded extends EntryBase {
  /** The entry's kind: `'ended'`. */
  readonly kind: 'ended';
  /** How, in neutral terms. */
  readonly outcome: CallEndOutcome;
  /** The provider's own cause, e.g. `'HungUp type=busy'`, `'CallStatus=completed'`. */
  readonly cause?: string;
  /** Whole call length in **seconds** (from its start to this entry). */
  readonly durationSeconds: number;
  /** Who ended it, when known. */
  readonly by?: 'caller' | 'callee' | 'app' | 'provider';
}

/** One entry of a {@link CallTranscript}. */
export type TranscriptEntry =
  | TranscriptCall
  | TranscriptHears
  | TranscriptPresses
  | TranscriptNoInput
  | TranscriptRings
  | TranscriptTalks
  | TranscriptFollows
  | TranscriptNote
  | TranscriptEnded;

/** A call's transcript, entries in the order they happened. */
export type CallTranscript = readonly TranscriptEntry[];

/**
 * What a provider's call model produces at one step: the requests to send next and the
 * transcript entries of what the caller lived meanwhile. A step may also be just the requests
 * (an array), with nothing for the transcript.
 */
export interface CallStep {
  /** The requests to send next, in order. */
  readonly requests: readonly TestRequest[];
  /** What the caller lives at this step. */
  readonly transcript: readonly TranscriptEntry[];
}

/** A step as the call models return it: a {@link CallStep}, or only its requests. */
export type CallSteps = readonly TestRequest[] | CallStep;

/** `steps` as a {@link CallStep} (an array becomes its requests, with no transcript). */
export function callStep(steps: CallSteps): CallStep {
  return isCallStep(steps) ? steps : { requests: steps, transcript: [] };
}

function isCallStep(steps: CallSteps): steps is CallStep {
  return !Array.isArray(steps);
}

/** A whole number of seconds as text: `'4 s'`, `'1 min 5 s'` from 60 s on. */
function seconds(value: number): string {
  const whole = Math.round(value);
  if (whole < 60) return `${whole} s`;
  const rest = whole % 60;
  return rest === 0 ? `${whole / 60} min` : `${Math.floor(whole / 60)} min ${rest} s`;
}

/**
 * One entry as the caller lives it, without its time: `'call from 017312345678 to
 * 022129191999'`, `'hears: “Welcome”'`, `'presses 1'`, `'rings 022129191999 … answered after
 * 4 s'`, `'talks 38 s with 022129191999'`, `'call ended: completed, 38 s'` (with the
 * provider's cause in brackets when given).
 */
export function describeEntry(entry: TranscriptEntry): string {
  switch (entry.kind) {
    case 'call':
      return entry.direction === 'out'
        ? `calls out from ${entry.from} to ${entry.to}`
        : `call from ${entry.from} to ${entry.to}`;
    case 'hears':
      return `hears: ${entry.what}`;
    case 'presses':
      return `presses ${entry.digits}`;
    case 'no-input':
      return entry.waitedSeconds === undefined
        ? 'presses nothing'
        : `presses nothing (waited ${seconds(entry.waitedSeconds)})`;
    case 'rings': {
      const outcome =
        entry.outcome === 'answered'
          ? `answered after ${seconds(entry.afterSeconds)}`
          : entry.outcome === 'busy'
            ? 'busy'
            : entry.outcome === 'canceled'
              ? `caller hung up after ${seconds(entry.afterSeconds)}`
              : `no answer after ${seconds(entry.afterSeconds)}`;
      return `rings ${entry.target} … ${outcome}`;
    }
    case 'talks':
      return `talks ${seconds(entry.seconds)} with ${entry.with}`;
    case 'follows':
      return `(the provider fetches ${entry.url})`;
    case 'note':
      return entry.text;
    case 'ended': {
      const cause = entry.cause === undefined ? '' : ` (${entry.cause})`;
      return `call ended: ${entry.outcome}, ${seconds(entry.durationSeconds)}${cause}`;
    }
  }
}

/** `m:ss` of a time in seconds: `0:04`, `1:02`. */
export function clock(at: number): string {
  const whole = Math.max(0, Math.round(at));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** The transcript as lines without times (what `expectTranscript` compares). */
export function transcriptLines(transcript: CallTranscript): string[] {
  return transcript.map(describeEntry);
}

/** The transcript as lines with their times: `'0:04  presses 1'`. */
export function formatTranscript(transcript: CallTranscript): string[] {
  return transcript.map((entry) => `${clock(entry.at)}  ${describeEntry(entry)}`);
}

// ---------------------------------------------------------------------------------------------
// The provider-neutral call plan
// ---------------------------------------------------------------------------------------------

/**
 * What a dialled or forwarded target does: answer after a ring time in **seconds**, be busy,
 * or never answer (`'no-answer'`: it rings until the dial's timeout, or the provider's).
 */
export type TargetBehaviour = { readonly answerAfterSeconds: number } | 'busy' | 'no-answer';

/**
 * The provider-neutral part of a scenario the call models read:
 * - `targets`: how each target that a forward or dial rings behaves, by the target as the
 *   answer writes it (a number, SIP URI, extension). Without `targets`, the first target rung
 *   answers after {@link DEFAULT_RING_SECONDS}; with it, a target not listed never answers.
 * - `talkSeconds`: how long the caller talks once a target answered (the caller hangs up then).
 * - `hangupAfterSeconds`: the caller hangs up this many seconds after the call started,
 *   whatever happens then (a ring is canceled, a talk cut short, a prompt left).
 */
export interface CallPlan {
  /** How each target behaves, by the target as the answer writes it. */
  readonly targets?: Readonly<Record<string, TargetBehaviour>> | undefined;
  /** Talk time in **seconds**. */
  readonly talkSeconds?: number | undefined;
  /** In **seconds** from the start of the call. */
  readonly hangupAfterSeconds?: number | undefined;
}

/** Ring time in **seconds** of a target the plan does not list, when it has no `targets`. */
export const DEFAULT_RING_SECONDS = 4;

/** Ring time in **seconds** after which an unanswered target gives up, when the dial has none. */
export const DEFAULT_DIAL_TIMEOUT_SECONDS = 30;

/** What {@link ringTargets} found. */
export interface RingResult {
  /** One `rings` entry per target rung (all of them for a simultaneous ring). */
  readonly transcript: readonly TranscriptRings[];
  /** The target that answered, and when (seconds since the call started); none when none did. */
  readonly answered?: { readonly target: string; readonly at: number } | undefined;
  /** When the ringing ended, in seconds since the call started. */
  readonly endedAt: number;
  /**
   * Why nobody answered: `busy` (every target was busy), `no-answer`, or `canceled` (the caller
   * hung up first, see {@link CallPlan.hangupAfterSeconds}); undefined when one answered.
   */
  readonly failure?: 'busy' | 'no-answer' | 'canceled' | undefined;
}

/**
 * Rings `targets` as a forward or dial does, starting at `at` (seconds since the call
 * started), and says who answers when, by the plan:
 * - `simultaneous` (default `true`): all ring at once and the first to answer wins; otherwise
 *   one after the other, each for up to `timeoutSeconds`;
 * - `timeoutSeconds`: ring time in **seconds** before a target (or the whole simultaneous ring)
 *   gives up (default {@link DEFAULT_DIAL_TIMEOUT_SECONDS});
 * - the caller hanging up (`plan.hangupAfterSeconds`) cancels the ring.
 *
 * @throws {TypeError} for a negative or non-finite `at` or `timeoutSeconds`
 */
export function ringTargets(
  plan: CallPlan,
  targets: readonly string[],
  at: number,
  options: { readonly simultaneous?: boolean; readonly timeoutSeconds?: number } = {},
): RingResult {
  const timeout = options.timeoutSeconds ?? DEFAULT_DIAL_TIMEOUT_SECONDS;
  if (!Number.isFinite(at) || at < 0) throw new TypeError('at must be seconds, 0 or more');
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw new TypeError('timeoutSeconds must be seconds, 0 or more');
  }
  const hangup = plan.hangupAfterSeconds;
  const behaviour = (target: string, index: number): TargetBehaviour => {
    if (plan.targets === undefined) {
      return index === 0 ? { answerAfterSeconds: DEFAULT_RING_SECONDS } : 'no-answer';
    }
    return plan.targets[target] ?? 'no-answer';
  };
  const transcript: TranscriptRings[] = [];
  if (options.simultaneous ?? true) {
    // The first answer within the timeout (and before the caller hangs up) wins.
    let winner: { target: string; after: number } | undefined;
    targets.forEach((target, index) => {
      const does = behaviour(target, index);
      if (typeof does === 'object' && does.answerAfterSeconds <= timeout) {
        if (winner === undefined || does.answerAfterSeconds < winner.after) {
          winner = { target, after: does.answerAfterSeconds };
        }
      }
    });
    const allBusy = targets.length > 0 && targets.every((t, i) => behaviour(t, i) === 'busy');
    let end = winner !== undefined ? at + winner.after : allBusy ? at : at + timeout;
    const canceled = hangup !== undefined && hangup < end;
    if (canceled) end = Math.max(at, hangup);
    targets.forEach((target, index) => {
      const does = behaviour(target, index);
      const outcome: RingOutcome =
        does === 'busy'
          ? 'busy'
          : canceled
            ? 'canceled'
            : winner?.target === target
              ? 'answered'
              : 'no-answer';
      transcript.push({
        kind: 'rings',
        at,
        target,
        outcome,
        afterSeconds: outcome === 'busy' ? 0 : end - at,
      });
    });
    if (!canceled && winner !== undefined) {
      return { transcript, answered: { target: winner.target, at: end }, endedAt: end };
    }
    return {
      transcript,
      endedAt: end,
      failure: canceled ? 'canceled' : allBusy ? 'busy' : 'no-answer',
    };
  }
  let now = at;
  let anyRang = false;
  for (const [index, target] of targets.entries()) {
    const does = behaviour(target, index);
    if (does === 'busy') {
      transcript.push({ kind: 'rings', at: now, target, outcome: 'busy', afterSeconds: 0 });
      continue;
    }
    anyRang = true;
    const answers = typeof does === 'object' && does.answerAfterSeconds <= timeout;
    const after = answers ? does.answerAfterSeconds : timeout;
    if (hangup !== undefined && hangup < now + after) {
      const waited = Math.max(0, hangup - now);
      transcript.push({
        kind: 'rings',
        at: now,
        target,
        outcome: 'canceled',
        afterSeconds: waited,
      });
      return { transcript, endedAt: now + waited, failure: 'canceled' };
    }
    transcript.push({
      kind: 'rings',
      at: now,
      target,
      outcome: answers ? 'answered' : 'no-answer',
      afterSeconds: after,
    });
    now += after;
    if (answers) return { transcript, answered: { target, at: now }, endedAt: now };
  }
  return {
    transcript,
    endedAt: now,
    failure: anyRang || targets.length === 0 ? 'no-answer' : 'busy',
  };
}

/**
 * How long the caller talks after an answer at `answeredAt` (seconds since the call started):
 * `plan.talkSeconds` (else `defaultSeconds`), cut short when the caller hangs up earlier
 * (`plan.hangupAfterSeconds`).
 */
export function talkSeconds(plan: CallPlan, answeredAt: number, defaultSeconds: number): number {
  const talk = plan.talkSeconds ?? defaultSeconds;
  const hangup = plan.hangupAfterSeconds;
  return hangup === undefined ? talk : Math.max(0, Math.min(talk, hangup - answeredAt));
}
