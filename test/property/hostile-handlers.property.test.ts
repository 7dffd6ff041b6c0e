/**
 * Property: whatever a handler throws, rejects with or resolves to — values that are no
 * `Error`, `Object.create(null)`, objects whose `toString` throws, an `Error` whose `message`
 * getter throws, Proxies that throw on every trap (or are revoked), symbols, `undefined`,
 * `null`, numbers, big integers, strings of any size, functions, coded errors and their
 * look-alikes, cycles and aggregates of all these — thrown at once, after an `await`, later,
 * or as a thenable, by the handler, by an `onAny` observer, or both, on every provider, with
 * errors going to `onError`, to a logger or to stderr (and those throwing as well):
 *
 * - `handle()` resolves (never rejects, never hangs) and the Express middleware answers 200;
 * - a failed handler gets the app's fallback, and `onError` `CC_ERR_HANDLER_FAILED` (a value
 *   that is no answer: `CC_ERR_HANDLER_RESULT`); a failed observer changes nothing in the
 *   answer and is reported the same way;
 * - no rejection is left unhandled.
 *
 * What each property catches: each bug planted once in a copy of the production code, the
 * property seen failing (`node test/mutation/run-plants.mjs throws` plants them again, see
 * `test/mutation/plants.mjs`):
 *
 * | plant                       | bug                                                             | failing tests        |
 * | --------------------------- | --------------------------------------------------------------- | -------------------- |
 * | throws-string-unrescued     | app.ts: `String(error)` in the message, no rescue in `handle()` | all 8: rejected, 500 |
 * | throws-onerror-unguarded    | app.ts: what `onError` throws propagates, no rescue             | all 8: rejected, 500 |
 * | throws-observer-unreported  | app.ts: an observer's failure not reported                      | all 8                |
 * | throws-coded-passed-on      | app.ts: a coded error thrown keeps its own code                 | all 8                |
 * | throws-look-alike-passed-on | app.ts: an `Error` posing as a coded one reaches `onError`      | all 8                |
 */
import fc from 'fast-check';
import { CallControlError, ERROR_CODES, type CallControlLogger } from '../../src';
import type { WebhookReply, WebhookRequest } from '../../src/core/types';
import { hostileString } from './arbitraries';
import {
  FALLBACK_MARKER,
  OWN_MARKER,
  PROVIDERS,
  expressHost,
  fieldValue,
  outgoing,
  sampleRequest,
  type ExpressHost,
  type LooseApp,
  type ProviderCase,
  type Shaped,
} from './provider-cases';

const RUNS = 40;
/** Deadline of the apps here: far above what a handler that fails at once needs. */
const TIMEOUT_MS = 2000;
/** `handle()` must settle well within this (the deadline plus a generous margin). */
const SETTLE_MS = TIMEOUT_MS + 3000;

/** A hostile value, described (fast-check prints the description, never the value). */
type Hostile =
  | { readonly kind: 'null-prototype' }
  | { readonly kind: 'toString-throws' }
  | { readonly kind: 'primitive-conversion-throws' }
  | { readonly kind: 'message-getter-throws' }
  | { readonly kind: 'name-getter-throws' }
  | { readonly kind: 'proxy' }
  | { readonly kind: 'proxy-of-proxies' }
  | { readonly kind: 'revoked-proxy' }
  | { readonly kind: 'symbol'; readonly description: string }
  | { readonly kind: 'undefined' }
  | { readonly kind: 'null' }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'bigint'; readonly value: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'huge-string'; readonly length: number }
  | { readonly kind: 'function' }
  | { readonly kind: 'coded'; readonly code: string }
  | { readonly kind: 'coded-look-alike'; readonly code: string }
  | { readonly kind: 'cyclic-error' }
  | { readonly kind: 'aggregate'; readonly inner: readonly Hostile[] }
  | { readonly kind: 'cause-chain'; readonly inner: Hostile };

/** Codes a handler may throw as a real coded error (`CC_ERR_HANDLER_RESULT` is passed on). */
const CODES = Object.keys(ERROR_CODES).filter((code) => code !== 'CC_ERR_HANDLER_RESULT');

const { hostile } = fc.letrec<{ hostile: Hostile }>((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Hostile>(
      { kind: 'null-prototype' },
      { kind: 'toString-throws' },
      { kind: 'primitive-conversion-throws' },
      { kind: 'message-getter-throws' },
      { kind: 'name-getter-throws' },
      { kind: 'proxy' },
      { kind: 'proxy-of-proxies' },
      { kind: 'revoked-proxy' },
      { kind: 'undefined' },
      { kind: 'null' },
      { kind: 'function' },
      { kind: 'cyclic-error' },
    ),
    fc.string({ maxLength: 20 }).map((description): Hostile => ({ kind: 'symbol', description })),
    fc.double().map((value): Hostile => ({ kind: 'number', value })),
    fc.bigInt().map((value): Hostile => ({ kind: 'bigint', value })),
    hostileString.map((value): Hostile => ({ kind: 'string', value })),
    fc
      .integer({ min: 10_000, max: 2_000_000 })
      .map((length): Hostile => ({ kind: 'huge-string', length })),
    fc.constantFrom(...CODES).map((code): Hostile => ({ kind: 'coded', code })),
    fc
      .constantFrom(...CODES, 'CC_ERR_HANDLER_RESULT', 'not a code')
      .map((code): Hostile => ({ kind: 'coded-look-alike', code })),
    fc
      .array(tie('hostile'), { maxLength: 3 })
      .map((inner): Hostile => ({ kind: 'aggregate', inner })),
    tie('hostile').map((inner): Hostile => ({ kind: 'cause-chain', inner })),
  ),
}));

function trap(): never {
  throw new Error('trap');
}

const TRAPS: ProxyHandler<object> = {
  get: trap,
  set: trap,
  has: trap,
  apply: trap,
  construct: trap,
  ownKeys: trap,
  getOwnPropertyDescriptor: trap,
  defineProperty: trap,
  deleteProperty: trap,
  getPrototypeOf: trap,
  setPrototypeOf: trap,
  isExtensible: trap,
  preventExtensions: trap,
};

/** The value a description stands for (made fresh for every use). */
function make(description: Hostile): unknown {
  switch (description.kind) {
    case 'null-prototype':
      return Object.create(null) as unknown;
    case 'toString-throws':
      return {
        toString() {
          throw new Error('toString');
        },
      };
    case 'primitive-conversion-throws':
      return {
        [Symbol.toPrimitive]() {
          throw new Error('toPrimitive');
        },
        valueOf() {
          throw new Error('valueOf');
        },
      };
    case 'message-getter-throws': {
      const error = new Error('hidden');
      for (const property of ['stack', 'message']) {
        Object.defineProperty(error, property, {
          get() {
            throw new Error(`${property} getter`);
          },
        });
      }
      return error;
    }
    case 'name-getter-throws': {
      const error = new TypeError('named');
      Object.defineProperty(error, 'name', {
        get() {
          throw new Error('name getter');
        },
      });
      return error;
    }
    case 'proxy':
      return new Proxy({}, TRAPS);
    case 'proxy-of-proxies':
      return new Proxy(
        {},
        {
          get: () => {
            throw new Proxy({}, TRAPS);
          },
          getPrototypeOf: () => {
            throw new Proxy({}, TRAPS);
          },
        },
      );
    case 'revoked-proxy': {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    case 'symbol':
      return Symbol(description.description);
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'number':
      return description.value;
    case 'bigint':
      return description.value;
    case 'string':
      return description.value;
    case 'huge-string':
      return 'x'.repeat(description.length);
    case 'function':
      return () => trap();
    case 'coded':
      return new CallControlError(
        description.code as keyof typeof ERROR_CODES,
        'thrown by a handler',
      );
    case 'coded-look-alike': {
      const error = new Error('a look-alike');
      Object.defineProperty(error, 'name', { value: 'CallControlError' });
      return Object.assign(error, { code: description.code, status: 403, expose: true });
    }
    case 'cyclic-error': {
      const error = new Error('cyclic') as Error & { self?: unknown };
      error.cause = error;
      error.self = error;
      return error;
    }
    case 'aggregate':
      return new AggregateError(description.inner.map(make), 'aggregate');
    case 'cause-chain':
      return new Error('outer', { cause: make(description.inner) });
  }
}

/** How a failure leaves the function. */
type Exit = 'throw' | 'reject' | 'throw-after-await' | 'reject-later' | 'thenable' | 'resolve';

/** Runs `exit` with a fresh value of `description`. */
function leave(exit: Exit, description: Hostile): unknown {
  switch (exit) {
    case 'throw':
      throw make(description);
    case 'reject':
      return Promise.reject(make(description));
    case 'throw-after-await':
      return (async () => {
        await Promise.resolve();
        throw make(description);
      })();
    case 'reject-later':
      return new Promise((_resolve, reject) => setTimeout(() => reject(make(description)), 2));
    case 'thenable':
      return {
        then(_resolve: unknown, reject: (reason: unknown) => void) {
          reject(make(description));
        },
      };
    case 'resolve':
      // The value itself as the answer.
      return make(description);
  }
}

/** Where the app's errors go, and whether that throws too. */
type Reporting = 'onError' | 'onError-throws' | 'logger' | 'logger-throws' | 'stderr';

/** Who fails. */
type Culprit = 'handler' | 'observer' | 'both';

interface Scenario {
  readonly culprit: Culprit;
  readonly exit: Exit;
  readonly value: Hostile;
  readonly reporting: Reporting;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  culprit: fc.constantFrom<Culprit>('handler', 'handler', 'observer', 'both'),
  exit: fc.constantFrom<Exit>(
    'throw',
    'reject',
    'throw-after-await',
    'reject-later',
    'thenable',
    'resolve',
  ),
  value: hostile,
  reporting: fc.constantFrom<Reporting>(
    'onError',
    'onError',
    'onError-throws',
    'logger',
    'logger-throws',
    'stderr',
  ),
});

/** What the app reported, by whichever way the scenario chose. */
interface Reported {
  codes: string[];
  /** Whether every error `onError` got was a CallControlError with a registered code. */
  wellFormed: boolean;
  lines: string[];
}

/** The app of a scenario: its handler and observer fail as the scenario says. */
function appFor(testCase: ProviderCase, plan: Scenario, reported: Reported): LooseApp {
  const logCall =
    (level: string) =>
    (object: unknown, message?: unknown): void => {
      const code = (object as { code?: unknown } | null)?.code;
      if (typeof code === 'string') reported.codes.push(code);
      reported.lines.push(`${level} ${String(message)}`);
      if (plan.reporting === 'logger-throws') throw make(plan.value);
    };
  const logger: CallControlLogger = {
    info: logCall('info'),
    warn: logCall('warn'),
    error: logCall('error'),
  };
  const app = testCase.create({
    allowUnauthenticated: true,
    fallback: testCase.fallback(),
    timeoutMs: TIMEOUT_MS,
    stderr: plan.reporting === 'stderr',
    ...(plan.reporting.startsWith('logger') ? { logger } : {}),
  });
  app.on(testCase.event, () =>
    plan.culprit === 'observer' ? testCase.own() : leave(plan.exit, plan.value),
  );
  if (plan.culprit !== 'handler') {
    // An observer's "answer" is ignored: a resolved hostile value is no failure.
    app.onAny(() => leave(plan.exit === 'resolve' ? 'throw' : plan.exit, plan.value));
  }
  if (plan.reporting.startsWith('onError')) {
    app.onError((error) => {
      reported.wellFormed &&=
        error instanceof CallControlError && Object.hasOwn(ERROR_CODES, error.code);
      reported.codes.push(error.code);
      if (plan.reporting === 'onError-throws') throw make(plan.value);
      return undefined;
    });
  }
  return app;
}

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

/** `handle()` must resolve: a rejection or a hang fails with its own message. */
async function settled(reply: Promise<WebhookReply>): Promise<WebhookReply> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`handle() did not settle in ${SETTLE_MS} ms`)),
      SETTLE_MS,
    );
  });
  try {
    return await Promise.race([
      reply.then(
        (value) => value,
        () => {
          throw new Error('handle() rejected');
        },
      ),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The codes a failed handler may be reported with. */
function expectedCodes(plan: Scenario): readonly string[] {
  // A value that is no answer of the provider; a thenable the same once adopted.
  return plan.exit === 'resolve'
    ? ['CC_ERR_HANDLER_RESULT', 'CC_ERR_HANDLER_FAILED']
    : ['CC_ERR_HANDLER_FAILED'];
}

function check(
  testCase: ProviderCase,
  plan: Scenario,
  status: number,
  text: string,
  reported: Reported,
): void {
  if (status !== 200) throw new Error(`answered ${status}: ${text.slice(0, 300)}`);
  const handlerFailed = plan.culprit !== 'observer';
  // A resolved value may happen to be… nothing: null and undefined are "no action".
  const noAnswer =
    plan.exit === 'resolve' && (plan.value.kind === 'null' || plan.value.kind === 'undefined');
  if (handlerFailed && !noAnswer) {
    expect(text).toContain(FALLBACK_MARKER[testCase.name]);
    expect(text).not.toContain(OWN_MARKER[testCase.name]);
  } else if (!handlerFailed) {
    expect(text).toContain(OWN_MARKER[testCase.name]);
  }
  if (plan.reporting === 'stderr') return;
  expect(reported.wellFormed).toBe(true);
  if (handlerFailed && !noAnswer) {
    expect(expectedCodes(plan).some((code) => reported.codes.includes(code))).toBe(true);
  }
  if (plan.culprit !== 'handler') expect(reported.codes).toContain('CC_ERR_HANDLER_FAILED');
}

/**
 * Values known to have broken `handle()` (issue 13), each always tried — thrown and rejected,
 * `onError` listening — before the random scenarios: `Object.create(null)`, a throwing
 * `toString`, a throwing `message` getter, a Proxy throwing on every trap, a Symbol,
 * `undefined`, `null`, numbers, strings — and an `Error` posing as a coded one.
 */
const NAMED: readonly Hostile[] = [
  { kind: 'null-prototype' },
  { kind: 'toString-throws' },
  { kind: 'message-getter-throws' },
  { kind: 'proxy' },
  { kind: 'symbol', description: 'boom' },
  { kind: 'undefined' },
  { kind: 'null' },
  { kind: 'number', value: Number.NaN },
  { kind: 'number', value: 42 },
  { kind: 'string', value: 'boom' },
  { kind: 'coded-look-alike', code: 'CC_ERR_HANDLER_RESULT' },
];

function namedExamples(testCase: ProviderCase, exits: readonly Exit[]): [Scenario, Shaped][] {
  const shaped = sampleRequest(testCase);
  const thrown = NAMED.flatMap((value) =>
    exits.map((exit): [Scenario, Shaped] => [
      { culprit: 'handler', exit, value, reporting: 'onError' },
      shaped,
    ]),
  );
  // And reported every other way, with an onError handler and a logger that throw too.
  const reported = (['onError-throws', 'logger', 'logger-throws', 'stderr'] as const).flatMap(
    (reporting) =>
      (['proxy', 'message-getter-throws'] as const).map((kind): [Scenario, Shaped] => [
        { culprit: 'both', exit: 'throw', value: { kind }, reporting },
        shaped,
      ]),
  );
  // An observer alone failing; a real coded error thrown (it is the handler's failure all the same).
  const more: [Scenario, Shaped][] = [
    [
      { culprit: 'observer', exit: 'throw', value: { kind: 'proxy' }, reporting: 'onError' },
      shaped,
    ],
    [
      {
        culprit: 'observer',
        exit: 'reject',
        value: { kind: 'null-prototype' },
        reporting: 'onError',
      },
      shaped,
    ],
    [
      {
        culprit: 'handler',
        exit: 'throw',
        value: { kind: 'coded', code: 'CC_ERR_SIGNATURE_INVALID' },
        reporting: 'onError',
      },
      shaped,
    ],
  ];
  return [...thrown, ...reported, ...more];
}

/** fast-check's parameters: the examples first, then `random` generated runs. */
function withExamples<T>(random: number, examples: T[]): { numRuns: number; examples: T[] } {
  return { numRuns: examples.length + random, examples };
}

/** Rejections nobody handled while a property ran. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
let stderrWrite: jest.SpyInstance | undefined;
const stderrLines: string[] = [];

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
  stderrLines.length = 0;
  stderrWrite = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderrLines.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  stderrWrite?.mockRestore();
});

describe.each(PROVIDERS)('$name handlers that throw anything', (testCase) => {
  test('handle() resolves with 200: the fallback for a failed handler, onError gets its code', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, testCase.request(fieldValue), async (plan, shaped) => {
        const reported: Reported = { codes: [], wellFormed: true, lines: [] };
        const app = appFor(testCase, plan, reported);
        const reply = await settled(app.handle(webhookRequest(shaped)));
        check(testCase, plan, reply.status, reply.text ?? reply.body.toString('utf8'), reported);
        if (plan.culprit !== 'observer' && plan.exit !== 'resolve') {
          expect(reply.outcome).toBe('fallback');
          expect(reply.code).toBe('CC_ERR_HANDLER_FAILED');
        }
        if (plan.reporting === 'stderr' && plan.culprit !== 'observer' && plan.exit !== 'resolve') {
          expect(stderrLines.join('')).toContain('code=CC_ERR_HANDLER_FAILED');
        }
        // Rejections are reported at the end of a turn: give them one.
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      }),
      withExamples(RUNS, namedExamples(testCase, ['throw', 'reject'])),
    );
  });

  test('through the Express middleware: 200 with the fallback, never a 5xx', async () => {
    const host: ExpressHost = await expressHost(testCase.mount);
    await fc.assert(
      fc.asyncProperty(scenario, testCase.request(fieldValue), async (plan, shaped) => {
        const reported: Reported = { codes: [], wellFormed: true, lines: [] };
        const app = appFor(testCase, plan, reported);
        host.use(app);
        const answer = await host.send(outgoing(shaped), SETTLE_MS);
        check(testCase, plan, answer.status, answer.text, reported);
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      }),
      withExamples(RUNS / 2, namedExamples(testCase, ['throw'])),
    );
  });
});
