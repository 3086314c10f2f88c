// `npm run demo`: an offline tour. Starts the local fixture server, writes a URL list of
// fast, slow, redirecting and broken endpoints, and runs the real CLI on it with --compare.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interrupt } from '../cli/io.js';
import { main } from '../cli/main.js';
import { startFixtureServer } from './fixture-server.js';

const FAST_URLS = 200;
/** The baseline times this many of the URLs one by one and extrapolates, to keep the demo short. */
const BASELINE_SAMPLE = 40;

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function demoList(url: (path: string) => string, refusedPort: number, runId: string): string {
  const lines = ['# urlcheck demo list: every line below is checked against a local server', ''];
  lines.push('# healthy pages answering in 100 ms');
  for (let i = 1; i <= FAST_URLS; i += 1) lines.push(url(`/delay/100/page-${i}`));
  lines.push('', '# slower pages (the 700 ms one is past --slow 600: a warning)', url('/delay/400/report'), url('/delay/700/search'));
  lines.push('', '# redirects: followed and recorded; a permanent one is a warning (update the list)', url('/redirect/2'), url('/moved/301'));
  lines.push('', '# HEAD not allowed: retried with GET', url('/head-status/405'));
  lines.push('', '# a 503 that recovers on retry', url(`/flaky/1/${runId}`));
  lines.push('', '# bot protection answering instead of the page: blocked', url('/challenge'));
  lines.push('', '# broken, or failing for now (transient)', url('/status/404'), url('/status/500'), url('/loop'), url('/hang'), url('/garbage'));
  lines.push(`http://127.0.0.1:${refusedPort}/nothing-listens-here`);
  lines.push('not a url', 'ftp://files.example/archive.zip');
  return `${lines.join('\n')}\n`;
}

async function run(): Promise<void> {
  const server = await startFixtureServer();
  const dir = await mkdtemp(join(tmpdir(), 'urlcheck-demo-'));
  const list = join(dir, 'demo-urls.txt');
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Interrupt('SIGINT'));
  process.once('SIGINT', onSigint);
  try {
    await writeFile(list, demoList(server.url, await closedPort(), String(Date.now())));
    const args = [list, '--compare-sample', String(BASELINE_SAMPLE), '--timeout', '1000', '--retries', '1', '--slow', '600', ...process.argv.slice(2)];
    process.stderr.write(
      `urlcheck demo: a local server at ${server.origin} with fast, slow, redirecting and broken endpoints.\n` +
        `Running: urlcheck ${args.map((arg) => (arg === list ? 'demo-urls.txt' : arg)).join(' ')}\n\n`,
    );
    const code = await main(args, {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: dir, // no urlcheck.config file there: the demo shows the defaults
      signal: controller.signal,
    });
    process.stderr.write(`\nurlcheck exited with ${code} (1 = some URLs are unhealthy, as this list intends).\n`);
  } finally {
    process.off('SIGINT', onSigint);
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await run();
