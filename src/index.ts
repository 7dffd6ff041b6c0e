/**
 * callcontrol: typed, verified call-control webhooks for telephony providers.
 *
 * - `placetel`: Placetel Call Control / Notify API (`placetel.createApp`, `placetel.forward`, …)
 * - `ozeki`: Ozeki Phone System notifications, OzML (`ozeki.createApp`, `ozeki.userInput`, …)
 *   and its outbound command API (`ozeki.createOzekiClient`)
 * - `opentact`: Opentact call-flow requests, Gather follow-ups, events, Opentact XML
 *   (`opentact.createApp`, `opentact.gather`, …) and pushing XML to a live call
 *   (`opentact.createOpentactClient`)
 * - `sipgate`: sipgate.io Push API, its XML answers and its RSA signatures (`sipgate.createApp`,
 *   `sipgate.dial`, …)
 * - `voipnow`: 4PSA VoipNow Call Events and Call Interactive (`voipnow.createApp`,
 *   `voipnow.jump`, …)
 * - provider-neutral call flows: {@link createFlow} (write a flow once, `flow.mount(app)` on
 *   every provider that can express it), {@link flowCapabilities}; guide `docs/flows.md`
 * - the registry: {@link PROVIDERS}, one {@link ProviderPlugin} per provider (what the
 *   `callcontrol` command and the test kit know of it), {@link findProvider}
 * - core: {@link CallControlError} and its codes, the {@link WebhookApp} every provider app is,
 *   and the Express adapter's helpers for body parsers mounted in front of it
 *   ({@link bodyParserOptions}, {@link createExpressErrorHandler}, {@link captureRawBody}).
 *
 * @module
 */
// The provider namespaces (`placetel`, `sipgate`, …) and the registry that lists them.
export * from './providers/registry';
export type {
  CommonSimulateOption,
  ProviderPlugin,
  ProviderTestKit,
  ProviderTestRequests,
  ScenarioReply,
  SignedTarget,
  SigningOption,
  SimulateArguments,
  SimulateCommand,
  SimulateOption,
  TestKitClient,
  TestKitSigning,
  ValidateCommandOption,
} from './providers/plugin';
export { defineProviderPlugin } from './providers/plugin';
// Provider-neutral call flows: createFlow, the neutral events and answers, the capability matrix.
export * from './flow';
export {
  CallControlError,
  ERROR_CODES,
  isCallControlError,
  type CallControlErrorOptions,
  type ErrorCode,
  type ErrorCodeInfo,
} from './core/errors';
export {
  RedisStore,
  type RedisClusterStoreOptions,
  type RedisSentinelStoreOptions,
  type RedisStoreOptions,
} from './stores/redis';
export {
  MemoryStore,
  type CallStore,
  type ClaimResult,
  type MemoryStoreOptions,
  type RecordedClaim,
  type RecordWrite,
  type StoredReply,
} from './core/store';
export {
  commonAppOptions,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_DUPLICATE_TTL_MS,
  DEFAULT_ENDED_SESSION_TTL_MS,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_SESSION_TTL_MS,
  DEFAULT_TIMEOUT_MS,
  DRAIN_MARGIN_MS,
  STORE_CLOSE_TIMEOUT_MS,
  type DrainOptions,
  type DrainResult,
  type CommonAppOptions,
  type DuplicateOptions,
  type EventOptions,
  XML_CONTENT_TYPE,
  type EventHandler,
  type ErrorHandler,
  type EventMap,
  type ParseContext,
  type ProviderDefinition,
  type WebhookAppOptions,
} from './core/app';
export {
  commonAuthenticators,
  createBasicAuth,
  createSourceAllowlist,
  createUrlToken,
  safeEqual,
  type BasicAuthCredentials,
  type BasicAuthOptions,
  type CommonSecurityOptions,
  type SourceAllowlistOptions,
  type UrlTokenOptions,
} from './core/auth';
export {
  LATE_AFTER_MS,
  REQUEST_LOG_MESSAGE,
  type CallControlLogger,
  type RequestLogLine,
} from './core/log';
export {
  DEFAULT_RECORD_MAX_BYTES,
  SIGNATURE_HEADERS,
  type RecordedExchange,
  type RecordOptions,
} from './core/record';
export type { ExchangeObserver, ObservedExchange } from './core/observe';
export type { HandleOptions } from './core/app';
// The live inspector for development (docs/inspector.md).
export {
  createInspector,
  DEFAULT_INSPECTOR_MAX_AGE_MS,
  DEFAULT_INSPECTOR_MAX_ENTRIES,
  INSPECTOR_COOKIE,
  type InspectableApp,
  type Inspector,
  type InspectorEntry,
  type InspectorHandler,
  type InspectorOptions,
  type ReplayOptions,
  type WatchOptions,
} from './inspector';
export type { FieldMap } from './core/body';
export {
  checkPublicUrl,
  createPublicUrlResolver,
  requestPublicUrl,
  type PublicUrlOptions,
} from './core/public-url';
export { renderXml, assertXmlText, type XmlElement, type RenderXmlOptions } from './core/xml';
export type {
  Authenticator,
  CallSession,
  SessionValue,
  ErrorContext,
  HandlerContext,
  WebhookEvent,
  WebhookReply,
  WebhookRequest,
  RequestUrlContext,
} from './core/types';
export {
  bodyParserOptions,
  captureRawBody,
  createExpressErrorHandler,
  createExpressMiddleware,
  type AdaptableApp,
  type BodyParserOptions,
  type ExpressErrorMiddleware,
  type ExpressMiddleware,
} from './adapters/express';
export { createNodeHandler, type NodeHandler } from './adapters/node';
export { routeWebhooks, type RequestListener } from './adapters/route-webhooks';
// `WebhookApp` and `createWebhookApp` of the package: the app with its adapter methods (the
// core's own class, without them, is its base; see docs/architecture.md).
export {
  CallControlApp,
  CallControlApp as WebhookApp,
  createCallControlApp,
  createCallControlApp as createWebhookApp,
} from './adapters/app';
export { createFetchHandler, type FetchHandler, type FetchHandlerOptions } from './adapters/fetch';
export {
  API_HELMET_OPTIONS,
  type SecurityHeaders,
  type SecurityHeadersOption,
  type SecurityHeadersOptions,
} from './adapters/security-headers';
export {
  createFastifyPlugin,
  type CallControlFastifyPlugin,
  type FastifyAdapterOptions,
} from './adapters/fastify';
export type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  ValueCheck,
  ValueIssue,
  XAttribute,
  XElement,
} from './validate/types';
export {
  validateAnswer,
  VALIDATE_PROVIDERS,
  type Problem,
  type Severity,
  type ValidateOptions,
  type ValidateProvider,
  type ValidationResult,
} from './validate';
