/**
 * The test kit for Telnyx (`client.telnyx`): a whole TeXML call that follows the app's answers
 * (the Gather action with scripted digits, then the Dial action), each request signed with the
 * scenario's Ed25519 `privateKey` at the time it is sent (docs/providers/telnyx.md §3), and the
 * per-request helpers.
 */
import { generateKeyPairSync } from 'node:crypto';
import { telnyx } from '../../src';
import { createTestClient, scenarioOptions } from '../../src/testing';
import { QUIET } from '../helpers/apps';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const PUBLIC = telnyx.telnyxPublicKeyBase64(keys.publicKey);

function menuApp() {
  const calls = telnyx.createApp({
    ...QUIET,
    publicKey: PUBLIC,
    actions: ['menu', 'dialed'] as const,
  });
  const completed: telnyx.TelnyxStatusCallback[] = [];
  calls.on('voice', () =>
    telnyx.response(
      telnyx.gather(
        { numDigits: 1, action: calls.actionUrl('menu') },
        telnyx.say('Press 1 for sales.'),
      ),
      telnyx.say('Goodbye.'),
    ),
  );
  calls.action('menu', (result) =>
    result.name === 'gather' && result.digits === '1'
      ? telnyx.dial({ action: calls.actionUrl('dialed') }, telnyx.number('+15550001111'))
      : telnyx.hangup(),
  );
  calls.action('dialed', (result) =>
    result.name === 'dial' && result.dialCallStatus === 'completed'
      ? telnyx.hangup()
      : telnyx.say('Nobody answered.'),
  );
  calls.on('status-callback', (event) => {
    completed.push(event);
  });
  return { calls, completed };
}

describe('test kit: telnyx', () => {
  test('playCall follows the Gather action with the digits, then the Dial action, all signed', async () => {
    const { calls, completed } = menuApp();
    const client = createTestClient(calls);
    const call = await client.telnyx.playCall({ digits: '1', privateKey: keys.privateKey });
    call.expectAllOk();
    expect(call.exchanges.map((e) => e.event)).toEqual([
      'voice',
      'gather',
      'dial',
      'status-callback',
    ]);
    expect(call.reply('voice').text).toContain('action="http://127.0.0.1/actions/menu"');
    expect(call.reply('gather').text).toContain('<Number>+15550001111</Number>');
    expect(call.reply('dial').text).toContain('<Hangup/>');
    expect(completed.map((event) => event.statusEvent)).toEqual(['completed']);
    for (const exchange of call.exchanges) {
      expect(exchange.request.headers['telnyx-signature-ed25519']).toMatch(/^[A-Za-z0-9+/]{86}==$/);
      expect(exchange.request.headers['telnyx-timestamp']).toMatch(/^\d{10}$/);
    }
    // Telnyx's own fields go along (spec §2.1, §2.3).
    const gather = new URLSearchParams(call.exchanges[1]?.request.body ?? '');
    expect(gather.get('CallSidLegacy')).toBe(gather.get('CallSid'));
    expect(gather.get('ConnectionId')).not.toBeNull();
    expect(gather.get('ApiVersion')).toBeNull();
  });

  test('provider-neutral options: hangupCause busy sends only the callback', async () => {
    const { calls, completed } = menuApp();
    const client = createTestClient(calls);
    const call = await client.telnyx.playCall({
      ...scenarioOptions('telnyx', { hangupCause: 'busy', from: '+15550009999' }),
      privateKey: keys.privateKey,
    });
    call.expectAllOk();
    expect(call.exchanges.map((e) => e.event)).toEqual(['status-callback']);
    expect(completed[0]).toMatchObject({ callStatus: 'busy', from: '+15550009999' });
  });

  test("the client's privateKey signs every request (signature and timestamp headers)", async () => {
    const { calls } = menuApp();
    const client = createTestClient(calls, { privateKey: keys.privateKey });
    const call = await client.telnyx.playCall({ digits: '1' });
    call.expectAllOk();
    const headers = call.exchanges[0]?.request.headers ?? {};
    expect(headers['telnyx-signature-ed25519']).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Number(headers['telnyx-timestamp'])).toBeGreaterThan(0);
    (await client.with({ privateKey: other.privateKey }).telnyx.voice())
      .expectStatus(403)
      .expectError('CC_ERR_SIGNATURE_INVALID');
    expect(() => createTestClient(calls, { secret: 'test-secret-not-real' })).toThrow(
      /telnyx signs with an Ed25519 key: use privateKey/,
    );
  });

  test('unsigned, or signed with another key: 403', async () => {
    const { calls } = menuApp();
    const client = createTestClient(calls);
    (await client.telnyx.voice()).expectStatus(403).expectError('CC_ERR_SIGNATURE_MISSING');
    (await client.telnyx.voice({ privateKey: other.privateKey }))
      .expectStatus(403)
      .expectError('CC_ERR_SIGNATURE_INVALID');
  });

  test('gather and statusCallback helpers', async () => {
    const { calls, completed } = menuApp();
    const client = createTestClient(calls);
    const reply = await client.telnyx.gather({
      digits: '1',
      actionPath: '/actions/menu',
      privateKey: keys.privateKey,
    });
    reply.expectStatus(200);
    expect(reply.text).toContain('<Number>+15550001111</Number>');
    (await client.telnyx.statusCallback({ privateKey: keys.privateKey })).expectStatus(200);
    expect(completed).toHaveLength(1);
  });
});
