/**
 * Options the tests give apps whose subject is not authentication or the stderr lines.
 *
 * An app without a way to authenticate requests refuses to be created unless it opts out, and
 * an app without `logger` and `onError` writes a line to stderr for every request it refuses
 * and every fallback: tests that send such requests on purpose check the replies and `onError`
 * instead, and keep the test output quiet. The credential check and the stderr lines have
 * tests of their own (`test/core/safe-defaults.test.ts`).
 */
import { placetel } from '../../src';
import type { WebhookRequest } from '../../src';

/** No check of the requests (`allowUnauthenticated`), and no stderr lines. */
export const TEST_APP = { allowUnauthenticated: true, stderr: false } as const;

/** No stderr lines, for apps with credentials that tests send bad requests to. */
export const QUIET = { stderr: false } as const;

/** An unsigned Placetel `IncomingCall` of call `callId`, as the core's `handle()` takes it. */
export function placetelIncoming(callId: string): WebhookRequest {
  const request = placetel.placetelRequest({
    call_id: callId,
    event: 'IncomingCall',
    from: '017312345678',
    to: '022129191999',
  });
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: request.headers,
    body: Buffer.from(request.body, 'utf8'),
  };
}
