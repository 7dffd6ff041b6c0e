/**
 * fast-check arbitraries shared by the property tests: hostile strings, bodies, content types,
 * query strings and numbers, and an independent check of what XML 1.0 can carry.
 */
import fc from 'fast-check';
import type { RequestFixture } from '../helpers/fixtures';

/** Fragments that have broken XML writers and form decoders before. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  ']]>',
  ']]',
  '</Number><Hangup/>',
  '<Hangup/>',
  '&lt;',
  '&amp;',
  '&#13;',
  '&#x0;',
  '&#60;',
  '&foo;',
  '&',
  '<',
  '>',
  '"',
  "'",
  '<![CDATA[x]]>',
  '<!-- c -->',
  '<?xml version="1.0"?>',
  '\r\n',
  '\r',
  '\n',
  '\t',
  ' ',
  '\u0000',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u001F',
  '\u007F',
  '\u0085',
  '\u00A0',
  '\u2028',
  '\u2029',
  '\uFEFF',
  '\uFFFD',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDBFF',
  '\uDFFF',
  '\uD83D\uDE00',
  '\uDE00\uD83D',
  'e\u0301',
  '%',
  '%ZZ',
  '%C3%28',
  '%00',
  '%0D%0A',
  '%EF%BF%BE',
  '%ED%A0%80',
  '+',
  '=',
  '&=&',
  '__proto__',
  'constructor',
  '${x}',
  '\\',
];

/** Any single UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/**
 * Strings of every kind: graphemes, any code point, any code unit (lone surrogates), and
 * concatenations of {@link HOSTILE_FRAGMENTS} with printable text.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: codeUnit }),
  fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), fc.string({ unit: 'grapheme-ascii' })), {
      maxLength: 8,
    })
    .map((parts) => parts.join('')),
);

/** Whether XML 1.0 can carry every character of `value` (its `Char` production), by code unit. */
export function xmlCarriable(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const unit = value.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return false;
    const ok =
      unit === 0x9 ||
      unit === 0xa ||
      unit === 0xd ||
      (unit >= 0x20 && unit <= 0xd7ff) ||
      (unit >= 0xe000 && unit <= 0xfffd);
    if (!ok) return false;
  }
  return true;
}

/** A string a builder taking free text must accept: not blank, and carriable by XML. */
export function acceptableText(value: string): boolean {
  return value.trim() !== '' && xmlCarriable(value);
}

/** Numbers that break naive validation: NaN, ±0, ±Infinity, huge, tiny, fractions. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    -0,
    0,
    1,
    -1,
    0.5,
    1.5,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    Number.MIN_SAFE_INTEGER,
    2 ** 53 + 2,
    1e21,
    -1e21,
    1e-7,
    59.999999,
    3600,
    3601,
    300,
    301,
  ),
  fc.integer({ min: -10, max: 4000 }),
  fc.integer(),
  fc.double(),
);

/**
 * Form-encoded text built from hostile keys and values: `__proto__`/`constructor` keys, overlong
 * keys, percent-encoding garbage, repeated keys, lone `&` and `=`.
 */
export function formText(knownKeys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...knownKeys),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
    fc.constantFrom('%', '%ZZ', '%C3%28', '%5F_proto__', '', '+', '%00'),
    fc.nat({ max: 3 }).map((n) => 'k'.repeat(4096 * (n + 1))),
    hostileString,
  );
  const value = fc.oneof(
    fc.constantFrom('', '%', '%ZZ', '%C3%28', '%E2%82', '%00', '%0D%0A', '+1234', 'null'),
    hostileString,
    fc.constantFrom('IncomingCall', 'HungUp', 'CALLING', 'ANSWER', 'IN', 'OUT', '38', '-1'),
  );
  return fc
    .array(
      fc.oneof(
        fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
        fc
          .tuple(key, value)
          .map(([k, v]) => `${encodeURIComponentLoose(k)}=${encodeURIComponentLoose(v)}`),
        fc.constantFrom('', '=', '&', '=='),
        key,
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('&'));
}

/** `encodeURIComponent`, but a lone surrogate (which it refuses) is kept as it is. */
function encodeURIComponentLoose(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A byte edit of a body. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly byte: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly separator: string }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number };

/** Random byte edits: flips, truncations, duplications, insertions of hostile text, deletions. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('duplicate' as const),
      separator: fc.constantFrom('', '&', ',', '\n'),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), hostileString),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 16 }),
    }),
  ),
  { minLength: 1, maxLength: 5 },
);

/** Applies `edits` to `body` in order. */
export function mutate(body: Buffer, edits: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(body);
  for (const edit of edits) {
    const at =
      bytes.length === 0 ? 0 : edit.kind === 'duplicate' ? 0 : edit.at % (bytes.length + 1);
    switch (edit.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at % bytes.length] = edit.byte;
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'duplicate':
        bytes = Buffer.concat([bytes, Buffer.from(edit.separator), bytes]);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(edit.text), bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
        break;
    }
  }
  return bytes;
}

/** Content types a client might send: the right ones, wrong ones, odd charsets, garbage. */
export const contentTypes: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    undefined,
    '',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'application/x-www-form-urlencoded; charset="utf-8"',
    'application/x-www-form-urlencoded; charset=latin1',
    'application/x-www-form-urlencoded; charset=utf-16',
    'application/x-www-form-urlencoded; charset=',
    'APPLICATION/X-WWW-FORM-URLENCODED',
    'application/x-www-form-urlencoded;;',
    'application/x-www-form-urlencoded; charset=utf-8; charset=latin1',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=us-ascii',
    'application/json; charset=iso-8859-1',
    'application/JSON',
    'application/json;',
    'text/plain',
    'text/xml; charset=utf-8',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    '*/*',
    '/',
    ';',
    'application/',
    'application/json; foo',
    'application/json; charset=utf-8 extra',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
);

/** Printable query strings: hostile keys and values, percent garbage, stray separators. */
export function queryString(knownKeys: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(''),
    formText(knownKeys),
    fc.string({ unit: codeUnit, maxLength: 40 }),
    fc.constantFrom('%', '%ZZ', '%C3%28', '&&&', '===', '?', '#', 'a=%', 'a=1&a=2', '__proto__=1'),
  );
}

/** JSON nested `depth` levels deep, as objects (`{"a":…}`) or arrays (`[…]`). */
export function deepJson(depth: number, arrays: boolean, inner = '1'): string {
  return arrays
    ? '['.repeat(depth) + inner + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}

/** A fixture's request split into its parts (its path may carry a query). */
export function partsOf(fixture: RequestFixture): { path: string; query: string; body: Buffer } {
  const at = fixture.path.indexOf('?');
  return {
    path: at === -1 ? fixture.path : fixture.path.slice(0, at),
    query: at === -1 ? '' : fixture.path.slice(at + 1),
    body: Buffer.from(fixture.body ?? '', 'utf8'),
  };
}
