/**
 * Provider-neutral request authentication: HTTP basic auth, a secret token in the URL, a
 * source-address allowlist, and constant-time comparison.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { CallControlError } from './errors';
import type { Authenticator, WebhookRequest } from './types';

/** One accepted user name and password for HTTP basic auth (RFC 7617). */
export interface BasicAuthCredentials {
  /** The user name; non-empty, without `:` (RFC 7617 §2). */
  readonly username: string;
  /** The password; non-empty. Compared in constant time. */
  readonly password: string;
}

/** Options of {@link createBasicAuth}. */
export interface BasicAuthOptions {
  /** One or several accepted credential pairs (several allow rotation without downtime). */
  readonly credentials: BasicAuthCredentials | readonly BasicAuthCredentials[];
  /** The realm named in `WWW-Authenticate`. Default `'callcontrol'`. */
  readonly realm?: string;
}

/**
 * Compares two strings in time that depends only on their digests, not on where they differ
 * or on their lengths.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * Builds an authenticator for HTTP basic auth, as providers send it when the webhook URL
 * holds credentials (`https://user:pass@host/path`; Placetel spec §1 "Basic auth").
 *
 * Every configured pair is compared in constant time (no early exit on the first match).
 *
 * @throws {TypeError} when the options name no credentials, or an empty user name or password,
 *   or a user name containing `:`
 * @returns an authenticator that throws `CC_ERR_AUTH_BASIC` (401, with `WWW-Authenticate`)
 */
export function createBasicAuth(options: BasicAuthOptions): Authenticator {
  const list = Array.isArray(options.credentials)
    ? (options.credentials as readonly BasicAuthCredentials[])
    : [options.credentials as BasicAuthCredentials];
  if (list.length === 0) throw new TypeError('basicAuth: at least one credential pair is needed');
  for (const { username, password } of list) {
    if (typeof username !== 'string' || username === '' || username.includes(':')) {
      throw new TypeError('basicAuth: username must be a non-empty string without ":"');
    }
    if (typeof password !== 'string' || password === '') {
      throw new TypeError('basicAuth: password must be a non-empty string');
    }
  }
  const realm = options.realm ?? 'callcontrol';
  if (/["\\\r\n]/.test(realm))
    throw new TypeError('basicAuth: realm must not contain quotes, backslashes or line breaks');
  const expected = list.map(({ username, password }) =>
    Buffer.from(`${username}:${password}`, 'utf8'),
  );
  const challenge = { 'www-authenticate': `Basic realm="${realm}", charset="UTF-8"` };

  const basicAuth: Authenticator = (request) => {
    const header = request.headers['authorization'];
    const match = header === undefined ? null : /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
    if (match === null) {
      throw new CallControlError('CC_ERR_AUTH_BASIC', 'Basic authentication is required', {
        headers: challenge,
      });
    }
    const given = Buffer.from(match[1] ?? '', 'base64');
    let ok = false;
    for (const pair of expected) ok = safeEqual(given, pair) || ok;
    if (!ok) {
      throw new CallControlError('CC_ERR_AUTH_BASIC', 'Basic authentication failed', {
        headers: challenge,
      });
    }
  };
  return withRedact(basicAuth, (request) => redactHeaders(request, ['authorization']));
}

/** Options of {@link createUrlToken}. */
export interface UrlTokenOptions {
  /**
   * One or several accepted tokens (several allow rotation). Each at least 16 characters of
   * `A–Z a–z 0–9 . _ ~ -` (URL-safe, so no encoding can make two spellings of one token),
   * e.g. `crypto.randomBytes(24).toString('base64url')`.
   */
  readonly tokens: string | readonly string[];
  /**
   * Where the provider sends it, as you wrote it into the webhook URL you configured:
   * `'query'` (default): `https://host/ozeki?token=…`; `'path'`: the first path segment after the
   * mount path, `https://host/ozeki/<token>/…` (as Zammad does for Placetel, spec placetel §1).
   */
  readonly in?: 'query' | 'path';
  /** The query parameter's name when `in` is `'query'`. Default `'token'`. */
  readonly param?: string;
}

const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,512}$/;

/**
 * Builds an authenticator for a secret token in the webhook URL, for providers that do not sign
 * their requests (Ozeki, Opentact, VoipNow). Tokens are compared in constant time, all of them.
 *
 * The authenticator hands on the request **without** the token (the parameter is removed from
 * the query, or the segment from the path), so neither handlers, `raw` fields nor logs see it,
 * and path-based event routing (`eventPaths`) sees the path after the token.
 *
 * @throws {TypeError} for no tokens, a token shorter than 16 characters or with characters
 *   outside `A–Z a–z 0–9 . _ ~ -`, or an empty parameter name
 * @returns an authenticator that throws `CC_ERR_TOKEN_MISSING` or `CC_ERR_TOKEN_INVALID` (403)
 */
export function createUrlToken(options: UrlTokenOptions): Authenticator {
  const list: readonly unknown[] =
    typeof options.tokens === 'string' ? [options.tokens] : (options.tokens ?? []);
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError('urlToken: give one token or a non-empty list of tokens');
  }
  for (const token of list) {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
      throw new TypeError(
        'urlToken: every token must be 16 to 512 characters of A-Z a-z 0-9 . _ ~ - ' +
          "(e.g. crypto.randomBytes(24).toString('base64url'))",
      );
    }
  }
  const tokens = list as readonly string[];
  const where = options.in ?? 'query';
  if (where !== 'query' && where !== 'path') {
    throw new TypeError(`urlToken: "in" must be 'query' or 'path', got ${String(where)}`);
  }
  const param = options.param ?? 'token';
  if (typeof param !== 'string' || param === '') {
    throw new TypeError('urlToken: param must be a non-empty string');
  }

  const check = (given: string | undefined): void => {
    if (given === undefined || given === '') {
      throw new CallControlError('CC_ERR_TOKEN_MISSING', 'The URL token is missing');
    }
    let ok = false;
    for (const token of tokens) ok = safeEqual(given, token) || ok;
    if (!ok) throw new CallControlError('CC_ERR_TOKEN_INVALID', 'The URL token is not valid');
  };

  // Every configured token, wherever it stands, and the token's own place whatever it holds.
  const scrub = (text: string): string => {
    let out = text;
    for (const token of tokens) if (out.includes(token)) out = out.split(token).join(REDACTED);
    return out;
  };
  /** The path and query with the token redacted (see {@link Authenticator.redact}). */
  const redactParts = (
    target: { path: string; query: string },
    checked: boolean,
  ): { path: string; query: string } => {
    let path = target.path;
    // Once checked, the first segment is no longer the token (it was taken out).
    if (where === 'path' && !checked) {
      const match = /^\/([^/]*)(\/.*)?$/.exec(path);
      if (match !== null && match[1] !== '') path = `/${REDACTED}${match[2] ?? ''}`;
    }
    path = redactSegments(scrub(path), tokens);
    const query = redactQuery(scrub(target.query), where === 'query' ? param : undefined, tokens);
    return { path, query };
  };
  const redact = (request: WebhookRequest, checked: boolean): WebhookRequest => {
    const { path, query } = redactParts(request, checked);
    const originalUrl =
      request.originalUrl === undefined
        ? undefined
        : redactTarget(request.originalUrl, request.path, checked, redactParts);
    return path === request.path && query === request.query && originalUrl === request.originalUrl
      ? request
      : { ...request, path, query, ...(originalUrl === undefined ? {} : { originalUrl }) };
  };
  /** The request handed on: `originalUrl` with the token (checked, so in place) redacted. */
  const handOn = (received: WebhookRequest, checked: WebhookRequest): WebhookRequest =>
    received.originalUrl === undefined
      ? checked
      : {
          ...checked,
          originalUrl: redactTarget(received.originalUrl, received.path, false, redactParts),
        };

  if (where === 'path') {
    return withRedact(
      (request) => {
        const match = /^\/([^/]*)(\/.*)?$/.exec(request.path);
        check(match?.[1]);
        return handOn(request, { ...request, path: match?.[2] ?? '/' });
      },
      redact,
      scrub,
    );
  }
  return withRedact(
    function urlTokenInQuery(request) {
      const kept: string[] = [];
      const found: string[] = [];
      for (const part of request.query === '' ? [] : request.query.split('&')) {
        const [key, value] = splitQueryPart(part);
        if (key === param) found.push(value);
        else kept.push(part);
      }
      if (found.length > 1) {
        throw new CallControlError('CC_ERR_TOKEN_INVALID', 'The URL token is given more than once');
      }
      check(found[0]);
      return handOn(request, { ...request, query: kept.join('&') });
    },
    redact,
    scrub,
  );
}

/**
 * The request target `originalUrl` (full path and query) redacted: the part of its path that is
 * the request's `path` (below the mount) and its query go through `redactParts` as a request's
 * path and query are (`checked` as given); the mount prefix before them only has configured
 * tokens scrubbed (`checked` `true`: it holds no token's own place). A target whose path does
 * not end with `path` is replaced by `/[redacted]` and its redacted query. Never throws: a
 * target it cannot take apart is redacted whole.
 */
function redactTarget(
  originalUrl: string,
  path: string,
  checked: boolean,
  redactParts: (
    target: { path: string; query: string },
    checked: boolean,
  ) => { path: string; query: string },
): string {
  try {
    const at = originalUrl.indexOf('?');
    const fullPath = at === -1 ? originalUrl : originalUrl.slice(0, at);
    const query = at === -1 ? '' : originalUrl.slice(at + 1);
    const below = fullPath.endsWith(path) ? path : path === '/' ? '' : undefined;
    const tail = redactParts(
      { path: below === '' || below === undefined ? '/' : below, query },
      checked,
    );
    const search = at === -1 && tail.query === '' ? '' : `?${tail.query}`;
    if (below === undefined) return `/${REDACTED}${search}`;
    const prefix = fullPath.slice(0, fullPath.length - below.length);
    const head = prefix === '' ? '' : redactParts({ path: prefix, query: '' }, true).path;
    return `${head}${below === '' ? '' : tail.path}${search}`;
  } catch {
    return `/${REDACTED}`;
  }
}

/** One `key=value` part of a query string, both decoded as forms are (`+` is a space). */
function splitQueryPart(part: string): [string, string] {
  const params = new URLSearchParams(part);
  const first = params.entries().next();
  if (first.done === true) return ['', ''];
  return first.value;
}

/** A decoded path segment; a malformed escape leaves the segment as written. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The path with every segment that decodes to one of `tokens` replaced by `[redacted]`. */
function redactSegments(path: string, tokens: readonly string[]): string {
  if (!path.includes('%')) return path;
  return path
    .split('/')
    .map((segment) => (tokens.includes(decodeSegment(segment)) ? REDACTED : segment))
    .join('/');
}

/**
 * The query with the value of every `param` part, and every value that decodes to one of
 * `tokens`, replaced by `[redacted]`; other parts as written.
 */
function redactQuery(query: string, param: string | undefined, tokens: readonly string[]): string {
  if (query === '') return query;
  return query
    .split('&')
    .map((part) => {
      const [key, value] = splitQueryPart(part);
      if (tokens.includes(key)) return REDACTED;
      if (value === '' || value === REDACTED) return part;
      if (key !== param && !tokens.includes(value)) return part;
      const at = part.indexOf('=');
      return at === -1 ? REDACTED : `${part.slice(0, at)}=${REDACTED}`;
    })
    .join('&');
}

/** What stands in for a secret in a redacted request: `'[redacted]'`. */
export const REDACTED = '[redacted]';

/**
 * Request headers that carry credentials whatever the provider, lower-case: their values are
 * redacted in every request handed to `onError`.
 */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
]);

/**
 * The request with the values of the headers `names` (lower-case) replaced by `[redacted]`; the
 * request itself when it has none of them. Never changes `request`.
 */
export function redactHeaders(request: WebhookRequest, names: readonly string[]): WebhookRequest {
  let headers: Record<string, string | undefined> | undefined;
  for (const name of names) {
    if (request.headers[name] === undefined) continue;
    headers ??= { ...request.headers };
    headers[name] = REDACTED;
  }
  return headers === undefined ? request : { ...request, headers };
}

/**
 * A request as it may be shown outside the pipeline (`onError`'s `context.request`): the values
 * of {@link CREDENTIAL_HEADERS} and of `secretHeaders` (a provider's signature header) replaced
 * by `[redacted]`, then each authenticator's `redact` applied (the URL token), the first
 * `checked` of them told that they already ran over `request`. A copy where anything was
 * redacted; `request` itself is never changed. An authenticator's `redact` that throws is
 * skipped and the parts it would have redacted (path and query) are replaced whole.
 */
export function redactRequest(
  request: WebhookRequest,
  authenticators: readonly Authenticator[],
  secretHeaders: readonly string[] = [],
  checked = 0,
): WebhookRequest {
  let redacted = redactHeaders(request, CREDENTIAL_HEADERS);
  if (secretHeaders.length > 0) redacted = redactHeaders(redacted, secretHeaders);
  for (const [index, authenticator] of authenticators.entries()) {
    if (authenticator.redact === undefined) continue;
    try {
      redacted = authenticator.redact(redacted, index < checked);
    } catch {
      redacted = {
        ...redacted,
        path: `/${REDACTED}`,
        query: REDACTED,
        ...(redacted.originalUrl === undefined ? {} : { originalUrl: `/${REDACTED}` }),
      };
    }
  }
  return redacted;
}

/** `check` with its `redact`, as one {@link Authenticator}. */
function withRedact(
  check: Authenticator,
  redact: (request: WebhookRequest, checked: boolean) => WebhookRequest,
  redactText?: (text: string) => string,
): Authenticator {
  return Object.assign(check, redactText === undefined ? { redact } : { redact, redactText });
}

/** Options of {@link createSourceAllowlist}. */
export interface SourceAllowlistOptions {
  /**
   * Addresses and CIDR ranges requests may come from, IPv4 or IPv6: `'127.0.0.1'`,
   * `'10.0.0.0/8'`, `'2001:db8::/32'`. IPv4-mapped IPv6 peers (`::ffff:10.1.2.3`) match their
   * IPv4 form.
   */
  readonly allowFrom: readonly string[];
  /**
   * Addresses and ranges of reverse proxies in front of the app. Only when the TCP peer is one of
   * them is `X-Forwarded-For` read: the client is its right-most address that is not itself a
   * trusted proxy. Default: none — `X-Forwarded-For` is ignored, so a caller cannot forge it.
   */
  readonly trustProxy?: readonly string[];
}

/**
 * A list of IPv4/IPv6 addresses and CIDR ranges (`'10.0.0.0/8'`, `'2001:db8::/32'`), as
 * `allowFrom` and `trustProxy` take them, for {@link inAddressList}.
 *
 * @param option - the option's name, for the error message
 * @throws {TypeError} when `entries` is not a list, or an entry is not an address or CIDR range
 */
export function buildAddressList(entries: readonly unknown[], option: string): BlockList {
  return buildList(entries, option);
}

/**
 * Whether `address` (a peer address as Node reports it, or one of `X-Forwarded-For`'s) is in
 * `list`: IPv4-mapped IPv6 (`::ffff:10.1.2.3`) matches its IPv4 form, brackets and zone ids are
 * dropped; anything that is not an IP address is in no list.
 */
export function inAddressList(list: BlockList, address: string | undefined): boolean {
  return address !== undefined && contains(list, plainAddress(address));
}

function buildList(entries: readonly unknown[], option: string): BlockList {
  const list = new BlockList();
  if (!Array.isArray(entries)) throw new TypeError(`${option} must be a list of addresses`);
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new TypeError(`${option}: ${String(entry)} is no address`);
    const [address = '', prefix, extra] = entry.trim().split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d{1,3}$/.test(prefix ?? '') || bits > max))
    ) {
      throw new TypeError(`${option}: "${entry}" is not an IP address or CIDR range`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}

/** The address in its plain form: IPv4-mapped IPv6 becomes IPv4; zone ids are dropped. */
function plainAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped?.[1] ?? trimmed.replace(/%.*$/, '');
}

function contains(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Builds an authenticator that admits requests only from `allowFrom` — Ozeki's own HTTP API
 * offers such lists (spec ozeki §1), and Opentact documents the subnet its requests come from.
 *
 * The address checked is the TCP peer's; behind a proxy listed in `trustProxy`, the client
 * named by `X-Forwarded-For` (see {@link SourceAllowlistOptions.trustProxy}). A request whose
 * address cannot be known (no peer address, a malformed `X-Forwarded-For`) is refused.
 *
 * @throws {TypeError} for an empty `allowFrom` or an entry that is not an address or CIDR range
 * @returns an authenticator that throws `CC_ERR_SOURCE_FORBIDDEN` (403)
 */
export function createSourceAllowlist(options: SourceAllowlistOptions): Authenticator {
  if (!Array.isArray(options.allowFrom) || options.allowFrom.length === 0) {
    throw new TypeError('allowFrom: give at least one address or CIDR range');
  }
  const allowed = buildList(options.allowFrom, 'allowFrom');
  const proxies = buildList(options.trustProxy ?? [], 'trustProxy');

  return function sourceAllowlist(request) {
    const client = clientAddress(
      request.remoteAddress,
      request.headers['x-forwarded-for'],
      proxies,
    );
    if (client === undefined || !contains(allowed, client)) {
      throw new CallControlError(
        'CC_ERR_SOURCE_FORBIDDEN',
        `Requests from ${client ?? 'an unknown address'} are not allowed`,
      );
    }
  };
}

function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  proxies: BlockList,
): string | undefined {
  if (peer === undefined) return undefined;
  let address = plainAddress(peer);
  if (!contains(proxies, address) || forwardedFor === undefined) return address;
  const hops = forwardedFor.split(',').map(plainAddress);
  for (let i = hops.length - 1; i >= 0; i--) {
    address = hops[i] ?? '';
    if (isIP(address) === 0) return undefined;
    if (!contains(proxies, address)) return address;
  }
  return address;
}

/**
 * Security options every provider app accepts besides its own (signatures): HTTP basic auth, a
 * URL token, and a source-address allowlist.
 */
export interface CommonSecurityOptions {
  /**
   * HTTP basic auth, as providers send it when the webhook URL holds credentials
   * (`https://user:pass@host/path`): one or several pairs, or the full options.
   */
  readonly basicAuth?:
    BasicAuthCredentials | readonly BasicAuthCredentials[] | BasicAuthOptions | undefined;
  /** A secret token in the webhook URL, see {@link createUrlToken}. */
  readonly urlToken?: UrlTokenOptions | undefined;
  /** Addresses and CIDR ranges requests may come from, see {@link createSourceAllowlist}. */
  readonly allowFrom?: readonly string[] | undefined;
  /**
   * Addresses and CIDR ranges of the reverse proxies in front of the app (`'127.0.0.1'`,
   * `'10.0.0.0/8'`, `'::1'`): the app's one list of trusted proxies. Only for a request whose TCP
   * peer is one of them are the proxy headers read — `X-Forwarded-For` for `allowFrom` (see
   * {@link SourceAllowlistOptions.trustProxy}), and `Forwarded` (RFC 7239), `X-Forwarded-Proto`
   * and `X-Forwarded-Host` for the request's public URL (see `requestPublicUrl`). From any other
   * peer they are ignored, so a client cannot forge them. Default: none.
   */
  readonly trustProxy?: readonly string[] | undefined;
  /**
   * `true`: serve requests without any check when no way to authenticate them is given. For
   * local development and tests only: anyone who reaches the URL could then drive your calls.
   *
   * Without it, `createApp` throws a `TypeError` when it gets none of its checks — for
   * Placetel `secret` (or `basicAuth`, `urlToken`, `allowFrom`), for the others `urlToken`,
   * `basicAuth` or `allowFrom` — so that a missing environment variable
   * (`createApp({ secret: process.env.PLACETEL_SECRET })` with the variable unset) stops the
   * app at start instead of accepting unsigned requests. With a check given, it changes
   * nothing. Default `false`.
   */
  readonly allowUnauthenticated?: boolean | undefined;
}

/**
 * The authenticators for {@link CommonSecurityOptions}, in the order they run: source address
 * (403), basic auth (401), URL token (403). Providers append their signature check. (An app
 * given none refuses to be created unless `allowUnauthenticated` is `true`: the core checks
 * that once for every provider, see `WebhookAppOptions.allowUnauthenticated`.)
 *
 * @throws {TypeError} for invalid options (see each factory), or a `trustProxy` entry that is
 *   not an address or CIDR range (with or without `allowFrom`)
 */
export function commonAuthenticators(options: CommonSecurityOptions): Authenticator[] {
  const authenticators: Authenticator[] = [];
  if (options.allowFrom !== undefined) {
    authenticators.push(
      createSourceAllowlist({
        allowFrom: options.allowFrom,
        ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
      }),
    );
  } else if (options.trustProxy !== undefined) {
    // Also the proxies whose Forwarded / X-Forwarded-Proto / X-Forwarded-Host the public URL
    // reads (the app checks the list); here only checked, so a bad entry fails at creation.
    buildList(options.trustProxy, 'trustProxy');
  }
  if (options.basicAuth !== undefined) {
    const basic = options.basicAuth;
    authenticators.push(createBasicAuth('credentials' in basic ? basic : { credentials: basic }));
  }
  if (options.urlToken !== undefined) authenticators.push(createUrlToken(options.urlToken));
  return authenticators;
}
