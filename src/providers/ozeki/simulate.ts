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
import { answerUrlTarget, assertValidAnswer } from '../plugin-kit';
import { OZEKI_RULES } from './validate';
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

/** The elements among `element`'s children. */
function elements(element: XmlElement | undefined): XmlElement[] {
  return (element?.children ?? []).filter(
    (child): child is XmlElement => typeof child !== 'string',
  );
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
 * A model of one Ozeki IVR call that follows the app's answers (`docs/providers/ozeki.md` §3.1,
 * §5.6): each answer's commands are run in order — a `<UserInput>` takes the next digits entry:
 * with a `ForwardToUrl`, the entry is posted there as `DtmfEntered` (`CallId`, `DtmfDigits`;
 * the url's query kept) and that answer is run next; without, the entry picks its
 * `<Inputs><Input Key>` branch (no entry left, or no branch for it: the call ends here);
 * `<Hangup>` ends the call. Every answer document is checked with Ozeki's validator rules first.
 *
 * @param options - the scenario (its `digits` entries, default `['1234']`)
 * @param baseUrl - the URL the call is played against
 * @returns the follow function of one call: the notifications to send after `reply`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` (from the returned function) when an
 *   answer breaks the spec, with each problem in the message
 */
export function createOzekiFollower(
  options: OzekiCallScenarioOptions,
  baseUrl: string,
): (reply: OzekiAnswerReply) => TestRequest[] {
  const entries = [...(options.digits ?? ['1234'])];

  /** Runs `commands`; a notification when a ForwardToUrl was reached, `'end'` otherwise. */
  const run = (
    commands: readonly XmlElement[],
    callId: string,
  ): TestRequest | 'end' | undefined => {
    for (const command of commands) {
      if (command.name === 'Hangup') return 'end';
      if (command.name !== 'UserInput') continue;
      const entry = entries.shift();
      if (entry === undefined) return 'end';
      const url = attribute(command, 'ForwardToUrl');
      if (url !== undefined) {
        const target = answerUrlTarget(url, baseUrl);
        if (target === undefined) return 'end';
        return {
          ...ozekiNotification('DtmfEntered', { CallId: callId, DtmfDigits: entry }),
          path: target.path,
          query: target.query,
        };
      }
      const inputs = elements(command).find((child) => child.name === 'Inputs');
      const branch = elements(inputs).find(
        (input) => input.name === 'Input' && attribute(input, 'Key') === entry,
      );
      if (branch === undefined) return 'end';
      const result = run(elements(branch), callId);
      if (result !== undefined) return result;
    }
    return undefined;
  };

  return (reply) => {
    if (reply.request.event !== 'IncomingCall' && reply.request.event !== 'DtmfEntered') return [];
    const ok = reply.status !== undefined && reply.status >= 200 && reply.status < 300;
    if (!ok || reply.body.trim() === '') return [];
    assertValidAnswer(OZEKI_RULES, 'Ozeki', reply.request.event, reply.body);
    const callId = new URLSearchParams(reply.request.body).get('CallId') ?? '';
    const result = run(elements(parseXml(reply.body)), callId);
    return result === undefined || result === 'end' ? [] : [result];
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
   * a `DtmfEntered` to each `ForwardToUrl` the answers reach, with the next `digits` entry.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that breaks the spec
   */
  playCall(options?: OzekiCallScenarioOptions): Promise<PlayedCall>;
}
