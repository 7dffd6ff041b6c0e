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
import { answerUrlTarget, assertValidAnswer } from '../plugin-kit';
import type { SipgateHangupCause } from './events';
import { SIPGATE_RULES } from './validate';
import { SIPGATE_SIGNATURE_HEADER, signSipgateBody } from './verify';

/** Options of {@link sipgateCallScenario}. */
export interface SipgateCallScenarioOptions {
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

/** The elements among `element`'s children. */
function elements(element: XmlElement | undefined): XmlElement[] {
  return (element?.children ?? []).filter(
    (child): child is XmlElement => typeof child !== 'string',
  );
}

/**
 * A model of one sipgate.io call that follows the app's answers (`docs/providers/sipgate.md`
 * §2, §4): the answer to `newCall` (and to each `dtmf`) is checked with sipgate's validator
 * rules, then its action is run —
 * - `<Reject reason="busy">`: `hangup` with cause `busy`; `<Reject>` (reason `rejected`, the
 *   default): cause `noAnswer` (§2.3, §4.5); no `answer`;
 * - `<Hangup/>`: `hangup` with cause `normalClearing`; no `answer` (§4.6);
 * - `<Dial>`: `answer` with `answeringNumber` = the first `<Number>` dialled (the called number
 *   for `<Voicemail/>`), then `hangup` `normalClearing` (§4.2);
 * - `<Gather onData>`: `dtmf` with the next `digits` entry, posted to `onData` (its path and
 *   query kept, §4.4), whose answer is run next; no entry left: the caller hangs up
 *   (`hangup` `normalClearing`, no `answer`);
 * - no action, `<Play>` or an empty answer: the call is delivered as without the app (§4.3):
 *   `answer` (`answeringNumber` = the called number), then `hangup` `normalClearing`.
 *
 * A `cause` other than `normalClearing` ends a call left to ring or dialled with that cause and
 * no `answer`. `answer` and `hangup` are only sent when an answer named their URL
 * (`<Response onAnswer onHangup>`, §4.1), to that URL (path and query kept); sipgate sends
 * them nowhere else. An answer that is not 2xx asks for nothing: the call goes on without
 * follow-ups.
 *
 * @param options - the call (its `digits`, `cause`, `privateKey` to sign the follow-ups)
 * @param callId - the `callId` of the `newCall` played
 * @param baseUrl - the URL the call is played against
 * @returns the follow function of one call: the pushes to send after `reply`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the returned function) when an
 *   answer breaks the spec, with each problem in the message
 */
export function createSipgateFollower(
  options: SipgateCallScenarioOptions,
  callId: string,
  baseUrl: string,
): (reply: SipgateAnswerReply) => TestRequest[] {
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
  let onAnswer: string | undefined;
  let onHangup: string | undefined;

  /** `fields` signed as sipgate would, sent to the answer's `url`; none for an unusable URL. */
  const pushTo = (url: string | undefined, fields: SipgateFormFields): TestRequest[] => {
    if (url === undefined) return [];
    const target = answerUrlTarget(url, baseUrl);
    if (target === undefined) return [];
    return [{ ...sipgateRequest(fields, key), path: target.path, query: target.query }];
  };

  /** The end of the call: `answer` when `answeringNumber` is given, then `hangup`. */
  const end = (cause: string, answeringNumber?: string): TestRequest[] => {
    const answered = answeringNumber !== undefined && cause === 'normalClearing';
    return [
      ...(answered
        ? pushTo(onAnswer, [
            ['event', 'answer'],
            ...call,
            ...userFields,
            ['answeringNumber', answeringNumber],
          ])
        : []),
      ...pushTo(onHangup, [
        ['event', 'hangup'],
        ...call,
        ['cause', cause],
        ...(answered ? ([['answeringNumber', answeringNumber]] as const) : []),
      ]),
    ];
  };

  const ringing = options.cause ?? 'normalClearing';

  return (reply) => {
    if (reply.request.event !== 'newCall' && reply.request.event !== 'dtmf') return [];
    const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
    if (!ok) return [];
    let root: XmlElement | undefined;
    if (reply.body.trim() !== '') {
      assertValidAnswer(SIPGATE_RULES, 'sipgate.io', reply.request.event, reply.body);
      root = parseXml(reply.body);
      onAnswer = root.attributes?.['onAnswer'] ?? onAnswer;
      onHangup = root.attributes?.['onHangup'] ?? onHangup;
    }
    const action = elements(root)[0];
    switch (action?.name) {
      case 'Reject':
        return end(action.attributes?.['reason'] === 'busy' ? 'busy' : 'noAnswer');
      case 'Hangup':
        return end('normalClearing');
      case 'Dial': {
        const number = elements(action).find((child) => child.name === 'Number');
        const text = number?.children?.find((child) => typeof child === 'string');
        return end(ringing, typeof text === 'string' ? text.trim() : to);
      }
      case 'Gather': {
        const entry = entries.shift();
        if (entry === undefined) return end('normalClearing');
        return pushTo(action.attributes?.['onData'], [
          ['event', 'dtmf'],
          ['dtmf', entry],
          ['callId', callId],
          ['origCallId', callId],
        ]);
      }
      default:
        return end(ringing, to);
    }
  };
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
   * `<Gather>`).
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: SipgateCallScenarioOptions): Promise<PlayedCall>;
}
