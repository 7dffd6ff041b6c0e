/**
 * Every TypeScript example of the README and of `docs/*.md` compiles against the package as it
 * is: each ```ts block is type-checked as a module beside `src/` (see `./snippets.ts`), all of
 * them in one compiler run, and each document's problems are reported under its own test.
 */
import { markdownFiles, tsBlocks, typeCheckMarkdown } from './snippets';
import { PROVIDER_NAMES } from '../../src/providers/registry';

const FILES = markdownFiles();
let problems: Map<string, string[]>;

beforeAll(() => {
  problems = typeCheckMarkdown(FILES);
}, 120_000);

test('the README and the guides have TypeScript examples', () => {
  expect(FILES).toEqual(expect.arrayContaining(['README.md', 'docs/cookbook.md']));
  for (const file of ['README.md', ...PROVIDER_NAMES.map((name) => `docs/${name}.md`)]) {
    expect({ file, blocks: tsBlocks(file).length > 0 }).toEqual({ file, blocks: true });
  }
});

describe('every TypeScript example type-checks', () => {
  test.each(FILES)('%s', (file) => {
    expect(problems.get(file)).toEqual([]);
  });
});
