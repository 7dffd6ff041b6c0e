/**
 * Loading a scenario file (JSON or YAML, see `CallScenarioFile`) as the test kit's
 * `CallOptions`, so that a test plays the same call as
 * `callcontrol simulate <provider> <url> --scenario <file>`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseCallScenario, type CallScenarioFile } from './transcript';
import type { CallOptions } from './types';

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
