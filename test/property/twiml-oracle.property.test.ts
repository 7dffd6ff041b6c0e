/**
 * Oracle: for generated builder inputs, our Twilio-dialect TwiML and twilio-node's
 * `VoiceResponse` (a dev dependency) write the same document, compared as XML trees (attribute
 * order and the declaration aside). Every verb, noun and attribute of the Twilio grammar that
 * twilio-node has is generated — numbers, booleans, space-separated lists, enums, texts with XML
 * specials, action references (given to twilio-node as the URL they resolve to) — and a second
 * test checks that the grammar has every element and attribute twilio-node's typings declare.
 *
 * Spec: `docs/providers/twilio.md §5.2 Nesting`, `docs/providers/twilio.md §5.3 Verbs and nouns`.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { twiml } from 'twilio';
import {
  renderTwiml,
  twimlBuilders,
  type TwimlActionRef,
} from '../../src/providers/twiml/builders';
import {
  attributesIn,
  childrenIn,
  elementIn,
  TWIML_ELEMENTS,
  type TwimlElementFact,
} from '../../src/providers/twiml/grammar';
import { formatXml, parseXml, xmlTreesEqual } from '../../src/testing/xml';
import { attemptResponse, responseArb, type Spec, verbArb } from '../providers/twiml/arbitraries';

const RUNS = 100;

/** Elements of the Twilio grammar twilio-node (6.2) has no builder for. */
const NOT_IN_TWILIO_NODE = ['Assistant'];

const b = twimlBuilders('twilio', 'twilio');
const resolveAction = (ref: TwimlActionRef): string =>
  `https://example.com/twilio/actions/${ref.name}`;
const ELEMENTS = TWIML_ELEMENTS as unknown as Readonly<Record<string, TwimlElementFact>>;

/** twilio-node's method for an element: our builder name, SSML by its element name. */
function methodOf(fact: TwimlElementFact): string {
  if (fact.builder.startsWith('ssml')) return fact.name === 'say-as' ? 'sayAs' : fact.name;
  return fact.builder;
}

/**
 * twilio-node's keys for our options where they differ (its typings name these two attributes
 * as written); every other key is the option name. Written down here, not read from the grammar,
 * so that a wrong attribute name in the grammar shows.
 */
const TWILIO_NODE_KEYS: Readonly<Record<string, string>> = {
  interpretAs: 'interpret-as',
  xmlLang: 'xml:lang',
};

/** The attributes as twilio-node takes them: its keys, raw values, references resolved. */
function twilioAttributes(spec: Spec): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(spec.options)) {
    const name = TWILIO_NODE_KEYS[option] ?? option;
    const ref = value as Partial<TwimlActionRef> | undefined;
    attributes[name] =
      typeof ref === 'object' && ref !== null && ref.kind === 'twiml-action'
        ? resolveAction(ref as TwimlActionRef)
        : value;
  }
  return attributes;
}

type TwilioNode = Record<string, (attributes: object, text?: string) => TwilioNode>;

/** Writes `spec` under `parent` with twilio-node. */
function addTo(parent: TwilioNode, spec: Spec): void {
  const fact = ELEMENTS[spec.name] as TwimlElementFact;
  const method = parent[methodOf(fact)];
  if (typeof method !== 'function') throw new TypeError(`twilio-node has no ${methodOf(fact)}`);
  const node =
    spec.text === undefined
      ? method.call(parent, twilioAttributes(spec))
      : method.call(parent, twilioAttributes(spec), spec.text);
  for (const child of spec.children) addTo(node, child);
}

function twilioXml(verbs: readonly Spec[]): string {
  const response = new twiml.VoiceResponse();
  for (const verb of verbs) addTo(response as unknown as TwilioNode, verb);
  return response.toString();
}

function same(verbs: readonly Spec[]): void {
  const built = attemptResponse(b, verbs);
  expect({ verbs, built: built !== undefined }).toEqual({ verbs, built: true });
  const ours = renderTwiml(built, { resolveAction });
  expect(ours.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const theirs = twilioXml(verbs);
  const a = parseXml(ours);
  const c = parseXml(theirs);
  if (!xmlTreesEqual(a, c)) {
    expect(formatXml(a)).toEqual(formatXml(c));
  }
}

const settings = {
  dialect: 'twilio',
  misses: false,
  skip: NOT_IN_TWILIO_NODE,
  refs: true,
} as const;

/**
 * twilio-node's `<Sip>` inside `<Refer>` (its class `ReferSip`) takes a URI text only: a
 * generated `<Uri>`/`<Headers>` there becomes the text.
 */
function referSipAsText(spec: Spec): Spec {
  const children = spec.children.map((child) =>
    spec.name === 'Refer' && child.name === 'Sip' && child.children.length > 0
      ? { name: 'Sip', options: child.options, text: 'sip:alice@example.com', children: [] }
      : referSipAsText(child),
  );
  return { ...spec, children };
}

describe('TwiML builders ≡ twilio-node VoiceResponse (Twilio dialect)', () => {
  test('generated responses write the same document', () => {
    fc.assert(
      fc.property(
        responseArb(settings).map((verbs) => verbs.map(referSipAsText)),
        same,
      ),
      { numRuns: RUNS },
    );
  });

  const root = elementIn('Response', 'twilio') as TwimlElementFact;
  test.each(childrenIn(root, 'twilio'))('every attribute and child of <%s>', (verb) => {
    fc.assert(
      fc.property(verbArb(verb, settings), (spec) => same([referSipAsText(spec)])),
      { numRuns: 30 },
    );
  });
});

describe('the Twilio grammar covers twilio-node', () => {
  // twilio-node's typings: each builder method's attribute interface and its properties
  const typings = readFileSync(require.resolve('twilio/lib/twiml/VoiceResponse.d.ts'), 'utf8');
  const interfaces = new Map<string, Set<string>>();
  let current: string | undefined;
  for (const line of typings.split('\n')) {
    const open = /^\s*export interface (\w+Attributes) \{/.exec(line);
    if (open !== null) {
      current = open[1] as string;
      if (!interfaces.has(current)) interfaces.set(current, new Set());
      continue;
    }
    if (current !== undefined && /^\s*\}/.test(line)) current = undefined;
    const property = /^\s*"?([\w:-]+)"?\?: /.exec(line);
    if (current !== undefined && property !== null)
      interfaces.get(current)?.add(property[1] as string);
  }
  const methods = new Map<string, string>();
  for (const match of typings.matchAll(
    /^\s*(\w+)\(attributes\??: VoiceResponse\.(\w+Attributes)/gm,
  )) {
    methods.set(match[1] as string, match[2] as string);
  }

  test.each(
    Object.values(ELEMENTS).filter(
      (fact) => elementIn(fact.name, 'twilio') !== undefined && fact.name !== 'Response',
    ),
  )('<$name> has every attribute twilio-node declares', (fact) => {
    const declared = methods.get(methodOf(fact));
    const theirs = [...(declared === undefined ? [] : (interfaces.get(declared) ?? []))].sort();
    const ours = attributesIn(fact, 'twilio').map((attribute) => attribute.name);
    expect(theirs.filter((name) => !ours.includes(name))).toEqual([]);
  });

  test('every element twilio-node writes is in the Twilio grammar', () => {
    const source = readFileSync(require.resolve('twilio/lib/twiml/VoiceResponse.js'), 'utf8');
    const names = new Set(
      [...source.matchAll(/\.ele\("([^"]+)"/g)].map((match) => match[1] as string),
    );
    expect([...names].filter((name) => elementIn(name, 'twilio') === undefined)).toEqual([]);
  });
});
