/**
 * Every documented answer document of the shared fixtures validates without errors. The
 * warnings each one gets are listed here with the reason the spec gives for them. The Ozeki
 * `ozeki.api-response.*` entries are HTTP API command responses, which Ozeki sends, not OzML
 * answers a webhook returns: they are refused with one explaining problem.
 */
import { VALIDATE_PROVIDERS, validateAnswer, type ValidateProvider } from '../../src/validate';
import { loadFixtures } from '../helpers/fixtures';

const PROVIDERS: readonly ValidateProvider[] = VALIDATE_PROVIDERS;

/** Fixture id → the warning codes expected, and why (spec section). */
const EXPECTED_WARNINGS: Readonly<Record<string, { codes: string[]; why: string }>> = {
  'placetel.queue-legacy': {
    codes: ['legacy'],
    why: 'queue_id is the 2017–2024 attribute; its current acceptance is unknown (placetel.md §3.3, §8.6)',
  },
  'ozeki.reply.incoming-call': {
    codes: ['undocumented'],
    why: "enteredUrl appears only in Ozeki's sample, in no parameter table (ozeki.md §5.6, §7.6)",
  },
  'signalwire.cxml.dial-record-true': {
    codes: ['legacy'],
    why: 'record="true" is the legacy spelling of record-from-answer, written by SignalWire\'s own sample (signalwire.md §5.2)',
  },
};

const API_RESPONSE = 'ozeki.api-response.';

describe.each(PROVIDERS)('documented %s answers', (provider) => {
  const { responses } = loadFixtures(provider);
  const answers = responses.filter((fixture) => !fixture.id.startsWith(API_RESPONSE));

  test('there are documented answers', () => {
    expect(answers.length).toBeGreaterThan(5);
  });

  test.each(answers.map((fixture) => [fixture.id, fixture.xml] as const))(
    '%s validates without errors',
    (id, xml) => {
      const result = validateAnswer(provider, xml);
      expect(result.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
      expect(result.valid).toBe(true);
      const warnings = result.problems.map((problem) => problem.code);
      expect(warnings).toEqual(EXPECTED_WARNINGS[id]?.codes ?? []);
    },
  );
});

describe('Ozeki HTTP API command responses', () => {
  const envelopes = loadFixtures('ozeki').responses.filter((fixture) =>
    fixture.id.startsWith(API_RESPONSE),
  );

  test.each(envelopes.map((fixture) => [fixture.id, fixture.xml] as const))(
    '%s is explained as not an OzML answer',
    (_id, xml) => {
      const result = validateAnswer('ozeki', xml);
      expect(result.valid).toBe(false);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({
        code: 'ozeki.api-envelope',
        path: '/Response/Code[1]',
        spec: 'docs/providers/ozeki.md §1.1 Command response envelope',
      });
    },
  );
});
