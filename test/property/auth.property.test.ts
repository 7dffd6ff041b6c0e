/**
 * Properties of request authentication, through the Express middleware (a server on
 * 127.0.0.1) and the Fetch handler: Placetel's signature, basic auth and the URL token.
 *
 * - Placetel: for any body and any secret, a request signed with another secret, with a
 *   flipped byte (of the signature or of the body), a truncated, extended, empty or missing
 *   signature is refused 403 with its code and no handler runs; the correctly signed request
 *   is handled.
 * - Basic auth, every provider: any password (or user name) other than the configured one —
 *   a prefix, another case, extra bytes, empty, other Unicode, another normalisation — is
 *   refused 401 `CC_ERR_AUTH_BASIC` with a challenge, and no handler runs; the right one passes.
 * - URL token, every provider, in the query (any parameter name, any position, percent-encoded
 *   or not) or as the first path segment: the right token reaches no handler (not in the
 *   event, its `raw`, `query`, `field()`/`param()`, nor the handler's `request`) and a wrong or
 *   missing token is refused 403 with its code.
 *
 * What each property catches: each bug planted once in a copy of the production code, the
 * property seen failing (`node test/mutation/run-plants.mjs auth` plants them again, see
 * `test/mutation/plants.mjs`):
 *
 * | plant                    | bug                                               | failing test          |
 * | ------------------------ | ------------------------------------------------- | --------------------- |
 * | signature-always-true    | verify.ts: the HMAC comparison always true        | signature refused     |
 * | signature-prefix         | verify.ts: a prefix of the right signature passes | signature refused     |
 * | signature-missing-passes | verify.ts: no signature header passes             | signature refused     |
 * | basic-any-password       | auth.ts: any password accepted                    | basic auth, ×4        |
 * | basic-prefix             | auth.ts: a prefix (an empty password) accepted    | basic auth, ×4        |
 * | basic-case-insensitive   | auth.ts: compared ignoring case                   | basic auth, ×4        |
 * | token-kept-in-query      | auth.ts: the token parameter kept in the query    | token reaches none ×4 |
 * | token-kept-in-path       | auth.ts: the token segment kept in the path       | token reaches none ×4 |
 * | token-any                | auth.ts: any token accepted                       | wrong token ×4        |
 */
import fc from 'fast-check';
import type { CallControlError } from '../../src';
import { signPlacetelBody } from '../../src/providers/placetel/verify';
import type { HandlerContext, WebhookEvent } from '../../src/core/types';
import { QUIET } from '../helpers/apps';
import {
  OWN_MARKER,
  PROVIDERS,
  errorCodeOf,
  expressHost,
  fetchSender,
  fieldValue,
  outgoing,
  providerCase,
  sampleRequest,
  type Answer,
  type ExpressHost,
  type LooseApp,
  type Outgoing,
  type ProviderCase,
  type Shaped,
} from './provider-cases';

const RUNS = 60;

/** What the handlers of one app saw. */
interface Seen {
  handled: number;
  observed: number;
  events: WebhookEvent[];
  contexts: HandlerContext[];
  errors: CallControlError[];
}

function seenBy(app: LooseApp, testCase: ProviderCase): Seen {
  const seen: Seen = { handled: 0, observed: 0, events: [], contexts: [], errors: [] };
  app.on(testCase.event, (event, context) => {
    seen.handled++;
    seen.events.push(event);
    seen.contexts.push(context);
    return testCase.own();
  });
  app.onAny(() => {
    seen.observed++;
  });
  app.onError((error) => {
    seen.errors.push(error);
  });
  return seen;
}

type Adapter = 'express' | 'fetch';

/** Sends one request through the chosen adapter of `app`. */
async function send(
  host: ExpressHost,
  adapter: Adapter,
  app: LooseApp,
  testCase: ProviderCase,
  sent: Outgoing,
): Promise<Answer> {
  if (adapter === 'express') {
    host.use(app);
    return host.send(sent);
  }
  return fetchSender(app, testCase.mount).send(sent);
}

function expectRefused(answer: Answer, status: number, codes: readonly string[], seen: Seen): void {
  expect(answer.status).toBe(status);
  expect(codes).toContain(errorCodeOf(answer.text));
  expect(seen.handled).toBe(0);
  expect(seen.observed).toBe(0);
  for (const error of seen.errors) expect(codes).toContain(error.code);
}

function expectHandled(answer: Answer, testCase: ProviderCase, seen: Seen): void {
  if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.text}`);
  expect(answer.text).toContain(OWN_MARKER[testCase.name]);
  expect(seen.handled).toBe(1);
}

const adapter = fc.constantFrom<Adapter>('express', 'fetch');

describe('Placetel signature', () => {
  const testCase = providerCase('placetel');
  /** Secrets as a user would configure them: any Unicode text, never empty. */
  const secret = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 });

  /**
   * Whether two secrets are one HMAC key: a key shorter than SHA-256's 64-byte block is padded
   * with zero bytes, so `k` and `k\0` sign alike (RFC 2104 §2), and a longer key is hashed first.
   */
  function sameKey(a: string, b: string): boolean {
    return signPlacetelBody('probe', a) === signPlacetelBody('probe', b);
  }

  type Tamper =
    | { kind: 'other-secret'; secret: string }
    | { kind: 'flip-signature'; at: number; bit: number }
    | { kind: 'flip-body'; at: number; bit: number }
    | { kind: 'truncate'; keep: number }
    | { kind: 'extend'; extra: string }
    | { kind: 'missing' }
    | { kind: 'empty' };

  const tamper: fc.Arbitrary<Tamper> = fc.oneof(
    secret.map((other) => ({ kind: 'other-secret' as const, secret: other })),
    fc.record({
      kind: fc.constant('flip-signature' as const),
      at: fc.nat({ max: 31 }),
      bit: fc.nat({ max: 7 }),
    }),
    fc.record({ kind: fc.constant('flip-body' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.integer({ min: 1, max: 63 }) }),
    fc.record({
      kind: fc.constant('extend' as const),
      extra: fc.stringMatching(/^[0-9a-f]{1,8}$/),
    }),
    fc.constant({ kind: 'missing' as const }),
    fc.constant({ kind: 'empty' as const }),
  );

  /** A well-formed IncomingCall, or any bytes at all (with Placetel's content type). */
  const body: fc.Arbitrary<Shaped> = fc.oneof(
    testCase.request(fieldValue),
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({
      method: 'POST' as const,
      path: '/',
      query: '',
      body: Buffer.from(bytes),
      type: 'application/x-www-form-urlencoded',
    })),
  );

  let host: ExpressHost;
  beforeEach(async () => {
    host = await expressHost(testCase.mount);
  });

  test('a signature that is not the body’s under the secret is refused 403; no handler runs', async () => {
    await fc.assert(
      fc.asyncProperty(secret, body, tamper, adapter, async (configured, shaped, edit, via) => {
        if (edit.kind === 'other-secret') fc.pre(!sameKey(edit.secret, configured));
        if (edit.kind === 'flip-body') fc.pre(shaped.body.length > 0);
        const app = testCase.create({ ...QUIET, secret: configured });
        const seen = seenBy(app, testCase);
        let sentBody = shaped.body;
        let signature: string | undefined = signPlacetelBody(shaped.body, configured);
        switch (edit.kind) {
          case 'other-secret':
            signature = signPlacetelBody(shaped.body, edit.secret);
            break;
          case 'flip-signature': {
            const bytes = Buffer.from(signature, 'hex');
            bytes[edit.at] = (bytes[edit.at] ?? 0) ^ (1 << edit.bit);
            signature = bytes.toString('hex');
            break;
          }
          case 'flip-body': {
            sentBody = Buffer.from(shaped.body);
            const at = edit.at % sentBody.length;
            sentBody[at] = (sentBody[at] ?? 0) ^ (1 << edit.bit);
            break;
          }
          case 'truncate':
            signature = signature.slice(0, edit.keep);
            break;
          case 'extend':
            signature = `${signature}${edit.extra}`;
            break;
          case 'missing':
            signature = undefined;
            break;
          case 'empty':
            signature = '';
            break;
        }
        const headers = signature === undefined ? {} : { 'x-placetel-signature': signature };
        const answer = await send(
          host,
          via,
          app,
          testCase,
          outgoing({ ...shaped, body: sentBody }, headers),
        );
        const expected =
          edit.kind === 'missing' || edit.kind === 'empty'
            ? 'CC_ERR_SIGNATURE_MISSING'
            : 'CC_ERR_SIGNATURE_INVALID';
        expectRefused(answer, 403, [expected], seen);
        expect(seen.errors.map((error) => error.code)).toEqual([expected]);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  test('the body signed with the secret (or one of several) is handled', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(secret, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        testCase.request(fieldValue),
        fc.boolean(),
        adapter,
        async (secrets, pick, shaped, upper, via) => {
          const app = testCase.create({ ...QUIET, secret: secrets });
          const seen = seenBy(app, testCase);
          const signature = signPlacetelBody(shaped.body, secrets[pick % secrets.length] ?? '');
          const answer = await send(
            host,
            via,
            app,
            testCase,
            outgoing(shaped, {
              'x-placetel-signature': upper ? signature.toUpperCase() : signature,
            }),
          );
          expectHandled(answer, testCase, seen);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('any bytes signed with the secret pass the signature check', async () => {
    await fc.assert(
      fc.asyncProperty(secret, body, async (configured, shaped) => {
        const app = testCase.create({ ...QUIET, secret: configured });
        seenBy(app, testCase);
        const answer = await fetchSender(app, testCase.mount).send(
          outgoing(shaped, { 'x-placetel-signature': signPlacetelBody(shaped.body, configured) }),
        );
        expect(answer.status).not.toBe(403);
        expect(errorCodeOf(answer.text) ?? '').not.toMatch(/SIGNATURE/);
      }),
      { numRuns: RUNS },
    );
  });
});

/** A password a user might configure: any Unicode text, never empty. */
const password = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
/** A user name: any Unicode text without `:`, never empty. */
const username = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((name) => !name.includes(':'));

/** Every way a credential can be almost right, or not at all. */
function wrongVariant(right: string): fc.Arbitrary<string> {
  const swapCase = (text: string): string =>
    Array.from(text, (char) =>
      char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase(),
    ).join('');
  return fc
    .oneof(
      fc.nat().map((keep) => right.slice(0, keep % right.length)), // a prefix, '' included
      fc.constant(right.toUpperCase()),
      fc.constant(right.toLowerCase()),
      fc.constant(swapCase(right)),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }).map((extra) => right + extra),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }).map((extra) => extra + right),
      fc.constantFrom(`${right}\u0000`, `${right} `, ` ${right}`, `${right}\n`, `${right}\u200B`),
      fc.constant(right.normalize('NFD')),
      fc.constant(right.normalize('NFKC')),
      fc.constant(''),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    .filter((candidate) => candidate !== right);
}

/** Configured credentials, and the ones sent (`[user, password]`). */
interface Attempt {
  readonly user: string;
  readonly pass: string;
  readonly given: readonly [string, string];
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function basicHeader(user: string, pass: string, scheme = 'Basic'): string {
  return `${scheme} ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
}

describe.each(PROVIDERS)('$name basic auth', (testCase) => {
  let host: ExpressHost;
  beforeEach(async () => {
    host = await expressHost(testCase.mount);
  });

  test('any other password or user name is refused 401 with a challenge; no handler runs', async () => {
    const credentials = fc.record({ user: username, pass: password });
    const attempt: fc.Arbitrary<Attempt> = credentials.chain(({ user, pass }) =>
      fc.record({
        user: fc.constant(user),
        pass: fc.constant(pass),
        given: fc.oneof(
          { weight: 4, arbitrary: wrongVariant(pass).map((wrong) => [user, wrong] as const) },
          { weight: 1, arbitrary: wrongVariant(user).map((wrong) => [wrong, pass] as const) },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        attempt,
        testCase.request(fieldValue),
        adapter,
        async ({ user, pass, given }, shaped, via) => {
          // A user name with ':' splits elsewhere: `a:b` + `c` is `a` + `b:c`, another pair.
          fc.pre(!utf8(`${given[0]}:${given[1]}`).equals(utf8(`${user}:${pass}`)));
          const app = testCase.create({ ...QUIET, basicAuth: { username: user, password: pass } });
          const seen = seenBy(app, testCase);
          const answer = await send(
            host,
            via,
            app,
            testCase,
            outgoing(shaped, { authorization: basicHeader(given[0], given[1]) }),
          );
          expectRefused(answer, 401, ['CC_ERR_AUTH_BASIC'], seen);
          expect(answer.headers['www-authenticate']).toMatch(/^Basic realm=/);
        },
      ),
      {
        numRuns: RUNS,
        // Always tried: a prefix, empty, another case, an extra byte, other Unicode.
        examples: [
          '',
          'a-test-passwor',
          'A-TEST-PASSWORD',
          'a-test-password\u0000',
          'a-test-password ',
          'a-test-pässword',
        ].map((wrong): [Attempt, Shaped, Adapter] => [
          { user: 'pbx', pass: 'a-test-password', given: ['pbx', wrong] },
          sampleRequest(testCase),
          'express',
        ]),
      },
    );
  });

  test('the configured user name and password pass', async () => {
    await fc.assert(
      fc.asyncProperty(
        username,
        password,
        testCase.request(fieldValue),
        fc.constantFrom('Basic', 'basic', 'BASIC'),
        adapter,
        async (user, pass, shaped, scheme, via) => {
          const app = testCase.create({ ...QUIET, basicAuth: { username: user, password: pass } });
          const seen = seenBy(app, testCase);
          const answer = await send(
            host,
            via,
            app,
            testCase,
            outgoing(shaped, { authorization: basicHeader(user, pass, scheme) }),
          );
          expectHandled(answer, testCase, seen);
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });

  test('without credentials: 401', async () => {
    await fc.assert(
      fc.asyncProperty(testCase.request(fieldValue), async (shaped) => {
        const app = testCase.create({ ...QUIET, basicAuth: { username: 'pbx', password: 'pw' } });
        const seen = seenBy(app, testCase);
        const answer = await send(host, 'express', app, testCase, outgoing(shaped));
        expectRefused(answer, 401, ['CC_ERR_AUTH_BASIC'], seen);
      }),
      { numRuns: 10 },
    );
  });
});

/** A token as `urlToken` accepts it. */
const token = fc.stringMatching(/^[A-Za-z0-9._~-]{16,48}$/);
/** Query parameter names for the token (none of them a field the providers send). */
const param = fc.constantFrom('token', 'key', 'auth', 'access_token', 'k', 'T0ken');

/** `value` with some of its characters percent-encoded (as a client may send them). */
function percentEncodeSome(value: string, mask: readonly boolean[]): string {
  return Array.from(value, (char, index) =>
    mask[index % Math.max(1, mask.length)] === true
      ? `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
      : char,
  ).join('');
}

/** Where the token goes, and how it is written. */
type Placement =
  | { in: 'query'; param: string; at: number; encodeValue: boolean[]; encodeKey: boolean[] }
  | { in: 'path' };

const placement: fc.Arbitrary<Placement> = fc.oneof(
  fc.record({
    in: fc.constant('query' as const),
    param,
    at: fc.nat(),
    encodeValue: fc.array(fc.boolean(), { maxLength: 8 }),
    encodeKey: fc.array(fc.boolean(), { maxLength: 4 }),
  }),
  fc.constant({ in: 'path' as const }),
);

/** The request with `value` placed as the token (`undefined`: no token at all). */
function withToken(shaped: Shaped, where: Placement, value: string | undefined): Shaped {
  if (value === undefined) return shaped;
  if (where.in === 'path') return { ...shaped, path: `/${value}${shaped.path}` };
  const parts = shaped.query === '' ? [] : shaped.query.split('&');
  const key = percentEncodeSome(where.param, where.encodeKey);
  parts.splice(
    where.at % (parts.length + 1),
    0,
    `${key}=${percentEncodeSome(value, where.encodeValue)}`,
  );
  return { ...shaped, query: parts.join('&') };
}

function urlTokenOption(where: Placement, tokens: string | string[]): Record<string, unknown> {
  return where.in === 'path'
    ? { urlToken: { tokens, in: 'path' } }
    : { urlToken: { tokens, param: where.param } };
}

/** Every string reachable from `value` (own properties, depth-first, each object once). */
function stringsIn(value: unknown, found: string[] = [], visited = new Set<object>()): string[] {
  if (typeof value === 'string') found.push(value);
  else if (Buffer.isBuffer(value)) found.push(value.toString('latin1'));
  else if (typeof value === 'object' && value !== null && !visited.has(value)) {
    visited.add(value);
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'string') found.push(key);
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && 'value' in descriptor) {
        stringsIn(descriptor.value, found, visited);
      }
    }
  }
  return found;
}

/** A query string's keys and values, decoded as forms are. */
function decodedQuery(query: string): string[] {
  return [...new URLSearchParams(query)].flat();
}

/** Fails when the token, or the parameter holding it, reached a handler. */
function expectNoToken(
  seen: Seen,
  secretToken: string,
  where: Placement,
  testCase: ProviderCase,
): void {
  expect(seen.handled).toBe(1);
  for (const event of seen.events) {
    for (const text of stringsIn(event)) expect(text).not.toContain(secretToken);
    const lookups = event as unknown as Record<string, unknown>;
    if (where.in === 'query') {
      expect(event.raw[where.param]).toBeUndefined();
      const query = lookups['query'] as Record<string, string> | undefined;
      expect(query?.[where.param]).toBeUndefined();
      for (const name of ['field', 'param']) {
        const lookup = lookups[name];
        if (typeof lookup === 'function') {
          expect((lookup as (key: string) => unknown)(where.param)).toBeUndefined();
        }
      }
    }
  }
  for (const context of seen.contexts) {
    const request = context.request;
    expect(request.path).not.toContain(secretToken);
    expect(request.query).not.toContain(secretToken);
    for (const text of decodedQuery(request.query)) expect(text).not.toContain(secretToken);
    if (where.in === 'query') {
      // No parameter of that name is left (a field's value may happen to spell it).
      expect([...new URLSearchParams(request.query).keys()]).not.toContain(where.param);
    } else {
      // The path after the token, as the provider's routing sees it.
      expect(request.path).toBe('/');
    }
    for (const text of stringsIn(request.headers)) expect(text).not.toContain(secretToken);
    expect(request.body.toString('latin1')).not.toContain(secretToken);
  }
  void testCase;
}

describe.each(PROVIDERS)('$name URL token', (testCase) => {
  let host: ExpressHost;
  beforeEach(async () => {
    host = await expressHost(testCase.mount);
  });

  test('the right token, wherever it is, reaches no handler', async () => {
    await fc.assert(
      fc.asyncProperty(
        token,
        placement,
        testCase.request(fieldValue),
        adapter,
        async (secretToken, where, shaped, via) => {
          const app = testCase.create({ ...QUIET, ...urlTokenOption(where, secretToken) });
          const seen = seenBy(app, testCase);
          const sent = withToken(shaped, where, secretToken);
          const answer = await send(host, via, app, testCase, outgoing(sent));
          expectHandled(answer, testCase, seen);
          expectNoToken(seen, secretToken, where, testCase);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('a wrong, repeated or missing token is refused 403; no handler runs', async () => {
    const attempt = fc.record({ right: token, where: placement }).chain(({ right, where }) =>
      fc.record({
        right: fc.constant(right),
        where: fc.constant(where),
        given: fc.oneof(
          wrongVariant(right).map((wrong) => ({ kind: 'wrong' as const, value: wrong })),
          token.map((other) => ({ kind: 'wrong' as const, value: other })),
          fc.constant({ kind: 'missing' as const, value: undefined }),
          fc.constant({ kind: 'twice' as const, value: right }),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        attempt,
        testCase.request(fieldValue),
        adapter,
        async ({ right, where, given }, shaped, via) => {
          fc.pre(given.kind !== 'wrong' || given.value !== right);
          if (given.kind === 'twice') fc.pre(where.in === 'query');
          if (where.in === 'path' && given.value !== undefined) {
            // Only a value that can be one path segment, as written.
            fc.pre(
              /^[A-Za-z0-9._~-]*$/.test(given.value) && given.value !== '.' && given.value !== '..',
            );
          }
          const app = testCase.create({ ...QUIET, ...urlTokenOption(where, right) });
          const seen = seenBy(app, testCase);
          let sent =
            given.kind === 'wrong'
              ? withToken(shaped, where, encodeForQuery(where, given.value))
              : withToken(shaped, where, given.value);
          if (given.kind === 'twice') sent = withToken(sent, where, right);
          const answer = await send(host, via, app, testCase, outgoing(sent));
          // An empty value is a missing token; in the path, no segment is one too.
          const codes =
            given.kind === 'missing' || given.value === ''
              ? ['CC_ERR_TOKEN_MISSING']
              : where.in === 'path'
                ? ['CC_ERR_TOKEN_INVALID', 'CC_ERR_TOKEN_MISSING']
                : ['CC_ERR_TOKEN_INVALID'];
          expectRefused(answer, 403, codes, seen);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** A wrong token as a client would write it into the query: percent-encoded where needed. */
function encodeForQuery(where: Placement, value: string): string {
  if (where.in === 'path') return value;
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate: its replacement character, as a browser would send it.
    return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
  }
}
