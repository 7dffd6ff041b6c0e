/**
 * Ozeki's plug-in for the tools: its `callcontrol simulate ozeki` command, its part of the test
 * kit (`client.ozeki`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { defineProviderPlugin } from '../plugin';
import {
  definitionRenderer,
  given,
  pickRequest,
  signsNothing,
  stringArgument,
} from '../plugin-kit';
import { ozekiFlow } from './flow';
import { ozekiProvider } from './index';
import { OZEKI_CONTROLS } from './grammar';
import {
  ozekiCallScenario,
  ozekiNotification,
  type OzekiCallScenarioOptions,
  type OzekiTestRequests,
} from './simulate';
import { OZEKI_RULES } from './validate';

const NO_SIGNATURE = signsNothing('Ozeki');
const NO_HANGUP = 'Ozeki sends no hangup notification to an API extension, so no hangup cause';

/** Ozeki Phone System (spec `docs/providers/ozeki.md`). */
export const ozekiPlugin = defineProviderPlugin({
  name: 'ozeki',
  title: 'Ozeki Phone System',
  reference: 'docs/providers/ozeki.md',
  rules: OZEKI_RULES,
  flow: ozekiFlow,
  validateOptions: [
    {
      flags: '--ozeki-control <control>',
      description:
        'the control context, extension, thirdParty or routing (default: inferred from the commands)',
      key: 'ozekiControl',
      choices: OZEKI_CONTROLS,
    },
  ],
  simulate: {
    description: 'IncomingCall → DtmfEntered (one per --digits entry), form-encoded POSTs',
    urlHelp:
      'the notification URL, e.g. http://127.0.0.1:3000/ozeki (query parameters such as a token are kept)',
    options: [
      { flags: '--from <number>', description: 'CallerId of the caller (default 1000)' },
      { flags: '--to <extension>', description: 'ApiExtension called (default 9994)' },
      {
        flags: '--digits <keys...>',
        description: 'DtmfDigits typed after the menu, one DtmfEntered each (default 1234)',
      },
      { flags: '--call-id <id>', description: 'CallId (default: 5 random characters)' },
    ],
    unsupported: { secret: NO_SIGNATURE, hangupCause: NO_HANGUP },
    notes: `
Ozeki: --digits takes one or more entries, one DtmfEntered each; there is no --secret (Ozeki
signs nothing: put a URL token in the URL, ?token=…, or user:password@ for basic auth) and no
--hangup-cause (Ozeki sends no hangup notification to an API extension).`,
    scenario: (options) => {
      const digits = options['digits'];
      return ozekiCallScenario({
        ...given('from', stringArgument(options, 'from')),
        ...given('to', stringArgument(options, 'to')),
        ...given('callId', stringArgument(options, 'callId')),
        ...(Array.isArray(digits) ? { digits: digits.map(String) } : {}),
      });
    },
  },
  testKit: {
    renderer: () => definitionRenderer('ozeki', ozekiProvider()),
    scenarioOptions: (options): OzekiCallScenarioOptions => {
      if (options.hangupCause !== undefined) throw new TypeError(NO_HANGUP);
      const digits = options.digits;
      return {
        ...given('from', options.from),
        ...given('to', options.to),
        ...given('callId', options.callId),
        ...given('digits', typeof digits === 'string' ? [digits] : digits),
      };
    },
    requests: (client): OzekiTestRequests => ({
      incomingCall: (options = {}) =>
        client.send(pickRequest(ozekiCallScenario({ ...options, digits: [] }), 'IncomingCall')),
      dtmfEntered: ({ callId, digits }) =>
        client.send(ozekiNotification('DtmfEntered', { CallId: callId, DtmfDigits: digits })),
      notification: (name, fields = {}) => client.send(ozekiNotification(name, fields)),
      playCall: (options = {}) => client.play(ozekiCallScenario(options)),
    }),
  },
});
