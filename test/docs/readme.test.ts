/**
 * The README's TypeScript examples compile against the package as it is: each ```ts block is
 * type-checked as a module beside `src/` (see `./snippets.ts`).
 */
import { tsBlocks, typeCheckBlocks } from './snippets';

test('the README has TypeScript examples', () => {
  expect(tsBlocks('README.md').length).toBeGreaterThanOrEqual(5);
});

test('every TypeScript example in the README type-checks', () => {
  expect(typeCheckBlocks('README.md')).toEqual([]);
});
