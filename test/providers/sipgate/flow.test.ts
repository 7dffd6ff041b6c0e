/**
 * sipgate.io's provider-neutral flow support (src/providers/sipgate/flow.ts): its events made
 * neutral over the fixture requests, the neutral answers compiled with the sipgate builders,
 * and the refusals naming provider and verb.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  FLOW_EVENTS,
  FLOW_VERBS,
  type FlowAnswer,
  type FlowNumber,
} from '../../../src/flow/contract';
import { sipgateFlow } from '../../../src/providers/sipgate/flow';
import { SIPGATE_MAX_DIAL_TARGETS } from '../../../src/providers/sipgate/grammar';
import { sipgateProvider } from '../../../src/providers/sipgate/index';
import { sipgatePlugin } from '../../../src/providers/sipgate/plugin';
import * as sipgate from '../../../src/providers/sipgate/responses';
import { createFlow } from '../../../src/flow';
import { createApp } from '../../../src/providers/sipgate/index';
import { createTestClient } from '../../../src/testing';

interface Fixture {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const fixtures = (
  JSON.parse(readFileSync(join(__dirname, '../../data/providers/sipgate.json'), 'utf8')) as {
    requests: Fixture[];
  }
).requests;

const MOUNT = 'https://voice.example.com/sipgate';

/** The fixture's event, parsed as the app parses it (remembering the mount URL). */
function parsed(id: string, publicUrl: string | null = MOUNT) {
  const fixture = fixtures.find((request) => request.id === id);
  if (fixture === undefined) throw new Error(`no fixture ${id}`);
  const request: WebhookRequest = {
    method: fixture.method,
    path: '/',
    query: '',
    headers: fixture.headers,
    body: Buffer.from(fixture.body),
  };
  return sipgateProvider.parse(request, {
    routedEvent: undefined,
    publicUrl: () => publicUrl ?? undefined,
  });
}

const normalize = (raw: string): FlowNumber => ({
  raw,
  e164: /^[1-9][0-9]{6,14}$/.test(raw) ? `+${raw}` : undefined,
});

function flowEvent(id: string) {
  return sipgateFlow.toFlowEvent(parsed(id), normalize);
}

function compile(answers: readonly FlowAnswer[], event = parsed('sipgate.newcall.docs-curl')) {
  const flowEventOf = sipgateFlow.toFlowEvent(event, normalize);
  if (flowEventOf === undefined) throw new Error('no flow event');
  return sipgateFlow.compile(answers, { app: undefined, event, flowEvent: flowEventOf });
}

function refusal(run: () => unknown): CallControlError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CallControlError);
    expect((error as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
    return error as CallControlError;
  }
  throw new Error('did not throw');
}

describe('sipgate flow: declarations', () => {
  it("is the plug-in's flow, with an entry for every neutral event and verb", () => {
    expect(sipgatePlugin.flow).toBe(sipgateFlow);
    expect(Object.keys(sipgateFlow.events).sort()).toEqual([...FLOW_EVENTS].sort());
    expect(Object.keys(sipgateFlow.verbs).sort()).toEqual([...FLOW_VERBS].sort());
    expect(sipgateFlow.events).toEqual({
      incoming: ['newCall'],
      answered: ['answer'],
      ended: ['hangup'],
      digits: ['dtmf'],
    });
  });

  it('derives the forward limit from the grammar and gives reasons citing the reference', () => {
    const forward = sipgateFlow.verbs.forward;
    expect(forward.supported && forward.limits).toContain(
      `at most ${SIPGATE_MAX_DIAL_TARGETS} targets`,
    );
    for (const verb of ['say', 'queue', 'record'] as const) {
      const capability = sipgateFlow.verbs[verb];
      expect(capability.supported).toBe(false);
      expect(!capability.supported && capability.reason).toMatch(/docs\/providers\/sipgate\.md §4/);
    }
    for (const verb of ['forward', 'reject', 'hangup', 'play', 'gather', 'voicemail'] as const) {
      expect(sipgateFlow.verbs[verb].supported).toBe(true);
    }
  });
});

describe('sipgate flow: events', () => {
  it('newCall is incoming, with numbers and direction', () => {
    expect(flowEvent('sipgate.newcall.docs-curl')).toMatchObject({
      name: 'incoming',
      provider: 'sipgate',
      callId: '123456',
      from: { raw: '492111234567', e164: '+492111234567' },
      to: { raw: '4915791234567', e164: '+4915791234567' },
      direction: 'inbound',
    });
    expect(flowEvent('sipgate.newcall.log-2015-outgoing-extension')).toMatchObject({
      name: 'incoming',
      direction: 'outbound',
    });
    expect(flowEvent('sipgate.newcall.capture-2017-anonymous')).toMatchObject({
      from: { raw: 'anonymous', e164: undefined },
    });
  });

  it('answer is answered, dtmf is digits (leading zeros and no input kept)', () => {
    expect(flowEvent('sipgate.answer.docs-curl')).toMatchObject({ name: 'answered' });
    expect(flowEvent('sipgate.dtmf.leading-zero')).toMatchObject({ name: 'digits' });
    const digits = flowEvent('sipgate.dtmf.leading-zero');
    expect(digits?.name === 'digits' && digits.digits).toMatch(/^0/);
    expect(flowEvent('sipgate.dtmf.no-input')).toMatchObject({ name: 'digits', digits: '' });
  });

  it("hangup is ended with the neutral cause, sipgate's own kept, and no duration", () => {
    expect(flowEvent('sipgate.hangup.docs-curl')).toMatchObject({
      name: 'ended',
      cause: 'completed',
      providerCause: 'normalClearing',
      durationSeconds: undefined,
      answered: true,
    });
    expect(flowEvent('sipgate.hangup.log-2015-congestion')).toMatchObject({
      cause: 'failed',
      providerCause: 'congestion',
      answered: false,
    });
    expect(flowEvent('sipgate.hangup.log-2015-chanunavail')).toMatchObject({
      cause: 'failed',
      providerCause: 'chanunavail',
    });
    expect(flowEvent('sipgate.hangup.forwarded')).toMatchObject({
      cause: 'unknown',
      providerCause: 'forwarded',
    });
  });

  it('maps every documented cause (spec §2.3)', () => {
    const causeOf = (cause: string) => {
      const event = sipgateProvider.parse(
        {
          method: 'POST',
          path: '/',
          query: '',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(`event=hangup&callId=1&cause=${cause}&direction=in`),
        },
        { routedEvent: undefined, publicUrl: () => MOUNT },
      );
      const neutral = sipgateFlow.toFlowEvent(event, normalize);
      return neutral?.name === 'ended' ? [neutral.cause, neutral.answered] : undefined;
    };
    expect(causeOf('normalClearing')).toEqual(['completed', true]);
    expect(causeOf('busy')).toEqual(['busy', false]);
    expect(causeOf('cancel')).toEqual(['canceled', false]);
    expect(causeOf('noAnswer')).toEqual(['rejected', false]);
    expect(causeOf('congestion')).toEqual(['failed', false]);
    expect(causeOf('notFound')).toEqual(['failed', false]);
    expect(causeOf('somethingNew')).toEqual(['unknown', undefined]);
  });

  it('an event of a name sipgate may add later is no neutral event', () => {
    const event = sipgateProvider.parse(
      {
        method: 'POST',
        path: '/',
        query: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('event=transfer&callId=1'),
      },
      { routedEvent: undefined, publicUrl: () => MOUNT },
    );
    expect(sipgateFlow.toFlowEvent(event, normalize)).toBeUndefined();
  });
});

describe('sipgate flow: compile', () => {
  const followUps = { onAnswer: MOUNT, onHangup: MOUNT };

  it('forward is <Dial> with the follow-ups of a newCall', () => {
    const answer = compile([
      { verb: 'forward', targets: ['4915799912345', '492111234567'], callerId: '492111234567' },
    ]);
    expect(answer.toXml()).toBe(
      sipgate
        .response({
          ...followUps,
          action: sipgate.dial({
            numbers: ['4915799912345', '492111234567'],
            callerId: '492111234567',
          }),
        })
        .toXml(),
    );
  });

  it('writes numbers without "+", as sipgate does (spec §4.2)', () => {
    expect(
      compile([
        { verb: 'forward', targets: ['+4915799912345'], callerId: '+492111234567' },
      ]).toXml(),
    ).toBe(
      sipgate
        .response({
          ...followUps,
          action: sipgate.dial({ numbers: ['4915799912345'], callerId: '492111234567' }),
        })
        .toXml(),
    );
  });

  it('reject, hangup, play and voicemail are their sipgate actions', () => {
    const same = (answer: FlowAnswer, action: sipgate.SipgateAnswer<sipgate.SipgateAction>) =>
      expect(compile([answer]).toXml()).toBe(sipgate.response({ ...followUps, action }).toXml());
    same({ verb: 'reject', reason: 'busy' }, sipgate.reject({ reason: 'busy' }));
    same({ verb: 'reject', reason: 'rejected' }, sipgate.reject({ reason: 'rejected' }));
    same({ verb: 'hangup' }, sipgate.hangup());
    same(
      { verb: 'play', url: 'https://example.com/a.wav' },
      sipgate.play({ url: 'https://example.com/a.wav' }),
    );
    same({ verb: 'voicemail' }, sipgate.dial({ voicemail: true }));
  });

  it('gather posts its digits to the app (onData, with its step), timeout in milliseconds', () => {
    const answer = compile([
      {
        verb: 'gather',
        prompt: { verb: 'play', url: 'https://example.com/menu.wav' },
        maxDigits: 3,
        timeoutSeconds: 2.5,
        step: 'menu',
      },
    ]);
    expect(answer.toXml()).toBe(
      sipgate
        .response({
          ...followUps,
          action: sipgate.gather({
            onData: `${MOUNT}?step=menu`,
            maxDigits: 3,
            timeout: 2500,
            play: sipgate.play({ url: 'https://example.com/menu.wav' }),
          }),
        })
        .toXml(),
    );
  });

  it('the digits of a step come back with its name', () => {
    const event = sipgateProvider.parse(
      {
        method: 'POST',
        path: '/',
        query: 'step=menu',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('event=dtmf&callId=1&dtmf=42'),
      },
      { routedEvent: undefined, publicUrl: () => `${MOUNT}?step=menu` },
    );
    expect(sipgateFlow.toFlowEvent(event, normalize)).toMatchObject({
      name: 'digits',
      digits: '42',
      step: 'menu',
    });
    // answering the dtmf: no follow-ups again, onData at the mount itself
    const answer = compile([{ verb: 'hangup' }], event);
    expect(answer.toXml()).toBe(sipgate.response({ action: sipgate.hangup() }).toXml());
  });

  it('no answer at all is the follow-ups alone', () => {
    expect(compile([]).toXml()).toBe(sipgate.response(followUps).toXml());
  });

  it('refuses what sipgate cannot express, naming provider and verb', () => {
    for (const answer of [
      { verb: 'say', text: 'Hallo' },
      { verb: 'queue', queue: 'support' },
      { verb: 'record' },
    ] as const) {
      expect(refusal(() => compile([answer])).message).toMatch(
        new RegExp(`^sipgate flow: ${answer.verb}: .*docs/providers/sipgate\\.md §4`),
      );
    }
    expect(
      refusal(() => compile([{ verb: 'gather', prompt: { verb: 'say', text: 'Press 1' } }]))
        .message,
    ).toMatch(/^sipgate flow: gather: .*text-to-speech/);
    expect(
      refusal(() => compile([{ verb: 'forward', targets: ['4915799912345'], ringTimeSeconds: 20 }]))
        .message,
    ).toMatch(/^sipgate flow: forward: .*ring time/);
  });

  it('refuses two actions in one answer (spec §4.7)', () => {
    expect(
      refusal(() =>
        compile([{ verb: 'play', url: 'https://example.com/a.wav' }, { verb: 'hangup' }]),
      ).message,
    ).toMatch(/^sipgate flow: play \+ hangup: sipgate\.io takes one action per answer, got 2/);
  });

  it("the builders' checks apply: more targets than the grammar allows, a target that is no number", () => {
    const targets = Array.from({ length: SIPGATE_MAX_DIAL_TARGETS + 1 }, (_, i) => `49221${i}000`);
    expect(refusal(() => compile([{ verb: 'forward', targets }])).message).toMatch(
      /^sipgate flow: forward: sipgate\.dial: <Dial> holds at most 5 <Number>/,
    );
    compile([{ verb: 'forward', targets: targets.slice(0, SIPGATE_MAX_DIAL_TARGETS) }]);
    expect(
      refusal(() => compile([{ verb: 'forward', targets: ['sip:alice@example.com'] }])).message,
    ).toMatch(/^sipgate flow: forward: sipgate\.dial: numbers\[0\]/);
  });

  it('refuses to answer when the public URL of the app is unknown', () => {
    const event = parsed('sipgate.newcall.docs-curl', null);
    expect(refusal(() => compile([{ verb: 'hangup' }], event)).message).toMatch(
      /^sipgate flow: hangup: .*publicUrl/,
    );
  });
});

describe('sipgate flow: through the app', () => {
  it('a flow gathers, gets the digits and the hangup through the middleware', async () => {
    const flow = createFlow({ uses: ['gather', 'play', 'hangup'] as const, defaultCountry: 'DE' });
    const seen: unknown[] = [];
    flow.on('incoming', (call) => {
      seen.push(['incoming', call.from.e164, call.direction]);
      return flow.gather({ prompt: flow.play('https://example.com/menu.wav'), maxDigits: 1 });
    });
    flow.on('digits', (call) => {
      seen.push(['digits', call.digits]);
      return flow.hangup();
    });
    flow.on('ended', (call) => void seen.push(['ended', call.cause, call.providerCause]));
    const app = createApp({ publicKey: false, allowUnauthenticated: true });
    flow.mount(app);
    const played = await createTestClient(app).playCall({ digits: '7' });
    const texts = played.exchanges.map((exchange) => exchange.reply?.text);
    expect(texts[0]).toBe(
      sipgate
        .response({
          onAnswer: 'http://127.0.0.1/',
          onHangup: 'http://127.0.0.1/',
          action: sipgate.gather({
            onData: 'http://127.0.0.1/',
            maxDigits: 1,
            play: sipgate.play({ url: 'https://example.com/menu.wav' }),
          }),
        })
        .toXml(),
    );
    expect(texts).toContain(sipgate.response({ action: sipgate.hangup() }).toXml());
    expect(seen).toEqual([
      ['incoming', '+491776249000', 'inbound'],
      ['digits', '7'],
      ['ended', 'completed', 'normalClearing'],
    ]);
  });
});
