/**
 * The ceiling of `bench/http`: a bare `node:http` server that reads the request body and
 * answers a constant (the Forward every other Placetel server answers). No parsing, no
 * signature check: what Node itself costs per request on this machine.
 *
 * @module
 */
import { createServer } from 'node:http';
import { listen } from './listen';
import { FORWARD_XML } from './shared';

const answer = Buffer.from(FORWARD_XML, 'utf8');
const headers = {
  'content-type': 'application/xml; charset=utf-8',
  'content-length': String(answer.length),
};

listen(
  createServer((req, res) => {
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(answer);
    });
    req.resume();
  }),
);
