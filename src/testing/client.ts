/**
 * The test client: sends provider-accurate requests straight into an app's `handle()` — no
 * socket, no port — signed or authenticated the way the app was configured, and returns
 * {@link TestReply}s to assert on. Requests come from the same generators as
 * `callcontrol simulate` (`src/providers/<name>/simulate.ts`), so a test sends exactly what the
 * provider sends: method, content type, field names and order, encoding.
 *
 * @module
 */
import { AssertionError } from 'node:assert';
import { randomBytes, type KeyObject } from 'node:crypto';
import type { WebhookEvent, WebhookReply, WebhookRequest } from '../core/types';
import {
  opentactCallScenario,
  opentactProvider,
  type OpentactCallScenarioOptions,
} from '../providers/opentact';
import {
  ozekiCallScenario,
  ozekiNotification,
  ozekiProvider,
  type OzekiCallScenarioOptions,
  type OzmlRenderOptions,
} from '../providers/ozeki';
import {
  PLACETEL_HANGUP_TYPES,
  placetelCallScenario,
  placetelProvider,
  placetelRequest,
  signPlacetelBody,
  type PlacetelCallScenarioOptions,
  type PlacetelHangupType,
} from '../providers/placetel';
import {
  SIPGATE_SIGNATURE_HEADER,
  sipgateCallScenario,
  sipgateProvider,
  sipgateRequest,
  signSipgateBody,
  type SipgateCallScenarioOptions,
  type SipgateFormFields,
} from '../providers/sipgate';
import {
  VOIPNOW_HANGUP_STATUSES,
  voipNowCallScenario,
  voipNowProvider,
  type VoipNowCallScenarioOptions,
  type VoipNowHangupStatus,
} from '../providers/voipnow';
import { TestReply, type AnswerRenderer, type TestRequest } from './reply';

/** What the kit needs of an app: every provider's `createApp` result is one. */
export interface TestableApp {
  /** The provider id: `'placetel'`, `'ozeki'`, `'voipnow'`, `'opentact'` or `'sipgate'`. */
  readonly provider: string;
  /** Answers one request; never rejects (see `WebhookApp.handle`). */
  handle(request: WebhookRequest): Promise<WebhookReply>;
}

/** Where and under which name the app expects its URL token (as its `urlToken` option). */
export interface TestUrlToken {
  /** The token, as configured in the app's `urlToken.tokens`. */
  readonly token: string;
  /** `'query'` (default) or `'path'` (the first path segment). */
  readonly in?: 'query' | 'path';
  /** The query parameter's name. Default `'token'`. */
  readonly param?: string;
}

/**
 * The credentials the app under test was configured with, so the kit can send requests it
 * accepts (or, with wrong values, requests it must refuse).
 */
export interface TestClientOptions {
  /**
   * Placetel only: sign every body with this shared secret (`X-PLACETEL-SIGNATURE`,
   * HMAC-SHA256 over the exact body, spec placetel §1 "Signature"). sipgate signs with
   * `privateKey`, the others sign nothing; giving it for them throws a TypeError.
   */
  readonly secret?: string | undefined;
  /**
   * sipgate only: sign every body with this RSA private key (PEM or `KeyObject`;
   * `X-Sipgate-Signature`, RSASSA-PKCS1-v1_5 SHA-256 over the exact body, spec
   * docs/providers/sipgate.md §3.1). The app must have the matching public key as its
   * `publicKey`: sipgate's own private key is not public. Giving it for another provider throws
   * a TypeError.
   */
  readonly privateKey?: string | KeyObject | undefined;
  /** Send `Authorization: Basic` with these credentials (the app's `basicAuth`). */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /** Put this token in the URL, as the app's `urlToken` expects it; a string is `{ token }`. */
  readonly urlToken?: string | TestUrlToken | undefined;
  /** The peer address the app sees (checked by `allowFrom`). Default `'127.0.0.1'`. */
  readonly remoteAddress?: string | undefined;
  /** Extra headers on every request (lower-case names), e.g. `x-forwarded-for`. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Ozeki only: the app's `render` option, so expected answers are rendered the same way. */
  readonly ozmlRender?: OzmlRenderOptions | undefined;
  /** For an app of another provider than the five: how its answers are told and rendered. */
  readonly renderer?: AnswerRenderer | undefined;
}

/** One request of a played call and the reply it got. */
export interface CallExchange {
  /** The provider's event name, e.g. `'HungUp'`, `'call_state:destroyed'`. */
  readonly event: string;
  /** The request as sent (after signing and authentication were added). */
  readonly request: TestRequest;
  /** The app's reply. */
  readonly reply: TestReply;
}

/** A whole call played through the app, see {@link TestClient.playCall}. */
export interface PlayedCall {
  /** Every request in the order sent, with its reply. */
  readonly exchanges: readonly CallExchange[];
  /** The replies in order (`exchanges.map((e) => e.reply)`). */
  readonly replies: readonly TestReply[];
  /**
   * The reply to the first request of this event name (the `n`-th one with `n`, from 0).
   * @throws {AssertionError} when the call had no such request
   */
  reply(event: string, n?: number): TestReply;
  /**
   * Asserts every reply was 2xx.
   * @throws {AssertionError} naming the first request that was not, with its reply
   */
  expectAllOk(): PlayedCall;
}

/**
 * The provider-neutral options of a whole call, mapped to each provider's scenario (the same
 * mapping as the CLI's `--from`, `--to`, `--digits`, `--hangup-cause`).
 */
export interface CallOptions {
  /**
   * The caller's number (Placetel and sipgate `from`, Ozeki `CallerId`, VoipNow `CallerIDNum`,
   * Opentact ANI).
   */
  readonly from?: string | undefined;
  /** The number or extension called. */
  readonly to?: string | undefined;
  /**
   * DTMF keys the caller types: Ozeki `DtmfEntered` (an array sends one each), VoipNow's
   * interactive parameter, Opentact's Gather follow-up, sipgate's `dtmf` event (joined).
   * Placetel sends no digits: TypeError.
   */
  readonly digits?: string | readonly string[] | undefined;
  /**
   * Why the call ended: Placetel's `HungUp` `type` (`accepted`, `busy`, …); VoipNow's `Hangup`
   * `CallStatus` (`ANSWER`, `UNKNOWN`); Opentact's Q.850 cause by name or number; sipgate's
   * `hangup` `cause` (any string, e.g. `busy`; other than `normalClearing` skips `answer`
   * and `dtmf`). Ozeki sends
   * no hangup notification to an API extension: TypeError.
   */
  readonly hangupCause?: string | undefined;
  /** The call id used by every request. Default: random, in the provider's format. */
  readonly callId?: string | undefined;
}

/** A provider the kit knows the requests of. */
export type TestProvider = 'placetel' | 'ozeki' | 'voipnow' | 'opentact' | 'sipgate';

function fakeEvent(provider: string, name: string): WebhookEvent {
  return { provider, name, callId: '', from: '', to: '', raw: {} };
}

/** The answer side of the four providers' definitions; Ozeki's depends on its render option. */
const PROVIDER_DEFINITIONS = {
  placetel: () => placetelProvider,
  ozeki: (options: TestClientOptions) => ozekiProvider(options.ozmlRender),
  voipnow: () => voipNowProvider,
  opentact: () => opentactProvider,
  sipgate: () => sipgateProvider,
} as const;

function rendererFor(provider: string, options: TestClientOptions): AnswerRenderer | undefined {
  if (options.renderer !== undefined) return options.renderer;
  if (!Object.hasOwn(PROVIDER_DEFINITIONS, provider)) return undefined;
  const definition: {
    isAnswer(value: unknown): boolean;
    render(answer: never, event: never): string;
  } = PROVIDER_DEFINITIONS[provider as TestProvider](options);
  return {
    provider,
    isAnswer: (value) => definition.isAnswer(value),
    render: (answer, event) =>
      definition.render(answer as never, fakeEvent(provider, event) as never),
  };
}

function pick<R extends { readonly event: string }>(requests: readonly R[], event: string): R {
  const found = requests.find((request) => request.event === event);
  if (found === undefined) throw new TypeError(`These options produce no ${event} request`);
  return found;
}

function given<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * The scenario options of `provider` for provider-neutral {@link CallOptions}.
 *
 * @throws {TypeError} for an option the provider has no notion of (Placetel digits, an Ozeki
 *   hangup cause), or a value it never sends (an unknown Placetel hangup type…)
 */
export function scenarioOptions(
  provider: 'placetel',
  options: CallOptions,
): PlacetelCallScenarioOptions;
export function scenarioOptions(provider: 'ozeki', options: CallOptions): OzekiCallScenarioOptions;
export function scenarioOptions(
  provider: 'voipnow',
  options: CallOptions,
): VoipNowCallScenarioOptions;
export function scenarioOptions(
  provider: 'opentact',
  options: CallOptions,
): OpentactCallScenarioOptions;
export function scenarioOptions(
  provider: 'sipgate',
  options: CallOptions,
): SipgateCallScenarioOptions;
export function scenarioOptions(
  provider: TestProvider,
  options: CallOptions,
):
  | PlacetelCallScenarioOptions
  | OzekiCallScenarioOptions
  | VoipNowCallScenarioOptions
  | OpentactCallScenarioOptions
  | SipgateCallScenarioOptions;
export function scenarioOptions(
  provider: TestProvider,
  options: CallOptions,
):
  | PlacetelCallScenarioOptions
  | OzekiCallScenarioOptions
  | VoipNowCallScenarioOptions
  | OpentactCallScenarioOptions
  | SipgateCallScenarioOptions {
  const common = {
    ...given('from', options.from),
    ...given('to', options.to),
    ...given('callId', options.callId),
  };
  const digits = options.digits;
  const cause = options.hangupCause;
  const joined = typeof digits === 'string' ? digits : digits?.join('');
  switch (provider) {
    case 'placetel':
      if (digits !== undefined) throw new TypeError('Placetel sends no digits (no DTMF events)');
      if (cause !== undefined && !(PLACETEL_HANGUP_TYPES as readonly string[]).includes(cause)) {
        throw new TypeError(
          `Placetel hangup cause must be one of ${PLACETEL_HANGUP_TYPES.join(', ')}, got "${cause}"`,
        );
      }
      return { ...common, ...given('hangupType', cause as PlacetelHangupType | undefined) };
    case 'ozeki':
      if (cause !== undefined) {
        throw new TypeError(
          'Ozeki sends no hangup notification to an API extension, so no hangup cause',
        );
      }
      return {
        ...common,
        ...given('digits', typeof digits === 'string' ? [digits] : digits),
      };
    case 'voipnow': {
      const status = cause?.toUpperCase();
      if (
        status !== undefined &&
        !(VOIPNOW_HANGUP_STATUSES as readonly string[]).includes(status)
      ) {
        throw new TypeError(
          `VoipNow hangup cause (Hangup CallStatus) must be one of ${VOIPNOW_HANGUP_STATUSES.join(', ')}, got "${cause ?? ''}"`,
        );
      }
      return {
        ...common,
        ...given('digits', joined),
        ...given('hangupStatus', status as VoipNowHangupStatus | undefined),
      };
    }
    case 'opentact':
      return { ...common, ...given('digits', joined), ...given('hangupCause', cause) };
    case 'sipgate':
      return { ...common, ...given('dtmf', joined), ...given('cause', cause) };
  }
}

/** Placetel's requests (spec placetel §2), signed with the client's `secret`. */
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
  /** A whole call: `IncomingCall → CallAccepted → HungUp` (or the variant the options give). */
  playCall(options?: PlacetelCallScenarioOptions): Promise<PlayedCall>;
}

/** Ozeki's notifications (spec ozeki §3): form-encoded POSTs, `NotificationName` first. */
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

/** VoipNow's requests (spec voipnow): Call Events and Call Interactive, by GET or POST. */
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

/** The `call_state` states of a simulated Opentact call, in order. */
export type OpentactTestState = 'init' | 'live' | 'hangup' | 'destroyed';

/** Opentact's requests (spec opentact §2, §4). */
export interface OpentactTestRequests {
  /** The call-flow request (GET `?from&to`, or POST with the call entity). */
  callFlowRequest(options?: OpentactCallScenarioOptions): Promise<TestReply>;
  /** The `<Gather url>` follow-up with `dtmf` = `digits`. */
  gather(options?: OpentactCallScenarioOptions): Promise<TestReply>;
  /** A `call_state` event envelope (`destroyed` carries the Q.850 `hangupCause`). */
  callState(state: OpentactTestState, options?: OpentactCallScenarioOptions): Promise<TestReply>;
  /** A whole call: call-flow request → … → `call_state` `destroyed`. */
  playCall(options?: OpentactCallScenarioOptions): Promise<PlayedCall>;
}

/**
 * sipgate.io's pushes (spec docs/providers/sipgate.md §2): form-encoded POSTs, signed with the
 * client's `privateKey`.
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

/**
 * Sends requests into one app. Make it with {@link createTestClient}.
 */
export interface TestClient {
  /** The app's provider id. */
  readonly provider: string;
  /** The options the client was made with. */
  readonly options: TestClientOptions;
  /**
   * Sends one request (adding the signature, basic auth, URL token and peer address of the
   * options) and resolves with the reply. Never rejects for a refused request: assert on the
   * reply's status.
   */
  send(request: TestRequest): Promise<TestReply>;
  /** Sends requests one after another (each after the previous reply) as one call. */
  play(requests: readonly TestRequest[]): Promise<PlayedCall>;
  /**
   * Plays a whole call of the app's provider — the scenario `callcontrol simulate` plays — with
   * provider-neutral options (see {@link CallOptions}).
   * @throws {TypeError} (the promise rejects) for an option the provider has no notion of
   */
  playCall(options?: CallOptions): Promise<PlayedCall>;
  /** A client for the same app with some options replaced, e.g. `{ secret: 'wrong' }`. */
  with(options: TestClientOptions): TestClient;
  /** Placetel's requests. @throws {TypeError} on access when the app is not a Placetel app */
  readonly placetel: PlacetelTestRequests;
  /** Ozeki's notifications. @throws {TypeError} on access when the app is not an Ozeki app */
  readonly ozeki: OzekiTestRequests;
  /** VoipNow's requests. @throws {TypeError} on access when the app is not a VoipNow app */
  readonly voipnow: VoipNowTestRequests;
  /** Opentact's requests. @throws {TypeError} on access when the app is not an Opentact app */
  readonly opentact: OpentactTestRequests;
  /** sipgate's pushes. @throws {TypeError} on access when the app is not a sipgate app */
  readonly sipgate: SipgateTestRequests;
}

function appendQuery(query: string, extra: string): string {
  return query === '' ? extra : extra === '' ? query : `${query}&${extra}`;
}

class Client implements TestClient {
  readonly provider: string;
  readonly options: TestClientOptions;
  readonly #app: TestableApp;
  readonly #renderer: AnswerRenderer;

  constructor(app: TestableApp, options: TestClientOptions) {
    const renderer = rendererFor(app.provider, options);
    if (renderer === undefined) {
      throw new TypeError(
        `createTestClient: unknown provider "${app.provider}"; give a renderer for it`,
      );
    }
    if (options.secret !== undefined && app.provider !== 'placetel') {
      throw new TypeError(
        app.provider === 'sipgate'
          ? 'createTestClient: sipgate signs with an RSA key; use privateKey, not secret'
          : `createTestClient: ${app.provider} signs no requests; use basicAuth or urlToken`,
      );
    }
    if (options.privateKey !== undefined && app.provider !== 'sipgate') {
      throw new TypeError(
        `createTestClient: privateKey is for sipgate; ${app.provider} does not sign with one`,
      );
    }
    this.#app = app;
    this.#renderer = renderer;
    this.provider = app.provider;
    this.options = options;
  }

  async send(request: TestRequest): Promise<TestReply> {
    const options = this.options;
    const headers: Record<string, string> = { host: '127.0.0.1' };
    for (const [name, value] of Object.entries({ ...options.headers, ...request.headers })) {
      headers[name.toLowerCase()] = value;
    }
    const body = Buffer.from(request.body, 'utf8');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      headers['content-length'] = String(body.length);
    }
    if (options.secret !== undefined && headers['x-placetel-signature'] === undefined) {
      headers['x-placetel-signature'] = signPlacetelBody(body, options.secret);
    }
    if (options.privateKey !== undefined && headers[SIPGATE_SIGNATURE_HEADER] === undefined) {
      headers[SIPGATE_SIGNATURE_HEADER] = signSipgateBody(body, options.privateKey);
    }
    if (options.basicAuth !== undefined) {
      const { username, password } = options.basicAuth;
      headers['authorization'] =
        `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    }
    let path = request.path === undefined || request.path === '' ? '/' : request.path;
    let query = request.query ?? '';
    const token =
      typeof options.urlToken === 'string' ? { token: options.urlToken } : options.urlToken;
    if (token !== undefined) {
      if (token.in === 'path') path = `/${encodeURIComponent(token.token)}${path}`;
      else {
        const param = new URLSearchParams({ [token.param ?? 'token']: token.token });
        query = appendQuery(query, param.toString());
      }
    }
    const sent: TestRequest = { ...request, headers, path, query };
    const reply = await this.#app.handle({
      method: request.method.toUpperCase(),
      path,
      query,
      headers,
      body,
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
    });
    return new TestReply(sent, reply, this.#renderer);
  }

  async play(requests: readonly TestRequest[]): Promise<PlayedCall> {
    const exchanges: CallExchange[] = [];
    for (const request of requests) {
      const reply = await this.send(request);
      exchanges.push({ event: request.event, request: reply.request, reply });
    }
    return playedCall(exchanges);
  }

  async playCall(options: CallOptions = {}): Promise<PlayedCall> {
    switch (this.provider) {
      case 'placetel':
        return this.placetel.playCall(scenarioOptions('placetel', options));
      case 'ozeki':
        return this.ozeki.playCall(scenarioOptions('ozeki', options));
      case 'voipnow':
        return this.voipnow.playCall(scenarioOptions('voipnow', options));
      case 'opentact':
        return this.opentact.playCall(scenarioOptions('opentact', options));
      case 'sipgate':
        return this.sipgate.playCall(scenarioOptions('sipgate', options));
      default:
        throw new TypeError(`playCall: no call scenario for provider "${this.provider}"`);
    }
  }

  with(options: TestClientOptions): TestClient {
    return new Client(this.#app, { ...this.options, ...options });
  }

  #require(provider: TestProvider): void {
    if (this.provider !== provider) {
      throw new TypeError(`client.${provider}: the app under test is a ${this.provider} app`);
    }
  }

  get placetel(): PlacetelTestRequests {
    this.#require('placetel');
    // The client signs (or not) as its options say, whatever the scenario options hold.
    const unsigned = (options: PlacetelCallScenarioOptions): PlacetelCallScenarioOptions => {
      const copy = { ...options };
      delete (copy as { secret?: string }).secret;
      return copy;
    };
    const scenario = (options: PlacetelCallScenarioOptions = {}) =>
      placetelCallScenario(unsigned(options));
    return {
      incomingCall: (options = {}) =>
        this.send(pick(scenario({ ...options, direction: 'in' }), 'IncomingCall')),
      outgoingCall: (options = {}) =>
        this.send(pick(scenario({ ...options, direction: 'out' }), 'OutgoingCall')),
      callAccepted: (options = {}) =>
        this.send(
          pick(scenario({ ...options, direction: 'in', hangupType: 'accepted' }), 'CallAccepted'),
        ),
      hungUp: (options = {}) => this.send(pick(scenario(options), 'HungUp')),
      request: (fields) => this.send(placetelRequest(fields)),
      playCall: (options = {}) => this.play(scenario(options)),
    };
  }

  get ozeki(): OzekiTestRequests {
    this.#require('ozeki');
    return {
      incomingCall: (options = {}) =>
        this.send(pick(ozekiCallScenario({ ...options, digits: [] }), 'IncomingCall')),
      dtmfEntered: ({ callId, digits }) =>
        this.send(ozekiNotification('DtmfEntered', { CallId: callId, DtmfDigits: digits })),
      notification: (name, fields = {}) => this.send(ozekiNotification(name, fields)),
      playCall: (options = {}) => this.play(ozekiCallScenario(options)),
    };
  }

  get voipnow(): VoipNowTestRequests {
    this.#require('voipnow');
    return {
      dialIn: (options = {}) => this.send(pick(voipNowCallScenario(options), 'Dial-In')),
      interactive: (options = {}) =>
        this.send(pick(voipNowCallScenario(options), 'call_interactive')),
      hangup: (options = {}) => this.send(pick(voipNowCallScenario(options), 'Hangup')),
      playCall: (options = {}) => this.play(voipNowCallScenario(options)),
    };
  }

  get opentact(): OpentactTestRequests {
    this.#require('opentact');
    return {
      callFlowRequest: (options = {}) =>
        this.send(pick(opentactCallScenario(options), 'call_flow_request')),
      gather: (options = {}) => this.send(pick(opentactCallScenario(options), 'gather')),
      callState: (state, options = {}) =>
        this.send(pick(opentactCallScenario(options), `call_state:${state}`)),
      playCall: (options = {}) => this.play(opentactCallScenario(options)),
    };
  }

  get sipgate(): SipgateTestRequests {
    this.#require('sipgate');
    // The client signs (or not) as its options say, whatever the scenario options hold.
    const scenario = (options: SipgateCallScenarioOptions = {}) => {
      const copy = { ...options };
      delete (copy as { privateKey?: unknown }).privateKey;
      return sipgateCallScenario(copy);
    };
    const answered = (options: SipgateCallScenarioOptions) =>
      scenario({ ...options, cause: 'normalClearing', dtmf: options.dtmf ?? '1' });
    return {
      newCall: (options = {}) => this.send(pick(scenario(options), 'newCall')),
      answer: (options = {}) => this.send(pick(answered(options), 'answer')),
      dtmf: (options = {}) => this.send(pick(answered(options), 'dtmf')),
      hangup: (options = {}) => this.send(pick(scenario(options), 'hangup')),
      request: (fields) => this.send(sipgateRequest(fields)),
      playCall: (options = {}) => this.play(scenario(options)),
    };
  }
}

function playedCall(exchanges: readonly CallExchange[]): PlayedCall {
  const call: PlayedCall = {
    exchanges,
    replies: exchanges.map((exchange) => exchange.reply),
    reply(event, n = 0) {
      const found = exchanges.filter((exchange) => exchange.event === event)[n];
      if (found === undefined) {
        const events = exchanges.map((exchange) => exchange.event).join(', ');
        throw new AssertionError({
          message: `The call has no ${event} request #${n} (it had: ${events})`,
          actual: events,
          expected: event,
          operator: 'reply',
        });
      }
      return found.reply;
    },
    expectAllOk() {
      for (const exchange of exchanges) {
        if (!exchange.reply.ok) exchange.reply.expectStatus(200);
      }
      return call;
    },
  };
  return call;
}

/**
 * Makes a {@link TestClient} for an app, e.g. `createTestClient(calls, { secret: 'test' })`.
 * The provider is the app's (`app.provider`); the options carry the credentials the app was
 * configured with.
 *
 * @throws {TypeError} for an app of an unknown provider without `renderer`, `secret` for a
 *   provider other than Placetel, or `privateKey` for a provider other than sipgate
 */
export function createTestClient(app: TestableApp, options: TestClientOptions = {}): TestClient {
  return new Client(app, options);
}

/** A random call id for tests: `bytes` random bytes as hex. Default 16 (32 characters). */
export function randomCallId(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
