/**
 * The value types of a provider grammar (`src/providers/<provider>/grammar.ts`): the facts of
 * an answer language's attribute values and texts — whole numbers with their unit and range,
 * enums, patterns, non-blank text — written once per provider and read by both the strict
 * builders (which turn them into converters of typed options) and the tolerant validator
 * (which turns them into {@link ValueCheck}s with {@link checkOf}). A property test per provider
 * (`test/property/<provider>-agreement.property.test.ts`) proves that the two agree.
 *
 * @module
 */
import type { Severity, ValueCheck } from './types';
import { integer, nonBlank, oneOf, pattern, quote } from './values';

/**
 * One value type of a grammar. What a builder accepts (typed options) and what the validator
 * accepts (the text in the document) are the same set of written values:
 * - `text`: a non-blank string (written as given);
 * - `textOrCount`: a non-blank string, or a whole number ≥ 0 that the builder writes as text;
 * - `integer`: a whole number of `unit` from `min` to `max` (no `max`: up to
 *   `Number.MAX_SAFE_INTEGER`, the largest whole number a builder can take exactly); with
 *   `orEmpty`, also the empty value `""`; `note` is said after the range in messages;
 * - `enum`: exactly one of `values` (letter case as written, unless `ignoreCase`);
 * - `pattern`: a string matching `regex`, described as `what` in messages;
 * - `boolean`: `true` or `false` (any letter case with `ignoreCase`);
 * - `url`: an absolute `http:` or `https:` URL.
 */
export type GrammarValue =
  | { readonly kind: 'text' }
  | { readonly kind: 'textOrCount' }
  | {
      readonly kind: 'integer';
      readonly unit: string;
      readonly min: number;
      readonly max?: number;
      readonly orEmpty?: boolean;
      readonly note?: string;
    }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly ignoreCase?: boolean }
  | { readonly kind: 'pattern'; readonly regex: RegExp; readonly what: string }
  | { readonly kind: 'boolean'; readonly ignoreCase?: boolean }
  | { readonly kind: 'url' };

/** Whether a string is a whole decimal number no larger than `Number.MAX_SAFE_INTEGER`. */
const safeInteger: ValueCheck = (value) =>
  Number(value.trim()) > Number.MAX_SAFE_INTEGER
    ? {
        code: 'out-of-range',
        message: `must be at most ${Number.MAX_SAFE_INTEGER}, got ${quote(value)}`,
      }
    : undefined;

/**
 * The validator's check of a grammar value type (see {@link GrammarValue} for what each
 * accepts). Issues are errors unless `severity` says otherwise.
 *
 * @example `checkOf({ kind: 'integer', unit: 'seconds', min: 1, max: 3600 })('0')` →
 *   `{ code: 'out-of-range', message: 'must be from 1 to 3600 seconds, got "0"' }`
 */
export function checkOf(type: GrammarValue, severity: Severity = 'error'): ValueCheck {
  const check = baseCheck(type);
  if (severity === 'error') return check;
  return (value) => {
    const issue = check(value);
    return issue === undefined ? undefined : { ...issue, severity };
  };
}

function baseCheck(type: GrammarValue): ValueCheck {
  switch (type.kind) {
    case 'text':
    case 'textOrCount':
      return nonBlank;
    case 'integer': {
      const range = integer(type.unit, type.min, type.max);
      return (value) => {
        if (type.orEmpty === true && value === '') return undefined;
        const issue = range(value) ?? (type.max === undefined ? safeInteger(value) : undefined);
        if (issue === undefined) return undefined;
        const suffix = `${type.orEmpty === true ? ', or ""' : ''}${type.note === undefined ? '' : ` (${type.note})`}`;
        return suffix === '' ? issue : { ...issue, message: `${issue.message}${suffix}` };
      };
    }
    case 'enum':
      return oneOf(type.values, type.ignoreCase === true ? { ignoreCase: true } : {});
    case 'pattern':
      return pattern(type.regex, type.what);
    case 'boolean':
      return (value) => {
        const text = type.ignoreCase === true ? value.toLowerCase() : value;
        return text === 'true' || text === 'false'
          ? undefined
          : { code: 'bad-boolean', message: `must be "true" or "false", got ${quote(value)}` };
      };
    case 'url':
      // as the builders parse it: `new URL` strips spaces and controls, not other whitespace
      return (value) => {
        try {
          const url = new URL(value);
          if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
        } catch {
          // fall through
        }
        return {
          code: 'bad-format',
          message: `must be an absolute http(s) URL, got ${quote(value)}`,
        };
      };
  }
}
