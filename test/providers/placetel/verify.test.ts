/**
 * Placetel request signatures (spec §1 "Signature"): HMAC-SHA256 hex of the raw body in
 * `X-PLACETEL-SIGNATURE`.
 */
import { CallControlError, type ErrorCode } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  PLACETEL_SIGNATURE_HEADER,
  createPlacetelSignatureCheck,
  normalizeSecrets,
  signPlacetelBody,
  verifyPlacetelSignature,
} from '../../../src/providers/placetel/verify';
import { loadFixtures } from '../../helpers/fixtures';
import { thrown } from '../../helpers/assert';

const SECRET = '12345';
const BODY =
  'call_id=4a4cbb39578170aed9a2761a7bec8c7e704a541f52291ef603d6f5f152980c3c&event=CallAccepted&from=0123456789&to=0987654321';
const SIGNATURE = 'c4f823c5b8806432fe2b83b1fc2ee714422e0cdfb4b5129152a7d0bbcd7792d0';

function request(body: string | Buffer, signature?: string): WebhookRequest {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== undefined) headers[PLACETEL_SIGNATURE_HEADER] = signature;
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers,
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

function expectError(fn: () => unknown, code: ErrorCode, status: number): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(CallControlError);
  expect((error as CallControlError).code).toBe(code);
  expect((error as CallControlError).status).toBe(status);
}

/** The signature with the hex digit at `index` replaced by another one. */
function changeHexDigit(signature: string, index: number): string {
  const digit = signature[index] === '0' ? '1' : '0';
  return signature.slice(0, index) + digit + signature.slice(index + 1);
}

describe('signPlacetelBody', () => {
  test('the README test vector', () => {
    expect(signPlacetelBody(BODY, SECRET)).toBe(SIGNATURE);
  });

  test('a Buffer and its UTF-8 string sign the same', () => {
    expect(signPlacetelBody(Buffer.from(BODY, 'utf8'), SECRET)).toBe(SIGNATURE);
    const text = 'event=IncomingCall&call_id=x&from=M%C3%BCller&note=Grüße';
    expect(signPlacetelBody(Buffer.from(text, 'utf8'), 'k')).toBe(signPlacetelBody(text, 'k'));
  });

  test('is 64 lower-case hex characters', () => {
    for (const body of ['', 'a', BODY, 'x'.repeat(10000)]) {
      expect(signPlacetelBody(body, SECRET)).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test('depends on the secret and on every byte of the body', () => {
    expect(signPlacetelBody(BODY, '123456')).not.toBe(SIGNATURE);
    expect(signPlacetelBody(`${BODY}&`, SECRET)).not.toBe(SIGNATURE);
    expect(signPlacetelBody(BODY.replace('%40', '@'), SECRET)).toBe(SIGNATURE);
    expect(signPlacetelBody(BODY.replace('CallAccepted', 'callAccepted'), SECRET)).not.toBe(
      SIGNATURE,
    );
  });
});

describe('verifyPlacetelSignature', () => {
  test('the README test vector verifies, as string and as bytes', () => {
    expect(verifyPlacetelSignature(BODY, SIGNATURE, [SECRET])).toBe(true);
    expect(verifyPlacetelSignature(Buffer.from(BODY), SIGNATURE, [SECRET])).toBe(true);
  });

  test('flipping any single byte of the body fails', () => {
    const bytes = Buffer.from(BODY, 'utf8');
    const verified: number[] = [];
    for (let index = 0; index < bytes.length; index += 1) {
      for (const mask of [0x01, 0x20, 0x80]) {
        const changed = Buffer.from(bytes);
        changed[index] = (changed[index] ?? 0) ^ mask;
        if (verifyPlacetelSignature(changed, SIGNATURE, [SECRET])) verified.push(index);
      }
    }
    expect(bytes.length).toBe(BODY.length);
    expect(verified).toEqual([]);
  });

  test('a body with a byte added or removed fails', () => {
    expect(verifyPlacetelSignature(`${BODY}&`, SIGNATURE, [SECRET])).toBe(false);
    expect(verifyPlacetelSignature(`&${BODY}`, SIGNATURE, [SECRET])).toBe(false);
    expect(verifyPlacetelSignature(BODY.slice(0, -1), SIGNATURE, [SECRET])).toBe(false);
    expect(verifyPlacetelSignature(BODY.slice(1), SIGNATURE, [SECRET])).toBe(false);
    expect(verifyPlacetelSignature('', SIGNATURE, [SECRET])).toBe(false);
  });

  test('a re-ordered body (same fields) fails: the raw bytes are signed', () => {
    const reordered = BODY.split('&').reverse().join('&');
    expect(verifyPlacetelSignature(reordered, SIGNATURE, [SECRET])).toBe(false);
  });

  test('changing any single hex digit of the signature fails', () => {
    const verified: number[] = [];
    for (let index = 0; index < SIGNATURE.length; index += 1) {
      if (verifyPlacetelSignature(BODY, changeHexDigit(SIGNATURE, index), [SECRET])) {
        verified.push(index);
      }
    }
    expect(verified).toEqual([]);
  });

  test('upper-case and mixed-case hex verify', () => {
    expect(verifyPlacetelSignature(BODY, SIGNATURE.toUpperCase(), [SECRET])).toBe(true);
    const mixed = [...SIGNATURE].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');
    expect(verifyPlacetelSignature(BODY, mixed, [SECRET])).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['empty', ''],
    ['63 characters', SIGNATURE.slice(0, 63)],
    ['65 characters', `${SIGNATURE}0`],
    ['128 characters (twice)', SIGNATURE + SIGNATURE],
    ['32 characters (half)', SIGNATURE.slice(0, 32)],
    ['a non-hex character', `${SIGNATURE.slice(0, 63)}g`],
    ['a 0x prefix', `0x${SIGNATURE.slice(0, 62)}`],
    ['a 0x prefix before the full signature', `0x${SIGNATURE}`],
    ['a sha256= prefix', `sha256=${SIGNATURE}`],
    ['base64 of the digest', Buffer.from(SIGNATURE, 'hex').toString('base64')],
    ['a space inside', `${SIGNATURE.slice(0, 32)} ${SIGNATURE.slice(32)}`],
    ['the signature twice, comma-joined', `${SIGNATURE}, ${SIGNATURE}`],
    ['the signature of another secret', signPlacetelBody(BODY, 'other')],
  ])('a signature that is %s fails', (_label, signature) => {
    expect(verifyPlacetelSignature(BODY, signature, [SECRET])).toBe(false);
  });

  test('a wrong secret fails; no secrets fails', () => {
    expect(verifyPlacetelSignature(BODY, SIGNATURE, ['1234'])).toBe(false);
    expect(verifyPlacetelSignature(BODY, SIGNATURE, ['12345 '])).toBe(false);
    expect(verifyPlacetelSignature(BODY, SIGNATURE, [])).toBe(false);
  });

  test('several secrets (rotation): any one that matches verifies', () => {
    expect(verifyPlacetelSignature(BODY, SIGNATURE, ['old-secret', SECRET])).toBe(true);
    expect(verifyPlacetelSignature(BODY, SIGNATURE, [SECRET, 'new-secret'])).toBe(true);
    expect(verifyPlacetelSignature(BODY, SIGNATURE, ['a', 'b', SECRET, 'c'])).toBe(true);
    expect(verifyPlacetelSignature(BODY, SIGNATURE, ['a', 'b', 'c'])).toBe(false);
    const newSignature = signPlacetelBody(BODY, 'new-secret');
    expect(verifyPlacetelSignature(BODY, newSignature, [SECRET, 'new-secret'])).toBe(true);
    expect(verifyPlacetelSignature(BODY, newSignature, [SECRET])).toBe(false);
  });

  describe('every signed request fixture verifies with its secret', () => {
    const signed = loadFixtures('placetel').requests.filter(
      (fixture) => fixture.secret !== undefined,
    );

    test('there are signed fixtures', () => {
      expect(signed.length).toBeGreaterThan(0);
    });

    test.each(signed.map((fixture) => [fixture.id, fixture] as const))('%s', (_id, fixture) => {
      const body = Buffer.from(fixture.body ?? '', 'utf8');
      const header = fixture.headers[PLACETEL_SIGNATURE_HEADER];
      const secret = fixture.secret ?? '';
      expect(header).toBeDefined();
      expect(signPlacetelBody(body, secret)).toBe(header);
      expect(verifyPlacetelSignature(body, header, [secret])).toBe(true);
      expect(verifyPlacetelSignature(body, header, ['wrong', secret])).toBe(true);
      expect(verifyPlacetelSignature(body, header, ['wrong'])).toBe(false);
      expect(() => createPlacetelSignatureCheck([secret])(request(body, header))).not.toThrow();
    });
  });
});

describe('createPlacetelSignatureCheck', () => {
  const check = createPlacetelSignatureCheck([SECRET]);

  test('the header name is x-placetel-signature (lower-case, as Node presents it)', () => {
    expect(PLACETEL_SIGNATURE_HEADER).toBe('x-placetel-signature');
  });

  test('a valid signature passes', () => {
    expect(check(request(BODY, SIGNATURE))).toBeUndefined();
    expect(check(request(BODY, SIGNATURE.toUpperCase()))).toBeUndefined();
  });

  test('a missing header is CC_ERR_SIGNATURE_MISSING (403)', () => {
    expectError(() => check(request(BODY)), 'CC_ERR_SIGNATURE_MISSING', 403);
  });

  test('an empty header is CC_ERR_SIGNATURE_MISSING (403)', () => {
    expectError(() => check(request(BODY, '')), 'CC_ERR_SIGNATURE_MISSING', 403);
  });

  test('a header under another name does not count', () => {
    const signedElsewhere: WebhookRequest = {
      ...request(BODY),
      headers: { 'x-signature': SIGNATURE, 'x-placetel-signatures': SIGNATURE },
    };
    expectError(() => check(signedElsewhere), 'CC_ERR_SIGNATURE_MISSING', 403);
  });

  test.each([
    ['another body', request(`${BODY}&x=1`, SIGNATURE)],
    ['a malformed signature', request(BODY, 'not-a-signature')],
    ['a signature of another secret', request(BODY, signPlacetelBody(BODY, 'other'))],
    ['a truncated signature', request(BODY, SIGNATURE.slice(0, 63))],
    ['one changed hex digit', request(BODY, changeHexDigit(SIGNATURE, 10))],
  ])('a wrong signature (%s) is CC_ERR_SIGNATURE_INVALID (403)', (_label, wrong) => {
    expectError(() => check(wrong), 'CC_ERR_SIGNATURE_INVALID', 403);
  });

  test('with several secrets, a signature under the second one passes', () => {
    const rotating = createPlacetelSignatureCheck(['new-secret', SECRET]);
    expect(rotating(request(BODY, SIGNATURE))).toBeUndefined();
    expect(rotating(request(BODY, signPlacetelBody(BODY, 'new-secret')))).toBeUndefined();
    expectError(
      () => rotating(request(BODY, signPlacetelBody(BODY, 'retired'))),
      'CC_ERR_SIGNATURE_INVALID',
      403,
    );
  });

  test('checks the exact body bytes', () => {
    const body = Buffer.from('event=IncomingCall&call_id=x&from=M\xfcller', 'latin1');
    const signature = signPlacetelBody(body, SECRET);
    expect(check(request(body, signature))).toBeUndefined();
    expectError(
      () => check(request(Buffer.from(body.toString('latin1'), 'utf8'), signature)),
      'CC_ERR_SIGNATURE_INVALID',
      403,
    );
  });
});

describe('normalizeSecrets', () => {
  test('a string becomes a list of one', () => {
    expect(normalizeSecrets(SECRET)).toEqual([SECRET]);
  });

  test('a list is kept in order', () => {
    expect(normalizeSecrets(['a', 'b'])).toEqual(['a', 'b']);
    expect(normalizeSecrets([SECRET])).toEqual([SECRET]);
  });

  test.each([
    ["''", ''],
    ['[]', []],
    ["['']", ['']],
    ["['a', '']", ['a', '']],
    ['a number', 12345],
    ['[12345]', [12345]],
    ["['a', null]", ['a', null]],
    ['null', null],
    ['undefined', undefined],
    ['an object', { secret: 'a' }],
    ['a Buffer', Buffer.from('12345')],
  ])('%s is a TypeError', (_label, value) => {
    expect(() => normalizeSecrets(value as never)).toThrow(TypeError);
  });
});
