/**
 * sipgate.io request signatures: RSASSA-PKCS1-v1_5 with SHA-256 over the exact body bytes,
 * base64, in `X-Sipgate-Signature`, made with one key pair of sipgate's whose public key is
 * published (spec §3.1).
 *
 * Spec: `docs/providers/sipgate.md` §3.1 "X-Sipgate-Signature"; key source:
 * https://github.com/sipgate-io/sipgateio-node/blob/8060fd9/lib/webhook/signatureVerifier.ts
 *
 * @module
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CallControlError } from '../../core/errors';
import type { Authenticator } from '../../core/types';

/** The header sipgate puts the signature in (lower-case, as Node presents header names). */
export const SIPGATE_SIGNATURE_HEADER = 'x-sipgate-signature';

/**
 * sipgate.io's published public key (RSA 4096 bits, e = 65537, SubjectPublicKeyInfo PEM), the
 * one key every sipgate.io push is signed with, for all customers (spec §3.1). Copied from
 * https://github.com/sipgate-io/sipgateio-node/blob/8060fd9/lib/webhook/signatureVerifier.ts
 * (the same key is in sipgate/pushapi-request-verifier `src/main/resources/fastagi.pub`);
 * SHA-256 of its DER: {@link SIPGATE_PUBLIC_KEY_SHA256}.
 */
export const SIPGATE_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAvFdlnqRfO5TmqzjtsFVC
qPz+oW+poi3lXQFvMJJMEAtlU4MbX+yuIkgnC+Qt3AQWIK+oWSEQiybg+p39wEMl
16PZxEzf9gONQvTg1XhyHnwqYUFQj/AoxPKGYC3jmdjZ224SrESiTN3CdxoOc3vk
cXiQstYE7SxnksPtzfk0aIOkicim5/tAP9izNQ18/zmX3ChjK2k72gf5dDlq+qZ8
pRiHAPZ64TySH6cLQDhaoh6Nbq8FEG3usXXPClbUMh2DZaTMPafpd+LNuTngJ/y+
KoZasVuFfXAeBqGA6l5d4Uedfr99Z6qjwDrJ8sU4z2Do9bJrbuqP+mOXEebhSI1K
vi8trEfrIt8hnDBGsBaB9NEO3kYxvDT2/PhC9fNYFocjEpZNd7/mUqTJDYlpa4UC
NDQaU+ATdXG8/P5sGAegks6MQTu+qe9XTO0CV48eswDkz6g3UbLOwmrJK59SjD3J
yAZ52sluwyDKRWw/PPTt8BTQLjvkdbiLUlc4ehJ4b1X7D7diYWHDPeFL47cAvaXh
dXVrZDeBJYibvD1jRx4ES0KlfhwzNXBYUoM/Movg9zMM2PzyHHKS//xIjwUC/FJ6
/6eykno0Hy2B1ev6s3hdY6VkN2zd7Wf+EK4DxRliwsg1U99szFE3ewLfexF+Uag5
M+TfPtOUumI/NHMTvsRW9+ECAwEAAQ==
-----END PUBLIC KEY-----
`;

/** Hex SHA-256 of the DER encoding of {@link SIPGATE_PUBLIC_KEY} (spec §3.1 "Key"). */
export const SIPGATE_PUBLIC_KEY_SHA256 =
  '893cfd6caad92efc277a5977daec63dee1597223b1df5b2bf69ef56cd92305b3';

/** Standard base64 with padding, as sipgate writes the signature. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Imports an RSA public key for {@link verifySipgateSignature}.
 *
 * @param key - a PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo, or `-----BEGIN RSA
 *   PUBLIC KEY-----`) or a public `KeyObject`
 * @throws {TypeError} when `key` is not an RSA public key
 */
export function importSipgatePublicKey(key: string | KeyObject): KeyObject {
  let imported: KeyObject;
  try {
    imported = typeof key === 'string' ? createPublicKey(key) : key;
  } catch {
    throw new TypeError('publicKey: not a PEM-encoded public key');
  }
  if (imported.type !== 'public' || imported.asymmetricKeyType !== 'rsa') {
    throw new TypeError('publicKey: must be an RSA public key');
  }
  return imported;
}

/**
 * Signs a body as sipgate does: RSASSA-PKCS1-v1_5 with SHA-256 over the exact bytes, base64.
 * sipgate's private key is sipgate's: this is for tests and simulations with a key pair of
 * one's own, whose public key the app is given as `publicKey`.
 *
 * @param body - the exact request body (a string is taken as UTF-8)
 * @param privateKey - an RSA private key, PEM or `KeyObject`
 * @returns the base64 signature (684 characters for a 4096-bit key)
 * @throws {TypeError} (from node:crypto) for a key that is not an RSA private key
 */
export function signSipgateBody(body: Buffer | string, privateKey: string | KeyObject): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign('sha256', typeof body === 'string' ? Buffer.from(body, 'utf8') : body, key).toString(
    'base64',
  );
}

/**
 * Checks a signature against the body. Never throws: a signature that is absent, empty, not
 * standard base64, or not exactly as long as the key's modulus simply does not verify.
 *
 * @param body - the exact bytes received, never a re-encoded form (a string is taken as UTF-8)
 * @param signature - the `X-Sipgate-Signature` header value
 * @param publicKey - the key to check with; default {@link SIPGATE_PUBLIC_KEY}
 */
export function verifySipgateSignature(
  body: Buffer | string,
  signature: string | undefined,
  publicKey: KeyObject = defaultKey(),
): boolean {
  // typeof, not `=== undefined`: a JavaScript caller's null or a non-string never verifies either.
  const given = typeof signature === 'string' ? signature.trim() : '';
  if (given === '' || !BASE64.test(given)) return false;
  const bytes = Buffer.from(given, 'base64');
  const modulusBits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (modulusBits !== undefined && bytes.length !== Math.ceil(modulusBits / 8)) return false;
  try {
    return verify(
      'sha256',
      typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
      publicKey,
      bytes,
    );
  } catch {
    return false;
  }
}

let published: KeyObject | undefined;

/** The published key, imported once. */
function defaultKey(): KeyObject {
  published ??= createPublicKey(SIPGATE_PUBLIC_KEY);
  return published;
}

/**
 * An authenticator that requires a valid `X-Sipgate-Signature` under `publicKey`.
 *
 * @param publicKey - the key to check with (PEM or `KeyObject`); default {@link SIPGATE_PUBLIC_KEY}
 * @throws {TypeError} (at once) when `publicKey` is not an RSA public key
 * @throws {CallControlError} (from the authenticator) `CC_ERR_SIGNATURE_MISSING` for an absent
 *   or empty header, `CC_ERR_SIGNATURE_INVALID` for one that does not verify; both 403
 */
export function createSipgateSignatureCheck(publicKey?: string | KeyObject): Authenticator {
  const key = publicKey === undefined ? defaultKey() : importSipgatePublicKey(publicKey);
  return function sipgateSignature(request) {
    const signature = request.headers[SIPGATE_SIGNATURE_HEADER];
    if (typeof signature !== 'string' || signature === '') {
      throw new CallControlError(
        'CC_ERR_SIGNATURE_MISSING',
        'The X-Sipgate-Signature header is missing',
      );
    }
    if (!verifySipgateSignature(request.body, signature, key)) {
      throw new CallControlError(
        'CC_ERR_SIGNATURE_INVALID',
        'The X-Sipgate-Signature does not verify over the body with the configured public key',
      );
    }
  };
}
