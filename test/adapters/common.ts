/**
 * What the framework adapter tests share: the Placetel and VoipNow fixtures, apps that record
 * what they saw, and checks of the answer's headers and coded errors.
 */
import { SECURITY_HEADERS } from '../../src/adapters/node';
import {
  placetel,
  voipnow,
  type CallControlError,
  type HandlerContext,
  type WebhookEvent,
} from '../../src';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { canonicalXml, type CanonicalElement } from '../helpers/xml';
import { TEST_APP } from '../helpers/apps';

export const XML_TYPE = 'application/xml; charset=utf-8';

const placetelFixtures = loadFixtures('placetel');
const voipnowFixtures = loadFixtures('voipnow');

/** Every signed Placetel fixture (each carries its `secret`). */
export const SIGNED_PLACETEL = placetelFixtures.requests.filter(
  (entry) => entry.secret !== undefined,
);

/** The VoipNow fixtures VoipNow sends by GET. */
export const VOIPNOW_GETS = voipnowFixtures.requests.filter((entry) => entry.method === 'GET');

/** One request fixture by id. */
export function requestFixture(provider: 'placetel' | 'voipnow', id: string): RequestFixture {
  const list = provider === 'placetel' ? placetelFixtures.requests : voipnowFixtures.requests;
  const found = list.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no request fixture ${id}`);
  return found;
}

/** One response fixture by id, as a canonical XML tree. */
export function responseXml(provider: 'placetel' | 'voipnow', id: string): CanonicalElement {
  const list = provider === 'placetel' ? placetelFixtures.responses : voipnowFixtures.responses;
  const found = list.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no response fixture ${id}`);
  return canonicalXml(found.xml);
}

/** The neutral answer `<Response/>`. */
export const EMPTY_RESPONSE = canonicalXml('<Response/>');

/** `body` with its last byte changed: its signature no longer matches. */
export function tampered(body: string): string {
  const last = body.slice(-1);
  return `${body.slice(0, -1)}${last === '0' ? '1' : '0'}`;
}

/** The path (with query) of a fixture, moved under `prefix` (`/voipnow/hangup` → `prefix/hangup`). */
export function underPrefix(prefix: string, fixturePath: string, fixturePrefix = ''): string {
  return `${prefix}${fixturePath.slice(fixturePrefix.length)}`;
}

/** The query string of a fixture's path, without `?`. */
export function queryOf(path: string): string {
  const at = path.indexOf('?');
  return at === -1 ? '' : path.slice(at + 1);
}

/** What an app saw: events, the request paths and queries they came with, and errors. */
export interface Seen {
  events: { name: string; raw: Record<string, string>; path: string; query: string }[];
  errors: CallControlError[];
}

/** What {@link observe} needs of an app: `onAny` and `onError`. */
interface Observable {
  onAny(handler: (event: WebhookEvent, context: HandlerContext) => unknown): unknown;
  onError(handler: (error: CallControlError) => unknown): unknown;
}

/** Records every event (with its request's path and query) and every error of `calls`. */
export function observe(calls: Observable): Seen {
  const seen: Seen = { events: [], errors: [] };
  calls.onAny((event, context) => {
    seen.events.push({
      name: event.name,
      raw: { ...event.raw },
      path: context.request.path,
      query: context.request.query,
    });
  });
  calls.onError((error) => {
    seen.errors.push(error);
  });
  return seen;
}

/**
 * A Placetel app (`secret` when given, other options as given) that forwards every
 * `IncomingCall` to its called number, and records what it sees.
 */
export function placetelApp(options: placetel.PlacetelAppOptions = {}): {
  calls: placetel.PlacetelApp;
  seen: Seen;
} {
  const calls = placetel.createApp({ ...TEST_APP, ...options });
  calls.on('IncomingCall', (call) => placetel.forward({ targets: [{ numbers: [call.to] }] }));
  const seen = observe(calls);
  return { calls, seen };
}

/**
 * A VoipNow app answering Call Interactive with the documented `Jump` (response fixture
 * `voipnow.jump`), routing `/call-events/<event>` paths, and recording what it sees.
 */
export function voipnowApp(options: voipnow.VoipNowAppOptions = {}): {
  calls: voipnow.VoipNowApp;
  seen: Seen;
} {
  const calls = voipnow.createApp({
    ...TEST_APP,
    eventPaths: { '/call-events/dial-in': 'Dial-In', '/call-events/hangup': 'Hangup' },
    ...options,
  });
  calls.on('call_interactive', () => [
    voipnow.jump({ context: 'StartSupport', option: 1, priority: 3 }),
  ]);
  const seen = observe(calls);
  return { calls, seen };
}

/** Reads one header from a Fetch `Headers`, a Node/supertest header object, or a map. */
export type HeaderSource = Headers | Record<string, string | string[] | number | undefined>;

function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Asserts an XML answer's headers: `application/xml; charset=utf-8`, a `Content-Length` equal to
 * the body's byte length, every header helmet sets (same values as the `node:http` adapter), and
 * none of those helmet removes (`X-Powered-By`).
 */
export function expectAnswerHeaders(headers: HeaderSource, body: Buffer): void {
  expect(headerOf(headers, 'content-type')).toBe(XML_TYPE);
  expect(headerOf(headers, 'content-length')).toBe(String(body.length));
  expect(headerOf(headers, 'cache-control')).toBe('no-store');
  for (const [name, value] of Object.entries(SECURITY_HEADERS.set)) {
    expect([name, headerOf(headers, name)]).toEqual([name, value]);
  }
  for (const name of SECURITY_HEADERS.removed) {
    expect([name, headerOf(headers, name)]).toEqual([name, undefined]);
  }
  expect(headerOf(headers, 'x-powered-by')).toBeUndefined();
}

/** The `code` of an `<Error code="…">` answer. */
export function errorCodeOf(xml: string): string | undefined {
  const root = canonicalXml(xml);
  expect(root.name).toBe('Error');
  return root.attributes['code'];
}
