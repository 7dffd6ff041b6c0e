/**
 * Provider-neutral authenticators: URL token and source-address allowlist (basic auth is
 * covered through the Placetel integration tests).
 */
import { commonAuthenticators, createSourceAllowlist, createUrlToken } from '../../src/core/auth';
import { CallControlError } from '../../src/core/errors';
import type { WebhookRequest } from '../../src/core/types';
import { thrown } from '../helpers/assert';

const TOKEN = 'test-token-not-a-secret-0001';
const OLD_TOKEN = 'test-token-not-a-secret-0000';

function request(parts: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: {},
    body: Buffer.alloc(0),
    remoteAddress: '127.0.0.1',
    ...parts,
  };
}

function code(fn: () => unknown): string | undefined {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(CallControlError);
  return (error as CallControlError).code;
}

describe('createUrlToken in the query', () => {
  const check = createUrlToken({ tokens: [TOKEN, OLD_TOKEN] });

  test('a valid token passes and is removed from the query, other parameters kept as sent', () => {
    const out = check(request({ query: `AppLocation=Main+Street&token=${TOKEN}&x=%40` }));
    expect(out).toMatchObject({ query: 'AppLocation=Main+Street&x=%40' });
  });

  test('every configured token is accepted (rotation)', () => {
    expect(check(request({ query: `token=${OLD_TOKEN}` }))).toMatchObject({ query: '' });
  });

  test('a missing or empty token is CC_ERR_TOKEN_MISSING (403)', () => {
    expect(code(() => check(request({ query: 'a=1' })))).toBe('CC_ERR_TOKEN_MISSING');
    expect(code(() => check(request({ query: 'token=' })))).toBe('CC_ERR_TOKEN_MISSING');
    const error = thrown(() => check(request())) as CallControlError;
    expect(error.status).toBe(403);
  });

  test('a wrong token, a prefix of it, or the token twice is CC_ERR_TOKEN_INVALID', () => {
    expect(code(() => check(request({ query: 'token=wrong' })))).toBe('CC_ERR_TOKEN_INVALID');
    expect(code(() => check(request({ query: `token=${TOKEN.slice(0, -1)}` })))).toBe(
      'CC_ERR_TOKEN_INVALID',
    );
    expect(code(() => check(request({ query: `token=${TOKEN}&token=${TOKEN}` })))).toBe(
      'CC_ERR_TOKEN_INVALID',
    );
  });

  test('the error message never holds the token given', () => {
    const error = thrown(() => check(request({ query: 'token=guess-guess-guess-1' })));
    expect((error as Error).message).not.toContain('guess');
  });

  test('a custom parameter name', () => {
    const custom = createUrlToken({ tokens: TOKEN, param: 'key' });
    expect(custom(request({ query: `key=${TOKEN}` }))).toMatchObject({ query: '' });
    expect(code(() => custom(request({ query: `token=${TOKEN}` })))).toBe('CC_ERR_TOKEN_MISSING');
  });
});

describe('createUrlToken in the path', () => {
  const check = createUrlToken({ tokens: TOKEN, in: 'path' });

  test('the first segment is the token and is removed from the path', () => {
    expect(check(request({ path: `/${TOKEN}` }))).toMatchObject({ path: '/' });
    expect(check(request({ path: `/${TOKEN}/finished` }))).toMatchObject({ path: '/finished' });
  });

  test('a missing or wrong segment is refused', () => {
    expect(code(() => check(request({ path: '/' })))).toBe('CC_ERR_TOKEN_MISSING');
    expect(code(() => check(request({ path: '/finished' })))).toBe('CC_ERR_TOKEN_INVALID');
    expect(code(() => check(request({ path: `/x/${TOKEN}` })))).toBe('CC_ERR_TOKEN_INVALID');
  });
});

describe('createUrlToken options', () => {
  test.each([
    [{ tokens: [] }],
    [{ tokens: 'short' }],
    [{ tokens: 'has spaces in the token!!' }],
    [{ tokens: [TOKEN, 42] as unknown as string[] }],
    [{ tokens: TOKEN, in: 'header' as 'query' }],
    [{ tokens: TOKEN, param: '' }],
  ])('%j throws a TypeError when created', (options) => {
    expect(() => createUrlToken(options)).toThrow(TypeError);
  });
});

describe('createSourceAllowlist', () => {
  const allow = createSourceAllowlist({ allowFrom: ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32'] });

  test.each(['127.0.0.1', '10.200.3.4', '::ffff:10.1.2.3', '2001:db8::1', '[2001:db8::2]'])(
    '%s is allowed',
    (remoteAddress) => {
      expect(() => allow(request({ remoteAddress }))).not.toThrow();
    },
  );

  test.each(['127.0.0.2', '11.0.0.1', '::1', '2001:db9::1', 'not-an-address'])(
    '%s is refused with CC_ERR_SOURCE_FORBIDDEN (403)',
    (remoteAddress) => {
      const error = thrown(() => allow(request({ remoteAddress }))) as CallControlError;
      expect(error.code).toBe('CC_ERR_SOURCE_FORBIDDEN');
      expect(error.status).toBe(403);
    },
  );

  test('a request without a peer address is refused (fail closed)', () => {
    const noPeer: WebhookRequest = { ...request() };
    delete (noPeer as { remoteAddress?: string }).remoteAddress;
    expect(code(() => allow(noPeer))).toBe('CC_ERR_SOURCE_FORBIDDEN');
  });

  test('X-Forwarded-For is ignored when the peer is not a trusted proxy', () => {
    const forged = request({
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': '10.0.0.1' },
    });
    expect(code(() => allow(forged))).toBe('CC_ERR_SOURCE_FORBIDDEN');
    const direct = request({
      remoteAddress: '10.0.0.5',
      headers: { 'x-forwarded-for': '1.2.3.4' },
    });
    expect(() => allow(direct)).not.toThrow();
  });

  describe('behind trusted proxies', () => {
    const proxied = createSourceAllowlist({
      allowFrom: ['198.51.100.0/24'],
      trustProxy: ['127.0.0.1', '172.16.0.0/12'],
    });
    const via = (forwardedFor: string | undefined, remoteAddress = '127.0.0.1'): WebhookRequest =>
      request({
        remoteAddress,
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      });

    test('the right-most untrusted address of X-Forwarded-For is the client', () => {
      expect(() => proxied(via('198.51.100.7'))).not.toThrow();
      expect(() => proxied(via('203.0.113.1, 198.51.100.7, 172.16.0.3'))).not.toThrow();
      // A caller who writes an allowed address in front cannot get through a proxy that appends.
      expect(code(() => proxied(via('198.51.100.7, 203.0.113.1')))).toBe('CC_ERR_SOURCE_FORBIDDEN');
    });

    test('without X-Forwarded-For the proxy itself is the client', () => {
      expect(code(() => proxied(via(undefined)))).toBe('CC_ERR_SOURCE_FORBIDDEN');
    });

    test('a malformed X-Forwarded-For entry is refused', () => {
      expect(code(() => proxied(via('198.51.100.7, garbage')))).toBe('CC_ERR_SOURCE_FORBIDDEN');
    });
  });

  test.each([
    [{ allowFrom: [] }],
    [{ allowFrom: ['10.0.0.0/33'] }],
    [{ allowFrom: ['10.0.0.0/8/1'] }],
    [{ allowFrom: ['10.0.0.0/x'] }],
    [{ allowFrom: ['example.com'] }],
    [{ allowFrom: ['::1/129'] }],
    [{ allowFrom: ['127.0.0.1'], trustProxy: ['nope'] }],
  ])('%j throws a TypeError when created', (options) => {
    expect(() => createSourceAllowlist(options)).toThrow(TypeError);
  });
});

describe('commonAuthenticators', () => {
  test('none configured: no authenticators', () => {
    expect(commonAuthenticators({})).toEqual([]);
  });

  test('source address, basic auth, token: in that order', () => {
    const list = commonAuthenticators({
      urlToken: { tokens: TOKEN },
      basicAuth: { username: 'pbx', password: 'not-a-real-password' },
      allowFrom: ['127.0.0.1'],
    });
    expect(list.map((fn) => fn.name)).toEqual(['sourceAllowlist', 'basicAuth', 'urlTokenInQuery']);
  });

  // trustProxy is the app's one list of trusted proxies: without allowFrom it still governs
  // Forwarded / X-Forwarded-Proto / X-Forwarded-Host (the public URL), so it is accepted — and
  // its entries are checked all the same.
  test('trustProxy without allowFrom adds no check, and its entries are still validated', () => {
    expect(commonAuthenticators({ trustProxy: ['127.0.0.1', '10.0.0.0/8'] })).toEqual([]);
    expect(() => commonAuthenticators({ trustProxy: ['nope'] })).toThrow(TypeError);
  });
});
