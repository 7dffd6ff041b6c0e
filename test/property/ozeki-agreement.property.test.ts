/**
 * Property: the Ozeki OzML builders and `callcontrol validate` agree (one grammar,
 * `src/providers/ozeki/grammar.ts`):
 * - for generated option sets of every command — values at and around each range edge, each
 *   enum value and near misses, URLs and not, DTMF keys and not, blank and non-blank text,
 *   required attributes left out, an unknown attribute added — the builder accepts exactly when
 *   `validateAnswer('ozeki', …)` finds no error in the document written from the same options
 *   (each option as its grammar attribute, numbers and booleans as JavaScript writes them, the
 *   main argument as the text; what the builder would have written without its checks);
 * - for generated `<UserInput>`s (Digits/MinDigits/MaxDigits, Input keys of several lengths,
 *   repeated keys, BackKey, ForwardToUrl/EnteredUrl/ExecuteSQL), the same;
 * - for generated sequences of built commands and a control context, `validateOzml` accepts
 *   exactly when `validateAnswer(…, { ozekiControl })` finds no error in `renderOzml`'s document.
 *
 * Options are generated in the builders' typed domain (numbers for whole numbers, booleans for
 * flags). An enum value in another letter case (`Caller`) is left out: the builders refuse it and
 * the validator, as Ozeki ignores case (spec §4, §7.6), warns — the documented tolerance, tested
 * in test/validate/invalid.test.ts.
 */
import fc from 'fast-check';
import { CallControlError } from '../../src/core/errors';
import { OZEKI_COMMANDS, type OzekiCommandFact } from '../../src/providers/ozeki/grammar';
import * as ozeki from '../../src/providers/ozeki/ozml';
import type { GrammarValue } from '../../src/validate/grammar';
import { validateAnswer, type ValidateOptions } from '../../src/validate';

const RUNS = 300;

const around = (edge: number): number[] => [edge - 1, edge, edge + 1, edge + 0.5];

const text = fc.oneof(
  fc.constantFrom('', ' ', 'x', '1001', '<&>"\''),
  fc.string({ maxLength: 10 }),
);

function edgesOf(type: GrammarValue & { kind: 'integer' }): unknown[] {
  return [
    ...around(type.min),
    ...(type.max === undefined
      ? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1]
      : around(type.max)),
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ];
}

function valueOf(type: GrammarValue): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'text':
    case 'textOrCount':
      return text;
    case 'integer':
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgesOf(type)), weight: 3 },
        { arbitrary: fc.integer({ min: type.min - 3, max: type.min + 100 }), weight: 1 },
      );
    case 'enum':
      return fc.constantFrom(...type.values, '', 'other', ...type.values.map((v) => ` ${v}`));
    case 'pattern':
      return fc.oneof(
        fc.constantFrom('en-UK', 'pt-BR', 'e', 'en-', '1', '12', '*#', '**', 'a', '1 2', ''),
        fc.string({ maxLength: 6 }),
      );
    case 'boolean':
      return fc.boolean();
    case 'url':
      return fc.constantFrom(
        'http://a.example/x',
        'https://b.example/',
        'proc.php',
        'ftp://a.example/',
        '',
        ' ',
      );
  }
}

interface Case {
  readonly options: Record<string, unknown>;
  readonly main: unknown;
}

function caseOf(fact: OzekiCommandFact, extraOptions: Record<string, fc.Arbitrary<unknown>> = {}) {
  const attributes: Record<string, fc.Arbitrary<unknown>> = { ...extraOptions };
  for (const attribute of fact.attributes) {
    attributes[attribute.option] = fc.option(valueOf(attribute.value), {
      freq: 3,
      nil: undefined,
    });
  }
  return fc
    .record({
      options: fc.record(attributes),
      extra:
        fact.name === 'Delay'
          ? fc.constant(undefined)
          : fc.option(fc.constantFrom('colour', 'Timeout2'), { freq: 8, nil: undefined }),
      main: fact.main === undefined ? fc.constant(undefined) : valueOf(fact.main.value),
    })
    .map(({ options, extra, main }): Case => {
      const present = Object.fromEntries(
        Object.entries(options).filter(([, value]) => value !== undefined),
      );
      return { options: extra === undefined ? present : { ...present, [extra]: 'x' }, main };
    });
}

const BUILDERS: Record<string, (c: Case) => ozeki.OzmlCommand> = {
  Speak: (c) => ozeki.speak(c.main as string, c.options as never),
  Play: (c) => ozeki.play(c.main as string, c.options as never),
  Delay: (c) => ozeki.delay(c.main as number),
  Hangup: (c) => ozeki.hangup(c.options as never),
  Call: (c) => ozeki.call(c.main as string, c.options as never),
  BlindTransfer: (c) => ozeki.blindTransfer(c.main as string, c.options as never),
  AttendedTransfer: (c) => ozeki.attendedTransfer(c.options as never),
  Forward: (c) => ozeki.forward(c.options as never),
  ForwardCall: (c) => ozeki.forwardCall(c.options as never),
  Hold: (c) => ozeki.hold(c.options as never),
  Unhold: (c) => ozeki.unhold(c.options as never),
  Record: (c) => ozeki.record(c.options as never),
  SendDTMF: (c) => ozeki.sendDtmf(c.options as never),
  Route: (c) => ozeki.route(c.options as never),
  SendSms: (c) => ozeki.sendSms(c.main as string, c.options as never),
};

const escape = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The attribute an option is written as: the grammar's, else the option itself (unknown). */
function attributeName(fact: OzekiCommandFact, option: string): string {
  if (fact.name === 'Route' && option === 'destination') return 'Destination';
  return fact.attributes.find((attribute) => attribute.option === option)?.name ?? option;
}

/** The document the builder would write for the case, without its checks. */
function direct(fact: OzekiCommandFact, c: Case, inner = ''): string {
  const attributes = Object.entries(c.options).map(
    ([option, value]) => [attributeName(fact, option), String(value)] as const,
  );
  let body = inner;
  if (c.main !== undefined) {
    if (fact.name === 'BlindTransfer' && c.options['transferorParty'] !== undefined) {
      attributes.unshift(['Target', String(c.main)]);
    } else {
      body = escape(String(c.main));
    }
  }
  const written = attributes.map(([name, value]) => ` ${name}="${escape(value)}"`).join('');
  return `<Response><${fact.name}${written}>${body}</${fact.name}></Response>`;
}

const errors = (xml: string, options: ValidateOptions = {}): string[] =>
  validateAnswer('ozeki', xml, options)
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.code} ${problem.path}: ${problem.message}`);

function attempt<T>(build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (error instanceof CallControlError && error.code === 'CC_ERR_ANSWER_INVALID')
      return undefined;
    throw error;
  }
}

function agree(xml: string, accepted: boolean, rendered?: string): void {
  const found = errors(xml);
  expect({ xml, accepted, errors: accepted ? found : found.length > 0 }).toEqual({
    xml,
    accepted,
    errors: accepted ? [] : true,
  });
  if (rendered !== undefined) {
    expect({ rendered, errors: errors(rendered) }).toEqual({ rendered, errors: [] });
  }
}

const fact = (name: string): OzekiCommandFact => OZEKI_COMMANDS[name] as OzekiCommandFact;

describe('Ozeki: builder accepts ⇔ validator finds no error', () => {
  test.each(Object.keys(BUILDERS))('%s', (name) => {
    const extra =
      name === 'Route'
        ? { destination: fc.option(fc.constantFrom('', ' ', '1001'), { freq: 5, nil: undefined }) }
        : {};
    fc.assert(
      fc.property(caseOf(fact(name), extra), (c) => {
        const built = attempt(() => (BUILDERS[name] as (c: Case) => ozeki.OzmlCommand)(c));
        agree(
          direct(fact(name), c),
          built !== undefined,
          built === undefined ? undefined : ozeki.renderOzml([built]),
        );
      }),
      { numRuns: RUNS },
    );
  });

  test('every edge of every whole-number attribute, one at a time', () => {
    let checked = 0;
    const base: Record<string, Case> = {
      Play: { options: {}, main: 'a.wav' },
      UserInput: { options: { forwardToUrl: 'http://a.example/' }, main: undefined },
      Record: { options: {}, main: undefined },
      Route: { options: { destination: '1' }, main: undefined },
    };
    for (const [name, c] of Object.entries(base)) {
      for (const attribute of fact(name).attributes) {
        if (attribute.value.kind !== 'integer') continue;
        for (const value of edgesOf(attribute.value)) {
          const one = { ...c, options: { ...c.options, [attribute.option]: value } };
          const build =
            name === 'UserInput'
              ? () => ozeki.userInput(one.options as never)
              : () => (BUILDERS[name] as (c: Case) => ozeki.OzmlCommand)(one);
          agree(direct(fact(name), one), attempt(build) !== undefined);
          checked += 1;
        }
      }
    }
    for (const value of edgesOf({ kind: 'integer', unit: 'seconds', min: 0 })) {
      const one = { options: {}, main: value };
      agree(direct(fact('Delay'), one), attempt(() => ozeki.delay(value as number)) !== undefined);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(40);
  });

  test('UserInput: Digits/MinDigits/MaxDigits, Input keys, BackKey and the URLs', () => {
    const count = fc.option(fc.constantFrom(0, 1, 2, 3, 1.5), { freq: 3, nil: undefined });
    const arbitrary = fc.record({
      digits: count,
      minDigits: count,
      maxDigits: count,
      backKey: fc.option(fc.constantFrom('*', '1', '**'), { freq: 3, nil: undefined }),
      forwardToUrl: fc.option(fc.constantFrom('http://a.example/', 'proc.php'), {
        freq: 3,
        nil: undefined,
      }),
      enteredUrl: fc.option(fc.constant('http://b.example/'), { freq: 4, nil: undefined }),
      executeSql: fc.option(fc.constant('select 1'), { freq: 4, nil: undefined }),
      keys: fc.array(fc.constantFrom('1', '2', '12', '123', '*', '#1', '1a'), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ keys, ...given }) => {
        const options = Object.fromEntries(
          Object.entries(given).filter(([, value]) => value !== undefined),
        );
        const inputs = keys.map((key) => ({ key, commands: [ozeki.hangup()] }));
        // nested in an outer UserInput, where a BackKey may stand (spec §5.6)
        const built = attempt(() =>
          ozeki.userInput({
            inputs: [
              {
                key: '9',
                commands: [
                  ozeki.userInput({ ...options, ...(keys.length > 0 ? { inputs } : {}) } as never),
                ],
              },
            ],
          }),
        );
        const inner =
          keys.length === 0
            ? ''
            : `<Inputs>${keys.map((key) => `<Input Key="${key}"><Hangup/></Input>`).join('')}</Inputs>`;
        const document = direct(fact('UserInput'), { options, main: undefined }, inner)
          .replace(/^<Response>/, '<Response><UserInput><Inputs><Input Key="9">')
          .replace(/<\/Response>$/, '</Input></Inputs></UserInput></Response>');
        agree(
          document,
          built !== undefined,
          built === undefined ? undefined : ozeki.renderOzml([built]),
        );
      }),
      { numRuns: RUNS },
    );
  });

  test('contexts: validateOzml accepts ⇔ validateAnswer with ozekiControl finds no error', () => {
    const pool: readonly ozeki.OzmlCommand[] = [
      ozeki.speak('x'),
      ozeki.speak('x', { party: 'caller' }),
      ozeki.play('a.wav'),
      ozeki.play('a.wav', { party: 'all' }),
      ozeki.delay(1),
      ozeki.hangup(),
      ozeki.reject(),
      ozeki.userInput({ forwardToUrl: 'http://a.example/' }),
      ozeki.userInput({ backKey: '*' }),
      ozeki.userInput({
        inputs: [{ key: '1', commands: [ozeki.userInput({ backKey: '*' }), ozeki.hangup()] }],
      }),
      ozeki.goTo('http://a.example/'),
      ozeki.call('100'),
      ozeki.blindTransfer('1'),
      ozeki.blindTransfer('1', { transferorParty: 'caller' }),
      ozeki.attendedTransfer({ targetCallId: 'a' }),
      ozeki.forward({ destination: '1' }),
      ozeki.forwardCall({ destination: '1' }),
      ozeki.hold(),
      ozeki.unhold(),
      ozeki.record(),
      ozeki.record({ duration: 5 }),
      ozeki.sendDtmf({ party: 'all', keys: '1' }),
      ozeki.route({ destination: '1' }),
      ozeki.sendSms('x', { recipient: '+1' }),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pool), { maxLength: 4 }),
        fc.constantFrom('extension', 'thirdParty', 'routing' as const),
        (commands, control) => {
          const accepted =
            attempt(() => {
              ozeki.validateOzml(commands, control);
              return true;
            }) !== undefined;
          const xml = ozeki.renderOzml(commands);
          const found = errors(xml, { ozekiControl: control });
          expect({ xml, control, accepted, errors: accepted ? found : found.length > 0 }).toEqual({
            xml,
            control,
            accepted,
            errors: accepted ? [] : true,
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('the <Inputs> of a UserInput (grammar inputRules): keys, BackKey, commands', () => {
    const keyLists = fc.array(fc.constantFrom('1', '2', '*', '#'), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        keyLists,
        fc.option(fc.constantFrom('*', '#'), { nil: undefined }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (keys, backKey, empty) => {
          const inputs = keys.map((key, index) => ({
            key,
            commands: empty[index] === true ? [] : [ozeki.hangup()],
          }));
          // nested in an outer UserInput, where a BackKey may stand (spec §5.6)
          const accepted =
            attempt(() =>
              ozeki.userInput({
                inputs: [
                  {
                    key: '9',
                    commands: [
                      ozeki.userInput(backKey === undefined ? { inputs } : { inputs, backKey }),
                    ],
                  },
                ],
              }),
            ) !== undefined;
          const inner = inputs
            .map(
              (input) =>
                `<Input Key="${input.key}">${input.commands.length === 0 ? '' : '<Hangup/>'}</Input>`,
            )
            .join('');
          const back = backKey === undefined ? '' : ` BackKey="${backKey}"`;
          agree(
            `<Response><UserInput><Inputs><Input Key="9"><UserInput${back}><Inputs>${inner}</Inputs></UserInput></Input></Inputs></UserInput></Response>`,
            accepted,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test('Input Key="12" without Digits is refused by both', () => {
    expect(
      attempt(() => ozeki.userInput({ inputs: [{ key: '12', commands: [ozeki.hangup()] }] })),
    ).toBeUndefined();
    expect(
      errors(
        '<Response><UserInput><Inputs><Input Key="12"><Hangup/></Input></Inputs></UserInput></Response>',
      ),
    ).not.toEqual([]);
  });
});
