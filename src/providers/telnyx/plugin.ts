/**
 * Telnyx's plug-in for the tools: its `callcontrol simulate telnyx` command (a whole TeXML call
 * that follows the app's answers, each request signed with Ed25519 when it is sent), its part of
 * the test kit (`client.telnyx`) and its validator rules (see `src/providers/plugin.ts`).
 *
 * @module
 */
import { TWIML_PLAN_NOTES } from '../twiml/simulate';
import { readFileSync } from 'node:fs';
import { defineProviderPlugin, type SimulateArguments } from '../plugin';
import { telnyxFlow } from './flow';
import {
  callPlanOf,
  definitionRenderer,
  given,
  httpMethodArgument,
  stringArgument,
} from '../plugin-kit';
import { telnyxProvider } from './index';
import {
  followTelnyxAnswer,
  telnyxCallStep,
  signTelnyxTestRequest,
  telnyxCallScenario,
  telnyxRequest,
  type TelnyxCallScenarioOptions,
  type TelnyxTestRequests,
  TELNYX_RULES,
} from './simulate';
import {
  importTelnyxPrivateKey,
  signTelnyxBody,
  TELNYX_SIGNATURE_HEADER,
  TELNYX_TIMESTAMP_HEADER,
} from './verify';

/**
 * The private key of `--private-key`: a PEM file, or a file holding the 64 hex digits of an
 * Ed25519 seed.
 * @throws {TypeError} when the file cannot be read or holds no Ed25519 private key
 */
function readPrivateKey(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new TypeError(
      `--private-key: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  importTelnyxPrivateKey(text);
  return text;
}

/** The scenario options of a `simulate telnyx` run (unsigned: `sign` signs at send time). */
function scenarioOf(options: SimulateArguments): TelnyxCallScenarioOptions {
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

/** Keys read once per run, by file name. */
const keys = new Map<string, string | undefined>();

/** Telnyx TeXML (spec `docs/providers/telnyx.md`). */
export const telnyxPlugin = defineProviderPlugin({
  name: 'telnyx',
  title: 'Telnyx TeXML',
  reference: 'docs/providers/telnyx.md',
  rules: TELNYX_RULES,
  flow: telnyxFlow,
  simulate: {
    description:
      'instruction fetch → Gather action (with --digits) → Redirect/Dial/Record actions as answered → call-progress callback, signed with --private-key',
    urlHelp:
      'the TeXML webhook URL, e.g. http://127.0.0.1:3000/telnyx (user:pass@ sends basic auth)',
    options: [
      {
        flags: '--private-key <file>',
        description:
          "sign every request with telnyx-signature-ed25519 using this Ed25519 private key (PEM file, or a file with the 64 hex digits of its seed); the app's publicKey must be its public half",
      },
      { flags: '--from <number>', description: 'From (default +13122010091)' },
      { flags: '--to <number>', description: 'To (default +13122010090)' },
      {
        flags: '--digits <keys...>',
        description:
          'digits typed, one entry per <Gather> met, e.g. --digits 9 1 (default none: a Gather gets no input)',
      },
      {
        flags: '--dial-status <status>',
        description:
          'DialCallStatus of a <Dial> action: completed, busy, no-answer, canceled, failed (default completed)',
      },
      {
        flags: '--hangup-cause <status>',
        description:
          'CallStatus of the final call-progress callback: completed, busy, no-answer, canceled, failed (default completed; any other skips the instruction fetch)',
      },
      {
        flags: '--duration <seconds>',
        description:
          'talk time in seconds of an answered <Dial> when the scenario has no talkSeconds (default 30); CallDuration is the call length on the simulated clock',
        wholeNumber: true,
      },
      { flags: '--method <method>', description: 'GET or POST (default POST)' },
      { flags: '--call-sid <sid>', description: 'CallSid (default: v3: and a random id)' },
    ],
    unsupported: {
      secret:
        "Telnyx signs with an Ed25519 key pair, not a shared secret: give --private-key <file> (a key whose public half is the app's publicKey)",
    },
    notes: `
Telnyx: the call follows the app's answers as TeXML runs them (docs/providers/telnyx.md §2.3,
§2.4): a <Gather> with digits left posts the next --digits entry to its action, a <Redirect> is
fetched, a <Dial> or <Record> with an action posts its result; <Hangup>, <Reject> or the end of
the document end the call, then the call-progress callback (--hangup-cause) is sent. URLs
outside the given URL are not followed. --private-key signs each request when it is sent
(telnyx-timestamp = now, signature over "timestamp|body", §3); the app checks the time within
300 seconds either way.
${TWIML_PLAN_NOTES}`,
    scenario: (options) => telnyxCallStep(scenarioOf(options)),
    follow: (reply, sent, options, baseUrl) =>
      followTelnyxAnswer(reply, sent, scenarioOf(options), baseUrl),
    sign: (request, _url, options) => {
      const file = stringArgument(options, 'privateKey');
      if (file === undefined) return request;
      if (!keys.has(file)) keys.set(file, readPrivateKey(file));
      const key = keys.get(file);
      return key === undefined ? request : signTelnyxTestRequest(request, key);
    },
  },
  testKit: {
    signing: {
      option: 'privateKey',
      with: 'an Ed25519 key',
      header: TELNYX_SIGNATURE_HEADER,
      sign: (body, privateKey) => {
        const timestamp = Math.floor(Date.now() / 1000);
        return {
          [TELNYX_TIMESTAMP_HEADER]: String(timestamp),
          [TELNYX_SIGNATURE_HEADER]: signTelnyxBody(body, timestamp, privateKey),
        };
      },
    },
    renderer: () => definitionRenderer('telnyx', telnyxProvider()),
    scenarioOptions: (options): TelnyxCallScenarioOptions => ({
      ...given('from', options.from),
      ...given('to', options.to),
      ...given('callSid', options.callId),
      ...given('digits', options.digits),
      ...given('finalStatus', options.hangupCause),
      ...given('targets', options.targets),
      ...given('talkSeconds', options.talkSeconds),
      ...given('hangupAfterSeconds', options.hangupAfterSeconds),
    }),
    requests: (client): TelnyxTestRequests => {
      const call = (options: TelnyxCallScenarioOptions) => ({
        ...options,
        callSid: options.callSid ?? 'v3:00000000000000000000000000000000000000001',
      });
      const requestsOf = (options: TelnyxCallScenarioOptions) => telnyxCallScenario(call(options));
      return {
        voice: (options = {}) => client.send(requestAt(requestsOf(options), 0)),
        gather: (options = {}) => {
          const c = call(options);
          const digits = typeof c.digits === 'string' ? c.digits : '1';
          return client.send(
            telnyxRequest(
              'gather',
              [
                ['AccountSid', c.accountSid ?? '6a9a7976-012e-45d2-9258-6f5dc68d861e'],
                ['CallSid', c.callSid],
                ['CallSidLegacy', c.callSid],
                ['Digits', digits],
                ['From', c.from ?? '+13122010091'],
                ['To', c.to ?? '+13122010090'],
              ],
              { method: c.method, path: options.actionPath ?? c.path },
              c.privateKey,
            ),
          );
        },
        statusCallback: (options = {}) => {
          return client.send(requestAt(requestsOf(options), -1));
        },
        request: (event, fields, where) => client.send(telnyxRequest(event, fields, where)),
        playCall: (options = {}) => {
          const scenario = call(options);
          return client.play(telnyxCallStep(scenario), (reply, sent) =>
            followTelnyxAnswer(reply, sent, scenario, client.baseUrl),
          );
        },
      };
    },
  },
});
