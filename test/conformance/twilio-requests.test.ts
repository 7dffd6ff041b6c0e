/**
 * Every documented Twilio request (test/data/providers/twilio.json, docs/providers/twilio.md
 * §2, §6) sent through a real Express app: the handler sees the documented kind and decoded
 * fields; a signed request verifies over the URL it was signed for (the app's `publicUrl`),
 * and is refused once its body, its URL or its signature header changes (§3.1).
 */
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import type { CallControlError } from '../../src';
import { twilio } from '../../src';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';
import { listenOnLoopback } from '../helpers/server';
import { QUIET, TEST_APP } from '../helpers/apps';

const fixtures = loadFixtures('twilio').requests as Array<RequestFixture & { url?: string }>;
const signed = fixtures.filter((fixture) => fixture.secret !== undefined);

interface Harness {
  server: Server;
  events: twilio.TwilioEvent[];
  errors: CallControlError[];
}

/** The public URL of the mount point (the server root) the fixture was signed for. */
function mountOf(fixture: { url?: string }): string | undefined {
  return fixture.url === undefined ? undefined : new URL(fixture.url).origin;
}

async function start(
  fixture: RequestFixture & { url?: string },
  authToken?: string,
): Promise<Harness> {
  const publicUrl = mountOf(fixture);
  const calls =
    fixture.secret === undefined
      ? twilio.createApp({ ...TEST_APP })
      : twilio.createApp({
          ...QUIET,
          authToken: authToken ?? fixture.secret,
          ...(publicUrl === undefined ? {} : { publicUrl }),
        });
  const harness: Omit<Harness, 'server'> = { events: [], errors: [] };
  calls.onAny((event) => {
    harness.events.push(event);
  });
  calls.onError((error) => {
    harness.errors.push(error);
  });
  const app = express();
  app.use(calls.express());
  return { ...harness, server: await listenOnLoopback(app) };
}

function send(
  server: Server,
  fixture: RequestFixture,
  changes: { body?: string; path?: string; omitHeader?: string } = {},
): request.Test {
  const path = changes.path ?? fixture.path;
  let test = fixture.method === 'GET' ? request(server).get(path) : request(server).post(path);
  for (const [name, value] of Object.entries(fixture.headers)) {
    if (name === 'host' || name === 'connection') continue;
    if (name.toLowerCase() !== changes.omitHeader) test = test.set(name, value);
  }
  return fixture.method === 'GET' ? test : test.send(changes.body ?? fixture.body ?? '');
}

function errorCode(xml: string): string | undefined {
  const root = canonicalXml(xml);
  expect(root.name).toBe('Error');
  return root.attributes['code'];
}

test('the fixture file holds requests, signed and unsigned, of every kind', () => {
  expect(signed.length).toBeGreaterThan(0);
  expect(signed.length).toBeLessThan(fixtures.length);
  expect(new Set(fixtures.map((fixture) => fixture.expect.event))).toEqual(
    new Set(twilio.TWILIO_EVENTS),
  );
});

describe.each(fixtures.map((fixture) => [fixture.id, fixture] as const))(
  'fixture %s',
  (_id, fixture) => {
    test('reaches the handler with the documented kind and fields', async () => {
      const harness = await start(fixture);
      const res = await send(harness.server, fixture);

      expect(res.status).toBe(200);
      expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
      expect(harness.errors).toEqual([]);
      expect(harness.events).toHaveLength(1);
      const event = harness.events[0] as twilio.TwilioEvent;
      const fields = fixture.expect.fields;
      expect(event.provider).toBe('twilio');
      expect(event.name).toBe(fixture.expect.event);
      expect(event.raw).toEqual(fields);
      expect(event.callId).toBe(fields['CallSid'] ?? '');
      expect(event.accountSid).toBe(fields['AccountSid'] ?? '');
      expect(event.from).toBe(fields['From'] ?? '');
      expect(event.to).toBe(fields['To'] ?? '');
      expect(event.action).toBeUndefined();
      const number = (name: string): number | undefined =>
        fields[name] === undefined ? undefined : Number(fields[name]);
      switch (event.name) {
        case 'voice':
          expect(event.callStatus).toBe(fields['CallStatus']);
          expect(event.direction).toBe(fields['Direction']);
          expect(event.answeredBy).toBe(fields['AnsweredBy']);
          expect(event.fromCity).toBe(fields['FromCity']);
          expect(event.stirVerstat).toBe(fields['StirVerstat']);
          break;
        case 'status-callback':
          expect(event.callbackSource).toBe('call-progress-events');
          expect(event.sequenceNumber).toBe(number('SequenceNumber'));
          expect(event.callDurationSeconds).toBe(number('CallDuration'));
          expect(event.durationMinutes).toBe(number('Duration'));
          expect(event.statusEvent).toBeDefined();
          break;
        case 'gather':
          expect(event.digits).toBe(fields['Digits']);
          expect(event.speechResult).toBe(fields['SpeechResult']);
          expect(event.confidence).toBe(number('Confidence'));
          break;
        case 'dial':
          expect(event.dialCallStatus).toBe(fields['DialCallStatus']);
          expect(event.dialCallSid).toBe(fields['DialCallSid']);
          expect(event.dialCallDurationSeconds).toBe(number('DialCallDuration'));
          break;
        case 'record':
          expect(event.recordingUrl).toBe(fields['RecordingUrl']);
          expect(event.recordingDurationSeconds).toBe(number('RecordingDuration'));
          break;
        case 'recording-status':
          expect(event.recordingStatus).toBe(fields['RecordingStatus']);
          expect(event.recordingChannels).toBe(number('RecordingChannels'));
          break;
        case 'amd-status':
          expect(event.answeredBy).toBe(fields['AnsweredBy']);
          expect(event.machineDetectionDurationMs).toBe(number('MachineDetectionDuration'));
          break;
        case 'fallback':
          expect(event.errorCode).toBe(fields['ErrorCode']);
          expect(event.errorUrl).toBe(fields['ErrorUrl']);
          break;
      }
    });
  },
);

describe.each(signed.map((fixture) => [fixture.id, fixture] as const))(
  'signed fixture %s',
  (_id, fixture) => {
    test('a changed body or query is refused with 403 CC_ERR_SIGNATURE_INVALID', async () => {
      const harness = await start(fixture);
      const res =
        fixture.method === 'GET'
          ? await send(harness.server, fixture, { path: `${fixture.path}&Extra=1` })
          : await send(harness.server, fixture, { body: `${fixture.body ?? ''}&Extra=1` });
      expect(res.status).toBe(403);
      expect(errorCode(res.text)).toBe('CC_ERR_SIGNATURE_INVALID');
      expect(harness.events).toEqual([]);
      expect(harness.errors[0]?.message).toContain(`URL checked: ${mountOf(fixture) ?? ''}`);
    });

    test('a request without the signature header is refused with 403 CC_ERR_SIGNATURE_MISSING', async () => {
      const harness = await start(fixture);
      const res = await send(harness.server, fixture, { omitHeader: 'x-twilio-signature' });
      expect(res.status).toBe(403);
      expect(errorCode(res.text)).toBe('CC_ERR_SIGNATURE_MISSING');
      expect(harness.events).toEqual([]);
    });

    test('another auth token does not verify', async () => {
      const harness = await start(fixture, 'another-auth-token');
      const res = await send(harness.server, fixture);
      expect(res.status).toBe(403);
      expect(errorCode(res.text)).toBe('CC_ERR_SIGNATURE_INVALID');
    });
  },
);
