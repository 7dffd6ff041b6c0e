/**
 * Properties of the answer deadline, every provider:
 *
 * - A handler slower than `timeoutMs` (50–150 ms here, set for the app or for the event), or
 *   one that never settles, is answered with the app's fallback, 200, no later than the
 *   deadline plus {@link MARGIN_MS}, through the Express middleware on 127.0.0.1; `onError`
 *   gets `CC_ERR_HANDLER_TIMEOUT`, and the late answer is discarded. A handler that answers at
 *   once gets its own answer.
 * - With a store that stalls (never settles), rejects or answers late on any of its operations
 *   (`test/helpers/faulty-store.ts`), every request — a delivery, its repetition at once or
 *   after, a handler that reads and writes its session — is answered 200 with the handler's
 *   own answer or the fallback, within the deadline plus {@link STORE_MARGIN_MS}, by
 *   `handle()`; the errors reported are those of a store, a deadline or a handler, and a store
 *   down as a whole is reported unavailable once, not per request.
 *
 * What each property catches: each bug planted once in a copy of the production code, the
 * property seen failing (`node test/mutation/run-plants.mjs deadline store` plants them again,
 * see `test/mutation/plants.mjs`):
 *
 * | plant                        | bug                                                   | failing test         |
 * | ---------------------------- | ----------------------------------------------------- | -------------------- |
 * | deadline-race-removed        | app.ts: the handler awaited without its deadline      | slower handler, ×4   |
 * | deadline-late                | app.ts: the deadline fires 1500 ms late               | slower handler, ×4   |
 * | deadline-event-ignored       | app.ts: the event's own `timeoutMs` ignored           | slower handler, ×4   |
 * | store-unbounded              | store-guard.ts: store calls waited for without bound  | faulty store, ×3 (1) |
 * | store-claim-ignores-deadline | app.ts: the claim bounded by 500 ms, not the deadline | faulty store, ×3 (1) |
 * | store-reported-per-request   | app.ts: `CC_ERR_STORE_UNAVAILABLE` for every failure  | faulty store, ×4     |
 *
 * (1) VoipNow's Call Interactive is repeatable: no claim, so no store call before its handler.
 */
import fc from 'fast-check';
import { MemoryStore, type CallControlError } from '../../src';
import type { WebhookRequest } from '../../src/core/types';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store';
import {
  FALLBACK_MARKER,
  OWN_MARKER,
  PROVIDERS,
  Timers,
  expressHost,
  fieldValue,
  never,
  outgoing,
  sampleRequest,
  type ExpressHost,
  type LooseApp,
  type ProviderCase,
  type Shaped,
} from './provider-cases';

/** How late after its deadline an answer may come through HTTP on a slow, busy machine. */
const MARGIN_MS = 1000;
/** How late after its deadline `handle()` may answer with a faulty store (issue 13). */
const STORE_MARGIN_MS = 250;
/** A slow handler answers this long after the deadline: well past the margin. */
const SLOW_BY_MS = MARGIN_MS + 1500;

const timers = new Timers();
afterEach(() => {
  timers.clear();
});

function webhookRequest(shaped: Shaped): WebhookRequest {
  return {
    method: shaped.method,
    path: shaped.path,
    query: shaped.query,
    headers: shaped.type === undefined ? {} : { 'content-type': shaped.type },
    body: shaped.body,
    remoteAddress: '127.0.0.1',
  };
}

/** How a handler misses its deadline (or does not). */
type Pace = 'never' | 'slow' | 'slow-then-throws' | 'never-after-session' | 'at-once';

interface DeadlinePlan {
  readonly timeoutMs: number;
  /** Where the deadline is set: the app's `timeoutMs`, or the event's in `events`. */
  readonly setOn: 'app' | 'event';
  readonly pace: Pace;
}

const deadlinePlan: fc.Arbitrary<DeadlinePlan> = fc.record({
  timeoutMs: fc.integer({ min: 50, max: 150 }),
  setOn: fc.constantFrom<'app' | 'event'>('app', 'event'),
  pace: fc.constantFrom<Pace>(
    'never',
    'slow',
    'slow',
    'slow-then-throws',
    'never-after-session',
    'at-once',
  ),
});

function deadlineApp(testCase: ProviderCase, plan: DeadlinePlan, codes: string[]): LooseApp {
  const deadline =
    plan.setOn === 'app'
      ? { timeoutMs: plan.timeoutMs }
      : // The app's own deadline far away: only the event's can answer in time.
        { timeoutMs: 60_000, events: { [testCase.event]: { timeoutMs: plan.timeoutMs } } };
  const app = testCase.create({
    allowUnauthenticated: true,
    stderr: false,
    fallback: testCase.fallback(),
    ...deadline,
  });
  app.on(testCase.event, async (_event, context) => {
    const late = plan.timeoutMs + SLOW_BY_MS;
    switch (plan.pace) {
      case 'never':
        return never();
      case 'slow':
        return timers.after(late, testCase.own());
      case 'slow-then-throws':
        await timers.after(late, undefined);
        throw new Error('late failure');
      case 'never-after-session':
        await context.session.set('step', 1);
        return never();
      case 'at-once':
        return testCase.own();
    }
  });
  app.onError((error: CallControlError) => {
    codes.push(error.code);
  });
  return app;
}

describe.each(PROVIDERS)('$name answer deadline', (testCase) => {
  let host: ExpressHost;
  beforeEach(async () => {
    host = await expressHost(testCase.mount);
  });

  test('a handler slower than timeoutMs, or never done: the fallback, 200, at the deadline', async () => {
    await fc.assert(
      fc.asyncProperty(deadlinePlan, testCase.request(fieldValue), async (plan, shaped) => {
        const codes: string[] = [];
        host.use(deadlineApp(testCase, plan, codes));
        const started = performance.now();
        const answer = await host.send(outgoing(shaped), plan.timeoutMs + MARGIN_MS + 2000);
        const elapsed = performance.now() - started;
        if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.text}`);
        if (plan.pace === 'at-once') {
          expect(answer.text).toContain(OWN_MARKER[testCase.name]);
          expect(codes).toEqual([]);
          return;
        }
        expect(elapsed).toBeLessThanOrEqual(plan.timeoutMs + MARGIN_MS);
        expect(answer.text).toContain(FALLBACK_MARKER[testCase.name]);
        expect(answer.text).not.toContain(OWN_MARKER[testCase.name]);
        expect(codes).toEqual(['CC_ERR_HANDLER_TIMEOUT']);
      }),
      // A failure costs a deadline's wait per run: no shrinking.
      {
        numRuns: 12,
        endOnFailure: true,
        examples: [
          [{ timeoutMs: 50, setOn: 'app', pace: 'never' }, sampleRequest(testCase)],
          [{ timeoutMs: 150, setOn: 'event', pace: 'slow' }, sampleRequest(testCase)],
        ],
      },
    );
  });
});

/** The store's operations on a request's path (every method of the store but `close`). */
const STORE_METHODS = Object.getOwnPropertyNames(MemoryStore.prototype).filter(
  (name) =>
    name !== 'constructor' &&
    name !== 'close' &&
    typeof (MemoryStore.prototype as unknown as Record<string, unknown>)[name] === 'function',
);

/** A fault of the store, on some of its operations. */
interface StoreFault {
  readonly mode: 'stall' | 'fail' | 'delay';
  readonly methods: readonly string[];
  /** For `delay`: how late the store answers, past the deadline. */
  readonly lateByMs: number;
}

const storeFault: fc.Arbitrary<StoreFault> = fc.record({
  mode: fc.constantFrom<'stall' | 'fail' | 'delay'>('stall', 'fail', 'delay'),
  methods: fc.oneof(fc.constant(STORE_METHODS), fc.subarray(STORE_METHODS, { minLength: 1 })),
  lateByMs: fc.integer({ min: 0, max: 2000 }),
});

interface StorePlan {
  readonly timeoutMs: number;
  readonly fault: StoreFault;
  /** Whether the handler reads and writes its session. */
  readonly session: boolean;
  /** The delivery's repetitions: at once (concurrent) or after the first answer. */
  readonly repeats: readonly ('concurrent' | 'after')[];
  /** Whether the fault starts before the first request, or between requests. */
  readonly faultFirst: boolean;
}

const storePlan: fc.Arbitrary<StorePlan> = fc.record({
  timeoutMs: fc.integer({ min: 80, max: 200 }),
  fault: storeFault,
  session: fc.boolean(),
  repeats: fc.array(fc.constantFrom<'concurrent' | 'after'>('concurrent', 'after'), {
    maxLength: 3,
  }),
  faultFirst: fc.boolean(),
});

function storeApp(
  testCase: ProviderCase,
  plan: StorePlan,
  store: FaultyStore,
  codes: string[],
): LooseApp {
  const app = testCase.create({
    allowUnauthenticated: true,
    stderr: false,
    fallback: testCase.fallback(),
    timeoutMs: plan.timeoutMs,
    store,
  });
  app.on(testCase.event, async (_event, context) => {
    if (plan.session) {
      const count = (await context.session.get<number>('count')) ?? 0;
      await context.session.set('count', count + 1);
      await context.session.getAll();
    }
    return testCase.own();
  });
  app.onError((error: CallControlError) => {
    codes.push(error.code);
  });
  return app;
}

function applyFault(store: FaultyStore, plan: StorePlan): void {
  const { mode, methods, lateByMs } = plan.fault;
  if (mode === 'stall') store.stall(methods);
  else if (mode === 'fail') store.fail(new Error('the store is down'), methods);
  else store.delay(plan.timeoutMs + lateByMs, methods);
}

const STORE_CODES = ['CC_ERR_STORE_UNAVAILABLE', 'CC_ERR_HANDLER_TIMEOUT', 'CC_ERR_HANDLER_FAILED'];

describe.each(PROVIDERS)('$name with a store that stalls, fails or is slow', (testCase) => {
  test('every request is answered 200 within the deadline + 250 ms', async () => {
    await fc.assert(
      fc.asyncProperty(storePlan, testCase.request(fieldValue), async (plan, shaped) => {
        const store = faultyStore();
        const codes: string[] = [];
        const app = storeApp(testCase, plan, store, codes);
        const answerOne = async (): Promise<void> => {
          const started = performance.now();
          const bound = plan.timeoutMs + STORE_MARGIN_MS;
          let timer: NodeJS.Timeout | undefined;
          const reply = await Promise.race([
            app.handle(webhookRequest(shaped)),
            new Promise<undefined>((resolve) => {
              // Past the bound the request has failed; waiting longer shows by how much.
              timer = setTimeout(resolve, bound + 2000, undefined);
            }),
          ]).finally(() => clearTimeout(timer));
          const elapsed = performance.now() - started;
          if (reply === undefined) throw new Error(`no answer within ${bound + 2000} ms`);
          expect(reply.status).toBe(200);
          expect(elapsed).toBeLessThanOrEqual(bound);
          const text = reply.text ?? reply.body.toString('utf8');
          const own = text.includes(OWN_MARKER[testCase.name]);
          const fallback = text.includes(FALLBACK_MARKER[testCase.name]);
          if (own === fallback) throw new Error(`neither own answer nor fallback: ${text}`);
        };
        if (plan.faultFirst) applyFault(store, plan);
        const first = answerOne();
        const concurrent = plan.repeats.filter((repeat) => repeat === 'concurrent');
        await Promise.all([first, ...concurrent.map(() => answerOne())]);
        if (!plan.faultFirst) applyFault(store, plan);
        for (const repeat of plan.repeats) if (repeat === 'after') await answerOne();
        for (const code of codes) expect(STORE_CODES).toContain(code);
        if (plan.fault.methods.length === STORE_METHODS.length) {
          // The whole store down (Redis stopped or killed): one report, not one per request.
          // (A store failing some operations and answering others can flap between outages.)
          expect(
            codes.filter((code) => code === 'CC_ERR_STORE_UNAVAILABLE').length,
          ).toBeLessThanOrEqual(1);
        }
        await store.inner.close();
      }),
      {
        numRuns: 25,
        endOnFailure: true,
        // Redis stopped (every call stalls) and killed (every call fails), always tried.
        examples: (['stall', 'fail'] as const).map((mode): [StorePlan, Shaped] => [
          {
            timeoutMs: 100,
            fault: { mode, methods: STORE_METHODS, lateByMs: 0 },
            session: true,
            repeats: ['concurrent', 'after'],
            faultFirst: true,
          },
          sampleRequest(testCase),
        ]),
      },
    );
  });
});
