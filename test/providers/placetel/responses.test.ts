/**
 * The Placetel answer builders (spec §3): attributes, validation and escaping.
 */
import { CallControlError } from '../../../src/core/errors';
import {
  forward,
  group,
  hangup,
  isPlacetelAnswer,
  type PlacetelAnswer,
  prompt,
  queue,
  reject,
  renderPlacetelResponse,
  routingPlan,
} from '../../../src/providers/placetel/responses';
import { canonicalXml, type CanonicalElement } from '../../helpers/xml';
import { expectInvalid } from '../../helpers/assert';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The rendered `<Response>` as a canonical tree. */
function responseOf(answer: PlacetelAnswer): CanonicalElement {
  const tree = canonicalXml(answer.toXml());
  expect(tree.name).toBe('Response');
  return tree;
}

/** The single action element inside `<Response>`. */
function actionOf(answer: PlacetelAnswer): CanonicalElement {
  const response = responseOf(answer);
  expect(response.children).toHaveLength(1);
  const [action] = response.children;
  if (action === undefined || !('name' in action)) throw new Error('no action element');
  return action;
}

function elements(node: CanonicalElement): CanonicalElement[] {
  return node.children.filter((child): child is CanonicalElement => 'name' in child);
}

function descendants(node: CanonicalElement): CanonicalElement[] {
  return elements(node).flatMap((child) => [child, ...descendants(child)]);
}

function textOf(node: CanonicalElement): string {
  return node.children.map((child) => ('text' in child ? child.text : '')).join('');
}

/** The `<Number>` texts of every `<Target>` of a `<Forward>`. */
function targetNumbers(forwardElement: CanonicalElement): string[][] {
  return elements(forwardElement).map((target) => {
    expect(target.name).toBe('Target');
    return elements(target).map((number) => {
      expect(number.name).toBe('Number');
      return textOf(number);
    });
  });
}

const ONE_TARGET = [{ numbers: ['022129191999'] }] as const;

describe('forward', () => {
  test('with no options it is an empty <Forward/> (straight to voicemail)', () => {
    const answer = forward();
    expect(answer.action).toBe('Forward');
    expect(actionOf(answer)).toEqual({ name: 'Forward', attributes: {}, children: [] });
    expect(actionOf(forward({}))).toEqual({ name: 'Forward', attributes: {}, children: [] });
  });

  test('one target with one number', () => {
    expect(actionOf(forward({ targets: [{ numbers: ['022129191999'] }] }))).toEqual({
      name: 'Forward',
      attributes: {},
      children: [
        {
          name: 'Target',
          attributes: {},
          children: [{ name: 'Number', attributes: {}, children: [{ text: '022129191999' }] }],
        },
      ],
    });
  });

  test('keeps the order of targets and of numbers within a target', () => {
    const answer = forward({
      targets: [
        { numbers: ['7777abcdefg@fpbx.de', '022129191999'] },
        { numbers: ['7777xyzabcd@fpbx.de', '7777aabbccd@fpbx.de', '022199998560'] },
      ],
    });
    expect(targetNumbers(actionOf(answer))).toEqual([
      ['7777abcdefg@fpbx.de', '022129191999'],
      ['7777xyzabcd@fpbx.de', '7777aabbccd@fpbx.de', '022199998560'],
    ]);
  });

  test('writes ringtime in seconds on each target, and none when not given', () => {
    const answer = forward({
      targets: [
        { ringtime: 30, numbers: ['1'] },
        { numbers: ['2'] },
        { ringtime: 1, numbers: ['3'] },
        { ringtime: 3600, numbers: ['4'] },
      ],
    });
    expect(elements(actionOf(answer)).map((target) => target.attributes)).toEqual([
      { ringtime: '30' },
      {},
      { ringtime: '1' },
      { ringtime: '3600' },
    ]);
  });

  test.each([
    ['musicOnHold', 'music_on_hold'],
    ['voicemail', 'voicemail'],
    ['voicemailAsAttachment', 'voicemail_as_attachment'],
  ] as const)('%s is written as %s="true"/"false"', (option, attribute) => {
    for (const value of [true, false]) {
      const answer = forward({ targets: ONE_TARGET, [option]: value });
      expect(actionOf(answer).attributes).toEqual({ [attribute]: String(value) });
    }
  });

  test.each([
    ['voicemailAnnouncement', 'voicemail_announcement'],
    ['forwardAnnouncement', 'forward_announcement'],
  ] as const)('%s is written as the id text in %s', (option, attribute) => {
    for (const [value, text] of [
      [1234, '1234'],
      [1, '1'],
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
      ['7684', '7684'],
      ['prompt_A-9', 'prompt_A-9'],
      ['x'.repeat(64), 'x'.repeat(64)],
    ] as const) {
      const answer = forward({ targets: ONE_TARGET, [option]: value });
      expect(actionOf(answer).attributes).toEqual({ [attribute]: text });
    }
  });

  test('all attributes at once, with exact names and values', () => {
    const answer = forward({
      targets: [{ ringtime: 60, numbers: ['7777acbdef@fbpx.de'] }],
      musicOnHold: true,
      voicemail: false,
      voicemailAnnouncement: 4711,
      voicemailAsAttachment: true,
      forwardAnnouncement: '7684',
    });
    expect(actionOf(answer).attributes).toEqual({
      music_on_hold: 'true',
      voicemail: 'false',
      voicemail_announcement: '4711',
      voicemail_as_attachment: 'true',
      forward_announcement: '7684',
    });
  });

  test('voicemail without targets is allowed when voicemail is true or not given', () => {
    expect(actionOf(forward({ voicemail: true, voicemailAnnouncement: 4 }))).toEqual({
      name: 'Forward',
      attributes: { voicemail: 'true', voicemail_announcement: '4' },
      children: [],
    });
    expect(actionOf(forward({ targets: [] })).children).toEqual([]);
  });

  test('accepts a number of exactly 256 characters and non-ASCII text', () => {
    const long = '1'.repeat(256);
    expect(targetNumbers(actionOf(forward({ targets: [{ numbers: [long] }] })))).toEqual([[long]]);
    const unicode = 'müller\u{1F600}@fpbx.de';
    expect(targetNumbers(actionOf(forward({ targets: [{ numbers: [unicode] }] })))).toEqual([
      [unicode],
    ]);
  });

  describe('refuses invalid arguments with CC_ERR_ANSWER_INVALID', () => {
    test('an empty numbers list', () => {
      expectInvalid(
        () => forward({ targets: [{ numbers: [] }] }),
        'placetel.forward',
        'targets[0].numbers',
      );
      expectInvalid(
        () => forward({ targets: [{ numbers: ['1'] }, { numbers: [] }] }),
        'placetel.forward',
        'targets[1].numbers',
      );
    });

    test('numbers that are not an array, or a target without numbers', () => {
      expectInvalid(
        () => forward({ targets: [{ numbers: '022129191999' as never }] }),
        'placetel.forward',
        'targets[0].numbers',
      );
      expectInvalid(() => forward({ targets: [{} as never] }), 'placetel.forward', 'numbers');
    });

    test.each([
      ['a number', 22129191999],
      ['null', null],
      ['undefined', undefined],
      ['an object', { number: '1' }],
      ['an array', ['022129191999']],
      ['a boolean', true],
    ])('a non-string number: %s', (_label, value) => {
      expectInvalid(
        () => forward({ targets: [{ numbers: [value as never] }] }),
        'placetel.forward',
        'number',
      );
    });

    test.each([
      ['empty', ''],
      ['a space', ' '],
      ['tabs and newlines', '\t\n\r '],
      ['a no-break space', '\u00a0'],
    ])('a blank number: %s', (_label, value) => {
      expectInvalid(
        () => forward({ targets: [{ numbers: [value] }] }),
        'placetel.forward',
        'number',
      );
    });

    test('a number over 256 characters', () => {
      expectInvalid(
        () => forward({ targets: [{ numbers: ['1'.repeat(257)] }] }),
        'placetel.forward',
        '256',
      );
    });

    test.each([
      ['U+0001', '0221\u0001'],
      ['U+0000', '\u00000221'],
      ['U+001F', '0221\u001f'],
      ['U+000B', '0221\u000b'],
      ['a lone high surrogate', '0221\ud800'],
      ['a lone low surrogate', '\udc000221'],
      ['U+FFFE', '0221\ufffe'],
      ['U+FFFF', '0221\uffff'],
    ])('a number with a character XML cannot carry: %s', (_label, value) => {
      expectInvalid(
        () => forward({ targets: [{ numbers: ['022129191999', value] }] }),
        'placetel.forward',
        'number',
      );
    });

    test.each([
      ['0', 0],
      ['3601', 3601],
      ['1.5', 1.5],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-30', -30],
      ['the string "30"', '30'],
      ['null', null],
      // String() throws for an object without a prototype: the refusal must still be coded.
      ['an object without a prototype', Object.create(null) as unknown],
      ['a symbol', Symbol('30')],
    ])('a target ringtime of %s', (_label, value) => {
      expectInvalid(
        () => forward({ targets: [{ ringtime: value as never, numbers: ['1'] }] }),
        'placetel.forward',
        'ringtime',
      );
    });

    test('no targets with voicemail: false (the call would go nowhere)', () => {
      expectInvalid(() => forward({ voicemail: false }), 'placetel.forward', 'voicemail');
      expectInvalid(
        () => forward({ targets: [], voicemail: false }),
        'placetel.forward',
        'voicemail',
      );
    });

    test.each(['ringTime', 'music_on_hold', 'voicemailAsAttachement', 'target', 'numbers'])(
      'an unknown option key: %s',
      (key) => {
        expectInvalid(
          () => forward({ targets: ONE_TARGET, [key]: 30 } as never),
          'placetel.forward',
          `"${key}"`,
        );
      },
    );

    test('an unknown key on a target, e.g. ringTime', () => {
      expectInvalid(
        () => forward({ targets: [{ numbers: ['1'], ringTime: 30 } as never] }),
        'placetel.forward',
        '"ringTime"',
      );
    });

    test('options or targets of the wrong shape', () => {
      expectInvalid(() => forward(null as never), 'placetel.forward');
      expectInvalid(() => forward('022129191999' as never), 'placetel.forward');
      expectInvalid(() => forward([] as never), 'placetel.forward');
      expectInvalid(() => forward({ targets: '022129191999' as never }), 'placetel.forward');
      expectInvalid(() => forward({ targets: { numbers: ['1'] } as never }), 'placetel.forward');
      expectInvalid(() => forward({ targets: [null as never] }), 'placetel.forward');
      expectInvalid(() => forward({ targets: ['022129191999' as never] }), 'placetel.forward');
    });

    test.each([
      ['0', 0],
      ['-1', -1],
      ['1.5', 1.5],
      ["''", ''],
      ["'a b'", 'a b'],
      ["'<x>'", '<x>'],
      ['NaN', Number.NaN],
      ['2^53', 2 ** 53],
      ['a 65-character id', 'x'.repeat(65)],
      ['null', null],
      ['true', true],
    ])('a bad id %s for voicemailAnnouncement and forwardAnnouncement', (_label, value) => {
      expectInvalid(
        () => forward({ targets: ONE_TARGET, voicemailAnnouncement: value as never }),
        'placetel.forward',
        'voicemailAnnouncement',
      );
      expectInvalid(
        () => forward({ targets: ONE_TARGET, forwardAnnouncement: value as never }),
        'placetel.forward',
        'forwardAnnouncement',
      );
    });

    test.each([
      ['musicOnHold', 'true'],
      ['musicOnHold', 1],
      ['voicemail', 'false'],
      ['voicemail', 0],
      ['voicemailAsAttachment', 'yes'],
      ['voicemailAsAttachment', null],
    ] as const)('a non-boolean flag: %s = %j', (option, value) => {
      expectInvalid(
        () => forward({ targets: ONE_TARGET, [option]: value as never }),
        'placetel.forward',
        option,
      );
    });

    test('values that JSON.stringify cannot print (bigint, circular) still give CC_ERR_ANSWER_INVALID', () => {
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      expectInvalid(
        () => forward({ targets: [{ numbers: [22129191999n as never] }] }),
        'placetel.forward',
      );
      expectInvalid(
        () => forward({ targets: [{ numbers: [circular as never] }] }),
        'placetel.forward',
      );
      expectInvalid(
        () => forward({ targets: ONE_TARGET, voicemailAnnouncement: 4711n as never }),
        'placetel.forward',
        'voicemailAnnouncement',
      );
    });
  });

  describe('escaping', () => {
    test.each([
      ['markup that would close the element', '</Number><Hangup/>'],
      ['every XML special character', `&"'<>`],
      ['a lone ampersand', 'a&b'],
      ['a CDATA end', ']]>'],
      ['a comment and a processing instruction', '<!-- x --><?pi x?>'],
      ['text that looks like escaped markup', '&lt;/Number&gt;&lt;Hangup/&gt;'],
      ['text that looks like predefined entities', '&amp;&lt;&gt;&quot;&apos;'],
      ['text that looks like a decimal character reference', '0221&#65;'],
      ['text that looks like an undeclared entity', '0221&nbsp;'],
    ])('%s stays the text of its <Number>', (_label, value) => {
      const answer = forward({ targets: [{ numbers: [value, '022129191999'] }] });
      const xml = answer.toXml();
      expect(xml).not.toContain('<Hangup');
      // Every `&` written must start a predefined entity or a character reference: anything else
      // (`&nbsp;`) is an undeclared entity, which makes the document not well-formed.
      expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/);
      expect(targetNumbers(actionOf(answer))).toEqual([[value, '022129191999']]);
      expect(descendants(responseOf(answer)).map((element) => element.name)).toEqual([
        'Forward',
        'Target',
        'Number',
        'Number',
      ]);
    });

    test.each([
      ['a carriage return', '0221\r1234'],
      ['CR LF', '0221\r\n1234'],
    ])('a number with %s is refused or comes out unchanged', (_label, value) => {
      // XML parsers turn a literal CR into LF, so it must be refused or written as &#xD;.
      let answer: PlacetelAnswer;
      try {
        answer = forward({ targets: [{ numbers: [value] }] });
      } catch (error) {
        expect(error).toBeInstanceOf(CallControlError);
        expect((error as CallControlError).code).toBe('CC_ERR_ANSWER_INVALID');
        return;
      }
      expect(targetNumbers(actionOf(answer))).toEqual([[value]]);
    });

    test('the characters are written as references', () => {
      const xml = forward({ targets: [{ numbers: ['</Number><Hangup/>', `&"'<>`] }] }).toXml();
      expect(xml).toContain('<Number>&lt;/Number&gt;&lt;Hangup/&gt;</Number>');
      expect(xml).toMatch(/<Number>&amp;("|&quot;)('|&apos;)&lt;&gt;<\/Number>/);
    });

    test('a number inside a routing plan fallback is escaped too', () => {
      const answer = routingPlan({
        id: 1,
        fallback: forward({ targets: [{ numbers: ['</Number></Target></Forward><Hangup/>'] }] }),
      });
      const names = descendants(responseOf(answer)).map((element) => element.name);
      expect(names).toEqual(['RoutingPlan', 'Forward', 'Target', 'Number']);
      const numberElement = descendants(responseOf(answer))[3];
      if (numberElement === undefined) throw new Error('no Number');
      expect(textOf(numberElement)).toBe('</Number></Target></Forward><Hangup/>');
    });
  });
});

describe('reject', () => {
  test('without options it is a plain <Reject/>', () => {
    const answer = reject();
    expect(answer.action).toBe('Reject');
    expect(actionOf(answer)).toEqual({ name: 'Reject', attributes: {}, children: [] });
    expect(actionOf(reject({}))).toEqual({ name: 'Reject', attributes: {}, children: [] });
  });

  test('reason busy is written as reason="busy"', () => {
    expect(actionOf(reject({ reason: 'busy' }))).toEqual({
      name: 'Reject',
      attributes: { reason: 'busy' },
      children: [],
    });
  });

  test.each(['BUSY', 'declined', 'Busy', '', ' busy', null, 1])('refuses reason %j', (reason) => {
    expectInvalid(() => reject({ reason: reason as never }), 'placetel.reject', 'reason');
  });

  test('refuses unknown option keys and non-object options', () => {
    expectInvalid(
      () => reject({ reason: 'busy', code: 486 } as never),
      'placetel.reject',
      '"code"',
    );
    expectInvalid(() => reject({ Reason: 'busy' } as never), 'placetel.reject', '"Reason"');
    expectInvalid(() => reject(null as never), 'placetel.reject');
    expectInvalid(() => reject('busy' as never), 'placetel.reject');
  });
});

describe('hangup', () => {
  test('is <Hangup/> with no attributes', () => {
    const answer = hangup();
    expect(answer.action).toBe('Hangup');
    expect(responseOf(answer)).toEqual({
      name: 'Response',
      attributes: {},
      children: [{ name: 'Hangup', attributes: {}, children: [] }],
    });
  });
});

describe('queue', () => {
  test('writes the current attribute id', () => {
    const answer = queue({ id: 123 });
    expect(answer.action).toBe('Queue');
    expect(actionOf(answer)).toEqual({ name: 'Queue', attributes: { id: '123' }, children: [] });
    expect(actionOf(queue({ id: '123', legacyQueueId: false })).attributes).toEqual({
      id: '123',
    });
  });

  test('writes queue_id with legacyQueueId: true', () => {
    expect(actionOf(queue({ id: 123, legacyQueueId: true }))).toEqual({
      name: 'Queue',
      attributes: { queue_id: '123' },
      children: [],
    });
  });

  test('refuses a non-boolean legacyQueueId, unknown keys and a missing id', () => {
    expectInvalid(
      () => queue({ id: 1, legacyQueueId: 'true' as never }),
      'placetel.queue',
      'legacyQueueId',
    );
    expectInvalid(() => queue({ queue_id: 1 } as never), 'placetel.queue', '"queue_id"');
    expectInvalid(() => queue({ id: 1, queueId: 1 } as never), 'placetel.queue', '"queueId"');
    expectInvalid(() => queue({} as never), 'placetel.queue', 'id');
    expectInvalid(() => queue(undefined as never), 'placetel.queue');
  });
});

describe('prompt', () => {
  test('writes id', () => {
    const answer = prompt({ id: 123 });
    expect(answer.action).toBe('Prompt');
    expect(actionOf(answer)).toEqual({ name: 'Prompt', attributes: { id: '123' }, children: [] });
    expect(actionOf(prompt({ id: 'welcome_1' })).attributes).toEqual({ id: 'welcome_1' });
  });

  test('refuses unknown keys and a missing id', () => {
    expectInvalid(() => prompt({ id: 1, promptId: 2 } as never), 'placetel.prompt', '"promptId"');
    expectInvalid(() => prompt({} as never), 'placetel.prompt', 'id');
    expectInvalid(() => prompt(undefined as never), 'placetel.prompt');
  });
});

describe('group', () => {
  test('with only an id it is <Group id>', () => {
    const answer = group({ id: 123 });
    expect(answer.action).toBe('Group');
    expect(actionOf(answer)).toEqual({ name: 'Group', attributes: { id: '123' }, children: [] });
  });

  test('every attribute with its exact name and value', () => {
    const answer = group({
      id: 123,
      ringtime: 30,
      backupBehaviour: 'routing_object',
      backupRoutingObject: 456,
      voicemailAnnouncement: 4,
      voicemailAsAttachment: true,
      forwardAnnouncement: '7684',
      musicOnHold: false,
    });
    expect(actionOf(answer)).toEqual({
      name: 'Group',
      attributes: {
        id: '123',
        ringtime: '30',
        backup_behaviour: 'routing_object',
        backup_routing_object: '456',
        voicemail_announcement: '4',
        voicemail_as_attachment: 'true',
        forward_announcement: '7684',
        music_on_hold: 'false',
      },
      children: [],
    });
  });

  test.each([
    ['voicemailAsAttachment', 'voicemail_as_attachment'],
    ['musicOnHold', 'music_on_hold'],
  ] as const)('%s is written as %s="true"/"false"', (option, attribute) => {
    for (const value of [true, false]) {
      expect(actionOf(group({ id: 1, [option]: value })).attributes).toEqual({
        id: '1',
        [attribute]: String(value),
      });
    }
  });

  test('backupBehaviour mailbox needs no routing object', () => {
    expect(actionOf(group({ id: 1, backupBehaviour: 'mailbox' })).attributes).toEqual({
      id: '1',
      backup_behaviour: 'mailbox',
    });
  });

  test.each([10, 40, 60])('accepts ringtime %d', (ringtime) => {
    expect(actionOf(group({ id: 1, ringtime })).attributes).toEqual({
      id: '1',
      ringtime: String(ringtime),
    });
  });

  describe('refuses invalid arguments with CC_ERR_ANSWER_INVALID', () => {
    test.each([
      ['9', 9],
      ['61', 61],
      ['0', 0],
      ['30.5', 30.5],
      ['NaN', Number.NaN],
      ['the string "30"', '30'],
      ['an object without a prototype', Object.create(null) as unknown],
    ])('ringtime %s', (_label, ringtime) => {
      expectInvalid(
        () => group({ id: 1, ringtime: ringtime as never }),
        'placetel.group',
        'ringtime',
      );
    });

    test.each(['voicemail', 'Mailbox', 'routing-object', 'routingObject', '', 1])(
      'unknown backupBehaviour %j',
      (behaviour) => {
        expectInvalid(
          () => group({ id: 1, backupBehaviour: behaviour as never }),
          'placetel.group',
          'backupBehaviour',
        );
      },
    );

    test('backupBehaviour routing_object without backupRoutingObject', () => {
      expectInvalid(
        () => group({ id: 1, backupBehaviour: 'routing_object' }),
        'placetel.group',
        'backupRoutingObject',
      );
    });

    test('backupRoutingObject without backupBehaviour routing_object', () => {
      expectInvalid(
        () => group({ id: 1, backupRoutingObject: 456 }),
        'placetel.group',
        'backupRoutingObject',
      );
      expectInvalid(
        () => group({ id: 1, backupBehaviour: 'mailbox', backupRoutingObject: 456 }),
        'placetel.group',
        'backupRoutingObject',
      );
    });

    test.each([
      ['ringTime', 30],
      ['backupBehavior', 'mailbox'],
      ['backup_behaviour', 'mailbox'],
      ['name', 'sales'],
    ])('unknown option key %s', (key, value) => {
      expectInvalid(() => group({ id: 1, [key]: value } as never), 'placetel.group', `"${key}"`);
    });

    test.each([
      ['voicemailAsAttachment', 'true'],
      ['musicOnHold', 1],
      ['musicOnHold', null],
    ] as const)('a non-boolean flag: %s = %j', (option, value) => {
      expectInvalid(() => group({ id: 1, [option]: value as never }), 'placetel.group', option);
    });

    test('a missing id, and options that are not an object', () => {
      expectInvalid(() => group({} as never), 'placetel.group', 'id');
      expectInvalid(() => group(undefined as never), 'placetel.group');
      expectInvalid(() => group([] as never), 'placetel.group');
    });
  });
});

describe('routingPlan', () => {
  test('writes id, with no children', () => {
    const answer = routingPlan({ id: 123 });
    expect(answer.action).toBe('RoutingPlan');
    expect(actionOf(answer)).toEqual({
      name: 'RoutingPlan',
      attributes: { id: '123' },
      children: [],
    });
  });

  test('nests a forward() fallback as its only child', () => {
    const fallback = forward({
      targets: [{ ringtime: 20, numbers: ['7777abcdefg@fpbx.de', '022129191999'] }],
      voicemail: false,
    });
    const action = actionOf(routingPlan({ id: '123', fallback }));
    expect(action.name).toBe('RoutingPlan');
    expect(action.attributes).toEqual({ id: '123' });
    expect(action.children).toEqual([actionOf(fallback)]);
  });

  test.each([
    ['a reject() answer', () => reject()],
    ['a hangup() answer', () => hangup()],
    ['a group() answer', () => group({ id: 1 })],
    ['a nested routingPlan() answer', () => routingPlan({ id: 2 })],
    [
      'a plain object that looks like a Forward answer',
      () => ({
        action: 'Forward',
        element: { name: 'Forward' },
      }),
    ],
    ['the element of a forward() answer', () => forward().element],
    ['an XML string', () => '<Forward/>'],
    ['null', () => null],
  ])('refuses a fallback that is %s', (_label, makeFallback) => {
    expectInvalid(
      () => routingPlan({ id: 1, fallback: makeFallback() as never }),
      'placetel.routingPlan',
      'fallback',
    );
  });

  test('refuses unknown keys and a missing id', () => {
    expectInvalid(
      () => routingPlan({ id: 1, backup: forward() } as never),
      'placetel.routingPlan',
      '"backup"',
    );
    expectInvalid(() => routingPlan({} as never), 'placetel.routingPlan', 'id');
  });
});

describe('ids', () => {
  const idBuilders: [string, string, (value: never) => unknown][] = [
    ['prompt', 'id', (value) => prompt({ id: value })],
    ['queue', 'id', (value) => queue({ id: value })],
    ['queue', 'id', (value) => queue({ id: value, legacyQueueId: true })],
    ['group', 'id', (value) => group({ id: value })],
    ['routingPlan', 'id', (value) => routingPlan({ id: value })],
    [
      'group',
      'backupRoutingObject',
      (value) => group({ id: 1, backupBehaviour: 'routing_object', backupRoutingObject: value }),
    ],
    ['group', 'voicemailAnnouncement', (value) => group({ id: 1, voicemailAnnouncement: value })],
    ['group', 'forwardAnnouncement', (value) => group({ id: 1, forwardAnnouncement: value })],
  ];

  const badIds: [string, unknown][] = [
    ['0', 0],
    ['-1', -1],
    ['1.5', 1.5],
    ["''", ''],
    ["'a b'", 'a b'],
    ["'<x>'", '<x>'],
    ["'1.5'", '1.5'],
    ["'12 '", '12 '],
    ["'a\"b'", 'a"b'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^53', 2 ** 53],
    ['a 65-character id', 'x'.repeat(65)],
    ['null', null],
    ['an object', { id: 1 }],
  ];

  describe.each(idBuilders)('%s %s', (builder, option, build) => {
    test.each(badIds)('refuses %s', (_label, value) => {
      expectInvalid(() => build(value as never), `placetel.${builder}`, option);
    });

    test.each([
      [123, '123'],
      [1, '1'],
      ['123', '123'],
      ['A-b_9', 'A-b_9'],
    ])('writes %j as %s', (value, text) => {
      const answer = build(value as never) as PlacetelAnswer;
      const attributes = Object.values(actionOf(answer).attributes);
      expect(attributes).toContain(text);
    });
  });

  test('a bigint id gives CC_ERR_ANSWER_INVALID, not a TypeError from the message', () => {
    expectInvalid(() => prompt({ id: 123n as never }), 'placetel.prompt', 'id');
    expectInvalid(() => group({ id: 123n as never }), 'placetel.group', 'id');
  });
});

describe('PlacetelAnswer', () => {
  test('toXml is the whole document: declaration and <Response> around the action', () => {
    expect(hangup().toXml()).toBe(`${DECLARATION}<Response><Hangup/></Response>`);
    expect(prompt({ id: 123 }).toXml()).toBe(
      `${DECLARATION}<Response><Prompt id="123"/></Response>`,
    );
  });

  test('answers are frozen', () => {
    for (const answer of [forward(), reject(), hangup(), queue({ id: 1 }), group({ id: 1 })]) {
      expect(Object.isFrozen(answer)).toBe(true);
    }
  });

  test('the same options give the same document', () => {
    const options = { targets: [{ ringtime: 30, numbers: ['1', '2'] }], musicOnHold: true };
    expect(forward(options).toXml()).toBe(forward(options).toXml());
  });
});

describe('renderPlacetelResponse', () => {
  test('without an answer it is the empty <Response/> with the declaration', () => {
    const xml = renderPlacetelResponse();
    expect(xml).toBe(`${DECLARATION}<Response/>`);
    expect(canonicalXml(xml)).toEqual({ name: 'Response', attributes: {}, children: [] });
    expect(renderPlacetelResponse(undefined)).toBe(xml);
  });

  test.each([
    ['forward', () => forward({ targets: ONE_TARGET })],
    ['reject', () => reject({ reason: 'busy' })],
    ['hangup', () => hangup()],
    ['queue', () => queue({ id: 1 })],
    ['prompt', () => prompt({ id: 1 })],
    ['group', () => group({ id: 1 })],
    ['routingPlan', () => routingPlan({ id: 1, fallback: forward() })],
  ])('renders a %s answer exactly as its toXml()', (_label, build) => {
    const answer = build();
    const xml = renderPlacetelResponse(answer);
    expect(xml).toBe(answer.toXml());
    expect(xml.startsWith(`${DECLARATION}<Response>`)).toBe(true);
    expect(xml.endsWith('</Response>')).toBe(true);
    expect(actionOf(answer).name).toBe(answer.action);
  });
});

describe('isPlacetelAnswer', () => {
  test.each([
    ['forward', () => forward()],
    ['reject', () => reject()],
    ['hangup', () => hangup()],
    ['queue', () => queue({ id: 1 })],
    ['prompt', () => prompt({ id: 1 })],
    ['group', () => group({ id: 1 })],
    ['routingPlan', () => routingPlan({ id: 1 })],
  ])('is true for a %s answer', (_label, build) => {
    expect(isPlacetelAnswer(build())).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['an XML string', `${DECLARATION}<Response><Hangup/></Response>`],
    ['a look-alike object', { action: 'Hangup', element: { name: 'Hangup' }, toXml: () => '' }],
    ['an answer element', hangup().element],
    ['a number', 1],
  ])('is false for %s', (_label, value) => {
    expect(isPlacetelAnswer(value)).toBe(false);
  });
});
