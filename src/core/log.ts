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
}

/** The message of every request line. */
export const REQUEST_LOG_MESSAGE = 'callcontrol request';

/**
 * Writes one request line at the level its outcome calls for (see {@link CallControlLogger});
 * a logger that throws is ignored.
 */
export function logRequest(logger: CallControlLogger, line: RequestLogLine): void {
  try {
    if (line.status >= 500) logger.error({ ...line }, REQUEST_LOG_MESSAGE);
    else if (line.status >= 400 || line.outcome === 'fallback') {
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
