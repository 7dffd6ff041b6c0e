/**
 * What Ozeki documents about OzML, the answer to its HTTP API notifications
 * (`docs/providers/ozeki.md` §4 language rules, §5 command reference, §3.1 which notification takes
 * which commands, §7 ambiguities; upstream
 * https://ozekiphone.com/p_4254-reference-book-of-ozml-the-xml-language-of-ozeki.html), as
 * rule tables for the validation engine.
 *
 * Tolerances (spec §4, §7.6): attribute names match ignoring letter case (the docs mix
 * `timeout`/`Timeout`, `key`/`Key`); every documented spelling is accepted (`ForwardToUrl`,
 * `ForwardToURL`; `Dialled`, `Dialed`; `TransferredCallId`, `TranferredCallId`;
 * `DeliveryReportURL`, `DelivaryReportURL`; `Forward`, `ForwardCall`); the sample-only
 * `enteredUrl` passes with a warning. Commands listed in the index but not documented
 * (§5.17–§5.19) pass with a warning, unchecked.
 *
 * The commands, attributes, value types, control contexts and the rules of place and of
 * `<UserInput>` are the grammar the builders use (`src/providers/ozeki/grammar.ts`); this table
 * adds only what the validator tolerates.
 *
 * An OzML answer runs in one of three contexts (spec §3.1, §4): extension control,
 * third-party control, or routing (the answer to RoutingInterception). Without
 * `ozekiControl` the context is inferred, and the commands must all fit one.
 *
 * @module
 */
import {
  commandRules,
  digitOptionsRule,
  fitOf,
  inputKeyRule,
  inputRules,
  OZEKI_COMMANDS,
  OZEKI_CONTROLS,
  OZEKI_CONTEXTS,
  OZEKI_INPUT_KEY,
  OZEKI_ROUTE_DESTINATION,
  OZEKI_SPEC,
  OZEKI_SPEC_FILE,
  OZEKI_STRUCTURE,
  placeRule,
  routeDestinationRule,
  userInputChildrenRule,
  type OzekiAttributeFact,
  type OzekiCommandFact,
  type OzekiCommandView,
  type OzekiControl,
  type OzekiRuleBreak,
  type OzekiStructureBreak,
} from './grammar';
import { findAttribute } from '../../validate/engine';
import { checkOf, type GrammarValue } from '../../validate/grammar';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  ValidateOptions,
  ValueCheck,
  XElement,
} from '../../validate/types';

const FILE = OZEKI_SPEC_FILE;
const S = OZEKI_SPEC;

/**
 * The validator's check of a grammar value: as the builders write it, except that an enum
 * value in another letter case is a warning (Ozeki compares them ignoring case, spec §4, §7.6).
 */
function check(type: GrammarValue): ValueCheck {
  const strict = checkOf(type);
  if (type.kind === 'enum') {
    const loose = checkOf({ ...type, ignoreCase: true });
    return (value) => {
      const issue = strict(value);
      if (issue === undefined || loose(value) !== undefined) return issue;
      return { ...issue, severity: 'warning' };
    };
  }
  // .NET reads booleans in any letter case (spec §4)
  if (type.kind === 'boolean') return checkOf({ ...type, ignoreCase: true });
  return strict;
}

/** Other spellings the docs use for an attribute (spec §7.6); names compare ignoring case. */
const SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  Dialled: ['Dialed'],
  TransferredCallId: ['TranferredCallId'],
  DeliveryReportURL: ['DelivaryReportURL'],
};

/** The commands (spec §4 command index, §5). */
const DOCUMENTED_COMMANDS = Object.keys(OZEKI_COMMANDS);

/** Named in the command index but not documented in the spec (§5.17–§5.19). */
const UNDOCUMENTED_COMMANDS: Readonly<Record<string, string>> = {
  SendEmail: S.sendEmail,
  Request: S.request,
  Array: S.undocumented,
  ForEach: S.undocumented,
  Var: S.undocumented,
  SQL: S.undocumented,
  DeleteFile: S.undocumented,
  MoveFile: S.undocumented,
  SendAlarmNotification: S.undocumented,
  ReceiveAlarmNotification: S.undocumented,
  Beep: S.undocumented,
  CallSetup: S.undocumented,
  Exit: S.undocumented,
  SendMsg: S.undocumented,
  WaitForMsg: S.undocumented,
};

const COMMANDS = [...DOCUMENTED_COMMANDS, ...Object.keys(UNDOCUMENTED_COMMANDS)];

function attributeRule(fact: OzekiAttributeFact): AttributeRule[] {
  const rule: AttributeRule = {
    name: fact.name,
    spec: fact.spec,
    value: check(fact.value),
    ...(fact.required === true ? { required: true } : {}),
  };
  return [
    rule,
    ...(SPELLINGS[fact.name] ?? []).map((name) => ({
      ...rule,
      name,
      spec: `${fact.spec}; ${S.spellings}`,
      required: false,
    })),
  ];
}

/** The rule of a documented command, from the grammar the builders use. */
function ruleOf(fact: OzekiCommandFact): ElementRule {
  const attributes = fact.attributes.flatMap(attributeRule);
  const main = fact.main;
  if (main === undefined) return { name: fact.name, spec: fact.spec, attributes };
  const mainAttributes = main.attribute === undefined ? [] : [main.attribute];
  return {
    name: fact.name,
    spec: fact.spec,
    text: 'textOrAttribute',
    mainAttributes: [...mainAttributes, ...mainAttributes.flatMap((name) => SPELLINGS[name] ?? [])],
    textValue: check(main.value),
    attributes: [
      ...mainAttributes.flatMap((name) =>
        attributeRule({ option: main.option, name, value: main.value, spec: fact.spec }),
      ),
      ...attributes,
    ],
  };
}

const ELEMENTS: Record<string, ElementRule> = Object.fromEntries(
  Object.values(OZEKI_COMMANDS).map((fact) => [fact.name, ruleOf(fact)]),
);

const userInput = ruleOf(OZEKI_COMMANDS['UserInput'] as OzekiCommandFact);
ELEMENTS['UserInput'] = {
  ...userInput,
  attributes: (userInput.attributes ?? []).map((rule) =>
    rule.name === 'EnteredUrl'
      ? {
          ...rule,
          warning: {
            code: 'undocumented',
            message:
              "enteredUrl is the spelling of Ozeki's own IVR sample, absent from every parameter table (which write ForwardToUrl)",
          },
        }
      : rule,
  ),
  children: OZEKI_STRUCTURE.UserInput,
  check: userInputCheck,
};
/** The children of an element that holds a sequence of commands (`'commands'`) or named elements. */
const childrenOf = (held: 'commands' | readonly string[]): readonly string[] =>
  held === 'commands' ? COMMANDS : held;
ELEMENTS['InitialCommands'] = {
  name: 'InitialCommands',
  spec: S.userInput,
  children: childrenOf(OZEKI_STRUCTURE.InitialCommands),
};
ELEMENTS['Inputs'] = {
  name: 'Inputs',
  spec: S.userInput,
  children: childrenOf(OZEKI_STRUCTURE.Inputs),
  check: inputsCheck,
};
ELEMENTS['Input'] = {
  name: 'Input',
  spec: S.userInput,
  attributes: attributeRule(OZEKI_INPUT_KEY),
  children: childrenOf(OZEKI_STRUCTURE.Input),
};
ELEMENTS['Route'] = {
  ...(ELEMENTS['Route'] as ElementRule),
  // Destination may be the text too (spec §4: "the main parameter may be the text")
  text: 'optional',
  attributes: [
    // "" rejects the call; anything else names where to route, not blank (as the builder)
    ...attributeRule(OZEKI_ROUTE_DESTINATION).map((rule) => ({
      ...rule,
      required: false,
      value: (value: string) => (value === '' ? undefined : rule.value?.(value)),
    })),
    ...((ELEMENTS['Route'] as ElementRule).attributes ?? []),
  ],
  check: (element) => {
    const broken = routeDestinationRule(
      findAttribute(element, OZEKI_ROUTE_DESTINATION.name, true) !== undefined ||
        element.text.trim() !== '',
    );
    return broken === undefined ? [] : [structureFinding(broken)];
  },
};

for (const [name, spec] of Object.entries(UNDOCUMENTED_COMMANDS)) {
  ELEMENTS[name] = {
    name,
    spec,
    opaque: true,
    warning: {
      code: 'undocumented',
      message: `named in Ozeki's command index but its parameters are not documented in the spec; not checked`,
    },
  };
}

/** An element as the grammar's rules see it: attributes ignoring case and misspellings. */
function viewOf(element: XElement): OzekiCommandView {
  return {
    name: element.name,
    attribute: (name) => {
      for (const spelling of [name, ...(SPELLINGS[name] ?? [])]) {
        const found = findAttribute(element, spelling, true);
        if (found !== undefined) return found.value;
      }
      return undefined;
    },
  };
}

function attr(element: XElement, name: string): string | undefined {
  return viewOf(element).attribute(name);
}

function finding(broken: OzekiRuleBreak, element?: XElement): Finding {
  return {
    code: broken.code,
    message: broken.message,
    spec: broken.spec,
    ...(element === undefined ? {} : { element }),
  };
}

/** A whole number of digits as the grammar reads it, or undefined (a bad value is reported elsewhere). */
function count(value: string | undefined): number | undefined {
  return value !== undefined && /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** A broken rule of structure (grammar) as a finding, in the document's words. */
function structureFinding(broken: OzekiStructureBreak, element?: XElement): Finding {
  return {
    code: broken.code,
    message: broken.document,
    spec: broken.spec,
    ...(element === undefined ? {} : { element }),
  };
}

function userInputCheck(element: XElement): Finding[] {
  const findings: Finding[] = userInputChildrenRule(
    element.children.map((child) => child.name),
  ).map((broken) => structureFinding(broken, element.children[broken.index]));
  const digits = {
    digits: count(attr(element, 'Digits')),
    minDigits: count(attr(element, 'MinDigits')),
    maxDigits: count(attr(element, 'MaxDigits')),
  };
  const digitsBroken = digitOptionsRule(digits);
  if (digitsBroken !== undefined) findings.push(finding(digitsBroken));
  const inputs = element.children
    .filter((child) => child.name === 'Inputs')
    .flatMap((child) => child.children.filter((input) => input.name === 'Input'));
  const backKey = attr(element, 'BackKey');
  inputs.forEach((input, index) => {
    const key = attr(input, OZEKI_INPUT_KEY.name);
    if (key === undefined || checkOf(OZEKI_INPUT_KEY.value)(key) !== undefined) return;
    if (digitsBroken === undefined) {
      const broken = inputKeyRule(key, digits, `inputs[${index}]`);
      if (broken !== undefined) findings.push(finding(broken, input));
    }
    for (const broken of inputRules(key, [], backKey, undefined, `inputs[${index}]`)) {
      findings.push(structureFinding(broken, input));
    }
  });
  findings.push(
    ...commandRules(viewOf(element), inputs.length > 0).map((broken) => finding(broken)),
  );
  return findings;
}

/** The `<Input>`s of one `<Inputs>`: keys not repeated, each with a command (spec §5.6). */
function inputsCheck(element: XElement): Finding[] {
  const earlier: string[] = [];
  const findings: Finding[] = [];
  element.children.forEach((input, index) => {
    const key = attr(input, OZEKI_INPUT_KEY.name);
    if (key === undefined) return;
    for (const broken of inputRules(
      key,
      earlier,
      undefined,
      input.children.length,
      `inputs[${index}]`,
    )) {
      findings.push(structureFinding(broken, input));
    }
    earlier.push(key);
  });
  return findings;
}

function commandCheck(element: XElement): Finding[] {
  return commandRules(viewOf(element)).map((broken) => finding(broken));
}

for (const name of ['BlindTransfer', 'AttendedTransfer', 'Route']) {
  const rule = ELEMENTS[name] as ElementRule;
  const own = rule.check;
  ELEMENTS[name] = {
    ...rule,
    check: (element) => [...(own?.(element) ?? []), ...commandCheck(element)],
  };
}

// ---------------------------------------------------------------------------------------------
// Control contexts (spec §3.1, §4): the grammar's, as the builders check them
// ---------------------------------------------------------------------------------------------

/** Whether an element may stand in `control`; undocumented commands fit everywhere. */
function fits(element: XElement, control: OzekiControl): OzekiRuleBreak | undefined {
  if (!DOCUMENTED_COMMANDS.includes(element.name)) return undefined;
  return fitOf(viewOf(element), control);
}

function documentRules(root: XElement, options: ValidateOptions): Finding[] {
  const findings: Finding[] = [];
  const commands = root.children.filter((child) => COMMANDS.includes(child.name));
  let candidates: OzekiControl[] =
    options.ozekiControl === undefined ? [...OZEKI_CONTROLS] : [options.ozekiControl];
  const misplaced = new Set<XElement>();
  for (const element of commands) {
    const next = candidates.filter((control) => fits(element, control) === undefined);
    if (next.length > 0) {
      candidates = next;
      continue;
    }
    const reason = fits(element, candidates[0] ?? 'extension');
    const label = candidates.map((control) => OZEKI_CONTEXTS[control].label).join(' or ');
    misplaced.add(element);
    findings.push({
      code: 'ozeki.mixed-control',
      message: `${reason?.message ?? `<${element.name}> does not fit`}; the answer ${
        options.ozekiControl === undefined ? 'so far fits only' : 'is for'
      } ${label}`,
      spec: `${reason?.spec ?? S.contexts}; ${S.rules}`,
      element,
    });
  }
  // Reject first, one Route, BackKey only nested (spec §5.5, §5.6, §5.15).
  commands.forEach((element, index) => {
    if (misplaced.has(element)) return;
    const broken = placeRule(viewOf(element), { index, nested: false });
    if (broken !== undefined) findings.push(finding(broken, element));
  });
  // Commands nested in a UserInput run in extension control (spec §5.6).
  for (const element of descendants(root).filter(
    (element) => element.parent !== root && COMMANDS.includes(element.name),
  )) {
    const why = fits(element, 'extension');
    if (why !== undefined) {
      findings.push({
        code: 'ozeki.mixed-control',
        message: `${why.message}; commands inside a UserInput run in extension control`,
        spec: `${why.spec}; ${S.userInput}`,
        element,
      });
      continue;
    }
    const siblings = (element.parent?.children ?? []).filter((child) =>
      COMMANDS.includes(child.name),
    );
    const broken = placeRule(viewOf(element), { index: siblings.indexOf(element), nested: true });
    if (broken !== undefined) findings.push(finding(broken, element));
  }
  return findings;
}

function descendants(element: XElement): XElement[] {
  return element.children.flatMap((child) => [child, ...descendants(child)]);
}

/** The HTTP API command response (spec §1.1), which is not an OzML answer. */
function envelopeCheck(root: XElement): Finding[] | undefined {
  if (root.name !== 'Response') return undefined;
  const code = root.children.find((child) => child.name === 'Code');
  if (code === undefined) return undefined;
  return [
    {
      code: 'ozeki.api-envelope',
      message:
        'this is the response envelope of an HTTP API command (<Code>, <Message>), which Ozeki sends; a webhook answers a notification with OzML commands instead',
      spec: S.envelope,
      element: code,
    },
  ];
}

/** The Ozeki OzML answer rules (spec `docs/providers/ozeki.md` §4, §5). */
export const OZEKI_RULES: ProviderRules = {
  provider: 'ozeki',
  specFile: FILE,
  root: { name: 'Response', spec: S.rules },
  rootChildren: COMMANDS,
  elements: ELEMENTS,
  caseInsensitiveAttributes: true,
  unknownElement: { severity: 'error', spec: `${S.rules} (command index)` },
  unknownAttribute: { severity: 'error', spec: S.rules },
  preCheck: envelopeCheck,
  document: documentRules,
};
