/**
 * The callcontrol app both callcontrol servers of `bench/http` serve: `placetel.createApp`
 * with the signing secret, the default options (duplicate detection on, memory store) unless
 * `BENCH_DUPLICATES=off`, and an IncomingCall handler answering a Forward to both numbers. With
 * `BENCH_REDIS_URL` set, the app keeps its deliveries and sessions in a `RedisStore` on that
 * URL instead of the default memory store.
 *
 * @module
 */
import { placetel, RedisStore } from '../../src';
import { requiredEnv } from './listen';
import { ENV, FORWARD_NUMBERS, RINGTIME_SECONDS } from './shared';

/** The app, configured from the environment. */
export function benchApp(): placetel.PlacetelApp {
  const secret = requiredEnv(ENV.secret);
  const redisUrl = process.env[ENV.redisUrl];
  const calls = placetel.createApp({
    secret,
    ...(process.env[ENV.duplicates] === 'off' ? { duplicates: false } : {}),
    ...(redisUrl === undefined || redisUrl === ''
      ? {}
      : { store: new RedisStore({ url: redisUrl }) }),
  });
  calls.on('IncomingCall', () =>
    placetel.forward({ targets: [{ ringtime: RINGTIME_SECONDS, numbers: FORWARD_NUMBERS }] }),
  );
  return calls;
}
