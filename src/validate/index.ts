/**
 * `validateAnswer`: checks an answer document (the XML a webhook returns) against what its
 * provider documents, and explains each problem with the spec section it breaks.
 *
 * The provider knowledge is in one rule table per provider (`placetel.ts`, `ozeki.ts`,
 * `voipnow.ts`, `opentact.ts`, citing `docs/providers/<provider>.md`); `engine.ts` is generic.
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
import { runRules } from './engine';
import { OPENTACT_RULES } from '../providers/opentact/validate';
import { OZEKI_RULES } from '../providers/ozeki/validate';
import { PLACETEL_RULES } from '../providers/placetel/validate';
import type { ProviderRules, ValidateOptions, ValidateProvider, ValidationResult } from './types';
import { VOIPNOW_RULES } from '../providers/voipnow/validate';

export {
  VALIDATE_PROVIDERS,
  type Problem,
  type Severity,
  type ValidateOptions,
  type ValidateProvider,
  type ValidationResult,
} from './types';

/** The rule table of each provider. */
export const PROVIDER_RULES: Readonly<Record<ValidateProvider, ProviderRules>> = {
  placetel: PLACETEL_RULES,
  ozeki: OZEKI_RULES,
  voipnow: VOIPNOW_RULES,
  opentact: OPENTACT_RULES,
};

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
 * @param provider - `'placetel'`, `'ozeki'`, `'voipnow'` or `'opentact'`
 * @param xml - the whole document, as the webhook would send it
 * @param options - see {@link ValidateOptions} (the Ozeki control context)
 * @returns `{ valid, problems }`; `valid` is false when any problem is an `error`
 * @throws {TypeError} only for a provider that is not one of the four (a programming error);
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
