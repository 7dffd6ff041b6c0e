/**
 * The grammar of OzML, Ozeki's answer to its HTTP API notifications, written once: the
 * commands' attributes with their value types, ranges and units, enums, the three control
 * contexts and which commands each takes, the rules of place (Reject first, one Route, BackKey
 * only nested), the structure of `<UserInput>` (what each of its elements holds, unique
 * `Input` keys, no key equal to `BackKey`, no `Input` without commands) and
 * `<Route Destination>`, and the `<UserInput>` rules (`Input` keys against `Digits`/
 * `MinDigits`/`MaxDigits`), each with its section of `docs/providers/ozeki.md` (§3.1 which
 * notification takes which commands, §4 language rules, §5 command reference, §7 ambiguities; upstream
 * https://ozekiphone.com/p_4254-reference-book-of-ozml-the-xml-language-of-ozeki.html).
 *
 * The builders (`ozml.ts`) and the validator's rule table (`src/providers/ozeki/validate.ts`) both read
 * these facts; `test/property/ozeki-agreement.property.test.ts` proves that a builder accepts
 * exactly when the validator finds no error in the document it renders. What only the
 * validator knows — the documented misspellings (`ForwardToURL`, `Dialed`, `TranferredCallId`,
 * `DelivaryReportURL`, `enteredUrl`), attribute and enum letter case (spec §4, §7.6), the
 * commands listed but undocumented (§5.17–§5.19) — stays in the validator, as warnings.
 *
 * @module
 */
import type { GrammarValue } from '../../validate/grammar';

/** The provider reference every section below is in. */
export const OZEKI_SPEC_FILE = 'docs/providers/ozeki.md';

/** The sections the grammar cites (`docs/providers/ozeki.md`). */
export const OZEKI_SPEC = {
  contexts: 'docs/providers/ozeki.md §3.1 Notification catalogue',
  envelope: 'docs/providers/ozeki.md §1.1 Command response envelope',
  rules: 'docs/providers/ozeki.md §4 OzML — language rules',
  speak: 'docs/providers/ozeki.md §5.1 Speak',
  play: 'docs/providers/ozeki.md §5.2 Play',
  delay: 'docs/providers/ozeki.md §5.3 Delay',
  hangup: 'docs/providers/ozeki.md §5.4 Hangup',
  reject: 'docs/providers/ozeki.md §5.5 Reject',
  userInput: 'docs/providers/ozeki.md §5.6 UserInput',
  goTo: 'docs/providers/ozeki.md §5.7 GoTo',
  call: 'docs/providers/ozeki.md §5.8 Call (OzML)',
  blindTransfer: 'docs/providers/ozeki.md §5.9 BlindTransfer',
  attendedTransfer: 'docs/providers/ozeki.md §5.10 AttendedTransfer',
  forward: 'docs/providers/ozeki.md §5.11 Forward (Ozeki 10: ForwardCall)',
  hold: 'docs/providers/ozeki.md §5.12 Hold / Unhold',
  record: 'docs/providers/ozeki.md §5.13 Record',
  sendDtmf: 'docs/providers/ozeki.md §5.14 SendDTMF',
  route: 'docs/providers/ozeki.md §5.15 Route',
  sendSms: 'docs/providers/ozeki.md §5.16 SendSms',
  sendEmail: 'docs/providers/ozeki.md §5.17 SendEmail',
  request: 'docs/providers/ozeki.md §5.18 Request (Ozeki 10 only)',
  undocumented: 'docs/providers/ozeki.md §5.19 Listed but not documented here',
  ambiguities: 'docs/providers/ozeki.md §7 Ambiguous, contradictory or undocumented',
  spellings: 'docs/providers/ozeki.md §7.6',
} as const;

const S = OZEKI_SPEC;

/** The three contexts an OzML answer runs in (spec §3.1, §4). */
export type OzekiControl = 'extension' | 'thirdParty' | 'routing';

// ---------------------------------------------------------------------------------------------
// Value types (spec §5)
// ---------------------------------------------------------------------------------------------

/** Whole seconds ≥ 0 (`Timeout`, `Duration`, `Inactivity`, the `<Delay>` text; spec §5). */
export const OZEKI_SECONDS: GrammarValue = { kind: 'integer', unit: 'seconds', min: 0 };
/** Whole seconds ≥ 1 (`Route RingTime`, spec §5.15). */
export const OZEKI_POSITIVE_SECONDS: GrammarValue = { kind: 'integer', unit: 'seconds', min: 1 };
/** A count of digits ≥ 1 (`Digits`, `MinDigits`, `MaxDigits`, spec §5.6). */
export const OZEKI_DIGIT_COUNT: GrammarValue = { kind: 'integer', unit: 'digits', min: 1 };
/** Who hears or gets it (`Party`, spec §5.1, §5.2, §5.14). */
export const OZEKI_PARTY: GrammarValue = { kind: 'enum', values: ['caller', 'callee', 'all'] };
/** Which party transfers (`TransferorParty`, spec §5.9, §5.10). */
export const OZEKI_TRANSFEROR_PARTY: GrammarValue = { kind: 'enum', values: ['caller', 'callee'] };
/** A recording's format (`Record Format`, spec §5.13). */
export const OZEKI_FORMAT: GrammarValue = { kind: 'enum', values: ['mp3', 'wav'] };
/** A language code such as `en-UK` (`Speak Language`, spec §5.1). */
export const OZEKI_LANGUAGE: GrammarValue = {
  kind: 'pattern',
  regex: /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/,
  what: 'a language code such as "en-UK"',
};
/** DTMF keys: one or more of `0`–`9`, `*`, `#` (spec §5.6, §5.13, §5.14). */
export const OZEKI_DTMF_KEYS: GrammarValue = {
  kind: 'pattern',
  regex: /^[0-9*#]+$/,
  what: 'DTMF keys (0-9, * and #)',
};
/** One DTMF key (`BackKey`, spec §5.6). */
export const OZEKI_DTMF_KEY: GrammarValue = {
  kind: 'pattern',
  regex: /^[0-9*#]$/,
  what: 'one DTMF key (0-9, * or #)',
};
/** An absolute http(s) URL Ozeki calls (spec §5). */
export const OZEKI_URL: GrammarValue = { kind: 'url' };
/** Non-blank text. */
export const OZEKI_TEXT: GrammarValue = { kind: 'text' };
/** `true` or `false` (spec §5.2, §5.6). */
export const OZEKI_FLAG: GrammarValue = { kind: 'boolean' };

// ---------------------------------------------------------------------------------------------
// Attributes (spec §5)
// ---------------------------------------------------------------------------------------------

/** One attribute of a command: the builder's option, the attribute as written, its type. */
export interface OzekiAttributeFact {
  /** The builder's option name, e.g. `forwardToUrl`. */
  readonly option: string;
  /** The attribute as the builders write it, e.g. `ForwardToUrl` (Ozeki ignores case, spec §4). */
  readonly name: string;
  /** Its value type. */
  readonly value: GrammarValue;
  /** Must be present. */
  readonly required?: boolean;
  /** The section documenting it. */
  readonly spec: string;
}

const a = (
  option: string,
  name: string,
  value: GrammarValue,
  spec: string,
  required?: 'required',
): OzekiAttributeFact => ({
  option,
  name,
  value,
  spec,
  ...(required === undefined ? {} : { required: true }),
});

/** One command: its section, attributes, and the main parameter carried as its text. */
export interface OzekiCommandFact {
  /** The element name, e.g. `UserInput`. */
  readonly name: string;
  /** The section documenting it. */
  readonly spec: string;
  /** Its attributes, in the order the builders write them. */
  readonly attributes: readonly OzekiAttributeFact[];
  /**
   * Its main parameter, written as the element's text by the builders: the option name, its
   * type, and the attribute that may carry it instead (spec §4: "the main parameter may be
   * the text"), if any.
   */
  readonly main?: {
    readonly option: string;
    readonly value: GrammarValue;
    readonly attribute?: string;
  };
}

const callId = (spec: string): OzekiAttributeFact => a('callId', 'CallId', OZEKI_TEXT, spec);

/** The documented commands and their attributes (spec §5.1–§5.16). */
export const OZEKI_COMMANDS: Readonly<Record<string, OzekiCommandFact>> = {
  Speak: {
    name: 'Speak',
    spec: S.speak,
    attributes: [
      a('party', 'Party', OZEKI_PARTY, S.speak),
      callId(S.speak),
      a('language', 'Language', OZEKI_LANGUAGE, S.speak),
      a('voice', 'Voice', OZEKI_TEXT, S.speak),
    ],
    main: { option: 'text', value: OZEKI_TEXT, attribute: 'Text' },
  },
  Play: {
    name: 'Play',
    spec: S.play,
    attributes: [
      a('repeat', 'Repeat', OZEKI_FLAG, S.play),
      a('party', 'Party', OZEKI_PARTY, S.play),
      callId(S.play),
      a('timeout', 'Timeout', OZEKI_SECONDS, S.play),
    ],
    main: { option: 'audioFile', value: OZEKI_TEXT, attribute: 'AudioFile' },
  },
  Delay: {
    name: 'Delay',
    spec: S.delay,
    attributes: [],
    main: { option: 'seconds', value: OZEKI_SECONDS, attribute: 'Time' },
  },
  Hangup: { name: 'Hangup', spec: S.hangup, attributes: [callId(S.hangup)] },
  Reject: { name: 'Reject', spec: S.reject, attributes: [] },
  UserInput: {
    name: 'UserInput',
    spec: S.userInput,
    attributes: [
      a('repeat', 'Repeat', OZEKI_FLAG, S.userInput),
      a('timeout', 'Timeout', OZEKI_SECONDS, S.userInput),
      a('backKey', 'BackKey', OZEKI_DTMF_KEY, S.userInput),
      a('digits', 'Digits', OZEKI_DIGIT_COUNT, S.userInput),
      a('minDigits', 'MinDigits', OZEKI_DIGIT_COUNT, S.userInput),
      a('maxDigits', 'MaxDigits', OZEKI_DIGIT_COUNT, S.userInput),
      a('forwardToUrl', 'ForwardToUrl', OZEKI_URL, `${S.userInput}; ${S.spellings}`),
      a('enteredUrl', 'EnteredUrl', OZEKI_URL, `${S.userInput}; ${S.spellings}`),
      a('executeSql', 'ExecuteSQL', OZEKI_TEXT, S.userInput),
    ],
  },
  GoTo: {
    name: 'GoTo',
    spec: S.goTo,
    attributes: [],
    main: { option: 'urlOrSql', value: OZEKI_TEXT, attribute: 'Url' },
  },
  Call: {
    name: 'Call',
    spec: S.call,
    attributes: [
      a('url', 'Url', OZEKI_URL, S.call),
      a('errorUrl', 'ErrorUrl', OZEKI_URL, S.call),
      // Mandatory in XE, optional in Ozeki 10 (spec §7.5): not required.
      a('apiExtension', 'ApiExtension', OZEKI_TEXT, S.call),
      a('callerId', 'CallerId', OZEKI_TEXT, S.call),
      a('callerDisplayName', 'CallerDisplayName', OZEKI_TEXT, S.call),
    ],
    main: { option: 'dialled', value: OZEKI_TEXT, attribute: 'Dialled' },
  },
  BlindTransfer: {
    name: 'BlindTransfer',
    spec: S.blindTransfer,
    attributes: [
      a('transferorParty', 'TransferorParty', OZEKI_TRANSFEROR_PARTY, S.blindTransfer),
      callId(S.blindTransfer),
      a('finishedUrl', 'FinishedUrl', OZEKI_URL, S.blindTransfer),
    ],
    main: { option: 'target', value: OZEKI_TEXT, attribute: 'Target' },
  },
  AttendedTransfer: {
    name: 'AttendedTransfer',
    spec: S.attendedTransfer,
    attributes: [
      a('targetCallId', 'TargetCallId', OZEKI_TEXT, S.attendedTransfer, 'required'),
      a('transferredCallId', 'TransferredCallId', OZEKI_TEXT, S.attendedTransfer),
      // In the example, not in the table (spec §7.7): accepted.
      a('transferorParty', 'TransferorParty', OZEKI_TRANSFEROR_PARTY, S.attendedTransfer),
    ],
  },
  Forward: {
    name: 'Forward',
    spec: S.forward,
    attributes: [
      a('destination', 'Destination', OZEKI_TEXT, S.forward, 'required'),
      callId(S.forward),
    ],
  },
  ForwardCall: {
    name: 'ForwardCall',
    spec: S.forward,
    attributes: [
      a('destination', 'Destination', OZEKI_TEXT, S.forward, 'required'),
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
      a('format', 'Format', OZEKI_FORMAT, S.record),
      a('finishedUrl', 'FinishedUrl', OZEKI_URL, S.record),
      a('duration', 'Duration', OZEKI_SECONDS, S.record),
      a('inactivity', 'Inactivity', OZEKI_SECONDS, S.record),
      a('finishDigits', 'FinishDigits', OZEKI_DTMF_KEYS, S.record),
      a('recordPath', 'RecordPath', OZEKI_TEXT, S.record),
    ],
  },
  SendDTMF: {
    name: 'SendDTMF',
    spec: S.sendDtmf,
    attributes: [
      a('party', 'Party', OZEKI_PARTY, S.sendDtmf, 'required'),
      a('keys', 'Keys', OZEKI_DTMF_KEYS, S.sendDtmf, 'required'),
      callId(S.sendDtmf),
    ],
  },
  Route: {
    name: 'Route',
    spec: S.route,
    // Destination (required, may be empty: that rejects the call): OZEKI_ROUTE_DESTINATION.
    attributes: [
      a('ringTime', 'RingTime', OZEKI_POSITIVE_SECONDS, S.route),
      a('callerId', 'CallerId', OZEKI_TEXT, S.route),
      a('dialedNumber', 'DialedNumber', OZEKI_TEXT, S.route),
    ],
  },
  SendSms: {
    name: 'SendSms',
    spec: S.sendSms,
    attributes: [
      a('recipient', 'Recipient', OZEKI_TEXT, S.sendSms, 'required'),
      // Mandatory in the XE table, omitted in its own example: not required.
      a('apiExtension', 'ApiExtension', OZEKI_TEXT, S.sendSms),
      a('sender', 'Sender', OZEKI_TEXT, S.sendSms),
      a('deliveryReportUrl', 'DeliveryReportURL', OZEKI_URL, S.sendSms),
    ],
    main: { option: 'message', value: OZEKI_TEXT, attribute: 'Message' },
  },
};

// ---------------------------------------------------------------------------------------------
// Rules over a command (spec §3.1, §4, §5)
// ---------------------------------------------------------------------------------------------

/**
 * A command as the rules below see it, whether built (`ozml.ts`) or read from a document
 * (`src/providers/ozeki/validate.ts`): its element name, and its attributes by the name the builders
 * write (the validator looks them up ignoring letter case and misspellings, spec §4, §7.6).
 */
export interface OzekiCommandView {
  /** The element name, e.g. `BlindTransfer`. */
  readonly name: string;
  /** The value of an attribute (by the builders' spelling), or undefined when absent. */
  attribute(name: string): string | undefined;
}

/** Where a command stands: its index in its sequence, and whether inside a `<UserInput>`. */
export interface OzekiPlace {
  /** 0-based position among the commands of its sequence. */
  readonly index: number;
  /** True inside a `<UserInput>` (`InitialCommands` or an `Input`). */
  readonly nested: boolean;
}

/** A broken rule: a stable code, a sentence, and the section it comes from. */
export interface OzekiRuleBreak {
  /** e.g. `ozeki.mixed-control`, `ozeki.reject-not-first`, `ozeki.input-key-length`. */
  readonly code: string;
  /** What is wrong, in a sentence naming the command (OzML names). */
  readonly message: string;
  /** The section of `docs/providers/ozeki.md` it breaks. */
  readonly spec: string;
}

const mixed = (message: string, spec: string): OzekiRuleBreak => ({
  code: 'ozeki.mixed-control',
  message,
  spec,
});

/** Whether a command fits a context: `true`, or a check of its attributes. */
export type OzekiFit = true | ((command: OzekiCommandView) => OzekiRuleBreak | undefined);

/** One control context: how messages name it and the commands it takes (spec §3.1, §4). */
export interface OzekiContext {
  /** e.g. `extension control (answers to IncomingCall, …)`. */
  readonly label: string;
  /** The commands it takes, each with its condition. */
  readonly commands: Readonly<Record<string, OzekiFit>>;
}

const needsParty = (command: OzekiCommandView): OzekiRuleBreak | undefined =>
  command.attribute('Party') === undefined
    ? mixed(
        `${command.name} needs party in third-party control (spec §5.1, §5.2)`,
        command.name === 'Speak' ? S.speak : S.play,
      )
    : undefined;

/** Spec §3.1, §4, §5: which commands each context takes. */
export const OZEKI_CONTEXTS: Readonly<Record<OzekiControl, OzekiContext>> = {
  extension: {
    label: 'extension control (answers to IncomingCall, CallConnected, DtmfEntered, GoTo, …)',
    commands: {
      Speak: true,
      Play: true,
      Delay: true,
      Hangup: true,
      Reject: true,
      UserInput: true,
      GoTo: true,
      Call: true,
      BlindTransfer: (command) =>
        command.attribute('TransferorParty') === undefined
          ? undefined
          : mixed(
              'BlindTransfer with transferorParty is the third-party form (spec §5.9)',
              S.blindTransfer,
            ),
      Record: true,
      SendSms: true,
    },
  },
  thirdParty: {
    label: 'third-party control (answers to CallChanged, RecordCompleted)',
    commands: {
      AttendedTransfer: true,
      BlindTransfer: (command) =>
        command.attribute('TransferorParty') === undefined
          ? mixed(
              'BlindTransfer needs transferorParty in third-party control (spec §5.9)',
              S.blindTransfer,
            )
          : undefined,
      Forward: true,
      ForwardCall: true,
      Hangup: true,
      Hold: true,
      Unhold: true,
      Play: needsParty,
      Record: (command) => {
        const extensionOnly = ['Duration', 'Inactivity', 'FinishDigits'].filter(
          (attribute) => command.attribute(attribute) !== undefined,
        );
        return extensionOnly.length === 0
          ? undefined
          : mixed(
              `Record's ${extensionOnly.join(', ')} exist only in extension control (spec §5.13)`,
              S.record,
            );
      },
      SendDTMF: true,
      Speak: needsParty,
    },
  },
  routing: {
    label: 'routing (the answer to RoutingInterception)',
    commands: { Route: true },
  },
};

/** The contexts, in the order messages list them. */
export const OZEKI_CONTROLS: readonly OzekiControl[] = ['extension', 'thirdParty', 'routing'];

/**
 * Whether `command` fits `control` (spec §3.1, §4): undefined when it does, else why not (a
 * command the context does not take at all: code `ozeki.mixed-control`, message
 * `<name> is not allowed in <label>`).
 */
export function fitOf(
  command: OzekiCommandView,
  control: OzekiControl,
): OzekiRuleBreak | undefined {
  const context = OZEKI_CONTEXTS[control];
  const fit = context.commands[command.name];
  if (fit === undefined) {
    return mixed(
      `${command.name} is not allowed in ${context.label}`,
      command.name === 'Route' ? S.route : S.contexts,
    );
  }
  return fit === true ? undefined : fit(command);
}

/**
 * The rules of place (spec §5.5, §5.6, §5.15): Reject only first and never inside a
 * UserInput; a top-level UserInput has no BackKey (it returns to an enclosing one); a routing
 * answer holds one Route. Undefined when `command` may stand at `place`.
 */
export function placeRule(
  command: OzekiCommandView,
  place: OzekiPlace,
): OzekiRuleBreak | undefined {
  switch (command.name) {
    case 'Reject':
      if (place.nested) {
        return {
          code: 'ozeki.reject-not-first',
          message: 'Reject cannot be inside a UserInput (the call is already up)',
          spec: S.reject,
        };
      }
      return place.index === 0
        ? undefined
        : {
            code: 'ozeki.reject-not-first',
            message: 'Reject is only valid as the first command (spec §5.5)',
            spec: S.reject,
          };
    case 'UserInput':
      return !place.nested && command.attribute('BackKey') !== undefined
        ? {
            code: 'ozeki.back-key',
            message:
              'a top-level UserInput cannot have backKey (it returns to an enclosing UserInput)',
            spec: S.userInput,
          }
        : undefined;
    case 'Route':
      return place.index === 0
        ? undefined
        : {
            code: 'ozeki.route-count',
            message: 'a routing answer has at most one Route (spec §5.15)',
            spec: S.route,
          };
    default:
      return undefined;
  }
}

/** The digit options of a `<UserInput>`, as whole numbers (absent: undefined). */
export interface OzekiDigitOptions {
  readonly digits?: number | undefined;
  readonly minDigits?: number | undefined;
  readonly maxDigits?: number | undefined;
}

/**
 * The digit options together (spec §5.6, §7.8): `Digits` not with `MinDigits`/`MaxDigits`
 * (their precedence is undocumented), `MinDigits` ≤ `MaxDigits`. Undefined when they fit.
 */
export function digitOptionsRule(options: OzekiDigitOptions): OzekiRuleBreak | undefined {
  const { digits, minDigits, maxDigits } = options;
  if (digits !== undefined && (minDigits !== undefined || maxDigits !== undefined)) {
    return {
      code: 'ozeki.digits',
      message:
        'digits cannot be combined with minDigits/maxDigits (their precedence is undocumented, spec §7.8)',
      spec: `${S.userInput}; ${S.ambiguities}`,
    };
  }
  if (minDigits !== undefined && maxDigits !== undefined && minDigits > maxDigits) {
    return {
      code: 'ozeki.digits',
      message: `minDigits (${minDigits}) is greater than maxDigits (${maxDigits})`,
      spec: S.userInput,
    };
  }
  return undefined;
}

/**
 * An `<Input>` key's length must be one Ozeki waits for (spec §5.6: `Digits` defaults to 1):
 * exactly `digits`; within `minDigits`/`maxDigits`; else 1. `where` names the input in the
 * message (`inputs[0]`). Undefined when it fits.
 */
export function inputKeyRule(
  key: string,
  options: OzekiDigitOptions,
  where: string,
): OzekiRuleBreak | undefined {
  const { digits, minDigits, maxDigits } = options;
  const length = key.length;
  const broken = (message: string): OzekiRuleBreak => ({
    code: 'ozeki.input-key-length',
    message: `${where}.key "${key}" has ${length} digits, ${message}`,
    spec: S.userInput,
  });
  if (digits !== undefined) {
    return length === digits ? undefined : broken(`but digits is ${digits}`);
  }
  if (minDigits !== undefined || maxDigits !== undefined) {
    if (minDigits !== undefined && length < minDigits) {
      return broken(`fewer than minDigits ${minDigits}`);
    }
    if (maxDigits !== undefined && length > maxDigits) {
      return broken(`more than maxDigits ${maxDigits}`);
    }
    return undefined;
  }
  return length === 1
    ? undefined
    : broken('but Ozeki waits for 1 digit unless digits (or minDigits/maxDigits) is set');
}

// ---------------------------------------------------------------------------------------------
// The structure of <UserInput> and <Route> (spec §5.6, §5.15)
// ---------------------------------------------------------------------------------------------

/**
 * What each element of a `<UserInput>` holds (spec §5.6): `<UserInput>` one `<InitialCommands>`
 * and one `<Inputs>` at most, in this order; `<Inputs>` its `<Input>`s; `<InitialCommands>` and
 * each `<Input>` a sequence of commands (`'commands'`), an `<Input>` at least one.
 */
export const OZEKI_STRUCTURE = {
  UserInput: ['InitialCommands', 'Inputs'],
  Inputs: ['Input'],
  InitialCommands: 'commands',
  Input: 'commands',
} as const;

/** `<Input Key>`: the DTMF keys that choose the branch, required (spec §5.6). */
export const OZEKI_INPUT_KEY: OzekiAttributeFact = a(
  'key',
  'Key',
  OZEKI_DTMF_KEYS,
  S.userInput,
  'required',
);

/**
 * `<Route Destination>` (spec §5.15): required, as an attribute (or the text); not blank, or
 * empty — `Destination=""` rejects the call (then {@link commandRules} refuses other attributes).
 */
export const OZEKI_ROUTE_DESTINATION: OzekiAttributeFact = a(
  'destination',
  'Destination',
  OZEKI_TEXT,
  S.route,
  'required',
);

/** A broken rule of structure, as the builders (option names) and the validator (elements) say it. */
export interface OzekiStructureBreak {
  /** e.g. `duplicate`, `missing-child`, `ozeki.back-key`, `missing-attribute`. */
  readonly code: string;
  /** In the builders' option names (`inputs[1].key "1" is given twice`). */
  readonly builder: string;
  /** In the document's element names (`two <Input>s have the key "1"; …`). */
  readonly document: string;
  /** The section it breaks. */
  readonly spec: string;
}

/**
 * What a `<UserInput>` holds (spec §5.6): each of {@link OZEKI_STRUCTURE}`.UserInput` at most
 * once. `children` are its child elements' names in order; one break per extra child (by its
 * index in `children`).
 */
export function userInputChildrenRule(
  children: readonly string[],
): readonly (OzekiStructureBreak & { readonly index: number })[] {
  const seen = new Set<string>();
  const found: (OzekiStructureBreak & { readonly index: number })[] = [];
  children.forEach((name, index) => {
    if (!(OZEKI_STRUCTURE.UserInput as readonly string[]).includes(name)) return;
    if (seen.has(name)) {
      found.push({
        code: 'duplicate',
        builder: `a UserInput holds one ${name === 'Inputs' ? 'inputs' : 'initialCommands'} list`,
        document: `<UserInput> holds one <${name}>`,
        spec: S.userInput,
        index,
      });
    }
    seen.add(name);
  });
  return found;
}

/**
 * The rules of one `<Input>` among its siblings (spec §5.6): its key is not one an earlier
 * input has (only the first could run), nor the UserInput's `BackKey` (which returns instead),
 * and it holds at least one command. `key` is the input's key, `earlier` the keys before it,
 * `commands` how many commands it holds (undefined: not checked), `where` how builder messages
 * name it (`inputs[0]`). Every rule broken, in this order.
 */
export function inputRules(
  key: string,
  earlier: readonly string[],
  backKey: string | undefined,
  commands: number | undefined,
  where: string,
): readonly OzekiStructureBreak[] {
  const found: OzekiStructureBreak[] = [];
  if (earlier.includes(key)) {
    found.push({
      code: 'duplicate',
      builder: `${where}.key "${key}" is given twice`,
      document: `two <Input>s have the key "${key}"; only the first can run`,
      spec: S.userInput,
    });
  }
  if (key === backKey) {
    found.push({
      code: 'ozeki.back-key',
      builder: `${where}.key "${key}" is the backKey, which returns instead`,
      document: `<Input Key="${key}"> is the BackKey, which returns instead`,
      spec: S.userInput,
    });
  }
  if (commands === 0) {
    found.push({
      code: 'missing-child',
      builder: `${where}.commands is empty: give at least one command`,
      document: `<Input key="${key}"> holds no command`,
      spec: S.userInput,
    });
  }
  return found;
}

/**
 * `<Route Destination>` must be given (spec §5.15): as the attribute (the builders write it so,
 * also when empty) or as the text. `given` whether it is. Undefined when it is.
 */
export function routeDestinationRule(given: boolean): OzekiStructureBreak | undefined {
  return given
    ? undefined
    : {
        code: 'missing-attribute',
        builder: `${OZEKI_ROUTE_DESTINATION.option} is required`,
        document:
          '<Route> needs Destination (an attribute or the text; Destination="" rejects the call)',
        spec: S.route,
      };
}

/** The builder's option name of an attribute (`CallId` → `callId`), as messages name it. */
const optionOf = (attribute: string): string =>
  `${attribute.slice(0, 1).toLowerCase()}${attribute.slice(1)}`;

/**
 * The rules between a command's attributes (spec §5.6, §5.9, §5.10, §5.15): what handles a
 * UserInput's digits; `ForwardToUrl` not with `EnteredUrl`; the extension form of BlindTransfer
 * takes no `CallId`/`FinishedUrl`; an AttendedTransfer does not transfer a call to itself; an
 * empty Route `Destination` (rejecting the call) takes no other attribute. `hasInputs`: the
 * UserInput holds at least one `<Input>`.
 */
export function commandRules(
  command: OzekiCommandView,
  hasInputs = false,
): readonly OzekiRuleBreak[] {
  const at = (name: string) => command.attribute(name);
  switch (command.name) {
    case 'UserInput': {
      const found: OzekiRuleBreak[] = [];
      if (at('ForwardToUrl') !== undefined && at('EnteredUrl') !== undefined) {
        found.push({
          code: 'duplicate',
          message: 'forwardToUrl and enteredUrl name the same URL: give only one',
          spec: `${S.userInput}; ${S.spellings}`,
        });
      }
      const handled =
        hasInputs ||
        ['ForwardToUrl', 'EnteredUrl', 'ExecuteSQL', 'BackKey'].some(
          (name) => at(name) !== undefined,
        );
      if (!handled) {
        found.push({
          code: 'ozeki.input-unhandled',
          message:
            'nothing handles the digits entered: give inputs, forwardToUrl, enteredUrl, executeSql or backKey',
          spec: S.userInput,
        });
      }
      return found;
    }
    case 'BlindTransfer': {
      if (at('TransferorParty') !== undefined) return [];
      return ['CallId', 'FinishedUrl']
        .filter((name) => at(name) !== undefined)
        .map((name) => ({
          code: 'ozeki.blind-transfer-form',
          message: `${optionOf(name)} exists only in third-party control, which needs transferorParty`,
          spec: S.blindTransfer,
        }));
    }
    case 'AttendedTransfer':
      return at('TransferredCallId') !== undefined && at('TransferredCallId') === at('TargetCallId')
        ? [
            {
              code: 'ozeki.same-call',
              message: 'transferredCallId and targetCallId are the same call',
              spec: S.attendedTransfer,
            },
          ]
        : [];
    case 'Route': {
      if (at('Destination') !== '') return [];
      const extra = ['RingTime', 'CallerId', 'DialedNumber'].filter(
        (name) => at(name) !== undefined,
      );
      return extra.length === 0
        ? []
        : [
            {
              code: 'ozeki.route-reject',
              message: `an empty destination rejects the call, so ${extra.map(optionOf).join(', ')} would be ignored`,
              spec: S.route,
            },
          ];
    }
    default:
      return [];
  }
}
