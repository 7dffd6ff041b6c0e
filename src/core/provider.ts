/**
 * The provider contract: what a provider folder (`src/providers/<name>/`) tells the core about
 * itself — methods, events, parser, answer check and renderer, signature, once-per-call events.
 * The core's pipeline (`app.ts`) knows providers only through this.
 *
 * @module
 */
import type { RequestUrlContext, WebhookEvent, WebhookRequest } from './types';

/**
 * What a provider tells the core about itself. One per provider folder (`providers/<name>/`).
 *
 * @typeParam TEvent - union of every event the provider's parser returns
 * @typeParam TAnswer - the provider's answer type, built by its builders
 */
export interface ProviderDefinition<TEvent extends WebhookEvent, TAnswer> {
  /** Provider id, e.g. `'placetel'`. */
  readonly name: string;
  /** HTTP methods the provider sends; others get 405. Upper-case. */
  readonly methods: readonly string[];
  /** The event names `on()` accepts. */
  readonly events: readonly string[];
  /**
   * Names `on()` accepts beyond `events`: qualified names such as Opentact's
   * `call_state:hangup`, which a provider's {@link ProviderDefinition.routingKeys} produces.
   */
  acceptsEventName?(name: string): boolean;
  /**
   * The names a handler may be registered under for `event`, most specific first, e.g.
   * `['call_state:hangup', 'call_state']`: the first with a handler answers. Default:
   * `[event.name]`.
   */
  routingKeys?(event: TEvent): readonly string[];
  /**
   * The events whose answer the provider executes. For the others (notify-only events) a
   * handler's return value is ignored and the neutral answer goes out, so a handler such as
   * `(e) => saveToDb(e)` is fine there. A handler of an answered event returns an answer, or
   * `null` for the neutral answer; `undefined` (a handler that forgot its `return`, in
   * JavaScript) also gets the neutral answer, with a warning line.
   */
  readonly answeredEvents: readonly string[];
  /**
   * The options of the provider's `createApp` that authenticate requests, named in the
   * `TypeError` an app without any of them throws, e.g. `['urlToken', 'basicAuth',
   * 'allowFrom']`. Default: `['authenticators']`.
   */
  readonly credentialOptions?: readonly string[];
  /**
   * Turns a request into a typed event. `context.routedEvent` is the event name the app's
   * `eventPaths` give the request's path, for providers whose requests do not name their event.
   * @throws {CallControlError} 4xx for a request that cannot be read
   */
  parse(request: WebhookRequest, context: ParseContext): TEvent;
  /** Whether a handler's return value is an answer of this provider. */
  isAnswer(value: unknown): value is TAnswer;
  /**
   * Renders an answer (`undefined`: the neutral answer) as an XML document. `event` is the event
   * answered (absent for the fallback, rendered once when the app is created), so a provider
   * can check that the answer fits it.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that does not fit the event
   */
  render(answer: TAnswer | undefined, event?: TEvent): string;
  /** The provider's answer deadline in **milliseconds** (default `DEFAULT_TIMEOUT_MS` of `options.ts`, 5000). */
  readonly defaultTimeoutMs?: number;
  /**
   * Events whose identical repetition can be a new event rather than a retry — digits typed
   * again, an IVR that loops, a call going on hold twice — and are therefore never answered
   * from the store. (Events without a call id are never either: two calls could send the same
   * request.)
   */
  readonly repeatableEvents?: readonly string[];
  /**
   * The delivery's own id, when the provider sends one that its retries repeat (Twilio's
   * `I-Twilio-Idempotency-Token` header); `undefined` when the request has none. With an id,
   * duplicate detection keys the delivery on the id alone (also for `repeatableEvents`, whose
   * new occurrences get new ids); without, on the request's contents as usual.
   */
  deliveryId?(request: WebhookRequest, event: TEvent): string | undefined;
  /**
   * Whether `event` ends its call (Placetel `HungUp`, Opentact `call_state` `destroyed`…): the
   * call's session then lives only `endedSessionTtlMs` more.
   */
  isCallEnd?(event: TEvent): boolean;
  /**
   * The provider's request signature, when it signs its requests: the header it sends it in
   * (lower-case, e.g. Placetel's `'x-placetel-signature'`), always redacted in what `onError`
   * gets, and what it covers. `covers: 'body'` (Placetel: an HMAC of the body bytes, nothing
   * else): duplicate detection then keys a delivery on provider, event, call id and body only,
   * so that a signed request sent again with another method, path or query — which nobody
   * signs — is still the same delivery. Default: none (the key also holds method, path and
   * query, where unsigned providers put their fields and `eventPaths` their event).
   */
  readonly signature?: { readonly header: string; readonly covers: 'body' } | undefined;
  /**
   * Events a call has at most once (Placetel's `IncomingCall`, `OutgoingCall`, `HungUp`). With
   * duplicate detection on, the core remembers per call which of them it answered and whether
   * the call ended (`isCallEnd`), for the session TTL; a new delivery of one of them for a call
   * that already had it, or that has ended, is a replay: refused with `CC_ERR_EVENT_REPLAYED`
   * (409), its handler not run. Repetitions within the duplicate TTL still get the stored reply.
   * Costs one store read per delivery of these events and one write once it was answered.
   * Default: none (nothing remembered, nothing refused).
   */
  readonly oncePerCall?: readonly string[] | undefined;
}

/**
 * What the core tells a provider's parser beside the request: the event `eventPaths` assign,
 * and the request's public URL as received, for providers that sign the URL. (The app's checks,
 * `Authenticator`s, get `publicUrl` too, as their second argument.)
 */
export interface ParseContext extends RequestUrlContext {
  /** The event name `eventPaths` assign to the request's path; `undefined` when none does. */
  readonly routedEvent: string | undefined;
}
