/**
 * Property: the sipgate.io builders and the validator agree (one grammar,
 * `src/providers/sipgate/grammar.ts`). For generated option sets of every builder — values at and
 * around each range edge, each enum value and near misses, E.164 numbers and near misses,
 * URLs and near misses, 0 to 7 `<Dial>` targets with or without the voicemail, a Gather with or
 * without its `<Play>`, required options left out, an unknown option added — the builder accepts
 * exactly when the validator finds no error in the document written from the same options
 * (each option as the attribute of the same name, numbers as JavaScript writes them, `numbers`
 * as `<Number>` elements, `voicemail: true` as `<Voicemail/>`, `play` as the nested `<Play>`;
 * what the builder would have written without its checks). When the builder accepts, the
 * document it renders itself has no error either.
 *
 * Options are generated in the builders' typed domain (numbers for whole numbers, booleans for
 * flags, strings for the rest). Element texts (`<Number>`, `<Url>`) are generated without
 * surrounding whitespace: the validator reads an element's text trimmed, as pretty-printed
 * documents indent it, while a builder writes the value it is given and refuses `" 491"`.
 */
import fc from 'fast-check';
import { CallControlError } from '../../src/core/errors';
import { validateAnswer } from '../../src/validate';
import * as sipgate from '../../src/providers/sipgate/responses';

const RUNS = 300;

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { freq: 3, nil: undefined });

/** Whole numbers around `edge`, and numbers that are not whole. */
const around = (edge: number): number[] => [edge - 1, edge, edge + 1, edge + 0.5, edge - 0.5];
const wholeNumberEdges = [
  ...around(1),
  ...around(0),
  2000,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  1e21,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -0,
];

/** Element texts: E.164 numbers and near misses (no surrounding whitespace, see above). */
const numberText = fc.oneof(
  fc.constantFrom(
    '4915799912345',
    '492111234567',
    '+4915799912345',
    '0',
    '1'.repeat(15),
    '1'.repeat(16),
    '+',
    '',
    '++49',
    '49 157',
    'alice@example.com',
    '12a',
    'anonymous',
  ),
  fc.stringMatching(/^\+?[0-9]{0,17}$/),
);

/** Attribute values of an E.164 number: the texts, and padded or blank ones. */
const numberAttribute = fc.oneof(numberText, fc.constantFrom(' 491', '491 ', ' ', '\t'));

/** URLs and near misses, as element text (no surrounding whitespace). */
const urlText = fc.constantFrom(
  'https://example.com/menu.wav',
  'http://localhost:3000/dtmf',
  'http://example.com/?a=1&b=2',
  'https://example.com/a b',
  'http://x y',
  '/relative.wav',
  'ftp://example.com/x.wav',
  'example.com/x.wav',
  'https:x',
  'http://',
  '',
  'mailto:a@example.com',
);

/** URLs as attribute values: the texts, and padded or blank ones. */
const urlAttribute = fc.oneof(
  urlText,
  fc.constantFrom(' https://example.com/x', '\u00a0https://example.com/x', ' ', '\t'),
);

/** `valid` four times in six, else a value of `other`. */
const mostly = <T>(valid: T, other: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(valid), weight: 4 }, { arbitrary: other, weight: 2 });

/** An unknown option (attribute), sometimes. */
const extra = fc.option(fc.constantFrom('onData', 'OnAnswer', 'timelimit', 'Type', 'loop'), {
  freq: 6,
  nil: undefined,
});

const escape = (value: string, attribute: boolean): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, attribute ? '&quot;' : '"')
    .replace(/[\t\n\r]/g, (c) => (attribute ? `&#${c.charCodeAt(0)};` : c));

/** The attributes of the options that are given, in the order given. */
const attributes = (values: Record<string, unknown>): string =>
  Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escape(String(value), true)}"`)
    .join('');

/** Drops the options that are not given (an absent option, not `key: undefined`). */
const given = (values: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));

const withExtra = (values: Record<string, unknown>, name: string | undefined) =>
  name === undefined ? values : { ...values, [name]: 'x' };

function attempt(build: () => sipgate.SipgateAnswer): sipgate.SipgateAnswer | undefined {
  try {
    return build();
  } catch (error) {
    if (error instanceof CallControlError && error.code === 'CC_ERR_ANSWER_INVALID') {
      return undefined;
    }
    throw error;
  }
}

const errors = (xml: string): string[] =>
  validateAnswer('sipgate', xml)
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.code} ${problem.path}: ${problem.message}`);

function agree(xml: string, built: sipgate.SipgateAnswer | undefined): void {
  const found = errors(xml);
  const accepted = built !== undefined;
  expect({ xml, accepted, errors: accepted ? found : found.length > 0 }).toEqual({
    xml,
    accepted,
    errors: accepted ? [] : true,
  });
  if (built !== undefined) {
    const rendered = sipgate.renderSipgateResponse(built);
    expect({ rendered, errors: errors(rendered) }).toEqual({ rendered, errors: [] });
  }
}

const playXml = (url: string): string => `<Play><Url>${escape(url, false)}</Url></Play>`;

describe('sipgate: builder accepts ⇔ validator finds no error', () => {
  test('dial(): targets (0 to 7 numbers, voicemail), callerId, anonymous', () => {
    fc.assert(
      fc.property(
        fc.record({
          numbers: maybe(fc.array(numberText, { maxLength: 7 })),
          voicemail: maybe(fc.constant(true as const)),
          callerId: maybe(mostly('492111234567', numberAttribute)),
          anonymous: maybe(fc.boolean()),
          extra,
        }),
        ({ numbers, voicemail, callerId, anonymous, extra: unknown }) => {
          const options = withExtra(given({ numbers, voicemail, callerId, anonymous }), unknown);
          const built = attempt(() => sipgate.dial(options as never));
          const targets = [
            ...(numbers ?? []).map((n) => `<Number>${escape(n, false)}</Number>`),
            ...(voicemail === true ? ['<Voicemail/>'] : []),
          ].join('');
          const xml = `<Response><Dial${attributes(
            withExtra({ callerId, anonymous }, unknown),
          )}>${targets}</Dial></Response>`;
          agree(xml, built);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test('play(): the <Url>', () => {
    fc.assert(
      fc.property(urlText, (url) => {
        agree(
          `<Response>${playXml(url)}</Response>`,
          attempt(() => sipgate.play({ url })),
        );
      }),
      { numRuns: 50 },
    );
  });

  test('gather(): onData, maxDigits, timeout, type, the nested <Play>', () => {
    fc.assert(
      fc.property(
        fc.record({
          // mostly valid where the other options are tested, so that each edge is met alone
          onData: maybe(mostly('https://example.com/dtmf', urlAttribute)),
          maxDigits: maybe(fc.oneof(fc.constantFrom(...wholeNumberEdges), fc.integer())),
          timeout: maybe(fc.oneof(fc.constantFrom(...wholeNumberEdges), fc.integer())),
          type: maybe(mostly('dtmf', fc.constantFrom('DTMF', ' dtmf', 'speech', ''))),
          play: maybe(fc.constantFrom('https://example.com/menu.wav')),
          extra,
        }),
        ({ onData, maxDigits, timeout, type, play, extra: unknown }) => {
          const options = withExtra(
            given({
              onData,
              maxDigits,
              timeout,
              type,
              play: play === undefined ? undefined : sipgate.play({ url: play }),
            }),
            unknown,
          );
          const built = attempt(() => sipgate.gather(options as never));
          const xml = `<Response><Gather${attributes(
            withExtra({ onData, maxDigits, timeout, type }, unknown),
          )}>${play === undefined ? '' : playXml(play)}</Gather></Response>`;
          agree(xml, built);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  test('reject(): the reason', () => {
    fc.assert(
      fc.property(
        maybe(fc.constantFrom('rejected', 'busy', 'Busy', 'declined', '', ' busy')),
        extra,
        (reason, unknown) => {
          const options = withExtra(given({ reason }), unknown);
          agree(
            `<Response><Reject${attributes(withExtra({ reason }, unknown))}/></Response>`,
            attempt(() => sipgate.reject(options as never)),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  test('response(): onAnswer, onHangup and one action', () => {
    const actions: Readonly<Record<string, [() => sipgate.SipgateAnswer, string]>> = {
      dial: [() => sipgate.dial({ numbers: ['491'] }), '<Dial><Number>491</Number></Dial>'],
      voicemail: [() => sipgate.dial({ voicemail: true }), '<Dial><Voicemail/></Dial>'],
      play: [
        () => sipgate.play({ url: 'https://e.example/a.wav' }),
        playXml('https://e.example/a.wav'),
      ],
      gather: [
        () => sipgate.gather({ onData: 'https://e.example/d' }),
        '<Gather onData="https://e.example/d"/>',
      ],
      reject: [() => sipgate.reject({ reason: 'busy' }), '<Reject reason="busy"/>'],
      hangup: [() => sipgate.hangup(), '<Hangup/>'],
    };
    fc.assert(
      fc.property(
        fc.record({
          onAnswer: maybe(urlAttribute),
          onHangup: maybe(urlAttribute),
          action: maybe(fc.constantFrom(...Object.keys(actions))),
          extra,
        }),
        ({ onAnswer, onHangup, action, extra: unknown }) => {
          const [make, written] = action === undefined ? [undefined, ''] : (actions[action] ?? []);
          const options = withExtra(given({ onAnswer, onHangup, action: make?.() }), unknown);
          const xml = `<Response${attributes(withExtra({ onAnswer, onHangup }, unknown))}>${written ?? ''}</Response>`;
          agree(
            xml,
            attempt(() => sipgate.response(options as never)),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('the edges, one at a time: 5 and 6 numbers, maxDigits 0 and 1, timeout -1, 0 and 1', () => {
    const url = 'https://example.com/d';
    for (const [numbers, accepted] of [
      [['1', '2', '3', '4', '5'], true],
      [['1', '2', '3', '4', '5', '6'], false],
      [[], false],
    ] as const) {
      const xml = `<Response><Dial>${numbers.map((n) => `<Number>${n}</Number>`).join('')}</Dial></Response>`;
      expect({ numbers, valid: errors(xml).length === 0 }).toEqual({ numbers, valid: accepted });
      agree(
        xml,
        attempt(() => sipgate.dial({ numbers })),
      );
    }
    for (const [name, value, accepted] of [
      ['maxDigits', 0, false],
      ['maxDigits', 1, true],
      ['timeout', -1, false],
      ['timeout', 0, true],
      ['timeout', 1, true],
    ] as const) {
      {
        const xml = `<Response><Gather onData="${url}" ${name}="${value}"/></Response>`;
        expect({ name, value, valid: errors(xml).length === 0 }).toEqual({
          name,
          value,
          valid: accepted,
        });
        agree(
          xml,
          attempt(() => sipgate.gather({ onData: url, [name]: value })),
        );
      }
    }
  });
});
