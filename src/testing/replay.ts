/**
 * Replaying a recording (the app's `record` option, `src/core/record.ts`): reading its lines,
 * preparing each request to be sent again (re-signed with a test credential where the provider
 * signs) and comparing the new answer with the recorded one — the status, and the body as XML
 * (`xmlTreesEqual`) when both are XML, else as text. Used by `callcontrol replay` and the test
 * kit's `client.replay()`.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { REDACTED } from '../core/auth';
import type { RecordedExchange } from '../core/record';
import { findProvider } from '../providers/registry';
import { parseXml, xmlTreesEqual } from './xml';

export type { RecordedExchange } from '../core/record';

/** Headers never sent again: the transport's own, and the ones recomputed for the new target. */
const HOP_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);

/**
 * The exchanges of a recording's text, one JSON object a line (blank lines skipped).
 *
 * @throws {TypeError} naming the line for a line that is not a recorded exchange
 */
export function parseRecording(text: string): RecordedExchange[] {
  const exchanges: RecordedExchange[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TypeError(
        `recording line ${index + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
    const exchange = value as Partial<RecordedExchange> | null;
    if (
      exchange === null ||
      typeof exchange !== 'object' ||
      typeof exchange.provider !== 'string' ||
      typeof exchange.request?.method !== 'string' ||
      typeof exchange.request.path !== 'string' ||
      typeof exchange.request.body !== 'string' ||
      typeof exchange.reply?.status !== 'number' ||
      typeof exchange.reply.body !== 'string'
    ) {
      throw new TypeError(`recording line ${index + 1}: not a recorded exchange`);
    }
    exchanges.push(exchange as RecordedExchange);
  }
  return exchanges;
}

/** The credentials a replay signs with, as the test client's options name them. */
export interface ReplayCredentials {
  /** Shared secret (Placetel). */
  readonly secret?: string | undefined;
  /** Auth token or signing key, for providers that sign the URL (Twilio, SignalWire). */
  readonly authToken?: string | undefined;
  /** Private key, PEM or `KeyObject` (sipgate, Telnyx). */
  readonly privateKey?: string | KeyObject | undefined;
}

function isRedacted(text: string): boolean {
  return (
    text.includes(REDACTED) ||
    text.toLowerCase().includes(encodeURIComponent(REDACTED).toLowerCase())
  );
}

/**
 * The path and query of a recorded request without what was redacted (a URL token): the
 * leading path segment `/[redacted]` and every query parameter whose value was redacted. The
 * sender adds its own token (the test client's `urlToken`, or the `<url>` of `replay`).
 */
export function withoutRedacted(path: string, query: string): { path: string; query: string } {
  const segments = path.split('/');
  const bare =
    segments[1] !== undefined && isRedacted(segments[1]) ? `/${segments.slice(2).join('/')}` : path;
  return {
    path: bare,
    query: query
      .split('&')
      .filter((part) => part !== '' && !isRedacted(part))
      .join('&'),
  };
}

/** A recorded request made ready to be sent again. */
export interface ReplayRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The full URL: the target, the recorded path, the recorded query and the target's query. */
  readonly url: string;
  /** Path below the mount point, as recorded. */
  readonly path: string;
  /** The query, as recorded (without `?`). */
  readonly query: string;
  /** Headers to send: the recorded ones without redacted values, plus a new signature. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes. */
  readonly body: Buffer;
}

/**
 * The request of `exchange` to send to `target` (the app's mount URL; a query of its own, such
 * as the URL token `?token=…`, is added after the recorded query): redacted headers left
 * out, and re-signed with the provider's test-kit signing when `credentials` holds the
 * credential the provider signs with.
 *
 * @throws {TypeError} for a credential that cannot sign (e.g. not a private key)
 */
export function replayRequest(
  exchange: RecordedExchange,
  target: string,
  credentials: ReplayCredentials = {},
): ReplayRequest {
  const { request } = exchange;
  const body = Buffer.from(request.body, request.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (HOP_HEADERS.has(name) || value.includes(REDACTED)) continue;
    headers[name] = value;
  }
  const { path, query } = withoutRedacted(request.path, request.query);
  // The target's own query (a URL token, `?token=…`) follows the recorded one.
  const at = target.indexOf('?');
  const base = (at === -1 ? target : target.slice(0, at)).replace(/\/+$/, '');
  const search = [query, at === -1 ? '' : target.slice(at + 1)].filter((part) => part !== '');
  const url = `${base}${path}${search.length === 0 ? '' : `?${search.join('&')}`}`;
  const plugin = findProvider(exchange.provider);
  const signing =
    plugin !== undefined && 'signing' in plugin.testKit ? plugin.testKit.signing : undefined;
  const credential = signing === undefined ? undefined : credentials[signing.option];
  if (signing !== undefined && credential !== undefined) {
    const signature = signing.sign(body, credential, { method: request.method, url });
    if (typeof signature === 'string') headers[signing.header] = signature;
    else Object.assign(headers, signature);
  }
  return { method: request.method, url, path, query, headers, body };
}

/** One difference between a recorded answer and the new one. */
export interface ReplayDifference {
  /** What differs: `'status'` or `'body'`. */
  readonly field: 'status' | 'body';
  /** The recorded value. */
  readonly recorded: string;
  /** The new value. */
  readonly now: string;
}

/**
 * The URL tokens a replay URL may carry, to mask in the new answers as the recording masks
 * them (see {@link compareReplies}): every query value and path segment of `url` that looks
 * like a URL token (16 to 512 characters of `A-Z a-z 0-9 . _ ~ -`, the rule of the app's
 * `urlToken`). Never throws: an unparsable URL carries none.
 */
export function urlTokensOf(url: string): string[] {
  const looksLikeToken = (value: string): boolean => /^[A-Za-z0-9._~-]{16,512}$/.test(value);
  try {
    const parsed = new URL(url);
    const values = [...parsed.searchParams.values()];
    const segments = parsed.pathname.split('/').map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
    return [...new Set([...values, ...segments].filter(looksLikeToken))];
  } catch {
    return [];
  }
}

function xmlOf(text: string): ReturnType<typeof parseXml> | undefined {
  if (!text.trimStart().startsWith('<')) return undefined;
  try {
    return parseXml(text);
  } catch {
    return undefined;
  }
}

/**
 * Where the new answer differs from the recorded one: the status, and the body — compared as
 * XML documents (`xmlTreesEqual`: attribute order and formatting do not count) when both are
 * XML, else as text. Empty when they are the same.
 *
 * @param masked - secrets the replay sent (a URL token) that the recording has as
 *   `[redacted]` (recordings redact them in answers too, e.g. in a follow-up URL): each is
 *   replaced by `[redacted]` in the new body before comparing, and in the difference reported
 */
export function compareReplies(
  recorded: { readonly status: number; readonly body: string },
  current: { readonly status: number; readonly body: string },
  masked: readonly string[] = [],
): ReplayDifference[] {
  let body = current.body;
  for (const secret of masked) {
    if (secret !== '' && body.includes(secret)) body = body.split(secret).join('[redacted]');
  }
  const now = { status: current.status, body };
  const differences: ReplayDifference[] = [];
  if (recorded.status !== now.status) {
    differences.push({
      field: 'status',
      recorded: String(recorded.status),
      now: String(now.status),
    });
  }
  const a = xmlOf(recorded.body);
  const b = xmlOf(now.body);
  const same =
    a !== undefined && b !== undefined ? xmlTreesEqual(a, b) : recorded.body === now.body;
  if (!same) differences.push({ field: 'body', recorded: recorded.body, now: now.body });
  return differences;
}
