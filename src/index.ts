/**
 * callcontrol: typed, verified call-control webhooks for telephony providers.
 *
 * - `placetel`: Placetel Call Control / Notify API (`placetel.createApp`, `placetel.forward`, …)
 * - core: {@link CallControlError} and its codes, the {@link WebhookApp} every provider app is,
 *   and the Express adapter's {@link captureRawBody} hook.
 *
 * @module
 */
export * as placetel from './providers/placetel';
export {
  CallControlError,
  ERROR_CODES,
  isCallControlError,
  type CallControlErrorOptions,
  type ErrorCode,
  type ErrorCodeInfo,
} from './core/errors';
export {
  WebhookApp,
  createWebhookApp,
  DEFAULT_BODY_LIMIT_BYTES,
  XML_CONTENT_TYPE,
  type EventHandler,
  type ErrorHandler,
  type EventMap,
  type ProviderDefinition,
  type WebhookAppOptions,
} from './core/app';
export {
  createBasicAuth,
  safeEqual,
  type BasicAuthCredentials,
  type BasicAuthOptions,
} from './core/auth';
export { renderXml, assertXmlText, type XmlElement, type RenderXmlOptions } from './core/xml';
export type {
  Authenticator,
  ErrorContext,
  HandlerContext,
  WebhookEvent,
  WebhookReply,
  WebhookRequest,
} from './core/types';
export {
  captureRawBody,
  createExpressMiddleware,
  type AdaptableApp,
  type ExpressMiddleware,
} from './adapters/express';
