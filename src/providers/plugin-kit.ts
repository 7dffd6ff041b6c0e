/**
 * Small helpers the provider plug-ins share (`src/providers/<name>/plugin.ts`); not part of the
 * package's API.
 *
 * @module
 * @internal
 */
import { CallControlError } from '../core/errors';
import type { XmlElement } from '../core/xml';
import type { AnswerRenderer } from '../testing/reply';
import { runRules } from '../validate/engine';
import type { ProviderRules } from '../validate/types';
import type { SimulateArguments } from './plugin';
import type { CallPlan, TargetBehaviour } from '../testing/transcript';

/**
 * The answer renderer of the test kit for a provider definition: tells the provider's answers
 * and renders one for an event name (events are made up: only their name matters to the
 * renderers of the providers here).
 */
export function definitionRenderer(
  provider: string,
  definition: {
    isAnswer(value: unknown): boolean;
    render(answer: never, event: never): string;
  },
): AnswerRenderer {
  const render = definition.render.bind(definition) as (answer: unknown, event: unknown) => string;
  return {
    provider,
    isAnswer: (value) => definition.isAnswer(value),
    render: (answer, event) =>
      render(answer, { provider, name: event, callId: '', from: '', to: '', raw: {} }),
  };
}

/**
 * The request of `event` among a scenario's requests.
 * @throws {TypeError} when the scenario has none (its options produce no such request)
 */
export function pickRequest<R extends { readonly event: string }>(
  requests: readonly R[],
  event: string,
): R {
  const found = requests.find((request) => request.event === event);
  if (found === undefined) throw new TypeError(`These options produce no ${event} request`);
  return found;
}

/** `{ [key]: value }` when `value` is defined, `{}` otherwise (for exactOptionalPropertyTypes). */
export function given<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** The string value of a `simulate` option, `undefined` when not given (or not a string). */
export function stringArgument(options: SimulateArguments, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `--method` of a simulation: `GET` or `POST` in any letter case, upper-cased; `undefined` when
 * not given.
 * @throws {TypeError} for another method (a usage error of the command)
 */
export function httpMethodArgument(options: SimulateArguments): 'GET' | 'POST' | undefined {
  const upper = stringArgument(options, 'method')?.toUpperCase();
  if (upper === undefined || upper === 'GET' || upper === 'POST') return upper;
  throw new TypeError('--method must be GET or POST');
}

/** Provider-neutral `digits` (one string, or entries) as one string of keys. */
export function joinedDigits(digits: string | readonly string[] | undefined): string | undefined {
  return typeof digits === 'string' ? digits : digits?.join('');
}

/** Why `--secret` means nothing to a provider that signs no requests (`title`: its name). */
export function signsNothing(title: string): string {
  return `${title} signs no requests: put the app's URL token in the URL (?token=…) or basic auth as user:password@`;
}

/**
 * Where a URL named in an answer (a Gather `url`, a `ForwardToUrl`) is requested in a
 * simulation, relative to `baseUrl` (the URL the call is played against): the path below
 * `baseUrl`'s path (`''` for `baseUrl` itself; the whole path when it is not below it) and the
 * query as written (e.g. `menu=private` kept) less what `baseUrl`'s own query carries already
 * (a `?token=…` is not sent twice). The host is not used: a simulation reaches only the app at
 * `baseUrl`. `undefined` for a URL that cannot be parsed.
 */
export function answerUrlTarget(
  url: string,
  baseUrl: string,
): { path: string; query: string } | undefined {
  let absolute: URL;
  try {
    absolute = new URL(url, baseUrl);
  } catch {
    return undefined;
  }
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const path =
    basePath !== '' && absolute.pathname.startsWith(basePath)
      ? absolute.pathname.slice(basePath.length)
      : absolute.pathname;
  const query = new URLSearchParams(absolute.search);
  for (const [key, value] of base.searchParams) {
    if (query.getAll(key).includes(value)) query.delete(key, value);
  }
  return { path: path === '' || path.startsWith('/') ? path : `/${path}`, query: query.toString() };
}

/**
 * Checks an answer a simulated call got with the provider's validator rules (`rules`, as
 * `validateAnswer` does).
 *
 * @param title - the provider's name for the message, e.g. `'Opentact'`
 * @param event - the request answered, e.g. `'IncomingCall'`
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` when a problem is an error, each problem
 *   (path, message, spec section) on a line of the message
 */
export function assertValidAnswer(
  rules: ProviderRules,
  title: string,
  event: string,
  body: string,
): void {
  const errors = runRules(rules, body).problems.filter((problem) => problem.severity === 'error');
  if (errors.length === 0) return;
  throw new CallControlError(
    'CC_ERR_ANSWER_INVALID',
    `the answer to ${event} breaks the ${title} spec:\n${errors
      .map((problem) => `  ${problem.path}: ${problem.message} (${problem.spec})`)
      .join('\n')}`,
  );
}

/**
 * The provider-neutral call plan of a `simulate` run (from its scenario file, see
 * `CallScenarioFile` in `src/testing/scenario-file.ts`): `targets`, `talkSeconds`,
 * `hangupAfterSeconds`; the keys not given are left out.
 */
export function callPlanOf(options: SimulateArguments): CallPlan {
  const targets = options['targets'];
  const talk = options['talkSeconds'];
  const hangup = options['hangupAfterSeconds'];
  return {
    ...(typeof targets === 'object' && targets !== null && !Array.isArray(targets)
      ? { targets: targets as Readonly<Record<string, TargetBehaviour>> }
      : {}),
    ...(typeof talk === 'number' ? { talkSeconds: talk } : {}),
    ...(typeof hangup === 'number' ? { hangupAfterSeconds: hangup } : {}),
  };
}

/** The child elements of `element` (text children left out); none for `undefined`. */
export function childElements(element: XmlElement | undefined): XmlElement[] {
  return (element?.children ?? []).filter(
    (child): child is XmlElement => typeof child !== 'string',
  );
}

/** The text of `element`: its text children joined and trimmed (`''` for `undefined`). */
export function elementText(element: XmlElement | undefined): string {
  return (element?.children ?? [])
    .filter((child): child is string => typeof child === 'string')
    .join('')
    .trim();
}

/**
 * An attribute of whole **milliseconds** as **seconds** (e.g. `timeout="5000"` → 5), or
 * `fallback` (seconds) when the attribute is absent or not a whole number.
 */
export function millisecondsAttributeAsSeconds(
  element: XmlElement,
  name: string,
  fallback: number,
): number {
  const value = element.attributes?.[name];
  if (value === undefined || !/^\d+$/.test(value.trim())) return fallback;
  return Number(value) / 1000;
}

/** Query parameters a transcript shows as `[redacted]` (a URL token, a key, a signature). */
const SECRET_PARAMETERS = /^(token|key|secret|password|sig|signature|auth)$/i;

/**
 * A URL the provider fetches next as a call transcript shows it (`follows` entries): as given
 * (a path and query below the webhook URL, or absolute), with the value of every query
 * parameter named like a secret (`token`, `key`, `secret`, `password`, `sig`, `signature`,
 * `auth`) replaced by `[redacted]`. Never throws.
 */
export function transcriptUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const query = new URLSearchParams(url.slice(mark + 1));
  let secret = false;
  for (const name of [...query.keys()]) {
    if (SECRET_PARAMETERS.test(name)) {
      query.set(name, '[redacted]');
      secret = true;
    }
  }
  if (!secret) return url;
  return `${url.slice(0, mark)}?${query.toString().replace(/%5Bredacted%5D/g, '[redacted]')}`;
}
