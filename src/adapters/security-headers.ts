/**
 * The security headers every adapter (`node()`, `express()`, `fetch()`, `fastify()`) puts on
 * every answer. Every answer goes to a telephony provider's HTTP client, never to a browser, so
 * the set is the one OWASP's REST Security Cheat Sheet lists for an API ("Security Headers",
 * https://cheatsheetseries.owasp.org/cheatsheets/REST_Security_Cheat_Sheet.html#security-headers),
 * made by helmet with {@link API_HELMET_OPTIONS}:
 *
 * | header | value |
 * | --- | --- |
 * | `Content-Security-Policy` | `default-src 'none';frame-ancestors 'none'` |
 * | `Strict-Transport-Security` | `max-age=31536000; includeSubDomains` (365 days, in seconds) |
 * | `X-Content-Type-Options` | `nosniff` |
 * | `X-Frame-Options` | `DENY` |
 *
 * and `X-Powered-By` removed (Express sets it). `Cache-Control: no-store` is the reply's own
 * header (`core/reply.ts`), on every answer with or without these. helmet's browser-only headers
 * (`Cross-Origin-*-Policy`, `Origin-Agent-Cluster`, `Referrer-Policy`, `X-DNS-Prefetch-Control`,
 * `X-Download-Options`, `X-Permitted-Cross-Domain-Policies`, `X-XSS-Protection`) are not sent.
 *
 * The headers are computed once per handler (helmet runs once against a recording stub), not
 * per request.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export type { HelmetOptions } from 'helmet';

/**
 * The `securityHeaders` option of every adapter: helmet's options (the headers helmet makes of
 * them replace the default set, see {@link API_HELMET_OPTIONS}), or `false` for no security
 * headers at all (behind a proxy that adds its own; nothing is removed either, so Express's
 * `X-Powered-By` is then the host app's to disable). Default: {@link API_HELMET_OPTIONS}.
 */
export type SecurityHeadersOption = HelmetOptions | false;

/** Options every adapter accepts. */
export interface SecurityHeadersOptions {
  /**
   * The security headers of every answer: helmet's options, or `false` for none. Default: the
   * API set of {@link API_HELMET_OPTIONS} (`Content-Security-Policy: default-src 'none';
   * frame-ancestors 'none'`, `Strict-Transport-Security: max-age=31536000; includeSubDomains`
   * — `maxAge` is in **seconds** —, `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
   * `X-Powered-By` removed).
   */
  readonly securityHeaders?: SecurityHeadersOption | undefined;
}

/** See {@link API_HELMET_OPTIONS}. */
const apiHelmetOptions: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  xContentTypeOptions: true,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xPoweredBy: true,
  xXssProtection: false,
};

/**
 * helmet's options for an XML API, per OWASP's REST Security Cheat Sheet: a Content Security
 * Policy that allows nothing and no framing, HSTS for 365 days (helmet's default, `maxAge`
 * 31,536,000 seconds, with subdomains), `nosniff`, `X-Frame-Options: DENY`, `X-Powered-By`
 * removed, and every browser-only header of helmet's default set off.
 */
export const API_HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze(apiHelmetOptions);

/** What helmet sets and removes on every answer, recorded once. */
export interface SecurityHeaders {
  /** Headers set: lower-case names and their values, in the order helmet sets them. */
  readonly set: Readonly<Record<string, string>>;
  /** Lower-case names of the headers removed (`x-powered-by`). */
  readonly removed: readonly string[];
}

/** No security headers (`securityHeaders: false`). */
const NONE: SecurityHeaders = Object.freeze({ set: Object.freeze({}), removed: Object.freeze([]) });

/**
 * Runs helmet once with `option`'s options against a stub response that records `setHeader`
 * and `removeHeader`, and returns what it set and removed.
 *
 * @param option - helmet's options, `false` for none; default {@link API_HELMET_OPTIONS}
 * @throws {TypeError} for options helmet refuses (its own error as the message), or when
 *   helmet does not finish synchronously
 */
export function recordSecurityHeaders(option?: SecurityHeadersOption): SecurityHeaders {
  if (option === false) return NONE;
  const set: Record<string, string> = {};
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set[name.toLowerCase()] = typeof value === 'object' ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name.toLowerCase());
    },
    getHeader: (name: string) => set[name.toLowerCase()],
    hasHeader: (name: string) => Object.hasOwn(set, name.toLowerCase()),
  };
  let middleware: ReturnType<typeof helmet>;
  try {
    middleware = helmet(option ?? API_HELMET_OPTIONS);
  } catch (error) {
    throw new TypeError(`securityHeaders: ${String((error as Error).message)}`, { cause: error });
  }
  let finished = false;
  let failure: unknown;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    finished = true;
    failure = error;
  });
  if (!finished || failure !== undefined) {
    throw new TypeError('securityHeaders: helmet did not finish synchronously', {
      cause: failure,
    });
  }
  return Object.freeze({ set: Object.freeze(set), removed: Object.freeze(removed) });
}

/** The default set ({@link API_HELMET_OPTIONS}), recorded when the module loads. */
export const DEFAULT_SECURITY_HEADERS: SecurityHeaders = recordSecurityHeaders();

/** The set for an adapter's options: the default one unless `securityHeaders` is given. */
export function securityHeadersFor(options: SecurityHeadersOptions | undefined): SecurityHeaders {
  const option = options?.securityHeaders;
  return option === undefined ? DEFAULT_SECURITY_HEADERS : recordSecurityHeaders(option);
}
