/**
 * SignalWire's compatibility signature (docs/providers/signalwire.md §3.1): the real signed
 * callbacks and the vectors of the fixtures, both headers (§8.1), another key, another URL.
 */
import { createHmac } from 'node:crypto';
import { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  createSignalwireSignatureCheck,
  signalwireRepeatedKeysString,
  signSignalwireRequest,
  verifySignalwireSignature,
} from '../../../src/providers/signalwire/verify';
import fixtures from '../../data/providers/signalwire.json';

interface Fixture {
  id: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  secret: string;
}
interface Vector {
  id: string;
  algorithm: string;
  secret: string;
  url: string;
  params?: Record<string, string | string[]>;
  signature: string;
  valid: boolean;
}
const data = fixtures as unknown as { requests: Fixture[]; signatureVectors: Vector[] };

function request(
  fixture: Fixture,
  changes: { body?: string; headers?: Record<string, string> } = {},
) {
  return {
    method: 'POST',
    path: fixture.path,
    query: '',
    headers: changes.headers ?? fixture.headers,
    body: Buffer.from(changes.body ?? fixture.body, 'utf8'),
  } as unknown as WebhookRequest;
}
const at = (url: string) => ({ publicUrl: () => url });

function refusal(run: () => unknown): CallControlError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CallControlError);
    return error as CallControlError;
  }
  throw new Error('not refused');
}

describe('SignalWire compatibility vectors (signalwire.md §3.1)', () => {
  const compatible = data.signatureVectors.filter((v) => v.algorithm === 'twilio-hmac-sha1');
  test('there are compatibility vectors', () => expect(compatible.length).toBeGreaterThan(0));
  test.each(compatible.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    expect(
      verifySignalwireSignature(vector.secret, vector.signature, vector.url, vector.params),
    ).toBe(vector.valid);
  });
});

describe.each(data.requests.map((f) => [f.id, f] as const))('signed fixture %s', (_id, fixture) => {
  const check = createSignalwireSignatureCheck(fixture.secret);

  test('verifies over its public URL', () => {
    expect(() => check(request(fixture), at(fixture.url))).not.toThrow();
  });

  test('is refused with another key, another URL or a changed body', () => {
    const other = createSignalwireSignatureCheck('PSK_SomeOtherKey00000000000');
    expect(refusal(() => other(request(fixture), at(fixture.url))).code).toBe(
      'CC_ERR_SIGNATURE_INVALID',
    );
    const moved = refusal(() => check(request(fixture), at(`${fixture.url}x`)));
    expect(moved.code).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(moved.message).toContain(`${fixture.url}x`);
    expect(moved.message).not.toContain(fixture.secret);
    expect(
      refusal(() => check(request(fixture, { body: `${fixture.body}&X=1` }), at(fixture.url))).code,
    ).toBe('CC_ERR_SIGNATURE_INVALID');
  });
});

describe('headers (signalwire.md §8.1)', () => {
  const fixture = data.requests.find((f) => f.id === 'signalwire.voice.inbound') as Fixture;
  const check = createSignalwireSignatureCheck(fixture.secret);
  const signature = fixture.headers['x-signalwire-signature'] as string;
  const base = { host: 'example.com', 'content-type': 'application/x-www-form-urlencoded' };

  test('X-Twilio-Signature alone is read', () => {
    const headers = { ...base, 'x-twilio-signature': signature };
    expect(() => check(request(fixture, { headers }), at(fixture.url))).not.toThrow();
  });

  test('when both are sent, both must verify', () => {
    const headers = { ...base, 'x-signalwire-signature': signature, 'x-twilio-signature': 'AAAA' };
    expect(refusal(() => check(request(fixture, { headers }), at(fixture.url))).message).toMatch(
      /X-Twilio-Signature does not verify/,
    );
  });

  test('neither header: CC_ERR_SIGNATURE_MISSING', () => {
    const error = refusal(() => check(request(fixture, { headers: base }), at(fixture.url)));
    expect(error.code).toBe('CC_ERR_SIGNATURE_MISSING');
    expect(error.status).toBe(403);
  });

  test('several keys (a key being reset): either verifies', () => {
    const both = createSignalwireSignatureCheck(['PSK_NewKey000000000000000000', fixture.secret]);
    expect(() => both(request(fixture), at(fixture.url))).not.toThrow();
    expect(() => createSignalwireSignatureCheck([])).toThrow(TypeError);
    expect(() => createSignalwireSignatureCheck('')).toThrow(TypeError);
  });

  test('signSignalwireRequest agrees with the fixture', () => {
    const params = Object.fromEntries(new URLSearchParams(fixture.body));
    expect(signSignalwireRequest(fixture.secret, fixture.url, params)).toBe(signature);
  });
});

describe('repeated names (signalwire.md §3.1 "Repeated keys")', () => {
  const url = 'https://example.com/signalwire';
  const body = 'CallSid=c&Tag=b&Tag=a&To=%2B1';
  const request = (signature: string) =>
    ({
      method: 'POST',
      path: '/',
      query: '',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-signalwire-signature': signature,
      },
      body: Buffer.from(body),
    }) as unknown as WebhookRequest;
  const hmac = (data: string) => createHmac('sha1', 'PSK_k').update(data).digest('base64');
  const check = createSignalwireSignatureCheck('PSK_k');

  test('values in the order received, as SignalWire signs them, verify', () => {
    expect(signalwireRepeatedKeysString(url, [...new URLSearchParams(body)])).toBe(
      `${url}CallSidcTagbTagaTo+1`,
    );
    expect(() => check(request(hmac(`${url}CallSidcTagbTagaTo+1`)), at(url))).not.toThrow();
  });

  test('values sorted, as Twilio signs them, verify too', () => {
    expect(() => check(request(hmac(`${url}CallSidcTagaTagbTo+1`)), at(url))).not.toThrow();
  });

  test('any other arrangement does not', () => {
    expect(refusal(() => check(request(hmac(`${url}CallSidcTagbTo+1`)), at(url))).code).toBe(
      'CC_ERR_SIGNATURE_INVALID',
    );
    expect(signalwireRepeatedKeysString(url, [['A', '1']])).toBeUndefined();
  });
});
