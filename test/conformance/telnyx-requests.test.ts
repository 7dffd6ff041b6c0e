/**
 * Every documented Telnyx TeXML request (test/data/providers/telnyx.json) sent through a real
 * Express app: the handler sees the documented kind and fields, signed requests verify with the
 * fixture's public key at the fixture's `now`, and are refused once the body is changed, the
 * signature removed, or the clock is past the 300-second window — with a log line that says why
 * (docs/providers/telnyx.md §2, §3, §5.4).
 */
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import type { CallControlError } from '../../src';
import * as telnyx from '../../src/providers/telnyx';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';
import { listenOnLoopback } from '../helpers/server';
import { QUIET, TEST_APP } from '../helpers/apps';

type TelnyxFixture = RequestFixture & { now?: number };
const fixtures = loadFixtures('telnyx').requests as TelnyxFixture[];
const signed = fixtures.filter((fixture) => fixture.secret !== undefined);

interface Harness {
  server: Server;
  events: telnyx.TelnyxEvent[];
  errors: CallControlError[];
}

async function start(fixture: TelnyxFixture, nowSeconds = fixture.now): Promise<Harness> {
  const calls =
    fixture.secret === undefined
      ? telnyx.createApp(TEST_APP)
      : telnyx.createApp({
          ...QUIET,
          publicKey: fixture.secret,
          now: () => (nowSeconds ?? 0) * 1000,
        });
  const harness: Omit<Harness, 'server'> = { events: [], errors: [] };
  calls.onAny((event) => {
    harness.events.push(event as telnyx.TelnyxEvent);
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
  fixture: TelnyxFixture,
  changes: { body?: string; omitHeader?: string } = {},
): request.Test {
  if (fixture.method === 'GET') return request(server).get(fixture.path);
  let test = request(server).post(fixture.path);
  for (const [name, value] of Object.entries(fixture.headers)) {
    if (name === 'host') continue;
    if (name !== changes.omitHeader) test = test.set(name, value);
  }
  return test.send(changes.body ?? fixture.body ?? '');
}

test('the fixture file holds signed and unsigned requests of every kind', () => {
  expect(signed.length).toBeGreaterThan(0);
  expect(signed.length).toBeLessThan(fixtures.length);
  const kinds = new Set(fixtures.map((fixture) => fixture.expect.event));
  for (const kind of ['voice', 'status-callback', 'gather', 'dial', 'recording-status']) {
    expect(kinds).toContain(kind);
  }
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
      const event = harness.events[0] as telnyx.TelnyxEvent;
      const fields = fixture.expect.fields;
      expect(event.provider).toBe('telnyx');
      expect(event.name).toBe(fixture.expect.event);
      expect(event.raw).toEqual(fields);
      expect(event.callId).toBe(fields['CallSid']);
      expect(event.callSidLegacy).toBe(fields['CallSidLegacy']);
      expect(event.connectionId).toBe(fields['ConnectionId']);
      const seconds = (name: string): number | undefined =>
        fields[name] === undefined ? undefined : Number(fields[name]);
      switch (event.name) {
        case 'voice':
          expect(event.from).toBe(fields['From']);
          expect(event.callerId).toBe(fields['CallerId']);
          expect(event.fromSipUri).toBe(fields['FromSipUri']);
          break;
        case 'status-callback':
          expect(event.callStatus).toBe(fields['CallStatus']);
          expect(event.sequenceNumber).toBe(seconds('SequenceNumber'));
          expect(event.timestamp).toBe(fields['Timestamp']);
          expect(event.callInitiatedAt).toBe(fields['CallInitiatedAt']);
          expect(event.callDurationSeconds).toBe(seconds('CallDuration'));
          expect(event.digit).toBe(fields['Digit']);
          expect(event.hangupCause).toBe(fields['HangupCause']);
          expect(event.sipHangupCause).toBe(seconds('SipHangupCause'));
          expect(event.shakenStirValidated).toBe(
            fields['ShakenStirValidated'] === undefined
              ? undefined
              : fields['ShakenStirValidated'] === 'true',
          );
          break;
        case 'gather':
          expect(event.digits).toBe(fields['Digits']);
          expect(event.speechResult).toBe(fields['SpeechResult']);
          expect(event.confidence).toBe(seconds('Confidence'));
          break;
        case 'dial':
          expect(event.dialCallStatus).toBe(fields['DialCallStatus']);
          expect(event.dialCallSidLegacy).toBe(fields['DialCallSidLegacy']);
          expect(event.dialCallDurationSeconds).toBe(seconds('DialCallDuration'));
          break;
        case 'recording-status':
          expect(event.recordingStatus).toBe(fields['RecordingStatus']);
          expect(event.recordingDurationSeconds).toBe(seconds('RecordingDuration'));
          expect(event.recordingChannels).toBe(seconds('RecordingChannels'));
          break;
        case 'amd-status':
          expect(event.answeredBy).toBe(fields['AnsweredBy']);
          expect(event.machineDetectionDurationMs).toBe(seconds('MachineDetectionDuration'));
          break;
        case 'refer-status':
          expect(event.referCallStatus).toBe(fields['ReferCallStatus']);
          expect(event.referSipResponseCode).toBe(seconds('ReferSipResponseCode'));
          break;
        case 'ai-gather':
          expect(event.base64Result).toBe(fields['Base64Result']);
          expect(event.result).toEqual(
            JSON.parse(Buffer.from(fields['Base64Result'] ?? '', 'base64').toString('utf8')),
          );
          break;
        default:
          break;
      }
      harness.server.close();
    });

    if (fixture.secret !== undefined) {
      test('is refused when changed, unsigned or stale', async () => {
        const harness = await start(fixture);
        const changed = await send(harness.server, fixture, { body: `${fixture.body}&X=1` });
        expect(changed.status).toBe(403);
        const unsigned = await send(harness.server, fixture, {
          omitHeader: telnyx.TELNYX_SIGNATURE_HEADER,
        });
        expect(unsigned.status).toBe(403);
        harness.server.close();
        expect(harness.errors.map((error) => error.code)).toEqual([
          'CC_ERR_SIGNATURE_INVALID',
          'CC_ERR_SIGNATURE_MISSING',
        ]);
        expect(harness.events).toEqual([]);

        const late = await start(fixture, (fixture.now ?? 0) + 301);
        expect((await send(late.server, fixture)).status).toBe(403);
        late.server.close();
        expect(late.errors[0]?.message).toMatch(/^Stale telnyx-timestamp/);
      });
    }
  },
);

describe('a stale timestamp (telnyx.md §3 "Window")', () => {
  test('gets a coded 403 whose log line says why, without the signature', async () => {
    const fixture = signed[0] as TelnyxFixture;
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const calls = telnyx.createApp({
        publicKey: fixture.secret,
        now: () => ((fixture.now ?? 0) + 600) * 1000,
      });
      const app = express();
      app.use(calls.express());
      const server = await listenOnLoopback(app);
      const res = await send(server, fixture);
      server.close();
      expect(res.status).toBe(403);
      expect(res.text).toContain('CC_ERR_SIGNATURE_INVALID');
    } finally {
      spy.mockRestore();
    }
    const line = lines.join('');
    expect(line).toMatch(/provider=telnyx/);
    expect(line).toMatch(/status=403/);
    expect(line).toMatch(/code=CC_ERR_SIGNATURE_INVALID/);
    expect(line).toMatch(/Stale telnyx-timestamp: signed 60\d s ago/);
    expect(line).not.toContain(fixture.headers['telnyx-signature-ed25519'] as string);
  });
});
