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
 */
import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** The library entries: output name (`lib/<name>.{js,mjs}`) → source. */
export const libraryEntries = {
  index: 'src/index.ts',
  placetel: 'src/providers/placetel/index.ts',
  ozeki: 'src/providers/ozeki/index.ts',
  voipnow: 'src/providers/voipnow/index.ts',
  opentact: 'src/providers/opentact/index.ts',
  express: 'src/adapters/express.ts',
  node: 'src/adapters/node.ts',
  fetch: 'src/adapters/fetch.ts',
  fastify: 'src/adapters/fastify.ts',
  testing: 'src/testing/index.ts',
  redis: 'src/stores/redis.ts',
} as const;

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

const common: Options = {
  outDir: 'lib',
  platform: 'node',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  external,
  splitting: true,
  treeshake: false,
  sourcemap: false,
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
    onSuccess: () => writeDeclarationEntries('d.ts'),
  },
  {
    ...common,
    format: 'esm',
    entry: libraryEntries,
    onSuccess: () => writeDeclarationEntries('d.mts'),
    // src/stores/redis.ts loads ioredis lazily with `require('ioredis')`; an ES module has no
    // `require`, so each ESM file gets one from node:module (esbuild's require shim uses it).
    banner: {
      js: "import { createRequire as __callcontrolCreateRequire } from 'node:module';\nconst require = __callcontrolCreateRequire(import.meta.url);",
    },
  },
]);
