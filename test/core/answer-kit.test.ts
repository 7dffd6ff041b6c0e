/**
 * The shared machinery of the answer builders (src/core/answer-kit.ts), tested directly:
 * show, the error factory, checkKeys, attributesFrom and every generic converter.
 */
import {
  answerKit,
  optionsOf,
  show,
  type AnswerKit,
  type AttributeSpec,
  type Convert,
} from '../../src/core/answer-kit';
import { CallControlError } from '../../src/core/errors';
import { thrown } from '../helpers/assert';

const kit: AnswerKit = answerKit('acme');
const shortKit: AnswerKit = answerKit('acme', { shortKeyMessages: true });

/** The CC_ERR_ANSWER_INVALID message `fn` throws; fails when it throws anything else. */
function messageOf(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(CallControlError);
  const callControlError = error as CallControlError;
  expect(callControlError.code).toBe('CC_ERR_ANSWER_INVALID');
  expect(callControlError.status).toBe(500);
  return callControlError.message;
}

function circular(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value['self'] = value;
  return value;
}

describe('show', () => {
  test.each([
    ['a string', 'busy', '"busy"'],
    ['a number', 30, '30'],
    ['NaN, as JSON writes it', Number.NaN, 'null'],
    ['null', null, 'null'],
    ['a boolean', false, 'false'],
    ['an object', { a: [1, 'b'] }, '{"a":[1,"b"]}'],
    ['undefined', undefined, 'undefined'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['a bigint', 12n, '12n'],
    ['a circular object', circular(), 'a object'],
    ['an object holding a bigint', { n: 1n }, 'a object'],
  ])('shows %s', (_label, value, expected) => {
    expect(show(value)).toBe(expected);
  });

  test('never throws, whatever the value', () => {
    const hostile = [
      { n: 1n, list: [2n] },
      {
        toJSON: (): never => {
          throw new Error('toJSON');
        },
      },
      Object.assign(Object.create(null) as object, { toJSON: () => undefined }),
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('get');
          },
        },
      ),
      Symbol.iterator,
      (): void => undefined,
      [circular()],
    ];
    for (const value of hostile) {
      expect(typeof show(value)).toBe('string');
    }
  });

  test('keeps 80 characters, cuts longer text to 77 and "..."', () => {
    const exactly80 = 'a'.repeat(78); // JSON adds the two quotes
    expect(show(exactly80)).toBe(`"${exactly80}"`);
    const longer = show('a'.repeat(79));
    expect(longer).toHaveLength(80);
    expect(longer).toBe(`"${'a'.repeat(76)}...`);
    expect(show(circular())).toBe('a object');
    expect(show({ list: Array.from({ length: 100 }, (_, i) => i) })).toHaveLength(80);
  });
});

describe('optionsOf', () => {
  test('lists the option names of the specs, in order', () => {
    const specs: readonly AttributeSpec[] = [
      ['musicOnHold', 'music_on_hold', kit.flag],
      ['id', 'id', kit.nonBlank, 'required'],
    ];
    expect(optionsOf(specs)).toEqual(['musicOnHold', 'id']);
    expect(optionsOf([])).toEqual([]);
  });
});

describe('answerKit', () => {
  test('is frozen, names its provider, and carries show and optionsOf', () => {
    expect(Object.isFrozen(kit)).toBe(true);
    expect(kit.provider).toBe('acme');
    expect(kit.show).toBe(show);
    expect(kit.optionsOf).toBe(optionsOf);
  });

  test('its functions do not need `this`', () => {
    const { flag, invalid } = kit;
    expect(flag('b', 'on', true)).toBe('true');
    expect(invalid('b', 'm').message).toBe('acme.b: m');
  });

  test('invalid makes a CC_ERR_ANSWER_INVALID error with the provider and builder prefix', () => {
    const error = kit.invalid('group', 'id is required');
    expect(error).toBeInstanceOf(CallControlError);
    expect(error.code).toBe('CC_ERR_ANSWER_INVALID');
    expect(error.message).toBe('acme.group: id is required');
    expect(messageOf(() => answerKit('other').flag('x', 'y', 1))).toBe(
      'other.x: y must be true or false',
    );
  });
});

describe('checkKeys', () => {
  const allowed = ['a', 'b'];

  test('accepts a plain object with known keys, or no keys', () => {
    expect(() => kit.checkKeys('b', { a: 1, b: undefined }, allowed)).not.toThrow();
    expect(() => kit.checkKeys('b', {}, allowed)).not.toThrow();
    expect(() => kit.checkKeys('b', {}, [])).not.toThrow();
  });

  test('narrows the value to a record', () => {
    const value: unknown = { a: 1 };
    kit.checkKeys('b', value, allowed);
    expect(value['a']).toBe(1);
  });

  test.each([
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an array', [], '[]'],
    ['a string', 'a', '"a"'],
    ['a number', 5, '5'],
  ])('refuses %s, showing it', (_label, value, shown) => {
    expect(messageOf(() => kit.checkKeys('b', value, allowed))).toBe(
      `acme.b: options must be an object, got ${shown}`,
    );
    expect(messageOf(() => kit.checkKeys('b', value, allowed, 'inputs[2]'))).toBe(
      `acme.b: inputs[2] must be an object, got ${shown}`,
    );
  });

  test('refuses an unknown key, also one whose value is undefined, listing the known ones', () => {
    expect(messageOf(() => kit.checkKeys('b', { a: 1, c: 2 }, allowed))).toBe(
      'acme.b: unknown option "c" in options (known: a, b)',
    );
    expect(messageOf(() => kit.checkKeys('b', { c: undefined }, allowed, 'inputs[0]'))).toBe(
      'acme.b: unknown option "c" in inputs[0] (known: a, b)',
    );
  });

  test('short form (shortKeyMessages): neither shows the value nor names where the key is', () => {
    expect(messageOf(() => shortKit.checkKeys('b', null, allowed))).toBe(
      'acme.b: options must be an object',
    );
    expect(messageOf(() => shortKit.checkKeys('b', { A: 1 }, allowed))).toBe(
      'acme.b: unknown option "A" (known: a, b)',
    );
  });
});

describe('attributesFrom', () => {
  const upper: Convert = (_builder, _name, value) => String(value).toUpperCase();

  test('converts in the order of the specs, not of the options; absent options skipped', () => {
    const specs: readonly AttributeSpec[] = [
      ['first', 'First', upper],
      ['second', 'second_attr', upper],
      ['third', 'Third', upper],
    ];
    const attributes = kit.attributesFrom('b', { third: 'c', first: 'a', other: 'x' }, specs);
    expect(attributes).toEqual({ First: 'A', Third: 'C' });
    expect(Object.keys(attributes)).toEqual(['First', 'Third']);
    expect(kit.attributesFrom('b', {}, specs)).toEqual({});
  });

  test('skips undefined, but converts null and other falsy values', () => {
    const specs: readonly AttributeSpec[] = [
      ['a', 'A', upper],
      ['b', 'B', upper],
      ['c', 'C', upper],
    ];
    expect(kit.attributesFrom('b', { a: undefined, b: null, c: 0 }, specs)).toEqual({
      B: 'NULL',
      C: '0',
    });
  });

  test('hands the builder, the option name and the value to the converter', () => {
    const convert = jest.fn<string, Parameters<Convert>>(() => 'x');
    kit.attributesFrom('group', { ringtime: 30 }, [['ringtime', 'RingTime', convert]]);
    expect(convert).toHaveBeenCalledWith('group', 'ringtime', 30);
  });

  test('refuses a required option that is missing or undefined', () => {
    const specs: readonly AttributeSpec[] = [['id', 'Id', kit.nonBlank, 'required']];
    expect(kit.attributesFrom('b', { id: 'x' }, specs)).toEqual({ Id: 'x' });
    expect(messageOf(() => kit.attributesFrom('b', {}, specs))).toBe('acme.b: id is required');
    expect(messageOf(() => kit.attributesFrom('b', { id: undefined }, specs))).toBe(
      'acme.b: id is required',
    );
  });

  test('the first refused row, in the order of the specs, wins', () => {
    const specs: readonly AttributeSpec[] = [
      ['on', 'On', kit.flag],
      ['id', 'Id', kit.nonBlank, 'required'],
    ];
    expect(messageOf(() => kit.attributesFrom('b', { on: 1 }, specs))).toBe(
      'acme.b: on must be true or false',
    );
    expect(messageOf(() => kit.attributesFrom('b', { on: true }, specs))).toBe(
      'acme.b: id is required',
    );
  });
});

describe('converters', () => {
  describe('nonBlank', () => {
    test.each(['a', ' a ', 'Hello, world', '<&>'])('accepts %j unchanged', (value) => {
      expect(kit.nonBlank('b', 'text', value)).toBe(value);
    });

    test.each([
      ['', '""'],
      ['  \t', '"  \\t"'],
      [5, '5'],
      [null, 'null'],
      [undefined, 'undefined'],
    ])('refuses %j', (value, shown) => {
      expect(messageOf(() => kit.nonBlank('b', 'text', value))).toBe(
        `acme.b: text must be a non-empty string, got ${shown}`,
      );
    });

    test('refuses a character XML cannot carry', () => {
      expect(messageOf(() => kit.nonBlank('b', 'text', 'a\u0001b'))).toBe(
        'acme.b: text: contains U+0001, a character XML cannot carry',
      );
    });
  });

  describe('url', () => {
    test.each(['http://example.com/x?y=1', 'https://example.com', 'HTTPS://EXAMPLE.COM/'])(
      'accepts %j unchanged',
      (value) => {
        expect(kit.url('b', 'target', value)).toBe(value);
      },
    );

    test.each(['ftp://example.com', '/relative/path', 'example.com', 'not a url', 'mailto:a@b'])(
      'refuses %j',
      (value) => {
        expect(messageOf(() => kit.url('b', 'target', value))).toBe(
          `acme.b: target must be an absolute http(s) URL, got ${JSON.stringify(value)}`,
        );
      },
    );

    test('refuses a blank or non-string value as nonBlank does', () => {
      expect(messageOf(() => kit.url('b', 'target', ' '))).toBe(
        'acme.b: target must be a non-empty string, got " "',
      );
      expect(messageOf(() => kit.url('b', 'target', 1))).toBe(
        'acme.b: target must be a non-empty string, got 1',
      );
    });
  });

  describe('flag', () => {
    test('writes true and false', () => {
      expect(kit.flag('b', 'on', true)).toBe('true');
      expect(kit.flag('b', 'on', false)).toBe('false');
    });

    test.each(['true', 1, 0, null, {}])('refuses %j', (value) => {
      expect(messageOf(() => kit.flag('b', 'on', value))).toBe('acme.b: on must be true or false');
    });
  });

  describe('oneOf', () => {
    const format = kit.oneOf('mp3', 'wav');

    test('accepts each allowed string', () => {
      expect(format('b', 'format', 'mp3')).toBe('mp3');
      expect(format('b', 'format', 'wav')).toBe('wav');
    });

    test.each([
      ['MP3', '"MP3"'],
      ['', '""'],
      [3, '3'],
      [null, 'null'],
    ])('refuses %j, listing the choices', (value, shown) => {
      expect(messageOf(() => format('b', 'format', value))).toBe(
        `acme.b: format must be "mp3" or "wav", got ${shown}`,
      );
    });

    test('a single choice', () => {
      expect(messageOf(() => kit.oneOf('busy')('b', 'reason', 'x'))).toBe(
        'acme.b: reason must be "busy", got "x"',
      );
    });
  });

  describe('wholeNumber', () => {
    test('from min, without a maximum', () => {
      const seconds = kit.wholeNumber(0, 'seconds');
      expect(seconds('b', 'timeout', 0)).toBe('0');
      expect(seconds('b', 'timeout', 86400)).toBe('86400');
      expect(seconds('b', 'timeout', Number.MAX_SAFE_INTEGER)).toBe(
        String(Number.MAX_SAFE_INTEGER),
      );
    });

    test.each([
      [-1, '-1'],
      [1.5, '1.5'],
      [Number.NaN, 'null'],
      [Number.POSITIVE_INFINITY, 'null'],
      [2 ** 53, String(2 ** 53)],
      ['30', '"30"'],
      [null, 'null'],
    ])('refuses %p without a maximum', (value, shown) => {
      expect(messageOf(() => kit.wholeNumber(0, 'seconds')('b', 'timeout', value))).toBe(
        `acme.b: timeout must be a whole number of seconds ≥ 0, got ${shown}`,
      );
    });

    test('within min and max, both included', () => {
      const ringtime = kit.wholeNumber(10, 'seconds', 60);
      expect(ringtime('b', 'ringtime', 10)).toBe('10');
      expect(ringtime('b', 'ringtime', 60)).toBe('60');
    });

    test.each([9, 61, 30.5, '30'])('refuses %p outside the range', (value) => {
      expect(messageOf(() => kit.wholeNumber(10, 'seconds', 60)('b', 'ringtime', value))).toBe(
        `acme.b: ringtime must be a whole number of seconds from 10 to 60, got ${show(value)}`,
      );
    });

    test('names its unit', () => {
      expect(messageOf(() => kit.wholeNumber(1, 'digits')('b', 'digits', 0))).toBe(
        'acme.b: digits must be a whole number of digits ≥ 1, got 0',
      );
    });
  });

  describe('dtmfKeys', () => {
    test.each(['0', '0123456789', '*#', '01234#'])('accepts %j', (value) => {
      expect(kit.dtmfKeys('b', 'keys', value)).toBe(value);
    });

    test.each([
      ['', '""'],
      ['12a', '"12a"'],
      ['1 2', '"1 2"'],
      ['A', '"A"'],
      [12, '12'],
    ])('refuses %j', (value, shown) => {
      expect(messageOf(() => kit.dtmfKeys('b', 'keys', value))).toBe(
        `acme.b: keys must be DTMF keys (0-9, * and #), got ${shown}`,
      );
    });
  });

  describe('dtmfKey', () => {
    test.each(['0', '9', '*', '#'])('accepts %j', (value) => {
      expect(kit.dtmfKey('b', 'backKey', value)).toBe(value);
    });

    test.each([
      ['', '""'],
      ['12', '"12"'],
      ['a', '"a"'],
      [1, '1'],
    ])('refuses %j', (value, shown) => {
      expect(messageOf(() => kit.dtmfKey('b', 'backKey', value))).toBe(
        `acme.b: backKey must be one DTMF key (0-9, * or #), got ${shown}`,
      );
    });
  });
});
