/**
 * The metrics of `app.handle` with an OpenTelemetry meter provider registered
 * (docs/observability.md): `callcontrol.requests` and `callcontrol.request.duration` by
 * provider, event and outcome, `callcontrol.fallbacks` and `callcontrol.refusals` by error code,
 * `callcontrol.store.duration` and `callcontrol.store.failures` by operation, and
 * `callcontrol.active_requests`.
 */
import { DataPointType, type Histogram } from '@opentelemetry/sdk-metrics';
import { CallControlError, placetel } from '../../src';
import { faultyStore } from '../helpers/faulty-store';
import { incoming, pointsOf, register, SECRET, signed, total, type TestSdk } from './otel';

let sdk: TestSdk;
beforeAll(() => {
  sdk = register();
});
afterAll(async () => {
  await sdk.unregister();
});

const FORWARD = () => placetel.forward({ targets: [{ numbers: ['+4922129191999'] }] });

function app(options: Partial<placetel.PlacetelAppOptions> = {}) {
  return placetel.createApp({ secret: SECRET, stderr: false, ...options });
}

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise(setImmediate);
}

it('counts requests and their duration in seconds by provider, event and outcome', async () => {
  const calls = app().on('IncomingCall', FORWARD);
  const before = await sdk.collect();
  const where = {
    'callcontrol.provider': 'placetel',
    'callcontrol.event': 'IncomingCall',
    'callcontrol.outcome': 'handled',
  };
  const counted = total(before.get('callcontrol.requests'), where);
  await calls.handle(incoming('m-count-1'));
  await calls.handle(incoming('m-count-2'));
  await calls.handle(incoming('m-count-1')); // a repetition
  await settled();
  const after = await sdk.collect();
  expect(total(after.get('callcontrol.requests'), where)).toBe(counted + 2);
  expect(
    total(after.get('callcontrol.requests'), { ...where, 'callcontrol.outcome': 'duplicate' }),
  ).toBe(1);
  const duration = after.get('callcontrol.request.duration');
  expect(duration?.descriptor.unit).toBe('s');
  expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM);
  const [point] = pointsOf(duration, where);
  const histogram = point?.value as Histogram;
  expect(histogram.count).toBe(counted + 2);
  // Seconds, not milliseconds: an in-process request takes far less than one.
  expect(histogram.sum).toBeGreaterThan(0);
  expect(histogram.sum).toBeLessThan(5);
  expect(histogram.buckets.boundaries).toEqual([
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
  ]);
});

it('records durations in seconds', async () => {
  const calls = app().on('IncomingCall', async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return null;
  });
  const where = { 'callcontrol.event': 'IncomingCall', 'callcontrol.outcome': 'handled' };
  const before = pointsOf((await sdk.collect()).get('callcontrol.request.duration'), where)[0];
  const sumBefore = (before?.value as Histogram | undefined)?.sum ?? 0;
  const countBefore = (before?.value as Histogram | undefined)?.count ?? 0;
  await calls.handle(incoming('m-seconds-1'));
  await calls.handle(incoming('m-seconds-2'));
  const after = pointsOf((await sdk.collect()).get('callcontrol.request.duration'), where)[0];
  const histogram = after?.value as Histogram;
  expect(histogram.count - countBefore).toBe(2);
  const mean = ((histogram.sum ?? 0) - sumBefore) / 2;
  // At least the handler's 30 ms (a timer fires no earlier than 1 ms before), well below 2 s.
  expect(mean).toBeGreaterThanOrEqual(0.029);
  expect(mean).toBeLessThan(2);
});

it('counts fallbacks and refusals by error code', async () => {
  const calls = app()
    .on('IncomingCall', () => {
      throw new Error('boom');
    })
    .on('HungUp', () => undefined);
  await calls.handle(incoming('m-fallback-1'));
  await calls.handle(
    signed({ call_id: 'm-refused-1', event: 'IncomingCall', from: '1', to: '2' }, {}, 'wrong-1'),
  );
  await settled();
  const found = await sdk.collect();
  expect(
    total(found.get('callcontrol.fallbacks'), {
      'callcontrol.provider': 'placetel',
      'callcontrol.event': 'IncomingCall',
      'callcontrol.error_code': 'CC_ERR_HANDLER_FAILED',
    }),
  ).toBe(1);
  expect(
    total(found.get('callcontrol.refusals'), {
      'callcontrol.provider': 'placetel',
      'callcontrol.error_code': 'CC_ERR_SIGNATURE_INVALID',
    }),
  ).toBe(1);
  expect(
    total(found.get('callcontrol.requests'), {
      'callcontrol.outcome': 'refused',
      'http.response.status_code': 403,
    }),
  ).toBe(1);
});

it('times each store call by operation and counts its failures', async () => {
  const store = faultyStore();
  const calls = app({ store }).on('IncomingCall', () => null);
  const before = await sdk.collect();
  const claimed = total(before.get('callcontrol.store.duration'), {
    'callcontrol.store.operation': 'claim',
    'callcontrol.store.outcome': 'ok',
  });
  await calls.handle(incoming('m-store-1'));
  store.fail();
  await calls.handle(incoming('m-store-2'));
  await settled();
  const found = await sdk.collect();
  expect(
    total(found.get('callcontrol.store.duration'), {
      'callcontrol.store.operation': 'claim',
      'callcontrol.store.outcome': 'ok',
    }),
  ).toBe(claimed + 1);
  expect(found.get('callcontrol.store.duration')?.descriptor.unit).toBe('s');
  expect(
    total(found.get('callcontrol.store.failures'), {
      'callcontrol.provider': 'placetel',
      'callcontrol.store.operation': 'claim',
      'error.type': 'failed',
    }),
  ).toBe(1);
});

it('counts the requests in flight', async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const calls = app().on('IncomingCall', async () => {
    await held;
    return null;
  });
  const where = { 'callcontrol.provider': 'placetel' };
  const replies = [calls.handle(incoming('m-active-1')), calls.handle(incoming('m-active-2'))];
  await settled();
  const during = await sdk.collect();
  expect(total(during.get('callcontrol.active_requests'), where)).toBe(2);
  release();
  await Promise.all(replies);
  const after = await sdk.collect();
  expect(total(after.get('callcontrol.active_requests'), where)).toBe(0);
});

it('records an adapter refusal (fail) as a refused request', async () => {
  const calls = app();
  const before = await sdk.collect();
  const where = { 'callcontrol.error_code': 'CC_ERR_BODY_TOO_LARGE' };
  const counted = total(before.get('callcontrol.refusals'), where);
  calls.fail(new CallControlError('CC_ERR_BODY_TOO_LARGE', 'too large'), incoming('m-fail-1'));
  const after = await sdk.collect();
  expect(total(after.get('callcontrol.refusals'), where)).toBe(counted + 1);
  expect(
    total(after.get('callcontrol.active_requests'), { 'callcontrol.provider': 'placetel' }),
  ).toBe(0);
});
