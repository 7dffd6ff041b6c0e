/**
 * Placetel's provider-neutral flow support: its fixture requests as neutral events, causes and
 * durations of HungUp (spec §2.3), neutral answers compiled with the builders (spec §3), and
 * the refusals naming provider and verb.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type {
  FlowVerbsOf,
  FlowAnswer,
  FlowCompileContext,
  FlowEvent,
  FlowNumber,
} from '../../../src/flow/contract';
import { FLOW_EVENTS, FLOW_VERBS } from '../../../src/flow/contract';
import { createFlow } from '../../../src/flow';
import { createApp } from '../../../src/providers/placetel';
import { createTestClient } from '../../../src/testing';
import { parsePlacetelRequest } from '../../../src/providers/placetel/events';
import { placetelFlow } from '../../../src/providers/placetel/flow';
import { PLACETEL_TARGET_RINGTIME } from '../../../src/providers/placetel/grammar';
import { placetelPlugin } from '../../../src/providers/placetel/plugin';
import { forward, hangup, queue, reject } from '../../../src/providers/placetel/responses';
import { expectInvalid } from '../../helpers/assert';
import { loadFixtures } from '../../helpers/fixtures';

const normalize = (raw: string): FlowNumber => {
  const parsed = parsePhoneNumberFromString(raw, 'DE');
  return { raw, e164: parsed?.isValid() === true ? parsed.number : undefined };
};

const fixtures = loadFixtures('placetel').requests;

function eventOf(body: string) {
  return parsePlacetelRequest({
    method: 'POST',
    path: '/',
    query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(body),
  });
}

function incoming(): FlowEvent {
  const flowEvent = placetelFlow.toFlowEvent(
    eventOf('call_id=abc&event=IncomingCall&from=017312345678&to=022129191999'),
    normalize,
  );
  if (flowEvent === undefined) throw new Error('IncomingCall is no neutral event');
  return flowEvent;
}

const context = (): FlowCompileContext => ({
  app: undefined,
  event: undefined,
  flowEvent: incoming(),
});

const compile = (...answers: FlowAnswer[]) => placetelFlow.compile(answers, context());

test('the plug-in carries the flow', () => {
  expect(placetelPlugin.flow).toBe(placetelFlow);
});

test('the verbs it can express, as a type', () => {
  const verbs: FlowVerbsOf<typeof placetelFlow>[] = [
    'forward',
    'reject',
    'hangup',
    'queue',
    'voicemail',
  ];
  // @ts-expect-error Placetel cannot say a text
  const say: FlowVerbsOf<typeof placetelFlow> = 'say';
  expect([...verbs, say].filter((verb) => placetelFlow.verbs[verb].supported)).toEqual(verbs);
});

test('every neutral event and verb has an entry', () => {
  for (const name of FLOW_EVENTS) expect(placetelFlow.events[name]).toBeDefined();
  for (const verb of FLOW_VERBS) expect(placetelFlow.verbs[verb]).toBeDefined();
  expect(placetelFlow.events.digits).toEqual({ reason: expect.stringContaining('§2.1') });
});

describe('events of the fixture requests', () => {
  test.each(fixtures.map((fixture) => [fixture.id, fixture] as const))('%s', (_id, fixture) => {
    const event = eventOf(fixture.body ?? '');
    const flowEvent = placetelFlow.toFlowEvent(event, normalize);
    const expected = {
      IncomingCall: 'incoming',
      CallAccepted: 'answered',
      HungUp: 'ended',
      OutgoingCall: undefined,
    }[fixture.expect.event];
    expect(flowEvent?.name).toBe(expected);
    if (flowEvent === undefined) return;
    const fields = fixture.expect.fields;
    expect(flowEvent.provider).toBe('placetel');
    expect(flowEvent.callId).toBe(fields['call_id']);
    expect(flowEvent.from.raw).toBe(fields['from'] ?? '');
    expect(flowEvent.to.raw).toBe(fields['to'] ?? '');
    expect(flowEvent.raw).toBe(event);
    const direction = fields['direction'];
    if (direction !== undefined) {
      expect(flowEvent.direction).toBe(direction === 'in' ? 'inbound' : 'outbound');
    }
    if (flowEvent.name === 'ended') {
      expect(flowEvent.providerCause).toBe(fields['type']);
      expect(flowEvent.durationSeconds).toBe(
        fields['duration'] === undefined ? undefined : Number(fields['duration']),
      );
    }
  });

  test('a national number gets its E.164 form, anonymous none', () => {
    const flowEvent = placetelFlow.toFlowEvent(
      eventOf('call_id=abc&direction=in&event=IncomingCall&from=anonymous&to=022129191999'),
      normalize,
    );
    expect(flowEvent?.to).toEqual({ raw: '022129191999', e164: '+4922129191999' });
    expect(flowEvent?.from).toEqual({ raw: 'anonymous', e164: undefined });
    expect(flowEvent?.direction).toBe('inbound');
  });

  test('a HungUp without direction has an unknown direction', () => {
    const flowEvent = placetelFlow.toFlowEvent(
      eventOf('call_id=abc&event=HungUp&from=1&to=2&type=missed&duration=0'),
      normalize,
    );
    expect(flowEvent?.direction).toBe('unknown');
  });
});

describe('HungUp causes (spec §2.3) and durations', () => {
  test.each([
    ['accepted', 'completed', true],
    ['missed', 'no-answer', false],
    ['blocked', 'rejected', false],
    ['busy', 'busy', false],
    ['canceled', 'canceled', false],
    ['unavailable', 'failed', false],
    ['congestion', 'failed', false],
    ['voicemail', 'voicemail', false],
    ['something_new', 'unknown', undefined],
  ])('%s → %s', (type, cause, answered) => {
    const flowEvent = placetelFlow.toFlowEvent(
      eventOf(`call_id=abc&direction=in&duration=38&event=HungUp&from=1&to=2&type=${type}`),
      normalize,
    );
    expect(flowEvent).toMatchObject({
      name: 'ended',
      cause,
      providerCause: type,
      durationSeconds: 38,
      answered,
    });
  });

  test('no type, no duration: unknown cause, nothing known', () => {
    expect(
      placetelFlow.toFlowEvent(eventOf('call_id=abc&event=HungUp&from=1&to=2'), normalize),
    ).toMatchObject({
      cause: 'unknown',
      providerCause: undefined,
      durationSeconds: undefined,
      answered: undefined,
    });
  });
});

describe('compile', () => {
  test('forward: the targets ring together in one <Target>', () => {
    expect(
      compile({
        verb: 'forward',
        targets: ['022129191999', '7777abcdefg@fpbx.de'],
        ringTimeSeconds: 20,
      }).toXml(),
    ).toBe(
      forward({
        targets: [{ ringtime: 20, numbers: ['022129191999', '7777abcdefg@fpbx.de'] }],
      }).toXml(),
    );
    expect(compile({ verb: 'forward', targets: ['022129191999'] }).toXml()).toBe(
      forward({ targets: [{ numbers: ['022129191999'] }] }).toXml(),
    );
  });

  test('reject, hangup, queue, voicemail', () => {
    expect(compile({ verb: 'reject', reason: 'busy' }).toXml()).toBe(
      reject({ reason: 'busy' }).toXml(),
    );
    expect(compile({ verb: 'reject', reason: 'rejected' }).toXml()).toBe(reject().toXml());
    expect(compile({ verb: 'hangup' }).toXml()).toBe(hangup().toXml());
    expect(compile({ verb: 'queue', queue: '7684' }).toXml()).toBe(queue({ id: '7684' }).toXml());
    expect(compile({ verb: 'voicemail' }).toXml()).toBe(forward({ voicemail: true }).toXml());
  });

  test('the ring time limits are the grammar’s', () => {
    const { min, max } = PLACETEL_TARGET_RINGTIME;
    expect(placetelFlow.verbs.forward).toMatchObject({
      limits: expect.stringContaining(`${min}–${max} seconds`),
    });
    compile({ verb: 'forward', targets: ['1'], ringTimeSeconds: max });
    compile({ verb: 'forward', targets: ['1'], ringTimeSeconds: min });
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1'], ringTimeSeconds: max + 1 }),
      'placetel',
      'forward',
    );
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1'], ringTimeSeconds: min - 1 }),
      'placetel',
      'forward',
    );
  });

  test.each(['say', 'play', 'gather', 'record'] as const)(
    '%s is refused, naming provider and verb',
    (verb) => {
      const capability = placetelFlow.verbs[verb];
      expect(capability.supported).toBe(false);
      if (capability.supported) return;
      expect(capability.reason).toMatch(/docs\/providers\/placetel\.md §3\.\d|§2\.1/);
      const answers: Record<typeof verb, FlowAnswer> = {
        say: { verb: 'say', text: 'Hallo' },
        play: { verb: 'play', url: 'https://example.com/a.mp3' },
        gather: { verb: 'gather', maxDigits: 1 },
        record: { verb: 'record' },
      };
      expectInvalid(() => compile(answers[verb]), 'placetel', verb, capability.reason);
    },
  );

  test('a caller id, two actions, no action and a bad queue id are refused', () => {
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1'], callerId: '0221' }),
      'placetel',
      'forward',
      'caller id',
    );
    expectInvalid(
      () => compile({ verb: 'say', text: 'Hallo' }, { verb: 'forward', targets: ['1'] }),
      'placetel',
      'say + forward',
      'one action',
    );
    expectInvalid(() => compile(), 'placetel');
    expectInvalid(() => compile({ verb: 'queue', queue: 'no spaces' }), 'placetel', 'queue');
  });
});

describe('a flow mounted on a Placetel app, through its middleware', () => {
  const SECRET = 'flow-test-secret';
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  function callLog() {
    const app = createApp({ secret: SECRET });
    const flow = createFlow({ uses: ['forward', 'reject'] as const, defaultCountry: 'DE' });
    const log: unknown[] = [];
    flow.on('incoming', (call) =>
      call.from.e164 === '+4917312345678'
        ? flow.reject('busy')
        : flow.forward({ targets: ['022129191999'], ringTimeSeconds: 20 }),
    );
    flow.on('ended', (call) => {
      log.push([
        call.callId,
        call.from.e164,
        call.direction,
        call.cause,
        call.durationSeconds,
        call.answered,
      ]);
    });
    flow.mount(app);
    return { client: createTestClient(app, { secret: SECRET }), log };
  }

  test('a blocked caller (compared as E.164) is rejected as busy; another one forwarded for 20 s', async () => {
    const { client } = callLog();
    const blocked = await client.send({
      event: 'IncomingCall',
      method: 'POST',
      headers: form,
      body: 'call_id=abc&direction=in&event=IncomingCall&from=017312345678&to=022129191999',
    });
    expect(blocked.text).toBe(reject({ reason: 'busy' }).toXml());
    const other = await client.send({
      event: 'IncomingCall',
      method: 'POST',
      headers: form,
      body: 'call_id=def&direction=in&event=IncomingCall&from=anonymous&to=022129191999',
    });
    expect(other.text).toBe(
      forward({ targets: [{ ringtime: 20, numbers: ['022129191999'] }] }).toXml(),
    );
  });

  test('HungUp of a fixture call reaches the ended handler: cause, seconds, answered', async () => {
    const { client, log } = callLog();
    const hungUp = fixtures.find(
      (fixture) =>
        fixture.expect.event === 'HungUp' &&
        fixture.expect.fields['type'] === 'accepted' &&
        fixture.expect.fields['duration'] === '38',
    );
    const reply = await client.send({
      event: 'HungUp',
      method: 'POST',
      headers: form,
      body: hungUp?.body ?? '',
    });
    expect(reply.outcome).toBe('handled');
    const fields = hungUp?.expect.fields ?? {};
    expect(log).toEqual([
      [
        fields['call_id'],
        normalize(fields['from'] ?? '').e164,
        fields['direction'] === 'in' ? 'inbound' : 'outbound',
        'completed',
        38,
        true,
      ],
    ]);
  });

  test('a flow using say does not mount, naming provider and verb', () => {
    const flow = createFlow({ uses: ['say'] as const });
    const app = createApp({ secret: SECRET });
    // @ts-expect-error placetel cannot express say
    expect(() => flow.mount(app)).toThrow(/placetel cannot express say/);
  });
});
