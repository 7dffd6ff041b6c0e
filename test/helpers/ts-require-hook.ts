/**
 * Source text for a child `node` process that requires TypeScript modules from their sources:
 * each `.ts` file is transpiled on require (`typescript.transpileModule`, CommonJS, ES2022, no
 * type check), so tests that must run outside jest's module sandbox (a fresh `require.cache`, a
 * dynamic `import()`) check the code as it is, without a build. Use it as the start of a `-e`
 * script, or write it to a file for `node -r`.
 */
export const TS_REQUIRE_HOOK = `
const { readFileSync } = require('node:fs');
const ts = require(${JSON.stringify(require.resolve('typescript'))});
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  module._compile(outputText, filename);
};
`;
