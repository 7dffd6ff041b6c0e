/**
 * The one XML serializer of callcontrol: a plain element tree in, a well-formed document out.
 *
 * Every provider's answer builders produce {@link XmlElement} trees; only this module turns
 * them into text (through xmlbuilder2), so escaping is done in one place. Strings that XML 1.0
 * cannot carry at all (control characters, lone surrogates) are refused with a coded error
 * rather than emitted, see {@link assertXmlText}.
 *
 * @module
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { CallControlError } from './errors';

/**
 * One XML element: a name, attributes in output order, and children (elements or text).
 * Attribute values and text are plain strings; escaping happens when rendered.
 */
export interface XmlElement {
  /** The element name as the provider spells it, e.g. `'Forward'`. */
  readonly name: string;
  /** Attribute names and their unescaped values, written in this order. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Child elements and unescaped text, in document order. */
  readonly children?: readonly (XmlElement | string)[];
}

/** Options of {@link renderXml}. */
export interface RenderXmlOptions {
  /** Emit `<?xml version="1.0" encoding="UTF-8"?>` first. Default `true`. */
  declaration?: boolean;
}

/**
 * Characters outside the XML 1.0 `Char` production (https://www.w3.org/TR/xml/#charsets):
 * C0 controls other than tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
 */
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u;

/**
 * Throws `CC_ERR_ANSWER_INVALID` when `value` holds a character XML 1.0 cannot carry.
 *
 * @param value - the string that will become text or an attribute value
 * @param what - how the error message names the value, e.g. `'forward: target number'`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID`
 */
export function assertXmlText(value: string, what: string): void {
  // With the `u` flag a valid surrogate pair is one code point, so only lone surrogates match.
  const match = INVALID_XML_CHAR.exec(value);
  if (match !== null) {
    const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw new CallControlError(
      'CC_ERR_ANSWER_INVALID',
      `${what}: contains U+${code}, a character XML cannot carry`,
    );
  }
}

/**
 * Prepares a string for xmlbuilder2 so that a parser reads back exactly the characters given.
 *
 * - xmlbuilder2 leaves an `&` that starts something entity-shaped (`&lt;`, `&foo;`, `&#60;`)
 *   as it is (oozcitak/xmlbuilder2 issues #105, #110): handler text `&lt;` would come out as
 *   `<`, and `&foo;` as an undefined entity. Every `&` is written as `&amp;` first, which
 *   xmlbuilder2 then keeps.
 * - xmlbuilder2 writes CR, and in attributes TAB and LF, as raw bytes, which parsers normalise
 *   (CR to LF; in attributes all three to a space; https://www.w3.org/TR/xml/#AVNormalize).
 *   They are written as decimal character references, which xmlbuilder2 also keeps.
 * - NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) are line breaks to
 *   parsers that apply XML 1.1's end-of-line rules (https://www.w3.org/TR/xml11/#sec-line-ends),
 *   as @xmldom/xmldom does to every document: raw, they come back as LF (in attributes: a
 *   space). Character references are never normalised, so they are written as references too.
 *
 * `<`, `>` and `"` are left to xmlbuilder2.
 */
function forText(value: string): string {
  return /[&\r\u0085\u2028\u2029]/.test(value)
    ? lineBreaksAsReferences(value.replace(/&/g, '&amp;').replace(/\r/g, '&#13;'))
    : value;
}

function forAttribute(value: string): string {
  return /[&\t\n\r\u0085\u2028\u2029]/.test(value)
    ? lineBreaksAsReferences(
        value
          .replace(/&/g, '&amp;')
          .replace(/\t/g, '&#9;')
          .replace(/\n/g, '&#10;')
          .replace(/\r/g, '&#13;'),
      )
    : value;
}

/** NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as character references (after `&` was escaped). */
function lineBreaksAsReferences(value: string): string {
  return value.replace(/[\u0085\u2028\u2029]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function append(parent: XMLBuilder, element: XmlElement): void {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(element.attributes ?? {})) {
    attributes[name] = forAttribute(value);
  }
  const node = parent.ele(element.name, attributes);
  for (const child of element.children ?? []) {
    if (typeof child === 'string') node.txt(forText(child));
    else append(node, child);
  }
}

/**
 * Renders an element tree as an XML document string (UTF-8 declared, no pretty-printing).
 *
 * Text and attribute values are escaped (`<`, `>`, `&`, `"`), so a handler string such as
 * `</Number><Hangup/>` stays text. Values are expected to have passed {@link assertXmlText}
 * (the builders do that when an answer is built); the serializer checks again and throws
 * rather than emit a document that is not well-formed.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a character XML cannot carry
 */
export function renderXml(root: XmlElement, options: RenderXmlOptions = {}): string {
  checkTree(root);
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  append(doc, root);
  return doc.end({ headless: options.declaration === false, prettyPrint: false });
}

function checkTree(element: XmlElement): void {
  for (const [name, value] of Object.entries(element.attributes ?? {})) {
    assertXmlText(value, `<${element.name} ${name}>`);
  }
  for (const child of element.children ?? []) {
    if (typeof child === 'string') assertXmlText(child, `<${element.name}> text`);
    else checkTree(child);
  }
}

/**
 * Replaces every character XML cannot carry with U+FFFD, for text that must be emitted
 * whatever it holds (error messages that quote request data).
 */
export function sanitizeXmlText(value: string): string {
  return value.replace(new RegExp(INVALID_XML_CHAR.source, 'gu'), '\uFFFD');
}
