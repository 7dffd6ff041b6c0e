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
import { answerUrlTarget, assertValidAnswer } from '../plugin-kit';
import { parseXml } from '../../testing/xml';
import type { TestRequest } from '../../testing/reply';
import { OPENTACT_RULES } from './validate';
import type { TestReply } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';

/** Options of {@link opentactCallScenario}. */
export interface OpentactCallScenarioOptions {
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
   * `true`: no fixed Gather follow-up; {@link createOpentactFollower} adds what the answers ask
   * (the requests to each `<Gather url>` met). Default `false`: the fixed script.
   */
  readonly followAnswers?: boolean;
  /** The call's uuid. Default: a random UUID. */
  readonly callId?: string;
  /** The SIP Control App's uuid. Default: a random UUID. */
  readonly appId?: string;
  /** Talk time reported when the call ends, in **seconds**. Default 10. */
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
 * `NORMAL_CLEARING` (or the `hangupCause` given).
 *
 * @throws {TypeError} for digits that are not DTMF keys, a negative or fractional duration, or an
 *   unknown hangup cause (see {@link q850Cause})
 */
export function opentactCallScenario(
  options: OpentactCallScenarioOptions = {},
): OpentactSimulatedRequest[] {
  const from = options.from ?? '+14158531285';
  const to = options.to ?? '18382050010';
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
  const callFlowQuery = { from, to };
  return [
    options.method === 'POST'
      ? post('call_flow_request', { ...entity, state: 'online' }, callFlowQuery)
      : get('call_flow_request', callFlowQuery),
    callState('init', 0, { init_on: at(0) }),
    post('call_flow:Answer', {
      timestamp: at(1),
      success: true,
      message: '[success] command Answer[0], reason: Call answered',
      type: 'call_flow',
      command: 'Answer',
      payload: {
        command: { name: 'Answer', success: true, reason: 'Call answered', path: 'Answer[0]' },
        call: { ...entity, state: 'ringing' },
      },
    }),
    callState('live', 1, { answer_on: at(1) }),
    ...(options.followAnswers === true
      ? []
      : [get('gather', { dtmf: digits, from, tn: to, state: 'live', sca: appId, call: callId })]),
    callState('hangup', duration, { hangup_on: at(duration) }),
    callState('destroyed', duration, {
      destroy_on: at(duration),
      q850_cause: cause.code,
      q850_cause_string: cause.name,
    }),
  ];
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

/** The elements among `element`'s children. */
function elements(element: XmlElement): XmlElement[] {
  return (element.children ?? []).filter((child): child is XmlElement => typeof child !== 'string');
}

/**
 * A model of one Opentact call that follows the app's answers (`docs/providers/opentact.md`
 * §2.4, §3.2): it keeps the answer to the call-flow request and, once the call is live, runs its
 * commands in order — a `<Gather>` takes the next digits entry: with a `url`, the entry goes
 * there as the Gather follow-up (`dtmf`, `from`, `tn`, `state`, `sca`, `call`, added to the
 * url's own query) and that request's answer is run next; without, the entry picks the
 * `<DTMF value>` branch (none left: `<Default>`; no branch matches: `<Error>`); `<Hangup>`
 * ends the commands. Every answer document is checked with Opentact's validator rules first.
 *
 * @param options - the scenario (its `digits` entries, `from`, `to`, `callId`, `appId`)
 * @param baseUrl - the URL the call is played against
 * @returns the follow function of one call: the requests to send after `reply` (the
 *   scenario's `call_state` `hangup` and `destroyed` come after them)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the returned function) when an
 *   answer breaks the spec, with each problem in the message (see `assertValidAnswer`)
 */
export function createOpentactFollower(
  options: OpentactCallScenarioOptions,
  baseUrl: string,
): (reply: OpentactAnswerReply) => TestRequest[] {
  const entries = [...digitEntries(options.digits)];
  let pending: XmlElement | undefined;
  let ended = false;

  const documentOf = (reply: OpentactAnswerReply): XmlElement | undefined => {
    const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
    if (!ok || reply.body.trim() === '') return undefined;
    assertValidAnswer(OPENTACT_RULES, 'Opentact', reply.request.event, reply.body);
    return parseXml(reply.body);
  };

  /** Runs `commands`; a request when a Gather url was reached, `'end'` at a Hangup. */
  const run = (
    commands: readonly XmlElement[],
    call: URLSearchParams,
  ): TestRequest | 'end' | undefined => {
    for (const command of commands) {
      if (command.name === 'Hangup') return 'end';
      if (command.name !== 'Gather') continue;
      const entry = entries.shift();
      const url = command.attributes?.['url'];
      if (url !== undefined) {
        if (entry === undefined) continue;
        const target = answerUrlTarget(url, baseUrl);
        if (target === undefined) continue;
        const fields = new URLSearchParams(target.query);
        for (const [key, value] of [
          ['dtmf', entry],
          ['from', call.get('from') ?? ''],
          ['tn', call.get('tn') ?? call.get('to') ?? ''],
          ['state', 'live'],
          ['sca', call.get('sca') ?? options.appId ?? ''],
          ['call', call.get('call') ?? options.callId ?? ''],
        ] as const) {
          if (!fields.has(key)) fields.append(key, value);
        }
        return {
          event: 'gather',
          method: 'GET',
          headers: {},
          body: '',
          path: target.path,
          query: fields.toString(),
        };
      }
      const children = elements(command);
      const branch =
        entry === undefined
          ? children.find((child) => child.name === 'Default')
          : (children.find(
              (child) => child.name === 'DTMF' && child.attributes?.['value'] === entry,
            ) ?? children.find((child) => child.name === 'Error'));
      const result = branch === undefined ? undefined : run(elements(branch), call);
      if (result !== undefined) return result;
    }
    return undefined;
  };

  const follow = (document: XmlElement | undefined, call: URLSearchParams): TestRequest[] => {
    if (document === undefined || ended) return [];
    const result = run(elements(document), call);
    if (result === undefined || result === 'end') {
      ended = true;
      return [];
    }
    return [result];
  };

  return (reply) => {
    const event = reply.request.event;
    if (event === 'call_flow_request') {
      pending = documentOf(reply);
      return [];
    }
    const from = options.from ?? '+14158531285';
    const to = options.to ?? '18382050010';
    if (event === 'call_state:live') {
      const document = pending;
      pending = undefined;
      return follow(document, new URLSearchParams({ from, to }));
    }
    if (event === 'gather') {
      return follow(documentOf(reply), new URLSearchParams(reply.request.query ?? ''));
    }
    return [];
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
   * with the next `digits` entry → `hangup` → `destroyed`.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: OpentactCallScenarioOptions): Promise<PlayedCall>;
}
