/**
 * The test kit for Twilio (`client.twilio`): requests signed with `authToken` for the URL the
 * app computes (its `publicUrl`, or the kit's default `http://127.0.0.1`), a whole call that
 * follows the app's answers (the Gather action with scripted digits, Dial actions), and the
 * per-request helpers.
 */
import { twilio } from '../../src';
import { createTestClient, scenarioOptions } from '../../src/testing';
import { QUIET } from '../helpers/apps';

const TOKEN = 'fake-auth-token-for-tests';

function menuApp(options: { publicUrl?: string } = {}) {
  const calls = twilio.createApp({
    ...QUIET,
    authToken: TOKEN,
    actions: ['menu', 'dialed'] as const,
    ...options,
  });
  const completed: twilio.TwilioStatusCallback[] = [];
  calls.on('voice', () =>
    twilio.response(
      twilio.gather(
        { numDigits: 1, action: calls.actionUrl('menu') },
        twilio.say('Press 1 for sales.'),
      ),
      twilio.say('Goodbye.'),
    ),
  );
  calls.action('menu', (result) =>
    result.name === 'gather' && result.digits === '1'
      ? twilio.dial({ action: calls.actionUrl('dialed') }, twilio.number('+15550001111'))
      : twilio.hangup(),
  );
  calls.action('dialed', () => twilio.hangup());
  calls.on('status-callback', (event) => {
    completed.push(event);
  });
  return { calls, completed };
}

describe('test kit: twilio', () => {
  test('playCall follows the Gather action with the scripted digits, then the Dial action', async () => {
    const { calls, completed } = menuApp();
    const client = createTestClient(calls, { authToken: TOKEN });
    const call = await client.playCall({ digits: '1' });
    call.expectAllOk();
    expect(call.exchanges.map((e) => e.event)).toEqual([
      'voice',
      'gather',
      'dial',
      'status-callback',
    ]);
    expect(call.reply('voice').text).toContain('action="http://127.0.0.1/actions/menu"');
    expect(call.exchanges[1]?.request.path).toBe('/actions/menu');
    expect(call.reply('gather').text).toContain('<Number>+15550001111</Number>');
    expect(call.reply('dial').text).toContain('<Hangup/>');
    expect(completed.map((event) => event.statusEvent)).toEqual(['completed']);
    expect(call.exchanges[0]?.request.headers['x-twilio-signature']).toMatch(
      /^[A-Za-z0-9+/]{27}=$/,
    );
  });

  test('without digits the Gather gets no input and the call ends after the voice request', async () => {
    const { calls } = menuApp();
    const call = await createTestClient(calls, { authToken: TOKEN }).playCall();
    call.expectAllOk();
    expect(call.exchanges.map((e) => e.event)).toEqual(['voice', 'status-callback']);
  });

  test('signs for the publicUrl the app is given, and action URLs are built from it', async () => {
    const publicUrl = 'https://voice.example.com/twilio';
    const { calls } = menuApp({ publicUrl });
    const call = await createTestClient(calls, { authToken: TOKEN, publicUrl }).playCall({
      digits: '2',
    });
    call.expectAllOk();
    expect(call.reply('voice').text).toContain(`action="${publicUrl}/actions/menu"`);
    expect(call.exchanges.map((e) => e.event)).toEqual(['voice', 'gather', 'status-callback']);
    // Signed for another URL: refused, and the reply says which URL was checked.
    const wrong = await createTestClient(calls, { authToken: TOKEN }).twilio.voice();
    wrong.expectError('CC_ERR_SIGNATURE_INVALID', 403);
  });

  test('a wrong authToken is refused with 403', async () => {
    const { calls } = menuApp();
    const reply = await createTestClient(calls, { authToken: 'another-token' }).twilio.voice();
    reply.expectError('CC_ERR_SIGNATURE_INVALID', 403);
  });

  test('per-request helpers: voice, gather to an action path, dial, statusCallback, request', async () => {
    const { calls, completed } = menuApp();
    const client = createTestClient(calls, { authToken: TOKEN });
    (await client.twilio.voice()).expectStatus(200);
    const gathered = await client.twilio.gather({ path: '/actions/menu', digits: '2' });
    expect(gathered.text).toContain('<Hangup/>');
    (await client.twilio.dial({ path: '/actions/dialed' })).expectStatus(200);
    (await client.twilio.statusCallback({ finalStatus: 'busy' })).expectNeutral();
    expect(completed.map((event) => event.callStatus)).toEqual(['busy']);
    const get = await client.twilio.request(
      'voice',
      [
        ['CallSid', 'CA1'],
        ['From', '+1555'],
      ],
      {
        method: 'GET',
      },
    );
    get.expectStatus(200);
  });

  test('scenarioOptions maps the provider-neutral call options', () => {
    expect(scenarioOptions('twilio', { digits: ['9', '1'], hangupCause: 'no-answer' })).toEqual({
      digits: ['9', '1'],
      finalStatus: 'no-answer',
    });
  });

  test('authToken is refused for a provider that signs otherwise', () => {
    const { calls } = menuApp();
    expect(() => createTestClient(calls, { secret: 'x' })).toThrow(/authToken/);
  });
});
