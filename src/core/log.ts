/**
 * Request logging: one structured line per request through a pino-compatible logger.
 *
 * @module
 */

/**
 * The part of a logger callcontrol calls: pino's signature `(object, message)`, so a pino
 * logger (or a pino child logger) fits as it is, and so do bunyan and most structured loggers.
 * A plain wrapper around `console` fits too:
 * `{ info: (o, m) => console.log(m, o), warn: …, error: … }`.
 *
 * Methods must not throw; if one does, the error is swallowed and the reply goes out anyway.
 */
export interface CallControlLogger {
  /** Requests answered as intended: `handled` and `duplicate`. */
  info(object: Record<string, unknown>, message?: string): void;
  /** Refused requests (4xx) and answers by fallback (a handler failed or missed its deadline). */
  warn(object: Record<string, unknown>, message?: string): void;
  /** 5xx-class errors: the store failed, a handler failed, a configuration error. */
  error(object: Record<string, unknown>, message?: string): void;
}

/**
 * The fields of the one line logged per request (message `callcontrol request`).
 *
 * Example (pino): `{"level":30,"provider":"placetel","event":"IncomingCall","callId":"4a4c…",
 * "method":"POST","path":"/","status":200,"outcome":"handled","durationMs":1.8,
 * "msg":"callcontrol request"}`
 */
export interface RequestLogLine {
  /** The provider id, e.g. `'placetel'`. */
  readonly provider: string;
  /** The provider's event name; absent when the request was refused before it was parsed. */
  readonly event?: string;
  /** The provider's call id; absent when refused before parsing or when the event has none. */
  readonly callId?: string;
  /** HTTP method of the request. */
  readonly method?: string;
  /** Path of the request, relative to where the app is mounted. */
  readonly path?: string;
  /** HTTP status of the reply. */
  readonly status: number;
  /** `handled`, `fallback`, `duplicate` or `refused`. */
  readonly outcome: string;
  /** The error code behind a refusal or a fallback, e.g. `CC_ERR_SIGNATURE_INVALID`. */
  readonly code?: string;
  /**
   * Time from the request reaching the app (its body read) to the reply being ready, in
   * **milliseconds**, to 0.1 ms. Absent for requests refused while the body was read.
   */
  readonly durationMs?: number;
  /**
   * `true` when the reply was ready more than {@link LATE_AFTER_MS} after the request's answer
   * deadline (`timeoutMs`): something kept the event loop busy — a handler's synchronous code,
   * or anything else in the process — and the deadline could not interrupt it. Such a line is
   * written at `warn`. Absent when the reply was in time, and for requests refused before
   * their event was known (they have no deadline).
   */
  readonly late?: true;
}

/**
 * How far past its deadline a reply may be ready before the request line calls it late, in
 * **milliseconds**: 50. A fallback sent by the deadline's own timer is ready a few milliseconds
 * after the deadline; this margin keeps it from being counted.
 */
export const LATE_AFTER_MS = 50;

/** The message of every request line. */
export const REQUEST_LOG_MESSAGE = 'callcontrol request';

/**
 * Writes one request line at the level its outcome calls for (see {@link CallControlLogger}; a
 * late reply, see {@link RequestLogLine.late}, is a `warn`); a logger that throws is ignored.
 */
export function logRequest(logger: CallControlLogger, line: RequestLogLine): void {
  try {
    if (line.status >= 500) logger.error({ ...line }, REQUEST_LOG_MESSAGE);
    else if (line.status >= 400 || line.outcome === 'fallback' || line.late === true) {
      logger.warn({ ...line }, REQUEST_LOG_MESSAGE);
    } else logger.info({ ...line }, REQUEST_LOG_MESSAGE);
  } catch {
    // A failing logger must not take the reply down with it.
  }
}

/**
 * Checks a `logger` option when the app is created.
 *
 * @throws {TypeError} when `logger` lacks a function `info`, `warn` or `error`
 */
export function checkLogger(logger: unknown): CallControlLogger | undefined {
  if (logger === undefined) return undefined;
  const candidate = logger as Partial<Record<'info' | 'warn' | 'error', unknown>> | null;
  for (const method of ['info', 'warn', 'error'] as const) {
    if (candidate === null || typeof candidate[method] !== 'function') {
      throw new TypeError(
        `logger must have info, warn and error methods (pino-compatible); ${method} is missing`,
      );
    }
  }
  return logger as CallControlLogger;
}

/** At most this many stderr lines a second per app (the app option `stderr`). */
export const STDERR_LINES_PER_SECOND = 10;

/** Options of {@link createLineLimiter}. */
export interface LineLimiterOptions {
  /** Writes one line (without its newline). */
  readonly write: (line: string) => void;
  /** Lines let through per window of `windowMs`. Default {@link STDERR_LINES_PER_SECOND}. */
  readonly limit?: number;
  /** The window, in **milliseconds**. Default 1000. */
  readonly windowMs?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Runs `run` after `ms` milliseconds, without keeping the process alive. Default: an
   * `unref`'d `setTimeout`.
   */
  readonly schedule?: (run: () => void, ms: number) => void;
  /** What the count line says the lines came from, e.g. `placetel`. */
  readonly source?: string;
}

/**
 * A writer of at most `limit` lines per window: the lines beyond are dropped and counted, and
 * when the window ends one line says how many were (`[callcontrol] placetel: 40 more lines
 * suppressed (at most 10 a second)`), so that a flood of bad requests cannot fill a disk.
 */
export function createLineLimiter(options: LineLimiterOptions): (line: string) => void {
  const limit = options.limit ?? STDERR_LINES_PER_SECOND;
  const windowMs = options.windowMs ?? 1000;
  const now = options.now ?? Date.now;
  const schedule =
    options.schedule ??
    ((run: () => void, ms: number) => {
      setTimeout(run, ms).unref();
    });
  const perWindow = windowMs === 1000 ? 'a second' : `per ${windowMs} ms`;
  let windowStart = Number.NEGATIVE_INFINITY;
  let written = 0;
  let suppressed = 0;
  let scheduled = false;

  const write = (line: string): void => {
    try {
      options.write(line);
    } catch {
      // A failing stream must not take the reply down with it.
    }
  };
  const flush = (): void => {
    scheduled = false;
    if (suppressed === 0) return;
    const count = suppressed;
    suppressed = 0;
    write(
      `[callcontrol]${options.source === undefined ? '' : ` ${options.source}:`} ${count} more ` +
        `line${count === 1 ? '' : 's'} suppressed (at most ${limit} ${perWindow})`,
    );
  };

  return (line: string): void => {
    const time = now();
    if (time - windowStart >= windowMs) {
      flush();
      windowStart = time;
      written = 0;
    }
    if (written < limit) {
      written++;
      write(line);
      return;
    }
    suppressed++;
    if (!scheduled) {
      scheduled = true;
      schedule(flush, Math.max(0, windowStart + windowMs - time));
    }
  };
}

/** What one problem line says; see {@link problemLine}. */
export interface ProblemLine {
  /** The provider id. */
  readonly provider: string;
  /** The event name; absent when the request was refused before it was parsed. */
  readonly event?: string | undefined;
  /** `refused` (4xx), `fallback` (the fallback answer went out), `error`, or `warning`. */
  readonly outcome: string;
  /** HTTP status of the reply, when the problem decided it. */
  readonly status?: number | undefined;
  /** The error code, e.g. `CC_ERR_SIGNATURE_INVALID`. */
  readonly code?: string | undefined;
  /** What happened. */
  readonly message: string;
  /** Where the underlying error was thrown (its first stack frame), for handler failures. */
  readonly at?: string | undefined;
}

const MAX_MESSAGE_LENGTH = 300;

/**
 * One line of `key=value` fields, e.g. `[callcontrol] provider=placetel event=- outcome=refused
 * status=403 code=CC_ERR_SIGNATURE_INVALID message="The X-PLACETEL-SIGNATURE does not match
 * the body under any configured secret"`. The message is quoted as JSON (line breaks and
 * control characters escaped, so one request makes one line) and cut at 300 characters.
 */
export function problemLine(line: ProblemLine): string {
  const message =
    line.message.length > MAX_MESSAGE_LENGTH
      ? `${line.message.slice(0, MAX_MESSAGE_LENGTH)}…`
      : line.message;
  return (
    `[callcontrol] provider=${line.provider} event=${line.event ?? '-'} outcome=${line.outcome}` +
    (line.status === undefined ? '' : ` status=${line.status}`) +
    (line.code === undefined ? '' : ` code=${line.code}`) +
    ` message=${JSON.stringify(message)}` +
    (line.at === undefined ? '' : ` at=${JSON.stringify(line.at)}`)
  );
}

/**
 * The first frame of an error's stack (`/app/handlers.js:12:11`), if it has one. Never throws,
 * whatever `error` is (a Proxy whose traps throw, an `Error` whose `stack` getter throws).
 */
export function firstStackFrame(error: unknown): string | undefined {
  const stack = attempt(() => (error instanceof Error ? error.stack : undefined));
  if (typeof stack !== 'string') return undefined;
  const frame = /^\s+at (?:.*? \()?(.*?)\)?$/m.exec(stack);
  return frame?.[1];
}

/** `run()`'s result, or `undefined` when it throws (whatever it throws). */
function attempt<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}

/** Longest text {@link describeThrown} returns (then cut, with `…`). */
export const MAX_THROWN_LENGTH = 200;

/**
 * What a thrown (or rejected) value says, for an error message: an `Error`'s `message` (its
 * `name` when the message is empty), a string as it is, `undefined`, `null`, a symbol's
 * `Symbol(description)`, an object's own `String(value)` when that is more than
 * `[object Object]`, else its `Object.prototype.toString` tag (`[object Object]` for
 * `Object.create(null)`). Never throws: a getter, `toString` or Proxy trap that throws is
 * skipped, and a value nothing can be read of is `a value that cannot be described`. At most
 * {@link MAX_THROWN_LENGTH} characters.
 */
export function describeThrown(value: unknown): string {
  const text = attempt(() => describeUnchecked(value)) ?? 'a value that cannot be described';
  return text.length > MAX_THROWN_LENGTH ? `${text.slice(0, MAX_THROWN_LENGTH)}…` : text;
}

function describeUnchecked(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : value;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'object':
      break;
    default:
      // number, bigint, boolean, symbol: String() never calls user code for them.
      return String(value);
  }
  if (value === null) return 'null';
  const message = attempt(() => (value instanceof Error ? value.message : undefined));
  if (typeof message === 'string' && message !== '') return message;
  if (typeof message === 'string') {
    const name = attempt(() => (value as Error).name);
    return typeof name === 'string' && name !== '' ? name : 'Error';
  }
  const text = attempt(() => String(value));
  if (typeof text === 'string' && text !== '[object Object]' && text !== '') return text;
  const tag = attempt(() => Object.prototype.toString.call(value));
  return typeof tag === 'string' ? tag : 'a value that cannot be described';
}
