/**
 * Requests of a whole Ozeki IVR call, as the PBX sends them: form-encoded POSTs with
 * `NotificationName` first (spec §3, the RoutingInterception example). Used by the
 * `callcontrol simulate ozeki` command and by tests.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { XmlElement } from '../../core/xml';
import type { TestReply, TestRequest } from '../../testing/reply';
import { parseXml } from '../../testing/xml';
import { answerUrlTarget, assertValidAnswer, childElements, transcriptUrl } from '../plugin-kit';
import { OZEKI_RULES } from './validate';
import type { PlayedCall } from '../../testing/types';
import {
  ringTargets,
  talkSeconds,
  type CallEndOutcome,
  type CallPlan,
  type CallStep,
  type TranscriptEntry,
} from '../../testing/transcript';

/**
 * Options of {@link ozekiCallScenario}, with the call plan ({@link CallPlan}: `targets`,
 * `talkSeconds`, `hangupAfterSeconds`, in seconds) that {@link createOzekiFollower} reads.
 */
export interface OzekiCallScenarioOptions extends CallPlan {
  /** `CallId` of the call. Default: 5 random letters and digits, like Ozeki's (`H2Wwb`). */
  readonly callId?: string;
  /** `CallerId`: the caller's number. Default `'1000'`. */
  readonly from?: string;
  /** `CallerDisplayName`. Default `'John Smith'`. */
  readonly callerDisplayName?: string;
  /** `ApiExtension` that is called. Default `'9994'`. */
  readonly to?: string;
  /**
   * `DtmfDigits` typed after the menu, one `DtmfEntered` each. Default `['1234']` (a PIN);
   * `[]` plays the `IncomingCall` alone.
   */
  readonly digits?: readonly string[];
  /**
   * `true`: the scenario is the `IncomingCall` alone and {@link createOzekiFollower} posts each
   * `DtmfEntered` where the answers' `ForwardToUrl` says. Default `false`: one `DtmfEntered`
   * per entry, all to the played URL.
   */
  readonly followAnswers?: boolean;
}

/** One request of a simulated call, ready to send. */
export interface OzekiSimulatedRequest {
  /** The `NotificationName` of this request. */
  readonly event: string;
  /** Always `'POST'`: Ozeki sends notifications "only in a HTTP POST request" (spec §1). */
  readonly method: 'POST';
  /** `content-type: application/x-www-form-urlencoded`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact form-encoded body. */
  readonly body: string;
}

/**
 * Builds one notification: `NotificationName` first, then the fields in the order given,
 * form-encoded (spaces as `+`, as the PBX's example shows `CallerDisplayName=John+Smith`).
 */
export function ozekiNotification(
  name: string,
  fields: Readonly<Record<string, string>> = {},
): OzekiSimulatedRequest {
  const params = new URLSearchParams({ NotificationName: name });
  for (const [key, value] of Object.entries(fields)) params.append(key, value);
  return {
    event: name,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomCallId(): string {
  return Array.from(randomBytes(5), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}

/**
 * The notifications of one IVR call to an API extension, in order: `IncomingCall`, then one
 * `DtmfEntered` per entry of `digits` (what Ozeki posts to a `UserInput`'s `ForwardToUrl`).
 *
 * @throws {TypeError} for digits that are not DTMF keys (`0-9`, `*`, `#`)
 */
export function ozekiCallScenario(options: OzekiCallScenarioOptions = {}): OzekiSimulatedRequest[] {
  const callId = options.callId ?? randomCallId();
  const digits = options.digits ?? ['1234'];
  for (const entry of digits) {
    if (!/^[0-9*#]+$/.test(entry)) {
      throw new TypeError(`digits must be DTMF keys (0-9, *, #), got "${entry}"`);
    }
  }
  const incoming = ozekiNotification('IncomingCall', {
    CallId: callId,
    ApiExtension: options.to ?? '9994',
    CallerId: options.from ?? '1000',
    CallerDisplayName: options.callerDisplayName ?? 'John Smith',
  });
  if (options.followAnswers === true) return [incoming];
  return [
    ozekiNotification('IncomingCall', {
      CallId: callId,
      ApiExtension: options.to ?? '9994',
      CallerId: options.from ?? '1000',
      CallerDisplayName: options.callerDisplayName ?? 'John Smith',
    }),
    ...digits.map((entry) =>
      ozekiNotification('DtmfEntered', { CallId: callId, DtmfDigits: entry }),
    ),
  ];
}

/** What a notification of a simulated Ozeki call got back, for {@link createOzekiFollower}. */
export interface OzekiAnswerReply {
  /** The notification answered (its `event` and form-encoded `body`, for the `CallId`). */
  readonly request: { readonly event: string; readonly body: string };
  /** The HTTP status; `undefined` when no answer came. */
  readonly status: number | undefined;
  /** The answer's body as text. */
  readonly body: string;
}

/** An attribute by name in any letter case (Ozeki reads `ForwardToUrl` and `ForwardToURL`). */
function attribute(element: XmlElement, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(element.attributes ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * How long the caller hears one `<Speak>` or `<Play>`, in **seconds** on the simulated clock
 * (Ozeki documents no lengths; 2 s stands for one prompt).
 */
export const OZEKI_PROMPT_SECONDS = 2;

/** How long the caller takes to type one `<UserInput>` entry, in **seconds**. */
export const OZEKI_KEYS_SECONDS = 1;

/**
 * Ring time in **seconds** of a transfer or forward: `RingTime` of `<Route>` where given, else
 * Route's documented default, 90 s (§5.15); Ozeki documents none for `<BlindTransfer>` and
 * `<Forward>`, and the model uses the same.
 */
export const OZEKI_RING_SECONDS = 90;

/** Talk time in **seconds** after a transfer is answered, when the plan has no `talkSeconds`. */
const DEFAULT_TALK_SECONDS = 38;

/** The main parameter of a command: the attribute `name` (any case) or the element's text. */
function mainParameter(element: XmlElement, name: string): string {
  const value = attribute(element, name);
  if (value !== undefined) return value.trim();
  return (element.children ?? [])
    .filter((child): child is string => typeof child === 'string')
    .join('')
    .trim();
}

/** Whole seconds from an attribute (or text), `fallback` when absent or not a number. */
function seconds(value: string | undefined, fallback: number): number {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : fallback;
}

/** What running some commands came to. */
type RunResult =
  | { readonly kind: 'continue' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'back' }
  | { readonly kind: 'request'; readonly request: TestRequest };

const CONTINUE: RunResult = { kind: 'continue' };
const STOP: RunResult = { kind: 'stop' };

/**
 * A model of one Ozeki IVR call to an API extension that follows the app's answers
 * (`docs/providers/ozeki.md` §3.1, §4, §5) on a clock in **seconds** since the call started,
 * writing what the caller lives. Each answer's commands run in order (§4):
 *
 * - `<Speak>` (§5.1): "hears: <text>", `<Play>` (§5.2): "hears: audio <file>", 2 s each;
 *   `<Delay>` (§5.3) waits its seconds;
 * - `<UserInput>` (§5.6): its `<InitialCommands>` are heard, then it takes the next digits
 *   entry ("presses …", 1 s): an `<Input Key>` branch for it runs; no branch and a
 *   `ForwardToUrl`: the entry is posted there as `DtmfEntered` (`CallId`, `DtmfDigits`; the
 *   url's query kept) and that answer runs next; no branch, no url: the command is left. The
 *   `BackKey` in a nested UserInput returns to the enclosing one. No entry left: "presses
 *   nothing" after its `Timeout` (seconds, default 0); with `Repeat="true"` the prompt would
 *   repeat for ever, so the caller hangs up; without, the command is left;
 * - `<GoTo>` (§5.7): a `GoTo` notification (`CallId`) is posted to its URL, whose answer runs
 *   next (an SQL GoTo is not followed: the call ends);
 * - `<BlindTransfer>` (§5.9), `<Forward>`/`<ForwardCall>` (§5.11), `<Route>` (§5.15): the
 *   target rings as the plan's `targets` say, for `RingTime` (Route) or 90 s: answered, the
 *   caller talks (`talkSeconds`, default 38 s) and the call ends; busy, no answer or the
 *   caller hanging up end it there (the API extension has left the call: Ozeki sends it no
 *   further notification, and none for the call's end);
 * - `<Reject>` (§5.5): the call is not picked up and ends (rejected, 0 s); `<Hangup>` (§5.4)
 *   ends it; the end of the OzML hangs up too (§4: "If the OzML code of the call reaches its
 *   end, it hangs up automatically");
 * - `<Call>`, `<Record>`, `<SendSms>` and third-party commands are noted and run on;
 * - the caller hanging up (`hangupAfterSeconds`) cuts a prompt, a wait or a ring there;
 * - an answer that is not OzML (an error status, an empty body, no reply): the call is hung
 *   up (§7.11: "if it is empty or the URL can't be downloaded then the call will be hung up").
 *
 * Every answer document is checked with Ozeki's validator rules first. Each step's transcript
 * holds what the caller lived since the previous one; the call's last entry is its one `ended`.
 *
 * @param options - the scenario (its `digits` entries, default `['1234']`) and the call plan
 *   (`targets`, `talkSeconds`, `hangupAfterSeconds`, seconds)
 * @param baseUrl - the URL the call is played against
 * @returns the follow function of one call: the notifications to send after `reply`, with the
 *   transcript entries of that step
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the returned function) when an
 *   answer breaks the spec, with each problem in the message
 */
export function createOzekiFollower(
  options: OzekiCallScenarioOptions,
  baseUrl: string,
): (reply: OzekiAnswerReply) => CallStep {
  const entries = [...(options.digits ?? ['1234'])];
  const plan: CallPlan = options;
  let now = 0;
  let ended = false;
  let pending: TranscriptEntry[] = [];

  const end = (
    outcome: CallEndOutcome,
    cause: string,
    by: 'caller' | 'callee' | 'app' | 'provider',
  ): RunResult => {
    if (!ended) {
      pending.push({ kind: 'ended', at: now, outcome, cause, durationSeconds: now, by });
      ended = true;
    }
    return STOP;
  };
  /** Moves the clock on; `false` (the call ended) when the caller hangs up meanwhile. */
  const pass = (duration: number): boolean => {
    const hangup = plan.hangupAfterSeconds;
    if (hangup !== undefined && hangup < now + duration) {
      now = Math.max(now, hangup);
      end('completed', 'the caller hung up', 'caller');
      return false;
    }
    now += duration;
    return true;
  };
  const ring = (target: string, ringSeconds: number, what: string): RunResult => {
    const rang = ringTargets(plan, [target], now, { timeoutSeconds: ringSeconds });
    pending.push(...rang.transcript);
    now = rang.endedAt;
    if (rang.answered !== undefined) {
      const talk = talkSeconds(plan, rang.answered.at, DEFAULT_TALK_SECONDS);
      pending.push({ kind: 'talks', at: now, with: target, seconds: talk });
      now += talk;
      return end('completed', what, 'caller');
    }
    if (rang.failure === 'canceled') return end('canceled', what, 'caller');
    return end(rang.failure === 'busy' ? 'busy' : 'no-answer', what, 'provider');
  };
  const notification = (
    name: string,
    fields: Readonly<Record<string, string>>,
    url: string,
  ): RunResult => {
    const target = answerUrlTarget(url, baseUrl);
    if (target === undefined)
      return end('failed', `${name} URL cannot be read: ${url}`, 'provider');
    pending.push({ kind: 'follows', at: now, url: transcriptUrl(url) });
    return {
      kind: 'request',
      request: { ...ozekiNotification(name, fields), path: target.path, query: target.query },
    };
  };

  const userInput = (command: XmlElement, callId: string, nested: boolean): RunResult => {
    const initial = childElements(command).find((child) => child.name === 'InitialCommands');
    const inputs = childElements(childElements(command).find((child) => child.name === 'Inputs'));
    // Bounded: each pass takes an entry (or ends), so a BackKey loop ends with the entries.
    for (;;) {
      const heard = run(childElements(initial), callId, nested);
      if (heard.kind !== 'continue') return heard;
      const entry = entries.shift();
      if (entry === undefined) {
        const timeout = seconds(attribute(command, 'Timeout'), 0);
        pending.push({ kind: 'no-input', at: now, waitedSeconds: timeout });
        if (!pass(timeout)) return STOP;
        if (attribute(command, 'Repeat')?.toLowerCase() === 'true') {
          return end('completed', 'the caller hung up at a repeating UserInput', 'caller');
        }
        return CONTINUE;
      }
      pending.push({ kind: 'presses', at: now, digits: entry });
      if (!pass(OZEKI_KEYS_SECONDS)) return STOP;
      const backKey = attribute(command, 'BackKey');
      if (nested && backKey !== undefined && entry === backKey) return { kind: 'back' };
      const branch = inputs.find(
        (input) => input.name === 'Input' && attribute(input, 'Key') === entry,
      );
      if (branch !== undefined) {
        const result = run(childElements(branch), callId, true);
        if (result.kind === 'back') continue;
        return result;
      }
      const url = attribute(command, 'ForwardToUrl');
      if (url !== undefined) {
        return notification('DtmfEntered', { CallId: callId, DtmfDigits: entry }, url);
      }
      return CONTINUE;
    }
  };

  /** Runs `commands` in order (§4); `nested`: inside an Input branch of a UserInput. */
  function run(commands: readonly XmlElement[], callId: string, nested: boolean): RunResult {
    for (const command of commands) {
      if (ended) return STOP;
      let result: RunResult = CONTINUE;
      switch (command.name) {
        case 'Speak':
          pending.push({ kind: 'hears', at: now, what: mainParameter(command, 'Text') });
          if (!pass(OZEKI_PROMPT_SECONDS)) return STOP;
          break;
        case 'Play':
          pending.push({
            kind: 'hears',
            at: now,
            what: `audio ${mainParameter(command, 'AudioFile')}`,
          });
          if (!pass(OZEKI_PROMPT_SECONDS)) return STOP;
          break;
        case 'Delay':
          if (!pass(seconds(mainParameter(command, 'Time'), 0))) return STOP;
          break;
        case 'Hangup':
          return end('completed', 'OzML <Hangup>', 'app');
        case 'Reject':
          return end('rejected', 'OzML <Reject>: not picked up', 'app');
        case 'UserInput':
          result = userInput(command, callId, nested);
          break;
        case 'GoTo': {
          const url = mainParameter(command, 'Url');
          if (!/^https?:\/\//i.test(url) && /\s/.test(url)) {
            pending.push({ kind: 'note', at: now, text: 'GoTo runs SQL OzML (not simulated)' });
            return end('completed', 'SQL OzML is not simulated', 'provider');
          }
          return notification('GoTo', { CallId: callId }, url);
        }
        case 'BlindTransfer': {
          const target = mainParameter(command, 'Target');
          return ring(target, OZEKI_RING_SECONDS, `BlindTransfer to ${target}`);
        }
        case 'Forward':
        case 'ForwardCall': {
          const target = mainParameter(command, 'Destination');
          return ring(target, OZEKI_RING_SECONDS, `Forward to ${target}`);
        }
        case 'Route': {
          const target = mainParameter(command, 'Destination');
          if (target === '') return end('rejected', 'Route with an empty Destination', 'app');
          const ringSeconds = seconds(attribute(command, 'RingTime'), OZEKI_RING_SECONDS);
          return ring(target, ringSeconds, `Route to ${target}`);
        }
        case 'Call':
          pending.push({
            kind: 'note',
            at: now,
            text: `a new call goes out to ${mainParameter(command, 'Dialled') || (attribute(command, 'Dialed') ?? '')}`,
          });
          break;
        case 'Record':
          pending.push({ kind: 'note', at: now, text: 'the call is recorded' });
          break;
        case 'SendSms':
          pending.push({
            kind: 'note',
            at: now,
            text: `an SMS goes to ${attribute(command, 'Recipient') ?? ''}`,
          });
          break;
        default:
          break;
      }
      if (result.kind !== 'continue') return result;
    }
    return CONTINUE;
  }

  const flush = (requests: TestRequest[]): CallStep => {
    const transcript = pending;
    pending = [];
    return { requests, transcript };
  };

  return (reply) => {
    if (ended) return flush([]);
    if (
      reply.request.event !== 'IncomingCall' &&
      reply.request.event !== 'DtmfEntered' &&
      reply.request.event !== 'GoTo'
    )
      return flush([]);
    const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
    if (!ok || reply.body.trim() === '') {
      end(
        'failed',
        `no OzML (${reply.status === undefined ? 'no reply' : ok ? 'empty' : `HTTP ${reply.status}`}): hung up`,
        'provider',
      );
      return flush([]);
    }
    assertValidAnswer(OZEKI_RULES, 'Ozeki', reply.request.event, reply.body);
    const callId = new URLSearchParams(reply.request.body).get('CallId') ?? '';
    const result = run(childElements(parseXml(reply.body)), callId, false);
    if (result.kind === 'request') return flush([result.request]);
    end('completed', 'end of the OzML: Ozeki hangs up', 'app');
    return flush([]);
  };
}

/**
 * The first step of a simulated Ozeki call: the notifications of {@link ozekiCallScenario} and
 * the transcript's `call` entry (`CallerId` to `ApiExtension`).
 *
 * @throws {TypeError} for digits that are not DTMF keys (`0-9`, `*`, `#`)
 */
export function ozekiCallStart(options: OzekiCallScenarioOptions = {}): CallStep {
  const requests = ozekiCallScenario(options);
  return {
    requests,
    transcript: [
      {
        kind: 'call',
        at: 0,
        from: options.from ?? '1000',
        to: options.to ?? '9994',
        direction: 'in',
      },
    ],
  };
}

/** Ozeki's notifications in the test kit (spec §3): form-encoded POSTs, `NotificationName` first. */
export interface OzekiTestRequests {
  /** `IncomingCall` to an API extension. */
  incomingCall(options?: OzekiCallScenarioOptions): Promise<TestReply>;
  /** One `DtmfEntered` with `DtmfDigits` = `digits` for the call `callId`. */
  dtmfEntered(options: { readonly callId: string; readonly digits: string }): Promise<TestReply>;
  /** Any notification: `NotificationName` = `name`, then `fields` in order. */
  notification(name: string, fields?: Readonly<Record<string, string>>): Promise<TestReply>;
  /**
   * A whole call that follows the answers ({@link createOzekiFollower}): `IncomingCall`, then
   * a `DtmfEntered` to each `ForwardToUrl` the answers reach, with the next `digits` entry, a
   * `GoTo` to each `<GoTo>` URL; the played call's transcript is what the caller lives.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: OzekiCallScenarioOptions): Promise<PlayedCall>;
}
