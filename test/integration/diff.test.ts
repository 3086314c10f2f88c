import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffTracker, loadPreviousReport } from '../../src/reports/diff.js';
import { TextWriter } from '../../src/util/text-writer.js';
import { combineReporters } from '../../src/reporters/combine.js';
import { createJsonReporter } from '../../src/reporters/json.js';
import { createNdjsonReporter } from '../../src/reporters/ndjson.js';
import { createTableReporter } from '../../src/reporters/table.js';
import type { Reporter, ReporterFactory } from '../../src/model/reporter.js';
import { runChecks, type RunOutcome } from '../../src/pipeline/run.js';
import type { Change } from '../../src/model/types.js';
import { recordingReporter } from '../helpers/checks.js';
import { targetsFrom, testOptions } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';

const NO_COLOR = new Chalk({ level: 0 });

describe('a run compared with the report of an earlier run', () => {
  const temp = useTempDir('urlcheck-diff-');
  // The status each path answers with; a test changes it between the two runs.
  const statuses = new Map<string, number>();
  let server: Server;
  let origin = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = statuses.get(req.url ?? '') ?? 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const url = (path: string) => `${origin}${path}`;

  /** A reporter writing into a file, and a way to finish the file. */
  function fileReporter(factory: ReporterFactory, path: string): { reporter: Reporter; close: () => Promise<void> } {
    const out = new TextWriter(createWriteStream(path));
    return { reporter: factory({ out, err: out, color: NO_COLOR, errColor: NO_COLOR, quiet: false }), close: () => out.end() };
  }

  /** Checks `lines` for real, writing a JSON and an NDJSON report of the run. */
  async function runWithReports(lines: string[], name: string): Promise<{ json: string; ndjson: string }> {
    const json = join(temp.path(), `${name}.json`);
    const ndjson = join(temp.path(), `${name}.ndjson`);
    const files = [fileReporter(createJsonReporter, json), fileReporter(createNdjsonReporter, ndjson)];
    await runChecks({ targets: targetsFrom(lines), options: testOptions({ retries: 0 }), reporter: combineReporters(files.map((f) => f.reporter)) });
    for (const file of files) await file.close();
    return { json, ndjson };
  }

  /** Checks `lines` against a previous report; the change of each URL, and the outcome. */
  async function runAgainst(previousPath: string, lines: string[], extra: Reporter[] = []): Promise<{ changes: Record<string, Change | null | undefined>; outcome: RunOutcome }> {
    const recorder = recordingReporter();
    const outcome = await runChecks({
      targets: targetsFrom(lines),
      options: testOptions({ retries: 0 }),
      reporter: combineReporters([recorder, ...extra]),
      diff: new DiffTracker(await loadPreviousReport(previousPath)),
    });
    const changes: Record<string, Change | null | undefined> = {};
    for (const call of recorder.calls) if (call.hook === 'onResult') changes[call.result.url.replace(origin, '')] = call.result.change;
    return { changes, outcome };
  }

  it.each(['json', 'ndjson'] as const)('classifies every URL against a %s report the previous run wrote', async (format) => {
    for (const [path, status] of [['/a', 200], ['/b', 404], ['/c', 404], ['/d', 200], ['/removed', 500]] as const) statuses.set(path, status);
    const previous = await runWithReports(['/a', '/b', '/c', '/d', '/removed'].map(url).concat('not a url'), `before-${format}`);

    statuses.set('/b', 200); // fixed
    statuses.set('/d', 410); // broke
    statuses.set('/added', 503); // new to the list, and failing
    const { changes, outcome } = await runAgainst(previous[format], ['/a', '/b', '/c', '/d', '/added'].map(url).concat('not a url'));

    expect(changes).toEqual({
      '/a': null,
      '/b': 'recovered',
      '/c': 'still-failing',
      '/d': 'newly-failing',
      '/added': 'newly-failing',
      'not a url': 'still-failing',
    });
    expect(outcome.diff).toEqual({ previous: previous[format], newlyFailing: 2, recovered: 1, stillFailing: 2, gone: 1 });
  });

  it('uses what a previous report killed mid-way managed to write', async () => {
    for (const path of ['/k1', '/k2', '/k3']) statuses.set(path, 404);
    const { json } = await runWithReports(['/k1', '/k2', '/k3'].map(url), 'killed');
    const whole = await readFile(json, 'utf8');
    // Cut inside the third result's line: only the first two results were written whole.
    const lines = whole.split('\n');
    const cut = join(temp.path(), 'killed-cut.json');
    await writeFile(cut, `${lines.slice(0, 3).join('\n')}\n${(lines[3] ?? '').slice(0, 30)}`);
    const report = await loadPreviousReport(cut);
    expect(report).toMatchObject({ format: 'json', results: 2, complete: false, failingCount: 2 });

    const { changes, outcome } = await runAgainst(cut, ['/k1', '/k2', '/k3'].map(url));
    // Results arrive in completion order: the lost one is whichever the two whole lines do not name.
    const written = lines.slice(1, 3).map((line) => (JSON.parse(line.replace(/,$/, '')) as { url: string }).url.replace(origin, ''));
    const lost = ['/k1', '/k2', '/k3'].find((path) => !written.includes(path));
    expect(lost).toBeDefined();
    expect(changes[lost ?? '']).toBe('newly-failing');
    expect(Object.values(changes).filter((change) => change === 'still-failing')).toHaveLength(2);
    expect(outcome.diff).toMatchObject({ newlyFailing: 1, stillFailing: 2, recovered: 0, gone: 0 });
  });

  it('prints only what changed, for cron, with the table and --quiet', async () => {
    for (const [path, status] of [['/q1', 200], ['/q2', 500], ['/q3', 404]] as const) statuses.set(path, status);
    const { ndjson } = await runWithReports(['/q1', '/q2', '/q3'].map(url), 'quiet');
    const lines = ['/q1', '/q2', '/q3'].map(url);

    /** The table reporter with --quiet, writing into memory. */
    const quietTable = () => {
      const stream = new PassThrough();
      const chunks: string[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
      const out = new TextWriter(stream);
      const text = async () => {
        await out.flush();
        await new Promise((resolve) => setImmediate(resolve));
        return chunks.join('');
      };
      return { reporter: createTableReporter({ out, err: out, color: NO_COLOR, errColor: NO_COLOR, quiet: true }), text };
    };

    const unchanged = quietTable();
    await runAgainst(ndjson, lines, [unchanged.reporter]);
    expect(await unchanged.text()).toBe('');

    statuses.set('/q1', 404);
    const changed = quietTable();
    await runAgainst(ndjson, lines, [changed.reporter]);
    const text = await changed.text();
    expect(text).toContain(url('/q1'));
    expect(text).toContain('NEW');
    expect(text).not.toContain(url('/q2'));
    expect(text.trimEnd().split('\n').at(-1)).toBe(`since ${ndjson}: 1 newly failing · 0 recovered · 2 still failing`);
  });
});
