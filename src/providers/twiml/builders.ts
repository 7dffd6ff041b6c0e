/**
 * Builders of TwiML answers for the three dialects (Twilio TwiML, Telnyx TeXML, SignalWire
 * cXML), read from the one grammar (`grammar.ts`): one builder per verb and noun the dialect
 * has, every attribute as a typed camelCase option, checked when the answer is built.
 *
 * Spec: `docs/providers/twilio.md §5.1 Document rules`, `docs/providers/twilio.md §5.2 Nesting`,
 * `docs/providers/twilio.md §5.3 Verbs and nouns`; the dialects' differences in
 * `docs/providers/telnyx.md §5.3 Attributes, defaults, units` and
 * `docs/providers/signalwire.md §5.2 Verbs and nouns`.
 *
 * ```ts
 * const b = twimlBuilders('twilio', 'twilio');
 * const answer = b.response(
 *   b.gather({ action: actionRef('menu'), numDigits: 1, timeout: 5 }, b.say('Press 1 for sales.')),
 *   b.say('Goodbye.'),
 * );
 * renderTwiml(answer, { resolveAction: (ref) => `https://example.com/twilio/actions/${ref.name}` });
 * ```
 *
 * Every builder is `builder(options?, ...content)`: the options are the element's attributes
 * (numbers for whole numbers — **seconds** or **milliseconds** as the attribute counts, see
 * `docs/providers/twilio.md §5.4 Where attribute naming/units trip builders` —, booleans
 * for `true`/`false`, arrays for space-separated lists, strings for the rest, a
 * {@link TwimlActionRef} or a string for a URL); the content is the element's text (strings) and child elements (built by the same
 * builders). A builder refuses — {@link CallControlError} `CC_ERR_ANSWER_INVALID`, the message
 * naming the builder and the option, e.g. `twilio.gather: numDigits must be a whole number of
 * digits ≥ 1, got 0` — an unknown option, a value out of its type or range, a child the element
 * may not hold in the dialect, text where none is allowed or none where it is needed, and the
 * rules of {@link contentRule} (`<Conference>` mixed with `<Number>` in a `<Dial>`, more than 10
 * parties, …). A verb or noun the dialect lacks is not in the builders' type, and its builder
 * throws the same error at run time.
 *
 * @module
 */
import { answerKit, type AnswerKit } from '../../core/answer-kit';
import { CallControlError } from '../../core/errors';
import { assertXmlText, renderXml, type XmlElement } from '../../core/xml';
import {
  attributesIn,
  childrenIn,
  contentRule,
  dialectsOf,
  elementIn,
  TWIML_ELEMENTS,
  type TwimlDialect,
  type TwimlDialectAttribute,
  type TwimlElementFact,
  type TwimlValue,
} from './grammar';

export type { TwimlDialect } from './grammar';

// ---------------------------------------------------------------------------------------------
// Action references
// ---------------------------------------------------------------------------------------------

/** A reference to one of the app's named action handlers, used wherever a URL is expected. */
export interface TwimlActionRef {
  /** Always `'twiml-action'`. */
  readonly kind: 'twiml-action';
  /** The action's name, as the app declared it. */
  readonly name: string;
  /** Query parameters added to the action's URL. */
  readonly query?: Readonly<Record<string, string>>;
}

/**
 * A reference to the action handler `name`, rendered as its absolute URL by
 * {@link renderTwiml}'s `resolveAction`.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank name or a query that is not an
 *   object of strings
 */
export function actionRef(name: string, query?: Record<string, string>): TwimlActionRef {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new CallControlError(
      'CC_ERR_ANSWER_INVALID',
      `actionRef: the action name must be a non-empty string, got ${JSON.stringify(name)}`,
    );
  }
  if (query === undefined) return Object.freeze({ kind: 'twiml-action', name });
  if (
    typeof query !== 'object' ||
    query === null ||
    Array.isArray(query) ||
    Object.values(query).some((value) => typeof value !== 'string')
  ) {
    throw new CallControlError(
      'CC_ERR_ANSWER_INVALID',
      `actionRef: the query of "${name}" must be an object of strings`,
    );
  }
  return Object.freeze({ kind: 'twiml-action', name, query: Object.freeze({ ...query }) });
}

/** Whether `value` is a {@link TwimlActionRef}. */
export function isActionRef(value: unknown): value is TwimlActionRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'twiml-action' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/** What an element holds: text, an action reference (a URL text) or a child element. */
export type TwimlContent<P extends string = string> = string | TwimlActionRef | TwimlNode<P>;

/**
 * One verb or noun, built by a dialect's builders; immutable. `provider` brands it: an element
 * of one provider cannot be nested in or returned for another.
 */
export class TwimlNode<P extends string = string, N extends string = string> {
  /** The provider whose builders made it (a type brand too). */
  readonly provider: P;
  /** The dialect it was built in. */
  readonly dialect: TwimlDialect;
  /** The element name, e.g. `'Gather'`. */
  readonly name: N;
  /** The attributes as written (name → text, or an action reference for a URL). */
  readonly attributes: Readonly<Record<string, string | TwimlActionRef>>;
  /** The text and child elements, in document order. */
  readonly content: readonly TwimlContent<P>[];

  /** @internal Use the builders. */
  constructor(
    provider: P,
    dialect: TwimlDialect,
    name: N,
    attributes: Record<string, string | TwimlActionRef>,
    content: TwimlContent<P>[],
  ) {
    this.provider = provider;
    this.dialect = dialect;
    this.name = name;
    this.attributes = Object.freeze(attributes);
    this.content = Object.freeze(content);
    Object.freeze(this);
  }
}

/** A whole `<Response>`: the verbs in order; immutable and branded like {@link TwimlNode}. */
export class TwimlResponse<P extends string = string> {
  /** The provider whose builders made it. */
  readonly provider: P;
  /** The dialect it was built in. */
  readonly dialect: TwimlDialect;
  /** The verbs, in the order they run. */
  readonly verbs: readonly TwimlNode<P>[];

  /** @internal Use the builders' `response()`. */
  constructor(provider: P, dialect: TwimlDialect, verbs: TwimlNode<P>[]) {
    this.provider = provider;
    this.dialect = dialect;
    this.verbs = Object.freeze(verbs);
    Object.freeze(this);
  }
}

/**
 * What a handler returns: a {@link TwimlResponse}, one verb, or an array of verbs (rendered as
 * the `<Response>` holding them).
 */
export type TwimlAnswer<P extends string> =
  TwimlResponse<P> | TwimlNode<P> | readonly TwimlNode<P>[];

// ---------------------------------------------------------------------------------------------
// Types of the options, read from the grammar
// ---------------------------------------------------------------------------------------------

/** Every element of the TwiML grammar (`TWIML_ELEMENTS` of `grammar.ts`), by name. */
export type TwimlElements = typeof TWIML_ELEMENTS;

/** Whether a fact (element, attribute, child) is in every dialect of `D`. */
type InDialect<F, D extends TwimlDialect> = F extends { readonly only: readonly (infer X)[] }
  ? [D] extends [X]
    ? true
    : false
  : true;

/** The value type of a fact in dialect(s) `D`. */
type ValueIn<F, D extends TwimlDialect> = F extends {
  readonly by: infer B;
  readonly value: infer V;
}
  ? D extends keyof B
    ? Exclude<B[D], undefined>
    : V
  : F extends { readonly value: infer V }
    ? V
    : never;

/** The TypeScript type of an option of value type `V`. */
type ValueType<V> = V extends { readonly kind: 'enum'; readonly values: readonly (infer E)[] }
  ? E
  : V extends { readonly kind: 'list'; readonly values: readonly (infer E)[] }
    ? readonly E[]
    : V extends { readonly kind: 'integerList' }
      ? readonly number[]
      : V extends { readonly kind: 'integerOr'; readonly words: readonly (infer W)[] }
        ? number | W
        : V extends { readonly kind: 'integer' }
          ? number
          : V extends { readonly kind: 'boolean' }
            ? boolean
            : string;

/** The type of the option of attribute fact `F` in `D`. */
type OptionType<F, D extends TwimlDialect> = F extends { readonly url: true }
  ? string | TwimlActionRef
  : ValueType<ValueIn<F, D>>;

/**
 * The options of element `N` in dialect(s) `D`: its attributes in camelCase, each typed from the
 * grammar (numbers, booleans, arrays of list items, enums as string unions, URLs as
 * `string | TwimlActionRef`).
 */
export type TwimlOptions<N extends keyof TwimlElements, D extends TwimlDialect = TwimlDialect> = {
  readonly [
    K in keyof TwimlElements[N]['attributes'] as InDialect<
      TwimlElements[N]['attributes'][K],
      D
    > extends true
      ? K
      : never
  ]?: OptionType<TwimlElements[N]['attributes'][K], D>;
};

/** The names of the children element `N` may hold in `D`. */
type ChildNames<
  N extends keyof TwimlElements,
  D extends TwimlDialect,
> = TwimlElements[N]['children'][number] extends infer C
  ? C extends { readonly name: infer M extends string }
    ? InDialect<C, D> extends true
      ? M
      : never
    : never
  : never;

/** The text an element takes: strings, plus action references for a URL text; none: `never`. */
type TextOf<N extends keyof TwimlElements> = TwimlElements[N] extends { readonly text: infer T }
  ? T extends { readonly url: true }
    ? string | TwimlActionRef
    : string
  : never;

/** What the builder of `N` takes after its options in `D`: its text and its children. */
export type TwimlContentOf<
  P extends string,
  N extends keyof TwimlElements,
  D extends TwimlDialect,
> = TextOf<N> | TwimlNode<P, ChildNames<N, D>>;

/** The builder of element `N` in `D`: `(options?, ...content)` or `(...content)`. */
export interface TwimlElementBuilder<
  P extends string,
  N extends keyof TwimlElements,
  D extends TwimlDialect,
> {
  (options?: TwimlOptions<N, D>, ...content: TwimlContentOf<P, N, D>[]): TwimlNode<P, N>;
  (...content: TwimlContentOf<P, N, D>[]): TwimlNode<P, N>;
}

/** The elements the dialect `D` has, by their builders' names (`say`, `gather`, …). */
export type TwimlBuilderEntries<D extends TwimlDialect> = {
  [
    N in keyof TwimlElements as N extends 'Response'
      ? never
      : InDialect<TwimlElements[N], D> extends true
        ? TwimlElements[N]['builder']
        : never
  ]: N;
};

/**
 * The builders of one dialect `D`, branded with the provider name `P`: `response(...verbs)` and
 * one builder per verb and noun of the dialect (`say`, `play`, `pause`, `gather`, `dial`,
 * `number`, `sip`, `conference`, `queue`, `record`, `hangup`, `reject`, `redirect`, `enqueue`,
 * `leave`, `refer`, `connect`, `stream`, `start`, `stop`, …; Twilio also `client`, `sim`,
 * `application`, `whatsApp`, `pay`, `prompt`, `sms`, `echo`, the SSML `ssmlBreak` … `ssmlW`;
 * Telnyx `suppression`; SignalWire `denoise`, `verto`, `echo`, `pay`, `sms`).
 */
export type TwimlBuilders<P extends string, D extends TwimlDialect = TwimlDialect> = {
  readonly [B in keyof TwimlBuilderEntries<D>]: TwimlBuilderEntries<D>[B] extends infer N extends
    keyof TwimlElements
    ? TwimlElementBuilder<P, N, D>
    : never;
} & {
  /** The dialect. */
  readonly dialect: D;
  /** The provider every answer is branded with. */
  readonly provider: P;
  /**
   * `<Response>` holding `verbs` in order (verbs the dialect's `<Response>` holds).
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for something that is not a verb of
   *   these builders
   */
  response(...verbs: TwimlNode<P, ChildNames<'Response', D>>[]): TwimlResponse<P>;
  /** {@link actionRef}, here too. */
  actionRef(name: string, query?: Record<string, string>): TwimlActionRef;
};

// ---------------------------------------------------------------------------------------------
// The builders
// ---------------------------------------------------------------------------------------------

type Convert = (builder: string, name: string, value: unknown) => string | TwimlActionRef;

/** The converter of a value type: the same written values as the validator accepts. */
function converterOf(kit: TwimlKit, type: TwimlValue, url: boolean): Convert {
  const { invalid, show } = kit;
  const base = baseConverter(kit, type);
  if (!url) return base;
  return (builder, name, value) => (isActionRef(value) ? value : base(builder, name, value));
  function baseConverter(k: TwimlKit, t: TwimlValue): Convert {
    switch (t.kind) {
      case 'text':
      case 'textOrCount':
        return k.nonBlank;
      case 'url':
        return k.url;
      case 'boolean':
        return k.flag;
      case 'enum':
        return k.oneOf(...t.values);
      case 'integer':
        return k.wholeNumber(t.min, t.unit, t.max);
      case 'pattern':
        return (b, n, v) => {
          if (typeof v === 'string' && t.regex.test(v)) return k.xmlText(b, n, v);
          throw invalid(b, `${n} must be ${t.what}, got ${show(v)}`);
        };
      case 'list':
        return (b, n, v) => {
          if (
            Array.isArray(v) &&
            v.length > 0 &&
            v.every((item) => typeof item === 'string' && t.values.includes(item))
          ) {
            return v.join(' ');
          }
          throw invalid(
            b,
            `${n} must be a non-empty array of ${t.values.map((item) => `"${item}"`).join(', ')}, got ${show(v)}`,
          );
        };
      case 'integerList':
        return (b, n, v) => {
          if (
            Array.isArray(v) &&
            v.length > 0 &&
            v.every(
              (item) => typeof item === 'number' && Number.isSafeInteger(item) && item >= t.min,
            )
          ) {
            return v.join(' ');
          }
          throw invalid(
            b,
            `${n} must be a non-empty array of whole numbers of ${t.unit} ≥ ${t.min}, got ${show(v)}`,
          );
        };
      case 'integerOr':
        return (b, n, v) => {
          if (typeof v === 'string' && t.words.includes(v)) return v;
          if (typeof v === 'number') return k.wholeNumber(t.min, t.unit, t.max)(b, n, v);
          throw invalid(
            b,
            `${n} must be a whole number of ${t.unit} ≥ ${t.min} or ${t.words.map((w) => `"${w}"`).join(', ')}, got ${show(v)}`,
          );
        };
    }
  }
}

/**
 * A kit with one more check: a string XML can carry, as a pattern matched it (a pattern may
 * match `""`, `<Gather finishOnKey="">`).
 */
interface TwimlKit extends AnswerKit {
  xmlText(builder: string, name: string, value: string): string;
}

function twimlKit(provider: string): TwimlKit {
  const kit = answerKit(provider);
  return Object.freeze({
    ...kit,
    xmlText: (builder: string, name: string, value: string): string => {
      assertXmlText(value, `${provider}.${builder}: ${name}`);
      return value;
    },
  });
}

/** Whether an argument is the options object (not text, a reference or an element). */
function isOptions(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (value instanceof TwimlNode || value instanceof TwimlResponse || isActionRef(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The prepared builder of one element in one dialect. */
function elementBuilder(
  kit: TwimlKit,
  dialect: TwimlDialect,
  provider: string,
  fact: TwimlElementFact,
): (...args: unknown[]) => TwimlNode {
  const builder = fact.builder;
  const attributes: readonly (TwimlDialectAttribute & { convert: Convert })[] = attributesIn(
    fact,
    dialect,
  ).map((attribute) => ({
    ...attribute,
    convert: converterOf(kit, attribute.value, attribute.url),
  }));
  const options = attributes.map((attribute) => attribute.option);
  const allowed = childrenIn(fact, dialect);
  const text = fact.text;
  const textConvert = text === undefined ? undefined : converterOf(kit, text.value, false);
  const checkKeys: AnswerKit['checkKeys'] = kit.checkKeys;
  return (...args: unknown[]): TwimlNode => {
    let given: Record<string, unknown> = {};
    let content = args;
    if (args.length > 0 && (args[0] === undefined || isOptions(args[0]))) {
      given = (args[0] ?? {}) as Record<string, unknown>;
      content = args.slice(1);
    }
    checkKeys(builder, given, options);
    const written: Record<string, string | TwimlActionRef> = {};
    for (const attribute of attributes) {
      const value = given[attribute.option];
      if (value !== undefined) {
        written[attribute.name] = attribute.convert(builder, attribute.option, value);
      } else if (attribute.required) {
        throw kit.invalid(builder, `${attribute.option} is required`);
      }
    }
    const items: TwimlContent[] = [];
    const children: string[] = [];
    let joined = '';
    let refs = 0;
    content.forEach((item, index) => {
      const where = `content[${index}]`;
      if (typeof item === 'string' || isActionRef(item)) {
        if (text === undefined) {
          throw kit.invalid(
            builder,
            `<${fact.name}> holds no text, got ${where} ${kit.show(item)}`,
          );
        }
        if (isActionRef(item)) {
          if (text.url !== true) {
            throw kit.invalid(builder, `${where}: an action reference is a URL, not ${text.what}`);
          }
          refs += 1;
        } else {
          kit.nonBlank(builder, where, item);
          joined += item;
        }
        items.push(item);
        return;
      }
      if (!(item instanceof TwimlNode)) {
        throw kit.invalid(
          builder,
          `${where} must be text or an element built with the ${provider} builders, got ${kit.show(item)}`,
        );
      }
      if (item.provider !== provider || item.dialect !== dialect) {
        throw kit.invalid(
          builder,
          `${where} <${item.name}> was built by the ${item.provider} builders, not ${provider}'s`,
        );
      }
      if (!allowed.includes(item.name)) {
        throw kit.invalid(
          builder,
          `<${item.name}> cannot be inside <${fact.name}>${
            allowed.length === 0 ? ', which holds no elements' : `; allowed: ${allowed.join(', ')}`
          }`,
        );
      }
      children.push(item.name);
      items.push(item);
    });
    if (refs > 0 && (refs > 1 || joined !== '')) {
      throw kit.invalid(builder, `<${fact.name}> holds one URL (${text?.what ?? 'text'})`);
    }
    if (joined !== '' && textConvert !== undefined && text?.value.kind !== 'text') {
      textConvert(builder, 'text', joined);
    }
    const broken = contentRule(
      dialect,
      fact.name,
      children,
      joined !== '' || refs > 0,
      Object.keys(written),
    )[0];
    if (broken !== undefined) throw kit.invalid(builder, broken.message);
    return new TwimlNode(provider, dialect, fact.name, written, items);
  };
}

/** A builder of an element `dialect` lacks: it always throws. */
function missingBuilder(kit: AnswerKit, dialect: TwimlDialect, fact: TwimlElementFact) {
  return (): never => {
    throw kit.invalid(
      fact.builder,
      `<${fact.name}> is not an element of the ${dialect} dialect (it is ${dialectsOf(fact)}'s)`,
    );
  };
}

/**
 * The builders of one dialect, branded with the provider name `provider` (answers carry
 * `provider`): `response(...verbs)` and one builder per verb and noun (see
 * {@link TwimlBuilders}). Frozen; its functions do not use `this`.
 *
 * @param dialect - `'twilio'` (TwiML), `'telnyx'` (TeXML) or `'signalwire'` (cXML)
 * @param provider - the registry name of the provider, e.g. `'twilio'`; prefixes every error
 *   message (`twilio.gather: …`)
 */
export function twimlBuilders<P extends string, D extends TwimlDialect = TwimlDialect>(
  dialect: D,
  provider: P,
): TwimlBuilders<P, D> {
  const kit = twimlKit(provider);
  const builders: Record<string, unknown> = {};
  for (const fact of Object.values(TWIML_ELEMENTS) as TwimlElementFact[]) {
    if (fact.name === 'Response') continue;
    builders[fact.builder] =
      elementIn(fact.name, dialect) === undefined
        ? missingBuilder(kit, dialect, fact)
        : elementBuilder(kit, dialect, provider, fact);
  }
  const root = elementIn('Response', dialect) as TwimlElementFact;
  const verbs = childrenIn(root, dialect);
  builders.response = (...items: unknown[]): TwimlResponse<P> => {
    items.forEach((item, index) => {
      if (!(item instanceof TwimlNode) || item.provider !== provider || item.dialect !== dialect) {
        throw kit.invalid(
          'response',
          `verbs[${index}] must be a verb built with the ${provider} builders, got ${kit.show(item)}`,
        );
      }
      if (!verbs.includes(item.name)) {
        throw kit.invalid(
          'response',
          `<${item.name}> cannot be a verb of <Response>; verbs: ${verbs.join(', ')}`,
        );
      }
    });
    return new TwimlResponse(provider, dialect, items as TwimlNode<P>[]);
  };
  builders.actionRef = actionRef;
  builders.dialect = dialect;
  builders.provider = provider;
  return Object.freeze(builders) as TwimlBuilders<P, D>;
}

// ---------------------------------------------------------------------------------------------
// Reading and rendering answers
// ---------------------------------------------------------------------------------------------

/** The verbs of an answer, or `undefined` when `value` is not one. */
function verbsOf(value: unknown): readonly TwimlNode[] | undefined {
  if (value instanceof TwimlResponse) return value.verbs;
  if (value instanceof TwimlNode) return [value];
  if (Array.isArray(value) && value.every((item) => item instanceof TwimlNode)) {
    return value as TwimlNode[];
  }
  return undefined;
}

/** The provider that built an answer (`undefined` for an empty array). */
function providerOf(value: TwimlResponse | readonly TwimlNode[]): string | undefined {
  return value instanceof TwimlResponse ? value.provider : value[0]?.provider;
}

/**
 * Whether `value` is an answer built by the TwiML builders of `provider`: a
 * {@link TwimlResponse}, one verb, or an array of verbs (an empty array too), all of that
 * provider, each a verb its dialect's `<Response>` holds.
 */
export function isTwimlAnswer(value: unknown, provider: string): boolean {
  const verbs = verbsOf(value);
  if (verbs === undefined) return false;
  if (value instanceof TwimlResponse) return value.provider === provider;
  return verbs.every((verb) => {
    const root = elementIn('Response', verb.dialect);
    return (
      verb.provider === provider &&
      root !== undefined &&
      childrenIn(root, verb.dialect).includes(verb.name)
    );
  });
}

/** Every action reference an element holds, depth first. */
function refsOf(node: TwimlNode, into: TwimlActionRef[]): void {
  for (const value of Object.values(node.attributes)) if (isActionRef(value)) into.push(value);
  for (const item of node.content) {
    if (isActionRef(item)) into.push(item);
    else if (item instanceof TwimlNode) refsOf(item, into);
  }
}

/**
 * Every action name an answer refers to, once each, in document order.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when `answer` is not a TwiML answer
 */
export function actionsOf(answer: TwimlAnswer<string>): string[] {
  const verbs = verbsOf(answer);
  if (verbs === undefined) {
    throw new CallControlError('CC_ERR_ANSWER_INVALID', 'actionsOf: not a TwiML answer');
  }
  const refs: TwimlActionRef[] = [];
  for (const verb of verbs) refsOf(verb, refs);
  return [...new Set(refs.map((ref) => ref.name))];
}

/** Options of {@link renderTwiml}. */
export interface RenderTwimlOptions {
  /**
   * Turns an action reference into the absolute URL of its handler (with its query). Needed
   * when the answer holds references.
   */
  readonly resolveAction?: (ref: TwimlActionRef) => string;
}

/**
 * Renders an answer as the document the provider reads:
 * `<?xml version="1.0" encoding="UTF-8"?>` and `<Response>` holding the verbs in order, action
 * references written as the URLs `resolveAction` returns; `undefined` renders the empty
 * `<Response/>`, which ends the call (`docs/providers/twilio.md §5.1 Document rules`).
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a value that is not an answer of the
 *   TwiML builders, verbs of two providers, an action reference without `resolveAction`, or a
 *   `resolveAction` that returns no non-empty string
 */
export function renderTwiml(
  answer: TwimlAnswer<string> | undefined,
  options: RenderTwimlOptions = {},
): string {
  const verbs = answer === undefined ? [] : verbsOf(answer);
  if (verbs === undefined) {
    throw new CallControlError(
      'CC_ERR_ANSWER_INVALID',
      'renderTwiml: the answer must be a response, a verb or an array of verbs built with the TwiML builders',
    );
  }
  const provider =
    answer === undefined ? undefined : providerOf(answer instanceof TwimlNode ? [answer] : answer);
  for (const verb of verbs) {
    const root = elementIn('Response', verb.dialect);
    if (verb.provider !== provider) {
      throw new CallControlError(
        'CC_ERR_ANSWER_INVALID',
        `renderTwiml: the answer mixes verbs of ${String(provider)} and ${verb.provider}`,
      );
    }
    if (root === undefined || !childrenIn(root, verb.dialect).includes(verb.name)) {
      throw new CallControlError(
        'CC_ERR_ANSWER_INVALID',
        `renderTwiml: <${verb.name}> is not a verb of <Response>`,
      );
    }
  }
  const resolve = (ref: TwimlActionRef): string => {
    if (options.resolveAction === undefined) {
      throw new CallControlError(
        'CC_ERR_ANSWER_INVALID',
        `renderTwiml: the answer refers to the action "${ref.name}" but no resolveAction was given`,
      );
    }
    const url = options.resolveAction(ref);
    if (typeof url !== 'string' || url.trim() === '') {
      throw new CallControlError(
        'CC_ERR_ANSWER_INVALID',
        `renderTwiml: resolveAction returned no URL for the action "${ref.name}"`,
      );
    }
    return url;
  };
  const toElement = (node: TwimlNode): XmlElement => {
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(node.attributes)) {
      attributes[name] = isActionRef(value) ? resolve(value) : value;
    }
    return {
      name: node.name,
      attributes,
      children: node.content.map((item) =>
        typeof item === 'string' ? item : isActionRef(item) ? resolve(item) : toElement(item),
      ),
    };
  };
  return renderXml({ name: 'Response', children: verbs.map(toElement) });
}
