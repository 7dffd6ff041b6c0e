/**
 * SignalWire's provider-neutral flow support (src/providers/signalwire/flow.ts): the TwiML
 * family's cases over SignalWire's fixtures, the cXML builders and dialect.
 */
import { signalwire } from '../../../src';
import { signalwireFlow } from '../../../src/providers/signalwire/flow';
import { cxml, signalwireProvider } from '../../../src/providers/signalwire/index';
import { signalwirePlugin } from '../../../src/providers/signalwire/plugin';
import { describeTwimlFlow } from '../twiml/flow-cases';

describeTwimlFlow({
  provider: 'signalwire',
  dialect: 'signalwire',
  flow: signalwireFlow as never,
  plugin: signalwirePlugin,
  builders: cxml as never,
  definition: (actions) => signalwireProvider(actions) as never,
  createApp: (actions) => signalwire.createApp({ actions, allowUnauthenticated: true }),
  fixtures: {
    voice: 'signalwire.voice.inbound',
    answered: 'signalwire.status.answered',
    ringing: 'signalwire.status.ringing',
    completed: { id: 'signalwire.status.completed', durationSeconds: 60 },
    other: { id: 'signalwire.status.no-answer-real', cause: 'no-answer' },
    gather: 'signalwire.gather.dtmf',
  },
});
