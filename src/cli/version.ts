/**
 * The version of the installed callcontrol, for `callcontrol --version`.
 *
 * Read at run time from the package's own package.json, found by walking up from this file:
 * `lib/cli.js` in the published package (package.json one level up), `dist/src/cli/` in a
 * checkout's `npm run build`, `src/cli/` under ts-jest. The first package.json named
 * `callcontrol` wins, so a project that installs callcontrol never reports its own version.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The `name` of callcontrol's package.json. */
const PACKAGE_NAME = 'callcontrol';

/**
 * The `version` of the nearest package.json named `callcontrol` at or above `start` (default:
 * this file's directory).
 *
 * @throws {Error} when no such package.json is found, or it has no version string
 */
export function packageVersion(start: string = __dirname): string {
  for (let dir = start; ;) {
    const file = join(dir, 'package.json');
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No package.json here: go up.
    }
    if (text !== undefined) {
      const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME) {
        if (typeof pkg.version !== 'string' || pkg.version === '') {
          throw new Error(`${file} has no version`);
        }
        return pkg.version;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json named ${PACKAGE_NAME} at or above ${start}`);
    }
    dir = parent;
  }
}
