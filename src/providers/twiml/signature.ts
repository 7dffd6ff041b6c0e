/**
 * The URL signature of the TwiML family (Twilio's `X-Twilio-Signature`, which SignalWire's
 * `X-SignalWire-Signature` copies): HMAC-SHA1 with a shared token over the full URL the
 * provider requested followed by the sorted POST parameters, base64 — or, for JSON bodies, over
 * the URL alone with a `bodySHA256` query parameter holding the hex SHA-256 of the body.
 * Provider-neutral: the provider folders give the header, the provider's name and their tokens.
 *
 * Spec: `docs/providers/twilio.md` §3.1 (algorithm), §3.2 (the URL variants twilio-node
 * accepts: as received and normalized, with and without the default port, with the legacy
 * query encoding), `docs/providers/twilio.md` §3.3 (JSON bodies), §3.5 (which URL is signed).
 *
 * @module
 */
import {
  createHash,
  createHmac,
  createSecretKey,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { parse as parseLegacyQuery, stringify as stringifyLegacyQuery } from 'node:querystring';
import { CallControlError } from '../../core/errors';
import type { Authenticator, WebhookRequest } from '../../core/types';
import { decodeTwimlForm } from './requests';

/** Signed parameters: a name and its value, or its values when the name is repeated. */
export type TwimlSignedParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * The string a TwiML signature is computed over (docs/providers/twilio.md §3.1): the URL, then
 * every parameter sorted by name (UTF-16 code-unit order, as JavaScript sorts) as name + value
 * without separators; a repeated name contributes once per distinct value, values sorted.
 */
export function twimlSignedString(url: string, params: TwimlSignedParams = {}): string {
  return url + signedParamsText(params);
}

/** What {@link twimlSignedString} appends to the URL: the sorted parameters. */
function signedParamsText(params: TwimlSignedParams): string {
  let data = '';
  for (const name of Object.keys(params).sort()) {
    const value = params[name] as string | readonly string[];
    if (typeof value === 'string') data += name + value;
    else for (const each of [...new Set(value)].sort()) data += name + each;
  }
  return data;
}

/** Orders form pairs by name, then value (UTF-16 code units, as `Array.prototype.sort`). */
function comparePairs(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * {@link signedParamsText} of decoded form pairs, without building the parameter map: the
 * pairs sorted by name and value, a pair repeated exactly counted once — the same text as for
 * `twimlFormFields` of the pairs. Sorts `pairs` in place.
 */
function signedPairsText(pairs: Array<[string, string]>): string {
  pairs.sort(comparePairs);
  let data = '';
  let lastName: string | undefined;
  let lastValue: string | undefined;
  for (const [name, value] of pairs) {
    if (name === lastName && value === lastValue) continue;
    data += name + value;
    lastName = name;
    lastValue = value;
  }
  return data;
}

/**
 * The signature of `url` and `params` under `token`: base64 HMAC-SHA1 of
 * {@link twimlSignedString} (28 characters). For a GET, or a JSON body (`bodySHA256` in the
 * URL), give no `params`: the URL alone is signed.
 */
export function computeTwimlSignature(
  token: string,
  url: string,
  params: TwimlSignedParams = {},
): string {
  return createHmac('sha1', token)
    .update(Buffer.from(twimlSignedString(url, params), 'utf8'))
    .digest('base64');
}

/** Lower-case hex SHA-256 of a body, as the `bodySHA256` query parameter carries it (docs/providers/twilio.md §3.3). */
export function twimlBodySha256(body: Buffer | string): string {
  return createHash('sha256')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/** `scheme://`, userinfo, host, `:port` and the rest of a URL, unnormalized; `undefined` without `scheme://`. */
function splitUrl(
  url: string,
): { scheme: string; userInfo: string; host: string; port: string; rest: string } | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (match === null) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

/** The URL without its port (any port). */
function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts === undefined ? url : parts.scheme + parts.userInfo + parts.host + parts.rest;
}

/** The URL with the scheme's default port (`:443`, `:80`) when it names none. */
function withDefaultPort(url: string): string {
  const parts = splitUrl(url);
  if (parts === undefined || parts.port !== '') return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}

/** The URL with its query re-encoded as Node's legacy `querystring` module writes it. */
function withLegacyQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1 || start === url.length - 1) return url;
  return `${url.slice(0, start)}?${stringifyLegacyQuery(parseLegacyQuery(url.slice(start + 1)))}`;
}

/**
 * The URLs a signature is accepted over, in the order they are tried — as twilio-node's
 * `validateRequest` tries them (docs/providers/twilio.md §3.2, §8.1), because the provider has
 * signed some URLs with the default port and some without: the URL as received without and
 * with its port; then normalized by WHATWG `new URL()` without and with the port, and both
 * with the legacy query encoding. Duplicates removed.
 */
export function twimlSignedUrlVariants(url: string): string[] {
  const variants = [withoutPort(url), withDefaultPort(url)];
  let normalized: string | undefined;
  try {
    normalized = new URL(url).toString();
  } catch {
    normalized = undefined;
  }
  if (normalized !== undefined) {
    const bare = withoutPort(normalized);
    const ported = withDefaultPort(normalized);
    variants.push(bare, ported, withLegacyQuery(bare), withLegacyQuery(ported));
  }
  return [...new Set(variants)];
}

/**
 * Whether `signature` is the base64 HMAC-SHA1 under one of `keys` of a URL variant followed by
 * `paramsText`. The variants are tried in order and the first that verifies ends the search
 * (which form of the URL the provider signed is no secret); for each variant every key is
 * tried (no early exit on the key), so that the time taken does not tell which key matched.
 */
function verifySigned(
  keys: readonly (string | KeyObject)[],
  signature: string,
  variants: readonly string[],
  paramsText: string,
): boolean {
  const given = Buffer.from(signature, 'utf8');
  for (const variant of variants) {
    const data = variant + paramsText;
    let valid = false;
    for (const key of keys) {
      if (key === '') continue;
      const expected = Buffer.from(createHmac('sha1', key).update(data, 'utf8').digest('base64'));
      if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
    }
    if (valid) return true;
  }
  return false;
}

/** Constant-time comparison of two strings (different lengths: false at once). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Whether `signature` is the signature of `url` (or one of its {@link twimlSignedUrlVariants})
 * and `params` under one of `tokens` (several during a token rotation). Never throws: an absent,
 * empty or malformed signature simply does not verify.
 *
 * @param tokens - the auth token(s); empty strings never verify
 * @param signature - the signature header's value
 * @param url - the full URL the provider requested (scheme, host, port, path, query)
 * @param params - the decoded POST form parameters; `{}` for a GET
 */
export function verifyTwimlSignature(
  tokens: string | readonly string[],
  signature: string | undefined,
  url: string,
  params: TwimlSignedParams = {},
): boolean {
  if (typeof signature !== 'string' || signature === '') return false;
  const list = typeof tokens === 'string' ? [tokens] : tokens;
  return verifySigned(list, signature, twimlSignedUrlVariants(url), signedParamsText(params));
}

/**
 * Whether a JSON-bodied request verifies (docs/providers/twilio.md §3.3): the signature over
 * the URL alone (its variants, no parameters) and `bodySHA256` of the URL's query equal to the
 * hex SHA-256 of the exact `body` bytes.
 */
export function verifyTwimlSignatureWithBody(
  tokens: string | readonly string[],
  signature: string | undefined,
  url: string,
  body: Buffer | string,
): boolean {
  const expected = bodySha256Of(url);
  if (expected === undefined) return false;
  const signed = verifyTwimlSignature(tokens, signature, url, {});
  return sameText(expected, twimlBodySha256(body)) && signed;
}

/** The `bodySHA256` parameter of a URL's query; `undefined` when absent or the URL is not one. */
function bodySha256Of(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('bodySHA256') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link createTwimlSignatureCheck}. */
export interface TwimlSignatureCheckOptions {
  /** The provider's name for messages, e.g. `'Twilio'`. */
  readonly title: string;
  /** The header carrying the signature, lower-case, e.g. `'x-twilio-signature'`. */
  readonly header: string;
  /** The header as written in messages, e.g. `'X-Twilio-Signature'`. */
  readonly headerTitle: string;
  /** The app option holding the tokens, for messages, e.g. `'authToken'`. */
  readonly option: string;
  /**
   * The token(s) to verify with: one, or several while a token is being rotated (every one is
   * tried).
   */
  readonly tokens: readonly string[];
}

/**
 * Checks the `option` of a TwiML app: one non-empty token string or a non-empty list of them.
 * @throws {TypeError} for anything else (the token itself is never in the message)
 */
export function checkTwimlTokens(option: string, value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length === 0) throw new TypeError(`${option}: give at least one token`);
  for (const token of list) {
    if (typeof token !== 'string' || token.trim() === '') {
      throw new TypeError(`${option}: each token must be a non-empty string`);
    }
  }
  return list as string[];
}

/**
 * The URL as shown in an error message or log line: scheme, host and path, with a URL token
 * the app's token check took out of the path shown as `[redacted]`, and the query's parameter
 * names with their values elided (`?tenant=…`) — never a value, which may be a secret.
 */
export function describeSignedUrl(url: string, request: WebhookRequest): string {
  const queryStart = url.indexOf('?');
  const head = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const parts = splitUrl(head);
  let shown = head;
  if (parts !== undefined && request.originalUrl !== undefined) {
    // The token check hands on `originalUrl` with the token's path segment replaced: align the
    // two paths from their ends and hide the segments it hid.
    const segments = parts.rest.split('/');
    const redactedPath = request.originalUrl.split('?')[0] ?? '';
    const told = redactedPath.split('/');
    for (let i = 1; i <= Math.min(segments.length, told.length); i++) {
      if (/redacted/i.test(told[told.length - i] ?? '')) {
        segments[segments.length - i] = '[redacted]';
      }
    }
    shown = parts.scheme + parts.host + parts.port + segments.join('/');
  }
  if (query === '') return shown;
  const names = query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0] ?? ''}=…`);
  return `${shown}?${names.join('&')}`;
}

/**
 * An authenticator that requires a valid TwiML signature over the request's public URL (the
 * authenticator's second argument, `publicUrl()`: the app's `publicUrl` option, or the
 * request's scheme and host, or a trusted proxy's `X-Forwarded-*`):
 * - a POST with a form body: the URL and the decoded form parameters (docs/providers/twilio.md §3.1);
 * - a request whose URL carries `bodySHA256` (JSON bodies): the URL alone and the body's hash
 *   (docs/providers/twilio.md §3.3);
 * - a GET: the URL with its query (docs/providers/twilio.md §3.1, step 3).
 *
 * A refusal's message names the URL checked (query values elided, see
 * {@link describeSignedUrl}) and why — never a token or a signature.
 *
 * @throws {TypeError} (at once) for invalid `tokens`, see {@link checkTwimlTokens}
 * @throws {CallControlError} (from the authenticator) 403 `CC_ERR_SIGNATURE_MISSING` for an
 *   absent or empty header; 403 `CC_ERR_SIGNATURE_INVALID` for one that does not verify, or
 *   when the public URL cannot be known (no `publicUrl` option and no valid `Host`)
 */
export function createTwimlSignatureCheck(options: TwimlSignatureCheckOptions): Authenticator {
  const tokens = checkTwimlTokens(options.option, options.tokens);
  const { header, headerTitle, title } = options;
  // Each token imported once as an HMAC key, not once per request.
  const keys = tokens.map((token) => createSecretKey(Buffer.from(token, 'utf8')));
  const plans = new Map<string, SignedUrlPlan>();
  return function twimlSignature(request, context) {
    const signature = request.headers[header];
    const url = context?.publicUrl();
    if (typeof signature !== 'string' || signature === '') {
      throw new CallControlError(
        'CC_ERR_SIGNATURE_MISSING',
        `The ${headerTitle} header is missing (request to ${url === undefined ? request.path : describeSignedUrl(url, request)})`,
      );
    }
    if (url === undefined) {
      throw new CallControlError(
        'CC_ERR_SIGNATURE_INVALID',
        `The ${headerTitle} cannot be checked: the request's public URL is unknown (no valid Host header); give the app's publicUrl option`,
      );
    }
    const plan = signedUrlPlan(plans, url);
    const jsonBody = plan.bodySha256 !== undefined;
    let valid: boolean;
    if (plan.bodySha256 !== undefined) {
      // The URL alone is signed; the body's hash is compared whatever the signature gives.
      const signed = verifySigned(keys, signature, plan.variants, '');
      valid = sameText(plan.bodySha256, twimlBodySha256(request.body)) && signed;
    } else {
      const paramsText =
        request.method === 'GET' ? '' : signedPairsText(decodeTwimlForm(request.body));
      valid = verifySigned(keys, signature, plan.variants, paramsText);
    }
    if (!valid) {
      const shown = describeSignedUrl(url, request);
      const over = jsonBody ? 'the URL and the body hash (bodySHA256)' : 'the URL and parameters';
      throw new CallControlError(
        'CC_ERR_SIGNATURE_INVALID',
        `The ${headerTitle} does not verify over ${over} with the configured ${options.option} ` +
          `(${tokens.length === 1 ? 'one token' : `${tokens.length} tokens`}); URL checked: ${shown}, ` +
          `with and without the default port. Is this the URL ${title} calls (publicUrl, trustProxy)?`,
      );
    }
  };
}

/** What a signature check needs of a public URL, worked out once per URL. */
interface SignedUrlPlan {
  /** {@link twimlSignedUrlVariants} of the URL. */
  readonly variants: readonly string[];
  /** Its `bodySHA256` query parameter (a JSON body's hash), when it has one. */
  readonly bodySha256: string | undefined;
}

/** Most URLs a signature check remembers the plan of (GET queries differ per request). */
const MAX_REMEMBERED_URLS = 256;

/**
 * The plan of `url`, from `plans` or made and remembered there (forgotten all at once when
 * {@link MAX_REMEMBERED_URLS} are held): an app with a `publicUrl` signs over one URL per
 * mount path, so its variants are not worked out again for every request.
 */
function signedUrlPlan(plans: Map<string, SignedUrlPlan>, url: string): SignedUrlPlan {
  let plan = plans.get(url);
  if (plan === undefined) {
    if (plans.size >= MAX_REMEMBERED_URLS) plans.clear();
    plan = { variants: twimlSignedUrlVariants(url), bodySha256: bodySha256Of(url) };
    plans.set(url, plan);
  }
  return plan;
}
