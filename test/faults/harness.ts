/**
 * What the fault tests share: Placetel apps served by `node:http` on 127.0.0.1, requests timed
 * from send to answer, and bounded load (a fixed number of requests at a fixed rate).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { placetel } from '../../src';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A Placetel call id made from `label` (64 hex digits, as Placetel sends them). */
export function callId(label: number | string): string {
  return createHash('sha256')
    .update(`${String(label)}:${RUN}`)
    .digest('hex');
}

/** Makes the call ids of one run its own (tests against one Redis never share a call). */
const RUN = randomUUID();

/** The body of a Placetel `event` of the call `id`. */
export function placetelBody(id: string, event = 'IncomingCall'): string {
  return placetel.placetelRequest({
    call_id: id,
    direction: 'in',
    event,
    from: '017312345678',
    to: '022129191999',
  }).body;
}

/** The handlers' answer in these tests. */
export const FORWARD = () => placetel.forward({ targets: [{ numbers: ['022129191999'] }] });

/** {@link FORWARD} as the XML the provider gets, canonical. */
export const FORWARD_XML = canonicalXml(
  '<Response><Forward><Target><Number>022129191999</Number></Target></Forward></Response>',
);

/** The default fallback, `<Response/>`, canonical. */
export const FALLBACK_XML = canonicalXml('<Response/>');

/** Serves `calls` on 127.0.0.1 (closed after the test); its base URL. */
export async function serve(calls: placetel.PlacetelApp): Promise<string> {
  const handler = calls.node();
  const server: Server = await listenOnLoopback({
    listen: (port, host) => createServer(handler).listen(port, host),
  });
  return baseUrlOf(server);
}

/** One request's outcome, timed from send to the whole answer. */
export interface Timed {
  readonly status: number;
  readonly body: string;
  /** Milliseconds from send to the whole answer. */
  readonly ms: number;
  /** `performance.now()` when it was sent. */
  readonly sentAt: number;
}

/** POSTs a Placetel `body` to `base` and times it (gives up after `limitMs`: status 0). */
export async function post(base: string, body: string, limitMs = 10_000): Promise<Timed> {
  const sentAt = performance.now();
  try {
    const response = await fetch(`${base}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(limitMs),
    });
    const text = await response.text();
    return { status: response.status, body: text, ms: performance.now() - sentAt, sentAt };
  } catch {
    return { status: 0, body: '', ms: performance.now() - sentAt, sentAt };
  }
}

/**
 * Sends `count` requests, one every `intervalMs`, without waiting for answers in between;
 * `next(i)` says what the i-th is (where to and which body). Resolves with every outcome.
 */
export async function load(
  count: number,
  intervalMs: number,
  next: (i: number) => { readonly base: string; readonly body: string },
): Promise<Timed[]> {
  const sent: Promise<Timed>[] = [];
  for (let i = 0; i < count; i++) {
    const { base, body } = next(i);
    sent.push(post(base, body));
    await sleep(intervalMs);
  }
  return Promise.all(sent);
}

/** The canonical XML of an answer (for comparing answers). */
export function xmlOf(timed: Timed): ReturnType<typeof canonicalXml> {
  return canonicalXml(timed.body);
}

/**
 * Whether duplicate detection works within `ms`: sends fresh deliveries to `first`, then the
 * same again to `retry` (as a provider's retry, maybe to another instance), until the second is
 * answered without running the handler again (`handled` counts its runs per call id).
 */
export async function duplicatesDetectedWithin(
  first: string,
  retry: string,
  handled: ReadonlyMap<string, number>,
  ms: number,
): Promise<boolean> {
  const until = performance.now() + ms;
  for (let n = 0; performance.now() < until; n++) {
    const id = callId(`probe:${n}:${performance.now()}`);
    const one = await post(first, placetelBody(id));
    await sleep(30); // the reply is stored beside the answer
    const two = await post(retry, placetelBody(id));
    if (one.status !== 200 || two.status !== 200) {
      throw new Error(`answered ${one.status} and ${two.status}`);
    }
    if (handled.get(id) === 1 && xmlOf(two).name === xmlOf(one).name) return true;
    await sleep(100);
  }
  return false;
}
