/**
 * `timeoutMs` cannot interrupt synchronous code: a handler that blocks the event loop past its
 * deadline is answered when it returns, with its own answer. The reply is then counted as late:
 * the request line says `late: true` (at `warn`), and without a logger one stderr line says so.
 */
import { placetel, type CallControlLogger } from '../../src';
import { LATE_AFTER_MS } from '../../src/core/log';
import { placetelIncoming, TEST_APP } from '../helpers/apps';

interface Line {
  level: 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
}

function recorder(): { logger: CallControlLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (object: Record<string, unknown>) => {
    lines.push({ level, object });
  };
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** Blocks the event loop for `ms` milliseconds. */
function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spinning on purpose
  }
}

const DEADLINE_MS = 200;
const BLOCK_MS = DEADLINE_MS + 4 * LATE_AFTER_MS + 400;
const OWN_ANSWER = placetel.reject({ reason: 'busy' });

test('a handler blocking the loop past its deadline is answered with its own answer, marked late', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ ...TEST_APP, timeoutMs: DEADLINE_MS, logger });
  calls.on('IncomingCall', () => {
    busyWait(BLOCK_MS);
    return OWN_ANSWER;
  });
  const started = Date.now();
  const reply = await calls.handle(placetelIncoming('late00000001'));
  expect(Date.now() - started).toBeGreaterThanOrEqual(BLOCK_MS);
  expect(reply.status).toBe(200);
  expect(reply.outcome).toBe('handled');
  expect(reply.text).toContain('<Reject');
  expect(lines).toHaveLength(1);
  expect(lines[0]?.level).toBe('warn');
  expect(lines[0]?.object).toMatchObject({ outcome: 'handled', status: 200, late: true });
  expect(lines[0]?.object['durationMs']).toBeGreaterThanOrEqual(BLOCK_MS - 1);
});

test('the same after an await: the answer still wins over the deadline it passed', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ ...TEST_APP, timeoutMs: DEADLINE_MS, logger });
  calls.on('IncomingCall', async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    busyWait(BLOCK_MS);
    return OWN_ANSWER;
  });
  const reply = await calls.handle(placetelIncoming('late00000002'));
  expect(reply.text).toContain('<Reject');
  expect(lines[0]?.object).toMatchObject({ outcome: 'handled', late: true });
});

test('another call waiting behind the blocked loop is late too', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ ...TEST_APP, timeoutMs: DEADLINE_MS, logger });
  let first = true;
  calls.on('IncomingCall', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (first) {
      first = false;
      busyWait(BLOCK_MS);
    }
    return OWN_ANSWER;
  });
  const replies = await Promise.all([
    calls.handle(placetelIncoming('late00000003')),
    calls.handle(placetelIncoming('late00000004')),
  ]);
  expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
  expect(lines.map((line) => line.object['late'])).toEqual([true, true]);
});

test('a prompt answer and an ordinary timeout fallback are not marked late', async () => {
  const { logger, lines } = recorder();
  const calls = placetel.createApp({ ...TEST_APP, timeoutMs: DEADLINE_MS, logger });
  calls.on('IncomingCall', (event) =>
    event.callId.endsWith('slow')
      ? new Promise<null>(() => undefined) // never settles: the deadline's fallback
      : OWN_ANSWER,
  );
  await calls.handle(placetelIncoming('late00000005'));
  const fallback = await calls.handle(placetelIncoming('late0000slow'));
  expect(fallback.outcome).toBe('fallback');
  expect(lines[0]?.level).toBe('info');
  expect(lines[0]?.object['late']).toBeUndefined();
  // The deadline's own timer fires a few ms after it; only a loop blocked beyond
  // LATE_AFTER_MS makes it late (not expected on an idle test process).
  const duration = lines[1]?.object['durationMs'] as number;
  if (duration <= DEADLINE_MS + LATE_AFTER_MS) expect(lines[1]?.object['late']).toBeUndefined();
});

test('without a logger, one stderr line says the reply was late', async () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const calls = placetel.createApp({ allowUnauthenticated: true, timeoutMs: DEADLINE_MS });
    calls.on('IncomingCall', () => {
      busyWait(BLOCK_MS);
      return OWN_ANSWER;
    });
    const reply = await calls.handle(placetelIncoming('late00000006'));
    expect(reply.outcome).toBe('handled');
  } finally {
    spy.mockRestore();
  }
  expect(written).toHaveLength(1);
  expect(written[0]).toMatch(
    /^\[callcontrol\] provider=placetel event=IncomingCall outcome=late message="The reply was ready \d+ ms after its deadline/,
  );
});

test('with stderr: false and no logger, nothing is written', async () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const calls = placetel.createApp({ ...TEST_APP, timeoutMs: DEADLINE_MS });
    calls.on('IncomingCall', () => {
      busyWait(BLOCK_MS);
      return OWN_ANSWER;
    });
    await calls.handle(placetelIncoming('late00000007'));
  } finally {
    spy.mockRestore();
  }
  expect(written).toEqual([]);
});
