/**
 * The transcript of a followed sipgate.io call (docs/providers/sipgate.md §2.3, §4): what the
 * caller lives, and the pushes (answer, hangup causes) a Dial's ring outcomes make sipgate send.
 */
import { generateKeyPairSync } from 'node:crypto';
import { sipgate } from '../../../src';
import { createTestClient } from '../../../src/testing';
import { QUIET } from '../../helpers/apps';

// A throwaway key pair: the app is given its public half instead of sipgate's published key.
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

const url = 'http://127.0.0.1/';
const hangups: sipgate.SipgateHangup[] = [];
const answers: sipgate.SipgateAnswerEvent[] = [];
const app = sipgate.createApp({ ...QUIET, publicKey: keys.publicKey });
const followUps = { onAnswer: `${url}?step=answer`, onHangup: url };
app.on('newCall', (call) => {
  switch (call.from) {
    case 'anonymous':
      return sipgate.response({ ...followUps, action: sipgate.reject({ reason: 'busy' }) });
    case '4911':
      return sipgate.reject();
    case '4930123456':
      return sipgate.response({
        ...followUps,
        action: sipgate.gather({
          onData: `${url}?step=menu&token=not-a-real-token`,
          maxDigits: 1,
          timeout: 5000,
          play: sipgate.play({ url: 'https://example.com/menu.wav' }),
        }),
      });
    default:
      return sipgate.response({
        ...followUps,
        action: sipgate.dial({ numbers: ['4915799912345', '4915799954321'] }),
      });
  }
});
app.on('dtmf', (event) =>
  event.dtmf === '1'
    ? sipgate.dial({ numbers: ['4915799900000'] })
    : event.dtmf === ''
      ? sipgate.hangup()
      : sipgate.reject(),
);
app.on('answer', (event) => {
  answers.push(event);
});
app.on('hangup', (event) => {
  hangups.push(event);
});
const client = createTestClient(app, { privateKey: keys.privateKey });

beforeEach(() => {
  hangups.length = 0;
  answers.length = 0;
});

describe('sipgate transcript', () => {
  test('a menu with digits: the prompt, the key, onData followed, the Dial answered', async () => {
    const call = await client.sipgate.playCall({
      from: '4930123456',
      to: '4928559389086',
      digits: ['1'],
      talkSeconds: 25,
    });
    call.expectAllOk();
    expect(call.transcriptLines()).toEqual([
      'call from 4930123456 to 4928559389086',
      'hears: audio https://example.com/menu.wav',
      'presses 1',
      '(the provider fetches /?step=menu&token=[redacted])',
      'rings 4915799900000 … answered after 4 s',
      'talks 25 s with 4915799900000',
      'call ended: completed, 32 s (hangup cause=normalClearing)',
    ]);
    expect(call.exchanges.map((exchange) => exchange.event)).toEqual([
      'newCall',
      'dtmf',
      'answer',
      'hangup',
    ]);
    expect(answers[0]?.answeringNumber).toBe('4915799900000');
  });

  test('no digits left: dtmf empty after the Gather timeout, the app hangs up', async () => {
    const call = await client.playCall({ from: '4930123456', digits: [] });
    call.expectTranscript([
      'hears: audio https://example.com/menu.wav',
      'presses nothing (waited 5 s)',
      'call ended: completed, 7 s (hangup cause=normalClearing)',
    ]);
    expect(hangups.map((event) => event.cause)).toEqual(['normalClearing']);
  });

  test('a Dial answered after 9 s by the second number: its answeringNumber', async () => {
    const call = await client.playCall({
      targets: { '4915799912345': 'no-answer', '4915799954321': { answerAfterSeconds: 9 } },
      talkSeconds: 40,
    });
    call.expectTranscript([
      'rings 4915799912345 … no answer after 9 s',
      'rings 4915799954321 … answered after 9 s',
      'talks 40 s with 4915799954321',
      'call ended: completed, 49 s (hangup cause=normalClearing)',
    ]);
    expect(answers.map((event) => event.answeringNumber)).toEqual(['4915799954321']);
    expect(hangups.map((event) => [event.cause, event.answeringNumber])).toEqual([
      ['normalClearing', '4915799954321'],
    ]);
  });

  test('every number busy: hangup cause busy, no answer', async () => {
    const call = await client.playCall({
      targets: { '4915799912345': 'busy', '4915799954321': 'busy' },
    });
    call.expectTranscript([
      'rings 4915799912345 … busy',
      'rings 4915799954321 … busy',
      'call ended: busy, 0 s (hangup cause=busy)',
    ]);
    expect(answers).toEqual([]);
    expect(hangups.map((event) => event.cause)).toEqual(['busy']);
  });

  test('nobody answers: they ring 30 s, hangup cause noAnswer', async () => {
    const call = await client.playCall({ targets: {} });
    call.expectTranscript([
      'rings 4915799912345 … no answer after 30 s',
      'call ended: no-answer, 30 s (hangup cause=noAnswer)',
    ]);
    expect(answers).toEqual([]);
    expect(hangups.map((event) => event.cause)).toEqual(['noAnswer']);
  });

  test('<Reject reason="busy">: hangup cause busy, the call ends busy at 0 s', async () => {
    const call = await client.playCall({ from: 'anonymous' });
    expect(call.transcriptLines()).toEqual([
      'call from anonymous to 4928559389086',
      'call ended: busy, 0 s (hangup cause=busy)',
    ]);
    expect(hangups.map((event) => event.cause)).toEqual(['busy']);
  });

  test('<Reject> without onHangup: no push, the transcript still ends the call', async () => {
    const call = await client.playCall({ from: '4911' });
    expect(call.exchanges.map((exchange) => exchange.event)).toEqual(['newCall']);
    expect(call.transcriptLines()).toEqual([
      'call from 4911 to 4928559389086',
      'call ended: rejected, 0 s (hangup cause=noAnswer)',
    ]);
  });

  test('the caller hangs up while the numbers ring: hangup cause cancel', async () => {
    const call = await client.playCall({ hangupAfterSeconds: 3 });
    call.expectTranscript([
      'rings 4915799912345 … caller hung up after 3 s',
      'call ended: canceled, 3 s (hangup cause=cancel)',
    ]);
    expect(answers).toEqual([]);
    expect(hangups.map((event) => event.cause)).toEqual(['cancel']);
  });

  test('the caller hangs up during the talk: normalClearing at that time', async () => {
    const call = await client.playCall({ hangupAfterSeconds: 20, talkSeconds: 60 });
    call.expectTranscript([
      'rings 4915799912345 … answered after 4 s',
      'talks 16 s with 4915799912345',
      'call ended: completed, 20 s (hangup cause=normalClearing)',
    ]);
    expect(hangups.map((event) => event.cause)).toEqual(['normalClearing']);
  });
});
