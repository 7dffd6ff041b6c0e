/**
 * The requests of the TwiML family, read the same way for every provider that speaks the
 * dialect (Twilio, Telnyx TeXML, SignalWire cXML): form fields of a POST body or of a GET
 * query, the kind of request decided from its fields (Twilio names none), and typed shapes of
 * each kind — numbers stay strings, durations are numbers with their unit in the name.
 *
 * Spec: `docs/providers/twilio.md` §1 (transport), §2.1–§2.8 (the fields of each request),
 * `docs/providers/twilio.md` §2.10 (naming the kinds).
 *
 * @module
 */
import { decodeForm, decodeUtf8, requireMediaType, type FieldMap } from '../../core/body';
import { CallControlError } from '../../core/errors';
import type { WebhookEvent, WebhookRequest } from '../../core/types';

/**
 * The kinds of TwiML requests (docs/providers/twilio.md §2.10), decided from the fields in
 * this order: `fallback` (`ErrorCode` and `ErrorUrl`), `recording-status` (`RecordingStatus`),
 * `dial` (`DialCallStatus`), `amd-status` (`AnsweredBy` and `MachineDetectionDuration` without
 * `CallStatus`), `status-callback` (`CallbackSource`), `record` (`RecordingUrl`), `gather`
 * (`Digits`, `SpeechResult` or `FinishedOnKey`), else `voice`.
 */
export const TWIML_REQUEST_KINDS = [
  'voice',
  'status-callback',
  'gather',
  'dial',
  'record',
  'recording-status',
  'amd-status',
  'fallback',
] as const;

/** One of {@link TWIML_REQUEST_KINDS}. */
export type TwimlRequestKind = (typeof TWIML_REQUEST_KINDS)[number];

/** The kinds whose answer (a TwiML document) the provider executes; the others are notifications. */
export const TWIML_ANSWERED_KINDS: readonly TwimlRequestKind[] = [
  'voice',
  'gather',
  'dial',
  'record',
  'fallback',
];

/**
 * Decodes a form body leniently into its pairs, in order, repeated names kept (as signatures
 * cover them): WHATWG rules, never throws (bytes that are not UTF-8 become U+FFFD; the parser
 * refuses such bodies later).
 */
export function decodeTwimlForm(body: Buffer | string): Array<[string, string]> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return [...new URLSearchParams(text)];
}

/** Pairs as one map: a name sent once maps to its value, a repeated name to its values. */
export function twimlFormFields(
  pairs: ReadonlyArray<readonly [string, string]>,
): Record<string, string | string[]> {
  const fields = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of pairs) {
    const had = fields[name];
    if (had === undefined) fields[name] = value;
    else if (typeof had === 'string') fields[name] = [had, value];
    else had.push(value);
  }
  return fields;
}

/**
 * The decoded fields of a TwiML request (docs/providers/twilio.md §1 "Methods"): a POST's form
 * body (`application/x-www-form-urlencoded`; the query of the URL is the app's own and not
 * read), a GET's query. For a name sent twice the first value counts.
 *
 * @throws {CallControlError} 415 `CC_ERR_UNSUPPORTED_MEDIA_TYPE` for a POST body of another
 *   type; 400 `CC_ERR_BODY_INVALID` for bytes that are not UTF-8; 413 above 1000 fields
 */
export function twimlRequestFields(request: WebhookRequest): FieldMap {
  if (request.method === 'GET') return decodeForm(request.query, 'The query');
  const type = requireMediaType(request, ['application/x-www-form-urlencoded']);
  if (type === undefined || request.body.length === 0) return Object.create(null) as FieldMap;
  return decodeForm(decodeUtf8(request.body));
}

/** The kind of request its fields show (docs/providers/twilio.md §2.10), see {@link TWIML_REQUEST_KINDS}. */
export function twimlRequestKind(fields: FieldMap): TwimlRequestKind {
  const has = (name: string): boolean => fields[name] !== undefined;
  if (has('ErrorCode') && has('ErrorUrl')) return 'fallback';
  if (has('RecordingStatus')) return 'recording-status';
  if (has('DialCallStatus')) return 'dial';
  if (has('AnsweredBy') && has('MachineDetectionDuration') && !has('CallStatus')) {
    return 'amd-status';
  }
  if (has('CallbackSource')) return 'status-callback';
  if (has('RecordingUrl')) return 'record';
  if (has('Digits') || has('SpeechResult') || has('FinishedOnKey')) return 'gather';
  return 'voice';
}

/** `CallStatus` and `DialCallStatus` values (docs/providers/twilio.md §2.2); others pass as strings. */
export type TwimlCallStatus =
  | 'queued'
  | 'initiated'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'failed'
  | 'no-answer'
  | 'canceled'
  | (string & {});

/** `Direction` values (docs/providers/twilio.md §2.1). */
export type TwimlDirection = 'inbound' | 'outbound-api' | 'outbound-dial' | (string & {});

/** `AnsweredBy` values of answering-machine detection (docs/providers/twilio.md §2.6). */
export type TwimlAnsweredBy =
  | 'human'
  | 'machine_start'
  | 'machine_end_beep'
  | 'machine_end_silence'
  | 'machine_end_other'
  | 'fax'
  | 'unknown'
  | (string & {});

/** What every TwiML event has: the core's fields, the request kind and, for action requests, the action. */
export interface TwimlEventBase<P extends string, K extends TwimlRequestKind> extends WebhookEvent {
  readonly provider: P;
  /** The request kind (docs/providers/twilio.md §2.10). */
  readonly name: K;
  /** `CallSid` (`''` when absent). */
  readonly callId: string;
  /** `AccountSid` (`''` when absent). */
  readonly accountSid: string;
  /**
   * The named action this request was sent to (`<mount>/actions/<name>`), `undefined` for a
   * request to the mount itself (voice URL, status callback URL…).
   */
  readonly action: string | undefined;
  /** The query of the action reference (`actionRef(name, query)`), decoded; `{}` without. */
  readonly actionQuery: Readonly<Record<string, string>>;
}

/**
 * The call fields TwiML requests carry (docs/providers/twilio.md §2.1): present on the voice
 * request and on the requests of `<Gather>`, `<Dial>`, `<Record>` actions, status callbacks and
 * fallback requests. Absent fields are `undefined`; fields sent empty stay `''`.
 */
export interface TwimlCallFields {
  /** `From`: E.164 number, `client:<identity>`, a SIP URI, or a token such as `anonymous`. */
  readonly from: string;
  /** `To`: E.164 number, `client:<identity>`, a SIP URI. */
  readonly to: string;
  /** `CallStatus` (docs/providers/twilio.md §2.2). */
  readonly callStatus: TwimlCallStatus | undefined;
  /** `Direction`. */
  readonly direction: TwimlDirection | undefined;
  /** `ApiVersion`, e.g. `'2010-04-01'`. */
  readonly apiVersion: string | undefined;
  /** `ForwardedFrom`: the number that forwarded the call, when the carrier tells. */
  readonly forwardedFrom: string | undefined;
  /** `CallerName` (CNAM), when caller-name lookup is on. */
  readonly callerName: string | undefined;
  /** `ParentCallSid`: the leg that created this one (child legs of `<Dial>`). */
  readonly parentCallSid: string | undefined;
  /** `CallToken`: opaque token of an incoming PSTN call. */
  readonly callToken: string | undefined;
  /** `StirVerstat`: SHAKEN/STIR verification result, e.g. `'TN-Validation-Passed-A'`. */
  readonly stirVerstat: string | undefined;
  /** `ApplicationSid`, when the number points at an application. */
  readonly applicationSid: string | undefined;
  /** `FromCity` (best effort; `''` when unknown). */
  readonly fromCity: string | undefined;
  /** `FromState` (best effort; `''` when unknown). */
  readonly fromState: string | undefined;
  /** `FromZip` (best effort; `''` when unknown). */
  readonly fromZip: string | undefined;
  /** `FromCountry` (best effort; `''` when unknown). */
  readonly fromCountry: string | undefined;
  /** `ToCity` (best effort; `''` when unknown). */
  readonly toCity: string | undefined;
  /** `ToState` (best effort; `''` when unknown). */
  readonly toState: string | undefined;
  /** `ToZip` (best effort; `''` when unknown). */
  readonly toZip: string | undefined;
  /** `ToCountry` (best effort; `''` when unknown). */
  readonly toCountry: string | undefined;
}

/** The voice request (docs/providers/twilio.md §2.1): the call asks what to do. */
export interface TwimlVoiceRequest<P extends string>
  extends TwimlEventBase<P, 'voice'>, TwimlCallFields {
  /** `AnsweredBy` of synchronous answering-machine detection (docs/providers/twilio.md §2.6), when enabled. */
  readonly answeredBy: TwimlAnsweredBy | undefined;
}

/** The status callback events (docs/providers/twilio.md §2.3). */
export type TwimlStatusCallbackEvent = 'initiated' | 'ringing' | 'answered' | 'completed';

/** A status callback (docs/providers/twilio.md §2.3); its answer is ignored. */
export interface TwimlStatusCallback<P extends string>
  extends TwimlEventBase<P, 'status-callback'>, TwimlCallFields {
  /**
   * Which change this callback reports, from `CallStatus`: `initiated`, `ringing`, `answered`
   * (`in-progress`) or `completed` (any final status: `completed`, `busy`, `no-answer`,
   * `failed`, `canceled`); `undefined` for another status.
   */
  readonly statusEvent: TwimlStatusCallbackEvent | undefined;
  /** `CallbackSource`, `'call-progress-events'`. */
  readonly callbackSource: string;
  /** `SequenceNumber`: order of this call's callbacks, from 0 (they may arrive out of order). */
  readonly sequenceNumber: number | undefined;
  /** `Timestamp` (RFC 2822 text, e.g. `'Mon, 15 Jan 2024 10:30:49 +0000'`). */
  readonly timestamp: string | undefined;
  /** `CallDuration`, in **seconds** (on `completed`). */
  readonly callDurationSeconds: number | undefined;
  /** `Duration`: billed **minutes** (on `completed`). */
  readonly durationMinutes: number | undefined;
  /** `SipResponseCode`: the final SIP code, e.g. `200`. */
  readonly sipResponseCode: number | undefined;
  /** `RecordingUrl` of a recorded call. */
  readonly recordingUrl: string | undefined;
  /** `RecordingSid` of a recorded call. */
  readonly recordingSid: string | undefined;
  /** `RecordingDuration`, in **seconds**. */
  readonly recordingDurationSeconds: number | undefined;
}

/** The `<Gather>` action request (docs/providers/twilio.md §2.4). */
export interface TwimlGatherResult<P extends string>
  extends TwimlEventBase<P, 'gather'>, TwimlCallFields {
  /** `Digits`: the keys typed, without the finish key; `''` or `undefined` when none. */
  readonly digits: string | undefined;
  /** `FinishedOnKey`: the key that ended input (`''` when `numDigits` or the timeout ended it). */
  readonly finishedOnKey: string | undefined;
  /** `SpeechResult`: transcribed speech. */
  readonly speechResult: string | undefined;
  /** `Confidence` of the transcription, 0.0–1.0. */
  readonly confidence: number | undefined;
}

/** `DialCallStatus` values (docs/providers/twilio.md §2.5). */
export type TwimlDialCallStatus =
  'completed' | 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled' | (string & {});

/** The `<Dial>` action request (docs/providers/twilio.md §2.5): the dialled leg ended. */
export interface TwimlDialResult<P extends string>
  extends TwimlEventBase<P, 'dial'>, TwimlCallFields {
  /** `DialCallStatus`: the outcome of the dialled leg. */
  readonly dialCallStatus: TwimlDialCallStatus;
  /** `DialCallSid` of the dialled leg. */
  readonly dialCallSid: string | undefined;
  /** `DialCallDuration`, in **seconds**. */
  readonly dialCallDurationSeconds: number | undefined;
  /** `DialBridged`: whether the two legs were bridged. */
  readonly dialBridged: boolean | undefined;
  /** `RecordingUrl`, with `<Dial record>`. */
  readonly recordingUrl: string | undefined;
}

/** The `<Record>` action request (docs/providers/twilio.md §2.7). */
export interface TwimlRecordResult<P extends string>
  extends TwimlEventBase<P, 'record'>, TwimlCallFields {
  /** `RecordingUrl`. */
  readonly recordingUrl: string;
  /** `RecordingSid`. */
  readonly recordingSid: string | undefined;
  /** `RecordingDuration`, in **seconds**. */
  readonly recordingDurationSeconds: number | undefined;
  /** `Digits`: the key that ended the recording, or `'hangup'`. */
  readonly digits: string | undefined;
}

/** A recording status callback (docs/providers/twilio.md §2.7); only these fields, no call fields. */
export interface TwimlRecordingStatus<P extends string> extends TwimlEventBase<
  P,
  'recording-status'
> {
  /** `RecordingSid`. */
  readonly recordingSid: string | undefined;
  /** `RecordingUrl`. */
  readonly recordingUrl: string | undefined;
  /** `RecordingStatus`: `in-progress`, `completed`, `absent`. */
  readonly recordingStatus: 'in-progress' | 'completed' | 'absent' | (string & {});
  /** `RecordingDuration`, in **seconds**. */
  readonly recordingDurationSeconds: number | undefined;
  /** `RecordingChannels`: 1 or 2. */
  readonly recordingChannels: number | undefined;
  /** `RecordingStartTime` (RFC 2822 text). */
  readonly recordingStartTime: string | undefined;
  /** `RecordingSource`, e.g. `'RecordVerb'`, `'DialVerb'`, `'OutboundAPI'`. */
  readonly recordingSource: string | undefined;
  /** `RecordingTrack`: `inbound`, `outbound`, `both`. */
  readonly recordingTrack: string | undefined;
  /** `ErrorCode` of an absent recording. */
  readonly errorCode: string | undefined;
}

/** The asynchronous answering-machine detection callback (docs/providers/twilio.md §2.6). */
export interface TwimlAmdStatus<P extends string> extends TwimlEventBase<P, 'amd-status'> {
  /** `AnsweredBy`. */
  readonly answeredBy: TwimlAnsweredBy;
  /** `MachineDetectionDuration`, in **milliseconds**. */
  readonly machineDetectionDurationMs: number | undefined;
}

/** The fallback URL request (docs/providers/twilio.md §2.8): the voice URL failed. */
export interface TwimlFallbackRequest<P extends string>
  extends TwimlEventBase<P, 'fallback'>, TwimlCallFields {
  /** `ErrorCode`, e.g. `'11200'`. */
  readonly errorCode: string;
  /** `ErrorUrl`: the URL that failed. */
  readonly errorUrl: string;
}

/** Every TwiML event of provider `P`. */
export type TwimlEvent<P extends string> =
  | TwimlVoiceRequest<P>
  | TwimlStatusCallback<P>
  | TwimlGatherResult<P>
  | TwimlDialResult<P>
  | TwimlRecordResult<P>
  | TwimlRecordingStatus<P>
  | TwimlAmdStatus<P>
  | TwimlFallbackRequest<P>;

/** What an action handler gets: the result of the verb whose `action` named it (or any request sent there). */
export type TwimlActionRequest<P extends string> = TwimlEvent<P> & { readonly action: string };

/**
 * A number field: `undefined` when absent or empty.
 * @throws {CallControlError} 400 `CC_ERR_REQUEST_MALFORMED` for a value that is not a number
 */
function numberField(fields: FieldMap, name: string, whole: boolean): number | undefined {
  const value = fields[name];
  if (value === undefined || value.trim() === '') return undefined;
  const pattern = whole ? /^\s*\d+\s*$/ : /^\s*-?\d+(?:\.\d+)?\s*$/;
  if (!pattern.test(value)) {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      `${name} must be a ${whole ? 'whole number' : 'number'}, got "${value.slice(0, 40)}"`,
    );
  }
  return Number(value);
}

/** What every TwiML event starts with (see {@link TwimlEventBase}), before its kind. */
interface TwimlEventCommon<P extends string> {
  readonly provider: P;
  readonly callId: string;
  readonly accountSid: string;
  readonly action: string | undefined;
  readonly actionQuery: Readonly<Record<string, string>>;
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * The event's base and the call fields of docs/providers/twilio.md §2.1, as one object literal:
 * the events are built from literals of a fixed shape and `Object.assign`, never by spreading
 * objects into a literal, which V8 does slowly for objects of this size (~30 µs an event).
 */
function callEvent<P extends string, K extends TwimlRequestKind>(
  common: TwimlEventCommon<P>,
  name: K,
  fields: FieldMap,
): TwimlEventBase<P, K> & TwimlCallFields {
  return {
    provider: common.provider,
    callId: common.callId,
    accountSid: common.accountSid,
    action: common.action,
    actionQuery: common.actionQuery,
    raw: common.raw,
    name,
    from: fields['From'] ?? '',
    to: fields['To'] ?? '',
    callStatus: fields['CallStatus'],
    direction: fields['Direction'],
    apiVersion: fields['ApiVersion'],
    forwardedFrom: fields['ForwardedFrom'],
    callerName: fields['CallerName'],
    parentCallSid: fields['ParentCallSid'],
    callToken: fields['CallToken'],
    stirVerstat: fields['StirVerstat'],
    applicationSid: fields['ApplicationSid'],
    fromCity: fields['FromCity'],
    fromState: fields['FromState'],
    fromZip: fields['FromZip'],
    fromCountry: fields['FromCountry'],
    toCity: fields['ToCity'],
    toState: fields['ToState'],
    toZip: fields['ToZip'],
    toCountry: fields['ToCountry'],
  };
}

/** The event's base with `From` and `To` only (recording status, AMD callbacks). */
function plainEvent<P extends string, K extends TwimlRequestKind>(
  common: TwimlEventCommon<P>,
  name: K,
  fields: FieldMap,
): TwimlEventBase<P, K> {
  return {
    provider: common.provider,
    callId: common.callId,
    accountSid: common.accountSid,
    action: common.action,
    actionQuery: common.actionQuery,
    raw: common.raw,
    name,
    from: fields['From'] ?? '',
    to: fields['To'] ?? '',
  };
}

/** The status callback event a `CallStatus` reports (docs/providers/twilio.md §2.3). */
export function twimlStatusEvent(status: string | undefined): TwimlStatusCallbackEvent | undefined {
  switch (status) {
    case 'initiated':
    case 'ringing':
      return status;
    case 'in-progress':
      return 'answered';
    case 'completed':
    case 'busy':
    case 'no-answer':
    case 'failed':
    case 'canceled':
      return 'completed';
    default:
      return undefined;
  }
}

/** Where a request came from within the app: a named action and its query, or none. */
export interface TwimlRequestOrigin {
  /** The named action the request was sent to; `undefined` for the mount itself. */
  readonly action?: string | undefined;
  /** The decoded query of the action's URL. Default `{}`. */
  readonly actionQuery?: Readonly<Record<string, string>> | undefined;
}

/**
 * The typed event of a TwiML request's fields (docs/providers/twilio.md §2): its kind from
 * {@link twimlRequestKind}, every field of that kind, `raw` holding every field as sent.
 *
 * @param provider - the provider name the event carries
 * @throws {CallControlError} 400 `CC_ERR_REQUEST_MALFORMED` for a duration, count or score that
 *   is not a number
 */
export function twimlEventOf<P extends string>(
  provider: P,
  fields: FieldMap,
  origin: TwimlRequestOrigin = {},
): TwimlEvent<P> {
  const name = twimlRequestKind(fields);
  const common: TwimlEventCommon<P> = {
    provider,
    callId: fields['CallSid'] ?? '',
    accountSid: fields['AccountSid'] ?? '',
    action: origin.action,
    actionQuery: origin.actionQuery ?? {},
    raw: Object.freeze({ ...fields }),
  };
  switch (name) {
    case 'voice':
      return Object.assign(callEvent(common, name, fields), { answeredBy: fields['AnsweredBy'] });
    case 'status-callback':
      return Object.assign(callEvent(common, name, fields), {
        statusEvent: twimlStatusEvent(fields['CallStatus']),
        callbackSource: fields['CallbackSource'] ?? '',
        sequenceNumber: numberField(fields, 'SequenceNumber', true),
        timestamp: fields['Timestamp'],
        callDurationSeconds: numberField(fields, 'CallDuration', true),
        durationMinutes: numberField(fields, 'Duration', true),
        sipResponseCode: numberField(fields, 'SipResponseCode', true),
        recordingUrl: fields['RecordingUrl'],
        recordingSid: fields['RecordingSid'],
        recordingDurationSeconds: numberField(fields, 'RecordingDuration', true),
      });
    case 'gather':
      return Object.assign(callEvent(common, name, fields), {
        digits: fields['Digits'],
        finishedOnKey: fields['FinishedOnKey'],
        speechResult: fields['SpeechResult'],
        confidence: numberField(fields, 'Confidence', false),
      });
    case 'dial': {
      const bridged = fields['DialBridged'];
      return Object.assign(callEvent(common, name, fields), {
        dialCallStatus: fields['DialCallStatus'] ?? '',
        dialCallSid: fields['DialCallSid'],
        dialCallDurationSeconds: numberField(fields, 'DialCallDuration', true),
        dialBridged: bridged === undefined || bridged === '' ? undefined : bridged === 'true',
        recordingUrl: fields['RecordingUrl'],
      });
    }
    case 'record':
      return Object.assign(callEvent(common, name, fields), {
        recordingUrl: fields['RecordingUrl'] ?? '',
        recordingSid: fields['RecordingSid'],
        recordingDurationSeconds: numberField(fields, 'RecordingDuration', true),
        digits: fields['Digits'],
      });
    case 'recording-status':
      return Object.assign(plainEvent(common, name, fields), {
        recordingSid: fields['RecordingSid'],
        recordingUrl: fields['RecordingUrl'],
        recordingStatus: fields['RecordingStatus'] ?? '',
        recordingDurationSeconds: numberField(fields, 'RecordingDuration', true),
        recordingChannels: numberField(fields, 'RecordingChannels', true),
        recordingStartTime: fields['RecordingStartTime'],
        recordingSource: fields['RecordingSource'],
        recordingTrack: fields['RecordingTrack'],
        errorCode: fields['ErrorCode'],
      });
    case 'amd-status':
      return Object.assign(plainEvent(common, name, fields), {
        answeredBy: fields['AnsweredBy'] ?? '',
        machineDetectionDurationMs: numberField(fields, 'MachineDetectionDuration', true),
      });
    case 'fallback':
      return Object.assign(callEvent(common, name, fields), {
        errorCode: fields['ErrorCode'] ?? '',
        errorUrl: fields['ErrorUrl'] ?? '',
      });
  }
}
