/**
 * Opentact's support of provider-neutral call flows (`src/flow/contract.ts`): its call-flow
 * requests, `<Gather url>` follow-ups and `call_state` events made neutral, and neutral answers
 * compiled into Opentact XML with its own builders (`xml.ts`), so that every check of the
 * builders applies.
 *
 * A flow answers the call-flow request of a new call (`docs/providers/opentact.md` §2.2); the
 * media verbs of that first answer are preceded by `<Answer/>`, as the documented answers are
 * (§2.3). A `gather` is a `<Gather url>` whose URL is the one the request came to, so that the
 * digits come back to the same app (§2.4), with the gather's step in the query parameter
 * {@link OPENTACT_FLOW_STEP}.
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
import type { GrammarValue } from '../../validate/grammar';
import type { OpentactEvent, OpentactUnknownEvent } from './events';
import { OPENTACT_DIGITS, OPENTACT_LANGUAGE, OPENTACT_MILLISECONDS } from './grammar';
import {
  answer as answerCall,
  dial,
  gather,
  hangup,
  play,
  record,
  response,
  say,
  type OpentactCommand,
  type OpentactResponse,
} from './xml';

const REFERENCE = 'docs/providers/opentact.md';

/**
 * The query parameter of a gather's `url` that names its step (`gather({ step })`); the
 * `gather` request it brings back has it in `query` (`FlowDigits.step`).
 */
export const OPENTACT_FLOW_STEP = 'flowStep';

/**
 * The neutral cause of a call's Q.850 cause (`call.q850_cause_string`, spec §4.2; the ITU-T
 * Q.850 names as FreeSWITCH spells them): a normal clearing is `completed`, a busy user `busy`,
 * no response or no answer `no-answer`, a rejected call `rejected`, the caller's cancel
 * `canceled`; numbers that do not exist, routes and failures `failed`.
 */
export const OPENTACT_FLOW_CAUSES: Readonly<Record<string, FlowHangupCause>> = {
  NORMAL_CLEARING: 'completed',
  USER_BUSY: 'busy',
  NO_USER_RESPONSE: 'no-answer',
  NO_ANSWER: 'no-answer',
  CALL_REJECTED: 'rejected',
  ORIGINATOR_CANCEL: 'canceled',
  UNALLOCATED_NUMBER: 'failed',
  NO_ROUTE_DESTINATION: 'failed',
  DESTINATION_OUT_OF_ORDER: 'failed',
  NORMAL_TEMPORARY_FAILURE: 'failed',
  RECOVERY_ON_TIMER_EXPIRE: 'failed',
};

/** The fields Opentact puts in the query of its requests (spec §2.2, §2.4, §4.1). */
const OPENTACT_QUERY_FIELDS = new Set([
  'from',
  'to',
  'dtmf',
  'tn',
  'state',
  'sca',
  'call',
  'code',
  'success',
  'attempts',
  OPENTACT_FLOW_STEP,
]);

/** The verbs the caller hears: the first answer picks the call up before them. */
const MEDIA_VERBS: ReadonlySet<FlowVerb> = new Set(['say', 'play', 'gather', 'record']);

function refused(verb: FlowVerb | string, why: string): CallControlError {
  return new CallControlError('CC_ERR_ANSWER_INVALID', `opentact cannot express ${verb}: ${why}`);
}

/** Words for a whole-number value type of the grammar, e.g. `whole milliseconds ≥ 0`. */
function range(value: GrammarValue): string {
  if (value.kind !== 'integer') return value.kind;
  return value.max === undefined
    ? `whole ${value.unit} ≥ ${value.min}`
    : `whole ${value.unit} ${value.min}–${value.max}`;
}

/** The URL the digits of a gather go to: the request's URL without Opentact's own fields. */
function gatherUrl(requestUrl: string | undefined, step: string | undefined): string {
  if (requestUrl === undefined) {
    throw refused(
      'gather',
      'the public URL of the request answered is unknown, and <Gather url> needs it (give the app its publicUrl)',
    );
  }
  const url = new URL(requestUrl);
  for (const name of [...url.searchParams.keys()]) {
    if (OPENTACT_QUERY_FIELDS.has(name)) url.searchParams.delete(name);
  }
  if (step !== undefined) url.searchParams.set(OPENTACT_FLOW_STEP, step);
  return url.href;
}

/** The Opentact command of one neutral answer. */
function compileOne(answer: FlowAnswer, context: FlowCompileContext): OpentactCommand {
  switch (answer.verb) {
    case 'forward':
      if (answer.ringTimeSeconds !== undefined) {
        throw refused(
          'forward',
          `<Dial> has no documented ring time (a third party's timeout has no documented unit; ${REFERENCE} §3.2, §7)`,
        );
      }
      if (answer.callerId !== undefined) {
        throw refused('forward', `<Dial> has no caller id attribute (${REFERENCE} §3.2)`);
      }
      return dial(answer.targets);
    case 'hangup':
      return hangup();
    case 'say':
      return say(answer.text, answer.language === undefined ? {} : { lang: answer.language });
    case 'play':
      return play(answer.url);
    case 'gather': {
      if (answer.timeoutSeconds !== undefined) {
        throw refused(
          'gather',
          `the <Gather url> form has no timeout (only the older callback form has; ${REFERENCE} §3.2)`,
        );
      }
      const prompt = answer.prompt === undefined ? [] : [compileOne(answer.prompt, context)];
      return gather({
        url: gatherUrl(context.requestUrl, answer.step),
        dtmfLength: answer.maxDigits ?? 1,
        ...(prompt.length === 0 ? {} : { prompt }),
      });
    }
    case 'record':
      // `timeout` is in milliseconds (spec §3.1); the neutral length is in seconds
      return record(
        answer.maxLengthSeconds === undefined ? {} : { timeoutMs: answer.maxLengthSeconds * 1000 },
      );
    default: {
      const capability: { readonly supported: boolean; readonly reason?: string } =
        opentactFlow.verbs[answer.verb];
      throw refused(answer.verb, capability.reason ?? 'no compiler');
    }
  }
}

function directionOf(direction: string | undefined): 'inbound' | 'outbound' | 'unknown' {
  if (direction === 'in') return 'inbound';
  if (direction === 'out') return 'outbound';
  return 'unknown';
}

/**
 * Opentact's flow support: a call-flow request (`call_flow_request`) is `incoming`, a
 * `call_state` of state `live` is `answered` and of state `destroyed` (the call's last state,
 * spec §4.2) `ended` — not those of a leg the call dialled (`call.parent`, spec §4.3) —, a
 * `<Gather url>` follow-up (`gather`) `digits`.
 */
export const opentactFlow = {
  events: {
    incoming: ['call_flow_request'],
    answered: ['call_state'],
    ended: ['call_state'],
    digits: ['gather'],
  },

  toFlowEvent(
    event: OpentactEvent | OpentactUnknownEvent,
    normalize: (raw: string) => FlowNumber,
  ): FlowEvent | undefined {
    const known = event as OpentactEvent;
    const call = 'call' in known ? known.call : undefined;
    const base = {
      provider: 'opentact',
      callId: event.callId,
      from: normalize(event.from),
      to: normalize(event.to),
      direction: directionOf(call?.direction),
      raw: event,
    } as const;
    switch (known.name) {
      case 'call_flow_request':
        // Opentact asks for the flow of a call that comes in (spec §2)
        return { ...base, name: 'incoming', direction: 'inbound' };
      case 'gather':
        return {
          ...base,
          name: 'digits',
          digits: known.dtmf,
          step: known.query[OPENTACT_FLOW_STEP],
        };
      case 'call_state': {
        // a leg dialled by the call (`call.parent`) is part of it, not a call of its own
        if (known.call?.parentId !== undefined) return undefined;
        if (known.state === 'live') return { ...base, name: 'answered' };
        if (known.state !== 'destroyed') return undefined;
        const cause = known.q850CauseString;
        const mapped = cause !== undefined && Object.hasOwn(OPENTACT_FLOW_CAUSES, cause);
        return {
          ...base,
          name: 'ended',
          cause: (mapped ? OPENTACT_FLOW_CAUSES[cause] : undefined) ?? 'unknown',
          providerCause:
            cause ?? (known.q850Cause === undefined ? undefined : String(known.q850Cause)),
          // `payload.duration`, in seconds (spec §4.2)
          durationSeconds: known.duration,
          // `call.answer_on`: when the call was answered (spec §4.3)
          answered: known.raw['call.answer_on'] === undefined ? undefined : true,
        };
      }
      default:
        return undefined;
    }
  },

  verbs: {
    forward: {
      supported: true,
      as: '<Dial><To>',
      limits: 'the targets ring at once; no ring time; no caller id',
    },
    reject: {
      supported: false,
      reason: `Opentact XML has no verb that refuses a call with a reason (busy or rejected); <Hangup> takes only a tag (${REFERENCE} §3.2)`,
    },
    hangup: { supported: true, as: '<Hangup/>' },
    say: {
      supported: true,
      as: '<Say lang>',
      limits: `language: ${OPENTACT_LANGUAGE.kind === 'pattern' ? OPENTACT_LANGUAGE.what : 'any'}`,
    },
    play: { supported: true, as: '<Play>', limits: 'an mp3 or wav file by http(s) URL' },
    gather: {
      supported: true,
      as: '<Gather url dtmf_length>',
      limits: `maxDigits ${range(OPENTACT_DIGITS)}; no timeout; the digits come back to the URL the call flow was asked from`,
    },
    queue: {
      supported: false,
      reason: `Opentact XML has no queue verb (${REFERENCE} §3.2)`,
    },
    voicemail: {
      supported: false,
      reason: `Opentact XML has no voicemail verb (${REFERENCE} §3.2)`,
    },
    record: {
      supported: true,
      as: '<Record timeout>',
      limits: `longest recording ${range(OPENTACT_MILLISECONDS)}, given in seconds`,
    },
  },

  compile(answers: readonly FlowAnswer[], context: FlowCompileContext): OpentactResponse {
    if (answers.length === 0) {
      throw new CallControlError('CC_ERR_ANSWER_INVALID', 'opentact: a flow answer needs a verb');
    }
    const commands = answers.map((answer) => compileOne(answer, context));
    // the first answer of a call picks it up before the caller hears anything (spec §2.3)
    const first = answers.findIndex((answer) => MEDIA_VERBS.has(answer.verb));
    if (context.flowEvent.name === 'incoming' && first >= 0) {
      commands.splice(first, 0, answerCall());
    }
    return response(commands);
  },
} satisfies ProviderFlow<
  OpentactEvent | OpentactUnknownEvent,
  OpentactResponse,
  'forward' | 'hangup' | 'say' | 'play' | 'gather' | 'record'
>;
