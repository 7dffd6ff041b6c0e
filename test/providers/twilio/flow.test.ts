/**
 * Twilio's provider-neutral flow support (src/providers/twilio/flow.ts): the TwiML family's
 * cases over Twilio's fixtures, builders and dialect.
 */
import { twilio } from '../../../src';
import { twilioFlow } from '../../../src/providers/twilio/flow';
import { twilioProvider } from '../../../src/providers/twilio/index';
import { twilioPlugin } from '../../../src/providers/twilio/plugin';
import { twilioBuilders } from '../../../src/providers/twilio/responses';
import { describeTwimlFlow } from '../twiml/flow-cases';

describeTwimlFlow({
  provider: 'twilio',
  dialect: 'twilio',
  flow: twilioFlow as never,
  plugin: twilioPlugin,
  builders: twilioBuilders as never,
  definition: (actions) => twilioProvider(actions) as never,
  createApp: (actions) => twilio.createApp({ actions, allowUnauthenticated: true }),
  fixtures: {
    voice: 'twilio.voice.inbound-full',
    answered: 'twilio.status.answered',
    ringing: 'twilio.status.ringing',
    completed: { id: 'twilio.status.completed', durationSeconds: 42 },
    other: { id: 'twilio.status.no-answer', cause: 'no-answer' },
    gather: 'twilio.gather.dtmf',
  },
});
