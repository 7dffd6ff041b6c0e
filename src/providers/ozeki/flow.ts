/**
 * Ozeki's support of provider-neutral call flows (`src/flow/contract.ts`): its notifications
 * made neutral, and neutral answers compiled into OzML of API-extension control with its own
 * builders (`ozml.ts`), so that every check of the builders applies.
 *
 * A flow answers the `IncomingCall` of an API extension (`docs/providers/ozeki.md` §3.1);
 * a `gather` is a `<UserInput>` whose `ForwardToUrl` is the URL the `IncomingCall` came to, so
 * that the digits come back to the same app as a `DtmfEntered` notification (§5.6), with the
 * gather's step in the query parameter {@link OZEKI_FLOW_STEP}. Call states come from
 * `CallChanged` (third-party call control, §3.2).
 *
 * @module
 */
import { CallControlError } from '../../core/errors';
import type {
  FlowAnswer,
  FlowCompileContext,
  FlowEvent,
  FlowHangupCause,
  FlowNumber,
  FlowVerb,
  ProviderFlow,
} from '../../flow/contract';
import type { OZEKI_CALL_STATES, OzekiEvent, OzekiUnknownEvent } from './events';
import { OZEKI_DIGIT_COUNT, OZEKI_LANGUAGE, OZEKI_SECONDS } from './grammar';
import {
  blindTransfer,
  hangup,
  play,
  record,
  reject,
  response,
  speak,
  userInput,
  type OzmlCommand,
  type OzmlResponse,
} from './ozml';

const REFERENCE = 'docs/providers/ozeki.md';

/**
 * The query parameter of a gather's `ForwardToUrl` that names its step (`gather({ step })`);
 * the `DtmfEntered` it brings back has it in `query` (`FlowDigits.step`).
 */
export const OZEKI_FLOW_STEP = 'flowStep';

/**
 * The neutral cause of each `CallState` that ends a call (spec §3.2): `Completed` (someone
 * hung up) is `completed`, `Busy` (busy pressed, or the ringing timed out) `busy`, `Cancelled`
 * (the caller gave up while ringing) `canceled`, `Error` `failed`. The other states do not end
 * a call.
 */
export const OZEKI_FLOW_CAUSES: Readonly<Record<string, FlowHangupCause>> = {
  Completed: 'completed',
  Busy: 'busy',
  Cancelled: 'canceled',
  Error: 'failed',
} satisfies Partial<Record<(typeof OZEKI_CALL_STATES)[number], FlowHangupCause>>;

/** The fields of a notification that the gather's `ForwardToUrl` does not repeat (GET ones). */
const NOTIFICATION_FIELDS = new Set(
  ['NotificationName', 'CallId', 'CallerId', 'CallerDisplayName', 'ApiExtension', 'DtmfDigits']
    .concat(OZEKI_FLOW_STEP)
    .map((name) => name.toLowerCase()),
);

function refused(verb: FlowVerb | string, why: string): CallControlError {
  return new CallControlError('CC_ERR_ANSWER_INVALID', `ozeki cannot express ${verb}: ${why}`);
}

/** Words for a whole-number value type of the grammar, e.g. `whole seconds ≥ 0`. */
function range(value: typeof OZEKI_SECONDS): string {
  if (value.kind !== 'integer') return value.kind;
  return value.max === undefined
    ? `whole ${value.unit} ≥ ${value.min}`
    : `whole ${value.unit} ${value.min}–${value.max}`;
}

/** The URL the digits of a gather go to: the request's URL, its notification fields left out. */
function forwardToUrl(requestUrl: string | undefined, step: string | undefined): string {
  if (requestUrl === undefined) {
    throw refused(
      'gather',
      'the public URL of the request answered is unknown, and <UserInput ForwardToUrl> needs it (give the app its publicUrl)',
    );
  }
  const url = new URL(requestUrl);
  for (const name of [...url.searchParams.keys()]) {
    if (NOTIFICATION_FIELDS.has(name.toLowerCase())) url.searchParams.delete(name);
  }
  if (step !== undefined) url.searchParams.set(OZEKI_FLOW_STEP, step);
  return url.href;
}

/** The OzML command of one neutral answer. */
function compileOne(answer: FlowAnswer, context: FlowCompileContext): OzmlCommand {
  switch (answer.verb) {
    case 'forward': {
      const [target, ...more] = answer.targets;
      if (target === undefined || more.length > 0) {
        throw refused(
          'forward',
          `<BlindTransfer> takes exactly one target, got ${answer.targets.length} (${REFERENCE} §5.9)`,
        );
      }
      if (answer.ringTimeSeconds !== undefined) {
        throw refused('forward', `<BlindTransfer> has no ring time (${REFERENCE} §5.9)`);
      }
      if (answer.callerId !== undefined) {
        throw refused('forward', `<BlindTransfer> sets no caller id (${REFERENCE} §5.9)`);
      }
      return blindTransfer(target);
    }
    case 'reject':
      // one <Reject> for both: the phone is not picked up, no reason is given (spec §5.5)
      return reject();
    case 'hangup':
      return hangup();
    case 'say':
      return speak(answer.text, answer.language === undefined ? {} : { language: answer.language });
    case 'play':
      return play(answer.url);
    case 'gather': {
      const prompt = answer.prompt === undefined ? [] : [compileOne(answer.prompt, context)];
      return userInput({
        forwardToUrl: forwardToUrl(context.requestUrl, answer.step),
        digits: answer.maxDigits ?? 1,
        ...(answer.timeoutSeconds === undefined ? {} : { timeout: answer.timeoutSeconds }),
        ...(prompt.length === 0 ? {} : { initialCommands: prompt }),
      });
    }
    case 'record':
      return record(
        answer.maxLengthSeconds === undefined ? {} : { duration: answer.maxLengthSeconds },
      );
    default: {
      const capability: { readonly supported: boolean; readonly reason?: string } =
        ozekiFlow.verbs[answer.verb];
      throw refused(answer.verb, capability.reason ?? 'no compiler');
    }
  }
}

function field(event: OzekiEvent | OzekiUnknownEvent, name: string): string | undefined {
  const value: unknown = (event as unknown as Partial<Record<string, unknown>>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Ozeki's flow support: `IncomingCall` (a call to an API extension) is `incoming`, `CallChanged`
 * with `CallState` `Answered` is `answered` and with `Completed`, `Busy`, `Cancelled` or `Error`
 * `ended`, `DtmfEntered` (a gather's `ForwardToUrl`) `digits`.
 */
export const ozekiFlow = {
  events: {
    incoming: ['IncomingCall'],
    answered: ['CallChanged'],
    ended: ['CallChanged'],
    digits: ['DtmfEntered'],
  },

  toFlowEvent(
    event: OzekiEvent | OzekiUnknownEvent,
    normalize: (raw: string) => FlowNumber,
  ): FlowEvent | undefined {
    const base = {
      provider: 'ozeki',
      callId: event.callId,
      from: normalize(event.from),
      to: normalize(event.to),
      // a call to an API extension comes in; the other notifications do not say (spec §3.2)
      direction: event.name === 'IncomingCall' ? 'inbound' : 'unknown',
      raw: event,
    } as const;
    switch (event.name) {
      case 'IncomingCall':
        return { ...base, name: 'incoming' };
      case 'DtmfEntered':
        return {
          ...base,
          name: 'digits',
          digits: field(event, 'dtmfDigits') ?? '',
          step: event.query[OZEKI_FLOW_STEP],
        };
      case 'CallChanged': {
        const state = field(event, 'callState');
        if (state === 'Answered') return { ...base, name: 'answered' };
        const cause = state !== undefined && Object.hasOwn(OZEKI_FLOW_CAUSES, state);
        if (!cause) return undefined;
        return {
          ...base,
          name: 'ended',
          cause: OZEKI_FLOW_CAUSES[state] ?? 'unknown',
          providerCause: state,
          // CallChanged reports no duration (spec §3.2)
          durationSeconds: undefined,
          // Busy and Cancelled end a call that rang and was not answered
          answered: state === 'Busy' || state === 'Cancelled' ? false : undefined,
        };
      }
      default:
        return undefined;
    }
  },

  verbs: {
    forward: {
      supported: true,
      as: '<BlindTransfer>',
      limits: 'exactly one target; no ring time; no caller id',
    },
    reject: {
      supported: true,
      as: '<Reject> (busy and rejected alike)',
      limits: 'only as the first command',
    },
    hangup: { supported: true, as: '<Hangup>' },
    say: {
      supported: true,
      as: '<Speak Language>',
      limits: `language: ${OZEKI_LANGUAGE.kind === 'pattern' ? OZEKI_LANGUAGE.what : 'any'}, from the TTS packages installed`,
    },
    play: { supported: true, as: '<Play>', limits: 'a wav or mp3 file' },
    gather: {
      supported: true,
      as: '<UserInput ForwardToUrl Digits Timeout><InitialCommands>',
      limits: `waits for exactly maxDigits digits (${range(OZEKI_DIGIT_COUNT)}); timeout ${range(OZEKI_SECONDS)}; the digits come back as DtmfEntered to the URL the call came to`,
    },
    queue: {
      supported: false,
      reason: `OzML has no queue command (${REFERENCE} §5)`,
    },
    voicemail: {
      supported: false,
      reason: `OzML has no voicemail command (${REFERENCE} §5)`,
    },
    record: {
      supported: true,
      as: '<Record Duration>',
      limits: `longest recording ${range(OZEKI_SECONDS)}`,
    },
  },

  compile(answers: readonly FlowAnswer[], context: FlowCompileContext): OzmlResponse {
    if (answers.length === 0) {
      throw new CallControlError('CC_ERR_ANSWER_INVALID', 'ozeki: a flow answer needs a verb');
    }
    // the sequence is checked as API-extension OzML (e.g. Reject only first, spec §5.5)
    return response(
      answers.map((answer) => compileOne(answer, context)),
      { control: 'extension' },
    );
  },
} satisfies ProviderFlow<
  OzekiEvent | OzekiUnknownEvent,
  OzmlResponse,
  'forward' | 'reject' | 'hangup' | 'say' | 'play' | 'gather' | 'record'
>;
