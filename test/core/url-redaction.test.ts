/**
 * `WebhookRequest.originalUrl` holds the URL token as sent: the token's check hands the request
 * on with it redacted, `redactRequest` redacts it for `onError` (refused or not, right token or
 * wrong), and no log line, stderr line or error context ever holds the token — while the checks
 * still get the public URL with the token, to verify a signature over it.
 */
import { createWebhookApp, type ProviderDefinition } from '../../src/core/app';
import { createUrlToken, REDACTED, redactRequest } from '../../src/core/auth';
import type { CallControlError } from '../../src/core/errors';
import type { ErrorContext, WebhookEvent, WebhookRequest } from '../../src/core/types';

const TOKEN = 'fake-token-for-tests-0001';
const WRONG = 'fake-wrong-token-000099';

const provider: ProviderDefinition<WebhookEvent, string> = {
  name: 'test',
  methods: ['POST'],
  events: ['Ping'],
  answeredEvents: ['Ping'],
  parse: (request) => ({
    provider: 'test',
    name: 'Ping',
    callId: request.path,
    from: '',
    to: '',
    raw: {},
  }),
  isAnswer: (value): value is string => typeof value === 'string',
  render: (answer) => `<Response>${answer ?? ''}</Response>`,
};

function request(originalUrl: string, path: string, query: string): WebhookRequest {
  return {
    method: 'POST',
    path,
    query,
    headers: { host: 'example.com' },
    body: Buffer.from('a=1'),
    remoteAddress: '127.0.0.1',
    scheme: 'https',
    host: 'example.com',
    originalUrl,
  };
}

describe.each([
  {
    where: 'query' as const,
    good: request(`/hooks/ozeki/x?a=1&token=${TOKEN}`, '/x', `a=1&token=${TOKEN}`),
    wrong: request(`/hooks/ozeki/x?token=${WRONG}&a=1`, '/x', `token=${WRONG}&a=1`),
    handedOn: '/hooks/ozeki/x?a=1&token=[redacted]',
  },
  {
    where: 'path' as const,
    good: request(`/hooks/ozeki/${TOKEN}/x?a=1`, `/${TOKEN}/x`, 'a=1'),
    wrong: request(`/hooks/ozeki/${WRONG}/x?a=1`, `/${WRONG}/x`, 'a=1'),
    handedOn: '/hooks/ozeki/[redacted]/x?a=1',
  },
])('URL token in the $where', ({ where, good, wrong, handedOn }) => {
  test('no log line, stderr line or error context holds the token, right or wrong', async () => {
    const lines: unknown[] = [];
    const contexts: ErrorContext[] = [];
    const checkedUrls: (string | undefined)[] = [];
    const handlerUrls: (string | undefined)[] = [];
    const logger = {
      info: (object: unknown, message?: string) => lines.push([object, message]),
      warn: (object: unknown, message?: string) => lines.push([object, message]),
      error: (object: unknown, message?: string) => lines.push([object, message]),
    };
    const stderr: string[] = [];
    const write = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        stderr.push(String(chunk));
        return true;
      });
    try {
      for (const withLogger of [true, false]) {
        const calls = createWebhookApp(provider, {
          duplicates: false,
          ...(withLogger ? { logger } : {}),
          authenticators: [
            createUrlToken({ tokens: TOKEN, in: where }),
            (_request, context) => {
              checkedUrls.push(context?.publicUrl());
            },
          ],
        });
        calls.on('Ping', (_event, context) => {
          handlerUrls.push(context.request.originalUrl);
          throw new Error(`handler saw ${context.request.originalUrl ?? ''}`);
        });
        const onError = (_error: CallControlError, context: ErrorContext) => {
          contexts.push(context);
        };
        // Once without onError (stderr / logger), once with it.
        expect((await calls.handle(good)).outcome).toBe('fallback');
        expect((await calls.handle(wrong)).status).toBe(403);
        calls.onError(onError);
        expect((await calls.handle(good)).outcome).toBe('fallback');
        expect((await calls.handle(wrong)).status).toBe(403);
      }
    } finally {
      write.mockRestore();
    }
    // The checks after the token's got the URL as received, token included (to sign over).
    expect(checkedUrls.length).toBeGreaterThan(0);
    for (const url of checkedUrls) expect(url).toBe(`https://example.com${good.originalUrl}`);
    // Handlers, logs, stderr and onError never see it.
    expect(handlerUrls.every((url) => url === handedOn)).toBe(true);
    expect(contexts.length).toBe(4);
    const written = JSON.stringify({ lines, stderr, contexts });
    expect(lines.length).toBeGreaterThan(0);
    expect(written).not.toContain(TOKEN);
    expect(written).not.toContain(WRONG);
    expect(written).toContain(REDACTED);
    for (const context of contexts) expect(context.request?.originalUrl).toContain(REDACTED);
  });

  test('redactRequest redacts originalUrl and keeps the mount prefix', () => {
    const authenticators = [createUrlToken({ tokens: TOKEN, in: where })];
    const redacted = redactRequest(wrong, authenticators);
    expect(redacted.originalUrl).not.toContain(WRONG);
    expect(redacted.originalUrl?.startsWith('/hooks/ozeki/')).toBe(true);
    expect(redacted.originalUrl).toContain('a=1');
    // The request itself is not changed.
    expect(wrong.originalUrl).toContain(WRONG);
  });
});

test('a configured token anywhere in originalUrl, also percent-encoded, is redacted', () => {
  const encoded = Array.from(TOKEN, (c) => `%${c.charCodeAt(0).toString(16)}`).join('');
  const received = request(
    `/${TOKEN}/hooks/x?token=${TOKEN}&b=${encoded}`,
    '/x',
    `token=${TOKEN}&b=${encoded}`,
  );
  const redacted = redactRequest(received, [createUrlToken({ tokens: TOKEN })]);
  expect(redacted.originalUrl).toBe(`/${REDACTED}/hooks/x?token=${REDACTED}&b=${REDACTED}`);
});

test('a target whose path does not end with the path is redacted whole, query kept', () => {
  const received = request('/elsewhere/x?a=1', `/${WRONG}/x`, 'a=1');
  const redacted = redactRequest(received, [createUrlToken({ tokens: TOKEN, in: 'path' })]);
  expect(redacted.originalUrl).toBe(`/${REDACTED}?a=1`);
});
