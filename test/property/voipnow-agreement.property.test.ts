/**
 * Property: the VoipNow builders and `callcontrol validate` agree (one grammar,
 * `src/providers/voipnow/grammar.ts`). For generated option sets of every verb — values at and
 * around each range edge, each enum value and near misses, patterns, blank and non-blank text,
 * required attributes left out, an unknown attribute added — the builder accepts exactly when
 * `validateAnswer('voipnow', …)` finds no error in the document written from the same options
 * (each option as the attribute of the same name, numbers as JavaScript writes them, the main
 * argument as the element text; what the builder would have written without its checks). When
 * the builder accepts, the document it renders itself has no error either.
 *
 * Options are generated in the builders' typed domain (numbers for whole numbers, strings for
 * the rest): a string `"5"` for `length` is refused by the type, not by the grammar; so is a
 * Jump `option` given as a number that is not a whole number ≥ 0 (its text may be given as a
 * string, which the grammar allows).
 */
import fc from 'fast-check';
import { CallControlError } from '../../src/core/errors';
import type { GrammarValue } from '../../src/validate/grammar';
import { validateAnswer } from '../../src/validate';
import { VOIPNOW_GRAMMAR, type VoipNowVerbFact } from '../../src/providers/voipnow/grammar';
import * as voipnow from '../../src/providers/voipnow/responses';

const RUNS = 300;

/** Near misses of any enum: letter case, blank, another word. */
const enumMisses = (values: readonly string[]): string[] => [
  '',
  ' ',
  'other',
  ...values.map((value) => value.toUpperCase()),
  ...values.map((value) => ` ${value}`),
];

/** Whole numbers around `edge`, and numbers that are not whole. */
const around = (edge: number): number[] => [edge - 1, edge, edge + 1, edge + 0.5, edge - 0.5];

const text = fc.oneof(
  fc.constantFrom('', ' ', '  \t', 'x', 'Alice-8KHz', '/custom', '<&>"\''),
  fc.string({ maxLength: 12 }),
);

/** The edges of a whole-number type: around min and max, not whole, not finite. */
function edgesOf(type: GrammarValue & { kind: 'integer' }): unknown[] {
  return [
    ...around(type.min),
    ...(type.max === undefined
      ? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e21]
      : around(type.max)),
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    ...(type.orEmpty === true ? ['', ' '] : []),
  ];
}

/** Values of a grammar type, valid and invalid, in the builders' typed domain. */
function valueOf(type: GrammarValue): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'text':
      return text;
    case 'textOrCount':
      // a number is the builder's shorthand for its text: only whole numbers ≥ 0 are taken
      // (-1 or 1.5 are refused as numbers, though the text "-1" is a valid option)
      return fc.oneof(text, fc.constantFrom(0, 1, 7, Number.MAX_SAFE_INTEGER));
    case 'integer': {
      const top = type.max ?? type.min + 1000;
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgesOf(type)), weight: 3 },
        { arbitrary: fc.integer({ min: type.min - 5, max: top + 5 }), weight: 1 },
      );
    }
    case 'enum':
      return fc.constantFrom(...type.values, ...enumMisses(type.values));
    case 'pattern':
      return fc.oneof(
        fc.constantFrom(
          'en',
          'fr',
          'pt-BR',
          'e',
          'english',
          'en-',
          'contact',
          '_x1',
          '1x',
          'a b',
          '',
        ),
        fc.string({ maxLength: 10 }),
      );
    default:
      throw new Error(`no arbitrary for ${type.kind}`);
  }
}

/** A generated option set of a verb: attribute values (absent or not), an extra, the text. */
interface Case {
  readonly options: Record<string, unknown>;
  readonly text: string | undefined;
}

function caseOf(fact: VoipNowVerbFact): fc.Arbitrary<Case> {
  const attributes = Object.fromEntries(
    fact.attributes.map((attribute) => [
      attribute.name,
      fc.option(valueOf(attribute.value), { freq: 3, nil: undefined }),
    ]),
  );
  return fc
    .record({
      options: fc.record(attributes),
      extra: fc.option(fc.constantFrom('colour', 'Length', 'LOOP', 'Voice'), {
        freq: 6,
        nil: undefined,
      }),
      text: fact.text === 'required' ? text : fc.constant(undefined),
    })
    .map(({ options, extra, text: body }) => {
      const present = Object.fromEntries(
        Object.entries(options).filter(([, value]) => value !== undefined),
      );
      return {
        options: extra === undefined ? present : { ...present, [extra]: 'x' },
        text: body,
      };
    });
}

/** Calls the verb's builder with the case; the built command, or the coded refusal. */
function build(verb: string, { options, text: body }: Case): voipnow.VoipNowCommand {
  const loose = options as never;
  switch (verb) {
    case 'Pause':
      return voipnow.pause(loose);
    case 'SetVar': {
      const { name, ...rest } = options;
      if (Object.keys(rest).length > 0) throw new Error('setVar takes no options');
      return voipnow.setVar(name as string, body as string);
    }
    case 'PlaySound':
      return voipnow.playSound(body as string, loose);
    case 'Jump':
      return voipnow.jump(loose);
    case 'SetCaller':
      return voipnow.setCaller(loose);
    case 'PlayTTS':
      return voipnow.playTts(body as string, loose);
    default:
      throw new Error(`no builder for ${verb}`);
  }
}

const escape = (value: string, attribute: boolean): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, attribute ? '&quot;' : '"')
    .replace(/[\t\n\r]/g, (c) => (attribute ? `&#${c.charCodeAt(0)};` : c));

/** The document the builder would write for the case, without its checks. */
function direct(verb: string, { options, text: body }: Case): string {
  const attributes = Object.entries(options)
    .map(([name, value]) => ` ${name}="${escape(String(value), true)}"`)
    .join('');
  const content = body === undefined ? '' : escape(body, false);
  return `<Response><${verb}${attributes}>${content}</${verb}></Response>`;
}

const errors = (xml: string): string[] =>
  validateAnswer('voipnow', xml)
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.code} ${problem.path}: ${problem.message}`);

/** SetVar's `name` is its first argument; an extra option has nowhere to go. */
const VERBS = Object.values(VOIPNOW_GRAMMAR).filter((fact) => fact.attributes.length > 0);

describe('VoipNow: builder accepts ⇔ validator finds no error', () => {
  test.each(VERBS.map((fact) => [fact.name, fact] as const))('%s', (verb, fact) => {
    const arbitrary =
      verb === 'SetVar'
        ? caseOf(fact).map((c) => ({
            ...c,
            options: 'name' in c.options ? { name: c.options['name'] } : {},
          }))
        : caseOf(fact);
    fc.assert(
      fc.property(arbitrary, (c) => {
        let built: voipnow.VoipNowCommand | undefined;
        try {
          built = build(verb, c);
        } catch (error) {
          if (!(error instanceof CallControlError) || error.code !== 'CC_ERR_ANSWER_INVALID') {
            throw error;
          }
        }
        const xml = direct(verb, c);
        const found = errors(xml);
        if (built === undefined) {
          expect({ xml, refusedButValid: found.length === 0 }).toEqual({
            xml,
            refusedButValid: false,
          });
        } else {
          expect({ xml, errors: found }).toEqual({ xml, errors: [] });
          const rendered = voipnow.renderVoipNowResponse([built]);
          expect({ rendered, errors: errors(rendered) }).toEqual({ rendered, errors: [] });
        }
      }),
      { numRuns: RUNS },
    );
  });

  /** Valid values of the required attributes and the text, to test one attribute at a time. */
  const BASE: Record<string, Case> = {
    Pause: { options: {}, text: undefined },
    SetVar: { options: { name: 'x' }, text: 'v' },
    PlaySound: { options: {}, text: 's' },
    Jump: { options: { context: 'c' }, text: undefined },
    SetCaller: { options: { name: 'n', number: '1' }, text: undefined },
    PlayTTS: { options: {}, text: 't' },
  };

  test('every edge of every whole-number attribute, one at a time', () => {
    let checked = 0;
    for (const fact of VERBS) {
      for (const attribute of fact.attributes) {
        if (attribute.value.kind !== 'integer') continue;
        for (const value of edgesOf(attribute.value)) {
          const base = BASE[fact.name] as Case;
          const c = { ...base, options: { ...base.options, [attribute.name]: value } };
          let accepted = true;
          try {
            build(fact.name, c);
          } catch {
            accepted = false;
          }
          const xml = direct(fact.name, c);
          expect({ xml, accepted }).toEqual({ xml, accepted: errors(xml).length === 0 });
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  test('Pause length 0 and 99999, PlayTTS volume 400 are refused by both', () => {
    for (const [verb, c] of [
      ['Pause', { options: { length: 0 }, text: undefined }],
      ['Pause', { options: { length: 99999 }, text: undefined }],
      ['PlayTTS', { options: { volume: 400 }, text: 'x' }],
    ] as const) {
      expect(() => build(verb, c)).toThrow(CallControlError);
      expect(errors(direct(verb, c))).not.toEqual([]);
    }
  });
});
