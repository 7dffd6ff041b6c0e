/**
 * Placetel's plug-in for the tools: its `callcontrol simulate placetel` command, its part of the
 * test kit (`client.placetel`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import { callPlanOf, definitionRenderer, given, pickRequest, stringArgument } from '../plugin-kit';
import { PLACETEL_HANGUP_TYPES, type PlacetelHangupType } from './events';
import { placetelFlow } from './flow';
import { placetelProvider } from './index';
import {
  placetelCallScenario,
  placetelCallStart,
  placetelRequest,
  type PlacetelCallScenarioOptions,
  type PlacetelTestRequests,
  followPlacetelAnswer,
} from './simulate';
import { PLACETEL_SIGNATURE_HEADER, signPlacetelBody } from './verify';
import { PLACETEL_RULES } from './validate';

/**
 * A HungUp type (the `--hangup-cause` of the CLI, `hangupCause` of the test kit).
 * @throws {TypeError} for a type Placetel never sends
 */
function hangupType(value: string | undefined, name: string): PlacetelHangupType | undefined {
  if (value === undefined) return undefined;
  const type = PLACETEL_HANGUP_TYPES.find((known) => known === value);
  if (type === undefined) {
    throw new TypeError(
      `${name} must be one of ${PLACETEL_HANGUP_TYPES.join(', ')}, got "${value}"`,
    );
  }
  return type;
}

/** The scenario without a `secret`: the client signs (or not) as its own options say. */
function unsigned(options: PlacetelCallScenarioOptions): PlacetelCallScenarioOptions {
  const copy = { ...options };
  delete (copy as { secret?: string }).secret;
  return copy;
}

/** The scenario options of a `simulate placetel` run, with the call plan of `--scenario`. */
function scenarioOf(options: SimulateArguments): PlacetelCallScenarioOptions {
  return {
    ...callPlanOf(options),
    direction: options['outgoing'] === true ? 'out' : 'in',
    ...given('secret', stringArgument(options, 'secret')),
    ...given('from', stringArgument(options, 'from')),
    ...given('to', stringArgument(options, 'to')),
    ...given('peer', stringArgument(options, 'peer')),
    ...given('hangupType', hangupType(stringArgument(options, 'hangupCause'), '--hangup-cause')),
    ...given('callId', stringArgument(options, 'callId')),
    ...(typeof options['duration'] === 'number' ? { durationSeconds: options['duration'] } : {}),
  };
}

/** Placetel (spec `docs/providers/placetel.md`). */
export const placetelPlugin = defineProviderPlugin({
  name: 'placetel',
  title: 'Placetel',
  reference: 'docs/providers/placetel.md',
  rules: PLACETEL_RULES,
  flow: placetelFlow,
  simulate: {
    description:
      'IncomingCall, then what the answer asks (a forward: CallAccepted → HungUp; a reject: HungUp busy), or OutgoingCall → HungUp',
    urlHelp: 'the webhook URL, e.g. http://127.0.0.1:3000/placetel (user:pass@ sends basic auth)',
    options: [
      { flags: '--secret <secret>', description: 'sign every request with X-PLACETEL-SIGNATURE' },
      { flags: '--from <number>', description: 'caller id' },
      { flags: '--to <number>', description: 'called number' },
      {
        flags: '--peer <sip-id>',
        description: 'SIP peer that answers (incoming) or calls (outgoing)',
      },
      { flags: '--outgoing', description: 'simulate an outgoing call (OutgoingCall → HungUp)' },
      {
        flags: '--hangup-cause <type>',
        description: `HungUp type of a forwarded call: ${PLACETEL_HANGUP_TYPES.join(', ')} (anything but accepted skips CallAccepted)`,
      },
      {
        flags: '--duration <seconds>',
        description: 'talk time reported by HungUp, in seconds',
        wholeNumber: true,
      },
      { flags: '--call-id <id>', description: 'call id (default: random 64 hex characters)' },
    ],
    unsupported: {
      digits: 'Placetel sends no digits: its Call Control API has no DTMF events',
    },
    notes: `
Placetel: the call follows the app's answer to IncomingCall (docs/providers/placetel.md §3):
<Reject reason="busy"/> ends it with HungUp type=busy, <Reject/> and <Hangup/> with
type=blocked, none with CallAccepted. A <Forward> rings its <Target>s in order (the numbers of
one together, each for its ringtime, default 60 s): the first to answer gets CallAccepted (peer:
--peer, else the number), then HungUp accepted with the talk time as duration (--duration, or
the scenario's talkSeconds); nobody answering: HungUp voicemail, or missed with
voicemail="false" (also when all are busy: busy is an outbound type, §2.3). <Group> rings
"group <id>" (40 s), <RoutingPlan> "routing plan <id>" (60 s); <Prompt> is heard, then HungUp
accepted without CallAccepted; <Queue> gets no further event (Contact Center, §2.4 ISS#17).
A scenario file (--scenario) says which target answers after how many seconds, is busy or
never answers (targets), the talk (talkSeconds) and when the caller hangs up
(hangupAfterSeconds: before an answer, HungUp missed). --hangup-cause other than accepted ends a
forward with that type and no CallAccepted. The transcript shows the call as the caller
lives it. An answer that breaks the spec stops the run with its problems. --secret signs each
body with X-PLACETEL-SIGNATURE (HMAC-SHA256, the app's \`secret\`); there is no --digits
(Placetel sends no DTMF). Basic auth: put user:password@ in the URL.`,
    scenario: (options) => placetelCallStart({ ...scenarioOf(options), followAnswers: true }),
    follow: (reply, _sent, options) => followPlacetelAnswer(reply, scenarioOf(options)),
  },
  testKit: {
    signing: {
      option: 'secret',
      with: 'a shared secret',
      header: PLACETEL_SIGNATURE_HEADER,
      sign: (body, secret) => {
        if (typeof secret !== 'string') {
          throw new TypeError('createTestClient: Placetel signs with a string secret');
        }
        return signPlacetelBody(body, secret);
      },
    },
    renderer: () => definitionRenderer('placetel', placetelProvider),
    scenarioOptions: (options): PlacetelCallScenarioOptions => {
      if (options.digits !== undefined) {
        throw new TypeError('Placetel sends no digits (no DTMF events)');
      }
      return {
        ...given('from', options.from),
        ...given('to', options.to),
        ...given('callId', options.callId),
        ...given('hangupType', hangupType(options.hangupCause, 'Placetel hangup cause')),
        ...given('targets', options.targets),
        ...given('talkSeconds', options.talkSeconds),
        ...given('hangupAfterSeconds', options.hangupAfterSeconds),
      };
    },
    requests: (client): PlacetelTestRequests => {
      const scenario = (options: PlacetelCallScenarioOptions = {}) =>
        placetelCallScenario(unsigned(options));
      return {
        incomingCall: (options = {}) =>
          client.send(pickRequest(scenario({ ...options, direction: 'in' }), 'IncomingCall')),
        outgoingCall: (options = {}) =>
          client.send(pickRequest(scenario({ ...options, direction: 'out' }), 'OutgoingCall')),
        callAccepted: (options = {}) =>
          client.send(
            pickRequest(
              scenario({ ...options, direction: 'in', hangupType: 'accepted' }),
              'CallAccepted',
            ),
          ),
        hungUp: (options = {}) => client.send(pickRequest(scenario(options), 'HungUp')),
        request: (fields) => client.send(placetelRequest(fields)),
        playCall: (options = {}) =>
          client.play(placetelCallStart(unsigned({ ...options, followAnswers: true })), (reply) =>
            followPlacetelAnswer(reply, unsigned(options)),
          ),
      };
    },
  },
});
