/**
 * sipgate.io builders refuse what the spec does not allow (docs/providers/sipgate.md §4), and
 * the parser reads what sipgate sends (§2, §6.3 "worth a test each").
 */
import { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  parseSipgateRequest,
  SIPGATE_HANGUP_CAUSES,
  type SipgateHangup,
  type SipgateNewCall,
} from '../../../src/providers/sipgate/events';
import {
  dial,
  gather,
  hangup,
  play,
  reject,
  renderSipgateResponse,
  response,
} from '../../../src/providers/sipgate/responses';
import { placetel } from '../../../src';

function refused(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(CallControlError);
    expect((error as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
    return (error as CallControlError).message;
  }
  throw new Error('not refused');
}

describe('builders (spec §4)', () => {
  const url = 'https://example.com/sipgate';
  test.each([
    ['no target', () => dial({})],
    ['numbers and voicemail', () => dial({ numbers: ['4915799912345'], voicemail: true })],
    ['no numbers', () => dial({ numbers: [] })],
    ['six numbers', () => dial({ numbers: ['491', '492', '493', '494', '495', '496'] })],
    ['an empty number', () => dial({ numbers: [''] })],
    ['a SIP id', () => dial({ numbers: ['alice@example.com'] })],
    ['a callerId that is no number', () => dial({ numbers: ['491'], callerId: 'Alice' })],
    ['anonymous as text', () => dial({ numbers: ['491'], anonymous: 'true' as never })],
    ['a relative Url', () => play({ url: '/menu.wav' })],
    ['Gather without onData', () => gather({} as never)],
    ['maxDigits 0', () => gather({ onData: url, maxDigits: 0 })],
    ['timeout -1 ms', () => gather({ onData: url, timeout: -1 })],
    ['timeout 1.5 ms', () => gather({ onData: url, timeout: 1.5 })],
    ['type speech', () => gather({ onData: url, type: 'speech' as never })],
    ['a Gather prompt that is no Play', () => gather({ onData: url, play: hangup() as never })],
    ['reason declined', () => reject({ reason: 'declined' as never })],
    ['onAnswer relative', () => response({ onAnswer: '/sipgate' })],
    ['an unknown option', () => response({ onData: url } as never)],
    ['another provider as action', () => response({ action: placetel.hangup() as never })],
    ['nested follow-ups', () => response({ action: response({ onHangup: url }) as never })],
  ])('refuses %s', (_what, build) => {
    expect(refused(build)).toMatch(/^sipgate\./);
  });

  test('what <Dial> holds is the rule of the grammar (spec §4.2, §4.7)', () => {
    expect(refused(() => dial({}))).toBe(
      'sipgate.dial: <Dial> needs 1 to 5 <Number> elements or one <Voicemail>, got none',
    );
    expect(refused(() => dial({ numbers: ['1', '2', '3', '4', '5', '6'] }))).toBe(
      'sipgate.dial: <Dial> holds at most 5 <Number>, got 6',
    );
    expect(refused(() => dial({ numbers: ['491'], voicemail: true }))).toMatch(/not both/);
    // an empty list of numbers is no target: the voicemail alone is a <Dial>
    expect(dial({ numbers: [], voicemail: true }).element?.children).toEqual([
      { name: 'Voicemail' },
    ]);
  });

  test('accepts the limits: 5 numbers, maxDigits 1, timeout 0 ms (sipgate IVR example), a leading +', () => {
    expect(dial({ numbers: ['1', '2', '3', '4', '+49123'] }).action).toBe('Dial');
    expect(gather({ onData: url, maxDigits: 1, timeout: 1, type: 'dtmf' }).action).toBe('Gather');
    expect(renderSipgateResponse(gather({ onData: url, timeout: 0 }))).toContain('timeout="0"');
    expect(reject({ reason: 'rejected' }).provider).toBe('sipgate');
  });
});

function form(body: string): WebhookRequest {
  return {
    method: 'POST',
    url: '/',
    path: '/',
    query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(body),
  } as unknown as WebhookRequest;
}

describe('parser (spec §2)', () => {
  test('user[] once, empty, absent, literal or encoded: always a list', () => {
    const once = parseSipgateRequest(form('event=newCall&callId=1&user%5B%5D=Al+Ice'));
    expect((once as SipgateNewCall).users).toEqual(['Al Ice']);
    const literal = parseSipgateRequest(form('event=newCall&callId=1&user[]=Al%20Ice'));
    expect((literal as SipgateNewCall).users).toEqual(['Al Ice']);
    const empty = parseSipgateRequest(form('event=newCall&callId=1&user%5B%5D='));
    expect((empty as SipgateNewCall).users).toEqual(['']);
    const absent = parseSipgateRequest(form('event=newCall&callId=1'));
    expect((absent as SipgateNewCall).users).toEqual([]);
    expect(absent.lists).toEqual({});
  });

  test('every documented cause and an unknown one are kept as sent', () => {
    for (const cause of [...SIPGATE_HANGUP_CAUSES, 'chanunavail']) {
      const event = parseSipgateRequest(form(`event=hangup&callId=1&cause=${cause}`));
      expect((event as SipgateHangup).cause).toBe(cause);
    }
  });

  test('unknown fields and events are kept; answer with direction out and no user', () => {
    const answer = parseSipgateRequest(form('event=answer&callId=1&direction=out&extra=x'));
    expect(answer.raw['extra']).toBe('x');
    expect(answer).toMatchObject({ name: 'answer', direction: 'out', user: undefined });
    expect(parseSipgateRequest(form('event=transfer&callId=1')).name).toBe('transfer');
  });

  test('event and callId are required (400 CC_ERR_REQUEST_MALFORMED)', () => {
    for (const body of ['callId=1', 'event=newCall', 'event=newCall&callId=']) {
      expect(() => parseSipgateRequest(form(body))).toThrow(
        expect.objectContaining({ code: 'CC_ERR_REQUEST_MALFORMED', status: 400 }),
      );
    }
  });

  test('a JSON body is refused with 415', () => {
    const request = { ...form('{}'), headers: { 'content-type': 'application/json' } };
    expect(() => parseSipgateRequest(request as WebhookRequest)).toThrow(
      expect.objectContaining({ status: 415 }),
    );
  });
});
