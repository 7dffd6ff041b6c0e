/**
 * Baseline B of `bench/http`: the same route done the way many users would reach for it —
 * `express.urlencoded()`, twilio-node's `webhook()` middleware (which verifies
 * `X-Twilio-Signature`: HMAC-SHA1 over the URL and the sorted form fields) and a `VoiceResponse`
 * with `<Dial>` to both numbers (the TwiML equivalent of a Placetel Forward to two numbers).
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import twilio from 'twilio';
import { listen, requiredEnv } from './listen';
import { BENCH_PATH, ENV, FORWARD_NUMBERS } from './shared';

const authToken = requiredEnv(ENV.twilioToken);

const app = express();
app.post(
  BENCH_PATH,
  express.urlencoded({ extended: false }),
  twilio.webhook(authToken),
  (_req, res) => {
    const answer = new twilio.twiml.VoiceResponse();
    const dial = answer.dial();
    for (const number of FORWARD_NUMBERS) dial.number(number);
    res.type('text/xml').send(answer.toString());
  },
);

listen(createServer(app));
