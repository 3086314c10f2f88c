// `npm run demo`: an offline tour in two steps, each the real CLI on a list of a local server's
// URLs. Step 1 shows every kind of result; step 2 measures what concurrency buys, on 200 pages
// that are alike, so the speed-up is about concurrency and not about one endpoint that hangs.
// Each step also writes its HTML report beside its list (step 1: failures first; step 2: the
// waterfall with the sequential baseline below it), and the demo prints where.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interrupt } from '../cli/io.js';
import { main } from '../cli/main.js';
import { DEFAULT_CONCURRENCY } from '../model/defaults.js';
import { startFixtureServer } from './fixture-server.js';

/** Healthy pages in step 1's list, among the endpoints that misbehave. */
const KINDS_PAGES = 10;
/** Pages in step 2's list. */
const PAGES = 200;
/** How long each page of step 2 takes to answer, in milliseconds. */
const PAGE_DELAY_MS = 100;
/** The baseline times this many of step 2's pages one by one and extrapolates, to keep the demo short. */
const BASELINE_SAMPLE = 40;

/** The demo's two runs: the list each writes, the flags it passes, and what the narration says first. */
interface DemoStep {
  list: string;
  args: string[];
  intro: string;
  /** The HTML report the step writes into the lists' folder (`--report html:<name>`). */
  report: string;
}

const KINDS_ARGS = ['--timeout', '1000', '--retries', '1', '--slow', '600'];
const PAGES_ARGS = ['--compare-sample', String(BASELINE_SAMPLE)];

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function kindsList(url: (path: string) => string, refusedPort: number, runId: string): string {
  const lines = [
    '# urlcheck demo, step 1: healthy pages and one URL of each kind of trouble, on the demo\'s local server',
    '# (it stops when the demo ends, so these URLs answer only during `npm run demo`).',
    '',
    `# healthy pages answering in ${PAGE_DELAY_MS} ms`,
  ];
  for (let i = 1; i <= KINDS_PAGES; i += 1) lines.push(url(`/delay/${PAGE_DELAY_MS}/page-${i}`));
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

function pagesList(url: (path: string) => string): string {
  const lines = [
    `# urlcheck demo, step 2: ${PAGES} pages that each answer in ${PAGE_DELAY_MS} ms, on the demo's local server`,
    '# (it stops when the demo ends, so these URLs answer only during `npm run demo`).',
  ];
  for (let i = 1; i <= PAGES; i += 1) lines.push(url(`/delay/${PAGE_DELAY_MS}/page-${i}`));
  return `${lines.join('\n')}\n`;
}

/** What the demo says under urlcheck's output: its exit code, in words. */
function exitNote(code: number): string {
  if (code === 1) return 'urlcheck exited with 1: URLs broken, transient or blocked, as this list intends.';
  if (code === 0) return 'urlcheck exited with 0: no URL is broken, transient or blocked.';
  return `urlcheck exited with ${code}.`;
}

async function run(): Promise<number> {
  const server = await startFixtureServer();
  // Kept after the demo: the reports' file:line references point into these lists.
  const dir = await mkdtemp(join(tmpdir(), 'urlcheck-demo-'));
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Interrupt('SIGINT'));
  process.once('SIGINT', onSigint);
  const extra = process.argv.slice(2);
  const steps: DemoStep[] = [
    {
      list: 'kinds.txt',
      args: KINDS_ARGS,
      report: 'kinds.html',
      intro:
        'Step 1 of 2: healthy pages, and one URL of each kind of trouble. Each attempt\n' +
        'has a 1 s deadline (--timeout 1000), a failure that may pass is retried once\n' +
        '(--retries 1), and a page slower than 600 ms is flagged (--slow 600).',
    },
    {
      list: 'pages.txt',
      args: PAGES_ARGS,
      report: 'pages.html',
      intro:
        `Step 2 of 2: what concurrency buys. ${PAGES} pages that each answer in ${PAGE_DELAY_MS} ms,\n` +
        `checked ${DEFAULT_CONCURRENCY} at a time, then ${BASELINE_SAMPLE} of them one by one (the sequential baseline,\n` +
        `extrapolated to ${PAGES}). The pages are alike on purpose: a run lasts as long as\n` +
        'its slowest URL, and in step 1 /hang alone, which never answers, takes its two\n' +
        '1 s deadlines however many checks run at once. Its HTML report draws both runs\n' +
        'on one time axis.',
    },
  ];
  let worst = 0;
  // The commands run in the lists' folder, as a user who typed them there would: main's `cwd`
  // places the inputs and the config lookup, but --report paths resolve against the process's.
  const startedIn = process.cwd();
  process.chdir(dir);
  try {
    await writeFile(join(dir, 'kinds.txt'), kindsList(server.url, await closedPort(), String(Date.now())));
    await writeFile(join(dir, 'pages.txt'), pagesList(server.url));
    process.stderr.write(
      `urlcheck demo: a local server at ${server.origin} with fast, slow,\n` +
        'redirecting, bot-protected and broken endpoints.\n' +
        `The URL lists are in ${dir}\n` +
        '(kept after the demo, so the file:line references below can be opened).\n',
    );
    for (const step of steps) {
      if (controller.signal.aborted) break;
      const args = [step.list, ...step.args, '--report', `html:${step.report}`, ...extra];
      process.stderr.write(`\n${step.intro}\n$ urlcheck ${args.join(' ')}\n\n`);
      const code = await main(args, {
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        cwd: dir, // the lists' folder: short file:line references, and no urlcheck.config to read
        signal: controller.signal,
      });
      process.stderr.write(`\n${exitNote(code)}\n`);
      const report = join(dir, step.report);
      if (code <= 1 && existsSync(report)) process.stderr.write(`The HTML report: ${report} (open it in a browser)\n`);
      if (code !== 1) worst = Math.max(worst, code);
    }
  } finally {
    process.chdir(startedIn);
    process.off('SIGINT', onSigint);
    await server.close();
  }
  return worst;
}

// Exit 1 is what step 1 intends; anything else (a bad extra flag: 2; an interrupt: 130) is the demo's.
process.exitCode = await run();
