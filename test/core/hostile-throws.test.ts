/**
 * Whatever a handler, an `onAny` observer, an `onError` handler or a logger throws or rejects
 * with — values that are no `Error`, objects whose `toString` throws, an `Error` whose `message`
 * getter throws, Proxies whose every trap throws, symbols, `undefined` — the provider gets the
 * fallback with 200, `onError` gets `CC_ERR_HANDLER_FAILED`, and `handle()` resolves. Through
 * `handle()` and through a real `node:http` server on 127.0.0.1.
 */
import { createServer } from 'node:http';
import {
  CallControlError,
  createWebhookApp,
  placetel,
  type ProviderDefinition,
  type WebhookEvent,
  type CallControlLogger,
  type WebhookReply,
  type WebhookRequest,
} from '../../src';
import { describeThrown, firstStackFrame, MAX_THROWN_LENGTH } from '../../src/core/log';
import { placetelIncoming, TEST_APP } from '../helpers/apps';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';

/** A Proxy whose every trap throws (also `typeof`-safe: it is an object). */
function throwingProxy(): object {
  const trap = (): never => {
    throw new Error('trap');
  };
  return new Proxy(
    {},
    {
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
    },
  );
}

/** A Proxy whose every trap throws a Proxy whose every trap throws. */
function proxyThrowingProxies(): object {
  const trap = (): never => {
    throw throwingProxy();
  };
  return new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap });
}

function errorWithThrowingMessage(): Error {
  const error = new Error('hidden');
  // `stack` first: redefining it formats the stack, which reads the message.
  Object.defineProperty(error, 'stack', {
    get() {
      throw new Error('stack getter');
    },
  });
  Object.defineProperty(error, 'message', {
    get() {
      throw new Error('message getter');
    },
  });
  return error;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An object posing as a CallControlError whose fields throw when read. */
function fakeCodedError(): Error {
  const error = new Error('fake');
  Object.defineProperty(error, 'name', { value: 'CallControlError' });
  Object.defineProperty(error, 'code', {
    get() {
      throw new Error('code getter');
    },
  });
  return error;
}

const HOSTILE: ReadonlyArray<readonly [string, () => unknown]> = [
  ['Object.create(null)', () => Object.create(null) as unknown],
  [
    'an object whose toString throws',
    () => ({
      toString() {
        throw new Error('toString');
      },
    }),
  ],
  ['an Error whose message and stack getters throw', errorWithThrowingMessage],
  ['a Proxy that throws on every trap', throwingProxy],
  ['a Proxy that throws Proxies', proxyThrowingProxies],
  ['a revoked Proxy', revokedProxy],
  ['a Symbol', () => Symbol('boom')],
  ['undefined', () => undefined],
  ['null', () => null],
  ['an empty string', () => ''],
  ['a 1 MB string', () => 'x'.repeat(1_000_000)],
  ['a fake CallControlError whose code getter throws', fakeCodedError],
  ['a function', () => () => undefined],
];

const FALLBACK = placetel.reject({ reason: 'busy' });
/** The fallback's XML, as a handler returning it renders it. */
let FALLBACK_TEXT = '';
beforeAll(async () => {
  const calls = placetel.createApp({ ...TEST_APP });
  calls.on('IncomingCall', () => FALLBACK);
  FALLBACK_TEXT = (await calls.handle(placetelIncoming('fallback0000'))).text ?? '';
  expect(FALLBACK_TEXT).toContain('<Reject');
});

let sequence = 0;
function nextCall(): string {
  sequence += 1;
  return `hostile${String(sequence).padStart(8, '0')}`;
}

/** `handle()` must settle; a rejection or a hang fails the test with its own message. */
async function settled(reply: Promise<WebhookReply>): Promise<WebhookReply> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('handle() did not settle within 5 s')), 5000);
  });
  try {
    return await Promise.race([reply, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function expectFallback(reply: WebhookReply): void {
  expect(reply.status).toBe(200);
  expect(reply.outcome).toBe('fallback');
  expect(reply.text).toBe(FALLBACK_TEXT);
}

describe.each(HOSTILE)('a handler that throws %s', (_name, make) => {
  test('sync throw: 200 with the fallback, onError gets CC_ERR_HANDLER_FAILED', async () => {
    const errors: CallControlError[] = [];
    const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
    calls.on('IncomingCall', () => {
      throw make();
    });
    calls.onError((error) => {
      errors.push(error);
    });
    expectFallback(await settled(calls.handle(placetelIncoming(nextCall()))));
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
    expect(errors[0]?.message).toMatch(/^The IncomingCall handler failed: /);
    expect(errors[0]?.message.length).toBeLessThan(300);
  });

  test('async rejection: the same', async () => {
    const errors: CallControlError[] = [];
    const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
    calls.on('IncomingCall', async () => {
      await Promise.resolve();
      throw make();
    });
    calls.onError((error) => {
      errors.push(error);
    });
    expectFallback(await settled(calls.handle(placetelIncoming(nextCall()))));
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
  });

  test('a thenable that rejects with it: the same', async () => {
    const errors: CallControlError[] = [];
    const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
    calls.on(
      'IncomingCall',
      () =>
        ({
          then(_resolve: unknown, reject: (value: unknown) => void) {
            reject(make());
          },
        }) as unknown as Promise<null>,
    );
    calls.onError((error) => {
      errors.push(error);
    });
    expectFallback(await settled(calls.handle(placetelIncoming(nextCall()))));
    expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
  });

  test('also when onError, the logger and every other listener throw it too', async () => {
    const thrower = (): never => {
      throw make();
    };
    const logger: CallControlLogger = { info: thrower, warn: thrower, error: thrower };
    const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK, logger });
    calls.on('IncomingCall', thrower);
    calls.onAny(thrower);
    calls.onAny(async () => {
      await Promise.resolve();
      throw make();
    });
    calls.onError(thrower);
    calls.onError(() => Promise.reject(make()));
    calls.onError(() => throwingProxy());
    expectFallback(await settled(calls.handle(placetelIncoming(nextCall()))));
  });

  test('with neither onError nor logger, the stderr line is written and the reply goes out', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const calls = placetel.createApp({ allowUnauthenticated: true, fallback: FALLBACK });
      calls.on('IncomingCall', () => {
        throw make();
      });
      expectFallback(await settled(calls.handle(placetelIncoming(nextCall()))));
    } finally {
      spy.mockRestore();
    }
    const line = written.find((text) => text.includes('CC_ERR_HANDLER_FAILED'));
    expect(line).toMatch(/outcome=fallback status=200 code=CC_ERR_HANDLER_FAILED/);
    expect(line?.split('\n').filter((part) => part !== '')).toHaveLength(1);
  });

  test('a handler that returns it (no answer): 200 with the fallback', async () => {
    const errors: CallControlError[] = [];
    const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
    calls.on('IncomingCall', () => make() as null);
    calls.onError((error) => {
      errors.push(error);
    });
    const reply = await settled(calls.handle(placetelIncoming(nextCall())));
    expect(reply.status).toBe(200);
    // `undefined` and `null` are the neutral answer; anything else is not an answer.
    if (reply.outcome === 'fallback') {
      expect(reply.text).toBe(FALLBACK_TEXT);
      expect(errors).toHaveLength(1);
      expect(['CC_ERR_HANDLER_RESULT', 'CC_ERR_HANDLER_FAILED']).toContain(errors[0]?.code);
    } else expect(errors).toEqual([]);
  });
});

test('over HTTP (node adapter): every hostile throw is answered 200 with the fallback', async () => {
  const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
  let index = 0;
  calls.on('IncomingCall', () => {
    const [, make] = HOSTILE[index % HOSTILE.length] as (typeof HOSTILE)[number];
    index += 1;
    throw make();
  });
  const server = await listenOnLoopback({
    listen: (port, host) => createServer(calls.node()).listen(port, host),
  });
  for (let i = 0; i < HOSTILE.length; i++) {
    const request = placetelIncoming(nextCall());
    const response = await fetch(`${baseUrlOf(server)}/`, {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request.body,
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(FALLBACK_TEXT);
  }
});

test('Fetch adapter: a hostile throw of a handler is the fallback, of an adapter input a coded 500', async () => {
  const calls = placetel.createApp({ ...TEST_APP, fallback: FALLBACK });
  calls.on('IncomingCall', () => {
    throw throwingProxy();
  });
  const toFetch = (callId: string): Request => {
    const request = placetelIncoming(callId);
    return new Request('http://127.0.0.1/placetel', {
      method: 'POST',
      headers: request.headers as Record<string, string>,
      body: request.body,
    });
  };
  const answered = await calls.fetch({ basePath: '/placetel' })(toFetch(nextCall()));
  expect(answered.status).toBe(200);
  expect(await answered.text()).toBe(FALLBACK_TEXT);
  for (const [, make] of HOSTILE) {
    const refused = await calls.fetch({
      remoteAddress: () => {
        throw make();
      },
    })(toFetch(nextCall()));
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain('CC_ERR_HANDLER_FAILED');
  }
});

test('an adapter failure that throws a hostile value: a coded 500, fail() never throws', () => {
  const errors: CallControlError[] = [];
  const calls = placetel.createApp({ ...TEST_APP });
  calls.onError((error) => {
    errors.push(error);
  });
  for (const [, make] of HOSTILE) {
    const reply = calls.fail(make());
    expect(reply.status).toBe(500);
    expect(reply.code).toBe('CC_ERR_HANDLER_FAILED');
  }
  expect(errors).toHaveLength(HOSTILE.length);
  // With a logger, and a request whose fields throw when read.
  const logged = placetel.createApp({
    ...TEST_APP,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const request = throwingProxy() as WebhookRequest;
  for (const [, make] of HOSTILE) expect(logged.fail(make(), request).status).toBe(500);
});

/** A provider of one event `Ping` whose `isCallEnd` — run after the handler — throws `thrown`. */
function brokenProvider(thrown: () => unknown): ProviderDefinition<WebhookEvent, string> {
  return {
    name: 'broken',
    methods: ['POST'],
    events: ['Ping'],
    answeredEvents: ['Ping'],
    parse: (request) => ({
      provider: 'broken',
      name: 'Ping',
      callId: request.body.toString('utf8'),
      from: '',
      to: '',
      raw: {},
    }),
    isAnswer: (value): value is string => typeof value === 'string',
    render: (answer) => `<Response>${answer ?? ''}</Response>`,
    isCallEnd: () => {
      throw thrown();
    },
  };
}

function ping(callId: string): WebhookRequest {
  return { method: 'POST', path: '/', query: '', headers: {}, body: Buffer.from(callId) };
}

test.each(HOSTILE)(
  'the pipeline itself throwing %s after parsing: 200 with the fallback, and the delivery is not left pending',
  async (_name, make) => {
    const errors: CallControlError[] = [];
    let runs = 0;
    const calls = createWebhookApp(brokenProvider(make), {
      ...TEST_APP,
      timeoutMs: 2000,
      fallback: 'fallback',
    });
    calls.on('Ping', () => {
      runs += 1;
      return 'answer';
    });
    calls.onError((error) => {
      errors.push(error);
    });
    const callId = nextCall();
    const reply = await settled(calls.handle(ping(callId)));
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('<Response>fallback</Response>');
    expect(errors.map((error) => error.code)).toContain('CC_ERR_HANDLER_FAILED');
    // The same delivery again is not held up behind a claim nobody completes.
    const started = Date.now();
    const again = await settled(calls.handle(ping(callId)));
    expect(again.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(runs).toBeGreaterThanOrEqual(1);
  },
);

test('a request that breaks the pipeline before parsing: a coded 500, handle() resolves', async () => {
  const errors: CallControlError[] = [];
  const calls = placetel.createApp({ ...TEST_APP });
  calls.onError((error) => {
    errors.push(error);
  });
  // An adapter input that throws a Proxy when read.
  const headers = new Proxy(
    {},
    {
      get: () => {
        throw throwingProxy();
      },
    },
  );
  const refused = await settled(calls.handle({ ...placetelIncoming(nextCall()), headers }));
  expect(refused.status).toBe(500);
  expect(refused.code).toBe('CC_ERR_HANDLER_FAILED');
  expect(errors.map((error) => error.code)).toEqual(['CC_ERR_HANDLER_FAILED']);
});

/** An Error posing as another module copy's CallControlError. */
function lookAlike(code: string): Error {
  const error = new Error('a look-alike');
  Object.defineProperty(error, 'name', { value: 'CallControlError' });
  return Object.assign(error, { code, status: 403, expose: true, headers: { 'x-a': 'b', n: 1 } });
}

test('onError only ever gets real CallControlErrors: look-alikes are rebuilt or wrapped', async () => {
  const errors: unknown[] = [];
  const thrown = [
    lookAlike('CC_ERR_SIGNATURE_INVALID'),
    lookAlike('CC_ERR_NO_SUCH_CODE'),
    lookAlike('CC_ERR_HANDLER_RESULT'),
  ];
  let next = 0;
  // The provider without its throwing isCallEnd.
  const provider: ProviderDefinition<WebhookEvent, string> = {
    ...brokenProvider(() => undefined),
    isCallEnd: () => false,
  };
  const calls = createWebhookApp(provider, {
    ...TEST_APP,
    fallback: 'fallback',
    authenticators: [
      (request) => {
        if (request.path === '/checked') throw thrown[next++];
        return request;
      },
    ],
  });
  calls.on('Ping', () => {
    throw lookAlike('CC_ERR_HANDLER_RESULT');
  });
  calls.onError((error) => {
    errors.push(error);
  });
  // A copy's known code keeps its status and headers.
  const signature = await settled(calls.handle({ ...ping(nextCall()), path: '/checked' }));
  expect(signature.status).toBe(403);
  expect(signature.code).toBe('CC_ERR_SIGNATURE_INVALID');
  expect(signature.headers['x-a']).toBe('b');
  // An unknown code is unexpected.
  const unknown = await settled(calls.handle({ ...ping(nextCall()), path: '/checked' }));
  expect(unknown.status).toBe(500);
  expect(unknown.code).toBe('CC_ERR_HANDLER_FAILED');
  // A handler's look-alike of the core's own result error is a failed handler.
  const handled = await settled(calls.handle(ping(nextCall())));
  expect(handled.status).toBe(200);
  expect(handled.text).toBe('<Response>fallback</Response>');
  for (const error of errors) expect(error).toBeInstanceOf(CallControlError);
  expect(errors.map((error) => (error as CallControlError).code)).toEqual([
    'CC_ERR_SIGNATURE_INVALID',
    'CC_ERR_HANDLER_FAILED',
    'CC_ERR_HANDLER_FAILED',
  ]);
});

describe('describeThrown', () => {
  test.each(HOSTILE)('never throws for %s, and stays short', (_name, make) => {
    const text = describeThrown(make());
    expect(typeof text).toBe('string');
    expect(text.length).toBeLessThanOrEqual(MAX_THROWN_LENGTH + 1);
  });

  test('says what the common values say', () => {
    expect(describeThrown(new Error('boom'))).toBe('boom');
    expect(describeThrown(new TypeError(''))).toBe('TypeError');
    expect(describeThrown('boom')).toBe('boom');
    expect(describeThrown(undefined)).toBe('undefined');
    expect(describeThrown(Symbol('s'))).toBe('Symbol(s)');
    expect(describeThrown(42)).toBe('42');
    expect(describeThrown(Object.create(null))).toBe('[object Object]');
    expect(describeThrown({ toString: () => 'custom' })).toBe('custom');
    expect(describeThrown(errorWithThrowingMessage())).toBe('[object Error]');
    expect(describeThrown(throwingProxy())).toBe('a value that cannot be described');
    expect(describeThrown('x'.repeat(1000))).toBe(`${'x'.repeat(MAX_THROWN_LENGTH)}…`);
  });

  test('firstStackFrame never throws', () => {
    for (const [, make] of HOSTILE) expect(() => firstStackFrame(make())).not.toThrow();
  });
});
