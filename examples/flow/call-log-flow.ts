/**
 * One provider-neutral call flow, written once and mounted on every provider that can express
 * it: a caller on the block list is rejected as busy, any other incoming call is forwarded with
 * 20 s ring time, and every call's neutral record is kept — a minimal cross-PBX call log.
 */
import {
  createFlow,
  flowNumber,
  type FlowCountry,
  type FlowEnded,
  type FlowHangupCause,
} from '../../src/flow';

/** How long forwarded calls ring, in seconds. */
export const FLOW_RING_TIME_SECONDS = 20;

/** Most records the call log keeps (the newest). */
export const CALL_LOG_SIZE = 100;

/** One call's neutral record. */
export interface CallRecord {
  /** The provider id. */
  readonly provider: string;
  /** The provider's call id. */
  readonly callId: string;
  /** The caller as the provider sent it, and in E.164 where it can be derived. */
  readonly from: { readonly raw: string; readonly e164: string | undefined };
  /** The number called. */
  readonly to: { readonly raw: string; readonly e164: string | undefined };
  readonly direction: 'inbound' | 'outbound' | 'unknown';
  /** Whether the call was answered (the provider's word, else: its cause is `completed`). */
  readonly answered: boolean;
  /** The neutral hangup cause, and the provider's own beside it. */
  readonly cause: FlowHangupCause;
  readonly providerCause: string | undefined;
  /** Talk time in **seconds**, when the provider reports it. */
  readonly durationSeconds: number | undefined;
  /** When the record was made (ISO 8601). */
  readonly endedAt: string;
}

/** The call log: the last {@link CALL_LOG_SIZE} records, kept in memory. */
export class CallLog {
  readonly #records: CallRecord[] = [];

  /** Adds the record of an ended call (the oldest drops out beyond the size). */
  add(record: CallRecord): void {
    this.#records.push(record);
    if (this.#records.length > CALL_LOG_SIZE) this.#records.shift();
  }

  /** The records, newest first. */
  latest(): CallRecord[] {
    return [...this.#records].reverse();
  }
}

/** The record of an ended call. */
export function callRecord(call: FlowEnded): CallRecord {
  return {
    provider: call.provider,
    callId: call.callId,
    from: { raw: call.from.raw, e164: call.from.e164 },
    to: { raw: call.to.raw, e164: call.to.e164 },
    direction: call.direction,
    answered: call.answered ?? call.cause === 'completed',
    cause: call.cause,
    providerCause: call.providerCause,
    durationSeconds: call.durationSeconds,
    endedAt: new Date().toISOString(),
  };
}

/** Options of {@link createCallLogFlow}. */
export interface CallLogFlowOptions {
  /** Callers rejected as busy, compared as given and as E.164. */
  readonly blocked: readonly string[];
  /** Where any other incoming call is forwarded (rung together). */
  readonly forwardTo: readonly string[];
  /** The country of national numbers (e.g. `'DE'`), for E.164. */
  readonly defaultCountry?: FlowCountry | undefined;
  /** The log records go to; default a new one. */
  readonly log?: CallLog;
}

/**
 * The call-log flow. Mount it with `flow.mount(app)` on each provider's app.
 *
 * @throws {TypeError} for an empty `forwardTo` or an unknown `defaultCountry`
 */
export function createCallLogFlow(options: CallLogFlowOptions) {
  if (options.forwardTo.length === 0) throw new TypeError('forwardTo: give at least one target');
  const log = options.log ?? new CallLog();
  const flow = createFlow({
    uses: ['forward', 'reject'] as const,
    defaultCountry: options.defaultCountry,
  });
  const blocked = new Set<string>();
  for (const entry of options.blocked) {
    blocked.add(entry);
    const e164 = flowNumber(entry, options.defaultCountry).e164;
    if (e164 !== undefined) blocked.add(e164);
  }
  const forward = flow.forward({
    targets: options.forwardTo,
    ringTimeSeconds: FLOW_RING_TIME_SECONDS,
  });
  const busy = flow.reject('busy');
  // Checked against each provider when mounted: a ring time it cannot set fails there.
  flow.expects(forward, busy);
  flow.on('incoming', (call) =>
    blocked.has(call.from.raw) || (call.from.e164 !== undefined && blocked.has(call.from.e164))
      ? busy
      : forward,
  );
  flow.on('ended', (call) => {
    log.add(callRecord(call));
  });
  return { flow, log };
}
