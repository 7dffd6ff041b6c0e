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
  type TwimlBuilderEntries,
  type TwimlContent,
  type TwimlContentOf,
  type TwimlElements,
  type TwimlOptions,
  type TwimlBuilders,
  type TwimlElementBuilder,
  type TwimlNode,
  type TwimlResponse,
} from '../twiml/builders';
export type { TwimlDialect } from '../twiml/grammar';

/**
 * The TwiML builders of the Twilio dialect, answers branded `provider: 'twilio'`: one per verb
 * and noun (docs/providers/twilio.md §5.3), each taking its attributes as options
 * (`(options?, ...content)`), durations in the unit the attribute counts (`pause({ length })`,
 * `gather({ timeout })`: **seconds**), any URL as a string or an action reference, and throwing
 * `CallControlError` `CC_ERR_ANSWER_INVALID` naming builder and option for a value Twilio does
 * not take.
 */
export const twilioBuilders: TwimlBuilders<'twilio', 'twilio'> = twimlBuilders('twilio', 'twilio');

/** `<Response>` holding the verbs in order (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const response = twilioBuilders.response;

/** `<Say>`: text spoken (or SSML children) (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const say = twilioBuilders.say;

/** `<Play>`: an audio URL played, or `digits` sent (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const play = twilioBuilders.play;

/** `<Pause>`: silence, `length` in seconds (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const pause = twilioBuilders.pause;

/** `<Gather>`: collects digits or speech and posts them to `action` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const gather = twilioBuilders.gather;

/** `<Dial>`: connects the call to numbers, SIP, clients, a conference or a queue (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const dial = twilioBuilders.dial;

/** `<Record>`: records the caller and posts the recording to `action` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const record = twilioBuilders.record;

/** `<Hangup>`: ends the call (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const hangup = twilioBuilders.hangup;

/** `<Reject>`: refuses an incoming call unanswered (`reason`) (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const reject = twilioBuilders.reject;

/** `<Redirect>`: continues with the TwiML of another URL (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const redirect = twilioBuilders.redirect;

/** `<Enqueue>`: puts the caller into a queue (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const enqueue = twilioBuilders.enqueue;

/** `<Leave>`: takes the caller out of its queue (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const leave = twilioBuilders.leave;

/** `<Refer>`: transfers a SIP call with a SIP REFER (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const refer = twilioBuilders.refer;

/** `<Connect>`: connects the call to a stream, room, or virtual agent (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const connect = twilioBuilders.connect;

/** `<Start>`: starts a stream, recording, transcription or Siprec alongside the call (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const start = twilioBuilders.start;

/** `<Stop>`: stops what `<Start>` started (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const stop = twilioBuilders.stop;

/** `<Pay>`: collects a payment (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const pay = twilioBuilders.pay;

/** `<Prompt>`: a prompt of `<Pay>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const prompt = twilioBuilders.prompt;

/** `<Sms>`: sends a text message during the call (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const sms = twilioBuilders.sms;

/** `<Echo>`: plays the caller back (testing) (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const echo = twilioBuilders.echo;

/** `<Number>`: a phone number of `<Dial>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const number = twilioBuilders.number;

/** `<Sip>`: a SIP URI of `<Dial>` or `<Refer>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const sip = twilioBuilders.sip;

/** `<Client>`: a Voice SDK client of `<Dial>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const client = twilioBuilders.client;

/** `<Conference>`: a conference room of `<Dial>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const conference = twilioBuilders.conference;

/** `<Queue>`: a queue of `<Dial>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const queue = twilioBuilders.queue;

/** `<Sim>`: a Twilio SIM of `<Dial>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const sim = twilioBuilders.sim;

/** `<Application>`: a TwiML App of `<Dial>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const application = twilioBuilders.application;

/** `<WhatsApp>`: a WhatsApp user of `<Dial>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const whatsApp = twilioBuilders.whatsApp;

/** `<Identity>`: the client identity inside `<Client>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const identity = twilioBuilders.identity;

/** `<ApplicationSid>`: the App SID inside `<Application>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const applicationSid = twilioBuilders.applicationSid;

/** `<Uri>`: a SIP URI of `<Refer>`/`<Sip>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const uri = twilioBuilders.uri;

/** `<Headers>`: SIP headers (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const headers = twilioBuilders.headers;

/** `<Header>`: one SIP header (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const header = twilioBuilders.header;

/** `<Parameter>`: a name and value passed along (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const parameter = twilioBuilders.parameter;

/** `<Task>`: a TaskRouter task of `<Enqueue>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const task = twilioBuilders.task;

/** `<Room>`: a Video room of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const room = twilioBuilders.room;

/** `<Stream>`: a media stream of `<Start>` or `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const stream = twilioBuilders.stream;

/** `<VirtualAgent>`: a virtual agent of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const virtualAgent = twilioBuilders.virtualAgent;

/** `<ConversationRelay>`: a conversation relay of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const conversationRelay = twilioBuilders.conversationRelay;

/** `<Assistant>`: an AI assistant of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const assistant = twilioBuilders.assistant;

/** `<Language>`: a language setting of a relay or assistant (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const language = twilioBuilders.language;

/** `<Conversation>`: a Conversations conversation of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const conversation = twilioBuilders.conversation;

/** `<AiSession>`: an AI session of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const aiSession = twilioBuilders.aiSession;

/** `<ConversationRelaySession>`: a relay session of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const conversationRelaySession = twilioBuilders.conversationRelaySession;

/** `<Autopilot>`: an Autopilot assistant of `<Connect>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const autopilot = twilioBuilders.autopilot;

/** `<Config>`: a configuration entry (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const config = twilioBuilders.config;

/** `<Siprec>`: a SIPREC session of `<Start>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const siprec = twilioBuilders.siprec;

/** `<Transcription>`: a real-time transcription of `<Start>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const transcription = twilioBuilders.transcription;

/** `<Recording>`: a recording of `<Start>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const recording = twilioBuilders.recording;

/** SSML `<break>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlBreak = twilioBuilders.ssmlBreak;

/** SSML `<emphasis>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlEmphasis = twilioBuilders.ssmlEmphasis;

/** SSML `<lang>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlLang = twilioBuilders.ssmlLang;

/** SSML `<p>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlP = twilioBuilders.ssmlP;

/** SSML `<phoneme>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlPhoneme = twilioBuilders.ssmlPhoneme;

/** SSML `<prosody>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlProsody = twilioBuilders.ssmlProsody;

/** SSML `<s>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlS = twilioBuilders.ssmlS;

/** SSML `<say-as>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlSayAs = twilioBuilders.ssmlSayAs;

/** SSML `<sub>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlSub = twilioBuilders.ssmlSub;

/** SSML `<w>` inside `<Say>` (TwiML builder, see {@link twilioBuilders}; docs/providers/twilio.md §5.3). */
export const ssmlW = twilioBuilders.ssmlW;

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
