import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CORE = join(ROOT, 'src/core');

/** Every `.ts` file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The relative module specifiers of a file: `from '…'`, `import('…')`, `require('…')`. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)'(\.[^']*)'/g,
  )) {
    found.push(match[1] as string);
  }
  return found;
}

describe('layers', () => {
  test('no module under src/core imports src/adapters or a provider', () => {
    const offending: string[] = [];
    const files = sources(CORE);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      for (const specifier of relativeImports(file)) {
        const target = relative(ROOT, resolve(dirname(file), specifier)).replace(/\\/g, '/');
        if (!target.startsWith('src/core')) {
          offending.push(`${relative(ROOT, file)} imports ${specifier}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
