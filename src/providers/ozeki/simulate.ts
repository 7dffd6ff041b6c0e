/**
 * Requests of a whole Ozeki IVR call, as the PBX sends them: form-encoded POSTs with
 * `NotificationName` first (spec §3, the RoutingInterception example). Used by the
 * `callcontrol simulate ozeki` command and by tests.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { TestReply } from '../../testing/reply';
import type { PlayedCall } from '../../testing/types';

/** Options of {@link ozekiCallScenario}. */
export interface OzekiCallScenarioOptions {
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

/** Ozeki's notifications in the test kit (spec §3): form-encoded POSTs, `NotificationName` first. */
export interface OzekiTestRequests {
  /** `IncomingCall` to an API extension. */
  incomingCall(options?: OzekiCallScenarioOptions): Promise<TestReply>;
  /** One `DtmfEntered` with `DtmfDigits` = `digits` for the call `callId`. */
  dtmfEntered(options: { readonly callId: string; readonly digits: string }): Promise<TestReply>;
  /** Any notification: `NotificationName` = `name`, then `fields` in order. */
  notification(name: string, fields?: Readonly<Record<string, string>>): Promise<TestReply>;
  /** A whole call: `IncomingCall`, then one `DtmfEntered` per entry of `digits`. */
  playCall(options?: OzekiCallScenarioOptions): Promise<PlayedCall>;
}
