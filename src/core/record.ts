/**
 * Recording of the requests an app receives, with their answers, as JSON Lines (one
 * {@link RecordedExchange} a line): the app's `record` option (see
 * {@link CommonAppOptions.record}). `callcontrol replay` and the test kit's `client.replay()`
 * send a recording again.
 *
 * Secrets never reach the file: `Authorization`, `Proxy-Authorization`, `Cookie`, every
 * signature header ({@link SIGNATURE_HEADERS} and the provider's own) and what the
 * authenticators redact (URL tokens) are replaced by `[redacted]`.
 *
 * @module
 */
import { appendFile, stat } from 'node:fs/promises';
import { redactRequest } from './auth';
import type { Authenticator, WebhookReply, WebhookRequest } from './types';

/** Default bound of a recording file: 10485760 bytes (10 MiB). */
export const DEFAULT_RECORD_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Signature headers (lower case) redacted in every recording, whatever the provider declares:
 * Placetel, Twilio, SignalWire, sipgate and Telnyx (its signature and the timestamp it covers).
 */
export const SIGNATURE_HEADERS: readonly string[] = [
  'x-placetel-signature',
  'x-twilio-signature',
  'x-signalwire-signature',
  'x-sipgate-signature',
  'telnyx-signature-ed25519',
  'telnyx-timestamp',
];

/** The app's `record` option: where and how much to record. */
export interface RecordOptions {
  /** The file the exchanges are appended to (created when missing), one JSON object a line. */
  readonly file: string;
  /**
   * Largest size of the file in **bytes** (what it held before included): an exchange whose
   * line would take the file past it is not written, nor is any after it. Default
   * {@link DEFAULT_RECORD_MAX_BYTES} (10 MiB).
   */
  readonly maxBytes?: number | undefined;
}

/** One recorded exchange: a line of a recording file. */
export interface RecordedExchange {
  /** The app's provider id, e.g. `'placetel'`. */
  readonly provider: string;
  /** When the request was received: ISO 8601 UTC, e.g. `'2026-12-07T00:30:00.000Z'`. */
  readonly receivedAt: string;
  /** The request as received, its secrets redacted. */
  readonly request: {
    /** Upper-case HTTP method. */
    readonly method: string;
    /** Path below the app's mount point, e.g. `'/'`. */
    readonly path: string;
    /** The raw query without `?` (`''` when none). */
    readonly query: string;
    /** Request headers, lower-case names; secrets as `[redacted]`. */
    readonly headers: Readonly<Record<string, string>>;
    /** The body: UTF-8 text, or base64 when `bodyEncoding` says so. */
    readonly body: string;
    /** `'utf8'` for a body that is valid UTF-8, else `'base64'`. */
    readonly bodyEncoding: 'utf8' | 'base64';
  };
  /** The answer the app gave. */
  readonly reply: {
    /** HTTP status code. */
    readonly status: number;
    /** Response headers. */
    readonly headers: Readonly<Record<string, string>>;
    /** The body as UTF-8 text. */
    readonly body: string;
    /** `handled`, `fallback`, `duplicate` or `refused` (see `WebhookReply.outcome`). */
    readonly outcome?: string;
    /** The error code behind a refusal or a fallback, e.g. `'CC_ERR_SIGNATURE_INVALID'`. */
    readonly code?: string;
  };
}

/** What {@link createRecorder} needs of its app. */
export interface RecorderContext {
  /** The provider id. */
  readonly provider: string;
  /** The app's authenticators: their `redact` takes URL tokens out. */
  readonly authenticators: readonly Authenticator[];
  /** The provider's own signature header (lower case), when it declares one. */
  readonly signatureHeader?: string | undefined;
  /** Called once, with the error, when a write fails (recording then stops). */
  readonly onFailure: (error: unknown) => void;
}

/** A recorder: `record(received, reply)` queues one line; `idle()` resolves once written. */
export interface Recorder {
  /** Queues the exchange's line; returns at once and never throws. */
  record(received: WebhookRequest, reply: WebhookReply, receivedAt: Date): void;
  /** Resolves once every queued line was written (or dropped). */
  idle(): Promise<void>;
}

function isUtf8(body: Buffer): boolean {
  return Buffer.from(body.toString('utf8'), 'utf8').equals(body);
}

/**
 * The line (with its `\n`) of one exchange, its request redacted as `onError` sees requests
 * (see `redactRequest`) plus every signature header: {@link recordedExchange} as JSON.
 */
export function recordedLine(
  context: Omit<RecorderContext, 'onFailure'>,
  received: WebhookRequest,
  reply: WebhookReply,
  receivedAt: Date,
): string {
  return `${JSON.stringify(recordedExchange(context, received, reply, receivedAt))}\n`;
}

/**
 * One exchange as it is recorded (and as the live inspector shows it): the request redacted as
 * `onError` sees requests (see `redactRequest`) plus every signature header
 * ({@link SIGNATURE_HEADERS} and `context.signatureHeader`), the reply as sent but for the
 * secrets the authenticators know (a URL token in a follow-up URL), replaced by `[redacted]`.
 */
export function recordedExchange(
  context: Omit<RecorderContext, 'onFailure'>,
  received: WebhookRequest,
  reply: WebhookReply,
  receivedAt: Date,
): RecordedExchange {
  // Secrets the authenticators know (a URL token) also stand in answers (a follow-up URL).
  const redactText = (text: string): string => {
    let out = text;
    for (const authenticator of context.authenticators) {
      if (authenticator.redactText !== undefined) out = authenticator.redactText(out);
    }
    return out;
  };
  const secretHeaders = [...SIGNATURE_HEADERS];
  if (context.signatureHeader !== undefined) secretHeaders.push(context.signatureHeader);
  const request = redactRequest(received, context.authenticators, secretHeaders, 0);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const utf8 = isUtf8(request.body);
  const exchange: RecordedExchange = {
    provider: context.provider,
    receivedAt: receivedAt.toISOString(),
    request: {
      method: request.method,
      path: request.path,
      query: request.query,
      headers,
      body: request.body.toString(utf8 ? 'utf8' : 'base64'),
      bodyEncoding: utf8 ? 'utf8' : 'base64',
    },
    reply: {
      status: reply.status,
      headers: Object.fromEntries(
        Object.entries(reply.headers).map(([name, value]) => [name, redactText(String(value))]),
      ),
      body: redactText(reply.text ?? reply.body.toString('utf8')),
      ...(reply.outcome === undefined ? {} : { outcome: reply.outcome }),
      ...(reply.code === undefined ? {} : { code: reply.code }),
    },
  };
  return exchange;
}

/**
 * A recorder appending to `options.file`: lines are written one after another, after the
 * reply was returned (never delaying it); a line that would take the file past `maxBytes`
 * stops the recording. A failing write calls `context.onFailure` once and stops the recording.
 *
 * @throws {TypeError} for a `file` that is not a non-empty string or a `maxBytes` that is not a
 *   positive whole number
 */
export function createRecorder(options: RecordOptions, context: RecorderContext): Recorder {
  if (typeof options.file !== 'string' || options.file.trim() === '') {
    throw new TypeError('record.file must be a non-empty file path');
  }
  const maxBytes = options.maxBytes ?? DEFAULT_RECORD_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new TypeError(`record.maxBytes must be a positive whole number, got ${String(maxBytes)}`);
  }
  let size: number | undefined;
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  const write = async (line: string): Promise<void> => {
    if (stopped) return;
    if (size === undefined) {
      try {
        size = (await stat(options.file)).size;
      } catch {
        size = 0;
      }
    }
    const bytes = Buffer.byteLength(line, 'utf8');
    if (size + bytes > maxBytes) {
      stopped = true;
      return;
    }
    size += bytes;
    await appendFile(options.file, line, 'utf8');
  };
  return {
    record(received, reply, receivedAt) {
      if (stopped) return;
      let line: string;
      try {
        line = recordedLine(context, received, reply, receivedAt);
      } catch {
        return;
      }
      queue = queue.then(() =>
        new Promise<void>((done) => setImmediate(done)).then(() =>
          write(line).catch((error: unknown) => {
            if (stopped) return;
            stopped = true;
            try {
              context.onFailure(error);
            } catch {
              // A failing report must not break the queue.
            }
          }),
        ),
      );
    },
    idle: () => queue,
  };
}
