/**
 * The test client: sends provider-accurate requests straight into an app's `handle()` — no
 * socket, no port — signed or authenticated the way the app was configured, and returns
 * {@link TestReply}s to assert on. Requests come from the same generators as
 * `callcontrol simulate` (`src/providers/<name>/simulate.ts`), so a test sends exactly what the
 * provider sends: method, content type, field names and order, encoding.
 *
 * @module
 */
import {
  callStep,
  formatTranscript,
  transcriptLines,
  type CallSteps,
  type TranscriptEntry,
} from './transcript';
import { AssertionError } from 'node:assert';
import { randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { WebhookReply, WebhookRequest } from '../core/types';
import {
  findProvider,
  PROVIDERS,
  type ProviderName,
  type RegisteredProvider,
  type ScenarioOptionsOf,
  type TestRequestsOf,
} from '../providers/registry';
import { TestReply, type AnswerRenderer, type TestRequest } from './reply';
import type { CallExchange, CallOptions, PlayedCall } from './types';
import {
  compareReplies,
  parseRecording,
  replayRequest,
  type RecordedExchange,
  type ReplayDifference,
} from './replay';
import type { ScenarioReply, SigningOption } from '../providers/plugin';

export type { CallExchange, CallOptions, PlayedCall } from './types';

/** What the kit needs of an app: every provider's `createApp` result is one. */
export interface TestableApp {
  /** The provider id: `'placetel'`, `'ozeki'`, `'voipnow'`, `'opentact'` or `'sipgate'`. */
  readonly provider: string;
  /** Answers one request; never rejects (see `WebhookApp.handle`). */
  handle(request: WebhookRequest): Promise<WebhookReply>;
  /**
   * Whether a value is an answer of the app's provider (`WebhookApp.isAnswer`). With
   * `renderAnswer`, the kit renders expected answers exactly as the app renders its own.
   */
  isAnswer?(value: unknown): boolean;
  /** The XML the app sends for an answer to an event (`WebhookApp.renderAnswer`). */
  renderAnswer?(answer: never, event?: never): string;
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
  /**
   * Sign every request with this auth token, for providers that sign the URL and the
   * parameters with a shared token (Twilio's `X-Twilio-Signature`, HMAC-SHA1 over the full URL
   * and the sorted POST parameters). The URL signed is the one the app computes as the
   * request's public URL: `publicUrl` below plus the request's path and query. Giving it for
   * a provider that signs otherwise throws a TypeError.
   */
  readonly authToken?: string | undefined;
  /**
   * The public URL of the app's mount point, as the app's `publicUrl` option says, e.g.
   * `'https://voice.example.com/twilio'`: requests signed over their URL (`authToken`) are
   * signed for it plus their path and query, and answers' absolute URLs below it are followed
   * by `playCall`. Default: `http://` and the `Host` header (`127.0.0.1`), as the app sees a
   * kit request without a `publicUrl` option.
   */
  readonly publicUrl?: string | undefined;
  /** Send `Authorization: Basic` with these credentials (the app's `basicAuth`). */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /**
   * Put this token in the URL, as the app's `urlToken` expects it; a string is `{ token }`. Added
   * only where missing: a request whose URL already has it (a URL followed from an answer built
   * with the handler's `publicUrl()`) is sent as it is.
   */
  readonly urlToken?: string | TestUrlToken | undefined;
  /** The peer address the app sees (checked by `allowFrom`). Default `'127.0.0.1'`. */
  readonly remoteAddress?: string | undefined;
  /** Extra headers on every request (lower-case names), e.g. `x-forwarded-for`. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** For an app of another provider than the five: how its answers are told and rendered. */
  readonly renderer?: AnswerRenderer | undefined;
}

/** A provider the kit knows the requests of: every registered provider. */
export type TestProvider = ProviderName;

/**
 * The scenario options of `provider` for provider-neutral {@link CallOptions}, e.g.
 * `scenarioOptions('placetel', { hangupCause: 'busy' })` → `{ hangupType: 'busy' }`.
 *
 * @throws {TypeError} for a provider that is not registered, an option the provider has no
 *   notion of (Placetel digits, an Ozeki hangup cause), or a value it never sends (an unknown
 *   Placetel hangup type…)
 */
export function scenarioOptions<P extends TestProvider>(
  provider: P,
  options: CallOptions,
): ScenarioOptionsOf<P> {
  const plugin = findProvider(provider);
  if (plugin === undefined) throw new TypeError(`scenarioOptions: unknown provider "${provider}"`);
  return plugin.testKit.scenarioOptions(options) as ScenarioOptionsOf<P>;
}

/**
 * The requests of each provider's test kit, by provider (`client.placetel`,
 * `client.sipgate`, …): see each provider's `plugin.ts` (e.g. `PlacetelTestRequests`).
 */
export type ProviderTestRequestsMap = {
  readonly [P in TestProvider]: TestRequestsOf<P>;
};

/**
 * Sends requests into one app. Make it with {@link createTestClient}.
 *
 * Besides the provider-neutral methods, it has one property per registered provider with that
 * provider's requests ({@link ProviderTestRequestsMap}): `client.placetel.incomingCall()`,
 * `client.sipgate.dtmf()`, …; reading the property of another provider than the app's throws a
 * `TypeError`.
 */
export interface TestClient extends ProviderTestRequestsMap {
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
  /**
   * Sends every request of a recording (the app option `record`) again, one after another,
   * signed and authenticated as the client's options say, and resolves with the recorded and
   * the new reply of each — a recording of real traffic as a regression test:
   * `(await client.replay('test/data/calls.jsonl')).expectSame()`.
   *
   * @param recording - the recording's text (one JSON object a line), or the path of its file
   * @throws {TypeError} (the promise rejects) for a line that is not a recorded exchange, or a
   *   file that cannot be read
   */
  replay(recording: string): Promise<ReplayedRecording>;
}

/** One request of a replayed recording: the recorded reply and the new one. */
export interface ReplayedExchange {
  /** The recorded exchange. */
  readonly recorded: RecordedExchange;
  /** The reply the app gives now. */
  readonly reply: TestReply;
  /** Where the new reply differs (status; body compared as XML); empty when the same. */
  readonly differences: readonly ReplayDifference[];
}

/** What {@link TestClient.replay} resolves with. */
export interface ReplayedRecording {
  /** Every request of the recording, in order. */
  readonly exchanges: readonly ReplayedExchange[];
  /**
   * Asserts that every new reply equals its recorded one (status, and body as XML).
   * @throws {AssertionError} naming the first request that differs and how
   */
  expectSame(): ReplayedRecording;
}

/** Most requests one played call sends (followed requests included). */
const MAX_PLAYED_REQUESTS = 50;

function appendQuery(query: string, extra: string): string {
  return query === '' ? extra : extra === '' ? query : `${query}&${extra}`;
}

/** The plug-in of the app's provider, `undefined` for a provider that is not registered. */
function pluginOf(app: TestableApp): RegisteredProvider | undefined {
  return findProvider(app.provider);
}

/**
 * The app's own renderer, for an app that renders its answers (every `createApp` result):
 * expected answers then come out exactly as the app's (its render options included).
 */
function appRenderer(app: TestableApp): AnswerRenderer | undefined {
  const { isAnswer, renderAnswer } = app;
  if (isAnswer === undefined || renderAnswer === undefined) return undefined;
  const render = renderAnswer.bind(app) as (answer: unknown, event?: unknown) => string;
  return {
    provider: app.provider,
    isAnswer: (value) => isAnswer.call(app, value),
    render: (answer, event) =>
      render(answer, {
        provider: app.provider,
        name: event,
        callId: '',
        from: '',
        to: '',
        raw: {},
      }),
  };
}

/** The registered providers that sign with the credential option `option`, by name. */
function signersWith(option: SigningOption): string {
  return PROVIDERS.filter(
    (plugin) => 'signing' in plugin.testKit && plugin.testKit.signing.option === option,
  )
    .map((plugin) => plugin.name)
    .join(', ');
}

class Client implements Omit<TestClient, TestProvider> {
  readonly provider: string;
  readonly options: TestClientOptions;
  readonly #app: TestableApp;
  readonly #renderer: AnswerRenderer;
  readonly #plugin: RegisteredProvider | undefined;

  constructor(app: TestableApp, options: TestClientOptions) {
    const plugin = pluginOf(app);
    const renderer = options.renderer ?? appRenderer(app) ?? plugin?.testKit.renderer();
    if (renderer === undefined) {
      throw new TypeError(
        `createTestClient: unknown provider "${app.provider}"; give a renderer for it`,
      );
    }
    const signing =
      plugin !== undefined && 'signing' in plugin.testKit ? plugin.testKit.signing : undefined;
    for (const option of ['secret', 'privateKey', 'authToken'] as const) {
      if (options[option] === undefined || signing?.option === option) continue;
      const signers = signersWith(option);
      const owner = signers === '' ? `${option} signs nothing here` : `${option} is for ${signers}`;
      throw new TypeError(
        signing !== undefined
          ? `createTestClient: ${owner}; ${app.provider} signs with ${signing.with}: use ${signing.option}`
          : `createTestClient: ${owner}; ${app.provider} signs no requests: use basicAuth or urlToken`,
      );
    }
    this.#app = app;
    this.#renderer = renderer;
    this.#plugin = plugin;
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
    if (options.basicAuth !== undefined) {
      const { username, password } = options.basicAuth;
      headers['authorization'] =
        `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    }
    let path = request.path === undefined || request.path === '' ? '/' : request.path;
    let query = request.query ?? '';
    const token =
      typeof options.urlToken === 'string' ? { token: options.urlToken } : options.urlToken;
    // Added only when missing: a URL followed from an answer (the handler's `publicUrl()`)
    // already carries it, and the app refuses a token given twice.
    if (token !== undefined) {
      const segment = encodeURIComponent(token.token);
      const name = token.param ?? 'token';
      if (token.in === 'path') {
        if (path !== `/${segment}` && !path.startsWith(`/${segment}/`)) path = `/${segment}${path}`;
      } else if (!new URLSearchParams(query).getAll(name).includes(token.token)) {
        query = appendQuery(query, new URLSearchParams({ [name]: token.token }).toString());
      }
    }
    const plugin = this.#plugin;
    const signing =
      plugin !== undefined && 'signing' in plugin.testKit ? plugin.testKit.signing : undefined;
    const credential = signing === undefined ? undefined : options[signing.option];
    if (
      signing !== undefined &&
      credential !== undefined &&
      headers[signing.header] === undefined
    ) {
      const base =
        options.publicUrl?.replace(/\/+$/, '') ?? `http://${headers['host'] ?? '127.0.0.1'}`;
      const url = `${base}${path}${query === '' ? '' : `?${query}`}`;
      const signature = signing.sign(body, credential, {
        method: request.method.toUpperCase(),
        url,
      });
      if (typeof signature === 'string') headers[signing.header] = signature;
      else for (const [name, value] of Object.entries(signature)) headers[name] = value;
    }
    const sent: TestRequest = { ...request, headers, path, query };
    const reply = await this.#app.handle({
      method: request.method.toUpperCase(),
      path,
      query,
      headers,
      body,
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      // As an adapter mounted at the server root would see it (the Host header above).
      scheme: 'http',
      host: headers['host'] ?? '127.0.0.1',
      originalUrl: query === '' ? path : `${path}?${query}`,
    });
    return new TestReply(sent, reply, this.#renderer);
  }

  /** The URL the requests' paths are relative to: `publicUrl`, else `http://` and the Host. */
  get baseUrl(): string {
    const host = this.options.headers?.['host'] ?? '127.0.0.1';
    return this.options.publicUrl?.replace(/\/+$/, '') ?? `http://${host}`;
  }

  async play(
    requests: CallSteps,
    follow?: (reply: ScenarioReply, sent: readonly TestRequest[]) => CallSteps,
  ): Promise<PlayedCall> {
    const exchanges: CallExchange[] = [];
    const opening = callStep(requests);
    const queue = [...opening.requests];
    const transcript: TranscriptEntry[] = [...opening.transcript];
    const sent: TestRequest[] = [];
    // A bound on followed requests, so that an app that loops forever ends the call.
    for (let count = 0; queue.length > 0 && count < MAX_PLAYED_REQUESTS; count++) {
      const request = queue.shift() as TestRequest;
      const reply = await this.send(request);
      exchanges.push({ event: request.event, request: reply.request, reply });
      sent.push(request);
      if (follow !== undefined) {
        const step = callStep(follow({ request, status: reply.status, body: reply.text }, sent));
        queue.unshift(...step.requests);
        transcript.push(...step.transcript);
      }
    }
    return playedCall(exchanges, transcript);
  }

  async playCall(options: CallOptions = {}): Promise<PlayedCall> {
    const plugin = this.#plugin;
    if (plugin === undefined) {
      throw new TypeError(`playCall: no call scenario for provider "${this.provider}"`);
    }
    const kit = plugin.testKit as {
      scenarioOptions(options: CallOptions): unknown;
      requests(client: Client): { playCall(options: unknown): Promise<PlayedCall> };
    };
    return kit.requests(this).playCall(kit.scenarioOptions(options));
  }

  with(options: TestClientOptions): TestClient {
    return createTestClient(this.#app, { ...this.options, ...options });
  }

  async replay(recording: string): Promise<ReplayedRecording> {
    const text = /[\n{]/.test(recording) ? recording : readFileSync(recording, 'utf8');
    const exchanges: ReplayedExchange[] = [];
    for (const recorded of parseRecording(text)) {
      // Redacted headers and URL tokens left out; `send` signs and authenticates anew.
      const prepared = replayRequest(recorded, this.baseUrl);
      const headers = { ...prepared.headers };
      delete headers['authorization'];
      const reply = await this.send({
        event: '',
        method: prepared.method,
        headers,
        body: prepared.body.toString('utf8'),
        path: prepared.path,
        query: prepared.query,
      });
      exchanges.push({
        recorded,
        reply,
        // The client's URL token is `[redacted]` in recorded answers, as recordings keep it.
        differences: compareReplies(
          recorded.reply,
          { status: reply.status, body: reply.text },
          typeof this.options.urlToken === 'string'
            ? [this.options.urlToken]
            : this.options.urlToken === undefined
              ? []
              : [this.options.urlToken.token],
        ),
      });
    }
    const result: ReplayedRecording = {
      exchanges,
      expectSame() {
        for (const [index, exchange] of exchanges.entries()) {
          const difference = exchange.differences[0];
          if (difference === undefined) continue;
          const { method, path } = exchange.recorded.request;
          throw new AssertionError({
            message: `Replayed request #${index + 1} (${method} ${path}) differs in its ${difference.field}: recorded ${difference.recorded}, now ${difference.now}`,
            actual: difference.now,
            expected: difference.recorded,
            operator: 'expectSame',
          });
        }
        return result;
      },
    };
    return result;
  }

  /**
   * The requests of `provider`'s test kit for this client.
   * @throws {TypeError} when the app under test is another provider's
   */
  requestsOf(provider: TestProvider): unknown {
    const plugin = findProvider(provider);
    if (plugin === undefined || this.provider !== provider) {
      throw new TypeError(`client.${provider}: the app under test is a ${this.provider} app`);
    }
    return plugin.testKit.requests(this);
  }
}

// One property per registered provider (`client.placetel`, …), typed by ProviderTestRequestsMap.
for (const plugin of PROVIDERS) {
  Object.defineProperty(Client.prototype, plugin.name, {
    configurable: true,
    enumerable: false,
    get(this: Client) {
      return this.requestsOf(plugin.name);
    },
  });
}

function playedCall(
  exchanges: readonly CallExchange[],
  transcript: readonly TranscriptEntry[] = [],
): PlayedCall {
  const call: PlayedCall = {
    exchanges,
    transcript,
    transcriptLines: () => transcriptLines(transcript),
    expectTranscript(expected) {
      const lines = transcriptLines(transcript);
      let from = 0;
      for (const wanted of expected) {
        const index = lines.findIndex(
          (line, i) =>
            i >= from && (typeof wanted === 'string' ? line.startsWith(wanted) : wanted.test(line)),
        );
        if (index === -1) {
          throw new AssertionError({
            message:
              `The call's transcript has no line ${String(wanted)}` +
              (from > 0 ? ` after "${lines[from - 1] ?? ''}"` : '') +
              `; it was:\n${formatTranscript(transcript).join('\n')}`,
            actual: lines,
            expected,
            operator: 'expectTranscript',
          });
        }
        from = index + 1;
      }
      return call;
    },
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
 * @throws {TypeError} for an app of an unknown provider without `renderer`, or a signing
 *   credential (`secret`, `privateKey`) the app's provider does not sign with
 */
export function createTestClient(app: TestableApp, options: TestClientOptions = {}): TestClient {
  // The provider properties (`client.placetel`, …) are getters installed on the prototype from
  // the registry, above.
  return new Client(app, options) as Client & ProviderTestRequestsMap;
}

/** A random call id for tests: `bytes` random bytes as hex. Default 16 (32 characters). */
export function randomCallId(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
