/**
 * The OzML answer builders (spec §5), the per-context validation (spec §3.1, §4), the
 * renderer, escaping and the camelCase attribute form.
 */
import { CallControlError } from '../../../src/core/errors';
import {
  attendedTransfer,
  blindTransfer,
  call,
  delay,
  forward,
  forwardCall,
  goTo,
  hangup,
  hold,
  isOzmlAnswer,
  OzmlCommand,
  OzmlResponse,
  play,
  record,
  reject,
  renderOzml,
  response,
  route,
  sendDtmf,
  sendSms,
  speak,
  unhold,
  userInput,
  validateOzml,
  type OzmlControl,
  type OzmlRenderOptions,
} from '../../../src/providers/ozeki/ozml';
import { expectInvalid } from '../../helpers/assert';
import { canonicalXml, el, type CanonicalElement } from '../../helpers/xml';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The canonical `<Response>` of an answer. */
function responseOf(commands: readonly OzmlCommand[], options: OzmlRenderOptions = {}) {
  const tree = canonicalXml(renderOzml(commands, undefined, options));
  expect(tree.name).toBe('Response');
  return tree;
}

/** The single command element of a one-command answer. */
function elementOf(command: OzmlCommand, options: OzmlRenderOptions = {}): CanonicalElement {
  const tree = responseOf([command], options);
  expect(tree.children).toHaveLength(1);
  const [first] = tree.children;
  if (first === undefined || !('name' in first)) throw new Error('no command element');
  return first;
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

describe('speak', () => {
  test('the text is the element text', () => {
    const command = speak('How are you?');
    expect(command.name).toBe('Speak');
    expect(elementOf(command)).toEqual(el('Speak', {}, [{ text: 'How are you?' }]));
  });

  test('every attribute with its canonical name', () => {
    const command = speak('Hello!', {
      party: 'caller',
      callId: 'H2Wwb',
      language: 'en-UK',
      voice: 'Microsoft Anna',
    });
    expect(elementOf(command)).toEqual(
      el(
        'Speak',
        { Party: 'caller', CallId: 'H2Wwb', Language: 'en-UK', Voice: 'Microsoft Anna' },
        [{ text: 'Hello!' }],
      ),
    );
  });

  test.each(['caller', 'callee', 'all'] as const)('party %s', (party) => {
    expect(elementOf(speak('x', { party })).attributes).toEqual({ Party: party });
  });

  test.each(['en-UK', 'pt-BR', 'en-us', 'de', 'zh-Hans-CN'])('language %s', (language) => {
    expect(elementOf(speak('x', { language })).attributes).toEqual({ Language: language });
  });

  test('text keeps its whitespace and non-ASCII characters exactly', () => {
    const value = '\n\t  Grüße \u{1F600}\t\n';
    expect(elementOf(speak(value)).children).toEqual([{ text: value }]);
    expect(speak(value).element.children).toEqual([value]);
  });

  describe('refuses', () => {
    test.each([
      ['empty', ''],
      ['a space', ' '],
      ['whitespace', '\n\t '],
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an array', ['x']],
    ])('a text that is %s', (_label, value) => {
      expectInvalid(() => untyped(speak)(value), 'ozeki.speak', 'text');
    });

    test.each(XML_INVALID)('a text with U+%s XML cannot carry', (character) => {
      expectInvalid(() => speak(`Hello${character}`), 'ozeki.speak', 'text');
    });

    test.each(['Caller', 'both', '', 'ALL', null, 1])('party %j', (party) => {
      expectInvalid(() => speak('x', { party: party as never }), 'ozeki.speak', 'party');
    });

    test.each(['en_UK', '', 'e', 'en-', 'en UK', '<en>', 7])('language %j', (language) => {
      expectInvalid(() => speak('x', { language: language as never }), 'ozeki.speak', 'language');
    });

    test.each(['callId', 'voice'])('a blank or non-string %s', (option) => {
      for (const value of ['', '  ', 5, null]) {
        expectInvalid(() => speak('x', { [option]: value } as never), 'ozeki.speak', option);
      }
    });

    test.each(['Party', 'lang', 'text', 'timeout'])('the unknown option %s', (key) => {
      expectInvalid(() => speak('x', { [key]: 'caller' } as never), 'ozeki.speak', `"${key}"`);
    });

    test('options that are not an object', () => {
      expectInvalid(() => speak('x', null as never), 'ozeki.speak', 'options');
      expectInvalid(() => speak('x', 'caller' as never), 'ozeki.speak', 'options');
      expectInvalid(() => speak('x', [] as never), 'ozeki.speak', 'options');
    });
  });

  describe("invalidXmlCharacters: 'remove'", () => {
    test('leaves out what XML cannot carry, and nothing else', () => {
      const command = speak('Welcome, An\u0007na \u0000Smith\u{1F600}\t.', {
        invalidXmlCharacters: 'remove',
        language: 'en-UK',
      });
      expect(command.element.children).toEqual(['Welcome, Anna Smith\u{1F600}\t.']);
      expect(elementOf(command)).toEqual(
        el('Speak', { Language: 'en-UK' }, [{ text: 'Welcome, Anna Smith\u{1F600}\t.' }]),
      );
    });

    test.each(XML_INVALID)('removes U+%s', (character) => {
      const command = speak(`Hello${character}!`, { invalidXmlCharacters: 'remove' });
      expect(command.element.children).toEqual(['Hello!']);
    });

    test("'refuse' is the default", () => {
      expectInvalid(
        () => speak('A\u0007', { invalidXmlCharacters: 'refuse' }),
        'ozeki.speak',
        'text',
      );
      expectInvalid(() => speak('A\u0007'), 'ozeki.speak', 'U+0007');
    });

    test('text that is blank once cleaned is still refused', () => {
      expectInvalid(
        () => speak('\u0000 \u0007', { invalidXmlCharacters: 'remove' }),
        'ozeki.speak',
        'text',
      );
    });

    test.each(['drop', '', true, null])('refuses invalidXmlCharacters %j', (value) => {
      expectInvalid(
        () => speak('x', { invalidXmlCharacters: value } as never),
        'ozeki.speak',
        'invalidXmlCharacters',
      );
    });
  });
});

describe('play', () => {
  test('the audio file is the element text', () => {
    const command = play('hello.wav');
    expect(command.name).toBe('Play');
    expect(elementOf(command)).toEqual(el('Play', {}, [{ text: 'hello.wav' }]));
  });

  test('every attribute; repeat written true/false, timeout in seconds', () => {
    expect(
      elementOf(
        play('http://example.com/a.mp3', {
          repeat: true,
          party: 'all',
          callId: 'H2Wwb',
          timeout: 30,
        }),
      ),
    ).toEqual(
      el('Play', { Repeat: 'true', Party: 'all', CallId: 'H2Wwb', Timeout: '30' }, [
        { text: 'http://example.com/a.mp3' },
      ]),
    );
    expect(elementOf(play('a.wav', { repeat: false, timeout: 0 })).attributes).toEqual({
      Repeat: 'false',
      Timeout: '0',
    });
  });

  test.each([
    ['repeat', 'true'],
    ['repeat', 1],
    ['timeout', -1],
    ['timeout', 1.5],
    ['timeout', '10'],
    ['timeout', Number.NaN],
    ['timeout', Number.POSITIVE_INFINITY],
    ['party', 'nobody'],
    ['callId', ''],
  ])('refuses %s = %j', (option, value) => {
    expectInvalid(() => play('a.wav', { [option]: value } as never), 'ozeki.play', option);
  });

  test('refuses a blank file and unknown options', () => {
    expectInvalid(() => play(''), 'ozeki.play', 'audioFile');
    expectInvalid(() => play(' \t'), 'ozeki.play', 'audioFile');
    expectInvalid(() => play('a.wav', { loop: true } as never), 'ozeki.play', '"loop"');
  });
});

describe('delay', () => {
  test.each([0, 1, 5, 3600])('%d seconds is the element text', (seconds) => {
    const command = delay(seconds);
    expect(command.name).toBe('Delay');
    expect(elementOf(command)).toEqual(el('Delay', {}, [{ text: String(seconds) }]));
  });

  test.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^53', 2 ** 53],
    ['the string "5"', '5'],
    ['undefined', undefined],
    ['null', null],
  ])('refuses %s', (_label, value) => {
    expectInvalid(() => untyped(delay)(value), 'ozeki.delay', 'seconds');
  });
});

describe('hangup', () => {
  test('without options it is <Hangup/>', () => {
    const command = hangup();
    expect(command.name).toBe('Hangup');
    expect(elementOf(command)).toEqual(el('Hangup'));
    expect(elementOf(hangup({}))).toEqual(el('Hangup'));
  });

  test('callId is written as CallId', () => {
    expect(elementOf(hangup({ callId: '23Xdz7' }))).toEqual(el('Hangup', { CallId: '23Xdz7' }));
  });

  test('refuses a blank call id, unknown options and non-object options', () => {
    expectInvalid(() => hangup({ callId: '' }), 'ozeki.hangup', 'callId');
    expectInvalid(() => hangup({ callID: 'x' } as never), 'ozeki.hangup', '"callID"');
    expectInvalid(() => hangup(null as never), 'ozeki.hangup');
    expectInvalid(() => hangup('23Xdz7' as never), 'ozeki.hangup');
  });
});

describe('reject', () => {
  test('is <Reject/>', () => {
    const command = reject();
    expect(command.name).toBe('Reject');
    expect(elementOf(command)).toEqual(el('Reject'));
  });
});

describe('userInput', () => {
  const menu = () =>
    userInput({
      timeout: 10,
      repeat: true,
      initialCommands: [speak('To send an SMS, press 1.'), speak('To transfer, press 2.')],
      inputs: [
        { key: '1', commands: [goTo('http://yourapp.com/press1.php')] },
        { key: '2', commands: [blindTransfer('101')] },
      ],
    });

  test('InitialCommands, then Inputs with one Input per key, in order', () => {
    const command = menu();
    expect(command.name).toBe('UserInput');
    expect(elementOf(command)).toEqual(
      el('UserInput', { Repeat: 'true', Timeout: '10' }, [
        el('InitialCommands', {}, [
          el('Speak', {}, [{ text: 'To send an SMS, press 1.' }]),
          el('Speak', {}, [{ text: 'To transfer, press 2.' }]),
        ]),
        el('Inputs', {}, [
          el('Input', { Key: '1' }, [el('GoTo', {}, [{ text: 'http://yourapp.com/press1.php' }])]),
          el('Input', { Key: '2' }, [el('BlindTransfer', {}, [{ text: '101' }])]),
        ]),
      ]),
    );
  });

  test('the nested sequences are kept on the command', () => {
    const command = menu();
    expect(command.nested.map((sequence) => [sequence.where, sequence.commands.length])).toEqual([
      ['initialCommands', 2],
      ['inputs[0].commands', 1],
      ['inputs[1].commands', 1],
    ]);
    expect(speak('x').nested).toEqual([]);
  });

  test('every attribute with its canonical name', () => {
    const command = userInput({
      repeat: false,
      timeout: 0,
      backKey: '*',
      minDigits: 2,
      maxDigits: 4,
      forwardToUrl: 'https://yourapp.com/dtmf.php',
      executeSql: "INSERT INTO log VALUES ('x')",
    });
    expect(elementOf(command)).toEqual(
      el('UserInput', {
        Repeat: 'false',
        Timeout: '0',
        BackKey: '*',
        MinDigits: '2',
        MaxDigits: '4',
        ForwardToUrl: 'https://yourapp.com/dtmf.php',
        ExecuteSQL: "INSERT INTO log VALUES ('x')",
      }),
    );
    expect(
      elementOf(userInput({ digits: 4, enteredUrl: 'http://yourapp.com/dtmf_received.php' }))
        .attributes,
    ).toEqual({ Digits: '4', EnteredUrl: 'http://yourapp.com/dtmf_received.php' });
  });

  test('camel case writes timeout, repeat, key, forwardToUrl, executeSQL; element names stay', () => {
    expect(elementOf(menu(), { attributeCase: 'camel' })).toEqual(
      el('UserInput', { repeat: 'true', timeout: '10' }, [
        el('InitialCommands', {}, [
          el('Speak', {}, [{ text: 'To send an SMS, press 1.' }]),
          el('Speak', {}, [{ text: 'To transfer, press 2.' }]),
        ]),
        el('Inputs', {}, [
          el('Input', { key: '1' }, [el('GoTo', {}, [{ text: 'http://yourapp.com/press1.php' }])]),
          el('Input', { key: '2' }, [el('BlindTransfer', {}, [{ text: '101' }])]),
        ]),
      ]),
    );
    const all = userInput({
      backKey: '#',
      digits: 2,
      forwardToUrl: 'http://a.example/',
      executeSql: 'SELECT 1',
    });
    expect(Object.keys(elementOf(all, { attributeCase: 'camel' }).attributes).sort()).toEqual([
      'backKey',
      'digits',
      'executeSQL',
      'forwardToUrl',
    ]);
  });

  test('an empty initialCommands list writes no <InitialCommands>', () => {
    const command = userInput({ initialCommands: [], forwardToUrl: 'http://a.example/' });
    expect(elementOf(command).children).toEqual([]);
    expect(command.nested).toEqual([]);
  });

  test('only forwardToUrl, enteredUrl, executeSql or backKey handles the digits too', () => {
    for (const options of [
      { forwardToUrl: 'http://a.example/' },
      { enteredUrl: 'http://a.example/' },
      { executeSql: 'SELECT 1' },
      { backKey: '*' },
    ]) {
      expect(userInput(options).name).toBe('UserInput');
    }
  });

  test('input keys of several digits with digits, minDigits/maxDigits, and * and #', () => {
    expect(
      elementOf(userInput({ digits: 4, inputs: [{ key: '1234', commands: [hangup()] }] })).children,
    ).toEqual([el('Inputs', {}, [el('Input', { Key: '1234' }, [el('Hangup')])])]);
    const ranged = userInput({
      minDigits: 2,
      maxDigits: 3,
      inputs: [
        { key: '12', commands: [hangup()] },
        { key: '*0#', commands: [hangup()] },
      ],
    });
    expect(ranged.nested).toHaveLength(2);
    expect(userInput({ minDigits: 2, inputs: [{ key: '12345', commands: [hangup()] }] }).name).toBe(
      'UserInput',
    );
    expect(userInput({ maxDigits: 3, inputs: [{ key: '1', commands: [hangup()] }] }).name).toBe(
      'UserInput',
    );
    expect(userInput({ inputs: [{ key: '#', commands: [hangup()] }] }).name).toBe('UserInput');
    expect(
      userInput({ minDigits: 2, maxDigits: 2, inputs: [{ key: '12', commands: [hangup()] }] }).name,
    ).toBe('UserInput');
  });

  test('UserInputs nest; a nested one may have a backKey', () => {
    const submenu = userInput({
      backKey: '*',
      initialCommands: [speak('Balance: 1500. Press 1 to hear it again, * to go back.')],
      inputs: [{ key: '1', commands: [speak('1500')] }],
    });
    const command = userInput({
      initialCommands: [speak('Press 1 for your account.')],
      inputs: [{ key: '1', commands: [submenu] }],
    });
    const tree = elementOf(command);
    const inputs = tree.children[1];
    expect(inputs).toEqual(
      el('Inputs', {}, [
        el('Input', { Key: '1' }, [
          el('UserInput', { BackKey: '*' }, [
            el('InitialCommands', {}, [
              el('Speak', {}, [{ text: 'Balance: 1500. Press 1 to hear it again, * to go back.' }]),
            ]),
            el('Inputs', {}, [el('Input', { Key: '1' }, [el('Speak', {}, [{ text: '1500' }])])]),
          ]),
        ]),
      ]),
    );
    expect(() => validateOzml([command], 'extension')).not.toThrow();
  });

  test('every extension command may be nested', () => {
    const nested = [
      speak('a'),
      play('a.wav'),
      delay(1),
      hangup(),
      goTo('http://a.example/'),
      call('100'),
      blindTransfer('100'),
      record({ duration: 10 }),
      sendSms('hi', { recipient: '+1' }),
      userInput({ backKey: '*' }),
    ];
    const command = userInput({
      initialCommands: nested,
      inputs: [{ key: '1', commands: nested }],
    });
    expect(command.nested.map((sequence) => sequence.commands.length)).toEqual([10, 10]);
  });

  describe('refuses', () => {
    test('nothing that handles the digits', () => {
      expectInvalid(() => userInput({}), 'ozeki.userInput', 'nothing handles the digits');
      expectInvalid(
        () => userInput({ initialCommands: [speak('Hello')], inputs: [], timeout: 5 }),
        'ozeki.userInput',
        'nothing handles the digits',
      );
    });

    test('a key given twice', () => {
      expectInvalid(
        () =>
          userInput({
            inputs: [
              { key: '1', commands: [hangup()] },
              { key: '1', commands: [speak('x')] },
            ],
          }),
        'ozeki.userInput',
        'inputs[1].key "1"',
        'twice',
      );
    });

    test.each([
      ['a letter', 'A'],
      ['empty', ''],
      ['a space', ' 1'],
      ['a number', 1],
      ['null', null],
      ['undefined', undefined],
    ])('an input key that is %s', (_label, key) => {
      expectInvalid(
        () => userInput({ inputs: [{ key: key as never, commands: [hangup()] }] }),
        'ozeki.userInput',
        'inputs[0].key',
      );
    });

    test('a key longer than 1 without digit options (Ozeki waits for 1 digit)', () => {
      expectInvalid(
        () => userInput({ inputs: [{ key: '12', commands: [hangup()] }] }),
        'ozeki.userInput',
        'inputs[0].key "12"',
        '1 digit',
      );
    });

    test('a key whose length is not digits', () => {
      expectInvalid(
        () =>
          userInput({
            digits: 4,
            inputs: [
              { key: '1234', commands: [hangup()] },
              { key: '123', commands: [hangup()] },
            ],
          }),
        'ozeki.userInput',
        'inputs[1].key "123"',
        'digits is 4',
      );
      expectInvalid(
        () => userInput({ digits: 1, inputs: [{ key: '12', commands: [hangup()] }] }),
        'ozeki.userInput',
        'digits is 1',
      );
    });

    test('a key outside minDigits/maxDigits', () => {
      expectInvalid(
        () => userInput({ minDigits: 2, inputs: [{ key: '1', commands: [hangup()] }] }),
        'ozeki.userInput',
        'minDigits 2',
      );
      expectInvalid(
        () =>
          userInput({ minDigits: 1, maxDigits: 2, inputs: [{ key: '123', commands: [hangup()] }] }),
        'ozeki.userInput',
        'maxDigits 2',
      );
    });

    test('digits together with minDigits or maxDigits (precedence undocumented, §7.8)', () => {
      expectInvalid(
        () => userInput({ digits: 2, minDigits: 1, forwardToUrl: 'http://a.example/' }),
        'ozeki.userInput',
        'digits',
        '§7.8',
      );
      expectInvalid(
        () => userInput({ digits: 2, maxDigits: 3, forwardToUrl: 'http://a.example/' }),
        'ozeki.userInput',
        'minDigits/maxDigits',
      );
    });

    test('minDigits greater than maxDigits', () => {
      expectInvalid(
        () => userInput({ minDigits: 4, maxDigits: 2, forwardToUrl: 'http://a.example/' }),
        'ozeki.userInput',
        'minDigits (4) is greater than maxDigits (2)',
      );
    });

    test.each([
      ['digits', 0],
      ['digits', 1.5],
      ['digits', '4'],
      ['minDigits', 0],
      ['maxDigits', -1],
      ['timeout', -1],
      ['timeout', 2.5],
      ['repeat', 'yes'],
      ['backKey', '**'],
      ['backKey', 'a'],
      ['backKey', ''],
      ['executeSql', ''],
      ['executeSql', ' '],
      ['forwardToUrl', ''],
      ['forwardToUrl', 'yourapp.com/dtmf.php'],
      ['forwardToUrl', '/dtmf.php'],
      ['forwardToUrl', 'ftp://yourapp.com/dtmf.php'],
      ['enteredUrl', 'mailto:x@example.com'],
    ])('%s = %j', (option, value) => {
      expectInvalid(
        () => userInput({ executeSql: 'SELECT 1', [option]: value } as never),
        'ozeki.userInput',
        option,
      );
    });

    test('forwardToUrl together with enteredUrl', () => {
      expectInvalid(
        () => userInput({ forwardToUrl: 'http://a.example/', enteredUrl: 'http://b.example/' }),
        'ozeki.userInput',
        'forwardToUrl and enteredUrl',
      );
    });

    test('an input key equal to backKey', () => {
      expectInvalid(
        () => userInput({ backKey: '*', inputs: [{ key: '*', commands: [hangup()] }] }),
        'ozeki.userInput',
        'backKey',
      );
    });

    test('an input without commands, with none, or with commands that are not built commands', () => {
      expectInvalid(
        () => userInput({ inputs: [{ key: '1' } as never] }),
        'ozeki.userInput',
        'inputs[0].commands is required',
      );
      expectInvalid(
        () => userInput({ inputs: [{ key: '1', commands: [] }] }),
        'ozeki.userInput',
        'inputs[0].commands is empty',
      );
      expectInvalid(
        () => userInput({ inputs: [{ key: '1', commands: hangup() as never }] }),
        'ozeki.userInput',
        'inputs[0].commands must be an array',
      );
      expectInvalid(
        () =>
          userInput({
            inputs: [
              { key: '1', commands: [{ name: 'Hangup', element: { name: 'Hangup' } }] as never },
            ],
          }),
        'ozeki.userInput',
        'inputs[0].commands[0] is not an OzML command',
      );
      expectInvalid(
        () =>
          userInput({
            initialCommands: [speak('x'), '<Hangup/>' as never],
            forwardToUrl: 'http://a.example/',
          }),
        'ozeki.userInput',
        'initialCommands[1] is not an OzML command',
      );
    });

    test('inputs or an input of the wrong shape, and unknown keys', () => {
      expectInvalid(
        () => userInput({ inputs: { key: '1', commands: [hangup()] } as never }),
        'ozeki.userInput',
        'inputs must be an array',
      );
      expectInvalid(() => userInput({ inputs: [null as never] }), 'ozeki.userInput', 'inputs[0]');
      expectInvalid(() => userInput({ inputs: ['1' as never] }), 'ozeki.userInput', 'inputs[0]');
      expectInvalid(
        () => userInput({ inputs: [{ key: '1', commands: [hangup()], Key: '1' } as never] }),
        'ozeki.userInput',
        '"Key"',
        'inputs[0]',
      );
      expectInvalid(
        () => userInput({ forwardToUrl: 'http://a.example/', ForwardToURL: 'x' } as never),
        'ozeki.userInput',
        '"ForwardToURL"',
      );
      expectInvalid(
        () => userInput({ initialCommands: speak('x') as never, backKey: '*' }),
        'ozeki.userInput',
        'initialCommands must be an array',
      );
      expectInvalid(() => untyped(userInput)(), 'ozeki.userInput', 'options');
    });

    test('a nested Reject, in initial commands or in an input', () => {
      expectInvalid(
        () => userInput({ initialCommands: [reject()], forwardToUrl: 'http://a.example/' }),
        'ozeki.userInput',
        'initialCommands[0]',
        'Reject cannot be inside a UserInput',
      );
      expectInvalid(
        () => userInput({ inputs: [{ key: '1', commands: [reject()] }] }),
        'ozeki.userInput',
        'inputs[0].commands[0]',
        'Reject',
      );
    });

    test.each([
      ['Hold', () => hold()],
      ['Unhold', () => unhold()],
      ['Forward', () => forward({ destination: '500' })],
      ['ForwardCall', () => forwardCall({ destination: '500' })],
      ['AttendedTransfer', () => attendedTransfer({ targetCallId: 'HL1bE' })],
      ['SendDTMF', () => sendDtmf({ party: 'all', keys: '1' })],
      ['Route', () => route({ destination: '1000' })],
    ])('a nested %s (not an extension command)', (name, build) => {
      expectInvalid(
        () => userInput({ inputs: [{ key: '1', commands: [build()] }] }),
        'ozeki.userInput',
        `inputs[0].commands[0]: ${name} is not allowed in extension control`,
      );
    });

    test('a nested third-party BlindTransfer', () => {
      expectInvalid(
        () =>
          userInput({
            inputs: [{ key: '1', commands: [blindTransfer('1', { transferorParty: 'caller' })] }],
          }),
        'ozeki.userInput',
        'third-party form',
      );
    });

    test('problems deep in nested UserInputs', () => {
      const inner = userInput({ backKey: '*', inputs: [{ key: '1', commands: [hangup()] }] });
      const outer = userInput({ inputs: [{ key: '1', commands: [inner] }] });
      expect(() => userInput({ inputs: [{ key: '2', commands: [outer] }] })).not.toThrow();
    });
  });
});

describe('goTo', () => {
  test.each(['http://yourapp.com/', "SELECT text FROM table WHERE id = '1'"])(
    '%s is the element text',
    (value) => {
      const command = goTo(value);
      expect(command.name).toBe('GoTo');
      expect(elementOf(command)).toEqual(el('GoTo', {}, [{ text: value }]));
    },
  );

  test.each(['', '  ', null, 5, undefined])('refuses %j', (value) => {
    expectInvalid(() => untyped(goTo)(value), 'ozeki.goTo', 'urlOrSql');
  });
});

describe('call', () => {
  test('the dialled number is the element text', () => {
    const command = call('2310');
    expect(command.name).toBe('Call');
    expect(elementOf(command)).toEqual(el('Call', {}, [{ text: '2310' }]));
  });

  test('every attribute with its canonical name', () => {
    expect(
      elementOf(
        call('2310', {
          apiExtension: '9994',
          callerId: '3000',
          callerDisplayName: 'John Smith',
          url: 'http://yourdomain.com/ozml_example/call_connected.php',
          errorUrl: 'https://yourdomain.com/error_occured.php',
        }),
      ),
    ).toEqual(
      el(
        'Call',
        {
          Url: 'http://yourdomain.com/ozml_example/call_connected.php',
          ErrorUrl: 'https://yourdomain.com/error_occured.php',
          ApiExtension: '9994',
          CallerId: '3000',
          CallerDisplayName: 'John Smith',
        },
        [{ text: '2310' }],
      ),
    );
  });

  test('refuses a blank number, bad URLs, blank options and unknown options', () => {
    expectInvalid(() => call(''), 'ozeki.call', 'dialled');
    expectInvalid(() => untyped(call)(2310), 'ozeki.call', 'dialled');
    expectInvalid(() => call('1', { url: 'call_connected.php' }), 'ozeki.call', 'url');
    expectInvalid(() => call('1', { errorUrl: 'javascript:alert(1)' }), 'ozeki.call', 'errorUrl');
    expectInvalid(() => call('1', { callerId: ' ' }), 'ozeki.call', 'callerId');
    expectInvalid(() => call('1', { apiExtension: '' }), 'ozeki.call', 'apiExtension');
    expectInvalid(() => call('1', { dialed: '2' } as never), 'ozeki.call', '"dialed"');
  });
});

describe('blindTransfer', () => {
  test('without transferorParty the target is the element text (extension form)', () => {
    const command = blindTransfer('1001');
    expect(command.name).toBe('BlindTransfer');
    expect(elementOf(command)).toEqual(el('BlindTransfer', {}, [{ text: '1001' }]));
  });

  test('with transferorParty the target is the Target attribute (third-party form)', () => {
    expect(
      elementOf(
        blindTransfer('1001', {
          transferorParty: 'callee',
          callId: 'Nt3uh',
          finishedUrl: 'http://domain.com/proc.php',
        }),
      ),
    ).toEqual(
      el('BlindTransfer', {
        TransferorParty: 'callee',
        Target: '1001',
        CallId: 'Nt3uh',
        FinishedUrl: 'http://domain.com/proc.php',
      }),
    );
    expect(elementOf(blindTransfer('1001', { transferorParty: 'caller' }))).toEqual(
      el('BlindTransfer', { TransferorParty: 'caller', Target: '1001' }),
    );
  });

  test('refuses callId or finishedUrl without transferorParty (third-party only)', () => {
    expectInvalid(
      () => blindTransfer('1001', { callId: 'x' }),
      'ozeki.blindTransfer',
      'callId',
      'transferorParty',
    );
    expectInvalid(
      () => blindTransfer('1001', { finishedUrl: 'http://a.example/' }),
      'ozeki.blindTransfer',
      'finishedUrl',
    );
  });

  test('refuses a bad target, party, URL or option', () => {
    expectInvalid(() => blindTransfer(''), 'ozeki.blindTransfer', 'target');
    expectInvalid(
      () => blindTransfer('', { transferorParty: 'caller' }),
      'ozeki.blindTransfer',
      'target',
    );
    expectInvalid(
      () => blindTransfer('1', { transferorParty: 'all' as never }),
      'ozeki.blindTransfer',
      'transferorParty',
    );
    expectInvalid(
      () => blindTransfer('1', { transferorParty: 'caller', finishedUrl: 'proc.php' }),
      'ozeki.blindTransfer',
      'finishedUrl',
    );
    expectInvalid(
      () => blindTransfer('1', { target: '2' } as never),
      'ozeki.blindTransfer',
      '"target"',
    );
  });
});

describe('attendedTransfer', () => {
  test('targetCallId, transferredCallId and transferorParty', () => {
    const command = attendedTransfer({ targetCallId: 'HL1bE' });
    expect(command.name).toBe('AttendedTransfer');
    expect(elementOf(command)).toEqual(el('AttendedTransfer', { TargetCallId: 'HL1bE' }));
    expect(
      elementOf(
        attendedTransfer({
          targetCallId: 'HL1bE',
          transferredCallId: 'Nt3uh',
          transferorParty: 'caller',
        }),
      ).attributes,
    ).toEqual({ TargetCallId: 'HL1bE', TransferredCallId: 'Nt3uh', TransferorParty: 'caller' });
  });

  test('refuses a missing target, the same call twice, a bad party and unknown options', () => {
    expectInvalid(() => attendedTransfer({} as never), 'ozeki.attendedTransfer', 'targetCallId');
    expectInvalid(() => untyped(attendedTransfer)(), 'ozeki.attendedTransfer', 'options');
    expectInvalid(
      () => attendedTransfer({ targetCallId: '' }),
      'ozeki.attendedTransfer',
      'targetCallId',
    );
    expectInvalid(
      () => attendedTransfer({ targetCallId: 'a', transferredCallId: 'a' }),
      'ozeki.attendedTransfer',
      'same call',
    );
    expectInvalid(
      () => attendedTransfer({ targetCallId: 'a', transferorParty: 'all' as never }),
      'ozeki.attendedTransfer',
      'transferorParty',
    );
    expectInvalid(
      () => attendedTransfer({ targetCallId: 'a', tranferredCallId: 'b' } as never),
      'ozeki.attendedTransfer',
      '"tranferredCallId"',
    );
  });
});

describe.each([
  ['forward', forward, 'Forward'],
  ['forwardCall', forwardCall, 'ForwardCall'],
] as const)('%s', (builder, build, name) => {
  test(`writes <${name} Destination CallId>`, () => {
    const command = build({ destination: '500' });
    expect(command.name).toBe(name);
    expect(elementOf(command)).toEqual(el(name, { Destination: '500' }));
    expect(elementOf(build({ destination: '104', callId: 'Nt3uh' })).attributes).toEqual({
      Destination: '104',
      CallId: 'Nt3uh',
    });
  });

  test('refuses a missing or blank destination, a blank call id and unknown options', () => {
    expectInvalid(() => build({} as never), `ozeki.${builder}`, 'destination is required');
    expectInvalid(() => build({ destination: '' }), `ozeki.${builder}`, 'destination');
    expectInvalid(() => build({ destination: 500 as never }), `ozeki.${builder}`, 'destination');
    expectInvalid(() => build({ destination: '1', callId: '' }), `ozeki.${builder}`, 'callId');
    expectInvalid(
      () => build({ destination: '1', target: '2' } as never),
      `ozeki.${builder}`,
      '"target"',
    );
    expectInvalid(() => untyped(build)('500'), `ozeki.${builder}`, 'options');
  });
});

describe.each([
  ['hold', hold, 'Hold'],
  ['unhold', unhold, 'Unhold'],
] as const)('%s', (builder, build, name) => {
  test(`writes <${name}/> and <${name} CallId>`, () => {
    const command = build();
    expect(command.name).toBe(name);
    expect(elementOf(command)).toEqual(el(name));
    expect(elementOf(build({ callId: '23Xdz7' }))).toEqual(el(name, { CallId: '23Xdz7' }));
  });

  test('refuses a blank call id and unknown options', () => {
    expectInvalid(() => build({ callId: '' }), `ozeki.${builder}`, 'callId');
    expectInvalid(() => build({ party: 'all' } as never), `ozeki.${builder}`, '"party"');
  });
});

describe('record', () => {
  test('without options it is <Record/>', () => {
    const command = record();
    expect(command.name).toBe('Record');
    expect(elementOf(command)).toEqual(el('Record'));
  });

  test('every attribute with its canonical name; times in seconds', () => {
    expect(
      elementOf(
        record({
          callId: 'H2Wwb',
          format: 'wav',
          finishedUrl: 'http://yourapp.com/record_finished.php',
          duration: 120,
          inactivity: 0,
          finishDigits: '7890*#',
          recordPath: 'D:/recordings',
        }),
      ).attributes,
    ).toEqual({
      CallId: 'H2Wwb',
      Format: 'wav',
      FinishedUrl: 'http://yourapp.com/record_finished.php',
      Duration: '120',
      Inactivity: '0',
      FinishDigits: '7890*#',
      RecordPath: 'D:/recordings',
    });
    expect(elementOf(record({ format: 'mp3' })).attributes).toEqual({ Format: 'mp3' });
  });

  test.each([
    ['format', 'ogg'],
    ['format', 'WAV'],
    ['duration', -1],
    ['duration', 1.5],
    ['inactivity', '5'],
    ['finishDigits', '12a'],
    ['finishDigits', ''],
    ['finishedUrl', 'record_finished.php'],
    ['recordPath', ''],
    ['callId', ' '],
  ])('refuses %s = %j', (option, value) => {
    expectInvalid(() => record({ [option]: value } as never), 'ozeki.record', option);
  });

  test('refuses unknown options', () => {
    expectInvalid(() => record({ maxDuration: 5 } as never), 'ozeki.record', '"maxDuration"');
  });
});

describe('sendDtmf', () => {
  test('writes Party, Keys and CallId', () => {
    const command = sendDtmf({ party: 'caller', keys: '01234#' });
    expect(command.name).toBe('SendDTMF');
    expect(elementOf(command)).toEqual(el('SendDTMF', { Party: 'caller', Keys: '01234#' }));
    expect(elementOf(sendDtmf({ party: 'all', keys: '*', callId: 'x1' })).attributes).toEqual({
      Party: 'all',
      Keys: '*',
      CallId: 'x1',
    });
  });

  test('refuses a missing or bad party or keys, and unknown options', () => {
    expectInvalid(() => sendDtmf({ keys: '1' } as never), 'ozeki.sendDtmf', 'party is required');
    expectInvalid(() => sendDtmf({ party: 'all' } as never), 'ozeki.sendDtmf', 'keys is required');
    expectInvalid(() => sendDtmf({ party: 'both' as never, keys: '1' }), 'ozeki.sendDtmf', 'party');
    for (const keys of ['', 'A', '1 2', '12-3', 12]) {
      expectInvalid(
        () => sendDtmf({ party: 'all', keys: keys as never }),
        'ozeki.sendDtmf',
        'keys',
      );
    }
    expectInvalid(
      () => sendDtmf({ party: 'all', keys: '1', digits: '2' } as never),
      'ozeki.sendDtmf',
      '"digits"',
    );
  });
});

describe('route', () => {
  test('Destination is an attribute, with RingTime, CallerId, DialedNumber', () => {
    const command = route({ destination: '1000' });
    expect(command.name).toBe('Route');
    expect(elementOf(command)).toEqual(el('Route', { Destination: '1000' }));
    expect(
      elementOf(
        route({
          destination: 'voipservice1',
          ringTime: 30,
          callerId: '+3612345',
          dialedNumber: '234567',
        }),
      ),
    ).toEqual(
      el('Route', {
        Destination: 'voipservice1',
        RingTime: '30',
        CallerId: '+3612345',
        DialedNumber: '234567',
      }),
    );
  });

  test("an empty destination rejects the call: <Route Destination=''/>", () => {
    const command = route({ destination: '' });
    expect(elementOf(command)).toEqual(el('Route', { Destination: '' }));
    expect(renderOzml([command], 'routing', { declaration: false })).toBe(
      '<Response><Route Destination=""/></Response>',
    );
  });

  test('refuses other options with an empty destination', () => {
    expectInvalid(
      () => route({ destination: '', ringTime: 30 }),
      'ozeki.route',
      'empty destination',
      'ringTime',
    );
  });

  test.each([
    ['ringTime', 0],
    ['ringTime', -5],
    ['ringTime', 1.5],
    ['ringTime', '30'],
    ['callerId', ''],
    ['dialedNumber', ' '],
  ])('refuses %s = %j', (option, value) => {
    expectInvalid(
      () => route({ destination: '1000', [option]: value } as never),
      'ozeki.route',
      option,
    );
  });

  test('refuses a missing, non-string or blank destination, and unknown options', () => {
    expectInvalid(() => route({} as never), 'ozeki.route', 'destination is required');
    expectInvalid(() => route({ destination: 1000 as never }), 'ozeki.route', 'destination');
    expectInvalid(() => route({ destination: '  ' }), 'ozeki.route', 'destination');
    expectInvalid(() => route({ destination: null as never }), 'ozeki.route', 'destination');
    expectInvalid(
      () => route({ destination: '1', ringtime: 30 } as never),
      'ozeki.route',
      '"ringtime"',
    );
    expectInvalid(() => untyped(route)('1000'), 'ozeki.route', 'options');
  });
});

describe('sendSms', () => {
  test('the message is the element text; Recipient and the other attributes', () => {
    const command = sendSms('Hello! How are you?', { recipient: '+062554670' });
    expect(command.name).toBe('SendSms');
    expect(elementOf(command)).toEqual(
      el('SendSms', { Recipient: '+062554670' }, [{ text: 'Hello! How are you?' }]),
    );
    expect(
      elementOf(
        sendSms('Hi', {
          recipient: '+36201234567',
          apiExtension: '9997',
          sender: '+36207654321',
          deliveryReportUrl: 'http://yourapp.com/report.php',
        }),
      ).attributes,
    ).toEqual({
      Recipient: '+36201234567',
      ApiExtension: '9997',
      Sender: '+36207654321',
      DeliveryReportURL: 'http://yourapp.com/report.php',
    });
  });

  test('refuses a blank message or recipient, a bad URL and unknown options', () => {
    expectInvalid(() => sendSms('', { recipient: '+1' }), 'ozeki.sendSms', 'message');
    expectInvalid(() => sendSms('x', { recipient: '' }), 'ozeki.sendSms', 'recipient');
    expectInvalid(() => sendSms('x', {} as never), 'ozeki.sendSms', 'recipient is required');
    expectInvalid(() => untyped(sendSms)('x'), 'ozeki.sendSms', 'options');
    expectInvalid(
      () => sendSms('x', { recipient: '+1', deliveryReportUrl: 'report.php' }),
      'ozeki.sendSms',
      'deliveryReportUrl',
    );
    expectInvalid(
      () => sendSms('x', { recipient: '+1', delivaryReportUrl: 'http://a.example/' } as never),
      'ozeki.sendSms',
      '"delivaryReportUrl"',
    );
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
    '<Hangup/>',
    true,
    [],
    {},
    { key: 1 },
    { commands: 'x' },
    10n,
    Symbol('s'),
    () => 1,
    circular,
    [null],
    { inputs: [null] },
    { initialCommands: [{}] },
  ];
  const builders: [string, unknown][] = [
    ['speak', speak],
    ['play', play],
    ['delay', delay],
    ['hangup', hangup],
    ['userInput', userInput],
    ['goTo', goTo],
    ['call', call],
    ['blindTransfer', blindTransfer],
    ['attendedTransfer', attendedTransfer],
    ['forward', forward],
    ['forwardCall', forwardCall],
    ['hold', hold],
    ['unhold', unhold],
    ['record', record],
    ['sendDtmf', sendDtmf],
    ['route', route],
    ['sendSms', sendSms],
    ['response', response],
    ['validateOzml', validateOzml],
    ['renderOzml', renderOzml],
  ];

  test.each(builders)('%s', (name, builder) => {
    let failures = 0;
    for (const first of values) {
      for (const second of values) {
        let error: unknown;
        try {
          untyped(builder)(first, second);
          continue;
        } catch (caught) {
          error = caught;
        }
        failures++;
        expect(error).toBeInstanceOf(CallControlError);
        expect((error as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
        expect((error as CallControlError).message.startsWith(`ozeki.${name}: `)).toBe(true);
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  test('error messages stay short for large values', () => {
    const error = expectInvalid(() => untyped(speak)({ text: 'x'.repeat(10_000) }), 'ozeki.speak');
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('escaping', () => {
  test.each([
    ['markup that would close the element', '</Speak><Hangup/>'],
    ['every XML special character', `&"'<>`],
    ['a lone ampersand', 'a&b'],
    ['a CDATA end', ']]>'],
    ['text that looks like escaped markup', '&lt;/Speak&gt;&lt;Hangup/&gt;'],
    ['text that looks like predefined entities', '&amp;&lt;&gt;&quot;&apos;'],
    ['text that looks like an undeclared entity', 'a&nbsp;b'],
    ['a carriage return', 'a\r\nb'],
  ])('%s stays the text of its <Speak>', (_label, value) => {
    const xml = renderOzml([speak(value), hangup()]);
    expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/);
    expect(responseOf([speak(value), hangup()])).toEqual(
      el('Response', {}, [el('Speak', {}, [{ text: value }]), el('Hangup')]),
    );
  });

  test('&lt; stays literally &lt; (written as &amp;lt;)', () => {
    const xml = renderOzml([speak('&lt;')]);
    expect(xml).toContain('<Speak>&amp;lt;</Speak>');
    expect(elementOf(speak('&lt;')).children).toEqual([{ text: '&lt;' }]);
  });

  test('markup in text is written as references, never as elements', () => {
    const xml = renderOzml([speak('</Speak><Hangup/>')], undefined, { declaration: false });
    expect(xml).toBe('<Response><Speak>&lt;/Speak&gt;&lt;Hangup/&gt;</Speak></Response>');
  });

  test('attribute values are escaped, in both cases', () => {
    const value = `"/><Hangup x="&lt;\t\n`;
    for (const attributeCase of ['pascal', 'camel'] as const) {
      const command = route({ destination: '1000', dialedNumber: value });
      const attributes = elementOf(command, { attributeCase }).attributes;
      const name = attributeCase === 'camel' ? 'dialedNumber' : 'DialedNumber';
      expect(attributes[name]).toBe(value);
    }
  });

  test('text inside nested UserInputs is escaped too', () => {
    const command = userInput({
      inputs: [{ key: '1', commands: [speak('</Speak></Input></Inputs></UserInput><Reject/>')] }],
    });
    const tree = responseOf([command]);
    expect(JSON.stringify(tree)).not.toContain('"name":"Reject"');
  });
});

describe('validateOzml', () => {
  const extensionCommands = (): OzmlCommand[] => [
    speak('x'),
    play('a.wav'),
    delay(1),
    hangup(),
    userInput({ forwardToUrl: 'http://a.example/' }),
    goTo('http://a.example/'),
    call('100', { url: 'http://a.example/' }),
    blindTransfer('100'),
    record({ duration: 10, inactivity: 3, finishDigits: '#' }),
    sendSms('hi', { recipient: '+1' }),
  ];
  const thirdPartyCommands = (): OzmlCommand[] => [
    attendedTransfer({ targetCallId: 'a' }),
    blindTransfer('100', { transferorParty: 'caller' }),
    forward({ destination: '500' }),
    forwardCall({ destination: '500' }),
    hangup({ callId: 'x' }),
    hold(),
    unhold(),
    play('a.wav', { party: 'all' }),
    record({ format: 'wav', callId: 'x', finishedUrl: 'http://a.example/', recordPath: 'D:/r' }),
    sendDtmf({ party: 'callee', keys: '1' }),
    speak('x', { party: 'caller' }),
  ];

  test.each(['extension', 'thirdParty', 'routing'] as const)(
    'an empty list is valid in %s',
    (control) => {
      expect(() => validateOzml([], control)).not.toThrow();
    },
  );

  describe('extension control', () => {
    test('accepts every extension command, and Reject first', () => {
      expect(() => validateOzml(extensionCommands(), 'extension')).not.toThrow();
      expect(() => validateOzml([reject(), ...extensionCommands()], 'extension')).not.toThrow();
      expect(() => validateOzml([reject()], 'extension')).not.toThrow();
    });

    test('accepts party and callId on Speak, Play and Hangup (ignored there)', () => {
      expect(() =>
        validateOzml(
          [speak('x', { party: 'all' }), play('a.wav', { callId: 'x' }), hangup({ callId: 'x' })],
          'extension',
        ),
      ).not.toThrow();
    });

    test('refuses Reject after another command (spec §5.5)', () => {
      expectInvalid(
        () => validateOzml([speak('x'), reject()], 'extension'),
        'ozeki.validateOzml',
        'commands[1]',
        'Reject is only valid as the first command',
      );
      expectInvalid(
        () => validateOzml([reject(), reject()], 'extension'),
        'ozeki.validateOzml',
        'commands[1]',
      );
    });

    test('refuses a top-level UserInput with backKey', () => {
      expectInvalid(
        () => validateOzml([userInput({ backKey: '*' })], 'extension'),
        'ozeki.validateOzml',
        'commands[0]',
        'backKey',
      );
    });

    test('refuses the third-party form of BlindTransfer', () => {
      expectInvalid(
        () => validateOzml([blindTransfer('1', { transferorParty: 'callee' })], 'extension'),
        'ozeki.validateOzml',
        'third-party form',
      );
    });

    test.each([
      ['AttendedTransfer', () => attendedTransfer({ targetCallId: 'a' })],
      ['Forward', () => forward({ destination: '1' })],
      ['ForwardCall', () => forwardCall({ destination: '1' })],
      ['Hold', () => hold()],
      ['Unhold', () => unhold()],
      ['SendDTMF', () => sendDtmf({ party: 'all', keys: '1' })],
      ['Route', () => route({ destination: '1' })],
    ])('refuses %s', (name, build) => {
      expectInvalid(
        () => validateOzml([speak('x'), build()], 'extension'),
        'ozeki.validateOzml',
        `commands[1]: ${name} is not allowed in extension control`,
        'allowed: Speak',
      );
    });
  });

  describe('third-party control', () => {
    test('accepts every third-party command', () => {
      expect(() => validateOzml(thirdPartyCommands(), 'thirdParty')).not.toThrow();
    });

    test.each([
      ['Speak', () => speak('x')],
      ['Play', () => play('a.wav', { repeat: true })],
    ])('refuses %s without party', (name, build) => {
      expectInvalid(
        () => validateOzml([build()], 'thirdParty'),
        'ozeki.validateOzml',
        `${name} needs party`,
      );
    });

    test('refuses BlindTransfer without transferorParty', () => {
      expectInvalid(
        () => validateOzml([blindTransfer('1001')], 'thirdParty'),
        'ozeki.validateOzml',
        'transferorParty',
      );
    });

    test.each([
      ['duration', 'Duration', { duration: 10 }],
      ['inactivity', 'Inactivity', { inactivity: 3 }],
      ['finishDigits', 'FinishDigits', { finishDigits: '#' }],
    ] as const)(
      'refuses Record with %s (extension control only)',
      (_option, attribute, options) => {
        expectInvalid(
          () => validateOzml([record(options)], 'thirdParty'),
          'ozeki.validateOzml',
          attribute,
          'extension control',
        );
      },
    );

    test.each([
      ['Delay', () => delay(1)],
      ['Reject', () => reject()],
      ['UserInput', () => userInput({ forwardToUrl: 'http://a.example/' })],
      ['GoTo', () => goTo('http://a.example/')],
      ['Call', () => call('100')],
      ['SendSms', () => sendSms('x', { recipient: '+1' })],
      ['Route', () => route({ destination: '1' })],
    ])('refuses %s', (name, build) => {
      expectInvalid(
        () => validateOzml([build()], 'thirdParty'),
        'ozeki.validateOzml',
        `${name} is not allowed in third-party control`,
      );
    });
  });

  describe('routing', () => {
    test('accepts one Route', () => {
      expect(() => validateOzml([route({ destination: '1000' })], 'routing')).not.toThrow();
      expect(() => validateOzml([route({ destination: '' })], 'routing')).not.toThrow();
    });

    test('refuses a second Route', () => {
      expectInvalid(
        () => validateOzml([route({ destination: '1' }), route({ destination: '2' })], 'routing'),
        'ozeki.validateOzml',
        'commands[1]',
        'at most one Route',
      );
    });

    test('refuses every other command', () => {
      for (const command of [...extensionCommands(), ...thirdPartyCommands(), reject()]) {
        expectInvalid(
          () => validateOzml([command], 'routing'),
          'ozeki.validateOzml',
          `${command.name} is not allowed in routing`,
        );
      }
    });
  });

  test('refuses an unknown control', () => {
    for (const control of ['Extension', 'third-party', '', undefined, null, 1]) {
      expectInvalid(
        () => validateOzml([], control as never),
        'ozeki.validateOzml',
        'control must be',
      );
    }
  });

  test('refuses items that are not built commands, and non-arrays', () => {
    expectInvalid(
      () => validateOzml([speak('x'), { name: 'Speak' } as never], 'extension'),
      'ozeki.validateOzml',
      'commands[1] is not an OzML command',
    );
    expectInvalid(
      () => validateOzml(speak('x') as never, 'extension'),
      'ozeki.validateOzml',
      'must be an array',
    );
    const handMade = new OzmlCommand('Speak', { name: 'Hangup' });
    expectInvalid(
      () => validateOzml([handMade], 'extension'),
      'ozeki.validateOzml',
      'not an OzML command made by the ozeki builders',
    );
  });
});

describe('response', () => {
  test('keeps a frozen copy of the commands and no control', () => {
    const commands: OzmlCommand[] = [speak('Hello'), hangup()];
    const built = response(commands);
    expect(built).toBeInstanceOf(OzmlResponse);
    expect(built.control).toBeUndefined();
    commands.push(reject());
    expect(built.commands.map((command) => command.name)).toEqual(['Speak', 'Hangup']);
    expect(Object.isFrozen(built.commands)).toBe(true);
    expect(Object.isFrozen(built)).toBe(true);
  });

  test('toXml renders <Response> with the declaration, or without', () => {
    const built = response([speak('Hi'), hangup()]);
    expect(built.toXml()).toBe(`${DECLARATION}<Response><Speak>Hi</Speak><Hangup/></Response>`);
    expect(built.toXml({ declaration: false })).toBe(
      '<Response><Speak>Hi</Speak><Hangup/></Response>',
    );
    expect(response([]).toXml()).toBe(`${DECLARATION}<Response/>`);
  });

  test('with a control the sequence is validated now and the control kept', () => {
    const built = response([speak('x', { party: 'all' }), hold()], { control: 'thirdParty' });
    expect(built.control).toBe('thirdParty');
    expectInvalid(
      () => response([hold()], { control: 'extension' }),
      'ozeki.response',
      'commands[0]: Hold is not allowed in extension control',
    );
    expectInvalid(
      () => response([speak('x')], { control: 'thirdParty' }),
      'ozeki.response',
      'Speak needs party',
    );
  });

  test('without a control only the items are checked', () => {
    expect(response([hold(), delay(1), route({ destination: '1' })]).commands).toHaveLength(3);
  });

  test('refuses non-commands, non-arrays, unknown controls and options', () => {
    expectInvalid(() => response([speak('x'), 'x' as never]), 'ozeki.response', 'commands[1]');
    expectInvalid(() => response(speak('x') as never), 'ozeki.response', 'must be an array');
    expectInvalid(
      () => response([], { control: 'routed' as never }),
      'ozeki.response',
      'control must be',
    );
    expectInvalid(
      () => response([], { context: 'routing' } as never),
      'ozeki.response',
      '"context"',
    );
    expectInvalid(() => response([], null as never), 'ozeki.response', 'options');
  });

  test('toXml refuses invalid render options', () => {
    expectInvalid(
      () => response([]).toXml({ attributeCase: 'snake' as never }),
      'ozeki.OzmlResponse.toXml',
      'attributeCase',
    );
  });
});

describe('renderOzml', () => {
  test('undefined is the neutral <Response/>', () => {
    expect(renderOzml(undefined)).toBe(`${DECLARATION}<Response/>`);
    expect(renderOzml(undefined, 'routing')).toBe(`${DECLARATION}<Response/>`);
    expect(renderOzml(undefined, undefined, { declaration: false })).toBe('<Response/>');
  });

  test('a plain array of commands', () => {
    expect(renderOzml([delay(1), speak('Hi')])).toBe(
      `${DECLARATION}<Response><Delay>1</Delay><Speak>Hi</Speak></Response>`,
    );
    expect(renderOzml([])).toBe(`${DECLARATION}<Response/>`);
  });

  test('without a control an array is not checked for a context', () => {
    expect(renderOzml([hold(), delay(1)])).toContain('<Hold/><Delay>1</Delay>');
  });

  test('with a control an array is validated for it', () => {
    expect(renderOzml([hold()], 'thirdParty')).toContain('<Hold/>');
    expectInvalid(
      () => renderOzml([hold()], 'extension'),
      'ozeki.renderOzml',
      'commands[0]: Hold is not allowed in extension control',
    );
    expectInvalid(
      () => renderOzml([speak('x'), reject()], 'extension'),
      'ozeki.renderOzml',
      'Reject is only valid as the first command',
    );
  });

  test('a response built without control is validated for the given control', () => {
    const built = response([speak('x')]);
    expect(renderOzml(built, 'extension')).toContain('<Speak>x</Speak>');
    expect(renderOzml(built)).toContain('<Speak>x</Speak>');
    expectInvalid(() => renderOzml(built, 'thirdParty'), 'ozeki.renderOzml', 'Speak needs party');
    expectInvalid(() => renderOzml(built, 'routing'), 'ozeki.renderOzml', 'not allowed in routing');
  });

  test('a response built with a control needs the same control', () => {
    const built = response([route({ destination: '1000' })], { control: 'routing' });
    expect(renderOzml(built, 'routing')).toContain('<Route Destination="1000"/>');
    expect(renderOzml(built)).toContain('<Route Destination="1000"/>');
    expectInvalid(
      () => renderOzml(built, 'extension'),
      'ozeki.renderOzml',
      'built for routing control but answers a extension event',
    );
    const empty = response([], { control: 'thirdParty' });
    expectInvalid(() => renderOzml(empty, 'routing'), 'ozeki.renderOzml', 'thirdParty');
  });

  test('camel case lower-cases the first letter of every attribute, never element names', () => {
    const commands = [
      sendDtmf({ party: 'caller', keys: '1', callId: 'x' }),
      sendSms('Hi', { recipient: '+1', deliveryReportUrl: 'http://a.example/' }),
      blindTransfer('1001', { transferorParty: 'callee', finishedUrl: 'http://a.example/' }),
    ];
    expect(responseOf(commands, { attributeCase: 'camel' })).toEqual(
      el('Response', {}, [
        el('SendDTMF', { party: 'caller', keys: '1', callId: 'x' }),
        el('SendSms', { recipient: '+1', deliveryReportURL: 'http://a.example/' }, [
          { text: 'Hi' },
        ]),
        el('BlindTransfer', {
          transferorParty: 'callee',
          target: '1001',
          finishedUrl: 'http://a.example/',
        }),
      ]),
    );
    expect(
      renderOzml([play('a.wav', { repeat: true })], undefined, { attributeCase: 'camel' }),
    ).toBe(`${DECLARATION}<Response><Play repeat="true">a.wav</Play></Response>`);
    expect(
      renderOzml([play('a.wav', { repeat: true })], undefined, { attributeCase: 'pascal' }),
    ).toBe(`${DECLARATION}<Response><Play Repeat="true">a.wav</Play></Response>`);
  });

  test('camel rendering leaves the command elements unchanged', () => {
    const command = play('a.wav', { repeat: true });
    renderOzml([command], undefined, { attributeCase: 'camel' });
    expect(command.element.attributes).toEqual({ Repeat: 'true' });
  });

  test.each([
    ['a number', 42],
    ['null', null],
    ['a string', '<Response/>'],
    ['a plain object', { commands: [] }],
    ['an array with a non-command', [speak('x'), 'x']],
    ['a hand-made command', [new OzmlCommand('Hangup', { name: 'Hangup' })]],
    ['a response-like object', Object.create(OzmlResponse.prototype) as unknown],
  ])('refuses %s', (_label, value) => {
    expectInvalid(() => renderOzml(value as never), 'ozeki.renderOzml');
  });

  test('refuses invalid render options and controls', () => {
    expectInvalid(
      () => renderOzml([], undefined, { attributeCase: 'kebab' as never }),
      'ozeki.renderOzml',
      'attributeCase',
    );
    expectInvalid(
      () => renderOzml([], undefined, { declaration: 'no' as never }),
      'ozeki.renderOzml',
      'declaration',
    );
    expectInvalid(
      () => renderOzml([], undefined, { prolog: false } as never),
      'ozeki.renderOzml',
      '"prolog"',
    );
    expectInvalid(() => renderOzml([], 'Routing' as never), 'ozeki.renderOzml', 'control must be');
  });
});

describe('isOzmlAnswer', () => {
  test('true for responses and arrays of built commands (also empty)', () => {
    expect(isOzmlAnswer(response([]))).toBe(true);
    expect(isOzmlAnswer(response([speak('x')], { control: 'extension' }))).toBe(true);
    expect(isOzmlAnswer([])).toBe(true);
    expect(isOzmlAnswer([speak('x'), hangup()])).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a command alone', speak('x')],
    ['an array with a non-command', [speak('x'), {}]],
    ['an array with undefined', [undefined]],
    ['a string', '<Response/>'],
    ['a plain object', { commands: [] }],
    ['a hand-made command', [new OzmlCommand('Speak', { name: 'Speak', children: ['x'] })]],
    ['a response-like object', Object.create(OzmlResponse.prototype) as unknown],
  ])('false for %s', (_label, value) => {
    expect(isOzmlAnswer(value)).toBe(false);
  });
});

describe('commands are immutable', () => {
  test('the command, its element, attributes and children are frozen', () => {
    const command = userInput({
      repeat: true,
      inputs: [{ key: '1', commands: [speak('x', { party: 'all' })] }],
    });
    expect(Object.isFrozen(command)).toBe(true);
    expect(Object.isFrozen(command.element)).toBe(true);
    expect(Object.isFrozen(command.element.attributes)).toBe(true);
    expect(Object.isFrozen(command.element.children)).toBe(true);
    expect(Object.isFrozen(command.nested)).toBe(true);
    expect(() => {
      (command.element.attributes as Record<string, string>)['Repeat'] = 'false';
    }).toThrow(TypeError);
    expect(elementOf(command).attributes).toEqual({ Repeat: 'true' });
  });

  test('changing the options or lists afterwards does not change the command', () => {
    const inputs = [{ key: '1', commands: [hangup()] }];
    const options = { inputs, repeat: true };
    const command = userInput(options);
    inputs.push({ key: '2', commands: [hangup()] });
    options.repeat = false;
    expect(elementOf(command).attributes).toEqual({ Repeat: 'true' });
    expect(command.nested).toHaveLength(1);
  });
});

describe('the context of each answer type (spec §3.1)', () => {
  const cases: [string, OzmlControl, () => OzmlCommand[]][] = [
    [
      'IncomingCall menu',
      'extension',
      () => [speak('Hi'), userInput({ forwardToUrl: 'http://a.example/' })],
    ],
    [
      'CallChanged transfer',
      'thirdParty',
      () => [blindTransfer('1', { transferorParty: 'caller' })],
    ],
    ['RoutingInterception', 'routing', () => [route({ destination: '1000', ringTime: 90 })]],
  ];

  test.each(cases)('%s renders for its context', (_label, control, build) => {
    expect(canonicalXml(renderOzml(build(), control))).toEqual(
      canonicalXml(response(build(), { control }).toXml()),
    );
  });
});
