/**
 * The example server's credential rules for `/signalwire` (examples/server.ts): with
 * SIGNALWIRE_SIGNING_KEY every request must be signed; without it, in production, the path is not
 * served and the startup output names the variable; otherwise it is served without a check and
 * with a warning. The menu itself is played in test/cli/simulate-signalwire.test.ts.
 */
import request from 'supertest';
import { createExampleApp, exampleProviders, startupLines } from '../../../examples/server';
import { signalwireCallScenario } from '../../../src/providers/signalwire/simulate';
import { listenOnLoopback } from '../../helpers/server';

const saved = process.env['SIGNALWIRE_SIGNING_KEY'];
beforeEach(() => {
  delete process.env['SIGNALWIRE_SIGNING_KEY'];
});
afterAll(() => {
  if (saved !== undefined) process.env['SIGNALWIRE_SIGNING_KEY'] = saved;
});

function post(server: Parameters<typeof request>[0]) {
  const [voice] = signalwireCallScenario();
  return request(server)
    .post('/signalwire')
    .set('content-type', 'application/x-www-form-urlencoded')
    .send(voice?.body ?? '');
}

test('production without SIGNALWIRE_SIGNING_KEY: /signalwire is not served, the startup line says why', async () => {
  const server = await listenOnLoopback(createExampleApp({ production: true, log: () => {} }));
  expect((await post(server)).status).toBe(404);
  server.close();
  const provider = exampleProviders({ production: true }).find((p) => p.path === '/signalwire');
  expect(provider).toMatchObject({ status: 'off', variable: 'SIGNALWIRE_SIGNING_KEY' });
  const lines = startupLines(
    'http://127.0.0.1:3000',
    exampleProviders({ production: true }),
    'memory',
  );
  expect(lines.join('\n')).toMatch(
    /\/signalwire is not served \(404\): SIGNALWIRE_SIGNING_KEY is not set/,
  );
});

test('development without it: served without a check, with a warning', async () => {
  const server = await listenOnLoopback(createExampleApp({ production: false, log: () => {} }));
  const res = await post(server);
  server.close();
  expect(res.status).toBe(200);
  expect(res.text).toContain('<Gather');
  const lines = startupLines(
    'http://127.0.0.1:3000',
    exampleProviders({ production: false }),
    'memory',
  );
  expect(lines.join('\n')).toMatch(/warning: \/signalwire accepts requests without authentication/);
});

test('with SIGNALWIRE_SIGNING_KEY an unsigned request is refused; the startup line says so', async () => {
  const key = 'PSK_TestKeyNotReal0000000000';
  const server = await listenOnLoopback(
    createExampleApp({ signalwireSigningKey: key, log: () => {} }),
  );
  const res = await post(server);
  server.close();
  expect(res.status).toBe(403);
  const providers = exampleProviders({ signalwireSigningKey: key });
  expect(startupLines('http://127.0.0.1:3000', providers, 'memory')[0]).toContain(
    '/signalwire (signature required)',
  );
  expect(startupLines('http://127.0.0.1:3000', providers, 'memory').join('\n')).not.toContain(key);
});
