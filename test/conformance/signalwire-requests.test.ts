/**
 * Every documented SignalWire cXML request (test/data/providers/signalwire.json) — two real
 * signed status callbacks among them — sent through a real Express app whose public URL is the
 * one SignalWire signed: the handler sees the documented kind and fields, and the request is
 * refused once its body, its URL or its key differ (docs/providers/signalwire.md §2, §3.1, §7).
 */
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import type { CallControlError } from '../../src';
import * as signalwire from '../../src/providers/signalwire';
import { loadFixtures, type RequestFixture } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';
import { listenOnLoopback } from '../helpers/server';
import { QUIET } from '../helpers/apps';

type SignalwireFixture = RequestFixture & { url: string };
const fixtures = loadFixtures('signalwire').requests as SignalwireFixture[];

interface Harness {
  server: Server;
  events: signalwire.SignalwireEvent[];
  errors: CallControlError[];
}

/** The app at the server root, its public URL the origin SignalWire called. */
async function start(fixture: SignalwireFixture, signingKey = fixture.secret): Promise<Harness> {
  const calls = signalwire.createApp({
    ...QUIET,
    signingKey,
    publicUrl: new URL(fixture.url).origin,
  });
  const harness: Omit<Harness, 'server'> = { events: [], errors: [] };
  calls.onAny((event) => {
    harness.events.push(event as signalwire.SignalwireEvent);
  });
  calls.onError((error) => {
    harness.errors.push(error);
  });
  const app = express();
  app.use(calls.express());
  return { ...harness, server: await listenOnLoopback(app) };
}

function send(server: Server, fixture: SignalwireFixture, body?: string, path?: string) {
  let test = request(server).post(path ?? fixture.path);
  for (const [name, value] of Object.entries(fixture.headers)) {
    if (name !== 'host') test = test.set(name, value);
  }
  return test.send(body ?? fixture.body ?? '');
}

test('every fixture is signed; two are real SignalWire callbacks', () => {
  expect(fixtures.every((fixture) => fixture.secret !== undefined)).toBe(true);
  expect(fixtures.filter((fixture) => fixture.id.endsWith('-real'))).toHaveLength(2);
});

describe.each(fixtures.map((fixture) => [fixture.id, fixture] as const))(
  'fixture %s',
  (_id, fixture) => {
    test('reaches the handler with the documented kind and fields', async () => {
      const harness = await start(fixture);
      const res = await send(harness.server, fixture);
      harness.server.close();
      expect(harness.errors).toEqual([]);
      expect(res.status).toBe(200);
      expect(canonicalXml(res.text)).toEqual(canonicalXml('<Response/>'));
      expect(harness.events).toHaveLength(1);
      const event = harness.events[0] as signalwire.SignalwireEvent;
      const fields = fixture.expect.fields;
      const number = (name: string): number | undefined =>
        fields[name] === undefined ? undefined : Number(fields[name]);
      expect(event.provider).toBe('signalwire');
      expect(event.name).toBe(fixture.expect.event);
      expect(event.raw).toEqual(fields);
      expect(event.callId).toBe(fields['CallSid']);
      expect(event.accountSid).toBe(fields['AccountSid']);
      switch (event.name) {
        case 'voice':
          expect([event.from, event.to, event.direction]).toEqual([
            fields['From'],
            fields['To'],
            fields['Direction'],
          ]);
          break;
        case 'status-callback':
          expect(event.callStatus).toBe(fields['CallStatus']);
          expect(event.hangupBy).toBe(fields['HangupBy']);
          expect(event.hangupDirection).toBe(fields['HangupDirection']);
          expect(event.sipResultCode).toBe(number('SipResultCode'));
          expect(event.audioInMos).toBe(number('AudioInMos'));
          expect(event.callDurationSeconds).toBe(number('CallDuration'));
          expect(event.sequenceNumber).toBe(number('SequenceNumber'));
          break;
        case 'gather':
          expect(event.digits).toBe(fields['Digits']);
          expect(event.confidence).toBe(number('Confidence'));
          break;
        case 'dial':
          expect(event.dialCallStatus).toBe(fields['DialCallStatus']);
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
        default:
          break;
      }
    });

    test('is refused with another body, another path or another key', async () => {
      const harness = await start(fixture);
      expect((await send(harness.server, fixture, `${fixture.body}&X=1`)).status).toBe(403);
      expect((await send(harness.server, fixture, undefined, `${fixture.path}/x`)).status).toBe(
        403,
      );
      harness.server.close();
      const other = await start(fixture, 'PSK_SomeOtherKey00000000000');
      expect((await send(other.server, fixture)).status).toBe(403);
      other.server.close();
      for (const error of [...harness.errors, ...other.errors]) {
        expect(error.code).toBe('CC_ERR_SIGNATURE_INVALID');
        expect(error.message).not.toContain(fixture.secret as string);
      }
      expect(harness.events).toEqual([]);
    });
  },
);
