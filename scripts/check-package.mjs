/**
 * `npm run check:package`: checks the package as it gets published.
 *
 * 1. Builds it (`npm run build:package`, tsup into lib/) and packs it (`npm pack`) into a
 *    temporary folder; checks that no dependency or framework got bundled and that the bin is
 *    executable in the tarball.
 * 2. publint on the tarball (warnings count as errors).
 * 3. @arethetypeswrong/cli on the tarball (any problem fails).
 * 4. Installs the tarball alone (no framework) into a fresh project and there: `require`s every
 *    subpath (a .cjs file), `import`s every subpath (an .mjs file), type-checks a .cts and an
 *    .mts file that import subpaths with their types (the repository's tsc, `--module
 *    nodenext`), runs the installed `callcontrol` bin (`--help`, and `--version`, which must
 *    print package.json's version), checks that the installed package.json has no install
 *    script (`preinstall`, `install`, `postinstall`, `prepare`: npm runs or flags them when the
 *    tarball is installed), and that an error thrown by the installed package, run with
 *    `node --enable-source-maps`, has stack frames in `src/…` (the source maps in lib/ embed
 *    the sources, which are not published). The maps in lib/ must name no absolute path.
 *
 * Steps 2, 3 and 4 run side by side. Every child process has a time limit; the temporary folders
 * go in the end. Exits 1 with the failing step's output on any failure.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = process.execPath;
const BIN = (name) => join(ROOT, 'node_modules', '.bin', name);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * Every subpath of the package with exports each format must have, and the kind of each
 * (`function` for functions and classes, `object`, `string`, `number`). The providers'
 * subpaths are checked from the registry the package exports (`PROVIDER_NAMES`): each must
 * load, with the root namespace's `createApp`.
 */
const SUBPATHS = {
  '.': {
    createWebhookApp: 'function',
    CallControlError: 'function',
    ERROR_CODES: 'object',
    MemoryStore: 'function',
    RedisStore: 'function',
    renderXml: 'function',
    createExpressMiddleware: 'function',
    createNodeHandler: 'function',
    createFetchHandler: 'function',
    PROVIDERS: 'object',
    PROVIDER_NAMES: 'object',
    createInspector: 'function',
  },
  './express': { createExpressMiddleware: 'function', captureRawBody: 'function' },
  './node': { createNodeHandler: 'function' },
  './fetch': { createFetchHandler: 'function' },
  './fastify': { createFastifyPlugin: 'function' },
  './testing': { createTestClient: 'function', TestReply: 'function', formatXml: 'function' },
  './redis': { RedisStore: 'function' },
};

/** Exports that must be the same object through two subpaths (one copy per format). */
const SAME = [
  ['.', 'RedisStore', './redis', 'RedisStore'],
  ['.', 'createExpressMiddleware', './express', 'createExpressMiddleware'],
  ['.', 'createNodeHandler', './node', 'createNodeHandler'],
  ['.', 'createFetchHandler', './fetch', 'createFetchHandler'],
];

/** Scripts npm runs, or flags as install scripts, when the package is installed. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/**
 * Throws an answer error inside the installed package (`placetel.forward` with targets that are
 * no array) and prints its stack, as `node --enable-source-maps` maps it.
 */
const STACK_CJS = `try {
  require('callcontrol/placetel').forward({ targets: 5 });
} catch (error) {
  console.log(error.stack);
}
`;
const STACK_MJS = `import { forward } from 'callcontrol/placetel';
try {
  forward({ targets: 5 });
} catch (error) {
  console.log(error.stack);
}
`;
/** A frame of the mapped stack: the builder in its TypeScript source, inside the package. */
const SOURCE_FRAME =
  /node_modules[\\/]callcontrol[\\/]src[\\/]providers[\\/]placetel[\\/]responses\.ts:\d+:\d+/;

/** Packages that must stay imports in lib/, never inlined. */
const NEVER_BUNDLED = ['express', 'fastify', 'hono', 'next', 'ioredis'];

class CheckError extends Error {}

/** Environment of the child processes: without the settings `npm run` passes to this script. */
function childEnv() {
  const keep = new Set(
    'cache registry userconfig globalconfig cafile ca proxy https_proxy noproxy strict_ssl'
      .split(' ')
      .map((name) => `npm_config_${name}`),
  );
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if ((lower.startsWith('npm_') && !keep.has(lower)) || lower === 'init_cwd') continue;
    env[key] = value;
  }
  return {
    ...env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
}
const ENV = childEnv();

/** Runs a command; resolves its output, or rejects with it on a non-zero exit or a timeout. */
function run(step, command, args, { cwd = ROOT, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        // The whole process group this call started (npm starts children of its own).
        process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CheckError(`${step}: could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new CheckError(`${step}: no result after ${timeoutMs / 1000} s\n${output}`));
      } else if (code !== 0) {
        reject(new CheckError(`${step}: exit ${code ?? signal}\n${output}`));
      } else {
        resolve({ stdout, output });
      }
    });
  });
}

const timings = [];
/** Runs a step, noting its time. */
async function timed(name, fn) {
  const start = performance.now();
  const result = await fn();
  timings.push(`${name} ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

const quote = (value) => JSON.stringify(value);

/** The body of the require/import smoke test, `load(subpath)` giving a module namespace. */
function smokeBody(format) {
  return `
const assert = require_assert();
const expected = ${JSON.stringify(SUBPATHS)};
const same = ${JSON.stringify(SAME)};
const mods = {};
for (const [subpath, names] of Object.entries(expected)) {
  const specifier = subpath === '.' ? 'callcontrol' : 'callcontrol/' + subpath.slice(2);
  const mod = await load(specifier);
  mods[subpath] = mod;
  assert.ok(Object.keys(mod).length > 0, specifier + ' exports nothing');
  for (const [name, kind] of Object.entries(names)) {
    assert.strictEqual(typeof mod[name], kind, specifier + ': ' + name + ' is ' + typeof mod[name]);
  }
}
for (const [a, an, b, bn] of same) {
  assert.strictEqual(mods[a][an], mods[b][bn], a + ' ' + an + ' is not ' + b + ' ' + bn);
}
const root = mods['.'];
// Every registered provider: its subpath, with the same createApp as the root's namespace.
assert.ok(root.PROVIDER_NAMES.length >= 5, 'PROVIDER_NAMES: ' + root.PROVIDER_NAMES);
for (const name of root.PROVIDER_NAMES) {
  const mod = await load('callcontrol/' + name);
  assert.strictEqual(typeof mod.createApp, 'function', 'callcontrol/' + name + ': createApp');
  assert.strictEqual(typeof root[name], 'object', 'callcontrol: no namespace ' + name);
  assert.strictEqual(root[name].createApp, mod.createApp, name + ': two copies of createApp');
}
assert.strictEqual(typeof root.placetel.forward, 'function');
assert.ok(root.isCallControlError(new root.CallControlError('CC_ERR_BODY_INVALID', 'smoke')));

// One call through the fetch adapter: a signed Placetel IncomingCall answered with a Forward.
const secret = 'fake-smoke-test-secret';
const { placetel } = root;
const calls = placetel.createApp({ secret });
calls.on('IncomingCall', () =>
  placetel.forward({ targets: [{ ringtime: 30, numbers: ['022129191999'] }] }),
);
const [incoming] = placetel.placetelCallScenario({ secret });
const handle = root.createFetchHandler(calls);
const response = await handle(
  new Request('http://localhost/', { method: 'POST', headers: incoming.headers, body: incoming.body }),
);
const text = await response.text();
assert.strictEqual(response.status, 200, text);
assert.match(text, /<Forward>/);

// Importing callcontrol loads no framework, and ioredis only when a RedisStore connects by URL.
const loaded = (name) =>
  Object.keys(cjsRequire.cache).some((file) => file.includes('/node_modules/' + name + '/'));
for (const name of ['ioredis', 'fastify', 'express']) {
  assert.ok(!loaded(name), name + ' was loaded by importing callcontrol (${format})');
}
const store = new mods['./redis'].RedisStore({ url: 'redis://127.0.0.1:1/0' });
assert.ok(loaded('ioredis'), 'RedisStore did not load ioredis (${format})');
assert.ok(store.client instanceof cjsRequire('ioredis').Redis, 'RedisStore.client is no ioredis client');
await store.close();
console.log('${format}: ' + Object.keys(expected).length + ' subpaths ok');
`;
}

const CJS_SMOKE = `'use strict';
const cjsRequire = require;
const require_assert = () => require('node:assert');
const load = async (specifier) => require(specifier);
(async () => {
${smokeBody('require')}
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const ESM_SMOKE = `import { createRequire } from 'node:module';
import assertModule from 'node:assert';
const cjsRequire = createRequire(import.meta.url);
const require_assert = () => assertModule;
const load = (specifier) => import(specifier);
${smokeBody('import')}
// Two copies, one per format: instanceof holds within a format, isCallControlError across both.
const fromCjs = new (cjsRequire('callcontrol').CallControlError)('CC_ERR_BODY_INVALID', 'smoke');
assertModule.ok(!(fromCjs instanceof root.CallControlError));
assertModule.ok(root.isCallControlError(fromCjs));
`;

/** Type-checked as .cts (require condition) and .mts (import condition). */
const TS_SMOKE = `import { createApp, forward, type PlacetelApp } from 'callcontrol/placetel';
import { placetel, CallControlError, isCallControlError, type CallStore } from 'callcontrol';
import * as ozeki from 'callcontrol/ozeki';
import * as voipnow from 'callcontrol/voipnow';
import * as opentact from 'callcontrol/opentact';
import {
  createExpressMiddleware,
  type AdaptableApp,
  type ExpressMiddleware,
} from 'callcontrol/express';
import { createNodeHandler, type NodeHandler } from 'callcontrol/node';
import { createFetchHandler, type FetchHandler } from 'callcontrol/fetch';
import { RedisStore, type RedisStoreOptions } from 'callcontrol/redis';
import { createTestClient, type TestClient } from 'callcontrol/testing';
import { createFastifyPlugin, type CallControlFastifyPlugin } from 'callcontrol/fastify';

const calls: PlacetelApp = createApp({ secret: 'fake-smoke-test-secret' });
calls.on('IncomingCall', (call: placetel.PlacetelIncomingCall) =>
  call.from === 'anonymous' ? placetel.reject({ reason: 'busy' }) : forward({ targets: [] }),
);
// A subpath and the root namespace declare the same types.
const viaRoot: placetel.PlacetelApp = calls;
const app: AdaptableApp = viaRoot;
const middleware: ExpressMiddleware = createExpressMiddleware(app);
const nodeHandler: NodeHandler = createNodeHandler(app);
const fetchHandler: FetchHandler = createFetchHandler(app);
const options: RedisStoreOptions = { url: 'redis://127.0.0.1:6379/0' };
const store: CallStore | undefined = options.url === '' ? new RedisStore(options) : undefined;
const client: TestClient = createTestClient(calls);
const plugin: CallControlFastifyPlugin = createFastifyPlugin(app);
const error: unknown = new CallControlError('CC_ERR_BODY_INVALID', 'smoke');
if (isCallControlError(error)) console.log(error.code);
console.log(ozeki.createApp, voipnow.createApp, opentact.createApp, middleware, nodeHandler);
console.log(fetchHandler, store, client, plugin);

// The types are real, not \`any\`:
// @ts-expect-error createApp is no number
const wrong: number = createApp;
console.log(wrong);
`;

/** Checks lib/ and the tarball's file list before anything else reads them. */
async function checkBuildOutput(packed) {
  const files = await readdir(join(ROOT, 'lib'));
  for (const file of files.filter((name) => /\.m?js$/.test(name))) {
    const code = await readFile(join(ROOT, 'lib', file), 'utf8');
    // esbuild marks inlined third-party modules with a `// node_modules/<path>` comment.
    if (/^\/\/ node_modules\//m.test(code)) {
      throw new CheckError(`lib/${file}: a dependency got bundled (\`// node_modules/\` in it)`);
    }
    for (const name of NEVER_BUNDLED) {
      if (code.includes(`// ../node_modules/${name}/`)) {
        throw new CheckError(`lib/${file}: ${name} got bundled`);
      }
    }
  }
  for (const file of files.filter((name) => name.endsWith('.map'))) {
    const text = await readFile(join(ROOT, 'lib', file), 'utf8');
    if (text.includes(ROOT.replace(/[\\/]+$/, ''))) {
      throw new CheckError(`lib/${file}: the source map names the build's absolute path ${ROOT}`);
    }
    const map = JSON.parse(text);
    const missing = map.sources.filter(
      (source, index) =>
        source.startsWith('../src/') && typeof map.sourcesContent?.[index] !== 'string',
    );
    if (missing.length > 0) {
      throw new CheckError(`lib/${file}: sources not embedded (sourcesContent): ${missing}`);
    }
  }
  const sources = files.filter((name) => /\.m?js$/.test(name));
  const unmapped = sources.filter((name) => !files.includes(`${name}.map`));
  if (unmapped.length > 0) {
    throw new CheckError(`lib/: no source map for ${unmapped.join(', ')}`);
  }
  const cli = packed.files.find((file) => file.path === 'lib/cli.js');
  if (cli === undefined) throw new CheckError('npm pack: lib/cli.js is not in the tarball');
  if ((cli.mode & 0o111) === 0) {
    throw new CheckError(`npm pack: lib/cli.js is not executable (mode ${cli.mode.toString(8)})`);
  }
  const unexpected = packed.files
    .map((file) => file.path)
    .filter(
      (path) =>
        !/^(lib\/|docs\/providers\/[a-z]+\.md$|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(
          path,
        ),
    );
  // `callcontrol validate` cites sections of the provider references: they ship with it.
  const references = packed.files.filter((file) => /^docs\/providers\/[a-z]+\.md$/.test(file.path));
  if (references.length < 4) {
    throw new CheckError(
      'npm pack: the provider references docs/providers/*.md are not in the tarball',
    );
  }
  if (unexpected.length > 0) {
    throw new CheckError(`npm pack: unexpected files in the tarball: ${unexpected.join(', ')}`);
  }
  return packed.files.length;
}

async function smokeTest(work, tarball) {
  const project = join(work, 'app');
  await run('smoke: mkdir', NODE, ['-e', `require('node:fs').mkdirSync(${quote(project)})`]);
  await run('smoke: npm init', NPM, ['init', '-y'], { cwd: project, timeoutMs: 30_000 });
  await timed('install', () =>
    run(
      'smoke: npm install',
      NPM,
      [
        'install',
        // Alone: no framework is installed, so the declarations must not need one.
        tarball,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
      ],
      { cwd: project, timeoutMs: 180_000 },
    ),
  );
  const installed = JSON.parse(
    await readFile(join(project, 'node_modules', 'callcontrol', 'package.json'), 'utf8'),
  );
  const installScripts = INSTALL_SCRIPTS.filter((name) => installed.scripts?.[name] !== undefined);
  if (installScripts.length > 0) {
    throw new CheckError(
      `smoke: the packed package.json has install scripts: ${installScripts.join(', ')}`,
    );
  }
  await Promise.all([
    writeFile(join(project, 'stack.cjs'), STACK_CJS),
    writeFile(join(project, 'stack.mjs'), STACK_MJS),
    writeFile(join(project, 'smoke.cjs'), CJS_SMOKE),
    writeFile(join(project, 'smoke.mjs'), ESM_SMOKE),
    writeFile(join(project, 'smoke-types.cts'), TS_SMOKE),
    writeFile(join(project, 'smoke-types.mts'), TS_SMOKE),
  ]);
  const installedCli = join(project, 'node_modules', 'callcontrol', 'lib', 'cli.js');
  if (((await stat(installedCli)).mode & 0o111) === 0) {
    throw new CheckError('smoke: the installed lib/cli.js is not executable');
  }
  const outputs = await Promise.all([
    run('smoke: require every subpath (smoke.cjs)', NODE, ['smoke.cjs'], { cwd: project }),
    run('smoke: import every subpath (smoke.mjs)', NODE, ['smoke.mjs'], { cwd: project }),
    run(
      'smoke: type-check smoke-types.cts and smoke-types.mts',
      NODE,
      [
        TSC,
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--strict',
        '--noEmit',
        '--typeRoots',
        join(ROOT, 'node_modules', '@types'),
        '--types',
        'node',
        'smoke-types.cts',
        'smoke-types.mts',
      ],
      { cwd: project, timeoutMs: 120_000 },
    ),
    run('smoke: npx callcontrol --help', NPM, ['exec', '--no', '--', 'callcontrol', '--help'], {
      cwd: project,
      timeoutMs: 30_000,
    }),
    run(
      'smoke: node_modules/.bin/callcontrol --help',
      join(project, 'node_modules/.bin/callcontrol'),
      ['--help'],
    ),
    run(
      'smoke: node_modules/.bin/callcontrol --version',
      join(project, 'node_modules/.bin/callcontrol'),
      ['--version'],
    ),
    run('smoke: stack trace (stack.cjs)', NODE, ['--enable-source-maps', 'stack.cjs'], {
      cwd: project,
    }),
    run('smoke: stack trace (stack.mjs)', NODE, ['--enable-source-maps', 'stack.mjs'], {
      cwd: project,
    }),
  ]);
  for (const { stdout } of outputs.slice(3, 5)) {
    if (!stdout.includes('simulate')) {
      throw new CheckError(`smoke: callcontrol --help did not list \`simulate\`:\n${stdout}`);
    }
  }
  if (outputs[5].stdout !== `${installed.version}\n`) {
    throw new CheckError(
      `smoke: callcontrol --version printed ${quote(outputs[5].stdout)}, not ${installed.version}`,
    );
  }
  for (const [file, { stdout }] of [
    ['stack.cjs', outputs[6]],
    ['stack.mjs', outputs[7]],
  ]) {
    if (!stdout.includes('placetel.forward: targets must be an array')) {
      throw new CheckError(`smoke: ${file} did not throw the answer error:\n${stdout}`);
    }
    if (!SOURCE_FRAME.test(stdout)) {
      throw new CheckError(
        `smoke: ${file}: no stack frame in src/providers/placetel/responses.ts with ` +
          `--enable-source-maps (are the source maps shipped, with their sources?):\n${stdout}`,
      );
    }
  }
  return outputs
    .slice(0, 2)
    .map(({ stdout }) => stdout.trim())
    .join('; ');
}

async function main() {
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), 'callcontrol-package-'));
  try {
    await timed('build', () =>
      run('npm run build:package', NPM, ['run', 'build:package'], { timeoutMs: 240_000 }),
    );
    const { stdout } = await timed('pack', () =>
      run('npm pack', NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
        timeoutMs: 60_000,
      }),
    );
    const [packed] = JSON.parse(stdout);
    const tarball = join(work, packed.filename);
    const fileCount = await checkBuildOutput(packed);

    const [, , smoke] = await Promise.all([
      timed('publint', () =>
        run('publint', BIN('publint'), ['run', tarball, '--strict', '--level', 'warning']),
      ),
      timed('attw', () =>
        run(
          'attw',
          BIN('attw'),
          [tarball, '--no-definitely-typed', '--no-emoji', '--no-color', '--format', 'ascii'],
          { timeoutMs: 120_000 },
        ),
      ),
      timed('smoke', () => smokeTest(work, tarball)),
    ]);
    const total = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `check:package ok in ${total} s: ${packed.filename} (${fileCount} files, ` +
        `${(packed.size / 1024).toFixed(0)} KiB); publint and attw clean; ${smoke}; ` +
        `types (.cts, .mts), the bin, --version, source-mapped stacks and no install ` +
        `script ok\n  (${timings.join(', ')})`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof CheckError ? `check:package failed: ${error.message}` : error);
  process.exitCode = 1;
});
