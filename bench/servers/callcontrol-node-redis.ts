/**
 * Server 7 of `bench/http`: callcontrol on a plain `node:http` server,
 * `http.createServer(calls.node())`, default options (duplicate detection on) with a
 * `RedisStore` on the local redis-server the driver started (`BENCH_REDIS_URL`) instead of the
 * memory store: every delivery is claimed and its reply stored in Redis.
 *
 * @module
 */
import { createServer } from 'node:http';
import { benchApp } from './callcontrol-app';
import { listen, requiredEnv } from './listen';
import { ENV } from './shared';

requiredEnv(ENV.redisUrl);
listen(createServer(benchApp().node()));
