/**
 * Safe and loud by default:
 *
 * - an app given no way to authenticate requests refuses to be created, unless it opts out
 *   with `allowUnauthenticated: true`;
 * - without `logger` and `onError`, every refused request and every fallback writes one line to
 *   stderr (rate-limited, never a secret), unless `stderr: false`;
 * - an answered event's handler answers `null` for no action; `undefined` (JavaScript, a
 *   forgotten `return`) gets the neutral answer and a warning line.
 */
import {
  type CallControlError,
  createWebhookApp,
  opentact,
  ozeki,
  placetel,
  voipnow,
  type CallControlLogger,
  type WebhookReply,
  type WebhookRequest,
} from '../../src';
import { createLineLimiter } from '../../src/core/log';

const SECRET = 'test-secret-not-real-7f3a';
const TOKEN = 'test-token-not-a-secret-0001';
const PASSWORD = 'test-password-not-real-9c1d';

type Provider = 'placetel' | 'ozeki' | 'voipnow' | 'opentact';

/** Creates a provider's app from untyped options (as JavaScript would). */
function create(provider: Provider, options: Record<string, unknown>) {
  switch (provider) {
    case 'placetel':
      return placetel.createApp(options as placetel.PlacetelAppOptions);
    case 'ozeki':
      return ozeki.createApp(options as ozeki.OzekiAppOptions);
    case 'voipnow':
      return voipnow.createApp(options as voipnow.VoipNowAppOptions);
    case 'opentact':
      return opentact.createApp(options as opentact.OpentactAppOptions);
  }
}

/** What each handler-less app needs to register a handler, untyped (as from JavaScript). */
type LooseApp = {
  on(name: string, handler: (...args: unknown[]) => unknown): unknown;
  onError(handler: (error: CallControlError) => unknown): unknown;
  handle(request: WebhookRequest): Promise<WebhookReply>;
};

function loose(app: unknown): LooseApp {
  return app as LooseApp;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** One request of an event the provider executes the answer of, and that event's name. */
const ANSWERED: Record<Provider, { event: string; request: WebhookRequest }> = {
  placetel: {
    event: 'IncomingCall',
    request: {
      method: 'POST',
      path: '/',
      query: '',
      headers: FORM,
      body: Buffer.from('call_id=c0ffee01&event=IncomingCall&from=0301234&to=0401234'),
    },
  },
  ozeki: {
    event: 'IncomingCall',
    request: {
      method: 'POST',
      path: '/',
      query: '',
      headers: FORM,
      body: Buffer.from('NotificationName=IncomingCall&CallId=23Xdz7&Caller=1000&Callee=9994'),
    },
  },
  voipnow: {
    event: 'call_interactive',
    request: {
      method: 'GET',
      path: '/',
      query: 'CallID=a1&CallAPIID=1%3Aa1&CallStatus=ANSWER&CallFlow=IN',
      headers: {},
      body: Buffer.alloc(0),
    },
  },
  opentact: {
    event: 'call_flow_request',
    request: {
      method: 'GET',
      path: '/',
      query: 'from=%2B14158531285&to=18382050010',
      headers: {},
      body: Buffer.alloc(0),
    },
  },
};

const PROVIDERS = Object.keys(ANSWERED) as Provider[];

/** Records what is written to stderr (and writes nothing) until the test ends. */
function captureStderr(): string[] {
  const writes: string[] = [];
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  });
  return writes;
}

function recorder(): { logger: CallControlLogger; lines: unknown[] } {
  const lines: unknown[] = [];
  const at = (level: string) => (object: Record<string, unknown>, message?: string) => {
    lines.push({ level, object, message });
  };
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

function signedIncoming(signature: string): WebhookRequest {
  return {
    ...ANSWERED.placetel.request,
    headers: { ...FORM, 'x-placetel-signature': signature },
  };
}

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('an app without a way to authenticate requests is not created', () => {
  test.each([
    ['placetel', /^placetel: .*give secret, basicAuth, urlToken or allowFrom /],
    ['ozeki', /^ozeki: .*give urlToken, basicAuth or allowFrom /],
    ['voipnow', /^voipnow: .*give urlToken, basicAuth or allowFrom /],
    ['opentact', /^opentact: .*give urlToken, basicAuth or allowFrom /],
  ] as const)(
    '%s.createApp() throws a TypeError naming the options that would do',
    (provider, names) => {
      let thrown: unknown;
      try {
        create(provider, {});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(names);
      expect((thrown as Error).message).toContain('allowUnauthenticated: true');
      // Without options at all, as `createApp()`.
      expect(() => (create as (p: Provider) => unknown)(provider)).toThrow(TypeError);
    },
  );

  test("the README's own example with PLACETEL_SECRET unset throws", () => {
    const unset = process.env['CALLCONTROL_TEST_UNSET_VARIABLE'];
    expect(unset).toBeUndefined();
    expect(() => placetel.createApp({ secret: unset })).toThrow(TypeError);
    // Options that are no check do not count either.
    expect(() => placetel.createApp({ secret: unset, fallback: placetel.hangup() })).toThrow(
      /no way to authenticate requests/,
    );
  });

  test.each(PROVIDERS)('%s: allowUnauthenticated: true creates an app that answers', async (p) => {
    const calls = loose(create(p, { allowUnauthenticated: true, stderr: false }));
    const reply = await calls.handle(ANSWERED[p].request);
    expect(reply.status).toBe(200);
  });

  test.each([['yes'], [1], ['true'], [false], [null]])('only true opts out, not %p', (value) => {
    for (const provider of PROVIDERS) {
      expect(() => create(provider, { allowUnauthenticated: value })).toThrow(TypeError);
    }
  });

  test.each([
    ['placetel', { secret: SECRET }],
    ['placetel', { basicAuth: { username: 'pbx', password: PASSWORD } }],
    ['placetel', { urlToken: { tokens: TOKEN } }],
    ['placetel', { allowFrom: ['192.0.2.1'] }],
    ['ozeki', { urlToken: { tokens: TOKEN } }],
    ['ozeki', { basicAuth: { username: 'pbx', password: PASSWORD } }],
    ['ozeki', { allowFrom: ['192.0.2.1'] }],
    ['voipnow', { urlToken: { tokens: TOKEN } }],
    ['voipnow', { basicAuth: { username: 'pbx', password: PASSWORD } }],
    ['voipnow', { allowFrom: ['192.0.2.1'] }],
    ['opentact', { urlToken: { tokens: TOKEN } }],
    ['opentact', { basicAuth: { username: 'pbx', password: PASSWORD } }],
    ['opentact', { allowFrom: opentact.OPENTACT_SOURCE_ADDRESSES }],
  ] as const)('%s with %j is created', (provider, options) => {
    expect(() => create(provider, options)).not.toThrow();
  });

  test('allowUnauthenticated: true beside a secret changes nothing: unsigned is still 403', async () => {
    const calls = placetel.createApp({ secret: SECRET, allowUnauthenticated: true, stderr: false });
    const reply = await calls.handle(ANSWERED.placetel.request);
    expect(reply.status).toBe(403);
    expect(reply.code).toBe('CC_ERR_SIGNATURE_MISSING');
  });

  test('createWebhookApp without authenticators throws too, naming them', () => {
    const provider = {
      name: 'custom',
      methods: ['POST'],
      events: ['Ping'],
      answeredEvents: [],
      parse: () => ({ provider: 'custom', name: 'Ping', callId: '', from: '', to: '', raw: {} }),
      isAnswer: (_value: unknown): _value is never => false,
      render: () => '<Response/>',
    };
    expect(() => createWebhookApp(provider)).toThrow(
      /^custom: no way to authenticate requests .*give authenticators /,
    );
    expect(() => createWebhookApp(provider, { allowUnauthenticated: true })).not.toThrow();
  });
});

describe('without logger and onError, problems are written to stderr', () => {
  test('a wrongly signed Placetel request: one line naming CC_ERR_SIGNATURE_INVALID', async () => {
    const calls = placetel.createApp({ secret: SECRET });
    calls.on('IncomingCall', () => placetel.hangup());
    const writes = captureStderr();
    const signature = placetel.signPlacetelBody('another body', SECRET);

    const reply = await calls.handle(signedIncoming(signature));

    expect(reply.status).toBe(403);
    expect(writes).toEqual([
      '[callcontrol] provider=placetel event=- outcome=refused status=403 ' +
        'code=CC_ERR_SIGNATURE_INVALID message="The X-PLACETEL-SIGNATURE does not match the ' +
        'body under any configured secret"\n',
    ]);
    expect(writes.join('')).not.toContain(signature);
    expect(writes.join('')).not.toContain(SECRET);
  });

  test('a fallback: one line with the event, the code, the message and where it threw', async () => {
    const calls = placetel.createApp({ secret: SECRET, fallback: placetel.hangup() });
    calls.on('IncomingCall', () => {
      throw new Error('the database is down');
    });
    const writes = captureStderr();
    const body = ANSWERED.placetel.request.body;

    const reply = await calls.handle(signedIncoming(placetel.signPlacetelBody(body, SECRET)));

    expect(reply.status).toBe(200);
    expect(reply.outcome).toBe('fallback');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(
      /^\[callcontrol\] provider=placetel event=IncomingCall outcome=fallback status=200 code=CC_ERR_HANDLER_FAILED message="The IncomingCall handler failed: the database is down" at="[^"]*safe-defaults\.test\.ts:\d+:\d+"\n$/,
    );
  });

  test('a handler past its deadline and a non-answer are fallback lines too', async () => {
    const calls = placetel.createApp({ allowUnauthenticated: true, timeoutMs: 20 });
    let slow = true;
    calls.on('IncomingCall', async () => {
      if (slow) await new Promise((resolve) => setTimeout(resolve, 200));
      return 'not an answer' as never;
    });
    const writes = captureStderr();

    await calls.handle(ANSWERED.placetel.request);
    slow = false;
    await calls.handle({
      ...ANSWERED.placetel.request,
      body: Buffer.from('event=IncomingCall&call_id=2&from=1&to=2'),
    });

    expect(writes.map((line) => /code=(\w+)/.exec(line)?.[1])).toEqual([
      'CC_ERR_HANDLER_TIMEOUT',
      'CC_ERR_HANDLER_RESULT',
    ]);
    expect(writes.every((line) => line.includes('outcome=fallback status=200'))).toBe(true);
  });

  test('no secret, token, signature, password or body in any line', async () => {
    const writes = captureStderr();
    const signatureApp = placetel.createApp({ secret: SECRET });
    const tokenInQuery = ozeki.createApp({ urlToken: { tokens: TOKEN } });
    const tokenInPath = opentact.createApp({ urlToken: { tokens: TOKEN, in: 'path' } });
    const basic = voipnow.createApp({ basicAuth: { username: 'pbx', password: PASSWORD } });
    const wrongToken = 'wrong-token-but-long-enough-4242';
    const wrongPassword = 'wrong-password-4242';
    const basicHeader = (password: string) =>
      `Basic ${Buffer.from(`pbx:${password}`).toString('base64')}`;
    const signature = placetel.signPlacetelBody('x', SECRET);
    const requests: [LooseApp, WebhookRequest][] = [
      [signatureApp, signedIncoming(signature)],
      [signatureApp, signedIncoming('not-hex-9f8e7d')],
      [tokenInQuery, { ...ANSWERED.ozeki.request, query: `token=${wrongToken}` }],
      [tokenInQuery, { ...ANSWERED.ozeki.request, query: `token=${TOKEN}&token=${wrongToken}` }],
      [tokenInPath, { ...ANSWERED.opentact.request, path: `/${wrongToken}/x` }],
      [tokenInPath, { ...ANSWERED.opentact.request, path: `/${TOKEN}/`, query: 'neither=1' }],
      [
        basic,
        { ...ANSWERED.voipnow.request, headers: { authorization: basicHeader(wrongPassword) } },
      ],
      [basic, { ...ANSWERED.voipnow.request, headers: { authorization: 'Basic !!' } }],
    ].map(([app, request]) => [loose(app), request as WebhookRequest]);

    for (const [app, request] of requests) {
      const reply = await app.handle(request);
      expect(reply.status).toBeGreaterThanOrEqual(400);
    }

    expect(writes).toHaveLength(requests.length);
    const output = writes.join('');
    for (const secret of [
      SECRET,
      signature,
      'not-hex-9f8e7d',
      TOKEN,
      wrongToken,
      PASSWORD,
      wrongPassword,
      basicHeader(PASSWORD),
      basicHeader(wrongPassword),
      '0301234', // a field of the body
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('code=CC_ERR_TOKEN_INVALID');
    expect(output).toContain('code=CC_ERR_AUTH_BASIC');
  });

  test('a message from the request stays on one line (control characters escaped)', async () => {
    const calls = ozeki.createApp({ allowUnauthenticated: true });
    const writes = captureStderr();
    await calls.handle({
      ...ANSWERED.ozeki.request,
      headers: { 'content-type': 'text/x-evil\r\n[callcontrol] forged line' },
    });
    expect(writes).toHaveLength(1);
    expect(writes[0]?.split('\n')).toHaveLength(2); // the line, then '' after its newline
    expect(writes[0]).toContain('code=CC_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  test('stderr: false, an onError handler or a logger: nothing on stderr', async () => {
    const writes = captureStderr();
    const bad = signedIncoming('0'.repeat(64));
    const off = placetel.createApp({ secret: SECRET, stderr: false });
    await off.handle(bad);
    const withOnError = placetel.createApp({ secret: SECRET });
    const codes: string[] = [];
    withOnError.onError((error) => codes.push(error.code));
    await withOnError.handle(bad);
    const { logger, lines } = recorder();
    const withLogger = placetel.createApp({ secret: SECRET, logger });
    await withLogger.handle(bad);

    expect(writes).toEqual([]);
    expect(codes).toEqual(['CC_ERR_SIGNATURE_INVALID']);
    expect(JSON.stringify(lines)).toContain('CC_ERR_SIGNATURE_INVALID');
  });

  test('at most 10 lines a second, then one line counting the lines suppressed', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const calls = placetel.createApp({ secret: SECRET });
    const writes = captureStderr();
    const bad = signedIncoming('0'.repeat(64));

    for (let i = 0; i < 50; i++) expect((await calls.handle(bad)).status).toBe(403);
    expect(writes).toHaveLength(10);
    expect(writes.every((line) => line.includes('code=CC_ERR_SIGNATURE_INVALID'))).toBe(true);

    jest.advanceTimersByTime(1000);
    expect(writes).toHaveLength(11);
    expect(writes[10]).toBe(
      '[callcontrol] placetel: 40 more lines suppressed (at most 10 a second)\n',
    );

    // The next second has its 10 lines again.
    for (let i = 0; i < 12; i++) await calls.handle(bad);
    expect(writes).toHaveLength(21);
    jest.advanceTimersByTime(1000);
    expect(writes[21]).toBe(
      '[callcontrol] placetel: 2 more lines suppressed (at most 10 a second)\n',
    );
    expect(writes).toHaveLength(22);
  });

  test('the limiter, with its own clock: per window, a count line, nothing when nothing dropped', () => {
    let now = 0;
    const lines: string[] = [];
    const timers: { run: () => void; ms: number }[] = [];
    const write = createLineLimiter({
      write: (line) => lines.push(line),
      now: () => now,
      schedule: (run, ms) => timers.push({ run, ms }),
      source: 'ozeki',
    });
    for (let i = 0; i < 25; i++) write(`line ${i}`);
    expect(lines).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
    expect(timers.map((timer) => timer.ms)).toEqual([1000]);
    now = 400;
    write('dropped too');
    expect(timers).toHaveLength(1);
    now = 1000;
    timers[0]?.run();
    expect(lines.at(-1)).toBe(
      '[callcontrol] ozeki: 16 more lines suppressed (at most 10 a second)',
    );
    write('a new second');
    expect(lines.at(-1)).toBe('a new second');
    // A window without drops writes no count line.
    now = 5000;
    write('quiet');
    expect(lines.at(-1)).toBe('quiet');
    expect(timers).toHaveLength(1);
    // A writer that throws does not throw through.
    const failing = createLineLimiter({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => failing('x')).not.toThrow();
  });
});

describe('answered events: null is no action, undefined is a warned accident', () => {
  test.each(PROVIDERS)('%s: null answers the neutral <Response/> quietly', async (provider) => {
    const { event, request } = ANSWERED[provider];
    const calls = loose(create(provider, { allowUnauthenticated: true }));
    const errors: string[] = [];
    calls.onError((error) => errors.push(error.code));
    calls.on(event, () => null);
    const writes = captureStderr();

    const reply = await calls.handle(request);

    expect(reply.status).toBe(200);
    expect(reply.outcome).toBe('handled');
    expect(reply.text).toMatch(/<Response\/>$/);
    expect(errors).toEqual([]);
    expect(writes).toEqual([]);
  });

  test.each(PROVIDERS)(
    '%s: undefined (JavaScript) answers the neutral <Response/> and writes a warning',
    async (provider) => {
      const { event, request } = ANSWERED[provider];
      const calls = loose(create(provider, { allowUnauthenticated: true }));
      calls.on(event, async () => undefined);
      const writes = captureStderr();

      const reply = await calls.handle(request);

      expect(reply.status).toBe(200);
      expect(reply.text).toMatch(/<Response\/>$/);
      expect(writes).toEqual([
        `[callcontrol] provider=${provider} event=${event} outcome=warning status=200 ` +
          `message="The ${event} handler returned undefined; the neutral answer (empty ` +
          '<Response/>) went out. Return an answer, or null for no action"\n',
      ]);
    },
  );

  test('with a logger the warning goes to logger.warn; stderr: false silences it', async () => {
    const { logger, lines } = recorder();
    const logged = loose(placetel.createApp({ allowUnauthenticated: true, logger }));
    logged.on('IncomingCall', () => undefined);
    const quiet = loose(placetel.createApp({ allowUnauthenticated: true, stderr: false }));
    quiet.on('IncomingCall', () => undefined);
    const writes = captureStderr();

    await logged.handle(ANSWERED.placetel.request);
    await quiet.handle(ANSWERED.placetel.request);

    expect(writes).toEqual([]);
    expect(lines).toContainEqual({
      level: 'warn',
      object: { provider: 'placetel', event: 'IncomingCall', callId: 'c0ffee01', path: '/' },
      message:
        'callcontrol: The IncomingCall handler returned undefined; the neutral answer (empty ' +
        '<Response/>) went out. Return an answer, or null for no action',
    });
  });

  test('no warning for notify-only events, nor for an answered event without a handler', async () => {
    const calls = placetel.createApp({ allowUnauthenticated: true });
    calls.on('HungUp', () => undefined);
    const writes = captureStderr();
    await calls.handle({
      ...ANSWERED.placetel.request,
      body: Buffer.from('call_id=1&duration=3&event=HungUp&from=1&to=2&type=accepted'),
    });
    await calls.handle(ANSWERED.placetel.request);
    expect(writes).toEqual([]);
  });
});
