/**
 * sipgate.io Push API events and their parser.
 *
 * Spec: `docs/providers/sipgate.md` §2 (events and fields), §6 (example requests), §11
 * (ambiguities we tolerate); upstream: https://developer.sipgate.io/push-api/api-reference/
 *
 * @module
 */
import { decodeBodyFields, type FieldMap } from '../../core/body';
import { CallControlError } from '../../core/errors';
import type { ParseContext } from '../../core/app';
import type { WebhookEvent, WebhookRequest } from '../../core/types';

/** The events sipgate.io sends (spec §2.1): `newCall`, and the follow-ups an answer asks for. */
export const SIPGATE_EVENTS = ['newCall', 'answer', 'hangup', 'dtmf'] as const;

/** A sipgate.io event name: `newCall`, `answer`, `hangup` or `dtmf`. */
export type SipgateEventName = (typeof SIPGATE_EVENTS)[number];

/** Call direction as sipgate sends it (`in` or `out`); open to values added later. */
export type SipgateDirection = 'in' | 'out' | (string & {});

/**
 * Cause of a `hangup` (spec §2.3): `normalClearing`, `busy`, `cancel`, `noAnswer`,
 * `congestion`, `notFound`, `forwarded`; open to undocumented ones seen in production
 * (`chanunavail`) and to causes sipgate adds later.
 */
export type SipgateHangupCause =
  | 'normalClearing'
  | 'busy'
  | 'cancel'
  | 'noAnswer'
  | 'congestion'
  | 'notFound'
  | 'forwarded'
  | (string & {});

/** The seven hangup causes sipgate documents (spec §2.3). */
export const SIPGATE_HANGUP_CAUSES = [
  'normalClearing',
  'busy',
  'cancel',
  'noAnswer',
  'congestion',
  'notFound',
  'forwarded',
] as const;

/**
 * The form keys sipgate repeats, one value per user (spec §2.2): always decoded as arrays, also
 * when sent once (`user%5B%5D=` gives `['']`) — literal `user[]` and percent-encoded
 * `user%5B%5D` alike.
 */
export const SIPGATE_ARRAY_FIELDS = ['user[]', 'userId[]', 'fullUserId[]'] as const;

/**
 * The decoded form of a sipgate.io request: `fields` holds the first value of every key (as for
 * every provider), `lists` every value of each key ending in `[]`, in order.
 */
export interface SipgateForm {
  /** Every key's first value, e.g. `{ event: 'newCall', 'user[]': 'Alice' }`. */
  readonly fields: Readonly<Record<string, string>>;
  /** Every value of each key ending in `[]`, e.g. `{ 'user[]': ['Alice', 'Bob'] }`. */
  readonly lists: Readonly<Record<string, readonly string[]>>;
}

/** Fields every sipgate.io event has. */
export interface SipgateEventBase<N extends string> extends WebhookEvent {
  readonly provider: 'sipgate';
  /** The sipgate event name (its `event` field). */
  readonly name: N;
  /**
   * `callId`: an opaque identifier of this call leg, the same for all its events (spec §2.2:
   * variable length, sipgate recommends room for at least 200 characters).
   */
  readonly callId: string;
  /**
   * `origCallId`: the first leg's `callId` after a transfer or forwarding, else equal to
   * `callId`; `undefined` when not sent (older pushes, the documented examples).
   */
  readonly origCallId: string | undefined;
  /** `xcid`: another opaque call identifier (spec §2.2); `undefined` when not sent. */
  readonly xcid: string | undefined;
  /**
   * `from`: the calling number as sent — E.164 digits without `+` (`492111234567`),
   * `anonymous`, or an extension id such as `1452406e0` on outgoing calls. `''` when absent
   * (a `dtmf` event, a 2015 `hangup`). Never normalised.
   */
  readonly from: string;
  /** `to`: the called number as sent (E.164 digits without `+`). `''` when absent. */
  readonly to: string;
  /** `direction`: `in` or `out`; `undefined` when not sent (`dtmf`, older follow-ups). */
  readonly direction: SipgateDirection | undefined;
  /**
   * `diversion`: the number originally dialled when the call was diverted before it reached
   * sipgate.io; `undefined` when not sent.
   */
  readonly diversion: string | undefined;
  /**
   * Every decoded form field as sent, unknown ones included; for a key sent more than once the
   * first value (all values of the `[]` keys are in {@link SipgateEventBase.lists}).
   */
  readonly raw: Readonly<Record<string, string>>;
  /**
   * Every value of each key ending in `[]` (`user[]`, `userId[]`, `fullUserId[]`, and unknown
   * ones), in the order sent: `{ 'user[]': ['Alice', 'Bob'] }`. `{}` when there are none.
   */
  readonly lists: Readonly<Record<string, readonly string[]>>;
}

/**
 * A new call (spec §2.1): the only event besides `dtmf` whose answer sipgate executes, and the
 * one whose answer asks for the follow-ups (`onAnswer`, `onHangup`).
 */
export interface SipgateNewCall extends SipgateEventBase<'newCall'> {
  /**
   * `user[]`: the sipgate users involved — the caller on outgoing calls, the users the call
   * rings for on incoming ones. `[]` when not sent; may hold `''` (sent empty).
   */
  readonly users: readonly string[];
  /** `userId[]`: their user ids, e.g. `['w0']`; `[]` when not sent. */
  readonly userIds: readonly string[];
  /** `fullUserId[]`: account id and user id, e.g. `['1234567w0']`; `[]` when not sent. */
  readonly fullUserIds: readonly string[];
}

/**
 * Someone answered the call (spec §2.1; sent to the answer's `onAnswer` URL). Notify only:
 * sipgate discards the answer to it. (Named `…Event` to keep it apart from the answer type
 * {@link SipgateAnswer}.)
 */
export interface SipgateAnswerEvent extends SipgateEventBase<'answer'> {
  /**
   * `user`: the user who answered (incoming calls only); `''` when the voicemail or a queue
   * answered and sipgate sent it empty; `undefined` when not sent.
   */
  readonly user: string | undefined;
  /** `userId`, e.g. `w0`; `undefined` when not sent. */
  readonly userId: string | undefined;
  /** `fullUserId`, e.g. `1234567w0`; `undefined` when not sent. */
  readonly fullUserId: string | undefined;
  /** `answeringNumber`: the destination that answered; `undefined` when not sent. */
  readonly answeringNumber: string | undefined;
}

/** The call ended (spec §2.1; sent to the answer's `onHangup` URL). Notify only. */
export interface SipgateHangup extends SipgateEventBase<'hangup'> {
  /** `cause`, see {@link SipgateHangupCause}; `undefined` when not sent. */
  readonly cause: SipgateHangupCause | undefined;
  /** `answeringNumber`: the destination that had answered; `undefined` when not sent. */
  readonly answeringNumber: string | undefined;
}

/**
 * The digits a `<Gather>` collected (spec §2.1, §4.4; sent to its `onData` URL). Its answer
 * continues the call.
 */
export interface SipgateDtmf extends SipgateEventBase<'dtmf'> {
  /**
   * `dtmf`: the keys entered, as text (leading zeros kept: `'0815'`); `''` when nothing was
   * entered, whether sent empty or not at all (spec §11.6).
   */
  readonly dtmf: string;
}

/**
 * An event whose name this version does not know. It reaches `onAny` handlers and is answered
 * with the neutral `<Response/>`.
 */
export type SipgateUnknownEvent = SipgateEventBase<string>;

/** Every known sipgate.io event. */
export type SipgateEvent = SipgateNewCall | SipgateAnswerEvent | SipgateHangup | SipgateDtmf;

function malformed(message: string): CallControlError {
  return new CallControlError('CC_ERR_REQUEST_MALFORMED', message);
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Parses the decoded fields of a sipgate.io request into an event.
 *
 * Tolerates keys in any order, unknown extra fields (kept in `raw`), and follow-ups that carry
 * only `event` and `callId` (spec §11.5).
 *
 * @param form - the decoded form (see {@link decodeSipgateForm})
 * @param routedEvent - the event name the app's `eventPaths` give the request's path; used only
 *   when the body has no `event` (sipgate always sends one)
 * @throws {CallControlError} `CC_ERR_REQUEST_MALFORMED` (400) when `event` or `callId` is
 *   missing or empty
 */
export function parseSipgateFields(
  form: SipgateForm,
  routedEvent?: string,
): SipgateEvent | SipgateUnknownEvent {
  const { fields, lists } = form;
  const optional = (key: string): string | undefined => fields[key];
  const list = (key: string): readonly string[] => lists[key] ?? NONE;
  const name = optional('event') || routedEvent;
  if (name === undefined || name === '') throw malformed('The field "event" is missing');
  const callId = optional('callId');
  if (callId === undefined || callId === '') throw malformed('The field "callId" is missing');
  const raw: Readonly<Record<string, string>> = Object.freeze(fields);
  const direction = optional('direction');
  const base = {
    provider: 'sipgate' as const,
    callId,
    origCallId: optional('origCallId'),
    xcid: optional('xcid'),
    from: optional('from') ?? '',
    to: optional('to') ?? '',
    direction: direction === '' ? undefined : direction,
    diversion: optional('diversion'),
    raw,
    lists: Object.freeze(lists),
  };
  switch (name) {
    case 'newCall':
      return {
        ...base,
        name,
        users: list('user[]'),
        userIds: list('userId[]'),
        fullUserIds: list('fullUserId[]'),
      };
    case 'answer':
      return {
        ...base,
        name,
        user: optional('user'),
        userId: optional('userId'),
        fullUserId: optional('fullUserId'),
        answeringNumber: optional('answeringNumber'),
      };
    case 'hangup': {
      const cause = optional('cause');
      return {
        ...base,
        name,
        cause: cause === '' ? undefined : cause,
        answeringNumber: optional('answeringNumber'),
      };
    }
    case 'dtmf':
      return { ...base, name, dtmf: optional('dtmf') ?? '' };
    default:
      return { ...base, name };
  }
}

/**
 * Decodes a sipgate.io form body with the core's form rules (UTF-8 only, at most 1000 fields,
 * first value wins in `fields`), and keeps every value of each key ending in `[]` in `lists`:
 * literal `user[]` and percent-encoded `user%5B%5D` alike, one value (`user%5B%5D=` gives
 * `['']`) or several.
 *
 * @throws {CallControlError} 415 for a content type other than
 *   `application/x-www-form-urlencoded`, 400 for bytes that are not UTF-8, 413 above 1000 fields
 */
export function decodeSipgateForm(request: WebhookRequest): SipgateForm {
  const fields: FieldMap = decodeBodyFields(request, ['application/x-www-form-urlencoded']);
  const lists: Record<string, readonly string[]> = Object.create(null) as Record<
    string,
    readonly string[]
  >;
  const listKeys = Object.keys(fields).filter((key) => key.endsWith('[]'));
  if (listKeys.length > 0) {
    // decodeBodyFields checked the encoding and the field count already.
    const params = new URLSearchParams(request.body.toString('utf8'));
    for (const key of listKeys) lists[key] = Object.freeze(params.getAll(key));
  }
  return { fields, lists };
}

/**
 * Parses a sipgate.io request: a form-encoded POST body (spec §1 "Request Content-Type";
 * `application/x-www-form-urlencoded`, with or without `charset=UTF-8`).
 *
 * @throws {CallControlError} 415 for another content type, 400 for an unreadable body or a
 *   missing `event`/`callId` (see {@link parseSipgateFields})
 */
export function parseSipgateRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
): SipgateEvent | SipgateUnknownEvent {
  return parseSipgateFields(decodeSipgateForm(request), context.routedEvent);
}
