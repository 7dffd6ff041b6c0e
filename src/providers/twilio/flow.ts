/**
 * Twilio's support of provider-neutral call flows: the TwiML family's (`../twiml/flow.ts`)
 * with Twilio's builders and the limits of its TwiML (`docs/providers/twilio.md` §5.3).
 *
 * @module
 */
import { twimlFlow } from '../twiml/flow';
import type { TwilioEvent } from './events';
import { twilioBuilders, type TwilioAnswer } from './responses';

/**
 * Twilio's flow support: the voice request is `incoming`, status callbacks `answered`
 * (`in-progress`) and `ended` (`completed`, `busy`, `no-answer`, `failed`, `canceled`;
 * `CallDuration` in seconds), the action "flow" `digits`; every neutral verb but `voicemail`
 * compiled with the TwiML builders. The app declares the action "flow" for `gather`
 * (`twilio.createApp({ actions: ['flow'] })`).
 */
export const twilioFlow = twimlFlow<'twilio', 'twilio', TwilioEvent, TwilioAnswer>({
  provider: 'twilio',
  title: 'Twilio',
  dialect: 'twilio',
  builders: twilioBuilders,
  verbsSpec: 'docs/providers/twilio.md §5.3',
});
