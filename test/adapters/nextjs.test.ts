// next-test-api-route-handler must be imported first, before Next.js is loaded (its docs).
import { testApiHandler } from 'next-test-api-route-handler';
/**
 * `calls.fetch({ basePath })` as a Next.js App Router route handler — `export const POST =
 * calls.fetch({ basePath: '/api/placetel' })`, and `GET` for VoipNow — run through Next.js's own
 * route-handler machinery (AppRouteRouteModule, NextRequest) by next-test-api-route-handler:
 * signed Placetel fixtures verified and answered as documented XML, a changed byte refused with
 * 403, VoipNow GET fixtures with their query, and a method the route does not export.
 */
import type { FetchHandler } from '../../src';
import type { RequestFixture } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';
import {
  EMPTY_RESPONSE,
  SIGNED_PLACETEL,
  VOIPNOW_GETS,
  errorCodeOf,
  expectAnswerHeaders,
  placetelApp,
  queryOf,
  requestFixture,
  responseXml,
  tampered,
  voipnowApp,
} from './common';

const SECRET = '12345';

/** What `app/api/placetel/[[...path]]/route.ts` would export. */
function placetelRoute(): { route: { POST: FetchHandler }; app: ReturnType<typeof placetelApp> } {
  const app = placetelApp({ secret: SECRET });
  return { route: { POST: app.calls.fetch({ basePath: '/api/placetel' }) }, app };
}

function postInit(fixture: RequestFixture, body = fixture.body ?? ''): RequestInit {
  expect(fixture.method).toBe('POST');
  return { method: 'POST', headers: fixture.headers, body };
}

async function bytes(response: { arrayBuffer(): Promise<ArrayBuffer> }): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

describe('Placetel: export const POST = calls.fetch({ basePath: "/api/placetel" })', () => {
  test.each(SIGNED_PLACETEL.map((fixture) => [fixture.id, fixture] as const))(
    '%s: verified, answered as documented',
    async (_id, fixture) => {
      const { route, app } = placetelRoute();
      await testApiHandler({
        appHandler: route,
        url: '/api/placetel',
        rejectOnHandlerError: true,
        test: async ({ fetch }) => {
          const response = await fetch(postInit(fixture));
          const body = await bytes(response);
          expect(response.status).toBe(200);
          expectAnswerHeaders(response.headers, body);
          expect(canonicalXml(body.toString('utf8'))).toEqual(
            fixture.id === 'placetel.incoming'
              ? responseXml('placetel', 'placetel.forward-one-number')
              : fixture.expect.event === 'IncomingCall'
                ? canonicalXml(
                    `<Response><Forward><Target><Number>${fixture.expect.fields['to'] ?? ''}</Number></Target></Forward></Response>`,
                  )
                : EMPTY_RESPONSE,
          );
        },
      });
      expect(app.seen.events).toEqual([
        { name: fixture.expect.event, raw: fixture.expect.fields, path: '/', query: '' },
      ]);
      expect(app.seen.errors).toEqual([]);
      await app.calls.close();
    },
  );

  test('a changed byte: 403 CC_ERR_SIGNATURE_INVALID, no handler runs', async () => {
    const { route, app } = placetelRoute();
    const fixture = requestFixture('placetel', 'placetel.incoming');
    await testApiHandler({
      appHandler: route,
      url: '/api/placetel',
      rejectOnHandlerError: true,
      test: async ({ fetch }) => {
        const response = await fetch(postInit(fixture, tampered(fixture.body ?? '')));
        const body = await bytes(response);
        expect(response.status).toBe(403);
        expectAnswerHeaders(response.headers, body);
        expect(errorCodeOf(body.toString('utf8'))).toBe('CC_ERR_SIGNATURE_INVALID');
      },
    });
    expect(app.seen.events).toEqual([]);
    await app.calls.close();
  });

  test('a catch-all segment below the base path reaches the app relative to it', async () => {
    const { route, app } = placetelRoute();
    const fixture = requestFixture('placetel', 'placetel.hungup-accepted');
    const received: string[] = [];
    await testApiHandler({
      appHandler: {
        POST: (request: Request) => {
          received.push(request.constructor.name);
          return route.POST(request);
        },
      },
      url: '/api/placetel/hungup?source=next',
      params: { path: ['hungup'] },
      rejectOnHandlerError: true,
      test: async ({ fetch }) => {
        const response = await fetch(postInit(fixture));
        expect(response.status).toBe(200);
        expect(canonicalXml(await response.text())).toEqual(EMPTY_RESPONSE);
      },
    });
    expect(app.seen.events.map((event) => [event.name, event.path, event.query])).toEqual([
      ['HungUp', '/hungup', 'source=next'],
    ]);
    // Next.js's route-handler machinery built the request.
    expect(received).toHaveLength(1);
    expect(received[0]).toMatch(/\bNextRequest$/);
    await app.calls.close();
  });

  test('a method the route does not export: Next.js answers 405 itself', async () => {
    const { route, app } = placetelRoute();
    await testApiHandler({
      appHandler: route,
      url: '/api/placetel',
      test: async ({ fetch }) => {
        const response = await fetch({ method: 'PUT' });
        expect(response.status).toBe(405);
      },
    });
    expect(app.seen.events).toEqual([]);
    await app.calls.close();
  });
});

describe('VoipNow: export const GET = calls.fetch({ basePath: "/api/voipnow" })', () => {
  test.each(VOIPNOW_GETS.map((fixture) => [fixture.id, fixture] as const))(
    '%s: the query kept, the documented answer',
    async (_id, fixture) => {
      const voip = voipnowApp();
      const handle = voip.calls.fetch({ basePath: '/api/voipnow' });
      const path = (fixture.path.split('?')[0] ?? '').replace(/^\/voipnow\//, '/');
      const query = queryOf(fixture.path);
      await testApiHandler({
        appHandler: { GET: handle, POST: handle },
        url: `/api/voipnow${path}?${query}`,
        rejectOnHandlerError: true,
        test: async ({ fetch }) => {
          const response = await fetch({ method: 'GET', headers: fixture.headers });
          const body = await bytes(response);
          expect(response.status).toBe(200);
          expectAnswerHeaders(response.headers, body);
          expect(canonicalXml(body.toString('utf8'))).toEqual(
            fixture.expect.event === 'call_interactive'
              ? responseXml('voipnow', 'voipnow.jump')
              : EMPTY_RESPONSE,
          );
        },
      });
      expect(voip.seen.events).toEqual([
        { name: fixture.expect.event, raw: fixture.expect.fields, path, query },
      ]);
      expect(voip.seen.errors).toEqual([]);
      await voip.calls.close();
    },
  );
});
