/**
 * The cases every TwiML provider's flow support passes (Twilio, Telnyx, SignalWire): events
 * over the provider's fixture requests, the neutral answers compiled with its builders, limits
 * read from the grammar of its dialect, refusals naming provider and verb.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallControlError } from '../../../src/core/errors';
import type { ProviderDefinition } from '../../../src/core/provider';
import type { WebhookRequest } from '../../../src/core/types';
import {
  FLOW_EVENTS,
  FLOW_VERBS,
  type FlowAnswer,
  type FlowNumber,
} from '../../../src/flow/contract';
import { createFlow, type FlowApp } from '../../../src/flow';
import type { ProviderPlugin } from '../../../src/providers/plugin';
import { createTestClient } from '../../../src/testing';
import type { TwimlApp } from '../../../src/providers/twiml/actions';
import type { TwimlBuilders } from '../../../src/providers/twiml/builders';
import { TWIML_FLOW_ACTION, type TwimlProviderFlow } from '../../../src/providers/twiml/flow';
import {
  attributesIn,
  TWIML_ELEMENTS,
  type TwimlDialect,
} from '../../../src/providers/twiml/grammar';

interface Fixture {
  readonly id: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the cases need of one provider. */
export interface TwimlFlowCase<P extends string> {
  readonly provider: P;
  readonly dialect: TwimlDialect;
  readonly flow: TwimlProviderFlow<unknown, unknown>;
  readonly plugin: ProviderPlugin<string, never, never> | { readonly flow?: unknown };
  readonly builders: TwimlBuilders<P, TwimlDialect>;
  /** The provider definition for an app declaring `actions`. */
  readonly definition: (actions: readonly string[]) => ProviderDefinition<never, unknown>;
  /** An app of the provider (unauthenticated, for tests), declaring `actions`. */
  readonly createApp: (actions: readonly string[]) => unknown;
  /** Fixture ids: voice, answered, completed (with its duration), one more final status. */
  readonly fixtures: {
    readonly voice: string;
    readonly answered: string;
    readonly completed: { readonly id: string; readonly durationSeconds: number };
    readonly other: { readonly id: string; readonly cause: string };
    readonly gather: string;
    readonly ringing: string;
  };
}

const MOUNT = 'https://voice.example.com/hooks';

const normalize = (raw: string): FlowNumber => ({
  raw,
  e164: /^\+[1-9][0-9]{6,14}$/.test(raw) ? raw : undefined,
});

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

/** Runs the cases for one provider. */
export function describeTwimlFlow<P extends string>(c: TwimlFlowCase<P>): void {
  const fixtures = (
    JSON.parse(
      readFileSync(join(__dirname, `../../data/providers/${c.provider}.json`), 'utf8'),
    ) as { requests: Fixture[] }
  ).requests;

  const parse = (
    id: string | Partial<WebhookRequest>,
    actions: readonly string[] = [TWIML_FLOW_ACTION],
  ): unknown => {
    let request: WebhookRequest;
    if (typeof id === 'string') {
      const fixture = fixtures.find((one) => one.id === id);
      if (fixture === undefined) throw new Error(`no fixture ${id}`);
      request = {
        method: 'POST',
        path: '/',
        query: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(fixture.body),
      };
    } else {
      request = {
        method: 'POST',
        path: '/',
        query: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.alloc(0),
        ...id,
      };
    }
    const query = request.query === '' ? '' : `?${request.query}`;
    return c.definition(actions).parse(request, {
      routedEvent: undefined,
      publicUrl: () => `${MOUNT}${request.path === '/' ? '' : request.path}${query}`,
    });
  };
  const flowEvent = (id: string | Partial<WebhookRequest>) =>
    c.flow.toFlowEvent(parse(id), normalize);
  const app = c.createApp([TWIML_FLOW_ACTION]);
  const compile = (answers: readonly FlowAnswer[], on: unknown = app) => {
    const event = parse(c.fixtures.voice);
    const neutral = c.flow.toFlowEvent(event, normalize);
    if (neutral === undefined) throw new Error('no neutral event');
    return c.flow.compile(answers, { app: on, event, flowEvent: neutral });
  };
  const b = c.builders;
  const dialTimeout = attributesIn(TWIML_ELEMENTS.Dial, c.dialect).find(
    (attribute) => attribute.option === 'timeout',
  )?.value as { min: number; max: number };

  describe(`${c.provider} flow: declarations`, () => {
    it("is the plug-in's flow, with an entry for every neutral event and verb", () => {
      expect(c.plugin.flow).toBe(c.flow);
      expect(Object.keys(c.flow.events).sort()).toEqual([...FLOW_EVENTS].sort());
      expect(Object.keys(c.flow.verbs).sort()).toEqual([...FLOW_VERBS].sort());
      expect(c.flow.events).toEqual({
        incoming: ['voice'],
        answered: ['status-callback'],
        ended: ['status-callback'],
        digits: ['action:flow'],
      });
    });

    it("reads the limits from the grammar of the provider's dialect", () => {
      const forward = c.flow.verbs.forward as { readonly limits?: string };
      expect(forward.limits).toContain(
        `ring time (timeout) ${dialTimeout.min}–${dialTimeout.max} seconds`,
      );
      expect(forward.limits).toContain(`at most ${TWIML_ELEMENTS.Dial.limit.max} targets`);
      const voicemail = c.flow.verbs.voicemail as { supported: boolean; reason?: string };
      expect(voicemail.supported).toBe(false);
      expect(voicemail.reason).toMatch(new RegExp(`docs/providers/${c.provider}\\.md \\u00a75`));
      for (const verb of FLOW_VERBS.filter((one) => one !== 'voicemail')) {
        expect(c.flow.verbs[verb].supported).toBe(true);
      }
    });
  });

  describe(`${c.provider} flow: events`, () => {
    it('the voice request is incoming', () => {
      expect(flowEvent(c.fixtures.voice)).toMatchObject({
        name: 'incoming',
        provider: c.provider,
      });
      const neutral = flowEvent(c.fixtures.voice);
      expect(neutral?.callId).not.toBe('');
      expect(neutral?.from.raw).not.toBe('');
    });

    it('status callbacks: in-progress is answered, final ones ended, others none', () => {
      expect(flowEvent(c.fixtures.answered)).toMatchObject({ name: 'answered' });
      expect(flowEvent(c.fixtures.ringing)).toBeUndefined();
      expect(flowEvent(c.fixtures.completed.id)).toMatchObject({
        name: 'ended',
        cause: 'completed',
        providerCause: 'completed',
        durationSeconds: c.fixtures.completed.durationSeconds,
        answered: true,
      });
      expect(flowEvent(c.fixtures.other.id)).toMatchObject({
        name: 'ended',
        cause: c.fixtures.other.cause,
        providerCause: c.fixtures.other.cause,
        answered: false,
      });
    });

    it('maps every final CallStatus (docs/providers/twilio.md §2.2)', () => {
      for (const status of ['completed', 'busy', 'no-answer', 'failed', 'canceled', 'other']) {
        const neutral = flowEvent({
          body: Buffer.from(
            `CallSid=CA1&From=%2B4922112345&To=%2B4922154321&Direction=inbound&CallbackSource=call-progress-events&CallStatus=${status}&CallDuration=7`,
          ),
        });
        if (status === 'other') {
          expect(neutral).toBeUndefined();
          continue;
        }
        expect(neutral).toMatchObject({
          name: 'ended',
          cause: status,
          providerCause: status,
          durationSeconds: 7,
          direction: 'inbound',
          from: { raw: '+4922112345', e164: '+4922112345' },
        });
      }
    });

    it('digits posted to the action "flow" come with their step', () => {
      const fixture = fixtures.find((one) => one.id === c.fixtures.gather) as Fixture;
      expect(
        flowEvent({ path: '/actions/flow', query: 'step=menu', body: Buffer.from(fixture.body) }),
      ).toMatchObject({ name: 'digits', step: 'menu' });
      const digits = flowEvent({ path: '/actions/flow', body: Buffer.from(fixture.body) });
      expect(digits?.name === 'digits' && digits.digits).toMatch(/^[0-9]+$/);
      expect(digits).toMatchObject({ step: undefined });
      // a <Gather> that got no input: no Digits at all
      expect(
        flowEvent({
          path: '/actions/flow',
          body: Buffer.from('CallSid=CA1&From=%2B1&To=%2B2&CallStatus=in-progress'),
        }),
      ).toMatchObject({ name: 'digits', digits: '' });
    });
  });

  describe(`${c.provider} flow: compile`, () => {
    it('forward is <Dial> with <Number> and <Sip>, ring time and caller id', () => {
      expect(
        compile([
          {
            verb: 'forward',
            targets: ['+4922112345', 'sip:alice@example.com'],
            ringTimeSeconds: dialTimeout.max,
            callerId: '+4922100000',
          },
        ]),
      ).toEqual(
        b.response(
          b.dial(
            { timeout: dialTimeout.max, callerId: '+4922100000' },
            b.number({}, '+4922112345'),
            b.sip({}, 'sip:alice@example.com'),
          ),
        ),
      );
    });

    it('reject, hangup, say, play, queue and record are their verbs; several in order', () => {
      expect(
        compile([
          { verb: 'say', text: 'Hallo', language: 'de-DE' },
          { verb: 'play', url: 'https://example.com/a.mp3' },
          { verb: 'queue', queue: 'support' },
          { verb: 'record', maxLengthSeconds: 30 },
          { verb: 'reject', reason: 'busy' },
          { verb: 'hangup' },
        ]),
      ).toEqual(
        b.response(
          b.say({ language: 'de-DE' }, 'Hallo'),
          b.play({}, 'https://example.com/a.mp3'),
          b.enqueue({}, 'support'),
          b.record({ maxLength: 30 }),
          b.reject({ reason: 'busy' }),
          b.hangup(),
        ),
      );
    });

    it('gather posts to the action "flow" with its step, the prompt nested', () => {
      const twiml = app as TwimlApp<never, never, never, string, never>;
      expect(
        compile([
          {
            verb: 'gather',
            prompt: { verb: 'say', text: 'Press 1' },
            maxDigits: 2,
            timeoutSeconds: 5,
            step: 'menu',
          },
        ]),
      ).toEqual(
        b.response(
          b.gather(
            { action: twiml.actionUrl('flow', { step: 'menu' }), numDigits: 2, timeout: 5 },
            b.say({}, 'Press 1'),
          ),
        ),
      );
    });

    it('refuses voicemail and what the grammar refuses, naming provider and verb', () => {
      expect(refusal(() => compile([{ verb: 'voicemail' }])).message).toMatch(
        new RegExp(`^${c.provider} flow: voicemail: .*docs/providers/${c.provider}\\.md`),
      );
      expect(
        refusal(() =>
          compile([
            { verb: 'forward', targets: ['+4922112345'], ringTimeSeconds: dialTimeout.max + 1 },
          ]),
        ).message,
      ).toMatch(new RegExp(`^${c.provider} flow: forward: ${c.provider}\\.dial: timeout`));
      const targets = Array.from(
        { length: TWIML_ELEMENTS.Dial.limit.max + 1 },
        (_, i) => `+4922100${i}`,
      );
      expect(refusal(() => compile([{ verb: 'forward', targets }])).message).toMatch(
        new RegExp(`^${c.provider} flow: forward: `),
      );
    });

    it('refuses a gather on an app without the action "flow"', () => {
      expect(refusal(() => compile([{ verb: 'gather' }], c.createApp([]))).message).toMatch(
        new RegExp(`^${c.provider} flow: gather: .*actions: \\['flow'\\]`),
      );
    });
  });

  describe(`${c.provider} flow: the app`, () => {
    it('prepare accepts its own app and refuses others', () => {
      expect(() => c.flow.prepare(app)).not.toThrow();
      expect(() => c.flow.prepare({})).toThrow(
        new RegExp(`^${c.provider} flow: mount it on an app made by ${c.provider}\\.createApp`),
      );
    });

    it('on("action:flow") handles the declared action; undeclared, it throws', () => {
      const declared = c.createApp([TWIML_FLOW_ACTION]) as TwimlApp<
        never,
        never,
        never,
        string,
        never
      >;
      (declared.on as unknown as (name: string, handler: () => null) => unknown)(
        'action:flow',
        () => null,
      );
      expect(() => declared.checkActions()).not.toThrow();
      const without = c.createApp([]) as TwimlApp<never, never, never, string, never>;
      expect(() =>
        (without.on as unknown as (name: string, handler: () => null) => unknown)(
          'action:flow',
          () => null,
        ),
      ).toThrow(/the action "flow" is not declared/);
    });
  });

  describe(`${c.provider} flow: through the app`, () => {
    it('a flow gathers at the action "flow", gets the digits and the end through the middleware', async () => {
      const flow = createFlow({ uses: ['gather', 'say', 'hangup'] as const, defaultCountry: 'US' });
      const seen: unknown[] = [];
      flow.on('incoming', (call) => {
        seen.push(['incoming', call.provider, call.from.raw]);
        return flow.gather({ prompt: flow.say('Press 1'), step: 'menu' });
      });
      flow.on('digits', (call) => {
        seen.push(['digits', call.digits, call.step]);
        return flow.hangup();
      });
      flow.on('ended', (call) => void seen.push(['ended', call.cause, call.durationSeconds]));
      const mounted = c.createApp([TWIML_FLOW_ACTION]) as FlowApp;
      flow.mount(mounted);
      const played = await createTestClient(mounted as never).playCall({ digits: ['4'] });
      const texts = played.exchanges.map((exchange) => exchange.reply?.text);
      expect(texts[0]).toContain(
        '<Gather action="http://127.0.0.1/actions/flow?step=menu" numDigits="1"><Say>Press 1</Say></Gather>',
      );
      expect(texts[1]).toContain('<Response><Hangup/></Response>');
      expect(seen[0]).toEqual(['incoming', c.provider, expect.stringMatching(/^\+[0-9]+$/)]);
      expect(seen.slice(1)).toEqual([
        ['digits', '4', 'menu'],
        ['ended', 'completed', expect.any(Number)],
      ]);
    });
  });
}
