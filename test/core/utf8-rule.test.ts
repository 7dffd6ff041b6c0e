/**
 * One rule for text that is not UTF-8: raw bytes in a body and percent-encoded bytes in a form
 * body or a query are refused alike, with 400 `CC_ERR_BODY_INVALID` — never turned into U+FFFD.
 * Through `decodeForm`/`decodeQuery` and through every provider's app.
 */
import { opentact, ozeki, placetel, voipnow, type WebhookReply } from '../../src';
import { decodeForm, decodeQuery, decodeUtf8 } from '../../src/core/body';
import { CallControlError } from '../../src/core/errors';
import { TEST_APP } from '../helpers/apps';

/** Escapes whose bytes are not UTF-8. */
const INVALID = [
  '%FF', // never a UTF-8 byte
  '%C3%28', // a lead byte followed by ASCII
  '%E2%82', // a truncated sequence
  '%C0%AF', // an overlong encoding of '/'
  '%ED%A0%80', // an encoded surrogate
  '%F4%90%80%80', // above U+10FFFF
  '%80', // a lone continuation byte
  'ok%C3', // a truncated sequence at the end
];

/** Escapes (and non-escapes) that are fine. */
const VALID: ReadonlyArray<readonly [string, string]> = [
  ['M%C3%BCller', 'Müller'],
  ['%E2%82%AC', '€'],
  ['%F0%9F%98%80', '😀'],
  ['%25FF', '%FF'], // an escaped percent sign, then text
  ['%ZZ', '%ZZ'], // malformed escapes are kept as written
  ['%', '%'],
  ['%F', '%F'],
  ['a+b', 'a b'],
  ['Grüße', 'Grüße'], // raw UTF-8 in the text itself
  ['%EF%BF%BD', '\uFFFD'], // U+FFFD sent on purpose is a character like any other
];

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof CallControlError ? error.code : 'not a CallControlError';
  }
  return undefined;
}

describe('decodeForm and decodeQuery', () => {
  test.each(INVALID)('refuse %s in a value, a key and the query', (escape) => {
    expect(codeOf(() => decodeForm(`a=1&b=${escape}`))).toBe('CC_ERR_BODY_INVALID');
    expect(codeOf(() => decodeForm(`${escape}=1`))).toBe('CC_ERR_BODY_INVALID');
    expect(codeOf(() => decodeQuery(`x=${escape}`))).toBe('CC_ERR_BODY_INVALID');
    expect(() => decodeQuery(`x=${escape}`)).toThrow(
      'The query holds percent-encoded bytes that are not valid UTF-8',
    );
  });

  test.each(VALID)('decode %s as %s', (escape, text) => {
    expect(decodeForm(`v=${escape}`)['v']).toBe(text);
    expect(decodeQuery(`v=${escape}`)['v']).toBe(text);
  });

  test('a sequence split by a separator is invalid on both sides', () => {
    expect(codeOf(() => decodeForm('a=%C3&b=%BC'))).toBe('CC_ERR_BODY_INVALID');
  });

  test('raw bytes that are not UTF-8 get the same code', () => {
    expect(codeOf(() => decodeUtf8(Buffer.from([0x61, 0xff])))).toBe('CC_ERR_BODY_INVALID');
  });
});

async function expectRefused(reply: Promise<WebhookReply>): Promise<void> {
  const answer = await reply;
  expect(answer.status).toBe(400);
  expect(answer.code).toBe('CC_ERR_BODY_INVALID');
  expect(answer.text).toContain('not valid UTF-8');
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('every provider refuses escaped and raw bytes that are not UTF-8 alike', () => {
  test('Placetel: a form body', async () => {
    const calls = placetel.createApp({ ...TEST_APP });
    const base = 'event=IncomingCall&call_id=utf8test0001&to=022129191999&from=';
    const send = (body: Buffer) =>
      calls.handle({ method: 'POST', path: '/', query: '', headers: FORM, body });
    const ok = await send(Buffer.from(`${base}M%C3%BCller`));
    expect(ok.status).toBe(200);
    await expectRefused(send(Buffer.from(`${base}M%FCller`)));
    await expectRefused(send(Buffer.concat([Buffer.from(base), Buffer.from([0x4d, 0xfc])])));
  });

  test('Ozeki: a form body and the query', async () => {
    const calls = ozeki.createApp({ ...TEST_APP });
    const notification = ozeki.ozekiNotification('CallConnected', { CallId: 'utf8test0002' });
    const send = (body: string | Buffer, query = '') =>
      calls.handle({
        method: 'POST',
        path: '/',
        query,
        headers: notification.headers,
        body: Buffer.isBuffer(body) ? body : Buffer.from(body),
      });
    expect((await send(notification.body)).status).toBe(200);
    await expectRefused(send(`${notification.body}&Caller=%C3%28`));
    await expectRefused(
      send(Buffer.concat([Buffer.from(`${notification.body}&Caller=`), Buffer.from([0xc3, 0x28])])),
    );
    await expectRefused(send(notification.body, 'note=%ED%A0%80'));
  });

  test('VoipNow: the query of a GET and a form body', async () => {
    const calls = voipnow.createApp({ ...TEST_APP });
    const [dialIn] = voipnow.voipNowCallScenario({ callId: 'utf8test0003' });
    if (dialIn === undefined) throw new Error('no request');
    const get = (query: string) =>
      calls.handle({ method: 'GET', path: '/', query, headers: {}, body: Buffer.alloc(0) });
    expect((await get(dialIn.query)).status).toBe(200);
    await expectRefused(get(`${dialIn.query}&CallerIDName=%FF`));
    await expectRefused(
      calls.handle({
        method: 'POST',
        path: '/',
        query: '',
        headers: FORM,
        body: Buffer.from(`${dialIn.query}&CallerIDName=J%E2%82`),
      }),
    );
  });

  test('Opentact: the query', async () => {
    const calls = opentact.createApp({ ...TEST_APP });
    const [flow] = opentact.opentactCallScenario();
    if (flow === undefined) throw new Error('no request');
    const send = (query: string) =>
      calls.handle({
        method: flow.method,
        path: '/',
        query,
        headers: flow.headers,
        body: Buffer.from(flow.body),
      });
    expect((await send(flow.query)).status).toBe(200);
    await expectRefused(send(`${flow.query}&x=%C0%AF`));
  });
});
