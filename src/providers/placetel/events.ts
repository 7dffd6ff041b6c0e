/**
 * Placetel Call Control / Notify API events and their parser.
 *
 * Spec: `docs/providers/placetel.md` §2 (events and fields), §8 (ambiguities we tolerate);
 * upstream: https://github.com/Placetel/call-control-notify-api#our-post-request
 *
 * @module
 */
import { decodeBodyFields, type FieldMap } from '../../core/body';
import { CallControlError } from '../../core/errors';
import type { ParseContext } from '../../core/app';
import type { WebhookEvent, WebhookRequest } from '../../core/types';

/** The events Placetel sends (spec §2.1). */
export const PLACETEL_EVENTS = ['IncomingCall', 'OutgoingCall', 'CallAccepted', 'HungUp'] as const;

/** A Placetel event name: `IncomingCall`, `OutgoingCall`, `CallAccepted` or `HungUp`. */
export type PlacetelEventName = (typeof PLACETEL_EVENTS)[number];

/** Call direction as Placetel sends it; open to values added later. */
export type PlacetelDirection = 'in' | 'out' | (string & {});

/**
 * Hangup cause of a `HungUp` event (its `type` field, spec §2.3): `voicemail`, `missed`,
 * `blocked`, `accepted`, and — for outbound calls only — `busy`, `canceled` (one `l`),
 * `unavailable`, `congestion`. Open to causes Placetel adds later.
 */
export type PlacetelHangupType =
  | 'voicemail'
  | 'missed'
  | 'blocked'
  | 'accepted'
  | 'busy'
  | 'canceled'
  | 'unavailable'
  | 'congestion'
  | (string & {});

/** The eight hangup causes Placetel documents (spec §2.3). */
export const PLACETEL_HANGUP_TYPES = [
  'voicemail',
  'missed',
  'blocked',
  'accepted',
  'busy',
  'canceled',
  'unavailable',
  'congestion',
] as const;

/** Fields every Placetel event has. */
export interface PlacetelEventBase<N extends string> extends WebhookEvent {
  readonly provider: 'placetel';
  /** The Placetel event name (its `event` field). */
  readonly name: N;
  /** `call_id`: hex SHA-256 in real traffic; the same for every event of one call. */
  readonly callId: string;
  /**
   * `from`: the caller id — a national number like `017312345678`, `anonymous`, or a SIP id
   * `user@server` on internal calls. `''` when absent. A leading literal `+` is kept.
   */
  readonly from: string;
  /** `to`: the called number, an internal extension like `23`, or a SIP id. `''` when absent. */
  readonly to: string;
  /**
   * `direction`: `in` or `out`. Payloads from before July 2019 have none: for `IncomingCall` and
   * `CallAccepted` it is then `in`, for `OutgoingCall` `out` (the only directions Placetel sends
   * them with, spec §2.1); for `HungUp` it stays `undefined`. `raw.direction` shows what was sent.
   */
  readonly direction: PlacetelDirection | undefined;
  /** Every decoded form field as sent, unknown ones included. */
  readonly raw: Readonly<Record<string, string>>;
}

/** A new incoming call; the only event whose answer Placetel executes (spec §3). */
export type PlacetelIncomingCall = PlacetelEventBase<'IncomingCall'>;

/** A new outgoing call of a SIP user (notify only). */
export interface PlacetelOutgoingCall extends PlacetelEventBase<'OutgoingCall'> {
  /** `peer`: the calling SIP user, e.g. `7777abcdefg@fpbx.de` (absent before Feb 2020). */
  readonly peer: string | undefined;
}

/** An incoming call was answered (notify only; never sent for outgoing calls). */
export interface PlacetelCallAccepted extends PlacetelEventBase<'CallAccepted'> {
  /** `peer`: the SIP peer that answered, e.g. `7777abcdefg@fpbx.de`. */
  readonly peer: string | undefined;
}

/** A call ended (notify only). */
export interface PlacetelHungUp extends PlacetelEventBase<'HungUp'> {
  /** `type`: the hangup cause, see {@link PlacetelHangupType}; `undefined` when not sent. */
  readonly type: PlacetelHangupType | undefined;
  /**
   * `duration`: talk time of the accepted call in **seconds**, `0` for calls not accepted;
   * `undefined` in payloads from before May 2017 that have no duration.
   */
  readonly duration: number | undefined;
}

/**
 * An event whose name this version does not know (Placetel may add events). It reaches
 * `onAny` handlers and is answered with the neutral `<Response/>`.
 */
export type PlacetelUnknownEvent = PlacetelEventBase<string>;

/** Every known Placetel event. */
export type PlacetelEvent =
  PlacetelIncomingCall | PlacetelOutgoingCall | PlacetelCallAccepted | PlacetelHungUp;

// A phone number never starts with a space: a space before a digit there is a `+` that the
// sender did not percent-encode (spec §8.1 leaves open whether `+` arrives as `%2B`).
const UNENCODED_PLUS = /^ (?=\d)/;

function numberField(fields: FieldMap, key: string): string | undefined {
  const value = fields[key];
  return value === undefined ? undefined : value.replace(UNENCODED_PLUS, '+');
}

function malformed(message: string): CallControlError {
  return new CallControlError('CC_ERR_REQUEST_MALFORMED', message);
}

/**
 * Parses the fields of a Placetel request (already decoded from the form body) into an event.
 *
 * Tolerates keys in any order, unknown extra fields (kept in `raw`), payloads without
 * `direction`, `peer` or `duration`, and `@` sent raw or as `%40`.
 *
 * @param fields - the decoded form fields
 * @param routedEvent - the event name the app's `eventPaths` give the request's path; used only
 *   when the body has no `event` (Placetel always sends one)
 * @throws {CallControlError} `CC_ERR_REQUEST_MALFORMED` (400) when `event` or `call_id` is
 *   missing or empty, or `duration` is not a whole number of seconds
 */
export function parsePlacetelFields(
  fields: FieldMap,
  routedEvent?: string,
): PlacetelEvent | PlacetelUnknownEvent {
  const name = fields['event'] || routedEvent;
  if (name === undefined || name === '') throw malformed('The field "event" is missing');
  const callId = fields['call_id'];
  if (callId === undefined || callId === '') throw malformed('The field "call_id" is missing');

  const raw: Readonly<Record<string, string>> = Object.freeze(fields);
  const sentDirection = fields['direction'] === '' ? undefined : fields['direction'];
  const from = numberField(fields, 'from') ?? '';
  const to = numberField(fields, 'to') ?? '';
  // Each event is one literal of fixed shape (in the order the fields always had): spreading a
  // shared base into a new literal made V8 build every event slowly (docs/performance.md).
  switch (name) {
    case 'IncomingCall':
      return {
        provider: 'placetel',
        callId,
        from,
        to,
        raw,
        name,
        direction: sentDirection ?? 'in',
      };
    case 'OutgoingCall':
      return {
        provider: 'placetel',
        callId,
        from,
        to,
        raw,
        name,
        direction: sentDirection ?? 'out',
        peer: numberField(fields, 'peer'),
      };
    case 'CallAccepted':
      return {
        provider: 'placetel',
        callId,
        from,
        to,
        raw,
        name,
        direction: sentDirection ?? 'in',
        peer: numberField(fields, 'peer'),
      };
    case 'HungUp': {
      const type = fields['type'];
      return {
        provider: 'placetel',
        callId,
        from,
        to,
        raw,
        name,
        direction: sentDirection,
        type: type === '' ? undefined : type,
        duration: parseDuration(fields['duration']),
      };
    }
    default:
      return { provider: 'placetel', callId, from, to, raw, name, direction: sentDirection };
  }
}

function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value)) {
    throw malformed(
      `The field "duration" must be a whole number of seconds, got "${value.slice(0, 32)}"`,
    );
  }
  return Number(value);
}

/**
 * Parses a Placetel request: a form-encoded POST body (`application/x-www-form-urlencoded`,
 * spec §1 "Request Content-Type"); a flat JSON object is accepted too, as some REST-v2
 * subscription integrations report (spec §7.3).
 *
 * @throws {CallControlError} 415 for another content type, 400 for an unreadable body or
 *   missing `event`/`call_id` (see {@link parsePlacetelFields})
 */
export function parsePlacetelRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
): PlacetelEvent | PlacetelUnknownEvent {
  const fields = decodeBodyFields(request, [
    'application/x-www-form-urlencoded',
    'application/json',
  ]);
  return parsePlacetelFields(fields, context.routedEvent);
}
