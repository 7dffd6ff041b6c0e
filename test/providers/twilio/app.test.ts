/**
 * The Twilio app: secure by default (no authToken, no start), named actions (declared names
 * typed, a declared action without a handler found at mount or first request, an undeclared
 * one refused, action refs rendered as absolute URLs from the public mount URL), duplicate
 * deliveries keyed on I-Twilio-Idempotency-Token (docs/providers/twilio.md §4.3), the answer
 * deadline fitting Twilio's 15 s (§4.1).
 */
import { twilio } from '../../../src';
import { createTestClient } from '../../../src/testing';
import { QUIET, TEST_APP } from '../../helpers/apps';

const TOKEN = 'fake-auth-token-for-tests';

describe('createApp', () => {
  test('refuses to start without authToken (or another check) unless allowUnauthenticated', () => {
    expect(() => twilio.createApp()).toThrow(/authToken/);
    expect(() => twilio.createApp({ authToken: undefined })).toThrow(TypeError);
    expect(() => twilio.createApp({ authToken: '' })).toThrow(TypeError);
    expect(() => twilio.createApp({ authToken: false })).toThrow(/allowUnauthenticated/);
    expect(() => twilio.createApp({ allowUnauthenticated: true })).not.toThrow();
    expect(() => twilio.createApp({ authToken: [TOKEN, 'next-token'] })).not.toThrow();
  });

  test('refuses bad action names and a fallback that refers to an action', () => {
    expect(() => twilio.createApp({ ...TEST_APP, actions: ['a b'] })).toThrow(TypeError);
    expect(() => twilio.createApp({ ...TEST_APP, actions: ['x', 'x'] })).toThrow(/twice/);
    expect(() =>
      twilio.createApp({
        ...TEST_APP,
        actions: ['menu'],
        fallback: twilio.redirect(twilio.actionRef('menu')),
      }),
    ).toThrow(/fallback answer cannot refer to actions/);
  });

  test('the answer deadline default leaves margin below the 15 s Twilio waits (§4.1)', () => {
    expect(twilio.TWILIO_DEFAULT_TIMEOUT_MS).toBe(10_000);
    expect(twilio.twilioProvider().defaultTimeoutMs).toBe(10_000);
  });
});

describe('named actions', () => {
  test('a declared action without a handler is a TypeError at mount and at the first request', async () => {
    const calls = twilio.createApp({ ...TEST_APP, actions: ['menu', 'dialed'] as const });
    calls.action('menu', () => twilio.hangup());
    expect(() => calls.express()).toThrow(/"dialed" has no handler/);
    await expect(createTestClient(calls).twilio.voice()).rejects.toThrow(/"dialed"/);
    calls.action('dialed', () => twilio.hangup());
    expect(() => calls.express()).not.toThrow();
  });

  test('a handler for an undeclared name does not compile and throws', () => {
    const calls = twilio.createApp({ ...TEST_APP, actions: ['menu'] as const });
    // @ts-expect-error 'nope' is not a declared action
    expect(() => calls.action('nope', () => null)).toThrow(/not declared/);
    // @ts-expect-error 'nope' is not a declared action
    expect(() => calls.actionUrl('nope')).toThrow(/not declared/);
  });

  test('a request to an undeclared action is refused with 400', async () => {
    const calls = twilio.createApp({ ...TEST_APP, actions: ['menu'] as const });
    const seen: string[] = [];
    calls.action('menu', () => null);
    calls.onAny((event) => {
      seen.push(event.name);
    });
    const reply = await createTestClient(calls).twilio.gather({ path: '/actions/other' });
    reply.expectError('CC_ERR_REQUEST_MALFORMED', 400);
    expect(seen).toEqual([]);
  });

  test('the action handler gets the typed result with its name and query; refs are absolute URLs', async () => {
    const calls = twilio.createApp({
      ...QUIET,
      authToken: TOKEN,
      publicUrl: 'https://voice.example.com/twilio',
      actions: ['menu'] as const,
    });
    const results: twilio.TwilioActionRequest[] = [];
    calls.on('voice', () =>
      twilio.gather({ numDigits: 1, action: calls.actionUrl('menu', { step: '2' }) }),
    );
    calls.action('menu', (result) => {
      results.push(result);
      return twilio.redirect(calls.actionRef('menu'));
    });
    const client = createTestClient(calls, {
      authToken: TOKEN,
      publicUrl: 'https://voice.example.com/twilio',
    });
    const voice = await client.twilio.voice();
    expect(voice.text).toContain('action="https://voice.example.com/twilio/actions/menu?step=2"');
    const gathered = await client.twilio.gather({ path: '/actions/menu', digits: '7' });
    gathered.expectStatus(200);
    expect(gathered.text).toContain('>https://voice.example.com/twilio/actions/menu</Redirect>');
    expect(results).toHaveLength(1);
    const result = results[0] as twilio.TwilioActionRequest;
    expect(result.action).toBe('menu');
    expect(result.name).toBe('gather');
    expect(result.name === 'gather' ? result.digits : undefined).toBe('7');
  });

  test('an answer that refers to an undeclared action gets the fallback', async () => {
    const calls = twilio.createApp({ ...TEST_APP, actions: ['menu'] as const });
    calls.action('menu', () => null);
    calls.on('voice', () => twilio.redirect(twilio.actionRef('elsewhere')));
    const reply = await createTestClient(calls).twilio.voice();
    reply.expectOutcome('fallback');
  });
});

describe('duplicate deliveries (§4.3)', () => {
  function counting() {
    const calls = twilio.createApp({ ...TEST_APP });
    let runs = 0;
    calls.on('voice', () => {
      runs++;
      return twilio.say(`run ${runs}`);
    });
    calls.on('status-callback', () => {
      runs++;
    });
    return { calls, runs: () => runs };
  }

  test('the same I-Twilio-Idempotency-Token is answered from the store', async () => {
    const { calls, runs } = counting();
    const client = createTestClient(calls, {
      headers: { 'i-twilio-idempotency-token': 'idem-1' },
    });
    const first = await client.twilio.voice();
    const again = await client.twilio.voice({ from: '+15550009999' });
    expect(runs()).toBe(1);
    again.expectOutcome('duplicate');
    expect(again.text).toBe(first.text);
  });

  test('another token is another delivery, even with the same body', async () => {
    const { calls, runs } = counting();
    await createTestClient(calls, {
      headers: { 'i-twilio-idempotency-token': 'a' },
    }).twilio.voice();
    await createTestClient(calls, {
      headers: { 'i-twilio-idempotency-token': 'b' },
    }).twilio.voice();
    expect(runs()).toBe(2);
  });

  test('without a token, a repeated voice request (a Redirect) runs again; a repeated status callback does not', async () => {
    const { calls, runs } = counting();
    const client = createTestClient(calls);
    await client.twilio.voice();
    await client.twilio.voice();
    expect(runs()).toBe(2);
    await client.twilio.statusCallback({
      callSid: 'CA0000000000000000000000000000000a',
      durationSeconds: 5,
    });
    const repeated = await client.twilio.request('status-callback', [
      ['CallSid', 'CA0000000000000000000000000000000b'],
      ['CallStatus', 'completed'],
      ['CallbackSource', 'call-progress-events'],
      ['SequenceNumber', '3'],
    ]);
    repeated.expectStatus(200);
    const twice = await client.twilio.request('status-callback', [
      ['CallSid', 'CA0000000000000000000000000000000b'],
      ['CallStatus', 'completed'],
      ['CallbackSource', 'call-progress-events'],
      ['SequenceNumber', '3'],
    ]);
    twice.expectOutcome('duplicate');
    expect(runs()).toBe(4);
  });
});
