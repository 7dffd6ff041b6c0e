/**
 * The Placetel call model's transcript and call plan (docs/providers/placetel.md §2.2, §2.3,
 * §3.2, §3.3): what the caller lives, and the HungUp type and duration Placetel sends for it.
 */
import { placetel } from '../../../src';
import { createTestClient } from '../../../src/testing';
import { QUIET } from '../../helpers/apps';

const SECRET = 'test-secret-not-real';
let answer: placetel.PlacetelAnswer = placetel.hangup();
const app = placetel.createApp({ ...QUIET, secret: SECRET });
app.on('IncomingCall', () => answer);
const client = createTestClient(app, { secret: SECRET });

/** The decoded fields of the played call's request of `event`. */
function fieldsOf(
  call: { exchanges: readonly { event: string; request: { body: string } }[] },
  event: string,
) {
  const exchange = call.exchanges.find((e) => e.event === event);
  return exchange === undefined
    ? undefined
    : Object.fromEntries(new URLSearchParams(exchange.request.body));
}

const events = (call: { exchanges: readonly { event: string }[] }) =>
  call.exchanges.map((e) => e.event);

describe('Placetel transcript', () => {
  test('a forward answered after 7 s: rings, talks, HungUp accepted with the talk time', async () => {
    answer = placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
    const call = await client.playCall({
      from: '017312345678',
      targets: { '022129191999': { answerAfterSeconds: 7 } },
      talkSeconds: 20,
    });
    call
      .expectAllOk()
      .expectTranscript([
        'call from 017312345678 to 022129191999',
        'rings 022129191999 … answered after 7 s',
        'talks 20 s with 022129191999',
        'call ended: completed, 27 s (HungUp type=accepted)',
      ]);
    expect(events(call)).toEqual(['IncomingCall', 'CallAccepted', 'HungUp']);
    expect(fieldsOf(call, 'CallAccepted')).toMatchObject({ peer: '022129191999' });
    expect(fieldsOf(call, 'HungUp')).toMatchObject({ type: 'accepted', duration: '20' });
    expect(call.transcript.at(-1)).toMatchObject({ kind: 'ended', at: 27, durationSeconds: 27 });
  });

  test('without a plan the first number answers after 4 s and --duration (38 s) is the talk', async () => {
    answer = placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
    const call = await client.playCall();
    expect(call.transcriptLines()).toEqual([
      'call from 017312345678 to 022129191999',
      'rings 022129191999 … answered after 4 s',
      'talks 38 s with 022129191999',
      'call ended: completed, 42 s (HungUp type=accepted)',
    ]);
    expect(fieldsOf(call, 'HungUp')).toMatchObject({ duration: '38' });
  });

  test('a busy first target, then the next target (in order) answers', async () => {
    answer = placetel.forward({
      targets: [
        { numbers: ['022129191998'], ringtime: 20 },
        { numbers: ['7777abcdefg@fpbx.de', '022129191997'], ringtime: 30 },
      ],
    });
    const call = await client.playCall({
      targets: { '022129191998': 'busy', '022129191997': { answerAfterSeconds: 5 } },
      talkSeconds: 10,
    });
    call.expectTranscript([
      'rings 022129191998 … busy',
      'rings 7777abcdefg@fpbx.de … no answer after 5 s',
      'rings 022129191997 … answered after 5 s',
      'talks 10 s with 022129191997',
      'call ended: completed, 15 s (HungUp type=accepted)',
    ]);
    expect(fieldsOf(call, 'CallAccepted')).toMatchObject({ peer: '022129191997' });
  });

  test('a target that never answers rings for its ringtime, then voicemail (duration 0)', async () => {
    answer = placetel.forward({ targets: [{ numbers: ['022129191999'], ringtime: 25 }] });
    const call = await client.playCall({ targets: { '022129191999': 'no-answer' } });
    expect(call.transcriptLines()).toEqual([
      'call from 017312345678 to 022129191999',
      'rings 022129191999 … no answer after 25 s',
      'is sent to voicemail',
      'call ended: voicemail, 25 s (HungUp type=voicemail)',
    ]);
    expect(events(call)).toEqual(['IncomingCall', 'HungUp']);
    expect(fieldsOf(call, 'HungUp')).toMatchObject({ type: 'voicemail', duration: '0' });
  });

  test('all targets busy and voicemail="false": HungUp missed (busy is outbound-only, §2.3)', async () => {
    answer = placetel.forward({ voicemail: false, targets: [{ numbers: ['022129191999'] }] });
    const call = await client.playCall({ targets: { '022129191999': 'busy' } });
    call.expectTranscript([
      'rings 022129191999 … busy',
      'call ended: busy, 0 s (HungUp type=missed)',
    ]);
    expect(fieldsOf(call, 'HungUp')).toMatchObject({ type: 'missed', duration: '0' });
    expect(events(call)).not.toContain('CallAccepted');
  });

  test('a reject: HungUp busy or blocked, no CallAccepted, the call ends at 0 s', async () => {
    answer = placetel.reject({ reason: 'busy' });
    const busy = await client.playCall({ from: 'anonymous' });
    expect(busy.transcriptLines()).toEqual([
      'call from anonymous to 022129191999',
      'call ended: busy, 0 s (HungUp type=busy)',
    ]);
    answer = placetel.reject();
    const rejected = await client.playCall();
    expect(rejected.transcriptLines().at(-1)).toBe(
      'call ended: rejected, 0 s (HungUp type=blocked)',
    );
    expect(events(rejected)).toEqual(['IncomingCall', 'HungUp']);
  });

  test('the caller hangs up while it rings: the ring is canceled, HungUp missed, duration 0', async () => {
    answer = placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
    const call = await client.playCall({
      targets: { '022129191999': { answerAfterSeconds: 10 } },
      hangupAfterSeconds: 6,
    });
    call.expectTranscript([
      'rings 022129191999 … caller hung up after 6 s',
      'call ended: canceled, 6 s (HungUp type=missed)',
    ]);
    expect(events(call)).toEqual(['IncomingCall', 'HungUp']);
    expect(fieldsOf(call, 'HungUp')).toMatchObject({ type: 'missed', duration: '0' });
  });

  test('the caller hangs up during the talk: the duration is the talk until then', async () => {
    answer = placetel.forward({ targets: [{ numbers: ['022129191999'] }] });
    const call = await client.playCall({ talkSeconds: 100, hangupAfterSeconds: 30 });
    call.expectTranscript(['talks 26 s with 022129191999', 'call ended: completed, 30 s']);
    expect(fieldsOf(call, 'HungUp')).toMatchObject({ type: 'accepted', duration: '26' });
  });

  test('a forward announcement is heard first; a prompt is heard, then the call ends', async () => {
    answer = placetel.forward({
      forwardAnnouncement: 77,
      targets: [{ numbers: ['022129191999'] }],
    });
    const announced = await client.playCall();
    announced.expectTranscript([
      'hears: announcement 77',
      'rings 022129191999 … answered after 4 s',
      'call ended: completed, 44 s',
    ]);
    answer = placetel.prompt({ id: 123 });
    const prompt = await client.playCall();
    expect(prompt.transcriptLines()).toEqual([
      'call from 017312345678 to 022129191999',
      'hears: prompt 123',
      'call ended: completed, 2 s (HungUp type=accepted)',
    ]);
    expect(events(prompt)).toEqual(['IncomingCall', 'HungUp']);
  });

  test('a queue: no further event (§2.4 ISS#17), the transcript still ends', async () => {
    answer = placetel.queue({ id: 5 });
    const call = await client.playCall({ talkSeconds: 12 });
    expect(events(call)).toEqual(['IncomingCall']);
    call.expectTranscript([
      'is put in queue 5',
      'talks 12 s with queue 5',
      'call ended: completed, 12 s',
    ]);
  });

  test('a group that nobody answers goes to its mailbox after its ringtime', async () => {
    answer = placetel.group({ id: 9, ringtime: 15 });
    const call = await client.playCall({ targets: {} });
    call.expectTranscript(['rings group 9 … no answer after 15 s', 'call ended: voicemail, 15 s']);
  });

  test('every transcript has exactly one ended entry, last', async () => {
    for (const given of [
      placetel.hangup(),
      placetel.queue({ id: 1 }),
      placetel.forward({ voicemail: true }),
    ]) {
      answer = given;
      const call = await client.playCall();
      expect(call.transcript.filter((entry) => entry.kind === 'ended')).toHaveLength(1);
      expect(call.transcript.at(-1)?.kind).toBe('ended');
      expect(call.transcript[0]?.kind).toBe('call');
    }
  });

  test('an outgoing call: the callee busy gives HungUp busy', async () => {
    const call = await client.placetel.playCall({
      direction: 'out',
      to: '017312345678',
      targets: { '017312345678': 'busy' },
    });
    expect(events(call)).toEqual(['OutgoingCall', 'HungUp']);
    expect(call.transcriptLines()).toEqual([
      'calls out from 022129191999 to 017312345678',
      'rings 017312345678 … busy',
      'call ended: busy, 0 s (HungUp type=busy)',
    ]);
  });
});
