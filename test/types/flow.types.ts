/**
 * Compile-only type test of provider-neutral flows (checked by `npm run typecheck`, never
 * executed): a flow mounts on an app whose provider can express every verb it uses, and does
 * not compile on one that cannot (the error names provider and verb); only the used verbs'
 * builders exist; handlers get the neutral event of their name.
 */
import { placetel, sipgate } from '../../src';
import { createFlow, type FlowApp } from '../../src/flow';

const placetelCalls = placetel.createApp({ secret: 'test-secret' });
const sipgateCalls = sipgate.createApp({});

const forwarding = createFlow({ uses: ['forward', 'reject'] as const, defaultCountry: 'DE' });
forwarding.on('incoming', (call) =>
  call.from.e164 === '+4930123456'
    ? forwarding.reject('busy')
    : forwarding.forward({ targets: ['+4922129191999'], ringTimeSeconds: 20 }),
);
forwarding.on('ended', (call) => {
  const seconds: number | undefined = call.durationSeconds;
  const cause:
    | 'completed'
    | 'busy'
    | 'no-answer'
    | 'rejected'
    | 'failed'
    | 'canceled'
    | 'voicemail'
    | 'unknown' = call.cause;
  void [seconds, cause];
});
// One flow on several providers.
forwarding.mount(placetelCalls);
forwarding.mount(sipgateCalls);
// The provider's own answer, returned unchanged.
forwarding.on('answered', () => placetel.hangup());

const speaking = createFlow({ uses: ['say', 'hangup'] as const });
speaking.on('incoming', () => [speaking.say('Hello', 'en-US'), speaking.hangup()]);
// @ts-expect-error: Placetel cannot express say (its flow declares say unsupported)
speaking.mount(placetelCalls);
// @ts-expect-error: sipgate cannot express say either
speaking.mount(sipgateCalls);
// An app typed only as a FlowApp is checked at mount time instead.
const anyApp: FlowApp = placetelCalls;
void (() => speaking.mount(anyApp));

// @ts-expect-error: say is not in this flow's uses, so it has no say builder
forwarding.say('Hello');
// @ts-expect-error: a neutral answer of a verb outside uses is no result of this flow
forwarding.on('incoming', () => ({ verb: 'hangup' }) as const);
// @ts-expect-error: no neutral event "ringing"
forwarding.on('ringing', () => null);
// @ts-expect-error: an incoming call has no duration
forwarding.on('incoming', (call) => void call.durationSeconds);
// @ts-expect-error: not a neutral verb
createFlow({ uses: ['dance'] as const });
// @ts-expect-error: not a country code
createFlow({ uses: [] as const, defaultCountry: 'Germany' });
