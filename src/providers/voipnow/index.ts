/**
 * 4PSA VoipNow: Call Events (Dial-In, Dial-Out, Hangup, Answer) and Call Interactive.
 *
 * Spec: `docs/providers/voipnow.md`; upstream: https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Events.html
 * and https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Interactive/Interactive-Response-Structure
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { voipnow } from 'callcontrol';
 *
 * const calls = voipnow.createApp({
 *   urlToken: { tokens: process.env.VOIPNOW_TOKEN! },
 *   eventPaths: { '/dial-in': 'Dial-In', '/hangup': 'Hangup', '/interactive': 'call_interactive' },
 * });
 * calls.on('call_interactive', (call) =>
 *   call.param('subscription') === '09897987'
 *     ? [voipnow.jump({ context: 'StartSupport', option: 1, priority: 1 })]
 *     : [voipnow.playSound('invalid-subscription'), voipnow.hangup()],
 * );
 * calls.on('Hangup', (call) => console.log(call.callId, call.callStatus));
 *
 * const app = express();
 * app.use('/voipnow', calls.express());
 * ```
 *
 * @module
 */
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import { commonAppOptions, type CommonAppOptions } from '../../core/options';
import type { ProviderDefinition } from '../../core/provider';
import { createCallControlApp, type CallControlApp } from '../../adapters/app';
import {
  VOIPNOW_EVENTS,
  parseVoipNowRequest,
  type VoipNowAnswerIn,
  type VoipNowAnswerOut,
  type VoipNowCallInteractive,
  type VoipNowDialIn,
  type VoipNowDialOut,
  type VoipNowEvent,
  type VoipNowEventName,
  type VoipNowHangup,
} from './events';
import { isVoipNowAnswer, renderVoipNowResponse, type VoipNowAnswer } from './responses';

export * from './events';
export * from './responses';
export * from './simulate';

/**
 * VoipNow's events with what their handlers may return: Call Events are notify only (their
 * handlers' return values are ignored, `<Response/>` goes out); `call_interactive` is answered
 * with VoipNow XML, or `null` for no action: the empty `<Response/>`, and the IVR goes on with
 * its next action. A `call_interactive` handler that can end without returning does not
 * compile; in JavaScript, `undefined` gets the same `<Response/>` and a warning line (logger,
 * else stderr).
 */
export type VoipNowEventMap = {
  'Dial-In': { event: VoipNowDialIn; answer: unknown };
  'Dial-Out': { event: VoipNowDialOut; answer: unknown };
  Hangup: { event: VoipNowHangup; answer: unknown };
  'Answer-In': { event: VoipNowAnswerIn; answer: unknown };
  'Answer-Out': { event: VoipNowAnswerOut; answer: unknown };
  call_interactive: { event: VoipNowCallInteractive; answer: VoipNowAnswer | null };
};

/** A VoipNow webhook app: `on('call_interactive', …)`, then `app.use('/voipnow', calls.express())`. */
export type VoipNowApp = CallControlApp<VoipNowEventMap, VoipNowEvent, VoipNowAnswer>;

/** Options of {@link createApp}. */
export interface VoipNowAppOptions
  extends CommonSecurityOptions, CommonAppOptions<VoipNowAnswer, VoipNowEventName> {
  /**
   * Which event each path receives, relative to where the app is mounted — one route per event,
   * as VoipNow is configured (each Call Event and the Call Interactive action has its own
   * Script URL), e.g. `{ '/dial-in': 'Dial-In', '/interactive': 'call_interactive' }`. Requests
   * to other paths are identified by their fields (see `inferVoipNowEvent`); the answer events
   * `Answer-In`/`Answer-Out` need a path.
   */
  readonly eventPaths?: Readonly<Record<string, VoipNowEventName>> | undefined;
  /**
   * The answer when a `call_interactive` handler throws or returns something else. Default: the
   * empty `<Response/>` (the IVR goes on with its next action).
   */
  readonly fallback?: VoipNowAnswer | undefined;
  /** Answer deadline in **milliseconds**. Default 5000 (VoipNow documents no timeout). */
  readonly timeoutMs?: number | undefined;
}

/** The VoipNow provider as the core sees it (spec §1: GET or POST, as configured). */
export const voipNowProvider: ProviderDefinition<VoipNowEvent, VoipNowAnswer> = {
  name: 'voipnow',
  methods: ['GET', 'POST'],
  events: VOIPNOW_EVENTS,
  answeredEvents: ['call_interactive'],
  credentialOptions: ['urlToken', 'basicAuth', 'allowFrom'],
  parse: parseVoipNowRequest,
  defaultTimeoutMs: 5000,
  // An IVR that loops calls the same Call Interactive URL with the same variables again.
  repeatableEvents: ['call_interactive'],
  isCallEnd: (event) => event.name === 'Hangup',
  isAnswer: isVoipNowAnswer,
  render: (answer) => renderVoipNowResponse(answer),
};

/**
 * Creates a VoipNow webhook app.
 *
 * VoipNow does not sign its requests: protect the endpoint with `urlToken` (a secret in the
 * Script URLs you configure), `allowFrom` (your VoipNow server's address) and/or `basicAuth`.
 * Requests are checked in this order (docs/security.md, "Order of checks"): headers (431) and
 * body (413, 408; 415 for a `Content-Encoding`) as the adapter reads them, then method (405),
 * source address (403), basic auth (401), URL token (403), content type (415), body and query
 * text (400 for bytes that are not UTF-8, raw or percent-encoded), fields (413 above 1000,
 * 400).
 *
 * @throws {TypeError} when none of `urlToken`, `basicAuth`, `allowFrom` is given and not
 *   `allowUnauthenticated: true`
 * @throws {TypeError} for invalid options (see `CommonSecurityOptions`, an `eventPaths` entry
 *   naming no VoipNow event, a fallback that is not VoipNow XML, a non-positive body limit)
 */
export function createApp(options: VoipNowAppOptions = {}): VoipNowApp {
  return createCallControlApp(voipNowProvider, {
    ...commonAppOptions(options),
    authenticators: commonAuthenticators(options),
    eventPaths: options.eventPaths,
  });
}
