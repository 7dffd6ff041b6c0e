/**
 * VoipNow's support of provider-neutral call flows (`src/flow/contract.ts`): its Call Events
 * and Call Interactive requests made neutral, and neutral answers compiled into a Call
 * Interactive `<Response>` with its own builders (`responses.ts`), so that every check of the
 * builders applies.
 *
 * Only Call Interactive — an IVR action — executes an answer (`docs/providers/voipnow.md` §2);
 * the Call Events only notify (§1). Its verbs speak, pause, set IVR variables, play the IVR's
 * sounds by name, jump within the IVR and hang up: they forward, reject, queue, record and
 * play no recording by URL, and a digit reaches the app only as an IVR variable of a later
 * request the IVR is set up to make.
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
import type { VoipNowEvent } from './events';
import { hangup, playTts, response, type VoipNowCommand, type VoipNowResponse } from './responses';

const REFERENCE = 'docs/providers/voipnow.md';

/**
 * The neutral cause of a `Hangup`'s `CallStatus` (spec §1): `ANSWER` (the call was answered)
 * is `completed`; `UNKNOWN` says nothing more and stays `unknown`.
 */
export const VOIPNOW_FLOW_CAUSES: Readonly<Record<string, FlowHangupCause>> = {
  ANSWER: 'completed',
  UNKNOWN: 'unknown',
};

const NO_TRANSFER = `a Call Interactive answer has no verb that transfers the call (its verbs: Hangup, Pause, SetVar, PlaySound, Jump, SetCaller, PlayTTS; ${REFERENCE} §2)`;

function refused(verb: FlowVerb | string, why: string): CallControlError {
  return new CallControlError('CC_ERR_ANSWER_INVALID', `voipnow cannot express ${verb}: ${why}`);
}

function directionOf(callFlow: string | undefined): 'inbound' | 'outbound' | 'unknown' {
  if (callFlow === 'IN') return 'inbound';
  if (callFlow === 'OUT') return 'outbound';
  return 'unknown';
}

/** The VoipNow verb of one neutral answer. */
function compileOne(answer: FlowAnswer): VoipNowCommand {
  switch (answer.verb) {
    case 'hangup':
      return hangup();
    case 'say':
      if (answer.language !== undefined) {
        throw refused(
          'say',
          `<PlayTTS> takes no language, only a voice (${REFERENCE} §2), got language "${answer.language}"`,
        );
      }
      return playTts(answer.text);
    default: {
      const capability: { readonly supported: boolean; readonly reason?: string } =
        voipNowFlow.verbs[answer.verb];
      throw refused(answer.verb, capability.reason ?? 'no compiler');
    }
  }
}

/**
 * VoipNow's flow support: a Call Interactive request (`call_interactive`) is `incoming` — the
 * only request whose answer VoipNow executes —, the Call Events `Answer-In` and `Answer-Out`
 * are `answered`, `Hangup` is `ended`; there are no `digits`. `Dial-In` and `Dial-Out` only
 * notify (an answer to them would not run) and are no neutral events.
 */
export const voipNowFlow = {
  events: {
    incoming: ['call_interactive'],
    answered: ['Answer-In', 'Answer-Out'],
    ended: ['Hangup'],
    digits: {
      reason: `VoipNow sends no digits to the app that asked for them: <PlaySound digitvar> stores a key in an IVR variable, which only a later Call Interactive request set up in the IVR carries (${REFERENCE} §2)`,
    },
  },

  toFlowEvent(event: VoipNowEvent, normalize: (raw: string) => FlowNumber): FlowEvent | undefined {
    const base = {
      provider: 'voipnow',
      callId: event.callId,
      from: normalize(event.from),
      to: normalize(event.to),
      direction: directionOf(event.callFlow),
      raw: event,
    } as const;
    switch (event.name) {
      case 'call_interactive':
        return { ...base, name: 'incoming' };
      case 'Answer-In':
      case 'Answer-Out':
        return { ...base, name: 'answered' };
      case 'Hangup': {
        const status = event.callStatus;
        const known = status !== undefined && Object.hasOwn(VOIPNOW_FLOW_CAUSES, status);
        return {
          ...base,
          name: 'ended',
          cause: (known ? VOIPNOW_FLOW_CAUSES[status] : undefined) ?? 'unknown',
          providerCause: status,
          // Call Events report no duration (spec §1)
          durationSeconds: undefined,
          answered: status === 'ANSWER' ? true : undefined,
        };
      }
      default:
        return undefined;
    }
  },

  verbs: {
    forward: { supported: false, reason: NO_TRANSFER },
    reject: {
      supported: false,
      reason: `Call Interactive runs as an IVR action of a call already answered, and has no reject verb (${REFERENCE} §2)`,
    },
    hangup: { supported: true, as: '<Hangup/>' },
    say: {
      supported: true,
      as: '<PlayTTS>',
      limits:
        "needs VoipNow's TTS licence; no language (the voice decides); VoipNow's default voice and volume",
    },
    play: {
      supported: false,
      reason: `VoipNow plays no recording by URL: <PlaySound> plays a sound of the IVR's sound folders by name (${REFERENCE} §2)`,
    },
    gather: {
      supported: false,
      reason: `VoipNow's digits do not come back to the answer's app: <PlaySound digitvar> stores a key in an IVR variable (and plays a sound by name, not a neutral prompt) (${REFERENCE} §2)`,
    },
    queue: { supported: false, reason: NO_TRANSFER },
    voicemail: { supported: false, reason: NO_TRANSFER },
    record: {
      supported: false,
      reason: `a Call Interactive answer has no recording verb (${REFERENCE} §2)`,
    },
  },

  compile(answers: readonly FlowAnswer[], _context: FlowCompileContext): VoipNowResponse {
    if (answers.length === 0) {
      throw new CallControlError('CC_ERR_ANSWER_INVALID', 'voipnow: a flow answer needs a verb');
    }
    return response(answers.map(compileOne));
  },
} satisfies ProviderFlow<VoipNowEvent, VoipNowResponse, 'hangup' | 'say'>;
