/**
 * The OpenTelemetry SDK the telemetry tests register: a tracer provider writing to an in-memory
 * exporter (one span at a time), a meter provider read on demand, and the async-hooks context
 * manager (so that a handler's own spans find their parent across `await`). `register()` once
 * per test file (`beforeAll`), `unregister()` after (`afterAll`): the globals are left as found.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { placetel, type WebhookRequest } from '../../src';

/** A metric reader the tests collect from when they want (cumulative). */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TestSdk {
  readonly spans: InMemorySpanExporter;
  readonly reader: TestReader;
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Every metric collected now, by name. */
  collect(): Promise<Map<string, MetricData>>;
  unregister(): Promise<void>;
}

/** Registers the global tracer and meter providers and the context manager. */
export function register(options: { traces?: boolean; metrics?: boolean } = {}): TestSdk {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncHooksContextManager().enable();
  context.setGlobalContextManager(contextManager);
  if (options.traces !== false) trace.setGlobalTracerProvider(tracerProvider);
  if (options.metrics !== false) metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans,
    reader,
    tracerProvider,
    meterProvider,
    async collect() {
      const { resourceMetrics } = await reader.collect();
      const found = new Map<string, MetricData>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) found.set(metric.descriptor.name, metric);
      }
      return found;
    },
    async unregister() {
      trace.disable();
      metrics.disable();
      context.disable();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The data points of a metric whose attributes include `where`. */
export function pointsOf(
  metric: MetricData | undefined,
  where: Record<string, unknown> = {},
): DataPoint<number | Histogram>[] {
  if (metric === undefined) return [];
  return (metric.dataPoints as DataPoint<number | Histogram>[]).filter((point) =>
    Object.entries(where).every(([key, value]) => point.attributes[key] === value),
  );
}

/** The sum of a counter's points (or the count of a histogram's) whose attributes include `where`. */
export function total(metric: MetricData | undefined, where: Record<string, unknown> = {}): number {
  return pointsOf(metric, where).reduce(
    (sum, point) =>
      sum + (typeof point.value === 'number' ? point.value : (point.value as Histogram).count),
    0,
  );
}

/** The test secret every signed request is signed with. */
export const SECRET = 'telemetry-test-secret-7f3a9c';

/** A signed Placetel request of `fields`, as adapters hand it to `handle()`. */
export function signed(
  fields: Record<string, string>,
  extra: Partial<WebhookRequest> = {},
  secret: string = SECRET,
): WebhookRequest {
  const request = placetel.placetelRequest(fields, secret);
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: { ...request.headers, host: 'hooks.example.com:8443' },
    body: Buffer.from(request.body, 'utf8'),
    scheme: 'https',
    host: 'hooks.example.com:8443',
    remoteAddress: '203.0.113.7',
    ...extra,
  };
}

/** A signed Placetel `IncomingCall` of call `callId`. */
export function incoming(callId: string, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return signed(
    { call_id: callId, event: 'IncomingCall', from: '017312345678', to: '022129191999' },
    extra,
  );
}

/** Spans by name (the first of each name wins; `all` for several). */
export function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.find((span) => span.name === name);
  if (found === undefined) {
    throw new Error(`no span ${name}; spans: ${spans.map((span) => span.name).join(', ')}`);
  }
  return found;
}

/** The parent span id of a span (SDK 2.x: `parentSpanContext`). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
