/**
 * Compile-only type test (checked by `npm run typecheck`, never executed): every
 * `@ts-expect-error` line must be a type error.
 */
import { opentact } from '../../src';

const calls = opentact.createApp({ allowFrom: opentact.OPENTACT_SOURCE_ADDRESSES });

calls.on('call_flow_request', (call) => [
  opentact.answer({ delayMs: 2000 }),
  opentact.say(call.from),
]);
calls.on('gather', (call) => (call.dtmf === '1' ? [opentact.hangup()] : null));
calls.on('call_flow_request', async () => null);
calls.on('call_state:hangup', (event) => {
  const cause: number | undefined = event.q850Cause;
  void cause;
});
calls.on('call_flow:Dial', (event) => console.log(event.command, event.success));
calls.on('sms:smsi', (event) => console.log(event.text));
calls.on('balance', (event) => console.log(event.balance));

// @ts-expect-error: Opentact sends no event "callflow"
calls.on('callflow', () => undefined);
// @ts-expect-error: call_state events have no dtmf
calls.on('call_state:live', (event) => void event.dtmf);
// @ts-expect-error: a string is not Opentact XML
calls.on('call_flow_request', () => '<Response/>');

// Returning nothing from an answered request is no accident: each of these is a type error.
// @ts-expect-error: undefined is not an answer; null is "no action"
calls.on('call_flow_request', () => undefined);
// @ts-expect-error: one path answers nothing
calls.on('gather', (call) => (call.dtmf === '1' ? [opentact.hangup()] : undefined));
// @ts-expect-error: a block that can end without return (also without noImplicitReturns)
calls.on('gather', (call) => {
  if (call.dtmf === '1') return [opentact.hangup()];
});
// @ts-expect-error: the same, async
calls.on('call_flow_request', async (call) => {
  if (call.from) return [opentact.hangup()];
});
// @ts-expect-error: every path returns, one of them undefined
calls.on('gather', (call) => {
  if (call.dtmf) return [opentact.hangup()];
  return undefined;
});
declare const logOnly: (call: opentact.OpentactGather) => Promise<void>;
// @ts-expect-error: an async function that resolves to nothing
calls.on('gather', logOnly);
// @ts-expect-error: durations are milliseconds and named so (delayMs, not delay)
opentact.answer({ delay: 2000 });
