/**
 * Every documented TeXML answer (test/data/providers/telnyx.json `responses`,
 * docs/providers/telnyx.md §5.4) can be built with the TeXML builders, and the built document
 * equals the documented one as XML.
 */
import { renderTwiml } from '../../src/providers/twiml/builders';
import {
  conference,
  dial,
  gather,
  hangup,
  number,
  parameter,
  pause,
  play,
  record,
  recording,
  redirect,
  refer,
  reject,
  response,
  say,
  sip,
  siprec,
  start,
  stream,
  suppression,
  transcription,
  type TelnyxAnswer,
} from '../../src/providers/telnyx';
import { loadFixtures } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';

const fixtures = loadFixtures('telnyx');

const NEXT = '/nextinstructions.php';
const CALLER = '+13120001234';

/** How each documented answer is built. Every fixture id needs an entry here. */
const BUILDERS: Readonly<Record<string, () => TelnyxAnswer>> = {
  'telnyx.texml.dial-text': () =>
    response(dial({ action: NEXT, callerId: CALLER }, '+19999999999')),
  'telnyx.texml.dial-number-status': () =>
    response(
      dial(
        { action: NEXT, callerId: CALLER },
        number(
          {
            statusCallback: 'https://foo.com/my_call_stats',
            statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
          },
          '+19999999999',
        ),
      ),
    ),
  'telnyx.texml.dial-sip': () =>
    response(
      dial(
        { action: NEXT, callerId: CALLER, hangupOnStar: true },
        sip(
          {
            statusCallback: 'https://foo.com/my_sip_call_stats',
            statusCallbackEvent: ['initiated'],
          },
          'sip:connection@sip.telnyx.com',
        ),
      ),
    ),
  'telnyx.texml.dial-number-amd': () =>
    response(
      dial(
        { action: NEXT, callerId: CALLER },
        number(
          {
            statusCallback: 'https://foo.com/my_call_stats',
            statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed', 'amd'],
            machineDetection: 'Enable',
            detectionMode: 'Regular',
          },
          '+19999999999',
        ),
      ),
    ),
  'telnyx.texml.conference': () => response(dial({ action: NEXT }, conference('conference_name'))),
  'telnyx.texml.gather': () =>
    response(
      gather(
        { timeout: 5, numDigits: 1, finishOnKey: '#' },
        say('Press 1 for sales, press 2 for support.'),
      ),
    ),
  'telnyx.texml.instruction-response': () =>
    response(
      say('Welcome to the Telnyx TeXML service.'),
      gather({ timeout: 5, numDigits: 1 }, say('Press 1 to continue.')),
    ),
  'telnyx.texml.record': () =>
    response(
      record({ action: 'https://example.com/recording-complete', maxLength: 30, playBeep: true }),
    ),
  'telnyx.texml.record-transcription': () =>
    response(
      say(
        { voice: 'Telnyx.KokoroTTS.af' },
        'This call will be recorded and transcribed for quality purposes.',
      ),
      record({
        action: 'https://example.com/recording-complete',
        method: 'POST',
        maxLength: 60,
        timeout: 5,
        transcription: true,
        transcriptionEngine: 'A',
        transcriptionCallback: 'https://example.com/transcription-result',
      }),
    ),
  'telnyx.texml.say': () =>
    response(say({ voice: 'alice' }, 'This is a premium Amazon Polly text-to-speech message!')),
  'telnyx.texml.play': () => response(play('https://example.com/welcome.mp3')),
  'telnyx.texml.pause': () => response(pause({ length: 5 })),
  'telnyx.texml.reject-busy': () => response(reject({ reason: 'busy' })),
  'telnyx.texml.redirect': () =>
    response(redirect({ method: 'POST' }, 'https://example.com/next-instructions')),
  'telnyx.texml.refer': () => response(refer(sip('sip:john@example.com'))),
  'telnyx.texml.start-stream': () =>
    response(start(stream({ url: 'wss://yourdomain.com/stream', track: 'both_tracks' }))),
  'telnyx.texml.start-stream-parameters': () =>
    response(
      start(
        stream(
          {
            url: 'wss://yourdomain.com/stream',
            statusCallback: 'https://example.com/stream-events',
          },
          parameter({ name: 'customer_id', value: '12345' }),
          parameter({ name: 'call_type', value: 'support' }),
        ),
      ),
    ),
  'telnyx.texml.start-transcription': () =>
    response(
      start(
        transcription({
          language: 'en',
          interimResults: true,
          transcriptionCallback: '/transcription',
        }),
      ),
    ),
  'telnyx.texml.start-siprec': () =>
    response(
      start(
        siprec({
          name: 'siprec_session',
          track: 'both_tracks',
          connectorName: 'my-connector',
          statusCallback: 'https://example.com/siprec_callback',
        }),
      ),
    ),
  'telnyx.texml.start-suppression': () => response(start(suppression({ direction: 'both' }))),
  'telnyx.texml.start-recording': () => response(start(recording()), say('Recording has started.')),
  'telnyx.texml.hangup': () => response(hangup()),
};

test('every documented answer has a builder entry, and every entry a fixture', () => {
  expect(Object.keys(BUILDERS).sort()).toEqual(fixtures.responses.map((f) => f.id).sort());
});

describe.each(fixtures.responses.map((f) => [f.id, f] as const))('%s', (_id, fixture) => {
  test('the builders produce the documented document', () => {
    const build = BUILDERS[fixture.id];
    expect(build).toBeDefined();
    const xml = renderTwiml((build as () => TelnyxAnswer)());
    expect(canonicalXml(xml)).toEqual(canonicalXml(fixture.xml));
  });
});
