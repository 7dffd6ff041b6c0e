/**
 * Value checks shared by the providers' rule tables: enums, integers with units and ranges,
 * booleans, patterns, URLs. Each returns a {@link ValueCheck}; the message is written to
 * follow the attribute name (`ringtime must be …`).
 *
 * @module
 */
import type { ValueCheck } from './types';

/** Quotes a value for a message, cut to 60 characters. */
export function quote(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

/**
 * One of `allowed`, exactly (or ignoring case with `ignoreCase`).
 *
 * @example `oneOf('busy')('nope')` → `{ code: 'bad-enum', message: 'must be "busy", got "nope"' }`
 */
export function oneOf(
  allowed: readonly string[],
  options: { ignoreCase?: boolean } = {},
): ValueCheck {
  const list = allowed.map((value) => `"${value}"`).join(', ');
  return (value) => {
    const ok =
      options.ignoreCase === true
        ? allowed.some((item) => item.toLowerCase() === value.toLowerCase())
        : allowed.includes(value);
    if (ok) return undefined;
    return {
      code: 'bad-enum',
      message: `must be ${allowed.length === 1 ? list : `one of ${list}`}${options.ignoreCase === true ? ' (any letter case)' : ''}, got ${quote(value)}`,
    };
  };
}

/** `true` or `false` (ignoring case with `ignoreCase`, as .NET parses them). */
export function boolean(options: { ignoreCase?: boolean } = {}): ValueCheck {
  return (value) => {
    const text = options.ignoreCase === true ? value.toLowerCase() : value;
    if (text === 'true' || text === 'false') return undefined;
    return { code: 'bad-boolean', message: `must be "true" or "false", got ${quote(value)}` };
  };
}

/**
 * A whole decimal number (optional leading `-` when `min` is negative) from `min` to `max`,
 * counting `unit` (for messages: `seconds`, `milliseconds`, `digits`).
 */
export function integer(unit: string, min?: number, max?: number): ValueCheck {
  return (value) => {
    if (!/^-?[0-9]+$/.test(value.trim())) {
      return {
        code: 'bad-integer',
        message: `must be a whole number of ${unit}, got ${quote(value)}`,
      };
    }
    const number = Number(value.trim());
    if ((min !== undefined && number < min) || (max !== undefined && number > max)) {
      const range =
        max === undefined
          ? `≥ ${String(min)}`
          : min === undefined
            ? `≤ ${max}`
            : `from ${min} to ${max}`;
      return {
        code: 'out-of-range',
        message: `must be ${range} ${unit}, got ${quote(value)}`,
      };
    }
    return undefined;
  };
}

/** A value matching `pattern`, described as `what` (e.g. `DTMF keys (0-9, * and #)`). */
export function pattern(regex: RegExp, what: string): ValueCheck {
  return (value) =>
    regex.test(value)
      ? undefined
      : { code: 'bad-format', message: `must be ${what}, got ${quote(value)}` };
}

/** Not empty or only whitespace. */
export const nonBlank: ValueCheck = (value) =>
  value.trim() === '' ? { code: 'bad-format', message: 'must not be empty' } : undefined;

/** An absolute `http:` or `https:` URL. */
export const httpUrl: ValueCheck = (value) => {
  try {
    const url = new URL(value.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
  } catch {
    // fall through
  }
  return { code: 'bad-format', message: `must be an absolute http(s) URL, got ${quote(value)}` };
};

/** DTMF keys: one or more of `0`–`9`, `*`, `#`. */
export const dtmfKeys: ValueCheck = pattern(/^[0-9*#]+$/, 'DTMF keys (0-9, * and #)');

/** One DTMF key. */
export const dtmfKey: ValueCheck = pattern(/^[0-9*#]$/, 'one DTMF key (0-9, * or #)');

/** Runs `checks` in order; the first issue wins. */
export function all(...checks: readonly ValueCheck[]): ValueCheck {
  return (value) => {
    for (const check of checks) {
      const issue = check(value);
      if (issue !== undefined) return issue;
    }
    return undefined;
  };
}

/** Turns the issues of `check` into warnings (a value that is doubtful, not wrong). */
export function asWarning(check: ValueCheck): ValueCheck {
  return (value) => {
    const issue = check(value);
    return issue === undefined ? undefined : { ...issue, severity: 'warning' };
  };
}
