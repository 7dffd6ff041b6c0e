/**
 * The package root loads its heavy dependencies only when they are used: `@xmldom/xmldom` when
 * an XML document is first parsed (the answer validator, the Ozeki API client, the test kit),
 * `libphonenumber-js` when a number or a country is first checked (neutral flows), `raw-body`
 * (and iconv-lite) when a Node stream without an announced length is first read. Importing the
 * root costs every process that does it, whether it uses them or not (docs/performance.md).
 *
 * A fresh `node` requires the root from the TypeScript sources (each module transpiled on
 * require, so the test checks the sources as they are, without a build) and reports which of
 * them are in `require.cache`: none after the import, each after its first use.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { TS_REQUIRE_HOOK } from '../helpers/ts-require-hook';

const ROOT = resolve(__dirname, '../..');

/** The lazily loaded packages: name → the folder its files are under in `node_modules`. */
const LAZY = {
  xmldom: '/node_modules/@xmldom/xmldom/',
  libphonenumber: '/node_modules/libphonenumber-js/',
  rawBody: '/node_modules/raw-body/',
  iconvLite: '/node_modules/iconv-lite/',
} as const;

type Loaded = Record<keyof typeof LAZY, boolean>;

interface Report {
  readonly afterImport: Loaded;
  readonly afterValidate: Loaded;
  readonly afterNumber: Loaded;
  readonly afterRead: Loaded;
  readonly results: {
    readonly valid: boolean;
    readonly e164: string | undefined;
    readonly body: string;
  };
}

const CHILD = `${TS_REQUIRE_HOOK}
const { Readable } = require('node:stream');
const lazy = ${JSON.stringify(LAZY)};
const loaded = () =>
  Object.fromEntries(
    Object.entries(lazy).map(([name, folder]) => [
      name,
      Object.keys(require.cache).some((file) => file.split('\\\\').join('/').includes(folder)),
    ]),
  );
(async () => {
  const root = require(${JSON.stringify(resolve(ROOT, 'src/index.ts'))});
  const afterImport = loaded();
  const valid = root.validateAnswer(
    'placetel',
    '<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy"/></Response>',
  ).valid;
  const afterValidate = loaded();
  const e164 = root.flowNumber('022129191999', 'DE').e164;
  const afterNumber = loaded();
  const { readBounded } = require(${JSON.stringify(resolve(ROOT, 'src/core/bounded-read.ts'))});
  const body = (await readBounded(Readable.from([Buffer.from('a=1')]), { limitBytes: 10 })).toString();
  const afterRead = loaded();
  process.stdout.write(
    JSON.stringify({ afterImport, afterValidate, afterNumber, afterRead, results: { valid, e164, body } }),
  );
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

let report: Report;

beforeAll(() => {
  const child = spawnSync(process.execPath, ['-e', CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (child.status !== 0) {
    throw new Error(`the child failed (${String(child.status ?? child.signal)}):\n${child.stderr}`);
  }
  report = JSON.parse(child.stdout) as Report;
}, 150_000);

test('importing the package root loads none of them', () => {
  expect(report.afterImport).toEqual({
    xmldom: false,
    libphonenumber: false,
    rawBody: false,
    iconvLite: false,
  });
});

test('validating an answer loads @xmldom/xmldom (and only it)', () => {
  expect(report.results.valid).toBe(true);
  expect(report.afterValidate).toEqual({
    xmldom: true,
    libphonenumber: false,
    rawBody: false,
    iconvLite: false,
  });
});

test('normalizing a number loads libphonenumber-js', () => {
  expect(report.results.e164).toBe('+4922129191999');
  expect(report.afterNumber.libphonenumber).toBe(true);
  expect(report.afterNumber.rawBody).toBe(false);
});

test('reading a Node stream without an announced length loads raw-body', () => {
  expect(report.results.body).toBe('a=1');
  expect(report.afterRead.rawBody).toBe(true);
  expect(report.afterRead.iconvLite).toBe(true);
});
