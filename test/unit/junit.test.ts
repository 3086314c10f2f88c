import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import {
  createJunitReporter,
  DEFAULT_JUNIT_BUFFER_CHARS,
  formatSeconds,
  junitClassname,
  junitTestcase,
  junitTestName,
  xmlAttribute,
  xmlText,
} from '../../src/reporters/junit.js';
import type { RunEnd } from '../../src/model/reporter.js';
import type { Summary } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';
import { captureContext, driveReporter, everyVerdictResults, resultWith } from '../helpers/samples.js';
import { useTempDir } from '../helpers/temp-dir.js';

const XSD_PATH = fileURLToPath(new URL('../../fixtures/junit/junit-10.xsd', import.meta.url));

/** Validates a document against Jenkins' junit-10.xsd with libxml2 (WASM); returns its error messages. */
async function schemaErrors(xml: string): Promise<string[]> {
  const schema = await readFile(XSD_PATH, 'utf8');
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [schema] });
  return result.errors.map((error) => error.rawMessage);
}

/**
 * How libxml2 reads `xml`: its W3C canonical form (C14N), after validating against junit-10.xsd
 * when `validate` is set. Canonical XML escapes a parsed attribute's tab, LF and CR as `&#x9;`,
 * `&#xA;`, `&#xD;`, so an escape that was missing shows up as the space the parser turned it into.
 */
async function parsedByLibxml(xml: string, validate: boolean): Promise<{ canonical: string; errors: string[] }> {
  const file = { fileName: 'report.xml', contents: xml };
  const result = validate
    ? await validateXML({ xml: [file], schema: [await readFile(XSD_PATH, 'utf8')], normalization: 'c14n' })
    : await validateXML({ xml: [file], normalization: 'c14n' });
  return { canonical: result.normalized, errors: result.errors.map((error) => error.rawMessage) };
}

/** The value of the first `name="…"` attribute of `element` in canonical XML, unescaped. */
function canonicalAttribute(canonical: string, element: string, name: string): string | undefined {
  const found = new RegExp(`<${element} [^>]*?\\b${name}="([^"]*)"`).exec(canonical);
  return found?.[1]?.replace(/&(amp|lt|quot|#x([0-9A-F]+));/g, (_, entity: string, hex: string | undefined) =>
    hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : ({ amp: '&', lt: '<', quot: '"' } as Record<string, string>)[entity] as string,
  );
}

async function report(results: Iterable<CheckResult>, end?: (summary: Summary) => RunEnd, options = {}) {
  const { ctx, out, err } = captureContext();
  const reporter = createJunitReporter(ctx, options);
  await driveReporter(reporter, results, end);
  return { xml: await out(), err: await err(), reporter };
}

/** `result` as dedupe reports a duplicate: the check of the line at `source`:`line`. */
function duplicate(result: CheckResult, source: string, line: number): CheckResult {
  return { ...result, duplicateOf: { source, line } };
}

const [HEALTHY, REDIRECTED, NOT_FOUND, REFUSED, BLOCKED, STDIN_INVALID, ODD] = everyVerdictResults() as [
  CheckResult,
  CheckResult,
  CheckResult,
  CheckResult,
  CheckResult,
  CheckResult,
  CheckResult,
];

const PROPERTIES =
  '    <properties>\n' +
  '      <property name="version" value="1.2.3"/>\n' +
  '      <property name="concurrency" value="10"/>\n' +
  '      <property name="timeoutMs" value="10000"/>\n' +
  '      <property name="retries" value="2"/>\n' +
  '      <property name="method" value="head"/>\n' +
  '      <property name="accept" value="200-299"/>\n' +
  '      <property name="maxRedirects" value="10"/>\n';

describe('junit reporter', () => {
  it('writes one suite with counts up front and one testcase per URL, in completion order', async () => {
    const { xml, err } = await report([NOT_FOUND, HEALTHY, REDIRECTED, STDIN_INVALID]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<testsuites name="urlcheck" tests="4" failures="2" errors="0" time="2.000">\n' +
        '  <testsuite name="urlcheck" tests="4" failures="2" errors="0" skipped="0" time="2.000" timestamp="2024-05-01T12:00:00.000Z">\n' +
        PROPERTIES +
        '    </properties>\n' +
        '    <testcase name="https://a.test/missing (line 6)" classname="urlcheck.list_txt" file="list.txt" line="6" time="0.008">\n' +
        '      <failure message="HTTP 404" type="HTTP_STATUS">verdict: broken\nstatus: 404 (GET)\ninput: list.txt:6</failure>\n' +
        '    </testcase>\n' +
        '    <testcase name="https://a.test/ (line 1)" classname="urlcheck.list_txt" file="list.txt" line="1" time="0.012"/>\n' +
        '    <testcase name="http://c.test/old (line 3)" classname="urlcheck.list_txt" file="list.txt" line="3" time="1.500">\n' +
        '      <system-out>warning PERMANENT_REDIRECT: moved permanently to https://c.test/new\n' +
        'redirect 301 → https://c.test/new\nfinal URL: https://c.test/new</system-out>\n' +
        '    </testcase>\n' +
        // stdin is no file a CI system could link to: no file or line attributes.
        '    <testcase name="example.com (line 4)" classname="urlcheck.stdin" time="0.000">\n' +
        '      <failure message="not a valid URL: no scheme" type="INVALID_URL">verdict: broken\nstatus: no response\ninput: stdin:4</failure>\n' +
        '    </testcase>\n' +
        '  </testsuite>\n' +
        '</testsuites>\n',
    );
    expect(err).toBe('');
  });

  it('fails transient and blocked URLs too, with attempts when retried', () => {
    expect(junitTestcase(REFUSED)).toBe(
      '    <testcase name="https://down.test/ (line 5)" classname="urlcheck.list_txt" file="list.txt" line="5" time="0.030">\n' +
        '      <failure message="connection refused (ECONNREFUSED)" type="CONNECTION_REFUSED">verdict: transient\n' +
        'status: no response\nattempts: 3\ninput: list.txt:5</failure>\n' +
        '    </testcase>\n',
    );
    expect(junitTestcase(BLOCKED)).toContain('<failure message="HTTP 403: a bot challenge answered" type="HTTP_STATUS">verdict: blocked\n');
  });

  it('escapes markup, quotes and control characters, and replaces what XML cannot carry', () => {
    expect(junitTestcase(ODD)).toBe(
      '    <testcase name="https://odd.test/&lt;a&gt;&amp;&quot;&apos;|`x`|*_[y](z)_🙂 (line 2)" classname="urlcheck.odd, &quot;lists&quot;:v2_txt"' +
        ' file="odd, &quot;lists&quot;:v2.txt" line="2" time="0.002">\n' +
        '      <failure message="100% &lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot; &apos;a&apos;\\u000d\\u000anext\\u0007bell\\u001b[31m\ufffd\ufffd 🙂 | `c`"' +
        ' type="HTTP_STATUS">verdict: broken\nstatus: 500 (HEAD)\ninput: odd, "lists":v2.txt:2</failure>\n' +
        '      <system-out>warning SLOW: slow: 2 ms, over 1 ms</system-out>\n' +
        '    </testcase>\n',
    );
  });

  it('produces a document valid against junit-10.xsd for every verdict, redirects and odd characters', async () => {
    const { xml } = await report(everyVerdictResults(), (summary) => ({
      summary: { ...summary, interrupted: true },
      comparison: null,
      diff: { previous: 'old "run".json', newlyFailing: 1, recovered: 2, stillFailing: 3, gone: 4 },
    }));
    expect(xml).toContain('<testsuite name="urlcheck" tests="7" failures="5" errors="0" skipped="0"');
    expect(xml).toContain(
      '      <property name="interrupted" value="true"/>\n' +
        '      <property name="diff.previous" value="old &quot;run&quot;.json"/>\n' +
        '      <property name="diff.newlyFailing" value="1"/>\n' +
        '      <property name="diff.recovered" value="2"/>\n' +
        '      <property name="diff.stillFailing" value="3"/>\n' +
        '      <property name="diff.gone" value="4"/>\n',
    );
    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('writes a valid, empty suite for zero results', async () => {
    const { xml } = await report([]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<testsuites name="urlcheck" tests="0" failures="0" errors="0" time="2.000">\n' +
        '  <testsuite name="urlcheck" tests="0" failures="0" errors="0" skipped="0" time="2.000" timestamp="2024-05-01T12:00:00.000Z">\n' +
        PROPERTIES +
        '    </properties>\n' +
        '  </testsuite>\n' +
        '</testsuites>\n',
    );
    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('stays valid whatever text the results hold (random Unicode, lone surrogates, controls)', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const samples = fc.sample(fc.tuple(text, text, text, text), { numRuns: 150, seed: 42 });
    const results = samples.map(([url, message, source, warning], index) =>
      resultWith({
        url,
        line: index + 1,
        source,
        ok: index % 2 === 0,
        verdict: index % 2 === 0 ? 'warning' : 'broken',
        error: index % 2 === 0 ? null : { code: 'HTTP_STATUS', message },
        warnings: [{ code: 'SLOW', message: warning }],
        redirects: [{ status: 308, location: message }],
      }),
    );
    const { xml } = await report(results);
    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('a test-case name with a tab and a newline stays valid and reads back as its visible form', async () => {
    const url = 'https://a.test/a\tb\nc?q="x"&y=<z>\'';
    const { xml } = await report([
      resultWith({ url, line: 3, ok: false, verdict: 'broken', status: 404, error: { code: 'HTTP_STATUS', message: 'HTTP 404\tnot\nfound' } }),
    ]);
    const { canonical, errors } = await parsedByLibxml(xml, true);
    expect(errors).toEqual([]);
    // Control characters are shown as visible escapes (as every report does), and markup survives the parse intact.
    expect(canonicalAttribute(canonical, 'testcase', 'name')).toBe('https://a.test/a\\u0009b\\u000ac?q="x"&y=<z>\' (line 3)');
    expect(canonicalAttribute(canonical, 'failure', 'message')).toBe('HTTP 404\\u0009not\\u000afound');
  });

  it('names the class after the input, so Jenkins shows package "urlcheck" and one class per input', () => {
    // Jenkins splits a classname at its last dot: "urls.txt" would be package "urls", class "txt".
    expect(junitClassname('urls.txt')).toBe('urlcheck.urls_txt');
    expect(junitClassname('docs/guide/intro.md')).toBe('urlcheck.docs/guide/intro_md');
    expect(junitClassname('../lists/a.b.txt')).toBe('urlcheck.__/lists/a_b_txt');
    expect(junitClassname('stdin')).toBe('urlcheck.stdin');
    expect(junitClassname('https://example.com/sitemap.xml')).toBe('urlcheck.https://example_com/sitemap_xml');
    for (const source of ['urls.txt', 'docs/guide/intro.md', 'stdin', 'https://example.com/sitemap.xml']) {
      const classname = junitClassname(source);
      expect(classname.slice(0, classname.lastIndexOf('.'))).toBe('urlcheck');
    }
  });

  it('links a test case to its file and line, but not one read from stdin or from a document URL', () => {
    const fromUrl = resultWith({ url: 'https://a.test/page', line: 12, source: 'https://example.com/sitemap.xml' });
    expect(junitTestcase(fromUrl)).toBe(
      '    <testcase name="https://a.test/page (line 12)" classname="urlcheck.https://example_com/sitemap_xml" time="0.010"/>\n',
    );
    expect(junitTestcase(resultWith({ url: 'https://a.test/', line: 12, source: 'docs/a.md' }))).toContain(' file="docs/a.md" line="12" ');
  });

  it('gives every test case a name of its own: a URL on two lines, and a URL repeated on one line', async () => {
    const url = 'https://a.test/same';
    const results = [
      resultWith({ url, line: 2, source: 'urls.txt' }),
      // The same URL on a later line of the list: a duplicate of line 2 (dedupe).
      duplicate(resultWith({ url, line: 9, source: 'urls.txt' }), 'urls.txt', 2),
      // The same URL in another input, same line number: another class.
      duplicate(resultWith({ url, line: 2, source: 'other.txt' }), 'urls.txt', 2),
      // Twice on one line of a document: the first checked, the second a duplicate of its own line.
      resultWith({ url, line: 7, source: 'docs/a.md' }),
      duplicate(resultWith({ url, line: 7, source: 'docs/a.md' }), 'docs/a.md', 7),
      // Twice on one line, both duplicates of an earlier line.
      duplicate(resultWith({ url, line: 8, source: 'docs/a.md' }), 'urls.txt', 2),
      duplicate(resultWith({ url, line: 8, source: 'docs/a.md' }), 'urls.txt', 2),
      // Twice on one line with --no-dedupe: both checked, no duplicateOf.
      resultWith({ url, line: 9, source: 'docs/a.md' }),
      resultWith({ url, line: 9, source: 'docs/a.md' }),
    ];
    const { xml } = await report(results);
    const cases = [...xml.matchAll(/<testcase name="([^"]*)" classname="([^"]*)"/g)].map(([, name, classname]) => `${classname} | ${name}`);
    expect(cases).toEqual([
      'urlcheck.urls_txt | https://a.test/same (line 2)',
      'urlcheck.urls_txt | https://a.test/same (line 9)',
      'urlcheck.other_txt | https://a.test/same (line 2)',
      'urlcheck.docs/a_md | https://a.test/same (line 7)',
      'urlcheck.docs/a_md | https://a.test/same (line 7, #2)',
      'urlcheck.docs/a_md | https://a.test/same (line 8)',
      'urlcheck.docs/a_md | https://a.test/same (line 8, #2)',
      'urlcheck.docs/a_md | https://a.test/same (line 9)',
      'urlcheck.docs/a_md | https://a.test/same (line 9, #2)',
    ]);
    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('names a repeat on its own line #2 even when the first check came thousands of results before', async () => {
    const url = 'https://a.test/late';
    const others = Array.from({ length: 10_000 }, (_, index) => resultWith({ url: `https://h${index}.test/`, line: index + 1 }));
    const repeat = duplicate(resultWith({ url, line: 4, source: 'docs/a.md' }), 'docs/a.md', 4);
    const { xml } = await report([resultWith({ url, line: 4, source: 'docs/a.md' }), ...others, repeat]);
    expect(xml).toContain('<testcase name="https://a.test/late (line 4)" classname="urlcheck.docs/a_md"');
    expect(xml).toContain('<testcase name="https://a.test/late (line 4, #2)" classname="urlcheck.docs/a_md"');
    expect(junitTestName(repeat, 3)).toBe('https://a.test/late (line 4, #3)');
  });

  it('sees the test-set up: the schema rejects a suite without counts', async () => {
    // Guards against a validator that accepts anything: the same check the reports pass must fail here.
    expect(await schemaErrors('<testsuites><testsuite name="x"><testcase/></testsuite></testsuites>')).not.toEqual([]);
  });
});

describe('junit reporter memory', () => {
  const temp = useTempDir('urlcheck-junit-test-');

  it('holds at most one buffer of testcases, spools the rest, and writes every one of 100,000', async () => {
    const bufferChars = 64 * 1024;
    const { ctx, out } = captureContext();
    const reporter = createJunitReporter(ctx, { bufferChars, spoolDir: temp.path() });
    let maxHeld = 0;
    const results = (function* () {
      for (let line = 1; line <= 100_000; line += 1) {
        yield resultWith({ url: `https://h${line}.test/🙂`, line, ok: line % 10 !== 0, verdict: line % 10 === 0 ? 'broken' : 'healthy' });
        maxHeld = Math.max(maxHeld, reporter.bufferedChars);
      }
    })();
    // Checked after each result's hook has run: the generator resumes only once the run moved on.
    await driveReporter(reporter, results);
    expect(maxHeld).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThan(bufferChars);
    expect(reporter.bufferedChars).toBe(0);
    const xml = await out();
    expect(xml).toContain('<testsuite name="urlcheck" tests="100000" failures="10000" errors="0"');
    expect(xml.split('<testcase ').length - 1).toBe(100_000);
    expect(xml.endsWith('  </testsuite>\n</testsuites>\n')).toBe(true);
    // The spool file is gone once the report is written.
    expect(await readdir(temp.path())).toEqual([]);
  });

  it('writes the same report whether testcases were spooled or not, multi-byte characters included', async () => {
    const results = Array.from({ length: 3000 }, (_, index) =>
      resultWith({ url: `https://h${index}.test/${'🙂é'.repeat(index % 7)}`, line: index + 1 }),
    );
    const inMemory = await report(results);
    // 1 000 characters of buffer: a spill every few results, and 64 KiB read-back chunks that end mid-character.
    const spooled = await report(results, undefined, { bufferChars: 1000, spoolDir: temp.path() });
    expect(spooled.xml).toBe(inMemory.xml);
    expect(inMemory.xml.length).toBeLessThan(DEFAULT_JUNIT_BUFFER_CHARS);
    expect(await readdir(temp.path())).toEqual([]);
  });

  it('says which directory it could not spool to', async () => {
    const { ctx } = captureContext();
    const reporter = createJunitReporter(ctx, { bufferChars: 1, spoolDir: `${temp.path()}/missing/dir` });
    await expect(Promise.resolve(reporter.onResult?.(resultWith({ url: 'https://a.test/', line: 1 })))).rejects.toThrow(
      /cannot create the JUnit report's temporary file in ".*missing\/dir"/,
    );
  });
});

describe('xml escapers', () => {
  // XML 1.0's Char production, with the `u` flag so a lone surrogate is one (invalid) code point.
  const XML_CHARS_ONLY = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
  const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

  function unescape(text: string): string {
    return text.replace(/&(amp|lt|gt|quot|apos|#(\d+));/g, (_, name: string, code: string | undefined) =>
      code !== undefined ? String.fromCodePoint(Number(code)) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name] as string,
    );
  }

  it('round-trip any text, with only what XML forbids replaced by U+FFFD', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const expected = text.replace(NOT_XML_CHAR, '\ufffd');
        const asText = xmlText(text);
        const asAttribute = xmlAttribute(text);
        expect(unescape(asText)).toBe(expected);
        expect(unescape(asAttribute)).toBe(expected);
        for (const escaped of [asText, asAttribute]) {
          expect(escaped).toMatch(XML_CHARS_ONLY);
          expect(escaped).not.toMatch(/[<>\r]|&(?!(amp|lt|gt|quot|apos|#\d+);)/);
        }
        // Attribute values keep their whitespace only as character references, and never end the quotes.
        expect(asAttribute).not.toMatch(/["'\t\n]/);
      }),
    );
  });

  it('keep a tab, a newline and a CR in an attribute value through a real XML parser', async () => {
    const text = 'a\tb\nc\r\nd "e" <f> & \'g\'';
    expect(xmlAttribute(text)).toBe('a&#9;b&#10;c&#13;&#10;d &quot;e&quot; &lt;f&gt; &amp; &apos;g&apos;');
    const { canonical, errors } = await parsedByLibxml(`<e a="${xmlAttribute(text)}"/>`, false);
    expect(errors).toEqual([]);
    // Raw whitespace would have been read back as spaces (XML attribute-value normalisation).
    expect(canonicalAttribute(canonical, 'e', 'a')).toBe(text);
  });

  it('format milliseconds as seconds', () => {
    expect(formatSeconds(0)).toBe('0.000');
    expect(formatSeconds(1234)).toBe('1.234');
    expect(formatSeconds(61_000)).toBe('61.000');
  });
});
