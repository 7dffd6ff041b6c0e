/**
 * `npm run docs:flows`: writes the capability matrix of provider-neutral call flows, generated
 * from the providers' flow declarations (`renderCapabilityMatrix` of the built `src/flow`), into
 * `docs/flows.md` between its markers. `test/flow/matrix.test.ts` fails while the two differ.
 * Run after `npm run build` (the npm script does both).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { renderCapabilityMatrix } = require(resolve(ROOT, 'dist/src/flow/index.js'));

export const START = '<!-- capability-matrix:start -->';
export const END = '<!-- capability-matrix:end -->';

const file = resolve(ROOT, 'docs/flows.md');
const text = readFileSync(file, 'utf8');
const start = text.indexOf(START);
const end = text.indexOf(END);
if (start < 0 || end < start) {
  console.error(`docs/flows.md: markers ${START} … ${END} not found`);
  process.exit(1);
}
const next = `${text.slice(0, start + START.length)}\n\n${renderCapabilityMatrix()}\n\n${text.slice(end)}`;
if (next === text) console.log('docs/flows.md: the capability matrix is up to date');
else {
  writeFileSync(file, next);
  console.log('docs/flows.md: capability matrix written');
}
