/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and aggregates where the time went:
 * self time per function and per origin (callcontrol's own code under `dist/src/`, each npm
 * package, Node's core, V8 natives, GC), and the inclusive time of callcontrol's functions.
 *
 * `bench/http --profile` uses it; alone: `node dist/bench/profile.js FILE.cpuprofile [--top N]`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable } from './report';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** One function (name and location) with its time. */
export interface ProfileEntry {
  readonly name: string;
  /** `path:line` relative to the checkout, `node:…`, or `(native)`. */
  readonly location: string;
  /** Where it comes from: `callcontrol`, a package name, `node core`, `V8 native`, `GC`… */
  readonly origin: string;
  readonly ms: number;
  /** Share of the busy time (everything but `(idle)`), 0..1. */
  readonly share: number;
}

/** What {@link summarizeProfile} found. */
export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly idleMs: number;
  readonly busyMs: number;
  readonly samples: number;
  /** Self time per origin, largest first. */
  readonly origins: readonly {
    readonly origin: string;
    readonly ms: number;
    readonly share: number;
  }[];
  /**
   * Time with a frame of the origin anywhere on the stack (once per sample), largest first:
   * what an origin costs including what it calls. Nested origins overlap (Express calls
   * callcontrol, which calls xmlbuilder2…).
   */
  readonly originsInclusive: readonly {
    readonly origin: string;
    readonly ms: number;
    readonly share: number;
  }[];
  /** Functions by self time, largest first. */
  readonly topSelf: readonly ProfileEntry[];
  /** callcontrol's functions by inclusive time (themselves and what they call), largest first. */
  readonly topInclusiveOwn: readonly ProfileEntry[];
}

function filePath(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

/** The origin of a frame: callcontrol's code, an npm package, Node's core, V8… */
export function originOf(frame: CallFrame): string {
  const name = frame.functionName;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'V8 (program)';
  if (name === '(root)') return 'root';
  const url = filePath(frame.url);
  if (url === '') return 'V8 native';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '?');
  }
  if (url.includes('/dist/src/')) return 'callcontrol';
  if (url.includes('/dist/bench/')) return 'bench server';
  return 'other';
}

function locationOf(frame: CallFrame, root: string): string {
  const url = filePath(frame.url);
  if (url === '') return '(native)';
  const relative = url.startsWith(root) ? path.relative(root, url) : url;
  const shortened = relative.replace(/^node_modules\//, '');
  return `${shortened}:${frame.lineNumber + 1}`;
}

/**
 * Aggregates a profile. Each sample lasts until the next one (`timeDeltas[i + 1]`); the last
 * gets the mean interval.
 */
export function summarizeProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const totalUs = profile.endTime - profile.startTime;
  const meanUs = samples.length === 0 ? 0 : totalUs / samples.length;

  const keyOf = (frame: CallFrame): string =>
    `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`;
  const self = new Map<string, { frame: CallFrame; us: number }>();
  const inclusive = new Map<string, { frame: CallFrame; us: number }>();
  const origins = new Map<string, number>();
  const originsInclusive = new Map<string, number>();
  let idleUs = 0;
  for (let index = 0; index < samples.length; index++) {
    const us = Math.max(0, deltas[index + 1] ?? meanUs);
    const node = byId.get(samples[index] ?? -1);
    if (node === undefined) continue;
    const frame = node.callFrame;
    const origin = originOf(frame);
    if (origin === 'idle') {
      idleUs += us;
      continue;
    }
    origins.set(origin, (origins.get(origin) ?? 0) + us);
    const key = keyOf(frame);
    const entry = self.get(key) ?? { frame, us: 0 };
    entry.us += us;
    self.set(key, entry);
    // Inclusive: every distinct function and origin on the stack, once per sample.
    const seen = new Set<string>();
    const seenOrigins = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const stackFrame = byId.get(id)?.callFrame;
      if (stackFrame === undefined) continue;
      const stackOrigin = originOf(stackFrame);
      if (stackOrigin !== 'root' && !seenOrigins.has(stackOrigin)) {
        seenOrigins.add(stackOrigin);
        originsInclusive.set(stackOrigin, (originsInclusive.get(stackOrigin) ?? 0) + us);
      }
      if (stackOrigin !== 'callcontrol') continue;
      const stackKey = keyOf(stackFrame);
      if (seen.has(stackKey)) continue;
      seen.add(stackKey);
      const total = inclusive.get(stackKey) ?? { frame: stackFrame, us: 0 };
      total.us += us;
      inclusive.set(stackKey, total);
    }
  }
  const busyUs = [...origins.values()].reduce((sum, us) => sum + us, 0);
  const entry = ({ frame, us }: { frame: CallFrame; us: number }): ProfileEntry => ({
    name: frame.functionName === '' ? '(anonymous)' : frame.functionName,
    location: locationOf(frame, root),
    origin: originOf(frame),
    ms: us / 1000,
    share: busyUs === 0 ? 0 : us / busyUs,
  });
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    samples: samples.length,
    origins: [...origins.entries()]
      .map(([origin, us]) => ({ origin, ms: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }))
      .sort((a, b) => b.ms - a.ms),
    originsInclusive: [...originsInclusive.entries()]
      .map(([origin, us]) => ({ origin, ms: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }))
      .sort((a, b) => b.ms - a.ms),
    topSelf: [...self.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(entry),
    topInclusiveOwn: [...inclusive.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(entry),
  };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** The summary as Markdown tables. */
export function formatProfileSummary(summary: ProfileSummary): string {
  const entries = (list: readonly ProfileEntry[]): string[][] =>
    list.map((item, index) => [
      String(index + 1),
      item.name,
      item.origin,
      item.location,
      item.ms.toFixed(0),
      percent(item.share),
    ]);
  const header = ['#', 'function', 'origin', 'location', 'ms', 'share of busy'];
  const align = ['r', 'l', 'l', 'l', 'r', 'r'] as const;
  return [
    `profile ${summary.file}: ${summary.samples} samples over ${(summary.totalMs / 1000).toFixed(1)} s, ` +
      `busy ${(summary.busyMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s`,
    '',
    'Time by origin (share of busy time):',
    '',
    markdownTable(
      ['origin', 'self ms', 'self share', 'inclusive ms', 'inclusive share'],
      summary.origins
        .filter((item) => item.ms >= 1)
        .map((item) => {
          const inclusive = summary.originsInclusive.find((entry) => entry.origin === item.origin);
          return [
            item.origin,
            item.ms.toFixed(0),
            percent(item.share),
            inclusive === undefined ? '–' : inclusive.ms.toFixed(0),
            inclusive === undefined ? '–' : percent(inclusive.share),
          ];
        }),
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    'Inclusive: time with a frame of the origin anywhere on the stack (nested origins overlap: ' +
      'Express calls callcontrol, which calls xmlbuilder2).',
    '',
    `Top ${summary.topSelf.length} functions by self time:`,
    '',
    markdownTable(header, entries(summary.topSelf), align),
    '',
    `Top ${summary.topInclusiveOwn.length} callcontrol functions by inclusive time (with what they call):`,
    '',
    markdownTable(header, entries(summary.topInclusiveOwn), align),
  ].join('\n');
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '15' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    console.error('usage: node dist/bench/profile.js FILE.cpuprofile… [--top N]');
    process.exit(2);
  }
  const root = path.resolve(__dirname, '..', '..');
  for (const file of positionals) {
    console.log(formatProfileSummary(summarizeProfile(file, root, Number(values.top))));
    console.log('');
  }
}
