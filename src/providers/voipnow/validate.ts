/**
 * What 4PSA documents about the VoipNow Call Interactive answer (`docs/providers/voipnow.md` §2
 * "Call Interactive", its "Response verbs" table; upstream
 * https://wiki.4psa.com/VoipNow/Developer-Guide/Call-Interactive/Interactive-Response-Structure),
 * as rule tables for the validation engine.
 *
 * The verbs, attributes, value types and ranges are the grammar the builders use
 * (`src/providers/voipnow/grammar.ts`); this table adds only what the validator tolerates.
 * Tolerances: `<SetCallerId>` (the section's title) passes with a warning beside
 * `<SetCaller>` (the example); `<SimpleTransfer>`, which a copy of the page names without
 * readable details, passes with a warning, unchecked; PlayTTS text is accepted as content
 * (the documented example is unclosed).
 *
 * @module
 */
import { VOIPNOW_GRAMMAR, VOIPNOW_SPEC, VOIPNOW_SPEC_FILE, type VoipNowVerbFact } from './grammar';
import { checkOf } from '../../validate/grammar';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  XElement,
} from '../../validate/types';

const FILE = VOIPNOW_SPEC_FILE;
const S = VOIPNOW_SPEC;

/** The rule of a verb of the grammar (`src/providers/voipnow/grammar.ts`), as the builders know it. */
function ruleOf(fact: VoipNowVerbFact): ElementRule {
  return {
    name: fact.name,
    spec: fact.spec,
    attributes: fact.attributes.map((attribute): AttributeRule => ({
      name: attribute.name,
      spec: attribute.spec,
      value: checkOf(attribute.value),
      ...(attribute.required === true ? { required: true } : {}),
    })),
    text: fact.text,
  };
}

const GRAMMAR_RULES = Object.fromEntries(
  Object.values(VOIPNOW_GRAMMAR).map((fact) => [fact.name, ruleOf(fact)]),
);

const VERBS = [...Object.keys(VOIPNOW_GRAMMAR), 'SetCallerId', 'SimpleTransfer'];

const ELEMENTS: Record<string, ElementRule> = {
  ...GRAMMAR_RULES,
  // the title of the section; its example writes <SetCaller>: the same attributes, a warning
  SetCallerId: {
    ...ruleOf(VOIPNOW_GRAMMAR.SetCaller),
    name: 'SetCallerId',
    warning: {
      code: 'legacy',
      message: 'SetCallerId is the title of the section; its example writes <SetCaller>',
    },
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
