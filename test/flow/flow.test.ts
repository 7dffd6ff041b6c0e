/**
 * The flow API (src/flow/index.ts) with a made-up provider's flow support: builders of the used
 * verbs only, the mount-time check naming provider and verb (or event) with the provider's
 * reason, provider events turned neutral and answers compiled, native answers passed through,
 * E.164 with the default country.
 */
import * as registry from '../../src/providers/registry';
import { CallControlError } from '../../src/core/errors';
import {
  createFlow,
  flowNumber,
  type FlowAnswer,
  type FlowCompileContext,
  type FlowEvent,
  type FlowNumber,
  type ProviderFlow,
} from '../../src/flow';

interface FakeEvent {
  readonly name: string;
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly cause?: string;
}

const compiled: { answers: readonly FlowAnswer[]; context: FlowCompileContext }[] = [];

/** A made-up provider: Ring/Bye events, forward/reject/hangup only, no digits. */
const fakeFlow: ProviderFlow<FakeEvent, { readonly provider: 'fake'; readonly xml: string }> = {
  events: {
    incoming: ['Ring'],
    answered: ['Status'],
    ended: ['Status', 'Bye'],
    digits: { reason: 'fake sends no DTMF (fake reference, section 1)' },
  },
  toFlowEvent(event: FakeEvent, normalize: (raw: string) => FlowNumber): FlowEvent | undefined {
    const base = {
      provider: 'fake',
      callId: event.callId,
      from: normalize(event.from),
      to: normalize(event.to),
      direction: 'inbound',
      raw: event,
    } as const;
    if (event.name === 'Ring') return { ...base, name: 'incoming' };
    if (event.name === 'Status' && event.cause === undefined) return { ...base, name: 'answered' };
    if (event.name === 'Status' || event.name === 'Bye') {
      return {
        ...base,
        name: 'ended',
        cause: event.cause === 'busy' ? 'busy' : 'completed',
        providerCause: event.cause,
        durationSeconds: 7,
        answered: event.cause !== 'busy',
      };
    }
    return undefined;
  },
  verbs: {
    forward: { supported: true, as: '<Dial>', limits: 'ring time 5–60 seconds' },
    reject: { supported: true, as: '<Reject>' },
    hangup: { supported: true, as: '<Hangup>' },
    say: { supported: false, reason: 'fake has no text-to-speech (fake reference, section 2)' },
    play: { supported: false, reason: 'fake plays nothing (fake reference, section 2)' },
    gather: { supported: false, reason: 'fake sends no DTMF (fake reference, section 1)' },
    queue: { supported: false, reason: 'no queues (fake reference, section 3)' },
    voicemail: { supported: false, reason: 'no voicemail (fake reference, section 3)' },
    record: { supported: false, reason: 'no recording (fake reference, section 3)' },
  },
  compile(answers, context) {
    for (const answer of answers) {
      if (answer.verb === 'forward' && (answer.ringTimeSeconds ?? 5) > 60) {
        throw new CallControlError('CC_ERR_ANSWER_INVALID', 'fake: ring time 5–60 seconds');
      }
    }
    compiled.push({ answers, context });
    return { provider: 'fake', xml: answers.map((answer) => answer.verb).join('+') };
  },
};

/** A made-up app of the fake provider: records its handlers. */
function fakeApp() {
  const handlers = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();
  return {
    provider: 'fake',
    handlers,
    on(name: string, handler: (event: unknown, context: unknown) => Promise<unknown>) {
      if (handlers.has(name)) throw new TypeError(`on("${name}"): a handler is already registered`);
      handlers.set(name, handler);
      return this;
    },
  };
}

const handlerContext = { request: {}, session: {}, publicUrl: () => 'https://pbx.example/fake' };

beforeEach(() => {
  compiled.length = 0;
  const real = registry.findProvider;
  jest
    .spyOn(registry, 'findProvider')
    .mockImplementation((name: string) =>
      name === 'fake'
        ? ({ name: 'fake', title: 'Fake', flow: fakeFlow } as unknown as ReturnType<typeof real>)
        : real(name),
    );
});
afterEach(() => jest.restoreAllMocks());

describe('createFlow', () => {
  test('only the verbs in uses exist on the flow', () => {
    const flow = createFlow({ uses: ['forward', 'reject'] as const });
    expect(typeof flow.forward).toBe('function');
    expect(typeof flow.reject).toBe('function');
    expect((flow as unknown as Record<string, unknown>)['say']).toBeUndefined();
    expect(flow.uses).toEqual(['forward', 'reject']);
  });

  test('builders make neutral answers; bad input is CC_ERR_ANSWER_INVALID', () => {
    const flow = createFlow({
      uses: ['forward', 'reject', 'say', 'play', 'gather', 'record', 'queue'] as const,
    });
    expect(flow.forward({ targets: ['+4922129191999'], ringTimeSeconds: 20 })).toEqual({
      verb: 'forward',
      targets: ['+4922129191999'],
      ringTimeSeconds: 20,
    });
    expect(flow.reject('busy')).toEqual({ verb: 'reject', reason: 'busy' });
    expect(flow.reject()).toEqual({ verb: 'reject', reason: 'busy' });
    for (const bad of [
      () => flow.forward({ targets: [] }),
      () => flow.forward({ targets: ['1'], ringTimeSeconds: 0 }),
      () => flow.forward({ targets: ['1'], ringTimeSeconds: 2.5 }),
      () => flow.reject('nope' as never),
      () => flow.say(''),
      () => flow.play('ftp://x'),
      () => flow.gather({ maxDigits: -1 }),
      () => flow.record({ maxLengthSeconds: 0 }),
      () => flow.queue(''),
    ]) {
      let error: unknown;
      try {
        bad();
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(CallControlError);
      expect((error as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
    }
  });

  test('refuses unknown verbs, events, countries and a second handler', () => {
    expect(() => createFlow({ uses: ['dance'] as never })).toThrow(TypeError);
    expect(() => createFlow({ uses: [], defaultCountry: 'XX' as never })).toThrow(/defaultCountry/);
    const flow = createFlow({ uses: [] });
    expect(() => flow.on('ringing' as never, () => null)).toThrow(/no neutral event "ringing"/);
    flow.on('ended', () => undefined);
    expect(() => flow.on('ended', () => undefined)).toThrow(/already registered/);
  });
});

describe('flow.mount: the mount-time check', () => {
  test('a verb the provider cannot express: TypeError naming provider, verb and reason', () => {
    const flow = createFlow({ uses: ['forward', 'say'] as const });
    expect(() => flow.mount(fakeApp())).toThrow(
      'flow.mount: fake cannot express say: fake has no text-to-speech (fake reference, section 2)',
    );
  });

  test('an event the provider never sends: TypeError naming provider, event and reason', () => {
    const flow = createFlow({ uses: ['hangup'] as const });
    flow.on('digits', () => flow.hangup());
    expect(() => flow.mount(fakeApp())).toThrow(
      'flow.mount: fake never sends digits: fake sends no DTMF (fake reference, section 1)',
    );
  });

  test('a provider without flow support, and no app at all', () => {
    const flow = createFlow({ uses: [] });
    expect(() => flow.mount({ provider: 'nobody' })).toThrow(/"nobody" has no flow support/);
    expect(() => flow.mount(undefined as never)).toThrow(/not a provider app/);
  });

  test('nothing is registered on the app when the check fails', () => {
    const app = fakeApp();
    const flow = createFlow({ uses: ['queue'] as const });
    flow.on('incoming', () => flow.queue('support'));
    expect(() => flow.mount(app)).toThrow(/fake cannot express queue: no queues/);
    expect(app.handlers.size).toBe(0);
  });
});

test('an answer declared with expects outside the provider limits fails at mount', () => {
  const flow = createFlow({ uses: ['forward'] as const });
  flow.expects(flow.forward({ targets: ['+4922129191999'], ringTimeSeconds: 90 }));
  expect(() => flow.mount(fakeApp())).toThrow(
    'flow.mount: fake cannot express forward as the flow gives it: fake: ring time 5–60 seconds',
  );
  const ok = createFlow({ uses: ['forward'] as const });
  ok.expects(ok.forward({ targets: ['+4922129191999'], ringTimeSeconds: 20 }));
  expect(() => ok.mount(fakeApp())).not.toThrow();
  expect(() => ok.expects(ok.forward({ targets: 'x' }))).toThrow(/already mounted/);
  expect(() =>
    createFlow({ uses: ['forward'] as const }).expects({ verb: 'hangup' } as never),
  ).toThrow(/neutral answers of the flow's verbs/);
});

describe('flow.mount: events and answers', () => {
  test('one app handler per provider event; neutral answers compiled with the context', async () => {
    const app = fakeApp();
    const seen: FlowEvent[] = [];
    const flow = createFlow({ uses: ['forward', 'reject'] as const, defaultCountry: 'DE' });
    flow.on('incoming', (call, context) => {
      seen.push(call);
      expect(context.provider).toBe('fake');
      expect(context.app).toBe(app);
      expect(context.event).toBe(call.raw);
      return call.from.e164 === '+4930123456'
        ? flow.reject('busy')
        : flow.forward({ targets: ['+4922129191999'], ringTimeSeconds: 20 });
    });
    flow.on('answered', (call) => void seen.push(call));
    flow.on('ended', (call) => void seen.push(call));
    expect(flow.mount(app)).toBe(app);
    expect([...app.handlers.keys()].sort()).toEqual(['Bye', 'Ring', 'Status']);

    const ring = { name: 'Ring', callId: 'c1', from: '030123456', to: '022129191999' };
    await expect(app.handlers.get('Ring')?.(ring, handlerContext)).resolves.toEqual({
      provider: 'fake',
      xml: 'reject',
    });
    expect(compiled[0]?.answers).toEqual([{ verb: 'reject', reason: 'busy' }]);
    expect(compiled[0]?.context.event).toBe(ring);
    expect(compiled[0]?.context.app).toBe(app);
    expect(compiled[0]?.context.requestUrl).toBe('https://pbx.example/fake');
    expect(compiled[0]?.context.flowEvent.name).toBe('incoming');

    await app.handlers.get('Ring')?.({ ...ring, from: '+4917312345678' }, handlerContext);
    expect(compiled[1]?.answers).toEqual([
      { verb: 'forward', targets: ['+4922129191999'], ringTimeSeconds: 20 },
    ]);

    // One provider event name, two neutral events: dispatched by what toFlowEvent makes.
    await app.handlers.get('Status')?.({ ...ring, name: 'Status' }, handlerContext);
    await app.handlers.get('Status')?.({ ...ring, name: 'Status', cause: 'busy' }, handlerContext);
    expect(seen.map((event) => event.name)).toEqual(['incoming', 'incoming', 'answered', 'ended']);
    expect(seen[3]).toMatchObject({
      provider: 'fake',
      callId: 'c1',
      cause: 'busy',
      providerCause: 'busy',
      durationSeconds: 7,
      from: { raw: '030123456', e164: '+4930123456' },
      to: { raw: '022129191999', e164: '+4922129191999' },
    });
  });

  test('a native answer is returned unchanged; null and undefined are no action', async () => {
    const app = fakeApp();
    const native = { provider: 'fake', xml: '<Custom/>' } as const;
    const flow = createFlow({ uses: ['forward'] as const });
    let answer: unknown = native;
    flow.on('incoming', () => answer as never);
    flow.mount(app);
    const ring = { name: 'Ring', callId: 'c', from: 'anonymous', to: '1' };
    await expect(app.handlers.get('Ring')?.(ring, handlerContext)).resolves.toBe(native);
    answer = null;
    await expect(app.handlers.get('Ring')?.(ring, handlerContext)).resolves.toBeNull();
    answer = undefined;
    await expect(app.handlers.get('Ring')?.(ring, handlerContext)).resolves.toBeNull();
    expect(compiled).toHaveLength(0);
  });

  test('a neutral answer of a verb outside uses is CC_ERR_ANSWER_INVALID', async () => {
    const app = fakeApp();
    const flow = createFlow({ uses: ['forward'] as const });
    flow.on('incoming', () => ({ verb: 'hangup' }) as never);
    flow.mount(app);
    await expect(
      app.handlers.get('Ring')?.({ name: 'Ring', callId: 'c', from: '', to: '' }, handlerContext),
    ).rejects.toMatchObject({ code: 'CC_ERR_ANSWER_INVALID', message: /hangup/ });
  });

  test('a flow is mounted on several apps; on() after mount is refused', () => {
    const flow = createFlow({ uses: ['forward'] as const });
    flow.on('incoming', () => flow.forward({ targets: 'sip:a@b' }));
    flow.mount(fakeApp());
    flow.mount(fakeApp());
    expect(() => flow.on('ended', () => undefined)).toThrow(/already mounted/);
  });
});

describe('E.164 (libphonenumber-js, default country)', () => {
  test.each([
    ['022129191999', 'DE', '+4922129191999'],
    ['0049 221 29191999', 'DE', '+4922129191999'],
    ['+4922129191999', undefined, '+4922129191999'],
    ['4922129191999', 'DE', '+4922129191999'],
    ['017312345678', 'DE', '+4917312345678'],
    ['(415) 555-1234', 'US', '+14155551234'],
    ['022129191999', undefined, undefined],
    ['022129191999', 'US', undefined],
    ['1001', 'DE', undefined],
    ['anonymous', 'DE', undefined],
    ['sip:alice@example.com', 'DE', undefined],
    ['', 'DE', undefined],
  ] as const)('%s with %s → %s, raw kept', (raw, country, e164) => {
    expect(flowNumber(raw, country)).toEqual({ raw, e164 });
  });

  test("the flow's default country applies to its events", async () => {
    const app = fakeApp();
    const seen: FlowEvent[] = [];
    createFlow({ uses: [], defaultCountry: 'DE' })
      .on('incoming', (call) => void seen.push(call))
      .mount(app);
    await app.handlers.get('Ring')?.(
      { name: 'Ring', callId: 'c', from: '022129191999', to: '+15551230001' },
      handlerContext,
    );
    expect(seen[0]?.from).toEqual({ raw: '022129191999', e164: '+4922129191999' });
  });
});
