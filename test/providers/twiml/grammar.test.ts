/**
 * The TwiML grammar read per dialect: which verbs and nouns each dialect has, units and ranges
 * that differ, defaults, and the content rules.
 *
 * Spec: `docs/providers/twilio.md §5.2 Nesting`, `docs/providers/twilio.md §5.3 Verbs and nouns`,
 * `docs/providers/telnyx.md §5.2 Verb support`, `docs/providers/telnyx.md §5.3 Attributes, defaults, units`,
 * `docs/providers/signalwire.md §5.2 Verbs and nouns`.
 */
import {
  attributesIn,
  childrenIn,
  contentRule,
  elementIn,
  TWIML_ELEMENTS,
  type TwimlDialect,
  type TwimlElementFact,
} from '../../../src/providers/twiml/grammar';

const element = (name: string, dialect: TwimlDialect): TwimlElementFact => {
  const fact = elementIn(name, dialect);
  if (fact === undefined) throw new Error(`${dialect} has no <${name}>`);
  return fact;
};
const attribute = (name: string, option: string, dialect: TwimlDialect) =>
  attributesIn(element(name, dialect), dialect).find((fact) => fact.option === option);

describe('which verbs and nouns each dialect has', () => {
  test('the verbs of <Response>', () => {
    expect(childrenIn(element('Response', 'twilio'), 'twilio')).toEqual([
      'Connect', 'Dial', 'Echo', 'Enqueue', 'Gather', 'Hangup', 'Leave', 'Pause', 'Pay', 'Play',
      'Record', 'Redirect', 'Refer', 'Reject', 'Say', 'Sms', 'Start', 'Stop',
    ]); // prettier-ignore
    expect(childrenIn(element('Response', 'telnyx'), 'telnyx')).toEqual([
      'Connect', 'Dial', 'Enqueue', 'Gather', 'Hangup', 'Leave', 'Pause', 'Play', 'Record',
      'Redirect', 'Refer', 'Reject', 'Say', 'Start', 'Stop',
    ]); // prettier-ignore
    expect(childrenIn(element('Response', 'signalwire'), 'signalwire')).toEqual([
      'Connect', 'Denoise', 'Dial', 'Echo', 'Enqueue', 'Gather', 'Hangup', 'Leave', 'Pause', 'Pay',
      'Play', 'Record', 'Redirect', 'Refer', 'Reject', 'Say', 'Sms', 'Start', 'Stop',
    ]); // prettier-ignore
  });

  test('the nouns of <Dial>', () => {
    expect(childrenIn(element('Dial', 'twilio'), 'twilio')).toEqual([
      'Number', 'Client', 'Sip', 'Sim', 'Application', 'WhatsApp', 'Conference', 'Queue',
    ]); // prettier-ignore
    expect(childrenIn(element('Dial', 'telnyx'), 'telnyx')).toEqual([
      'Number',
      'Sip',
      'Conference',
      'Queue',
    ]);
    expect(childrenIn(element('Dial', 'signalwire'), 'signalwire')).toEqual([
      'Number',
      'Sip',
      'Verto',
      'Conference',
      'Queue',
    ]);
  });

  test('what <Gather>, <Start> and <Connect> hold', () => {
    expect(childrenIn(element('Gather', 'telnyx'), 'telnyx')).toEqual(['Say', 'Play']);
    expect(childrenIn(element('Gather', 'signalwire'), 'signalwire')).toEqual([
      'Say',
      'Play',
      'Pause',
    ]);
    expect(childrenIn(element('Start', 'telnyx'), 'telnyx')).toEqual([
      'Stream', 'Siprec', 'Transcription', 'Recording', 'Suppression',
    ]); // prettier-ignore
    expect(childrenIn(element('Start', 'signalwire'), 'signalwire')).toEqual(['Stream']);
    expect(childrenIn(element('Connect', 'signalwire'), 'signalwire')).toEqual([
      'Room',
      'Stream',
      'VirtualAgent',
    ]);
  });

  test('SSML inside <Say>: Twilio all ten, SignalWire without <w>, Telnyx none', () => {
    expect(childrenIn(element('Say', 'twilio'), 'twilio')).toHaveLength(10);
    expect(childrenIn(element('Say', 'signalwire'), 'signalwire')).not.toContain('w');
    expect(childrenIn(element('Say', 'telnyx'), 'telnyx')).toEqual([]);
  });
});

describe('units, ranges and defaults per dialect', () => {
  test('AMD timeout: Twilio 3 to 60 seconds, Telnyx 500 to 60000 milliseconds', () => {
    expect(attribute('Number', 'machineDetectionTimeout', 'twilio')?.value).toMatchObject({
      unit: 'seconds',
      min: 3,
      max: 60,
    });
    expect(attribute('Number', 'machineDetectionTimeout', 'telnyx')?.value).toMatchObject({
      unit: 'milliseconds',
      min: 500,
      max: 60000,
    });
    expect(attribute('Number', 'machineDetectionSpeechThreshold', 'twilio')?.value).toMatchObject({
      unit: 'milliseconds',
      min: 1000,
      max: 6000,
    });
  });

  test('Dial timeout: 1 to 600 s (Twilio), 5 to 120 s (Telnyx), 5 to 600 s (SignalWire); default 30', () => {
    expect(attribute('Dial', 'timeout', 'twilio')).toMatchObject({
      value: { min: 1, max: 600 },
      default: '30',
    });
    expect(attribute('Dial', 'timeout', 'telnyx')?.value).toMatchObject({ min: 5, max: 120 });
    expect(attribute('Dial', 'timeout', 'signalwire')?.value).toMatchObject({ min: 5, max: 600 });
  });

  test('defaults that differ: Say voice, Record timeout, Conference trim', () => {
    expect(attribute('Say', 'voice', 'twilio')?.default).toBe('man');
    expect(attribute('Say', 'voice', 'signalwire')?.default).toBe('woman');
    expect(attribute('Say', 'voice', 'telnyx')?.default).toBeUndefined();
    expect(attribute('Record', 'timeout', 'twilio')?.default).toBe('5');
    expect(attribute('Record', 'timeout', 'telnyx')?.default).toBe('0');
    expect(attribute('Conference', 'trim', 'telnyx')?.default).toBe('do-not-trim');
    expect(attribute('Gather', 'method', 'twilio')?.default).toBe('POST');
  });

  test('renamed attributes: Telnyx Record transcription/transcriptionCallback', () => {
    expect(attribute('Record', 'transcribe', 'telnyx')).toBeUndefined();
    expect(attribute('Record', 'transcription', 'telnyx')).toBeDefined();
    expect(attribute('Record', 'transcribeCallback', 'twilio')).toBeDefined();
  });

  test('every attribute fact has a value type and every spec cites a provider reference', () => {
    for (const fact of Object.values(TWIML_ELEMENTS) as TwimlElementFact[]) {
      for (const dialect of ['twilio', 'telnyx', 'signalwire'] as const) {
        if (elementIn(fact.name, dialect) === undefined) continue;
        for (const found of attributesIn(fact, dialect)) {
          expect(found.spec).toMatch(/^docs\/providers\/(twilio|telnyx|signalwire)\.md §/);
        }
      }
    }
  });
});

describe('contentRule', () => {
  test.each([
    [['Number', 'Number'], false, [], []],
    [['Conference', 'Number'], false, [], ['twiml.dial-nouns']],
    [['Queue'], true, [], ['twiml.text-and-children']],
    [[], false, [], ['missing-child']],
    [Array.from({ length: 11 }, () => 'Sip'), false, [], ['twiml.dial-nouns']],
  ] as const)('<Dial> holding %j, text %s', (children, hasText, attributes, codes) => {
    expect(
      contentRule('twilio', 'Dial', children, hasText, attributes).map((broken) => broken.code),
    ).toEqual(codes);
  });

  test('<Play>: a URL or digits, not both, not neither', () => {
    expect(contentRule('twilio', 'Play', [], true, [])).toEqual([]);
    expect(contentRule('twilio', 'Play', [], false, ['digits'])).toEqual([]);
    expect(contentRule('twilio', 'Play', [], true, ['digits']).map((b) => b.code)).toEqual([
      'twiml.text-and-attribute',
    ]);
    expect(contentRule('twilio', 'Play', [], false, []).map((b) => b.code)).toEqual([
      'missing-text',
    ]);
  });

  test('<Enqueue> in TeXML needs its queue name (no <Task>)', () => {
    expect(contentRule('telnyx', 'Enqueue', [], false, []).map((b) => b.code)).toEqual([
      'missing-text',
    ]);
  });
});
