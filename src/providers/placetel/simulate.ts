/**
 * Requests of a whole Placetel call, as Placetel sends them: form-encoded POSTs with the keys in
 * alphabetical order (as every real payload seen, spec §1 "Payload key order"), `@` written as
 * `%40`, signed with `X-PLACETEL-SIGNATURE` when a secret is given. Used by the
 * `callcontrol simulate placetel` command and by tests.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { XmlElement } from '../../core/xml';
import { assertValidAnswer, elementText } from '../plugin-kit';
import { parseXml } from '../../testing/xml';
import type { PlacetelHangupType } from './events';
import { PLACETEL_RULES } from './validate';
import { signPlacetelBody } from './verify';
import type { TestReply } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';
import {
  ringTargets,
  talkSeconds,
  type CallEndOutcome,
  type CallPlan,
  type TranscriptEntry,
} from '../../testing/transcript';

/**
 * Options of {@link placetelCallScenario}, with the call plan ({@link CallPlan}: `targets`,
 * `talkSeconds`, `hangupAfterSeconds`, in seconds) that {@link followPlacetelAnswer} and
 * {@link placetelCallStart} read.
 */
export interface PlacetelCallScenarioOptions extends CallPlan {
  /** `call_id` of the call. Default: 64 random hex characters, like Placetel's SHA-256 ids. */
  readonly callId?: string;
  /** Caller id. Default `'017312345678'` (incoming) or `'022129191999'` (outgoing). */
  readonly from?: string;
  /** Called number. Default `'022129191999'` (incoming) or `'017312345678'` (outgoing). */
  readonly to?: string;
  /** The SIP peer that answers (incoming) or calls (outgoing). Default `'7777abcdefg@fpbx.de'`. */
  readonly peer?: string;
  /** `'in'`: IncomingCall → CallAccepted → HungUp; `'out'`: OutgoingCall → HungUp. Default `'in'`. */
  readonly direction?: 'in' | 'out';
  /** Hangup cause of the HungUp event. Default `'accepted'`; any other skips CallAccepted. */
  readonly hangupType?: PlacetelHangupType;
  /** Talk time in **seconds** reported by HungUp when the call was accepted. Default 38. */
  readonly durationSeconds?: number;
  /** Sign each body with this secret (`X-PLACETEL-SIGNATURE`). Default: unsigned. */
  readonly secret?: string;
  /**
   * `true`: an incoming call's scenario is the `IncomingCall` alone, and
   * {@link followPlacetelAnswer} adds what Placetel sends after the app's answer. Default
   * `false`: the fixed script `IncomingCall → CallAccepted → HungUp`.
   */
  readonly followAnswers?: boolean;
}

/** One request of a simulated call, ready to send. */
export interface PlacetelSimulatedRequest {
  /** The Placetel event name of this request. */
  readonly event: string;
  /** Always `'POST'`: Placetel sends every event as one POST (spec §1 "Method"). */
  readonly method: 'POST';
  /** `content-type`, and `x-placetel-signature` when signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact form-encoded body. */
  readonly body: string;
}

/**
 * Form-encodes fields the way Placetel does: keys sorted alphabetically, WHATWG
 * `application/x-www-form-urlencoded` encoding (so `@` becomes `%40`).
 */
export function encodePlacetelForm(fields: Readonly<Record<string, string>>): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(fields).sort()) params.append(key, fields[key] ?? '');
  return params.toString();
}

/**
 * Builds one request as Placetel sends it: the fields form-encoded with
 * {@link encodePlacetelForm}, `content-type: application/x-www-form-urlencoded`, and — when
 * `secret` is given — `x-placetel-signature` over the exact body (spec §1 "Signature").
 *
 * @param fields - decoded field values, e.g. `{ event: 'HungUp', call_id, duration: '38' }`
 *   (durations as text, in seconds, as Placetel sends them)
 * @param secret - sign with this shared secret; unsigned when omitted
 */
export function placetelRequest(
  fields: Readonly<Record<string, string>>,
  secret?: string,
): PlacetelSimulatedRequest {
  const body = encodePlacetelForm(fields);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (secret !== undefined) headers['x-placetel-signature'] = signPlacetelBody(body, secret);
  return { event: fields['event'] ?? '', method: 'POST', headers, body };
}

/**
 * The requests Placetel sends for one whole call, in order.
 *
 * @throws {TypeError} for a negative or fractional duration
 */
export function placetelCallScenario(
  options: PlacetelCallScenarioOptions = {},
): PlacetelSimulatedRequest[] {
  const direction = options.direction ?? 'in';
  const incoming = direction === 'in';
  const callId = options.callId ?? randomBytes(32).toString('hex');
  const from = options.from ?? (incoming ? '017312345678' : '022129191999');
  const to = options.to ?? (incoming ? '022129191999' : '017312345678');
  const peer = options.peer ?? '7777abcdefg@fpbx.de';
  const type = options.hangupType ?? 'accepted';
  const duration = options.durationSeconds ?? 38;
  if (!Number.isSafeInteger(duration) || duration < 0) {
    throw new TypeError('durationSeconds must be a whole number of seconds, 0 or more');
  }
  const accepted = type === 'accepted';
  const common = { call_id: callId, direction, from, to };
  const requests = [
    placetelRequest(
      incoming ? { ...common, event: 'IncomingCall' } : { ...common, event: 'OutgoingCall', peer },
      options.secret,
    ),
  ];
  if (incoming && options.followAnswers === true) return requests;
  if (incoming && accepted) {
    requests.push(placetelRequest({ ...common, event: 'CallAccepted', peer }, options.secret));
  }
  requests.push(
    placetelRequest(
      { ...common, event: 'HungUp', type, duration: String(accepted ? duration : 0) },
      options.secret,
    ),
  );
  return requests;
}

/** What an `IncomingCall` got back, for {@link followPlacetelAnswer}. */
export interface PlacetelAnswerReply {
  /** The request answered (its `event` and form-encoded `body` are read). */
  readonly request: { readonly event: string; readonly body: string };
  /** The HTTP status; `undefined` when no answer came. */
  readonly status: number | undefined;
  /** The answer's body as text. */
  readonly body: string;
}

/**
 * One step of a simulated Placetel call: the requests Placetel sends next and what the caller
 * lives meanwhile (see `CallStep` in `src/testing/transcript.ts`).
 */
export interface PlacetelCallStep {
  /** The requests to send next, in order. */
  readonly requests: PlacetelSimulatedRequest[];
  /** What the caller lives at this step, times in **seconds** since the call started. */
  readonly transcript: TranscriptEntry[];
}

/**
 * How long the caller hears a prompt (`<Prompt>`, a `forward_announcement`), in **seconds** on
 * the simulated clock. Placetel documents no prompt lengths; 2 s stands for one.
 */
export const PLACETEL_PROMPT_SECONDS = 2;

/** Ring time in **seconds** of a `<Target>` without `ringtime` (spec §3.2). */
export const PLACETEL_TARGET_RINGTIME = 60;

/** Ring time in **seconds** of a `<Group>` without `ringtime` (spec §3.3). */
export const PLACETEL_GROUP_RINGTIME = 40;

/** The SIP peer of the scenario when none is given. */
const DEFAULT_PEER = '7777abcdefg@fpbx.de';

/** Talk time in **seconds** when neither `talkSeconds` nor `durationSeconds` is given. */
const DEFAULT_TALK_SECONDS = 38;

/** The neutral outcome of a HungUp `type` (spec §2.3) given as the scenario's hangup cause. */
const OUTCOME_OF_TYPE: Readonly<Record<string, CallEndOutcome>> = {
  accepted: 'completed',
  voicemail: 'voicemail',
  missed: 'no-answer',
  blocked: 'rejected',
  busy: 'busy',
  canceled: 'canceled',
  unavailable: 'failed',
  congestion: 'failed',
};

/** The first child element of `element`, or `undefined`. */
function firstElement(element: XmlElement): XmlElement | undefined {
  for (const child of element.children ?? []) if (typeof child !== 'string') return child;
  return undefined;
}

/** The child elements of `element` named `name`. */
function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return (element.children ?? []).filter(
    (child): child is XmlElement => typeof child !== 'string' && child.name === name,
  );
}

/** A whole number of seconds from an attribute, or `fallback` when absent or not a number. */
function secondsAttribute(value: string | undefined, fallback: number): number {
  if (value === undefined || !/^\d+$/.test(value.trim())) return fallback;
  return Number(value.trim());
}

/**
 * The model of one incoming Placetel call after its `IncomingCall` was answered: a clock in
 * **seconds** since the call started, the requests Placetel sends and the transcript.
 */
class PlacetelCallModel {
  now = 0;
  readonly requests: PlacetelSimulatedRequest[] = [];
  readonly transcript: TranscriptEntry[] = [];
  private readonly plan: CallPlan;
  private readonly talkDefault: number;

  constructor(
    private readonly common: Readonly<Record<string, string>>,
    private readonly options: PlacetelCallScenarioOptions,
  ) {
    this.plan = options;
    this.talkDefault = options.durationSeconds ?? DEFAULT_TALK_SECONDS;
    if (!Number.isSafeInteger(this.talkDefault) || this.talkDefault < 0) {
      throw new TypeError('durationSeconds must be a whole number of seconds, 0 or more');
    }
  }

  step(): PlacetelCallStep {
    return { requests: this.requests, transcript: this.transcript };
  }

  /** `HungUp` with `type` and `duration` (whole seconds, spec §2.2), and the `ended` entry. */
  hungUp(
    type: PlacetelHangupType,
    duration: number,
    outcome: CallEndOutcome,
    by: 'caller' | 'callee' | 'app' | 'provider',
  ): PlacetelCallStep {
    this.requests.push(
      placetelRequest(
        { ...this.common, event: 'HungUp', type, duration: String(Math.round(duration)) },
        this.options.secret,
      ),
    );
    this.transcript.push({
      kind: 'ended',
      at: this.now,
      outcome,
      cause: `HungUp type=${type}`,
      durationSeconds: this.now,
      by,
    });
    return this.step();
  }

  /**
   * The caller hangs up before anyone answered: `HungUp type=missed` (`canceled` is limited to
   * outbound calls, spec §2.3; Zammad reads an inbound `missed` as the caller's cancel, §7.2).
   */
  callerGaveUp(at: number): PlacetelCallStep {
    this.now = at;
    return this.hungUp('missed', 0, 'canceled', 'caller');
  }

  /** Plays a prompt (`what`); `false` when the caller hangs up meanwhile (then the call ended). */
  prompt(what: string): boolean {
    this.transcript.push({ kind: 'hears', at: this.now, what });
    const until = this.now + PLACETEL_PROMPT_SECONDS;
    const hangup = this.plan.hangupAfterSeconds;
    if (hangup !== undefined && hangup < until) {
      this.callerGaveUp(Math.max(this.now, hangup));
      return false;
    }
    this.now = until;
    return true;
  }

  /**
   * `target` answered at `answeredAt`: `CallAccepted` with `peer` (the scenario's `peer`, else
   * the target), the talk (`talkSeconds`, else `durationSeconds`), then `HungUp type=accepted`
   * with the talk time as `duration` ("Duration of accepted call in seconds", spec §2.2).
   */
  connected(target: string, answeredAt: number, peer?: string): PlacetelCallStep {
    this.now = answeredAt;
    this.requests.push(
      placetelRequest(
        { ...this.common, event: 'CallAccepted', peer: this.options.peer ?? peer ?? target },
        this.options.secret,
      ),
    );
    const talk = talkSeconds(this.plan, answeredAt, this.talkDefault);
    this.transcript.push({ kind: 'talks', at: answeredAt, with: target, seconds: talk });
    this.now = answeredAt + talk;
    return this.hungUp('accepted', talk, 'completed', 'caller');
  }

  /** The scenario's `hangupType` other than `accepted`: that HungUp, `duration=0`. */
  given(type: PlacetelHangupType): PlacetelCallStep {
    return this.hungUp(type, 0, OUTCOME_OF_TYPE[type] ?? 'failed', 'provider');
  }

  /**
   * Voicemail (`HungUp type=voicemail`, `duration=0`: the call was not accepted, spec §2.2);
   * the plan's `talkSeconds` is the length of the message left.
   */
  voicemail(): PlacetelCallStep {
    this.transcript.push({ kind: 'note', at: this.now, text: 'is sent to voicemail' });
    const message = this.plan.talkSeconds;
    if (message !== undefined) {
      const seconds = talkSeconds(this.plan, this.now, message);
      this.transcript.push({
        kind: 'note',
        at: this.now,
        text: `leaves a message of ${seconds} s`,
      });
      this.now += seconds;
    }
    return this.hungUp('voicemail', 0, 'voicemail', 'caller');
  }

  /**
   * Rings `targets` at once for up to `ringtime` seconds; the step when the call ended there
   * (answered and talked, or the caller hung up), else whether they were all busy.
   */
  ring(
    targets: readonly string[],
    ringtime: number,
    peer?: string,
  ): PlacetelCallStep | { busy: boolean } {
    const rang = ringTargets(this.plan, targets, this.now, {
      simultaneous: true,
      timeoutSeconds: ringtime,
    });
    this.transcript.push(...rang.transcript);
    if (rang.answered !== undefined) {
      return this.connected(rang.answered.target, rang.answered.at, peer);
    }
    if (rang.failure === 'canceled') return this.callerGaveUp(rang.endedAt);
    this.now = rang.endedAt;
    return { busy: rang.failure === 'busy' };
  }

  /**
   * `<Forward>` (spec §3.2): the `forward_announcement` first; the `<Target>`s in order, the
   * numbers of one together, each for its `ringtime` (default 60 s); nobody answering:
   * voicemail unless `voicemail="false"`, then `HungUp type=missed` (also when every target
   * was busy: `busy` is limited to outbound calls, §2.3).
   */
  forward(action: XmlElement): PlacetelCallStep {
    const attributes = action.attributes ?? {};
    const announcement = attributes['forward_announcement'];
    if (announcement !== undefined && !this.prompt(`announcement ${announcement}`)) {
      return this.step();
    }
    const type = this.options.hangupType ?? 'accepted';
    const targets = childrenNamed(action, 'Target');
    if (type !== 'accepted') return this.given(type);
    if (attributes['music_on_hold'] === 'true' && targets.length > 0) {
      this.transcript.push({ kind: 'hears', at: this.now, what: 'music on hold' });
    }
    let allBusy = targets.length > 0;
    for (const target of targets) {
      const numbers = childrenNamed(target, 'Number')
        .map(elementText)
        .filter((number) => number !== '');
      if (numbers.length === 0) continue;
      const ringtime = secondsAttribute(target.attributes?.['ringtime'], PLACETEL_TARGET_RINGTIME);
      const rang = this.ring(numbers, ringtime);
      if (!('busy' in rang)) return rang;
      allBusy &&= rang.busy;
    }
    if (attributes['voicemail'] !== 'false') return this.voicemail();
    return this.hungUp('missed', 0, allBusy ? 'busy' : 'no-answer', 'provider');
  }

  /**
   * `<Group id ringtime backup_behaviour>` (spec §3.3): the group rings as the target
   * `group <id>` for `ringtime` (default 40 s); nobody answering: the mailbox (default), or
   * `backup_behaviour="routing_object"`: the backup routing object takes it, which this model
   * ends with `HungUp type=missed`.
   */
  group(action: XmlElement): PlacetelCallStep {
    const attributes = action.attributes ?? {};
    const announcement = attributes['forward_announcement'];
    if (announcement !== undefined && !this.prompt(`announcement ${announcement}`)) {
      return this.step();
    }
    const type = this.options.hangupType ?? 'accepted';
    if (type !== 'accepted') return this.given(type);
    const ringtime = secondsAttribute(attributes['ringtime'], PLACETEL_GROUP_RINGTIME);
    const rang = this.ring([`group ${attributes['id'] ?? ''}`], ringtime, DEFAULT_PEER);
    if (!('busy' in rang)) return rang;
    if (attributes['backup_behaviour'] === 'routing_object') {
      const object = attributes['backup_routing_object'];
      this.transcript.push({
        kind: 'note',
        at: this.now,
        text: `goes on to routing object ${object ?? '(none)'}`,
      });
      return this.hungUp('missed', 0, rang.busy ? 'busy' : 'no-answer', 'provider');
    }
    return this.voicemail();
  }

  /**
   * `<RoutingPlan id>` (spec §3.3): the plan rings as the target `routing plan <id>` (60 s);
   * nobody answering: its nested `<Forward>`, else "the call will be ended" (`HungUp
   * type=missed`).
   */
  routingPlan(action: XmlElement): PlacetelCallStep {
    const type = this.options.hangupType ?? 'accepted';
    if (type !== 'accepted') return this.given(type);
    const id = action.attributes?.['id'] ?? '';
    const rang = this.ring([`routing plan ${id}`], PLACETEL_TARGET_RINGTIME, DEFAULT_PEER);
    if (!('busy' in rang)) return rang;
    const fallback = childrenNamed(action, 'Forward')[0];
    if (fallback !== undefined) return this.forward(fallback);
    return this.hungUp('missed', 0, rang.busy ? 'busy' : 'no-answer', 'provider');
  }

  /**
   * `<Queue id>` (spec §3.3): Contact Center calls are signalled with `IncomingCall` only, no
   * `CallAccepted` or `HungUp` (§2.4, `ISS#17`): the caller waits and talks (the plan's
   * `talkSeconds`, else `durationSeconds`), and Placetel sends nothing more.
   */
  queue(action: XmlElement): PlacetelCallStep {
    const id = action.attributes?.['id'] ?? action.attributes?.['queue_id'] ?? '';
    this.transcript.push({ kind: 'note', at: this.now, text: `is put in queue ${id}` });
    const talk = talkSeconds(this.plan, this.now, this.talkDefault);
    this.transcript.push({ kind: 'talks', at: this.now, with: `queue ${id}`, seconds: talk });
    this.now += talk;
    this.transcript.push({
      kind: 'ended',
      at: this.now,
      outcome: 'completed',
      cause: 'no HungUp: Contact Center calls are signalled with IncomingCall only',
      durationSeconds: this.now,
      by: 'caller',
    });
    return this.step();
  }
}

/**
 * What Placetel sends after the app answered an `IncomingCall`, as the answer and the call
 * plan ask, with what the caller lives (`docs/providers/placetel.md` §3.1–§3.3, events §2.2,
 * hangup types §2.3). The clock starts at the `IncomingCall` (0 s):
 *
 * - `<Reject reason="busy"/>`: `HungUp type=busy`, `duration=0` (ended: busy); a plain
 *   `<Reject/>` and `<Hangup/>`: `HungUp type=blocked`, `duration=0` (ended: rejected) — never
 *   `CallAccepted`;
 * - `<Forward>` (§3.2): the `forward_announcement` is heard (2 s), then the `<Target>`s ring in
 *   order — the numbers of one target together, each target for its `ringtime` (default 60 s)
 *   — with the plan's `targets` saying who answers after how many seconds, is busy or never
 *   answers (see `ringTargets`). The first answer: `CallAccepted` (`peer`: the scenario's,
 *   else the number that answered), the talk (`talkSeconds`, else `durationSeconds`, default
 *   38 s), `HungUp type=accepted` with the talk time as `duration`. Nobody answers:
 *   `HungUp type=voicemail` (`voicemail` defaults to true), or with `voicemail="false"`
 *   `HungUp type=missed` — also when every target was busy, since `busy` is "limited to
 *   outbound calls" (§2.3). A `<Forward>` without targets goes straight to voicemail;
 * - `<Group>` rings `group <id>` for its `ringtime` (default 40 s), then its mailbox;
 *   `<RoutingPlan>` rings `routing plan <id>` (60 s), then its nested `<Forward>`;
 * - `<Prompt id>`: the prompt is heard (2 s), then the call ends: `HungUp type=accepted` with
 *   `duration` = the prompt's time, without `CallAccepted` (no SIP peer took the call; the
 *   reference is silent on the events of a prompt);
 * - `<Queue>`: Contact Center calls get no further event (§2.4 `ISS#17`): no request, the
 *   transcript ends after the talk;
 * - the caller hanging up (`hangupAfterSeconds`) before an answer: `HungUp type=missed`,
 *   `duration=0` (ended: canceled; `canceled` is limited to outbound calls, §2.3); during the
 *   talk: the talk is cut and `duration` is the talk until then;
 * - a scenario `hangupType` other than `accepted`: that `HungUp`, `duration=0`, without
 *   `CallAccepted` (a forward's targets are not rung);
 * - no answer document (an empty body, an error status, no reply): the backup routing takes
 *   the call (§1 "Fallback"): the scenario's `peer` rings and answers as a target would.
 *
 * Every answer document is checked with Placetel's validator rules first.
 *
 * @param reply - the `IncomingCall` and what it got back; any other request adds nothing
 * @param options - the scenario (`peer`, `hangupType`, `durationSeconds`, `secret`) and the
 *   call plan (`targets`, `talkSeconds`, `hangupAfterSeconds`, seconds)
 * @returns the requests Placetel sends next and the transcript entries up to the call's end
 *   (its one `ended` entry)
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when the answer breaks the spec, with
 *   each problem (path, message, spec section) in the message
 * @throws {TypeError} for a negative or fractional `durationSeconds`
 */
export function followPlacetelAnswer(
  reply: PlacetelAnswerReply,
  options: PlacetelCallScenarioOptions = {},
): PlacetelCallStep {
  if (reply.request.event !== 'IncomingCall') return { requests: [], transcript: [] };
  const call = Object.fromEntries(new URLSearchParams(reply.request.body));
  const model = new PlacetelCallModel(
    {
      call_id: call['call_id'] ?? '',
      direction: call['direction'] ?? 'in',
      from: call['from'] ?? '',
      to: call['to'] ?? '',
    },
    options,
  );
  const type = options.hangupType ?? 'accepted';
  const fallback = (): PlacetelCallStep => {
    if (type !== 'accepted') return model.given(type);
    const rang = model.ring([options.peer ?? DEFAULT_PEER], PLACETEL_TARGET_RINGTIME);
    if (!('busy' in rang)) return rang;
    return model.hungUp('missed', 0, rang.busy ? 'busy' : 'no-answer', 'provider');
  };
  const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
  if (!ok || reply.body.trim() === '') {
    model.transcript.push({
      kind: 'note',
      at: 0,
      text: `no call-control answer (${reply.status === undefined ? 'no reply' : ok ? 'empty' : `HTTP ${reply.status}`}): the backup routing takes the call`,
    });
    return fallback();
  }
  assertValidAnswer(PLACETEL_RULES, 'Placetel', 'IncomingCall', reply.body);
  const action = firstElement(parseXml(reply.body));
  switch (action?.name) {
    case 'Reject':
      return action.attributes?.['reason'] === 'busy'
        ? model.hungUp('busy', 0, 'busy', 'app')
        : model.hungUp('blocked', 0, 'rejected', 'app');
    case 'Hangup':
      return model.hungUp('blocked', 0, 'rejected', 'app');
    case 'Forward':
      return model.forward(action);
    case 'Group':
      return model.group(action);
    case 'RoutingPlan':
      return model.routingPlan(action);
    case 'Queue':
      return model.queue(action);
    case 'Prompt':
      if (!model.prompt(`prompt ${action.attributes?.['id'] ?? ''}`)) return model.step();
      return model.hungUp('accepted', PLACETEL_PROMPT_SECONDS, 'completed', 'app');
    default:
      model.transcript.push({
        kind: 'note',
        at: 0,
        text: 'the answer names no action: the backup routing takes the call',
      });
      return fallback();
  }
}

/**
 * The first step of a simulated Placetel call: the requests of {@link placetelCallScenario}
 * and the transcript's `call` entry. An incoming call that follows the answers
 * (`followAnswers`) is continued by {@link followPlacetelAnswer}; an outgoing call (or the
 * fixed script) is whole here: the callee (`to`) rings as the plan says — answered: the talk
 * and `HungUp type=accepted` with the talk time as `duration`; busy: `HungUp type=busy`;
 * never answered: `HungUp type=missed`; the caller hanging up first: `HungUp type=canceled`
 * (spec §2.3: `busy` and `canceled` are outbound types) — all with `duration=0`.
 *
 * @throws {TypeError} for a negative or fractional duration
 */
export function placetelCallStart(options: PlacetelCallScenarioOptions = {}): PlacetelCallStep {
  const requests = placetelCallScenario(options);
  const first = requests[0];
  const fields = Object.fromEntries(new URLSearchParams(first?.body ?? ''));
  const direction = fields['direction'] === 'out' ? 'out' : 'in';
  const transcript: TranscriptEntry[] = [
    { kind: 'call', at: 0, from: fields['from'] ?? '', to: fields['to'] ?? '', direction },
  ];
  if (direction === 'in' && options.followAnswers === true) return { requests, transcript };
  const common = {
    call_id: fields['call_id'] ?? '',
    direction,
    from: fields['from'] ?? '',
    to: fields['to'] ?? '',
  };
  const model = new PlacetelCallModel(common, options);
  model.transcript.push(...transcript);
  const opening = requests.slice(0, 1);
  const type = options.hangupType ?? 'accepted';
  if (direction === 'in') {
    // The fixed script: IncomingCall → CallAccepted → HungUp.
    const rest =
      type === 'accepted'
        ? model.connected(common.to, 0, options.peer ?? DEFAULT_PEER)
        : model.given(type);
    return { requests: [...opening, ...rest.requests], transcript: rest.transcript };
  }
  if (type !== 'accepted') {
    const rest = model.given(type);
    return { requests: [...opening, ...rest.requests], transcript: rest.transcript };
  }
  const rang = ringTargets(options, [common.to], 0, { timeoutSeconds: PLACETEL_TARGET_RINGTIME });
  model.transcript.push(...rang.transcript);
  model.now = rang.endedAt;
  if (rang.answered !== undefined) {
    // No CallAccepted for outgoing calls (spec §2.2, ISS#16): the talk, then HungUp.
    const talk = talkSeconds(
      options,
      rang.answered.at,
      options.durationSeconds ?? DEFAULT_TALK_SECONDS,
    );
    model.transcript.push({ kind: 'talks', at: rang.answered.at, with: common.to, seconds: talk });
    model.now = rang.answered.at + talk;
    model.hungUp('accepted', talk, 'completed', 'caller');
  } else if (rang.failure === 'busy') {
    model.hungUp('busy', 0, 'busy', 'callee');
  } else if (rang.failure === 'canceled') {
    model.hungUp('canceled', 0, 'canceled', 'caller');
  } else {
    model.hungUp('missed', 0, 'no-answer', 'provider');
  }
  return { requests: [...opening, ...model.requests], transcript: model.transcript };
}

/** Placetel's requests in the test kit (spec §2), signed with the client's `secret`. */
export interface PlacetelTestRequests {
  /** `IncomingCall` (`direction=in`); fields default as in `placetelCallScenario`. */
  incomingCall(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** `OutgoingCall` (`direction=out`, with `peer`). */
  outgoingCall(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** `CallAccepted` of an incoming call (with `peer`). */
  callAccepted(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** `HungUp` with `type` = `hangupType` (default `accepted`) and `duration` in seconds. */
  hungUp(options?: PlacetelCallScenarioOptions): Promise<TestReply>;
  /** Any fields as one Placetel POST, e.g. `{ event: 'IncomingCall', call_id, … }`. */
  request(fields: Readonly<Record<string, string>>): Promise<TestReply>;
  /**
   * A whole call that follows the answers ({@link followPlacetelAnswer}): `IncomingCall`, then
   * `CallAccepted → HungUp` for a forward, `HungUp type=busy` for a `<Reject reason="busy"/>`…
   * (an outgoing call: `OutgoingCall → HungUp`).
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: PlacetelCallScenarioOptions): Promise<PlayedCall>;
}
