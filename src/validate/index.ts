/**
 * `validateAnswer`: checks an answer document (the XML a webhook returns) against what its
 * provider documents, and explains each problem with the spec section it breaks.
 *
 * The provider knowledge is in one rule table per provider (`src/providers/<name>/validate.ts`,
 * built on the provider's grammar and citing `docs/providers/<name>.md`), found through the
 * provider registry; `engine.ts` is generic.
 *
 * @example
 * ```ts
 * const result = validateAnswer('placetel', '<Response><Reject reason="nope"/></Response>');
 * // result.valid === false
 * // result.problems[0] → { code: 'bad-enum', path: '/Response/Reject[1]/@reason',
 * //   line: 1, column: 11, spec: 'docs/providers/placetel.md §3.3 Other actions', severity: 'error', … }
 * ```
 *
 * @module
 */
import { PROVIDERS, type ProviderName } from '../providers/registry';
import { runRules } from './engine';
import type { ProviderRules, ValidateOptions, ValidationResult } from './types';

export type { Problem, Severity, ValidateOptions, ValidationResult } from './types';

/** The providers whose answer documents can be validated: every registered provider. */
export type ValidateProvider = ProviderName;

/** The rule table of each provider, by provider name, in registry order. */
export const PROVIDER_RULES: Readonly<Record<ValidateProvider, ProviderRules>> = Object.freeze(
  Object.fromEntries(PROVIDERS.map((plugin) => [plugin.name, plugin.rules])) as Record<
    ValidateProvider,
    ProviderRules
  >,
);

/** The providers whose answers can be validated, in the order help texts list them. */
export const VALIDATE_PROVIDERS: readonly ValidateProvider[] = Object.freeze(
  Object.keys(PROVIDER_RULES) as ValidateProvider[],
);

/**
 * Checks an answer document against what `provider` documents: the root element, which
 * elements exist and where each may appear, required and allowed attributes, value formats
 * (enums, whole numbers with their units and ranges, booleans, DTMF keys, URLs, numbers),
 * text content, and the provider's own rules (one action per Placetel answer, one control
 * context per Ozeki answer, Opentact's nested blocks, …). Each problem cites its section of
 * `docs/providers/<provider>.md`.
 *
 * Tolerant where the spec says the docs contradict themselves: both documented forms pass
 * (at most with a warning), e.g. Placetel `queue_id`/`id`, Opentact `<Error say|play>`,
 * Opentact `<Tone volume|v>`, Ozeki `ForwardToUrl`/`ForwardToURL` and attribute letter case.
 *
 * @param provider - a registered provider ({@link VALIDATE_PROVIDERS})
 * @param xml - the whole document, as the webhook would send it
 * @param options - see {@link ValidateOptions} (the Ozeki control context)
 * @returns `{ valid, problems }`; `valid` is false when any problem is an `error`
 * @throws {TypeError} only for a provider that is not registered (a programming error);
 *   never for bad input — an empty file or malformed XML (with line and column) are problems
 */
export function validateAnswer(
  provider: ValidateProvider,
  xml: string,
  options: ValidateOptions = {},
): ValidationResult {
  const rules = (PROVIDER_RULES as Partial<Record<string, ProviderRules>>)[provider];
  if (rules === undefined) {
    throw new TypeError(
      `validateAnswer: unknown provider ${JSON.stringify(provider)}; one of ${Object.keys(PROVIDER_RULES).join(', ')}`,
    );
  }
  return runRules(rules, typeof xml === 'string' ? xml : String(xml), options);
}
