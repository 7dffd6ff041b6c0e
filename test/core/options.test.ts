import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { opentact, ozeki, placetel, voipnow } from '../../src';
import { COMMON_APP_OPTION_NAMES, commonAppOptions } from '../../src/core/options';
import { TEST_APP } from '../helpers/apps';

/** The option names declared in `interface CommonAppOptions` of src/core/options.ts. */
function declaredCommonOptions(): string[] {
  const text = readFileSync(resolve(__dirname, '../../src/core/options.ts'), 'utf8');
  const start = text.indexOf('export interface CommonAppOptions<');
  const body = text.slice(start, text.indexOf('\n}\n', start));
  return [...body.matchAll(/^ {2}readonly (\w+)\??:/gm)].map((match) => match[1] as string);
}

describe('commonAppOptions', () => {
  test('its list names every option CommonAppOptions declares, and no other', () => {
    const declared = declaredCommonOptions();
    expect(declared.length).toBeGreaterThan(10);
    expect([...COMMON_APP_OPTION_NAMES].sort()).toEqual([...declared].sort());
  });

  test('every common option reaches the core as given; provider options do not', () => {
    const given: Record<string, unknown> = {
      allowUnauthenticated: true,
      secret: 'fake-secret',
      basicAuth: { username: 'u', password: 'fake' },
    };
    for (const name of declaredCommonOptions()) given[name] = Symbol(name);
    const passed = commonAppOptions(given) as Record<string, unknown>;
    for (const name of declaredCommonOptions()) expect(passed[name]).toBe(given[name]);
    expect(passed['allowUnauthenticated']).toBe(true);
    expect(passed).not.toHaveProperty('secret');
    expect(passed).not.toHaveProperty('basicAuth');
  });

  test.each([
    ['placetel', placetel.createApp],
    ['ozeki', ozeki.createApp],
    ['voipnow', voipnow.createApp],
    ['opentact', opentact.createApp],
  ] as const)('%s: createApp hands the limits to the app', (_name, createApp) => {
    const app = createApp({
      ...TEST_APP,
      bodyLimitBytes: 1234,
      bodyTimeoutMs: 777,
      maxHeaderBytes: 4321,
    });
    expect(app.bodyLimitBytes).toBe(1234);
    expect(app.bodyTimeoutMs).toBe(777);
    expect(app.maxHeaderBytes).toBe(4321);
  });
});
