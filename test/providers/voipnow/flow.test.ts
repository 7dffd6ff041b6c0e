/**
 * VoipNow's provider-neutral flow support: its fixture requests as neutral events, Hangup's
 * CallStatus as a cause (spec §1), neutral answers compiled with the Call Interactive builders
 * (spec §2), and the refusals naming provider and verb.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type {
  FlowAnswer,
  FlowCompileContext,
  FlowNumber,
  FlowVerbsOf,
} from '../../../src/flow/contract';
import { FLOW_EVENTS, FLOW_VERBS } from '../../../src/flow/contract';
import { createFlow } from '../../../src/flow';
import { createApp } from '../../../src/providers/voipnow';
import { createTestClient } from '../../../src/testing';
import { parseVoipNowRequest } from '../../../src/providers/voipnow/events';
import { voipNowFlow } from '../../../src/providers/voipnow/flow';
import { voipNowPlugin } from '../../../src/providers/voipnow/plugin';
import {
  hangup,
  playTts,
  renderVoipNowResponse,
  response,
} from '../../../src/providers/voipnow/responses';
import { expectInvalid } from '../../helpers/assert';
import { loadFixtures } from '../../helpers/fixtures';

const normalize = (raw: string): FlowNumber => {
  const parsed = parsePhoneNumberFromString(raw, 'US');
  return { raw, e164: parsed?.isValid() === true ? parsed.number : undefined };
};

const fixtures = loadFixtures('voipnow').requests;

function eventOf(method: string, path: string, body: string, routedEvent?: string) {
  const at = path.indexOf('?');
  return parseVoipNowRequest(
    {
      method,
      path: at < 0 ? path : path.slice(0, at),
      query: at < 0 ? '' : path.slice(at + 1),
      headers: body === '' ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(body),
    },
    routedEvent === undefined ? {} : { routedEvent },
  );
}

const interactive = fixtures.find((fixture) => fixture.expect.event === 'call_interactive');

function context(): FlowCompileContext {
  if (interactive === undefined) throw new Error('no call_interactive fixture');
  const event = eventOf(interactive.method, interactive.path, interactive.body ?? '');
  const flowEvent = voipNowFlow.toFlowEvent(event, normalize);
  if (flowEvent === undefined) throw new Error('call_interactive is no neutral event');
  return { app: undefined, event, flowEvent };
}

const render = (answer: Parameters<typeof renderVoipNowResponse>[0]) =>
  renderVoipNowResponse(answer);
const compile = (...answers: FlowAnswer[]) => render(voipNowFlow.compile(answers, context()));

test('the plug-in carries the flow', () => {
  expect(voipNowPlugin.flow).toBe(voipNowFlow);
});

test('the verbs it can express, as a type', () => {
  const verbs: FlowVerbsOf<typeof voipNowFlow>[] = ['hangup', 'say'];
  // @ts-expect-error VoipNow cannot forward
  const forward: FlowVerbsOf<typeof voipNowFlow> = 'forward';
  expect([...verbs, forward].filter((verb) => voipNowFlow.verbs[verb].supported)).toEqual(verbs);
});

test('every neutral event and verb has an entry', () => {
  for (const name of FLOW_EVENTS) expect(voipNowFlow.events[name]).toBeDefined();
  for (const verb of FLOW_VERBS) expect(voipNowFlow.verbs[verb]).toBeDefined();
  expect(voipNowFlow.events.digits).toEqual({ reason: expect.stringContaining('voipnow.md §2') });
});

describe('events of the fixture requests', () => {
  test.each(fixtures.map((fixture) => [fixture.id, fixture] as const))('%s', (_id, fixture) => {
    const event = eventOf(fixture.method, fixture.path, fixture.body ?? '');
    const flowEvent = voipNowFlow.toFlowEvent(event, normalize);
    const name = {
      call_interactive: 'incoming',
      Hangup: 'ended',
      'Dial-In': undefined,
      'Dial-Out': undefined,
    }[fixture.expect.event];
    expect(flowEvent?.name).toBe(name);
    if (flowEvent === undefined) return;
    const fields = fixture.expect.fields;
    expect(flowEvent.provider).toBe('voipnow');
    expect(flowEvent.callId).toBe(fields['CallID']);
    expect(flowEvent.from.raw).toBe(fields['CallerIDNum']);
    expect(flowEvent.raw).toBe(event);
    expect(flowEvent.direction).toBe(fields['CallFlow'] === 'IN' ? 'inbound' : 'outbound');
    if (flowEvent.name === 'ended') {
      expect(flowEvent.providerCause).toBe(fields['CallStatus']);
      expect(flowEvent.durationSeconds).toBeUndefined();
    }
  });

  test('a number with its country gets its E.164 form', () => {
    const flowEvent = voipNowFlow.toFlowEvent(
      eventOf(
        'POST',
        '/',
        'CallID=1&CallerIDNum=14155550100&CalledNumber=332&CallStatus=ANSWER&CallFlow=IN',
        'Hangup',
      ),
      normalize,
    );
    expect(flowEvent?.from).toEqual({ raw: '14155550100', e164: '+14155550100' });
    expect(flowEvent?.to).toEqual({ raw: '332', e164: undefined });
  });

  test('Answer-In and Answer-Out are answered', () => {
    for (const name of ['Answer-In', 'Answer-Out']) {
      expect(
        voipNowFlow.toFlowEvent(
          eventOf('POST', '/', 'CallID=1&CallerIDNum=1&CallFlow=OUT', name),
          normalize,
        ),
      ).toMatchObject({ name: 'answered', callId: '1', direction: 'outbound' });
    }
  });
});

describe('Hangup causes (spec §1)', () => {
  test.each([
    ['ANSWER', 'completed', true],
    ['UNKNOWN', 'unknown', undefined],
    ['SOMETHING_NEW', 'unknown', undefined],
  ])('%s → %s', (status, cause, answered) => {
    expect(
      voipNowFlow.toFlowEvent(
        eventOf('POST', '/', `CallID=1&CallerIDNum=1&CallStatus=${status}&CallFlow=IN`, 'Hangup'),
        normalize,
      ),
    ).toEqual(
      expect.objectContaining({
        name: 'ended',
        cause,
        providerCause: status,
        durationSeconds: undefined,
        answered,
      }),
    );
  });
});

describe('compile', () => {
  test('hangup, say, and both in order', () => {
    expect(compile({ verb: 'hangup' })).toBe(render(response([hangup()])));
    expect(compile({ verb: 'say', text: 'Thank you for calling.' })).toBe(
      render(response([playTts('Thank you for calling.')])),
    );
    expect(compile({ verb: 'say', text: 'Goodbye.' }, { verb: 'hangup' })).toBe(
      render(response([playTts('Goodbye.'), hangup()])),
    );
  });

  test('a language, a blank text and no answer are refused', () => {
    expectInvalid(
      () => compile({ verb: 'say', text: 'Hallo', language: 'de-DE' }),
      'voipnow',
      'say',
      'language',
    );
    expectInvalid(() => compile({ verb: 'say', text: ' ' }), 'voipnow', 'playTts');
    expectInvalid(() => compile(), 'voipnow');
  });

  const unsupported: Record<string, FlowAnswer> = {
    forward: { verb: 'forward', targets: ['14155550123'], ringTimeSeconds: 20 },
    reject: { verb: 'reject', reason: 'busy' },
    play: { verb: 'play', url: 'https://example.com/a.wav' },
    gather: { verb: 'gather', maxDigits: 1 },
    queue: { verb: 'queue', queue: 'support' },
    voicemail: { verb: 'voicemail' },
    record: { verb: 'record' },
  };
  test.each(Object.entries(unsupported))(
    '%s is refused, naming provider and verb',
    (verb, answer) => {
      const capability = voipNowFlow.verbs[answer.verb];
      expect(capability.supported).toBe(false);
      if (capability.supported) return;
      expect(capability.reason).toContain('docs/providers/voipnow.md §2');
      expectInvalid(
        () => compile({ verb: 'say', text: 'Hi' }, answer),
        'voipnow',
        verb,
        capability.reason,
      );
    },
  );
});

describe('a flow mounted on a VoipNow app, through its middleware', () => {
  test('a Call Interactive request is answered with the compiled verbs', async () => {
    const app = createApp({ allowUnauthenticated: true });
    const flow = createFlow({ uses: ['say', 'hangup'] as const });
    const seen: unknown[] = [];
    flow.on('incoming', (call) => {
      seen.push([call.callId, call.from.raw, call.direction]);
      return [flow.say('Thank you for calling.'), flow.hangup()];
    });
    flow.mount(app);
    if (interactive === undefined) throw new Error('no call_interactive fixture');
    const at = interactive.path.indexOf('?');
    const reply = await createTestClient(app).send({
      event: 'call_interactive',
      method: interactive.method,
      headers: interactive.headers,
      body: interactive.body ?? '',
      path: at < 0 ? interactive.path : interactive.path.slice(0, at),
      query: at < 0 ? '' : interactive.path.slice(at + 1),
    });
    expect(reply.outcome).toBe('handled');
    expect(reply.text).toBe(render(response([playTts('Thank you for calling.'), hangup()])));
    const fields = interactive.expect.fields;
    expect(seen).toEqual([[fields['CallID'], fields['CallerIDNum'], 'inbound']]);
  });

  test('a flow using forward does not mount, naming provider and verb', () => {
    const flow = createFlow({ uses: ['forward'] as const });
    const app = createApp({ allowUnauthenticated: true });
    // @ts-expect-error voipnow cannot express forward
    expect(() => flow.mount(app)).toThrow(/voipnow cannot express forward/);
  });
});
