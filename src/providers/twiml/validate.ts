/**
 * The validator's rules of a TwiML dialect (Twilio TwiML, Telnyx TeXML, SignalWire cXML) for
 * the generic engine (`src/validate/engine.ts`), built from the same grammar as the builders
 * (`grammar.ts`): the elements the dialect has, their attributes and value types, the nesting
 * and the content rules ({@link contentRule}).
 *
 * Errors are what the builders refuse (`test/property/twiml-agreement.property.test.ts`),
 * unknown elements and attributes included: Twilio runs a document with them after a schema
 * warning, but what it skips is undocumented (`docs/providers/twilio.md §8 Ambiguities`).
 * Warnings, never errors — old or undocumented forms the references show, and documents that
 * run but not as written:
 * - `<Dial record="true">`/`"false"` (Twilio, SignalWire), the legacy spellings of
 *   `record-from-answer` and `do-not-record` (`docs/providers/twilio.md §5.3 Verbs and nouns`;
 *   SignalWire's own sample, `docs/providers/signalwire.md §5.2 Verbs and nouns`), which the
 *   builders take too;
 * - `<Queue>` and `<Prompt>` directly in `<Response>`: twilio-node writes them, Twilio documents
 *   them only inside `<Dial>` and `<Pay>` (`docs/providers/twilio.md §8 Ambiguities`);
 * - a `<Say>` text over 4,000 characters (Twilio) or 4,096 (SignalWire): the references differ
 *   and advise a warning (`docs/providers/twilio.md §8 Ambiguities`);
 * - verbs after `<Hangup>`, `<Redirect>`, `<Reject>` or `<Leave>`, which never run
 *   (`docs/providers/twilio.md §5.1 Document rules`);
 * - Telnyx's `<AIGather>`, `<HttpRequest>` and `<AIAssistant>`, whose inner grammar the
 *   reference could not recover (`docs/providers/telnyx.md §5.2 Verb support`): accepted
 *   unchecked.
 *
 * @module
 */
import { checkOf, type GrammarValue } from '../../validate/grammar';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  ValueCheck,
  XElement,
} from '../../validate/types';
import { quote } from '../../validate/values';
import {
  attributesIn,
  childrenIn,
  contentRule,
  dialectSpec,
  dialectsOf,
  elementIn,
  TWIML_ELEMENTS,
  TWIML_LEGACY_RECORD,
  TWIML_SPEC,
  type TwimlDialect,
  type TwimlElementFact,
  type TwimlValue,
} from './grammar';

const S = TWIML_SPEC;

/** The validator's check of a value type: exactly what the builders write. */
export function twimlCheckOf(type: TwimlValue): ValueCheck {
  switch (type.kind) {
    case 'list':
      return (value) => {
        const items = value.trim() === '' ? [] : value.trim().split(/\s+/);
        const bad = items.find((item) => !type.values.includes(item));
        if (items.length > 0 && bad === undefined) return undefined;
        return {
          code: items.length === 0 ? 'bad-format' : 'bad-enum',
          message: `must be a space-separated list of ${type.values.map((item) => `"${item}"`).join(', ')}, got ${quote(value)}`,
        };
      };
    case 'integerList':
      return (value) => {
        const items = value.trim() === '' ? [] : value.trim().split(/\s+/);
        const ok =
          items.length > 0 &&
          items.every(
            (item) =>
              /^[0-9]+$/.test(item) &&
              Number(item) >= type.min &&
              Number(item) <= Number.MAX_SAFE_INTEGER,
          );
        return ok
          ? undefined
          : {
              code: 'bad-format',
              message: `must be a space-separated list of whole numbers of ${type.unit} ≥ ${type.min}, got ${quote(value)}`,
            };
      };
    case 'integerOr': {
      const number = checkOf({
        kind: 'integer',
        unit: type.unit,
        min: type.min,
        ...(type.max === undefined ? {} : { max: type.max }),
      });
      return (value) => {
        if (type.words.includes(value)) return undefined;
        const issue = number(value);
        return issue === undefined
          ? undefined
          : {
              ...issue,
              message: `${issue.message}, or ${type.words.map((w) => `"${w}"`).join(', ')}`,
            };
      };
    }
    default:
      return checkOf(type as GrammarValue);
  }
}

/** The legacy `true`/`false` of `<Dial record>` (see the module notes). */
const LEGACY_RECORD: ValueCheck = (value) =>
  value === 'true' || value === 'false'
    ? {
        code: 'legacy',
        message: `is the legacy ${quote(value)}: write ${value === 'true' ? '"record-from-answer"' : '"do-not-record"'}`,
        severity: 'warning',
      }
    : undefined;

/** The findings of {@link contentRule} for `element`. */
function content(dialect: TwimlDialect, element: XElement): Finding[] {
  return contentRule(
    dialect,
    element.name,
    element.children.map((child) => child.name),
    element.text.trim() !== '',
    element.attributes.map((attribute) => attribute.name),
  ).map((broken) => ({
    code: broken.code,
    message: broken.message,
    spec: broken.spec,
    element: (broken.at === undefined ? undefined : element.children[broken.at]) ?? element,
  }));
}

/** The rule of one element in one dialect. */
function ruleOf(fact: TwimlElementFact, dialect: TwimlDialect): ElementRule {
  const spec = dialectSpec(fact, dialect);
  const children = childrenIn(fact, dialect);
  const text = fact.text;
  return {
    name: fact.name,
    spec,
    attributes: attributesIn(fact, dialect).map((attribute): AttributeRule => {
      let value = twimlCheckOf(attribute.value);
      const legacy =
        fact.name === 'Dial' &&
        attribute.name === 'record' &&
        attribute.value.kind === 'enum' &&
        TWIML_LEGACY_RECORD.every((word) =>
          (attribute.value as { values: readonly string[] }).values.includes(word),
        );
      if (legacy) {
        const strict = value;
        value = (text) => LEGACY_RECORD(text) ?? strict(text);
      }
      return {
        name: attribute.name,
        spec: attribute.spec,
        value,
        ...(attribute.required ? { required: true } : {}),
      };
    }),
    ...(children.length > 0 ? { children } : {}),
    // what text an element needs is the content rule's; the engine checks its value
    text: 'optional',
    ...(text === undefined
      ? {}
      : {
          textValue: twimlCheckOf(text.value),
        }),
    check: (element: XElement) => [...content(dialect, element), ...sayLength(dialect, element)],
  };
}

/** Telnyx verbs accepted unchecked (see the module notes). */
const TELNYX_OPAQUE = ['AIGather', 'HttpRequest', 'AIAssistant'];

/**
 * The rules of `dialect` for the validation engine, named `provider` and citing `specFile`
 * (the provider's reference, e.g. `docs/providers/twilio.md`).
 *
 * @example `runRules(twimlRules('telnyx', 'telnyx', 'docs/providers/telnyx.md'), xml)`
 */
export function twimlRules(
  dialect: TwimlDialect,
  provider: string,
  specFile: string,
): ProviderRules {
  const facts = Object.values(TWIML_ELEMENTS) as TwimlElementFact[];
  const elements: Record<string, ElementRule> = {};
  const hints: Record<string, { message: string; spec: string }> = {};
  const languageSpec =
    dialect === 'telnyx' ? S.telnyxVerbs : dialect === 'signalwire' ? S.signalwireVerbs : S.nesting;
  for (const fact of facts) {
    if (fact.name === 'Response') continue;
    if (elementIn(fact.name, dialect) !== undefined) elements[fact.name] = ruleOf(fact, dialect);
    else {
      hints[fact.name] = {
        message: `<${fact.name}> is ${dialectsOf(fact)}'s, not ${provider}'s`,
        spec: languageSpec,
      };
    }
  }
  const root = elementIn('Response', dialect) as TwimlElementFact;
  const rootChildren = [...childrenIn(root, dialect)];
  const undocumentedAtRoot: string[] = [];
  if (dialect === 'twilio') {
    // twilio-node writes them at the top; Twilio documents them inside <Dial> and <Pay>
    undocumentedAtRoot.push('Queue', 'Prompt');
    rootChildren.push(...undocumentedAtRoot);
  }
  if (dialect === 'telnyx') {
    for (const name of TELNYX_OPAQUE) {
      elements[name] = {
        name,
        spec: S.telnyxVerbs,
        opaque: true,
        warning: {
          code: 'undocumented',
          message: `a TeXML-only verb whose content the reference does not give; not checked`,
        },
      };
      rootChildren.push(name);
    }
  }
  return {
    provider,
    specFile,
    root: { name: 'Response', spec: S.document },
    rootChildren,
    elements,
    unknownElement: { severity: 'error', spec: languageSpec },
    unknownAttribute: {
      severity: 'error',
      spec:
        dialect === 'telnyx'
          ? S.telnyxAttributes
          : dialect === 'signalwire'
            ? S.signalwireVerbs
            : S.verbs,
    },
    hints,
    document: (element) => [
      ...element.children
        .filter((child) => undocumentedAtRoot.includes(child.name))
        .map((child): Finding => ({
          code: 'undocumented',
          message: `<${child.name}> directly in <Response> is written by twilio-node but documented only inside <${child.name === 'Queue' ? 'Dial' : 'Pay'}>`,
          spec: S.gaps,
          severity: 'warning',
          element: child,
        })),
      ...unreachable(element),
    ],
  };
}

/** The verbs after which nothing runs (`docs/providers/twilio.md §5.1 Document rules`). */
const FINAL_VERBS = ['Hangup', 'Redirect', 'Reject', 'Leave'];

/** A warning for the verbs after a `<Hangup>`, `<Redirect>`, `<Reject>` or `<Leave>`. */
function unreachable(root: XElement): Finding[] {
  const index = root.children.findIndex((child) => FINAL_VERBS.includes(child.name));
  const final = root.children[index];
  const after = root.children[index + 1];
  if (final === undefined || after === undefined) return [];
  return [
    {
      code: 'twiml.unreachable',
      message: `<${after.name}> and what follows never run: the call leaves this document at <${final.name}>`,
      spec: S.document,
      severity: 'warning',
      element: after,
    },
  ];
}

/**
 * The most characters of a `<Say>` text: 4,000 (Twilio) and 4,096 (SignalWire); longer text is
 * warned about, not refused (`docs/providers/twilio.md §8 Ambiguities`, item 9).
 */
const SAY_LIMIT: Partial<Record<TwimlDialect, number>> = { twilio: 4000, signalwire: 4096 };

/** The warning for a `<Say>` text over its dialect's limit. */
function sayLength(dialect: TwimlDialect, element: XElement): Finding[] {
  const limit = SAY_LIMIT[dialect];
  if (element.name !== 'Say' || limit === undefined) return [];
  const length = [...element.text.trim()].length;
  return length > limit
    ? [
        {
          code: 'twiml.say-length',
          message: `<Say> text has ${length} characters; ${dialect === 'twilio' ? 'Twilio reads at most 4,000' : 'SignalWire reads at most 4,096'}`,
          spec: S.gaps,
          severity: 'warning',
        },
      ]
    : [];
}
