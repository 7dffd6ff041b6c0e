/**
 * Scenario files (JSON or YAML, see {@link CallScenarioFile}) of `callcontrol simulate
 * <provider> <url> --scenario <file>`, and loading one as the test kit's `CallOptions`, so
 * that a test plays the same call. Kept apart from `./transcript.ts`, which the providers'
 * call models import, so that an app never loads the YAML parser.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { CallPlan, TargetBehaviour } from './transcript';
import type { CallOptions } from './types';

/**
 * A scenario file of `callcontrol simulate <provider> <url> --scenario <file>` (JSON or YAML),
 * and of the test kit's `playCall(loadCallScenario(file))`:
 *
 * ```yaml
 * caller: "017312345678"      # --from
 * callee: "022129191999"      # --to
 * digits: ["1", "1234"]       # one entry per prompt (--digits)
 * targets:                    # which target answers after how many seconds
 *   "022129191999": { answerAfterSeconds: 4 }
 *   "022129191998": busy      # or no-answer
 * talkSeconds: 38             # the caller hangs up after talking this long
 * hangupAfterSeconds: 120     # or this long after the call started
 * hangupCause: busy           # --hangup-cause
 * options: { peer: "7777abcdefg@fpbx.de" }   # the provider's own simulate options
 * ```
 */
export interface CallScenarioFile extends CallPlan {
  /** The caller id (`--from`). */
  readonly caller?: string | undefined;
  /** The number called (`--to`). */
  readonly callee?: string | undefined;
  /** Keys the caller types, one entry per prompt met (`--digits`). */
  readonly digits?: readonly string[] | undefined;
  /** The provider's hangup cause (`--hangup-cause`). */
  readonly hangupCause?: string | undefined;
  /**
   * The provider's own `simulate` options by their long name without dashes, either spelling
   * (`call-id` or `callId`): strings, whole numbers, `true` for flags.
   */
  readonly options?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

const SCENARIO_KEYS = new Set([
  'caller',
  'callee',
  'digits',
  'targets',
  'talkSeconds',
  'hangupAfterSeconds',
  'hangupCause',
  'options',
]);

function seconds0(value: unknown, name: string): number {
  // YAML is read with the failsafe schema: every scalar is text.
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) value = Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a number of seconds, 0 or more`);
  }
  return value;
}

function text(value: unknown, name: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${name} must be a non-empty string`);
  }
  return value;
}

function targetBehaviour(value: unknown, name: string): TargetBehaviour {
  if (value === 'busy' || value === 'no-answer') return value;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d/.test(value))) {
    return { answerAfterSeconds: seconds0(value, name) };
  }
  if (typeof value === 'object' && value !== null && 'answerAfterSeconds' in value) {
    const keys = Object.keys(value);
    if (keys.length !== 1) throw new TypeError(`${name}: only answerAfterSeconds is allowed`);
    return {
      answerAfterSeconds: seconds0(
        (value as { answerAfterSeconds: unknown }).answerAfterSeconds,
        `${name}.answerAfterSeconds`,
      ),
    };
  }
  throw new TypeError(
    `${name} must be busy, no-answer, a ring time in seconds or { answerAfterSeconds }`,
  );
}

/**
 * Reads a scenario file's text ({@link CallScenarioFile}): JSON when it starts with `{`, else
 * YAML. YAML is read with the failsafe schema, every scalar as text, so that a number written
 * without quotes keeps its leading zero (`callee: 022129191999`); seconds are read from the
 * text, and `options` values stay text (the command converts them as each option declares).
 *
 * @param source - the file's text
 * @param name - the file's name, for messages
 * @throws {TypeError} naming the file and the key for text that is not a scenario: unknown
 *   keys, wrong types, negative seconds
 */
export function parseCallScenario(source: string, name = 'scenario'): CallScenarioFile {
  let data: unknown;
  try {
    data = source.trimStart().startsWith('{')
      ? JSON.parse(source)
      : parseYaml(source, { schema: 'failsafe' });
  } catch (error) {
    throw new TypeError(
      `${name}: not JSON or YAML: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError(`${name}: a scenario is an object (caller, callee, digits, targets…)`);
  }
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!SCENARIO_KEYS.has(key)) {
      throw new TypeError(
        `${name}: unknown key "${key}" (known: ${[...SCENARIO_KEYS].join(', ')})`,
      );
    }
  }
  const scenario: {
    -readonly [K in keyof CallScenarioFile]: CallScenarioFile[K];
  } = {};
  if (record['caller'] !== undefined) scenario.caller = text(record['caller'], `${name}: caller`);
  if (record['callee'] !== undefined) scenario.callee = text(record['callee'], `${name}: callee`);
  if (record['hangupCause'] !== undefined) {
    scenario.hangupCause = text(record['hangupCause'], `${name}: hangupCause`);
  }
  if (record['digits'] !== undefined) {
    const digits = record['digits'];
    const list = Array.isArray(digits) ? digits : [digits];
    scenario.digits = list.map((entry, i) => text(entry, `${name}: digits[${i}]`));
  }
  if (record['targets'] !== undefined) {
    const targets = record['targets'];
    if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) {
      throw new TypeError(
        `${name}: targets maps each target to busy, no-answer or { answerAfterSeconds }`,
      );
    }
    scenario.targets = Object.fromEntries(
      Object.entries(targets).map(([target, does]) => [
        target,
        targetBehaviour(does, `${name}: targets.${target}`),
      ]),
    );
  }
  if (record['talkSeconds'] !== undefined) {
    scenario.talkSeconds = seconds0(record['talkSeconds'], `${name}: talkSeconds`);
  }
  if (record['hangupAfterSeconds'] !== undefined) {
    scenario.hangupAfterSeconds = seconds0(
      record['hangupAfterSeconds'],
      `${name}: hangupAfterSeconds`,
    );
  }
  if (record['options'] !== undefined) {
    const options = record['options'];
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new TypeError(`${name}: options is an object of the provider's simulate options`);
    }
    const checked: Record<string, string | number | boolean | readonly string[]> = {};
    for (const [key, value] of Object.entries(options)) {
      if (
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        (Array.isArray(value) && value.every((entry) => typeof entry === 'string'))
      ) {
        checked[key] = value as string | number | boolean | readonly string[];
      } else {
        throw new TypeError(
          `${name}: options.${key} must be a string, number, true/false or strings`,
        );
      }
    }
    scenario.options = checked;
  }
  return scenario;
}

/**
 * The `CallOptions` of a scenario file's call: `caller` → `from`, `callee` → `to`, `digits`,
 * `hangupCause`, and the call plan (`targets`, `talkSeconds`, `hangupAfterSeconds`) as they
 * are. The file's `options` (the CLI's own options of one provider) have no kit equivalent
 * and are left out.
 *
 * @param file - a path to a `.json`, `.yaml` or `.yml` file, or a scenario's text (JSON or YAML
 *   with a line break)
 * @throws {TypeError} for a file that is not a scenario (names the key), see `parseCallScenario`
 * @throws {Error} when the file cannot be read (`ENOENT`…)
 */
export function loadCallScenario(file: string): CallOptions {
  const inline = file.includes('\n') || file.trimStart().startsWith('{');
  const scenario: CallScenarioFile = parseCallScenario(
    inline ? file : readFileSync(file, 'utf8'),
    inline ? 'scenario' : file,
  );
  return {
    ...(scenario.caller === undefined ? {} : { from: scenario.caller }),
    ...(scenario.callee === undefined ? {} : { to: scenario.callee }),
    ...(scenario.digits === undefined ? {} : { digits: scenario.digits }),
    ...(scenario.hangupCause === undefined ? {} : { hangupCause: scenario.hangupCause }),
    ...(scenario.targets === undefined ? {} : { targets: scenario.targets }),
    ...(scenario.talkSeconds === undefined ? {} : { talkSeconds: scenario.talkSeconds }),
    ...(scenario.hangupAfterSeconds === undefined
      ? {}
      : { hangupAfterSeconds: scenario.hangupAfterSeconds }),
  };
}
