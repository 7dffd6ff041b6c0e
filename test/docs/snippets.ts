/**
 * Type-checks the ```ts blocks of a Markdown document against the package as it is, with the
 * TypeScript compiler API: each block becomes an in-memory module beside `src/` (strict, as
 * users of the strictest settings would compile it). Imports of the package and its subpaths
 * (`'callcontrol'`, `'callcontrol/placetel'`, `'callcontrol/testing'`, …) are mapped to the
 * source files they are built from. Blocks that continue an earlier one get the imports and
 * names they use (`app`, `calls`, the provider namespaces).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { PROVIDER_NAMES } from '../../src/providers/registry';

export const ROOT = resolve(__dirname, '../..');

const PROVIDERS = PROVIDER_NAMES;

/**
 * The package's import paths and the sources they are built from, relative to `ROOT`
 * (package.json `exports`).
 */
export const PACKAGE_PATHS: Readonly<Record<string, string>> = {
  callcontrol: 'src/index',
  ...Object.fromEntries(
    PROVIDER_NAMES.map((name) => [`callcontrol/${name}`, `src/providers/${name}/index`]),
  ),
  'callcontrol/express': 'src/adapters/express',
  'callcontrol/node': 'src/adapters/node',
  'callcontrol/fetch': 'src/adapters/fetch',
  'callcontrol/fastify': 'src/adapters/fastify',
  'callcontrol/redis': 'src/stores/redis',
  'callcontrol/testing': 'src/testing/index',
};

/** The ```ts blocks of a Markdown file, in order. */
export function tsBlocks(markdownFile: string): string[] {
  const text = readFileSync(resolve(ROOT, markdownFile), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '');
}

/** An import of the package rewritten to the source it is built from (`'../src/…'`). */
function mapImport(declaration: string): string {
  return declaration.replace(/from '(callcontrol(?:\/[a-z]+)?)'/, (whole, path: string) => {
    const target = PACKAGE_PATHS[path];
    if (target === undefined) throw new Error(`unknown package path ${path} in: ${declaration}`);
    return `from '../${target}'`;
  });
}

/** One block as a module: its imports, then its statements inside an async function. */
export function asModule(block: string): string {
  const imports: string[] = [];
  // Top-level import declarations, one line or several (`import {\n  a,\n} from 'x';`).
  const body = block.replace(/^import [\s\S]*?from '[^']+';[^\n]*\n/gm, (declaration) => {
    imports.push(mapImport(declaration.trimEnd()));
    return '';
  });
  // Declarations that stand for the reader's own code (`declare const db: CallLogDatabase;`)
  // and the types they use move to the module's top level.
  const declarations: string[] = [];
  const statements = body.replace(
    /^(?:declare [^\n]*;[^\n]*|type \w+[^\n]*;[^\n]*|interface \w+[^\n]*\{\n[\s\S]*?^\})\n/gm,
    (declaration) => {
      declarations.push(declaration.trimEnd());
      return '';
    },
  );
  // A route file's exports (`export const POST = …`, `export { handle as GET }`) become local
  // names: the block's statements run inside a function, where `export` cannot stand.
  const local = statements
    .replace(/^export (?=(?:const|let|function|async function) )/gm, '')
    .replace(/^export \{[^}]*\};?[^\n]*\n/gm, '');
  const has = (name: string): boolean => imports.some((line) => line.includes(name));
  if (/\bexpress\b/.test(body) && !has("from 'express'")) {
    imports.unshift("import express from 'express';");
  }
  for (const provider of PROVIDERS) {
    if (
      new RegExp(`\\b${provider}\\.`).test(body) &&
      !new RegExp(`\\b${provider}\\b`).test(imports.join('\n'))
    ) {
      imports.unshift(`import { ${provider} } from '../src';`);
    }
  }
  const params = ['callUuid: string'];
  if (!/\bconst app\b/.test(body)) params.push("app: import('express').Express");
  if (!/\bconst calls\b/.test(body)) params.push("calls: import('../src').placetel.PlacetelApp");
  return `${imports.join('\n')}
${declarations.join('\n')}
export async function snippet(${params.join(', ')}): Promise<void> {
void callUuid;
${local}
}
`;
}

/**
 * The Markdown documents whose TypeScript is checked: `README.md` and every `docs/*.md`
 * (`docs/providers/` holds provider references, facts without code to compile), relative to
 * `ROOT`, in order.
 */
export function markdownFiles(): string[] {
  const docs = readdirSync(resolve(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/**
 * Type-checks every ```ts block of `markdownFile` and returns the problems as
 * `file:line: message` lines (empty when every block compiles).
 */
export function typeCheckBlocks(markdownFile: string): string[] {
  return typeCheckMarkdown([markdownFile]).get(markdownFile) ?? [];
}

/**
 * Type-checks the ```ts blocks of several Markdown files in one compiler run (the package's
 * sources are checked once for all of them) and returns each file's problems as
 * `file:line: message` lines (an empty list when every block of that file compiles).
 */
export function typeCheckMarkdown(markdownFiles: readonly string[]): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('tsconfig.json cannot be read');
  /** Module file name → the Markdown file its block comes from. */
  const origin = new Map<string, string>();
  const files = new Map<string, string>();
  for (const markdownFile of markdownFiles) {
    const stem = markdownFile.replace(/\W+/g, '-').replace(/-md$/, '').toLowerCase();
    tsBlocks(markdownFile).forEach((block, index) => {
      const name = resolve(ROOT, 'test', `${stem}-example-${index}.ts`);
      files.set(name, asModule(block));
      origin.set(name, markdownFile);
    });
  }
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
  const problems = new Map<string, string[]>(markdownFiles.map((file) => [file, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file;
    const markdownFile = file === undefined ? undefined : origin.get(file.fileName);
    if (file === undefined || markdownFile === undefined) continue;
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const source = file.text.split('\n')[line] ?? '';
    problems
      .get(markdownFile)
      ?.push(
        `${file.fileName.replace(`${ROOT}/`, '')}:${line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}\n    ${source.trim()}`,
      );
  }
  return problems;
}

/** Whether the source a package path is built from exists yet. */
export function packagePathExists(path: string): boolean {
  const target = PACKAGE_PATHS[path];
  return target !== undefined && existsSync(resolve(ROOT, `${target}.ts`));
}
