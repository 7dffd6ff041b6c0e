/**
 * Property: the Opentact builders and `callcontrol validate` agree on the attribute values whose
 * facts are shared (`src/providers/opentact/grammar.ts`): durations in milliseconds, digit and
 * repeat counts, `leg`, language and voice codes, Say `type` and `gender`, HTTP methods,
 * `finishOnKey`, Meta names, Call fields, Dial
 * destinations, Geo `states`, Schedule `dow` and `time`, Tone `v` and `hz`. For each such
 * attribute and a generated value (valid and invalid around each edge, each enum value and near
 * misses, repeated tokens, ranges backwards), the builder accepts exactly when
 * `validateAnswer('opentact', …)` finds no error in the document that holds the value the
 * builder would have written (a valid command of that verb with the attribute set to it).
 *
 * Values are generated in the builders' typed domain (numbers for counts and durations, strings
 * or string arrays for lists).
 *
 * The structure facts are shared too (`OPENTACT_CHILDREN`, `destinationsRule`, `branchKeysRule`,
 * `errorBlocksRule`): for generated Dial destination lists (repeated or not, empty), Gather
 * `<DTMF value>` and legacy `<Case dtmf>` branches (keys repeated or not, one digit each, so
 * that the builders' own checks of keys against the digit count do not apply), the builder
 * accepts exactly when the validator finds no error. A second `<Error>` block is refused by the
 * builders and reported by the validator as a warning (the document is still usable): checked
 * as "refused ⇒ reported".
 */
import fc from 'fast-check';
import { CallControlError } from '../../src/core/errors';
import * as opentact from '../../src/providers/opentact/xml';
import { validateAnswer } from '../../src/validate';

const RUNS = 150;

/** One attribute: how to build a command with the value, and the attribute it is written as. */
interface Row {
  readonly name: string;
  readonly attribute: string;
  /** The element the attribute is on, when not the command itself (`Meta`, `To`: the text). */
  readonly build: (value: unknown) => opentact.OpentactCommand;
  /** The written value as text (arrays joined with `,`, as the builders write them). */
  readonly written?: (value: unknown) => string;
  readonly values: fc.Arbitrary<unknown>;
}

const counts = (min: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      arbitrary: fc.constantFrom(min - 1, min, min + 1, min + 0.5, Number.NaN, 2 ** 53),
      weight: 3,
    },
    { arbitrary: fc.integer({ min: min - 3, max: min + 100_000 }), weight: 1 },
  );
const strings = (...examples: string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...examples, '', ' '), weight: 3 },
    { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
  );
const list = (tokens: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.array(fc.constantFrom(...tokens), { maxLength: 3 }),
    fc.array(fc.constantFrom(...tokens), { maxLength: 3 }).map((items) => items.join(',')),
  );

const loose = <T>(value: unknown): T => value as T;
const hangup = opentact.hangup();

const ROWS: readonly Row[] = [
  {
    name: 'Pause length (ms)',
    attribute: 'length',
    build: (v) => opentact.pause({ lengthMs: loose(v) }),
    values: counts(0),
  },
  {
    name: 'Say loop',
    attribute: 'loop',
    build: (v) => opentact.say('x', { loop: loose(v) }),
    values: counts(1),
  },
  {
    name: 'Say type',
    attribute: 'type',
    build: (v) => opentact.say('x', { type: loose(v) }),
    values: strings('WaveNet', 'Standard', 'wavenet', 'STANDARD', 'Neural'),
  },
  {
    name: 'Say gender',
    attribute: 'gender',
    build: (v) => opentact.say('x', { gender: loose(v) }),
    values: strings('MALE', 'FEMALE', 'male', 'NEUTRAL'),
  },
  {
    name: 'Curl method (any letter case)',
    attribute: 'method',
    build: (v) => opentact.curl('https://a.example/', { method: loose(v) }),
    values: strings('GET', 'post', 'Put', 'OPTIONS', 'head', 'TRACE', 'CONNECT', 'GETS'),
  },
  {
    name: 'Say lang',
    attribute: 'lang',
    build: (v) => opentact.say('x', { lang: loose(v) }),
    values: strings('en-US', 'es', 'e', 'english', 'en-', 'en-U'),
  },
  {
    name: 'Say code',
    attribute: 'code',
    build: (v) => opentact.say('x', { code: loose(v) }),
    values: strings('en-US-Wavenet-D', '-x', 'a b', 'a.b_c'),
  },
  {
    name: 'Gather dtmf_length',
    attribute: 'dtmf_length',
    build: (v) => opentact.gather({ dtmfLength: loose(v), url: 'http://a.example/' }),
    values: counts(1),
  },
  {
    name: 'Tone leg',
    attribute: 'leg',
    build: (v) => opentact.tone({ hz: [440], leg: loose(v) }),
    values: fc.constantFrom('aleg', 'bleg', 'both', 'Aleg', 'cleg', ''),
  },
  {
    name: 'Tone v (dB)',
    attribute: 'v',
    build: (v) => opentact.tone({ hz: [440], volume: loose(v) }),
    values: fc.constantFrom(-1, 0, 1, -0.5, -30, Number.NaN),
  },
  {
    name: 'Tone hz',
    attribute: 'hz',
    build: (v) => opentact.tone({ hz: loose(v) }),
    written: (v) => (Array.isArray(v) ? v.join(',') : String(v)),
    values: fc.oneof(
      fc.constantFrom('420,500', '480x2', '0', '480x0', '1.5', '', 'a', '420,,500', ' 420'),
      fc.array(fc.constantFrom(440, 0, -1, 1.5), { maxLength: 3 }),
    ),
  },
  {
    name: 'Geo states',
    attribute: 'states',
    build: (v) => opentact.geo({ states: loose(v), commands: [hangup] }),
    written: (v) => (Array.isArray(v) ? v.join(',') : String(v)),
    values: list(['NJ', 'CA', 'nj', 'N', 'NJ ', '']),
  },
  {
    name: 'Schedule dow',
    attribute: 'dow',
    build: (v) => opentact.schedule({ dow: loose(v), commands: [hangup] }),
    written: (v) => (Array.isArray(v) ? v.join(',') : String(v)),
    values: list(['mon', 'tue', 'sun', 'Mon', 'monday', '']),
  },
  {
    name: 'Schedule time',
    attribute: 'time',
    build: (v) => opentact.schedule({ time: loose(v), commands: [hangup] }),
    values: fc.constantFrom(
      '09:00:00-17:00:00',
      '17:00:00-09:00:00',
      '09:00:00-09:00:00',
      '00:00:00-23:59:59',
      '24:00:00-25:00:00',
      '9:00:00-17:00:00',
      '09:00-17:00',
      '',
    ),
  },
];

const escape = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);

function attempt(build: () => opentact.OpentactCommand): opentact.OpentactCommand | undefined {
  try {
    return build();
  } catch (error) {
    if (error instanceof CallControlError && error.code === 'CC_ERR_ANSWER_INVALID')
      return undefined;
    throw error;
  }
}

const errors = (xml: string): string[] =>
  validateAnswer('opentact', xml)
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.code} ${problem.path}: ${problem.message}`);

/** A valid value of each row, to render the document the builder would have written. */
const VALID: Record<string, unknown> = {
  length: 5,
  type: 'WaveNet',
  gender: 'MALE',
  method: 'GET',
  loop: 1,
  lang: 'en-US',
  code: 'en-US-Wavenet-D',
  dtmf_length: 1,
  leg: 'aleg',
  v: 0,
  hz: '420',
  states: 'NJ',
  dow: 'mon',
  time: '09:00:00-17:00:00',
};

/** The builder's document for a valid value, with the attribute's value replaced by `text`. */
function direct(row: Row, text: string): string {
  const base = row.build(VALID[row.attribute]);
  const written = String(row.written?.(VALID[row.attribute]) ?? VALID[row.attribute]);
  const xml = opentact.renderOpentactResponse([base]);
  const from = ` ${row.attribute}="${escape(written)}"`;
  expect(xml).toContain(from);
  return xml.replace(from, ` ${row.attribute}="${escape(text)}"`);
}

describe('Opentact: builder accepts ⇔ validator finds no error (shared values)', () => {
  test.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    fc.assert(
      fc.property(row.values, (value) => {
        const built = attempt(() => row.build(value));
        const xml = direct(row, row.written?.(value) ?? String(value));
        const found = errors(xml);
        expect({
          xml,
          accepted: built !== undefined,
          errors: built ? found : found.length > 0,
        }).toEqual({ xml, accepted: built !== undefined, errors: built ? [] : true });
        if (built !== undefined) {
          const rendered = opentact.renderOpentactResponse([built]);
          expect({ rendered, errors: errors(rendered) }).toEqual({ rendered, errors: [] });
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('Meta name, Call field and a Dial destination', () => {
    const cases: [string, () => opentact.OpentactCommand, string][] = [];
    for (const name of ['is_active', 'a.b-c', '1x', '', 'a b']) {
      cases.push([
        `meta ${name}`,
        () => opentact.meta(name, 'v'),
        `<Response><Meta name="${escape(name)}" value="v"/></Response>`,
      ]);
    }
    for (const field of ['to', 'from.x', '1x', 'a-b', '']) {
      cases.push([
        `call ${field}`,
        () => opentact.call({ field, value: 'v', commands: [hangup] }),
        `<Response><Call field="${escape(field)}" value="v"><Hangup/></Call></Response>`,
      ]);
    }
    for (const to of ['sip:a@b.example', '+4922', 'a b', ' ', '']) {
      cases.push([
        `dial ${JSON.stringify(to)}`,
        () => opentact.dial(to),
        `<Response><Dial><To>${escape(to)}</To></Dial></Response>`,
      ]);
    }
    for (const [name, build, xml] of cases) {
      const accepted = attempt(build) !== undefined;
      expect({ name, accepted }).toEqual({ name, accepted: errors(xml).length === 0 });
    }
  });
});

describe('Opentact: builder accepts ⇔ validator finds no error (shared structure)', () => {
  const keys = fc.array(fc.constantFrom('1', '2', '*', '0'), { maxLength: 4 });

  test('Dial destinations: at least one, none twice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('sip:a@b.example', 'c@d.example', '12223334455'), {
          maxLength: 4,
        }),
        (to) => {
          const built = attempt(() => opentact.dial(to));
          const xml = `<Response><Dial>${to.map((t) => `<To>${escape(t)}</To>`).join('')}</Dial></Response>`;
          expect({ xml, accepted: built !== undefined }).toEqual({
            xml,
            accepted: errors(xml).length === 0,
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('Gather <DTMF value> branches: keys not repeated', () => {
    fc.assert(
      fc.property(keys, (values) => {
        const built = attempt(() =>
          opentact.gather({
            url: 'https://a.example/d',
            dtmf: values.map((value) => ({ value, commands: [hangup] })),
          }),
        );
        const xml = `<Response><Gather url="https://a.example/d">${values
          .map((value) => `<DTMF value="${value}"><Hangup/></DTMF>`)
          .join('')}</Gather></Response>`;
        expect({ xml, accepted: built !== undefined }).toEqual({
          xml,
          accepted: errors(xml).length === 0,
        });
      }),
      { numRuns: RUNS },
    );
  });

  test('legacy Gather <Case dtmf> branches: keys not repeated', () => {
    // without "*", the default finishOnKey, which the builder keeps out of the keys
    const caseKeys = fc.array(fc.constantFrom('1', '2', '0'), { maxLength: 4 });
    fc.assert(
      fc.property(caseKeys, (values) => {
        const built = attempt(() =>
          opentact.legacyGather({
            callback: 'https://a.example/d',
            cases: values.map((dtmf) => ({ dtmf, commands: [hangup] })),
          }),
        );
        const inner = values.map((dtmf) => `<Case dtmf="${dtmf}"><Hangup/></Case>`).join('');
        const xml = `<Response><Gather callback="https://a.example/d">${
          values.length === 0 ? '' : `<Switch>${inner}</Switch>`
        }</Gather></Response>`;
        expect({ xml, accepted: built !== undefined }).toEqual({
          xml,
          accepted: errors(xml).length === 0,
        });
      }),
      { numRuns: RUNS },
    );
  });

  test('a second <Error> block: refused by the builders, reported by the validator', () => {
    const twice = attempt(() => opentact.record({ commands: [opentact.error()], error: [hangup] }));
    expect(twice).toBeUndefined();
    const problems = validateAnswer(
      'opentact',
      '<Response><Record><Error/><Error><Hangup/></Error></Record></Response>',
    ).problems;
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'duplicate',
        severity: 'warning',
        path: '/Response/Record[1]/Error[2]',
      }),
    ]);
  });
});
