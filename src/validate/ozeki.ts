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
 * An OzML answer runs in one of three contexts (spec §3.1, §4): extension control,
 * third-party control, or routing (the answer to RoutingInterception). Without
 * `ozekiControl` the context is inferred, and the commands must all fit one.
 *
 * @module
 */
import { findAttribute } from './engine';
import type {
  AttributeRule,
  ElementRule,
  Finding,
  ProviderRules,
  ValidateOptions,
  XElement,
} from './types';
import { boolean, dtmfKey, dtmfKeys, integer, nonBlank, oneOf } from './values';

const FILE = 'docs/providers/ozeki.md';
const S = {
  contexts: `${FILE} §3.1 Notification catalogue`,
  envelope: `${FILE} §1.1 Command response envelope`,
  rules: `${FILE} §4 OzML — language rules`,
  speak: `${FILE} §5.1 Speak`,
  play: `${FILE} §5.2 Play`,
  delay: `${FILE} §5.3 Delay`,
  hangup: `${FILE} §5.4 Hangup`,
  reject: `${FILE} §5.5 Reject`,
  userInput: `${FILE} §5.6 UserInput`,
  goTo: `${FILE} §5.7 GoTo`,
  call: `${FILE} §5.8 Call (OzML)`,
  blindTransfer: `${FILE} §5.9 BlindTransfer`,
  attendedTransfer: `${FILE} §5.10 AttendedTransfer`,
  forward: `${FILE} §5.11 Forward (Ozeki 10: ForwardCall)`,
  hold: `${FILE} §5.12 Hold / Unhold`,
  record: `${FILE} §5.13 Record`,
  sendDtmf: `${FILE} §5.14 SendDTMF`,
  route: `${FILE} §5.15 Route`,
  sendSms: `${FILE} §5.16 SendSms`,
  sendEmail: `${FILE} §5.17 SendEmail`,
  request: `${FILE} §5.18 Request (Ozeki 10 only)`,
  undocumented: `${FILE} §5.19 Listed but not documented here`,
  ambiguities: `${FILE} §7 Ambiguous, contradictory or undocumented`,
} as const;

type Control = 'extension' | 'thirdParty' | 'routing';
const CONTROL_LABEL: Record<Control, string> = {
  extension: 'extension control (answers to IncomingCall, CallConnected, DtmfEntered, GoTo, …)',
  thirdParty: 'third-party control (answers to CallChanged, RecordCompleted)',
  routing: 'routing (the answer to RoutingInterception)',
};

const flag = boolean({ ignoreCase: true });
const seconds = integer('seconds', 0);
const party = oneOf(['caller', 'callee', 'all'], { ignoreCase: true });
const transferorParty = oneOf(['caller', 'callee'], { ignoreCase: true });

const callId = (spec: string): AttributeRule => ({ name: 'CallId', spec, value: nonBlank });

/** The commands (spec §4 command index, §5). */
const DOCUMENTED_COMMANDS = [
  'Speak',
  'Play',
  'Delay',
  'Hangup',
  'Reject',
  'UserInput',
  'GoTo',
  'Call',
  'BlindTransfer',
  'AttendedTransfer',
  'Forward',
  'ForwardCall',
  'Hold',
  'Unhold',
  'Record',
  'SendDTMF',
  'Route',
  'SendSms',
];

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

const ELEMENTS: Record<string, ElementRule> = {
  Speak: {
    name: 'Speak',
    spec: S.speak,
    text: 'textOrAttribute',
    mainAttributes: ['Text'],
    attributes: [
      { name: 'Text', spec: S.speak, value: nonBlank },
      { name: 'Party', spec: S.speak, value: party },
      callId(S.speak),
      { name: 'Language', spec: S.speak, value: nonBlank },
      { name: 'Voice', spec: S.speak, value: nonBlank },
    ],
  },
  Play: {
    name: 'Play',
    spec: S.play,
    text: 'textOrAttribute',
    mainAttributes: ['AudioFile'],
    attributes: [
      { name: 'AudioFile', spec: S.play, value: nonBlank },
      { name: 'Repeat', spec: S.play, value: flag },
      { name: 'Party', spec: S.play, value: party },
      callId(S.play),
      { name: 'Timeout', spec: S.play, value: seconds },
    ],
  },
  Delay: {
    name: 'Delay',
    spec: S.delay,
    text: 'textOrAttribute',
    mainAttributes: ['Time'],
    textValue: seconds,
    attributes: [{ name: 'Time', spec: S.delay, value: seconds }],
  },
  Hangup: { name: 'Hangup', spec: S.hangup, attributes: [callId(S.hangup)] },
  Reject: { name: 'Reject', spec: S.reject },
  UserInput: {
    name: 'UserInput',
    spec: S.userInput,
    attributes: [
      { name: 'Repeat', spec: S.userInput, value: flag },
      { name: 'Timeout', spec: S.userInput, value: seconds },
      { name: 'BackKey', spec: S.userInput, value: dtmfKey },
      { name: 'Digits', spec: S.userInput, value: integer('digits', 1) },
      { name: 'MinDigits', spec: S.userInput, value: integer('digits', 1) },
      { name: 'MaxDigits', spec: S.userInput, value: integer('digits', 1) },
      { name: 'ForwardToUrl', spec: `${S.userInput}; ${FILE} §7.6`, value: nonBlank },
      {
        name: 'enteredUrl',
        spec: `${S.userInput}; ${FILE} §7.6`,
        value: nonBlank,
        warning: {
          code: 'undocumented',
          message:
            "enteredUrl is the spelling of Ozeki's own IVR sample, absent from every parameter table (which write ForwardToUrl)",
        },
      },
      { name: 'ExecuteSQL', spec: S.userInput, value: nonBlank },
    ],
    children: ['InitialCommands', 'Inputs'],
    check: userInputCheck,
  },
  InitialCommands: { name: 'InitialCommands', spec: S.userInput, children: COMMANDS },
  Inputs: { name: 'Inputs', spec: S.userInput, children: ['Input'], check: inputsCheck },
  Input: {
    name: 'Input',
    spec: S.userInput,
    attributes: [{ name: 'Key', spec: S.userInput, required: true, value: dtmfKeys }],
    children: COMMANDS,
  },
  GoTo: {
    name: 'GoTo',
    spec: S.goTo,
    text: 'textOrAttribute',
    mainAttributes: ['Url'],
    attributes: [{ name: 'Url', spec: S.goTo, value: nonBlank }],
  },
  Call: {
    name: 'Call',
    spec: S.call,
    text: 'textOrAttribute',
    mainAttributes: ['Dialled', 'Dialed'],
    attributes: [
      { name: 'Dialled', spec: S.call, value: nonBlank },
      { name: 'Dialed', spec: `${S.call}; ${FILE} §7.6`, value: nonBlank },
      // Mandatory in XE, optional in Ozeki 10 (spec §7.5): not required here.
      { name: 'ApiExtension', spec: `${S.call}; ${FILE} §7.5`, value: nonBlank },
      { name: 'CallerId', spec: S.call, value: nonBlank },
      { name: 'CallerDisplayName', spec: S.call, value: nonBlank },
      { name: 'Url', spec: `${S.call}; ${FILE} §7.5`, value: nonBlank },
      { name: 'ErrorUrl', spec: S.call, value: nonBlank },
    ],
  },
  BlindTransfer: {
    name: 'BlindTransfer',
    spec: S.blindTransfer,
    text: 'textOrAttribute',
    mainAttributes: ['Target'],
    attributes: [
      { name: 'Target', spec: S.blindTransfer, value: nonBlank },
      { name: 'TransferorParty', spec: S.blindTransfer, value: transferorParty },
      callId(S.blindTransfer),
      { name: 'FinishedUrl', spec: S.blindTransfer, value: nonBlank },
    ],
  },
  AttendedTransfer: {
    name: 'AttendedTransfer',
    spec: S.attendedTransfer,
    attributes: [
      { name: 'TargetCallId', spec: S.attendedTransfer, required: true, value: nonBlank },
      { name: 'TransferredCallId', spec: S.attendedTransfer, value: nonBlank },
      { name: 'TranferredCallId', spec: `${S.attendedTransfer}; ${FILE} §7.6`, value: nonBlank },
      // In the example, not in the table (spec §7.7): accepted.
      {
        name: 'TransferorParty',
        spec: `${S.attendedTransfer}; ${FILE} §7.7`,
        value: transferorParty,
      },
    ],
  },
  Forward: {
    name: 'Forward',
    spec: S.forward,
    attributes: [
      { name: 'Destination', spec: S.forward, required: true, value: nonBlank },
      callId(S.forward),
    ],
  },
  ForwardCall: {
    name: 'ForwardCall',
    spec: S.forward,
    attributes: [
      { name: 'Destination', spec: S.forward, required: true, value: nonBlank },
      callId(S.forward),
    ],
  },
  Hold: { name: 'Hold', spec: S.hold, attributes: [callId(S.hold)] },
  Unhold: { name: 'Unhold', spec: S.hold, attributes: [callId(S.hold)] },
  Record: {
    name: 'Record',
    spec: S.record,
    attributes: [
      callId(S.record),
      { name: 'Format', spec: S.record, value: oneOf(['mp3', 'wav'], { ignoreCase: true }) },
      { name: 'FinishedUrl', spec: S.record, value: nonBlank },
      { name: 'Duration', spec: S.record, value: seconds },
      { name: 'Inactivity', spec: S.record, value: seconds },
      { name: 'FinishDigits', spec: S.record, value: dtmfKeys },
      { name: 'RecordPath', spec: S.record, value: nonBlank },
    ],
  },
  SendDTMF: {
    name: 'SendDTMF',
    spec: S.sendDtmf,
    attributes: [
      callId(S.sendDtmf),
      { name: 'Party', spec: S.sendDtmf, required: true, value: party },
      { name: 'Keys', spec: S.sendDtmf, required: true, value: dtmfKeys },
    ],
  },
  Route: {
    name: 'Route',
    spec: S.route,
    // Destination may be empty: that rejects the call (spec §5.15).
    text: 'optional',
    attributes: [
      { name: 'Destination', spec: S.route },
      { name: 'RingTime', spec: S.route, value: integer('seconds', 1) },
      { name: 'CallerId', spec: S.route, value: nonBlank },
      { name: 'DialedNumber', spec: S.route, value: nonBlank },
    ],
    check: (element) =>
      findAttribute(element, 'Destination', true) === undefined && element.text.trim() === ''
        ? [
            {
              code: 'missing-attribute',
              message:
                '<Route> needs Destination (an attribute or the text; Destination="" rejects the call)',
              spec: S.route,
            },
          ]
        : [],
  },
  SendSms: {
    name: 'SendSms',
    spec: S.sendSms,
    text: 'textOrAttribute',
    mainAttributes: ['Message'],
    attributes: [
      { name: 'Message', spec: S.sendSms, value: nonBlank },
      { name: 'Recipient', spec: S.sendSms, required: true, value: nonBlank },
      // Mandatory in the XE table, omitted in its own example: not required here.
      { name: 'ApiExtension', spec: S.sendSms, value: nonBlank },
      { name: 'Sender', spec: S.sendSms, value: nonBlank },
      { name: 'DeliveryReportURL', spec: S.sendSms, value: nonBlank },
      { name: 'DelivaryReportURL', spec: `${S.sendSms}; ${FILE} §7.6`, value: nonBlank },
    ],
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

function attr(element: XElement, name: string): string | undefined {
  return findAttribute(element, name, true)?.value;
}

function userInputCheck(element: XElement): Finding[] {
  const findings: Finding[] = [];
  for (const name of ['InitialCommands', 'Inputs']) {
    const list = element.children.filter((child) => child.name === name);
    for (const extra of list.slice(1)) {
      findings.push({
        code: 'duplicate',
        message: `<UserInput> holds one <${name}>`,
        spec: S.userInput,
        element: extra,
      });
    }
  }
  if (attr(element, 'ForwardToUrl') !== undefined && attr(element, 'enteredUrl') !== undefined) {
    findings.push({
      code: 'duplicate',
      message: 'ForwardToUrl and enteredUrl name the same URL: give one',
      spec: `${S.userInput}; ${FILE} §7.6`,
    });
  }
  const handled =
    element.children.some((child) => child.name === 'Inputs' && child.children.length > 0) ||
    ['ForwardToUrl', 'enteredUrl', 'ExecuteSQL', 'BackKey'].some(
      (name) => attr(element, name) !== undefined,
    );
  if (!handled) {
    findings.push({
      code: 'ozeki.input-unhandled',
      message:
        '<UserInput> has no <Input>, ForwardToUrl, ExecuteSQL or BackKey: the digits entered go nowhere',
      spec: S.userInput,
      severity: 'warning',
    });
  }
  const nested = element.parent?.name === 'Input';
  if (!nested && attr(element, 'BackKey') !== undefined) {
    findings.push({
      code: 'ozeki.back-key',
      message: 'BackKey returns to an enclosing UserInput, and this one is not nested in one',
      spec: S.userInput,
      severity: 'warning',
      attribute: findAttribute(element, 'BackKey', true)?.name ?? 'BackKey',
    });
  }
  return findings;
}

function inputsCheck(element: XElement): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const input of element.children) {
    const key = attr(input, 'Key');
    if (key === undefined) continue;
    if (seen.has(key)) {
      findings.push({
        code: 'duplicate',
        message: `two <Input>s have the key "${key}"; only the first can run`,
        spec: S.userInput,
        element: input,
      });
    }
    seen.add(key);
    if (input.children.length === 0) {
      findings.push({
        code: 'missing-child',
        message: `<Input key="${key}"> holds no command`,
        spec: S.userInput,
        severity: 'warning',
        element: input,
      });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Control contexts (spec §3.1, §4)
// ---------------------------------------------------------------------------------------------

/** For each context: undefined when `element` may be there, else why not (with the section). */
function contextsOf(element: XElement): Record<Control, { why: string; spec: string } | undefined> {
  const name = element.name;
  const only = (control: Control, spec: string) => {
    const result: Record<Control, { why: string; spec: string } | undefined> = {
      extension: { why: `<${name}> is not an extension-control command`, spec },
      thirdParty: { why: `<${name}> is not a third-party command`, spec },
      routing: { why: 'a routing answer holds only <Route>', spec: S.route },
    };
    result[control] = undefined;
    return result;
  };
  switch (name) {
    case 'Route':
      return only('routing', S.route);
    case 'Delay':
    case 'Reject':
    case 'UserInput':
    case 'GoTo':
    case 'Call':
    case 'SendSms':
      return only('extension', S.contexts);
    case 'AttendedTransfer':
    case 'Forward':
    case 'ForwardCall':
    case 'Hold':
    case 'Unhold':
    case 'SendDTMF':
      return only('thirdParty', S.contexts);
    case 'Speak':
    case 'Play': {
      const result = only('extension', S.contexts);
      result.thirdParty =
        attr(element, 'Party') === undefined
          ? {
              why: `<${name}> needs Party in third-party control`,
              spec: name === 'Speak' ? S.speak : S.play,
            }
          : undefined;
      return result;
    }
    case 'Hangup': {
      const result = only('extension', S.contexts);
      result.thirdParty = undefined;
      return result;
    }
    case 'BlindTransfer':
      return attr(element, 'TransferorParty') === undefined
        ? {
            ...only('extension', S.blindTransfer),
            thirdParty: {
              why: '<BlindTransfer> needs TransferorParty in third-party control',
              spec: S.blindTransfer,
            },
          }
        : {
            ...only('thirdParty', S.blindTransfer),
            extension: {
              why: '<BlindTransfer TransferorParty> is the third-party form',
              spec: S.blindTransfer,
            },
          };
    case 'Record': {
      const result = only('extension', S.contexts);
      const extensionOnly = ['Duration', 'Inactivity', 'FinishDigits'].filter(
        (attribute) => attr(element, attribute) !== undefined,
      );
      result.thirdParty =
        extensionOnly.length === 0
          ? undefined
          : {
              why: `<Record> ${extensionOnly.join(', ')} exist only in extension control`,
              spec: S.record,
            };
      return result;
    }
    default:
      // Undocumented or unknown commands: reported elsewhere; no constraint here.
      return { extension: undefined, thirdParty: undefined, routing: undefined };
  }
}

const CONTROLS: readonly Control[] = ['extension', 'thirdParty', 'routing'];

function documentRules(root: XElement, options: ValidateOptions): Finding[] {
  const findings: Finding[] = [];
  const commands = root.children.filter((child) => COMMANDS.includes(child.name));
  let candidates: Control[] =
    options.ozekiControl === undefined ? [...CONTROLS] : [options.ozekiControl];
  for (const element of commands) {
    const contexts = contextsOf(element);
    const next = candidates.filter((control) => contexts[control] === undefined);
    if (next.length > 0) {
      candidates = next;
      continue;
    }
    const reason = contexts[candidates[0] ?? 'extension'];
    const label = candidates.map((control) => CONTROL_LABEL[control]).join(' or ');
    findings.push({
      code: 'ozeki.mixed-control',
      message: `${reason?.why ?? `<${element.name}> does not fit`}; the answer ${
        options.ozekiControl === undefined ? 'so far fits only' : 'is for'
      } ${label}`,
      spec: `${reason?.spec ?? S.contexts}; ${S.rules}`,
      element,
    });
  }
  // Reject: only as the first command, never nested (spec §5.5).
  commands.forEach((element, index) => {
    if (element.name === 'Reject' && index > 0) {
      findings.push({
        code: 'ozeki.reject-not-first',
        message: '<Reject> is only valid as the first command (the call is already picked up)',
        spec: S.reject,
        element,
      });
    }
  });
  for (const nested of descendants(root).filter(
    (element) => element.name === 'Reject' && element.parent !== root,
  )) {
    findings.push({
      code: 'ozeki.reject-not-first',
      message: '<Reject> cannot be inside a UserInput (the call is already up)',
      spec: S.reject,
      element: nested,
    });
  }
  // Route: one per routing answer (spec §5.15).
  for (const extra of commands.filter((element) => element.name === 'Route').slice(1)) {
    findings.push({
      code: 'ozeki.route-count',
      message: 'a routing answer holds one <Route>',
      spec: S.route,
      element: extra,
    });
  }
  // Commands nested in a UserInput are extension commands (spec §5.6).
  for (const element of descendants(root).filter(
    (element) => element.parent !== root && COMMANDS.includes(element.name),
  )) {
    const why = contextsOf(element).extension;
    if (why !== undefined) {
      findings.push({
        code: 'ozeki.mixed-control',
        message: `${why.why}; commands inside a UserInput run in extension control`,
        spec: `${why.spec}; ${S.userInput}`,
        element,
      });
    }
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
