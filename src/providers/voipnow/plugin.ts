/**
 * VoipNow's plug-in for the tools: its `callcontrol simulate voipnow` command, its part of the
 * test kit (`client.voipnow`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { defineProviderPlugin } from '../plugin';
import {
  definitionRenderer,
  given,
  httpMethodArgument,
  joinedDigits,
  pickRequest,
  signsNothing,
  stringArgument,
} from '../plugin-kit';
import { voipNowFlow } from './flow';
import { voipNowProvider } from './index';
import {
  VOIPNOW_HANGUP_STATUSES,
  voipNowCallScenario,
  type VoipNowCallScenarioOptions,
  type VoipNowHangupStatus,
  type VoipNowTestRequests,
} from './simulate';
import { VOIPNOW_RULES } from './validate';

/**
 * The Hangup event's CallStatus (any letter case).
 * @throws {TypeError} for a status VoipNow never sends
 */
function hangupStatus(value: string | undefined, message: string): VoipNowHangupStatus | undefined {
  if (value === undefined) return undefined;
  const status = VOIPNOW_HANGUP_STATUSES.find((known) => known === value.toUpperCase());
  if (status === undefined) throw new TypeError(`${message}, got "${value}"`);
  return status;
}

/** 4PSA VoipNow (spec `docs/providers/voipnow.md`). */
export const voipNowPlugin = defineProviderPlugin({
  name: 'voipnow',
  title: '4PSA VoipNow',
  reference: 'docs/providers/voipnow.md',
  rules: VOIPNOW_RULES,
  flow: voipNowFlow,
  simulate: {
    description:
      'Dial-In → Call Interactive (the caller typed --digits into the IVR) → Hangup, by GET or POST',
    urlHelp: 'the Script URL, e.g. http://127.0.0.1:3000/voipnow (query parameters are kept)',
    options: [
      {
        flags: '--method <method>',
        description: 'GET (fields in the query, default) or POST (form body)',
      },
      { flags: '--from <number>', description: 'CallerIDNum (default 14155550100)' },
      { flags: '--to <number>', description: 'CalledNumber and CalledDID (default 14155550199)' },
      {
        flags: '--digits <digits>',
        description: 'what the caller typed into the IVR (default 09897987)',
      },
      {
        flags: '--variable <name>',
        description: 'interactive parameter carrying the digits',
        defaultValue: 'SubscriptionCode',
      },
      {
        flags: '--routed',
        description: 'send to <url>/dial-in, <url>/interactive, <url>/hangup',
      },
      {
        flags: '--hangup-cause <status>',
        description: `CallStatus of the Hangup event: ${VOIPNOW_HANGUP_STATUSES.join(' or ')} (default ANSWER)`,
      },
      { flags: '--call-id <id>', description: 'CallID (default: 32 random hex characters)' },
    ],
    unsupported: {
      secret: signsNothing('VoipNow'),
    },
    notes: `
VoipNow: --digits is the interactive parameter (--variable) of the Call Interactive request;
--hangup-cause is the Hangup event's CallStatus (ANSWER or UNKNOWN, all VoipNow sends); there
is no --secret (VoipNow signs nothing: put a URL token in the URL, ?token=…, or user:password@).`,
    scenario: (options) =>
      voipNowCallScenario({
        ...given('method', httpMethodArgument(options)),
        ...given('from', stringArgument(options, 'from')),
        ...given('to', stringArgument(options, 'to')),
        ...given('digits', stringArgument(options, 'digits')),
        ...given('variable', stringArgument(options, 'variable')),
        ...given('callId', stringArgument(options, 'callId')),
        ...given(
          'hangupStatus',
          hangupStatus(
            stringArgument(options, 'hangupCause'),
            `--hangup-cause must be ${VOIPNOW_HANGUP_STATUSES.join(' or ')}`,
          ),
        ),
        routed: options['routed'] === true,
      }),
  },
  testKit: {
    renderer: () => definitionRenderer('voipnow', voipNowProvider),
    scenarioOptions: (options): VoipNowCallScenarioOptions => {
      const digits = options.digits;
      return {
        ...given('from', options.from),
        ...given('to', options.to),
        ...given('callId', options.callId),
        ...given('digits', joinedDigits(digits)),
        ...given(
          'hangupStatus',
          hangupStatus(
            options.hangupCause,
            `VoipNow hangup cause (Hangup CallStatus) must be one of ${VOIPNOW_HANGUP_STATUSES.join(', ')}`,
          ),
        ),
      };
    },
    requests: (client): VoipNowTestRequests => ({
      dialIn: (options = {}) => client.send(pickRequest(voipNowCallScenario(options), 'Dial-In')),
      interactive: (options = {}) =>
        client.send(pickRequest(voipNowCallScenario(options), 'call_interactive')),
      hangup: (options = {}) => client.send(pickRequest(voipNowCallScenario(options), 'Hangup')),
      playCall: (options = {}) => client.play(voipNowCallScenario(options)),
    }),
  },
});
