/**
 * The `node:http` adapter: `http.createServer(calls.node())` on 127.0.0.1 answers like the
 * Express middleware — the provider's answer, coded errors, helmet's headers, byte-correct
 * Content-Length.
 */
import { createServer } from 'node:http';
import request from 'supertest';
import { placetel } from '../../src';
import { listenOnLoopback } from '../helpers/server';
import { canonicalXml } from '../helpers/xml';

const SECRET = 'test-secret-not-real';

async function start() {
  const calls = placetel.createApp({ secret: SECRET });
  calls.on('IncomingCall', (call) =>
    placetel.forward({ targets: [{ numbers: [`${call.to}`, 'Grüße@example.com'] }] }),
  );
  calls.onError(() => undefined);
  return listenOnLoopback(createServer(calls.node()));
}

function signed(body: string) {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-placetel-signature': placetel.signPlacetelBody(body, SECRET),
  };
}

test('a signed IncomingCall is answered with the Forward, on any path of the server', async () => {
  const server = await start();
  const body = placetel.placetelRequest({
    call_id: 'abc',
    event: 'IncomingCall',
    from: '017312345678',
    to: '022129191999',
  }).body;
  for (const path of ['/', '/any/path']) {
    const res = await request(server).post(path).set(signed(body)).send(body);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(canonicalXml(res.text)).toEqual(
      canonicalXml(
        '<Response><Forward><Target><Number>022129191999</Number><Number>Grüße@example.com</Number></Target></Forward></Response>',
      ),
    );
  }
});

test('coded refusals: 403 unsigned, 405 GET, 413 too large', async () => {
  const server = await start();
  const unsigned = await request(server)
    .post('/')
    .set('content-type', 'application/x-www-form-urlencoded')
    .send('event=IncomingCall&call_id=a');
  expect(unsigned.status).toBe(403);
  expect(canonicalXml(unsigned.text).attributes['code']).toBe('CC_ERR_SIGNATURE_MISSING');
  expect((await request(server).get('/')).status).toBe(405);
  const large = await request(server)
    .post('/')
    .set('content-type', 'application/x-www-form-urlencoded')
    .send(`a=${'x'.repeat(70_000)}`);
  expect(large.status).toBe(413);
});
