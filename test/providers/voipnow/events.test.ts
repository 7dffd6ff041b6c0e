/**
 * Parsing VoipNow requests (spec §1, §2): event identification, typed fields, extensions.
 */
import { CallControlError } from '../../../src/core/errors';
import {
  inferVoipNowEvent,
  parseVoipNowExtension,
  parseVoipNowFields,
  parseVoipNowRequest,
} from '../../../src/providers/voipnow/events';
import { thrown } from '../../helpers/assert';

function fields(entries: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, entries);
}

describe('inferVoipNowEvent', () => {
  test.each([
    [{ CallStatus: 'CALLING', CallFlow: 'IN' }, 'Dial-In'],
    [{ CallStatus: 'calling', CallFlow: 'out' }, 'Dial-Out'],
    [{ CallStatus: 'ANSWER', CallFlow: 'IN' }, 'Hangup'],
    [{ CallStatus: 'UNKNOWN', CallFlow: 'OUT' }, 'Hangup'],
    [{ CallStatus: 'ANSWER', CallFlow: 'IN', CallAPIID: '1:a' }, 'call_interactive'],
    [{ CallAPIID: '1:a' }, 'call_interactive'],
    [{ CallStatus: 'CALLING' }, undefined],
    [{ CallStatus: 'RINGING', CallFlow: 'IN' }, undefined],
    [{}, undefined],
  ])('%j → %s', (sent, expected) => {
    expect(inferVoipNowEvent(fields(sent))).toBe(expected);
  });
});

describe('parseVoipNowExtension', () => {
  test.each([
    ['0003*001', { extended: '0003*001', clientCode: '0003', number: '001' }],
    ['000*306', { extended: '000*306', clientCode: '000', number: '306' }],
    ['1001', { extended: '1001', clientCode: undefined, number: '1001' }],
    ['*5', { extended: '*5', clientCode: '', number: '5' }],
  ])('%s', (extended, parts) => {
    expect(parseVoipNowExtension(extended)).toEqual(parts);
  });
});

describe('parseVoipNowFields', () => {
  test('a routed event wins over EventType and the fields', () => {
    const event = parseVoipNowFields(
      fields({ EventType: 'call_interactive', CallStatus: 'CALLING', CallFlow: 'IN' }),
      'Answer-Out',
    );
    expect(event.name).toBe('Answer-Out');
  });

  test('an unknown EventType falls back to the fields', () => {
    expect(
      parseVoipNowFields(fields({ EventType: 'x', CallStatus: 'CALLING', CallFlow: 'IN' })).name,
    ).toBe('Dial-In');
  });

  test('to is CalledNumber, else CalledDID, else CalledExtension', () => {
    const base = { CallStatus: 'CALLING', CallFlow: 'IN' };
    expect(parseVoipNowFields(fields({ ...base, CalledNumber: '1', CalledDID: '2' })).to).toBe('1');
    expect(parseVoipNowFields(fields({ ...base, CalledDID: '2', CalledExtension: '0*3' })).to).toBe(
      '2',
    );
    expect(parseVoipNowFields(fields({ ...base, CalledExtension: '0*3' })).to).toBe('0*3');
    expect(parseVoipNowFields(fields(base)).to).toBe('');
  });

  test("the KB page's CallerIDNam spelling is read as the caller's name", () => {
    const event = parseVoipNowFields(
      fields({ CallStatus: 'CALLING', CallFlow: 'IN', CallerIDNam: 'Jane' }),
    );
    expect(event.callerIdName).toBe('Jane');
    expect(event.params).toEqual({});
  });

  test('no way to tell the event: CC_ERR_REQUEST_MALFORMED', () => {
    const error = thrown(() => parseVoipNowFields(fields({ CallID: 'a' }))) as CallControlError;
    expect(error).toBeInstanceOf(CallControlError);
    expect(error.code).toBe('CC_ERR_REQUEST_MALFORMED');
  });
});

describe('parseVoipNowRequest', () => {
  test('form body over query for the same field', () => {
    const event = parseVoipNowRequest({
      method: 'POST',
      path: '/',
      query: 'CallID=query&lang=en',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('CallID=body&CallStatus=CALLING&CallFlow=OUT'),
    });
    expect(event).toMatchObject({ name: 'Dial-Out', callId: 'body', params: { lang: 'en' } });
  });
});
