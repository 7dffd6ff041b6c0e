/**
 * Ozeki Phone System: HTTP API notifications, OzML answers, and the outbound command API.
 *
 * Spec: `docs/providers/ozeki.md`; upstream: https://ozekiphone.com/p_4201-notifications-of-ozeki-phone-system-pbx-http-api.html
 * and https://ozekiphone.com/p_4254-reference-book-of-ozml-the-xml-language-of-ozeki.html
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { ozeki } from 'callcontrol';
 *
 * const calls = ozeki.createApp({ urlToken: { tokens: process.env.OZEKI_TOKEN! } });
 * calls.on('IncomingCall', () => [
 *   ozeki.userInput({
 *     digits: 4,
 *     timeout: 10,
 *     forwardToUrl: `https://example.com/ozeki?token=${process.env.OZEKI_TOKEN}`,
 *     initialCommands: [ozeki.speak('Please enter your 4-digit PIN.')],
 *   }),
 * ]);
 * calls.on('DtmfEntered', (call) =>
 *   call.dtmfDigits === '1234' ? [ozeki.blindTransfer('1001')] : [ozeki.speak('Goodbye.'), ozeki.hangup()],
 * );
 *
 * const app = express();
 * app.use('/ozeki', calls.express());
 * ```
 *
 * @module
 */
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import { commonAppOptions, type CommonAppOptions } from '../../core/options';
import type { ProviderDefinition } from '../../core/provider';
import { createCallControlApp, type CallControlApp } from '../../adapters/app';
import {
  OZEKI_EVENTS,
  parseOzekiRequest,
  type OzekiEventName,
  type OzekiCallChanged,
  type OzekiCallConnected,
  type OzekiCallError,
  type OzekiCallFinished,
  type OzekiDtmfEntered,
  type OzekiEvent,
  type OzekiGoTo,
  type OzekiIncomingCall,
  type OzekiIncomingSms,
  type OzekiRecordCompleted,
  type OzekiRoutingInterception,
  type OzekiSmsDeliveryReport,
  type OzekiUnknownEvent,
} from './events';
import {
  isOzmlAnswer,
  OzmlResponse,
  renderOzml,
  type OzmlAnswer,
  type OzmlControl,
  type OzmlRenderOptions,
} from './ozml';

export * from './client';
export * from './events';
export * from './ozml';
export * from './simulate';

/**
 * What an Ozeki handler returns — Ozeki executes the answer to every notification: OzML, or
 * `null` for no action. `null` answers the empty `<Response/>`: for a call, its OzML ends
 * there and Ozeki hangs up ("if the OzML code of the call reaches its end, it hangs up", spec
 * §4) — after `CallFinished`, `CallError` or an SMS notification there is no call to hang up;
 * for `RoutingInterception` the dial plan routes the call. A handler that can end without
 * returning does not compile; in JavaScript, `undefined` gets the same `<Response/>` and a
 * warning line (logger, else stderr).
 */
export type OzekiHandlerAnswer = OzmlAnswer | null;

/**
 * Ozeki's notifications with what their handlers may return. Every notification accepts OzML
 * (spec §3.1): API-extension control for most, third-party control for `CallChanged` and
 * `RecordCompleted`, and a `<Route>` for `RoutingInterception`.
 */
export type OzekiEventMap = {
  IncomingCall: { event: OzekiIncomingCall; answer: OzekiHandlerAnswer };
  CallConnected: { event: OzekiCallConnected; answer: OzekiHandlerAnswer };
  DtmfEntered: { event: OzekiDtmfEntered; answer: OzekiHandlerAnswer };
  CallChanged: { event: OzekiCallChanged; answer: OzekiHandlerAnswer };
  RecordCompleted: { event: OzekiRecordCompleted; answer: OzekiHandlerAnswer };
  RoutingInterception: { event: OzekiRoutingInterception; answer: OzekiHandlerAnswer };
  GoTo: { event: OzekiGoTo; answer: OzekiHandlerAnswer };
  IncomingSMS: { event: OzekiIncomingSms; answer: OzekiHandlerAnswer };
  SMSDeliveryReport: { event: OzekiSmsDeliveryReport; answer: OzekiHandlerAnswer };
  CallError: { event: OzekiCallError; answer: OzekiHandlerAnswer };
  CallFinished: { event: OzekiCallFinished; answer: OzekiHandlerAnswer };
};

/** An Ozeki webhook app: `on('IncomingCall', …)`, then `app.use('/ozeki', calls.express())`. */
export type OzekiApp = CallControlApp<OzekiEventMap, OzekiEvent | OzekiUnknownEvent, OzmlAnswer>;

/**
 * The OzML context each notification's answer runs in (spec §3.1, §4): third-party control for
 * `CallChanged` and `RecordCompleted`, routing for `RoutingInterception`, API-extension control
 * for the rest.
 */
export function ozmlControlFor(eventName: string): OzmlControl {
  if (eventName === 'CallChanged' || eventName === 'RecordCompleted') return 'thirdParty';
  if (eventName === 'RoutingInterception') return 'routing';
  return 'extension';
}

/** Options of {@link createApp}. */
export interface OzekiAppOptions
  extends CommonSecurityOptions, CommonAppOptions<OzmlAnswer, OzekiEventName> {
  /**
   * The answer when a handler throws or returns something else than OzML. Default: the empty
   * `<Response/>` — for a call Ozeki then hangs up ("if the OzML code of the call reaches its
   * end, it hangs up", spec §4); for `RoutingInterception` the dial plan routes the call.
   */
  readonly fallback?: OzmlAnswer | undefined;
  /** Answer deadline in **milliseconds**. Default 5000 (Ozeki documents no timeout). */
  readonly timeoutMs?: number | undefined;
  /**
   * Which event a path receives when the request names none: the `ErrorUrl` and `FinishedUrl`
   * of a `Call` command, e.g. `{ '/error': 'CallError', '/finished': 'CallFinished' }` for
   * `https://host/ozeki/error`. A `NotificationName` in the request wins.
   */
  readonly eventPaths?: Readonly<Partial<Record<string, (typeof OZEKI_EVENTS)[number]>>>;
  /** How answers are written, see {@link OzmlRenderOptions}. Default: PascalCase, with prolog. */
  readonly render?: OzmlRenderOptions | undefined;
}

/**
 * The Ozeki provider as the core sees it, rendering with `render` (spec §1: notifications are
 * POSTs; GET is accepted too, with the fields in the query).
 */
export function ozekiProvider(
  render: OzmlRenderOptions = {},
): ProviderDefinition<OzekiEvent | OzekiUnknownEvent, OzmlAnswer> {
  return {
    name: 'ozeki',
    methods: ['POST', 'GET'],
    events: OZEKI_EVENTS,
    answeredEvents: OZEKI_EVENTS,
    credentialOptions: ['urlToken', 'basicAuth', 'allowFrom'],
    parse: parseOzekiRequest,
    defaultTimeoutMs: 5000,
    // The same digits typed again, a GoTo fetched again, a call on hold a second time.
    repeatableEvents: ['DtmfEntered', 'GoTo', 'CallChanged'],
    isCallEnd: (event) =>
      event.name === 'CallFinished' ||
      event.name === 'CallError' ||
      (event.name === 'CallChanged' &&
        'callState' in event &&
        ['Completed', 'Cancelled', 'Busy', 'Error'].includes(String(event.callState))),
    isAnswer: isOzmlAnswer,
    render: (answer, event) => {
      if (event === undefined) return renderOzml(answer, undefined, render);
      const control = ozmlControlFor(event.name);
      // A recording started by API-extension OzML also reports RecordCompleted (spec §3.1 lists
      // it in both groups): an answer built explicitly for API-extension control is accepted.
      const explicitExtension =
        event.name === 'RecordCompleted' &&
        answer instanceof OzmlResponse &&
        answer.control === 'extension';
      return renderOzml(answer, explicitExtension ? 'extension' : control, render);
    },
  };
}

/**
 * Creates an Ozeki webhook app.
 *
 * Ozeki does not sign its notifications: protect the endpoint with `urlToken` (a secret in the
 * notification URLs you configure), `allowFrom` (the PBX's address; Ozeki's own API offers the
 * same lists, spec §1) and/or `basicAuth`. Requests are checked in this order (docs/security.md,
 * "Order of checks"): headers (431) and body (413, 408; 415 for a `Content-Encoding`) as the
 * adapter reads them, then method (405), source address (403), basic auth (401), URL token
 * (403), content type (415), body and query text (400 for bytes that are not UTF-8, raw or
 * percent-encoded), fields (413 above 1000, 400).
 *
 * Each answer is checked against the context of the notification it answers (see
 * {@link ozmlControlFor}); one that does not fit gets the fallback, and `onError` the reason.
 *
 * @throws {TypeError} when none of `urlToken`, `basicAuth`, `allowFrom` is given and not
 *   `allowUnauthenticated: true`
 * @throws {TypeError} for invalid options (see {@link CommonSecurityOptions}, a fallback that is
 *   not OzML, a non-positive body limit, an `eventPaths` entry naming no Ozeki event)
 */
export function createApp(options: OzekiAppOptions = {}): OzekiApp {
  const eventPaths: Record<string, string> = {};
  for (const [path, name] of Object.entries(options.eventPaths ?? {})) {
    if (name !== undefined) eventPaths[path] = name;
  }
  return createCallControlApp(ozekiProvider(options.render), {
    ...commonAppOptions(options),
    authenticators: commonAuthenticators(options),
    eventPaths,
  });
}
