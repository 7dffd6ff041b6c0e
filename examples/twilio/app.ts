/**
 * The Twilio demo served by the example server at `/twilio`: an incoming call hears a menu in a
 * `<Gather>` of one digit; `1` is dialled to the sales numbers, `2` to the support numbers (the
 * numbers of one team ring at once); anything else — another key, or no key — hears the menu
 * again once and is then hung up. The digit goes to the named action `menu`
 * (`<mount>/actions/menu`); the attempt travels in the action's query. Requests must carry a
 * valid `X-Twilio-Signature` for the URL Twilio called (docs/providers/twilio.md §3): behind a
 * proxy or tunnel, give `publicUrl`.
 */
import { twilio, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createTwilioDemo}. */
export interface TwilioDemoOptions {
  /** The account's Auth Token, or several during a rotation; unset: see `allowUnauthenticated`. */
  readonly authToken?: string | readonly string[] | undefined;
  /** Serve without a signature check (local development only). */
  readonly allowUnauthenticated?: boolean | undefined;
  /**
   * The public URL of this mount, as Twilio calls it and signs it, e.g.
   * `https://voice.example.com/twilio`. Default: made from each request (`http://` + `Host`).
   */
  readonly publicUrl?: string | undefined;
  /** Numbers key 1 is dialled to (E.164, ringing at once). */
  readonly sales: readonly string[];
  /** Numbers key 2 is dialled to. */
  readonly support: readonly string[];
  /** Where the one-line event log goes. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept (e.g. a `RedisStore`); default: in memory. */
  readonly store?: CallStore | undefined;
  /** Record every request and its answer to a file (see the app option `record`). */
  readonly record?: RecordOptions | undefined;
}

const MENU = 'For sales, press 1. For support, press 2.';

/**
 * Builds the demo app; mount it with `app.use('/twilio', demo.express())`.
 *
 * @throws {TypeError} for an empty auth token, a `publicUrl` that is not an absolute http(s)
 *   URL, or no auth token without `allowUnauthenticated`
 */
export function createTwilioDemo(options: TwilioDemoOptions): twilio.TwilioApp<'menu'> {
  const log = options.log ?? ((line: string) => console.log(line));
  const calls = twilio.createApp({
    ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
    allowUnauthenticated: options.allowUnauthenticated,
    publicUrl: options.publicUrl,
    actions: ['menu'] as const,
    store: options.store,
    record: options.record,
  });
  /** The menu, with the attempt it is in the action's query. */
  const menu = (attempt: number) =>
    twilio.gather(
      {
        numDigits: 1,
        timeout: 5,
        actionOnEmptyResult: true,
        action: calls.actionUrl('menu', { attempt: String(attempt) }),
      },
      twilio.say(MENU),
    );
  const dialAll = (numbers: readonly string[]) =>
    twilio.dial(...numbers.map((number) => twilio.number(number)));

  calls.onAny((event) => {
    log(
      `twilio ${event.action === undefined ? event.name : `action ${event.action} (${event.name})`} ` +
        `call=${event.callId.slice(0, 12) || '-'} from=${event.from || '-'} to=${event.to || '-'}`,
    );
  });

  calls.on('voice', () => twilio.response(menu(1)));

  calls.action('menu', (result) => {
    const digits = result.name === 'gather' ? result.digits : undefined;
    if (digits === '1') return twilio.response(dialAll(options.sales));
    if (digits === '2') return twilio.response(dialAll(options.support));
    if (result.actionQuery['attempt'] === '1') return twilio.response(menu(2));
    return twilio.response(twilio.say('Goodbye.'), twilio.hangup());
  });

  calls.on('status-callback', (event) => {
    log(
      `twilio call ${event.callId.slice(0, 12)} ${event.callStatus ?? '-'}` +
        (event.callDurationSeconds === undefined ? '' : ` after ${event.callDurationSeconds} s`),
    );
  });

  calls.onError((error, { event }) => {
    log(
      `twilio error ${error.code} (${error.status}) call=${event?.callId.slice(0, 12) || '-'}: ${error.message}`,
    );
  });
  return calls;
}
