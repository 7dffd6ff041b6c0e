/**
 * The VoipNow demo served by the example server at `/voipnow`: a customer-support IVR.
 *
 * In VoipNow, the IVR asks the caller for a subscription id and stores it in the IVR variable
 * `SubscriptionCode`; its Call Interactive action calls
 * `https://<host>/voipnow/interactive?SubscriptionCode=$SubscriptionCode`. A known subscription
 * jumps to the support queue's IVR context; anything else hears a sound and is hung up. The
 * Call Events (`/dial-in`, `/dial-out`, `/hangup`, `/answer-in`, `/answer-out`, or all of them at
 * `/voipnow` itself) are logged as one line each.
 */
import { voipnow, type CallStore, type RecordOptions } from '../../src';

/** Options of {@link createVoipNowDemo}. */
export interface VoipNowDemoOptions {
  /** Subscription ids that get support. */
  readonly subscriptions: readonly string[];
  /** The IVR context of the support queue. Default `'StartSupport'`. */
  readonly supportContext?: string;
  /** The interactive parameter that carries the subscription id. Default `'SubscriptionCode'`. */
  readonly variable?: string;
  /** When set, requests need `?token=…`. */
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

/** Builds the demo app; mount it with `app.use('/voipnow', demo.express())`. */
export function createVoipNowDemo(options: VoipNowDemoOptions): voipnow.VoipNowApp {
  const log = options.log ?? ((line: string) => console.log(line));
  const variable = options.variable ?? 'SubscriptionCode';
  const calls = voipnow.createApp({
    store: options.store,
    record: options.record,
    allowUnauthenticated: options.allowUnauthenticated,
    ...(options.token === undefined ? {} : { urlToken: { tokens: options.token } }),
    eventPaths: {
      '/dial-in': 'Dial-In',
      '/dial-out': 'Dial-Out',
      '/hangup': 'Hangup',
      '/answer-in': 'Answer-In',
      '/answer-out': 'Answer-Out',
      '/interactive': 'call_interactive',
    },
  });

  calls.onAny((event) => {
    const extension = event.calledExtension?.extended ?? event.callerExtension?.extended ?? '-';
    log(
      `voipnow ${event.name} call=${event.callId.slice(0, 12) || '-'} from=${event.from || '-'} ` +
        `to=${event.to || '-'} extension=${extension} status=${event.callStatus ?? '-'}`,
    );
  });

  calls.on('call_interactive', (call) => {
    const subscription = call.param(variable);
    if (subscription !== undefined && options.subscriptions.includes(subscription)) {
      return [
        voipnow.setVar('SubscriptionValid', '1'),
        voipnow.jump({ context: options.supportContext ?? 'StartSupport', option: 1, priority: 1 }),
      ];
    }
    return [voipnow.playSound('invalid-subscription'), voipnow.hangup()];
  });

  calls.onError((error, { event }) => {
    log(
      `voipnow error ${error.code} (${error.status}) call=${event?.callId.slice(0, 12) || '-'}: ${error.message}`,
    );
  });
  return calls;
}
