/**
 * Server 9 of `bench/http`: the app of server 4 answered in front of an Express app with
 * `routeWebhooks({ '/placetel': calls.node() }, app)` — the webhook path never enters Express
 * (which would switch the request's prototypes first); the Express app serves everything else.
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import { routeWebhooks } from '../../src';
import { benchApp } from './callcontrol-app';
import { listen } from './listen';
import { BENCH_PATH } from './shared';

const app = express();
app.get('/health', (_req, res) => {
  res.send('ok');
});

listen(createServer(routeWebhooks({ [BENCH_PATH]: benchApp().node() }, app)));
