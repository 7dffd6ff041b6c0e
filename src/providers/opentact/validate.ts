/**
 * What Opentact documents about its XML call flow (`docs/providers/opentact.md` §3 "Opentact XML":
 * §3.1 general rules, §3.2 verb/attribute reference, §3.3 examples; §7 contradictions;
 * upstream the "Opentact Call XML" pages of https://doc.opentact.org/), as rule tables for
 * the validation engine.
 *
 * Tolerances, where the docs contradict themselves (spec §7): both Gather generations
 * (current `dtmf_length`/`DTMF`, legacy `numDigits`/`Switch`/`Case`, §7.1); Callback with or
 * without `method`, any letter case, and the lowercase `<callback>URL</callback>` (§7.3);
 * `<Error say|play>` (§7.6); `<Play url>` or the URL as text (§7.7); `<Tone volume|v>` (§7.8);
 * `<Schedule>` and, with a warning, `<Scheduler>` (§7.9); `<To>`, legacy `<Sip>` and, with a
 * warning, `<Number>` in Dial (§7.12). The docs are thin (§0, §7.18), so an unknown attribute
 * is a warning; an unknown element is an error.
 *
 * The value facts and the structure — the element set, what each element holds, the rules of
 * `<Error>` blocks, Dial destinations and Gather branches — are the grammar the builders use
 * (`src/providers/opentact/grammar.ts`).
 *
 * @module
 */
import { findAttribute } from '../../validate/engine';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  ValueCheck,
  XElement,
} from '../../validate/types';
import {
  branchKeysRule,
  childrenOf,
  destinationsRule,
  errorBlocksRule,
  isDay,
  isFrequencies,
  isState,
  isTokenList,
  OPENTACT_ATTEMPTS,
  OPENTACT_CALL_FIELD,
  OPENTACT_DAYS,
  OPENTACT_DESTINATION,
  OPENTACT_DIAL_NOUNS,
  OPENTACT_DIAL_RECORD,
  OPENTACT_DIGITS,
  OPENTACT_DTMF_KEYS,
  OPENTACT_FINISH_KEYS,
  OPENTACT_LANGUAGE,
  OPENTACT_LEG,
  OPENTACT_MAX_DECIBELS,
  OPENTACT_META_NAME,
  OPENTACT_METHODS,
  OPENTACT_MILLISECONDS,
  OPENTACT_SAY_GENDER,
  OPENTACT_SAY_TYPE,
  OPENTACT_SPEC_FILE,
  OPENTACT_TIMES,
  OPENTACT_VERBS,
  OPENTACT_VOICE_CODE,
  timeRangeProblem,
  type OpentactRuleBreak,
} from './grammar';
import { checkOf } from '../../validate/grammar';
import { boolean, httpUrl, integer, nonBlank, quote } from '../../validate/values';

const FILE = OPENTACT_SPEC_FILE;
const S = {
  response: `${FILE} §2.3 Expected response`,
  general: `${FILE} §3.1 General rules`,
  reference: `${FILE} §3.2 Verb/attribute reference`,
  examples: `${FILE} §3.3 Per-element notes and verbatim-shaped examples`,
  generations: `${FILE} §7.1`,
  callback: `${FILE} §3.2 <Callback>; ${FILE} §7.3`,
  error: `${FILE} §3.2 <Error>; ${FILE} §7.6`,
  play: `${FILE} §3.2 <Play>; ${FILE} §7.7`,
  tone: `${FILE} §3.2 <Tone/>; ${FILE} §7.8`,
  schedule: `${FILE} §3.2 <Schedule>; ${FILE} §7.9`,
  dial: `${FILE} §3.2 <Dial>; ${FILE} §7.12`,
  undocumented: `${FILE} §3.1 General rules; ${FILE} §7.14`,
  gaps: `${FILE} §7 Ambiguities, contradictions, gaps`,
} as const;

const at = (element: string): string => `${FILE} §3.2 <${element}>`;

// The value facts are the builders' (src/providers/opentact/grammar.ts).
/** Every duration is in milliseconds (spec §3.1). */
const ms = checkOf(OPENTACT_MILLISECONDS);
const flag = boolean();
const times = checkOf(OPENTACT_TIMES);
const digits = checkOf(OPENTACT_DIGITS);
const leg = checkOf(OPENTACT_LEG);
const language = checkOf(OPENTACT_LANGUAGE);
const voiceCode = checkOf(OPENTACT_VOICE_CODE);
const finishKeys = checkOf(OPENTACT_FINISH_KEYS);
const dtmfKeys = checkOf(OPENTACT_DTMF_KEYS);

/** A check of a written value by a predicate of the grammar, described as `what`. */
const by =
  (valid: (value: string) => boolean, what: string): ValueCheck =>
  (value) =>
    valid(value)
      ? undefined
      : { code: 'bad-format', message: `must be ${what}, got ${quote(value)}` };

const states = by(
  (value) => isTokenList(value, isState),
  'comma-separated 2-letter state codes such as "NJ,CA", each once',
);
const dow = by(
  (value) => isTokenList(value, isDay),
  `comma-separated days of ${OPENTACT_DAYS.join(', ')}, each once`,
);
const timeRange: ValueCheck = (value) => {
  const problem = timeRangeProblem(value);
  if (problem === undefined) return undefined;
  return {
    code: 'bad-format',
    message:
      problem === 'format'
        ? `must be HH:MM:SS-HH:MM:SS with clock times from 00:00:00 to 23:59:59, got ${quote(value)}`
        : `must start before it ends (a range over midnight is undocumented: use two Schedule blocks), got ${quote(value)}`,
  };
};
const hz = by(
  isFrequencies,
  'comma-separated positive frequencies in Hz such as "420,500,440,480" (items may use the x notation: "480x2")',
);
const decibels = integer('dB (0 is the loudest)', undefined, OPENTACT_MAX_DECIBELS);

/** A duration that looks like seconds although Opentact counts milliseconds (spec §3.1). */
function milliseconds(threshold = 100): ValueCheck {
  return (value) => {
    const issue = ms(value);
    if (issue !== undefined) return issue;
    const number = Number(value.trim());
    return number > 0 && number < threshold
      ? {
          code: 'opentact.seconds-not-ms',
          message: `is ${value.trim()} milliseconds; Opentact durations are milliseconds, did you mean ${number * 1000}?`,
          severity: 'warning',
        }
      : undefined;
  };
}

const TAG: AttributeRule = { name: 'tag', spec: S.general, value: nonBlank };

/** The verbs (spec §3.1 element set), from the grammar. */
const VERBS = OPENTACT_VERBS;

/** A broken rule of structure (grammar) as a finding on the element it is about. */
function structureFinding(broken: OpentactRuleBreak, element?: XElement): Finding {
  return {
    code: broken.code,
    message: broken.document,
    spec: broken.spec,
    severity: broken.severity,
    ...(element === undefined ? {} : { element }),
  };
}

function verb(
  name: string,
  spec: string,
  rule: Omit<ElementRule, 'name' | 'spec'> = {},
): ElementRule {
  return {
    name,
    spec,
    ...rule,
    attributes: [...(rule.attributes ?? []), TAG],
    children: childrenOf(name),
  };
}

function errorBlocks(element: XElement): Finding[] {
  return errorBlocksRule(
    element.name,
    element.children.map((child) => child.name),
  ).map((broken) => structureFinding(broken, element.children[broken.index]));
}

function sayCheck(element: XElement): Finding[] {
  const text = element.text.trim() !== '';
  const attribute = findAttribute(element, 'text') !== undefined;
  if (!text && !attribute) {
    return [
      {
        code: 'missing-text',
        message: '<Say> needs its text (or the text attribute)',
        spec: at('Say'),
      },
    ];
  }
  if (text && attribute) {
    return [
      {
        code: 'duplicate',
        message: '<Say> has both a text attribute and text: give one',
        spec: at('Say'),
        severity: 'warning',
      },
    ];
  }
  return [];
}

function playCheck(element: XElement): Finding[] {
  const sources = [
    element.text.trim() !== '' ? 'the URL as text' : undefined,
    findAttribute(element, 'url') !== undefined ? 'url' : undefined,
    findAttribute(element, 'record') !== undefined ? 'record' : undefined,
  ].filter((source) => source !== undefined);
  if (sources.length === 0) {
    return [
      {
        code: 'missing-text',
        message: '<Play> needs a source: the URL as text, the url attribute, or record="<tag>"',
        spec: S.play,
      },
    ];
  }
  if (sources.length > 1) {
    return [
      {
        code: 'duplicate',
        message: `<Play> has ${sources.join(' and ')}: give one source`,
        spec: S.play,
      },
    ];
  }
  const text = element.text.trim();
  const issue = text === '' ? undefined : httpUrl(text);
  return issue === undefined
    ? []
    : [{ code: issue.code, message: `<Play> text ${issue.message}`, spec: S.play }];
}

function dialCheck(element: XElement): Finding[] {
  const nouns = element.children.filter((child) =>
    [...OPENTACT_DIAL_NOUNS, 'Number'].includes(child.name),
  );
  return [
    ...errorBlocks(element),
    ...destinationsRule(
      nouns.map((noun) => noun.text.trim()),
      (index) => `to[${index}]`,
    ).map((broken) =>
      structureFinding(broken, broken.code === 'missing-child' ? undefined : nouns[broken.index]),
    ),
  ];
}

const CURRENT_GATHER = ['dtmf_length', 'length', 'dtmf_stop', 'url'];
const LEGACY_GATHER = ['numDigits', 'attempts', 'timeout', 'finishOnKey', 'callback', 'method'];

function gatherCheck(element: XElement): Finding[] {
  const findings = errorBlocks(element);
  const current = CURRENT_GATHER.filter((name) => findAttribute(element, name) !== undefined);
  const legacy = LEGACY_GATHER.filter((name) => findAttribute(element, name) !== undefined);
  const hasSwitch = element.children.some((child) => child.name === 'Switch');
  const hasDtmf = element.children.some((child) => child.name === 'DTMF');
  if ((current.length > 0 || hasDtmf) && (legacy.length > 0 || hasSwitch)) {
    findings.push({
      code: 'opentact.gather-generations',
      message: `<Gather> mixes the current form (${[...current, ...(hasDtmf ? ['<DTMF>'] : [])].join(', ')}) with the legacy form (${[...legacy, ...(hasSwitch ? ['<Switch>'] : [])].join(', ')}); which the platform accepts today is unknown`,
      spec: S.generations,
      severity: 'warning',
    });
  }
  if (current.includes('dtmf_length') && current.includes('length')) {
    findings.push({
      code: 'duplicate',
      message: '<Gather> has both dtmf_length and length, which set the same digit count',
      spec: at('Gather'),
      severity: 'warning',
    });
  }
  findings.push(...branchesCheck(element, 'DTMF', 'value'));
  const handled =
    hasDtmf ||
    hasSwitch ||
    element.children.some((child) => child.name === 'Default') ||
    findAttribute(element, 'url') !== undefined ||
    findAttribute(element, 'callback') !== undefined;
  if (!handled) {
    findings.push({
      code: 'opentact.gather-unhandled',
      message: '<Gather> has no <DTMF>, <Default>, url or callback: the digits entered go nowhere',
      spec: at('Gather'),
      severity: 'warning',
    });
  }
  return findings;
}

/** The `<DTMF value>` or `<Case dtmf>` branches of `element`: keys not repeated (grammar rule). */
function branchesCheck(element: XElement, branch: 'DTMF' | 'Case', key: string): Finding[] {
  const branches = element.children.filter((child) => child.name === branch);
  return branchKeysRule(
    branch,
    branches.map((child) => findAttribute(child, key)?.value),
    (index) => `${branch}[${index}].${key}`,
  ).map((broken) => structureFinding(broken, branches[broken.index]));
}

function metaCheck(element: XElement): Finding[] {
  const text = element.text.trim() !== '';
  const value = findAttribute(element, 'value') !== undefined;
  if (!text && !value) {
    return [
      {
        code: 'missing-attribute',
        message: '<Meta> needs value (or a text body)',
        spec: at('Meta'),
      },
    ];
  }
  if (text && value) {
    return [
      {
        code: 'duplicate',
        message: '<Meta> has both value and a text body',
        spec: at('Meta'),
        severity: 'warning',
      },
    ];
  }
  return [];
}

function toneCheck(element: XElement): Finding[] {
  const findings = errorBlocks(element);
  if (findAttribute(element, 'volume') !== undefined && findAttribute(element, 'v') !== undefined) {
    findings.push({
      code: 'duplicate',
      message: '<Tone> has both volume and v, two spellings of the same attribute',
      spec: S.tone,
      severity: 'warning',
    });
  }
  return findings;
}

function errorCheck(element: XElement): Finding[] {
  if (findAttribute(element, 'say') !== undefined && findAttribute(element, 'play') !== undefined) {
    return [
      {
        code: 'duplicate',
        message: '<Error> has both say and play, two spellings of the same flag',
        spec: S.error,
        severity: 'warning',
      },
    ];
  }
  return [];
}

const ELEMENTS: Record<string, ElementRule> = {
  Answer: verb('Answer', at('Answer/'), {
    attributes: [{ name: 'delay', spec: at('Answer/'), value: milliseconds() }],
    check: errorBlocks,
  }),
  Say: verb('Say', at('Say'), {
    text: 'optional',
    attributes: [
      { name: 'type', spec: at('Say'), value: checkOf(OPENTACT_SAY_TYPE) },
      { name: 'gender', spec: at('Say'), value: checkOf(OPENTACT_SAY_GENDER) },
      { name: 'code', spec: at('Say'), value: voiceCode },
      { name: 'lang', spec: at('Say'), value: language },
      { name: 'loop', spec: at('Say'), value: times },
      { name: 'text', spec: at('Say'), value: nonBlank },
    ],
    check: (element) => [...sayCheck(element), ...errorBlocks(element)],
  }),
  Play: verb('Play', S.play, {
    text: 'optional',
    attributes: [
      { name: 'url', spec: S.play, value: httpUrl },
      { name: 'loop', spec: S.play, value: times },
      { name: 'leg', spec: S.play, value: leg },
      { name: 'record', spec: `${at('Play')}; ${FILE} §3.3 <Record>`, value: nonBlank },
    ],
    check: (element) => [...playCheck(element), ...errorBlocks(element)],
  }),
  Pause: verb('Pause', at('Pause/'), {
    attributes: [
      { name: 'length', spec: at('Pause/'), value: milliseconds() },
      { name: 'dtmf_stop', spec: at('Pause/'), value: dtmfKeys },
    ],
    check: errorBlocks,
  }),
  Hangup: verb('Hangup', at('Hangup/'), { check: errorBlocks }),
  Record: verb('Record', at('Record'), {
    attributes: [
      { name: 'asr', spec: at('Record'), value: flag },
      { name: 'timeout', spec: at('Record'), value: milliseconds() },
    ],
    check: errorBlocks,
  }),
  Dial: verb('Dial', S.dial, {
    attributes: [
      {
        name: 'timeout',
        spec: S.dial,
        warning: {
          code: 'undocumented',
          message: 'used by a third-party integration, undocumented (unit unknown)',
        },
      },
      {
        name: 'record',
        spec: S.dial,
        value: checkOf(OPENTACT_DIAL_RECORD),
        warning: {
          code: 'undocumented',
          message: 'used by a third-party integration, undocumented',
        },
      },
      {
        name: 'callerId',
        spec: S.dial,
        warning: { code: 'undocumented', message: 'undocumented for Opentact' },
      },
    ],
    check: dialCheck,
  }),
  To: {
    name: 'To',
    spec: S.dial,
    text: 'required',
    textValue: checkOf(OPENTACT_DESTINATION),
  },
  Sip: {
    name: 'Sip',
    spec: S.dial,
    text: 'required',
    textValue: checkOf(OPENTACT_DESTINATION),
  },
  Number: {
    name: 'Number',
    spec: S.dial,
    text: 'required',
    textValue: checkOf(OPENTACT_DESTINATION),
    warning: {
      code: 'undocumented',
      message: 'a noun of other vendors; the Opentact docs write <To> (and legacy <Sip>)',
    },
  },
  Gather: verb('Gather', at('Gather'), {
    attributes: [
      { name: 'dtmf_length', spec: at('Gather'), value: digits },
      { name: 'length', spec: at('Gather'), value: digits },
      { name: 'dtmf_stop', spec: at('Gather'), value: dtmfKeys },
      { name: 'url', spec: at('Gather'), value: httpUrl },
      { name: 'numDigits', spec: `${at('Gather')}; ${S.generations}`, value: digits },
      {
        name: 'attempts',
        spec: `${at('Gather')}; ${S.generations}`,
        value: checkOf(OPENTACT_ATTEMPTS),
      },
      { name: 'timeout', spec: `${at('Gather')}; ${S.generations}`, value: milliseconds() },
      { name: 'finishOnKey', spec: `${at('Gather')}; ${S.generations}`, value: finishKeys },
      { name: 'callback', spec: `${at('Gather')}; ${S.generations}`, value: httpUrl },
      {
        name: 'method',
        spec: `${at('Gather')}; ${S.generations}`,
        value: checkOf(OPENTACT_METHODS.gather),
      },
    ],
    check: gatherCheck,
  }),
  DTMF: {
    name: 'DTMF',
    spec: at('DTMF value="1"'),
    attributes: [{ name: 'value', spec: at('DTMF value="1"'), required: true, value: dtmfKeys }],
    children: childrenOf('DTMF'),
  },
  Switch: {
    name: 'Switch',
    spec: `${S.examples} (legacy Gather); ${S.generations}`,
    children: childrenOf('Switch'),
    check: (element) => branchesCheck(element, 'Case', 'dtmf'),
  },
  Case: {
    name: 'Case',
    spec: `${S.examples} (legacy Gather); ${S.generations}`,
    attributes: [
      { name: 'dtmf', spec: `${S.examples} (legacy Gather)`, required: true, value: dtmfKeys },
    ],
    children: childrenOf('Case'),
  },
  Default: {
    name: 'Default',
    spec: at('Default'),
    attributes: [TAG],
    children: childrenOf('Default'),
  },
  Error: {
    name: 'Error',
    spec: S.error,
    attributes: [
      TAG,
      { name: 'say', spec: S.error, value: flag },
      { name: 'play', spec: S.error, value: flag },
    ],
    check: errorCheck,
    children: childrenOf('Error'),
  },
  Callback: verb('Callback', S.callback, {
    attributes: [
      { name: 'url', spec: S.callback, required: true, value: httpUrl },
      // Marked required, but the examples omit it or write it in lower case (§7.3).
      {
        name: 'method',
        spec: S.callback,
        value: checkOf(OPENTACT_METHODS.callback),
      },
      { name: 'body', spec: S.callback, value: flag },
      { name: 'timeout', spec: S.callback, value: milliseconds() },
    ],
    check: errorBlocks,
  }),
  callback: {
    name: 'callback',
    spec: `${S.examples} <Callback>; ${FILE} §7.3`,
    text: 'required',
    textValue: httpUrl,
  },
  Call: verb('Call', at('Call'), {
    attributes: [
      {
        name: 'field',
        spec: at('Call'),
        required: true,
        value: checkOf(OPENTACT_CALL_FIELD),
      },
      { name: 'value', spec: at('Call'), required: true },
    ],
    check: errorBlocks,
  }),
  Geo: verb('Geo', at('Geo'), {
    attributes: [
      { name: 'states', spec: at('Geo'), value: states },
      { name: 'county', spec: at('Geo'), value: nonBlank },
    ],
    check: errorBlocks,
  }),
  Schedule: verb('Schedule', S.schedule, {
    attributes: [
      { name: 'dow', spec: S.schedule, value: dow },
      { name: 'time', spec: S.schedule, value: timeRange },
    ],
    check: errorBlocks,
  }),
  Scheduler: verb('Scheduler', S.schedule, {
    attributes: [
      { name: 'dow', spec: S.schedule, value: dow },
      { name: 'time', spec: S.schedule, value: timeRange },
    ],
    warning: {
      code: 'legacy',
      message: 'the title of the docs page; its example writes <Schedule>',
    },
  }),
  Hold: verb('Hold', at('Hold/'), {
    attributes: [{ name: 'timeout', spec: at('Hold/'), value: milliseconds(1000) }],
    check: errorBlocks,
  }),
  Unhold: verb('Unhold', at('Hold/'), { check: errorBlocks }),
  Tone: verb('Tone', S.tone, {
    attributes: [
      { name: 'loop', spec: S.tone, value: times },
      { name: 'volume', spec: S.tone, value: decibels },
      { name: 'v', spec: S.tone, value: decibels },
      { name: 'don', spec: S.tone, value: ms },
      { name: 'doff', spec: S.tone, value: ms },
      { name: 'hz', spec: S.tone, value: hz },
      { name: 'timeout', spec: S.tone, value: milliseconds() },
      { name: 'leg', spec: S.tone, value: leg },
    ],
    check: toneCheck,
  }),
  Meta: verb('Meta', at('Meta'), {
    text: 'optional',
    attributes: [
      { name: 'name', spec: at('Meta'), required: true, value: checkOf(OPENTACT_META_NAME) },
      { name: 'value', spec: at('Meta') },
    ],
    check: (element) => [...metaCheck(element), ...errorBlocks(element)],
  }),
  Curl: verb('Curl', `${at('Curl')}; ${FILE} §7.13`, {
    attributes: [
      { name: 'url', spec: at('Curl'), required: true, value: httpUrl },
      {
        name: 'method',
        spec: at('Curl'),
        value: checkOf(OPENTACT_METHODS.curl),
      },
      { name: 'timeout', spec: at('Curl'), value: milliseconds() },
      { name: 'body', spec: at('Curl') },
    ],
    check: errorBlocks,
  }),
  RecordStart: verb('RecordStart', S.undocumented, { unknownAttributes: 'warning' }),
  RecordStop: verb('RecordStop', S.undocumented, { unknownAttributes: 'warning' }),
  RecordWait: verb('RecordWait', S.undocumented, { unknownAttributes: 'warning' }),
  Reject: {
    name: 'Reject',
    spec: S.undocumented,
    opaque: true,
    warning: {
      code: 'undocumented',
      message: "in the older engine's element set, but undocumented; not checked",
    },
  },
  Redirect: {
    name: 'Redirect',
    spec: S.undocumented,
    opaque: true,
    warning: {
      code: 'undocumented',
      message: "in the older engine's element set, but undocumented; not checked",
    },
  },
};

/** The Opentact XML answer rules (spec `docs/providers/opentact.md` §3). */
export const OPENTACT_RULES: ProviderRules = {
  provider: 'opentact',
  specFile: FILE,
  root: { name: 'Response', spec: `${S.response}; ${S.general}` },
  rootChildren: VERBS,
  elements: ELEMENTS,
  unknownElement: { severity: 'error', spec: `${S.general} (element set)` },
  unknownAttribute: { severity: 'warning', spec: `${S.reference}; ${S.gaps}` },
  hints: {
    Number: { message: 'use <To> inside <Dial>', spec: S.dial },
  },
};
