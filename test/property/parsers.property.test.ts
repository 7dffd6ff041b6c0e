/**
 * Property: whatever a client sends — random bytes, random text, mutated fixture bodies,
 * percent-encoding garbage, `__proto__` keys, overlong keys, deep JSON, any content type and
 * charset, any query string — each provider's parser either returns a well-typed event or
 * throws a coded 4xx {@link CallControlError}. Nothing else: no TypeError, no RangeError, no
 * prototype pollution, no hang.
 */
import fc from 'fast-check';
import type { ParseContext } from '../../src/core/app';
import { CallControlError } from '../../src/core/errors';
import type { WebhookEvent, WebhookRequest } from '../../src/core/types';
import { OPENTACT_EVENTS, parseOpentactRequest } from '../../src/providers/opentact/events';
import { OZEKI_EVENTS, parseOzekiRequest } from '../../src/providers/ozeki/events';
import { PLACETEL_EVENTS, parsePlacetelRequest } from '../../src/providers/placetel/events';
import {
  VOIPNOW_DEFAULT_FIELDS,
  VOIPNOW_EVENTS,
  parseVoipNowRequest,
} from '../../src/providers/voipnow/events';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import {
  contentTypes,
  deepJson,
  formText,
  hostileString,
  mutate,
  mutations,
  partsOf,
  queryString,
} from './arbitraries';

/** The statuses a request may be refused with by a parser. */
const PARSER_STATUSES = [400, 403, 413, 415];
/** A single parse of at most ~200 KB must never take this long (a regex gone wild, a loop). */
const SLOW_MS = 2000;
const RUNS = 500;

type Parse = (request: WebhookRequest, context?: Partial<ParseContext>) => WebhookEvent;

interface ParserCase {
  readonly provider: string;
  readonly parse: Parse;
  /** Field names the provider sends, so generated bodies hit the real code paths. */
  readonly keys: readonly string[];
  /** Event names `eventPaths` may route to. */
  readonly events: readonly string[];
  readonly fixtures: readonly RequestFixture[];
}

const CASES: readonly ParserCase[] = [
  {
    provider: 'placetel',
    parse: parsePlacetelRequest,
    keys: ['event', 'call_id', 'from', 'to', 'direction', 'peer', 'type', 'duration'],
    events: PLACETEL_EVENTS,
    fixtures: loadFixtures('placetel').requests,
  },
  {
    provider: 'ozeki',
    parse: parseOzekiRequest,
    keys: [
      'NotificationName',
      'notificationname',
      'CallId',
      'CallID',
      'CallerId',
      'ApiExtension',
      'DtmfDigits',
      'CallState',
      'RecordURL',
      'OriginalDialedNumber',
      'Sender',
      'Recipient',
      'Message',
    ],
    events: OZEKI_EVENTS,
    fixtures: loadFixtures('ozeki').requests,
  },
  {
    provider: 'voipnow',
    parse: parseVoipNowRequest,
    keys: [...VOIPNOW_DEFAULT_FIELDS, 'CallerIDNam', 'SubscriptionCode'],
    events: VOIPNOW_EVENTS,
    fixtures: loadFixtures('voipnow').requests,
  },
  {
    provider: 'opentact',
    parse: parseOpentactRequest,
    keys: ['from', 'to', 'dtmf', 'code', 'state', 'tn', 'sca', 'call', 'attempts', 'success'],
    events: OPENTACT_EVENTS,
    fixtures: loadFixtures('opentact').requests,
  },
];

/** JSON bodies: any JSON value, envelopes with hostile members, `__proto__` keys, deep nesting. */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .record({
      type: fc.oneof(
        fc.constantFrom(
          'call_state',
          'call_flow',
          'sms',
          'balance',
          'x',
          '__proto__',
          'constructor',
        ),
        fc.jsonValue(),
      ),
      payload: fc.jsonValue(),
      call: fc.jsonValue(),
      command: fc.jsonValue(),
      uuid: fc.jsonValue(),
      ref_id: fc.jsonValue(),
      message: fc.jsonValue(),
    })
    .map((envelope) => JSON.stringify(envelope)),
  fc
    .tuple(fc.jsonValue(), fc.constantFrom('call_state', 'sms', 'call_flow'))
    .map(
      ([value, type]) =>
        `{"__proto__":${JSON.stringify(value)},"constructor":{"prototype":{"x":1}},"type":"${type}","payload":{"__proto__":{"state":"live"}}}`,
    ),
  fc
    .tuple(
      fc.integer({ min: 0, max: 5000 }),
      fc.boolean(),
      fc.constantFrom('1', '"x"', 'null', '{}'),
    )
    .map(([depth, arrays, inner]) => deepJson(depth, arrays, inner)),
  fc
    .integer({ min: 0, max: 400 })
    .map((depth) => `{"type":"call_state","payload":${deepJson(depth, false)}}`),
  fc
    .nat({ max: 3000 })
    .map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
  fc.constantFrom(
    '',
    '{',
    '}',
    '[',
    'nul',
    '1e400',
    '-0',
    '"\\ud800"',
    '{"a":"\\u0000"}',
    '\ufeff{}',
  ),
);

function bodyArbitrary(
  testCase: ParserCase,
): fc.Arbitrary<{ body: Buffer; type?: string | undefined }> {
  const fixtureIndex = fc.nat({ max: testCase.fixtures.length - 1 });
  const fixtureType = (index: number): string | undefined =>
    testCase.fixtures[index]?.headers['content-type'];
  const fixtureBody = (index: number): Buffer => {
    const fixture = testCase.fixtures[index];
    return fixture === undefined ? Buffer.alloc(0) : partsOf(fixture).body;
  };
  const form = 'application/x-www-form-urlencoded';
  return fc.oneof(
    fc.constant({ body: Buffer.alloc(0) }),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ body: Buffer.from(bytes) })),
    hostileString.map((text) => ({ body: Buffer.from(text, 'utf8') })),
    formText(testCase.keys).map((text) => ({ body: Buffer.from(text, 'utf8'), type: form })),
    jsonText.map((text) => ({ body: Buffer.from(text, 'utf8'), type: 'application/json' })),
    fixtureIndex.map((index) => ({ body: fixtureBody(index), type: fixtureType(index) })),
    fc.tuple(fixtureIndex, mutations).map(([index, edits]) => ({
      body: mutate(fixtureBody(index), edits),
      type: fixtureType(index),
    })),
    fc
      .tuple(fc.integer({ min: 1, max: 50 }), fc.constantFrom('a=1&', 'event=x&', '%', '{"a":'))
      .map(([kilobytes, unit]) => ({
        body: Buffer.from(unit.repeat(Math.ceil((kilobytes * 4096) / unit.length))),
        type: form,
      })),
  );
}

function requestArbitrary(
  testCase: ParserCase,
): fc.Arbitrary<{ request: WebhookRequest; routedEvent: string | undefined }> {
  const fixtureQueries = testCase.fixtures.map((fixture) => partsOf(fixture).query);
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE'),
      path: fc.oneof(
        fc.constantFrom('/', '', '/x', '//', '/%ZZ', '/a/b/'),
        fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
      ),
      query: fc.oneof(
        queryString(testCase.keys),
        fc.constantFrom(...fixtureQueries, ''),
        fc
          .tuple(fc.constantFrom(...fixtureQueries, ''), mutations)
          .map(([query, edits]) => mutate(Buffer.from(query), edits).toString('latin1')),
      ),
      body: bodyArbitrary(testCase),
      contentType: fc.oneof(fc.constant('fixture' as const), contentTypes),
      routedEvent: fc.oneof(fc.constant(undefined), fc.constantFrom(...testCase.events)),
    })
    .map(({ method, path, query, body, contentType, routedEvent }) => {
      const type = contentType === 'fixture' ? body.type : contentType;
      const headers: Record<string, string | undefined> = {};
      if (type !== undefined) headers['content-type'] = type;
      return {
        request: { method, path, query, headers, body: body.body },
        routedEvent,
      };
    });
}

/** Asserts the outcome of one parse: a well-typed event, or a coded 4xx. Returns which. */
function checkParse(
  testCase: ParserCase,
  request: WebhookRequest,
  routedEvent?: string,
): 'event' | 'refused' {
  let event: WebhookEvent;
  const started = performance.now();
  try {
    event = testCase.parse(request, { routedEvent });
  } catch (error) {
    if (!(error instanceof CallControlError)) {
      throw new Error(`${testCase.provider}: the parser threw an uncoded ${String(error)}`, {
        cause: error,
      });
    }
    expect(PARSER_STATUSES).toContain(error.status);
    expect(error.code).toMatch(/^CC_ERR_[A-Z_]+$/);
    return 'refused';
  } finally {
    expect(performance.now() - started).toBeLessThan(SLOW_MS);
  }
  expect(event.provider).toBe(testCase.provider);
  for (const key of ['name', 'callId', 'from', 'to'] as const) {
    expect(typeof event[key]).toBe('string');
  }
  expect(typeof event.raw).toBe('object');
  expect(event.raw).not.toBeNull();
  for (const [key, value] of Object.entries(event.raw)) {
    if (typeof value !== 'string') {
      throw new Error(`${testCase.provider}: raw["${key}"] is a ${typeof value}, not a string`);
    }
  }
  return 'event';
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function expectNoPollution(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  const probe: Record<string, unknown> = {};
  expect(probe['polluted']).toBeUndefined();
  expect(probe['state']).toBeUndefined();
  expect(probe['x']).toBeUndefined();
}

describe.each(CASES)('$provider parser under hostile input', (testCase) => {
  test('returns a well-typed event or throws a coded 4xx', () => {
    const outcomes = { event: 0, refused: 0 };
    fc.assert(
      fc.property(requestArbitrary(testCase), ({ request, routedEvent }) => {
        outcomes[checkParse(testCase, request, routedEvent)]++;
        expectNoPollution();
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: the generators reach both the event builders and the refusals.
    expect(outcomes.event).toBeGreaterThan(RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 20);
  });

  test('every mutation of every documented request: event or coded 4xx', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: testCase.fixtures.length - 1 }),
        mutations,
        mutations,
        fc.boolean(),
        (index, bodyEdits, queryEdits, keepType) => {
          const fixture = testCase.fixtures[index];
          if (fixture === undefined) throw new Error('no fixture');
          const parts = partsOf(fixture);
          const headers: Record<string, string | undefined> = keepType
            ? { ...fixture.headers }
            : {};
          const request: WebhookRequest = {
            method: fixture.method,
            path: parts.path,
            query: mutate(Buffer.from(parts.query), queryEdits).toString('latin1'),
            headers,
            body: mutate(parts.body, bodyEdits),
          };
          checkParse(testCase, request);
          expectNoPollution();
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('every documented request, unmutated, parses to an event (the seeds are valid)', () => {
    for (const fixture of testCase.fixtures) {
      const parts = partsOf(fixture);
      const request: WebhookRequest = {
        method: fixture.method,
        path: parts.path,
        query: parts.query,
        headers: fixture.headers,
        body: parts.body,
      };
      expect(checkParse(testCase, request)).toBe('event');
    }
  });
});
