/**
 * The shared machinery of the answer builders: option checking, value converters and coded
 * errors for every provider module that builds answers (Placetel, Ozeki; VoipNow and Opentact
 * next). Provider-neutral: what is specific to one provider (its ids, numbers, languages,
 * parties…) stays in that provider's module, written with the pieces here.
 *
 * A provider module makes its kit once, with the prefix of its error messages:
 *
 * ```ts
 * const kit: AnswerKit = answerKit('placetel', { shortKeyMessages: true });
 * const GROUP_ATTRIBUTES: readonly AttributeSpec[] = [
 *   ['id', 'id', id, 'required'],
 *   ['backupBehaviour', 'backup_behaviour', kit.oneOf('mailbox', 'routing_object')],
 *   ['musicOnHold', 'music_on_hold', kit.flag],
 * ];
 * kit.checkKeys('group', options, optionsOf(GROUP_ATTRIBUTES));
 * const attributes = kit.attributesFrom('group', options, GROUP_ATTRIBUTES);
 * ```
 *
 * Everything a kit refuses is thrown at once as a {@link CallControlError} with code
 * `CC_ERR_ANSWER_INVALID` and a message `<provider>.<builder>: <problem>`, e.g.
 * `placetel.group: musicOnHold must be true or false`, so a bad answer fails in the handler
 * that builds it rather than reaching the provider.
 *
 * (Assertion functions must be called through a name with an explicit type: annotate the kit,
 * `const kit: AnswerKit = …`, or a copy of its `checkKeys`, `const checkKeys:
 * AnswerKit['checkKeys'] = kit.checkKeys`.)
 *
 * @module
 */
import { CallControlError } from './errors';
import { assertXmlText } from './xml';

/** The longest text {@link show} returns. */
const SHOW_LIMIT = 80;

/**
 * A value as an error message shows it, at most 80 characters: its JSON (`"busy"`, `30`,
 * `null`, `{"a":1}`; note `NaN` and `Infinity` show as `null`), else `String(value)`
 * (`undefined`, `Symbol(x)`, a function's source); `12n` for a bigint; `a object` for what
 * JSON cannot write (a circular object, one holding a bigint). Longer text is cut to 77
 * characters and `...`.
 *
 * Never throws, whatever `value` is.
 */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value === 'bigint' ? `${value}n` : `a ${typeof value}`;
  }
  return text.length > SHOW_LIMIT ? `${text.slice(0, SHOW_LIMIT - 3)}...` : text;
}

/**
 * Converts one option value into the text of its attribute (or element), or throws.
 *
 * @param builder - the builder, without the provider prefix, as error messages name it: `'group'`
 * @param name - the option, as error messages name it: `'ringtime'`, `'inputs[0].key'`
 * @param value - the value given, not yet checked (never `undefined` from {@link AnswerKit.attributesFrom})
 * @returns the attribute text
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when the value is not acceptable
 */
export type Convert = (builder: string, name: string, value: unknown) => string;

/**
 * One attribute of an element, as {@link AnswerKit.attributesFrom} reads it: the option name
 * (camelCase, `'musicOnHold'`), the attribute name as the provider spells it
 * (`'music_on_hold'`, `'Timeout'`), the {@link Convert}er of the value, and `'required'` when
 * the option must be given.
 */
export type AttributeSpec = readonly [
  option: string,
  attribute: string,
  convert: Convert,
  required?: 'required',
];

/** The option names of `specs`, in order: the `allowed` list of {@link AnswerKit.checkKeys}. */
export function optionsOf(specs: readonly AttributeSpec[]): string[] {
  return specs.map(([option]) => option);
}

/** Options of {@link answerKit}. */
export interface AnswerKitOptions {
  /**
   * Write the messages of {@link AnswerKit.checkKeys} in the short form, without showing the
   * refused value or naming the object the unknown key is in: `options must be an object`,
   * `unknown option "x" (known: a, b)`. Default false: `options must be an object, got 5`,
   * `unknown option "x" in options (known: a, b)`. Placetel's builders use the short form.
   */
  readonly shortKeyMessages?: boolean;
}

/**
 * The checks and converters of one provider's answer builders; every error they throw is
 * `CC_ERR_ANSWER_INVALID` with a message starting `<provider>.<builder>: `. Made by
 * {@link answerKit}; frozen, and its functions do not use `this` (they can be destructured).
 */
export interface AnswerKit {
  /** The provider prefix of the messages, e.g. `'placetel'`. */
  readonly provider: string;

  /** {@link show}, here too so that a provider module needs one import. Never throws. */
  readonly show: typeof show;

  /** {@link optionsOf}, here too so that a provider module needs one import. */
  readonly optionsOf: typeof optionsOf;

  /**
   * The error for a refused answer, to throw: a {@link CallControlError} with code
   * `CC_ERR_ANSWER_INVALID` and message `<provider>.<builder>: <message>`.
   *
   * @example `throw kit.invalid('group', 'id is required')` → `placetel.group: id is required`
   */
  invalid(builder: string, message: string): CallControlError;

  /**
   * Throws unless `options` is a plain object (not null, not an array) whose own enumerable
   * keys are all in `allowed`. Keys whose value is `undefined` count too.
   *
   * @param what - how messages name the object: `'options'` (default), `'inputs[0]'`
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID`: `<what> must be an object, got …` or
   *   `unknown option "<key>" in <what> (known: …)` (short form: see
   *   {@link AnswerKitOptions.shortKeyMessages})
   */
  checkKeys(
    builder: string,
    options: unknown,
    allowed: readonly string[],
    what?: string,
  ): asserts options is Record<string, unknown>;

  /**
   * The attributes of `options` that `specs` name, converted, **in the order of `specs`**
   * (attributes are written in this order). Options that are `undefined` are skipped; other
   * keys of `options` are ignored (check them with {@link AnswerKit.checkKeys} first).
   *
   * @returns attribute name → text, e.g. `{ ringtime: '30', music_on_hold: 'true' }`
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` from a converter, or
   *   `<option> is required` for a required option that is `undefined`; the first row wins
   */
  attributesFrom(
    builder: string,
    options: object,
    specs: readonly AttributeSpec[],
  ): Record<string, string>;

  /**
   * A string that is not empty or blank (only whitespace), and that XML can carry
   * ({@link assertXmlText}); returned unchanged, not trimmed.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID`: `<name> must be a non-empty string,
   *   got …`, or `<name>: contains U+…, a character XML cannot carry`
   */
  readonly nonBlank: Convert;

  /**
   * An absolute `http:` or `https:` URL (as `new URL` parses it) that is a {@link nonBlank}
   * string; returned unchanged, not normalised.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID`: the {@link nonBlank} errors, or
   *   `<name> must be an absolute http(s) URL, got …`
   */
  readonly url: Convert;

  /**
   * A boolean, written `'true'` or `'false'`.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID`: `<name> must be true or false`
   */
  readonly flag: Convert;

  /**
   * A converter that accepts exactly one of the `allowed` strings (case-sensitive) and
   * returns it.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the converter):
   *   `<name> must be "a" or "b", got …`
   */
  oneOf(...allowed: readonly string[]): Convert;

  /**
   * A converter of whole numbers (safe integers) from `min`, up to `max` when given, written
   * in decimal: `30` → `'30'`.
   *
   * @param unit - what the number counts, for messages, e.g. `'seconds'`, `'digits'`
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the converter) for a non-number,
   *   a fraction, NaN, ±Infinity or a number out of range: `<name> must be a whole number of
   *   <unit> ≥ <min>, got …`, or with `max` `… of <unit> from <min> to <max>, got …`
   */
  wholeNumber(min: number, unit: string, max?: number): Convert;

  /**
   * DTMF keys: a string of one or more of `0`–`9`, `*`, `#`, e.g. `'01234#'`.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID`: `<name> must be DTMF keys (0-9, * and
   *   #), got …`
   */
  readonly dtmfKeys: Convert;

  /**
   * One DTMF key: a string of exactly one of `0`–`9`, `*`, `#`.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID`: `<name> must be one DTMF key (0-9, *
   *   or #), got …`
   */
  readonly dtmfKey: Convert;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Makes the kit of one provider's answer builders.
 *
 * @param provider - the prefix of every error message, e.g. `'ozeki'` → `ozeki.speak: …`
 * @example `const kit: AnswerKit = answerKit('placetel', { shortKeyMessages: true })`
 */
export function answerKit(provider: string, options: AnswerKitOptions = {}): AnswerKit {
  const short = options.shortKeyMessages === true;

  const invalid = (builder: string, message: string): CallControlError =>
    new CallControlError('CC_ERR_ANSWER_INVALID', `${provider}.${builder}: ${message}`);

  function checkKeys(
    builder: string,
    value: unknown,
    allowed: readonly string[],
    what = 'options',
  ): asserts value is Record<string, unknown> {
    if (!isRecord(value)) {
      throw invalid(builder, `${what} must be an object${short ? '' : `, got ${show(value)}`}`);
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const where = short ? '' : ` in ${what}`;
        throw invalid(builder, `unknown option "${key}"${where} (known: ${allowed.join(', ')})`);
      }
    }
  }

  function attributesFrom(
    builder: string,
    values: object,
    specs: readonly AttributeSpec[],
  ): Record<string, string> {
    const attributes: Record<string, string> = {};
    for (const [option, attribute, convert, required] of specs) {
      const value = (values as Record<string, unknown>)[option];
      if (value !== undefined) attributes[attribute] = convert(builder, option, value);
      else if (required !== undefined) throw invalid(builder, `${option} is required`);
    }
    return attributes;
  }

  const nonBlank: Convert = (builder, name, value) => {
    if (typeof value !== 'string' || value.trim() === '') {
      throw invalid(builder, `${name} must be a non-empty string, got ${show(value)}`);
    }
    assertXmlText(value, `${provider}.${builder}: ${name}`);
    return value;
  };

  const url: Convert = (builder, name, value) => {
    const checked = nonBlank(builder, name, value);
    let protocol: string;
    try {
      protocol = new URL(checked).protocol;
    } catch {
      protocol = '';
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw invalid(builder, `${name} must be an absolute http(s) URL, got ${show(value)}`);
    }
    return checked;
  };

  const flag: Convert = (builder, name, value) => {
    if (typeof value !== 'boolean') throw invalid(builder, `${name} must be true or false`);
    return value ? 'true' : 'false';
  };

  const oneOf =
    (...allowed: readonly string[]): Convert =>
    (builder, name, value) => {
      if (typeof value === 'string' && allowed.includes(value)) return value;
      const choices = allowed.map((choice) => `"${choice}"`).join(' or ');
      throw invalid(builder, `${name} must be ${choices}, got ${show(value)}`);
    };

  const wholeNumber =
    (min: number, unit: string, max?: number): Convert =>
    (builder, name, value) => {
      const inRange =
        typeof value === 'number' &&
        Number.isSafeInteger(value) &&
        value >= min &&
        (max === undefined || value <= max);
      if (inRange) return String(value);
      const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
      throw invalid(
        builder,
        `${name} must be a whole number of ${unit} ${range}, got ${show(value)}`,
      );
    };

  const dtmfKeys: Convert = (builder, name, value) => {
    if (typeof value !== 'string' || !/^[0-9*#]+$/.test(value)) {
      throw invalid(builder, `${name} must be DTMF keys (0-9, * and #), got ${show(value)}`);
    }
    return value;
  };

  const dtmfKey: Convert = (builder, name, value) => {
    if (typeof value !== 'string' || !/^[0-9*#]$/.test(value)) {
      throw invalid(builder, `${name} must be one DTMF key (0-9, * or #), got ${show(value)}`);
    }
    return value;
  };

  return Object.freeze({
    provider,
    show,
    optionsOf,
    invalid,
    checkKeys,
    attributesFrom,
    nonBlank,
    url,
    flag,
    oneOf,
    wholeNumber,
    dtmfKeys,
    dtmfKey,
  });
}
