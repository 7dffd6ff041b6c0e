/**
 * Provider-neutral request authentication: HTTP basic auth and constant-time comparison.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { CallControlError } from './errors';
import type { Authenticator } from './types';

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

  return function basicAuth(request) {
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
}
