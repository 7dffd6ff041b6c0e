/**
 * The handler's deadline costs no timer when the handler answers within the tick (synchronously,
 * or after promises that are already settled), and still sends the fallback in time when it
 * does not.
 */
import { placetel, type WebhookRequest } from '../../src';

const SECRET = 'test-secret-not-real-5d2e';

function incoming(callId: string): WebhookRequest {
  const signed = placetel.placetelRequest(
    {
      event: 'IncomingCall',
      call_id: callId,
      from: '0151000001',
      to: '022129191999',
      direction: 'in',
    },
    SECRET,
  );
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: Object.fromEntries(
      Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    body: Buffer.from(signed.body),
  };
}

const FORWARD = { targets: [{ ringtime: 30, numbers: ['022129191999'] }] };

afterEach(() => jest.restoreAllMocks());

test('a handler answering synchronously or after settled promises arms no deadline timer', async () => {
  const calls = placetel.createApp({ secret: SECRET, duplicates: false, stderr: false });
  let chained = false;
  calls.on('IncomingCall', async () => {
    if (chained) await Promise.resolve().then(() => Promise.resolve());
    return placetel.forward(FORWARD);
  });
  const timers = jest.spyOn(global, 'setTimeout');
  const first = await calls.handle(incoming('a1'));
  chained = true;
  const second = await calls.handle(incoming('a2'));
  expect([first.outcome, second.outcome]).toEqual(['handled', 'handled']);
  expect(second.text).toContain('022129191999');
  // Past the tick, when a timer would have been armed.
  await new Promise((resolve) => setImmediate(resolve));
  expect(timers).not.toHaveBeenCalled();
});

test('a handler still waiting after the tick gets its deadline: the fallback, in time', async () => {
  const calls = placetel.createApp({ secret: SECRET, timeoutMs: 100, stderr: false });
  calls.on('IncomingCall', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3000).unref());
    return placetel.forward(FORWARD);
  });
  const started = performance.now();
  const reply = await calls.handle(incoming('b1'));
  expect(reply).toMatchObject({ status: 200, outcome: 'fallback', code: 'CC_ERR_HANDLER_TIMEOUT' });
  expect(performance.now() - started).toBeLessThan(2000);
});

test('a handler that never settles gets the fallback at its deadline', async () => {
  const calls = placetel.createApp({ secret: SECRET, timeoutMs: 100, stderr: false });
  calls.on('IncomingCall', () => new Promise<never>(() => undefined));
  const reply = await calls.handle(incoming('c1'));
  expect(reply).toMatchObject({ outcome: 'fallback', code: 'CC_ERR_HANDLER_TIMEOUT' });
});
