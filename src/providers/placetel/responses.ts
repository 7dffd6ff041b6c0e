/**
 * Placetel call-control answers: builders for every documented action of the XML response.
 *
 * Spec: `docs/providers/placetel.md` §3 (actions and attributes), §5 (documented examples);
 * upstream: https://github.com/Placetel/call-control-notify-api#your-xml-response
 *
 * Each builder validates its arguments and throws `CC_ERR_ANSWER_INVALID` (a
 * {@link CallControlError}) at once, so a bad answer fails in the handler — and the call gets
 * the fallback — rather than reaching Placetel. Option names are the attribute names in
 * camelCase (`music_on_hold` → `musicOnHold`); times are in **seconds**, as Placetel counts.
 *
 * @module
 */
import { answerKit, type AnswerKit, type AttributeSpec, type Convert } from '../../core/answer-kit';
import { assertXmlText, renderXml, type XmlElement } from '../../core/xml';
import type { GrammarValue } from '../../validate/grammar';
import {
  childrenRule,
  forwardRule,
  groupBackupRule,
  PLACETEL_GRAMMAR,
  PLACETEL_ID,
  PLACETEL_MAX_NUMBER_LENGTH,
  PLACETEL_REJECT_REASON,
  type PlacetelAction,
  type PlacetelElementName,
} from './grammar';

export type { PlacetelAction } from './grammar';

/**
 * A Placetel answer: one action, rendered inside `<Response>`. Build it with {@link forward},
 * {@link reject}, {@link hangup}, {@link queue}, {@link prompt}, {@link group} or
 * {@link routingPlan}; return it from an `IncomingCall` handler.
 */
export class PlacetelAnswer<A extends PlacetelAction = PlacetelAction> {
  /**
   * `'placetel'`: which provider's builders made this answer. Also a type brand: returning or
   * nesting another provider's answer is a type error that names both providers, e.g.
   * `Type '"ozeki"' is not assignable to type '"placetel"'` on `provider`.
   */
  get provider(): 'placetel' {
    return 'placetel';
  }

  /** The action element's name, e.g. `'Forward'`. */
  readonly action: A;
  /** The action as an element tree (without the `<Response>` around it). */
  readonly element: XmlElement;

  /** @internal Use the builders. */
  constructor(action: A, element: XmlElement) {
    this.action = action;
    this.element = element;
    Object.freeze(this);
  }

  /** The whole answer document, `<?xml …?><Response>…</Response>`. */
  toXml(): string {
    return renderPlacetelResponse(this);
  }
}

/** A Placetel record id (prompt, group, queue, routing plan…): a positive integer or its text. */
export type PlacetelId = number | string;

/** One step of a {@link forward}: numbers that ring together, for `ringtime` seconds. */
export interface PlacetelTarget {
  /**
   * `<Number>` elements: external numbers (`022129191999`) or SIP ids (`7777abcdefg@fpbx.de`).
   * All of them ring **at the same time**. At least one.
   */
  readonly numbers: readonly string[];
  /** `ringtime`: how long this target rings, in **seconds** (1–3600). Placetel's default: 60. */
  readonly ringtime?: number;
}

/** Options of {@link forward}: the `<Forward>` attributes (spec §3.2) and its targets. */
export interface PlacetelForwardOptions {
  /** `<Target>`s, tried **in order**. None: straight to voicemail (needs `voicemail` not false). */
  readonly targets?: readonly PlacetelTarget[];
  /** `music_on_hold`: music instead of the ring tone. Placetel's default: false. */
  readonly musicOnHold?: boolean;
  /** `voicemail`: send to voicemail when no target answers. Placetel's default: true. */
  readonly voicemail?: boolean;
  /** `voicemail_announcement`: prompt id of the mailbox announcement, e.g. `1234`. */
  readonly voicemailAnnouncement?: PlacetelId;
  /** `voicemail_as_attachment`: mail the voicemail as an MP3 attachment. Default: false. */
  readonly voicemailAsAttachment?: boolean;
  /** `forward_announcement`: prompt id played before the targets ring. */
  readonly forwardAnnouncement?: PlacetelId;
}

/** Options of {@link reject}. */
export interface PlacetelRejectOptions {
  /** `reason`: `'busy'` pretends the line is busy (the only documented reason); none: reject. */
  readonly reason?: 'busy';
}

/** Options of {@link queue}. */
export interface PlacetelQueueOptions {
  /** `id`: the Contact Center queue id. */
  readonly id: PlacetelId;
  /**
   * Write the attribute as `queue_id`, as Placetel documented it from 2017-05 to 2024-11
   * (spec §3.3), instead of the current `id`. Default false.
   */
  readonly legacyQueueId?: boolean;
}

/** Options of {@link prompt}. */
export interface PlacetelPromptOptions {
  /** `id`: the prompt to play; the call ends after it. */
  readonly id: PlacetelId;
}

/** What a group does when nobody answers in time (`backup_behaviour`, British spelling). */
export type PlacetelBackupBehaviour = 'mailbox' | 'routing_object';

/** Options of {@link group}: every `<Group>` attribute (spec §3.3). */
export interface PlacetelGroupOptions {
  /** `id`: the group id. */
  readonly id: PlacetelId;
  /** `ringtime`: **seconds** before the backup takes over, 10–60. Placetel's default: 40. */
  readonly ringtime?: number;
  /** `backup_behaviour`: `'mailbox'` (Placetel's default) or `'routing_object'`. */
  readonly backupBehaviour?: PlacetelBackupBehaviour;
  /** `backup_routing_object`: routing object id; required with `backupBehaviour: 'routing_object'`. */
  readonly backupRoutingObject?: PlacetelId;
  /** `voicemail_announcement`: prompt id of the mailbox announcement. */
  readonly voicemailAnnouncement?: PlacetelId;
  /** `voicemail_as_attachment`: mail the voicemail as an MP3 attachment. Default: false. */
  readonly voicemailAsAttachment?: boolean;
  /** `forward_announcement`: prompt id played before the group rings. */
  readonly forwardAnnouncement?: PlacetelId;
  /** `music_on_hold`: music instead of the ring tone. Default: false. */
  readonly musicOnHold?: boolean;
}

/** Options of {@link routingPlan}. */
export interface PlacetelRoutingPlanOptions {
  /** `id`: the routing plan id. */
  readonly id: PlacetelId;
  /** A {@link forward} used when no routing object of the plan is active. */
  readonly fallback?: PlacetelAnswer<'Forward'>;
}

const kit: AnswerKit = answerKit('placetel', { shortKeyMessages: true });
const ID_PATTERN = PLACETEL_ID.regex;
const { show, optionsOf, invalid, attributesFrom, flag, oneOf } = kit;
const checkKeys: AnswerKit['checkKeys'] = kit.checkKeys;

/** A Placetel id: a positive integer, or 1–64 letters, digits, `_` and `-`. */
const id: Convert = (builder, name, value) => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return String(value);
  } else if (typeof value === 'string' && ID_PATTERN.test(value)) {
    return value;
  }
  throw invalid(
    builder,
    `${name} must be a positive integer or an id of letters, digits, "_" and "-", got ${show(value)}`,
  );
};

/** A `<Number>`: a non-blank string of at most 256 characters that XML can carry. */
function phoneNumber(builder: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(builder, `every number must be a non-empty string, got ${show(value)}`);
  }
  if (value.length > PLACETEL_MAX_NUMBER_LENGTH) {
    throw invalid(builder, `a number is longer than ${PLACETEL_MAX_NUMBER_LENGTH} characters`);
  }
  assertXmlText(value, `placetel.${builder}: number`);
  return value;
}

/**
 * A ring time: whole **seconds** from `min` to `max`. Its message shows a refused number as
 * `String` does (`got 30`, `got NaN`), unlike the kit's {@link AnswerKit.wholeNumber}; any
 * other value as {@link show} does (`String` throws for some, e.g. `Object.create(null)`).
 */
function ringtimeWithin({ min, max }: { readonly min: number; readonly max: number }): Convert {
  return (builder, name, value) => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
      return String(value);
    }
    throw invalid(
      builder,
      `${name} must be a whole number of seconds from ${min} to ${max}, got ${typeof value === 'number' ? String(value) : show(value)}`,
    );
  };
}

/**
 * The builder's converter of a grammar value type (`grammar.ts`): an id ({@link id}), a flag, a
 * ring time ({@link ringtimeWithin}), one of an enum.
 */
function convertOf(type: GrammarValue): Convert {
  if (type === PLACETEL_ID) return id;
  switch (type.kind) {
    case 'boolean':
      return flag;
    case 'integer':
      return ringtimeWithin({ min: type.min, max: type.max ?? Number.MAX_SAFE_INTEGER });
    case 'enum':
      return oneOf(...type.values);
    default:
      throw new TypeError(`placetel grammar: no builder converter for ${type.kind}`);
  }
}

/**
 * The option specs of an element, read from the grammar (`PLACETEL_GRAMMAR`), in the order they
 * are written.
 */
function attributesOf(element: PlacetelElementName): readonly AttributeSpec[] {
  return PLACETEL_GRAMMAR[element].attributes.map((fact): AttributeSpec =>
    fact.required === true
      ? [fact.option, fact.name, convertOf(fact.value), 'required']
      : [fact.option, fact.name, convertOf(fact.value)],
  );
}

const FORWARD_ATTRIBUTES = attributesOf('Forward');
const GROUP_ATTRIBUTES = attributesOf('Group');
const TARGET_ATTRIBUTES = attributesOf('Target');

/**
 * `<Forward>`: ring targets one after another; the numbers of one target ring together.
 *
 * @example
 * ```ts
 * placetel.forward({
 *   targets: [
 *     { ringtime: 30, numbers: ['7777abcdefg@fpbx.de', '022129191999'] },
 *     { ringtime: 45, numbers: ['022199998560'] },
 *   ],
 *   voicemail: true,
 * });
 * ```
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an empty number list, a number that is
 *   not a non-empty string, a ring time outside 1–3600 s, an invalid id, or no targets with
 *   `voicemail: false` (the call would have nowhere to go)
 */
export function forward(options: PlacetelForwardOptions = {}): PlacetelAnswer<'Forward'> {
  checkKeys('forward', options, ['targets', ...optionsOf(FORWARD_ATTRIBUTES)]);
  const targets = options.targets ?? [];
  if (!Array.isArray(targets)) throw invalid('forward', 'targets must be an array');
  const nowhere = forwardRule(options.voicemail === false ? 'false' : undefined, targets.length);
  if (nowhere !== undefined) throw invalid('forward', nowhere.builder);
  const attributes = attributesFrom('forward', options, FORWARD_ATTRIBUTES);
  const children = targets.map((target: PlacetelTarget, index): XmlElement => {
    checkKeys('forward', target, ['numbers', ...optionsOf(TARGET_ATTRIBUTES)]);
    const numbers: unknown = target.numbers;
    const broken = childrenRule('Target', Array.isArray(numbers) ? numbers.length : 0);
    if (!Array.isArray(numbers) || broken !== undefined) {
      throw invalid(
        'forward',
        `targets[${index}].${broken?.builder ?? 'numbers must list at least one number'}`,
      );
    }
    return {
      name: 'Target',
      attributes: attributesFrom('forward', target, TARGET_ATTRIBUTES),
      children: target.numbers.map((number) => ({
        name: 'Number',
        children: [phoneNumber('forward', number)],
      })),
    };
  });
  return new PlacetelAnswer('Forward', { name: 'Forward', attributes, children });
}

/**
 * `<Reject>`: refuse the call; with `{ reason: 'busy' }` the caller hears busy.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a reason other than `'busy'`
 */
export function reject(options: PlacetelRejectOptions = {}): PlacetelAnswer<'Reject'> {
  checkKeys('reject', options, ['reason']);
  const attributes: Record<string, string> = {};
  if (options.reason !== undefined) {
    const reasons: readonly string[] = PLACETEL_REJECT_REASON.values;
    // the grammar's only reason, with the builders' own message
    if (typeof options.reason !== 'string' || !reasons.includes(options.reason)) {
      throw invalid(
        'reject',
        `reason must be "busy" (the only documented reason), got ${show(options.reason)}`,
      );
    }
    attributes['reason'] = options.reason;
  }
  return new PlacetelAnswer('Reject', { name: 'Reject', attributes });
}

/** `<Hangup>`: end the call normally. */
export function hangup(): PlacetelAnswer<'Hangup'> {
  return new PlacetelAnswer('Hangup', { name: 'Hangup' });
}

/**
 * `<Queue id>`: send the call to a Contact Center queue (needs the Contact Center option).
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an invalid id
 */
export function queue(options: PlacetelQueueOptions): PlacetelAnswer<'Queue'> {
  checkKeys('queue', options, ['id', 'legacyQueueId']);
  if (options.legacyQueueId !== undefined) flag('queue', 'legacyQueueId', options.legacyQueueId);
  // `id`, or the legacy `queue_id` (spec §3.3, §8.6): the grammar's requireOneOf
  const [current, legacy] = PLACETEL_GRAMMAR.Queue.requireOneOf ?? [];
  const attribute = (options.legacyQueueId === true ? legacy : current) ?? 'id';
  return new PlacetelAnswer('Queue', {
    name: 'Queue',
    attributes: { [attribute]: id('queue', 'id', options.id) },
  });
}

/**
 * `<Prompt id>`: play a prompt, then hang up.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an invalid id
 */
export function prompt(options: PlacetelPromptOptions): PlacetelAnswer<'Prompt'> {
  checkKeys('prompt', options, ['id']);
  return new PlacetelAnswer('Prompt', {
    name: 'Prompt',
    attributes: { id: id('prompt', 'id', options.id) },
  });
}

/**
 * `<Group>`: ring a group; when nobody answers within `ringtime` seconds, the backup takes
 * over (the group's mailbox, or a routing object).
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a ring time outside 10–60 s, an unknown
 *   backup behaviour, `backupRoutingObject` without `backupBehaviour: 'routing_object'` or the
 *   other way round, or an invalid id
 */
export function group(options: PlacetelGroupOptions): PlacetelAnswer<'Group'> {
  checkKeys('group', options, optionsOf(GROUP_ATTRIBUTES));
  const attributes = attributesFrom('group', options, GROUP_ATTRIBUTES);
  const broken = groupBackupRule(
    attributes['backup_behaviour'],
    attributes['backup_routing_object'] !== undefined,
  );
  if (broken !== undefined) throw invalid('group', broken.builder);
  return new PlacetelAnswer('Group', { name: 'Group', attributes });
}

/**
 * `<RoutingPlan id>`: hand the call to a routing plan. "If no routing object is active, the
 * call will be ended" — unless a `fallback` {@link forward} is given, which then applies.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an invalid id or a fallback that is
 *   not a `forward()` answer
 */
export function routingPlan(options: PlacetelRoutingPlanOptions): PlacetelAnswer<'RoutingPlan'> {
  checkKeys('routingPlan', options, ['id', 'fallback']);
  const attributes = { id: id('routingPlan', 'id', options.id) };
  const fallback: unknown = options.fallback;
  if (fallback === undefined) {
    return new PlacetelAnswer('RoutingPlan', { name: 'RoutingPlan', attributes });
  }
  if (
    !(fallback instanceof PlacetelAnswer) ||
    !PLACETEL_GRAMMAR.RoutingPlan.children.includes(fallback.action)
  ) {
    throw invalid('routingPlan', 'fallback must be an answer built with placetel.forward()');
  }
  const broken = childrenRule('RoutingPlan', 1);
  if (broken !== undefined) throw invalid('routingPlan', broken.builder);
  return new PlacetelAnswer('RoutingPlan', {
    name: 'RoutingPlan',
    attributes,
    children: [fallback.element],
  });
}

/** Whether `value` is an answer built by these builders. */
export function isPlacetelAnswer(value: unknown): value is PlacetelAnswer {
  return value instanceof PlacetelAnswer;
}

/**
 * Renders the answer document Placetel reads: `<?xml version="1.0" encoding="UTF-8"?>` and
 * `<Response>` holding the answer's action, or the empty `<Response/>` (the neutral answer,
 * an acknowledgement) when `answer` is undefined.
 */
export function renderPlacetelResponse(answer?: PlacetelAnswer): string {
  return renderXml({ name: 'Response', children: answer === undefined ? [] : [answer.element] });
}
