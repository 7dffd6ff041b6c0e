import { AssertionError } from 'node:assert';
import { opentact, ozeki, placetel, voipnow } from '../../src';
import { createTestClient, parseXml, formatXml } from '../../src/testing';
import { QUIET, TEST_APP } from '../helpers/apps';

const SECRET = 'test-secret-not-real';
const TOKEN = 'test-token-not-real-0123456789';

describe('test kit: Placetel', () => {
  const hungUp: placetel.PlacetelHungUp[] = [];
  const calls = placetel.createApp({ ...QUIET, secret: SECRET });
  calls.on('IncomingCall', (call) => {
    if (call.to === '000') throw new Error('boom');
    return call.from === 'anonymous'
      ? placetel.reject({ reason: 'busy' })
      : placetel.forward({ targets: [{ ringtime: 30, numbers: ['022129191999'] }] });
  });
  calls.on('HungUp', (call) => {
    hungUp.push(call);
  });
  calls.onError(() => undefined);
  const client = createTestClient(calls, { secret: SECRET });

  afterAll(() => calls.close());

  test('answers are asserted as XML', async () => {
    const reply = await client.placetel.incomingCall({ from: '017312345678' });
    reply
      .expectStatus(200)
      .expectOutcome('handled')
      .expectAnswer(placetel.forward({ targets: [{ ringtime: 30, numbers: ['022129191999'] }] }));
    expect(reply.xml.name).toBe('Response');
    expect(reply.request.headers['x-placetel-signature']).toMatch(/^[0-9a-f]{64}$/);
    (await client.placetel.incomingCall({ from: 'anonymous' })).expectAnswer(
      placetel.reject({ reason: 'busy' }),
    );
  });

  test('a wrong or missing signature is refused', async () => {
    (await client.with({ secret: 'wrong-secret' }).placetel.incomingCall())
      .expectError('CC_ERR_SIGNATURE_INVALID', 403)
      .expectOutcome('refused');
    const unsigned = createTestClient(calls);
    (await unsigned.placetel.incomingCall()).expectError('CC_ERR_SIGNATURE_MISSING', 403);
  });

  test('a failing handler gets the fallback; a repeated delivery the stored reply', async () => {
    (await client.placetel.incomingCall({ to: '000' })).expectOutcome('fallback').expectNeutral();
    const first = await client.placetel.incomingCall({ callId: 'a'.repeat(64) });
    const again = await client.send(first.request);
    again.expectOutcome('duplicate').expectAnswer(first.text);
  });

  test('a whole call is played: IncomingCall → CallAccepted → HungUp', async () => {
    hungUp.length = 0;
    const call = await client.playCall({ from: '017312345678', hangupCause: 'accepted' });
    call.expectAllOk();
    expect(call.exchanges.map((exchange) => exchange.event)).toEqual([
      'IncomingCall',
      'CallAccepted',
      'HungUp',
    ]);
    call
      .reply('IncomingCall')
      .expectAnswer(placetel.forward({ targets: [{ ringtime: 30, numbers: ['022129191999'] }] }));
    call.reply('HungUp').expectNeutral();
    expect(hungUp.map((event) => [event.type, event.from])).toEqual([['accepted', '017312345678']]);
    const missed = await client.placetel.playCall({ hangupType: 'missed', durationSeconds: 5 });
    expect(missed.exchanges.map((exchange) => exchange.event)).toEqual(['IncomingCall', 'HungUp']);
    expect(() => call.reply('OutgoingCall')).toThrow(AssertionError);
  });

  test('options a provider has no notion of are refused', async () => {
    await expect(client.playCall({ digits: '1' })).rejects.toThrow(/no digits/);
    await expect(client.playCall({ hangupCause: 'exploded' })).rejects.toThrow(/hangup cause/);
    expect(() => client.ozeki).toThrow(/placetel app/);
    expect(() => createTestClient(ozeki.createApp(TEST_APP), { secret: SECRET })).toThrow(
      TypeError,
    );
  });
});

describe('test kit: Ozeki', () => {
  const calls = ozeki.createApp({ ...QUIET, urlToken: { tokens: TOKEN } });
  // The PIN prompt posts the digits back to the app (the client adds the token).
  const pin = (text: string) =>
    ozeki.userInput({
      digits: 4,
      forwardToUrl: 'http://127.0.0.1/',
      initialCommands: [ozeki.speak(text)],
    });
  calls.on('IncomingCall', () => [pin('Please enter your PIN.')]);
  calls.on('DtmfEntered', (call) =>
    call.dtmfDigits === '1234'
      ? [ozeki.blindTransfer('1001')]
      : call.dtmfDigits === '0000'
        ? [ozeki.hangup()]
        : [pin('Wrong PIN, once more.')],
  );
  const client = createTestClient(calls, { urlToken: TOKEN });

  afterAll(() => calls.close());

  test('a whole call: IncomingCall, then a DtmfEntered to each ForwardToUrl, one entry each', async () => {
    const call = await client.playCall({ from: '1000', digits: ['9999', '1234', '5555'] });
    call.expectAllOk();
    call.reply('IncomingCall').expectAnswer([pin('Please enter your PIN.')]);
    call.reply('DtmfEntered', 0).expectAnswer([pin('Wrong PIN, once more.')]);
    call.reply('DtmfEntered', 1).expectAnswer([ozeki.blindTransfer('1001')]);
    // The transfer asks for no input: the third entry is never typed.
    expect(call.exchanges).toHaveLength(3);
    expect(call.exchanges[0]?.request.query).toBe(`token=${TOKEN}`);
  });

  test('single notifications, and a wrong or missing token', async () => {
    (await client.ozeki.dtmfEntered({ callId: 'H2Wwb', digits: '0000' })).expectAnswer([
      ozeki.hangup(),
    ]);
    (await client.ozeki.dtmfEntered({ callId: 'H2Wwb', digits: '1234' })).expectAnswer([
      ozeki.blindTransfer('1001'),
    ]);
    (await client.with({ urlToken: 'wrong-token-not-real-0000' }).ozeki.incomingCall()).expectError(
      'CC_ERR_TOKEN_INVALID',
      403,
    );
    (await createTestClient(calls).ozeki.incomingCall()).expectError('CC_ERR_TOKEN_MISSING');
  });

  test('expected answers are rendered by the app: its render option (camelCase attributes) applies', async () => {
    const camel = ozeki.createApp({ ...TEST_APP, render: { attributeCase: 'camel' } });
    const menu = () =>
      ozeki.userInput({
        timeout: 5,
        initialCommands: [ozeki.speak('Press 1.')],
        inputs: [{ key: '1', commands: [ozeki.blindTransfer('101')] }],
      });
    camel.on('IncomingCall', () => [menu()]);
    const reply = await createTestClient(camel).ozeki.incomingCall();
    expect(reply.text).toContain('timeout="5"');
    reply.expectAnswer([menu()]);
  });

  test('Ozeki has no hangup cause', async () => {
    await expect(client.playCall({ hangupCause: 'busy' })).rejects.toThrow(/no hangup/);
  });
});

describe('test kit: VoipNow', () => {
  const hangups: voipnow.VoipNowHangup[] = [];
  const calls = voipnow.createApp({
    ...QUIET,
    basicAuth: { username: 'voipnow', password: 'not-a-real-password' },
  });
  calls.on('call_interactive', (call) =>
    call.param('SubscriptionCode') === '09897987'
      ? [voipnow.jump({ context: 'StartSupport', option: 1, priority: 1 })]
      : [voipnow.playSound('invalid-subscription'), voipnow.hangup()],
  );
  calls.on('Hangup', (call) => {
    hangups.push(call);
  });
  const client = createTestClient(calls, {
    basicAuth: { username: 'voipnow', password: 'not-a-real-password' },
  });

  afterAll(() => calls.close());

  test('a whole call by GET and by POST, with the digits and the hangup status', async () => {
    hangups.length = 0;
    const call = await client.playCall({ digits: '09897987', hangupCause: 'unknown' });
    call.expectAllOk();
    expect(call.exchanges.map((exchange) => [exchange.event, exchange.request.method])).toEqual([
      ['Dial-In', 'GET'],
      ['call_interactive', 'GET'],
      ['Hangup', 'GET'],
    ]);
    call
      .reply('call_interactive')
      .expectAnswer([voipnow.jump({ context: 'StartSupport', option: 1, priority: 1 })]);
    call.reply('Dial-In').expectNeutral();
    expect(hangups.map((event) => event.callStatus)).toEqual(['UNKNOWN']);
    const posted = await client.voipnow.playCall({ method: 'POST', digits: '1' });
    posted
      .reply('call_interactive')
      .expectAnswer([voipnow.playSound('invalid-subscription'), voipnow.hangup()]);
  });

  test('wrong credentials are refused', async () => {
    (
      await client.with({ basicAuth: { username: 'voipnow', password: 'wrong' } }).voipnow.dialIn()
    ).expectError('CC_ERR_AUTH_BASIC', 401);
  });
});

describe('test kit: Opentact', () => {
  const ended: opentact.OpentactCallStateEvent[] = [];
  const calls = opentact.createApp({
    ...QUIET,
    allowFrom: [...opentact.OPENTACT_SOURCE_ADDRESSES],
  });
  calls.on('call_flow_request', () => [
    opentact.answer(),
    opentact.gather({ dtmfLength: 4, url: 'https://example.com/opentact' }),
  ]);
  calls.on('gather', (event) =>
    event.dtmf === '1234' ? [opentact.say('Welcome.'), opentact.hangup()] : [opentact.hangup()],
  );
  calls.on('call_state:destroyed', (event) => {
    ended.push(event);
  });
  const client = createTestClient(calls, { remoteAddress: '72.21.26.35' });

  afterAll(() => calls.close());

  test('a whole call with digits and a Q.850 hangup cause', async () => {
    ended.length = 0;
    const call = await client.playCall({ digits: '1234', hangupCause: 'USER_BUSY' });
    call.expectAllOk();
    expect(call.exchanges).toHaveLength(7);
    call
      .reply('call_flow_request')
      .expectAnswer([
        opentact.answer(),
        opentact.gather({ dtmfLength: 4, url: 'https://example.com/opentact' }),
      ]);
    call.reply('gather').expectAnswer([opentact.say('Welcome.'), opentact.hangup()]);
    call.reply('call_state:live').expectNeutral();
    expect(ended.map((event) => [event.q850Cause, event.q850CauseString])).toEqual([
      [17, 'USER_BUSY'],
    ]);
    (await client.opentact.gather({ digits: '0000' })).expectAnswer([opentact.hangup()]);
    (await client.opentact.callState('init')).expectNeutral();
  });

  test('a request from another address is refused', async () => {
    (await client.with({ remoteAddress: '203.0.113.9' }).opentact.callFlowRequest()).expectError(
      'CC_ERR_SOURCE_FORBIDDEN',
      403,
    );
  });
});

describe('test kit: failure messages', () => {
  const calls = placetel.createApp(TEST_APP);
  calls.on('IncomingCall', () => placetel.forward({ targets: [{ numbers: ['100'] }] }));
  const client = createTestClient(calls);

  afterAll(() => calls.close());

  test('a different answer throws an AssertionError holding both documents', async () => {
    const reply = await client.placetel.incomingCall();
    let thrown: unknown;
    try {
      reply.expectAnswer(placetel.forward({ targets: [{ numbers: ['200'] }] }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AssertionError);
    const message = (thrown as AssertionError).message;
    expect(message).toContain('placetel IncomingCall: the answer differs');
    expect(message).toContain('expected:\n<Response>\n  <Forward>');
    expect(message).toContain('<Number>200</Number>');
    expect(message).toContain('actual:\n<Response>');
    expect(message).toContain('<Number>100</Number>');
  });

  test('comparison is canonical XML, not text', async () => {
    const reply = await client.placetel.incomingCall();
    reply.expectAnswer(
      '<Response>\n  <Forward>\n    <Target>\n      <Number>100</Number>\n    </Target>\n  </Forward>\n</Response>',
    );
    expect(() => reply.expectAnswer('<Response><Forward/></Response>')).toThrow(AssertionError);
    expect(formatXml(parseXml('<a y="2" x="1"> <b>t</b> </a>'))).toBe(
      '<a x="1" y="2">\n  <b>t</b>\n</a>',
    );
    expect(() => parseXml('<a>')).toThrow(TypeError);
  });

  test('status, outcome and error expectations name what they got', async () => {
    const reply = await client.placetel.incomingCall();
    expect(() => reply.expectStatus(403)).toThrow(/expected status 403, got 200/);
    expect(() => reply.expectOutcome('fallback')).toThrow(
      /expected outcome "fallback", got "handled"/,
    );
    expect(() => reply.expectError('CC_ERR_SIGNATURE_INVALID')).toThrow(/got no error/);
    expect(() => reply.expectNeutral()).toThrow(/differs/);
    expect(() => reply.expectAnswer({ not: 'an answer' })).toThrow(TypeError);
    const refused = await client.send({
      event: 'IncomingCall',
      method: 'GET',
      headers: {},
      body: '',
    });
    expect(() => refused.expectAnswer('<Response/>')).toThrow(
      /expected a 2xx answer, got status 405/,
    );
  });
});
