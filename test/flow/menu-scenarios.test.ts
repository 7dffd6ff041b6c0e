/**
 * A second flow module (examples/flow/menu-flow.ts: say + gather, then digits) through each
 * provider's real app and the test kit: key 1 is forwarded to sales, another key hears goodbye.
 * Providers that cannot express it refuse it at mount, naming provider and verb or event.
 */
import { ozeki, opentact, placetel, signalwire, sipgate, telnyx, twilio, voipnow } from '../../src';
import type { FlowApp } from '../../src/flow';
import { PROVIDERS } from '../../src/providers/registry';
import { createTestClient } from '../../src/testing';
import { createMenuFlow } from '../../examples/flow/menu-flow';
import { TEST_APP } from '../helpers/apps';

const APPS: Readonly<Record<string, () => FlowApp>> = {
  placetel: () => placetel.createApp(TEST_APP),
  ozeki: () => ozeki.createApp(TEST_APP),
  voipnow: () => voipnow.createApp(TEST_APP),
  opentact: () => opentact.createApp(TEST_APP),
  sipgate: () => sipgate.createApp({ ...TEST_APP, publicKey: false }),
  twilio: () => twilio.createApp({ ...TEST_APP, actions: ['flow'] as const }),
  telnyx: () => telnyx.createApp({ ...TEST_APP, actions: ['flow'] as const }),
  signalwire: () => signalwire.createApp({ ...TEST_APP, actions: ['flow'] as const }),
};

const SALES = '+4922129191999';

function mounted(name: string): { app: FlowApp; refused: Error | undefined } {
  const app = (APPS[name] as () => FlowApp)();
  try {
    createMenuFlow({ sales: [SALES] }).mount(app);
    return { app, refused: undefined };
  } catch (error) {
    return { app, refused: error as Error };
  }
}

const names = PROVIDERS.filter((plugin) => plugin.flow !== undefined).map((plugin) => plugin.name);
const refusing = names.filter((name) => mounted(name).refused !== undefined);
const expressing = names.filter((name) => !refusing.includes(name));

test('the menu runs somewhere and is refused somewhere', () => {
  expect(expressing.length).toBeGreaterThan(0);
  expect(refusing.length).toBeGreaterThan(0);
});

test.each(refusing)('%s refuses the menu at mount, naming provider and verb or event', (name) => {
  expect(mounted(name).refused?.message).toMatch(
    new RegExp(
      `^flow\\.mount: ${name} (cannot express (say|gather|forward|hangup)|never sends (incoming|digits)): .+`,
    ),
  );
});

describe.each(expressing)('%s runs the menu', (name) => {
  test('key 1 is forwarded to sales', async () => {
    const { app } = mounted(name);
    const played = await createTestClient(app as never).playCall({
      from: '+4917312345678',
      digits: '1',
    });
    played.expectAllOk();
    const bodies = played.replies.map((reply) => reply.text).join('\n');
    expect(bodies).toMatch(/Press 1 for sales\./);
    expect(bodies).toContain('22129191999');
  });

  test('another key hears goodbye', async () => {
    const { app } = mounted(name);
    const played = await createTestClient(app as never).playCall({
      from: '+4917312345678',
      digits: '9',
    });
    played.expectAllOk();
    const bodies = played.replies.map((reply) => reply.text).join('\n');
    expect(bodies).toMatch(/Goodbye\./);
    expect(bodies).not.toContain('22129191999');
  });
});
