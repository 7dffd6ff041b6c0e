/**
 * What `onError` gets of a request: `redactRequest` and the authenticators' `redact` — the
 * credential headers, the URL token in its own place and wherever else it stands (also
 * percent-encoded), nothing else changed, and the request itself never changed.
 */
import {
  CREDENTIAL_HEADERS,
  REDACTED,
  createBasicAuth,
  createSourceAllowlist,
  createUrlToken,
  redactHeaders,
  redactRequest,
} from '../../src/core/auth';
import type { Authenticator, WebhookRequest } from '../../src/core/types';

const TOKEN = 'fake-token-for-tests-0001';
const OLD_TOKEN = 'fake-token-for-tests-0000';

function request(parts: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: {},
    body: Buffer.from('a=1'),
    remoteAddress: '127.0.0.1',
    ...parts,
  };
}

/** Percent-encodes every character (a spelling of the token a naive search misses). */
function encodeAll(text: string): string {
  return Array.from(Buffer.from(text), (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

describe('redactHeaders and the credential headers', () => {
  test('authorization, proxy-authorization and cookie are redacted; others kept', () => {
    const original = request({
      headers: {
        authorization: 'Basic ZmFrZTpmYWtl',
        'proxy-authorization': 'Bearer fake',
        cookie: 'session=fake',
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    const redacted = redactRequest(original, []);
    expect(redacted.headers).toEqual({
      authorization: REDACTED,
      'proxy-authorization': REDACTED,
      cookie: REDACTED,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(CREDENTIAL_HEADERS).toEqual(['authorization', 'proxy-authorization', 'cookie']);
    // The request itself is unchanged.
    expect(original.headers['authorization']).toBe('Basic ZmFrZTpmYWtl');
  });

  test('a request without any of them is returned as it is', () => {
    const original = request({ headers: { 'content-type': 'text/plain' } });
    expect(redactHeaders(original, ['authorization'])).toBe(original);
    expect(redactRequest(original, [])).toBe(original);
  });

  test('secret headers of the provider (a signature) are redacted too', () => {
    const original = request({ headers: { 'x-placetel-signature': 'ab'.repeat(32) } });
    expect(redactRequest(original, [], ['x-placetel-signature']).headers).toEqual({
      'x-placetel-signature': REDACTED,
    });
  });
});

describe('the URL token in the query', () => {
  const check = createUrlToken({ tokens: [TOKEN, OLD_TOKEN] });

  test('the parameter’s value is redacted, whatever it holds, every time it is given', () => {
    const out = redactRequest(request({ query: `a=1&token=${TOKEN}&token=wrong-guess&b=%40` }), [
      check,
    ]);
    expect(out.query).toBe(`a=1&token=${REDACTED}&token=${REDACTED}&b=%40`);
  });

  test('a configured token elsewhere — another parameter, the path, percent-encoded — too', () => {
    const out = redactRequest(
      request({
        path: `/calls/${OLD_TOKEN}/x`,
        query: `t=${TOKEN}&u=${encodeAll(TOKEN)}&${TOKEN}`,
      }),
      [check],
    );
    expect(out.path).toBe(`/calls/${REDACTED}/x`);
    expect(out.query).toBe(`t=${REDACTED}&u=${REDACTED}&${REDACTED}`);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(JSON.stringify(out)).not.toContain(OLD_TOKEN);
  });

  test('a request without a token is returned as it is', () => {
    const original = request({ path: '/events', query: 'a=1&b=2' });
    expect(redactRequest(original, [check])).toBe(original);
  });
});

describe('the URL token in the path', () => {
  const check = createUrlToken({ tokens: TOKEN, in: 'path' });

  test('before the check: the first segment is redacted, whatever it holds', () => {
    expect(redactRequest(request({ path: '/not-a-token-guess/events' }), [check]).path).toBe(
      `/${REDACTED}/events`,
    );
    expect(redactRequest(request({ path: `/${TOKEN}` }), [check]).path).toBe(`/${REDACTED}`);
  });

  test('after the check (its segment taken out): the path as it is, a token left in it redacted', () => {
    const checked = redactRequest(request({ path: '/events' }), [check], [], 1);
    expect(checked.path).toBe('/events');
    const again = redactRequest(request({ path: `/${encodeAll(TOKEN)}/x` }), [check], [], 1);
    expect(again.path).toBe(`/${REDACTED}/x`);
  });

  test('what the check hands on matches what redact leaves (the first segment gone)', () => {
    const passed = check(request({ path: `/${TOKEN}/finished` }));
    expect(passed).toMatchObject({ path: '/finished' });
  });
});

describe('other authenticators and failures', () => {
  test('basic auth redacts its header; the allowlist has nothing to redact', () => {
    const basic = createBasicAuth({ credentials: { username: 'u', password: 'fake-pw' } });
    const allow = createSourceAllowlist({ allowFrom: ['127.0.0.1'] });
    const original = request({ headers: { authorization: 'Basic dTpmYWtlLXB3' } });
    expect(basic.redact?.(original, false).headers['authorization']).toBe(REDACTED);
    expect(allow.redact).toBeUndefined();
  });

  test('an authenticator whose redact throws: path and query are replaced whole', () => {
    const broken: Authenticator = Object.assign(() => undefined, {
      redact: (): WebhookRequest => {
        throw new Error('broken');
      },
    });
    const out = redactRequest(request({ path: '/secret-path', query: 'k=secret' }), [broken]);
    expect(out.path).toBe(`/${REDACTED}`);
    expect(out.query).toBe(REDACTED);
  });
});
