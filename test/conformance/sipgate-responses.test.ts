/**
 * Every documented sipgate.io answer document (test/data/providers/sipgate.json `responses`,
 * docs/providers/sipgate.md §7) can be built with the builders, and the built document equals
 * the documented one as XML.
 */
import {
  dial,
  gather,
  hangup,
  play,
  reject,
  response,
  type SipgateAnswer,
} from '../../src/providers/sipgate/responses';
import { loadFixtures } from '../helpers/fixtures';
import { canonicalXml } from '../helpers/xml';

const fixtures = loadFixtures('sipgate');

const zammad = (direction: string): string =>
  `http://zammad.example.com/api/v1/sipgate/${direction}`;

/** How each documented answer is built. Every fixture id needs an entry here. */
const BUILDERS: Readonly<Record<string, () => SipgateAnswer>> = {
  'sipgate.dial-number': () => dial({ numbers: ['4915799912345'] }),
  'sipgate.dial-voicemail': () => dial({ voicemail: true }),
  'sipgate.dial-anonymous': () => dial({ anonymous: true, numbers: ['4915799912345'] }),
  'sipgate.dial-callerid': () => dial({ callerId: '492111234567', numbers: ['4915799912345'] }),
  'sipgate.dial-multiple': () => dial({ numbers: ['4915799912345', '492111234567'] }),
  'sipgate.play': () => play({ url: 'http://example.com/example.wav' }),
  'sipgate.gather-play': () =>
    gather({
      onData: 'http://localhost:3000/dtmf',
      maxDigits: 3,
      timeout: 10000,
      play: play({ url: 'https://example.com/example.wav' }),
    }),
  'sipgate.reject': () => reject(),
  'sipgate.reject-busy': () => reject({ reason: 'busy' }),
  'sipgate.hangup': () => hangup(),
  'sipgate.on-answer': () => response({ onAnswer: 'http://localhost:3000/answer' }),
  'sipgate.on-hangup': () => response({ onHangup: 'http://localhost:3000/hangup' }),
  'sipgate.sdk.empty': () => response({}),
  'sipgate.sdk.on-answer-on-hangup': () =>
    response({ onAnswer: 'http://localhost:9999', onHangup: 'http://localhost:9999' }),
  'sipgate.sdk.gather-no-play': () =>
    gather({ maxDigits: 1, timeout: 2000, onData: 'http://localhost:9999' }),
  'sipgate.capture-2017.voicemail-compact': () => dial({ voicemail: true }),
  'sipgate.callevents-node.subscribe': () =>
    response({
      onAnswer: 'https://example.com/on-answer',
      onHangup: 'https://example.com/on-hangup',
    }),
  'sipgate.zammad.reject-busy': () =>
    response({
      onHangup: zammad('in'),
      onAnswer: zammad('in'),
      action: reject({ reason: 'busy' }),
    }),
  'sipgate.zammad.set-caller-id': () =>
    response({
      onHangup: zammad('out'),
      onAnswer: zammad('out'),
      action: dial({ callerId: '4930777000000', numbers: ['4912347114711'] }),
    }),
};

test('the fixture file has response fixtures with unique ids', () => {
  expect(fixtures.provider).toBe('sipgate');
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
    expect(canonicalXml(build().toXml())).toEqual(canonicalXml(fixture.xml));
  },
);
