/**
 * The traffic of `bench/load`: whole simulated Placetel calls, generated from a seed, so that
 * two runs with the same `--seed` send the same calls, events and retries.
 *
 * @module
 */
import { placetel } from '../src';

/** A seeded PRNG (sfc32, seeded through splitmix32): `next()` is uniform in [0, 1). */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d = 1;

  constructor(seed: number) {
    let state = seed >>> 0;
    const splitmix = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = splitmix();
    this.#b = splitmix();
    this.#c = splitmix();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `length` random lower-case hex digits. */
  hex(length: number): string {
    let text = '';
    while (text.length < length) text += this.uint32().toString(16).padStart(8, '0');
    return text.slice(0, length);
  }
}

/** What kind of call: decides its events and the answer its IncomingCall must get. */
export type CallKind = 'answered' | 'missed' | 'anonymous' | 'outgoing';

/** One event of a call, as sent (and, when `retry` is set, sent a second time). */
export interface CallEvent {
  readonly request: placetel.PlacetelSimulatedRequest;
  /**
   * Whether and when the identical request is sent again, to the other instance:
   * `'in-flight'` as soon as the first is sent, `'after'` once its answer arrived.
   */
  readonly retry: 'in-flight' | 'after' | undefined;
}

/** One simulated call. */
export interface SimulatedCall {
  readonly index: number;
  readonly callId: string;
  readonly kind: CallKind;
  readonly events: readonly CallEvent[];
}

/** The number incoming calls are forwarded to (`FORWARD_TO` of the instances). */
export const FORWARD_TO = '022129191999';

/** The whole traffic of a run: `calls` calls; each request retried with `retryRate`. */
export function generateCalls(
  seed: number,
  calls: number,
  retryRate: number,
  secret: string,
): SimulatedCall[] {
  const random = new Prng(seed);
  const prefixes = new Set<string>();
  const result: SimulatedCall[] = [];
  for (let index = 0; index < calls; index++) {
    let callId = random.hex(64);
    // The instances log the first 12 characters of a call id: keep them unique in a run.
    while (prefixes.has(callId.slice(0, 12))) callId = random.hex(64);
    prefixes.add(callId.slice(0, 12));
    const draw = random.next();
    const kind: CallKind =
      draw < 0.6 ? 'answered' : draw < 0.7 ? 'missed' : draw < 0.8 ? 'anonymous' : 'outgoing';
    const mobile = `01${String(random.int(51, 79))}${String(random.int(0, 99_999_999)).padStart(8, '0')}`;
    const outgoingTypes: placetel.PlacetelHangupType[] = [
      'accepted',
      'accepted',
      'accepted',
      'busy',
      'canceled',
      'unavailable',
    ];
    const scenario: placetel.PlacetelCallScenarioOptions =
      kind === 'outgoing'
        ? {
            callId,
            direction: 'out',
            from: FORWARD_TO,
            to: mobile,
            peer: `${random.hex(4)}abcdefg@fpbx.de`,
            hangupType: outgoingTypes[random.int(0, outgoingTypes.length - 1)] ?? 'accepted',
            durationSeconds: random.int(1, 900),
            secret,
          }
        : {
            callId,
            direction: 'in',
            from: kind === 'anonymous' ? 'anonymous' : mobile,
            to: FORWARD_TO,
            hangupType: kind === 'answered' ? 'accepted' : 'missed',
            durationSeconds: random.int(1, 900),
            secret,
          };
    const events = placetel.placetelCallScenario(scenario).map((request) => ({
      request,
      retry:
        random.next() < retryRate
          ? random.next() < 0.5
            ? ('in-flight' as const)
            : ('after' as const)
          : undefined,
    }));
    result.push({ index, callId, kind, events });
  }
  return result;
}

/** Whether `body` is the answer the example app gives to `event` of a call of `kind`. */
export function expectedAnswer(kind: CallKind, event: string, body: string): boolean {
  if (event !== 'IncomingCall') return body.endsWith('<Response/>');
  if (kind === 'anonymous') return body.includes('<Response><Reject reason="busy"/></Response>');
  return body.includes(`<Forward><Target ringtime="30"><Number>${FORWARD_TO}</Number></Target>`);
}

/** What the HungUp handler must log as the call's routing (read from the shared session). */
export function expectedRouting(kind: CallKind): string {
  if (kind === 'outgoing') return 'routing unknown';
  return kind === 'anonymous' ? 'rejected busy' : `forwarded to ${FORWARD_TO}`;
}
