/**
 * Simulated Telnyx TeXML calls and test requests: the instruction fetch, then what the app's
 * answers ask for (the `<Gather>` action with scripted digits, a `<Redirect>`, the `<Dial>` and
 * `<Record>` actions, followed as the TwiML family does, `../twiml/simulate.ts`), and the final
 * call-progress callback — with Telnyx's own fields (`CallSidLegacy`, `ConnectionId`,
 * `CallInitiatedAt`, ISO 8601 `Timestamp`) and, given a private key, Telnyx's Ed25519 signature
 * over `telnyx-timestamp|body`.
 *
 * Spec: `docs/providers/telnyx.md` §2.1, §2.2, §2.3, §2.4 (fields), §3 (signature).
 *
 * @module
 */
import { twimlRules } from '../twiml/validate';
import { assertValidTwimlReply } from '../twiml/simulate';
import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { TestReply, TestRequest } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';
import type { CallPlan, CallStep } from '../../testing/transcript';
export type { TwimlCallEnd, TwimlStatusCallbackBuilder } from '../twiml/simulate';
import {
  followTwimlCall,
  twimlCallStep,
  twimlRequest,
  type TwimlStatusCallbackBuilder,
} from '../twiml/simulate';
import type { TelnyxEventName } from './events';
import { TELNYX_SIGNATURE_HEADER, TELNYX_TIMESTAMP_HEADER, signTelnyxBody } from './verify';

/** Telnyx's validator rules (the TwiML rule table, Telnyx's dialect): what each followed answer is checked with. */
export const TELNYX_RULES = twimlRules('telnyx', 'telnyx', 'docs/providers/telnyx.md');

/** Options of a simulated Telnyx call. */
export interface TelnyxCallScenarioOptions {
  /** `CallSid` (and `CallSidLegacy`). Default: `v3:` and a random id. */
  readonly callSid?: string | undefined;
  /** `AccountSid`, a UUID. Default: a fixed example UUID. */
  readonly accountSid?: string | undefined;
  /** `ConnectionId`. Default `'1568109700606592442'`. */
  readonly connectionId?: string | undefined;
  /** `From`. Default `'+13122010091'`. */
  readonly from?: string | undefined;
  /** `To`. Default `'+13122010090'`. */
  readonly to?: string | undefined;
  /**
   * Digits the caller types, one entry per `<Gather>` met (a string is one entry); a `<Gather>`
   * without an entry left gets no input. Default: none.
   */
  readonly digits?: string | readonly string[] | undefined;
  /**
   * Forces the outcome of every `<Dial>` (`DialCallStatus`, spec §2.4): `busy`, `no-answer`,
   * `failed`, `canceled`; `completed` or none: the plan's `targets` decide.
   */
  readonly dialCallStatus?: string | undefined;
  /**
   * `CallStatus` of the final call-progress callback: `completed`, `busy`, `no-answer`,
   * `canceled`, `failed` (spec §2.2). Default `'completed'`; any other sends no instruction
   * fetch (the call was never answered).
   */
  readonly finalStatus?: string | undefined;
  /**
   * Talk time in **seconds** of an answered `<Dial>` when the plan has no `talkSeconds`.
   * Default 30. The final callback's `CallDuration` is the call's length on the simulated
   * clock (with {@link telnyxCallScenario} alone: this value).
   */
  readonly durationSeconds?: number | undefined;
  /** HTTP method of the instruction fetch and callbacks (spec §7.1). Default `'POST'`. */
  readonly method?: 'POST' | 'GET' | undefined;
  /** The path of the instruction fetch below the URL played against. Default `'/'`. */
  readonly path?: string | undefined;
  /** The path of the call-progress callback. Default: the instruction fetch's. */
  readonly statusPath?: string | undefined;
  /**
   * An Ed25519 private key (`KeyObject`, PEM, or 64 hex digits of its seed): every request is
   * signed as Telnyx signs (spec §3), at the time it is sent. The app's `publicKey` must be its
   * public half. Default: unsigned.
   */
  readonly privateKey?: string | KeyObject | undefined;
  /** Which `<Dial>` target answers when, the talk time, the caller's hang-up (`CallPlan`). */
  readonly targets?: CallPlan['targets'];
  /** Talk time in **seconds** once a dialled target answered. */
  readonly talkSeconds?: number | undefined;
  /** The caller hangs up this many **seconds** after the call started. */
  readonly hangupAfterSeconds?: number | undefined;
}

const USER_AGENT = 'Telnyx-Webhooks';
const ACCOUNT = '6a9a7976-012e-45d2-9258-6f5dc68d861e';

/** A Telnyx-style call-control id: `v3:` and 40 random URL-safe characters. */
export function telnyxCallSid(): string {
  return `v3:${randomUUID().replace(/-/g, '')}${randomUUID().slice(0, 8)}`;
}

const sorted = (fields: Array<[string, string]>): Array<[string, string]> =>
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The ids and numbers every request of the call carries (spec §2.1). */
function callIds(options: TelnyxCallScenarioOptions, callSid: string): Array<[string, string]> {
  return [
    ['AccountSid', options.accountSid ?? ACCOUNT],
    ['CallSid', callSid],
    ['CallSidLegacy', callSid],
    ['ConnectionId', options.connectionId ?? '1568109700606592442'],
    ['From', options.from ?? '+13122010091'],
    ['To', options.to ?? '+13122010090'],
  ];
}

/**
 * One TeXML request: `fields` form-encoded in a POST body (or a GET query), signed when
 * `privateKey` is given (see {@link signTelnyxTestRequest}).
 */
export function telnyxRequest(
  event: TelnyxEventName,
  fields: ReadonlyArray<readonly [string, string]>,
  target: { method?: 'POST' | 'GET' | undefined; path?: string | undefined; query?: string } = {},
  privateKey?: string | KeyObject,
): TestRequest {
  const request: TestRequest = {
    ...twimlRequest(
      'voice',
      fields,
      {
        ...(target.method === undefined ? {} : { method: target.method }),
        ...(target.path === undefined ? {} : { path: target.path }),
        ...(target.query === undefined ? {} : { query: target.query }),
      },
      USER_AGENT,
    ),
    event,
  };
  return privateKey === undefined ? request : signTelnyxTestRequest(request, privateKey);
}

/**
 * The request with `telnyx-timestamp` (now, or `timestampSeconds`) and
 * `telnyx-signature-ed25519` over `timestamp|body` (spec §3).
 * @throws {TypeError} for a key that is not an Ed25519 private key
 */
export function signTelnyxTestRequest(
  request: TestRequest,
  privateKey: string | KeyObject,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): TestRequest {
  return {
    ...request,
    headers: {
      ...request.headers,
      [TELNYX_TIMESTAMP_HEADER]: String(timestampSeconds),
      [TELNYX_SIGNATURE_HEADER]: signTelnyxBody(request.body, timestampSeconds, privateKey),
    },
  };
}

/**
 * The requests of a whole call that do not depend on the answers: the instruction fetch
 * (unless the call was never answered) and the final call-progress callback.
 * {@link followTelnyxAnswer} adds the rest as the answers ask.
 */
export function telnyxCallScenario(
  options: TelnyxCallScenarioOptions = {},
  callSid: string = options.callSid ?? telnyxCallSid(),
): TestRequest[] {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/';
  const final = options.finalStatus ?? 'completed';
  const started = new Date();
  const requests: TestRequest[] = [];
  if (final === 'completed') {
    const voice = sorted([
      ...callIds(options, callSid),
      ['CallerId', options.from ?? '+13122010091'],
      ['CallingPartyType', 'pstn'],
      ['CallStatus', 'ringing'],
    ]);
    requests.push(telnyxRequest('voice', voice, { method, path }, options.privateKey));
  }
  requests.push(telnyxStatusRequest(options, callSid, final, 'caller', started));
  return requests;
}

/**
 * The final call-progress callback (spec §2.2): `CallStatus` = `final`; a completed call adds
 * `CallDuration` (seconds, `durationSeconds`, default 30), `HangupCause=normal_clearing`,
 * `HangupSource` (`caller`, or `callee` when the TeXML side ended it) and `SipHangupCause=200`.
 */
function telnyxStatusRequest(
  options: TelnyxCallScenarioOptions,
  callSid: string,
  final: string,
  hangupSource: 'caller' | 'callee',
  started: Date = new Date(),
): TestRequest {
  const status: Array<[string, string]> = [
    ...callIds(options, callSid),
    ['CallInitiatedAt', started.toISOString()],
    ['CallStatus', final],
    ['CallbackSource', 'call-progress-events'],
    ['SequenceNumber', '1'],
    ['Timestamp', new Date(started.getTime() + 1000).toISOString()],
  ];
  if (final === 'completed') {
    status.push(['CallDuration', String(options.durationSeconds ?? 30)]);
    status.push(['HangupCause', 'normal_clearing'], ['HangupSource', hangupSource]);
    status.push(['SipHangupCause', '200']);
  }
  const method = options.method ?? 'POST';
  return telnyxRequest(
    'status-callback',
    sorted(status),
    { method, path: options.statusPath ?? options.path ?? '/' },
    options.privateKey,
  );
}

/** The transcript's cause of a Telnyx call that ended with `CallStatus` `status`. */
function telnyxCause(status: string, hangupSource?: string): string {
  return status === 'completed'
    ? `CallStatus=completed HangupCause=normal_clearing HangupSource=${hangupSource ?? 'caller'}`
    : `CallStatus=${status}`;
}

/**
 * The first step of a simulated Telnyx call: the instruction fetch with the transcript's
 * `call` entry; the call-progress callback comes from {@link followTelnyxAnswer} when the call
 * ends. A call never answered (`finalStatus` other than `completed`) is its callback alone,
 * with its `ended` entry.
 */
export function telnyxCallStep(options: TelnyxCallScenarioOptions = {}): CallStep {
  return twimlCallStep(telnyxCallScenario(options), {}, (status) => telnyxCause(status));
}

/**
 * Telnyx's final call-progress callback for the end of a simulated call (spec §2.2):
 * `CallStatus`, and for a completed call `CallDuration` (seconds on the simulated clock),
 * `HangupCause=normal_clearing`, `HangupSource` — `caller` when the caller hung up, `callee`
 * when the TeXML side did (`<Hangup>`, `<Reject>`, the end of the document); the reference
 * gives `caller` as an example value only, `callee` is this model's choice.
 */
export function telnyxStatusCallback(
  options: TelnyxCallScenarioOptions,
): TwimlStatusCallbackBuilder {
  return (end, call) => {
    const source = end.by === 'caller' ? 'caller' : 'callee';
    const from = call.get('From');
    const to = call.get('To');
    const request = telnyxStatusRequest(
      {
        ...options,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        durationSeconds: end.durationSeconds,
      },
      call.get('CallSid') ?? options.callSid ?? telnyxCallSid(),
      end.status,
      source,
    );
    return { request, cause: telnyxCause(end.status, source) };
  };
}

/** Fields of the TwiML simulation that TeXML does not send (spec §2.1, §2.3). */
const NOT_TEXML = new Set([
  'ApiVersion',
  'Called',
  'Caller',
  'Direction',
  'FinishedOnKey',
  'DialBridged',
]);

/**
 * The requests Telnyx sends next after `reply` answered the last of `sent`, and what the
 * caller lives meanwhile (the transcript, the `<Dial>` rung by the plan's `targets`, the
 * call-progress callback of {@link telnyxStatusCallback} at the end): as the TwiML family
 * follows answers (`followTwimlCall`) (a `<Gather>` posts the next `digits` entry to its action, a
 * `<Redirect>` is fetched, `<Dial>`/`<Record>` actions post their results; `<Hangup>`,
 * `<Reject>` and the end of the document end the call), with TeXML's fields
 * (`CallSidLegacy`, `ConnectionId`, `DialCallSidLegacy`; no `ApiVersion`, `Direction`,
 * `FinishedOnKey`), signed when `options.privateKey` is given. URLs outside `baseUrl` are not
 * followed.
 */
export function followTelnyxAnswer(
  reply: {
    readonly request: TestRequest;
    readonly status: number | undefined;
    readonly body: string;
  },
  sent: readonly TestRequest[],
  options: TelnyxCallScenarioOptions,
  baseUrl: string,
): CallStep {
  assertValidTwimlReply(reply, TELNYX_RULES, 'Telnyx');
  const step = followTwimlCall(reply, sent, options, baseUrl, telnyxStatusCallback(options));
  const requests = step.requests.map((next) => {
    if (next.event === 'status-callback') return next;
    const previous = new URLSearchParams(
      reply.request.method === 'GET' ? (reply.request.query ?? '') : reply.request.body,
    );
    const fields = new Map(
      new URLSearchParams(next.method === 'GET' ? (next.query ?? '') : next.body),
    );
    for (const name of NOT_TEXML) fields.delete(name);
    for (const name of ['CallSidLegacy', 'ConnectionId']) {
      const value = previous.get(name);
      if (value !== null) fields.set(name, value);
    }
    const dialSid = fields.get('DialCallSid');
    if (dialSid !== undefined) fields.set('DialCallSidLegacy', dialSid);
    // A GET carries everything in its query (the action's own parameters too): written anew.
    const method = next.method === 'GET' ? 'GET' : 'POST';
    return telnyxRequest(
      next.event as TelnyxEventName,
      sorted([...fields]),
      { method, path: next.path, query: method === 'GET' ? '' : (next.query ?? '') },
      options.privateKey,
    );
  });
  return { requests, transcript: step.transcript };
}

/** The requests of the test kit for a Telnyx app (`client.telnyx`). */
export interface TelnyxTestRequests {
  /** The instruction fetch of a new call (spec §2.1). */
  voice(options?: TelnyxCallScenarioOptions): Promise<TestReply>;
  /** A `<Gather>` action with `digits` (a string; default `'1'`) (spec §2.3). */
  gather(
    options?: TelnyxCallScenarioOptions & { readonly actionPath?: string },
  ): Promise<TestReply>;
  /** The final call-progress callback (spec §2.2). */
  statusCallback(options?: TelnyxCallScenarioOptions): Promise<TestReply>;
  /** Any request: its kind, its fields, where it goes. */
  request(
    event: TelnyxEventName,
    fields: ReadonlyArray<readonly [string, string]>,
    target?: { method?: 'POST' | 'GET'; path?: string; query?: string },
  ): Promise<TestReply>;
  /** A whole call that follows the app's answers, as `callcontrol simulate telnyx` plays it. */
  playCall(options?: TelnyxCallScenarioOptions): Promise<PlayedCall>;
}
