import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placetel, twilio, type RecordedExchange } from '../../src';
import type { CallControlError } from '../../src/core/errors';
import { createTestClient } from '../../src/testing';

/** A fresh directory for this test's recordings. */
function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'callcontrol-record-'));
}

/** Waits until `file` holds `lines` lines (the recorder writes after the reply). */
async function linesOf(file: string, lines: number): Promise<string[]> {
  for (let i = 0; i < 200; i++) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const found = text.split('\n').filter((line) => line !== '');
    if (found.length >= lines) return found;
    await new Promise((done) => setTimeout(done, 5));
  }
  return (existsSync(file) ? readFileSync(file, 'utf8') : '').split('\n').filter((l) => l !== '');
}

describe('record option', () => {
  it('records each request and answer without secrets, tokens, signatures or Authorization', async () => {
    const file = join(scratch(), 'calls.jsonl');
    const calls = placetel.createApp({
      secret: 'placetel-secret-1',
      urlToken: { tokens: ['url-token-7777777777'] },
      record: { file },
    });
    calls.on('IncomingCall', () => placetel.reject({ reason: 'busy' }));
    const client = createTestClient(calls, {
      secret: 'placetel-secret-1',
      urlToken: 'url-token-7777777777',
      headers: {
        authorization: 'Bearer bearer-secret-55',
        cookie: 'sid=cookie-secret-66',
        'x-twilio-signature': 'twilio-sig-88',
        'telnyx-signature-ed25519': 'telnyx-sig-99',
      },
    });
    const reply = await client.placetel.incomingCall({ from: '0301234', callId: 'c1' });
    expect(reply.status).toBe(200);
    const [line] = await linesOf(file, 1);
    const text = readFileSync(file, 'utf8');
    const signature = reply.request.headers['x-placetel-signature'];
    expect(signature).toBeDefined();
    for (const secret of [
      signature ?? 'x',
      'url-token-7777777777',
      'bearer-secret-55',
      'cookie-secret-66',
      'twilio-sig-88',
      'telnyx-sig-99',
      'placetel-secret-1',
    ]) {
      expect(text).not.toContain(secret);
    }
    const recorded = JSON.parse(line ?? '{}') as RecordedExchange;
    expect(recorded.provider).toBe('placetel');
    expect(recorded.request.method).toBe('POST');
    expect(recorded.request.headers['authorization']).toBe('[redacted]');
    expect(recorded.request.headers['x-placetel-signature']).toBe('[redacted]');
    expect(recorded.request.bodyEncoding).toBe('utf8');
    expect(recorded.request.body).toBe(reply.request.body);
    expect(recorded.reply.status).toBe(200);
    expect(recorded.reply.body).toBe(reply.text);
    expect(recorded.reply.outcome).toBe('handled');
    expect(Number.isNaN(Date.parse(recorded.receivedAt))).toBe(false);
  });

  it('records a refused request with its code, and a body that is not UTF-8 as base64', async () => {
    const file = join(scratch(), 'calls.jsonl');
    const calls = twilio.createApp({ allowUnauthenticated: true, stderr: false, record: { file } });
    const client = createTestClient(calls);
    await client.send({
      event: '',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '\u0000',
    });
    const raw = await calls.handle({
      method: 'POST',
      path: '/',
      query: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from([0xff, 0xfe]),
    });
    expect(raw.status).toBe(400);
    const lines = await linesOf(file, 2);
    const second = JSON.parse(lines[1] ?? '{}') as RecordedExchange;
    expect(second.request.bodyEncoding).toBe('base64');
    expect(Buffer.from(second.request.body, 'base64')).toEqual(Buffer.from([0xff, 0xfe]));
    expect(second.reply.outcome).toBe('refused');
    expect(second.reply.code).toBe(raw.code);
  });

  it('stops appending at maxBytes: a line that fits exactly is written, the next is not', async () => {
    const dir = scratch();
    const make = (file: string, maxBytes?: number) => {
      const calls = placetel.createApp({
        allowUnauthenticated: true,
        duplicates: false,
        record: { file, maxBytes },
      });
      return createTestClient(calls);
    };
    const probe = join(dir, 'probe.jsonl');
    await make(probe).placetel.incomingCall({ callId: 'same' });
    const [first] = await linesOf(probe, 1);
    const lineBytes = Buffer.byteLength(`${first ?? ''}\n`);

    const exact = join(dir, 'exact.jsonl');
    const client = make(exact, 2 * lineBytes);
    for (let i = 0; i < 4; i++) await client.placetel.incomingCall({ callId: 'same' });
    await new Promise((done) => setTimeout(done, 100));
    expect(await linesOf(exact, 2)).toHaveLength(2);
    expect(readFileSync(exact).length).toBe(2 * lineBytes);

    const short = join(dir, 'short.jsonl');
    const shortClient = make(short, 2 * lineBytes - 1);
    for (let i = 0; i < 3; i++) await shortClient.placetel.incomingCall({ callId: 'same' });
    await new Promise((done) => setTimeout(done, 100));
    expect(readFileSync(short).length).toBe(lineBytes);
  });

  it('a failing write changes no answer and is reported once as CC_ERR_RECORD_FAILED', async () => {
    const file = join(scratch(), 'missing-dir', 'calls.jsonl');
    const calls = placetel.createApp({ allowUnauthenticated: true, record: { file } });
    const errors: CallControlError[] = [];
    calls.onError((error) => {
      errors.push(error);
    });
    const client = createTestClient(calls);
    for (let i = 0; i < 3; i++) {
      expect((await client.placetel.incomingCall({ callId: `c${i}` })).status).toBe(200);
    }
    await new Promise((done) => setTimeout(done, 100));
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_RECORD_FAILED']);
  });

  it('refuses a record option without a file or with a maxBytes that is not positive', () => {
    expect(() => placetel.createApp({ allowUnauthenticated: true, record: { file: '' } })).toThrow(
      TypeError,
    );
    expect(() =>
      placetel.createApp({ allowUnauthenticated: true, record: { file: 'x', maxBytes: 0 } }),
    ).toThrow(/maxBytes/);
  });
});
