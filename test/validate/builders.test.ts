/**
 * Every answer the builders produce validates, rendered the way the app renders it
 * (`renderPlacetelResponse`, `renderOzml` with the event's control, `renderVoipNowResponse`,
 * `renderOpentactResponse`; see src/providers/<provider>/index.ts).
 */
import * as opentact from '../../src/providers/opentact/xml';
import * as ozeki from '../../src/providers/ozeki/ozml';
import * as placetel from '../../src/providers/placetel/responses';
import * as voipnow from '../../src/providers/voipnow/responses';
import { validateAnswer, type ValidateProvider } from '../../src/validate';

function expectValid(provider: ValidateProvider, xml: string): void {
  const result = validateAnswer(provider, xml);
  expect({ xml, problems: result.problems }).toEqual({ xml, problems: [] });
  expect(result.valid).toBe(true);
}

describe('placetel builders', () => {
  const answers: Record<string, placetel.PlacetelAnswer> = {
    'forward sequential': placetel.forward({
      targets: [
        { ringtime: 30, numbers: ['7777abcdefg@fpbx.de', '022129191999'] },
        { ringtime: 45, numbers: ['+4922199998560'] },
      ],
      musicOnHold: true,
      voicemail: true,
      voicemailAnnouncement: 4711,
      voicemailAsAttachment: false,
      forwardAnnouncement: '7684',
    }),
    'forward to voicemail': placetel.forward({ voicemailAnnouncement: 4 }),
    reject: placetel.reject(),
    'reject busy': placetel.reject({ reason: 'busy' }),
    hangup: placetel.hangup(),
    queue: placetel.queue({ id: 123 }),
    prompt: placetel.prompt({ id: 123 }),
    'group, every attribute': placetel.group({
      id: 123,
      ringtime: 10,
      backupBehaviour: 'routing_object',
      backupRoutingObject: 456,
      voicemailAnnouncement: 4,
      voicemailAsAttachment: true,
      forwardAnnouncement: 7684,
      musicOnHold: false,
    }),
    'routing plan with fallback': placetel.routingPlan({
      id: 123,
      fallback: placetel.forward({ targets: [{ numbers: ['022129191999'] }] }),
    }),
  };

  test.each(Object.entries(answers))('%s', (_name, answer) => {
    expectValid('placetel', placetel.renderPlacetelResponse(answer));
  });

  test('the legacy queue_id passes with its warning only', () => {
    const xml = placetel.renderPlacetelResponse(placetel.queue({ id: 7, legacyQueueId: true }));
    const result = validateAnswer('placetel', xml);
    expect(result.valid).toBe(true);
    expect(result.problems.map((problem) => problem.code)).toEqual(['legacy']);
  });

  test('the neutral empty answer passes with its warning only', () => {
    const result = validateAnswer('placetel', placetel.renderPlacetelResponse());
    expect(result.valid).toBe(true);
    expect(result.problems.map((problem) => problem.code)).toEqual(['placetel.empty-response']);
  });
});

describe('ozeki builders', () => {
  const cases: [string, ozeki.OzmlControl, readonly ozeki.OzmlCommand[]][] = [
    [
      'IVR menu',
      'extension',
      [
        ozeki.userInput({
          timeout: 10,
          repeat: true,
          initialCommands: [ozeki.speak('Press 1 for sales.', { language: 'en-UK' })],
          inputs: [
            { key: '1', commands: [ozeki.blindTransfer('2000')] },
            {
              key: '2',
              commands: [
                ozeki.userInput({
                  backKey: '*',
                  digits: 2,
                  inputs: [{ key: '12', commands: [ozeki.goTo('http://yourapp.com/12')] }],
                }),
              ],
            },
          ],
          forwardToUrl: 'http://yourapp.com/dtmf',
        }),
      ],
    ],
    ['reject first', 'extension', [ozeki.reject(), ozeki.speak('never runs')]],
    [
      'call, record, sms',
      'extension',
      [
        ozeki.delay(1),
        ozeki.play('hello.wav', { repeat: true, timeout: 5 }),
        ozeki.call('2310', { url: 'http://yourdomain.com/connected', callerId: '3000' }),
        ozeki.record({
          format: 'wav',
          finishDigits: '12',
          duration: 30,
          finishedUrl: 'http://a.example/r',
        }),
        ozeki.sendSms('Hello!', {
          recipient: '+062554670',
          deliveryReportUrl: 'http://a.example/d',
        }),
        ozeki.hangup(),
      ],
    ],
    [
      'third-party control',
      'thirdParty',
      [
        ozeki.speak('Hello!', { party: 'caller' }),
        ozeki.play('hold.wav', { party: 'all' }),
        ozeki.hold({ callId: 'H2Wwb' }),
        ozeki.unhold({ callId: 'H2Wwb' }),
        ozeki.sendDtmf({ party: 'caller', keys: '01234#' }),
        ozeki.record({ format: 'mp3', callId: 'H2Wwb' }),
        ozeki.forward({ destination: '500' }),
        ozeki.forwardCall({ destination: '102' }),
        ozeki.attendedTransfer({ targetCallId: 'HL1bE', transferorParty: 'caller' }),
        ozeki.blindTransfer('1001', {
          transferorParty: 'callee',
          finishedUrl: 'http://a.example/f',
        }),
        ozeki.hangup({ callId: '23Xdz7' }),
      ],
    ],
    [
      'route',
      'routing',
      [ozeki.route({ destination: 'voipservice1', ringTime: 30, dialedNumber: '234567' })],
    ],
    ['route reject', 'routing', [ozeki.route({ destination: '' })]],
  ];

  test.each(cases)('%s (%s control)', (_name, control, commands) => {
    for (const attributeCase of ['pascal', 'camel'] as const) {
      const xml = ozeki.renderOzml(commands, control, { attributeCase });
      expectValid('ozeki', xml);
      expect(validateAnswer('ozeki', xml, { ozekiControl: control }).problems).toEqual([]);
    }
  });
});

describe('voipnow builders', () => {
  test('every verb', () => {
    const xml = voipnow.renderVoipNowResponse([
      voipnow.setVar('SubscriptionCode', '09897987'),
      voipnow.playSound('Choose-contact-method', {
        language: 'fr',
        loop: '',
        view: 'system',
        folder: '/custom',
        where: 'background',
        digitvar: 'contact',
      }),
      voipnow.playSound('again', { loop: 2, view: 'client', where: 'foreground' }),
      voipnow.pause({ length: 15 }),
      voipnow.pause(),
      voipnow.setCaller({ name: 'callerName', number: '92992' }),
      voipnow.playTts('Thank you for calling.', { voice: 'Alice-8KHz', volume: 100 }),
      voipnow.jump({ context: 'StartSupport', option: 1, priority: 3 }),
      voipnow.hangup(),
    ]);
    expectValid('voipnow', xml);
  });

  test('without declaration, and empty', () => {
    expectValid(
      'voipnow',
      voipnow.renderVoipNowResponse([voipnow.hangup()], { declaration: false }),
    );
    expectValid('voipnow', voipnow.renderVoipNowResponse());
  });
});

describe('opentact builders', () => {
  const o = opentact;
  const cases: Record<string, readonly opentact.OpentactCommand[]> = {
    'answer, say, hangup': [
      o.answer({ delayMs: 2000, tag: '123456' }),
      o.say('Thank you for calling.', { lang: 'en-US', type: 'WaveNet', gender: 'MALE', loop: 2 }),
      o.say('Attribute form', { textAttribute: true }),
      o.hangup({ tag: 'CallEndedByUser' }),
    ],
    'play, record, pause': [
      o.play('https://example.com/a.mp3', { loop: 2, leg: 'both', error: [o.hangup()] }),
      o.record({
        tag: 'name1',
        asr: true,
        timeoutMs: 45000,
        commands: [o.pause({ lengthMs: 60000, dtmfStop: '#' })],
      }),
      o.play({ record: 'name1' }),
      o.recordStart(),
      o.recordStop(),
      o.recordWait(),
    ],
    'gather, current form': [
      o.gather({
        dtmfLength: 1,
        dtmfStop: '#',
        prompt: [o.say('Press 1 for support.'), o.pause({ lengthMs: 1000 })],
        dtmf: [
          {
            value: '1',
            commands: [
              o.meta('category', 'support'),
              o.dial(['support1@sip.opentact.org', 'support2@sip.opentact.org'], {
                error: o.error({ speakReason: true, commands: [o.hangup()] }),
              }),
            ],
          },
          {
            value: '0',
            commands: [
              o.gather({ length: 4, dtmfStop: '#', url: 'http://private.domain.com/menu?token=T' }),
            ],
          },
        ],
        default: { commands: [o.say('No such option.')], tag: 'none' },
        error: [o.say('Oops')],
      }),
    ],
    'gather, legacy form': [
      o.legacyGather({
        numDigits: 1,
        attempts: 2,
        timeoutMs: 10000,
        finishOnKey: '*',
        prompt: [o.say('Press 1 or 2.')],
        cases: [
          { dtmf: '1', commands: [o.callback('https://webhook.example/a', { method: 'post' })] },
          { dtmf: '2', commands: [o.dial(['1000@x.example:9000'], { noun: 'Sip' })] },
        ],
        default: [o.say('Hi, nobody')],
        switchError: [o.say('No DTMF Code entered.')],
      }),
    ],
    'callbacks, curl, meta': [
      o.callback('https://api.example.com/next', {
        method: 'POST',
        body: true,
        timeoutMs: 5000,
        error: [o.hangup()],
      }),
      o.callback('http://yourcallbackurl.com', { textForm: true }),
      o.curl('https://api.example.com/data', {
        method: 'POST',
        timeoutMs: 5000,
        body: "{'key':'value'}",
      }),
      o.meta('is_active', true),
      o.meta('price', 123.99),
      o.meta('description', 'line 1\nline 2', { body: true }),
    ],
    'filters, hold, tone': [
      o.call({ field: 'to', value: '18382050099', commands: [o.say('Hi there!')] }),
      o.geo({ states: ['NJ', 'CA'], county: 'ESSEX', commands: [o.say('Hello')] }),
      o.geo(),
      o.schedule({ dow: ['mon', 'tue'], time: '07:00:00-18:00:00', commands: [o.say('Welcome')] }),
      o.hold({ timeoutMs: 60000 }),
      o.unhold(),
      o.tone({
        donMs: 2000,
        doffMs: 4000,
        hz: [420, 500],
        volume: -70,
        loop: 2,
        leg: 'aleg',
        meta: [o.meta('category', 'music')],
      }),
      o.error({ commands: [o.hangup()] }),
    ],
  };

  test.each(Object.entries(cases))('%s', (_name, commands) => {
    expectValid('opentact', opentact.renderOpentactResponse(commands));
    expectValid('opentact', opentact.renderOpentactResponse(commands, { declaration: false }));
  });
});
