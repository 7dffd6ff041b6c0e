/**
 * The SignalWire app (docs/providers/signalwire.md §1, §3.1, §4): secure by default, named
 * actions checked before a call, signatures over the public URL, the deadline for SignalWire's
 * 5-second read timeout.
 */
import { signalwire } from '../../../src';
import type { WebhookRequest } from '../../../src/core/types';
import { TEST_APP, QUIET } from '../../helpers/apps';

const KEY = 'PSK_TestKeyNotReal0000000000';
const CALL = {
  AccountSid: '6bfbbe86-a901-4197-8759-2a0de1fa319d',
  CallSid: '0703574f-b151-465d-aedb-28972eb513c7',
  From: '+15550000001',
  To: '+15550000002',
};

function form(
  fields: Record<string, string>,
  path = '/',
  headers: Record<string, string> = {},
): WebhookRequest {
  return {
    method: 'POST',
    path,
    query: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: 'calls.example.com',
      ...headers,
    },
    body: Buffer.from(new URLSearchParams(fields).toString()),
    scheme: 'https',
    host: 'calls.example.com',
  };
}

describe('secure by default', () => {
  test('createApp without a check throws a TypeError naming signingKey', () => {
    expect(() => signalwire.createApp()).toThrow(/signingKey/);
    expect(() => signalwire.createApp({ signingKey: undefined })).toThrow(TypeError);
    expect(() => signalwire.createApp({ signingKey: '' })).toThrow(TypeError);
    expect(() => signalwire.createApp({ signingKey: KEY })).not.toThrow();
    expect(() => signalwire.createApp(TEST_APP)).not.toThrow();
  });
});

describe('signatures over the public URL (spec §3.1)', () => {
  const app = () => {
    const calls = signalwire.createApp({ ...QUIET, signingKey: KEY, actions: ['menu'] as const });
    calls.on('voice', () => signalwire.gather({ action: calls.actionUrl('menu') }));
    calls.action('menu', () => signalwire.hangup());
    return calls;
  };

  test('signed for the URL requested: answered, with absolute action URLs', async () => {
    const url = 'https://calls.example.com/';
    const signature = signalwire.signSignalwireRequest(KEY, url, CALL);
    const reply = await app().handle(form(CALL, '/', { 'x-signalwire-signature': signature }));
    expect(reply.status).toBe(200);
    expect(String(reply.body)).toContain('action="https://calls.example.com/actions/menu"');
  });

  test('signed for another URL: 403 naming the URL checked, never the key', async () => {
    const signature = signalwire.signSignalwireRequest(KEY, 'https://elsewhere.example/', CALL);
    const errors: string[] = [];
    const calls = app();
    calls.onError((error) => {
      errors.push(`${error.code} ${error.message}`);
    });
    const reply = await calls.handle(form(CALL, '/', { 'x-signalwire-signature': signature }));
    expect(reply.status).toBe(403);
    expect(errors[0]).toMatch(
      /^CC_ERR_SIGNATURE_INVALID .*URL checked: https:\/\/calls\.example\.com\//,
    );
    expect(errors[0]).not.toContain(KEY);
  });
});

describe('delivery (spec §4)', () => {
  test('the answer deadline is 3000 ms (SignalWire reads for 5 s)', () => {
    expect(signalwire.signalwireProvider().defaultTimeoutMs).toBe(3000);
  });

  test('the same digits typed again are a new step, not a duplicate', async () => {
    const calls = signalwire.createApp({ ...TEST_APP, actions: ['menu'] as const });
    let runs = 0;
    calls.action('menu', () => {
      runs += 1;
      return signalwire.hangup();
    });
    await calls.handle(form({ ...CALL, Digits: '9' }, '/actions/menu'));
    await calls.handle(form({ ...CALL, Digits: '9' }, '/actions/menu'));
    expect(runs).toBe(2);
  });

  test('a status callback sent twice runs its handler once', async () => {
    const calls = signalwire.createApp(TEST_APP);
    let runs = 0;
    calls.on('status-callback', () => {
      runs += 1;
    });
    const callback = { ...CALL, CallStatus: 'completed', CallbackSource: 'call-progress-events' };
    await calls.handle(form(callback));
    await calls.handle(form(callback));
    expect(runs).toBe(1);
  });
});
