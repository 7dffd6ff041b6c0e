/**
 * The same flow module (examples/flow/call-log-flow.ts) passes the same scenarios on every
 * provider that can express it, through each provider's real app with the test kit's
 * fixture-accurate, signed or token-carrying requests (`createTestClient(app, credentials)`):
 * a blocked caller is rejected as busy, any other caller is forwarded with 20 s ring time, and
 * an ended call leaves a neutral record with cause and duration. A provider that cannot express
 * the flow refuses it at mount time, naming provider and verb or event.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ozeki, opentact, placetel, signalwire, sipgate, telnyx, twilio, voipnow } from '../../src';
import type { FlowApp } from '../../src/flow';
import { PROVIDERS } from '../../src/providers/registry';
import { createTestClient, type TestClientOptions } from '../../src/testing';
import {
  CallLog,
  FLOW_RING_TIME_SECONDS,
  createCallLogFlow,
} from '../../examples/flow/call-log-flow';
import { QUIET } from '../helpers/apps';

const TOKEN = 'flow-scenario-token-0123456789';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');

/** Each provider's app with a credential, the test kit's matching options, and a caller in its format. */
const SETUPS: Readonly<
  Record<string, { app(): FlowApp; client: TestClientOptions; from: string; to: string }>
> = {
  placetel: {
    app: () => placetel.createApp({ ...QUIET, secret: 'flow-secret' }),
    client: { secret: 'flow-secret' },
    from: '017312345678',
    to: '022129191999',
  },
  ozeki: {
    app: () => ozeki.createApp({ ...QUIET, urlToken: { tokens: TOKEN } }),
    client: { urlToken: TOKEN },
    from: '017312345678',
    to: '022129191999',
  },
  voipnow: {
    app: () => voipnow.createApp({ ...QUIET, urlToken: { tokens: TOKEN } }),
    client: { urlToken: TOKEN },
    from: '017312345678',
    to: '022129191999',
  },
  opentact: {
    app: () => opentact.createApp({ ...QUIET, urlToken: { tokens: TOKEN } }),
    client: { urlToken: TOKEN },
    from: '4917312345678',
    to: '4922129191999',
  },
  sipgate: {
    app: () => sipgate.createApp({ ...QUIET, publicKey: rsa.publicKey }),
    client: { privateKey: rsa.privateKey },
    from: '4917312345678',
    to: '4922129191999',
  },
  twilio: {
    app: () => twilio.createApp({ ...QUIET, authToken: 'flow-auth-token' }),
    client: { authToken: 'flow-auth-token' },
    from: '+4917312345678',
    to: '+4922129191999',
  },
  telnyx: {
    app: () =>
      telnyx.createApp({ ...QUIET, publicKey: telnyx.telnyxPublicKeyBase64(ed.publicKey) }),
    client: { privateKey: ed.privateKey },
    from: '+4917312345678',
    to: '+4922129191999',
  },
  signalwire: {
    app: () => signalwire.createApp({ ...QUIET, signingKey: 'flow-signing-key' }),
    client: { authToken: 'flow-signing-key' },
    from: '+4917312345678',
    to: '+4922129191999',
  },
};

const FORWARD_TO = ['+4922129191999'];

/** The flow mounted on a new app of `name`, or the mount-time refusal. */
function mounted(name: string) {
  const setup = SETUPS[name];
  if (setup === undefined) throw new Error(`no setup for ${name}`);
  const log = new CallLog();
  const { flow } = createCallLogFlow({
    // The blocked caller as E.164: matched however the provider spells it.
    blocked: ['+4917312345678'],
    forwardTo: FORWARD_TO,
    defaultCountry: 'DE',
    log,
  });
  const app = setup.app();
  try {
    flow.mount(app);
  } catch (error) {
    return { refused: error as Error, setup, app, log, flow };
  }
  return { refused: undefined, setup, app, log, flow };
}

const names = PROVIDERS.filter((plugin) => plugin.flow !== undefined).map((plugin) => plugin.name);
const outcomes = new Map(names.map((name) => [name, mounted(name)]));
const expressing = names.filter((name) => outcomes.get(name)?.refused === undefined);
const refusing = names.filter((name) => outcomes.get(name)?.refused !== undefined);

/** The incoming events of `name` (the provider's event names the neutral `incoming` comes from). */
function incomingNames(name: string): readonly string[] {
  const events = PROVIDERS.find((plugin) => plugin.name === name)?.flow?.events.incoming;
  return Array.isArray(events) ? (events as readonly string[]) : [];
}

test('the flow runs on at least the providers that can forward and reject and send ended', () => {
  expect(expressing.length).toBeGreaterThan(0);
});

describe.each(refusing)('%s cannot express the flow', (name) => {
  test('mount refuses it naming provider and verb (or event), with the reason', () => {
    const refused = outcomes.get(name)?.refused;
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused?.message).toMatch(
      new RegExp(
        `^flow\\.mount: ${name} (cannot express (forward|reject)( as the flow gives it)?|never sends (incoming|ended)): .+`,
      ),
    );
  });
});

describe.each(expressing)('%s runs the call-log flow', (name) => {
  let log = new CallLog();

  /** The reply to the incoming event of a call played on a new app (its own store). */
  async function incoming(options: { from: string; hangupCause?: string; callId?: string }) {
    const outcome = mounted(name);
    log = outcome.log;
    const played = await createTestClient(outcome.app as never, outcome.setup.client).playCall({
      to: outcome.setup.to,
      ...options,
    });
    const exchange = played.exchanges.find((entry) => incomingNames(name).includes(entry.event));
    expect(exchange).toBeDefined();
    return { played, reply: exchange?.reply };
  }

  const setup = SETUPS[name] as (typeof SETUPS)[string];

  test('another caller is forwarded to the targets with 20 s ring time', async () => {
    const { played, reply } = await incoming({ from: setup.from.replace('173', '151') });
    played.expectAllOk();
    const body = reply?.text ?? '';
    expect(body).toMatch(/22129191999/);
    expect(body).toContain(String(FLOW_RING_TIME_SECONDS));
    expect(body).not.toMatch(/busy/i);
  });

  test('a blocked caller (as the provider spells it) is rejected as busy, or the nearest', async () => {
    const { played, reply } = await incoming({ from: setup.from });
    played.expectAllOk();
    const body = reply?.text ?? '';
    expect(body).not.toMatch(/22129191999/);
    expect(body).toMatch(/busy|reject/i);
  });

  test('an ended call leaves a neutral record with cause and duration', async () => {
    const { played } = await incoming({ from: setup.from.replace('173', '152') });
    played.expectAllOk();
    const records = log.latest();
    expect(records.length).toBe(1);
    const [record] = records;
    expect(record).toMatchObject({ provider: name, direction: expect.any(String) });
    expect(record?.callId).not.toBe('');
    expect(record?.from.raw).toBe(setup.from.replace('173', '152'));
    expect(record?.from.e164).toBe('+4915212345678');
    expect(typeof record?.answered).toBe('boolean');
    expect([
      'completed',
      'busy',
      'no-answer',
      'rejected',
      'failed',
      'canceled',
      'voicemail',
      'unknown',
    ]).toContain(record?.cause);
    if (record?.durationSeconds !== undefined) {
      expect(Number.isInteger(record.durationSeconds)).toBe(true);
      expect(record.durationSeconds).toBeGreaterThanOrEqual(0);
    }
  });
});
