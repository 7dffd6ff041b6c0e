/**
 * The TwiML answer language, written once for its three dialects — Twilio's TwiML, Telnyx TeXML
 * and SignalWire cXML: every voice verb and noun, every attribute with its value type (units:
 * **seconds** or **milliseconds** as each attribute counts), the nesting, the text rules, and
 * what each dialect adds, removes or bounds differently.
 *
 * Sources: `docs/providers/twilio.md §5.1 Document rules`, `docs/providers/twilio.md §5.2 Nesting`,
 * `docs/providers/twilio.md §5.3 Verbs and nouns` and its element catalogue (generated from
 * twilio-node's `VoiceResponse`), `docs/providers/telnyx.md §5.2 Verb support`,
 * `docs/providers/telnyx.md §5.3 Attributes, defaults, units`, `docs/providers/signalwire.md §5.2 Verbs and nouns`
 * and `docs/providers/signalwire.md §6 Differences from Twilio`. A dialect behaves as Twilio's
 * where its reference says nothing; where it lists an element's attributes, the list is that
 * element's attributes in the dialect.
 *
 * The builders (`builders.ts`) and the validator's rules (`validate.ts`) both read these facts:
 * the builders refuse what {@link contentRule} or a value type refuses, and the validator reports
 * the same as errors (`test/property/twiml-agreement.property.test.ts`).
 *
 * @module
 */
import type { GrammarValue } from '../../validate/grammar';

/** The three dialects of the language: Twilio TwiML, Telnyx TeXML, SignalWire cXML. */
export type TwimlDialect = 'twilio' | 'telnyx' | 'signalwire';

/** Every dialect, in a fixed order. */
export const TWIML_DIALECTS: readonly TwimlDialect[] = ['twilio', 'telnyx', 'signalwire'];

/** The provider reference of each dialect (the file every `spec` below is in). */
export const TWIML_SPEC_FILES: Readonly<Record<TwimlDialect, string>> = {
  twilio: 'docs/providers/twilio.md',
  telnyx: 'docs/providers/telnyx.md',
  signalwire: 'docs/providers/signalwire.md',
};

/** The sections the grammar cites. */
export const TWIML_SPEC = {
  /** Twilio: one `<Response>` root, case-sensitive names, lists space-separated. */
  document: 'docs/providers/twilio.md §5.1 Document rules',
  /** Twilio: which element holds which. */
  nesting: 'docs/providers/twilio.md §5.2 Nesting',
  /** Twilio: attributes, defaults, ranges and units of the verbs and nouns. */
  verbs: 'docs/providers/twilio.md §5.3 Verbs and nouns',
  /** Twilio: seconds versus milliseconds. */
  units: 'docs/providers/twilio.md §5.4 Where attribute naming/units trip builders',
  /** Twilio: ambiguities (defaults that differ, undocumented placements). */
  gaps: 'docs/providers/twilio.md §8 Ambiguities',
  /** Telnyx: which verbs and nouns TeXML has. */
  telnyxVerbs: 'docs/providers/telnyx.md §5.2 Verb support',
  /** Telnyx: attributes, defaults, ranges and units that differ from Twilio. */
  telnyxAttributes: 'docs/providers/telnyx.md §5.3 Attributes, defaults, units',
  /** SignalWire: verbs, nouns and attributes of cXML. */
  signalwireVerbs: 'docs/providers/signalwire.md §5.2 Verbs and nouns',
  /** SignalWire: what differs from Twilio. */
  signalwireDifferences: 'docs/providers/signalwire.md §6 Differences from Twilio',
} as const;

const S = TWIML_SPEC;

/**
 * A value type of the language: a {@link GrammarValue}, or
 * - `list`: a space-separated list of one or more `values`, an enum (twilio-node joins arrays
 *   with a space, `docs/providers/twilio.md §5.1 Document rules`);
 * - `integerList`: a space-separated list of one or more whole numbers of `unit` ≥ `min`;
 * - `integerOr`: a whole number of `unit` from `min` (to `max`), or one of the `words`
 *   (`<Gather speechTimeout>`: seconds or `auto`).
 */
export type TwimlValue =
  | GrammarValue
  | { readonly kind: 'list'; readonly values: readonly string[] }
  | { readonly kind: 'integerList'; readonly unit: string; readonly min: number }
  | {
      readonly kind: 'integerOr';
      readonly unit: string;
      readonly min: number;
      readonly max?: number;
      readonly words: readonly string[];
    };

/** One attribute of an element. */
export interface TwimlAttributeFact {
  /** Its value type in the dialects that have it (unless {@link by} says otherwise). */
  readonly value: TwimlValue;
  /** The attribute as written when it differs from the option name (`interpret-as`, `xml:lang`). */
  readonly name?: string;
  /** A URL: the builders also take an action reference for it. */
  readonly url?: true;
  /** Only these dialects have it; absent: every dialect that has the element. */
  readonly only?: readonly TwimlDialect[];
  /** Its value type in a dialect where it differs (a range, an enum). */
  readonly by?: Partial<Record<TwimlDialect, TwimlValue>>;
  /** Must be present. */
  readonly required?: true;
  /** The section documenting it; absent: the element's. */
  readonly spec?: string;
  /**
   * The provider's default when the attribute is absent, as written (`'POST'`, `'5'` seconds),
   * where the reference states one; the builders never write it.
   */
  readonly default?: string;
  /** The default in a dialect where it differs; `''` where that dialect states none. */
  readonly defaultBy?: Partial<Record<TwimlDialect, string>>;
}

/** A child an element may hold. */
export interface TwimlChildFact {
  /** The child element's name. */
  readonly name: string;
  /** Only in these dialects; absent: every dialect that has both elements. */
  readonly only?: readonly TwimlDialect[];
}

/**
 * What text an element holds:
 * - `required`: non-blank text;
 * - `optional`: text may be there or not;
 * - `orChildren`: text, child elements, or both, but not neither (`<Say>` with SSML);
 * - `xorChildren`: text or child elements, not both and not neither (`<Dial>`: a number, or nouns);
 * - `xorAttribute`: text, or the attribute {@link TwimlTextFact.attribute}, not both and not
 *   neither (`<Play>`: a URL, or `digits` and no text).
 */
export type TwimlTextNeed = 'required' | 'optional' | 'orChildren' | 'xorChildren' | 'xorAttribute';

/** The text of an element. */
export interface TwimlTextFact {
  /** Its value type (of the text, trimmed by the validator). */
  readonly value: TwimlValue;
  /** Whether and how it must be there. */
  readonly need: TwimlTextNeed;
  /** For `xorAttribute`: the attribute that replaces the text. */
  readonly attribute?: string;
  /** A URL: the builders also take an action reference for it. */
  readonly url?: true;
  /** What the text is, for messages and docs (e.g. `the number to dial`). */
  readonly what: string;
}

/** One element of the language. */
export interface TwimlElementFact {
  /** The element name, case-sensitive. */
  readonly name: string;
  /** The builder's name for it, e.g. `say`, `sayAs`, `ssmlBreak`. */
  readonly builder: string;
  /** The section documenting it. */
  readonly spec: string;
  /** Only these dialects have it; absent: all three. */
  readonly only?: readonly TwimlDialect[];
  /** Its attributes by option name (camelCase; the attribute name unless `name` says otherwise). */
  readonly attributes: Readonly<Record<string, TwimlAttributeFact>>;
  /** Its text; absent: none. */
  readonly text?: TwimlTextFact;
  /** The elements it may hold, in order; none when empty. */
  readonly children: readonly TwimlChildFact[];
  /** Children that must be the only child (`<Conference>`, `<Queue>` in `<Dial>`). */
  readonly alone?: readonly string[];
  /** At most `max` children of `names` together (10 `<Number>`/`<Client>`/`<Sip>` in a `<Dial>`). */
  readonly limit?: { readonly names: readonly string[]; readonly max: number };
  /** At most one child of each name (`<Client>` holds one `<Identity>`). */
  readonly oneEach?: true;
}

// ---------------------------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------------------------

/** Non-blank text (names, SIDs, numbers as written, voices, hints). */
export const TWIML_TEXT = { kind: 'text' } as const satisfies GrammarValue;

/**
 * A URL Twilio fetches or posts to; relative URLs are resolved against the document's URL
 * (`docs/providers/twilio.md §5.1 Document rules`), so any non-blank text.
 */
export const TWIML_URL = { kind: 'text' } as const satisfies GrammarValue;

/** A WebSocket URL (`<Stream url>`): `wss://` (`docs/providers/twilio.md §5.3 Verbs and nouns`). */
export const TWIML_WSS = {
  kind: 'pattern',
  regex: /^wss?:\/\/\S+$/,
  what: 'a ws:// or wss:// URL',
} as const satisfies GrammarValue;

/** `true` or `false` (`docs/providers/twilio.md §5.1 Document rules`). */
export const TWIML_BOOLEAN = { kind: 'boolean' } as const satisfies GrammarValue;

/** An HTTP method: `GET` or `POST` (the attribute facts give the default, `POST`). */
export const TWIML_METHOD = {
  kind: 'enum',
  values: ['GET', 'POST'],
} as const satisfies GrammarValue;

/** A language tag as TwiML writes it (`en-US`, `cmn-Hans-CN`, `pa-guru-IN`, `arb`, `zh`). */
export const TWIML_LANGUAGE = {
  kind: 'pattern',
  regex: /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/,
  what: 'a language tag such as en-US',
} as const satisfies GrammarValue;

/** DTMF to send: `0-9`, `*`, `#`, and `w` (0.5 s pause) or `W` (1 s). */
export const TWIML_DIGITS = {
  kind: 'pattern',
  regex: /^[0-9*#wW]+$/,
  what: 'DTMF digits (0-9, *, #, w and W pauses)',
} as const satisfies GrammarValue;

/** A whole number of seconds from `min` (to `max`). */
function seconds<const Min extends number>(min: Min, max?: number, note?: string) {
  return {
    kind: 'integer',
    unit: 'seconds',
    min,
    ...(max === undefined ? {} : { max }),
    ...(note === undefined ? {} : { note }),
  } as const;
}

/** A whole number of milliseconds from `min` (to `max`). */
function millis(min: number, max?: number) {
  return {
    kind: 'integer',
    unit: 'milliseconds',
    min,
    ...(max === undefined ? {} : { max }),
  } as const;
}

/** A whole number of `unit` from `min` (to `max`). */
function count(unit: string, min: number, max?: number) {
  return { kind: 'integer', unit, min, ...(max === undefined ? {} : { max }) } as const;
}

/** Exactly one of `values`. */
function oneOf<const V extends readonly string[]>(...values: V) {
  return { kind: 'enum', values } as const;
}

/** A space-separated list of one or more of `values`. */
function listOf<const V extends readonly string[]>(...values: V) {
  return { kind: 'list', values } as const;
}

/** An attribute fact (the shorthand of the table below). */
function a<
  const V extends TwimlValue,
  const X extends Omit<TwimlAttributeFact, 'value'> = Record<never, never>,
>(value: V, extra?: X): { readonly value: V } & X {
  return { value, ...(extra ?? ({} as X)) };
}

/** A URL attribute (takes an action reference in the builders). */
function u<const X extends Omit<TwimlAttributeFact, 'value' | 'url'> = Record<never, never>>(
  extra?: X,
) {
  return { value: TWIML_URL, url: true, ...(extra ?? ({} as X)) } as const;
}

const TEXT = TWIML_TEXT;
const BOOL = TWIML_BOOLEAN;
const METHOD = TWIML_METHOD;
const LANG = TWIML_LANGUAGE;
const TELNYX = ['telnyx'] as const;
const SIGNALWIRE = ['signalwire'] as const;
const TWILIO = ['twilio'] as const;
const NOT_TELNYX = ['twilio', 'signalwire'] as const;
const NOT_SIGNALWIRE = ['twilio', 'telnyx'] as const;
const NOT_TWILIO = ['telnyx', 'signalwire'] as const;

/** Status-callback events of a dialled party (`<Number>`, `<Sip>`, `<Client>`, …). */
const PARTY_EVENTS = listOf('initiated', 'ringing', 'answered', 'completed');
/** Telnyx adds `amd` and `dtmf` (`docs/providers/telnyx.md §5.3 Attributes, defaults, units`). */
const TELNYX_PARTY_EVENTS = listOf('initiated', 'ringing', 'answered', 'amd', 'dtmf', 'completed');
/** Recording status-callback events. */
const RECORDING_EVENTS = listOf('in-progress', 'completed', 'absent');
/** The recording modes of `<Dial record>`. */
const DIAL_RECORD = oneOf(
  'do-not-record',
  'record-from-answer',
  'record-from-ringing',
  'record-from-answer-dual',
  'record-from-ringing-dual',
);
/**
 * `<Dial record>` with the legacy `true` (= `record-from-answer`) and `false` (= `do-not-record`)
 * that Twilio still documents and SignalWire's own sample writes
 * (`docs/providers/twilio.md §5.3 Verbs and nouns`, `docs/providers/signalwire.md §5.2 Verbs and nouns`):
 * the builders take them, the validator warns about them.
 */
const DIAL_RECORD_LEGACY = oneOf(...DIAL_RECORD.values, 'true', 'false');
/** The legacy values of {@link DIAL_RECORD_LEGACY}. */
export const TWIML_LEGACY_RECORD: readonly string[] = ['true', 'false'];
const TRIM = oneOf('trim-silence', 'do-not-trim');
const TRACKS = oneOf('inbound_track', 'outbound_track', 'both_tracks');
const CARD_TYPES = listOf(
  'visa',
  'mastercard',
  'amex',
  'maestro',
  'discover',
  'optima',
  'jcb',
  'diners-club',
  'enroute',
);
/** `<Dial ringTone>`: 40 country codes and `us-old` (twilio-node's `DialRingTone`). */
const RING_TONES = oneOf(
  'at', 'au', 'bg', 'br', 'be', 'ch', 'cl', 'cn', 'cz', 'de', 'dk', 'ee', 'es', 'fi', 'fr', 'gr',
  'hu', 'il', 'in', 'it', 'lt', 'jp', 'mx', 'my', 'nl', 'no', 'nz', 'ph', 'pl', 'pt', 'ru', 'se',
  'sg', 'th', 'uk', 'us', 'us-old', 'tw', 've', 'za',
); // prettier-ignore

/** The answering-machine-detection attributes of `<Number>` and `<Sip>` (Twilio; Telnyx differs). */
const AMD = {
  machineDetection: a(oneOf('Enable', 'DetectMessageEnd'), {
    only: NOT_SIGNALWIRE,
    by: { telnyx: oneOf('Enable', 'DetectMessageEnd', 'Disable') },
  }),
  detectionMode: a(oneOf('Regular', 'Premium'), { only: TELNYX, spec: S.telnyxAttributes }),
  machineDetectionTimeout: a(seconds(3, 60), {
    only: NOT_SIGNALWIRE,
    // Telnyx counts it in milliseconds, 500 to 60000 (Twilio: 3 to 60 seconds)
    by: { telnyx: millis(500, 60000) },
  }),
  machineDetectionSpeechThreshold: a(millis(1000, 6000), { only: TWILIO }),
  machineDetectionSpeechEndThreshold: a(millis(500, 5000), { only: TWILIO }),
  machineDetectionSilenceTimeout: a(millis(2000, 10000), { only: TWILIO }),
  amdStatusCallback: u({ only: TWILIO }),
  amdStatusCallbackMethod: a(METHOD, { default: 'POST', only: TWILIO }),
} as const;

/** `url`, `method` and the status callback of a dialled party. */
const PARTY = {
  url: u(),
  method: a(METHOD, { default: 'POST' }),
  statusCallback: u(),
  statusCallbackEvent: a(PARTY_EVENTS, { by: { telnyx: TELNYX_PARTY_EVENTS } }),
  statusCallbackMethod: a(METHOD, { default: 'POST' }),
} as const;

/** The SSML elements a `<Say>` holds (no `<speak>` wrapper), per `docs/providers/twilio.md §5.2 Nesting`. */
const SSML_ALL = [
  'break',
  'emphasis',
  'lang',
  'p',
  'phoneme',
  'prosody',
  's',
  'say-as',
  'sub',
  'w',
];

/** SSML children, without those named; `w` is not listed by SignalWire. */
function ssml(...without: string[]): TwimlChildFact[] {
  return SSML_ALL.filter((name) => !without.includes(name)).map((name) =>
    name === 'w' ? { name, only: NOT_SIGNALWIRE } : { name },
  );
}

/** SSML is documented for Twilio and SignalWire, not for Telnyx. */
const SSML_DIALECTS = NOT_TELNYX;

/** `<Parameter name value>`: a custom parameter. */
const PARAMETER_CHILD: TwimlChildFact = { name: 'Parameter' };

/** `<break time>`: `<n>s` or `<n>ms`. */
const SSML_TIME = {
  kind: 'pattern',
  regex: /^[0-9]+(?:\.[0-9]+)?(?:s|ms)$/,
  what: 'a time such as 2s or 500ms',
} as const satisfies GrammarValue;

// ---------------------------------------------------------------------------------------------
// The elements
// ---------------------------------------------------------------------------------------------

/**
 * Every element of the language, by name (`docs/providers/twilio.md §5.2 Nesting`,
 * `docs/providers/twilio.md §5.3 Verbs and nouns`; dialect differences as cited on each fact).
 */
export const TWIML_ELEMENTS = {
  Response: {
    name: 'Response',
    builder: 'response',
    spec: S.document,
    attributes: {},
    children: [
      { name: 'Connect' },
      { name: 'Denoise', only: SIGNALWIRE },
      { name: 'Dial' },
      { name: 'Echo', only: NOT_TELNYX },
      { name: 'Enqueue' },
      { name: 'Gather' },
      { name: 'Hangup' },
      { name: 'Leave' },
      { name: 'Pause' },
      { name: 'Pay', only: NOT_TELNYX },
      { name: 'Play' },
      { name: 'Record' },
      { name: 'Redirect' },
      { name: 'Refer' },
      { name: 'Reject' },
      { name: 'Say' },
      { name: 'Sms', only: NOT_TELNYX },
      { name: 'Start' },
      { name: 'Stop' },
    ],
  },

  // --- verbs ----------------------------------------------------------------------------------
  Say: {
    name: 'Say',
    builder: 'say',
    spec: S.verbs,
    attributes: {
      voice: a(TEXT, { default: 'man', defaultBy: { signalwire: 'woman', telnyx: '' } }),
      language: a(LANG, { default: 'en-US', defaultBy: { telnyx: '' } }),
      loop: a(count('times', 0), {
        by: { telnyx: count('times', 0, 10) },
        default: '1',
      }),
      gender: a(oneOf('Male', 'Female'), { only: TELNYX, spec: S.telnyxAttributes }),
      effect: a(oneOf('eq_telecomhp8k', 'eq_car'), { only: TELNYX, spec: S.telnyxAttributes }),
    },
    text: { value: TEXT, need: 'orChildren', what: 'the text to speak' },
    children: ssml().map((child) => ({ ...child, only: child.only ?? SSML_DIALECTS })),
  },
  Play: {
    name: 'Play',
    builder: 'play',
    spec: S.verbs,
    attributes: {
      loop: a(count('times', 0), { default: '1' }),
      digits: a(TWIML_DIGITS),
      mediaStorage: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
    },
    text: {
      value: TWIML_URL,
      need: 'xorAttribute',
      attribute: 'digits',
      url: true,
      what: 'the URL of the audio to play',
    },
    children: [],
  },
  Pause: {
    name: 'Pause',
    builder: 'pause',
    spec: S.verbs,
    attributes: {
      length: a(seconds(1), { by: { telnyx: seconds(1, 180) }, default: '1' }),
    },
    children: [],
  },
  Gather: {
    name: 'Gather',
    builder: 'gather',
    spec: S.verbs,
    attributes: {
      action: u(),
      // TeXML's Gather has no method: the application's method is used
      method: a(METHOD, { default: 'POST', only: NOT_TELNYX }),
      input: a(listOf('dtmf', 'speech'), { default: 'dtmf' }),
      timeout: a(seconds(1), { by: { telnyx: seconds(1, 120) }, default: '5' }),
      speechTimeout: a({ kind: 'integerOr', unit: 'seconds', min: 1, words: ['auto'] } as const),
      maxSpeechTime: a(seconds(1), { only: TWILIO, default: '60' }),
      finishOnKey: a(
        {
          kind: 'pattern',
          regex: /^[0-9#*]?$/,
          what: 'one key of 0-9, # or *, or "" (none)',
        } as const,
        { default: '#' },
      ),
      numDigits: a(count('digits', 1)),
      language: a(LANG, { default: 'en-US' }),
      hints: a(TEXT),
      profanityFilter: a(BOOL, { default: 'true' }),
      speechModel: a(TEXT, {
        only: NOT_TELNYX,
        by: { signalwire: oneOf('phone_call', 'video', 'default') },
      }),
      enhanced: a(BOOL, { only: NOT_TELNYX, default: 'false' }),
      partialResultCallback: u(),
      partialResultCallbackMethod: a(METHOD, { default: 'POST' }),
      actionOnEmptyResult: a(BOOL, { only: NOT_TELNYX, default: 'false' }),
      bargeIn: a(BOOL, { only: TWILIO, default: 'true' }),
      debug: a(BOOL, { only: TWILIO }),
      useEnhanced: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      transcriptionEngine: a(oneOf('Google', 'Telnyx', 'Azure', 'Deepgram'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
      apiKeyRef: a(TEXT, { only: TELNYX, spec: S.telnyxAttributes }),
      region: a(TEXT, { only: TELNYX, spec: S.telnyxAttributes }),
      minDigits: a(count('digits', 1, 128), {
        only: TELNYX,
        spec: S.telnyxAttributes,
        default: '1',
      }),
      maxDigits: a(count('digits', 1, 128), {
        only: TELNYX,
        spec: S.telnyxAttributes,
        default: '128',
      }),
      validDigits: a(
        { kind: 'pattern', regex: /^[0-9#*]+$/, what: 'a set of keys 0-9, # and *' } as const,
        { only: TELNYX, spec: S.telnyxAttributes },
      ),
      invalidDigitsAction: u({ only: TELNYX, spec: S.telnyxAttributes }),
    },
    // Telnyx lists Say and Play only (docs/providers/telnyx.md §5.3 Attributes, defaults, units)
    children: [{ name: 'Say' }, { name: 'Play' }, { name: 'Pause', only: NOT_TELNYX }],
  },
  Dial: {
    name: 'Dial',
    builder: 'dial',
    spec: S.verbs,
    attributes: {
      action: u(),
      method: a(METHOD, { default: 'POST' }),
      timeout: a(seconds(1, 600), {
        by: { telnyx: seconds(5, 120), signalwire: seconds(5, 600) },
        default: '30',
      }),
      timeLimit: a(seconds(1), { by: { telnyx: seconds(60, 14400) }, default: '14400' }),
      callerId: a(TEXT),
      answerOnBridge: a(BOOL, { default: 'false' }),
      hangupOnStar: a(BOOL, { default: 'false' }),
      record: a(DIAL_RECORD_LEGACY, { by: { telnyx: DIAL_RECORD }, default: 'do-not-record' }),
      recordingStatusCallback: u(),
      recordingStatusCallbackMethod: a(METHOD, { default: 'POST' }),
      recordingStatusCallbackEvent: a(RECORDING_EVENTS, { default: 'completed' }),
      recordingTrack: a(oneOf('both', 'inbound', 'outbound'), {
        only: NOT_TELNYX,
        default: 'both',
      }),
      // the default differs between sources; the builders write none (docs/providers/twilio.md §8 Ambiguities)
      trim: a(TRIM, { only: NOT_TELNYX }),
      ringTone: a(RING_TONES, { defaultBy: { telnyx: 'us' } }),
      referUrl: u({ only: TWILIO }),
      referMethod: a(METHOD, { default: 'POST', only: TWILIO }),
      sequential: a(BOOL, { only: TWILIO, default: 'false' }),
      events: a(oneOf('call-progress-event'), { only: TWILIO }),
      recordingConfigurationId: a(TEXT, { only: TWILIO }),
      passports: a(TEXT, { only: TWILIO }),
      fromDisplayName: a(
        {
          kind: 'pattern',
          regex: /^[A-Za-z0-9 \-_~!.+]{1,128}$/,
          what: 'up to 128 letters, digits, spaces and -_~!.+',
        } as const,
        { only: TELNYX, spec: S.telnyxAttributes },
      ),
      recordingChannels: a(oneOf('single', 'dual'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
        default: 'single',
      }),
      recordMaxLength: a(seconds(0, 14400, '0 = no limit'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
        default: '0',
      }),
      sendRecordingUrl: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      audioUrl: u({ only: TELNYX, spec: S.telnyxAttributes }),
      passDiversionHeader: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      machineDetectionSpeechThreshold: a(millis(1), { only: TELNYX, spec: S.telnyxAttributes }),
      machineDetectionSpeechEndThreshold: a(millis(1), {
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
      machineDetectionSilenceTimeout: a(millis(1), { only: TELNYX, spec: S.telnyxAttributes }),
      callerName: a(
        { kind: 'pattern', regex: /^[^]{1,70}$/u, what: 'at most 70 characters' } as const,
        { only: SIGNALWIRE, spec: S.signalwireVerbs },
      ),
      recordingStorageUrl: u({ only: SIGNALWIRE, spec: S.signalwireVerbs }),
      recordingStorageUrlMethod: a(oneOf('POST', 'PUT'), {
        only: SIGNALWIRE,
        spec: S.signalwireVerbs,
      }),
    },
    text: { value: TEXT, need: 'xorChildren', what: 'the number to dial' },
    children: [
      { name: 'Number' },
      { name: 'Client', only: TWILIO },
      { name: 'Sip' },
      { name: 'Sim', only: TWILIO },
      { name: 'Application', only: TWILIO },
      { name: 'WhatsApp', only: TWILIO },
      { name: 'Verto', only: SIGNALWIRE },
      { name: 'Conference' },
      { name: 'Queue' },
    ],
    alone: ['Conference', 'Queue'],
    limit: {
      names: ['Number', 'Client', 'Sip', 'Sim', 'Application', 'WhatsApp', 'Verto'],
      max: 10,
    },
  },
  Record: {
    name: 'Record',
    builder: 'record',
    spec: S.verbs,
    attributes: {
      action: u(),
      method: a(METHOD, { default: 'POST' }),
      timeout: a(seconds(0, undefined, '0 = no silence detection'), {
        default: '5',
        defaultBy: { telnyx: '0', signalwire: '' },
      }),
      finishOnKey: a(
        {
          kind: 'pattern',
          regex: /^[0-9#*]+$/,
          what: 'keys of 0-9, # and *',
        } as const,
        { default: '1234567890*#', defaultBy: { signalwire: '' } },
      ),
      maxLength: a(seconds(2, undefined, 'greater than 1'), {
        by: {
          telnyx: seconds(0, 14400, '0 = no limit'),
          signalwire: seconds(0, undefined, '0 = 3600'),
        },
        default: '3600',
      }),
      playBeep: a(BOOL, { default: 'true' }),
      trim: a(TRIM, {
        by: { telnyx: oneOf('trim-silence') },
        default: 'trim-silence',
        defaultBy: { telnyx: '' },
      }),
      recordingStatusCallback: u(),
      recordingStatusCallbackMethod: a(METHOD, { default: 'POST' }),
      recordingStatusCallbackEvent: a(RECORDING_EVENTS, {
        by: { telnyx: listOf('in-progress', 'completed') },
      }),
      transcribe: a(BOOL, { only: NOT_TELNYX, default: 'false' }),
      transcribeCallback: u({ only: NOT_TELNYX }),
      recordingConfigurationId: a(TEXT, { only: TWILIO }),
      channels: a(oneOf('single', 'dual'), { only: TELNYX, spec: S.telnyxAttributes }),
      transcription: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      transcriptionCallback: u({ only: TELNYX, spec: S.telnyxAttributes }),
      transcriptionEngine: a(oneOf('A', 'B'), { only: TELNYX, spec: S.telnyxAttributes }),
      transcriptionLanguage: a(LANG, { only: TELNYX, spec: S.telnyxAttributes }),
      format: a(oneOf('mp3', 'wav'), { only: TELNYX, spec: S.telnyxAttributes }),
      storageUrl: u({ only: SIGNALWIRE, spec: S.signalwireVerbs }),
      storageUrlMethod: a(oneOf('POST', 'PUT'), { only: SIGNALWIRE, spec: S.signalwireVerbs }),
    },
    children: [],
  },
  Hangup: {
    name: 'Hangup',
    builder: 'hangup',
    spec: S.verbs,
    attributes: {},
    children: [{ name: 'Parameter', only: TWILIO }],
  },
  Reject: {
    name: 'Reject',
    builder: 'reject',
    spec: S.verbs,
    attributes: { reason: a(oneOf('rejected', 'busy'), { default: 'rejected' }) },
    children: [{ name: 'Parameter', only: TWILIO }],
  },
  Redirect: {
    name: 'Redirect',
    builder: 'redirect',
    spec: S.verbs,
    attributes: { method: a(METHOD, { default: 'POST' }) },
    text: { value: TWIML_URL, need: 'required', url: true, what: 'the URL of the next document' },
    children: [],
  },
  Enqueue: {
    name: 'Enqueue',
    builder: 'enqueue',
    spec: S.verbs,
    attributes: {
      action: u(),
      method: a(METHOD, { default: 'POST' }),
      waitUrl: u(),
      waitUrlMethod: a(METHOD, { default: 'POST' }),
      workflowSid: a(TEXT, { only: TWILIO }),
      maxQueueSize: a(count('calls', 1), { only: TWILIO }),
      maxWaitTimeSecs: a(seconds(1), { only: TELNYX, spec: S.telnyxAttributes, default: '14400' }),
    },
    text: { value: TEXT, need: 'xorChildren', what: 'the queue name' },
    children: [{ name: 'Task', only: TWILIO }],
    oneEach: true,
  },
  Leave: { name: 'Leave', builder: 'leave', spec: S.verbs, attributes: {}, children: [] },
  Refer: {
    name: 'Refer',
    builder: 'refer',
    spec: S.verbs,
    attributes: { action: u(), method: a(METHOD, { default: 'POST' }) },
    children: [{ name: 'Sip' }],
    oneEach: true,
  },
  Connect: {
    name: 'Connect',
    builder: 'connect',
    spec: S.verbs,
    attributes: { action: u(), method: a(METHOD, { default: 'POST' }) },
    children: [
      { name: 'Room', only: NOT_TELNYX },
      { name: 'Stream' },
      { name: 'VirtualAgent', only: NOT_TELNYX },
      { name: 'ConversationRelay', only: TWILIO },
      { name: 'Conversation', only: TWILIO },
      { name: 'Assistant', only: TWILIO },
      { name: 'AiSession', only: TWILIO },
      { name: 'ConversationRelaySession', only: TWILIO },
      { name: 'Autopilot', only: TWILIO },
    ],
  },
  Start: {
    name: 'Start',
    builder: 'start',
    spec: S.verbs,
    attributes: { action: u(), method: a(METHOD, { default: 'POST' }) },
    children: [
      { name: 'Stream' },
      { name: 'Siprec', only: NOT_SIGNALWIRE },
      { name: 'Transcription', only: NOT_SIGNALWIRE },
      { name: 'Recording', only: NOT_SIGNALWIRE },
      { name: 'Suppression', only: TELNYX },
    ],
  },
  Stop: {
    name: 'Stop',
    builder: 'stop',
    spec: S.verbs,
    attributes: {},
    children: [
      { name: 'Stream' },
      { name: 'Siprec', only: TWILIO },
      { name: 'Transcription', only: NOT_SIGNALWIRE },
      { name: 'Suppression', only: TELNYX },
    ],
  },
  Pay: {
    name: 'Pay',
    builder: 'pay',
    spec: S.verbs,
    only: NOT_TELNYX,
    attributes: {
      input: a(oneOf('dtmf')),
      action: u(),
      statusCallback: u(),
      statusCallbackMethod: a(METHOD, { default: 'POST', only: TWILIO }),
      paymentConnector: a(TEXT, { only: TWILIO }),
      paymentConnectorUrl: u({ only: SIGNALWIRE, spec: S.signalwireVerbs }),
      paymentMethod: a(oneOf('credit-card', 'ach-debit'), {
        by: { signalwire: oneOf('credit-card') },
      }),
      bankAccountType: a(
        oneOf('consumer-checking', 'consumer-savings', 'commercial-checking', 'commercial-savings'),
        { only: TWILIO },
      ),
      chargeAmount: a({
        kind: 'pattern',
        regex: /^[0-9]+(?:\.[0-9]+)?$/,
        what: 'an amount such as 20.45 (0 = create a payment token)',
      } as const),
      currency: a(TEXT, { by: { signalwire: oneOf('usd') } }),
      description: a(TEXT),
      tokenType: a(oneOf('one-time', 'reusable', 'payment-method'), {
        by: { signalwire: oneOf('one-time', 'reusable') },
      }),
      validCardTypes: a(CARD_TYPES),
      securityCode: a(BOOL),
      postalCode: a(TEXT),
      minPostalCodeLength: a(count('characters', 0)),
      maxAttempts: a(count('attempts', 1), { by: { signalwire: count('attempts', 1, 3) } }),
      timeout: a(seconds(1), { by: { signalwire: seconds(4) } }),
      language: a(LANG),
    },
    children: [{ name: 'Prompt' }, { name: 'Parameter' }],
  },
  Prompt: {
    name: 'Prompt',
    builder: 'prompt',
    spec: S.verbs,
    only: NOT_TELNYX,
    attributes: {
      for: a(
        oneOf(
          'payment-card-number',
          'expiration-date',
          'security-code',
          'postal-code',
          'payment-processing',
          'bank-account-number',
          'bank-routing-number',
        ),
      ),
      errorType: a(
        listOf(
          'timeout',
          'invalid-card-number',
          'invalid-card-type',
          'invalid-date',
          'invalid-security-code',
          'internal-error',
          'input-matching-failed',
        ),
      ),
      cardType: a(CARD_TYPES),
      attempt: a({ kind: 'integerList', unit: 'attempts', min: 1 } as const),
      requireMatchingInputs: a(BOOL),
    },
    children: [{ name: 'Say' }, { name: 'Play' }, { name: 'Pause' }],
  },
  Sms: {
    name: 'Sms',
    builder: 'sms',
    spec: S.verbs,
    only: NOT_TELNYX,
    attributes: {
      to: a(TEXT),
      from: a(TEXT),
      action: u(),
      method: a(METHOD, { default: 'POST' }),
      statusCallback: u(),
    },
    text: { value: TEXT, need: 'required', what: 'the message' },
    children: [],
  },
  Echo: {
    name: 'Echo',
    builder: 'echo',
    spec: S.verbs,
    only: NOT_TELNYX,
    attributes: {
      timeout: a(seconds(5, 120), { only: SIGNALWIRE, spec: S.signalwireVerbs }),
    },
    children: [],
  },
  Denoise: {
    name: 'Denoise',
    builder: 'denoise',
    spec: S.signalwireVerbs,
    only: SIGNALWIRE,
    attributes: {},
    text: { value: oneOf('on', 'off'), need: 'required', what: '"on" or "off"' },
    children: [],
  },

  // --- nouns of <Dial> -------------------------------------------------------------------------
  Number: {
    name: 'Number',
    builder: 'number',
    spec: S.verbs,
    attributes: {
      sendDigits: a(TWIML_DIGITS),
      ...PARTY,
      byoc: a(TEXT, { only: TWILIO }),
      ...AMD,
    },
    text: { value: TEXT, need: 'required', what: 'the phone number' },
    children: [],
  },
  Sip: {
    name: 'Sip',
    builder: 'sip',
    spec: S.verbs,
    attributes: {
      username: a(TEXT),
      password: a(TEXT),
      ...PARTY,
      ...AMD,
      codecs: a(
        {
          kind: 'pattern',
          regex: /^(?:PCMU|PCMA|G722|G729|OPUS)(?:,(?:PCMU|PCMA|G722|G729|OPUS))*$/,
          what: 'comma-separated codecs of PCMU, PCMA, G722, G729, OPUS',
        } as const,
        { only: SIGNALWIRE, spec: S.signalwireVerbs },
      ),
      sessionTimeout: a(seconds(0), { only: SIGNALWIRE, spec: S.signalwireVerbs }),
    },
    text: { value: TEXT, need: 'xorChildren', what: 'the SIP URI' },
    children: [
      { name: 'Uri', only: TWILIO },
      { name: 'Headers', only: TWILIO },
    ],
    oneEach: true,
  },
  Client: {
    name: 'Client',
    builder: 'client',
    spec: S.verbs,
    only: TWILIO,
    attributes: { ...PARTY, statusCallbackEvent: a(PARTY_EVENTS) },
    text: {
      value: { kind: 'pattern', regex: /^[^]{1,256}$/u, what: 'at most 256 characters' } as const,
      need: 'xorChildren',
      what: 'the client identity',
    },
    children: [{ name: 'Identity' }, { name: 'Parameter' }],
  },
  Conference: {
    name: 'Conference',
    builder: 'conference',
    spec: S.verbs,
    attributes: {
      muted: a(BOOL, { default: 'false' }),
      beep: a(oneOf('true', 'false', 'onEnter', 'onExit'), { default: 'true' }),
      startConferenceOnEnter: a(BOOL, { default: 'true' }),
      endConferenceOnExit: a(BOOL, { default: 'false' }),
      waitUrl: u(),
      waitMethod: a(METHOD, { default: 'POST' }),
      maxParticipants: a(count('participants', 1, 250), {
        by: { telnyx: count('participants', 2, 250) },
        default: '250',
      }),
      record: a(oneOf('do-not-record', 'record-from-start'), { default: 'do-not-record' }),
      trim: a(TRIM, { default: 'trim-silence', defaultBy: { telnyx: 'do-not-trim' } }),
      region: a(oneOf('us1', 'us2', 'ie1', 'sg1', 'br1', 'au1', 'jp1', 'de1'), { only: TWILIO }),
      coach: a(TEXT, { only: NOT_TELNYX }),
      participantLabel: a(TEXT, { only: NOT_SIGNALWIRE }),
      jitterBufferSize: a(oneOf('large', 'medium', 'small', 'off'), {
        only: TWILIO,
        default: 'large',
      }),
      statusCallback: u(),
      statusCallbackEvent: a(
        listOf(
          'start',
          'end',
          'join',
          'leave',
          'mute',
          'hold',
          'modify',
          'speaker',
          'announcement',
        ),
        {
          by: {
            telnyx: listOf('start', 'end', 'join', 'leave', 'speaker'),
            signalwire: listOf('start', 'end', 'join', 'leave', 'mute', 'hold', 'speaker'),
          },
        },
      ),
      statusCallbackMethod: a(METHOD, { default: 'POST' }),
      recordingStatusCallback: u(),
      recordingStatusCallbackMethod: a(METHOD, { default: 'POST' }),
      recordingStatusCallbackEvent: a(RECORDING_EVENTS, {
        by: { signalwire: listOf('completed', 'failed') },
      }),
      recordingConfigurationId: a(TEXT, { only: TWILIO }),
      eventCallbackUrl: u({ only: NOT_TELNYX }),
      recordBeep: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      recordingTimeout: a(seconds(0, undefined, '0 = off'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
      sendRecordingUrl: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      streamUrl: a(TWIML_WSS, { only: SIGNALWIRE, spec: S.signalwireVerbs }),
    },
    text: { value: TEXT, need: 'required', what: 'the conference name' },
    children: [{ name: 'Stream', only: SIGNALWIRE }],
  },
  Queue: {
    name: 'Queue',
    builder: 'queue',
    spec: S.verbs,
    attributes: {
      url: u(),
      method: a(METHOD, { default: 'POST' }),
      reservationSid: a(TEXT, { only: TWILIO }),
      postWorkActivitySid: a(TEXT, { only: TWILIO }),
    },
    text: { value: TEXT, need: 'required', what: 'the queue name' },
    children: [],
  },
  Sim: {
    name: 'Sim',
    builder: 'sim',
    spec: S.verbs,
    only: TWILIO,
    attributes: {},
    text: { value: TEXT, need: 'required', what: 'the SIM SID' },
    children: [],
  },
  Application: {
    name: 'Application',
    builder: 'application',
    spec: S.verbs,
    only: TWILIO,
    attributes: {
      url: u(),
      method: a(METHOD, { default: 'POST' }),
      statusCallback: u(),
      statusCallbackEvent: a(PARTY_EVENTS),
      statusCallbackMethod: a(METHOD, { default: 'POST' }),
      copyParentTo: a(BOOL),
      customerId: a(TEXT),
    },
    text: { value: TEXT, need: 'xorChildren', what: 'the application SID' },
    children: [{ name: 'ApplicationSid' }, { name: 'Parameter' }],
  },
  WhatsApp: {
    name: 'WhatsApp',
    builder: 'whatsApp',
    spec: S.verbs,
    only: TWILIO,
    attributes: {
      url: u(),
      method: a(METHOD, { default: 'POST' }),
      statusCallback: u(),
      statusCallbackEvent: a(PARTY_EVENTS),
      statusCallbackMethod: a(METHOD, { default: 'POST' }),
    },
    text: { value: TEXT, need: 'required', what: 'the WhatsApp number' },
    children: [],
  },
  Verto: {
    name: 'Verto',
    builder: 'verto',
    spec: S.signalwireVerbs,
    only: SIGNALWIRE,
    attributes: {},
    text: { value: TEXT, need: 'required', what: 'the Verto endpoint' },
    children: [],
  },

  // --- parts of nouns --------------------------------------------------------------------------
  Identity: {
    name: 'Identity',
    builder: 'identity',
    spec: S.nesting,
    only: TWILIO,
    attributes: {},
    text: { value: TEXT, need: 'required', what: 'the client identity' },
    children: [],
  },
  ApplicationSid: {
    name: 'ApplicationSid',
    builder: 'applicationSid',
    spec: S.nesting,
    only: TWILIO,
    attributes: {},
    text: { value: TEXT, need: 'required', what: 'the application SID' },
    children: [],
  },
  Uri: {
    name: 'Uri',
    builder: 'uri',
    spec: S.nesting,
    only: TWILIO,
    attributes: { username: a(TEXT), password: a(TEXT), priority: a(TEXT), weight: a(TEXT) },
    text: { value: TEXT, need: 'required', what: 'the SIP URI' },
    children: [],
  },
  Headers: {
    name: 'Headers',
    builder: 'headers',
    spec: S.nesting,
    only: TWILIO,
    attributes: {},
    children: [{ name: 'Header' }],
  },
  Header: {
    name: 'Header',
    builder: 'header',
    spec: S.nesting,
    only: TWILIO,
    attributes: { name: a(TEXT, { required: true }), value: a(TEXT, { required: true }) },
    children: [],
  },
  Parameter: {
    name: 'Parameter',
    builder: 'parameter',
    spec: S.nesting,
    attributes: { name: a(TEXT, { required: true }), value: a(TEXT, { required: true }) },
    children: [],
  },
  Task: {
    name: 'Task',
    builder: 'task',
    spec: S.nesting,
    only: TWILIO,
    attributes: { priority: a(count('priority', 0)), timeout: a(seconds(1)) },
    text: { value: TEXT, need: 'required', what: 'the task attributes as JSON' },
    children: [],
  },

  // --- <Connect> nouns -------------------------------------------------------------------------
  Room: {
    name: 'Room',
    builder: 'room',
    spec: S.verbs,
    only: NOT_TELNYX,
    attributes: { participantIdentity: a(TEXT) },
    text: { value: TEXT, need: 'required', what: 'the room name' },
    children: [],
  },
  Stream: {
    name: 'Stream',
    builder: 'stream',
    spec: S.verbs,
    attributes: {
      url: a(TWIML_WSS),
      name: a(TEXT),
      track: a(TRACKS, { default: 'inbound_track' }),
      statusCallback: u(),
      statusCallbackMethod: a(METHOD, { default: 'POST' }),
      connectorName: a(TEXT, { only: TWILIO }),
      audioFormat: a(TEXT, { only: TWILIO }),
      sampleRate: a(TEXT, { only: TWILIO }),
      codec: a(TEXT, {
        only: NOT_TWILIO,
        by: { signalwire: oneOf('PCMU@8000h', 'L16@16000h', 'L16@24000h') },
      }),
      bidirectionalMode: a(oneOf('mp3', 'rtp'), { only: TELNYX, spec: S.telnyxAttributes }),
      bidirectionalCodec: a(oneOf('PCMU', 'PCMA', 'G722', 'OPUS', 'AMR-WB'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
      bidirectionalSamplingRate: a(oneOf('8000', '16000', '24000'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
      enableReconnect: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      authBearerToken: a(TEXT, { only: SIGNALWIRE, spec: S.signalwireVerbs }),
      realtime: a(BOOL, { only: SIGNALWIRE, spec: S.signalwireVerbs }),
      bidir: a(BOOL, { only: SIGNALWIRE, spec: S.signalwireVerbs }),
      streamSslValidateCertificate: a(BOOL, { only: SIGNALWIRE, spec: S.signalwireVerbs }),
      streamStartConferenceOnEnter: a(BOOL, { only: SIGNALWIRE, spec: S.signalwireVerbs }),
    },
    children: [PARAMETER_CHILD],
  },
  VirtualAgent: {
    name: 'VirtualAgent',
    builder: 'virtualAgent',
    spec: S.verbs,
    only: NOT_TELNYX,
    attributes: {
      connectorName: a(TEXT),
      language: a(LANG, { only: TWILIO }),
      sentimentAnalysis: a(BOOL, { only: TWILIO }),
      statusCallback: u({ only: TWILIO }),
      statusCallbackMethod: a(METHOD, { default: 'POST', only: TWILIO }),
    },
    children: [
      { name: 'Config', only: TWILIO },
      { name: 'Parameter', only: TWILIO },
    ],
  },
  ConversationRelay: {
    name: 'ConversationRelay',
    builder: 'conversationRelay',
    spec: S.nesting,
    only: TWILIO,
    attributes: {
      url: a(TWIML_WSS),
      language: a(TEXT),
      ttsLanguage: a(TEXT),
      transcriptionLanguage: a(TEXT),
      ttsProvider: a(TEXT),
      voice: a(TEXT),
      transcriptionProvider: a(TEXT),
      speechModel: a(TEXT),
      profanityFilter: a(BOOL),
      dtmfDetection: a(BOOL),
      welcomeGreeting: a(TEXT),
      partialPrompts: a(BOOL),
      welcomeGreetingInterruptible: a(TEXT),
      interruptible: a(TEXT),
      interruptSensitivity: a(TEXT),
      preemptible: a(BOOL),
      hints: a(TEXT),
      intelligenceService: a(TEXT),
      reportInputDuringAgentSpeech: a(BOOL),
      elevenlabsTextNormalization: a(TEXT),
      debug: a(TEXT),
      events: a(TEXT),
      backgroundnoisereduction: a(TEXT),
      deepgramsmartformat: a(TEXT),
      ignorebackchannel: a(TEXT),
      speechtimeout: a(TEXT),
    },
    children: [{ name: 'Language' }, PARAMETER_CHILD],
  },
  Assistant: {
    name: 'Assistant',
    builder: 'assistant',
    spec: S.nesting,
    only: TWILIO,
    attributes: {
      id: a(TEXT),
      language: a(TEXT),
      ttsLanguage: a(TEXT),
      transcriptionLanguage: a(TEXT),
      ttsProvider: a(TEXT),
      voice: a(TEXT),
      transcriptionProvider: a(TEXT),
      speechModel: a(TEXT),
      profanityFilter: a(BOOL),
      dtmfDetection: a(BOOL),
      welcomeGreeting: a(TEXT),
      partialPrompts: a(BOOL),
      welcomeGreetingInterruptible: a(TEXT),
      interruptible: a(TEXT),
      interruptSensitivity: a(TEXT),
      preemptible: a(BOOL),
      hints: a(TEXT),
      intelligenceService: a(TEXT),
      reportInputDuringAgentSpeech: a(BOOL),
      elevenlabsTextNormalization: a(TEXT),
      debug: a(TEXT),
    },
    children: [{ name: 'Language' }, PARAMETER_CHILD],
  },
  Language: {
    name: 'Language',
    builder: 'language',
    spec: S.nesting,
    only: TWILIO,
    attributes: {
      code: a(TEXT),
      ttsProvider: a(TEXT),
      voice: a(TEXT),
      transcriptionProvider: a(TEXT),
      speechModel: a(TEXT),
    },
    children: [],
  },
  Conversation: {
    name: 'Conversation',
    builder: 'conversation',
    spec: S.nesting,
    only: TWILIO,
    attributes: {
      serviceInstanceSid: a(TEXT),
      inboundAutocreation: a(BOOL),
      routingAssignmentTimeout: a(seconds(0)),
      inboundTimeout: a(seconds(0)),
      url: u(),
      method: a(METHOD, { default: 'POST' }),
      record: a(
        oneOf(
          'do-not-record',
          'record-from-answer',
          'record-from-ringing',
          'record-from-answer-dual',
          'record-from-ringing-dual',
          'true',
          'false',
        ),
      ),
      trim: a(TRIM),
      recordingStatusCallback: u(),
      recordingStatusCallbackMethod: a(METHOD, { default: 'POST' }),
      recordingStatusCallbackEvent: a(RECORDING_EVENTS),
      statusCallback: u(),
      statusCallbackMethod: a(METHOD, { default: 'POST' }),
      statusCallbackEvent: a(
        listOf('call-initiated', 'call-ringing', 'call-answered', 'call-completed'),
      ),
    },
    children: [],
  },
  AiSession: {
    name: 'AiSession',
    builder: 'aiSession',
    spec: S.nesting,
    only: TWILIO,
    attributes: { aiConnector: a(TEXT), aiSessionConfiguration: a(TEXT) },
    children: [],
  },
  ConversationRelaySession: {
    name: 'ConversationRelaySession',
    builder: 'conversationRelaySession',
    spec: S.nesting,
    only: TWILIO,
    attributes: { connector: a(TEXT), sessionConfiguration: a(TEXT) },
    children: [],
  },
  Autopilot: {
    name: 'Autopilot',
    builder: 'autopilot',
    spec: S.nesting,
    only: TWILIO,
    attributes: {},
    text: { value: TEXT, need: 'required', what: 'the assistant name or SID' },
    children: [],
  },
  Config: {
    name: 'Config',
    builder: 'config',
    spec: S.nesting,
    only: TWILIO,
    attributes: { name: a(TEXT, { required: true }), value: a(TEXT, { required: true }) },
    children: [],
  },

  // --- <Start>/<Stop> nouns --------------------------------------------------------------------
  Siprec: {
    name: 'Siprec',
    builder: 'siprec',
    spec: S.verbs,
    only: NOT_SIGNALWIRE,
    attributes: {
      name: a(TEXT),
      connectorName: a(TEXT),
      track: a(TRACKS),
      statusCallback: u(),
      statusCallbackMethod: a(METHOD, { default: 'POST' }),
      includeMetadataCustomHeaders: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      secure: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      sessionTimeoutSecs: a(seconds(0, 14440, '90 to 14440, 0 disables'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
    },
    children: [{ name: 'Parameter', only: TWILIO }],
  },
  Transcription: {
    name: 'Transcription',
    builder: 'transcription',
    spec: S.verbs,
    only: NOT_SIGNALWIRE,
    attributes: {
      name: a(TEXT, { only: TWILIO }),
      track: a(TRACKS, { only: TWILIO }),
      languageCode: a(LANG, { only: TWILIO }),
      transcriptionEngine: a(TEXT, {
        by: { telnyx: oneOf('Google', 'Telnyx', 'Deepgram', 'Azure', 'A', 'B') },
      }),
      speechModel: a(TEXT, { only: TWILIO }),
      profanityFilter: a(BOOL, { only: TWILIO }),
      partialResults: a(BOOL, { only: TWILIO }),
      hints: a(TEXT, { only: TWILIO }),
      enableAutomaticPunctuation: a(BOOL, { only: TWILIO }),
      statusCallbackUrl: u({ only: TWILIO }),
      statusCallbackMethod: a(METHOD, { default: 'POST', only: TWILIO }),
      inboundTrackLabel: a(TEXT, { only: TWILIO }),
      outboundTrackLabel: a(TEXT, { only: TWILIO }),
      intelligenceService: a(TEXT, { only: TWILIO }),
      language: a(LANG, { only: TELNYX, spec: S.telnyxAttributes }),
      interimResults: a(BOOL, { only: TELNYX, spec: S.telnyxAttributes }),
      transcriptionTracks: a(oneOf('inbound', 'outbound', 'both'), {
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
      transcriptionCallback: u({ only: TELNYX, spec: S.telnyxAttributes }),
      transcriptionCallbackMethod: a(METHOD, {
        default: 'POST',
        only: TELNYX,
        spec: S.telnyxAttributes,
      }),
      model: a(TEXT, { only: TELNYX, spec: S.telnyxAttributes }),
      apiKeyRef: a(TEXT, { only: TELNYX, spec: S.telnyxAttributes }),
      region: a(TEXT, { only: TELNYX, spec: S.telnyxAttributes }),
    },
    children: [
      { name: 'Config', only: TWILIO },
      { name: 'Parameter', only: TWILIO },
    ],
  },
  Recording: {
    name: 'Recording',
    builder: 'recording',
    spec: S.verbs,
    only: NOT_SIGNALWIRE,
    attributes: {
      recordingStatusCallback: u(),
      recordingStatusCallbackMethod: a(METHOD, { default: 'POST' }),
      recordingStatusCallbackEvent: a(RECORDING_EVENTS),
      channels: a(oneOf('mono', 'dual'), { by: { telnyx: oneOf('mono', 'single', 'dual') } }),
      track: a(oneOf('inbound', 'outbound', 'both')),
      trim: a(TRIM, { by: { telnyx: oneOf('trim-silence') } }),
      recordingConfigurationId: a(TEXT, { only: TWILIO }),
      format: a(oneOf('mp3', 'wav'), { only: TELNYX, spec: S.telnyxAttributes }),
    },
    children: [],
  },
  Suppression: {
    name: 'Suppression',
    builder: 'suppression',
    spec: S.telnyxAttributes,
    only: TELNYX,
    attributes: { direction: a(oneOf('inbound', 'outbound', 'both')) },
    children: [],
  },

  // --- SSML inside <Say> -----------------------------------------------------------------------
  break: {
    name: 'break',
    builder: 'ssmlBreak',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: {
      strength: a(oneOf('none', 'x-weak', 'weak', 'medium', 'strong', 'x-strong')),
      time: a(SSML_TIME),
    },
    children: [],
  },
  emphasis: {
    name: 'emphasis',
    builder: 'ssmlEmphasis',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: { level: a(oneOf('strong', 'moderate', 'reduced')) },
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: ssml('p', 's'),
  },
  lang: {
    name: 'lang',
    builder: 'ssmlLang',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: { xmlLang: a(LANG, { name: 'xml:lang' }) },
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: ssml(),
  },
  p: {
    name: 'p',
    builder: 'ssmlP',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: {},
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: ssml('p'),
  },
  phoneme: {
    name: 'phoneme',
    builder: 'ssmlPhoneme',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: {
      alphabet: a(
        oneOf(
          'ipa',
          'x-sampa',
          'x-amazon-jyutping',
          'x-amazon-pinyin',
          'x-amazon-pron-kana',
          'x-amazon-yomigana',
        ),
        { by: { signalwire: oneOf('ipa', 'x-sampa') } },
      ),
      ph: a(TEXT),
    },
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: [],
  },
  prosody: {
    name: 'prosody',
    builder: 'ssmlProsody',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: { volume: a(TEXT), rate: a(TEXT), pitch: a(TEXT) },
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: ssml(),
  },
  s: {
    name: 's',
    builder: 'ssmlS',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: {},
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: ssml('p', 's'),
  },
  'say-as': {
    name: 'say-as',
    builder: 'ssmlSayAs',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: {
      interpretAs: a(
        oneOf(
          'characters',
          'spell-out',
          'cardinal',
          'number',
          'ordinal',
          'digits',
          'fraction',
          'unit',
          'date',
          'time',
          'address',
          'expletive',
          'telephone',
        ),
        { name: 'interpret-as' },
      ),
      format: a(oneOf('mdy', 'dmy', 'ymd', 'md', 'dm', 'ym', 'my', 'd', 'm', 'y', 'yyyymmdd')),
    },
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: [],
  },
  sub: {
    name: 'sub',
    builder: 'ssmlSub',
    spec: S.nesting,
    only: SSML_DIALECTS,
    attributes: { alias: a(TEXT) },
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: [],
  },
  w: {
    name: 'w',
    builder: 'ssmlW',
    spec: S.nesting,
    only: TWILIO,
    attributes: { role: a(TEXT) },
    text: { value: TEXT, need: 'optional', what: 'the text' },
    children: ssml('lang', 'p', 's', 'w'),
  },
} as const satisfies Record<string, TwimlElementFact>;

/** The name of an element of the language (in some dialect). */
export type TwimlElementName = keyof typeof TWIML_ELEMENTS;

/** The elements, read through their common shape. */
const ELEMENTS: Readonly<Record<string, TwimlElementFact>> = TWIML_ELEMENTS;

// ---------------------------------------------------------------------------------------------
// Reading the grammar per dialect
// ---------------------------------------------------------------------------------------------

/** Whether `fact` (an element, an attribute or a child) exists in `dialect`. */
export function inDialect(
  fact: { readonly only?: readonly TwimlDialect[] },
  dialect: TwimlDialect,
): boolean {
  return fact.only === undefined || fact.only.includes(dialect);
}

/** The element named `name` if `dialect` has it. */
export function elementIn(name: string, dialect: TwimlDialect): TwimlElementFact | undefined {
  const fact = Object.prototype.hasOwnProperty.call(ELEMENTS, name) ? ELEMENTS[name] : undefined;
  return fact !== undefined && inDialect(fact, dialect) ? fact : undefined;
}

/** One attribute as it is in a dialect: its option name, written name, value type and section. */
export interface TwimlDialectAttribute {
  /** The builder option (camelCase). */
  readonly option: string;
  /** The attribute as written. */
  readonly name: string;
  /** Its value type in the dialect. */
  readonly value: TwimlValue;
  /** Takes an action reference in the builders. */
  readonly url: boolean;
  /** Must be present. */
  readonly required: boolean;
  /** The section documenting it. */
  readonly spec: string;
  /** The provider's default when absent, as written; absent where the reference states none. */
  readonly default?: string;
}

/** The attributes `element` has in `dialect`, in the order the builders write them. */
export function attributesIn(
  element: TwimlElementFact,
  dialect: TwimlDialect,
): TwimlDialectAttribute[] {
  return Object.entries(element.attributes)
    .filter(([, fact]) => inDialect(fact, dialect))
    .map(([option, fact]) => ({
      option,
      name: fact.name ?? option,
      value: fact.by?.[dialect] ?? fact.value,
      url: fact.url === true,
      required: fact.required === true,
      spec: fact.spec ?? (dialect === 'twilio' ? element.spec : dialectSpec(element, dialect)),
      ...defaultIn(fact, dialect),
    }));
}

/** The default of an attribute in `dialect`, as an optional property. */
function defaultIn(fact: TwimlAttributeFact, dialect: TwimlDialect): { default?: string } {
  const value = fact.defaultBy?.[dialect] ?? fact.default;
  return value === undefined || value === '' ? {} : { default: value };
}

/** The section an element of `dialect` is documented in (the dialect's own where it has one). */
export function dialectSpec(element: TwimlElementFact, dialect: TwimlDialect): string {
  if (element.spec.startsWith(TWIML_SPEC_FILES[dialect])) return element.spec;
  if (dialect === 'telnyx') return `${S.telnyxAttributes}; ${element.spec}`;
  if (dialect === 'signalwire') return `${S.signalwireVerbs}; ${element.spec}`;
  return element.spec;
}

/** The names of the children `element` may hold in `dialect` (that exist there). */
export function childrenIn(element: TwimlElementFact, dialect: TwimlDialect): string[] {
  return element.children
    .filter((child) => inDialect(child, dialect) && elementIn(child.name, dialect) !== undefined)
    .map((child) => child.name);
}

/** The dialect(s) that have an element or an attribute, in words, e.g. `Twilio and SignalWire`. */
export function dialectsOf(fact: { readonly only?: readonly TwimlDialect[] }): string {
  const names = (fact.only ?? TWIML_DIALECTS).map(
    (dialect) => ({ twilio: 'Twilio', telnyx: 'Telnyx', signalwire: 'SignalWire' })[dialect],
  );
  return names.join(' and ');
}

/** A broken rule of what an element holds: a stable code, a sentence and its section. */
export interface TwimlRuleBreak {
  /** `missing-text`, `unexpected-text`, `missing-child`, `duplicate`, `twiml.dial-nouns`, … */
  readonly code: string;
  /** What is wrong, naming the elements. */
  readonly message: string;
  /** The section it breaks. */
  readonly spec: string;
  /** The index (in `children`) of the first child that breaks it; absent: the element itself. */
  readonly at?: number;
}

/**
 * The rules of an element's content in `dialect` (`docs/providers/twilio.md §5.2 Nesting`): its
 * text is there when it must be and absent when it must not (`hasText`: non-blank text), the
 * attribute that replaces it (`<Play digits>`), the children that must be alone (`<Conference>`,
 * `<Queue>` in `<Dial>`), the most dialled parties (10) and one child of each name where so.
 * `children` are the child element names in document order; names the element may not hold
 * are left to the caller. Returns every rule broken, none when the content fits.
 *
 * @example `contentRule('twilio', 'Dial', ['Conference', 'Number'], false, [])` → one break,
 *   `twiml.dial-nouns`: `<Conference> must be the only noun of <Dial>, got 2 nouns`
 */
export function contentRule(
  dialect: TwimlDialect,
  name: string,
  children: readonly string[],
  hasText: boolean,
  attributes: readonly string[],
): TwimlRuleBreak[] {
  const element = elementIn(name, dialect);
  if (element === undefined) return [];
  const allowed = childrenIn(element, dialect);
  const known = children.filter((child) => allowed.includes(child));
  const breaks: TwimlRuleBreak[] = [];
  const spec = S.nesting;
  const text = element.text;
  const what = text?.what ?? 'text';
  if (text === undefined) {
    if (hasText) {
      breaks.push({ code: 'unexpected-text', message: `<${name}> holds no text`, spec });
    }
  } else if (text.need === 'required' && !hasText) {
    breaks.push({ code: 'missing-text', message: `<${name}> needs its text (${what})`, spec });
  } else if (text.need === 'orChildren' && !hasText && known.length === 0) {
    breaks.push({
      code: 'missing-text',
      message: `<${name}> needs its text (${what}) or child elements`,
      spec,
    });
  } else if (text.need === 'xorChildren' && allowed.length > 0) {
    if (!hasText && known.length === 0) {
      breaks.push({
        code: 'missing-child',
        message: `<${name}> needs its text (${what}) or one of ${allowed.map((child) => `<${child}>`).join(', ')}`,
        spec,
      });
    } else if (hasText && known.length > 0) {
      breaks.push({
        code: 'twiml.text-and-children',
        message: `<${name}> holds its text (${what}) or child elements, not both`,
        spec,
        at: children.findIndex((child) => allowed.includes(child)),
      });
    }
  } else if (text.need === 'xorChildren' && !hasText) {
    breaks.push({ code: 'missing-text', message: `<${name}> needs its text (${what})`, spec });
  } else if (text.need === 'xorAttribute' && text.attribute !== undefined) {
    const withAttribute = attributes.includes(text.attribute);
    if (withAttribute && hasText) {
      breaks.push({
        code: 'twiml.text-and-attribute',
        message: `<${name}> with ${text.attribute} holds no text (${what})`,
        spec: element.spec,
      });
    } else if (!withAttribute && !hasText) {
      breaks.push({
        code: 'missing-text',
        message: `<${name}> needs its text (${what}) or the attribute ${text.attribute}`,
        spec: element.spec,
      });
    }
  }
  const alone = (element.alone ?? []).filter((child) => allowed.includes(child));
  const lone = known.find((child) => alone.includes(child));
  if (lone !== undefined && known.length > 1) {
    breaks.push({
      code: 'twiml.dial-nouns',
      message: `<${lone}> must be the only noun of <${name}>, got ${known.length} nouns (${known.map((child) => `<${child}>`).join(', ')})`,
      spec,
      at: children.findIndex(
        (child, index) => allowed.includes(child) && index !== children.indexOf(lone),
      ),
    });
  }
  const limit = element.limit;
  if (limit !== undefined) {
    const counted = known.filter((child) => limit.names.includes(child));
    if (counted.length > limit.max) {
      let seen = 0;
      breaks.push({
        code: 'twiml.dial-nouns',
        message: `<${name}> dials at most ${limit.max} parties at once, got ${counted.length}`,
        spec,
        at: children.findIndex((child) => limit.names.includes(child) && ++seen > limit.max),
      });
    }
  }
  if (element.oneEach === true) {
    for (const child of new Set(known)) {
      const count = known.filter((other) => other === child).length;
      if (count > 1) {
        let seen = 0;
        breaks.push({
          code: 'duplicate',
          message: `<${name}> holds at most one <${child}>, got ${count}`,
          spec,
          at: children.findIndex((other) => other === child && ++seen > 1),
        });
      }
    }
  }
  return breaks;
}
