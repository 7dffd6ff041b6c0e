/**
 * Decoding request bodies into flat field maps, shared by the providers.
 *
 * @module
 */
import contentType from 'content-type';
import { CallControlError } from './errors';
import type { WebhookRequest } from './types';

/** A flat map of decoded request fields; it has no prototype, so `__proto__` is just a key. */
export type FieldMap = Record<string, string>;

/** The media types a body may have, as `type/subtype` in lower case. */
export type MediaType = 'application/x-www-form-urlencoded' | 'application/json';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads `content-type` and checks it is one of `allowed` with a UTF-8 (or absent) charset.
 * Returns `undefined` for a request without a body (its content type does not matter).
 *
 * @throws {CallControlError} `CC_ERR_UNSUPPORTED_MEDIA_TYPE` (415) for any other type or charset,
 *   or a content type that cannot be parsed
 */
export function requireMediaType(
  request: WebhookRequest,
  allowed: readonly MediaType[],
): MediaType | undefined {
  // An empty body has nothing to decode, whatever a client wrote into Content-Type (supertest
  // and some HTTP clients set one on every request).
  if (request.body.length === 0) return undefined;
  const header = request.headers['content-type'];
  // The common case, a bare allowed type as providers send it, needs no parsing.
  const bare = allowed.find((candidate) => candidate === header);
  if (bare !== undefined) return bare;
  if (header === undefined || header === '') {
    throw new CallControlError(
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      `A body was sent without Content-Type; expected ${allowed.join(' or ')}`,
    );
  }
  let parsed: contentType.ParsedMediaType;
  try {
    parsed = contentType.parse(header);
  } catch {
    throw new CallControlError(
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      'The Content-Type cannot be parsed',
    );
  }
  const type = parsed.type.toLowerCase();
  const match = allowed.find((candidate) => candidate === type);
  if (match === undefined) {
    throw new CallControlError(
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type} is not accepted; expected ${allowed.join(' or ')}`,
    );
  }
  const charset = parsed.parameters['charset']?.toLowerCase();
  if (
    charset !== undefined &&
    charset !== 'utf-8' &&
    charset !== 'utf8' &&
    charset !== 'us-ascii'
  ) {
    throw new CallControlError(
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      `charset ${charset} is not accepted; expected utf-8`,
    );
  }
  return match;
}

/**
 * Decodes bytes as UTF-8, refusing invalid sequences rather than replacing them (the same rule
 * {@link decodeForm} applies to percent-encoded bytes).
 *
 * @throws {CallControlError} `CC_ERR_BODY_INVALID` (400)
 */
export function decodeUtf8(bytes: Buffer, what = 'The body'): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CallControlError('CC_ERR_BODY_INVALID', `${what} is not valid UTF-8`);
  }
}

/** Most fields a body or query may hold (413 `CC_ERR_BODY_TOO_MANY_FIELDS` above). */
export const MAX_FIELDS = 1000;

function tooManyFields(): CallControlError {
  return new CallControlError(
    'CC_ERR_BODY_TOO_MANY_FIELDS',
    `The request holds more than ${MAX_FIELDS} fields`,
  );
}

/** A `%XX` escape of a byte above 0x7F: the only escapes that can make invalid UTF-8. */
const HIGH_ESCAPE = /%[89a-f][0-9a-f]/i;

/**
 * Whether the bytes `text`'s `%XX` escapes stand for, together with its other characters
 * (UTF-8), are valid UTF-8. Checked over the whole text at once: `&`, `=` and `+` are ASCII, and
 * no valid UTF-8 sequence holds an ASCII byte, so the whole is valid exactly when every key
 * and value is.
 */
function percentEscapesAreUtf8(text: string): boolean {
  if (!HIGH_ESCAPE.test(text)) return true; // escapes of ASCII bytes only
  const input = Buffer.from(text, 'utf8');
  const bytes = Buffer.allocUnsafe(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] as number;
    if (byte === 0x25 && i + 2 < input.length) {
      const high = hexValue(input[i + 1] as number);
      const low = hexValue(input[i + 2] as number);
      if (high >= 0 && low >= 0) {
        bytes[length++] = high * 16 + low;
        i += 2;
        continue;
      }
    }
    bytes[length++] = byte;
  }
  try {
    utf8.decode(bytes.subarray(0, length));
    return true;
  } catch {
    return false;
  }
}

/** The value of one ASCII hex digit, or -1. */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Decodes an `application/x-www-form-urlencoded` string (WHATWG rules: `+` is a space,
 * `%XX` is a byte, malformed escapes such as `%ZZ` are kept as written). For a key sent more
 * than once the first value wins. Escaped bytes that are not UTF-8 (`%FF`, `%C3%28`, an
 * escaped surrogate `%ED%A0%80`) are refused, as raw bytes that are not UTF-8 are (see
 * {@link decodeUtf8}): never replaced by U+FFFD.
 *
 * @param what - what `text` is, for the error message (`'The body'`, `'The query'`)
 * @throws {CallControlError} `CC_ERR_BODY_INVALID` (400) when the escaped bytes are not valid
 *   UTF-8; `CC_ERR_BODY_TOO_MANY_FIELDS` (413) above {@link MAX_FIELDS} fields
 */
export function decodeForm(text: string, what = 'The body'): FieldMap {
  if (!percentEscapesAreUtf8(text)) {
    throw new CallControlError(
      'CC_ERR_BODY_INVALID',
      `${what} holds percent-encoded bytes that are not valid UTF-8`,
    );
  }
  const split = splitForm(text);
  if (split !== undefined) return split;
  const fields: FieldMap = Object.create(null) as FieldMap;
  let count = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++count > MAX_FIELDS) throw tooManyFields();
    if (!(key in fields)) fields[key] = value;
  }
  return fields;
}

/**
 * {@link decodeForm}'s common case, as `URLSearchParams` decodes it (split on `&`, skip empty
 * parts, split at the first `=`, `+` → space, then percent-decoding) without its iterator and
 * entry arrays: 2–3 µs less per request. `undefined` when a part holds an escape that
 * `decodeURIComponent` refuses (a malformed one such as `%ZZ`, which the WHATWG rules keep as
 * written): `URLSearchParams` decodes that text then.
 *
 * @throws {CallControlError} `CC_ERR_BODY_TOO_MANY_FIELDS` (413) above {@link MAX_FIELDS} fields
 */
function splitForm(text: string): FieldMap | undefined {
  const fields: FieldMap = Object.create(null) as FieldMap;
  let count = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      if (++count > MAX_FIELDS) throw tooManyFields();
      const equals = text.indexOf('=', start);
      const split = equals >= 0 && equals < end;
      const key = formPart(text.slice(start, split ? equals : end));
      const value = split ? formPart(text.slice(equals + 1, end)) : '';
      if (key === undefined || value === undefined) return undefined;
      if (!(key in fields)) fields[key] = value;
    }
    start = end + 1;
  }
  return fields;
}

/** One name or value of a form decoded (`+` is a space), or `undefined` (see {@link splitForm}). */
function formPart(part: string): string | undefined {
  const spaced = part.includes('+') ? part.replaceAll('+', ' ') : part;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/**
 * Decodes a JSON object whose values are scalars into a field map (numbers and booleans become
 * their JSON text; `null` becomes `''`).
 *
 * @throws {CallControlError} `CC_ERR_BODY_INVALID` (400) for invalid JSON, a non-object, or a
 *   nested value; `CC_ERR_BODY_TOO_MANY_FIELDS` (413) above {@link MAX_FIELDS} fields
 */
export function decodeFlatJson(text: string): FieldMap {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CallControlError('CC_ERR_BODY_INVALID', 'The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CallControlError('CC_ERR_BODY_INVALID', 'The JSON body is not an object');
  }
  const fields: FieldMap = Object.create(null) as FieldMap;
  const entries = Object.entries(value);
  if (entries.length > MAX_FIELDS) throw tooManyFields();
  for (const [key, item] of entries) {
    if (item === null) fields[key] = '';
    else if (typeof item === 'string') fields[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') fields[key] = String(item);
    else
      throw new CallControlError('CC_ERR_BODY_INVALID', `The JSON field "${key}" is not a scalar`);
  }
  return fields;
}

/**
 * Decodes a request body of one of the `allowed` media types into a field map.
 * An empty body gives an empty map.
 *
 * @throws {CallControlError} 415 for a type not allowed, 400 for a body that cannot be decoded
 */
export function decodeBodyFields(request: WebhookRequest, allowed: readonly MediaType[]): FieldMap {
  const type = requireMediaType(request, allowed);
  if (type === undefined || request.body.length === 0) return Object.create(null) as FieldMap;
  const text = decodeUtf8(request.body);
  return type === 'application/json' ? decodeFlatJson(text) : decodeForm(text);
}

/**
 * Decodes a raw query string (without `?`) into a field map, with the same rules as
 * {@link decodeForm}.
 *
 * @throws {CallControlError} `CC_ERR_BODY_INVALID` (400) when its escaped bytes are not valid
 *   UTF-8; `CC_ERR_BODY_TOO_MANY_FIELDS` (413) above {@link MAX_FIELDS} fields
 */
export function decodeQuery(query: string): FieldMap {
  return decodeForm(query, 'The query');
}

/**
 * A field map whose lookups ignore the case of the key, for providers whose field names are
 * matched case-insensitively (Ozeki: `CallId`, `CallID`, `callid` are one field).
 */
export interface CaseInsensitiveFields {
  /** The value of the first field whose name equals `name` ignoring case; `undefined` if none. */
  get(name: string): string | undefined;
  /** The value of the first of `names` present (ignoring case). */
  first(...names: readonly string[]): string | undefined;
}

/** Wraps a field map for case-insensitive lookups; the first spelling sent wins. */
export function caseInsensitive(fields: FieldMap): CaseInsensitiveFields {
  const lower = new Map<string, string>();
  for (const [key, value] of Object.entries(fields)) {
    const folded = key.toLowerCase();
    if (!lower.has(folded)) lower.set(folded, value);
  }
  const get = (name: string): string | undefined => lower.get(name.toLowerCase());
  return {
    get,
    first: (...names) => {
      for (const name of names) {
        const value = get(name);
        if (value !== undefined) return value;
      }
      return undefined;
    },
  };
}

/** How deep {@link flattenJson} descends before it refuses the document. */
export const MAX_JSON_DEPTH = 32;

/**
 * Flattens a JSON value into dotted-path fields: `{"tn":{"tn":18382050010}}` gives
 * `tn.tn = "18382050010"`, array items are numbered (`logs.0.name`). Numbers and booleans become
 * their JSON text, `null` becomes `''`, empty objects and arrays give no field.
 *
 * @throws {CallControlError} `CC_ERR_BODY_INVALID` (400) for a document nested deeper than
 *   {@link MAX_JSON_DEPTH}; `CC_ERR_BODY_TOO_MANY_FIELDS` (413) above {@link MAX_FIELDS} values
 */
export function flattenJson(value: unknown, prefix = ''): FieldMap {
  const fields: FieldMap = Object.create(null) as FieldMap;
  let count = 0;
  const visit = (item: unknown, path: string, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) {
      throw new CallControlError(
        'CC_ERR_BODY_INVALID',
        `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    if (++count > MAX_FIELDS) throw tooManyFields();
    if (item === null) fields[path] = '';
    else if (typeof item === 'string') fields[path] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') fields[path] = String(item);
    else if (Array.isArray(item)) {
      item.forEach((entry, index) =>
        visit(entry, path === '' ? String(index) : `${path}.${index}`, depth + 1),
      );
    } else if (typeof item === 'object') {
      for (const [key, entry] of Object.entries(item)) {
        visit(entry, path === '' ? key : `${path}.${key}`, depth + 1);
      }
    }
  };
  visit(value, prefix, 0);
  return fields;
}

/**
 * Parses a JSON body (any JSON value).
 *
 * @throws {CallControlError} `CC_ERR_BODY_INVALID` (400) for text that is not JSON
 */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CallControlError('CC_ERR_BODY_INVALID', 'The body is not valid JSON');
  }
}
