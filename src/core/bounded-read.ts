/**
 * The one bounded stream reader: reads a whole body into a `Buffer`, at most `limitBytes`, within
 * `timeoutMs`, until `signal` aborts — from a Node `Readable` (an `IncomingMessage`: through the
 * `raw-body` library) or a WHATWG `ReadableStream` (a Fetch `Request`/`Response` body). The
 * adapters read request bodies with it (through `limits.ts`), and the provider API clients read
 * their answers with it ({@link readResponseBody}).
 *
 * It throws a {@link BoundedReadError} naming what went wrong; each caller turns that into its
 * own coded error (413 `CC_ERR_BODY_TOO_LARGE` for a request body, `CC_ERR_UPSTREAM_INVALID` for
 * an API answer…).
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type getRawBody from 'raw-body';

let loadedRawBody: typeof getRawBody | undefined;

/**
 * `raw-body` (with iconv-lite), loaded when a Node stream without an announced length (or with a
 * `signal`) is first read: an app whose requests all come with `Content-Length` never loads it
 * (15 modules, about 1 MB of RSS).
 */
function rawBody(): typeof getRawBody {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loadedRawBody ??= require('raw-body') as typeof getRawBody);
}

/**
 * Why a bounded read failed:
 * - `too-large`: more than `limitBytes` — announced (`declaredLength` above the limit: nothing is
 *   read) or streamed (reading stops at the first chunk past the limit);
 * - `length-mismatch`: the stream held fewer or more bytes than `declaredLength`;
 * - `ended-early`: the stream was closed or aborted by its sender before its end;
 * - `stream-error`: the stream failed (a network error, a reset connection);
 * - `timeout`: the whole body did not arrive within `timeoutMs`;
 * - `aborted`: the caller's `signal` aborted;
 * - `unreadable`: the stream cannot be read as bytes (a chunk that is not a `Uint8Array`, a Node
 *   stream with an encoding set, or one already read).
 */
export type BoundedReadFailure =
  | 'too-large'
  | 'length-mismatch'
  | 'ended-early'
  | 'stream-error'
  | 'timeout'
  | 'aborted'
  | 'unreadable';

/** What {@link readBounded} throws: why the read failed and how far it got. */
export class BoundedReadError extends Error {
  /** Why the read failed, see {@link BoundedReadFailure}. */
  readonly reason: BoundedReadFailure;
  /** The limit in bytes the read had. */
  readonly limitBytes: number;
  /**
   * The bytes received before it stopped, as far as known: for `too-large` while streaming at
   * least `limitBytes + 1`; `0` when refused by the announced length, and for a Node stream
   * stopped by the timeout or the signal (`raw-body` does not tell).
   */
  readonly receivedBytes: number;
  /** The length announced (`Content-Length`), when one was given. */
  readonly declaredLength: number | undefined;

  constructor(
    reason: BoundedReadFailure,
    details: {
      readonly limitBytes: number;
      readonly receivedBytes: number;
      readonly declaredLength?: number | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(
      `Bounded read failed (${reason}) after ${details.receivedBytes} bytes, limit ${details.limitBytes}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = 'BoundedReadError';
    this.reason = reason;
    this.limitBytes = details.limitBytes;
    this.receivedBytes = details.receivedBytes;
    this.declaredLength = details.declaredLength;
  }
}

/** Options of {@link readBounded}. */
export interface BoundedReadOptions {
  /** Largest accepted body in **bytes**: a body of exactly this many bytes is read whole. */
  readonly limitBytes: number;
  /**
   * The length the sender announced (`Content-Length`), in bytes: above `limitBytes` the body is
   * refused before a byte is read (`too-large`), and the stream must hold exactly this many
   * bytes (`length-mismatch`). Default: none.
   */
  readonly declaredLength?: number | undefined;
  /** Time the whole body may take, in **milliseconds**, from the call. Default: no limit. */
  readonly timeoutMs?: number | undefined;
  /** Stops the read (`aborted`), e.g. the `AbortSignal` of the `fetch` that made the answer. */
  readonly signal?: AbortSignal | undefined;
}

/** A source {@link readBounded} reads: a Node `Readable`, a WHATWG `ReadableStream`, or none. */
export type BoundedSource = Readable | ReadableStream<Uint8Array> | null | undefined;

/** Whether `source` is a WHATWG stream (it has `getReader`), rather than a Node stream. */
function isWebStream(source: object): source is ReadableStream<Uint8Array> {
  return typeof (source as { getReader?: unknown }).getReader === 'function';
}

/**
 * Reads a whole stream into a `Buffer`, bounded by `options` (see {@link BoundedReadOptions}). A
 * `null`/`undefined` source is an empty body (with a `declaredLength` above 0: `length-mismatch`).
 * On any failure the source is released: a WHATWG stream is cancelled, a Node stream paused and
 * unpiped (the caller's reply then closes the connection); an announced length above the limit
 * reads nothing.
 *
 * @throws {BoundedReadError} see {@link BoundedReadFailure}
 * @throws {TypeError} for a `limitBytes` that is not a whole number ≥ 0
 */
export async function readBounded(
  source: BoundedSource,
  options: BoundedReadOptions,
): Promise<Buffer> {
  const limitBytes = options.limitBytes;
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 0) {
    throw new TypeError(`limitBytes must be a whole number of bytes, got ${String(limitBytes)}`);
  }
  const declared = options.declaredLength;
  const fail = (reason: BoundedReadFailure, receivedBytes: number, cause?: unknown) =>
    new BoundedReadError(reason, { limitBytes, receivedBytes, declaredLength: declared, cause });
  if (declared !== undefined && declared > limitBytes) {
    release(source);
    throw fail('too-large', 0);
  }
  if (options.signal?.aborted === true) {
    release(source);
    throw fail('aborted', 0, options.signal.reason);
  }
  if (source === null || source === undefined) {
    if (declared !== undefined && declared !== 0) throw fail('length-mismatch', 0);
    return Buffer.alloc(0);
  }
  return isWebStream(source)
    ? readWebStream(source, options, fail)
    : readNodeStream(source, options, fail);
}

type Fail = (
  reason: BoundedReadFailure,
  receivedBytes: number,
  cause?: unknown,
) => BoundedReadError;

/** Stops a source that will not be read (ignoring one that is locked, read or failed). */
function release(source: BoundedSource): void {
  try {
    if (source === null || source === undefined) return;
    if (isWebStream(source)) {
      if (!source.locked) source.cancel().catch(() => undefined);
    } else {
      source.unpipe();
      source.pause();
    }
  } catch {
    // Nothing more to release.
  }
}

/**
 * A promise that rejects when `timeoutMs` passes or `signal` aborts, and its `clear`. The caller
 * races its reads against it.
 */
function stopper(
  options: BoundedReadOptions,
  fail: Fail,
  received: () => number,
): { stop: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_resolve, reject) => {
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => reject(fail('timeout', received())), options.timeoutMs);
    }
    const signal = options.signal;
    if (signal !== undefined) {
      onAbort = () => reject(fail('aborted', received(), signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  stop.catch(() => undefined);
  return {
    stop,
    clear: () => {
      clearTimeout(timer);
      if (onAbort !== undefined) options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

async function readWebStream(
  stream: ReadableStream<Uint8Array>,
  options: BoundedReadOptions,
  fail: Fail,
): Promise<Buffer> {
  const limitBytes = options.limitBytes;
  const declared = options.declaredLength;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = stream.getReader();
  } catch (error) {
    throw fail('unreadable', 0, error);
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  const { stop, clear } = stopper(options, fail, () => received);
  try {
    for (;;) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await Promise.race([reader.read(), stop]);
      } catch (error) {
        throw error instanceof BoundedReadError ? error : fail('stream-error', received, error);
      }
      if (result.done) break;
      const chunk: unknown = result.value;
      if (!(chunk instanceof Uint8Array)) throw fail('unreadable', received);
      received += chunk.byteLength;
      if (received > limitBytes) throw fail('too-large', received);
      if (declared !== undefined && received > declared) throw fail('length-mismatch', received);
      chunks.push(chunk);
    }
  } catch (error) {
    // Stop reading: a stalled or oversized sender is not waited for.
    reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clear();
  }
  if (declared !== undefined && received !== declared) throw fail('length-mismatch', received);
  return Buffer.concat(chunks, received);
}

/** The types of `raw-body`'s errors, and what they mean here. */
const RAW_BODY_FAILURES: Readonly<Record<string, BoundedReadFailure>> = {
  'entity.too.large': 'too-large',
  'request.size.invalid': 'length-mismatch',
  'request.aborted': 'ended-early',
  'stream.encoding.set': 'unreadable',
  'stream.not.readable': 'unreadable',
};

/**
 * The {@link BoundedReadError} for an error of the `raw-body` library — or of a parser built on
 * it, such as body-parser (Express's `express.json`…): `entity.too.large` is `too-large`,
 * `request.size.invalid` `length-mismatch`, `request.aborted` `ended-early`,
 * `stream.encoding.set` and `stream.not.readable` `unreadable`; `undefined` for any other error.
 *
 * @param limitBytes - the limit the read had, in bytes
 * @param options - `declaredLength`: the announced length when the error does not tell it;
 *   `keepCause: false` leaves `error` out of the result (a parser's error may carry the body)
 */
export function rawBodyFailure(
  error: unknown,
  limitBytes: number,
  options: { readonly declaredLength?: number | undefined; readonly keepCause?: boolean } = {},
): BoundedReadError | undefined {
  const details = error as { type?: unknown; received?: unknown; expected?: unknown } | null;
  const type = typeof details?.type === 'string' ? details.type : '';
  const reason = Object.hasOwn(RAW_BODY_FAILURES, type) ? RAW_BODY_FAILURES[type] : undefined;
  if (reason === undefined) return undefined;
  const expected = typeof details?.expected === 'number' ? details.expected : undefined;
  return new BoundedReadError(reason, {
    limitBytes,
    receivedBytes: typeof details?.received === 'number' ? details.received : 0,
    declaredLength: expected ?? options.declaredLength,
    ...(options.keepCause === false ? {} : { cause: error }),
  });
}

async function readNodeStream(
  stream: Readable,
  options: BoundedReadOptions,
  fail: Fail,
): Promise<Buffer> {
  if (
    options.declaredLength !== undefined &&
    options.signal === undefined &&
    stream.readable &&
    stream.readableEncoding === null &&
    !stream.readableObjectMode
  ) {
    return readDeclared(stream, options.declaredLength, options, fail);
  }
  const read = rawBody();
  let reading: Promise<Buffer>;
  try {
    reading = read(stream, {
      limit: options.limitBytes,
      ...(options.declaredLength === undefined ? {} : { length: options.declaredLength }),
    });
  } catch (error) {
    throw fail('unreadable', 0, error);
  }
  const { stop, clear } = stopper(options, fail, () => 0);
  try {
    return await Promise.race([reading, stop]);
  } catch (error) {
    if (error instanceof BoundedReadError) {
      // Timed out or aborted: stop reading; the caller's reply closes the connection.
      reading.catch(() => undefined);
      release(stream);
      throw error;
    }
    throw (
      rawBodyFailure(error, options.limitBytes, { declaredLength: options.declaredLength }) ??
      fail('stream-error', 0, error)
    );
  } finally {
    clear();
  }
}

/**
 * A Node stream with an announced length (a request's `Content-Length`), read with its own
 * listeners — what `raw-body` does, with the same failures and the same counts — without the
 * timeout's promise race: the timer is armed only when the body has not all arrived by the end
 * of the current turn of the event loop (`setImmediate`), so a small body that came with its
 * headers costs none. The timer counts from the event loop's time of that turn, so it fires when
 * one armed at the call would.
 */
function readDeclared(
  stream: Readable,
  declared: number,
  options: BoundedReadOptions,
  fail: Fail,
): Promise<Buffer> {
  const limitBytes = options.limitBytes;
  const timeoutMs = options.timeoutMs;
  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer | Buffer[] | undefined;
    let received = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let check: NodeJS.Immediate | undefined;
    const finish = (error: BoundedReadError | undefined): void => {
      if (done) return;
      done = true;
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('aborted', onAborted);
      if (timer !== undefined) clearTimeout(timer);
      if (check !== undefined) clearImmediate(check);
      if (error !== undefined) {
        // Stop reading: a stalled, oversized or failed sender is not waited for.
        release(stream);
        reject(error);
        return;
      }
      resolve(
        chunks === undefined
          ? Buffer.alloc(0)
          : Buffer.isBuffer(chunks)
            ? chunks
            : Buffer.concat(chunks, received),
      );
    };
    const onData = (chunk: unknown): void => {
      if (!Buffer.isBuffer(chunk)) {
        finish(fail('unreadable', received));
        return;
      }
      received += chunk.length;
      if (received > limitBytes) {
        finish(fail('too-large', received));
        return;
      }
      if (chunks === undefined) chunks = chunk;
      else if (Buffer.isBuffer(chunks)) chunks = [chunks, chunk];
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      finish(received === declared ? undefined : fail('length-mismatch', received));
    };
    const onError = (error: unknown): void => {
      finish(
        rawBodyFailure(error, limitBytes, { declaredLength: declared }) ??
          fail('stream-error', 0, error),
      );
    };
    const onAborted = (): void => finish(fail('ended-early', received));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
    if (timeoutMs !== undefined && !done) {
      check = setImmediate(() => {
        check = undefined;
        if (!done) timer = setTimeout(() => finish(fail('timeout', 0)), timeoutMs);
      });
    }
  });
}

/**
 * Reads a Fetch `Response`'s body (an API answer), at most `limitBytes` (in bytes): its
 * `Content-Length` above the limit refuses it unread (not with a `Content-Encoding`: then it
 * counts the encoded bytes), and `signal` (the request's, e.g. `AbortSignal.timeout(…)`) stops
 * the read. An answer shorter than its `Content-Length` is `fetch`'s own error (`stream-error`).
 *
 * @throws {BoundedReadError} see {@link BoundedReadFailure}
 */
export function readResponseBody(
  response: Response,
  options: { readonly limitBytes: number; readonly signal?: AbortSignal | undefined },
): Promise<Buffer> {
  const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const header = response.headers.get('content-length');
  const declared =
    encoding === 'identity' && header !== null && /^\s*\d{1,15}\s*$/.test(header)
      ? Number(header)
      : undefined;
  if (declared !== undefined && declared > options.limitBytes) {
    // Refused unread, as readBounded refuses an announced length above the limit.
    return readBounded(response.body, {
      limitBytes: options.limitBytes,
      declaredLength: declared,
    });
  }
  // The length is not held against the bytes: fetch itself checks it, and decodes encodings.
  return readBounded(response.body, {
    limitBytes: options.limitBytes,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}
