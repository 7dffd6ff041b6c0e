/**
 * The facts of Placetel's call-control answer, written once: the value types, ranges with
 * their units and enums of its attributes, and the rules between them, each with its section
 * of `docs/providers/placetel.md` (§3.2 `<Forward>` attributes, §3.3 other actions; upstream
 * https://github.com/Placetel/call-control-notify-api#your-xml-response).
 *
 * The builders (`responses.ts`) and the validator's rule table (`src/providers/placetel/validate.ts`) both
 * read them; `test/property/placetel-agreement.property.test.ts` proves that they agree.
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
} as const;

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

/** The longest `<Number>` text accepted, in characters (spec §3.2 gives none; a sanity bound). */
export const PLACETEL_MAX_NUMBER_LENGTH = 256;

/** A broken rule between attributes: how the builders and the validator say it. */
export interface PlacetelRuleBreak {
  /** e.g. `placetel.group-backup`. */
  readonly code: string;
  /** In the builders' option names (`backupRoutingObject`). */
  readonly builder: string;
  /** In the document's attribute names (`backup_routing_object`). */
  readonly document: string;
  /** The attribute it is about. */
  readonly attribute: string;
  /** The section it breaks. */
  readonly spec: string;
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
