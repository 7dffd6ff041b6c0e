/**
 * OpenTelemetry traces and metrics of an app's requests, through `@opentelemetry/api` only (an
 * optional peer dependency: no SDK and no exporter in the package). Nothing to configure: the
 * spans and metrics are recorded once the application registers an OpenTelemetry SDK (a tracer
 * provider, a meter provider or both), and without one nothing is built — each request costs a
 * look at the two global providers (see `docs/observability.md` for the figures).
 *
 * What is recorded (names, attributes, metrics and the trace-per-call mechanism) is described in
 * `docs/observability.md`; the attribute names follow the stable HTTP semantic conventions,
 * https://opentelemetry.io/docs/specs/semconv/http/http-spans/ and
 * https://opentelemetry.io/docs/specs/semconv/http/http-metrics/.
 *
 * `@opentelemetry/api` is required the first time a request is handled; when it is not installed
 * (or fails to load), there is no telemetry and no error.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type * as Api from '@opentelemetry/api';
import type { WebhookEvent, WebhookReply, WebhookRequest } from './types';
import type { GuardedResult } from './store-guard';

/** The instrumentation scope of the tracer and the meter: `'callcontrol'`. */
export const INSTRUMENTATION_NAME = 'callcontrol';

/**
 * Bucket boundaries of the duration histograms, in **seconds**: those the HTTP semantic
 * conventions advise for `http.server.request.duration`
 * (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/#metric-httpserverrequestduration).
 */
export const DURATION_BUCKETS_S: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** The HTTP methods the semantic conventions name; any other is recorded as `_OTHER`. */
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** Longest `server.address` recorded (a `Host` header is the client's to choose): 255 characters. */
const MAX_ADDRESS_LENGTH = 255;

/** `undefined`: not tried yet; `null`: not installed (or failed to load). */
let loadedApi: typeof Api | null | undefined;
/** The internal switch of {@link setTelemetryEnabled}. */
let enabled = true;

/**
 * Turns the telemetry off (`false`) or on again (`true`, the default) for the whole process, as
 * if `@opentelemetry/api` were not installed. Internal: the benchmark (`bench/telemetry.ts`)
 * compares the no-SDK path with this one; applications register no SDK instead.
 *
 * @internal
 */
export function setTelemetryEnabled(on: boolean): void {
  enabled = on;
}

/** `@opentelemetry/api`, required once; `undefined` when it is not installed. Never throws. */
function otelApi(): typeof Api | undefined {
  if (loadedApi === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loadedApi = require('@opentelemetry/api') as typeof Api;
      noopTracerProvider = new loadedApi.ProxyTracerProvider().getDelegate();
      noopMeterClass = (loadedApi.createNoopMeter() as object).constructor;
    } catch {
      loadedApi = null;
    }
  }
  return loadedApi ?? undefined;
}

/** The API's own no-op tracer provider (what a proxy without delegate hands on). */
let noopTracerProvider: Api.TracerProvider | undefined;
/** The class of the API's no-op meter (what the global meter provider gives without an SDK). */
let noopMeterClass: unknown;

/** The metric instruments, made once per registered meter provider. */
interface Instruments {
  readonly requests: Api.Counter;
  readonly duration: Api.Histogram;
  readonly active: Api.UpDownCounter;
  readonly fallbacks: Api.Counter;
  readonly refusals: Api.Counter;
  readonly storeDuration: Api.Histogram;
  readonly storeFailures: Api.Counter;
}

let tracerFor: Api.TracerProvider | undefined;
let tracer: Api.Tracer | undefined;
let metersFor: Api.MeterProvider | undefined;
let instruments: Instruments | undefined;

/** The tracer of the registered SDK; `undefined` without one. */
function currentTracer(api: typeof Api): Api.Tracer | undefined {
  let provider = api.trace.getTracerProvider();
  if (provider instanceof api.ProxyTracerProvider) provider = provider.getDelegate();
  if (provider === noopTracerProvider) return undefined;
  if (provider !== tracerFor) {
    tracerFor = provider;
    tracer = provider.getTracer(INSTRUMENTATION_NAME);
  }
  return tracer;
}

/** The instruments of the registered SDK's meter; `undefined` without one. */
function currentInstruments(api: typeof Api): Instruments | undefined {
  const provider = api.metrics.getMeterProvider();
  if (provider === metersFor) return instruments;
  metersFor = provider;
  const meter = provider.getMeter(INSTRUMENTATION_NAME);
  if ((meter as object).constructor === noopMeterClass) {
    instruments = undefined;
    return undefined;
  }
  const advice = { explicitBucketBoundaries: [...DURATION_BUCKETS_S] };
  instruments = {
    requests: meter.createCounter('callcontrol.requests', {
      description: 'Webhook requests answered',
      unit: '{request}',
    }),
    duration: meter.createHistogram('callcontrol.request.duration', {
      description: 'Time from a webhook request reaching the app to its reply being ready',
      unit: 's',
      advice,
    }),
    active: meter.createUpDownCounter('callcontrol.active_requests', {
      description: 'Webhook requests in the app right now',
      unit: '{request}',
    }),
    fallbacks: meter.createCounter('callcontrol.fallbacks', {
      description: 'Requests answered with the fallback (a handler failed or missed its deadline)',
      unit: '{request}',
    }),
    refusals: meter.createCounter('callcontrol.refusals', {
      description: 'Requests refused with a coded error reply (4xx, 5xx)',
      unit: '{request}',
    }),
    storeDuration: meter.createHistogram('callcontrol.store.duration', {
      description: 'Time of one store call as the app waited for it (bounded by the store guard)',
      unit: 's',
      advice,
    }),
    storeFailures: meter.createCounter('callcontrol.store.failures', {
      description: 'Store calls that failed, timed out or were not made (breaker open)',
      unit: '{call}',
    }),
  };
  return instruments;
}

/**
 * The telemetry of one request, when an SDK is registered (see {@link requestTelemetry}); the
 * app calls it along the pipeline. Never throws.
 */
export interface RequestTelemetry {
  /** The request span's context: what child spans and the handler run under. */
  readonly context: Api.Context | undefined;
  /**
   * Starts the request span (once): with the parsed event, named `callcontrol <provider>
   * <event>` and placed in the call's trace; without (a refusal), `callcontrol <provider>`.
   */
  start(event: WebhookEvent | undefined): void;
  /**
   * Starts the span of one store call (`callcontrol store <operation>`); the function returned
   * ends it with the guard's result and records `callcontrol.store.*`.
   */
  storeCall(operation: string): (result: GuardedResult<unknown>) => void;
  /**
   * Starts the handler span (`callcontrol handler <event>`); `run` runs in its context (the
   * user's own spans nest under it). `end` ends it, with the error code that stands for the
   * handler's answer (a failure or a missed deadline) when there is one.
   */
  handler<T>(eventName: string, run: () => T): { readonly value: T; end(code?: string): void };
  /** Runs `render` in a `callcontrol render` span; what it throws ends the span with ERROR. */
  render(render: () => string): string;
  /**
   * Ends the request span with the reply and records the request metrics. `path` is the path as
   * logged (URL token redacted), `undefined` before the request was authenticated.
   */
  finish(
    received: WebhookRequest,
    event: WebhookEvent | undefined,
    reply: WebhookReply,
    path: string | undefined,
  ): void;
}

/**
 * The telemetry of a request arriving now at an app of `provider`, or `undefined` when no SDK is
 * registered (nothing to record: the request costs nothing more), `@opentelemetry/api` is not
 * installed, or telemetry is switched off ({@link setTelemetryEnabled}). Never throws.
 *
 * @param startedAt - `performance.now()` when the request reached the app, in milliseconds
 */
export function requestTelemetry(
  provider: string,
  startedAt: number,
): RequestTelemetry | undefined {
  if (!enabled) return undefined;
  try {
    const api = otelApi();
    if (api === undefined) return undefined;
    const tracing = currentTracer(api);
    const metering = currentInstruments(api);
    if (tracing === undefined && metering === undefined) return undefined;
    return new CallTelemetry(api, tracing, metering, provider, startedAt);
  } catch {
    return undefined;
  }
}

/**
 * The span context every request of one call is placed under (or linked to): trace id the first
 * 16 bytes of SHA-256 over `<provider>\n<call id>`, span id the next 8, sampled, remote. Each
 * instance computes the same one, without a store round trip; the call id is not readable from
 * it.
 */
export function callSpanContext(provider: string, callId: string): Api.SpanContext {
  const digest = createHash('sha256').update(`${provider}\n${callId}`, 'utf8').digest();
  // An all-zero id is invalid (a chance of 2^-128); the last bit set keeps it valid.
  if (digest.subarray(0, 16).every((byte) => byte === 0)) digest[15] = 1;
  if (digest.subarray(16, 24).every((byte) => byte === 0)) digest[23] = 1;
  return {
    traceId: digest.subarray(0, 16).toString('hex'),
    spanId: digest.subarray(16, 24).toString('hex'),
    traceFlags: 1, // TraceFlags.SAMPLED
    isRemote: true,
  };
}

/** `host` split into `server.address` and `server.port` (`[::1]:3000`, `example.com:8443`). */
function hostAttributes(host: string, into: Api.Attributes): void {
  let address = host;
  let port: number | undefined;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (match !== null) {
    address = (match[1] ?? '').replace(/^\[|\]$/g, '');
    if (match[2] !== undefined) port = Number(match[2]);
  }
  if (address !== '') into['server.address'] = address.slice(0, MAX_ADDRESS_LENGTH);
  if (port !== undefined && port <= 65535) into['server.port'] = port;
}

class CallTelemetry implements RequestTelemetry {
  context: Api.Context | undefined;
  #span: Api.Span | undefined;
  #eventName: string | undefined;
  readonly #api: typeof Api;
  readonly #tracer: Api.Tracer | undefined;
  readonly #instruments: Instruments | undefined;
  readonly #provider: string;
  readonly #startedAt: number;

  constructor(
    api: typeof Api,
    tracing: Api.Tracer | undefined,
    metering: Instruments | undefined,
    provider: string,
    startedAt: number,
  ) {
    this.#api = api;
    this.#tracer = tracing;
    this.#instruments = metering;
    this.#provider = provider;
    this.#startedAt = startedAt;
    metering?.active.add(1, { 'callcontrol.provider': provider });
  }

  start(event: WebhookEvent | undefined): void {
    if (this.#span !== undefined || this.#tracer === undefined) return;
    try {
      const api = this.#api;
      const active = api.context.active();
      const parent = api.trace.getSpanContext(active);
      const hasParent = parent !== undefined && api.trace.isSpanContextValid(parent);
      let context = active;
      let links: Api.Link[] | undefined;
      const attributes: Api.Attributes = { 'callcontrol.provider': this.#provider };
      if (event !== undefined) {
        this.#eventName = event.name;
        attributes['callcontrol.event'] = event.name;
        if (event.callId !== '') {
          attributes['callcontrol.call_id'] = event.callId;
          const call = callSpanContext(this.#provider, event.callId);
          // Under the host's own HTTP server span: kept as the parent, the call linked.
          if (hasParent) links = [{ context: call }];
          else context = api.trace.setSpanContext(active, call);
        }
      }
      const span = this.#tracer.startSpan(
        event === undefined
          ? `callcontrol ${this.#provider}`
          : `callcontrol ${this.#provider} ${event.name}`,
        {
          kind: hasParent ? api.SpanKind.INTERNAL : api.SpanKind.SERVER,
          // performance.now() on the epoch: the time the request reached the app.
          startTime: performance.timeOrigin + this.#startedAt,
          attributes,
          ...(links === undefined ? {} : { links }),
        },
        context,
      );
      this.#span = span;
      this.context = api.trace.setSpan(active, span);
    } catch {
      // A failing SDK must not take the reply down with it.
    }
  }

  storeCall(operation: string): (result: GuardedResult<unknown>) => void {
    const from = performance.now();
    let span: Api.Span | undefined;
    if (this.#tracer !== undefined && this.context !== undefined && this.#span?.isRecording()) {
      try {
        span = this.#tracer.startSpan(
          `callcontrol store ${operation}`,
          {
            kind: this.#api.SpanKind.INTERNAL,
            attributes: { 'callcontrol.store.operation': operation },
          },
          this.context,
        );
      } catch {
        span = undefined;
      }
    }
    return (result) => {
      try {
        const outcome = result.ok ? 'ok' : result.reason;
        if (span !== undefined) {
          if (!result.ok) {
            span.setAttribute('error.type', result.reason);
            span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: result.reason });
          }
          span.end();
        }
        const metrics = this.#instruments;
        if (metrics !== undefined) {
          metrics.storeDuration.record((performance.now() - from) / 1000, {
            'callcontrol.provider': this.#provider,
            'callcontrol.store.operation': operation,
            'callcontrol.store.outcome': outcome,
          });
          if (!result.ok) {
            metrics.storeFailures.add(1, {
              'callcontrol.provider': this.#provider,
              'callcontrol.store.operation': operation,
              'error.type': result.reason,
            });
          }
        }
      } catch {
        // A failing SDK must not take the reply down with it.
      }
    };
  }

  handler<T>(eventName: string, run: () => T): { readonly value: T; end(code?: string): void } {
    let span: Api.Span | undefined;
    let context: Api.Context | undefined;
    if (this.#tracer !== undefined && this.context !== undefined) {
      try {
        span = this.#tracer.startSpan(
          `callcontrol handler ${eventName}`,
          { kind: this.#api.SpanKind.INTERNAL },
          this.context,
        );
        context = this.#api.trace.setSpan(this.context, span);
      } catch {
        span = undefined;
      }
    }
    const value = context === undefined ? run() : this.#api.context.with(context, run);
    let ended = false;
    return {
      value,
      end: (code?: string) => {
        if (ended || span === undefined) return;
        ended = true;
        try {
          if (code !== undefined && span.isRecording()) {
            span.setAttributes({ 'callcontrol.error_code': code, 'error.type': code });
            span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: code });
          }
          span.end();
        } catch {
          // A failing SDK must not take the reply down with it.
        }
      },
    };
  }

  render(render: () => string): string {
    if (this.#tracer === undefined || this.context === undefined || !this.#span?.isRecording()) {
      return render();
    }
    let span: Api.Span | undefined;
    try {
      span = this.#tracer.startSpan(
        'callcontrol render',
        { kind: this.#api.SpanKind.INTERNAL },
        this.context,
      );
    } catch {
      return render();
    }
    try {
      return render();
    } catch (error) {
      try {
        const code = codeOf(error);
        span.setAttribute('error.type', code);
        span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: code });
      } catch {
        // A failing SDK must not take the reply down with it.
      }
      throw error;
    } finally {
      try {
        span.end();
      } catch {
        // A failing SDK must not take the reply down with it.
      }
    }
  }

  finish(
    received: WebhookRequest,
    event: WebhookEvent | undefined,
    reply: WebhookReply,
    path: string | undefined,
  ): void {
    try {
      this.#finish(received, event, reply, path);
    } catch {
      // A failing SDK (or a request whose fields throw when read) must not take the reply down.
    }
  }

  #finish(
    received: WebhookRequest,
    event: WebhookEvent | undefined,
    reply: WebhookReply,
    path: string | undefined,
  ): void {
    const outcome = reply.outcome ?? (reply.status < 400 ? 'handled' : 'refused');
    const code = reply.code;
    const eventName = event?.name ?? this.#eventName;
    const failed = outcome === 'refused' || outcome === 'fallback' || reply.status >= 500;
    const metrics = this.#instruments;
    if (metrics !== undefined) {
      const provider = this.#provider;
      metrics.active.add(-1, { 'callcontrol.provider': provider });
      const attributes: Api.Attributes = {
        'callcontrol.provider': provider,
        'callcontrol.outcome': outcome,
        'http.response.status_code': reply.status,
      };
      if (eventName !== undefined) attributes['callcontrol.event'] = eventName;
      metrics.requests.add(1, attributes);
      metrics.duration.record((performance.now() - this.#startedAt) / 1000, attributes);
      if (outcome === 'fallback' || outcome === 'refused') {
        const coded: Api.Attributes = {
          'callcontrol.provider': provider,
          'callcontrol.error_code': code ?? String(reply.status),
        };
        if (eventName !== undefined) coded['callcontrol.event'] = eventName;
        (outcome === 'fallback' ? metrics.fallbacks : metrics.refusals).add(1, coded);
      }
    }
    if (this.#tracer === undefined) return;
    if (this.#span === undefined) this.start(event);
    const span = this.#span;
    if (span === undefined) return;
    if (span.isRecording()) {
      const method = String(received.method);
      const attributes: Api.Attributes = {
        'callcontrol.outcome': outcome,
        'http.request.method': KNOWN_METHODS.has(method) ? method : '_OTHER',
        'http.response.status_code': reply.status,
      };
      if (code !== undefined) attributes['callcontrol.error_code'] = code;
      if (failed) attributes['error.type'] = code ?? String(reply.status);
      // Only once authenticated, as logged: before, the path may hold a URL token.
      if (path !== undefined) attributes['url.path'] = path;
      if (received.scheme !== undefined) attributes['url.scheme'] = received.scheme;
      if (typeof received.host === 'string') hostAttributes(received.host, attributes);
      if (typeof received.remoteAddress === 'string') {
        attributes['client.address'] = received.remoteAddress;
      }
      span.setAttributes(attributes);
      if (failed) {
        span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: code ?? outcome });
      }
    }
    span.end();
  }
}

/** The code of a thrown coded error, else `'CC_ERR_HANDLER_FAILED'`; never throws. */
function codeOf(error: unknown): string {
  try {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : 'CC_ERR_HANDLER_FAILED';
  } catch {
    return 'CC_ERR_HANDLER_FAILED';
  }
}
