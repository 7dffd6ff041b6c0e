/**
 * SignalWire cXML (the Compatibility API's LaML): typed events, cXML answer builders, named
 * action handlers and the compatibility signature check.
 *
 * Spec: `docs/providers/signalwire.md`; upstream:
 * https://developer.signalwire.com/compatibility-api/cxml/
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { signalwire } from 'callcontrol';
 *
 * const calls = signalwire.createApp({
 *   signingKey: process.env.SIGNALWIRE_SIGNING_KEY,
 *   publicUrl: 'https://voice.example.com/signalwire', // the URL SignalWire calls and signs
 *   actions: ['menu'] as const,
 * });
 * calls.on('voice', () =>
 *   signalwire.response(
 *     signalwire.gather(
 *       { numDigits: 1, action: calls.actionUrl('menu') },
 *       signalwire.say('Press 1 for sales.'),
 *     ),
 *   ),
 * );
 * calls.action('menu', (result) =>
 *   result.name === 'gather' && result.digits === '1'
 *     ? signalwire.response(signalwire.dial('+15551230000'))
 *     : signalwire.response(signalwire.hangup()),
 * );
 *
 * const app = express();
 * app.use('/signalwire', calls.express());
 * app.listen(3000);
 * ```
 *
 * @module
 */
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import { commonAppOptions, type CommonAppOptions } from '../../core/options';
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
import { isTwimlAnswer, renderTwiml, twimlBuilders, type TwimlAnswer } from '../twiml/builders';
import { twimlRequestFields } from '../twiml/requests';
import {
  SIGNALWIRE_ANSWERED_EVENTS,
  SIGNALWIRE_EVENTS,
  signalwireEventOf,
  type SignalwireAmdStatus,
  type SignalwireDialResult,
  type SignalwireEvent,
  type SignalwireEventName,
  type SignalwireFallbackRequest,
  type SignalwireGatherResult,
  type SignalwireRecordingStatus,
  type SignalwireRecordResult,
  type SignalwireStatusCallback,
  type SignalwireVoiceRequest,
} from './events';
import { createSignalwireSignatureCheck } from './verify';

export * from './events';
export * from './simulate';
export * from './verify';
export { actionRef } from '../twiml/builders';

/**
 * The cXML builders (spec §5.2): one per verb and noun cXML has, every attribute a typed
 * camelCase option, checked when built (`CC_ERR_ANSWER_INVALID` naming builder and option).
 * Answers carry `provider: 'signalwire'`.
 */
export const cxml = twimlBuilders('signalwire', 'signalwire');

/** The cXML builders one by one, see {@link cxml}: `signalwire.response(signalwire.say('Hi'))`. */
export const {
  response,
  say,
  play,
  pause,
  gather,
  dial,
  record,
  hangup,
  reject,
  redirect,
  enqueue,
  leave,
  refer,
  connect,
  start,
  stop,
  pay,
  prompt,
  sms,
  echo,
  denoise,
  number,
  sip,
  conference,
  queue,
  verto,
  parameter,
  room,
  stream,
  virtualAgent,
} = cxml;

/** What a SignalWire handler returns: a cXML `<Response>` or a list of verbs (spec §5.1). */
export type SignalwireAnswer = TwimlAnswer<'signalwire'>;

/** An answer or `null` (the neutral `<Response/>`). */
type Answer = SignalwireAnswer | null;

/**
 * cXML's request kinds with what their handlers may return: the voice request and the action
 * requests are answered with cXML; status and recording callbacks only need a 200 (spec §1
 * "Answer"), so their handlers' return values are ignored.
 */
export type SignalwireEventMap = {
  voice: { event: SignalwireVoiceRequest; answer: Answer };
  'status-callback': { event: SignalwireStatusCallback; answer: unknown };
  gather: { event: SignalwireGatherResult; answer: Answer };
  dial: { event: SignalwireDialResult; answer: Answer };
  record: { event: SignalwireRecordResult; answer: Answer };
  'recording-status': { event: SignalwireRecordingStatus; answer: unknown };
  'amd-status': { event: SignalwireAmdStatus; answer: unknown };
  fallback: { event: SignalwireFallbackRequest; answer: Answer };
};

/** What an action handler gets: any cXML request sent to `<mount>/actions/<name>`. */
export type SignalwireActionRequest = SignalwireEvent & { readonly action: string };

/**
 * A SignalWire cXML app with the declared action names `A`: `on('voice', …)`,
 * `action('menu', …)`, then `app.use('/signalwire', calls.express())`.
 */
export type SignalwireApp<A extends string = never> = TwimlApp<
  SignalwireEventMap,
  SignalwireEvent,
  SignalwireAnswer,
  A,
  SignalwireActionRequest
>;

/** Options of {@link createApp}. */
export interface SignalwireAppOptions<A extends string = never>
  extends CommonSecurityOptions, CommonAppOptions<SignalwireAnswer, SignalwireEventName> {
  /**
   * The project's Signing Key (spec §3.1 "Key": API Credentials → Signing Key, `PSK_…`; not the
   * API token), or several while a key is reset (spec §8.12). Requests must carry a valid
   * `X-SignalWire-Signature` or `X-Twilio-Signature` over the public URL SignalWire called and
   * the parameters; others get 403. Give `publicUrl` (or `trustProxy`) when the app is reached
   * through a proxy or tunnel.
   *
   * Without it `createApp` throws unless `basicAuth`, `urlToken`, `allowFrom` or
   * `allowUnauthenticated: true` is given.
   */
  readonly signingKey?: string | readonly string[] | undefined;
  /**
   * The names of the app's action handlers (`['menu', 'dialed'] as const`): requests to
   * `<mount>/actions/<name>` go to the handler registered with `calls.action(name, …)`, and
   * `calls.actionUrl(name)` stands for that URL in any URL-valued attribute. A declared name
   * without a handler is a `TypeError` when the app is mounted.
   */
  readonly actions?: readonly A[] | undefined;
  /**
   * The answer when a handler throws, returns a non-answer or misses its deadline. Default: the
   * empty `<Response/>`. It cannot refer to actions.
   */
  readonly fallback?: SignalwireAnswer | undefined;
  /**
   * Answer deadline in **milliseconds**. Default 3000: SignalWire stops reading after 5 seconds
   * and does not retry cXML requests (spec §4).
   */
  readonly timeoutMs?: number | undefined;
}

/**
 * The SignalWire provider as the core sees it, for an app with the declared `actions` (spec §1:
 * GET or POST; §2.6 kinds; §4 delivery; §5 answers).
 */
export function signalwireProvider(
  actions: readonly string[] = [],
): ProviderDefinition<SignalwireEvent, SignalwireAnswer> {
  const actionKeys = new Set(actions.map(actionEventName));
  return {
    name: 'signalwire',
    methods: ['GET', 'POST'],
    events: SIGNALWIRE_EVENTS,
    acceptsEventName: (name) => actionKeys.has(name),
    routingKeys: (event) =>
      event.action === undefined ? [event.name] : [actionEventName(event.action), event.name],
    answeredEvents: SIGNALWIRE_ANSWERED_EVENTS,
    credentialOptions: ['signingKey', 'basicAuth', 'urlToken', 'allowFrom'],
    defaultTimeoutMs: 3000,
    // No delivery id is documented (spec §4): the core keys a delivery on its method, path,
    // query and body, all of which the signature covers. The same digits typed again, the same
    // redirect: an identical request that is a new step of the call.
    repeatableEvents: SIGNALWIRE_ANSWERED_EVENTS,
    isCallEnd: (event) => event.name === 'status-callback' && event.statusEvent === 'completed',
    parse: (request, context) => parseSignalwireRequest(request, context, actions),
    isAnswer: (value): value is SignalwireAnswer => isTwimlAnswer(value, 'signalwire'),
    render: (answer, event) =>
      renderTwiml(answer, { resolveAction: actionResolver(event, actions) }),
  };
}

/**
 * Parses a cXML request: a GET's query or a POST's form body (spec §1 "Parameters"), sent to
 * the mount or to `<mount>/actions/<name>` of a declared action.
 *
 * @throws {CallControlError} 415 for a POST body that is not a form, 400 for bytes that are not
 *   UTF-8, a number field that is not a number, or an undeclared action path; 413 above 1000
 *   fields
 */
export function parseSignalwireRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
  declaredActions: readonly string[] = [],
): SignalwireEvent {
  const action = actionOfPath(request.path, declaredActions);
  const fields = twimlRequestFields(request);
  const event = signalwireEventOf(fields, {
    action,
    actionQuery:
      action === undefined || request.method === 'GET' ? {} : actionQueryOf(request.query),
  });
  const publicUrl = context.publicUrl?.();
  if (publicUrl !== undefined) rememberMountUrl(event, mountUrlOf(publicUrl, request.path));
  return event;
}

/**
 * Creates a SignalWire cXML webhook app.
 *
 * Requests are checked in the core's order (docs/security.md, "Order of checks"): limits,
 * method (405), source address, basic auth, URL token, then the signature (403
 * `CC_ERR_SIGNATURE_MISSING` or `CC_ERR_SIGNATURE_INVALID`, whose log line names the URL checked
 * and the header), content type (415), body (400), fields.
 *
 * @throws {TypeError} without `signingKey`, `basicAuth`, `urlToken` or `allowFrom`, unless
 *   `allowUnauthenticated: true`
 * @throws {TypeError} for invalid options: an empty signing key, bad action names, a fallback
 *   not built with the cXML builders, an invalid `publicUrl`
 */
export function createApp<const A extends string = never>(
  options: SignalwireAppOptions<A> = {},
): SignalwireApp<A> {
  const actions = checkActionNames(options.actions);
  const authenticators = commonAuthenticators(options);
  if (options.signingKey !== undefined) {
    authenticators.push(createSignalwireSignatureCheck(options.signingKey));
  }
  return new TwimlApp(
    signalwireProvider(actions),
    { ...commonAppOptions(options), authenticators },
    actions as readonly A[],
  );
}
