/**
 * The sipgate.io answer rules (`src/providers/sipgate/validate.ts`):
 * docs/providers/sipgate.md §4. Every documented answer of the fixtures validates without a
 * problem; targeted invalid documents give the expected problem code, path, severity and spec
 * section; the tolerated forms pass with a warning.
 */
import { validateAnswer } from '../../src/validate';
import type { Problem } from '../../src/validate/types';
import { loadFixtures } from '../helpers/fixtures';

const validate = (xml: string) => validateAnswer('sipgate', xml);
const problems = (xml: string): Problem[] => validate(xml).problems;
const inResponse = (body: string): string => `<Response>${body}</Response>`;

function only(xml: string): Problem {
  const found = problems(xml);
  expect(found).toHaveLength(1);
  return found[0] as Problem;
}

const URL = 'https://example.com/sipgate';

describe('documented sipgate answers', () => {
  const { responses } = loadFixtures('sipgate');

  test('there are documented answers', () => {
    expect(responses.length).toBeGreaterThan(10);
  });

  test.each(responses.map((fixture) => [fixture.id, fixture.xml] as const))(
    '%s validates without a problem',
    (_id, xml) => {
      expect(problems(xml)).toEqual([]);
      expect(validate(xml).valid).toBe(true);
    },
  );

  test('the §7 caller-id example as published, with its comment inside <Dial>', () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Response>',
      '\t<Dial callerId="492111234567">',
      '\t\t<!-- Originally dialed number, extracted from POST request -->',
      '\t\t<Number>4915799912345</Number>',
      '\t</Dial>',
      '</Response>',
    ].join('\n');
    expect(problems(xml)).toEqual([]);
  });
});

describe('invalid sipgate answers', () => {
  test.each([
    // §4.1
    ['<Answer/>', 'root-element', '/Answer', '§4.1 <Response>'],
    ['<Response onData="https://x.example"/>', 'unknown-attribute', '/Response/@onData', '§4.1'],
    ['<Response onAnswer="/answer"/>', 'bad-format', '/Response/@onAnswer', '§4.1 <Response>'],
    ['<Response onHangup=""/>', 'bad-format', '/Response/@onHangup', '§4.1 <Response>'],
    ['<Response>hello</Response>', 'unexpected-text', '/Response', '§4.1 <Response>'],
    // §4.2
    [inResponse('<Dial/>'), 'missing-child', '/Response/Dial[1]', '§4.2 <Dial>'],
    [
      inResponse('<Dial><Number>491</Number><Voicemail/></Dial>'),
      'sipgate.dial-targets',
      '/Response/Dial[1]/Voicemail[1]',
      '§4.2 <Dial>',
    ],
    [
      inResponse(`<Dial>${'<Number>491</Number>'.repeat(6)}</Dial>`),
      'sipgate.dial-targets',
      '/Response/Dial[1]/Number[6]',
      '§4.2 <Dial>',
    ],
    [
      inResponse('<Dial><Voicemail/><Voicemail/></Dial>'),
      'duplicate',
      '/Response/Dial[1]/Voicemail[2]',
      '§4.2 <Dial>',
    ],
    [inResponse('<Dial><Number/></Dial>'), 'missing-text', '/Response/Dial[1]/Number[1]', '§4.2'],
    [
      inResponse('<Dial><Number>alice@example.com</Number></Dial>'),
      'bad-format',
      '/Response/Dial[1]/Number[1]',
      '§4.2 <Dial>',
    ],
    [
      inResponse(`<Dial><Number>${'1'.repeat(16)}</Number></Dial>`),
      'bad-format',
      '/Response/Dial[1]/Number[1]',
      '§4.2 <Dial>',
    ],
    [
      inResponse('<Dial callerId="Alice"><Number>491</Number></Dial>'),
      'bad-format',
      '/Response/Dial[1]/@callerId',
      '§4.2 <Dial>',
    ],
    [
      inResponse('<Dial anonymous="undefined"><Number>491</Number></Dial>'),
      'bad-boolean',
      '/Response/Dial[1]/@anonymous',
      '§4.2 <Dial>',
    ],
    [
      inResponse('<Dial anonymous="True"><Number>491</Number></Dial>'),
      'bad-boolean',
      '/Response/Dial[1]/@anonymous',
      '§4.2 <Dial>',
    ],
    [
      inResponse('<Dial><Voicemail>now</Voicemail></Dial>'),
      'unexpected-text',
      '/Response/Dial[1]/Voicemail[1]',
      '§4.2 <Dial>',
    ],
    // §4.3
    [inResponse('<Play/>'), 'missing-child', '/Response/Play[1]', '§4.3 <Play>'],
    [
      inResponse(`<Play><Url>${URL}</Url><Url>${URL}</Url></Play>`),
      'duplicate',
      '/Response/Play[1]/Url[2]',
      '§4.3 <Play>',
    ],
    [
      inResponse('<Play><Url>/menu.wav</Url></Play>'),
      'bad-format',
      '/Response/Play[1]/Url[1]',
      '§4.3 <Play>',
    ],
    [
      inResponse(`<Play><Url>${URL}</Url><Number>491</Number></Play>`),
      'misplaced-element',
      '/Response/Play[1]/Number[1]',
      '§4.2 <Dial>',
    ],
    // §4.4
    [inResponse('<Gather/>'), 'missing-attribute', '/Response/Gather[1]', '§4.4 <Gather>'],
    [
      inResponse(`<Gather onData="${URL}" maxDigits="0"/>`),
      'out-of-range',
      '/Response/Gather[1]/@maxDigits',
      '§4.4 <Gather>',
    ],
    [
      inResponse(`<Gather onData="${URL}" timeout="-1"/>`),
      'out-of-range',
      '/Response/Gather[1]/@timeout',
      '§4.4 <Gather>',
    ],
    [
      inResponse(`<Gather onData="${URL}" timeout="1.5"/>`),
      'bad-integer',
      '/Response/Gather[1]/@timeout',
      '§4.4 <Gather>',
    ],
    [
      inResponse(`<Gather onData="${URL}" type="speech"/>`),
      'bad-enum',
      '/Response/Gather[1]/@type',
      '§4.4 <Gather>',
    ],
    [
      inResponse(`<Gather onData="${URL}"><Hangup/></Gather>`),
      'misplaced-element',
      '/Response/Gather[1]/Hangup[1]',
      '§4.6 <Hangup/>',
    ],
    [
      inResponse(
        `<Gather onData="${URL}"><Play><Url>${URL}</Url></Play><Play><Url>${URL}</Url></Play></Gather>`,
      ),
      'duplicate',
      '/Response/Gather[1]/Play[2]',
      '§4.4 <Gather>',
    ],
    [
      inResponse(`<Gather onData="${URL}"><Gather onData="${URL}"/></Gather>`),
      'misplaced-element',
      '/Response/Gather[1]/Gather[1]',
      '§4.4 <Gather>',
    ],
    // §4.5, §4.6
    [inResponse('<Reject reason="declined"/>'), 'bad-enum', '/Response/Reject[1]/@reason', '§4.5'],
    [
      inResponse('<Hangup cause="x"/>'),
      'unknown-attribute',
      '/Response/Hangup[1]/@cause',
      '§4 XML',
    ],
    // §4.7: one action
    [
      inResponse(`<Play><Url>${URL}</Url></Play><Hangup/>`),
      'sipgate.multiple-actions',
      '/Response/Hangup[1]',
      '§4.7 Grammar summary; docs/providers/sipgate.md §11.8',
    ],
    [inResponse('<Url>https://x.example</Url>'), 'misplaced-element', '/Response/Url[1]', '§4.3'],
    [
      inResponse('<dial><Number>491</Number></dial>'),
      'unknown-element',
      '/Response/dial[1]',
      '§4 XML',
    ],
  ])('%s → %s', (xml, code, path, spec) => {
    const problem = only(xml);
    expect(problem).toMatchObject({ code, path, severity: 'error' });
    expect(problem.spec).toContain(`docs/providers/sipgate.md ${spec}`);
    expect(validate(xml).valid).toBe(false);
  });

  test('a misspelt element is pointed to the right name', () => {
    expect(only(inResponse('<dial><Number>491</Number></dial>')).message).toMatch(
      /did you mean <Dial>\?/,
    );
  });

  test('<Say> is explained: sipgate has no text-to-speech', () => {
    const problem = only(inResponse('<Say>Hello</Say>'));
    expect(problem).toMatchObject({
      code: 'unknown-element',
      spec: 'docs/providers/sipgate.md §4.7 Grammar summary',
    });
    expect(problem.message).toMatch(/text-to-speech/);
  });

  test('messages name the elements and values', () => {
    expect(only(inResponse(`<Gather onData="${URL}" maxDigits="0"/>`)).message).toBe(
      '<Gather> maxDigits must be ≥ 1 digits, got "0"',
    );
    expect(only(inResponse('<Dial/>')).message).toBe(
      '<Dial> needs 1 to 5 <Number> elements or one <Voicemail>, got none',
    );
  });

  test('malformed XML and an empty file are problems, never a throw', () => {
    expect(only('<Response><Dial></Response>').code).toBe('xml-malformed');
    expect(only('').code).toBe('xml-empty');
  });
});

describe('tolerated forms (warnings)', () => {
  test.each([
    [inResponse('<Dial><Number>+4915799912345</Number></Dial>'), '/Response/Dial[1]/Number[1]'],
    [
      inResponse('<Dial callerId="+49123456789"><Number>4915799912345</Number></Dial>'),
      '/Response/Dial[1]/@callerId',
    ],
  ])('a "+" before a number is undocumented, a warning: %s', (xml, path) => {
    const result = validate(xml);
    expect(result.valid).toBe(true);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'undocumented',
        severity: 'warning',
        path,
        spec: 'docs/providers/sipgate.md §4.2 <Dial>',
      }),
    ]);
  });

  test("a Gather timeout of 0, as sipgate's own IVR example writes it, is a warning", () => {
    const result = validate(inResponse(`<Gather onData="${URL}" timeout="0"/>`));
    expect(result.valid).toBe(true);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'undocumented',
        severity: 'warning',
        path: '/Response/Gather[1]/@timeout',
        spec: 'docs/providers/sipgate.md §4.4 <Gather>',
      }),
    ]);
  });

  test('no declaration, a lower-case encoding, an empty <Response/>: no problem', () => {
    for (const xml of [
      '<Response/>',
      '<?xml version="1.0" encoding="utf-8"?>\n<Response/>',
      inResponse(`<Gather onData="${URL}" type="dtmf" maxDigits="4" timeout="1"/>`),
    ]) {
      expect(problems(xml)).toEqual([]);
    }
  });
});
