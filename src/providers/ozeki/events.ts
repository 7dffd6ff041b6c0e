/**
 * Ozeki Phone System HTTP API notifications and their parser.
 *
 * Spec: `docs/providers/ozeki.md` §3 (notifications and their parameters), §1 (transport), §7
 * (what is undocumented: the parser is tolerant there). Upstream:
 * https://ozekiphone.com/p_4201-notifications-of-ozeki-phone-system-pbx-http-api.html
 *
 * Ozeki posts a form with `NotificationName` to a URL the user configured (or gave in a
 * command: `Url`, `ForwardToUrl`, `FinishedUrl`…). Only the `RoutingInterception` fields are
 * documented in full; the others are known from Ozeki's own samples or assumed from the command
 * parameter names (§3.2), so every field is optional and every field sent is kept in `raw`.
 * Field names are matched ignoring case (`CallId`, `CallID`).
 *
 * @module
 */
import type { ParseContext } from '../../core/app';
import {
  caseInsensitive,
  decodeBodyFields,
  decodeQuery,
  type CaseInsensitiveFields,
  type FieldMap,
} from '../../core/body';
import { CallControlError } from '../../core/errors';
import type { WebhookEvent, WebhookRequest } from '../../core/types';

/**
 * The notifications Ozeki sends (spec §3.1), plus `CallError` and `CallFinished`: callcontrol's
 * names for the requests to a `Call` command's `ErrorUrl` and `FinishedUrl` (and a
 * BlindTransfer's `FinishedUrl`), for which Ozeki documents no `NotificationName` (§7.3) —
 * route them with the app's `eventPaths`.
 */
export const OZEKI_EVENTS = [
  'IncomingCall',
  'CallConnected',
  'DtmfEntered',
  'CallChanged',
  'RecordCompleted',
  'RoutingInterception',
  'GoTo',
  'IncomingSMS',
  'SMSDeliveryReport',
  'CallError',
  'CallFinished',
] as const;

/** An Ozeki event name, see {@link OZEKI_EVENTS}. */
export type OzekiEventName = (typeof OZEKI_EVENTS)[number];

/**
 * `CallState` of a `CallChanged` notification (spec §3.2): `Ringing`, `InCall`, `Hold`,
 * `Error`, `Cancelled` (the caller gave up while ringing), `Transferred`, `Busy` (busy pressed
 * or ringing timed out), `Completed` (someone hung up), `Answered` (once per call). Open to
 * states Ozeki adds.
 */
export type OzekiCallState =
  | 'Ringing'
  | 'InCall'
  | 'Hold'
  | 'Error'
  | 'Cancelled'
  | 'Transferred'
  | 'Busy'
  | 'Completed'
  | 'Answered'
  | (string & {});

/** The call states Ozeki documents, see {@link OzekiCallState}. */
export const OZEKI_CALL_STATES = [
  'Ringing',
  'InCall',
  'Hold',
  'Error',
  'Cancelled',
  'Transferred',
  'Busy',
  'Completed',
  'Answered',
] as const;

/**
 * `LastCallState` of a `RoutingInterception` (spec §3.2): `Calling` (before the callee rings),
 * `NoAnswer` (ring time passed), `Busy` (callee rejected), `NotFound` (no such extension),
 * `Error` (documented as currently unused). Open to states Ozeki adds.
 */
export type OzekiLastCallState =
  'Calling' | 'NoAnswer' | 'Busy' | 'NotFound' | 'Error' | (string & {});

/** Fields every Ozeki event has. */
export interface OzekiEventBase<N extends string> extends WebhookEvent {
  readonly provider: 'ozeki';
  /** The notification name, canonically spelt (`IncomingCall` also when sent `incomingcall`). */
  readonly name: N;
  /** `CallId` (or `CallID`): Ozeki's id of the call, e.g. `H2Wwb`; `''` when none was sent. */
  readonly callId: string;
  /** The calling party (see each event for the field it comes from); `''` when unknown. */
  readonly from: string;
  /** The called party (see each event for the field it comes from); `''` when unknown. */
  readonly to: string;
  /**
   * Every field as sent: the form body's fields and the query's, the body winning where both
   * name one field. Original spelling of the names.
   */
  readonly raw: Readonly<Record<string, string>>;
  /**
   * The query parameters of the notification URL — your own data, which Ozeki passes through
   * (the appointment-reminder sample puts `AppLocation` and `AppDate` on the `Url` of its
   * `Call` command, spec §2.2).
   */
  readonly query: Readonly<Record<string, string>>;
  /**
   * Looks a field up by name ignoring case, e.g. `event.field('calleridname')`. Use it for the
   * fields Ozeki does not document (§7.1).
   */
  field(name: string): string | undefined;
}

/**
 * A call to an API extension (target URL set per API extension, spec §3.1). Answer it with OzML
 * for the API extension's own call (API-extension control).
 */
export interface OzekiIncomingCall extends OzekiEventBase<'IncomingCall'> {
  /** `ApiExtension`: the API extension that is called, e.g. `9994`. `to` holds it too. */
  readonly apiExtension: string | undefined;
  /** `CallerId`: the caller's number, e.g. `1000`. `from` holds it too. */
  readonly callerId: string | undefined;
  /** `CallerDisplayName`: the caller's name, e.g. `John Smith`. */
  readonly callerDisplayName: string | undefined;
}

/**
 * The callee of a `Call` command picked up; sent to the command's `Url` (with the query you put
 * on it). Answer with OzML for the new call. `from` is the API extension, `to` the dialled number.
 */
export interface OzekiCallConnected extends OzekiEventBase<'CallConnected'> {
  /** `ApiExtension`: the API extension that made the call. */
  readonly apiExtension: string | undefined;
  /** `Dialed` (or `Dialled`, `Callee`): the number called, when sent. */
  readonly dialed: string | undefined;
}

/**
 * The caller typed digits at a `<UserInput>` that match no `<Input key>`; sent to its
 * `ForwardToUrl` (spec §5.6). Answer with the OzML to run next.
 */
export interface OzekiDtmfEntered extends OzekiEventBase<'DtmfEntered'> {
  /** `DtmfDigits`: the digits typed, e.g. `1234` (`''` when none were sent). */
  readonly dtmfDigits: string;
}

/** A call's state changed (third-party call control). Answer with third-party OzML. */
export interface OzekiCallChanged extends OzekiEventBase<'CallChanged'> {
  /** `CallState`, see {@link OzekiCallState}; `undefined` when not sent. */
  readonly callState: OzekiCallState | undefined;
}

/** A `Record` finished; sent to its `FinishedUrl` (spec §3.2, §5.13). */
export interface OzekiRecordCompleted extends OzekiEventBase<'RecordCompleted'> {
  /** `RecordURL`: where the recording can be downloaded. */
  readonly recordUrl: string | undefined;
}

/**
 * A call is being routed (spec §3.2, documented in full): answer with a `<Route>` to pick the
 * destination, or with nothing to let the dial plan route it. `callId` is `''` (Ozeki sends
 * none); `from` is `CallerID`, `to` is `OriginalDialedNumber`.
 */
export interface OzekiRoutingInterception extends OzekiEventBase<'RoutingInterception'> {
  /** `CallerID`: the displayed id of the calling extension. */
  readonly callerId: string | undefined;
  /** `CallerExtension`: the name of the calling extension. */
  readonly callerExtension: string | undefined;
  /** `OriginalDialedNumber`: the number the caller dialled. */
  readonly originalDialedNumber: string | undefined;
  /** `LastDialedNumber`: the number dialled in the last attempt. */
  readonly lastDialedNumber: string | undefined;
  /** `LastCalledExtension`: the extension called last. */
  readonly lastCalledExtension: string | undefined;
  /** `LastCallState`, see {@link OzekiLastCallState}. */
  readonly lastCallState: OzekiLastCallState | undefined;
}

/** A `<GoTo>` fetches its OzML from your URL (spec §5.7). Answer with the OzML to continue with. */
export type OzekiGoTo = OzekiEventBase<'GoTo'>;

/**
 * An SMS reached an API extension. Its fields are undocumented (§7.1): `Sender`, `Recipient`,
 * `Message` are read as `SendSms` names them; `from` is the sender, `to` the recipient.
 */
export interface OzekiIncomingSms extends OzekiEventBase<'IncomingSMS'> {
  /** `Sender`, when sent. */
  readonly sender: string | undefined;
  /** `Recipient`, when sent. */
  readonly recipient: string | undefined;
  /** `Message`: the text, when sent. */
  readonly message: string | undefined;
}

/** A delivery report of an SMS sent with `DeliveryReportURL` (fields undocumented, §7.1). */
export interface OzekiSmsDeliveryReport extends OzekiEventBase<'SMSDeliveryReport'> {
  /** `SmsId`: the id the `SendSms` command answered with, when sent. */
  readonly smsId: string | undefined;
}

/** The request to a `Call` command's `ErrorUrl` (fields undocumented, §7.3). */
export type OzekiCallError = OzekiEventBase<'CallError'>;

/**
 * The request to a `Call` command's or a third-party `BlindTransfer`'s `FinishedUrl` (Ozeki:
 * "the ID, the caller, the callee and the duration"; names undocumented, §3.2, §7.3).
 */
export type OzekiCallFinished = OzekiEventBase<'CallFinished'>;

/** A notification whose name this version does not know; it reaches `onAny`, answered `<Response/>`. */
export type OzekiUnknownEvent = OzekiEventBase<string>;

/** Every known Ozeki event. */
export type OzekiEvent =
  | OzekiIncomingCall
  | OzekiCallConnected
  | OzekiDtmfEntered
  | OzekiCallChanged
  | OzekiRecordCompleted
  | OzekiRoutingInterception
  | OzekiGoTo
  | OzekiIncomingSms
  | OzekiSmsDeliveryReport
  | OzekiCallError
  | OzekiCallFinished;

const CANONICAL_NAMES = new Map<string, OzekiEventName>(
  OZEKI_EVENTS.map((name) => [name.toLowerCase(), name]),
);

/**
 * Parses Ozeki notification fields (body and query already decoded).
 *
 * The event is the `NotificationName` (matched ignoring case); without one, the event the app's
 * `eventPaths` assign to the path (`routedEvent`). A name this version does not know gives an
 * {@link OzekiUnknownEvent}.
 *
 * @param body - the form body's fields
 * @param query - the URL's query fields (your own parameters)
 * @param routedEvent - the event name from `eventPaths`, if any
 * @throws {CallControlError} `CC_ERR_REQUEST_MALFORMED` (400) when neither a `NotificationName`
 *   nor a routed event names the notification
 */
export function parseOzekiFields(
  body: FieldMap,
  query: FieldMap,
  routedEvent?: string,
): OzekiEvent | OzekiUnknownEvent {
  const merged: FieldMap = Object.assign(Object.create(null) as FieldMap, query, body);
  const fields = caseInsensitive(merged);
  const sent = fields.get('NotificationName');
  const given = sent === undefined || sent === '' ? routedEvent : sent;
  if (given === undefined || given === '') {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      'The field "NotificationName" is missing (and no eventPaths entry names this path)',
    );
  }
  const name = CANONICAL_NAMES.get(given.toLowerCase()) ?? given;
  const base = {
    provider: 'ozeki' as const,
    callId: fields.get('CallId') ?? '',
    raw: Object.freeze(merged),
    query: Object.freeze(Object.assign(Object.create(null) as FieldMap, query)),
    field: fields.get,
  };
  return buildEvent(name, base, fields);
}

type Base = Omit<OzekiEventBase<string>, 'name' | 'from' | 'to'>;

function buildEvent(
  name: string,
  base: Base,
  fields: CaseInsensitiveFields,
): OzekiEvent | OzekiUnknownEvent {
  // `from`/`to`: the fields that name the parties, most specific first (spec §3.2; the
  // undocumented ones follow the command parameter names).
  const party = (...names: string[]): string => fields.first(...names) ?? '';
  switch (name) {
    case 'IncomingCall':
      return {
        ...base,
        name,
        from: party('CallerId', 'Caller'),
        to: party('ApiExtension', 'Dialed', 'Callee'),
        apiExtension: fields.get('ApiExtension'),
        callerId: fields.get('CallerId'),
        callerDisplayName: fields.get('CallerDisplayName'),
      };
    case 'CallConnected':
      return {
        ...base,
        name,
        from: party('ApiExtension', 'CallerId', 'Caller'),
        to: party('Dialed', 'Dialled', 'Callee'),
        apiExtension: fields.get('ApiExtension'),
        dialed: fields.first('Dialed', 'Dialled', 'Callee'),
      };
    case 'DtmfEntered':
      return {
        ...base,
        name,
        from: party('CallerId', 'Caller'),
        to: party('ApiExtension', 'Dialed', 'Callee'),
        dtmfDigits: fields.get('DtmfDigits') ?? '',
      };
    case 'CallChanged':
      return {
        ...base,
        name,
        from: party('Caller', 'CallerId', 'Source'),
        to: party('Callee', 'Dialed', 'Destination'),
        callState: nonEmpty(fields.get('CallState')),
      };
    case 'RecordCompleted':
      return {
        ...base,
        name,
        from: party('Caller', 'CallerId'),
        to: party('Callee', 'Dialed'),
        recordUrl: nonEmpty(fields.get('RecordURL')),
      };
    case 'RoutingInterception':
      return {
        ...base,
        name,
        from: party('CallerID', 'CallerExtension'),
        to: party('OriginalDialedNumber', 'LastDialedNumber'),
        callerId: fields.get('CallerID'),
        callerExtension: fields.get('CallerExtension'),
        originalDialedNumber: fields.get('OriginalDialedNumber'),
        lastDialedNumber: fields.get('LastDialedNumber'),
        lastCalledExtension: fields.get('LastCalledExtension'),
        lastCallState: nonEmpty(fields.get('LastCallState')),
      };
    case 'IncomingSMS':
      return {
        ...base,
        name,
        from: party('Sender'),
        to: party('Recipient', 'ApiExtension'),
        sender: fields.get('Sender'),
        recipient: fields.get('Recipient'),
        message: fields.get('Message'),
      };
    case 'SMSDeliveryReport':
      return {
        ...base,
        name,
        from: party('Sender'),
        to: party('Recipient'),
        smsId: fields.get('SmsId'),
      };
    default:
      return {
        ...base,
        name,
        from: party('CallerId', 'Caller', 'Source'),
        to: party('Callee', 'Dialed', 'Destination', 'ApiExtension'),
      };
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/**
 * Parses an Ozeki notification request: a form POST (the documented way, spec §1) with the
 * URL's query merged in, or a GET with the query alone.
 *
 * @throws {CallControlError} 415 for a body that is not `application/x-www-form-urlencoded`,
 *   400 for an unreadable body or a notification without a name (see {@link parseOzekiFields})
 */
export function parseOzekiRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
): OzekiEvent | OzekiUnknownEvent {
  const body = decodeBodyFields(request, ['application/x-www-form-urlencoded']);
  return parseOzekiFields(body, decodeQuery(request.query), context.routedEvent);
}
