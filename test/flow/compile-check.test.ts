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

/** Diagnostics of `code` compiled as `test/flow/compile-check-snippet.ts`. */
function diagnose(code: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('tsconfig.json cannot be read');
  const file = resolve(ROOT, 'test', 'flow', 'compile-check-snippet.ts');
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === file ? code : readFile(name));
  host.fileExists = (name) => name === file || fileExists(name);
  host.getSourceFile = (name, language) =>
    name === file ? ts.createSourceFile(name, code, language) : getSourceFile(name, language);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName === file)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
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

test('at least one provider with flow support cannot express a verb', () => {
  expect(withUnsupported.length).toBeGreaterThan(0);
});

test.each(withUnsupported)(
  '$name: a flow using $unsupported does not compile, naming provider and verb',
  ({ name, unsupported, supported }) => {
    const messages = diagnose(snippet(name, [...supported.slice(0, 1), unsupported as string]));
    expect(messages.join('\n')).toContain(`${name} cannot express ${String(unsupported)}`);
  },
  120_000,
);

test.each(cases)(
  '$name: a flow of verbs it can express compiles',
  ({ name, supported }) => {
    expect(diagnose(snippet(name, supported))).toEqual([]);
  },
  120_000,
);
