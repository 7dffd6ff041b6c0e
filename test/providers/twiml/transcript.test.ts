/**
 * The TwiML family's call model, played with the test kit (`client.playCall`), as the caller
 * lives it: the transcript (src/testing/transcript.ts) and the requests each provider sends by
 * the plan — a menu with digits, a `<Dial>` answered after the plan's ring time
 * (`DialCallStatus=completed`, `DialCallDuration` = the talk time, `CallDuration` = the whole
 * call), busy and unanswered targets (docs/providers/twilio.md §2.5, telnyx.md §2.4,
 * signalwire.md §2.3), a `<Reject>` (the call never answered: `CallStatus=busy`), and the
 * caller hanging up while it rings (`DialCallStatus=canceled`, docs/providers/twilio.md §2.2).
 */
import { generateKeyPairSync } from 'node:crypto';
import { signalwire, telnyx, twilio } from '../../../src';
import { createTestClient, type CallOptions, type PlayedCall } from '../../../src/testing';
import { QUIET } from '../../helpers/apps';

const TOKEN = 'fake-auth-token-for-tests';
const keys = generateKeyPairSync('ed25519');

/** The builders the three dialects share (same names, same options for what is used here). */
type Builders = typeof twilio;

/**
 * The menu app: an anonymous caller is rejected as busy; the others hear a menu, `1` dials
 * two numbers at once (timeout 20 s), whose action says "Nobody answered." unless the dial
 * completed.
 */
function menu(
  ns: Builders,
  calls: ReturnType<typeof twilio.createApp<readonly ['menu', 'dialed']>>,
) {
  calls.on('voice', (event) =>
    event.from === 'anonymous'
      ? ns.reject({ reason: 'busy' })
      : ns.gather({ numDigits: 1, action: calls.actionUrl('menu') }, ns.say('Press 1 for sales.')),
  );
  calls.action('menu', (result) =>
    result.name === 'gather' && result.digits === '1'
      ? ns.dial(
          { action: calls.actionUrl('dialed'), timeout: 20 },
          ns.number('+15550001111'),
          ns.number('+15550002222'),
        )
      : ns.hangup(),
  );
  calls.action('dialed', (result) =>
    result.name === 'dial' && result.dialCallStatus === 'completed'
      ? ns.hangup()
      : ns.say('Nobody answered.'),
  );
  return calls;
}

const PROVIDERS: Array<[string, () => { play(options: CallOptions): Promise<PlayedCall> }]> = [
  [
    'twilio',
    () => {
      const calls = twilio.createApp({
        ...QUIET,
        authToken: TOKEN,
        actions: ['menu', 'dialed'] as const,
      });
      const client = createTestClient(menu(twilio, calls), { authToken: TOKEN });
      return { play: (options) => client.playCall(options) };
    },
  ],
  [
    'telnyx',
    () => {
      const calls = telnyx.createApp({
        ...QUIET,
        publicKey: telnyx.telnyxPublicKeyBase64(keys.publicKey),
        actions: ['menu', 'dialed'] as const,
      });
      menu(telnyx as unknown as Builders, calls as never);
      const client = createTestClient(calls, { privateKey: keys.privateKey });
      return { play: (options) => client.playCall(options) };
    },
  ],
  [
    'signalwire',
    () => {
      const calls = signalwire.createApp({
        ...QUIET,
        signingKey: TOKEN,
        actions: ['menu', 'dialed'] as const,
      });
      menu(signalwire as unknown as Builders, calls as never);
      const client = createTestClient(calls, { authToken: TOKEN });
      return { play: (options) => client.playCall(options) };
    },
  ],
];

/** The form fields of the exchange of kind `event` (the last one of that kind). */
function fields(call: PlayedCall, event: string): URLSearchParams {
  const exchange = [...call.exchanges].reverse().find((each) => each.event === event);
  if (exchange === undefined) throw new Error(`no ${event} request`);
  const request = exchange.request;
  return new URLSearchParams(request.method === 'GET' ? request.query : request.body);
}

describe.each(PROVIDERS)('%s: the call as the caller lives it', (_name, setup) => {
  test('a menu with digits, a Dial answered after 7 s: talk time and call length in the fields', async () => {
    const call = await setup().play({
      from: '+15550009999',
      digits: ['1'],
      targets: { '+15550001111': { answerAfterSeconds: 7 } },
      talkSeconds: 38,
    });
    call.expectAllOk();
    expect(call.transcriptLines()).toEqual([
      expect.stringMatching(/^call from \+15550009999 to /),
      'hears: Press 1 for sales.',
      'presses 1',
      '(the provider fetches /actions/menu)',
      'rings +15550001111 … answered after 7 s',
      'rings +15550002222 … no answer after 7 s',
      'talks 38 s with +15550001111',
      expect.stringMatching(/^call ended: completed, 48 s \(CallStatus=completed/),
    ]);
    expect(call.transcript.at(-1)).toMatchObject({ kind: 'ended', at: 48, by: 'caller' });
    expect(call.exchanges.map((each) => each.event)).toEqual([
      'voice',
      'gather',
      'dial',
      'status-callback',
    ]);
    const dial = fields(call, 'dial');
    expect(dial.get('DialCallStatus')).toBe('completed');
    expect(dial.get('DialCallDuration')).toBe('38');
    const status = fields(call, 'status-callback');
    expect(status.get('CallStatus')).toBe('completed');
    expect(status.get('CallDuration')).toBe('48');
  });

  test('busy targets: DialCallStatus=busy, the action answer runs', async () => {
    const call = await setup().play({
      digits: ['1'],
      targets: { '+15550001111': 'busy', '+15550002222': 'busy' },
    });
    call.expectTranscript([
      'presses 1',
      'rings +15550001111 … busy',
      'rings +15550002222 … busy',
      '(the provider fetches /actions/dialed)',
      'hears: Nobody answered.',
      'call ended: completed, 5 s',
    ]);
    expect(fields(call, 'dial').get('DialCallStatus')).toBe('busy');
    expect(fields(call, 'dial').get('DialCallDuration')).toBe('0');
    expect(fields(call, 'status-callback').get('CallDuration')).toBe('5');
  });

  test("targets that never answer ring out after the Dial's timeout: no-answer", async () => {
    const call = await setup().play({ digits: ['1'], targets: {} });
    call.expectTranscript([
      'rings +15550001111 … no answer after 20 s',
      'hears: Nobody answered.',
      'call ended: completed, 25 s',
    ]);
    expect(fields(call, 'dial').get('DialCallStatus')).toBe('no-answer');
  });

  test('a Reject: the call is never answered and ends busy, with no further request', async () => {
    const call = await setup().play({ from: 'anonymous' });
    call.expectAllOk();
    expect(call.transcriptLines()).toEqual([
      expect.stringMatching(/^call from anonymous to /),
      'hears the busy signal',
      expect.stringMatching(/^call ended: busy, 0 s \(CallStatus=busy/),
    ]);
    expect(call.exchanges.map((each) => each.event)).toEqual(['voice', 'status-callback']);
    const status = fields(call, 'status-callback');
    expect(status.get('CallStatus')).toBe('busy');
    expect(status.get('CallDuration')).toBeNull();
  });

  test('the caller hangs up while it rings: DialCallStatus=canceled, the call ends there', async () => {
    const call = await setup().play({
      digits: ['1'],
      targets: { '+15550001111': { answerAfterSeconds: 7 } },
      hangupAfterSeconds: 5,
    });
    expect(call.transcriptLines()).toEqual([
      expect.stringMatching(/^call from /),
      'hears: Press 1 for sales.',
      'presses 1',
      '(the provider fetches /actions/menu)',
      'rings +15550001111 … caller hung up after 2 s',
      'rings +15550002222 … caller hung up after 2 s',
      expect.stringMatching(/^call ended: canceled, 5 s/),
    ]);
    expect(call.exchanges.map((each) => each.event)).toEqual([
      'voice',
      'gather',
      'dial',
      'status-callback',
    ]);
    expect(fields(call, 'dial').get('DialCallStatus')).toBe('canceled');
    expect(fields(call, 'status-callback').get('CallDuration')).toBe('5');
  });

  test('the caller hangs up during the menu prompt: no Gather request, the call ends then', async () => {
    const call = await setup().play({ digits: ['1'], hangupAfterSeconds: 1 });
    expect(call.transcriptLines()).toEqual([
      expect.stringMatching(/^call from /),
      'hears: Press 1 for sales.',
      expect.stringMatching(/^call ended: completed, 1 s \(CallStatus=completed/),
    ]);
    expect(call.transcript.at(-1)).toMatchObject({ by: 'caller' });
    expect(call.exchanges.map((each) => each.event)).toEqual(['voice', 'status-callback']);
    expect(fields(call, 'status-callback').get('CallDuration')).toBe('1');
  });

  test('no digits: the prompt waits its timeout, the call ends at the end of the document', async () => {
    const call = await setup().play({});
    expect(call.transcriptLines()).toEqual([
      expect.stringMatching(/^call from /),
      'hears: Press 1 for sales.',
      'presses nothing (waited 5 s)',
      expect.stringMatching(/^call ended: completed, 7 s/),
    ]);
    expect(call.transcript.filter((entry) => entry.kind === 'ended')).toHaveLength(1);
  });
});

test('a sequential Dial rings one target after the other, each up to its timeout', async () => {
  const calls = twilio.createApp({ ...QUIET, authToken: TOKEN });
  calls.on('voice', () =>
    twilio.dial(
      { sequential: true, timeout: 10 },
      twilio.number('+15550001111'),
      twilio.number('+15550002222'),
    ),
  );
  const call = await createTestClient(calls, { authToken: TOKEN }).playCall({
    targets: { '+15550001111': 'no-answer', '+15550002222': { answerAfterSeconds: 3 } },
    talkSeconds: 20,
  });
  expect(call.transcriptLines()).toEqual([
    expect.stringMatching(/^call from /),
    'rings +15550001111 … no answer after 10 s',
    'rings +15550002222 … answered after 3 s',
    'talks 20 s with +15550002222',
    'call ended: completed, 33 s (CallStatus=completed)',
  ]);
});
