/**
 * The value facts of Opentact's XML call flow, written once: the value types, ranges, units,
 * enums and formats of the verbs' attributes (`docs/providers/opentact.md` §3.1 general rules —
 * every duration is milliseconds —, §3.2 verb/attribute reference, §7 contradictions; upstream
 * the "Opentact Call XML" pages of https://doc.opentact.org/).
 *
 * The builders (`xml.ts`) and the validator's rule table (`src/providers/opentact/validate.ts`) both read
 * them; `test/property/opentact-agreement.property.test.ts` proves that they agree on the
 * attributes that use them. The structure too: the element set, what each element holds
 * ({@link OPENTACT_CHILDREN}), the Gather prompt verbs and Dial nouns, and the rules of blocks
 * and branches ({@link errorBlocksRule}, {@link branchKeysRule}, {@link destinationsRule}).
 * What only one side knows stays there: the builders' checks between options (branch keys
 * against the digit count and stop keys, `dtmfLength` with `length`), the validator's
 * tolerances (§7) as warnings.
 *
 * @module
 */
import type { GrammarValue } from '../../validate/grammar';

/** The provider reference every section below is in. */
export const OPENTACT_SPEC_FILE = 'docs/providers/opentact.md';

/** A duration: whole milliseconds ≥ 0 (spec §3.1: every Opentact duration is milliseconds). */
export const OPENTACT_MILLISECONDS: GrammarValue = {
  kind: 'integer',
  unit: 'milliseconds',
  min: 0,
};
/** A number of DTMF digits ≥ 1 (Gather `dtmf_length`, `length`, `numDigits`; spec §3.2). */
export const OPENTACT_DIGITS: GrammarValue = { kind: 'integer', unit: 'digits', min: 1 };
/** A repeat count ≥ 1 (`loop`, spec §3.2). */
export const OPENTACT_TIMES: GrammarValue = { kind: 'integer', unit: 'times', min: 1 };
/** Which leg hears it (`leg`, spec §3.2). */
export const OPENTACT_LEG: GrammarValue = { kind: 'enum', values: ['aleg', 'bleg', 'both'] };
/** A language code: 2–3 letters, then subtags of 2–8 letters or digits (`es`, `en-US`; spec §3.2). */
export const OPENTACT_LANGUAGE: GrammarValue = {
  kind: 'pattern',
  regex: /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
  what: 'a language code such as "en-US" or "es"',
};
/** A voice code as `/rest/dict/gtts` lists them (`en-US-Wavenet-D`; spec §3.2 `<Say>`). */
export const OPENTACT_VOICE_CODE: GrammarValue = {
  kind: 'pattern',
  regex: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
  what: 'a voice code (letters, digits, ".", "_" and "-") such as "en-US-Wavenet-D"',
};
/** `finishOnKey`: keys of `0`–`9`, `*`, `#` and `+` (spec §3.2 lists `+ * # 0-9`). */
export const OPENTACT_FINISH_KEYS: GrammarValue = {
  kind: 'pattern',
  regex: /^[0-9*#+]+$/,
  what: 'keys of 0-9, *, # and +',
};
/** Meta `name`: a letter or `_`, then letters, digits, `_`, `.`, `-` (`is_active`; spec §3.2 `<Meta>`). */
export const OPENTACT_META_NAME: GrammarValue = {
  kind: 'pattern',
  regex: /^[A-Za-z_][A-Za-z0-9_.-]*$/,
  what: 'a name of letters, digits, "_", "." and "-" (not starting with a digit)',
};
/** Call `field`: a call property such as `to` or `from` (letters, digits, `_`, `.`; spec §3.2 `<Call>`). */
export const OPENTACT_CALL_FIELD: GrammarValue = {
  kind: 'pattern',
  regex: /^[A-Za-z_][A-Za-z0-9_.]*$/,
  what: 'a call field name such as "to" or "from"',
};
/** A Dial destination: a SIP URI, `user@domain` or a number, without whitespace (spec §3.2 `<Dial>`). */
export const OPENTACT_DESTINATION: GrammarValue = {
  kind: 'pattern',
  regex: /^\S+$/,
  what: 'a destination without whitespace (a SIP URI, user@domain or a number)',
};

/** The loudest Tone volume in dB: 0; quieter is negative (spec §3.2 `<Tone/>`, §7.8). */
export const OPENTACT_MAX_DECIBELS = 0;

/** The `dow` tokens (OAS `EDayOfWeek`, spec §3.2 `<Schedule>`). */
export const OPENTACT_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A state code of Geo `states`: two upper-case letters (`NJ`; spec §3.2 `<Geo>`). */
export const OPENTACT_STATE = /^[A-Z]{2}$/;

/**
 * Whether `text` is a comma-separated list (no spaces) of tokens `valid` accepts, none twice
 * (Schedule `dow`, Geo `states`; spec §3.2).
 */
export function isTokenList(text: string, valid: (token: string) => boolean): boolean {
  const tokens = text.split(',');
  return tokens.every(valid) && new Set(tokens).size === tokens.length;
}

/** Whether `token` is a `dow` day (spec §3.2 `<Schedule>`). */
export const isDay = (token: string): boolean =>
  (OPENTACT_DAYS as readonly string[]).includes(token);

/** Whether `token` is a Geo state code (spec §3.2 `<Geo>`). */
export const isState = (token: string): boolean => OPENTACT_STATE.test(token);

const CLOCK = '([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])';
const TIME_RANGE = new RegExp(`^${CLOCK}-${CLOCK}$`);

/**
 * Schedule `time` (spec §3.2 `<Schedule>`, §7.9): `HH:MM:SS-HH:MM:SS` with clock times from
 * 00:00:00 to 23:59:59, starting before it ends (a range over midnight is undocumented).
 * Returns `format` or `order` for what is wrong, undefined when it is a range.
 */
export function timeRangeProblem(text: string): 'format' | 'order' | undefined {
  const match = TIME_RANGE.exec(text);
  if (match === null) return 'format';
  const [, ...parts] = match;
  return parts.slice(0, 3).join('') >= parts.slice(3, 6).join('') ? 'order' : undefined;
}

/** One Tone `hz` item: a positive number, optionally `x` and another (`480x2`; spec §3.2). */
const FREQUENCY_ITEM = /^([0-9]+(?:\.[0-9]+)?)(?:x([0-9]+(?:\.[0-9]+)?))?$/;

/** Whether `item` is one Tone `hz` item (spec §3.2 `<Tone/>`). */
export function isFrequencyItem(item: string): boolean {
  const match = FREQUENCY_ITEM.exec(item);
  if (match === null) return false;
  return match.slice(1).every((part) => part === undefined || Number(part) > 0);
}

/** Whether `text` is a Tone `hz` list: comma-separated positive frequencies (spec §3.2). */
export const isFrequencies = (text: string): boolean => text.split(',').every(isFrequencyItem);

// ---------------------------------------------------------------------------------------------
// More value facts (spec §3.2)
// ---------------------------------------------------------------------------------------------

/** DTMF keys: one or more of `0`–`9`, `*`, `#` (`DTMF value`, `Case dtmf`, `dtmf_stop`; spec §3.2). */
export const OPENTACT_DTMF_KEYS: GrammarValue = {
  kind: 'pattern',
  regex: /^[0-9*#]+$/,
  what: 'DTMF keys (0-9, * and #)',
};
/** Legacy Gather `attempts`: how many times to ask, ≥ 1 (spec §3.2, §7.1). */
export const OPENTACT_ATTEMPTS: GrammarValue = { kind: 'integer', unit: 'attempts', min: 1 };
/** Say `type`: the voice family (spec §3.2 `<Say>`). */
export const OPENTACT_SAY_TYPE: GrammarValue = { kind: 'enum', values: ['WaveNet', 'Standard'] };
/** Say `gender` (spec §3.2 `<Say>`). */
export const OPENTACT_SAY_GENDER: GrammarValue = { kind: 'enum', values: ['MALE', 'FEMALE'] };
/** Dial `record`, seen only in a third-party integration (spec §7.12). */
export const OPENTACT_DIAL_RECORD: GrammarValue = {
  kind: 'enum',
  values: ['record-from-answer', 'do-not-record'],
};

/**
 * The HTTP methods each verb takes, matched ignoring letter case and written as given
 * (Opentact's own example writes `method="post"`; spec §3.2, §3.3, §7.3): the legacy Gather's
 * `callback`, `<Callback>`, `<Curl>`.
 */
export const OPENTACT_METHODS = {
  gather: { kind: 'enum', values: ['GET', 'POST'], ignoreCase: true },
  callback: { kind: 'enum', values: ['GET', 'POST', 'PATCH', 'DELETE'], ignoreCase: true },
  curl: {
    kind: 'enum',
    values: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
    ignoreCase: true,
  },
} as const satisfies Readonly<Record<string, GrammarValue>>;

// ---------------------------------------------------------------------------------------------
// The structure: which elements exist, what each holds, and the rules of blocks and branches
// ---------------------------------------------------------------------------------------------

/**
 * The verbs: what `<Response>` and every block holds (spec §3.1 element set; `callback` is the
 * lowercase text form of `<Callback>`, §7.3; `Scheduler` the page title of `<Schedule>`, §7.9;
 * `RecordStart`/`RecordStop`/`RecordWait`/`Reject`/`Redirect` are in the older engine's set but
 * undocumented, §7.14).
 */
export const OPENTACT_VERBS: readonly string[] = [
  'Answer',
  'Say',
  'Play',
  'Pause',
  'Hangup',
  'Record',
  'RecordStart',
  'RecordStop',
  'RecordWait',
  'Dial',
  'Gather',
  'Callback',
  'callback',
  'Call',
  'Geo',
  'Schedule',
  'Scheduler',
  'Hold',
  'Unhold',
  'Tone',
  'Meta',
  'Curl',
  'Error',
  'Reject',
  'Redirect',
];

/** The verbs a Gather plays while it waits, its "filler" (spec §3.2 `<Gather>`). */
export const OPENTACT_PROMPT_VERBS = ['Say', 'Play', 'Pause'] as const;

/**
 * The nouns of a `<Dial>` destination the builders write (spec §3.2 `<Dial>`, §7.12): `<To>`,
 * and the legacy `<Sip>`. (`<Number>`, a noun of other vendors, is accepted by the validator
 * with a warning.)
 */
export const OPENTACT_DIAL_NOUNS = ['To', 'Sip'] as const;

/**
 * What each element holds (spec §3.1, §3.2: a block holds any verbs and one `<Error>`): `block`
 * — any verb ({@link OPENTACT_VERBS}); or the elements listed. An element not listed is a verb
 * that holds only its `<Error>` block.
 */
export const OPENTACT_CHILDREN: Readonly<Record<string, 'block' | readonly string[]>> = {
  Record: 'block',
  Call: 'block',
  Geo: 'block',
  Schedule: 'block',
  Scheduler: 'block',
  DTMF: 'block',
  Case: 'block',
  Default: 'block',
  Error: 'block',
  Dial: [...OPENTACT_DIAL_NOUNS, 'Number', 'Error'],
  Gather: [...OPENTACT_PROMPT_VERBS, 'DTMF', 'Default', 'Error', 'Switch'],
  // the legacy form (spec §3.3, §7.1)
  Switch: ['Case', 'Default', 'Error'],
  Tone: ['Meta', 'Error'],
  To: [],
  Sip: [],
  Number: [],
  callback: [],
};

/** The elements `name` may hold (see {@link OPENTACT_CHILDREN}). */
export function childrenOf(name: string): readonly string[] {
  const held = OPENTACT_CHILDREN[name] ?? ['Error'];
  return held === 'block' ? OPENTACT_VERBS : held;
}

/** A broken rule of structure, as the builders (option names) and the validator (elements) say it. */
export interface OpentactRuleBreak {
  /** e.g. `duplicate`, `missing-child`. */
  readonly code: string;
  /** In the builders' option names, e.g. `to[1] "x@y" is given twice`. */
  readonly builder: string;
  /** In the document's element names, e.g. `<Dial> calls "x@y" twice`. */
  readonly document: string;
  /** The section it breaks. */
  readonly spec: string;
  /**
   * How the validator reports it: `error`, or `warning` where the document is still usable
   * (the builders refuse both).
   */
  readonly severity: 'error' | 'warning';
  /** The index of the element that breaks it (among the names or keys given). */
  readonly index: number;
}

const GENERAL = `${OPENTACT_SPEC_FILE} §3.1 General rules`;

/**
 * One `<Error>` block per element (spec §3.1): every `<Error>` after the first among
 * `children` (the child element names in order) never runs. A warning in a document; the
 * builders refuse a second block.
 */
export function errorBlocksRule(parent: string, children: readonly string[]): OpentactRuleBreak[] {
  const found: OpentactRuleBreak[] = [];
  let seen = false;
  children.forEach((name, index) => {
    if (name !== 'Error') return;
    if (seen) {
      found.push({
        code: 'duplicate',
        builder:
          'commands hold an error() block and error is given too: give the <Error> block once',
        document: `<${parent}> holds one <Error> block; this one never runs`,
        spec: GENERAL,
        severity: 'warning',
        index,
      });
    }
    seen = true;
  });
  return found;
}

/**
 * The branches of a Gather (spec §3.3): no two `<DTMF value>` (current form) or `<Case dtmf>`
 * (legacy form) with the same keys — only the first could run. `keys` are the branches' keys in
 * order (undefined: none given, not compared); `where(index)` names a branch's key in builder
 * messages (`dtmf[1].value`).
 */
export function branchKeysRule(
  branch: 'DTMF' | 'Case',
  keys: readonly (string | undefined)[],
  where: (index: number) => string,
): OpentactRuleBreak[] {
  const seen = new Set<string>();
  const found: OpentactRuleBreak[] = [];
  keys.forEach((key, index) => {
    if (key === undefined) return;
    if (seen.has(key)) {
      found.push({
        code: 'duplicate',
        builder: `${where(index)} "${key}" is given twice`,
        document: `two <${branch}> branches have ${branch === 'DTMF' ? 'value' : 'dtmf'} "${key}"; only the first can run`,
        spec: `${OPENTACT_SPEC_FILE} §3.3 Per-element notes and verbatim-shaped examples`,
        severity: 'error',
        index,
      });
    }
    seen.add(key);
  });
  return found;
}

/**
 * The destinations of a `<Dial>` (spec §3.2 `<Dial>`, §7.12): at least one, none twice (the
 * same destination called twice at once). `destinations` are the nouns' texts in order;
 * `where(index)` names one in builder messages (`to[1]`).
 */
export function destinationsRule(
  destinations: readonly string[],
  where: (index: number) => string,
): OpentactRuleBreak[] {
  const spec = `${OPENTACT_SPEC_FILE} §3.2 <Dial>; ${OPENTACT_SPEC_FILE} §7.12`;
  if (destinations.length === 0) {
    return [
      {
        code: 'missing-child',
        builder: 'to must be a destination or a non-empty list of destinations',
        document: '<Dial> needs at least one destination <To>',
        spec,
        severity: 'error',
        index: 0,
      },
    ];
  }
  const seen = new Set<string>();
  const found: OpentactRuleBreak[] = [];
  destinations.forEach((destination, index) => {
    if (seen.has(destination)) {
      found.push({
        code: 'duplicate',
        builder: `${where(index)} "${destination}" is given twice`,
        document: `<Dial> calls "${destination}" twice`,
        spec,
        severity: 'error',
        index,
      });
    }
    seen.add(destination);
  });
  return found;
}
