/**
 * The one bounded reader (`readBounded`, `readResponseBody`) over both kinds of stream — a WHATWG
 * `ReadableStream` and a Node `Readable` — and the request limits built on it (`limits.ts`): a
 * body of exactly the limit is read, one byte more is refused; an announced length above the
 * limit reads nothing; announced and streamed lengths must agree; the timeout and the abort
 * signal stop the read and release the stream.
 */
import { PassThrough, Readable } from 'node:stream';
import { BoundedReadError, readBounded, readResponseBody } from '../../src/core/bounded-read';
import { isCallControlError } from '../../src/core/errors';
import {
  MAX_HEADER_COUNT,
  bodyReadError,
  checkHeaderEntries,
  checkKeptBody,
  checkRawHeaders,
  declaredContentLength,
  readRequestBody,
} from '../../src/core/limits';

/** A web stream of `total` bytes in chunks of `chunk`, recording pulls and cancellation. */
function webStream(total: number, chunk = 7) {
  const state = { pulls: 0, cancelled: false, sent: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulls += 1;
      if (state.sent >= total) {
        controller.close();
        return;
      }
      const size = Math.min(chunk, total - state.sent);
      state.sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

/** A Node stream of `total` bytes in chunks of `chunk`. */
function nodeStream(total: number, chunk = 7): Readable {
  const parts: Buffer[] = [];
  for (let sent = 0; sent < total; sent += chunk) {
    parts.push(Buffer.alloc(Math.min(chunk, total - sent), 0x61));
  }
  return Readable.from(parts, { objectMode: false });
}

async function reason(reading: Promise<unknown>): Promise<string> {
  try {
    await reading;
  } catch (error) {
    if (error instanceof BoundedReadError) return error.reason;
    throw error;
  }
  return 'read';
}

const kinds = [
  ['web stream', (total: number) => webStream(total).stream],
  ['Node stream', (total: number) => nodeStream(total)],
] as const;

describe.each(kinds)('readBounded over a %s', (_kind, make) => {
  test('a body of exactly the limit is read whole; one byte more is too large', async () => {
    const body = await readBounded(make(64), { limitBytes: 64 });
    expect(body.length).toBe(64);
    expect(await reason(readBounded(make(65), { limitBytes: 64 }))).toBe('too-large');
    expect(await reason(readBounded(make(1), { limitBytes: 0 }))).toBe('too-large');
    expect((await readBounded(make(0), { limitBytes: 0 })).length).toBe(0);
  });

  test('an announced length exactly at the limit is read; one more is refused', async () => {
    expect((await readBounded(make(64), { limitBytes: 64, declaredLength: 64 })).length).toBe(64);
    expect(await reason(readBounded(make(65), { limitBytes: 64, declaredLength: 65 }))).toBe(
      'too-large',
    );
  });

  test('announced and streamed lengths must agree', async () => {
    expect(await reason(readBounded(make(9), { limitBytes: 64, declaredLength: 10 }))).toBe(
      'length-mismatch',
    );
    expect(await reason(readBounded(make(11), { limitBytes: 64, declaredLength: 10 }))).toBe(
      'length-mismatch',
    );
    // Streamed past the limit with a smaller announced length: refused either way.
    expect(await reason(readBounded(make(100), { limitBytes: 64, declaredLength: 10 }))).toMatch(
      /too-large|length-mismatch/,
    );
  });

  test('an aborted signal stops the read', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    expect(await reason(readBounded(make(10), { limitBytes: 64, signal: controller.signal }))).toBe(
      'aborted',
    );
  });
});

describe('readBounded: web streams', () => {
  test('an announced length above the limit reads nothing and cancels the stream', async () => {
    const { stream, state } = webStream(1000);
    expect(await reason(readBounded(stream, { limitBytes: 64, declaredLength: 1000 }))).toBe(
      'too-large',
    );
    expect(state.pulls).toBeLessThanOrEqual(1);
    expect(state.cancelled).toBe(true);
  });

  test('streamed past the limit: reading stops at the first chunk over it', async () => {
    const { stream, state } = webStream(10_000, 10);
    const error = await readBounded(stream, { limitBytes: 64 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BoundedReadError);
    expect((error as BoundedReadError).receivedBytes).toBe(70);
    expect(state.pulls).toBeLessThanOrEqual(9);
    expect(state.cancelled).toBe(true);
  });

  test('a signal aborted while reading stops a stalled stream and cancels it', async () => {
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
      },
      pull: () => new Promise<void>(() => undefined),
      cancel() {
        cancelled = true;
      },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    expect(await reason(readBounded(stalled, { limitBytes: 64, signal: controller.signal }))).toBe(
      'aborted',
    );
    expect(cancelled).toBe(true);
  });

  test('the timeout stops a stalled stream', async () => {
    const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) });
    const started = Date.now();
    expect(await reason(readBounded(stalled, { limitBytes: 64, timeoutMs: 50 }))).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });

  test('no stream is an empty body; with an announced length it is short', async () => {
    expect((await readBounded(null, { limitBytes: 64 })).length).toBe(0);
    expect(await reason(readBounded(null, { limitBytes: 64, declaredLength: 5 }))).toBe(
      'length-mismatch',
    );
  });

  test('a failing stream, and chunks that are not bytes', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    expect(await reason(readBounded(failing, { limitBytes: 64 }))).toBe('stream-error');
    const strings = new ReadableStream<string>({
      start(controller) {
        controller.enqueue('abc');
        controller.close();
      },
    }) as unknown as ReadableStream<Uint8Array>;
    expect(await reason(readBounded(strings, { limitBytes: 64 }))).toBe('unreadable');
  });

  test('a limit that is not a whole number of bytes is a TypeError', async () => {
    await expect(readBounded(null, { limitBytes: -1 })).rejects.toThrow(TypeError);
    await expect(readBounded(null, { limitBytes: 1.5 })).rejects.toThrow(TypeError);
  });
});

describe('readBounded: Node streams (raw-body)', () => {
  test('the timeout stops a stalled stream, which is paused', async () => {
    const stalled = new PassThrough();
    stalled.write('abc');
    expect(await reason(readBounded(stalled, { limitBytes: 64, timeoutMs: 50 }))).toBe('timeout');
    expect(stalled.isPaused()).toBe(true);
  });

  test('a signal aborted while reading stops it', async () => {
    const stalled = new PassThrough();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    expect(await reason(readBounded(stalled, { limitBytes: 64, signal: controller.signal }))).toBe(
      'aborted',
    );
  });

  test('a stream that fails is a stream error; a request aborted by its sender ended early', async () => {
    const failing = new PassThrough();
    setTimeout(() => failing.destroy(new Error('reset')), 10);
    expect(await reason(readBounded(failing, { limitBytes: 64 }))).toBe('stream-error');
    const aborted = new PassThrough();
    setTimeout(() => aborted.emit('aborted'), 10);
    expect(await reason(readBounded(aborted, { limitBytes: 64 }))).toBe('ended-early');
  });
});

describe('readResponseBody', () => {
  const response = (body: string, headers: Record<string, string> = {}) =>
    new Response(body, { headers });

  test('exactly the limit is read; one more byte is too large', async () => {
    expect((await readResponseBody(response('x'.repeat(32)), { limitBytes: 32 })).length).toBe(32);
    expect(await reason(readResponseBody(response('x'.repeat(33)), { limitBytes: 32 }))).toBe(
      'too-large',
    );
  });

  test('a Content-Length above the limit is refused unread, unless the body is encoded', async () => {
    const { stream, state } = webStream(1000);
    const declared = new Response(stream, { headers: { 'content-length': '1000' } });
    expect(await reason(readResponseBody(declared, { limitBytes: 32 }))).toBe('too-large');
    expect(state.pulls).toBeLessThanOrEqual(1);
    // An encoded answer's Content-Length counts encoded bytes: not held against the limit.
    const encoded = response('x'.repeat(10), {
      'content-length': '1000',
      'content-encoding': 'gzip',
    });
    expect((await readResponseBody(encoded, { limitBytes: 32 })).length).toBe(10);
  });

  test('an aborted signal stops the read', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      await reason(
        readResponseBody(response('abc'), { limitBytes: 32, signal: controller.signal }),
      ),
    ).toBe('aborted');
  });
});

describe('the request limits', () => {
  const limits = { bodyLimitBytes: 64, bodyTimeoutMs: 1000, maxHeaderBytes: 100 };

  const code = (work: () => unknown): string | undefined => {
    try {
      work();
    } catch (error) {
      return isCallControlError(error) ? error.code : 'not coded';
    }
    return undefined;
  };

  test('headers: exactly maxHeaderBytes and 100 lines pass; one byte or line more is 431', () => {
    const name = 'x-a';
    expect(code(() => checkRawHeaders(limits, [name, 'v'.repeat(100 - name.length)]))).toBe(
      undefined,
    );
    expect(code(() => checkRawHeaders(limits, [name, 'v'.repeat(101 - name.length)]))).toBe(
      'CC_ERR_HEADERS_TOO_LARGE',
    );
    const many = (count: number) => Array.from({ length: count }, (_, i) => [`h${i}`, ''] as const);
    const roomy = { ...limits, maxHeaderBytes: 10_000 };
    expect(code(() => checkHeaderEntries(roomy, many(MAX_HEADER_COUNT)))).toBe(undefined);
    expect(code(() => checkHeaderEntries(roomy, many(MAX_HEADER_COUNT + 1)))).toBe(
      'CC_ERR_HEADERS_TOO_LARGE',
    );
    // UTF-8 bytes, not characters: 34 × 'é' is 68 bytes.
    expect(code(() => checkRawHeaders(limits, ['x', 'é'.repeat(50)]))).toBe(
      'CC_ERR_HEADERS_TOO_LARGE',
    );
  });

  test('Content-Length must be decimal digits', () => {
    expect(declaredContentLength(undefined)).toBeUndefined();
    expect(declaredContentLength(' 12 ')).toBe(12);
    for (const bad of ['12, 12', '-1', '0x10', '', '1e3']) {
      expect(code(() => declaredContentLength(bad))).toBe('CC_ERR_REQUEST_MALFORMED');
    }
  });

  test('kept bytes: exactly the limit passes, one more is 413; an encoding is 415', () => {
    expect(code(() => checkKeptBody(limits, Buffer.alloc(64), {}))).toBe(undefined);
    expect(code(() => checkKeptBody(limits, Buffer.alloc(65), {}))).toBe('CC_ERR_BODY_TOO_LARGE');
    expect(code(() => checkKeptBody(limits, Buffer.alloc(1), { 'content-encoding': 'br' }))).toBe(
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  test.each([
    ['too-large', 'CC_ERR_BODY_TOO_LARGE', 413],
    ['timeout', 'CC_ERR_BODY_TIMEOUT', 408],
    ['length-mismatch', 'CC_ERR_BODY_ABORTED', 400],
    ['ended-early', 'CC_ERR_BODY_ABORTED', 400],
    ['stream-error', 'CC_ERR_BODY_ABORTED', 400],
    ['aborted', 'CC_ERR_BODY_ABORTED', 400],
    ['unreadable', 'CC_ERR_BODY_INVALID', 400],
  ] as const)('a read failing with %s is %s (%d)', (failure, expected, status) => {
    const error = bodyReadError(
      new BoundedReadError(failure, { limitBytes: 64, receivedBytes: 3, declaredLength: 5 }),
      limits,
    );
    expect(error.code).toBe(expected);
    expect(error.status).toBe(status);
  });

  test('readRequestBody over both kinds of stream: the same codes', async () => {
    const codeOf = async (reading: Promise<unknown>) =>
      reading.then(
        () => 'read',
        (error: unknown) => (isCallControlError(error) ? error.code : 'not coded'),
      );
    for (const [, make] of kinds) {
      expect(await codeOf(readRequestBody(limits, make(64), {}))).toBe('read');
      expect(await codeOf(readRequestBody(limits, make(65), {}))).toBe('CC_ERR_BODY_TOO_LARGE');
      expect(await codeOf(readRequestBody(limits, make(65), { 'content-length': '65' }))).toBe(
        'CC_ERR_BODY_TOO_LARGE',
      );
      expect(await codeOf(readRequestBody(limits, make(9), { 'content-length': '10' }))).toBe(
        'CC_ERR_BODY_ABORTED',
      );
      expect(await codeOf(readRequestBody(limits, make(9), { 'content-encoding': 'gzip' }))).toBe(
        'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      );
      expect(await codeOf(readRequestBody(limits, make(9), { 'content-length': 'x' }))).toBe(
        'CC_ERR_REQUEST_MALFORMED',
      );
    }
  });
});

describe('readBounded: Node streams with an announced length (own listeners)', () => {
  afterEach(() => jest.restoreAllMocks());

  const ended = (...chunks: string[]): PassThrough => {
    const stream = new PassThrough();
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
    return stream;
  };

  test('exactly the announced length is read whole, in one chunk or several', async () => {
    expect(
      (await readBounded(ended('abcdef'), { limitBytes: 6, declaredLength: 6 })).toString(),
    ).toBe('abcdef');
    expect(
      (await readBounded(ended('ab', 'cd', 'ef'), { limitBytes: 6, declaredLength: 6 })).toString(),
    ).toBe('abcdef');
    expect((await readBounded(ended(), { limitBytes: 6, declaredLength: 0 })).length).toBe(0);
  });

  test('streamed past the limit is too large; short or long of the announced length a mismatch', async () => {
    const over = await readBounded(ended('abc', 'def', 'g'), {
      limitBytes: 6,
      declaredLength: 6,
    }).catch((error: unknown) => error as BoundedReadError);
    expect(over).toMatchObject({ reason: 'too-large', receivedBytes: 7, declaredLength: 6 });
    const short = await readBounded(ended('abcde'), { limitBytes: 6, declaredLength: 6 }).catch(
      (error: unknown) => error as BoundedReadError,
    );
    expect(short).toMatchObject({ reason: 'length-mismatch', receivedBytes: 5, declaredLength: 6 });
    const long = await readBounded(ended('abcdef'), { limitBytes: 6, declaredLength: 5 }).catch(
      (error: unknown) => error as BoundedReadError,
    );
    expect(long).toMatchObject({ reason: 'length-mismatch', receivedBytes: 6 });
  });

  test('a stalled body times out (the stream paused), a failing one is a stream error, an aborted one ended early', async () => {
    const stalled = new PassThrough();
    stalled.write('abc');
    expect(
      await reason(readBounded(stalled, { limitBytes: 64, declaredLength: 6, timeoutMs: 50 })),
    ).toBe('timeout');
    expect(stalled.isPaused()).toBe(true);
    const failing = new PassThrough();
    setTimeout(() => failing.destroy(new Error('reset')), 10);
    expect(await reason(readBounded(failing, { limitBytes: 64, declaredLength: 6 }))).toBe(
      'stream-error',
    );
    const aborted = new PassThrough();
    aborted.write('ab');
    setTimeout(() => aborted.emit('aborted'), 10);
    const early = await readBounded(aborted, { limitBytes: 64, declaredLength: 6 }).catch(
      (error: unknown) => error as BoundedReadError,
    );
    expect(early).toMatchObject({ reason: 'ended-early', receivedBytes: 2 });
  });

  test('a body that has all arrived within the turn arms no timeout timer, and leaves no listener', async () => {
    const timers = jest.spyOn(global, 'setTimeout');
    const stream = ended('abcdef');
    const body = await readBounded(stream, { limitBytes: 64, declaredLength: 6, timeoutMs: 5000 });
    expect(body.toString()).toBe('abcdef');
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers).not.toHaveBeenCalled();
    expect(stream.listenerCount('data') + stream.listenerCount('aborted')).toBe(0);
  });
});
