/**
 * Opentact: SIP Control App call-flow requests, Gather follow-ups, event webhooks, Opentact XML,
 * and the asynchronous mode (push XML to a live call).
 *
 * Spec: `docs/providers/opentact.md`; upstream: https://doc.opentact.org/
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { opentact } from 'callcontrol';
 *
 * const calls = opentact.createApp({ urlToken: { tokens: process.env.OPENTACT_TOKEN! } });
 * calls.on('call_flow_request', () => [
 *   opentact.answer(),
 *   opentact.say('Thank you for calling.'),
 *   opentact.hangup(),
 * ]);
 * calls.on('call_state:hangup', (event) => console.log(event.callId, event.q850CauseString));
 *
 * const app = express();
 * app.use('/opentact', calls.express());
 * ```
 *
 * @module
 */
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import { commonAppOptions, type CommonAppOptions } from '../../core/options';
import type { ProviderDefinition } from '../../core/provider';
import { createCallControlApp, type CallControlApp } from '../../adapters/app';
import {
  OPENTACT_EVENTS,
  isOpentactQualifiedName,
  opentactRoutingKeys,
  parseOpentactRequest,
  type OpentactBalance,
  type OpentactCallFlowEvent,
  type OpentactCallFlowRequest,
  type OpentactCallStateEvent,
  type OpentactEvent,
  type OpentactEventName,
  type OpentactGather,
  type OpentactQualifiedEventName,
  type OpentactSms,
  type OpentactUnknownEvent,
} from './events';
import { isOpentactAnswer, renderOpentactResponse, type OpentactAnswer } from './xml';

export * from './client';
export * from './events';
export * from './simulate';
export * from './xml';

/**
 * What a `call_flow_request` or `gather` handler returns: an answer built with the builders,
 * or `null` for no action: the empty `<Response/>`, after which Opentact has nothing more to
 * run (it runs the enclosing `<Error>` block, if any, or ends the call flow). A handler that
 * can end without returning does not compile; in JavaScript, `undefined` gets the same
 * `<Response/>` and a warning line (logger, else stderr).
 */
export type OpentactHandlerAnswer = OpentactAnswer | null;

/**
 * Opentact's events with what their handlers may return: the call-flow request and Gather
 * follow-ups are answered with Opentact XML; the event webhooks are notify only (return values
 * ignored, `<Response/>` goes out). Qualified names (`call_state:hangup`, `call_flow:Dial`,
 * `sms:smsi`) take the same event as their plain name.
 */
export type OpentactEventMap = {
  call_flow_request: { event: OpentactCallFlowRequest; answer: OpentactHandlerAnswer };
  gather: { event: OpentactGather; answer: OpentactHandlerAnswer };
  call_state: { event: OpentactCallStateEvent; answer: unknown };
  call_flow: { event: OpentactCallFlowEvent; answer: unknown };
  sms: { event: OpentactSms; answer: unknown };
  balance: { event: OpentactBalance; answer: unknown };
} & {
  [K in Extract<OpentactQualifiedEventName, `call_state:${string}`>]: {
    event: OpentactCallStateEvent;
    answer: unknown;
  };
} & {
  [K in Extract<OpentactQualifiedEventName, `call_flow:${string}`>]: {
    event: OpentactCallFlowEvent;
    answer: unknown;
  };
} & {
  [K in Extract<OpentactQualifiedEventName, `sms:${string}`>]: {
    event: OpentactSms;
    answer: unknown;
  };
};

/** An Opentact webhook app: `on('call_flow_request', …)`, then `app.use('/opentact', calls.express())`. */
export type OpentactApp = CallControlApp<
  OpentactEventMap,
  OpentactEvent | OpentactUnknownEvent,
  OpentactAnswer
>;

/**
 * The subnet Opentact documents for its requests (spec §5: "make sure you whitelist the
 * following subnet(s): 72.21.26.35"). Pass it as `allowFrom` (with `trustProxy` when a proxy
 * is in front of the app).
 */
export const OPENTACT_SOURCE_ADDRESSES: readonly string[] = Object.freeze(['72.21.26.35']);

/** Options of {@link createApp}. */
export interface OpentactAppOptions
  extends CommonSecurityOptions, CommonAppOptions<OpentactAnswer, OpentactEventName> {
  /**
   * Which request a path receives, relative to where the app is mounted, e.g.
   * `{ '/callflow': 'call_flow_request', '/events': 'call_state' }`. Without it the kind is told
   * from the request (see `identifyOpentactRequest`).
   */
  readonly eventPaths?: Readonly<Record<string, OpentactEventName>> | undefined;
  /**
   * The answer when a handler throws or returns something else. Default: the empty
   * `<Response/>` (Opentact then runs the enclosing `<Error>` block, or ends the call flow).
   */
  readonly fallback?: OpentactAnswer | undefined;
  /**
   * Answer deadline in **milliseconds**. Default 5000, below the 10000 ms
   * `call_flow_request_timeout` Opentact's examples configure (spec §1).
   */
  readonly timeoutMs?: number | undefined;
}

/** The Opentact provider as the core sees it (spec §2.2: GET, or POST with JSON). */
export const opentactProvider: ProviderDefinition<
  OpentactEvent | OpentactUnknownEvent,
  OpentactAnswer
> = {
  name: 'opentact',
  methods: ['GET', 'POST'],
  events: OPENTACT_EVENTS,
  acceptsEventName: isOpentactQualifiedName,
  routingKeys: opentactRoutingKeys,
  answeredEvents: ['call_flow_request', 'gather'],
  credentialOptions: ['urlToken', 'basicAuth', 'allowFrom'],
  parse: parseOpentactRequest,
  defaultTimeoutMs: 5000,
  // The same digits entered at the same Gather again.
  repeatableEvents: ['gather'],
  isCallEnd: (event) =>
    event.name === 'call_state' && 'state' in event && event.state === 'destroyed',
  isAnswer: isOpentactAnswer,
  render: (answer) => renderOpentactResponse(answer),
};

/**
 * Creates an Opentact webhook app.
 *
 * Opentact does not sign its requests (spec §5): protect the endpoint with `urlToken` (its docs
 * put `?token=…` on the URLs, and Opentact keeps your query when it appends its own) and
 * `allowFrom: OPENTACT_SOURCE_ADDRESSES`. Requests are checked in this order (docs/security.md,
 * "Order of checks"): headers (431) and body (413, 408; 415 for a `Content-Encoding`) as the
 * adapter reads them, then method (405), source address (403), basic auth (401), URL token
 * (403), content type (415), body and query text (400 for JSON or UTF-8 that does not parse,
 * percent-encoded bytes included), fields (413 above 1000, 400).
 *
 * @throws {TypeError} when none of `urlToken`, `basicAuth`, `allowFrom` is given and not
 *   `allowUnauthenticated: true`
 * @throws {TypeError} for invalid options (see `CommonSecurityOptions`, an `eventPaths` entry
 *   naming no Opentact event, a fallback that is not Opentact XML, a non-positive body limit)
 */
export function createApp(options: OpentactAppOptions = {}): OpentactApp {
  return createCallControlApp(opentactProvider, {
    ...commonAppOptions(options),
    authenticators: commonAuthenticators(options),
    eventPaths: options.eventPaths,
  });
}
