/**
 * routeWebhooks: webhook paths answered in front of an Express app (which never sees them),
 * every other request handed to it untouched; the full URL stays what a signature over the URL
 * is checked against; mount matching at path boundaries, the longest mount first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import twilio from 'twilio';
import { createCallControlApp } from '../../src/adapters/app';
import { routeWebhooks } from '../../src/adapters/route-webhooks';
import { createUrlToken } from '../../src/core/auth';
import { pingProvider, twilioUrlSignature } from '../helpers/ping-provider';
import { baseUrlOf, listenOnLoopback } from '../helpers/server';

const AUTH_TOKEN = 'fake-auth-token-for-tests';
const URL_TOKEN = 'fake-token-for-tests-0001';
const PARAMS = { CallSid: 'CA00000000000000000000000000000001', From: '+15550001111' };
const BODY = new URLSearchParams(PARAMS).toString();

function webhookApp(answer: string) {
  const app = createCallControlApp(pingProvider(answer), {
    stderr: false,
    authenticators: [createUrlToken({ tokens: URL_TOKEN }), twilioUrlSignature(AUTH_TOKEN)],
  });
  app.on('Ping', () => 'ok');
  return app;
}

async function post(url: string, signedUrl: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    body: BODY,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, signedUrl, PARAMS),
    },
  });
  return { status: response.status, text: await response.text() };
}

describe('routeWebhooks in front of Express', () => {
  let base = '';
  let seenByExpress: string[] = [];

  beforeEach(async () => {
    seenByExpress = [];
    const site = express();
    site.use((req, _res, next) => {
      seenByExpress.push(req.originalUrl);
      next();
    });
    site.all('/{*rest}', (req, res) => {
      res.type('text/plain').send(`express ${req.method} ${req.originalUrl}`);
    });
    const server = createServer(
      routeWebhooks(
        {
          '/hooks': webhookApp('<Short/>').node(),
          '/hooks/twilio': webhookApp('<Long/>').node(),
        },
        site,
      ),
    );
    base = baseUrlOf(await listenOnLoopback(server));
  });

  test('a webhook path is answered by its app; Express never sees it', async () => {
    const url = `${base}/hooks/twilio?token=${URL_TOKEN}`;
    const answer = await post(url, url);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('<Long/>'); // the longest mount, not /hooks
    const short = `${base}/hooks?token=${URL_TOKEN}`;
    expect((await post(short, short)).text).toContain('<Short/>');
    expect(seenByExpress).toEqual([]);
  });

  test('the signature is checked over the full URL as received (originalUrl)', async () => {
    const url = `${base}/hooks/twilio/sub?token=${URL_TOKEN}`;
    expect((await post(url, url)).status).toBe(200);
    // Signed over the URL below the mount only: refused.
    expect((await post(url, `${base}/sub?token=${URL_TOKEN}`)).status).toBe(403);
  });

  test('every other path goes to Express untouched, also one that only starts like a mount', async () => {
    for (const path of ['/', '/about?x=1', '/hooksx', '/hookstwilio/y', '/other/hooks']) {
      const response = await fetch(`${base}${path}`);
      expect(await response.text()).toBe(`express GET ${path}`);
    }
    expect(seenByExpress).toEqual(['/', '/about?x=1', '/hooksx', '/hookstwilio/y', '/other/hooks']);
  });
});

describe('routeWebhooks arguments', () => {
  const handler = (_req: IncomingMessage, _res: ServerResponse): void => undefined;

  test.each(['', 'hooks', '/hooks/', '/hooks?x', '/ho oks', '/hooks#x'])(
    'refuses the mount path %j',
    (path) => {
      expect(() => routeWebhooks({ [path]: handler }, handler)).toThrow(TypeError);
    },
  );

  test('refuses no mounts, a handler or next that is not a function', () => {
    expect(() => routeWebhooks({}, handler)).toThrow(/at least one mount/);
    expect(() => routeWebhooks({ '/a': 'x' as unknown as typeof handler }, handler)).toThrow(
      TypeError,
    );
    expect(() => routeWebhooks({ '/a': handler }, undefined as unknown as typeof handler)).toThrow(
      TypeError,
    );
  });

  test('the root mount takes every path, with the URL kept whole', () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const listener = routeWebhooks(
      {
        '/': (req) => seen.push([req.url, (req as { originalUrl?: string }).originalUrl]),
      },
      handler,
    );
    for (const url of ['/', '/a?b=1', '/?q']) {
      listener({ url } as IncomingMessage, {} as ServerResponse);
    }
    expect(seen).toEqual([
      ['/', '/'],
      ['/a?b=1', '/a?b=1'],
      ['/?q', '/?q'],
    ]);
  });
});
