/**
 * The transcript of a followed Opentact call (docs/providers/opentact.md §2.4, §3.3, §4.3,
 * §4.4): what the caller lives, and the events a Dial's ring outcomes make Opentact send.
 */
import { createTestClient } from '../../../src/testing';
import { createOpentactDemo } from '../../../examples/opentact/app';

const demo = createOpentactDemo({
  allowUnauthenticated: true,
  pins: ['1234'],
  support: ['sip:anna@support.example.com', 'sip:ben@support.example.com'],
  sales: ['+15550002'],
  privateLine: '+15550003',
  log: () => undefined,
});
const client = createTestClient(demo);

/** The JSON bodies of the call_state events of dialled legs (direction out). */
function legs(call: Awaited<ReturnType<typeof client.playCall>>) {
  return call.exchanges
    .filter((exchange) => exchange.event.startsWith('call_state:'))
    .map(
      (exchange) =>
        JSON.parse(exchange.request.body) as {
          payload: { state: string; duration: number };
          call: { direction: string; to: string; q850_cause?: number; q850_cause_string?: string };
        },
    )
    .filter((body) => body.call.direction === 'out');
}

/** The duration and cause of call_state destroyed of the call itself. */
function destroyed(call: Awaited<ReturnType<typeof client.playCall>>) {
  const body = JSON.parse(call.reply('call_state:destroyed').request.body) as {
    payload: { duration: number };
    call: { q850_cause: number; q850_cause_string: string };
  };
  return { duration: body.payload.duration, cause: body.call.q850_cause_string };
}

describe('Opentact transcript', () => {
  test('a menu with digits: the PIN goes to the Gather url, the private line answers', async () => {
    const call = await client.playCall({
      from: '+14155550100',
      to: '18382050010',
      digits: ['0', '1234'],
      talkSeconds: 20,
    });
    call.expectAllOk();
    call.expectTranscript([
      'call from +14155550100 to 18382050010',
      'hears: Thank you for calling.',
      'hears: Press 1 for support, 2 for sales, or 0 for the private menu.',
      'presses 0',
      'hears: Please enter your 4-digit PIN.',
      'presses 1234',
      '(the provider fetches /opentact?menu=private)',
      'hears: PIN accepted. Connecting you.',
      'rings +15550003 … answered after 4 s',
      'talks 20 s with +15550003',
      'call ended: completed, 35 s (q850_cause=16 NORMAL_CLEARING)',
    ]);
    // 1 s to live, 2 s each prompt, 1 s each entry, 4 s ring, 20 s talk.
    expect(destroyed(call)).toEqual({ duration: 35, cause: 'NORMAL_CLEARING' });
    expect(call.transcript.filter((entry) => entry.kind === 'ended')).toHaveLength(1);
    expect(call.transcript.at(-1)?.kind).toBe('ended');
  });

  test('a Dial answered after 7 s by the second target: the plan’s ring time shows', async () => {
    const call = await client.playCall({
      digits: ['1'],
      targets: {
        'sip:anna@support.example.com': 'no-answer',
        'sip:ben@support.example.com': { answerAfterSeconds: 7 },
      },
      talkSeconds: 30,
    });
    call.expectTranscript([
      'presses 1',
      'hears: Connecting you to support.',
      'rings sip:anna@support.example.com … no answer after 7 s',
      'rings sip:ben@support.example.com … answered after 7 s',
      'talks 30 s with sip:ben@support.example.com',
      'call ended: completed, 45 s',
    ]);
    expect(destroyed(call).duration).toBe(45);
    expect(
      legs(call).map((leg) => [leg.call.to, leg.payload.state, leg.call.q850_cause_string]),
    ).toEqual([
      ['sip:anna@support.example.com', 'hangup', 'LOSE_RACE'],
      ['sip:ben@support.example.com', 'live', undefined],
      ['sip:ben@support.example.com', 'hangup', 'NORMAL_CLEARING'],
    ]);
    expect(legs(call)[2]?.payload.duration).toBe(37);
  });

  test('busy targets: USER_BUSY legs, a failed Dial, the Error block runs', async () => {
    const call = await client.playCall({
      digits: ['1'],
      targets: { 'sip:anna@support.example.com': 'busy', 'sip:ben@support.example.com': 'busy' },
    });
    call.expectTranscript([
      'rings sip:anna@support.example.com … busy',
      'rings sip:ben@support.example.com … busy',
      'hears: Sorry, our support team is busy right now',
      'call ended: completed',
    ]);
    expect(legs(call).map((leg) => leg.call.q850_cause_string)).toEqual(['USER_BUSY', 'USER_BUSY']);
    const dial = JSON.parse(call.reply('call_flow:Dial').request.body) as {
      success: boolean;
      message: string;
    };
    expect(dial.success).toBe(false);
    expect(dial.message).toContain('ERR USER_BUSY');
  });

  test('no target answers: they ring out after 30 s, NO_USER_RESPONSE', async () => {
    const call = await client.playCall({ digits: ['2'], targets: {} });
    call.expectTranscript([
      'rings +15550002 … no answer after 30 s',
      'hears: Sorry, our sales team is busy right now',
      'call ended: completed, 40 s',
    ]);
    expect(legs(call).map((leg) => leg.call.q850_cause_string)).toEqual(['NO_USER_RESPONSE']);
    expect(call.reply('call_flow:Dial').request.body).toContain('ERR NO_USER_RESPONSE');
    expect(destroyed(call).duration).toBe(40);
  });

  test('a wrong PIN: the app hangs up (the reject of this menu)', async () => {
    const call = await client.playCall({ digits: ['0', '9999'] });
    call.expectTranscript([
      'presses 9999',
      'hears: Sorry, that PIN is not valid. Goodbye.',
      'call ended: completed, 11 s (q850_cause=16 NORMAL_CLEARING)',
    ]);
    expect(call.transcript.find((entry) => entry.kind === 'ended')).toMatchObject({ by: 'app' });
    expect(call.exchanges.map((exchange) => exchange.event)).not.toContain('call_flow:Dial');
  });

  test('no digits left: no-input after the Gather timeout, the Default block', async () => {
    const call = await client.playCall({ digits: [] });
    call.expectTranscript([
      'hears: Press 1',
      'presses nothing (waited 10 s)',
      'hears: No choice entered.',
      'hears: Goodbye.',
      'call ended: completed',
    ]);
  });

  test('the caller hangs up while the Dial rings: ORIGINATOR_CANCEL, canceled', async () => {
    const call = await client.playCall({ digits: ['2'], hangupAfterSeconds: 10 });
    call.expectTranscript([
      'rings +15550002 … caller hung up after 2 s',
      'call ended: canceled, 10 s',
    ]);
    expect(legs(call).map((leg) => leg.call.q850_cause_string)).toEqual(['ORIGINATOR_CANCEL']);
    expect(destroyed(call).duration).toBe(10);
    expect(call.exchanges.map((exchange) => exchange.event)).not.toContain('call_flow:Dial');
  });

  test('the caller hangs up during the first prompt', async () => {
    const call = await client.playCall({ hangupAfterSeconds: 2 });
    expect(call.transcriptLines()).toEqual([
      'call from +14158531285 to 18382050010',
      'hears: Thank you for calling.',
      'call ended: completed, 2 s (q850_cause=16 NORMAL_CLEARING)',
    ]);
    expect(destroyed(call).duration).toBe(2);
  });
});
