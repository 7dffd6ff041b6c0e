/**
 * decodeForm: its split fast path decodes every form exactly as `URLSearchParams` does (the
 * WHATWG rules, first value of a repeated name), including `+`, escapes, malformed escapes,
 * empty parts and names without `=`; refusals (not UTF-8, too many fields) stay.
 */
import fc from 'fast-check';
import { decodeForm, MAX_FIELDS } from '../../src/core/body';

/** The reference: URLSearchParams, the first value of a repeated name. */
function reference(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(text)) if (!(key in fields)) fields[key] = value;
  return fields;
}

const pieces = fc.constantFrom(
  'a',
  'b',
  'call_id',
  '=',
  '&',
  '+',
  '%',
  '%2B',
  '%20',
  '%3D',
  '%26',
  '%41',
  '%C3%A4',
  '%E2%82%AC',
  '%ZZ',
  '%4',
  'ä',
  '€',
  '0151',
  '__proto__',
  'constructor',
  ' ',
);

describe('decodeForm', () => {
  test('decodes any form as URLSearchParams does', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        let expected: Record<string, string> | undefined;
        try {
          expected = reference(text);
        } catch {
          return;
        }
        let decoded: Record<string, string>;
        try {
          decoded = decodeForm(text);
        } catch (error) {
          // Only a refusal of escapes that are not UTF-8 (e.g. a lone `%C3` before `%ZZ`).
          expect((error as { code?: string }).code).toBe('CC_ERR_BODY_INVALID');
          return;
        }
        expect({ ...decoded }).toEqual({ ...expected });
        expect(Object.getPrototypeOf(decoded)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  test.each([
    ['a=1&&b=2&', { a: '1', b: '2' }],
    ['a=1&a=2', { a: '1' }],
    ['a', { a: '' }],
    ['=x', { '': 'x' }],
    ['a=b=c', { a: 'b=c' }],
    ['from=%2B4922129191999&to=0221+2919', { from: '+4922129191999', to: '0221 2919' }],
    ['a=%ZZ%41&b=%41', { a: '%ZZA', b: 'A' }],
    ['__proto__=x', { ['__proto__']: 'x' }],
  ])('%s', (text, expected) => {
    const decoded = decodeForm(text);
    expect(Object.entries(decoded)).toEqual(Object.entries(expected));
  });

  test('refuses escapes that are not UTF-8 and more than MAX_FIELDS fields', () => {
    expect(() => decodeForm('a=%FF')).toThrow(
      expect.objectContaining({ code: 'CC_ERR_BODY_INVALID' }),
    );
    const many = Array.from({ length: MAX_FIELDS + 1 }, (_, i) => `f${i}=1`).join('&');
    expect(() => decodeForm(many)).toThrow(
      expect.objectContaining({ code: 'CC_ERR_BODY_TOO_MANY_FIELDS' }),
    );
    const allowed = Array.from({ length: MAX_FIELDS }, (_, i) => `f${i}=1`).join('&');
    expect(Object.keys(decodeForm(allowed))).toHaveLength(MAX_FIELDS);
  });
});
