/**
 * Compile-only type test (checked by `npm run typecheck`, never executed): every
 * `@ts-expect-error` line must be a type error.
 */
import { voipnow } from '../../src';

const calls = voipnow.createApp({
  urlToken: { tokens: 'test-token-not-a-secret-0001' },
  eventPaths: { '/dial-in': 'Dial-In' },
});

calls.on('call_interactive', (call) => {
  const apiId: string | undefined = call.callApiId;
  void apiId;
  return [voipnow.setVar('Checked', '1'), voipnow.jump({ context: 'StartSupport' })];
});
calls.on('call_interactive', (call) =>
  call.param('lang') === 'en' ? [voipnow.playSound('welcome')] : null,
);
calls.on('call_interactive', async () => null);
// Call Events are notify only: any return value (ignored).
calls.on('Hangup', (call) => {
  const status: voipnow.VoipNowCallStatus | undefined = call.callStatus;
  const client: string | undefined = call.calledExtension?.clientCode;
  void status;
  void client;
});

// @ts-expect-error: VoipNow sends no event "DialIn" (it is "Dial-In")
calls.on('DialIn', () => undefined);
// @ts-expect-error: only Call Interactive requests have a CallAPIID
calls.on('Dial-In', (call) => void call.callApiId);
// @ts-expect-error: a string is not VoipNow XML
calls.on('call_interactive', () => '<Response/>');

// Returning nothing from Call Interactive is no accident: each of these is a type error.
// @ts-expect-error: undefined is not an answer; null is "no action"
calls.on('call_interactive', () => undefined);
// @ts-expect-error: one path answers nothing
calls.on('call_interactive', (call) => (call.param('x') ? [voipnow.hangup()] : undefined));
// @ts-expect-error: a block that can end without return (also without noImplicitReturns)
calls.on('call_interactive', (call) => {
  if (call.param('x')) return [voipnow.hangup()];
});
// @ts-expect-error: the same, async
calls.on('call_interactive', async (call) => {
  if (call.from) return [voipnow.hangup()];
});
// @ts-expect-error: every path returns, one of them undefined
calls.on('call_interactive', (c) => {
  if (c.from) return [voipnow.hangup()];
  return undefined;
});
declare const logOnly: (call: voipnow.VoipNowCallInteractive) => Promise<void>;
// @ts-expect-error: an async function that resolves to nothing
calls.on('call_interactive', logOnly);
// @ts-expect-error: eventPaths name VoipNow events
voipnow.createApp({ eventPaths: { '/x': 'DialIn' } });
