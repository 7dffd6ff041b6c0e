/**
 * Property: the Placetel builders and `callcontrol validate` agree (one set of facts,
 * `src/providers/placetel/grammar.ts`): for generated `group()` options (id, ringtime around
 * 10 and 60, backup behaviour and routing object together or not), `forward()` targets
 * (none or some, ringtime around 1 and 3600, numbers none, blank or too long; voicemail given
 * or not), `routingPlan()` fallbacks and `reject()` reasons, the builder
 * accepts exactly when `validateAnswer('placetel', …)` finds no error in the document written
 * from the same options (what the builder would have written without its checks).
 *
 * Values are generated in the builders' typed domain: ids as strings (a number id is the
 * builder's shorthand for its digits; `0` as a number is refused, `"0"` as text is an id).
 */
import fc from 'fast-check';
import { CallControlError } from '../../src/core/errors';
import * as placetel from '../../src/providers/placetel/responses';
import { validateAnswer } from '../../src/validate';

const RUNS = 300;

const around = (edge: number): number[] => [edge - 1, edge, edge + 1, edge + 0.5];
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { freq: 3, nil: undefined });

const escape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const attributes = (values: Record<string, unknown>): string =>
  Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escape(String(value))}"`)
    .join('');

function attempt(build: () => placetel.PlacetelAnswer): placetel.PlacetelAnswer | undefined {
  try {
    return build();
  } catch (error) {
    if (error instanceof CallControlError && error.code === 'CC_ERR_ANSWER_INVALID')
      return undefined;
    throw error;
  }
}

const errors = (xml: string): string[] =>
  validateAnswer('placetel', xml)
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.code} ${problem.path}: ${problem.message}`);

function agree(xml: string, built: placetel.PlacetelAnswer | undefined): void {
  const found = errors(xml);
  const accepted = built !== undefined;
  expect({ xml, accepted, errors: accepted ? found : found.length > 0 }).toEqual({
    xml,
    accepted,
    errors: accepted ? [] : true,
  });
  if (built !== undefined) {
    const rendered = placetel.renderPlacetelResponse(built);
    expect({ rendered, errors: errors(rendered) }).toEqual({ rendered, errors: [] });
  }
}

const id = fc.constantFrom('123', '7684', 'a_b-c', '', ' ', '1 2', 'x'.repeat(64), 'x'.repeat(65));

describe('Placetel: builder accepts ⇔ validator finds no error', () => {
  test('group()', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: maybe(id),
          ringtime: maybe(fc.constantFrom(...around(10), ...around(60), 30, Number.NaN)),
          backupBehaviour: maybe(fc.constantFrom('mailbox', 'routing_object', 'voicemail', '')),
          backupRoutingObject: maybe(id),
        }),
        (given) => {
          const options = Object.fromEntries(
            Object.entries(given).filter(([, value]) => value !== undefined),
          );
          const built = attempt(() => placetel.group(options as never));
          const xml = `<Response><Group${attributes({
            id: given.id,
            ringtime: given.ringtime,
            backup_behaviour: given.backupBehaviour,
            backup_routing_object: given.backupRoutingObject,
          })}/></Response>`;
          agree(xml, built);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('forward() targets', () => {
    const target = fc.record({
      ringtime: maybe(fc.constantFrom(...around(1), ...around(3600), 30)),
      numbers: fc.array(fc.constantFrom('022129191999', '+4922', '', ' ', '1'.repeat(257)), {
        maxLength: 2,
      }),
    });
    fc.assert(
      fc.property(fc.array(target, { maxLength: 2 }), maybe(fc.boolean()), (targets, voicemail) => {
        const given = targets.map((t) =>
          t.ringtime === undefined
            ? { numbers: t.numbers }
            : { ringtime: t.ringtime, numbers: t.numbers },
        );
        const options =
          voicemail === undefined ? { targets: given } : { targets: given, voicemail };
        const built = attempt(() => placetel.forward(options as never));
        const xml = `<Response><Forward${attributes({ voicemail })}>${targets
          .map(
            (t) =>
              `<Target${attributes({ ringtime: t.ringtime })}>${t.numbers
                .map((n) => `<Number>${escape(n)}</Number>`)
                .join('')}</Target>`,
          )
          .join('')}</Forward></Response>`;
        agree(xml, built);
      }),
      { numRuns: RUNS },
    );
  });

  test('routingPlan() with and without its fallback <Forward>', () => {
    for (const fallback of [undefined, placetel.forward(), placetel.forward({ voicemail: true })]) {
      const built = attempt(() =>
        placetel.routingPlan(fallback === undefined ? { id: '7' } : { id: '7', fallback }),
      );
      const inner = fallback === undefined ? '' : placetel.renderPlacetelResponse(fallback);
      const xml = `<Response><RoutingPlan id="7">${inner.replace(/^.*<Response>|<\/Response>$/g, '')}</RoutingPlan></Response>`;
      agree(xml, built);
    }
  });

  test('reject() reasons', () => {
    for (const reason of ['busy', 'Busy', 'declined', '']) {
      agree(
        `<Response><Reject reason="${reason}"/></Response>`,
        attempt(() => placetel.reject({ reason: reason as never })),
      );
    }
  });
});
