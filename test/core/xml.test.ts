import { CallControlError, assertXmlText, renderXml } from '../../src';
import { canonicalXml } from '../helpers/xml';

describe('renderXml', () => {
  test('renders a declaration, attributes in order, nested elements and text', () => {
    const xml = renderXml({
      name: 'Response',
      children: [{ name: 'A', attributes: { z: '1', a: '2' }, children: ['text', { name: 'B' }] }],
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><A z="1" a="2">text<B/></A></Response>',
    );
  });

  test('omits the declaration on request', () => {
    expect(renderXml({ name: 'Response' }, { declaration: false })).toBe('<Response/>');
  });

  test('escapes markup in text and attributes', () => {
    const hostile = `</Number><Hangup/>&"'<>`;
    const xml = renderXml({ name: 'N', attributes: { v: hostile }, children: [hostile] });
    expect(canonicalXml(xml)).toEqual({
      name: 'N',
      attributes: { v: hostile },
      children: [{ text: hostile }],
    });
  });

  test.each([
    '&lt;',
    '&amp;',
    '&#60;',
    '&#x41;',
    '&nbsp;',
    'a & b; c',
    'a\rb',
    'a\r\nb',
    'a\tb\nc',
  ])('text and attributes read back exactly, entity-shaped or with line breaks: %j', (value) => {
    const xml = renderXml({ name: 'N', attributes: { a: value }, children: [`x${value}`] });
    expect(canonicalXml(xml)).toEqual({
      name: 'N',
      attributes: { a: value },
      children: [{ text: `x${value}` }],
    });
  });

  test('keeps characters outside the BMP and non-ASCII text', () => {
    const xml = renderXml({ name: 'N', children: ['Grüße 😀'] });
    expect(canonicalXml(xml).children).toEqual([{ text: 'Grüße 😀' }]);
  });

  test.each(['\u0000', '\u0001', '\u001F', '\uFFFE', '\uFFFF', '\uD800', 'a\uDC00b'])(
    'refuses a character XML cannot carry (%j)',
    (bad) => {
      expect(() => renderXml({ name: 'N', children: [bad] })).toThrow(CallControlError);
      expect(() => renderXml({ name: 'N', attributes: { a: bad } })).toThrow(
        expect.objectContaining({ code: 'CC_ERR_ANSWER_INVALID' }),
      );
      expect(() => assertXmlText(bad, 'x')).toThrow(/character XML cannot carry/);
    },
  );

  test('accepts tab, line feed and carriage return', () => {
    expect(() => assertXmlText('a\tb\nc\rd', 'x')).not.toThrow();
  });

  // @xmldom/xmldom (and any parser applying XML 1.1's end-of-line rules) reads a raw NEL,
  // LINE SEPARATOR or PARAGRAPH SEPARATOR as LF, and as a space in an attribute.
  test.each(['a\u0085', '\u2028b', 'a\u2029b', 'a\r\u0085b', '&#133;\u2028'])(
    'writes line-break characters as references, so %j comes back exactly',
    (text) => {
      const xml = renderXml({ name: 'N', attributes: { a: text }, children: [text] });
      expect(xml).not.toMatch(/[\u0085\u2028\u2029]/);
      expect(canonicalXml(xml)).toEqual({
        name: 'N',
        attributes: { a: text },
        children: [{ text }],
      });
    },
  );
});
