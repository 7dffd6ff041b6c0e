/**
 * Provider-neutral call flows: write a call flow once, mount it on the app of every provider
 * that can express it.
 *
 * ```ts
 * const flow = createFlow({ uses: ['forward', 'reject'] as const, defaultCountry: 'DE' });
 * flow.on('incoming', (call) =>
 *   call.from.e164 === '+4930123456'
 *     ? flow.reject('busy')
 *     : flow.forward({ targets: ['+4922129191999'], ringTimeSeconds: 20 }),
 * );
 * flow.on('ended', (call) => console.log(call.callId, call.cause, call.durationSeconds));
 * flow.mount(placetelCalls); // any registered provider's createApp result
 * flow.mount(twilioCalls);
 * ```
 *
 * The shapes (neutral events and answers) and each provider's part are in `./contract`; the
 * capability matrix is read off the providers' declarations (`flowCapabilities`). Guide:
 * `docs/flows.md`.
 *
 * @module
 */
import { CallControlError } from '../core/errors';
import type { EventHandler } from '../core/app';
import type { HandlerContext } from '../core/types';
import {
  PROVIDERS,
  findProvider,
  type ProviderName,
  type ProviderPluginOf,
} from '../providers/registry';
import {
  FLOW_EVENTS,
  FLOW_VERBS,
  type FlowAnswer,
  type FlowAnswerOf,
  type FlowCompileContext,
  type FlowEvent,
  type FlowEventMap,
  type FlowEventName,
  type FlowForward,
  type FlowGather,
  type FlowNumber,
  type FlowPlay,
  type FlowRecord,
  type FlowSay,
  type FlowVerb,
  type FlowVerbsOf,
  type ProviderFlow,
} from './contract';
import { flowNumber, isFlowCountry, type FlowCountry } from './numbers';

export * from './contract';
export { flowNumber, isFlowCountry, type FlowCountry } from './numbers';
export {
  flowCapabilities,
  renderCapabilityMatrix,
  type FlowEventCapability,
  type ProviderFlowCapabilities,
} from './matrix';

/** Options of {@link createFlow}. */
export interface FlowOptions<Uses extends readonly FlowVerb[]> {
  /**
   * The neutral verbs the flow answers with (`['forward', 'reject'] as const`): only these
   * builders exist on the flow, and it mounts only on providers that can express each of them.
   */
  readonly uses: Uses;
  /**
   * The country of national numbers (ISO 3166-1 alpha-2, e.g. `'DE'` for Placetel's
   * `022129191999`), for the E.164 forms of neutral events; without it only international
   * numbers get one.
   */
  readonly defaultCountry?: FlowCountry | undefined;
}

/** The structural view of a provider app that a flow mounts on (any registered provider's `createApp` result). */
export interface FlowApp {
  /** The provider id, e.g. the value registered in the provider registry. */
  readonly provider: string;
}

/** What a neutral handler gets beside the neutral event: the provider's own side of it. */
export interface FlowContext {
  /** The provider id. */
  readonly provider: string;
  /** The provider's app the flow is mounted on: its own API stays available. */
  readonly app: unknown;
  /** The provider's own typed event (the same as the neutral event's `raw`). */
  readonly event: unknown;
  /** The app's handler context (the call's `session`, …). */
  readonly handler: HandlerContext;
}

/**
 * What a neutral handler returns: neutral answer(s) of the flow's verbs (compiled with the
 * provider's `compile`), an answer built with the provider's own builders (returned unchanged),
 * or `null`/`undefined` for the provider's neutral answer (no action).
 */
export type FlowResult<Verb extends FlowVerb> =
  | FlowAnswerOf<Verb>
  | readonly FlowAnswerOf<Verb>[]
  | { readonly provider: string }
  | readonly { readonly provider: string }[]
  | null
  | undefined
  // `void` so that a handler of a notification (`ended`) needs no `return`.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
  | void;

/** A neutral handler. */
export type FlowHandler<E extends FlowEventName, Verb extends FlowVerb> = (
  event: FlowEventMap[E],
  context: FlowContext,
) => FlowResult<Verb> | Promise<FlowResult<Verb>>;

/**
 * The provider id of a provider app's type (the `provider` of the events its `onAny` observers
 * get); `string` when unknown.
 */
export type ProviderOfApp<A> = A extends {
  /** The app's observer registration, whose handler gets every event of the provider. */
  onAny(handler: infer H): unknown;
}
  ? H extends EventHandler<infer E, unknown>
    ? E extends { readonly provider: infer P extends string }
      ? P
      : string
    : string
  : string;

/** The verbs the provider `P` can express, as its registered flow declares them (every verb for an unknown provider). */
export type ProviderFlowVerbs<P extends string> = P extends ProviderName
  ? FlowVerbsOf<NonNullable<ProviderPluginOf<P>['flow']>>
  : FlowVerb;

/**
 * `unknown` when the app's provider can express every verb of `Verb`; else a type no app has,
 * whose property names say which provider cannot express which verb.
 */
export type FlowMountCheck<A, Verb extends FlowVerb> = [
  Exclude<Verb, ProviderFlowVerbs<ProviderOfApp<A>>>,
] extends [never]
  ? unknown
  : {
      readonly [
        V in Exclude<
          Verb,
          ProviderFlowVerbs<ProviderOfApp<A>>
        > as `${ProviderOfApp<A>} cannot express ${V}`
      ]: never;
    };

/** The builders of neutral answers, one per verb. */
export interface FlowBuilders {
  /**
   * Ring `targets` together (phone numbers or SIP URIs).
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for no target, an empty one, or a ring
   *   time that is no whole number of seconds ≥ 1
   */
  forward(options: {
    readonly targets: string | readonly string[];
    readonly ringTimeSeconds?: number;
    readonly callerId?: string;
  }): FlowForward;
  /** Refuse the call: `'busy'` (default) or `'rejected'`. @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for another reason */
  reject(reason?: 'busy' | 'rejected'): FlowAnswerOf<'reject'>;
  /** End the call. */
  hangup(): FlowAnswerOf<'hangup'>;
  /** Read `text` (in `language`, BCP 47). @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an empty text */
  say(text: string, language?: string): FlowSay;
  /** Play the audio at `url` (absolute http(s)). @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for another URL */
  play(url: string): FlowPlay;
  /**
   * Prompt and collect digits; they come back to the flow's `digits` handler.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a `maxDigits` or `timeoutSeconds` that is no whole number ≥ 1
   */
  gather(options?: Omit<FlowGather, 'verb'>): FlowGather;
  /** Send the caller to the queue `queue` (name or id). @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an empty one */
  queue(queue: string): FlowAnswerOf<'queue'>;
  /** Send the caller to voicemail. */
  voicemail(): FlowAnswerOf<'voicemail'>;
  /** Record the caller, at most `maxLengthSeconds`. @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a length that is no whole number ≥ 1 */
  record(options?: { readonly maxLengthSeconds?: number }): FlowRecord;
}

/** A neutral call flow of the verbs `Verb` (see {@link createFlow}). */
export type Flow<Verb extends FlowVerb> = Pick<FlowBuilders, Verb> & {
  /** The verbs the flow uses, as given. */
  readonly uses: readonly Verb[];
  /** The default country of national numbers, if any. */
  readonly defaultCountry: FlowCountry | undefined;
  /**
   * Declares answers the flow gives (e.g. its `forward` with targets and ring time): `mount`
   * compiles each with the provider's compiler, so that a value outside a provider's limits (a
   * ring time it cannot set, more targets than it rings) fails before any call. Before mounting.
   * @throws {TypeError} for something that is no neutral answer of the flow's verbs, or a flow
   *   already mounted
   */
  expects(...answers: readonly FlowAnswerOf<Verb>[]): Flow<Verb>;
  /** The neutral events the flow has handlers for, in the order registered. */
  readonly handles: readonly FlowEventName[];
  /**
   * Registers the handler of the neutral event `name` (one per name), before mounting.
   * @throws {TypeError} for an unknown name, a second handler, a handler that is not a function
   *   or a flow already mounted
   */
  on<E extends FlowEventName>(name: E, handler: FlowHandler<E, Verb>): Flow<Verb>;
  /**
   * Wires the flow onto a provider app (`createApp` of any registered provider): registers the
   * app's handlers of the provider's events that the flow's neutral events come from (so the
   * app must have none of its own for them), turns each into its neutral event, calls the
   * flow's handler and compiles its neutral answers with the provider's compiler. Does not
   * compile for an app whose provider cannot express one of the flow's verbs.
   *
   * @returns the app
   * @throws {TypeError} naming provider and verb (or event) with the provider's reason, for a
   *   verb of `uses` the provider cannot express, a neutral event the flow handles that the
   *   provider never sends, an answer declared with `expects` its compiler refuses
   *   (`CC_ERR_ANSWER_INVALID`), a provider without flow support, or what its `prepare` refuses
   */
  mount<A extends FlowApp>(app: A & FlowMountCheck<A, Verb>): A;
  /**
   * The neutral event for one of a provider's events, as `mount` makes them (`undefined` when
   * it is no neutral event).
   * @throws {TypeError} for a provider without flow support
   */
  toFlowEvent(provider: string, event: unknown): FlowEvent | undefined;
};

/** The request URL the mount-time probe of `expects` compiles with (no request exists yet). */
const PROBE_URL = 'http://127.0.0.1/';

/** An error of the flow API that names the provider and verb (or event). */
function refuse(message: string): TypeError {
  return new TypeError(message);
}

function invalid(builder: string, problem: string): CallControlError {
  return new CallControlError('CC_ERR_ANSWER_INVALID', `flow.${builder}: ${problem}`);
}

function wholeNumber(builder: string, name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalid(builder, `${name} must be a whole number ≥ 1, got ${String(value)}`);
  }
}

function text(builder: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(builder, `${name} must be a non-empty string`);
  }
  return value;
}

/** The builders of every neutral verb (each checks what holds for every provider). */
const BUILDERS: FlowBuilders = {
  forward(options) {
    const targets = typeof options?.targets === 'string' ? [options.targets] : options?.targets;
    if (!Array.isArray(targets) || targets.length === 0) {
      throw invalid('forward', 'targets must name at least one number or SIP URI');
    }
    targets.forEach((target, index) => text('forward', `targets[${index}]`, target));
    wholeNumber('forward', 'ringTimeSeconds', options.ringTimeSeconds);
    return {
      verb: 'forward',
      targets: [...targets],
      ...(options.ringTimeSeconds === undefined
        ? {}
        : { ringTimeSeconds: options.ringTimeSeconds }),
      ...(options.callerId === undefined
        ? {}
        : { callerId: text('forward', 'callerId', options.callerId) }),
    };
  },
  reject(reason = 'busy') {
    if (reason !== 'busy' && reason !== 'rejected') {
      throw invalid('reject', `reason must be "busy" or "rejected", got ${String(reason)}`);
    }
    return { verb: 'reject', reason };
  },
  hangup: () => ({ verb: 'hangup' }),
  say(value, language) {
    return {
      verb: 'say',
      text: text('say', 'text', value),
      ...(language === undefined ? {} : { language: text('say', 'language', language) }),
    };
  },
  play(url) {
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url)) {
      throw invalid('play', 'url must be an absolute http(s) URL');
    }
    return { verb: 'play', url };
  },
  gather(options = {}) {
    wholeNumber('gather', 'maxDigits', options.maxDigits);
    wholeNumber('gather', 'timeoutSeconds', options.timeoutSeconds);
    if (
      options.prompt !== undefined &&
      options.prompt.verb !== 'say' &&
      options.prompt.verb !== 'play'
    ) {
      throw invalid('gather', 'prompt must be a say or play answer');
    }
    return { verb: 'gather', ...options };
  },
  queue: (queue) => ({ verb: 'queue', queue: text('queue', 'queue', queue) }),
  voicemail: () => ({ verb: 'voicemail' }),
  record(options = {}) {
    wholeNumber('record', 'maxLengthSeconds', options.maxLengthSeconds);
    return { verb: 'record', ...options };
  },
};

/** Whether `value` is a neutral answer (an object whose `verb` is a neutral verb, no provider brand). */
function isNeutral(value: unknown): value is FlowAnswer {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !('provider' in value) &&
    FLOW_VERBS.includes((value as { verb?: unknown }).verb as FlowVerb)
  );
}

/** The registered flow support of `provider`. @throws {TypeError} when it has none */
function providerFlow(provider: string): ProviderFlow {
  const flow = findProvider(provider)?.flow;
  if (flow === undefined) {
    const known = PROVIDERS.filter((plugin) => plugin.flow !== undefined).map(
      (plugin) => plugin.name,
    );
    throw refuse(
      `flow.mount: provider "${provider}" has no flow support (providers with one: ${known.join(', ') || 'none'})`,
    );
  }
  return flow;
}

/**
 * Creates a neutral call flow that uses the verbs `uses`: register its handlers with `on`, then
 * `mount` it on the app of every provider it should run on.
 *
 * @throws {TypeError} for a `uses` that is not a list of neutral verbs (`FLOW_VERBS`), or a
 *   `defaultCountry` libphonenumber-js does not know
 */
export function createFlow<const Uses extends readonly FlowVerb[]>(
  options: FlowOptions<Uses>,
): Flow<Uses[number]> {
  type Verb = Uses[number];
  const uses = options?.uses;
  if (!Array.isArray(uses) || uses.some((verb) => !FLOW_VERBS.includes(verb))) {
    throw new TypeError(`createFlow: uses must list neutral verbs (${FLOW_VERBS.join(', ')})`);
  }
  const defaultCountry = options.defaultCountry;
  if (defaultCountry !== undefined && !isFlowCountry(defaultCountry)) {
    throw new TypeError(
      `createFlow: defaultCountry must be an ISO 3166-1 alpha-2 code libphonenumber-js knows, e.g. "DE", got ${String(defaultCountry)}`,
    );
  }
  const normalize = (raw: string): FlowNumber => flowNumber(raw, defaultCountry);
  const handlers = new Map<FlowEventName, FlowHandler<FlowEventName, Verb>>();
  const mounted = new Set<unknown>();
  const expected: FlowAnswer[] = [];
  const builders = Object.fromEntries(
    (uses as readonly Verb[]).map((verb) => [verb, BUILDERS[verb]]),
  ) as Pick<FlowBuilders, Verb>;

  const toFlowEvent = (provider: string, event: unknown): FlowEvent | undefined =>
    providerFlow(provider).toFlowEvent(event, normalize);

  /** The provider's answer for what a neutral handler returned. */
  const answerOf = (
    result: unknown,
    providerFlow: ProviderFlow,
    context: FlowCompileContext,
  ): unknown => {
    if (result === undefined || result === null) return null;
    const answers = Array.isArray(result) ? result : [result];
    if (answers.length > 0 && answers.every(isNeutral)) {
      const unused = answers.find((answer) => !(uses as readonly FlowVerb[]).includes(answer.verb));
      if (unused !== undefined) {
        throw new CallControlError(
          'CC_ERR_ANSWER_INVALID',
          `${context.flowEvent.provider}: the flow answered with ${unused.verb}, which is not in its uses (${uses.join(', ')})`,
        );
      }
      return providerFlow.compile(answers, context);
    }
    return result;
  };

  const flow = {
    ...builders,
    uses: uses as readonly Verb[],
    defaultCountry,
    get handles(): readonly FlowEventName[] {
      return [...handlers.keys()];
    },
    on(name: FlowEventName, handler: FlowHandler<FlowEventName, Verb>) {
      if (!FLOW_EVENTS.includes(name)) {
        throw new TypeError(
          `flow.on: no neutral event "${String(name)}"; known: ${FLOW_EVENTS.join(', ')}`,
        );
      }
      if (typeof handler !== 'function')
        throw new TypeError(`flow.on("${name}"): handler must be a function`);
      if (handlers.has(name))
        throw new TypeError(`flow.on("${name}"): a handler is already registered`);
      if (mounted.size > 0) throw new TypeError(`flow.on("${name}"): the flow is already mounted`);
      handlers.set(name, handler);
      return flow;
    },
    expects(...answers: readonly FlowAnswer[]) {
      if (mounted.size > 0) throw new TypeError('flow.expects: the flow is already mounted');
      for (const answer of answers) {
        if (!isNeutral(answer) || !(uses as readonly FlowVerb[]).includes(answer.verb)) {
          throw new TypeError(
            `flow.expects: give neutral answers of the flow's verbs (${uses.join(', ')})`,
          );
        }
      }
      expected.push(...answers);
      return flow;
    },
    mount(app: FlowApp) {
      const provider = app?.provider;
      if (typeof provider !== 'string') throw new TypeError('flow.mount: not a provider app');
      const capabilities = providerFlow(provider);
      for (const verb of uses as readonly FlowVerb[]) {
        const capability = capabilities.verbs[verb];
        if (!capability.supported) {
          throw refuse(`flow.mount: ${provider} cannot express ${verb}: ${capability.reason}`);
        }
      }
      /** Provider event name → the neutral events it may become. */
      const names = new Map<string, Set<FlowEventName>>();
      for (const name of handlers.keys()) {
        const from = capabilities.events[name];
        if (!Array.isArray(from)) {
          throw refuse(
            `flow.mount: ${provider} never sends ${name}: ${(from as { reason: string }).reason}`,
          );
        }
        for (const providerName of from as readonly string[]) {
          names.set(providerName, (names.get(providerName) ?? new Set()).add(name));
        }
      }
      capabilities.prepare?.(app);
      const probe: FlowEvent = {
        name: 'incoming',
        provider,
        callId: '',
        from: normalize(''),
        to: normalize(''),
        direction: 'inbound',
        raw: undefined,
      };
      for (const answer of expected) {
        try {
          // A placeholder request URL: the probe checks the answer, not where follow-ups go.
          capabilities.compile([answer], {
            app,
            event: undefined,
            flowEvent: probe,
            requestUrl: PROBE_URL,
          });
        } catch (error) {
          // Only the compiler's own refusal counts: one that needs a real call cannot be probed.
          if (error instanceof CallControlError && error.code === 'CC_ERR_ANSWER_INVALID') {
            const own = `${provider} cannot express ${answer.verb}: `;
            const why = error.message.startsWith(own)
              ? error.message.slice(own.length)
              : error.message;
            throw refuse(
              `flow.mount: ${provider} cannot express ${answer.verb} as the flow gives it: ${why}`,
            );
          }
        }
      }
      const on = (app as unknown as { on(name: string, handler: unknown): unknown }).on.bind(app);
      for (const providerName of names.keys()) {
        on(providerName, async (event: unknown, handlerContext: HandlerContext) => {
          const flowEvent = capabilities.toFlowEvent(event, normalize);
          if (flowEvent === undefined) return null;
          const handler = handlers.get(flowEvent.name);
          if (handler === undefined) return null;
          const result = await handler(flowEvent as never, {
            provider,
            app,
            event,
            handler: handlerContext,
          });
          return answerOf(result, capabilities, {
            app,
            event,
            flowEvent,
            requestUrl: handlerContext.publicUrl(),
          });
        });
      }
      mounted.add(app);
      return app;
    },
    toFlowEvent,
  };
  return flow as unknown as Flow<Verb>;
}
