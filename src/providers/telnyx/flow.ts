/**
 * Telnyx's support of provider-neutral call flows: the TwiML family's (`../twiml/flow.ts`)
 * with the TeXML builders and TeXML's limits (`docs/providers/telnyx.md` §5.2, §5.3).
 *
 * @module
 */
import { twimlFlow } from '../twiml/flow';
import type { TelnyxEvent } from './events';
import { texml, type TelnyxAnswer } from './index';

/**
 * Telnyx's flow support: the instruction fetch is `incoming`, call-progress callbacks
 * `answered` (`in-progress`) and `ended` (the final `CallStatus`; `CallDuration` in seconds;
 * `dtmf` callbacks are no neutral event), the action "flow" `digits`; every neutral verb but
 * `voicemail` compiled with the TeXML builders. The app declares the action "flow" for
 * `gather` (`telnyx.createApp({ actions: ['flow'] })`).
 */
export const telnyxFlow = twimlFlow<'telnyx', 'telnyx', TelnyxEvent, TelnyxAnswer>({
  provider: 'telnyx',
  title: 'Telnyx',
  dialect: 'telnyx',
  builders: texml,
  verbsSpec: 'docs/providers/telnyx.md §5.2',
});
