/**
 * The README is the short way in: the two set-up commands first, what callcontrol is, a first
 * handler, the providers and where to read on — at most 400 lines; the rest lives in `docs/`.
 * (Its TypeScript is type-checked by `./typescript.test.ts`, its links by `./links.test.ts`.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { markdownFiles, ROOT } from './snippets';

const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

test('the README is at most 400 lines', () => {
  expect(README.split('\n').length).toBeLessThanOrEqual(400);
});

test('the README opens with the two set-up commands, and CI runs the second', () => {
  const [title, , fence, start, check] = README.split('\n');
  expect(title).toBe('# callcontrol');
  expect(fence).toBe('```sh');
  expect(start).toMatch(/^npm install && npm start\s+#/);
  expect(check).toMatch(/^npm ci && npm test\s+#/);
  const ci = readFileSync(resolve(ROOT, '.ci/run'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#') && !/^(set|cd) /.test(line));
  expect(ci).toEqual(['npm ci && npm test']);
});

test('the README links every guide in docs/', () => {
  const guides = readdirSync(resolve(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
  for (const guide of guides) expect(README).toContain(`](docs/${guide})`);
});

test('no document tells anyone to install callcontrol from the registry', () => {
  // Not published: `npm install callcontrol` would install whatever has that name.
  const fromRegistry =
    /\b(?:npm (?:install|i|add)|yarn add|pnpm add|bun add) callcontrol(?![\w/.@-])/;
  for (const file of markdownFiles()) {
    const lines = readFileSync(resolve(ROOT, file), 'utf8').split('\n');
    // Lines that warn against it name it in backticks after "not"/"Do not"; commands do not.
    const commands = lines.filter(
      (line) => fromRegistry.test(line) && !/\bnot\b|\bDo not\b/i.test(line),
    );
    expect({ file, commands }).toEqual({ file, commands: [] });
  }
  expect(README).toMatch(/not published/);
});
