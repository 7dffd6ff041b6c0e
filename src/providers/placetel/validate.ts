/**
 * What Placetel documents about its call-control answer (`docs/providers/placetel.md` §3 "XML
 * response", §5 examples, §8 ambiguities; upstream
 * https://github.com/Placetel/call-control-notify-api#your-xml-response), as rule tables for
 * the validation engine.
 *
 * Tolerances, where the docs disagree with themselves: the 2017–2024 `<Queue queue_id>` is
 * accepted with a warning (§3.3, §8.6); the empty `ringtime=""` of the official Python example
 * is accepted with a warning (§5); the XML declaration is optional (§3).
 *
 * @module
 */
import {
  childrenRule,
  forwardRule,
  groupBackupRule,
  PLACETEL_ACTIONS,
  PLACETEL_GRAMMAR,
  PLACETEL_MAX_ACTIONS,
  PLACETEL_MAX_NUMBER_LENGTH,
  PLACETEL_SPEC,
  PLACETEL_SPEC_FILE,
  type PlacetelElementFact,
  type PlacetelRuleBreak,
} from './grammar';
import { findAttribute } from '../../validate/engine';
import { checkOf } from '../../validate/grammar';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  ValueCheck,
  XElement,
} from '../../validate/types';
import { all, asWarning, pattern } from '../../validate/values';

const FILE = PLACETEL_SPEC_FILE;
const S = {
  response: PLACETEL_SPEC.response,
  actions: PLACETEL_SPEC.actions,
  forward: PLACETEL_SPEC.forward,
  other: PLACETEL_SPEC.other,
  notInSpec: `${FILE} §3.4 Responses seen in consumers but NOT in the spec`,
  examples: `${FILE} §5 Example XML responses`,
  ambiguities: `${FILE} §8 Ambiguities and open questions`,
} as const;

/** A `<Number>`: an external number (`022129191999`, `+49…`, `00…`), an extension, or a SIP id. */
const numberText = all(
  (value) =>
    value.length > PLACETEL_MAX_NUMBER_LENGTH
      ? {
          code: 'out-of-range',
          message: `is longer than ${PLACETEL_MAX_NUMBER_LENGTH} characters`,
        }
      : undefined,
  asWarning(
    pattern(
      /^(\+?[0-9]+|anonymous|[^@\s]+@[^@\s]+)$/,
      'an external number, an extension or a SIP id user@server',
    ),
  ),
);

/** `ringtime` of a Target: seconds; `""` as the official Python example writes it (§5). */
const targetRingtime =
  (seconds: ValueCheck): ValueCheck =>
  (value) =>
    value === ''
      ? {
          code: 'legacy',
          message:
            'is empty, as the official Python example writes it; Placetel then presumably uses its default of 60 seconds',
          severity: 'warning' as const,
        }
      : seconds(value);

/** What only the validator knows about an attribute: its tolerated forms (warnings). */
const TOLERATED: Readonly<Record<string, (rule: AttributeRule) => AttributeRule>> = {
  'Target ringtime': (rule) => ({
    ...rule,
    value: targetRingtime(rule.value ?? (() => undefined)),
  }),
  'Queue queue_id': (rule) => ({
    ...rule,
    warning: {
      code: 'legacy',
      message:
        'queue_id is the attribute documented from 2017-05 to 2024-11; the current docs write id, and whether queue_id is still accepted is unknown',
    },
  }),
};

/** A broken rule of the grammar as a finding on its element (or attribute). */
function finding(broken: PlacetelRuleBreak, element?: XElement): Finding {
  return {
    code: broken.code,
    message: broken.document,
    spec: broken.spec,
    ...(broken.attribute === '' ? {} : { attribute: broken.attribute }),
    ...(element === undefined ? {} : { element }),
  };
}

/** The rules between an element's attributes and children (grammar rules, spec §3.2, §3.3). */
function checkOfElement(fact: PlacetelElementFact): ((element: XElement) => Finding[]) | undefined {
  const children = (element: XElement): PlacetelRuleBreak | undefined =>
    childrenRule(
      fact.name,
      element.children.filter((child) => (fact.children as readonly string[]).includes(child.name))
        .length,
    );
  switch (fact.name) {
    case 'Forward':
      return (element) => {
        const broken = forwardRule(
          findAttribute(element, 'voicemail')?.value,
          element.children.filter((child) => child.name === 'Target').length,
        );
        return broken === undefined ? [] : [finding(broken)];
      };
    case 'Group':
      return (element) => {
        const broken = groupBackupRule(
          findAttribute(element, 'backup_behaviour')?.value,
          findAttribute(element, 'backup_routing_object') !== undefined,
        );
        return broken === undefined ? [] : [finding(broken)];
      };
    case 'Target':
    case 'RoutingPlan':
      return (element) => {
        const broken = children(element);
        if (broken === undefined) return [];
        // the first child over the limit, or the element when one is missing
        const extra = element.children.filter((child) =>
          (fact.children as readonly string[]).includes(child.name),
        )[fact.maxChildren ?? Number.MAX_SAFE_INTEGER];
        return [finding(broken, broken.code === 'missing-child' ? undefined : extra)];
      };
    default:
      return undefined;
  }
}

/** The rule of an element of the grammar (`src/providers/placetel/grammar.ts`). */
function ruleOf(fact: PlacetelElementFact): ElementRule {
  const check = checkOfElement(fact);
  return {
    name: fact.name,
    spec: fact.spec,
    attributes: fact.attributes.map((attribute): AttributeRule => {
      const rule: AttributeRule = {
        name: attribute.name,
        spec: attribute.spec,
        value: checkOf(attribute.value),
        ...(attribute.required === true ? { required: true } : {}),
      };
      return TOLERATED[`${fact.name} ${attribute.name}`]?.(rule) ?? rule;
    }),
    ...(fact.requireOneOf === undefined ? {} : { requireOneOf: fact.requireOneOf }),
    ...(fact.children.length > 0 ? { children: fact.children } : {}),
    ...(fact.text === 'required' ? { text: 'required' as const, textValue: numberText } : {}),
    ...(check === undefined ? {} : { check }),
  };
}

const ELEMENTS: Record<string, ElementRule> = Object.fromEntries(
  Object.values(PLACETEL_GRAMMAR).map((fact) => [fact.name, ruleOf(fact)]),
);

const ACTIONS: readonly string[] = PLACETEL_ACTIONS;

function documentRules(root: XElement): Finding[] {
  const actions = root.children.filter((child) => ACTIONS.includes(child.name));
  if (root.children.length === 0) {
    return [
      {
        code: 'placetel.empty-response',
        message:
          'an empty <Response/> carries no action: an acknowledgement only; what Placetel does with it for an IncomingCall is undocumented (presumably the backup routing)',
        spec: `${S.notInSpec}; ${FILE} §8.5`,
        severity: 'warning',
      },
    ];
  }
  if (actions.length > PLACETEL_MAX_ACTIONS) {
    return actions.slice(PLACETEL_MAX_ACTIONS).map((action) => ({
      code: 'placetel.multiple-actions',
      message: `<Response> holds one action; <${action.name}> is action ${actions.indexOf(action) + 1} (what Placetel does with several is undocumented)`,
      spec: `${S.response}; ${FILE} §8.5`,
      element: action,
    }));
  }
  return [];
}

/** The Placetel answer rules (spec `docs/providers/placetel.md` §3). */
export const PLACETEL_RULES: ProviderRules = {
  provider: 'placetel',
  specFile: FILE,
  root: { name: 'Response', spec: S.response },
  rootChildren: ACTIONS,
  elements: ELEMENTS,
  unknownElement: { severity: 'error', spec: S.actions },
  unknownAttribute: { severity: 'error', spec: S.response },
  hints: {
    Dial: {
      message:
        'sipgate.io syntax that Zammad sends for outgoing calls, not a Placetel element (and outgoing answers are not processed)',
      spec: S.notInSpec,
    },
    Error: { message: "a Zammad-internal element, not Placetel's", spec: S.notInSpec },
  },
  document: documentRules,
};
