/**
 * Placetel Call Control / Notify API: typed events, answer builders, signature checks.
 *
 * Spec: `docs/providers/placetel.md`; upstream: https://github.com/Placetel/call-control-notify-api
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { placetel } from 'callcontrol';
 *
 * const calls = placetel.createApp({ secret: process.env.PLACETEL_SECRET });
 * calls.on('IncomingCall', (call) =>
 *   call.from === 'anonymous'
 *     ? placetel.reject({ reason: 'busy' })
 *     : placetel.forward({ targets: [{ ringtime: 30, numbers: ['022129191999'] }] }),
 * );
 * calls.on('HungUp', (call) => console.log(call.callId, call.type, call.duration));
 *
 * const app = express();
 * app.use('/placetel', calls.express());
 * app.listen(3000);
 * ```
 *
 * @module
 */
import { commonAppOptions, type CommonAppOptions } from '../../core/options';
import type { ProviderDefinition } from '../../core/provider';
import { createCallControlApp, type CallControlApp } from '../../adapters/app';
import { commonAuthenticators, type CommonSecurityOptions } from '../../core/auth';
import {
  PLACETEL_EVENTS,
  parsePlacetelRequest,
  type PlacetelEventName,
  type PlacetelCallAccepted,
  type PlacetelEvent,
  type PlacetelHungUp,
  type PlacetelIncomingCall,
  type PlacetelOutgoingCall,
  type PlacetelUnknownEvent,
} from './events';
import { isPlacetelAnswer, renderPlacetelResponse, type PlacetelAnswer } from './responses';
import {
  createPlacetelSignatureCheck,
  normalizeSecrets,
  PLACETEL_SIGNATURE_HEADER,
} from './verify';

export * from './events';
export * from './responses';
export * from './simulate';
export * from './verify';

/**
 * Placetel's events with what their handlers may return: only `IncomingCall` is answered
 * with an action; Placetel ignores the answer to the notify-only events (spec §3), so their
 * handlers' return values are ignored and `<Response/>` goes out.
 *
 * An `IncomingCall` handler returns an answer on every path, or `null` for no action: the
 * empty `<Response/>` goes out and Placetel routes the call by the number's backup routing
 * plan (its own settings in Placetel's portal), as it does when the app fails. A handler that
 * can end without returning does not compile; in JavaScript, `undefined` gets the same
 * `<Response/>` and a warning line (logger, else stderr).
 */
export type PlacetelEventMap = {
  // The brand first, so that another provider's verb is reported as a wrong `provider`, not as
  // the properties of PlacetelAnswer it lacks.
  IncomingCall: {
    event: PlacetelIncomingCall;
    answer: ({ readonly provider: 'placetel' } & PlacetelAnswer) | null;
  };
  OutgoingCall: { event: PlacetelOutgoingCall; answer: unknown };
  CallAccepted: { event: PlacetelCallAccepted; answer: unknown };
  HungUp: { event: PlacetelHungUp; answer: unknown };
};

/** A Placetel webhook app: `on('IncomingCall', …)`, then `app.use('/placetel', calls.express())`. */
export type PlacetelApp = CallControlApp<
  PlacetelEventMap,
  PlacetelEvent | PlacetelUnknownEvent,
  PlacetelAnswer
>;

/** Options of {@link createApp}. */
export interface PlacetelAppOptions
  extends CommonSecurityOptions, CommonAppOptions<PlacetelAnswer, PlacetelEventName> {
  /**
   * Shared secret(s) for `X-PLACETEL-SIGNATURE` (HMAC-SHA256 over the raw body). When set,
   * unsigned or wrongly signed requests get 403. Several secrets are accepted during rotation.
   * `undefined`: no signature check — and then `createApp` throws unless `basicAuth`,
   * `urlToken`, `allowFrom` or `allowUnauthenticated: true` is given (so that
   * `process.env.PLACETEL_SECRET` unset stops the app instead of opening it).
   */
  readonly secret?: string | readonly string[] | undefined;
  /**
   * The answer when a handler throws, returns a non-answer or misses its deadline. Default: the
   * neutral, empty `<Response/>` (Placetel's own error handling and backup routing plan then
   * apply).
   */
  readonly fallback?: PlacetelAnswer | undefined;
  /**
   * Answer deadline in **milliseconds**. Default 3000: Placetel documents no timeout, retries up
   * to 10 times 100 ms apart, and a caller is waiting.
   */
  readonly timeoutMs?: number | undefined;
}

/** The Placetel provider as the core sees it (spec §1: POST only; §2 events; §3 answers). */
export const placetelProvider: ProviderDefinition<
  PlacetelEvent | PlacetelUnknownEvent,
  PlacetelAnswer
> = {
  name: 'placetel',
  methods: ['POST'],
  events: PLACETEL_EVENTS,
  answeredEvents: ['IncomingCall'],
  credentialOptions: ['secret', 'basicAuth', 'urlToken', 'allowFrom'],
  defaultTimeoutMs: 3000,
  isCallEnd: (event) => event.name === 'HungUp',
  // Spec §1: an HMAC-SHA256 of the body and of nothing else (no timestamp, URL or method).
  signature: { header: PLACETEL_SIGNATURE_HEADER, covers: 'body' },
  // A call starts once (IncomingCall or OutgoingCall) and hangs up once (the sequences of spec
  // §4.1, §4.2). CallAccepted is left out: nothing says a call cannot be accepted twice.
  oncePerCall: ['IncomingCall', 'OutgoingCall', 'HungUp'],
  parse: parsePlacetelRequest,
  isAnswer: isPlacetelAnswer,
  render: renderPlacetelResponse,
};

/**
 * Creates a Placetel webhook app.
 *
 * Requests are checked in this order (docs/security.md, "Order of checks"): headers (431) and
 * body (413 over `bodyLimitBytes`, 408; 415 for a `Content-Encoding`) as the adapter reads them,
 * then method (405), source address (403, with `allowFrom`), basic auth (401), URL token (403),
 * signature (403), content type (415), body text (400 for bytes that are not UTF-8, raw or
 * percent-encoded, or JSON that does not parse), fields (413 above 1000, 400), and a replayed
 * once-per-call event (409, with duplicate detection on). Placetel signs its requests, so `secret` is the check to use;
 * `basicAuth`, `urlToken` and `allowFrom` are there for setups that add them.
 *
 * @throws {TypeError} when no way to authenticate requests is given — none of `secret`,
 *   `basicAuth`, `urlToken`, `allowFrom` — and not `allowUnauthenticated: true` (e.g.
 *   `secret: process.env.PLACETEL_SECRET` with the variable unset)
 * @throws {TypeError} for invalid options: an empty secret, empty basic-auth credentials, a
 *   short URL token, an invalid address range, a fallback not built with the Placetel builders,
 *   a non-positive body limit
 */
export function createApp(options: PlacetelAppOptions = {}): PlacetelApp {
  const authenticators = commonAuthenticators(options);
  if (options.secret !== undefined) {
    authenticators.push(createPlacetelSignatureCheck(normalizeSecrets(options.secret)));
  }
  return createCallControlApp(placetelProvider, { ...commonAppOptions(options), authenticators });
}
