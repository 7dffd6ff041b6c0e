/**
 * Requests of a whole VoipNow call, as the PBX sends them (`docs/providers/voipnow.md`): the
 * `Dial-In` Call Event (§1), the Call Interactive request of the IVR (§2, with the subscription
 * id the caller typed as an interactive parameter), and the `Hangup` Call Event (§1). By GET
 * (fields in the query) or POST (form body), as an extension can be configured. Used by
 * `callcontrol simulate voipnow` and by tests.
 *
 * {@link voipNowCallScenario} gives the fixed three requests; {@link createVoipNowCall} is the
 * model of a call that follows the app's answers and writes the call's transcript (see
 * `src/testing/transcript.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { XmlElement } from '../../core/xml';
import type { TestReply } from '../../testing/reply';
import {
  DEFAULT_DIAL_TIMEOUT_SECONDS,
  ringTargets,
  talkSeconds,
  type CallEndOutcome,
  type CallPlan,
  type CallStep,
  type TranscriptEntry,
} from '../../testing/transcript';
import type { PlayedCall } from '../../testing/types';
import { parseXml } from '../../testing/xml';
import { assertValidAnswer, childElements, elementText, transcriptUrl } from '../plugin-kit';
import { VOIPNOW_RULES } from './validate';

/** Options of {@link voipNowCallScenario} and {@link createVoipNowCall}. */
export interface VoipNowCallScenarioOptions extends CallPlan {
  /** `'GET'` (fields in the query, default) or `'POST'` (form body). */
  readonly method?: 'GET' | 'POST';
  /** `CallID`. Default: 32 random hex characters, like VoipNow's. */
  readonly callId?: string;
  /** `CallerIDNum`. Default `'14155550100'`. */
  readonly from?: string;
  /** `CallerIDName`. Default `'John Smith'`. */
  readonly callerName?: string;
  /** `CalledNumber` and `CalledDID`. Default `'14155550199'`. */
  readonly to?: string;
  /** `CalledExtension` in extended form. Default `'0003*001'`. */
  readonly calledExtension?: string;
  /**
   * The keys the caller types, one entry per prompt (a string is one entry). The first entry is
   * what the caller typed into the IVR before its Call Interactive action, sent as the
   * interactive parameter `variable` (what `?SubscriptionCode=$SubscriptionCode` in the Script
   * URL becomes). When the answers are followed ({@link createVoipNowCall}), each
   * `<PlaySound digitvar>` met takes the next entry. Default `'09897987'`; `null` (or no entry)
   * sends `null`, as VoipNow does for an unset IVR variable.
   */
  readonly digits?: string | readonly string[] | null;
  /** Name of the interactive parameter. Default `'SubscriptionCode'`. */
  readonly variable?: string;
  /**
   * Send each request to its own path (`/dial-in`, `/interactive`, `/hangup`, as the example
   * server routes them with `eventPaths`) instead of the URL itself. Default false.
   */
  readonly routed?: boolean;
  /**
   * `CallStatus` of the `Hangup` Call Event: `'ANSWER'` (default) or `'UNKNOWN'`, the two values
   * VoipNow sends there (spec "Call Events"). VoipNow sends no other hangup cause.
   */
  readonly hangupStatus?: VoipNowHangupStatus;
  /** `CallAPIID` of the Call Interactive requests. Default: a random `<number>:<CallID>`. */
  readonly callApiId?: string;
}

/** The `CallStatus` values of a `Hangup` Call Event (spec "Call Events"). */
export const VOIPNOW_HANGUP_STATUSES = ['ANSWER', 'UNKNOWN'] as const;

/** One of {@link VOIPNOW_HANGUP_STATUSES}. */
export type VoipNowHangupStatus = (typeof VOIPNOW_HANGUP_STATUSES)[number];

/** One request of a simulated call, ready to send. */
export interface VoipNowSimulatedRequest {
  /** The VoipNow event this request is. */
  readonly event: string;
  /** `'GET'` or `'POST'`. */
  readonly method: 'GET' | 'POST';
  /** Path appended to the webhook URL (`''` for the URL itself). */
  readonly path: string;
  /** The fields as a query string (GET), `''` for POST. */
  readonly query: string;
  /** `content-type` for POST; none for GET. */
  readonly headers: Readonly<Record<string, string>>;
  /** The form body (POST), `''` for GET. */
  readonly body: string;
}

function request(
  event: string,
  path: string,
  method: 'GET' | 'POST',
  fields: Readonly<Record<string, string>>,
): VoipNowSimulatedRequest {
  const encoded = new URLSearchParams(fields).toString();
  return method === 'GET'
    ? { event, method, path, query: encoded, headers: {}, body: '' }
    : {
        event,
        method,
        path,
        query: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: encoded,
      };
}

/** The digit entries of a scenario (`['09897987']` when none are given, `[]` for `null`). */
function digitEntries(digits: VoipNowCallScenarioOptions['digits']): string[] {
  if (digits === undefined) return ['09897987'];
  if (digits === null) return [];
  return typeof digits === 'string' ? [digits] : [...digits];
}

/**
 * The checked settings of one call and the builders of its requests.
 * @throws {TypeError} for a `variable` that is not a parameter name, a `hangupStatus` VoipNow
 *   does not send
 */
function callOf(options: VoipNowCallScenarioOptions) {
  const method = options.method ?? 'GET';
  const variable = options.variable ?? 'SubscriptionCode';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new TypeError(`variable must be a parameter name, got "${variable}"`);
  }
  const hangupStatus = options.hangupStatus;
  if (
    hangupStatus !== undefined &&
    !(VOIPNOW_HANGUP_STATUSES as readonly string[]).includes(hangupStatus)
  ) {
    throw new TypeError(
      `hangupStatus must be one of ${VOIPNOW_HANGUP_STATUSES.join(', ')}, got "${String(hangupStatus)}"`,
    );
  }
  const callId = options.callId ?? randomBytes(16).toString('hex');
  const callApiId = options.callApiId ?? `${String(randomBytes(4).readUInt32BE())}:${callId}`;
  const to = options.to ?? '14155550199';
  const from = options.from ?? '14155550100';
  const common = {
    CallID: callId,
    CallerIDNum: from,
    CallerIDName: options.callerName ?? 'John Smith',
    CalledDID: to,
    CalledExtension: options.calledExtension ?? '0003*001',
  };
  const path = (suffix: string): string => (options.routed === true ? suffix : '');
  return {
    from,
    to,
    variable,
    hangupStatus,
    dialIn: () =>
      request('Dial-In', path('/dial-in'), method, {
        ...common,
        CallStatus: 'CALLING',
        CallFlow: 'IN',
        CalledNumber: to,
      }),
    /** Call Interactive with the interactive parameters `params` (spec §2). */
    interactive: (params: Readonly<Record<string, string>>) =>
      request('call_interactive', path('/interactive'), method, {
        ...common,
        CallStatus: 'ANSWER',
        CallFlow: 'IN',
        CalledNumber: to,
        CallAPIID: callApiId,
        ...params,
      }),
    hangup: (status: VoipNowHangupStatus) =>
      request('Hangup', path('/hangup'), method, {
        ...common,
        CallStatus: status,
        CallFlow: 'IN',
        CalledNumber: to,
      }),
  };
}

/**
 * The requests of one call to an extension with an IVR, in order: `Dial-In` (`CALLING`/`IN`),
 * `call_interactive` (with `CallAPIID` and the interactive parameter, the first `digits`
 * entry), `Hangup` (`ANSWER`/`IN`, or the `hangupStatus` given). The fixed script: the answers
 * are not read (see {@link createVoipNowCall} for the model that follows them).
 *
 * @throws {TypeError} for a `variable` that is not a parameter name, a `hangupStatus` VoipNow
 *   does not send
 */
export function voipNowCallScenario(
  options: VoipNowCallScenarioOptions = {},
): VoipNowSimulatedRequest[] {
  const call = callOf(options);
  const first = digitEntries(options.digits)[0];
  return [
    call.dialIn(),
    call.interactive({ [call.variable]: first ?? 'null' }),
    call.hangup(call.hangupStatus ?? 'ANSWER'),
  ];
}

/** Seconds a prompt takes on the simulated clock: a sound played, a text read out (each loop). */
export const VOIPNOW_PROMPT_SECONDS = 2;

/**
 * Seconds a `<PlaySound digitvar>` waits for a key when the caller presses none. VoipNow
 * documents no such timeout (spec §2); callcontrol's choice.
 */
export const VOIPNOW_DIGIT_TIMEOUT_SECONDS = 5;

/** `<Pause>`'s length when the answer gives none, in seconds (spec §2 "Response verbs": 10). */
export const VOIPNOW_DEFAULT_PAUSE_SECONDS = 10;

/**
 * Talk time in seconds once the destination of a `<Jump>` answered, when the plan gives no
 * `talkSeconds`. VoipNow's Call Events report no duration (spec §1); callcontrol's choice.
 */
export const VOIPNOW_DEFAULT_TALK_SECONDS = 30;

/** What a request of a simulated VoipNow call got back, for {@link createVoipNowCall}. */
export interface VoipNowAnswerReply {
  /** The request answered (its `event` is read). */
  readonly request: { readonly event: string };
  /** The HTTP status; `undefined` when no answer came. */
  readonly status: number | undefined;
  /** The answer's body as text. */
  readonly body: string;
}

/** One call that follows the answers: see {@link createVoipNowCall}. */
export interface VoipNowCall {
  /**
   * The call's first requests and the transcript's first entries: `Dial-In`, then the first
   * Call Interactive request (or, when the caller hangs up before typing, the `Hangup`).
   */
  opening(): CallStep;
  /**
   * The requests to send after `reply` and what the caller lived meanwhile.
   * @param baseUrl - the URL the call is played against, for the transcript's `follows` lines
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when a Call Interactive answer breaks
   *   the VoipNow spec, with each problem in the message (see `assertValidAnswer`)
   */
  follow(reply: VoipNowAnswerReply, baseUrl?: string): CallStep;
}

/** A whole number of at least 1 from an attribute, else `fallback`. */
function count(value: string | undefined, fallback: number): number {
  return value !== undefined && /^\d+$/.test(value.trim()) && Number(value) >= 1
    ? Number(value)
    : fallback;
}

/** How a run of an answer ended. */
type Ending = {
  readonly outcome: CallEndOutcome;
  readonly by: 'caller' | 'app' | 'provider';
};

/**
 * A model of one VoipNow call that follows the app's Call Interactive answers
 * (`docs/providers/voipnow.md` §1, §2) and writes what the caller lives.
 *
 * The call: the `Dial-In` Call Event (§1, `CallStatus` `CALLING`) at 0 s; the IVR answers and
 * asks for `variable` (its own prompt, {@link VOIPNOW_PROMPT_SECONDS}); the caller types the
 * first `digits` entry, which the Call Interactive request carries as the interactive parameter
 * `variable` (§2, its request parameters). Each answer is checked with VoipNow's
 * validator rules, then its verbs run in document order (§2 "Response verbs"):
 * - `<PlaySound>` is heard (`sound <name>`, {@link VOIPNOW_PROMPT_SECONDS} per `loop`; in the
 *   `background`, no time); with `digitvar` it takes the next `digits` entry into that IVR
 *   variable (none left: the caller presses nothing for {@link VOIPNOW_DIGIT_TIMEOUT_SECONDS});
 * - `<PlayTTS>` is heard (its text); `<Pause>` waits `length` seconds (default 10);
 * - `<SetVar>` sets an IVR variable; `<SetCaller>` changes no request of this call;
 * - `<Hangup/>` ends the call (the `Hangup` Call Event);
 * - `<Jump context>` leaves the answer for that IVR context, which the model rings as the
 *   target named by the context (the plan's `targets` key, e.g. `StartSupport`; without
 *   `targets` it answers after 4 s; ring timeout {@link DEFAULT_DIAL_TIMEOUT_SECONDS}, VoipNow
 *   documents none); once answered the caller talks `talkSeconds` (default
 *   {@link VOIPNOW_DEFAULT_TALK_SECONDS}) and hangs up; a busy or unanswered destination ends
 *   the call.
 *
 * The reference names no verb that fetches another URL: a key reaches the app only as an IVR
 * variable of a later Call Interactive request the IVR makes (§2). The model's IVR runs its
 * Call Interactive action again (same Script URL, query kept) when an answer stored a key with
 * `<PlaySound digitvar>` and neither hung up nor jumped, with every IVR variable set so far as
 * an interactive parameter (as a Script URL naming each `$variable` would carry them); an
 * answer that stores no key leaves the IVR with nothing more to do, and the call ends. A reply
 * that is not a 2xx answer (or an empty one) gives the IVR nothing to run either.
 *
 * The end is always the `Hangup` Call Event. Its `CallStatus` is `ANSWER` — the IVR answered
 * the call before its Call Interactive action (§2: that request's `CallStatus` is `ANSWER`), so
 * a busy or unanswered Jump destination or a caller hanging up early changes the transcript,
 * not the status; VoipNow's events carry no cause and no duration (§1) — or `hangupStatus`
 * when given. The caller hanging up (`hangupAfterSeconds`) cuts the call there: a ring is
 * canceled, no later Call Interactive request is made.
 *
 * @param options - the scenario: `digits` entries, `variable`, the call's fields, the plan
 * @throws {TypeError} (at once) for a `variable` that is not a parameter name, a `hangupStatus`
 *   VoipNow does not send
 */
export function createVoipNowCall(options: VoipNowCallScenarioOptions = {}): VoipNowCall {
  const call = callOf(options);
  const entries = digitEntries(options.digits);
  const plan: CallPlan = options;
  const hangupAt = options.hangupAfterSeconds;
  const status: VoipNowHangupStatus = call.hangupStatus ?? 'ANSWER';
  const variables = new Map<string, string>();
  let clock = 0;
  let ended = false;

  const params = (): Record<string, string> => Object.fromEntries(variables);

  /** The `Hangup` request and the transcript's last entry. */
  const end = (transcript: TranscriptEntry[], ending: Ending): CallStep => {
    ended = true;
    transcript.push({
      kind: 'ended',
      at: clock,
      outcome: ending.outcome,
      cause: `Hangup CallStatus=${status}`,
      durationSeconds: clock,
      by: ending.by,
    });
    return { requests: [call.hangup(status)], transcript };
  };

  /** Advances the clock by `seconds`; false when the caller hangs up meanwhile (clock there). */
  const pass = (seconds: number): boolean => {
    if (hangupAt !== undefined && hangupAt < clock + seconds) {
      clock = Math.max(clock, hangupAt);
      return false;
    }
    clock += seconds;
    return true;
  };

  /** Runs the verbs of an answer; `'again'` when the IVR asks the Script URL again. */
  const run = (verbs: readonly XmlElement[], transcript: TranscriptEntry[]): Ending | 'again' => {
    let stored = false;
    const callerHungUp: Ending = { outcome: 'completed', by: 'caller' };
    for (const verb of verbs) {
      const attributes = verb.attributes ?? {};
      switch (verb.name) {
        case 'PlaySound': {
          const loops = count(attributes['loop'], 1);
          const background = attributes['where'] === 'background';
          transcript.push({
            kind: 'hears',
            at: clock,
            what: `sound ${elementText(verb)}${loops > 1 ? ` (${loops} times)` : ''}${background ? ' (in the background)' : ''}`,
          });
          if (!pass(background ? 0 : VOIPNOW_PROMPT_SECONDS * loops)) return callerHungUp;
          const digitvar = attributes['digitvar'];
          if (digitvar === undefined) break;
          const entry = entries.shift();
          if (entry === undefined) {
            transcript.push({
              kind: 'no-input',
              at: clock,
              waitedSeconds: VOIPNOW_DIGIT_TIMEOUT_SECONDS,
            });
            if (!pass(VOIPNOW_DIGIT_TIMEOUT_SECONDS)) return callerHungUp;
            break;
          }
          transcript.push({ kind: 'presses', at: clock, digits: entry });
          variables.set(digitvar, entry);
          stored = true;
          break;
        }
        case 'PlayTTS':
          transcript.push({ kind: 'hears', at: clock, what: elementText(verb) });
          if (!pass(VOIPNOW_PROMPT_SECONDS)) return callerHungUp;
          break;
        case 'Pause': {
          const length = count(attributes['length'], VOIPNOW_DEFAULT_PAUSE_SECONDS);
          transcript.push({ kind: 'note', at: clock, text: `silence (Pause ${length} s)` });
          if (!pass(length)) return callerHungUp;
          break;
        }
        case 'SetVar':
          if (attributes['name'] !== undefined)
            variables.set(attributes['name'], elementText(verb));
          break;
        case 'Hangup':
          return { outcome: 'completed', by: 'app' };
        case 'Jump': {
          const context = attributes['context'] ?? '';
          transcript.push({
            kind: 'note',
            at: clock,
            text: `jumps to IVR context ${context}${attributes['option'] === undefined ? '' : ` option ${attributes['option']}`}`,
          });
          const ring = ringTargets(plan, [context], clock, {
            timeoutSeconds: DEFAULT_DIAL_TIMEOUT_SECONDS,
          });
          transcript.push(...ring.transcript);
          if (ring.answered === undefined) {
            clock = ring.endedAt;
            const failure = ring.failure ?? 'no-answer';
            return { outcome: failure, by: failure === 'canceled' ? 'caller' : 'provider' };
          }
          const talk = talkSeconds(plan, ring.answered.at, VOIPNOW_DEFAULT_TALK_SECONDS);
          transcript.push({
            kind: 'talks',
            at: ring.answered.at,
            with: ring.answered.target,
            seconds: talk,
          });
          clock = ring.answered.at + talk;
          return { outcome: 'completed', by: 'caller' };
        }
        case 'SimpleTransfer':
          transcript.push({
            kind: 'note',
            at: clock,
            text: 'SimpleTransfer (not simulated: the reference has no details of it)',
          });
          break;
        default:
          // SetCaller / SetCallerId: the caller id shown onwards; nothing the caller hears.
          break;
      }
    }
    return stored ? 'again' : { outcome: 'completed', by: 'provider' };
  };

  return {
    opening() {
      clock = 0;
      ended = false;
      variables.clear();
      const transcript: TranscriptEntry[] = [
        { kind: 'call', at: 0, from: call.from, to: call.to, direction: 'in' },
        { kind: 'note', at: 0, text: `the IVR answers and asks for ${call.variable}` },
      ];
      const dialIn = call.dialIn();
      if (!pass(VOIPNOW_PROMPT_SECONDS)) {
        const last = end(transcript, { outcome: 'completed', by: 'caller' });
        return { requests: [dialIn, ...last.requests], transcript: last.transcript };
      }
      const first = entries.shift();
      if (first === undefined) transcript.push({ kind: 'no-input', at: clock });
      else transcript.push({ kind: 'presses', at: clock, digits: first });
      variables.set(call.variable, first ?? 'null');
      return { requests: [dialIn, call.interactive(params())], transcript };
    },

    follow(reply, baseUrl = '') {
      if (reply.request.event !== 'call_interactive' || ended) {
        return { requests: [], transcript: [] };
      }
      const transcript: TranscriptEntry[] = [];
      const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
      let verbs: XmlElement[] = [];
      if (ok && reply.body.trim() !== '') {
        assertValidAnswer(VOIPNOW_RULES, 'VoipNow', 'call_interactive', reply.body);
        verbs = childElements(parseXml(reply.body));
      } else {
        transcript.push({
          kind: 'note',
          at: clock,
          text: `the Script URL answered ${reply.status === undefined ? 'nothing' : String(reply.status)}: the IVR has nothing to run`,
        });
      }
      const result = run(verbs, transcript);
      if (result !== 'again') return end(transcript, result);
      const next = call.interactive(params());
      transcript.push({
        kind: 'follows',
        at: clock,
        url: transcriptUrl(`${baseUrl}${next.path}?${new URLSearchParams(params()).toString()}`),
      });
      return { requests: [next], transcript };
    },
  };
}

/** VoipNow's requests in the test kit: Call Events and Call Interactive, by GET or POST. */
export interface VoipNowTestRequests {
  /** The `Dial-In` Call Event. */
  dialIn(options?: VoipNowCallScenarioOptions): Promise<TestReply>;
  /** The Call Interactive request, with the first `digits` entry as the parameter `variable`. */
  interactive(options?: VoipNowCallScenarioOptions): Promise<TestReply>;
  /** The `Hangup` Call Event (`CallStatus` = `hangupStatus`). */
  hangup(options?: VoipNowCallScenarioOptions): Promise<TestReply>;
  /**
   * A whole call that follows the answers ({@link createVoipNowCall}): `Dial-In` → each Call
   * Interactive request the answers lead to → `Hangup`, with its transcript.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: VoipNowCallScenarioOptions): Promise<PlayedCall>;
}
