/**
 * Placetel's plug-in for the tools: its `callcontrol simulate placetel` command, its part of the
 * test kit (`client.placetel`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import { definitionRenderer, given, pickRequest, stringArgument } from '../plugin-kit';
import { PLACETEL_HANGUP_TYPES, type PlacetelHangupType } from './events';
import { placetelFlow } from './flow';
import { placetelProvider } from './index';
import {
  placetelCallScenario,
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

/** The scenario options of a `simulate placetel` run. */
function scenarioOf(options: SimulateArguments): PlacetelCallScenarioOptions {
  return {
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
type=blocked, none with CallAccepted; a <Forward> to targets is answered (CallAccepted, then
HungUp accepted with --duration) unless --hangup-cause says otherwise. An answer that breaks
the spec stops the run with its problems. --secret signs each body with X-PLACETEL-SIGNATURE
(HMAC-SHA256, the app's \`secret\`); there is no --digits (Placetel sends no DTMF).
Basic auth: put user:password@ in the URL.`,
    scenario: (options) => placetelCallScenario({ ...scenarioOf(options), followAnswers: true }),
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
          client.play(scenario({ ...options, followAnswers: true }), (reply) =>
            followPlacetelAnswer(reply, unsigned(options)),
          ),
      };
    },
  },
});
