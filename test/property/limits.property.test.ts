/**
 * Properties of the request limits, every provider, through the Express middleware (a server
 * on 127.0.0.1) and the Fetch handler:
 *
 * - Field limit (1000, `docs/errors.md`): a form body, query or JSON body holding more fields
 *   than that — distinct, repeated or bare keys, flat JSON keys or one long array — is refused
 *   413 `CC_ERR_BODY_TOO_MANY_FIELDS` and no handler runs; one holding the limit or fewer is
 *   handled.
 * - Body limit (`bodyLimitBytes`, any value): a body larger than it, sent with its
 *   `Content-Length` or chunked, is refused 413 `CC_ERR_BODY_TOO_LARGE` and no handler runs; a
 *   body of exactly the limit is handled. Also behind the documented `captureRawBody` recipe
 *   (`express.urlencoded`/`express.json` with `verify: captureRawBody` mounted in front).
 *
 * What each property catches: each bug planted once in a copy of the production code, the
 * property seen failing (`node test/mutation/run-plants.mjs limits` plants them again, see
 * `test/mutation/plants.mjs`):
 *
 * | plant                 | bug                                                | failing test             |
 * | --------------------- | -------------------------------------------------- | ------------------------ |
 * | fields-limit-raised   | body.ts: `MAX_FIELDS` raised to 1,000,000          | more than 1000, ×4       |
 * | fields-form-uncounted | body.ts: `decodeForm` counts nothing (form, query) | more than 1000, ×4       |
 * | fields-json-uncounted | body.ts: `flattenJson` counts nothing              | more than 1000, Opentact |
 * | body-limit-node       | node.ts: body read without limit (Express)         | larger body, ×4          |
 * | body-limit-fetch      | fetch.ts: body read without limit (Fetch)          | larger body, ×4          |
 */
import express from 'express';
import fc from 'fast-check';
import {
  bodyParserOptions,
  captureRawBody,
  createExpressErrorHandler,
} from '../../src/adapters/express';
import { QUIET } from '../helpers/apps';
import {
  OWN_MARKER,
  PROVIDERS,
  errorCodeOf,
  expressHost,
  fetchSender,
  fieldValue,
  outgoing,
  type Answer,
  type ExpressBuilder,
  type ExpressHost,
  type LooseApp,
  type Outgoing,
  type ProviderCase,
  type Shaped,
} from './provider-cases';

/** The documented field limit (`docs/errors.md`, `CC_ERR_BODY_TOO_MANY_FIELDS`). */
const FIELD_LIMIT = 1000;
const RUNS = 25;
/** Answers to refused bodies come fast; this only bounds a hang. */
const SEND_TIMEOUT_MS = 10_000;

/** What one app's handlers saw. */
interface Seen {
  handled: number;
  observed: number;
  codes: string[];
}

function watch(app: LooseApp, testCase: ProviderCase): Seen {
  const seen: Seen = { handled: 0, observed: 0, codes: [] };
  app.on(testCase.event, () => {
    seen.handled++;
    return testCase.own();
  });
  app.onAny(() => {
    seen.observed++;
  });
  app.onError((error) => {
    seen.codes.push(error.code);
  });
  return seen;
}

function expectRefused(answer: Answer, code: string, seen: Seen): void {
  if (answer.status !== 413) throw new Error(`answered ${answer.status}: ${answer.text}`);
  expect(errorCodeOf(answer.text)).toBe(code);
  expect(seen.handled).toBe(0);
  expect(seen.observed).toBe(0);
  expect(seen.codes).toEqual([code]);
}

function expectHandled(answer: Answer, testCase: ProviderCase, seen: Seen): void {
  if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.text}`);
  expect(answer.text).toContain(OWN_MARKER[testCase.name]);
  expect(seen.handled).toBe(1);
}

type Adapter = 'express' | 'fetch';
const adapter = fc.constantFrom<Adapter>('express', 'fetch');

async function send(
  host: ExpressHost,
  via: Adapter,
  app: LooseApp,
  testCase: ProviderCase,
  sent: Outgoing,
): Promise<Answer> {
  if (via === 'express') {
    host.use(app);
    return host.send(sent, SEND_TIMEOUT_MS);
  }
  return fetchSender(app, testCase.mount).send(sent);
}

/** Where a provider reads fields from, and a request of its answered event that uses it. */
type Part = 'form' | 'query' | 'json';

const PARTS: Readonly<Record<string, readonly Part[]>> = {
  placetel: ['form'],
  ozeki: ['form', 'query'],
  voipnow: ['query', 'form'],
  opentact: ['json', 'query'],
};

/** The request with its fields moved to a form body (for VoipNow's POST variant). */
function asForm(shaped: Shaped): Shaped {
  if (shaped.type !== undefined || shaped.query === '') return shaped;
  return {
    method: 'POST',
    path: shaped.path,
    query: '',
    body: Buffer.from(shaped.query),
    type: 'application/x-www-form-urlencoded',
  };
}

/** How filler fields are written. */
type Filler = 'distinct' | 'repeated' | 'bare' | 'empty' | 'array';

function formFillers(count: number, style: Filler): string[] {
  return Array.from({ length: count }, (_, index) => {
    switch (style) {
      case 'repeated':
        return 'zz=1';
      case 'bare':
        return 'zz';
      case 'empty':
        return `z${index.toString(36)}=`;
      default:
        return `z${index.toString(36)}=v`;
    }
  });
}

function formCount(text: string): number {
  return [...new URLSearchParams(text)].length;
}

/**
 * `shaped` with fields added to `part` until it holds `total` fields (JSON: values, the
 * object itself counted as one); `undefined` when it already holds more.
 */
function withFields(shaped: Shaped, part: Part, total: number, style: Filler): Shaped | undefined {
  if (part === 'json') {
    const object = JSON.parse(shaped.body.toString('utf8')) as Record<string, unknown>;
    const have = 1 + Object.keys(object).length;
    const missing = total - have - (style === 'array' ? 1 : 0);
    if (missing < 0) return undefined;
    if (style === 'array') object['zz'] = Array.from({ length: missing }, (_, index) => index);
    else for (let index = 0; index < missing; index++) object[`z${index.toString(36)}`] = 'v';
    return { ...shaped, body: Buffer.from(JSON.stringify(object)) };
  }
  const text = part === 'query' ? shaped.query : shaped.body.toString('utf8');
  const missing = total - formCount(text);
  if (missing < 0) return undefined;
  const joined = [text, ...formFillers(missing, style)].filter((item) => item !== '').join('&');
  return part === 'query'
    ? { ...shaped, query: joined }
    : { ...shaped, body: Buffer.from(joined), type: 'application/x-www-form-urlencoded' };
}

/**
 * A request of the provider's answered event for filling `part`: VoipNow's fields moved to a
 * form body for `form`; for the others the provider's own request (a `query` part starts empty).
 */
function shapedIn(testCase: ProviderCase, part: Part): fc.Arbitrary<Shaped> {
  const base = testCase.request(fieldValue);
  return testCase.name === 'voipnow' && part === 'form' ? base.map(asForm) : base;
}

describe.each(PROVIDERS)('$name field limit', (testCase) => {
  let host: ExpressHost;
  beforeEach(async () => {
    host = await expressHost(testCase.mount);
  });

  const parts = PARTS[testCase.name] ?? [];
  const filler = fc.constantFrom<Filler>('distinct', 'repeated', 'bare', 'empty', 'array');

  test(`more than ${FIELD_LIMIT} fields are refused 413; no handler runs`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...parts).chain((part) =>
          fc.tuple(
            fc.constant(part),
            shapedIn(testCase, part),
            // A query goes into the request line: Node's 16 KiB header limit comes first.
            fc.integer({ min: FIELD_LIMIT + 1, max: part === 'query' ? 1600 : 3000 }),
          ),
        ),
        filler,
        adapter,
        async ([part, shaped, total], style, via) => {
          const sent = withFields(shaped, part, total, part === 'json' ? style : noArray(style));
          if (sent === undefined) throw new Error('the request already holds too many fields');
          const app = testCase.create({ ...QUIET, allowUnauthenticated: true });
          const seen = watch(app, testCase);
          const answer = await send(host, via, app, testCase, outgoing(sent));
          expectRefused(answer, 'CC_ERR_BODY_TOO_MANY_FIELDS', seen);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test(`${FIELD_LIMIT} fields or fewer are handled`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...parts)
          .chain((part) => fc.tuple(fc.constant(part), shapedIn(testCase, part))),
        fc.integer({ min: FIELD_LIMIT - 30, max: FIELD_LIMIT }),
        filler,
        adapter,
        async ([part, shaped], total, style, via) => {
          const sent = withFields(shaped, part, total, part === 'json' ? style : noArray(style));
          if (sent === undefined) throw new Error('the request already holds too many fields');
          const app = testCase.create({ ...QUIET, allowUnauthenticated: true });
          const seen = watch(app, testCase);
          const answer = await send(host, via, app, testCase, outgoing(sent));
          expectHandled(answer, testCase, seen);
        },
      ),
      { numRuns: RUNS / 5 },
    );
  });
});

function noArray(style: Filler): Filler {
  return style === 'array' ? 'distinct' : style;
}

/** The request as a POST body (VoipNow's form variant), padded to exactly `size` bytes. */
function padded(shaped: Shaped, size: number): Shaped | undefined {
  const posted = asForm(shaped);
  const body = posted.body;
  if (posted.type === 'application/json') {
    // `{…,"zzpad":"xxx"}`
    const room = size - body.length - ',"zzpad":""'.length;
    if (room < 0) return undefined;
    const text = `${body.toString('utf8').slice(0, -1)},"zzpad":"${'x'.repeat(room)}"}`;
    return { ...posted, body: Buffer.from(text) };
  }
  const room = size - body.length - '&zzpad='.length;
  if (room < 0) return undefined;
  return { ...posted, body: Buffer.concat([body, Buffer.from(`&zzpad=${'x'.repeat(room)}`)]) };
}

/**
 * The documented recipe for body parsers in front (`docs/security.md`): both parsers with
 * `bodyParserOptions`, callcontrol's error handler behind its middleware.
 */
const RECIPE: ExpressBuilder = (app, mount) => {
  const host = express();
  host.use(express.json(bodyParserOptions(app)));
  host.use(express.urlencoded({ extended: false, ...bodyParserOptions(app) }));
  host.use(mount, app.express(), createExpressErrorHandler(app));
  return host;
};

/** The former recipe, `verify: captureRawBody` alone: the adapter still applies the limit. */
const FORMER_RECIPE: ExpressBuilder = (app, mount) => {
  const host = express();
  host.use(express.json({ verify: captureRawBody }));
  host.use(express.urlencoded({ extended: false, verify: captureRawBody }));
  host.use(mount, app.express());
  return host;
};

describe.each(PROVIDERS)('$name body limit', (testCase) => {
  /** Any limit, a body over it by 1 byte to 256 KiB, with or without `Content-Length`. */
  const oversized = fc.record({
    limit: fc.integer({ min: 2048, max: 32 * 1024 }),
    excess: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 64 }) },
      { weight: 2, arbitrary: fc.integer({ min: 65, max: 16 * 1024 }) },
      { weight: 1, arbitrary: fc.integer({ min: 16 * 1024, max: 256 * 1024 }) },
    ),
    chunked: fc.boolean(),
    shaped: testCase.request(fieldValue),
  });

  async function refusedOver(
    host: ExpressHost,
    adapters: fc.Arbitrary<Adapter>,
    largest = Infinity,
  ): Promise<void> {
    await fc.assert(
      fc.asyncProperty(oversized, adapters, async ({ limit, excess, chunked, shaped }, via) => {
        fc.pre(limit + excess <= largest);
        const sent = padded(shaped, limit + excess);
        if (sent === undefined) throw new Error('the request is larger than the smallest limit');
        expect(sent.body.length).toBe(limit + excess);
        const app = testCase.create({
          ...QUIET,
          allowUnauthenticated: true,
          bodyLimitBytes: limit,
        });
        const seen = watch(app, testCase);
        const answer = await send(host, via, app, testCase, { ...outgoing(sent), chunked });
        expectRefused(answer, 'CC_ERR_BODY_TOO_LARGE', seen);
      }),
      { numRuns: RUNS },
    );
  }

  test('a body larger than bodyLimitBytes is refused 413; no handler runs', async () => {
    await refusedOver(await expressHost(testCase.mount), adapter);
  });

  test('a body of exactly bodyLimitBytes is handled', async () => {
    const host = await expressHost(testCase.mount);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2048, max: 32 * 1024 }),
        fc.boolean(),
        testCase.request(fieldValue),
        adapter,
        async (limit, chunked, shaped, via) => {
          const sent = padded(shaped, limit);
          if (sent === undefined) throw new Error('the request is larger than the smallest limit');
          const app = testCase.create({
            ...QUIET,
            allowUnauthenticated: true,
            bodyLimitBytes: limit,
          });
          const seen = watch(app, testCase);
          const answer = await send(host, via, app, testCase, { ...outgoing(sent), chunked });
          expectHandled(answer, testCase, seen);
        },
      ),
      { numRuns: RUNS / 5 },
    );
  });

  test('behind body parsers (the documented recipe): a larger body is refused 413', async () => {
    await refusedOver(await expressHost(testCase.mount, RECIPE), fc.constant('express'));
  });

  test('behind body parsers with captureRawBody alone: a larger body the parser reads is refused 413', async () => {
    // body-parser's own default limit (100 kB) answers larger bodies itself, uncoded.
    await refusedOver(
      await expressHost(testCase.mount, FORMER_RECIPE),
      fc.constant('express'),
      90 * 1024,
    );
  });
});
