/**
 * Requests of a whole VoipNow call, as the PBX sends them: the `Dial-In` Call Event, the Call
 * Interactive request of the IVR (with the subscription id the caller typed as an interactive
 * parameter), and the `Hangup` Call Event. By GET (fields in the query) or POST (form body), as
 * an extension can be configured. Used by `callcontrol simulate voipnow` and by tests.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { TestReply } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';

/** Options of {@link voipNowCallScenario}. */
export interface VoipNowCallScenarioOptions {
  /** `'GET'` (fields in the query, default) or `'POST'` (form body). */
  readonly method?: 'GET' | 'POST';
  /** `CallID`. Default: 32 random hex characters, like VoipNow's. */
  readonly callId?: string;
  /** `CallerIDNum`. Default `'14155550100'`. */
  readonly from?: string;
  /** `CallerIDName`. Default `'John Smith'`. */
  readonly callerName?: string;
  /** `CalledNumber` and `CalledDID`. Default `'14155550199'`. */
  readonly to?: string;
  /** `CalledExtension` in extended form. Default `'0003*001'`. */
  readonly calledExtension?: string;
  /**
   * The digits the caller typed into the IVR, sent as the interactive parameter `variable`
   * (what `?SubscriptionCode=$SubscriptionCode` in the Script URL becomes). Default
   * `'09897987'`; `null` sends `null`, as VoipNow does for an unset IVR variable.
   */
  readonly digits?: string | null;
  /** Name of the interactive parameter. Default `'SubscriptionCode'`. */
  readonly variable?: string;
  /**
   * Send each request to its own path (`/dial-in`, `/interactive`, `/hangup`, as the example
   * server routes them with `eventPaths`) instead of the URL itself. Default false.
   */
  readonly routed?: boolean;
  /**
   * `CallStatus` of the `Hangup` Call Event: `'ANSWER'` (default) or `'UNKNOWN'`, the two values
   * VoipNow sends there (spec "Call Events"). VoipNow sends no other hangup cause.
   */
  readonly hangupStatus?: VoipNowHangupStatus;
}

/** The `CallStatus` values of a `Hangup` Call Event (spec "Call Events"). */
export const VOIPNOW_HANGUP_STATUSES = ['ANSWER', 'UNKNOWN'] as const;

/** One of {@link VOIPNOW_HANGUP_STATUSES}. */
export type VoipNowHangupStatus = (typeof VOIPNOW_HANGUP_STATUSES)[number];

/** One request of a simulated call, ready to send. */
export interface VoipNowSimulatedRequest {
  /** The VoipNow event this request is. */
  readonly event: string;
  /** `'GET'` or `'POST'`. */
  readonly method: 'GET' | 'POST';
  /** Path appended to the webhook URL (`''` for the URL itself). */
  readonly path: string;
  /** The fields as a query string (GET), `''` for POST. */
  readonly query: string;
  /** `content-type` for POST; none for GET. */
  readonly headers: Readonly<Record<string, string>>;
  /** The form body (POST), `''` for GET. */
  readonly body: string;
}

function request(
  event: string,
  path: string,
  method: 'GET' | 'POST',
  fields: Readonly<Record<string, string>>,
): VoipNowSimulatedRequest {
  const encoded = new URLSearchParams(fields).toString();
  return method === 'GET'
    ? { event, method, path, query: encoded, headers: {}, body: '' }
    : {
        event,
        method,
        path,
        query: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: encoded,
      };
}

/**
 * The requests of one call to an extension with an IVR, in order: `Dial-In` (`CALLING`/`IN`),
 * `call_interactive` (with `CallAPIID` and the interactive parameter), `Hangup` (`ANSWER`/`IN`,
 * or the `hangupStatus` given).
 *
 * @throws {TypeError} for a `variable` that is not a parameter name, a `hangupStatus` VoipNow
 *   does not send
 */
export function voipNowCallScenario(
  options: VoipNowCallScenarioOptions = {},
): VoipNowSimulatedRequest[] {
  const method = options.method ?? 'GET';
  const variable = options.variable ?? 'SubscriptionCode';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new TypeError(`variable must be a parameter name, got "${variable}"`);
  }
  const hangupStatus = options.hangupStatus ?? 'ANSWER';
  if (!(VOIPNOW_HANGUP_STATUSES as readonly string[]).includes(hangupStatus)) {
    throw new TypeError(
      `hangupStatus must be one of ${VOIPNOW_HANGUP_STATUSES.join(', ')}, got "${String(hangupStatus)}"`,
    );
  }
  const callId = options.callId ?? randomBytes(16).toString('hex');
  const to = options.to ?? '14155550199';
  const calledExtension = options.calledExtension ?? '0003*001';
  const common = {
    CallID: callId,
    CallerIDNum: options.from ?? '14155550100',
    CallerIDName: options.callerName ?? 'John Smith',
    CalledDID: to,
    CalledExtension: calledExtension,
  };
  const path = (suffix: string): string => (options.routed === true ? suffix : '');
  const digits = options.digits === undefined ? '09897987' : (options.digits ?? 'null');
  return [
    request('Dial-In', path('/dial-in'), method, {
      ...common,
      CallStatus: 'CALLING',
      CallFlow: 'IN',
      CalledNumber: to,
    }),
    request('call_interactive', path('/interactive'), method, {
      ...common,
      CallStatus: 'ANSWER',
      CallFlow: 'IN',
      CalledNumber: to,
      CallAPIID: `${String(randomBytes(4).readUInt32BE())}:${callId}`,
      [variable]: digits,
    }),
    request('Hangup', path('/hangup'), method, {
      ...common,
      CallStatus: hangupStatus,
      CallFlow: 'IN',
      CalledNumber: to,
    }),
  ];
}

/** VoipNow's requests in the test kit: Call Events and Call Interactive, by GET or POST. */
export interface VoipNowTestRequests {
  /** The `Dial-In` Call Event. */
  dialIn(options?: VoipNowCallScenarioOptions): Promise<TestReply>;
  /** The Call Interactive request, with `digits` as the interactive parameter `variable`. */
  interactive(options?: VoipNowCallScenarioOptions): Promise<TestReply>;
  /** The `Hangup` Call Event (`CallStatus` = `hangupStatus`). */
  hangup(options?: VoipNowCallScenarioOptions): Promise<TestReply>;
  /** A whole call: `Dial-In → call_interactive → Hangup`. */
  playCall(options?: VoipNowCallScenarioOptions): Promise<PlayedCall>;
}
