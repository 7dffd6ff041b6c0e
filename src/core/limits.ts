/**
 * The request limits, enforced in one place for every adapter (`node:http`, Express, Fastify,
 * Fetch API): header count and bytes (431), `Content-Encoding` (415), `Content-Length` (400 when
 * malformed, 413 above the body limit), the body's bytes as streamed (413), its arrival time
 * (408) and its integrity (400). The limits are the app's (`bodyLimitBytes`, `bodyTimeoutMs`,
 * `maxHeaderBytes`, see `options.ts`); the body is read by the one bounded reader
 * (`bounded-read.ts`). Every refusal is a {@link CallControlError} the adapter hands to
 * `app.fail`.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { AdaptableApp } from './adapter';
import { BoundedReadError, readBounded } from './bounded-read';
import { CallControlError } from './errors';

/** The limits an adapter enforces: the app's. */
export type RequestLimits = Pick<
  AdaptableApp,
  'bodyLimitBytes' | 'bodyTimeoutMs' | 'maxHeaderBytes'
>;

/** The headers the body limits read: `Content-Encoding` and `Content-Length` (lower-case). */
export interface BodyHeaders {
  readonly 'content-encoding'?: string | undefined;
  readonly 'content-length'?: string | undefined;
}

/** Most header lines a request may have: 100 (431 `CC_ERR_HEADERS_TOO_LARGE` above). */
export const MAX_HEADER_COUNT = 100;

function headersTooLarge(limits: RequestLimits, lines: number, bytes: number): CallControlError {
  return new CallControlError(
    'CC_ERR_HEADERS_TOO_LARGE',
    `The headers hold ${lines} lines and ${bytes} bytes; the limit is ${MAX_HEADER_COUNT} lines and ${limits.maxHeaderBytes} bytes`,
  );
}

/**
 * Checks the headers as a flat list of names and values, as Node gives them
 * (`IncomingMessage.rawHeaders`): at most {@link MAX_HEADER_COUNT} lines, and names and values
 * together at most `maxHeaderBytes` UTF-8 bytes.
 *
 * @throws {CallControlError} `CC_ERR_HEADERS_TOO_LARGE` (431)
 */
export function checkRawHeaders(limits: RequestLimits, rawHeaders: readonly string[]): void {
  let bytes = 0;
  for (const part of rawHeaders) bytes += part.length;
  // A UTF-16 unit is at most 3 UTF-8 bytes: exact byte counts only near the limit.
  if (bytes * 3 > limits.maxHeaderBytes) {
    bytes = 0;
    for (const part of rawHeaders) bytes += Buffer.byteLength(part);
  }
  const lines = rawHeaders.length / 2;
  if (lines > MAX_HEADER_COUNT || bytes > limits.maxHeaderBytes) {
    throw headersTooLarge(limits, lines, bytes);
  }
}

/**
 * Checks headers given as name/value pairs (a Fetch `Headers`, whose repeated names arrive
 * joined: one line each), with the same limits as {@link checkRawHeaders}.
 *
 * @throws {CallControlError} `CC_ERR_HEADERS_TOO_LARGE` (431)
 */
export function checkHeaderEntries(
  limits: RequestLimits,
  entries: Iterable<readonly [string, string]>,
): void {
  const flat: string[] = [];
  for (const [name, value] of entries) flat.push(name, value);
  checkRawHeaders(limits, flat);
}

/**
 * Refuses a body with a `Content-Encoding` other than `identity`: the signature covers the bytes
 * sent, which a decoder would change.
 *
 * @throws {CallControlError} `CC_ERR_UNSUPPORTED_MEDIA_TYPE` (415)
 */
export function checkContentEncoding(headers: BodyHeaders): void {
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new CallControlError(
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding ${encoding} is not accepted`,
    );
  }
}

/**
 * The `Content-Length` as a number of bytes (RFC 9110 §8.6: decimal digits); `undefined`
 * without one.
 *
 * @throws {CallControlError} `CC_ERR_REQUEST_MALFORMED` (400) for any other value (`'12, 12'`,
 *   `'-1'`, `'0x10'`)
 */
export function declaredContentLength(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^\d{1,15}$/.test(trimmed)) {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      `The Content-Length header is not a number of bytes: ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return Number(trimmed);
}

/**
 * Applies the body limits to bytes a body parser in front already read (Express's `verify`
 * hook, see `captureRawBody`): no `Content-Encoding` (the parser decoded it) and at most
 * `bodyLimitBytes`.
 *
 * @throws {CallControlError} `CC_ERR_UNSUPPORTED_MEDIA_TYPE` (415), `CC_ERR_BODY_TOO_LARGE` (413)
 */
export function checkKeptBody(limits: RequestLimits, body: Buffer, headers: BodyHeaders): Buffer {
  checkContentEncoding(headers);
  if (body.length > limits.bodyLimitBytes) {
    throw new CallControlError(
      'CC_ERR_BODY_TOO_LARGE',
      `The body is larger than ${limits.bodyLimitBytes} bytes`,
    );
  }
  return body;
}

/**
 * The coded error for a failed bounded read of a request body: 413 `CC_ERR_BODY_TOO_LARGE`
 * (announced or streamed past `bodyLimitBytes`), 408 `CC_ERR_BODY_TIMEOUT`, 400
 * `CC_ERR_BODY_ABORTED` (shorter or longer than its `Content-Length`, closed or failed before its
 * end), 400 `CC_ERR_BODY_INVALID` (not bytes, or not readable). Anything that is not a
 * {@link BoundedReadError} is `CC_ERR_BODY_INVALID`.
 */
export function bodyReadError(error: unknown, limits: RequestLimits): CallControlError {
  if (error instanceof CallControlError) return error;
  if (!(error instanceof BoundedReadError)) {
    return new CallControlError('CC_ERR_BODY_INVALID', 'The body could not be read', {
      cause: error,
    });
  }
  const declared = error.declaredLength;
  switch (error.reason) {
    case 'too-large':
      return new CallControlError(
        'CC_ERR_BODY_TOO_LARGE',
        `The body is larger than ${limits.bodyLimitBytes} bytes` +
          (declared !== undefined && declared > limits.bodyLimitBytes
            ? ` (Content-Length ${declared})`
            : ''),
      );
    case 'timeout':
      return new CallControlError(
        'CC_ERR_BODY_TIMEOUT',
        `The body did not arrive within ${limits.bodyTimeoutMs} ms`,
      );
    case 'length-mismatch':
      return new CallControlError(
        'CC_ERR_BODY_ABORTED',
        error.receivedBytes > (declared ?? 0)
          ? `The body is longer than its Content-Length ${declared ?? 0}`
          : `The body ended after ${error.receivedBytes} of its announced ${declared ?? 0} bytes`,
        { cause: error },
      );
    case 'ended-early':
    case 'stream-error':
    case 'aborted':
      return new CallControlError(
        'CC_ERR_BODY_ABORTED',
        'The body ended or failed before its end',
        {
          cause: error,
        },
      );
    case 'unreadable':
      return new CallControlError('CC_ERR_BODY_INVALID', 'The body stream yielded no bytes', {
        cause: error,
      });
  }
}

/**
 * Reads a request body within the app's limits: no `Content-Encoding` (415), a well-formed
 * `Content-Length` (400) not above `bodyLimitBytes` (413, nothing read), at most
 * `bodyLimitBytes` bytes as streamed (413, reading stops), all of it within `bodyTimeoutMs`
 * milliseconds (408), exactly its `Content-Length` (400). The source is a Node request (read
 * with `raw-body`) or a Fetch body stream (`null` for none); on a refusal it is released
 * (cancelled, or paused; after a 415 a Node request is drained, as its connection may be kept).
 *
 * @throws {CallControlError} see above and {@link bodyReadError}
 */
export async function readRequestBody(
  limits: RequestLimits,
  source: Readable | ReadableStream<Uint8Array> | null,
  headers: BodyHeaders,
): Promise<Buffer> {
  try {
    checkContentEncoding(headers);
  } catch (error) {
    if (source !== null && typeof (source as Readable).resume === 'function') {
      (source as Readable).resume();
    } else if (source !== null && !(source as ReadableStream).locked) {
      (source as ReadableStream).cancel().catch(() => undefined);
    }
    throw error;
  }
  const declared = declaredContentLength(headers['content-length']);
  try {
    return await readBounded(source, {
      limitBytes: limits.bodyLimitBytes,
      timeoutMs: limits.bodyTimeoutMs,
      ...(declared === undefined ? {} : { declaredLength: declared }),
    });
  } catch (error) {
    throw bodyReadError(error, limits);
  }
}
