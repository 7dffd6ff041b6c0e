/**
 * Opentact XML answers: builders for the "Opentact XML" call-flow verbs a webhook answers
 * Opentact's call-flow request (and `<Callback>` / `<Gather url>` follow-ups) with, and the
 * renderer of the answer document.
 *
 * Spec: `docs/providers/opentact.md` §3 ("Opentact XML": §3.1 general rules, §3.2 verb/attribute
 * reference, §3.3 examples) and §7 (contradictions); upstream: the "Opentact Call XML" pages
 * of https://doc.opentact.org/ (`opentact-call-xml/less-than-say-greater-than` and siblings;
 * note that the `less-than-callback-greater-than` slug is the `<Gather>` page and
 * `less-than-callback-greater-than-1` is `<Callback>`).
 *
 * An answer is `<?xml version="1.0" encoding="UTF-8"?><Response>…</Response>` holding verbs
 * that Opentact runs top to bottom. Element names are PascalCase, attribute names are written
 * as Opentact spells them (`dtmf_stop`, `finishOnKey`); option names are camelCase.
 *
 * **Every duration in Opentact XML is in milliseconds** (spec §3.1: Pause 1000, Gather timeout
 * 10000, Answer delay 2000, Hold timeout 300000, …), so every duration option carries an `Ms`
 * suffix: `delayMs` → `delay`, `lengthMs` → Pause `length`, `timeoutMs` → `timeout`,
 * `donMs`/`doffMs` → `don`/`doff`. Durations are whole numbers of milliseconds ≥ 0.
 *
 * Any verb may hold an `<Error>` block, run when that verb fails (spec §3.1): every builder
 * takes an `error` option — a list of commands, or an {@link error} block with its own
 * attributes — appended as the verb's last child. {@link error} alone is the standalone
 * `<Error>` block of the examples (`<Play>…</Play><Error>…</Error>`).
 *
 * Each builder validates its arguments and throws `CC_ERR_ANSWER_INVALID` (a
 * {@link CallControlError}) with a message `opentact.<builder>: …` at once — also for values of
 * the wrong JavaScript type — so a bad answer fails in the handler rather than on a live call.
 * Strings are escaped when rendered; characters XML cannot carry are refused.
 *
 * @example
 * ```ts
 * opentact.response([
 *   opentact.answer(),
 *   opentact.gather({
 *     dtmfLength: 1,
 *     dtmfStop: '#',
 *     prompt: [opentact.say('Press 1 for support.')],
 *     dtmf: [{ value: '1', commands: [opentact.dial(['support1@sip.opentact.org'])] }],
 *     default: [opentact.say('No such option.')],
 *   }),
 *   opentact.hangup(),
 * ]).toXml();
 * ```
 *
 * @module
 */
import { answerKit, type AnswerKit, type AttributeSpec, type Convert } from '../../core/answer-kit';
import { assertXmlText, freezeXmlElement, renderXml, type XmlElement } from '../../core/xml';
import type { GrammarValue } from '../../validate/grammar';
import {
  branchKeysRule,
  destinationsRule,
  errorBlocksRule,
  isDay,
  isFrequencies,
  isState,
  isTokenList,
  OPENTACT_ATTEMPTS,
  OPENTACT_CALL_FIELD,
  OPENTACT_DAYS,
  OPENTACT_DESTINATION,
  OPENTACT_DIAL_NOUNS,
  OPENTACT_DIGITS,
  OPENTACT_DTMF_KEYS,
  OPENTACT_FINISH_KEYS,
  OPENTACT_LANGUAGE,
  OPENTACT_LEG,
  OPENTACT_MAX_DECIBELS,
  OPENTACT_META_NAME,
  OPENTACT_METHODS,
  OPENTACT_MILLISECONDS,
  OPENTACT_PROMPT_VERBS,
  OPENTACT_SAY_GENDER,
  OPENTACT_SAY_TYPE,
  OPENTACT_TIMES,
  OPENTACT_VOICE_CODE,
  timeRangeProblem,
} from './grammar';

/**
 * The verbs these builders produce (spec §3.1, §3.2). `Reject` and `Redirect` of the older
 * engine are undocumented (spec §3.1, §7.14) and have no builder.
 */
export type OpentactVerbName =
  | 'Answer'
  | 'Say'
  | 'Play'
  | 'Pause'
  | 'Hangup'
  | 'Record'
  | 'RecordStart'
  | 'RecordStop'
  | 'RecordWait'
  | 'Dial'
  | 'Gather'
  | 'Callback'
  | 'Call'
  | 'Geo'
  | 'Schedule'
  | 'Hold'
  | 'Unhold'
  | 'Tone'
  | 'Meta'
  | 'Curl'
  | 'Error';

/** Every command and response these builders made; hand-made instances are not answers. */
const BUILT = new WeakSet<object>();

/**
 * One Opentact XML verb with everything nested in it, e.g.
 * `<Pause length="3000"/>` or a whole `<Gather>` with its `<DTMF>` blocks. Build it with the
 * builders ({@link say}, {@link gather}, {@link dial}, …) and return it (in a list, or in a
 * {@link response}) from an Opentact call-flow handler, or nest it in another verb's block.
 *
 * Immutable: the element tree is deep-frozen. Only instances made by the builders count as
 * answers or as nested commands — a command made with `new` (or a look-alike object) is
 * refused, see {@link isOpentactAnswer}.
 */
export class OpentactCommand<N extends OpentactVerbName = OpentactVerbName> {
  /**
   * `'opentact'`: which provider's builders made this verb. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers, e.g.
   * `Type '"ozeki"' is not assignable to type '"opentact"'` on `provider`.
   */
  get provider(): 'opentact' {
    return 'opentact';
  }

  /**
   * The verb, e.g. `'Gather'`. The element name equals it, except for the lowercase
   * `<callback>` text form of {@link callback} (`name` `'Callback'`, element `callback`).
   */
  readonly name: N;
  /**
   * The verb as an element tree with Opentact's attribute names, e.g.
   * `{ name: 'Pause', attributes: { length: '60000', dtmf_stop: '#' }, children: [] }`.
   */
  readonly element: XmlElement;

  /** @internal Use the builders; a command made with `new` is not an answer. */
  constructor(name: N, element: XmlElement) {
    this.name = name;
    this.element = freezeXmlElement(element);
    Object.freeze(this);
  }
}

/** Options of {@link renderOpentactResponse} and {@link OpentactResponse.toXml}. */
export interface OpentactRenderOptions {
  /**
   * Default true: `<?xml version="1.0" encoding="UTF-8"?>` first, as Opentact's examples
   * mostly do (spec §2.3: the declaration is optional).
   */
  readonly declaration?: boolean;
}

/**
 * An Opentact XML answer document: `<Response>` holding {@link commands} in order (spec §2.3,
 * §3.1). Build it with {@link response}. Immutable.
 */
export class OpentactResponse {
  /**
   * `'opentact'`: which provider's builders made this response. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers, e.g.
   * `Type '"ozeki"' is not assignable to type '"opentact"'` on `provider`.
   */
  get provider(): 'opentact' {
    return 'opentact';
  }

  /** The verbs, in the order Opentact runs them. */
  readonly commands: readonly OpentactCommand[];

  /** @internal Use {@link response}; a response made with `new` is not an answer. */
  constructor(commands: readonly OpentactCommand[]) {
    this.commands = Object.freeze([...commands]);
    Object.freeze(this);
  }

  /**
   * The whole answer document, `<?xml version="1.0" encoding="UTF-8"?><Response>…</Response>`,
   * or without the declaration when `declaration` is false.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for invalid render options, or when the
   *   response was not made by {@link response}
   */
  toXml(options: OpentactRenderOptions = {}): string {
    return render('OpentactResponse.toXml', this, options);
  }
}

/**
 * What an Opentact call-flow handler may return: a response, or a plain list of verbs.
 *
 * Both are written with their `provider` brand first (`{ readonly provider: 'opentact' } & …`,
 * the same types as {@link OpentactResponse} and {@link OpentactCommand}), so that TypeScript
 * checks the brand before the other properties: returning another provider's answer is a type
 * error that names both providers (`Type '"placetel"' is not assignable to type '"opentact"'`),
 * not a property the other answer happens to lack.
 */
export type OpentactAnswer =
  | ({ readonly provider: 'opentact' } & OpentactResponse)
  | readonly ({ readonly provider: 'opentact' } & OpentactCommand)[];

/**
 * The `<Error>` block of a verb (spec §3.1: "any command may contain an `<Error>` child,
 * executed when that command's `success` is false"): a list of commands, written as
 * `<Error>…commands…</Error>`, or an {@link error} block (for its `speakReason` or `tag`).
 */
export type OpentactErrorOption = readonly OpentactCommand[] | OpentactCommand<'Error'>;

/** The options every verb takes (spec §3.1). */
export interface OpentactCommonOptions {
  /**
   * `tag`: "a string used for call notification events if configured" (spec §3.1), e.g. the
   * reason of a Hangup, or the name under which a Record is played back. Not blank.
   */
  readonly tag?: string;
  /** The verb's `<Error>` block, appended as its last child; see {@link OpentactErrorOption}. */
  readonly error?: OpentactErrorOption;
}

/** A call leg, for Play and Tone `leg` (spec §3.2): the caller, the dialed party, or both. */
export type OpentactLeg = 'aleg' | 'bleg' | 'both';

// ---------------------------------------------------------------------------------------------
// Values and attributes
// ---------------------------------------------------------------------------------------------

const kit: AnswerKit = answerKit('opentact');
const { show, optionsOf, invalid, attributesFrom, nonBlank, url, flag, oneOf } = kit;
const { wholeNumber } = kit;
const checkKeys: AnswerKit['checkKeys'] = kit.checkKeys;
/** The kit's URL converter, under a name the `url` parameters of the builders do not shadow. */
const kitUrl = url;

/**
 * The builder's converter of a grammar value type (`grammar.ts`): the same written values as the
 * validator accepts, from typed options (numbers for whole numbers).
 */
function convertOf(type: GrammarValue): Convert {
  switch (type.kind) {
    case 'integer':
      return wholeNumber(type.min, type.unit, type.max);
    case 'enum':
      return oneOf(...type.values);
    case 'pattern':
      return (builder, name, value) => {
        if (typeof value !== 'string' || !type.regex.test(value)) {
          throw invalid(builder, `${name} must be ${type.what}, got ${show(value)}`);
        }
        return value;
      };
    default:
      throw new TypeError(`opentact grammar: no builder converter for ${type.kind}`);
  }
}

/** A duration: whole milliseconds ≥ 0 (spec §3.1: every Opentact duration is milliseconds). */
const milliseconds = convertOf(OPENTACT_MILLISECONDS);
/** A number of DTMF digits ≥ 1 (Gather `dtmf_length`, `length`, `numDigits`). */
const digitCount = convertOf(OPENTACT_DIGITS);
/** A repeat count ≥ 1 (`loop`). */
const times = convertOf(OPENTACT_TIMES);
const leg = convertOf(OPENTACT_LEG);
/** A language code: 2–3 letters, then subtags of 2–8 letters or digits (`es`, `en-US`). */
const language = convertOf(OPENTACT_LANGUAGE);
/** A voice code as `/rest/dict/gtts` lists them (`en-US-Wavenet-D`). */
const voiceCode = convertOf(OPENTACT_VOICE_CODE);
/** `finishOnKey`: keys of `0`–`9`, `*`, `#` and `+` (spec §3.2 lists `+ * # 0-9`). */
const finishKeys = convertOf(OPENTACT_FINISH_KEYS);
/** DTMF keys: `0`–`9`, `*`, `#` (`DTMF value`, `Case dtmf`, `dtmf_stop`). */
const dtmfKeys = convertOf(OPENTACT_DTMF_KEYS);
/** Legacy Gather `attempts`, ≥ 1. */
const attempts = convertOf(OPENTACT_ATTEMPTS);

/**
 * An HTTP method from `allowed` (upper case), matched ignoring case and **written as given**:
 * Opentact's own example writes `method="post"` (spec §3.3, §7.3).
 */
function httpMethod(type: { readonly values: readonly string[] }): Convert {
  const allowed = type.values;
  return (builder, name, value) => {
    if (typeof value === 'string' && allowed.includes(value.toUpperCase())) return value;
    throw invalid(
      builder,
      `${name} must be ${allowed.join(', ')} (any letter case), got ${show(value)}`,
    );
  };
}

/** A number written in plain decimal (`123`, `123.99`), never `1e+21`, NaN or Infinity. */
function plainNumber(value: number): string | undefined {
  const text = String(value);
  return Number.isFinite(value) && !/e/i.test(text) ? text : undefined;
}

/** A string XML can carry (empty allowed), written as given. */
function xmlString(builder: string, name: string, value: string): string {
  assertXmlText(value, `opentact.${builder}: ${name}`);
  return value;
}

/** Meta `value`: a string, a plain decimal number or a boolean, written as text. */
const metaValue: Convert = (builder, name, value) => {
  if (typeof value === 'string') return xmlString(builder, name, value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    const text = plainNumber(value);
    if (text !== undefined) return text;
  }
  throw invalid(
    builder,
    `${name} must be a string, a finite number or a boolean, got ${show(value)}`,
  );
};

/** Call `value`: what {@link metaValue} takes, or `null` (written `null`). */
const callValue: Convert = (builder, name, value) => {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') {
    return metaValue(builder, name, value);
  }
  const text = typeof value === 'number' ? plainNumber(value) : undefined;
  if (text !== undefined) return text;
  throw invalid(
    builder,
    `${name} must be a string, a finite number, a boolean or null, got ${show(value)}`,
  );
};

/** Meta `name`: a letter or `_`, then letters, digits, `_`, `.`, `-` (`is_active`). */
const metaName = convertOf(OPENTACT_META_NAME);

/** Call `field`: a call property such as `to` or `from` (letters, digits, `_`, `.`). */
const callField = convertOf(OPENTACT_CALL_FIELD);

/**
 * A list of tokens given as an array or as a comma-separated string (no spaces), each
 * accepted by `valid`, none twice. An array is written joined with `,`; a string as given.
 */
function tokenList(what: string, valid: (token: string) => boolean): Convert {
  return (builder, name, value) => {
    const ok =
      typeof value === 'string'
        ? isTokenList(value, valid)
        : Array.isArray(value) &&
          value.length > 0 &&
          value.every((token) => typeof token === 'string') &&
          isTokenList((value as readonly string[]).join(','), valid);
    if (!ok) {
      throw invalid(
        builder,
        `${name} must be ${what}, each once, as an array or a comma-separated string, got ${show(value)}`,
      );
    }
    return typeof value === 'string' ? value : (value as readonly string[]).join(',');
  };
}

/** A day of the week as Schedule `dow` writes it (spec §3.3). */
export type OpentactDay = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

const dayList = tokenList(`days of ${OPENTACT_DAYS.join(', ')}`, isDay);

const stateList = tokenList('2-letter upper-case state codes such as "NJ"', isState);

/** Schedule `time`: `HH:MM:SS-HH:MM:SS`, valid clock times, start before end. */
const timeRange: Convert = (builder, name, value) => {
  const problem = typeof value === 'string' ? timeRangeProblem(value) : 'format';
  if (problem === 'format') {
    throw invalid(
      builder,
      `${name} must be HH:MM:SS-HH:MM:SS with clock times from 00:00:00 to 23:59:59, got ${show(value)}`,
    );
  }
  if (problem === 'order') {
    throw invalid(
      builder,
      `${name} must start before it ends (a range over midnight is undocumented: use two Schedule blocks), got ${show(value)}`,
    );
  }
  return value as string;
};

/** Tone `v`: a whole number of dB ≤ 0 (0 is the loudest, spec §3.2). */
const decibels: Convert = (builder, name, value) => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value <= OPENTACT_MAX_DECIBELS) {
    return String(Object.is(value, -0) ? 0 : value);
  }
  throw invalid(
    builder,
    `${name} must be a whole number of dB ≤ 0 (0 is the loudest), got ${show(value)}`,
  );
};

/**
 * Tone `hz`: frequencies in Hz, an array of positive numbers (written joined with `,`) or a
 * comma-separated string (written as given) whose items are positive numbers, each optionally
 * followed by the `x` repeat notation the Tone page mentions (`480x2`).
 */
const frequencies: Convert = (builder, name, value) => {
  if (typeof value === 'string' && isFrequencies(value)) return value;
  if (Array.isArray(value) && value.length > 0) {
    const items = value.map((item: unknown) =>
      typeof item === 'number' && item > 0 ? plainNumber(item) : undefined,
    );
    if (items.every((item) => item !== undefined)) return items.join(',');
  }
  throw invalid(
    builder,
    `${name} must be positive frequencies in Hz, as an array or a comma-separated string such as "420,500,440,480" (items may use the x notation: "480x2"), got ${show(value)}`,
  );
};

/** A Dial destination: a SIP URI, `user@domain` or a number, without whitespace. */
function destination(builder: string, name: string, value: unknown): string {
  return convertOf(OPENTACT_DESTINATION)(builder, name, nonBlank(builder, name, value));
}

const TAG: AttributeSpec = ['tag', 'tag', nonBlank];

/** Makes a command and records it as built by these builders. */
function make<N extends OpentactVerbName>(
  name: N,
  attributes: Record<string, string>,
  children: readonly (XmlElement | string)[] = [],
  elementName: string = name,
): OpentactCommand<N> {
  const command = new OpentactCommand(name, {
    name: elementName,
    attributes,
    children: [...children],
  });
  BUILT.add(command);
  return command;
}

/** Whether `value` is a command made by these builders. */
function isCommand(value: unknown): value is OpentactCommand {
  return value instanceof OpentactCommand && BUILT.has(value);
}

/** Whether every index of `value` (holes too) holds a built command. */
function allCommands(value: readonly unknown[]): boolean {
  for (let index = 0; index < value.length; index++) if (!isCommand(value[index])) return false;
  return true;
}

/** Throws unless `value` is an array (without holes) of commands made by the builders. */
function checkCommands(
  who: string,
  value: unknown,
  path: string,
): asserts value is readonly OpentactCommand[] {
  if (!Array.isArray(value)) {
    throw invalid(who, `${path} must be an array of Opentact commands, got ${show(value)}`);
  }
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (!isCommand(item)) {
      throw invalid(
        who,
        `${path}[${index}] is not an Opentact command made by the opentact builders, got ${show(item)}`,
      );
    }
  }
}

/** The elements of a list of built commands. */
function elementsOf(commands: readonly OpentactCommand[]): XmlElement[] {
  return commands.map((command) => command.element);
}

/**
 * Reads the options of a verb: checks the keys (`specs`, `extra`, `tag` and — unless
 * `withError` is false — `error`) and converts the attributes of `specs`, then `tag`.
 */
function readOptions(
  builder: string,
  options: unknown,
  specs: readonly AttributeSpec[],
  extra: readonly string[] = [],
  withError = true,
): { readonly values: Record<string, unknown>; readonly attributes: Record<string, string> } {
  const allowed = [...optionsOf(specs), ...extra, 'tag', ...(withError ? ['error'] : [])];
  checkKeys(builder, options, allowed);
  return { values: options, attributes: attributesFrom(builder, options, [...specs, TAG]) };
}

/** A boolean option that is false when absent. */
function optionalFlag(builder: string, values: Record<string, unknown>, key: string): boolean {
  const value = values[key];
  return value !== undefined && flag(builder, key, value) === 'true';
}

/** The `<Error>` element of an `error`-like option, or undefined when absent. */
function errorElement(builder: string, name: string, value: unknown): XmlElement | undefined {
  if (value === undefined) return undefined;
  if (isCommand(value)) {
    if (value.name === 'Error') return value.element;
    throw invalid(
      builder,
      `${name} must be a list of commands or an error() block, got a ${value.name} command`,
    );
  }
  if (!Array.isArray(value)) {
    throw invalid(
      builder,
      `${name} must be a list of commands or an error() block, got ${show(value)}`,
    );
  }
  checkCommands(builder, value, name);
  return { name: 'Error', children: elementsOf(value) };
}

/** The nested commands of a block verb (`commands`, default none). */
function blockCommands(
  builder: string,
  values: Record<string, unknown>,
): readonly OpentactCommand[] {
  const commands = values['commands'];
  if (commands === undefined) return [];
  checkCommands(builder, commands, 'commands');
  const broken = errorBlocksRule(builder, [
    ...commands.map((command) => command.name),
    ...(values['error'] === undefined ? [] : ['Error']),
  ])[0];
  if (broken !== undefined) throw invalid(builder, broken.builder);
  return commands;
}

/** Makes the command, with the `<Error>` block of the `error` option as its last child. */
function finish<N extends OpentactVerbName>(
  builder: string,
  name: N,
  attributes: Record<string, string>,
  children: readonly (XmlElement | string)[],
  values: Record<string, unknown>,
): OpentactCommand<N> {
  const error = errorElement(builder, 'error', values['error']);
  return make(name, attributes, error === undefined ? children : [...children, error]);
}

/** A verb with attributes only (and its error block). */
function simple<N extends OpentactVerbName>(
  builder: string,
  name: N,
  options: unknown,
  specs: readonly AttributeSpec[],
): OpentactCommand<N> {
  const { values, attributes } = readOptions(builder, options, specs);
  return finish(builder, name, attributes, [], values);
}

/** A block verb: attributes, the nested `commands`, and its error block. */
function block<N extends OpentactVerbName>(
  builder: string,
  name: N,
  options: unknown,
  specs: readonly AttributeSpec[],
): OpentactCommand<N> {
  const { values, attributes } = readOptions(builder, options, specs, ['commands']);
  return finish(builder, name, attributes, elementsOf(blockCommands(builder, values)), values);
}

// ---------------------------------------------------------------------------------------------
// Answer, Say, Play, Pause, Hangup
// ---------------------------------------------------------------------------------------------

/** Options of {@link answer} (spec §3.2 `<Answer/>`). */
export interface OpentactAnswerOptions extends OpentactCommonOptions {
  /** `delay`: **milliseconds** to wait before the next command (whole, ≥ 0), e.g. `2000`. */
  readonly delayMs?: number;
}

/**
 * `<Answer delay="2000" tag="123456"/>`: pick up the call (spec §3.2, §3.3; upstream page
 * `<Answer/>`, `opentact-call-xml/less-than-answer-greater-than`). Unnecessary when the SIP
 * Control App has `auto_answer`. The `tag` goes into the Call_Answered event.
 *
 * @example `answer({ delayMs: 2000, tag: '123456' })` → `<Answer delay="2000" tag="123456"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a delay that is not a whole number of
 *   milliseconds ≥ 0, a blank tag, an invalid error block, options that are not an object or
 *   an unknown option
 */
export function answer(options: OpentactAnswerOptions = {}): OpentactCommand<'Answer'> {
  return simple('answer', 'Answer', options, [['delayMs', 'delay', milliseconds]]);
}

/** Options of {@link say} (spec §3.2 `<Say>`). */
export interface OpentactSayOptions extends OpentactCommonOptions {
  /** `type`: the voice family, `'WaveNet'` or `'Standard'` (Opentact's default). */
  readonly type?: 'WaveNet' | 'Standard';
  /** `gender`: `'MALE'` or `'FEMALE'` (Opentact's default). */
  readonly gender?: 'MALE' | 'FEMALE';
  /** `code`: a voice code from Opentact's `/rest/dict/gtts`, e.g. `'en-US-Wavenet-D'`. */
  readonly code?: string;
  /** `lang`: the language code, e.g. `'es'`, `'en-US'` (Opentact's default). */
  readonly lang?: string;
  /** `loop`: how many times to speak, whole ≥ 1 (Opentact's default 1). */
  readonly loop?: number;
  /**
   * Write the text as the `text` attribute (`<Say text="Hi there!"/>`, spec §3.2 "alt. to
   * body") instead of the element body. Default false — except with `error`, whose block
   * takes the body: then the text is always the attribute.
   */
  readonly textAttribute?: boolean;
}

const SAY_ATTRIBUTES: readonly AttributeSpec[] = [
  ['type', 'type', convertOf(OPENTACT_SAY_TYPE)],
  ['gender', 'gender', convertOf(OPENTACT_SAY_GENDER)],
  ['code', 'code', voiceCode],
  ['lang', 'lang', language],
  ['loop', 'loop', times],
];

/**
 * `<Say>text</Say>`: speak `text` with text-to-speech (spec §3.2, §3.3; upstream page
 * `<Say>`, `opentact-call-xml/less-than-say-greater-than`).
 *
 * The text is the element body, as the examples write it; `textAttribute: true` writes
 * `<Say text="…"/>`, the documented alternative (fixture `opentact.xml.record-tag`). With an
 * `error` block the text is always the `text` attribute, so the body holds only `<Error>`.
 *
 * @param text - the text to speak; not blank, written exactly as given
 * @example `say('Bienvenido.', { lang: 'es' })` → `<Say lang="es">Bienvenido.</Say>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank text, a type other than
 *   WaveNet/Standard, a gender other than MALE/FEMALE, an invalid voice or language code, a
 *   loop that is not a whole number ≥ 1, a blank tag, an invalid error block, or an unknown option
 */
export function say(text: string, options: OpentactSayOptions = {}): OpentactCommand<'Say'> {
  const builder = 'say';
  const { values, attributes } = readOptions(builder, options, SAY_ATTRIBUTES, ['textAttribute']);
  const checked = nonBlank(builder, 'text', text);
  const asAttribute =
    optionalFlag(builder, values, 'textAttribute') || values['error'] !== undefined;
  return asAttribute
    ? finish(builder, 'Say', { text: checked, ...attributes }, [], values)
    : finish(builder, 'Say', attributes, [checked], values);
}

/** Options of {@link play} with a URL (spec §3.2 `<Play>`). */
export interface OpentactPlayOptions extends OpentactCommonOptions {
  /** `loop`: how many times to play, whole ≥ 1 (Opentact's default 1). */
  readonly loop?: number;
  /** `leg`: who hears it, `'aleg'`, `'bleg'` or `'both'`. */
  readonly leg?: OpentactLeg;
  /**
   * Write the URL as the `url` attribute (`<Play url="…"/>`, which the attribute table lists
   * as required) instead of the element body the examples use. Default false — except with
   * `error`, whose block takes the body: then the URL is always the attribute.
   */
  readonly urlAttribute?: boolean;
}

/** Options of {@link play} replaying a recording (spec §3.3 `<Record>` example). */
export interface OpentactPlayRecordOptions extends OpentactCommonOptions {
  /** `record`: the `tag` of an earlier {@link record}, e.g. `'name1'`. Required, not blank. */
  readonly record: string;
  /** `loop`: how many times to play, whole ≥ 1 (Opentact's default 1). */
  readonly loop?: number;
  /** `leg`: who hears it, `'aleg'`, `'bleg'` or `'both'`. */
  readonly leg?: OpentactLeg;
}

const PLAY_ATTRIBUTES: readonly AttributeSpec[] = [
  ['loop', 'loop', times],
  ['leg', 'leg', leg],
];

const PLAY_RECORD_ATTRIBUTES: readonly AttributeSpec[] = [
  ['record', 'record', nonBlank, 'required'],
  ...PLAY_ATTRIBUTES,
];

/**
 * `<Play>https://…/a.mp3</Play>`: play an mp3 or wav file from a URL (spec §3.2, §3.3;
 * upstream page `<Play>`, `opentact-call-xml/less-than-play-greater-than`), or with
 * `play({ record: 'name1' })` → `<Play record="name1"/>` the recording of an earlier
 * `<Record tag="name1">` (upstream page `<Record>`).
 *
 * Contradiction (spec §7.7): the attribute table marks `url` required, the examples put the
 * URL in the body. The body is written, as the examples do; `urlAttribute: true` (and any
 * `error` block) writes the `url` attribute.
 *
 * @param url - an absolute http(s) URL of the file, e.g. `'https://example.com/audio/example.mp3'`
 * @example `play('https://example.com/a.mp3', { loop: 2 })` → `<Play loop="2">https://example.com/a.mp3</Play>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a URL that is not absolute http(s), a
 *   missing or blank record, a loop that is not a whole number ≥ 1, a leg other than
 *   aleg/bleg/both, a blank tag, an invalid error block, a second argument in the record form,
 *   or an unknown option
 */
export function play(url: string, options?: OpentactPlayOptions): OpentactCommand<'Play'>;
export function play(options: OpentactPlayRecordOptions): OpentactCommand<'Play'>;
export function play(source: unknown, options?: unknown): OpentactCommand<'Play'> {
  const builder = 'play';
  if (typeof source === 'string') {
    const read = readOptions(builder, options === undefined ? {} : options, PLAY_ATTRIBUTES, [
      'urlAttribute',
    ]);
    const { values, attributes } = read;
    const checked = url(builder, 'url', source);
    const asAttribute =
      optionalFlag(builder, values, 'urlAttribute') || values['error'] !== undefined;
    return asAttribute
      ? finish(builder, 'Play', { url: checked, ...attributes }, [], values)
      : finish(builder, 'Play', attributes, [checked], values);
  }
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw invalid(
      builder,
      `the first argument must be a URL string or options with record, got ${show(source)}`,
    );
  }
  if (options !== undefined) {
    throw invalid(
      builder,
      `the record form takes one options object, got a second argument ${show(options)}`,
    );
  }
  return simple(builder, 'Play', source, PLAY_RECORD_ATTRIBUTES);
}

/** Options of {@link pause} (spec §3.2 `<Pause/>`). */
export interface OpentactPauseOptions extends OpentactCommonOptions {
  /**
   * `length`: how long to wait, in **milliseconds** (whole, ≥ 0), e.g. `3000` for three
   * seconds. Opentact's default: 1000 milliseconds.
   */
  readonly lengthMs?: number;
  /** `dtmf_stop`: the DTMF key(s) that end the pause early, e.g. `'#'` (0-9, * and #). */
  readonly dtmfStop?: string;
}

const PAUSE_ATTRIBUTES: readonly AttributeSpec[] = [
  ['lengthMs', 'length', milliseconds],
  ['dtmfStop', 'dtmf_stop', dtmfKeys],
];

/**
 * `<Pause length="3000"/>`: wait (spec §3.2, §3.3; upstream page `<Pause>`,
 * `opentact-call-xml/less-than-pause-greater-than`). Inside a {@link record} it is how long
 * the recording runs.
 *
 * @example `pause({ lengthMs: 60000, dtmfStop: '#' })` → `<Pause length="60000" dtmf_stop="#"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a length that is not a whole number of
 *   milliseconds ≥ 0, a dtmfStop that is not DTMF keys, a blank tag, an invalid error block,
 *   or an unknown option
 */
export function pause(options: OpentactPauseOptions = {}): OpentactCommand<'Pause'> {
  return simple('pause', 'Pause', options, PAUSE_ATTRIBUTES);
}

/**
 * `<Hangup tag="CallEndedByUser"/>`: end the call (spec §3.2, §3.3; upstream page `<Hangup>`,
 * `opentact-call-xml/less-than-hangup-greater-than`). The tag (the reason) shows in events.
 *
 * @example `hangup()` → `<Hangup/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank tag, an invalid error block,
 *   options that are not an object, or an unknown option
 */
export function hangup(options: OpentactCommonOptions = {}): OpentactCommand<'Hangup'> {
  return simple('hangup', 'Hangup', options, []);
}

// ---------------------------------------------------------------------------------------------
// Record
// ---------------------------------------------------------------------------------------------

/** Options of {@link record} (spec §3.2 `<Record>`). */
export interface OpentactRecordOptions extends OpentactCommonOptions {
  /** `asr`: transcribe the recording (`asr="true"`). */
  readonly asr?: boolean;
  /** `timeout`: the longest recording in **milliseconds** (whole, ≥ 0), e.g. `45000`. */
  readonly timeoutMs?: number;
  /**
   * Commands nested in the Record, run while recording, e.g.
   * `[pause({ lengthMs: 60000, dtmfStop: '#' })]`. Default none (`<Record/>`). When `error`
   * is given they cannot hold an {@link error} block too.
   */
  readonly commands?: readonly OpentactCommand[];
}

const RECORD_ATTRIBUTES: readonly AttributeSpec[] = [
  ['asr', 'asr', flag],
  ['timeoutMs', 'timeout', milliseconds],
];

/**
 * `<Record tag="name1">…</Record>`: record the call (spec §3.2, §3.3; upstream page
 * `<Record>`, `opentact-call-xml/less-than-record-greater-than`). The `tag` names the
 * recording for a later `play({ record: tag })`.
 *
 * @example `record({ commands: [pause({ lengthMs: 60000, dtmfStop: '#' })] })` →
 *   `<Record><Pause length="60000" dtmf_stop="#"/></Record>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a non-boolean asr, a timeout that is
 *   not a whole number of milliseconds ≥ 0, commands that are not built commands, an error
 *   block given twice, a blank tag, or an unknown option
 */
export function record(options: OpentactRecordOptions = {}): OpentactCommand<'Record'> {
  return block('record', 'Record', options, RECORD_ATTRIBUTES);
}

/**
 * `<RecordStart/>`: named on Opentact's Record page, with no attributes documented (spec §3.1,
 * §7.14; upstream page `<Record>`). Takes only `tag` (which most commands accept) and the
 * `error` block every verb has.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank tag, an invalid error block,
 *   or an unknown option
 */
export function recordStart(options: OpentactCommonOptions = {}): OpentactCommand<'RecordStart'> {
  return simple('recordStart', 'RecordStart', options, []);
}

/**
 * `<RecordStop/>`: named on Opentact's Record page, with no attributes documented (spec §3.1,
 * §7.14; upstream page `<Record>`). Takes only `tag` and the `error` block.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank tag, an invalid error block,
 *   or an unknown option
 */
export function recordStop(options: OpentactCommonOptions = {}): OpentactCommand<'RecordStop'> {
  return simple('recordStop', 'RecordStop', options, []);
}

/**
 * `<RecordWait/>`: named on Opentact's Record page, with no attributes documented (spec §3.1,
 * §7.14; upstream page `<Record>`). Takes only `tag` and the `error` block.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank tag, an invalid error block,
 *   or an unknown option
 */
export function recordWait(options: OpentactCommonOptions = {}): OpentactCommand<'RecordWait'> {
  return simple('recordWait', 'RecordWait', options, []);
}

// ---------------------------------------------------------------------------------------------
// Dial
// ---------------------------------------------------------------------------------------------

/** Options of {@link dial} (spec §3.2 `<Dial>`). */
export interface OpentactDialOptions extends OpentactCommonOptions {
  /**
   * The noun each destination is written in: `'To'` (default, the current docs) or `'Sip'`
   * (the legacy `<Sip>1000@x.x.x.x:9000</Sip>` of the inbound-call-control example).
   */
  readonly noun?: 'To' | 'Sip';
}

/**
 * `<Dial><To>sip:user@example.com</To></Dial>`: call the destinations at once; the first
 * that answers is connected and the other attempts end (spec §3.2, §3.3; upstream page
 * `<Dial>`, `opentact-call-xml/less-than-dial-greater-than`). When nobody answers, the
 * `error` block runs.
 *
 * Contradiction (spec §7.12): the docs show `<To>`, a legacy example `<Sip>`, a third-party
 * integration `<Number>` plus `timeout`/`record` attributes whose units are undocumented.
 * `<To>` is written (`noun: 'Sip'` for the legacy noun); no Dial attribute but `tag` is offered.
 *
 * @param to - one destination or a non-empty list: SIP URIs (`sip:user@example.com`),
 *   `user@domain` or numbers (`12223334455`), without whitespace, none twice
 * @example `dial(['support1@sip.opentact.org', 'support2@sip.opentact.org'], { error: [hangup()] })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for no destination, a blank destination,
 *   one with whitespace or given twice, a noun other than To/Sip, a blank tag, an invalid error
 *   block, or an unknown option
 */
export function dial(
  to: string | readonly string[],
  options: OpentactDialOptions = {},
): OpentactCommand<'Dial'> {
  const builder = 'dial';
  const { values, attributes } = readOptions(builder, options, [], ['noun']);
  const noun =
    values['noun'] === undefined
      ? OPENTACT_DIAL_NOUNS[0]
      : oneOf(...OPENTACT_DIAL_NOUNS)(builder, 'noun', values['noun']);
  const list: unknown = typeof to === 'string' ? [to] : to;
  const where = (index: number): string => (typeof to === 'string' ? 'to' : `to[${index}]`);
  const targets: string[] = [];
  for (let index = 0; index < (Array.isArray(list) ? list.length : 0); index++) {
    targets.push(destination(builder, where(index), (list as readonly unknown[])[index]));
    // the grammar's rule of destinations, on those read so far: the first break wins
    const broken = destinationsRule(targets, where)[0];
    if (broken !== undefined) throw invalid(builder, broken.builder);
  }
  const none = destinationsRule(targets, where)[0];
  if (!Array.isArray(list) || none !== undefined) {
    throw invalid(
      builder,
      `${none?.builder ?? 'to must be a destination or a non-empty list of destinations'}, got ${show(to)}`,
    );
  }
  const nouns: XmlElement[] = targets.map((target) => ({ name: noun, children: [target] }));
  return finish(builder, 'Dial', attributes, nouns, values);
}

// ---------------------------------------------------------------------------------------------
// Gather
// ---------------------------------------------------------------------------------------------

/** One `<DTMF value="1">…</DTMF>` branch of a {@link gather} (spec §3.2, §3.3). */
export interface OpentactDtmfBlock {
  /** `value`: the DTMF keys that choose this branch, e.g. `'1'` or `'1234'` (0-9, * and #). */
  readonly value: string;
  /** The commands run for it (may be empty: the call goes on after the Gather). */
  readonly commands: readonly OpentactCommand[];
}

/** One `<Case dtmf="1">…</Case>` branch of a {@link legacyGather} (spec §3.3). */
export interface OpentactCaseBlock {
  /** `dtmf`: the DTMF keys that choose this branch, e.g. `'1'` (0-9, * and #). */
  readonly dtmf: string;
  /** The commands run for it (may be empty). */
  readonly commands: readonly OpentactCommand[];
}

/** A `<Default>` block with its `tag` (spec §3.2 `<Default>`). */
export interface OpentactDefaultBlock {
  /** The commands run when the keys entered match no branch. */
  readonly commands: readonly OpentactCommand[];
  /** `tag`: not blank. */
  readonly tag?: string;
}

/**
 * The `<Default>` of a Gather: its commands, or {@link OpentactDefaultBlock} for a `tag`.
 * Run "when the caller enters a DTMF code that is not covered by any specific `<DTMF>`"
 * (spec §3.3, upstream page `<Default>`).
 */
export type OpentactDefaultOption = readonly OpentactCommand[] | OpentactDefaultBlock;

/** Options of {@link gather}, the current form (spec §3.2, §3.3 `<Gather>` — current form). */
export interface OpentactGatherOptions extends OpentactCommonOptions {
  /**
   * `dtmf_length`: how many digits to collect — a digit **count** (whole, ≥ 1), not a
   * duration. Not together with `length`.
   */
  readonly dtmfLength?: number;
  /**
   * `length`: how many digits to collect — a digit **count** (whole, ≥ 1), not a duration
   * (the docs use it for a 4-digit code). Not together with `dtmfLength`, which the menu
   * example uses for the same; which one Opentact prefers is undocumented.
   */
  readonly length?: number;
  /** `dtmf_stop`: the key(s) that end the input, e.g. `'#'` (0-9, * and #). */
  readonly dtmfStop?: string;
  /**
   * `url`: an absolute http(s) URL the digits are sent to (appended as `dtmf`, `from`, `tn`,
   * `state`, `sca`, `call`; spec §2.4); its answer is the XML that runs next.
   */
  readonly url?: string;
  /** The prompt ("filler", spec §3.2) played while waiting: {@link say}, {@link play}, {@link pause} only. */
  readonly prompt?: readonly OpentactCommand[];
  /** The `<DTMF value>` branches; values are unique. */
  readonly dtmf?: readonly OpentactDtmfBlock[];
  /** The `<Default>` block, for keys that match no branch. */
  readonly default?: OpentactDefaultOption;
}

/** Options of {@link legacyGather} (spec §3.2, §3.3 `<Gather>` — legacy `Switch/Case` form). */
export interface OpentactLegacyGatherOptions extends OpentactCommonOptions {
  /** `numDigits`: how many digits to collect — a digit **count** (whole, ≥ 1); Opentact's default 1. */
  readonly numDigits?: number;
  /** `attempts`: how many times to ask (whole, ≥ 1); Opentact's default 1. */
  readonly attempts?: number;
  /** `timeout`: how long to wait for input, in **milliseconds** (whole, ≥ 0), e.g. `10000`. */
  readonly timeoutMs?: number;
  /** `finishOnKey`: the key(s) that end the input (0-9, *, #, +); Opentact's default `*`. */
  readonly finishOnKey?: string;
  /**
   * `callback`: an absolute http(s) URL called after each attempt with `code`, `success`,
   * `attempts` (spec §2.4, DRAFT generation).
   */
  readonly callback?: string;
  /** `method` of the callback: GET (Opentact's default) or POST, any letter case, written as given. */
  readonly method?: string;
  /** The prompt ("filler", spec §3.2) played while waiting: {@link say}, {@link play}, {@link pause} only. */
  readonly prompt?: readonly OpentactCommand[];
  /** The `<Case dtmf>` branches inside `<Switch>`; dtmf values are unique. */
  readonly cases?: readonly OpentactCaseBlock[];
  /** The `<Default>` block inside `<Switch>`, for keys that match no case. */
  readonly default?: OpentactDefaultOption;
  /**
   * The `<Error>` block inside `<Switch>` (the example's "No DTMF Code entered."); `error`
   * is the Gather's own `<Error>` child after the `<Switch>`.
   */
  readonly switchError?: OpentactErrorOption;
}

/** The filler verbs a Gather plays while waiting (spec §3.2), from the grammar. */
const PROMPT_VERBS: readonly string[] = OPENTACT_PROMPT_VERBS;

function promptElements(builder: string, value: unknown): XmlElement[] {
  if (value === undefined) return [];
  checkCommands(builder, value, 'prompt');
  value.forEach((command, index) => {
    if (!PROMPT_VERBS.includes(command.name)) {
      throw invalid(
        builder,
        `prompt[${index}] is a ${command.name}: the prompt holds only Say, Play and Pause`,
      );
    }
  });
  return elementsOf(value);
}

function defaultElement(builder: string, value: unknown): XmlElement | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    checkCommands(builder, value, 'default');
    return { name: 'Default', children: elementsOf(value) };
  }
  checkKeys(builder, value, ['commands', 'tag'], 'default');
  const attributes = attributesFrom(builder, value, [['tag', 'tag', nonBlank]]);
  if (value['commands'] === undefined) throw invalid(builder, 'default.commands is required');
  checkCommands(builder, value['commands'], 'default.commands');
  return { name: 'Default', attributes, children: elementsOf(value['commands']) };
}

/** What the keys of branches are checked against. */
interface KeyRules {
  /** The most digits collected, when known. */
  readonly digits?: number | undefined;
  /** How messages name the digit option, e.g. `'dtmfLength 1'`. */
  readonly digitsLabel?: string;
  /** Keys that end the input, so they cannot be part of a branch's keys. */
  readonly stopKeys?: string | undefined;
  /** How messages name the stop keys, e.g. `'dtmfStop'`. */
  readonly stopLabel?: string;
}

/** The branch elements (`DTMF value` / `Case dtmf`) of a Gather. */
function branchElements(
  builder: string,
  value: unknown,
  option: string,
  key: string,
  element: string,
  rules: KeyRules,
): XmlElement[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw invalid(builder, `${option} must be an array of branches, got ${show(value)}`);
  }
  const seen: string[] = [];
  const elements: XmlElement[] = [];
  for (let index = 0; index < value.length; index++) {
    const where = `${option}[${index}]`;
    const branch: unknown = value[index];
    checkKeys(builder, branch, [key, 'commands'], where);
    const keys = dtmfKeys(builder, `${where}.${key}`, branch[key]);
    seen.push(keys);
    const repeated = branchKeysRule(
      element === 'DTMF' ? 'DTMF' : 'Case',
      seen,
      (at) => `${option}[${at}].${key}`,
    )[0];
    if (repeated !== undefined) throw invalid(builder, repeated.builder);
    if (rules.digits !== undefined && keys.length > rules.digits) {
      throw invalid(
        builder,
        `${where}.${key} "${keys}" has ${keys.length} digits, more than ${rules.digitsLabel ?? 'collected'}`,
      );
    }
    const stop = [...(rules.stopKeys ?? '')].find((stopKey) => keys.includes(stopKey));
    if (stop !== undefined) {
      throw invalid(
        builder,
        `${where}.${key} "${keys}" holds "${stop}", a key of ${rules.stopLabel ?? 'the stop keys'} that ends the input`,
      );
    }
    if (branch['commands'] === undefined) throw invalid(builder, `${where}.commands is required`);
    checkCommands(builder, branch['commands'], `${where}.commands`);
    elements.push({
      name: element,
      attributes: { [key]: keys },
      children: elementsOf(branch['commands']),
    });
  }
  return elements;
}

const GATHER_ATTRIBUTES: readonly AttributeSpec[] = [
  ['dtmfLength', 'dtmf_length', digitCount],
  ['length', 'length', digitCount],
  ['dtmfStop', 'dtmf_stop', dtmfKeys],
  ['url', 'url', url],
];

/**
 * `<Gather>`, the current form (spec §3.2, §3.3; upstream page `<Gather>`, slug
 * `opentact-call-xml/less-than-callback-greater-than`): collect DTMF digits while the
 * `prompt` plays, then run the `<DTMF value>` branch they match, else `<Default>`; or send
 * them to `url`. Children are written prompt, DTMF branches, Default, Error. Gathers nest
 * (a Gather in a DTMF branch).
 *
 * Contradictions: two Gather generations coexist (spec §7.1) — this is the current one, see
 * {@link legacyGather} for `numDigits`/`Switch`/`Case`. Default vs Error (spec §7.5): the
 * examples swap their meaning; callcontrol follows the `<Default>` page (keys that match no
 * branch) and the `<Error>` page (the Gather failed) and writes whichever blocks are given.
 *
 * @example
 * ```ts
 * gather({
 *   dtmfLength: 1,
 *   dtmfStop: '#',
 *   dtmf: [{ value: '1', commands: [say('You chose option 1')] }],
 *   default: [say('Wrong DTMF code entered. Please try again.')],
 * });
 * ```
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for: an unknown option; digit counts that
 *   are not whole numbers ≥ 1, or `dtmfLength` together with `length`; a dtmfStop that is not
 *   DTMF keys; a url that is not absolute http(s); a prompt command other than Say, Play,
 *   Pause; a DTMF value that is not DTMF keys, given twice, longer than the digit count, or
 *   holding a dtmfStop key; a branch without commands; nothing that handles the digits (no
 *   dtmf branch, default or url); a blank tag; an invalid default or error block
 */
export function gather(options: OpentactGatherOptions): OpentactCommand<'Gather'> {
  const builder = 'gather';
  const { values, attributes } = readOptions(builder, options, GATHER_ATTRIBUTES, [
    'prompt',
    'dtmf',
    'default',
  ]);
  const { dtmfLength, length } = values;
  if (dtmfLength !== undefined && length !== undefined) {
    throw invalid(
      builder,
      'dtmfLength and length both set the number of digits (dtmf_length, length): give one',
    );
  }
  const prompt = promptElements(builder, values['prompt']);
  const digits = typeof dtmfLength === 'number' ? dtmfLength : length;
  const branches = branchElements(builder, values['dtmf'], 'dtmf', 'value', 'DTMF', {
    digits: typeof digits === 'number' ? digits : undefined,
    digitsLabel: `${dtmfLength === undefined ? 'length' : 'dtmfLength'} ${String(digits)}`,
    stopKeys: attributes['dtmf_stop'],
    stopLabel: 'dtmfStop',
  });
  const fallback = defaultElement(builder, values['default']);
  if (branches.length === 0 && fallback === undefined && values['url'] === undefined) {
    throw invalid(builder, 'nothing handles the digits entered: give dtmf, default or url');
  }
  const children = [...prompt, ...branches, ...(fallback === undefined ? [] : [fallback])];
  return finish(builder, 'Gather', attributes, children, values);
}

const LEGACY_GATHER_ATTRIBUTES: readonly AttributeSpec[] = [
  ['numDigits', 'numDigits', digitCount],
  ['attempts', 'attempts', attempts],
  ['timeoutMs', 'timeout', milliseconds],
  ['finishOnKey', 'finishOnKey', finishKeys],
  ['callback', 'callback', url],
  ['method', 'method', httpMethod(OPENTACT_METHODS.gather)],
];

/**
 * `<Gather numDigits attempts timeout finishOnKey>` with `<Switch><Case dtmf>…`, the legacy
 * form of the older engine (spec §3.2, §3.3, §7.1; upstream page "Inbound Call Control",
 * `how-to-build-your-opentact-application/inbound-call-control`; still generated by
 * third-party integrations). Children: the prompt, then `<Switch>` holding the cases,
 * `<Default>` and the `switchError` block (when any is given), then the Gather's own `error`.
 *
 * Defaults that are checked: without `numDigits` a case has 1 digit (Opentact's default);
 * a case's keys cannot hold a `finishOnKey` key (default `*`).
 *
 * @example
 * ```ts
 * legacyGather({
 *   numDigits: 1,
 *   attempts: 2,
 *   timeoutMs: 10000,
 *   finishOnKey: '*',
 *   prompt: [say('Press 1 for sales.')],
 *   cases: [{ dtmf: '1', commands: [dial(['1000@pbx.example.com'], { noun: 'Sip' })] }],
 *   switchError: [say('No DTMF Code entered.')],
 * });
 * ```
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for: an unknown option; numDigits or
 *   attempts that are not whole numbers ≥ 1; a timeout that is not a whole number of
 *   milliseconds ≥ 0; finishOnKey not of 0-9 * # +; a callback that is not absolute http(s);
 *   a method other than GET/POST, or a method without callback; a prompt command other than
 *   Say, Play, Pause; a case dtmf that is not DTMF keys, given twice, longer than numDigits
 *   (default 1) or holding a finishOnKey key (default `*`); a case without commands; nothing
 *   that handles the digits (no case, default or callback); a blank tag; an invalid default,
 *   switchError or error block
 */
export function legacyGather(options: OpentactLegacyGatherOptions): OpentactCommand<'Gather'> {
  const builder = 'legacyGather';
  const { values, attributes } = readOptions(builder, options, LEGACY_GATHER_ATTRIBUTES, [
    'prompt',
    'cases',
    'default',
    'switchError',
  ]);
  if (values['method'] !== undefined && values['callback'] === undefined) {
    throw invalid(builder, 'method is the HTTP method of callback: give callback too');
  }
  const prompt = promptElements(builder, values['prompt']);
  const numDigits = values['numDigits'];
  const cases = branchElements(builder, values['cases'], 'cases', 'dtmf', 'Case', {
    digits: typeof numDigits === 'number' ? numDigits : 1,
    digitsLabel:
      numDigits === undefined ? 'numDigits (default 1)' : `numDigits ${String(numDigits)}`,
    stopKeys: attributes['finishOnKey'] ?? '*',
    stopLabel: attributes['finishOnKey'] === undefined ? 'finishOnKey (default *)' : 'finishOnKey',
  });
  const fallback = defaultElement(builder, values['default']);
  const switchError = errorElement(builder, 'switchError', values['switchError']);
  if (cases.length === 0 && fallback === undefined && values['callback'] === undefined) {
    throw invalid(builder, 'nothing handles the digits entered: give cases, default or callback');
  }
  const inSwitch = [
    ...cases,
    ...(fallback === undefined ? [] : [fallback]),
    ...(switchError === undefined ? [] : [switchError]),
  ];
  const children =
    inSwitch.length === 0 ? prompt : [...prompt, { name: 'Switch', children: inSwitch }];
  return finish(builder, 'Gather', attributes, children, values);
}

// ---------------------------------------------------------------------------------------------
// Callback, Curl, Meta
// ---------------------------------------------------------------------------------------------

/** Options of {@link callback} (spec §3.2 `<Callback>`). */
export interface OpentactCallbackOptions extends OpentactCommonOptions {
  /**
   * `method`: `GET`, `POST`, `PATCH` or `DELETE`, matched ignoring case and **written as
   * given** (Opentact's example writes `method="post"`). The docs mark it required, but their
   * examples omit it; so may you.
   */
  readonly method?: string;
  /** `body`: send the Call Control APP data in the request body (`body="true"`). */
  readonly body?: boolean;
  /** `timeout`: how long to wait for the answer, in **milliseconds** (whole, ≥ 0). */
  readonly timeoutMs?: number;
  /**
   * Write the alternative form `<callback>URL</callback>` of the "Dynamic Call Flow XML" page
   * (lowercase element, URL as text). It carries nothing else: no other option with it.
   */
  readonly textForm?: boolean;
}

const CALLBACK_ATTRIBUTES: readonly AttributeSpec[] = [
  ['method', 'method', httpMethod(OPENTACT_METHODS.callback)],
  ['body', 'body', flag],
  ['timeoutMs', 'timeout', milliseconds],
];

/**
 * `<Callback url="…">`: fetch the XML that replaces the rest of the call flow from your
 * server; when that fails (fetch, parse, timeout) the `error` block runs (spec §2.4, §3.2,
 * §3.3; upstream page `<Callback>`, slug `opentact-call-xml/less-than-callback-greater-than-1`).
 *
 * Contradiction (spec §7.3): `method` is marked required but the examples omit it or write it
 * in lower case, and a lowercase `<callback>URL</callback>` text form exists. `method` is
 * optional, validated ignoring case and written exactly as given; `textForm: true` writes the
 * text form (fixture `opentact.xml.callback-lowercase`).
 *
 * @param url - the absolute http(s) URL to fetch
 * @example `callback('https://app.example.com/opentact/next', { method: 'POST', body: true })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a URL that is not absolute http(s), a
 *   method other than GET/POST/PATCH/DELETE, a non-boolean body, a timeout that is not a whole
 *   number of milliseconds ≥ 0, another option with textForm, a blank tag, an invalid error
 *   block, or an unknown option
 */
export function callback(
  url: string,
  options: OpentactCallbackOptions = {},
): OpentactCommand<'Callback'> {
  const builder = 'callback';
  const { values, attributes } = readOptions(builder, options, CALLBACK_ATTRIBUTES, ['textForm']);
  const checked = kitUrl(builder, 'url', url);
  if (optionalFlag(builder, values, 'textForm')) {
    const other = Object.keys(values).find(
      (key) => key !== 'textForm' && values[key] !== undefined,
    );
    if (other !== undefined) {
      throw invalid(builder, `textForm writes only the URL: ${other} cannot be combined with it`);
    }
    return make('Callback', {}, [checked], 'callback');
  }
  return finish(builder, 'Callback', { url: checked, ...attributes }, [], values);
}

/** Options of {@link curl} (spec §3.2 `<Curl>`). */
export interface OpentactCurlOptions extends OpentactCommonOptions {
  /**
   * `method`: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD` or `OPTIONS`, matched ignoring
   * case and written as given.
   */
  readonly method?: string;
  /** `timeout`: how long to wait, in **milliseconds** (whole, ≥ 0); Opentact's default 5000. */
  readonly timeoutMs?: number;
  /**
   * `body`: the request body, written as given (Opentact's own example, `{'key':'value'}`, is
   * not JSON; nothing is parsed). Not blank.
   */
  readonly body?: string;
}

const CURL_ATTRIBUTES: readonly AttributeSpec[] = [
  ['method', 'method', httpMethod(OPENTACT_METHODS.curl)],
  ['timeoutMs', 'timeout', milliseconds],
  ['body', 'body', nonBlank],
];

/**
 * `<Curl url="…" method="GET" timeout="5000"/>`: send an HTTP request from the call flow
 * (spec §3.2, §3.3; upstream page `<Curl>`, `opentact-call-xml/less-than-curl-greater-than`).
 *
 * Gaps (spec §7.13): headers are mentioned without a syntax and what happens with the answer
 * is undocumented, so no headers option is offered; the body is passed through.
 *
 * @param url - the absolute http(s) URL to request
 * @example `curl('https://api.example.com/data', { method: 'POST', body: "{'key':'value'}" })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a URL that is not absolute http(s), an
 *   unknown method, a timeout that is not a whole number of milliseconds ≥ 0, a blank body or
 *   tag, an invalid error block, or an unknown option
 */
export function curl(url: string, options: OpentactCurlOptions = {}): OpentactCommand<'Curl'> {
  const builder = 'curl';
  const { values, attributes } = readOptions(builder, options, CURL_ATTRIBUTES);
  return finish(builder, 'Curl', { url: kitUrl(builder, 'url', url), ...attributes }, [], values);
}

/** Options of {@link meta} (spec §3.2 `<Meta>`). */
export interface OpentactMetaOptions extends OpentactCommonOptions {
  /**
   * Write the value as the element's text body (`<Meta name="description">…</Meta>`, for
   * multi-line text) instead of the `value` attribute. Needs a non-blank string value, and
   * takes no `error` block (the body is the text).
   */
  readonly body?: boolean;
}

/**
 * `<Meta name="count" value="123"/>`: a name/value pair passed to the callback URL (spec
 * §2.4, §3.2, §3.3; upstream page `<Meta>`, `opentact-call-xml/less-than-meta-greater-than`).
 * Stands alone, in a block (e.g. before a Dial in a DTMF branch), or in a {@link tone}.
 *
 * @param name - `name`: a letter or `_`, then letters, digits, `_`, `.`, `-` (`is_active`)
 * @param value - `value`: a string (written as given, may be empty), a finite number
 *   (written in plain decimal, `123.99`) or a boolean (`true`/`false`); with `body: true` a
 *   non-blank string written as the text body, whitespace and line breaks kept
 * @example `meta('is_active', true)` → `<Meta name="is_active" value="true"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an invalid name, a value that is not a
 *   string/finite number/boolean, a body that is not a non-blank string, body with error, a
 *   blank tag, an invalid error block, or an unknown option
 */
export function meta(
  name: string,
  value: string | number | boolean,
  options: OpentactMetaOptions = {},
): OpentactCommand<'Meta'> {
  const builder = 'meta';
  const { values, attributes } = readOptions(builder, options, [], ['body']);
  const checkedName = metaName(builder, 'name', name);
  if (optionalFlag(builder, values, 'body')) {
    if (values['error'] !== undefined) {
      throw invalid(builder, 'a Meta with a text body cannot hold an error block');
    }
    const text = nonBlank(builder, 'value', value);
    return make('Meta', { name: checkedName, ...attributes }, [text]);
  }
  const text = metaValue(builder, 'value', value);
  return finish(builder, 'Meta', { name: checkedName, value: text, ...attributes }, [], values);
}

// ---------------------------------------------------------------------------------------------
// Call, Geo, Schedule (filter blocks)
// ---------------------------------------------------------------------------------------------

/** Options of {@link call} (spec §3.2 `<Call>`). */
export interface OpentactCallOptions extends OpentactCommonOptions {
  /** `field`: the call property compared, e.g. `'to'` or `'from'`. Required. */
  readonly field: string;
  /**
   * `value`: what it must equal — a string (as given), a finite number (plain decimal), a
   * boolean or `null` (written `null`). Required.
   */
  readonly value: string | number | boolean | null;
  /** The commands run only when the call matches; default none. */
  readonly commands?: readonly OpentactCommand[];
}

const CALL_ATTRIBUTES: readonly AttributeSpec[] = [
  ['field', 'field', callField, 'required'],
  ['value', 'value', callValue, 'required'],
];

/**
 * `<Call field="to" value="18382050099">…</Call>`: run the block only when the call's `field`
 * equals `value` (spec §3.2, §3.3; upstream page `<Call>`,
 * `opentact-call-xml/less-than-call-greater-than`). The list of fields beyond `to`/`from` and
 * the comparison (string or typed) are undocumented (spec §7.11).
 *
 * @example `call({ field: 'to', value: '18382050099', commands: [say('Hi there!')] })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing or invalid field or value,
 *   commands that are not built commands, an error block given twice, a blank tag, or an
 *   unknown option
 */
export function call(options: OpentactCallOptions): OpentactCommand<'Call'> {
  return block('call', 'Call', options, CALL_ATTRIBUTES);
}

/** Options of {@link geo} (spec §3.2 `<Geo>`). */
export interface OpentactGeoOptions extends OpentactCommonOptions {
  /**
   * `states`: the caller's US state codes, 2 upper-case letters each (`['NJ', 'CA']` or
   * `'NJ,CA'`), none twice. Absent (with `county`): every call matches.
   */
  readonly states?: readonly string[] | string;
  /** `county`: the caller's county, e.g. `'ESSEX'`. Not blank. */
  readonly county?: string;
  /** The commands run only for matching callers; default none. */
  readonly commands?: readonly OpentactCommand[];
}

/**
 * `<Geo states="NJ,CA" county="ESSEX">…</Geo>`: run the block only for callers (by Caller ID
 * location) in those states/county; without either it runs for every call (spec §3.2, §3.3;
 * upstream page `<Geo>`, `opentact-call-xml/less-than-geo-greater-than`).
 *
 * Gaps (spec §7.10): whether `states` and `county` must both match is undocumented, and the
 * example calls AL "Alaska" (AL is Alabama, AK Alaska): codes are written as given.
 *
 * @example `geo({ states: ['NJ'], commands: [say('Hello New Jersey')] })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for states that are not distinct 2-letter
 *   upper-case codes, a blank county or tag, commands that are not built commands, an error
 *   block given twice, or an unknown option
 */
export function geo(options: OpentactGeoOptions = {}): OpentactCommand<'Geo'> {
  return block('geo', 'Geo', options, [
    ['states', 'states', stateList],
    ['county', 'county', nonBlank],
  ]);
}

/** Options of {@link schedule} (spec §3.2 `<Schedule>`). */
export interface OpentactScheduleOptions extends OpentactCommonOptions {
  /**
   * `dow`: days of the week, `['mon', 'tue']` or `'mon,tue'` (lower case, `sun`…`sat`, none
   * twice), written in the order given.
   */
  readonly dow?: readonly OpentactDay[] | string;
  /**
   * `time`: `HH:MM:SS-HH:MM:SS`, e.g. `'07:00:00-18:00:00'`; clock times 00:00:00–23:59:59,
   * start before end (a range over midnight is undocumented: use two blocks).
   */
  readonly time?: string;
  /** The commands run only in that time; default none. */
  readonly commands?: readonly OpentactCommand[];
}

/**
 * `<Schedule dow="mon,tue,wed,thu,fri" time="07:00:00-18:00:00">…</Schedule>`: run the block
 * only on those days and at those times (spec §3.2, §3.3; upstream page `<Scheduler/>`,
 * `opentact-call-xml/less-than-scheduler-greater-than`).
 *
 * Contradiction (spec §7.9): the page is titled `<Scheduler/>`, its example writes
 * `<Schedule>` — `<Schedule>` is written. The time zone is undocumented.
 *
 * @example `schedule({ dow: ['sun', 'sat'], commands: [say('Try calling on weekdays, please.'), hangup()] })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for dow tokens not of sun…sat or given
 *   twice, a time that is not a valid HH:MM:SS-HH:MM:SS range, commands that are not built
 *   commands, an error block given twice, a blank tag, or an unknown option
 */
export function schedule(options: OpentactScheduleOptions = {}): OpentactCommand<'Schedule'> {
  return block('schedule', 'Schedule', options, [
    ['dow', 'dow', dayList],
    ['time', 'time', timeRange],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Hold, Unhold, Tone
// ---------------------------------------------------------------------------------------------

/** Options of {@link hold} (spec §3.2 `<Hold/>`). */
export interface OpentactHoldOptions extends OpentactCommonOptions {
  /** `timeout`: the longest hold in **milliseconds** (whole, ≥ 0); Opentact's default 300000. */
  readonly timeoutMs?: number;
}

/**
 * `<Hold/>`: put the call on hold (spec §3.2, §3.3; upstream page `<Hold>`,
 * `opentact-call-xml/less-than-hold-greater-than`).
 *
 * @example `hold({ timeoutMs: 60000 })` → `<Hold timeout="60000"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a timeout that is not a whole number
 *   of milliseconds ≥ 0, a blank tag, an invalid error block, or an unknown option
 */
export function hold(options: OpentactHoldOptions = {}): OpentactCommand<'Hold'> {
  return simple('hold', 'Hold', options, [['timeoutMs', 'timeout', milliseconds]]);
}

/**
 * `<Unhold/>`: take the call off hold (spec §3.2, §3.3; upstream page `<Hold>`).
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank tag, an invalid error block,
 *   or an unknown option
 */
export function unhold(options: OpentactCommonOptions = {}): OpentactCommand<'Unhold'> {
  return simple('unhold', 'Unhold', options, []);
}

/** Options of {@link tone} (spec §3.2 `<Tone/>`). */
export interface OpentactToneOptions extends OpentactCommonOptions {
  /**
   * `hz`: the frequencies in Hz — an array of positive numbers (`[420, 500, 440, 480]`,
   * written `420,500,440,480`) or a comma-separated string written as given, whose items are
   * positive numbers, each optionally in the `x` repeat notation the Tone page mentions
   * (`'480x2'`; its exact meaning is undocumented, it is passed through).
   */
  readonly hz?: readonly number[] | string;
  /** `don`: how long each tone sounds, in **milliseconds** (whole, ≥ 0), e.g. `1000`. */
  readonly donMs?: number;
  /** `doff`: the silence after each tone, in **milliseconds** (whole, ≥ 0). */
  readonly doffMs?: number;
  /**
   * The volume in dB, a whole number ≤ 0 (0 is the loudest, `-70` very quiet), written as
   * the attribute **`v`** (see {@link tone}).
   */
  readonly volume?: number;
  /** `loop`: how many times to play the cadence, whole ≥ 1 (Opentact's default 1). */
  readonly loop?: number;
  /** `timeout`: the longest tone in **milliseconds** (whole, ≥ 0); Opentact's default 30000. */
  readonly timeoutMs?: number;
  /** `leg`: who hears it, `'aleg'`, `'bleg'` or `'both'`. */
  readonly leg?: OpentactLeg;
  /** `<Meta>` children: {@link meta} commands only. */
  readonly meta?: readonly OpentactCommand<'Meta'>[];
}

const TONE_ATTRIBUTES: readonly AttributeSpec[] = [
  ['donMs', 'don', milliseconds],
  ['doffMs', 'doff', milliseconds],
  ['volume', 'v', decibels],
  ['hz', 'hz', frequencies],
  ['loop', 'loop', times],
  ['timeoutMs', 'timeout', milliseconds],
  ['leg', 'leg', leg],
];

/**
 * `<Tone don="1000" hz="480"/>`: play a generated tone (spec §3.2, §3.3; upstream page
 * `<Tone>`, `opentact-call-xml/less-than-tone-greater-than`). May hold `<Meta>` children.
 *
 * Contradiction (spec §7.8): the attribute table names the volume `volume`, the example
 * writes `v="-70"`. **`v` is written** — the spelling of the example (and of the FreeSWITCH
 * tone language underneath), so the documented example is reproduced. 0 dB is the maximum,
 * so the volume is ≤ 0 (the example's "louder" −70 is in fact quieter).
 *
 * @example `tone({ donMs: 2000, hz: [420, 500, 440, 480] })` → `<Tone don="2000" hz="420,500,440,480"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for don/doff/timeout that are not whole
 *   numbers of milliseconds ≥ 0, a volume that is not a whole number of dB ≤ 0, invalid
 *   frequencies, a loop that is not a whole number ≥ 1, a leg other than aleg/bleg/both, meta
 *   children that are not meta() commands, a blank tag, an invalid error block, or an unknown option
 */
export function tone(options: OpentactToneOptions = {}): OpentactCommand<'Tone'> {
  const builder = 'tone';
  const { values, attributes } = readOptions(builder, options, TONE_ATTRIBUTES, ['meta']);
  const metas = values['meta'];
  let children: XmlElement[] = [];
  if (metas !== undefined) {
    checkCommands(builder, metas, 'meta');
    metas.forEach((command, index) => {
      if (command.name !== 'Meta') {
        throw invalid(builder, `meta[${index}] is a ${command.name}: Tone holds only Meta`);
      }
    });
    children = elementsOf(metas);
  }
  return finish(builder, 'Tone', attributes, children, values);
}

// ---------------------------------------------------------------------------------------------
// Error
// ---------------------------------------------------------------------------------------------

/** Options of {@link error} (spec §3.2 `<Error>`). */
export interface OpentactErrorBlockOptions {
  /** The commands run on failure; default none. */
  readonly commands?: readonly OpentactCommand[];
  /**
   * Speak the error reason: written **`play="true"`** (or `"false"`), as the examples write
   * it — see {@link error}.
   */
  readonly speakReason?: boolean;
  /** `tag`: not blank. */
  readonly tag?: string;
}

/**
 * `<Error play="true">…</Error>`: the block run when a command fails (spec §3.1, §3.2, §3.3;
 * upstream page `<Error>`, `opentact-call-xml/less-than-error-greater-than`). Give it as the
 * `error` option of the verb it belongs to (`dial(to, { error: error({ speakReason: true }) })`),
 * or alone in a list after a verb, as the `<Play>` example does.
 *
 * Contradiction (spec §7.6): the attribute table names the flag `say`, every example writes
 * `play="true"`. **`play` is written** (option `speakReason`), so the documented examples are
 * reproduced; `say` is not offered. What "success" of the parent means is undocumented.
 *
 * The block takes no `error` option of its own: its commands may hold error blocks.
 *
 * @example `error({ speakReason: true, commands: [hangup()] })` → `<Error play="true"><Hangup/></Error>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for commands that are not built commands,
 *   a non-boolean speakReason, a blank tag, options that are not an object, or an unknown option
 */
export function error(options: OpentactErrorBlockOptions = {}): OpentactCommand<'Error'> {
  const builder = 'error';
  const { values, attributes } = readOptions(
    builder,
    options,
    [['speakReason', 'play', flag]],
    ['commands'],
    false,
  );
  return make('Error', attributes, elementsOf(blockCommands(builder, values)));
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/**
 * Builds an Opentact XML answer `<Response>` of `commands`, run top to bottom (spec §2.3,
 * §3.1). The list is copied: changing it afterwards does not change the response. An empty
 * list is the empty `<Response/>`.
 *
 * @example `response([answer(), say('Thank you for calling Opentact.'), hangup()])`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when `commands` is not an array, or holds
 *   anything but commands made by these builders
 */
export function response(commands: readonly OpentactCommand[]): OpentactResponse {
  checkCommands('response', commands, 'commands');
  const built = new OpentactResponse(commands);
  BUILT.add(built);
  return built;
}

function isResponse(value: unknown): value is OpentactResponse {
  return value instanceof OpentactResponse && BUILT.has(value);
}

/**
 * Whether `value` is an Opentact answer: a {@link response}, or an array (also empty, without
 * holes) whose every item is a command made by the builders. Hand-made
 * `new OpentactCommand(…)`, look-alike objects and other providers' commands are not. Never
 * throws.
 */
export function isOpentactAnswer(value: unknown): value is OpentactAnswer {
  return isResponse(value) || (Array.isArray(value) && allCommands(value));
}

function render(who: string, answer: unknown, options: unknown): string {
  checkKeys(who, options, ['declaration'], 'render options');
  const declaration = options['declaration'] ?? true;
  if (typeof declaration !== 'boolean') {
    throw invalid(who, `declaration must be true or false, got ${show(declaration)}`);
  }
  let commands: readonly OpentactCommand[];
  if (answer === undefined) {
    commands = [];
  } else if (isResponse(answer)) {
    commands = answer.commands;
  } else if (Array.isArray(answer)) {
    checkCommands(who, answer, 'commands');
    commands = answer;
  } else {
    throw invalid(
      who,
      `an answer is an opentact.response() or an array of Opentact commands, got ${show(answer)}`,
    );
  }
  return renderXml({ name: 'Response', children: elementsOf(commands) }, { declaration });
}

/**
 * Renders the Opentact XML answer document (spec §2.3, §3.1):
 * `<?xml version="1.0" encoding="UTF-8"?><Response>…</Response>` holding the verbs in order,
 * or the empty `<Response/>` (nothing more to run) when `answer` is undefined.
 * `{ declaration: false }` leaves the XML declaration out.
 *
 * @example `renderOpentactResponse([hangup()])` → `<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for something that is not an answer (a
 *   foreign or hand-made command, another provider's answer, a look-alike object, a string),
 *   or invalid render options
 */
export function renderOpentactResponse(
  answer?: OpentactAnswer,
  options: OpentactRenderOptions = {},
): string {
  return render('renderOpentactResponse', answer, options);
}
