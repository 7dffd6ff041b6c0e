/**
 * Generated TwiML answers for the property tests: element trees read from the grammar
 * (`src/providers/twiml/grammar.ts`) of one dialect — every element, every attribute, valid
 * values and, for the agreement property, near misses (range edges, foreign enum values, empty
 * lists, blank text, unknown options, missing or extra content, children that do not belong).
 *
 * A tree is a {@link Spec}; {@link buildSpec} builds it with the builders (or reports the
 * refusal), {@link naiveXml} writes the document the builders would have written without their
 * checks (each option as the attribute of its grammar name, arrays joined with a space).
 */
import fc from 'fast-check';
import { CallControlError } from '../../../src/core/errors';
import {
  type TwimlBuilders,
  type TwimlNode,
  type TwimlResponse,
  actionRef,
} from '../../../src/providers/twiml/builders';
import {
  attributesIn,
  childrenIn,
  elementIn,
  TWIML_DIALECTS,
  TWIML_DIGITS,
  TWIML_ELEMENTS,
  TWIML_LANGUAGE,
  TWIML_WSS,
  type TwimlDialect,
  type TwimlDialectAttribute,
  type TwimlElementFact,
  type TwimlValue,
} from '../../../src/providers/twiml/grammar';

/** One element to build: its name, options (typed), text and children. */
export interface Spec {
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly text?: string;
  readonly children: readonly Spec[];
}

/** Generation settings. */
export interface GenerateOptions {
  /** The dialect whose grammar is read. */
  readonly dialect: TwimlDialect;
  /** Also near misses (agreement property); else only valid values and content (oracle). */
  readonly misses: boolean;
  /** Elements (and `parent>child` edges) never generated, e.g. what twilio-node lacks. */
  readonly skip?: readonly string[];
  /** Whether URL options may be action references. */
  readonly refs?: boolean;
  /**
   * With misses: how many valid choices per near miss, at each choice (an attribute value, an
   * unknown option, the content); set per generated answer by {@link responseArb} and
   * {@link verbArb} so that answers range from one slip to many.
   */
  readonly weight?: number;
}

/** The weight of valid choices per near miss. */
const weightOf = (settings: GenerateOptions): number => settings.weight ?? 20;

const ELEMENTS = TWIML_ELEMENTS as unknown as Readonly<Record<string, TwimlElementFact>>;

/** Characters of generated text: XML specials, quotes, non-ASCII, whitespace inside. */
const TEXT_CHARS = ['a', 'B', '7', ' ', '&', '<', '>', '"', "'", 'é', '€', '😀', '-', '.', '\n'];

/** Non-blank text without surrounding whitespace. */
export const textArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...TEXT_CHARS), { minLength: 1, maxLength: 10 })
  .map((chars) => chars.join('').trim())
  .filter((text) => text !== '');

const LANGUAGES = ['en-US', 'de-DE', 'fr-CA', 'cmn-Hans-CN', 'pa-guru-IN', 'arb', 'zh'];

/** Whether XML can carry `value` (no C0 controls but TAB, LF, CR; no lone surrogates). */
function xmlCanCarry(value: string): boolean {
  return [...value].every((char) => {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d;
    return !(code >= 0xd800 && code <= 0xdfff) && code !== 0xfffe && code !== 0xffff;
  });
}

/** Valid values of a value type. */
function validValue(type: TwimlValue): fc.Arbitrary<unknown> {
  if (type === TWIML_LANGUAGE) return fc.constantFrom(...LANGUAGES);
  if (type === TWIML_WSS)
    return fc.constantFrom('wss://example.com/stream', 'ws://a.example/x?y=1');
  if (type === TWIML_DIGITS) return fc.stringMatching(/^[0-9*#wW]{1,8}$/);
  switch (type.kind) {
    case 'text':
    case 'textOrCount':
    case 'url':
      return textArb;
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...type.values);
    case 'list':
      return fc.uniqueArray(fc.constantFrom(...type.values), {
        minLength: 1,
        maxLength: type.values.length,
      });
    case 'integerList':
      return fc.array(fc.integer({ min: type.min, max: type.min + 5 }), {
        minLength: 1,
        maxLength: 3,
      });
    case 'integer':
      return fc.oneof(
        fc.constantFrom(type.min, type.max ?? type.min + 1),
        fc.integer({ min: type.min, max: type.max ?? type.min + 100000 }),
      );
    case 'integerOr':
      return fc.oneof(
        fc.constantFrom(...type.words),
        fc.integer({ min: type.min, max: type.max ?? type.min + 1000 }),
      );
    case 'pattern':
      return fc
        .stringMatching(type.regex)
        .filter((value) => xmlCanCarry(value))
        .filter((value) => value.length <= 80);
  }
}

/** Values a builder must refuse, of the option's TypeScript type where it has one. */
function missValue(type: TwimlValue): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'text':
    case 'textOrCount':
    case 'url':
      return fc.constantFrom('', ' ', '\t');
    case 'boolean':
      return fc.constant(undefined);
    case 'enum':
      return fc.constantFrom('', 'bogus', (type.values[0] ?? 'x').toUpperCase() + '!');
    case 'list':
      return fc.constantFrom([], ['bogus'], [type.values[0], 'bogus']);
    case 'integerList':
      return fc.constantFrom([], [type.min - 1], [1.5]);
    case 'integer':
      return fc.constantFrom(
        type.min - 1,
        type.min + 0.5,
        ...(type.max === undefined ? [Number.NaN] : [type.max + 1]),
      );
    case 'integerOr':
      return fc.constantFrom('soon', type.min - 1, 1.5);
    case 'pattern':
      return fc.constantFrom('x y!', '\u00a7', 'en_US?', '');
  }
}

/** The value of one attribute: valid, or (with misses) sometimes a near miss. */
function attributeValue(
  attribute: TwimlDialectAttribute,
  settings: GenerateOptions,
): fc.Arbitrary<unknown> {
  let valid = validValue(attribute.value);
  if (attribute.url && settings.refs === true) {
    valid = fc.oneof(
      valid,
      fc.constantFrom('menu', 'dialed', 'status').map((name) => actionRef(name)),
    );
  }
  if (!settings.misses) return valid;
  return fc.oneof(
    { arbitrary: valid, weight: weightOf(settings) },
    { arbitrary: missValue(attribute.value), weight: 1 },
  );
}

/** Option names of the element in other dialects (unknown here), and one nobody has. */
function foreignOptions(fact: TwimlElementFact, dialect: TwimlDialect): string[] {
  const here = new Set(attributesIn(fact, dialect).map((attribute) => attribute.option));
  const names = new Set<string>(['bogusAttribute']);
  for (const other of TWIML_DIALECTS) {
    for (const attribute of attributesIn(fact, other)) {
      if (!here.has(attribute.option) && attribute.option === attribute.name) {
        names.add(attribute.option);
      }
    }
  }
  return [...names];
}

/** The options of an element: each attribute sometimes, required ones always. */
function optionsArb(
  fact: TwimlElementFact,
  settings: GenerateOptions,
): fc.Arbitrary<Record<string, unknown>> {
  const attributes = attributesIn(fact, settings.dialect);
  const entries = attributes.map((attribute) =>
    attribute.required && !settings.misses
      ? attributeValue(attribute, settings).map((value) => [attribute.option, value] as const)
      : fc.option(
          attributeValue(attribute, settings).map((value) => [attribute.option, value] as const),
          { freq: attribute.required ? 8 : 3, nil: undefined },
        ),
  );
  const extra = settings.misses
    ? fc.oneof(
        { arbitrary: fc.constant(undefined), weight: weightOf(settings) },
        { arbitrary: fc.constantFrom(...foreignOptions(fact, settings.dialect)), weight: 1 },
      )
    : fc.constant(undefined);
  return fc.tuple(fc.tuple(...entries), extra).map(([pairs, unknown]) => {
    const options: Record<string, unknown> = {};
    for (const pair of pairs)
      if (pair !== undefined && pair[1] !== undefined) options[pair[0]] = pair[1];
    if (unknown !== undefined) options[unknown] = 'x';
    return options;
  });
}

/** The children an element may hold in the dialect, less the skipped ones. */
function allowedChildren(fact: TwimlElementFact, settings: GenerateOptions): string[] {
  return childrenIn(fact, settings.dialect).filter(
    (child) =>
      !(settings.skip ?? []).includes(child) &&
      !(settings.skip ?? []).includes(`${fact.name}>${child}`),
  );
}

/** Every element name of any dialect (for misplaced children). */
const ALL_NAMES = Object.keys(ELEMENTS).filter((name) => name !== 'Response');

/** Children names for an element: valid picks (alone rules kept), or with misses anything. */
function childNamesArb(
  fact: TwimlElementFact,
  settings: GenerateOptions,
  min: number,
): fc.Arbitrary<string[]> {
  const allowed = allowedChildren(fact, settings);
  if (allowed.length === 0) return fc.constant([]);
  const valid = fc
    .array(fc.constantFrom(...allowed), { minLength: min, maxLength: 3 })
    .map((names) => {
      const alone = names.find((name) => (fact.alone ?? []).includes(name));
      if (alone !== undefined) return [alone];
      return fact.oneEach === true ? [...new Set(names)] : names;
    });
  if (!settings.misses) return valid;
  return fc.oneof(
    { arbitrary: valid, weight: weightOf(settings) },
    {
      arbitrary: fc.array(fc.constantFrom(...allowed, ...ALL_NAMES.slice(0, 12)), {
        minLength: 1,
        maxLength: 3,
      }),
      weight: 1,
    },
    { arbitrary: fc.constant(Array.from({ length: 11 }, () => allowed[0] as string)), weight: 1 },
  );
}

/** The content mode of an element: what text and children it gets. */
type Mode = 'text' | 'children' | 'both' | 'none';

function modeArb(
  fact: TwimlElementFact,
  settings: GenerateOptions,
  depth: number,
): fc.Arbitrary<Mode> {
  const valid = fc.constantFrom(...modesOf(fact, { ...settings, misses: false }, depth));
  if (!settings.misses) return valid;
  return fc.oneof(
    { arbitrary: valid, weight: weightOf(settings) },
    { arbitrary: fc.constantFrom(...modesOf(fact, settings, depth)), weight: 1 },
  );
}

function modesOf(fact: TwimlElementFact, settings: GenerateOptions, depth: number): Mode[] {
  const text = fact.text;
  const hasChildren = allowedChildren(fact, settings).length > 0 && depth > 0;
  if (settings.misses) {
    const modes: Mode[] = ['none'];
    if (text !== undefined) modes.push('text');
    if (hasChildren) modes.push('children');
    if (text !== undefined && hasChildren) modes.push('both');
    if (text === undefined) modes.push('text');
    return modes;
  }
  if (text === undefined) return hasChildren ? ['children', 'none'] : ['none'];
  switch (text.need) {
    case 'required':
      return hasChildren ? ['text', 'both'] : ['text'];
    case 'optional':
      return hasChildren ? ['text', 'children', 'both', 'none'] : ['text', 'none'];
    case 'orChildren':
      return hasChildren ? ['text', 'children', 'both'] : ['text'];
    case 'xorChildren':
      return hasChildren ? ['text', 'children'] : ['text'];
    case 'xorAttribute':
      return ['text', 'none'];
  }
}

/** The text of an element (its value type's valid values, or plain text). */
function textValue(fact: TwimlElementFact): fc.Arbitrary<string> {
  const type = fact.text?.value;
  if (type === undefined || type.kind === 'text') return textArb;
  return validValue(type).map(String);
}

/** A generated element named `name`, with children down to `depth` levels. */
export function specArb(
  name: string,
  settings: GenerateOptions,
  depth: number,
): fc.Arbitrary<Spec> {
  const fact = elementIn(name, settings.dialect) ?? ELEMENTS[name];
  if (fact === undefined) return fc.constant({ name, options: {}, children: [] });
  return fc
    .tuple(optionsArb(fact, settings), modeArb(fact, settings, depth))
    .chain(([options, mode]) => {
      const withText = mode === 'text' || mode === 'both';
      const withChildren = (mode === 'children' || mode === 'both') && depth > 0;
      let finalOptions = options;
      if (
        !settings.misses &&
        fact.text?.need === 'xorAttribute' &&
        fact.text.attribute !== undefined
      ) {
        const { [fact.text.attribute]: attribute, ...rest } = options;
        finalOptions = withText ? rest : { ...rest, [fact.text.attribute]: attribute ?? '1w2' };
      }
      const names = withChildren
        ? childNamesArb(fact, settings, mode === 'children' ? 1 : 0)
        : fc.constant<string[]>([]);
      return fc
        .tuple(
          withText ? textValue(fact) : fc.constant(undefined),
          names.chain((list) =>
            list.length === 0
              ? fc.constant<Spec[]>([])
              : fc.tuple(...list.map((child) => specArb(child, settings, depth - 1))),
          ),
        )
        .map(([text, children]): Spec => ({
          name,
          options: finalOptions,
          ...(text === undefined ? {} : { text }),
          children,
        }));
    });
}

/** A generated `<Response>`: one to three verbs of the dialect. */
export function responseArb(settings: GenerateOptions, depth = 3): fc.Arbitrary<Spec[]> {
  if (settings.misses && settings.weight === undefined) {
    return fc
      .constantFrom(10, 40, 200)
      .chain((weight) => responseArb({ ...settings, weight }, depth));
  }
  const root = elementIn('Response', settings.dialect) as TwimlElementFact;
  const verbs = allowedChildren(root, settings);
  return fc
    .array(fc.constantFrom(...verbs), { minLength: 1, maxLength: 3 })
    .chain((names) => fc.tuple(...names.map((name) => specArb(name, settings, depth))));
}

/** A generated single verb named `verb`. */
export function verbArb(verb: string, settings: GenerateOptions, depth = 3): fc.Arbitrary<Spec> {
  if (settings.misses && settings.weight === undefined) {
    return fc
      .constantFrom(5, 20, 100)
      .chain((weight) => specArb(verb, { ...settings, weight }, depth));
  }
  return specArb(verb, settings, depth);
}

/** Builds a spec with the builders; a child is built first. */
/** Any dialect's builders, as the generated specs call them (by builder name). */
export type AnyBuilders<P extends string> = Pick<TwimlBuilders<P, 'twilio'>, 'provider'> & {
  response(...verbs: never[]): TwimlResponse<P>;
};

export function buildSpec<P extends string>(builders: AnyBuilders<P>, spec: Spec): TwimlNode<P> {
  const fact = ELEMENTS[spec.name] as TwimlElementFact;
  const children = spec.children.map((child) => buildSpec(builders, child));
  const build = (builders as unknown as Record<string, (...args: unknown[]) => TwimlNode<P>>)[
    fact.builder
  ];
  if (build === undefined) throw new TypeError(`no builder ${fact.builder}`);
  return build(spec.options, ...(spec.text === undefined ? [] : [spec.text]), ...children);
}

/** Builds a whole response, or `undefined` when a builder refuses (CC_ERR_ANSWER_INVALID). */
export function attemptResponse<P extends string>(
  builders: AnyBuilders<P>,
  verbs: readonly Spec[],
): TwimlResponse<P> | undefined {
  try {
    return builders.response(...(verbs.map((verb) => buildSpec(builders, verb)) as never[]));
  } catch (error) {
    if (error instanceof CallControlError && error.code === 'CC_ERR_ANSWER_INVALID')
      return undefined;
    throw error;
  }
}

const escape = (value: string, attribute: boolean): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, attribute ? '&quot;' : '"')
    .replace(/[\t\n\r]/g, (c) => (attribute ? `&#${c.charCodeAt(0)};` : c));

/** The attribute name an option is written as in the dialect (its own name when unknown). */
function attributeName(fact: TwimlElementFact | undefined, option: string): string {
  const known = fact?.attributes[option];
  return known?.name ?? option;
}

/** The written value of an option, without the builders' checks. */
function written(value: unknown, resolve: (name: string) => string): string {
  if (Array.isArray(value)) return value.map((item) => String(item)).join(' ');
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'twiml-action'
  ) {
    return resolve((value as { name: string }).name);
  }
  return String(value);
}

/** The document the builders would write for `verbs` without their checks. */
export function naiveXml(
  verbs: readonly Spec[],
  resolve: (name: string) => string = (name) => `https://example.com/actions/${name}`,
): string {
  const element = (spec: Spec): string => {
    const fact = ELEMENTS[spec.name];
    const attributes = Object.entries(spec.options)
      .filter(([, value]) => value !== undefined)
      .map(
        ([option, value]) =>
          ` ${attributeName(fact, option)}="${escape(written(value, resolve), true)}"`,
      )
      .join('');
    const inner =
      (spec.text === undefined ? '' : escape(spec.text, false)) +
      spec.children.map(element).join('');
    return `<${spec.name}${attributes}>${inner}</${spec.name}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.map(element).join('')}</Response>`;
}
