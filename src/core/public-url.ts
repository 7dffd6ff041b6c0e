/**
 * The public URL of a request: the URL the provider called, as URL-signing providers (the
 * TwiML family: Twilio, Telnyx, SignalWire) sign it — scheme, host, path and query.
 *
 * Behind a reverse proxy or a tunnel the server does not see that URL: the proxy ends TLS and
 * may call the app under another host and path. Two ways to know it:
 *
 * - the app's `publicUrl` option, the public URL of the mount point (what path `/` of the app
 *   is called as), e.g. `'https://example.com/hooks/twilio'`: the request's path below the
 *   mount and its query are appended;
 * - otherwise the request's own scheme and `Host`, replaced by a proxy's `Forwarded`
 *   (RFC 7239) `proto=`/`host=`, or `X-Forwarded-Proto`/`X-Forwarded-Host`, only when the TCP
 *   peer is one of the app's `trustProxy` addresses — the same list that lets `allowFrom`
 *   read `X-Forwarded-For`. From any other peer these headers are ignored.
 *
 * @module
 */
import type { BlockList } from 'node:net';
import { isIP } from 'node:net';
import { buildAddressList, inAddressList } from './auth';
import type { WebhookRequest } from './types';

/** Options of {@link requestPublicUrl} and {@link createPublicUrlResolver}. */
export interface PublicUrlOptions {
  /**
   * The public URL of the mount point, as the provider calls it: an absolute `http:` or
   * `https:` URL without query, fragment or credentials, e.g.
   * `'https://example.com/hooks/twilio'`. The mount point is where the app's path `/` is:
   * the prefix of `app.use(prefix, calls.express())` or of `fastify.register(…, { prefix })`,
   * the `basePath` of `calls.fetch()`, the server root for `calls.node()` (and for
   * `calls.fetch()` without `basePath`), so give `'https://example.com'` there. A trailing `/`
   * does not matter. Default: none (the URL is made from the request, see {@link PublicUrlOptions.trustProxy}).
   */
  readonly publicUrl?: string | undefined;
  /**
   * Addresses and CIDR ranges of reverse proxies in front of the app (`'10.0.0.0/8'`,
   * `'::1'`). Only a request whose TCP peer is one of them has its `Forwarded` /
   * `X-Forwarded-Proto` / `X-Forwarded-Host` read. Default: none (they are never read).
   */
  readonly trustProxy?: readonly string[] | undefined;
}

/**
 * `host[:port]` as RFC 3986 §3.2.2 allows it in a URL: an IP literal in brackets, or a
 * reg-name / IPv4 address, then an optional port of up to 5 digits.
 */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(?::\d{1,5})?$/;

/**
 * Checks the `publicUrl` option and returns it without a trailing `/` (`undefined` stays
 * `undefined`).
 *
 * @throws {TypeError} for a value that is not a string, not an absolute URL, not `http:` or
 *   `https:`, or holds a query, a fragment or credentials
 */
export function checkPublicUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new TypeError(`publicUrl: give an absolute http(s) URL, not ${typeof value}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `publicUrl: "${value}" is not an absolute URL; give one such as https://example.com/hooks`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`publicUrl: give an http: or https: URL, not ${url.protocol}`);
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new TypeError('publicUrl: the URL of the mount point holds no query or fragment');
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('publicUrl: the URL of the mount point holds no credentials');
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * The path of `request` below the mount point: its `path`, except that the mount point itself
 * called without a trailing `/` (`/hooks/twilio`, which the app sees as `/`) is `''`.
 */
function pathBelowMount(request: WebhookRequest, originalPath: string | undefined): string {
  if (request.path === '/' && originalPath !== undefined && !originalPath.endsWith('/')) return '';
  return request.path;
}

/** `originalUrl` split into its path and its query (without `?`). */
function splitTarget(target: string): { path: string; query: string } {
  const at = target.indexOf('?');
  return at === -1
    ? { path: target, query: '' }
    : { path: target.slice(0, at), query: target.slice(at + 1) };
}

/** The values of a comma-separated header, trimmed; `[]` for an absent header. */
function listValues(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header.split(',').map((value) => value.trim());
}

/** An RFC 7230 token or quoted-string value, unquoted; `undefined` when malformed. */
function unquote(value: string): string | undefined {
  if (!value.startsWith('"'))
    return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value) ? value : undefined;
  if (value.length < 2 || !value.endsWith('"')) return undefined;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

/**
 * The elements of a `Forwarded` header (RFC 7239 §4), each a map of lower-case parameter names
 * to unquoted values; `undefined` for a header that cannot be parsed.
 */
function parseForwarded(header: string): Array<Map<string, string>> | undefined {
  const elements: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  let i = 0;
  while (i < header.length) {
    const match = /^[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=("(?:[^"\\]|\\.)*"|[^;,\s"]*)[ \t]*/.exec(
      header.slice(i),
    );
    if (match === null) return undefined;
    const value = unquote(match[2] ?? '');
    if (value === undefined) return undefined;
    current.set((match[1] ?? '').toLowerCase(), value);
    i += match[0].length;
    const separator = header[i];
    if (separator === undefined) break;
    i += 1;
    if (separator === ',') {
      elements.push(current);
      current = new Map();
    } else if (separator !== ';') return undefined;
  }
  elements.push(current);
  return elements;
}

/** The IP address of a `Forwarded` `for=` node (`192.0.2.1`, `[2001:db8::1]:80`, `1.2.3.4:5`). */
function forwardedNode(node: string | undefined): string | undefined {
  if (node === undefined) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
  if (bracketed !== null) return bracketed[1];
  return node.replace(/:\d+$/, '');
}

/** `'http'` or `'https'` for a forwarded protocol, `undefined` for anything else. */
function scheme(value: string | undefined): 'http' | 'https' | undefined {
  const lower = value?.toLowerCase();
  return lower === 'http' || lower === 'https' ? lower : undefined;
}

/** A forwarded or received authority when it is a valid `host[:port]`. */
function authority(value: string | undefined): string | undefined {
  return value !== undefined && AUTHORITY.test(value) ? value : undefined;
}

/**
 * What the proxies in front say of the scheme and host the client used, when the peer is
 * trusted: from the `Forwarded` element added by the first trusted proxy (walking from the
 * right, past the elements whose `for=` is a trusted proxy), parameter by parameter, else from
 * `X-Forwarded-Proto` / `X-Forwarded-Host` (a list is read from the right, one value per trusted
 * proxy named at the end of `X-Forwarded-For`, as `allowFrom` reads it).
 */
function forwarded(
  request: WebhookRequest,
  proxies: BlockList,
): { scheme?: 'http' | 'https'; host?: string } {
  const found: { scheme?: 'http' | 'https'; host?: string } = {};
  const header = request.headers['forwarded'];
  const elements = header === undefined ? undefined : parseForwarded(header);
  if (elements !== undefined) {
    let index = elements.length - 1;
    while (index > 0) {
      const node = forwardedNode(elements[index]?.get('for'));
      if (node === undefined || isIP(node) === 0 || !inAddressList(proxies, node)) break;
      index -= 1;
    }
    const element = elements[index];
    const proto = scheme(element?.get('proto'));
    const host = authority(element?.get('host'));
    if (proto !== undefined) found.scheme = proto;
    if (host !== undefined) found.host = host;
  }
  if (found.scheme !== undefined && found.host !== undefined) return found;
  const hops = listValues(request.headers['x-forwarded-for']);
  let trustedHops = 0;
  for (let i = hops.length - 1; i >= 0 && inAddressList(proxies, hops[i]); i--) trustedHops++;
  const pick = (values: string[]): string | undefined =>
    values.length === 0 ? undefined : values[Math.max(0, values.length - 1 - trustedHops)];
  if (found.scheme === undefined) {
    const proto = scheme(pick(listValues(request.headers['x-forwarded-proto'])));
    if (proto !== undefined) found.scheme = proto;
  }
  if (found.host === undefined) {
    const host = authority(pick(listValues(request.headers['x-forwarded-host'])));
    if (host !== undefined) found.host = host;
  }
  return found;
}

/**
 * Builds the function that gives a request's public URL (see {@link requestPublicUrl}),
 * checking the options once.
 *
 * @throws {TypeError} for an invalid `publicUrl` (see {@link checkPublicUrl}) or a `trustProxy`
 *   entry that is not an IP address or CIDR range
 */
export function createPublicUrlResolver(
  options: PublicUrlOptions = {},
): (request: WebhookRequest) => string | undefined {
  const base = checkPublicUrl(options.publicUrl);
  const proxies =
    options.trustProxy === undefined || options.trustProxy.length === 0
      ? undefined
      : buildAddressList(options.trustProxy, 'trustProxy');
  return function publicUrlOf(request) {
    const target = request.originalUrl === undefined ? undefined : splitTarget(request.originalUrl);
    const query = target === undefined ? request.query : target.query;
    const search = query === '' ? '' : `?${query}`;
    if (base !== undefined) return `${base}${pathBelowMount(request, target?.path)}${search}`;
    let proto = request.scheme;
    let host = authority(request.host ?? request.headers['host']);
    if (proxies !== undefined && inAddressList(proxies, request.remoteAddress)) {
      const told = forwarded(request, proxies);
      proto = told.scheme ?? proto;
      host = told.host ?? host;
    }
    if (proto === undefined || host === undefined) return undefined;
    const path = target?.path ?? request.path;
    return `${proto}://${host}${path.startsWith('/') ? path : `/${path}`}${search}`;
  };
}

/**
 * The full public URL of a request — `scheme://host/path?query` as the provider called it and
 * signed it (Twilio-style signatures over the URL) — or `undefined` when it cannot be known.
 *
 * - With `options.publicUrl` (the public URL of the mount point): that URL, then the request's
 *   path below the mount (`''` for the mount point called without trailing `/`) and its query
 *   as received, e.g. `https://example.com/hooks/twilio` + `/status` + `?token=x`.
 * - Without it: the request's `scheme` and `host` (`Host` / `:authority`, refused unless it is
 *   a valid `host[:port]`: then `undefined`), then its `originalUrl` (full path and query as
 *   received). When the TCP peer (`remoteAddress`) is in `options.trustProxy`, a proxy's
 *   `Forwarded: proto=…;host=…` (RFC 7239) or `X-Forwarded-Proto` / `X-Forwarded-Host`
 *   replace scheme and host (values that are not `http`/`https` or a valid host are ignored);
 *   from any other peer they are ignored, so a client cannot forge them.
 *
 * The query, and a URL token in the path or query, are kept as received: a signature is made
 * over them. Never log the result or put it into an error message.
 *
 * @param request - the request as the adapter made it (before any check took the token out)
 * @param options - see {@link PublicUrlOptions}
 * @throws {TypeError} for invalid options, see {@link createPublicUrlResolver}
 */
export function requestPublicUrl(
  request: WebhookRequest,
  options: PublicUrlOptions = {},
): string | undefined {
  return createPublicUrlResolver(options)(request);
}
