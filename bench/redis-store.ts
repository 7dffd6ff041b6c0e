/**
 * `RedisStore` against the memory store on `calls.node()`: one signed Placetel `IncomingCall`
 * per request (every body distinct, so duplicate detection always claims), answered with a
 * Forward, default options (duplicate detection on).
 *
 * A redis-server is started on a free loopback port. Each round starts the server afresh for
 * each store (memory, then redis), pinned to the last core, while autocannon (in this process)
 * and redis-server are pinned to the first; reported per run: req/s, the server's CPU time per
 * request (`/proc/<pid>/stat` user + system over the measured phase), and the Redis commands
 * per request (`INFO commandstats` over the measured phase, by command).
 *
 * Usage (built with esbuild or tsc): `node redis-store.js [--duration 5] [--warmup 2]
 * [--rounds 2] [--connections 10] [--compare <another build of this script>]` (the other build's
 * RedisStore server runs as a third server in every round, e.g. the code before a change;
 * `--profile <dir>` runs the RedisStore servers under `node --cpu-prof` into that directory); `node redis-store.js serve memory|<redis url>` is the
 * server itself (prints `bench-server listening on 127.0.0.1:<port>`).
 *
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { MemoryStore, placetel, RedisStore } from '../src';
import { startRedisServer } from '../scripts/redis-server';
import { FORWARD_NUMBERS, FORWARD_XML, RINGTIME_SECONDS } from './servers/shared';

const SECRET = 'bench-redis-store-secret';
const LISTENING = /^bench-server listening on 127\.0\.0\.1:(\d+)$/;

function serve(target: string): void {
  const store = target === 'memory' ? new MemoryStore() : new RedisStore({ url: target });
  const calls = placetel.createApp({ secret: SECRET, store });
  calls.on('IncomingCall', () =>
    placetel.forward({ targets: [{ ringtime: RINGTIME_SECONDS, numbers: FORWARD_NUMBERS }] }),
  );
  const server = createServer(calls.node());
  // A clean exit, so that `--cpu-prof` writes its profile.
  process.once('SIGTERM', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address !== null && typeof address === 'object') {
      console.log(`bench-server listening on 127.0.0.1:${address.port}`);
    }
  });
}

interface Signed {
  readonly headers: Record<string, string>;
  readonly body: string;
}

function requests(count: number): Signed[] {
  const all: Signed[] = [];
  const ids = randomBytes(32 * count).toString('hex');
  for (let index = 0; index < count; index++) {
    const request = placetel.placetelRequest(
      {
        call_id: ids.slice(index * 64, index * 64 + 64),
        direction: 'in',
        event: 'IncomingCall',
        from: `0151${String(index).padStart(8, '0')}`,
        to: '022129191999',
      },
      SECRET,
    );
    all.push({ headers: { ...request.headers }, body: request.body });
  }
  return all;
}

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

async function commandStats(admin: Redis): Promise<Map<string, number>> {
  const stats = new Map<string, number>();
  for (const line of (await admin.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match !== null) stats.set(match[1] as string, Number(match[2]));
  }
  return stats;
}

function start(
  target: string,
  cpu: number,
  script: string = __filename,
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...nodeArgs, script, 'serve', target], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  pin(child.pid as number, cpu);
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match !== null) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}`)));
  });
}

function load(
  port: number,
  seconds: number,
  connections: number,
  traffic: { all: Signed[]; next: number },
): Promise<{ answered: number; wrong: number }> {
  let answered = 0;
  let wrong = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => {
              const next = traffic.all[traffic.next++ % traffic.all.length] as Signed;
              return {
                ...request,
                method: 'POST',
                path: '/',
                headers: next.headers,
                body: next.body,
              };
            },
            onResponse: (status, body) => {
              answered += 1;
              if (status !== 200 || body !== FORWARD_XML) wrong += 1;
            },
          },
        ],
      },
      (error) => (error ? reject(error as Error) : resolve({ answered, wrong })),
    );
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '2' },
      connections: { type: 'string', default: '10' },
      compare: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  pin(process.pid, 0);
  const redis = await startRedisServer();
  pin(redis.child.pid as number, 0);
  const admin = new Redis(redis.url);
  const traffic = { all: requests(200_000), next: 0 };
  const rows: string[] = [];
  try {
    for (let round = 1; round <= Number(values.rounds); round++) {
      const runs: [string, string, string][] = [
        ['memory', 'memory', __filename],
        ['redis', redis.url, __filename],
      ];
      // Another build of this script (e.g. of the code before a change), run interleaved.
      if (values.compare !== undefined) runs.push(['redis (compared)', redis.url, values.compare]);
      for (const [label, target, script] of runs) {
        // Every server sees the same bodies, none of them known to its store.
        await admin.flushall();
        traffic.next = 0;
        const profile =
          values.profile === undefined || target === 'memory'
            ? []
            : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`];
        const { child, port } = await start(target, 1, script, profile);
        await load(port, warmup, connections, traffic);
        const before = await commandStats(admin);
        const cpuBefore = cpuSeconds(child.pid as number);
        const redisBefore = cpuSeconds(redis.child.pid as number);
        const startedAt = performance.now();
        const result = await load(port, duration, connections, traffic);
        const seconds = (performance.now() - startedAt) / 1000;
        const cpu = cpuSeconds(child.pid as number) - cpuBefore;
        const redisCpu = cpuSeconds(redis.child.pid as number) - redisBefore;
        const after = await commandStats(admin);
        const perCommand: string[] = [];
        let total = 0;
        for (const [name, calls] of after) {
          const delta = calls - (before.get(name) ?? 0);
          if (name === 'info' || delta <= 0) continue;
          total += delta;
          perCommand.push(`${name} ${(delta / result.answered).toFixed(2)}`);
        }
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        rows.push(
          `| ${round} | ${label} | ${Math.round(
            result.answered / seconds,
          )} | ${((cpu * 1e6) / result.answered).toFixed(1)} | ${(
            (redisCpu * 1e6) /
            result.answered
          ).toFixed(1)} | ${(total / result.answered).toFixed(
            2,
          )} (${perCommand.join(', ') || '-'}) | ${result.wrong} |`,
        );
        console.log(rows[rows.length - 1]);
      }
    }
  } finally {
    await admin.quit();
    redis.child.kill('SIGTERM');
  }
  console.log(
    '\n| round | store | req/s | server CPU µs/req | redis-server CPU µs/req | Redis commands/req | wrong answers |\n' +
      '| --- | --- | --- | --- | --- | --- | --- |\n' +
      rows.join('\n'),
  );
}

if (process.argv[2] === 'serve') serve(process.argv[3] as string);
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
