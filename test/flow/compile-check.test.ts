/**
 * The compile-time check of `flow.mount`: mounting a flow on the app of a provider that cannot
 * express one of its verbs is a type error whose message names provider and verb. Compiled in
 * memory with the TypeScript compiler API (the repository's tsconfig), beside `test/flow/`;
 * nothing is run. The registry's own flows are used, so providers are found by reading them.
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import { FLOW_VERBS, type FlowVerb } from '../../src/flow';
import { PROVIDERS } from '../../src/providers/registry';
import { ROOT } from '../docs/snippets';

/** Providers with flow support, and the first verb each declares unsupported. */
const cases = PROVIDERS.flatMap((plugin) => {
  const flow = plugin.flow;
  if (flow === undefined) return [];
  const verbs = flow.verbs as Record<FlowVerb, { supported: boolean }>;
  const unsupported = FLOW_VERBS.find((verb) => !verbs[verb].supported);
  const supported = FLOW_VERBS.filter((verb) => verbs[verb].supported);
  return [{ name: plugin.name, unsupported, supported }];
});

/** Each snippet's diagnostics, all compiled in one program, as `test/flow/compile-check-<name>.ts`. */
function diagnose(snippets: Readonly<Record<string, string>>): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('tsconfig.json cannot be read');
  const files = new Map(
    Object.entries(snippets).map(([name, code]) => [
      resolve(ROOT, 'test', 'flow', `compile-check-${name}.ts`),
      code,
    ]),
  );
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.getSourceFile = (name, language) => {
    const text = files.get(name);
    return text === undefined
      ? getSourceFile(name, language)
      : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const byName = new Map<string, string[]>(Object.keys(snippets).map((name) => [name, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const name = Object.keys(snippets).find(
      (key) =>
        diagnostic.file?.fileName === resolve(ROOT, 'test', 'flow', `compile-check-${key}.ts`),
    );
    if (name === undefined) continue;
    byName.get(name)?.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  }
  return byName;
}

/** A snippet mounting a flow of `verbs` on provider `name`'s app (options bypassing auth). */
function snippet(name: string, verbs: readonly string[]): string {
  return `import * as root from '../../src';
import { createFlow } from '../../src/flow';
const calls = root.${name}.createApp({ allowUnauthenticated: true } as never);
const flow = createFlow({ uses: ${JSON.stringify(verbs)} as const });
flow.mount(calls);
`;
}

const withUnsupported = cases.filter((entry) => entry.unsupported !== undefined);

let diagnostics: Map<string, string[]>;

beforeAll(() => {
  diagnostics = diagnose(
    Object.fromEntries(
      cases.flatMap(({ name, unsupported, supported }) => [
        [`${name}-supported`, snippet(name, supported)],
        ...(unsupported === undefined
          ? []
          : [[`${name}-unsupported`, snippet(name, [...supported.slice(0, 1), unsupported])]]),
      ]),
    ),
  );
}, 120_000);

test('at least one provider with flow support cannot express a verb', () => {
  expect(withUnsupported.length).toBeGreaterThan(0);
});

test.each(withUnsupported)(
  '$name: a flow using $unsupported does not compile, naming provider and verb',
  ({ name, unsupported }) => {
    expect((diagnostics.get(`${name}-unsupported`) ?? []).join('\n')).toContain(
      `${name} cannot express ${String(unsupported)}`,
    );
  },
);

test.each(cases)('$name: a flow of verbs it can express compiles', ({ name }) => {
  expect(diagnostics.get(`${name}-supported`)).toEqual([]);
});
