/**
 * Compile-only type test (checked by `npm run typecheck`, never executed): every
 * `@ts-expect-error` line must be a type error.
 */
import { voipnow } from '../../src';

const calls = voipnow.createApp({ eventPaths: { '/dial-in': 'Dial-In' } });

calls.on('call_interactive', (call) => {
  const apiId: string | undefined = call.callApiId;
  void apiId;
  return [voipnow.setVar('Checked', '1'), voipnow.jump({ context: 'StartSupport' })];
});
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
// @ts-expect-error: eventPaths name VoipNow events
voipnow.createApp({ eventPaths: { '/x': 'DialIn' } });
