/**
 * Opentact's provider-neutral flow support: its fixture requests as neutral events, Q.850
 * causes and durations of a destroyed call (spec §4.2), neutral answers compiled with the XML
 * builders (spec §3), a gather whose digits come back to the app with its step (spec §2.4),
 * and the refusals naming provider and verb.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type {
  FlowAnswer,
  FlowCompileContext,
  FlowEvent,
  FlowNumber,
  FlowVerbsOf,
} from '../../../src/flow/contract';
import { FLOW_EVENTS, FLOW_VERBS } from '../../../src/flow/contract';
import { createFlow } from '../../../src/flow';
import { createApp } from '../../../src/providers/opentact';
import { createTestClient } from '../../../src/testing';
import { parseOpentactRequest } from '../../../src/providers/opentact/events';
import { OPENTACT_FLOW_STEP, opentactFlow } from '../../../src/providers/opentact/flow';
import { opentactPlugin } from '../../../src/providers/opentact/plugin';
import {
  answer,
  dial,
  gather,
  hangup,
  play,
  record,
  renderOpentactResponse,
  response,
  say,
  type OpentactCommand,
  type OpentactResponse,
} from '../../../src/providers/opentact/xml';
import { expectInvalid } from '../../helpers/assert';
import { loadFixtures, type RequestFixture } from '../../helpers/fixtures';

const normalize = (raw: string): FlowNumber => {
  const parsed = parsePhoneNumberFromString(raw, 'US');
  return { raw, e164: parsed?.isValid() === true ? parsed.number : undefined };
};

const fixtures = loadFixtures('opentact').requests;

function eventOf(fixture: Pick<RequestFixture, 'method' | 'path' | 'headers' | 'body'>) {
  const at = fixture.path.indexOf('?');
  return parseOpentactRequest({
    method: fixture.method,
    path: at < 0 ? fixture.path : fixture.path.slice(0, at),
    query: at < 0 ? '' : fixture.path.slice(at + 1),
    headers: fixture.headers,
    body: Buffer.from(fixture.body ?? ''),
  });
}

const fixture = (id: string): RequestFixture => {
  const found = fixtures.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no fixture ${id}`);
  return found;
};

function flowEventOf(id: string): FlowEvent {
  const flowEvent = opentactFlow.toFlowEvent(eventOf(fixture(id)), normalize);
  if (flowEvent === undefined) throw new Error(`${id} is no neutral event`);
  return flowEvent;
}

const REQUEST_URL =
  'https://hooks.example.com/opentact/callflow?from=%2B14158531285&to=18382050010&token=t0k';

const context = (id = 'opentact.call-flow-get'): FlowCompileContext => ({
  app: undefined,
  event: undefined,
  flowEvent: flowEventOf(id),
  requestUrl: REQUEST_URL,
});

const xml = (answerXml: OpentactResponse) => renderOpentactResponse(answerXml);
const compile = (...answers: FlowAnswer[]) => xml(opentactFlow.compile(answers, context()));
const expected = (...commands: OpentactCommand[]) => xml(response(commands));

test('the plug-in carries the flow', () => {
  expect(opentactPlugin.flow).toBe(opentactFlow);
});

test('the verbs it can express, as a type', () => {
  const verbs: FlowVerbsOf<typeof opentactFlow>[] = [
    'forward',
    'hangup',
    'say',
    'play',
    'gather',
    'record',
  ];
  // @ts-expect-error Opentact has no queue
  const queue: FlowVerbsOf<typeof opentactFlow> = 'queue';
  expect([...verbs, queue].filter((verb) => opentactFlow.verbs[verb].supported)).toEqual(verbs);
});

test('every neutral event and verb has an entry', () => {
  for (const name of FLOW_EVENTS) expect(opentactFlow.events[name]).toBeDefined();
  for (const verb of FLOW_VERBS) expect(opentactFlow.verbs[verb]).toBeDefined();
});

describe('events of the fixture requests', () => {
  const neutral: Record<string, string | undefined> = {
    'opentact.call-flow-get': 'incoming',
    'opentact.call-flow-post': 'incoming',
    'opentact.gather-url': 'digits',
    'opentact.gather-callback-draft': 'digits',
    'opentact.app-webhook-get': 'answered',
    'opentact.app-webhook-post': 'answered',
    'opentact.event-call-live': 'answered',
    'opentact.event-call-destroyed': 'ended',
  };
  test.each(fixtures.map((entry) => [entry.id, entry] as const))('%s', (id, entry) => {
    const event = eventOf(entry);
    const flowEvent = opentactFlow.toFlowEvent(event, normalize);
    expect(flowEvent?.name).toBe(neutral[id]);
    if (flowEvent === undefined) return;
    expect(flowEvent.provider).toBe('opentact');
    expect(flowEvent.raw).toBe(event);
    expect(flowEvent.callId).toBe(event.callId);
    expect(flowEvent.from.raw).toBe(event.from);
    const fields = entry.expect.fields;
    if (fields['from'] !== undefined) expect(flowEvent.from.raw).toBe(fields['from']);
    if (flowEvent.name === 'incoming') {
      expect(flowEvent.direction).toBe('inbound');
      expect(flowEvent.from).toEqual({ raw: '+14158531285', e164: '+14158531285' });
      expect(flowEvent.to).toEqual({ raw: '18382050010', e164: '+18382050010' });
    }
    if (flowEvent.name === 'digits') {
      expect(flowEvent.digits).toBe(fields['dtmf'] ?? fields['code']);
      expect(flowEvent.step).toBeUndefined();
    }
    if (flowEvent.name === 'ended') {
      expect(flowEvent).toMatchObject({
        callId: fields['call.uuid'],
        cause: 'completed',
        providerCause: fields['call.q850_cause_string'],
        durationSeconds: Number(fields['payload.duration']),
      });
    }
  });

  test('a live call_state of a call that came in is an inbound answered event', () => {
    expect(flowEventOf('opentact.event-call-live')).toMatchObject({
      name: 'answered',
      callId: 'c7aa8c03-87d6-403d-8287-2211a1974fe3',
      direction: 'inbound',
    });
  });

  test('the digits carry the step of the gather’s URL', () => {
    const event = eventOf({
      method: 'GET',
      path: `/opentact?token=t&${OPENTACT_FLOW_STEP}=menu&dtmf=2&from=%2B14158531285&tn=18382050010&state=live&call=abc`,
      headers: {},
    });
    expect(opentactFlow.toFlowEvent(event, normalize)).toMatchObject({
      name: 'digits',
      digits: '2',
      step: 'menu',
    });
  });
});

describe('Q.850 causes of a destroyed call (spec §4.2)', () => {
  const destroyed = (cause: string, extra = '') =>
    eventOf({
      method: 'POST',
      path: '/opentact/events',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        uuid: 'e1',
        type: 'call_state',
        payload: { state: 'destroyed', duration: 42 },
        call: {
          uuid: 'c1',
          direction: 'out',
          from: '+14158531285',
          to: '18382050010',
          state: 'destroyed',
          q850_cause_string: cause,
          ...(extra === '' ? {} : { answer_on: extra }),
        },
      }),
    });
  test.each([
    ['NORMAL_CLEARING', 'completed'],
    ['USER_BUSY', 'busy'],
    ['NO_USER_RESPONSE', 'no-answer'],
    ['NO_ANSWER', 'no-answer'],
    ['CALL_REJECTED', 'rejected'],
    ['ORIGINATOR_CANCEL', 'canceled'],
    ['UNALLOCATED_NUMBER', 'failed'],
    ['SOMETHING_NEW', 'unknown'],
  ])('%s → %s', (q850, cause) => {
    expect(opentactFlow.toFlowEvent(destroyed(q850), normalize)).toEqual(
      expect.objectContaining({
        name: 'ended',
        callId: 'c1',
        direction: 'outbound',
        cause,
        providerCause: q850,
        durationSeconds: 42,
        answered: undefined,
      }),
    );
  });

  test('a leg the call dialled is no neutral event', () => {
    const leg = eventOf({
      method: 'POST',
      path: '/opentact/events',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'call_state',
        payload: { state: 'destroyed', duration: 3 },
        call: { uuid: 'leg1', direction: 'out', state: 'destroyed', parent: { uuid: 'c1' } },
      }),
    });
    expect(opentactFlow.toFlowEvent(leg, normalize)).toBeUndefined();
  });

  test('answer_on makes it answered', () => {
    expect(
      opentactFlow.toFlowEvent(destroyed('NORMAL_CLEARING', '2024-02-20T16:41:36.202Z'), normalize),
    ).toMatchObject({ answered: true });
  });
});

describe('compile', () => {
  test('forward, hangup: no <Answer/> before them', () => {
    expect(
      compile({ verb: 'forward', targets: ['support1@sip.opentact.org', '12223334455'] }),
    ).toBe(expected(dial(['support1@sip.opentact.org', '12223334455'])));
    expect(compile({ verb: 'hangup' })).toBe(expected(hangup()));
  });

  test('say, play, record: the first answer picks the call up', () => {
    expect(compile({ verb: 'say', text: 'Hello', language: 'en-US' }, { verb: 'hangup' })).toBe(
      expected(answer(), say('Hello', { lang: 'en-US' }), hangup()),
    );
    expect(compile({ verb: 'play', url: 'https://example.com/a.mp3' })).toBe(
      expected(answer(), play('https://example.com/a.mp3')),
    );
    expect(compile({ verb: 'record', maxLengthSeconds: 45 })).toBe(
      expected(answer(), record({ timeoutMs: 45000 })),
    );
  });

  test('an answer to the digits does not pick up again', () => {
    const answerXml = opentactFlow.compile(
      [{ verb: 'say', text: 'Thanks' }],
      context('opentact.gather-url'),
    );
    expect(xml(answerXml)).toBe(expected(say('Thanks')));
  });

  test('gather: a <Gather url> to the request URL without Opentact’s fields, with the step', () => {
    expect(
      compile({
        verb: 'gather',
        prompt: { verb: 'say', text: 'Press 1' },
        maxDigits: 4,
        step: 'menu',
      }),
    ).toBe(
      expected(
        answer(),
        gather({
          url: `https://hooks.example.com/opentact/callflow?token=t0k&${OPENTACT_FLOW_STEP}=menu`,
          dtmfLength: 4,
          prompt: [say('Press 1')],
        }),
      ),
    );
  });

  test('gather without the request URL, or with a timeout, is refused', () => {
    expectInvalid(
      () => opentactFlow.compile([{ verb: 'gather' }], { ...context(), requestUrl: undefined }),
      'opentact',
      'gather',
      'publicUrl',
    );
    expectInvalid(
      () => compile({ verb: 'gather', timeoutSeconds: 5 }),
      'opentact',
      'gather',
      'timeout',
    );
  });

  test('limits come from the grammar', () => {
    expect(opentactFlow.verbs.gather.limits).toContain('whole digits ≥ 1');
    expect(opentactFlow.verbs.record.limits).toContain('whole milliseconds ≥ 0');
    expectInvalid(() => compile({ verb: 'gather', maxDigits: 0 }), 'opentact', 'gather');
    expectInvalid(() => compile({ verb: 'record', maxLengthSeconds: -1 }), 'opentact', 'record');
  });

  test('forward with a ring time or a caller id, and no answer at all, are refused', () => {
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1'], ringTimeSeconds: 20 }),
      'opentact',
      'forward',
      'ring time',
    );
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1'], callerId: '2' }),
      'opentact',
      'forward',
      'caller id',
    );
    expectInvalid(() => compile(), 'opentact');
  });

  const unsupported: Record<string, FlowAnswer> = {
    reject: { verb: 'reject', reason: 'busy' },
    queue: { verb: 'queue', queue: 'support' },
    voicemail: { verb: 'voicemail' },
  };
  test.each(Object.entries(unsupported))(
    '%s is refused, naming provider and verb',
    (verb, refused) => {
      const capability = opentactFlow.verbs[refused.verb];
      expect(capability.supported).toBe(false);
      if (capability.supported) return;
      expect(capability.reason).toContain('docs/providers/opentact.md §3.2');
      expectInvalid(() => compile(refused), 'opentact', verb, capability.reason);
    },
  );
});

describe('a flow mounted on an Opentact app, through its middleware', () => {
  test('gather: the <Gather url> follow-up reaches the flow’s digits handler with the step', async () => {
    const app = createApp({ allowUnauthenticated: true });
    const flow = createFlow({ uses: ['say', 'gather', 'hangup'] as const, defaultCountry: 'US' });
    const seen: unknown[] = [];
    flow.on('incoming', () =>
      flow.gather({ prompt: flow.say('Press 1'), maxDigits: 1, step: 'menu' }),
    );
    flow.on('digits', (call) => {
      seen.push([call.callId, call.digits, call.step, call.from.e164]);
      return [flow.say(`You pressed ${call.digits}`), flow.hangup()];
    });
    flow.mount(app);
    const client = createTestClient(app);
    const request = fixture('opentact.call-flow-get');
    const first = await client.send({
      event: 'call_flow_request',
      method: 'GET',
      headers: {},
      body: '',
      path: '/callflow',
      query: request.path.slice(request.path.indexOf('?') + 1),
    });
    expect(first.outcome).toBe('handled');
    const url = /<Gather[^>]* url="([^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(url).toBeDefined();
    const target = new URL(url ?? '');
    expect(target.pathname).toBe('/callflow');
    expect(target.searchParams.get(OPENTACT_FLOW_STEP)).toBe('menu');
    expect(target.searchParams.has('from')).toBe(false);
    // Opentact appends its fields to the URL's own query (spec §2.4)
    const second = await client.send({
      event: 'gather',
      method: 'GET',
      headers: {},
      body: '',
      path: target.pathname,
      query: `${target.search.slice(1)}&dtmf=1&from=%2B14158531285&tn=18382050010&state=live&sca=3b533be6-4dde-4a28-aad2-45347e53334a&call=6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c`,
    });
    expect(second.outcome).toBe('handled');
    expect(second.text).toBe(expected(say('You pressed 1'), hangup()));
    expect(seen).toEqual([['6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c', '1', 'menu', '+14158531285']]);
  });

  test('a flow using reject does not mount, naming provider and verb', () => {
    const flow = createFlow({ uses: ['reject'] as const });
    const app = createApp({ allowUnauthenticated: true });
    // @ts-expect-error opentact cannot express reject
    expect(() => flow.mount(app)).toThrow(/opentact cannot express reject/);
  });
});
