/**
 * Server 4 of `bench/http`: callcontrol mounted on Express, `app.use('/placetel', calls.express())`.
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import { benchApp } from './callcontrol-app';
import { listen } from './listen';
import { BENCH_PATH } from './shared';

const app = express();
app.use(BENCH_PATH, benchApp().express());

listen(createServer(app));
