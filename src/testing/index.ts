/**
 * `callcontrol/testing`: test your handlers the way you test routes with supertest — sign and
 * send provider-accurate requests into an app without a socket, play whole calls, and assert on
 * the answers as XML. Runner-independent: failures are `node:assert` `AssertionError`s.
 *
 * @example
 * ```ts
 * import { placetel } from 'callcontrol';
 * import { createTestClient } from 'callcontrol/testing';
 *
 * const calls = placetel.createApp({ secret: 'test-secret' });
 * calls.on('IncomingCall', () => placetel.forward({ targets: [{ numbers: ['022129191999'] }] }));
 *
 * const client = createTestClient(calls, { secret: 'test-secret' });
 * const reply = await client.placetel.incomingCall({ from: '017312345678' });
 * reply.expectAnswer(placetel.forward({ targets: [{ numbers: ['022129191999'] }] }));
 * ```
 *
 * Each provider's requests (`client.placetel`, `client.sipgate`, …) are typed by its plug-in:
 * `TestRequestsOf<'placetel'>`, also exported by the provider's namespace under its own name
 * (`placetel.PlacetelTestRequests`).
 *
 * @module
 */
export {
  createTestClient,
  randomCallId,
  scenarioOptions,
  type CallExchange,
  type CallOptions,
  type PlayedCall,
  type ProviderTestRequestsMap,
  type ReplayedExchange,
  type ReplayedRecording,
  type TestableApp,
  type TestClient,
  type TestClientOptions,
  type TestProvider,
  type TestUrlToken,
} from './client';
export type { ScenarioOptionsOf, TestRequestsOf } from '../providers/registry';
export type { ProviderTestRequests } from '../providers/plugin';
export { TestReply, type AnswerRenderer, type ReplyOutcome, type TestRequest } from './reply';
export { formatXml, parseXml, xmlTreesEqual } from './xml';
export {
  compareReplies,
  parseRecording,
  type RecordedExchange,
  type ReplayDifference,
} from './replay';
export {
  callStep,
  clock,
  describeEntry,
  formatTranscript,
  ringTargets,
  talkSeconds,
  transcriptLines,
  DEFAULT_DIAL_TIMEOUT_SECONDS,
  DEFAULT_RING_SECONDS,
  type CallEndOutcome,
  type CallPlan,
  type CallStep,
  type CallSteps,
  type CallTranscript,
  type RingOutcome,
  type RingResult,
  type TargetBehaviour,
  type TranscriptCall,
  type TranscriptEnded,
  type TranscriptEntry,
  type TranscriptFollows,
  type TranscriptHears,
  type TranscriptNoInput,
  type TranscriptNote,
  type TranscriptPresses,
  type TranscriptRings,
  type TranscriptTalks,
} from './transcript';
export { loadCallScenario, parseCallScenario, type CallScenarioFile } from './scenario-file';
