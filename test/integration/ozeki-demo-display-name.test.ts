/**
 * The Ozeki demo of the example server (examples/ozeki/app.ts) greets the caller by the SIP
 * display name. A display name may carry control characters, which XML 1.0 cannot: the caller
 * still hears the menu, greeted without them, rather than the call getting the fallback.
 */
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { createOzekiDemo } from '../../examples/ozeki/app';
import { ozekiNotification } from '../../src/providers/ozeki/simulate';
import { listenOnLoopback } from '../helpers/server';
import { canonicalXml, type CanonicalElement } from '../helpers/xml';

const TOKEN = 'test-token-not-a-secret-0042';

let server: Server;
const log: string[] = [];

beforeAll(async () => {
  const demo = createOzekiDemo({
    pins: ['1234'],
    transferTo: '1001',
    operator: '1000',
    token: TOKEN,
    publicUrl: 'http://127.0.0.1/ozeki',
    log: (line) => log.push(line),
  });
  const app = express();
  app.use('/ozeki', demo.express());
  server = await listenOnLoopback(app);
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

beforeEach(() => {
  log.length = 0;
});

/** Every `<Speak>` text of the answer, in document order. */
function spoken(element: CanonicalElement): string[] {
  return element.children.flatMap((child) =>
    'text' in child ? [] : child.name === 'Speak' ? [textOf(child)] : spoken(child),
  );
}

function textOf(element: CanonicalElement): string {
  return element.children.map((child) => ('text' in child ? child.text : '')).join('');
}

async function incomingCall(displayName: string): Promise<request.Response> {
  const { headers, body } = ozekiNotification('IncomingCall', {
    CallId: 'Dn4me',
    Caller: '1000',
    CallerId: '1000',
    CallerDisplayName: displayName,
    ApiExtension: '9994',
  });
  return request(server).post(`/ozeki?token=${TOKEN}`).set(headers).send(body);
}

test.each([
  ['a BEL and a NUL', 'An\u0007na\u0000 Smith', 'Welcome, Anna Smith.'],
  ['only control characters', '\u0000\u0007', 'Welcome, .'],
  ['none', 'Anna Smith', 'Welcome, Anna Smith.'],
])('a display name with %s: the caller hears the menu', async (_label, name, greeting) => {
  const res = await incomingCall(name);
  expect(res.status).toBe(200);
  const root = canonicalXml(res.text);
  expect(root.name).toBe('Response');
  expect(spoken(root)).toEqual([
    greeting,
    'For our opening hours, press 1. To enter your PIN, press 2.',
    'To talk to an operator, press 0.',
    'We are open Monday to Friday, 9 am to 5 pm.',
    'Please enter your 4-digit PIN, or press star to go back.',
  ]);
  // eslint-disable-next-line no-control-regex
  expect(res.text).not.toMatch(/[\u0000-\u0008]/);
  expect(log.filter((line) => line.startsWith('ozeki error'))).toEqual([]);
});
