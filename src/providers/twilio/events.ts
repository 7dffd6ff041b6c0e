/**
 * Twilio Programmable Voice requests as typed events: the voice request, status callbacks, the
 * results of `<Gather>`, `<Dial>` and `<Record>` actions, recording status callbacks,
 * answering-machine detection and fallback requests. Twilio names no event: the kind is read
 * from the fields (spec §2.10); requests to a named action (`<mount>/actions/<name>`) carry
 * its name in `action`.
 *
 * Spec: `docs/providers/twilio.md` §2.
 *
 * @module
 */
import type { ParseContext } from '../../core/provider';
import type { WebhookRequest } from '../../core/types';
import { actionOfPath, actionQueryOf, mountUrlOf, rememberMountUrl } from '../twiml/actions';
import {
  TWIML_REQUEST_KINDS,
  twimlEventOf,
  twimlRequestFields,
  type TwimlActionRequest,
  type TwimlAmdStatus,
  type TwimlDialResult,
  type TwimlEvent,
  type TwimlFallbackRequest,
  type TwimlGatherResult,
  type TwimlRecordingStatus,
  type TwimlRecordResult,
  type TwimlRequestKind,
  type TwimlStatusCallback,
  type TwimlVoiceRequest,
} from '../twiml/requests';

export { TWIML_REQUEST_KINDS } from '../twiml/requests';
export type {
  TwimlActionRequest,
  TwimlAmdStatus,
  TwimlDialResult,
  TwimlEvent,
  TwimlEventBase,
  TwimlFallbackRequest,
  TwimlGatherResult,
  TwimlRecordingStatus,
  TwimlRecordResult,
  TwimlRequestKind,
  TwimlStatusCallback,
  TwimlVoiceRequest,
  TwimlAnsweredBy,
  TwimlCallFields,
  TwimlCallStatus,
  TwimlDialCallStatus,
  TwimlDirection,
  TwimlStatusCallbackEvent,
} from '../twiml/requests';

/** Twilio's request kinds (spec §2.10): `voice`, `status-callback`, `gather`, `dial`, `record`, `recording-status`, `amd-status`, `fallback`. */
export const TWILIO_EVENTS: readonly TwilioEventName[] = TWIML_REQUEST_KINDS;

/** One of {@link TWILIO_EVENTS}. */
export type TwilioEventName = TwimlRequestKind;

/** The voice request (spec §2.1): a call asks what to do; answered with TwiML. */
export type TwilioVoiceRequest = TwimlVoiceRequest<'twilio'>;
/** A status callback (spec §2.3): `initiated`, `ringing`, `answered`, `completed`; not answered. */
export type TwilioStatusCallback = TwimlStatusCallback<'twilio'>;
/** The `<Gather>` action request (spec §2.4): `Digits`, `SpeechResult`…; answered with TwiML. */
export type TwilioGatherResult = TwimlGatherResult<'twilio'>;
/** The `<Dial>` action request (spec §2.5): `DialCallStatus`…; answered with TwiML. */
export type TwilioDialResult = TwimlDialResult<'twilio'>;
/** The `<Record>` action request (spec §2.7); answered with TwiML. */
export type TwilioRecordResult = TwimlRecordResult<'twilio'>;
/** A recording status callback (spec §2.7); not answered. */
export type TwilioRecordingStatus = TwimlRecordingStatus<'twilio'>;
/** The asynchronous answering-machine detection callback (spec §2.6); not answered. */
export type TwilioAmdStatus = TwimlAmdStatus<'twilio'>;
/** The fallback URL request (spec §2.8): `ErrorCode`, `ErrorUrl`; answered with TwiML. */
export type TwilioFallbackRequest = TwimlFallbackRequest<'twilio'>;
/** Every Twilio event. */
export type TwilioEvent = TwimlEvent<'twilio'>;
/** What a named action's handler gets: the request sent to `<mount>/actions/<name>`. */
export type TwilioActionRequest = TwimlActionRequest<'twilio'>;

/**
 * Reads a Twilio request into its event (spec §1, §2): a POST's form body or a GET's query;
 * the kind from its fields (§2.10); a request to `<mount>/actions/<name>` of a declared action
 * carries `action: name` and the decoded query as `actionQuery`. The public mount URL of the
 * request is remembered for rendering the answer's action references.
 *
 * @param declaredActions - the app's declared action names
 * @throws {CallControlError} 415 for a POST body that is not form-encoded, 400 for one that is
 *   not UTF-8, a number field that is not a number, or a path below `/actions/` naming no
 *   declared action; 413 above 1000 fields
 */
export function parseTwilioRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
  declaredActions: readonly string[] = [],
): TwilioEvent {
  const action = actionOfPath(request.path, declaredActions);
  const fields = twimlRequestFields(request);
  const event = twimlEventOf('twilio', fields, {
    action,
    actionQuery:
      action === undefined || request.method === 'GET' ? {} : actionQueryOf(request.query),
  });
  const publicUrl = context.publicUrl?.();
  if (publicUrl !== undefined) rememberMountUrl(event, mountUrlOf(publicUrl, request.path));
  return event;
}
