/**
 * What `bench/http` and its servers (`bench/servers/*.ts`) agree on: the numbers every server
 * forwards an IncomingCall to, the answers they must give, the URL baseline B's signatures are
 * computed over, and the environment a server is configured by.
 *
 * Only constants here: the driver imports this file too.
 *
 * @module
 */

/** The two numbers every server forwards to (ringing together: one Placetel `<Target>`). */
export const FORWARD_NUMBERS: readonly string[] = ['022129191999', '022199998560'];

/** Ring time of the target, seconds. */
export const RINGTIME_SECONDS = 30;

/**
 * The Placetel answer of baselines A, the ceiling and callcontrol: a `<Forward>` with one target
 * of both numbers, as `placetel.forward()` renders it.
 */
export const FORWARD_XML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Forward>' +
  `<Target ringtime="${RINGTIME_SECONDS}">` +
  FORWARD_NUMBERS.map((number) => `<Number>${number}</Number>`).join('') +
  '</Target></Forward></Response>';

/** Baseline B's answer: the TwiML equivalent, `<Dial>` with both `<Number>`s. */
export const TWIML_XML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Dial>' +
  FORWARD_NUMBERS.map((number) => `<Number>${number}</Number>`).join('') +
  '</Dial></Response>';

/** The path every request is sent to. */
export const BENCH_PATH = '/placetel';

/**
 * The URL baseline B's `X-Twilio-Signature` is computed over. twilio's `webhook()` rebuilds the
 * URL from the request (`http://127.0.0.1:<port>/placetel`) and tries it without the port first,
 * as Twilio signs the URL as configured: this form verifies with one HMAC, the common case.
 */
export const TWILIO_SIGNED_URL = `http://127.0.0.1${BENCH_PATH}`;

/** Environment variables of the servers. */
export const ENV = {
  /** Placetel signing secret (baseline A, callcontrol). */
  secret: 'BENCH_PLACETEL_SECRET',
  /** Twilio auth token (baseline B). */
  twilioToken: 'BENCH_TWILIO_TOKEN',
  /** `off`: callcontrol with `duplicates: false`; anything else: the default options. */
  duplicates: 'BENCH_DUPLICATES',
  /** `redis://127.0.0.1:<port>/0`: callcontrol with a `RedisStore` there (server 7). */
  redisUrl: 'BENCH_REDIS_URL',
  /** `on`: the Twilio server answers in front of Express (`routeWebhooks`, server 10). */
  front: 'BENCH_FRONT',
} as const;

/** The line a server prints once it listens; the driver reads the port from it. */
export const LISTENING_LINE = /^bench-server listening on 127\.0\.0\.1:(\d+)$/;
