/**
 * Where the `callcontrol` command writes, and whether it may colour its output. Shared by every
 * subcommand (`simulate`, `validate`).
 *
 * @module
 */

/** Where the command writes; defaults to the process streams ({@link processIo}). */
export interface CliIo {
  /** Receives the report: progress lines, answers, the summary, or the `--json` document. */
  readonly stdout: (text: string) => void;
  /** Receives usage errors and help on errors. */
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal (colour is used only then, see {@link useColour}). Default false. */
  readonly isTTY?: boolean;
  /** Environment read for `NO_COLOR` and `FORCE_COLOR`. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The process's stdout and stderr; `isTTY` from stdout. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
};

/**
 * Whether output to `io` is coloured: `FORCE_COLOR` set (and not `0`/`false`) forces colour;
 * otherwise colour only when stdout is a TTY and `NO_COLOR` is unset or empty
 * (https://no-color.org).
 */
export function useColour(io: CliIo): boolean {
  const env = io.env ?? process.env;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  const noColour = env['NO_COLOR'];
  if (noColour !== undefined && noColour !== '') return false;
  return io.isTTY === true;
}
