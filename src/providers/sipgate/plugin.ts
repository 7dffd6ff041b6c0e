/**
 * sipgate.io's plug-in for the tools: its `callcontrol simulate sipgate` command, its part of
 * the test kit (`client.sipgate`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { defineProviderPlugin } from '../plugin';
import { definitionRenderer, given, pickRequest, stringArgument } from '../plugin-kit';
import { SIPGATE_HANGUP_CAUSES } from './events';
import { sipgateFlow } from './flow';
import { sipgateProvider } from './index';
import {
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

/** sipgate.io (spec `docs/providers/sipgate.md`). */
export const sipgatePlugin = defineProviderPlugin({
  name: 'sipgate',
  title: 'sipgate.io',
  reference: 'docs/providers/sipgate.md',
  rules: SIPGATE_RULES,
  flow: sipgateFlow,
  simulate: {
    description:
      'newCall → answer → dtmf (with --digits) → hangup, form-encoded POSTs, signed with --private-key',
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
        flags: '--digits <keys>',
        description: 'keys entered after the answer: one dtmf event (default none)',
      },
      {
        flags: '--hangup-cause <cause>',
        description: `cause of the hangup event, e.g. ${SIPGATE_HANGUP_CAUSES.join(', ')} (default normalClearing; any other skips answer and dtmf)`,
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
sipgate: --private-key signs each body with X-Sipgate-Signature (RSA-SHA256, spec
docs/providers/sipgate.md §3.1); sipgate's own private key is not public, so give a key pair
of yours and the app its public half as \`publicKey\` (unsigned requests get 403 from an app
with the default key). --digits sends one dtmf event; --hangup-cause is the hangup's cause.`,
    scenario: (options) =>
      sipgateCallScenario({
        direction: options['outgoing'] === true ? 'out' : 'in',
        ...given('from', stringArgument(options, 'from')),
        ...given('to', stringArgument(options, 'to')),
        ...given('dtmf', stringArgument(options, 'digits')),
        ...given('cause', stringArgument(options, 'hangupCause')),
        ...given('callId', stringArgument(options, 'callId')),
        ...given('privateKey', readPrivateKey(stringArgument(options, 'privateKey'))),
      }),
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
        ...given('dtmf', typeof digits === 'string' ? digits : digits?.join('')),
        ...given('cause', options.hangupCause),
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
        playCall: (options = {}) => client.play(scenario(options)),
      };
    },
  },
});
