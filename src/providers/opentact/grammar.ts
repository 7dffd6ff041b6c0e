/**
 * The value facts of Opentact's XML call flow, written once: the value types, ranges, units,
 * enums and formats of the verbs' attributes (`docs/providers/opentact.md` §3.1 general rules —
 * every duration is milliseconds —, §3.2 verb/attribute reference, §7 contradictions; upstream
 * the "Opentact Call XML" pages of https://doc.opentact.org/).
 *
 * The builders (`xml.ts`) and the validator's rule table (`src/providers/opentact/validate.ts`) both read
 * them; `test/property/opentact-agreement.property.test.ts` proves that they agree on the
 * attributes that use them. The element set, nesting and the per-verb rules are still written
 * in each of the two files.
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
