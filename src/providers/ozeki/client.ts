/**
 * Ozeki Phone System HTTP API client: outbound commands (`Call`, `ForwardCall`, `Hold`,
 * `Unhold`, `Hangup`, `SendSms`, `ListActiveCalls`, any other by name) and their XML answer.
 *
 * Spec: `docs/providers/ozeki.md` §1 (transport: GET with the parameters in the query or POST with them
 * form-encoded, `Username`/`Password` as parameters), §1.1 (the `<Response><Code><Message>`
 * envelope), §1.2 (status codes), §2 (`Call`), §3.3 (`ListActiveCalls`), §5.11/§5.12/§5.16
 * (`ForwardCall`/`Forward`, `Hold`/`Unhold`, `SendSms` parameters), §6 F1–F3 (wire examples).
 *
 * Both generations are addressed through `baseUrl`: Ozeki 10 `http://127.0.0.1:9509/api` and
 * Ozeki Phone System XE `http://127.0.0.1:7780/`. A command goes to
 * `<baseUrl>?command=<Name>&<Param>=…` (GET) or to `baseUrl` with `command=<Name>&<Param>=…` as
 * an `application/x-www-form-urlencoded` body (POST). Parameter names are sent exactly as Ozeki
 * spells them (`Dialed`, `ApiExtension`, `DeliveryReportURL`…); options are their camelCase
 * forms. Times are in **seconds**, as Ozeki counts (`ringTime`, call durations), except
 * `timeoutMs`, the client's own limit in **milliseconds**.
 *
 * Ozeki answers every command with HTTP 200 and puts its own status into `<Code>` (spec §1):
 * 200 resolves, every other code rejects with an {@link OzekiCommandError}
 * (`CC_ERR_UPSTREAM_REFUSED`). Transport failures reject with `CC_ERR_UPSTREAM_UNREACHABLE`
 * or `CC_ERR_UPSTREAM_TIMEOUT`; anything that is not the documented envelope with
 * `CC_ERR_UPSTREAM_INVALID`. The password never appears in an error: it is not put into any
 * message, and text the PBX sends back (a `ParseError` may quote the whole request) has it
 * replaced by `***`.
 *
 * @example
 * ```ts
 * const ozeki = createOzekiClient({
 *   baseUrl: 'http://127.0.0.1:9509/api',
 *   username: 'admin',
 *   password: process.env.OZEKI_PASSWORD,
 * });
 * await ozeki.call({ dialed: '102', apiExtension: '101', url: 'https://app.example/connected' });
 * const { calls } = await ozeki.listActiveCalls();
 * ```
 *
 * @module
 */
import type { OzekiCallState } from './events';
import type { Document as XmlDomDocument, Element as XmlDomElement } from '@xmldom/xmldom';
import { BoundedReadError, readResponseBody } from '../../core/bounded-read';
import { upstreamFailure } from '../../core/upstream';
import { xmldom } from '../../core/xmldom';
import { CallControlError } from '../../core/errors';
import { renderXml, type XmlElement } from '../../core/xml';

// ---------------------------------------------------------------------------------------------
// Status codes (spec §1.2)
// ---------------------------------------------------------------------------------------------

/**
 * Every documented `<Code>` of the HTTP API with its name and message template (spec §1.2,
 * http://ozekiphone.com/p_4235-status-codes-of-ozeki-phone-system-pbx-http-api.html).
 *
 * Templates are verbatim, typo ("occured") included; `{0}`, `{1}` are filled in by the PBX
 * (see {@link formatOzekiStatusMessage}). The documentation labels 304, 305 and 306
 * "Authentication required", "Authentication failed" and "Forbidden User"; their names here are
 * written as identifiers like every other name (`AuthenticationRequired`…).
 */
export const OZEKI_STATUS_CODES = {
  200: { name: 'OK', message: 'Command successfully executed' },
  300: { name: 'ParseError', message: "Error occured during parsing message: '{0}'" },
  301: { name: 'NotImplementedCommand', message: "Not implemented command: '{0}'" },
  302: {
    name: 'InvalidParameter',
    message: "Missing or invalid parameter '{0}' for command '{1}'",
  },
  303: { name: 'InappropriateCommand', message: "Command '{0}' cannot be used here" },
  304: { name: 'AuthenticationRequired', message: 'Authentication required' },
  305: {
    name: 'AuthenticationFailed',
    message: 'Authentication failed, bad username or password',
  },
  306: { name: 'ForbiddenUser', message: 'User is not allowed to use API in ACL' },
  307: { name: 'ForbiddenAddress', message: 'Use API from this address is forbidden' },
  401: {
    name: 'ApiExtensionUnavailable',
    message: "API extension '{0}' unavailable, please check configuration or permissions",
  },
  402: {
    name: 'CallConnectFailed',
    message: "Call connect to '{0}' failed with result state '{1}'",
  },
  501: { name: 'SmsDestinationNotFound', message: 'Destination of the SMS is not found' },
  601: { name: 'CallNotFound', message: "Call not found with ID '{0}'" },
  701: { name: 'ConfigNotFound', message: "Configuration for type '{0}' not found" },
  702: { name: 'InvalidConfig', message: "Invalid configuration for type '{0}'" },
  703: { name: 'ConfigAlreadyExists', message: 'Extension configuration already exists' },
} as const satisfies Record<number, { readonly name: string; readonly message: string }>;

/** A documented Ozeki HTTP API status code, e.g. `601`. */
export type OzekiStatusCode = keyof typeof OZEKI_STATUS_CODES;

/** The name of a documented status code, e.g. `'CallNotFound'` for 601. */
export type OzekiStatusName = (typeof OZEKI_STATUS_CODES)[OzekiStatusCode]['name'];

/** Whether `code` is one of the documented status codes of {@link OZEKI_STATUS_CODES}. */
export function isOzekiStatusCode(code: number): code is OzekiStatusCode {
  return Object.prototype.hasOwnProperty.call(OZEKI_STATUS_CODES, code);
}

/**
 * A status code's message with its placeholders filled in, as the PBX writes it:
 * `formatOzekiStatusMessage(601, 'g67th7')` → `"Call not found with ID 'g67th7'"`.
 * Placeholders without an argument are left as they are.
 */
export function formatOzekiStatusMessage(
  code: OzekiStatusCode,
  ...args: readonly string[]
): string {
  return OZEKI_STATUS_CODES[code].message.replace(/\{(\d+)\}/g, (placeholder, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? placeholder : value;
  });
}

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/**
 * One `<CallInfo>` of a `ListActiveCalls` answer (spec §3.3). Only `callId` and `callState`
 * are required when parsing; the others are set when the PBX sends them (an empty element is
 * an empty string).
 */
export interface OzekiCallInfo {
  /** `<CallState>`, e.g. `'InCall'`; values as for `CallChanged` (spec §3.2, §3.3). */
  readonly callState: OzekiCallState;
  /** `<CallId>`, e.g. `'uteom'`: the id third-party commands (`Hold`, `Hangup`…) take. */
  readonly callId: string;
  /** `<Source>`: the calling extension or number, e.g. `'1000'`. */
  readonly source?: string;
  /** `<CallerId>`: the caller as displayed, e.g. `'John Smith'`. */
  readonly callerId?: string;
  /** `<Destination>`: the called extension or number, e.g. `'1001'`. */
  readonly destination?: string;
  /** `<StartTime>` as sent (ISO 8601 with offset, e.g. `'2013-07-01T10:49:07.9558+02:00'`). */
  readonly startTime?: string;
  /** `<RingDuration>`: ringing time in **seconds**. */
  readonly ringDuration?: number;
  /** `<TalkDuration>`: talk time in **seconds**. */
  readonly talkDuration?: number;
}

/** The parsed `<Response>` envelope of a command answer (spec §1.1), see {@link parseOzekiApiResponse}. */
export interface OzekiApiResponse {
  /** `<Code>`: 200 on success, otherwise a status code of {@link OZEKI_STATUS_CODES} (or not). */
  readonly code: number;
  /** `<Message>`, trimmed; `''` when the PBX sent none. */
  readonly message: string;
  /** `<SmsId>` (a `SendSms` answer), when present. */
  readonly smsId?: string;
  /** The `<CallInfo>`s of `<ActiveCalls>` (a `ListActiveCalls` answer), when present. */
  readonly calls?: readonly OzekiCallInfo[];
  /**
   * The text of every other child of `<Response>` that has no child elements, by element name
   * (e.g. `SmsId`, or `NotificationName` which Ozeki 10 lists among response parameters, §7.10).
   */
  readonly fields: Readonly<Record<string, string>>;
}

/** What every successful command resolves with. */
export interface OzekiCommandResult extends OzekiApiResponse {
  /** Always 200: any other code rejects with {@link OzekiCommandError}. */
  readonly code: 200;
  /** The XML document exactly as the PBX sent it (decoded as UTF-8). */
  readonly raw: string;
}

/** What `sendSms` resolves with: `smsId` is Ozeki 10's `<SmsId>` (XE documents none). */
export type OzekiSendSmsResult = OzekiCommandResult;

/** What `listActiveCalls` resolves with: `calls` is `[]` when no call is active. */
export interface OzekiListActiveCallsResult extends OzekiCommandResult {
  readonly calls: readonly OzekiCallInfo[];
}

/** A number or extension as a parameter value: text such as `'+3612345'`, or a whole number. */
export type OzekiNumber = string | number;

/** Something that renders OzML, e.g. an OzML answer object (`toXml()`, headless or not). */
export interface OzmlRenderable {
  /** The whole XML document, e.g. an answer built with the provider's builders. */
  toXml(): string;
}

/** Options of {@link createOzekiClient}. */
export interface OzekiClientOptions {
  /**
   * Where commands go: Ozeki 10 `http://127.0.0.1:9509/api`, XE `http://127.0.0.1:7780/`.
   * http or https, without credentials and without `#fragment`; may have a query of its own
   * (the command parameters are then appended with `&`).
   */
  readonly baseUrl: string;
  /** `Username` sent with every command (office-user authentication, §1). Needs `password`. */
  readonly username?: string | undefined;
  /** `Password` sent with every command. Needs `username`. Never shown in errors. */
  readonly password?: string | undefined;
  /** Limit for the whole exchange (connect, answer, body) in **milliseconds**. Default 10000. */
  readonly timeoutMs?: number | undefined;
  /** `'GET'` (parameters in the query; default) or `'POST'` (form-encoded body), spec §1. */
  readonly method?: 'GET' | 'POST' | undefined;
}

/** Options of {@link OzekiClient.call}: the HTTP API `Call` command (spec §2). */
export interface OzekiCallOptions {
  /** `Dialed`: the number to call, e.g. `'102'`. Required. */
  readonly dialed: OzekiNumber;
  /** `ApiExtension`: the API extension that calls, e.g. `'101'` (XE requires it, Ozeki 10 not). */
  readonly apiExtension?: OzekiNumber | undefined;
  /** `CallerId`: the number the callee sees. Ozeki's default: the API extension. */
  readonly callerId?: OzekiNumber | undefined;
  /** `CallerDisplayName`: the name the callee sees, e.g. `'John Smith'`. */
  readonly callerDisplayName?: string | undefined;
  /**
   * `Url`: where the PBX sends `CallConnected` once the callee picks up and fetches the OzML
   * for the call (http/https). `url` or `responseOzml` is required: without either the PBX
   * hangs up (spec §2).
   */
  readonly url?: string | undefined;
  /**
   * `ResponseOzML` (Ozeki 10): OzML run when the call connects, instead of fetching `url`.
   * A string, or an object whose `toXml()` renders it.
   */
  readonly responseOzml?: string | OzmlRenderable | undefined;
  /** `ErrorUrl`: requested when an error occurs during the call (http/https). */
  readonly errorUrl?: string | undefined;
  /** `FinishedUrl` (Ozeki 10): requested when the call has completed (http/https). */
  readonly finishedUrl?: string | undefined;
  /** `RingTime` (Ozeki 10): how long the callee rings, in **seconds** (a positive integer). */
  readonly ringTime?: number | undefined;
}

/** Options of {@link OzekiClient.forwardCall} (spec §5.11). */
export interface OzekiForwardCallOptions {
  /** `CallId` of the ringing call, e.g. `'Nt3uh'`. */
  readonly callId: string;
  /** `Destination`: the extension or number to forward to, e.g. `'104'`. */
  readonly destination: OzekiNumber;
  /** The command name: Ozeki 10's `'ForwardCall'` (default) or XE's `'Forward'`. */
  readonly commandName?: 'ForwardCall' | 'Forward' | undefined;
}

/** Options of the commands that only take a call (`Hold`, `Unhold`, `Hangup`; spec §5.4, §5.12). */
export interface OzekiCallIdOptions {
  /** `CallId`, e.g. `'Nt3uh'` (from `CallChanged` or {@link OzekiClient.listActiveCalls}). */
  readonly callId: string;
}

/** Options of {@link OzekiClient.sendSms} (spec §5.16). */
export interface OzekiSendSmsOptions {
  /** `ApiExtension` that sends the SMS (XE requires it). */
  readonly apiExtension?: OzekiNumber | undefined;
  /** `Sender`: the number shown as sender. Ozeki's default: the modem's number. */
  readonly sender?: OzekiNumber | undefined;
  /** `Recipient`, e.g. `'+36201234567'`. Required. */
  readonly recipient: OzekiNumber;
  /** `Message`: the text. Required, not empty. */
  readonly message: string;
  /** `DeliveryReportURL`: where `SMSDeliveryReport` is sent (http/https). */
  readonly deliveryReportUrl?: string | undefined;
}

/** A parameter value of {@link OzekiClient.command}; `undefined` leaves the parameter out. */
export type OzekiParamValue = string | number | boolean | undefined;

/**
 * A client for one PBX, made by {@link createOzekiClient}. Every method returns a Promise that
 * rejects with a `TypeError` for invalid arguments (nothing is sent then) and otherwise with a
 * {@link CallControlError}: {@link OzekiCommandError} (`CC_ERR_UPSTREAM_REFUSED`) for a
 * non-200 `<Code>`, `CC_ERR_UPSTREAM_UNREACHABLE`, `CC_ERR_UPSTREAM_TIMEOUT` or
 * `CC_ERR_UPSTREAM_INVALID`.
 */
export interface OzekiClient {
  /** `Call`: the API extension calls `dialed` (spec §2, F1). */
  call(options: OzekiCallOptions): Promise<OzekiCommandResult>;
  /** `ForwardCall` (XE: `Forward`): forward a call that is still ringing (§5.11, F3). */
  forwardCall(options: OzekiForwardCallOptions): Promise<OzekiCommandResult>;
  /** `Hold`: put a call on hold (§5.12, F3). */
  hold(options: OzekiCallIdOptions): Promise<OzekiCommandResult>;
  /** `Unhold`: take a held call off hold (§5.12). */
  unhold(options: OzekiCallIdOptions): Promise<OzekiCommandResult>;
  /** `Hangup`: end a call (§5.4). */
  hangup(options: OzekiCallIdOptions): Promise<OzekiCommandResult>;
  /** `SendSms`: send an SMS; resolves with the `smsId` when the PBX gives one (§1.1, §5.16). */
  sendSms(options: OzekiSendSmsOptions): Promise<OzekiSendSmsResult>;
  /** `ListActiveCalls`: the calls in progress (§3.3). */
  listActiveCalls(): Promise<OzekiListActiveCallsResult>;
  /**
   * Any other command, e.g. `command('SendEmail', { ApiExtension: 9000, Recipient: 'a@b.c' })`.
   * `name` is letters, digits and `_`; parameter names are sent as given (letters, digits, `_`),
   * in the order given; `command`, `Username` and `Password` cannot be given (the client sets
   * them).
   */
  command(
    name: string,
    params?: Readonly<Record<string, OzekiParamValue>>,
  ): Promise<OzekiCommandResult>;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** What an {@link OzekiCommandError} is made from. */
export interface OzekiCommandErrorDetails {
  /** The command that was refused, e.g. `'Call'`. */
  readonly command: string;
  /** `<Code>`, e.g. 601. */
  readonly ozekiCode: number;
  /** `<Message>` (with the password, if the PBX quoted it, already replaced). */
  readonly ozekiMessage: string;
}

/**
 * The PBX answered a command with a `<Code>` other than 200 (inside HTTP 200, spec §1):
 * `code` is `CC_ERR_UPSTREAM_REFUSED` (status 502); `ozekiCode`, `ozekiName` and `ozekiMessage`
 * say what Ozeki reported.
 *
 * @example
 * ```ts
 * try {
 *   await ozeki.hold({ callId });
 * } catch (error) {
 *   if (error instanceof OzekiCommandError && error.ozekiName === 'CallNotFound') return;
 *   throw error;
 * }
 * ```
 */
export class OzekiCommandError extends CallControlError {
  /** Ozeki's `<Code>`, e.g. 601. */
  readonly ozekiCode: number;
  /** The code's name from {@link OZEKI_STATUS_CODES}, or `'Unknown'` for an undocumented one. */
  readonly ozekiName: OzekiStatusName | 'Unknown';
  /** Ozeki's `<Message>`, e.g. `"Call not found with ID 'g67th7'"` (`''` when none was sent). */
  readonly ozekiMessage: string;
  /** The refused command, e.g. `'Hold'`. */
  readonly command: string;

  constructor(details: OzekiCommandErrorDetails) {
    const ozekiName = isOzekiStatusCode(details.ozekiCode)
      ? OZEKI_STATUS_CODES[details.ozekiCode].name
      : 'Unknown';
    const said = details.ozekiMessage === '' ? '(no message)' : details.ozekiMessage;
    super(
      'CC_ERR_UPSTREAM_REFUSED',
      `Ozeki refused ${details.command}: ${details.ozekiCode} ${ozekiName}: ${said}`,
    );
    this.ozekiCode = details.ozekiCode;
    this.ozekiName = ozekiName;
    this.ozekiMessage = details.ozekiMessage;
    this.command = details.command;
  }
}

function invalidResponse(message: string): CallControlError {
  return new CallControlError('CC_ERR_UPSTREAM_INVALID', message);
}

// ---------------------------------------------------------------------------------------------
// Reading answers
// ---------------------------------------------------------------------------------------------
//
// Answers are read with @xmldom/xmldom with every error made fatal. xmlbuilder2's parser is
// lenient: it reads `<Response><Code>200</Code>` (a truncated answer) and mismatched closing
// tags as a complete document, so an answer cut off after its Code would count as success.
// A DOCTYPE is refused outright (no entity definitions from the network).

/** An element read from an answer. Names keep their prefix (`xsi:nil`). */
interface ReadElement {
  readonly name: string;
  readonly children: (ReadElement | string)[];
}

class XmlSyntaxError extends Error {}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

function toReadElement(element: XmlDomElement): ReadElement {
  const children: (ReadElement | string)[] = [];
  for (let i = 0; i < element.childNodes.length; i++) {
    const child = element.childNodes[i];
    if (child === undefined || child === null) continue;
    if (child.nodeType === ELEMENT_NODE) children.push(toReadElement(child as XmlDomElement));
    else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
      children.push(child.nodeValue ?? '');
    }
  }
  return { name: element.nodeName, children };
}

/** Reads a whole XML document strictly; throws {@link XmlSyntaxError}. */
function readXml(source: string): ReadElement {
  const { DOMParser } = xmldom();
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new XmlSyntaxError(message);
    },
  });
  let document: XmlDomDocument;
  try {
    document = parser.parseFromString(source.replace(/^[\uFEFF \t\r\n]+/, ''), 'application/xml');
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw error;
    // xmldom wraps the handler's error in its own ParseError.
    throw new XmlSyntaxError(error instanceof Error ? error.message : String(error));
  }
  if (document.doctype !== null) throw new XmlSyntaxError('a DOCTYPE is not accepted');
  if (document.documentElement === null) throw new XmlSyntaxError('no root element');
  return toReadElement(document.documentElement);
}

/** The part of a name after its prefix, in lower case: `xsi:Code` → `code`. */
function localName(element: ReadElement): string {
  const colon = element.name.lastIndexOf(':');
  return element.name.slice(colon + 1).toLowerCase();
}

function elementsOf(element: ReadElement): ReadElement[] {
  return element.children.filter((child): child is ReadElement => typeof child !== 'string');
}

function textOf(element: ReadElement): string {
  return element.children
    .map((child) => (typeof child === 'string' ? child : textOf(child)))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Parsing and rendering the envelope
// ---------------------------------------------------------------------------------------------

/** Seconds from `956`, `2.5` or a .NET TimeSpan such as `00:15:56` / `1.02:03:04.5`. */
function parseSeconds(value: string, what: string): number {
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text);
  if (span !== null) {
    const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = span;
    return Number(days) * 86400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  }
  throw invalidResponse(`Ozeki API response: ${what} is not a number of seconds`);
}

const CALL_INFO_TEXT = {
  callstate: 'callState',
  callid: 'callId',
  source: 'source',
  callerid: 'callerId',
  destination: 'destination',
  starttime: 'startTime',
} as const;

function parseCallInfo(element: ReadElement, index: number): OzekiCallInfo {
  const found: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const child of elementsOf(element)) {
    const key = localName(child);
    if (found[key] === undefined) found[key] = textOf(child).trim();
  }
  const callId = found['callid'];
  const callState = found['callstate'];
  if (callId === undefined || callId === '' || callState === undefined) {
    throw invalidResponse(
      `Ozeki API response: <CallInfo> #${index + 1} has no ${callId === undefined || callId === '' ? '<CallId>' : '<CallState>'}`,
    );
  }
  const info: { -readonly [K in keyof OzekiCallInfo]: OzekiCallInfo[K] } = { callState, callId };
  for (const [key, property] of Object.entries(CALL_INFO_TEXT)) {
    const value = found[key];
    if (value !== undefined) info[property] = value;
  }
  const ring = found['ringduration'];
  if (ring !== undefined) info.ringDuration = parseSeconds(ring, '<RingDuration>');
  const talk = found['talkduration'];
  if (talk !== undefined) info.talkDuration = parseSeconds(talk, '<TalkDuration>');
  return info;
}

/**
 * Reads a command answer: `<Response><Code>…</Code><Message>…</Message>…</Response>` (spec §1.1),
 * with or without the XML declaration, with Ozeki 10's or XE's `xmlns:xsi`/`xmlns:xsd`
 * declarations or none, and any whitespace between elements. Element names are matched without
 * regard to case or prefix. `<SmsId>` becomes `smsId`; `<ActiveCalls>` becomes `calls` (spec
 * §3.3; `RingDuration`/`TalkDuration` in seconds); other leaf elements go to `fields`.
 *
 * Any `<Code>` is returned, 200 or not; deciding that a non-200 code is an error is the
 * client's job.
 *
 * @throws {CallControlError} `CC_ERR_UPSTREAM_INVALID` when `xml` is not well-formed XML (a
 *   truncated document too), has a DOCTYPE, its root is not `<Response>`, `<Code>` is missing,
 *   repeated or not a whole number, or a `<CallInfo>` lacks `<CallId>`/`<CallState>` or has a
 *   duration that is not a number of seconds
 */
export function parseOzekiApiResponse(xml: string): OzekiApiResponse {
  if (typeof xml !== 'string') throw invalidResponse('Ozeki API response: not a string');
  let root: ReadElement;
  try {
    root = readXml(xml);
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      throw invalidResponse(`Ozeki API response is not well-formed XML: ${error.message}`);
    }
    throw error;
  }
  if (localName(root) !== 'response') {
    throw invalidResponse(`Ozeki API response: the root element is <${root.name}>, not <Response>`);
  }
  const children = elementsOf(root);
  const codes = children.filter((child) => localName(child) === 'code');
  const [codeElement] = codes;
  if (codeElement === undefined) throw invalidResponse('Ozeki API response: <Code> is missing');
  if (codes.length > 1) throw invalidResponse('Ozeki API response: <Code> appears more than once');
  const codeText = textOf(codeElement).trim();
  if (!/^\d{1,9}$/.test(codeText)) {
    throw invalidResponse('Ozeki API response: <Code> is not a whole number');
  }
  const messageElement = children.find((child) => localName(child) === 'message');
  const smsElement = children.find((child) => localName(child) === 'smsid');
  const callsElement = children.find((child) => localName(child) === 'activecalls');

  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const child of children) {
    const key = localName(child);
    if (key === 'code' || key === 'message' || elementsOf(child).length > 0) continue;
    if (!(child.name in fields)) fields[child.name] = textOf(child).trim();
  }
  const response: { -readonly [K in keyof OzekiApiResponse]: OzekiApiResponse[K] } = {
    code: Number(codeText),
    message: messageElement === undefined ? '' : textOf(messageElement).trim(),
    fields,
  };
  if (smsElement !== undefined) response.smsId = textOf(smsElement).trim();
  if (callsElement !== undefined) {
    response.calls = elementsOf(callsElement)
      .filter((child) => localName(child) === 'callinfo')
      .map(parseCallInfo);
  }
  return response;
}

/** The namespace declarations of {@link renderOzekiApiResponse} (spec §1.1). */
const NAMESPACES = {
  ozeki10: {
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    'xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
  },
  xe: {
    'xmlns:xsd': 'http://www.w3.org/XMLSchema',
    'xmlns:xsi': 'http://www.w3.org/XMLSchema-instance',
  },
  none: {},
} as const;

/** Options of {@link renderOzekiApiResponse}. */
export interface RenderOzekiApiResponseOptions {
  /** `<Code>`: a whole number, e.g. 200 or 601. */
  readonly code: number;
  /**
   * `<Message>`. Default: the template of {@link OZEKI_STATUS_CODES} with `{0}`… left as they
   * are (200: `Command successfully executed`). Required for an undocumented code.
   */
  readonly message?: string | undefined;
  /** `<SmsId>` after `<Message>`, as a `SendSms` answer has it. */
  readonly smsId?: string | undefined;
  /** `<ActiveCalls>` with one `<CallInfo>` each (an empty list gives `<ActiveCalls/>`). */
  readonly activeCalls?: readonly OzekiCallInfo[] | undefined;
  /**
   * The namespace declarations on `<Response>`: `'ozeki10'` (default) `xmlns:xsi`/`xmlns:xsd`
   * of `http://www.w3.org/2001/XMLSchema…`; `'xe'` the same without `2001`; `'none'`.
   */
  readonly namespaces?: 'ozeki10' | 'xe' | 'none' | undefined;
}

function seconds(value: number, what: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`renderOzekiApiResponse: ${what} must be a number of seconds ≥ 0`);
  }
  return String(value);
}

function callInfoElement(call: OzekiCallInfo): XmlElement {
  const children: XmlElement[] = [];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined) children.push({ name, children: [value] });
  };
  add('CallState', call.callState);
  add('CallId', call.callId);
  add('Source', call.source);
  add('CallerId', call.callerId);
  add('Destination', call.destination);
  add('StartTime', call.startTime);
  if (call.ringDuration !== undefined)
    add('RingDuration', seconds(call.ringDuration, 'ringDuration'));
  if (call.talkDuration !== undefined)
    add('TalkDuration', seconds(call.talkDuration, 'talkDuration'));
  return { name: 'CallInfo', children };
}

/**
 * Renders a command answer as the PBX sends it (the other side of
 * {@link parseOzekiApiResponse}): `<Response><Code/><Message/>[<SmsId/>][<ActiveCalls/>]`, e.g.
 * for a fake PBX in tests.
 *
 * @example
 * ```ts
 * renderOzekiApiResponse({ code: 601, message: formatOzekiStatusMessage(601, 'g67th7') });
 * ```
 * @throws {TypeError} for a code that is not a whole number from 0 to 999999999, no message for
 *   an undocumented code, an unknown `namespaces` value, or a negative duration
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a character XML cannot carry
 */
export function renderOzekiApiResponse(options: RenderOzekiApiResponseOptions): string {
  const { code } = options;
  if (!Number.isSafeInteger(code) || code < 0 || code > 999_999_999) {
    throw new TypeError('renderOzekiApiResponse: code must be a whole number from 0 to 999999999');
  }
  const message =
    options.message ?? (isOzekiStatusCode(code) ? OZEKI_STATUS_CODES[code].message : undefined);
  if (message === undefined) {
    throw new TypeError(`renderOzekiApiResponse: code ${code} is undocumented, give a message`);
  }
  const namespaces = options.namespaces ?? 'ozeki10';
  if (!Object.prototype.hasOwnProperty.call(NAMESPACES, namespaces)) {
    throw new TypeError('renderOzekiApiResponse: namespaces must be "ozeki10", "xe" or "none"');
  }
  const children: XmlElement[] = [
    { name: 'Code', children: [String(code)] },
    { name: 'Message', children: [message] },
  ];
  if (options.smsId !== undefined) children.push({ name: 'SmsId', children: [options.smsId] });
  if (options.activeCalls !== undefined) {
    children.push({ name: 'ActiveCalls', children: options.activeCalls.map(callInfoElement) });
  }
  return renderXml({ name: 'Response', attributes: NAMESPACES[namespaces], children });
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/** Largest answer read, in bytes; a larger one is `CC_ERR_UPSTREAM_INVALID`. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
const CLIENT_OPTIONS = ['baseUrl', 'username', 'password', 'timeoutMs', 'method'] as const;
const RESERVED_PARAMS = ['command', 'username', 'password'];

type Params = [name: string, value: string][];

function argument(method: string, message: string): TypeError {
  return new TypeError(`ozeki.${method}: ${message}`);
}

function checkObject(method: string, options: unknown, allowed: readonly string[]): object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argument(method, 'options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw argument(method, `unknown option "${key}" (known: ${allowed.join(', ')})`);
    }
  }
  return options;
}

/** A required or optional text value: non-empty string, or a whole number ≥ 0. */
function text(method: string, name: string, value: unknown): string;
function text(
  method: string,
  name: string,
  value: unknown,
  optional: 'optional',
): string | undefined;
function text(
  method: string,
  name: string,
  value: unknown,
  optional?: 'optional',
): string | undefined {
  if (value === undefined && optional !== undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw argument(
    method,
    `${name} must be a non-empty string or a whole number${optional === undefined ? ' (required)' : ''}`,
  );
}

function httpUrl(method: string, name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return value;
    } catch {
      // reported below
    }
  }
  throw argument(method, `${name} must be an absolute http(s) URL`);
}

function push(params: Params, name: string, value: string | undefined): void {
  if (value !== undefined) params.push([name, value]);
}

/** Options of the client after validation. */
interface ClientConfig {
  readonly baseUrl: string;
  readonly endpoint: string;
  readonly credentials: Params;
  readonly password: string | undefined;
  readonly timeoutMs: number;
  readonly method: 'GET' | 'POST';
}

function configure(options: OzekiClientOptions): ClientConfig {
  checkObject('createOzekiClient', options, CLIENT_OPTIONS);
  const { baseUrl, username, password } = options;
  if (typeof baseUrl !== 'string') throw argument('createOzekiClient', 'baseUrl must be a string');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw argument('createOzekiClient', 'baseUrl is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw argument('createOzekiClient', `baseUrl must be http or https, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw argument('createOzekiClient', 'baseUrl must not hold credentials: use username/password');
  }
  if (url.hash !== '' || baseUrl.includes('#')) {
    throw argument('createOzekiClient', 'baseUrl must not have a #fragment');
  }
  if (username !== undefined && (typeof username !== 'string' || username === '')) {
    throw argument('createOzekiClient', 'username must be a non-empty string');
  }
  if (password !== undefined && typeof password !== 'string') {
    throw argument('createOzekiClient', 'password must be a string');
  }
  if ((username === undefined) !== (password === undefined)) {
    throw argument('createOzekiClient', 'username and password must be given together');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > 2_147_483_647
  ) {
    throw argument('createOzekiClient', 'timeoutMs must be a positive number of milliseconds');
  }
  const method = options.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    throw argument('createOzekiClient', 'method must be "GET" or "POST"');
  }
  const credentials: Params = [];
  if (username !== undefined && password !== undefined) {
    credentials.push(['Username', username], ['Password', password]);
  }
  const href = url.href;
  return {
    baseUrl: href,
    endpoint: `${url.origin}${url.pathname}`,
    credentials,
    password,
    timeoutMs,
    method,
  };
}

/** Replaces the password, raw and in its URL/form encodings, with `***`. */
function redactor(password: string | undefined): (text: string) => string {
  if (password === undefined || password === '') return (text) => text;
  const forms = [
    password,
    encodeURIComponent(password),
    new URLSearchParams([['', password]]).toString().slice(1),
  ].filter((form, index, all) => all.indexOf(form) === index);
  return (text) => forms.reduce((result, form) => result.split(form).join('***'), text);
}

/**
 * The answer's text, read by the core's bounded reader: at most {@link MAX_RESPONSE_BYTES}
 * (a larger one is `CC_ERR_UPSTREAM_INVALID`), stopped by the request's `signal`.
 */
async function readBody(response: Response, signal: AbortSignal): Promise<string> {
  const bytes = await readResponseBody(response, { limitBytes: MAX_RESPONSE_BYTES, signal });
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Creates a client for one Ozeki PBX. Nothing is sent until a method is called.
 *
 * @example
 * ```ts
 * const xe = createOzekiClient({ baseUrl: 'http://pbx.local:7780/', method: 'POST' });
 * await xe.forwardCall({ callId: 'Nt3uh', destination: '104', commandName: 'Forward' });
 * ```
 * @throws {TypeError} for options that are not an object or have an unknown key, a `baseUrl`
 *   that is not an absolute http(s) URL or holds credentials or a fragment, `username` without
 *   `password` (or the other way round), an empty username, a `timeoutMs` that is not a
 *   positive number of milliseconds (at most 2147483647), or a method other than GET/POST
 */
export function createOzekiClient(options: OzekiClientOptions): OzekiClient {
  const config = configure(options);
  const redact = redactor(config.password);

  async function send(command: string, params: Params): Promise<OzekiCommandResult> {
    const form = new URLSearchParams([['command', command], ...params, ...config.credentials]);
    const query = form.toString();
    let url = config.baseUrl;
    const init: RequestInit = {
      method: config.method,
      headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    };
    if (config.method === 'GET') {
      const joiner = !url.includes('?') ? '?' : /[?&]$/.test(url) ? '' : '&';
      url = `${url}${joiner}${query}`;
    } else {
      init.headers = { ...init.headers, 'content-type': 'application/x-www-form-urlencoded' };
      init.body = query;
    }
    const signal = init.signal as AbortSignal;
    const failed = (error: unknown): CallControlError =>
      upstreamFailure(error, {
        signal,
        where: `Ozeki ${command}`,
        target: config.endpoint,
        timeoutMs: config.timeoutMs,
        redact,
      });

    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw failed(error);
    }
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel().catch(() => undefined);
      throw invalidResponse(
        `Ozeki ${command}: HTTP ${response.status} from ${config.endpoint}; Ozeki answers with 200 and an XML <Response>`,
      );
    }
    let raw: string;
    try {
      raw = await readBody(response, signal);
    } catch (error) {
      if (error instanceof BoundedReadError && error.reason === 'too-large') {
        throw invalidResponse(
          `Ozeki ${command}: the answer is larger than ${MAX_RESPONSE_BYTES} bytes`,
        );
      }
      throw failed(error instanceof BoundedReadError ? (error.cause ?? error) : error);
    }
    let parsed: OzekiApiResponse;
    try {
      parsed = parseOzekiApiResponse(raw);
    } catch (error) {
      // Parse messages never quote the document, but stay on the safe side.
      const message = error instanceof Error ? error.message : String(error);
      throw invalidResponse(redact(`Ozeki ${command}: ${message}`));
    }
    if (parsed.code !== 200) {
      throw new OzekiCommandError({
        command,
        ozekiCode: parsed.code,
        ozekiMessage: redact(parsed.message),
      });
    }
    return { ...parsed, code: 200, raw };
  }

  const callId = (method: string, options: OzekiCallIdOptions): Params => {
    checkObject(method, options, ['callId']);
    return [['CallId', text(method, 'callId', options.callId)]];
  };

  return Object.freeze({
    async call(options: OzekiCallOptions): Promise<OzekiCommandResult> {
      checkObject('call', options, [
        'dialed',
        'apiExtension',
        'callerId',
        'callerDisplayName',
        'url',
        'responseOzml',
        'errorUrl',
        'finishedUrl',
        'ringTime',
      ]);
      const params: Params = [];
      push(params, 'Dialed', text('call', 'dialed', options.dialed));
      push(params, 'ApiExtension', text('call', 'apiExtension', options.apiExtension, 'optional'));
      push(params, 'CallerId', text('call', 'callerId', options.callerId, 'optional'));
      if (options.callerDisplayName !== undefined) {
        if (typeof options.callerDisplayName !== 'string') {
          throw argument('call', 'callerDisplayName must be a string');
        }
        push(params, 'CallerDisplayName', options.callerDisplayName);
      }
      const url = httpUrl('call', 'url', options.url);
      let ozml: string | undefined;
      const given: unknown = options.responseOzml;
      if (typeof given === 'string') {
        ozml = given;
      } else if (
        typeof given === 'object' &&
        given !== null &&
        typeof (given as Partial<OzmlRenderable>).toXml === 'function'
      ) {
        const rendered: unknown = (given as OzmlRenderable).toXml();
        if (typeof rendered !== 'string')
          throw argument('call', 'responseOzml.toXml() must return a string');
        ozml = rendered;
      } else if (given !== undefined) {
        throw argument('call', 'responseOzml must be OzML text or an object with toXml()');
      }
      if (ozml !== undefined && ozml.trim() === '') throw argument('call', 'responseOzml is empty');
      if (url === undefined && ozml === undefined) {
        throw argument(
          'call',
          'give url or responseOzml: without either Ozeki hangs up when the call connects',
        );
      }
      push(params, 'Url', url);
      push(params, 'ResponseOzML', ozml);
      push(params, 'ErrorUrl', httpUrl('call', 'errorUrl', options.errorUrl));
      push(params, 'FinishedUrl', httpUrl('call', 'finishedUrl', options.finishedUrl));
      if (options.ringTime !== undefined) {
        const ringTime: unknown = options.ringTime;
        if (typeof ringTime !== 'number' || !Number.isSafeInteger(ringTime) || ringTime <= 0) {
          throw argument('call', 'ringTime must be a whole number of seconds > 0');
        }
        push(params, 'RingTime', String(ringTime));
      }
      return send('Call', params);
    },

    async forwardCall(options: OzekiForwardCallOptions): Promise<OzekiCommandResult> {
      checkObject('forwardCall', options, ['callId', 'destination', 'commandName']);
      const name = options.commandName ?? 'ForwardCall';
      if (name !== 'ForwardCall' && name !== 'Forward') {
        throw argument('forwardCall', 'commandName must be "ForwardCall" or "Forward"');
      }
      return send(name, [
        ['CallId', text('forwardCall', 'callId', options.callId)],
        ['Destination', text('forwardCall', 'destination', options.destination)],
      ]);
    },

    async hold(options: OzekiCallIdOptions): Promise<OzekiCommandResult> {
      return send('Hold', callId('hold', options));
    },

    async unhold(options: OzekiCallIdOptions): Promise<OzekiCommandResult> {
      return send('Unhold', callId('unhold', options));
    },

    async hangup(options: OzekiCallIdOptions): Promise<OzekiCommandResult> {
      return send('Hangup', callId('hangup', options));
    },

    async sendSms(options: OzekiSendSmsOptions): Promise<OzekiSendSmsResult> {
      checkObject('sendSms', options, [
        'apiExtension',
        'sender',
        'recipient',
        'message',
        'deliveryReportUrl',
      ]);
      if (typeof options.message !== 'string' || options.message === '') {
        throw argument('sendSms', 'message must be a non-empty string (required)');
      }
      const params: Params = [];
      push(
        params,
        'ApiExtension',
        text('sendSms', 'apiExtension', options.apiExtension, 'optional'),
      );
      push(params, 'Sender', text('sendSms', 'sender', options.sender, 'optional'));
      push(params, 'Recipient', text('sendSms', 'recipient', options.recipient));
      push(params, 'Message', options.message);
      push(
        params,
        'DeliveryReportURL',
        httpUrl('sendSms', 'deliveryReportUrl', options.deliveryReportUrl),
      );
      return send('SendSms', params);
    },

    async listActiveCalls(): Promise<OzekiListActiveCallsResult> {
      const result = await send('ListActiveCalls', []);
      return { ...result, calls: result.calls ?? [] };
    },

    async command(
      name: string,
      params: Readonly<Record<string, OzekiParamValue>> = {},
    ): Promise<OzekiCommandResult> {
      if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
        throw argument('command', 'name must be letters, digits and "_", starting with a letter');
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw argument('command', 'params must be an object');
      }
      const list: Params = [];
      for (const [key, value] of Object.entries(params)) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) {
          throw argument('command', `parameter name "${key}" must be letters, digits and "_"`);
        }
        if (RESERVED_PARAMS.includes(key.toLowerCase())) {
          throw argument('command', `${key} is set by the client, it cannot be a parameter`);
        }
        if (value === undefined) continue;
        if (typeof value === 'number' && !Number.isFinite(value)) {
          throw argument('command', `${key} must be a finite number`);
        }
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw argument('command', `${key} must be a string, number or boolean`);
        }
        list.push([key, String(value)]);
      }
      return send(name, list);
    },
  });
}
