import { opentact } from '../../src';
import { createTestClient } from '../../src/testing';
import { QUIET } from '../helpers/apps';

const TOKEN = 'kit-follow-token-not-real-0123';

/**
 * An Opentact IVR whose PIN `<Gather url>` is the handler's `publicUrl()` (the URL as received,
 * URL token included) with `menu=pin` added — as an app behind a URL token builds it.
 */
function pinApp(urlToken: opentact.OpentactAppOptions['urlToken']): opentact.OpentactApp {
  const calls = opentact.createApp({ ...QUIET, urlToken });
  const gathered: string[] = [];
  calls.on('call_flow_request', (_event, { publicUrl }) => {
    const url = new URL(publicUrl() ?? 'http://unknown.invalid/');
    url.searchParams.set('menu', 'pin');
    return [opentact.answer(), opentact.gather({ length: 4, url: url.toString() })];
  });
  calls.on('gather', (event, { request }) => {
    gathered.push(`${event.dtmf} ${request.query}`);
    return [opentact.say(event.dtmf === '1234' ? 'Welcome.' : 'Goodbye.'), opentact.hangup()];
  });
  return Object.assign(calls, { gathered });
}

describe('test kit: a followed URL that already carries the URL token', () => {
  test('query token: the followed <Gather url> is sent with the token once', async () => {
    const calls = pinApp({ tokens: TOKEN });
    try {
      const client = createTestClient(calls, { urlToken: TOKEN });
      const call = await client.playCall({ digits: '1234' });
      call.expectAllOk();
      const gather = call.reply('gather');
      expect(
        (gather.request.query ?? '').split('&').filter((part) => part.startsWith('token=')),
      ).toEqual([`token=${TOKEN}`]);
      expect(gather.request.query ?? '').toContain('menu=pin');
      gather.expectAnswer([opentact.say('Welcome.'), opentact.hangup()]);
    } finally {
      await calls.close();
    }
  });

  test('path token: the followed <Gather url> is sent with the token segment once', async () => {
    const calls = pinApp({ tokens: TOKEN, in: 'path' });
    try {
      const client = createTestClient(calls, { urlToken: { token: TOKEN, in: 'path' } });
      const call = await client.playCall({ digits: '1234' });
      call.expectAllOk();
      const gather = call.reply('gather');
      expect(gather.request.path).toBe(`/${TOKEN}/`);
      gather.expectAnswer([opentact.say('Welcome.'), opentact.hangup()]);
    } finally {
      await calls.close();
    }
  });

  test('a request without the token still gets it; a wrong token is still sent', async () => {
    const calls = pinApp({ tokens: TOKEN });
    try {
      const client = createTestClient(calls, { urlToken: TOKEN });
      const reply = await client.opentact.callFlowRequest();
      reply.expectStatus(200);
      expect(reply.request.query).toContain(`token=${TOKEN}`);
      (
        await client.with({ urlToken: 'wrong-token-not-real-00000' }).opentact.callFlowRequest()
      ).expectError('CC_ERR_TOKEN_INVALID', 403);
    } finally {
      await calls.close();
    }
  });
});
