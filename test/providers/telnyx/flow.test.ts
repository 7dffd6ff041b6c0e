/**
 * Telnyx's provider-neutral flow support (src/providers/telnyx/flow.ts): the TwiML family's
 * cases over Telnyx's fixtures, the TeXML builders and dialect.
 */
import { telnyx } from '../../../src';
import { telnyxFlow } from '../../../src/providers/telnyx/flow';
import { telnyxProvider, texml } from '../../../src/providers/telnyx/index';
import { telnyxPlugin } from '../../../src/providers/telnyx/plugin';
import { describeTwimlFlow } from '../twiml/flow-cases';

describeTwimlFlow({
  provider: 'telnyx',
  dialect: 'telnyx',
  flow: telnyxFlow as never,
  plugin: telnyxPlugin,
  builders: texml as never,
  definition: (actions) => telnyxProvider(actions) as never,
  createApp: (actions) => telnyx.createApp({ actions, allowUnauthenticated: true }),
  fixtures: {
    voice: 'telnyx.voice.instruction-post',
    answered: 'telnyx.status.answered',
    ringing: 'telnyx.status.ringing',
    completed: { id: 'telnyx.status.completed', durationSeconds: 45 },
    other: { id: 'telnyx.status.busy', cause: 'busy' },
    gather: 'telnyx.gather.dtmf',
  },
});
