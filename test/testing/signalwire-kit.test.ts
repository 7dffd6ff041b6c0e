/**
 * The test kit for SignalWire (`client.signalwire`): requests signed with the Signing Key
 * (the client's `authToken` option) for the URL the app computes (its `publicUrl`, or the kit's
 * default `http://127.0.0.1`), and a whole cXML call that follows the app's answers
 * (docs/providers/signalwire.md §2.3, §3.1).
 */
import { signalwire } from '../../src';
import { createTestClient, scenarioOptions } from '../../src/testing';
import { QUIET } from '../helpers/apps';

const KEY = 'PSK_TestKeyNotReal0000000000';

function menuApp(options: { publicUrl?: string } = {}) {
  const calls = signalwire.createApp({
    ...QUIET,
    signingKey: KEY,
    actions: ['menu'] as const,
    ...options,
  });
  const completed: signalwire.SignalwireStatusCallback[] = [];
  calls.on('voice', () =>
    signalwire.response(
      signalwire.gather(
        { numDigits: 1, action: calls.actionUrl('menu') },
        signalwire.say('Press 1 for sales.'),
      ),
    ),
  );
  calls.action('menu', (result) =>
    result.name === 'gather' && result.digits === '1'
      ? signalwire.dial(signalwire.number('+15550001111'))
      : signalwire.hangup(),
  );
  calls.on('status-callback', (event) => {
    completed.push(event);
  });
  return { calls, completed };
}

describe('test kit: signalwire', () => {
  test('playCall follows the Gather action, signed for the URL each request goes to', async () => {
    const { calls, completed } = menuApp();
    const client = createTestClient(calls, { authToken: KEY });
    const call = await client.signalwire.playCall({ digits: '1' });
    call.expectAllOk();
    expect(call.exchanges.map((e) => e.event)).toEqual(['voice', 'gather', 'status-callback']);
    expect(call.reply('gather').text).toContain('<Number>+15550001111</Number>');
    expect(completed[0]).toMatchObject({ statusEvent: 'completed', sipResultCode: 200 });
    expect(call.exchanges[0]?.request.headers['x-signalwire-signature']).toMatch(
      /^[A-Za-z0-9+/]{27}=$/,
    );
  });

  test('with the app behind a publicUrl, the kit signs for it', async () => {
    const { calls } = menuApp({ publicUrl: 'https://voice.example.com/signalwire' });
    const client = createTestClient(calls, {
      authToken: KEY,
      publicUrl: 'https://voice.example.com/signalwire',
    });
    const call = await client.signalwire.playCall({ digits: '2' });
    call.expectAllOk();
    expect(call.reply('voice').text).toContain(
      'action="https://voice.example.com/signalwire/actions/menu"',
    );
    expect(call.reply('gather').text).toContain('<Hangup/>');
  });

  test('unsigned, or under another key: 403', async () => {
    const { calls } = menuApp();
    (await createTestClient(calls).signalwire.voice())
      .expectStatus(403)
      .expectError('CC_ERR_SIGNATURE_MISSING');
    (await createTestClient(calls, { authToken: 'PSK_Other000000000000000000' }).signalwire.voice())
      .expectStatus(403)
      .expectError('CC_ERR_SIGNATURE_INVALID');
  });

  test('provider-neutral options and the helpers', async () => {
    const { calls, completed } = menuApp();
    const client = createTestClient(calls, { authToken: KEY });
    const call = await client.signalwire.playCall(
      scenarioOptions('signalwire', { hangupCause: 'no-answer' }),
    );
    call.expectAllOk();
    expect(completed[0]).toMatchObject({ callStatus: 'no-answer', sipResultCode: 487 });
    const reply = await client.signalwire.gather({ digits: '1', actionPath: '/actions/menu' });
    expect(reply.text).toContain('<Number>+15550001111</Number>');
  });
});
