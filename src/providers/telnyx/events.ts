/**
 * Telnyx TeXML requests as typed events: the TwiML family's kinds and fields
 * (`../twiml/requests.ts`) with Telnyx's own additions under Telnyx's own names
 * (`CallSidLegacy`, `ConnectionId`, `CallerId`, `HangupCause`, `Digit`…), and two kinds of its own,
 * `refer-status` and `ai-gather`. Numbers (phone numbers, ids) stay strings; durations are numbers
 * with their unit in the name; times stay ISO 8601 text as sent.
 *
 * Spec: `docs/providers/telnyx.md` §2 (requests), §2.8 (kinds), §7 (ambiguities we tolerate).
 *
 * @module
 */
import type { FieldMap } from '../../core/body';
import { CallControlError } from '../../core/errors';
import {
  TWIML_ANSWERED_KINDS,
  TWIML_REQUEST_KINDS,
  twimlEventOf,
  twimlRequestKind,
  type TwimlAmdStatus,
  type TwimlDialResult,
  type TwimlEventBase,
  type TwimlFallbackRequest,
  type TwimlGatherResult,
  type TwimlRecordResult,
  type TwimlRecordingStatus,
  type TwimlRequestOrigin,
  type TwimlStatusCallback,
  type TwimlVoiceRequest,
} from '../twiml/requests';

export type {
  TwimlAmdStatus,
  TwimlAnsweredBy,
  TwimlCallFields,
  TwimlCallStatus,
  TwimlDialCallStatus,
  TwimlDialResult,
  TwimlDirection,
  TwimlEventBase,
  TwimlFallbackRequest,
  TwimlGatherResult,
  TwimlRecordResult,
  TwimlRecordingStatus,
  TwimlRequestKind,
  TwimlRequestOrigin,
  TwimlStatusCallback,
  TwimlStatusCallbackEvent,
  TwimlVoiceRequest,
} from '../twiml/requests';

/** The request kinds of TeXML (spec §2.8): the TwiML ones plus `refer-status` and `ai-gather`. */
export const TELNYX_EVENTS = [...TWIML_REQUEST_KINDS, 'refer-status', 'ai-gather'] as const;

/** A TeXML request kind, see {@link TELNYX_EVENTS}. */
export type TelnyxEventName = (typeof TELNYX_EVENTS)[number];

/**
 * The kinds whose answer Telnyx executes (a TeXML document): the instruction fetch and the
 * `action` requests of `<Gather>`, `<Dial>`, `<Record>`, `<Refer>`, `<AIGather>`, and the
 * failover request. Status, AMD and recording callbacks only need a 200 (spec §1 "Callback
 * answers").
 */
export const TELNYX_ANSWERED_EVENTS: readonly TelnyxEventName[] = [
  ...TWIML_ANSWERED_KINDS,
  'refer-status',
  'ai-gather',
];

/**
 * `AnsweredBy` (spec §2.5, §7.2): Twilio's seven values as in Telnyx's OpenAPI, and the AMD
 * guide's `machine`; open to others.
 */
export type TelnyxAnsweredBy =
  | 'human'
  | 'machine'
  | 'machine_start'
  | 'machine_end_beep'
  | 'machine_end_silence'
  | 'machine_end_other'
  | 'fax'
  | 'unknown'
  | (string & {});

/** Ids Telnyx adds to its requests (spec §2.1, §6.2). */
export interface TelnyxIds {
  /** `CallSidLegacy`: the call id in its legacy form (often equal to `CallSid`). */
  readonly callSidLegacy: string | undefined;
  /** `ConnectionId`: the Telnyx connection that carries the call. */
  readonly connectionId: string | undefined;
}

/** The call fields of TeXML beyond TwiML's (spec §2.1, §2.2). */
export interface TelnyxCallExtras extends TelnyxIds {
  /**
   * `CallerId`: the caller's number in instruction fetches, the caller's display name in
   * callbacks (spec §7.4); kept as sent.
   */
  readonly callerId: string | undefined;
  /** `CallingPartyType`: `sip` or `pstn`. */
  readonly callingPartyType: 'sip' | 'pstn' | (string & {}) | undefined;
  /** `FromSipUri`: the caller's SIP URI, e.g. `+13122010091@10.239.182.10`. */
  readonly fromSipUri: string | undefined;
  /** `ToSipUri`: the called SIP URI. */
  readonly toSipUri: string | undefined;
  /** `ParentCallSidLegacy`: the parent call in legacy form (legs made by `<Dial>`). */
  readonly parentCallSidLegacy: string | undefined;
  /** `CallInitiatedAt`: ISO 8601 with milliseconds, e.g. `2024-01-15T10:30:26.028Z`. */
  readonly callInitiatedAt: string | undefined;
}

/** What Telnyx's call-progress callbacks add (spec §2.2). */
export interface TelnyxStatusExtras extends TelnyxCallExtras {
  /** `Digit`: the key of a `dtmf` callback (`CallStatus=dtmf`), one of `0-9*#`. */
  readonly digit: string | undefined;
  /** `ErrorCode` of a failed call, e.g. `'10001'`. */
  readonly errorCode: string | undefined;
  /** `ErrorMessage` of a failed call, e.g. `'Call failed'`. */
  readonly errorMessage: string | undefined;
  /** `ShakenStirAttestation`: `A`, `B` or `C`. */
  readonly shakenStirAttestation: string | undefined;
  /** `ShakenStirValidated`, sent as the text `true`/`false` (spec §7.14). */
  readonly shakenStirValidated: boolean | undefined;
  /** `Codec` of the answered call, e.g. `PCMU`. */
  readonly codec: string | undefined;
  /** `SamplingRate`, in **Hz**. */
  readonly samplingRateHz: number | undefined;
  /** `AnsweredTime`: when the call was answered, ISO 8601 text (completed). */
  readonly answeredTime: string | undefined;
  /** `StartTime`: when the call started, ISO 8601 text (completed). */
  readonly startTime: string | undefined;
  /** `EndTime`: when the call ended, ISO 8601 text (completed). */
  readonly endTime: string | undefined;
  /** `OccurredAt`: when the event happened, ISO 8601 text (completed). */
  readonly occurredAt: string | undefined;
  /** `CallControlId`: the call's id in Telnyx's Call Control API (completed). */
  readonly callControlId: string | undefined;
  /** `CallLegId`: the leg's id (completed). */
  readonly callLegId: string | undefined;
  /** `CallSessionId`: the id of the session the legs share (completed). */
  readonly callSessionId: string | undefined;
  /** `OrganizationId` of the Telnyx account (completed). */
  readonly organizationId: string | undefined;
  /** `UserId` of the Telnyx user (completed). */
  readonly userId: string | undefined;
  /** `CallQualityStats`: a JSON object as text, e.g. `{"mos":4.2,…}`; kept as sent. */
  readonly callQualityStats: string | undefined;
  /** `HangupCause`, e.g. `normal_clearing`. */
  readonly hangupCause: string | undefined;
  /** `HangupSource`, e.g. `caller`. */
  readonly hangupSource: string | undefined;
  /** `SipHangupCause`: the SIP code, e.g. `486`. */
  readonly sipHangupCause: number | undefined;
}

/** The instruction fetch (spec §2.1). */
export type TelnyxVoiceRequest = TwimlVoiceRequest<'telnyx'> & TelnyxCallExtras;
/** A call-progress callback (spec §2.2), `dtmf` ones included; notify only. */
export type TelnyxStatusCallback = TwimlStatusCallback<'telnyx'> & TelnyxStatusExtras;
/** The `<Gather>` action (spec §2.3). */
export type TelnyxGatherResult = TwimlGatherResult<'telnyx'> & TelnyxCallExtras;
/** The `<Dial>` action (spec §2.4): the completed-call fields and the dialled leg's. */
export type TelnyxDialResult = TwimlDialResult<'telnyx'> &
  TelnyxStatusExtras & {
    /** `DialCallSidLegacy`. */
    readonly dialCallSidLegacy: string | undefined;
    /** `RecordingDuration`, in **seconds**, when recorded. */
    readonly recordingDurationSeconds: number | undefined;
  };
/** The `<Record>` action. */
export type TelnyxRecordResult = TwimlRecordResult<'telnyx'> & TelnyxCallExtras;
/** A recording callback (spec §2.6); notify only. */
export type TelnyxRecordingStatus = TwimlRecordingStatus<'telnyx'> & TelnyxIds;
/** The answering-machine detection callback (spec §2.5); notify only. */
export type TelnyxAmdStatus = Omit<TwimlAmdStatus<'telnyx'>, 'answeredBy'> &
  TelnyxIds & {
    /** `AnsweredBy` (spec §7.2). */
    readonly answeredBy: TelnyxAnsweredBy;
  };
/** The failover request. */
export type TelnyxFallbackRequest = TwimlFallbackRequest<'telnyx'> & TelnyxCallExtras;

/** What every TeXML event has (the TwiML family's base), for the kinds of Telnyx's own. */
export interface TelnyxEventBase<K extends string> extends Omit<
  TwimlEventBase<'telnyx', 'voice'>,
  'name'
> {
  /** The request kind (spec §2.8). */
  readonly name: K;
}

/** The `<Refer>` action (spec §2.7). */
export interface TelnyxReferStatus extends TelnyxEventBase<'refer-status'>, TelnyxIds {
  /** `From`, `To` (`''`: Telnyx's schema has none for this callback). */
  readonly from: string;
  readonly to: string;
  /** `ReferCallStatus`: `in-progress`, `busy`, `canceled`, `failed`. */
  readonly referCallStatus: 'in-progress' | 'busy' | 'canceled' | 'failed' | (string & {});
  /** `ReferSipResponseCode`, e.g. `202`. */
  readonly referSipResponseCode: number | undefined;
  /** `NotifySipResponseCode`, e.g. `200`. */
  readonly notifySipResponseCode: number | undefined;
  /** `Timestamp`: ISO 8601 text. */
  readonly timestamp: string | undefined;
}

/** The `<AIGather>` action (spec §2.7). */
export interface TelnyxAiGatherResult extends TelnyxEventBase<'ai-gather'>, TelnyxIds {
  readonly from: string;
  readonly to: string;
  /** `Status`, e.g. `valid`. */
  readonly status: string | undefined;
  /** `Base64Result`: base64 of the gathered JSON object, as sent. */
  readonly base64Result: string | undefined;
  /** `Base64MessageHistory`: base64 of the JSON message array, as sent. */
  readonly base64MessageHistory: string | undefined;
  /** `Base64Result` decoded and parsed; `undefined` when absent or not base64 JSON. */
  readonly result: unknown;
}

/** Every TeXML event. */
export type TelnyxEvent =
  | TelnyxVoiceRequest
  | TelnyxStatusCallback
  | TelnyxGatherResult
  | TelnyxDialResult
  | TelnyxRecordResult
  | TelnyxRecordingStatus
  | TelnyxAmdStatus
  | TelnyxFallbackRequest
  | TelnyxReferStatus
  | TelnyxAiGatherResult;

/**
 * A whole-number field: `undefined` when absent or empty.
 * @throws {CallControlError} 400 `CC_ERR_REQUEST_MALFORMED` for another value
 */
function wholeNumber(fields: FieldMap, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\s*\d{1,15}\s*$/.test(value)) {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      `${name} must be a whole number, got "${value.slice(0, 40)}"`,
    );
  }
  return Number(value);
}

/** `true`/`false` text as a boolean; `undefined` when absent, empty or another value. */
function flag(value: string | undefined): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function ids(fields: FieldMap): TelnyxIds {
  return { callSidLegacy: fields['CallSidLegacy'], connectionId: fields['ConnectionId'] };
}

function callExtras(fields: FieldMap): TelnyxCallExtras {
  return {
    ...ids(fields),
    callerId: fields['CallerId'],
    callingPartyType: fields['CallingPartyType'],
    fromSipUri: fields['FromSipUri'],
    toSipUri: fields['ToSipUri'],
    parentCallSidLegacy: fields['ParentCallSidLegacy'],
    callInitiatedAt: fields['CallInitiatedAt'],
  };
}

function statusExtras(fields: FieldMap): TelnyxStatusExtras {
  return {
    ...callExtras(fields),
    digit: fields['Digit'],
    errorCode: fields['ErrorCode'],
    errorMessage: fields['ErrorMessage'],
    shakenStirAttestation: fields['ShakenStirAttestation'],
    shakenStirValidated: flag(fields['ShakenStirValidated']),
    codec: fields['Codec'],
    samplingRateHz: wholeNumber(fields, 'SamplingRate'),
    answeredTime: fields['AnsweredTime'],
    startTime: fields['StartTime'],
    endTime: fields['EndTime'],
    occurredAt: fields['OccurredAt'],
    callControlId: fields['CallControlId'],
    callLegId: fields['CallLegId'],
    callSessionId: fields['CallSessionId'],
    organizationId: fields['OrganizationId'],
    userId: fields['UserId'],
    callQualityStats: fields['CallQualityStats'],
    hangupCause: fields['HangupCause'],
    hangupSource: fields['HangupSource'],
    sipHangupCause: wholeNumber(fields, 'SipHangupCause'),
  };
}

/** `Base64Result` decoded and parsed as JSON; `undefined` when that fails. */
function decodeResult(value: string | undefined): unknown {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The kind of a TeXML request from its fields (spec §2.8): `refer-status` when
 * `ReferCallStatus` is present, `ai-gather` for `Base64Result` (or `Status` with
 * `Base64MessageHistory`), else the TwiML kind.
 */
export function telnyxRequestKind(fields: FieldMap): TelnyxEventName {
  if (fields['ReferCallStatus'] !== undefined) return 'refer-status';
  if (
    fields['Base64Result'] !== undefined ||
    (fields['Status'] !== undefined && fields['Base64MessageHistory'] !== undefined)
  ) {
    return 'ai-gather';
  }
  return twimlRequestKind(fields);
}

/**
 * The typed event of a TeXML request's decoded fields (spec §2): every field of its kind under
 * the names above, and `raw` with every field as sent.
 *
 * @param origin - the named action the request was sent to, if any
 * @throws {CallControlError} 400 `CC_ERR_REQUEST_MALFORMED` for a duration, count, SIP code or
 *   score that is not a number
 */
export function telnyxEventOf(fields: FieldMap, origin: TwimlRequestOrigin = {}): TelnyxEvent {
  const kind = telnyxRequestKind(fields);
  const base = {
    provider: 'telnyx' as const,
    callId: fields['CallSid'] ?? '',
    accountSid: fields['AccountSid'] ?? '',
    action: origin.action,
    actionQuery: origin.actionQuery ?? {},
    raw: Object.freeze({ ...fields }) as Readonly<Record<string, string>>,
    ...ids(fields),
  };
  if (kind === 'refer-status') {
    return {
      ...base,
      name: kind,
      from: fields['From'] ?? '',
      to: fields['To'] ?? '',
      referCallStatus: fields['ReferCallStatus'] ?? '',
      referSipResponseCode: wholeNumber(fields, 'ReferSipResponseCode'),
      notifySipResponseCode: wholeNumber(fields, 'NotifySipResponseCode'),
      timestamp: fields['Timestamp'],
    };
  }
  if (kind === 'ai-gather') {
    return {
      ...base,
      name: kind,
      from: fields['From'] ?? '',
      to: fields['To'] ?? '',
      status: fields['Status'],
      base64Result: fields['Base64Result'],
      base64MessageHistory: fields['Base64MessageHistory'],
      result: decodeResult(fields['Base64Result']),
    };
  }
  const event = twimlEventOf('telnyx', fields, origin);
  switch (event.name) {
    case 'voice':
    case 'gather':
    case 'record':
    case 'fallback':
      return { ...event, ...callExtras(fields) };
    case 'status-callback':
      return { ...event, ...statusExtras(fields) };
    case 'dial':
      return {
        ...event,
        ...statusExtras(fields),
        dialCallSidLegacy: fields['DialCallSidLegacy'],
        recordingDurationSeconds: wholeNumber(fields, 'RecordingDuration'),
      };
    case 'recording-status':
      return { ...event, ...ids(fields) };
    case 'amd-status':
      return { ...event, ...ids(fields) };
  }
}
