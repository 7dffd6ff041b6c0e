/**
 * Placetel's support of provider-neutral call flows (`src/flow/contract.ts`): its events made
 * neutral, and neutral answers compiled into its `<Response>` with its own builders
 * (`responses.ts`), so that every check of the builders applies.
 *
 * Placetel executes the answer to `IncomingCall` only, and that answer holds one action
 * (`docs/providers/placetel.md` §3): a flow answers with one neutral verb. It sends no digits
 * (its events, §2.1, carry no DTMF), speaks no text and plays only prompts stored in its portal
 * (`<Prompt id>`, §3.3), so `say`, `play`, `gather` and `record` are refused.
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
import type {
  PLACETEL_HANGUP_TYPES,
  PlacetelEvent,
  PlacetelHangupType,
  PlacetelUnknownEvent,
} from './events';
import { PLACETEL_ID, PLACETEL_REJECT_REASON, PLACETEL_TARGET_RINGTIME } from './grammar';
import { forward, hangup, queue, reject, type PlacetelAnswer } from './responses';

const REFERENCE = 'docs/providers/placetel.md';

/**
 * The neutral cause of each `HungUp` `type` (spec §2.3): `accepted` (answered, then hung up)
 * is `completed`, `missed` (nobody picked up) and `unavailable` (destination offline) are
 * `no-answer` and `failed`, `blocked` is `rejected`, `congestion` ("there was a problem")
 * `failed`; `busy`, `canceled` and `voicemail` keep their names.
 */
export const PLACETEL_FLOW_CAUSES: Readonly<Record<string, FlowHangupCause>> = {
  accepted: 'completed',
  missed: 'no-answer',
  blocked: 'rejected',
  busy: 'busy',
  canceled: 'canceled',
  unavailable: 'failed',
  congestion: 'failed',
  voicemail: 'voicemail',
} satisfies Record<(typeof PLACETEL_HANGUP_TYPES)[number], FlowHangupCause>;

/** The neutral cause of a `HungUp` `type`; `'unknown'` for none or one Placetel added later. */
function causeOf(type: PlacetelHangupType | undefined): FlowHangupCause {
  return (
    (type !== undefined && Object.hasOwn(PLACETEL_FLOW_CAUSES, type)
      ? PLACETEL_FLOW_CAUSES[type]
      : undefined) ?? 'unknown'
  );
}

function refused(verb: FlowVerb | string, why: string): CallControlError {
  return new CallControlError('CC_ERR_ANSWER_INVALID', `placetel cannot express ${verb}: ${why}`);
}

function directionOf(direction: string | undefined): 'inbound' | 'outbound' | 'unknown' {
  if (direction === 'in') return 'inbound';
  if (direction === 'out') return 'outbound';
  return 'unknown';
}

/** One neutral answer as the one action of a Placetel `<Response>`. */
function compileOne(answer: FlowAnswer): PlacetelAnswer {
  switch (answer.verb) {
    case 'forward': {
      if (answer.callerId !== undefined) {
        throw refused(
          'forward',
          `a caller id cannot be set: <Forward> has no such attribute (${REFERENCE} §3.2)`,
        );
      }
      // the neutral targets ring together: one <Target> holding every number (spec §3.2)
      return forward({
        targets: [
          {
            numbers: answer.targets,
            ...(answer.ringTimeSeconds === undefined ? {} : { ringtime: answer.ringTimeSeconds }),
          },
        ],
      });
    }
    case 'reject':
      // `<Reject reason="busy">` pretends busy; a plain `<Reject>` rejects (spec §3.3)
      return answer.reason === 'rejected' ? reject() : reject({ reason: 'busy' });
    case 'hangup':
      return hangup();
    case 'queue':
      return queue({ id: answer.queue });
    case 'voicemail':
      // a <Forward> without targets and with voicemail="true": straight to voicemail (§3.2)
      return forward({ voicemail: true });
    default: {
      const capability = placetelFlow.verbs[answer.verb];
      throw refused(answer.verb, capability.supported ? 'no compiler' : capability.reason);
    }
  }
}

/**
 * Placetel's flow support: `IncomingCall` is `incoming` (the only event it executes an answer
 * to), `CallAccepted` `answered`, `HungUp` `ended`; there are no `digits`. `OutgoingCall` (a
 * notification of a SIP user's call, never answered) is no neutral event.
 */
export const placetelFlow = {
  events: {
    incoming: ['IncomingCall'],
    answered: ['CallAccepted'],
    ended: ['HungUp'],
    digits: {
      reason: `Placetel's Call Control API has no DTMF events: its events carry no digits (${REFERENCE} §2.1)`,
    },
  },

  toFlowEvent(
    event: PlacetelEvent | PlacetelUnknownEvent,
    normalize: (raw: string) => FlowNumber,
  ): FlowEvent | undefined {
    const base = {
      provider: 'placetel',
      callId: event.callId,
      from: normalize(event.from),
      to: normalize(event.to),
      direction: directionOf(event.direction),
      raw: event,
    } as const;
    switch (event.name) {
      case 'IncomingCall':
        return { ...base, name: 'incoming' };
      case 'CallAccepted':
        return { ...base, name: 'answered' };
      case 'HungUp': {
        const hungUp = event as Extract<PlacetelEvent, { name: 'HungUp' }>;
        const known = hungUp.type !== undefined && Object.hasOwn(PLACETEL_FLOW_CAUSES, hungUp.type);
        return {
          ...base,
          name: 'ended',
          cause: causeOf(hungUp.type),
          providerCause: hungUp.type,
          // `duration`: talk time in seconds, 0 for calls not accepted (spec §2.2)
          durationSeconds: hungUp.duration,
          answered: known ? hungUp.type === 'accepted' : undefined,
        };
      }
      default:
        return undefined;
    }
  },

  verbs: {
    forward: {
      supported: true,
      as: '<Forward><Target><Number>',
      limits:
        `ring time ${PLACETEL_TARGET_RINGTIME.min}–${PLACETEL_TARGET_RINGTIME.max} ${PLACETEL_TARGET_RINGTIME.unit};` +
        ` the targets ring together in one <Target>; no caller id`,
    },
    reject: {
      supported: true,
      as: `<Reject reason="${PLACETEL_REJECT_REASON.values.join('|')}"> (busy), <Reject> (rejected)`,
    },
    hangup: { supported: true, as: '<Hangup>' },
    say: {
      supported: false,
      reason: `Placetel has no text-to-speech: it plays only prompts stored in its portal, by id (<Prompt id>, ${REFERENCE} §3.3)`,
    },
    play: {
      supported: false,
      reason: `Placetel plays no recording by URL: <Prompt id> plays a prompt stored in its portal, then hangs up (${REFERENCE} §3.3)`,
    },
    gather: {
      supported: false,
      reason: `Placetel's Call Control API has no DTMF events: its events carry no digits (${REFERENCE} §2.1)`,
    },
    queue: {
      supported: true,
      as: '<Queue id>',
      limits: `the queue is a Contact Center queue id matching ${String(PLACETEL_ID.regex)} (${PLACETEL_ID.what}); needs the Contact Center option`,
    },
    voicemail: { supported: true, as: '<Forward voicemail="true"> without targets' },
    record: {
      supported: false,
      reason: `Placetel has no recording action: its answers are Forward, Reject, Hangup, Prompt, Group, RoutingPlan and Queue (${REFERENCE} §3.1)`,
    },
  },

  compile(answers: readonly FlowAnswer[], _context: FlowCompileContext): PlacetelAnswer {
    const [only, ...more] = answers;
    if (only === undefined) {
      throw new CallControlError('CC_ERR_ANSWER_INVALID', 'placetel: a flow answer needs a verb');
    }
    if (more.length > 0) {
      throw refused(
        answers.map((answer) => answer.verb).join(' + '),
        `Placetel takes one action per answer (${REFERENCE} §3)`,
      );
    }
    return compileOne(only);
  },
} satisfies ProviderFlow<
  PlacetelEvent | PlacetelUnknownEvent,
  PlacetelAnswer,
  'forward' | 'reject' | 'hangup' | 'queue' | 'voicemail'
>;
