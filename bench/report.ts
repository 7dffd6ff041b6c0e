/**
 * Small helpers the benches share: medians, percentiles, units, and Markdown tables (printed
 * as they go into docs/performance.md).
 *
 * @module
 */
import { availableParallelism, cpus } from 'node:os';

/** The median of `values` (the mean of the middle two for an even count); 0 when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The `q` quantile (0..1) of ascending `sorted` values, nearest rank; 0 when empty. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** Bytes as MiB with one decimal, `–` for unknown. */
export function mib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '–' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A whole number with thin thousands separators: `12 345`. */
export function whole(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** A Markdown table with padded columns; `align` per column, `r` for right-aligned. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('l' | 'r')[] = [],
): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, column) =>
        align[column] === 'r'
          ? cell.padStart(widths[column] ?? 0)
          : cell.padEnd(widths[column] ?? 0),
      )
      .join(' | ')} |`;
  const rule = `| ${widths
    .map((width, column) =>
      align[column] === 'r' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
    )
    .join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * `2 CPUs (AMD EPYC …), Node v20…`: the CPUs this process may use, unless `cpuCount` is given
 * (`bench/http` counts them before it pins itself to one).
 */
export function machineLine(cpuCount: number = availableParallelism()): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpuCount} CPUs (${model}), Node ${process.version}, ${process.platform}`;
}

/** `PASS` or `FAIL`. */
export function verdict(ok: boolean): 'PASS' | 'FAIL' {
  return ok ? 'PASS' : 'FAIL';
}
