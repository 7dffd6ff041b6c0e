/**
 * XML comparison for tests: two documents are equal when their element trees are — the XML
 * declaration, whitespace-only text between elements and attribute order do not matter;
 * element order, names, attributes and text do (test/data/providers/README.md).
 *
 * Parsing uses @xmldom/xmldom, an independent parser that throws on every error (warnings,
 * such as one about U+FFFD in the text, are not errors), so the serializer under test is never
 * checked by its own parser.
 */
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';

/** A canonical, JSON-comparable form of an element. */
export interface CanonicalElement {
  name: string;
  attributes: Record<string, string>;
  children: (CanonicalElement | { text: string })[];
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

function canonical(element: Element): CanonicalElement {
  const attributes: Record<string, string> = {};
  const list = Array.from(
    element.attributes,
    (attribute) => [attribute.name, attribute.value] as const,
  ).sort(([a], [b]) => a.localeCompare(b));
  for (const [name, value] of list) attributes[name] = value;
  const children: CanonicalElement['children'] = [];
  for (let i = 0; i < element.childNodes.length; i++) {
    const child = element.childNodes[i] as Node;
    if (child.nodeType === ELEMENT_NODE) children.push(canonical(child as Element));
    else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
      const text = child.nodeValue ?? '';
      const last = children[children.length - 1];
      // Adjacent text and CDATA nodes are one piece of text.
      if (last !== undefined && 'text' in last) last.text += text;
      else children.push({ text });
    }
  }
  return {
    name: element.nodeName,
    attributes,
    children: children.filter((child) => !('text' in child) || child.text.trim() !== ''),
  };
}

/** Parses an XML document into its canonical element tree; throws on malformed XML. */
export function canonicalXml(xml: string): CanonicalElement {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`XML ${level}: ${message}`);
    },
  });
  const document = parser.parseFromString(xml, 'application/xml');
  if (document.documentElement === null) throw new Error('XML: no root element');
  return canonical(document.documentElement);
}

/** A canonical element, for `toEqual` against {@link canonicalXml}'s trees. */
export function el(
  name: string,
  attributes: Record<string, string> = {},
  children: CanonicalElement['children'] = [],
): CanonicalElement {
  return { name, attributes, children };
}
