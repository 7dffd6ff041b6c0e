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
 * The cXML builders (spec §5.2): one per verb and noun cXML has, every attribute a typed
 * camelCase option, checked when built (`CC_ERR_ANSWER_INVALID` naming builder and option).
 * Answers carry `provider: 'signalwire'`.
 */
export const cxml = twimlBuilders('signalwire', 'signalwire');

/** `<Response>` holding the verbs in order (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const response = cxml.response;

/** `<Say>`: text spoken (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const say = cxml.say;

/** `<Play>`: an audio URL (or `digits`) (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const play = cxml.play;

/** `<Pause>`: silence, `length` in seconds (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const pause = cxml.pause;

/** `<Gather>`: collect digits or speech; its `action` gets them (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const gather = cxml.gather;

/** `<Dial>`: connect the call (text or nouns) (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const dial = cxml.dial;

/** `<Record>`: record the caller (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const record = cxml.record;

/** `<Hangup>`: end the call (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const hangup = cxml.hangup;

/** `<Reject>`: refuse the call unanswered (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const reject = cxml.reject;

/** `<Redirect>`: fetch the next document from a URL (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const redirect = cxml.redirect;

/** `<Enqueue>`: put the call into a queue (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const enqueue = cxml.enqueue;

/** `<Leave>`: leave the queue (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const leave = cxml.leave;

/** `<Refer>`: SIP REFER the call elsewhere (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const refer = cxml.refer;

/** `<Connect>`: connect the call to a stream or service (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const connect = cxml.connect;

/** `<Start>`: start something that runs beside the call (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const start = cxml.start;

/** `<Stop>`: stop what `<Start>` started (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const stop = cxml.stop;

/** `<Pay>`: collect a payment (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const pay = cxml.pay;

/** `<Prompt>` in `<Pay>`: what the caller hears for one step (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const prompt = cxml.prompt;

/** `<Sms>`: send a text message during the call (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const sms = cxml.sms;

/** `<Echo>`: repeat the caller's audio (a test) (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const echo = cxml.echo;

/** `<Denoise>`: noise reduction `on` or `off` (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const denoise = cxml.denoise;

/** `<Number>` in `<Dial>`: a phone number (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const number = cxml.number;

/** `<Sip>` in `<Dial>` or `<Refer>`: a SIP URI (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const sip = cxml.sip;

/** `<Conference>` in `<Dial>`: a conference room (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const conference = cxml.conference;

/** `<Queue>` in `<Dial>`: a queue to take a caller from (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const queue = cxml.queue;

/** `<Verto>` in `<Dial>`: a Verto endpoint (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const verto = cxml.verto;

/** `<Parameter>`: a name and value passed to a stream (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const parameter = cxml.parameter;

/** `<Room>` in `<Connect>`: a video room (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const room = cxml.room;

/** `<Stream>`: a media stream over WebSocket (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const stream = cxml.stream;

/** `<VirtualAgent>` in `<Connect>`: a Dialogflow agent (cXML builder, see {@link cxml}; docs/providers/signalwire.md §5.2). */
export const virtualAgent = cxml.virtualAgent;

/** What a SignalWire handler returns: a cXML `<Response>` or a list of verbs (spec §5.1). */
export type SignalwireAnswer = TwimlAnswer<'signalwire'>;

/**
 * cXML's request kinds with what their handlers may return: the voice request and the action
 * requests are answered with cXML; status and recording callbacks only need a 200 (spec §1
 * "Answer"), so their handlers' return values are ignored.
 */
export type SignalwireEventMap = {
  voice: { event: SignalwireVoiceRequest; answer: SignalwireAnswer | null };
  'status-callback': { event: SignalwireStatusCallback; answer: unknown };
  gather: { event: SignalwireGatherResult; answer: SignalwireAnswer | null };
  dial: { event: SignalwireDialResult; answer: SignalwireAnswer | null };
  record: { event: SignalwireRecordResult; answer: SignalwireAnswer | null };
  'recording-status': { event: SignalwireRecordingStatus; answer: unknown };
  'amd-status': { event: SignalwireAmdStatus; answer: unknown };
  fallback: { event: SignalwireFallbackRequest; answer: SignalwireAnswer | null };
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
