/**
 * Two instances of the example server (what `npm start` runs) behind one Redis, as behind a
 * load balancer: the events of the same calls go alternately to both, and repeated deliveries
 * go to the other instance. Sessions written by one instance are read by the other, and every
 * delivery is handled once across both, with the same answer for the repetition.
 *
 * The Redis server is the real one the test setup starts (`test/setup/redis-global-setup.ts`).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { placetel } from '../../src';

const ROOT = resolve(__dirname, '../..');
const SERVER = resolve(ROOT, 'dist/examples/server.js');

interface Instance {
  process: ChildProcessWithoutNullStreams;
  url: string;
  log: string;
}

const instances: Instance[] = [];
const prefix = `callcontrol-two-instances:${randomBytes(6).toString('hex')}:`;

async function start(): Promise<Instance> {
  const redisUrl = process.env['REDIS_URL'];
  if (redisUrl === undefined || redisUrl === '') {
    throw new Error(
      `No Redis for this test: ${process.env['CALLCONTROL_REDIS_SETUP_ERROR'] ?? 'REDIS_URL is not set'}`,
    );
  }
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      // The requests are unsigned: Placetel without PLACETEL_SECRET is served outside production.
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
    },
  });
  const instance: Instance = { process: child, url: '', log: '' };
  instances.push(instance);
  instance.url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${instance.log}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      instance.log += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\/placetel .*store: (\w+)/.exec(
        instance.log,
      );
      if (match) {
        clearTimeout(timer);
        if (match[2] !== 'redis') reject(new Error(`instance uses the ${match[2] ?? '?'} store`));
        resolveUrl(match[1] as string);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      instance.log += chunk.toString('utf8');
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${String(code)}:\n${instance.log}`)),
    );
  });
  return instance;
}

async function send(instance: Instance, fields: Record<string, string>) {
  const request = placetel.placetelRequest(fields);
  const response = await fetch(`${instance.url}/placetel`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

function count(pattern: RegExp): number {
  return instances.reduce((sum, instance) => sum + (instance.log.match(pattern)?.length ?? 0), 0);
}

async function logsMatching(pattern: RegExp, times: number): Promise<void> {
  for (let i = 0; i < 200 && count(pattern) < times; i++) {
    await new Promise((wait) => setTimeout(wait, 25));
  }
}

beforeAll(async () => {
  if (!existsSync(SERVER)) {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
      },
    );
  }
  await Promise.all([start(), start()]);
});

afterAll(async () => {
  await Promise.all(
    instances.map(async ({ process: child }) => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }),
  );
});

test('sessions and duplicate detection hold across two instances on one Redis', async () => {
  const [a, b] = instances as [Instance, Instance];
  const calls = Array.from({ length: 12 }, (_, i) => ({
    call_id: randomBytes(32).toString('hex'),
    direction: 'in',
    from: i % 4 === 0 ? 'anonymous' : `0173123456${String(i).padStart(2, '0')}`,
    to: '022129191999',
  }));

  for (const [i, call] of calls.entries()) {
    const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
    // IncomingCall to one instance, its repetition (Placetel's retry) to the other.
    const incoming = await send(first, { ...call, event: 'IncomingCall' });
    const retry = await send(second, { ...call, event: 'IncomingCall' });
    expect(incoming.status).toBe(200);
    expect(retry).toEqual(incoming);
    expect(incoming.body).toContain(
      call.from === 'anonymous' ? '<Reject reason="busy"/>' : '<Forward>',
    );
    // CallAccepted and HungUp alternate, the HungUp on the instance that did not route the call.
    expect((await send(first, { ...call, event: 'CallAccepted', peer: 'a@b' })).status).toBe(200);
    const hungUp = { ...call, event: 'HungUp', type: 'accepted', duration: '7' };
    expect((await send(second, hungUp)).status).toBe(200);
    expect((await send(first, hungUp)).status).toBe(200); // a repetition again
  }

  // Every delivery was observed (logged) exactly once across both instances.
  await logsMatching(/placetel HungUp call=/g, calls.length);
  expect(count(/placetel IncomingCall call=/g)).toBe(calls.length);
  expect(count(/placetel CallAccepted call=/g)).toBe(calls.length);
  expect(count(/placetel HungUp call=/g)).toBe(calls.length);
  // The instance that got the HungUp read the routing the other instance stored in the session.
  for (const call of calls) {
    const routing = call.from === 'anonymous' ? 'rejected busy' : 'forwarded to 022129191999';
    const line = new RegExp(
      `placetel call ${call.call_id.slice(0, 12)} ended \\(accepted, 7s\\), ${routing}`,
    );
    expect(instances.filter((instance) => line.test(instance.log))).toHaveLength(1);
  }
  // Both instances did part of the work.
  expect(a.log).toMatch(/placetel IncomingCall/);
  expect(b.log).toMatch(/placetel IncomingCall/);
});

test('concurrent repetitions on both instances run the handler once', async () => {
  const [a, b] = instances as [Instance, Instance];
  const before = count(/placetel IncomingCall call=/g);
  const call = {
    call_id: randomBytes(32).toString('hex'),
    direction: 'in',
    event: 'IncomingCall',
    from: '017312345678',
    to: '022129191999',
  };
  const replies = await Promise.all([send(a, call), send(b, call), send(a, call), send(b, call)]);
  for (const reply of replies) expect(reply).toEqual(replies[0]);
  await logsMatching(/placetel IncomingCall call=/g, before + 1);
  await new Promise((wait) => setTimeout(wait, 100));
  expect(count(/placetel IncomingCall call=/g)).toBe(before + 1);
});
