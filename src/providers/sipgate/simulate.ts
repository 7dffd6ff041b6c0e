/**
 * Requests of a whole sipgate.io call, as sipgate sends them: form-encoded POSTs with the keys
 * in the order of the signed 2021 push (`event, direction, from, to, callId, origCallId,
 * user[]…, userId[]…, fullUserId[]…, xcid`), brackets written `%5B%5D` and spaces `+` (spec §1
 * "Body encoding"), signed with `X-Sipgate-Signature` when a private key is given. Used by tests
 * and simulations.
 *
 * @module
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { XmlElement } from '../../core/xml';
import type { TestReply, TestRequest } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';
import { parseXml } from '../../testing/xml';
import {
  DEFAULT_DIAL_TIMEOUT_SECONDS,
  DEFAULT_RING_SECONDS,
  ringTargets,
  talkSeconds,
  type CallEndOutcome,
  type CallPlan,
  type CallStep,
  type RingOutcome,
  type TranscriptEntry,
} from '../../testing/transcript';
import {
  answerUrlTarget,
  assertValidAnswer,
  childElements,
  elementText,
  millisecondsAttributeAsSeconds,
  transcriptUrl,
} from '../plugin-kit';
import type { SipgateHangupCause } from './events';
import { SIPGATE_RULES } from './validate';
import { SIPGATE_SIGNATURE_HEADER, signSipgateBody } from './verify';

/**
 * Options of {@link sipgateCallScenario} and {@link createSipgateFollower}; the call plan
 * ({@link CallPlan}: `targets` a `<Dial>` rings, `talkSeconds`, `hangupAfterSeconds`) is read
 * by the follower.
 */
export interface SipgateCallScenarioOptions extends CallPlan {
  /** `callId` (and `origCallId`) of the call. Default: 76 random upper-case hex characters. */
  readonly callId?: string;
  /** Calling number. Default `'491776249000'`. */
  readonly from?: string;
  /** Called number. Default `'4928559389086'`. */
  readonly to?: string;
  /** `'in'` or `'out'`. Default `'in'`. */
  readonly direction?: 'in' | 'out';
  /** The users of `user[]` (and, `w0`, `w1`…, of `userId[]`). Default `['Alice']`. */
  readonly users?: readonly string[];
  /**
   * Keys entered: adds a `dtmf` event after the answer (as a `<Gather>` would post it).
   * Default: no `dtmf` event.
   */
  readonly dtmf?: string;
  /**
   * Keys entered when the call follows the answers ({@link createSipgateFollower}): one entry
   * per `<Gather>` met, in order. Default: `[dtmf]` when `dtmf` is given, none otherwise.
   */
  readonly digits?: readonly string[];
  /**
   * Cause of the `hangup`. Default `'normalClearing'`; any other skips the `answer` event (and
   * the `dtmf` one), as a call nobody answered has none.
   */
  readonly cause?: SipgateHangupCause;
  /**
   * Sign each body with this RSA private key (PEM or `KeyObject`); the app must then be given
   * the matching public key as `publicKey`. Default: unsigned.
   */
  readonly privateKey?: string | KeyObject;
}

/** One request of a simulated call, ready to send. */
export interface SipgateSimulatedRequest {
  /** The sipgate event name of this request. */
  readonly event: string;
  /** Always `'POST'` (spec §1 "Method"). */
  readonly method: 'POST';
  /** `content-type`, `user-agent`, and `x-sipgate-signature` when signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact form-encoded body. */
  readonly body: string;
}

/** Field values of one request, in order; an array value repeats its key. */
export type SipgateFormFields = ReadonlyArray<readonly [string, string | readonly string[]]>;

/**
 * Form-encodes fields the way sipgate does: in the given order, a key repeated for each value
 * of an array, WHATWG encoding (`[]` becomes `%5B%5D`, a space `+`).
 */
export function encodeSipgateForm(fields: SipgateFormFields): string {
  const params = new URLSearchParams();
  for (const [key, value] of fields) {
    for (const item of typeof value === 'string' ? [value] : value) params.append(key, item);
  }
  return params.toString();
}

/**
 * Builds one request as sipgate sends it: the fields encoded with {@link encodeSipgateForm},
 * `content-type: application/x-www-form-urlencoded; charset=UTF-8`, `user-agent: sipgate.io`,
 * and — when `privateKey` is given — `x-sipgate-signature` over the exact body.
 *
 * @param privateKey - sign with this RSA private key; unsigned when omitted
 * @throws {TypeError} (from node:crypto) for a key that is not an RSA private key
 */
export function sipgateRequest(
  fields: SipgateFormFields,
  privateKey?: string | KeyObject,
): SipgateSimulatedRequest {
  const body = encodeSipgateForm(fields);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    'user-agent': 'sipgate.io',
  };
  if (privateKey !== undefined)
    headers[SIPGATE_SIGNATURE_HEADER] = signSipgateBody(body, privateKey);
  const event = fields.find(([key]) => key === 'event')?.[1];
  return { event: typeof event === 'string' ? event : '', method: 'POST', headers, body };
}

/** A new random `callId`: 76 upper-case hex characters, as seen in 2021 (spec §2.2). */
function newCallId(): string {
  return randomBytes(38).toString('hex').toUpperCase();
}

/** The fields every `newCall`, `answer` and `hangup` of the call carries (spec §2.1). */
function callFields(options: SipgateCallScenarioOptions, callId: string): SipgateFormFields {
  return [
    ['direction', options.direction ?? 'in'],
    ['from', options.from ?? '491776249000'],
    ['to', options.to ?? '4928559389086'],
    ['callId', callId],
    ['origCallId', callId],
  ];
}

/**
 * The requests sipgate sends for one whole call, in order: `newCall`, then `answer`, `dtmf`
 * (with `dtmf` given) and `hangup` (spec §2.1) — a fixed script, whatever the app answers;
 * {@link createSipgateFollower} plays the call the answers make.
 */
export function sipgateCallScenario(
  options: SipgateCallScenarioOptions = {},
): SipgateSimulatedRequest[] {
  const callId = options.callId ?? newCallId();
  const direction = options.direction ?? 'in';
  const to = options.to ?? '4928559389086';
  const users = options.users ?? ['Alice'];
  const cause = options.cause ?? 'normalClearing';
  const answered = cause === 'normalClearing';
  const key = options.privateKey;
  const call = callFields(options, callId);
  const requests = [
    sipgateRequest(
      [
        ['event', 'newCall'],
        ...call,
        ['user[]', users],
        ['userId[]', users.map((_, index) => `w${index}`)],
      ],
      key,
    ),
  ];
  if (answered) {
    const user: [string, string][] =
      direction === 'in' && users[0] !== undefined
        ? [
            ['user', users[0]],
            ['userId', 'w0'],
          ]
        : [];
    requests.push(
      sipgateRequest([['event', 'answer'], ...call, ...user, ['answeringNumber', to]], key),
    );
    if (options.dtmf !== undefined) {
      requests.push(
        sipgateRequest(
          [
            ['event', 'dtmf'],
            ['dtmf', options.dtmf],
            ['callId', callId],
            ['origCallId', callId],
          ],
          key,
        ),
      );
    }
  }
  requests.push(
    sipgateRequest(
      [
        ['event', 'hangup'],
        ...call,
        ['cause', cause],
        ...(answered ? ([['answeringNumber', to]] as const) : []),
      ],
      key,
    ),
  );
  return requests;
}

/** What a push of a simulated sipgate call got back, for {@link createSipgateFollower}. */
export interface SipgateAnswerReply {
  /** The push answered (its `event`). */
  readonly request: { readonly event: string };
  /** The HTTP status; `undefined` when no answer came. */
  readonly status: number | undefined;
  /** The answer's body as text. */
  readonly body: string;
}

/** Seconds a prompt (`<Play>`) is taken to last on the simulated clock. */
const PROMPT_SECONDS = 2;
/** Seconds the caller takes to type one digits entry. */
const PRESS_SECONDS = 1;
/** A `<Gather>`'s timeout when it names none: 2000 ms (spec §4.4). */
const GATHER_TIMEOUT_SECONDS = 2;
/** Talk time in **seconds** of an answered call when the plan has no `talkSeconds`. */
export const SIPGATE_DEFAULT_TALK_SECONDS = 10;
/** Prompts in a row without input after which the simulated caller hangs up. */
const MAX_NO_INPUTS = 2;

/** The neutral outcome of a `--hangup-cause` given for a call left to ring or dialled. */
function outcomeOfCause(cause: string): { call: CallEndOutcome; ring: RingOutcome } {
  switch (cause) {
    case 'busy':
      return { call: 'busy', ring: 'busy' };
    case 'cancel':
      return { call: 'canceled', ring: 'canceled' };
    case 'noAnswer':
      return { call: 'rejected', ring: 'no-answer' };
    case 'forwarded':
      return { call: 'completed', ring: 'no-answer' };
    default:
      return { call: 'failed', ring: 'no-answer' };
  }
}

/**
 * A model of one sipgate.io call that follows the app's answers (`docs/providers/sipgate.md`
 * §2, §4), on a simulated clock in **seconds** from `newCall`: the answer to `newCall` (and to
 * each `dtmf`) is checked with sipgate's validator rules, then its action is run —
 * - `<Reject reason="busy">`: `hangup` with cause `busy` (the call ends `busy`); `<Reject>`
 *   (reason `rejected`, the default): cause `noAnswer` ("rejected the call", §2.3, §4.5; the
 *   call ends `rejected`); no `answer`;
 * - `<Hangup/>`: `hangup` with cause `normalClearing`; no `answer` (§4.6);
 * - `<Dial>`: its `<Number>`s ring all at once (§4.2 "several `<Number>` = ring all"); who
 *   answers when comes from the plan (`targets`, see `ringTargets`; without it the first
 *   answers after 4 s), each for 30 s (sipgate documents no ring timeout). The winner gets
 *   `answer` with `answeringNumber`, the caller talks `talkSeconds` (default
 *   {@link SIPGATE_DEFAULT_TALK_SECONDS}) and hangs up: `hangup` `normalClearing` with
 *   `answeringNumber`. Every target busy: `hangup` cause `busy`; nobody answering within the
 *   30 s: cause `noAnswer` (the reference has no cause for a ring that times out; `noAnswer`
 *   is the nearest, §2.3); the caller hanging up first: cause `cancel` ("The caller hung up
 *   before the called party picked up", §2.3). `<Voicemail/>`: answered by the voicemail at
 *   once (`answeringNumber` = the called number), the caller leaves a message of the talk time;
 * - `<Gather onData>`: its `<Play>` is heard (2 s), then the next `digits` entry is pressed
 *   (1 s) and posted as `dtmf` to `onData` (its path and query kept, §4.4); no entry left:
 *   after the Gather's `timeout` (default 2000 ms) `dtmf` is posted empty ("If no input is
 *   received, the value of dtmf will be empty", §2.2) — at the third prompt in a row without
 *   input the caller hangs up instead (cause `cancel`); the answer to `dtmf` is run next;
 * - `<Play>`: heard (2 s), then the call is delivered as without the app (§4.3): the called
 *   number rings like a one-target `<Dial>`; no action or an empty answer: delivered the same.
 *
 * The caller hanging up (`hangupAfterSeconds`) cuts a prompt (cause `cancel`, no `answer`), a
 * ring (`cancel`) or a talk (`normalClearing`). A `cause` other than `normalClearing` ends a
 * call left to ring or dialled with that cause and no `answer`. An answer that is not 2xx is
 * as no answer: sipgate sets the call up without input (§5 "On timeout"), the called number
 * rings. `answer` and `hangup` are only sent when an answer named their URL
 * (`<Response onAnswer onHangup>`, §4.1), to that URL (path and query kept); sipgate sends
 * them nowhere else. sipgate's `hangup` has no duration (§2.5 `IOISS#132`): the durations live
 * in the transcript only. Each step's transcript says what the caller lived, with one `ended`
 * last (cause `hangup cause=busy`…), also for a call whose end sends no push.
 *
 * @param options - the call (its `digits`, `cause`, `privateKey` to sign the follow-ups, the
 *   call plan)
 * @param callId - the `callId` of the `newCall` played
 * @param baseUrl - the URL the call is played against
 * @returns the follow function of one call: the step after `reply` (the pushes to send next
 *   and what the caller lived meanwhile)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the returned function) when an
 *   answer breaks the spec, with each problem in the message
 */
export function createSipgateFollower(
  options: SipgateCallScenarioOptions,
  callId: string,
  baseUrl: string,
): (reply: SipgateAnswerReply) => CallStep {
  const entries = [...(options.digits ?? (options.dtmf === undefined ? [] : [options.dtmf]))];
  const key = options.privateKey;
  const call = callFields(options, callId);
  const to = options.to ?? '4928559389086';
  const user = (options.users ?? ['Alice'])[0];
  const userFields: SipgateFormFields =
    (options.direction ?? 'in') === 'in' && user !== undefined
      ? [
          ['user', user],
          ['userId', 'w0'],
        ]
      : [];
  const hangupAt = options.hangupAfterSeconds;
  const ringing = options.cause ?? 'normalClearing';
  let onAnswer: string | undefined;
  let onHangup: string | undefined;
  let now = 0;
  let noInputs = 0;
  let established = false;
  let ended = false;
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

  /** `fields` signed as sipgate would, sent to the answer's `url`; none for an unusable URL. */
  const pushTo = (url: string | undefined, fields: SipgateFormFields): TestRequest[] => {
    if (url === undefined) return [];
    const target = answerUrlTarget(url, baseUrl);
    if (target === undefined) return [];
    return [{ ...sipgateRequest(fields, key), path: target.path, query: target.query }];
  };

  /** `answer` to onAnswer (when one was named). */
  const answer = (answeringNumber: string): TestRequest[] =>
    pushTo(onAnswer, [
      ['event', 'answer'],
      ...call,
      ...userFields,
      ['answeringNumber', answeringNumber],
    ]);

  /** The end of the call: `hangup` to onHangup (when named) and the `ended` entry. */
  const end = (
    cause: string,
    outcome: CallEndOutcome,
    by: 'caller' | 'callee' | 'app' | 'provider',
    answeringNumber?: string,
  ): TestRequest[] => {
    ended = true;
    transcript.push({
      kind: 'ended',
      at: now,
      outcome,
      cause: `hangup cause=${cause}`,
      durationSeconds: Math.round(now),
      by,
    });
    return pushTo(onHangup, [
      ['event', 'hangup'],
      ...call,
      ['cause', cause],
      ...(answeringNumber === undefined ? [] : ([['answeringNumber', answeringNumber]] as const)),
    ]);
  };

  /** The caller hangs up now, before anyone answered. */
  const callerCancels = (): TestRequest[] => end('cancel', 'canceled', 'caller');

  /** `targets` ring at once, as a `<Dial>` or the call delivered as without the app. */
  const ring = (targets: readonly string[]): TestRequest[] => {
    if (ringing !== 'normalClearing') {
      const outcome = outcomeOfCause(ringing);
      for (const target of targets) {
        transcript.push({
          kind: 'rings',
          at: now,
          target,
          outcome: outcome.ring,
          afterSeconds: outcome.ring === 'busy' ? 0 : DEFAULT_RING_SECONDS,
        });
      }
      if (outcome.ring !== 'busy') now += DEFAULT_RING_SECONDS;
      return end(ringing, outcome.call, 'provider');
    }
    const result = ringTargets(options, targets, now, {
      simultaneous: true,
      timeoutSeconds: DEFAULT_DIAL_TIMEOUT_SECONDS,
    });
    transcript.push(...result.transcript);
    now = result.endedAt;
    const answered = result.answered;
    if (answered === undefined) {
      if (result.failure === 'canceled') return callerCancels();
      return result.failure === 'busy'
        ? end('busy', 'busy', 'callee')
        : end('noAnswer', 'no-answer', 'provider');
    }
    const talk = talkSeconds(options, answered.at, SIPGATE_DEFAULT_TALK_SECONDS);
    transcript.push({ kind: 'talks', at: now, with: answered.target, seconds: talk });
    now += talk;
    return [
      ...answer(answered.target),
      ...end('normalClearing', 'completed', 'caller', answered.target),
    ];
  };

  /** Runs one answer's action. */
  const run = (action: XmlElement | undefined): TestRequest[] => {
    switch (action?.name) {
      case 'Reject':
        return action.attributes?.['reason'] === 'busy'
          ? end('busy', 'busy', 'app')
          : end('noAnswer', 'rejected', 'app');
      case 'Hangup':
        return end('normalClearing', established ? 'completed' : 'rejected', 'app');
      case 'Dial': {
        const children = childElements(action);
        if (children.some((child) => child.name === 'Voicemail')) {
          if (ringing !== 'normalClearing') return ring([to]);
          transcript.push({ kind: 'note', at: now, text: 'is put through to the voicemail' });
          const talk = talkSeconds(options, now, SIPGATE_DEFAULT_TALK_SECONDS);
          transcript.push({ kind: 'note', at: now, text: `leaves a message of ${talk} s` });
          now += talk;
          return [...answer(to), ...end('normalClearing', 'voicemail', 'caller', to)];
        }
        const numbers = children
          .filter((child) => child.name === 'Number')
          .map(elementText)
          .filter((number) => number !== '');
        return ring(numbers.length === 0 ? [to] : numbers);
      }
      case 'Gather': {
        established = true;
        for (const play of childElements(action).filter((child) => child.name === 'Play')) {
          const url = elementText(childElements(play).find((child) => child.name === 'Url'));
          transcript.push({ kind: 'hears', at: now, what: `audio ${url}` });
          if (!spend(PROMPT_SECONDS)) return callerCancels();
        }
        const entry = entries.shift();
        if (entry === undefined) {
          noInputs += 1;
          if (noInputs > MAX_NO_INPUTS) {
            transcript.push({
              kind: 'note',
              at: now,
              text: `hangs up after ${MAX_NO_INPUTS} prompts without input`,
            });
            return callerCancels();
          }
          const waited = millisecondsAttributeAsSeconds(action, 'timeout', GATHER_TIMEOUT_SECONDS);
          transcript.push({ kind: 'no-input', at: now, waitedSeconds: waited });
          if (!spend(waited)) return callerCancels();
        } else {
          noInputs = 0;
          transcript.push({ kind: 'presses', at: now, digits: entry });
          if (!spend(PRESS_SECONDS)) return callerCancels();
        }
        const onData = action.attributes?.['onData'];
        const target = onData === undefined ? undefined : answerUrlTarget(onData, baseUrl);
        if (target !== undefined) {
          transcript.push({ kind: 'follows', at: now, url: shownUrl(target) });
        }
        return pushTo(onData, [
          ['event', 'dtmf'],
          ['dtmf', entry ?? ''],
          ['callId', callId],
          ['origCallId', callId],
        ]);
      }
      case 'Play': {
        const url = elementText(childElements(action).find((child) => child.name === 'Url'));
        transcript.push({ kind: 'hears', at: now, what: `audio ${url}` });
        if (!spend(PROMPT_SECONDS)) return callerCancels();
        return ring([to]);
      }
      default:
        return ring([to]);
    }
  };

  return (reply) => {
    transcript = [];
    const event = reply.request.event;
    if (ended || (event !== 'newCall' && event !== 'dtmf')) return { requests: [], transcript };
    const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
    if (!ok) {
      transcript.push({
        kind: 'note',
        at: now,
        text: "(the app's answer is not used: sipgate sets the call up as without sipgate.io)",
      });
      return { requests: ring([to]), transcript };
    }
    let root: XmlElement | undefined;
    if (reply.body.trim() !== '') {
      assertValidAnswer(SIPGATE_RULES, 'sipgate.io', event, reply.body);
      root = parseXml(reply.body);
      onAnswer = root.attributes?.['onAnswer'] ?? onAnswer;
      onHangup = root.attributes?.['onHangup'] ?? onHangup;
    }
    if (hangupAt !== undefined && hangupAt <= now) return { requests: callerCancels(), transcript };
    return { requests: run(childElements(root)[0]), transcript };
  };
}

/** A followed URL as the transcript shows it: path and query, secrets redacted. */
function shownUrl(target: { path: string; query: string }): string {
  const path = target.path || '/';
  return transcriptUrl(target.query === '' ? path : `${path}?${target.query}`);
}

/**
 * sipgate.io's pushes in the test kit (spec docs/providers/sipgate.md §2): form-encoded POSTs,
 * signed with the client's `privateKey`.
 */
export interface SipgateTestRequests {
  /** `newCall`; fields default as in `sipgateCallScenario`. */
  newCall(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** `answer` of the call (with `answeringNumber`). */
  answer(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** `dtmf` with the keys `dtmf` (default `'1'`), as a `<Gather onData>` posts it. */
  dtmf(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** `hangup` with `cause` (default `normalClearing`). */
  hangup(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** Any fields, in order, as one sipgate POST, e.g. `[['event', 'newCall'], …]`. */
  request(fields: SipgateFormFields): Promise<TestReply>;
  /**
   * A whole call that follows the answers ({@link createSipgateFollower}): `newCall`, then the
   * `dtmf`, `answer` and `hangup` pushes its answers ask for (`digits`: one entry per
   * `<Gather>`; the plan's `targets`, `talkSeconds`, `hangupAfterSeconds` for a `<Dial>`); the
   * played call's `transcript` says what the caller lived.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: SipgateCallScenarioOptions): Promise<PlayedCall>;
}
