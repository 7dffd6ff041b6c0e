/**
 * The callcontrol app both callcontrol servers of `bench/http` serve: `placetel.createApp`
 * with the signing secret, the default options (duplicate detection on, memory store) unless
 * `BENCH_DUPLICATES=off`, and an IncomingCall handler answering a Forward to both numbers.
 *
 * @module
 */
import { placetel } from '../../src';
import { requiredEnv } from './listen';
import { ENV, FORWARD_NUMBERS, RINGTIME_SECONDS } from './shared';

/** The app, configured from the environment. */
export function benchApp(): placetel.PlacetelApp {
  const secret = requiredEnv(ENV.secret);
  const calls = placetel.createApp(
    process.env[ENV.duplicates] === 'off' ? { secret, duplicates: false } : { secret },
  );
  calls.on('IncomingCall', () =>
    placetel.forward({ targets: [{ ringtime: RINGTIME_SECONDS, numbers: FORWARD_NUMBERS }] }),
  );
  return calls;
}
