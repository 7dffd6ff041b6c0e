/**
 * Baseline A of `bench/http`: a hand-written Express route for a signed Placetel IncomingCall —
 * `express.urlencoded()` keeping the raw body (`verify`), an HMAC-SHA256 check of
 * `X-PLACETEL-SIGNATURE` in constant time, and a template string answer (the numbers escaped).
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import express from 'express';
import { listen, requiredEnv } from './listen';
import { BENCH_PATH, ENV, FORWARD_NUMBERS, RINGTIME_SECONDS } from './shared';

const secret = requiredEnv(ENV.secret);

interface RawBodyRequest extends IncomingMessage {
  rawBody?: Buffer;
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

const app = express();
app.post(
  BENCH_PATH,
  express.urlencoded({
    extended: false,
    verify: (req: RawBodyRequest, _res, buf) => {
      req.rawBody = buf;
    },
  }),
  (req, res) => {
    const raw = (req as RawBodyRequest).rawBody;
    const given = Buffer.from(req.get('x-placetel-signature') ?? '', 'hex');
    const expected = createHmac('sha256', secret)
      .update(raw ?? '')
      .digest();
    if (
      raw === undefined ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      res.status(403).type('text/plain').send('invalid signature');
      return;
    }
    const fields = req.body as Record<string, string | undefined>;
    if (fields['event'] !== 'IncomingCall' || !fields['call_id']) {
      res.type('application/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      return;
    }
    const numbers = FORWARD_NUMBERS.map((number) => `<Number>${escapeXml(number)}</Number>`);
    res
      .type('application/xml')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?><Response><Forward><Target ringtime="${RINGTIME_SECONDS}">${numbers.join('')}</Target></Forward></Response>`,
      );
  },
);

listen(createServer(app));
