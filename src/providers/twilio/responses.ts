/**
 * Twilio's answers: TwiML documents built with the builders of the Twilio dialect — every
 * voice verb and noun of TwiML with every attribute as a typed camelCase option, checked when
 * built — and rendered with action references (`calls.actionUrl('menu')`) as absolute URLs.
 *
 * Spec: `docs/providers/twilio.md` §5 (document rules, nesting, attributes and units); the
 * builders are shared by the TwiML family (`src/providers/twiml/builders.ts`).
 *
 * @example
 * ```ts
 * twilio.response(
 *   twilio.gather({ numDigits: 1, action: calls.actionUrl('menu') }, twilio.say('Press 1 for sales.')),
 *   twilio.say('Goodbye.'),
 * );
 * ```
 *
 * @module
 */
import {
  isTwimlAnswer,
  renderTwiml,
  twimlBuilders,
  type TwimlActionRef,
  type TwimlAnswer,
  type TwimlBuilders,
} from '../twiml/builders';
import { actionResolver } from '../twiml/actions';

export {
  actionsOf,
  type TwimlActionRef,
  type TwimlNode,
  type TwimlResponse,
} from '../twiml/builders';

/** The TwiML builders of the Twilio dialect, answers branded `provider: 'twilio'`. */
export const twilioBuilders: TwimlBuilders<'twilio', 'twilio'> = twimlBuilders('twilio', 'twilio');

/**
 * The builders, one per verb and noun (docs/providers/twilio.md §5.3): each takes its
 * attributes as options (`(options?, ...content)`), durations in the unit the attribute counts
 * (`pause({ length })`, `gather({ timeout })`: **seconds**), any URL as a string or an action
 * reference, and throws `CallControlError` `CC_ERR_ANSWER_INVALID` naming builder and option
 * for a value Twilio does not take.
 */
export const {
  response,
  say,
  play,
  pause,
  gather,
  dial,
  record,
  hangup,
  reject,
  redirect,
  enqueue,
  leave,
  refer,
  connect,
  start,
  stop,
  pay,
  prompt,
  sms,
  echo,
  number,
  sip,
  client,
  conference,
  queue,
  sim,
  application,
  whatsApp,
  identity,
  applicationSid,
  uri,
  headers,
  header,
  parameter,
  task,
  room,
  stream,
  virtualAgent,
  conversationRelay,
  assistant,
  language,
  conversation,
  aiSession,
  conversationRelaySession,
  autopilot,
  config,
  siprec,
  transcription,
  recording,
  ssmlBreak,
  ssmlEmphasis,
  ssmlLang,
  ssmlP,
  ssmlPhoneme,
  ssmlProsody,
  ssmlS,
  ssmlSayAs,
  ssmlSub,
  ssmlW,
} = twilioBuilders;

/**
 * A reference to a named action handler, for any URL-valued option: rendered as
 * `<public mount URL>/actions/<name>[?query]`. The app's `calls.actionUrl(name)` is the same,
 * typed by the app's declared names.
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a blank name
 */
export function actionRef(name: string, query?: Record<string, string>): TwimlActionRef {
  return twilioBuilders.actionRef(name, query);
}

/** What a Twilio handler returns: a `response(...)`, one verb, or an array of verbs. */
export type TwilioAnswer = TwimlAnswer<'twilio'>;

/** Whether `value` is an answer built with the Twilio builders. */
export function isTwilioAnswer(value: unknown): value is TwilioAnswer {
  return isTwimlAnswer(value, 'twilio');
}

/**
 * Renders an answer (`undefined`: the empty `<Response/>`, which ends the call; spec §5.1) as
 * the document Twilio reads, action references as absolute URLs below the public mount URL of
 * the request `event` came from.
 *
 * @param declaredActions - the app's declared action names
 * @throws {CallControlError} `CC_ERR_ANSWER_INVALID` for a value that is not a Twilio answer,
 *   a reference to an undeclared action, or a reference when the request's public URL is
 *   unknown (the fallback, rendered before any request, cannot refer to actions)
 */
export function renderTwilioAnswer(
  answer: TwilioAnswer | undefined,
  event?: object,
  declaredActions: readonly string[] = [],
): string {
  return renderTwiml(answer, { resolveAction: actionResolver(event, declaredActions) });
}
