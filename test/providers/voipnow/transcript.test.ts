/**
 * The VoipNow call model follows the app's Call Interactive answers and writes the call's
 * transcript (src/providers/voipnow/simulate.ts, docs/providers/voipnow.md §1, §2): played with
 * the test kit.
 */
import { voipnow } from '../../../src';
import { createTestClient } from '../../../src/testing';
import { createVoipNowCall } from '../../../src/providers/voipnow/simulate';
import { QUIET } from '../../helpers/apps';

const hangups: voipnow.VoipNowHangup[] = [];
const interactive: voipnow.VoipNowCallInteractive[] = [];
const calls = voipnow.createApp({ ...QUIET, allowUnauthenticated: true });
calls.on('call_interactive', (call) => {
  interactive.push(call);
  const subscription = call.param('SubscriptionCode');
  if (subscription === '666') return [voipnow.playSound('invalid-subscription'), voipnow.hangup()];
  if (subscription === '777')
    return [voipnow.playTts('Please wait'), voipnow.pause({ length: 15 })];
  const choice = call.param('choice');
  if (choice === undefined) {
    return [
      voipnow.playTts('Welcome to support'),
      voipnow.playSound('main-menu', { digitvar: 'choice' }),
    ];
  }
  if (choice === '1') {
    return [
      voipnow.setVar('SubscriptionValid', '1'),
      voipnow.jump({ context: 'StartSupport', option: 1, priority: 1 }),
    ];
  }
  return [voipnow.playTts('Goodbye'), voipnow.hangup()];
});
calls.on('Hangup', (call) => {
  hangups.push(call);
});
const client = createTestClient(calls);

beforeEach(() => {
  hangups.length = 0;
  interactive.length = 0;
});

afterAll(() => calls.close());

test('a menu: the digitvar key goes back to the Script URL with the IVR variables', async () => {
  const call = await client.voipnow.playCall({ digits: ['09897987', '2'], callId: 'c1' });
  call.expectAllOk();
  expect(call.exchanges.map((exchange) => exchange.event)).toEqual([
    'Dial-In',
    'call_interactive',
    'call_interactive',
    'Hangup',
  ]);
  expect(interactive[1]?.param('choice')).toBe('2');
  expect(interactive[1]?.param('SubscriptionCode')).toBe('09897987');
  expect(interactive.map((event) => event.callId)).toEqual(['c1', 'c1']);
  expect(interactive[0]?.callApiId).toBe(interactive[1]?.callApiId);
  call.expectTranscript([
    'call from 14155550100 to 14155550199',
    'the IVR answers and asks for SubscriptionCode',
    'presses 09897987',
    'hears: Welcome to support',
    'hears: sound main-menu',
    'presses 2',
    '(the provider fetches http://127.0.0.1?SubscriptionCode=09897987&choice=2)',
    'hears: Goodbye',
    'call ended: completed, 8 s (Hangup CallStatus=ANSWER)',
  ]);
  expect(call.transcript.filter((entry) => entry.kind === 'ended')).toHaveLength(1);
  expect(call.transcript.at(-1)?.kind).toBe('ended');
  expect(hangups.map((event) => event.callStatus)).toEqual(['ANSWER']);
});

test('a menu without a key left: no input, and the call ends without asking again', async () => {
  const call = await client.playCall({ digits: '09897987' });
  expect(call.exchanges.map((exchange) => exchange.event)).toEqual([
    'Dial-In',
    'call_interactive',
    'Hangup',
  ]);
  call.expectTranscript([
    'hears: sound main-menu',
    'presses nothing (waited 5 s)',
    'call ended: completed, 11 s',
  ]);
});

test('a Jump answered after 7 s: the ring, the talk, the duration in the transcript', async () => {
  const call = await client.voipnow.playCall({
    digits: ['09897987', '1'],
    targets: { StartSupport: { answerAfterSeconds: 7 } },
    talkSeconds: 40,
  });
  call.expectAllOk();
  call.expectTranscript([
    'presses 1',
    'jumps to IVR context StartSupport option 1',
    'rings StartSupport … answered after 7 s',
    'talks 40 s with StartSupport',
    'call ended: completed, 53 s (Hangup CallStatus=ANSWER)',
  ]);
  expect(hangups.map((event) => event.callStatus)).toEqual(['ANSWER']);
});

test('a Jump without a plan: the context answers after 4 s, talk 30 s', async () => {
  const call = await client.playCall({ digits: ['1', '1'] });
  call.expectTranscript([
    'rings StartSupport … answered after 4 s',
    'talks 30 s with StartSupport',
    'call ended: completed, 40 s',
  ]);
});

test.each([
  ['busy', 'rings StartSupport … busy', 'call ended: busy, 6 s (Hangup CallStatus=ANSWER)'],
  [
    'no-answer',
    'rings StartSupport … no answer after 30 s',
    'call ended: no-answer, 36 s (Hangup CallStatus=ANSWER)',
  ],
] as const)('a Jump whose destination is %s ends the call', async (does, rings, ended) => {
  const call = await client.voipnow.playCall({
    digits: ['09897987', '1'],
    targets: { StartSupport: does },
  });
  call.expectAllOk();
  expect(call.exchanges.map((exchange) => exchange.event).at(-1)).toBe('Hangup');
  call.expectTranscript([rings, ended]);
  expect(call.transcriptLines().some((line) => line.startsWith('talks'))).toBe(false);
});

test('the app hangs up (VoipNow has no reject): sound, then Hangup', async () => {
  const call = await client.voipnow.playCall({ digits: '666', hangupStatus: 'UNKNOWN' });
  expect(call.exchanges.map((exchange) => exchange.event)).toEqual([
    'Dial-In',
    'call_interactive',
    'Hangup',
  ]);
  call.expectTranscript([
    'presses 666',
    'hears: sound invalid-subscription',
    'call ended: completed, 4 s (Hangup CallStatus=UNKNOWN)',
  ]);
  expect(hangups.map((event) => event.callStatus)).toEqual(['UNKNOWN']);
});

test('the caller hangs up during a ring: canceled, no talk', async () => {
  const call = await client.playCall({
    digits: ['09897987', '1'],
    targets: { StartSupport: { answerAfterSeconds: 20 } },
    hangupAfterSeconds: 10,
  });
  call.expectTranscript([
    'rings StartSupport … caller hung up after 4 s',
    'call ended: canceled, 10 s (Hangup CallStatus=ANSWER)',
  ]);
});

test('the caller hangs up during a Pause, or before typing: no further request', async () => {
  const paused = await client.playCall({ digits: '777', hangupAfterSeconds: 9 });
  paused.expectTranscript([
    'hears: Please wait',
    'silence (Pause 15 s)',
    'call ended: completed, 9 s',
  ]);
  const early = await client.playCall({ hangupAfterSeconds: 1 });
  expect(early.exchanges.map((exchange) => exchange.event)).toEqual(['Dial-In', 'Hangup']);
  early.expectTranscript(['call from', 'call ended: completed, 1 s']);
});

test('an answer that breaks the spec fails the call', async () => {
  const model = createVoipNowCall({ callId: 'c2' });
  model.opening();
  expect(() =>
    model.follow({
      request: { event: 'call_interactive' },
      status: 200,
      body: '<Response><Play>x</Play></Response>',
    }),
  ).toThrow(expect.objectContaining({ code: 'CC_ERR_ANSWER_INVALID' }));
});

test('an answer that is not 2xx gives the IVR nothing to run', () => {
  const model = createVoipNowCall({ callId: 'c3', routed: true });
  const opening = model.opening();
  expect(opening.requests.map((request) => request.path)).toEqual(['/dial-in', '/interactive']);
  const step = model.follow({ request: { event: 'call_interactive' }, status: 500, body: '' });
  expect(step.requests.map((request) => [request.event, request.path])).toEqual([
    ['Hangup', '/hangup'],
  ]);
  expect(step.transcript.map((entry) => entry.kind)).toEqual(['note', 'ended']);
  expect(model.follow({ request: { event: 'Hangup' }, status: 200, body: '' }).requests).toEqual(
    [],
  );
});
