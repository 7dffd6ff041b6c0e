/**
 * Provider-neutral call flows (`src/flow/contract.ts`) for the TwiML family — Twilio TwiML,
 * Telnyx TeXML, SignalWire cXML —, written once: their requests made neutral, and the neutral
 * answers compiled with the provider's own builders (so every check of the grammar applies),
 * each capability's limits read from the grammar of the provider's dialect (`grammar.ts`).
 *
 * - `incoming` is the voice request (instruction fetch); `answered` and `ended` are status
 *   callbacks (`CallStatus` `in-progress`, and the final ones), which the provider sends to the
 *   status callback URL configured for the number or application — point it at the app's mount.
 * - `digits` arrive at the app's named action {@link TWIML_FLOW_ACTION} (`<mount>/actions/flow`),
 *   where a compiled `<Gather>` posts them: the app declares it
 *   (`createApp({ actions: ['flow'] })`) and the flow handles it (`on('action:flow', …)`).
 *
 * @module
 */
import { CallControlError } from '../../core/errors';
import type {
  FlowAnswer,
  FlowCapability,
  FlowCompileContext,
  FlowEvent,
  FlowHangupCause,
  FlowNumber,
  FlowVerb,
  ProviderFlow,
} from '../../flow/contract';
import { actionEventName, TwimlApp } from './actions';
import type { TwimlActionRef, TwimlBuilders, TwimlNode, TwimlResponse } from './builders';
import {
  attributesIn,
  TWIML_ELEMENTS,
  type TwimlDialect,
  type TwimlElementFact,
  type TwimlValue,
} from './grammar';
import type { TwimlEvent } from './requests';

/** The named action a compiled `<Gather>` posts its digits to. */
export const TWIML_FLOW_ACTION = 'flow';

/** The query parameter of the gather's action URL that names its step. */
export const TWIML_FLOW_STEP = 'step';

/** The neutral verbs every TwiML dialect can express (all but `voicemail`). */
export type TwimlFlowVerb = Exclude<FlowVerb, 'voicemail'>;

/**
 * The builders a flow compiles with — the provider's own (`twilioBuilders`, `texml`, `cxml`) —
 * seen through the options every dialect shares.
 */
interface FlowBuilders<P extends string> {
  response(...verbs: TwimlNode<P>[]): TwimlResponse<P>;
  dial(options?: object, ...content: TwimlNode<P>[]): TwimlNode<P>;
  number(options?: object, ...content: string[]): TwimlNode<P>;
  sip(options?: object, ...content: string[]): TwimlNode<P>;
  reject(options?: object): TwimlNode<P>;
  hangup(options?: object): TwimlNode<P>;
  say(options?: object, ...content: string[]): TwimlNode<P>;
  play(options?: object, ...content: string[]): TwimlNode<P>;
  gather(options?: object, ...content: TwimlNode<P>[]): TwimlNode<P>;
  enqueue(options?: object, ...content: string[]): TwimlNode<P>;
  record(options?: object): TwimlNode<P>;
}

/** What one TwiML provider's flow support is made of. */
export interface TwimlFlowOptions<P extends string, D extends TwimlDialect = TwimlDialect> {
  /** The provider id, e.g. `'twilio'`. */
  readonly provider: P;
  /** Its name for people, e.g. `'Twilio'`. */
  readonly title: string;
  /** Its dialect. */
  readonly dialect: D;
  /** Its builders (`twimlBuilders(dialect, provider)`, as the provider exports them). */
  readonly builders: TwimlBuilders<P, D>;
  /** The section of its reference that lists its verbs (for the reason `voicemail` is missing). */
  readonly verbsSpec: string;
}

/** The options as the compiler reads them (the builders seen as {@link FlowBuilders}). */
interface FlowParts<P extends string> {
  readonly provider: P;
  readonly title: string;
  readonly dialect: TwimlDialect;
  readonly builders: FlowBuilders<P>;
  readonly verbsSpec: string;
}

/**
 * The neutral cause of a final `CallStatus` (docs/providers/twilio.md §2.2): `completed`,
 * `busy`, `no-answer`, `failed` and `canceled` are the neutral causes of the same names.
 */
export const TWIML_FLOW_CAUSES: Readonly<Record<string, FlowHangupCause>> = {
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no-answer',
  failed: 'failed',
  canceled: 'canceled',
};

/** The neutral cause of a `CallStatus`; `unknown` for another. */
export function twimlFlowCause(status: string | undefined): FlowHangupCause {
  return status !== undefined && Object.prototype.hasOwnProperty.call(TWIML_FLOW_CAUSES, status)
    ? (TWIML_FLOW_CAUSES[status] as FlowHangupCause)
    : 'unknown';
}

/** `inbound` → inbound, `outbound-api` / `outbound-dial` / `outbound` → outbound. */
function directionOf(direction: string | undefined): FlowEvent['direction'] {
  if (direction === 'inbound') return 'inbound';
  if (direction !== undefined && direction.startsWith('outbound')) return 'outbound';
  return 'unknown';
}

/** The value type of `element`'s attribute `option` in `dialect` (from the grammar). */
function valueOf(element: TwimlElementFact, option: string, dialect: TwimlDialect): TwimlValue {
  const attribute = attributesIn(element, dialect).find((fact) => fact.option === option);
  if (attribute === undefined) {
    throw new TypeError(`twiml grammar: <${element.name}> has no ${option} in ${dialect}`);
  }
  return attribute.value;
}

/** A whole-number value type in words, e.g. `1–600 seconds`, `≥ 2 seconds (greater than 1)`. */
export function twimlRangeText(value: TwimlValue): string {
  if (value.kind !== 'integer') return value.kind;
  const range =
    value.max === undefined
      ? `≥ ${value.min} ${value.unit}`
      : `${value.min}–${value.max} ${value.unit}`;
  return 'note' in value && typeof value.note === 'string' ? `${range} (${value.note})` : range;
}

const ELEMENTS: Readonly<Record<string, TwimlElementFact>> = TWIML_ELEMENTS;

/** Per neutral verb: the dialect's capability, with its limits read from the grammar. */
function capabilitiesOf(
  options: FlowParts<string>,
): ProviderFlow<unknown, unknown, TwimlFlowVerb>['verbs'] {
  const { dialect } = options;
  const dial = ELEMENTS['Dial'] as TwimlElementFact;
  const gather = ELEMENTS['Gather'] as TwimlElementFact;
  const record = ELEMENTS['Record'] as TwimlElementFact;
  return {
    forward: {
      supported: true,
      as: '<Dial><Number>/<Sip>',
      limits: `ring time (timeout) ${twimlRangeText(valueOf(dial, 'timeout', dialect))}; at most ${dial.limit?.max ?? 1} targets`,
    },
    reject: { supported: true, as: '<Reject reason>' },
    hangup: { supported: true, as: '<Hangup>' },
    say: { supported: true, as: '<Say language>' },
    play: { supported: true, as: '<Play>' },
    gather: {
      supported: true,
      as: `<Gather action numDigits timeout> (to the action "${TWIML_FLOW_ACTION}")`,
      limits: `timeout ${twimlRangeText(valueOf(gather, 'timeout', dialect))}; numDigits ${twimlRangeText(valueOf(gather, 'numDigits', dialect))}; the app declares the action "${TWIML_FLOW_ACTION}"`,
    },
    queue: { supported: true, as: '<Enqueue>' },
    voicemail: {
      supported: false,
      reason: `${options.title}'s ${dialect === 'twilio' ? 'TwiML' : dialect === 'telnyx' ? 'TeXML' : 'cXML'} has no voicemail of the number called: a mailbox is the app's own <Say> and <Record> (${options.verbsSpec})`,
    },
    record: {
      supported: true,
      as: '<Record maxLength>',
      limits: `maxLength ${twimlRangeText(valueOf(record, 'maxLength', dialect))}`,
    },
  };
}

/** The neutral event of a TwiML request (see the module's description). */
function toTwimlFlowEvent<P extends string>(
  provider: P,
  event: TwimlEvent<P>,
  normalize: (raw: string) => FlowNumber,
): FlowEvent | undefined {
  const base = {
    provider,
    callId: event.callId,
    from: normalize(event.from),
    to: normalize(event.to),
    direction: directionOf('direction' in event ? event.direction : undefined),
    raw: event,
  } as const;
  if (event.action === TWIML_FLOW_ACTION && (event.name === 'gather' || event.name === 'voice')) {
    // a <Gather> with no input posts no Digits (a voice-shaped request): no digits
    return {
      ...base,
      name: 'digits',
      digits: event.name === 'gather' ? (event.digits ?? '') : '',
      step: event.actionQuery[TWIML_FLOW_STEP],
    };
  }
  switch (event.name) {
    case 'voice':
      return event.action === undefined ? { ...base, name: 'incoming' } : undefined;
    case 'gather':
      return { ...base, name: 'digits', digits: event.digits ?? '', step: undefined };
    case 'status-callback':
      if (event.statusEvent === 'answered') return { ...base, name: 'answered' };
      if (event.statusEvent !== 'completed') return undefined;
      return {
        ...base,
        name: 'ended',
        cause: twimlFlowCause(event.callStatus),
        providerCause: event.callStatus,
        durationSeconds: event.callDurationSeconds,
        answered: event.callStatus === 'completed',
      };
    default:
      return undefined;
  }
}

/** A `CC_ERR_ANSWER_INVALID` naming the provider and the verb. */
function refuse(provider: string, verb: string, message: string): CallControlError {
  return new CallControlError('CC_ERR_ANSWER_INVALID', `${provider} flow: ${verb}: ${message}`);
}

/** The app's reference to the flow's action, for a `<Gather action>`. */
function flowActionOf(provider: string, app: unknown, step: string | undefined): TwimlActionRef {
  if (!(app instanceof TwimlApp) || !app.actions.includes(TWIML_FLOW_ACTION)) {
    throw refuse(
      provider,
      'gather',
      `the digits are posted to the app's action "${TWIML_FLOW_ACTION}": declare it, ${provider}.createApp({ actions: ['${TWIML_FLOW_ACTION}'] })`,
    );
  }
  return app.actionUrl(
    TWIML_FLOW_ACTION,
    step === undefined ? undefined : { [TWIML_FLOW_STEP]: step },
  );
}

/** The verb(s) of one neutral answer, built with the provider's builders. */
function nodeOf<P extends string>(
  options: FlowParts<P>,
  answer: FlowAnswer,
  context: FlowCompileContext,
): TwimlNode<P> {
  const b = options.builders;
  switch (answer.verb) {
    case 'forward': {
      const targets = answer.targets.map((target) =>
        /^sips?:/i.test(target) ? b.sip({}, target) : b.number({}, target),
      );
      return b.dial(
        {
          ...(answer.ringTimeSeconds === undefined ? {} : { timeout: answer.ringTimeSeconds }),
          ...(answer.callerId === undefined ? {} : { callerId: answer.callerId }),
        },
        ...targets,
      );
    }
    case 'reject':
      return b.reject({ reason: answer.reason });
    case 'hangup':
      return b.hangup();
    case 'say':
      return b.say(answer.language === undefined ? {} : { language: answer.language }, answer.text);
    case 'play':
      return b.play({}, answer.url);
    case 'gather': {
      const prompt = answer.prompt === undefined ? [] : [nodeOf(options, answer.prompt, context)];
      return b.gather(
        {
          action: flowActionOf(options.provider, context.app, answer.step),
          numDigits: answer.maxDigits ?? 1,
          ...(answer.timeoutSeconds === undefined ? {} : { timeout: answer.timeoutSeconds }),
        },
        ...prompt,
      );
    }
    case 'queue':
      return b.enqueue({}, answer.queue);
    case 'record':
      return b.record(
        answer.maxLengthSeconds === undefined ? {} : { maxLength: answer.maxLengthSeconds },
      );
    case 'voicemail':
      throw refuse(options.provider, 'voicemail', 'not expressible');
  }
}

/**
 * A TwiML provider's flow support: a {@link ProviderFlow} of its events `TEvent` and answers
 * `TAnswer` that can express the verbs {@link TwimlFlowVerb}.
 */
export interface TwimlProviderFlow<TEvent, TAnswer> {
  /** `voice` → incoming, `status-callback` → answered and ended, `action:flow` → digits. */
  readonly events: ProviderFlow['events'];
  /** See `ProviderFlow.toFlowEvent`; `undefined` for a status callback of another state. */
  toFlowEvent(event: TEvent, normalize: (raw: string) => FlowNumber): FlowEvent | undefined;
  /** Every verb but `voicemail`, with the limits of the dialect's grammar. */
  readonly verbs: ProviderFlow<TEvent, TAnswer, TwimlFlowVerb>['verbs'];
  /**
   * The `<Response>` holding the answers' verbs in order, built with the provider's builders.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` naming provider and verb, see
   *   {@link twimlFlow}
   */
  compile(answers: readonly FlowAnswer[], context: FlowCompileContext): TAnswer;
  /**
   * Checks that the app is one of this provider's (its `createApp`).
   * @throws {TypeError} naming the provider otherwise
   */
  prepare(app: unknown): void;
}

/**
 * The flow support of one TwiML provider (see the module's description).
 *
 * @throws {TypeError} when the grammar lacks an attribute a capability is read from
 */
export function twimlFlow<P extends string, D extends TwimlDialect, TEvent, TAnswer>(
  options: TwimlFlowOptions<P, D>,
): TwimlProviderFlow<TEvent, TAnswer> {
  // the options used are the ones every dialect has (the grammar checks their values)
  const parts: FlowParts<P> = {
    ...options,
    builders: options.builders as unknown as FlowBuilders<P>,
  };
  const verbs = capabilitiesOf(parts);
  const { provider } = options;
  return {
    events: {
      incoming: ['voice'],
      answered: ['status-callback'],
      ended: ['status-callback'],
      digits: [actionEventName(TWIML_FLOW_ACTION)],
    },
    toFlowEvent(event: TEvent, normalize: (raw: string) => FlowNumber): FlowEvent | undefined {
      // the provider's events are the family's, plus kinds of its own (no neutral events)
      return toTwimlFlowEvent(provider, event as unknown as TwimlEvent<P>, normalize);
    },
    verbs,
    /**
     * The `<Response>` holding the answers' verbs in order.
     * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` naming provider and verb for
     *   `voicemail`, a `gather` on an app without the action "flow", or what the builders
     *   refuse (a ring time outside the dialect's range, more than 10 targets, …)
     */
    compile(answers: readonly FlowAnswer[], context: FlowCompileContext): TAnswer {
      const nodes = answers.map((answer) => {
        const capability: FlowCapability = verbs[answer.verb];
        if (!capability.supported) throw refuse(provider, answer.verb, capability.reason);
        try {
          return nodeOf(parts, answer, context);
        } catch (error) {
          if (error instanceof CallControlError && !error.message.startsWith(`${provider} flow:`)) {
            throw refuse(provider, answer.verb, error.message);
          }
          throw error;
        }
      });
      return parts.builders.response(...nodes) as TAnswer;
    },
    /**
     * Checks that `app` is a TwiML app of this provider (made by its `createApp`).
     * @throws {TypeError} naming the provider otherwise
     */
    prepare(app: unknown): void {
      if (!(app instanceof TwimlApp) || app.provider !== provider) {
        throw new TypeError(
          `${provider} flow: mount it on an app made by ${provider}.createApp(), got ${app instanceof TwimlApp ? `a ${app.provider} app` : typeof app}`,
        );
      }
    },
  };
}
