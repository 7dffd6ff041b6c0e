/**
 * Telnyx TeXML: typed events, TeXML answer builders, named action handlers and the Ed25519
 * signature check with its replay window.
 *
 * Spec: `docs/providers/telnyx.md`; upstream:
 * https://developers.telnyx.com/docs/voice/programmable-voice/texml-setup
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { telnyx } from 'callcontrol';
 *
 * const calls = telnyx.createApp({
 *   publicKey: process.env.TELNYX_PUBLIC_KEY, // base64, as the Telnyx portal shows it
 *   actions: ['menu'] as const,
 * });
 * calls.on('voice', () =>
 *   telnyx.response(
 *     telnyx.gather({ numDigits: 1, action: calls.actionUrl('menu') }, telnyx.say('Press 1 for sales.')),
 *   ),
 * );
 * calls.action('menu', (result) =>
 *   result.name === 'gather' && result.digits === '1'
 *     ? telnyx.response(telnyx.dial('+15551230000'))
 *     : telnyx.response(telnyx.hangup()),
 * );
 *
 * const app = express();
 * app.use('/telnyx', calls.express());
 * app.listen(3000);
 * ```
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { commonAppOptions, type CommonAppOptions } from '../../core/options';
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import type { ParseContext, ProviderDefinition } from '../../core/provider';
import type { WebhookRequest } from '../../core/types';
import {
  actionEventName,
  actionOfPath,
  actionQueryOf,
  actionResolver,
  checkActionNames,
  mountUrlOf,
  rememberMountUrl,
  TwimlApp,
} from '../twiml/actions';
import {
  actionRef as twimlActionRef,
  isTwimlAnswer,
  renderTwiml,
  twimlBuilders,
  type TwimlActionRef,
  type TwimlAnswer,
} from '../twiml/builders';
import { twimlRequestFields } from '../twiml/requests';
import {
  TELNYX_ANSWERED_EVENTS,
  TELNYX_EVENTS,
  telnyxEventOf,
  type TelnyxAiGatherResult,
  type TelnyxAmdStatus,
  type TelnyxDialResult,
  type TelnyxEvent,
  type TelnyxEventName,
  type TelnyxFallbackRequest,
  type TelnyxGatherResult,
  type TelnyxRecordingStatus,
  type TelnyxRecordResult,
  type TelnyxReferStatus,
  type TelnyxStatusCallback,
  type TelnyxVoiceRequest,
} from './events';
import { createTelnyxSignatureCheck, TELNYX_SIGNATURE_HEADER } from './verify';

export * from './events';
export * from './simulate';
export * from './verify';
export {
  actionsOf,
  type TwimlActionRef,
  type TwimlAnswer,
  type TwimlBuilderEntries,
  type TwimlContent,
  type TwimlContentOf,
  type TwimlElements,
  type TwimlOptions,
  type TwimlBuilders,
  type TwimlElementBuilder,
  type TwimlNode,
  type TwimlResponse,
} from '../twiml/builders';
export type { TwimlApp } from '../twiml/actions';
export type { TwimlDialect } from '../twiml/grammar';

/**
 * A reference to a named action handler, for any URL-valued option: rendered as
 * `<public mount URL>/actions/<name>[?query]`. The app's `calls.actionUrl(name)` is the same,
 * typed by the app's declared names.
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank name
 */
export function actionRef(name: string, query?: Record<string, string>): TwimlActionRef {
  return twimlActionRef(name, query);
}

/**
 * The TeXML builders (spec §5.2, §5.3): one per verb and noun TeXML has, every attribute a typed
 * camelCase option (seconds or milliseconds as the attribute counts them), checked when built
 * (`CC_ERR_ANSWER_INVALID` naming builder and option). Answers carry `provider: 'telnyx'`.
 */
export const texml = twimlBuilders('telnyx', 'telnyx');

/** `<Response>` holding the verbs in order (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const response = texml.response;

/** `<Say>`: text spoken (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const say = texml.say;

/** `<Play>`: an audio URL (or `digits`) (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const play = texml.play;

/** `<Pause>`: silence, `length` in seconds (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const pause = texml.pause;

/** `<Gather>`: collect digits or speech; its `action` gets them (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const gather = texml.gather;

/** `<Dial>`: connect the call (text or nouns) (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const dial = texml.dial;

/** `<Record>`: record the caller (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const record = texml.record;

/** `<Hangup>`: end the call (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const hangup = texml.hangup;

/** `<Reject>`: refuse the call unanswered (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const reject = texml.reject;

/** `<Redirect>`: fetch the next document from a URL (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const redirect = texml.redirect;

/** `<Enqueue>`: put the call into a queue (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const enqueue = texml.enqueue;

/** `<Leave>`: leave the queue (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const leave = texml.leave;

/** `<Refer>`: SIP REFER the call elsewhere (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const refer = texml.refer;

/** `<Connect>`: connect the call to a stream or service (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const connect = texml.connect;

/** `<Start>`: start something that runs beside the call (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const start = texml.start;

/** `<Stop>`: stop what `<Start>` started (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const stop = texml.stop;

/** `<Number>` in `<Dial>`: a phone number (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const number = texml.number;

/** `<Sip>` in `<Dial>` or `<Refer>`: a SIP URI (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const sip = texml.sip;

/** `<Conference>` in `<Dial>`: a conference room (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const conference = texml.conference;

/** `<Queue>` in `<Dial>`: a queue to take a caller from (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const queue = texml.queue;

/** `<Parameter>`: a name and value passed to a stream (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const parameter = texml.parameter;

/** `<Stream>`: a media stream over WebSocket (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const stream = texml.stream;

/** `<Siprec>`: a SIPREC session (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const siprec = texml.siprec;

/** `<Transcription>`: real-time transcription (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const transcription = texml.transcription;

/** `<Recording>` in `<Start>`: a background recording (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const recording = texml.recording;

/** `<Suppression>`: noise suppression (TeXML builder, see {@link texml}; docs/providers/telnyx.md §5.3). */
export const suppression = texml.suppression;

/** What a Telnyx handler returns: a TeXML `<Response>` or a list of verbs (spec §5.1). */
export type TelnyxAnswer = TwimlAnswer<'telnyx'>;

/**
 * TeXML's request kinds with what their handlers may return: the instruction fetch and the
 * action requests are answered with TeXML; status, AMD and recording callbacks only need a 200
 * (spec §1 "Callback answers"), so their handlers' return values are ignored.
 */
export type TelnyxEventMap = {
  voice: { event: TelnyxVoiceRequest; answer: TelnyxAnswer | null };
  'status-callback': { event: TelnyxStatusCallback; answer: unknown };
  gather: { event: TelnyxGatherResult; answer: TelnyxAnswer | null };
  dial: { event: TelnyxDialResult; answer: TelnyxAnswer | null };
  record: { event: TelnyxRecordResult; answer: TelnyxAnswer | null };
  'recording-status': { event: TelnyxRecordingStatus; answer: unknown };
  'amd-status': { event: TelnyxAmdStatus; answer: unknown };
  fallback: { event: TelnyxFallbackRequest; answer: TelnyxAnswer | null };
  'refer-status': { event: TelnyxReferStatus; answer: TelnyxAnswer | null };
  'ai-gather': { event: TelnyxAiGatherResult; answer: TelnyxAnswer | null };
};

/** What an action handler gets: any TeXML request sent to `<mount>/actions/<name>`. */
export type TelnyxActionRequest = TelnyxEvent & { readonly action: string };

/**
 * A Telnyx TeXML app with the declared action names `A`: `on('voice', …)`,
 * `action('menu', …)`, then `app.use('/telnyx', calls.express())`.
 */
export type TelnyxApp<A extends string = never> = TwimlApp<
  TelnyxEventMap,
  TelnyxEvent,
  TelnyxAnswer,
  A,
  TelnyxActionRequest
>;

/** Options of {@link createApp}. */
export interface TelnyxAppOptions<A extends string = never>
  extends CommonSecurityOptions, CommonAppOptions<TelnyxAnswer, TelnyxEventName> {
  /**
   * Telnyx's public key that checks `telnyx-signature-ed25519` (spec §3): base64 of the raw
   * 32-byte Ed25519 key as the portal shows it (*Keys & Credentials → Public Key*), or SPKI
   * base64, a PEM or a `KeyObject`; several while keys change. Unsigned or wrongly signed
   * requests, and requests signed longer ago (or further ahead) than `toleranceSeconds`, get 403.
   *
   * Without it `createApp` throws unless `basicAuth`, `urlToken`, `allowFrom` or
   * `allowUnauthenticated: true` is given.
   */
  readonly publicKey?: string | KeyObject | readonly (string | KeyObject)[] | undefined;
  /**
   * How far `telnyx-timestamp` may be from this server's clock, in **seconds**, either way.
   * Default 300 (telnyx-node's tolerance, spec §3 "Window").
   */
  readonly toleranceSeconds?: number | undefined;
  /**
   * The clock of the window check, Unix time in **milliseconds**. Default `Date.now` (tests of
   * recorded requests give a fixed time).
   */
  readonly now?: (() => number) | undefined;
  /**
   * The names of the app's action handlers (`['menu', 'dialed'] as const`): requests to
   * `<mount>/actions/<name>` go to the handler registered with `calls.action(name, …)`, and
   * `calls.actionUrl(name)` (or `actionRef(name)`) stands for that URL in any URL-valued
   * attribute. A declared name without a handler is a `TypeError` when the app is mounted.
   */
  readonly actions?: readonly A[] | undefined;
  /**
   * The answer when a handler throws, returns a non-answer or misses its deadline. Default: the
   * empty `<Response/>` (Telnyx then ends the call's instructions). It cannot refer to actions.
   */
  readonly fallback?: TelnyxAnswer | undefined;
  /**
   * Answer deadline in **milliseconds**. Default 1500: Telnyx's webhooks must be answered within
   * 2 seconds, and no longer deadline is documented for TeXML (spec §4, §7.7).
   */
  readonly timeoutMs?: number | undefined;
}

/**
 * The Telnyx provider as the core sees it, for an app with the declared `actions` (spec §1:
 * GET or POST; §2.8 kinds; §4 duplicates; §5 answers).
 */
export function telnyxProvider(
  actions: readonly string[] = [],
): ProviderDefinition<TelnyxEvent, TelnyxAnswer> {
  const actionKeys = new Set(actions.map(actionEventName));
  return {
    name: 'telnyx',
    // Spec §1 "Default method", §7.1: either, depending on the application's setting.
    methods: ['GET', 'POST'],
    events: TELNYX_EVENTS,
    acceptsEventName: (name) => actionKeys.has(name),
    routingKeys: (event) =>
      event.action === undefined ? [event.name] : [actionEventName(event.action), event.name],
    answeredEvents: TELNYX_ANSWERED_EVENTS,
    credentialOptions: ['publicKey', 'basicAuth', 'urlToken', 'allowFrom'],
    defaultTimeoutMs: 1500,
    // Spec §3: the signature covers the timestamp and the body, never the URL.
    signature: { header: TELNYX_SIGNATURE_HEADER, covers: 'body' },
    // Spec §4 "Duplicates": a call-progress callback is CallSid + SequenceNumber, a recording
    // callback RecordingSid + RecordingStatus.
    deliveryId: (_request, event) => {
      if (event.name === 'status-callback' && event.sequenceNumber !== undefined) {
        return `progress:${event.callId}:${event.sequenceNumber}`;
      }
      if (event.name === 'recording-status' && event.recordingSid !== undefined) {
        return `recording:${event.recordingSid}:${event.recordingStatus}`;
      }
      return undefined;
    },
    // The same digits, the same redirect: an identical request that is a new step of the call.
    repeatableEvents: TELNYX_ANSWERED_EVENTS,
    isCallEnd: (event) => event.name === 'status-callback' && event.statusEvent === 'completed',
    parse: (request, context) => parseTelnyxRequest(request, context, actions),
    isAnswer: (value): value is TelnyxAnswer => isTwimlAnswer(value, 'telnyx'),
    render: (answer, event) =>
      renderTwiml(answer, { resolveAction: actionResolver(event, actions) }),
  };
}

/**
 * Parses a TeXML request: a GET's query or a POST's form body (spec §1 "Encoding"), sent to the
 * mount or to `<mount>/actions/<name>` of a declared action.
 *
 * @throws {CallControlError} 415 for a POST body that is not a form, 400 for bytes that are not
 *   UTF-8, a number field that is not a number, or an undeclared action path; 413 above 1000
 *   fields
 */
export function parseTelnyxRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
  declaredActions: readonly string[] = [],
): TelnyxEvent {
  const action = actionOfPath(request.path, declaredActions);
  const fields = twimlRequestFields(request);
  const event = telnyxEventOf(fields, {
    action,
    actionQuery:
      action === undefined || request.method === 'GET' ? {} : actionQueryOf(request.query),
  });
  const publicUrl = context.publicUrl?.();
  if (publicUrl !== undefined) rememberMountUrl(event, mountUrlOf(publicUrl, request.path));
  return event;
}

/**
 * Creates a Telnyx TeXML webhook app.
 *
 * Requests are checked in the core's order (docs/security.md, "Order of checks"): limits,
 * method (405), source address, basic auth, URL token, then the signature (403
 * `CC_ERR_SIGNATURE_MISSING` or `CC_ERR_SIGNATURE_INVALID`, whose log line says why: a missing
 * header, a stale or future timestamp, a signature that does not verify), content type (415),
 * body (400), fields.
 *
 * @throws {TypeError} without `publicKey`, `basicAuth`, `urlToken` or `allowFrom`, unless
 *   `allowUnauthenticated: true`
 * @throws {TypeError} for invalid options: a key that is not an Ed25519 public key, a
 *   tolerance that is not a positive number, bad action names, a fallback not built with the
 *   TeXML builders
 */
export function createApp<const A extends string = never>(
  options: TelnyxAppOptions<A> = {},
): TelnyxApp<A> {
  const actions = checkActionNames(options.actions);
  const authenticators = commonAuthenticators(options);
  if (options.publicKey !== undefined) {
    authenticators.push(
      createTelnyxSignatureCheck({
        publicKey: options.publicKey,
        toleranceSeconds: options.toleranceSeconds,
        now: options.now,
      }),
    );
  }
  return new TwimlApp(
    telnyxProvider(actions),
    { ...commonAppOptions(options), authenticators },
    actions as readonly A[],
  );
}
