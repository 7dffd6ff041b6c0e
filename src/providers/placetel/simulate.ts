/**
 * Requests of a whole Placetel call, as Placetel sends them: form-encoded POSTs with the keys in
 * alphabetical order (as every real payload seen, spec §1 "Payload key order"), `@` written as
 * `%40`, signed with `X-PLACETEL-SIGNATURE` when a secret is given. Used by the
 * `callcontrol simulate placetel` command and by tests.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { XmlElement } from '../../core/xml';
import { assertValidAnswer } from '../plugin-kit';
import { parseXml } from '../../testing/xml';
import type { PlacetelHangupType } from './events';
import { PLACETEL_RULES } from './validate';
import { signPlacetelBody } from './verify';
import type { TestReply } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';

/** Options of {@link placetelCallScenario}. */
export interface PlacetelCallScenarioOptions {
  /** `call_id` of the call. Default: 64 random hex characters, like Placetel's SHA-256 ids. */
  readonly callId?: string;
  /** Caller id. Default `'017312345678'` (incoming) or `'022129191999'` (outgoing). */
  readonly from?: string;
  /** Called number. Default `'022129191999'` (incoming) or `'017312345678'` (outgoing). */
  readonly to?: string;
  /** The SIP peer that answers (incoming) or calls (outgoing). Default `'7777abcdefg@fpbx.de'`. */
  readonly peer?: string;
  /** `'in'`: IncomingCall → CallAccepted → HungUp; `'out'`: OutgoingCall → HungUp. Default `'in'`. */
  readonly direction?: 'in' | 'out';
  /** Hangup cause of the HungUp event. Default `'accepted'`; any other skips CallAccepted. */
  readonly hangupType?: PlacetelHangupType;
  /** Talk time in **seconds** reported by HungUp when the call was accepted. Default 38. */
  readonly durationSeconds?: number;
  /** Sign each body with this secret (`X-PLACETEL-SIGNATURE`). Default: unsigned. */
  readonly secret?: string;
  /**
   * `true`: an incoming call's scenario is the `IncomingCall` alone, and
   * {@link followPlacetelAnswer} adds what Placetel sends after the app's answer. Default
   * `false`: the fixed script `IncomingCall → CallAccepted → HungUp`.
   */
  readonly followAnswers?: boolean;
}

/** One request of a simulated call, ready to send. */
export interface PlacetelSimulatedRequest {
  /** The Placetel event name of this request. */
  readonly event: string;
  /** Always `'POST'`: Placetel sends every event as one POST (spec §1 "Method"). */
  readonly method: 'POST';
  /** `content-type`, and `x-placetel-signature` when signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact form-encoded body. */
  readonly body: string;
}

/**
 * Form-encodes fields the way Placetel does: keys sorted alphabetically, WHATWG
 * `application/x-www-form-urlencoded` encoding (so `@` becomes `%40`).
 */
export function encodePlacetelForm(fields: Readonly<Record<string, string>>): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(fields).sort()) params.append(key, fields[key] ?? '');
  return params.toString();
}

/**
 * Builds one request as Placetel sends it: the fields form-encoded with
 * {@link encodePlacetelForm}, `content-type: application/x-www-form-urlencoded`, and — when
 * `secret` is given — `x-placetel-signature` over the exact body (spec §1 "Signature").
 *
 * @param fields - decoded field values, e.g. `{ event: 'HungUp', call_id, duration: '38' }`
 *   (durations as text, in seconds, as Placetel sends them)
 * @param secret - sign with this shared secret; unsigned when omitted
 */
export function placetelRequest(
  fields: Readonly<Record<string, string>>,
  secret?: string,
): PlacetelSimulatedRequest {
  const body = encodePlacetelForm(fields);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (secret !== undefined) headers['x-placetel-signature'] = signPlacetelBody(body, secret);
  return { event: fields['event'] ?? '', method: 'POST', headers, body };
}

/**
 * The requests Placetel sends for one whole call, in order.
 *
 * @throws {TypeError} for a negative or fractional duration
 */
export function placetelCallScenario(
  options: PlacetelCallScenarioOptions = {},
): PlacetelSimulatedRequest[] {
  const direction = options.direction ?? 'in';
  const incoming = direction === 'in';
  const callId = options.callId ?? randomBytes(32).toString('hex');
  const from = options.from ?? (incoming ? '017312345678' : '022129191999');
  const to = options.to ?? (incoming ? '022129191999' : '017312345678');
  const peer = options.peer ?? '7777abcdefg@fpbx.de';
  const type = options.hangupType ?? 'accepted';
  const duration = options.durationSeconds ?? 38;
  if (!Number.isSafeInteger(duration) || duration < 0) {
    throw new TypeError('durationSeconds must be a whole number of seconds, 0 or more');
  }
  const accepted = type === 'accepted';
  const common = { call_id: callId, direction, from, to };
  const requests = [
    placetelRequest(
      incoming ? { ...common, event: 'IncomingCall' } : { ...common, event: 'OutgoingCall', peer },
      options.secret,
    ),
  ];
  if (incoming && options.followAnswers === true) return requests;
  if (incoming && accepted) {
    requests.push(placetelRequest({ ...common, event: 'CallAccepted', peer }, options.secret));
  }
  requests.push(
    placetelRequest(
      { ...common, event: 'HungUp', type, duration: String(accepted ? duration : 0) },
      options.secret,
    ),
  );
  return requests;
}

/** What an `IncomingCall` got back, for {@link followPlacetelAnswer}. */
export interface PlacetelAnswerReply {
  /** The request answered (its `event` and form-encoded `body` are read). */
  readonly request: { readonly event: string; readonly body: string };
  /** The HTTP status; `undefined` when no answer came. */
  readonly status: number | undefined;
  /** The answer's body as text. */
  readonly body: string;
}

/** The first child element of `element`, or `undefined`. */
function firstElement(element: XmlElement): XmlElement | undefined {
  for (const child of element.children ?? []) if (typeof child !== 'string') return child;
  return undefined;
}

/** The text of the first `<Number>` below `element` (a `<Forward>`'s first target). */
function firstNumber(element: XmlElement): string | undefined {
  for (const child of element.children ?? []) {
    if (typeof child === 'string') continue;
    if (child.name === 'Number') {
      const text = (child.children ?? []).filter((c) => typeof c === 'string').join('');
      return text.trim() === '' ? undefined : text.trim();
    }
    const found = firstNumber(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The requests Placetel sends after the app answered an `IncomingCall`, as the answer asks
 * (`docs/providers/placetel.md` §3.1, §3.3, hangup types §2.3):
 *
 * - `<Reject reason="busy"/>`: `HungUp` with `type=busy`, `duration=0`; a plain `<Reject/>`
 *   and `<Hangup/>`: `HungUp` with `type=blocked`, `duration=0` — never `CallAccepted`;
 * - `<Forward>` with targets, `<Queue>`, `<RoutingPlan>`: the scenario's outcome — with
 *   `hangupType` `accepted` (the default) `CallAccepted` (`peer`: the scenario's, else the
 *   first forwarded number) and `HungUp type=accepted` with `durationSeconds`; any other type
 *   skips `CallAccepted` (a `missed`, `voicemail`… call);
 * - `<Forward>` without targets (straight to voicemail, §3.2): `HungUp type=voicemail`;
 * - no answer document (an empty body, an error status, no reply): the fixed script's rest.
 *
 * Every answer document is checked with Placetel's validator rules first.
 *
 * @param reply - the `IncomingCall` and what it got back; any other request adds nothing
 * @param options - the scenario (`peer`, `hangupType`, `durationSeconds`, `secret`)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when the answer breaks the spec, with
 *   each problem (path, message, spec section) in the message
 */
export function followPlacetelAnswer(
  reply: PlacetelAnswerReply,
  options: PlacetelCallScenarioOptions = {},
): PlacetelSimulatedRequest[] {
  if (reply.request.event !== 'IncomingCall') return [];
  const call = Object.fromEntries(new URLSearchParams(reply.request.body));
  const common = {
    call_id: call['call_id'] ?? '',
    direction: call['direction'] ?? 'in',
    from: call['from'] ?? '',
    to: call['to'] ?? '',
  };
  const hungUp = (type: PlacetelHangupType, duration: number): PlacetelSimulatedRequest =>
    placetelRequest(
      { ...common, event: 'HungUp', type, duration: String(duration) },
      options.secret,
    );
  const type = options.hangupType ?? 'accepted';
  const duration = options.durationSeconds ?? 38;
  const connected = (peer: string | undefined): PlacetelSimulatedRequest[] =>
    type === 'accepted'
      ? [
          placetelRequest(
            {
              ...common,
              event: 'CallAccepted',
              peer: options.peer ?? peer ?? '7777abcdefg@fpbx.de',
            },
            options.secret,
          ),
          hungUp('accepted', duration),
        ]
      : [hungUp(type, 0)];
  const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
  if (!ok || reply.body.trim() === '') return connected(undefined);
  assertValidAnswer(PLACETEL_RULES, 'Placetel', 'IncomingCall', reply.body);
  const action = firstElement(parseXml(reply.body));
  switch (action?.name) {
    case 'Reject':
      return [hungUp(action.attributes?.['reason'] === 'busy' ? 'busy' : 'blocked', 0)];
    case 'Hangup':
      return [hungUp('blocked', 0)];
    case 'Forward': {
      const peer = firstNumber(action);
      return peer === undefined && action.attributes?.['voicemail'] === 'true'
        ? [hungUp('voicemail', 0)]
        : connected(peer);
    }
    default:
      return connected(undefined);
  }
}

/** Placetel's requests in the test kit (spec §2), signed with the client's `secret`. */
export interface PlacetelTestRequests {
  /** `IncomingCall` (`direction=in`); fields default as in `placetelCallScenario`. */
  incomingCall(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** `OutgoingCall` (`direction=out`, with `peer`). */
  outgoingCall(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** `CallAccepted` of an incoming call (with `peer`). */
  callAccepted(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** `HungUp` with `type` = `hangupType` (default `accepted`) and `duration` in seconds. */
  hungUp(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** Any fields as one Placetel POST, e.g. `{ event: 'IncomingCall', call_id, … }`. */
  request(fields: Readonly<Record<string, string>>): Promise<TestReply>;
  /**
   * A whole call that follows the answers ({@link followPlacetelAnswer}): `IncomingCall`, then
   * `CallAccepted → HungUp` for a forward, `HungUp type=busy` for a `<Reject reason="busy"/>`…
   * (an outgoing call: `OutgoingCall → HungUp`).
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: PlacetelCallScenarioOptions): Promise<PlayedCall>;
}
