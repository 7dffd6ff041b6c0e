/**
 * Telnyx's signature check over generated requests (docs/providers/telnyx.md §3): whatever the
 * body bytes and the clock, a request signed with the app's key within the window verifies; one
 * changed byte, another key, or a timestamp outside ±`toleranceSeconds` never does; and no input
 * makes the check throw anything but a coded 403.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { CallControlError } from '../../src/core/errors';
import type { WebhookRequest } from '../../src/core/types';
import {
  createTelnyxSignatureCheck,
  signTelnyxBody,
  telnyxPublicKeyBase64,
} from '../../src/providers/telnyx/verify';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

function request(body: Buffer, headers: Record<string, string>): WebhookRequest {
  return { method: 'POST', path: '/', query: '', headers, body };
}

/** `undefined` when accepted, else the error's code. */
function outcome(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof CallControlError)) throw error;
    expect(error.status).toBe(403);
    return error.code;
  }
}

const nowSeconds = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 });
const tolerance = fc.integer({ min: 1, max: 3600 });

test('signed within the window: accepted; outside it: refused', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 512 }),
      nowSeconds,
      tolerance,
      fc.integer({ min: -7200, max: 7200 }),
      (bytes, now, toleranceSeconds, skew) => {
        const body = Buffer.from(bytes);
        const timestamp = now + skew;
        const check = createTelnyxSignatureCheck({
          publicKey: telnyxPublicKeyBase64(keys.publicKey),
          toleranceSeconds,
          now: () => now * 1000,
        });
        const headers = {
          'telnyx-timestamp': String(timestamp),
          'telnyx-signature-ed25519': signTelnyxBody(body, timestamp, keys.privateKey),
        };
        const result = outcome(() => check(request(body, headers)));
        expect(result).toBe(
          Math.abs(skew) <= toleranceSeconds ? undefined : 'CC_ERR_SIGNATURE_INVALID',
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('one changed byte or another key: refused', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      nowSeconds,
      (bytes, at, flip, now) => {
        const body = Buffer.from(bytes);
        const check = createTelnyxSignatureCheck({
          publicKey: keys.publicKey,
          now: () => now * 1000,
        });
        const signed = (key = keys.privateKey) => ({
          'telnyx-timestamp': String(now),
          'telnyx-signature-ed25519': signTelnyxBody(body, now, key),
        });
        const changed = Buffer.from(body);
        const index = at % changed.length;
        changed[index] = (changed[index] as number) ^ flip;
        expect(outcome(() => check(request(changed, signed())))).toBe('CC_ERR_SIGNATURE_INVALID');
        expect(outcome(() => check(request(body, signed(other.privateKey))))).toBe(
          'CC_ERR_SIGNATURE_INVALID',
        );
      },
    ),
    { numRuns: 100 },
  );
});

test('arbitrary headers never make the check throw anything but a coded 403', () => {
  const check = createTelnyxSignatureCheck({ publicKey: keys.publicKey });
  fc.assert(
    fc.property(fc.option(fc.string()), fc.option(fc.string()), fc.string(), (ts, sig, body) => {
      const headers: Record<string, string> = {};
      if (ts !== null) headers['telnyx-timestamp'] = ts;
      if (sig !== null) headers['telnyx-signature-ed25519'] = sig;
      expect(outcome(() => check(request(Buffer.from(body), headers)))).toMatch(
        /^CC_ERR_SIGNATURE_(MISSING|INVALID)$/,
      );
    }),
    { numRuns: 300 },
  );
});
