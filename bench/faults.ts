/**
 * `npm run bench:faults`: the store and instance faults of the reliability promises, measured on
 * loopback with two instances of the built example server (`dist/examples/server.js`) sharing a
 * redis-server this bench starts on a free 127.0.0.1 port (`scripts/redis-server.ts`).
 *
 * Scenarios (`--scenario`, default all three, one after the other):
 *
 * - `stopped`: signed Placetel traffic at `--rate` new calls a second (each call's events 500 ms
 *   apart, alternating instances, a tenth of the requests sent again to the other instance);
 *   after `--warm-up` seconds Redis gets `SIGSTOP` for `--seconds` seconds (the TCP peer still
 *   acknowledges: nothing errors, nothing answers), then `SIGCONT`; traffic goes on for
 *   `--cool-down` seconds. Every request must be answered within the deadline (3000 ms, the
 *   Placetel default) + 250 ms with a 2xx; the instances' resident memory (max RSS, sampled
 *   every 250 ms) and open file descriptors are reported; afterwards duplicate detection must
 *   work again (a delivery sent to one instance and then to the other runs its handler once),
 *   without a restart.
 * - `killed`: the same with `SIGKILL`, and redis-server started again on its port after
 *   `--seconds`.
 * - `crash`: instances whose every reply takes 500 ms (`EXAMPLE_HANDLER_DELAY_MS`); an
 *   IncomingCall is sent to one, which is killed (`SIGKILL`) as soon as its handler runs (its
 *   event log line appears), and the same request — the provider's retry — goes to the other:
 *   it must get the handler's own answer (the forward, not the fallback) within the deadline.
 *   `--crashes` times, each with a new instance in place of the killed one.
 *
 * Bounded: traffic only to 127.0.0.1, a fixed number of calls per scenario, every request given
 * up 10 s after its deadline, the whole run stopped after `--time-limit` seconds; everything
 * started here is stopped on exit, also on errors and SIGINT.
 *
 * Prints a table (or `--json`); exits 0 when every target was met, 1 otherwise, 130 on SIGINT.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { placetel } from '../src';
import {
  startInstance,
  startRedis,
  stopAll,
  stopChild,
  type Instance,
  type StartedRedis,
} from './processes';
import { expectedAnswer, FORWARD_TO, generateCalls, Prng, type SimulatedCall } from './traffic';

type Scenario = 'stopped' | 'killed' | 'crash';

/** Command-line options. */
interface Options {
  readonly scenarios: readonly Scenario[];
  readonly rate: number;
  readonly seconds: number;
  readonly warmUpSeconds: number;
  readonly coolDownSeconds: number;
  readonly retryRate: number;
  readonly crashes: number;
  readonly seed: number;
  readonly timeLimitSeconds: number;
  readonly json: boolean;
}

const USAGE = `usage: npm run bench:faults -- [options]
  --scenario S        stopped, killed, crash or all (default all)
  --rate N            new calls a second (default 100)
  --seconds S         how long Redis stays stopped or killed (default 20)
  --warm-up S         traffic before the fault, seconds (default 3)
  --cool-down S       traffic after the fault, seconds (default 5)
  --retry-rate R      share of the requests sent again to the other instance, 0..1 (default 0.1)
  --crashes N         instances killed mid-handler in the crash scenario (default 5)
  --seed N            PRNG seed of the traffic (default 1)
  --time-limit S      hard limit of the whole run in seconds (default 300)
  --json              print the result as JSON`;

/** Placetel's default answer deadline, which the example server keeps. */
const DEADLINE_MS = 3000;
/** The promise: every request answered within the deadline and this much more. */
const SLACK_MS = 250;
/** A request not answered this long after its deadline is given up (counted unanswered). */
const GIVE_UP_AFTER_MS = 10_000;
/** Between the events of one call. */
const EVENT_GAP_MS = 500;
/** How long the crash scenario's replies take (`EXAMPLE_HANDLER_DELAY_MS`). */
const CRASH_HANDLER_MS = 500;
/** Memory growth above the RSS before the fault that counts as unbounded. */
const RSS_GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;
/** How long after the fault duplicate detection may take to come back. */
const DEDUPE_RECOVERY_LIMIT_MS = 15_000;
/** Deliveries sent twice to check duplicate detection after the fault. */
const DEDUPE_CHECKS = 20;

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenario: { type: 'string', default: 'all' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '20' },
      'warm-up': { type: 'string', default: '3' },
      'cool-down': { type: 'string', default: '5' },
      'retry-rate': { type: 'string', default: '0.1' },
      crashes: { type: 'string', default: '5' },
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
  const whole = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new TypeError(`--${name} must be a whole number from ${min} to ${max}, got ${text}`);
    }
    return value;
  };
  const retryRate = Number(values['retry-rate']);
  if (!Number.isFinite(retryRate) || retryRate < 0 || retryRate > 1) {
    throw new TypeError(`--retry-rate must be from 0 to 1, got ${values['retry-rate']}`);
  }
  const all: Scenario[] = ['stopped', 'killed', 'crash'];
  const scenario = values.scenario;
  if (scenario !== 'all' && !all.includes(scenario as Scenario)) {
    throw new TypeError(`--scenario must be stopped, killed, crash or all, got ${scenario}`);
  }
  return {
    scenarios: scenario === 'all' ? all : [scenario as Scenario],
    rate: whole('rate', values.rate, 1, 500),
    seconds: whole('seconds', values.seconds, 1, 120),
    warmUpSeconds: whole('warm-up', values['warm-up'], 1, 60),
    coolDownSeconds: whole('cool-down', values['cool-down'], 1, 60),
    retryRate,
    crashes: whole('crashes', values.crashes, 1, 50),
    seed: whole('seed', values.seed, 0, 2 ** 31),
    timeLimitSeconds: whole('time-limit', values['time-limit'], 10, 3600),
    json: values.json,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The run's stop signal: set by the time limit or SIGINT; long waits look at it. */
const run = { stopped: undefined as string | undefined };

function checkRunning(): void {
  if (run.stopped !== undefined) throw new Error(`stopped (${run.stopped})`);
}

/** One request's outcome. */
interface Sent {
  readonly at: number;
  status: number | undefined;
  body: string;
  ms: number | undefined;
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

/** POSTs a simulated Placetel request to `origin` and times it; never rejects. */
function send(origin: string, simulated: placetel.PlacetelSimulatedRequest): Promise<Sent> {
  const sent: Sent = { at: performance.now(), status: undefined, body: '', ms: undefined };
  return new Promise((resolve) => {
    const url = new URL('/placetel', origin);
    if (url.hostname !== '127.0.0.1') throw new Error(`not loopback: ${origin}`);
    const body = Buffer.from(simulated.body, 'utf8');
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...simulated.headers, 'content-length': String(body.length) },
        timeout: DEADLINE_MS + GIVE_UP_AFTER_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          sent.status = res.statusCode;
          sent.body = Buffer.concat(chunks).toString('utf8');
          sent.ms = performance.now() - sent.at;
          resolve(sent);
        });
        res.on('error', () => resolve(sent));
      },
    );
    req.on('timeout', () => req.destroy(new Error('gave up')));
    req.on('error', () => resolve(sent));
    req.end(body);
  });
}

/** Resident and peak memory, and open file descriptors, of a running process. */
function sample(pid: number | undefined): { rss: number; fds: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return {
      rss: rss === undefined ? 0 : Number(rss) * 1024,
      fds: readdirSync(`/proc/${pid}/fd`).length,
    };
  } catch {
    return undefined;
  }
}

/** Samples the instances' memory and descriptors every 250 ms until stopped. */
class Monitor {
  readonly maxRss = [0, 0];
  readonly maxFds = [0, 0];
  readonly #timer: NodeJS.Timeout;

  constructor(readonly instances: readonly Instance[]) {
    this.#timer = setInterval(() => this.take(), 250);
  }

  /** Current RSS of each instance. */
  take(): number[] {
    return this.instances.map((instance, i) => {
      const now = sample(instance.child.pid);
      if (now === undefined) return 0;
      this.maxRss[i] = Math.max(this.maxRss[i] ?? 0, now.rss);
      this.maxFds[i] = Math.max(this.maxFds[i] ?? 0, now.fds);
      return now.rss;
    });
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** What the instances logged (their one-line event logs), read from stdout. */
class EventLog {
  /** `<Event>:<first 12 characters of the call id>` → lines. */
  readonly handled = new Map<string, number>();
  readonly #waiters = new Map<string, () => void>();

  line(line: string): void {
    const match = /^placetel (\w+) call=([0-9a-f]{12}) /.exec(line);
    if (match === null) return;
    const key = `${match[1] ?? ''}:${match[2] ?? ''}`;
    this.handled.set(key, (this.handled.get(key) ?? 0) + 1);
    this.#waiters.get(key)?.();
  }

  count(event: string, callId: string): number {
    return this.handled.get(`${event}:${callId.slice(0, 12)}`) ?? 0;
  }

  /** Resolves `true` once `event` of `callId` is logged, `false` after `ms`. */
  seen(event: string, callId: string, ms: number): Promise<boolean> {
    const key = `${event}:${callId.slice(0, 12)}`;
    if (this.handled.has(key)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        resolve(false);
      }, ms);
      this.#waiters.set(key, () => {
        clearTimeout(timer);
        this.#waiters.delete(key);
        resolve(true);
      });
    });
  }
}

/** The environment of the instances of one scenario. */
function instanceEnv(redisUrl: string, secret: string, extra: Record<string, string> = {}) {
  return {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `callcontrol-faults:${randomBytes(6).toString('hex')}:`,
    PLACETEL_SECRET: secret,
    FORWARD_TO,
    NODE_ENV: 'production',
    ...extra,
  };
}

/** The result of the `stopped` or `killed` scenario. */
interface OutageReport {
  readonly scenario: 'stopped' | 'killed';
  readonly faultSeconds: number;
  readonly calls: number;
  readonly requests: number;
  readonly answered: number;
  readonly unanswered: number;
  readonly non2xx: number;
  readonly late: number;
  readonly answersNotAsExpected: number;
  readonly maxLatencyMs: number;
  readonly maxLatencyDuringFaultMs: number;
  readonly p99LatencyMs: number;
  readonly rssBeforeBytes: readonly number[];
  readonly maxRssBytes: readonly number[];
  readonly maxOpenFds: readonly number[];
  readonly dedupeBackAfterMs: number | null;
  readonly dedupeChecksPassed: number;
  readonly failures: readonly string[];
}

/** The result of the `crash` scenario. */
interface CrashReport {
  readonly scenario: 'crash';
  readonly crashes: number;
  readonly retriesAnsweredByHandler: number;
  readonly retriesInTime: number;
  readonly retryLatencyMs: readonly number[];
  readonly failures: readonly string[];
}

type ScenarioReport = OutageReport | CrashReport;

function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/**
 * Plays calls at `rate` a second for `seconds` against the two instances: each event of a call
 * `EVENT_GAP_MS` after the answer to the one before (or the gap, whichever is later), on the
 * other instance; a request drawn for a retry is sent again to the other instance right away.
 */
async function playTraffic(
  instances: readonly Instance[],
  calls: readonly SimulatedCall[],
  rate: number,
  record: (call: SimulatedCall, event: string, sent: Sent) => void,
): Promise<void> {
  const playing: Promise<void>[] = [];
  const started = performance.now();
  for (const [index, call] of calls.entries()) {
    checkRunning();
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    playing.push(
      (async () => {
        for (const [step, event] of call.events.entries()) {
          const side = (index + step) % 2;
          const here = instances[side] as Instance;
          const there = instances[1 - side] as Instance;
          const gap = sleep(EVENT_GAP_MS);
          const first = send(here.origin, event.request);
          const retry = event.retry === undefined ? undefined : send(there.origin, event.request);
          const [answer, again] = await Promise.all([first, retry]);
          record(call, event.request.event, answer);
          if (again !== undefined) record(call, event.request.event, again);
          await gap;
        }
      })(),
    );
  }
  await Promise.all(playing);
}

/**
 * Waits until duplicate detection works (a delivery sent to one instance, then to the other,
 * runs the handler once), then checks it `DEDUPE_CHECKS` times. Resolves how long it took to
 * come back (`null`: not within the limit) and how many checks passed.
 */
async function dedupeBack(
  instances: readonly Instance[],
  log: EventLog,
  secret: string,
  prng: Prng,
): Promise<{ afterMs: number | null; passed: number }> {
  const start = performance.now();
  let nth = 0;
  const once = async (): Promise<boolean> => {
    const call = generateCalls(prng.uint32(), 1, 0, secret)[0] as SimulatedCall;
    const event = call.events[0];
    if (event === undefined) return false;
    const side = nth++ % 2;
    const first = await send((instances[side] as Instance).origin, event.request);
    await sleep(50); // the reply is stored beside the answer
    const again = await send((instances[1 - side] as Instance).origin, event.request);
    await sleep(50); // the log line of a second run would be there by now
    return (
      first.status === 200 &&
      again.status === 200 &&
      again.body === first.body &&
      log.count(event.request.event, call.callId) === 1
    );
  };
  let afterMs: number | null = null;
  while (performance.now() - start < DEDUPE_RECOVERY_LIMIT_MS) {
    checkRunning();
    if (await once()) {
      afterMs = performance.now() - start;
      break;
    }
    await sleep(200);
  }
  if (afterMs === null) return { afterMs, passed: 0 };
  let passed = 0;
  for (let i = 0; i < DEDUPE_CHECKS; i++) if (await once()) passed++;
  return { afterMs, passed };
}

async function outage(
  scenario: 'stopped' | 'killed',
  options: Options,
  progress: (message: string) => void,
): Promise<OutageReport> {
  let redis: StartedRedis = await startRedis();
  const port = Number(new URL(redis.url).port);
  const secret = randomBytes(24).toString('hex');
  const log = new EventLog();
  const env = instanceEnv(redis.url, secret);
  const instances = await Promise.all([
    startInstance('A', env, (line) => log.line(line)),
    startInstance('B', env, (line) => log.line(line)),
  ]);
  const monitor = new Monitor(instances);
  const totalSeconds = options.warmUpSeconds + options.seconds + options.coolDownSeconds;
  const calls = generateCalls(options.seed, totalSeconds * options.rate, options.retryRate, secret);
  const latencies: number[] = [];
  let requests = 0;
  let answered = 0;
  let non2xx = 0;
  let late = 0;
  let notExpected = 0;
  let faultStart = Number.POSITIVE_INFINITY;
  let faultEnd = Number.POSITIVE_INFINITY;
  let maxDuringFault = 0;
  const record = (call: SimulatedCall, event: string, sent: Sent): void => {
    requests++;
    if (sent.status === undefined || sent.ms === undefined) return;
    answered++;
    latencies.push(sent.ms);
    if (sent.at >= faultStart && sent.at <= faultEnd)
      maxDuringFault = Math.max(maxDuringFault, sent.ms);
    if (sent.status < 200 || sent.status > 299) non2xx++;
    else if (!expectedAnswer(call.kind, event, sent.body)) notExpected++;
    if (sent.ms > DEADLINE_MS + SLACK_MS) late++;
  };
  progress(
    `${scenario}: ${calls.length} calls at ${options.rate}/s; Redis ${scenario} after ` +
      `${options.warmUpSeconds} s for ${options.seconds} s`,
  );
  const traffic = playTraffic(instances, calls, options.rate, record);
  await sleep(options.warmUpSeconds * 1000);
  const rssBefore = monitor.take();
  faultStart = performance.now();
  redis.child.kill(scenario === 'stopped' ? 'SIGSTOP' : 'SIGKILL');
  await sleep(options.seconds * 1000);
  if (scenario === 'stopped') redis.child.kill('SIGCONT');
  else {
    await stopChild(redis.child);
    redis = await startRedis({ port });
  }
  faultEnd = performance.now();
  progress(`${scenario}: Redis is back; traffic goes on for ${options.coolDownSeconds} s`);
  await traffic;
  progress(`${scenario}: checking duplicate detection`);
  const dedupe = await dedupeBack(instances, log, secret, new Prng(options.seed + 7));
  monitor.take();
  monitor.stop();
  await Promise.all(instances.map((instance) => stopChild(instance.child)));
  await stopChild(redis.child);

  const failures: string[] = [];
  const unanswered = requests - answered;
  if (unanswered > 0) failures.push(`${unanswered} unanswered`);
  if (non2xx > 0) failures.push(`${non2xx} non-2xx`);
  if (late > 0) failures.push(`${late} answered after the deadline + ${SLACK_MS} ms`);
  if (notExpected > 0) failures.push(`${notExpected} answers not as expected`);
  monitor.maxRss.forEach((max, i) => {
    if (max - (rssBefore[i] ?? 0) > RSS_GROWTH_LIMIT_BYTES) {
      failures.push(`instance ${i === 0 ? 'A' : 'B'} grew by more than 64 MiB`);
    }
  });
  if (dedupe.afterMs === null) failures.push('duplicate detection did not come back');
  else if (dedupe.passed !== DEDUPE_CHECKS) {
    failures.push(`duplicate detection: ${dedupe.passed}/${DEDUPE_CHECKS} checks`);
  }
  return {
    scenario,
    faultSeconds: options.seconds,
    calls: calls.length,
    requests,
    answered,
    unanswered,
    non2xx,
    late,
    answersNotAsExpected: notExpected,
    maxLatencyMs: Math.max(0, ...latencies),
    maxLatencyDuringFaultMs: maxDuringFault,
    p99LatencyMs: percentile(latencies, 0.99),
    rssBeforeBytes: rssBefore,
    maxRssBytes: monitor.maxRss,
    maxOpenFds: monitor.maxFds,
    dedupeBackAfterMs: dedupe.afterMs,
    dedupeChecksPassed: dedupe.passed,
    failures,
  };
}

async function crash(options: Options, progress: (message: string) => void): Promise<CrashReport> {
  const redis = await startRedis();
  const secret = randomBytes(24).toString('hex');
  const log = new EventLog();
  const env = instanceEnv(redis.url, secret, {
    EXAMPLE_HANDLER_DELAY_MS: String(CRASH_HANDLER_MS),
  });
  let doomed = await startInstance('A1', env, (line) => log.line(line));
  const survivor = await startInstance('B', env, (line) => log.line(line));
  const prng = new Prng(options.seed + 13);
  const latencies: number[] = [];
  let byHandler = 0;
  let inTime = 0;
  const failures: string[] = [];
  for (let trial = 1; trial <= options.crashes; trial++) {
    checkRunning();
    // An answered incoming call: its IncomingCall is forwarded by the handler.
    let call: SimulatedCall;
    do call = generateCalls(prng.uint32(), 1, 0, secret)[0] as SimulatedCall;
    while (call.kind !== 'answered');
    const incoming = call.events[0];
    if (incoming === undefined) throw new Error('a call without events');
    progress(
      `crash ${trial}/${options.crashes}: IncomingCall to ${doomed.name}, killed mid-handler`,
    );
    void send(doomed.origin, incoming.request); // never answered: the instance dies
    if (!(await log.seen('IncomingCall', call.callId, 5000))) {
      failures.push(`crash ${trial}: the handler did not start`);
      continue;
    }
    doomed.child.kill('SIGKILL');
    const retry = await send(survivor.origin, incoming.request);
    const ok = retry.status === 200 && expectedAnswer(call.kind, 'IncomingCall', retry.body);
    if (ok) byHandler++;
    if (retry.ms !== undefined) latencies.push(retry.ms);
    if (retry.ms !== undefined && retry.ms <= DEADLINE_MS) inTime++;
    if (!ok)
      failures.push(
        `crash ${trial}: the retry got ${retry.status ?? 'no answer'}, not the handler's answer`,
      );
    else if (retry.ms === undefined || retry.ms > DEADLINE_MS) {
      failures.push(`crash ${trial}: the retry was answered after ${Math.round(retry.ms ?? 0)} ms`);
    }
    await stopChild(doomed.child);
    if (trial < options.crashes) {
      doomed = await startInstance(`A${trial + 1}`, env, (line) => log.line(line));
    }
  }
  await stopChild(survivor.child);
  await stopChild(redis.child);
  return {
    scenario: 'crash',
    crashes: options.crashes,
    retriesAnsweredByHandler: byHandler,
    retriesInTime: inTime,
    retryLatencyMs: latencies.map((ms) => Math.round(ms)),
    failures,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function formatTable(reports: readonly ScenarioReport[], options: Options): string {
  const rows: [string, string][] = [];
  for (const report of reports) {
    if (report.scenario === 'crash') {
      rows.push(
        [
          'instance killed mid-handler: retries answered by the handler',
          `${report.retriesAnsweredByHandler} / ${report.crashes}`,
        ],
        [
          'instance killed mid-handler: retry answered within the deadline',
          `${report.retriesInTime} / ${report.crashes} (${report.retryLatencyMs.join(', ')} ms)`,
        ],
      );
      continue;
    }
    const what =
      report.scenario === 'stopped'
        ? `Redis stopped ${report.faultSeconds} s`
        : `Redis killed ${report.faultSeconds} s`;
    rows.push(
      [
        `${what}: requests answered`,
        `${report.answered} / ${report.requests} (${report.calls} calls)`,
      ],
      [`${what}: non-2xx, after deadline + ${SLACK_MS} ms`, `${report.non2xx}, ${report.late}`],
      [
        `${what}: max latency (during the fault), p99`,
        `${report.maxLatencyMs.toFixed(0)} (${report.maxLatencyDuringFaultMs.toFixed(0)}) ms, ${report.p99LatencyMs.toFixed(0)} ms`,
      ],
      [
        `${what}: RSS before → max (A, B)`,
        report.rssBeforeBytes
          .map((before, i) => `${mib(before)} → ${mib(report.maxRssBytes[i] ?? 0)}`)
          .join(', '),
      ],
      [`${what}: max open descriptors (A, B)`, report.maxOpenFds.join(', ')],
      [
        `${what}: duplicates detected again, after the traffic`,
        report.dedupeBackAfterMs === null
          ? 'no'
          : `${report.dedupeChecksPassed}/${DEDUPE_CHECKS} checks (first after ${(report.dedupeBackAfterMs / 1000).toFixed(1)} s)`,
      ],
    );
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  const failures = reports.flatMap((report) =>
    report.failures.map((f) => `${report.scenario}: ${f}`),
  );
  return [
    `bench/faults: ${options.rate} new calls/s, retry rate ${options.retryRate}, seed ${options.seed}; ` +
      `deadline ${DEADLINE_MS} ms; 2 instances on one Redis; ${availableParallelism()} CPUs, Node ${process.version}`,
    '',
    `| ${'measure'.padEnd(width)} | ${'value'.padEnd(valueWidth)} |`,
    `| ${'-'.repeat(width)} | ${'-'.repeat(valueWidth)} |`,
    ...rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value.padEnd(valueWidth)} |`),
    '',
    failures.length === 0 ? 'targets met' : `TARGETS MISSED: ${failures.join('; ')}`,
  ].join('\n');
}

let interrupted = false;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const progress = (message: string): void => {
    process.stderr.write(`bench/faults: ${message}\n`);
  };
  const limit = setTimeout(() => {
    run.stopped = 'time limit';
  }, options.timeLimitSeconds * 1000);
  limit.unref();
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    run.stopped = 'SIGINT';
    progress('SIGINT: stopping');
  });
  const reports: ScenarioReport[] = [];
  for (const scenario of options.scenarios) {
    checkRunning();
    reports.push(
      scenario === 'crash'
        ? await crash(options, progress)
        : await outage(scenario, options, progress),
    );
  }
  clearTimeout(limit);
  agent.destroy();
  console.log(
    options.json ? JSON.stringify({ options, reports }, null, 2) : formatTable(reports, options),
  );
  return interrupted ? 130 : reports.every((report) => report.failures.length === 0) ? 0 : 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `bench/faults failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return interrupted ? 130 : 1;
  })
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  });
