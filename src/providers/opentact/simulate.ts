/**
 * Requests of a whole Opentact inbound call, as Opentact sends them (spec §2, §4): the call-flow
 * request, the `call_state` and `call_flow` event envelopes of the call, and a `<Gather url>`
 * follow-up with the digits the caller entered. Used by `callcontrol simulate opentact` and by
 * tests.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { XmlElement } from '../../core/xml';
import {
  answerUrlTarget,
  assertValidAnswer,
  childElements,
  elementText,
  millisecondsAttributeAsSeconds,
  transcriptUrl,
} from '../plugin-kit';
import { parseXml } from '../../testing/xml';
import type { TestRequest } from '../../testing/reply';
import { OPENTACT_RULES } from './validate';
import type { TestReply } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';
import {
  DEFAULT_DIAL_TIMEOUT_SECONDS,
  ringTargets,
  talkSeconds,
  type CallEndOutcome,
  type CallPlan,
  type CallStep,
  type RingOutcome,
  type TranscriptEntry,
} from '../../testing/transcript';

/**
 * Options of {@link opentactCallScenario} and {@link createOpentactFollower}; the call plan
 * ({@link CallPlan}: `targets` a `<Dial>` rings, `talkSeconds`, `hangupAfterSeconds`) is read
 * by the follower.
 */
export interface OpentactCallScenarioOptions extends CallPlan {
  /**
   * How the call-flow request comes: `'GET'` (`?from&to`, default) or `'POST'` (the same query
   * and the JSON call entity), as the SIP Control App's `call_flow_method` says.
   */
  readonly method?: 'GET' | 'POST';
  /** The caller (ANI). Default `'+14158531285'`. */
  readonly from?: string;
  /** The Opentact number called (DNIS). Default `'18382050010'`. */
  readonly to?: string;
  /**
   * The digits the caller enters. The fixed script sends them (joined) to the Gather that has a
   * `url`; with `followAnswers`, one entry per `<Gather>` met, in order (a string is one entry):
   * a menu's entry picks its `<DTMF value>` branch, a PIN's entry goes to its `url`. Default
   * `'1234'`.
   */
  readonly digits?: string | readonly string[];
  /**
   * `true`: the script stops at `call_state` `live`; {@link createOpentactFollower} adds what
   * the answers ask (each `<Gather url>` met, the dialled legs) and the call's end (`hangup`,
   * `destroyed` with the simulated clock's duration). Default `false`: the fixed script.
   */
  readonly followAnswers?: boolean;
  /** The call's uuid. Default: a random UUID. */
  readonly callId?: string;
  /** The SIP Control App's uuid. Default: a random UUID. */
  readonly appId?: string;
  /**
   * The fixed script: the call's `duration` reported when it ends, in **seconds**. Default 10.
   * Followed: the talk time of an answered `<Dial>` when the plan has no `talkSeconds`.
   */
  readonly durationSeconds?: number;
  /**
   * Why the call ended, reported by `call_state` `destroyed` as `q850_cause` and
   * `q850_cause_string`: a name of {@link Q850_CAUSES} (e.g. `'USER_BUSY'`) or its number
   * (e.g. `17`, or `'17'`). Default `'NORMAL_CLEARING'` (16).
   */
  readonly hangupCause?: string | number;
}

/**
 * The Q.850 causes FreeSWITCH (Opentact's engine) reports most, by name (spec §4.2: `q850_cause`,
 * `q850_cause_string`, e.g. 16 `NORMAL_CLEARING`).
 */
export const Q850_CAUSES: Readonly<Record<string, number>> = Object.freeze({
  UNALLOCATED_NUMBER: 1,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  CALL_REJECTED: 21,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_TEMPORARY_FAILURE: 41,
  ORIGINATOR_CANCEL: 487,
  LOSE_RACE: 502,
});

/**
 * The `q850_cause` and `q850_cause_string` of a cause given by name or number (see
 * {@link OpentactCallScenarioOptions.hangupCause}); a number not in {@link Q850_CAUSES} gets
 * `'UNKNOWN'`.
 *
 * @throws {TypeError} for a name not in {@link Q850_CAUSES}, or a number outside 1–999
 */
export function q850Cause(cause: string | number): { code: number; name: string } {
  const text = String(cause).trim();
  if (/^\d+$/.test(text)) {
    const code = Number(text);
    if (code < 1 || code > 999) throw new TypeError(`a Q.850 cause is 1 to 999, got ${text}`);
    const name = Object.keys(Q850_CAUSES).find((key) => Q850_CAUSES[key] === code);
    return { code, name: name ?? 'UNKNOWN' };
  }
  const code = Q850_CAUSES[text.toUpperCase()];
  if (code === undefined) {
    throw new TypeError(
      `unknown Q.850 cause "${text}"; give a number or one of ${Object.keys(Q850_CAUSES).join(', ')}`,
    );
  }
  return { code, name: text.toUpperCase() };
}

/** One request of a simulated call, ready to send. */
export interface OpentactSimulatedRequest {
  /** What this request is: `call_flow_request`, `gather`, `call_state:<state>`, `call_flow:<command>`. */
  readonly event: string;
  /** `'GET'` or `'POST'`. */
  readonly method: 'GET' | 'POST';
  /** Query parameters appended to the URL (encoded, without `?`). */
  readonly query: string;
  /** `content-type: application/json` for a body; none for GET. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, `''` for GET. */
  readonly body: string;
}

function get(event: string, query: Record<string, string>): OpentactSimulatedRequest {
  return {
    event,
    method: 'GET',
    query: new URLSearchParams(query).toString(),
    headers: {},
    body: '',
  };
}

function post(
  event: string,
  body: unknown,
  query: Record<string, string> = {},
): OpentactSimulatedRequest {
  return {
    event,
    method: 'POST',
    query: new URLSearchParams(query).toString(),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * The requests of one inbound call, in order: the call-flow request; `call_state` `init`;
 * `call_flow` `Answer`; `call_state` `live`; the Gather follow-up (`dtmf`, `from`, `tn`,
 * `state`, `sca`, `call`); `call_state` `hangup`; `call_state` `destroyed` with Q.850 cause 16
 * `NORMAL_CLEARING` (or the `hangupCause` given). With `followAnswers`, only up to `live`: the
 * follower ({@link createOpentactFollower}) sends the rest, as the answers make the call.
 *
 * @throws {TypeError} for digits that are not DTMF keys, a negative or fractional duration, or an
 *   unknown hangup cause (see {@link q850Cause})
 */
export function opentactCallScenario(
  options: OpentactCallScenarioOptions = {},
): OpentactSimulatedRequest[] {
  const entries = digitEntries(options.digits);
  for (const entry of entries) {
    if (!/^[0-9*#]+$/.test(entry)) {
      throw new TypeError(`digits must be DTMF keys (0-9, *, #), got "${entry}"`);
    }
  }
  const digits = entries.join('');
  const duration = options.durationSeconds ?? 10;
  if (!Number.isSafeInteger(duration) || duration < 0) {
    throw new TypeError('durationSeconds must be a whole number of seconds, 0 or more');
  }
  const cause = q850Cause(options.hangupCause ?? 'NORMAL_CLEARING');
  const call = opentactCall(options);
  const callFlowQuery = { from: call.from, to: call.to };
  return [
    options.method === 'POST'
      ? post('call_flow_request', { ...call.entity, state: 'online' }, callFlowQuery)
      : get('call_flow_request', callFlowQuery),
    call.callState('init', 0, { init_on: call.at(0) }),
    post('call_flow:Answer', {
      timestamp: call.at(1),
      success: true,
      message: '[success] command Answer[0], reason: Call answered',
      type: 'call_flow',
      command: 'Answer',
      payload: {
        command: { name: 'Answer', success: true, reason: 'Call answered', path: 'Answer[0]' },
        call: { ...call.entity, state: 'ringing' },
      },
    }),
    call.callState('live', 1, { answer_on: call.at(1) }),
    ...(options.followAnswers === true
      ? []
      : [
          get('gather', {
            dtmf: digits,
            from: call.from,
            tn: call.to,
            state: 'live',
            sca: call.appId,
            call: call.callId,
          }),
          ...call.end(duration, cause),
        ]),
  ];
}

/** The call entity of a simulated call and the envelopes built from it. */
interface OpentactCall {
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly appId: string;
  readonly entity: Record<string, unknown>;
  /** The ISO time `seconds` after the call started. */
  at(seconds: number): string;
  /** A `call_state` envelope of the call (spec §4.3) at `elapsed` seconds. */
  callState(
    state: string,
    elapsed: number,
    extra?: Record<string, unknown>,
  ): OpentactSimulatedRequest;
  /** `call_state` `hangup` and `destroyed` at `duration` seconds, with the Q.850 cause. */
  end(duration: number, cause: { code: number; name: string }): OpentactSimulatedRequest[];
  /**
   * A `call_state` envelope of a dialled leg (`direction` `out`, `parent` = this call, as
   * Fixture G of spec §4.3): `state` at `elapsed` seconds since this call started, `duration`
   * since the leg started ringing (`since`).
   */
  leg(
    target: string,
    state: string,
    elapsed: number,
    since: number,
    cause?: { code: number; name: string },
  ): OpentactSimulatedRequest;
}

/** The call of `options` (the ids fixed by the caller of this function, or random). */
function opentactCall(options: OpentactCallScenarioOptions): OpentactCall {
  const from = options.from ?? '+14158531285';
  const to = options.to ?? '18382050010';
  const callId = options.callId ?? randomUUID();
  const appId = options.appId ?? randomUUID();
  const started = Date.now();
  const at = (seconds: number): string => new Date(started + seconds * 1000).toISOString();
  const entity = {
    uuid: callId,
    direction: 'in',
    from,
    to,
    type: 'CallSCA',
    tn: { tn: Number(to.replace(/\D/g, '')) || to },
    source: 'freeswitch',
    sip_control_app: { uuid: appId, name: 'callcontrol simulation', is_active: true },
  };
  const callState = (state: string, elapsed: number, extra: Record<string, unknown> = {}) =>
    post(`call_state:${state}`, {
      uuid: randomUUID(),
      created_on: at(elapsed),
      type: 'call_state',
      message: `CallSCA in ${from} > ${to} - ${state}`,
      payload: { state, duration: elapsed },
      call: { ...entity, state, duration: elapsed, ...extra },
      ref_id: callId,
      modified_on: at(elapsed),
      delivery_report: [],
    });
  const legIds = new Map<string, string>();
  return {
    from,
    to,
    callId,
    appId,
    entity,
    at,
    callState,
    end: (duration, cause) => [
      callState('hangup', duration, { hangup_on: at(duration) }),
      callState('destroyed', duration, {
        destroy_on: at(duration),
        q850_cause: cause.code,
        q850_cause_string: cause.name,
      }),
    ],
    leg: (target, state, elapsed, since, cause) => {
      let uuid = legIds.get(target);
      if (uuid === undefined) {
        uuid = randomUUID();
        legIds.set(target, uuid);
      }
      const legFrom = from.replace(/^\+/, '');
      const duration = Math.max(0, elapsed - since);
      const stamp = state === 'live' ? 'answer_on' : `${state}_on`;
      return post(`call_state:${state}`, {
        uuid: randomUUID(),
        created_on: at(elapsed),
        type: 'call_state',
        message: `CallSCA out ${legFrom} > ${target} - ${state}`,
        payload: { state, duration },
        call: {
          uuid,
          direction: 'out',
          from: legFrom,
          to: target,
          state,
          duration,
          type: 'CallSCA',
          [stamp]: at(elapsed),
          ...(cause === undefined ? {} : { q850_cause: cause.code, q850_cause_string: cause.name }),
          parent: { ...entity, state: 'live', duration: elapsed },
        },
        ref_id: uuid,
        modified_on: at(elapsed),
        delivery_report: [],
      });
    },
  };
}

/** The digits entries of a scenario as a list (`'1234'` when none are given). */
function digitEntries(digits: string | readonly string[] | undefined): readonly string[] {
  return digits === undefined ? ['1234'] : typeof digits === 'string' ? [digits] : digits;
}

/** What a request of a simulated Opentact call got back, for {@link createOpentactFollower}. */
export interface OpentactAnswerReply {
  /** The request answered (its `event` and `query` are read). */
  readonly request: { readonly event: string; readonly query?: string };
  /** The HTTP status; `undefined` when no answer came. */
  readonly status: number | undefined;
  /** The answer's body as text. */
  readonly body: string;
}

/** Seconds a prompt is taken to last on the simulated clock (a `<Say>`, a `<Play>`). */
const PROMPT_SECONDS = 2;
/** Seconds the caller takes to type one digits entry. */
const PRESS_SECONDS = 1;
/** A `<Gather>`'s timeout when it names none: 10000 ms (spec §3.1). */
const GATHER_TIMEOUT_SECONDS = 10;

/** A followed URL as the transcript shows it: path and query, secrets redacted. */
function shownUrl(target: { path: string; query: string }): string {
  const path = target.path || '/';
  return transcriptUrl(target.query === '' ? path : `${path}?${target.query}`);
}

/** The Q.850 cause of a dialled leg that did not take the call. */
const LEG_CAUSE: Readonly<Record<Exclude<RingOutcome, 'answered'>, string>> = {
  busy: 'USER_BUSY',
  'no-answer': 'NO_USER_RESPONSE',
  canceled: 'ORIGINATOR_CANCEL',
};

/** How the commands of an answer ended: a request to send, or the end of the call. */
type RunResult =
  | { readonly request: TestRequest }
  | {
      readonly end: CallEndOutcome;
      readonly by: 'caller' | 'app' | 'provider';
      readonly requests?: readonly TestRequest[];
    };

/**
 * A model of one Opentact call that follows the app's answers (`docs/providers/opentact.md`
 * §2.4, §3, §4), on a simulated clock in **seconds** (the call is `live` at 1 s):
 * - it keeps the answer to the call-flow request and, once the call is live, runs its commands
 *   in order: `<Say>` (its text, or `text`) and `<Play>` (`audio <url>`) are heard, 2 s each
 *   (× `loop`); `<Pause length>` waits (ms, default 1000); `<Answer delay>` waits;
 * - a `<Gather>` plays its `<Say>/<Play>/<Pause>` prompt, then takes the next digits entry
 *   (1 s; none left: `no-input` after its `timeout`, default 10000 ms, §3.1): with a `url`, the
 *   entry goes there as the Gather follow-up (`dtmf`, `from`, `tn`, `state`, `sca`, `call`,
 *   added to the url's own query, §2.4) and that request's answer is run next; without, the
 *   entry picks the `<DTMF value>` branch (none left: `<Default>`; no branch matches:
 *   `<Error>`);
 * - a `<Dial>` rings its `<To>` (or legacy `<Sip>`) targets all at once, the first to answer
 *   wins and the others are ended (§3.3 `<Dial>`), each for the `timeout` attribute (ms, not in
 *   the current docs, §7.12) or 30 s; who answers when comes from the plan (`targets`, see
 *   `ringTargets`). Each target that does not take the call gets a `call_state` `hangup` of
 *   its dialled leg (`direction` `out`, `parent` = this call, as §4.3 Fixture G) with Q.850
 *   `USER_BUSY` (17), `NO_USER_RESPONSE` (18, as Fixture G and the §4.4 Dial failure) or, when
 *   the caller hung up or another target won, `ORIGINATOR_CANCEL` (487) / `LOSE_RACE` (502)
 *   (FreeSWITCH's causes; the reference is silent). The target that answers gets its leg's
 *   `live`; the caller talks `talkSeconds` (default `durationSeconds`, 10) and hangs up: the
 *   leg's `hangup` and the call's `hangup`/`destroyed` follow, `NORMAL_CLEARING`. When nobody
 *   answers, a `call_flow` event for the Dial reports `success: false` with the §4.4 reason
 *   (`[originate] ERR NO_USER_RESPONSE` or `USER_BUSY` when every target was busy) and the
 *   Dial's `<Error>` block runs (none: the flow goes on);
 * - `<Hangup>` ends the call, and so does the end of the commands (the reference is silent on a
 *   flow that runs out; FreeSWITCH hangs up): `call_state` `hangup` then `destroyed` with the
 *   duration on the clock and Q.850 16 `NORMAL_CLEARING` (or `hangupCause`);
 * - the caller hanging up (`hangupAfterSeconds`) cuts a prompt, a wait or a talk there (the
 *   call ends `NORMAL_CLEARING`) or cancels a ring (the legs get `ORIGINATOR_CANCEL`, the call
 *   ends `canceled`); a hang-up planned before 1 s takes effect at 1 s, once the call is live;
 * - an answer that is not 2xx (or empty) ends the call as `failed` with `NORMAL_CLEARING`
 *   (Opentact runs the enclosing `<Error>` block, §2.3; at the top there is none).
 *
 * Every answer document is checked with Opentact's validator rules first. Each step's
 * transcript says what the caller lived (`hears`, `presses`, `no-input`, `follows`, `rings`,
 * `talks`, `note`, and one `ended` last, with the cause `q850_cause=16 NORMAL_CLEARING`).
 * `<Callback>`, `<Record>`, `<Hold>` and the blocks `<Call>`, `<Geo>`, `<Schedule>` are not
 * run (a `note` says so for `<Callback>` and `<Record>`).
 *
 * @param options - the scenario (its `digits` entries, `from`, `to`, `callId`, `appId`, the
 *   call plan, `durationSeconds`, `hangupCause`)
 * @param baseUrl - the URL the call is played against
 * @returns the follow function of one call: the step after `reply` (the requests to send next
 *   and what the caller lived meanwhile)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the returned function) when an
 *   answer breaks the spec, with each problem in the message (see `assertValidAnswer`)
 * @throws {TypeError} for an unknown `hangupCause` (see {@link q850Cause})
 */
export function createOpentactFollower(
  options: OpentactCallScenarioOptions,
  baseUrl: string,
): (reply: OpentactAnswerReply) => CallStep {
  const entries = [...digitEntries(options.digits)];
  const call = opentactCall(options);
  const causeGiven = options.hangupCause === undefined ? undefined : q850Cause(options.hangupCause);
  const defaultTalk = options.durationSeconds ?? 10;
  const hangupAt = options.hangupAfterSeconds;
  let pending: XmlElement | undefined;
  let ended = false;
  let now = 1;
  let transcript: TranscriptEntry[] = [];

  /** Spends `seconds` on the clock; `false` when the caller hangs up meanwhile (clock there). */
  const spend = (seconds: number): boolean => {
    if (hangupAt !== undefined && now + seconds > hangupAt) {
      now = Math.max(now, hangupAt);
      return false;
    }
    now += seconds;
    return true;
  };

  const hears = (what: string, seconds: number): boolean => {
    transcript.push({ kind: 'hears', at: now, what });
    return spend(seconds);
  };

  const callerHangsUp: RunResult = { end: 'completed', by: 'caller' };

  const documentOf = (reply: OpentactAnswerReply): XmlElement | undefined => {
    const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
    if (!ok || reply.body.trim() === '') return undefined;
    assertValidAnswer(OPENTACT_RULES, 'Opentact', reply.request.event, reply.body);
    return parseXml(reply.body);
  };

  /** Plays one prompt element (Say, Play, Pause); `false` when the caller hung up in it. */
  const prompt = (command: XmlElement): boolean => {
    const loop = Math.max(1, Number(command.attributes?.['loop'] ?? '1') || 1);
    if (command.name === 'Say') {
      const text = command.attributes?.['text'] ?? elementText(command);
      return hears(text, PROMPT_SECONDS * loop);
    }
    if (command.name === 'Play') {
      const url = command.attributes?.['url'] ?? elementText(command);
      const record = command.attributes?.['record'];
      return hears(
        record === undefined ? `audio ${url}` : `the recording ${record}`,
        PROMPT_SECONDS * loop,
      );
    }
    if (command.name === 'Pause')
      return spend(millisecondsAttributeAsSeconds(command, 'length', 1));
    return true;
  };

  /** Rings a `<Dial>`'s targets; its end, or `undefined` when the flow goes on. */
  const dial = (command: XmlElement, call$: URLSearchParams): RunResult | undefined => {
    const children = childElements(command);
    const targets = children
      .filter((child) => child.name === 'To' || child.name === 'Sip' || child.name === 'Number')
      .map(elementText)
      .filter((target) => target !== '');
    const start = now;
    const ring = ringTargets(options, targets, start, {
      simultaneous: true,
      timeoutSeconds: millisecondsAttributeAsSeconds(
        command,
        'timeout',
        DEFAULT_DIAL_TIMEOUT_SECONDS,
      ),
    });
    transcript.push(...ring.transcript);
    now = ring.endedAt;
    const requests: TestRequest[] = [];
    const answered = ring.answered;
    for (const rung of ring.transcript) {
      if (rung.outcome === 'answered') continue;
      // Another target won: the others are ended ("any other ongoing call attempts are
      // terminated", §3.3), with FreeSWITCH's LOSE_RACE.
      const name =
        answered !== undefined && rung.outcome === 'no-answer'
          ? 'LOSE_RACE'
          : LEG_CAUSE[rung.outcome];
      requests.push(
        call.leg(rung.target, 'hangup', start + rung.afterSeconds, start, q850Cause(name)),
      );
    }
    if (answered !== undefined) {
      requests.push(call.leg(answered.target, 'live', answered.at, start));
      const talk = talkSeconds(options, answered.at, defaultTalk);
      transcript.push({ kind: 'talks', at: answered.at, with: answered.target, seconds: talk });
      now = answered.at + talk;
      requests.push(call.leg(answered.target, 'hangup', now, start, q850Cause('NORMAL_CLEARING')));
      return { end: 'completed', by: 'caller', requests };
    }
    if (ring.failure === 'canceled') return { end: 'canceled', by: 'caller', requests };
    const reason =
      ring.failure === 'busy'
        ? `[originate] ERR USER_BUSY. no any destinations are accept the call 0/${targets.length}.`
        : `[originate] ERR NO_USER_RESPONSE. no any destinations are accept the call 0/${targets.length}.`;
    requests.push(
      post('call_flow:Dial', {
        timestamp: call.at(now),
        success: false,
        message: `Dial: success false, reason: ${reason}`,
        type: 'call_flow',
        command: 'Dial',
        payload: {
          command: { name: 'Dial', success: false, reason },
          call: { ...call.entity, state: 'live' },
        },
      }),
    );
    dialRequests.push(...requests);
    const error = children.find((child) => child.name === 'Error');
    if (error === undefined) return undefined;
    return run(childElements(error), call$);
  };

  /** Requests of a failed Dial, sent before whatever the flow does next. */
  const dialRequests: TestRequest[] = [];

  /** Runs `commands` on the clock: a request when a Gather url was reached, or the call's end. */
  const run = (commands: readonly XmlElement[], call$: URLSearchParams): RunResult | undefined => {
    for (const command of commands) {
      switch (command.name) {
        case 'Hangup':
          return { end: 'completed', by: 'app' };
        case 'Say':
        case 'Play':
        case 'Pause':
          if (!prompt(command)) return callerHangsUp;
          continue;
        case 'Answer':
          if (!spend(millisecondsAttributeAsSeconds(command, 'delay', 0))) return callerHangsUp;
          continue;
        case 'Dial': {
          const result = dial(command, call$);
          if (result !== undefined) return result;
          continue;
        }
        case 'Callback':
        case 'Record':
          transcript.push({
            kind: 'note',
            at: now,
            text:
              command.name === 'Record'
                ? 'is recorded'
                : `(a <Callback> to ${command.attributes?.['url'] ?? elementText(command)} is not followed by the simulation)`,
          });
          continue;
        case 'Gather':
          break;
        default:
          continue;
      }
      const children = childElements(command);
      for (const child of children) {
        if (!prompt(child)) return callerHangsUp;
      }
      const entry = entries.shift();
      if (entry === undefined) {
        transcript.push({
          kind: 'no-input',
          at: now,
          waitedSeconds: millisecondsAttributeAsSeconds(command, 'timeout', GATHER_TIMEOUT_SECONDS),
        });
        if (!spend(millisecondsAttributeAsSeconds(command, 'timeout', GATHER_TIMEOUT_SECONDS)))
          return callerHangsUp;
      } else {
        transcript.push({ kind: 'presses', at: now, digits: entry });
        if (!spend(PRESS_SECONDS)) return callerHangsUp;
      }
      const url = command.attributes?.['url'];
      if (url !== undefined) {
        if (entry === undefined) continue;
        const target = answerUrlTarget(url, baseUrl);
        if (target === undefined) continue;
        transcript.push({ kind: 'follows', at: now, url: shownUrl(target) });
        const fields = new URLSearchParams(target.query);
        for (const [key, value] of [
          ['dtmf', entry],
          ['from', call$.get('from') ?? ''],
          ['tn', call$.get('tn') ?? call$.get('to') ?? ''],
          ['state', 'live'],
          ['sca', call$.get('sca') ?? call.appId],
          ['call', call$.get('call') ?? call.callId],
        ] as const) {
          if (!fields.has(key)) fields.append(key, value);
        }
        return {
          request: {
            event: 'gather',
            method: 'GET',
            headers: {},
            body: '',
            path: target.path,
            query: fields.toString(),
          },
        };
      }
      const branch =
        entry === undefined
          ? children.find((child) => child.name === 'Default')
          : (children.find(
              (child) => child.name === 'DTMF' && child.attributes?.['value'] === entry,
            ) ?? children.find((child) => child.name === 'Error'));
      const result = branch === undefined ? undefined : run(childElements(branch), call$);
      if (result !== undefined) return result;
    }
    return undefined;
  };

  /** The call's end: `hangup` and `destroyed` at the clock's time, and the `ended` entry. */
  const end = (
    outcome: CallEndOutcome,
    by: 'caller' | 'app' | 'provider',
    before: readonly TestRequest[] = [],
  ): TestRequest[] => {
    ended = true;
    const cause = causeGiven ?? q850Cause('NORMAL_CLEARING');
    const duration = Math.round(now);
    transcript.push({
      kind: 'ended',
      at: now,
      outcome,
      cause: `q850_cause=${cause.code} ${cause.name}`,
      durationSeconds: duration,
      by,
    });
    return [...before, ...call.end(duration, cause)];
  };

  const follow = (document: XmlElement | undefined, call$: URLSearchParams): TestRequest[] => {
    if (document === undefined) return end('failed', 'provider', dialRequests.splice(0));
    const result = run(childElements(document), call$) ?? { end: 'completed', by: 'app' };
    const before = dialRequests.splice(0);
    if ('request' in result) return [...before, result.request];
    return end(result.end, result.by, [...before, ...(result.requests ?? [])]);
  };

  return (reply) => {
    transcript = [];
    const event = reply.request.event;
    let requests: TestRequest[] = [];
    if (ended) return { requests, transcript };
    if (event === 'call_flow_request') {
      pending = documentOf(reply);
    } else if (event === 'call_state:live') {
      const document = pending;
      pending = undefined;
      if (hangupAt !== undefined && hangupAt <= now) {
        requests = end('completed', 'caller');
      } else {
        requests = follow(document, new URLSearchParams({ from: call.from, to: call.to }));
      }
    } else if (event === 'gather') {
      requests = follow(documentOf(reply), new URLSearchParams(reply.request.query ?? ''));
    }
    return { requests, transcript };
  };
}

/** The `call_state` states of a simulated Opentact call, in order. */
export type OpentactTestState = 'init' | 'live' | 'hangup' | 'destroyed';

/** Opentact's requests in the test kit (spec §2, §4). */
export interface OpentactTestRequests {
  /** The call-flow request (GET `?from&to`, or POST with the call entity). */
  callFlowRequest(options?: OpentactCallScenarioOptions): Promise<TestReply>;
  /** The `<Gather url>` follow-up with `dtmf` = `digits`. */
  gather(options?: OpentactCallScenarioOptions): Promise<TestReply>;
  /** A `call_state` event envelope (`destroyed` carries the Q.850 `hangupCause`). */
  callState(state: OpentactTestState, options?: OpentactCallScenarioOptions): Promise<TestReply>;
  /**
   * A whole call that follows the answers ({@link createOpentactFollower}): call-flow request →
   * `call_state` `init` → `call_flow` `Answer` → `live` → each `<Gather url>` the answers reach
   * with the next `digits` entry, the dialled legs of each `<Dial>` (by the plan's `targets`)
   * → `hangup` → `destroyed`; the played call's `transcript` says what the caller lived.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: OpentactCallScenarioOptions): Promise<PlayedCall>;
}
