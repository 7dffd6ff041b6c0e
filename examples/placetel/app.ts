/**
 * The Placetel demo routing served by the example server at `/placetel`:
 * anonymous callers are rejected as busy, every other incoming call is forwarded to
 * `forwardTo`, and every event is logged as one line. How each call was routed is kept in the
 * call's session and logged again when it hangs up (with a shared store, whichever instance
 * gets the HungUp knows).
 */
import { placetel, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createPlacetelDemo}. */
export interface PlacetelDemoOptions {
  /** Signing secret(s); when set, unsigned requests get 403. */
  readonly secret?: string | undefined;
  /**
   * Serve requests without any check when `secret` is not given — for local development only
   * (the example server allows it when its NODE_ENV is not `production`). Default `false`:
   * without `secret` the app is not created.
   */
  readonly allowUnauthenticated?: boolean | undefined;
  /** Where incoming calls are forwarded: numbers or SIP ids that ring together. */
  readonly forwardTo: readonly string[];
  /** Ring time of the forward, in seconds. */
  readonly ringtimeSeconds?: number;
  /** Where the one-line event log goes. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept (e.g. a `RedisStore`); default: in memory. */
  readonly store?: CallStore | undefined;
  /** Record every request and its answer to a file (see the app option `record`). */
  readonly record?: RecordOptions | undefined;
}

/** Builds the demo app; mount it with `app.use('/placetel', demo.express())`. */
export function createPlacetelDemo(options: PlacetelDemoOptions): placetel.PlacetelApp {
  const log = options.log ?? ((line: string) => console.log(line));
  const calls = placetel.createApp({
    secret: options.secret,
    allowUnauthenticated: options.allowUnauthenticated,
    store: options.store,
    record: options.record,
  });

  calls.onAny((event) => {
    const extra =
      event.name === 'HungUp' && 'type' in event
        ? ` type=${String(event.type)} duration=${String(event.duration)}s`
        : 'peer' in event && event.peer !== undefined
          ? ` peer=${event.peer}`
          : '';
    log(
      `placetel ${event.name} call=${event.callId.slice(0, 12)} from=${event.from || '-'} ` +
        `to=${event.to || '-'} direction=${event.direction ?? '-'}${extra}`,
    );
  });

  calls.on('IncomingCall', async (call, { session }) => {
    if (call.from === 'anonymous') {
      await session.set('routing', 'rejected busy');
      return placetel.reject({ reason: 'busy' });
    }
    await session.set('routing', `forwarded to ${options.forwardTo.join(',')}`);
    return placetel.forward({
      targets: [{ ringtime: options.ringtimeSeconds ?? 30, numbers: options.forwardTo }],
    });
  });

  calls.on('HungUp', async (call, { session }) => {
    const routing = await session.get<string>('routing');
    log(
      `placetel call ${call.callId.slice(0, 12)} ended (${String(call.type)}, ` +
        `${String(call.duration)}s), ${routing ?? 'routing unknown'}`,
    );
  });

  calls.onError((error, { event }) => {
    log(
      `placetel error ${error.code} (${error.status}) call=${event?.callId.slice(0, 12) ?? '-'}: ${error.message}`,
    );
  });
  return calls;
}
