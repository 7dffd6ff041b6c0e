import {
  DEFAULT_RING_SECONDS,
  callStep,
  describeEntry,
  formatTranscript,
  ringTargets,
  talkSeconds,
  transcriptLines,
  type TranscriptEntry,
} from '../../src/testing/transcript';
import { parseCallScenario } from '../../src/testing/scenario-file';
import { placetel } from '../../src';
import { createTestClient } from '../../src/testing';
import { QUIET } from '../helpers/apps';

describe('describeEntry', () => {
  test('reads each kind as the caller lives it', () => {
    const entries: TranscriptEntry[] = [
      { kind: 'call', at: 0, from: '017312345678', to: '022129191999' },
      { kind: 'hears', at: 0, what: 'Welcome' },
      { kind: 'presses', at: 2, digits: '1' },
      { kind: 'no-input', at: 4, waitedSeconds: 5 },
      { kind: 'rings', at: 9, target: '022129191999', outcome: 'answered', afterSeconds: 4 },
      { kind: 'talks', at: 13, with: '022129191999', seconds: 38 },
      {
        kind: 'ended',
        at: 51,
        outcome: 'completed',
        durationSeconds: 51,
        cause: 'HungUp type=accepted',
      },
    ];
    expect(transcriptLines(entries)).toEqual([
      'call from 017312345678 to 022129191999',
      'hears: Welcome',
      'presses 1',
      'presses nothing (waited 5 s)',
      'rings 022129191999 … answered after 4 s',
      'talks 38 s with 022129191999',
      'call ended: completed, 51 s (HungUp type=accepted)',
    ]);
    expect(formatTranscript(entries)[6]).toBe(
      '0:51  call ended: completed, 51 s (HungUp type=accepted)',
    );
    expect(describeEntry({ kind: 'ended', at: 75, outcome: 'busy', durationSeconds: 75 })).toBe(
      'call ended: busy, 1 min 15 s',
    );
    expect(
      describeEntry({ kind: 'rings', at: 0, target: 'x', outcome: 'no-answer', afterSeconds: 30 }),
    ).toBe('rings x … no answer after 30 s');
  });

  test('callStep turns a plain request list into a step without transcript', () => {
    expect(callStep([])).toEqual({ requests: [], transcript: [] });
    const step = { requests: [], transcript: [{ kind: 'note' as const, at: 0, text: 'x' }] };
    expect(callStep(step)).toBe(step);
  });
});

describe('ringTargets', () => {
  test('without a plan the first target answers after the default ring time', () => {
    const result = ringTargets({}, ['a', 'b'], 10);
    expect(result.answered).toEqual({ target: 'a', at: 10 + DEFAULT_RING_SECONDS });
    expect(result.transcript.map((entry) => [entry.target, entry.outcome])).toEqual([
      ['a', 'answered'],
      ['b', 'no-answer'],
    ]);
  });

  test('simultaneous: the fastest listed target wins; unlisted ones never answer', () => {
    const plan = { targets: { a: { answerAfterSeconds: 9 }, b: { answerAfterSeconds: 3 } } };
    const result = ringTargets(plan, ['a', 'b', 'c'], 0);
    expect(result.answered).toEqual({ target: 'b', at: 3 });
    expect(result.transcript.map((entry) => entry.outcome)).toEqual([
      'no-answer',
      'answered',
      'no-answer',
    ]);
  });

  test('simultaneous: all busy fails at once; nobody answering rings out at the timeout', () => {
    const busy = ringTargets({ targets: { a: 'busy', b: 'busy' } }, ['a', 'b'], 5);
    expect(busy).toMatchObject({ failure: 'busy', endedAt: 5 });
    const none = ringTargets({ targets: { a: 'no-answer' } }, ['a'], 5, { timeoutSeconds: 20 });
    expect(none).toMatchObject({ failure: 'no-answer', endedAt: 25 });
    const late = ringTargets({ targets: { a: { answerAfterSeconds: 25 } } }, ['a'], 0, {
      timeoutSeconds: 20,
    });
    expect(late.failure).toBe('no-answer');
  });

  test('sequential: each target rings for the timeout, a busy one is skipped at once', () => {
    const plan = {
      targets: { a: 'busy' as const, b: 'no-answer' as const, c: { answerAfterSeconds: 2 } },
    };
    const result = ringTargets(plan, ['a', 'b', 'c'], 0, {
      simultaneous: false,
      timeoutSeconds: 15,
    });
    expect(result.answered).toEqual({ target: 'c', at: 17 });
    expect(result.transcript.map((entry) => [entry.target, entry.outcome, entry.at])).toEqual([
      ['a', 'busy', 0],
      ['b', 'no-answer', 0],
      ['c', 'answered', 15],
    ]);
  });

  test('the caller hanging up cancels the ring', () => {
    const plan = { targets: { a: { answerAfterSeconds: 10 } }, hangupAfterSeconds: 6 };
    const result = ringTargets(plan, ['a'], 2);
    expect(result).toMatchObject({ failure: 'canceled', endedAt: 6 });
    expect(result.answered).toBeUndefined();
    expect(result.transcript[0]).toMatchObject({ outcome: 'canceled', afterSeconds: 4 });
    const sequential = ringTargets(plan, ['a'], 2, { simultaneous: false });
    expect(sequential).toMatchObject({ failure: 'canceled', endedAt: 6 });
  });

  test('refuses a negative start or timeout', () => {
    expect(() => ringTargets({}, ['a'], -1)).toThrow(TypeError);
    expect(() => ringTargets({}, ['a'], 0, { timeoutSeconds: Number.NaN })).toThrow(TypeError);
  });
});

test('talkSeconds: the plan, else the default, cut by the caller hanging up', () => {
  expect(talkSeconds({}, 4, 38)).toBe(38);
  expect(talkSeconds({ talkSeconds: 10 }, 4, 38)).toBe(10);
  expect(talkSeconds({ talkSeconds: 10, hangupAfterSeconds: 9 }, 4, 38)).toBe(5);
  expect(talkSeconds({ hangupAfterSeconds: 2 }, 4, 38)).toBe(0);
});

describe('parseCallScenario', () => {
  test('reads YAML keeping leading zeros, and seconds as numbers', () => {
    const scenario = parseCallScenario(
      [
        'caller: 017312345678',
        'callee: 022129191999',
        'digits: [1, "1234"]',
        'targets:',
        '  022129191999: { answerAfterSeconds: 4 }',
        '  022129191998: busy',
        '  022129191997: 7',
        'talkSeconds: 38',
        'hangupAfterSeconds: 120',
        'options: { peer: 7777abcdefg@fpbx.de, outgoing: true }',
      ].join('\n'),
    );
    expect(scenario).toEqual({
      caller: '017312345678',
      callee: '022129191999',
      digits: ['1', '1234'],
      targets: {
        '022129191999': { answerAfterSeconds: 4 },
        '022129191998': 'busy',
        '022129191997': { answerAfterSeconds: 7 },
      },
      talkSeconds: 38,
      hangupAfterSeconds: 120,
      options: { peer: '7777abcdefg@fpbx.de', outgoing: 'true' },
    });
  });

  test('reads JSON', () => {
    expect(
      parseCallScenario('{"caller":"anonymous","targets":{"100":"no-answer"},"talkSeconds":5}'),
    ).toEqual({ caller: 'anonymous', targets: { '100': 'no-answer' }, talkSeconds: 5 });
  });

  test.each([
    ['[1, 2]', /a scenario is an object/],
    ['calller: x', /unknown key "calller"/],
    ['talkSeconds: -3', /talkSeconds must be a number of seconds/],
    ['talkSeconds: soon', /talkSeconds must be a number of seconds/],
    ['targets: { a: maybe }', /targets\.a must be busy, no-answer/],
    ['targets: { a: { answerAfterSeconds: 1, extra: 2 } }', /only answerAfterSeconds/],
    ['caller: ""', /caller must be a non-empty string/],
    ['options: { peer: { a: 1 } }', /options\.peer must be/],
    ['{ "caller": ', /not JSON or YAML/],
  ])('refuses %j with a message naming the key', (text, message) => {
    expect(() => parseCallScenario(text, 'call.yaml')).toThrow(message);
    expect(() => parseCallScenario(text, 'call.yaml')).toThrow(/^call\.yaml: /);
  });
});

describe('the example of docs/testing.md "Asserting on the transcript"', () => {
  // Kept in step with the guide: the same app, the same plan, the same lines.
  const calls = placetel.createApp({ ...QUIET, secret: 'test-secret-not-real' });
  calls.on('IncomingCall', (call) =>
    call.from === 'anonymous'
      ? placetel.reject({ reason: 'busy' })
      : placetel.forward({ targets: [{ numbers: ['022129191999'] }] }),
  );
  const client = createTestClient(calls, { secret: 'test-secret-not-real' });
  afterAll(() => calls.close());

  test('a forwarded call is answered after 6 s and talks 20 s', async () => {
    const call = await client.playCall({
      targets: { '022129191999': { answerAfterSeconds: 6 } },
      talkSeconds: 20,
    });
    call.expectTranscript([
      'rings 022129191999 … answered after 6 s',
      'talks 20 s with 022129191999',
      /^call ended: completed, 26 s/,
    ]);
    expect(() => call.expectTranscript(['talks 20 s', 'rings 022129191999'])).toThrow(
      /has no line rings 022129191999 after "talks 20 s/,
    );
  });
});
