/**
 * The generic validation engine: parses an answer document strictly with @xmldom/xmldom and
 * walks it against one provider's {@link ProviderRules}. It knows nothing about any provider;
 * every rule and spec section comes from the tables in `placetel.ts`, `ozeki.ts`,
 * `voipnow.ts` and `opentact.ts`.
 *
 * Never throws on bad input: an empty file, malformed XML or a DOCTYPE become problems.
 *
 * @module
 */
import type { Element as DomElement, Node as DomNode } from '@xmldom/xmldom';
import { xmldom } from '../core/xmldom';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  Problem,
  ProviderRules,
  Severity,
  ValidateOptions,
  ValidationResult,
  XAttribute,
  XElement,
} from './types';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/** Where the XML syntax rules come from. */
const XML_SPEC = 'XML 1.0 https://www.w3.org/TR/xml/ §2.1 Well-Formed XML Documents';

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
  ) {
    super(message);
  }
}

/** A parsed document, or the problems that stopped parsing. */
type Parsed =
  | { readonly root: XElement; readonly problems: readonly Problem[] }
  | { readonly root: undefined; readonly problems: readonly Problem[] };

interface Locator {
  lineNumber?: number;
  columnNumber?: number;
}

function positiveOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** Removes xmldom's `[xmldom …]` decoration and location suffix from a message. */
function cleanMessage(message: string): string {
  return message
    .replace(/^\[xmldom [a-zA-Z]+\]\t/, '')
    .replace(/\|\|@#\[line:\d+,col:\d+\]$/, '')
    .replace(/\n@#\[line:\d+,col:\d+\]$/, '')
    .trim();
}

/**
 * Parses `xml` strictly: every error and well-formedness warning of xmldom is fatal (the
 * only warning that is not, U+FFFD in the text, is reported as a warning problem).
 */
export function parseDocument(xml: string): Parsed {
  if (xml.replace(/^\uFEFF/, '').trim() === '') {
    return {
      root: undefined,
      problems: [
        {
          code: 'xml-empty',
          message: 'the document is empty: an answer is an XML document with a root element',
          path: '/',
          line: 1,
          column: 1,
          spec: XML_SPEC,
          severity: 'error',
        },
      ],
    };
  }
  const problems: Problem[] = [];
  let locator: Locator = {};
  const { DOMParser } = xmldom();
  const parser = new DOMParser({
    locator: true,
    onError: (level, message, context: unknown) => {
      const where = (context as { locator?: Locator } | undefined)?.locator ?? locator;
      const text = cleanMessage(message);
      if (level === 'warning' && /replacement character/i.test(text)) {
        problems.push({
          code: 'xml-replacement-char',
          message: `${text} (U+FFFD in the text)`,
          path: '/',
          ...lineColumn(where.lineNumber, where.columnNumber),
          spec: XML_SPEC,
          severity: 'warning',
        });
        return;
      }
      throw new SyntaxProblem(
        text,
        positiveOrUndefined(where.lineNumber),
        positiveOrUndefined(where.columnNumber),
      );
    },
  });
  let document;
  try {
    document = parser.parseFromString(xml.replace(/^\uFEFF/, ''), 'text/xml');
  } catch (error) {
    let line: number | undefined;
    let column: number | undefined;
    let message = error instanceof Error ? error.message : String(error);
    if (error instanceof SyntaxProblem) {
      ({ line, column } = error);
    } else if (error instanceof Error) {
      const cause = (error as { cause?: unknown }).cause;
      const where = (error as { locator?: Locator }).locator;
      if (cause instanceof SyntaxProblem) {
        message = cause.message;
        line = cause.line;
        column = cause.column;
      } else if (where !== undefined) {
        line = positiveOrUndefined(where.lineNumber);
        column = positiveOrUndefined(where.columnNumber);
      }
      message = cleanMessage(message.replace(/^Reporting \w+ "(.*)" caused .*$/s, '$1'));
    }
    return {
      root: undefined,
      problems: [
        ...problems,
        {
          code: 'xml-malformed',
          message: `not well-formed XML: ${shorten(message)}`,
          path: '/',
          ...lineColumn(line, column),
          spec: XML_SPEC,
          severity: 'error',
        },
      ],
    };
  }
  locator = {};
  if (document.doctype !== null) {
    return {
      root: undefined,
      problems: [
        ...problems,
        {
          code: 'xml-doctype',
          message: 'a DOCTYPE is not accepted in an answer (no provider documents one)',
          path: '/',
          spec: XML_SPEC,
          severity: 'error',
        },
      ],
    };
  }
  const element = document.documentElement;
  if (element === null) {
    return {
      root: undefined,
      problems: [
        ...problems,
        {
          code: 'xml-malformed',
          message: 'not well-formed XML: no root element',
          path: '/',
          spec: XML_SPEC,
          severity: 'error',
        },
      ],
    };
  }
  return { root: toXElement(element, undefined, `/${element.nodeName}`), problems };
}

function lineColumn(line: unknown, column: unknown): { line?: number; column?: number } {
  const l = positiveOrUndefined(line);
  const c = positiveOrUndefined(column);
  return { ...(l === undefined ? {} : { line: l }), ...(c === undefined ? {} : { column: c }) };
}

function toXElement(element: DomElement, parent: XElement | undefined, path: string): XElement {
  const attributes: XAttribute[] = [];
  for (let i = 0; i < element.attributes.length; i++) {
    const attribute = element.attributes.item(i);
    if (attribute !== null) attributes.push({ name: attribute.name, value: attribute.value });
  }
  const children: XElement[] = [];
  let text = '';
  const counts = new Map<string, number>();
  const located = element as unknown as Locator;
  const self: XElement = {
    name: element.nodeName,
    attributes,
    children,
    get text() {
      return text;
    },
    path,
    line: positiveOrUndefined(located.lineNumber),
    column: positiveOrUndefined(located.columnNumber),
    parent,
  };
  for (let i = 0; i < element.childNodes.length; i++) {
    const child = element.childNodes[i] as DomNode | undefined;
    if (child === undefined) continue;
    if (child.nodeType === ELEMENT_NODE) {
      const name = child.nodeName;
      const index = (counts.get(name) ?? 0) + 1;
      counts.set(name, index);
      children.push(toXElement(child as DomElement, self, `${path}/${name}[${index}]`));
    } else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
      text += child.nodeValue ?? '';
    }
  }
  return self;
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

/** Turns a finding into a problem located at its element (or attribute). */
export function toProblem(finding: Finding, at: XElement): Problem {
  const element = finding.element ?? at;
  return {
    code: finding.code,
    message: finding.message,
    path: finding.attribute === undefined ? element.path : `${element.path}/@${finding.attribute}`,
    ...lineColumn(element.line, element.column),
    spec: finding.spec,
    severity: finding.severity ?? 'error',
  };
}

/** The attribute of `element` named `name` (ignoring case when `insensitive`). */
export function findAttribute(
  element: XElement,
  name: string,
  insensitive = false,
): XAttribute | undefined {
  const wanted = insensitive ? name.toLowerCase() : name;
  return element.attributes.find(
    (attribute) => (insensitive ? attribute.name.toLowerCase() : attribute.name) === wanted,
  );
}

class Walker {
  readonly problems: Problem[] = [];

  constructor(private readonly rules: ProviderRules) {}

  private add(finding: Finding, at: XElement): void {
    this.problems.push(toProblem(finding, at));
  }

  private sameName(a: string, b: string): boolean {
    return this.rules.caseInsensitiveAttributes === true
      ? a.toLowerCase() === b.toLowerCase()
      : a === b;
  }

  checkAttributes(
    element: XElement,
    rules: readonly AttributeRule[],
    unknown: Severity,
    spec: string,
  ): void {
    const seen = new Set<string>();
    for (const attribute of element.attributes) {
      if (attribute.name === 'xmlns' || attribute.name.startsWith('xmlns:')) continue;
      const rule = rules.find((r) => this.sameName(r.name, attribute.name));
      if (rule === undefined) {
        const near = rules.find((r) => r.name.toLowerCase() === attribute.name.toLowerCase());
        const known = rules.map((r) => r.name).join(', ');
        this.add(
          {
            code: 'unknown-attribute',
            message:
              `<${element.name}> has no attribute "${attribute.name}"` +
              (near === undefined ? '' : ` (did you mean "${near.name}"?)`) +
              (known === '' ? '; it takes none' : `; known: ${known}`),
            spec: near?.spec ?? spec,
            severity: unknown,
            attribute: attribute.name,
          },
          element,
        );
        continue;
      }
      seen.add(rule.name);
      if (rule.warning !== undefined) {
        this.add(
          {
            code: rule.warning.code,
            message: `<${element.name} ${attribute.name}>: ${rule.warning.message}`,
            spec: rule.spec,
            severity: 'warning',
            attribute: attribute.name,
          },
          element,
        );
      }
      const issue = rule.value?.(attribute.value);
      if (issue !== undefined) {
        this.add(
          {
            code: issue.code,
            message: `<${element.name}> ${attribute.name} ${issue.message}`,
            spec: rule.spec,
            severity: issue.severity ?? 'error',
            attribute: attribute.name,
          },
          element,
        );
      }
    }
    for (const rule of rules) {
      if (rule.required === true && !seen.has(rule.name)) {
        this.add(
          {
            code: 'missing-attribute',
            message: `<${element.name}> needs the attribute ${rule.name}`,
            spec: rule.spec,
          },
          element,
        );
      }
    }
  }

  element(element: XElement, allowed: readonly string[], parentName: string): void {
    const rules = this.rules;
    const rule: ElementRule | undefined = rules.elements[element.name];
    if (rule === undefined) {
      const near = Object.keys(rules.elements).find(
        (name) => name.toLowerCase() === element.name.toLowerCase(),
      );
      const hint = rules.hints?.[element.name];
      this.add(
        {
          code: 'unknown-element',
          message:
            `<${element.name}> is not an element of ${rules.provider} answers` +
            (near === undefined
              ? ''
              : ` (did you mean <${near}>? element names are case-sensitive)`) +
            (hint === undefined ? '' : `: ${hint.message}`),
          spec: hint?.spec ?? rules.unknownElement.spec,
          severity: rules.unknownElement.severity,
        },
        element,
      );
      return;
    }
    if (!allowed.includes(element.name)) {
      this.add(
        {
          code: 'misplaced-element',
          message: `<${element.name}> cannot be inside <${parentName}>${
            allowed.length === 0
              ? `, which holds no elements`
              : `; allowed there: ${allowed.join(', ')}`
          }`,
          spec: rule.spec,
        },
        element,
      );
    }
    if (rule.warning !== undefined) {
      this.add(
        {
          code: rule.warning.code,
          message: `<${element.name}>: ${rule.warning.message}`,
          spec: rule.spec,
          severity: 'warning',
        },
        element,
      );
    }
    if (rule.opaque === true) return;
    this.checkAttributes(
      element,
      rule.attributes ?? [],
      rule.unknownAttributes ?? rules.unknownAttribute.severity,
      rules.unknownAttribute.spec,
    );
    if (rule.requireOneOf !== undefined) {
      const present = rule.requireOneOf.filter(
        (name) => findAttribute(element, name, rules.caseInsensitiveAttributes) !== undefined,
      );
      if (present.length === 0) {
        this.add(
          {
            code: 'missing-attribute',
            message: `<${element.name}> needs the attribute ${rule.requireOneOf.join(' or ')}`,
            spec: rule.spec,
          },
          element,
        );
      } else if (present.length > 1) {
        this.add(
          {
            code: 'duplicate',
            message: `<${element.name}> has both ${present.join(' and ')}: give one`,
            spec: rule.spec,
          },
          element,
        );
      }
    }
    this.checkText(element, rule);
    for (const child of element.children) this.element(child, rule.children ?? [], element.name);
    for (const finding of rule.check?.(element) ?? []) this.add(finding, element);
  }

  private checkText(element: XElement, rule: ElementRule): void {
    const text = element.text.trim();
    const mode = rule.text ?? 'none';
    if (mode === 'none') {
      if (text !== '') {
        this.add(
          {
            code: 'unexpected-text',
            message: `<${element.name}> holds no text, got ${JSON.stringify(text.slice(0, 40))}`,
            spec: rule.spec,
          },
          element,
        );
      }
      return;
    }
    if (text === '') {
      const viaAttribute =
        mode === 'textOrAttribute' &&
        (rule.mainAttributes ?? []).some(
          (name) =>
            findAttribute(element, name, this.rules.caseInsensitiveAttributes) !== undefined,
        );
      if (mode === 'required' || (mode === 'textOrAttribute' && !viaAttribute)) {
        const alternatives =
          mode === 'textOrAttribute' && (rule.mainAttributes ?? []).length > 0
            ? ` (or the attribute ${(rule.mainAttributes ?? []).join(' or ')})`
            : '';
        this.add(
          {
            code: 'missing-text',
            message: `<${element.name}> needs its text${alternatives}`,
            spec: rule.spec,
          },
          element,
        );
      }
      return;
    }
    const issue = rule.textValue?.(text);
    if (issue !== undefined) {
      this.add(
        {
          code: issue.code,
          message: `<${element.name}> text ${issue.message}`,
          spec: rule.spec,
          severity: issue.severity ?? 'error',
        },
        element,
      );
    }
  }

  root(root: XElement, options: ValidateOptions): void {
    const rules = this.rules;
    if (root.name !== rules.root.name) {
      this.add(
        {
          code: 'root-element',
          message: `the root element must be <${rules.root.name}>, got <${root.name}>`,
          spec: rules.root.spec,
        },
        root,
      );
      return;
    }
    this.checkAttributes(
      root,
      rules.rootAttributes ?? [],
      rules.unknownAttribute.severity,
      rules.root.spec,
    );
    if (root.text.trim() !== '') {
      this.add(
        {
          code: 'unexpected-text',
          message: `<${root.name}> holds elements, not text; got ${JSON.stringify(root.text.trim().slice(0, 40))}`,
          spec: rules.root.spec,
        },
        root,
      );
    }
    for (const child of root.children) this.element(child, rules.rootChildren, root.name);
    for (const finding of rules.document?.(root, options) ?? []) this.add(finding, root);
  }
}

/**
 * Validates `xml` against `rules`. Never throws: syntax errors, an empty document and a
 * DOCTYPE are reported as problems (with line and column where the parser knows them).
 */
export function runRules(
  rules: ProviderRules,
  xml: string,
  options: ValidateOptions = {},
): ValidationResult {
  let problems: Problem[];
  try {
    const parsed = parseDocument(xml);
    problems = [...parsed.problems];
    if (parsed.root !== undefined) {
      const pre = rules.preCheck?.(parsed.root);
      if (pre !== undefined && pre.length > 0) {
        const root = parsed.root;
        problems.push(...pre.map((finding) => toProblem(finding, root)));
      } else {
        const walker = new Walker(rules);
        walker.root(parsed.root, options);
        problems.push(...walker.problems);
      }
    }
  } catch (error) {
    // A bug in a rule must not turn into a crash of the command.
    problems = [
      {
        code: 'internal-error',
        message: `the validator failed: ${error instanceof Error ? error.message : String(error)}`,
        path: '/',
        spec: rules.specFile,
        severity: 'error',
      },
    ];
  }
  return { valid: !problems.some((problem) => problem.severity === 'error'), problems };
}

/** A parser message cut to 160 characters: xmldom quotes whole stretches of the input. */
function shorten(message: string): string {
  return message.length <= 160 ? message : `${message.slice(0, 157)}…`;
}
