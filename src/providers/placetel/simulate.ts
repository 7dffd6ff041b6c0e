/**
 * Requests of a whole Placetel call, as Placetel sends them: form-encoded POSTs with the keys in
 * alphabetical order (as every real payload seen, spec §1 "Payload key order"), `@` written as
 * `%40`, signed with `X-PLACETEL-SIGNATURE` when a secret is given. Used by the
 * `callcontrol simulate placetel` command and by tests.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { PlacetelHangupType } from './events';
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
  /** A whole call: `IncomingCall → CallAccepted → HungUp` (or the variant the options give). */
  playCall(options?: PlacetelCallScenarioOptions): Promise<PlayedCall>;
}
