/**
 * sipgate.io's plug-in for the tools: its `callcontrol simulate sipgate` command, its part of
 * the test kit (`client.sipgate`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import type { CallStep } from '../../testing/transcript';
import { callPlanOf, definitionRenderer, given, pickRequest, stringArgument } from '../plugin-kit';
import { SIPGATE_HANGUP_CAUSES } from './events';
import { sipgateFlow } from './flow';
import { sipgateProvider } from './index';
import {
  createSipgateFollower,
  sipgateCallScenario,
  sipgateRequest,
  type SipgateCallScenarioOptions,
  type SipgateTestRequests,
} from './simulate';
import { SIPGATE_RULES } from './validate';
import { SIPGATE_SIGNATURE_HEADER, signSipgateBody } from './verify';

/** The private key in a PEM file (`--private-key`). @throws {TypeError} when unreadable */
function readPrivateKey(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new TypeError(
      `--private-key: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** The scenario without a `privateKey`: the client signs (or not) as its own options say. */
function unsigned(options: SipgateCallScenarioOptions): SipgateCallScenarioOptions {
  const copy = { ...options };
  delete (copy as { privateKey?: unknown }).privateKey;
  return copy;
}

/** One `simulate sipgate` run: its scenario (the call id fixed) and the model following it. */
interface SipgateRun {
  readonly scenario: SipgateCallScenarioOptions & { readonly callId: string };
  follower?: ReturnType<typeof createSipgateFollower>;
}

/** The run of each `simulate sipgate` invocation (its parsed options), made on first use. */
const RUNS = new WeakMap<SimulateArguments, SipgateRun>();

/**
 * The run of `options`.
 * @throws {TypeError} for a `--private-key` file that cannot be read
 */
function runOf(options: SimulateArguments): SipgateRun {
  let run = RUNS.get(options);
  if (run === undefined) {
    const digits = options['digits'];
    run = {
      scenario: {
        direction: options['outgoing'] === true ? 'out' : 'in',
        ...given('from', stringArgument(options, 'from')),
        ...given('to', stringArgument(options, 'to')),
        ...(Array.isArray(digits) ? { digits: digits.map(String) } : {}),
        ...given('cause', stringArgument(options, 'hangupCause')),
        // 76 random upper-case hex characters, as sipgate's (spec §2.2).
        callId: stringArgument(options, 'callId') ?? randomBytes(38).toString('hex').toUpperCase(),
        ...given('privateKey', readPrivateKey(stringArgument(options, 'privateKey'))),
        ...callPlanOf(options),
      },
    };
    RUNS.set(options, run);
  }
  return run;
}

/**
 * The opening step of a followed call: its `newCall` and the transcript's `call` entry (the
 * caller, the number called, the direction).
 */
function opening(options: SipgateCallScenarioOptions): CallStep {
  return {
    requests: [pickRequest(sipgateCallScenario(options), 'newCall')],
    transcript: [
      {
        kind: 'call',
        at: 0,
        from: options.from ?? '491776249000',
        to: options.to ?? '4928559389086',
        direction: options.direction ?? 'in',
      },
    ],
  };
}

/** sipgate.io (spec `docs/providers/sipgate.md`). */
export const sipgatePlugin = defineProviderPlugin({
  name: 'sipgate',
  title: 'sipgate.io',
  reference: 'docs/providers/sipgate.md',
  rules: SIPGATE_RULES,
  flow: sipgateFlow,
  simulate: {
    description:
      'newCall, then what the answers ask for: dtmf to each <Gather onData> (--digits), answer and hangup to onAnswer/onHangup; form-encoded POSTs, signed with --private-key',
    urlHelp: 'the push URL, e.g. http://127.0.0.1:3000/sipgate (user:pass@ sends basic auth)',
    options: [
      {
        flags: '--private-key <file>',
        description:
          "sign every request with X-Sipgate-Signature using this RSA private key (PEM file); the app's publicKey must be its public half",
      },
      { flags: '--from <number>', description: 'calling number (default 491776249000)' },
      { flags: '--to <number>', description: 'called number (default 4928559389086)' },
      { flags: '--outgoing', description: 'simulate an outgoing call (direction=out)' },
      {
        flags: '--digits <keys...>',
        description:
          'keys entered, one entry per <Gather> met, e.g. --digits 1 0815 (default none: the caller hangs up at the first <Gather>)',
      },
      {
        flags: '--hangup-cause <cause>',
        description: `cause of the hangup of a call left to ring or dialled, e.g. ${SIPGATE_HANGUP_CAUSES.join(', ')} (default normalClearing; any other skips answer)`,
      },
      {
        flags: '--call-id <id>',
        description: 'callId (default: 76 random upper-case hex characters)',
      },
    ],
    unsupported: {
      secret:
        "sipgate signs with an RSA key, not a shared secret: give --private-key <file> (a PEM private key whose public half is the app's publicKey)",
    },
    notes: `
sipgate: the call follows the answers (docs/providers/sipgate.md §2, §4): <Reject reason="busy">
ends it with hangup cause busy, <Reject> with noAnswer (§2.3, §4.5), <Hangup/> with
normalClearing, all without answer; <Dial> rings its <Number>s at once (§4.2) for 30 s: a
scenario file's targets say who answers after how many seconds, or is busy, or never answers
(without targets the first answers after 4 s); the winner gets answer (answeringNumber), the
caller talks talkSeconds (default 10 s) and hangs up (normalClearing); all busy: cause busy;
nobody within 30 s: noAnswer (the reference has no ring-timeout cause); the caller hanging up
first (hangupAfterSeconds): cancel. <Gather onData> plays its <Play>, then posts dtmf with the
next --digits entry to onData (none left: dtmf empty after the Gather's timeout, §2.2; the
third prompt in a row without input, the caller hangs up: cancel) and that answer is run next.
<Play>, no action, or an answer that is not 2xx leave the call to ring the called number.
answer and hangup go only to the onAnswer/onHangup URLs an answer named on <Response> (§4.1),
as sipgate sends them nowhere else; hangup has no duration (§2.5): the transcript has it.
An answer that breaks the spec stops the run with its problems. --private-key signs each body
with X-Sipgate-Signature (RSA-SHA256, §3.1); sipgate's
own private key is not public, so give a key pair of yours and the app its public half as
\`publicKey\` (unsigned requests get 403 from an app with the default key).`,
    scenario: (options) => opening(runOf(options).scenario),
    follow: (reply, _sent, options, baseUrl) => {
      const run = runOf(options);
      run.follower ??= createSipgateFollower(run.scenario, run.scenario.callId, baseUrl);
      return run.follower(reply);
    },
  },
  testKit: {
    signing: {
      option: 'privateKey',
      with: 'an RSA key',
      header: SIPGATE_SIGNATURE_HEADER,
      sign: (body, privateKey) => signSipgateBody(body, privateKey),
    },
    renderer: () => definitionRenderer('sipgate', sipgateProvider),
    scenarioOptions: (options): SipgateCallScenarioOptions => {
      const digits = options.digits;
      return {
        ...given('from', options.from),
        ...given('to', options.to),
        ...given('callId', options.callId),
        ...given('digits', typeof digits === 'string' ? [digits] : digits),
        ...given('cause', options.hangupCause),
        ...given('targets', options.targets),
        ...given('talkSeconds', options.talkSeconds),
        ...given('hangupAfterSeconds', options.hangupAfterSeconds),
      };
    },
    requests: (client): SipgateTestRequests => {
      const scenario = (options: SipgateCallScenarioOptions = {}) =>
        sipgateCallScenario(unsigned(options));
      const answered = (options: SipgateCallScenarioOptions) =>
        scenario({ ...options, cause: 'normalClearing', dtmf: options.dtmf ?? '1' });
      return {
        newCall: (options = {}) => client.send(pickRequest(scenario(options), 'newCall')),
        answer: (options = {}) => client.send(pickRequest(answered(options), 'answer')),
        dtmf: (options = {}) => client.send(pickRequest(answered(options), 'dtmf')),
        hangup: (options = {}) => client.send(pickRequest(scenario(options), 'hangup')),
        request: (fields) => client.send(sipgateRequest(fields)),
        playCall: (options = {}) => {
          const first = opening(unsigned(options));
          const callId = new URLSearchParams(first.requests[0]?.body ?? '').get('callId') ?? '';
          const follow = createSipgateFollower(unsigned(options), callId, client.baseUrl);
          return client.play(first, (reply) => follow(reply));
        },
      };
    },
  },
});
