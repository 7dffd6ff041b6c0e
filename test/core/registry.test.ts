/**
 * The provider registry (src/providers/registry.ts) is the one list of providers: everything
 * else that names them — the provider folders, the package's entry points, the root
 * namespaces, the references and fixtures, the CLI, the validator and the test kit — agrees
 * with it, and no module outside src/providers imports a provider or switches over its name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as root from '../../src';
import { runCli } from '../../src/cli';
import { PROVIDER_NAMES, PROVIDERS, findProvider } from '../../src/providers/registry';
import { createTestClient } from '../../src/testing';
import { PROVIDER_RULES, VALIDATE_PROVIDERS } from '../../src/validate';
import { TEST_APP } from '../helpers/apps';

const ROOT = resolve(__dirname, '../..');

/** The registered plug-in of `name`; fails the test when there is none. */
function pluginOf(name: string): NonNullable<ReturnType<typeof findProvider>> {
  const plugin = findProvider(name);
  if (plugin === undefined) throw new Error(`no plug-in ${name}`);
  return plugin;
}
const SRC = join(ROOT, 'src');
const PROVIDERS_DIR = join(SRC, 'providers');

/** Every `.ts` file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The source without comments (block comments, and `//` comments after a space or at a line start). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

const allFolders = readdirSync(PROVIDERS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
/** Provider folders: those with a plug-in. */
const folders = allFolders.filter((name) => existsSync(join(PROVIDERS_DIR, name, 'plugin.ts')));
/**
 * Shared folders: code several providers share (a dialect they all speak), without a plug-in
 * and without an entry point of their own.
 */
const shared = allFolders.filter((name) => !folders.includes(name));

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { require: { default: string; types: string } }>;
};

describe('the provider registry', () => {
  test('a folder without a plug-in is shared code: no index.ts, so no entry point', () => {
    for (const name of shared) {
      expect({ name, index: existsSync(join(PROVIDERS_DIR, name, 'index.ts')) }).toEqual({
        name,
        index: false,
      });
    }
  });

  test('lists every provider folder once, each with its index.ts and plugin.ts', () => {
    expect([...PROVIDER_NAMES].sort()).toEqual(folders);
    expect(new Set(PROVIDER_NAMES).size).toBe(PROVIDER_NAMES.length);
    for (const name of folders) {
      expect(existsSync(join(PROVIDERS_DIR, name, 'index.ts'))).toBe(true);
      expect(existsSync(join(PROVIDERS_DIR, name, 'plugin.ts'))).toBe(true);
    }
  });

  test.each(PROVIDER_NAMES)(
    '%s: reference, fixtures, package entry point, root namespace',
    (name) => {
      const plugin = pluginOf(name);
      expect(plugin.reference).toBe(`docs/providers/${name}.md`);
      expect(existsSync(join(ROOT, plugin.reference))).toBe(true);
      expect(existsSync(join(ROOT, 'test/data/providers', `${name}.json`))).toBe(true);
      const entry = pkg.exports[`./${name}`];
      expect(entry?.require.default).toBe(`./lib/${name}.js`);
      expect(entry?.require.types).toBe(`./lib/${name}.d.ts`);
      const namespace = (root as unknown as Record<string, { createApp?: unknown }>)[name];
      expect(typeof namespace?.createApp).toBe('function');
      expect(plugin.rules.provider).toBe(name);
      expect(plugin.rules.specFile).toBe(plugin.reference);
    },
  );

  test('no reference, fixture file or provider entry point without a registered provider', () => {
    const references = readdirSync(join(ROOT, 'docs/providers'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => file.slice(0, -3));
    expect(references.sort()).toEqual([...PROVIDER_NAMES].sort());
    const fixtures = readdirSync(join(ROOT, 'test/data/providers'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -5));
    expect(fixtures.sort()).toEqual([...PROVIDER_NAMES].sort());
    const NOT_PROVIDERS = [
      './package.json',
      '.',
      './express',
      './node',
      './fetch',
      './fastify',
      './testing',
      './redis',
    ];
    const providerEntries = Object.keys(pkg.exports)
      .filter((subpath) => !NOT_PROVIDERS.includes(subpath))
      .map((subpath) => subpath.slice(2));
    expect(providerEntries.sort()).toEqual([...PROVIDER_NAMES].sort());
  });

  test('validateAnswer, callcontrol validate and simulate know exactly the registered providers', async () => {
    expect([...VALIDATE_PROVIDERS]).toEqual([...PROVIDER_NAMES]);
    expect(Object.keys(PROVIDER_RULES)).toEqual([...PROVIDER_NAMES]);
    let help = '';
    const io = {
      stdout: (text: string) => (help += text),
      stderr: (text: string) => (help += text),
    };
    expect(await runCli(['simulate', '--help'], io)).toBe(0);
    const commands = [...help.matchAll(/^ {2}(\w+) \[options\] <url>/gm)].map((match) => match[1]);
    expect(commands).toEqual([...PROVIDER_NAMES]);
  });

  test.each(PROVIDER_NAMES)('%s: the test kit has client.%s for its apps only', (name) => {
    const namespaces = root as unknown as Record<string, { createApp(options: object): never }>;
    const namespace = namespaces[name];
    if (namespace === undefined) throw new Error(`no namespace ${name}`);
    const app = namespace.createApp({ ...TEST_APP });
    const client = createTestClient(app) as unknown as Record<string, unknown>;
    expect(typeof (client[name] as { playCall?: unknown }).playCall).toBe('function');
    for (const other of PROVIDER_NAMES.filter((candidate) => candidate !== name)) {
      expect(() => client[other]).toThrow(TypeError);
    }
  });

  test('each plug-in is the one its folder exports, and names its own rules', () => {
    for (const plugin of PROVIDERS) {
      const text = readFileSync(join(PROVIDERS_DIR, plugin.name, 'plugin.ts'), 'utf8');
      expect(text).toContain(`name: '${plugin.name}'`);
    }
  });
});

describe('provider knowledge stays in src/providers', () => {
  const outside = sources(SRC).filter((file) => !file.startsWith(PROVIDERS_DIR + '/'));

  test('no module outside src/providers imports a provider folder (only the registry)', () => {
    const offending: string[] = [];
    for (const file of outside) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)'(\.[^']*)'/g)) {
        const target = relative(ROOT, resolve(dirname(file), match[1] ?? '')).replace(/\\/g, '/');
        const folder = /^src\/providers\/([^/]+?)(?:\/|$)/.exec(target)?.[1];
        if (folder !== undefined && allFolders.includes(folder))
          offending.push(`${relative(ROOT, file)} imports ${match[1]}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('no code outside src/providers spells a provider name (comments may)', () => {
    const names = new RegExp(`['"\`](?:${PROVIDER_NAMES.join('|')})['"\`]`);
    const offending: string[] = [];
    for (const file of outside) {
      code(readFileSync(file, 'utf8'))
        .split('\n')
        .forEach((line, index) => {
          if (names.test(line))
            offending.push(`${relative(ROOT, file)}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(offending).toEqual([]);
  });
});
