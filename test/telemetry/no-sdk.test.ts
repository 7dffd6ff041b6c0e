/**
 * Telemetry without an SDK, or with only part of one: with `@opentelemetry/api` installed and
 * nothing registered, no span is started and no instrument is made (requests answered as
 * always); with only a meter provider, metrics without spans; with only a tracer provider, spans
 * without metrics; with the package missing, no telemetry and no error.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { placetel } from '../../src';
import { requestTelemetry } from '../../src/core/telemetry';
import type * as Package from '../../src';
import { incoming, register, SECRET, total } from './otel';

function app() {
  return placetel
    .createApp({ secret: SECRET, stderr: false })
    .on('IncomingCall', () => placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] }));
}

afterEach(() => {
  trace.disable();
  metrics.disable();
  context.disable();
});

it('with nothing registered: no tracer and no meter is asked for, the reply as always', async () => {
  const tracerProvider = trace.getTracerProvider();
  const getTracer = jest.spyOn(tracerProvider, 'getTracer');
  const meterProvider = metrics.getMeterProvider();
  const getMeter = jest.spyOn(meterProvider, 'getMeter');
  const reply = await app().handle(incoming('n-none-1'));
  expect(reply.status).toBe(200);
  expect(reply.outcome).toBe('handled');
  expect(getTracer).not.toHaveBeenCalled();
  // The no-op meter provider is asked once (to know it is the no-op one), not per request.
  const asked = getMeter.mock.calls.length;
  expect(asked).toBeLessThanOrEqual(1);
  await app().handle(incoming('n-none-2'));
  expect(getMeter.mock.calls.length).toBe(asked);
  expect(trace.getActiveSpan()).toBeUndefined();
  // Nothing made for the request: no telemetry object at all.
  expect(requestTelemetry('placetel', performance.now())).toBeUndefined();
  const sdk = register();
  expect(requestTelemetry('placetel', performance.now())).toBeDefined();
  await sdk.unregister();
  expect(requestTelemetry('placetel', performance.now())).toBeUndefined();
});

it('a meter provider only: metrics, no spans', async () => {
  const sdk = register({ traces: false });
  await app().handle(incoming('n-metrics-1'));
  const found = await sdk.collect();
  expect(total(found.get('callcontrol.requests'), { 'callcontrol.outcome': 'handled' })).toBe(1);
  expect(sdk.spans.getFinishedSpans()).toEqual([]);
  await sdk.unregister();
});

it('a tracer provider only: spans, no metrics', async () => {
  const sdk = register({ metrics: false });
  const unregistered = new MeterProvider();
  await app().handle(incoming('n-traces-1'));
  expect(sdk.spans.getFinishedSpans().map((span) => span.name)).toContain(
    'callcontrol placetel IncomingCall',
  );
  const found = await sdk.collect();
  expect(found.get('callcontrol.requests')).toBeUndefined();
  await unregistered.shutdown();
  await sdk.unregister();
});

it('registered after the app was made, and registered anew: followed at the next request', async () => {
  const calls = app();
  await calls.handle(incoming('n-late-1'));
  const first = register();
  await calls.handle(incoming('n-late-2'));
  expect(first.spans.getFinishedSpans().map((span) => span.name)).toContain(
    'callcontrol placetel IncomingCall',
  );
  expect(total((await first.collect()).get('callcontrol.requests'))).toBe(1);
  await first.unregister();
  const second = register();
  await calls.handle(incoming('n-late-3'));
  expect(second.spans.getFinishedSpans().length).toBeGreaterThan(0);
  expect(total((await second.collect()).get('callcontrol.requests'))).toBe(1);
  expect(
    first.spans.getFinishedSpans().some((s) => s.attributes['callcontrol.call_id'] === 'n-late-3'),
  ).toBe(false);
  await second.unregister();
});

it('without @opentelemetry/api installed: no telemetry, no error', async () => {
  let reply: Awaited<ReturnType<ReturnType<typeof app>['handle']>> | undefined;
  await jest.isolateModulesAsync(async () => {
    jest.doMock('@opentelemetry/api', () => {
      throw new Error("Cannot find module '@opentelemetry/api'");
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const isolated = require('../../src') as typeof Package;
    const calls = isolated.placetel
      .createApp({ secret: SECRET, stderr: false })
      .on('IncomingCall', () => null);
    reply = await calls.handle(incoming('n-absent-1'));
  });
  expect(reply?.status).toBe(200);
  expect(reply?.outcome).toBe('handled');
});
