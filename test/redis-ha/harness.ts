/**
 * The failover harness shared by the Redis Sentinel and Redis Cluster tests: two instances of a
 * Placetel app on one shared store, bounded signed traffic with repeated deliveries, a failure
 * injected in the middle (the test's `fail()`: a master killed), and what the provider got.
 *
 * {@link runFailover}:
 *
 * 1. Two apps (`placetel.createApp` with a signing secret and the answer deadline `timeoutMs`),
 *    each with its own store from the test's factory, each served by `calls.node()` on
 *    127.0.0.1. Their handlers count their runs per delivery (`<event>:<call id>`); the
 *    `IncomingCall` handler writes the session field `routing` (the instance's name), the
 *    `CallAccepted` and `HungUp` handlers read it (wherever the call's earlier event went).
 * 2. Traffic: `calls` whole Placetel calls (`IncomingCall → CallAccepted → HungUp`, every body
 *    signed), started evenly over `durationMs`, each event sent once the previous one was
 *    answered, alternating instances. Every `repeatEvery`-th call's `IncomingCall` is also sent
 *    to the other instance at the same moment (a retry racing the first delivery), and the
 *    `HungUp` of the call after it is sent again to the other instance once answered (a late
 *    retry: it must get the stored reply).
 * 3. `fail()` is called `failAfterMs` after the traffic began. From then, the store of instance
 *    A is probed with one session write every 50 ms (each bounded by 1000 ms): the failover
 *    time is from the call of `fail()` until the first probe write that succeeds.
 * 4. After the traffic, without restarting anything: a fresh delivery sent to A and then again
 *    to B must get the stored reply from B (the handler ran once), and a session written by A's
 *    `IncomingCall` must be read by B's `HungUp` handler — each tried until it works, at most
 *    `recoverWithinMs` after `fail()`.
 *
 * Every request is classified (see {@link FailoverFigures}): answered in time (200 within the
 * deadline + `slackMs`), answered late (200, later), lost (no answer within 10 s, a network
 * error, or any status other than 200), answered twice (a delivery whose handler ran more than
 * once). The apps are closed at the end (`calls.close()`, which closes their stores); clients
 * the test passed to its stores stay its own to quit.
 *
 * Times are in milliseconds throughout. Nothing here asserts: the tests do, on the figures.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { placetel, type CallStore } from '../../src';

/** The signing secret of both apps (obviously fake). */
export const SECRET = 'fake-failover-secret-3b8e';

/** What the handlers of both apps answer to an `IncomingCall`. */
const FORWARD = () => placetel.forward({ targets: [{ numbers: ['022129191999'] }] });

/** Options of {@link runFailover}. */
export interface FailoverOptions {
  /** Names the run in figures and file names, e.g. `sentinel` or `cluster`. */
  readonly kind: string;
  /**
   * The store of instance 0 (A) and of instance 1 (B): two stores sharing data, each with a
   * connection of its own, as two processes behind a load balancer would have. Closed by the
   * harness through `calls.close()`.
   */
  readonly store: (instance: 0 | 1) => CallStore | Promise<CallStore>;
  /** The failure, e.g. SIGKILL of the master's redis-server. Called once, mid-traffic. */
  readonly fail: () => void | Promise<void>;
  /** Whole calls to send (3 events each, plus repeats). Default 240. */
  readonly calls?: number;
  /** Over how long the calls are started, in milliseconds. Default 12000. */
  readonly durationMs?: number;
  /** When `fail()` is called, in milliseconds after the first call. Default 4000. */
  readonly failAfterMs?: number;
  /** The apps' answer deadline (`timeoutMs`), in milliseconds. Default 1000. */
  readonly timeoutMs?: number;
  /**
   * How much later than the deadline an answer still counts as in time (a loaded test machine's
   * scheduling), in milliseconds. Default 250, as the fault tests.
   */
  readonly slackMs?: number;
  /** Every n-th call gets a concurrent repeat of its IncomingCall (see the module docs). Default 4. */
  readonly repeatEvery?: number;
  /**
   * The bound, in milliseconds after `fail()`, for the failover probe and for the after-failover
   * checks each. Default 20000.
   */
  readonly recoverWithinMs?: number;
}

/** One request sent, as the provider saw it. */
export interface RequestOutcome {
  readonly event: string;
  readonly callId: string;
  /** 0 (A) or 1 (B). */
  readonly instance: 0 | 1;
  /** `first`, or a repeat: `concurrent` (sent with the first), `after` (once it was answered). */
  readonly send: 'first' | 'concurrent' | 'after';
  /** HTTP status; 0 when no answer came (network error or 10 s without one). */
  readonly status: number;
  readonly body: string;
  /** Milliseconds since the traffic began, when it was sent. */
  readonly sentAtMs: number;
  /** Milliseconds from send to the whole answer. */
  readonly ms: number;
}

/** What {@link runFailover} measured. Times in milliseconds. */
export interface FailoverFigures {
  readonly kind: string;
  readonly calls: number;
  /** Every request sent during the traffic, repeats included. */
  readonly requests: number;
  /** Repeats among them (`concurrent` + `after`). */
  readonly repeats: number;
  readonly answeredInTime: number;
  /** Answered 200, but later than deadline + slack. */
  readonly answeredLate: number;
  /** No answer, a network error, or a status other than 200 (each listed in `lostDetails`). */
  readonly lost: number;
  readonly lostDetails: readonly string[];
  /** Deliveries (`<event>:<call id>`) whose handler ran more than once. */
  readonly answeredTwice: number;
  /**
   * Of those, the ones with a run within the outage: from `fail()` until the later of the two
   * apps logged that its store recovered (`{ store: 'recovered' }`: 3 store calls in a row
   * answered). Without the store, a delivery is handled without duplicate detection
   * (docs/reliability.md "Faults"), so its repeat may run the handler again.
   */
  readonly answeredTwiceInOutage: number;
  /** Each delivery run twice: its event, the start of its call id, and when it ran. */
  readonly answeredTwiceDetails: readonly string[];
  /**
   * Repeated deliveries (first delivery and repeat) of which either was in flight at some time
   * of the outage: the most that may run twice.
   */
  readonly repeatsInOutage: number;
  /** Repeats whose answer differed from the first delivery's (bodies compared). */
  readonly repeatAnswersDiffering: number;
  /**
   * Of those, the ones where neither delivery overlapped the outage. Within it a delivery may be
   * answered without the store and, when the store call takes its bound, with the fallback in
   * time — a different body; outside it, never.
   */
  readonly repeatAnswersDifferingOutsideOutage: number;
  /** Each differing pair: event, the two statuses and answer lengths, when they were sent. */
  readonly repeatAnswersDifferingDetails: readonly string[];
  /** CallAccepted/HungUp handlers that did not read the `routing` the IncomingCall wrote. */
  readonly sessionMisses: number;
  /**
   * Of those, the ones whose read or whose call's write (its IncomingCall) ran within the outage
   * (the guard dropped it: sessions read as empty and drop writes without the store).
   */
  readonly sessionMissesInOutage: number;
  readonly deadlineMs: number;
  readonly slackMs: number;
  readonly maxLatencyMs: number;
  readonly p99LatencyMs: number;
  /** Max latency of the requests in flight during the outage. */
  readonly maxLatencyInOutageMs: number;
  /** When `fail()` was called, since the first call. */
  readonly failAtMs: number | undefined;
  /** From `fail()` until the store's first successful write; undefined: not within the bound. */
  readonly failoverMs: number | undefined;
  /** From `fail()` until the later app logged its store's recovery (see `answeredTwiceInOutage`). */
  readonly outageMs: number | undefined;
  /**
   * Whether, after the traffic, a delivery repeated on the other instance got the stored reply
   * (within `recoverWithinMs` of `fail()`), and how many tries that took (1: the first).
   */
  readonly duplicatesDetectedAgain: boolean;
  readonly duplicateChecks: number;
  /** Whether, after the traffic, a session written on A was read on B, and in how many tries. */
  readonly sessionsSharedAgain: boolean;
  readonly sessionChecks: number;
  /** `CC_ERR_…` codes `onError` heard, per instance. */
  readonly errorCodes: readonly Record<string, number>[];
  /** The whole traffic, first call to last answer. */
  readonly trafficMs: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves `promise`, or `undefined` after `ms` (the promise is left to settle on its own). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface Instance {
  readonly index: 0 | 1;
  readonly base: string;
  readonly server: Server;
  readonly app: placetel.PlacetelApp;
  readonly errors: Record<string, number>;
  /** When the app logged that its store recovered (ms since the start). */
  readonly recoveredAtMs: number[];
}

/** A 64-hex Placetel call id, unique to this run. */
function newCallId(): string {
  return (randomUUID() + randomUUID()).replace(/-/g, '').slice(0, 64);
}

/** Runs the traffic, the failure and the checks (see the module docs); the figures. */
export async function runFailover(options: FailoverOptions): Promise<FailoverFigures> {
  const stores: CallStore[] = [];
  const instances: Instance[] = [];
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const calls = options.calls ?? 240;
  const durationMs = options.durationMs ?? 12_000;
  const failAfterMs = options.failAfterMs ?? 4000;
  const deadlineMs = options.timeoutMs ?? 1000;
  const slackMs = options.slackMs ?? 250;
  const repeatEvery = options.repeatEvery ?? 4;
  const recoverWithinMs = options.recoverWithinMs ?? 20_000;

  /** Handler runs per delivery (`<event>:<call id>`): when each ran (ms since the start). */
  const runs = new Map<string, number[]>();
  /** When a CallAccepted/HungUp handler read no `routing` (ms since the start), and its call. */
  const sessionMisses: { readonly at: number; readonly callId: string }[] = [];
  const probeCalls = new Set<string>();
  /** The value the checks' HungUp read, per call id. */
  const readAtHangup = new Map<string, unknown>();

  const count = (event: string, id: string): void => {
    const key = `${event}:${id}`;
    const times = runs.get(key);
    if (times === undefined) runs.set(key, [now()]);
    else times.push(now());
  };

  try {
    for (const index of [0, 1] as const) {
      const store = await options.store(index);
      stores.push(store);
      const recoveredAtMs: number[] = [];
      const app = placetel.createApp({
        secret: SECRET,
        store,
        timeoutMs: deadlineMs,
        stderr: false,
        // Only the store's recovery line is kept: when the app's outage ended.
        logger: {
          info: (line) => {
            if (line.store === 'recovered') recoveredAtMs.push(now());
          },
          warn: () => undefined,
          error: () => undefined,
        },
      });
      const errors: Record<string, number> = {};
      app.onError((error) => {
        errors[error.code] = (errors[error.code] ?? 0) + 1;
      });
      app.on('IncomingCall', async (call, { session }) => {
        count('IncomingCall', call.callId);
        await session.set('routing', `instance-${index}`);
        return FORWARD();
      });
      app.on('CallAccepted', async (call, { session }) => {
        count('CallAccepted', call.callId);
        if ((await session.get<string>('routing')) === undefined) {
          sessionMisses.push({ at: now(), callId: call.callId });
        }
      });
      app.on('HungUp', async (call, { session }) => {
        count('HungUp', call.callId);
        const routing = await session.get<string>('routing');
        if (probeCalls.has(call.callId)) readAtHangup.set(call.callId, routing);
        else if (routing === undefined) sessionMisses.push({ at: now(), callId: call.callId });
      });
      const server = createServer(app.node());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      instances.push({
        index,
        base: `http://127.0.0.1:${port}`,
        server,
        app,
        errors,
        recoveredAtMs,
      });
    }
    const [a, b] = instances as [Instance, Instance];

    const outcomes: RequestOutcome[] = [];
    const send = async (
      instance: Instance,
      request: placetel.PlacetelSimulatedRequest,
      callId: string,
      sendKind: RequestOutcome['send'],
      record = true,
    ): Promise<RequestOutcome> => {
      const sentAtMs = now();
      let status: number;
      let body = '';
      try {
        const response = await fetch(`${instance.base}/`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(10_000),
        });
        body = await response.text();
        status = response.status;
      } catch {
        status = 0; // no answer
      }
      const outcome: RequestOutcome = {
        event: request.event,
        callId,
        instance: instance.index,
        send: sendKind,
        status,
        body,
        sentAtMs,
        ms: now() - sentAtMs,
      };
      if (record) outcomes.push(outcome);
      return outcome;
    };

    // The failure, and the failover probe on A's store.
    let failAtMs: number | undefined;
    let failoverEndMs: number | undefined;
    const failing = (async () => {
      await sleep(failAfterMs);
      failAtMs = now();
      await options.fail();
      for (let n = 0; now() - failAtMs < recoverWithinMs; n += 1) {
        const write = (stores[0] as CallStore).sessionSet(
          `placetel:failover-probe-${newCallId()}`,
          'probe',
          n,
          60_000,
        );
        const ok = await within(
          write.then(
            () => true,
            () => false,
          ),
          1000,
        );
        if (ok === true) {
          failoverEndMs = now();
          return;
        }
        await sleep(50);
      }
    })();

    // The traffic.
    const interval = durationMs / calls;
    const repeatPairs: [RequestOutcome, RequestOutcome][] = [];
    const oneCall = async (i: number): Promise<void> => {
      await sleep(Math.max(0, i * interval - now()));
      const id = newCallId();
      const requests = placetel.placetelCallScenario({ callId: id, secret: SECRET });
      const first = i % 2 === 0 ? a : b;
      const other = first === a ? b : a;
      for (const [j, request] of requests.entries()) {
        const target = j % 2 === 0 ? first : other;
        const elsewhere = target === a ? b : a;
        if (j === 0 && i % repeatEvery === 0) {
          const [one, two] = await Promise.all([
            send(target, request, id, 'first'),
            send(elsewhere, request, id, 'concurrent'),
          ]);
          repeatPairs.push([one, two]);
        } else {
          const one = await send(target, request, id, 'first');
          if (request.event === 'HungUp' && i % repeatEvery === 1) {
            repeatPairs.push([one, await send(elsewhere, request, id, 'after')]);
          }
        }
      }
    };
    const traffic = Promise.all(Array.from({ length: calls }, (_, i) => oneCall(i)));
    await traffic;
    const trafficMs = now();
    await failing;

    // After the failover: a repeated delivery gets the stored reply, a session is shared.
    const untilMs = (failAtMs ?? 0) + recoverWithinMs;
    let duplicatesDetectedAgainMs: number | undefined;
    let duplicateChecks = 0;
    while (duplicatesDetectedAgainMs === undefined && now() < untilMs) {
      duplicateChecks += 1;
      const id = newCallId();
      const [incoming] = placetel.placetelCallScenario({ callId: id, secret: SECRET });
      if (incoming === undefined) break;
      const one = await send(a, incoming, id, 'first', false);
      const two = await send(b, incoming, id, 'after', false);
      if (
        one.status === 200 &&
        two.status === 200 &&
        runs.get(`IncomingCall:${id}`)?.length === 1 &&
        two.body === one.body
      ) {
        duplicatesDetectedAgainMs = now() - (failAtMs ?? 0);
      } else await sleep(100);
    }
    let sessionsSharedAgainMs: number | undefined;
    let sessionChecks = 0;
    while (sessionsSharedAgainMs === undefined && now() < untilMs) {
      sessionChecks += 1;
      const id = newCallId();
      probeCalls.add(id);
      const requests = placetel.placetelCallScenario({ callId: id, secret: SECRET });
      const incoming = requests[0];
      const hungUp = requests[requests.length - 1];
      if (incoming === undefined || hungUp === undefined) break;
      await send(a, incoming, id, 'first', false);
      await send(b, hungUp, id, 'first', false);
      if (readAtHangup.get(id) === 'instance-0') {
        sessionsSharedAgainMs = now() - (failAtMs ?? 0);
      } else await sleep(100);
    }

    // The figures.
    const recovered = instances.flatMap((instance) =>
      instance.recoveredAtMs.filter((at) => at >= (failAtMs ?? Infinity)),
    );
    const outageStart = failAtMs ?? Infinity;
    const outageEnd = recovered.length > 0 ? Math.max(...recovered) : (failoverEndMs ?? Infinity);
    const inOutage = (at: number): boolean => at >= outageStart && at <= outageEnd;
    /** Whether a request was in flight at some time of the outage. */
    const overlapsOutage = (o: RequestOutcome): boolean =>
      o.sentAtMs <= outageEnd && o.sentAtMs + o.ms >= outageStart;
    const inTime = (o: RequestOutcome): boolean => o.status === 200 && o.ms <= deadlineMs + slackMs;
    const lost = outcomes.filter((o) => o.status !== 200);
    const twice = [...runs.entries()].filter(([, times]) => times.length > 1);
    const latencies = outcomes.map((o) => o.ms).sort((x, y) => x - y);
    const round = (ms: number): number => Math.round(ms);
    const optional = (ms: number | undefined): number | undefined =>
      ms === undefined ? undefined : round(ms);
    return {
      kind: options.kind,
      calls,
      requests: outcomes.length,
      repeats: outcomes.filter((o) => o.send !== 'first').length,
      answeredInTime: outcomes.filter(inTime).length,
      answeredLate: outcomes.filter((o) => o.status === 200 && !inTime(o)).length,
      lost: lost.length,
      lostDetails: lost.map(
        (o) =>
          `${o.event} to ${o.instance === 0 ? 'A' : 'B'} at ${round(o.sentAtMs)} ms: ${o.status}`,
      ),
      answeredTwice: twice.length,
      answeredTwiceInOutage: twice.filter(([, times]) => times.some(inOutage)).length,
      answeredTwiceDetails: twice.map(
        ([key, times]) =>
          `${key.slice(0, key.indexOf(':') + 9)}… ran at ${times.map(round).join(', ')} ms`,
      ),
      repeatsInOutage: repeatPairs.filter(
        ([one, two]) => overlapsOutage(one) || overlapsOutage(two),
      ).length,
      repeatAnswersDiffering: repeatPairs.filter(([one, two]) => one.body !== two.body).length,
      repeatAnswersDifferingDetails: repeatPairs
        .filter(([one, two]) => one.body !== two.body)
        .map(
          ([one, two]) =>
            `${one.event}: ${one.status} (${one.body.length} bytes, sent at ${round(one.sentAtMs)} ms, ${round(one.ms)} ms) / ${two.status} (${two.body.length} bytes, sent at ${round(two.sentAtMs)} ms, ${round(two.ms)} ms)`,
        ),
      repeatAnswersDifferingOutsideOutage: repeatPairs.filter(
        ([one, two]) => one.body !== two.body && !overlapsOutage(one) && !overlapsOutage(two),
      ).length,
      sessionMisses: sessionMisses.length,
      sessionMissesInOutage: sessionMisses.filter(
        ({ at, callId }) =>
          inOutage(at) || (runs.get(`IncomingCall:${callId}`) ?? []).some(inOutage),
      ).length,
      deadlineMs,
      slackMs,
      maxLatencyMs: round(latencies[latencies.length - 1] ?? 0),
      p99LatencyMs: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
      maxLatencyInOutageMs: round(Math.max(0, ...outcomes.filter(overlapsOutage).map((o) => o.ms))),
      failAtMs: optional(failAtMs),
      failoverMs:
        failAtMs === undefined || failoverEndMs === undefined
          ? undefined
          : round(failoverEndMs - failAtMs),
      outageMs: Number.isFinite(outageEnd - outageStart)
        ? round(outageEnd - outageStart)
        : undefined,
      duplicatesDetectedAgain: duplicatesDetectedAgainMs !== undefined,
      duplicateChecks,
      sessionsSharedAgain: sessionsSharedAgainMs !== undefined,
      sessionChecks,
      errorCodes: instances.map((instance) => ({ ...instance.errors })),
      trafficMs: round(trafficMs),
    };
  } finally {
    for (const instance of instances) {
      instance.server.closeAllConnections();
      instance.server.close();
    }
    await Promise.all(instances.map((instance) => instance.app.close({ timeoutMs: 3000 })));
    // A store whose app was never created is closed here.
    await Promise.all(stores.slice(instances.length).map((store) => store.close()));
  }
}

/**
 * Writes `figures` (with whatever the test adds, e.g. when its servers saw the failover) to
 * `test-output/redis-ha-<kind>.json` (of the checkout) and prints them; the docs quote these
 * files.
 */
export function reportFigures<F extends FailoverFigures>(figures: F): void {
  const dir = path.resolve(__dirname, '..', '..', 'test-output');
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(figures, null, 2);
  writeFileSync(path.join(dir, `redis-ha-${figures.kind}.json`), `${text}\n`);
  process.stdout.write(`redis-ha ${figures.kind} failover figures:\n${text}\n`);
}

/**
 * What every failover test asserts of its figures: every request answered within the deadline,
 * none late or lost, the store written again after the failover; a handler run twice, a repeat
 * answered differently and a session missed only where the outage explains it; and after it,
 * without a restart, duplicate detection and shared sessions work again.
 */
export function expectPromisesKept(figures: FailoverFigures): void {
  expect(figures.lostDetails).toEqual([]);
  expect(figures.answeredLate).toBe(0);
  expect(figures.answeredInTime).toBe(figures.requests);
  expect(figures.failoverMs).toBeDefined();
  // A handler runs twice only for a delivery handled while the store was out (no duplicate
  // detection then), and only for one that was sent again.
  expect(figures.answeredTwiceDetails).toHaveLength(figures.answeredTwiceInOutage);
  expect(figures.answeredTwiceInOutage).toBeLessThanOrEqual(figures.repeatsInOutage);
  expect(figures.repeatAnswersDifferingOutsideOutage).toBe(0);
  expect(figures.repeatAnswersDiffering).toBeLessThanOrEqual(figures.repeatsInOutage);
  expect(figures.sessionMisses).toBe(figures.sessionMissesInOutage);
  expect(figures.duplicatesDetectedAgain).toBe(true);
  expect(figures.sessionsSharedAgain).toBe(true);
}
