/**
 * `npm run bench:render`: a micro-benchmark of answer rendering. Three answers, each produced
 * four ways that must give the same bytes (checked before timing):
 *
 * - **ours**: the builders called and the answer rendered, as a handler and the app do per
 *   request (`placetel.forward(…).toXml()`, `ozeki.renderOzml([ozeki.userInput(…)], 'extension')`,
 *   `opentact.renderOpentactResponse([…gather(…)…])`);
 * - **ours, render only**: the same answer built once, only rendered per operation (what is
 *   left when the builders' checks are taken out);
 * - **xmlbuilder2 direct**: the same document built with `create().ele()…end()`;
 * - **template**: a template string with the values escaped.
 *
 * Cases: (a) a Placetel Forward with two targets, (b) an OzML IVR menu (`UserInput` with
 * initial commands and 3 inputs), (c) an Opentact Gather tree (Gather with 3 DTMF branches, a
 * Dial with an Error block).
 *
 * Method: a plain `process.hrtime` loop. Per case and way: `--warmup-ms` of warm-up, then
 * `--samples` samples of `--sample-ms` each, the ways interleaved sample by sample; ops/s is the
 * median of the samples. Target: ours (build + render) within 1.5× of xmlbuilder2 direct, i.e.
 * at least 1/1.5 of its ops/s.
 *
 * Exit code: 0 (targets missed are printed as FAIL; `--strict` makes them exit 1), 1 when the
 * four ways do not give the same document.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { create } from 'xmlbuilder2';
import { opentact, ozeki, placetel } from '../src';
import { machineLine, markdownTable, median, verdict, whole } from './report';

/** Ours must reach this share of xmlbuilder2's ops/s ("within 1.5×"). */
const TARGET = 1 / 1.5;

interface Options {
  readonly samples: number;
  readonly sampleMs: number;
  readonly warmupMs: number;
  readonly json: boolean;
  readonly strict: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      samples: { type: 'string', default: '7' },
      'sample-ms': { type: 'string', default: '300' },
      'warmup-ms': { type: 'string', default: '500' },
      json: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`usage: npm run bench:render -- [options]
  --samples N     timed samples per case and way; ops/s is their median (default 7)
  --sample-ms MS  length of one sample (default 300)
  --warmup-ms MS  warm-up per case and way before sampling (default 500)
  --strict        exit 1 when a target is missed
  --json          print the result as JSON`);
    process.exit(0);
  }
  const count = (name: string, text: string, min: number): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min) {
      throw new TypeError(`--${name} must be a whole number of at least ${min}, got ${text}`);
    }
    return value;
  };
  return {
    samples: count('samples', values.samples, 1),
    sampleMs: count('sample-ms', values['sample-ms'], 10),
    warmupMs: count('warmup-ms', values['warmup-ms'], 0),
    json: values.json,
    strict: values.strict,
  };
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/** Escapes text and attribute values for the template strings. */
function esc(value: string): string {
  return value.replace(/[&<>"]/g, (char) => ESCAPES[char] ?? char);
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** One way to produce a case's document. */
type Way = 'ours' | 'ours, render only' | 'xmlbuilder2 direct' | 'template';
const WAYS: readonly Way[] = ['ours', 'ours, render only', 'xmlbuilder2 direct', 'template'];

interface Case {
  readonly name: string;
  readonly ways: Readonly<Record<Way, () => string>>;
}

// (a) Placetel: Forward with two targets.
const FORWARD = {
  first: ['7777abcdefg@fpbx.de', '022129191999'],
  second: ['022199998560'],
} as const;

function placetelForward(): placetel.PlacetelAnswer {
  return placetel.forward({
    targets: [
      { ringtime: 30, numbers: FORWARD.first },
      { ringtime: 45, numbers: FORWARD.second },
    ],
    voicemail: true,
  });
}

const builtForward = placetelForward();

const placetelCase: Case = {
  name: '(a) Placetel Forward, two targets',
  ways: {
    ours: () => placetelForward().toXml(),
    'ours, render only': () => builtForward.toXml(),
    'xmlbuilder2 direct': () => {
      const forward = create({ version: '1.0', encoding: 'UTF-8' })
        .ele('Response')
        .ele('Forward', { voicemail: 'true' });
      const first = forward.ele('Target', { ringtime: '30' });
      for (const number of FORWARD.first) first.ele('Number').txt(number);
      const second = forward.ele('Target', { ringtime: '45' });
      for (const number of FORWARD.second) second.ele('Number').txt(number);
      return forward.end({ prettyPrint: false });
    },
    template: () =>
      `${DECLARATION}<Response><Forward voicemail="true"><Target ringtime="30">` +
      FORWARD.first.map((number) => `<Number>${esc(number)}</Number>`).join('') +
      '</Target><Target ringtime="45">' +
      FORWARD.second.map((number) => `<Number>${esc(number)}</Number>`).join('') +
      '</Target></Forward></Response>',
  },
};

// (b) OzML: an IVR menu.
const MENU = {
  greeting: 'Welcome to ACME.',
  choices: 'For sales, press 1. For support, press 2. For the operator, press 0.',
  inputs: [
    ['1', '1001'],
    ['2', '1002'],
    ['0', '1000'],
  ],
} as const;

function ozmlMenu(): ozeki.OzmlCommand[] {
  return [
    ozeki.userInput({
      timeout: 10,
      repeat: true,
      initialCommands: [ozeki.speak(MENU.greeting), ozeki.speak(MENU.choices)],
      inputs: MENU.inputs.map(([key, extension]) => ({
        key,
        commands: [ozeki.blindTransfer(extension)],
      })),
    }),
  ];
}

const builtMenu = ozmlMenu();

const ozmlCase: Case = {
  name: '(b) OzML IVR menu (UserInput, 3 inputs)',
  ways: {
    ours: () => ozeki.renderOzml(ozmlMenu(), 'extension'),
    'ours, render only': () => ozeki.renderOzml(builtMenu, 'extension'),
    'xmlbuilder2 direct': () => {
      const userInput = create({ version: '1.0', encoding: 'UTF-8' })
        .ele('Response')
        .ele('UserInput', { Repeat: 'true', Timeout: '10' });
      const initial = userInput.ele('InitialCommands');
      initial.ele('Speak').txt(MENU.greeting);
      initial.ele('Speak').txt(MENU.choices);
      const inputs = userInput.ele('Inputs');
      for (const [key, extension] of MENU.inputs) {
        inputs.ele('Input', { Key: key }).ele('BlindTransfer').txt(extension);
      }
      return userInput.end({ prettyPrint: false });
    },
    template: () =>
      `${DECLARATION}<Response><UserInput Repeat="true" Timeout="10"><InitialCommands>` +
      `<Speak>${esc(MENU.greeting)}</Speak><Speak>${esc(MENU.choices)}</Speak></InitialCommands><Inputs>` +
      MENU.inputs
        .map(
          ([key, extension]) =>
            `<Input Key="${esc(key)}"><BlindTransfer>${esc(extension)}</BlindTransfer></Input>`,
        )
        .join('') +
      '</Inputs></UserInput></Response>',
  },
};

// (c) Opentact: a Gather tree.
const TREE = {
  prompt: 'Press 1 for support, 2 for sales, 3 for opening hours.',
  support: ['support1@sip.opentact.org', 'support2@sip.opentact.org'],
  supportBusy: 'Sorry, support is busy right now.',
  sales: 'sales@sip.opentact.org',
  salesBusy: 'Sorry, sales is busy.',
  hours: 'We are open 9 to 5.',
  none: 'No choice entered.',
} as const;

function opentactTree(): opentact.OpentactCommand[] {
  return [
    opentact.answer(),
    opentact.gather({
      dtmfLength: 1,
      prompt: [opentact.say(TREE.prompt)],
      dtmf: [
        {
          value: '1',
          commands: [
            opentact.dial(TREE.support, {
              error: [opentact.say(TREE.supportBusy), opentact.hangup()],
            }),
          ],
        },
        {
          value: '2',
          commands: [
            opentact.dial(TREE.sales, { error: [opentact.say(TREE.salesBusy), opentact.hangup()] }),
          ],
        },
        { value: '3', commands: [opentact.say(TREE.hours), opentact.hangup()] },
      ],
      default: [opentact.say(TREE.none)],
    }),
    opentact.hangup(),
  ];
}

const builtTree = opentactTree();

const opentactCase: Case = {
  name: '(c) Opentact Gather tree (3 DTMF, Dial + Error)',
  ways: {
    ours: () => opentact.renderOpentactResponse(opentactTree()),
    'ours, render only': () => opentact.renderOpentactResponse(builtTree),
    'xmlbuilder2 direct': () => {
      const response = create({ version: '1.0', encoding: 'UTF-8' }).ele('Response');
      response.ele('Answer');
      const gather = response.ele('Gather', { dtmf_length: '1' });
      gather.ele('Say').txt(TREE.prompt);
      const support = gather.ele('DTMF', { value: '1' }).ele('Dial');
      for (const to of TREE.support) support.ele('To').txt(to);
      const supportError = support.ele('Error');
      supportError.ele('Say').txt(TREE.supportBusy);
      supportError.ele('Hangup');
      const sales = gather.ele('DTMF', { value: '2' }).ele('Dial');
      sales.ele('To').txt(TREE.sales);
      const salesError = sales.ele('Error');
      salesError.ele('Say').txt(TREE.salesBusy);
      salesError.ele('Hangup');
      const hours = gather.ele('DTMF', { value: '3' });
      hours.ele('Say').txt(TREE.hours);
      hours.ele('Hangup');
      gather.ele('Default').ele('Say').txt(TREE.none);
      response.ele('Hangup');
      return response.end({ prettyPrint: false });
    },
    template: () =>
      `${DECLARATION}<Response><Answer/><Gather dtmf_length="1"><Say>${esc(TREE.prompt)}</Say>` +
      `<DTMF value="1"><Dial>${TREE.support.map((to) => `<To>${esc(to)}</To>`).join('')}` +
      `<Error><Say>${esc(TREE.supportBusy)}</Say><Hangup/></Error></Dial></DTMF>` +
      `<DTMF value="2"><Dial><To>${esc(TREE.sales)}</To>` +
      `<Error><Say>${esc(TREE.salesBusy)}</Say><Hangup/></Error></Dial></DTMF>` +
      `<DTMF value="3"><Say>${esc(TREE.hours)}</Say><Hangup/></DTMF>` +
      `<Default><Say>${esc(TREE.none)}</Say></Default></Gather><Hangup/></Response>`,
  },
};

const CASES: readonly Case[] = [placetelCase, ozmlCase, opentactCase];

/** Keeps results alive so that the loop cannot be optimised away. */
let sink = 0;

/** Runs `work` for about `ms` milliseconds; ops per second. */
function measure(work: () => string, ms: number): number {
  const budget = BigInt(ms) * 1_000_000n;
  const start = process.hrtime.bigint();
  let operations = 0;
  let elapsed = 0n;
  // Check the clock every 64 operations: a call to hrtime costs about as much as a tiny op.
  while (elapsed < budget) {
    for (let index = 0; index < 64; index++) sink += work().length;
    operations += 64;
    elapsed = process.hrtime.bigint() - start;
  }
  return (operations * 1e9) / Number(elapsed);
}

interface CaseResult {
  readonly name: string;
  readonly opsPerSecond: Readonly<Record<Way, number>>;
  readonly samples: Readonly<Record<Way, readonly number[]>>;
  /** ours ÷ xmlbuilder2 direct, by ops/s. */
  readonly ratio: number;
  readonly pass: boolean;
  readonly bytes: number;
}

function runCase(entry: Case, options: Options): CaseResult {
  const expected = entry.ways.ours();
  for (const way of WAYS) {
    const produced = entry.ways[way]();
    if (produced !== expected) {
      throw new Error(
        `${entry.name}: "${way}" gives a different document:\n  ours: ${expected}\n  ${way}: ${produced}`,
      );
    }
  }
  for (const way of WAYS) measure(entry.ways[way], options.warmupMs);
  const samples: Record<Way, number[]> = {
    ours: [],
    'ours, render only': [],
    'xmlbuilder2 direct': [],
    template: [],
  };
  for (let sample = 0; sample < options.samples; sample++) {
    // Rotate the order, so that no way always runs right after the same other one.
    for (let offset = 0; offset < WAYS.length; offset++) {
      const way = WAYS[(sample + offset) % WAYS.length] ?? 'ours';
      samples[way].push(measure(entry.ways[way], options.sampleMs));
    }
  }
  const opsPerSecond = {
    ours: median(samples.ours),
    'ours, render only': median(samples['ours, render only']),
    'xmlbuilder2 direct': median(samples['xmlbuilder2 direct']),
    template: median(samples.template),
  };
  const ratio = opsPerSecond.ours / opsPerSecond['xmlbuilder2 direct'];
  return {
    name: entry.name,
    opsPerSecond,
    samples,
    ratio,
    pass: ratio >= TARGET,
    bytes: Buffer.byteLength(expected),
  };
}

function main(): number {
  const options = parseOptions(process.argv.slice(2));
  const seconds =
    (CASES.length * WAYS.length * (options.warmupMs + options.samples * options.sampleMs)) / 1000;
  process.stderr.write(
    `bench/render: ${CASES.length} cases × ${WAYS.length} ways × (${options.warmupMs} ms warm-up + ` +
      `${options.samples} × ${options.sampleMs} ms): about ${Math.ceil(seconds)} s\n`,
  );
  const results = CASES.map((entry) => runCase(entry, options));
  if (options.json) {
    console.log(JSON.stringify({ options, machine: machineLine(), results, sink }, null, 2));
  } else {
    console.log(
      `bench/render: ops/s, median of ${options.samples} samples of ${options.sampleMs} ms after ` +
        `${options.warmupMs} ms warm-up; ${machineLine()}`,
    );
    console.log('');
    console.log(
      markdownTable(
        [
          'answer',
          'bytes',
          'ours (build + render)',
          'ours, render only',
          'xmlbuilder2 direct',
          'template string',
          'ours ÷ xmlbuilder2',
          'target ≥ 0.67',
          'template ÷ ours',
        ],
        results.map((result) => [
          result.name,
          String(result.bytes),
          whole(result.opsPerSecond.ours),
          whole(result.opsPerSecond['ours, render only']),
          whole(result.opsPerSecond['xmlbuilder2 direct']),
          whole(result.opsPerSecond.template),
          result.ratio.toFixed(2),
          verdict(result.pass),
          (result.opsPerSecond.template / result.opsPerSecond.ours).toFixed(0),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
      ),
    );
  }
  return options.strict && results.some((result) => !result.pass) ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(
    `bench/render failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
