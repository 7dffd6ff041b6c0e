/**
 * The provider-neutral webhook app: router (`on`, `onAny`, `onError`) and the pipeline
 * authenticate → parse → dispatch → render → reply.
 *
 * A provider plugs in through a {@link ProviderDefinition}: which methods it sends, how a
 * request becomes a typed event, and how an answer becomes XML. Everything else — method
 * checks, authentication order, handler isolation, the fallback answer, error replies — is
 * the same for every provider and lives here.
 *
 * @module
 */
import { createExpressMiddleware, type ExpressMiddleware } from '../adapters/express';
import { CallControlError, isCallControlError } from './errors';
import { renderXml, sanitizeXmlText } from './xml';
import type {
  Authenticator,
  ErrorContext,
  HandlerContext,
  WebhookEvent,
  WebhookReply,
  WebhookRequest,
} from './types';

/** Default request body limit: 64 KiB (provider webhooks are well under 2 KiB). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** `Content-Type` of every answer callcontrol sends. */
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/**
 * What a provider tells the core about itself. One per provider folder (`providers/<name>/`).
 *
 * @typeParam TEvent - union of every event the provider's parser returns
 * @typeParam TAnswer - the provider's answer type, built by its builders
 */
export interface ProviderDefinition<TEvent extends WebhookEvent, TAnswer> {
  /** Provider id, e.g. `'placetel'`. */
  readonly name: string;
  /** HTTP methods the provider sends; others get 405. Upper-case. */
  readonly methods: readonly string[];
  /** The event names `on()` accepts. */
  readonly events: readonly string[];
  /**
   * Names `on()` accepts beyond `events`: qualified names such as Opentact's
   * `call_state:hangup`, which a provider's {@link ProviderDefinition.routingKeys} produces.
   */
  acceptsEventName?(name: string): boolean;
  /**
   * The names a handler may be registered under for `event`, most specific first, e.g.
   * `['call_state:hangup', 'call_state']`: the first with a handler answers. Default:
   * `[event.name]`.
   */
  routingKeys?(event: TEvent): readonly string[];
  /**
   * The events whose answer the provider executes. For the others (notify-only events) a
   * handler's return value is ignored and the neutral answer goes out, so a handler such as
   * `(e) => saveToDb(e)` is fine there.
   */
  readonly answeredEvents: readonly string[];
  /**
   * Turns a request into a typed event. `context.routedEvent` is the event name the app's
   * `eventPaths` give the request's path, for providers whose requests do not name their event.
   * @throws {CallControlError} 4xx for a request that cannot be read
   */
  parse(request: WebhookRequest, context: ParseContext): TEvent;
  /** Whether a handler's return value is an answer of this provider. */
  isAnswer(value: unknown): value is TAnswer;
  /**
   * Renders an answer (`undefined`: the neutral answer) as an XML document. `event` is the event
   * answered (absent for the fallback, rendered once when the app is created), so a provider
   * can check that the answer fits it.
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for an answer that does not fit the event
   */
  render(answer: TAnswer | undefined, event?: TEvent): string;
}

/** What the core tells a provider's parser beside the request. */
export interface ParseContext {
  /** The event name `eventPaths` assign to the request's path; `undefined` when none does. */
  readonly routedEvent: string | undefined;
}

/**
 * Per event name: the event type a handler receives and what it may return
 * (`unknown` for notify-only events, whose return value is ignored).
 */
export type EventMap = Record<string, { event: WebhookEvent; answer: unknown }>;

/** A handler for one event: sync or async, returning the answer (or nothing). */
export type EventHandler<TEvent, TResult> = (
  event: TEvent,
  context: HandlerContext,
) => TResult | Promise<TResult>;

/** Called with every error: refused requests (4xx) and failed handlers (fallback sent). */
export type ErrorHandler<TEvent extends WebhookEvent> = (
  error: CallControlError,
  context: ErrorContext<TEvent>,
) => unknown;

/** Options of {@link createWebhookApp}. */
export interface WebhookAppOptions<TAnswer> {
  /** Checks run in order before parsing; each throws to refuse the request. */
  readonly authenticators?: readonly Authenticator[];
  /**
   * The answer sent when a handler throws or returns something that is not an answer.
   * Default: the provider's neutral answer.
   */
  readonly fallback?: TAnswer | undefined;
  /** Largest accepted request body in bytes; larger ones get 413. Default 65536 (64 KiB). */
  readonly bodyLimitBytes?: number | undefined;
  /**
   * Which event a path receives, for providers that call one URL per event without naming the
   * event in the request (VoipNow's Call Events, Ozeki's `ErrorUrl`/`FinishedUrl`): paths
   * relative to where the app is mounted, e.g. `{ '/finished': 'CallFinished' }`. A trailing
   * `/` does not matter. When a request names its event itself, the provider decides which
   * wins (see its `parse`).
   */
  readonly eventPaths?: Readonly<Record<string, string>> | undefined;
}

/** `/a/b/` and `/a/b` are one path; `''` is `/`. */
function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * A webhook app for one provider: register handlers, then mount it with an adapter.
 *
 * @typeParam M - the provider's event map
 * @typeParam TEvent - every event the provider may deliver (known and unknown names)
 * @typeParam TAnswer - the provider's answer type
 */
export class WebhookApp<M extends EventMap, TEvent extends WebhookEvent, TAnswer> {
  /** Largest accepted request body in bytes. */
  readonly bodyLimitBytes: number;
  readonly #provider: ProviderDefinition<TEvent, TAnswer>;
  readonly #authenticators: readonly Authenticator[];
  readonly #fallbackXml: string;
  readonly #eventPaths: ReadonlyMap<string, string>;
  readonly #handlers = new Map<string, EventHandler<WebhookEvent, unknown>>();
  readonly #anyHandlers: EventHandler<TEvent, unknown>[] = [];
  readonly #errorHandlers: ErrorHandler<TEvent>[] = [];

  /**
   * @throws {TypeError} for invalid options (a fallback that is not an answer of this provider,
   *   a body limit that is not a positive integer, an `eventPaths` entry naming an event the
   *   provider does not send)
   */
  constructor(
    provider: ProviderDefinition<TEvent, TAnswer>,
    options: WebhookAppOptions<TAnswer> = {},
  ) {
    this.#provider = provider;
    this.#authenticators = [...(options.authenticators ?? [])];
    const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
    if (!Number.isSafeInteger(limit) || limit <= 0) {
      throw new TypeError(
        `bodyLimitBytes must be a positive integer (bytes), got ${String(limit)}`,
      );
    }
    this.bodyLimitBytes = limit;
    if (options.fallback !== undefined && !provider.isAnswer(options.fallback)) {
      throw new TypeError(`fallback must be an answer built with the ${provider.name} builders`);
    }
    this.#fallbackXml = provider.render(options.fallback);
    const paths = new Map<string, string>();
    for (const [path, name] of Object.entries(options.eventPaths ?? {})) {
      if (typeof name !== 'string' || !provider.events.includes(name)) {
        throw new TypeError(
          `eventPaths["${path}"]: ${provider.name} sends no event "${String(name)}"; known: ${provider.events.join(', ')}`,
        );
      }
      paths.set(normalizePath(path), name);
    }
    this.#eventPaths = paths;
  }

  /** The provider id, e.g. `'placetel'`. */
  get provider(): string {
    return this.#provider.name;
  }

  /**
   * Registers the handler that answers events named `name`. One handler per name. Where a
   * provider routes by qualified names (Opentact's `call_state:hangup`), the most specific
   * registered name answers and the plain name (`call_state`) catches the rest.
   *
   * @throws {TypeError} for a name the provider does not send, a second handler for the same
   *   name, or a handler that is not a function
   */
  on<K extends keyof M & string>(
    name: K,
    handler: EventHandler<M[K]['event'], M[K]['answer']>,
  ): this {
    if (!this.#provider.events.includes(name) && this.#provider.acceptsEventName?.(name) !== true) {
      throw new TypeError(
        `${this.#provider.name} sends no event "${String(name)}"; known: ${this.#provider.events.join(', ')}`,
      );
    }
    if (typeof handler !== 'function')
      throw new TypeError(`on("${name}"): handler must be a function`);
    if (this.#handlers.has(name)) {
      throw new TypeError(`on("${name}"): a handler is already registered; use onAny to observe`);
    }
    this.#handlers.set(name, handler as EventHandler<WebhookEvent, unknown>);
    return this;
  }

  /**
   * Registers an observer called for every parsed event (also events of names the provider
   * added after this version). Its return value is ignored; the reply waits for it; an error
   * it throws goes to `onError` and does not change the answer.
   *
   * @throws {TypeError} when `handler` is not a function
   */
  onAny(handler: EventHandler<TEvent, unknown>): this {
    if (typeof handler !== 'function') throw new TypeError('onAny: handler must be a function');
    this.#anyHandlers.push(handler);
    return this;
  }

  /**
   * Registers an error handler, called with every {@link CallControlError}: requests refused
   * with 4xx, and handler failures answered with the fallback. Without one, 5xx-class errors
   * are written to `console.error`. Errors thrown by the error handler itself are ignored.
   *
   * @throws {TypeError} when `handler` is not a function
   */
  onError(handler: ErrorHandler<TEvent>): this {
    if (typeof handler !== 'function') throw new TypeError('onError: handler must be a function');
    this.#errorHandlers.push(handler);
    return this;
  }

  /**
   * Runs the whole pipeline for one request and returns the reply. Never rejects: every
   * failure becomes a coded error reply (4xx) or the fallback answer (200).
   */
  async handle(received: WebhookRequest): Promise<WebhookReply> {
    let event: TEvent;
    let request = received;
    try {
      if (!this.#provider.methods.includes(request.method)) {
        throw new CallControlError(
          'CC_ERR_METHOD_NOT_ALLOWED',
          `${this.#provider.name} sends ${this.#provider.methods.join(', ')}, not ${request.method}`,
          { headers: { allow: this.#provider.methods.join(', ') } },
        );
      }
      for (const authenticate of this.#authenticators) request = authenticate(request) ?? request;
      const routedEvent =
        this.#eventPaths.size === 0 ? undefined : this.#eventPaths.get(normalizePath(request.path));
      event = this.#provider.parse(request, { routedEvent });
    } catch (error) {
      return this.fail(error, request);
    }

    const context: HandlerContext = { request };
    const observers = this.#anyHandlers.map((observer) =>
      this.#run(observer, event, context).catch((error: unknown) => {
        this.#report(wrapHandlerError(error, event.name), request, event);
      }),
    );
    let xml: string;
    try {
      const handler = this.#handlerFor(event);
      let result = handler === undefined ? undefined : await this.#run(handler, event, context);
      if (!this.#provider.answeredEvents.includes(event.name)) result = undefined;
      if (result !== undefined && !this.#provider.isAnswer(result)) {
        throw new CallControlError(
          'CC_ERR_HANDLER_RESULT',
          `The ${event.name} handler returned ${describe(result)}, not a ${this.#provider.name} answer`,
        );
      }
      xml = this.#provider.render(result, event);
    } catch (error) {
      this.#report(wrapHandlerError(error, event.name), request, event);
      xml = this.#fallbackXml;
    }
    await Promise.all(observers);
    return xmlReply(200, xml);
  }

  /**
   * Turns an error into its reply and reports it to `onError`. Adapters call this for errors
   * met before the core sees the request (body too large, connection aborted).
   * A value that is not a {@link CallControlError} is reported as `CC_ERR_HANDLER_FAILED`.
   */
  fail(error: unknown, request?: WebhookRequest): WebhookReply {
    const coded = isCallControlError(error)
      ? error
      : new CallControlError('CC_ERR_HANDLER_FAILED', 'Unexpected error', { cause: error });
    this.#report(coded, request, undefined);
    return errorReply(coded);
  }

  /**
   * An Express (4 or 5) middleware serving this app: `app.use('/placetel', calls.express())`.
   * It reads the raw body itself; see {@link createExpressMiddleware} for body parsers mounted
   * before it.
   */
  express(): ExpressMiddleware {
    return createExpressMiddleware(this);
  }

  #handlerFor(event: TEvent): EventHandler<WebhookEvent, unknown> | undefined {
    const keys = this.#provider.routingKeys?.(event) ?? [event.name];
    for (const key of keys) {
      const handler = this.#handlers.get(key);
      if (handler !== undefined) return handler;
    }
    return undefined;
  }

  async #run<E>(
    handler: EventHandler<E, unknown>,
    event: E,
    context: HandlerContext,
  ): Promise<unknown> {
    return handler(event, context);
  }

  #report(
    error: CallControlError,
    request: WebhookRequest | undefined,
    event: TEvent | undefined,
  ): void {
    if (this.#errorHandlers.length === 0) {
      if (error.status >= 500) {
        console.error(
          `[callcontrol] ${this.#provider.name}: ${error.code}: ${error.message}`,
          error.cause ?? '',
        );
      }
      return;
    }
    const context: ErrorContext<TEvent> = { request, event };
    for (const handler of this.#errorHandlers) {
      try {
        const result = handler(error, context);
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        // An error handler that fails must not take the reply down with it.
      }
    }
  }
}

/**
 * Creates a {@link WebhookApp} for a provider definition. Providers wrap this in their own
 * `createApp` that turns provider options (secrets…) into authenticators.
 *
 * @throws {TypeError} for invalid options, see {@link WebhookApp}
 */
export function createWebhookApp<M extends EventMap, TEvent extends WebhookEvent, TAnswer>(
  provider: ProviderDefinition<TEvent, TAnswer>,
  options: WebhookAppOptions<TAnswer> = {},
): WebhookApp<M, TEvent, TAnswer> {
  return new WebhookApp<M, TEvent, TAnswer>(provider, options);
}

function wrapHandlerError(error: unknown, eventName: string): CallControlError {
  if (isCallControlError(error) && error.code === 'CC_ERR_HANDLER_RESULT') return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new CallControlError(
    'CC_ERR_HANDLER_FAILED',
    `The ${eventName} handler failed: ${reason}`,
    {
      cause: error,
    },
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function xmlReply(
  status: number,
  xml: string,
  headers: Readonly<Record<string, string>> = {},
): WebhookReply {
  const body = Buffer.from(xml, 'utf8');
  return {
    status,
    headers: {
      ...headers,
      'content-type': XML_CONTENT_TYPE,
      'content-length': String(body.length),
      'cache-control': 'no-store',
    },
    body,
  };
}

/**
 * The reply for a coded error: its status and headers, and `<Error code="…">message</Error>`
 * (the message only when `expose`; otherwise a generic one).
 */
export function errorReply(error: CallControlError): WebhookReply {
  const message = error.expose ? sanitizeXmlText(error.message) : 'Internal error';
  const xml = renderXml({ name: 'Error', attributes: { code: error.code }, children: [message] });
  const headers: Record<string, string> = { ...error.headers };
  // After a 413 or an aborted body the rest of the request may still be in flight.
  if (error.code === 'CC_ERR_BODY_TOO_LARGE' || error.code === 'CC_ERR_BODY_ABORTED')
    headers['connection'] = 'close';
  return xmlReply(error.status, xml, headers);
}
