/**
 * The bugs the property tests must catch: each is an exact text replacement in one production
 * file (every `from` must occur exactly once), and the property test files that must then fail.
 * `run-plants.mjs` applies them one at a time to a scratch copy of the working tree.
 *
 * A plant whose `from` text no longer occurs (the code changed) is reported as "no longer
 * applies": write it again against the new code.
 *
 * @typedef {object} Plant
 * @property {string} id - short name, unique
 * @property {string} group - the property file's topic: auth, limits, deadline, throws, store;
 *   inspector (the live inspector's promises, caught by its own tests); telemetry (the
 *   OpenTelemetry spans and metrics, caught by test/telemetry/)
 * @property {string} bug - what the plant breaks, in words
 * @property {string} file - the production file, relative to the repository root
 * @property {ReadonlyArray<readonly [string, string]>} edits - `[from, to]` text replacements
 * @property {readonly string[]} tests - the test files to run (relative paths)
 * @property {string} [names] - jest `-t` pattern: only the tests expected to catch it
 */

const AUTH = ['test/property/auth.property.test.ts'];
const LIMITS = ['test/property/limits.property.test.ts'];
const DEADLINE = ['test/property/deadline.property.test.ts'];
const THROWS = ['test/property/hostile-handlers.property.test.ts'];
const INSPECTOR = ['test/inspector/inspector.test.ts'];
/** `handle()`'s last line of defence: whatever the pipeline threw becomes the fallback. */
const NO_RESCUE = /** @type {const} */ ([
  'reply = this.#rescue(error, received, trace);',
  'throw error;',
]);

/** @type {readonly Plant[]} */
export const PLANTS = [
  {
    id: 'signature-always-true',
    group: 'auth',
    bug: 'the HMAC comparison always succeeds',
    file: 'src/providers/placetel/verify.ts',
    edits: [['ok = timingSafeEqual(expected, givenBytes) || ok;', 'ok = expected.length > 0;']],
    tests: AUTH,
    names: 'Placetel signature',
  },
  {
    id: 'signature-prefix',
    group: 'auth',
    bug: 'a truncated signature verifies when it is a prefix of the right one',
    file: 'src/providers/placetel/verify.ts',
    edits: [
      [
        'if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;',
        'if (!/^(?:[0-9a-fA-F]{2}){1,32}$/.test(given)) return false;',
      ],
      [
        'ok = timingSafeEqual(expected, givenBytes) || ok;',
        'ok = timingSafeEqual(expected.subarray(0, givenBytes.length), givenBytes) || ok;',
      ],
    ],
    tests: AUTH,
    names: 'Placetel signature',
  },
  {
    id: 'signature-missing-passes',
    group: 'auth',
    bug: 'a request without signature header passes',
    file: 'src/providers/placetel/verify.ts',
    edits: [
      [
        "if (signature === undefined || signature === '') {",
        "if (signature === undefined || signature === '') return;\n    if (signature === null) {",
      ],
    ],
    tests: AUTH,
    names: 'Placetel signature',
  },
  {
    id: 'basic-any-password',
    group: 'auth',
    bug: 'any basic-auth password is accepted',
    file: 'src/core/auth.ts',
    edits: [
      [
        'for (const pair of expected) ok = safeEqual(given, pair) || ok;',
        'for (const pair of expected) ok = pair.length >= 0;',
      ],
    ],
    tests: AUTH,
    names: 'basic auth',
  },
  {
    id: 'basic-prefix',
    group: 'auth',
    bug: 'a prefix of the credentials (an empty password too) is accepted',
    file: 'src/core/auth.ts',
    edits: [
      [
        'for (const pair of expected) ok = safeEqual(given, pair) || ok;',
        'for (const pair of expected) ok = pair.subarray(0, given.length).equals(given) || ok;',
      ],
    ],
    tests: AUTH,
    names: 'basic auth',
  },
  {
    id: 'basic-case-insensitive',
    group: 'auth',
    bug: 'credentials are compared ignoring case',
    file: 'src/core/auth.ts',
    edits: [
      [
        'for (const pair of expected) ok = safeEqual(given, pair) || ok;',
        "for (const pair of expected) ok = safeEqual(given.toString('utf8').toLowerCase(), pair.toString('utf8').toLowerCase()) || ok;",
      ],
    ],
    tests: AUTH,
    names: 'basic auth',
  },
  {
    id: 'token-kept-in-query',
    group: 'auth',
    bug: 'the URL token parameter stays in the query handed on',
    file: 'src/core/auth.ts',
    edits: [
      [
        "return { ...request, query: kept.join('&') };",
        'return { ...request, query: request.query };',
      ],
    ],
    tests: AUTH,
    names: 'URL token',
  },
  {
    id: 'token-kept-in-path',
    group: 'auth',
    bug: 'the URL token segment stays in the path handed on',
    file: 'src/core/auth.ts',
    edits: [
      [
        "return { ...request, path: match?.[2] ?? '/' };",
        'return { ...request, path: request.path };',
      ],
    ],
    tests: AUTH,
    names: 'URL token',
  },
  {
    id: 'token-any',
    group: 'auth',
    bug: 'any non-empty URL token is accepted',
    file: 'src/core/auth.ts',
    edits: [
      [
        'for (const token of tokens) ok = safeEqual(given, token) || ok;',
        'for (const token of tokens) ok = token.length > 0;',
      ],
    ],
    tests: AUTH,
    names: 'URL token',
  },
  {
    id: 'fields-limit-raised',
    group: 'limits',
    bug: 'MAX_FIELDS raised to 1,000,000',
    file: 'src/core/body.ts',
    edits: [['export const MAX_FIELDS = 1000;', 'export const MAX_FIELDS = 1_000_000;']],
    tests: LIMITS,
    names: 'field limit',
  },
  {
    id: 'fields-form-uncounted',
    group: 'limits',
    bug: 'decodeForm (forms and queries) does not count fields',
    file: 'src/core/body.ts',
    edits: [
      [
        'if (++count > MAX_FIELDS) throw tooManyFields();\n    if (!(key in fields))',
        '++count;\n    if (!(key in fields))',
      ],
    ],
    tests: LIMITS,
    names: 'field limit',
  },
  {
    id: 'fields-json-uncounted',
    group: 'limits',
    bug: 'flattenJson (Opentact) does not count values',
    file: 'src/core/body.ts',
    edits: [
      [
        'if (++count > MAX_FIELDS) throw tooManyFields();\n    if (item === null)',
        '++count;\n    if (item === null)',
      ],
    ],
    tests: LIMITS,
    names: 'opentact field limit',
  },
  {
    id: 'body-limit-node',
    group: 'limits',
    bug: 'the node:http/Express adapter reads bodies without limit',
    file: 'src/adapters/node.ts',
    edits: [['limit: app.bodyLimitBytes,', 'limit: Infinity,']],
    tests: LIMITS,
    names: 'body limit',
  },
  {
    id: 'body-limit-fetch',
    group: 'limits',
    bug: 'the Fetch adapter reads bodies without limit',
    file: 'src/adapters/fetch.ts',
    edits: [['const limit = app.bodyLimitBytes;', 'const limit = Infinity;']],
    tests: LIMITS,
    names: 'body limit',
  },
  {
    id: 'deadline-race-removed',
    group: 'deadline',
    bug: 'the handler is awaited without its deadline',
    file: 'src/core/app.ts',
    edits: [
      [
        'const answered = await within(answering, remaining());',
        'const answered = await answering;',
      ],
    ],
    tests: DEADLINE,
    names: 'answer deadline',
  },
  {
    id: 'deadline-late',
    group: 'deadline',
    bug: 'the deadline fires 1500 ms late',
    file: 'src/core/app.ts',
    edits: [
      [
        'timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));',
        'timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms) + 1500);',
      ],
    ],
    tests: DEADLINE,
    names: 'answer deadline',
  },
  {
    id: 'deadline-event-ignored',
    group: 'deadline',
    bug: "an event's own timeoutMs (events option) is ignored",
    file: 'src/core/app.ts',
    edits: [
      [
        'const deadline = startedAt + (this.#eventTimeoutMs.get(event.name) ?? this.#timeoutMs);',
        'const deadline = startedAt + this.#timeoutMs;',
      ],
    ],
    tests: DEADLINE,
    names: 'answer deadline',
  },
  {
    id: 'store-unbounded',
    group: 'store',
    bug: 'store calls are waited for without bound',
    file: 'src/core/store-guard.ts',
    edits: [['}, boundMs);', '}, boundMs * 1e6);']],
    tests: DEADLINE,
    names: 'store that stalls',
  },
  {
    id: 'store-claim-ignores-deadline',
    group: 'store',
    bug: 'the claim is bounded by 500 ms, not by what is left of the deadline',
    file: 'src/core/app.ts',
    edits: [['Math.min(STORE_TIMEOUT_MS, left / 2),', 'STORE_TIMEOUT_MS,']],
    tests: DEADLINE,
    names: 'store that stalls',
  },
  {
    id: 'store-reported-per-request',
    group: 'store',
    bug: 'CC_ERR_STORE_UNAVAILABLE reported for every failed call, not once per outage',
    file: 'src/core/app.ts',
    edits: [['if (!result.ok && result.outageStarted) {', 'if (!result.ok) {']],
    tests: DEADLINE,
    names: 'store that stalls',
  },
  {
    id: 'throws-string-unrescued',
    group: 'throws',
    bug: "the handler's failure described with String(error), and no rescue in handle()",
    file: 'src/core/app.ts',
    edits: [
      NO_RESCUE,
      [
        '`The ${eventName} handler failed: ${describeThrown(error)}`,',
        '`The ${eventName} handler failed: ${String(error)}`,',
      ],
    ],
    tests: THROWS,
  },
  {
    id: 'throws-onerror-unguarded',
    group: 'throws',
    bug: 'what an onError handler throws propagates (and no rescue in handle())',
    file: 'src/core/app.ts',
    edits: [
      NO_RESCUE,
      [
        '} catch {\n        // An error handler that fails must not take the reply down with it.\n      }',
        '} catch (thrown) {\n        throw thrown;\n      }',
      ],
    ],
    tests: THROWS,
  },
  {
    id: 'throws-observer-unreported',
    group: 'throws',
    bug: "an onAny observer's failure is not reported",
    file: 'src/core/app.ts',
    edits: [
      [
        "this.#report(wrapHandlerError(error, event.name), request, event, 'error');",
        'void error;',
      ],
    ],
    tests: THROWS,
  },
  {
    id: 'throws-coded-passed-on',
    group: 'throws',
    bug: 'a coded error a handler throws is reported with its own code, not CC_ERR_HANDLER_FAILED',
    file: 'src/core/app.ts',
    edits: [
      [
        "if (error instanceof CallControlError && error.code === 'CC_ERR_HANDLER_RESULT') return error;",
        'if (error instanceof CallControlError) return error;',
      ],
    ],
    tests: THROWS,
  },
  {
    id: 'throws-look-alike-passed-on',
    group: 'throws',
    bug: 'an Error posing as CallControlError (name and code) reaches onError as it is',
    file: 'src/core/app.ts',
    edits: [
      [
        "if (error instanceof CallControlError && error.code === 'CC_ERR_HANDLER_RESULT') return error;",
        "if (isCallControlError(error) && error.code === 'CC_ERR_HANDLER_RESULT') return error;",
      ],
    ],
    tests: THROWS,
  },
  {
    id: 'inspector-served-in-production',
    group: 'inspector',
    bug: 'the inspector is served with NODE_ENV=production without being enabled',
    file: 'src/inspector/index.ts',
    edits: [
      [
        'const enabled = options.enabled ?? !production;',
        'const enabled = options.enabled ?? true;',
      ],
    ],
    tests: INSPECTOR,
    names: 'production',
  },
  {
    id: 'inspector-token-unchecked',
    group: 'inspector',
    bug: 'a request without the inspector token is let through',
    file: 'src/inspector/index.ts',
    edits: [['    if (token === undefined) return true;', "    if (token !== '') return true;"]],
    tests: INSPECTOR,
    names: 'token',
  },
  {
    id: 'inspector-headers-unmasked',
    group: 'inspector',
    bug: 'the observed request carries its headers as received (Authorization, signatures, cookies)',
    file: 'src/core/observe.ts',
    edits: [
      [
        '    request,\n',
        '    request: { ...request, headers: received.headers as Record<string, string> },\n',
      ],
    ],
    tests: INSPECTOR,
    names: 'masked',
  },
  {
    id: 'inspector-event-unmasked',
    group: 'inspector',
    bug: 'the typed event keeps a URL token a field echoes',
    file: 'src/core/observe.ts',
    edits: [
      [
        'typedEvent = masked(json, secrets) as Record<string, unknown>;',
        'typedEvent = json as Record<string, unknown>;',
      ],
    ],
    tests: INSPECTOR,
    names: 'masked',
  },
  {
    id: 'inspector-no-count-bound',
    group: 'inspector',
    bug: 'the buffer keeps more than maxEntries',
    file: 'src/inspector/index.ts',
    edits: [
      [
        'if (buffer.length <= maxEntries && now - oldest.at <= maxAgeMs) break;',
        'if (now - oldest.at <= maxAgeMs) break;',
      ],
    ],
    tests: INSPECTOR,
    names: 'maxEntries',
  },
  {
    id: 'inspector-no-age-bound',
    group: 'inspector',
    bug: 'the buffer keeps exchanges older than maxAgeMs',
    file: 'src/inspector/index.ts',
    edits: [
      [
        'if (buffer.length <= maxEntries && now - oldest.at <= maxAgeMs) break;',
        'if (buffer.length <= maxEntries) break;',
      ],
    ],
    tests: INSPECTOR,
    names: 'maxAgeMs',
  },
  {
    id: 'inspector-replay-as-retry',
    group: 'inspector',
    bug: 'a replay goes through duplicate detection, so the handler does not run again',
    file: 'src/inspector/index.ts',
    edits: [['replayOptions.asRetry === true ? {} : { duplicates: false },', '{},']],
    tests: INSPECTOR,
    names: 'replay',
  },
  {
    id: 'observe-always-built',
    group: 'inspector',
    bug: 'the exchange is built for observers even when there is none',
    file: 'src/core/app.ts',
    edits: [
      [
        '      if (this.#observers.size > 0) {\n        this.#notify(',
        '      if (this.#observers.size >= 0) {\n        this.#notify(',
      ],
    ],
    tests: INSPECTOR,
    names: 'observer',
  },
  {
    id: 'span-name-without-event',
    group: 'telemetry',
    bug: 'the request span is named without its event',
    file: 'src/core/telemetry.ts',
    edits: [
      [': `callcontrol ${this.#provider} ${event.name}`,', ': `callcontrol ${this.#provider}`,'],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'is named after',
  },
  {
    id: 'trace-not-derived',
    group: 'telemetry',
    bug: "a request span gets a trace of its own instead of the call's derived one",
    file: 'src/core/telemetry.ts',
    edits: [['else context = api.trace.setSpanContext(active, call);', 'else context = active;']],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'one trace per call',
  },
  {
    id: 'trace-no-link',
    group: 'telemetry',
    bug: "under the host's HTTP span, the call is not linked",
    file: 'src/core/telemetry.ts',
    edits: [['if (hasParent) links = [{ context: call }];', 'if (hasParent) links = undefined;']],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'linked',
  },
  {
    id: 'trace-kind-server-under-parent',
    group: 'telemetry',
    bug: "under the host's HTTP span, the request span is SERVER too",
    file: 'src/core/telemetry.ts',
    edits: [
      [
        'kind: hasParent ? api.SpanKind.INTERNAL : api.SpanKind.SERVER,',
        'kind: api.SpanKind.SERVER,',
      ],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'linked',
  },
  {
    id: 'handler-outside-context',
    group: 'telemetry',
    bug: "the handler does not run in its span's context: user spans do not nest",
    file: 'src/core/telemetry.ts',
    edits: [
      [
        'const value = context === undefined ? run() : this.#api.context.with(context, run);',
        'const value = run();',
      ],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'nests',
  },
  {
    id: 'attributes-leak-path-query',
    group: 'telemetry',
    bug: 'the path as received (URL token included) and the query go into attributes',
    file: 'src/core/telemetry.ts',
    edits: [
      [
        "if (path !== undefined) attributes['url.path'] = path;",
        "attributes['url.path'] = path ?? received.path; attributes['url.query'] = received.query;",
      ],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'secret',
  },
  {
    id: 'status-not-error',
    group: 'telemetry',
    bug: "refusals and fallbacks leave the request span's status unset",
    file: 'src/core/telemetry.ts',
    edits: [
      [
        'span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: code ?? outcome });',
        'void outcome;',
      ],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'ERROR',
  },
  {
    id: 'no-error-code',
    group: 'telemetry',
    bug: 'the request span has no callcontrol.error_code',
    file: 'src/core/telemetry.ts',
    edits: [["if (code !== undefined) attributes['callcontrol.error_code'] = code;", '']],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'code',
  },
  {
    id: 'outcome-from-status',
    group: 'telemetry',
    bug: 'the outcome is read off the status: no duplicate, no fallback',
    file: 'src/core/telemetry.ts',
    edits: [
      [
        "const outcome = reply.outcome ?? (reply.status < 400 ? 'handled' : 'refused');",
        "const outcome = reply.status < 400 ? 'handled' : 'refused';",
      ],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'duplicate|fallback',
  },
  {
    id: 'store-span-no-error',
    group: 'telemetry',
    bug: "a failed store call's span has no ERROR status",
    file: 'src/core/telemetry.ts',
    edits: [
      ['span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: result.reason });', ''],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'failing store',
  },
  {
    id: 'store-failures-uncounted',
    group: 'telemetry',
    bug: 'callcontrol.store.failures is not counted',
    file: 'src/core/telemetry.ts',
    edits: [['metrics.storeFailures.add(1, {', 'metrics.storeFailures.add(0, {']],
    tests: ['test/telemetry/metrics.test.ts'],
    names: 'store call',
  },
  {
    id: 'duration-in-ms',
    group: 'telemetry',
    bug: 'callcontrol.request.duration recorded in milliseconds',
    file: 'src/core/telemetry.ts',
    edits: [
      [
        'metrics.duration.record((performance.now() - this.#startedAt) / 1000, attributes);',
        'metrics.duration.record(performance.now() - this.#startedAt, attributes);',
      ],
    ],
    tests: ['test/telemetry/metrics.test.ts'],
    names: 'seconds',
  },
  {
    id: 'active-never-decremented',
    group: 'telemetry',
    bug: 'callcontrol.active_requests never goes down',
    file: 'src/core/telemetry.ts',
    edits: [["metrics.active.add(-1, { 'callcontrol.provider': provider });", '']],
    tests: ['test/telemetry/metrics.test.ts'],
    names: 'in flight',
  },
  {
    id: 'fallbacks-as-refusals',
    group: 'telemetry',
    bug: 'fallbacks are counted in callcontrol.refusals',
    file: 'src/core/telemetry.ts',
    edits: [
      [
        "(outcome === 'fallback' ? metrics.fallbacks : metrics.refusals).add(1, coded);",
        'metrics.refusals.add(1, coded);',
      ],
    ],
    tests: ['test/telemetry/metrics.test.ts'],
    names: 'fallbacks and refusals',
  },
  {
    id: 'no-render-span',
    group: 'telemetry',
    bug: 'rendering has no span',
    file: 'src/core/app.ts',
    edits: [
      [
        ': telemetry.render(() => this.#provider.render(answer, event)),',
        ': this.#provider.render(answer, event),',
      ],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'children',
  },
  {
    id: 'no-store-spans',
    group: 'telemetry',
    bug: 'store calls have no spans (nor metrics)',
    file: 'src/core/app.ts',
    edits: [
      [
        '    const stored = this.#traced?.get(event)?.storeCall(operation);\n    return this.#guard.run(boundMs, run).then((result) => {\n      stored?.(result);\n      if (result.ok) return result.value;',
        '    const stored = undefined as ((r: unknown) => void) | undefined;\n    return this.#guard.run(boundMs, run).then((result) => {\n      stored?.(result);\n      if (result.ok) return result.value;',
      ],
    ],
    tests: ['test/telemetry/spans.test.ts'],
    names: 'children',
  },
  {
    id: 'telemetry-without-sdk',
    group: 'telemetry',
    bug: 'without an SDK the no-op tracer is taken for one and telemetry is built per request',
    file: 'src/core/telemetry.ts',
    edits: [['  if (provider === noopTracerProvider) return undefined;\n', '']],
    tests: ['test/telemetry/no-sdk.test.ts'],
    names: 'nothing registered',
  },
  {
    id: 'fail-not-recorded',
    group: 'telemetry',
    bug: 'a refusal reported by an adapter (fail) is not recorded',
    file: 'src/core/app.ts',
    edits: [
      [
        '    const telemetry = requestTelemetry(this.#provider.name, performance.now());\n    const reply = this.#refuse(error, request);',
        '    const telemetry = undefined as ReturnType<typeof requestTelemetry>;\n    const reply = this.#refuse(error, request);',
      ],
    ],
    tests: ['test/telemetry/metrics.test.ts'],
    names: 'adapter refusal',
  },
  {
    id: 'api-require-unguarded',
    group: 'telemetry',
    bug: 'a missing @opentelemetry/api throws out of the request path',
    file: 'src/core/telemetry.ts',
    edits: [
      ['    } catch {\n      loadedApi = null;\n    }', '    } finally {\n      void 0;\n    }'],
      [
        '    return new CallTelemetry(api, tracing, metering, provider, startedAt);\n  } catch {\n    return undefined;\n  }',
        '    return new CallTelemetry(api, tracing, metering, provider, startedAt);\n  } finally {\n    void 0;\n  }',
      ],
    ],
    tests: ['test/telemetry/no-sdk.test.ts'],
    names: 'not installed|installed',
  },
];
