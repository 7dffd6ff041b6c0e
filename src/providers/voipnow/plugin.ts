/**
 * VoipNow's plug-in for the tools: its `callcontrol simulate voipnow` command, its part of the
 * test kit (`client.voipnow`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import {
  callPlanOf,
  definitionRenderer,
  given,
  httpMethodArgument,
  pickRequest,
  signsNothing,
  stringArgument,
} from '../plugin-kit';
import { voipNowFlow } from './flow';
import { voipNowProvider } from './index';
import {
  createVoipNowCall,
  VOIPNOW_DEFAULT_TALK_SECONDS,
  VOIPNOW_HANGUP_STATUSES,
  voipNowCallScenario,
  type VoipNowCall,
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

/** The call of each `simulate voipnow` invocation (its parsed options), made on first use. */
const RUNS = new WeakMap<SimulateArguments, VoipNowCall>();

/**
 * The call model of one `simulate voipnow` run: its options and plan (`--scenario`'s
 * `targets`, `talkSeconds`, `hangupAfterSeconds`), the call id fixed for all its requests.
 * @throws {TypeError} for a usage error (method, hangup cause, variable)
 */
function runOf(options: SimulateArguments): VoipNowCall {
  let run = RUNS.get(options);
  if (run === undefined) {
    const digits = options['digits'];
    run = createVoipNowCall({
      ...given('method', httpMethodArgument(options)),
      ...given('from', stringArgument(options, 'from')),
      ...given('to', stringArgument(options, 'to')),
      ...(typeof digits === 'string' || Array.isArray(digits)
        ? { digits: digits as string | readonly string[] }
        : {}),
      ...given('variable', stringArgument(options, 'variable')),
      callId: stringArgument(options, 'callId') ?? randomBytes(16).toString('hex'),
      ...given(
        'hangupStatus',
        hangupStatus(
          stringArgument(options, 'hangupCause'),
          `--hangup-cause must be ${VOIPNOW_HANGUP_STATUSES.join(' or ')}`,
        ),
      ),
      routed: options['routed'] === true,
      ...callPlanOf(options),
    });
    RUNS.set(options, run);
  }
  return run;
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
      'Dial-In → Call Interactive (the caller typed --digits into the IVR) → each Call Interactive request the answers lead to → Hangup, by GET or POST',
    urlHelp: 'the Script URL, e.g. http://127.0.0.1:3000/voipnow (query parameters are kept)',
    options: [
      {
        flags: '--method <method>',
        description: 'GET (fields in the query, default) or POST (form body)',
      },
      { flags: '--from <number>', description: 'CallerIDNum (default 14155550100)' },
      { flags: '--to <number>', description: 'CalledNumber and CalledDID (default 14155550199)' },
      {
        flags: '--digits <keys...>',
        description:
          'keys typed, one entry per prompt: first what the caller typed into the IVR (the --variable parameter, default 09897987), then one per <PlaySound digitvar>',
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
VoipNow: the call follows the answers (docs/providers/voipnow.md §2): the first --digits entry
is the interactive parameter (--variable) of the first Call Interactive request; each
<PlaySound digitvar> takes the next entry into that IVR variable, and the IVR then asks the
Script URL again with every IVR variable as a parameter (an answer that stores no key ends
the call); <Hangup/> ends it; <Jump context> rings the context as a target (a scenario file's
targets are keyed by the context, e.g. StartSupport: busy; talk ${VOIPNOW_DEFAULT_TALK_SECONDS} s unless talkSeconds).
Every answer is checked with VoipNow's validator rules. The Hangup event's CallStatus is ANSWER
(the IVR answered the call; VoipNow's events carry no cause or duration), or --hangup-cause
(ANSWER or UNKNOWN, all VoipNow sends); there is no --secret (VoipNow signs nothing: put a URL
token in the URL, ?token=…, or user:password@).`,
    scenario: (options) => runOf(options).opening(),
    follow: (reply, _sent, options, baseUrl) => runOf(options).follow(reply, baseUrl),
  },
  testKit: {
    renderer: () => definitionRenderer('voipnow', voipNowProvider),
    scenarioOptions: (options): VoipNowCallScenarioOptions => {
      return {
        ...given('from', options.from),
        ...given('to', options.to),
        ...given('callId', options.callId),
        ...given('digits', options.digits),
        ...given('targets', options.targets),
        ...given('talkSeconds', options.talkSeconds),
        ...given('hangupAfterSeconds', options.hangupAfterSeconds),
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
      playCall: (options = {}) => {
        const call = createVoipNowCall({
          ...options,
          callId: options.callId ?? randomBytes(16).toString('hex'),
        });
        return client.play(call.opening(), (reply) => call.follow(reply, client.baseUrl));
      },
    }),
  },
});
