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
 * @module
 */
export {
  createTestClient,
  randomCallId,
  scenarioOptions,
  type CallExchange,
  type CallOptions,
  type OpentactTestRequests,
  type OpentactTestState,
  type OzekiTestRequests,
  type PlacetelTestRequests,
  type PlayedCall,
  type SipgateTestRequests,
  type TestableApp,
  type TestClient,
  type TestClientOptions,
  type TestProvider,
  type TestUrlToken,
  type VoipNowTestRequests,
} from './client';
export { TestReply, type AnswerRenderer, type ReplyOutcome, type TestRequest } from './reply';
export { formatXml, parseXml, xmlTreesEqual } from './xml';
