/**
 * Compile-only type test (checked by `npm run typecheck`, never executed): every
 * `@ts-expect-error` line must be a type error.
 */
import { ozeki } from '../../src';

const calls = ozeki.createApp({ urlToken: { tokens: 'test-token-not-a-secret-0001' } });

calls.on('IncomingCall', (call) => {
  const caller: string | undefined = call.callerDisplayName;
  void caller;
  return [ozeki.speak('Hello'), ozeki.hangup()];
});
calls.on('DtmfEntered', (call) =>
  call.dtmfDigits === '1234' ? ozeki.response([ozeki.blindTransfer('1001')]) : null,
);
calls.on('CallChanged', (call) => {
  const state: ozeki.OzekiCallState | undefined = call.callState;
  void state;
  return null;
});
calls.on('RoutingInterception', (call) =>
  call.lastCallState === 'Busy' ? [ozeki.route({ destination: '1000' })] : null,
);
// Ozeki executes the answer to every notification: no action is null, also after the call.
calls.on('CallFinished', (call) => {
  console.log(call.callId, call.field('Duration'));
  return null;
});
calls.on('IncomingSMS', async () => null);

// @ts-expect-error: Ozeki sends no event "IncommingCall"
calls.on('IncommingCall', () => undefined);
// @ts-expect-error: DtmfEntered has no callState
calls.on('DtmfEntered', (call) => void call.callState);
// @ts-expect-error: a string is not OzML
calls.on('IncomingCall', () => '<Response/>');

// Returning nothing is no accident: each of these is a type error.
// @ts-expect-error: undefined is not an answer; null is "no action"
calls.on('IncomingCall', () => undefined);
// @ts-expect-error: one path answers nothing
calls.on('DtmfEntered', (call) => (call.dtmfDigits === '1' ? [ozeki.hangup()] : undefined));
// @ts-expect-error: a block that can end without return (also without noImplicitReturns)
calls.on('DtmfEntered', (call) => {
  if (call.dtmfDigits === '1') return [ozeki.hangup()];
});
// @ts-expect-error: the same, async
calls.on('DtmfEntered', async (call) => {
  if (call.dtmfDigits) return [ozeki.hangup()];
});
// @ts-expect-error: every path returns, one of them undefined
calls.on('GoTo', (call) => {
  if (call.callId) return [ozeki.hangup()];
  return undefined;
});
// @ts-expect-error: a notification's handler that only logs must say null
calls.on('CallFinished', (call) => console.log(call.callId));
declare const logOnly: (call: ozeki.OzekiCallError) => Promise<void>;
// @ts-expect-error: an async function that resolves to nothing
calls.on('CallError', logOnly);
// @ts-expect-error: Party is caller, callee or all
ozeki.speak('Hi', { party: 'both' });
