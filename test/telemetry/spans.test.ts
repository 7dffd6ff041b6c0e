/**
 * The spans of `app.handle` with an OpenTelemetry SDK registered (docs/observability.md): one
 * request span per webhook request named `callcontrol <provider> <event>` with the
 * `callcontrol.*` and HTTP semantic-convention attributes, child spans for the handler, each
 * store call and the rendering, the handler running in the span's context (a user's own span
 * nests under it), the status of failures, one trace per call across instances (a trace id
 * derived from the call id, or a link to it under the host's own HTTP span), and no secret in
 * any attribute.
 */
import { createHash } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MemoryStore, placetel } from '../../src';
import { faultyStore } from '../helpers/faulty-store';
import { byName, incoming, parentOf, register, SECRET, signed, type TestSdk } from './otel';

let sdk: TestSdk;
beforeAll(() => {
  sdk = register();
});
afterAll(async () => {
  await sdk.unregister();
});
beforeEach(() => {
  sdk.spans.reset();
});

/** Lets the store calls made beside the reply (complete, release) end their spans. */
async function settled(): Promise<ReadableSpan[]> {
  for (let i = 0; i < 5; i++) await new Promise(setImmediate);
  return sdk.spans.getFinishedSpans();
}

/** The call's derived ids, computed here on their own: SHA-256 over `<provider>\n<call id>`. */
function derived(provider: string, callId: string): { traceId: string; spanId: string } {
  const hex = createHash('sha256').update(`${provider}\n${callId}`).digest('hex');
  return { traceId: hex.slice(0, 32), spanId: hex.slice(32, 48) };
}

/** `items[index]`, or a failed test when there is none. */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index} of ${items.length}`);
  return item;
}

function app(options: Partial<placetel.PlacetelAppOptions> = {}) {
  return placetel.createApp({ secret: SECRET, stderr: false, ...options });
}

describe('the request span', () => {
  it('is named after provider and event, SERVER, with the callcontrol and HTTP attributes', async () => {
    const calls = app().on('IncomingCall', () =>
      placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] }),
    );
    const reply = await calls.handle(incoming('call-attrs-1'));
    expect(reply.status).toBe(200);
    const spans = await settled();
    const request = byName(spans, 'callcontrol placetel IncomingCall');
    expect(request.kind).toBe(SpanKind.SERVER);
    expect(request.attributes).toEqual({
      'callcontrol.provider': 'placetel',
      'callcontrol.event': 'IncomingCall',
      'callcontrol.call_id': 'call-attrs-1',
      'callcontrol.outcome': 'handled',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.path': '/',
      'url.scheme': 'https',
      'server.address': 'hooks.example.com',
      'server.port': 8443,
      'client.address': '203.0.113.7',
    });
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
    expect(request.instrumentationScope.name).toBe('callcontrol');
  });

  it('has the handler, each store call and the rendering as children', async () => {
    const calls = app().on('IncomingCall', async () => {
      await new Promise(setImmediate);
      return placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] });
    });
    await calls.handle(incoming('call-children-1'));
    const spans = await settled();
    const request = byName(spans, 'callcontrol placetel IncomingCall');
    const id = request.spanContext().spanId;
    const handler = byName(spans, 'callcontrol handler IncomingCall');
    const render = byName(spans, 'callcontrol render');
    const claim = byName(spans, 'callcontrol store claim');
    const complete = byName(spans, 'callcontrol store complete');
    for (const child of [handler, render, claim, complete]) {
      expect(parentOf(child)).toBe(id);
      expect(child.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(child.kind).toBe(SpanKind.INTERNAL);
    }
    expect(claim.attributes['callcontrol.store.operation']).toBe('claim');
    expect(claim.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("runs the handler in its context: the user's own span nests under it", async () => {
    const calls = app().on('IncomingCall', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return trace.getTracer('user').startActiveSpan('user lookup', async (span) => {
        await new Promise(setImmediate);
        span.end();
        return placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] });
      });
    });
    await calls.handle(incoming('call-nest-1'));
    const spans = await settled();
    const handler = byName(spans, 'callcontrol handler IncomingCall');
    const user = byName(spans, 'user lookup');
    expect(parentOf(user)).toBe(handler.spanContext().spanId);
    expect(parentOf(handler)).toBe(
      byName(spans, 'callcontrol placetel IncomingCall').spanContext().spanId,
    );
  });

  it('a throwing handler: outcome fallback, its code, status ERROR on request and handler', async () => {
    const calls = app().on('IncomingCall', () => {
      throw new Error('database down');
    });
    const reply = await calls.handle(incoming('call-throw-1'));
    expect(reply.outcome).toBe('fallback');
    const spans = await settled();
    const request = byName(spans, 'callcontrol placetel IncomingCall');
    expect(request.attributes['callcontrol.outcome']).toBe('fallback');
    expect(request.attributes['callcontrol.error_code']).toBe('CC_ERR_HANDLER_FAILED');
    expect(request.attributes['error.type']).toBe('CC_ERR_HANDLER_FAILED');
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
    const handler = byName(spans, 'callcontrol handler IncomingCall');
    expect(handler.status.code).toBe(SpanStatusCode.ERROR);
    expect(handler.attributes['callcontrol.error_code']).toBe('CC_ERR_HANDLER_FAILED');
  });

  it('a refused request (bad signature): `callcontrol <provider>`, refused, its code, ERROR', async () => {
    const calls = app().on('IncomingCall', () => null);
    const bad = signed(
      { call_id: 'call-bad-1', event: 'IncomingCall', from: '0173', to: '0221' },
      {},
      'not-the-secret-at-all',
    );
    const reply = await calls.handle(bad);
    expect(reply.status).toBe(403);
    const spans = await settled();
    expect(spans.map((span) => span.name)).toEqual(['callcontrol placetel']);
    const [request] = spans as [ReadableSpan];
    expect(request.attributes['callcontrol.outcome']).toBe('refused');
    expect(request.attributes['callcontrol.error_code']).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(request.attributes['error.type']).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(request.attributes['http.response.status_code']).toBe(403);
    expect(request.attributes['callcontrol.call_id']).toBeUndefined();
    // Not authenticated: no path (it may hold a URL token).
    expect(request.attributes['url.path']).toBeUndefined();
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('a repeated delivery: outcome duplicate, no handler span', async () => {
    const calls = app().on('IncomingCall', () =>
      placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] }),
    );
    await calls.handle(incoming('call-dup-1'));
    await settled();
    sdk.spans.reset();
    const reply = await calls.handle(incoming('call-dup-1'));
    expect(reply.outcome).toBe('duplicate');
    const spans = await settled();
    const request = byName(spans, 'callcontrol placetel IncomingCall');
    expect(request.attributes['callcontrol.outcome']).toBe('duplicate');
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans.some((span) => span.name.startsWith('callcontrol handler'))).toBe(false);
  });

  it('one request object handled twice at once: each span has its own children', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const calls = app().on('IncomingCall', async () => {
      await held;
      return null;
    });
    const request = incoming('call-twice-1');
    const first = calls.handle(request);
    const second = calls.handle(request);
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const replies = await Promise.all([first, second]);
    expect(replies.map((reply) => reply.outcome).sort()).toEqual(['duplicate', 'handled']);
    const spans = await settled();
    const requests = spans.filter((span) => span.name === 'callcontrol placetel IncomingCall');
    const handled = requests.find((span) => span.attributes['callcontrol.outcome'] === 'handled');
    const duplicate = requests.find(
      (span) => span.attributes['callcontrol.outcome'] === 'duplicate',
    );
    expect(parentOf(byName(spans, 'callcontrol handler IncomingCall'))).toBe(
      handled?.spanContext().spanId,
    );
    expect(parentOf(byName(spans, 'callcontrol store waitFor'))).toBe(
      duplicate?.spanContext().spanId,
    );
  });

  it('a failing store: the store span has status ERROR and error.type', async () => {
    const store = faultyStore();
    store.fail();
    const calls = app({ store }).on('IncomingCall', () => null);
    const reply = await calls.handle(incoming('call-store-1'));
    expect(reply.status).toBe(200);
    const spans = await settled();
    const claim = byName(spans, 'callcontrol store claim');
    expect(claim.status.code).toBe(SpanStatusCode.ERROR);
    expect(claim.attributes['error.type']).toBe('failed');
    const request = byName(spans, 'callcontrol placetel IncomingCall');
    expect(parentOf(claim)).toBe(request.spanContext().spanId);
  });
});

describe('one trace per call', () => {
  it('places a request under the remote parent derived from provider and call id', async () => {
    const calls = app().on('IncomingCall', () => null);
    await calls.handle(incoming('call-derived-1'));
    const spans = await settled();
    const request = byName(spans, 'callcontrol placetel IncomingCall');
    const ids = derived('placetel', 'call-derived-1');
    expect(request.spanContext().traceId).toBe(ids.traceId);
    expect(parentOf(request)).toBe(ids.spanId);
    expect(request.parentSpanContext?.isRemote).toBe(true);
  });

  it('a simulated call through two instances sharing a store is one timeline', async () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    const make = (instance: string) =>
      app({ store })
        .on('IncomingCall', () => {
          seen.push(`${instance} IncomingCall`);
          return placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] });
        })
        .on('CallAccepted', () => {
          seen.push(`${instance} CallAccepted`);
        })
        .on('HungUp', () => {
          seen.push(`${instance} HungUp`);
        });
    const apps = [make('a'), make('b')] as const;
    const callId = 'call-two-instances-1';
    const requests = placetel.placetelCallScenario({ callId, secret: SECRET });
    expect(requests.map((request) => request.event)).toEqual([
      'IncomingCall',
      'CallAccepted',
      'HungUp',
    ]);
    for (const [index, simulated] of requests.entries()) {
      const reply = await at(apps, index % 2).handle({
        method: 'POST',
        path: '/',
        query: '',
        headers: simulated.headers,
        body: Buffer.from(simulated.body, 'utf8'),
      });
      expect(reply.status).toBe(200);
    }
    // Repeated delivery of the CallAccepted to the other instance: the stored reply.
    const again = at(requests, 1);
    const repeated = await apps[0].handle({
      method: 'POST',
      path: '/',
      query: '',
      headers: again.headers,
      body: Buffer.from(again.body, 'utf8'),
    });
    expect(repeated.outcome).toBe('duplicate');
    expect(seen).toEqual(['a IncomingCall', 'b CallAccepted', 'a HungUp']);
    const spans = (await settled()).filter(
      (span) => span.attributes['callcontrol.call_id'] === callId,
    );
    expect(spans.map((span) => span.name)).toEqual([
      'callcontrol placetel IncomingCall',
      'callcontrol placetel CallAccepted',
      'callcontrol placetel HungUp',
      'callcontrol placetel CallAccepted',
    ]);
    const ids = derived('placetel', callId);
    const traceIds = new Set(sdk.spans.getFinishedSpans().map((s) => s.spanContext().traceId));
    expect(traceIds).toEqual(new Set([ids.traceId]));
    for (const span of spans) expect(parentOf(span)).toBe(ids.spanId);
    // In time order: one timeline.
    const starts = spans.map((span) => span.startTime[0] * 1e9 + span.startTime[1]);
    expect([...starts].sort((x, y) => x - y)).toEqual(starts);
  });

  it("under the host's HTTP server span: INTERNAL, that parent kept, the call linked", async () => {
    const calls = app().on('IncomingCall', () => null);
    const host = trace.getTracer('host-http');
    const callId = 'call-linked-1';
    const outer: ReadableSpan[] = [];
    for (let i = 0; i < 2; i++) {
      await host.startActiveSpan(
        'POST /hooks/placetel',
        { kind: SpanKind.SERVER },
        async (span) => {
          await calls.handle(incoming(callId, i === 0 ? {} : { body: incoming(callId).body }));
          span.end();
        },
      );
    }
    const spans = await settled();
    outer.push(...spans.filter((span) => span.name === 'POST /hooks/placetel'));
    const requests = spans.filter((span) => span.name === 'callcontrol placetel IncomingCall');
    expect(requests).toHaveLength(2);
    const ids = derived('placetel', callId);
    requests.forEach((request, index) => {
      expect(request.kind).toBe(SpanKind.INTERNAL);
      expect(parentOf(request)).toBe(at(outer, index).spanContext().spanId);
      expect(request.spanContext().traceId).toBe(at(outer, index).spanContext().traceId);
      expect(request.links.map((link) => link.context.traceId)).toEqual([ids.traceId]);
      expect(at(request.links, 0).context.spanId).toBe(ids.spanId);
    });
    // Two host traces, one call: the link is what joins them.
    expect(at(outer, 0).spanContext().traceId).not.toBe(at(outer, 1).spanContext().traceId);
  });
});

describe('secrets', () => {
  it('no secret, signature, token, body or query in any attribute of any span', async () => {
    const token = 'url-token-0123456789abcdef';
    const calls = app({ urlToken: { tokens: token } })
      .on('IncomingCall', () => placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] }))
      .on('HungUp', () => {
        throw new Error(`failed with ${SECRET}`);
      });
    const good = incoming('call-secret-1', { query: `token=${token}&x=1` });
    const hungUp = signed(
      { call_id: 'call-secret-1', event: 'HungUp', type: 'accepted', duration: '3' },
      { query: `token=${token}` },
    );
    const badToken = incoming('call-secret-2', { query: 'token=wrong-token-0123456789abc' });
    const badSignature = signed(
      { call_id: 'call-secret-3', event: 'IncomingCall', from: '0173', to: '0221' },
      { query: `token=${token}` },
      'another-secret-value-123',
    );
    const pathToken = app({ urlToken: { tokens: token, in: 'path' } }).on(
      'IncomingCall',
      () => null,
    );
    await calls.handle(good);
    await calls.handle(hungUp);
    await calls.handle(badToken);
    await calls.handle(badSignature);
    await pathToken.handle(incoming('call-secret-4', { path: `/${token}/` }));
    await pathToken.handle(incoming('call-secret-5', { path: `/wrong-token-0123456789abc/` }));
    const spans = await settled();
    expect(spans.length).toBeGreaterThanOrEqual(6);
    const forbidden = [
      SECRET,
      token,
      'wrong-token-0123456789abc',
      'another-secret-value-123',
      String(good.headers['x-placetel-signature']),
      String(badSignature.headers['x-placetel-signature']),
      good.body.toString('utf8'),
      'x=1',
      '?',
    ];
    const values = (attributes: Attributes): string[] =>
      Object.values(attributes).map((value) => JSON.stringify(value));
    for (const span of spans) {
      const all = [
        span.name,
        ...values(span.attributes),
        ...span.links.flatMap((link) => values(link.attributes ?? {})),
        ...span.events.flatMap((event) => [event.name, ...values(event.attributes ?? {})]),
        span.status.message ?? '',
      ];
      for (const value of all) {
        for (const secret of forbidden) expect(value).not.toContain(secret);
      }
    }
    const paths = spans.map((span) => span.attributes['url.path']).filter(Boolean);
    expect(paths).toContain('/');
  });
});
