/**
 * The facts of Placetel's call-control answer, written once: the value types, ranges with
 * their units and enums of its attributes, and the rules between them, each with its section
 * of `docs/providers/placetel.md` (§3.2 `<Forward>` attributes, §3.3 other actions; upstream
 * https://github.com/Placetel/call-control-notify-api#your-xml-response).
 *
 * The elements too: which attributes each takes (with the builders' option names), what each
 * may hold and how many ({@link PLACETEL_GRAMMAR}), and the rules between them
 * ({@link childrenRule}, {@link forwardRule}, {@link groupBackupRule}).
 *
 * The builders (`responses.ts`) and the validator's rule table (`src/providers/placetel/validate.ts`) both
 * read them; `test/property/placetel-agreement.property.test.ts` proves that they agree. What
 * only the validator knows — the tolerated `queue_id` and empty `ringtime=""` (warnings), the
 * number formats it warns about, hints for other providers' elements — stays in the validator.
 *
 * @module
 */
import type { GrammarValue } from '../../validate/grammar';

/** The provider reference every section below is in. */
export const PLACETEL_SPEC_FILE = 'docs/providers/placetel.md';

/** The sections the grammar cites (`docs/providers/placetel.md` §3). */
export const PLACETEL_SPEC = {
  /** `<Forward>`, `<Target>`, `<Number>` (spec §3.2). */
  forward: 'docs/providers/placetel.md §3.2 <Forward> attributes',
  /** Reject, Hangup, Queue, Prompt, Group, RoutingPlan (spec §3.3). */
  other: 'docs/providers/placetel.md §3.3 Other actions',
  /** The answer document, `<Response>` with one action (spec §3). */
  response: 'docs/providers/placetel.md §3 XML response',
  /** The actions `<Response>` holds (spec §3.1). */
  actions: 'docs/providers/placetel.md §3.1 Actions',
} as const;

/** The actions a Placetel answer can carry (spec §3.1). */
export type PlacetelAction =
  'Forward' | 'Reject' | 'Hangup' | 'Queue' | 'Prompt' | 'Group' | 'RoutingPlan';

/** The elements of a Placetel answer below `<Response>` (spec §3.1–§3.3). */
export type PlacetelElementName = PlacetelAction | 'Target' | 'Number';

/** The actions, in the order the reference lists them (spec §3.1): what `<Response>` holds. */
export const PLACETEL_ACTIONS: readonly PlacetelAction[] = [
  'Forward',
  'Reject',
  'Hangup',
  'Prompt',
  'Group',
  'RoutingPlan',
  'Queue',
];

/**
 * A Placetel record id (Prompt, Queue, Group, RoutingPlan `id`, announcements; spec §3.3): the
 * docs show digits (`123`, `7684`); letters, `_` and `-` pass too, at most 64 characters.
 */
export const PLACETEL_ID = {
  kind: 'pattern',
  regex: /^[0-9A-Za-z_-]{1,64}$/,
  what: 'an id such as "123"',
} as const satisfies GrammarValue;

/** `<Target ringtime>`: whole seconds from 1 to 3600 (spec §3.2). */
export const PLACETEL_TARGET_RINGTIME = {
  kind: 'integer',
  unit: 'seconds',
  min: 1,
  max: 3600,
} as const;

/** `<Group ringtime>`: whole seconds from 10 to 60 (spec §3.3). */
export const PLACETEL_GROUP_RINGTIME = {
  kind: 'integer',
  unit: 'seconds',
  min: 10,
  max: 60,
} as const;

/** `<Reject reason>`: `busy`, the only documented reason (spec §3.3). */
export const PLACETEL_REJECT_REASON = {
  kind: 'enum',
  values: ['busy'],
} as const satisfies GrammarValue;

/** `<Group backup_behaviour>` (spec §3.3). */
export const PLACETEL_BACKUP_BEHAVIOUR = {
  kind: 'enum',
  values: ['mailbox', 'routing_object'],
} as const satisfies GrammarValue;

/** `true` or `false` (`voicemail`, `music_on_hold`, `voicemail_as_attachment`; spec §3.2, §3.3). */
export const PLACETEL_FLAG = { kind: 'boolean' } as const satisfies GrammarValue;

/** The longest `<Number>` text accepted, in characters (spec §3.2 gives none; a sanity bound). */
export const PLACETEL_MAX_NUMBER_LENGTH = 256;

/** One attribute of an element: the builders' option, the attribute as Placetel spells it. */
export interface PlacetelAttributeFact {
  /** The builders' option name (camelCase), e.g. `musicOnHold`. */
  readonly option: string;
  /** The attribute as written, e.g. `music_on_hold`. */
  readonly name: string;
  /** Its value type. */
  readonly value: GrammarValue;
  /** Must be present. */
  readonly required?: boolean;
  /** The section documenting it. */
  readonly spec: string;
}

/** One element: its attributes, what it holds and how many, its text. */
export interface PlacetelElementFact {
  /** The element name (case-sensitive). */
  readonly name: PlacetelElementName;
  /** The section documenting it. */
  readonly spec: string;
  /** Its attributes, in the order the builders write them. */
  readonly attributes: readonly PlacetelAttributeFact[];
  /** Exactly one of these attributes must be given (`<Queue>`: `id` or the legacy `queue_id`). */
  readonly requireOneOf?: readonly string[];
  /** The elements it may hold; none when empty. */
  readonly children: readonly PlacetelElementName[];
  /** How many child elements at least (default 0). */
  readonly minChildren?: number;
  /** How many child elements at most (default: any number). */
  readonly maxChildren?: number;
  /** Its text: `required` (not blank) for `<Number>`; else none. */
  readonly text?: 'required';
}

const F = PLACETEL_SPEC.forward;
const O = PLACETEL_SPEC.other;

/** The announcement attributes `<Forward>` and `<Group>` share (spec §3.2, §3.3). */
function announcements(spec: string): PlacetelAttributeFact[] {
  return [
    { option: 'voicemailAnnouncement', name: 'voicemail_announcement', value: PLACETEL_ID, spec },
    {
      option: 'voicemailAsAttachment',
      name: 'voicemail_as_attachment',
      value: PLACETEL_FLAG,
      spec,
    },
    { option: 'forwardAnnouncement', name: 'forward_announcement', value: PLACETEL_ID, spec },
    { option: 'musicOnHold', name: 'music_on_hold', value: PLACETEL_FLAG, spec },
  ];
}

/** The elements of a Placetel answer (spec §3.2 `<Forward>` attributes, §3.3 other actions). */
export const PLACETEL_GRAMMAR: Readonly<Record<PlacetelElementName, PlacetelElementFact>> = {
  Forward: {
    name: 'Forward',
    spec: F,
    attributes: [
      { option: 'voicemail', name: 'voicemail', value: PLACETEL_FLAG, spec: F },
      ...announcements(F),
    ],
    // tried in order; none: straight to voicemail (see forwardRule)
    children: ['Target'],
  },
  Target: {
    name: 'Target',
    spec: F,
    attributes: [
      { option: 'ringtime', name: 'ringtime', value: PLACETEL_TARGET_RINGTIME, spec: F },
    ],
    // the numbers of a target ring together
    children: ['Number'],
    minChildren: 1,
  },
  Number: { name: 'Number', spec: F, attributes: [], children: [], text: 'required' },
  Reject: {
    name: 'Reject',
    spec: O,
    attributes: [{ option: 'reason', name: 'reason', value: PLACETEL_REJECT_REASON, spec: O }],
    children: [],
  },
  Hangup: { name: 'Hangup', spec: O, attributes: [], children: [] },
  Prompt: {
    name: 'Prompt',
    spec: O,
    attributes: [{ option: 'id', name: 'id', value: PLACETEL_ID, required: true, spec: O }],
    children: [],
  },
  Group: {
    name: 'Group',
    spec: O,
    attributes: [
      { option: 'id', name: 'id', value: PLACETEL_ID, required: true, spec: O },
      { option: 'ringtime', name: 'ringtime', value: PLACETEL_GROUP_RINGTIME, spec: O },
      {
        option: 'backupBehaviour',
        name: 'backup_behaviour',
        value: PLACETEL_BACKUP_BEHAVIOUR,
        spec: O,
      },
      { option: 'backupRoutingObject', name: 'backup_routing_object', value: PLACETEL_ID, spec: O },
      ...announcements(O),
    ],
    children: [],
  },
  RoutingPlan: {
    name: 'RoutingPlan',
    spec: O,
    attributes: [{ option: 'id', name: 'id', value: PLACETEL_ID, required: true, spec: O }],
    // one fallback <Forward>, used when no routing object of the plan is active
    children: ['Forward'],
    maxChildren: 1,
  },
  Queue: {
    name: 'Queue',
    spec: O,
    attributes: [
      { option: 'id', name: 'id', value: PLACETEL_ID, spec: O },
      // documented 2017-05 to 2024-11 (spec §3.3, §8.6); the builders write it on request
      {
        option: 'id',
        name: 'queue_id',
        value: PLACETEL_ID,
        spec: `${O}; ${PLACETEL_SPEC_FILE} §8.6`,
      },
    ],
    requireOneOf: ['id', 'queue_id'],
    children: [],
  },
};

/** `<Response>` (spec §3): one of {@link PLACETEL_ACTIONS}, at most one (what Placetel does with several is undocumented, §8.5). */
export const PLACETEL_MAX_ACTIONS = 1;

/** A broken rule between attributes: how the builders and the validator say it. */
export interface PlacetelRuleBreak {
  /** e.g. `placetel.group-backup`. */
  readonly code: string;
  /** In the builders' option names (`backupRoutingObject`). */
  readonly builder: string;
  /** In the document's attribute names (`backup_routing_object`). */
  readonly document: string;
  /** The attribute it is about; `''` for the element itself. */
  readonly attribute: string;
  /** The section it breaks. */
  readonly spec: string;
}

/**
 * What `parent` holds (spec §3.2, §3.3): at least {@link PlacetelElementFact.minChildren} and at
 * most {@link PlacetelElementFact.maxChildren} child elements of those it may hold (`<Target>`:
 * a `<Number>` at least; `<RoutingPlan>`: one fallback `<Forward>` at most). `count` is how many
 * it holds. Undefined when it fits. The builder message names the option (`numbers`,
 * `fallback`).
 */
export function childrenRule(
  parent: PlacetelElementName,
  count: number,
): PlacetelRuleBreak | undefined {
  const fact = PLACETEL_GRAMMAR[parent];
  const names = fact.children.map((name) => `<${name}>`).join(' or ');
  if (count < (fact.minChildren ?? 0)) {
    return {
      code: 'missing-child',
      builder: `${OPTION_OF_CHILDREN[parent] ?? 'children'} must list at least one ${(fact.children[0] ?? '').toLowerCase()}`,
      document: `<${parent}> needs at least ${fact.minChildren === 1 ? 'one' : String(fact.minChildren)} ${names}`,
      attribute: '',
      spec: fact.spec,
    };
  }
  if (fact.maxChildren !== undefined && count > fact.maxChildren) {
    return {
      code: 'duplicate',
      builder: `${OPTION_OF_CHILDREN[parent] ?? 'children'} takes one ${names}`,
      document: `<${parent}> takes ${fact.maxChildren === 1 ? 'one' : String(fact.maxChildren)} ${parent === 'RoutingPlan' ? 'fallback ' : ''}${names}`,
      attribute: '',
      spec: fact.spec,
    };
  }
  return undefined;
}

/** The builders' option that carries an element's children, as their messages name it. */
const OPTION_OF_CHILDREN: Partial<Record<PlacetelElementName, string>> = {
  Forward: 'targets',
  Target: 'numbers',
  RoutingPlan: 'fallback',
};

/**
 * `<Forward>` without `<Target>` goes straight to voicemail (spec §3.2), so `voicemail="false"`
 * leaves the call nowhere to go. `voicemail` is the attribute's value (undefined: absent,
 * Placetel's default `true`); `targets` how many `<Target>`s it holds.
 */
export function forwardRule(
  voicemail: string | undefined,
  targets: number,
): PlacetelRuleBreak | undefined {
  if (targets > 0 || voicemail !== 'false') return undefined;
  return {
    code: 'placetel.forward-nowhere',
    builder: 'without targets the call goes to voicemail, so voicemail cannot be false',
    document:
      '<Forward> without <Target> goes straight to voicemail, so voicemail="false" leaves the call nowhere to go',
    attribute: 'voicemail',
    spec: PLACETEL_SPEC.forward,
  };
}

/**
 * `<Group>`'s backup (spec §3.3): `backup_behaviour="routing_object"` needs a
 * `backup_routing_object`, which is used only then. `behaviour` is the attribute's value
 * (undefined: absent, Placetel's default `mailbox`).
 */
export function groupBackupRule(
  behaviour: string | undefined,
  hasRoutingObject: boolean,
): PlacetelRuleBreak | undefined {
  if (behaviour === 'routing_object' && !hasRoutingObject) {
    return {
      code: 'placetel.group-backup',
      builder: 'backupBehaviour "routing_object" needs backupRoutingObject',
      document:
        'backup_behaviour="routing_object" without backup_routing_object: no backup target is named',
      attribute: 'backup_behaviour',
      spec: PLACETEL_SPEC.other,
    };
  }
  if (hasRoutingObject && behaviour !== 'routing_object') {
    return {
      code: 'placetel.group-backup',
      builder: 'backupRoutingObject is only used with backupBehaviour "routing_object"',
      document: `backup_routing_object is used only with backup_behaviour="routing_object", got ${behaviour === undefined ? 'none (default "mailbox")' : JSON.stringify(behaviour)}`,
      attribute: 'backup_routing_object',
      spec: PLACETEL_SPEC.other,
    };
  }
  return undefined;
}
