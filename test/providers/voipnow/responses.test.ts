/**
 * The VoipNow Call Interactive answer builders (spec `docs/providers/voipnow.md` §2 "Response verbs"),
 * the response, the renderer, escaping and immutability.
 */
import { CallControlError } from '../../../src/core/errors';
import * as ozeki from '../../../src/providers/ozeki/ozml';
import {
  hangup,
  isVoipNowAnswer,
  jump,
  pause,
  playSound,
  playTts,
  renderVoipNowResponse,
  response,
  setCaller,
  setVar,
  VoipNowCommand,
  VoipNowResponse,
  type VoipNowRenderOptions,
} from '../../../src/providers/voipnow/responses';
import { expectInvalid, thrown } from '../../helpers/assert';
import { canonicalXml, el, type CanonicalElement } from '../../helpers/xml';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The canonical `<Response>` of an answer. */
function responseOf(
  commands: readonly VoipNowCommand[],
  options: VoipNowRenderOptions = {},
): CanonicalElement {
  const tree = canonicalXml(renderVoipNowResponse(commands, options));
  expect(tree.name).toBe('Response');
  return tree;
}

/** The single verb element of a one-command answer. */
function elementOf(command: VoipNowCommand): CanonicalElement {
  const tree = responseOf([command]);
  expect(tree.children).toHaveLength(1);
  const [first] = tree.children;
  if (first === undefined || !('name' in first)) throw new Error('no verb element');
  return first;
}

/** The XML of one command without declaration and `<Response>`, as written. */
function written(command: VoipNowCommand): string {
  return renderVoipNowResponse([command], { declaration: false }).replace(
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

describe('hangup', () => {
  test('is <Hangup/>', () => {
    const command = hangup();
    expect(command).toBeInstanceOf(VoipNowCommand);
    expect(command.name).toBe('Hangup');
    expect(command.element).toEqual({ name: 'Hangup', attributes: {}, children: [] });
    expect(written(command)).toBe('<Hangup/>');
  });

  test('a new command every call', () => {
    expect(hangup()).not.toBe(hangup());
  });
});

describe('pause', () => {
  test('without length VoipNow waits its default (10 s): <Pause/>', () => {
    expect(written(pause())).toBe('<Pause/>');
    expect(written(pause({}))).toBe('<Pause/>');
    expect(written(pause({ length: undefined } as never))).toBe('<Pause/>');
    expect(pause().name).toBe('Pause');
  });

  test.each([1, 5, 10, 15, 3600])('length %d seconds', (length) => {
    expect(written(pause({ length }))).toBe(`<Pause length="${length}"/>`);
  });

  test.each([
    ['zero', 0],
    ['negative', -1],
    ['a fraction', 1.5],
    ['over one hour', 3601],
    ['a string', '15'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['null', null],
    ['a boolean', true],
    ['an unsafe integer', 2 ** 53],
  ])('refuses a length that is %s', (_label, length) => {
    expectInvalid(
      () => pause({ length: length as never }),
      'voipnow.pause',
      'length must be a whole number of seconds from 1 to 3600',
    );
  });

  test('refuses unknown options and options that are not an object', () => {
    expectInvalid(() => pause({ Length: 5 } as never), 'voipnow.pause', 'unknown option "Length"');
    expectInvalid(() => pause({ seconds: 5 } as never), 'voipnow.pause', '"seconds"');
    for (const [, value] of NOT_OBJECTS) {
      expectInvalid(() => pause(value as never), 'voipnow.pause', 'options must be an object');
    }
  });

  test('a bare number is not the options', () => {
    expectInvalid(() => untyped(pause)(15), 'voipnow.pause', 'options must be an object, got 15');
  });
});

describe('setVar', () => {
  test('the name is an attribute, the value the element text', () => {
    const command = setVar('SubscriptionCode', '09897987');
    expect(command.name).toBe('SetVar');
    expect(written(command)).toBe('<SetVar name="SubscriptionCode">09897987</SetVar>');
    expect(elementOf(command)).toEqual(
      el('SetVar', { name: 'SubscriptionCode' }, [{ text: '09897987' }]),
    );
  });

  test.each(['a', 'A', '_', '_x', 'x1', 'Subscription_Code_2', 'ABC_def_123'])(
    'accepts the variable name %s',
    (name) => {
      expect(elementOf(setVar(name, 'v')).attributes).toEqual({ name });
    },
  );

  test('the value keeps its whitespace, leading zeros and non-ASCII characters exactly', () => {
    const value = '  0042 Grüße \u{1F600}\t\n';
    expect(elementOf(setVar('x', value)).children).toEqual([{ text: value }]);
    expect(setVar('x', value).element.children).toEqual([value]);
  });

  test.each([
    ['empty', ''],
    ['starting with a digit', '1abc'],
    ['with a hyphen', 'a-b'],
    ['with a space', 'a b'],
    ['with a dollar sign', '$x'],
    ['with a dot', 'a.b'],
    ['non-ASCII', 'grüße'],
    ['markup', '"/><Hangup/>'],
    ['a number', 5],
    ['null', null],
    ['undefined', undefined],
  ])('refuses a name that is %s', (_label, name) => {
    expectInvalid(
      () => untyped(setVar)(name, 'v'),
      'voipnow.setVar',
      'name must be an IVR variable name',
    );
  });

  test.each([
    ['empty', ''],
    ['a space', ' '],
    ['whitespace', '\n\t '],
    ['a number', 9897987],
    ['null', null],
    ['undefined', undefined],
    ['an array', ['x']],
  ])('refuses a value that is %s', (_label, value) => {
    expectInvalid(() => untyped(setVar)('x', value), 'voipnow.setVar', 'value');
  });

  test.each(XML_INVALID)('refuses a value with U+%s XML cannot carry', (character) => {
    expectInvalid(() => setVar('x', `a${character}`), 'voipnow.setVar', 'value', 'XML');
  });
});

describe('playSound', () => {
  test('the sound name is the element text', () => {
    const command = playSound('Choose-contact-method');
    expect(command.name).toBe('PlaySound');
    expect(written(command)).toBe('<PlaySound>Choose-contact-method</PlaySound>');
  });

  test('every attribute, in the documented order', () => {
    const command = playSound('Choose-contact-method', {
      digitvar: 'contact',
      where: 'background',
      folder: '/custom',
      view: 'system',
      loop: '',
      language: 'fr',
    });
    expect(written(command)).toBe(
      '<PlaySound language="fr" loop="" view="system" folder="/custom" where="background" digitvar="contact">Choose-contact-method</PlaySound>',
    );
  });

  test.each(['en', 'fr', 'de', 'pt-BR', 'en-us', 'zh-Hans', 'es-419', 'fil'])(
    'language %s',
    (language) => {
      expect(elementOf(playSound('s', { language })).attributes).toEqual({ language });
    },
  );

  test.each([
    [1, '1'],
    [3, '3'],
    [100, '100'],
    ['', ''],
  ] as const)('loop %j is written %j', (loop, text) => {
    expect(elementOf(playSound('s', { loop })).attributes).toEqual({ loop: text });
  });

  test('loop "" is written as the empty attribute', () => {
    expect(written(playSound('s', { loop: '' }))).toBe('<PlaySound loop="">s</PlaySound>');
  });

  test.each(['system', 'client'] as const)('view %s', (view) => {
    expect(elementOf(playSound('s', { view })).attributes).toEqual({ view });
  });

  test.each(['foreground', 'background'] as const)('where %s', (where) => {
    expect(elementOf(playSound('s', { where })).attributes).toEqual({ where });
  });

  test.each(['/custom', 'custom', '/a/b c'])('folder %j', (folder) => {
    expect(elementOf(playSound('s', { folder })).attributes).toEqual({ folder });
  });

  test.each(['contact', '_digit', 'Choice2'])('digitvar %s', (digitvar) => {
    expect(elementOf(playSound('s', { digitvar })).attributes).toEqual({ digitvar });
  });

  describe('refuses', () => {
    test.each([
      ['empty', ''],
      ['a space', ' '],
      ['a number', 5],
      ['null', null],
      ['undefined', undefined],
    ])('a sound that is %s', (_label, sound) => {
      expectInvalid(() => untyped(playSound)(sound), 'voipnow.playSound', 'sound');
    });

    test.each(XML_INVALID)('a sound with U+%s XML cannot carry', (character) => {
      expectInvalid(() => playSound(`s${character}`), 'voipnow.playSound', 'sound');
    });

    test.each(['', 'f', 'french', 'en_US', 'en-', 'en US', 'pt-B', '<fr>', 'fr-abcdefghi', 7])(
      'language %j',
      (language) => {
        expectInvalid(
          () => playSound('s', { language: language as never }),
          'voipnow.playSound',
          'language must be a language code',
        );
      },
    );

    test.each([0, -1, 1.5, '2', ' ', 'once', null, true, Number.NaN, Number.POSITIVE_INFINITY])(
      'loop %j',
      (loop) => {
        expectInvalid(
          () => playSound('s', { loop: loop as never }),
          'voipnow.playSound',
          'loop must be a whole number of times ≥ 1, or ""',
        );
      },
    );

    test.each(['System', 'user', '', null, 1])('view %j', (view) => {
      expectInvalid(
        () => playSound('s', { view: view as never }),
        'voipnow.playSound',
        'view must be "system" or "client"',
      );
    });

    test.each(['Background', 'back', '', null, 0])('where %j', (where) => {
      expectInvalid(
        () => playSound('s', { where: where as never }),
        'voipnow.playSound',
        'where must be "foreground" or "background"',
      );
    });

    test.each(['', ' ', 5, null])('folder %j', (folder) => {
      expectInvalid(
        () => playSound('s', { folder: folder as never }),
        'voipnow.playSound',
        'folder must be a non-empty string',
      );
    });

    test.each(['', '1digit', 'digit-var', 'a b', 5, null])('digitvar %j', (digitvar) => {
      expectInvalid(
        () => playSound('s', { digitvar: digitvar as never }),
        'voipnow.playSound',
        'digitvar must be an IVR variable name',
      );
    });

    test.each(['digitVar', 'Language', 'sound', 'repeat', 'voice'])(
      'the unknown option %s',
      (key) => {
        expectInvalid(
          () => playSound('s', { [key]: 'x' } as never),
          'voipnow.playSound',
          `unknown option "${key}"`,
        );
      },
    );

    test.each(NOT_OBJECTS)('options that are %s', (_label, options) => {
      expectInvalid(
        () => playSound('s', options as never),
        'voipnow.playSound',
        'options must be an object',
      );
    });
  });
});

describe('jump', () => {
  test('context, option and priority, in that order', () => {
    const command = jump({ priority: 3, option: 1, context: 'StartSupport' });
    expect(command.name).toBe('Jump');
    expect(written(command)).toBe('<Jump context="StartSupport" option="1" priority="3"/>');
  });

  test('only the context is required', () => {
    expect(written(jump({ context: 'StartSupport' }))).toBe('<Jump context="StartSupport"/>');
    expect(written(jump({ context: 'Sales', option: 's' }))).toBe(
      '<Jump context="Sales" option="s"/>',
    );
    expect(written(jump({ context: 'Sales', priority: 1 }))).toBe(
      '<Jump context="Sales" priority="1"/>',
    );
  });

  test.each([
    [0, '0'],
    [1, '1'],
    [42, '42'],
    ['1', '1'],
    ['01', '01'],
    ['s', 's'],
    ['*', '*'],
  ] as const)('option %j is written %j', (option, text) => {
    expect(elementOf(jump({ context: 'c', option })).attributes).toEqual({
      context: 'c',
      option: text,
    });
  });

  test.each([
    ['missing', undefined, 'context is required'],
    ['empty', '', 'context must be a non-empty string'],
    ['blank', '  ', 'context must be a non-empty string'],
    ['a number', 5, 'context must be a non-empty string'],
    ['null', null, 'context must be a non-empty string'],
  ])('refuses a context that is %s', (_label, context, message) => {
    expectInvalid(() => jump({ context: context as never }), 'voipnow.jump', message);
  });

  test.each(['', ' ', -1, 1.5, Number.NaN, null, true, ['1']])('refuses option %j', (option) => {
    expectInvalid(
      () => jump({ context: 'c', option: option as never }),
      'voipnow.jump',
      'option must be a non-empty string or a whole number ≥ 0',
    );
  });

  test.each([0, -1, 1.5, '3', null, Number.POSITIVE_INFINITY])(
    'refuses priority %j',
    (priority) => {
      expectInvalid(
        () => jump({ context: 'c', priority: priority as never }),
        'voipnow.jump',
        'priority must be a whole number of steps ≥ 1',
      );
    },
  );

  test.each(XML_INVALID)('refuses a context or option with U+%s XML cannot carry', (character) => {
    expectInvalid(() => jump({ context: `c${character}` }), 'voipnow.jump', 'context', 'XML');
    expectInvalid(
      () => jump({ context: 'c', option: `1${character}` }),
      'voipnow.jump',
      'option',
      'XML',
    );
  });

  test('refuses unknown options and non-objects', () => {
    expectInvalid(
      () => jump({ context: 'c', extension: '1' } as never),
      'voipnow.jump',
      'unknown option "extension"',
    );
    expectInvalid(() => untyped(jump)(), 'voipnow.jump', 'options must be an object');
    expectInvalid(() => untyped(jump)('StartSupport'), 'voipnow.jump', 'options must be an object');
  });
});

describe('setCaller', () => {
  test('name and number', () => {
    const command = setCaller({ number: '92992', name: 'callerName' });
    expect(command.name).toBe('SetCaller');
    expect(written(command)).toBe('<SetCaller name="callerName" number="92992"/>');
  });

  test('values are kept exactly', () => {
    expect(elementOf(setCaller({ name: ' Jöhn Smith ', number: '+49 221 1234' }))).toEqual(
      el('SetCaller', { name: ' Jöhn Smith ', number: '+49 221 1234' }),
    );
  });

  test('refuses a missing name or number (VoipNow would abort parsing)', () => {
    expectInvalid(
      () => setCaller({ number: '92992' } as never),
      'voipnow.setCaller',
      'name is required',
    );
    expectInvalid(
      () => setCaller({ name: 'callerName' } as never),
      'voipnow.setCaller',
      'number is required',
    );
    expectInvalid(() => setCaller({} as never), 'voipnow.setCaller', 'is required');
  });

  test.each([
    ['name', ''],
    ['name', ' '],
    ['name', 5],
    ['name', null],
    ['number', ''],
    ['number', '\t'],
    ['number', 92992],
    ['number', null],
  ])('refuses %s = %j', (option, value) => {
    expectInvalid(
      () => setCaller({ name: 'n', number: '1', [option]: value } as never),
      'voipnow.setCaller',
      `${option} must be a non-empty string`,
    );
  });

  test.each(XML_INVALID)('refuses a name with U+%s XML cannot carry', (character) => {
    expectInvalid(
      () => setCaller({ name: `n${character}`, number: '1' }),
      'voipnow.setCaller',
      'name',
    );
  });

  test('refuses unknown options and non-objects', () => {
    expectInvalid(
      () => setCaller({ name: 'n', number: '1', callerId: '1' } as never),
      'voipnow.setCaller',
      'unknown option "callerId"',
    );
    expectInvalid(() => untyped(setCaller)(), 'voipnow.setCaller', 'options must be an object');
    expectInvalid(
      () => untyped(setCaller)('n', '1'),
      'voipnow.setCaller',
      'options must be an object',
    );
  });
});

describe('playTts', () => {
  test('the text is the element text', () => {
    const command = playTts('Thank you for calling.');
    expect(command.name).toBe('PlayTTS');
    expect(written(command)).toBe('<PlayTTS>Thank you for calling.</PlayTTS>');
  });

  test('voice and volume, in the documented order', () => {
    expect(written(playTts('Hi', { volume: 100, voice: 'Alice-8KHz' }))).toBe(
      '<PlayTTS voice="Alice-8KHz" volume="100">Hi</PlayTTS>',
    );
  });

  test.each([0, 1, 100, 150, 300])('volume %d', (volume) => {
    expect(elementOf(playTts('x', { volume })).attributes).toEqual({ volume: String(volume) });
  });

  test('the text keeps its whitespace and non-ASCII characters exactly', () => {
    const value = '\n  Bonjour, ça va ? \u{1F600}\n';
    expect(elementOf(playTts(value)).children).toEqual([{ text: value }]);
  });

  test.each([-1, 301, 1.5, '100', null, Number.NaN, true])('refuses volume %j', (volume) => {
    expectInvalid(
      () => playTts('x', { volume: volume as never }),
      'voipnow.playTts',
      'volume must be a whole number from 0 to 300',
    );
  });

  test.each(['', ' ', 5, null])('refuses voice %j', (voice) => {
    expectInvalid(
      () => playTts('x', { voice: voice as never }),
      'voipnow.playTts',
      'voice must be a non-empty string',
    );
  });

  test.each([
    ['empty', ''],
    ['whitespace', ' \n\t'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
  ])('refuses a text that is %s', (_label, text) => {
    expectInvalid(() => untyped(playTts)(text), 'voipnow.playTts', 'text');
  });

  test.each(XML_INVALID)('refuses a text with U+%s XML cannot carry', (character) => {
    expectInvalid(() => playTts(`x${character}`), 'voipnow.playTts', 'text');
  });

  test('refuses unknown options and non-objects', () => {
    expectInvalid(
      () => playTts('x', { language: 'en' } as never),
      'voipnow.playTts',
      'unknown option "language"',
    );
    expectInvalid(
      () => playTts('x', null as never),
      'voipnow.playTts',
      'options must be an object',
    );
  });
});

describe('escaping', () => {
  test('</SetVar><Hangup/> stays the text of its <SetVar>', () => {
    const xml = renderVoipNowResponse([setVar('x', '</SetVar><Hangup/>')], { declaration: false });
    expect(xml).toBe(
      '<Response><SetVar name="x">&lt;/SetVar&gt;&lt;Hangup/&gt;</SetVar></Response>',
    );
    expect(responseOf([setVar('x', '</SetVar><Hangup/>')])).toEqual(
      el('Response', {}, [el('SetVar', { name: 'x' }, [{ text: '</SetVar><Hangup/>' }])]),
    );
  });

  test.each([
    ['every XML special character', `&"'<>`],
    ['a lone ampersand', 'a&b'],
    ['a CDATA end', ']]>'],
    ['text that looks like escaped markup', '&lt;/PlayTTS&gt;&lt;Hangup/&gt;'],
    ['text that looks like an undeclared entity', 'a&nbsp;b'],
    ['a carriage return', 'a\r\nb'],
  ])('%s stays text in every text verb', (_label, value) => {
    const commands = [setVar('v', value), playSound(value), playTts(value)];
    const xml = renderVoipNowResponse(commands);
    expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/);
    expect(responseOf(commands)).toEqual(
      el('Response', {}, [
        el('SetVar', { name: 'v' }, [{ text: value }]),
        el('PlaySound', {}, [{ text: value }]),
        el('PlayTTS', {}, [{ text: value }]),
      ]),
    );
  });

  test('attribute values are escaped', () => {
    const value = `"/><Hangup x="&lt;\t\n`;
    const commands = [
      setCaller({ name: value, number: value }),
      jump({ context: value, option: value }),
      playSound('s', { folder: value }),
      playTts('t', { voice: value }),
    ];
    expect(responseOf(commands)).toEqual(
      el('Response', {}, [
        el('SetCaller', { name: value, number: value }),
        el('Jump', { context: value, option: value }),
        el('PlaySound', { folder: value }, [{ text: 's' }]),
        el('PlayTTS', { voice: value }, [{ text: 't' }]),
      ]),
    );
    expect(JSON.stringify(responseOf(commands))).not.toContain('"name":"Hangup"');
  });
});

describe('sequences', () => {
  const sequence = (): VoipNowCommand[] => [
    setVar('SubscriptionCode', '09897987'),
    setCaller({ name: 'Support', number: '92992' }),
    playTts('Please hold.', { voice: 'Alice-8KHz' }),
    playSound('Choose-contact-method', { digitvar: 'contact', where: 'foreground' }),
    pause({ length: 5 }),
    jump({ context: 'StartSupport', option: 1, priority: 3 }),
    hangup(),
  ];

  test('verbs are written in the order given', () => {
    expect(response(sequence()).toXml({ declaration: false })).toBe(
      '<Response>' +
        '<SetVar name="SubscriptionCode">09897987</SetVar>' +
        '<SetCaller name="Support" number="92992"/>' +
        '<PlayTTS voice="Alice-8KHz">Please hold.</PlayTTS>' +
        '<PlaySound where="foreground" digitvar="contact">Choose-contact-method</PlaySound>' +
        '<Pause length="5"/>' +
        '<Jump context="StartSupport" option="1" priority="3"/>' +
        '<Hangup/>' +
        '</Response>',
    );
  });

  test('a response and the plain list render the same', () => {
    expect(response(sequence()).toXml()).toBe(renderVoipNowResponse(sequence()));
    expect(renderVoipNowResponse(response(sequence()))).toBe(renderVoipNowResponse(sequence()));
  });

  test('the same command may appear more than once', () => {
    const wait = pause({ length: 2 });
    expect(renderVoipNowResponse([wait, playTts('x'), wait], { declaration: false })).toBe(
      '<Response><Pause length="2"/><PlayTTS>x</PlayTTS><Pause length="2"/></Response>',
    );
  });
});

describe('response', () => {
  test('keeps a frozen copy of the commands', () => {
    const commands: VoipNowCommand[] = [playTts('Hello'), hangup()];
    const built = response(commands);
    expect(built).toBeInstanceOf(VoipNowResponse);
    commands.push(pause());
    expect(built.commands.map((command) => command.name)).toEqual(['PlayTTS', 'Hangup']);
    expect(Object.isFrozen(built.commands)).toBe(true);
    expect(Object.isFrozen(built)).toBe(true);
  });

  test('toXml renders <Response> with the declaration, or without', () => {
    const built = response([pause({ length: 5 }), hangup()]);
    expect(built.toXml()).toBe(`${DECLARATION}<Response><Pause length="5"/><Hangup/></Response>`);
    expect(built.toXml({ declaration: true })).toBe(built.toXml());
    expect(built.toXml({ declaration: false })).toBe(
      '<Response><Pause length="5"/><Hangup/></Response>',
    );
    expect(response([]).toXml()).toBe(`${DECLARATION}<Response/>`);
  });

  test('refuses items that are not built commands, and non-arrays', () => {
    expectInvalid(
      () => response([hangup(), 'x' as never]),
      'voipnow.response',
      'commands[1] is not a VoipNow command made by the voipnow builders',
    );
    expectInvalid(() => response(hangup() as never), 'voipnow.response', 'must be an array');
    expectInvalid(() => untyped(response)(), 'voipnow.response', 'must be an array');
    expectInvalid(
      () => response([new VoipNowCommand('Hangup', { name: 'Hangup' })]),
      'voipnow.response',
      'commands[0]',
    );
    expectInvalid(
      () => response([ozeki.hangup() as never]),
      'voipnow.response',
      'commands[0] is not a VoipNow command',
    );
  });

  test('toXml refuses invalid render options', () => {
    expectInvalid(
      () => response([]).toXml({ declaration: 'no' as never }),
      'voipnow.VoipNowResponse.toXml',
      'declaration must be true or false',
    );
    expectInvalid(
      () => response([]).toXml({ attributeCase: 'camel' } as never),
      'voipnow.VoipNowResponse.toXml',
      'unknown option "attributeCase"',
    );
    expectInvalid(
      () => response([]).toXml(null as never),
      'voipnow.VoipNowResponse.toXml',
      'render options must be an object',
    );
  });

  test('a hand-made response cannot render', () => {
    const handMade = new VoipNowResponse([hangup()]);
    expectInvalid(() => handMade.toXml(), 'voipnow.VoipNowResponse.toXml', 'voipnow.response()');
  });
});

describe('renderVoipNowResponse', () => {
  test('undefined is the empty <Response/>', () => {
    expect(renderVoipNowResponse()).toBe(`${DECLARATION}<Response/>`);
    expect(renderVoipNowResponse(undefined)).toBe(`${DECLARATION}<Response/>`);
    expect(renderVoipNowResponse(undefined, { declaration: false })).toBe('<Response/>');
  });

  test('a plain array of commands, with the documented declaration', () => {
    expect(renderVoipNowResponse([hangup()])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>',
    );
    expect(renderVoipNowResponse([])).toBe(`${DECLARATION}<Response/>`);
    expect(renderVoipNowResponse([pause({ length: 5 })], { declaration: false })).toBe(
      '<Response><Pause length="5"/></Response>',
    );
  });

  test('a response', () => {
    expect(renderVoipNowResponse(response([hangup()]), { declaration: true })).toBe(
      `${DECLARATION}<Response><Hangup/></Response>`,
    );
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
    ['a hand-made command', [new VoipNowCommand('Hangup', { name: 'Hangup' })]],
    ['an Ozeki command', [ozeki.hangup()]],
    ['an Ozeki response', ozeki.response([ozeki.hangup()])],
    ['a hand-made response', new VoipNowResponse([])],
    ['a response-like object', Object.create(VoipNowResponse.prototype) as unknown],
  ])('refuses %s', (_label, value) => {
    const error = expectInvalid(
      () => renderVoipNowResponse(value as never),
      'voipnow.renderVoipNowResponse',
    );
    expect(error.message.startsWith('voipnow.renderVoipNowResponse: ')).toBe(true);
  });

  test('refuses a hand-made command in an array, naming its index', () => {
    expectInvalid(
      () => renderVoipNowResponse([hangup(), new VoipNowCommand('Hangup', { name: 'Hangup' })]),
      'voipnow.renderVoipNowResponse',
      'commands[1] is not a VoipNow command made by the voipnow builders',
    );
  });

  test('refuses invalid render options', () => {
    expectInvalid(
      () => renderVoipNowResponse([], { declaration: 'no' as never }),
      'voipnow.renderVoipNowResponse',
      'declaration',
    );
    expectInvalid(
      () => renderVoipNowResponse([], { prolog: false } as never),
      'voipnow.renderVoipNowResponse',
      '"prolog"',
    );
    expectInvalid(
      () => renderVoipNowResponse([], 'x' as never),
      'voipnow.renderVoipNowResponse',
      'render options must be an object',
    );
  });
});

describe('isVoipNowAnswer', () => {
  test('true for responses and arrays of built commands (also empty)', () => {
    expect(isVoipNowAnswer(response([]))).toBe(true);
    expect(isVoipNowAnswer(response([hangup()]))).toBe(true);
    expect(isVoipNowAnswer([])).toBe(true);
    expect(isVoipNowAnswer([playTts('x'), hangup()])).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a command alone', hangup()],
    ['an array with a non-command', [hangup(), {}]],
    ['an array with undefined', [undefined]],
    ['a string', '<Response><Hangup/></Response>'],
    ['a plain object', { commands: [] }],
    ['a look-alike command', [{ name: 'Hangup', element: { name: 'Hangup' } }]],
    ['a hand-made command', [new VoipNowCommand('Hangup', { name: 'Hangup' })]],
    ['an Ozeki command', [ozeki.hangup()]],
    ['an Ozeki response', ozeki.response([])],
    ['a hand-made response', new VoipNowResponse([hangup()])],
    ['a response-like object', Object.create(VoipNowResponse.prototype) as unknown],
  ])('false for %s', (_label, value) => {
    expect(isVoipNowAnswer(value)).toBe(false);
  });

  test('a copy of a built command is not an answer', () => {
    const copy = Object.assign(Object.create(VoipNowCommand.prototype) as object, hangup());
    expect(isVoipNowAnswer([copy])).toBe(false);
  });
});

describe('commands are immutable', () => {
  test('the command, its element, attributes and children are frozen', () => {
    const command = playSound('s', { language: 'fr', loop: 2 });
    expect(Object.isFrozen(command)).toBe(true);
    expect(Object.isFrozen(command.element)).toBe(true);
    expect(Object.isFrozen(command.element.attributes)).toBe(true);
    expect(Object.isFrozen(command.element.children)).toBe(true);
    expect(() => {
      (command.element.attributes as Record<string, string>)['loop'] = '9';
    }).toThrow(TypeError);
    expect(() => {
      (command.element.children as string[]).push('x');
    }).toThrow(TypeError);
    expect(() => {
      (command as { name: string }).name = 'Hangup';
    }).toThrow(TypeError);
    expect(elementOf(command)).toEqual(
      el('PlaySound', { language: 'fr', loop: '2' }, [{ text: 's' }]),
    );
  });

  test('a hand-made command is frozen too, but never an answer', () => {
    const handMade = new VoipNowCommand('Hangup', { name: 'Hangup', attributes: {} });
    expect(Object.isFrozen(handMade.element.attributes)).toBe(true);
    expect(isVoipNowAnswer([handMade])).toBe(false);
  });

  test('changing the options afterwards does not change the command', () => {
    const options: { voice: string; volume: number } = { voice: 'Alice-8KHz', volume: 100 };
    const command = playTts('x', options);
    options.volume = 300;
    options.voice = 'Bob';
    expect(elementOf(command).attributes).toEqual({ voice: 'Alice-8KHz', volume: '100' });
  });

  test('rendering leaves the command unchanged', () => {
    const command = jump({ context: 'c', option: 1 });
    renderVoipNowResponse([command]);
    renderVoipNowResponse([command], { declaration: false });
    expect(command.element).toEqual({
      name: 'Jump',
      attributes: { context: 'c', option: '1' },
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
    '1x',
    '<Hangup/>',
    true,
    [],
    {},
    { length: '5' },
    { context: 5 },
    { name: 1, number: null },
    { loop: 0 },
    { volume: -1 },
    10n,
    Symbol('s'),
    () => 1,
    circular,
    [null],
    [hangup()],
  ];
  const builders: [string, unknown][] = [
    ['pause', pause],
    ['setVar', setVar],
    ['playSound', playSound],
    ['jump', jump],
    ['setCaller', setCaller],
    ['playTts', playTts],
    ['response', response],
    ['renderVoipNowResponse', renderVoipNowResponse],
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
        expect((error as CallControlError).message.startsWith(`voipnow.${name}: `)).toBe(true);
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  test('hangup ignores whatever it is given', () => {
    for (const value of values)
      expect(written(untyped(hangup)(value) as VoipNowCommand)).toBe('<Hangup/>');
  });

  test('error messages stay short for large values', () => {
    const error = expectInvalid(
      () => untyped(playTts)({ text: 'x'.repeat(10_000) }),
      'voipnow.playTts',
    );
    expect(error.message.length).toBeLessThan(200);
  });

  test('thrown errors are CallControlErrors, not TypeErrors', () => {
    const error = thrown(() => untyped(setCaller)(Object.create(null) as unknown));
    expect(error).toBeInstanceOf(CallControlError);
    expect((error as CallControlError).message).toBe('voipnow.setCaller: name is required');
  });
});
