/**
 * The plain shapes the core works on. Adapters (Express, and later `node:http` and Fetch)
 * convert to and from these; nothing in the core knows a web framework.
 *
 * @module
 */

/**
 * One HTTP request as the core sees it, after the adapter read the body.
 *
 * Header names are lower-case; a repeated header is joined with `', '` as Node does.
 */
export interface WebhookRequest {
  /** Upper-case HTTP method, e.g. `'POST'`. */
  readonly method: string;
  /** Path relative to where the app is mounted, without the query, e.g. `'/'`. */
  readonly path: string;
  /** The raw query string without the leading `?` (`''` when there is none). */
  readonly query: string;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The exact body bytes received (empty for a request without a body). */
  readonly body: Buffer;
  /** The peer address of the TCP connection, when the adapter knows it. */
  readonly remoteAddress?: string;
  /**
   * The scheme of the request as this server received it: `'https'` over a TLS socket, else
   * `'http'` (a proxy's `X-Forwarded-Proto` does not change it; see `requestPublicUrl`).
   * Filled by every adapter; absent in requests built by hand.
   */
  readonly scheme?: 'http' | 'https';
  /**
   * The authority the request names as received: its `Host` header (HTTP/1.1, RFC 9110 §7.2)
   * or `:authority` (HTTP/2), e.g. `'example.com'`, `'example.com:8443'`, `'[::1]:3000'`; for
   * the Fetch adapter the host of `request.url`. Not checked: a client may send anything here.
   * Filled by every adapter; absent when the request named none.
   */
  readonly host?: string;
  /**
   * The request target as received, from the server root: the full path (with the mount prefix
   * that `path` leaves out) and the query with its `?`, e.g. `'/hooks/twilio?token=x'` — Express's
   * `req.originalUrl`, Node's `req.url`, the path and query of the Fetch `request.url`.
   *
   * It holds the URL token as sent, while the URL-token check runs (the token's check hands on
   * the request with it replaced by `'[redacted]'`, as it takes the token out of `path` and
   * `query`). Filled by every adapter; absent in requests built by hand.
   */
  readonly originalUrl?: string;
}

/** One HTTP answer as the core produces it; the adapter writes it out unchanged. */
export interface WebhookReply {
  /** HTTP status code. */
  readonly status: number;
  /** Response headers; `content-type` and `content-length` are always set. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, UTF-8 encoded (its byte length is `content-length`). */
  readonly body: Buffer;
  /**
   * The same body as text, when the reply was made from text. Adapters write it rather than
   * `body`: Node then sends the header and a text body in one write instead of two.
   */
  readonly text?: string;
  /**
   * How the request was answered: `handled` (by a handler, or the neutral answer), `fallback`
   * (a handler failed or missed its deadline), `duplicate` (a repeated delivery got the stored
   * reply), `refused` (a coded 4xx).
   */
  readonly outcome?: 'handled' | 'fallback' | 'duplicate' | 'refused';
  /**
   * The error code behind a refusal (`CC_ERR_SIGNATURE_INVALID`…) or behind a fallback answer
   * (`CC_ERR_HANDLER_FAILED`, `CC_ERR_HANDLER_TIMEOUT`); absent otherwise.
   */
  readonly code?: string;
}

/**
 * What every parsed event has, whatever the provider. Providers extend it with their own
 * typed fields; `name` is the provider's own spelling of the event (`'HungUp'`, `'Dial-In'`).
 */
export interface WebhookEvent {
  /** The provider id, e.g. `'placetel'`. */
  readonly provider: string;
  /** The provider's own event name. */
  readonly name: string;
  /** The provider's call id; the same for every event of one call. */
  readonly callId: string;
  /** Caller id (calling number, SIP id, or `'anonymous'`); `''` when the provider sent none. */
  readonly from: string;
  /** Called number or extension; `''` when the provider sent none. */
  readonly to: string;
  /** Every decoded field of the request as sent, unknown ones included. */
  readonly raw: Readonly<Record<string, string>>;
}

/** A JSON value, as sessions keep them. */
export type SessionValue =
  | string
  | number
  | boolean
  | null
  | readonly SessionValue[]
  | { readonly [key: string]: SessionValue };

/**
 * A call's session: JSON values shared by the events of one call (e.g. the PIN typed in one
 * request, read when the call hangs up), kept in the app's store under the provider and call
 * id, so every instance sharing the store sees them. An event that names no call gets a session
 * that lives for its one request.
 *
 * Every method resolves in time for the handler to answer: when the store fails, does not
 * answer within 500 ms (less when the answer deadline is nearer: it resolves 100 ms before it),
 * or is known to be down, the session reads as empty (`get` resolves `undefined`, `getAll`
 * `{}`) and writes are dropped (`set` and `delete` resolve); `onError` hears
 * `CC_ERR_STORE_UNAVAILABLE` once per outage. `set` rejects with a `TypeError` for a value
 * without a JSON form.
 */
export interface CallSession {
  /** `<provider>:<call id>`, or `''` for a request without call id. */
  readonly key: string;
  /** One value; `undefined` when it was never set (or the session expired). */
  get<T extends SessionValue = SessionValue>(field: string): Promise<T | undefined>;
  /** Every value of the session. */
  getAll(): Promise<Record<string, SessionValue>>;
  /** Sets one value; the session then lives the app's `sessionTtlMs` from now. */
  set(field: string, value: SessionValue): Promise<void>;
  /** Removes one value. */
  delete(field: string): Promise<void>;
}

/**
 * What a handler gets beside the event; `publicUrl()` is the full public URL of the request as
 * received (see {@link RequestUrlContext}: it may hold the URL token).
 */
export interface HandlerContext extends RequestUrlContext {
  /** The request the event came from (headers, query, exact body). */
  readonly request: WebhookRequest;
  /** The call's session, see {@link CallSession}. */
  readonly session: CallSession;
}

/** What an error handler gets beside the error; `event` is set once the request was parsed. */
export interface ErrorContext<TEvent extends WebhookEvent = WebhookEvent> {
  /**
   * The request, when the error came from one (not for an adapter's own socket failure), with
   * its secrets replaced by `'[redacted]'` — whether the request was refused before, at or after
   * the checks: the values of `Authorization`, `Proxy-Authorization`, `Cookie` and the provider's
   * signature header (Placetel's `X-PLACETEL-SIGNATURE`), and the URL token wherever it stands
   * in the path or query (its parameter's value, its path segment, and any occurrence of a
   * configured token). Method, the rest of the path and query, other headers, the body and the
   * peer address are as received — once the checks passed, as they left them (the URL token
   * taken out, as handlers see it). A copy: the handlers' `context.request` is not changed.
   */
  readonly request: WebhookRequest | undefined;
  /** The parsed event; `undefined` when the request was refused before or while parsing. */
  readonly event: TEvent | undefined;
}

/**
 * What the app knows of a request's URL, handed to checks (an {@link Authenticator}'s second
 * argument) and to parsers (`ParseContext` extends it).
 */
export interface RequestUrlContext {
  /**
   * The full public URL the provider called for this request — scheme, host, path and query, as
   * received (the URL token included) — as URL-signing providers (Twilio-style signatures over
   * the URL) sign it; `undefined` when it cannot be known (no `publicUrl` option and no valid
   * `Host`). Made by `requestPublicUrl` (`core/public-url.ts`) from the app's `publicUrl` option,
   * else the request's scheme and host, or a trusted proxy's `Forwarded` / `X-Forwarded-Proto` /
   * `X-Forwarded-Host` (only when the TCP peer is in `trustProxy`).
   *
   * It may hold the URL token: compute a signature over it, never put it into an error message,
   * a log line or an answer. Computed on the first call, then remembered for the request.
   */
  publicUrl(): string | undefined;
}

/**
 * Checks a request's authenticity before it is parsed (basic auth, a provider's signature…).
 * Called with the request, it throws a {@link CallControlError} (401/403) to refuse it; returns
 * nothing to let it pass, or the request to go on with (e.g. without the URL token it checked,
 * so later steps, handlers and logs never see the secret).
 *
 * A plain function is an authenticator. One that reads a secret from places the core does not
 * redact by itself (see {@link ErrorContext.request}) also has `redact`. The app calls it with a
 * second argument: `publicUrl()` of the request as received (see {@link RequestUrlContext}), for a
 * check of a signature over the URL; a check called without one (by hand, in a test) has no
 * public URL.
 */
export interface Authenticator {
  // `void` so that an authenticator that only checks needs no `return`.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
  (request: WebhookRequest, context?: RequestUrlContext): WebhookRequest | void;
  /**
   * Returns the request with the secrets this check reads replaced by `'[redacted]'` (e.g. the
   * URL token in the path or query), or the request itself when it holds none. Called for the
   * copy handed to `onError` (and the path that is logged), whether or not the check passed —
   * also for requests refused before it ran. `checked` is `true` when this check already ran
   * over `request` (and took out what it checks, e.g. the token's path segment): only secrets
   * left elsewhere are to be redacted then. Must not throw.
   */
  readonly redact?: ((request: WebhookRequest, checked: boolean) => WebhookRequest) | undefined;
  /**
   * Returns `text` with every secret this check knows replaced by `'[redacted]'` wherever it
   * stands (e.g. a URL token inside an answer's `<Gather url="…?token=…">`), for recordings and
   * the inspector. Must not throw.
   */
  readonly redactText?: ((text: string) => string) | undefined;
}
