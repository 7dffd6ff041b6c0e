/**
 * xmlReply: `content-length` is the UTF-8 byte length of the text (not its length in UTF-16
 * code units), and `body` holds exactly those bytes — an own property, kept when the reply is
 * spread or serialized (a `WebhookReply` is public: `app.handle()` returns it).
 */
import { xmlReply, XML_CONTENT_TYPE } from '../../src/core/reply';

test('content-length counts UTF-8 bytes, and body holds them', () => {
  const xml = '<Response><Say>Grüße, 5 € — 👋</Say></Response>';
  const reply = xmlReply(200, xml, { 'x-extra': '1' });
  const bytes = Buffer.from(xml, 'utf8');
  expect(bytes.length).toBeGreaterThan(xml.length);
  expect(reply.headers).toEqual({
    'x-extra': '1',
    'content-type': XML_CONTENT_TYPE,
    'content-length': String(bytes.length),
    'cache-control': 'no-store',
  });
  expect(reply.text).toBe(xml);
  expect(reply.body.equals(bytes)).toBe(true);
  expect({ ...reply }.body.equals(bytes)).toBe(true);
  expect(Object.keys(JSON.parse(JSON.stringify(reply)) as object)).toContain('body');
  expect(reply).toMatchObject({ status: 200, outcome: 'handled' });
});
