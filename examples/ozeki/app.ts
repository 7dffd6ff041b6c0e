/**
 * The Ozeki demo IVR served by the example server at `/ozeki`:
 *
 * - `IncomingCall`: a menu — 1 for opening hours, 2 to enter a 4-digit PIN (a nested
 *   `UserInput` whose digits Ozeki posts back as `DtmfEntered`), 0 for the operator. The
 *   greeting names the caller (`CallerDisplayName`), without the characters XML cannot carry.
 * - `DtmfEntered`: a known PIN is transferred to `transferTo`; the first wrong PIN of a
 *   call is asked again ("Please try once more"), the second hears goodbye and is hung up.
 * - Every notification is logged as one line.
 */
import { ozeki, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createOzekiDemo}. */
export interface OzekiDemoOptions {
  /**
   * The URL at which the PBX reaches this app (`/ozeki` of the example server): where the PIN
   * menu's `ForwardToUrl` points, so the digits come back here as `DtmfEntered`. Default:
   * `http://<Host header of the request><mountPath>`.
   */
  readonly publicUrl?: string | undefined;
  /** Where the app is mounted, for the default `publicUrl`. Default `'/ozeki'`. */
  readonly mountPath?: string;
  /** PINs that are accepted. */
  readonly pins: readonly string[];
  /** Extension or number a caller with a valid PIN is transferred to. */
  readonly transferTo: string;
  /** Extension of the operator (menu key 0). */
  readonly operator: string;
  /** When set, requests need `?token=…` (and the `ForwardToUrl` carries it). */
  readonly token?: string | undefined;
  /**
   * Serve requests without any check when `token` is not given — for local development only
   * (the example server allows it when its NODE_ENV is not `production`). Default `false`:
   * without `token` the app is not created.
   */
  readonly allowUnauthenticated?: boolean | undefined;
  /** Where the one-line event log goes. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept (e.g. a `RedisStore`); default: in memory. */
  readonly store?: CallStore | undefined;
  /** Record every request and its answer to a file (see the app option `record`). */
  readonly record?: RecordOptions | undefined;
}

/** Builds the demo app; mount it with `app.use('/ozeki', demo.express())`. */
export function createOzekiDemo(options: OzekiDemoOptions): ozeki.OzekiApp {
  const log = options.log ?? ((line: string) => console.log(line));
  const calls = ozeki.createApp({
    store: options.store,
    record: options.record,
    allowUnauthenticated: options.allowUnauthenticated,
    ...(options.token === undefined ? {} : { urlToken: { tokens: options.token } }),
  });
  const pinUrlFor = (host: string | undefined): string => {
    const url = new URL(
      options.publicUrl ?? `http://${host ?? '127.0.0.1'}${options.mountPath ?? '/ozeki'}`,
    );
    if (options.token !== undefined) url.searchParams.set('token', options.token);
    return url.toString();
  };

  calls.onAny((event) => {
    const extra =
      'dtmfDigits' in event
        ? ` digits=${event.dtmfDigits.replace(/./g, '*')}`
        : 'callState' in event && event.callState !== undefined
          ? ` state=${event.callState}`
          : '';
    log(
      `ozeki ${event.name} call=${event.callId || '-'} from=${event.from || '-'} ` +
        `to=${event.to || '-'}${extra}`,
    );
  });

  calls.on('IncomingCall', (call, { request }) => [
    ozeki.userInput({
      timeout: 10,
      repeat: true,
      initialCommands: [
        // A SIP display name may carry control characters, which XML cannot: they are left
        // out of the greeting rather than refusing the answer (the caller would be hung up).
        ozeki.speak(`Welcome${call.callerDisplayName ? `, ${call.callerDisplayName}` : ''}.`, {
          invalidXmlCharacters: 'remove',
        }),
        ozeki.speak('For our opening hours, press 1. To enter your PIN, press 2.'),
        ozeki.speak('To talk to an operator, press 0.'),
      ],
      inputs: [
        {
          key: '1',
          commands: [ozeki.speak('We are open Monday to Friday, 9 am to 5 pm.')],
        },
        {
          key: '2',
          commands: [
            ozeki.userInput({
              digits: 4,
              timeout: 10,
              backKey: '*',
              forwardToUrl: pinUrlFor(request.headers['host']),
              initialCommands: [
                ozeki.speak('Please enter your 4-digit PIN, or press star to go back.'),
              ],
            }),
          ],
        },
        { key: '0', commands: [ozeki.blindTransfer(options.operator)] },
      ],
    }),
  ]);

  // A wrong PIN may be tried again once; the attempts are counted in the call's session.
  calls.on('DtmfEntered', async (call, { session, request }) => {
    if (options.pins.includes(call.dtmfDigits)) {
      return [
        ozeki.speak('Thank you. Transferring you now.'),
        ozeki.blindTransfer(options.transferTo),
      ];
    }
    const attempts = ((await session.get<number>('pinAttempts')) ?? 0) + 1;
    await session.set('pinAttempts', attempts);
    if (attempts >= 2)
      return [ozeki.speak('Sorry, that PIN is not valid. Goodbye.'), ozeki.hangup()];
    return [
      ozeki.userInput({
        digits: 4,
        timeout: 10,
        forwardToUrl: pinUrlFor(request.headers['host']),
        initialCommands: [ozeki.speak('That PIN is not valid. Please try once more.')],
      }),
    ];
  });

  calls.onError((error, { event }) => {
    log(
      `ozeki error ${error.code} (${error.status}) call=${event?.callId || '-'}: ${error.message}`,
    );
  });
  return calls;
}
