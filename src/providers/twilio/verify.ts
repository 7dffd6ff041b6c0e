/**
 * Twilio's request signature `X-Twilio-Signature`: base64 HMAC-SHA1 with the account's Auth
 * Token over the full URL Twilio requested and the sorted POST parameters, or — for JSON
 * bodies — over the URL carrying `bodySHA256` (spec §3.1–§3.3). The URLs accepted are those
 * twilio-node's `validateRequest` accepts: as received and normalized, each with and without
 * the default port (§3.2).
 *
 * Spec: `docs/providers/twilio.md` §3; the shared algorithm is `src/providers/twiml/signature.ts`.
 *
 * @module
 */
import type { Authenticator } from '../../core/types';
import {
  computeTwimlSignature,
  createTwimlSignatureCheck,
  verifyTwimlSignature,
  verifyTwimlSignatureWithBody,
  type TwimlSignedParams,
} from '../twiml/signature';

export {
  twimlBodySha256 as twilioBodySha256,
  twimlSignedString as twilioSignedString,
  twimlSignedUrlVariants as twilioSignedUrlVariants,
  type TwimlSignedParams as TwilioSignedParams,
} from '../twiml/signature';

/** The header Twilio puts the signature in (lower-case, as Node presents header names). */
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** The header whose value is the same on Twilio's retries of one webhook (spec §4.3). */
export const TWILIO_IDEMPOTENCY_HEADER = 'i-twilio-idempotency-token';

/**
 * The `X-Twilio-Signature` of a request (spec §3.1): base64 HMAC-SHA1 with `authToken` over
 * `url` and, for a form POST, its decoded parameters (none for a GET or a JSON body, whose URL
 * carries `bodySHA256`). For tests and simulations.
 */
export function signTwilioRequest(
  authToken: string,
  url: string,
  params: TwimlSignedParams = {},
): string {
  return computeTwimlSignature(authToken, url, params);
}

/**
 * Whether `signature` is Twilio's over `url` and `params` (or a port variant of `url`, spec
 * §3.2) under one of `authTokens`. Never throws.
 */
export function verifyTwilioSignature(
  authTokens: string | readonly string[],
  signature: string | undefined,
  url: string,
  params: TwimlSignedParams = {},
): boolean {
  return verifyTwimlSignature(authTokens, signature, url, params);
}

/**
 * Whether a JSON-bodied request verifies (spec §3.3): the signature over the URL alone and its
 * `bodySHA256` equal to the SHA-256 of the exact body. Never throws.
 */
export function verifyTwilioSignatureWithBody(
  authTokens: string | readonly string[],
  signature: string | undefined,
  url: string,
  body: Buffer | string,
): boolean {
  return verifyTwimlSignatureWithBody(authTokens, signature, url, body);
}

/**
 * An authenticator that requires a valid `X-Twilio-Signature` over the request's public URL
 * (the app's `publicUrl` option, the request's scheme and `Host`, or a trusted proxy's
 * `X-Forwarded-*`; see docs/security.md).
 *
 * @param authTokens - the Auth Token, or several while rotating (each is tried)
 * @throws {TypeError} (at once) for an empty token or list
 * @throws {CallControlError} (from the authenticator) 403 `CC_ERR_SIGNATURE_MISSING` without
 *   the header, 403 `CC_ERR_SIGNATURE_INVALID` when it does not verify; the message names the
 *   URL checked (query values elided), never a token or the signature
 */
export function createTwilioSignatureCheck(authTokens: string | readonly string[]): Authenticator {
  return createTwimlSignatureCheck({
    title: 'Twilio',
    header: TWILIO_SIGNATURE_HEADER,
    headerTitle: 'X-Twilio-Signature',
    option: 'authToken',
    tokens: typeof authTokens === 'string' ? [authTokens] : authTokens,
  });
}
