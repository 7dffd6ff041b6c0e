/**
 * The plug-in contract, tested with a provider that exists only here ("acme"): its own
 * events, parser, answer type, renderer, answered events and credential check, driven through
 * the core's `handle()` and through the `node:http` adapter on 127.0.0.1. Nothing of the four
 * real providers is used: what passes here is what a new provider folder can rely on.
 */
import { createServer } from 'node:http';
import { CallControlError } from '../../src/core/errors';
import { createWebhookApp, type WebhookApp } from '../../src/core/app';
import type { ProviderDefinition } from '../../src/core/provider';
import type { WebhookAppOptions } from '../../src/core/options';
import { XML_CONTENT_TYPE } from '../../src/core/reply';
import { renderXml } from '../../src/core/xml';
import type { Authenticator, WebhookEvent, WebhookRequest } from '../../src/core/types';
import { createNodeHandler } from '../../src/adapters/node';
import { createCallControlApp } from '../../src/adapters/app';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';

interface AcmeEvent<N extends string> extends WebhookEvent {
  readonly provider: 'acme';
  readonly name: N;
}
type AcmeRing = AcmeEvent<'ring'>;
type AcmeDigits = AcmeEvent<'digits'> & { readonly digits: string };
type AcmeBye = AcmeEvent<'bye'>;
type AcmeAny = AcmeRing | AcmeDigits | AcmeBye;

/** Acme's one answer: say something, and optionally transfer (not allowed after digits). */
class AcmeAnswer {
  constructor(
    readonly say: string,
    readonly transferTo?: string,
  ) {}
}

type AcmeEventMap = {
  ring: { event: AcmeRing; answer: AcmeAnswer | null };
  digits: { event: AcmeDigits; answer: AcmeAnswer | null };
  bye: { event: AcmeBye; answer: unknown };
};

const ACME_KEY_HEADER = 'x-acme-key';
const FAKE_KEY = 'fake-acme-key-for-tests';

const acme: ProviderDefinition<AcmeAny, AcmeAnswer> = {
  name: 'acme',
  methods: ['POST'],
  events: ['ring', 'digits', 'bye'],
  answeredEvents: ['ring', 'digits'],
  credentialOptions: ['apiKey'],
  repeatableEvents: ['digits'],
  isCallEnd: (event) => event.name === 'bye',
  parse(request: WebhookRequest): AcmeAny {
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new CallControlError('CC_ERR_BODY_INVALID', 'The body is not JSON', { cause: error });
    }
    const { event, call, digits } = fields;
    if (typeof call !== 'string' || call === '') {
      throw new CallControlError('CC_ERR_REQUEST_MALFORMED', 'The field call is missing');
    }
    const base = { provider: 'acme' as const, callId: call, from: 'a', to: 'b', raw: {} };
    if (event === 'ring' || event === 'bye') return { ...base, name: event };
    if (event === 'digits' && typeof digits === 'string') {
      return { ...base, name: 'digits', digits };
    }
    throw new CallControlError('CC_ERR_REQUEST_MALFORMED', 'Unknown event');
  },
  isAnswer: (value): value is AcmeAnswer => value instanceof AcmeAnswer,
  render(answer, event) {
    if (answer === undefined) return renderXml({ name: 'Acme' });
    if (answer.transferTo !== undefined && event?.name === 'digits') {
      throw new CallControlError('CC_ERR_ANSWER_INVALID', 'No transfer after digits');
    }
    return renderXml({
      name: 'Acme',
      children: [
        { name: 'Say', children: [answer.say] },
        ...(answer.transferTo === undefined
          ? []
          : [{ name: 'Transfer', attributes: { to: answer.transferTo } }]),
      ],
    });
  },
};

/** Acme's credential: the key in a header, compared as the provider's `createApp` would. */
const acmeKeyCheck: Authenticator = (request) => {
  const given = request.headers[ACME_KEY_HEADER];
  if (given === undefined) {
    throw new CallControlError('CC_ERR_TOKEN_MISSING', 'No X-ACME-KEY header');
  }
  if (given !== FAKE_KEY) throw new CallControlError('CC_ERR_TOKEN_INVALID', 'Wrong key');
};

function acmeApp(
  options: WebhookAppOptions<AcmeAnswer> = {},
): WebhookApp<AcmeEventMap, AcmeAny, AcmeAnswer> {
  return createWebhookApp<AcmeEventMap, AcmeAny, AcmeAnswer>(acme, {
    authenticators: [acmeKeyCheck],
    stderr: false,
    ...options,
  });
}

function post(fields: Record<string, unknown>, key: string | null = FAKE_KEY): WebhookRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { [ACME_KEY_HEADER]: key }),
    },
    body: Buffer.from(JSON.stringify(fields)),
  };
}

describe('the plug-in contract, with a provider made up in this test', () => {
  test('an answered event: parsed, handled, its answer rendered as the provider says', async () => {
    const app = acmeApp();
    app.on('ring', (event) => new AcmeAnswer(`hello ${event.callId}`, '+100'));
    const reply = await app.handle(post({ event: 'ring', call: 'c1' }));
    expect(reply.status).toBe(200);
    expect(reply.outcome).toBe('handled');
    expect(reply.headers['content-type']).toBe(XML_CONTENT_TYPE);
    expect(reply.body.toString('utf8')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Acme><Say>hello c1</Say><Transfer to="+100"/></Acme>',
    );
  });

  test('a notify-only event: the return value is ignored, the neutral answer goes out', async () => {
    const app = acmeApp();
    const seen: string[] = [];
    const errors: string[] = [];
    app.onError((error) => void errors.push(error.code));
    app.on('bye', (event) => seen.push(event.callId));
    const reply = await app.handle(post({ event: 'bye', call: 'c2' }));
    expect(seen).toEqual(['c2']);
    expect(errors).toEqual([]);
    expect(reply.status).toBe(200);
    expect(reply.outcome).toBe('handled');
    expect(reply.body.toString('utf8')).toMatch(/<Acme\/>$/);
  });

  test('the credential check refuses before parsing; the handler never runs', async () => {
    const app = acmeApp();
    const handler = jest.fn(() => null);
    app.on('ring', handler);
    const missing = await app.handle(post({ event: 'ring', call: 'c3' }, null));
    const wrong = await app.handle(post({ event: 'ring', call: 'c3' }, 'fake-wrong-key'));
    expect([missing.status, missing.code]).toEqual([403, 'CC_ERR_TOKEN_MISSING']);
    expect([wrong.status, wrong.code]).toEqual([403, 'CC_ERR_TOKEN_INVALID']);
    expect(handler).not.toHaveBeenCalled();
  });

  test("the parser's coded errors and the provider's methods are the reply", async () => {
    const app = acmeApp();
    const malformed = await app.handle(post({ event: 'ring' }));
    expect([malformed.status, malformed.code]).toEqual([400, 'CC_ERR_REQUEST_MALFORMED']);
    const get = await app.handle({ ...post({}), method: 'GET' });
    expect([get.status, get.code]).toEqual([405, 'CC_ERR_METHOD_NOT_ALLOWED']);
    expect(get.headers['allow']).toBe('POST');
  });

  test('an answer the renderer refuses for its event, or a value that is no answer: the fallback', async () => {
    const errors: string[] = [];
    const app = acmeApp({ fallback: new AcmeAnswer('sorry') });
    app.onError((error) => void errors.push(error.code));
    app.on('digits', () => new AcmeAnswer('x', '+200'));
    app.on('ring', () => 'not an answer' as unknown as AcmeAnswer);
    const refused = await app.handle(post({ event: 'digits', call: 'c4', digits: '1' }));
    const wrongType = await app.handle(post({ event: 'ring', call: 'c5' }));
    for (const reply of [refused, wrongType]) {
      expect(reply.status).toBe(200);
      expect(reply.outcome).toBe('fallback');
      expect(reply.body.toString('utf8')).toMatch(/<Acme><Say>sorry<\/Say><\/Acme>$/);
    }
    expect(errors).toEqual(['CC_ERR_HANDLER_FAILED', 'CC_ERR_HANDLER_RESULT']);
  });

  test('a repeated delivery runs the handler once; a repeatable event runs it each time', async () => {
    const app = acmeApp();
    const rings = jest.fn(() => new AcmeAnswer('once'));
    const digits = jest.fn(() => null);
    app.on('ring', rings);
    app.on('digits', digits);
    const first = await app.handle(post({ event: 'ring', call: 'c6' }));
    const again = await app.handle(post({ event: 'ring', call: 'c6' }));
    expect(again.outcome).toBe('duplicate');
    expect(again.body.equals(first.body)).toBe(true);
    expect(rings).toHaveBeenCalledTimes(1);
    await app.handle(post({ event: 'digits', call: 'c6', digits: '5' }));
    await app.handle(post({ event: 'digits', call: 'c6', digits: '5' }));
    expect(digits).toHaveBeenCalledTimes(2);
  });

  test('an app without credentials names the provider’s credential options', () => {
    expect(() => createWebhookApp(acme)).toThrow(/apiKey/);
    expect(() => createWebhookApp(acme, { allowUnauthenticated: true })).not.toThrow();
  });

  test.each([
    [
      'the core app served by createNodeHandler',
      (app: WebhookApp<AcmeEventMap, AcmeAny, AcmeAnswer>) => createNodeHandler(app),
    ],
    [
      'a CallControlApp served by its node()',
      () => {
        const app = createCallControlApp<AcmeEventMap, AcmeAny, AcmeAnswer>(acme, {
          authenticators: [acmeKeyCheck],
          stderr: false,
        });
        app.on('ring', (event) => new AcmeAnswer(`hello ${event.callId}`));
        return app.node();
      },
    ],
  ] as const)('over HTTP on 127.0.0.1: %s', async (_name, serve) => {
    const app = acmeApp();
    app.on('ring', (event) => new AcmeAnswer(`hello ${event.callId}`));
    const server = await listenOnLoopback(createServer(serve(app)));
    const url = `${baseUrlOf(server)}/acme`;
    const answered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [ACME_KEY_HEADER]: FAKE_KEY },
      body: JSON.stringify({ event: 'ring', call: 'c7' }),
    });
    expect(answered.status).toBe(200);
    expect(answered.headers.get('content-type')).toBe(XML_CONTENT_TYPE);
    expect(await answered.text()).toMatch(/<Acme><Say>hello c7<\/Say><\/Acme>$/);
    const refused = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'ring', call: 'c8' }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('code="CC_ERR_TOKEN_MISSING"');
  });
});
