/**
 * A provider-neutral menu, written once: the caller hears a prompt and presses a key; 1 is
 * forwarded to the sales numbers, anything else hears goodbye and is hung up on. It runs on
 * every provider that can say a text, gather digits, forward and hang up.
 */
import { createFlow } from '../../src/flow';

/** Options of {@link createMenuFlow}. */
export interface MenuFlowOptions {
  /** Where key 1 is forwarded (rung together). */
  readonly sales: readonly string[];
}

/**
 * The menu flow. Mount it with `flow.mount(app)`; a TwiML app declares the action `flow` for
 * its `gather` (`createApp({ actions: ['flow'] as const })`).
 */
export function createMenuFlow(options: MenuFlowOptions) {
  const flow = createFlow({ uses: ['say', 'gather', 'forward', 'hangup'] as const });
  // No timeout: the provider's own (not every provider can set one).
  const menu = flow.gather({
    prompt: flow.say('Press 1 for sales.', 'en-US'),
    maxDigits: 1,
    step: 'menu',
  });
  // Checked against each provider when mounted.
  flow.expects(menu, flow.forward({ targets: options.sales }));
  flow.on('incoming', () => menu);
  flow.on('digits', (call) =>
    call.digits.startsWith('1')
      ? flow.forward({ targets: options.sales })
      : [flow.say('Goodbye.', 'en-US'), flow.hangup()],
  );
  return flow;
}
