import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  annotation,
  createGithubAnnotationsReporter,
  DEFAULT_GITHUB_ANNOTATIONS_PER_KIND,
  escapeData,
  escapeProperty,
  type GithubAnnotationsOptions,
} from '../../src/reporters/github.js';
import type { CheckResult } from '../../src/model/types.js';
import { captureContext, driveReporter, everyVerdictResults, resultWith } from '../helpers/samples.js';

async function annotate(results: Iterable<CheckResult>, options: GithubAnnotationsOptions = {}) {
  const { ctx, out, err } = captureContext();
  const reporter = createGithubAnnotationsReporter(ctx, options);
  await driveReporter(reporter, results);
  return { out: await out(), err: await err(), reporter };
}

describe('github annotations reporter', () => {
  it('annotates every URL that is not healthy on stderr, errors before warnings, in input order', async () => {
    const { out, err } = await annotate(everyVerdictResults());
    expect(out).toBe('');
    expect(err).toBe(
      '::error file=list.txt,line=6,title=urlcheck HTTP_STATUS::https://a.test/missing — HTTP 404\n' +
        // Commas and colons in a property, `%` and line breaks in the data, are percent-encoded.
        '::error file=odd%2C "lists"%3Av2.txt,line=2,title=urlcheck HTTP_STATUS::https://odd.test/<a>&"\'|`x`|*_[y](z)_🙂 — ' +
        '100%25 <b>bold</b> & "q" \'a\'\\u000d\\u000anext\\u0007bell\\u001b[31m\ufffd\uffff 🙂 | `c`\n' +
        // No file to point at for stdin.
        '::error title=urlcheck INVALID_URL::example.com — not a valid URL: no scheme\n' +
        '::error file=list.txt,line=5,title=urlcheck CONNECTION_REFUSED::https://down.test/ — connection refused (ECONNREFUSED)\n' +
        '::error file=list.txt,line=7,title=urlcheck HTTP_STATUS::https://shop.test/ — HTTP 403: a bot challenge answered\n' +
        '::warning file=list.txt,line=3,title=urlcheck PERMANENT_REDIRECT::http://c.test/old — moved permanently to https://c.test/new\n',
    );
  });

  it('writes nothing when every URL is healthy', async () => {
    const [healthy] = everyVerdictResults() as [CheckResult];
    expect((await annotate([healthy])).err).toBe('');
    expect((await annotate([])).err).toBe('');
  });

  it('points at inputs inside the workspace by their path in the repository', async () => {
    const at = (source: string) => resultWith({ url: 'https://a.test/', line: 2, source, verdict: 'broken', ok: false, error: { code: 'DNS', message: 'no such host' } });
    const { err } = await annotate([at('/w/repo/docs/links.txt'), at('/elsewhere/list.txt'), at('relative.txt')], { workspace: '/w/repo', perKind: 3 });
    expect(err).toBe(
      '::error file=/elsewhere/list.txt,line=2,title=urlcheck DNS::https://a.test/ — no such host\n' +
        '::error file=docs/links.txt,line=2,title=urlcheck DNS::https://a.test/ — no such host\n' +
        '::error file=relative.txt,line=2,title=urlcheck DNS::https://a.test/ — no such host\n',
    );
  });

  it('joins several warnings into one annotation titled by the first', () => {
    const result = resultWith({
      url: 'http://a.test/',
      line: 9,
      verdict: 'warning',
      warnings: [
        { code: 'HTTPS_UPGRADE', message: 'redirects to https:' },
        { code: 'SLOW', message: 'took 3 s' },
      ],
    });
    expect(annotation(result)).toBe('::warning file=list.txt,line=9,title=urlcheck HTTPS_UPGRADE::http://a.test/ — redirects to https:; took 3 s');
  });

  it('caps each kind at GitHub’s per-step limit over 100,000 results, keeping the first lines, and counts the rest', async () => {
    const { ctx, err } = captureContext();
    const reporter = createGithubAnnotationsReporter(ctx);
    let maxHeld = 0;
    const results = (function* () {
      for (let i = 0; i < 100_000; i += 1) {
        const line = ((i * 7919) % 100_000) + 1;
        const verdict = line % 2 === 0 ? 'warning' : 'transient';
        yield resultWith({ url: `https://h${line}.test/`, line, verdict, ok: verdict === 'warning', error: verdict === 'warning' ? null : { code: 'TIMEOUT', message: 'timed out' }, warnings: verdict === 'warning' ? [{ code: 'SLOW', message: 'slow' }] : [] });
        maxHeld = Math.max(maxHeld, reporter.heldResults);
      }
    })();
    await driveReporter(reporter, results);
    expect(DEFAULT_GITHUB_ANNOTATIONS_PER_KIND).toBe(10);
    expect(maxHeld).toBe(20);
    const lines = (await err()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(21);
    expect(lines.filter((line) => line.startsWith('::error '))).toHaveLength(10);
    expect(lines.filter((line) => line.startsWith('::warning '))).toHaveLength(10);
    expect(lines[0]).toBe('::error file=list.txt,line=1,title=urlcheck TIMEOUT::https://h1.test/ — timed out');
    expect(lines[9]).toBe('::error file=list.txt,line=19,title=urlcheck TIMEOUT::https://h19.test/ — timed out');
    expect(lines[19]).toBe('::warning file=list.txt,line=20,title=urlcheck SLOW::https://h20.test/ — slow');
    expect(lines[20]).toBe(
      '::notice title=urlcheck::99,980 more URLs need attention (20 annotated: GitHub shows 10 errors and 10 warnings per step); see the report or the log for every URL',
    );
  });
});

describe('workflow command escaping', () => {
  function unescape(text: string): string {
    return text.replace(/%(25|0D|0A|3A|2C)/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }

  it('round-trips any text and never leaves a line break, or a separator in a property', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const data = escapeData(text);
        const property = escapeProperty(text);
        expect(unescape(data)).toBe(text);
        expect(unescape(property)).toBe(text);
        expect(data).not.toMatch(/[\r\n]/);
        expect(property).not.toMatch(/[\r\n:,]/);
      }),
    );
  });

  it('follows the runner’s rules', () => {
    expect(escapeData('50% a:b,c\r\nd')).toBe('50%25 a:b,c%0D%0Ad');
    expect(escapeProperty('50% a:b,c\r\nd')).toBe('50%25 a%3Ab%2Cc%0D%0Ad');
  });
});
