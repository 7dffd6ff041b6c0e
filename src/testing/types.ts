/**
 * The shapes of the test kit that providers' simulations share with the client: a played
 * call, its exchanges, and the provider-neutral call options. (Kept apart from `client.ts`,
 * which reads the provider registry, so that the providers' own test-kit types do not import
 * it.)
 *
 * @module
 */
import type { CallPlan, CallTranscript } from './transcript';
import type { TestReply, TestRequest } from './reply';

/** One request of a played call and the reply it got. */
export interface CallExchange {
  /** The provider's event name, e.g. `'HungUp'`, `'call_state:destroyed'`. */
  readonly event: string;
  /** The request as sent (after signing and authentication were added). */
  readonly request: TestRequest;
  /** The app's reply. */
  readonly reply: TestReply;
}

/** A whole call played through the app, see {@link TestClient.playCall}. */
export interface PlayedCall {
  /** Every request in the order sent, with its reply. */
  readonly exchanges: readonly CallExchange[];
  /** The replies in order (`exchanges.map((e) => e.reply)`). */
  readonly replies: readonly TestReply[];
  /**
   * The reply to the first request of this event name (the `n`-th one with `n`, from 0).
   * @throws {AssertionError} when the call had no such request
   */
  reply(event: string, n?: number): TestReply;
  /**
   * Asserts every reply was 2xx.
   * @throws {AssertionError} naming the first request that was not, with its reply
   */
  expectAllOk(): PlayedCall;
  /**
   * What the caller lived, in order, as the provider's model of the call followed the answers
   * (see `src/testing/transcript.ts`): `call`, `hears`, `presses`, `rings`, `talks`, `ended`…
   * entries, each with its time in seconds on the simulated clock.
   */
  readonly transcript: CallTranscript;
  /**
   * The transcript as lines without times, e.g. `['call from 017312345678 to 022129191999',
   * 'hears: Welcome', 'presses 1', 'rings 022129191999 … answered after 4 s',
   * 'talks 38 s with 022129191999', 'call ended: completed, 42 s (…)']`.
   */
  transcriptLines(): string[];
  /**
   * Asserts the transcript holds `expected` in this order (other lines may come between): a
   * string matches a line that starts with it, a RegExp a line it matches.
   * @throws {AssertionError} naming the first expected line not found, with the whole transcript
   */
  expectTranscript(expected: ReadonlyArray<string | RegExp>): PlayedCall;
}

/**
 * The provider-neutral options of a whole call, mapped to each provider's scenario (the same
 * mapping as the CLI's `--from`, `--to`, `--digits`, `--hangup-cause`).
 */
export interface CallOptions extends CallPlan {
  /**
   * The caller's number (Placetel and sipgate `from`, Ozeki `CallerId`, VoipNow `CallerIDNum`,
   * Opentact ANI).
   */
  readonly from?: string | undefined;
  /** The number or extension called. */
  readonly to?: string | undefined;
  /**
   * DTMF keys the caller types: Ozeki `DtmfEntered` (an array sends one each), VoipNow's
   * interactive parameter, Opentact's Gather follow-up, sipgate's `dtmf` event (joined).
   * Placetel sends no digits: TypeError.
   */
  readonly digits?: string | readonly string[] | undefined;
  /**
   * Why the call ended: Placetel's `HungUp` `type` (`accepted`, `busy`, …); VoipNow's `Hangup`
   * `CallStatus` (`ANSWER`, `UNKNOWN`); Opentact's Q.850 cause by name or number; sipgate's
   * `hangup` `cause` (any string, e.g. `busy`; other than `normalClearing` skips `answer`
   * and `dtmf`). Ozeki sends
   * no hangup notification to an API extension: TypeError.
   */
  readonly hangupCause?: string | undefined;
  /** The call id used by every request. Default: random, in the provider's format. */
  readonly callId?: string | undefined;
  // From CallPlan: `targets` (which dialled target answers after how many seconds, or is busy,
  // or never answers), `talkSeconds`, `hangupAfterSeconds` — read by the providers' models.
}
