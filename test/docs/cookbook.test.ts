/**
 * The cookbook has its four recipes, each with TypeScript (type-checked with every other
 * document by `./typescript.test.ts`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, tsBlocks } from './snippets';

const COOKBOOK = readFileSync(resolve(ROOT, 'docs/cookbook.md'), 'utf8');

test('the cookbook has its four recipes, each with TypeScript', () => {
  const recipes = COOKBOOK.split(/^## /m).slice(1);
  const titles = recipes.map((recipe) => recipe.split('\n')[0]);
  expect(titles).toEqual(
    expect.arrayContaining([
      'Caller blocklist',
      'Business hours routing',
      'IVR with PIN',
      'Call log written to a database',
    ]),
  );
  for (const recipe of recipes) expect(recipe).toMatch(/```ts\n/);
  expect(tsBlocks('docs/cookbook.md').length).toBeGreaterThanOrEqual(4);
});
