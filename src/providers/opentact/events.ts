/**
 * Opentact requests and events, and their parser.
 *
 * Spec: `docs/providers/opentact.md` §2 (call-flow requests and follow-ups), §4 (event envelopes), §7
 * (contradictions: the parser is tolerant of both API generations). Upstream:
 * https://doc.opentact.org/ ("Typical technical workflow", "<Gather/>", "WSS Events").
 *
 * What Opentact sends, and the event each becomes:
 *
 * | request | event |
 * | --- | --- |
 * | `call_flow_url`: GET `?from&to`, or POST with the same query and the JSON call entity | `call_flow_request` (answer: Opentact XML) |
 * | a `<Gather url>` follow-up: `?dtmf&from&tn&state&sca&call` appended to your URL (the older `callback`: `?code&success&attempts`) | `gather` (answer: Opentact XML) |
 * | a `call_state` envelope (`init`, `ringing`, `live`, `hangup`, `destroyed`), or the app's `webhook_url` with `?state&from&to` | `call_state` |
 * | a `call_flow` envelope, one per executed XML command | `call_flow` |
 * | an `sms` envelope (`smso` sent, `smsi` received) | `sms` |
 * | a `balance` envelope | `balance` |
 *
 * Handlers may be registered under qualified names too — `call_state:hangup`, `call_flow:Dial`,
 * `sms:smsi` — the most specific one answers (see {@link opentactRoutingKeys}).
 *
 * @module
 */
import type { ParseContext } from '../../core/app';
import {
  decodeQuery,
  decodeUtf8,
  flattenJson,
  parseJsonBody,
  requireMediaType,
  type FieldMap,
} from '../../core/body';
import { CallControlError } from '../../core/errors';
import type { WebhookEvent, WebhookRequest } from '../../core/types';

/** The events of an Opentact app, see the module documentation. */
export const OPENTACT_EVENTS = [
  'call_flow_request',
  'gather',
  'call_state',
  'call_flow',
  'sms',
  'balance',
] as const;

/** An Opentact event name, see {@link OPENTACT_EVENTS}. */
export type OpentactEventName = (typeof OPENTACT_EVENTS)[number];

/**
 * A call's state (spec §4.2): `init` → `ringing` → `live` → `hangup` → `destroyed`; the older
 * API says `online`/`offline`. Open to others.
 */
export type OpentactCallState =
  'init' | 'ringing' | 'live' | 'hangup' | 'destroyed' | 'online' | 'offline' | (string & {});

/** The call states of the current API, see {@link OpentactCallState}. */
export const OPENTACT_CALL_STATES = ['init', 'ringing', 'live', 'hangup', 'destroyed'] as const;

/** `sms` event kinds: `smso` (sent by you), `smsi` (received). Open to others. */
export type OpentactSmsType = 'smso' | 'smsi' | (string & {});

/**
 * The qualified names `on()` accepts besides {@link OPENTACT_EVENTS}: `call_state:<state>`,
 * `call_flow:<Command>` (e.g. `call_flow:Dial`), `sms:<smso|smsi>`.
 */
export type OpentactQualifiedEventName =
  | `call_state:${(typeof OPENTACT_CALL_STATES)[number]}`
  | `call_flow:${string}`
  | 'sms:smso'
  | 'sms:smsi';

/** The parts of a call entity (`ISIPControlAppCall`, spec §2.2, §4.3) the events read. */
export interface OpentactCall {
  /** `uuid`: the call's id. */
  readonly uuid: string | undefined;
  /** `direction`: `in` or `out`. */
  readonly direction: string | undefined;
  /** `from`: the caller (ANI), often E.164 with `+`. */
  readonly from: string | undefined;
  /** `to`: the called number (DNIS), digits. */
  readonly to: string | undefined;
  /** `state`, see {@link OpentactCallState}. */
  readonly state: OpentactCallState | undefined;
  /** `tn.tn`: the Opentact number the call came in on (a JSON number, given as text). */
  readonly tn: string | undefined;
  /** `sip_control_app.uuid`: the SIP Control App. */
  readonly appId: string | undefined;
  /** `account.uuid`: the account. */
  readonly accountId: string | undefined;
  /** `parent.uuid`: the call this dialled leg belongs to. */
  readonly parentId: string | undefined;
}

/** Fields every Opentact event has. */
export interface OpentactEventBase<N extends string> extends WebhookEvent {
  readonly provider: 'opentact';
  /** The event, see {@link OPENTACT_EVENTS}. */
  readonly name: N;
  /** The call's uuid; `''` when the request names none (a GET call-flow request, SMS, balance). */
  readonly callId: string;
  /** The caller (ANI); `''` when unknown. */
  readonly from: string;
  /** The called number (DNIS); `''` when unknown. */
  readonly to: string;
  /**
   * Every field as sent: the query's, and the JSON body's flattened to dotted paths
   * (`tn.tn`, `call.parent.uuid`, `payload.state`), the body winning where both name one field.
   */
  readonly raw: Readonly<Record<string, string>>;
  /** The query parameters: Opentact's and the ones you put on the URL (e.g. `?menu=private`). */
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON body; `undefined` for a request without one. */
  readonly body: unknown;
}

/** Opentact asks your `call_flow_url` for the call flow of a new call (spec §2.2). */
export interface OpentactCallFlowRequest extends OpentactEventBase<'call_flow_request'> {
  /** The call entity of a POST request; `undefined` for GET. */
  readonly call: OpentactCall | undefined;
}

/** A `<Gather url>` (or older `callback`) reports the digits entered (spec §2.4). */
export interface OpentactGather extends OpentactEventBase<'gather'> {
  /** `dtmf` (current) or `code` (older API): the digits entered; `''` when none. */
  readonly dtmf: string;
  /** `tn`: the Opentact number of the call (current form). `to` holds it too. */
  readonly tn: string | undefined;
  /** `state`: the call's state, e.g. `live` (current form). */
  readonly state: OpentactCallState | undefined;
  /** `sca`: the SIP Control App's uuid (current form). */
  readonly appId: string | undefined;
  /** `attempts` (older form): how many attempts were made. */
  readonly attempts: number | undefined;
  /** `success` (older form): whether the attempt succeeded. */
  readonly success: boolean | undefined;
}

/** A call changed state (spec §4.3), or the app's `webhook_url` reports it (§4.1, Fixture K). */
export interface OpentactCallStateEvent extends OpentactEventBase<'call_state'> {
  /** The new state: `payload.state`, else `call.state`, else the query's `state`. */
  readonly state: OpentactCallState | undefined;
  /** `payload.duration`: the call's duration so far, in **seconds**. */
  readonly duration: number | undefined;
  /** The call: the envelope's `call`, or the POSTed call entity. */
  readonly call: OpentactCall | undefined;
  /** The envelope's `uuid` (the event's own id, not the call's). */
  readonly eventId: string | undefined;
  /** `call.q850_cause`: the Q.850 cause code, e.g. 16. */
  readonly q850Cause: number | undefined;
  /** `call.q850_cause_string`, e.g. `NORMAL_CLEARING`, `NO_USER_RESPONSE`. */
  readonly q850CauseString: string | undefined;
  /** The envelope's `message`, e.g. `CallSCA in +1838… > 1838… - live`. */
  readonly message: string | undefined;
}

/** An XML command of the call flow was executed (spec §4.4). */
export interface OpentactCallFlowEvent extends OpentactEventBase<'call_flow'> {
  /** `command` (or `payload.command.name`), e.g. `Answer`, `Dial`. */
  readonly command: string | undefined;
  /** `success` of the command. */
  readonly success: boolean | undefined;
  /** `payload.command.path`, e.g. `Answer[0]`. */
  readonly path: string | undefined;
  /** `payload.command.reason`, e.g. `Call answered`. */
  readonly reason: string | undefined;
  /** `payload.call`: the call. */
  readonly call: OpentactCall | undefined;
  /** The envelope's `message`. */
  readonly message: string | undefined;
}

/** An SMS was sent or received (spec §4.6). */
export interface OpentactSms extends OpentactEventBase<'sms'> {
  /** `payload.type`: `smso` (sent) or `smsi` (received). */
  readonly smsType: OpentactSmsType | undefined;
  /** `payload.uuid`: the message's id. */
  readonly smsId: string | undefined;
  /** `payload.state`, e.g. `created`, `success`, `failed`. */
  readonly state: string | undefined;
  /** `payload.message`: the text. */
  readonly text: string | undefined;
  /** `payload.delivered`. */
  readonly delivered: boolean | undefined;
}

/** The account's balance changed (spec §4.6, Fixture J). */
export interface OpentactBalance extends OpentactEventBase<'balance'> {
  /** `payload`: the new balance (in the account's currency). */
  readonly balance: number | undefined;
  /** `source_action`, e.g. `voice_charge_in`, `call_asr`. */
  readonly sourceAction: string | undefined;
  /** The envelope's `message`, e.g. `New balance is 873.0604`. */
  readonly message: string | undefined;
}

/** An envelope of a `type` this version does not know; it reaches `onAny`, answered `<Response/>`. */
export type OpentactUnknownEvent = OpentactEventBase<string>;

/** Every known Opentact event. */
export type OpentactEvent =
  | OpentactCallFlowRequest
  | OpentactGather
  | OpentactCallStateEvent
  | OpentactCallFlowEvent
  | OpentactSms
  | OpentactBalance;

const ENVELOPES = new Set(['call_state', 'call_flow', 'sms', 'balance']);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** Reads the parts of a call entity the events use; `undefined` for anything not an object. */
export function readOpentactCall(value: unknown): OpentactCall | undefined {
  const call = record(value);
  if (call === undefined) return undefined;
  return {
    uuid: nonEmpty(text(call['uuid'])),
    direction: nonEmpty(text(call['direction'])),
    from: nonEmpty(text(call['from'])),
    to: nonEmpty(text(call['to'])),
    state: nonEmpty(text(call['state'])),
    tn: nonEmpty(text(record(call['tn'])?.['tn'] ?? call['tn'])),
    appId: nonEmpty(text(record(call['sip_control_app'] ?? call['sipcontrol_app'])?.['uuid'])),
    accountId: nonEmpty(text(record(call['account'])?.['uuid'])),
    parentId: nonEmpty(text(record(call['parent'])?.['uuid'])),
  };
}

/**
 * Which event a request is (see the module documentation), in this order: the app's
 * `eventPaths`; a JSON envelope's `type`; `dtmf` or `code` in the query (a Gather follow-up);
 * `state` in the query (the app's `webhook_url`); `from`/`to` or a call entity (the call-flow
 * request). `undefined` when nothing tells.
 */
export function identifyOpentactRequest(
  query: FieldMap,
  body: unknown,
  routedEvent?: string,
): string | undefined {
  if (routedEvent !== undefined) return routedEvent;
  const envelope = record(body);
  const type = text(envelope?.['type']);
  if (type !== undefined && (ENVELOPES.has(type) || envelope?.['payload'] !== undefined)) {
    return type;
  }
  if (query['dtmf'] !== undefined || query['code'] !== undefined) return 'gather';
  if (query['state'] !== undefined) return 'call_state';
  if (query['from'] !== undefined || query['to'] !== undefined || envelope !== undefined) {
    return 'call_flow_request';
  }
  return undefined;
}

/**
 * Parses what Opentact sent (query fields and the parsed JSON body) into an event.
 *
 * @param query - the decoded query
 * @param body - the parsed JSON body, `undefined` when there is none
 * @param routedEvent - the event the app's `eventPaths` give the path, if any
 * @throws {CallControlError} `CC_ERR_REQUEST_MALFORMED` (400) when nothing tells which request
 *   this is, or an envelope's `type` is not a string
 */
export function parseOpentactFields(
  query: FieldMap,
  body: unknown,
  routedEvent?: string,
): OpentactEvent | OpentactUnknownEvent {
  const name = identifyOpentactRequest(query, body, routedEvent);
  if (name === undefined) {
    throw new CallControlError(
      'CC_ERR_REQUEST_MALFORMED',
      'Cannot tell which Opentact request this is: no event envelope, Gather digits, state, ' +
        'from or to (give the path an eventPaths entry)',
    );
  }
  const raw: FieldMap = Object.assign(
    Object.create(null) as FieldMap,
    query,
    body === undefined ? {} : flattenJson(body),
  );
  const envelope = record(body);
  const payload = record(envelope?.['payload']);
  const base = {
    provider: 'opentact' as const,
    raw: Object.freeze(raw),
    query: Object.freeze(Object.assign(Object.create(null) as FieldMap, query)),
    body,
  };
  const parties = (call: OpentactCall | undefined) => ({
    callId: call?.uuid ?? '',
    from: call?.from ?? query['from'] ?? '',
    to: call?.to ?? query['to'] ?? '',
  });

  switch (name) {
    case 'call_flow_request': {
      const call = readOpentactCall(body);
      return { ...base, name, ...parties(call), call };
    }
    case 'gather':
      return {
        ...base,
        name,
        callId: query['call'] ?? '',
        from: query['from'] ?? '',
        to: query['tn'] ?? query['to'] ?? '',
        dtmf: query['dtmf'] ?? query['code'] ?? '',
        tn: nonEmpty(query['tn']),
        state: nonEmpty(query['state']),
        appId: nonEmpty(query['sca']),
        attempts: numberOf(query['attempts']),
        success: booleanOf(query['success']),
      };
    case 'call_state': {
      const isEnvelope = text(envelope?.['type']) === 'call_state';
      const call = readOpentactCall(isEnvelope ? envelope?.['call'] : body);
      const state = nonEmpty(text(payload?.['state'])) ?? call?.state ?? nonEmpty(query['state']);
      const callRecord = record(isEnvelope ? envelope?.['call'] : body);
      return {
        ...base,
        name,
        ...parties(call),
        callId: call?.uuid ?? nonEmpty(text(envelope?.['ref_id'])) ?? '',
        state,
        duration: numberOf(payload?.['duration']),
        call,
        eventId: isEnvelope ? nonEmpty(text(envelope?.['uuid'])) : undefined,
        q850Cause: numberOf(callRecord?.['q850_cause']),
        q850CauseString: nonEmpty(text(callRecord?.['q850_cause_string'])),
        message: nonEmpty(text(envelope?.['message'])),
      };
    }
    case 'call_flow': {
      const command = record(payload?.['command']);
      const call = readOpentactCall(payload?.['call'] ?? envelope?.['call']);
      return {
        ...base,
        name,
        ...parties(call),
        command: nonEmpty(text(envelope?.['command'])) ?? nonEmpty(text(command?.['name'])),
        success: booleanOf(envelope?.['success'] ?? command?.['success']),
        path: nonEmpty(text(command?.['path'])),
        reason: nonEmpty(text(command?.['reason'])),
        call,
        message: nonEmpty(text(envelope?.['message'])),
      };
    }
    case 'sms':
      return {
        ...base,
        name,
        callId: '',
        from: text(payload?.['from']) ?? '',
        to: text(payload?.['to']) ?? '',
        smsType: nonEmpty(text(payload?.['type'])),
        smsId: nonEmpty(text(payload?.['uuid'])),
        state: nonEmpty(text(payload?.['state'])),
        text: text(payload?.['message']),
        delivered: booleanOf(payload?.['delivered']),
      };
    case 'balance':
      return {
        ...base,
        name,
        callId: '',
        from: '',
        to: '',
        balance: numberOf(envelope?.['payload']),
        sourceAction: nonEmpty(text(envelope?.['source_action'])),
        message: nonEmpty(text(envelope?.['message'])),
      };
    default:
      return { ...base, name, ...parties(readOpentactCall(envelope?.['call'])) };
  }
}

/**
 * The names a handler may be registered under for `event`, most specific first:
 * `call_state:<state>`, `call_flow:<command>`, `sms:<type>`, then the plain name.
 */
export function opentactRoutingKeys(event: OpentactEvent | OpentactUnknownEvent): string[] {
  const qualifier =
    'state' in event && event.name === 'call_state'
      ? event.state
      : 'command' in event && event.name === 'call_flow'
        ? event.command
        : 'smsType' in event && event.name === 'sms'
          ? event.smsType
          : undefined;
  return qualifier === undefined ? [event.name] : [`${event.name}:${qualifier}`, event.name];
}

/** Whether `name` is a qualified name `on()` accepts, see {@link OpentactQualifiedEventName}. */
export function isOpentactQualifiedName(name: string): boolean {
  return /^(call_state:[a-z_]+|call_flow:[A-Za-z][A-Za-z0-9]*|sms:[a-z_]+)$/.test(name);
}

/**
 * Parses an Opentact request: GET with the query alone, or POST with the query and a JSON body
 * (the call entity or an event envelope). A POST without a body is read like a GET.
 *
 * @throws {CallControlError} 415 for a body of another type than `application/json` (a body
 *   without Content-Type is read as JSON), 400 for a body that is not valid JSON (or UTF-8), or
 *   a request whose kind cannot be told
 */
export function parseOpentactRequest(
  request: WebhookRequest,
  context: Partial<ParseContext> = {},
): OpentactEvent | OpentactUnknownEvent {
  // The body's Content-Type is not documented (spec §7.2): JSON is assumed when none is sent.
  const untyped = (request.headers['content-type'] ?? '') === '';
  if (!untyped) requireMediaType(request, ['application/json']);
  const body = request.body.length === 0 ? undefined : parseJsonBody(decodeUtf8(request.body));
  return parseOpentactFields(decodeQuery(request.query), body, context.routedEvent);
}
