/**
 * Simulated SignalWire cXML calls and test requests: the voice request, then what the app's
 * answers ask for (the `<Gather>` action with scripted digits, a `<Redirect>`, the `<Dial>` and
 * `<Record>` actions, followed as the TwiML family does, `../twiml/simulate.ts`), and the final
 * status callback — with SignalWire's fields (UUID ids, `HangupBy`, `HangupDirection`,
 * `SipResultCode`) and, given the signing key, the compatibility signature over the URL each
 * request is sent to.
 *
 * Spec: `docs/providers/signalwire.md` §2.1, §2.2, §2.3 (fields), §3.1 (signature).
 *
 * @module
 */
import { twimlRules } from '../twiml/validate';
import { assertValidTwimlReply } from '../twiml/simulate';
import { randomUUID } from 'node:crypto';
import type { TestReply, TestRequest } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';
import type { TwimlRequestKind } from '../twiml/requests';
import type { CallPlan, CallStep } from '../../testing/transcript';
export type { TwimlCallEnd, TwimlStatusCallbackBuilder } from '../twiml/simulate';
import {
  followTwimlCall,
  twimlCallStep,
  twimlRequest,
  type TwimlStatusCallbackBuilder,
} from '../twiml/simulate';
import { SIGNALWIRE_SIGNATURE_HEADER, signSignalwireRequest } from './verify';

/** SignalWire's validator rules (the TwiML rule table, SignalWire's dialect): what each followed answer is checked with. */
export const SIGNALWIRE_RULES = twimlRules(
  'signalwire',
  'signalwire',
  'docs/providers/signalwire.md',
);

/** Options of a simulated SignalWire call. */
export interface SignalwireCallScenarioOptions {
  /** `CallSid`, a UUID. Default: a random one. */
  readonly callSid?: string | undefined;
  /** `AccountSid` (the project id), a UUID. Default: a fixed example UUID. */
  readonly accountSid?: string | undefined;
  /** `From`. Default `'+15551230001'`. */
  readonly from?: string | undefined;
  /** `To`. Default `'+15551230002'`. */
  readonly to?: string | undefined;
  /** `Direction`. Default `'inbound'`. */
  readonly direction?: 'inbound' | 'outbound-api' | undefined;
  /**
   * Digits the caller types, one entry per `<Gather>` met (a string is one entry); a `<Gather>`
   * without an entry left gets no input. Default: none.
   */
  readonly digits?: string | readonly string[] | undefined;
  /**
   * Forces the outcome of every `<Dial>` (`DialCallStatus`, spec §2.3): `busy`, `no-answer`,
   * `failed`, `canceled`; `completed` or none: the plan's `targets` decide.
   */
  readonly dialCallStatus?: string | undefined;
  /**
   * `CallStatus` of the final status callback: `completed`, `busy`, `no-answer`, `failed`,
   * `canceled`. Default `'completed'`; any other sends no voice request.
   */
  readonly finalStatus?: string | undefined;
  /**
   * Talk time in **seconds** of an answered `<Dial>` when the plan has no `talkSeconds`.
   * Default 30. The final callback's `CallDuration` is the call's length on the simulated
   * clock (with {@link signalwireCallScenario} alone: this value).
   */
  readonly durationSeconds?: number | undefined;
  /** HTTP method of the voice request and the status callback. Default `'POST'`. */
  readonly method?: 'POST' | 'GET' | undefined;
  /** The path of the voice request below the URL played against. Default `'/'`. */
  readonly path?: string | undefined;
  /** The path of the status callback. Default: the voice request's. */
  readonly statusPath?: string | undefined;
  /** Which `<Dial>` target answers when, the talk time, the caller's hang-up (`CallPlan`). */
  readonly targets?: CallPlan['targets'];
  /** Talk time in **seconds** once a dialled target answered. */
  readonly talkSeconds?: number | undefined;
  /** The caller hangs up this many **seconds** after the call started. */
  readonly hangupAfterSeconds?: number | undefined;
}

const USER_AGENT = 'SignalWire-Webhooks';
const PROJECT = '6bfbbe86-a901-4197-8759-2a0de1fa319d';

const sorted = (fields: Array<[string, string]>): Array<[string, string]> =>
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The call fields of a scenario (spec §2.1). */
function callFields(
  options: SignalwireCallScenarioOptions,
  callSid: string,
  status: string,
): Array<[string, string]> {
  return [
    ['AccountSid', options.accountSid ?? PROJECT],
    ['ApiVersion', '2010-04-01'],
    ['CallSid', callSid],
    ['CallStatus', status],
    ['Direction', options.direction ?? 'inbound'],
    ['From', options.from ?? '+15551230001'],
    ['To', options.to ?? '+15551230002'],
  ];
}

/** One cXML request: `fields` form-encoded in a POST body (or a GET query), unsigned. */
export function signalwireRequest(
  event: TwimlRequestKind,
  fields: ReadonlyArray<readonly [string, string]>,
  target: { method?: 'POST' | 'GET' | undefined; path?: string | undefined; query?: string } = {},
): TestRequest {
  return twimlRequest(
    event,
    fields,
    {
      ...(target.method === undefined ? {} : { method: target.method }),
      ...(target.path === undefined ? {} : { path: target.path }),
      ...(target.query === undefined ? {} : { query: target.query }),
    },
    USER_AGENT,
  );
}

/**
 * The `X-SignalWire-Signature` of a request body sent with `method` to the full `url` (spec
 * §3.1): over the URL and the form parameters of a POST, over the URL alone for a GET.
 */
export function signSignalwireForm(
  signingKey: string,
  url: string,
  method: string,
  body: Buffer | string,
): string {
  if (method.toUpperCase() === 'GET') return signSignalwireRequest(signingKey, url);
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body.toString())) {
    const had = params[name];
    params[name] = had === undefined ? value : [...(typeof had === 'string' ? [had] : had), value];
  }
  return signSignalwireRequest(signingKey, url, params);
}

/** The request with `X-SignalWire-Signature` for the full `url` it is sent to. */
export function signSignalwireTestRequest(
  request: TestRequest,
  url: string,
  signingKey: string,
): TestRequest {
  return {
    ...request,
    headers: {
      ...request.headers,
      [SIGNALWIRE_SIGNATURE_HEADER]: signSignalwireForm(
        signingKey,
        url,
        request.method,
        request.body,
      ),
    },
  };
}

/**
 * The requests of a whole call that do not depend on the answers: the voice request (unless
 * the call was never answered) and the final status callback. {@link followSignalwireAnswer}
 * adds the rest as the answers ask.
 */
export function signalwireCallScenario(
  options: SignalwireCallScenarioOptions = {},
  callSid: string = options.callSid ?? randomUUID(),
): TestRequest[] {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/';
  const final = options.finalStatus ?? 'completed';
  const requests: TestRequest[] = [];
  if (final === 'completed') {
    requests.push(
      signalwireRequest('voice', callFields(options, callSid, 'ringing'), { method, path }),
    );
  }
  const status: Array<[string, string]> = [
    ...callFields(options, callSid, final),
    ['CallbackSource', 'call-progress-events'],
    ['HangupBy', options.from ?? '+15551230001'],
    ['HangupDirection', 'inbound'],
    ['SequenceNumber', '0'],
    ['SipResultCode', final === 'completed' ? '200' : final === 'busy' ? '486' : '487'],
    ['Timestamp', new Date().toUTCString().replace('GMT', '+0000')],
  ];
  if (final === 'completed') status.push(['CallDuration', String(options.durationSeconds ?? 30)]);
  requests.push(
    signalwireRequest('status-callback', sorted(status), {
      method,
      path: options.statusPath ?? path,
    }),
  );
  return requests;
}

/** `SipResultCode` of a final `CallStatus` (200 answered, 486 busy, 487 otherwise; spec §2.2). */
function sipResultCode(status: string): string {
  return status === 'completed' ? '200' : status === 'busy' ? '486' : '487';
}

/** The transcript's cause of a SignalWire call that ended with `CallStatus` `status`. */
function signalwireCause(status: string, direction = 'inbound'): string {
  return `CallStatus=${status} SipResultCode=${sipResultCode(status)} HangupDirection=${direction}`;
}

/**
 * The first step of a simulated SignalWire call: the voice request with the transcript's
 * `call` entry; the status callback comes from {@link followSignalwireAnswer} when the call
 * ends. A call never answered (`finalStatus` other than `completed`) is its callback alone,
 * with its `ended` entry.
 */
export function signalwireCallStep(options: SignalwireCallScenarioOptions = {}): CallStep {
  return twimlCallStep(signalwireCallScenario(options), options, (status) =>
    signalwireCause(status),
  );
}

/**
 * SignalWire's final status callback for the end of a simulated call (spec §2.2):
 * `CallStatus`, `CallDuration` (seconds on the simulated clock, completed only),
 * `SipResultCode` (200, 486 busy, 487 otherwise, as the captured callbacks show),
 * `HangupBy` (the number that hung up: `From` when the caller did, `To` when the cXML side
 * did) and `HangupDirection` (`inbound` for the caller, `outbound` for the cXML side — the
 * reference lists the values, which side each names is this model's reading).
 */
export function signalwireStatusCallback(
  options: SignalwireCallScenarioOptions,
): TwimlStatusCallbackBuilder {
  return (end, call) => {
    const from = call.get('From') ?? options.from ?? '+15551230001';
    const to = call.get('To') ?? options.to ?? '+15551230002';
    const requests = signalwireCallScenario(
      { ...options, from, to, finalStatus: end.status, durationSeconds: end.durationSeconds },
      call.get('CallSid') ?? options.callSid ?? randomUUID(),
    );
    const last = requests[requests.length - 1] as TestRequest;
    const get = last.method === 'GET';
    const fields = new URLSearchParams(get ? (last.query ?? '') : last.body);
    const direction = end.by === 'caller' ? 'inbound' : 'outbound';
    fields.set('HangupBy', end.by === 'caller' ? from : to);
    fields.set('HangupDirection', direction);
    const request = signalwireRequest('status-callback', [...fields], {
      method: get ? 'GET' : 'POST',
      path: last.path,
    });
    return { request, cause: signalwireCause(end.status, direction) };
  };
}

/** Fields of the TwiML simulation that cXML does not document (spec §2.1, §2.3). */
const NOT_CXML = new Set(['Called', 'Caller', 'FinishedOnKey', 'DialBridged']);

/**
 * The requests SignalWire sends next after `reply` answered the last of `sent`, and what the
 * caller lives meanwhile (the transcript, the `<Dial>` rung by the plan's `targets`, the
 * status callback of {@link signalwireStatusCallback} at the end), as the TwiML family
 * follows answers (`followTwimlCall`) (a `<Gather>` posts the next `digits` entry to its action, a
 * `<Redirect>` is fetched, `<Dial>`/`<Record>` actions post their results; `<Hangup>`,
 * `<Reject>` and the end of the document end the call), without the fields cXML does not
 * document. Unsigned: the CLI and the test kit sign each for the URL it goes to.
 */
export function followSignalwireAnswer(
  reply: {
    readonly request: TestRequest;
    readonly status: number | undefined;
    readonly body: string;
  },
  sent: readonly TestRequest[],
  options: SignalwireCallScenarioOptions,
  baseUrl: string,
): CallStep {
  assertValidTwimlReply(reply, SIGNALWIRE_RULES, 'SignalWire');
  const step = followTwimlCall(reply, sent, options, baseUrl, signalwireStatusCallback(options));
  const requests = step.requests.map((next) => {
    if (next.method === 'GET' || next.event === 'status-callback') return next;
    const fields = [...new URLSearchParams(next.body)].filter(([name]) => !NOT_CXML.has(name));
    return signalwireRequest(next.event as TwimlRequestKind, fields, {
      method: 'POST',
      path: next.path,
      query: next.query ?? '',
    });
  });
  return { requests, transcript: step.transcript };
}

/** The requests of the test kit for a SignalWire app (`client.signalwire`). */
export interface SignalwireTestRequests {
  /** The voice request of a new call (spec §2.1). */
  voice(options?: SignalwireCallScenarioOptions): Promise<TestReply>;
  /** A `<Gather>` action with `digits` (a string; default `'1'`) (spec §2.3). */
  gather(
    options?: SignalwireCallScenarioOptions & { readonly actionPath?: string },
  ): Promise<TestReply>;
  /** The final status callback (spec §2.2). */
  statusCallback(options?: SignalwireCallScenarioOptions): Promise<TestReply>;
  /** Any request: its kind, its fields, where it goes. */
  request(
    event: TwimlRequestKind,
    fields: ReadonlyArray<readonly [string, string]>,
    target?: { method?: 'POST' | 'GET'; path?: string; query?: string },
  ): Promise<TestReply>;
  /** A whole call that follows the app's answers, as `callcontrol simulate signalwire` plays it. */
  playCall(options?: SignalwireCallScenarioOptions): Promise<PlayedCall>;
}
