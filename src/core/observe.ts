/**
 * Observing an app's exchanges as they happen: what {@link WebhookApp.observe} hands its
 * observers, one {@link ObservedExchange} per request the app answered. The live inspector
 * (`createInspector`, `docs/inspector.md`) is built on it.
 *
 * Secrets are masked as in recordings (`record.ts`): the request as {@link recordedExchange}
 * redacts it (`Authorization`, `Proxy-Authorization`, `Cookie`, every signature header, URL
 * tokens in the path and query), and every value those hid is masked wherever it shows up in the
 * body and the typed event too, as are the event's fields named like a password, secret,
 * signature or API key.
 *
 * @module
 */
import { REDACTED } from './auth';
import { recordedExchange, type RecordedExchange, type RecorderContext } from './record';
import type { WebhookEvent, WebhookReply, WebhookRequest } from './types';

/** One exchange — a request the app answered and its answer — as observers see it. */
export interface ObservedExchange {
  /** When the request was received: ISO 8601 UTC, e.g. `'2026-12-07T00:30:00.000Z'`. */
  readonly receivedAt: string;
  /** The app's provider id, e.g. `'placetel'`. */
  readonly provider: string;
  /** The provider's own event name (`'IncomingCall'`), once the request was parsed. */
  readonly event?: string;
  /** The provider's call id, once the request was parsed and when it names a call. */
  readonly callId?: string;
  /**
   * How it was answered: `handled`, `fallback` (a handler failed or missed its deadline),
   * `duplicate` (a repeated delivery got the stored reply) or `refused` (a coded 4xx/5xx).
   */
  readonly outcome: 'handled' | 'fallback' | 'duplicate' | 'refused';
  /** The error code behind a refusal or a fallback, e.g. `'CC_ERR_SIGNATURE_INVALID'`. */
  readonly code?: string;
  /** Time from the request's arrival in the app to its reply, in **milliseconds** (0.1 ms steps). */
  readonly latencyMs: number;
  /** The request as received, its secrets redacted as in recordings (and masked in its body). */
  readonly request: RecordedExchange['request'];
  /**
   * The typed event the handler got, as JSON (its `raw` fields included), secrets masked;
   * absent when the request was refused before or while parsing.
   */
  readonly typedEvent?: Readonly<Record<string, unknown>>;
  /** The answer the app gave: status, headers and body (UTF-8 text). */
  readonly reply: Omit<RecordedExchange['reply'], 'outcome' | 'code'>;
}

/**
 * An observer of an app's exchanges (see {@link WebhookApp.observe}): called once per request,
 * synchronously, after its reply is ready and before it is sent. `received` is the request as
 * received, **secrets included** (signature headers, URL tokens): it is there so that a
 * development tool can run the very request through the app again (`app.handle(received)`); keep
 * it in memory, never show, log or send it. What the observer returns is ignored, and what it
 * throws is swallowed.
 */
export type ExchangeObserver = (exchange: ObservedExchange, received: WebhookRequest) => void;

/** Secret values shorter than this are not searched for in the typed event: 4 characters. */
const MIN_SECRET_LENGTH = 4;

/** Event fields masked whatever their value, by name. */
const SECRET_FIELD =
  /password|passwd|secret|signature|authorization|api[-_]?key|^(?:url_?)?token$/i;

function decoded(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * The values the redaction hid: header values replaced by `[redacted]`, query values and path
 * segments that differ between `received` and `redacted` (raw and decoded).
 */
function hiddenValues(received: WebhookRequest, redacted: RecordedExchange['request']): string[] {
  const secrets = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value === undefined) return;
    for (const form of [value, decoded(value)]) {
      if (form.length >= MIN_SECRET_LENGTH && form !== REDACTED) secrets.add(form);
    }
  };
  for (const [name, value] of Object.entries(received.headers)) {
    if (value === undefined) continue;
    if (redacted.headers[name.toLowerCase()] !== value) {
      add(value);
      // `Basic …`, `Bearer …`: the credential without its scheme too.
      const space = value.indexOf(' ');
      if (space > 0) add(value.slice(space + 1));
    }
  }
  const receivedParts = received.query.split('&');
  const redactedParts = redacted.query.split('&');
  receivedParts.forEach((part, index) => {
    if (part === redactedParts[index]) return;
    const at = part.indexOf('=');
    add(at === -1 ? part : part.slice(at + 1));
  });
  const receivedSegments = received.path.split('/');
  const redactedSegments = redacted.path.split('/');
  receivedSegments.forEach((segment, index) => {
    if (segment !== redactedSegments[index]) add(segment);
  });
  // Longest first, so that a value holding a shorter one is masked whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `value` as JSON with every hidden value replaced by `[redacted]`, secret fields masked. */
function masked(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 20) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => masked(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] =
      SECRET_FIELD.test(key) && item !== '' && item !== undefined
        ? REDACTED
        : masked(item, secrets, depth + 1);
  }
  return out;
}

/**
 * The {@link ObservedExchange} of one request: its request redacted by
 * {@link recordedExchange}, the typed event as JSON with the same secrets masked.
 *
 * @param latencyMs - time from arrival to reply, in milliseconds
 * @throws whatever reading a hostile request throws (the app catches it: no observer is called)
 */
export function observedExchange(
  context: Omit<RecorderContext, 'onFailure'>,
  received: WebhookRequest,
  event: WebhookEvent | undefined,
  reply: WebhookReply,
  receivedAt: Date,
  latencyMs: number,
): ObservedExchange {
  const recorded = recordedExchange(context, received, reply, receivedAt);
  const secrets = hiddenValues(received, recorded.request);
  // A secret echoed in the body (a field holding the webhook URL with its token) is masked too.
  const request =
    recorded.request.bodyEncoding === 'utf8' && secrets.length > 0
      ? { ...recorded.request, body: masked(recorded.request.body, secrets) as string }
      : recorded.request;
  let typedEvent: Record<string, unknown> | undefined;
  if (event !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(JSON.stringify(event)) as unknown;
    } catch {
      json = { provider: event.provider, name: event.name, callId: event.callId };
    }
    typedEvent = masked(json, secrets) as Record<string, unknown>;
  }
  const { outcome, code, ...reply_ } = recorded.reply;
  return {
    receivedAt: recorded.receivedAt,
    provider: recorded.provider,
    ...(event === undefined ? {} : { event: event.name }),
    ...(event === undefined || event.callId === '' ? {} : { callId: event.callId }),
    outcome: (outcome ??
      (reply.status < 400 ? 'handled' : 'refused')) as ObservedExchange['outcome'],
    ...(code === undefined ? {} : { code }),
    latencyMs: Math.round(latencyMs * 10) / 10,
    request,
    ...(typedEvent === undefined ? {} : { typedEvent }),
    reply: reply_,
  };
}
