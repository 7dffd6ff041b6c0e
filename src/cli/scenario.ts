/**
 * `--scenario <file>` of `callcontrol simulate`: a scenario file (JSON or YAML, see
 * `CallScenarioFile` in `src/testing/scenario-file.ts`) read into the run's options, under the
 * options given on the command line (a flag given wins over the file).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import type { SimulateArguments } from '../providers/plugin';
import { parseCallScenario } from '../testing/scenario-file';

/** `call-id` or `--call-id` → `callId`. */
function camel(name: string): string {
  return name.replace(/^-+/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The option of `command` with this commander key, if it has one. */
function optionOf(command: Command, key: string): Option | undefined {
  return command.options.find((option) => option.attributeName() === key);
}

/**
 * `value` as `option` takes it: a whole number for an option declared `wholeNumber` (`parse`
 * says which), `true` for a flag, strings for a variadic option, else one string.
 * @throws {TypeError} naming the option for a value it cannot take
 */
function converted(
  option: Option,
  value: string | number | boolean | readonly string[],
  wholeNumber: boolean,
  name: string,
): string | number | boolean | readonly string[] | undefined {
  const flag = !option.required && !option.optional;
  if (flag) {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return undefined;
    throw new TypeError(`${name}: ${option.long ?? option.flags} is a flag: true or false`);
  }
  if (option.variadic) {
    const list = Array.isArray(value) ? value : [value];
    return list.map(String);
  }
  if (Array.isArray(value) && value.length === 1) value = String(value[0]);
  if (Array.isArray(value)) {
    throw new TypeError(`${name}: ${option.long ?? option.flags} takes one value, not a list`);
  }
  if (wholeNumber) {
    const text = String(value);
    if (!/^\d+$/.test(text)) {
      throw new TypeError(`${name}: ${option.long ?? option.flags} must be a whole number`);
    }
    return Number(text);
  }
  return String(value);
}

/**
 * The options of a `simulate` run with the scenario file `file` read into them: `caller` →
 * `--from`, `callee` → `--to`, `digits` → `--digits`, `hangupCause` → `--hangup-cause`,
 * `options.<name>` → `--<name>`, each only where the command line did not give it; the call
 * plan (`targets`, `talkSeconds`, `hangupAfterSeconds`) as it is.
 *
 * @param wholeNumbers - the commander keys of the options that take whole numbers
 * @throws {TypeError} for a file that cannot be read or is not a scenario, or that gives an
 *   option this provider's command does not have (the message names the file and the key)
 */
export function withScenarioFile(
  command: Command,
  options: SimulateArguments,
  file: string,
  wholeNumbers: ReadonlySet<string>,
): SimulateArguments {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TypeError(
      `cannot read the scenario file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  const scenario = parseCallScenario(text, file);
  const merged: Record<string, SimulateArguments[string]> = { ...options };
  const give = (
    key: string,
    value: string | number | boolean | readonly string[],
    what: string,
  ) => {
    const option = optionOf(command, key);
    if (option === undefined) {
      throw new TypeError(
        `${file}: ${what}: this simulation has no --${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} option`,
      );
    }
    if (command.getOptionValueSource(key) === 'cli') return;
    merged[key] = converted(option, value, wholeNumbers.has(key), file);
  };
  if (scenario.caller !== undefined) give('from', scenario.caller, 'caller');
  if (scenario.callee !== undefined) give('to', scenario.callee, 'callee');
  if (scenario.digits !== undefined) give('digits', scenario.digits, 'digits');
  if (scenario.hangupCause !== undefined) give('hangupCause', scenario.hangupCause, 'hangupCause');
  for (const [name, value] of Object.entries(scenario.options ?? {})) {
    const key = camel(name);
    if (key === 'scenario' || key === 'json' || key === 'verbose') {
      throw new TypeError(`${file}: options.${name} is not a scenario option`);
    }
    give(key, value, `options.${name}`);
  }
  if (scenario.targets !== undefined) merged['targets'] = scenario.targets;
  if (scenario.talkSeconds !== undefined) merged['talkSeconds'] = scenario.talkSeconds;
  if (scenario.hangupAfterSeconds !== undefined) {
    merged['hangupAfterSeconds'] = scenario.hangupAfterSeconds;
  }
  return merged;
}
