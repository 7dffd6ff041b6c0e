/**
 * sipgate.io Push API: typed events, answer builders, signature checks.
 *
 * Spec: `docs/providers/sipgate.md`; upstream: https://developer.sipgate.io/push-api/api-reference/
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { sipgate } from 'callcontrol';
 *
 * const url = 'https://example.com/sipgate';
 * const calls = sipgate.createApp(); // verifies X-Sipgate-Signature with sipgate's published key
 * calls.on('newCall', (call) =>
 *   call.from === 'anonymous'
 *     ? sipgate.reject({ reason: 'busy' })
 *     : sipgate.response({
 *         onAnswer: url,
 *         onHangup: url,
 *         action: sipgate.dial({ numbers: ['4915799912345'] }),
 *       }),
 * );
 * calls.on('hangup', (call) => console.log(call.callId, call.cause));
 *
 * const app = express();
 * app.use('/sipgate', calls.express());
 * app.listen(3000);
 * ```
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { commonAppOptions, type CommonAppOptions, type ProviderDefinition } from '../../core/app';
import { createCallControlApp, type CallControlApp } from '../../adapters/app';
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import {
  SIPGATE_EVENTS,
  parseSipgateRequest,
  type SipgateAnswerEvent,
  type SipgateDtmf,
  type SipgateEvent,
  type SipgateEventName,
  type SipgateHangup,
  type SipgateNewCall,
  type SipgateUnknownEvent,
} from './events';
import { isSipgateAnswer, renderSipgateResponse, type SipgateAnswer } from './responses';
import { createSipgateSignatureCheck, SIPGATE_SIGNATURE_HEADER } from './verify';
import { rememberSipgateMountUrl } from './flow';

export * from './events';
export * from './responses';
export * from './simulate';
export * from './verify';

/**
 * sipgate.io's events with what their handlers may return: `newCall` and `dtmf` are answered
 * with an answer (spec §4.7); sipgate discards the answers to `answer` and `hangup`, so their
 * handlers' return values are ignored and `<Response/>` goes out.
 *
 * A `newCall` or `dtmf` handler returns an answer on every path, or `null` for no instruction:
 * the empty `<Response/>` goes out and sipgate handles the call as configured.
 */
export type SipgateEventMap = {
  // The brand first, so that another provider's answer is reported as a wrong `provider`.
  newCall: {
    event: SipgateNewCall;
    answer: ({ readonly provider: 'sipgate' } & SipgateAnswer) | null;
  };
  answer: { event: SipgateAnswerEvent; answer: unknown };
  hangup: { event: SipgateHangup; answer: unknown };
  dtmf: { event: SipgateDtmf; answer: ({ readonly provider: 'sipgate' } & SipgateAnswer) | null };
};

/** A sipgate.io webhook app: `on('newCall', …)`, then `app.use('/sipgate', calls.express())`. */
export type SipgateApp = CallControlApp<
  SipgateEventMap,
  SipgateEvent | SipgateUnknownEvent,
  SipgateAnswer
>;

/** Options of {@link createApp}. */
export interface SipgateAppOptions
  extends CommonSecurityOptions, CommonAppOptions<SipgateAnswer, SipgateEventName> {
  /**
   * The RSA public key `X-Sipgate-Signature` is checked with (RSASSA-PKCS1-v1_5, SHA-256, over
   * the raw body; spec §3.1), as PEM or `KeyObject`. Default: sipgate's published key
   * (`SIPGATE_PUBLIC_KEY`), so that every app verifies unless told otherwise. Give your own
   * key to test or simulate with a key pair of yours. Unsigned or wrongly signed requests get
   * 403.
   *
   * `false`: no signature check (for pushes from before sipgate signed them) — and then
   * `createApp` throws unless `basicAuth`, `urlToken`, `allowFrom` or
   * `allowUnauthenticated: true` is given.
   */
  readonly publicKey?: string | KeyObject | false | undefined;
  /**
   * The answer when a handler throws, returns a non-answer or misses its deadline. Default: the
   * empty `<Response/>` (sipgate then handles the call as configured).
   */
  readonly fallback?: SipgateAnswer | undefined;
  /**
   * Answer deadline in **milliseconds**. Default 3000: sipgate waits 10 s, a budget that a
   * Basic-auth round trip and proxies share (spec §3.3, §5), and customers report trouble from
   * about 4 s.
   */
  readonly timeoutMs?: number | undefined;
}

/** The sipgate.io provider as the core sees it (spec §1: POST only; §2 events; §4 answers). */
export const sipgateProvider: ProviderDefinition<
  SipgateEvent | SipgateUnknownEvent,
  SipgateAnswer
> = {
  name: 'sipgate',
  methods: ['POST'],
  events: SIPGATE_EVENTS,
  answeredEvents: ['newCall', 'dtmf'],
  credentialOptions: ['publicKey', 'basicAuth', 'urlToken', 'allowFrom'],
  defaultTimeoutMs: 3000,
  isCallEnd: (event) => event.name === 'hangup',
  // Spec §3.1: an RSA signature of the body and of nothing else (no timestamp, URL or method).
  signature: { header: SIPGATE_SIGNATURE_HEADER, covers: 'body' },
  // A call leg starts once and hangs up once (spec §2.4: a transfer or forwarding is a new
  // leg with a new callId). `answer` is left out: nothing says it comes once.
  oncePerCall: ['newCall', 'hangup'],
  // The same keys may be entered again in a multi-step menu: the same body, a new event.
  repeatableEvents: ['dtmf'],
  // The mount URL is remembered for the URLs a provider-neutral flow's answer names (flow.ts).
  parse: (request, context) => {
    const event = parseSipgateRequest(request, context);
    rememberSipgateMountUrl(event, context.publicUrl(), request.path);
    return event;
  },
  isAnswer: isSipgateAnswer,
  render: renderSipgateResponse,
};

/**
 * Creates a sipgate.io webhook app.
 *
 * Requests are checked in the core's order (docs/security.md, "Order of checks"): headers and
 * body limits, method (405), source address (403, with `allowFrom`), basic auth (401), URL token
 * (403), signature (403, `CC_ERR_SIGNATURE_MISSING` or `CC_ERR_SIGNATURE_INVALID`), content type
 * (415), body text (400), fields (413, 400), and a replayed `newCall` or `hangup` (409, with
 * duplicate detection on). The signature check is on by default with sipgate's published key.
 *
 * @throws {TypeError} when `publicKey: false` and none of `basicAuth`, `urlToken`, `allowFrom`
 *   is given, and not `allowUnauthenticated: true`
 * @throws {TypeError} for invalid options: a `publicKey` that is not an RSA public key, empty
 *   basic-auth credentials, a short URL token, an invalid address range, a fallback not built
 *   with the sipgate builders, a non-positive body limit
 */
export function createApp(options: SipgateAppOptions = {}): SipgateApp {
  const authenticators = commonAuthenticators(options);
  if (options.publicKey !== false) {
    authenticators.push(createSipgateSignatureCheck(options.publicKey));
  }
  return createCallControlApp(sipgateProvider, { ...commonAppOptions(options), authenticators });
}
