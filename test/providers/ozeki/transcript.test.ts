/**
 * The Ozeki call model's transcript and call plan (docs/providers/ozeki.md §4, §5): what the
 * caller hears and presses, the DtmfEntered and GoTo notifications, transfers ringing their
 * target as the plan says.
 */
import { ozeki } from '../../../src';
import { createTestClient } from '../../../src/testing';
import { QUIET } from '../../helpers/apps';

type Commands = ReturnType<typeof ozeki.speak>[];
let onIncoming: (host: string) => readonly unknown[] = () => [ozeki.hangup()];
let onDtmf: (digits: string, host: string) => readonly unknown[] = () => [ozeki.hangup()];
let onGoTo: () => readonly unknown[] = () => [ozeki.hangup()];
const app = ozeki.createApp({ ...QUIET, allowUnauthenticated: true });
app.on(
  'IncomingCall',
  (_call, { request }) => onIncoming(String(request.headers['host'])) as Commands,
);
app.on(
  'DtmfEntered',
  (call, { request }) => onDtmf(call.dtmfDigits, String(request.headers['host'])) as Commands,
);
app.on('GoTo', () => onGoTo() as Commands);
const client = createTestClient(app);

const menu = (host: string) => [
  ozeki.userInput({
    timeout: 10,
    initialCommands: [
      ozeki.speak('Welcome.'),
      ozeki.speak('For sales, press 1. For your PIN, press 2.'),
    ],
    inputs: [
      {
        key: '1',
        commands: [ozeki.speak('Connecting you to sales.'), ozeki.blindTransfer('2001')],
      },
      {
        key: '2',
        commands: [ozeki.userInput({ digits: 4, timeout: 8, forwardToUrl: `http://${host}/pin` })],
      },
    ],
  }),
];

beforeEach(() => {
  onIncoming = menu;
  onDtmf = () => [ozeki.speak('Goodbye.'), ozeki.hangup()];
});

describe('Ozeki transcript', () => {
  test('a menu with digits: hears the prompts, presses 2, the PIN goes to ForwardToUrl', async () => {
    const call = await client.playCall({ from: '1000', to: '9994', digits: ['2', '1234'] });
    call.expectAllOk();
    expect(call.exchanges.map((e) => e.event)).toEqual(['IncomingCall', 'DtmfEntered']);
    expect(call.transcriptLines()).toEqual([
      'call from 1000 to 9994',
      'hears: Welcome.',
      'hears: For sales, press 1. For your PIN, press 2.',
      'presses 2',
      'presses 1234',
      expect.stringMatching(/^\(the provider fetches http:\/\/.*\/pin\)$/),
      'hears: Goodbye.',
      'call ended: completed, 8 s (OzML <Hangup>)',
    ]);
    expect(call.transcript.map((entry) => entry.at)).toEqual([0, 0, 2, 4, 5, 6, 6, 8]);
  });

  test('a transfer answered after 6 s: rings, talks, ends', async () => {
    const call = await client.playCall({
      digits: ['1'],
      targets: { '2001': { answerAfterSeconds: 6 } },
      talkSeconds: 30,
    });
    call.expectTranscript([
      'presses 1',
      'hears: Connecting you to sales.',
      'rings 2001 … answered after 6 s',
      'talks 30 s with 2001',
      'call ended: completed, 43 s (BlindTransfer to 2001)',
    ]);
    expect(call.exchanges.map((e) => e.event)).toEqual(['IncomingCall']);
  });

  test('a busy and a no-answer transfer target', async () => {
    const busy = await client.playCall({ digits: ['1'], targets: { '2001': 'busy' } });
    busy.expectTranscript(['rings 2001 … busy', 'call ended: busy, 7 s (BlindTransfer to 2001)']);
    const none = await client.playCall({ digits: ['1'], targets: { '2001': 'no-answer' } });
    none.expectTranscript([
      'rings 2001 … no answer after 1 min 30 s',
      'call ended: no-answer, 1 min 37 s',
    ]);
  });

  test("a nested UserInput's BackKey returns to the enclosing menu", async () => {
    onIncoming = () => [
      ozeki.userInput({
        timeout: 5,
        initialCommands: [ozeki.speak('Menu.')],
        inputs: [
          {
            key: '2',
            commands: [
              ozeki.userInput({
                backKey: '*',
                timeout: 5,
                initialCommands: [ozeki.speak('Submenu.')],
                inputs: [{ key: '1', commands: [ozeki.speak('One.')] }],
              }),
            ],
          },
          { key: '3', commands: [ozeki.speak('Three.')] },
        ],
      }),
    ];
    const call = await client.playCall({ digits: ['2', '*', '3'] });
    expect(call.transcriptLines()).toEqual([
      'call from 1000 to 9994',
      'hears: Menu.',
      'presses 2',
      'hears: Submenu.',
      'presses *',
      'hears: Menu.',
      'presses 3',
      'hears: Three.',
      'call ended: completed, 11 s (end of the OzML: Ozeki hangs up)',
    ]);
  });

  test('no digits left: presses nothing after the Timeout, the command is left, OzML ends', async () => {
    const call = await client.playCall({ digits: [] });
    call.expectTranscript([
      'hears: For sales',
      'presses nothing (waited 10 s)',
      'call ended: completed, 14 s (end of the OzML',
    ]);
  });

  test('a reject ends the call unanswered at 0 s', async () => {
    onIncoming = () => [ozeki.reject()];
    const call = await client.playCall();
    expect(call.transcriptLines()).toEqual([
      'call from 1000 to 9994',
      'call ended: rejected, 0 s (OzML <Reject>: not picked up)',
    ]);
  });

  test('the caller hangs up early: the prompt is cut, no DtmfEntered is sent', async () => {
    const call = await client.playCall({ digits: ['2', '1234'], hangupAfterSeconds: 3 });
    expect(call.exchanges.map((e) => e.event)).toEqual(['IncomingCall']);
    expect(call.transcriptLines().at(-1)).toBe('call ended: completed, 3 s (the caller hung up)');
    expect(call.transcriptLines()).not.toContain('presses 2');
  });

  test('the caller hangs up while the transfer rings: canceled', async () => {
    const call = await client.playCall({
      digits: ['1'],
      targets: { '2001': { answerAfterSeconds: 20 } },
      hangupAfterSeconds: 12,
    });
    call.expectTranscript(['rings 2001 … caller hung up after 5 s', 'call ended: canceled, 12 s']);
  });

  test('a GoTo posts a GoTo notification to its URL and runs its answer', async () => {
    onIncoming = (host) => [ozeki.play('hello.wav'), ozeki.goTo(`http://${host}/next`)];
    onGoTo = () => [ozeki.speak('Next part.'), ozeki.delay(3)];
    const call = await client.playCall();
    expect(call.exchanges.map((e) => e.event)).toEqual(['IncomingCall', 'GoTo']);
    call.expectTranscript([
      'hears: audio hello.wav',
      '(the provider fetches http://',
      'hears: Next part.',
      'call ended: completed, 7 s (end of the OzML',
    ]);
  });

  test('every transcript has exactly one ended entry, last', async () => {
    for (const digits of [['2', '1234'], ['1'], [], ['9']]) {
      const call = await client.playCall({ digits });
      expect(call.transcript.filter((entry) => entry.kind === 'ended')).toHaveLength(1);
      expect(call.transcript.at(-1)?.kind).toBe('ended');
    }
  });
});
