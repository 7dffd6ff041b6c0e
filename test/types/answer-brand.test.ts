/**
 * Another provider's verb in an answer is a type error that names the providers: every answer
 * class carries `provider` ('placetel', 'ozeki', 'voipnow', 'opentact'), checked before any other
 * property, so TypeScript reports `Type '"ozeki"' is not assignable to type '"opentact"'` on
 * `provider` rather than a property the other provider's verb lacks (`Property 'nested' is
 * missing…`). Compiled in memory with the TypeScript compiler API (the repository's tsconfig),
 * each snippet beside `src/`; nothing is run.
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../docs/snippets';

const HEADER = `import { opentact, ozeki, placetel, voipnow } from '../../src';
const ozekiCalls = ozeki.createApp({ allowUnauthenticated: true });
const opentactCalls = opentact.createApp({ allowUnauthenticated: true });
const voipnowCalls = voipnow.createApp({ allowUnauthenticated: true });
const placetelCalls = placetel.createApp({ allowUnauthenticated: true });
void [ozekiCalls, opentactCalls, voipnowCalls, placetelCalls];
`;

/** Each snippet's diagnostics, flattened to text (all lines of a chain, `\n`-joined). */
function diagnose(snippets: Readonly<Record<string, string>>): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (config === undefined) throw new Error('tsconfig.json cannot be read');
  const files = new Map(
    Object.entries(snippets).map(([name, code]) => [
      resolve(ROOT, 'test', 'types', `answer-brand-${name}.ts`),
      `${HEADER}${code}\n`,
    ]),
  );
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.getSourceFile = (name, language) => {
    const text = files.get(name);
    return text === undefined
      ? getSourceFile(name, language)
      : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const byName = new Map<string, string[]>(Object.keys(snippets).map((name) => [name, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName;
    const name = Object.keys(snippets).find(
      (key) => file === resolve(ROOT, 'test', 'types', `answer-brand-${key}.ts`),
    );
    if (name === undefined) continue;
    byName.get(name)?.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  }
  return byName;
}

/** Snippet → the provider the answer is for, and the provider of the verb put in it. */
const MISTAKES: Readonly<Record<string, readonly [string, string, string]>> = {
  ozekiVerbInOpentactGather: [
    `opentactCalls.on('call_flow_request', () => [
  opentact.gather({ dtmfLength: 1, prompt: [ozeki.speak('Press 1.')] }),
]);`,
    'opentact',
    'ozeki',
  ],
  ozekiVerbInOpentactDtmfBranch: [
    `opentact.gather({ dtmfLength: 1, dtmf: [{ value: '1', commands: [ozeki.hangup()] }] });`,
    'opentact',
    'ozeki',
  ],
  opentactVerbFromOzekiHandler: [
    `ozekiCalls.on('IncomingCall', () => [opentact.say('Hello')]);`,
    'ozeki',
    'opentact',
  ],
  voipnowVerbInOzekiUserInput: [
    `ozeki.userInput({ initialCommands: [voipnow.playTts('Hello')], inputs: [] });`,
    'ozeki',
    'voipnow',
  ],
  opentactVerbInOzekiResponse: [
    `ozeki.response([opentact.pause({ lengthMs: 1000 })]);`,
    'ozeki',
    'opentact',
  ],
  // Same structure (name and element): accepted before the brand, refused only at run time.
  ozekiHangupFromVoipNowHandler: [
    `voipnowCalls.on('call_interactive', () => [ozeki.hangup()]);`,
    'voipnow',
    'ozeki',
  ],
  ozekiVerbFromPlacetelHandler: [
    `placetelCalls.on('IncomingCall', () => ozeki.speak('Hello'));`,
    'placetel',
    'ozeki',
  ],
  voipnowHangupFromOpentactHandler: [
    `opentactCalls.on('call_flow_request', () => [voipnow.hangup()]);`,
    'opentact',
    'voipnow',
  ],
  placetelAnswerFromVoipNowHandler: [
    `voipnowCalls.on('call_interactive', () => placetel.hangup());`,
    'voipnow',
    'placetel',
  ],
  ozekiResponseFromOpentactHandler: [
    `opentactCalls.on('call_flow_request', () => ozeki.response([ozeki.hangup()]));`,
    'opentact',
    'ozeki',
  ],
};

const RIGHT = `opentactCalls.on('call_flow_request', () => [
  opentact.gather({ dtmfLength: 1, prompt: [opentact.say('Press 1.')] }),
]);
ozekiCalls.on('IncomingCall', () => [
  ozeki.userInput({ initialCommands: [ozeki.speak('Hello')], inputs: [] }),
]);
ozekiCalls.on('DtmfEntered', () => ozeki.response([ozeki.hangup()]));
voipnowCalls.on('call_interactive', () => [voipnow.hangup()]);
placetelCalls.on('IncomingCall', () => placetel.hangup());
`;

let diagnostics: Map<string, string[]>;

beforeAll(() => {
  diagnostics = diagnose({
    ...Object.fromEntries(Object.entries(MISTAKES).map(([name, [code]]) => [name, code])),
    right: RIGHT,
  });
}, 120_000);

test('each provider answered with its own verbs compiles', () => {
  expect(diagnostics.get('right')).toEqual([]);
});

test.each(Object.entries(MISTAKES))(
  '%s: one error, on provider, naming both providers',
  (name, [, answerFor, verbOf]) => {
    const messages = diagnostics.get(name) ?? [];
    expect(messages).toHaveLength(1);
    const [message = ''] = messages;
    expect(message).toContain("Types of property 'provider' are incompatible.");
    expect(message).toContain(`Type '"${verbOf}"' is not assignable to type '"${answerFor}"'.`);
    // No property of the other provider's answer stands for the mistake.
    expect(message).not.toMatch(/is missing|nested|action|commands/);
  },
);
