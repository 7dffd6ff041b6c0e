/**
 * Ozeki's provider-neutral flow support: its fixture notifications as neutral events, call
 * states as causes (spec §3.2), neutral answers compiled with the OzML builders (spec §5), a
 * gather whose digits come back as DtmfEntered with its step (spec §5.6), and the refusals.
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
import { createApp } from '../../../src/providers/ozeki';
import { createTestClient } from '../../../src/testing';
import { parseOzekiRequest } from '../../../src/providers/ozeki/events';
import { OZEKI_FLOW_STEP, ozekiFlow } from '../../../src/providers/ozeki/flow';
import {
  blindTransfer,
  hangup,
  play,
  record,
  reject,
  renderOzml,
  response,
  speak,
  userInput,
  type OzmlResponse,
} from '../../../src/providers/ozeki/ozml';
import { ozekiPlugin } from '../../../src/providers/ozeki/plugin';
import { expectInvalid } from '../../helpers/assert';
import { loadFixtures } from '../../helpers/fixtures';

const normalize = (raw: string): FlowNumber => {
  const parsed = parsePhoneNumberFromString(raw, 'DE');
  return { raw, e164: parsed?.isValid() === true ? parsed.number : undefined };
};

const fixtures = loadFixtures('ozeki').requests;

function eventOf(body: string, query = '') {
  return parseOzekiRequest({
    method: 'POST',
    path: '/',
    query,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(body),
  });
}

function incoming(): FlowEvent {
  const flowEvent = ozekiFlow.toFlowEvent(
    eventOf('NotificationName=IncomingCall&CallId=Nt3uh&ApiExtension=9994&CallerId=1000'),
    normalize,
  );
  if (flowEvent === undefined) throw new Error('IncomingCall is no neutral event');
  return flowEvent;
}

const REQUEST_URL = 'https://pbx-hooks.example.com/ozeki?token=s3cret';

const context = (requestUrl: string | undefined = REQUEST_URL): FlowCompileContext => ({
  app: undefined,
  event: undefined,
  flowEvent: incoming(),
  requestUrl,
});

const xml = (answer: OzmlResponse) => renderOzml(answer, 'extension');
const compile = (...answers: FlowAnswer[]) => xml(ozekiFlow.compile(answers, context()));
const expected = (...commands: Parameters<typeof response>[0]) =>
  xml(response(commands, { control: 'extension' }));

test('the plug-in carries the flow', () => {
  expect(ozekiPlugin.flow).toBe(ozekiFlow);
});

test('the verbs it can express, as a type', () => {
  const verbs: FlowVerbsOf<typeof ozekiFlow>[] = [
    'forward',
    'reject',
    'hangup',
    'say',
    'play',
    'gather',
    'record',
  ];
  // @ts-expect-error OzML has no queue
  const queue: FlowVerbsOf<typeof ozekiFlow> = 'queue';
  expect([...verbs, queue].filter((verb) => ozekiFlow.verbs[verb].supported)).toEqual(verbs);
});

test('every neutral event and verb has an entry', () => {
  for (const name of FLOW_EVENTS) expect(ozekiFlow.events[name]).toBeDefined();
  for (const verb of FLOW_VERBS) expect(ozekiFlow.verbs[verb]).toBeDefined();
});

describe('events of the fixture requests', () => {
  test.each(fixtures.map((fixture) => [fixture.id, fixture] as const))('%s', (_id, fixture) => {
    const query = fixture.path.includes('?')
      ? fixture.path.slice(fixture.path.indexOf('?') + 1)
      : '';
    const event = eventOf(fixture.body ?? '', query);
    const flowEvent = ozekiFlow.toFlowEvent(event, normalize);
    const fields = fixture.expect.fields;
    const name = {
      IncomingCall: 'incoming',
      DtmfEntered: 'digits',
      // the fixture's CallState is Ringing: no neutral event
      CallChanged: undefined,
    }[fixture.expect.event];
    expect(flowEvent?.name).toBe(name);
    if (flowEvent === undefined) return;
    expect(flowEvent.provider).toBe('ozeki');
    expect(flowEvent.callId).toBe(fields['CallId']);
    expect(flowEvent.raw).toBe(event);
    if (flowEvent.name === 'incoming') {
      expect(flowEvent.from.raw).toBe(fields['CallerId']);
      expect(flowEvent.to.raw).toBe(fields['ApiExtension']);
      expect(flowEvent.direction).toBe('inbound');
    }
    if (flowEvent.name === 'digits') {
      expect(flowEvent.digits).toBe(fields['DtmfDigits']);
      expect(flowEvent.step).toBeUndefined();
    }
  });

  test('the digits carry the step of the gather’s URL', () => {
    expect(
      ozekiFlow.toFlowEvent(
        eventOf(
          'NotificationName=DtmfEntered&CallId=H2Wwb&DtmfDigits=2',
          `token=s3cret&${OZEKI_FLOW_STEP}=menu`,
        ),
        normalize,
      ),
    ).toMatchObject({ name: 'digits', digits: '2', step: 'menu', direction: 'unknown' });
  });
});

describe('CallChanged states (spec §3.2)', () => {
  test.each([
    ['Completed', 'completed', undefined],
    ['Busy', 'busy', false],
    ['Cancelled', 'canceled', false],
    ['Error', 'failed', undefined],
  ])('%s → %s', (state, cause, answered) => {
    expect(
      ozekiFlow.toFlowEvent(
        eventOf(`NotificationName=CallChanged&CallId=23Xdz7&CallState=${state}`),
        normalize,
      ),
    ).toEqual(
      expect.objectContaining({
        name: 'ended',
        callId: '23Xdz7',
        cause,
        providerCause: state,
        durationSeconds: undefined,
        answered,
      }),
    );
  });

  test('Answered is answered; Ringing, InCall, Hold are none', () => {
    const state = (value: string) =>
      ozekiFlow.toFlowEvent(
        eventOf(`NotificationName=CallChanged&CallId=1&CallState=${value}`),
        normalize,
      )?.name;
    expect(state('Answered')).toBe('answered');
    expect(state('Ringing')).toBeUndefined();
    expect(state('InCall')).toBeUndefined();
    expect(state('Hold')).toBeUndefined();
  });
});

describe('compile', () => {
  test('forward, reject, hangup, say, play, record', () => {
    expect(compile({ verb: 'forward', targets: ['1001'] })).toBe(expected(blindTransfer('1001')));
    expect(compile({ verb: 'reject', reason: 'busy' })).toBe(expected(reject()));
    expect(compile({ verb: 'reject', reason: 'rejected' })).toBe(expected(reject()));
    expect(compile({ verb: 'hangup' })).toBe(expected(hangup()));
    expect(compile({ verb: 'say', text: 'Hello', language: 'en-UK' })).toBe(
      expected(speak('Hello', { language: 'en-UK' })),
    );
    expect(compile({ verb: 'play', url: 'https://example.com/hello.wav' })).toBe(
      expected(play('https://example.com/hello.wav')),
    );
    expect(compile({ verb: 'record', maxLengthSeconds: 60 })).toBe(
      expected(record({ duration: 60 })),
    );
    expect(compile({ verb: 'say', text: 'Bye' }, { verb: 'hangup' })).toBe(
      expected(speak('Bye'), hangup()),
    );
  });

  test('gather: a UserInput whose ForwardToUrl is the request URL with the step', () => {
    expect(
      compile({
        verb: 'gather',
        prompt: { verb: 'say', text: 'Press 1' },
        maxDigits: 4,
        timeoutSeconds: 10,
        step: 'menu',
      }),
    ).toBe(
      expected(
        userInput({
          forwardToUrl: `${REQUEST_URL}&${OZEKI_FLOW_STEP}=menu`,
          digits: 4,
          timeout: 10,
          initialCommands: [speak('Press 1')],
        }),
      ),
    );
  });

  test('gather: the notification fields of a GET request are left out of the URL', () => {
    const answer = ozekiFlow.compile(
      [{ verb: 'gather' }],
      context(
        'https://h.example.com/ozeki?NotificationName=IncomingCall&CallId=x&CallerId=1&token=t',
      ),
    );
    expect(xml(answer)).toBe(
      expected(userInput({ forwardToUrl: 'https://h.example.com/ozeki?token=t', digits: 1 })),
    );
  });

  test('gather without the request URL is refused', () => {
    expectInvalid(
      () => ozekiFlow.compile([{ verb: 'gather' }], { ...context(), requestUrl: undefined }),
      'ozeki',
      'gather',
      'publicUrl',
    );
  });

  test('limits come from the grammar: digits ≥ 1, seconds ≥ 0', () => {
    expect(ozekiFlow.verbs.gather.limits).toContain('whole digits ≥ 1');
    expect(ozekiFlow.verbs.record.limits).toContain('whole seconds ≥ 0');
    expectInvalid(() => compile({ verb: 'gather', maxDigits: 0 }), 'ozeki', 'userInput');
    expectInvalid(() => compile({ verb: 'record', maxLengthSeconds: -1 }), 'ozeki', 'record');
  });

  test.each(['queue', 'voicemail'] as const)('%s is refused, naming provider and verb', (verb) => {
    const capability = ozekiFlow.verbs[verb];
    expect(capability.reason).toContain('docs/providers/ozeki.md §5');
    expectInvalid(
      () => compile(verb === 'queue' ? { verb, queue: 'support' } : { verb }),
      'ozeki',
      verb,
      capability.reason,
    );
  });

  test('forward to several targets, with a ring time or a caller id is refused', () => {
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1', '2'] }),
      'ozeki',
      'forward',
      'one target',
    );
    expectInvalid(
      () => compile({ verb: 'forward', targets: [] }),
      'ozeki',
      'forward',
      'one target',
    );
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1'], ringTimeSeconds: 20 }),
      'ozeki',
      'forward',
      'ring time',
    );
    expectInvalid(
      () => compile({ verb: 'forward', targets: ['1'], callerId: '2' }),
      'ozeki',
      'forward',
      'caller id',
    );
  });

  test('a reject after another command and no answer at all are refused', () => {
    expectInvalid(
      () => compile({ verb: 'say', text: 'Hi' }, { verb: 'reject', reason: 'busy' }),
      'ozeki',
      'Reject',
    );
    expectInvalid(() => compile(), 'ozeki');
  });
});

describe('a flow mounted on an Ozeki app, through its middleware', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  test('gather: the digits come back as DtmfEntered to the flow’s digits handler, with the step', async () => {
    const app = createApp({ urlToken: { tokens: 'flow-token-0123456789' } });
    const flow = createFlow({ uses: ['say', 'gather', 'hangup'] as const });
    const seen: unknown[] = [];
    flow.on('incoming', () =>
      flow.gather({ prompt: flow.say('Press 1'), maxDigits: 1, step: 'menu' }),
    );
    flow.on('digits', (call) => {
      seen.push([call.callId, call.digits, call.step]);
      return [flow.say(`You pressed ${call.digits}`), flow.hangup()];
    });
    flow.mount(app);
    const client = createTestClient(app, { urlToken: 'flow-token-0123456789' });
    const incomingFixture = fixtures.find((entry) => entry.id === 'ozeki.incoming-call');
    const first = await client.send({
      event: 'IncomingCall',
      method: 'POST',
      headers: form,
      body: incomingFixture?.body ?? '',
    });
    expect(first.outcome).toBe('handled');
    const forwardTo = /ForwardToUrl="([^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(forwardTo).toBeDefined();
    const url = new URL(forwardTo ?? '');
    expect(url.searchParams.get(OZEKI_FLOW_STEP)).toBe('menu');
    expect(url.searchParams.get('token')).toBe('flow-token-0123456789');
    const second = await client.send({
      event: 'DtmfEntered',
      method: 'POST',
      headers: form,
      path: url.pathname,
      // the kit adds the URL token itself, as Ozeki would send it with the URL
      query: new URLSearchParams(
        [...url.searchParams].filter(([name]) => name !== 'token'),
      ).toString(),
      body: 'NotificationName=DtmfEntered&CallId=Nt3uh&DtmfDigits=1',
    });
    expect(second.outcome).toBe('handled');
    expect(second.text).toBe(expected(speak('You pressed 1'), hangup()));
    expect(seen).toEqual([['Nt3uh', '1', 'menu']]);
  });

  test('a flow using queue does not mount, naming provider and verb', () => {
    const flow = createFlow({ uses: ['queue'] as const });
    const app = createApp({ allowUnauthenticated: true });
    // @ts-expect-error ozeki cannot express queue
    expect(() => flow.mount(app)).toThrow(/ozeki cannot express queue/);
  });
});
