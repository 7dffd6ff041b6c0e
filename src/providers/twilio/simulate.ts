/**
 * Requests of a whole Twilio call, as Twilio sends them: form-encoded POSTs (or GETs) with the
 * call fields of spec §2.1, the voice request first, then what the app's answers ask for (the
 * `<Gather>` action with scripted digits, a `<Redirect>`, the `<Dial>` and `<Record>`
 * actions), and the final status callback. Signed with `X-Twilio-Signature` for the URL each
 * request is sent to. Used by tests (`client.twilio`) and `callcontrol simulate twilio`.
 *
 * @module
 */
import { twimlRules } from '../twiml/validate';
import { assertValidTwimlReply } from '../twiml/simulate';
import type { TestReply, TestRequest } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';
export type {
  TwimlCallEnd,
  TwimlCallScenarioOptions,
  TwimlStatusCallbackBuilder,
} from '../twiml/simulate';
import type { CallStep } from '../../testing/transcript';
import {
  followTwimlCall,
  twimlCallScenario,
  twimlCallStep,
  twimlRequest,
  type TwimlCallScenarioOptions,
  type TwimlStatusCallbackBuilder,
} from '../twiml/simulate';
import type { TwimlRequestKind } from '../twiml/requests';
import { TWILIO_SIGNATURE_HEADER, signTwilioRequest } from './verify';

/** Twilio's validator rules (the TwiML rule table, Twilio's dialect): what each followed answer is checked with. */
export const TWILIO_RULES = twimlRules('twilio', 'twilio', 'docs/providers/twilio.md');

/** Options of a simulated Twilio call (see `TwimlCallScenarioOptions` for each field). */
export type TwilioCallScenarioOptions = TwimlCallScenarioOptions;

/**
 * The requests of a Twilio call that do not depend on the answers: the voice request (when
 * the call was answered) and the final status callback (spec §2.1, §2.3); the rest comes from
 * {@link followTwilioAnswer}.
 */
export function twilioCallScenario(options: TwilioCallScenarioOptions = {}): TestRequest[] {
  return twimlCallScenario(options);
}

/**
 * The first step of a simulated Twilio call: the voice request with the transcript's `call`
 * entry; the status callback comes from {@link followTwilioAnswer} when the call ends. A call
 * never answered (`finalStatus` other than `completed`) is its status callback alone, with its
 * `ended` entry (cause `CallStatus=<finalStatus>`, spec §2.2).
 */
export function twilioCallStep(options: TwilioCallScenarioOptions = {}): CallStep {
  return twimlCallStep(twilioCallScenario(options), options, (status) => `CallStatus=${status}`);
}

/**
 * Twilio's final status callback for the end of a simulated call (spec §2.3): `CallStatus`,
 * `CallDuration` in seconds and `Duration` in billed minutes for a completed call, the call
 * fields of the call; the transcript's cause is `CallStatus=<status>`.
 */
export function twilioStatusCallback(
  options: TwilioCallScenarioOptions,
): TwimlStatusCallbackBuilder {
  return (end, call) => {
    const direction = call.get('Direction');
    const requests = twimlCallScenario(
      {
        ...options,
        ...given('accountSid', call.get('AccountSid')),
        ...given('from', call.get('From')),
        ...given('to', call.get('To')),
        ...(direction === 'inbound' || direction === 'outbound-api' ? { direction } : {}),
        finalStatus: end.status,
        durationSeconds: end.durationSeconds,
      },
      call.get('CallSid') ?? options.callSid,
    );
    return {
      request: requests[requests.length - 1] as TestRequest,
      cause: `CallStatus=${end.status}`,
    };
  };
}

/** `{ [key]: value }` when `value` is defined, else `{}`. */
function given<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

/**
 * The requests Twilio sends next after `reply` (spec §2.4, §2.5, §2.7) and what the caller
 * lives meanwhile, by the TwiML call model (`followTwimlCall` in `../twiml/simulate.ts`): the
 * `<Gather>` action with the next digits entry, a `<Redirect>`, the `<Dial>` (rung by the
 * plan's `targets`, `DialCallStatus` and `DialCallDuration` from it) or `<Record>` action;
 * at the end of the call the status callback ({@link twilioStatusCallback}). URLs outside
 * `baseUrl` (the public URL of the app's mount point) are not followed.
 */
export function followTwilioAnswer(
  reply: {
    readonly request: TestRequest;
    readonly status: number | undefined;
    readonly body: string;
  },
  sent: readonly TestRequest[],
  options: TwilioCallScenarioOptions,
  baseUrl: string,
): CallStep {
  assertValidTwimlReply(reply, TWILIO_RULES, 'Twilio');
  return followTwimlCall(reply, sent, options, baseUrl, twilioStatusCallback(options));
}

/**
 * One Twilio request of the kind `event` with `fields` (in the order given): form-encoded in
 * a POST body, or in the query of a GET.
 */
export function twilioRequest(
  event: TwimlRequestKind,
  fields: ReadonlyArray<readonly [string, string]>,
  target: { method?: 'POST' | 'GET'; path?: string; query?: string } = {},
): TestRequest {
  return twimlRequest(event, fields, target);
}

/**
 * `request` signed as Twilio signs it for the full `url` it is sent to (spec §3.1): the URL
 * and, for a POST, its decoded form parameters, under `authToken`.
 */
export function signTwilioTestRequest(
  request: TestRequest,
  url: string,
  authToken: string,
): TestRequest {
  return {
    ...request,
    headers: {
      ...request.headers,
      [TWILIO_SIGNATURE_HEADER]: signTwilioForm(authToken, url, request.method, request.body),
    },
  };
}

/** The signature of a request with `body` (form-encoded; ignored for a GET) sent to `url`. */
export function signTwilioForm(
  authToken: string,
  url: string,
  method: string,
  body: Buffer | string,
): string {
  const params: Record<string, string | string[]> = {};
  if (method.toUpperCase() !== 'GET') {
    for (const [name, value] of new URLSearchParams(body.toString())) {
      const had = params[name];
      params[name] =
        had === undefined ? value : [...(typeof had === 'string' ? [had] : had), value];
    }
  }
  return signTwilioRequest(authToken, url, params);
}

/**
 * Twilio's requests in the test kit (spec docs/providers/twilio.md §2), signed with the
 * client's `authToken` for its `publicUrl` (default `http://127.0.0.1`).
 */
export interface TwilioTestRequests {
  /** The voice request of a new call (`CallStatus=ringing`); `path` below the mount, default `/`. */
  voice(options?: TwilioCallScenarioOptions): Promise<TestReply>;
  /**
   * A `<Gather>` result (`Digits`, default `'1'`) posted to `path` — e.g. `'/actions/menu'`
   * for the named action `menu`.
   */
  gather(options?: TwilioCallScenarioOptions & { readonly digits?: string }): Promise<TestReply>;
  /** A `<Dial>` result (`DialCallStatus`, default `completed`) posted to `path`. */
  dial(options?: TwilioCallScenarioOptions): Promise<TestReply>;
  /** The final status callback (`CallStatus` = `finalStatus`, default `completed`). */
  statusCallback(options?: TwilioCallScenarioOptions): Promise<TestReply>;
  /** Any fields, in order, as one request of kind `event` (POST, or GET with `method`). */
  request(
    event: TwimlRequestKind,
    fields: ReadonlyArray<readonly [string, string]>,
    target?: { method?: 'POST' | 'GET'; path?: string; query?: string },
  ): Promise<TestReply>;
  /**
   * A whole call that follows the app's answers: voice request → the `<Gather>` action with
   * each `digits` entry → `<Redirect>`s, `<Dial>` and `<Record>` actions → status callback.
   */
  playCall(options?: TwilioCallScenarioOptions): Promise<PlayedCall>;
}
