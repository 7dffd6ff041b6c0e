/**
 * `npm run bench:memory`: 100,000 live call sessions in a `MemoryStore`, measured in a fresh
 * child process (`node --expose-gc`), against the target of 120 MB RSS.
 *
 * Each session is a realistic call's state, written as a handler writes it (three
 * `session.set` calls, i.e. `store.sessionSet` with the default 2 h TTL) under a
 * `placetel:<64 hex call id>` key: `routing` (a string), `pinAttempts` (a number) and `caller`
 * (a small object). RSS and heap are read after a forced GC before the store is created and
 * after every session was written; then, with the process left idle until V8's memory reducer
 * has shrunk the young generation (at most {@link IDLE_WAIT_MS}), once more (`idle`): what a
 * server holding these sessions keeps between bursts of traffic. Then every session is read
 * back (all must be there).
 *
 * Writing 100,000 long-lived objects quickly makes V8 grow its young generation to its largest
 * (32 MiB of semi-spaces on 64-bit Node 20), and a forced GC leaves it so; an idle process gives
 * it back within seconds (V8's memory reducer). The target is read on the idle figure; the one
 * right after writing is printed beside it.
 *
 * Exit code: 0 (a missed target prints FAIL; `--strict` makes it exit 1), 1 when sessions went
 * missing or the child failed.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import { DEFAULT_SESSION_TTL_MS, MemoryStore } from '../src';
import { machineLine, markdownTable, mib, verdict, whole } from './report';

/** The target: RSS after writing the sessions below 120 MB (10^6 bytes, the stricter reading). */
const TARGET_BYTES = 120 * 1000 * 1000;

/** Longest wait for V8's memory reducer to shrink the young generation: 30 s. */
const IDLE_WAIT_MS = 30_000;

/** Young generation size at which the process counts as idle: at most 2 MiB of new space. */
const IDLE_NEW_SPACE_BYTES = 2 * 1024 * 1024;

interface Options {
  readonly sessions: number;
  readonly json: boolean;
  readonly strict: boolean;
  readonly child: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sessions: { type: 'string', default: '100000' },
      json: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      child: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`usage: npm run bench:memory -- [options]
  --sessions N  live call sessions to write (default 100000)
  --strict      exit 1 when the target is missed
  --json        print the result as JSON`);
    process.exit(0);
  }
  const sessions = Number(values.sessions);
  if (!Number.isSafeInteger(sessions) || sessions < 1) {
    throw new TypeError(`--sessions must be a whole number of at least 1, got ${values.sessions}`);
  }
  return { sessions, json: values.json, strict: values.strict, child: values.child };
}

/** Memory of this process at one moment. */
interface Snapshot {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
  /** V8 heap spaces: name → [size, used] in bytes. */
  readonly spaces: Readonly<Record<string, readonly [number, number]>>;
}

/** What the child reports (one JSON line on stdout). */
interface ChildReport {
  readonly sessions: number;
  readonly before: Snapshot;
  readonly after: Snapshot;
  /** After the process was idle until the young generation shrank (or {@link IDLE_WAIT_MS}). */
  readonly idle: Snapshot;
  /** How long the process was left idle for it, in milliseconds. */
  readonly idleMs: number;
  readonly peakRssBytes: number | null;
  readonly writeSeconds: number;
  readonly missing: number;
}

function snapshot(): Snapshot {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  return {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    heapTotalBytes: usage.heapTotal,
    externalBytes: usage.external,
    spaces: Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [
        space.space_name,
        [space.space_size, space.space_used_size] as const,
      ]),
    ),
  };
}

function ownPeakRss(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** In the child: write the sessions and measure. */
async function measure(sessions: number): Promise<ChildReport> {
  const before = snapshot();
  const store = new MemoryStore();
  // The keys are kept for the read-back (an array of 8 bytes per session beside the store's own
  // references to the same strings); each is a flat string of its own, as a request's would be.
  const keys: string[] = [];
  // The random call ids are cut from one buffer: a `randomBytes(32)` per key left ~17 MiB of
  // freed native memory in the process (seen in /proc/self/smaps), which is the bench's own
  // garbage, not what the store keeps.
  const random = randomBytes(32 * sessions);
  const startedAt = performance.now();
  for (let index = 0; index < sessions; index++) {
    const key = `placetel:${random.toString('hex', 32 * index, 32 * index + 32)}`;
    keys.push(key);
    const from = `0151${String(index).padStart(8, '0')}`;
    await store.sessionSet(key, 'routing', 'forwarded to 022129191999', DEFAULT_SESSION_TTL_MS);
    await store.sessionSet(key, 'pinAttempts', index % 3, DEFAULT_SESSION_TTL_MS);
    await store.sessionSet(
      key,
      'caller',
      { from, to: '022129191999', startedAt: 1_767_225_600_000 + index, language: 'de' },
      DEFAULT_SESSION_TTL_MS,
    );
  }
  const writeSeconds = (performance.now() - startedAt) / 1000;
  const after = snapshot();
  const idleFrom = performance.now();
  while (newSpaceBytes() > IDLE_NEW_SPACE_BYTES && performance.now() - idleFrom < IDLE_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const idleMs = performance.now() - idleFrom;
  const idle = snapshot();
  let missing = 0;
  for (let index = 0; index < sessions; index++) {
    const all = await store.sessionGetAll(keys[index] ?? '');
    if (all['routing'] === undefined || all['pinAttempts'] === undefined || !all['caller']) {
      missing += 1;
    }
  }
  await store.close();
  return {
    sessions,
    before,
    after,
    idle,
    idleMs,
    peakRssBytes: ownPeakRss(),
    writeSeconds,
    missing,
  };
}

/** The size of V8's new space (the young generation) right now, in bytes. */
function newSpaceBytes(): number {
  return (
    getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
  );
}

function format(report: ChildReport): string {
  const { before, after, idle } = report;
  const pass = idle.rssBytes < TARGET_BYTES;
  const perSession = (after.heapUsedBytes - before.heapUsedBytes) / report.sessions;
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
  const spaces = Object.entries(after.spaces)
    .filter(([, [size]]) => size >= 1024 * 1024)
    .map(([name, [size, used]]) => `${name} ${mib(used)} of ${mib(size)}`)
    .join(', ');
  return [
    `bench/memory: ${whole(report.sessions)} live sessions (3 fields each) in a MemoryStore, ` +
      `fresh process, after forced GC; ${machineLine()}`,
    '',
    markdownTable(
      [
        '',
        'before the store',
        `after ${whole(report.sessions)} sessions`,
        'idle after',
        'difference (idle − before)',
      ],
      [
        [
          'RSS',
          `${mib(before.rssBytes)} (${mb(before.rssBytes)})`,
          `${mib(after.rssBytes)} (${mb(after.rssBytes)})`,
          `${mib(idle.rssBytes)} (${mb(idle.rssBytes)})`,
          mib(idle.rssBytes - before.rssBytes),
        ],
        [
          'heap used',
          mib(before.heapUsedBytes),
          mib(after.heapUsedBytes),
          mib(idle.heapUsedBytes),
          mib(idle.heapUsedBytes - before.heapUsedBytes),
        ],
        [
          'heap total',
          mib(before.heapTotalBytes),
          mib(after.heapTotalBytes),
          mib(idle.heapTotalBytes),
          mib(idle.heapTotalBytes - before.heapTotalBytes),
        ],
        [
          'external',
          mib(before.externalBytes),
          mib(after.externalBytes),
          mib(idle.externalBytes),
          '',
        ],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    `heap per session: ${whole(perSession)} bytes; peak RSS of the process: ${mib(report.peakRssBytes)}; ` +
      `written in ${report.writeSeconds.toFixed(2)} s; sessions missing on read-back: ${report.missing}`,
    `heap spaces after (used of size): ${spaces}; idle after ${(report.idleMs / 1000).toFixed(1)} s ` +
      `(new space ${mib(idle.spaces['new_space']?.[0] ?? 0)})`,
    `target: RSS idle after writing < 120 MB: ${mb(idle.rssBytes)} → ${verdict(pass)} ` +
      `(right after writing: ${mb(after.rssBytes)})`,
  ].join('\n');
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.child) {
    process.stdout.write(`${JSON.stringify(await measure(options.sessions))}\n`);
    return 0;
  }
  process.stderr.write(
    `bench/memory: writing ${whole(options.sessions)} sessions in a fresh process (a few seconds)\n`,
  );
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', __filename, '--child', '--sessions', String(options.sessions)],
    { encoding: 'utf8', timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
  );
  if (child.status !== 0) {
    throw new Error(
      `the measuring process failed (${child.signal ?? `code ${String(child.status)}`}):\n${child.stderr}`,
    );
  }
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as ChildReport;
  console.log(
    options.json ? JSON.stringify({ machine: machineLine(), report }, null, 2) : format(report),
  );
  if (report.missing > 0) return 1;
  return options.strict && report.idle.rssBytes >= TARGET_BYTES ? 1 : 0;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `bench/memory failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
