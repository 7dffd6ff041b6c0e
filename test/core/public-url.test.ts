/**
 * The public URL of a request (`requestPublicUrl`): the `publicUrl` option plus what is below
 * the mount; else scheme and host as received, replaced by a proxy's `Forwarded` /
 * `X-Forwarded-Proto` / `X-Forwarded-Host` only when the TCP peer is a trusted proxy. And the
 * app hands it to its checks and its parser, computed over the request as received.
 */
import {
  checkPublicUrl,
  createPublicUrlResolver,
  requestPublicUrl,
} from '../../src/core/public-url';
import { createWebhookApp, type ProviderDefinition } from '../../src/core/app';
import { createUrlToken } from '../../src/core/auth';
import { commonAppOptions } from '../../src/core/options';
import type { WebhookEvent, WebhookRequest } from '../../src/core/types';
import { ozeki, placetel } from '../../src';
import { TEST_APP } from '../helpers/apps';

function request(parts: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: { host: 'app.internal:3000' },
    body: Buffer.alloc(0),
    remoteAddress: '10.0.0.5',
    scheme: 'http',
    host: 'app.internal:3000',
    originalUrl: '/',
    ...parts,
  };
}

describe('with the publicUrl option', () => {
  const options = { publicUrl: 'https://example.com/hooks/twilio' };

  test('the mount point called as configured, without a trailing slash', () => {
    const received = request({ path: '/', originalUrl: '/twilio?token=x', query: 'token=x' });
    expect(requestPublicUrl(received, options)).toBe('https://example.com/hooks/twilio?token=x');
  });

  test('the mount point called with a trailing slash keeps it', () => {
    const received = request({ path: '/', originalUrl: '/twilio/' });
    expect(requestPublicUrl(received, options)).toBe('https://example.com/hooks/twilio/');
  });

  test('a path below the mount and the query as received are appended', () => {
    const received = request({
      path: '/status',
      query: 'a=1&b=%20x',
      originalUrl: '/internal/status?a=1&b=%20x',
    });
    expect(requestPublicUrl(received, options)).toBe(
      'https://example.com/hooks/twilio/status?a=1&b=%20x',
    );
  });

  test('a trailing slash of the option does not matter; forwarded headers are not read', () => {
    const received = request({
      path: '/status',
      originalUrl: '/status',
      headers: { 'x-forwarded-host': 'evil.example' },
    });
    expect(
      requestPublicUrl(received, {
        publicUrl: 'https://example.com/hooks/twilio/',
        trustProxy: ['10.0.0.0/8'],
      }),
    ).toBe('https://example.com/hooks/twilio/status');
  });

  test('a request built by hand (no originalUrl) uses path and query', () => {
    const bare: WebhookRequest = { ...request({ path: '/a', query: 'x=1' }) };
    delete (bare as { originalUrl?: string }).originalUrl;
    expect(requestPublicUrl(bare, { publicUrl: 'https://example.com' })).toBe(
      'https://example.com/a?x=1',
    );
  });

  test.each([
    ['not a URL', 'example.com/hooks'],
    ['a relative path', '/hooks/twilio'],
    ['another scheme', 'ftp://example.com/hooks'],
    ['a query', 'https://example.com/hooks?x=1'],
    ['an empty query', 'https://example.com/hooks?'],
    ['a fragment', 'https://example.com/hooks#x'],
    ['credentials', 'https://user:pass@example.com/hooks'],
    ['not a string', 42],
  ])('%s is refused with a TypeError', (_what, value) => {
    expect(() => checkPublicUrl(value)).toThrow(TypeError);
    expect(() => createPublicUrlResolver({ publicUrl: value as string })).toThrow(TypeError);
  });

  test('valid values are kept, without trailing slash', () => {
    expect(checkPublicUrl(undefined)).toBeUndefined();
    expect(checkPublicUrl('http://[2001:db8::1]:8080/x/')).toBe('http://[2001:db8::1]:8080/x');
    expect(checkPublicUrl('https://example.com')).toBe('https://example.com');
  });
});

describe('from the request', () => {
  test('scheme, host and the original URL as received', () => {
    const received = request({
      scheme: 'https',
      host: 'example.com',
      path: '/',
      query: 'token=abc',
      originalUrl: '/hooks/twilio?token=abc',
    });
    expect(requestPublicUrl(received)).toBe('https://example.com/hooks/twilio?token=abc');
  });

  test('an IPv6 host keeps its brackets and port', () => {
    const received = request({ host: '[2001:db8::1]:8443', scheme: 'https', originalUrl: '/x' });
    expect(requestPublicUrl(received)).toBe('https://[2001:db8::1]:8443/x');
  });

  test('without a host field the Host header is used', () => {
    const bare: WebhookRequest = { ...request({ headers: { host: 'example.org' } }) };
    delete (bare as { host?: string }).host;
    expect(requestPublicUrl(bare)).toBe('http://example.org/');
  });

  test.each([
    ['no host at all', { host: undefined, headers: {} }],
    ['a host with a path', { host: 'evil.example/x' }],
    ['a host with spaces', { host: 'a b' }],
    ['a host with userinfo', { host: 'user@example.com' }],
    ['no scheme', { scheme: undefined }],
  ])('%s: no public URL', (_what, parts) => {
    const received = { ...request(), ...parts } as WebhookRequest;
    expect(requestPublicUrl(received)).toBeUndefined();
  });
});

describe('forwarded headers', () => {
  const behindProxy = (headers: Record<string, string>, remoteAddress = '10.0.0.5') =>
    request({ remoteAddress, headers: { host: 'app.internal:3000', ...headers } });

  test('from a trusted proxy: X-Forwarded-Proto and X-Forwarded-Host replace scheme and host', () => {
    const received = behindProxy({
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'example.com',
    });
    expect(requestPublicUrl(received, { trustProxy: ['10.0.0.0/8'] })).toBe('https://example.com/');
  });

  test('from an untrusted peer they are ignored (a spoofed X-Forwarded-Host)', () => {
    const received = behindProxy(
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
      '203.0.113.9',
    );
    expect(requestPublicUrl(received, { trustProxy: ['10.0.0.0/8'] })).toBe(
      'http://app.internal:3000/',
    );
    // Without any trusted proxy, too.
    expect(requestPublicUrl(behindProxy({ 'x-forwarded-host': 'evil.example' }))).toBe(
      'http://app.internal:3000/',
    );
  });

  test('an IPv4-mapped IPv6 peer matches its IPv4 entry', () => {
    const received = behindProxy({ 'x-forwarded-host': 'example.com' }, '::ffff:10.0.0.5');
    expect(requestPublicUrl(received, { trustProxy: ['10.0.0.5'] })).toBe('http://example.com/');
  });

  test('invalid forwarded values are ignored, each on its own', () => {
    const received = behindProxy({
      'x-forwarded-proto': 'javascript',
      'x-forwarded-host': 'example.com',
    });
    expect(requestPublicUrl(received, { trustProxy: ['10.0.0.5'] })).toBe('http://example.com/');
    const badHost = behindProxy({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'a/b' });
    expect(requestPublicUrl(badHost, { trustProxy: ['10.0.0.5'] })).toBe(
      'https://app.internal:3000/',
    );
  });

  test('lists are read from the right, one value per trusted proxy in X-Forwarded-For', () => {
    // client → 10.0.0.9 (trusted, sets https) → 10.0.0.5 (trusted, appends http) → app
    const received = behindProxy({
      'x-forwarded-for': '198.51.100.7, 10.0.0.9',
      'x-forwarded-proto': 'https, http',
      'x-forwarded-host': 'example.com, app.internal',
    });
    expect(requestPublicUrl(received, { trustProxy: ['10.0.0.0/8'] })).toBe('https://example.com/');
    // A value a client put in front of the trusted proxy's is not read.
    const spoofed = behindProxy({
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-host': 'evil.example, example.com',
    });
    expect(requestPublicUrl(spoofed, { trustProxy: ['10.0.0.0/8'] })).toBe('http://example.com/');
  });

  test('RFC 7239 Forwarded: the element of the first trusted proxy, IPv6 host quoted', () => {
    const received = behindProxy({
      forwarded:
        'for=198.51.100.7;proto=https;host="[2001:db8::1]:8443", for=10.0.0.9;proto=http;host=app',
    });
    expect(requestPublicUrl(received, { trustProxy: ['10.0.0.0/8'] })).toBe(
      'https://[2001:db8::1]:8443/',
    );
  });

  test('Forwarded: an element a client wrote before the trusted one is not read', () => {
    const received = behindProxy({
      forwarded: 'for=1.2.3.4;host=evil.example, for=198.51.100.7;proto=https;host=example.com',
    });
    expect(requestPublicUrl(received, { trustProxy: ['10.0.0.0/8'] })).toBe('https://example.com/');
  });

  test('Forwarded wins per parameter; X-Forwarded-* fill in; a malformed one is ignored', () => {
    const partial = behindProxy({
      forwarded: 'for=198.51.100.7;proto=https',
      'x-forwarded-host': 'example.com',
    });
    expect(requestPublicUrl(partial, { trustProxy: ['10.0.0.5'] })).toBe('https://example.com/');
    const malformed = behindProxy({
      forwarded: 'for=198.51.100.7;host="unterminated',
      'x-forwarded-host': 'example.com',
    });
    expect(requestPublicUrl(malformed, { trustProxy: ['10.0.0.5'] })).toBe('http://example.com/');
  });

  test('a trustProxy entry that is no address is a TypeError', () => {
    expect(() => createPublicUrlResolver({ trustProxy: ['nope'] })).toThrow(TypeError);
  });
});

describe('in the app', () => {
  interface Seen {
    checked?: string | undefined;
    parsed?: string | undefined;
    originalUrl?: string | undefined;
  }

  function recordingApp(options: Record<string, unknown>, seen: Seen) {
    const provider: ProviderDefinition<WebhookEvent, string> = {
      name: 'test',
      methods: ['POST'],
      events: ['Ping'],
      answeredEvents: [],
      parse(parsed, context) {
        seen.parsed = context.publicUrl();
        seen.originalUrl = parsed.originalUrl;
        return { provider: 'test', name: 'Ping', callId: '', from: '', to: '', raw: {} };
      },
      isAnswer: (value): value is string => typeof value === 'string',
      render: () => '<Response/>',
    };
    return createWebhookApp(provider, {
      ...commonAppOptions({ ...TEST_APP, ...options }),
      authenticators: [
        ...((options['authenticators'] as []) ?? []),
        (_request, context) => {
          seen.checked = context?.publicUrl();
        },
      ],
    });
  }

  test('checks and the parser get the public URL of the request as received, token included', async () => {
    const seen: Seen = {};
    const token = 'fake-token-for-tests-0001';
    const calls = recordingApp(
      {
        publicUrl: 'https://example.com/hooks',
        authenticators: [createUrlToken({ tokens: token })],
      },
      seen,
    );
    const reply = await calls.handle(
      request({
        path: '/status',
        query: `token=${token}&a=1`,
        originalUrl: `/hooks/status?token=${token}&a=1`,
      }),
    );
    expect(reply.status).toBe(200);
    expect(seen.checked).toBe(`https://example.com/hooks/status?token=${token}&a=1`);
    expect(seen.parsed).toBe(seen.checked);
    // What the parser (and handlers) get of the request holds no token.
    expect(seen.originalUrl).toBe('/hooks/status?token=[redacted]&a=1');
  });

  test('trustProxy of the common options reaches the app (without allowFrom)', async () => {
    const seen: Seen = {};
    const calls = recordingApp({ trustProxy: ['10.0.0.0/8'] }, seen);
    await calls.handle(
      request({ headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' } }),
    );
    expect(seen.parsed).toBe('https://example.com/');
    await calls.handle(
      request({
        remoteAddress: '203.0.113.9',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
      }),
    );
    expect(seen.parsed).toBe('http://app.internal:3000/');
  });

  test('createApp refuses an invalid publicUrl or trustProxy with a TypeError', () => {
    expect(() => placetel.createApp({ ...TEST_APP, publicUrl: '/relative' })).toThrow(TypeError);
    expect(() => placetel.createApp({ ...TEST_APP, publicUrl: 'ftp://example.com' })).toThrow(
      /publicUrl/,
    );
    expect(() => ozeki.createApp({ ...TEST_APP, trustProxy: ['not-an-address'] })).toThrow(
      TypeError,
    );
    expect(() =>
      ozeki.createApp({
        ...TEST_APP,
        publicUrl: 'https://example.com/ozeki',
        trustProxy: ['127.0.0.1'],
      }),
    ).not.toThrow();
  });
});
