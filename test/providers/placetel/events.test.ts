/**
 * Parsing Placetel requests into typed events (spec §2, §8).
 */
import { CallControlError, type ErrorCode } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  PLACETEL_EVENTS,
  PLACETEL_HANGUP_TYPES,
  parsePlacetelFields,
  parsePlacetelRequest,
  type PlacetelCallAccepted,
  type PlacetelHungUp,
  type PlacetelOutgoingCall,
} from '../../../src/providers/placetel/events';
import { loadFixtures } from '../../helpers/fixtures';
import { thrown } from '../../helpers/assert';

const FORM = 'application/x-www-form-urlencoded';
const CALL_ID = 'f4591ba315d81671d7a06c2a3b4f963dafd119de39cb26edd8a6476676b2f447';

/** A request as the adapter hands it over; `contentType: null` sends no Content-Type. */
function request(body: string | Buffer, contentType: string | null = FORM): WebhookRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: contentType === null ? {} : { 'content-type': contentType },
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

function parse(body: string | Buffer, contentType: string | null = FORM) {
  return parsePlacetelRequest(request(body, contentType));
}

/** A field map as the body decoder makes it: no prototype. */
function fields(entries: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, entries);
}

function expectError(fn: () => unknown, code: ErrorCode, status: number, fragment?: string): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(CallControlError);
  const callControlError = error as CallControlError;
  expect(callControlError.code).toBe(code);
  expect(callControlError.status).toBe(status);
  expect(callControlError.expose).toBe(true);
  if (fragment !== undefined) expect(callControlError.message).toContain(fragment);
}

/** The typed fields of an event, without `raw`. */
function withoutRaw(event: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'raw'));
}

/** `{ ...raw }` as a plain object, for comparing with toEqual. */
function plain(raw: Readonly<Record<string, string>>): Record<string, string> {
  return { ...raw };
}

const HANGUP_TYPES = [
  'voicemail',
  'missed',
  'blocked',
  'accepted',
  'busy',
  'canceled',
  'unavailable',
  'congestion',
] as const;

describe('constants', () => {
  test('the four documented events', () => {
    expect([...PLACETEL_EVENTS].sort()).toEqual(
      ['CallAccepted', 'HungUp', 'IncomingCall', 'OutgoingCall'].sort(),
    );
  });

  test('the eight documented hangup types, spelled as Placetel spells them', () => {
    expect([...PLACETEL_HANGUP_TYPES].sort()).toEqual([...HANGUP_TYPES].sort());
  });
});

describe('each event type and its typed fields', () => {
  test('IncomingCall', () => {
    const body = `call_id=${CALL_ID}&direction=in&event=IncomingCall&from=017312345678&to=022129191999`;
    expect(parse(body)).toEqual({
      provider: 'placetel',
      name: 'IncomingCall',
      callId: CALL_ID,
      from: '017312345678',
      to: '022129191999',
      direction: 'in',
      raw: {
        call_id: CALL_ID,
        direction: 'in',
        event: 'IncomingCall',
        from: '017312345678',
        to: '022129191999',
      },
    });
  });

  test('OutgoingCall with peer', () => {
    const event = parse(
      `call_id=${CALL_ID}&direction=out&event=OutgoingCall&from=022129191999&peer=7777abcdefg%40fpbx.de&to=017312345678`,
    );
    expect(event).toEqual({
      provider: 'placetel',
      name: 'OutgoingCall',
      callId: CALL_ID,
      from: '022129191999',
      to: '017312345678',
      direction: 'out',
      peer: '7777abcdefg@fpbx.de',
      raw: expect.any(Object) as unknown,
    });
  });

  test('OutgoingCall without peer (before 2020) has peer undefined', () => {
    const event = parse('call_id=XXXX&direction=out&event=OutgoingCall&from=1111&to=9999');
    expect(event.name).toBe('OutgoingCall');
    expect((event as PlacetelOutgoingCall).peer).toBeUndefined();
  });

  test('CallAccepted with peer', () => {
    const event = parse(
      `call_id=${CALL_ID}&direction=in&event=CallAccepted&from=017312345678&peer=7777abcdefg%40fpbx.de&to=022129191999`,
    );
    expect(event).toEqual({
      provider: 'placetel',
      name: 'CallAccepted',
      callId: CALL_ID,
      from: '017312345678',
      to: '022129191999',
      direction: 'in',
      peer: '7777abcdefg@fpbx.de',
      raw: expect.any(Object) as unknown,
    });
  });

  test('HungUp with type and duration as a number of seconds', () => {
    const event = parse(
      `call_id=${CALL_ID}&direction=in&duration=38&event=HungUp&from=017312345678&to=022129191999&type=accepted`,
    );
    expect(event).toEqual({
      provider: 'placetel',
      name: 'HungUp',
      callId: CALL_ID,
      from: '017312345678',
      to: '022129191999',
      direction: 'in',
      type: 'accepted',
      duration: 38,
      raw: expect.any(Object) as unknown,
    });
    expect(typeof (event as PlacetelHungUp).duration).toBe('number');
  });

  test.each([
    ['0', 0],
    ['1', 1],
    ['38', 38],
    ['007', 7],
    ['3600', 3600],
    ['86400', 86400],
  ])('HungUp duration %s is %d seconds', (text, seconds) => {
    const event = parse(`call_id=x&event=HungUp&type=accepted&duration=${text}`) as PlacetelHungUp;
    expect(event.duration).toBe(seconds);
    expect(event.raw['duration']).toBe(text);
  });

  test('HungUp without duration or type (2017 payloads) has them undefined', () => {
    const event = parse(
      `event=HungUp&from=017312345678&to=022129191999&call_id=${CALL_ID}`,
    ) as PlacetelHungUp;
    expect(event.name).toBe('HungUp');
    expect(event.duration).toBeUndefined();
    expect(event.type).toBeUndefined();
  });

  test.each(HANGUP_TYPES)('HungUp type %s', (type) => {
    const direction = ['busy', 'canceled', 'unavailable', 'congestion'].includes(type)
      ? 'out'
      : 'in';
    const event = parse(
      `call_id=${CALL_ID}&direction=${direction}&duration=0&event=HungUp&from=1&to=2&type=${type}`,
    ) as PlacetelHungUp;
    expect(event.name).toBe('HungUp');
    expect(event.type).toBe(type);
    expect(event.direction).toBe(direction);
    expect(event.duration).toBe(0);
  });

  test('an unknown future hangup type is kept as sent', () => {
    const event = parse('call_id=x&event=HungUp&duration=0&type=transferred') as PlacetelHungUp;
    expect(event.type).toBe('transferred');
    const cased = parse('call_id=x&event=HungUp&duration=0&type=Cancelled') as PlacetelHungUp;
    expect(cased.type).toBe('Cancelled');
  });

  test('an unknown event name is parsed as an unknown event with the common fields', () => {
    const event = parse(
      `call_id=${CALL_ID}&direction=in&event=CallTransferred&from=017312345678&peer=7777abcdefg%40fpbx.de&to=022129191999&type=x`,
    );
    expect(event).toEqual({
      provider: 'placetel',
      name: 'CallTransferred',
      callId: CALL_ID,
      from: '017312345678',
      to: '022129191999',
      direction: 'in',
      raw: {
        call_id: CALL_ID,
        direction: 'in',
        event: 'CallTransferred',
        from: '017312345678',
        peer: '7777abcdefg@fpbx.de',
        to: '022129191999',
        type: 'x',
      },
    });
    expect(event).not.toHaveProperty('peer');
    expect(event).not.toHaveProperty('type');
    expect(event).not.toHaveProperty('duration');
  });

  test.each(['Hangup', 'HangUp', 'hungup', 'incomingcall', 'AcceptedCall'])(
    'a misspelled event name %s is an unknown event, not a known one',
    (name) => {
      const event = parse(`call_id=x&event=${name}&duration=abc`);
      expect(event.name).toBe(name);
      expect(PLACETEL_EVENTS as readonly string[]).not.toContain(event.name);
      expect(event).not.toHaveProperty('duration');
    },
  );

  test('an unknown event without direction has direction undefined', () => {
    expect(parse('call_id=x&event=Whatever').direction).toBeUndefined();
  });
});

describe('legacy payloads without direction', () => {
  test.each([
    ['IncomingCall', 'in'],
    ['CallAccepted', 'in'],
    ['OutgoingCall', 'out'],
    ['HungUp', undefined],
  ])('%s gets direction %s', (name, direction) => {
    const event = parse(`event=${name}&from=017312345678&to=022129191999&call_id=${CALL_ID}`);
    expect(event.name).toBe(name);
    expect(event.direction).toBe(direction);
    expect(event.raw['direction']).toBeUndefined();
  });

  test.each([
    ['IncomingCall', 'in'],
    ['CallAccepted', 'in'],
    ['OutgoingCall', 'out'],
    ['HungUp', undefined],
  ])('%s with an empty direction is treated as having none', (name, direction) => {
    expect(parse(`event=${name}&direction=&call_id=x`).direction).toBe(direction);
  });

  test.each([
    ['IncomingCall', 'out'],
    ['OutgoingCall', 'in'],
    ['HungUp', 'out'],
    ['HungUp', 'in'],
    ['CallAccepted', 'sideways'],
  ])('%s keeps the direction %s as sent', (name, direction) => {
    expect(parse(`event=${name}&direction=${direction}&call_id=x`).direction).toBe(direction);
  });
});

describe('field values', () => {
  test.each([
    ['raw', '7777abcdefg@fpbx.de'],
    ['percent-encoded', '7777abcdefg%40fpbx.de'],
    ['percent-encoded, lower-case hex', '7777abcdefg%40fpbx%2ede'],
  ])('@ sent %s', (_label, encoded) => {
    const event = parse(
      `event=CallAccepted&call_id=x&from=017312345678&to=022129191999&peer=${encoded}`,
    ) as PlacetelCallAccepted;
    expect(event.peer).toBe('7777abcdefg@fpbx.de');
  });

  test('SIP ids in from and to (internal calls), @ raw and encoded', () => {
    const event = parse(
      'event=HungUp&call_id=x&direction=out&duration=12&type=accepted&from=7777abcdefg@fpbx.de&to=7777xyz%40fpbx.de',
    );
    expect(event.from).toBe('7777abcdefg@fpbx.de');
    expect(event.to).toBe('7777xyz@fpbx.de');
  });

  test('+ sent raw is kept as + in from, to and peer', () => {
    const event = parse(
      'event=OutgoingCall&call_id=x&direction=out&from=+4922129191999&to=+4917312345678&peer=+4930123@fpbx.de',
    ) as PlacetelOutgoingCall;
    expect(event.from).toBe('+4922129191999');
    expect(event.to).toBe('+4917312345678');
    expect(event.peer).toBe('+4930123@fpbx.de');
  });

  test('+ sent as %2B is + in from, to and peer', () => {
    const event = parse(
      'event=CallAccepted&call_id=x&direction=in&from=%2B4917312345678&to=%2b4922129191999&peer=%2B4930123%40fpbx.de',
    ) as PlacetelCallAccepted;
    expect(event.from).toBe('+4917312345678');
    expect(event.to).toBe('+4922129191999');
    expect(event.peer).toBe('+4930123@fpbx.de');
  });

  test('raw + and %2B give the same typed fields', () => {
    const rawPlus = parse('event=IncomingCall&call_id=x&from=+49173&to=+49221');
    const encoded = parse('event=IncomingCall&call_id=x&from=%2B49173&to=%2B49221');
    expect([rawPlus.from, rawPlus.to]).toEqual([encoded.from, encoded.to]);
  });

  test.each([
    ['00 prefix', '004917312345678'],
    ['national', '017312345678'],
    ['anonymous', 'anonymous'],
    ['an extension', '23'],
  ])('a %s number is kept unchanged', (_label, number) => {
    const event = parse(`event=IncomingCall&call_id=x&from=${number}&to=${number}`);
    expect(event.from).toBe(number);
    expect(event.to).toBe(number);
  });

  test('anonymous caller', () => {
    const event = parse(
      `call_id=${CALL_ID}&direction=in&event=IncomingCall&from=anonymous&to=022129191999`,
    );
    expect(event.name).toBe('IncomingCall');
    expect(event.from).toBe('anonymous');
  });

  test('extension 23 as the called number of an internal outgoing call', () => {
    const event = parse(
      `call_id=${CALL_ID}&direction=out&event=OutgoingCall&from=022129191999&peer=7777abcdefg%40fpbx.de&to=23`,
    );
    expect(event.name).toBe('OutgoingCall');
    expect(event.to).toBe('23');
    expect(event.direction).toBe('out');
  });

  test('from and to are empty strings when not sent', () => {
    const event = parse('event=IncomingCall&call_id=x');
    expect(event.from).toBe('');
    expect(event.to).toBe('');
  });

  test('spaces and non-ASCII text are decoded', () => {
    const event = parse('event=IncomingCall&call_id=x&from=M%C3%BCller+GmbH&to=0221%201234');
    expect(event.from).toBe('Müller GmbH');
    expect(event.to).toBe('0221 1234');
  });
});

describe('form decoding', () => {
  const sorted = `call_id=${CALL_ID}&direction=in&duration=38&event=HungUp&from=017312345678&to=022129191999&type=accepted`;
  const pairs = sorted.split('&');

  test.each([
    ['reversed', [...pairs].reverse()],
    ['event first', [pairs[3], pairs[0], pairs[6], pairs[2], pairs[4], pairs[1], pairs[5]]],
    ['call_id last', [...pairs.slice(1), pairs[0]]],
  ])('keys in any order: %s', (_label, order) => {
    expect(parse(order.join('&'))).toEqual(parse(sorted));
  });

  test('unknown extra fields are kept in raw and do not change the typed fields', () => {
    const event = parse(
      `${sorted}&user=voicemail&recording_url=https%3A%2F%2Fexample.com%2Fa.mp3&empty=`,
    );
    expect(plain(event.raw)).toEqual({
      call_id: CALL_ID,
      direction: 'in',
      duration: '38',
      event: 'HungUp',
      from: '017312345678',
      to: '022129191999',
      type: 'accepted',
      user: 'voicemail',
      recording_url: 'https://example.com/a.mp3',
      empty: '',
    });
    expect(event).not.toHaveProperty('user');
    expect(event).not.toHaveProperty('recording_url');
    expect(withoutRaw(event)).toEqual(withoutRaw(parse(sorted)));
  });

  test('duplicate keys: the first value wins', () => {
    const event = parse(
      'event=IncomingCall&call_id=first&from=111&event=HungUp&call_id=second&from=222&duration=abc',
    );
    expect(event.name).toBe('IncomingCall');
    expect(event.callId).toBe('first');
    expect(event.from).toBe('111');
    expect(event.raw['event']).toBe('IncomingCall');
    expect(event.raw['call_id']).toBe('first');
  });

  test('duplicate duration: the first value is used', () => {
    const event = parse('event=HungUp&call_id=x&duration=12&duration=abc') as PlacetelHungUp;
    expect(event.duration).toBe(12);
  });

  test.each([
    ['__proto__', '__proto__=polluted'],
    ['__proto__ with a nested-looking key', '__proto__%5Bpolluted%5D=yes'],
    ['constructor and toString', 'constructor=x&toString=y&hasOwnProperty=z'],
  ])('a %s key is just data', (_label, extra) => {
    const event = parse(`${extra}&event=IncomingCall&call_id=x&from=1&to=2`);
    expect(event.name).toBe('IncomingCall');
    expect(event.callId).toBe('x');
    const keys = Object.keys(event.raw);
    for (const pair of extra.split('&')) {
      const key = decodeURIComponent(pair.split('=')[0] ?? '');
      expect(keys).toContain(key);
      expect(Object.getOwnPropertyDescriptor(event.raw, key)?.value).toBe(pair.split('=')[1]);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('__proto__ does not change the prototype of raw', () => {
    const event = parse('__proto__=x&event=IncomingCall&call_id=x');
    expect(Object.getOwnPropertyNames(event.raw)).toContain('__proto__');
    expect(Object.getPrototypeOf(event.raw)).toBeNull();
    expect(event.raw['__proto__']).toBe('x');
  });

  test('raw is frozen', () => {
    const event = parse('event=IncomingCall&call_id=x');
    expect(Object.isFrozen(event.raw)).toBe(true);
  });

  test.each([
    ['application/x-www-form-urlencoded; charset=utf-8'],
    ['application/x-www-form-urlencoded; charset=UTF-8'],
    ['Application/X-WWW-Form-Urlencoded'],
    ['application/x-www-form-urlencoded;charset="utf-8"'],
  ])('content type %s is accepted', (contentType) => {
    expect(parse('event=IncomingCall&call_id=x', contentType).name).toBe('IncomingCall');
  });

  test('a UTF-8 byte order mark is not part of the first key', () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('event=IncomingCall&call_id=x'),
    ]);
    expect(parse(body).name).toBe('IncomingCall');
  });
});

describe('JSON bodies', () => {
  test('a flat JSON object is accepted', () => {
    const event = parse(
      JSON.stringify({
        call_id: CALL_ID,
        direction: 'in',
        event: 'IncomingCall',
        from: '+4917312345678',
        to: '022129191999',
      }),
      'application/json',
    );
    expect(event).toEqual({
      provider: 'placetel',
      name: 'IncomingCall',
      callId: CALL_ID,
      from: '+4917312345678',
      to: '022129191999',
      direction: 'in',
      raw: expect.any(Object) as unknown,
    });
  });

  test('numbers become their text; duration as a JSON number', () => {
    const event = parse(
      '{"event":"HungUp","call_id":"x","duration":38,"type":"accepted","direction":"out","from":17312345678}',
      'application/json; charset=utf-8',
    ) as PlacetelHungUp;
    expect(event.duration).toBe(38);
    expect(event.from).toBe('17312345678');
    expect(event.raw['duration']).toBe('38');
  });

  test('a __proto__ key in JSON is just data', () => {
    const event = parse(
      '{"__proto__":"x","event":"IncomingCall","call_id":"y"}',
      'application/json',
    );
    expect(event.name).toBe('IncomingCall');
    expect(Object.getOwnPropertyDescriptor(event.raw, '__proto__')?.value).toBe('x');
  });

  test.each([
    ['a nested object', '{"event":"IncomingCall","call_id":"x","caller":{"number":"1"}}'],
    ['a nested array', '{"event":"IncomingCall","call_id":"x","numbers":["1"]}'],
    [
      'a nested __proto__ object',
      '{"__proto__":{"polluted":1},"event":"IncomingCall","call_id":"x"}',
    ],
    ['a top-level array', '[{"event":"IncomingCall","call_id":"x"}]'],
    ['a top-level string', '"event=IncomingCall"'],
    ['null', 'null'],
    ['broken JSON', '{"event":"IncomingCall",'],
  ])('%s is CC_ERR_BODY_INVALID (400)', (_label, body) => {
    expectError(() => parse(body, 'application/json'), 'CC_ERR_BODY_INVALID', 400);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('a JSON body with a wrong duration is 400', () => {
    expectError(
      () => parse('{"event":"HungUp","call_id":"x","duration":1.5}', 'application/json'),
      'CC_ERR_REQUEST_MALFORMED',
      400,
      'duration',
    );
  });
});

describe('malformed requests', () => {
  test.each([
    ['no event', 'call_id=x&from=1&to=2', 'event'],
    ['an empty event', 'event=&call_id=x', 'event'],
    ['no call_id', 'event=IncomingCall&from=1&to=2', 'call_id'],
    ['an empty call_id', 'event=IncomingCall&call_id=', 'call_id'],
    ['an empty body', '', 'event'],
    ['a body of other text', 'hello', 'event'],
  ])('%s is CC_ERR_REQUEST_MALFORMED (400)', (_label, body, field) => {
    expectError(() => parse(body), 'CC_ERR_REQUEST_MALFORMED', 400, field);
  });

  test('an empty body without a content type is read as no fields: 400, not 415', () => {
    expectError(() => parse('', null), 'CC_ERR_REQUEST_MALFORMED', 400, 'event');
  });

  test('a key named Event or CALL_ID does not count', () => {
    expectError(() => parse('Event=IncomingCall&call_id=x'), 'CC_ERR_REQUEST_MALFORMED', 400);
    expectError(() => parse('event=IncomingCall&CALL_ID=x'), 'CC_ERR_REQUEST_MALFORMED', 400);
  });

  test.each(['abc', '-1', '1.5', '1e3', ' 38', '38s', '0x10', '+38', '١٢'])(
    'duration %j is CC_ERR_REQUEST_MALFORMED (400)',
    (duration) => {
      expectError(
        () =>
          parse(`event=HungUp&call_id=x&type=accepted&duration=${encodeURIComponent(duration)}`),
        'CC_ERR_REQUEST_MALFORMED',
        400,
        'duration',
      );
    },
  );

  test.each([
    ['text/plain', 'text/plain'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
    ['application/xml', 'application/xml'],
    ['text/xml', 'text/xml'],
    ['an unparseable content type', 'form urlencoded'],
  ])('content type %s is CC_ERR_UNSUPPORTED_MEDIA_TYPE (415)', (_label, contentType) => {
    expectError(
      () => parse('event=IncomingCall&call_id=x', contentType),
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      415,
    );
  });

  test('a body without a content type is 415', () => {
    expectError(
      () => parse('event=IncomingCall&call_id=x', null),
      'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
      415,
    );
  });

  test.each(['iso-8859-1', 'ISO-8859-1', 'latin1', 'utf-16', 'windows-1252'])(
    'charset=%s is CC_ERR_UNSUPPORTED_MEDIA_TYPE (415)',
    (charset) => {
      expectError(
        () => parse('event=IncomingCall&call_id=x', `${FORM}; charset=${charset}`),
        'CC_ERR_UNSUPPORTED_MEDIA_TYPE',
        415,
        charset.toLowerCase(),
      );
    },
  );

  test.each([
    ['a Latin-1 byte', Buffer.from('event=IncomingCall&call_id=x&from=M\xfcller', 'latin1')],
    ['a lone continuation byte', Buffer.from([0x65, 0x76, 0x65, 0x6e, 0x74, 0x3d, 0x80])],
    [
      'a truncated sequence',
      Buffer.concat([Buffer.from('event=IncomingCall&call_id=x&f='), Buffer.from([0xe2, 0x82])]),
    ],
    [
      'an encoded surrogate',
      Buffer.concat([
        Buffer.from('event=IncomingCall&call_id=x&f='),
        Buffer.from([0xed, 0xa0, 0x80]),
      ]),
    ],
    [
      'an overlong encoding',
      Buffer.concat([Buffer.from('event=IncomingCall&call_id=x&f='), Buffer.from([0xc0, 0xaf])]),
    ],
  ])('invalid UTF-8 bytes (%s) are CC_ERR_BODY_INVALID (400)', (_label, body) => {
    expectError(() => parse(body), 'CC_ERR_BODY_INVALID', 400, 'UTF-8');
  });

  test('invalid UTF-8 in a JSON body is 400 too', () => {
    const body = Buffer.concat([
      Buffer.from('{"event":"IncomingCall","call_id":"'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expectError(() => parse(body, 'application/json'), 'CC_ERR_BODY_INVALID', 400);
  });
});

describe('parsePlacetelFields', () => {
  test('parses an already decoded field map', () => {
    const event = parsePlacetelFields(
      fields({
        call_id: CALL_ID,
        direction: 'out',
        duration: '0',
        event: 'HungUp',
        from: '022129191999',
        to: '017312345678',
        type: 'busy',
      }),
    );
    expect(event).toEqual({
      provider: 'placetel',
      name: 'HungUp',
      callId: CALL_ID,
      from: '022129191999',
      to: '017312345678',
      direction: 'out',
      type: 'busy',
      duration: 0,
      raw: expect.any(Object) as unknown,
    });
  });

  test('applies the same rules as the request parser', () => {
    expectError(
      () => parsePlacetelFields(fields({ call_id: 'x' })),
      'CC_ERR_REQUEST_MALFORMED',
      400,
      'event',
    );
    expectError(
      () => parsePlacetelFields(fields({ event: 'IncomingCall' })),
      'CC_ERR_REQUEST_MALFORMED',
      400,
      'call_id',
    );
    expectError(
      () => parsePlacetelFields(fields({ event: 'HungUp', call_id: 'x', duration: '-1' })),
      'CC_ERR_REQUEST_MALFORMED',
      400,
      'duration',
    );
    expect(parsePlacetelFields(fields({ event: 'IncomingCall', call_id: 'x' })).direction).toBe(
      'in',
    );
  });

  test('a decoded leading space before a digit (an unencoded +) becomes +', () => {
    const event = parsePlacetelFields(
      fields({ event: 'CallAccepted', call_id: 'x', from: ' 4917', to: ' 4922', peer: ' 49@x' }),
    ) as PlacetelCallAccepted;
    expect([event.from, event.to, event.peer]).toEqual(['+4917', '+4922', '+49@x']);
  });
});

describe('shared request fixtures', () => {
  const fixtures = loadFixtures('placetel').requests;

  test('there are request fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  test.each(fixtures.map((fixture) => [fixture.id, fixture] as const))(
    '%s parses to the expected event and fields',
    (_id, fixture) => {
      const event = parsePlacetelRequest({
        method: fixture.method,
        path: '/',
        query: '',
        headers: fixture.headers,
        body: Buffer.from(fixture.body ?? '', 'utf8'),
      });
      const expected = fixture.expect.fields;
      expect(event.provider).toBe('placetel');
      expect(event.name).toBe(fixture.expect.event);
      expect(plain(event.raw)).toEqual(expected);
      expect(event.callId).toBe(expected['call_id']);
      expect(event.from).toBe(expected['from'] ?? '');
      expect(event.to).toBe(expected['to'] ?? '');
      if (expected['direction'] !== undefined) expect(event.direction).toBe(expected['direction']);
      if ('peer' in event) expect(event.peer).toBe(expected['peer']);
      if ('duration' in event) {
        expect(event.duration).toBe(
          expected['duration'] === undefined ? undefined : Number(expected['duration']),
        );
        expect(event.type).toBe(expected['type']);
      }
    },
  );
});
