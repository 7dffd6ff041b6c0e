import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CallControlError, ERROR_CODES, isCallControlError, type ErrorCode } from '../../src';

/** Rows of the error-code table of docs/errors.md: `| \`CC_ERR_…\` | 400 | meaning |`. */
function documentedErrorRows(): Map<string, number> {
  const page = readFileSync(resolve(__dirname, '../../docs/errors.md'), 'utf8');
  const section = page.slice(page.indexOf('## Error codes'));
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\|\s*`(CC_ERR_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    rows.set(match[1] as string, Number(match[2]));
  }
  return rows;
}

describe('error registry', () => {
  test('the error-code table of docs/errors.md lists exactly the registry, with the same statuses', () => {
    const table = documentedErrorRows();
    const registry = new Map(
      Object.entries(ERROR_CODES).map(([code, info]) => [code, info.status]),
    );
    expect(Object.fromEntries(table)).toEqual(Object.fromEntries(registry));
  });

  test('codes follow CC_ERR_<AREA>_<PROBLEM> and statuses are HTTP error statuses', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^CC_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.status).toBeLessThan(600);
      expect(info.meaning.length).toBeGreaterThan(10);
    }
  });

  test('CallControlError carries code, status, expose, headers and cause without mutating it', () => {
    const cause = new Error('original');
    const error = new CallControlError('CC_ERR_AUTH_BASIC', 'nope', {
      cause,
      headers: { 'www-authenticate': 'Basic realm="x"' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CallControlError');
    expect(error.code).toBe('CC_ERR_AUTH_BASIC');
    expect(error.status).toBe(401);
    expect(error.expose).toBe(true);
    expect(error.cause).toBe(cause);
    expect(cause.message).toBe('original');
    expect(error.headers).toEqual({ 'www-authenticate': 'Basic realm="x"' });
    expect(isCallControlError(error)).toBe(true);
    expect(isCallControlError(cause)).toBe(false);
    expect(isCallControlError('CC_ERR_AUTH_BASIC')).toBe(false);
  });

  test.each(Object.keys(ERROR_CODES) as ErrorCode[])(
    '%s: 5xx messages are not exposed by default',
    (code) => {
      const error = new CallControlError(code, 'message');
      expect(error.expose).toBe(error.status < 500);
    },
  );
});
