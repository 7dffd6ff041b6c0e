/**
 * The VoipNow call scenario the `simulate voipnow` command plays.
 */
import {
  parseVoipNowRequest,
  type VoipNowCallInteractive,
} from '../../../src/providers/voipnow/events';
import {
  voipNowCallScenario,
  type VoipNowSimulatedRequest,
} from '../../../src/providers/voipnow/simulate';

function parse(request: VoipNowSimulatedRequest) {
  return parseVoipNowRequest({
    method: request.method,
    path: request.path,
    query: request.query,
    headers: request.headers,
    body: Buffer.from(request.body),
  });
}

test.each(['GET', 'POST'] as const)(
  '%s: Dial-In, Call Interactive, Hangup of one call, identified from their fields',
  (method) => {
    const requests = voipNowCallScenario({ method, callId: 'c0ffee', digits: '123' });
    expect(requests.map((r) => r.event)).toEqual(['Dial-In', 'call_interactive', 'Hangup']);
    const events = requests.map(parse);
    expect(events.map((e) => e.name)).toEqual(['Dial-In', 'call_interactive', 'Hangup']);
    expect(events.map((e) => e.callId)).toEqual(['c0ffee', 'c0ffee', 'c0ffee']);
    expect((events[1] as VoipNowCallInteractive).param('SubscriptionCode')).toBe('123');
    expect(requests.every((r) => (method === 'GET' ? r.body === '' : r.query === ''))).toBe(true);
  },
);

test('routed: each request to its own path', () => {
  expect(voipNowCallScenario({ routed: true }).map((r) => r.path)).toEqual([
    '/dial-in',
    '/interactive',
    '/hangup',
  ]);
  expect(voipNowCallScenario().map((r) => r.path)).toEqual(['', '', '']);
});

test('digits null are sent as VoipNow sends an unset variable', () => {
  const interactive = parse(voipNowCallScenario({ digits: null })[1] as VoipNowSimulatedRequest);
  expect(interactive.params['SubscriptionCode']).toBe('null');
  expect((interactive as VoipNowCallInteractive).param('SubscriptionCode')).toBeUndefined();
});

test('a variable that is not a parameter name is a TypeError', () => {
  expect(() => voipNowCallScenario({ variable: 'a b' })).toThrow(TypeError);
});
