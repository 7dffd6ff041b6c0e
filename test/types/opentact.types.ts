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
calls.on('gather', (call) => (call.dtmf === '1' ? [opentact.hangup()] : undefined));
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
// @ts-expect-error: durations are milliseconds and named so (delayMs, not delay)
opentact.answer({ delay: 2000 });
