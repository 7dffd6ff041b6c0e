/**
 * sipgate.io's support of provider-neutral call flows (`src/flow/contract.ts`): its Push API
 * events made neutral, and the neutral answers compiled with its own builders
 * (`responses.ts`), so that every check of the builders applies.
 *
 * A `newCall` answer also asks for the `answer` and `hangup` follow-ups at the app's own URL
 * (`onAnswer`, `onHangup`, spec §4.1: sipgate sends them only when asked), and a `gather`
 * posts its digits there too (`<Gather onData>`, spec §4.4), where they arrive as a `dtmf`
 * event. That URL is the public URL of the app's mount point for the request answered (the
 * app's `publicUrl` option, else the request's scheme and host), remembered when the request
 * is parsed ({@link rememberSipgateMountUrl}), else the compile context's `requestUrl` without
 * its query.
 *
 * Spec: `docs/providers/sipgate.md` §2 (events), §2.3 (hangup causes), §4 (answers).
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
import type {
  SipgateDirection,
  SipgateEvent,
  SipgateHangupCause,
  SipgateUnknownEvent,
} from './events';
import { SIPGATE_MAX_DIAL_TARGETS, SIPGATE_SPEC } from './grammar';
import {
  dial,
  gather,
  hangup,
  play,
  reject,
  response,
  type SipgateAction,
  type SipgateAnswer,
} from './responses';

/**
 * Per parsed event: the public URL of its request's mount point (for the follow-up and
 * `onData` URLs of its answer) and the `step` of the `onData` URL's query, if any.
 */
const origins = new WeakMap<object, { readonly mountUrl: string; readonly step?: string }>();

/**
 * Remembers the public URL of the mount point of the request `event` was parsed from (its
 * public URL without the query and without `path`, the request's path below the mount), for
 * the URLs a flow's answer to it names, and the `step` parameter of its query (a gather's
 * `onData` URL names its step there). Called by the provider's parser.
 */
export function rememberSipgateMountUrl(
  event: object,
  publicUrl: string | undefined,
  path: string,
): void {
  if (publicUrl === undefined) return;
  const queryStart = publicUrl.indexOf('?');
  let url = queryStart === -1 ? publicUrl : publicUrl.slice(0, queryStart);
  const below = path === '/' ? '' : path.replace(/\/+$/, '');
  if (below !== '' && url.endsWith(below)) url = url.slice(0, url.length - below.length);
  const step =
    queryStart === -1
      ? null
      : new URLSearchParams(publicUrl.slice(queryStart + 1)).get(SIPGATE_FLOW_STEP);
  origins.set(event, {
    mountUrl: url.replace(/\/+$/, ''),
    ...(step === null ? {} : { step }),
  });
}

/** The query parameter of a gather's `onData` URL that names its step. */
export const SIPGATE_FLOW_STEP = 'step';

/** The public mount URL remembered for `event`; `undefined` when unknown. */
export function sipgateMountUrlOf(event: unknown): string | undefined {
  return typeof event === 'object' && event !== null ? origins.get(event)?.mountUrl : undefined;
}

/**
 * The neutral cause of a sipgate `hangup` `cause` (spec §2.3, meanings verbatim there):
 * `normalClearing` (a participant hung up after the call was established) → `completed`,
 * `busy` → `busy`, `cancel` (the caller hung up before the pick-up) → `canceled`, `noAnswer`
 * ("the called party rejected the call (e.g. through a DND setting)") → `rejected`,
 * `congestion` (could not be reached), `notFound` and the undocumented `chanunavail` →
 * `failed`; `forwarded` (this leg ended because the call went on as a new leg, spec §2.4) and
 * anything else → `unknown`.
 */
export const SIPGATE_FLOW_CAUSES: Readonly<Record<string, FlowHangupCause>> = {
  normalClearing: 'completed',
  busy: 'busy',
  cancel: 'canceled',
  noAnswer: 'rejected',
  congestion: 'failed',
  notFound: 'failed',
  chanunavail: 'failed',
  forwarded: 'unknown',
};

/** The neutral cause of a `cause` (see {@link SIPGATE_FLOW_CAUSES}); `unknown` when absent. */
export function sipgateFlowCause(cause: SipgateHangupCause | undefined): FlowHangupCause {
  if (cause === undefined) return 'unknown';
  return Object.prototype.hasOwnProperty.call(SIPGATE_FLOW_CAUSES, cause)
    ? (SIPGATE_FLOW_CAUSES[cause] as FlowHangupCause)
    : 'unknown';
}

/** `in` → inbound, `out` → outbound (spec §2.2); not sent (a `dtmf` event) → unknown. */
function directionOf(direction: SipgateDirection | undefined): FlowEvent['direction'] {
  if (direction === 'in') return 'inbound';
  if (direction === 'out') return 'outbound';
  return 'unknown';
}

/**
 * Whether the call was answered, as a `hangup` tells: `normalClearing` only follows an
 * established call; `busy`, `cancel`, `noAnswer`, `congestion`, `notFound` only a call never
 * answered; otherwise an `answeringNumber` shows someone answered (spec §2.2), else unknown.
 */
function answeredOf(
  cause: string | undefined,
  answeringNumber: string | undefined,
): boolean | undefined {
  if (cause === 'normalClearing') return true;
  if (
    cause !== undefined &&
    ['busy', 'cancel', 'noAnswer', 'congestion', 'notFound'].includes(cause)
  ) {
    return false;
  }
  return answeringNumber !== undefined && answeringNumber !== '' ? true : undefined;
}

const REFERENCE = 'docs/providers/sipgate.md';

/** The neutral verbs sipgate.io can express. */
export type SipgateFlowVerb = 'forward' | 'reject' | 'hangup' | 'play' | 'gather' | 'voicemail';

/** Per neutral verb: sipgate's capability, from its grammar (spec §4). */
const VERBS = {
  forward: {
    supported: true,
    as: '<Dial><Number>',
    limits: `at most ${SIPGATE_MAX_DIAL_TARGETS} targets, E.164 numbers only (no SIP URIs); no ring time (the account's settings decide) (${SIPGATE_SPEC.dial})`,
  },
  reject: { supported: true, as: '<Reject reason>' },
  hangup: { supported: true, as: '<Hangup/>' },
  say: {
    supported: false,
    reason: `sipgate.io has no text-to-speech; <Say> was requested and never added (${REFERENCE} §4.7)`,
  },
  play: {
    supported: true,
    as: '<Play><Url>',
    limits: `mono 16-bit PCM WAV at 8 kHz (${SIPGATE_SPEC.play})`,
  },
  gather: {
    supported: true,
    as: '<Gather onData> (a dtmf event)',
    limits: `prompt: a recording (<Play>) only, no text; timeout in whole milliseconds ≥ 0 (${SIPGATE_SPEC.gather})`,
  },
  queue: {
    supported: false,
    reason: `sipgate.io's answer language has no queue: its actions are Dial, Play, Gather, Reject and Hangup (${REFERENCE} §4)`,
  },
  voicemail: {
    supported: true,
    as: '<Dial><Voicemail/>',
    limits: `the voicemail must be booked (${SIPGATE_SPEC.dial})`,
  },
  record: {
    supported: false,
    reason: `sipgate.io's answer language cannot record: its actions are Dial, Play, Gather, Reject and Hangup (${REFERENCE} §4)`,
  },
} as const satisfies { readonly [V in FlowVerb]: FlowCapability };

/** A number without its leading `+`. */
function withoutPlus(number: string): string {
  return typeof number === 'string' && number.startsWith('+') ? number.slice(1) : number;
}

/** A URL without its query; `undefined` stays. */
function withoutQuery(url: string | undefined): string | undefined {
  return url?.split('?')[0];
}

/** A `CC_ERR_ANSWER_INVALID` naming sipgate and the verb. */
function refuse(verb: string, message: string): CallControlError {
  return new CallControlError('CC_ERR_ANSWER_INVALID', `sipgate flow: ${verb}: ${message}`);
}

/** Seconds as whole milliseconds (sipgate counts milliseconds, spec §4). */
function millisecondsOf(verb: string, name: string, seconds: number): number {
  const ms = Math.round(seconds * 1000);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw refuse(verb, `${name} must be a number of seconds ≥ 0, got ${String(seconds)}`);
  }
  return ms;
}

/** The one sipgate action of one neutral answer. */
function actionOf(answer: FlowAnswer, mountUrl: string): SipgateAnswer<SipgateAction> {
  switch (answer.verb) {
    case 'forward':
      if (answer.ringTimeSeconds !== undefined) {
        throw refuse(
          'forward',
          `sipgate.io's <Dial> has no ring time (the account's settings decide, ${SIPGATE_SPEC.dial}); leave ringTimeSeconds out`,
        );
      }
      // sipgate writes E.164 without "+" (spec §4.2; a "+" is undocumented, §11.11)
      return dial({
        numbers: answer.targets.map(withoutPlus),
        ...(answer.callerId === undefined ? {} : { callerId: withoutPlus(answer.callerId) }),
      });
    case 'reject':
      return reject({ reason: answer.reason });
    case 'hangup':
      return hangup();
    case 'play':
      return play({ url: answer.url });
    case 'voicemail':
      return dial({ voicemail: true });
    case 'gather': {
      if (answer.prompt !== undefined && answer.prompt.verb !== 'play') {
        throw refuse(
          'gather',
          `the prompt must be a recording (play), not a text: sipgate.io has no text-to-speech (${REFERENCE} §4.7)`,
        );
      }
      const onData = new URL(mountUrl);
      if (answer.step !== undefined) onData.searchParams.set(SIPGATE_FLOW_STEP, answer.step);
      return gather({
        onData: onData.href,
        ...(answer.maxDigits === undefined ? {} : { maxDigits: answer.maxDigits }),
        ...(answer.timeoutSeconds === undefined
          ? {}
          : { timeout: millisecondsOf('gather', 'timeoutSeconds', answer.timeoutSeconds) }),
        ...(answer.prompt === undefined ? {} : { play: play({ url: answer.prompt.url }) }),
      });
    }
    default: {
      const capability = VERBS[answer.verb];
      throw refuse(answer.verb, capability.supported ? 'not compiled' : capability.reason);
    }
  }
}

/**
 * sipgate.io's answer to a sequence of neutral answers: one action at most (spec §4.7), and
 * for a `newCall` the `onAnswer`/`onHangup` follow-ups at the app's own URL.
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` naming sipgate and the verb for `say`,
 *   `queue`, `record`, a `gather` prompting with text, a `forward` with a ring time, more than
 *   one answer, an unknown mount URL, or what the builders refuse (more than 5 targets, a
 *   number that is not E.164, …)
 */
function compileSipgate(
  answers: readonly FlowAnswer[],
  context: FlowCompileContext,
): SipgateAnswer {
  if (answers.length > 1) {
    throw refuse(
      answers.map((answer) => answer.verb).join(' + '),
      `sipgate.io takes one action per answer, got ${answers.length} (${SIPGATE_SPEC.summary})`,
    );
  }
  const first = answers[0];
  if (first !== undefined) {
    const capability: FlowCapability = VERBS[first.verb];
    if (!capability.supported) throw refuse(first.verb, capability.reason);
  }
  const known = sipgateMountUrlOf(context.event) ?? withoutQuery(context.requestUrl);
  // as a URL writes it (`https://example.com/` for a mount at the root)
  const mountUrl = known === undefined || !URL.canParse(known) ? undefined : new URL(known).href;
  if (mountUrl === undefined) {
    throw refuse(
      first?.verb ?? 'answer',
      "the app's public URL is unknown, and sipgate needs it for the follow-up and onData URLs; give the app the publicUrl option",
    );
  }
  let action: SipgateAnswer<SipgateAction> | undefined;
  try {
    action = first === undefined ? undefined : actionOf(first, mountUrl);
  } catch (error) {
    // the builders' own refusal, named after the neutral verb too
    if (error instanceof CallControlError && !error.message.startsWith('sipgate flow:')) {
      throw refuse(first?.verb ?? 'answer', error.message);
    }
    throw error;
  }
  const isNewCall = (context.event as { name?: unknown } | undefined)?.name === 'newCall';
  try {
    return response({
      ...(isNewCall ? { onAnswer: mountUrl, onHangup: mountUrl } : {}),
      ...(action === undefined ? {} : { action }),
    });
  } catch (error) {
    throw refuse(first?.verb ?? 'answer', error instanceof Error ? error.message : String(error));
  }
}

/**
 * The neutral event of a sipgate.io event (spec §2.1): `newCall` → `incoming`, `answer` →
 * `answered`, `hangup` → `ended` (cause from spec §2.3, no duration: sipgate sends none,
 * §2.5), `dtmf` → `digits` (its `step` from the query of the gather's `onData` URL). Other names:
 * `undefined`.
 */
function toSipgateFlowEvent(
  event: SipgateEvent | SipgateUnknownEvent,
  normalize: (raw: string) => FlowNumber,
): FlowEvent | undefined {
  const base = {
    provider: 'sipgate',
    callId: event.callId,
    from: normalize(event.from),
    to: normalize(event.to),
    direction: directionOf(event.direction),
    raw: event,
  } as const;
  switch (event.name) {
    case 'newCall':
      return { ...base, name: 'incoming' };
    case 'answer':
      return { ...base, name: 'answered' };
    case 'hangup': {
      const hungUp = event as Extract<SipgateEvent, { name: 'hangup' }>;
      return {
        ...base,
        name: 'ended',
        cause: sipgateFlowCause(hungUp.cause),
        providerCause: hungUp.cause,
        durationSeconds: undefined,
        answered: answeredOf(hungUp.cause, hungUp.answeringNumber),
      };
    }
    case 'dtmf':
      return {
        ...base,
        name: 'digits',
        digits: (event as Extract<SipgateEvent, { name: 'dtmf' }>).dtmf,
        step: origins.get(event)?.step,
      };
    default:
      return undefined;
  }
}

/**
 * sipgate.io's flow support: `newCall`/`answer`/`hangup`/`dtmf` as `incoming`/`answered`/
 * `ended`/`digits`; `forward`, `reject`, `hangup`, `play`, `gather` (a recorded prompt) and
 * `voicemail` compiled with the sipgate builders; `say`, `queue` and `record` not expressible
 * (spec §4, §4.7).
 */
export const sipgateFlow = {
  events: {
    incoming: ['newCall'],
    answered: ['answer'],
    ended: ['hangup'],
    digits: ['dtmf'],
  },
  toFlowEvent(
    event: SipgateEvent | SipgateUnknownEvent,
    normalize: (raw: string) => FlowNumber,
  ): FlowEvent | undefined {
    return toSipgateFlowEvent(event, normalize);
  },
  verbs: VERBS,
  compile(answers: readonly FlowAnswer[], context: FlowCompileContext): SipgateAnswer {
    return compileSipgate(answers, context);
  },
} satisfies ProviderFlow<SipgateEvent | SipgateUnknownEvent, SipgateAnswer, SipgateFlowVerb>;
