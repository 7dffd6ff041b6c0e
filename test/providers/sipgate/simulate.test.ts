/**
 * Simulated sipgate.io calls (docs/providers/sipgate.md §1 "Body encoding", §2): the requests
 * sipgate would send, in order, encoded like real pushes, and — signed with a throwaway key
 * pair — passing the real signature check of an app given the public key.
 */
import { generateKeyPairSync } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { sipgate } from '../../../src';
import {
  encodeSipgateForm,
  sipgateCallScenario,
  sipgateRequest,
  type SipgateSimulatedRequest,
} from '../../../src/providers/sipgate/simulate';
import { verifySipgateSignature } from '../../../src/providers/sipgate/verify';
import { listenOnLoopback } from '../../helpers/server';
import { canonicalXml } from '../../helpers/xml';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_PEM = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('encodeSipgateForm', () => {
  test('keeps the order, repeats list keys, writes brackets %5B%5D and spaces +', () => {
    expect(
      encodeSipgateForm([
        ['event', 'newCall'],
        ['user[]', ['Alice Doe', 'Bob']],
        ['from', '491776249000'],
      ]),
    ).toBe('event=newCall&user%5B%5D=Alice+Doe&user%5B%5D=Bob&from=491776249000');
  });

  test('reproduces the signed 2021 push body byte for byte', () => {
    const id = '54566B150B0C0D3A5D534D5F565D7C5F54535A5C5B53525A7E5B5D5745504457444C425D5057';
    const body = encodeSipgateForm([
      ['event', 'newCall'],
      ['direction', 'in'],
      ['from', '491776249000'],
      ['to', '4928559389086'],
      ['callId', id],
      ['origCallId', id],
      ['user[]', ['']],
      ['xcid', '8419b3450b75cd19'],
    ]);
    expect(Buffer.byteLength(body)).toBe(267);
    expect(body).toContain('&user%5B%5D=&xcid=8419b3450b75cd19');
  });
});

describe('sipgateCallScenario', () => {
  test('an answered call: newCall, answer, dtmf, hangup with one callId', () => {
    const requests = sipgateCallScenario({ callId: 'C1', dtmf: '0815', users: ['Alice', 'Bob'] });
    expect(requests.map((r) => r.event)).toEqual(['newCall', 'answer', 'dtmf', 'hangup']);
    expect(requests[0]?.body).toBe(
      'event=newCall&direction=in&from=491776249000&to=4928559389086&callId=C1&origCallId=C1&user%5B%5D=Alice&user%5B%5D=Bob&userId%5B%5D=w0&userId%5B%5D=w1',
    );
    expect(requests[2]?.body).toBe('event=dtmf&dtmf=0815&callId=C1&origCallId=C1');
    expect(requests[3]?.body).toContain('cause=normalClearing');
    for (const simulated of requests) {
      expect(simulated.method).toBe('POST');
      expect(simulated.headers['x-sipgate-signature']).toBeUndefined();
    }
  });

  test('a call nobody answered has no answer event', () => {
    const requests = sipgateCallScenario({ cause: 'noAnswer', dtmf: '1' });
    expect(requests.map((r) => r.event)).toEqual(['newCall', 'hangup']);
  });

  test('signed with a private key: every body verifies with the public key only', () => {
    for (const simulated of sipgateCallScenario({ privateKey: PRIVATE_PEM, dtmf: '1' })) {
      const signature = simulated.headers['x-sipgate-signature'];
      expect(verifySipgateSignature(simulated.body, signature, pair.publicKey)).toBe(true);
      expect(verifySipgateSignature(simulated.body, signature)).toBe(false);
    }
  });
});

async function post(server: Parameters<typeof request>[0], simulated: SipgateSimulatedRequest) {
  let test = request(server).post('/sipgate');
  for (const [name, value] of Object.entries(simulated.headers)) test = test.set(name, value);
  return test.send(simulated.body);
}

test('a signed simulated call runs through an app that checks the signature for real', async () => {
  const calls = sipgate.createApp({ publicKey: PUBLIC_PEM, stderr: false });
  const seen: string[] = [];
  const url = 'https://example.com/sipgate';
  calls.on('newCall', (call) => {
    seen.push(`newCall ${call.users.join(',')}`);
    return sipgate.response({
      onAnswer: url,
      onHangup: url,
      action: sipgate.gather({ onData: url, maxDigits: 4 }),
    });
  });
  calls.on('answer', (call) => {
    seen.push(`answer ${call.user ?? ''}`);
  });
  calls.on('dtmf', (call) => {
    seen.push(`dtmf ${call.dtmf}`);
    return sipgate.dial({ numbers: ['4915799912345'] });
  });
  calls.on('hangup', (call) => {
    seen.push(`hangup ${call.cause ?? ''}`);
  });
  const app = express();
  app.use('/sipgate', calls.express());
  const server = await listenOnLoopback(app);

  const replies: string[] = [];
  for (const simulated of sipgateCallScenario({ privateKey: PRIVATE_PEM, dtmf: '0815' })) {
    const res = await post(server, simulated);
    expect(res.status).toBe(200);
    replies.push(res.text);
  }
  expect(seen).toEqual(['newCall Alice', 'answer Alice', 'dtmf 0815', 'hangup normalClearing']);
  expect(canonicalXml(replies[0] ?? '')).toEqual(
    canonicalXml(
      `<Response onAnswer="${url}" onHangup="${url}"><Gather onData="${url}" maxDigits="4"/></Response>`,
    ),
  );
  expect(canonicalXml(replies[2] ?? '')).toEqual(
    canonicalXml('<Response><Dial><Number>4915799912345</Number></Dial></Response>'),
  );

  // The same call unsigned, or signed with another key, is refused.
  const [unsigned] = sipgateCallScenario();
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const [forged] = sipgateCallScenario({ privateKey: other.privateKey });
  expect((await post(server, unsigned as SipgateSimulatedRequest)).status).toBe(403);
  expect((await post(server, forged as SipgateSimulatedRequest)).status).toBe(403);
  expect(sipgateRequest([['event', 'hangup']]).event).toBe('hangup');
});
