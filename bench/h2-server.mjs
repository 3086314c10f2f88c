// A TLS server that speaks HTTP/2 and HTTP/1.1 (ALPN), for bench/beyond.mjs: answers
// /delay/<ms>/<i> like bench/server.mjs. Listens on 127.0.0.1, prints its port, exits when
// its parent closes stdin.
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';

const tls = (ext) => readFileSync(new URL(`../fixtures/tls/self-signed.${ext}`, import.meta.url));
const BODY = 'ok\n';
const server = createSecureServer({ key: tls('key'), cert: tls('crt'), allowHTTP1: true, settings: { maxConcurrentStreams: 1000 } }, (req, res) => {
  const url = req.url ?? '/';
  const ms = url.startsWith('/delay/') ? Number(url.split('/')[2]) || 0 : 0;
  const answer = () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(req.method === 'HEAD' ? undefined : BODY);
  };
  if (ms > 0) setTimeout(answer, ms);
  else answer();
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
