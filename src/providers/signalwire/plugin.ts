/**
 * SignalWire's plug-in for the tools: its `callcontrol simulate signalwire` command (a whole
 * cXML call that follows the app's answers, signed for the URL each request goes to), its part
 * of the test kit (`client.signalwire`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { TWIML_PLAN_NOTES } from '../twiml/simulate';
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import { signalwireFlow } from './flow';
import {
  callPlanOf,
  definitionRenderer,
  given,
  httpMethodArgument,
  stringArgument,
} from '../plugin-kit';
import { signalwireProvider } from './index';
import {
  followSignalwireAnswer,
  signalwireCallStep,
  signalwireCallScenario,
  signalwireRequest,
  signSignalwireForm,
  signSignalwireTestRequest,
  type SignalwireCallScenarioOptions,
  type SignalwireTestRequests,
  SIGNALWIRE_RULES,
} from './simulate';
import { SIGNALWIRE_SIGNATURE_HEADER } from './verify';

/** The scenario options of a `simulate signalwire` run. */
function scenarioOf(options: SimulateArguments): SignalwireCallScenarioOptions {
  const digits = options['digits'];
  return {
    ...callPlanOf(options),
    ...given('from', stringArgument(options, 'from')),
    ...given('to', stringArgument(options, 'to')),
    ...given('callSid', stringArgument(options, 'callSid')),
    ...given('finalStatus', stringArgument(options, 'hangupCause')),
    ...given('dialCallStatus', stringArgument(options, 'dialStatus')),
    ...given(
      'durationSeconds',
      typeof options['duration'] === 'number' ? options['duration'] : undefined,
    ),
    ...given('method', httpMethodArgument(options)),
    ...given('direction', options['outgoing'] === true ? ('outbound-api' as const) : undefined),
    ...given(
      'digits',
      typeof digits === 'string' || Array.isArray(digits)
        ? (digits as string | string[])
        : undefined,
    ),
  };
}

/** The request at `index` of a scenario (a negative index counts from the end). */
function requestAt<R>(requests: readonly R[], index: number): R {
  const request = requests[index < 0 ? requests.length + index : index];
  if (request === undefined) throw new TypeError('These options produce no such request');
  return request;
}

/** SignalWire cXML (spec `docs/providers/signalwire.md`). */
export const signalwirePlugin = defineProviderPlugin({
  name: 'signalwire',
  title: 'SignalWire cXML',
  reference: 'docs/providers/signalwire.md',
  rules: SIGNALWIRE_RULES,
  flow: signalwireFlow,
  simulate: {
    description:
      'voice → Gather action (with --digits) → Redirect/Dial/Record actions as answered → status callback, signed with --signing-key',
    urlHelp:
      'the cXML webhook URL, e.g. http://127.0.0.1:3000/signalwire (user:pass@ sends basic auth)',
    options: [
      {
        flags: '--signing-key <key>',
        description:
          "sign every request with X-SignalWire-Signature for the URL it is sent to (the app's signingKey; its publicUrl must be this URL)",
      },
      { flags: '--from <number>', description: 'From (default +15551230001)' },
      { flags: '--to <number>', description: 'To (default +15551230002)' },
      {
        flags: '--outgoing',
        description: 'simulate a call made with the API (Direction=outbound-api)',
      },
      {
        flags: '--digits <keys...>',
        description:
          'digits typed, one entry per <Gather> met, e.g. --digits 9 1 (default none: a Gather gets no input)',
      },
      {
        flags: '--dial-status <status>',
        description:
          'DialCallStatus of a <Dial> action: completed, answered, busy, no-answer, failed, canceled (default completed)',
      },
      {
        flags: '--hangup-cause <status>',
        description:
          'CallStatus of the final status callback: completed, busy, no-answer, failed, canceled (default completed; any other skips the voice request)',
      },
      {
        flags: '--duration <seconds>',
        description:
          'talk time in seconds of an answered <Dial> when the scenario has no talkSeconds (default 30); CallDuration is the call length on the simulated clock',
        wholeNumber: true,
      },
      { flags: '--method <method>', description: 'GET or POST (default POST)' },
      { flags: '--call-sid <sid>', description: 'CallSid (default: a random UUID)' },
    ],
    unsupported: {
      secret:
        "SignalWire signs with the project's Signing Key over the URL and the parameters: give --signing-key <key>",
    },
    notes: `
SignalWire: the call follows the app's answers as cXML runs them (docs/providers/signalwire.md
§2.3): a <Gather> with digits left posts the next --digits entry to its action, a <Redirect> is
requested, a <Dial> or <Record> with an action posts its result; <Hangup>, <Reject> or the end
of the document end the call, then the status callback (--hangup-cause) is sent. URLs outside
the given URL are not followed. --signing-key signs each request with X-SignalWire-Signature
for the exact URL it is sent to (§3.1): give the app that URL as its publicUrl.
${TWIML_PLAN_NOTES}`,
    scenario: (options) => signalwireCallStep(scenarioOf(options)),
    follow: (reply, sent, options, baseUrl) =>
      followSignalwireAnswer(reply, sent, scenarioOf(options), baseUrl),
    sign: (request, url, options) => {
      const key = stringArgument(options, 'signingKey');
      return key === undefined ? request : signSignalwireTestRequest(request, url, key);
    },
  },
  testKit: {
    signing: {
      option: 'authToken',
      with: "the project's Signing Key",
      header: SIGNALWIRE_SIGNATURE_HEADER,
      sign: (body, signingKey, target) =>
        signSignalwireForm(String(signingKey), target.url, target.method, body),
    },
    renderer: () => definitionRenderer('signalwire', signalwireProvider()),
    scenarioOptions: (options): SignalwireCallScenarioOptions => ({
      ...given('from', options.from),
      ...given('to', options.to),
      ...given('callSid', options.callId),
      ...given('digits', options.digits),
      ...given('finalStatus', options.hangupCause),
      ...given('targets', options.targets),
      ...given('talkSeconds', options.talkSeconds),
      ...given('hangupAfterSeconds', options.hangupAfterSeconds),
    }),
    requests: (client): SignalwireTestRequests => {
      const call = (options: SignalwireCallScenarioOptions) => ({
        ...options,
        callSid: options.callSid ?? '0703574f-b151-465d-aedb-28972eb513c7',
      });
      const requestsOf = (options: SignalwireCallScenarioOptions) =>
        signalwireCallScenario(call(options));
      return {
        voice: (options = {}) => client.send(requestAt(requestsOf(options), 0)),
        gather: (options = {}) => {
          const c = call(options);
          const digits = typeof c.digits === 'string' ? c.digits : '1';
          const voice = new URLSearchParams(requestAt(requestsOf(c), 0).body);
          voice.set('CallStatus', 'in-progress');
          voice.set('Digits', digits);
          return client.send(
            signalwireRequest(
              'gather',
              [...voice].sort(([a], [b]) => (a < b ? -1 : 1)),
              {
                method: c.method,
                path: options.actionPath ?? c.path,
              },
            ),
          );
        },
        statusCallback: (options = {}) => client.send(requestAt(requestsOf(options), -1)),
        request: (event, fields, where) => client.send(signalwireRequest(event, fields, where)),
        playCall: (options = {}) => {
          const scenario = call(options);
          return client.play(signalwireCallStep(scenario), (reply, sent) =>
            followSignalwireAnswer(reply, sent, scenario, client.baseUrl),
          );
        },
      };
    },
  },
});
