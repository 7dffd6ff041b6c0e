/**
 * XML comparison for tests: two documents are equal when their element trees are — the XML
 * declaration, whitespace-only text between elements and attribute order do not matter;
 * element order, names, attributes and text do (shared/fixtures/README.md).
 */
import { create } from 'xmlbuilder2';

/** A canonical, JSON-comparable form of an element. */
export interface CanonicalElement {
  name: string;
  attributes: Record<string, string>;
  children: (CanonicalElement | { text: string })[];
}

interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<DomNode>;
  attributes?: ArrayLike<{ name: string; value: string }>;
}

function canonical(node: DomNode): CanonicalElement {
  const attributes: Record<string, string> = {};
  const list = Array.from(node.attributes ?? []).sort((a, b) => a.name.localeCompare(b.name));
  for (const attribute of list) attributes[attribute.name] = attribute.value;
  const children: CanonicalElement['children'] = [];
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === 1) children.push(canonical(child));
    else if (child.nodeType === 3 || child.nodeType === 4) {
      const text = child.nodeValue ?? '';
      if (text.trim() !== '') children.push({ text });
    }
  }
  return { name: node.nodeName, attributes, children };
}

/** Parses an XML document into its canonical element tree (throws on malformed XML). */
export function canonicalXml(xml: string): CanonicalElement {
  const root = create(xml).root().node as unknown as DomNode;
  return canonical(root);
}
