/**
 * `npm run docs` builds the API reference: TypeDoc converts every public entry point of
 * `typedoc.json` without errors (type errors included) or warnings: no exported declaration
 * lacks its docstring, no link is broken, no public type names one that is not exported. Only
 * the warning about the checkout's git remote (source links) depends on where it was cloned
 * from and is let through.
 *
 * The modules are named by the import paths that serve them (`callcontrol`,
 * `callcontrol/placetel`, …: package.json `exports`), not by their source paths. The reference
 * is written to a temporary folder (HTML and JSON), in about 10 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE_PATHS, ROOT } from './snippets';

interface ProjectJson {
  children?: { name: string; kind: number; sources?: { fileName: string }[] }[];
}

let out: string;
let output = '';
let status: number | null = null;
let project: ProjectJson = {};

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'callcontrol-typedoc-'));
  const run = spawnSync(
    process.execPath,
    [
      resolve(ROOT, 'node_modules/typedoc/bin/typedoc'),
      '--logLevel',
      'Warn',
      '--out',
      join(out, 'html'),
      '--json',
      join(out, 'api.json'),
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  output = `${run.stdout}${run.stderr}`;
  status = run.status;
  if (existsSync(join(out, 'api.json'))) {
    project = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as ProjectJson;
  }
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

test('TypeDoc converts the public API without errors or warnings', () => {
  // TypeDoc may colour its output; the codes surround these words and leave them intact.
  const problems = output
    .split('\n')
    .filter((line) => /\[(error|warning)\]/.test(line))
    .filter((line) => !/git remote|Found \d+ errors and \d+ warnings/.test(line));
  expect(problems).toEqual([]);
  expect(status).toBe(0);
});

test('each module is named by the import path that serves it (package.json exports)', () => {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const importPaths = Object.keys(pkg.exports)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
  const modules = (project.children ?? []).filter((child) => child.kind === 2);
  expect(modules.map((module) => module.name).sort()).toEqual([...importPaths].sort());
  // …and each name is the import path of the source the module documents.
  for (const module of modules) {
    const source = module.sources?.[0]?.fileName.replace(/\.ts$/, '');
    expect([module.name, source]).toEqual([module.name, PACKAGE_PATHS[module.name]]);
  }
  expect(existsSync(join(out, 'html', 'modules', 'callcontrol_placetel.html'))).toBe(true);
});
