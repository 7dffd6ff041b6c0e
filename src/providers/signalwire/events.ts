/**
 * SignalWire cXML requests as typed events: the TwiML family's kinds and fields
 * (`../twiml/requests.ts`) with SignalWire's additions under its own names (`HangupBy`,
 * `HangupDirection`, `SipResultCode`, `AudioInMos`, `DialSipCallId`…). Numbers (phone numbers,
 * ids) stay strings; durations are numbers with their unit in the name.
 *
 * Spec: `docs/providers/signalwire.md` §2 (requests), §2.6 (kinds), §8 (ambiguities we tolerate).
 *
 * @module
 */
import type { FieldMap } from '../../core/body';
import { CallControlError } from '../../core/errors';
import {
  TWIML_ANSWERED_KINDS,
  TWIML_REQUEST_KINDS,
  twimlEventOf,
  type TwimlAmdStatus,
  type TwimlDialResult,
  type TwimlFallbackRequest,
  type TwimlGatherResult,
  type TwimlRecordResult,
  type TwimlRecordingStatus,
  type TwimlRequestKind,
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

/** The request kinds of cXML (spec §2.6): those of the TwiML family. */
export const SIGNALWIRE_EVENTS: readonly TwimlRequestKind[] = TWIML_REQUEST_KINDS;

/** A cXML request kind. */
export type SignalwireEventName = TwimlRequestKind;

/** The kinds whose answer SignalWire executes (a cXML document); the others are notifications. */
export const SIGNALWIRE_ANSWERED_EVENTS: readonly SignalwireEventName[] = TWIML_ANSWERED_KINDS;

/** What SignalWire's status callbacks add (spec §2.2); all optional (spec §8.4). */
export interface SignalwireStatusExtras {
  /** `HangupBy`: the number or SIP URI that hung up. */
  readonly hangupBy: string | undefined;
  /** `HangupDirection`: `inbound` or `outbound`. */
  readonly hangupDirection: 'inbound' | 'outbound' | (string & {}) | undefined;
  /** `SipResultCode`: the final SIP code, e.g. `486`. */
  readonly sipResultCode: number | undefined;
  /** `SipInviteResultPhrase`, e.g. `Busy Here`. */
  readonly sipInviteResultPhrase: string | undefined;
  /** `AudioInMos`: mean opinion score of the inbound audio, 1–5. */
  readonly audioInMos: number | undefined;
}

/** What a `<Dial>` action of a `<Sip>` dial adds (spec §2.3). */
export interface SignalwireDialExtras {
  /** `DialSipCallId`: the SIP Call-ID of the dialled leg. */
  readonly dialSipCallId: string | undefined;
  /** `DialSipResponseCode`: the SIP code of the dialled leg. */
  readonly dialSipResponseCode: number | undefined;
}

/** The voice request (spec §2.1). */
export type SignalwireVoiceRequest = TwimlVoiceRequest<'signalwire'>;
/** A status callback (spec §2.2); notify only. `timestamp` is RFC 2822 text. */
export type SignalwireStatusCallback = TwimlStatusCallback<'signalwire'> & SignalwireStatusExtras;
/** The `<Gather>` action (spec §2.3). */
export type SignalwireGatherResult = TwimlGatherResult<'signalwire'>;
/** The `<Dial>` action (spec §2.3); `DialCallStatus` may be `answered` (conferences). */
export type SignalwireDialResult = TwimlDialResult<'signalwire'> & SignalwireDialExtras;
/** The `<Record>` action (spec §2.3). */
export type SignalwireRecordResult = TwimlRecordResult<'signalwire'>;
/** A recording callback (spec §2.4); notify only. */
export type SignalwireRecordingStatus = TwimlRecordingStatus<'signalwire'>;
/** Asynchronous answering-machine detection (spec §2.5); `AnsweredBy` may be `machine`. */
export type SignalwireAmdStatus = TwimlAmdStatus<'signalwire'>;
/** The fallback request. */
export type SignalwireFallbackRequest = TwimlFallbackRequest<'signalwire'>;

/** Every cXML event. */
export type SignalwireEvent =
  | SignalwireVoiceRequest
  | SignalwireStatusCallback
  | SignalwireGatherResult
  | SignalwireDialResult
  | SignalwireRecordResult
  | SignalwireRecordingStatus
  | SignalwireAmdStatus
  | SignalwireFallbackRequest;

/**
 * A number field: `undefined` when absent or empty.
 * @throws {CallControlError} 400 `CC_ERR_REQUEST_MALFORMED` for another value
 */
function numberField(fields: FieldMap, name: string, whole: boolean): number | undefined {
  const value = fields[name];
  if (value === undefined || value.trim() === '') return undefined;
  const pattern = whole ? /^\s*\d{1,15}\s*$/ : /^\s*\d{1,15}(?:\.\d{1,15})?\s*$/;
  if (!pattern.test(value)) {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      `${name} must be a ${whole ? 'whole number' : 'number'}, got "${value.slice(0, 40)}"`,
    );
  }
  return Number(value);
}

/**
 * The typed event of a cXML request's decoded fields (spec §2): every field of its kind, and
 * `raw` with every field as sent.
 *
 * @param origin - the named action the request was sent to, if any
 * @throws {CallControlError} 400 `CC_ERR_REQUEST_MALFORMED` for a duration, count, SIP code or
 *   score that is not a number
 */
export function signalwireEventOf(
  fields: FieldMap,
  origin: TwimlRequestOrigin = {},
): SignalwireEvent {
  const event = twimlEventOf('signalwire', fields, origin);
  switch (event.name) {
    case 'status-callback':
      return {
        ...event,
        hangupBy: fields['HangupBy'],
        hangupDirection: fields['HangupDirection'],
        sipResultCode: numberField(fields, 'SipResultCode', true),
        sipInviteResultPhrase: fields['SipInviteResultPhrase'],
        audioInMos: numberField(fields, 'AudioInMos', false),
      };
    case 'dial':
      return {
        ...event,
        dialSipCallId: fields['DialSipCallId'],
        dialSipResponseCode: numberField(fields, 'DialSipResponseCode', true),
      };
    default:
      return event;
  }
}
