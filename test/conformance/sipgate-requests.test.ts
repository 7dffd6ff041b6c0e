/**
 * Every documented sipgate.io request (test/data/providers/sipgate.json) sent through a real
 * Express app: the handler must see the documented event and decoded fields (the `[]` keys as
 * lists), and the signed request must be refused once its body or its signature header is
 * changed (docs/providers/sipgate.md §3.1, §6).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import type { CallControlError } from '../../src';
import { sipgate } from '../../src';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';
import { listenOnLoopback } from '../helpers/server';
import { QUIET, TEST_APP } from '../helpers/apps';

const fixtures = loadFixtures('sipgate').requests;
/** The signed fixtures carry the PEM of the key that checks them in `secret`. */
const signed = fixtures.filter((fixture) => fixture.secret !== undefined);

interface Harness {
  server: Server;
  events: sipgate.SipgateEvent[];
  bodies: string[];
  errors: CallControlError[];
}

/**
 * Mounts a sipgate app at the root of a fresh Express app (the fixtures keep the paths they were
 * captured at), listening on 127.0.0.1 only.
 */
async function start(fixture: RequestFixture, publicKey?: string): Promise<Harness> {
  const calls =
    fixture.secret === undefined
      ? sipgate.createApp({ ...TEST_APP, publicKey: false })
      : sipgate.createApp({ ...QUIET, publicKey: publicKey ?? fixture.secret });
  const harness: Omit<Harness, 'server'> = { events: [], bodies: [], errors: [] };
  calls.onAny((event, context) => {
    harness.events.push(event as sipgate.SipgateEvent);
    harness.bodies.push(context.request.body.toString('utf8'));
  });
  calls.onError((error) => {
    harness.errors.push(error);
  });
  const app = express();
  app.use(calls.express());
  const server = await listenOnLoopback(app);
  return { ...harness, server };
}

/** Sends the fixture's method, path, headers and exact body (optionally altered). */
function send(
  server: Server,
  fixture: RequestFixture,
  changes: { body?: string; omitHeader?: string } = {},
): request.Test {
  if (fixture.method !== 'POST') throw new Error(`fixture ${fixture.id}: not a POST`);
  let test = request(server).post(fixture.path);
  for (const [name, value] of Object.entries(fixture.headers)) {
    // Host and X-Forwarded-* describe the captured hop, not this test's connection.
    if (name === 'host' || name === 'connection') continue;
    if (name.toLowerCase() !== changes.omitHeader) test = test.set(name, value);
  }
  return test.send(changes.body ?? fixture.body ?? '');
}

function errorCode(xml: string): string | undefined {
  const root = canonicalXml(xml);
  expect(root.name).toBe('Error');
  return root.attributes['code'];
}

test('the fixture file holds requests, signed and unsigned', () => {
  expect(fixtures.length).toBeGreaterThan(0);
  expect(signed.length).toBeGreaterThan(0);
  expect(signed.length).toBeLessThan(fixtures.length);
});

describe.each(fixtures.map((fixture) => [fixture.id, fixture] as const))(
  'fixture %s',
  (_id, fixture) => {
    test('reaches the handler with the documented event and fields', async () => {
      const harness = await start(fixture);
      const res = await send(harness.server, fixture);

      expect(res.status).toBe(200);
      expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
      expect(harness.errors).toEqual([]);
      expect(harness.events).toHaveLength(1);
      expect(harness.bodies).toEqual([fixture.body ?? '']);

      const event = harness.events[0] as sipgate.SipgateEvent;
      const fields = fixture.expect.fields as Record<string, string | string[]>;
      expect(event.provider).toBe('sipgate');
      expect(event.name).toBe(fixture.expect.event);
      // Lists in `lists`, single values in `raw`; together exactly the documented fields.
      const seen: Record<string, string | readonly string[]> = { ...event.raw, ...event.lists };
      expect(seen).toEqual(fields);

      const single = (key: string): string | undefined => {
        const value = fields[key];
        return typeof value === 'string' ? value : undefined;
      };
      expect(event.callId).toBe(single('callId'));
      expect(event.origCallId).toBe(single('origCallId'));
      expect(event.xcid).toBe(single('xcid'));
      expect(event.from).toBe(single('from') ?? '');
      expect(event.to).toBe(single('to') ?? '');
      expect(event.direction).toBe(single('direction'));
      expect(event.diversion).toBe(single('diversion'));
      switch (event.name) {
        case 'newCall':
          expect(event.users).toEqual(fields['user[]'] ?? []);
          expect(event.userIds).toEqual(fields['userId[]'] ?? []);
          expect(event.fullUserIds).toEqual(fields['fullUserId[]'] ?? []);
          break;
        case 'answer':
          expect(event.user).toBe(single('user'));
          expect(event.userId).toBe(single('userId'));
          expect(event.fullUserId).toBe(single('fullUserId'));
          expect(event.answeringNumber).toBe(single('answeringNumber'));
          break;
        case 'hangup':
          expect(event.cause).toBe(single('cause'));
          expect(event.answeringNumber).toBe(single('answeringNumber'));
          break;
        case 'dtmf':
          expect(event.dtmf).toBe(single('dtmf') ?? '');
          break;
      }
    });
  },
);

describe.each(signed.map((fixture) => [fixture.id, fixture] as const))(
  'signed fixture %s',
  (_id, fixture) => {
    test('verifies with the default key: sipgate.createApp() without publicKey', async () => {
      const calls = sipgate.createApp(QUIET);
      const seen: string[] = [];
      calls.onAny((event) => {
        seen.push(event.name);
      });
      const app = express();
      app.use(calls.express());
      const server = await listenOnLoopback(app);
      const res = await send(server, fixture);
      expect(res.status).toBe(200);
      expect(seen).toEqual([fixture.expect.event]);
    });

    test('a body changed in its last byte is refused with 403 CC_ERR_SIGNATURE_INVALID', async () => {
      const harness = await start(fixture);
      const original = fixture.body ?? '';
      const body = original.slice(0, -1) + (original.endsWith('9') ? '8' : '9');
      expect(body).not.toBe(original);

      const res = await send(harness.server, fixture, { body });

      expect(res.status).toBe(403);
      expect(errorCode(res.text)).toBe('CC_ERR_SIGNATURE_INVALID');
      expect(harness.events).toEqual([]);
      expect(harness.errors.map((error) => error.code)).toEqual(['CC_ERR_SIGNATURE_INVALID']);
    });

    test('a request without the signature header is refused with 403 CC_ERR_SIGNATURE_MISSING', async () => {
      const harness = await start(fixture);

      const res = await send(harness.server, fixture, { omitHeader: 'x-sipgate-signature' });

      expect(res.status).toBe(403);
      expect(errorCode(res.text)).toBe('CC_ERR_SIGNATURE_MISSING');
      expect(harness.events).toEqual([]);
    });

    test('the signature is checked with the configured key, not any key', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const harness = await start(
        fixture,
        publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );

      const res = await send(harness.server, fixture);

      expect(res.status).toBe(403);
      expect(errorCode(res.text)).toBe('CC_ERR_SIGNATURE_INVALID');
      expect(harness.events).toEqual([]);
    });
  },
);
