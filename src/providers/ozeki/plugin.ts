/**
 * Ozeki's plug-in for the tools: its `callcontrol simulate ozeki` command, its part of the test
 * kit (`client.ozeki`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import {
  callPlanOf,
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
  createOzekiFollower,
  ozekiCallScenario,
  ozekiCallStart,
  ozekiNotification,
  type OzekiCallScenarioOptions,
  type OzekiTestRequests,
} from './simulate';
import { OZEKI_RULES } from './validate';

const NO_SIGNATURE = signsNothing('Ozeki');
const NO_HANGUP = 'Ozeki sends no hangup notification to an API extension, so no hangup cause';

/** One `simulate ozeki` run: its scenario and the model following its answers. */
interface OzekiRun {
  readonly scenario: OzekiCallScenarioOptions;
  follower?: ReturnType<typeof createOzekiFollower>;
}

/** The run of each `simulate ozeki` invocation (its parsed options), made on first use. */
const RUNS = new WeakMap<SimulateArguments, OzekiRun>();

/** The run of `options`, with the call id fixed. */
function runOf(options: SimulateArguments): OzekiRun {
  let run = RUNS.get(options);
  if (run === undefined) {
    const digits = options['digits'];
    run = {
      scenario: {
        ...callPlanOf(options),
        ...given('from', stringArgument(options, 'from')),
        ...given('to', stringArgument(options, 'to')),
        ...given('callId', stringArgument(options, 'callId')),
        ...(Array.isArray(digits) ? { digits: digits.map(String) } : {}),
        followAnswers: true,
      },
    };
    RUNS.set(options, run);
  }
  return run;
}

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
    description:
      'IncomingCall → DtmfEntered to each ForwardToUrl the answers reach (--digits), form-encoded POSTs',
    urlHelp:
      'the notification URL, e.g. http://127.0.0.1:3000/ozeki (query parameters such as a token are kept)',
    options: [
      { flags: '--from <number>', description: 'CallerId of the caller (default 1000)' },
      { flags: '--to <extension>', description: 'ApiExtension called (default 9994)' },
      {
        flags: '--digits <keys...>',
        description:
          'keys typed, one entry per <UserInput> met, e.g. --digits 2 1234 (a menu key, then a PIN; default 1234)',
      },
      { flags: '--call-id <id>', description: 'CallId (default: 5 random characters)' },
    ],
    unsupported: { secret: NO_SIGNATURE, hangupCause: NO_HANGUP },
    notes: `
Ozeki: the call follows the answers (docs/providers/ozeki.md §3, §4, §5): <Speak> and <Play>
are heard (2 s each), <Delay> waits; each <UserInput> met takes the next --digits entry — its
<Input Key> branch runs, else one with a ForwardToUrl posts it there as DtmfEntered (the url's
query kept) and that answer is run next; no entry left: the caller presses nothing for its
Timeout (and hangs up at a Repeat prompt). <GoTo> posts a GoTo notification to its URL.
<BlindTransfer>, <Forward> and <Route> ring their target (RingTime, else 90 s) as the scenario
file's targets say (answers after N s, busy, no-answer), then the talk (talkSeconds);
<Reject>, <Hangup> and the end of the OzML end the call; hangupAfterSeconds hangs up the
caller there. The transcript shows the call as the caller lives it. An answer that breaks the
spec stops the run with its problems. There is no --secret (Ozeki signs nothing: put a URL
token in the URL, ?token=…, or user:password@ for basic auth) and no --hangup-cause (Ozeki
sends no hangup notification to an API extension).`,
    scenario: (options) => ozekiCallStart(runOf(options).scenario),
    follow: (reply, _sent, options, baseUrl) => {
      const run = runOf(options);
      run.follower ??= createOzekiFollower(run.scenario, baseUrl);
      return run.follower(reply);
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
        ...given('targets', options.targets),
        ...given('talkSeconds', options.talkSeconds),
        ...given('hangupAfterSeconds', options.hangupAfterSeconds),
      };
    },
    requests: (client): OzekiTestRequests => ({
      incomingCall: (options = {}) =>
        client.send(pickRequest(ozekiCallScenario({ ...options, digits: [] }), 'IncomingCall')),
      dtmfEntered: ({ callId, digits }) =>
        client.send(ozekiNotification('DtmfEntered', { CallId: callId, DtmfDigits: digits })),
      notification: (name, fields = {}) => client.send(ozekiNotification(name, fields)),
      playCall: (options = {}) => {
        const scenario: OzekiCallScenarioOptions = { ...options, followAnswers: true };
        const follow = createOzekiFollower(scenario, client.baseUrl);
        return client.play(ozekiCallStart(scenario), (reply) => follow(reply));
      },
    }),
  },
});
