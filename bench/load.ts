/**
 * `npm run bench:load`: a bounded load test of two instances of the example server sharing one
 * Redis, driven by autocannon over loopback only.
 *
 * - Redis: `REDIS_URL` when set, else a redis-server started on a free 127.0.0.1 port (found or
 *   installed by `scripts/ensure-redis.sh`) and stopped at the end.
 * - Two instances of `dist/examples/server.js` (PORT=0, HOST=127.0.0.1, the same `REDIS_URL`, a
 *   fresh `REDIS_KEY_PREFIX` per run, a `PLACETEL_SECRET`: every request is signed).
 * - Traffic: `--calls` whole Placetel calls from a seeded PRNG (`--seed`): 60 % answered
 *   (IncomingCall → CallAccepted → HungUp), 10 % missed and 10 % anonymous (IncomingCall →
 *   HungUp), 20 % outgoing (OutgoingCall → HungUp). One autocannon run per instance
 *   (`--connections` split between them), pulling from one scheduler: the next event of a call is
 *   queued once the answer to the previous one arrived, and goes to the other instance. A random
 *   `--retry-rate` of the requests is sent a second time, identical, to the other instance: half
 *   as soon as the first is sent (while it is in flight), half once its answer arrived.
 * - Handled deliveries are counted on the server side from the instances' one-line event logs
 *   (`placetel <Event> call=<id>`, one per handled delivery: repetitions are answered from the
 *   store without running the handlers again).
 * - A hard time limit (`--time-limit`, seconds) stops the traffic and reports what it has.
 *
 * Prints a table (or `--json`); exits 0 when every call completed, no event was lost or
 * handled twice, no retry got a different answer and every answer was a 2xx (and as expected),
 * 1 otherwise, 130 on SIGINT.
 *
 * @module
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  peakRss,
  startInstance,
  startRedis,
  stopAll,
  stopChild,
  type Instance,
  type StartedRedis,
} from './processes';
import {
  expectedAnswer,
  expectedRouting,
  generateCalls,
  type CallEvent,
  type SimulatedCall,
} from './traffic';

/** Command-line options. */
interface Options {
  readonly calls: number;
  readonly retryRate: number;
  readonly connections: number;
  readonly seed: number;
  readonly timeLimitSeconds: number;
  readonly json: boolean;
}

const USAGE = `usage: npm run bench:load -- [options]
  --calls N           whole simulated calls (default 10000)
  --retry-rate R      share of the requests sent twice, 0..1 (default 0.1)
  --connections N     autocannon connections, split between the two instances (default 20)
  --seed N            PRNG seed of the traffic (default 1)
  --time-limit S      hard limit of the whole run in seconds (default 300)
  --json              print the result as JSON`;

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      calls: { type: 'string', default: '10000' },
      'retry-rate': { type: 'string', default: '0.1' },
      connections: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      'time-limit': { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min) {
      throw new TypeError(`--${name} must be a whole number of at least ${min}, got ${text}`);
    }
    return value;
  };
  const retryRate = Number(values['retry-rate']);
  if (!Number.isFinite(retryRate) || retryRate < 0 || retryRate > 1) {
    throw new TypeError(`--retry-rate must be from 0 to 1, got ${values['retry-rate']}`);
  }
  const calls = whole('calls', values.calls, 1);
  const connections = whole('connections', values.connections, 2);
  if (connections > calls) throw new TypeError('--connections must not exceed --calls');
  return {
    calls,
    retryRate,
    connections,
    seed: whole('seed', values.seed, 0),
    timeLimitSeconds: whole('time-limit', values['time-limit'], 10),
    json: values.json,
  };
}

/** One request to send: an event of a call, or the retry of one. */
interface Job {
  readonly call: SimulatedCall;
  readonly step: number;
  readonly event: CallEvent;
  /** For a retry: the first request. */
  readonly original: Job | undefined;
  /** For a first request chosen for a retry: the retry, once created. */
  retry: Job | undefined;
  /** The instance (0 or 1) it is meant for. */
  readonly target: 0 | 1;
  sentTo: 0 | 1 | undefined;
  sentAt: number | undefined;
  answeredAt: number | undefined;
  status: number | undefined;
  body: string | undefined;
}

type Side = 0 | 1;

function other(side: Side): Side {
  return side === 0 ? 1 : 0;
}

/**
 * Hands out the requests to the autocannon connections of both instances. Per instance, first
 * the retries meant to overlap their first request, then the next events of started calls and
 * the later retries (in the order they became ready), then a new call. An instance whose
 * connections have all ended (at the tail of the run) leaves its ready requests to the other
 * instance, so nothing is stranded.
 */
class Scheduler {
  readonly jobs: Job[] = [];
  readonly #calls: readonly SimulatedCall[];
  readonly #urgent: [Job[], Job[]] = [[], []];
  readonly #ready: [Job[], Job[]] = [[], []];
  readonly live: [number, number] = [0, 0];
  #nextCall = 0;
  inFlight = 0;

  constructor(calls: readonly SimulatedCall[]) {
    this.#calls = calls;
  }

  #job(call: SimulatedCall, step: number, target: Side, original?: Job): Job {
    const event = call.events[step];
    if (event === undefined) throw new Error(`call ${call.index} has no step ${step}`);
    const job: Job = {
      call,
      step,
      event,
      original,
      retry: undefined,
      target,
      sentTo: undefined,
      sentAt: undefined,
      answeredAt: undefined,
      status: undefined,
      body: undefined,
    };
    this.jobs.push(job);
    return job;
  }

  /** Whether {@link Scheduler.take} would give a connection of `side` a request. */
  hasWork(side: Side): boolean {
    const away = other(side);
    return (
      this.#urgent[side].length > 0 ||
      this.#ready[side].length > 0 ||
      this.#nextCall < this.#calls.length ||
      (this.live[away] === 0 && (this.#urgent[away].length > 0 || this.#ready[away].length > 0))
    );
  }

  /** The next request for a connection of `side`, or `undefined` when there is none. */
  take(side: Side): Job | undefined {
    const own = this.#urgent[side].shift() ?? this.#ready[side].shift();
    if (own !== undefined) return own;
    const call = this.#calls[this.#nextCall];
    if (call !== undefined) {
      this.#nextCall += 1;
      return this.#job(call, 0, side);
    }
    const away = other(side);
    if (this.live[away] === 0) return this.#urgent[away].shift() ?? this.#ready[away].shift();
    return undefined;
  }

  /** Whether every call was played to its end (or given up) and nothing is in flight. */
  finished(): boolean {
    return (
      this.inFlight === 0 &&
      this.#nextCall >= this.#calls.length &&
      this.#urgent.every((queue) => queue.length === 0) &&
      this.#ready.every((queue) => queue.length === 0)
    );
  }

  sent(job: Job, side: Side, now: number): void {
    job.sentTo = side;
    job.sentAt = now;
    this.inFlight += 1;
    if (job.original === undefined && job.event.retry === 'in-flight') {
      job.retry = this.#job(job.call, job.step, other(side), job);
      this.#urgent[other(side)].push(job.retry);
    }
  }

  answered(job: Job, status: number, body: string, now: number): void {
    job.status = status;
    job.body = body;
    job.answeredAt = now;
    this.inFlight -= 1;
    if (job.original !== undefined || job.sentTo === undefined) return;
    const away = other(job.sentTo);
    if (job.event.retry === 'after') {
      job.retry = this.#job(job.call, job.step, away, job);
      this.#ready[away].push(job.retry);
    }
    if (job.step + 1 < job.call.events.length) {
      this.#ready[away].push(this.#job(job.call, job.step + 1, away));
    }
  }
}

/** What the instances logged, read from their stdout. */
interface ServerLog {
  /** `<Event>:<first 12 characters of the call id>` → one-line event logs. */
  readonly handled: Map<string, number>;
  /** First 12 characters of the call id → routing the HungUp handler logged. */
  readonly routing: Map<string, string[]>;
  /** `placetel error <code>` lines by code. */
  readonly errors: Map<string, number>;
  lines: number;
}

const EVENT_LINE = /^placetel (\w+) call=([0-9a-f]{12}) /;
const ENDED_LINE = /^placetel call ([0-9a-f]{12}) ended \([^)]*\), (.*)$/;
const ERROR_LINE = /^placetel error (\S+)/;

function readLine(log: ServerLog, line: string): void {
  log.lines += 1;
  const event = EVENT_LINE.exec(line);
  if (event !== null) {
    const key = `${event[1] ?? ''}:${event[2] ?? ''}`;
    log.handled.set(key, (log.handled.get(key) ?? 0) + 1);
    return;
  }
  const ended = ENDED_LINE.exec(line);
  if (ended !== null) {
    const call = ended[1] ?? '';
    log.routing.set(call, [...(log.routing.get(call) ?? []), ended[2] ?? '']);
    return;
  }
  const error = ERROR_LINE.exec(line);
  if (error !== null) log.errors.set(error[1] ?? '', (log.errors.get(error[1] ?? '') ?? 0) + 1);
}

/** What autocannon itself reported for one instance. */
interface RunReport {
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly sent: number;
}

/** The result of a run, as printed (and as `--json`). */
interface Report {
  readonly options: Options;
  readonly machine: { readonly cpus: number; readonly node: string };
  readonly calls: number;
  readonly callsCompleted: number;
  readonly eventsSent: number;
  readonly eventsLost: number;
  readonly eventsHandledTwice: number;
  readonly logLinesOfEventsNotSent: number;
  readonly requestsSent: number;
  readonly requestsAnswered: number;
  readonly requestsUnanswered: number;
  readonly retries: number;
  readonly retriesWhileFirstInFlight: number;
  readonly retriesToSameInstance: number;
  readonly answersDifferingFromRetry: number;
  readonly non2xx: number;
  readonly answersNotAsExpected: number;
  readonly sessionsNotSeenAtHungUp: number;
  readonly fillerRequests: number;
  readonly autocannonErrors: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly requestsPerSecond: number;
  readonly trafficSeconds: number;
  readonly instances: readonly {
    readonly name: string;
    readonly requests: number;
    readonly peakRssBytes: number | null;
    readonly stderrLines: number;
  }[];
  readonly redis: { readonly started: boolean; readonly peakRssBytes: number | null };
  readonly serverErrors: Readonly<Record<string, number>>;
  readonly stopped: 'completed' | 'time limit' | 'SIGINT' | 'SIGTERM' | 'an instance exited';
  readonly failures: readonly string[];
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function mib(bytes: number | null): string {
  return bytes === null ? '–' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function formatTable(report: Report): string {
  const o = report.options;
  const rows: [string, string][] = [
    ['calls completed', `${report.callsCompleted} / ${report.calls}`],
    ['events lost', String(report.eventsLost)],
    ['events handled twice', String(report.eventsHandledTwice)],
    ['answers differing between a request and its retry', String(report.answersDifferingFromRetry)],
    ['non-2xx', String(report.non2xx)],
    [
      'p50 / p99 latency',
      `${report.latencyMs.p50.toFixed(1)} / ${report.latencyMs.p99.toFixed(1)} ms`,
    ],
    ['requests/s', report.requestsPerSecond.toFixed(0)],
    [
      'requests (events + retries)',
      `${report.requestsSent} (${report.eventsSent} + ${report.retries}, ${report.retriesWhileFirstInFlight} retries while the first was in flight)`,
    ],
    [
      'unanswered requests, autocannon errors',
      `${report.requestsUnanswered}, ${report.autocannonErrors}`,
    ],
    [
      'answers not as expected, sessions not seen at HungUp',
      `${report.answersNotAsExpected}, ${report.sessionsNotSeenAtHungUp}`,
    ],
    [
      'peak RSS (instance A, B; redis)',
      `${mib(report.instances[0]?.peakRssBytes ?? null)}, ${mib(report.instances[1]?.peakRssBytes ?? null)}; ${report.redis.started ? mib(report.redis.peakRssBytes) : 'not started here'}`,
    ],
    ['traffic time', `${report.trafficSeconds.toFixed(1)} s (${report.stopped})`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const lines = [
    `bench/load: ${report.calls} calls, retry rate ${o.retryRate}, ${o.connections} connections, ` +
      `seed ${o.seed}; 2 instances on one Redis; ${report.machine.cpus} CPUs, Node ${report.machine.node}`,
    '',
    `| ${'metric'.padEnd(width)} | ${'value'.padEnd(valueWidth)} |`,
    `| ${'-'.repeat(width)} | ${'-'.repeat(valueWidth)} |`,
    ...rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value.padEnd(valueWidth)} |`),
    '',
  ];
  const errors = Object.entries(report.serverErrors);
  if (errors.length > 0) {
    lines.push(
      `errors logged by the instances: ${errors.map(([c, n]) => `${c} ×${n}`).join(', ')}`,
    );
  }
  if (report.retriesToSameInstance > 0 || report.fillerRequests > 0) {
    lines.push(
      `retries sent to the same instance (tail of the run): ${report.retriesToSameInstance}; ` +
        `filler requests: ${report.fillerRequests}`,
    );
  }
  lines.push(
    report.failures.length === 0
      ? 'targets met: 0 lost, 0 handled twice, 0 differing, 0 non-2xx, every call completed'
      : `TARGETS MISSED: ${report.failures.join('; ')}`,
  );
  return lines.join('\n');
}

/** Only what autocannon's internals give: ends a connection after its current answer. */
interface ClientInternals {
  responseMax?: number;
  reqsMade?: unknown;
}

/** The signal that stopped the run, if any (exit code 130). */
let interrupted = false;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = Date.now();
  const progress = (message: string): void => {
    process.stderr.write(`bench/load: ${message}\n`);
  };
  let stopped: Report['stopped'] = 'completed';
  const stopHooks = new Set<() => void>();
  const stop = (why: Report['stopped']): void => {
    if (stopped === 'completed') stopped = why;
    for (const hook of stopHooks) hook();
  };
  const limit = setTimeout(() => stop('time limit'), options.timeLimitSeconds * 1000);
  let signals = 0;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    signals += 1;
    if (signals > 1) process.exit(130); // the exit hook kills what is still running
    interrupted = true;
    progress(`${signal}: stopping`);
    stop(signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const checkStopped = (): void => {
    if (stopped !== 'completed') throw new Error(`stopped (${stopped}) before the traffic`);
  };

  let redis: StartedRedis | undefined;
  let redisUrl = process.env['REDIS_URL'] ?? '';
  if (redisUrl === '') {
    progress('starting redis-server on 127.0.0.1');
    redis = await startRedis();
    redisUrl = redis.url;
  }
  checkStopped();
  const keyPrefix = `callcontrol-bench:${randomBytes(6).toString('hex')}:`;
  const secret = randomBytes(24).toString('hex');
  const log: ServerLog = { handled: new Map(), routing: new Map(), errors: new Map(), lines: 0 };
  const env = {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    PLACETEL_SECRET: secret,
    FORWARD_TO: '022129191999',
  };
  progress(`starting two instances of dist/examples/server.js (${redisUrl}, ${keyPrefix})`);
  const instances = await Promise.all([
    startInstance('A', env, (line) => readLine(log, line)),
    startInstance('B', env, (line) => readLine(log, line)),
  ]);
  checkStopped();
  let stoppingInstances = false;
  for (const instance of instances) {
    instance.child.once('exit', () => {
      if (!stoppingInstances) stop('an instance exited');
    });
  }

  const calls = generateCalls(options.seed, options.calls, options.retryRate, secret);
  const scheduler = new Scheduler(calls);
  const latencies: number[] = [];
  const requestsPerInstance: [number, number] = [0, 0];
  let fillers = 0;
  let firstSentAt: number | undefined;
  let lastAnsweredAt = 0;

  const drive = (side: Side, instance: Instance): Promise<RunReport> =>
    new Promise((resolve, reject) => {
      const remaining = Math.max(1, options.timeLimitSeconds - (Date.now() - startedAt) / 1000);
      const perInstance =
        Math.ceil(options.connections / 2) - (side === 1 ? options.connections % 2 : 0);
      const run = autocannon(
        {
          url: instance.origin,
          connections: perInstance,
          pipelining: 1,
          duration: Math.ceil(remaining),
          timeout: 30,
          // An instance that went away: stop this run instead of reconnecting until the limit.
          bailout: 100,
          requests: [
            {
              setupRequest: (request, context) => {
                const holder = context as { job?: Job | undefined };
                const job = scheduler.take(side);
                holder.job = job;
                requestsPerInstance[side] += 1;
                if (job === undefined) {
                  // Not expected: connections end when there is nothing for them (see below).
                  fillers += 1;
                  return { ...request, method: 'GET', path: '/', body: '' };
                }
                const now = performance.now();
                firstSentAt ??= now;
                scheduler.sent(job, side, now);
                return {
                  ...request,
                  method: 'POST',
                  path: '/placetel',
                  headers: { ...job.event.request.headers },
                  body: job.event.request.body,
                };
              },
              onResponse: (status, body, context) => {
                const job = (context as { job?: Job | undefined }).job;
                if (job === undefined) return;
                const now = performance.now();
                lastAnsweredAt = now;
                scheduler.answered(job, status, body, now);
              },
            },
          ],
          setupClient: (client) => {
            const internals = client as unknown as ClientInternals;
            if (typeof internals.reqsMade !== 'number') {
              throw new Error('autocannon changed: its Client has no reqsMade counter');
            }
            scheduler.live[side] += 1;
            let ending = false;
            // Runs after onResponse and before the connection asks for its next request: a
            // connection with nothing to send ends (autocannon ends a connection once it made
            // `responseMax` requests) instead of sending filler requests.
            client.on('response', () => {
              if (ending || scheduler.hasWork(side)) return;
              ending = true;
              scheduler.live[side] -= 1;
              internals.responseMax = Math.max(1, Number(internals.reqsMade));
            });
          },
        },
        (error: unknown, result: autocannon.Result) => {
          stopHooks.delete(halt);
          if (error !== null && error !== undefined) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          resolve({
            errors: result.errors,
            timeouts: result.timeouts,
            non2xx: result.non2xx,
            sent: result.requests.sent,
          });
        },
      );
      const halt = (): void => run.stop();
      stopHooks.add(halt);
      run.on('response', (_client, _status, _bytes, responseTime) => {
        latencies.push(responseTime);
      });
    });

  progress(
    `driving ${options.calls} calls with autocannon (${options.connections} connections, ` +
      `retry rate ${options.retryRate}, seed ${options.seed})`,
  );
  const watch = setInterval(() => {
    if (scheduler.finished()) stop('completed');
  }, 200);
  const runs = await Promise.all([drive(0, instances[0]), drive(1, instances[1])]);
  clearInterval(watch);
  clearTimeout(limit);

  const rss = instances.map((instance) => peakRss(instance.child.pid) ?? null);
  const redisRss = redis === undefined ? null : (peakRss(redis.child.pid) ?? null);
  stoppingInstances = true;
  progress('stopping the instances and reading their logs');
  await Promise.all(instances.map((instance) => stopChild(instance.child)));
  if (redis !== undefined) await stopChild(redis.child);

  // What was sent, answered and handled.
  const distinctSent = new Set<string>();
  let answered = 0;
  let unanswered = 0;
  let non2xx = 0;
  let retries = 0;
  let retriesInFlight = 0;
  let retriesSameInstance = 0;
  let differing = 0;
  let notExpected = 0;
  for (const job of scheduler.jobs) {
    if (job.sentAt === undefined) continue;
    const name = job.event.request.event;
    if (job.original === undefined) distinctSent.add(`${name}:${job.call.callId.slice(0, 12)}`);
    if (job.status === undefined || job.body === undefined) {
      unanswered += 1;
      continue;
    }
    answered += 1;
    if (job.status < 200 || job.status > 299) non2xx += 1;
    else if (!expectedAnswer(job.call.kind, name, job.body)) notExpected += 1;
    const first = job.original;
    if (first === undefined) continue;
    retries += 1;
    if (first.answeredAt === undefined || job.sentAt < first.answeredAt) retriesInFlight += 1;
    if (first.sentTo === job.sentTo) retriesSameInstance += 1;
    if (first.status !== undefined && (first.status !== job.status || first.body !== job.body)) {
      differing += 1;
    }
  }
  let callsCompleted = 0;
  let sessionsNotSeen = 0;
  for (const call of calls) {
    const firsts = scheduler.jobs.filter((job) => job.call === call && job.original === undefined);
    const complete =
      firsts.length === call.events.length &&
      firsts.every((job) => job.status !== undefined && job.status >= 200 && job.status <= 299);
    if (complete) callsCompleted += 1;
    if (complete) {
      const routing = log.routing.get(call.callId.slice(0, 12)) ?? [];
      if (routing.length !== 1 || routing[0] !== expectedRouting(call.kind)) sessionsNotSeen += 1;
    }
  }
  let lost = 0;
  let twice = 0;
  for (const key of distinctSent) {
    const count = log.handled.get(key) ?? 0;
    if (count === 0) lost += 1;
    else twice += count - 1;
  }
  let notSent = 0;
  for (const [key, count] of log.handled) if (!distinctSent.has(key)) notSent += count;

  const sorted = Float64Array.from(latencies).sort();
  const trafficMs = firstSentAt === undefined ? 0 : Math.max(1, lastAnsweredAt - firstSentAt);
  const autocannonErrors = runs.reduce((sum, run) => sum + run.errors, 0);
  const failures: string[] = [];
  if (callsCompleted !== calls.length)
    failures.push(`${calls.length - callsCompleted} calls not completed`);
  if (lost > 0) failures.push(`${lost} events lost`);
  if (twice > 0) failures.push(`${twice} events handled twice`);
  if (notSent > 0) failures.push(`${notSent} handled events that were not sent`);
  if (differing > 0) failures.push(`${differing} retries answered differently`);
  if (non2xx > 0) failures.push(`${non2xx} non-2xx answers`);
  if (unanswered > 0) failures.push(`${unanswered} requests unanswered`);
  if (notExpected > 0) failures.push(`${notExpected} answers not as expected`);
  if (sessionsNotSeen > 0) failures.push(`${sessionsNotSeen} HungUps without the call's session`);
  if (stopped !== 'completed') failures.push(`stopped by ${stopped}`);

  const report: Report = {
    options,
    machine: { cpus: availableParallelism(), node: process.version },
    calls: calls.length,
    callsCompleted,
    eventsSent: distinctSent.size,
    eventsLost: lost,
    eventsHandledTwice: twice,
    logLinesOfEventsNotSent: notSent,
    requestsSent: scheduler.jobs.filter((job) => job.sentAt !== undefined).length + fillers,
    requestsAnswered: answered,
    requestsUnanswered: unanswered,
    retries,
    retriesWhileFirstInFlight: retriesInFlight,
    retriesToSameInstance: retriesSameInstance,
    answersDifferingFromRetry: differing,
    // autocannon counts every answer; the jobs' own count must agree.
    non2xx: Math.max(
      non2xx,
      runs.reduce((sum, run) => sum + run.non2xx, 0),
    ),
    answersNotAsExpected: notExpected,
    sessionsNotSeenAtHungUp: sessionsNotSeen,
    fillerRequests: fillers,
    autocannonErrors,
    latencyMs: {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? 0,
    },
    requestsPerSecond: (answered * 1000) / Math.max(1, trafficMs),
    trafficSeconds: trafficMs / 1000,
    instances: instances.map((instance, index) => ({
      name: instance.name,
      requests: requestsPerInstance[index] ?? 0,
      peakRssBytes: rss[index] ?? null,
      stderrLines: instance.stderrLines,
    })),
    redis: { started: redis !== undefined, peakRssBytes: redisRss },
    serverErrors: Object.fromEntries(log.errors),
    stopped,
    failures,
  };
  console.log(options.json ? JSON.stringify(report, null, 2) : formatTable(report));
  return interrupted ? 130 : failures.length === 0 ? 0 : 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `bench/load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return interrupted ? 130 : 1;
  })
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  });
