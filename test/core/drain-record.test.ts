import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placetel } from '../../src';
import { createTestClient } from '../../src/testing';
import { QUIET } from '../helpers/apps';

// Writes to the recording hang while `mockHang` is set (a stalled disk), to see drain's bound.
let mockHang = false;
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof FsPromises>('node:fs/promises');
  return {
    ...actual,
    appendFile: (...args: Parameters<typeof actual.appendFile>) =>
      mockHang ? new Promise<void>(() => undefined) : actual.appendFile(...args),
  };
});

const SECRET = 'drain-record-secret-not-real';

function linesOf(file: string): string[] {
  return (existsSync(file) ? readFileSync(file, 'utf8') : '')
    .split('\n')
    .filter((line) => line !== '');
}

function recordingApp(): { calls: placetel.PlacetelApp; file: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'callcontrol-drain-record-')), 'calls.jsonl');
  const calls = placetel.createApp({ ...QUIET, secret: SECRET, record: { file } });
  calls.on('IncomingCall', () => placetel.reject({ reason: 'busy' }));
  return { calls, file };
}

afterEach(() => {
  mockHang = false;
});

describe('drain() and close() wait for the recording', () => {
  test('drain() resolves once every answered exchange is written', async () => {
    const { calls, file } = recordingApp();
    const client = createTestClient(calls, { secret: SECRET });
    for (let i = 0; i < 5; i++) {
      (await client.placetel.incomingCall({ callId: `drain-${i}` })).expectStatus(200);
    }
    await expect(calls.drain({ timeoutMs: 10_000 })).resolves.toEqual({
      drained: true,
      inFlight: 0,
    });
    expect(linesOf(file)).toHaveLength(5);
    await calls.close({ timeoutMs: 0 });
  });

  test('close() resolves once every answered exchange is written (default timeout)', async () => {
    const { calls, file } = recordingApp();
    const client = createTestClient(calls, { secret: SECRET });
    const replies = await Promise.all(
      [0, 1, 2].map((i) => client.placetel.incomingCall({ callId: `close-${i}` })),
    );
    for (const reply of replies) reply.expectStatus(200);
    await calls.close();
    expect(linesOf(file)).toHaveLength(3);
  });

  test('a recording that does not get written holds drain() no longer than timeoutMs', async () => {
    const { calls, file } = recordingApp();
    const client = createTestClient(calls, { secret: SECRET });
    mockHang = true;
    (await client.placetel.incomingCall({ callId: 'stalled' })).expectStatus(200);
    const started = Date.now();
    await expect(calls.drain({ timeoutMs: 300 })).resolves.toEqual({
      drained: true,
      inFlight: 0,
    });
    // Bounded by timeoutMs (300 ms), with room for a slow machine.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(linesOf(file)).toHaveLength(0);
    await calls.close({ timeoutMs: 0 });
  });
});
