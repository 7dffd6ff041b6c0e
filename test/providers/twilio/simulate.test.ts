/**
 * The simulated Twilio call follows the answers as Twilio runs them (docs/providers/twilio.md
 * §2.4, §2.5, §2.7, §5.1): the n-th Gather gets the n-th digits entry at its action (default:
 * the current document's URL), Redirect, Dial and Record actions are requested, Hangup and
 * the end of the document end the call, URLs outside the played URL are not followed.
 */
import { twilio } from '../../../src';
import type { TestRequest } from '../../../src/testing';

const BASE = 'https://voice.example.com/twilio';
const voice = twilio.twilioCallScenario({ callSid: 'CA1' })[0] as TestRequest;

function follow(xml: string, sent: TestRequest[] = [voice], digits?: string[]) {
  return twilio.followTwilioAnswer(
    { request: sent[sent.length - 1] as TestRequest, status: 200, body: xml },
    sent,
    digits === undefined ? {} : { digits },
    BASE,
  ).requests;
}

/** The events of the requests a step sends. */
const events = (requests: readonly TestRequest[]) => requests.map((request) => request.event);

test('the scenario: a voice request and the final status callback; unanswered calls only the callback', () => {
  expect(twilio.twilioCallScenario().map((request) => request.event)).toEqual([
    'voice',
    'status-callback',
  ]);
  const busy = twilio.twilioCallScenario({ finalStatus: 'busy' });
  expect(busy.map((request) => request.event)).toEqual(['status-callback']);
  expect(new URLSearchParams(busy[0]?.body).get('CallStatus')).toBe('busy');
});

test('a Gather posts the next digits entry to its action, keeping the call fields', () => {
  const [next] = follow(
    `<Response><Gather action="${BASE}/actions/menu?x=1"><Say>Hi</Say></Gather></Response>`,
    [voice],
    ['42'],
  );
  expect(next).toMatchObject({ event: 'gather', path: '/actions/menu', query: 'x=1' });
  const fields = new URLSearchParams(next?.body);
  expect(fields.get('Digits')).toBe('42');
  expect(fields.get('CallSid')).toBe('CA1');
  expect(fields.get('CallStatus')).toBe('in-progress');
});

test('a Gather without action posts to the current document; without digits left it falls through', () => {
  const [same] = follow('<Response><Gather method="GET"/></Response>', [voice], ['1']);
  expect(same).toMatchObject({ event: 'gather', method: 'GET', path: '/' });
  // No digits left: the Gather falls through to the Hangup, which ends the call.
  expect(events(follow('<Response><Gather action="x"/><Hangup/></Response>', [voice], []))).toEqual(
    ['status-callback'],
  );
  const gathered = { ...voice, event: 'gather' };
  expect(
    follow(
      '<Response><Gather action="x"/><Redirect>again</Redirect></Response>',
      [voice, gathered],
      ['1'],
    ),
  ).toMatchObject([{ event: 'voice', path: '/again' }]);
});

test('Dial and Record actions are requested; a Dial without action goes on', () => {
  const [dial] = follow('<Response><Dial action="actions/dialed">+15550001111</Dial></Response>');
  expect(dial).toMatchObject({ event: 'dial', path: '/actions/dialed' });
  expect(new URLSearchParams(dial?.body).get('DialCallStatus')).toBe('completed');
  // A Dial without action that nobody answers goes on with the next verb; one answered ends
  // the call when the caller hangs up after the talk.
  const busy = twilio.followTwilioAnswer(
    {
      request: voice,
      status: 200,
      body: '<Response><Dial>+1555</Dial><Record action="rec"/></Response>',
    },
    [voice],
    { targets: { '+1555': 'busy' } },
    BASE,
  ).requests;
  expect(busy[0]).toMatchObject({ event: 'record', path: '/rec' });
  expect(events(follow('<Response><Dial>+1555</Dial><Record action="rec"/></Response>'))).toEqual([
    'status-callback',
  ]);
});

test('URLs outside the played URL and errors are not followed: the call ends with its status callback', () => {
  // A path-absolute URL resolves against the host: outside the mount.
  expect(events(follow('<Response><Redirect>/again</Redirect></Response>'))).toEqual([
    'status-callback',
  ]);
  expect(
    events(follow('<Response><Redirect>https://elsewhere.example.com/x</Redirect></Response>')),
  ).toEqual(['status-callback']);
  expect(
    events(
      twilio.followTwilioAnswer({ request: voice, status: 500, body: '' }, [voice], {}, BASE)
        .requests,
    ),
  ).toEqual(['status-callback']);
  // A 2xx answer that is not TwiML breaks the spec: the run ends there (CC_ERR_ANSWER_INVALID).
  expect(() => follow('not xml')).toThrow(/breaks the Twilio spec/);
});

test('every followed answer is checked with the validator rules on the way', () => {
  expect(() => follow('<Response><Gather numDigits="zero"/></Response>')).toThrow(
    expect.objectContaining({ code: 'CC_ERR_ANSWER_INVALID' }),
  );
  expect(() => follow('<Response><Foo/></Response>')).toThrow(/\/Response\/Foo/);
  expect(events(follow('<Response><Say>Hello</Say></Response>'))).toEqual(['status-callback']);
});

test('a status callback (a notification) gets nothing', () => {
  const status = twilio.twilioCallScenario({ callSid: 'CA1' })[1] as TestRequest;
  expect(
    twilio.followTwilioAnswer(
      { request: status, status: 200, body: '' },
      [voice, status],
      {},
      BASE,
    ),
  ).toEqual({ requests: [], transcript: [] });
});
