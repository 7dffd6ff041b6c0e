/**
 * The TwiML validator rules (`twimlRules`) on the generic engine: every published sample of the
 * three references passes, and what the grammar forbids is an error with its path and section;
 * the documented alternative forms are warnings.
 *
 * Spec: `docs/providers/twilio.md §5.1 Document rules`, `docs/providers/twilio.md §5.2 Nesting`,
 * `docs/providers/twilio.md §8 Ambiguities`, `docs/providers/telnyx.md §5.2 Verb support`,
 * `docs/providers/signalwire.md §5.2 Verbs and nouns`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TWIML_SPEC_FILES, type TwimlDialect } from '../../../src/providers/twiml/grammar';
import { twimlRules } from '../../../src/providers/twiml/validate';
import { runRules } from '../../../src/validate/engine';
import type { Problem } from '../../../src/validate/types';

function problems(dialect: TwimlDialect, xml: string): Problem[] {
  return [...runRules(twimlRules(dialect, dialect, TWIML_SPEC_FILES[dialect]), xml, {}).problems];
}

const errors = (dialect: TwimlDialect, xml: string) =>
  problems(dialect, xml).filter((problem) => problem.severity === 'error');

const doc = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe.each([
  ['twilio', 'twilio.json'],
  ['telnyx', 'telnyx.json'],
  ['signalwire', 'signalwire.json'],
] as const)('%s: the published samples', (dialect, file) => {
  const fixture = JSON.parse(
    readFileSync(join(__dirname, '../../data/providers', file), 'utf8'),
  ) as { responses: { id: string; xml: string }[] };
  test.each(fixture.responses.map((response) => [response.id, response.xml]))(
    '%s has no error',
    (_id, xml) => {
      expect(errors(dialect, xml)).toEqual([]);
    },
  );
});

describe('errors: what the builders refuse', () => {
  test.each([
    ['twilio', '<Gather numDigits="0"/>', 'out-of-range', '/Response/Gather[1]/@numDigits'],
    ['telnyx', '<Pause length="181"/>', 'out-of-range', '/Response/Pause[1]/@length'],
    [
      'twilio',
      '<Dial><Conference>a</Conference><Number>+1</Number></Dial>',
      'twiml.dial-nouns',
      '/Response/Dial[1]/Number[1]',
    ],
    [
      'twilio',
      '<Dial>+1555<Number>+1</Number></Dial>',
      'twiml.text-and-children',
      '/Response/Dial[1]/Number[1]',
    ],
    ['twilio', '<Dial/>', 'missing-child', '/Response/Dial[1]'],
    ['twilio', '<Hangup>bye</Hangup>', 'unexpected-text', '/Response/Hangup[1]'],
    [
      'twilio',
      '<Play digits="1">https://example.com/a.mp3</Play>',
      'twiml.text-and-attribute',
      '/Response/Play[1]',
    ],
    [
      'twilio',
      '<Gather><Dial>+1</Dial></Gather>',
      'misplaced-element',
      '/Response/Gather[1]/Dial[1]',
    ],
    ['telnyx', '<Gather method="GET"/>', 'unknown-attribute', '/Response/Gather[1]/@method'],
    ['telnyx', '<Pay/>', 'unknown-element', '/Response/Pay[1]'],
    ['twilio', '<Gather input="dtmf,speech"/>', 'bad-enum', '/Response/Gather[1]/@input'],
    ['twilio', '<Say loop="-1">x</Say>', 'out-of-range', '/Response/Say[1]/@loop'],
    ['twilio', '<say>x</say>', 'unknown-element', '/Response/say[1]'],
    ['signalwire', '<Denoise>loud</Denoise>', 'bad-enum', '/Response/Denoise[1]'],
    ['twilio', '<Number>+1</Number>', 'misplaced-element', '/Response/Number[1]'],
  ] as const)('%s %s → %s', (dialect, body, code, path) => {
    expect(
      errors(dialect, doc(body)).map((problem) => [problem.code, problem.path]),
    ).toContainEqual([code, path]);
  });

  test('a verb of another dialect names the dialects that have it', () => {
    const [problem] = errors('telnyx', doc('<Pay/>'));
    expect(problem?.message).toContain('<Pay> is Twilio and SignalWire');
    expect(problem?.spec).toBe('docs/providers/telnyx.md §5.2 Verb support');
  });

  test('a range error cites the dialect’s section', () => {
    const [problem] = errors('telnyx', doc('<Pause length="181"/>'));
    expect(problem?.message).toBe('<Pause> length must be from 1 to 180 seconds, got "181"');
    expect(problem?.spec).toContain('docs/providers/telnyx.md §5.3 Attributes, defaults, units');
  });
});

describe('warnings: documented alternative forms', () => {
  test('<Dial record="true"> is the legacy spelling (Twilio, SignalWire; an error in TeXML)', () => {
    const codes = (dialect: TwimlDialect) =>
      problems(dialect, doc('<Dial record="true"><Number>+1</Number></Dial>')).map((problem) => [
        problem.severity,
        problem.code,
      ]);
    expect(codes('signalwire')).toEqual([['warning', 'legacy']]);
    expect(codes('twilio')).toEqual([['warning', 'legacy']]);
    expect(codes('telnyx')).toEqual([['error', 'bad-enum']]);
  });

  test('<Queue> and <Prompt> at the top: written by twilio-node, documented inside Dial and Pay', () => {
    const found = problems('twilio', doc('<Queue>support</Queue><Prompt><Say>x</Say></Prompt>'));
    expect(found.map((problem) => [problem.severity, problem.code, problem.path])).toEqual([
      ['warning', 'undocumented', '/Response/Queue[1]'],
      ['warning', 'undocumented', '/Response/Prompt[1]'],
    ]);
  });

  test('verbs after <Hangup> never run', () => {
    const found = problems('twilio', doc('<Say>a</Say><Hangup/><Say>b</Say><Pause/>'));
    expect(found.map((problem) => [problem.severity, problem.code, problem.path])).toEqual([
      ['warning', 'twiml.unreachable', '/Response/Say[2]'],
    ]);
  });

  test('a <Say> text over 4,000 characters (Twilio) and 4,096 (SignalWire)', () => {
    const codes = (dialect: TwimlDialect, length: number) =>
      problems(dialect, doc(`<Say>${'a'.repeat(length)}</Say>`)).map((problem) => [
        problem.severity,
        problem.code,
      ]);
    expect(codes('twilio', 4000)).toEqual([]);
    expect(codes('twilio', 4001)).toEqual([['warning', 'twiml.say-length']]);
    expect(codes('signalwire', 4096)).toEqual([]);
    expect(codes('signalwire', 4097)).toEqual([['warning', 'twiml.say-length']]);
    expect(codes('telnyx', 5000)).toEqual([]);
  });

  test('Telnyx AIGather is accepted unchecked, with a warning', () => {
    const found = problems(
      'telnyx',
      doc('<AIGather action="/x"><Greeting>Hi</Greeting></AIGather>'),
    );
    expect(found.map((problem) => [problem.severity, problem.code])).toEqual([
      ['warning', 'undocumented'],
    ]);
  });
});
