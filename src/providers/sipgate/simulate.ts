/**
 * Requests of a whole sipgate.io call, as sipgate sends them: form-encoded POSTs with the keys
 * in the order of the signed 2021 push (`event, direction, from, to, callId, origCallId,
 * user[]…, userId[]…, fullUserId[]…, xcid`), brackets written `%5B%5D` and spaces `+` (spec §1
 * "Body encoding"), signed with `X-Sipgate-Signature` when a private key is given. Used by tests
 * and simulations.
 *
 * @module
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { SipgateHangupCause } from './events';
import { SIPGATE_SIGNATURE_HEADER, signSipgateBody } from './verify';
import type { TestReply } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';

/** Options of {@link sipgateCallScenario}. */
export interface SipgateCallScenarioOptions {
  /** `callId` (and `origCallId`) of the call. Default: 76 random upper-case hex characters. */
  readonly callId?: string;
  /** Calling number. Default `'491776249000'`. */
  readonly from?: string;
  /** Called number. Default `'4928559389086'`. */
  readonly to?: string;
  /** `'in'` or `'out'`. Default `'in'`. */
  readonly direction?: 'in' | 'out';
  /** The users of `user[]` (and, `w0`, `w1`…, of `userId[]`). Default `['Alice']`. */
  readonly users?: readonly string[];
  /**
   * Keys entered: adds a `dtmf` event after the answer (as a `<Gather>` would post it).
   * Default: no `dtmf` event.
   */
  readonly dtmf?: string;
  /**
   * Cause of the `hangup`. Default `'normalClearing'`; any other skips the `answer` event (and
   * the `dtmf` one), as a call nobody answered has none.
   */
  readonly cause?: SipgateHangupCause;
  /**
   * Sign each body with this RSA private key (PEM or `KeyObject`); the app must then be given
   * the matching public key as `publicKey`. Default: unsigned.
   */
  readonly privateKey?: string | KeyObject;
}

/** One request of a simulated call, ready to send. */
export interface SipgateSimulatedRequest {
  /** The sipgate event name of this request. */
  readonly event: string;
  /** Always `'POST'` (spec §1 "Method"). */
  readonly method: 'POST';
  /** `content-type`, `user-agent`, and `x-sipgate-signature` when signed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact form-encoded body. */
  readonly body: string;
}

/** Field values of one request, in order; an array value repeats its key. */
export type SipgateFormFields = ReadonlyArray<readonly [string, string | readonly string[]]>;

/**
 * Form-encodes fields the way sipgate does: in the given order, a key repeated for each value
 * of an array, WHATWG encoding (`[]` becomes `%5B%5D`, a space `+`).
 */
export function encodeSipgateForm(fields: SipgateFormFields): string {
  const params = new URLSearchParams();
  for (const [key, value] of fields) {
    for (const item of typeof value === 'string' ? [value] : value) params.append(key, item);
  }
  return params.toString();
}

/**
 * Builds one request as sipgate sends it: the fields encoded with {@link encodeSipgateForm},
 * `content-type: application/x-www-form-urlencoded; charset=UTF-8`, `user-agent: sipgate.io`,
 * and — when `privateKey` is given — `x-sipgate-signature` over the exact body.
 *
 * @param privateKey - sign with this RSA private key; unsigned when omitted
 * @throws {TypeError} (from node:crypto) for a key that is not an RSA private key
 */
export function sipgateRequest(
  fields: SipgateFormFields,
  privateKey?: string | KeyObject,
): SipgateSimulatedRequest {
  const body = encodeSipgateForm(fields);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    'user-agent': 'sipgate.io',
  };
  if (privateKey !== undefined)
    headers[SIPGATE_SIGNATURE_HEADER] = signSipgateBody(body, privateKey);
  const event = fields.find(([key]) => key === 'event')?.[1];
  return { event: typeof event === 'string' ? event : '', method: 'POST', headers, body };
}

/**
 * The requests sipgate sends for one whole call, in order: `newCall`, then — as the app's
 * answers ask for them — `answer`, `dtmf` (with `dtmf` given) and `hangup` (spec §2.1).
 */
export function sipgateCallScenario(
  options: SipgateCallScenarioOptions = {},
): SipgateSimulatedRequest[] {
  const callId = options.callId ?? randomBytes(38).toString('hex').toUpperCase();
  const direction = options.direction ?? 'in';
  const from = options.from ?? '491776249000';
  const to = options.to ?? '4928559389086';
  const users = options.users ?? ['Alice'];
  const cause = options.cause ?? 'normalClearing';
  const answered = cause === 'normalClearing';
  const key = options.privateKey;
  const call = [
    ['direction', direction],
    ['from', from],
    ['to', to],
    ['callId', callId],
    ['origCallId', callId],
  ] as const;
  const requests = [
    sipgateRequest(
      [
        ['event', 'newCall'],
        ...call,
        ['user[]', users],
        ['userId[]', users.map((_, index) => `w${index}`)],
      ],
      key,
    ),
  ];
  if (answered) {
    const user: [string, string][] =
      direction === 'in' && users[0] !== undefined
        ? [
            ['user', users[0]],
            ['userId', 'w0'],
          ]
        : [];
    requests.push(
      sipgateRequest([['event', 'answer'], ...call, ...user, ['answeringNumber', to]], key),
    );
    if (options.dtmf !== undefined) {
      requests.push(
        sipgateRequest(
          [
            ['event', 'dtmf'],
            ['dtmf', options.dtmf],
            ['callId', callId],
            ['origCallId', callId],
          ],
          key,
        ),
      );
    }
  }
  requests.push(
    sipgateRequest(
      [
        ['event', 'hangup'],
        ...call,
        ['cause', cause],
        ...(answered ? ([['answeringNumber', to]] as const) : []),
      ],
      key,
    ),
  );
  return requests;
}

/**
 * sipgate.io's pushes in the test kit (spec docs/providers/sipgate.md §2): form-encoded POSTs,
 * signed with the client's `privateKey`.
 */
export interface SipgateTestRequests {
  /** `newCall`; fields default as in `sipgateCallScenario`. */
  newCall(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** `answer` of the call (with `answeringNumber`). */
  answer(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** `dtmf` with the keys `dtmf` (default `'1'`), as a `<Gather onData>` posts it. */
  dtmf(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** `hangup` with `cause` (default `normalClearing`). */
  hangup(options?: SipgateCallScenarioOptions): Promise<TestReply>;
  /** Any fields, in order, as one sipgate POST, e.g. `[['event', 'newCall'], …]`. */
  request(fields: SipgateFormFields): Promise<TestReply>;
  /** A whole call: `newCall → answer → dtmf (with dtmf) → hangup`. */
  playCall(options?: SipgateCallScenarioOptions): Promise<PlayedCall>;
}
