/**
 * Every section the repository cites in a provider reference (`docs/providers/<provider>.md`)
 * exists there, and nothing in the repository reads files outside the checkout.
 *
 * **Where citations are collected.** The text of every file under `src/`, `test/`,
 * `examples/` and `docs/` (the references themselves included, for their cross references;
 * `docs/api/`, the generated API reference, and this file excluded), `README.md` and
 * `CHANGELOG.md`; and every `spec`/`specFile` string of the validator's rule tables
 * (`PROVIDER_RULES` of `src/validate`, walked at run time, which resolves the `at('Say')`-style
 * helpers the source text cannot). In the source text, regex escapes (`\/`, `\.`, `\(`…) are
 * undone first, and `${FILE}` is replaced by the file's `const FILE = '…'`.
 *
 * **What a citation is.** A `§` followed by a section number (`§3`, `§3.3`, `§0`), or a mention
 * of a reference file: `docs/providers/<provider>.md`, or a bare `<provider>.md` for one of the
 * four providers (not `docs/<provider>.md`, the setup guides). A mentioned file must exist. The
 * file a `§` cites is, first rule that applies:
 * 1. none, when `RFC nnnn` or a URL stands right before it (`RFC 7617 §2`, the XML 1.0 spec);
 * 2. the reference file named last before it on the same line (`docs/providers/ozeki.md §3.1,
 *    §4`, `placetel.md §3.3, §8.6`);
 * 3. the file's own provider, for files of one provider: `src/providers/<p>/`,
 *    `test/providers/<p>/`, `test/conformance/<p>-*`,
 *    `test/types/<p>.types.ts`, `test/data/providers/<p>.json`, `examples/<p>/`,
 *    `docs/providers/<p>.md` (so "spec §5.5" in `src/providers/ozeki/` cites `ozeki.md`);
 * 4. elsewhere, the provider named last before it on the same line ("Placetel spec §1",
 *    "spec ozeki §1", "an Ozeki doc bug, spec §7.9");
 * 5. elsewhere, the provider named by the innermost enclosing `describe('…')` (by indentation)
 *    or Markdown heading (by level) that names one.
 *
 * A `§` none of these resolves is reported as a citation without a file.
 *
 * **When a section exists.** Section `N` (or `N.M`, `N.M.K`) exists when the file has a heading
 * `#… N. Title` or `#… N Title` (outside code blocks); failing that, `N.M` also exists as the
 * numbered list entry `M. …` (at the start of a line) directly in the section of heading `N` —
 * how the ambiguities of each reference are numbered (`placetel.md §8.6`).
 *
 * **When a title matches.** A citation written as `<file> §N Title` (the path written plainly,
 * directly before the `§`: the validator's format, e.g. `docs/providers/placetel.md §3.3 Other
 * actions`) gives a title: the text after the number up to `;`, a quote or backtick, an
 * unbalanced `)` or the end of the line. A bare `§N "Title"` (a double-quoted phrase right after
 * the number, as in `spec §1 "Signature"`) gives one too. Titles with `${` (template
 * placeholders) are not checked. Compared ignoring case, backticks and `**`, a title matches when
 * - the heading's title starts with it (`§3 XML response` → `## 3. XML response (call control…)`);
 * - or it starts with the heading's title, or with that title less a trailing `(…)`, and the rest
 *   (without its parentheses) is found in the section (`§2 Call Interactive (Response verbs)`,
 *   `§3.3 Per-element notes and verbatim-shaped examples <Callback>`);
 * - or it names an element (`<Say>`, `<Pause/>`) found in the section (a row of a verb table);
 * - for a quoted title: when it is found in the section.
 *
 * All citations that do not resolve are listed in one failure message.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROVIDER_NAMES, type ProviderName } from '../../src/providers/registry';
import { PROVIDER_RULES } from '../../src/validate';
import { ROOT } from './snippets';

const PROVIDERS = PROVIDER_NAMES;
type Provider = ProviderName;
/** The registered providers' names as a regular-expression alternation. */
const NAMES = PROVIDER_NAMES.join('|');

const SELF = relative(ROOT, __filename).split('\\').join('/');
const TEXT_FILE = /\.(?:[cm]?[jt]sx?|md|json)$/;

/** One citation: where it was found, the file and section it cites, and the title it gives. */
interface Citation {
  readonly where: string;
  readonly text: string;
  readonly file: string;
  readonly section?: string | undefined;
  readonly title?: string | undefined;
  /** The title was quoted in prose (`§1 "Signature"`): it must be found in the section. */
  readonly quoted?: boolean;
}

/** Files below `dir` (relative to the root), skipping generated and dependency folders. */
function walk(dir: string): string[] {
  const absolute = join(ROOT, dir);
  if (!existsSync(absolute)) return [];
  if (statSync(absolute).isFile()) return [dir];
  const files: string[] = [];
  for (const name of readdirSync(absolute).sort()) {
    const path = `${dir}/${name}`;
    if (name === 'node_modules' || path === 'docs/api') continue;
    if (statSync(join(ROOT, path)).isDirectory()) files.push(...walk(path));
    else if (TEXT_FILE.test(name)) files.push(path);
  }
  return files;
}

const isProvider = (name: string | undefined): name is Provider =>
  (PROVIDERS as readonly (string | undefined)[]).includes(name);

/** The provider a file belongs to, by its path (rule 3). */
function ownProvider(path: string): Provider | undefined {
  const name = [
    /^(?:src\/providers|test\/providers|examples)\/(\w+)\//,
    /^test\/conformance\/(\w+)-/,
    /^test\/types\/(\w+)\.types\.ts$/,
    /^test\/data\/providers\/(\w+)\.json$/,
    /^docs\/providers\/(\w+)\.md$/,
  ]
    .map((pattern) => pattern.exec(path)?.[1])
    .find((found) => found !== undefined);
  return isProvider(name) ? name : undefined;
}

const referenceFile = (provider: string): string => `docs/providers/${provider}.md`;

/** The provider a piece of text names, the last one when it names several. */
function lastProviderNamed(text: string): Provider | undefined {
  const names = text.toLowerCase().match(new RegExp(`\\b(?:${NAMES})\\b`, 'g')) ?? [];
  const last = names[names.length - 1];
  return isProvider(last) ? last : undefined;
}

/**
 * A title written after a plain `<file> §N `: up to `;`, a quote or backtick, an unbalanced `)`
 * or the end of the line.
 */
function titleAt(line: string, start: number): string | undefined {
  let depth = 0;
  let end = start;
  for (; end < line.length; end++) {
    const char = line[end];
    if (char === ';' || char === "'" || char === '"' || char === '`') break;
    if (char === '(') depth++;
    if (char === ')' && depth-- === 0) break;
  }
  const title = line.slice(start, end).trim();
  return title === '' ? undefined : title;
}

/**
 * Tokens of a line: a reference file (`docs/providers/x.md`, or `placetel.md` not preceded by a
 * path), a provider's name, or a section number (`§3.3`).
 */
const TOKEN = new RegExp(
  `(?<path>docs\\/providers\\/(?<any>[\\w<>-]+)\\.md|(?<![\\w./-])(?<short>${NAMES})\\.md)|(?<name>\\b(?:${NAMES})\\b)|§(?<number>\\d+(?:\\.\\d+)*)`,
  'gi',
);

/** The citations in the source text of one file, and the `§`s no rule resolves. */
function citationsInFile(path: string): { citations: Citation[]; unresolved: string[] } {
  let text = readFileSync(join(ROOT, path), 'utf8').replace(/\\([/.()[\]])/g, '$1');
  const constant = /const FILE = '([^']+)'/.exec(text)?.[1];
  if (constant !== undefined) text = text.split('${FILE}').join(constant);
  const own = ownProvider(path);
  const markdown = path.endsWith('.md');
  const citations: Citation[] = [];
  const unresolved: string[] = [];
  /** The enclosing `describe` blocks or headings: their level and the provider they name. */
  const scopes: { level: number; provider: Provider | undefined }[] = [];

  text.split('\n').forEach((line, index) => {
    const where = `${path}:${index + 1}`;
    const opened = markdown
      ? /^(#{1,6})\s(.*)$/.exec(line)
      : /^(\s*)describe\(\s*['"`](.*?)['"`]/.exec(line);
    if (opened) {
      const level = (opened[1] ?? '').length;
      while ((scopes[scopes.length - 1]?.level ?? -1) >= level) scopes.pop();
      scopes.push({ level, provider: lastProviderNamed(opened[2] ?? '') });
    }

    let lastPath: { file: string; end: number } | undefined;
    let lastName: Provider | undefined;
    for (const match of line.matchAll(TOKEN)) {
      const { path: mention, any, short, name, number } = match.groups ?? {};
      const at = match.index;
      if (mention !== undefined) {
        const provider = (any ?? short ?? '').toLowerCase();
        if (provider.includes('<')) continue; // `docs/providers/<provider>.md`: a placeholder
        lastPath = { file: referenceFile(provider), end: at + mention.length };
        citations.push({ where, text: mention, file: lastPath.file });
        continue;
      }
      if (name !== undefined) {
        lastName = lastProviderNamed(name);
        continue;
      }
      if (number === undefined) continue;
      if (/(?:\bRFC \d+|https?:\/\/\S+)\s*$/.test(line.slice(0, at))) continue; // rule 1
      const enclosing = [...scopes].reverse().find((scope) => scope.provider)?.provider;
      const named = own ?? lastName ?? enclosing;
      const file = lastPath?.file ?? (named ? referenceFile(named) : undefined);
      if (file === undefined) {
        unresolved.push(`${where}: ${line.trim()}`);
        continue;
      }
      const afterNumber = at + match[0].length;
      const full = lastPath !== undefined && lastPath.end + 1 === at && line[lastPath.end] === ' ';
      let title: string | undefined;
      let quoted = false;
      if (full) {
        if (line[afterNumber] === ' ') title = titleAt(line, afterNumber + 1);
      } else {
        title = /^ "([^"]+)"/.exec(line.slice(afterNumber))?.[1];
        quoted = title !== undefined;
      }
      if (title?.includes('${')) title = undefined;
      citations.push({
        where,
        text: `${full ? `${file} ` : ''}§${number}${title ? ` ${title}` : ''}`,
        file,
        section: number,
        title,
        quoted,
      });
    }
  });
  return { citations, unresolved };
}

/** Every `spec` / `specFile` string of the validator's rule tables. */
function ruleTableSpecs(): string[] {
  const specs = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    for (const [key, child] of Object.entries(value)) {
      if ((key === 'spec' || key === 'specFile') && typeof child === 'string') specs.add(child);
      else visit(child);
    }
  };
  visit(PROVIDER_RULES);
  return [...specs];
}

/** Parses a rule-table spec string, `<file> §N Title; <file> §M`, or says why it cannot. */
function citationsInSpec(spec: string): Citation[] | string {
  const where = `PROVIDER_RULES "${spec}"`;
  const citations: Citation[] = [];
  for (const part of spec.split('; ')) {
    const match = /^(docs\/providers\/[\w-]+\.md)(?: §(\d+(?:\.\d+)*)(?: (.+))?)?$/.exec(part);
    if (!match?.[1]) return `${where}: cannot read "${part}" as docs/providers/<p>.md §N Title`;
    citations.push({ where, text: part, file: match[1], section: match[2], title: match[3] });
  }
  return citations;
}

// ---------------------------------------------------------------------------------------------
// The reference files' sections
// ---------------------------------------------------------------------------------------------

/** One section of a reference file: its title and its whole text, both normalized. */
interface Section {
  readonly title: string;
  readonly text: string;
}

const normalize = (text: string): string =>
  text
    .replace(/`|\*\*/g, '')
    .replace(/\\\|/g, '|')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** The sections of a Markdown file by number: its numbered headings and numbered list entries. */
function sectionsOf(markdown: string): Map<string, Section> {
  const lines = markdown.split('\n');
  const sections = new Map<string, Section>();
  const headings: { line: number; level: number; number: string | undefined; title: string }[] = [];
  let fence = false;
  lines.forEach((line, index) => {
    if (line.startsWith('```')) fence = !fence;
    const heading = fence ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (!heading) return;
    const text = heading[2] ?? '';
    const numbered = /^(\d+(?:\.\d+)*)\.?\s+(.*)$/.exec(text);
    headings.push({
      line: index,
      level: (heading[1] ?? '').length,
      number: numbered?.[1],
      title: numbered?.[2] ?? text,
    });
  });

  headings.forEach((heading, i) => {
    const number = heading.number;
    if (number === undefined) return;
    const next = headings.slice(i + 1).find((other) => other.level <= heading.level);
    const body = lines.slice(heading.line, next?.line ?? lines.length).join('\n');
    sections.set(number, { title: normalize(heading.title), text: normalize(body) });

    // The numbered list entries directly in this section (before its first sub-heading).
    const entries: { number: string; lines: string[] }[] = [];
    let open = false;
    for (const line of lines.slice(heading.line + 1, headings[i + 1]?.line ?? lines.length)) {
      const item = /^(\d+)\.\s+(.*)$/.exec(line);
      const current = entries[entries.length - 1];
      if (item) {
        entries.push({ number: item[1] ?? '', lines: [item[2] ?? ''] });
        open = true;
      } else if (open && current && /^\s+\S/.test(line)) current.lines.push(line);
      else if (line.trim() !== '') open = false;
    }
    for (const entry of entries) {
      const key = `${number}.${entry.number}`;
      const text = normalize(entry.lines.join('\n'));
      if (!sections.has(key)) sections.set(key, { title: text, text });
    }
  });
  return sections;
}

/** Whether a cited title matches the section (see the docstring). */
function titleMatches(cited: string, quoted: boolean, section: Section): boolean {
  const title = normalize(cited);
  if (quoted) return section.text.includes(title);
  if (section.title === title) return true;
  if (section.title.startsWith(title) && /^[\s(:,.—-]/.test(section.title.slice(title.length))) {
    return true;
  }
  for (const heading of [section.title, section.title.replace(/\s*\(.*\)$/, '')]) {
    if (heading !== '' && title.startsWith(heading) && title.length > heading.length) {
      const rest = title
        .slice(heading.length)
        .trim()
        .replace(/^\((.*)\)$/, '$1');
      if (rest !== '' && section.text.includes(rest)) return true;
    }
  }
  return title.startsWith('<') && section.text.includes(title);
}

const sectionCache = new Map<string, Map<string, Section>>();

/** The sections of a reference file, or undefined when it does not exist. */
function sectionsOfFile(file: string): Map<string, Section> | undefined {
  const cached = sectionCache.get(file);
  if (cached !== undefined) return cached;
  if (!existsSync(join(ROOT, file))) return undefined;
  const parsed = sectionsOf(readFileSync(join(ROOT, file), 'utf8'));
  sectionCache.set(file, parsed);
  return parsed;
}

/** Why a citation does not resolve, or undefined when it does. */
function problem(citation: Citation): string | undefined {
  const sections = sectionsOfFile(citation.file);
  if (sections === undefined) return `${citation.file} does not exist`;
  if (citation.section === undefined) return undefined;
  const section = sections.get(citation.section);
  if (section === undefined) return `${citation.file} has no section ${citation.section}`;
  if (citation.title === undefined) return undefined;
  if (titleMatches(citation.title, citation.quoted ?? false, section)) return undefined;
  return `section ${citation.section} of ${citation.file} is "${section.title.slice(0, 80)}", which does not match "${citation.title}"`;
}

// ---------------------------------------------------------------------------------------------
// Collected once, checked below
// ---------------------------------------------------------------------------------------------

const SCANNED = [
  ...['src', 'test', 'examples', 'docs'].flatMap(walk),
  ...walk('README.md'),
  ...walk('CHANGELOG.md'),
].filter((path) => path !== SELF);

const fromSource = SCANNED.map(citationsInFile);
const fromRules = ruleTableSpecs().map(citationsInSpec);

const CITATIONS: Citation[] = [
  ...fromSource.flatMap((file) => file.citations),
  ...fromRules.flatMap((parsed) => (typeof parsed === 'string' ? [] : parsed)),
];
const UNREADABLE: string[] = [
  ...fromSource.flatMap((file) => file.unresolved.map((line) => `a § without a file: ${line}`)),
  ...fromRules.flatMap((parsed) => (typeof parsed === 'string' ? [parsed] : [])),
];
const OF_A_SECTION = CITATIONS.filter((citation) => citation.section !== undefined);

describe('citations of docs/providers/<provider>.md', () => {
  test('are found in the source and in the rule tables, each with its file', () => {
    expect(UNREADABLE).toEqual([]);
    // Guards against a scanner that silently finds nothing.
    expect(OF_A_SECTION.length).toBeGreaterThan(400);
    for (const provider of PROVIDERS) {
      const file = referenceFile(provider);
      expect(OF_A_SECTION.filter((citation) => citation.file === file).length).toBeGreaterThan(5);
    }
    const where = CITATIONS.map((citation) => citation.where);
    expect(where.filter((place) => place.startsWith('PROVIDER_RULES')).length).toBeGreaterThan(50);
    expect(where.filter((place) => place.startsWith('test/data/providers/')).length).toBe(
      PROVIDERS.length,
    );
  });

  test(`all ${CITATIONS.length} (${OF_A_SECTION.length} of a section) name a file and section that exist`, () => {
    const missing = CITATIONS.flatMap((citation) => {
      const why = problem(citation);
      return why === undefined ? [] : [`${citation.where}: "${citation.text}": ${why}`];
    });
    if (missing.length > 0) {
      throw new Error(`${missing.length} citations do not resolve:\n${missing.join('\n')}`);
    }
  });
});

describe('the repository reads nothing outside the checkout', () => {
  /** Code and configuration that runs at build, test or bench time (this file left out). */
  const CODE = [
    ...['src', 'test', 'examples', 'scripts', 'bench'].flatMap(walk),
    ...readdirSync(ROOT).filter(
      (name) => /\.(?:[cm]?[jt]s|json)$/.test(name) && name !== 'package-lock.json',
    ),
  ].filter((path) => path !== SELF);

  test('no file names ../shared, /work/shared or shared/specs', () => {
    const outside = /(?:\.\.\/)+shared\b|\/work\/shared\b|\bshared\/specs\b/;
    const offenders = CODE.flatMap((path) =>
      readFileSync(join(ROOT, path), 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          outside.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(CODE.length).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });
});
