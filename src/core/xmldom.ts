/**
 * `@xmldom/xmldom` (the strict XML parser of the answer validator, the Ozeki API client and the
 * test kit), loaded on first use: importing the package root does not load it (8 modules, about
 * 3 MB of RSS), an app pays for it when it first parses an XML document with it.
 *
 * @module
 */
import type * as XmlDom from '@xmldom/xmldom';

let loaded: typeof XmlDom | undefined;

/**
 * The `@xmldom/xmldom` module (`DOMParser`, …), required the first time it is asked for and the
 * same module object afterwards. Throws only what `require` throws (the package is a dependency).
 */
export function xmldom(): typeof XmlDom {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('@xmldom/xmldom') as typeof XmlDom);
}
