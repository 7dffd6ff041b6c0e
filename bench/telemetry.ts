/**
 * `npm run bench:telemetry`: what the OpenTelemetry instrumentation costs per request, in
 * process (`app.handle`, no HTTP). Three ways of the same code path, interleaved round by round:
 *
 * - **off**: telemetry switched off inside the package (`setTelemetryEnabled(false)`, as if
 *   `@opentelemetry/api` were not installed): the baseline;
 * - **no SDK**: `@opentelemetry/api` installed, no SDK registered — what every application that
 *   does not use OpenTelemetry runs. The promise: no measurable difference from **off**;
 * - **SDK**: a `BasicTracerProvider` with a `SimpleSpanProcessor` into an in-memory exporter and
 *   a `MeterProvider` with a reader, registered globally (for reference: what recording costs).
 *
 * Each request is a distinct signed Placetel `IncomingCall` (HMAC checked, duplicate detection
 * against a fresh `MemoryStore` per batch, a handler answering a Forward). Per batch the
 * requests are signed first, then timed: CPU time (`process.cpuUsage`, user + system) over the
 * batch, divided by its requests. The loop yields to the event loop after every request
 * (`await new Promise(setImmediate)`), or the `process.nextTick` callbacks of the pipeline
 * would pile up. Figures: the median per way over the rounds, and the spread (min–max); and the
 * difference no SDK minus off within each round (median and spread), where the promise is that
 * it straddles zero.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { context, metrics, trace } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { placetel, type WebhookRequest } from '../src';
import { setTelemetryEnabled } from '../src/core/telemetry';
import { machineLine, markdownTable, median } from './report';

type Way = 'off' | 'no SDK' | 'SDK';
const WAYS: readonly Way[] = ['off', 'no SDK', 'SDK'];
const SECRET = 'bench-telemetry-secret';

class Reader extends MetricReader {
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

let serial = 0;

/** `count` distinct signed IncomingCalls. */
function requests(count: number): WebhookRequest[] {
  const made: WebhookRequest[] = [];
  for (let i = 0; i < count; i++) {
    const signed = placetel.placetelRequest(
      {
        call_id: `bench-${process.pid}-${++serial}`,
        event: 'IncomingCall',
        from: '017312345678',
        to: '022129191999',
      },
      SECRET,
    );
    made.push({
      method: 'POST',
      path: '/',
      query: '',
      headers: signed.headers,
      body: Buffer.from(signed.body, 'utf8'),
      scheme: 'https',
      host: 'hooks.example.com',
      remoteAddress: '203.0.113.7',
    });
  }
  return made;
}

/** Sets the process up for `way`; returns what undoes it. */
function arrange(way: Way): () => Promise<void> {
  if (way === 'off') {
    setTelemetryEnabled(false);
    return () => {
      setTelemetryEnabled(true);
      return Promise.resolve();
    };
  }
  if (way === 'no SDK') return () => Promise.resolve();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const meterProvider = new MeterProvider({ readers: [new Reader()] });
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return async () => {
    trace.disable();
    metrics.disable();
    context.disable();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  };
}

/** One batch of `count` requests the `way` way: CPU µs per request. */
async function batch(way: Way, count: number): Promise<number> {
  const calls = placetel
    .createApp({ secret: SECRET, stderr: false })
    .on('IncomingCall', () => placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] }));
  const batchRequests = requests(count);
  const undo = arrange(way);
  // Warm the way up on a few requests of its own (not timed).
  for (const request of requests(50)) {
    await calls.handle(request);
    await new Promise(setImmediate);
  }
  const before = process.cpuUsage();
  for (const request of batchRequests) {
    const reply = await calls.handle(request);
    if (reply.status !== 200 || reply.outcome !== 'handled') {
      throw new Error(`unexpected reply ${reply.status} ${String(reply.outcome)}`);
    }
    await new Promise(setImmediate);
  }
  const used = process.cpuUsage(before);
  await undo();
  await calls.close({ timeoutMs: 0 });
  return (used.user + used.system) / count;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '9' },
      requests: { type: 'string', default: '4000' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`usage: npm run bench:telemetry -- [options]
  --rounds N     rounds; each runs one batch per way, in a rotating order (default 9)
  --requests N   requests per batch (default 4000)
  --json         one JSON line instead of the table`);
    return;
  }
  const rounds = Number(values.rounds);
  const count = Number(values.requests);
  const results = new Map<Way, number[]>(WAYS.map((way) => [way, []]));
  // One untimed round first: the JIT warms up on every way.
  for (const way of WAYS) await batch(way, Math.min(count, 1000));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < WAYS.length; i++) {
      const way = WAYS[(round + i) % WAYS.length] as Way;
      results.get(way)?.push(await batch(way, count));
    }
  }
  const summary = WAYS.map((way) => {
    const samples = results.get(way) ?? [];
    return {
      way,
      median: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
    };
  });
  const off = summary[0]?.median ?? Number.NaN;
  // Paired by round (the batches of one round run back to back): no SDK minus off.
  const offs = results.get('off') ?? [];
  const paired = (results.get('no SDK') ?? []).map((value, round) => value - (offs[round] ?? 0));
  const pairedSummary = {
    median: median(paired),
    min: Math.min(...paired),
    max: Math.max(...paired),
  };
  if (values.json) {
    console.log(JSON.stringify({ rounds, requests: count, summary, noSdkMinusOff: pairedSummary }));
    return;
  }
  console.log(machineLine());
  console.log(
    `${rounds} rounds of ${count} distinct signed Placetel IncomingCalls per way (app.handle, ` +
      'duplicate detection, a Forward answer); CPU µs per request\n',
  );
  console.log(
    markdownTable(
      ['way', 'median µs/request', 'min–max', 'vs. off'],
      summary.map((row) => [
        row.way,
        row.median.toFixed(2),
        `${row.min.toFixed(2)}–${row.max.toFixed(2)}`,
        `${row.median - off >= 0 ? '+' : ''}${(row.median - off).toFixed(2)} µs (${(
          ((row.median - off) / off) *
          100
        ).toFixed(1)} %)`,
      ]),
    ),
  );
  console.log(
    `\nno SDK minus off, paired by round: median ${pairedSummary.median.toFixed(2)} µs, ` +
      `min–max ${pairedSummary.min.toFixed(2)}–${pairedSummary.max.toFixed(2)} µs`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
