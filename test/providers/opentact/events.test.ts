/**
 * Parsing Opentact requests (spec §2, §4, §7): identification, typed fields, routing keys.
 */
import type { CallControlError } from '../../../src/core/errors';
import type { WebhookRequest } from '../../../src/core/types';
import {
  identifyOpentactRequest,
  isOpentactQualifiedName,
  opentactRoutingKeys,
  parseOpentactFields,
  parseOpentactRequest,
  type OpentactBalance,
  type OpentactCallFlowEvent,
  type OpentactCallStateEvent,
  type OpentactGather,
  type OpentactSms,
} from '../../../src/providers/opentact/events';
import { loadFixtures } from '../../helpers/fixtures';
import { thrown } from '../../helpers/assert';

const fixtures = loadFixtures('opentact').requests;

function fixtureBody(id: string): unknown {
  const found = fixtures.find((fixture) => fixture.id === id);
  if (found?.body === undefined) throw new Error(`fixture ${id} has no body`);
  return JSON.parse(found.body) as unknown;
}

function query(entries: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, entries);
}

function request(parts: Partial<WebhookRequest>): WebhookRequest {
  return { method: 'POST', path: '/', query: '', headers: {}, body: Buffer.alloc(0), ...parts };
}

describe('identifyOpentactRequest', () => {
  test.each([
    [{ from: '+1', to: '2' }, undefined, 'call_flow_request'],
    [{ from: '+1', to: '2', state: 'live' }, undefined, 'call_state'],
    [{ dtmf: '1', state: 'live' }, undefined, 'gather'],
    [{ code: '1', attempts: '1' }, undefined, 'gather'],
    [{}, { uuid: 'x', from: '+1' }, 'call_flow_request'],
    [{ from: '+1' }, { type: 'balance', payload: 1 }, 'balance'],
    [{}, { type: 'something_new', payload: {} }, 'something_new'],
    [{}, undefined, undefined],
  ])('%j %j → %s', (q, body, expected) => {
    expect(identifyOpentactRequest(query(q), body)).toBe(expected);
  });

  test('a routed event wins', () => {
    expect(identifyOpentactRequest(query({ dtmf: '1' }), undefined, 'call_state')).toBe(
      'call_state',
    );
  });
});

describe('parseOpentactFields', () => {
  test('GET call-flow request: parties from the query, no call id', () => {
    const event = parseOpentactFields(
      query({ from: '+14158531285', to: '18382050010' }),
      undefined,
    );
    expect(event).toMatchObject({
      name: 'call_flow_request',
      callId: '',
      from: '+14158531285',
      to: '18382050010',
      call: undefined,
    });
  });

  test('POST call-flow request: the call entity', () => {
    const event = parseOpentactFields(
      query({ from: '+14158531285', to: '18382050010' }),
      fixtureBody('opentact.call-flow-post'),
    );
    expect(event).toMatchObject({
      name: 'call_flow_request',
      callId: '6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c',
      call: {
        tn: '18382050010',
        appId: '3b533be6-4dde-4a28-aad2-45347e53334a',
        accountId: '9df81deb-afa6-436b-8ce9-af54b3e502e4',
        state: 'online',
      },
    });
    expect(event.raw['tn.tn']).toBe('18382050010');
  });

  test('Gather follow-up, current form', () => {
    const event = parseOpentactFields(
      query({
        token: 'T',
        dtmf: '1234',
        from: '+1',
        tn: '183',
        state: 'live',
        sca: 'a',
        call: 'c',
      }),
      undefined,
    ) as OpentactGather;
    expect(event).toMatchObject({
      name: 'gather',
      callId: 'c',
      from: '+1',
      to: '183',
      dtmf: '1234',
      state: 'live',
      appId: 'a',
      attempts: undefined,
      success: undefined,
    });
  });

  test('Gather callback, older form', () => {
    const event = parseOpentactFields(
      query({ code: '12', attempts: '2', success: 'false' }),
      undefined,
    ) as OpentactGather;
    expect(event).toMatchObject({ dtmf: '12', attempts: 2, success: false, callId: '' });
  });

  test('call_state envelope of a destroyed call: state, duration in seconds, Q.850', () => {
    const event = parseOpentactFields(
      query({}),
      fixtureBody('opentact.event-call-destroyed'),
    ) as OpentactCallStateEvent;
    expect(event).toMatchObject({
      name: 'call_state',
      callId: 'c7aa8c03-87d6-403d-8287-2211a1974fe3',
      from: '+18389999168',
      to: '18382049000',
      state: 'destroyed',
      duration: 10,
      q850Cause: 16,
      q850CauseString: 'NORMAL_CLEARING',
      eventId: '2c215731-f634-4365-8fec-df14a2078254',
    });
    expect(opentactRoutingKeys(event)).toEqual(['call_state:destroyed', 'call_state']);
  });

  test('call_state of a dialled child leg names its parent', () => {
    const event = parseOpentactFields(
      query({}),
      fixtureBody('opentact.event-child-hangup'),
    ) as OpentactCallStateEvent;
    expect(event.call?.parentId).toBe('c7aa8c03-87d6-403d-8287-2211a1974fe3');
    expect(event.call?.direction).toBe('out');
    expect(event.q850CauseString).toBe('NO_USER_RESPONSE');
  });

  test('the app webhook form: state from the query, the call from the body', () => {
    const event = parseOpentactFields(
      query({ state: 'live', from: '+18389999168', to: '18382049000' }),
      { uuid: 'u1', from: '+18389999168', to: '18382049000' },
    ) as OpentactCallStateEvent;
    expect(event).toMatchObject({
      name: 'call_state',
      state: 'live',
      callId: 'u1',
      eventId: undefined,
    });
  });

  test('call_flow envelope: command, path, success', () => {
    const event = parseOpentactFields(
      query({}),
      fixtureBody('opentact.event-call-flow-answer'),
    ) as OpentactCallFlowEvent;
    expect(event).toMatchObject({
      command: 'Answer',
      success: true,
      path: 'Answer[0]',
      reason: 'Call answered',
      callId: '6a1ffcf8-abaf-422a-9bfc-ec1349a2b81c',
    });
    expect(opentactRoutingKeys(event)).toEqual(['call_flow:Answer', 'call_flow']);
  });

  test('sms and balance envelopes', () => {
    const sms = parseOpentactFields(query({}), fixtureBody('opentact.event-sms')) as OpentactSms;
    expect(sms).toMatchObject({
      smsType: 'smso',
      state: 'success',
      text: 'Hello world',
      delivered: true,
      from: '18382050008',
      to: '14158531285',
      callId: '',
    });
    const balance = parseOpentactFields(
      query({}),
      fixtureBody('opentact.event-balance'),
    ) as OpentactBalance;
    expect(balance).toMatchObject({ balance: 873.0604, sourceAction: 'voice_charge_in' });
    expect(opentactRoutingKeys(balance)).toEqual(['balance']);
  });

  test('nothing to tell the request by: CC_ERR_REQUEST_MALFORMED', () => {
    const error = thrown(() => parseOpentactFields(query({ x: '1' }), undefined));
    expect((error as CallControlError).code).toBe('CC_ERR_REQUEST_MALFORMED');
  });
});

describe('isOpentactQualifiedName', () => {
  test.each([
    ['call_state:hangup', true],
    ['call_state:something_new', true],
    ['call_flow:Dial', true],
    ['sms:smsi', true],
    ['call_state:', false],
    ['call_flow:dial me', false],
    ['balance:x', false],
    ['gather:1', false],
  ])('%s → %s', (name, expected) => {
    expect(isOpentactQualifiedName(name)).toBe(expected);
  });
});

describe('parseOpentactRequest', () => {
  test('a JSON body without Content-Type is read as JSON', () => {
    const event = parseOpentactRequest(
      request({ body: Buffer.from('{"type":"balance","payload":5}') }),
    );
    expect(event.name).toBe('balance');
  });

  test('a form body is 415; broken JSON is 400; too deep JSON is 400', () => {
    const form = thrown(() =>
      parseOpentactRequest(
        request({
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from('a=1'),
        }),
      ),
    );
    expect((form as CallControlError).code).toBe('CC_ERR_UNSUPPORTED_MEDIA_TYPE');
    const broken = thrown(() =>
      parseOpentactRequest(
        request({ headers: { 'content-type': 'application/json' }, body: Buffer.from('{') }),
      ),
    );
    expect((broken as CallControlError).code).toBe('CC_ERR_BODY_INVALID');
    const deep = thrown(() =>
      parseOpentactRequest(
        request({
          query: 'from=1',
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(`${'['.repeat(40)}${']'.repeat(40)}`),
        }),
      ),
    );
    expect((deep as CallControlError).code).toBe('CC_ERR_BODY_INVALID');
  });
});
