/**
 * What the public URL is for: a check of a Twilio-style signature over the full URL (the
 * `twilio` package's own `getExpectedTwilioSignature` / `validateRequest`), with the URL token
 * in the query, behind a proxy that ends TLS — through Express and the Fetch adapter. A spoofed
 * `X-Forwarded-Host` from an untrusted peer cannot make the app accept a signature made for
 * another URL.
 */
import express from 'express';
import twilio from 'twilio';
import { createCallControlApp } from '../../src/adapters/app';
import { createUrlToken } from '../../src/core/auth';
import { pingProvider, twilioUrlSignature } from '../helpers/ping-provider';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';

const AUTH_TOKEN = 'fake-auth-token-for-tests';
const URL_TOKEN = 'fake-token-for-tests-0001';
const FORM = 'application/x-www-form-urlencoded';
const PARAMS = { CallSid: 'CA00000000000000000000000000000001', From: '+15550001111' };
const BODY = new URLSearchParams(PARAMS).toString();

function signedApp(options: { publicUrl?: string; trustProxy?: string[] }) {
  return createCallControlApp(pingProvider(), {
    stderr: false,
    ...options,
    authenticators: [createUrlToken({ tokens: URL_TOKEN }), twilioUrlSignature(AUTH_TOKEN)],
  });
}

const sign = (url: string): string => twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, PARAMS);

async function post(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    body: BODY,
    headers: { 'content-type': FORM, ...headers },
  });
  await response.arrayBuffer();
  return response.status;
}

test('Express behind a trusted proxy: signed over https://example.com/…?token=…', async () => {
  const app = express();
  app.use('/internal/twilio', signedApp({ trustProxy: ['127.0.0.1', '::1'] }).express());
  const base = baseUrlOf(await listenOnLoopback(app));
  const publicUrl = `https://example.com/internal/twilio?token=${URL_TOKEN}`;
  const proxy = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'example.com' };
  const target = `${base}/internal/twilio?token=${URL_TOKEN}`;
  expect(await post(target, { ...proxy, 'x-twilio-signature': sign(publicUrl) })).toBe(200);
  // Signed over the URL without the token: refused (the token is part of what is signed).
  const withoutToken = 'https://example.com/internal/twilio';
  expect(await post(target, { ...proxy, 'x-twilio-signature': sign(withoutToken) })).toBe(403);
});

test('a spoofed X-Forwarded-Host from an untrusted peer does not move the signed URL', async () => {
  const app = express();
  app.use('/internal/twilio', signedApp({ trustProxy: ['10.0.0.0/8'] }).express());
  const base = baseUrlOf(await listenOnLoopback(app));
  const target = `${base}/internal/twilio?token=${URL_TOKEN}`;
  const spoofed = `https://evil.example/internal/twilio?token=${URL_TOKEN}`;
  expect(
    await post(target, {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-twilio-signature': sign(spoofed),
    }),
  ).toBe(403);
  // The URL the server really received is what counts.
  expect(await post(target, { 'x-twilio-signature': sign(target) })).toBe(200);
});

test('publicUrl: the path below the mount and the query are appended to it', async () => {
  const app = express();
  app.use('/internal', signedApp({ publicUrl: 'https://example.com/hooks/twilio' }).express());
  const base = baseUrlOf(await listenOnLoopback(app));
  const publicUrl = `https://example.com/hooks/twilio/status?token=${URL_TOKEN}`;
  expect(
    await post(`${base}/internal/status?token=${URL_TOKEN}`, {
      'x-twilio-signature': sign(publicUrl),
    }),
  ).toBe(200);
});

test('fetch with basePath and publicUrl', async () => {
  const handle = signedApp({ publicUrl: 'https://example.com/api/twilio' }).fetch({
    basePath: '/api/twilio',
  });
  const request = (signature: string) =>
    new Request(`http://localhost:3000/api/twilio?token=${URL_TOKEN}`, {
      method: 'POST',
      body: BODY,
      headers: { 'content-type': FORM, 'x-twilio-signature': signature },
    });
  const good = await handle(request(sign(`https://example.com/api/twilio?token=${URL_TOKEN}`)));
  expect(good.status).toBe(200);
  const bad = await handle(request(sign(`http://localhost:3000/api/twilio?token=${URL_TOKEN}`)));
  expect(bad.status).toBe(403);
});
