/**
 * Server 5 of `bench/http`: callcontrol on a plain `node:http` server,
 * `http.createServer(calls.node())`.
 *
 * @module
 */
import { createServer } from 'node:http';
import { benchApp } from './callcontrol-app';
import { listen } from './listen';

listen(createServer(benchApp().node()));
