/**
 * Server 6 of `bench/http`, the Twilio workload: callcontrol's Twilio provider on Express,
 * `app.use('/placetel', calls.express())`, verifying `X-Twilio-Signature` for the public URL the
 * driver signs (`TWILIO_SIGNED_URL`, given as the app's `publicUrl`) and answering the voice
 * request with a `<Dial>` to both numbers — what baseline B does with twilio-node's `webhook()`
 * and `VoiceResponse`. Default options (duplicate detection on: a Twilio voice request without
 * `I-Twilio-Idempotency-Token` is never taken for a repetition, so every request runs).
 * With `BENCH_FRONT=on`, server 10: the same app answered in front of the Express app by
 * `routeWebhooks` instead of mounted in it.
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import { routeWebhooks, twilio } from '../../src';
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
if (process.env[ENV.front] === 'on') {
  // Server 10: the same app answered in front of Express (routeWebhooks).
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  listen(createServer(routeWebhooks({ [BENCH_PATH]: calls.node() }, app)));
} else {
  app.use(BENCH_PATH, calls.express());
  listen(createServer(app));
}
