/**
 * Exporting callcontrol's traces and metrics to an OpenTelemetry collector over OTLP/HTTP
 * (docs/observability.md). The SDK is registered **before** the app is created and before any
 * request arrives; callcontrol itself needs no option: it records as soon as an SDK is there.
 *
 * Run it (after `npm run build`):
 *
 * ```sh
 * OTEL_SERVICE_NAME=calls \
 * OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 \
 * PLACETEL_SECRET=… PORT=3000 node dist/examples/otel.js
 * ```
 *
 * Environment (read by the OpenTelemetry exporters and resource detector themselves):
 *
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`): the collector; spans go to
 *   `<endpoint>/v1/traces`, metrics to `<endpoint>/v1/metrics` (OTLP/HTTP, JSON).
 *   `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,…`) for a collector that wants an API key.
 * - `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`: the resource (`service.name`, …).
 * - `OTEL_METRIC_EXPORT_INTERVAL`: milliseconds between metric exports (default 60000).
 * - `PLACETEL_SECRET` (required): the Placetel signing secret; `PORT` (default 3000), `HOST`.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { metrics } from '@opentelemetry/api';
import { placetel, type CallStore } from '../src';

/** Options of {@link startOtelExample}. */
export interface OtelExampleOptions {
  /** The Placetel signing secret. */
  readonly secret: string;
  /** Port to listen on (`0`: any free one); default 3000. */
  readonly port?: number;
  /** Interface to listen on; default all. */
  readonly host?: string;
  /** Where deliveries and sessions are kept; default: in memory. */
  readonly store?: CallStore;
}

/** What {@link startOtelExample} started. */
export interface OtelExample {
  /** The listening HTTP server (Placetel posts to `/`). */
  readonly server: Server;
  /**
   * Stops taking requests, drains the app, then flushes and shuts down both SDK providers (the
   * last spans and metrics are sent). Resolves when all of that is done; never rejects.
   */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK (traces and metrics over OTLP/HTTP, configured by the
 * `OTEL_*` variables), then creates a Placetel app and serves it with `node:http`.
 *
 * @throws {TypeError} for an empty `secret` (from `placetel.createApp`)
 */
export async function startOtelExample(options: OtelExampleOptions): Promise<OtelExample> {
  // 1. The SDK first: spans and metrics of requests handled before it is registered are lost.
  const resource = defaultResource().merge(detectResources({ detectors: [envDetector] }));
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Registers the tracer provider, the AsyncLocalStorage context manager and W3C propagation.
  tracerProvider.register();
  const interval = Number(process.env['OTEL_METRIC_EXPORT_INTERVAL'] ?? 60_000);
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(30_000, interval),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);

  // 2. The app, as without telemetry: nothing to configure for it.
  const calls = placetel
    .createApp({ secret: options.secret, ...(options.store ? { store: options.store } : {}) })
    .on('IncomingCall', (call) =>
      call.from === 'anonymous'
        ? placetel.reject({ reason: 'busy' })
        : placetel.forward({ targets: [{ numbers: ['022129191999'] }] }),
    )
    .on('HungUp', async (call, { session }) => {
      await session.set('hungUp', call.type ?? 'unknown');
    });

  const server = createServer(calls.node());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host, () => resolve());
  });
  return {
    server,
    async shutdown() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await calls.close();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

if (require.main === module) {
  const secret = process.env['PLACETEL_SECRET'];
  if (secret === undefined || secret === '') {
    console.error('Set PLACETEL_SECRET (the Placetel signing secret).');
    process.exit(1);
  }
  startOtelExample({
    secret,
    port: Number(process.env['PORT'] ?? 3000),
    ...(process.env['HOST'] ? { host: process.env['HOST'] } : {}),
  }).then(
    (example) => {
      console.log(`listening on ${JSON.stringify(example.server.address())}`);
      const stop = (): void => {
        void example.shutdown().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
