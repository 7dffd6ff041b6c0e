/**
 * The example server's credential rules for `/telnyx` (examples/server.ts): with
 * TELNYX_PUBLIC_KEY every request must be signed; without it, in production, the path is not
 * served and the startup output names the variable; otherwise it is served without a check and
 * with a warning. The menu itself is played in test/cli/simulate-telnyx.test.ts.
 */
import request from 'supertest';
import { createExampleApp, exampleProviders, startupLines } from '../../../examples/server';
import { telnyxCallScenario } from '../../../src/providers/telnyx/simulate';
import { listenOnLoopback } from '../../helpers/server';

const saved = process.env['TELNYX_PUBLIC_KEY'];
beforeEach(() => {
  delete process.env['TELNYX_PUBLIC_KEY'];
});
afterAll(() => {
  if (saved !== undefined) process.env['TELNYX_PUBLIC_KEY'] = saved;
});

function post(server: Parameters<typeof request>[0]) {
  const [voice] = telnyxCallScenario();
  return request(server)
    .post('/telnyx')
    .set('content-type', 'application/x-www-form-urlencoded')
    .send(voice?.body ?? '');
}

test('production without TELNYX_PUBLIC_KEY: /telnyx is not served, the startup line says why', async () => {
  const server = await listenOnLoopback(createExampleApp({ production: true, log: () => {} }));
  expect((await post(server)).status).toBe(404);
  server.close();
  const provider = exampleProviders({ production: true }).find((p) => p.path === '/telnyx');
  expect(provider).toMatchObject({ status: 'off', variable: 'TELNYX_PUBLIC_KEY' });
  const lines = startupLines(
    'http://127.0.0.1:3000',
    exampleProviders({ production: true }),
    'memory',
  );
  expect(lines.join('\n')).toMatch(/\/telnyx is not served \(404\): TELNYX_PUBLIC_KEY is not set/);
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
  expect(lines.join('\n')).toMatch(/warning: \/telnyx accepts requests without authentication/);
});

test('with TELNYX_PUBLIC_KEY an unsigned request is refused; the startup line says so', async () => {
  const key = 'MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
  const server = await listenOnLoopback(createExampleApp({ telnyxPublicKey: key, log: () => {} }));
  const res = await post(server);
  server.close();
  expect(res.status).toBe(403);
  const providers = exampleProviders({ telnyxPublicKey: key });
  expect(startupLines('http://127.0.0.1:3000', providers, 'memory')[0]).toContain(
    '/telnyx (signature required)',
  );
  expect(startupLines('http://127.0.0.1:3000', providers, 'memory').join('\n')).not.toContain(key);
});

test('a TELNYX_PUBLIC_KEY that is no key stops the server with a line naming it', () => {
  expect(() => createExampleApp({ telnyxPublicKey: 'nonsense', log: () => {} })).toThrow(
    /^TELNYX_PUBLIC_KEY is not usable: /,
  );
});
