/**
 * Placetel request signatures: HMAC-SHA256 over the raw body, hex, in `X-PLACETEL-SIGNATURE`.
 *
 * Spec: `docs/providers/placetel.md` §1 "Signature" (README commit dedc745, PR #9); test vector: secret
 * `12345` over `call_id=4a4c…&event=CallAccepted&from=0123456789&to=0987654321` gives
 * `c4f823c5…92d0`.
 *
 * @module
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { CallControlError } from '../../core/errors';
import type { Authenticator } from '../../core/types';

/** The header Placetel puts the signature in (lower-case, as Node presents header names). */
export const PLACETEL_SIGNATURE_HEADER = 'x-placetel-signature';

/**
 * Signs a body as Placetel does: lower-case hex HMAC-SHA256 of the exact bytes under `secret`.
 *
 * @param body - the exact request body (a string is taken as UTF-8)
 * @param secret - the shared secret from Placetel's external API settings
 * @returns 64 lower-case hex characters
 */
export function signPlacetelBody(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Checks a signature against the body under each secret, in constant time: every secret is
 * tried (no early exit), hex is compared as bytes (upper- or lower-case hex both verify).
 *
 * @param body - the exact bytes received, never a re-encoded form
 * @param signature - the header value; `undefined` or malformed hex never verifies
 * @param secrets - one or more accepted secrets (several during rotation); strings are taken as
 *   UTF-8, and `KeyObject`s made once with `crypto.createSecretKey` save re-importing the key
 *   on every request (what the app's authenticator does)
 */
export function verifyPlacetelSignature(
  body: Buffer | string,
  signature: string | undefined,
  secrets: readonly (string | KeyObject)[],
): boolean {
  const given = signature === undefined ? '' : signature.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const givenBytes = Buffer.from(given, 'hex');
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    ok = timingSafeEqual(expected, givenBytes) || ok;
  }
  return ok;
}

/**
 * Normalises the `secret` option: a string or a list of strings, none empty.
 *
 * @throws {TypeError} for an empty list, an empty secret or a non-string
 */
export function normalizeSecrets(secret: string | readonly string[]): readonly string[] {
  const list: readonly unknown[] = typeof secret === 'string' ? [secret] : secret;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError('secret: give a non-empty string or a non-empty list of strings');
  }
  for (const item of list) {
    if (typeof item !== 'string' || item === '') {
      throw new TypeError('secret: every secret must be a non-empty string');
    }
  }
  return list as readonly string[];
}

/**
 * An authenticator that requires a valid `X-PLACETEL-SIGNATURE` under one of `secrets`.
 *
 * @throws {CallControlError} (from the authenticator) `CC_ERR_SIGNATURE_MISSING` or
 *   `CC_ERR_SIGNATURE_INVALID`, both 403
 */
export function createPlacetelSignatureCheck(secrets: readonly string[]): Authenticator {
  // Imported once: an HMAC keyed with a KeyObject skips encoding the key string per request.
  const keys = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  return function placetelSignature(request) {
    const signature = request.headers[PLACETEL_SIGNATURE_HEADER];
    if (signature === undefined || signature === '') {
      throw new CallControlError(
        'CC_ERR_SIGNATURE_MISSING',
        'The X-PLACETEL-SIGNATURE header is missing',
      );
    }
    if (!verifyPlacetelSignature(request.body, signature, keys)) {
      throw new CallControlError(
        'CC_ERR_SIGNATURE_INVALID',
        'The X-PLACETEL-SIGNATURE does not match the body under any configured secret',
      );
    }
  };
}
