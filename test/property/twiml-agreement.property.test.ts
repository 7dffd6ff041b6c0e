/**
 * Property: the TwiML builders and the validator agree, per dialect (one grammar,
 * `src/providers/twiml/grammar.ts`). For generated answers — every verb and noun of the dialect,
 * every attribute with valid values and near misses (range edges on both sides, fractions,
 * foreign enum values, empty or foreign list items, blank text, unknown options and options of
 * the other dialects), content missing or extra (text where none is allowed, none where it is
 * needed, text and nouns together, `<Conference>` mixed with other nouns, 11 parties, children
 * that belong elsewhere or to another dialect) — the builders accept exactly when the
 * validator finds no error in the document written from the same input without checks (each
 * option as the attribute of its grammar name, arrays joined with a space). When the builders
 * accept, the document they render has no error either.
 *
 * Inputs are in the builders' typed domain (numbers, booleans, arrays, strings); element texts
 * have no surrounding whitespace (the validator reads texts trimmed, as indented documents
 * write them).
 */
import fc from 'fast-check';
import { renderTwiml, twimlBuilders } from '../../src/providers/twiml/builders';
import {
  childrenIn,
  elementIn,
  TWIML_DIALECTS,
  TWIML_SPEC_FILES,
  type TwimlDialect,
  type TwimlElementFact,
} from '../../src/providers/twiml/grammar';
import { twimlRules } from '../../src/providers/twiml/validate';
import { runRules } from '../../src/validate/engine';
import {
  attemptResponse,
  naiveXml,
  responseArb,
  verbArb,
  type Spec,
} from '../providers/twiml/arbitraries';

const RUNS = 100;

const resolveAction = (ref: { name: string }): string => `https://example.com/actions/${ref.name}`;

function errorsOf(dialect: TwimlDialect, xml: string): string[] {
  return runRules(twimlRules(dialect, dialect, TWIML_SPEC_FILES[dialect]), xml, {})
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.code} ${problem.path}: ${problem.message}`);
}

function agree(dialect: TwimlDialect, verbs: readonly Spec[]): void {
  const builders = twimlBuilders(dialect, dialect);
  const built = attemptResponse(builders, verbs);
  const xml = naiveXml(verbs);
  const found = errorsOf(dialect, xml);
  const accepted = built !== undefined;
  expect({ xml, accepted, errors: accepted ? found : found.length > 0 }).toEqual({
    xml,
    accepted,
    errors: accepted ? [] : true,
  });
  if (built !== undefined) {
    const rendered = renderTwiml(built, { resolveAction });
    expect({ rendered, errors: errorsOf(dialect, rendered) }).toEqual({ rendered, errors: [] });
  }
}

describe.each(TWIML_DIALECTS)('%s: builders accept ⇔ validator finds no error', (dialect) => {
  const settings = { dialect, misses: true, refs: true } as const;

  test('generated responses', () => {
    fc.assert(
      fc.property(responseArb(settings), (verbs) => agree(dialect, verbs)),
      { numRuns: RUNS },
    );
  });

  const root = elementIn('Response', dialect) as TwimlElementFact;
  test.each(childrenIn(root, dialect))('<%s> and what it holds', (verb) => {
    fc.assert(
      fc.property(verbArb(verb, settings), (spec) => agree(dialect, [spec])),
      { numRuns: 40 },
    );
  });

  test('valid inputs are accepted', () => {
    fc.assert(
      fc.property(responseArb({ dialect, misses: false, refs: true }), (verbs) => {
        expect(attemptResponse(twimlBuilders(dialect, dialect), verbs)).toBeDefined();
        agree(dialect, verbs);
      }),
      { numRuns: 50 },
    );
  });
});
