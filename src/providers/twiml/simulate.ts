/**
 * Simulated calls of the TwiML family, as the provider's platform makes them: the voice
 * request, then what the app's answers ask for — the `<Gather>` action with scripted digits,
 * a `<Redirect>`, the `<Dial>` and `<Record>` actions — and the final status callback.
 * Provider-neutral: form-encoded requests with the call fields of
 * `docs/providers/twilio.md` §2.1; the provider folders add their signature.
 *
 * @module
 */
import { assertValidAnswer, elementText, transcriptUrl } from '../plugin-kit';
import type { ProviderRules } from '../../validate/types';
import { parseXml } from '../../testing/xml';
import type { XmlElement } from '../../core/xml';
import type { TestRequest } from '../../testing/reply';
import {
  ringTargets,
  talkSeconds,
  type CallEndOutcome,
  type CallPlan,
  type CallStep,
  type TargetBehaviour,
  type TranscriptEntry,
} from '../../testing/transcript';
import type { TwimlRequestKind } from './requests';

/**
 * Options of a simulated TwiML call, with the neutral call plan ({@link CallPlan}: `targets`
 * — which `<Dial>` target answers after how many seconds, is busy or never answers —,
 * `talkSeconds`, `hangupAfterSeconds`).
 */
export interface TwimlCallScenarioOptions extends CallPlan {
  /** `CallSid`. Default: `CA` and 32 random hex digits. */
  readonly callSid?: string | undefined;
  /** `AccountSid`. Default `AC` and 32 zeros and ones. */
  readonly accountSid?: string | undefined;
  /** `From`. Default `'+15005550006'`. */
  readonly from?: string | undefined;
  /** `To`. Default `'+15005550001'`. */
  readonly to?: string | undefined;
  /** `Direction`. Default `'inbound'`. */
  readonly direction?: 'inbound' | 'outbound-api' | undefined;
  /**
   * Digits the caller types, one entry per `<Gather>` met (a string is one entry): the n-th
   * `<Gather>` of the call gets the n-th entry as `Digits`; a `<Gather>` without an entry left
   * gets no input (the document goes on after it). Default: none.
   */
  readonly digits?: string | readonly string[] | undefined;
  /**
   * Forces the outcome of every `<Dial>` (docs/providers/twilio.md §2.5): `busy` (every
   * target busy), `no-answer` (none answers before the dial's `timeout`), `failed`, `canceled`
   * (the caller hangs up while it rings); `completed` or none: the plan's `targets` decide.
   */
  readonly dialCallStatus?: string | undefined;
  /**
   * `CallStatus` of the final status callback: `completed`, `busy`, `no-answer`, `failed`,
   * `canceled`. Default `'completed'`; other than `completed` sends no voice request (the call
   * was never answered).
   */
  readonly finalStatus?: string | undefined;
  /**
   * Talk time in **seconds** of a `<Dial>` answered (and of a wait in `<Enqueue>`) when the
   * plan has no `talkSeconds`. Default 30. `CallDuration` of the final status callback is the
   * call's length on the simulated clock.
   */
  readonly durationSeconds?: number | undefined;
  /** HTTP method of the voice request and status callback. Default `'POST'`. */
  readonly method?: 'POST' | 'GET' | undefined;
  /** The path (below the URL the call is played against) of the voice request. Default `'/'`. */
  readonly path?: string | undefined;
  /** The path of the status callback. Default: the voice request's. */
  readonly statusPath?: string | undefined;
}

/** A random `CallSid`-like id: `prefix` and 32 hex digits. */
export function twimlSid(prefix: string): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(Math.random() * 16).toString(16);
  return `${prefix}${hex}`;
}

/** The call fields (docs/providers/twilio.md §2.1) of a scenario, in alphabetical order as the fixtures write them. */
function callFields(
  options: TwimlCallScenarioOptions,
  callSid: string,
  status: string,
): Array<[string, string]> {
  const from = options.from ?? '+15005550006';
  const to = options.to ?? '+15005550001';
  return [
    ['AccountSid', options.accountSid ?? 'AC01010101010101010101010101010101'],
    ['ApiVersion', '2010-04-01'],
    ['CallSid', callSid],
    ['CallStatus', status],
    ['Called', to],
    ['Caller', from],
    ['Direction', options.direction ?? 'inbound'],
    ['From', from],
    ['To', to],
  ];
}

/**
 * One TwiML request: `fields` form-encoded in the body of a POST
 * (`application/x-www-form-urlencoded`), or in the query of a GET (appended to `query`).
 */
export function twimlRequest(
  event: TwimlRequestKind,
  fields: ReadonlyArray<readonly [string, string]>,
  target: { method?: string; path?: string; query?: string } = {},
  userAgent = 'TwilioProxy/1.1',
): TestRequest {
  const encoded = new URLSearchParams(fields as Array<[string, string]>).toString();
  const method = (target.method ?? 'POST').toUpperCase();
  const path = target.path ?? '/';
  const query = target.query ?? '';
  if (method === 'GET') {
    return {
      event,
      method,
      headers: { 'user-agent': userAgent },
      body: '',
      path,
      query: query === '' ? encoded : `${query}&${encoded}`,
    };
  }
  return {
    event,
    method,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': userAgent,
    },
    body: encoded,
    path,
    query,
  };
}

/**
 * The requests of a whole call that do not depend on the answers: the voice request (unless
 * the call was never answered, `finalStatus` other than `completed`) and the final status
 * callback. {@link followTwiml} adds the rest as the answers ask.
 */
export function twimlCallScenario(
  options: TwimlCallScenarioOptions = {},
  callSid: string = options.callSid ?? twimlSid('CA'),
): TestRequest[] {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/';
  const final = options.finalStatus ?? 'completed';
  const requests: TestRequest[] = [];
  if (final === 'completed') {
    requests.push(twimlRequest('voice', callFields(options, callSid, 'ringing'), { method, path }));
  }
  const status: Array<[string, string]> = [
    ...callFields(options, callSid, final),
    ['CallbackSource', 'call-progress-events'],
    ['SequenceNumber', '0'],
    ['Timestamp', new Date().toUTCString().replace('GMT', '+0000')],
  ];
  if (final === 'completed') {
    status.push(['CallDuration', String(options.durationSeconds ?? 30)]);
    status.push(['Duration', String(Math.max(1, Math.ceil((options.durationSeconds ?? 30) / 60)))]);
  }
  status.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  requests.push(
    twimlRequest('status-callback', status, { method, path: options.statusPath ?? path }),
  );
  return requests;
}

/** A URL of an answer as a request target below `baseUrl`; `undefined` when it is elsewhere. */
function targetOf(
  url: string,
  current: TestRequest,
  baseUrl: string,
): { path: string; query: string } | undefined {
  const base = baseUrl.replace(/\/+$/, '');
  let absolute: URL;
  try {
    const currentUrl = `${base}${current.path ?? '/'}${current.query ? `?${current.query}` : ''}`;
    absolute = new URL(url, currentUrl);
  } catch {
    return undefined;
  }
  const baseUrlParsed = new URL(base);
  const basePath = baseUrlParsed.pathname.replace(/\/+$/, '');
  if (absolute.origin !== baseUrlParsed.origin) return undefined;
  if (!absolute.pathname.startsWith(basePath)) return undefined;
  const path = absolute.pathname.slice(basePath.length) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, query: absolute.search.slice(1) };
}

/** The digits entries of a scenario as a list. */
function digitEntries(digits: string | readonly string[] | undefined): readonly string[] {
  return digits === undefined ? [] : typeof digits === 'string' ? [digits] : digits;
}

/** The call fields of the request a reply answered (its CallSid, numbers…), for the next one. */
function fieldsOf(request: TestRequest): Map<string, string> {
  const text = request.method === 'GET' ? (request.query ?? '') : request.body;
  return new Map(new URLSearchParams(text));
}

// ---------------------------------------------------------------------------------------------
// The call model: the answers followed, the transcript, the simulated clock
// ---------------------------------------------------------------------------------------------

/** Seconds a prompt (`<Say>`, `<Play>`, each loop) takes on the simulated clock. */
export const PROMPT_SECONDS = 2;

/** Seconds the caller takes to type the digits of a prompt. */
export const TYPING_SECONDS = 1;

/** Length in **seconds** of a message left with `<Record>`. */
export const RECORDING_SECONDS = 5;

/** `<Gather timeout>` default in **seconds** (docs/providers/twilio.md §2.4, telnyx.md §5.3). */
const GATHER_TIMEOUT_SECONDS = 5;

/** `<Dial timeout>` default in **seconds** (docs/providers/telnyx.md §5.3, signalwire.md §5.2). */
const DIAL_TIMEOUT_SECONDS = 30;

/** How a simulated TwiML call ended: what the provider's final status callback tells. */
export interface TwimlCallEnd {
  /**
   * `CallStatus` of the final status callback (docs/providers/twilio.md §2.2, §2.3):
   * `completed` for an answered call, `busy` / `no-answer` for a `<Reject>` as the first verb.
   */
  readonly status: string;
  /** The call's length in whole **seconds** on the simulated clock (`CallDuration`). */
  readonly durationSeconds: number;
  /** The neutral outcome the transcript shows. */
  readonly outcome: CallEndOutcome;
  /** Who ended the call. */
  readonly by: 'caller' | 'callee' | 'app' | 'provider';
}

/**
 * Builds a provider's final status callback for the end of a call: the request (its own
 * fields) and the provider's cause as the transcript shows it (e.g.
 * `'CallStatus=completed'`). `call` holds the call fields of the last request (`CallSid`,
 * `From`, `To`…).
 */
export type TwimlStatusCallbackBuilder = (
  end: TwimlCallEnd,
  call: ReadonlyMap<string, string>,
) => { readonly request: TestRequest; readonly cause: string };

/** What the model remembers of one call between two answers (keyed by the call's `sent` list). */
interface CallState {
  /** Simulated clock, **seconds** since the call started. */
  clock: number;
  /** `<Gather>`s met so far (each takes the next digits entry). */
  gathers: number;
  /** The call ended: nothing more to send. */
  done: boolean;
  /** The caller hung up; the action request sent meanwhile gets its answer ignored. */
  ending?: TwimlCallEnd | undefined;
  /** The last `<Dial>` failed (busy, no-answer, failed) and nothing was heard since. */
  failedDial?: 'busy' | 'no-answer' | 'failed' | undefined;
}

const states = new WeakMap<object, CallState>();

/** The neutral outcome of a call that was never answered with final `CallStatus` `status`. */
function unansweredOutcome(status: string): CallEndOutcome {
  switch (status) {
    case 'busy':
    case 'no-answer':
    case 'canceled':
    case 'failed':
    case 'completed':
      return status;
    default:
      return 'failed';
  }
}

/**
 * The first step of a simulated TwiML call, from the provider's whole scenario (its voice
 * request and final status callback, e.g. {@link twimlCallScenario}): the voice request with
 * the transcript's `call` entry — the status callback then comes from
 * {@link followTwimlCall} when the call ends, with the call's real `CallStatus` and
 * `CallDuration`. A call never answered (`finalStatus` other than `completed`, no voice
 * request) is the status callback alone, its transcript the `call` and `ended` entries.
 *
 * @param cause - the provider's cause text for an unanswered call's `ended` entry
 */
export function twimlCallStep(
  scenario: readonly TestRequest[],
  options: Pick<TwimlCallScenarioOptions, 'direction'>,
  cause: (status: string) => string,
): CallStep {
  const first = scenario[0];
  if (first === undefined) return { requests: [], transcript: [] };
  const fields = fieldsOf(first);
  const call: TranscriptEntry = {
    kind: 'call',
    at: 0,
    from: fields.get('From') ?? '',
    to: fields.get('To') ?? '',
    direction: options.direction === 'outbound-api' ? 'out' : 'in',
  };
  if (first.event === 'voice') return { requests: [first], transcript: [call] };
  const status = fields.get('CallStatus') ?? 'failed';
  return {
    requests: [...scenario],
    transcript: [
      call,
      {
        kind: 'ended',
        at: 0,
        outcome: unansweredOutcome(status),
        cause: cause(status),
        durationSeconds: 0,
        by: 'provider',
      },
    ],
  };
}

/** A whole number ≥ 0 from an attribute, else `fallback`. */
function numberAttribute(value: string | undefined, fallback: number): number {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return fallback;
  return Number(value);
}

/** Call fields carried from one request of the call to the next (docs/providers/twilio.md §2.1). */
const CALL_FIELDS = [
  'AccountSid',
  'ApiVersion',
  'CallSid',
  'Called',
  'Caller',
  'Direction',
  'From',
  'To',
] as const;

const byName = (fields: Array<[string, string]>): Array<[string, string]> =>
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** A URL as the transcript shows it: below `baseUrl` when it is there, else absolute; secrets redacted. */
function shownUrl(target: { path: string; query: string } | undefined, url: string): string {
  if (target === undefined) return transcriptUrl(url);
  return transcriptUrl(target.query === '' ? target.path : `${target.path}?${target.query}`);
}

/**
 * Checks an answer the call model is about to run with the provider's validator rules
 * (`twimlRules` of `./validate.ts`): a 2xx reply with a body to a request that is not a status
 * callback. An empty body, an error status or no reply are left to the model (the platform's
 * application error, docs/providers/twilio.md §2.8).
 *
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` naming each problem's path, message and
 *   spec section, when the answer breaks the provider's rules
 */
export function assertValidTwimlReply(
  reply: {
    readonly request: TestRequest;
    readonly status: number | undefined;
    readonly body: string;
  },
  rules: ProviderRules,
  title: string,
): void {
  if (reply.request.event === 'status-callback') return;
  if (reply.status === undefined || reply.status < 200 || reply.status > 299) return;
  if (reply.body.trim() === '') return;
  assertValidAnswer(rules, title, reply.request.event, reply.body);
}

/**
 * The model of a TwiML call: what the platform sends next after `reply` answered the last of
 * `sent`, and what the caller lives meanwhile (the transcript, `src/testing/transcript.ts`),
 * on a simulated clock. The answer's verbs run in document order (docs/providers/twilio.md §5.1,
 * docs/providers/telnyx.md §5.1, docs/providers/signalwire.md §5.1):
 * - `<Say>` / `<Play>`: `hears` the text or `audio <url>`, {@link PROMPT_SECONDS} per loop;
 *   `<Pause length>` (default 1 s) only moves the clock.
 * - `<Gather>` (docs/providers/twilio.md §2.4): its prompts, then the next `digits` entry is `presses` and posted
 *   (`Digits`, `FinishedOnKey`) to its `action` (default: the current document) — a `follows`
 *   entry; with no entry left, `no-input` after its `timeout` (default 5 s) and the document
 *   goes on (unless `actionOnEmptyResult="true"`).
 * - `<Redirect>`: `follows`, requested as a voice request (`method`, default POST).
 * - `<Dial>` (docs/providers/twilio.md §2.5): rings its `<Number>`/`<Sip>`/`<Client>` targets (text: a number) with
 *   {@link ringTargets} — all at once, or one after the other with `sequential="true"`, each
 *   up to its `timeout` (default 30 s) — by the plan's `targets`. Answered: `talks` for the
 *   plan's `talkSeconds` (default `durationSeconds`, 30), then the caller hangs up; the
 *   `action` gets `DialCallStatus=completed`, `DialCallDuration` = the talk time,
 *   `DialBridged=true`, its answer is ignored (the call is over), then the status callback.
 *   Every target busy: `DialCallStatus=busy`; none answered: `no-answer`; no target:
 *   `failed` — the `action` (if any) is requested and its answer run, else the document goes
 *   on. The caller hanging up while it rings: `canceled` (docs/providers/twilio.md §2.2), the action requested, the
 *   call over. `<Conference>` and `<Queue>` nouns connect at once (a `note`, then `talks`).
 * - `<Record>`: a `note`, {@link RECORDING_SECONDS} of message, its `action` gets
 *   `RecordingUrl`, `RecordingDuration`, `Digits` (docs/providers/twilio.md §2.7); without `action` the document goes
 *   on.
 * - `<Enqueue>`: `note`; no agent takes the call here: the caller waits `talkSeconds`
 *   (default `durationSeconds`) or until `hangupAfterSeconds`, then hangs up.
 * - `<Reject>` as the first verb of the voice request: the call is never answered, its final
 *   `CallStatus` is `busy` for `reason="busy"` and `no-answer` for `rejected` (the default) —
 *   Twilio's and SignalWire's `<Reject>` pages (https://www.twilio.com/docs/voice/twiml/reject,
 *   https://developer.signalwire.com/compatibility-api/cxml/voice/reject); the references
 *   list only the attribute (twilio.md §5.3, telnyx.md §5.3). Later in a call it hangs up
 *   like `<Hangup>`.
 * - `<Hangup>` and the end of the document end the call (`completed`; after a failed
 *   `<Dial>` with nothing heard since, the dial's `busy`/`no-answer`/`failed`).
 * - `<Leave>`, `<Connect>`, `<Pay>`, `<Refer>`, `<Echo>` are not simulated: a `note`, and the
 *   call ends.
 * - A reply that is not a 2xx `<Response>` document: the platform's application error
 *   (docs/providers/twilio.md §2.8, e.g. error 11200; no fallback URL is simulated), the call
 *   ends as `failed` (its `CallStatus` stays `completed`: it was answered to say so).
 * - URLs outside `baseUrl` are not followed: a `note`, and the call ends.
 * - `hangupAfterSeconds`: the caller hangs up then, whatever runs (a prompt, a ring, a talk).
 *
 * Every end of the call sends the provider's status callback (`status`, with `CallStatus`
 * and `CallDuration` of the simulated clock) and writes exactly one `ended` entry. Requests
 * that are notifications (status callbacks) get nothing. The model keeps each call's clock
 * by its `sent` list (one list per call, as the CLI and the test kit hand it over).
 */
export function followTwimlCall(
  reply: {
    readonly request: TestRequest;
    readonly status: number | undefined;
    readonly body: string;
  },
  sent: readonly TestRequest[],
  options: TwimlCallScenarioOptions,
  baseUrl: string,
  status: TwimlStatusCallbackBuilder,
): CallStep {
  const request = reply.request;
  const none: CallStep = { requests: [], transcript: [] };
  if (request.event === 'status-callback') return none;
  let state = states.get(sent);
  if (state === undefined) {
    state = {
      clock: 0,
      gathers: sent.filter((each) => each.event === 'gather').length,
      done: false,
    };
    states.set(sent, state);
  }
  if (state.done) return none;
  const call = state;
  const previous = fieldsOf(request);
  const transcript: TranscriptEntry[] = [];
  const hangupAt = options.hangupAfterSeconds;

  const end = (how: Omit<TwimlCallEnd, 'durationSeconds'>, at = call.clock): CallStep => {
    call.done = true;
    const ended: TwimlCallEnd = { ...how, durationSeconds: Math.round(at) };
    const callback = status(ended, previous);
    transcript.push({
      kind: 'ended',
      at,
      outcome: ended.outcome,
      cause: callback.cause,
      durationSeconds: ended.durationSeconds,
      by: ended.by,
    });
    return { requests: [callback.request], transcript };
  };
  const callerHangsUp = (): CallStep =>
    end({ status: 'completed', outcome: 'completed', by: 'caller' }, hangupAt ?? call.clock);
  /** Moves the clock; `true` when the caller hangs up meanwhile (the clock stops there). */
  const passes = (seconds: number): boolean => {
    if (hangupAt !== undefined && call.clock + seconds > hangupAt) {
      call.clock = Math.max(call.clock, hangupAt);
      return true;
    }
    call.clock += seconds;
    return false;
  };

  // The answer to an action sent after the caller hung up: ignored, the call is over.
  if (call.ending !== undefined) return end(call.ending, call.clock);
  if (reply.status === undefined || reply.status < 200 || reply.status > 299) {
    transcript.push({
      kind: 'note',
      at: call.clock,
      text: `the provider got HTTP ${reply.status ?? 'nothing'} and reads its application error message`,
    });
    passes(PROMPT_SECONDS);
    return end({ status: 'completed', outcome: 'failed', by: 'provider' });
  }
  let root: XmlElement;
  try {
    root = parseXml(reply.body);
  } catch {
    root = { name: '' };
  }
  if (root.name !== 'Response') {
    transcript.push({
      kind: 'note',
      at: call.clock,
      text: 'the provider cannot read the answer as TwiML and reads its application error message',
    });
    passes(PROMPT_SECONDS);
    return end({ status: 'completed', outcome: 'failed', by: 'provider' });
  }

  const carried: Array<[string, string]> = [];
  for (const name of CALL_FIELDS) {
    const value = previous.get(name);
    if (value !== undefined) carried.push([name, value]);
  }
  const inProgress: Array<[string, string]> = [...carried, ['CallStatus', 'in-progress']];
  const entries = digitEntries(options.digits);
  const send = (
    event: TwimlRequestKind,
    fields: Array<[string, string]>,
    target: { path: string; query: string },
    method: string | undefined,
  ): TestRequest =>
    twimlRequest(event, byName([...inProgress, ...fields]), {
      ...target,
      method: method ?? 'POST',
    });
  const notFollowed = (url: string): CallStep => {
    transcript.push({
      kind: 'note',
      at: call.clock,
      text: `the provider fetches ${url}, outside the simulated app: not followed`,
    });
    return end({ status: 'completed', outcome: 'completed', by: 'provider' });
  };
  /** Runs a prompt verb (`Say`, `Play`, `Pause`); `true` when the caller hung up during it. */
  const prompt = (verb: XmlElement): boolean => {
    const attributes = verb.attributes ?? {};
    if (verb.name === 'Pause') return passes(numberAttribute(attributes['length'], 1));
    if (verb.name !== 'Say' && verb.name !== 'Play') return false;
    const loops = Math.max(1, numberAttribute(attributes['loop'], 1));
    const text = elementText(verb);
    const what = verb.name === 'Say' ? text : `audio ${text}`;
    transcript.push({
      kind: 'hears',
      at: call.clock,
      what: loops > 1 ? `${what} (${loops} times)` : what,
    });
    call.failedDial = undefined;
    return passes(PROMPT_SECONDS * loops);
  };

  const verbs = (root.children ?? []).filter(
    (item): item is XmlElement => typeof item !== 'string',
  );
  for (const [index, verb] of verbs.entries()) {
    if (hangupAt !== undefined && call.clock >= hangupAt) return callerHangsUp();
    const attributes = verb.attributes ?? {};
    const method = attributes['method'];
    switch (verb.name) {
      case 'Say':
      case 'Play':
      case 'Pause':
        if (prompt(verb)) return callerHangsUp();
        continue;
      case 'Gather': {
        for (const child of verb.children ?? []) {
          if (typeof child !== 'string' && prompt(child)) return callerHangsUp();
        }
        const digits = entries[call.gathers];
        call.gathers += 1;
        call.failedDial = undefined;
        if (digits === undefined) {
          const timeout = numberAttribute(attributes['timeout'], GATHER_TIMEOUT_SECONDS);
          transcript.push({ kind: 'no-input', at: call.clock, waitedSeconds: timeout });
          if (passes(timeout)) return callerHangsUp();
          if (attributes['actionOnEmptyResult'] !== 'true') continue;
        } else {
          transcript.push({ kind: 'presses', at: call.clock, digits });
          if (passes(TYPING_SECONDS)) return callerHangsUp();
        }
        const action = attributes['action'] ?? '';
        const target = targetOf(action, request, baseUrl);
        if (target === undefined) return notFollowed(action);
        transcript.push({ kind: 'follows', at: call.clock, url: shownUrl(target, action) });
        return {
          requests: [
            send(
              'gather',
              [
                ['Digits', digits ?? ''],
                ['FinishedOnKey', ''],
              ],
              target,
              method,
            ),
          ],
          transcript,
        };
      }
      case 'Redirect': {
        const url = elementText(verb);
        const target = targetOf(url, request, baseUrl);
        if (target === undefined) return notFollowed(url);
        transcript.push({ kind: 'follows', at: call.clock, url: shownUrl(target, url) });
        return { requests: [send('voice', [], target, method)], transcript };
      }
      case 'Dial': {
        const result = dial(verb, options, call, transcript);
        const action = attributes['action'];
        const target = action === undefined ? undefined : targetOf(action, request, baseUrl);
        if (action !== undefined && target === undefined) {
          if (result.ending !== undefined) return end(result.ending);
          return notFollowed(action);
        }
        if (result.ending !== undefined && target === undefined) return end(result.ending);
        if (target !== undefined) {
          call.ending = result.ending;
          if (result.ending === undefined) {
            transcript.push({
              kind: 'follows',
              at: call.clock,
              url: shownUrl(target, action ?? ''),
            });
          }
          const dialFields: Array<[string, string]> = [
            ['DialCallStatus', result.status],
            ['DialCallSid', twimlSid('CA')],
            ['DialCallDuration', String(Math.round(result.talkSeconds))],
            ['DialBridged', result.status === 'completed' ? 'true' : 'false'],
          ];
          return { requests: [send('dial', dialFields, target, method)], transcript };
        }
        continue;
      }
      case 'Record': {
        transcript.push({
          kind: 'note',
          at: call.clock,
          text: 'hears the beep and records a message',
        });
        call.failedDial = undefined;
        const start = call.clock;
        const cut = passes(RECORDING_SECONDS);
        const length = Math.round(call.clock - start);
        transcript.push({ kind: 'note', at: call.clock, text: `leaves a message of ${length} s` });
        const action = attributes['action'];
        if (action === undefined) {
          if (cut) return callerHangsUp();
          continue;
        }
        const target = targetOf(action, request, baseUrl);
        if (target === undefined) return cut ? callerHangsUp() : notFollowed(action);
        if (cut) {
          call.ending = {
            status: 'completed',
            durationSeconds: 0,
            outcome: 'completed',
            by: 'caller',
          };
        } else {
          transcript.push({ kind: 'follows', at: call.clock, url: shownUrl(target, action) });
        }
        const sid = twimlSid('RE');
        return {
          requests: [
            send(
              'record',
              [
                ['RecordingDuration', String(length)],
                ['RecordingSid', sid],
                ['RecordingUrl', `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/${sid}`],
                ['Digits', cut ? 'hangup' : '#'],
              ],
              target,
              method,
            ),
          ],
          transcript,
        };
      }
      case 'Enqueue': {
        transcript.push({
          kind: 'note',
          at: call.clock,
          text: `waits in queue ${elementText(verb)} (no agent takes the call in the simulation)`,
        });
        passes(options.talkSeconds ?? options.durationSeconds ?? 30);
        return callerHangsUp();
      }
      case 'Reject': {
        const first = request.event === 'voice' && sent.length === 1 && index === 0;
        const busy = attributes['reason'] === 'busy';
        transcript.push({
          kind: 'note',
          at: call.clock,
          text: busy ? 'hears the busy signal' : 'hears that the number is not in service',
        });
        if (first) {
          return end({
            status: busy ? 'busy' : 'no-answer',
            outcome: busy ? 'busy' : 'rejected',
            by: 'app',
          });
        }
        return end({ status: 'completed', outcome: 'rejected', by: 'app' });
      }
      case 'Hangup':
        return end({ status: 'completed', outcome: call.failedDial ?? 'completed', by: 'app' });
      case 'Leave':
      case 'Connect':
      case 'Pay':
      case 'Refer':
      case 'Echo':
        transcript.push({
          kind: 'note',
          at: call.clock,
          text: `<${verb.name}> is not simulated: the call ends here`,
        });
        return end({ status: 'completed', outcome: 'completed', by: 'provider' });
      default:
        continue;
    }
  }
  return end({ status: 'completed', outcome: call.failedDial ?? 'completed', by: 'app' });
}

/** What one `<Dial>` came to. */
interface DialResult {
  /** `DialCallStatus` (docs/providers/twilio.md §2.5). */
  readonly status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  /** Talk time in **seconds** (`DialCallDuration`). */
  readonly talkSeconds: number;
  /** Set when the call is over with this dial (the caller hung up). */
  readonly ending?: TwimlCallEnd | undefined;
}

/** Runs one `<Dial>` on the clock of `call`, writing its `rings`/`talks` entries. */
function dial(
  verb: XmlElement,
  options: TwimlCallScenarioOptions,
  call: CallState,
  transcript: TranscriptEntry[],
): DialResult {
  const attributes = verb.attributes ?? {};
  const targets: string[] = [];
  let room: string | undefined;
  const text = elementText(verb);
  if (text !== '') targets.push(text);
  for (const noun of verb.children ?? []) {
    if (typeof noun === 'string') continue;
    if (noun.name === 'Number' || noun.name === 'Sip' || noun.name === 'Client') {
      targets.push(elementText(noun));
    } else if (noun.name === 'Conference') {
      room = `conference ${elementText(noun)}`;
    } else if (noun.name === 'Queue') {
      room = `the next caller of queue ${elementText(noun)}`;
    }
  }
  const caller = (): TwimlCallEnd => ({
    status: 'completed',
    durationSeconds: 0,
    outcome: 'completed',
    by: 'caller',
  });
  const defaultTalk = options.durationSeconds ?? 30;
  if (room !== undefined && targets.length === 0) {
    transcript.push({ kind: 'note', at: call.clock, text: `is connected to ${room}` });
    const talk = talkSeconds(options, call.clock, defaultTalk);
    transcript.push({ kind: 'talks', at: call.clock, with: room, seconds: talk });
    call.clock += talk;
    return { status: 'completed', talkSeconds: talk, ending: caller() };
  }
  const forced = options.dialCallStatus;
  if (targets.length === 0 || forced === 'failed') {
    transcript.push({
      kind: 'note',
      at: call.clock,
      text:
        targets.length === 0
          ? 'the dial has no target and fails'
          : `the dial to ${targets.join(', ')} fails`,
    });
    call.failedDial = 'failed';
    return { status: 'failed', talkSeconds: 0 };
  }
  const timeoutSeconds = numberAttribute(attributes['timeout'], DIAL_TIMEOUT_SECONDS);
  let plan: CallPlan = options;
  if (forced === 'busy' || forced === 'no-answer') {
    const every: Record<string, TargetBehaviour> = {};
    for (const target of targets) every[target] = forced;
    plan = { ...options, targets: every };
  } else if (forced === 'canceled') {
    const hangup = call.clock + Math.min(1, timeoutSeconds);
    plan = {
      ...options,
      hangupAfterSeconds: Math.min(options.hangupAfterSeconds ?? hangup, hangup),
    };
  }
  const rung = ringTargets(plan, targets, call.clock, {
    simultaneous: attributes['sequential'] !== 'true',
    timeoutSeconds,
  });
  transcript.push(...rung.transcript);
  call.clock = rung.endedAt;
  if (rung.answered !== undefined) {
    const talk = talkSeconds(plan, rung.answered.at, defaultTalk);
    transcript.push({ kind: 'talks', at: call.clock, with: rung.answered.target, seconds: talk });
    call.clock += talk;
    call.failedDial = undefined;
    return { status: 'completed', talkSeconds: talk, ending: caller() };
  }
  if (rung.failure === 'canceled')
    return { status: 'canceled', talkSeconds: 0, ending: { ...caller(), outcome: 'canceled' } };
  const failure = rung.failure ?? 'no-answer';
  call.failedDial = failure;
  return { status: failure, talkSeconds: 0 };
}

/**
 * The part of `callcontrol simulate <twilio|telnyx|signalwire> --help` that says how the
 * TwiML call model reads the scenario's plan (one text for the three providers).
 */
export const TWIML_PLAN_NOTES = `The scenario's plan (--scenario file: targets, talkSeconds, hangupAfterSeconds) decides each
<Dial>: its targets ring at once (one after the other with sequential="true"), each up to its
timeout (default 30 s); the action gets DialCallStatus completed/busy/no-answer/failed/canceled
and DialCallDuration (the talk time); --dial-status forces that outcome. The final callback is
sent when the call ends, with CallDuration from the simulated clock. A first-verb <Reject> ends
the call unanswered: CallStatus busy (reason="busy") or no-answer (rejected), as the providers'
<Reject> pages say (the reference lists only the attribute).`;
