#!/usr/bin/env node
/**
 * Checks that the property tests can fail: plants each bug of `plants.mjs` in a scratch copy of
 * the working tree (never in the tree itself, so nobody else's test run sees a planted bug),
 * runs the property tests named for it there, and reports which tests the bug made fail.
 *
 *   node test/mutation/run-plants.mjs                  every plant
 *   node test/mutation/run-plants.mjs auth limits      the plants of these groups
 *   node test/mutation/run-plants.mjs token-any        one plant
 *
 * Each selected test file first runs without a plant (the baseline); a plant counts as caught
 * when a test that passed in the baseline fails with it. The copy lives in the system's temp
 * folder (`src`, `test`, configuration; `node_modules` linked) and is removed at the end. The
 * jest runs get a `REDIS_URL` so that no redis-server is started: the property tests use none.
 *
 * Exit code 0 when every selected plant was caught, 1 otherwise.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLANTS } from './plants.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wanted = process.argv.slice(2);
const selected = PLANTS.filter(
  (plant) => wanted.length === 0 || wanted.includes(plant.group) || wanted.includes(plant.id),
);
if (selected.length === 0) {
  process.stderr.write(`No plant matches ${wanted.join(' ')}\n`);
  process.exit(2);
}

const SKIPPED = new Set(['node_modules', '.git', 'dist', 'lib', 'coverage']);
const copy = mkdtempSync(join(tmpdir(), 'callcontrol-plants-'));
cpSync(root, copy, {
  recursive: true,
  filter: (source) => {
    const path = relative(root, source);
    return !SKIPPED.has(path.split('/')[0] ?? '') && path !== join('docs', 'api');
  },
});
symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');

/** Runs jest in the copy; the outcome of every test by its full name. */
function runJest(tests, names) {
  const output = join(copy, 'jest-result.json');
  rmSync(output, { force: true });
  // --forceExit: a planted bug may leave timers or stalled promises behind, which would keep
  // jest from exiting after its tests.
  const args = [
    join(copy, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--ci',
    '--forceExit',
    '--json',
    `--outputFile=${output}`,
    ...tests,
  ];
  if (names !== undefined) args.push('-t', names);
  const started = Date.now();
  const run = spawnSync(process.execPath, args, {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', CI: '1' },
    timeout: 10 * 60 * 1000,
    killSignal: 'SIGKILL',
  });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (!existsSync(output)) {
    return { seconds, outcomes: new Map(), error: (run.stderr || run.stdout).slice(-2000) };
  }
  const result = JSON.parse(readFileSync(output, 'utf8'));
  const outcomes = new Map();
  for (const file of result.testResults) {
    if (file.assertionResults.length === 0 && file.message) {
      outcomes.set(`${file.name}: the file`, { status: 'failed', message: file.message });
    }
    for (const test of file.assertionResults) {
      outcomes.set(test.fullName, {
        status: test.status,
        message: (test.failureMessages ?? []).join('\n'),
      });
    }
  }
  return { seconds, outcomes };
}

/** What went wrong, in one line: fast-check's `[cause]` (or jest's message) without the stack. */
function firstReason(message) {
  // eslint-disable-next-line no-control-regex -- jest's colours
  const lines = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const cause = lines.findIndex((line) => line.startsWith('[cause]: '));
  const from = cause === -1 ? 0 : cause;
  const kept = [];
  for (const line of lines.slice(from)) {
    const text = line.replace(/^\[cause\]: /, '').trim();
    if (text.startsWith('at ')) break;
    if (text !== '') kept.push(text);
  }
  return kept.join(' ').slice(0, 160);
}

const baselines = new Map();
function baseline(tests, names) {
  const key = `${tests.join(' ')}|${names ?? ''}`;
  if (!baselines.has(key)) {
    process.stdout.write(
      `baseline: ${tests.join(' ')} ${names === undefined ? '' : `-t "${names}"`}\n`,
    );
    baselines.set(key, runJest(tests, names));
  }
  return baselines.get(key);
}

const rows = [];
let allCaught = true;
try {
  for (const plant of selected) {
    const base = baseline(plant.tests, plant.names);
    const path = join(copy, plant.file);
    const original = readFileSync(path, 'utf8');
    let planted = original;
    let applies = true;
    for (const [from, to] of plant.edits) {
      const count = planted.split(from).length - 1;
      if (count !== 1) {
        applies = false;
        break;
      }
      planted = planted.replace(from, () => to);
    }
    if (!applies) {
      allCaught = false;
      rows.push({ plant, caught: [], reason: 'no longer applies (the code changed)', seconds: 0 });
      continue;
    }
    writeFileSync(path, planted);
    process.stdout.write(`plant ${plant.id} (${plant.file})\n`);
    try {
      const run = runJest(plant.tests, plant.names);
      const caught = [];
      let reason = run.error ?? '';
      for (const [name, outcome] of run.outcomes) {
        const before = base.outcomes.get(name);
        if (outcome.status === 'failed' && before?.status === 'passed') {
          caught.push(name);
          if (reason === '') reason = firstReason(outcome.message);
        }
      }
      if (caught.length === 0) allCaught = false;
      rows.push({ plant, caught, reason, seconds: run.seconds });
    } finally {
      writeFileSync(path, original);
    }
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}

const cell = (text) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
process.stdout.write(
  '\n| plant | file | bug | caught by | first failure |\n|---|---|---|---|---|\n',
);
for (const { plant, caught, reason } of rows) {
  const by =
    caught.length === 0
      ? '**NOT CAUGHT**'
      : `${caught.length} test(s): ${caught.slice(0, 3).join('; ')}${caught.length > 3 ? '; …' : ''}`;
  process.stdout.write(
    `| ${plant.id} | ${plant.file} | ${cell(plant.bug)} | ${cell(by)} | ${cell(reason)} |\n`,
  );
}
for (const { plant, caught } of rows) {
  if (caught.length === 0) continue;
  process.stdout.write(`\n${plant.id} made these tests fail:\n`);
  for (const name of caught) process.stdout.write(`- ${name}\n`);
}
for (const [key, run] of baselines) {
  const failing = [...run.outcomes].filter(([, outcome]) => outcome.status === 'failed');
  if (failing.length > 0) {
    process.stdout.write(`\nFailing without any plant (${key.split('|')[0]}):\n`);
    for (const [name, outcome] of failing) {
      process.stdout.write(`- ${name}: ${firstReason(outcome.message)}\n`);
    }
  }
}
process.exit(allCaught ? 0 : 1);
