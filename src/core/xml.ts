/**
 * The one XML serializer of callcontrol: a plain element tree in, a well-formed document out.
 *
 * Every provider's answer builders produce {@link XmlElement} trees; only this module turns
 * them into text (checked and escaped while written, in one pass), so escaping is done in one
 * place. Strings that XML 1.0
 * cannot carry at all (control characters, lone surrogates) are refused with a coded error
 * rather than emitted, see {@link assertXmlText}.
 *
 * @module
 */
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

/**
 * Freezes an element tree (attributes, children, child elements) in place and returns it, so an
 * answer built from it cannot change afterwards. Used by every provider's builders.
 */
export function freezeXmlElement(element: XmlElement): XmlElement {
  if (element.attributes !== undefined) Object.freeze(element.attributes);
  if (element.children !== undefined) {
    for (const child of element.children) if (typeof child !== 'string') freezeXmlElement(child);
    Object.freeze(element.children);
  }
  return Object.freeze(element);
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

/** Text content: `&`, `<` and `>` as entities; CR, NEL, LS and PS as character references. */
function escapeText(value: string): string {
  return /[&<>\r\u0085\u2028\u2029]/.test(value)
    ? value
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/[\r\u0085\u2028\u2029]/g, (char) => `&#${char.charCodeAt(0)};`)
    : value;
}

/** An attribute value: as text, plus `"` and `'`, and TAB and LF as character references. */
function escapeAttribute(value: string): string {
  return /[&<>"'\t\n\r\u0085\u2028\u2029]/.test(value)
    ? value
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&apos;')
        .replace(/[\t\n\r\u0085\u2028\u2029]/g, (char) => `&#${char.charCodeAt(0)};`)
    : value;
}

// Every character that is escaped is escaped here, once, so a parser reads back exactly the
// characters given:
// - `&` always (entity-shaped text such as `&lt;` stays literal);
// - CR, and in attributes also TAB and LF, as character references, because parsers normalise
//   them raw (CR to LF; in attributes all three to a space,
//   https://www.w3.org/TR/xml/#AVNormalize);
// - NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) as references too:
//   parsers that apply XML 1.1's end-of-line rules (https://www.w3.org/TR/xml11/#sec-line-ends),
//   as @xmldom/xmldom does, read them raw as LF. References are never normalised.
// The structure is written here, straight to a string: a four-element answer needs no
// document model nor an option-driven builder (fast-xml-parser's builder, used before, took
// about three times as long per answer; see docs/performance.md). Empty elements are written
// self-closed (`<Response/>`), attributes in their given order, no whitespace between elements.

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * One element as text, checked while written: names, then each attribute, then the children
 * in document order (the first bad one throws, as a check of the whole tree first would).
 */
function writeElement(element: XmlElement): string {
  checkName(element.name, 'element name');
  let xml = `<${element.name}`;
  const attributes = element.attributes;
  if (attributes !== undefined) {
    for (const name of Object.keys(attributes)) {
      const value = String(attributes[name]);
      checkName(name, `<${element.name}> attribute name`);
      assertXmlText(value, `<${element.name} ${name}>`);
      xml += ` ${name}="${escapeAttribute(value)}"`;
    }
  }
  const children = element.children;
  if (children === undefined || children.length === 0) return `${xml}/>`;
  let inner = '';
  for (const child of children) {
    if (typeof child === 'string') {
      assertXmlText(child, `<${element.name}> text`);
      inner += escapeText(child);
    } else {
      inner += writeElement(child);
    }
  }
  return inner === '' ? `${xml}/>` : `${xml}>${inner}</${element.name}>`;
}

/**
 * Renders an element tree as an XML document string (UTF-8 declared, no pretty-printing).
 *
 * Text and attribute values are escaped (`<`, `>`, `&`, `"`), so a handler string such as
 * `</Number><Hangup/>` stays text. Values are expected to have passed {@link assertXmlText}
 * (the builders do that when an answer is built); the serializer checks again and throws
 * rather than emit a document that is not well-formed.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a character XML cannot carry, or an
 *   element or attribute name that is not an XML name
 */
export function renderXml(root: XmlElement, options: RenderXmlOptions = {}): string {
  const body = writeElement(root);
  return options.declaration === false ? body : DECLARATION + body;
}

/** Element and attribute names callcontrol writes: ASCII XML names. */
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?$/;

function checkName(name: string, what: string): void {
  if (!XML_NAME.test(name)) {
    throw new CallControlError('CC_ERR_ANSWER_INVALID', `${what} "${name}" is not an XML name`);
  }
}

/**
 * Replaces every character XML cannot carry (see {@link assertXmlText}) with `replacement`,
 * U+FFFD by default, for text that must be emitted whatever it holds (error messages that
 * quote request data); `''` removes them (text read out by text-to-speech).
 */
export function sanitizeXmlText(value: string, replacement = '\uFFFD'): string {
  return value.replace(new RegExp(INVALID_XML_CHAR.source, 'gu'), () => replacement);
}
