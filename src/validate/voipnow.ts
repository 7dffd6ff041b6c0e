/**
 * What 4PSA documents about the VoipNow Call Interactive answer (`docs/providers/voipnow.md` §2
 * "Call Interactive", its "Response verbs" table; upstream
 * https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Interactive/Interactive-Response-Structure),
 * as rule tables for the validation engine.
 *
 * Tolerances: `<SetCallerId>` (the section's title) passes with a warning beside
 * `<SetCaller>` (the example); `<SimpleTransfer>`, which a copy of the page names without
 * readable details, passes with a warning, unchecked; PlayTTS text is accepted as content
 * (the documented example is unclosed).
 *
 * @module
 */
import type { AttributeRule, ElementRule, Finding, ProviderRules, XElement } from './types';
import { integer, nonBlank, oneOf, pattern } from './values';

const FILE = 'docs/providers/voipnow.md';
const S = {
  interactive: `${FILE} §2 Call Interactive`,
  verbs: `${FILE} §2 Call Interactive (Response verbs)`,
} as const;

const variable = pattern(
  /^[A-Za-z_][A-Za-z0-9_]*$/,
  'an IVR variable name (letters, digits and _)',
);
const language = pattern(
  /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
  'a language code such as "en" or "fr"',
);
/** `loop`: a number of times, or empty as the documented example writes it. */
const loop = (value: string) => (value === '' ? undefined : integer('times', 1)(value));

const SET_CALLER_ATTRIBUTES: readonly AttributeRule[] = [
  // "both required, else parsing is aborted"
  { name: 'name', spec: S.verbs, required: true, value: nonBlank },
  { name: 'number', spec: S.verbs, required: true, value: nonBlank },
];

const VERBS = [
  'Hangup',
  'Pause',
  'SetVar',
  'PlaySound',
  'Jump',
  'SetCaller',
  'SetCallerId',
  'PlayTTS',
  'SimpleTransfer',
];

const ELEMENTS: Record<string, ElementRule> = {
  Hangup: { name: 'Hangup', spec: S.verbs },
  Pause: {
    name: 'Pause',
    spec: S.verbs,
    attributes: [{ name: 'length', spec: S.verbs, value: integer('seconds', 0) }],
  },
  SetVar: {
    name: 'SetVar',
    spec: S.verbs,
    attributes: [{ name: 'name', spec: S.verbs, required: true, value: variable }],
    text: 'required',
  },
  PlaySound: {
    name: 'PlaySound',
    spec: S.verbs,
    text: 'required',
    attributes: [
      { name: 'language', spec: S.verbs, value: language },
      { name: 'loop', spec: S.verbs, value: loop },
      { name: 'view', spec: S.verbs, value: oneOf(['system', 'client']) },
      { name: 'folder', spec: S.verbs },
      { name: 'where', spec: S.verbs, value: oneOf(['foreground', 'background']) },
      { name: 'digitvar', spec: S.verbs, value: variable },
    ],
  },
  Jump: {
    name: 'Jump',
    spec: S.verbs,
    attributes: [
      { name: 'context', spec: S.verbs, required: true, value: nonBlank },
      { name: 'option', spec: S.verbs, value: nonBlank },
      { name: 'priority', spec: S.verbs, value: integer('steps', 1) },
    ],
  },
  SetCaller: { name: 'SetCaller', spec: S.verbs, attributes: SET_CALLER_ATTRIBUTES },
  SetCallerId: {
    name: 'SetCallerId',
    spec: S.verbs,
    attributes: SET_CALLER_ATTRIBUTES,
    warning: {
      code: 'legacy',
      message: 'SetCallerId is the title of the section; its example writes <SetCaller>',
    },
  },
  PlayTTS: {
    name: 'PlayTTS',
    spec: S.verbs,
    text: 'required',
    attributes: [
      { name: 'voice', spec: S.verbs, value: nonBlank },
      { name: 'volume', spec: S.verbs, value: integer('(volume)', 0) },
    ],
  },
  SimpleTransfer: {
    name: 'SimpleTransfer',
    spec: S.verbs,
    opaque: true,
    warning: {
      code: 'undocumented',
      message:
        'a copy of the docs names this verb, but its attributes are not readable; not checked',
    },
  },
};

function documentRules(root: XElement): Finding[] {
  const index = root.children.findIndex((child) => child.name === 'Hangup');
  return root.children.slice(index < 0 ? root.children.length : index + 1).map((element) => ({
    code: 'voipnow.after-hangup',
    message: `<${element.name}> comes after <Hangup>, which hangs up immediately: it never runs`,
    spec: S.verbs,
    severity: 'warning' as const,
    element,
  }));
}

/** The VoipNow Call Interactive answer rules (spec `docs/providers/voipnow.md` §2). */
export const VOIPNOW_RULES: ProviderRules = {
  provider: 'voipnow',
  specFile: FILE,
  root: { name: 'Response', spec: S.interactive },
  rootChildren: VERBS,
  elements: ELEMENTS,
  unknownElement: { severity: 'error', spec: S.verbs },
  unknownAttribute: { severity: 'error', spec: S.verbs },
  hints: {
    Speak: {
      message: 'an Ozeki OzML command; VoipNow speaks with <PlayTTS>',
      spec: `${FILE} §2; docs/providers/ozeki.md §0`,
    },
    Play: { message: 'VoipNow plays sounds with <PlaySound>', spec: S.verbs },
  },
  document: documentRules,
};
