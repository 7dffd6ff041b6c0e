/**
 * Telnyx's Ed25519 signature (docs/providers/telnyx.md §3): the fixture vectors, a throwaway key
 * pair made here, the ±300 s window in both directions, and what a refusal says.
 */
import { generateKeyPairSync } from 'node:crypto';
import { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  TELNYX_TOLERANCE_SECONDS,
  createTelnyxSignatureCheck,
  importTelnyxPublicKey,
  signTelnyxBody,
  telnyxPublicKeyBase64,
  verifyTelnyxSignature,
} from '../../../src/providers/telnyx/verify';
import fixtures from '../../data/providers/telnyx.json';

interface Vector {
  id: string;
  publicKey: string;
  timestamp: string;
  now: number;
  body: string;
  signature: string;
  valid: boolean;
}
const vectors = (fixtures as unknown as { signatureVectors: Vector[] }).signatureVectors;

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const PUBLIC = telnyxPublicKeyBase64(publicKey);
const NOW_S = 1_800_000_000;
const BODY = 'AccountSid=a&CallSid=v3%3Ax&From=%2B15551230000&To=%2B15551239999';

function request(headers: Record<string, string>, body = BODY): WebhookRequest {
  return {
    method: 'POST',
    path: '/telnyx',
    query: '',
    headers,
    body: Buffer.from(body, 'utf8'),
  } as unknown as WebhookRequest;
}

function signed(timestamp: number, body = BODY, key = privateKey): Record<string, string> {
  return {
    'telnyx-timestamp': String(timestamp),
    'telnyx-signature-ed25519': signTelnyxBody(body, timestamp, key),
  };
}

const check = createTelnyxSignatureCheck({ publicKey: PUBLIC, now: () => NOW_S * 1000 });

function refusal(run: () => unknown): CallControlError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CallControlError);
    return error as CallControlError;
  }
  throw new Error('not refused');
}

describe('Telnyx signature vectors (telnyx.md §3)', () => {
  test.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    // Signature and key alone …
    const signatureValid = verifyTelnyxSignature(
      vector.body,
      vector.signature,
      vector.timestamp,
      vector.publicKey,
    );
    // … and the whole check with the vector's clock.
    const whole = createTelnyxSignatureCheck({
      publicKey: vector.publicKey,
      now: () => vector.now * 1000,
    });
    const headers = {
      'telnyx-timestamp': vector.timestamp,
      'telnyx-signature-ed25519': vector.signature,
    };
    let accepted = true;
    try {
      whole(request(headers, vector.body));
    } catch {
      accepted = false;
    }
    expect(accepted).toBe(vector.valid);
    if (vector.valid) expect(signatureValid).toBe(true);
  });
});

describe('Telnyx signature check (telnyx.md §3)', () => {
  test('accepts a request signed with the key pair whose public key the app has', () => {
    expect(() => check(request(signed(NOW_S)))).not.toThrow();
    expect(() => check(request(signed(NOW_S - TELNYX_TOLERANCE_SECONDS)))).not.toThrow();
    expect(() => check(request(signed(NOW_S + TELNYX_TOLERANCE_SECONDS)))).not.toThrow();
  });

  test('refuses a request signed with another key', () => {
    const error = refusal(() => check(request(signed(NOW_S, BODY, other.privateKey))));
    expect(error.code).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/does not verify/);
  });

  test('refuses a changed body or timestamp', () => {
    const headers = signed(NOW_S);
    expect(refusal(() => check(request(headers, `${BODY}&x=1`))).code).toBe(
      'CC_ERR_SIGNATURE_INVALID',
    );
    const moved = { ...headers, 'telnyx-timestamp': String(NOW_S - 1) };
    expect(refusal(() => check(request(moved))).code).toBe('CC_ERR_SIGNATURE_INVALID');
  });

  test('refuses a stale timestamp and says so, without the signature', () => {
    const headers = signed(NOW_S - TELNYX_TOLERANCE_SECONDS - 1);
    const error = refusal(() => check(request(headers)));
    expect(error.code).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/^Stale telnyx-timestamp: signed 301 s ago/);
    expect(error.message).not.toContain(headers['telnyx-signature-ed25519']);
    expect(error.message).not.toContain(PUBLIC);
  });

  test('refuses a timestamp from the future beyond the window', () => {
    const error = refusal(() => check(request(signed(NOW_S + TELNYX_TOLERANCE_SECONDS + 1))));
    expect(error.code).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(error.message).toMatch(/^Future telnyx-timestamp: 301 s ahead/);
  });

  test('a smaller tolerance narrows the window (seconds)', () => {
    const narrow = createTelnyxSignatureCheck({
      publicKey: PUBLIC,
      toleranceSeconds: 10,
      now: () => NOW_S * 1000,
    });
    expect(() => narrow(request(signed(NOW_S - 10)))).not.toThrow();
    expect(refusal(() => narrow(request(signed(NOW_S - 11)))).message).toMatch(/Stale/);
  });

  test('missing headers are CC_ERR_SIGNATURE_MISSING and name the header', () => {
    const headers = signed(NOW_S);
    const noSignature = refusal(() =>
      check(request({ 'telnyx-timestamp': headers['telnyx-timestamp'] as string })),
    );
    expect(noSignature.code).toBe('CC_ERR_SIGNATURE_MISSING');
    expect(noSignature.message).toMatch(/telnyx-signature-ed25519 header is missing/);
    const noTimestamp = refusal(() =>
      check(
        request({
          'telnyx-signature-ed25519': headers['telnyx-signature-ed25519'] as string,
        }),
      ),
    );
    expect(noTimestamp.code).toBe('CC_ERR_SIGNATURE_MISSING');
    expect(noTimestamp.message).toMatch(/telnyx-timestamp header is missing/);
  });

  test('a timestamp that is not decimal digits is refused (no NaN window skip)', () => {
    for (const timestamp of ['abc', `${NOW_S}x`, '-1', ' ', '1.5']) {
      const headers = {
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': signTelnyxBody(BODY, timestamp, privateKey),
      };
      expect(() => check(request(headers))).toThrow(CallControlError);
    }
  });

  test('garbage signatures never throw anything but a coded 403', () => {
    for (const signature of ['x', '====', 'A'.repeat(88), '\u00e9']) {
      const headers = { 'telnyx-timestamp': String(NOW_S), 'telnyx-signature-ed25519': signature };
      expect(refusal(() => check(request(headers))).code).toBe('CC_ERR_SIGNATURE_INVALID');
    }
  });

  test('several keys: any one verifies (key change)', () => {
    const both = createTelnyxSignatureCheck({
      publicKey: [telnyxPublicKeyBase64(other.publicKey), PUBLIC],
      now: () => NOW_S * 1000,
    });
    expect(() => both(request(signed(NOW_S)))).not.toThrow();
  });

  test('keys: raw base64, SPKI base64, PEM and KeyObject; anything else is a TypeError', () => {
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    for (const key of [PUBLIC, spki, pem, publicKey]) {
      expect(importTelnyxPublicKey(key).asymmetricKeyType).toBe('ed25519');
    }
    expect(() => importTelnyxPublicKey('not a key')).toThrow(TypeError);
    expect(() => importTelnyxPublicKey(Buffer.alloc(31).toString('base64'))).toThrow(TypeError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() => importTelnyxPublicKey(rsa)).toThrow(/Ed25519/);
    expect(() => createTelnyxSignatureCheck({ publicKey: PUBLIC, toleranceSeconds: 0 })).toThrow(
      TypeError,
    );
  });
});
