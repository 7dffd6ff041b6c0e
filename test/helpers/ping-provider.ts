/**
 * A provider made up for adapter tests — one event, `Ping`, answered with a fixed document — and
 * a Twilio-style check of `X-Twilio-Signature` over the public URL (twilio-node's own
 * `validateRequest`), for tests of how adapters hand the URL to the core.
 */
import twilio from 'twilio';
import { CallControlError } from '../../src/core/errors';
import type { ProviderDefinition } from '../../src/core/provider';
import type { Authenticator, WebhookEvent } from '../../src/core/types';

/** The provider: every request is a `Ping`; `render` gives `answer`. */
export function pingProvider(
  answer = '<Response/>',
  methods: readonly string[] = ['POST'],
): ProviderDefinition<WebhookEvent, string> {
  return {
    name: 'test',
    methods,
    events: ['Ping'],
    answeredEvents: [],
    parse: () => ({ provider: 'test', name: 'Ping', callId: '', from: '', to: '', raw: {} }),
    isAnswer: (value): value is string => typeof value === 'string',
    render: () => answer,
  };
}

/**
 * An authenticator checking `X-Twilio-Signature` with `authToken` over the URL the app says
 * the request was sent to (`context.publicUrl()`) and the form's fields: 403
 * `CC_ERR_SIGNATURE_INVALID` when it does not match.
 */
export function twilioUrlSignature(authToken: string): Authenticator {
  return (request, context) => {
    const url = context?.publicUrl();
    const params = Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
    const signature = request.headers['x-twilio-signature'] ?? '';
    if (url === undefined || !twilio.validateRequest(authToken, signature, url, params)) {
      throw new CallControlError('CC_ERR_SIGNATURE_INVALID', 'The signature does not match');
    }
  };
}
