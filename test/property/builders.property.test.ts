/**
 * Property: any string a handler passes into an answer — graphemes, any code point, lone
 * surrogates, control characters, `]]>`, `</Number><Hangup/>`, `&lt;`, `&amp;`, quotes — is
 * either refused with a coded `CC_ERR_ANSWER_INVALID`, or comes back EXACTLY (as the text or
 * attribute value it was given for) from an independent strict parser, without changing the
 * document's structure. Any number (NaN, -0, ±Infinity, huge, fractions) is refused the same
 * way or written as a plain decimal that reads back as the number. Any JavaScript value in any
 * option is refused with the coded error or gives a well-formed document — never a TypeError.
 *
 * Every builder of every provider, every string and number option, and the main text.
 */
import fc from 'fast-check';
import { CallControlError } from '../../src/core/errors';
import * as opentact from '../../src/providers/opentact/xml';
import * as ozeki from '../../src/providers/ozeki/ozml';
import * as placetel from '../../src/providers/placetel/responses';
import * as voipnow from '../../src/providers/voipnow/responses';
import { canonicalXml, type CanonicalElement } from '../helpers/xml';
import { acceptableText, hostileNumber, hostileString, xmlCarriable } from './arbitraries';

const STRING_RUNS = 100;
const NUMBER_RUNS = 60;
const ANY_RUNS = 40;

/** Passes a value of the wrong static type on purpose: hostile input is not well-typed. */
function loose<T>(value: unknown): T {
  return value as T;
}

// ---------------------------------------------------------------------------------------------
// Rendering every provider's answer in each of its forms
// ---------------------------------------------------------------------------------------------

const renderPlacetel = (answer: placetel.PlacetelAnswer): string[] => [answer.toXml()];
const renderOzeki = (command: ozeki.OzmlCommand): string[] => [
  ozeki.renderOzml([command]),
  ozeki.response([command]).toXml({ attributeCase: 'camel', declaration: false }),
];
const renderVoipNow = (command: voipnow.VoipNowCommand): string[] => [
  voipnow.renderVoipNowResponse([command]),
  voipnow.response([command]).toXml({ declaration: false }),
];
const renderOpentact = (command: opentact.OpentactCommand): string[] => [
  opentact.renderOpentactResponse([command]),
  opentact.response([command]).toXml({ declaration: false }),
];

const URL_BASE = 'https://example.com/';
const asUrl = (generated: string): string => URL_BASE + generated;

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

const acceptableUrl = (value: string): boolean => acceptableText(value) && isHttpUrl(value);
const dtmf = (value: string): boolean => /^[0-9*#]+$/.test(value);
const placetelId = (value: string): boolean => /^[0-9A-Za-z_-]{1,64}$/.test(value);
const variableName = (value: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(value);

// ---------------------------------------------------------------------------------------------
// String options
// ---------------------------------------------------------------------------------------------

interface StringCase {
  readonly name: string;
  /** The documents of the answer with `value` in the option under test. */
  readonly render: (value: string) => string[];
  /** Where the value must come back: the element, and its attribute (else its text). */
  readonly element: string;
  readonly attribute?: string;
  /** The value passed, made from the generated string (e.g. a URL around it). */
  readonly input?: (generated: string) => string;
  /** A generated string the builder accepts, for the document's expected structure. */
  readonly sample?: string;
  /** When the builder must accept the value (it may refuse others, with the coded error). */
  readonly mustAccept?: (value: string) => boolean;
}

const PLACETEL_STRINGS: readonly StringCase[] = [
  {
    name: 'forward: target number',
    render: (v) => renderPlacetel(placetel.forward({ targets: [{ numbers: [v] }] })),
    element: 'Number',
    mustAccept: (v) => acceptableText(v) && v.length <= 256,
  },
  {
    name: 'forward: second number of a target',
    render: (v) =>
      renderPlacetel(placetel.forward({ targets: [{ ringtime: 30, numbers: ['1', v] }] })),
    element: 'Number',
    mustAccept: (v) => acceptableText(v) && v.length <= 256,
  },
  {
    name: 'forward: voicemailAnnouncement',
    render: (v) => renderPlacetel(placetel.forward({ voicemailAnnouncement: v })),
    element: 'Forward',
    attribute: 'voicemail_announcement',
    mustAccept: placetelId,
  },
  {
    name: 'forward: forwardAnnouncement',
    render: (v) =>
      renderPlacetel(placetel.forward({ forwardAnnouncement: v, targets: [{ numbers: ['1'] }] })),
    element: 'Forward',
    attribute: 'forward_announcement',
    mustAccept: placetelId,
  },
  {
    name: 'reject: reason',
    render: (v) => renderPlacetel(placetel.reject({ reason: loose(v) })),
    element: 'Reject',
    attribute: 'reason',
    sample: 'busy',
    mustAccept: (v) => v === 'busy',
  },
  {
    name: 'queue: id',
    render: (v) => renderPlacetel(placetel.queue({ id: v })),
    element: 'Queue',
    attribute: 'id',
    mustAccept: placetelId,
  },
  {
    name: 'queue: legacy queue_id',
    render: (v) => renderPlacetel(placetel.queue({ id: v, legacyQueueId: true })),
    element: 'Queue',
    attribute: 'queue_id',
    mustAccept: placetelId,
  },
  {
    name: 'prompt: id',
    render: (v) => renderPlacetel(placetel.prompt({ id: v })),
    element: 'Prompt',
    attribute: 'id',
    mustAccept: placetelId,
  },
  {
    name: 'group: id',
    render: (v) => renderPlacetel(placetel.group({ id: v, ringtime: 20 })),
    element: 'Group',
    attribute: 'id',
    mustAccept: placetelId,
  },
  {
    name: 'group: backupBehaviour',
    render: (v) => renderPlacetel(placetel.group({ id: 1, backupBehaviour: loose(v) })),
    element: 'Group',
    attribute: 'backup_behaviour',
    sample: 'mailbox',
    mustAccept: (v) => v === 'mailbox',
  },
  {
    name: 'group: backupRoutingObject',
    render: (v) =>
      renderPlacetel(
        placetel.group({ id: 1, backupBehaviour: 'routing_object', backupRoutingObject: v }),
      ),
    element: 'Group',
    attribute: 'backup_routing_object',
    mustAccept: placetelId,
  },
  {
    name: 'group: voicemailAnnouncement',
    render: (v) => renderPlacetel(placetel.group({ id: 1, voicemailAnnouncement: v })),
    element: 'Group',
    attribute: 'voicemail_announcement',
    mustAccept: placetelId,
  },
  {
    name: 'routingPlan: id',
    render: (v) => renderPlacetel(placetel.routingPlan({ id: v })),
    element: 'RoutingPlan',
    attribute: 'id',
    mustAccept: placetelId,
  },
  {
    name: 'routingPlan: number of the fallback',
    render: (v) =>
      renderPlacetel(
        placetel.routingPlan({
          id: 7,
          fallback: placetel.forward({ targets: [{ numbers: [v] }] }),
        }),
      ),
    element: 'Number',
    mustAccept: (v) => acceptableText(v) && v.length <= 256,
  },
];

const OZEKI_STRINGS: readonly StringCase[] = [
  {
    name: 'speak: text',
    render: (v) => renderOzeki(ozeki.speak(v)),
    element: 'Speak',
    mustAccept: acceptableText,
  },
  {
    name: 'speak: callId',
    render: (v) => renderOzeki(ozeki.speak('Hi', { party: 'caller', callId: v })),
    element: 'Speak',
    attribute: 'CallId',
    mustAccept: acceptableText,
  },
  {
    name: 'speak: voice',
    render: (v) => renderOzeki(ozeki.speak('Hi', { voice: v })),
    element: 'Speak',
    attribute: 'Voice',
    mustAccept: acceptableText,
  },
  {
    name: 'speak: language',
    render: (v) => renderOzeki(ozeki.speak('Hi', { language: v })),
    element: 'Speak',
    attribute: 'Language',
    sample: 'en-UK',
    mustAccept: (v) => /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(v),
  },
  {
    name: 'speak: party',
    render: (v) => renderOzeki(ozeki.speak('Hi', { party: loose(v) })),
    element: 'Speak',
    attribute: 'Party',
    sample: 'all',
    mustAccept: (v) => ['caller', 'callee', 'all'].includes(v),
  },
  {
    name: 'play: audioFile',
    render: (v) => renderOzeki(ozeki.play(v, { repeat: true })),
    element: 'Play',
    mustAccept: acceptableText,
  },
  {
    name: 'play: callId',
    render: (v) => renderOzeki(ozeki.play('a.wav', { party: 'all', callId: v })),
    element: 'Play',
    attribute: 'CallId',
    mustAccept: acceptableText,
  },
  {
    name: 'hangup: callId',
    render: (v) => renderOzeki(ozeki.hangup({ callId: v })),
    element: 'Hangup',
    attribute: 'CallId',
    mustAccept: acceptableText,
  },
  {
    name: 'hold: callId',
    render: (v) => renderOzeki(ozeki.hold({ callId: v })),
    element: 'Hold',
    attribute: 'CallId',
    mustAccept: acceptableText,
  },
  {
    name: 'unhold: callId',
    render: (v) => renderOzeki(ozeki.unhold({ callId: v })),
    element: 'Unhold',
    attribute: 'CallId',
    mustAccept: acceptableText,
  },
  {
    name: 'userInput: forwardToUrl',
    render: (v) => renderOzeki(ozeki.userInput({ forwardToUrl: v, digits: 4 })),
    element: 'UserInput',
    attribute: 'ForwardToUrl',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'userInput: enteredUrl',
    render: (v) => renderOzeki(ozeki.userInput({ enteredUrl: v })),
    element: 'UserInput',
    attribute: 'EnteredUrl',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'userInput: executeSql',
    render: (v) => renderOzeki(ozeki.userInput({ executeSql: v })),
    element: 'UserInput',
    attribute: 'ExecuteSQL',
    mustAccept: acceptableText,
  },
  {
    name: 'userInput: backKey',
    render: (v) => renderOzeki(ozeki.userInput({ backKey: v })),
    element: 'UserInput',
    attribute: 'BackKey',
    sample: '*',
    mustAccept: (v) => /^[0-9*#]$/.test(v),
  },
  {
    name: 'userInput: input key',
    render: (v) =>
      renderOzeki(
        ozeki.userInput({
          minDigits: 1,
          maxDigits: 1_000_000,
          inputs: [{ key: v, commands: [ozeki.speak('Chosen.')] }],
          initialCommands: [ozeki.speak('Choose.')],
        }),
      ),
    element: 'Input',
    attribute: 'Key',
    sample: '1',
    mustAccept: dtmf,
  },
  {
    name: 'goTo: urlOrSql',
    render: (v) => renderOzeki(ozeki.goTo(v)),
    element: 'GoTo',
    mustAccept: acceptableText,
  },
  {
    name: 'call: dialled',
    render: (v) => renderOzeki(ozeki.call(v, { url: 'http://a.example/' })),
    element: 'Call',
    mustAccept: acceptableText,
  },
  ...(['apiExtension', 'callerId', 'callerDisplayName'] as const).map((option): StringCase => ({
    name: `call: ${option}`,
    render: (v) => renderOzeki(ozeki.call('2310', { [option]: v })),
    element: 'Call',
    attribute: option,
    mustAccept: acceptableText,
  })),
  ...(['url', 'errorUrl'] as const).map((option): StringCase => ({
    name: `call: ${option}`,
    render: (v) => renderOzeki(ozeki.call('2310', { [option]: v })),
    element: 'Call',
    attribute: option,
    input: asUrl,
    mustAccept: acceptableUrl,
  })),
  {
    name: 'blindTransfer: target (extension form, text)',
    render: (v) => renderOzeki(ozeki.blindTransfer(v)),
    element: 'BlindTransfer',
    mustAccept: acceptableText,
  },
  {
    name: 'blindTransfer: target (third-party form, attribute)',
    render: (v) => renderOzeki(ozeki.blindTransfer(v, { transferorParty: 'callee' })),
    element: 'BlindTransfer',
    attribute: 'Target',
    mustAccept: acceptableText,
  },
  {
    name: 'blindTransfer: callId',
    render: (v) => renderOzeki(ozeki.blindTransfer('1', { transferorParty: 'caller', callId: v })),
    element: 'BlindTransfer',
    attribute: 'CallId',
    mustAccept: acceptableText,
  },
  {
    name: 'blindTransfer: finishedUrl',
    render: (v) =>
      renderOzeki(ozeki.blindTransfer('1', { transferorParty: 'caller', finishedUrl: v })),
    element: 'BlindTransfer',
    attribute: 'FinishedUrl',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'blindTransfer: transferorParty',
    render: (v) => renderOzeki(ozeki.blindTransfer('1', { transferorParty: loose(v) })),
    element: 'BlindTransfer',
    attribute: 'TransferorParty',
    sample: 'caller',
    mustAccept: (v) => v === 'caller' || v === 'callee',
  },
  {
    name: 'attendedTransfer: targetCallId',
    render: (v) => renderOzeki(ozeki.attendedTransfer({ targetCallId: v })),
    element: 'AttendedTransfer',
    attribute: 'TargetCallId',
    mustAccept: acceptableText,
  },
  {
    name: 'attendedTransfer: transferredCallId',
    render: (v) =>
      renderOzeki(ozeki.attendedTransfer({ targetCallId: 'T-1', transferredCallId: v })),
    element: 'AttendedTransfer',
    attribute: 'TransferredCallId',
    mustAccept: (v) => acceptableText(v) && v !== 'T-1',
  },
  ...(['forward', 'forwardCall'] as const).flatMap((builder): StringCase[] => [
    {
      name: `${builder}: destination`,
      render: (v) => renderOzeki(ozeki[builder]({ destination: v })),
      element: builder === 'forward' ? 'Forward' : 'ForwardCall',
      attribute: 'Destination',
      mustAccept: acceptableText,
    },
    {
      name: `${builder}: callId`,
      render: (v) => renderOzeki(ozeki[builder]({ destination: '500', callId: v })),
      element: builder === 'forward' ? 'Forward' : 'ForwardCall',
      attribute: 'CallId',
      mustAccept: acceptableText,
    },
  ]),
  ...(['callId', 'recordPath'] as const).map((option): StringCase => ({
    name: `record: ${option}`,
    render: (v) => renderOzeki(ozeki.record({ [option]: v })),
    element: 'Record',
    attribute: option,
    mustAccept: acceptableText,
  })),
  {
    name: 'record: finishedUrl',
    render: (v) => renderOzeki(ozeki.record({ finishedUrl: v })),
    element: 'Record',
    attribute: 'FinishedUrl',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'record: finishDigits',
    render: (v) => renderOzeki(ozeki.record({ finishDigits: v })),
    element: 'Record',
    attribute: 'FinishDigits',
    sample: '#',
    mustAccept: dtmf,
  },
  {
    name: 'record: format',
    render: (v) => renderOzeki(ozeki.record({ format: loose(v) })),
    element: 'Record',
    attribute: 'Format',
    sample: 'wav',
    mustAccept: (v) => v === 'mp3' || v === 'wav',
  },
  {
    name: 'sendDtmf: keys',
    render: (v) => renderOzeki(ozeki.sendDtmf({ party: 'caller', keys: v })),
    element: 'SendDTMF',
    attribute: 'Keys',
    sample: '1',
    mustAccept: dtmf,
  },
  {
    name: 'sendDtmf: callId',
    render: (v) => renderOzeki(ozeki.sendDtmf({ party: 'callee', keys: '1', callId: v })),
    element: 'SendDTMF',
    attribute: 'CallId',
    mustAccept: acceptableText,
  },
  {
    name: 'route: destination',
    render: (v) => renderOzeki(ozeki.route({ destination: v })),
    element: 'Route',
    attribute: 'Destination',
    mustAccept: (v) => v === '' || acceptableText(v),
  },
  ...(['callerId', 'dialedNumber'] as const).map((option): StringCase => ({
    name: `route: ${option}`,
    render: (v) => renderOzeki(ozeki.route({ destination: '1000', [option]: v })),
    element: 'Route',
    attribute: option,
    mustAccept: acceptableText,
  })),
  {
    name: 'sendSms: message',
    render: (v) => renderOzeki(ozeki.sendSms(v, { recipient: '+3620123456' })),
    element: 'SendSms',
    mustAccept: acceptableText,
  },
  ...(['recipient', 'apiExtension', 'sender'] as const).map((option): StringCase => ({
    name: `sendSms: ${option}`,
    render: (v) => renderOzeki(ozeki.sendSms('Hi', { recipient: '1', [option]: v })),
    element: 'SendSms',
    attribute: option,
    mustAccept: acceptableText,
  })),
  {
    name: 'sendSms: deliveryReportUrl',
    render: (v) => renderOzeki(ozeki.sendSms('Hi', { recipient: '1', deliveryReportUrl: v })),
    element: 'SendSms',
    attribute: 'DeliveryReportURL',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
];

const VOIPNOW_STRINGS: readonly StringCase[] = [
  {
    name: 'setVar: value',
    render: (v) => renderVoipNow(voipnow.setVar('SubscriptionCode', v)),
    element: 'SetVar',
    mustAccept: acceptableText,
  },
  {
    name: 'setVar: name',
    render: (v) => renderVoipNow(voipnow.setVar(v, '1')),
    element: 'SetVar',
    attribute: 'name',
    mustAccept: variableName,
  },
  {
    name: 'playSound: sound',
    render: (v) => renderVoipNow(voipnow.playSound(v)),
    element: 'PlaySound',
    mustAccept: acceptableText,
  },
  {
    name: 'playSound: folder',
    render: (v) => renderVoipNow(voipnow.playSound('a', { folder: v })),
    element: 'PlaySound',
    attribute: 'folder',
    mustAccept: acceptableText,
  },
  {
    name: 'playSound: language',
    render: (v) => renderVoipNow(voipnow.playSound('a', { language: v })),
    element: 'PlaySound',
    attribute: 'language',
    sample: 'fr',
    mustAccept: (v) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(v),
  },
  {
    name: 'playSound: digitvar',
    render: (v) => renderVoipNow(voipnow.playSound('a', { digitvar: v })),
    element: 'PlaySound',
    attribute: 'digitvar',
    mustAccept: variableName,
  },
  {
    name: 'playSound: loop as a string',
    render: (v) => renderVoipNow(voipnow.playSound('a', { loop: loose(v) })),
    element: 'PlaySound',
    attribute: 'loop',
    sample: '',
    mustAccept: (v) => v === '',
  },
  {
    name: 'playSound: view',
    render: (v) => renderVoipNow(voipnow.playSound('a', { view: loose(v) })),
    element: 'PlaySound',
    attribute: 'view',
    sample: 'client',
    mustAccept: (v) => v === 'system' || v === 'client',
  },
  {
    name: 'playSound: where',
    render: (v) => renderVoipNow(voipnow.playSound('a', { where: loose(v) })),
    element: 'PlaySound',
    attribute: 'where',
    sample: 'background',
    mustAccept: (v) => v === 'foreground' || v === 'background',
  },
  {
    name: 'jump: context',
    render: (v) => renderVoipNow(voipnow.jump({ context: v, option: 1, priority: 1 })),
    element: 'Jump',
    attribute: 'context',
    mustAccept: acceptableText,
  },
  {
    name: 'jump: option as a string',
    render: (v) => renderVoipNow(voipnow.jump({ context: 'StartSupport', option: v })),
    element: 'Jump',
    attribute: 'option',
    mustAccept: acceptableText,
  },
  {
    name: 'setCaller: name',
    render: (v) => renderVoipNow(voipnow.setCaller({ name: v, number: '92992' })),
    element: 'SetCaller',
    attribute: 'name',
    mustAccept: acceptableText,
  },
  {
    name: 'setCaller: number',
    render: (v) => renderVoipNow(voipnow.setCaller({ name: 'n', number: v })),
    element: 'SetCaller',
    attribute: 'number',
    mustAccept: acceptableText,
  },
  {
    name: 'playTts: text',
    render: (v) => renderVoipNow(voipnow.playTts(v, { volume: 100 })),
    element: 'PlayTTS',
    mustAccept: acceptableText,
  },
  {
    name: 'playTts: voice',
    render: (v) => renderVoipNow(voipnow.playTts('Hi', { voice: v })),
    element: 'PlayTTS',
    attribute: 'voice',
    mustAccept: acceptableText,
  },
];

/** The `tag` every Opentact verb takes. */
const OPENTACT_TAGGED: readonly (readonly [string, (tag: string) => opentact.OpentactCommand])[] = [
  ['Answer', (tag) => opentact.answer({ tag })],
  ['Hangup', (tag) => opentact.hangup({ tag })],
  ['Record', (tag) => opentact.record({ tag })],
  ['RecordStart', (tag) => opentact.recordStart({ tag })],
  ['RecordStop', (tag) => opentact.recordStop({ tag })],
  ['RecordWait', (tag) => opentact.recordWait({ tag })],
  ['Hold', (tag) => opentact.hold({ tag })],
  ['Unhold', (tag) => opentact.unhold({ tag })],
  ['Error', (tag) => opentact.error({ tag })],
  ['Pause', (tag) => opentact.pause({ tag, lengthMs: 1 })],
  ['Say', (tag) => opentact.say('Hi', { tag })],
  ['Dial', (tag) => opentact.dial('1', { tag })],
  ['Tone', (tag) => opentact.tone({ tag })],
  ['Meta', (tag) => opentact.meta('n', 'v', { tag })],
  ['Geo', (tag) => opentact.geo({ tag })],
  ['Curl', (tag) => opentact.curl('https://a.example/', { tag })],
];

const OPENTACT_STRINGS: readonly StringCase[] = [
  ...OPENTACT_TAGGED.map(([element, build]): StringCase => ({
    name: `${element}: tag`,
    render: (v) => renderOpentact(build(v)),
    element,
    attribute: 'tag',
    mustAccept: acceptableText,
  })),
  {
    name: 'say: text (body)',
    render: (v) => renderOpentact(opentact.say(v, { lang: 'es' })),
    element: 'Say',
    mustAccept: acceptableText,
  },
  {
    name: 'say: text (attribute)',
    render: (v) => renderOpentact(opentact.say(v, { textAttribute: true })),
    element: 'Say',
    attribute: 'text',
    mustAccept: acceptableText,
  },
  {
    name: 'say: text (attribute, with an error block)',
    render: (v) => renderOpentact(opentact.say(v, { error: [opentact.hangup()] })),
    element: 'Say',
    attribute: 'text',
    mustAccept: acceptableText,
  },
  {
    name: 'say: code',
    render: (v) => renderOpentact(opentact.say('Hi', { code: v })),
    element: 'Say',
    attribute: 'code',
    mustAccept: (v) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v),
  },
  {
    name: 'say: lang',
    render: (v) => renderOpentact(opentact.say('Hi', { lang: v })),
    element: 'Say',
    attribute: 'lang',
    sample: 'en-US',
    mustAccept: (v) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(v),
  },
  {
    name: 'say: type',
    render: (v) => renderOpentact(opentact.say('Hi', { type: loose(v) })),
    element: 'Say',
    attribute: 'type',
    sample: 'WaveNet',
    mustAccept: (v) => v === 'WaveNet' || v === 'Standard',
  },
  {
    name: 'say: gender',
    render: (v) => renderOpentact(opentact.say('Hi', { gender: loose(v) })),
    element: 'Say',
    attribute: 'gender',
    sample: 'MALE',
    mustAccept: (v) => v === 'MALE' || v === 'FEMALE',
  },
  {
    name: 'play: url (body)',
    render: (v) => renderOpentact(opentact.play(v)),
    element: 'Play',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'play: url (attribute)',
    render: (v) => renderOpentact(opentact.play(v, { urlAttribute: true, loop: 2 })),
    element: 'Play',
    attribute: 'url',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'play: record',
    render: (v) => renderOpentact(opentact.play({ record: v })),
    element: 'Play',
    attribute: 'record',
    mustAccept: acceptableText,
  },
  {
    name: 'play: leg',
    render: (v) => renderOpentact(opentact.play(URL_BASE, { leg: loose(v) })),
    element: 'Play',
    attribute: 'leg',
    sample: 'aleg',
    mustAccept: (v) => ['aleg', 'bleg', 'both'].includes(v),
  },
  {
    name: 'pause: dtmfStop',
    render: (v) => renderOpentact(opentact.pause({ dtmfStop: v })),
    element: 'Pause',
    attribute: 'dtmf_stop',
    sample: '#',
    mustAccept: dtmf,
  },
  {
    name: 'dial: destination (To)',
    render: (v) => renderOpentact(opentact.dial(v)),
    element: 'To',
    mustAccept: (v) => acceptableText(v) && !/\s/.test(v),
  },
  {
    name: 'dial: second destination (Sip)',
    render: (v) => renderOpentact(opentact.dial(['1000@pbx.example.com', v], { noun: 'Sip' })),
    element: 'Sip',
    mustAccept: (v) => acceptableText(v) && !/\s/.test(v) && v !== '1000@pbx.example.com',
  },
  {
    name: 'dial: noun',
    render: (v) => renderOpentact(opentact.dial('1', { noun: loose(v) })),
    element: 'Dial',
    sample: 'Sip',
    // The noun is an element name, never a value: only To and Sip are accepted.
    mustAccept: (v) => v === 'To' || v === 'Sip',
  },
  {
    name: 'gather: url',
    render: (v) => renderOpentact(opentact.gather({ url: v, length: 4 })),
    element: 'Gather',
    attribute: 'url',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'gather: dtmfStop',
    render: (v) =>
      renderOpentact(opentact.gather({ dtmfStop: v, default: [opentact.say('No choice.')] })),
    element: 'Gather',
    attribute: 'dtmf_stop',
    sample: '#',
    mustAccept: dtmf,
  },
  {
    name: 'gather: DTMF value',
    render: (v) =>
      renderOpentact(
        opentact.gather({
          prompt: [opentact.say('Choose.')],
          dtmf: [{ value: v, commands: [opentact.say('Chosen.')] }],
        }),
      ),
    element: 'DTMF',
    attribute: 'value',
    sample: '1',
    mustAccept: dtmf,
  },
  {
    name: 'gather: default tag',
    render: (v) =>
      renderOpentact(opentact.gather({ default: { commands: [opentact.hangup()], tag: v } })),
    element: 'Default',
    attribute: 'tag',
    mustAccept: acceptableText,
  },
  {
    name: 'legacyGather: callback',
    render: (v) => renderOpentact(opentact.legacyGather({ callback: v, method: 'post' })),
    element: 'Gather',
    attribute: 'callback',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'legacyGather: method',
    render: (v) => renderOpentact(opentact.legacyGather({ callback: URL_BASE, method: v })),
    element: 'Gather',
    attribute: 'method',
    sample: 'GET',
    mustAccept: (v) => ['GET', 'POST'].includes(v.toUpperCase()),
  },
  {
    name: 'legacyGather: finishOnKey',
    render: (v) => renderOpentact(opentact.legacyGather({ callback: URL_BASE, finishOnKey: v })),
    element: 'Gather',
    attribute: 'finishOnKey',
    sample: '#',
    mustAccept: (v) => /^[0-9*#+]+$/.test(v),
  },
  {
    name: 'legacyGather: case dtmf',
    render: (v) =>
      renderOpentact(
        opentact.legacyGather({
          numDigits: 1_000_000,
          finishOnKey: '+',
          cases: [{ dtmf: v, commands: [opentact.hangup()] }],
        }),
      ),
    element: 'Case',
    attribute: 'dtmf',
    sample: '1',
    mustAccept: dtmf,
  },
  {
    name: 'callback: url (attribute)',
    render: (v) => renderOpentact(opentact.callback(v, { method: 'post', body: true })),
    element: 'Callback',
    attribute: 'url',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'callback: url (text form)',
    render: (v) => renderOpentact(opentact.callback(v, { textForm: true })),
    element: 'callback',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'callback: method',
    render: (v) => renderOpentact(opentact.callback(URL_BASE, { method: v })),
    element: 'Callback',
    attribute: 'method',
    sample: 'patch',
    mustAccept: (v) => ['GET', 'POST', 'PATCH', 'DELETE'].includes(v.toUpperCase()),
  },
  {
    name: 'curl: url',
    render: (v) => renderOpentact(opentact.curl(v, { timeoutMs: 5000 })),
    element: 'Curl',
    attribute: 'url',
    input: asUrl,
    mustAccept: acceptableUrl,
  },
  {
    name: 'curl: method',
    render: (v) => renderOpentact(opentact.curl(URL_BASE, { method: v })),
    element: 'Curl',
    attribute: 'method',
    sample: 'Options',
    mustAccept: (v) =>
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(v.toUpperCase()),
  },
  {
    name: 'curl: body',
    render: (v) => renderOpentact(opentact.curl(URL_BASE, { method: 'POST', body: v })),
    element: 'Curl',
    attribute: 'body',
    mustAccept: acceptableText,
  },
  {
    name: 'meta: name',
    render: (v) => renderOpentact(opentact.meta(v, 'v')),
    element: 'Meta',
    attribute: 'name',
    mustAccept: (v) => /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v),
  },
  {
    name: 'meta: value (attribute, may be empty)',
    render: (v) => renderOpentact(opentact.meta('description', v)),
    element: 'Meta',
    attribute: 'value',
    mustAccept: xmlCarriable,
  },
  {
    name: 'meta: value (text body)',
    render: (v) => renderOpentact(opentact.meta('description', v, { body: true })),
    element: 'Meta',
    mustAccept: acceptableText,
  },
  {
    name: 'tone: meta value',
    render: (v) => renderOpentact(opentact.tone({ hz: [480], meta: [opentact.meta('m', v)] })),
    element: 'Meta',
    attribute: 'value',
    mustAccept: xmlCarriable,
  },
  {
    name: 'call: field',
    render: (v) => renderOpentact(opentact.call({ field: v, value: '1' })),
    element: 'Call',
    attribute: 'field',
    mustAccept: (v) => /^[A-Za-z_][A-Za-z0-9_.]*$/.test(v),
  },
  {
    name: 'call: value',
    render: (v) =>
      renderOpentact(opentact.call({ field: 'to', value: v, commands: [opentact.hangup()] })),
    element: 'Call',
    attribute: 'value',
    mustAccept: xmlCarriable,
  },
  {
    name: 'geo: states (string)',
    render: (v) => renderOpentact(opentact.geo({ states: v })),
    element: 'Geo',
    attribute: 'states',
    sample: 'NJ,CA',
  },
  {
    name: 'geo: county',
    render: (v) => renderOpentact(opentact.geo({ county: v })),
    element: 'Geo',
    attribute: 'county',
    mustAccept: acceptableText,
  },
  {
    name: 'schedule: dow (string)',
    render: (v) => renderOpentact(opentact.schedule({ dow: v })),
    element: 'Schedule',
    attribute: 'dow',
    sample: 'mon,tue',
  },
  {
    name: 'schedule: time',
    render: (v) => renderOpentact(opentact.schedule({ time: v })),
    element: 'Schedule',
    attribute: 'time',
    sample: '07:00:00-18:00:00',
  },
  {
    name: 'tone: hz (string)',
    render: (v) => renderOpentact(opentact.tone({ hz: v })),
    element: 'Tone',
    attribute: 'hz',
    sample: '480x2,620',
  },
  {
    name: 'tone: leg',
    render: (v) => renderOpentact(opentact.tone({ leg: loose(v) })),
    element: 'Tone',
    attribute: 'leg',
    sample: 'both',
    mustAccept: (v) => ['aleg', 'bleg', 'both'].includes(v),
  },
];

const STRING_CASES: readonly (readonly [string, StringCase])[] = [
  ...PLACETEL_STRINGS.map((c) => ['placetel', c] as const),
  ...OZEKI_STRINGS.map((c) => ['ozeki', c] as const),
  ...VOIPNOW_STRINGS.map((c) => ['voipnow', c] as const),
  ...OPENTACT_STRINGS.map((c) => ['opentact', c] as const),
];

// ---------------------------------------------------------------------------------------------
// Number options
// ---------------------------------------------------------------------------------------------

interface NumberCase {
  readonly name: string;
  readonly render: (value: number) => string[];
  readonly element: string;
  readonly attribute?: string;
  /** When the builder must accept the number. */
  readonly mustAccept: (value: number) => boolean;
}

const whole =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (value: number): boolean =>
    Number.isSafeInteger(value) && value >= min && value <= max;

/** Finite, written without an exponent. */
const plain = (value: number): boolean => Number.isFinite(value) && !/e/i.test(String(value));

const NUMBER_CASES: readonly (readonly [string, NumberCase])[] = [
  ...(
    [
      {
        name: 'forward: target ringtime',
        render: (n) =>
          renderPlacetel(placetel.forward({ targets: [{ ringtime: n, numbers: ['1'] }] })),
        element: 'Target',
        attribute: 'ringtime',
        mustAccept: whole(1, 3600),
      },
      {
        name: 'group: ringtime',
        render: (n) => renderPlacetel(placetel.group({ id: 1, ringtime: n })),
        element: 'Group',
        attribute: 'ringtime',
        mustAccept: whole(10, 60),
      },
      {
        name: 'queue: numeric id',
        render: (n) => renderPlacetel(placetel.queue({ id: n })),
        element: 'Queue',
        attribute: 'id',
        mustAccept: whole(1),
      },
      {
        name: 'prompt: numeric id',
        render: (n) => renderPlacetel(placetel.prompt({ id: n })),
        element: 'Prompt',
        attribute: 'id',
        mustAccept: whole(1),
      },
      {
        name: 'forward: numeric voicemailAnnouncement',
        render: (n) => renderPlacetel(placetel.forward({ voicemailAnnouncement: n })),
        element: 'Forward',
        attribute: 'voicemail_announcement',
        mustAccept: whole(1),
      },
    ] satisfies NumberCase[]
  ).map((c) => ['placetel', c] as const),
  ...(
    [
      {
        name: 'delay: seconds',
        render: (n) => renderOzeki(ozeki.delay(n)),
        element: 'Delay',
        mustAccept: whole(0),
      },
      {
        name: 'play: timeout',
        render: (n) => renderOzeki(ozeki.play('a.wav', { timeout: n })),
        element: 'Play',
        attribute: 'Timeout',
        mustAccept: whole(0),
      },
      {
        name: 'userInput: timeout',
        render: (n) => renderOzeki(ozeki.userInput({ timeout: n, executeSql: 'x' })),
        element: 'UserInput',
        attribute: 'Timeout',
        mustAccept: whole(0),
      },
      ...(['digits', 'minDigits', 'maxDigits'] as const).map((option): NumberCase => ({
        name: `userInput: ${option}`,
        render: (n) => renderOzeki(ozeki.userInput({ [option]: n, forwardToUrl: URL_BASE })),
        element: 'UserInput',
        attribute: option,
        mustAccept: whole(1),
      })),
      ...(['duration', 'inactivity'] as const).map((option): NumberCase => ({
        name: `record: ${option}`,
        render: (n) => renderOzeki(ozeki.record({ [option]: n })),
        element: 'Record',
        attribute: option,
        mustAccept: whole(0),
      })),
      {
        name: 'route: ringTime',
        render: (n) => renderOzeki(ozeki.route({ destination: '1000', ringTime: n })),
        element: 'Route',
        attribute: 'RingTime',
        mustAccept: whole(1),
      },
    ] satisfies NumberCase[]
  ).map((c) => ['ozeki', c] as const),
  ...(
    [
      {
        name: 'pause: length',
        render: (n) => renderVoipNow(voipnow.pause({ length: n })),
        element: 'Pause',
        attribute: 'length',
        mustAccept: whole(1, 3600),
      },
      {
        name: 'playSound: loop',
        render: (n) => renderVoipNow(voipnow.playSound('a', { loop: n })),
        element: 'PlaySound',
        attribute: 'loop',
        mustAccept: whole(1),
      },
      {
        name: 'jump: numeric option',
        render: (n) => renderVoipNow(voipnow.jump({ context: 'c', option: n })),
        element: 'Jump',
        attribute: 'option',
        mustAccept: whole(0),
      },
      {
        name: 'jump: priority',
        render: (n) => renderVoipNow(voipnow.jump({ context: 'c', priority: n })),
        element: 'Jump',
        attribute: 'priority',
        mustAccept: whole(1),
      },
      {
        name: 'playTts: volume',
        render: (n) => renderVoipNow(voipnow.playTts('Hi', { volume: n })),
        element: 'PlayTTS',
        attribute: 'volume',
        mustAccept: whole(0, 300),
      },
    ] satisfies NumberCase[]
  ).map((c) => ['voipnow', c] as const),
  ...(
    [
      {
        name: 'answer: delayMs',
        render: (n) => renderOpentact(opentact.answer({ delayMs: n })),
        element: 'Answer',
        attribute: 'delay',
        mustAccept: whole(0),
      },
      {
        name: 'say: loop',
        render: (n) => renderOpentact(opentact.say('Hi', { loop: n })),
        element: 'Say',
        attribute: 'loop',
        mustAccept: whole(1),
      },
      {
        name: 'play: loop',
        render: (n) => renderOpentact(opentact.play(URL_BASE, { loop: n })),
        element: 'Play',
        attribute: 'loop',
        mustAccept: whole(1),
      },
      {
        name: 'pause: lengthMs',
        render: (n) => renderOpentact(opentact.pause({ lengthMs: n })),
        element: 'Pause',
        attribute: 'length',
        mustAccept: whole(0),
      },
      {
        name: 'record: timeoutMs',
        render: (n) => renderOpentact(opentact.record({ timeoutMs: n })),
        element: 'Record',
        attribute: 'timeout',
        mustAccept: whole(0),
      },
      {
        name: 'gather: dtmfLength',
        render: (n) => renderOpentact(opentact.gather({ dtmfLength: n, url: URL_BASE })),
        element: 'Gather',
        attribute: 'dtmf_length',
        mustAccept: whole(1),
      },
      {
        name: 'gather: length',
        render: (n) => renderOpentact(opentact.gather({ length: n, url: URL_BASE })),
        element: 'Gather',
        attribute: 'length',
        mustAccept: whole(1),
      },
      {
        name: 'legacyGather: numDigits',
        render: (n) => renderOpentact(opentact.legacyGather({ numDigits: n, callback: URL_BASE })),
        element: 'Gather',
        attribute: 'numDigits',
        mustAccept: whole(1),
      },
      {
        name: 'legacyGather: attempts',
        render: (n) => renderOpentact(opentact.legacyGather({ attempts: n, callback: URL_BASE })),
        element: 'Gather',
        attribute: 'attempts',
        mustAccept: whole(1),
      },
      {
        name: 'legacyGather: timeoutMs',
        render: (n) => renderOpentact(opentact.legacyGather({ timeoutMs: n, callback: URL_BASE })),
        element: 'Gather',
        attribute: 'timeout',
        mustAccept: whole(0),
      },
      {
        name: 'callback: timeoutMs',
        render: (n) => renderOpentact(opentact.callback(URL_BASE, { timeoutMs: n })),
        element: 'Callback',
        attribute: 'timeout',
        mustAccept: whole(0),
      },
      {
        name: 'curl: timeoutMs',
        render: (n) => renderOpentact(opentact.curl(URL_BASE, { timeoutMs: n })),
        element: 'Curl',
        attribute: 'timeout',
        mustAccept: whole(0),
      },
      {
        name: 'hold: timeoutMs',
        render: (n) => renderOpentact(opentact.hold({ timeoutMs: n })),
        element: 'Hold',
        attribute: 'timeout',
        mustAccept: whole(0),
      },
      ...(
        [
          ['donMs', 'don'],
          ['doffMs', 'doff'],
          ['timeoutMs', 'timeout'],
        ] as const
      ).map(([option, attribute]): NumberCase => ({
        name: `tone: ${option}`,
        render: (n) => renderOpentact(opentact.tone({ [option]: n })),
        element: 'Tone',
        attribute,
        mustAccept: whole(0),
      })),
      {
        name: 'tone: loop',
        render: (n) => renderOpentact(opentact.tone({ loop: n })),
        element: 'Tone',
        attribute: 'loop',
        mustAccept: whole(1),
      },
      {
        name: 'tone: volume',
        render: (n) => renderOpentact(opentact.tone({ volume: n })),
        element: 'Tone',
        attribute: 'v',
        mustAccept: (n) => whole(Number.MIN_SAFE_INTEGER, 0)(n),
      },
      {
        name: 'tone: hz (array)',
        render: (n) => renderOpentact(opentact.tone({ hz: [n] })),
        element: 'Tone',
        attribute: 'hz',
        mustAccept: (n) => n > 0 && plain(n),
      },
      {
        name: 'meta: numeric value',
        render: (n) => renderOpentact(opentact.meta('count', n)),
        element: 'Meta',
        attribute: 'value',
        mustAccept: plain,
      },
      {
        name: 'call: numeric value',
        render: (n) => renderOpentact(opentact.call({ field: 'to', value: n })),
        element: 'Call',
        attribute: 'value',
        mustAccept: plain,
      },
    ] satisfies NumberCase[]
  ).map((c) => ['opentact', c] as const),
];

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** Runs `build`; returns its documents, or `undefined` when it refused with the coded error. */
function outcome(build: () => string[]): string[] | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof CallControlError)) {
      throw new Error(`an uncoded ${String(error)} instead of CC_ERR_ANSWER_INVALID`, {
        cause: error,
      });
    }
    expect(error.code).toBe('CC_ERR_ANSWER_INVALID');
    return undefined;
  }
}

/** Every value at `element`/`attribute` (or the element's whole text) in the tree. */
function valuesAt(tree: CanonicalElement, element: string, attribute?: string): string[] {
  const found: string[] = [];
  const visit = (node: CanonicalElement): void => {
    if (node.name === element) {
      if (attribute === undefined) {
        found.push(node.children.map((child) => ('text' in child ? child.text : '')).join(''));
      } else {
        // Ozeki's camel-case rendering changes only the attribute name's first letter.
        for (const [name, value] of Object.entries(node.attributes)) {
          if (name.toLowerCase() === attribute.toLowerCase()) found.push(value);
        }
      }
    }
    for (const child of node.children) if (!('text' in child)) visit(child);
  };
  visit(tree);
  return found;
}

/** The element structure of a tree: names and attribute names, not values or text. */
function shape(node: CanonicalElement): unknown {
  return {
    name: node.name,
    attributes: Object.keys(node.attributes).sort(),
    children: node.children.flatMap((child) => ('text' in child ? [] : [shape(child)])),
  };
}

/**
 * Parses every document strictly. A document must also hold only characters XML can carry:
 * the parser alone would not notice a raw control character.
 */
function parseAll(documents: readonly string[]): CanonicalElement[] {
  return documents.map((xml) => {
    if (!xmlCarriable(xml)) {
      throw new Error(`emitted a character XML cannot carry: ${JSON.stringify(xml)}`);
    }
    try {
      return canonicalXml(xml);
    } catch (error) {
      throw new Error(`a malformed document: ${JSON.stringify(xml)}`, { cause: error });
    }
  });
}

describe.each(STRING_CASES)('%s %#: strings', (_provider, testCase) => {
  const input = testCase.input ?? ((generated: string) => generated);
  const sampleTrees = parseAll(testCase.render(input(testCase.sample ?? 'x')));

  test(`${testCase.name}: coded refusal, or the exact string back in the same structure`, () => {
    fc.assert(
      fc.property(hostileString, (generated) => {
        const value = input(generated);
        const documents = outcome(() => testCase.render(value));
        if (documents === undefined) {
          if (testCase.mustAccept?.(value) === true) {
            throw new Error(`refused a value it must accept: ${JSON.stringify(value)}`);
          }
          return;
        }
        const trees = parseAll(documents);
        trees.forEach((tree, index) => {
          expect(tree.name).toBe('Response');
          expect(valuesAt(tree, testCase.element, testCase.attribute)).toContain(value);
          expect(shape(tree)).toEqual(shape(sampleTrees[index] ?? tree));
        });
      }),
      { numRuns: STRING_RUNS },
    );
  });
});

describe.each(NUMBER_CASES)('%s %#: numbers', (_provider, testCase) => {
  test(`${testCase.name}: coded refusal, or a plain decimal that reads back as the number`, () => {
    fc.assert(
      fc.property(hostileNumber, (value) => {
        const documents = outcome(() => testCase.render(value));
        if (documents === undefined) {
          if (testCase.mustAccept(value)) throw new Error(`refused ${String(value)}`);
          return;
        }
        if (!testCase.mustAccept(value)) throw new Error(`accepted ${String(value)}`);
        for (const tree of parseAll(documents)) {
          const [text] = valuesAt(tree, testCase.element, testCase.attribute);
          expect(text).toMatch(/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/);
          expect(text).not.toBe('-0');
          expect(Number(text)).toBe(Object.is(value, -0) ? 0 : value);
        }
      }),
      { numRuns: NUMBER_RUNS },
    );
  });
});

/** Any JavaScript value, including ones whose `String()` throws (null-prototype objects). */
const anyValue = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
  }),
  fc.constantFrom<unknown>(Object.create(null), Symbol('s'), () => 1, [undefined], [[]], 10n),
);

describe('any JavaScript value in any option', () => {
  test.each([
    ...STRING_CASES.map(([provider, c]) => [provider, c.name, c.render] as const),
    ...NUMBER_CASES.map(([provider, c]) => [provider, c.name, c.render] as const),
  ])('%s %s: coded refusal or a well-formed document', (_provider, _name, render) => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const documents = outcome(() => render(loose<never>(value)));
        if (documents !== undefined) parseAll(documents);
      }),
      { numRuns: ANY_RUNS },
    );
  });
});
