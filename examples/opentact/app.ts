/**
 * The Opentact demo served by the example server at `/opentact`: an inbound IVR.
 *
 * - `call_flow_request`: answer, then a menu — 1 support, 2 sales (each dialled, with an
 *   `<Error>` block when nobody takes the call), 0 a private menu: a 4-digit PIN entered at a
 *   `<Gather url>` that points back here.
 * - `gather`: the PIN's digits; a known PIN is put through to the private line, any other
 *   hears goodbye.
 * - `call_state` and `call_flow` events are logged as one line each.
 *
 * Point the SIP Control App's `call_flow_url` and `webhook_url` at `/opentact`: the app tells
 * the requests apart (see `identifyOpentactRequest`).
 */
import { opentact, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createOpentactDemo}. */
export interface OpentactDemoOptions {
  /**
   * The URL at which Opentact reaches this app: where the PIN `<Gather url>` points. Default:
   * `http://<Host header of the request><mountPath>`.
   */
  readonly publicUrl?: string | undefined;
  /** Where the app is mounted, for the default `publicUrl`. Default `'/opentact'`. */
  readonly mountPath?: string;
  /** PINs that open the private line. */
  readonly pins: readonly string[];
  /** SIP destinations of the support team (ring together). */
  readonly support: readonly string[];
  /** SIP destinations of the sales team. */
  readonly sales: readonly string[];
  /** The private line a valid PIN is put through to. */
  readonly privateLine: string;
  /** When set, requests need `?token=…` (and the Gather url carries it). */
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

/** Builds the demo app; mount it with `app.use('/opentact', demo.express())`. */
export function createOpentactDemo(options: OpentactDemoOptions): opentact.OpentactApp {
  const log = options.log ?? ((line: string) => console.log(line));
  const calls = opentact.createApp({
    store: options.store,
    record: options.record,
    allowUnauthenticated: options.allowUnauthenticated,
    ...(options.token === undefined ? {} : { urlToken: { tokens: options.token } }),
  });
  const pinUrlFor = (host: string | undefined): string => {
    const url = new URL(
      options.publicUrl ?? `http://${host ?? '127.0.0.1'}${options.mountPath ?? '/opentact'}`,
    );
    url.searchParams.set('menu', 'private');
    if (options.token !== undefined) url.searchParams.set('token', options.token);
    return url.toString();
  };
  const busy = (team: string) => [
    opentact.say(`Sorry, our ${team} team is busy right now, please call again later.`),
    opentact.hangup(),
  ];

  calls.on('call_flow_request', (_call, { request }) => [
    opentact.answer(),
    opentact.say('Thank you for calling.'),
    opentact.gather({
      dtmfLength: 1,
      dtmfStop: '#',
      prompt: [opentact.say('Press 1 for support, 2 for sales, or 0 for the private menu.')],
      dtmf: [
        {
          value: '1',
          commands: [
            opentact.say('Connecting you to support.'),
            opentact.dial(options.support, { error: busy('support') }),
          ],
        },
        {
          value: '2',
          commands: [
            opentact.say('Connecting you to sales.'),
            opentact.dial(options.sales, { error: busy('sales') }),
          ],
        },
        {
          value: '0',
          commands: [
            opentact.gather({
              length: 4,
              dtmfStop: '#',
              url: pinUrlFor(request.headers['host']),
              prompt: [opentact.say('Please enter your 4-digit PIN.')],
              error: [opentact.say('Sorry, something went wrong.'), opentact.hangup()],
            }),
          ],
        },
      ],
      default: [opentact.say('No choice entered.')],
      error: [opentact.say('That is not a choice of this menu.')],
    }),
    opentact.say('Goodbye.'),
    opentact.hangup(),
  ]);

  calls.on('gather', (call) =>
    options.pins.includes(call.dtmf)
      ? [opentact.say('PIN accepted. Connecting you.'), opentact.dial(options.privateLine)]
      : [opentact.say('Sorry, that PIN is not valid. Goodbye.'), opentact.hangup()],
  );

  calls.onAny((event) => {
    const detail =
      event.name === 'call_state' && 'state' in event
        ? ` state=${String(event.state)}${'q850CauseString' in event && event.q850CauseString ? ` cause=${event.q850CauseString}` : ''}`
        : event.name === 'call_flow' && 'command' in event
          ? ` command=${String(event.command)} success=${String(event.success)}`
          : event.name === 'gather' && 'dtmf' in event
            ? ` digits=${event.dtmf.replace(/./g, '*')}`
            : '';
    log(
      `opentact ${event.name} call=${event.callId.slice(0, 8) || '-'} from=${event.from || '-'} ` +
        `to=${event.to || '-'}${detail}`,
    );
  });

  calls.onError((error, { event }) => {
    log(
      `opentact error ${error.code} (${error.status}) call=${event?.callId.slice(0, 8) || '-'}: ${error.message}`,
    );
  });
  return calls;
}
