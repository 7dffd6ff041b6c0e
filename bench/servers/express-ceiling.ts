/**
 * An optional reference of `bench/http` (`--servers express-ceiling`, not in the default set):
 * Express 5 with one middleware mounted at the path (`app.use('/placetel', …)`, as callcontrol
 * is mounted) that reads the body and answers the constant of the ceiling. Its cost over the
 * ceiling is what Express itself adds per request.
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import { listen } from './listen';
import { BENCH_PATH, FORWARD_XML } from './shared';

const answer = Buffer.from(FORWARD_XML, 'utf8');
const headers = {
  'content-type': 'application/xml; charset=utf-8',
  'content-length': String(answer.length),
};

const app = express();
app.use(BENCH_PATH, (req, res) => {
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(answer);
  });
  req.resume();
});

listen(createServer(app));
