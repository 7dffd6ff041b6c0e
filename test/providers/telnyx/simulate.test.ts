/**
 * Simulated Telnyx calls (src/providers/telnyx/simulate.ts): TeXML's fields
 * (docs/providers/telnyx.md §2.1, §2.2), the signature over `timestamp|body` (§3), and the
 * requests that follow an answer.
 */
import { generateKeyPairSync } from 'node:crypto';
import { followTelnyxAnswer, telnyxCallScenario } from '../../../src/providers/telnyx/simulate';
import { telnyxEventOf } from '../../../src/providers/telnyx/events';
import { verifyTelnyxSignature } from '../../../src/providers/telnyx/verify';

const keys = generateKeyPairSync('ed25519');
const fields = (text: string) => Object.fromEntries(new URLSearchParams(text));

function first<T>(list: readonly T[]): T {
  const item = list[0];
  if (item === undefined) throw new Error('empty');
  return item;
}

test('a whole call: the instruction fetch and the completed callback, with Telnyx ids', () => {
  const [voice, status] = telnyxCallScenario({ callSid: 'v3:test', from: '+15550000001' });
  expect(voice?.event).toBe('voice');
  expect(fields(voice?.body ?? '')).toMatchObject({
    CallSid: 'v3:test',
    CallSidLegacy: 'v3:test',
    CallingPartyType: 'pstn',
    From: '+15550000001',
  });
  const callback = telnyxEventOf(fields(status?.body ?? ''));
  expect(callback).toMatchObject({
    name: 'status-callback',
    callStatus: 'completed',
    callDurationSeconds: 30,
    hangupCause: 'normal_clearing',
  });
  // ISO 8601, not RFC 2822 (spec §6.3).
  expect(fields(status?.body ?? '')['Timestamp']).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test('a call never answered sends only the callback', () => {
  const requests = telnyxCallScenario({ finalStatus: 'busy' });
  expect(requests.map((r) => r.event)).toEqual(['status-callback']);
});

test('with a private key every request carries a signature that verifies', () => {
  const requests = telnyxCallScenario({ privateKey: keys.privateKey });
  for (const request of requests) {
    expect(
      verifyTelnyxSignature(
        request.body,
        request.headers['telnyx-signature-ed25519'],
        request.headers['telnyx-timestamp'],
        keys.publicKey,
      ),
    ).toBe(true);
  }
});

test('a Gather answer is followed by its action with the digits, in TeXML fields', () => {
  const voice = first(telnyxCallScenario({ callSid: 'v3:x' }));
  const reply = {
    request: voice,
    status: 200,
    body: '<Response><Gather action="http://127.0.0.1/telnyx/actions/menu?attempt=1"/></Response>',
  };
  const [next] = followTelnyxAnswer(
    reply,
    [voice],
    { digits: '5' },
    'http://127.0.0.1/telnyx',
  ).requests;
  expect(next).toMatchObject({ event: 'gather', path: '/actions/menu', query: 'attempt=1' });
  const sent = fields(next?.body ?? '');
  expect(sent).toMatchObject({ Digits: '5', CallSid: 'v3:x', CallSidLegacy: 'v3:x' });
  expect(sent['ApiVersion']).toBeUndefined();
  expect(sent['FinishedOnKey']).toBeUndefined();
});

test('GET: the fields of a followed request are in its query', () => {
  const voice = first(telnyxCallScenario({ method: 'GET' }));
  expect(voice.body).toBe('');
  const reply = {
    request: voice,
    status: 200,
    body: '<Response><Redirect method="GET">/telnyx/next</Redirect></Response>',
  };
  const [next] = followTelnyxAnswer(reply, [voice], {}, 'http://127.0.0.1/telnyx').requests;
  expect(next?.method).toBe('GET');
  expect(next?.path).toBe('/next');
  expect(fields(next?.query ?? '')['CallSidLegacy']).toBe(fields(voice.query ?? '')['CallSid']);
});
