/**
 * Duplicate handling: the key of one delivery, the key of a call's record of its once-per-call
 * events, and replies as stored for a delivery's repetitions and sent again.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import { XML_CONTENT_TYPE } from './reply';
import type { StoredReply } from './store';
import type { WebhookEvent, WebhookReply, WebhookRequest } from './types';

/** How a request was answered, for logs and tests. */
export type Outcome = 'handled' | 'fallback' | 'duplicate';

/**
 * The key of one delivery: the provider and a hash of what identifies the request — event name,
 * call id and body, and unless `signedBody` (the provider signs the body and nothing else, see
 * `ProviderDefinition.signature`) also method, path and query (as the authenticators left
 * them: without the URL token). A provider's repetition of a request has the same key, and so
 * does a signed body sent again under another method, path or query.
 */
export function deliveryKey(
  provider: string,
  event: WebhookEvent,
  request: WebhookRequest,
  signedBody: boolean,
): string {
  // Event name and call id go into the hash, not beside it: a shorter key is fewer bytes for
  // every remembered delivery. A signed body's key has no method line: `\n\n` where the others
  // have `METHOD path?query\n`, so the two kinds never meet.
  const head = signedBody
    ? `${event.name}\n${event.callId}\n\n`
    : `${event.name}\n${event.callId}\n${request.method} ${request.path}?${request.query}\n`;
  const hash =
    oneShotHash === undefined
      ? crypto.createHash('sha256').update(head).update(request.body).digest('base64url')
      : // latin1 maps each body byte to one character, so distinct bodies stay distinct.
        oneShotHash('sha256', head + request.body.toString('latin1'), 'base64url');
  return `${provider}:${hash}`;
}

/**
 * The key of one delivery that the provider names itself (`ProviderDefinition.deliveryId`,
 * e.g. Twilio's `I-Twilio-Idempotency-Token`): the provider and a hash of the id, apart from
 * the keys of {@link deliveryKey} (`#` after the provider).
 */
export function deliveryIdKey(provider: string, id: string): string {
  const hash =
    oneShotHash === undefined
      ? crypto.createHash('sha256').update(id).digest('base64url')
      : oneShotHash('sha256', id, 'base64url');
  return `${provider}:#${hash}`;
}

/**
 * Where a call's record of its once-per-call events is kept, in the store's session space:
 * `<provider>#<call id>` — never a call's own session key (`<provider>:<call id>`), whose TTL
 * is shortened when the call ends.
 */
export function callRecordKey(provider: string, callId: string): string {
  return `${provider}#${callId}`;
}

/** The record's field that says the call ended (its value: the name of the ending event). */
export const CALL_ENDED_FIELD = '#ended';

/** `crypto.hash` (Node ≥ 20.12), a one-shot digest without a Hash object; else undefined. */
const oneShotHash = (
  crypto as {
    hash?: (algorithm: string, data: string, encoding: 'base64url') => string;
  }
).hash;

/** The headers of a plain XML answer without its `content-length`, one object for all. */
const PLAIN_STORED_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': XML_CONTENT_TYPE,
  'cache-control': 'no-store',
});

/**
 * A reply's headers as stored for its repetitions: without `content-length` (recomputed from
 * the body when sent again), and for a plain XML answer one shared object — the store may keep
 * 100,000 replies, and every object and byte less is less for the garbage collector to copy.
 */
export function storedHeaders(
  headers: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  let plain = true;
  const kept: Record<string, string> = {};
  for (const name in headers) {
    if (name === 'content-length') continue;
    const value = headers[name] as string;
    kept[name] = value;
    if (PLAIN_STORED_HEADERS[name] !== value) plain = false;
  }
  return plain && Object.keys(kept).length === 2 ? PLAIN_STORED_HEADERS : kept;
}

/** A stored reply sent again, marked as a duplicate's. */
export function storedReply(reply: StoredReply, outcome: Outcome): WebhookReply {
  const body = Buffer.from(reply.body, 'utf8');
  // In the order the first reply had them: `content-length` right after `content-type`.
  const headers: Record<string, string> = {};
  for (const name in reply.headers) {
    if (name === 'content-length') continue;
    headers[name] = reply.headers[name] as string;
    if (name === 'content-type') headers['content-length'] = String(body.length);
  }
  headers['content-length'] = String(body.length);
  return {
    status: reply.status,
    headers,
    body,
    text: reply.body,
    outcome,
  };
}
