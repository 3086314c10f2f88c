// The benchmark's server: as cheap as node:http allows, so the client is what is measured.
// GET/HEAD /delay/<ms>/<anything> answers 200 after <ms> milliseconds (0 = at once), keep-alive.
// Listens on 127.0.0.1 only; prints its port on stdout; exits when its parent closes stdin.
// `node bench/server.mjs <n>` listens on n ports (n hosts, for sharding by host) and prints
// them comma-separated.
import { createServer } from 'node:http';

const BODY = 'ok\n';
const handler = (req, res) => {
  const url = req.url ?? '/';
  let ms = 0;
  if (url.startsWith('/delay/')) {
    const end = url.indexOf('/', 7);
    ms = Number(url.slice(7, end === -1 ? undefined : end)) || 0;
  }
  const answer = () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(req.method === 'HEAD' ? undefined : BODY);
  };
  if (ms > 0) setTimeout(answer, ms);
  else answer();
};
const listening = Array.from({ length: Math.max(1, Number(process.argv[2]) || 1) }, () => {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.maxRequestsPerSocket = 0;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
});
Promise.all(listening).then((ports) => process.stdout.write(`${ports.join(',')}\n`));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
