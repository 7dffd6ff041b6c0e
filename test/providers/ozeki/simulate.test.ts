/**
 * The Ozeki call scenario the `simulate ozeki` command plays.
 */
import { parseOzekiRequest } from '../../../src/providers/ozeki/events';
import { ozekiCallScenario, ozekiNotification } from '../../../src/providers/ozeki/simulate';

test('IncomingCall then one DtmfEntered per digits entry, one call id', () => {
  const requests = ozekiCallScenario({ digits: ['1', '1234'], callId: 'H2Wwb' });
  expect(requests.map((r) => r.event)).toEqual(['IncomingCall', 'DtmfEntered', 'DtmfEntered']);
  const events = requests.map((r) =>
    parseOzekiRequest({
      method: r.method,
      path: '/',
      query: '',
      headers: r.headers,
      body: Buffer.from(r.body),
    }),
  );
  expect(events.map((e) => e.callId)).toEqual(['H2Wwb', 'H2Wwb', 'H2Wwb']);
  expect(events[2]).toMatchObject({ dtmfDigits: '1234' });
  expect(events[0]).toMatchObject({ from: '1000', to: '9994', callerDisplayName: 'John Smith' });
});

test('the body starts with NotificationName and writes spaces as +', () => {
  const request = ozekiNotification('IncomingCall', { CallerDisplayName: 'John Smith' });
  expect(request.body).toBe('NotificationName=IncomingCall&CallerDisplayName=John+Smith');
  expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
});

test('random call ids look like Ozeki ids and differ', () => {
  const a = ozekiCallScenario({ digits: [] });
  const b = ozekiCallScenario({ digits: [] });
  expect(a).toHaveLength(1);
  const id = /CallId=(\w+)/.exec(a[0]?.body ?? '')?.[1];
  expect(id).toMatch(/^[A-Za-z0-9]{5}$/);
  expect(a[0]?.body).not.toBe(b[0]?.body);
});

test('digits that are not DTMF keys are a TypeError', () => {
  expect(() => ozekiCallScenario({ digits: ['12a'] })).toThrow(TypeError);
});
