/**
 * Twilio's plug-in for the tools: its `callcontrol simulate twilio` command (a whole call that
 * follows the app's TwiML answers, signed for the URL each request goes to), its part of the
 * test kit (`client.twilio`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { TWIML_PLAN_NOTES } from '../twiml/simulate';
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import { twilioFlow } from './flow';
import {
  callPlanOf,
  definitionRenderer,
  given,
  httpMethodArgument,
  stringArgument,
} from '../plugin-kit';
import { twilioProvider } from './index';
import {
  followTwilioAnswer,
  twilioCallStep,
  signTwilioForm,
  signTwilioTestRequest,
  twilioCallScenario,
  twilioRequest,
  type TwilioCallScenarioOptions,
  type TwilioTestRequests,
  TWILIO_RULES,
} from './simulate';
import { TWILIO_SIGNATURE_HEADER } from './verify';

/** The scenario options of a `simulate twilio` run. */
function scenarioOf(options: SimulateArguments): TwilioCallScenarioOptions {
  const digits = options['digits'];
  const method = httpMethodArgument(options);
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
    ...given('method', method),
    ...given('direction', options['outgoing'] === true ? ('outbound-api' as const) : undefined),
    ...given(
      'digits',
      typeof digits === 'string' || Array.isArray(digits)
        ? (digits as string | string[])
        : undefined,
    ),
  };
}

/** Twilio (spec `docs/providers/twilio.md`). */
export const twilioPlugin = defineProviderPlugin({
  name: 'twilio',
  title: 'Twilio',
  reference: 'docs/providers/twilio.md',
  rules: TWILIO_RULES,
  flow: twilioFlow,
  simulate: {
    description:
      'voice → Gather action (with --digits) → Redirect/Dial/Record actions as answered → status callback, signed with --auth-token',
    urlHelp: 'the voice URL, e.g. http://127.0.0.1:3000/twilio (user:pass@ sends basic auth)',
    options: [
      {
        flags: '--auth-token <token>',
        description:
          "sign every request with X-Twilio-Signature for the URL it is sent to (the app's authToken; its publicUrl must be this URL)",
      },
      { flags: '--from <number>', description: 'From (default +15005550006)' },
      { flags: '--to <number>', description: 'To (default +15005550001)' },
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
          'DialCallStatus of a <Dial> action: completed, busy, no-answer, failed, canceled (default completed)',
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
      { flags: '--call-sid <sid>', description: 'CallSid (default: CA and 32 random hex digits)' },
    ],
    unsupported: {
      secret:
        "Twilio signs with the account's Auth Token over the URL and the parameters: give --auth-token <token>",
    },
    notes: `
Twilio: the call follows the app's answers (docs/providers/twilio.md §2.4, §2.5, §5.1): a
<Gather> with digits left posts the next --digits entry to its action, a <Redirect> is
requested, a <Dial> or <Record> with an action posts its result; <Hangup>, <Reject> or the
end of the document end the call, then the status callback (--hangup-cause) is sent. URLs
outside the given URL are not followed. --auth-token signs each request with
X-Twilio-Signature for the exact URL it is sent to (§3.1): give the app that URL as its
publicUrl (or trustProxy) when it runs behind a proxy.
${TWIML_PLAN_NOTES}`,
    scenario: (options) => twilioCallStep(scenarioOf(options)),
    follow: (reply, sent, options, baseUrl) =>
      followTwilioAnswer(reply, sent, scenarioOf(options), baseUrl),
    sign: (request, url, options) => {
      const token = stringArgument(options, 'authToken');
      return token === undefined ? request : signTwilioTestRequest(request, url, token);
    },
  },
  testKit: {
    signing: {
      option: 'authToken',
      with: 'an auth token',
      header: TWILIO_SIGNATURE_HEADER,
      sign: (body, authToken, target) =>
        signTwilioForm(String(authToken), target.url, target.method, body),
    },
    renderer: () => definitionRenderer('twilio', twilioProvider()),
    scenarioOptions: (options): TwilioCallScenarioOptions => ({
      ...given('from', options.from),
      ...given('to', options.to),
      ...given('callSid', options.callId),
      ...given('digits', options.digits),
      ...given('finalStatus', options.hangupCause),
      ...given('targets', options.targets),
      ...given('talkSeconds', options.talkSeconds),
      ...given('hangupAfterSeconds', options.hangupAfterSeconds),
    }),
    requests: (client): TwilioTestRequests => {
      const call = (options: TwilioCallScenarioOptions) => ({
        ...options,
        callSid: options.callSid ?? 'CA00000000000000000000000000000001',
      });
      const fields = (
        options: TwilioCallScenarioOptions,
        status: string,
      ): Array<[string, string]> => {
        const c = call(options);
        const from = c.from ?? '+15005550006';
        const to = c.to ?? '+15005550001';
        return [
          ['AccountSid', c.accountSid ?? 'AC01010101010101010101010101010101'],
          ['ApiVersion', '2010-04-01'],
          ['CallSid', c.callSid],
          ['CallStatus', status],
          ['Direction', c.direction ?? 'inbound'],
          ['From', from],
          ['To', to],
        ];
      };
      const target = (options: TwilioCallScenarioOptions) => ({
        ...given('method', options.method),
        ...given('path', options.path),
      });
      return {
        voice: (options = {}) =>
          client.send(twilioRequest('voice', fields(options, 'ringing'), target(options))),
        gather: (options = {}) => {
          const digits = typeof options.digits === 'string' ? options.digits : '1';
          return client.send(
            twilioRequest(
              'gather',
              [...fields(options, 'in-progress'), ['Digits', digits], ['FinishedOnKey', '']],
              target(options),
            ),
          );
        },
        dial: (options = {}) =>
          client.send(
            twilioRequest(
              'dial',
              [
                ...fields(options, 'in-progress'),
                ['DialCallStatus', options.dialCallStatus ?? 'completed'],
                ['DialCallSid', 'CA00000000000000000000000000000002'],
                ['DialCallDuration', '12'],
              ],
              target(options),
            ),
          ),
        statusCallback: (options = {}) => {
          const requests = twilioCallScenario(call(options));
          return client.send(requests[requests.length - 1] as (typeof requests)[number]);
        },
        request: (event, given, where) => client.send(twilioRequest(event, given, where)),
        playCall: (options = {}) => {
          const scenario = call(options);
          return client.play(twilioCallStep(scenario), (reply, sent) =>
            followTwilioAnswer(reply, sent, scenario, client.baseUrl),
          );
        },
      };
    },
  },
});
