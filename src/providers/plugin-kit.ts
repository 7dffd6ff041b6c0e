/**
 * Small helpers the provider plug-ins share (`src/providers/<name>/plugin.ts`); not part of the
 * package's API.
 *
 * @module
 * @internal
 */
import type { AnswerRenderer } from '../testing/reply';
import type { SimulateArguments } from './plugin';

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
