/**
 * The Opentact XML builders (spec `docs/providers/opentact.md` §3), error blocks under every verb,
 * nesting, the response, the renderer, escaping, immutability and wrong JavaScript types.
 */
import { CallControlError } from '../../../src/core/errors';
import * as ozeki from '../../../src/providers/ozeki/ozml';
import {
  answer,
  call,
  callback,
  curl,
  dial,
  error,
  gather,
  geo,
  hangup,
  hold,
  isOpentactAnswer,
  legacyGather,
  meta,
  OpentactCommand,
  OpentactResponse,
  pause,
  play,
  record,
  recordStart,
  recordStop,
  recordWait,
  renderOpentactResponse,
  response,
  say,
  schedule,
  tone,
  unhold,
  type OpentactErrorOption,
  type OpentactRenderOptions,
} from '../../../src/providers/opentact/xml';
import * as voipnow from '../../../src/providers/voipnow/responses';
import { expectInvalid, thrown } from '../../helpers/assert';
import { canonicalXml, el, type CanonicalElement } from '../../helpers/xml';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const URL = 'https://example.com/audio/example.mp3';

/** The canonical `<Response>` of an answer. */
function responseOf(
  commands: readonly OpentactCommand[],
  options: OpentactRenderOptions = {},
): CanonicalElement {
  const tree = canonicalXml(renderOpentactResponse(commands, options));
  expect(tree.name).toBe('Response');
  return tree;
}

/** The single verb element of a one-command answer. */
function elementOf(command: OpentactCommand): CanonicalElement {
  const tree = responseOf([command]);
  expect(tree.children).toHaveLength(1);
  const [first] = tree.children;
  if (first === undefined || !('name' in first)) throw new Error('no verb element');
  return first;
}

/** A canonical text child. */
function text(value: string): { text: string } {
  return { text: value };
}

/** The XML of commands without declaration and `<Response>`, as written. */
function written(...commands: OpentactCommand[]): string {
  return renderOpentactResponse(commands, { declaration: false }).replace(
    /^<Response>(.*)<\/Response>$/s,
    '$1',
  );
}

/** Calls a builder the way untyped JavaScript can. */
function untyped(builder: unknown): (...args: unknown[]) => unknown {
  return builder as (...args: unknown[]) => unknown;
}

const XML_INVALID = [
  '\u0000',
  '\u0001',
  '\u000b',
  '\u001f',
  '\ud800',
  '\udc00',
  '\ufffe',
  '\uffff',
];

const NOT_OBJECTS: [string, unknown][] = [
  ['null', null],
  ['a string', 'x'],
  ['a number', 15],
  ['an array', []],
];

/** Values that are not whole milliseconds ≥ 0. */
const NOT_MILLISECONDS: unknown[] = [
  -1,
  1.5,
  '1000',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  true,
  2 ** 53,
];

/** Values that are not blank-free strings. */
const BLANKS: unknown[] = ['', ' ', '\n\t', 5, null, true, ['x']];

describe('answer', () => {
  test('bare, with a delay in milliseconds and a tag', () => {
    const command = answer();
    expect(command).toBeInstanceOf(OpentactCommand);
    expect(command.name).toBe('Answer');
    expect(command.element).toEqual({ name: 'Answer', attributes: {}, children: [] });
    expect(written(command)).toBe('<Answer/>');
    expect(written(answer({ delayMs: 2000, tag: '123456' }))).toBe(
      '<Answer delay="2000" tag="123456"/>',
    );
    expect(written(answer({ delayMs: 0 }))).toBe('<Answer delay="0"/>');
  });

  test.each(NOT_MILLISECONDS)('refuses the delay %j', (delayMs) => {
    expectInvalid(
      () => answer({ delayMs: delayMs as never }),
      'opentact.answer: delayMs must be a whole number of milliseconds ≥ 0',
    );
  });

  test('the duration option is named delayMs: delay is unknown', () => {
    expectInvalid(
      () => answer({ delay: 2000 } as never),
      'opentact.answer',
      'unknown option "delay"',
      'delayMs',
    );
  });

  test.each(NOT_OBJECTS)('refuses options that are %s', (_label, options) => {
    expectInvalid(() => answer(options as never), 'opentact.answer', 'options must be an object');
  });
});

describe('say', () => {
  test('the text is the element body', () => {
    const command = say('How are you?');
    expect(command.name).toBe('Say');
    expect(written(command)).toBe('<Say>How are you?</Say>');
  });

  test('every attribute, in order', () => {
    expect(
      written(
        say('Hi', {
          tag: 'greeting',
          loop: 2,
          lang: 'en-US',
          code: 'en-US-Wavenet-D',
          gender: 'MALE',
          type: 'WaveNet',
        }),
      ),
    ).toBe(
      '<Say type="WaveNet" gender="MALE" code="en-US-Wavenet-D" lang="en-US" loop="2" tag="greeting">Hi</Say>',
    );
  });

  test('textAttribute writes <Say text="…"/>', () => {
    expect(written(say('Say your name', { textAttribute: true }))).toBe(
      '<Say text="Say your name"/>',
    );
    expect(written(say('x', { textAttribute: false }))).toBe('<Say>x</Say>');
    expect(written(say('x', { textAttribute: true, lang: 'es' }))).toBe(
      '<Say text="x" lang="es"/>',
    );
  });

  test('the text keeps its whitespace and non-ASCII characters exactly', () => {
    const value = '  Grüße \u{1F600}\n';
    expect(elementOf(say(value)).children).toEqual([text(value)]);
  });

  test.each(['WaveNet', 'Standard'] as const)('type %s', (type) => {
    expect(elementOf(say('x', { type })).attributes).toEqual({ type });
  });

  test.each(['MALE', 'FEMALE'] as const)('gender %s', (gender) => {
    expect(elementOf(say('x', { gender })).attributes).toEqual({ gender });
  });

  test.each(['es', 'en-US', 'pt-BR', 'cmn-CN', 'zh-Hans'])('lang %s', (lang) => {
    expect(elementOf(say('x', { lang })).attributes).toEqual({ lang });
  });

  describe('refuses', () => {
    test.each(BLANKS)('the text %j', (value) => {
      expectInvalid(() => untyped(say)(value), 'opentact.say: text must be a non-empty string');
    });

    test.each(XML_INVALID)('a text with U+%s XML cannot carry', (character) => {
      expectInvalid(() => say(`a${character}`), 'opentact.say', 'text', 'XML');
    });

    test.each(['wavenet', 'Wavenet', 'Neural', '', null])('type %j', (type) => {
      expectInvalid(
        () => say('x', { type: type as never }),
        'opentact.say: type must be "WaveNet" or "Standard"',
      );
    });

    test.each(['male', 'Female', 'NEUTRAL', 1])('gender %j', (gender) => {
      expectInvalid(
        () => say('x', { gender: gender as never }),
        'opentact.say: gender must be "MALE" or "FEMALE"',
      );
    });

    test.each(['', 'e', 'english', 'en_US', 'en-', '<es>', 7])('lang %j', (lang) => {
      expectInvalid(
        () => say('x', { lang: lang as never }),
        'opentact.say: lang must be a language code',
      );
    });

    test.each(['', ' x', 'a b', '-x', 'a/b', 5])('code %j', (code) => {
      expectInvalid(
        () => say('x', { code: code as never }),
        'opentact.say: code must be a voice code',
      );
    });

    test.each([0, -1, 1.5, '2', null])('loop %j', (loop) => {
      expectInvalid(
        () => say('x', { loop: loop as never }),
        'opentact.say: loop must be a whole number of times ≥ 1',
      );
    });

    test.each(['', 1, 'yes'])('textAttribute %j', (textAttribute) => {
      expectInvalid(
        () => say('x', { textAttribute: textAttribute as never }),
        'opentact.say: textAttribute must be true or false',
      );
    });

    test.each(BLANKS)('the tag %j', (tag) => {
      expectInvalid(
        () => say('x', { tag: tag as never }),
        'opentact.say: tag must be a non-empty string',
      );
    });

    test.each(['text', 'voice', 'language', 'Lang'])('the unknown option %s', (key) => {
      expectInvalid(
        () => say('x', { [key]: 'x' } as never),
        'opentact.say',
        `unknown option "${key}"`,
      );
    });
  });
});

describe('play', () => {
  test('the URL is the element body', () => {
    const command = play(URL);
    expect(command.name).toBe('Play');
    expect(written(command)).toBe(`<Play>${URL}</Play>`);
    expect(written(play(URL, { loop: 3, leg: 'bleg', tag: 't' }))).toBe(
      `<Play loop="3" leg="bleg" tag="t">${URL}</Play>`,
    );
  });

  test('urlAttribute writes the url attribute the table lists', () => {
    expect(written(play(URL, { urlAttribute: true }))).toBe(`<Play url="${URL}"/>`);
    expect(written(play(URL, { urlAttribute: false }))).toBe(`<Play>${URL}</Play>`);
  });

  test('the record form replays an earlier Record tag', () => {
    expect(written(play({ record: 'name1' }))).toBe('<Play record="name1"/>');
    expect(written(play({ record: 'name1', loop: 2, leg: 'aleg', tag: 'x' }))).toBe(
      '<Play record="name1" loop="2" leg="aleg" tag="x"/>',
    );
  });

  test.each(['aleg', 'bleg', 'both'] as const)('leg %s', (leg) => {
    expect(elementOf(play(URL, { leg })).attributes).toEqual({ leg });
  });

  describe('refuses', () => {
    test.each(['', ' ', 'example.mp3', '/audio/a.mp3', 'ftp://example.com/a.mp3', 'http//x'])(
      'the URL %j',
      (url) => {
        expectInvalid(() => play(url), 'opentact.play', 'url must be');
      },
    );

    test.each([5, null, undefined, true, ['https://a.example/']])(
      'a first argument %j that is neither URL nor options',
      (value) => {
        expectInvalid(
          () => untyped(play)(value),
          'opentact.play: the first argument must be a URL string or options with record',
        );
      },
    );

    test('a record form without record, or with a blank one', () => {
      expectInvalid(() => play({} as never), 'opentact.play: record is required');
      expectInvalid(
        () => play({ record: ' ' }),
        'opentact.play: record must be a non-empty string',
      );
    });

    test('record with a URL, and a second argument in the record form', () => {
      expectInvalid(
        () => play(URL, { record: 'name1' } as never),
        'opentact.play',
        'unknown option "record"',
      );
      expectInvalid(
        () => untyped(play)({ record: 'name1' }, { loop: 2 }),
        'opentact.play: the record form takes one options object',
      );
      expectInvalid(
        () => play({ record: 'name1', urlAttribute: true } as never),
        'opentact.play',
        'unknown option "urlAttribute"',
      );
    });

    test.each(['a', 'Aleg', 'caller', '', 1])('leg %j', (leg) => {
      expectInvalid(
        () => play(URL, { leg: leg as never }),
        'opentact.play: leg must be "aleg" or "bleg" or "both"',
      );
    });

    test.each([0, 1.5, '1'])('loop %j', (loop) => {
      expectInvalid(() => play(URL, { loop: loop as never }), 'opentact.play: loop must be');
    });

    test.each(NOT_OBJECTS)('options that are %s', (_label, options) => {
      expectInvalid(() => play(URL, options as never), 'opentact.play: options must be an object');
    });
  });
});

describe('pause', () => {
  test('bare, a length in milliseconds, dtmf_stop', () => {
    expect(written(pause())).toBe('<Pause/>');
    expect(written(pause({ lengthMs: 3000 }))).toBe('<Pause length="3000"/>');
    expect(written(pause({ lengthMs: 60000, dtmfStop: '#' }))).toBe(
      '<Pause length="60000" dtmf_stop="#"/>',
    );
    expect(written(pause({ dtmfStop: '0123456789*#' }))).toBe('<Pause dtmf_stop="0123456789*#"/>');
  });

  test.each(NOT_MILLISECONDS)('refuses the length %j', (lengthMs) => {
    expectInvalid(
      () => pause({ lengthMs: lengthMs as never }),
      'opentact.pause: lengthMs must be a whole number of milliseconds ≥ 0',
    );
  });

  test('the duration option is named lengthMs: length is unknown', () => {
    expectInvalid(
      () => pause({ length: 3000 } as never),
      'opentact.pause',
      'unknown option "length"',
    );
  });

  test.each(['', 'a', '1 2', '+', 'A', 5, null])('refuses dtmfStop %j', (dtmfStop) => {
    expectInvalid(
      () => pause({ dtmfStop: dtmfStop as never }),
      'opentact.pause: dtmfStop must be DTMF keys',
    );
  });
});

describe('hangup', () => {
  test('bare and with a tag', () => {
    expect(hangup().name).toBe('Hangup');
    expect(written(hangup())).toBe('<Hangup/>');
    expect(written(hangup({ tag: 'CallEndedByUser' }))).toBe('<Hangup tag="CallEndedByUser"/>');
  });

  test('refuses a blank tag, unknown options and non-objects', () => {
    expectInvalid(() => hangup({ tag: '' }), 'opentact.hangup: tag must be a non-empty string');
    expectInvalid(
      () => hangup({ reason: 'x' } as never),
      'opentact.hangup',
      'unknown option "reason" in options (known: tag, error)',
    );
    expectInvalid(() => untyped(hangup)(null), 'opentact.hangup: options must be an object');
  });
});

describe('record', () => {
  test('bare, tag, asr, timeout in milliseconds', () => {
    expect(written(record())).toBe('<Record/>');
    expect(written(record({ tag: 'name1' }))).toBe('<Record tag="name1"/>');
    expect(written(record({ asr: true, timeoutMs: 45000 }))).toBe(
      '<Record asr="true" timeout="45000"/>',
    );
    expect(written(record({ asr: false }))).toBe('<Record asr="false"/>');
  });

  test('nested commands run while recording', () => {
    expect(written(record({ commands: [pause({ lengthMs: 60000, dtmfStop: '#' })] }))).toBe(
      '<Record><Pause length="60000" dtmf_stop="#"/></Record>',
    );
    expect(written(record({ commands: [] }))).toBe('<Record/>');
  });

  test('refuses', () => {
    expectInvalid(
      () => record({ asr: 'yes' as never }),
      'opentact.record: asr must be true or false',
    );
    expectInvalid(
      () => record({ timeoutMs: -1 }),
      'opentact.record: timeoutMs must be a whole number of milliseconds ≥ 0',
    );
    expectInvalid(
      () => record({ timeout: 5 } as never),
      'opentact.record',
      'unknown option "timeout"',
    );
    expectInvalid(
      () => record({ commands: pause() as never }),
      'opentact.record: commands must be an array of Opentact commands',
    );
    expectInvalid(
      () => record({ commands: [pause(), 'x' as never] }),
      'opentact.record: commands[1] is not an Opentact command made by the opentact builders',
    );
  });
});

describe.each([
  ['recordStart', recordStart, 'RecordStart'],
  ['recordStop', recordStop, 'RecordStop'],
  ['recordWait', recordWait, 'RecordWait'],
] as const)('%s (no attributes documented: tag only)', (builder, build, name) => {
  test('bare and with a tag', () => {
    expect(build().name).toBe(name);
    expect(written(build())).toBe(`<${name}/>`);
    expect(written(build({ tag: 'x' }))).toBe(`<${name} tag="x"/>`);
  });

  test.each(['timeoutMs', 'asr', 'commands', 'name'])('refuses the option %s', (key) => {
    expectInvalid(
      () => build({ [key]: 1 } as never),
      `opentact.${builder}`,
      `unknown option "${key}"`,
    );
  });
});

describe('dial', () => {
  test('one destination or several, as <To> nouns', () => {
    const command = dial('sip:user@example.com');
    expect(command.name).toBe('Dial');
    expect(written(command)).toBe('<Dial><To>sip:user@example.com</To></Dial>');
    expect(written(dial(['support1@sip.opentact.org', '12223334455']))).toBe(
      '<Dial><To>support1@sip.opentact.org</To><To>12223334455</To></Dial>',
    );
    expect(written(dial(['a@b.example'], { tag: 'd', noun: 'To' }))).toBe(
      '<Dial tag="d"><To>a@b.example</To></Dial>',
    );
  });

  test('the legacy <Sip> noun', () => {
    expect(written(dial(['1000@x.x.x.x:9000', '1001@pbx'], { noun: 'Sip' }))).toBe(
      '<Dial><Sip>1000@x.x.x.x:9000</Sip><Sip>1001@pbx</Sip></Dial>',
    );
  });

  describe('refuses', () => {
    test.each([[[]], [5], [null], [undefined], [{}]])('to %j', (to) => {
      expectInvalid(
        () => untyped(dial)(to),
        'opentact.dial: to must be a destination or a non-empty list',
      );
    });

    test.each(['', ' ', 5, null])('a destination %j', (target) => {
      expectInvalid(
        () => dial(['a@b.example', target as never]),
        'opentact.dial: to[1] must be a non-empty string',
      );
    });

    test('a destination with whitespace, alone or in a list', () => {
      expectInvalid(
        () => dial('a b@example.com'),
        'opentact.dial: to must be a destination without whitespace',
      );
      expectInvalid(
        () => dial(['x', 'a\tb']),
        'opentact.dial: to[1] must be a destination without whitespace',
      );
    });

    test('a destination given twice', () => {
      expectInvalid(() => dial(['x@y', 'x@y']), 'opentact.dial: to[1] "x@y" is given twice');
    });

    test.each(['Number', 'to', 'sip', ''])('noun %j', (noun) => {
      expectInvalid(
        () => dial('x', { noun: noun as never }),
        'opentact.dial: noun must be "To" or "Sip"',
      );
    });

    test.each(['timeoutMs', 'record', 'callerId'])('the undocumented option %s', (key) => {
      expectInvalid(
        () => dial('x', { [key]: 1 } as never),
        'opentact.dial',
        `unknown option "${key}"`,
      );
    });
  });
});

describe('gather (current form)', () => {
  test('attributes in order, with the prompt, branches, default and error', () => {
    const command = gather({
      error: [say('E')],
      default: [say('D')],
      dtmf: [
        { value: '1', commands: [say('one')] },
        { value: '2', commands: [] },
      ],
      prompt: [say('Menu'), pause({ lengthMs: 500 }), play(URL)],
      tag: 'menu',
      url: 'https://app.example/next?token=T',
      dtmfStop: '#',
      dtmfLength: 1,
    });
    expect(command.name).toBe('Gather');
    expect(written(command)).toBe(
      '<Gather dtmf_length="1" dtmf_stop="#" url="https://app.example/next?token=T" tag="menu">' +
        `<Say>Menu</Say><Pause length="500"/><Play>${URL}</Play>` +
        '<DTMF value="1"><Say>one</Say></DTMF><DTMF value="2"/>' +
        '<Default><Say>D</Say></Default>' +
        '<Error><Say>E</Say></Error>' +
        '</Gather>',
    );
  });

  test('length is a digit count, and a url alone handles the digits', () => {
    expect(written(gather({ length: 4, dtmfStop: '#', url: 'http://a.example/x' }))).toBe(
      '<Gather length="4" dtmf_stop="#" url="http://a.example/x"/>',
    );
  });

  test('a default alone handles the digits; its object form carries a tag', () => {
    expect(written(gather({ default: [hangup()] }))).toBe(
      '<Gather><Default><Hangup/></Default></Gather>',
    );
    expect(written(gather({ default: { commands: [hangup()], tag: 'none' } }))).toBe(
      '<Gather><Default tag="none"><Hangup/></Default></Gather>',
    );
    expect(written(gather({ default: { commands: [] } }))).toBe('<Gather><Default/></Gather>');
  });

  test('multi-key DTMF values up to the digit count', () => {
    expect(
      elementOf(
        gather({
          length: 4,
          dtmf: [
            { value: '1234', commands: [] },
            { value: '12', commands: [] },
            { value: '*0#', commands: [] },
          ],
        }),
      ).children,
    ).toEqual([
      el('DTMF', { value: '1234' }),
      el('DTMF', { value: '12' }),
      el('DTMF', { value: '*0#' }),
    ]);
  });

  describe('refuses', () => {
    test('dtmfLength and length together', () => {
      expectInvalid(
        () => gather({ dtmfLength: 1, length: 1, url: 'http://a.example/' }),
        'opentact.gather: dtmfLength and length both set the number of digits',
      );
    });

    test.each([0, -1, 1.5, '1', null])('digit counts %j (a count, not a duration)', (count) => {
      expectInvalid(
        () => gather({ dtmfLength: count as never, url: 'http://a.example/' }),
        'opentact.gather: dtmfLength must be a whole number of digits ≥ 1',
      );
      expectInvalid(
        () => gather({ length: count as never, url: 'http://a.example/' }),
        'opentact.gather: length must be a whole number of digits ≥ 1',
      );
    });

    test('nothing that handles the digits', () => {
      expectInvalid(
        () => gather({}),
        'opentact.gather: nothing handles the digits entered: give dtmf, default or url',
      );
      expectInvalid(() => gather({ dtmf: [], prompt: [say('x')] }), 'nothing handles');
      expectInvalid(() => untyped(gather)(), 'opentact.gather: options must be an object');
    });

    test.each(['ftp://a.example/', 'a.example/x', ''])('the url %j', (url) => {
      expectInvalid(() => gather({ url }), 'opentact.gather: url must be');
    });

    test.each([
      ['Hangup', hangup()],
      ['Dial', dial('x')],
      ['Error', error()],
      ['Gather', gather({ url: 'http://a.example/' })],
      ['Meta', meta('a', 'b')],
    ])('a %s in the prompt (Say, Play and Pause only)', (name, command) => {
      expectInvalid(
        () => gather({ prompt: [say('x'), command], url: 'http://a.example/' }),
        `opentact.gather: prompt[1] is a ${name}: the prompt holds only Say, Play and Pause`,
      );
    });

    test('a prompt that is not a list of built commands', () => {
      expectInvalid(
        () => gather({ prompt: say('x') as never, url: 'http://a.example/' }),
        'opentact.gather: prompt must be an array of Opentact commands',
      );
    });

    test('dtmf that is not an array of branches', () => {
      expectInvalid(
        () => gather({ dtmf: { value: '1', commands: [] } as never }),
        'opentact.gather: dtmf must be an array of branches',
      );
      expectInvalid(
        () => gather({ dtmf: [null as never] }),
        'opentact.gather: dtmf[0] must be an object',
      );
      expectInvalid(
        () => gather({ dtmf: [{ value: '1', commands: [], key: '1' } as never] }),
        'opentact.gather',
        'unknown option "key" in dtmf[0]',
      );
    });

    test.each(['', 'a', '1 ', '+', 1, null, undefined])('a DTMF value %j', (value) => {
      expectInvalid(
        () => gather({ dtmf: [{ value: value as never, commands: [] }] }),
        'opentact.gather: dtmf[0].value must be DTMF keys',
      );
    });

    test('a DTMF value given twice', () => {
      expectInvalid(
        () =>
          gather({
            dtmf: [
              { value: '1', commands: [] },
              { value: '1', commands: [say('again')] },
            ],
          }),
        'opentact.gather: dtmf[1].value "1" is given twice',
      );
    });

    test('a DTMF value longer than the digit count', () => {
      expectInvalid(
        () => gather({ dtmfLength: 1, dtmf: [{ value: '12', commands: [] }] }),
        'opentact.gather: dtmf[0].value "12" has 2 digits, more than dtmfLength 1',
      );
      expectInvalid(
        () => gather({ length: 2, dtmf: [{ value: '123', commands: [] }] }),
        'more than length 2',
      );
    });

    test('a DTMF value holding a dtmfStop key', () => {
      expectInvalid(
        () => gather({ dtmfStop: '*#', dtmf: [{ value: '1#', commands: [] }] }),
        'opentact.gather: dtmf[0].value "1#" holds "#", a key of dtmfStop that ends the input',
      );
    });

    test('a branch without commands, or with foreign ones', () => {
      expectInvalid(
        () => gather({ dtmf: [{ value: '1' } as never] }),
        'opentact.gather: dtmf[0].commands is required',
      );
      expectInvalid(
        () => gather({ dtmf: [{ value: '1', commands: [ozeki.hangup() as never] }] }),
        'opentact.gather: dtmf[0].commands[0] is not an Opentact command',
      );
    });

    test('a default that is neither commands nor a block', () => {
      expectInvalid(
        () => gather({ default: hangup() as never }),
        'opentact.gather',
        'unknown option "name" in default',
      );
      expectInvalid(
        () => gather({ default: 'x' as never }),
        'opentact.gather: default must be an object',
      );
      expectInvalid(
        () => gather({ default: { tag: 'x' } as never }),
        'opentact.gather: default.commands is required',
      );
      expectInvalid(
        () => gather({ default: { commands: [], tag: '' } }),
        'opentact.gather: tag must be a non-empty string',
      );
      expectInvalid(
        () => gather({ default: [hangup(), {} as never] }),
        'opentact.gather: default[1] is not an Opentact command',
      );
    });

    test.each(['timeoutMs', 'numDigits', 'finishOnKey', 'cases', 'filler', 'dtmf_stop'])(
      'the option %s of the other form',
      (key) => {
        expectInvalid(
          () => gather({ url: 'http://a.example/', [key]: 1 } as never),
          'opentact.gather',
          `unknown option "${key}"`,
        );
      },
    );
  });
});

describe('legacyGather', () => {
  test('attributes in order, prompt, Switch with cases, Default, Error, then the own Error', () => {
    const command = legacyGather({
      error: [hangup()],
      switchError: error({ speakReason: true }),
      default: { commands: [say('D')], tag: 'dflt' },
      cases: [
        { dtmf: '1', commands: [say('one')] },
        { dtmf: '2', commands: [] },
      ],
      prompt: [say('Menu')],
      tag: 'g',
      method: 'POST',
      callback: 'https://backend.example/rest/call_flow/?token=1',
      finishOnKey: '#',
      timeoutMs: 10000,
      attempts: 2,
      numDigits: 1,
    });
    expect(command.name).toBe('Gather');
    expect(written(command)).toBe(
      '<Gather numDigits="1" attempts="2" timeout="10000" finishOnKey="#" callback="https://backend.example/rest/call_flow/?token=1" method="POST" tag="g">' +
        '<Say>Menu</Say>' +
        '<Switch><Case dtmf="1"><Say>one</Say></Case><Case dtmf="2"/>' +
        '<Default tag="dflt"><Say>D</Say></Default><Error play="true"/></Switch>' +
        '<Error><Hangup/></Error>' +
        '</Gather>',
    );
  });

  test('no <Switch> when there is nothing to put in it', () => {
    expect(written(legacyGather({ callback: 'http://a.example/', prompt: [say('x')] }))).toBe(
      '<Gather callback="http://a.example/"><Say>x</Say></Gather>',
    );
  });

  test.each(['GET', 'POST', 'get', 'post', 'Post'])(
    'method %s is matched ignoring case and written as given',
    (method) => {
      expect(elementOf(legacyGather({ callback: 'http://a.example/', method })).attributes).toEqual(
        { callback: 'http://a.example/', method },
      );
    },
  );

  test.each(['*', '#', '+', '0', '#*+'])('finishOnKey %j', (finishOnKey) => {
    expect(
      elementOf(legacyGather({ callback: 'http://a.example/', finishOnKey })).attributes,
    ).toEqual({ callback: 'http://a.example/', finishOnKey });
  });

  test('multi-digit cases with numDigits', () => {
    expect(
      written(legacyGather({ numDigits: 4, cases: [{ dtmf: '1234', commands: [hangup()] }] })),
    ).toBe('<Gather numDigits="4"><Switch><Case dtmf="1234"><Hangup/></Case></Switch></Gather>');
  });

  describe('refuses', () => {
    test('a method without callback, and methods other than GET/POST', () => {
      expectInvalid(
        () => legacyGather({ method: 'GET', cases: [{ dtmf: '1', commands: [] }] }),
        'opentact.legacyGather: method is the HTTP method of callback: give callback too',
      );
      for (const method of ['PUT', 'DELETE', 'fetch', '', 1]) {
        expectInvalid(
          () => legacyGather({ callback: 'http://a.example/', method: method as never }),
          'opentact.legacyGather: method must be GET, POST (any letter case)',
        );
      }
    });

    test('nothing that handles the digits', () => {
      expectInvalid(
        () => legacyGather({ switchError: [say('none')], prompt: [say('x')] }),
        'opentact.legacyGather: nothing handles the digits entered: give cases, default or callback',
      );
    });

    test('a case longer than numDigits, which defaults to 1', () => {
      expectInvalid(
        () => legacyGather({ cases: [{ dtmf: '12', commands: [] }] }),
        'opentact.legacyGather: cases[0].dtmf "12" has 2 digits, more than numDigits (default 1)',
      );
      expectInvalid(
        () => legacyGather({ numDigits: 2, cases: [{ dtmf: '123', commands: [] }] }),
        'more than numDigits 2',
      );
    });

    test('a case holding a finishOnKey key, which defaults to *', () => {
      expectInvalid(
        () => legacyGather({ cases: [{ dtmf: '*', commands: [] }] }),
        'opentact.legacyGather: cases[0].dtmf "*" holds "*", a key of finishOnKey (default *)',
      );
      expectInvalid(
        () => legacyGather({ finishOnKey: '#', cases: [{ dtmf: '#', commands: [] }] }),
        'holds "#", a key of finishOnKey that ends the input',
      );
      expect(
        written(legacyGather({ finishOnKey: '#', cases: [{ dtmf: '*', commands: [] }] })),
      ).toBe('<Gather finishOnKey="#"><Switch><Case dtmf="*"/></Switch></Gather>');
    });

    test('a case given twice, or with invalid keys', () => {
      expectInvalid(
        () =>
          legacyGather({
            cases: [
              { dtmf: '1', commands: [] },
              { dtmf: '1', commands: [] },
            ],
          }),
        'opentact.legacyGather: cases[1].dtmf "1" is given twice',
      );
      expectInvalid(
        () => legacyGather({ cases: [{ dtmf: 'x', commands: [] }] }),
        'opentact.legacyGather: cases[0].dtmf must be DTMF keys',
      );
      expectInvalid(
        () => legacyGather({ cases: [{ value: '1', commands: [] } as never] }),
        'opentact.legacyGather',
        'unknown option "value" in cases[0]',
      );
    });

    test.each(['', 'a', '1 2', '-', 5])('finishOnKey %j', (finishOnKey) => {
      expectInvalid(
        () => legacyGather({ callback: 'http://a.example/', finishOnKey: finishOnKey as never }),
        'opentact.legacyGather: finishOnKey must be keys of 0-9, *, # and +',
      );
    });

    test('numDigits, attempts, timeout and callback values', () => {
      const base = { callback: 'http://a.example/' };
      expectInvalid(
        () => legacyGather({ ...base, numDigits: 0 }),
        'numDigits must be a whole number of digits ≥ 1',
      );
      expectInvalid(
        () => legacyGather({ ...base, attempts: 0 }),
        'attempts must be a whole number of attempts ≥ 1',
      );
      expectInvalid(
        () => legacyGather({ ...base, timeoutMs: 1.5 }),
        'timeoutMs must be a whole number of milliseconds ≥ 0',
      );
      expectInvalid(
        () => legacyGather({ ...base, timeout: 10000 } as never),
        'unknown option "timeout"',
      );
      expectInvalid(() => legacyGather({ callback: '/relative' }), 'callback must be an absolute');
    });

    test('a prompt with other verbs, and invalid switchError blocks', () => {
      expectInvalid(
        () => legacyGather({ callback: 'http://a.example/', prompt: [hangup()] }),
        'opentact.legacyGather: prompt[0] is a Hangup',
      );
      expectInvalid(
        () => legacyGather({ callback: 'http://a.example/', switchError: hangup() as never }),
        'opentact.legacyGather: switchError must be a list of commands or an error() block, got a Hangup command',
      );
    });

    test.each(['dtmf', 'dtmfLength', 'url', 'dtmfStop'])(
      'the option %s of the current form',
      (key) => {
        expectInvalid(
          () => legacyGather({ callback: 'http://a.example/', [key]: 1 } as never),
          'opentact.legacyGather',
          `unknown option "${key}"`,
        );
      },
    );
  });
});

describe('callback', () => {
  test('url, method, body, timeout in milliseconds and tag, in order', () => {
    const command = callback('https://api.callify.io/opentact/callflow');
    expect(command.name).toBe('Callback');
    expect(written(command)).toBe('<Callback url="https://api.callify.io/opentact/callflow"/>');
    expect(
      written(
        callback('https://a.example/x', { tag: 't', timeoutMs: 5000, body: true, method: 'PATCH' }),
      ),
    ).toBe(
      '<Callback url="https://a.example/x" method="PATCH" body="true" timeout="5000" tag="t"/>',
    );
  });

  test.each(['GET', 'POST', 'PATCH', 'DELETE', 'get', 'post', 'patch', 'delete', 'Post'])(
    'method %s is matched ignoring case and written as given',
    (method) => {
      expect(elementOf(callback('http://a.example/', { method })).attributes).toEqual({
        url: 'http://a.example/',
        method,
      });
    },
  );

  test('textForm writes the lowercase <callback>URL</callback>', () => {
    const command = callback('http://yourcallbackurl.com', { textForm: true });
    expect(command.name).toBe('Callback');
    expect(command.element.name).toBe('callback');
    expect(written(command)).toBe('<callback>http://yourcallbackurl.com</callback>');
    expect(written(callback('http://a.example/', { textForm: false }))).toBe(
      '<Callback url="http://a.example/"/>',
    );
  });

  describe('refuses', () => {
    test.each(['PUT', 'HEAD', 'fetch', '', 1, null])('method %j', (method) => {
      expectInvalid(
        () => callback('http://a.example/', { method: method as never }),
        'opentact.callback: method must be GET, POST, PATCH, DELETE (any letter case)',
      );
    });

    test.each(['', 'x', '/next', 'mailto:a@b.example', 5, null])('url %j', (url) => {
      expectInvalid(() => untyped(callback)(url), 'opentact.callback: url must be');
    });

    test('other options with textForm', () => {
      for (const [key, value] of [
        ['method', 'GET'],
        ['body', true],
        ['timeoutMs', 1],
        ['tag', 't'],
        ['error', [hangup()]],
      ] as const) {
        expectInvalid(
          () => callback('http://a.example/', { textForm: true, [key]: value }),
          `opentact.callback: textForm writes only the URL: ${key} cannot be combined with it`,
        );
      }
    });

    test('non-boolean body and textForm, and a timeout option without Ms', () => {
      expectInvalid(
        () => callback('http://a.example/', { body: 'true' as never }),
        'opentact.callback: body must be true or false',
      );
      expectInvalid(
        () => callback('http://a.example/', { textForm: 1 as never }),
        'opentact.callback: textForm must be true or false',
      );
      expectInvalid(
        () => callback('http://a.example/', { timeout: 1 } as never),
        'unknown option "timeout"',
      );
    });
  });
});

describe('curl', () => {
  test('url, method, timeout in milliseconds, body and tag', () => {
    const command = curl('https://api.example.com/data');
    expect(command.name).toBe('Curl');
    expect(written(command)).toBe('<Curl url="https://api.example.com/data"/>');
    expect(
      written(
        curl('https://api.example.com/data', {
          tag: 't',
          body: "{'key':'value'}",
          timeoutMs: 5000,
          method: 'POST',
        }),
      ),
    ).toBe(
      // `'` inside a double-quoted attribute is written as `&apos;` (the same value).
      '<Curl url="https://api.example.com/data" method="POST" timeout="5000" body="{&apos;key&apos;:&apos;value&apos;}" tag="t"/>',
    );
  });

  test.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'put'])(
    'method %s',
    (method) => {
      expect(elementOf(curl('http://a.example/', { method })).attributes['method']).toBe(method);
    },
  );

  test('refuses', () => {
    expectInvalid(() => curl('a.example/x'), 'opentact.curl: url must be an absolute http(s) URL');
    expectInvalid(
      () => curl('http://a.example/', { method: 'FETCH' }),
      'opentact.curl: method must be GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    );
    expectInvalid(
      () => curl('http://a.example/', { body: ' ' }),
      'opentact.curl: body must be a non-empty string',
    );
    expectInvalid(
      () => curl('http://a.example/', { timeoutMs: -5 }),
      'opentact.curl: timeoutMs must be a whole number of milliseconds ≥ 0',
    );
    expectInvalid(
      () => curl('http://a.example/', { headers: {} } as never),
      'opentact.curl',
      'unknown option "headers"',
    );
  });
});

describe('meta', () => {
  test.each([
    ['value', 'value'],
    ['', ''],
    [true, 'true'],
    [false, 'false'],
    [123, '123'],
    [123.99, '123.99'],
    [-4, '-4'],
    [0, '0'],
  ] as const)('value %j is written %j', (value, written_) => {
    expect(elementOf(meta('n', value))).toEqual(el('Meta', { name: 'n', value: written_ }));
  });

  test('name, value and tag in order', () => {
    expect(written(meta('is_active', true, { tag: 't' }))).toBe(
      '<Meta name="is_active" value="true" tag="t"/>',
    );
  });

  test('body writes a multi-line text body exactly', () => {
    const body = '\n  A Complex example.\n  line 2\n';
    const command = meta('description', body, { body: true });
    expect(command.name).toBe('Meta');
    expect(written(command)).toBe(`<Meta name="description">${body}</Meta>`);
    expect(elementOf(command)).toEqual(el('Meta', { name: 'description' }, [text(body)]));
  });

  test.each(['name', 'is_active', '_x', 'urgency_level', 'a.b-c', 'X9'])('name %s', (name) => {
    expect(elementOf(meta(name, 'v')).attributes['name']).toBe(name);
  });

  describe('refuses', () => {
    test.each(['', '9a', 'a b', '-a', 'a/b', 5, null])('name %j', (name) => {
      expectInvalid(() => untyped(meta)(name, 'v'), 'opentact.meta: name must be a name');
    });

    test.each([Number.NaN, Number.POSITIVE_INFINITY, 1e21, 1e-7, null, undefined, {}, ['x'], 10n])(
      'value %p',
      (value) => {
        expectInvalid(
          () => untyped(meta)('n', value),
          'opentact.meta: value must be a string, a finite number or a boolean',
        );
      },
    );

    test.each(XML_INVALID)('a value with U+%s XML cannot carry', (character) => {
      expectInvalid(() => meta('n', `a${character}`), 'opentact.meta: value', 'XML');
      expectInvalid(
        () => meta('n', `a${character}`, { body: true }),
        'opentact.meta: value',
        'XML',
      );
    });

    test('a body that is not a non-blank string, and body with an error block', () => {
      expectInvalid(
        () => meta('n', 5, { body: true }),
        'opentact.meta: value must be a non-empty string',
      );
      expectInvalid(
        () => meta('n', '\n ', { body: true }),
        'opentact.meta: value must be a non-empty string',
      );
      expectInvalid(
        () => meta('n', 'text', { body: true, error: [hangup()] }),
        'opentact.meta: a Meta with a text body cannot hold an error block',
      );
      expectInvalid(() => meta('n', 'v', { body: 'yes' as never }), 'body must be true or false');
    });
  });
});

describe('call', () => {
  test.each([
    ['18382050099', '18382050099'],
    ['', ''],
    [18382050099, '18382050099'],
    [1.5, '1.5'],
    [true, 'true'],
    [false, 'false'],
    [null, 'null'],
  ] as const)('value %j is written %j', (value, written_) => {
    expect(elementOf(call({ field: 'to', value }))).toEqual(
      el('Call', { field: 'to', value: written_ }),
    );
  });

  test('the block runs only for matching calls', () => {
    const command = call({
      field: 'from',
      value: '+14158531285',
      tag: 'vip',
      commands: [say('Hi there!', { textAttribute: true }), hangup()],
    });
    expect(command.name).toBe('Call');
    expect(written(command)).toBe(
      '<Call field="from" value="+14158531285" tag="vip"><Say text="Hi there!"/><Hangup/></Call>',
    );
  });

  test('refuses', () => {
    expectInvalid(() => call({ value: '1' } as never), 'opentact.call: field is required');
    expectInvalid(() => call({ field: 'to' } as never), 'opentact.call: value is required');
    for (const field of ['', '1to', 'to from', 'to-x', 5]) {
      expectInvalid(
        () => call({ field: field as never, value: 'x' }),
        'opentact.call: field must be a call field name',
      );
    }
    for (const value of [Number.NaN, 1e21, {}, [], undefined]) {
      if (value === undefined) continue;
      expectInvalid(
        () => call({ field: 'to', value: value as never }),
        'opentact.call: value must be a string, a finite number, a boolean or null',
      );
    }
    expectInvalid(() => call({ field: 'to', value: 'a\u0000' }), 'opentact.call: value', 'XML');
    expectInvalid(() => untyped(call)(), 'opentact.call: options must be an object');
  });
});

describe('geo', () => {
  test('states as an array or a string, county, and no filter at all', () => {
    const command = geo({ states: ['NJ', 'CA'], county: 'ESSEX', commands: [say('Hello')] });
    expect(command.name).toBe('Geo');
    expect(written(command)).toBe('<Geo states="NJ,CA" county="ESSEX"><Say>Hello</Say></Geo>');
    expect(written(geo({ states: 'AL,OK' }))).toBe('<Geo states="AL,OK"/>');
    expect(written(geo({ county: 'ESSEX' }))).toBe('<Geo county="ESSEX"/>');
    expect(written(geo())).toBe('<Geo/>');
  });

  test.each([
    [[]],
    [''],
    ['nj'],
    ['NJ, CA'],
    ['NJ,'],
    ['NJ,NJ'],
    [['NJ', 'NJ']],
    [['NEW']],
    [['N1']],
    [[5]],
    [5],
    [null],
  ])('refuses the states %j', (states) => {
    expectInvalid(
      () => geo({ states: states as never }),
      'opentact.geo: states must be 2-letter upper-case state codes',
    );
  });

  test('refuses a blank county', () => {
    expectInvalid(() => geo({ county: '' }), 'opentact.geo: county must be a non-empty string');
  });
});

describe('schedule', () => {
  test('dow as an array or a string, and time', () => {
    const command = schedule({
      dow: ['mon', 'tue', 'wed', 'thu', 'fri'],
      time: '07:00:00-18:00:00',
      commands: [say('Welcome to our service!')],
    });
    expect(command.name).toBe('Schedule');
    expect(written(command)).toBe(
      '<Schedule dow="mon,tue,wed,thu,fri" time="07:00:00-18:00:00"><Say>Welcome to our service!</Say></Schedule>',
    );
    expect(written(schedule({ dow: 'sun,sat' }))).toBe('<Schedule dow="sun,sat"/>');
    expect(written(schedule({ time: '00:00:00-23:59:59' }))).toBe(
      '<Schedule time="00:00:00-23:59:59"/>',
    );
  });

  test.each([
    [[]],
    [''],
    ['Sun'],
    ['sun, sat'],
    ['sun,,sat'],
    ['sunday'],
    [['sun', 'sun']],
    ['mon,mon'],
    [[1]],
    [null],
  ])('refuses the dow %j', (dow) => {
    expectInvalid(
      () => schedule({ dow: dow as never }),
      'opentact.schedule: dow must be days of sun, mon, tue, wed, thu, fri, sat, each once',
    );
  });

  test.each([
    '',
    '07:00-18:00',
    '7:00:00-18:00:00',
    '24:00:00-24:00:01',
    '07:60:00-18:00:00',
    '07:00:60-18:00:00',
    '07:00:00 - 18:00:00',
    '07:00:00',
    5,
    null,
  ])('refuses the time %j', (time) => {
    expectInvalid(
      () => schedule({ time: time as never }),
      'opentact.schedule: time must be HH:MM:SS-HH:MM:SS',
    );
  });

  test.each(['18:00:00-07:00:00', '07:00:00-07:00:00'])(
    'refuses the time %s (start not before end)',
    (time) => {
      expectInvalid(() => schedule({ time }), 'opentact.schedule: time must start before it ends');
    },
  );
});

describe('hold and unhold', () => {
  test('hold with a timeout in milliseconds, unhold', () => {
    expect(hold().name).toBe('Hold');
    expect(written(hold())).toBe('<Hold/>');
    expect(written(hold({ timeoutMs: 300000, tag: 'h' }))).toBe('<Hold timeout="300000" tag="h"/>');
    expect(unhold().name).toBe('Unhold');
    expect(written(unhold({ tag: 'u' }))).toBe('<Unhold tag="u"/>');
  });

  test('refuses', () => {
    expectInvalid(
      () => hold({ timeoutMs: -1 }),
      'opentact.hold: timeoutMs must be a whole number of milliseconds',
    );
    expectInvalid(() => hold({ timeout: 5 } as never), 'opentact.hold', 'unknown option "timeout"');
    expectInvalid(
      () => unhold({ timeoutMs: 5 } as never),
      'opentact.unhold',
      'unknown option "timeoutMs"',
    );
  });
});

describe('tone', () => {
  test('every attribute in order; the volume is written as v', () => {
    const command = tone({
      leg: 'both',
      timeoutMs: 30000,
      loop: 3,
      hz: [350, 440],
      volume: -7,
      doffMs: 4000,
      donMs: 2000,
      tag: 't',
    });
    expect(command.name).toBe('Tone');
    expect(written(command)).toBe(
      '<Tone don="2000" doff="4000" v="-7" hz="350,440" loop="3" timeout="30000" leg="both" tag="t"/>',
    );
    expect(written(tone())).toBe('<Tone/>');
    expect(written(tone({ volume: 0 }))).toBe('<Tone v="0"/>');
    expect(written(tone({ volume: -0 }))).toBe('<Tone v="0"/>');
  });

  test.each([
    [[480], '480'],
    [[420, 500, 440, 480], '420,500,440,480'],
    [[440.5], '440.5'],
    ['480', '480'],
    ['420,500,440,480', '420,500,440,480'],
    ['480x2', '480x2'],
    ['350x2,440.5', '350x2,440.5'],
  ] as const)('hz %j is written %j', (hz, text_) => {
    expect(elementOf(tone({ hz })).attributes).toEqual({ hz: text_ });
  });

  test('<Meta> children', () => {
    expect(written(tone({ meta: [meta('category', 'music'), meta('n', 1)] }))).toBe(
      '<Tone><Meta name="category" value="music"/><Meta name="n" value="1"/></Tone>',
    );
  });

  describe('refuses', () => {
    test.each([1, 0.5, -1.5, '-70', null, Number.NEGATIVE_INFINITY])('volume %j', (volume) => {
      expectInvalid(
        () => tone({ volume: volume as never }),
        'opentact.tone: volume must be a whole number of dB ≤ 0',
      );
    });

    test.each([
      [[]],
      [[0]],
      [[-480]],
      [[Number.NaN]],
      [[Number.POSITIVE_INFINITY]],
      [['480']],
      [''],
      ['0'],
      ['480,'],
      ['480, 500'],
      ['abc'],
      ['480x'],
      ['480x0'],
      ['x2'],
      ['-480'],
      [480],
      [null],
    ])('hz %j', (hz) => {
      expectInvalid(
        () => tone({ hz: hz as never }),
        'opentact.tone: hz must be positive frequencies in Hz',
      );
    });

    test('durations without Ms, and invalid durations', () => {
      for (const key of ['don', 'doff', 'timeout', 'v']) {
        expectInvalid(
          () => tone({ [key]: 1 } as never),
          'opentact.tone',
          `unknown option "${key}"`,
        );
      }
      for (const key of ['donMs', 'doffMs', 'timeoutMs'] as const) {
        expectInvalid(
          () => tone({ [key]: 1.5 }),
          `opentact.tone: ${key} must be a whole number of milliseconds ≥ 0`,
        );
      }
    });

    test('meta children that are not meta() commands', () => {
      expectInvalid(
        () => tone({ meta: [meta('a', 'b'), say('x') as never] }),
        'opentact.tone: meta[1] is a Say: Tone holds only Meta',
      );
      expectInvalid(
        () => tone({ meta: meta('a', 'b') as never }),
        'opentact.tone: meta must be an array',
      );
    });

    test.each(['a', 'all', ''])('leg %j', (leg) => {
      expectInvalid(() => tone({ leg: leg as never }), 'opentact.tone: leg must be');
    });
  });
});

describe('error (the standalone block)', () => {
  test('commands, speakReason written as play, tag', () => {
    const command = error({ commands: [say('Try again later'), hangup()] });
    expect(command.name).toBe('Error');
    expect(written(command)).toBe('<Error><Say>Try again later</Say><Hangup/></Error>');
    expect(written(error())).toBe('<Error/>');
    expect(written(error({ speakReason: true }))).toBe('<Error play="true"/>');
    expect(written(error({ speakReason: false, tag: 'e', commands: [hangup()] }))).toBe(
      '<Error play="false" tag="e"><Hangup/></Error>',
    );
  });

  test('after a verb, as the <Play> example does', () => {
    expect(written(play(URL), error({ commands: [hangup()] }))).toBe(
      `<Play>${URL}</Play><Error><Hangup/></Error>`,
    );
  });

  test('refuses', () => {
    expectInvalid(() => error({ say: true } as never), 'opentact.error', 'unknown option "say"');
    expectInvalid(() => error({ play: true } as never), 'opentact.error', 'unknown option "play"');
    expectInvalid(
      () => error({ error: [hangup()] } as never),
      'opentact.error',
      'unknown option "error" in options (known: speakReason, commands, tag)',
    );
    expectInvalid(
      () => error({ speakReason: 'true' as never }),
      'opentact.error: speakReason must be true or false',
    );
    expectInvalid(
      () => error({ commands: [hangup(), 5 as never] }),
      'opentact.error: commands[1] is not an Opentact command',
    );
    expectInvalid(() => untyped(error)([hangup()]), 'opentact.error: options must be an object');
  });
});

describe('error blocks under every verb', () => {
  type WithError = (error: OpentactErrorOption) => OpentactCommand;
  const verbs: [string, WithError][] = [
    ['answer', (e) => answer({ error: e })],
    ['say', (e) => say('x', { error: e })],
    ['play', (e) => play(URL, { error: e })],
    ['play (record form)', (e) => play({ record: 'r', error: e })],
    ['pause', (e) => pause({ error: e })],
    ['hangup', (e) => hangup({ error: e })],
    ['record', (e) => record({ commands: [pause()], error: e })],
    ['recordStart', (e) => recordStart({ error: e })],
    ['recordStop', (e) => recordStop({ error: e })],
    ['recordWait', (e) => recordWait({ error: e })],
    ['dial', (e) => dial(['a@b.example'], { error: e })],
    ['gather', (e) => gather({ url: 'http://a.example/', error: e })],
    ['legacyGather', (e) => legacyGather({ callback: 'http://a.example/', error: e })],
    ['callback', (e) => callback('http://a.example/', { error: e })],
    ['call', (e) => call({ field: 'to', value: '1', commands: [hangup()], error: e })],
    ['geo', (e) => geo({ states: ['NJ'], error: e })],
    ['schedule', (e) => schedule({ dow: ['mon'], error: e })],
    ['hold', (e) => hold({ error: e })],
    ['unhold', (e) => unhold({ error: e })],
    ['tone', (e) => tone({ meta: [meta('a', 'b')], error: e })],
    ['meta', (e) => meta('n', 'v', { error: e })],
    ['curl', (e) => curl('http://a.example/', { error: e })],
  ];

  test('every verb builder is in the table', () => {
    expect(verbs.length).toBe(22);
  });

  test.each(verbs)('%s: a list of commands becomes the last child <Error>', (_label, build) => {
    const tree = elementOf(build([say('Sorry'), hangup()]));
    expect(tree.children[tree.children.length - 1]).toEqual(
      el('Error', {}, [el('Say', {}, [text('Sorry')]), el('Hangup')]),
    );
    expect(tree.children.filter((child) => 'name' in child && child.name === 'Error')).toHaveLength(
      1,
    );
  });

  test.each(verbs)('%s: an error() block keeps its attributes', (_label, build) => {
    const tree = elementOf(build(error({ speakReason: true, tag: 'e', commands: [hangup()] })));
    expect(tree.children[tree.children.length - 1]).toEqual(
      el('Error', { play: 'true', tag: 'e' }, [el('Hangup')]),
    );
  });

  test.each(verbs)('%s: an empty list is an empty <Error/>', (_label, build) => {
    const tree = elementOf(build([]));
    expect(tree.children[tree.children.length - 1]).toEqual(el('Error'));
  });

  test.each(verbs)('%s: refuses error values that are not blocks', (label, build) => {
    const builder = label.split(' ')[0] ?? label;
    expectInvalid(
      () => build(hangup() as never),
      `opentact.${builder}: error must be a list of commands or an error() block, got a Hangup command`,
    );
    expectInvalid(
      () => build('Sorry' as never),
      `opentact.${builder}: error must be a list of commands or an error() block, got "Sorry"`,
    );
    expectInvalid(
      () => build([hangup(), ozeki.hangup() as never]),
      `opentact.${builder}: error[1] is not an Opentact command made by the opentact builders`,
    );
    expectInvalid(
      () => build(new OpentactCommand('Error', { name: 'Error' }) as never),
      `opentact.${builder}: error must be a list of commands or an error() block`,
    );
  });

  test('with error, the Say text and the Play URL move into their attributes', () => {
    expect(written(say('Hello', { error: [hangup()] }))).toBe(
      '<Say text="Hello"><Error><Hangup/></Error></Say>',
    );
    expect(written(play(URL, { error: [hangup()] }))).toBe(
      `<Play url="${URL}"><Error><Hangup/></Error></Play>`,
    );
  });

  test('a block cannot hold an error() block in its commands and the error option', () => {
    for (const build of [
      () => record({ commands: [error()], error: [hangup()] }),
      () => geo({ commands: [say('x'), error()], error: [hangup()] }),
      () => schedule({ commands: [error()], error: error() }),
      () => call({ field: 'to', value: 1, commands: [error()], error: [] }),
    ]) {
      expectInvalid(build, 'commands hold an error() block and error is given too');
    }
    expect(written(geo({ commands: [say('x'), error({ commands: [hangup()] })] }))).toBe(
      '<Geo><Say>x</Say><Error><Hangup/></Error></Geo>',
    );
  });
});

describe('nesting', () => {
  test('a Gather in a DTMF branch, and a Dial with its Error in another', () => {
    const inner = gather({
      length: 4,
      dtmfStop: '#',
      url: 'http://private.domain.com/rest/private_menu?token=TOKEN',
      error: [say('Oops'), hangup()],
    });
    const command = gather({
      dtmfLength: 1,
      dtmf: [
        {
          value: '1',
          commands: [
            meta('category', 'support'),
            dial(['support1@sip.opentact.org', 'support2@sip.opentact.org'], {
              error: [say('Busy'), hangup()],
            }),
          ],
        },
        { value: '0', commands: [inner] },
      ],
    });
    expect(elementOf(command)).toEqual(
      el('Gather', { dtmf_length: '1' }, [
        el('DTMF', { value: '1' }, [
          el('Meta', { name: 'category', value: 'support' }),
          el('Dial', {}, [
            el('To', {}, [text('support1@sip.opentact.org')]),
            el('To', {}, [text('support2@sip.opentact.org')]),
            el('Error', {}, [el('Say', {}, [text('Busy')]), el('Hangup')]),
          ]),
        ]),
        el('DTMF', { value: '0' }, [
          el(
            'Gather',
            {
              length: '4',
              dtmf_stop: '#',
              url: 'http://private.domain.com/rest/private_menu?token=TOKEN',
            },
            [el('Error', {}, [el('Say', {}, [text('Oops')]), el('Hangup')])],
          ),
        ]),
      ]),
    );
  });

  test('blocks nest in blocks, and the same command may appear twice', () => {
    const bye = hangup({ tag: 'bye' });
    const command = schedule({
      dow: ['mon'],
      commands: [
        geo({ states: ['NJ'], commands: [call({ field: 'to', value: 1, commands: [bye] })] }),
        bye,
      ],
    });
    expect(written(command)).toBe(
      '<Schedule dow="mon"><Geo states="NJ"><Call field="to" value="1"><Hangup tag="bye"/></Call></Geo><Hangup tag="bye"/></Schedule>',
    );
  });

  test('commands of other providers or hand-made ones cannot be nested', () => {
    expectInvalid(
      () => geo({ commands: [voipnow.hangup() as never] }),
      'opentact.geo: commands[0] is not an Opentact command',
    );
    expectInvalid(
      () => record({ commands: [new OpentactCommand('Hangup', { name: 'Hangup' })] }),
      'opentact.record: commands[0] is not an Opentact command',
    );
    expectInvalid(
      // eslint-disable-next-line no-sparse-arrays
      () => schedule({ commands: [, hangup()] as never }),
      'opentact.schedule: commands[0] is not an Opentact command',
    );
  });
});

describe('escaping', () => {
  test('</Say><Hangup/> stays the text of its <Say>', () => {
    expect(written(say('</Say><Hangup/>'))).toBe('<Say>&lt;/Say&gt;&lt;Hangup/&gt;</Say>');
  });

  test.each([
    ['every XML special character', `&"'<>`],
    ['a lone ampersand', 'a&b'],
    ['a CDATA end', ']]>'],
    ['text that looks like escaped markup', '&lt;/Say&gt;&lt;Hangup/&gt;'],
    ['text that looks like an undeclared entity', 'a&nbsp;b'],
    ['a carriage return and line breaks', 'a\r\nb\tc'],
  ])('%s stays text and attribute values', (_label, value) => {
    const commands = [
      say(value),
      say(value, { textAttribute: true }),
      meta('m', value),
      meta('m', `x${value}`, { body: true }),
      hangup({ tag: value }),
      curl('http://a.example/', { body: value }),
      call({ field: 'to', value }),
      dial(['a@b.example'], { tag: value }),
    ];
    const xml = renderOpentactResponse(commands);
    expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/);
    expect(responseOf(commands)).toEqual(
      el('Response', {}, [
        el('Say', {}, [text(value)]),
        el('Say', { text: value }),
        el('Meta', { name: 'm', value }),
        el('Meta', { name: 'm' }, [text(`x${value}`)]),
        el('Hangup', { tag: value }),
        el('Curl', { url: 'http://a.example/', body: value }),
        el('Call', { field: 'to', value }),
        el('Dial', { tag: value }, [el('To', {}, [text('a@b.example')])]),
      ]),
    );
  });

  test('URLs with query strings are escaped in attributes and text', () => {
    const url = 'https://a.example/x?a=1&b="2"&c=<3>';
    expect(
      responseOf([play(url), callback(url), gather({ url }), callback(url, { textForm: true })]),
    ).toEqual(
      el('Response', {}, [
        el('Play', {}, [text(url)]),
        el('Callback', { url }),
        el('Gather', { url }),
        el('callback', {}, [text(url)]),
      ]),
    );
  });

  test.each(XML_INVALID)('refuses U+%s in tags, bodies and destinations', (character) => {
    expectInvalid(() => hangup({ tag: `t${character}` }), 'opentact.hangup', 'tag', 'XML');
    expectInvalid(
      () => curl('http://a.example/', { body: `b${character}` }),
      'opentact.curl',
      'body',
    );
    expectInvalid(() => dial(`a${character}`), 'opentact.dial', 'to');
    expectInvalid(() => geo({ county: `c${character}` }), 'opentact.geo', 'county');
  });
});

describe('response', () => {
  test('keeps a frozen copy of the commands', () => {
    const commands: OpentactCommand[] = [say('Hello'), hangup()];
    const built = response(commands);
    expect(built).toBeInstanceOf(OpentactResponse);
    commands.push(pause());
    expect(built.commands.map((command) => command.name)).toEqual(['Say', 'Hangup']);
    expect(Object.isFrozen(built.commands)).toBe(true);
    expect(Object.isFrozen(built)).toBe(true);
  });

  test('toXml renders <Response> with the declaration, or without', () => {
    const built = response([answer(), hangup()]);
    expect(built.toXml()).toBe(`${DECLARATION}<Response><Answer/><Hangup/></Response>`);
    expect(built.toXml({ declaration: true })).toBe(built.toXml());
    expect(built.toXml({ declaration: false })).toBe('<Response><Answer/><Hangup/></Response>');
    expect(response([]).toXml()).toBe(`${DECLARATION}<Response/>`);
  });

  test('refuses items that are not built commands, and non-arrays', () => {
    expectInvalid(
      () => response([hangup(), 'x' as never]),
      'opentact.response: commands[1] is not an Opentact command made by the opentact builders',
    );
    expectInvalid(
      () => response(hangup() as never),
      'opentact.response: commands must be an array',
    );
    expectInvalid(() => untyped(response)(), 'opentact.response: commands must be an array');
    expectInvalid(
      () => response([new OpentactCommand('Hangup', { name: 'Hangup' })]),
      'opentact.response: commands[0]',
    );
    expectInvalid(() => response([ozeki.hangup() as never]), 'opentact.response: commands[0]');
    expectInvalid(() => response([voipnow.hangup() as never]), 'opentact.response: commands[0]');
    // eslint-disable-next-line no-sparse-arrays
    expectInvalid(() => response([, hangup()] as never), 'opentact.response: commands[0]');
  });

  test('toXml refuses invalid render options, and a hand-made response', () => {
    expectInvalid(
      () => response([]).toXml({ declaration: 'no' as never }),
      'opentact.OpentactResponse.toXml: declaration must be true or false',
    );
    expectInvalid(
      () => response([]).toXml({ pretty: true } as never),
      'opentact.OpentactResponse.toXml',
      'unknown option "pretty"',
    );
    expectInvalid(
      () => response([]).toXml(null as never),
      'opentact.OpentactResponse.toXml: render options must be an object',
    );
    expectInvalid(
      () => new OpentactResponse([hangup()]).toXml(),
      'opentact.OpentactResponse.toXml',
      'opentact.response()',
    );
  });
});

describe('renderOpentactResponse', () => {
  test('undefined is the empty <Response/>', () => {
    expect(renderOpentactResponse()).toBe(`${DECLARATION}<Response/>`);
    expect(renderOpentactResponse(undefined)).toBe(`${DECLARATION}<Response/>`);
    expect(renderOpentactResponse(undefined, { declaration: false })).toBe('<Response/>');
  });

  test('a plain array and a response, with and without the declaration', () => {
    expect(renderOpentactResponse([hangup()])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>',
    );
    expect(renderOpentactResponse([])).toBe(`${DECLARATION}<Response/>`);
    expect(renderOpentactResponse([hangup()], { declaration: false })).toBe(
      '<Response><Hangup/></Response>',
    );
    expect(renderOpentactResponse(response([hangup()]), { declaration: true })).toBe(
      `${DECLARATION}<Response><Hangup/></Response>`,
    );
    expect(renderOpentactResponse(response([hangup()]))).toBe(renderOpentactResponse([hangup()]));
  });

  test.each([
    ['a number', 42],
    ['null', null],
    ['a string', '<Response/>'],
    ['a command alone', hangup()],
    ['a plain object', { commands: [] }],
    ['a look-alike command', [{ name: 'Hangup', element: { name: 'Hangup' } }]],
    ['an array with a non-command', [hangup(), 'x']],
    ['an array with undefined', [undefined]],
    // eslint-disable-next-line no-sparse-arrays
    ['a sparse array', [, hangup()]],
    ['a hand-made command', [new OpentactCommand('Hangup', { name: 'Hangup' })]],
    ['an Ozeki command', [ozeki.hangup()]],
    ['an Ozeki response', ozeki.response([ozeki.hangup()])],
    ['a VoipNow command', [voipnow.hangup()]],
    ['a VoipNow response', voipnow.response([voipnow.hangup()])],
    ['a hand-made response', new OpentactResponse([])],
    ['a response-like object', Object.create(OpentactResponse.prototype) as unknown],
  ])('refuses %s', (_label, value) => {
    const caught = expectInvalid(() => renderOpentactResponse(value as never));
    expect(caught.message.startsWith('opentact.renderOpentactResponse: ')).toBe(true);
  });

  test('refuses invalid render options', () => {
    expectInvalid(
      () => renderOpentactResponse([], { declaration: 'no' as never }),
      'opentact.renderOpentactResponse: declaration must be true or false',
    );
    expectInvalid(
      () => renderOpentactResponse([], { prolog: false } as never),
      'opentact.renderOpentactResponse',
      '"prolog"',
    );
    expectInvalid(
      () => renderOpentactResponse([], 'x' as never),
      'opentact.renderOpentactResponse: render options must be an object',
    );
  });
});

describe('isOpentactAnswer', () => {
  test('true for responses and arrays of built commands (also empty)', () => {
    expect(isOpentactAnswer(response([]))).toBe(true);
    expect(isOpentactAnswer(response([hangup()]))).toBe(true);
    expect(isOpentactAnswer([])).toBe(true);
    expect(isOpentactAnswer([say('x'), gather({ url: 'http://a.example/' }), error()])).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a command alone', hangup()],
    ['an array with a non-command', [hangup(), {}]],
    ['an array with undefined', [undefined]],
    // eslint-disable-next-line no-sparse-arrays
    ['a sparse array', [, hangup()]],
    ['a string', '<Response><Hangup/></Response>'],
    ['a plain object', { commands: [] }],
    ['a look-alike command', [{ name: 'Hangup', element: { name: 'Hangup' } }]],
    ['a hand-made command', [new OpentactCommand('Hangup', { name: 'Hangup' })]],
    ['an Ozeki command', [ozeki.hangup()]],
    ['an Ozeki response', ozeki.response([])],
    ['a VoipNow command', [voipnow.hangup()]],
    ['a VoipNow response', voipnow.response([])],
    ['a hand-made response', new OpentactResponse([hangup()])],
    ['a response-like object', Object.create(OpentactResponse.prototype) as unknown],
  ])('false for %s', (_label, value) => {
    expect(isOpentactAnswer(value)).toBe(false);
  });

  test('a copy of a built command is not an answer', () => {
    const copy = Object.assign(Object.create(OpentactCommand.prototype) as object, hangup());
    expect(isOpentactAnswer([copy])).toBe(false);
  });

  test('Opentact commands are not answers of the other providers', () => {
    expect(ozeki.isOzmlAnswer([hangup()])).toBe(false);
    expect(voipnow.isVoipNowAnswer([hangup()])).toBe(false);
  });
});

describe('commands are immutable', () => {
  test('the command and its whole element tree are frozen', () => {
    const command = gather({
      dtmfLength: 1,
      prompt: [say('Menu')],
      dtmf: [{ value: '1', commands: [dial('a@b.example', { error: [hangup()] })] }],
      default: { commands: [say('D')], tag: 't' },
    });
    const frozen = (element: unknown): void => {
      expect(Object.isFrozen(element)).toBe(true);
      const { attributes, children } = element as {
        attributes?: object;
        children?: readonly unknown[];
      };
      if (attributes !== undefined) expect(Object.isFrozen(attributes)).toBe(true);
      for (const child of children ?? []) if (typeof child !== 'string') frozen(child);
      if (children !== undefined) expect(Object.isFrozen(children)).toBe(true);
    };
    expect(Object.isFrozen(command)).toBe(true);
    frozen(command.element);
    expect(() => {
      (command.element.attributes as Record<string, string>)['dtmf_length'] = '9';
    }).toThrow(TypeError);
    expect(() => {
      (command.element.children as unknown[]).push('x');
    }).toThrow(TypeError);
    expect(() => {
      (command as { name: string }).name = 'Hangup';
    }).toThrow(TypeError);
    expect(elementOf(command).attributes).toEqual({ dtmf_length: '1' });
  });

  test('a hand-made command is frozen too, but never an answer', () => {
    const handMade = new OpentactCommand('Hangup', { name: 'Hangup', attributes: {} });
    expect(Object.isFrozen(handMade.element.attributes)).toBe(true);
    expect(isOpentactAnswer([handMade])).toBe(false);
  });

  test('changing the options or lists afterwards does not change the command', () => {
    const dtmf: { value: string; commands: OpentactCommand[] }[] = [
      { value: '1', commands: [hangup()] },
    ];
    const states = ['NJ'];
    const fallback: OpentactCommand[] = [say('D')];
    const options = { dtmf, dtmfLength: 1, default: fallback };
    const command = gather(options);
    const place = geo({ states });
    dtmf.push({ value: '2', commands: [hangup()] });
    dtmf[0]?.commands.push(say('late'));
    options.dtmfLength = 3;
    options.default.push(hangup());
    states.push('CA');
    expect(written(command)).toBe(
      '<Gather dtmf_length="1"><DTMF value="1"><Hangup/></DTMF><Default><Say>D</Say></Default></Gather>',
    );
    expect(written(place)).toBe('<Geo states="NJ"/>');
  });

  test('rendering leaves the command unchanged', () => {
    const command = tone({ donMs: 1000, hz: [480] });
    renderOpentactResponse([command]);
    renderOpentactResponse([command], { declaration: false });
    expect(command.element).toEqual({
      name: 'Tone',
      attributes: { don: '1000', hz: '480' },
      children: [],
    });
  });
});

describe('wrong types from JavaScript callers always give a coded error', () => {
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  const values: unknown[] = [
    undefined,
    null,
    0,
    -1,
    1.5,
    Number.NaN,
    '',
    ' ',
    'x',
    '1',
    'http://a.example/',
    '<Hangup/>',
    true,
    [],
    {},
    { tag: 5 },
    { delayMs: '5' },
    { record: 5 },
    { error: 'x' },
    { commands: 'x' },
    { dtmf: [5] },
    { default: 5 },
    { cases: [{}] },
    { field: 1, value: {} },
    { hz: {} },
    { meta: [1] },
    { prompt: [null] },
    { textForm: true, method: 1 },
    { speakReason: 'x' },
    10n,
    Symbol('s'),
    () => 1,
    circular,
    Object.create(null) as unknown,
    [null],
    [hangup()],
    hangup(),
    ozeki.hangup(),
  ];
  const builders: [string, unknown][] = [
    ['answer', answer],
    ['say', say],
    ['play', play],
    ['pause', pause],
    ['hangup', hangup],
    ['record', record],
    ['recordStart', recordStart],
    ['recordStop', recordStop],
    ['recordWait', recordWait],
    ['dial', dial],
    ['gather', gather],
    ['legacyGather', legacyGather],
    ['callback', callback],
    ['call', call],
    ['geo', geo],
    ['schedule', schedule],
    ['hold', hold],
    ['unhold', unhold],
    ['tone', tone],
    ['meta', meta],
    ['curl', curl],
    ['error', error],
    ['response', response],
    ['renderOpentactResponse', renderOpentactResponse],
  ];

  test.each(builders)('%s', (name, builder) => {
    let failures = 0;
    for (const first of values) {
      for (const second of values) {
        let caught: unknown;
        try {
          untyped(builder)(first, second, second);
          continue;
        } catch (e) {
          caught = e;
        }
        failures++;
        expect(caught).toBeInstanceOf(CallControlError);
        expect((caught as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
        expect((caught as CallControlError).message.startsWith(`opentact.${name}: `)).toBe(true);
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  test('error messages stay short for large values', () => {
    const caught = expectInvalid(() => untyped(say)({ text: 'x'.repeat(10_000) }), 'opentact.say');
    expect(caught.message.length).toBeLessThan(200);
  });

  test('thrown errors are CallControlErrors, not TypeErrors', () => {
    const caught = thrown(() => untyped(call)(Object.create(null) as unknown));
    expect(caught).toBeInstanceOf(CallControlError);
    expect((caught as CallControlError).message).toBe('opentact.call: field is required');
  });
});
