/**
 * `X-Twilio-Signature` (docs/providers/twilio.md §3): the signature vectors of the fixtures,
 * twilio-node as the oracle on generated requests (what it accepts we accept, what it refuses
 * we refuse — URLs with and without ports, query strings, repeated parameters, JSON bodies with
 * `bodySHA256`), and the authenticator's refusals: coded 403s that name the URL checked and
 * never the token or the signature, several tokens during a rotation.
 */
import fc from 'fast-check';
import twilioNode from 'twilio';
import type { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  createTwilioSignatureCheck,
  signTwilioRequest,
  twilioBodySha256,
  verifyTwilioSignature,
  verifyTwilioSignatureWithBody,
} from '../../../src/providers/twilio/verify';
import { loadFixtures } from '../../helpers/fixtures';

interface SignatureVector {
  id: string;
  secret: string;
  url: string;
  params?: Record<string, string | string[]>;
  body?: string;
  signature: string;
  valid: boolean;
}

const vectors = (loadFixtures('twilio') as unknown as { signatureVectors: SignatureVector[] })
  .signatureVectors;

const RUNS = 200;

describe('signature vectors of the fixtures (docs/providers/twilio.md §3.1-§3.3)', () => {
  test.each(vectors.map((vector) => [vector.id, vector] as const))('%s', (_id, vector) => {
    const ours =
      vector.body !== undefined
        ? verifyTwilioSignatureWithBody(vector.secret, vector.signature, vector.url, vector.body)
        : verifyTwilioSignature(vector.secret, vector.signature, vector.url, vector.params ?? {});
    expect(ours).toBe(vector.valid);
  });
});

const TOKEN = 'fake-auth-token-0123456789abcdef';
const host = fc.constantFrom('example.com', 'voice.example.com', 'Example.COM', '127.0.0.1');
const port = fc.constantFrom('', ':443', ':80', ':8443', ':3000');
const segment = fc.stringMatching(/^[a-zA-Z0-9._~-]{1,8}$/);
const queryValue = fc.constantFrom('1', 'a+b', 'x%20y', "It's", 'é', '', '%2B1555');
const query = fc.array(fc.tuple(fc.constantFrom('foo', 'bar', 'tenant', 'lang'), queryValue), {
  maxLength: 3,
});
const url = fc
  .tuple(fc.constantFrom('https', 'http'), host, port, fc.array(segment, { maxLength: 3 }), query)
  .map(([scheme, name, p, path, q]) => {
    const search = q.length === 0 ? '' : `?${q.map(([k, v]) => `${k}=${v}`).join('&')}`;
    return `${scheme}://${name}${p}/${path.join('/')}${search}`;
  });
const params = fc.dictionary(
  fc.constantFrom('CallSid', 'From', 'To', 'Digits', 'Caller', 'FromCity', 'X'),
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  ),
);
/** Another URL the signer may have signed: a port added or removed, the scheme or path changed. */
const variantOf = (value: string, how: number): string => {
  const parsed = /^(https?):\/\/([^/:]+)(:\d+)?(\/.*)$/.exec(value);
  if (parsed === null) return value;
  const [, scheme, name, p, rest] = parsed as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  switch (how) {
    case 0:
      return `${scheme}://${name}${rest}`;
    case 1:
      return `${scheme}://${name}${scheme === 'https' ? ':443' : ':80'}${rest}`;
    case 2:
      return `${scheme === 'https' ? 'http' : 'https'}://${name}${p ?? ''}${rest}`;
    case 3:
      return `${scheme}://${name}${p ?? ''}${rest}x`;
    default:
      return value;
  }
};

describe('twilio-node is the oracle (docs/providers/twilio.md §3.2)', () => {
  test('the same signature as getExpectedTwilioSignature', () => {
    fc.assert(
      fc.property(url, params, (u, p) => {
        expect(signTwilioRequest(TOKEN, u, p)).toBe(
          twilioNode.getExpectedTwilioSignature(TOKEN, u, p as Record<string, string>),
        );
      }),
      { numRuns: RUNS },
    );
  });

  test('form requests: we accept exactly what validateRequest accepts, both ways', () => {
    fc.assert(
      fc.property(url, params, fc.integer({ min: 0, max: 4 }), fc.boolean(), (u, p, how, other) => {
        const signedUrl = variantOf(u, how);
        const signature = twilioNode.getExpectedTwilioSignature(
          other ? 'another-token' : TOKEN,
          signedUrl,
          p as Record<string, string>,
        );
        const theirs = twilioNode.validateRequest(TOKEN, signature, u, p as Record<string, string>);
        expect(verifyTwilioSignature(TOKEN, signature, u, p)).toBe(theirs);
        // And our signature over the received URL is one twilio-node accepts.
        const ours = signTwilioRequest(TOKEN, signedUrl, p);
        expect(twilioNode.validateRequest(TOKEN, ours, u, p as Record<string, string>)).toBe(
          verifyTwilioSignature(TOKEN, ours, u, p),
        );
      }),
      { numRuns: RUNS },
    );
  });

  test('JSON bodies: we accept exactly what validateRequestWithBody accepts', () => {
    fc.assert(
      fc.property(
        url,
        fc.json({ maxDepth: 2 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        (u, body, how, tampered) => {
          const separator = u.includes('?') ? '&' : '?';
          const withHash = `${u}${separator}bodySHA256=${twilioBodySha256(body)}`;
          const signature = twilioNode.getExpectedTwilioSignature(
            TOKEN,
            variantOf(withHash, how),
            {},
          );
          const received = tampered ? `${body} ` : body;
          expect(verifyTwilioSignatureWithBody(TOKEN, signature, withHash, received)).toBe(
            twilioNode.validateRequestWithBody(TOKEN, signature, withHash, received),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('the authenticator', () => {
  const URL = 'https://voice.example.com/twilio/voice?tenant=42';
  const PARAMS = { CallSid: 'CA0123', From: '+15550001111', To: '+15550002222' };
  const body = new URLSearchParams(PARAMS).toString();
  function request(headers: Record<string, string>): WebhookRequest {
    return {
      method: 'POST',
      path: '/voice',
      query: 'tenant=42',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: Buffer.from(body, 'utf8'),
    };
  }
  const context = { publicUrl: () => URL };
  function refusal(
    check: ReturnType<typeof createTwilioSignatureCheck>,
    r: WebhookRequest,
    over: { publicUrl: () => string | undefined } = context,
  ) {
    try {
      check(r, over);
    } catch (error) {
      return error as CallControlError;
    }
    throw new Error('not refused');
  }

  test('accepts a signature over the public URL and the parameters', () => {
    const check = createTwilioSignatureCheck(TOKEN);
    const signature = signTwilioRequest(TOKEN, URL, PARAMS);
    expect(() => check(request({ 'x-twilio-signature': signature }), context)).not.toThrow();
  });

  test('accepts the URL signed with :443 (port variant, §3.2)', () => {
    const check = createTwilioSignatureCheck(TOKEN);
    const signature = signTwilioRequest(
      TOKEN,
      'https://voice.example.com:443/twilio/voice?tenant=42',
      PARAMS,
    );
    expect(() => check(request({ 'x-twilio-signature': signature }), context)).not.toThrow();
  });

  test('several tokens during a rotation: either verifies', () => {
    const check = createTwilioSignatureCheck(['old-token-000000', TOKEN]);
    for (const token of ['old-token-000000', TOKEN]) {
      const signature = signTwilioRequest(token, URL, PARAMS);
      expect(() => check(request({ 'x-twilio-signature': signature }), context)).not.toThrow();
    }
  });

  test('a missing header: 403 CC_ERR_SIGNATURE_MISSING naming the URL', () => {
    const error = refusal(createTwilioSignatureCheck(TOKEN), request({}));
    expect(error.code).toBe('CC_ERR_SIGNATURE_MISSING');
    expect(error.status).toBe(403);
    expect(error.message).toContain('X-Twilio-Signature header is missing');
    expect(error.message).toContain('https://voice.example.com/twilio/voice?tenant=…');
  });

  test('a mismatch: 403 CC_ERR_SIGNATURE_INVALID naming the URL, never the token or signature', () => {
    const wrong = signTwilioRequest('another-token', URL, PARAMS);
    const error = refusal(
      createTwilioSignatureCheck(TOKEN),
      request({ 'x-twilio-signature': wrong }),
    );
    expect(error.code).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(error.status).toBe(403);
    expect(error.message).toContain('URL checked: https://voice.example.com/twilio/voice?tenant=…');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain('42');
  });

  test('a body changed after signing is refused', () => {
    const signature = signTwilioRequest(TOKEN, URL, PARAMS);
    const changed = {
      ...request({ 'x-twilio-signature': signature }),
      body: Buffer.from(`${body}&X=1`),
    };
    expect(refusal(createTwilioSignatureCheck(TOKEN), changed).code).toBe(
      'CC_ERR_SIGNATURE_INVALID',
    );
  });

  test('an unknown public URL is refused with the reason', () => {
    const signature = signTwilioRequest(TOKEN, URL, PARAMS);
    const check = createTwilioSignatureCheck(TOKEN);
    let error: CallControlError | undefined;
    try {
      check(request({ 'x-twilio-signature': signature }), { publicUrl: () => undefined });
    } catch (caught) {
      error = caught as CallControlError;
    }
    expect(error?.code).toBe('CC_ERR_SIGNATURE_INVALID');
    expect(error?.message).toContain('public URL is unknown');
  });

  test('form bodies with repeated names: accepted exactly when validateRequest accepts them', () => {
    const pair = fc.tuple(
      fc.constantFrom('A', 'B', 'Digits', 'b'),
      fc.constantFrom('1', '2', '', 'é'),
    );
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), fc.boolean(), (pairs, other) => {
        // As twilio-node's webhook() sees the form: a repeated name's values as a list, in order.
        const parsed: Record<string, string | string[]> = {};
        for (const [name, value] of pairs) {
          const had = parsed[name];
          parsed[name] = had === undefined ? value : [...([] as string[]).concat(had), value];
        }
        const signature = twilioNode.getExpectedTwilioSignature(
          other ? 'another-token' : TOKEN,
          URL,
          parsed as Record<string, string>,
        );
        const signed = {
          ...request({ 'x-twilio-signature': signature }),
          body: Buffer.from(new URLSearchParams(pairs).toString(), 'utf8'),
        };
        const theirs = twilioNode.validateRequest(
          TOKEN,
          signature,
          URL,
          parsed as Record<string, string>,
        );
        let ours = true;
        try {
          createTwilioSignatureCheck(TOKEN)(signed, context);
        } catch {
          ours = false;
        }
        expect(ours).toBe(theirs);
        expect(ours).toBe(!other);
      }),
      { numRuns: RUNS },
    );
  });

  test('one check over several public URLs: each request verifies over its own URL', () => {
    const check = createTwilioSignatureCheck(TOKEN);
    // More URLs than the check remembers the variants of, then the first ones again.
    const urls = Array.from({ length: 300 }, (_, i) => `https://voice.example.com/t${i}/voice`);
    for (const each of [...urls, ...urls.slice(0, 5)]) {
      const signature = signTwilioRequest(TOKEN, each, PARAMS);
      expect(() =>
        check(request({ 'x-twilio-signature': signature }), { publicUrl: () => each }),
      ).not.toThrow();
      const elsewhere = { publicUrl: () => `${each}x` };
      expect(refusal(check, request({ 'x-twilio-signature': signature }), elsewhere).code).toBe(
        'CC_ERR_SIGNATURE_INVALID',
      );
    }
  });

  test('a JSON body: the URL with bodySHA256 is signed and the body must match its hash', () => {
    const json = '{"CallSid":"CA0123"}';
    const hashed = `https://voice.example.com/twilio/voice?bodySHA256=${twilioBodySha256(json)}`;
    const signature = signTwilioRequest(TOKEN, hashed, {});
    const check = createTwilioSignatureCheck(TOKEN);
    const sent = (body: string): WebhookRequest => ({
      ...request({ 'x-twilio-signature': signature, 'content-type': 'application/json' }),
      body: Buffer.from(body, 'utf8'),
    });
    expect(() => check(sent(json), { publicUrl: () => hashed })).not.toThrow();
    expect(refusal(check, sent(`${json} `), { publicUrl: () => hashed }).code).toBe(
      'CC_ERR_SIGNATURE_INVALID',
    );
  });

  test('empty tokens are refused at creation', () => {
    expect(() => createTwilioSignatureCheck('')).toThrow(TypeError);
    expect(() => createTwilioSignatureCheck([])).toThrow(TypeError);
  });
});
