/**
 * The SignalWire cXML demo served by the example server at `/signalwire`: an incoming call hears a
 * menu in a `<Gather>` of one digit; `1` is dialled to `sales`, `2` to `support` (the numbers of
 * each ring at once); anything else, or no key, hears the menu once more and is then hung up.
 * The digits arrive at the named action `menu` (`/signalwire/actions/menu`), whose URL the answer
 * refers to by name (docs/providers/signalwire.md §2.3, §5.2). Every request is logged as one line.
 */
import { signalwire, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createSignalwireDemo}. */
export interface SignalwireDemoOptions {
  /**
   * The project's Signing Key: requests must carry a valid `X-SignalWire-Signature` (or
   * `X-Twilio-Signature`) over `publicUrl` and their parameters. Unset: no signature check,
   * which needs `allowUnauthenticated`.
   */
  readonly signingKey?: string | undefined;
  /** Serve without any check when `signingKey` is unset (never in production). */
  readonly allowUnauthenticated?: boolean | undefined;
  /**
   * The URL SignalWire reaches this mount at, e.g. `https://voice.example.com/signalwire`: what
   * the signatures are checked over, and the base of the menu's action URL. Default: the
   * request's scheme and `Host` and the mount path.
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
 * Builds the demo app; mount it with `app.use('/signalwire', demo.express())`.
 *
 * @throws {TypeError} for an empty `signingKey`, `sales` or `support`, or no `signingKey`
 *   without `allowUnauthenticated`
 */
export function createSignalwireDemo(
  options: SignalwireDemoOptions,
): signalwire.SignalwireApp<'menu'> {
  if (options.sales.length === 0 || options.support.length === 0) {
    throw new TypeError('sales and support need at least one number each');
  }
  const log = options.log ?? ((line: string) => console.log(line));
  const calls = signalwire.createApp({
    ...(options.signingKey === undefined ? {} : { signingKey: options.signingKey }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    allowUnauthenticated: options.allowUnauthenticated === true,
    actions: ['menu'] as const,
    store: options.store,
    record: options.record,
  });

  /** The menu; `attempt` 1 or 2 comes back with the digits. */
  const menu = (attempt: number) => {
    const action = calls.actionUrl('menu', { attempt: String(attempt) });
    return signalwire.response(
      signalwire.gather({ numDigits: 1, timeout: 5, action }, signalwire.say(MENU)),
      // No key within the timeout: the document goes on here, and counts as "anything else".
      signalwire.redirect({ method: 'POST' }, action),
    );
  };
  const dialAll = (numbers: readonly string[]) =>
    signalwire.response(signalwire.dial(...numbers.map((each) => signalwire.number(each))));

  calls.onAny((event) => {
    const digits = 'digits' in event && event.digits !== undefined ? ` digits=${event.digits}` : '';
    log(
      `signalwire ${event.name}${event.action === undefined ? '' : ` action=${event.action}`} ` +
        `call=${event.callId.slice(0, 16)} from=${event.from || '-'} to=${event.to || '-'}${digits}`,
    );
  });

  calls.on('voice', () => menu(1));

  calls.action('menu', (result) => {
    const digits = result.name === 'gather' ? result.digits : undefined;
    if (digits === '1') return dialAll(options.sales);
    if (digits === '2') return dialAll(options.support);
    if (result.actionQuery['attempt'] === '1') return menu(2);
    return signalwire.response(signalwire.say('Goodbye.'), signalwire.hangup());
  });

  return calls;
}
