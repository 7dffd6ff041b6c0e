/**
 * The Telnyx TeXML demo served by the example server at `/telnyx`: an incoming call hears a
 * menu in a `<Gather>` of one digit; `1` is dialled to `sales`, `2` to `support` (the numbers of
 * each ring at once); anything else, or no key, hears the menu once more and is then hung up.
 * The digits arrive at the named action `menu` (`/telnyx/actions/menu`), whose URL the answer
 * refers to by name (docs/providers/telnyx.md §2.3, §5.3). Every request is logged as one line.
 */
import { telnyx, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createTelnyxDemo}. */
export interface TelnyxDemoOptions {
  /**
   * Telnyx's public key (base64, as the portal shows it): requests must carry a valid
   * `telnyx-signature-ed25519` signed within the last 300 seconds. Unset: no signature check,
   * which needs `allowUnauthenticated`.
   */
  readonly publicKey?: string | undefined;
  /** Serve without any check when `publicKey` is unset (never in production). */
  readonly allowUnauthenticated?: boolean | undefined;
  /**
   * The URL Telnyx reaches this mount at, for the menu's action URL. Default: the request's
   * scheme and `Host` and the mount path.
   */
  readonly publicUrl?: string | undefined;
  /** Numbers key 1 dials (E.164), ringing at once. */
  readonly sales: readonly string[];
  /** Numbers key 2 dials (E.164), ringing at once. */
  readonly support: readonly string[];
  /** Where the one-line request log goes. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept (e.g. a `RedisStore`); default: in memory. */
  readonly store?: CallStore | undefined;
  /** Record every request and its answer to a file (see the app option `record`). */
  readonly record?: RecordOptions | undefined;
}

const MENU = 'For sales, press 1. For support, press 2.';

/**
 * Builds the demo app; mount it with `app.use('/telnyx', demo.express())`.
 *
 * @throws {TypeError} for a `publicKey` that is not an Ed25519 public key, empty `sales` or
 *   `support`, or no `publicKey` without `allowUnauthenticated`
 */
export function createTelnyxDemo(options: TelnyxDemoOptions): telnyx.TelnyxApp<'menu'> {
  if (options.sales.length === 0 || options.support.length === 0) {
    throw new TypeError('sales and support need at least one number each');
  }
  const log = options.log ?? ((line: string) => console.log(line));
  const calls = telnyx.createApp({
    ...(options.publicKey === undefined ? {} : { publicKey: options.publicKey }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    allowUnauthenticated: options.allowUnauthenticated === true,
    actions: ['menu'] as const,
    store: options.store,
    record: options.record,
  });

  /** The menu; `attempt` 1 or 2 comes back with the digits. */
  const menu = (attempt: number) => {
    const action = calls.actionUrl('menu', { attempt: String(attempt) });
    return telnyx.response(
      telnyx.gather({ numDigits: 1, timeout: 5, action }, telnyx.say(MENU)),
      // No key within the timeout: the document goes on here, and counts as "anything else".
      telnyx.redirect({ method: 'POST' }, action),
    );
  };
  const dialAll = (numbers: readonly string[]) =>
    telnyx.response(telnyx.dial(...numbers.map((each) => telnyx.number(each))));

  calls.onAny((event) => {
    const digits = 'digits' in event && event.digits !== undefined ? ` digits=${event.digits}` : '';
    log(
      `telnyx ${event.name}${event.action === undefined ? '' : ` action=${event.action}`} ` +
        `call=${event.callId.slice(0, 16)} from=${event.from || '-'} to=${event.to || '-'}${digits}`,
    );
  });

  calls.on('voice', () => menu(1));

  calls.action('menu', (result) => {
    const digits = result.name === 'gather' ? result.digits : undefined;
    if (digits === '1') return dialAll(options.sales);
    if (digits === '2') return dialAll(options.support);
    if (result.actionQuery['attempt'] === '1') return menu(2);
    return telnyx.response(telnyx.say('Goodbye.'), telnyx.hangup());
  });

  return calls;
}
