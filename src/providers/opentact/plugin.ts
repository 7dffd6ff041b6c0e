/**
 * Opentact's plug-in for the tools: its `callcontrol simulate opentact` command, its part of the
 * test kit (`client.opentact`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import type { CallStep } from '../../testing/transcript';
import {
  callPlanOf,
  definitionRenderer,
  given,
  httpMethodArgument,
  pickRequest,
  signsNothing,
  stringArgument,
} from '../plugin-kit';
import { opentactFlow } from './flow';
import { opentactProvider } from './index';
import {
  createOpentactFollower,
  opentactCallScenario,
  Q850_CAUSES,
  type OpentactCallScenarioOptions,
  type OpentactTestRequests,
} from './simulate';
import { OPENTACT_RULES } from './validate';

/** One `simulate opentact` run: its scenario (ids fixed) and the model following its answers. */
interface OpentactRun {
  readonly scenario: OpentactCallScenarioOptions;
  follower?: ReturnType<typeof createOpentactFollower>;
}

/** The run of each `simulate opentact` invocation (its parsed options), made on first use. */
const RUNS = new WeakMap<SimulateArguments, OpentactRun>();

/** The run of `options`, with the call and app uuids fixed so the follow-ups carry them. */
function runOf(options: SimulateArguments): OpentactRun {
  let run = RUNS.get(options);
  if (run === undefined) {
    const digits = options['digits'];
    run = {
      scenario: {
        ...given('method', httpMethodArgument(options)),
        ...given('from', stringArgument(options, 'from')),
        ...given('to', stringArgument(options, 'to')),
        ...(typeof digits === 'string' || Array.isArray(digits)
          ? { digits: digits as string | string[] }
          : {}),
        callId: stringArgument(options, 'callId') ?? randomUUID(),
        appId: randomUUID(),
        ...given('hangupCause', stringArgument(options, 'hangupCause')),
        ...(typeof options['duration'] === 'number'
          ? { durationSeconds: options['duration'] }
          : {}),
        followAnswers: true,
        ...callPlanOf(options),
      },
    };
    RUNS.set(options, run);
  }
  return run;
}

/**
 * The opening step of a followed call: the requests up to `call_state` `live` and the
 * transcript's `call` entry (the caller, the number called, inbound).
 */
function opening(scenario: OpentactCallScenarioOptions): CallStep {
  return {
    requests: opentactCallScenario(scenario),
    transcript: [
      {
        kind: 'call',
        at: 0,
        from: scenario.from ?? '+14158531285',
        to: scenario.to ?? '18382050010',
        direction: 'in',
      },
    ],
  };
}

/** Opentact (spec `docs/providers/opentact.md`). */
export const opentactPlugin = defineProviderPlugin({
  name: 'opentact',
  title: 'Opentact',
  reference: 'docs/providers/opentact.md',
  rules: OPENTACT_RULES,
  flow: opentactFlow,
  simulate: {
    description:
      'call-flow request → call_state init → call_flow Answer → call_state live → each Gather url the answers reach (--digits), the legs a Dial rings → hangup → destroyed',
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
        flags: '--digits <keys...>',
        description:
          'digits entered, one entry per <Gather> met, e.g. --digits 0 1234 (a menu choice, then a PIN; default 1234)',
      },
      {
        flags: '--duration <seconds>',
        description:
          'talk time of an answered Dial, in seconds (default 10; a scenario file’s talkSeconds wins)',
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
Opentact: the call follows the answers (docs/providers/opentact.md §3): each <Gather> met
takes the next --digits entry — a menu's picks its <DTMF value> branch, a <Gather url>'s is
sent to that url (its query kept) and its answer is run next; <Hangup> ends the call. An
answer that breaks the spec stops the run with its problems. A <Dial> rings its <To> targets
at once (the first to answer wins, §3.3) for its timeout attribute (ms) or 30 s; a scenario
file's targets say who answers after how many seconds, or is busy, or never answers (without
targets the first answers after 4 s). A target that does not take the call gets a call_state
hangup of its dialled leg (direction out, parent = the call, §4.3 Fixture G): USER_BUSY (17),
NO_USER_RESPONSE (18), ORIGINATOR_CANCEL (487) when the caller hung up, LOSE_RACE (502) when
another answered — FreeSWITCH's causes, the reference is silent; nobody answering sends a
call_flow Dial event with success false (§4.4) and runs the Dial's <Error>. The answering
leg gets live, the caller talks --duration / talkSeconds and hangs up. A flow that runs out
hangs up. The call's duration (call_state hangup/destroyed) is the simulated clock's: 1 s to
live, 2 s a prompt, 1 s a digits entry, a Gather's timeout without one, ring and talk times.
hangupAfterSeconds cuts the call there. --hangup-cause is the Q.850 cause of
call_state destroyed (default NORMAL_CLEARING); there is no --secret (Opentact signs nothing, spec §5: put the URL token
in the URL, ?token=…, as Opentact's docs do).`,
    scenario: (options) => opening(runOf(options).scenario),
    follow: (reply, _sent, options, baseUrl) => {
      const run = runOf(options);
      run.follower ??= createOpentactFollower(run.scenario, baseUrl);
      return run.follower(reply);
    },
  },
  testKit: {
    renderer: () => definitionRenderer('opentact', opentactProvider),
    scenarioOptions: (options): OpentactCallScenarioOptions => {
      const digits = options.digits;
      return {
        ...given('from', options.from),
        ...given('to', options.to),
        ...given('callId', options.callId),
        ...given('digits', digits),
        ...given('hangupCause', options.hangupCause),
        ...given('targets', options.targets),
        ...given('talkSeconds', options.talkSeconds),
        ...given('hangupAfterSeconds', options.hangupAfterSeconds),
      };
    },
    requests: (client): OpentactTestRequests => ({
      callFlowRequest: (options = {}) =>
        client.send(pickRequest(opentactCallScenario(options), 'call_flow_request')),
      gather: (options = {}) => client.send(pickRequest(opentactCallScenario(options), 'gather')),
      callState: (state, options = {}) =>
        client.send(pickRequest(opentactCallScenario(options), `call_state:${state}`)),
      playCall: (options = {}) => {
        const scenario: OpentactCallScenarioOptions = {
          ...options,
          callId: options.callId ?? randomUUID(),
          appId: options.appId ?? randomUUID(),
          followAnswers: true,
        };
        const follow = createOpentactFollower(scenario, client.baseUrl);
        return client.play(opening(scenario), (reply) => follow(reply));
      },
    }),
  },
});
