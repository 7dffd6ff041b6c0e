/**
 * Named action handlers of the TwiML family. TwiML's `action` URLs (of `<Gather>`, `<Dial>`,
 * `<Record>`…) are chosen by the app itself; here the app declares its action names
 * (`createApp({ actions: ['menu', 'dialed'] as const })`), registers one handler per name
 * (`calls.action('menu', handler)`), and answers refer to them by name
 * (`gather({ action: calls.actionUrl('menu') })`). Action requests arrive at
 * `<mount>/actions/<name>`; a reference is rendered as the absolute URL built from the public
 * URL of the request answered (its mount point). A declared action without a handler is a
 * `TypeError` when the app is mounted or first handles a request; a handler for an undeclared
 * name does not compile (with `as const`) and throws at once.
 *
 * Provider-neutral: every TwiML provider's `createApp` uses it.
 *
 * @module
 */
import { CallControlApp } from '../../adapters/app';
import type { ExpressMiddleware } from '../../adapters/express';
import type { CallControlFastifyPlugin, FastifyAdapterOptions } from '../../adapters/fastify';
import type { FetchHandler, FetchHandlerOptions } from '../../adapters/fetch';
import type { NodeHandler } from '../../adapters/node';
import type { EventHandler, EventMap, WebhookAppOptions } from '../../core/app';
import { decodeForm } from '../../core/body';
import { CallControlError } from '../../core/errors';
import type { ProviderDefinition } from '../../core/provider';
import type { WebhookEvent, WebhookReply, WebhookRequest } from '../../core/types';
import type { TwimlActionRef } from './builders';

/** The path prefix below the mount point where action requests arrive. */
export const TWIML_ACTIONS_PATH = '/actions/';

/** An action name: letters, digits, `_` and `-`, 1 to 64 characters (safe in a URL path). */
const ACTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A reference to the named action `N` (the builders' `TwimlActionRef`, with its name typed),
 * used wherever a URL is expected.
 */
export type TwimlActionRefLike<N extends string = string> = TwimlActionRef & { readonly name: N };

/**
 * Checks the `actions` option: distinct names of {@link ACTION_NAME} form.
 * @throws {TypeError} for a non-array, a bad name or a name given twice
 */
export function checkActionNames(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError('actions: give an array of action names');
  const seen = new Set<string>();
  for (const name of value as unknown[]) {
    if (typeof name !== 'string' || !ACTION_NAME.test(name)) {
      throw new TypeError(
        `actions: "${String(name)}" is not an action name (letters, digits, _ and -, at most 64)`,
      );
    }
    if (seen.has(name)) throw new TypeError(`actions: "${name}" is declared twice`);
    seen.add(name);
  }
  return [...seen];
}

/** The routing key of an action's handler: `action:<name>`. */
export function actionEventName(name: string): string {
  return `action:${name}`;
}

/**
 * The action a request's path names (`/actions/<name>`, a trailing `/` allowed), `undefined`
 * for any other path.
 * @throws {CallControlError} 400 `CC_ERR_REQUEST_MALFORMED` for a path below `/actions/` that
 *   names no declared action
 */
export function actionOfPath(path: string, declared: readonly string[]): string | undefined {
  if (!path.startsWith(TWIML_ACTIONS_PATH)) return undefined;
  let name = path.slice(TWIML_ACTIONS_PATH.length);
  if (name.endsWith('/')) name = name.slice(0, -1);
  if (!declared.includes(name)) {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      `No action "${name.slice(0, 64)}" is declared (declared: ${declared.length === 0 ? 'none' : declared.join(', ')})`,
    );
  }
  return name;
}

/**
 * The decoded query of an action request (the `query` of its reference).
 * @throws {CallControlError} 400 for escapes that are not UTF-8
 */
export function actionQueryOf(query: string): Readonly<Record<string, string>> {
  return query === '' ? {} : { ...decodeForm(query, 'The query') };
}

/**
 * The public URL of the mount point of a request: its public URL without the query and without
 * the request's path below the mount (`path`), e.g. `https://example.com/twilio/actions/menu?x=1`
 * with path `/actions/menu` → `https://example.com/twilio`.
 */
export function mountUrlOf(publicUrl: string, path: string): string {
  const queryStart = publicUrl.indexOf('?');
  let url = queryStart === -1 ? publicUrl : publicUrl.slice(0, queryStart);
  const below = path === '/' ? '' : path.replace(/\/+$/, '');
  if (below !== '' && url.endsWith(below)) url = url.slice(0, url.length - below.length);
  return url.replace(/\/+$/, '');
}

/** The absolute URL of an action reference below a mount URL. */
export function actionUrlOf(mountUrl: string, ref: TwimlActionRefLike): string {
  const query =
    ref.query === undefined || Object.keys(ref.query).length === 0
      ? ''
      : `?${new URLSearchParams(ref.query as Record<string, string>).toString()}`;
  return `${mountUrl}${TWIML_ACTIONS_PATH}${encodeURIComponent(ref.name)}${query}`;
}

/** The mount URL of each parsed event, for rendering its answer's action references. */
const mountUrls = new WeakMap<object, string>();

/** Remembers the public mount URL of the request an event came from (see {@link mountUrlOfEvent}). */
export function rememberMountUrl(event: object, mountUrl: string | undefined): void {
  if (mountUrl !== undefined) mountUrls.set(event, mountUrl);
}

/** The public mount URL of the request `event` came from; `undefined` when unknown. */
export function mountUrlOfEvent(event: object | undefined): string | undefined {
  return event === undefined ? undefined : mountUrls.get(event);
}

/**
 * The function that turns action references into absolute URLs when an answer to `event` is
 * rendered.
 * @returns a resolver that throws `CC_ERR_ANSWER_INVALID` when the mount URL is unknown (the
 *   fallback, rendered before any request; a request without a known public URL) or the name
 *   is not declared
 */
export function actionResolver(
  event: object | undefined,
  declared: readonly string[],
): (ref: TwimlActionRefLike) => string {
  const mount = mountUrlOfEvent(event);
  return (ref) => {
    if (!declared.includes(ref.name)) {
      throw new CallControlError(
        'CC_ERR_ANSWER_INVALID',
        `The answer refers to the action "${ref.name}", which the app does not declare in its actions option`,
      );
    }
    if (mount === undefined) {
      throw new CallControlError(
        'CC_ERR_ANSWER_INVALID',
        `The action "${ref.name}" cannot be turned into a URL: the public URL of the request is unknown ` +
          '(give the publicUrl option; a fallback answer cannot refer to actions)',
      );
    }
    return actionUrlOf(mount, ref);
  };
}

/**
 * A TwiML webhook app with named actions `A`: the core app plus {@link TwimlApp.action},
 * {@link TwimlApp.actionUrl} / {@link TwimlApp.actionRef}, and a check that every declared
 * action has a handler before the first request.
 *
 * @typeParam A - the declared action names (a union of literals with `actions: [...] as const`)
 * @typeParam R - what an action handler gets (the provider's typed action request)
 */
export class TwimlApp<
  M extends EventMap,
  TEvent extends WebhookEvent,
  TAnswer,
  A extends string,
  R,
> extends CallControlApp<M, TEvent, TAnswer> {
  /** The declared action names, in the order given. */
  readonly actions: readonly A[];
  readonly #handled = new Set<string>();
  #checked = false;

  /** @throws {TypeError} for invalid options (see `WebhookApp`) */
  constructor(
    provider: ProviderDefinition<TEvent, TAnswer>,
    options: WebhookAppOptions<TAnswer>,
    actions: readonly A[],
  ) {
    super(provider, options);
    this.actions = actions;
  }

  /**
   * Registers the handler of the declared action `name`: it answers the requests of every
   * answer's `action` (or other URL) that refers to `name`, with a TwiML answer (or `null` for
   * the neutral one).
   *
   * @throws {TypeError} for a name not declared in `actions`, a second handler for it, or a
   *   handler that is not a function
   */
  action<N extends A>(name: N, handler: EventHandler<R, TAnswer | null>): this {
    if (!(this.actions as readonly string[]).includes(name)) {
      throw new TypeError(
        `action("${String(name)}"): not declared; add it to the actions option (declared: ${this.actions.join(', ') || 'none'})`,
      );
    }
    (this.on as (key: string, h: unknown) => this)(actionEventName(name), handler);
    this.#handled.add(name);
    return this;
  }

  /**
   * Registers the handler of events named `name` (see `WebhookApp.on`); `action:<name>` is the
   * same as {@link TwimlApp.action} (`name` must be declared), as provider-neutral code that
   * knows only event names registers it.
   *
   * @throws {TypeError} for a name the provider does not send, an `action:<name>` of an
   *   undeclared action, a second handler for the same name, or a handler that is not a function
   */
  override on<K extends keyof M & string>(
    name: K,
    handler: EventHandler<M[K]['event'], M[K]['answer']>,
  ): this {
    const prefix = actionEventName('');
    if (!name.startsWith(prefix)) return super.on(name, handler);
    const action = name.slice(prefix.length);
    if (!(this.actions as readonly string[]).includes(action)) {
      throw new TypeError(
        `on("${name}"): the action "${action}" is not declared; add it to the actions option (declared: ${this.actions.join(', ') || 'none'})`,
      );
    }
    super.on(name, handler);
    this.#handled.add(action);
    return this;
  }

  /**
   * A reference to the declared action `name`, for any URL-valued attribute of an answer
   * (`action`, `url`, `statusCallback`…); rendered as the absolute URL
   * `<public mount URL>/actions/<name>[?query]`.
   *
   * @param query - parameters added to the URL (they come back as the event's `actionQuery`)
   * @throws {TypeError} for a name not declared in `actions`
   */
  actionUrl<N extends A>(name: N, query?: Readonly<Record<string, string>>): TwimlActionRefLike<N> {
    if (!(this.actions as readonly string[]).includes(name)) {
      throw new TypeError(`actionUrl("${String(name)}"): not declared in the actions option`);
    }
    return Object.freeze({
      kind: 'twiml-action' as const,
      name,
      ...(query === undefined ? {} : { query: Object.freeze({ ...query }) }),
    });
  }

  /** The same as {@link TwimlApp.actionUrl}. */
  actionRef<N extends A>(name: N, query?: Readonly<Record<string, string>>): TwimlActionRefLike<N> {
    return this.actionUrl(name, query);
  }

  /**
   * Throws when a declared action has no handler; after the first success it checks no more.
   * @throws {TypeError} naming the actions without a handler
   */
  checkActions(): void {
    if (this.#checked) return;
    const missing = this.actions.filter((name) => !this.#handled.has(name));
    if (missing.length > 0) {
      throw new TypeError(
        `${this.provider}: the declared action${missing.length === 1 ? '' : 's'} ${missing
          .map((name) => `"${name}"`)
          .join(', ')} ${missing.length === 1 ? 'has' : 'have'} no handler; register ${
          missing.length === 1 ? 'it' : 'them'
        } with calls.action(name, handler) before mounting the app`,
      );
    }
    this.#checked = true;
  }

  /**
   * Answers one request, see `WebhookApp.handle`.
   * @throws {TypeError} (the promise rejects) when a declared action has no handler
   */
  override async handle(received: WebhookRequest): Promise<WebhookReply> {
    this.checkActions();
    return super.handle(received);
  }

  /** @throws {TypeError} when a declared action has no handler */
  override express(): ExpressMiddleware {
    this.checkActions();
    return super.express();
  }

  /** @throws {TypeError} when a declared action has no handler */
  override node(): NodeHandler {
    this.checkActions();
    return super.node();
  }

  /** @throws {TypeError} when a declared action has no handler */
  override fetch(options?: FetchHandlerOptions): FetchHandler {
    this.checkActions();
    return super.fetch(options);
  }

  /** @throws {TypeError} when a declared action has no handler */
  override fastify(options?: FastifyAdapterOptions): CallControlFastifyPlugin {
    this.checkActions();
    return super.fastify(options);
  }
}
