/**
 * `npm run bench:http`: requests/s, server CPU time per request, p50/p99 latency and peak RSS of
 * callcontrol against two baselines and two ceilings, measured side by side in one run over
 * loopback, and their ratios (absolute numbers on a shared machine are noise; ratios of
 * interleaved runs are not).
 *
 * Placement (pinned measurement): with at least two CPUs (`os.availableParallelism()` and
 * `Cpus_allowed_list` of `/proc/self/status`) and `taskset` (util-linux), the driver pins all its
 * threads to the first CPU (`taskset -a -p -c 0 <pid>`; autocannon, the load generator, runs in
 * the driver) and starts each server alone on the second (`taskset -c 1 node …`), so that the
 * generator never takes the server's CPU. The CPUs each server's threads ran on are read from
 * `/proc/<pid>/task/*` and printed (a server elsewhere makes the run invalid). With one CPU, no
 * taskset, or `--unpinned`, it says so and runs unpinned: both share the CPUs.
 *
 * The traffic is one kind of request, a signed Placetel `IncomingCall` answered with a Forward
 * to two numbers, served by (each in its own child process, `bench/servers/*.ts`):
 *
 * 1. `a` — baseline A: a hand-written Express route (`express.urlencoded()` + HMAC check +
 *    template string answer);
 * 2. `b` — baseline B: the same with twilio-node's `webhook()` and `VoiceResponse`;
 * 3. `ceiling` — a bare `node:http` server reading the body and answering a constant;
 * 4. `cc-express` — callcontrol on Express, default options (duplicate detection on, memory store);
 * 5. `cc-node` — callcontrol on `http.createServer(calls.node())`, default options;
 *
 * and, as rows 4′ and 5′, `cc-express-nodup` and `cc-node-nodup` with `duplicates: false`;
 * 6. `cc-twilio` — the Twilio workload: callcontrol's Twilio provider on Express, verifying
 *    `X-Twilio-Signature` and answering the voice request with a `<Dial>`, side by side with
 *    baseline B (the ratio 6/2);
 * 7. `cc-node-redis` — server 5 with a `RedisStore` on a local redis-server that the driver starts
 *    on 127.0.0.1 on a free port without persistence (`scripts/redis-server.ts`, which finds it
 *    with `scripts/ensure-redis.sh`), pinned to the generator's CPU (the server under test must
 *    have its CPU alone), flushed before each run (so each run's deliveries are new to it) and
 *    stopped at the end; its own CPU per request is printed apart. Without redis-server it is
 *    left out of the default set with a note (asked for with `--servers`, the run fails);
 * 8. `express-ceiling` — Express with a mounted middleware answering the constant: what Express
 *    itself costs;
 * 9. `cc-express-front` — server 4's app answered in front of an Express app by `routeWebhooks`
 *    (the webhook path never enters Express), against baselines A and B (9/1, 9/2);
 * 10. `cc-twilio-front` — server 6's Twilio app the same way (10/2).
 *
 * - Every request is distinct: `--bodies` signed bodies (distinct call ids) are generated first
 *   and cycled through, the same for every server. Each carries `X-PLACETEL-SIGNATURE` (HMAC-SHA256
 *   of the body) and `X-Twilio-Signature` (Twilio's HMAC-SHA1 over URL and fields), so every
 *   server verifies a real signature; a server that remembers deliveries must not be sent more
 *   requests than there are bodies (else the run is invalid: raise `--bodies`).
 * - Each run starts the server afresh on 127.0.0.1 (port 0), drives it with autocannon
 *   (`--connections`, `--warmup` s, then `--duration` s measured), reads its CPU time over the
 *   measured phase (`/proc/<pid>/stat` utime + stime) and its peak RSS (`VmHWM`), and stops it.
 *   Runs go in rounds (1, 2, 3, 4, 5, 4′, 5′, 6, 7, 8; again…), and each figure is the median of
 *   `--rounds` rounds; a ratio is the median of its per-round ratios.
 * - The ratios carry the performance targets (pinned, default options): 5/3 server CPU per request
 *   at most 2.0; 4/1 requests/s at least 1.4, 4/2 at least 1.6, 6/2 at least 1.5, 7/5 at least
 *   0.5; 4′ and 5′ against the same targets, and 8/3, 4/8 as references without a target.
 * - Every answer's status must be 200 and its body the expected XML, else the run is invalid
 *   (exit 1): a server that answers errors fast does not win.
 * - `--profile`: instead, one run of `--profile-server` under `node --cpu-prof` (pinned as above),
 *   the profile written to `bench/profiles/` (git-ignored) and summarised (see `bench/profile.ts`).
 *
 * Exit code: 0 when every run was valid (targets missed are printed as FAIL; `--strict` makes
 * them exit 1 too), 1 for an invalid run or a failure, 130 on SIGINT.
 *
 * @module
 */
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import twilio from 'twilio';
import { placetel } from '../src';
import {
  peakRss,
  pinProcess,
  planCpus,
  ROOT,
  startRedis,
  stopChild,
  threadCpus,
  type CpuPlan,
  type StartedRedis,
} from './processes';
import { formatProfileSummary, summarizeProfile } from './profile';
import { machineLine, markdownTable, median, mib, percentile, verdict, whole } from './report';
import {
  BENCH_PATH,
  ENV,
  FORWARD_XML,
  LISTENING_LINE,
  TWILIO_SIGNED_URL,
  TWIML_XML,
} from './servers/shared';

/** One server of the comparison. */
interface ServerDefinition {
  readonly id: string;
  /** Row label of the table. */
  readonly label: string;
  /** `dist/bench/servers/<file>` */
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
  /** The body every answer must have. */
  readonly expected: string;
  /** Whether the server remembers deliveries, so a repeated body would be answered from memory. */
  readonly remembers: boolean;
  /** `false`: left out unless named in `--servers` (none is today: all run by default). */
  readonly byDefault?: false;
  /** Whether it needs the local redis-server (`BENCH_REDIS_URL`), flushed before each run. */
  readonly redis?: true;
}

const SERVERS: readonly ServerDefinition[] = [
  {
    id: 'a',
    label: '1 baseline A: Express + urlencoded + HMAC + template',
    file: 'express-baseline.js',
    env: {},
    expected: FORWARD_XML,
    remembers: false,
  },
  {
    id: 'b',
    label: '2 baseline B: Express + twilio webhook() + VoiceResponse',
    file: 'twilio-baseline.js',
    env: {},
    expected: TWIML_XML,
    remembers: false,
  },
  {
    id: 'ceiling',
    label: '3 ceiling: bare node:http, constant answer',
    file: 'node-ceiling.js',
    env: {},
    expected: FORWARD_XML,
    remembers: false,
  },
  {
    id: 'cc-express',
    label: '4 callcontrol on Express (defaults)',
    file: 'callcontrol-express.js',
    env: { [ENV.duplicates]: 'on' },
    expected: FORWARD_XML,
    remembers: true,
  },
  {
    id: 'cc-node',
    label: '5 callcontrol calls.node() (defaults)',
    file: 'callcontrol-node.js',
    env: { [ENV.duplicates]: 'on' },
    expected: FORWARD_XML,
    remembers: true,
  },
  {
    id: 'cc-express-nodup',
    label: "4' callcontrol on Express, duplicates: false",
    file: 'callcontrol-express.js',
    env: { [ENV.duplicates]: 'off' },
    expected: FORWARD_XML,
    remembers: false,
  },
  {
    id: 'cc-node-nodup',
    label: "5' callcontrol calls.node(), duplicates: false",
    file: 'callcontrol-node.js',
    env: { [ENV.duplicates]: 'off' },
    expected: FORWARD_XML,
    remembers: false,
  },
  {
    id: 'cc-twilio',
    label: '6 callcontrol Twilio on Express (defaults)',
    file: 'callcontrol-twilio.js',
    env: {},
    expected: TWIML_XML,
    remembers: false,
  },
  {
    id: 'cc-node-redis',
    label: '7 callcontrol calls.node() (defaults), RedisStore',
    file: 'callcontrol-node-redis.js',
    env: { [ENV.duplicates]: 'on' },
    expected: FORWARD_XML,
    remembers: true,
    redis: true,
  },
  {
    id: 'express-ceiling',
    label: '8 Express ceiling: app.use(path, constant answer)',
    file: 'express-ceiling.js',
    env: {},
    expected: FORWARD_XML,
    remembers: false,
  },
  {
    id: 'cc-express-front',
    label: '9 callcontrol in front of Express: routeWebhooks (defaults)',
    file: 'callcontrol-express-front.js',
    env: { [ENV.duplicates]: 'on' },
    expected: FORWARD_XML,
    remembers: true,
  },
  {
    id: 'cc-twilio-front',
    label: '10 callcontrol Twilio in front of Express: routeWebhooks',
    file: 'callcontrol-twilio.js',
    env: { [ENV.front]: 'on' },
    expected: TWIML_XML,
    remembers: false,
  },
];

/** The servers run without `--servers`. */
const DEFAULT_SERVERS = SERVERS.filter((server) => server.byDefault !== false);

/**
 * The ratios reported: numerator ÷ denominator server ids, by `measure` — `requests/s` (the
 * target is a floor: at least) or `cpu` (server CPU µs per request; the target is a ceiling: at
 * most) — and the target (`undefined`: a reference without a target).
 */
const RATIOS: readonly {
  readonly name: string;
  readonly over: string;
  readonly under: string;
  readonly measure: 'requests/s' | 'cpu';
  readonly target?: number;
}[] = [
  {
    name: '5/3 callcontrol node() ÷ ceiling, CPU/request',
    over: 'cc-node',
    under: 'ceiling',
    measure: 'cpu',
    target: 2.0,
  },
  {
    name: '4/1 callcontrol Express ÷ baseline A',
    over: 'cc-express',
    under: 'a',
    measure: 'requests/s',
    target: 1.4,
  },
  {
    name: '4/2 callcontrol Express ÷ baseline B',
    over: 'cc-express',
    under: 'b',
    measure: 'requests/s',
    target: 1.6,
  },
  {
    name: '6/2 callcontrol Twilio ÷ baseline B',
    over: 'cc-twilio',
    under: 'b',
    measure: 'requests/s',
    target: 1.5,
  },
  {
    name: '7/5 RedisStore ÷ memory store, node()',
    over: 'cc-node-redis',
    under: 'cc-node',
    measure: 'requests/s',
    target: 0.5,
  },
  {
    name: "5'/3 (duplicates: false) ÷ ceiling, CPU/request",
    over: 'cc-node-nodup',
    under: 'ceiling',
    measure: 'cpu',
    target: 2.0,
  },
  {
    name: "4'/1 (duplicates: false) ÷ baseline A",
    over: 'cc-express-nodup',
    under: 'a',
    measure: 'requests/s',
    target: 1.4,
  },
  {
    name: "4'/2 (duplicates: false) ÷ baseline B",
    over: 'cc-express-nodup',
    under: 'b',
    measure: 'requests/s',
    target: 1.6,
  },
  {
    name: '9/1 callcontrol in front of Express ÷ baseline A',
    over: 'cc-express-front',
    under: 'a',
    measure: 'requests/s',
    target: 1.4,
  },
  {
    name: '9/2 callcontrol in front of Express ÷ baseline B',
    over: 'cc-express-front',
    under: 'b',
    measure: 'requests/s',
    target: 1.6,
  },
  {
    name: '10/2 callcontrol Twilio in front of Express ÷ baseline B',
    over: 'cc-twilio-front',
    under: 'b',
    measure: 'requests/s',
    target: 1.5,
  },
  {
    name: '8/3 Express ceiling ÷ ceiling, CPU/request',
    over: 'express-ceiling',
    under: 'ceiling',
    measure: 'cpu',
  },
  {
    name: '4/8 callcontrol Express ÷ Express ceiling, CPU/request',
    over: 'cc-express',
    under: 'express-ceiling',
    measure: 'cpu',
  },
];

/** Command-line options. */
interface Options {
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly bodies: number;
  readonly servers: readonly ServerDefinition[];
  readonly profile: boolean;
  readonly profileServer: ServerDefinition;
  readonly profileIntervalUs: number;
  readonly json: boolean;
  readonly strict: boolean;
  /** `--unpinned`: do not pin, even where two CPUs and taskset are there. */
  readonly unpinned: boolean;
}

const USAGE = `usage: npm run bench:http -- [options]
  --connections N       autocannon connections (default 10)
  --warmup S            warm-up seconds per run, not measured (default 3)
  --duration S          measured seconds per run (default 10)
  --rounds N            rounds of all servers; figures are medians of rounds (default 3)
  --bodies N            distinct signed bodies cycled through (default 400000: a server
                        alone on its CPU may answer 25,000+ requests/s, and one that
                        remembers deliveries must see none twice in a run)
  --servers LIST        comma-separated, of: ${SERVERS.map((s) => s.id).join(', ')}
                        (default: all)
  --unpinned            do not pin (by default, with 2+ CPUs and taskset: each server alone
                        on the second CPU, the load generator and redis-server on the first)
  --profile             instead: one run of --profile-server under node --cpu-prof, summarised
  --profile-server ID   server to profile (default cc-express)
  --profile-interval US sampling interval of --cpu-prof in microseconds (default 250)
  --strict              exit 1 when a target is missed
  --json                print the result as JSON`;

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      connections: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      bodies: { type: 'string', default: '400000' },
      servers: { type: 'string', default: DEFAULT_SERVERS.map((server) => server.id).join(',') },
      profile: { type: 'boolean', default: false },
      'profile-server': { type: 'string', default: 'cc-express' },
      'profile-interval': { type: 'string', default: '250' },
      strict: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      unpinned: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new TypeError(`--${name} must be a whole number from ${min} to ${max}, got ${text}`);
    }
    return value;
  };
  const server = (id: string): ServerDefinition => {
    const found = SERVERS.find((candidate) => candidate.id === id.trim());
    if (found === undefined) {
      throw new TypeError(`unknown server "${id}"; known: ${SERVERS.map((s) => s.id).join(', ')}`);
    }
    return found;
  };
  return {
    connections: count('connections', values.connections, 1, 1000),
    warmupSeconds: count('warmup', values.warmup, 0, 600),
    durationSeconds: count('duration', values.duration, 1, 600),
    rounds: count('rounds', values.rounds, 1, 50),
    bodies: count('bodies', values.bodies, 1, 5_000_000),
    servers: values.servers
      .split(',')
      .filter((id) => id.trim() !== '')
      .map(server),
    profile: values.profile,
    profileServer: server(values['profile-server']),
    profileIntervalUs: count('profile-interval', values['profile-interval'], 50, 100_000),
    strict: values.strict,
    json: values.json,
    unpinned: values.unpinned,
  };
}

/** One pre-generated request. */
interface SignedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * `count` distinct signed requests, each both a Placetel IncomingCall and a Twilio voice
 * request, signed for every server.
 */
function generateRequests(count: number, secret: string, twilioToken: string): SignedRequest[] {
  const requests: SignedRequest[] = [];
  const ids = randomBytes(32 * count).toString('hex');
  for (let index = 0; index < count; index++) {
    const callId = ids.slice(index * 64, index * 64 + 64);
    const caller = `0151${String(index).padStart(8, '0')}`;
    // One body for both workloads: Placetel's IncomingCall fields and Twilio's voice request
    // fields (each provider keeps the other's as unknown fields), signed for both.
    const fields = {
      AccountSid: `AC${callId.slice(0, 32)}`,
      ApiVersion: '2010-04-01',
      CallSid: `CA${callId.slice(32, 64)}`,
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: `+49${caller.slice(1)}`,
      To: '+4922129191999',
      call_id: callId,
      direction: 'in',
      event: 'IncomingCall',
      from: caller,
      to: '022129191999',
    };
    const request = placetel.placetelRequest(fields, secret);
    requests.push({
      headers: {
        ...request.headers,
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          twilioToken,
          TWILIO_SIGNED_URL,
          fields,
        ),
      },
      body: request.body,
    });
  }
  return requests;
}

/** The children started here, stopped on every way out. */
const children = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

interface StartedServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly stderr: string[];
  exited: string | undefined;
  /** The CPUs its threads may run on once it listened (`/proc/<pid>/task`), e.g. `1`. */
  readonly cpus: string | undefined;
}

const START_TIMEOUT_MS = 15_000;

/**
 * Starts a server, pinned to `serverCpu` with `taskset -c <cpu> node …` (taskset sets the
 * affinity and execs node, so the child's pid is node's, and every thread node starts inherits
 * it), or unpinned when `serverCpu` is `undefined`.
 */
function startServer(
  definition: ServerDefinition,
  env: Readonly<Record<string, string>>,
  nodeArgs: readonly string[],
  serverCpu: number | undefined,
): Promise<StartedServer> {
  const file = path.join(ROOT, 'dist', 'bench', 'servers', definition.file);
  const node = [...nodeArgs, file];
  const [program, args] =
    serverCpu === undefined
      ? [process.execPath, node]
      : ['taskset', ['-c', String(serverCpu), process.execPath, ...node]];
  const child = spawn(program, args, {
    env: { ...process.env, ...env, ...definition.env },
    stdio: 'pipe',
  });
  children.add(child);
  const stderr: string[] = [];
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
    if (stderr.length < 20) stderr.push(line);
  });
  return new Promise((resolve, reject) => {
    let started: StartedServer | undefined;
    const timer = setTimeout(
      () => fail(`did not listen within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`server ${definition.id} ${why}\n${stderr.join('\n')}`));
    };
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const match = LISTENING_LINE.exec(line);
      if (match === null || started !== undefined) return;
      clearTimeout(timer);
      started = {
        child,
        port: Number(match[1]),
        stderr,
        exited: undefined,
        cpus: threadCpus(child.pid),
      };
      resolve(started);
    });
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    child.once('exit', (code, signal) => {
      const why = `exited (${signal ?? `code ${String(code)}`})`;
      if (started === undefined) fail(why);
      else started.exited = why;
    });
  });
}

/** Clock ticks per second of `/proc/<pid>/stat` times. */
const CLOCK_TICKS = ((): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isSafeInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process used so far, in seconds (Linux), or `undefined`. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The cycling position in the pre-generated requests, shared by warm-up and measurement. */
interface Traffic {
  readonly requests: readonly SignedRequest[];
  next: number;
}

/** What one autocannon run saw. */
interface LoadResult {
  readonly answered: number;
  readonly seconds: number;
  readonly latencies: Float64Array;
  readonly non200: number;
  readonly wrongBody: number;
  readonly wrongSample: string | undefined;
  readonly errors: number;
  readonly timeouts: number;
}

function drive(
  port: number,
  seconds: number,
  options: Options,
  traffic: Traffic,
  expected: string,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let non200 = 0;
    let wrongBody = 0;
    let wrongSample: string | undefined;
    const startedAt = performance.now();
    const run = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: options.connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            setupRequest: (request) => {
              const next = traffic.requests[traffic.next % traffic.requests.length];
              traffic.next += 1;
              return {
                ...request,
                method: 'POST',
                path: BENCH_PATH,
                headers: { ...next?.headers },
                body: next?.body ?? '',
              };
            },
            onResponse: (status, body) => {
              if (status !== 200) {
                non200 += 1;
                wrongSample ??= `${status} ${body.slice(0, 300)}`;
              } else if (body !== expected) {
                wrongBody += 1;
                wrongSample ??= `${status} ${body.slice(0, 300)}`;
              }
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        const elapsed = (performance.now() - startedAt) / 1000;
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({
          answered: latencies.length,
          seconds: elapsed,
          latencies: Float64Array.from(latencies).sort(),
          non200,
          wrongBody,
          wrongSample,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    run.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
    stopCurrent = () => run.stop();
  });
}

let stopCurrent: (() => void) | undefined;

/** The result of one server in one round. */
interface RunResult {
  readonly server: string;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly answered: number;
  readonly peakRssBytes: number | null;
  /** Server CPU time (user + system) per answered request in the measured phase, µs. */
  readonly cpuUsPerRequest: number | null;
  /** Server CPU use in the measured phase: 1 = one core busy all the time. */
  readonly cpuLoad: number | null;
  /** This process's (the load generator's) CPU use in the measured phase, as `cpuLoad`. */
  readonly generatorLoad: number;
  /** The CPUs the server's threads could run on (`/proc/<pid>/task/*`), e.g. `1`. */
  readonly serverCpus: string | null;
  /** redis-server's CPU time per answered request in the measured phase, µs (server 7 only). */
  readonly redisCpuUsPerRequest: number | null;
  /** Keys in Redis after the run (server 7 only): the deliveries it remembered. */
  readonly redisKeys: number | null;
  /** Requests sent including the warm-up: beyond `--bodies`, bodies were sent again. */
  readonly sent: number;
  readonly problems: readonly string[];
}

/** The local redis-server of server 7, and a client of the driver's own (FLUSHALL, DBSIZE). */
interface BenchRedis {
  readonly server: StartedRedis;
  readonly client: Redis;
}

/** What every run shares. */
interface Bench {
  readonly options: Options;
  readonly traffic: Traffic;
  readonly secrets: Readonly<Record<string, string>>;
  readonly plan: CpuPlan;
  /** Started when a selected server needs it; `undefined` otherwise or when it could not be. */
  readonly redis: BenchRedis | undefined;
}

async function runOnce(
  definition: ServerDefinition,
  round: number,
  bench: Bench,
  nodeArgs: readonly string[] = [],
): Promise<RunResult> {
  const { options, traffic, secrets, plan } = bench;
  const redis = definition.redis === true ? bench.redis : undefined;
  if (definition.redis === true) {
    if (redis === undefined) throw new Error(`${definition.id} needs redis-server, not running`);
    // Each run starts from an empty Redis: the bodies (the same for every run) are new to it.
    await redis.client.flushall();
  }
  const env = redis === undefined ? secrets : { ...secrets, [ENV.redisUrl]: redis.server.url };
  const server = await startServer(definition, env, nodeArgs, plan.serverCpu);
  traffic.next = 0;
  const problems: string[] = [];
  const check = (phase: string, load: LoadResult): void => {
    if (load.non200 > 0) problems.push(`${phase}: ${load.non200} answers not 200`);
    if (load.wrongBody > 0) problems.push(`${phase}: ${load.wrongBody} bodies not as expected`);
    if (load.wrongSample !== undefined) problems.push(`${phase}: e.g. ${load.wrongSample}`);
    if (load.errors > 0) problems.push(`${phase}: ${load.errors} connection errors`);
    if (load.timeouts > 0) problems.push(`${phase}: ${load.timeouts} timeouts`);
  };
  if (plan.serverCpu !== undefined && server.cpus !== String(plan.serverCpu)) {
    problems.push(`the server's threads run on CPUs ${server.cpus ?? '?'}, not ${plan.serverCpu}`);
  }
  try {
    if (options.warmupSeconds > 0) {
      check(
        'warm-up',
        await drive(server.port, options.warmupSeconds, options, traffic, definition.expected),
      );
    }
    const redisPid = redis?.server.child.pid;
    const cpuBefore = cpuSeconds(server.child.pid);
    const redisBefore = cpuSeconds(redisPid);
    const generatorBefore = process.cpuUsage();
    const load = await drive(
      server.port,
      options.durationSeconds,
      options,
      traffic,
      definition.expected,
    );
    const generator = process.cpuUsage(generatorBefore);
    const cpuAfter = cpuSeconds(server.child.pid);
    const redisAfter = cpuSeconds(redisPid);
    const cpu =
      cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    const redisCpu =
      redisBefore === undefined || redisAfter === undefined ? undefined : redisAfter - redisBefore;
    check('measured', load);
    if (load.answered === 0) problems.push('no answer at all');
    const peak = peakRss(server.child.pid) ?? null;
    if (server.exited !== undefined) problems.push(`the server ${server.exited}`);
    if (definition.remembers && traffic.next > traffic.requests.length) {
      problems.push(
        `${traffic.next} requests but only ${traffic.requests.length} distinct bodies: raise --bodies`,
      );
    }
    const redisKeys = redis === undefined ? null : await redis.client.dbsize();
    if (redisKeys === 0) problems.push('Redis holds no key after the run: the store was not used');
    return {
      server: definition.id,
      round,
      requestsPerSecond: load.answered / load.seconds,
      p50Ms: percentile(load.latencies, 0.5),
      p99Ms: percentile(load.latencies, 0.99),
      maxMs: load.latencies[load.latencies.length - 1] ?? 0,
      answered: load.answered,
      peakRssBytes: peak,
      cpuUsPerRequest:
        cpu === undefined || load.answered === 0 ? null : (cpu * 1e6) / load.answered,
      cpuLoad: cpu === undefined ? null : cpu / load.seconds,
      generatorLoad: (generator.user + generator.system) / 1e6 / load.seconds,
      serverCpus: server.cpus ?? null,
      redisCpuUsPerRequest:
        redisCpu === undefined || load.answered === 0 ? null : (redisCpu * 1e6) / load.answered,
      redisKeys,
      sent: traffic.next,
      problems: [...problems, ...(problems.length > 0 ? server.stderr.slice(0, 5) : [])],
    };
  } finally {
    await stopChild(server.child);
    children.delete(server.child);
  }
}

/** Per server: the medians of its rounds. */
interface ServerSummary {
  readonly id: string;
  readonly label: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssBytes: number | null;
  readonly cpuUsPerRequest: number | null;
  readonly cpuLoad: number | null;
  readonly generatorLoad: number;
  readonly redisCpuUsPerRequest: number | null;
  /** requests/s of each round. */
  readonly rounds: readonly number[];
  /** Server CPU µs per request of each round (`null` without /proc). */
  readonly cpuRounds: readonly (number | null)[];
}

interface RatioSummary {
  readonly name: string;
  /** What the target is about: requests/s (at least) or server CPU µs per request (at most). */
  readonly measure: 'requests/s' | 'cpu';
  /** The median of the per-round ratios of `measure`. */
  readonly value: number;
  /** The per-round ratios of `measure`. */
  readonly rounds: readonly number[];
  /** Median of the per-round ratios of requests/s (numerator ÷ denominator). */
  readonly requestsRatio: number;
  /**
   * Median of the per-round ratios of server CPU µs per request, numerator ÷ denominator (below
   * 1: the numerator is cheaper); `null` without /proc.
   */
  readonly cpuRatio: number | null;
  /** `undefined`: a reference without a target. */
  readonly target: number | undefined;
  /** `null` without a target. */
  readonly pass: boolean | null;
}

function summarize(
  options: Options,
  results: readonly RunResult[],
): {
  servers: ServerSummary[];
  ratios: RatioSummary[];
} {
  const servers = options.servers.map((definition): ServerSummary => {
    const runs = results.filter((run) => run.server === definition.id);
    const known = (values: readonly (number | null)[]): number | null => {
      const numbers = values.filter((value) => value !== null);
      return numbers.length === 0 ? null : median(numbers);
    };
    return {
      id: definition.id,
      label: definition.label,
      requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
      p50Ms: median(runs.map((run) => run.p50Ms)),
      p99Ms: median(runs.map((run) => run.p99Ms)),
      peakRssBytes: known(runs.map((run) => run.peakRssBytes)),
      cpuUsPerRequest: known(runs.map((run) => run.cpuUsPerRequest)),
      cpuLoad: known(runs.map((run) => run.cpuLoad)),
      generatorLoad: median(runs.map((run) => run.generatorLoad)),
      redisCpuUsPerRequest: known(runs.map((run) => run.redisCpuUsPerRequest)),
      rounds: runs.map((run) => run.requestsPerSecond),
      cpuRounds: runs.map((run) => run.cpuUsPerRequest),
    };
  });
  const ratios: RatioSummary[] = [];
  for (const ratio of RATIOS) {
    const perRound: number[] = [];
    const cpuPerRound: number[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const over = results.find((run) => run.server === ratio.over && run.round === round);
      const under = results.find((run) => run.server === ratio.under && run.round === round);
      if (over === undefined || under === undefined || under.requestsPerSecond <= 0) continue;
      perRound.push(over.requestsPerSecond / under.requestsPerSecond);
      if (over.cpuUsPerRequest !== null && under.cpuUsPerRequest !== null) {
        cpuPerRound.push(over.cpuUsPerRequest / under.cpuUsPerRequest);
      }
    }
    if (perRound.length === 0) continue;
    const rounds = ratio.measure === 'cpu' ? cpuPerRound : perRound;
    if (rounds.length === 0) continue;
    const value = median(rounds);
    ratios.push({
      name: ratio.name,
      measure: ratio.measure,
      value,
      rounds,
      requestsRatio: median(perRound),
      cpuRatio: cpuPerRound.length === 0 ? null : median(cpuPerRound),
      target: ratio.target,
      pass:
        ratio.target === undefined
          ? null
          : ratio.measure === 'cpu'
            ? value <= ratio.target
            : value >= ratio.target,
    });
  }
  return { servers, ratios };
}

/** Where the processes ran, in words, from the plan and what /proc showed. */
function placementLine(bench: Bench, results: readonly RunResult[]): string {
  const { plan } = bench;
  const seen = [...new Set(results.map((run) => run.serverCpus ?? '?'))].join(' / ') || '–';
  const generator = threadCpusOrPlan(process.pid, plan.generatorCpu);
  const redisPid = bench.redis?.server.child.pid;
  const redis =
    redisPid === undefined
      ? ''
      : `; redis-server on CPU ${threadCpusOrPlan(redisPid, plan.generatorCpu)}`;
  if (!plan.pinned) {
    return (
      `placement: NOT pinned (${plan.why ?? '?'}): servers and the load generator share ` +
      `CPUs ${plan.available.join(',')}; servers ran on ${seen}, the load generator on ${generator}${redis}`
    );
  }
  return (
    `placement: pinned — each server alone on CPU ${plan.serverCpu ?? '?'} (taskset -c ` +
    `${plan.serverCpu ?? '?'}; its threads seen on ${seen}), the load generator (autocannon in ` +
    `the driver, pid ${process.pid}) on CPU ${generator}${redis}; ` +
    `${plan.available.length} CPUs available (${plan.available.join(',')})`
  );
}

function threadCpusOrPlan(pid: number, planned: number | undefined): string {
  return threadCpus(pid) ?? (planned === undefined ? '?' : String(planned));
}

function formatReport(
  bench: Bench,
  servers: readonly ServerSummary[],
  ratios: readonly RatioSummary[],
  results: readonly RunResult[],
  notes: readonly string[],
  problems: readonly string[],
): string {
  const { options } = bench;
  const lines = [
    `bench/http: ${options.connections} connections, ${options.warmupSeconds} s warm-up + ` +
      `${options.durationSeconds} s measured per run, ${options.rounds} round(s), medians of rounds; ` +
      `${options.bodies} distinct signed bodies; ${machineLine(bench.plan.available.length)}`,
    placementLine(bench, results),
    ...notes,
    '',
    markdownTable(
      [
        'server',
        'requests/s',
        'server CPU µs/request',
        'server CPU',
        'generator CPU',
        'p50 ms',
        'p99 ms',
        'peak RSS',
        'requests/s per round',
        'CPU µs/request per round',
      ],
      servers.map((server) => [
        server.label,
        whole(server.requestsPerSecond),
        server.cpuUsPerRequest === null ? '–' : server.cpuUsPerRequest.toFixed(1),
        server.cpuLoad === null ? '–' : `${(server.cpuLoad * 100).toFixed(0)} %`,
        `${(server.generatorLoad * 100).toFixed(0)} %`,
        server.p50Ms.toFixed(2),
        server.p99Ms.toFixed(2),
        mib(server.peakRssBytes),
        server.rounds.map((value) => whole(value)).join(', '),
        server.cpuRounds.map((value) => (value === null ? '–' : value.toFixed(1))).join(', '),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
    '',
  ];
  if (ratios.length > 0) {
    lines.push(
      markdownTable(
        [
          'ratio (targets: pinned, defaults)',
          'median',
          'per round',
          'target',
          'result',
          'requests/s ratio',
          'CPU/request ratio',
        ],
        ratios.map((ratio) => [
          ratio.name,
          ratio.value.toFixed(2),
          ratio.rounds.map((value) => value.toFixed(2)).join(', '),
          ratio.target === undefined
            ? '–'
            : `${ratio.measure === 'cpu' ? '≤' : '≥'} ${ratio.target.toFixed(1)}`,
          ratio.pass === null ? '–' : verdict(ratio.pass),
          ratio.requestsRatio.toFixed(2),
          ratio.cpuRatio === null ? '–' : ratio.cpuRatio.toFixed(2),
        ]),
        ['l', 'r', 'l', 'r', 'l', 'r', 'r'],
      ),
      '',
    );
  }
  const idle = servers.filter((server) => server.cpuLoad !== null && server.cpuLoad < 0.85);
  if (bench.plan.pinned && idle.length > 0) {
    lines.push(
      `server CPU below 85 % of its core for ${idle.map((server) => server.id).join(', ')}: ` +
        'the server was not the bottleneck (other load on the machine, or the load generator); ' +
        'compare these by server CPU µs per request rather than requests/s.',
      '',
    );
  }
  const redis = servers.find((server) => server.redisCpuUsPerRequest !== null);
  lines.push(
    'requests/s, latency: client side (autocannon in the driver process); server CPU: user + ' +
      'system time of the server process in the measured phase (/proc/<pid>/stat), per answered ' +
      'request and as a share of one core; generator CPU: the driver process (autocannon) in the ' +
      'same phase. A ratio is numerator ÷ denominator per round, median of rounds: of requests/s ' +
      '(target: at least) or of server CPU µs per request (target: at most; below 1 = the numerator is cheaper).' +
      (redis === undefined
        ? ''
        : ` redis-server used ${redis.redisCpuUsPerRequest?.toFixed(1) ?? '?'} µs of CPU per ` +
          `request of server 7 besides (not in its figure).`),
    '',
    problems.length === 0
      ? 'every answer was 200 with the expected body'
      : `INVALID RUNS:\n${problems.map((problem) => `  ${problem}`).join('\n')}`,
  );
  return lines.join('\n');
}

let interrupted = false;

/**
 * Starts the local redis-server of server 7 (`scripts/ensure-redis.sh` finds it, or installs it
 * where apt-get runs as root; no persistence: `--save '' --appendonly no`), on 127.0.0.1 on a
 * free port, pinned to the load generator's CPU: the server under test must have its CPU alone,
 * so Redis runs beside autocannon, whose core has room (its CPU is reported apart).
 */
async function startBenchRedis(plan: CpuPlan): Promise<BenchRedis> {
  const server = await startRedis();
  try {
    const pid = server.child.pid;
    if (plan.generatorCpu !== undefined && pid !== undefined) pinProcess(pid, plan.generatorCpu);
    const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    return { server, client };
  } catch (error) {
    await stopChild(server.child);
    throw error;
  }
}

async function stopBenchRedis(redis: BenchRedis | undefined): Promise<void> {
  if (redis === undefined) return;
  redis.client.disconnect();
  await stopChild(redis.server.child);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const progress = (message: string): void => {
    process.stderr.write(`bench/http: ${message}\n`);
  };
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress('SIGINT: stopping');
    stopCurrent?.();
  });

  const plan = planCpus(!options.unpinned);
  if (plan.pinned && plan.generatorCpu !== undefined) {
    // All threads of this process (autocannon runs here) onto the generator's CPU; the children
    // started later inherit it, and each server is moved to its own CPU by `taskset -c`.
    pinProcess(process.pid, plan.generatorCpu);
    progress(
      `pinned: load generator (this process) on CPU ${plan.generatorCpu}, servers on CPU ${plan.serverCpu ?? '?'}`,
    );
  } else {
    progress(`NOT pinned: ${plan.why ?? '?'}`);
  }

  const notes: string[] = [];
  let redis: BenchRedis | undefined;
  const wantsRedis =
    options.servers.some((server) => server.redis === true) ||
    (options.profile && options.profileServer.redis === true);
  if (wantsRedis) {
    try {
      redis = await startBenchRedis(plan);
      progress(`redis-server at ${redis.server.url} (pid ${redis.server.child.pid ?? '?'})`);
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      if (options.profile || process.argv.some((arg) => arg.startsWith('--servers'))) throw error;
      // In the default set, a machine without redis-server still measures the rest.
      notes.push(`server 7 (RedisStore) skipped: no redis-server (${why})`);
      progress(notes[notes.length - 1] ?? '');
    }
  }
  const selected = options.servers.filter((server) => server.redis !== true || redis !== undefined);

  const secrets = {
    [ENV.secret]: randomBytes(24).toString('hex'),
    [ENV.twilioToken]: randomBytes(16).toString('hex'),
  };
  const generatedAt = performance.now();
  const traffic: Traffic = {
    requests: generateRequests(options.bodies, secrets[ENV.secret], secrets[ENV.twilioToken]),
    next: 0,
  };
  progress(
    `generated ${options.bodies} signed bodies in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`,
  );
  const bench: Bench = {
    options: { ...options, servers: selected },
    traffic,
    secrets,
    plan,
    redis,
  };

  try {
    if (options.profile) return await profileRun(bench, progress);
    return await measure(bench, notes, progress);
  } finally {
    await stopBenchRedis(redis);
  }
}

async function profileRun(bench: Bench, progress: (message: string) => void): Promise<number> {
  const { options } = bench;
  const directory = path.join(ROOT, 'bench', 'profiles');
  mkdirSync(directory, { recursive: true });
  const before = new Set(readdirSync(directory));
  const definition = options.profileServer;
  progress(
    `profiling ${definition.id} under node --cpu-prof: ${options.warmupSeconds} s warm-up + ` +
      `${options.durationSeconds} s, profile in ${path.relative(ROOT, directory)}/`,
  );
  const run = await runOnce(definition, 1, bench, [
    '--cpu-prof',
    '--cpu-prof-dir',
    directory,
    '--cpu-prof-interval',
    String(options.profileIntervalUs),
  ]);
  const written = readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile') && !before.has(name))
    .map((name) => path.join(directory, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const file = written[0];
  console.log(placementLine(bench, [run]));
  console.log(
    `${definition.label}: ${whole(run.requestsPerSecond)} requests/s under the profiler, ` +
      `p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, peak RSS ${mib(run.peakRssBytes)}`,
  );
  for (const problem of run.problems) console.log(`INVALID: ${problem}`);
  if (file === undefined) {
    console.log('no .cpuprofile was written');
    return 1;
  }
  const summary = summarizeProfile(file, ROOT);
  console.log(
    options.json ? JSON.stringify({ run, summary }, null, 2) : formatProfileSummary(summary),
  );
  return run.problems.length === 0 ? 0 : 1;
}

async function measure(
  bench: Bench,
  notes: readonly string[],
  progress: (message: string) => void,
): Promise<number> {
  const { options, plan } = bench;
  const perRun = options.warmupSeconds + options.durationSeconds + 1.5;
  const expected = Math.ceil(options.rounds * options.servers.length * perRun);
  progress(
    `${options.rounds} round(s) × ${options.servers.length} servers × ~${perRun} s: ` +
      `expect about ${Math.floor(expected / 60)} min ${expected % 60} s`,
  );
  const results: RunResult[] = [];
  const problems: string[] = [];
  for (let round = 1; round <= options.rounds && !interrupted; round++) {
    for (const definition of options.servers) {
      if (interrupted) break;
      const run = await runOnce(definition, round, bench);
      results.push(run);
      for (const problem of run.problems)
        problems.push(`${definition.id} round ${round}: ${problem}`);
      progress(
        `round ${round}/${options.rounds} ${definition.id}: ${whole(run.requestsPerSecond)} req/s, ` +
          `${run.cpuUsPerRequest === null ? '?' : run.cpuUsPerRequest.toFixed(1)} µs server CPU/request ` +
          `(server ${run.cpuLoad === null ? '?' : (run.cpuLoad * 100).toFixed(0)} %, generator ` +
          `${(run.generatorLoad * 100).toFixed(0)} % of a core), ` +
          `p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, ` +
          `peak RSS ${mib(run.peakRssBytes)}${run.problems.length > 0 ? ' INVALID' : ''}`,
      );
    }
  }
  const { servers, ratios } = summarize(options, results);
  console.log(
    options.json
      ? JSON.stringify(
          {
            options: { ...options, servers: options.servers.map((s) => s.id) },
            machine: machineLine(bench.plan.available.length),
            placement: { ...plan, line: placementLine(bench, results) },
            notes,
            servers,
            ratios,
            runs: results,
            problems,
          },
          null,
          2,
        )
      : formatReport(bench, servers, ratios, results, notes, problems),
  );
  if (interrupted) return 130;
  if (problems.length > 0) return 1;
  return options.strict && ratios.some((ratio) => ratio.pass === false) ? 1 : 0;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `bench/http failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return interrupted ? 130 : 1;
  })
  .then((code) => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(code);
  });
