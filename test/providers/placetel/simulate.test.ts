/**
 * Simulated Placetel calls: the requests Placetel would send, in order, encoded and signed
 * like real payloads (spec §1 "Payload key order", §2).
 */
import { decodeForm } from '../../../src/core/body';
import {
  parsePlacetelFields,
  parsePlacetelRequest,
  type PlacetelCallAccepted,
  type PlacetelHungUp,
  type PlacetelOutgoingCall,
} from '../../../src/providers/placetel/events';
import {
  encodePlacetelForm,
  placetelCallScenario,
  placetelRequest,
  type PlacetelSimulatedRequest,
} from '../../../src/providers/placetel/simulate';
import {
  PLACETEL_SIGNATURE_HEADER,
  signPlacetelBody,
  verifyPlacetelSignature,
} from '../../../src/providers/placetel/verify';
import { loadFixtures } from '../../helpers/fixtures';

const CALL_ID = 'f4591ba315d81671d7a06c2a3b4f963dafd119de39cb26edd8a6476676b2f447';
const SECRET = '12345';

/** The keys of a form body, in the order they appear. */
function keysOf(body: string): string[] {
  return body.split('&').map((pair) => decodeURIComponent(pair.split('=')[0] ?? ''));
}

function fieldsOf(simulated: PlacetelSimulatedRequest): Record<string, string> {
  return { ...decodeForm(simulated.body) };
}

function parseBack(simulated: PlacetelSimulatedRequest) {
  return parsePlacetelFields(decodeForm(simulated.body));
}

describe('encodePlacetelForm', () => {
  test('sorts keys alphabetically', () => {
    expect(encodePlacetelForm({ to: '2', event: 'HungUp', from: '1', call_id: 'x' })).toBe(
      'call_id=x&event=HungUp&from=1&to=2',
    );
  });

  test('writes @ as %40, + as %2B and a space as +', () => {
    expect(encodePlacetelForm({ peer: '7777abcdefg@fpbx.de' })).toBe('peer=7777abcdefg%40fpbx.de');
    expect(encodePlacetelForm({ from: '+4917312345678' })).toBe('from=%2B4917312345678');
    expect(encodePlacetelForm({ from: 'a b&c=d' })).toBe('from=a+b%26c%3Dd');
  });

  test('reproduces the README HMAC example body exactly', () => {
    expect(
      encodePlacetelForm({
        to: '0987654321',
        from: '0123456789',
        event: 'CallAccepted',
        call_id: '4a4cbb39578170aed9a2761a7bec8c7e704a541f52291ef603d6f5f152980c3c',
      }),
    ).toBe(
      'call_id=4a4cbb39578170aed9a2761a7bec8c7e704a541f52291ef603d6f5f152980c3c&event=CallAccepted&from=0123456789&to=0987654321',
    );
  });

  test('an empty map is an empty body', () => {
    expect(encodePlacetelForm({})).toBe('');
  });

  test('decodes back to the same fields', () => {
    const fields = { call_id: 'x', from: '+49 (0) 221/1234', peer: 'ä@ö.de', to: '100%' };
    expect({ ...decodeForm(encodePlacetelForm(fields)) }).toEqual(fields);
  });
});

describe('placetelRequest', () => {
  const fields = {
    call_id: '4a4cbb39578170aed9a2761a7bec8c7e704a541f52291ef603d6f5f152980c3c',
    event: 'CallAccepted',
    from: '0123456789',
    to: '0987654321',
  };

  test('signed with a secret: the README test vector signature', () => {
    const simulated = placetelRequest(fields, SECRET);
    expect(simulated).toEqual({
      event: 'CallAccepted',
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        [PLACETEL_SIGNATURE_HEADER]:
          'c4f823c5b8806432fe2b83b1fc2ee714422e0cdfb4b5129152a7d0bbcd7792d0',
      },
      body: encodePlacetelForm(fields),
    });
  });

  test('unsigned without a secret', () => {
    const simulated = placetelRequest(fields);
    expect(simulated.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(simulated.headers).not.toHaveProperty(PLACETEL_SIGNATURE_HEADER);
  });

  test('reproduces every sorted, signed request fixture byte for byte', () => {
    const fixtures = loadFixtures('placetel').requests.filter(
      (fixture) => fixture.secret !== undefined,
    );
    expect(fixtures.length).toBeGreaterThan(0);
    for (const fixture of fixtures) {
      const simulated = placetelRequest(fixture.expect.fields, fixture.secret);
      expect({ id: fixture.id, body: simulated.body }).toEqual({
        id: fixture.id,
        body: fixture.body,
      });
      expect({ id: fixture.id, signature: simulated.headers[PLACETEL_SIGNATURE_HEADER] }).toEqual({
        id: fixture.id,
        signature: fixture.headers[PLACETEL_SIGNATURE_HEADER],
      });
      expect(simulated.event).toBe(fixture.expect.event);
    }
  });

  test('event is empty when the fields have none', () => {
    expect(placetelRequest({ call_id: 'x' }).event).toBe('');
  });
});

describe('placetelCallScenario', () => {
  describe('an incoming accepted call', () => {
    const requests = placetelCallScenario({ callId: CALL_ID, secret: SECRET });

    test('is IncomingCall, CallAccepted, HungUp in that order', () => {
      expect(requests.map((r) => r.event)).toEqual(['IncomingCall', 'CallAccepted', 'HungUp']);
      expect(requests.map((r) => fieldsOf(r)['event'])).toEqual([
        'IncomingCall',
        'CallAccepted',
        'HungUp',
      ]);
    });

    test('every request is a form POST with the same call_id', () => {
      for (const simulated of requests) {
        expect(simulated.method).toBe('POST');
        expect(simulated.headers['content-type']).toBe('application/x-www-form-urlencoded');
        expect(fieldsOf(simulated)['call_id']).toBe(CALL_ID);
      }
    });

    test('keys are sorted alphabetically in every body', () => {
      for (const simulated of requests) {
        const keys = keysOf(simulated.body);
        expect(keys).toEqual([...keys].sort());
        expect(new Set(keys).size).toBe(keys.length);
      }
    });

    test('the exact bodies, with @ as %40', () => {
      expect(requests.map((r) => r.body)).toEqual([
        `call_id=${CALL_ID}&direction=in&event=IncomingCall&from=017312345678&to=022129191999`,
        `call_id=${CALL_ID}&direction=in&event=CallAccepted&from=017312345678&peer=7777abcdefg%40fpbx.de&to=022129191999`,
        `call_id=${CALL_ID}&direction=in&duration=38&event=HungUp&from=017312345678&to=022129191999&type=accepted`,
      ]);
      for (const simulated of requests) expect(simulated.body).not.toContain('@');
    });

    test('each body is signed, and the signature verifies', () => {
      for (const simulated of requests) {
        const signature = simulated.headers[PLACETEL_SIGNATURE_HEADER];
        expect(signature).toMatch(/^[0-9a-f]{64}$/);
        expect(signature).toBe(signPlacetelBody(simulated.body, SECRET));
        expect(verifyPlacetelSignature(Buffer.from(simulated.body), signature, [SECRET])).toBe(
          true,
        );
        expect(verifyPlacetelSignature(simulated.body, signature, ['other'])).toBe(false);
      }
    });

    test('each body parses back to the expected event', () => {
      const [incoming, accepted, hungUp] = requests.map(parseBack);
      expect(incoming).toMatchObject({
        name: 'IncomingCall',
        callId: CALL_ID,
        from: '017312345678',
        to: '022129191999',
        direction: 'in',
      });
      expect(accepted).toMatchObject({
        name: 'CallAccepted',
        callId: CALL_ID,
        direction: 'in',
        peer: '7777abcdefg@fpbx.de',
      });
      expect(hungUp).toMatchObject({
        name: 'HungUp',
        callId: CALL_ID,
        direction: 'in',
        type: 'accepted',
        duration: 38,
      });
    });

    test('each request parses through parsePlacetelRequest with its own headers', () => {
      const names = requests.map(
        (simulated) =>
          parsePlacetelRequest({
            method: simulated.method,
            path: '/',
            query: '',
            headers: simulated.headers,
            body: Buffer.from(simulated.body, 'utf8'),
          }).name,
      );
      expect(names).toEqual(['IncomingCall', 'CallAccepted', 'HungUp']);
    });
  });

  test('without a secret no request carries a signature', () => {
    const requests = placetelCallScenario({ callId: CALL_ID });
    expect(requests).toHaveLength(3);
    for (const simulated of requests) {
      expect(simulated.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    }
  });

  test('the same options give the same requests', () => {
    const options = { callId: CALL_ID, secret: SECRET, durationSeconds: 5 };
    expect(placetelCallScenario(options)).toEqual(placetelCallScenario(options));
  });

  test('the default call_id is 64 hex characters, the same for every event of the call', () => {
    const requests = placetelCallScenario();
    const ids = requests.map((simulated) => fieldsOf(simulated)['call_id']);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(ids).size).toBe(1);
  });

  test('custom numbers, peer and duration are used and encoded', () => {
    const requests = placetelCallScenario({
      callId: 'abc',
      from: '+4917312345678',
      to: '23',
      peer: '7777xyz@fpbx.de',
      durationSeconds: 0,
    });
    expect(requests[1]?.body).toBe(
      'call_id=abc&direction=in&event=CallAccepted&from=%2B4917312345678&peer=7777xyz%40fpbx.de&to=23',
    );
    const events = requests.map(parseBack);
    for (const event of events) {
      expect(event.from).toBe('+4917312345678');
      expect(event.to).toBe('23');
    }
    expect((events[1] as PlacetelCallAccepted).peer).toBe('7777xyz@fpbx.de');
    expect((events[2] as PlacetelHungUp).duration).toBe(0);
  });

  test.each(['missed', 'voicemail', 'blocked', 'busy', 'canceled', 'unavailable', 'congestion'])(
    'an incoming call ending %s skips CallAccepted and sends duration 0',
    (hangupType) => {
      const requests = placetelCallScenario({
        callId: CALL_ID,
        hangupType,
        durationSeconds: 99,
        secret: SECRET,
      });
      expect(requests.map((r) => r.event)).toEqual(['IncomingCall', 'HungUp']);
      const hungUp = requests[1];
      if (hungUp === undefined) throw new Error('no HungUp');
      expect(fieldsOf(hungUp)).toEqual({
        call_id: CALL_ID,
        direction: 'in',
        duration: '0',
        event: 'HungUp',
        from: '017312345678',
        to: '022129191999',
        type: hangupType,
      });
      expect(parseBack(hungUp)).toMatchObject({ name: 'HungUp', type: hangupType, duration: 0 });
      for (const simulated of requests) {
        expect(
          verifyPlacetelSignature(simulated.body, simulated.headers[PLACETEL_SIGNATURE_HEADER], [
            SECRET,
          ]),
        ).toBe(true);
      }
    },
  );

  describe('an outgoing call', () => {
    const requests = placetelCallScenario({ callId: CALL_ID, direction: 'out', secret: SECRET });

    test('is OutgoingCall, HungUp (no CallAccepted for outgoing calls)', () => {
      expect(requests.map((r) => r.event)).toEqual(['OutgoingCall', 'HungUp']);
    });

    test('the exact bodies: direction out, peer on OutgoingCall, sorted keys', () => {
      expect(requests.map((r) => r.body)).toEqual([
        `call_id=${CALL_ID}&direction=out&event=OutgoingCall&from=022129191999&peer=7777abcdefg%40fpbx.de&to=017312345678`,
        `call_id=${CALL_ID}&direction=out&duration=38&event=HungUp&from=022129191999&to=017312345678&type=accepted`,
      ]);
    });

    test('the OutgoingCall body equals the signed fixture placetel.outgoing', () => {
      const fixture = loadFixtures('placetel').requests.find((f) => f.id === 'placetel.outgoing');
      expect(requests[0]?.body).toBe(fixture?.body);
      expect(requests[0]?.headers[PLACETEL_SIGNATURE_HEADER]).toBe(
        fixture?.headers[PLACETEL_SIGNATURE_HEADER],
      );
    });

    test('each body parses back to the expected event', () => {
      const [outgoing, hungUp] = requests.map(parseBack);
      expect(outgoing).toMatchObject({
        name: 'OutgoingCall',
        callId: CALL_ID,
        from: '022129191999',
        to: '017312345678',
        direction: 'out',
      });
      expect((outgoing as PlacetelOutgoingCall).peer).toBe('7777abcdefg@fpbx.de');
      expect(hungUp).toMatchObject({
        name: 'HungUp',
        direction: 'out',
        type: 'accepted',
        duration: 38,
      });
    });

    test('a busy outgoing call is OutgoingCall, HungUp with duration 0', () => {
      const busy = placetelCallScenario({ direction: 'out', hangupType: 'busy' });
      expect(busy.map((r) => r.event)).toEqual(['OutgoingCall', 'HungUp']);
      const hungUp = busy[1];
      if (hungUp === undefined) throw new Error('no HungUp');
      expect(parseBack(hungUp)).toMatchObject({ type: 'busy', duration: 0 });
    });
  });

  test.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^53', 2 ** 53],
    ['the string "38"', '38'],
  ])('an invalid duration (%s) is a TypeError', (_label, durationSeconds) => {
    expect(() => placetelCallScenario({ durationSeconds: durationSeconds as never })).toThrow(
      TypeError,
    );
  });

  test('a duration of 0 is valid', () => {
    const hungUp = placetelCallScenario({ durationSeconds: 0 }).at(-1);
    if (hungUp === undefined) throw new Error('no HungUp');
    expect(fieldsOf(hungUp)).toMatchObject({ event: 'HungUp', duration: '0', type: 'accepted' });
  });
});
