/**
 * The example server (`npm start`) and the live inspector: served at `/_callcontrol/` outside
 * production, watching every mounted app; 404 with `NODE_ENV=production`; its open streams do
 * not hold a graceful shutdown.
 */
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { InspectorEntry } from '../../src';
import { createExampleApp, INSPECTOR_PATH, startExample } from '../../examples/server';

/** Runs `work` with `NODE_ENV` set to `value`, restoring it afterwards. */
async function withNodeEnv<T>(value: string, work: () => Promise<T>): Promise<T> {
  // Next.js's types declare NODE_ENV read-only.
  const env = process.env as Record<string, string | undefined>;
  const before = env['NODE_ENV'];
  env['NODE_ENV'] = value;
  try {
    return await work();
  } finally {
    if (before === undefined) delete env['NODE_ENV'];
    else env['NODE_ENV'] = before;
  }
}

const quiet = { log: () => undefined };

test('with NODE_ENV=production /_callcontrol/ answers 404', async () => {
  await withNodeEnv('production', async () => {
    const app = createExampleApp({ ...quiet, placetelSecret: 'example-secret-production-1' });
    for (const path of ['/_callcontrol/', '/_callcontrol', '/_callcontrol/api/exchanges']) {
      const res = await request(app).get(path);
      expect([path, res.status]).toEqual([path, 404]);
    }
  });
});

test('outside production it is served and shows the requests of every mounted app', async () => {
  await withNodeEnv('development', async () => {
    const app = createExampleApp({ ...quiet, production: false });
    expect(INSPECTOR_PATH).toBe('/_callcontrol');
    const page = await request(app).get('/_callcontrol/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('callcontrol inspector');
    // An unsigned request to an unauthenticated development mount, and one to a flow mount.
    await request(app)
      .post('/placetel')
      .type('form')
      .send({ event: 'IncomingCall', call_id: 'example-1', from: '0301234', to: '0221291919' });
    await request(app)
      .post('/flow/placetel')
      .type('form')
      .send({ event: 'IncomingCall', call_id: 'example-2', from: '0301234', to: '0221291919' });
    const list = await request(app).get('/_callcontrol/api/exchanges');
    const entries = (list.body as { entries: InspectorEntry[] }).entries;
    expect(entries.map((entry) => [entry.app, entry.callId, entry.outcome])).toEqual([
      ['/placetel', 'example-1', 'handled'],
      ['/flow/placetel', 'example-2', 'handled'],
    ]);
  });
});

test('an open event stream does not hold the graceful shutdown', async () => {
  await withNodeEnv('development', async () => {
    const example = await startExample({
      ...quiet,
      production: false,
      port: 0,
      host: '127.0.0.1',
    });
    const { port } = example.server.address() as AddressInfo;
    const opened = await new Promise<boolean>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/_callcontrol/api/stream`, (res) => {
        res.once('data', () => resolve(true));
        res.resume();
      }).on('error', reject);
    });
    expect(opened).toBe(true);
    const result = await example.shutdown({ timeoutMs: 5000 });
    expect(result.clean).toBe(true);
    expect(result.elapsedMs).toBeLessThan(3500);
  });
});
