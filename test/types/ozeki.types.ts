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
  call.dtmfDigits === '1234' ? ozeki.response([ozeki.blindTransfer('1001')]) : undefined,
);
calls.on('CallChanged', (call) => {
  const state: ozeki.OzekiCallState | undefined = call.callState;
  void state;
});
calls.on('RoutingInterception', (call) =>
  call.lastCallState === 'Busy' ? [ozeki.route({ destination: '1000' })] : undefined,
);
calls.on('CallFinished', (call) => console.log(call.callId, call.field('Duration')));

// @ts-expect-error: Ozeki sends no event "IncommingCall"
calls.on('IncommingCall', () => undefined);
// @ts-expect-error: DtmfEntered has no callState
calls.on('DtmfEntered', (call) => void call.callState);
// @ts-expect-error: a string is not OzML
calls.on('IncomingCall', () => '<Response/>');
// @ts-expect-error: Party is caller, callee or all
ozeki.speak('Hi', { party: 'both' });
