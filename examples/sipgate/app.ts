/**
 * The sipgate.io demo served by the example server at `/sipgate`: every incoming call is
 * answered with a `<Dial>` to `forwardTo` (up to 5 numbers ringing at once), and the answer asks
 * for the `answer` and `hangup` follow-ups at the same mount (docs/providers/sipgate.md §4.1,
 * §4.2). Every event is logged as one line; who answered is kept in the call's session and
 * logged again when it hangs up. Outgoing calls get no instruction (`<Response/>`).
 */
import { sipgate, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createSipgateDemo}. */
export interface SipgateDemoOptions {
  /**
   * The RSA public key (PEM) `X-Sipgate-Signature` is checked with. Default: sipgate's published
   * key, so that the demo always verifies; give your own to sign test requests yourself.
   */
  readonly publicKey?: string | undefined;
  /**
   * The absolute URL sipgate reaches this mount at, for `onAnswer`/`onHangup`. Default:
   * `http://<Host header><mountPath>` (behind a proxy, set it: spec §3.3).
   */
  readonly publicUrl?: string | undefined;
  /** Where the app is mounted, for the default `publicUrl`. Default `'/sipgate'`. */
  readonly mountPath?: string;
  /** Where incoming calls are sent: E.164 numbers without `+`, 1 to 5. */
  readonly forwardTo: readonly string[];
  /** Where the one-line event log goes. Default `console.log`. */
  readonly log?: (line: string) => void;
  /** Where deliveries and sessions are kept (e.g. a `RedisStore`); default: in memory. */
  readonly store?: CallStore | undefined;
  /** Record every request and its answer to a file (see the app option `record`). */
  readonly record?: RecordOptions | undefined;
}

/**
 * Builds the demo app; mount it with `app.use('/sipgate', demo.express())`.
 *
 * @throws {TypeError} for a `publicKey` that is not an RSA public key
 */
export function createSipgateDemo(options: SipgateDemoOptions): sipgate.SipgateApp {
  const log = options.log ?? ((line: string) => console.log(line));
  const calls = sipgate.createApp({
    ...(options.publicKey === undefined ? {} : { publicKey: options.publicKey }),
    store: options.store,
    record: options.record,
  });
  const followUpUrl = (host: string | undefined): string =>
    options.publicUrl ?? `http://${host ?? '127.0.0.1'}${options.mountPath ?? '/sipgate'}`;

  calls.onAny((event) => {
    const extra =
      event.name === 'hangup' && 'cause' in event
        ? ` cause=${String(event.cause)}`
        : event.name === 'answer' && 'user' in event
          ? ` user=${event.user ?? '-'}`
          : '';
    log(
      `sipgate ${event.name} call=${event.callId.slice(0, 12)} from=${event.from || '-'} ` +
        `to=${event.to || '-'} direction=${event.direction ?? '-'}${extra}`,
    );
  });

  calls.on('newCall', (call, { request }) => {
    if (call.direction !== 'in') return null;
    const url = followUpUrl(request.headers['host']);
    return sipgate.response({
      onAnswer: url,
      onHangup: url,
      action: sipgate.dial({ numbers: options.forwardTo }),
    });
  });

  calls.on('answer', async (call, { session }) => {
    await session.set('answeredBy', call.answeringNumber ?? call.user ?? 'unknown');
  });

  calls.on('hangup', async (call, { session }) => {
    const answeredBy = await session.get<string>('answeredBy');
    log(
      `sipgate call ${call.callId.slice(0, 12)} ended (${String(call.cause)}), ` +
        (answeredBy === undefined ? 'not answered' : `answered by ${answeredBy}`),
    );
  });

  calls.onError((error, { event }) => {
    log(
      `sipgate error ${error.code} (${error.status}) call=${event?.callId.slice(0, 12) ?? '-'}: ${error.message}`,
    );
  });
  return calls;
}
