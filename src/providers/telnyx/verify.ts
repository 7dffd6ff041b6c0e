/**
 * Telnyx request signatures: Ed25519 over `<telnyx-timestamp>|<raw body>`, base64 in
 * `telnyx-signature-ed25519`, checked with the account's public key (base64 of the raw 32 bytes,
 * as the Telnyx portal shows it), and a window of ±300 seconds around the current time for
 * `telnyx-timestamp` (Unix seconds).
 *
 * Spec: `docs/providers/telnyx.md` §3 "Security: Ed25519 signature"; upstream:
 * https://github.com/team-telnyx/telnyx-node/blob/b9b12ca/src/lib/webhooks.ts
 *
 * @module
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CallControlError } from '../../core/errors';
import type { Authenticator } from '../../core/types';

/** The header of the signature (lower-case, as Node presents header names; spec §3 "Headers"). */
export const TELNYX_SIGNATURE_HEADER = 'telnyx-signature-ed25519';

/** The header of the signing time, Unix **seconds** (spec §3 "Headers"). */
export const TELNYX_TIMESTAMP_HEADER = 'telnyx-timestamp';

/**
 * How far `telnyx-timestamp` may be from the current time, in **seconds**, either way (spec §3
 * "Window": telnyx-node's tolerance).
 */
export const TELNYX_TOLERANCE_SECONDS = 300;

/** The DER prefix that makes a raw 32-byte Ed25519 public key an SPKI structure (RFC 8410). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** The DER prefix of a PKCS #8 Ed25519 private key around its 32-byte seed (RFC 8410). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Standard base64 with padding. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Imports a Telnyx public key.
 *
 * @param key - base64 of the raw 32-byte key as the Telnyx portal shows it
 *   (`11qYAYKx…URo=`), base64 of its 44-byte SPKI DER form, a PEM (`-----BEGIN PUBLIC KEY-----`),
 *   or an Ed25519 public `KeyObject`
 * @throws {TypeError} when `key` is none of these (the message never holds the key)
 */
export function importTelnyxPublicKey(key: string | KeyObject): KeyObject {
  let imported: KeyObject;
  try {
    if (typeof key !== 'string') imported = key;
    else if (key.includes('-----BEGIN')) imported = createPublicKey(key);
    else {
      const text = key.trim();
      if (!BASE64.test(text) || text === '') throw new TypeError('not base64');
      const bytes = Buffer.from(text, 'base64');
      let der: Buffer;
      if (bytes.length === 32) der = Buffer.concat([SPKI_PREFIX, bytes]);
      else if (bytes.length === 44 && bytes.subarray(0, 12).equals(SPKI_PREFIX)) der = bytes;
      else throw new TypeError('wrong length');
      imported = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
  } catch {
    throw new TypeError(
      'publicKey: not a Telnyx public key (give the base64 of the 32-byte Ed25519 key, as the Telnyx portal shows it under Keys & Credentials → Public Key)',
    );
  }
  if (imported.type !== 'public' || imported.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('publicKey: must be an Ed25519 public key');
  }
  return imported;
}

/**
 * The base64 of the raw 32-byte public key of an Ed25519 key (public or private), as the Telnyx
 * portal shows a public key — for tests and simulations with a key pair of one's own.
 * @throws {TypeError} for a key that is not an Ed25519 key
 */
export function telnyxPublicKeyBase64(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 key');
  return pub
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI_PREFIX.length)
    .toString('base64');
}

/**
 * An Ed25519 private key from its 32-byte seed given as 64 hex digits (the fixtures' `signingSeed`),
 * or from a PEM.
 * @throws {TypeError} for anything else
 */
export function importTelnyxPrivateKey(key: string | KeyObject): KeyObject {
  let imported: KeyObject;
  try {
    if (typeof key !== 'string') imported = key;
    else if (/^[0-9a-fA-F]{64}$/.test(key.trim())) {
      const der = Buffer.concat([PKCS8_PREFIX, Buffer.from(key.trim(), 'hex')]);
      imported = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } else imported = createPrivateKey(key);
  } catch {
    throw new TypeError('privateKey: not an Ed25519 private key (PEM or 64 hex digits of a seed)');
  }
  if (imported.type !== 'private' || imported.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('privateKey: must be an Ed25519 private key');
  }
  return imported;
}

/** The bytes Telnyx signs: the timestamp text, `|`, the raw body (spec §3 "Signed bytes"). */
function signedBytes(timestamp: string, body: Buffer | string): Buffer {
  return Buffer.concat([
    Buffer.from(`${timestamp}|`, 'utf8'),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  ]);
}

/**
 * Signs a body as Telnyx does — for tests and simulations with a key pair of one's own (Telnyx's
 * private key is Telnyx's).
 *
 * @param body - the exact request body (a string is taken as UTF-8)
 * @param timestamp - the `telnyx-timestamp` value, Unix **seconds** (a number or its text)
 * @param privateKey - an Ed25519 private key (`KeyObject`, PEM, or 64 hex digits of its seed)
 * @returns the base64 signature (88 characters) for `telnyx-signature-ed25519`
 * @throws {TypeError} for a key that is not an Ed25519 private key
 */
export function signTelnyxBody(
  body: Buffer | string,
  timestamp: number | string,
  privateKey: string | KeyObject,
): string {
  return sign(
    null,
    signedBytes(String(timestamp), body),
    importTelnyxPrivateKey(privateKey),
  ).toString('base64');
}

/** Why a Telnyx signature was refused, as {@link checkTelnyxSignature} reports it. */
export type TelnyxSignatureProblem =
  | 'missing-signature'
  | 'missing-timestamp'
  | 'malformed-timestamp'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'bad-signature';

/** Options of {@link checkTelnyxSignature}. */
export interface TelnyxSignatureInput {
  /** The exact bytes received (a string is taken as UTF-8). */
  readonly body: Buffer | string;
  /** The `telnyx-signature-ed25519` value. */
  readonly signature: string | undefined;
  /** The `telnyx-timestamp` value, Unix seconds as decimal digits. */
  readonly timestamp: string | undefined;
  /** The current time, Unix **milliseconds** (as `Date.now()`). */
  readonly nowMs: number;
  /** The window, in **seconds** either way. */
  readonly toleranceSeconds: number;
}

/**
 * Checks a Telnyx signature and its timestamp. Never throws: returns `undefined` when the
 * request verifies under one of `keys`, else what is wrong — a header missing, a timestamp that
 * is not decimal digits, older or newer than the window allows, or a signature that does not
 * verify (absent, not base64, not 64 bytes, or over other bytes or with another key).
 *
 * The window is checked before the signature, so that a replayed old request is reported as
 * stale.
 */
export function checkTelnyxSignature(
  input: TelnyxSignatureInput,
  keys: readonly KeyObject[],
): TelnyxSignatureProblem | undefined {
  const { signature, timestamp } = input;
  if (typeof signature !== 'string' || signature.trim() === '') return 'missing-signature';
  if (typeof timestamp !== 'string' || timestamp.trim() === '') return 'missing-timestamp';
  // Digits only: parseInt('12abc') or NaN would slip through a window check (spec §3 "Non-numeric time").
  if (!/^[0-9]{1,15}$/.test(timestamp)) return 'malformed-timestamp';
  const age = input.nowMs / 1000 - Number(timestamp);
  if (age > input.toleranceSeconds) return 'stale-timestamp';
  if (age < -input.toleranceSeconds) return 'future-timestamp';
  const given = signature.trim();
  if (!BASE64.test(given)) return 'bad-signature';
  const bytes = Buffer.from(given, 'base64');
  if (bytes.length !== 64) return 'bad-signature';
  const message = signedBytes(timestamp, input.body);
  let valid = false;
  for (const key of keys) {
    try {
      if (verify(null, message, key, bytes)) valid = true;
    } catch {
      // A key that cannot verify (not Ed25519) simply does not.
    }
  }
  return valid ? undefined : 'bad-signature';
}

/**
 * Whether `signature` is Telnyx's Ed25519 signature of `timestamp|body` under `publicKey`,
 * without a window check (for signature vectors). Never throws.
 */
export function verifyTelnyxSignature(
  body: Buffer | string,
  signature: string | undefined,
  timestamp: string | undefined,
  publicKey: string | KeyObject,
): boolean {
  let key: KeyObject;
  try {
    key = importTelnyxPublicKey(publicKey);
  } catch {
    return false;
  }
  const nowMs = /^[0-9]{1,15}$/.test(timestamp ?? '') ? Number(timestamp) * 1000 : 0;
  return (
    checkTelnyxSignature(
      { body, signature, timestamp, nowMs, toleranceSeconds: Number.POSITIVE_INFINITY },
      [key],
    ) === undefined
  );
}

/** Options of {@link createTelnyxSignatureCheck}. */
export interface TelnyxSignatureCheckOptions {
  /** The public key(s): one, or several while keys change (every one is tried). */
  readonly publicKey: string | KeyObject | readonly (string | KeyObject)[];
  /** The window in **seconds** either way; default {@link TELNYX_TOLERANCE_SECONDS} (300). */
  readonly toleranceSeconds?: number | undefined;
  /** The current time in Unix **milliseconds**; default `Date.now` (tests give a fixed clock). */
  readonly now?: (() => number) | undefined;
}

/**
 * An authenticator that requires a valid Telnyx signature within the window. A refusal's
 * message says why — which header is missing, a timestamp that is not a number, how many seconds
 * too old or too new, or a signature that does not verify with the configured key(s) — and never
 * holds the signature or a key.
 *
 * @throws {TypeError} (at once) for a key that is not an Ed25519 public key, or a tolerance that
 *   is not a positive number of seconds
 * @throws {CallControlError} (from the authenticator, 403) `CC_ERR_SIGNATURE_MISSING` for an
 *   absent `telnyx-signature-ed25519` or `telnyx-timestamp`; `CC_ERR_SIGNATURE_INVALID` for a
 *   malformed, stale or future timestamp, or a signature that does not verify
 */
export function createTelnyxSignatureCheck(options: TelnyxSignatureCheckOptions): Authenticator {
  const given: readonly (string | KeyObject)[] = Array.isArray(options.publicKey)
    ? (options.publicKey as readonly (string | KeyObject)[])
    : [options.publicKey as string | KeyObject];
  if (given.length === 0) throw new TypeError('publicKey: give at least one key');
  const keys = given.map(importTelnyxPublicKey);
  const toleranceSeconds = options.toleranceSeconds ?? TELNYX_TOLERANCE_SECONDS;
  if (typeof toleranceSeconds !== 'number' || !(toleranceSeconds > 0)) {
    throw new TypeError('toleranceSeconds: must be a positive number of seconds');
  }
  const now = options.now ?? Date.now;
  return function telnyxSignature(request) {
    const signature = request.headers[TELNYX_SIGNATURE_HEADER];
    const timestamp = request.headers[TELNYX_TIMESTAMP_HEADER];
    const nowMs = now();
    const problem = checkTelnyxSignature(
      { body: request.body, signature, timestamp, nowMs, toleranceSeconds },
      keys,
    );
    if (problem === undefined) return;
    const age = Math.round(nowMs / 1000 - Number(timestamp));
    switch (problem) {
      case 'missing-signature':
        throw new CallControlError(
          'CC_ERR_SIGNATURE_MISSING',
          'The telnyx-signature-ed25519 header is missing',
        );
      case 'missing-timestamp':
        throw new CallControlError(
          'CC_ERR_SIGNATURE_MISSING',
          'The telnyx-timestamp header is missing',
        );
      case 'malformed-timestamp':
        throw new CallControlError(
          'CC_ERR_SIGNATURE_INVALID',
          'The telnyx-timestamp header is not a Unix time in seconds (decimal digits)',
        );
      case 'stale-timestamp':
        throw new CallControlError(
          'CC_ERR_SIGNATURE_INVALID',
          `Stale telnyx-timestamp: signed ${age} s ago, more than the ${toleranceSeconds} s allowed (a replayed request, or a clock off)`,
        );
      case 'future-timestamp':
        throw new CallControlError(
          'CC_ERR_SIGNATURE_INVALID',
          `Future telnyx-timestamp: ${-age} s ahead of this server's clock, more than the ${toleranceSeconds} s allowed`,
        );
      case 'bad-signature':
        throw new CallControlError(
          'CC_ERR_SIGNATURE_INVALID',
          `The telnyx-signature-ed25519 does not verify over telnyx-timestamp|body with the configured publicKey (${keys.length === 1 ? 'one key' : `${keys.length} keys`})`,
        );
    }
  };
}
