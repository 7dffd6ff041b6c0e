/**
 * 4PSA VoipNow Call Events and Call Interactive requests, and their parser.
 *
 * Spec: `docs/providers/voipnow.md` §1 (Call Events), §2 (Call Interactive). Upstream:
 * https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Events.html and
 * https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Interactive/Interactive-Request-Parameters.html
 *
 * VoipNow calls one URL per configured event, by GET (fields in the query) or POST (fields in a
 * form body) as the extension's configuration says, and does not name the event in the
 * request. Which event a request is comes, in this order, from: the app's `eventPaths` (one
 * route per event, as VoipNow is configured), an `EventType` field (sent by VoipNow-derived
 * platforms, e.g. `call_interactive`), or the fields themselves (see {@link inferVoipNowEvent}).
 *
 * @module
 */
import type { ParseContext } from '../../core/app';
import { decodeBodyFields, decodeQuery, type FieldMap } from '../../core/body';
import { CallControlError } from '../../core/errors';
import type { WebhookEvent, WebhookRequest } from '../../core/types';

/**
 * VoipNow's events: the Call Events `Dial-In`, `Dial-Out`, `Hangup`, `Answer-In` ("Answer on
 * incoming call", UnifiedAPI type 3) and `Answer-Out` ("Answer on outgoing call (by the other
 * party)", type 4) — notify only — and `call_interactive`, the Call Interactive IVR action,
 * whose answer controls the call.
 */
export const VOIPNOW_EVENTS = [
  'Dial-In',
  'Dial-Out',
  'Hangup',
  'Answer-In',
  'Answer-Out',
  'call_interactive',
] as const;

/** A VoipNow event name, see {@link VOIPNOW_EVENTS}. */
export type VoipNowEventName = (typeof VOIPNOW_EVENTS)[number];

/** `CallStatus`: `CALLING` (Dial-In, Dial-Out), `ANSWER` or `UNKNOWN` (Hangup); open to others. */
export type VoipNowCallStatus = 'CALLING' | 'ANSWER' | 'UNKNOWN' | (string & {});

/** `CallFlow`: `IN` (the extension received the call) or `OUT` (it made it); open to others. */
export type VoipNowCallFlow = 'IN' | 'OUT' | (string & {});

/**
 * A VoipNow extension number in its extended form `yyyy*zzz` (e.g. `0003*001`): the client's
 * code, a `*`, and the extension's own number. A value without `*` has only `number`.
 */
export interface VoipNowExtension {
  /** The value as sent, e.g. `0003*001`. */
  readonly extended: string;
  /** The part before `*` (the client's code, e.g. `0003`); `undefined` when there is no `*`. */
  readonly clientCode: string | undefined;
  /** The part after `*` (the extension number, e.g. `001`), or the whole value without `*`. */
  readonly number: string;
}

/** Splits an extended extension number `yyyy*zzz` into its parts (see {@link VoipNowExtension}). */
export function parseVoipNowExtension(extended: string): VoipNowExtension {
  const star = extended.indexOf('*');
  return star === -1
    ? { extended, clientCode: undefined, number: extended }
    : { extended, clientCode: extended.slice(0, star), number: extended.slice(star + 1) };
}

/** The default parameters of every VoipNow request (spec §1, §2). */
export const VOIPNOW_DEFAULT_FIELDS = [
  'CallID',
  'CallerIDNum',
  'CallerIDName',
  'CalledDID',
  'CalledExtension',
  'CallStatus',
  'CallFlow',
  'CallerExtension',
  'CalledNumber',
  'CallAPIID',
  'CalledExtensionID',
  'CallerExtensionID',
  'EventType',
] as const;

/** Fields every VoipNow event has. */
export interface VoipNowEventBase<N extends string> extends WebhookEvent {
  readonly provider: 'voipnow';
  /** The event, see {@link VOIPNOW_EVENTS}. */
  readonly name: N;
  /** `CallID`: the call's unique id; `''` when not sent. */
  readonly callId: string;
  /** `CallerIDNum`: the caller's number; `''` when not sent. */
  readonly from: string;
  /**
   * The called party: `CalledNumber` (what the caller dialled), else `CalledDID`, else
   * `CalledExtension`; `''` when none was sent.
   */
  readonly to: string;
  /** `CallerIDNum`: the caller's CallerID number. */
  readonly callerIdNum: string | undefined;
  /** `CallerIDName` (also read from the `CallerIDNam` a 4PSA page spells): the caller's name. */
  readonly callerIdName: string | undefined;
  /** `CalledDID`: the public number of the called extension, if it has one. */
  readonly calledDid: string | undefined;
  /** `CalledExtension`: the extension that received the call, with its parts. */
  readonly calledExtension: VoipNowExtension | undefined;
  /** `CallerExtension`: the extension that made the call, with its parts. */
  readonly callerExtension: VoipNowExtension | undefined;
  /** `CalledNumber`: the number the caller dialled (public or extended). */
  readonly calledNumber: string | undefined;
  /** `CallStatus`, see {@link VoipNowCallStatus}. */
  readonly callStatus: VoipNowCallStatus | undefined;
  /** `CallFlow`, see {@link VoipNowCallFlow}. */
  readonly callFlow: VoipNowCallFlow | undefined;
  /**
   * The fields that are not VoipNow's default parameters: the static parameters you put in the
   * URL and, for Call Interactive, the interactive parameters (`$Variable` in the URL, replaced
   * by the IVR variable's value, or `null` when it is unset — spec §2).
   */
  readonly params: Readonly<Record<string, string>>;
  /** Every field as sent (query and form body; the body wins where both name one field). */
  readonly raw: Readonly<Record<string, string>>;
}

/** The extension received a call (Call Event, notify only). */
export type VoipNowDialIn = VoipNowEventBase<'Dial-In'>;
/** The extension made a call (Call Event, notify only). */
export type VoipNowDialOut = VoipNowEventBase<'Dial-Out'>;
/** A call the extension was in ended (Call Event, notify only). */
export type VoipNowHangup = VoipNowEventBase<'Hangup'>;
/** An incoming call was answered (Call Event, notify only). */
export type VoipNowAnswerIn = VoipNowEventBase<'Answer-In'>;
/** The other party answered an outgoing call (Call Event, notify only). */
export type VoipNowAnswerOut = VoipNowEventBase<'Answer-Out'>;

/** The Call Interactive IVR action asks what to do (spec §2); answer with VoipNow XML. */
export interface VoipNowCallInteractive extends VoipNowEventBase<'call_interactive'> {
  /** `CallAPIID`, e.g. `3584705175:5205dc5c…`: the call's id for VoipNow's call API. */
  readonly callApiId: string | undefined;
  /** `CalledExtensionID`: the called extension's numeric id, when sent. */
  readonly calledExtensionId: string | undefined;
  /** `CallerExtensionID`: the calling extension's numeric id, when sent. */
  readonly callerExtensionId: string | undefined;
  /**
   * An interactive or static parameter by name; `undefined` when absent **or** when VoipNow
   * sent `null` for an unset IVR variable (spec §2).
   */
  param(name: string): string | undefined;
}

/** Every known VoipNow event. */
export type VoipNowEvent =
  | VoipNowDialIn
  | VoipNowDialOut
  | VoipNowHangup
  | VoipNowAnswerIn
  | VoipNowAnswerOut
  | VoipNowCallInteractive;

const KNOWN = new Set<string>(VOIPNOW_EVENTS);
const DEFAULT_FIELDS = new Set<string>([...VOIPNOW_DEFAULT_FIELDS, 'CallerIDNam']);

/**
 * Which event a request's fields show, where they allow it (spec §1, §2):
 *
 * - a `CallAPIID` → `call_interactive` (Call Interactive requests carry it, Call Events do not);
 * - `CallStatus` `CALLING` → `Dial-In` with `CallFlow` `IN`, `Dial-Out` with `OUT`;
 * - `CallStatus` `ANSWER` or `UNKNOWN` → `Hangup` (the values VoipNow documents for Hangup).
 *
 * The answer events (`Answer-In`, `Answer-Out`) cannot be told from a Hangup by their fields:
 * give them a path with `eventPaths`. Returns `undefined` when the fields do not tell.
 */
export function inferVoipNowEvent(fields: FieldMap): VoipNowEventName | undefined {
  if ((fields['CallAPIID'] ?? '') !== '') return 'call_interactive';
  const status = fields['CallStatus']?.toUpperCase();
  const flow = fields['CallFlow']?.toUpperCase();
  if (status === 'CALLING' && flow === 'IN') return 'Dial-In';
  if (status === 'CALLING' && flow === 'OUT') return 'Dial-Out';
  if (status === 'ANSWER' || status === 'UNKNOWN') return 'Hangup';
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/**
 * Parses the fields of a VoipNow request (query and body already decoded and merged).
 *
 * @param fields - the request's fields
 * @param routedEvent - the event the app's `eventPaths` give the path; it wins over the rest
 * @throws {CallControlError} `CC_ERR_REQUEST_MALFORMED` (400) when neither the path, an
 *   `EventType` nor the fields tell which event the request is
 */
export function parseVoipNowFields(fields: FieldMap, routedEvent?: string): VoipNowEvent {
  const eventType = nonEmpty(fields['EventType']);
  const name =
    routedEvent ??
    (eventType !== undefined && KNOWN.has(eventType) ? eventType : undefined) ??
    inferVoipNowEvent(fields);
  if (name === undefined || !KNOWN.has(name)) {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      'Cannot tell which VoipNow event this is: give its path an eventPaths entry ' +
        '(or send CallStatus/CallFlow, or CallAPIID for Call Interactive)',
    );
  }
  const raw = Object.freeze(fields);
  const params: FieldMap = Object.create(null) as FieldMap;
  for (const [key, value] of Object.entries(fields)) {
    if (!DEFAULT_FIELDS.has(key)) params[key] = value;
  }
  const calledExtension = nonEmpty(fields['CalledExtension']);
  const callerExtension = nonEmpty(fields['CallerExtension']);
  const base = {
    provider: 'voipnow' as const,
    callId: fields['CallID'] ?? '',
    from: fields['CallerIDNum'] ?? '',
    to: nonEmpty(fields['CalledNumber']) ?? nonEmpty(fields['CalledDID']) ?? calledExtension ?? '',
    callerIdNum: fields['CallerIDNum'],
    callerIdName: fields['CallerIDName'] ?? fields['CallerIDNam'],
    calledDid: nonEmpty(fields['CalledDID']),
    calledExtension:
      calledExtension === undefined ? undefined : parseVoipNowExtension(calledExtension),
    callerExtension:
      callerExtension === undefined ? undefined : parseVoipNowExtension(callerExtension),
    calledNumber: nonEmpty(fields['CalledNumber']),
    callStatus: nonEmpty(fields['CallStatus']),
    callFlow: nonEmpty(fields['CallFlow']),
    params: Object.freeze(params),
    raw,
  };
  if (name === 'call_interactive') {
    return {
      ...base,
      name,
      callApiId: nonEmpty(fields['CallAPIID']),
      calledExtensionId: nonEmpty(fields['CalledExtensionID']),
      callerExtensionId: nonEmpty(fields['CallerExtensionID']),
      param: (key: string) => {
        const value = params[key];
        return value === undefined || value === 'null' ? undefined : value;
      },
    };
  }
  return { ...base, name: name as Exclude<VoipNowEventName, 'call_interactive'> };
}

/**
 * Parses a VoipNow request: GET with the fields in the query, or POST with a form body (the
 * query's fields merged in, the body winning) — both on the same route, as the extension's
 * configuration decides (spec §1 "Request method").
 *
 * @throws {CallControlError} 415 for a body that is not form-encoded, 400 for an unreadable body
 *   or a request whose event cannot be told (see {@link parseVoipNowFields})
 */
export function parseVoipNowRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
): VoipNowEvent {
  const body = decodeBodyFields(request, ['application/x-www-form-urlencoded']);
  const fields: FieldMap = Object.assign(
    Object.create(null) as FieldMap,
    decodeQuery(request.query),
    body,
  );
  return parseVoipNowFields(fields, context.routedEvent);
}
