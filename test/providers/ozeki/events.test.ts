/**
 * Parsing Ozeki notifications (spec §3, §7): names, typed fields, parties, tolerance.
 */
import { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  OZEKI_EVENTS,
  parseOzekiFields,
  parseOzekiRequest,
  type OzekiCallChanged,
  type OzekiCallConnected,
  type OzekiIncomingSms,
  type OzekiRoutingInterception,
} from '../../../src/providers/ozeki/events';
import { thrown } from '../../helpers/assert';

function fields(entries: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, entries);
}

function parse(entries: Record<string, string>, query: Record<string, string> = {}) {
  return parseOzekiFields(fields(entries), fields(query));
}

function request(parts: Partial<WebhookRequest>): WebhookRequest {
  return { method: 'POST', path: '/', query: '', headers: {}, body: Buffer.alloc(0), ...parts };
}

describe('parseOzekiFields', () => {
  test.each(OZEKI_EVENTS.map((name) => [name]))('%s is recognised in any case', (name) => {
    expect(parse({ NotificationName: name.toUpperCase(), CallId: 'a' }).name).toBe(name);
  });

  test('IncomingCall: caller and API extension', () => {
    const event = parse({
      NotificationName: 'IncomingCall',
      CallId: 'Nt3uh',
      ApiExtension: '9994',
      CallerId: '1000',
      CallerDisplayName: 'John Smith',
    });
    expect(event).toMatchObject({
      provider: 'ozeki',
      name: 'IncomingCall',
      callId: 'Nt3uh',
      from: '1000',
      to: '9994',
      apiExtension: '9994',
      callerId: '1000',
      callerDisplayName: 'John Smith',
    });
  });

  test('CallConnected: the API extension calls the dialled number', () => {
    const event = parse({
      NotificationName: 'CallConnected',
      CallID: 'H2Wwb',
      ApiExtension: '101',
      Dialled: '102',
    }) as OzekiCallConnected;
    expect(event).toMatchObject({ callId: 'H2Wwb', from: '101', to: '102', dialed: '102' });
  });

  test('DtmfEntered without digits gives an empty string', () => {
    expect(parse({ NotificationName: 'DtmfEntered', CallId: 'a' })).toMatchObject({
      dtmfDigits: '',
    });
  });

  test('CallChanged: every documented CallState, and new ones', () => {
    for (const state of ['Ringing', 'InCall', 'Completed', 'SomethingNew']) {
      const event = parse({ NotificationName: 'CallChanged', CallId: 'a', CallState: state });
      expect((event as OzekiCallChanged).callState).toBe(state);
    }
    const empty = parse({ NotificationName: 'CallChanged', CallId: 'a', CallState: '' });
    expect((empty as OzekiCallChanged).callState).toBeUndefined();
  });

  test('RoutingInterception: every documented field; no call id', () => {
    const event = parse({
      NotificationName: 'RoutingInterception',
      CallerID: '1442',
      OriginalDialedNumber: '81234567',
      LastDialedNumber: '81234560',
      LastCalledExtension: '1000',
      LastCallState: 'Busy',
      CallerExtension: 'ext1442',
    }) as OzekiRoutingInterception;
    expect(event).toMatchObject({
      callId: '',
      from: '1442',
      to: '81234567',
      callerId: '1442',
      originalDialedNumber: '81234567',
      lastDialedNumber: '81234560',
      lastCalledExtension: '1000',
      lastCallState: 'Busy',
      callerExtension: 'ext1442',
    });
  });

  test('IncomingSMS reads the SendSms field names', () => {
    const event = parse({
      NotificationName: 'IncomingSMS',
      Sender: '+3620',
      Recipient: '9994',
      Message: 'Hi',
    }) as OzekiIncomingSms;
    expect(event).toMatchObject({ from: '+3620', to: '9994', message: 'Hi' });
  });

  test('unknown fields stay in raw and are found by field() in any case', () => {
    const event = parse({ NotificationName: 'GoTo', CallId: 'a', Custom: 'x' }, { Mine: 'y' });
    expect(event.raw).toEqual({ NotificationName: 'GoTo', CallId: 'a', Custom: 'x', Mine: 'y' });
    expect(event.field('custom')).toBe('x');
    expect(event.field('MINE')).toBe('y');
    expect(event.field('absent')).toBeUndefined();
    expect(Object.isFrozen(event.raw)).toBe(true);
  });

  test('a routed event applies only when no NotificationName is sent', () => {
    expect(parseOzekiFields(fields({ CallId: 'a' }), fields({}), 'CallFinished').name).toBe(
      'CallFinished',
    );
    expect(
      parseOzekiFields(fields({ NotificationName: 'GoTo' }), fields({}), 'CallFinished').name,
    ).toBe('GoTo');
  });

  test('an unknown name is kept as sent', () => {
    expect(parse({ NotificationName: 'BrandNew', CallId: 'a' }).name).toBe('BrandNew');
  });

  test('no name at all is CC_ERR_REQUEST_MALFORMED', () => {
    const error = thrown(() => parse({ CallId: 'a' })) as CallControlError;
    expect(error).toBeInstanceOf(CallControlError);
    expect(error.code).toBe('CC_ERR_REQUEST_MALFORMED');
    expect(error.status).toBe(400);
  });

  test('__proto__ and constructor are plain field names', () => {
    const sent = JSON.parse(
      '{"NotificationName":"GoTo","__proto__":"x","constructor":"y"}',
    ) as Record<string, string>;
    const event = parseOzekiFields(fields(sent), fields({}));
    expect(event.raw['__proto__']).toBe('x');
    expect(event.field('constructor')).toBe('y');
  });
});

describe('parseOzekiRequest', () => {
  test('merges the query under the form body', () => {
    const event = parseOzekiRequest(
      request({
        query: 'AppDate=2024-05-01&CallId=q',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('NotificationName=CallConnected&CallId=b'),
      }),
    );
    expect(event).toMatchObject({ callId: 'b', query: { AppDate: '2024-05-01', CallId: 'q' } });
  });

  test('a GET with the query alone', () => {
    const event = parseOzekiRequest(
      request({ method: 'GET', query: 'NotificationName=DtmfEntered&CallId=g&DtmfDigits=7' }),
    );
    expect(event).toMatchObject({ name: 'DtmfEntered', dtmfDigits: '7' });
  });

  test('a body of another type is 415', () => {
    const error = thrown(() =>
      parseOzekiRequest(
        request({ headers: { 'content-type': 'text/xml' }, body: Buffer.from('<x/>') }),
      ),
    ) as CallControlError;
    expect(error.code).toBe('CC_ERR_UNSUPPORTED_MEDIA_TYPE');
  });
});
