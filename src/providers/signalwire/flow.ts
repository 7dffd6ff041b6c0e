/**
 * SignalWire's support of provider-neutral call flows: the TwiML family's (`../twiml/flow.ts`)
 * with the cXML builders and cXML's limits (`docs/providers/signalwire.md` §5.2, §6).
 *
 * @module
 */
import { twimlFlow } from '../twiml/flow';
import type { SignalwireEvent } from './events';
import { cxml, type SignalwireAnswer } from './index';

/**
 * SignalWire's flow support: the voice request is `incoming`, status callbacks `answered`
 * (`in-progress`) and `ended` (the final `CallStatus`; `CallDuration` in seconds), the action
 * "flow" `digits`; every neutral verb but `voicemail` compiled with the cXML builders. The app
 * declares the action "flow" for `gather` (`signalwire.createApp({ actions: ['flow'] })`).
 */
export const signalwireFlow = twimlFlow<
  'signalwire',
  'signalwire',
  SignalwireEvent,
  SignalwireAnswer
>({
  provider: 'signalwire',
  title: 'SignalWire',
  dialect: 'signalwire',
  builders: cxml,
  verbsSpec: 'docs/providers/signalwire.md §5.2',
});
