/**
 * sipgate.io answers: builders for every documented element of the XML answer.
 *
 * Spec: `docs/providers/sipgate.md` §4 (elements, attributes, units), §7 (documented examples);
 * upstream: https://developer.sipgate.io/push-api/api-reference/
 *
 * Each builder validates its arguments and throws `CC_ERR_ANSWER_INVALID` (a
 * {@link CallControlError}) at once, so a bad answer fails in the handler — and the call gets
 * the fallback — rather than reaching sipgate. Option names are the attribute names; times are
 * in **milliseconds**, as sipgate counts. An answer holds at most one action (every documented
 * example does, spec §4.7) and, with {@link response}, the `onAnswer`/`onHangup` URLs of the
 * follow-up events.
 *
 * @module
 */
import { answerKit, type AnswerKit, type AttributeSpec, type Convert } from '../../core/answer-kit';
import { freezeXmlElement, renderXml, type XmlElement } from '../../core/xml';
import type { GrammarValue } from '../../validate/grammar';
import {
  childrenRule,
  mayHold,
  SIPGATE_GRAMMAR,
  type SipgateAction,
  type SipgateElementName,
} from './grammar';

export { SIPGATE_MAX_DIAL_TARGETS } from './grammar';
export type { SipgateAction } from './grammar';

/**
 * A sipgate.io answer: a `<Response>` with at most one action and the follow-up URLs. Build it
 * with {@link dial}, {@link play}, {@link gather}, {@link reject}, {@link hangup} and
 * {@link response}; return it from a `newCall` or `dtmf` handler.
 */
export class SipgateAnswer<A extends SipgateAction | undefined = SipgateAction | undefined> {
  /**
   * `'sipgate'`: which provider's builders made this answer. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers.
   */
  get provider(): 'sipgate' {
    return 'sipgate';
  }

  /** The action element's name, e.g. `'Dial'`; `undefined` for an answer without action. */
  readonly action: A;
  /** The action as an element tree (without `<Response>`); `undefined` without action. */
  readonly element: XmlElement | undefined;
  /** The `<Response>` attributes: `onAnswer` and `onHangup` when given (absolute URLs). */
  readonly followUps: Readonly<{ onAnswer?: string; onHangup?: string }>;

  /** @internal Use the builders. */
  constructor(
    action: A,
    element: XmlElement | undefined,
    followUps: Readonly<{ onAnswer?: string; onHangup?: string }> = {},
  ) {
    this.action = action;
    this.element = element === undefined ? undefined : freezeXmlElement(element);
    this.followUps = Object.freeze({ ...followUps });
    Object.freeze(this);
  }

  /** The whole answer document, `<?xml …?><Response …>…</Response>`. */
  toXml(): string {
    return renderSipgateResponse(this);
  }
}

/** Options of {@link dial}: the `<Dial>` attributes and its targets (spec §4.2). */
export interface SipgateDialOptions {
  /**
   * `<Number>` elements: E.164 numbers, digits without `+` as sipgate writes them
   * (`'4915799912345'`; a leading `+` is accepted), 1 to 5 of them; all ring at once and the
   * `answer` event reports the one that answered. Exclusive with `voicemail`.
   */
  readonly numbers?: readonly string[];
  /** `<Voicemail/>`: send the call to the voicemail (a booked feature). Exclusive with `numbers`. */
  readonly voicemail?: true;
  /** `callerId`: the number shown to the called party, a validated number of the account. */
  readonly callerId?: string;
  /** `anonymous`: suppress the caller id. sipgate's default: the account's settings. */
  readonly anonymous?: boolean;
}

/** Options of {@link play} (spec §4.3). */
export interface SipgatePlayOptions {
  /**
   * `<Url>`: absolute http(s) URL of a mono 16-bit PCM WAV file at 8 kHz (sipgate silently
   * skips other formats).
   */
  readonly url: string;
}

/** Options of {@link gather} (spec §4.4). */
export interface SipgateGatherOptions {
  /** `onData`: absolute http(s) URL the `dtmf` event is posted to. Required. */
  readonly onData: string;
  /** `maxDigits`: digits to collect, 1 or more. sipgate's default: 1. */
  readonly maxDigits?: number;
  /**
   * `timeout`: **milliseconds** to wait for input, counted after the prompt has played; 0 or
   * more (the reference says 1 or more, but sipgate's own IVR example writes 0 to play the
   * prompt and go on at once). sipgate's default: 2000.
   */
  readonly timeout?: number;
  /** `type`: `'dtmf'`, the only documented type (and the default). */
  readonly type?: 'dtmf';
  /** A {@link play} answer whose sound file is played while waiting (the one allowed nesting). */
  readonly play?: SipgateAnswer<'Play'>;
}

/** Options of {@link reject} (spec §4.5). */
export interface SipgateRejectOptions {
  /** `reason`: `'rejected'` (sipgate's default) or `'busy'` (pretend to be busy). */
  readonly reason?: 'rejected' | 'busy';
}

/** Options of {@link response} (spec §4.1). */
export interface SipgateResponseOptions {
  /** `onAnswer`: absolute http(s) URL the `answer` event is posted to. */
  readonly onAnswer?: string;
  /** `onHangup`: absolute http(s) URL the `hangup` event is posted to. */
  readonly onHangup?: string;
  /** The action, built with {@link dial}, {@link play}, {@link gather}, {@link reject} or {@link hangup}. */
  readonly action?: SipgateAnswer<SipgateAction>;
}

const kit: AnswerKit = answerKit('sipgate');
const { show, optionsOf, invalid, attributesFrom, flag, oneOf, url, wholeNumber } = kit;
const checkKeys: AnswerKit['checkKeys'] = kit.checkKeys;

/**
 * The builder's converter of a grammar value type (`grammar.ts`): the same written values as the
 * validator accepts, from typed options (numbers for whole numbers, booleans for flags, strings
 * for the rest).
 */
function convertOf(type: GrammarValue): Convert {
  switch (type.kind) {
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
        if (typeof value === 'string' && type.regex.test(value)) return value;
        throw invalid(builder, `${name} must be ${type.what}, got ${show(value)}`);
      };
    default:
      throw new TypeError(`sipgate grammar: no builder converter for ${type.kind}`);
  }
}

/** The option specs of an element, read from the grammar (option names are the attribute names). */
function attributesOf(element: SipgateElementName): readonly AttributeSpec[] {
  return SIPGATE_GRAMMAR[element].attributes.map((fact): AttributeSpec =>
    fact.required === true
      ? [fact.name, fact.name, convertOf(fact.value), 'required']
      : [fact.name, fact.name, convertOf(fact.value)],
  );
}

/** The text of a `<Number>` or `<Url>`, converted by the grammar's type of that element's text. */
function textOf(element: 'Number' | 'Url'): Convert {
  const type = SIPGATE_GRAMMAR[element].text;
  if (type === undefined) throw new TypeError(`sipgate grammar: <${element}> has no text`);
  return convertOf(type);
}

const numberText = textOf('Number');
const urlText = textOf('Url');

/**
 * Throws the first rule of what `parent` holds that `children` break (`childrenRule` of the
 * grammar, spec §4.7), so that a builder never writes what the validator refuses.
 */
function checkChildren(
  builder: string,
  parent: SipgateElementName,
  children: readonly XmlElement[],
): void {
  const broken = childrenRule(
    parent,
    children.map((child) => child.name),
  )[0];
  if (broken !== undefined) throw invalid(builder, broken.message);
}

const DIAL_ATTRIBUTES = attributesOf('Dial');
const GATHER_ATTRIBUTES = attributesOf('Gather');
const REJECT_ATTRIBUTES = attributesOf('Reject');
const RESPONSE_ATTRIBUTES = attributesOf('Response');

/**
 * `<Dial>`: redirect the call to up to 5 numbers ringing at once, or to the voicemail.
 *
 * @example
 * ```ts
 * sipgate.dial({ numbers: ['4915799912345', '492111234567'], callerId: '492111234567' });
 * sipgate.dial({ voicemail: true });
 * ```
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for no target (no numbers and no
 *   voicemail), numbers and voicemail together, more than 5 numbers, a number or `callerId`
 *   that is not E.164, a `voicemail` other than `true`, or an `anonymous` that is not a boolean
 */
export function dial(options: SipgateDialOptions): SipgateAnswer<'Dial'> {
  checkKeys('dial', options, ['numbers', 'voicemail', ...optionsOf(DIAL_ATTRIBUTES)]);
  const attributes = attributesFrom('dial', options, DIAL_ATTRIBUTES);
  const numbers: unknown = options.numbers;
  if (options.voicemail !== undefined && options.voicemail !== true) {
    throw invalid('dial', `voicemail must be true when given, got ${show(options.voicemail)}`);
  }
  if (numbers !== undefined && !Array.isArray(numbers)) {
    throw invalid('dial', 'numbers must be an array of numbers');
  }
  // the targets as written; the grammar decides what <Dial> may hold (1 to 5 <Number>, or one
  // <Voicemail/>, never both, spec §4.2)
  const children: XmlElement[] = (numbers ?? []).map((number: unknown, index) => ({
    name: 'Number',
    children: [numberText('dial', `numbers[${index}]`, number)],
  }));
  if (options.voicemail === true) children.push({ name: 'Voicemail' });
  checkChildren('dial', 'Dial', children);
  return new SipgateAnswer('Dial', { name: 'Dial', attributes, children });
}

/**
 * `<Play><Url>`: play a sound file; afterwards the call goes on as it would have without it.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a `url` that is not an absolute
 *   http(s) URL
 */
export function play(options: SipgatePlayOptions): SipgateAnswer<'Play'> {
  checkKeys('play', options, ['url']);
  if (options.url === undefined) throw invalid('play', 'url is required');
  const children: XmlElement[] = [{ name: 'Url', children: [urlText('play', 'url', options.url)] }];
  checkChildren('play', 'Play', children);
  return new SipgateAnswer('Play', { name: 'Play', children });
}

/**
 * `<Gather>`: collect keypad digits (optionally while a sound file plays) and post them as a
 * `dtmf` event to `onData`, whose answer continues the call.
 *
 * @example
 * ```ts
 * sipgate.gather({
 *   onData: 'https://example.com/sipgate',
 *   maxDigits: 3,
 *   timeout: 10000,
 *   play: sipgate.play({ url: 'https://example.com/menu.wav' }),
 * });
 * ```
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a missing or non-absolute `onData`,
 *   `maxDigits` that is not a whole number ≥ 1, a `timeout` that is not one ≥ 0, a `type` other than `'dtmf'`, or a
 *   `play` not built with {@link play}
 */
export function gather(options: SipgateGatherOptions): SipgateAnswer<'Gather'> {
  checkKeys('gather', options, [...optionsOf(GATHER_ATTRIBUTES), 'play']);
  const attributes = attributesFrom('gather', options, GATHER_ATTRIBUTES);
  const prompt: unknown = options.play;
  if (prompt === undefined) return new SipgateAnswer('Gather', { name: 'Gather', attributes });
  if (
    !(prompt instanceof SipgateAnswer) ||
    prompt.element === undefined ||
    Object.keys(prompt.followUps).length > 0 ||
    !mayHold('Gather', prompt.element.name)
  ) {
    throw invalid('gather', 'play must be an answer built with sipgate.play()');
  }
  const children = [prompt.element];
  checkChildren('gather', 'Gather', children);
  return new SipgateAnswer('Gather', { name: 'Gather', attributes, children });
}

/**
 * `<Reject>`: refuse the call; `reason: 'busy'` pretends the line is busy.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a reason other than `'rejected'` or
 *   `'busy'`
 */
export function reject(options: SipgateRejectOptions = {}): SipgateAnswer<'Reject'> {
  checkKeys('reject', options, optionsOf(REJECT_ATTRIBUTES));
  const attributes = attributesFrom('reject', options, REJECT_ATTRIBUTES);
  return new SipgateAnswer('Reject', { name: 'Reject', attributes });
}

/** `<Hangup/>`: end the call. */
export function hangup(): SipgateAnswer<'Hangup'> {
  return new SipgateAnswer('Hangup', { name: 'Hangup' });
}

/**
 * A `<Response>` with the follow-up URLs — `onAnswer` (the `answer` event), `onHangup` (the
 * `hangup` event) — and optionally an action. sipgate sends `answer` and `hangup` only to an
 * app whose `newCall` answer asked for them (spec §1 "Only newCall by default").
 *
 * @example
 * ```ts
 * sipgate.response({
 *   onAnswer: 'https://example.com/sipgate',
 *   onHangup: 'https://example.com/sipgate',
 *   action: sipgate.dial({ numbers: ['4915799912345'] }),
 * });
 * ```
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a URL that is not an absolute http(s)
 *   URL, or an action not built with the sipgate builders or that already has follow-ups
 */
export function response(options: SipgateResponseOptions): SipgateAnswer {
  checkKeys('response', options, [...optionsOf(RESPONSE_ATTRIBUTES), 'action']);
  const followUps = attributesFrom('response', options, RESPONSE_ATTRIBUTES);
  const action: unknown = options.action;
  if (action === undefined) return new SipgateAnswer(undefined, undefined, followUps);
  if (
    !(action instanceof SipgateAnswer) ||
    action.element === undefined ||
    Object.keys(action.followUps).length > 0 ||
    !mayHold('Response', action.element.name)
  ) {
    throw invalid('response', 'action must be one action built with the sipgate builders');
  }
  checkChildren('response', 'Response', [action.element]);
  return new SipgateAnswer(action.action, action.element, followUps);
}

/** Whether `value` is an answer built by these builders. */
export function isSipgateAnswer(value: unknown): value is SipgateAnswer {
  return value instanceof SipgateAnswer;
}

/**
 * Renders the answer document sipgate reads: `<?xml version="1.0" encoding="UTF-8"?>` and
 * `<Response>` with the follow-up attributes and the action, or the empty `<Response/>` (no
 * instruction: sipgate handles the call as configured, spec §1 "Empty answer") when `answer`
 * is undefined.
 */
export function renderSipgateResponse(answer?: SipgateAnswer): string {
  return renderXml({
    name: 'Response',
    attributes: answer === undefined ? {} : { ...answer.followUps },
    children: answer?.element === undefined ? [] : [answer.element],
  });
}
