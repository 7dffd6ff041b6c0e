/**
 * The published build (`npm run build:package`): CommonJS (`lib/*.js`) and ESM (`lib/*.mjs`),
 * one entry per `exports` subpath of package.json, with shared chunks so that every module
 * exists once per format. `npm run build` (tsc into `dist/`) stays the build of the example
 * server, the tests and the benchmarks.
 *
 * Declarations: tsc writes one per module into `lib/types/` (tsconfig.package.json, run before
 * tsup), and each entry gets `lib/<name>.d.ts` (require) and `lib/<name>.d.mts` (import) that
 * re-export its module there. One declaration per module, rather than tsup's bundled `dts`:
 * rollup-plugin-dts turns the types of `export * as placetel` into values when they come from
 * another chunk, and bundling each entry on its own would declare the classes (with their
 * private fields) once per subpath, so that `callcontrol` and `callcontrol/placetel` would not
 * accept each other's `WebhookApp`.
 *
 * Source maps: every `lib/*.js` and `lib/*.mjs` has its `.map`, with the TypeScript sources
 * embedded (`sourcesContent`), so `node --enable-source-maps` names `src/…` lines in the stack
 * traces of the installed package although `src/` is not published. The CommonJS build passes
 * through a second transform whose maps name the intermediate `lib/` file by its absolute path;
 * {@link relativeSourceMaps} turns those into paths relative to the map, so that no path of the
 * machine that built the package ends up in it.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/**
 * The provider entries, `callcontrol/<name>`: every folder of src/providers with an index.ts
 * (the registry's providers; `test/core/registry.test.ts` checks that the two agree — a folder
 * of code several providers share has no index.ts).
 */
const providerEntries = Object.fromEntries(
  readdirSync('src/providers', { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`src/providers/${entry.name}/index.ts`))
    .map((entry) => [entry.name, `src/providers/${entry.name}/index.ts`]),
);

/** The library entries: output name (`lib/<name>.{js,mjs}`) → source. */
export const libraryEntries: Record<string, string> = {
  index: 'src/index.ts',
  ...providerEntries,
  express: 'src/adapters/express.ts',
  node: 'src/adapters/node.ts',
  fetch: 'src/adapters/fetch.ts',
  fastify: 'src/adapters/fastify.ts',
  testing: 'src/testing/index.ts',
  redis: 'src/stores/redis.ts',
};

/**
 * Never bundled: every dependency and peer dependency, and the frameworks the adapters are
 * written for (the app brings its own), each with its subpaths.
 */
const externalPackages = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'express',
  'fastify',
  'hono',
  'next',
  'ioredis',
];
const escape = (name: string): string => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const external = [...new Set(externalPackages)].map(
  (name) => new RegExp(`^${escape(name)}(?:/.*)?$`),
);

/** Writes `lib/<entry>.<extension>`, re-exporting the entry's declarations in `lib/types/`. */
async function writeDeclarationEntries(extension: 'd.ts' | 'd.mts'): Promise<void> {
  await Promise.all(
    Object.entries(libraryEntries).map(([name, source]) => {
      const target = `./${source.replace(/^src\//, 'types/').replace(/\.ts$/, '')}.js`;
      return writeFile(`lib/${name}.${extension}`, `export * from '${target}';\n`);
    }),
  );
}

/**
 * Rewrites the absolute paths in `lib/*<extension>.map` (`sources`, `file`) as paths relative to
 * the map's folder, and checks that every other source is embedded.
 */
async function relativeSourceMaps(extension: '.js' | '.mjs'): Promise<void> {
  const lib = resolve('lib');
  const maps = (await readdir(lib)).filter((name) => name.endsWith(`${extension}.map`));
  await Promise.all(
    maps.map(async (name) => {
      const path = resolve(lib, name);
      const map = JSON.parse(await readFile(path, 'utf8')) as {
        file?: string;
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources = map.sources.map((source) =>
        isAbsolute(source) ? relative(lib, source).split('\\').join('/') : source,
      );
      if (map.file !== undefined) map.file = basename(map.file);
      map.sources.forEach((source, index) => {
        if (source.startsWith('../src/') && typeof map.sourcesContent?.[index] !== 'string') {
          throw new Error(`lib/${name}: ${source} is not embedded (sourcesContent)`);
        }
      });
      await writeFile(path, JSON.stringify(map));
    }),
  );
}

const common: Options = {
  outDir: 'lib',
  platform: 'node',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  external,
  splitting: true,
  treeshake: false,
  sourcemap: true,
  minify: false,
  dts: false,
  shims: false,
  // The two formats build side by side into lib/: `npm run build:package` empties it first.
  clean: false,
};

export default defineConfig([
  {
    ...common,
    format: 'cjs',
    // The `callcontrol` command: CommonJS only (it runs when `require.main === module`).
    entry: { ...libraryEntries, cli: 'src/cli/index.ts' },
    onSuccess: async () => {
      await Promise.all([writeDeclarationEntries('d.ts'), relativeSourceMaps('.js')]);
    },
  },
  {
    ...common,
    format: 'esm',
    entry: libraryEntries,
    onSuccess: async () => {
      await Promise.all([writeDeclarationEntries('d.mts'), relativeSourceMaps('.mjs')]);
    },
    // src/stores/redis.ts loads ioredis lazily with `require('ioredis')`; an ES module has no
    // `require`, so each ESM file gets one from node:module (esbuild's require shim uses it).
    banner: {
      js: "import { createRequire as __callcontrolCreateRequire } from 'node:module';\nconst require = __callcontrolCreateRequire(import.meta.url);",
    },
  },
]);
