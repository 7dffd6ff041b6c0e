/**
 * The README's TypeScript examples compile against the package as it is: each ```ts block is
 * type-checked (strict, as users of the strictest settings would) with the TypeScript compiler
 * API, as an in-memory file beside `src/`. Blocks that continue an earlier one get the imports
 * and names they use (`app`, `calls`, the provider namespaces).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const BLOCKS = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const PROVIDERS = ['placetel', 'ozeki', 'voipnow', 'opentact'];

/** One README block as a module: its imports, then its statements inside an async function. */
function asModule(block: string): string {
  const lines = block.split('\n');
  const imports = lines
    .filter((line) => line.startsWith('import '))
    .map((line) => line.replace("from 'callcontrol'", "from '../src'"));
  const body = lines.filter((line) => !line.startsWith('import ')).join('\n');
  const has = (name: string): boolean => imports.some((line) => line.includes(name));
  if (/\bexpress\b/.test(body) && !has("from 'express'")) {
    imports.unshift("import express from 'express';");
  }
  for (const provider of PROVIDERS) {
    if (body.includes(`${provider}.`) && !has(provider)) {
      imports.unshift(`import { ${provider} } from '../src';`);
    }
  }
  const params = ['callUuid: string'];
  if (!body.includes('const app')) params.push("app: import('express').Express");
  if (!body.includes('const calls')) params.push("calls: import('../src').placetel.PlacetelApp");
  return `${imports.join('\n')}
export async function snippet(${params.join(', ')}): Promise<void> {
void callUuid;
${body}
}
`;
}

test('the README has TypeScript examples', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(5);
});

test('every TypeScript example in the README type-checks', () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('tsconfig.json cannot be read');
  const files = new Map(
    BLOCKS.map((block, index) => [
      resolve(ROOT, 'test', `readme-example-${index}.ts`),
      asModule(block),
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
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file !== undefined && files.has(diagnostic.file.fileName))
    .map((diagnostic) => {
      const file = diagnostic.file as ts.SourceFile;
      const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const source = file.text.split('\n')[line] ?? '';
      return `${file.fileName.replace(`${ROOT}/`, '')}:${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}\n    ${source.trim()}`;
    });
  expect(problems).toEqual([]);
});
