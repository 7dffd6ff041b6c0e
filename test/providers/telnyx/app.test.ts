/**
 * The Telnyx app (docs/providers/telnyx.md §1, §4): secure by default, named actions checked
 * before a call, GET and POST requests, duplicates keyed as §4 "Duplicates" says, the deadline
 * for Telnyx's 2-second webhook timeout.
 */
import { generateKeyPairSync } from 'node:crypto';
import { telnyx } from '../../../src';
import { createTestClient } from '../../../src/testing';
import type { WebhookRequest } from '../../../src/core/types';
import { QUIET, TEST_APP } from '../../helpers/apps';

const keys = generateKeyPairSync('ed25519');
const PUBLIC = telnyx.telnyxPublicKeyBase64(keys.publicKey);

function form(fields: Record<string, string>, path = '/', method = 'POST'): WebhookRequest {
  const body = new URLSearchParams(fields).toString();
  return method === 'GET'
    ? { method, path, query: body, headers: {}, body: Buffer.alloc(0) }
    : {
        method,
        path,
        query: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'calls.example.com' },
        body: Buffer.from(body),
        scheme: 'http',
        host: 'calls.example.com',
      };
}

const CALL = { AccountSid: 'a', CallSid: 'v3:abc', From: '+15550000001', To: '+15550000002' };

describe('secure by default', () => {
  test('createApp without a check throws a TypeError naming publicKey', () => {
    expect(() => telnyx.createApp()).toThrow(TypeError);
    expect(() => telnyx.createApp()).toThrow(/publicKey/);
    expect(() => telnyx.createApp({ publicKey: undefined })).toThrow(/publicKey/);
    expect(() => telnyx.createApp({ allowUnauthenticated: true, stderr: false })).not.toThrow();
    expect(() => telnyx.createApp({ publicKey: PUBLIC })).not.toThrow();
  });

  test('a key that is not Telnyx’s form is refused at once', () => {
    expect(() => telnyx.createApp({ publicKey: 'not-a-key' })).toThrow(TypeError);
    expect(() => telnyx.createApp({ publicKey: PUBLIC, toleranceSeconds: -1 })).toThrow(
      /toleranceSeconds/,
    );
  });
});

describe('named actions', () => {
  test('a declared action without a handler is a TypeError at mount time', () => {
    const calls = telnyx.createApp({ ...TEST_APP, actions: ['menu'] as const });
    expect(() => calls.express()).toThrow(/"menu" has no handler/);
    calls.action('menu', () => telnyx.hangup());
    expect(() => calls.express()).not.toThrow();
  });

  test('an undeclared name is a TypeError (and does not compile)', () => {
    const calls = telnyx.createApp({ ...TEST_APP, actions: ['menu'] as const });
    // @ts-expect-error -- 'other' is not declared
    expect(() => calls.action('other', () => null)).toThrow(TypeError);
  });

  test('action requests reach their handler; refs render as absolute URLs below the mount', async () => {
    const calls = telnyx.createApp({ ...TEST_APP, actions: ['menu'] as const });
    const seen: telnyx.TelnyxActionRequest[] = [];
    calls.on('voice', () =>
      telnyx.gather({ numDigits: 1, action: calls.actionUrl('menu', { step: '2' }) }),
    );
    calls.action('menu', (result) => {
      seen.push(result);
      return telnyx.hangup();
    });
    const voice = await calls.handle(form(CALL));
    expect(String(voice.body)).toContain('action="http://calls.example.com/actions/menu?step=2"');
    const gather = await calls.handle(form({ ...CALL, Digits: '7' }, '/actions/menu'));
    expect(gather.status).toBe(200);
    expect(String(gather.body)).toContain('<Hangup/>');
    expect(seen[0]).toMatchObject({ name: 'gather', digits: '7', action: 'menu' });
    const unknown = await calls.handle(form({ ...CALL, Digits: '7' }, '/actions/nope'));
    expect(unknown.status).toBe(400);
  });
});

describe('requests', () => {
  test('a GET instruction fetch is read from the query (spec §1 "Encoding")', async () => {
    const calls = telnyx.createApp(TEST_APP);
    const seen: telnyx.TelnyxVoiceRequest[] = [];
    calls.on('voice', (event) => {
      seen.push(event);
      return telnyx.say('Hello');
    });
    const reply = await calls.handle(form({ ...CALL, ConnectionId: '42' }, '/', 'GET'));
    expect(reply.status).toBe(200);
    expect(seen[0]).toMatchObject({ from: '+15550000001', connectionId: '42' });
  });

  test('a number field that is not a number is a coded 400, not a crash', async () => {
    const calls = telnyx.createApp(TEST_APP);
    calls.on('status-callback', () => undefined);
    const reply = await calls.handle(
      form({ ...CALL, CallStatus: 'completed', CallbackSource: 'x', SipHangupCause: 'abc' }),
    );
    expect(reply.status).toBe(400);
    expect(String(reply.body)).toContain('CC_ERR_REQUEST_MALFORMED');
  });
});

describe('delivery (spec §4)', () => {
  test('a call-progress callback sent twice runs its handler once (CallSid + SequenceNumber)', async () => {
    const calls = telnyx.createApp({ ...QUIET, publicKey: PUBLIC });
    let runs = 0;
    calls.on('status-callback', () => {
      runs += 1;
    });
    const client = createTestClient(calls);
    const fields: Array<[string, string]> = [
      ...Object.entries(CALL),
      ['CallStatus', 'ringing'],
      ['CallbackSource', 'call-progress-events'],
      ['SequenceNumber', '3'],
    ];
    const signed = () =>
      telnyx.signTelnyxTestRequest(
        telnyx.telnyxRequest('status-callback', fields),
        keys.privateKey,
      );
    (await client.send(signed())).expectStatus(200);
    (await client.send(signed())).expectStatus(200);
    expect(runs).toBe(1);
  });

  test('the same digits typed again are a new step, not a duplicate', async () => {
    const calls = telnyx.createApp({ ...TEST_APP, actions: ['menu'] as const });
    let runs = 0;
    calls.action('menu', () => {
      runs += 1;
      return telnyx.hangup();
    });
    await calls.handle(form({ ...CALL, Digits: '9' }, '/actions/menu'));
    await calls.handle(form({ ...CALL, Digits: '9' }, '/actions/menu'));
    expect(runs).toBe(2);
  });

  test('the answer deadline is 1500 ms (within Telnyx’s 2 s)', () => {
    expect(telnyx.telnyxProvider().defaultTimeoutMs).toBe(1500);
  });
});
