/**
 * Opentact's plug-in for the tools: its `callcontrol simulate opentact` command, its part of the
 * test kit (`client.opentact`) and its validator rules (see `src/providers/plugin.ts`).
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
import { opentactFlow } from './flow';
import { opentactProvider } from './index';
import {
  opentactCallScenario,
  Q850_CAUSES,
  type OpentactCallScenarioOptions,
  type OpentactTestRequests,
} from './simulate';
import { OPENTACT_RULES } from './validate';

/** Opentact (spec `docs/providers/opentact.md`). */
export const opentactPlugin = defineProviderPlugin({
  name: 'opentact',
  title: 'Opentact',
  reference: 'docs/providers/opentact.md',
  rules: OPENTACT_RULES,
  flow: opentactFlow,
  simulate: {
    description:
      'call-flow request → call_state init → call_flow Answer → call_state live → Gather follow-up (--digits) → hangup → destroyed',
    urlHelp:
      'the URL of call_flow_url, webhook_url and the Gather url, e.g. http://127.0.0.1:3000/opentact',
    options: [
      {
        flags: '--method <method>',
        description: 'call-flow request by GET (default) or POST (JSON call entity)',
      },
      { flags: '--from <number>', description: 'caller (ANI, default +14158531285)' },
      { flags: '--to <number>', description: 'Opentact number called (DNIS, default 18382050010)' },
      {
        flags: '--digits <keys>',
        description: 'digits entered at the Gather with a url (default 1234)',
      },
      {
        flags: '--duration <seconds>',
        description: 'talk time reported when the call ends, in seconds',
        wholeNumber: true,
      },
      {
        flags: '--hangup-cause <cause>',
        description: `Q.850 cause reported by call_state destroyed, a number or ${Object.keys(Q850_CAUSES).join(', ')} (default NORMAL_CLEARING)`,
      },
      { flags: '--call-id <uuid>', description: 'the call uuid (default: random)' },
    ],
    unsupported: {
      secret: signsNothing('Opentact'),
    },
    notes: `
Opentact: --digits are entered at the Gather with a url; --hangup-cause is the Q.850 cause of
call_state destroyed; there is no --secret (Opentact signs nothing, spec §5: put the URL token
in the URL, ?token=…, as Opentact's docs do).`,
    scenario: (options) =>
      opentactCallScenario({
        ...given('method', httpMethodArgument(options)),
        ...given('from', stringArgument(options, 'from')),
        ...given('to', stringArgument(options, 'to')),
        ...given('digits', stringArgument(options, 'digits')),
        ...given('callId', stringArgument(options, 'callId')),
        ...given('hangupCause', stringArgument(options, 'hangupCause')),
        ...(typeof options['duration'] === 'number'
          ? { durationSeconds: options['duration'] }
          : {}),
      }),
  },
  testKit: {
    renderer: () => definitionRenderer('opentact', opentactProvider),
    scenarioOptions: (options): OpentactCallScenarioOptions => {
      const digits = options.digits;
      return {
        ...given('from', options.from),
        ...given('to', options.to),
        ...given('callId', options.callId),
        ...given('digits', joinedDigits(digits)),
        ...given('hangupCause', options.hangupCause),
      };
    },
    requests: (client): OpentactTestRequests => ({
      callFlowRequest: (options = {}) =>
        client.send(pickRequest(opentactCallScenario(options), 'call_flow_request')),
      gather: (options = {}) => client.send(pickRequest(opentactCallScenario(options), 'gather')),
      callState: (state, options = {}) =>
        client.send(pickRequest(opentactCallScenario(options), `call_state:${state}`)),
      playCall: (options = {}) => client.play(opentactCallScenario(options)),
    }),
  },
});
