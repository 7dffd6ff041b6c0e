/**
 * VoipNow Call Interactive answers: builders for the response verbs a webhook answers an IVR
 * "Call Interactive" request with, and the renderer of the answer document.
 *
 * Spec: `docs/providers/voipnow.md` §2 ("Response verbs"); upstream:
 * https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Interactive/Interactive-Response-Structure
 *
 * A Call Interactive answer is `<?xml version="1.0" encoding="UTF-8"?><Response>…</Response>`
 * holding verbs that VoipNow runs in order: `<Hangup/>`, `<Pause/>`, `<SetVar>`, `<PlaySound>`,
 * `<Jump/>`, `<SetCaller/>`, `<PlayTTS>`. Each builder validates its arguments and throws
 * `CC_ERR_ANSWER_INVALID` (a {@link CallControlError}) at once, so a bad answer fails in the
 * handler rather than reaching the PBX. Option names are the attribute names, which VoipNow
 * already writes in lower case (`digitvar`, `priority`); times are in **seconds**.
 *
 * @example
 * ```ts
 * voipnow.response([
 *   voipnow.setVar('SubscriptionCode', '09897987'),
 *   voipnow.playSound('Choose-contact-method', { language: 'fr', digitvar: 'contact' }),
 *   voipnow.jump({ context: 'StartSupport', option: 1, priority: 3 }),
 * ]).toXml();
 * ```
 *
 * @module
 */
import { answerKit, type AnswerKit, type AttributeSpec, type Convert } from '../../core/answer-kit';
import { freezeXmlElement, renderXml, type XmlElement } from '../../core/xml';
import type { GrammarValue } from '../../validate/grammar';
import { VOIPNOW_GRAMMAR, VOIPNOW_VARIABLE, type VoipNowVerbName } from './grammar';

export type { VoipNowVerbName } from './grammar';

/** Every command and response these builders made; hand-made instances are not answers. */
const BUILT = new WeakSet<object>();

/**
 * One Call Interactive verb, e.g. `<Pause length="15"/>`. Build it with {@link hangup},
 * {@link pause}, {@link setVar}, {@link playSound}, {@link jump}, {@link setCaller} or
 * {@link playTts}, and return it (in a list, or in a {@link response}) from a VoipNow Call
 * Interactive handler. Immutable (the element tree is deep-frozen); only instances made by the
 * builders count as answers — see {@link isVoipNowAnswer}.
 */
export class VoipNowCommand<N extends VoipNowVerbName = VoipNowVerbName> {
  /**
   * `'voipnow'`: which provider's builders made this verb. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers, e.g.
   * `Type '"ozeki"' is not assignable to type '"voipnow"'` on `provider`.
   */
  get provider(): 'voipnow' {
    return 'voipnow';
  }

  /** The verb's element name, e.g. `'PlayTTS'`. */
  readonly name: N;
  /**
   * The verb as an element tree with VoipNow's attribute names, e.g.
   * `{ name: 'SetVar', attributes: { name: 'SubscriptionCode' }, children: ['09897987'] }`.
   */
  readonly element: XmlElement;

  /** @internal Use the builders; a command made with `new` is not an answer. */
  constructor(name: N, element: XmlElement) {
    this.name = name;
    this.element = freezeXmlElement(element);
    Object.freeze(this);
  }
}

/** Options of {@link renderVoipNowResponse} and {@link VoipNowResponse.toXml}. */
export interface VoipNowRenderOptions {
  /** Default true: `<?xml version="1.0" encoding="UTF-8"?>` first, as VoipNow documents. */
  readonly declaration?: boolean;
}

/**
 * A Call Interactive answer document: `<Response>` holding {@link commands} in order. Build it
 * with {@link response}. Immutable.
 */
export class VoipNowResponse {
  /**
   * `'voipnow'`: which provider's builders made this response. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers, e.g.
   * `Type '"ozeki"' is not assignable to type '"voipnow"'` on `provider`.
   */
  get provider(): 'voipnow' {
    return 'voipnow';
  }

  /** The verbs, in the order VoipNow runs them. */
  readonly commands: readonly VoipNowCommand[];

  /** @internal Use {@link response}; a response made with `new` is not an answer. */
  constructor(commands: readonly VoipNowCommand[]) {
    this.commands = Object.freeze([...commands]);
    Object.freeze(this);
  }

  /**
   * The whole answer document, `<?xml version="1.0" encoding="UTF-8"?><Response>…</Response>`
   * (spec §2), or without the declaration when `declaration` is false.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for invalid render options, or when the
   *   response was not made by {@link response}
   */
  toXml(options: VoipNowRenderOptions = {}): string {
    return render('VoipNowResponse.toXml', this, options);
  }
}

/**
 * What a VoipNow Call Interactive handler may return: a response, or a plain list of verbs.
 *
 * Both are written with their `provider` brand first (`{ readonly provider: 'voipnow' } & …`,
 * the same types as {@link VoipNowResponse} and {@link VoipNowCommand}), so that TypeScript
 * checks the brand before the other properties: returning another provider's answer is a type
 * error that names both providers (`Type '"placetel"' is not assignable to type '"voipnow"'`),
 * not a property the other answer happens to lack.
 */
export type VoipNowAnswer =
  | ({ readonly provider: 'voipnow' } & VoipNowResponse)
  | readonly ({ readonly provider: 'voipnow' } & VoipNowCommand)[];

// ---------------------------------------------------------------------------------------------
// Values and attributes
// ---------------------------------------------------------------------------------------------

const kit: AnswerKit = answerKit('voipnow');
const { show, optionsOf, invalid, attributesFrom, nonBlank, oneOf } = kit;
const checkKeys: AnswerKit['checkKeys'] = kit.checkKeys;

/**
 * The builder's converter of a grammar value type (`grammar.ts`): the same written values as the
 * validator accepts, from typed options (numbers for whole numbers, strings for the rest).
 */
function convertOf(type: GrammarValue): Convert {
  switch (type.kind) {
    case 'text':
      return nonBlank;
    case 'textOrCount':
      return (builder, name, value) => {
        if (typeof value === 'string' && value.trim() !== '') return nonBlank(builder, name, value);
        if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
          return String(value);
        }
        throw invalid(
          builder,
          `${name} must be a non-empty string or a whole number ≥ 0, got ${show(value)}`,
        );
      };
    case 'integer':
      return (builder, name, value) => {
        if (type.orEmpty === true && value === '') return '';
        const inRange =
          typeof value === 'number' &&
          Number.isSafeInteger(value) &&
          value >= type.min &&
          (type.max === undefined || value <= type.max);
        if (inRange) return String(value);
        const unit = type.unit.startsWith('(') ? '' : ` of ${type.unit}`;
        const range = type.max === undefined ? `≥ ${type.min}` : `from ${type.min} to ${type.max}`;
        const empty = type.orEmpty === true ? `, or "" (VoipNow's default)` : '';
        const note = type.note === undefined ? '' : ` (${type.note})`;
        throw invalid(
          builder,
          `${name} must be a whole number${unit} ${range}${empty}${note}, got ${show(value)}`,
        );
      };
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
      throw new TypeError(`voipnow grammar: no builder converter for ${type.kind}`);
  }
}

/** The option specs of a verb, read from the grammar (option names are the attribute names). */
function attributesOf(verb: VoipNowVerbName): readonly AttributeSpec[] {
  return VOIPNOW_GRAMMAR[verb].attributes.map((fact): AttributeSpec =>
    fact.required === true
      ? [fact.name, fact.name, convertOf(fact.value), 'required']
      : [fact.name, fact.name, convertOf(fact.value)],
  );
}

/** An IVR variable name: letters, digits and underscores, not starting with a digit. */
const variableName: Convert = convertOf(VOIPNOW_VARIABLE);

/** Makes a command and records it as built by these builders. */
function make<N extends VoipNowVerbName>(
  name: N,
  attributes: Record<string, string>,
  children: readonly string[] = [],
): VoipNowCommand<N> {
  const command = new VoipNowCommand(name, { name, attributes, children: [...children] });
  BUILT.add(command);
  return command;
}

/** Whether `value` is a command made by these builders. */
function isCommand(value: unknown): value is VoipNowCommand {
  return value instanceof VoipNowCommand && BUILT.has(value);
}

/** A verb whose options are checked against `specs`, then its main text, if any, as text. */
function simple<N extends VoipNowVerbName>(
  builder: string,
  name: N,
  options: unknown,
  specs: readonly AttributeSpec[],
  main?: readonly [option: string, value: unknown],
): VoipNowCommand<N> {
  checkKeys(builder, options, optionsOf(specs));
  const body = main === undefined ? [] : [nonBlank(builder, main[0], main[1])];
  return make(name, attributesFrom(builder, options, specs), body);
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/**
 * `<Hangup/>`: hang up the call immediately (spec §2). Verbs after it do not run.
 *
 * Takes no arguments and never throws.
 *
 * @example `hangup()` → `<Hangup/>`
 */
export function hangup(): VoipNowCommand<'Hangup'> {
  return make('Hangup', {});
}

/** Options of {@link pause} (spec §2). */
export interface VoipNowPauseOptions {
  /**
   * `length`: how long to wait, in whole **seconds**, 1–3600 (the upper bound is callcontrol's
   * decision: VoipNow documents none). Absent: VoipNow waits its default, 10 seconds.
   */
  readonly length?: number;
}

const PAUSE_ATTRIBUTES = attributesOf('Pause');

/**
 * `<Pause length="15"/>`: wait before the next verb (spec §2).
 *
 * @example `pause({ length: 15 })` → `<Pause length="15"/>`; `pause()` → `<Pause/>` (10 s)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a length that is not a whole number
 *   of seconds from 1 to 3600, options that are not an object, or an unknown option
 */
export function pause(options: VoipNowPauseOptions = {}): VoipNowCommand<'Pause'> {
  return simple('pause', 'Pause', options, PAUSE_ATTRIBUTES);
}

/**
 * `<SetVar name="SubscriptionCode">09897987</SetVar>`: set an IVR variable (spec §2), e.g.
 * for a later `$variable` interactive request parameter.
 *
 * @param name - the variable (`name`): letters, digits and `_`, not starting with a digit
 * @param value - its value, the element text: a non-blank string, written exactly as given
 *   (a string, so that leading zeros such as `09897987` stay)
 * @example `setVar('SubscriptionCode', '09897987')`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a name that is not an IVR variable
 *   name, or a value that is not a non-blank string XML can carry
 */
export function setVar(name: string, value: string): VoipNowCommand<'SetVar'> {
  const builder = 'setVar';
  const checkedName = variableName(builder, 'name', name);
  return make('SetVar', { name: checkedName }, [nonBlank(builder, 'value', value)]);
}

/** Options of {@link playSound}: the `<PlaySound>` attributes (spec §2). */
export interface VoipNowPlaySoundOptions {
  /** `language`: the sound's language, e.g. `'fr'`, `'en'`, `'pt-BR'`. Default: the IVR's, else `en`. */
  readonly language?: string;
  /**
   * `loop`: how many times to play, a whole number ≥ 1; or `''`, written as the empty
   * attribute `loop=""` exactly as VoipNow's own example does (VoipNow's default).
   */
  readonly loop?: number | '';
  /** `view`: where the sound is looked up, `'system'` or `'client'` sounds. */
  readonly view?: 'system' | 'client';
  /** `folder`: the sound's folder, e.g. `'/custom'`. Default: none (empty). */
  readonly folder?: string;
  /** `where`: `'foreground'` or `'background'` (the IVR goes on while it plays). */
  readonly where?: 'foreground' | 'background';
  /** `digitvar`: the IVR variable that stores the digit pressed, e.g. `'contact'`. */
  readonly digitvar?: string;
}

const PLAY_SOUND_ATTRIBUTES = attributesOf('PlaySound');

/**
 * `<PlaySound>sound</PlaySound>`: play a sound file of the PBX (spec §2).
 *
 * @param sound - the sound's name, the element text, e.g. `'Choose-contact-method'`; not blank
 * @example
 * `playSound('Choose-contact-method', { language: 'fr', loop: '', view: 'system', folder: '/custom', where: 'background', digitvar: 'contact' })`
 * → `<PlaySound language="fr" loop="" view="system" folder="/custom" where="background" digitvar="contact">Choose-contact-method</PlaySound>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank sound or folder, a language
 *   that is not a short code, a loop that is neither a whole number ≥ 1 nor `''`, a view other
 *   than system/client, a where other than foreground/background, a digitvar that is not an
 *   IVR variable name, or an unknown option
 */
export function playSound(
  sound: string,
  options: VoipNowPlaySoundOptions = {},
): VoipNowCommand<'PlaySound'> {
  return simple('playSound', 'PlaySound', options, PLAY_SOUND_ATTRIBUTES, ['sound', sound]);
}

/** Options of {@link jump}: where in the IVR to continue (spec §2). */
export interface VoipNowJumpOptions {
  /** `context`: the IVR context to jump to, e.g. `'StartSupport'`. Required, not blank. */
  readonly context: string;
  /** `option`: the option of that context, e.g. `1` or `'1'`; a number is written as text. */
  readonly option?: string | number;
  /** `priority`: the step of that option, a whole number ≥ 1, e.g. `3`. */
  readonly priority?: number;
}

const JUMP_ATTRIBUTES = attributesOf('Jump');

/**
 * `<Jump context="StartSupport" option="1" priority="3"/>`: continue elsewhere in the IVR
 * (spec §2). Whether VoipNow runs verbs after a Jump is undocumented; callcontrol does not refuse them.
 *
 * @example `jump({ context: 'StartSupport', option: 1, priority: 3 })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing or blank context, an option
 *   that is neither a non-blank string nor a whole number ≥ 0, a priority that is not a whole
 *   number ≥ 1, or an unknown option
 */
export function jump(options: VoipNowJumpOptions): VoipNowCommand<'Jump'> {
  return simple('jump', 'Jump', options, JUMP_ATTRIBUTES);
}

/** Options of {@link setCaller}: the caller identity (spec §2, section "SetCallerId"). */
export interface VoipNowSetCallerOptions {
  /** `name`: the caller name shown, e.g. `'callerName'`. Required, not blank. */
  readonly name: string;
  /** `number`: the caller number shown, e.g. `'92992'`. Required, not blank. */
  readonly number: string;
}

const SET_CALLER_ATTRIBUTES = attributesOf('SetCaller');

/**
 * `<SetCaller name="callerName" number="92992"/>`: change the caller id (spec §2). VoipNow
 * aborts parsing the answer when either attribute is missing, so both are required here.
 *
 * @example `setCaller({ name: 'callerName', number: '92992' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing, non-string or blank name or
 *   number, or an unknown option
 */
export function setCaller(options: VoipNowSetCallerOptions): VoipNowCommand<'SetCaller'> {
  return simple('setCaller', 'SetCaller', options, SET_CALLER_ATTRIBUTES);
}

/** Options of {@link playTts} (spec §2). */
export interface VoipNowPlayTtsOptions {
  /** `voice`: the TTS voice, e.g. `'Alice-8KHz'`. */
  readonly voice?: string;
  /**
   * `volume`: a whole number from 0 to 300. VoipNow's default is 150 and it documents no
   * range; 0–300 (up to twice the default) is callcontrol's decision.
   */
  readonly volume?: number;
}

const PLAY_TTS_ATTRIBUTES = attributesOf('PlayTTS');

/**
 * `<PlayTTS voice="Alice-8KHz" volume="100">text</PlayTTS>`: read text out with text-to-speech
 * (spec §2; needs VoipNow's TTS licence). VoipNow's example leaves the element unclosed; the text
 * is written as the element's content.
 *
 * @param text - the text to speak; not blank, written exactly as given
 * @example `playTts('Thank you for calling. Please hold.', { voice: 'Alice-8KHz', volume: 100 })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank text or voice, a volume that is
 *   not a whole number from 0 to 300, or an unknown option
 */
export function playTts(
  text: string,
  options: VoipNowPlayTtsOptions = {},
): VoipNowCommand<'PlayTTS'> {
  return simple('playTts', 'PlayTTS', options, PLAY_TTS_ATTRIBUTES, ['text', text]);
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/** Throws unless `value` is an array of commands made by the builders. */
function checkCommands(who: string, value: unknown): asserts value is readonly VoipNowCommand[] {
  if (!Array.isArray(value)) {
    throw invalid(who, `commands must be an array of VoipNow commands, got ${show(value)}`);
  }
  value.forEach((item: unknown, index) => {
    if (!isCommand(item)) {
      throw invalid(
        who,
        `commands[${index}] is not a VoipNow command made by the voipnow builders, got ${show(item)}`,
      );
    }
  });
}

/**
 * Builds a Call Interactive answer `<Response>` of `commands`, run in order (spec §2). The
 * list is copied: changing it afterwards does not change the response. An empty list is the
 * empty `<Response/>`.
 *
 * @example `response([pause({ length: 5 }), hangup()])`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when `commands` is not an array, or holds
 *   anything but commands made by these builders
 */
export function response(commands: readonly VoipNowCommand[]): VoipNowResponse {
  checkCommands('response', commands);
  const built = new VoipNowResponse(commands);
  BUILT.add(built);
  return built;
}

function isResponse(value: unknown): value is VoipNowResponse {
  return value instanceof VoipNowResponse && BUILT.has(value);
}

/**
 * Whether `value` is a VoipNow answer: a {@link response}, or an array (also empty) whose every
 * item is a command made by the builders. Hand-made `new VoipNowCommand(…)` or look-alike
 * objects are not. Never throws.
 */
export function isVoipNowAnswer(value: unknown): value is VoipNowAnswer {
  return isResponse(value) || (Array.isArray(value) && value.every(isCommand));
}

function render(who: string, answer: unknown, options: unknown): string {
  checkKeys(who, options, ['declaration'], 'render options');
  const declaration = options['declaration'] ?? true;
  if (typeof declaration !== 'boolean') {
    throw invalid(who, `declaration must be true or false, got ${show(declaration)}`);
  }
  let commands: readonly VoipNowCommand[];
  if (answer === undefined) {
    commands = [];
  } else if (isResponse(answer)) {
    commands = answer.commands;
  } else if (Array.isArray(answer)) {
    checkCommands(who, answer);
    commands = answer;
  } else {
    throw invalid(
      who,
      `an answer is a voipnow.response() or an array of VoipNow commands, got ${show(answer)}`,
    );
  }
  return renderXml(
    { name: 'Response', children: commands.map((command) => command.element) },
    { declaration },
  );
}

/**
 * Renders the Call Interactive answer document (spec §2):
 * `<?xml version="1.0" encoding="UTF-8"?><Response>…</Response>` holding the verbs in order,
 * or the empty `<Response/>` when `answer` is undefined. `{ declaration: false }` leaves the
 * XML declaration out.
 *
 * @example `renderVoipNowResponse([hangup()])` → `<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for something that is not an answer (a
 *   foreign or hand-made command, a look-alike object, a string), or invalid render options
 */
export function renderVoipNowResponse(
  answer?: VoipNowAnswer,
  options: VoipNowRenderOptions = {},
): string {
  return render('renderVoipNowResponse', answer, options);
}
