/**
 * XML documents as the test kit compares them: parsed with an independent parser
 * (@xmldom/xmldom, not the serializer under test) into a canonical element tree, and printed
 * back indented for assertion messages.
 *
 * Two documents are equal when their canonical trees are: the XML declaration, whitespace-only
 * text between elements and the order of attributes do not matter; element order, names,
 * attribute values and text (exactly, whitespace included) do.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { Element, Node } from '@xmldom/xmldom';
import { xmldom } from '../core/xmldom';
import type { XmlElement } from '../core/xml';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

function canonical(element: Element): XmlElement {
  const attributes: Record<string, string> = {};
  const list = Array.from(
    element.attributes,
    (attribute) => [attribute.name, attribute.value] as const,
  ).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of list) attributes[name] = value;
  const children: (XmlElement | string)[] = [];
  for (let i = 0; i < element.childNodes.length; i++) {
    const child = element.childNodes[i] as Node;
    if (child.nodeType === ELEMENT_NODE) children.push(canonical(child as Element));
    else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
      const text = child.nodeValue ?? '';
      const last = children.length - 1;
      // Adjacent text and CDATA nodes are one piece of text.
      if (last >= 0 && typeof children[last] === 'string') children[last] += text;
      else children.push(text);
    }
  }
  return {
    name: element.nodeName,
    attributes,
    children: children.filter((child) => typeof child !== 'string' || child.trim() !== ''),
  };
}

/**
 * Parses an XML document into its canonical element tree: attributes sorted by name, adjacent
 * text and CDATA joined, whitespace-only text dropped.
 *
 * @throws {TypeError} for text that is not a well-formed XML document (the parser's reason in
 *   the message)
 */
export function parseXml(xml: string): XmlElement {
  let failure: string | undefined;
  const { DOMParser } = xmldom();
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') failure ??= message;
    },
  });
  let root: Element | null = null;
  try {
    root = parser.parseFromString(xml, 'application/xml').documentElement;
  } catch (error) {
    failure ??= error instanceof Error ? error.message : String(error);
  }
  if (failure !== undefined || root === null) {
    throw new TypeError(`Not a well-formed XML document: ${failure ?? 'no root element'}`);
  }
  return canonical(root);
}

/** Whether two canonical trees (see {@link parseXml}) are the same document. */
export function xmlTreesEqual(a: XmlElement, b: XmlElement): boolean {
  return isDeepStrictEqual(a, b);
}

function escape(value: string, quote: boolean): string {
  const text = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return quote ? text.replace(/"/g, '&quot;') : text;
}

/**
 * Prints an element tree indented by two spaces per level, one element per line (an element
 * holding only text on one line), for assertion messages and diffs.
 */
export function formatXml(element: XmlElement, indent = ''): string {
  const attributes = Object.entries(element.attributes ?? {})
    .map(([name, value]) => ` ${name}="${escape(value, true)}"`)
    .join('');
  const children = element.children ?? [];
  const open = `${indent}<${element.name}${attributes}`;
  if (children.length === 0) return `${open}/>`;
  if (children.every((child) => typeof child === 'string')) {
    return `${open}>${escape(children.join(''), false)}</${element.name}>`;
  }
  const inner = children.map((child) =>
    typeof child === 'string'
      ? `${indent}  ${escape(child, false)}`
      : formatXml(child, `${indent}  `),
  );
  return `${open}>\n${inner.join('\n')}\n${indent}</${element.name}>`;
}
