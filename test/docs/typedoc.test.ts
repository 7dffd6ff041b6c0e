/**
 * `npm run docs` builds the API reference: TypeDoc converts every public entry point of
 * `typedoc.json` without errors (type errors included) or warnings: no exported declaration
 * lacks its docstring, no link is broken, no public type names one that is not exported. Only
 * the warning about the checkout's git remote (source links) depends on where it was cloned
 * from and is let through. Runs TypeDoc's checks only (`--emit none`), in about 10 s.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from './snippets';

test('TypeDoc converts the public API without errors or warnings', () => {
  const run = spawnSync(
    process.execPath,
    [resolve(ROOT, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none', '--logLevel', 'Warn'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  // TypeDoc may colour its output; the codes surround these words and leave them intact.
  const output = `${run.stdout}${run.stderr}`;
  const problems = output
    .split('\n')
    .filter((line) => /\[(error|warning)\]/.test(line))
    .filter((line) => !/git remote|Found \d+ errors and \d+ warnings/.test(line));
  expect(problems).toEqual([]);
  expect(run.status).toBe(0);
}, 120_000);
