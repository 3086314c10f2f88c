// `npm run bench`: urlcheck against the floor (a minimal raw-undici client) and its own
// sequential baseline, side by side in one run, each workload run as a whole process several
// times. Absolute times vary on a shared machine; the ratios measured together are the result.
//
// Environment: BENCH_REPS (runs per variant, default 3), BENCH_ONLY (comma-separated workload
// names, e.g. "W1,S1"; W1 W2 W3 F1 H1 S2 S1 M1 X1 B1 D1), BENCH_M1_URLS (default 1000000; M1 and X1),
// BENCH_BASELINE_BIN (another build's bin/urlcheck.js, e.g. a worktree of the commit before a
// change: W3 and S1 then also run it, interleaved with this build, so "no slower" is measured
// in one run), BENCH_NODE (the node binary every measured process runs on, e.g.
// `BENCH_NODE="$(scripts/node-line.sh 24)"`; default: the node running this script, which also
// runs the local servers either way).
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'urlcheck.js');
const FLOOR = join(ROOT, 'bench', 'floor.mjs');
const FLOOR_VARIANTS = join(ROOT, 'bench', 'floor-variants.mjs');
const PROBE = join(ROOT, 'test', 'helpers', 'probe.cjs');
const WORK = join(ROOT, '.bench');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const M1_URLS = Number(process.env.BENCH_M1_URLS ?? 1_000_000);
const BASELINE_BIN = process.env.BENCH_BASELINE_BIN || null;
const NODE = process.env.BENCH_NODE || process.execPath;
let NODE_VERSION;
try {
  NODE_VERSION = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
} catch (error) {
  console.error(`bench: BENCH_NODE=${NODE} does not run: ${error.message.split('\n')[0]}`);
  process.exit(2);
}

if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (npm run bench does)');
  process.exit(2);
}
mkdirSync(WORK, { recursive: true });

// ---- the servers, each in its own process ---------------------------------------------------
const servers = [];
async function startServer(script, ...args) {
  const child = spawn(process.execPath, [join(ROOT, 'bench', script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  servers.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(String(chunk).trim()));
    child.once('exit', () => reject(new Error(`bench server ${script} exited`)));
  });
}
const origin = `http://127.0.0.1:${await startServer('server.mjs')}`;

async function urlFile(name, count, delayMs, base = origin) {
  const path = join(WORK, `${name}.txt`);
  const out = createWriteStream(path);
  const bases = Array.isArray(base) ? base : [base];
  for (let i = 0; i < count; i += 1) {
    if (!out.write(`${bases[i % bases.length]}/delay/${delayMs}/${i}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
  return path;
}

/** Lines `make(0)` … `make(n - 1)`. */
function linesOf(n, make) {
  return Array.from({ length: n }, (_, i) => make(i));
}

/** Writes `lines`, each ended by "\n", to `path`, respecting the stream's backpressure. */
async function writeLines(path, lines) {
  const out = createWriteStream(path);
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));
}

// ---- one measured process -------------------------------------------------------------------
let probeCount = 0;
/** Runs `node <args>` once: wall time (ms), peak RSS (MiB), and the results it reported. */
function runOnce(args, { captureStdout = false } = {}) {
  const rssFile = join(WORK, `rss-${process.pid}-${probeCount++}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(NODE, ['--require', PROBE, ...args], {
      env: { ...process.env, URLCHECK_PROBE_MAXRSS_FILE: rssFile, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - started;
      const rssMiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : Number.NaN;
      rmSync(rssFile, { force: true });
      resolve({ code, wallMs, rssMiB, stdout, stderr });
    });
  });
}

/** The result count a run reported: the floor prints it, urlcheck's summary says "of N URLs", a --dump "N targets listed". */
function resultsOf(run, kind) {
  if (kind === 'floor') return Number(run.stdout.split(' ')[0]);
  if (kind === 'dump') {
    const listed = /([\d,]+) targets? listed/.exec(run.stderr);
    return listed ? Number(listed[1].replaceAll(',', '')) : Number.NaN;
  }
  const match = /of ([\d,]+) URLs?/.exec(run.stdout + run.stderr);
  return match ? Number(match[1].replaceAll(',', '')) : Number.NaN;
}

/** The run's own wall time from urlcheck's summary ("of N URLs in 486 ms"): start-up excluded. */
function reportedMsOf(run) {
  const match = /URLs? in ([\d.]+) (ms|s)\b/.exec(run.stdout + run.stderr);
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs every variant REPS times, interleaved (A B C A B C …) so drift on a shared machine hits
 * all of them alike, and returns median wall time, max peak RSS and the result counts.
 */
async function measureVariants(variants, reps = REPS) {
  const runs = new Map(variants.map((variant) => [variant.name, []]));
  for (let rep = 0; rep < reps; rep += 1) {
    for (const variant of variants) {
      const run = await runOnce(variant.args, { captureStdout: variant.captureStdout ?? true });
      if (variant.expectCode !== undefined && run.code !== variant.expectCode) {
        throw new Error(`${variant.name}: exit ${run.code}\n${run.stderr.slice(0, 2000)}`);
      }
      runs.get(variant.name).push(run);
    }
  }
  return variants.map((variant) => {
    const list = runs.get(variant.name);
    return {
      name: variant.name,
      wallMs: median(list.map((run) => run.wallMs)),
      rssMiB: Math.max(...list.map((run) => run.rssMiB)),
      reportedMs: median(list.map(reportedMsOf)),
      results: variant.kind === 'none' ? null : Math.min(...list.map((run) => resultsOf(run, variant.kind))),
      urls: variant.urls,
    };
  });
}

// ---- the report -----------------------------------------------------------------------------
const rows = [];
const verdicts = [];
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
function row(workload, m, { floor, ideal, note = '' } = {}) {
  rows.push({
    workload,
    variant: m.name,
    wall: fmtMs(m.wallMs),
    xFloor: floor ? `${(m.wallMs / floor.wallMs).toFixed(2)}×` : '',
    xIdeal: ideal ? `${(m.wallMs / ideal).toFixed(2)}×` : '',
    rate: m.urls ? `${Math.round(m.urls / (m.wallMs / 1000)).toLocaleString('en-US')}` : '',
    rss: Number.isFinite(m.rssMiB) ? `${m.rssMiB.toFixed(0)} MiB` : '',
    results: m.results === null ? '' : m.results === m.urls ? `all ${m.urls.toLocaleString('en-US')}` : `${m.results} of ${m.urls} ✗`,
    note,
  });
}
function target(name, actual, limit, text) {
  verdicts.push(`${actual <= limit ? 'MET   ' : 'MISSED'} ${name}: ${text}`);
}
function printTable() {
  const headers = { workload: 'workload', variant: 'variant', wall: 'median wall', xFloor: '× floor', xIdeal: '× ideal', rate: 'URLs/s', rss: 'peak RSS', results: 'results', note: 'note' };
  const keys = Object.keys(headers);
  const width = Object.fromEntries(keys.map((key) => [key, Math.max(headers[key].length, ...rows.map((r) => String(r[key]).length))]));
  const line = (r) => `| ${keys.map((key) => String(r[key]).padEnd(width[key])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${keys.map((key) => '-'.repeat(width[key] + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

const wants = (name) => ONLY === null || ONLY.has(name);
const urlcheck = (file, ...flags) => [BIN, file, ...flags];
const log = (text) => process.stderr.write(`bench: ${text}\n`);

try {
  log(`server ${origin}; ${REPS} runs per variant; node ${NODE_VERSION} (${NODE})`);

  if (wants('W1')) {
    log('W1 seed: 200 URLs × 100 ms, C=50');
    const file = await urlFile('w1', 200, 100);
    const sample = await urlFile('w1-sample', 40, 100);
    const [floor, tool] = await measureVariants([
      { name: 'floor', args: [FLOOR, file, '50'], kind: 'floor', urls: 200 },
      { name: 'urlcheck', args: urlcheck(file, '-c', '50'), kind: 'urlcheck', urls: 200, expectCode: 0 },
    ]);
    const [sequential] = await measureVariants(
      [{ name: 'urlcheck --sequential (40 of 200, ×5)', args: urlcheck(sample, '--sequential'), kind: 'urlcheck', urls: 40, expectCode: 0 }],
      1,
    );
    const extrapolated = { ...sequential, wallMs: sequential.wallMs * 5, urls: 200, results: sequential.results === 40 ? 200 : sequential.results };
    row('W1 seed', floor, { floor, ideal: 400 });
    row('W1 seed', tool, { floor, ideal: 400 });
    row('W1 seed', extrapolated, { floor, ideal: 400, note: 'estimate: 40 URLs timed, ×5' });
    const speedup = extrapolated.wallMs / tool.wallMs;
    const inRun = (sequential.reportedMs * 5) / tool.reportedMs;
    target('W1 ≤ 1.05× floor', tool.wallMs / floor.wallMs, 1.05, `${(tool.wallMs / floor.wallMs).toFixed(2)}×`);
    target(
      'W1 speed-up over --sequential ≥ 35×, whole processes',
      35,
      speedup,
      `${speedup.toFixed(1)}× (start-up included in both; sequential extrapolated from 40 URLs)`,
    );
    target(
      'W1 speed-up over --sequential ≥ 35×, run walls',
      35,
      inRun,
      `${inRun.toFixed(1)}× (the walls urlcheck reports, start-up excluded; sequential extrapolated from 40 URLs)`,
    );
  }

  if (wants('W2')) {
    log('W2 scale: 5,000 URLs × 50 ms, C=200');
    const file = await urlFile('w2', 5000, 50);
    const [floor, tool] = await measureVariants([
      { name: 'floor', args: [FLOOR, file, '200'], kind: 'floor', urls: 5000 },
      { name: 'urlcheck', args: urlcheck(file, '-c', '200'), kind: 'urlcheck', urls: 5000, expectCode: 0 },
    ]);
    row('W2 scale', floor, { floor, ideal: 1250 });
    row('W2 scale', tool, { floor, ideal: 1250 });
    target('W2 ≤ 1.03× floor', tool.wallMs / floor.wallMs, 1.03, `${(tool.wallMs / floor.wallMs).toFixed(2)}×`);
  }

  if (wants('W3') || wants('F1')) {
    log('W3 overhead / F1 formats: 20,000 URLs × 0 ms, C=64');
    const file = await urlFile('w3', 20_000, 0);
    const formats = wants('F1') ? ['json', 'csv', 'ndjson'] : [];
    const measured = await measureVariants([
      { name: 'floor', args: [FLOOR, file, '64'], kind: 'floor', urls: 20_000 },
      { name: 'urlcheck (table)', args: urlcheck(file, '-c', '64'), kind: 'urlcheck', urls: 20_000, expectCode: 0 },
      ...(BASELINE_BIN === null ? [] : [{ name: 'baseline build (table)', args: [BASELINE_BIN, file, '-c', '64'], kind: 'urlcheck', urls: 20_000, expectCode: 0 }]),
      ...formats.map((format) => ({
        name: `urlcheck -f ${format}`,
        args: urlcheck(file, '-c', '64', '-f', format),
        kind: 'urlcheck',
        urls: 20_000,
        captureStdout: false,
        expectCode: 0,
      })),
    ]);
    const [floor, table] = measured;
    for (const m of measured) row(m.name.includes('-f') ? 'F1 formats' : 'W3 overhead', m, { floor });
    const before = measured.find((m) => m.name.startsWith('baseline build'));
    if (before) target('W3 this build no slower than the baseline build (≤ 1.03×, noise)', table.wallMs / before.wallMs, 1.03, `${(table.wallMs / before.wallMs).toFixed(3)}×`);
    target('W3 ≤ 1.20× floor (default format)', table.wallMs / floor.wallMs, 1.2, `${(table.wallMs / floor.wallMs).toFixed(2)}×`);
    const ndjson = measured.find((m) => m.name === 'urlcheck -f ndjson');
    if (ndjson) {
      for (const m of measured.slice(1)) {
        // The baseline build is another build's row, not a format of this one.
        if (m === ndjson || m === before) continue;
        target(`F1 ${m.name} ≤ 1.15× ndjson`, m.wallMs / ndjson.wallMs, 1.15, `${(m.wallMs / ndjson.wallMs).toFixed(2)}×`);
      }
    }
  }

  if (wants('H1')) {
    // The HTML report: written as fast as NDJSON, small at any list length (it samples what it
    // draws), and quick to open. Both formats go to a file (-o), run interleaved. The first
    // render is the report's own mark (performance.now() at its first render, from navigation
    // start) in headless Chromium through the tests' browser harness, loaded only here, so the
    // bench runs without playwright-core or a browser when H1 is not selected.
    const urls = 100_000;
    const loads = 5;
    log(`H1 HTML report: ${urls.toLocaleString('en-US')} URLs × 0 ms, C=100, -f ndjson vs -f html to a file; then ${loads} loads in headless Chromium`);
    const file = await urlFile('h1', urls, 0);
    const outputs = { ndjson: join(WORK, 'h1.ndjson'), html: join(WORK, 'h1.html') };
    const [ndjson, html] = await measureVariants(
      Object.entries(outputs).map(([format, path]) => ({
        name: `urlcheck -f ${format} -o h1.${format}`,
        args: urlcheck(file, '-c', '100', '-f', format, '-o', path),
        kind: 'urlcheck',
        urls,
        captureStdout: false,
        expectCode: 0,
      })),
    );
    const megabytes = (path) => statSync(path).size / 1e6;
    const htmlMB = megabytes(outputs.html);
    const ratio = html.wallMs / ndjson.wallMs;
    row('H1 html report', ndjson, { note: `report ${megabytes(outputs.ndjson).toFixed(1)} MB` });
    row('H1 html report', html, { note: `report ${htmlMB.toFixed(2)} MB; ${ratio.toFixed(2)}× the ndjson wall` });
    target(`H1 HTML report for ${urls.toLocaleString('en-US')} URLs ≤ 10 MB`, htmlMB, 10, `${htmlMB.toFixed(2)} MB`);
    target('H1 -f html wall ≤ 1.15× -f ndjson wall', ratio, 1.15, `${ratio.toFixed(2)}×`);
    let browser;
    try {
      const harness = await import('../test/helpers/report-browser.mjs');
      const executablePath = harness.findChromium();
      if (executablePath === null) throw new Error(harness.missingChromiumMessage());
      browser = await harness.launchChromium({ executablePath });
      const { times, medianMs } = await harness.measureFirstRender(browser, outputs.html, loads);
      row(
        'H1 html report',
        { name: `first render, Chromium ${browser.version().split('.')[0]} (median of ${loads} loads)`, wallMs: medianMs, rssMiB: Number.NaN, results: null },
        { note: `loads: ${times.map((ms) => Math.round(ms)).join(', ')} ms after navigation start` },
      );
      target('H1 first render of the 100,000-URL report in headless Chromium ≤ 2 s', medianMs, 2000, `${fmtMs(medianMs)} (median of ${loads} loads)`);
    } catch (error) {
      verdicts.push(`MISSED H1 first render ≤ 2 s: not measured: ${error.message.split('\n')[0]}`);
    } finally {
      await browser?.close();
    }
  }

  if (wants('S2')) {
    // What a CI step or a cron run checking a few URLs pays: one URL, whole processes, urlcheck
    // in its default format against the floor checking the same URL. Both start Node and load
    // undici; the rest of the difference is urlcheck's own start-up (its modules, the options,
    // the reporter). Many runs, interleaved: a one-URL process takes a tenth of a second and a
    // shared machine's noise is of the same size.
    const reps = Math.max(REPS, 15);
    log(`S2 one URL: urlcheck vs the floor, ${reps} runs each`);
    const one = await urlFile('s2', 1, 0);
    const [floor, tool, before] = await measureVariants(
      [
        { name: 'floor (1 URL)', args: [FLOOR, one, '1'], kind: 'floor', urls: 1 },
        { name: 'urlcheck (1 URL)', args: urlcheck(one), kind: 'urlcheck', urls: 1, expectCode: 0 },
        ...(BASELINE_BIN === null ? [] : [{ name: 'baseline build (1 URL)', args: [BASELINE_BIN, one], kind: 'urlcheck', urls: 1, expectCode: 0 }]),
      ],
      reps,
    );
    row('S2 one URL', floor, { floor, note: `median of ${reps}` });
    row('S2 one URL', tool, { floor, note: `${fmtMs(tool.wallMs - floor.wallMs)} above the floor` });
    if (before) {
      row('S2 one URL', before, { floor, note: `${fmtMs(before.wallMs - floor.wallMs)} above the floor` });
      target('S2 this build no slower than the baseline build (≤ 1.03×, noise)', tool.wallMs / before.wallMs, 1.03, `${(tool.wallMs / before.wallMs).toFixed(3)}×`);
    }
    target('S2 ≤ 1.15× floor (one URL, whole processes)', tool.wallMs / floor.wallMs, 1.15, `${(tool.wallMs / floor.wallMs).toFixed(2)}× (${fmtMs(tool.wallMs)} vs ${fmtMs(floor.wallMs)})`);
  }

  if (wants('S1')) {
    log('S1 start-up');
    const one = await urlFile('s1', 1, 0);
    const [node, help, check, helpBefore, checkBefore] = await measureVariants(
      [
        { name: 'node -e 0', args: ['-e', '0'], kind: 'none' },
        { name: 'urlcheck --help', args: [BIN, '--help'], kind: 'none', expectCode: 0 },
        { name: 'urlcheck (1 URL)', args: urlcheck(one), kind: 'urlcheck', urls: 1, expectCode: 0 },
        ...(BASELINE_BIN === null
          ? []
          : [
              { name: 'baseline build --help', args: [BASELINE_BIN, '--help'], kind: 'none', expectCode: 0 },
              { name: 'baseline build (1 URL)', args: [BASELINE_BIN, one], kind: 'urlcheck', urls: 1, expectCode: 0 },
            ]),
      ],
      Math.max(REPS, 7),
    );
    row('S1 start-up', node);
    row('S1 start-up', help, { note: `${(help.wallMs / node.wallMs).toFixed(2)}× node -e 0` });
    row('S1 start-up', check, { note: `${(check.wallMs / node.wallMs).toFixed(2)}× node -e 0` });
    if (helpBefore && checkBefore) {
      row('S1 start-up', helpBefore, { note: `${(helpBefore.wallMs / node.wallMs).toFixed(2)}× node -e 0` });
      row('S1 start-up', checkBefore, { note: `${(checkBefore.wallMs / node.wallMs).toFixed(2)}× node -e 0` });
      target('S1 --help no slower than the baseline build (≤ 1.03×, noise)', help.wallMs / helpBefore.wallMs, 1.03, `${(help.wallMs / helpBefore.wallMs).toFixed(3)}×`);
      target('S1 1 URL no slower than the baseline build (≤ 1.03×, noise)', check.wallMs / checkBefore.wallMs, 1.03, `${(check.wallMs / checkBefore.wallMs).toFixed(3)}×`);
    }
    target('S1 --help ≤ 2× node -e 0', help.wallMs / node.wallMs, 2, `${(help.wallMs / node.wallMs).toFixed(2)}×`);
  }

  if (wants('M1')) {
    const small = Math.max(1, Math.round(M1_URLS / 10));
    log(`M1 memory: ${small.toLocaleString('en-US')} and ${M1_URLS.toLocaleString('en-US')} URLs × 0 ms, C=100, ndjson to /dev/null (one run each)`);
    const fileSmall = await urlFile('m1-small', small, 0);
    const fileLarge = await urlFile('m1-large', M1_URLS, 0);
    const flags = ['-c', '100', '-f', 'ndjson'];
    const [smallRun] = await measureVariants(
      [{ name: `urlcheck ${small.toLocaleString('en-US')} URLs`, args: urlcheck(fileSmall, ...flags), kind: 'urlcheck', urls: small, captureStdout: false, expectCode: 0 }],
      1,
    );
    const [largeRun] = await measureVariants(
      [{ name: `urlcheck ${M1_URLS.toLocaleString('en-US')} URLs`, args: urlcheck(fileLarge, ...flags), kind: 'urlcheck', urls: M1_URLS, captureStdout: false, expectCode: 0 }],
      1,
    );
    // Dedupe (the default) must remember every distinct URL; --no-dedupe shows the pipeline alone.
    const [smallPlain] = await measureVariants(
      [{ name: `urlcheck ${small.toLocaleString('en-US')} URLs --no-dedupe`, args: urlcheck(fileSmall, ...flags, '--no-dedupe'), kind: 'urlcheck', urls: small, captureStdout: false, expectCode: 0 }],
      1,
    );
    const [largePlain] = await measureVariants(
      [{ name: `urlcheck ${M1_URLS.toLocaleString('en-US')} URLs --no-dedupe`, args: urlcheck(fileLarge, ...flags, '--no-dedupe'), kind: 'urlcheck', urls: M1_URLS, captureStdout: false, expectCode: 0 }],
      1,
    );
    const flatness = (large, smallOne) => `${(large.rssMiB / smallOne.rssMiB).toFixed(2)}× the peak at ${small.toLocaleString('en-US')}`;
    row('M1 memory', smallRun, { note: 'dedupe on (the default)' });
    row('M1 memory', largeRun, { note: flatness(largeRun, smallRun) });
    row('M1 memory', smallPlain);
    row('M1 memory', largePlain, { note: flatness(largePlain, smallPlain) });
    const mb = (m) => m.rssMiB * 1.048576;
    target(`M1 peak RSS ≤ 150 MB at ${M1_URLS.toLocaleString('en-US')}, default (dedupe)`, mb(largeRun), 150, `${mb(largeRun).toFixed(0)} MB`);
    target(`M1 peak RSS ≤ 150 MB at ${M1_URLS.toLocaleString('en-US')}, --no-dedupe`, mb(largePlain), 150, `${mb(largePlain).toFixed(0)} MB`);
    target('M1 flat: peak ≤ 1.25× the peak at a tenth of the list, default (dedupe)', largeRun.rssMiB / smallRun.rssMiB, 1.25, `${(largeRun.rssMiB / smallRun.rssMiB).toFixed(2)}×`);
    target('M1 flat: peak ≤ 1.25× the peak at a tenth of the list, --no-dedupe', largePlain.rssMiB / smallPlain.rssMiB, 1.25, `${(largePlain.rssMiB / smallPlain.rssMiB).toFixed(2)}×`);
  }

  if (wants('X1')) {
    // Scale-out: the list split by host over 4 shards run side by side (as a CI matrix would on
    // 4 runners; here they share 2 cores), then merged into one report.
    const shards = 4;
    const hosts = 16;
    log(`X1 scale-out: ${M1_URLS.toLocaleString('en-US')} URLs over ${hosts} hosts, ${shards} shards side by side, C=100 each, then merge`);
    const ports = (await startServer('server.mjs', String(hosts))).split(',');
    const file = await urlFile('x1', M1_URLS, 0, ports.map((port) => `http://127.0.0.1:${port}`));
    const outputs = Array.from({ length: shards }, (_, i) => join(WORK, `x1-shard-${i + 1}.ndjson`));
    const started = performance.now();
    const runs = await Promise.all(
      outputs.map((path, i) => runOnce(urlcheck(file, '-c', '100', '--shard', `${i + 1}/${shards}`, '-f', 'ndjson', '-o', path), { captureStdout: false })),
    );
    const sideBySideMs = performance.now() - started;
    runs.forEach((shardRun, i) => {
      if (shardRun.code !== 0) throw new Error(`X1 shard ${i + 1}: exit ${shardRun.code}\n${shardRun.stderr.slice(0, 2000)}`);
      const results = resultsOf(shardRun, 'urlcheck');
      row('X1 scale-out', { name: `shard ${i + 1}/${shards}`, wallMs: shardRun.wallMs, rssMiB: shardRun.rssMiB, results, urls: results }, { note: `${((results / M1_URLS) * 100).toFixed(1)}% of the URLs (${hosts} hosts split by hash)` });
    });
    const total = runs.reduce((sum, shardRun) => sum + resultsOf(shardRun, 'urlcheck'), 0);
    row('X1 scale-out', { name: `${shards} shards side by side`, wallMs: sideBySideMs, rssMiB: Math.max(...runs.map((r) => r.rssMiB)), results: total, urls: M1_URLS }, { note: 'wall: the slowest shard' });
    const [merged] = await measureVariants(
      [{ name: 'urlcheck merge (4 reports → json)', args: [BIN, 'merge', ...outputs, '-f', 'json', '-o', '/dev/null'], kind: 'urlcheck', urls: M1_URLS, captureStdout: false, expectCode: 0 }],
      1,
    );
    row('X1 scale-out', merged);
    const peak = Math.max(...runs.map((r) => r.rssMiB));
    target(`X1 every URL checked once across ${shards} shards`, Math.abs(total - M1_URLS), 0, `${total.toLocaleString('en-US')} of ${M1_URLS.toLocaleString('en-US')}`);
    target('X1 merged report has every result', Math.abs(merged.results - M1_URLS), 0, `${merged.results.toLocaleString('en-US')}`);
    target('X1 memory per shard: peak ≤ 150 MB', peak * 1.048576, 150, `${(peak * 1.048576).toFixed(0)} MB`);
  }

  if (wants('B1')) {
    // Beyond the floor: can more threads, or HTTP/2's streams over one connection, beat one
    // thread of HTTP/1.1? Floor variants only: if they cannot win, urlcheck on top cannot either.
    log('B1 beyond the floor: 20,000 URLs × 0 ms, C=64; 2 worker threads; HTTP/2 vs HTTP/1.1 over TLS');
    const file = await urlFile('b1', 20_000, 0);
    const tlsOrigin = `https://127.0.0.1:${await startServer('h2-server.mjs')}`;
    const tlsFile = await urlFile('b1-tls', 20_000, 0, tlsOrigin);
    const [one, two, h1, h2] = await measureVariants([
      { name: 'floor, 1 thread', args: [FLOOR, file, '64'], kind: 'floor', urls: 20_000 },
      { name: 'floor, 2 worker threads', args: [FLOOR_VARIANTS, file, '64', 'threads', '2'], kind: 'floor', urls: 20_000 },
      { name: 'floor over TLS, HTTP/1.1', args: [FLOOR_VARIANTS, tlsFile, '64', 'h1'], kind: 'floor', urls: 20_000 },
      { name: 'floor over TLS, HTTP/2', args: [FLOOR_VARIANTS, tlsFile, '64', 'h2'], kind: 'floor', urls: 20_000 },
    ]);
    row('B1 beyond', one, { floor: one });
    row('B1 beyond', two, { floor: one, note: 'each thread: its own Agent, half the list' });
    row('B1 beyond', h1, { floor: h1 });
    row('B1 beyond', h2, { floor: h1, note: '× floor here: against HTTP/1.1 over TLS' });
  }

  if (wants('D1')) {
    // Documents: `--dump` of one generated document (extraction only: nothing is checked, no
    // server), each shape at n and 4n links, side by side. A whole process starts in about
    // 0.3 s, which would hide a quadratic parse of a small document: the linearity targets take
    // the time above a one-link document's (start-up, module loading), and count any difference
    // under 25 ms as start-up noise. Peak RSS is the whole process's.
    log('D1 documents: Markdown, HTML and hostile documents at n and 4n, --dump');
    const dir = mkdtempSync(join(tmpdir(), 'urlcheck-bench-d1-'));
    try {
      const markdownLink = (i) => {
        switch (i % 4) {
          case 0:
            return `- [link ${i}](https://example.com/page/${i}) and text`;
          case 1:
            return `See <https://example.org/auto/${i}> here.`;
          case 2:
            return `Plain https://example.net/literal/${i} in prose, and **bold** text.`;
          default:
            return `An image ![alt ${i}](https://img.example.com/${i}.png "title")`;
        }
      };
      const htmlLink = (i) => `<a href="https://example.com/${i}">x</a>`;
      const end = '\n\n[end](https://example.com/end)\n';
      const shapes = [
        // name, small n, the document's lines for n, links listed for n
        { name: 'Markdown', n: 10_000, ext: 'md', lines: (n) => linesOf(n, (i) => (i % 10 === 9 ? `${markdownLink(i)}\n` : markdownLink(i))), listed: (n) => n },
        { name: 'HTML, a link per line', n: 10_000, ext: 'html', lines: (n) => linesOf(n, htmlLink), listed: (n) => n },
        { name: 'HTML, one line', n: 20_000, ext: 'html', lines: (n) => [Array.from({ length: n }, (_, i) => htmlLink(i)).join('')], listed: (n) => n },
        { name: 'unclosed <a href> tags', n: 250_000, ext: 'html', lines: (n) => linesOf(n, (i) => `<a href=http://x/${i}>`), listed: (n) => n },
        { name: 'nested <div>s', n: 50_000, ext: 'html', lines: (n) => [`${'<div>'.repeat(n)}${htmlLink(0)}`], listed: () => 1 },
        { name: '[ ×n then ] ×n', n: 10_000, ext: 'md', lines: (n) => [`${'['.repeat(n)}${']'.repeat(n)}${end}`], listed: () => 1 },
        // Past MAX_MARKDOWN_NESTING: one DOCUMENT_INVALID target, listed, for the document.
        { name: 'nested >', n: 2_500, ext: 'md', lines: (n) => [`${'>'.repeat(n)} [deep](https://example.com/deep)\n`], listed: () => 1 },
      ];
      const floorFile = join(dir, 'one-link.md');
      await writeLines(floorFile, ['[one](https://example.com/one)']);
      const variants = [{ name: 'one-link document (start-up)', args: urlcheck(floorFile, '--dump'), kind: 'dump', urls: 1, captureStdout: false, expectCode: 0 }];
      for (const [index, shape] of shapes.entries()) {
        for (const n of [shape.n, 4 * shape.n]) {
          const file = join(dir, `d1-${index}-${n}.${shape.ext}`);
          await writeLines(file, shape.lines(n));
          variants.push({ name: `${shape.name}, n=${n.toLocaleString('en-US')}`, args: urlcheck(file, '--dump'), kind: 'dump', urls: shape.listed(n), captureStdout: false, expectCode: 0 });
        }
      }
      const [floor, ...measured] = await measureVariants(variants);
      row('D1 documents', floor);
      const NOISE_MS = 25;
      const above = (m) => Math.max(m.wallMs - floor.wallMs, NOISE_MS);
      const mb = (m) => m.rssMiB * 1.048576;
      for (const [index, shape] of shapes.entries()) {
        const small = measured[2 * index];
        const large = measured[2 * index + 1];
        const timeRatio = above(large) / above(small);
        const rssRatio = large.rssMiB / small.rssMiB;
        row('D1 documents', small, { note: `${fmtMs(small.wallMs - floor.wallMs)} above start-up` });
        row('D1 documents', large, { note: `${fmtMs(large.wallMs - floor.wallMs)} above start-up; ×4 links: time ${timeRatio.toFixed(2)}×, peak RSS ${rssRatio.toFixed(2)}×` });
        target(`D1 ${shape.name}: every link found`, Math.abs(small.results - small.urls) + Math.abs(large.results - large.urls), 0, `${small.results} and ${large.results}`);
        target(`D1 ${shape.name}: linear time, 4n/n ≤ 1.3 × 4 (above start-up)`, timeRatio, 5.2, `${timeRatio.toFixed(2)}×`);
        target(`D1 ${shape.name}: linear peak RSS, 4n/n ≤ 1.3 × 4`, rssRatio, 5.2, `${rssRatio.toFixed(2)}×`);
        if (index === 0) {
          target('D1 Markdown 40,000 links ≤ 1.5 s (whole process)', large.wallMs, 1500, fmtMs(large.wallMs));
          target('D1 Markdown 40,000 links ≤ 150 MB peak RSS (whole process)', mb(large), 150, `${mb(large).toFixed(0)} MB`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  console.log(`\nurlcheck benchmark — ${new Date().toISOString()}, node ${NODE_VERSION}, ${REPS} runs per variant (median wall; peak RSS is the max)\n`);
  printTable();
  console.log('\nTargets:');
  for (const verdict of verdicts) console.log(`  ${verdict}`);
} finally {
  for (const child of servers) {
    child.stdin.end();
    child.kill();
  }
}
