import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CallControlError,
  ERROR_CODES,
  isCallControlError,
  type ErrorCode,
  type ErrorCodeInfo,
} from '../../src';
import { errorReply } from '../../src/core/reply';

/** One row of the error-code table of docs/errors.md, as the registry would say it. */
interface DocumentedRow {
  readonly status: number;
  readonly closesConnection: boolean;
  readonly meaning: string;
}

/**
 * Rows of the error-code table of docs/errors.md:
 * `| \`CC_ERR_…\` | 400 | yes | meaning |` (a `|` inside a cell written `\|`).
 */
function documentedErrorRows(): Map<string, DocumentedRow> {
  const page = readFileSync(resolve(__dirname, '../../docs/errors.md'), 'utf8');
  const section = page.slice(page.indexOf('## Error codes'));
  const rows = new Map<string, DocumentedRow>();
  for (const line of section.split('\n')) {
    if (!/^\|\s*`CC_ERR_/.test(line)) continue;
    const cells = line
      .slice(1, line.lastIndexOf('|'))
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
    const [code, status, closes, meaning] = cells as [string, string, string, string];
    rows.set(code.replace(/`/g, ''), {
      status: Number(status),
      closesConnection: closes === 'yes',
      meaning,
    });
  }
  return rows;
}

describe('error registry', () => {
  test('the error-code table of docs/errors.md is the registry, row by row: code, status, connection, meaning', () => {
    const table = documentedErrorRows();
    const registry = new Map<string, DocumentedRow>(
      Object.entries(ERROR_CODES).map(([code, info]: [string, ErrorCodeInfo]) => [
        code,
        {
          status: info.status,
          closesConnection: info.closesConnection === true,
          meaning: info.meaning,
        },
      ]),
    );
    expect(Object.fromEntries(table)).toEqual(Object.fromEntries(registry));
  });

  test.each(Object.keys(ERROR_CODES) as ErrorCode[])(
    '%s: the reply closes the connection exactly when the registry says so',
    (code) => {
      const reply = errorReply(new CallControlError(code, 'message'));
      const info: ErrorCodeInfo = ERROR_CODES[code];
      expect(reply.headers['connection']).toBe(
        info.closesConnection === true ? 'close' : undefined,
      );
      expect(reply.status).toBe(info.status);
    },
  );

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
