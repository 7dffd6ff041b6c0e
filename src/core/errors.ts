/**
 * The one error class of callcontrol and the registry of its stable codes.
 *
 * Every code is listed once in {@link ERROR_CODES} with the HTTP status it answers with, a
 * one-line meaning and whether its reply closes the connection; the table in `docs/errors.md`
 * is kept equal to this registry, row by row, by `test/core/errors.test.ts`.
 * Codes are `CC_ERR_<AREA>_<PROBLEM>` and are never reused for another meaning.
 *
 * @module
 */

/** What one registry entry says about a code. */
export interface ErrorCodeInfo {
  /** HTTP status the webhook answers with when a request fails with this code. */
  readonly status: number;
  /** One line: what went wrong, as the table in `docs/errors.md` says it. */
  readonly meaning: string;
  /**
   * `true` for the codes whose reply closes the connection (`Connection: close`): the rest of
   * the request may still be in flight (a body too large, aborted or too slow, headers too
   * large), so the connection cannot carry another request. Absent: kept open.
   */
  readonly closesConnection?: true;
}

/**
 * Every error code callcontrol uses, with its HTTP status and meaning.
 *
 * 4xx codes are caused by the request (the provider or a caller); the webhook answers with
 * that status and a small XML body `<Error code="…">message</Error>`. 5xx codes are
 * configuration or programming errors of the application; handler failures never reach the
 * provider as a 5xx — the provider's fallback answer goes out with 200 instead and the
 * error goes to `onError`.
 */
export const ERROR_CODES = {
  CC_ERR_REQUEST_MALFORMED: {
    status: 400,
    meaning:
      'The request cannot be read: a required field (such as `event` or `call_id`) is missing or a field has an invalid value.',
  },
  CC_ERR_BODY_INVALID: {
    status: 400,
    meaning:
      'The body is not valid for its content type (e.g. broken JSON), or the body or query is not valid UTF-8 text (raw bytes or percent-encoded ones such as `%FF`).',
  },
  CC_ERR_BODY_ABORTED: {
    status: 400,
    meaning:
      'The client closed the connection before the whole body arrived, or sent fewer bytes than its Content-Length.',
    closesConnection: true,
  },
  CC_ERR_AUTH_BASIC: {
    status: 401,
    meaning:
      'HTTP basic auth is configured and the request has no or wrong credentials (answered with `WWW-Authenticate`).',
  },
  CC_ERR_SIGNATURE_MISSING: {
    status: 403,
    meaning: 'A signing secret is configured and the request carries no signature header.',
  },
  CC_ERR_SIGNATURE_INVALID: {
    status: 403,
    meaning:
      'The signature header does not match the HMAC of the exact body bytes under any configured secret.',
  },
  CC_ERR_TOKEN_MISSING: {
    status: 403,
    meaning:
      'A URL token is configured and the request carries none (query parameter or path segment).',
  },
  CC_ERR_TOKEN_INVALID: {
    status: 403,
    meaning: 'The URL token does not match any configured token.',
  },
  CC_ERR_SOURCE_FORBIDDEN: {
    status: 403,
    meaning:
      'The request comes from an address outside `allowFrom` (the TCP peer, or the client named by `X-Forwarded-For` behind a trusted proxy).',
  },
  CC_ERR_BODY_TIMEOUT: {
    status: 408,
    meaning:
      "The body did not arrive within the app's `bodyTimeoutMs` (a slow or stalled sender); the connection is closed.",
    closesConnection: true,
  },
  CC_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    meaning: 'The provider never sends this HTTP method to this endpoint (answered with `Allow`).',
  },
  CC_ERR_EVENT_REPLAYED: {
    status: 409,
    meaning:
      'An event a call has once (Placetel `IncomingCall`, `OutgoingCall`, `HungUp`) came again, past the duplicate window or with another body, for a call that already had it or has ended: a replay; the handler did not run.',
  },
  CC_ERR_BODY_TOO_LARGE: {
    status: 413,
    meaning: "The body is larger than the app's `bodyLimitBytes`.",
    closesConnection: true,
  },
  CC_ERR_BODY_TOO_MANY_FIELDS: {
    status: 413,
    meaning: 'The body or query holds more fields than `MAX_FIELDS` (1000).',
  },
  CC_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    meaning: "The request's headers are larger than the app's `maxHeaderBytes`, or more than 100.",
    closesConnection: true,
  },
  CC_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'The Content-Type, its charset or the Content-Encoding is not one the provider sends.',
  },
  CC_ERR_ANSWER_INVALID: {
    status: 500,
    meaning:
      'An answer builder was called with invalid arguments (thrown when the answer is built).',
  },
  CC_ERR_HANDLER_FAILED: {
    status: 500,
    meaning:
      'A handler threw or rejected; the provider got the fallback answer (HTTP 200) and `onError` got this error with the original as `cause`.',
  },
  CC_ERR_HANDLER_TIMEOUT: {
    status: 504,
    meaning:
      "A handler did not answer within the app's `timeoutMs` (or a repeated delivery waited past it for the first); the provider got the fallback answer (HTTP 200) at once and the late result was discarded.",
  },
  CC_ERR_STORE_UNAVAILABLE: {
    status: 503,
    meaning:
      'The store (e.g. Redis) failed, did not answer in time or is known to be down (reported once per outage); requests are answered in time without duplicate detection, and sessions read as empty and drop writes.',
  },
  CC_ERR_HANDLER_RESULT: {
    status: 500,
    meaning:
      'A handler returned something that is not an answer of this provider; the provider got the fallback answer (HTTP 200).',
  },
  CC_ERR_UPSTREAM_UNREACHABLE: {
    status: 502,
    meaning:
      "A provider API client could not reach the provider's API (connection refused, DNS, TLS, reset).",
  },
  CC_ERR_UPSTREAM_TIMEOUT: {
    status: 504,
    meaning: 'A provider API client got no complete answer within its `timeoutMs`.',
  },
  CC_ERR_UPSTREAM_INVALID: {
    status: 502,
    meaning:
      'A provider API answered with something that is not its documented envelope (wrong HTTP status, not XML/JSON, fields missing).',
  },
  CC_ERR_UPSTREAM_REFUSED: {
    status: 502,
    meaning:
      "A provider API answered with its own error (e.g. Ozeki `<Code>601</Code>`, Opentact `success: false`); the provider's code and message are on the error.",
  },
  CC_ERR_RECORD_FAILED: {
    status: 500,
    meaning:
      "The app's `record` file could not be written (reported once; recording stops). Answers are not affected.",
  },
  CC_ERR_CONFIG_BODY_CONSUMED: {
    status: 500,
    meaning:
      "Another body parser read the request before callcontrol and kept no raw body: mount callcontrol first or pass `captureRawBody` as the parser's `verify` option.",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A stable callcontrol error code, e.g. `'CC_ERR_SIGNATURE_INVALID'`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options of {@link CallControlError} beyond code and message. */
export interface CallControlErrorOptions {
  /** The error that led to this one (kept, never mutated). */
  cause?: unknown;
  /** Extra HTTP headers to send with the error answer (e.g. `WWW-Authenticate`). */
  headers?: Readonly<Record<string, string>>;
  /** Whether `message` may be shown to the HTTP client. Defaults to `status < 500`. */
  expose?: boolean;
}

/**
 * The single error class of callcontrol.
 *
 * `code` is a stable key of {@link ERROR_CODES}; `status` is the HTTP status that code answers
 * with; `expose` says whether the message is safe to send to the client (4xx: yes).
 *
 * @example
 * ```ts
 * calls.onError((err) => {
 *   if (err.code === 'CC_ERR_SIGNATURE_INVALID') metrics.increment('placetel.bad_signature');
 * });
 * ```
 */
export class CallControlError extends Error {
  /** Always `'CallControlError'` (also how {@link isCallControlError} knows a copy of the class). */
  override readonly name = 'CallControlError';
  /** Stable code, see the table in `docs/errors.md`. */
  readonly code: ErrorCode;
  /** HTTP status answered for this error. */
  readonly status: number;
  /** Whether the message may be sent to the client. */
  readonly expose: boolean;
  /** HTTP headers that belong to this error's answer. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: CallControlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.expose = options.expose ?? this.status < 500;
    this.headers = options.headers ?? {};
  }
}

/** Whether `value` is a {@link CallControlError} (also across duplicated module copies). */
export function isCallControlError(value: unknown): value is CallControlError {
  return (
    value instanceof CallControlError ||
    (value instanceof Error &&
      value.name === 'CallControlError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
