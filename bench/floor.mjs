// The floor: the cheapest bulk check Node can do. One shared undici Agent, C workers each
// pulling the next URL, HEAD, read the status, discard the body. No validation, no retries,
// no deadline, no report: what urlcheck is compared against.
// Usage: node bench/floor.mjs <url-file> <concurrency>  → prints "<results> <ok>" on stdout.
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';

const [file, concurrencyText] = process.argv.slice(2);
const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const agent = new Agent({ pipelining: 1, keepAliveTimeout: 4_000 });
let next = 0;
let results = 0;
let ok = 0;
async function worker() {
  while (next < urls.length) {
    const url = new URL(urls[next++]);
    const response = await agent.request({ origin: url.origin, path: url.pathname + url.search, method: 'HEAD', reset: false });
    await response.body.dump();
    results += 1;
    if (response.statusCode < 300) ok += 1;
  }
}
await Promise.all(Array.from({ length: Number(concurrencyText) }, worker));
await agent.close();
process.stdout.write(`${results} ${ok}\n`);
