/**
 * The TwiML builders of the three dialects: what they write, what they refuse (a coded error
 * naming builder and option), the dialects' differences, action references, branding,
 * immutability and the answer helpers (`renderTwiml`, `isTwimlAnswer`, `actionsOf`).
 *
 * Spec: `docs/providers/twilio.md §5.2 Nesting`, `docs/providers/twilio.md §5.3 Verbs and nouns`,
 * `docs/providers/telnyx.md §5.3 Attributes, defaults, units`,
 * `docs/providers/signalwire.md §5.2 Verbs and nouns`.
 */
import { CallControlError } from '../../../src/core/errors';
import {
  actionRef,
  actionsOf,
  isTwimlAnswer,
  renderTwiml,
  twimlBuilders,
  TwimlNode,
  TwimlResponse,
  type TwimlActionRef,
} from '../../../src/providers/twiml/builders';
import { parseXml, xmlTreesEqual } from '../../../src/testing/xml';

const twilio = twimlBuilders('twilio', 'twilio');
const telnyx = twimlBuilders('telnyx', 'telnyx');
const signalwire = twimlBuilders('signalwire', 'signalwire');
const resolveAction = (ref: TwimlActionRef): string =>
  `https://example.com/twilio/actions/${ref.name}${
    ref.query === undefined ? '' : `?${new URLSearchParams(ref.query).toString()}`
  }`;

/** The coded error a call throws. */
function refusal(build: () => unknown): { code: string; message: string } {
  try {
    build();
  } catch (error) {
    if (error instanceof CallControlError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

function sameXml(actual: string, expected: string): void {
  expect(xmlTreesEqual(parseXml(actual), parseXml(expected))).toBe(true);
}

describe('twimlBuilders: what they write', () => {
  test('a menu: Gather with an action reference, a nested Say, then Say and Hangup', () => {
    const answer = twilio.response(
      twilio.gather(
        { action: actionRef('menu', { attempt: '1' }), numDigits: 1, timeout: 5, input: ['dtmf'] },
        twilio.say({ voice: 'Polly.Joanna', language: 'en-US' }, 'Press 1 for sales.'),
      ),
      twilio.say('We did not get your choice.'),
      twilio.hangup(),
    );
    const xml = renderTwiml(answer, { resolveAction });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true);
    sameXml(
      xml,
      '<Response><Gather action="https://example.com/twilio/actions/menu?attempt=1" numDigits="1" timeout="5" input="dtmf">' +
        '<Say voice="Polly.Joanna" language="en-US">Press 1 for sales.</Say></Gather>' +
        '<Say>We did not get your choice.</Say><Hangup/></Response>',
    );
    expect(actionsOf(answer)).toEqual(['menu']);
  });

  test('numbers, booleans and lists as TwiML writes them (seconds, milliseconds, spaces)', () => {
    const dial = twilio.dial(
      {
        timeout: 20,
        answerOnBridge: true,
        recordingStatusCallbackEvent: ['in-progress', 'completed'],
      },
      twilio.number(
        {
          statusCallbackEvent: ['initiated', 'answered'],
          machineDetectionTimeout: 30,
          machineDetectionSpeechThreshold: 2400,
        },
        '+15551234567',
      ),
    );
    sameXml(
      renderTwiml([dial]),
      '<Response><Dial timeout="20" answerOnBridge="true" recordingStatusCallbackEvent="in-progress completed">' +
        '<Number statusCallbackEvent="initiated answered" machineDetectionTimeout="30" machineDetectionSpeechThreshold="2400">+15551234567</Number>' +
        '</Dial></Response>',
    );
  });

  test('Play with digits is empty; a Redirect takes an action reference as its URL', () => {
    sameXml(
      renderTwiml([twilio.play({ digits: 'ww1#' }), twilio.redirect(actionRef('again'))], {
        resolveAction,
      }),
      '<Response><Play digits="ww1#"/><Redirect>https://example.com/twilio/actions/again</Redirect></Response>',
    );
  });

  test('Say with SSML, and the SSML attribute names written with their hyphen and prefix', () => {
    const say = twilio.say(
      'Your code is ',
      twilio.ssmlSayAs({ interpretAs: 'digits' }, '1234'),
      twilio.ssmlLang({ xmlLang: 'de-DE' }, 'danke'),
      twilio.ssmlBreak({ time: '500ms' }),
    );
    sameXml(
      renderTwiml(say),
      '<Response><Say>Your code is <say-as interpret-as="digits">1234</say-as><lang xml:lang="de-DE">danke</lang><break time="500ms"/></Say></Response>',
    );
  });

  test('the legacy <Dial record="true"> is taken where documented (Twilio, SignalWire)', () => {
    expect(twilio.dial({ record: 'true' }, '+1555').attributes).toEqual({ record: 'true' });
    expect(signalwire.dial({ record: 'false' }, '+1555').attributes).toEqual({ record: 'false' });
    // @ts-expect-error TeXML documents no legacy value
    expect(refusal(() => telnyx.dial({ record: 'true' }, '+1555')).message).toContain(
      'telnyx.dial: record must be',
    );
  });

  test('finishOnKey "" (no finishing key) is written', () => {
    sameXml(
      renderTwiml(twilio.gather({ finishOnKey: '' })),
      '<Response><Gather finishOnKey=""/></Response>',
    );
  });

  test('no answer is the empty <Response/>, which ends the call', () => {
    sameXml(renderTwiml(undefined), '<Response/>');
  });

  test('each dialect has its own verbs and attributes', () => {
    sameXml(
      renderTwiml(
        telnyx.response(
          telnyx.dial(
            { fromDisplayName: 'Sales', recordMaxLength: 0 },
            telnyx.number(
              { machineDetection: 'Disable', machineDetectionTimeout: 3500 },
              '+15551234567',
            ),
          ),
          telnyx.start(telnyx.suppression({ direction: 'both' })),
        ),
      ),
      '<Response><Dial fromDisplayName="Sales" recordMaxLength="0"><Number machineDetection="Disable" machineDetectionTimeout="3500">+15551234567</Number></Dial>' +
        '<Start><Suppression direction="both"/></Start></Response>',
    );
    sameXml(
      renderTwiml(
        signalwire.response(
          signalwire.denoise('on'),
          signalwire.dial(signalwire.verto('alice@example.verto.signalwire.com')),
          signalwire.echo({ timeout: 120 }),
        ),
      ),
      '<Response><Denoise>on</Denoise><Dial><Verto>alice@example.verto.signalwire.com</Verto></Dial><Echo timeout="120"/></Response>',
    );
  });
});

describe('twimlBuilders: what they refuse (CC_ERR_ANSWER_INVALID, naming builder and option)', () => {
  test.each([
    [
      'Gather numDigits < 1',
      () => twilio.gather({ numDigits: 0 }),
      'twilio.gather: numDigits must be a whole number of digits ≥ 1, got 0',
    ],
    [
      'Pause length 0 seconds',
      () => twilio.pause({ length: 0 }),
      'twilio.pause: length must be a whole number of seconds ≥ 1, got 0',
    ],
    [
      'Telnyx Pause over 180 seconds',
      () => telnyx.pause({ length: 181 }),
      'telnyx.pause: length must be a whole number of seconds from 1 to 180, got 181',
    ],
    [
      'Dial timeout over 600 seconds',
      () => twilio.dial({ timeout: 601 }, '+1555'),
      'twilio.dial: timeout must be a whole number of seconds from 1 to 600, got 601',
    ],
    [
      'Telnyx Dial timeout over 120 seconds',
      () => telnyx.dial({ timeout: 121 }, '+1555'),
      'telnyx.dial: timeout must be a whole number of seconds from 5 to 120, got 121',
    ],
    [
      'Twilio AMD timeout is seconds (3 to 60)',
      () => twilio.number({ machineDetectionTimeout: 3500 }, '+1555'),
      'twilio.number: machineDetectionTimeout must be a whole number of seconds from 3 to 60, got 3500',
    ],
    [
      'Telnyx AMD timeout is milliseconds (500 to 60000)',
      () => telnyx.number({ machineDetectionTimeout: 30 }, '+1555'),
      'telnyx.number: machineDetectionTimeout must be a whole number of milliseconds from 500 to 60000, got 30',
    ],
    [
      'a fraction',
      () => twilio.say({ loop: 1.5 }, 'x'),
      'twilio.say: loop must be a whole number of times ≥ 0, got 1.5',
    ],
    [
      'an enum value of another element',
      () => twilio.reject({ reason: 'no-answer' as never }),
      'twilio.reject: reason must be "rejected" or "busy", got "no-answer"',
    ],
    [
      'an empty list',
      () => twilio.gather({ input: [] }),
      'twilio.gather: input must be a non-empty array of "dtmf", "speech", got []',
    ],
    [
      'a blank URL',
      () => twilio.redirect(' '),
      'twilio.redirect: content[0] must be a non-empty string, got " "',
    ],
    [
      'an unknown option',
      () => twilio.gather({ numdigits: 1 } as never),
      'twilio.gather: unknown option "numdigits"',
    ],
    [
      'an option of another dialect',
      () => telnyx.gather({ method: 'GET' } as never),
      'telnyx.gather: unknown option "method"',
    ],
    [
      'Conference and Number mixed',
      () => twilio.dial(twilio.conference('room'), twilio.number('+1555')),
      'twilio.dial: <Conference> must be the only noun of <Dial>, got 2 nouns (<Conference>, <Number>)',
    ],
    [
      'more than 10 parties',
      () => twilio.dial(...Array.from({ length: 11 }, () => twilio.number('+1555'))),
      'twilio.dial: <Dial> dials at most 10 parties at once, got 11',
    ],
    [
      'a number and nouns together',
      () => twilio.dial('+1555', twilio.number('+1666')),
      'twilio.dial: <Dial> holds its text (the number to dial) or child elements, not both',
    ],
    [
      'Dial with nothing to dial',
      () => twilio.dial(),
      'twilio.dial: <Dial> needs its text (the number to dial) or one of',
    ],
    [
      'Play with digits and a URL',
      () => twilio.play({ digits: '1' }, 'https://example.com/a.mp3'),
      'twilio.play: <Play> with digits holds no text',
    ],
    [
      'text in Hangup',
      () => twilio.hangup('bye' as never),
      'twilio.hangup: <Hangup> holds no text',
    ],
    [
      'a Dial inside Gather',
      () => twilio.gather(twilio.dial('+1555') as never),
      'twilio.gather: <Dial> cannot be inside <Gather>; allowed: Say, Play, Pause',
    ],
    [
      'Pause inside a Telnyx Gather',
      () => telnyx.gather(telnyx.pause() as never),
      'telnyx.gather: <Pause> cannot be inside <Gather>; allowed: Say, Play',
    ],
    [
      'a verb the dialect lacks',
      () => (telnyx as unknown as typeof twilio).pay(),
      'telnyx.pay: <Pay> is not an element of the telnyx dialect',
    ],
    [
      'a Parameter without its value',
      () => twilio.parameter({ name: 'a' }),
      'twilio.parameter: value is required',
    ],
    [
      'an element of another provider',
      () => telnyx.response(twilio.hangup() as never),
      'telnyx.response: verbs[0] must be a verb built with the telnyx builders',
    ],
    [
      'a Denoise other than on/off',
      () => signalwire.denoise('loud'),
      'signalwire.denoise: text must be "on" or "off", got "loud"',
    ],
    [
      'a Stream URL that is not a WebSocket',
      () => twilio.stream({ url: 'https://example.com' }),
      'twilio.stream: url must be a ws:// or wss:// URL, got "https://example.com"',
    ],
  ])('%s', (_name, build, message) => {
    const error = refusal(build);
    expect(error.code).toBe('CC_ERR_ANSWER_INVALID');
    expect(error.message).toContain(message);
  });
});

describe('answers', () => {
  test('are immutable and branded with the provider', () => {
    const say = twilio.say('hi');
    const answer = twilio.response(say);
    expect(Object.isFrozen(say)).toBe(true);
    expect(Object.isFrozen(say.attributes)).toBe(true);
    expect(Object.isFrozen(say.content)).toBe(true);
    expect(Object.isFrozen(answer.verbs)).toBe(true);
    expect(answer.provider).toBe('twilio');
    expect(say).toBeInstanceOf(TwimlNode);
    expect(answer).toBeInstanceOf(TwimlResponse);
    expect(Object.isFrozen(twilio)).toBe(true);
  });

  test('isTwimlAnswer: a response, a verb or an array of verbs of that provider', () => {
    expect(isTwimlAnswer(twilio.response(), 'twilio')).toBe(true);
    expect(isTwimlAnswer(twilio.hangup(), 'twilio')).toBe(true);
    expect(isTwimlAnswer([twilio.say('a'), twilio.hangup()], 'twilio')).toBe(true);
    expect(isTwimlAnswer(twilio.hangup(), 'telnyx')).toBe(false);
    expect(isTwimlAnswer(twilio.number('+1555'), 'twilio')).toBe(false);
    expect(isTwimlAnswer('<Response/>', 'twilio')).toBe(false);
    expect(isTwimlAnswer(undefined, 'twilio')).toBe(false);
  });

  test('actionsOf: every action name once, attributes and URL texts, nested too', () => {
    const answer = [
      twilio.gather({ action: actionRef('menu') }, twilio.play(actionRef('prompt'))),
      twilio.dial(
        { action: actionRef('dialed') },
        twilio.number({ url: actionRef('whisper') }, '+1555'),
      ),
      twilio.redirect(actionRef('menu')),
    ];
    expect(actionsOf(answer)).toEqual(['menu', 'prompt', 'dialed', 'whisper']);
  });

  test('renderTwiml refuses a reference without resolveAction, and mixed providers', () => {
    expect(refusal(() => renderTwiml(twilio.redirect(actionRef('menu')))).message).toContain(
      'refers to the action "menu" but no resolveAction was given',
    );
    expect(
      refusal(() => renderTwiml([twilio.hangup(), telnyx.hangup()] as never)).message,
    ).toContain('mixes verbs of twilio and telnyx');
    expect(refusal(() => renderTwiml(twilio.number('+1555'))).message).toContain(
      '<Number> is not a verb of <Response>',
    );
  });

  test('actionRef refuses a blank name', () => {
    expect(refusal(() => actionRef(' ')).code).toBe('CC_ERR_ANSWER_INVALID');
  });
});

describe('types', () => {
  test('the dialect decides which verbs and options exist', () => {
    // @ts-expect-error TeXML has no <Pay>
    expect(typeof telnyx.pay).toBe('function');
    // @ts-expect-error TeXML's <Gather> has no method
    expect(() => telnyx.gather({ method: 'GET' })).toThrow(CallControlError);
    // @ts-expect-error numDigits is a number
    expect(() => twilio.gather({ numDigits: '1' })).toThrow(CallControlError);
    // @ts-expect-error an answer of another provider cannot be nested
    expect(() => telnyx.gather(twilio.say('x'))).toThrow(CallControlError);
    // @ts-expect-error <Gather> holds Say, Play, Pause
    expect(() => twilio.gather(twilio.hangup())).toThrow(CallControlError);
    // @ts-expect-error machineDetection "Disable" is Telnyx's, not Twilio's
    expect(() => twilio.number({ machineDetection: 'Disable' }, '+1555')).toThrow(CallControlError);
    expect(telnyx.number({ machineDetection: 'Disable' }, '+1555').attributes).toEqual({
      machineDetection: 'Disable',
    });
    const ok: TwimlNode<'telnyx', 'Gather'> = telnyx.gather({
      minDigits: 2,
      action: actionRef('menu'),
    });
    expect(ok.name).toBe('Gather');
  });
});
