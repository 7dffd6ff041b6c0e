/**
 * SignalWire's compatibility signature: Twilio's algorithm (HMAC-SHA1 over the public URL and
 * the sorted POST parameters, base64) keyed with the project's Signing Key, in
 * `X-SignalWire-Signature` or `X-Twilio-Signature`.
 *
 * Spec: `docs/providers/signalwire.md` §3.1 "Compatibility signature (cXML webhooks)", §8.1
 * (both headers), §8.12 (several keys while a key is reset). The algorithm itself is shared with
 * Twilio (`../twiml/signature.ts`); a form that repeats a name is also accepted signed with its
 * values in the order received, as SignalWire's own validator computes it (§3.1 "Repeated keys").
 *
 * @module
 */
import { CallControlError } from '../../core/errors';
import { redactHeaders } from '../../core/auth';
import type { Authenticator, WebhookRequest } from '../../core/types';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeTwimlForm } from '../twiml/requests';
import {
  checkTwimlTokens,
  computeTwimlSignature,
  createTwimlSignatureCheck,
  twimlSignedUrlVariants,
  verifyTwimlSignature,
  type TwimlSignedParams,
} from '../twiml/signature';

/** SignalWire's own signature header (lower-case; spec §3.1 "Header"). */
export const SIGNALWIRE_SIGNATURE_HEADER = 'x-signalwire-signature';

/** The Twilio header SignalWire's validators also read (spec §3.1 "Header", §8.1). */
export const SIGNALWIRE_TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/**
 * The compatibility signature of `url` and `params` under a signing key, as SignalWire computes
 * it (spec §3.1 "Algorithm") — for tests and simulations.
 *
 * @param signingKey - the project's Signing Key, e.g. `PSK_…`
 * @param url - the full public URL requested
 * @param params - the decoded POST parameters; `{}` for a GET
 * @returns the base64 signature (28 characters)
 */
export function signSignalwireRequest(
  signingKey: string,
  url: string,
  params: TwimlSignedParams = {},
): string {
  return computeTwimlSignature(signingKey, url, params);
}

/**
 * Whether `signature` is SignalWire's compatibility signature of `url` (with and without the
 * default port) and `params` under one of the signing keys. Never throws.
 */
export function verifySignalwireSignature(
  signingKeys: string | readonly string[],
  signature: string | undefined,
  url: string,
  params: TwimlSignedParams = {},
): boolean {
  return verifyTwimlSignature(signingKeys, signature, url, params);
}

/**
 * The string SignalWire's own validator signs when a form repeats a name (spec §3.1 "Repeated
 * keys"): the URL, then the names sorted, each followed by its values **in the order received**
 * (neither sorted nor deduplicated, unlike Twilio's); `undefined` when no name repeats (the
 * Twilio string is the same then).
 */
export function signalwireRepeatedKeysString(
  url: string,
  pairs: ReadonlyArray<readonly [string, string]>,
): string | undefined {
  const values = new Map<string, string[]>();
  for (const [name, value] of pairs) values.set(name, [...(values.get(name) ?? []), value]);
  if ([...values.values()].every((list) => list.length === 1)) return undefined;
  let data = url;
  for (const name of [...values.keys()].sort()) {
    for (const value of values.get(name) ?? []) data += name + value;
  }
  return data;
}

/**
 * Whether `signature` verifies under one of `keys` over the in-order form of a body that repeats
 * a name (see {@link signalwireRepeatedKeysString}), for the URL with and without its port.
 * Never throws.
 */
export function verifySignalwireRepeatedKeys(
  signingKeys: readonly string[],
  signature: string | undefined,
  url: string,
  body: Buffer | string,
): boolean {
  if (typeof signature !== 'string' || signature === '') return false;
  const pairs = decodeTwimlForm(body);
  const given = Buffer.from(signature, 'utf8');
  let valid = false;
  for (const variant of twimlSignedUrlVariants(url)) {
    const data = signalwireRepeatedKeysString(variant, pairs);
    if (data === undefined) return false;
    for (const key of signingKeys) {
      if (key === '') continue;
      const expected = Buffer.from(createHmac('sha1', key).update(data, 'utf8').digest('base64'));
      if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
    }
  }
  return valid;
}

/**
 * An authenticator that requires a valid compatibility signature over the request's public URL
 * (the app's `publicUrl` option, or scheme and host as received, or a trusted proxy's
 * `X-Forwarded-*`) and its parameters, in `X-SignalWire-Signature` or `X-Twilio-Signature`.
 * When both headers are sent, both must verify (spec §8.1). A refusal's message names the header,
 * the URL checked (query values elided) and why — never a key or a signature.
 *
 * @param signingKeys - the Signing Key, or several while a key is reset (every one is tried)
 * @throws {TypeError} (at once) for an empty key or list
 * @throws {CallControlError} (from the authenticator, 403) `CC_ERR_SIGNATURE_MISSING` when
 *   neither header is sent; `CC_ERR_SIGNATURE_INVALID` when a sent one does not verify, or the
 *   public URL cannot be known
 */
export function createSignalwireSignatureCheck(
  signingKeys: string | readonly string[],
): Authenticator {
  const tokens = checkTwimlTokens('signingKey', signingKeys);
  const common = { title: 'SignalWire', option: 'signingKey', tokens };
  const own = createTwimlSignatureCheck({
    ...common,
    header: SIGNALWIRE_SIGNATURE_HEADER,
    headerTitle: 'X-SignalWire-Signature',
  });
  const twilio = createTwimlSignatureCheck({
    ...common,
    header: SIGNALWIRE_TWILIO_SIGNATURE_HEADER,
    headerTitle: 'X-Twilio-Signature',
  });
  const sent = (value: string | undefined): boolean => typeof value === 'string' && value !== '';
  const signalwireSignature: Authenticator = (request, context) => {
    const hasOwn = sent(request.headers[SIGNALWIRE_SIGNATURE_HEADER]);
    const hasTwilio = sent(request.headers[SIGNALWIRE_TWILIO_SIGNATURE_HEADER]);
    if (!hasOwn && !hasTwilio) {
      throw new CallControlError(
        'CC_ERR_SIGNATURE_MISSING',
        `The X-SignalWire-Signature header is missing (and no X-Twilio-Signature either; request to ${request.path})`,
      );
    }
    const url = context?.publicUrl();
    const check = (header: string, run: Authenticator): void => {
      try {
        run(request, context);
      } catch (error) {
        // SignalWire's validator keeps repeated names' values in the order received.
        const inOrder =
          request.method !== 'GET' &&
          url !== undefined &&
          verifySignalwireRepeatedKeys(tokens, request.headers[header], url, request.body);
        if (!inOrder) throw error;
      }
    };
    if (hasOwn) check(SIGNALWIRE_SIGNATURE_HEADER, own);
    if (hasTwilio) check(SIGNALWIRE_TWILIO_SIGNATURE_HEADER, twilio);
  };
  // Both headers are credentials of a sort: never shown in what onError gets.
  return Object.assign(signalwireSignature, {
    redact: (request: WebhookRequest) =>
      redactHeaders(request, [SIGNALWIRE_SIGNATURE_HEADER, SIGNALWIRE_TWILIO_SIGNATURE_HEADER]),
  });
}
