/**
 * Server 6 of `bench/http`, the Twilio workload: callcontrol's Twilio provider on Express,
 * `app.use('/placetel', calls.express())`, verifying `X-Twilio-Signature` for the public URL the
 * driver signs (`TWILIO_SIGNED_URL`, given as the app's `publicUrl`) and answering the voice
 * request with a `<Dial>` to both numbers — what baseline B does with twilio-node's `webhook()`
 * and `VoiceResponse`. Default options (duplicate detection on: a Twilio voice request without
 * `I-Twilio-Idempotency-Token` is never taken for a repetition, so every request runs).
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import { twilio } from '../../src';
import { listen, requiredEnv } from './listen';
import { BENCH_PATH, ENV, FORWARD_NUMBERS, TWILIO_SIGNED_URL } from './shared';

const calls = twilio.createApp({
  authToken: requiredEnv(ENV.twilioToken),
  publicUrl: TWILIO_SIGNED_URL,
});
calls.on('voice', () =>
  twilio.response(twilio.dial(...FORWARD_NUMBERS.map((number) => twilio.number(number)))),
);

const app = express();
app.use(BENCH_PATH, calls.express());

listen(createServer(app));
