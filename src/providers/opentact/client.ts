/**
 * Opentact REST API client for asynchronous call control: push an Opentact XML call flow to a
 * live (parked) call, look calls up, and send any other REST request with the same transport.
 *
 * Spec: `docs/providers/opentact.md` §2.1 mode 3 ("park + asynchronous control": the call waits for a
 * Call Control API command, typically up to 30 seconds), §2.5 (the push endpoints: the newer
 * `POST /rest/call/sca/{call_uuid}` used by a production integration and the OAS "Post call XML"
 * `POST /rest/sip/app/call/{uuid}`, both `multipart/form-data` with the XML in the field `file`;
 * `GET /rest/sip/app/call/{uuid}`, `GET /rest/sip/app/call/online`) and §6 (base URLs, the
 * `X-Auth-Token` header, the `{"success": …, "payload" | "message", "status"?}` envelope).
 *
 * Every answer is read as the §6 envelope: `{"success": true, "payload": …}` resolves with the
 * payload; `{"success": false, "message": "…", "status"?: n}` rejects with an
 * {@link OpentactApiError} (`CC_ERR_UPSTREAM_REFUSED`), and so does HTTP 401/403 with or without
 * an envelope (the token was refused). Anything that is not the envelope — HTML, plain text, JSON
 * without a boolean `success`, another non-2xx status without an envelope, a redirect (never
 * followed: it would carry the token elsewhere), an answer over 4 MiB — rejects with
 * `CC_ERR_UPSTREAM_INVALID`; a network failure with `CC_ERR_UPSTREAM_UNREACHABLE`; no complete
 * answer (body included) within `timeoutMs` **milliseconds** with `CC_ERR_UPSTREAM_TIMEOUT`.
 *
 * The token is only ever sent as the `X-Auth-Token` header. It never appears in an error: no
 * message quotes a URL's query or a header, text Opentact sends back has the token replaced by
 * `***`, and JSON parse errors (which quote the body) are not kept as a `cause`.
 *
 * @example
 * ```ts
 * const opentact = createOpentactClient({ token: process.env.OPENTACT_TOKEN ?? '' });
 * await opentact.pushCallFlow(
 *   '6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c',
 *   '<Response><Answer/><Say>Thank you for calling.</Say><Hangup/></Response>',
 * );
 * const calls = await opentact.listOnlineCalls();
 * ```
 *
 * @module
 */
import { BoundedReadError, readResponseBody } from '../../core/bounded-read';
import { upstreamFailure } from '../../core/upstream';
import { CallControlError } from '../../core/errors';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** Opentact's production REST base URL (spec §6). The default `baseUrl`. */
export const OPENTACT_API_BASE_URL = 'https://api.opentact.org/rest';

/** Opentact's staging REST base URL (spec §6). */
export const OPENTACT_STAGING_BASE_URL = 'https://api.stage.opentact.org/rest';

/** Largest answer read, in bytes (4 MiB); a larger one is `CC_ERR_UPSTREAM_INVALID`. */
export const OPENTACT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Default limit for one whole exchange, in **milliseconds**. */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 2_147_483_647;
const CLIENT_OPTIONS = ['token', 'baseUrl', 'timeoutMs'] as const;
const METHODS: readonly OpentactRequestMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path below the base URL: `/segment/…`, characters a URL path may hold unencoded, or `%XX`. */
const PATH = /^(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+)+\/?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** Options of {@link createOpentactClient}. */
export interface OpentactClientOptions {
  /**
   * The API token (a portal "Auth Token" or the JWT of `GET /rest/auth`, spec §6), sent as the
   * `X-Auth-Token` header of every request. Required; visible ASCII without spaces. Never
   * shown in errors.
   */
  readonly token: string;
  /**
   * The REST base URL, without a query or fragment: {@link OPENTACT_API_BASE_URL} (default,
   * `https://api.opentact.org/rest`) or {@link OPENTACT_STAGING_BASE_URL}. Paths such as
   * `/call/sca/{uuid}` are appended to it.
   *
   * The Opentact API is **HTTPS-only** (spec §6: plain HTTP gets a 301/302, which this client
   * does not follow). `http:` is accepted only for local fakes and tests: over plain HTTP the
   * token travels in clear text.
   */
  readonly baseUrl?: string | undefined;
  /**
   * Limit for one whole exchange (connect, send, answer and its body) in **milliseconds**.
   * Default 10000; a positive number up to 2147483647.
   */
  readonly timeoutMs?: number | undefined;
}

/** Something that renders Opentact XML, e.g. an answer object with `toXml()`. */
export interface OpentactRenderableCallFlow {
  /** The whole XML document, e.g. an answer built with the provider's builders. */
  toXml(): string;
}

/**
 * Which push endpoint {@link OpentactClient.pushCallFlow} uses (spec §2.5):
 * `'sca'` → `POST <baseUrl>/call/sca/{callUuid}` (the newer one, seen in a production
 * integration; the default); `'legacy'` → `POST <baseUrl>/sip/app/call/{callUuid}` (the OAS
 * "Post call XML" path).
 */
export type OpentactPushEndpoint = 'sca' | 'legacy';

/** Options of {@link OpentactClient.pushCallFlow}. */
export interface OpentactPushOptions {
  /** The endpoint, `'sca'` (default) or `'legacy'`; see {@link OpentactPushEndpoint}. */
  readonly endpoint?: OpentactPushEndpoint | undefined;
}

/**
 * A call entity (`ISIPControlAppCall` / `CallSCA`, spec §2.2, §4.3), lightly typed: each field
 * is set only when the payload has it with the right type (`from`/`to` also when sent as JSON
 * numbers, then as their decimal text). Everything Opentact sent is in `raw`.
 */
export interface OpentactApiCall {
  /** The call's UUID, e.g. `'6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c'`. */
  readonly uuid?: string;
  /** The caller (ANI), e.g. `'+14158531285'`. */
  readonly from?: string;
  /** The called number (DNIS), e.g. `'18382050010'`. */
  readonly to?: string;
  /**
   * The call's state: `init`, `ringing`, `live`, `hangup`, `destroyed` (spec §4.2) or the older
   * OAS `online`/`offline`; open to others.
   */
  readonly state?: string;
  /** `'in'`, or `'out'` for a dialed child leg; open to others. */
  readonly direction?: string;
  /** The whole call object as decoded from JSON. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** What {@link OpentactClient.pushCallFlow} resolves with. */
export interface OpentactPushResult {
  /** The call the flow was pushed to, as given. */
  readonly callUuid: string;
  /** The endpoint that took it. */
  readonly endpoint: OpentactPushEndpoint;
  /** The envelope's `payload`, as decoded from JSON (`undefined` when there was none). */
  readonly payload: unknown;
  /**
   * The payload read as a call (OAS: the push answers with the call entity), when the payload
   * is a JSON object with a string `uuid`.
   */
  readonly call?: OpentactApiCall;
}

/** An HTTP method {@link OpentactClient.request} can send. */
export type OpentactRequestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A query parameter value of {@link OpentactClient.request}; `undefined` leaves it out. */
export type OpentactQueryValue = string | number | boolean | undefined;

/** Options of {@link OpentactClient.request}. */
export interface OpentactRequestOptions {
  /** Query parameters, appended in order, e.g. `{ take: 100, skip: 0 }` (spec §6 pagination). */
  readonly query?: Readonly<Record<string, OpentactQueryValue>> | undefined;
  /** A JSON body (sent with `Content-Type: application/json`); not allowed with GET. */
  readonly json?: unknown;
}

/**
 * A client for the Opentact REST API, made by {@link createOpentactClient}. Every method returns
 * a Promise that rejects with a `TypeError` for invalid arguments (nothing is sent then) and
 * otherwise with a {@link CallControlError}: {@link OpentactApiError}
 * (`CC_ERR_UPSTREAM_REFUSED`) for `success: false` or HTTP 401/403,
 * `CC_ERR_UPSTREAM_INVALID`, `CC_ERR_UPSTREAM_UNREACHABLE` or `CC_ERR_UPSTREAM_TIMEOUT`.
 */
export interface OpentactClient {
  /**
   * Pushes an Opentact XML call flow to a live call (asynchronous control, spec §2.1 mode 3,
   * §2.5): `POST` `multipart/form-data` with one field `file` (filename `call_flow.xml`, type
   * `text/xml`, the XML as UTF-8) to `<baseUrl>/call/sca/{callUuid}` or, with
   * `{ endpoint: 'legacy' }`, to `<baseUrl>/sip/app/call/{callUuid}`.
   *
   * @param callUuid the call's UUID (8-4-4-4-12 hex digits), e.g. from a `call_state` event
   * @param callFlow the XML document, or an object whose `toXml()` renders it; not empty
   * @throws {TypeError} (as a rejection) for a `callUuid` that is not a UUID, an empty XML, a
   *   `toXml()` that does not return a string, XML with a lone surrogate, or an unknown option
   */
  pushCallFlow(
    callUuid: string,
    callFlow: string | OpentactRenderableCallFlow,
    options?: OpentactPushOptions,
  ): Promise<OpentactPushResult>;
  /**
   * `GET <baseUrl>/sip/app/call/{callUuid}`: one call (spec §2.5). Rejects with
   * `CC_ERR_UPSTREAM_INVALID` when the payload is not a JSON object.
   */
  getCall(callUuid: string): Promise<OpentactApiCall>;
  /**
   * `GET <baseUrl>/sip/app/call/online`: the calls in progress (spec §2.5). The payload may be a
   * list or a page `{ take, skip, total, data: [...] }` (spec §6); either gives the list.
   * Rejects with `CC_ERR_UPSTREAM_INVALID` for any other payload or an entry that is not an
   * object.
   */
  listOnlineCalls(): Promise<OpentactApiCall[]>;
  /**
   * Any other REST request, e.g. `request('POST', '/sip/app/call/search', { query: { take: 100 },
   * json: { mode: 'AND' } })`; resolves with the envelope's `payload` as decoded from JSON.
   *
   * @param path below `baseUrl`, starting with `/`; no query (use `options.query`), no
   *   fragment, no `.`/`..` or empty segments; characters outside a URL path percent-encoded
   * @throws {TypeError} (as a rejection) for an unknown method, a bad path, a query value that
   *   is not a string, finite number or boolean, a `json` with GET, or a `json` that
   *   `JSON.stringify` cannot write
   */
  request(
    method: OpentactRequestMethod,
    path: string,
    options?: OpentactRequestOptions,
  ): Promise<unknown>;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** What an {@link OpentactApiError} is made from. */
export interface OpentactApiErrorDetails {
  /** The HTTP method of the refused request, e.g. `'POST'`. */
  readonly method: string;
  /** The path below `baseUrl`, without query, e.g. `'/call/sca/6a1f…'`. */
  readonly path: string;
  /** The HTTP status of the answer, e.g. 200, 401 or 404. */
  readonly httpStatus: number;
  /** The envelope's `message` (`''` when none was sent); must not hold the token. */
  readonly opentactMessage: string;
  /** The envelope's `status`, when it sent a number. */
  readonly opentactStatus?: number | undefined;
}

/**
 * Opentact refused a request (spec §6): it answered with the error envelope
 * `{"success": false, "message": "…", "status"?: n}` (with any HTTP status), or with HTTP 401/403
 * (the token was refused), with or without an envelope. `code` is `CC_ERR_UPSTREAM_REFUSED`
 * (status 502).
 *
 * @example
 * ```ts
 * try {
 *   await opentact.pushCallFlow(callUuid, xml);
 * } catch (error) {
 *   if (error instanceof OpentactApiError && error.tokenRefused) await renewToken();
 *   throw error;
 * }
 * ```
 */
export class OpentactApiError extends CallControlError {
  /** The HTTP status of the answer, e.g. 200 (an envelope with `success: false`) or 401. */
  readonly httpStatus: number;
  /** The envelope's `message`, with the token (if quoted) replaced by `***`; `''` when none. */
  readonly opentactMessage: string;
  /** The envelope's `status`, when it sent a number (e.g. 404); otherwise `undefined`. */
  readonly opentactStatus: number | undefined;
  /** Whether Opentact refused the token: HTTP 401/403 or an envelope `status` 401/403. */
  readonly tokenRefused: boolean;
  /** The HTTP method of the refused request, e.g. `'POST'`. */
  readonly method: string;
  /** The path below `baseUrl`, without query, e.g. `'/call/sca/6a1f…'`. */
  readonly path: string;

  constructor(details: OpentactApiErrorDetails) {
    const tokenRefused =
      details.httpStatus === 401 ||
      details.httpStatus === 403 ||
      details.opentactStatus === 401 ||
      details.opentactStatus === 403;
    const said = details.opentactMessage === '' ? '(no message)' : details.opentactMessage;
    const status = details.opentactStatus === undefined ? '' : `, status ${details.opentactStatus}`;
    super(
      'CC_ERR_UPSTREAM_REFUSED',
      tokenRefused
        ? `Opentact ${details.method} ${details.path}: the API token was refused (HTTP ${details.httpStatus}${status}): ${said}`
        : `Opentact ${details.method} ${details.path}: refused (HTTP ${details.httpStatus}${status}): ${said}`,
    );
    this.httpStatus = details.httpStatus;
    this.opentactMessage = details.opentactMessage;
    this.opentactStatus = details.opentactStatus;
    this.tokenRefused = tokenRefused;
    this.method = details.method;
    this.path = details.path;
  }
}

function invalidResponse(message: string): CallControlError {
  return new CallControlError('CC_ERR_UPSTREAM_INVALID', message);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function argument(method: string, message: string): TypeError {
  return new TypeError(`opentact.${method}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkObject(method: string, options: unknown, allowed: readonly string[]): void {
  if (!isRecord(options)) throw argument(method, 'options must be an object');
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw argument(method, `unknown option "${key}" (known: ${allowed.join(', ')})`);
    }
  }
}

function checkUuid(method: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw argument(method, 'callUuid must be a UUID such as 6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c');
  }
  return value;
}

/** The XML of a string or a renderable, checked to be non-empty text. */
function callFlowXml(value: unknown): string {
  let xml: string;
  if (typeof value === 'string') {
    xml = value;
  } else if (isRecord(value) && typeof value['toXml'] === 'function') {
    const rendered: unknown = (value as unknown as OpentactRenderableCallFlow).toXml();
    if (typeof rendered !== 'string')
      throw argument('pushCallFlow', 'callFlow.toXml() must return a string');
    xml = rendered;
  } else {
    throw argument('pushCallFlow', 'callFlow must be XML text or an object with toXml()');
  }
  if (xml.trim() === '') throw argument('pushCallFlow', 'the call-flow XML is empty');
  if (LONE_SURROGATE.test(xml)) {
    throw argument(
      'pushCallFlow',
      'the call-flow XML holds a lone surrogate (not encodable as UTF-8)',
    );
  }
  return xml;
}

/** A call object's light typed view; `undefined` when `value` is not a JSON object. */
function toCall(value: unknown): OpentactApiCall | undefined {
  if (!isRecord(value)) return undefined;
  const call: { -readonly [K in keyof OpentactApiCall]: OpentactApiCall[K] } = { raw: value };
  for (const key of ['uuid', 'state', 'direction'] as const) {
    const field = value[key];
    if (typeof field === 'string') call[key] = field;
  }
  for (const key of ['from', 'to'] as const) {
    const field = value[key];
    if (typeof field === 'string') call[key] = field;
    else if (typeof field === 'number' && Number.isFinite(field)) call[key] = String(field);
  }
  return call;
}

/** Replaces the token, raw and URL-encoded, with `***`. */
function redactor(token: string): (text: string) => string {
  const forms = [token, encodeURIComponent(token)].filter(
    (form, index, all) => all.indexOf(form) === index,
  );
  return (text) => forms.reduce((result, form) => result.split(form).join('***'), text);
}

/** The envelope's `message` as text: a string, or a list of strings joined with `; `. */
function messageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.join('; ');
  }
  return '';
}

/**
 * Reads the body with the core's bounded reader, at most {@link OPENTACT_MAX_RESPONSE_BYTES}
 * (announced or streamed): `CC_ERR_UPSTREAM_INVALID` beyond; stopped by the request's `signal`.
 */
async function readBody(
  response: Response,
  where: string,
  signal: AbortSignal,
): Promise<Uint8Array> {
  try {
    return await readResponseBody(response, { limitBytes: OPENTACT_MAX_RESPONSE_BYTES, signal });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === 'too-large') {
      throw invalidResponse(
        `${where}: the answer is larger than ${OPENTACT_MAX_RESPONSE_BYTES} bytes`,
      );
    }
    throw error instanceof BoundedReadError ? (error.cause ?? error) : error;
  }
}

/** Options of the client after validation. */
interface ClientConfig {
  readonly token: string;
  /** Origin and path of the base URL, without a trailing `/`. */
  readonly base: string;
  /** The base URL's path, without a trailing `/` (`''` for the root). */
  readonly basePath: string;
  readonly origin: string;
  readonly timeoutMs: number;
}

function configure(options: OpentactClientOptions): ClientConfig {
  checkObject('createOpentactClient', options, CLIENT_OPTIONS);
  const token: unknown = options.token;
  if (typeof token !== 'string' || token === '') {
    throw argument('createOpentactClient', 'token must be a non-empty string');
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    // The token is not quoted: a header value fetch refuses would be quoted by fetch's error.
    throw argument(
      'createOpentactClient',
      'token must be visible ASCII without spaces or line breaks (it is sent as X-Auth-Token)',
    );
  }
  const baseUrl: unknown = options.baseUrl ?? OPENTACT_API_BASE_URL;
  if (typeof baseUrl !== 'string')
    throw argument('createOpentactClient', 'baseUrl must be a string');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw argument('createOpentactClient', 'baseUrl is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw argument(
      'createOpentactClient',
      `baseUrl must be https (http only for local fakes), got ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw argument('createOpentactClient', 'baseUrl must not hold credentials: use token');
  }
  if (url.search !== '' || baseUrl.includes('?')) {
    throw argument('createOpentactClient', 'baseUrl must not have a query');
  }
  if (url.hash !== '' || baseUrl.includes('#')) {
    throw argument('createOpentactClient', 'baseUrl must not have a #fragment');
  }
  const timeoutMs: unknown = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw argument('createOpentactClient', 'timeoutMs must be a positive number of milliseconds');
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  return { token, base: `${url.origin}${basePath}`, basePath, origin: url.origin, timeoutMs };
}

/** A request after validation, ready to send. */
interface Outgoing {
  readonly method: OpentactRequestMethod;
  /** Path below the base URL, without query (used in messages). */
  readonly path: string;
  readonly query: [string, string][];
  readonly body?: FormData | string;
  readonly contentType?: string;
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/**
 * Creates a client for the Opentact REST API (spec §2.5, §6). Nothing is sent until a method
 * is called. The client is frozen and holds no state besides its options.
 *
 * Note: the Opentact API is HTTPS-only; an `http:` `baseUrl` is meant for local fakes only
 * (it sends the token in clear text, and the real API answers it with a redirect, which this
 * client reports as `CC_ERR_UPSTREAM_INVALID` instead of following).
 *
 * @example
 * ```ts
 * const staging = createOpentactClient({
 *   token: process.env.OPENTACT_TOKEN ?? '',
 *   baseUrl: OPENTACT_STAGING_BASE_URL,
 *   timeoutMs: 5000,
 * });
 * await staging.pushCallFlow(callUuid, '<Response><Hangup/></Response>', { endpoint: 'legacy' });
 * ```
 * @throws {TypeError} for options that are not an object or have an unknown key, a token that
 *   is empty or not visible ASCII, a `baseUrl` that is not an absolute http(s) URL or holds
 *   credentials, a query or a fragment, or a `timeoutMs` that is not a positive number of
 *   milliseconds (at most 2147483647). The token is never quoted in these errors.
 */
export function createOpentactClient(options: OpentactClientOptions): OpentactClient {
  const config = configure(options);
  const redact = redactor(config.token);

  async function send(outgoing: Outgoing): Promise<unknown> {
    const { method, path } = outgoing;
    const where = `Opentact ${method} ${path}`;
    let url = `${config.base}${path}`;
    if (outgoing.query.length > 0) url += `?${new URLSearchParams(outgoing.query).toString()}`;
    const signal = AbortSignal.timeout(config.timeoutMs);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-auth-token': config.token,
    };
    if (outgoing.contentType !== undefined) headers['content-type'] = outgoing.contentType;
    const init: RequestInit = { method, headers, redirect: 'manual', signal };
    if (outgoing.body !== undefined) init.body = outgoing.body;

    const failed = (error: unknown): CallControlError =>
      upstreamFailure(error, {
        signal,
        where: where,
        target: config.origin,
        timeoutMs: config.timeoutMs,
        redact,
      });

    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw failed(error);
    }
    const httpStatus = response.status;
    if (httpStatus >= 300 && httpStatus <= 399) {
      await response.body?.cancel().catch(() => undefined);
      throw invalidResponse(
        `${where}: HTTP ${httpStatus} redirect not followed (it would carry the X-Auth-Token to another URL)` +
          (config.origin.startsWith('http:')
            ? '; the Opentact API is HTTPS-only and redirects http:// requests: use an https baseUrl'
            : ''),
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBody(response, where, signal);
    } catch (error) {
      if (error instanceof CallControlError) throw error;
      throw failed(error);
    }
    let text: string | undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
    let parsed: unknown;
    let isJson = false;
    if (text !== undefined && text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
        isJson = true;
      } catch {
        // JSON.parse quotes the body in its message: not kept as a cause.
      }
    }
    const envelope =
      isJson && isRecord(parsed) && typeof parsed['success'] === 'boolean' ? parsed : undefined;
    const refused = (): OpentactApiError => {
      const status = envelope?.['status'];
      return new OpentactApiError({
        method,
        path,
        httpStatus,
        opentactMessage: redact(messageOf(envelope?.['message'])),
        opentactStatus:
          typeof status === 'number' && Number.isSafeInteger(status) ? status : undefined,
      });
    };
    if (httpStatus === 401 || httpStatus === 403) throw refused();
    if (envelope !== undefined && envelope['success'] === false) throw refused();
    if (httpStatus < 200 || httpStatus > 299) {
      throw invalidResponse(
        `${where}: HTTP ${httpStatus} from ${config.origin} without an Opentact error envelope` +
          (envelope === undefined ? '' : ' ("success": true with an error status)'),
      );
    }
    if (text === undefined) throw invalidResponse(`${where}: the answer is not valid UTF-8`);
    if (!isJson) {
      const type = response.headers.get('content-type');
      throw invalidResponse(
        `${where}: the answer is not JSON` +
          (text.trim() === '' ? ' (empty body)' : type === null ? '' : ` (${redact(type)})`),
      );
    }
    if (envelope === undefined) {
      throw invalidResponse(
        `${where}: the answer is not the Opentact envelope (no boolean "success")`,
      );
    }
    return envelope['payload'];
  }

  return Object.freeze({
    async pushCallFlow(
      callUuid: string,
      callFlow: string | OpentactRenderableCallFlow,
      options: OpentactPushOptions = {},
    ): Promise<OpentactPushResult> {
      const uuid = checkUuid('pushCallFlow', callUuid);
      checkObject('pushCallFlow', options, ['endpoint']);
      const endpoint = options.endpoint ?? 'sca';
      if (endpoint !== 'sca' && endpoint !== 'legacy') {
        throw argument('pushCallFlow', 'endpoint must be "sca" or "legacy"');
      }
      const xml = callFlowXml(callFlow);
      const form = new FormData();
      form.append('file', new Blob([xml], { type: 'text/xml' }), 'call_flow.xml');
      const payload = await send({
        method: 'POST',
        path: endpoint === 'sca' ? `/call/sca/${uuid}` : `/sip/app/call/${uuid}`,
        query: [],
        body: form,
      });
      const call = toCall(payload);
      return call !== undefined && call.uuid !== undefined
        ? { callUuid: uuid, endpoint, payload, call }
        : { callUuid: uuid, endpoint, payload };
    },

    async getCall(callUuid: string): Promise<OpentactApiCall> {
      const uuid = checkUuid('getCall', callUuid);
      const path = `/sip/app/call/${uuid}`;
      const payload = await send({ method: 'GET', path, query: [] });
      const call = toCall(payload);
      if (call === undefined) {
        throw invalidResponse(`Opentact GET ${path}: the payload is not a call object`);
      }
      return call;
    },

    async listOnlineCalls(): Promise<OpentactApiCall[]> {
      const path = '/sip/app/call/online';
      const payload = await send({ method: 'GET', path, query: [] });
      const list = Array.isArray(payload)
        ? payload
        : isRecord(payload) && Array.isArray(payload['data'])
          ? (payload['data'] as unknown[])
          : undefined;
      if (list === undefined) {
        throw invalidResponse(`Opentact GET ${path}: the payload is not a list of calls`);
      }
      return list.map((entry, index) => {
        const call = toCall(entry);
        if (call === undefined) {
          throw invalidResponse(`Opentact GET ${path}: entry #${index + 1} is not a call object`);
        }
        return call;
      });
    },

    async request(
      method: OpentactRequestMethod,
      path: string,
      options: OpentactRequestOptions = {},
    ): Promise<unknown> {
      if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
        throw argument('request', `method must be one of ${METHODS.join(', ')}`);
      }
      if (typeof path !== 'string' || !PATH.test(path)) {
        throw argument(
          'request',
          'path must start with "/" and hold only URL path characters (no query, fragment or empty segment)',
        );
      }
      const segments = path.split('/');
      if (segments.some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))) {
        throw argument('request', 'path must not have "." or ".." segments');
      }
      if (new URL(`${config.base}${path}`).pathname !== `${config.basePath}${path}`) {
        throw argument('request', 'path must not change when resolved below baseUrl');
      }
      checkObject('request', options, ['query', 'json']);
      const query: [string, string][] = [];
      if (options.query !== undefined) {
        if (!isRecord(options.query)) throw argument('request', 'query must be an object');
        for (const [key, value] of Object.entries(options.query)) {
          if (key === '') throw argument('request', 'a query parameter name is empty');
          if (value === undefined) continue;
          if (typeof value === 'number' && !Number.isFinite(value)) {
            throw argument('request', `query parameter "${key}" must be a finite number`);
          }
          if (
            typeof value !== 'string' &&
            typeof value !== 'number' &&
            typeof value !== 'boolean'
          ) {
            throw argument(
              'request',
              `query parameter "${key}" must be a string, number or boolean`,
            );
          }
          query.push([key, String(value)]);
        }
      }
      let body: string | undefined;
      if (options.json !== undefined) {
        if (method === 'GET') throw argument('request', 'a GET request cannot have a json body');
        let written: unknown;
        try {
          written = JSON.stringify(options.json);
        } catch (error) {
          throw argument(
            'request',
            `json cannot be written as JSON: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        if (typeof written !== 'string')
          throw argument('request', 'json cannot be written as JSON');
        body = written;
      }
      return send(
        body === undefined
          ? { method, path, query }
          : { method, path, query, body, contentType: 'application/json' },
      );
    },
  });
}
