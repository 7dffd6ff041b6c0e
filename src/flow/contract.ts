/**
 * The provider-neutral call flow: the shapes a flow is written in (neutral events and answers)
 * and the contract each provider folder fulfils to run one (`src/providers/<name>/flow.ts`,
 * exported as its plug-in's `flow`). The flow API itself (`createFlow`, mounting, the
 * capability matrix) is in `src/flow/index.ts`.
 *
 * A provider's flow support is written once, in its folder: how its own events become neutral
 * events, and how each neutral answer it can express is compiled into its own language — or,
 * for one it cannot express, why not. The capability matrix is read off these declarations
 * (`capabilities`), never kept by hand.
 *
 * @module
 */

/** The neutral events: a call rings, is answered, ends, and delivers digits. */
export const FLOW_EVENTS = ['incoming', 'answered', 'ended', 'digits'] as const;

/** A neutral event's name. */
export type FlowEventName = (typeof FLOW_EVENTS)[number];

/**
 * Why a call ended, in one small neutral set; the provider's own cause is kept beside it
 * (`providerCause`).
 */
export type FlowHangupCause =
  'completed' | 'busy' | 'no-answer' | 'rejected' | 'failed' | 'canceled' | 'voicemail' | 'unknown';

/** A phone number as the provider sent it, and in E.164 where it can be derived. */
export interface FlowNumber {
  /** The provider's text, unchanged (e.g. Placetel's national `022129191999`). */
  readonly raw: string;
  /**
   * E.164 (`+4922129191999`), derived with libphonenumber-js and the flow's default country;
   * `undefined` when the text is no phone number (a SIP URI, an extension, anonymous).
   */
  readonly e164: string | undefined;
}

/** The fields every neutral event has. */
export interface FlowEventBase<Name extends FlowEventName = FlowEventName> {
  /** The neutral event's name. */
  readonly name: Name;
  /** The provider id, e.g. `'placetel'`. */
  readonly provider: string;
  /** The provider's call id (`call_id`, `CallSid`, `callId`, …). */
  readonly callId: string;
  /** The caller. */
  readonly from: FlowNumber;
  /** The number called. */
  readonly to: FlowNumber;
  /** `'inbound'` or `'outbound'` (from the provider's side), `'unknown'` when it does not say. */
  readonly direction: 'inbound' | 'outbound' | 'unknown';
  /** The provider's own typed event this one was made from. */
  readonly raw: unknown;
}

/** A call rings at the endpoint: answer it with a neutral answer. */
export type FlowIncoming = FlowEventBase<'incoming'>;

/** The call was answered (by the endpoint's target). */
export type FlowAnswered = FlowEventBase<'answered'>;

/** The call ended. */
export interface FlowEnded extends FlowEventBase<'ended'> {
  /** The neutral cause. */
  readonly cause: FlowHangupCause;
  /** The provider's own cause, as sent (`HungUp` `type`, `CallStatus`, a Q.850 name…). */
  readonly providerCause: string | undefined;
  /** Talk time in **seconds**, when the provider reports it. */
  readonly durationSeconds: number | undefined;
  /** Whether the call was answered, as far as the provider tells. */
  readonly answered: boolean | undefined;
}

/** The caller typed digits (the result of a neutral `gather`). */
export interface FlowDigits extends FlowEventBase<'digits'> {
  /** The keys, e.g. `'1'`, `'1234#'` as sent (`''` when nothing was typed). */
  readonly digits: string;
  /** The name of the gather step (`gather({ step })`) these digits answer, when known. */
  readonly step: string | undefined;
}

/** Every neutral event, by name. */
export interface FlowEventMap {
  /** A call rings. */
  readonly incoming: FlowIncoming;
  /** The call was answered. */
  readonly answered: FlowAnswered;
  /** The call ended. */
  readonly ended: FlowEnded;
  /** The caller typed digits. */
  readonly digits: FlowDigits;
}

/** A neutral event. */
export type FlowEvent = FlowEventMap[FlowEventName];

/** The neutral answers (verbs) a flow can give. */
export const FLOW_VERBS = [
  'forward',
  'reject',
  'hangup',
  'say',
  'play',
  'gather',
  'queue',
  'voicemail',
  'record',
] as const;

/** A neutral verb's name. */
export type FlowVerb = (typeof FLOW_VERBS)[number];

/** `forward`: ring these targets together, each a phone number (E.164 or national) or SIP URI. */
export interface FlowForward {
  /** The neutral verb. */
  readonly verb: 'forward';
  /** One or more targets, rung at the same time. */
  readonly targets: readonly string[];
  /** How long to ring, in **seconds**; default: the provider's own. */
  readonly ringTimeSeconds?: number;
  /** The caller id shown to the targets, when the provider can set it. */
  readonly callerId?: string;
}

/** `reject`: refuse the call without answering it. */
export interface FlowReject {
  /** The neutral verb. */
  readonly verb: 'reject';
  /** `'busy'` (default) or `'rejected'`. */
  readonly reason: 'busy' | 'rejected';
}

/** `hangup`: end the call. */
export interface FlowHangup {
  /** The neutral verb. */
  readonly verb: 'hangup';
}

/** `say`: read a text to the caller. */
export interface FlowSay {
  /** The neutral verb. */
  readonly verb: 'say';
  /** The text to read. */
  readonly text: string;
  /** BCP 47 language, e.g. `'de-DE'`; default: the provider's. */
  readonly language?: string;
}

/** `play`: play a recording by URL. */
export interface FlowPlay {
  /** The neutral verb. */
  readonly verb: 'play';
  /** Absolute http(s) URL of the audio. */
  readonly url: string;
}

/** `gather`: prompt, collect digits, and continue in the flow's `digits` handler. */
export interface FlowGather {
  /** The neutral verb. */
  readonly verb: 'gather';
  /** What the caller hears first (a text to say, or a recording to play). */
  readonly prompt?: FlowSay | FlowPlay;
  /** How many digits at most; default 1. */
  readonly maxDigits?: number;
  /** How long to wait for input, in **seconds**; default the provider's. */
  readonly timeoutSeconds?: number;
  /** A name for this step, handed back as `FlowDigits.step`. */
  readonly step?: string;
}

/** `queue`: send the caller to a queue (a waiting line) by its name or id. */
export interface FlowQueue {
  /** The neutral verb. */
  readonly verb: 'queue';
  /** The queue's name or id, as the provider knows it. */
  readonly queue: string;
}

/** `voicemail`: send the caller to voicemail (the provider's mailbox of the number called). */
export interface FlowVoicemail {
  /** The neutral verb. */
  readonly verb: 'voicemail';
}

/** `record`: record the caller (a message). */
export interface FlowRecord {
  /** The neutral verb. */
  readonly verb: 'record';
  /** Longest recording, in **seconds**; default the provider's. */
  readonly maxLengthSeconds?: number;
}

/** A neutral answer. */
export type FlowAnswer =
  | FlowForward
  | FlowReject
  | FlowHangup
  | FlowSay
  | FlowPlay
  | FlowGather
  | FlowQueue
  | FlowVoicemail
  | FlowRecord;

/** A neutral answer of the verb `V`. */
export type FlowAnswerOf<V extends FlowVerb> = Extract<FlowAnswer, { readonly verb: V }>;

/** What one provider can do with one neutral verb. */
export type FlowCapability =
  | {
      readonly supported: true;
      /**
       * The limits the provider puts on it, in words with units, e.g.
       * `'ring time 1–3600 seconds; at most 10 targets'`; `undefined` when none.
       */
      readonly limits?: string;
      /** The provider's own verb(s) it becomes, e.g. `'<Forward><Target>'`. */
      readonly as: string;
    }
  | {
      readonly supported: false;
      /** Why not, e.g. `'Placetel's Call Control API has no DTMF events'`. */
      readonly reason: string;
    };

/** A capability of a verb the provider can express. */
export type FlowSupported = Extract<FlowCapability, { readonly supported: true }>;

/** A capability of a verb the provider cannot express (with the reason). */
export type FlowUnsupported = Extract<FlowCapability, { readonly supported: false }>;

/**
 * The verbs a provider's flow support (`F`, the type of its {@link ProviderFlow}) can express,
 * as a type: every verb whose capability is not declared `supported: false`. Declare the
 * provider's flow as `ProviderFlow<TEvent, TAnswer, 'forward' | 'reject' | …>` (or with
 * `satisfies`) so that this is narrower than every verb; a flow typed as a plain `ProviderFlow`
 * counts as supporting every verb here (its mount-time check still applies).
 */
export type FlowVerbsOf<F> = F extends { readonly verbs: infer Verbs }
  ? {
      [V in FlowVerb]: V extends keyof Verbs
        ? Verbs[V] extends FlowUnsupported
          ? never
          : V
        : never;
    }[FlowVerb]
  : never;

/** What the compiler of a neutral answer knows of the call. */
export interface FlowCompileContext {
  /**
   * The provider's app the flow is mounted on (e.g. to build an action URL for a TwiML
   * `<Gather>` with `calls.actionUrl`).
   */
  readonly app: unknown;
  /** The provider's own event being answered. */
  readonly event: unknown;
  /** The neutral event being answered. */
  readonly flowEvent: FlowEvent;
  /**
   * The full public URL of the request being answered, as the provider called it (scheme,
   * host, path and query: what `RequestUrlContext.publicUrl()` gives), for a provider whose
   * `gather` has the digits posted back to a URL it is given (Ozeki `<UserInput ForwardToUrl>`,
   * Opentact `<Gather url>`); `undefined` when unknown — such a `gather` then fails with
   * `CC_ERR_ANSWER_INVALID`.
   */
  readonly requestUrl?: string | undefined;
}

/**
 * A provider's flow support (`src/providers/<name>/flow.ts`): its events made neutral, and its
 * compiler of neutral answers. Every neutral verb has an entry in `verbs` — a compiler with its
 * limits, or the reason the provider cannot express it — and every neutral event an entry in
 * `events` (the provider's event names it comes from, or why it never comes).
 */
export interface ProviderFlow<
  TEvent = unknown,
  TAnswer = unknown,
  Supported extends FlowVerb = FlowVerb,
> {
  /**
   * Per neutral event: the provider's own event names it comes from (the app's `on(name, …)`),
   * or `{ reason }` when the provider never sends it.
   */
  readonly events: {
    readonly [E in FlowEventName]: readonly string[] | { readonly reason: string };
  };
  /**
   * The neutral event for one of the provider's events (named in `events`), or `undefined` when
   * this particular event is not one (e.g. a status callback of a state that is no neutral
   * event). `normalize` gives the E.164 forms with the flow's default country.
   */
  toFlowEvent(event: TEvent, normalize: (raw: string) => FlowNumber): FlowEvent | undefined;
  /**
   * Per neutral verb: its capability. For a supported verb, `compile` turns one or more neutral
   * answers (in order: e.g. say, then gather) into the provider's answer. With `Supported`
   * given, every verb outside it must be `supported: false`, and the
   * flow API refuses a flow using another verb at compile time ({@link FlowVerbsOf}).
   */
  readonly verbs: { readonly [V in FlowVerb]: FlowCapability } & {
    readonly [V in Exclude<FlowVerb, Supported>]: FlowUnsupported;
  };
  /**
   * The provider's answer for a sequence of neutral answers (most flows give one; `say` then
   * `forward` is two).
   * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` naming provider and verb for a verb the
   *   provider cannot express, a combination it cannot (e.g. two actions where it takes one), or
   *   a value outside its limits
   */
  compile(answers: readonly FlowAnswer[], context: FlowCompileContext): TAnswer;
  /**
   * Checks (and prepares) the provider's app before a flow is mounted on it, e.g. that a TwiML
   * app declared the action its `gather` posts to.
   * @throws {TypeError} naming provider and what is missing
   */
  prepare?(app: unknown): void;
}
