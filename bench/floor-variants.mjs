// Variants of the floor (bench/floor.mjs) for "beyond the floor" in bench/beyond.mjs:
//   node bench/floor-variants.mjs <url-file> <concurrency> threads <n>  → n worker threads, each
//     with its own Agent and an equal share of the list and of the concurrency;
//   node bench/floor-variants.mjs <url-file> <concurrency> h1|h2        → one thread over TLS,
//     HTTP/1.1 (one connection per request in flight) or HTTP/2 (streams over one connection).
// Prints "<results> <ok>" like the floor.
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Agent } from 'undici';

async function check(urls, concurrency, agentOptions) {
  const agent = new Agent({ pipelining: 1, keepAliveTimeout: 4_000, ...agentOptions });
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
  await Promise.all(Array.from({ length: concurrency }, worker));
  await agent.close();
  return { results, ok };
}

if (!isMainThread) {
  parentPort.postMessage(await check(workerData.urls, workerData.concurrency, {}));
} else {
  const [file, concurrencyText, mode, countText] = process.argv.slice(2);
  const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const concurrency = Number(concurrencyText);
  let total = { results: 0, ok: 0 };
  if (mode === 'threads') {
    const threads = Number(countText);
    const shares = Array.from({ length: threads }, (_, i) => urls.filter((_, index) => index % threads === i));
    const done = await Promise.all(
      shares.map(
        (share) =>
          new Promise((resolve, reject) => {
            const worker = new Worker(new URL(import.meta.url), { workerData: { urls: share, concurrency: Math.ceil(concurrency / threads) } });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    for (const part of done) total = { results: total.results + part.results, ok: total.ok + part.ok };
  } else {
    const h2 = mode === 'h2';
    // HTTP/2 multiplexes: one connection, up to `concurrency` streams on it.
    total = await check(urls, concurrency, {
      connect: { rejectUnauthorized: false },
      ...(h2 ? { allowH2: true, pipelining: concurrency, connections: 1 } : {}),
    });
  }
  process.stdout.write(`${total.results} ${total.ok}\n`);
}
