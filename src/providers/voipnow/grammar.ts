/**
 * The grammar of the VoipNow Call Interactive answer, written once: its verbs, their attributes
 * with value types, ranges and units, enums and texts, and the spec section of each
 * (`docs/providers/voipnow.md` §2 "Call Interactive", its "Response verbs" table; upstream
 * https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Interactive/Interactive-Response-Structure).
 *
 * The builders (`responses.ts`) and the validator's rule table (`src/providers/voipnow/validate.ts`) both
 * read these facts; `test/property/voipnow-agreement.property.test.ts` proves that a builder
 * accepts an option set exactly when the validator finds no error in the document it renders.
 * What only the validator knows — the legacy `<SetCallerId>`, the unreadable `<SimpleTransfer>`,
 * hints for other providers' verbs — stays in the validator, as warnings or errors.
 *
 * @module
 */
import type { GrammarValue } from '../../validate/grammar';

/** The response verbs of a Call Interactive answer (spec §2 "Response verbs"). */
export type VoipNowVerbName =
  'Hangup' | 'Pause' | 'SetVar' | 'PlaySound' | 'Jump' | 'SetCaller' | 'PlayTTS';

/** The provider reference every section below is in. */
export const VOIPNOW_SPEC_FILE = 'docs/providers/voipnow.md';

/** The sections the grammar cites (`docs/providers/voipnow.md` §2). */
export const VOIPNOW_SPEC = {
  /** The answer document, `<Response>` (spec §2 Call Interactive). */
  interactive: 'docs/providers/voipnow.md §2 Call Interactive',
  /** The verbs and their attributes (spec §2, the "Response verbs" table). */
  verbs: 'docs/providers/voipnow.md §2 Call Interactive (Response verbs)',
} as const;

/** One attribute of a verb: its name as VoipNow spells it (also the builder's option name). */
export interface VoipNowAttributeFact {
  /** The attribute (and option) name, e.g. `digitvar`. */
  readonly name: string;
  /** Its value type (range, unit, enum, pattern). */
  readonly value: GrammarValue;
  /** Must be present (VoipNow aborts parsing without it, or the verb means nothing). */
  readonly required?: boolean;
  /** The section documenting it. */
  readonly spec: string;
}

/** One verb of the answer. */
export interface VoipNowVerbFact {
  /** The element name, e.g. `PlaySound`. */
  readonly name: VoipNowVerbName;
  /** The section documenting it. */
  readonly spec: string;
  /** Its attributes, in the order the builders write them. */
  readonly attributes: readonly VoipNowAttributeFact[];
  /** Its text: `none`, or `required` (not blank; the builders' main argument). */
  readonly text: 'none' | 'required';
}

/** An IVR variable name: letters, digits and `_`, not starting with a digit (spec §2). */
export const VOIPNOW_VARIABLE: GrammarValue = {
  kind: 'pattern',
  regex: /^[A-Za-z_][A-Za-z0-9_]*$/,
  what: 'an IVR variable name (letters, digits and _, not starting with a digit)',
};

/** A short language code: 2–3 letters, then subtags of 2–8 letters or digits (spec §2). */
export const VOIPNOW_LANGUAGE: GrammarValue = {
  kind: 'pattern',
  regex: /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
  what: 'a language code such as "en", "fr" or "pt-BR"',
};

/**
 * The longest `<Pause>`, in seconds: one hour. VoipNow documents no limit (default 10 s);
 * longer waits are mistakes (callcontrol's decision, spec §2).
 */
export const VOIPNOW_MAX_PAUSE_SECONDS = 3600;

/**
 * The loudest `<PlayTTS>` volume: 300, twice VoipNow's default 150 (VoipNow documents no
 * range; callcontrol's decision, spec §2).
 */
export const VOIPNOW_MAX_VOLUME = 300;

const verbs = VOIPNOW_SPEC.verbs;

/** The verbs of a Call Interactive answer and their attributes (spec §2 "Response verbs"). */
export const VOIPNOW_GRAMMAR: Readonly<Record<VoipNowVerbName, VoipNowVerbFact>> = {
  Hangup: { name: 'Hangup', spec: verbs, attributes: [], text: 'none' },
  Pause: {
    name: 'Pause',
    spec: verbs,
    attributes: [
      {
        name: 'length',
        spec: verbs,
        value: { kind: 'integer', unit: 'seconds', min: 1, max: VOIPNOW_MAX_PAUSE_SECONDS },
      },
    ],
    text: 'none',
  },
  SetVar: {
    name: 'SetVar',
    spec: verbs,
    attributes: [{ name: 'name', spec: verbs, required: true, value: VOIPNOW_VARIABLE }],
    text: 'required',
  },
  PlaySound: {
    name: 'PlaySound',
    spec: verbs,
    attributes: [
      { name: 'language', spec: verbs, value: VOIPNOW_LANGUAGE },
      // `loop=""` as VoipNow's own example writes it: its default
      {
        name: 'loop',
        spec: verbs,
        value: { kind: 'integer', unit: 'times', min: 1, orEmpty: true },
      },
      { name: 'view', spec: verbs, value: { kind: 'enum', values: ['system', 'client'] } },
      { name: 'folder', spec: verbs, value: { kind: 'text' } },
      { name: 'where', spec: verbs, value: { kind: 'enum', values: ['foreground', 'background'] } },
      { name: 'digitvar', spec: verbs, value: VOIPNOW_VARIABLE },
    ],
    text: 'required',
  },
  Jump: {
    name: 'Jump',
    spec: verbs,
    attributes: [
      { name: 'context', spec: verbs, required: true, value: { kind: 'text' } },
      { name: 'option', spec: verbs, value: { kind: 'textOrCount' } },
      { name: 'priority', spec: verbs, value: { kind: 'integer', unit: 'steps', min: 1 } },
    ],
    text: 'none',
  },
  SetCaller: {
    name: 'SetCaller',
    spec: verbs,
    // "both required, else parsing is aborted"
    attributes: [
      { name: 'name', spec: verbs, required: true, value: { kind: 'text' } },
      { name: 'number', spec: verbs, required: true, value: { kind: 'text' } },
    ],
    text: 'none',
  },
  PlayTTS: {
    name: 'PlayTTS',
    spec: verbs,
    attributes: [
      { name: 'voice', spec: verbs, value: { kind: 'text' } },
      {
        name: 'volume',
        spec: verbs,
        value: {
          kind: 'integer',
          unit: '(volume)',
          min: 0,
          max: VOIPNOW_MAX_VOLUME,
          note: "VoipNow's default: 150",
        },
      },
    ],
    text: 'required',
  },
};
