/**
 * Simulated calls of the TwiML family, as the provider's platform makes them: the voice
 * request, then what the app's answers ask for — the `<Gather>` action with scripted digits,
 * a `<Redirect>`, the `<Dial>` and `<Record>` actions — and the final status callback.
 * Provider-neutral: form-encoded requests with the call fields of
 * `docs/providers/twilio.md` §2.1; the provider folders add their signature.
 *
 * @module
 */
import { parseXml } from '../../testing/xml';
import type { XmlElement } from '../../core/xml';
import type { TestRequest } from '../../testing/reply';
import type { TwimlRequestKind } from './requests';

/** Options of a simulated TwiML call. */
export interface TwimlCallScenarioOptions {
  /** `CallSid`. Default: `CA` and 32 random hex digits. */
  readonly callSid?: string | undefined;
  /** `AccountSid`. Default `AC` and 32 zeros and ones. */
  readonly accountSid?: string | undefined;
  /** `From`. Default `'+15005550006'`. */
  readonly from?: string | undefined;
  /** `To`. Default `'+15005550001'`. */
  readonly to?: string | undefined;
  /** `Direction`. Default `'inbound'`. */
  readonly direction?: 'inbound' | 'outbound-api' | undefined;
  /**
   * Digits the caller types, one entry per `<Gather>` met (a string is one entry): the n-th
   * `<Gather>` of the call gets the n-th entry as `Digits`; a `<Gather>` without an entry left
   * gets no input (the document goes on after it). Default: none.
   */
  readonly digits?: string | readonly string[] | undefined;
  /**
   * `DialCallStatus` of every `<Dial>` with an `action` (docs/providers/twilio.md §2.5).
   * Default `'completed'`.
   */
  readonly dialCallStatus?: string | undefined;
  /**
   * `CallStatus` of the final status callback: `completed`, `busy`, `no-answer`, `failed`,
   * `canceled`. Default `'completed'`; other than `completed` sends no voice request (the call
   * was never answered).
   */
  readonly finalStatus?: string | undefined;
  /** `CallDuration` of the final status callback, in **seconds**. Default 30. */
  readonly durationSeconds?: number | undefined;
  /** HTTP method of the voice request and status callback. Default `'POST'`. */
  readonly method?: 'POST' | 'GET' | undefined;
  /** The path (below the URL the call is played against) of the voice request. Default `'/'`. */
  readonly path?: string | undefined;
  /** The path of the status callback. Default: the voice request's. */
  readonly statusPath?: string | undefined;
}

/** A random `CallSid`-like id: `prefix` and 32 hex digits. */
export function twimlSid(prefix: string): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(Math.random() * 16).toString(16);
  return `${prefix}${hex}`;
}

/** The call fields (docs/providers/twilio.md §2.1) of a scenario, in alphabetical order as the fixtures write them. */
function callFields(
  options: TwimlCallScenarioOptions,
  callSid: string,
  status: string,
): Array<[string, string]> {
  const from = options.from ?? '+15005550006';
  const to = options.to ?? '+15005550001';
  return [
    ['AccountSid', options.accountSid ?? 'AC01010101010101010101010101010101'],
    ['ApiVersion', '2010-04-01'],
    ['CallSid', callSid],
    ['CallStatus', status],
    ['Called', to],
    ['Caller', from],
    ['Direction', options.direction ?? 'inbound'],
    ['From', from],
    ['To', to],
  ];
}

/**
 * One TwiML request: `fields` form-encoded in the body of a POST
 * (`application/x-www-form-urlencoded`), or in the query of a GET (appended to `query`).
 */
export function twimlRequest(
  event: TwimlRequestKind,
  fields: ReadonlyArray<readonly [string, string]>,
  target: { method?: string; path?: string; query?: string } = {},
  userAgent = 'TwilioProxy/1.1',
): TestRequest {
  const encoded = new URLSearchParams(fields as Array<[string, string]>).toString();
  const method = (target.method ?? 'POST').toUpperCase();
  const path = target.path ?? '/';
  const query = target.query ?? '';
  if (method === 'GET') {
    return {
      event,
      method,
      headers: { 'user-agent': userAgent },
      body: '',
      path,
      query: query === '' ? encoded : `${query}&${encoded}`,
    };
  }
  return {
    event,
    method,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': userAgent,
    },
    body: encoded,
    path,
    query,
  };
}

/**
 * The requests of a whole call that do not depend on the answers: the voice request (unless
 * the call was never answered, `finalStatus` other than `completed`) and the final status
 * callback. {@link followTwiml} adds the rest as the answers ask.
 */
export function twimlCallScenario(
  options: TwimlCallScenarioOptions = {},
  callSid: string = options.callSid ?? twimlSid('CA'),
): TestRequest[] {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/';
  const final = options.finalStatus ?? 'completed';
  const requests: TestRequest[] = [];
  if (final === 'completed') {
    requests.push(twimlRequest('voice', callFields(options, callSid, 'ringing'), { method, path }));
  }
  const status: Array<[string, string]> = [
    ...callFields(options, callSid, final),
    ['CallbackSource', 'call-progress-events'],
    ['SequenceNumber', '0'],
    ['Timestamp', new Date().toUTCString().replace('GMT', '+0000')],
  ];
  if (final === 'completed') {
    status.push(['CallDuration', String(options.durationSeconds ?? 30)]);
    status.push(['Duration', String(Math.max(1, Math.ceil((options.durationSeconds ?? 30) / 60)))]);
  }
  status.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  requests.push(
    twimlRequest('status-callback', status, { method, path: options.statusPath ?? path }),
  );
  return requests;
}

/** A URL of an answer as a request target below `baseUrl`; `undefined` when it is elsewhere. */
function targetOf(
  url: string,
  current: TestRequest,
  baseUrl: string,
): { path: string; query: string } | undefined {
  const base = baseUrl.replace(/\/+$/, '');
  let absolute: URL;
  try {
    const currentUrl = `${base}${current.path ?? '/'}${current.query ? `?${current.query}` : ''}`;
    absolute = new URL(url, currentUrl);
  } catch {
    return undefined;
  }
  const baseUrlParsed = new URL(base);
  const basePath = baseUrlParsed.pathname.replace(/\/+$/, '');
  if (absolute.origin !== baseUrlParsed.origin) return undefined;
  if (!absolute.pathname.startsWith(basePath)) return undefined;
  const path = absolute.pathname.slice(basePath.length) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, query: absolute.search.slice(1) };
}

/** The digits entries of a scenario as a list. */
function digitEntries(digits: string | readonly string[] | undefined): readonly string[] {
  return digits === undefined ? [] : typeof digits === 'string' ? [digits] : digits;
}

/** The call fields of the request a reply answered (its CallSid, numbers…), for the next one. */
function fieldsOf(request: TestRequest): Map<string, string> {
  const text = request.method === 'GET' ? (request.query ?? '') : request.body;
  return new Map(new URLSearchParams(text));
}

/**
 * The requests the platform sends next after `reply` answered `sent`'s last request
 * (docs/providers/twilio.md §2.4, §2.5, §2.7, §5.1): the answer's verbs are run in
 * order — a `<Gather>` with digits left posts them (`Digits`, `FinishedOnKey`) to its `action`
 * (default: the current document's URL), one without goes on; a `<Redirect>` requests its URL
 * (a voice request); a `<Dial>` with `action` posts its result (`DialCallStatus`,
 * `DialCallSid`, `DialCallDuration`); a `<Record>` with `action` posts a recording;
 * `<Hangup>`, `<Reject>` and the end of the document end the call. URLs outside `baseUrl`
 * are not followed. Nothing follows a reply that is not a 2xx TwiML document, nor requests
 * that are notifications (status callbacks).
 */
export function followTwiml(
  reply: {
    readonly request: TestRequest;
    readonly status: number | undefined;
    readonly body: string;
  },
  sent: readonly TestRequest[],
  options: TwimlCallScenarioOptions,
  baseUrl: string,
): TestRequest[] {
  const request = reply.request;
  if (request.event === 'status-callback') return [];
  if (reply.status === undefined || reply.status < 200 || reply.status > 299) return [];
  let root: XmlElement;
  try {
    root = parseXml(reply.body);
  } catch {
    return [];
  }
  if (root.name !== 'Response') return [];
  const previous = fieldsOf(request);
  const call: Array<[string, string]> = [];
  for (const name of [
    'AccountSid',
    'ApiVersion',
    'CallSid',
    'Called',
    'Caller',
    'Direction',
    'From',
    'To',
  ]) {
    const value = previous.get(name);
    if (value !== undefined) call.push([name, value]);
  }
  const inProgress: Array<[string, string]> = [...call, ['CallStatus', 'in-progress']];
  const sorted = (fields: Array<[string, string]>) =>
    fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const gathersSoFar = sent.filter((each) => each.event === 'gather').length;
  const entries = digitEntries(options.digits);
  for (const verb of root.children ?? []) {
    if (typeof verb === 'string') continue;
    const attributes = verb.attributes ?? {};
    const method = attributes['method'];
    switch (verb.name) {
      case 'Gather': {
        const digits = entries[gathersSoFar];
        if (digits === undefined) {
          if (attributes['actionOnEmptyResult'] !== 'true') continue;
        }
        const target = targetOf(attributes['action'] ?? '', request, baseUrl);
        if (target === undefined) return [];
        const fields = sorted([...inProgress, ['Digits', digits ?? ''], ['FinishedOnKey', '']]);
        return [twimlRequest('gather', fields, { ...target, method: method ?? 'POST' })];
      }
      case 'Redirect': {
        const text = (verb.children ?? [])
          .filter((item) => typeof item === 'string')
          .join('')
          .trim();
        const target = targetOf(text, request, baseUrl);
        if (target === undefined) return [];
        return [
          twimlRequest('voice', sorted([...inProgress]), { ...target, method: method ?? 'POST' }),
        ];
      }
      case 'Dial': {
        const action = attributes['action'];
        if (action === undefined) continue;
        const target = targetOf(action, request, baseUrl);
        if (target === undefined) return [];
        const status = options.dialCallStatus ?? 'completed';
        const fields = sorted([
          ...inProgress,
          ['DialCallStatus', status],
          ['DialCallSid', twimlSid('CA')],
          ['DialCallDuration', status === 'completed' ? '12' : '0'],
          ['DialBridged', status === 'completed' ? 'true' : 'false'],
        ]);
        return [twimlRequest('dial', fields, { ...target, method: method ?? 'POST' })];
      }
      case 'Record': {
        const action = attributes['action'];
        if (action === undefined) continue;
        const target = targetOf(action, request, baseUrl);
        if (target === undefined) return [];
        const sid = twimlSid('RE');
        const fields = sorted([
          ...inProgress,
          ['RecordingDuration', '5'],
          ['RecordingSid', sid],
          ['RecordingUrl', `https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/${sid}`],
          ['Digits', '#'],
        ]);
        return [twimlRequest('record', fields, { ...target, method: method ?? 'POST' })];
      }
      case 'Hangup':
      case 'Reject':
      case 'Leave':
      case 'Enqueue':
      case 'Connect':
      case 'Pay':
        return [];
      default:
        continue;
    }
  }
  return [];
}
