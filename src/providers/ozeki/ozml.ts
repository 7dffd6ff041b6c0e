/**
 * Ozeki OzML answers: builders for the OzML commands a webhook answers Ozeki's HTTP API
 * notifications with, the per-context validation of a command sequence, and the renderer.
 *
 * Spec: `docs/providers/ozeki.md` §4 (language rules, the two control contexts), §5 (command
 * reference), §3.1 (which notification takes which commands), §7 (ambiguities); upstream:
 * https://ozekiphone.com/p_4254-reference-book-of-ozml-the-xml-language-of-ozeki.html
 *
 * An OzML answer is `<Response>` holding commands that Ozeki runs one after another. Each
 * builder validates its arguments and throws `CC_ERR_ANSWER_INVALID` (a
 * {@link CallControlError}) at once, so a bad answer fails in the handler rather than reaching
 * the PBX. Option names are the attribute names in camelCase (`ForwardToUrl` → `forwardToUrl`);
 * times are in **seconds**, as Ozeki counts. Elements are built with the canonical attribute
 * names of Ozeki's parameter tables (PascalCase); {@link OzmlRenderOptions.attributeCase}
 * writes them in camelCase instead, as Ozeki's GitHub samples do.
 *
 * Which commands an answer may hold depends on the notification it answers (spec §3.1, §4):
 * see {@link OzmlControl} and {@link validateOzml}.
 *
 * @example
 * ```ts
 * ozeki.response(
 *   [
 *     ozeki.userInput({
 *       timeout: 10,
 *       repeat: true,
 *       initialCommands: [ozeki.speak('To talk to sales, press 1.')],
 *       inputs: [{ key: '1', commands: [ozeki.blindTransfer('2000')] }],
 *     }),
 *   ],
 *   { control: 'extension' },
 * ).toXml();
 * ```
 *
 * @module
 */
import { answerKit, type AnswerKit, type AttributeSpec, type Convert } from '../../core/answer-kit';
import { freezeXmlElement, renderXml, sanitizeXmlText, type XmlElement } from '../../core/xml';
import type { GrammarValue } from '../../validate/grammar';
import {
  commandRules,
  digitOptionsRule,
  fitOf,
  inputKeyRule,
  inputRules,
  OZEKI_COMMANDS,
  OZEKI_CONTEXTS,
  OZEKI_CONTROLS,
  OZEKI_INPUT_KEY,
  OZEKI_ROUTE_DESTINATION,
  OZEKI_SECONDS,
  OZEKI_STRUCTURE,
  placeRule,
  routeDestinationRule,
  userInputChildrenRule,
  type OzekiCommandView,
  type OzekiRuleBreak,
  type OzekiStructureBreak,
} from './grammar';

/** Who hears a Speak or Play, or gets the DTMF of a SendDTMF (spec §5.1, §5.2, §5.14). */
export type OzmlParty = 'caller' | 'callee' | 'all';

/**
 * Where an OzML answer runs (spec §4 "Two contexts", §3.1):
 *
 * - `'extension'` — API-extension control: answers to `IncomingCall`, `CallConnected`,
 *   `DtmfEntered`, `GoTo`, `IncomingSMS`, `SMSDeliveryReport` and the `RecordCompleted` of a
 *   Record run in extension control. The OzML drives the API extension's own call.
 * - `'thirdParty'` — third-party call control: answers to `CallChanged` and
 *   `RecordCompleted`. `CallId` defaults to the notified call; `Party` is mandatory.
 * - `'routing'` — the answer to `RoutingInterception`: a single `<Route>` (spec §5.15).
 */
export type OzmlControl = 'extension' | 'thirdParty' | 'routing';

/** The OzML command elements these builders produce (spec §5.1–§5.16). */
export type OzmlCommandName =
  | 'Speak'
  | 'Play'
  | 'Delay'
  | 'Hangup'
  | 'Reject'
  | 'UserInput'
  | 'GoTo'
  | 'Call'
  | 'BlindTransfer'
  | 'AttendedTransfer'
  | 'Forward'
  | 'ForwardCall'
  | 'Hold'
  | 'Unhold'
  | 'Record'
  | 'SendDTMF'
  | 'Route'
  | 'SendSms';

/**
 * A sequence of commands nested in a `<UserInput>` (spec §5.6): its `<InitialCommands>`, or
 * the commands of one `<Input key>`.
 */
export interface OzmlNestedCommands {
  /** Where the sequence sits, as error messages name it: `'initialCommands'`, `'inputs[0].commands'`. */
  readonly where: string;
  /** The nested commands, in order. */
  readonly commands: readonly OzmlCommand[];
}

/** Every command and response these builders made; hand-made instances are not answers. */
const BUILT = new WeakSet<object>();

/**
 * One OzML command, e.g. `<Speak Party="caller">Hello!</Speak>`. Build it with {@link speak},
 * {@link play}, {@link delay}, … and return it (in a list, or in a {@link response}) from an
 * Ozeki handler. Immutable.
 */
export class OzmlCommand<N extends OzmlCommandName = OzmlCommandName> {
  /**
   * `'ozeki'`: which provider's builders made this command. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers, e.g.
   * `Type '"opentact"' is not assignable to type '"ozeki"'` on `provider`.
   */
  get provider(): 'ozeki' {
    return 'ozeki';
  }

  /** The element name, e.g. `'SendDTMF'`; never changes with the attribute case. */
  readonly name: N;
  /**
   * The command as an element tree, with the canonical (PascalCase) attribute names of Ozeki's
   * parameter tables, e.g. `{ name: 'Play', attributes: { Repeat: 'true' }, children: ['hello.wav'] }`.
   */
  readonly element: XmlElement;
  /** The command sequences nested in a `<UserInput>`; empty for every other command. */
  readonly nested: readonly OzmlNestedCommands[];

  /** @internal Use the builders. */
  constructor(name: N, element: XmlElement, nested: readonly OzmlNestedCommands[] = []) {
    this.name = name;
    this.element = freezeXmlElement(element);
    this.nested = Object.freeze(nested.map((sequence) => Object.freeze({ ...sequence })));
    Object.freeze(this);
  }
}

/** Options of {@link renderOzml} and {@link OzmlResponse.toXml}. */
export interface OzmlRenderOptions {
  /** Default true: `<?xml version="1.0" encoding="UTF-8"?>` first. */
  readonly declaration?: boolean;
  /**
   * `'pascal'` (default, as Ozeki's parameter tables: `Timeout`, `Repeat`, `Key`,
   * `ForwardToUrl`) or `'camel'` (first letter lower-cased, as Ozeki's GitHub samples write
   * them: `timeout`, `repeat`, `key`, `enteredUrl`). Element names never change.
   */
  readonly attributeCase?: 'pascal' | 'camel';
}

/**
 * An OzML answer document: `<Response>` holding {@link commands} in order. Build it with
 * {@link response}; with a `control` it has been validated for that context. Immutable.
 */
export class OzmlResponse {
  /**
   * `'ozeki'`: which provider's builders made this response. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers, e.g.
   * `Type '"opentact"' is not assignable to type '"ozeki"'` on `provider`.
   */
  get provider(): 'ozeki' {
    return 'ozeki';
  }

  /** The commands, in the order Ozeki runs them. */
  readonly commands: readonly OzmlCommand[];
  /** The context the commands were validated for, when given to {@link response}. */
  readonly control: OzmlControl | undefined;

  /** @internal Use {@link response}. */
  constructor(commands: readonly OzmlCommand[], control: OzmlControl | undefined) {
    this.commands = Object.freeze([...commands]);
    this.control = control;
    Object.freeze(this);
  }

  /**
   * The whole answer document, `<?xml …?><Response>…</Response>`.
   *
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for invalid render options
   */
  toXml(options: OzmlRenderOptions = {}): string {
    return render('OzmlResponse.toXml', this, undefined, options);
  }
}

/**
 * What an Ozeki handler may return: a response, or a plain list of commands.
 *
 * Both are written with their `provider` brand first (`{ readonly provider: 'ozeki' } & …`,
 * the same types as {@link OzmlResponse} and {@link OzmlCommand}), so that TypeScript
 * checks the brand before the other properties: returning another provider's answer is a type
 * error that names both providers (`Type '"placetel"' is not assignable to type '"ozeki"'`),
 * not a property the other answer happens to lack.
 */
export type OzmlAnswer =
  | ({ readonly provider: 'ozeki' } & OzmlResponse)
  | readonly ({ readonly provider: 'ozeki' } & OzmlCommand)[];

// ---------------------------------------------------------------------------------------------
// Values and attributes
// ---------------------------------------------------------------------------------------------

const kit: AnswerKit = answerKit('ozeki');
const { show, optionsOf, invalid, attributesFrom, nonBlank, url, flag, oneOf } = kit;
const { wholeNumber } = kit;
const checkKeys: AnswerKit['checkKeys'] = kit.checkKeys;

/**
 * The builder's converter of a grammar value type (`grammar.ts`): the same written values as the
 * validator accepts, from typed options (numbers for whole numbers, booleans for flags).
 */
function convertOf(type: GrammarValue): Convert {
  switch (type.kind) {
    case 'text':
      return nonBlank;
    case 'url':
      return url;
    case 'boolean':
      return flag;
    case 'enum':
      return oneOf(...type.values);
    case 'integer':
      return wholeNumber(type.min, type.unit, type.max);
    case 'pattern':
      return (builder, name, value) => {
        if (typeof value !== 'string' || !type.regex.test(value)) {
          throw invalid(builder, `${name} must be ${type.what}, got ${show(value)}`);
        }
        return value;
      };
    default:
      throw new TypeError(`ozeki grammar: no builder converter for ${type.kind}`);
  }
}

/** The option specs of a command, read from the grammar. */
function attributesOf(
  command: OzmlCommandName,
  only?: readonly string[],
): readonly AttributeSpec[] {
  const facts = OZEKI_COMMANDS[command]?.attributes ?? [];
  return facts
    .filter((fact) => only === undefined || only.includes(fact.option))
    .map((fact): AttributeSpec =>
      fact.required === true
        ? [fact.option, fact.name, convertOf(fact.value), 'required']
        : [fact.option, fact.name, convertOf(fact.value)],
    );
}

/** A built command's (or attribute set's) view for the grammar's rules. */
function viewOf(name: string, attributes: Readonly<Record<string, string>> = {}): OzekiCommandView {
  return { name, attribute: (attribute) => attributes[attribute] };
}

/** Throws the first rule broken, if any. */
function throwFirst(builder: string, broken: readonly (OzekiRuleBreak | undefined)[]): void {
  const first = broken.find((item) => item !== undefined);
  if (first !== undefined) throw invalid(builder, first.message);
}

/** Throws the first rule of structure broken, if any (in the builders' option names). */
function throwFirstOf(builder: string, broken: readonly (OzekiStructureBreak | undefined)[]): void {
  const first = broken.find((item) => item !== undefined);
  if (first !== undefined) throw invalid(builder, first.builder);
}

/** `<Input Key>`: DTMF keys (the grammar's `OZEKI_INPUT_KEY`). */
const inputKey = convertOf(OZEKI_INPUT_KEY.value);

function make<N extends OzmlCommandName>(
  name: N,
  attributes: Record<string, string>,
  children: readonly (XmlElement | string)[] = [],
  nested: readonly OzmlNestedCommands[] = [],
): OzmlCommand<N> {
  const command = new OzmlCommand(name, { name, attributes, children: [...children] }, nested);
  BUILT.add(command);
  return command;
}

/** Whether `value` is a command made by these builders. */
function isCommand(value: unknown): value is OzmlCommand {
  return value instanceof OzmlCommand && BUILT.has(value);
}

/** A simple command: options checked against `specs`, then the main parameter as text if any. */
function simple<N extends OzmlCommandName>(
  builder: string,
  name: N,
  options: unknown,
  specs: readonly AttributeSpec[],
  main?: readonly [option: string, value: unknown],
): OzmlCommand<N> {
  checkKeys(builder, options, optionsOf(specs));
  const body = main === undefined ? [] : [nonBlank(builder, main[0], main[1])];
  return make(name, attributesFrom(builder, options, specs), body);
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

/** Options of {@link speak} (spec §5.1). */
export interface OzmlSpeakOptions {
  /** `Party`: who hears it. Third-party control only, and **mandatory** there. */
  readonly party?: OzmlParty;
  /** `CallId`: the call to speak on (third-party control; default: the notified call), e.g. `'H2Wwb'`. */
  readonly callId?: string;
  /** `Language`: TTS language code from the installed packages, e.g. `'en-UK'`, `'pt-BR'`. */
  readonly language?: string;
  /** `Voice` (Ozeki 10): TTS voice, e.g. `'Microsoft Anna'`. */
  readonly voice?: string;
  /**
   * What to do with characters of `text` that XML 1.0 cannot carry (control characters other
   * than tab, LF and CR, e.g. U+0000 or U+0007; lone surrogates; U+FFFE, U+FFFF):
   *
   * - `'refuse'` (default): throw `CC_ERR_ANSWER_INVALID`, as for every other text;
   * - `'remove'`: leave them out of the spoken text. For text that quotes what a caller or a
   *   PBX sent, such as a SIP display name (`call.callerDisplayName`), which may carry them:
   *   the answer is still given rather than the call getting the fallback.
   *
   * Not an attribute: it changes only how `text` is written.
   */
  readonly invalidXmlCharacters?: 'refuse' | 'remove';
}

const SPEAK_ATTRIBUTES = attributesOf('Speak');

/**
 * `<Speak>text</Speak>`: read `text` out with text-to-speech (spec §5.1).
 *
 * @param text - the text to synthesize (the element text; not blank), written exactly as given;
 *   with `invalidXmlCharacters: 'remove'`, without the characters XML cannot carry
 * @example `speak('How are you?', { language: 'en-UK' })` → `<Speak Language="en-UK">How are you?</Speak>`
 * @example `speak('Welcome, An\u0007na.', { invalidXmlCharacters: 'remove' })` →
 *   `<Speak>Welcome, Anna.</Speak>` (a display name with a BEL character in it)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank text (also when only
 *   removed characters and spaces were in it), a character XML cannot carry (unless removed),
 *   an unknown party, an invalid language code, a blank string option, an
 *   `invalidXmlCharacters` other than `'refuse'` or `'remove'`, or an unknown option
 */
export function speak(text: string, options: OzmlSpeakOptions = {}): OzmlCommand<'Speak'> {
  const builder = 'speak';
  checkKeys(builder, options, [...optionsOf(SPEAK_ATTRIBUTES), 'invalidXmlCharacters']);
  const given: unknown = options.invalidXmlCharacters;
  const mode = given === undefined ? 'refuse' : given;
  if (mode !== 'refuse' && mode !== 'remove') {
    throw invalid(builder, `invalidXmlCharacters must be "refuse" or "remove", got ${show(mode)}`);
  }
  const spoken = mode === 'remove' && typeof text === 'string' ? sanitizeXmlText(text, '') : text;
  return make('Speak', attributesFrom(builder, options, SPEAK_ATTRIBUTES), [
    nonBlank(builder, 'text', spoken),
  ]);
}

/** Options of {@link play} (spec §5.2). */
export interface OzmlPlayOptions {
  /** `Repeat`: play the file again and again. Ozeki's default: false. */
  readonly repeat?: boolean;
  /** `Party`: who hears it. Third-party control only, and **mandatory** there. */
  readonly party?: OzmlParty;
  /** `CallId`: the call to play on (third-party control; default: the notified call). */
  readonly callId?: string;
  /** `Timeout` (Ozeki 10): stop playing after this many **seconds** (whole, ≥ 0). */
  readonly timeout?: number;
}

const PLAY_ATTRIBUTES = attributesOf('Play');

/**
 * `<Play>audioFile</Play>`: play a wav or mp3 file (spec §5.2).
 *
 * @param audioFile - a path (relative paths are under `ContentStorage/Static` of the Ozeki
 *   install) or an HTTP URL, which Ozeki downloads and caches, e.g. `'hello.wav'`
 * @example `play('hello.wav', { repeat: true })` → `<Play Repeat="true">hello.wav</Play>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank file, a non-boolean repeat, a
 *   timeout that is not a whole number of seconds ≥ 0, an unknown party or option
 */
export function play(audioFile: string, options: OzmlPlayOptions = {}): OzmlCommand<'Play'> {
  return simple('play', 'Play', options, PLAY_ATTRIBUTES, ['audioFile', audioFile]);
}

/**
 * `<Delay>seconds</Delay>`: wait before the next command (spec §5.3).
 *
 * @param seconds - whole **seconds** ≥ 0, e.g. `5` → `<Delay>5</Delay>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for anything but a whole number ≥ 0
 */
export function delay(seconds: number): OzmlCommand<'Delay'> {
  return make('Delay', {}, [convertOf(OZEKI_SECONDS)('delay', 'seconds', seconds)]);
}

/** Options of {@link hangup}, {@link hold} and {@link unhold}. */
export interface OzmlCallIdOptions {
  /** `CallId`: the call to act on (third-party control; default: the notified call), e.g. `'23Xdz7'`. */
  readonly callId?: string;
}

const CALL_ID_ATTRIBUTES = attributesOf('Hangup');

/**
 * `<Hangup/>`: end the call (spec §5.4). An OzML sequence that reaches its end hangs up too.
 *
 * @example `hangup({ callId: '23Xdz7' })` → `<Hangup CallId="23Xdz7"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank call id or an unknown option
 */
export function hangup(options: OzmlCallIdOptions = {}): OzmlCommand<'Hangup'> {
  return simple('hangup', 'Hangup', options, CALL_ID_ATTRIBUTES);
}

/**
 * `<Reject/>`: refuse the call without picking up (spec §5.5). Only valid as the **first**
 * command of an extension-control answer; the rest of the OzML does not run.
 */
export function reject(): OzmlCommand<'Reject'> {
  return make('Reject', {});
}

/** One branch of a {@link userInput}: `<Input Key="…">…commands…</Input>` (spec §5.6). */
export interface OzmlInput {
  /** `Key`: the DTMF digits that choose this branch, e.g. `'1'` or `'1234'` (0-9, * and #). */
  readonly key: string;
  /**
   * The commands run when `key` is entered; at least one; extension-control commands. (Brand
   * first, as in {@link OzmlAnswer}: another provider's verb is a type error naming both.)
   */
  readonly commands: readonly ({ readonly provider: 'ozeki' } & OzmlCommand)[];
}

/** Options of {@link userInput}: the `<UserInput>` attributes and children (spec §5.6). */
export interface OzmlUserInputOptions {
  /**
   * `<InitialCommands>`: commands played while waiting for the keys (e.g. the menu). (Brand
   * first, as in {@link OzmlAnswer}: another provider's verb is a type error naming both.)
   */
  readonly initialCommands?: readonly ({ readonly provider: 'ozeki' } & OzmlCommand)[];
  /** `<Inputs>`: one branch per key sequence; keys are unique. */
  readonly inputs?: readonly OzmlInput[];
  /** `Repeat`: play the initial commands again after `timeout` when nothing was pressed. Default false. */
  readonly repeat?: boolean;
  /** `Timeout`: **seconds** (whole, ≥ 0) before repeating, or leaving the command. XE default 0. */
  readonly timeout?: number;
  /** `BackKey`: one DTMF key that returns to the enclosing UserInput; only for a nested one. */
  readonly backKey?: string;
  /** `Digits`: how many digits to wait for (≥ 1). Ozeki's default: 1. Not with min/max. */
  readonly digits?: number;
  /** `MinDigits` (Ozeki 10): the fewest digits accepted (≥ 1). */
  readonly minDigits?: number;
  /** `MaxDigits` (Ozeki 10): the most digits accepted (≥ 1, ≥ minDigits). */
  readonly maxDigits?: number;
  /**
   * `ForwardToUrl` (Ozeki 10: `ForwardToURL`): digits that match no input key are POSTed here
   * as a `DtmfEntered` notification, whose OzML answer then runs. An http(s) URL.
   */
  readonly forwardToUrl?: string;
  /**
   * `enteredUrl`: the spelling of Ozeki's own IVR sample for the same thing (spec §5.6, §7.6),
   * absent from the parameter tables. Not together with `forwardToUrl`. An http(s) URL.
   */
  readonly enteredUrl?: string;
  /** `ExecuteSQL` (Ozeki 10): SQL run when the digits are entered. */
  readonly executeSql?: string;
}

const USER_INPUT_ATTRIBUTES = attributesOf('UserInput');

/** The commands of one nested sequence, checked as built commands of extension control. */
function nestedCommands(builder: string, value: unknown, where: string): readonly OzmlCommand[] {
  checkSequence(builder, value, 'extension', where, true);
  return value;
}

/**
 * `<UserInput>`: wait for DTMF keys, playing `initialCommands` meanwhile, then run the
 * commands of the matching `<Input>` — or POST the digits to `forwardToUrl` (spec §5.6).
 * UserInputs can be nested in an Input; a nested one may have a `backKey`.
 *
 * @example
 * ```ts
 * userInput({
 *   timeout: 10,
 *   repeat: true,
 *   initialCommands: [speak('To send an SMS, press 1.')],
 *   inputs: [{ key: '1', commands: [goTo('http://yourapp.com/press1.php')] }],
 * });
 * ```
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for: an unknown option; nothing that
 *   handles the digits (no inputs, forwardToUrl, enteredUrl, executeSql or backKey); an input
 *   key that is not DTMF, repeated, equal to backKey, or of a length the digit options exclude
 *   (exactly `digits`; within `minDigits`/`maxDigits`; else 1, Ozeki's default); `digits`
 *   together with `minDigits`/`maxDigits`; `minDigits` > `maxDigits`; `forwardToUrl` together
 *   with `enteredUrl`; an input without commands; nested commands that are not extension
 *   commands, or a nested Reject
 */
export function userInput(options: OzmlUserInputOptions): OzmlCommand<'UserInput'> {
  const builder = 'userInput';
  checkKeys(builder, options, ['initialCommands', 'inputs', ...optionsOf(USER_INPUT_ATTRIBUTES)]);
  const attributes = attributesFrom(builder, options, USER_INPUT_ATTRIBUTES);
  throwFirst(builder, [
    digitOptionsRule(options),
    commandRules(viewOf('UserInput', attributes), true)[0],
  ]);

  const nested: OzmlNestedCommands[] = [];
  const children: XmlElement[] = [];
  if (options.initialCommands !== undefined) {
    const initial = nestedCommands(builder, options.initialCommands, 'initialCommands');
    if (initial.length > 0) {
      nested.push({ where: 'initialCommands', commands: initial });
      children.push({
        name: OZEKI_STRUCTURE.UserInput[0],
        children: initial.map((c) => c.element),
      });
    }
  }

  const inputs: unknown = options.inputs ?? [];
  if (!Array.isArray(inputs)) {
    throw invalid(builder, `inputs must be an array, got ${show(inputs)}`);
  }
  const keys: string[] = [];
  const backKey: unknown = options.backKey;
  const inputElements = inputs.map((input: unknown, index): XmlElement => {
    const where = `inputs[${index}]`;
    checkKeys(builder, input, [OZEKI_INPUT_KEY.option, 'commands'], where);
    const key = inputKey(builder, `${where}.${OZEKI_INPUT_KEY.option}`, input['key']);
    throwFirstOf(
      builder,
      inputRules(key, keys, typeof backKey === 'string' ? backKey : undefined, undefined, where),
    );
    keys.push(key);
    throwFirst(builder, [inputKeyRule(key, options, where)]);
    if (input['commands'] === undefined) throw invalid(builder, `${where}.commands is required`);
    const commands = nestedCommands(builder, input['commands'], `${where}.commands`);
    throwFirstOf(builder, inputRules(key, [], undefined, commands.length, where));
    nested.push({ where: `${where}.commands`, commands });
    return {
      name: 'Input',
      attributes: { [OZEKI_INPUT_KEY.name]: key },
      children: commands.map((c) => c.element),
    };
  });
  if (inputElements.length > 0) {
    children.push({ name: OZEKI_STRUCTURE.UserInput[1], children: inputElements });
  }
  throwFirstOf(builder, userInputChildrenRule(children.map((child) => child.name)));

  throwFirst(builder, [...commandRules(viewOf('UserInput', attributes), inputElements.length > 0)]);
  return make('UserInput', attributes, children, nested);
}

/**
 * `<GoTo>urlOrSql</GoTo>`: continue with the OzML fetched from a URL — which also gets a
 * `GoTo` notification — or read from a database with an SQL query (spec §5.7).
 *
 * @param urlOrSql - e.g. `'http://yourapp.com/'` or `"SELECT text FROM table WHERE id = '1'"`; not blank
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank or non-string value
 */
export function goTo(urlOrSql: string): OzmlCommand<'GoTo'> {
  return make('GoTo', {}, [nonBlank('goTo', 'urlOrSql', urlOrSql)]);
}

/** Options of {@link call} (spec §5.8). */
export interface OzmlCallOptions {
  /** `ApiExtension`: the API extension that calls, e.g. `'9994'`. May be omitted in an answer (Ozeki 10). */
  readonly apiExtension?: string;
  /** `CallerId`: the number the callee sees, e.g. `'3000'`. Default: the API extension. */
  readonly callerId?: string;
  /** `CallerDisplayName`: the name the callee sees, e.g. `'John Smith'`. */
  readonly callerDisplayName?: string;
  /**
   * `Url`: after pickup the new call's OzML is fetched here (a `CallConnected` notification);
   * unreachable or empty OzML hangs up. An http(s) URL. Mandatory in XE, optional in Ozeki 10.
   */
  readonly url?: string;
  /** `ErrorUrl`: requested when an error occurs during the call. An http(s) URL. */
  readonly errorUrl?: string;
}

const CALL_ATTRIBUTES = attributesOf('Call');

/**
 * `<Call>dialled</Call>`: place a new call from an API extension (spec §5.8).
 *
 * @param dialled - the number to call (`Dialled`), e.g. `'2310'`; not blank
 * @example `call('2310', { url: 'http://yourdomain.com/call_connected.php', callerId: '3000' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank number or option, a URL that
 *   is not absolute http(s), or an unknown option
 */
export function call(dialled: string, options: OzmlCallOptions = {}): OzmlCommand<'Call'> {
  return simple('call', 'Call', options, CALL_ATTRIBUTES, ['dialled', dialled]);
}

/** Options of {@link blindTransfer} (spec §5.9). */
export interface OzmlBlindTransferOptions {
  /**
   * `TransferorParty`: the party that transfers. Given: the third-party form (mandatory in
   * third-party control; `Target` then written as an attribute). Absent: the extension form,
   * `<BlindTransfer>target</BlindTransfer>` — the API extension leaves, its peer is transferred.
   */
  readonly transferorParty?: 'caller' | 'callee';
  /** `CallId`: the call to transfer (third-party only; needs `transferorParty`). */
  readonly callId?: string;
  /** `FinishedUrl`: gets the id, caller, callee and duration afterwards (third-party only; an http(s) URL). */
  readonly finishedUrl?: string;
}

/**
 * `<BlindTransfer>`: transfer the call to `target` without consulting it (spec §5.9).
 *
 * @param target - the number to transfer to, e.g. `'1001'`; not blank
 * @example
 * `blindTransfer('1001')` → `<BlindTransfer>1001</BlindTransfer>` (extension control);
 * `blindTransfer('1001', { transferorParty: 'callee' })` →
 * `<BlindTransfer TransferorParty="callee" Target="1001"/>` (third-party control)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank target, an unknown
 *   transferorParty, `callId`/`finishedUrl` without `transferorParty` (they exist only in
 *   third-party control), or an unknown option
 */
export function blindTransfer(
  target: string,
  options: OzmlBlindTransferOptions = {},
): OzmlCommand<'BlindTransfer'> {
  const builder = 'blindTransfer';
  checkKeys(builder, options, ['transferorParty', 'callId', 'finishedUrl']);
  const checkedTarget = nonBlank(builder, 'target', target);
  const attributes = attributesFrom(builder, options, attributesOf('BlindTransfer'));
  throwFirst(builder, [...commandRules(viewOf('BlindTransfer', attributes))]);
  if (attributes['TransferorParty'] === undefined) {
    return make('BlindTransfer', {}, [checkedTarget]);
  }
  const { TransferorParty: party, ...rest } = attributes;
  return make('BlindTransfer', { TransferorParty: party, Target: checkedTarget, ...rest });
}

/** Options of {@link attendedTransfer} (spec §5.10). */
export interface OzmlAttendedTransferOptions {
  /** `TargetCallId`: the transferor's consultation call to the target, e.g. `'HL1bE'`. Required. */
  readonly targetCallId: string;
  /** `TransferredCallId`: the call whose other party is transferred (default: the notified call). */
  readonly transferredCallId?: string;
  /** `TransferorParty`: the party that transfers (used in Ozeki's example, not in its table, §7.7). */
  readonly transferorParty?: 'caller' | 'callee';
}

const ATTENDED_TRANSFER_ATTRIBUTES = attributesOf('AttendedTransfer');

/**
 * `<AttendedTransfer>`: connect the held party with the target the transferor has called;
 * the transferor leaves (spec §5.10). Third-party control.
 *
 * @example `attendedTransfer({ targetCallId: 'HL1bE', transferorParty: 'caller' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing or blank targetCallId, the
 *   same id for both calls, an unknown transferorParty or option
 */
export function attendedTransfer(
  options: OzmlAttendedTransferOptions,
): OzmlCommand<'AttendedTransfer'> {
  const command = simple(
    'attendedTransfer',
    'AttendedTransfer',
    options,
    ATTENDED_TRANSFER_ATTRIBUTES,
  );
  throwFirst('attendedTransfer', [
    ...commandRules(viewOf('AttendedTransfer', command.element.attributes)),
  ]);
  return command;
}

/** Options of {@link forward} and {@link forwardCall} (spec §5.11). */
export interface OzmlForwardOptions {
  /** `Destination`: where the ringing call goes, e.g. `'500'`. Required. */
  readonly destination: string;
  /** `CallId`: the call to forward (default: the notified call). */
  readonly callId?: string;
}

const FORWARD_ATTRIBUTES = attributesOf('Forward');

/**
 * `<Forward Destination>`: send a call that is still **ringing** elsewhere (spec §5.11, XE
 * name). Third-party control. Ozeki 10 calls it {@link forwardCall}.
 *
 * @example `forward({ destination: '500' })` → `<Forward Destination="500"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing or blank destination or
 *   call id, or an unknown option
 */
export function forward(options: OzmlForwardOptions): OzmlCommand<'Forward'> {
  return simple('forward', 'Forward', options, FORWARD_ATTRIBUTES);
}

/**
 * `<ForwardCall Destination>`: the Ozeki 10 name of {@link forward} (spec §5.11).
 *
 * @example `forwardCall({ destination: '102' })` → `<ForwardCall Destination="102"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` as {@link forward}
 */
export function forwardCall(options: OzmlForwardOptions): OzmlCommand<'ForwardCall'> {
  return simple('forwardCall', 'ForwardCall', options, FORWARD_ATTRIBUTES);
}

/**
 * `<Hold/>`: put both legs of an established call on hold (spec §5.12). Third-party control.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank call id or an unknown option
 */
export function hold(options: OzmlCallIdOptions = {}): OzmlCommand<'Hold'> {
  return simple('hold', 'Hold', options, CALL_ID_ATTRIBUTES);
}

/**
 * `<Unhold/>`: take a held call off hold (spec §5.12). Third-party control.
 *
 * @example `unhold({ callId: '23Xdz7' })` → `<Unhold CallId="23Xdz7"/>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank call id or an unknown option
 */
export function unhold(options: OzmlCallIdOptions = {}): OzmlCommand<'Unhold'> {
  return simple('unhold', 'Unhold', options, CALL_ID_ATTRIBUTES);
}

/** Options of {@link record} (spec §5.13). */
export interface OzmlRecordOptions {
  /** `CallId`: the call to record (third-party control; default: the notified call). */
  readonly callId?: string;
  /** `Format`: `'mp3'` (Ozeki's default) or `'wav'`. */
  readonly format?: 'mp3' | 'wav';
  /** `FinishedUrl`: gets the `RecordCompleted` notification (with `RecordURL`). An http(s) URL. */
  readonly finishedUrl?: string;
  /** `Duration`: at most this many **seconds** (whole, ≥ 0). Extension control only. */
  readonly duration?: number;
  /** `Inactivity`: stop after this many **seconds** without voice (whole, ≥ 0). Extension control only. */
  readonly inactivity?: number;
  /** `FinishDigits`: any of these DTMF keys stops recording, e.g. `'7890*#'`. Extension control only. */
  readonly finishDigits?: string;
  /** `RecordPath` (Ozeki 10): where to save, e.g. `'D:/recordings'`. */
  readonly recordPath?: string;
}

const RECORD_ATTRIBUTES = attributesOf('Record');

/**
 * `<Record/>`: record the call (spec §5.13); the recording's URL goes to `finishedUrl`.
 *
 * @example `record({ finishedUrl: 'http://yourapp.com/record_finished.php', finishDigits: '12', format: 'wav' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a format other than mp3/wav, times
 *   that are not whole seconds ≥ 0, finish digits that are not DTMF keys, a blank string, a
 *   URL that is not absolute http(s), or an unknown option
 */
export function record(options: OzmlRecordOptions = {}): OzmlCommand<'Record'> {
  return simple('record', 'Record', options, RECORD_ATTRIBUTES);
}

/** Options of {@link sendDtmf} (spec §5.14). */
export interface OzmlSendDtmfOptions {
  /** `Party`: who receives the tones. Required. */
  readonly party: OzmlParty;
  /** `Keys`: the DTMF keys to send, e.g. `'01234#'`. Required. */
  readonly keys: string;
  /** `CallId`: the call (default: the notified call). */
  readonly callId?: string;
}

const SEND_DTMF_ATTRIBUTES = attributesOf('SendDTMF');

/**
 * `<SendDTMF Party Keys/>`: send DTMF tones to a party (spec §5.14). Third-party control.
 *
 * @example `sendDtmf({ party: 'caller', keys: '01234#' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing or unknown party, keys that
 *   are not DTMF (0-9, * and #), a blank call id or an unknown option
 */
export function sendDtmf(options: OzmlSendDtmfOptions): OzmlCommand<'SendDTMF'> {
  return simple('sendDtmf', 'SendDTMF', options, SEND_DTMF_ATTRIBUTES);
}

/** Options of {@link route} (spec §5.15). */
export interface OzmlRouteOptions {
  /**
   * `Destination`: an extension (`'1000'`) or outside line (`'voipservice1'`); `''` rejects the
   * call (then no other option). Required.
   */
  readonly destination: string;
  /** `RingTime`: how long it rings, in **seconds** (whole, ≥ 1). Ozeki's default: 90. */
  readonly ringTime?: number;
  /** `CallerId`: the identity the callee sees. */
  readonly callerId?: string;
  /** `DialedNumber`: the number dialled through the outside line, e.g. `'234567'`. */
  readonly dialedNumber?: string;
}

const ROUTE_ATTRIBUTES = attributesOf('Route');

/**
 * `<Route Destination/>`: the answer to `RoutingInterception` — where the call goes (spec
 * §5.15). `Destination` is always an attribute, also when empty: `<Route Destination=""/>`.
 *
 * @example `route({ destination: 'voipservice1', ringTime: 30, dialedNumber: '234567' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing, non-string or blank (but not
 *   empty) destination, other options with an empty destination, a ring time that is not whole
 *   seconds ≥ 1, a blank string, or an unknown option
 */
export function route(options: OzmlRouteOptions): OzmlCommand<'Route'> {
  const builder = 'route';
  checkKeys(builder, options, [OZEKI_ROUTE_DESTINATION.option, ...optionsOf(ROUTE_ATTRIBUTES)]);
  const destination: unknown = options.destination;
  throwFirstOf(builder, [routeDestinationRule(destination !== undefined)]);
  if (destination === '') {
    const attributes = attributesFrom(builder, options, ROUTE_ATTRIBUTES);
    throwFirst(builder, [
      ...commandRules(viewOf('Route', { [OZEKI_ROUTE_DESTINATION.name]: '', ...attributes })),
    ]);
    return make('Route', { [OZEKI_ROUTE_DESTINATION.name]: '' });
  }
  return make('Route', {
    [OZEKI_ROUTE_DESTINATION.name]: convertOf(OZEKI_ROUTE_DESTINATION.value)(
      builder,
      OZEKI_ROUTE_DESTINATION.option,
      destination,
    ),
    ...attributesFrom(builder, options, ROUTE_ATTRIBUTES),
  });
}

/** Options of {@link sendSms} (spec §5.16). */
export interface OzmlSendSmsOptions {
  /** `Recipient`: the phone number, e.g. `'+062554670'`. Required. */
  readonly recipient: string;
  /** `ApiExtension`: the API extension that sends (mandatory in the XE table, omitted in its example). */
  readonly apiExtension?: string;
  /** `Sender`: the sender number. Default: the modem's number. */
  readonly sender?: string;
  /** `DeliveryReportURL`: gets the `SMSDeliveryReport` notification. An http(s) URL. */
  readonly deliveryReportUrl?: string;
}

const SEND_SMS_ATTRIBUTES = attributesOf('SendSms');

/**
 * `<SendSms Recipient>message</SendSms>`: send an SMS (spec §5.16).
 *
 * @param message - the SMS text (`Message`); not blank
 * @example `sendSms('Hello! How are you?', { recipient: '+062554670' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank message or recipient, a URL
 *   that is not absolute http(s), or an unknown option
 */
export function sendSms(message: string, options: OzmlSendSmsOptions): OzmlCommand<'SendSms'> {
  return simple('sendSms', 'SendSms', options, SEND_SMS_ATTRIBUTES, ['message', message]);
}

// ---------------------------------------------------------------------------------------------
// Contexts
// ---------------------------------------------------------------------------------------------

/** Where a command sits in the sequence being checked. */
const CONTROLS = OZEKI_CONTROLS;

function checkControl(who: string, control: unknown): asserts control is OzmlControl {
  if (typeof control !== 'string' || !(CONTROLS as readonly string[]).includes(control)) {
    throw invalid(
      who,
      `control must be ${CONTROLS.map((c) => `"${c}"`).join(', ')}, got ${show(control)}`,
    );
  }
}

/** Throws unless `value` is an array of commands made by the builders. */
function checkCommands(
  who: string,
  value: unknown,
  path: string,
): asserts value is readonly OzmlCommand[] {
  if (!Array.isArray(value)) {
    throw invalid(who, `${path} must be an array of OzML commands, got ${show(value)}`);
  }
  value.forEach((item: unknown, index) => {
    if (!isCommand(item)) {
      throw invalid(
        who,
        `${path}[${index}] is not an OzML command made by the ozeki builders, got ${show(item)}`,
      );
    }
  });
}

/** Checks a command sequence, and the sequences nested in it, for one context. */
function checkSequence(
  who: string,
  value: unknown,
  control: OzmlControl,
  path: string,
  nested: boolean,
): asserts value is readonly OzmlCommand[] {
  checkCommands(who, value, path);
  const context = OZEKI_CONTEXTS[control];
  value.forEach((command, index) => {
    const at = `${path}[${index}]`;
    if (context.commands[command.name] === undefined) {
      const allowed = Object.keys(context.commands).join(', ');
      throw invalid(
        who,
        `${at}: ${command.name} is not allowed in ${context.label}; allowed: ${allowed}`,
      );
    }
    const view = viewOf(command.name, command.element.attributes);
    const problem = fitOf(view, control) ?? placeRule(view, { index, nested });
    if (problem !== undefined) throw invalid(who, `${at}: ${problem.message}`);
    for (const sequence of command.nested) {
      checkSequence(who, sequence.commands, control, `${at}.${sequence.where}`, true);
    }
  });
}

/**
 * Validates a command sequence for the context it answers (spec §3.1, §4, §5):
 *
 * - `'extension'`: Speak, Play, Delay, Hangup, Reject, UserInput, GoTo, Call, BlindTransfer
 *   (without transferorParty), Record, SendSms. Reject only as the first command, never in a
 *   UserInput; a top-level UserInput has no backKey; nested commands follow the same rules.
 * - `'thirdParty'`: AttendedTransfer, BlindTransfer (with transferorParty), Forward,
 *   ForwardCall, Hangup, Hold, Unhold, Play and Speak (with party), Record (without duration,
 *   inactivity, finishDigits), SendDTMF.
 * - `'routing'`: at most one Route.
 *
 * An empty sequence is valid everywhere (Ozeki hangs up, or routes by its dial plan).
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` naming the first offending command, e.g.
 *   `ozeki.validateOzml: commands[1]: Reject is only valid as the first command (spec §5.5)`
 */
export function validateOzml(commands: readonly OzmlCommand[], control: OzmlControl): void {
  checkControl('validateOzml', control);
  checkSequence('validateOzml', commands, control, 'commands', false);
}

/**
 * Builds an answer `<Response>` of `commands`; when `control` is given the sequence is
 * validated for that context now (see {@link validateOzml}) and remembered.
 *
 * @example `response([speak('Hello!', { party: 'caller' }), hangup({ callId: '23Xdz7' })], { control: 'thirdParty' })`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for items that are not built commands, an
 *   unknown control or option, or a sequence the context does not take
 */
export function response(
  commands: readonly ({ readonly provider: 'ozeki' } & OzmlCommand)[],
  options: { readonly control?: OzmlControl } = {},
): OzmlResponse {
  checkKeys('response', options, ['control']);
  const control: unknown = options['control'];
  if (control === undefined) {
    checkCommands('response', commands, 'commands');
  } else {
    checkControl('response', control);
    checkSequence('response', commands, control, 'commands', false);
  }
  const built = new OzmlResponse(commands, control);
  BUILT.add(built);
  return built;
}

function isResponse(value: unknown): value is OzmlResponse {
  return value instanceof OzmlResponse && BUILT.has(value);
}

/** Whether `value` is an OzML answer: a {@link response}, or an array whose every item is a built command. */
export function isOzmlAnswer(value: unknown): value is OzmlAnswer {
  return isResponse(value) || (Array.isArray(value) && value.every(isCommand));
}

function camel(element: XmlElement): XmlElement {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(element.attributes ?? {})) {
    attributes[name.charAt(0).toLowerCase() + name.slice(1)] = value;
  }
  return {
    name: element.name,
    attributes,
    children: (element.children ?? []).map((child) =>
      typeof child === 'string' ? child : camel(child),
    ),
  };
}

function render(who: string, answer: unknown, control: unknown, options: unknown): string {
  checkKeys(who, options, ['declaration', 'attributeCase'], 'render options');
  const declaration = options['declaration'] ?? true;
  if (typeof declaration !== 'boolean') {
    throw invalid(who, `declaration must be true or false, got ${show(declaration)}`);
  }
  const attributeCase = options['attributeCase'] ?? 'pascal';
  if (attributeCase !== 'pascal' && attributeCase !== 'camel') {
    throw invalid(who, `attributeCase must be "pascal" or "camel", got ${show(attributeCase)}`);
  }
  if (control !== undefined) checkControl(who, control);

  let commands: readonly OzmlCommand[];
  if (answer === undefined) {
    commands = [];
  } else if (isResponse(answer)) {
    if (control !== undefined && answer.control !== undefined && answer.control !== control) {
      throw invalid(
        who,
        `the response was built for ${answer.control} control but answers a ${control} event`,
      );
    }
    if (control !== undefined && answer.control === undefined) {
      checkSequence(who, answer.commands, control, 'commands', false);
    }
    commands = answer.commands;
  } else if (Array.isArray(answer)) {
    if (control === undefined) checkCommands(who, answer, 'commands');
    else checkSequence(who, answer, control, 'commands', false);
    commands = answer;
  } else {
    throw invalid(
      who,
      `an answer is an ozeki.response() or an array of OzML commands, got ${show(answer)}`,
    );
  }
  const elements = commands.map((command) =>
    attributeCase === 'camel' ? camel(command.element) : command.element,
  );
  return renderXml({ name: 'Response', children: elements }, { declaration });
}

/**
 * Renders the OzML answer document: `<?xml version="1.0" encoding="UTF-8"?>` and `<Response>`
 * holding the commands, or the neutral empty `<Response/>` when `answer` is undefined.
 *
 * When `control` is given (the app passes the context of the event being answered), a plain
 * array or a response built without control is validated for it first ({@link validateOzml});
 * a response built with a control must have been built for the same one.
 *
 * @example `renderOzml([reject()], 'extension')` → `<?xml …?><Response><Reject/></Response>`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for something that is not an answer, a
 *   sequence the context does not take, a response built for another context, or invalid
 *   render options
 */
export function renderOzml(
  answer: OzmlAnswer | undefined,
  control?: OzmlControl,
  options: OzmlRenderOptions = {},
): string {
  return render('renderOzml', answer, control, options);
}
