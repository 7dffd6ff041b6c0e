/**
 * What sipgate documents about its Push API answer (`docs/providers/sipgate.md` §4 "XML answer
 * language", §4.7 grammar summary, §11 ambiguities; upstream
 * https://developer.sipgate.io/push-api/api-reference/), as rule tables for the validation
 * engine.
 *
 * The elements, attributes, value types, texts and the nesting — what `<Response>`, `<Dial>`,
 * `<Play>` and `<Gather>` hold, and how many — are the grammar the builders use
 * (`src/providers/sipgate/grammar.ts`); this table adds only what the validator tolerates or
 * explains. Tolerances: a Gather `timeout` of 0 (sipgate's own IVR example) and a `+` before a
 * `<Number>` or a `callerId` pass with a warning (the
 * reference writes E.164 numbers without it, sipgate's SDK example with it; §4.2, §11.11); the
 * XML declaration is optional and its encoding may be written `utf-8` (§7).
 *
 * @module
 */
import {
  childrenRule,
  SIPGATE_ACTIONS,
  SIPGATE_E164,
  SIPGATE_GATHER_TIMEOUT,
  SIPGATE_GRAMMAR,
  SIPGATE_SPEC,
  SIPGATE_SPEC_FILE,
  type SipgateElementFact,
  type SipgateElementName,
} from './grammar';
import { checkOf, type GrammarValue } from '../../validate/grammar';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  ValueCheck,
  XElement,
} from '../../validate/types';
import { all, quote } from '../../validate/values';

const FILE = SIPGATE_SPEC_FILE;
const S = SIPGATE_SPEC;

/** A `+` before an E.164 number: accepted, but the reference writes none (§4.2, §11.11). */
const plusPrefix: ValueCheck = (value) =>
  value.trim().startsWith('+')
    ? {
        code: 'undocumented',
        message: `is written with a "+" (${quote(value)}): sipgate's reference writes E.164 numbers as digits only; the "+" appears only in an SDK example`,
        severity: 'warning',
      }
    : undefined;

/**
 * A Gather `timeout` of 0: written by sipgate's own IVR example and allowed by its SDK, but the
 * reference says ≥ 1 (§4.4, §11.10).
 */
const zeroTimeout: ValueCheck = (value) =>
  /^\s*0+\s*$/.test(value)
    ? {
        code: 'undocumented',
        message: `is 0: the reference says at least 1 millisecond; sipgate's own IVR example writes 0 to play the prompt and go on at once`,
        severity: 'warning',
      }
    : undefined;

/**
 * The validator's check of a grammar value: as the builders write it, plus the warnings for a
 * `+` before a number and a Gather timeout of 0.
 */
function check(type: GrammarValue): ValueCheck {
  const strict = checkOf(type);
  if (type === SIPGATE_E164) return all(strict, plusPrefix);
  if (type === SIPGATE_GATHER_TIMEOUT) return all(strict, zeroTimeout);
  return strict;
}

/** The findings of the nesting rules (grammar `childrenRule`) for `element`'s children. */
function nesting(name: SipgateElementName, element: XElement): Finding[] {
  return childrenRule(
    name,
    element.children.map((child) => child.name),
  ).map((broken) => ({
    code: broken.code,
    message: broken.message,
    spec: broken.spec,
    element: (broken.at === undefined ? undefined : element.children[broken.at]) ?? element,
  }));
}

/** The rule of an element of the grammar (`src/providers/sipgate/grammar.ts`). */
function ruleOf(fact: SipgateElementFact): ElementRule {
  const text = fact.text;
  return {
    name: fact.name,
    spec: fact.spec,
    attributes: fact.attributes.map((attribute): AttributeRule => ({
      name: attribute.name,
      spec: attribute.spec,
      value: check(attribute.value),
      ...(attribute.required === true ? { required: true } : {}),
    })),
    ...(fact.children.length > 0 ? { children: fact.children.map((child) => child.name) } : {}),
    ...(text === undefined ? {} : { text: 'required' as const, textValue: check(text) }),
    ...(fact.children.length > 0
      ? { check: (element: XElement) => nesting(fact.name, element) }
      : {}),
  };
}

const ELEMENTS: Record<string, ElementRule> = Object.fromEntries(
  Object.values(SIPGATE_GRAMMAR)
    .filter((fact) => fact.name !== 'Response')
    .map((fact) => [fact.name, ruleOf(fact)]),
);

const ROOT = ruleOf(SIPGATE_GRAMMAR.Response);

/** The sipgate.io answer rules (spec `docs/providers/sipgate.md` §4). */
export const SIPGATE_RULES: ProviderRules = {
  provider: 'sipgate',
  specFile: FILE,
  root: { name: 'Response', spec: S.response },
  rootAttributes: ROOT.attributes ?? [],
  rootChildren: SIPGATE_ACTIONS,
  elements: ELEMENTS,
  unknownElement: { severity: 'error', spec: S.language },
  unknownAttribute: { severity: 'error', spec: S.language },
  hints: {
    Say: {
      message:
        'sipgate.io has no text-to-speech: <Say> was requested and never implemented; play a WAV file with <Play><Url>',
      spec: S.summary,
    },
    Error: {
      message:
        "an error answer of sipgate's Node SDK and of Zammad, not an element sipgate executes",
      spec: `${FILE} §9; ${FILE} §10`,
    },
    Redirect: { message: 'sipgate redirects a call with <Dial><Number>', spec: S.dial },
  },
  document: (root) => nesting('Response', root),
};
