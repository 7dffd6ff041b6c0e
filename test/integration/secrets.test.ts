/**
 * No secret in what callcontrol logs or hands to `onError`: for every provider, every way a
 * request is refused (405, 401, 403, 408, 413, 415, 431, 400) and a handler that fails, with
 * the URL token in the query or as a path segment, a valid `Authorization`, a `Cookie` and (for
 * Placetel) a valid signature on the request, the `onError` contexts and errors (with their
 * causes, `util.inspect` at any depth), the logger's calls and the stderr lines are searched for
 * every secret the test uses. Each request goes to a fresh app through the `node:http` adapter
 * on 127.0.0.1, so the adapter's own refusals (413, 408, 431, an encoded body) are covered too.
 */
import { once } from 'node:events';
import http, { type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { opentact, ozeki, placetel, voipnow, type CallControlLogger } from '../../src';
import { listenOnLoopback } from '../helpers/server';

// Obviously fake secrets, each distinct enough to be found anywhere.
const TOKEN = 'fake-url-token-0123456789abcdef';
const OLD_TOKEN = 'fake-old-token-fedcba9876543210';
const USER = 'fakeuser';
const PASSWORD = 'fake-password-7c1e';
const WRONG_PASSWORD = 'fake-wrong-password-55';
const SIGNING_SECRET = 'fake-signing-secret-9f2';
const COOKIE = 'fake-session-cookie-3b7d';
const BEARER = 'fake-proxy-credential-a81c';

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

type Provider = 'placetel' | 'ozeki' | 'voipnow' | 'opentact';
const PROVIDERS: readonly Provider[] = ['placetel', 'ozeki', 'voipnow', 'opentact'];
type Mode = 'onError' | 'logger' | 'stderr';
type TokenIn = 'query' | 'path';

/** A request as sent: the URL's path and query (the token is added), headers, body. */
interface Sent {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Send only the headers and this many body bytes, then wait (408). */
  partial?: number;
}

/** The first item of a list that has one. */
function firstOf<T>(list: readonly T[]): T {
  const item = list[0];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/** A valid request per provider: the first of its call scenario. */
function validRequest(provider: Provider): Sent {
  switch (provider) {
    case 'placetel': {
      const first = firstOf(placetel.placetelCallScenario({ secret: SIGNING_SECRET }));
      return {
        method: 'POST',
        path: '/',
        query: '',
        headers: { ...first.headers },
        body: first.body,
      };
    }
    case 'ozeki': {
      const first = firstOf(ozeki.ozekiCallScenario());
      return {
        method: 'POST',
        path: '/',
        query: '',
        headers: { ...first.headers },
        body: first.body,
      };
    }
    case 'voipnow': {
      const first = firstOf(voipnow.voipNowCallScenario({ method: 'POST' }));
      return {
        method: first.method,
        path: first.path === '' ? '/' : first.path,
        query: first.query,
        headers: { ...first.headers },
        body: first.body,
      };
    }
    case 'opentact': {
      const first = firstOf(opentact.opentactCallScenario());
      return {
        method: first.method,
        path: '/',
        query: first.query,
        headers: { ...first.headers },
        body: first.body,
      };
    }
  }
}

/** A body the provider accepts as a type but cannot read (400). */
function unreadable(provider: Provider): Pick<Sent, 'headers' | 'body'> {
  return provider === 'opentact'
    ? { headers: { 'content-type': 'application/json' }, body: '{"unknown":' }
    : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'unknown=1' };
}

/** The refusal cases: what is changed from a valid request, and the status expected. */
function cases(provider: Provider, tokenIn: TokenIn): [string, number, (valid: Sent) => Sent][] {
  const signedOver = (body: string | Buffer): Record<string, string> =>
    provider === 'placetel'
      ? { 'x-placetel-signature': placetel.signPlacetelBody(body, SIGNING_SECRET) }
      : {};
  const withBody = (valid: Sent, part: Pick<Sent, 'headers' | 'body'>): Sent => ({
    ...valid,
    // Opentact's GET requests carry their fields in the query.
    query: provider === 'opentact' ? '' : valid.query,
    method: 'POST',
    headers: { ...valid.headers, ...part.headers, ...signedOver(part.body) },
    body: part.body,
  });
  return [
    ['a method the provider never sends (405)', 405, (valid) => ({ ...valid, method: 'PUT' })],
    [
      'wrong basic-auth credentials (401)',
      401,
      (valid) => ({
        ...valid,
        headers: { ...valid.headers, authorization: basic(USER, WRONG_PASSWORD) },
      }),
    ],
    [
      'a wrong URL token (403)',
      403,
      (valid) => ({ ...valid, token: 'wrong-token-not-configured' }) as Sent,
    ],
    [
      tokenIn === 'query'
        ? 'the rotated-out token given twice (403)'
        : 'the rotated-out token in the path twice (200)',
      tokenIn === 'query' ? 403 : 200,
      (valid) => ({ ...valid, twice: true }) as Sent,
    ],
    [
      'a body over bodyLimitBytes (413)',
      413,
      (valid) => withBody(valid, { headers: {}, body: 'x='.padEnd(5000, 'y') }),
    ],
    [
      'a gzip body (415, before the checks)',
      415,
      (valid) => ({
        ...valid,
        method: 'POST',
        headers: { ...valid.headers, 'content-encoding': 'gzip' },
        body: gzipSync(Buffer.from(valid.body)),
      }),
    ],
    [
      'a content type the provider never sends (415, after the checks)',
      415,
      (valid) => withBody(valid, { headers: { 'content-type': 'text/plain' }, body: 'hello' }),
    ],
    [
      'a body that stops arriving (408)',
      408,
      (valid) => ({ ...withBody(valid, { headers: {}, body: 'a=1&b=2&c=3' }), partial: 3 }),
    ],
    [
      'headers over maxHeaderBytes (431)',
      431,
      (valid) => ({ ...valid, headers: { ...valid.headers, 'x-padding': 'p'.repeat(9000) } }),
    ],
    ['a body that cannot be read (400)', 400, (valid) => withBody(valid, unreadable(provider))],
    ...(provider === 'placetel'
      ? ([
          [
            'a signature that does not match (403)',
            403,
            (valid: Sent) => ({
              ...valid,
              headers: {
                ...valid.headers,
                'x-placetel-signature': placetel.signPlacetelBody('other', SIGNING_SECRET),
              },
            }),
          ],
        ] as [string, number, (valid: Sent) => Sent][])
      : []),
    ['an onAny observer that throws (200)', 200, (valid) => valid],
  ];
}

/** Creates the provider's app with every credential the test uses. */
function createApp(
  provider: Provider,
  tokenIn: TokenIn,
  extra: { logger?: CallControlLogger; stderr?: boolean },
) {
  const options = {
    urlToken: { tokens: [TOKEN, OLD_TOKEN], in: tokenIn },
    basicAuth: { username: USER, password: PASSWORD },
    bodyLimitBytes: 2048,
    bodyTimeoutMs: 150,
    ...extra,
  } as const;
  switch (provider) {
    case 'placetel':
      return placetel.createApp({ ...options, secret: SIGNING_SECRET });
    case 'ozeki':
      return ozeki.createApp(options);
    case 'voipnow':
      return voipnow.createApp(options);
    case 'opentact':
      return opentact.createApp(options);
  }
}

/** What an app told the world: every string the test captured. */
const captured: string[] = [];

function captureLogger(): CallControlLogger {
  const record =
    (level: string) =>
    (...args: unknown[]): void => {
      captured.push(`${level} ${inspect(args, { depth: Infinity, showHidden: true })}`);
    };
  return { info: record('info'), warn: record('warn'), error: record('error') };
}

/** Sends `sent` to the server; resolves with the status (or 0 when the connection closed). */
async function send(
  server: Server,
  sent: Sent & { token?: string; twice?: boolean },
  tokenIn: TokenIn,
): Promise<number> {
  const { port } = server.address() as AddressInfo;
  const token = sent.token ?? (sent.twice === true ? OLD_TOKEN : TOKEN);
  let path = sent.path;
  let query = sent.query;
  if (tokenIn === 'path') {
    path = `/${token}${sent.twice === true ? `/${token}` : ''}${path === '/' ? '' : path}`;
  } else {
    const tokenPart = sent.twice === true ? `token=${token}&token=${token}` : `token=${token}`;
    query = query === '' ? tokenPart : `${query}&${tokenPart}`;
  }
  const body = typeof sent.body === 'string' ? Buffer.from(sent.body) : sent.body;
  const headers: Record<string, string> = {
    authorization: basic(USER, PASSWORD),
    cookie: `session=${COOKIE}`,
    'proxy-authorization': `Bearer ${BEARER}`,
    ...sent.headers,
    'content-length': String(body.length),
  };
  if (sent.method === 'GET' && body.length === 0) delete headers['content-length'];
  const target = `${path}?${query}`;
  if (sent.partial !== undefined) {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`${sent.method} ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${head}\r\n`);
    socket.write(body.subarray(0, sent.partial));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, 5000))]);
    socket.destroy();
    const status = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
    return status === null ? 0 : Number(status[1]);
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: sent.method, path: target, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every secret of the test, in the forms it travels in. */
function secretsOf(provider: Provider): string[] {
  const valid = validRequest(provider);
  const list = [
    TOKEN,
    OLD_TOKEN,
    PASSWORD,
    WRONG_PASSWORD,
    Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
    Buffer.from(`${USER}:${WRONG_PASSWORD}`).toString('base64'),
    COOKIE,
    BEARER,
    SIGNING_SECRET,
  ];
  if (provider === 'placetel') list.push(placetel.signPlacetelBody(valid.body, SIGNING_SECRET));
  return list;
}

let stderrSpy: jest.SpyInstance | undefined;

beforeEach(() => {
  captured.length = 0;
  stderrSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    captured.push(`stderr ${String(chunk)}`);
    return true;
  });
});

afterEach(() => {
  stderrSpy?.mockRestore();
});

describe.each(PROVIDERS)('%s', (provider) => {
  test.each([
    ['query', 'onError'],
    ['query', 'logger'],
    ['query', 'stderr'],
    ['path', 'onError'],
    ['path', 'logger'],
    ['path', 'stderr'],
  ] as [TokenIn, Mode][])(
    'token in the %s, reported through %s: no secret anywhere',
    async (tokenIn, mode) => {
      const statuses: Record<string, number> = {};
      let reports = 0;
      for (const [name, expected, change] of cases(provider, tokenIn)) {
        const calls = createApp(provider, tokenIn, {
          ...(mode === 'logger' ? { logger: captureLogger() } : {}),
          stderr: mode === 'stderr',
        }) as unknown as {
          onError(handler: (error: unknown, context: unknown) => void): void;
          onAny(handler: () => unknown): void;
          node(): http.RequestListener;
          close(): Promise<unknown>;
        };
        if (mode === 'onError') {
          calls.onError((error, context) => {
            reports++;
            captured.push(inspect({ error, context }, { depth: Infinity, showHidden: true }));
            captured.push(
              JSON.stringify(context, (_key, value: unknown) =>
                Buffer.isBuffer(value) ? value.toString('latin1') : value,
              ),
            );
          });
        }
        calls.onAny(() => {
          throw new Error('observer failed on purpose');
        });
        const server = await listenOnLoopback(http.createServer(calls.node()));
        const sent = change(validRequest(provider));
        statuses[name] = await send(server, sent, tokenIn);
        expect([name, statuses[name]]).toEqual([name, expected]);
        await calls.close();
      }
      if (mode === 'onError')
        expect(reports).toBeGreaterThanOrEqual(cases(provider, tokenIn).length);
      expect(captured.length).toBeGreaterThan(0);
      const all = captured.join('\n');
      for (const secret of secretsOf(provider)) {
        const at = all.indexOf(secret);
        expect([secret, at === -1 ? 'absent' : all.slice(Math.max(0, at - 200), at + 80)]).toEqual([
          secret,
          'absent',
        ]);
      }
      // What was redacted is still visibly there.
      if (mode === 'onError') expect(all).toContain('[redacted]');
    },
  );
});
