/**
 * The shapes of `callcontrol validate`: what `validateAnswer` returns, and the rule
 * tables each provider module fills in for the generic engine.
 *
 * @module
 */

/** How bad a problem is: an `error` makes the document invalid, a `warning` does not. */
export type Severity = 'error' | 'warning';

/**
 * One thing wrong (or doubtful) in an answer document.
 *
 * @example
 * ```json
 * { "code": "bad-enum", "severity": "error", "path": "/Response/Reject[1]/@reason",
 *   "line": 3, "column": 13, "message": "reason must be \"busy\", got \"nope\"",
 *   "spec": "docs/providers/placetel.md §3.3 Other actions" }
 * ```
 */
export interface Problem {
  /**
   * What kind of problem, stable for scripts: generic codes (`xml-malformed`, `xml-empty`,
   * `root-element`, `unknown-element`, `misplaced-element`, `unknown-attribute`,
   * `missing-attribute`, `bad-enum`, `bad-integer`, `out-of-range`, `bad-boolean`,
   * `bad-format`, `unexpected-text`, `missing-text`, `missing-child`, `duplicate`,
   * `undocumented`, `legacy`) or provider rules prefixed by the provider
   * (`placetel.multiple-actions`, `ozeki.mixed-control`, …).
   */
  readonly code: string;
  /** What is wrong, in a sentence, naming the element or attribute and the value seen. */
  readonly message: string;
  /**
   * Where: element steps with their 1-based position among same-named siblings, then
   * `@name` for an attribute, e.g. `/Response/Forward[1]/Target[2]/@ringtime`. `/` for a
   * problem of the whole document (empty file, malformed XML).
   */
  readonly path: string;
  /** 1-based line of the element (or of the syntax error), when known. */
  readonly line?: number;
  /** 1-based column of the element (or of the syntax error), when known. */
  readonly column?: number;
  /**
   * Where the rule comes from: a section of the provider's reference in the callcontrol
   * repository (`docs/providers/<provider>.md`, the path from the repository's root), written
   * `<file> §<number> <title>`, several joined by `; `, e.g.
   * `docs/providers/placetel.md §3.2 <Forward> attributes`. A document that is not well-formed
   * XML cites the XML 1.0 specification instead.
   */
  readonly spec: string;
  /** `error`: the provider documents otherwise; `warning`: legal but doubtful or undocumented. */
  readonly severity: Severity;
}

/** The outcome of `validateAnswer`: `valid` is true when no problem is an error. */
export interface ValidationResult {
  /** True when `problems` holds no `error` (warnings allowed). */
  readonly valid: boolean;
  /** Every problem found, in document order (document-wide rules last). */
  readonly problems: Problem[];
}

// ---------------------------------------------------------------------------------------------
// The parsed document the rules look at
// ---------------------------------------------------------------------------------------------

/** An attribute as read from the document. */
export interface XAttribute {
  /** The name as written. */
  readonly name: string;
  /** The value, entities resolved. */
  readonly value: string;
}

/** An element as read from the document (comments and processing instructions dropped). */
export interface XElement {
  /** The element name as written, e.g. `Forward`. */
  readonly name: string;
  /** Attributes in document order. */
  readonly attributes: readonly XAttribute[];
  /** Child elements in document order. */
  readonly children: readonly XElement[];
  /** The element's own text (text and CDATA children joined, not of child elements). */
  readonly text: string;
  /** The element's path, e.g. `/Response/Forward[1]`. */
  readonly path: string;
  /** 1-based line of the start tag, when known. */
  readonly line: number | undefined;
  /** 1-based column of the start tag, when known. */
  readonly column: number | undefined;
  /** The parent element; undefined for the root. */
  readonly parent: XElement | undefined;
}

// ---------------------------------------------------------------------------------------------
// Rule tables
// ---------------------------------------------------------------------------------------------

/** What a value check reports; the engine adds where and which spec. */
export interface ValueIssue {
  /** e.g. `bad-enum`, `bad-integer`, `out-of-range`. */
  readonly code: string;
  /** e.g. `must be "busy", got "nope"`; the engine prefixes the attribute name. */
  readonly message: string;
  /** Default `error`. */
  readonly severity?: Severity;
}

/** Checks one attribute value or element text; returns undefined when it is fine. */
export type ValueCheck = (value: string) => ValueIssue | undefined;

/** A problem a provider rule found; the engine turns it into a {@link Problem}. */
export interface Finding {
  /** The problem code, e.g. `too-many-actions` (see {@link Problem.code}). */
  readonly code: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** The spec section it breaks, e.g. `docs/providers/placetel.md §3.1`. */
  readonly spec: string;
  /** Default `error`. */
  readonly severity?: Severity;
  /** The element it is about; default the element the rule ran on (or the root). */
  readonly element?: XElement;
  /** The attribute it is about, if any (its name as written). */
  readonly attribute?: string;
}

/** One attribute an element takes. */
export interface AttributeRule {
  /** The name as the provider spells it (matched case-insensitively where the provider says so). */
  readonly name: string;
  /** The section documenting it. */
  readonly spec: string;
  /** Must be present. */
  readonly required?: boolean;
  /** Checks its value. */
  readonly value?: ValueCheck;
  /**
   * Accepted, but reported as a warning with this text and code `legacy` or `undocumented`
   * (an old or doubtful spelling that the spec documents as seen).
   */
  readonly warning?: { readonly code: 'legacy' | 'undocumented'; readonly message: string };
}

/** One element a provider's answers may hold. */
export interface ElementRule {
  /** The name as the provider spells it (element names are case-sensitive). */
  readonly name: string;
  /** The section documenting it. */
  readonly spec: string;
  /** Its attributes. */
  readonly attributes?: readonly AttributeRule[];
  /** At least one of these attributes must be present (e.g. Placetel Queue `id` or `queue_id`). */
  readonly requireOneOf?: readonly string[];
  /** The elements it may hold; none when absent. */
  readonly children?: readonly string[];
  /**
   * Its text: `none` (only whitespace; the default), `optional`, `required` (not blank), or
   * `textOrAttribute` — required unless one of {@link ElementRule.mainAttributes} is given.
   */
  readonly text?: 'none' | 'optional' | 'required' | 'textOrAttribute';
  /** For `text: 'textOrAttribute'`: the attributes that may carry the main parameter instead. */
  readonly mainAttributes?: readonly string[];
  /** Checks the (trimmed, non-empty) text. */
  readonly textValue?: ValueCheck;
  /** Accepted, but reported as a warning (code and text), e.g. a name seen only in a page title. */
  readonly warning?: { readonly code: 'legacy' | 'undocumented'; readonly message: string };
  /** Named by the provider but undocumented: neither its attributes nor its content are checked. */
  readonly opaque?: boolean;
  /** Overrides the provider's severity for unknown attributes on this element. */
  readonly unknownAttributes?: Severity;
  /** Element-specific rules run after the table checks. */
  readonly check?: (element: XElement) => readonly Finding[];
}

/** Everything the engine needs to know about one provider's answer documents. */
export interface ProviderRules {
  /** The provider's name, as the registry lists it (e.g. `'placetel'`). */
  readonly provider: string;
  /** Its provider reference, e.g. `docs/providers/placetel.md`, which the rules' `spec`s cite. */
  readonly specFile: string;
  /** The root element's name and the section documenting it. */
  readonly root: { readonly name: string; readonly spec: string };
  /** The elements the root may hold. */
  readonly rootChildren: readonly string[];
  /** Every known element by name. */
  readonly elements: Readonly<Record<string, ElementRule>>;
  /** Attribute names match ignoring case (Ozeki, spec §4 / §7.6). Default false. */
  readonly caseInsensitiveAttributes?: boolean;
  /** Root attributes accepted without a rule (e.g. namespace declarations). Default none. */
  readonly rootAttributes?: readonly AttributeRule[];
  /** Severity and section for an element that is in no table. */
  readonly unknownElement: { readonly severity: Severity; readonly spec: string };
  /** Severity and section for an attribute that is in no table. */
  readonly unknownAttribute: { readonly severity: Severity; readonly spec: string };
  /** Hints for unknown elements seen in the wild (name → sentence and section). */
  readonly hints?: Readonly<Record<string, { readonly message: string; readonly spec: string }>>;
  /**
   * Runs first; when it returns findings, they are the result and nothing else is checked
   * (e.g. a document of another kind altogether).
   */
  readonly preCheck?: (root: XElement) => readonly Finding[] | undefined;
  /** Document-wide rules run after the tree walk (e.g. one action per answer). */
  readonly document?: (root: XElement, options: ValidateOptions) => readonly Finding[];
}

/** Options of `validateAnswer`. */
export interface ValidateOptions {
  /**
   * Ozeki only: the control context the answer is for (`extension`, `thirdParty`,
   * `routing`, spec `docs/providers/ozeki.md` §3.1, §4). Absent: inferred from the commands, and
   * the answer must fit at least one context.
   */
  readonly ozekiControl?: 'extension' | 'thirdParty' | 'routing';
}
