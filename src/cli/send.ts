/**
 * Sends simulated provider requests to a URL, one after another, and records each answer.
 *
 * @module
 */
import type { TestRequest } from '../testing/reply';
import { callStep, type CallSteps } from '../testing/transcript';

/** One request to send (provider-neutral): the test kit's request, sent over HTTP. */
export type OutgoingRequest = TestRequest;

/** The URL one request goes to: `base` with the request's path and query added. */
export function requestUrl(base: string, request: OutgoingRequest): string {
  const url = new URL(base);
  if (request.path !== undefined && request.path !== '') {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${request.path}`;
  }
  if (request.query !== undefined && request.query !== '') {
    url.search = url.search === '' ? `?${request.query}` : `${url.search}&${request.query}`;
  }
  return url.toString();
}

/** What came back for one request. */
export interface ExchangeResult {
  readonly request: OutgoingRequest;
  readonly url: string;
  /** HTTP status, or `undefined` when no answer came (see `error`). */
  readonly status: number | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  /** Time from sending to the whole answer, in milliseconds. */
  readonly elapsedMs: number;
  /** Why no answer came (connection refused, timeout…). */
  readonly error?: string;
}

/** Options of {@link sendSequence}. */
export interface SendOptions {
  /** Per-request timeout in milliseconds. Default 10000. */
  readonly timeoutMs?: number;
  /**
   * Called after each exchange, e.g. to print progress; `planned` is the number of requests
   * sent and still to send (it grows when `follow` adds requests).
   */
  readonly onExchange?: (result: ExchangeResult, planned: number) => void;
  /**
   * The requests to send right after one was answered, before the remaining ones (a provider
   * whose next requests depend on the answers, see `SimulateCommand.follow`); `sent` holds every
   * request sent so far.
   */
  readonly follow?: (result: ExchangeResult, sent: readonly OutgoingRequest[]) => CallSteps;
  /** The request as sent to `url` (e.g. signed over the URL, see `SimulateCommand.sign`). */
  readonly sign?: (request: OutgoingRequest, url: string) => OutgoingRequest;
  /**
   * Asked after each exchange (after `follow` and `onExchange`); `true` ends the sequence there,
   * e.g. once a followed answer was found invalid.
   */
  readonly stop?: () => boolean;
}

/** Most requests one simulated call sends (followed requests included). */
export const MAX_SIMULATED_REQUESTS = 50;

/**
 * Splits `user:password@` off a URL into an `Authorization: Basic` header, as providers do
 * with credentials in a webhook URL (fetch refuses URLs that hold credentials).
 *
 * @throws {TypeError} for a URL that cannot be parsed or is not http(s)
 */
export function splitCredentials(target: string): { url: string; authorization?: string } {
  const url = new URL(target);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Only http and https URLs are supported, got ${url.protocol}`);
  }
  if (url.username === '' && url.password === '') return { url: url.toString() };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return {
    url: url.toString(),
    authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`,
  };
}

/**
 * Sends `requests` to `target` in order (stopping at the first that gets no answer at all,
 * after {@link MAX_SIMULATED_REQUESTS} and when `options.stop` says so), with the requests
 * `options.follow` adds for an answer sent right after it, and returns one result per request
 * sent.
 *
 * @throws {TypeError} for an invalid URL (see {@link splitCredentials})
 */
export async function sendSequence(
  target: string,
  requests: readonly OutgoingRequest[],
  options: SendOptions = {},
): Promise<ExchangeResult[]> {
  const { url, authorization } = splitCredentials(target);
  const results: ExchangeResult[] = [];
  const queue = [...requests];
  const sent: OutgoingRequest[] = [];
  while (queue.length > 0 && results.length < MAX_SIMULATED_REQUESTS) {
    const planned = queue.shift() as OutgoingRequest;
    const target = requestUrl(url, planned);
    const request = options.sign === undefined ? planned : options.sign(planned, target);
    const started = performance.now();
    const headers: Record<string, string> = { ...request.headers };
    if (authorization !== undefined) headers['authorization'] = authorization;
    let result: ExchangeResult;
    try {
      const response = await fetch(target, {
        method: request.method,
        headers,
        ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const body = await response.text();
      result = {
        request,
        url: target,
        status: response.status,
        contentType: response.headers.get('content-type') ?? undefined,
        body,
        elapsedMs: performance.now() - started,
      };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason =
        cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      result = {
        request,
        url: target,
        status: undefined,
        contentType: undefined,
        body: '',
        elapsedMs: performance.now() - started,
        error: reason,
      };
    }
    results.push(result);
    sent.push(request);
    if (result.status !== undefined && options.follow !== undefined) {
      queue.unshift(...callStep(options.follow(result, sent)).requests);
    }
    options.onExchange?.(result, results.length + queue.length);
    if (result.status === undefined || options.stop?.() === true) break;
  }
  return results;
}
