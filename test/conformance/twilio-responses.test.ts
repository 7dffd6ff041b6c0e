/**
 * Every documented TwiML answer (test/data/providers/twilio.json `responses`,
 * docs/providers/twilio.md §5, §6) can be built with the Twilio builders, and the built
 * document equals the documented one as XML (comments, whitespace between elements and
 * attribute order aside).
 */
import {
  application,
  applicationSid,
  client,
  conference,
  connect,
  dial,
  enqueue,
  gather,
  hangup,
  leave,
  number,
  parameter,
  pause,
  play,
  record,
  redirect,
  refer,
  reject,
  renderTwilioAnswer,
  response,
  say,
  sip,
  ssmlBreak,
  ssmlEmphasis,
  ssmlP,
  ssmlPhoneme,
  ssmlProsody,
  ssmlS,
  ssmlSayAs,
  ssmlSub,
  ssmlW,
  start,
  stream,
  transcription,
  type TwilioAnswer,
} from '../../src/providers/twilio';
import { loadFixtures } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';

const fixtures = loadFixtures('twilio');

const FOUR_ONE_FIVE = '415-123-4567';

/** How each documented answer is built. Every fixture id needs an entry here. */
const BUILDERS: Readonly<Record<string, () => TwilioAnswer>> = {
  'twilio.twiml.say': () => response(say('Hello!')),
  'twilio.twiml.say-loop': () => response(say({ loop: 2 }, 'Hello!')),
  'twilio.twiml.say-polly': () =>
    response(say({ voice: 'Polly.Mathieu', language: 'fr-FR' }, "Bonjour! Je m'appelle Mathieu.")),
  'twilio.twiml.say-ssml': () =>
    response(
      say(
        { voice: 'Polly.Joanna' },
        'Hi',
        ssmlBreak({ strength: 'x-weak', time: '100ms' }),
        ssmlEmphasis({ level: 'moderate' }, 'Words to emphasize'),
        ssmlP('Words to speak'),
        'aaaaaa',
        ssmlPhoneme({ alphabet: 'x-sampa', ph: 'pɪˈkɑːn' }, 'Words to speak'),
        'bbbbbbb',
        ssmlProsody({ pitch: '-10%', rate: '85%', volume: '-6dB' }, 'Words to speak'),
        ssmlS('Words to speak'),
        ssmlSayAs({ interpretAs: 'spell-out' }, 'Words to speak'),
        ssmlSub({ alias: 'alias' }, 'Words to be substituted'),
        ssmlW('Words to speak'),
      ),
    ),
  'twilio.twiml.play-loop': () =>
    response(play({ loop: 10 }, 'https://api.twilio.com/cowbell.mp3')),
  'twilio.twiml.play-digits': () => response(play({ digits: 'wwww3' })),
  'twilio.twiml.pause': () =>
    response(
      say('I will pause 10 seconds starting now!'),
      pause({ length: 10 }),
      say('I just paused 10 seconds'),
    ),
  'twilio.twiml.gather-speech-dtmf': () =>
    response(
      gather(
        { input: ['speech', 'dtmf'], timeout: 3, numDigits: 1 },
        say('Please press 1 or say sales for sales.'),
      ),
    ),
  'twilio.twiml.gather-action-get': () =>
    response(
      gather(
        { action: '/process_gather.php', method: 'GET' },
        say('Please enter your account number, followed by the pound sign'),
      ),
      say("We didn't receive any input. Goodbye!"),
    ),
  'twilio.twiml.dial-number': () => response(dial(number(FOUR_ONE_FIVE))),
  'twilio.twiml.dial-text-then-say': () => response(dial(FOUR_ONE_FIVE), say('Goodbye')),
  'twilio.twiml.dial-callerid': () =>
    response(dial({ callerId: '+15551112222' }, number('+15558675310'))),
  'twilio.twiml.dial-record-dual': () =>
    response(
      dial(
        { record: 'record-from-ringing-dual', recordingStatusCallback: 'www.myexample.com' },
        number('+15558675310'),
      ),
    ),
  'twilio.twiml.dial-sip-refer': () =>
    response(
      dial(
        { referUrl: 'https://example.com/handler' },
        sip(
          'sip:AgentA@xyz.sip.us1.twilio.com?User-to-User=123456789%3Bencoding%3Dhex&X-Name=Agent%2C+A',
        ),
      ),
    ),
  'twilio.twiml.number-senddigits': () =>
    response(dial(number({ sendDigits: 'wwww1928' }, FOUR_ONE_FIVE))),
  'twilio.twiml.number-status-callback': () =>
    response(
      dial(
        number(
          {
            statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
            statusCallback: 'https://myapp.com/calls/events',
            statusCallbackMethod: 'POST',
          },
          '+12349013030',
        ),
      ),
    ),
  'twilio.twiml.number-whisper-url': () =>
    response(dial(number({ url: 'http://example.com/agent_screen_call' }, FOUR_ONE_FIVE))),
  'twilio.twiml.client': () => response(dial(client('joey'))),
  'twilio.twiml.conference-dial-attrs': () =>
    response(
      dial(
        { action: 'handleLeaveConference.php', method: 'POST', hangupOnStar: true, timeLimit: 30 },
        conference('LoveTwilio'),
      ),
    ),
  'twilio.twiml.queue': () => response(enqueue({ waitUrl: 'wait-music.xml' }, 'support')),
  'twilio.twiml.enqueue': () => response(enqueue({ waitUrl: 'wait-music.xml' }, 'support')),
  'twilio.twiml.leave': () => response(leave()),
  'twilio.twiml.record-transcribe': () => response(record({ timeout: 10, transcribe: true })),
  'twilio.twiml.redirect': () =>
    response(redirect({ method: 'POST' }, 'http://pigeons.com/twiml.xml')),
  'twilio.twiml.redirect-relative': () => response(redirect('../nextInstructions')),
  'twilio.twiml.reject': () => response(reject()),
  'twilio.twiml.reject-busy': () => response(reject({ reason: 'busy' })),
  'twilio.twiml.hangup': () => response(hangup()),
  'twilio.twiml.hangup-parameter': () =>
    response(hangup(parameter({ name: 'hangup_reason', value: 'no agents available' }))),
  'twilio.twiml.refer': () => response(refer(sip('sip:alice@example.com'))),
  'twilio.twiml.start-stream': () =>
    response(
      start(
        stream(
          { url: 'wss://mystream.ngrok.io/example' },
          parameter({ name: 'FirstName', value: 'Jane' }),
          parameter({ name: 'LastName', value: 'Doe' }),
        ),
      ),
    ),
  'twilio.twiml.connect-stream': () =>
    response(
      connect(stream({ url: 'wss://example.com/audiostream' })),
      say(
        'This TwiML instruction is unreachable unless the Stream is ended by your WebSocket server.',
      ),
    ),
  'twilio.twiml.transcription': () =>
    response(start(transcription({ statusCallbackUrl: 'https://example.com/your-callback-url' }))),
  'twilio.twiml.application-parameter': () =>
    response(
      dial(
        application(
          applicationSid('AP1234567890abcdef1234567890abcd'),
          parameter({ name: 'AccountNumber', value: '12345' }),
          parameter({ name: 'TicketNumber', value: '9876' }),
        ),
      ),
    ),
};

test('the fixture file has response fixtures with unique ids', () => {
  expect(fixtures.provider).toBe('twilio');
  expect(fixtures.responses.length).toBeGreaterThan(0);
  const ids = fixtures.responses.map((fixture) => fixture.id);
  expect(new Set(ids).size).toBe(ids.length);
});

test('every builder entry belongs to a fixture (no stale entries)', () => {
  const ids = new Set(fixtures.responses.map((fixture) => fixture.id));
  expect(Object.keys(BUILDERS).filter((id) => !ids.has(id))).toEqual([]);
});

test.each(fixtures.responses.map((fixture) => [fixture.id, fixture] as const))(
  '%s is built by the builders',
  (id, fixture) => {
    const build = BUILDERS[id];
    if (build === undefined) {
      throw new Error(`No builder for response fixture "${id}": add one to BUILDERS`);
    }
    expect(canonicalXml(renderTwilioAnswer(build()))).toEqual(canonicalXml(fixture.xml));
  },
);
