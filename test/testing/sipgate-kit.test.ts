import { generateKeyPairSync } from 'node:crypto';
import { placetel, sipgate } from '../../src';
import { createTestClient, scenarioOptions } from '../../src/testing';
import { QUIET } from '../helpers/apps';

// A throwaway key pair: the app is given its public half instead of sipgate's published key.
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('test kit: sipgate', () => {
  const hangups: sipgate.SipgateHangup[] = [];
  const calls = sipgate.createApp({ ...QUIET, publicKey: keys.publicKey });
  // The follow-ups at the app's own URL (the test kit's base URL), a PIN Gather for one caller.
  const url = 'http://127.0.0.1/';
  calls.on('newCall', (call) =>
    call.from === 'anonymous'
      ? sipgate.reject({ reason: 'busy' })
      : sipgate.response({
          onAnswer: url,
          onHangup: url,
          action:
            call.from === '4930123456'
              ? sipgate.gather({ onData: `${url}?step=pin`, maxDigits: 4 })
              : sipgate.dial({ numbers: ['4915799912345'] }),
        }),
  );
  calls.on('dtmf', (event) => (event.dtmf === '0815' ? sipgate.hangup() : null));
  calls.on('hangup', (event) => {
    hangups.push(event);
  });
  const client = createTestClient(calls, { privateKey: keys.privateKey });

  beforeEach(() => {
    hangups.length = 0;
  });

  test('playCall signs with privateKey: every push accepted, answers as built', async () => {
    const call = await client.playCall({ from: '4930123456', digits: '0815' });
    call.expectAllOk();
    // The call follows the answers: the Gather's dtmf, then <Hangup/> ends it unanswered.
    expect(call.exchanges.map((e) => e.event)).toEqual(['newCall', 'dtmf', 'hangup']);
    expect(call.exchanges[1]?.request.query).toBe('step=pin');
    call.reply('dtmf').expectAnswer(sipgate.hangup());
    expect(hangups.map((event) => event.cause)).toEqual(['normalClearing']);
    expect(call.exchanges[0]?.request.headers['x-sipgate-signature']).toMatch(/^[A-Za-z0-9+/=]+$/);
  });

  test('playCall: a <Dial> is answered by its number; a bare <Reject> is followed by nothing', async () => {
    const dialled = await client.playCall({ from: '4940111' });
    dialled.expectAllOk();
    expect(dialled.exchanges.map((e) => e.event)).toEqual(['newCall', 'answer', 'hangup']);
    expect(new URLSearchParams(dialled.exchanges[1]?.request.body).get('answeringNumber')).toBe(
      '4915799912345',
    );
    // The anonymous caller's <Reject> names no onHangup: sipgate sends nothing after it.
    const refused = await client.playCall({ from: 'anonymous' });
    expect(refused.exchanges.map((e) => e.event)).toEqual(['newCall']);
  });

  test('playCall hangupCause: any cause, answer skipped', async () => {
    const call = await client.playCall({ hangupCause: 'chanunavail' });
    call.expectAllOk();
    expect(call.exchanges.map((e) => e.event)).toEqual(['newCall', 'hangup']);
    expect(hangups.map((event) => event.cause)).toEqual(['chanunavail']);
    expect(scenarioOptions('sipgate', { digits: ['1', '2'], hangupCause: 'busy' })).toEqual({
      digits: ['1', '2'],
      cause: 'busy',
    });
  });

  test('per-event helpers and request()', async () => {
    (await client.sipgate.newCall({ from: 'anonymous' }))
      .expectStatus(200)
      .expectAnswer(sipgate.reject({ reason: 'busy' }));
    (await client.sipgate.answer()).expectStatus(200);
    (await client.sipgate.dtmf({ dtmf: '0815' })).expectAnswer(sipgate.hangup());
    (await client.sipgate.hangup({ cause: 'busy' })).expectStatus(200);
    expect(hangups.map((event) => event.cause)).toEqual(['busy']);
    (
      await client.sipgate.request([
        ['event', 'hangup'],
        ['callId', 'test-call-1'],
        ['cause', 'cancel'],
      ])
    ).expectStatus(200);
    expect(hangups.map((event) => event.cause)).toEqual(['busy', 'cancel']);
  });

  test('unsigned, or signed with another key: 403', async () => {
    (await createTestClient(calls).sipgate.newCall()).expectStatus(403);
    (
      await client
        .with({ privateKey: other.privateKey })
        .sipgate.newCall({ privateKey: keys.privateKey })
    ).expectStatus(403);
  });

  test('credentials that do not fit the provider are a TypeError', () => {
    expect(() => createTestClient(calls, { secret: 'test-secret-not-real' })).toThrow(
      /use privateKey/,
    );
    const placetelApp = placetel.createApp({ ...QUIET, secret: 'test-secret-not-real' });
    expect(() => createTestClient(placetelApp, { privateKey: keys.privateKey })).toThrow(
      /privateKey is for sipgate/,
    );
    expect(() => client.placetel).toThrow(TypeError);
    expect(() => createTestClient(placetelApp).sipgate).toThrow(TypeError);
  });
});
