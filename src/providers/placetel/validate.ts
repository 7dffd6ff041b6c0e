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
  groupBackupRule,
  PLACETEL_BACKUP_BEHAVIOUR,
  PLACETEL_GROUP_RINGTIME,
  PLACETEL_ID,
  PLACETEL_MAX_NUMBER_LENGTH,
  PLACETEL_REJECT_REASON,
  PLACETEL_SPEC,
  PLACETEL_SPEC_FILE,
  PLACETEL_TARGET_RINGTIME,
} from './grammar';
import { findAttribute } from '../../validate/engine';
import { checkOf } from '../../validate/grammar';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  XElement,
} from '../../validate/types';
import { all, asWarning, boolean, pattern } from '../../validate/values';

const FILE = PLACETEL_SPEC_FILE;
const S = {
  response: `${FILE} §3 XML response`,
  actions: `${FILE} §3.1 Actions`,
  forward: PLACETEL_SPEC.forward,
  other: PLACETEL_SPEC.other,
  notInSpec: `${FILE} §3.4 Responses seen in consumers but NOT in the spec`,
  examples: `${FILE} §5 Example XML responses`,
  ambiguities: `${FILE} §8 Ambiguities and open questions`,
} as const;

/** A Placetel record id: the docs show digits (`123`, `7684`); letters, `_` and `-` pass too. */
const id = checkOf(PLACETEL_ID);
const flag = boolean();

/** The actions of §3.1: what `<Response>` holds. */
const ACTIONS = ['Forward', 'Reject', 'Hangup', 'Prompt', 'Group', 'RoutingPlan', 'Queue'];

const ANNOUNCEMENTS = (spec: string): AttributeRule[] => [
  { name: 'music_on_hold', spec, value: flag },
  { name: 'voicemail_announcement', spec, value: id },
  { name: 'voicemail_as_attachment', spec, value: flag },
  { name: 'forward_announcement', spec, value: id },
];

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

function forwardCheck(element: XElement): Finding[] {
  const voicemail = findAttribute(element, 'voicemail');
  const hasTarget = element.children.some((child) => child.name === 'Target');
  if (!hasTarget && voicemail?.value === 'false') {
    return [
      {
        code: 'placetel.forward-nowhere',
        message:
          '<Forward> without <Target> goes straight to voicemail, so voicemail="false" leaves the call nowhere to go',
        spec: S.forward,
        attribute: 'voicemail',
      },
    ];
  }
  return [];
}

function targetCheck(element: XElement): Finding[] {
  return element.children.some((child) => child.name === 'Number')
    ? []
    : [
        {
          code: 'missing-child',
          message: '<Target> needs at least one <Number>',
          spec: S.forward,
        },
      ];
}

/** `ringtime` of a Target: seconds; `""` as the official Python example writes it (§5). */
const targetRingtime = (value: string) =>
  value === ''
    ? {
        code: 'legacy',
        message:
          'is empty, as the official Python example writes it; Placetel then presumably uses its default of 60 seconds',
        severity: 'warning' as const,
      }
    : checkOf(PLACETEL_TARGET_RINGTIME)(value);

function groupCheck(element: XElement): Finding[] {
  const broken = groupBackupRule(
    findAttribute(element, 'backup_behaviour')?.value,
    findAttribute(element, 'backup_routing_object') !== undefined,
  );
  return broken === undefined
    ? []
    : [
        {
          code: broken.code,
          message: broken.document,
          spec: broken.spec,
          attribute: broken.attribute,
        },
      ];
}

const ELEMENTS: Record<string, ElementRule> = {
  Forward: {
    name: 'Forward',
    spec: S.forward,
    attributes: [{ name: 'voicemail', spec: S.forward, value: flag }, ...ANNOUNCEMENTS(S.forward)],
    children: ['Target'],
    check: forwardCheck,
  },
  Target: {
    name: 'Target',
    spec: S.forward,
    attributes: [{ name: 'ringtime', spec: S.forward, value: targetRingtime }],
    children: ['Number'],
    check: targetCheck,
  },
  Number: { name: 'Number', spec: S.forward, text: 'required', textValue: numberText },
  Reject: {
    name: 'Reject',
    spec: S.other,
    attributes: [{ name: 'reason', spec: S.other, value: checkOf(PLACETEL_REJECT_REASON) }],
  },
  Hangup: { name: 'Hangup', spec: S.other },
  Prompt: {
    name: 'Prompt',
    spec: S.other,
    attributes: [{ name: 'id', spec: S.other, required: true, value: id }],
  },
  Group: {
    name: 'Group',
    spec: S.other,
    attributes: [
      { name: 'id', spec: S.other, required: true, value: id },
      { name: 'ringtime', spec: S.other, value: checkOf(PLACETEL_GROUP_RINGTIME) },
      { name: 'backup_behaviour', spec: S.other, value: checkOf(PLACETEL_BACKUP_BEHAVIOUR) },
      { name: 'backup_routing_object', spec: S.other, value: id },
      ...ANNOUNCEMENTS(S.other),
    ],
    check: groupCheck,
  },
  RoutingPlan: {
    name: 'RoutingPlan',
    spec: S.other,
    attributes: [{ name: 'id', spec: S.other, required: true, value: id }],
    children: ['Forward'],
    check: (element) =>
      element.children.filter((child) => child.name === 'Forward').length > 1
        ? [
            {
              code: 'duplicate',
              message: '<RoutingPlan> takes one fallback <Forward>',
              spec: S.other,
            },
          ]
        : [],
  },
  Queue: {
    name: 'Queue',
    spec: S.other,
    attributes: [
      { name: 'id', spec: S.other, value: id },
      {
        name: 'queue_id',
        spec: `${S.other}; ${FILE} §8.6`,
        value: id,
        warning: {
          code: 'legacy',
          message:
            'queue_id is the attribute documented from 2017-05 to 2024-11; the current docs write id, and whether queue_id is still accepted is unknown',
        },
      },
    ],
    requireOneOf: ['id', 'queue_id'],
  },
};

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
  if (actions.length > 1) {
    return actions.slice(1).map((action) => ({
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
