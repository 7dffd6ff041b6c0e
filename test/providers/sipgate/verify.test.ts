/**
 * sipgate.io signatures (docs/providers/sipgate.md §3.1): the vectors of the fixture file, the
 * published key's fingerprint, and an authenticator that never throws anything but its coded
 * 403 errors.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createSipgateSignatureCheck,
  importSipgatePublicKey,
  SIPGATE_PUBLIC_KEY,
  SIPGATE_PUBLIC_KEY_SHA256,
  signSipgateBody,
  verifySipgateSignature,
} from '../../../src/providers/sipgate/verify';
import { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';

interface SignatureVector {
  id: string;
  publicKey: string;
  body: string;
  /** `null`: the request had no signature header. */
  signature: string | null;
  valid: boolean;
}

const file = JSON.parse(
  readFileSync(resolve(__dirname, '../../data/providers/sipgate.json'), 'utf8'),
) as { publicKey: { pem: string; sha256OfDer: string }; signatureVectors: SignatureVector[] };

function requestOf(body: string, signature?: string): WebhookRequest {
  return {
    method: 'POST',
    url: '/sipgate',
    path: '/sipgate',
    query: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === undefined ? {} : { 'x-sipgate-signature': signature }),
    },
    body: Buffer.from(body, 'utf8'),
    remoteAddress: '127.0.0.1',
  } as unknown as WebhookRequest;
}

test('the embedded key is the published one, by its SHA-256', () => {
  const der = createPublicKey(SIPGATE_PUBLIC_KEY).export({ type: 'spki', format: 'der' });
  expect(createHash('sha256').update(der).digest('hex')).toBe(SIPGATE_PUBLIC_KEY_SHA256);
  expect(SIPGATE_PUBLIC_KEY_SHA256).toBe(file.publicKey.sha256OfDer);
  expect(SIPGATE_PUBLIC_KEY.trim()).toBe(file.publicKey.pem.trim());
});

test('the fixture file has valid and invalid vectors', () => {
  expect(file.signatureVectors.filter((vector) => vector.valid).length).toBeGreaterThan(0);
  expect(file.signatureVectors.filter((vector) => !vector.valid).length).toBeGreaterThan(0);
});

describe.each(file.signatureVectors.map((vector) => [vector.id, vector] as const))(
  'vector %s',
  (_id, vector) => {
    test(`verifies exactly when documented valid (${String(vector.valid)})`, () => {
      expect(verifySipgateSignature(vector.body, vector.signature ?? undefined)).toBe(vector.valid);
      expect(
        verifySipgateSignature(
          Buffer.from(vector.body),
          vector.signature ?? undefined,
          createPublicKey(vector.publicKey),
        ),
      ).toBe(vector.valid);
    });

    test('the authenticator passes it or refuses it with a coded 403, never another error', () => {
      const check = createSipgateSignatureCheck(vector.publicKey);
      const run = (): unknown => check(requestOf(vector.body, vector.signature ?? undefined));
      if (vector.valid) {
        expect(run).not.toThrow();
        return;
      }
      let thrown: unknown;
      try {
        run();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CallControlError);
      const error = thrown as CallControlError;
      expect(error.status).toBe(403);
      expect(error.code).toBe(
        vector.signature === null ? 'CC_ERR_SIGNATURE_MISSING' : 'CC_ERR_SIGNATURE_INVALID',
      );
    });
  },
);

test('malformed signatures do not verify and do not throw', () => {
  const body = 'event=newCall&callId=1';
  for (const signature of [
    undefined,
    '',
    '   ',
    'fakeSignature',
    '====',
    'ü',
    'A'.repeat(684),
    'AAAA',
  ]) {
    expect(verifySipgateSignature(body, signature)).toBe(false);
  }
});

test('a key pair of ones own signs and verifies; another key refuses', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const body = 'event=newCall&callId=ABC&user%5B%5D=Alice';
  const signature = signSipgateBody(body, pair.privateKey);
  expect(verifySipgateSignature(body, signature, pair.publicKey)).toBe(true);
  expect(verifySipgateSignature(`${body}\n`, signature, pair.publicKey)).toBe(false);
  expect(verifySipgateSignature(body, signature, other.publicKey)).toBe(false);
  expect(verifySipgateSignature(body, signature)).toBe(false);
});

test('publicKey must be an RSA public key', () => {
  expect(() => importSipgatePublicKey('not a key')).toThrow(TypeError);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  expect(() => importSipgatePublicKey(ec.publicKey)).toThrow(/RSA public key/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  expect(() => importSipgatePublicKey(rsa.privateKey)).toThrow(/RSA public key/);
  expect(() =>
    createSipgateSignatureCheck('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'),
  ).toThrow(TypeError);
});
