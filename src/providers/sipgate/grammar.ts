/**
 * The grammar of the sipgate.io XML answer, written once: its elements, their attributes with
 * value types, units and ranges, their texts, and the nesting — which elements `<Response>`,
 * `<Dial>`, `<Play>` and `<Gather>` hold and how many of each —, each with its section of
 * `docs/providers/sipgate.md` (§4 XML answer language, §4.7 grammar summary; upstream
 * https://developer.sipgate.io/push-api/api-reference/).
 *
 * The builders (`responses.ts`) and the validator's rule table
 * (`src/providers/sipgate/validate.ts`) both read these facts: the builders refuse what
 * {@link childrenRule} or a value type refuses, and the validator reports the same as errors.
 * `test/property/sipgate-agreement.property.test.ts` proves that a builder accepts an option
 * set exactly when the validator finds no error in the document written from it. What only the
 * validator knows — the warning for a `+` before a number, which the reference does not
 * document (§4.2, §11.11) — stays in the validator.
 *
 * @module
 */
import type { GrammarValue } from '../../validate/grammar';

/** The provider reference every section below is in. */
export const SIPGATE_SPEC_FILE = 'docs/providers/sipgate.md';

/** The sections the grammar cites (`docs/providers/sipgate.md` §4). */
export const SIPGATE_SPEC = {
  /** The answer language as a whole (spec §4). */
  language: 'docs/providers/sipgate.md §4 XML answer language',
  /** `<Response>` and its follow-up URLs (spec §4.1). */
  response: 'docs/providers/sipgate.md §4.1 <Response>',
  /** `<Dial>`, `<Number>`, `<Voicemail>` (spec §4.2). */
  dial: 'docs/providers/sipgate.md §4.2 <Dial>',
  /** `<Play>`, `<Url>` (spec §4.3). */
  play: 'docs/providers/sipgate.md §4.3 <Play>',
  /** `<Gather>` (spec §4.4). */
  gather: 'docs/providers/sipgate.md §4.4 <Gather>',
  /** `<Reject>` (spec §4.5). */
  reject: 'docs/providers/sipgate.md §4.5 <Reject>',
  /** `<Hangup/>` (spec §4.6). */
  hangup: 'docs/providers/sipgate.md §4.6 <Hangup/>',
  /** The grammar summary: what holds what, one action per answer (spec §4.7). */
  summary: 'docs/providers/sipgate.md §4.7 Grammar summary',
} as const;

/** The elements of a sipgate.io answer (spec §4). */
export type SipgateElementName =
  'Response' | 'Dial' | 'Number' | 'Voicemail' | 'Play' | 'Url' | 'Gather' | 'Reject' | 'Hangup';

/** The actions a sipgate.io answer can carry: what `<Response>` holds (spec §4, §4.7). */
export type SipgateAction = 'Dial' | 'Play' | 'Gather' | 'Reject' | 'Hangup';

/**
 * An E.164 number as sipgate writes it (spec §4.2: `<Number>` "has to be in E.164 format",
 * `callerId` "Number in E.164 format"): 1 to 15 digits. A leading `+` is accepted too (sipgate's
 * SDK example writes `callerId: '+49123456789'`; the reference does not document it, §4.2,
 * §11.11).
 */
export const SIPGATE_E164 = {
  kind: 'pattern',
  regex: /^\+?[0-9]{1,15}$/,
  what: 'an E.164 number (1 to 15 digits, optionally after "+")',
} as const satisfies GrammarValue;

/** An absolute http(s) URL sipgate fetches or posts to (`onAnswer`, `onHangup`, `onData`, `<Url>`). */
export const SIPGATE_URL = { kind: 'url' } as const satisfies GrammarValue;

/** `true` or `false`, written in lower case (spec §4: "booleans `true`/`false`"). */
export const SIPGATE_FLAG = { kind: 'boolean' } as const satisfies GrammarValue;

/** `<Gather maxDigits>`: digits to collect, a whole number ≥ 1; sipgate's default 1 (spec §4.4). */
export const SIPGATE_MAX_DIGITS = {
  kind: 'integer',
  unit: 'digits',
  min: 1,
} as const satisfies GrammarValue;

/**
 * `<Gather timeout>`: **milliseconds** to wait for input after the prompt, a whole number ≥ 0;
 * sipgate's default 2000 (spec §4.4). The reference says ≥ 1, but sipgate's own IVR example
 * writes `0` to play a prompt and go on at once, and its SDK allows it (§4.4, §11.10): the
 * builders write it, the validator warns about it.
 */
export const SIPGATE_GATHER_TIMEOUT = {
  kind: 'integer',
  unit: 'milliseconds',
  min: 0,
} as const satisfies GrammarValue;

/** `<Gather type>`: `dtmf`, the only documented type and the default (spec §4.4). */
export const SIPGATE_GATHER_TYPE = {
  kind: 'enum',
  values: ['dtmf'],
} as const satisfies GrammarValue;

/** `<Reject reason>`: `rejected` (the default) or `busy` (spec §4.5). */
export const SIPGATE_REJECT_REASON = {
  kind: 'enum',
  values: ['rejected', 'busy'],
} as const satisfies GrammarValue;

/** Most `<Number>` targets of one `<Dial>` ("up to 5 targets", spec §4.2). */
export const SIPGATE_MAX_DIAL_TARGETS = 5;

/** One attribute of an element: its name as sipgate spells it (also the builder's option name). */
export interface SipgateAttributeFact {
  /** The attribute (and option) name, e.g. `maxDigits`. */
  readonly name: string;
  /** Its value type (range, unit, enum, pattern). */
  readonly value: GrammarValue;
  /** Must be present (spec §4.4: "The onData attribute is mandatory"). */
  readonly required?: boolean;
  /** The section documenting it. */
  readonly spec: string;
}

/** A child element an element may hold, and how often. */
export interface SipgateChildFact {
  /** The child's name. */
  readonly name: SipgateElementName;
  /** How many of it at most. */
  readonly max: number;
  /** The problem code when there are more (default `duplicate`). */
  readonly tooMany?: string;
}

/** One element of the answer language. */
export interface SipgateElementFact {
  /** The element name (case-sensitive). */
  readonly name: SipgateElementName;
  /** The section documenting it. */
  readonly spec: string;
  /** Its attributes, in the order the builders write them. */
  readonly attributes: readonly SipgateAttributeFact[];
  /** Its text: absent, none (only whitespace); else the value type of the required text. */
  readonly text?: GrammarValue;
  /** The elements it may hold, in the order the builders write them; none when empty. */
  readonly children: readonly SipgateChildFact[];
  /** How many child elements at least (0: it may be empty). */
  readonly minChildren: number;
  /**
   * How many actions at most, of all names together (`<Response>`: one); absent: only the
   * per-name maxima.
   */
  readonly maxChildren?: number;
  /** The problem code when there are more than {@link maxChildren} (default `duplicate`). */
  readonly tooManyChildren?: string;
  /** The children are alternatives: all of one name, never mixed (`<Dial>`: Numbers or Voicemail). */
  readonly oneKind?: boolean;
}

const S = SIPGATE_SPEC;

/** The actions, in the order the reference lists them (spec §4). */
export const SIPGATE_ACTIONS: readonly SipgateAction[] = [
  'Dial',
  'Play',
  'Gather',
  'Reject',
  'Hangup',
];

/**
 * The answer language (spec §4.7 "Grammar summary"):
 *
 * ```
 * Response  @onAnswer? @onHangup?   ( Dial | Play | Gather | Reject | Hangup )?
 * Dial      @callerId? @anonymous?  ( Number{1,5} | Voicemail )    Number: E.164   Voicemail: empty
 * Play                              Url                             Url: absolute URL
 * Gather    @onData @maxDigits? @timeout? @type?   Play?
 * Reject    @reason?                                                empty
 * Hangup                                                            empty
 * ```
 */
export const SIPGATE_GRAMMAR: Readonly<Record<SipgateElementName, SipgateElementFact>> = {
  Response: {
    name: 'Response',
    spec: S.response,
    attributes: [
      { name: 'onAnswer', value: SIPGATE_URL, spec: S.response },
      { name: 'onHangup', value: SIPGATE_URL, spec: S.response },
    ],
    // every documented example has at most one action; sequences were declined (§4.7, §11.8)
    children: SIPGATE_ACTIONS.map((name) => ({ name, max: 1 })),
    minChildren: 0,
    maxChildren: 1,
    tooManyChildren: 'sipgate.multiple-actions',
  },
  Dial: {
    name: 'Dial',
    spec: S.dial,
    attributes: [
      { name: 'callerId', value: SIPGATE_E164, spec: S.dial },
      { name: 'anonymous', value: SIPGATE_FLAG, spec: S.dial },
    ],
    children: [
      { name: 'Number', max: SIPGATE_MAX_DIAL_TARGETS, tooMany: 'sipgate.dial-targets' },
      { name: 'Voicemail', max: 1 },
    ],
    minChildren: 1,
    // mixing <Number> and <Voicemail/> is undocumented (§4.2, §11.11)
    oneKind: true,
  },
  Number: {
    name: 'Number',
    spec: S.dial,
    attributes: [],
    text: SIPGATE_E164,
    children: [],
    minChildren: 0,
  },
  Voicemail: { name: 'Voicemail', spec: S.dial, attributes: [], children: [], minChildren: 0 },
  Play: {
    name: 'Play',
    spec: S.play,
    attributes: [],
    children: [{ name: 'Url', max: 1 }],
    minChildren: 1,
  },
  Url: {
    name: 'Url',
    spec: S.play,
    attributes: [],
    text: SIPGATE_URL,
    children: [],
    minChildren: 0,
  },
  Gather: {
    name: 'Gather',
    spec: S.gather,
    attributes: [
      { name: 'onData', value: SIPGATE_URL, required: true, spec: S.gather },
      { name: 'maxDigits', value: SIPGATE_MAX_DIGITS, spec: S.gather },
      { name: 'timeout', value: SIPGATE_GATHER_TIMEOUT, spec: S.gather },
      { name: 'type', value: SIPGATE_GATHER_TYPE, spec: S.gather },
    ],
    // "The following verbs can be nested within <Gather>: Play" (§4.4)
    children: [{ name: 'Play', max: 1 }],
    minChildren: 0,
  },
  Reject: {
    name: 'Reject',
    spec: S.reject,
    attributes: [{ name: 'reason', value: SIPGATE_REJECT_REASON, spec: S.reject }],
    children: [],
    minChildren: 0,
  },
  Hangup: { name: 'Hangup', spec: S.hangup, attributes: [], children: [], minChildren: 0 },
};

/** Whether `name` is an element of the answer language (spec §4). */
export function isSipgateElement(name: string): name is SipgateElementName {
  return Object.prototype.hasOwnProperty.call(SIPGATE_GRAMMAR, name);
}

/** Whether `parent` may hold `child` at all (spec §4.7). */
export function mayHold(parent: SipgateElementName, child: string): boolean {
  return SIPGATE_GRAMMAR[parent].children.some((fact) => fact.name === child);
}

/** A broken rule of the nesting: a stable code, a sentence, and the section it comes from. */
export interface SipgateRuleBreak {
  /** e.g. `missing-child`, `duplicate`, `sipgate.dial-targets`, `sipgate.multiple-actions`. */
  readonly code: string;
  /** What is wrong, naming the elements, e.g. `<Play> takes one <Url>, got 2`. */
  readonly message: string;
  /** The section it breaks. */
  readonly spec: string;
  /** The index (in `children`) of the first child that breaks it; absent: the parent itself. */
  readonly at?: number;
}

/**
 * The rules of what `parent` holds (spec §4.7, §4.2, §4.3, §4.4): how many children at least
 * and at most, how many of each name, and for `<Dial>` that its targets are all `<Number>` or
 * one `<Voicemail/>`. `children` are the names of its child elements in document order; names
 * that `parent` may not hold at all are left to the caller (the builders cannot write them, the
 * validator reports them as misplaced or unknown). Returns every rule broken, none when it fits.
 *
 * @example `childrenRule('Dial', [])` → `[{ code: 'missing-child', message: '<Dial> needs
 *   1 to 5 <Number> elements or one <Voicemail/>, got none', … }]`
 */
export function childrenRule(
  parent: SipgateElementName,
  children: readonly string[],
): SipgateRuleBreak[] {
  const fact = SIPGATE_GRAMMAR[parent];
  const known = children.filter((name) => mayHold(parent, name));
  const breaks: SipgateRuleBreak[] = [];
  if (known.length < fact.minChildren) {
    breaks.push({
      code: 'missing-child',
      message: `<${parent}> needs ${wanted(fact)}, got none`,
      spec: fact.spec,
    });
  }
  if (fact.oneKind === true && new Set(known).size > 1) {
    const first = known[0] as string;
    breaks.push({
      code: 'sipgate.dial-targets',
      message: `<${parent}> holds ${wanted(fact)}, not both: mixing them is undocumented`,
      spec: fact.spec,
      at: children.findIndex((name) => mayHold(parent, name) && name !== first),
    });
  }
  for (const child of fact.children) {
    const count = known.filter((name) => name === child.name).length;
    if (count > child.max) {
      let seen = 0;
      breaks.push({
        code: child.tooMany ?? 'duplicate',
        message: `<${parent}> holds at most ${child.max === 1 ? 'one' : child.max} <${child.name}>, got ${count}`,
        spec: fact.spec,
        at: children.findIndex((name) => name === child.name && ++seen > child.max),
      });
    }
  }
  if (fact.maxChildren !== undefined && known.length > fact.maxChildren) {
    breaks.push({
      code: fact.tooManyChildren ?? 'duplicate',
      message: `<${parent}> holds at most ${fact.maxChildren === 1 ? 'one action' : `${fact.maxChildren} actions`}, got ${known.length} (${known.map((name) => `<${name}>`).join(', ')}): a sequence of actions is undocumented, and sipgate pointed to its REST API for one`,
      spec: `${S.summary}; ${SIPGATE_SPEC_FILE} §11.8`,
      at: children.findIndex(
        (name, index) =>
          mayHold(parent, name) &&
          children.slice(0, index).some((before) => mayHold(parent, before)),
      ),
    });
  }
  return breaks;
}

/** What an element holds, in words, e.g. `1 to 5 <Number> elements or one <Voicemail/>`. */
function wanted(fact: SipgateElementFact): string {
  const each = fact.children.map((child) =>
    child.max === 1 ? `one <${child.name}>` : `1 to ${child.max} <${child.name}> elements`,
  );
  return each.join(fact.oneKind === true ? ' or ' : ' and ');
}
