/**
 * The capability matrix in docs/flows.md is the one the code generates (`npm run docs:flows`),
 * and it is read off the providers' own flow declarations.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FLOW_EVENTS, FLOW_VERBS, flowCapabilities, renderCapabilityMatrix } from '../../src/flow';
import { PROVIDERS } from '../../src/providers/registry';

const ROOT = resolve(__dirname, '../..');
const START = '<!-- capability-matrix:start -->';
const END = '<!-- capability-matrix:end -->';

/** The matrix between the markers of docs/flows.md. */
function documented(): string {
  const text = readFileSync(resolve(ROOT, 'docs/flows.md'), 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return text.slice(start + START.length, end).trim();
}

test('docs/flows.md shows the matrix the code generates (run `npm run docs:flows`)', () => {
  expect(documented()).toBe(renderCapabilityMatrix());
});

test('the matrix is read off each provider flow declaration', () => {
  const matrix = flowCapabilities();
  expect(matrix.map((row) => row.provider)).toEqual(PROVIDERS.map((plugin) => plugin.name));
  for (const row of matrix) {
    const flow = PROVIDERS.find((plugin) => plugin.name === row.provider)?.flow;
    expect(row.flow).toBe(flow !== undefined);
    if (flow === undefined) continue;
    for (const verb of FLOW_VERBS) expect(row.verbs[verb]).toBe(flow.verbs[verb]);
    for (const name of FLOW_EVENTS) {
      const from = flow.events[name];
      expect(row.events[name]).toEqual(
        Array.isArray(from)
          ? { supported: true, as: from }
          : { supported: false, reason: (from as { reason: string }).reason },
      );
    }
  }
});

test('every unsupported verb and event says why; every supported verb what it becomes', () => {
  for (const row of flowCapabilities()) {
    for (const verb of FLOW_VERBS) {
      const capability = row.verbs[verb];
      if (capability.supported) expect(capability.as).not.toBe('');
      else expect(capability.reason).toMatch(/\S{3}/);
    }
  }
});

test('the rendering: a row per verb and event, a column per provider, cells escaped', () => {
  const text = renderCapabilityMatrix();
  const lines = text.split('\n');
  expect(lines[0]).toBe(
    `| | ${flowCapabilities()
      .map((row) => row.title)
      .join(' | ')} |`,
  );
  for (const verb of FLOW_VERBS) expect(text).toContain(`| \`${verb}\` |`);
  for (const name of FLOW_EVENTS) expect(text).toContain(`| event \`${name}\` |`);
  // A provider's "<Tag>" is shown as code, not parsed as HTML.
  expect(text.replace(/`[^`]*`/g, '')).not.toMatch(/<[A-Za-z]/);
  const custom = renderCapabilityMatrix([
    {
      ...(flowCapabilities()[0] as ReturnType<typeof flowCapabilities>[number]),
      title: 'X',
      verbs: Object.fromEntries(
        FLOW_VERBS.map((verb) => [
          verb,
          { supported: true, as: '<A b="c|d"><B>', limits: 'x <C> y' },
        ]),
      ) as never,
    },
  ]);
  expect(custom).toContain('- `forward`: `<A b="c|d"><B>` — x `<C>` y');
});
