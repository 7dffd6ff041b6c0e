/**
 * Every relative link of `README.md` and `docs/*.md` resolves: the file (or folder) it names
 * exists, and an `#anchor` names a heading of the target Markdown file under GitHub's rules for
 * heading anchors (or an explicit `<a id>`/`<a name>`). Links with a scheme (`https:`,
 * `mailto:`) are not followed. Anchors into `docs/providers/` (the provider references, kept by
 * their own authors) are not checked; their files are.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { markdownFiles, ROOT } from './snippets';

/**
 * The anchor GitHub gives a heading: the rendered text, lower-cased, without every character
 * that is not a letter, mark, digit, connector (`_`), space or hyphen, each space a hyphen
 * (github-slugger, which github.com follows). Duplicates are numbered by {@link anchorsOf}.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/(^|\W)(\*{1,3}|_{1,3})(?=\S)([\s\S]*?\S)\2(?=\W|$)/g, '$1$3') // emphasis
    .trim();
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The lines of a Markdown text outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fence === undefined && opening !== null) {
      fence = opening[1];
      return;
    }
    if (fence !== undefined) {
      if (new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(text)) {
        fence = undefined;
      }
      return;
    }
    lines.push({ line: index + 1, text });
  });
  return lines;
}

/** The anchors of a Markdown file: its headings' slugs (duplicates numbered) and `<a id>`s. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  // As github-slugger numbers them: `setup`, `setup-1`, `setup-2`, …
  const occurrences = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(text);
    if (heading !== null) {
      const base = githubSlug(heading[1] ?? '');
      let slug = base;
      while (occurrences.has(slug)) {
        const count = (occurrences.get(base) ?? 0) + 1;
        occurrences.set(base, count);
        slug = `${base}-${count}`;
      }
      occurrences.set(slug, 0);
      anchors.add(slug);
    }
    for (const match of text.matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g)) {
      anchors.add(match[1] ?? '');
    }
  }
  return anchors;
}

/** The link targets of a Markdown text (inline links, images, reference definitions). */
export function linksOf(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { line, text } of proseLines(markdown)) {
    // Code spans hold no links: `[a](b)` in backticks is text.
    const prose = text.replace(/``[^`]*``|`[^`]*`/g, (span) => ' '.repeat(span.length));
    for (const match of prose.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: (match[1] ?? '').replace(/^<|>$/g, '') });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition !== null) {
      links.push({ line, target: (definition[1] ?? '').replace(/^<|>$/g, '') });
    }
  }
  return links;
}

/** The problems of one Markdown file's relative links, as `file:line: target: why` lines. */
export function brokenLinks(markdownFile: string): string[] {
  const source = resolve(ROOT, markdownFile);
  const markdown = readFileSync(source, 'utf8');
  const problems: string[] = [];
  for (const { line, target } of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
    const hashAt = target.indexOf('#');
    const path = decodeURIComponent(hashAt === -1 ? target : target.slice(0, hashAt));
    const anchor = hashAt === -1 ? undefined : decodeURIComponent(target.slice(hashAt + 1));
    const file = path === '' ? source : resolve(dirname(source), path.replace(/\?.*$/, ''));
    const where = `${markdownFile}:${line}: ${target}`;
    if (!file.startsWith(`${ROOT}/`) && file !== ROOT) {
      problems.push(`${where}: points outside the repository`);
      continue;
    }
    if (!existsSync(file)) {
      problems.push(`${where}: ${relative(ROOT, file)} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (relative(ROOT, file).startsWith('docs/providers/')) continue;
    if (statSync(file).isDirectory() || !file.endsWith('.md')) {
      if (!/^L\d+(?:-L\d+)?$/.test(anchor)) {
        problems.push(
          `${where}: #${anchor} can only be a line anchor (#L12) in a file that is not Markdown`,
        );
      }
      continue;
    }
    if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
      problems.push(`${where}: ${relative(ROOT, file)} has no heading with the anchor #${anchor}`);
    }
  }
  return problems;
}

describe('GitHub heading anchors', () => {
  test.each([
    ['Security options of every provider', 'security-options-of-every-provider'],
    ['4PSA VoipNow', '4psa-voipnow'],
    ['Answers (Call Interactive)', 'answers-call-interactive'],
    ['`callcontrol/testing`', 'callcontroltesting'],
    ['Express 4 and 5', 'express-4-and-5'],
    ['Fetch API: Next.js, Hono, Bun, Deno', 'fetch-api-nextjs-hono-bun-deno'],
    ['What can still be a 5xx', 'what-can-still-be-a-5xx'],
    ['Per-call sessions', 'per-call-sessions'],
    ['A – B', 'a--b'],
    ['snake_case and **bold**', 'snake_case-and-bold'],
    ['[Linked](other.md) heading', 'linked-heading'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  test('repeated headings are numbered, headings in code blocks are not headings', () => {
    const anchors = anchorsOf(
      '# Top\n\n## Setup\n\n```sh\n# not a heading\n```\n\n## Setup\n\n## Setup\n<a id="custom"></a>\n',
    );
    expect([...anchors]).toEqual(['top', 'setup', 'setup-1', 'setup-2', 'custom']);
  });

  test('links in code spans and code blocks are not links', () => {
    expect(
      linksOf('see [a](b.md#c) and `[x](y.md)`\n\n```md\n[p](q.md)\n```\n[r]: s.md\n'),
    ).toEqual([
      { line: 1, target: 'b.md#c' },
      { line: 6, target: 's.md' },
    ]);
  });
});

describe('relative links of the README and docs/*.md resolve', () => {
  test.each(markdownFiles())('%s', (markdownFile) => {
    expect(brokenLinks(markdownFile)).toEqual([]);
  });
});
