/**
 * The example server's `/sipgate` (examples/sipgate/app.ts): an incoming call is dialled to
 * `SIPGATE_FORWARD_TO` with `onAnswer`/`onHangup` at the same mount (docs/providers/sipgate.md
 * §4.1, §4.2); `SIPGATE_PUBLIC_KEY` replaces the published key, which is used when it is unset.
 */
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { createExampleApp } from '../../../examples/server';
import { sipgateCallScenario } from '../../../src/providers/sipgate/simulate';
import type { SipgateSimulatedRequest } from '../../../src/providers/sipgate/simulate';
import { loadFixtures } from '../../helpers/fixtures';
import { listenOnLoopback } from '../../helpers/server';
import { canonicalXml } from '../../helpers/xml';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let saved: string | undefined;
beforeEach(() => {
  saved = process.env['SIPGATE_FORWARD_TO'];
  process.env['SIPGATE_FORWARD_TO'] = '4915799912345, 492111234567';
});
afterEach(() => {
  if (saved === undefined) delete process.env['SIPGATE_FORWARD_TO'];
  else process.env['SIPGATE_FORWARD_TO'] = saved;
});

function post(server: Parameters<typeof request>[0], simulated: SipgateSimulatedRequest) {
  let test = request(server).post('/sipgate').set('host', 'calls.example.com');
  for (const [name, value] of Object.entries(simulated.headers)) test = test.set(name, value);
  return test.send(simulated.body);
}

test('a signed incoming call is dialled to SIPGATE_FORWARD_TO with follow-ups at /sipgate', async () => {
  const lines: string[] = [];
  const app = createExampleApp({
    sipgatePublicKey: PUBLIC_PEM,
    production: true,
    log: (line) => lines.push(line),
  });
  const server = await listenOnLoopback(app);
  const [newCall, answer, hangup] = sipgateCallScenario({ privateKey: pair.privateKey });

  const res = await post(server, newCall as SipgateSimulatedRequest);
  expect(res.status).toBe(200);
  const url = 'http://calls.example.com/sipgate';
  expect(canonicalXml(res.text)).toEqual(
    canonicalXml(
      `<Response onAnswer="${url}" onHangup="${url}"><Dial>` +
        '<Number>4915799912345</Number><Number>492111234567</Number></Dial></Response>',
    ),
  );
  expect((await post(server, answer as SipgateSimulatedRequest)).status).toBe(200);
  expect((await post(server, hangup as SipgateSimulatedRequest)).status).toBe(200);
  expect(lines.at(-1)).toMatch(/ended \(normalClearing\), answered by 4928559389086$/);

  // Unsigned: refused, also in production.
  const [unsigned] = sipgateCallScenario();
  expect((await post(server, unsigned as SipgateSimulatedRequest)).status).toBe(403);
});

test('without SIPGATE_PUBLIC_KEY the published key verifies the captured 2021 push', async () => {
  const app = createExampleApp({ production: true, log: () => undefined });
  const server = await listenOnLoopback(app);
  const capture = loadFixtures('sipgate').requests.find((fixture) => fixture.secret !== undefined);
  if (capture === undefined) throw new Error('no signed fixture');
  const res = await request(server)
    .post('/sipgate')
    .set('content-type', capture.headers['content-type'] ?? '')
    .set('x-sipgate-signature', capture.headers['x-sipgate-signature'] ?? '')
    .send(capture.body ?? '');
  expect(res.status).toBe(200);
  expect(res.text).toContain('<Dial>');
});
