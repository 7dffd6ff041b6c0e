/**
 * Twilio Programmable Voice: typed webhook events, TwiML answer builders, `X-Twilio-Signature`
 * checks, and named action handlers.
 *
 * Spec: `docs/providers/twilio.md`; upstream: https://www.twilio.com/docs/voice/twiml
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { twilio } from 'callcontrol';
 *
 * const calls = twilio.createApp({
 *   authToken: process.env.TWILIO_AUTH_TOKEN,
 *   publicUrl: 'https://voice.example.com/twilio', // the URL Twilio calls and signs
 *   actions: ['menu'] as const,
 * });
 * calls.on('voice', () =>
 *   twilio.gather(
 *     { numDigits: 1, action: calls.actionUrl('menu') },
 *     twilio.say('Press 1 for sales.'),
 *   ),
 * );
 * calls.action('menu', (result) =>
 *   result.name === 'gather' && result.digits === '1'
 *     ? twilio.dial(twilio.number('+15550001111'))
 *     : twilio.hangup(),
 * );
 *
 * const app = express();
 * app.use('/twilio', calls.express());
 * app.listen(3000);
 * ```
 *
 * @module
 */
import { commonAppOptions, type CommonAppOptions, type ProviderDefinition } from '../../core/app';
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import { actionEventName, checkActionNames, TwimlApp } from '../twiml/actions';
import { TWIML_ANSWERED_KINDS } from '../twiml/requests';
import {
  parseTwilioRequest,
  TWILIO_EVENTS,
  type TwilioActionRequest,
  type TwilioAmdStatus,
  type TwilioDialResult,
  type TwilioEvent,
  type TwilioEventName,
  type TwilioFallbackRequest,
  type TwilioGatherResult,
  type TwilioRecordingStatus,
  type TwilioRecordResult,
  type TwilioStatusCallback,
  type TwilioVoiceRequest,
} from './events';
import { isTwilioAnswer, renderTwilioAnswer, type TwilioAnswer } from './responses';
import {
  createTwilioSignatureCheck,
  TWILIO_IDEMPOTENCY_HEADER,
  TWILIO_SIGNATURE_HEADER,
} from './verify';

export * from './events';
export * from './responses';
export * from './simulate';
export * from './verify';
export type { TwimlApp, TwimlActionRefLike } from '../twiml/actions';

/** An answered event's handler result: an answer, or `null` for the empty `<Response/>`. */
export type TwilioAnswered = TwilioAnswer | null;

/**
 * Twilio's request kinds with what their handlers may return: the voice request and the
 * results of `<Gather>`, `<Dial>`, `<Record>` and the fallback request are answered with TwiML
 * (spec §1 "Response status"); Twilio ignores the body of status, recording and AMD callbacks,
 * so their handlers' return values are ignored and `<Response/>` goes out.
 */
export type TwilioEventMap = {
  voice: { event: TwilioVoiceRequest; answer: TwilioAnswered };
  gather: { event: TwilioGatherResult; answer: TwilioAnswered };
  dial: { event: TwilioDialResult; answer: TwilioAnswered };
  record: { event: TwilioRecordResult; answer: TwilioAnswered };
  fallback: { event: TwilioFallbackRequest; answer: TwilioAnswered };
  'status-callback': { event: TwilioStatusCallback; answer: unknown };
  'recording-status': { event: TwilioRecordingStatus; answer: unknown };
  'amd-status': { event: TwilioAmdStatus; answer: unknown };
};

/**
 * A Twilio webhook app with the declared actions `A`: `on('voice', …)`, `action('menu', …)`,
 * `actionUrl('menu')`, then `app.use('/twilio', calls.express())`.
 */
export type TwilioApp<A extends string = never> = TwimlApp<
  TwilioEventMap,
  TwilioEvent,
  TwilioAnswer,
  A,
  TwilioActionRequest
>;

/** Options of {@link createApp}. */
export interface TwilioAppOptions<A extends readonly string[] = readonly string[]>
  extends CommonSecurityOptions, CommonAppOptions<TwilioAnswer, TwilioEventName> {
  /**
   * The Auth Token `X-Twilio-Signature` is checked with (HMAC-SHA1 over the full URL and the
   * sorted POST parameters; spec §3.1), or several while a token is rotated (each is tried).
   * The URL is the request's public URL: give `publicUrl` (the public URL of the mount point,
   * e.g. `'https://voice.example.com/twilio'`) when a proxy or tunnel stands in front of the
   * app, or `trustProxy` to read its `X-Forwarded-Proto` / `X-Forwarded-Host`. Requests
   * without a valid signature get 403.
   *
   * Without it (or with `false`), `createApp` throws unless `basicAuth`, `urlToken`,
   * `allowFrom` or `allowUnauthenticated: true` is given.
   */
  readonly authToken?: string | readonly string[] | false | undefined;
  /**
   * The names of the app's action handlers (`['menu', 'dialed'] as const`): each must get a
   * handler with `calls.action(name, handler)` before the app is mounted; answers refer to
   * them with `calls.actionUrl(name)`, rendered as `<public mount URL>/actions/<name>`, where
   * Twilio then sends the verb's result. Names: letters, digits, `_`, `-`. Default: none.
   */
  readonly actions?: A | undefined;
  /**
   * The answer when a handler throws, returns a non-answer or misses its deadline. Default: the
   * empty `<Response/>` (Twilio then ends the call). It cannot refer to actions (it is rendered
   * before any request tells the public URL).
   */
  readonly fallback?: TwilioAnswer | undefined;
  /**
   * Answer deadline in **milliseconds**. Default 10000: Twilio waits 15 s for an answer by
   * default (spec §4.1, read timeout `rt`), and the rest is margin for the network.
   */
  readonly timeoutMs?: number | undefined;
}

/** Twilio's answer deadline default, in milliseconds (spec §4.1: Twilio waits 15 s). */
export const TWILIO_DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The Twilio provider as the core sees it, for an app with the declared actions `actions`
 * (spec §1: POST or GET; §2 requests; §4.3 idempotency; §5 answers).
 */
export function twilioProvider(
  actions: readonly string[] = [],
): ProviderDefinition<TwilioEvent, TwilioAnswer> {
  const actionEvents = actions.map(actionEventName);
  return {
    name: 'twilio',
    methods: ['POST', 'GET'],
    events: [...TWILIO_EVENTS, ...actionEvents],
    acceptsEventName: (name) => actionEvents.includes(name),
    routingKeys: (event) =>
      event.action === undefined ? [event.name] : [actionEventName(event.action)],
    answeredEvents: TWIML_ANSWERED_KINDS,
    credentialOptions: ['authToken', 'basicAuth', 'urlToken', 'allowFrom'],
    defaultTimeoutMs: TWILIO_DEFAULT_TIMEOUT_MS,
    // Spec §4.3: retries of one webhook carry the same I-Twilio-Idempotency-Token.
    deliveryId: (request) => {
      const token = request.headers[TWILIO_IDEMPOTENCY_HEADER];
      return typeof token === 'string' && token !== '' ? token : undefined;
    },
    // A <Redirect> or a looping menu sends the same voice or Gather request again as a new
    // step of the call: without an idempotency token, these are never answered from the store.
    repeatableEvents: TWIML_ANSWERED_KINDS,
    isCallEnd: (event) => event.name === 'status-callback' && event.statusEvent === 'completed',
    parse: (request, context) => parseTwilioRequest(request, context, actions),
    isAnswer: isTwilioAnswer,
    render: (answer, event) => renderTwilioAnswer(answer, event, actions),
  };
}

/** The signature header's value, hidden in what `onError` gets. */
function redactSignature<R extends { headers: Readonly<Record<string, string | undefined>> }>(
  request: R,
): R {
  if (request.headers[TWILIO_SIGNATURE_HEADER] === undefined) return request;
  return { ...request, headers: { ...request.headers, [TWILIO_SIGNATURE_HEADER]: '[redacted]' } };
}

/**
 * Creates a Twilio webhook app.
 *
 * Requests are checked in the core's order (docs/security.md, "Order of checks"): headers and
 * body limits, method (405 for other than POST and GET), source address (403, with
 * `allowFrom`), basic auth (401), URL token (403), signature (403 `CC_ERR_SIGNATURE_MISSING` or
 * `CC_ERR_SIGNATURE_INVALID`, the message naming the URL checked), content type (415), body
 * (400, 413).
 *
 * @throws {TypeError} when no `authToken` (nor `basicAuth`, `urlToken`, `allowFrom`) is given
 *   and not `allowUnauthenticated: true`; for an empty token, an invalid action name or one
 *   declared twice, a fallback not built with the Twilio builders, and the common invalid
 *   options (see `WebhookApp`)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a fallback that refers to an action
 *   (it is rendered before any request tells the public URL)
 */
export function createApp<const A extends readonly string[] = readonly []>(
  options: TwilioAppOptions<A> = {},
): TwilioApp<A[number]> {
  const actions = checkActionNames(options.actions) as readonly A[number][];
  const authenticators = commonAuthenticators(options);
  if (options.authToken !== undefined && options.authToken !== false) {
    const check = createTwilioSignatureCheck(options.authToken);
    authenticators.push(Object.assign(check, { redact: redactSignature }));
  }
  return new TwimlApp(
    twilioProvider(actions),
    { ...commonAppOptions(options), authenticators },
    actions,
  );
}
