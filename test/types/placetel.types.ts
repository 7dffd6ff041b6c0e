/**
 * Compile-only type test (checked by `npm run typecheck`, never executed): every
 * `@ts-expect-error` line must be a type error, so a wrong event name, a field an event does
 * not have, a wrongly typed field or a wrong answer fails the build.
 */
import { placetel } from '../../src';

const calls = placetel.createApp({ secret: process.env['PLACETEL_SECRET'] });

calls.on('IncomingCall', (call) => {
  const id: string = call.callId;
  const direction: placetel.PlacetelDirection | undefined = call.direction;
  void id;
  void direction;
  return call.from === 'anonymous'
    ? placetel.reject({ reason: 'busy' })
    : placetel.forward({ targets: [{ ringtime: 30, numbers: [call.to] }] });
});
calls.on('IncomingCall', async () => placetel.queue({ id: 123 }));
// No action is a choice: null (the empty <Response/>, Placetel's backup routing).
calls.on('IncomingCall', () => null);
calls.on('IncomingCall', (call) => (call.from === 'anonymous' ? placetel.hangup() : null));
calls.on('IncomingCall', async (call) => {
  await saveCallLog(call as never);
  if (call.from === 'anonymous') return placetel.reject({ reason: 'busy' });
  return null;
});
calls.on('HungUp', (call) => {
  const seconds: number | undefined = call.duration;
  const cause: placetel.PlacetelHangupType | undefined = call.type;
  void seconds;
  void cause;
});
calls.on('CallAccepted', (call) => console.log(call.peer));
// Notify-only handlers may return anything (ignored), e.g. the promise of a database write.
declare function saveCallLog(call: placetel.PlacetelHungUp): Promise<number>;
calls.on('HungUp', (call) => saveCallLog(call));
calls.onAny((event) => console.log(event.name, event.raw['call_id']));
calls.onError((error) => console.log(error.code, error.status));

// @ts-expect-error: Placetel sends no event "IncommingCall"
calls.on('IncommingCall', () => undefined);
// @ts-expect-error: "Hangup" is not Placetel's spelling ("HungUp")
calls.on('Hangup', () => undefined);
// @ts-expect-error: HungUp has no peer
calls.on('HungUp', (call) => call.peer);
// @ts-expect-error: IncomingCall has no duration
calls.on('IncomingCall', (call) => void call.duration);
// @ts-expect-error: duration is a number of seconds, not a string
calls.on('HungUp', (call) => ((s: string | undefined) => s)(call.duration));
// @ts-expect-error: a string is not an answer
calls.on('IncomingCall', () => 'forward');
// @ts-expect-error: an IncomingCall handler must answer with a Placetel answer (or null)
calls.on('IncomingCall', (call) => saveCallLog(call as never));

// Returning nothing from IncomingCall is no accident: each of these is a type error.
// @ts-expect-error: undefined is not an answer; null is "no action"
calls.on('IncomingCall', () => undefined);
// @ts-expect-error: one path answers nothing
calls.on('IncomingCall', (call) => (call.from === 'anonymous' ? placetel.hangup() : undefined));
// @ts-expect-error: a block that can end without return (also without noImplicitReturns)
calls.on('IncomingCall', (call) => {
  if (call.from === 'anonymous') return placetel.hangup();
});
// @ts-expect-error: the same, async
calls.on('IncomingCall', async (call) => {
  if (call.from === '') return placetel.hangup();
});
// @ts-expect-error: every path returns, one of them undefined
calls.on('IncomingCall', (call) => {
  if (call.from) return placetel.hangup();
  return undefined;
});
// @ts-expect-error: a function typed to return nothing
calls.on('IncomingCall', (call): void => console.log(call.from));
declare const logOnly: (call: placetel.PlacetelIncomingCall) => Promise<void>;
// @ts-expect-error: an async function that resolves to nothing
calls.on('IncomingCall', logOnly);
// @ts-expect-error: an answer's options are checked: ringTime is not an option (ringtime is)
placetel.forward({ targets: [{ numbers: ['022129191999'], ringTime: 30 }] });
// @ts-expect-error: "busy" is the only documented reject reason
placetel.reject({ reason: 'declined' });
// @ts-expect-error: a routing plan's fallback must be a Forward
placetel.routingPlan({ id: 1, fallback: placetel.hangup() });
// @ts-expect-error: group backup behaviour is spelled "routing_object"
placetel.group({ id: 1, backupBehaviour: 'routing-object' });
