import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { printable } from '../util/redact.js';
import type { CheckResult, Verdict } from '../model/types.js';
import type { Reporter, ReporterContext, RunEnd, RunMeta } from '../model/reporter.js';

/** Testcase XML held in memory before it moves to the spool file, in characters (UTF-16 code units). */
export const DEFAULT_JUNIT_BUFFER_CHARS = 1024 * 1024;

/** The spool file is copied into the report this many bytes at a time. */
const COPY_CHUNK_BYTES = 64 * 1024;

/** The name CI systems show for the suite (and the wrapping `<testsuites>`). */
export const JUNIT_SUITE_NAME = 'urlcheck';

/** Verdicts that become a `<failure>`: the URL needs attention before the run can pass. */
const FAILING_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>(['broken', 'transient', 'blocked']);

/** The `source` of targets read from standard input: not a file a CI system could link to. */
const STDIN_SOURCE = 'stdin';

/** A `source` that is the URL of a document (a sitemap, a page), not a file in the repository. */
const URL_SOURCE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** How the JUnit reporter bounds its memory. */
export interface JunitReporterOptions {
  /**
   * Testcase XML kept in memory, in characters; past this it is appended to a spool file.
   * Default {@link DEFAULT_JUNIT_BUFFER_CHARS}.
   */
  bufferChars?: number;
  /** Directory for the spool file. Default: the operating system's temporary directory. */
  spoolDir?: string;
}

/** A JUnit reporter, and how much testcase XML it holds in memory right now (for tests). */
export interface JunitReporter extends Reporter {
  /** Testcase XML waiting in memory, in characters: never much more than the buffer limit. */
  readonly bufferedChars: number;
}

/**
 * A JUnit XML report (the Ant/Jenkins dialect GitLab, Jenkins, Azure DevOps and the GitHub test
 * reporter actions read; valid against Jenkins' `junit-10.xsd`): one `<testsuite name="urlcheck">`
 * with one `<testcase>` per URL line (`name` the URL and its line, see {@link junitTestName};
 * `classname` from the input, see {@link junitClassname}; `file` and `line` where the input is a
 * file; `time` in seconds) and a `<failure type="ERROR_CODE">` for broken, transient and blocked
 * URLs; warnings and redirects go to the testcase's `<system-out>`.
 *
 * The suite's counts belong in its opening tag, and results stream: so testcases are rendered as
 * they arrive into a buffer of at most `bufferChars` characters, which spills to a temporary spool
 * file (unlinked at once where the OS allows, so even a killed run leaves nothing behind). At the
 * end the header with the counts is written, then the spooled and buffered testcases are copied
 * through, honouring backpressure. Memory stays bounded whatever the number of results; nothing
 * is written to `out` before the run ends.
 */
export function createJunitReporter({ out }: ReporterContext, options: JunitReporterOptions = {}): JunitReporter {
  const bufferLimit = options.bufferChars ?? DEFAULT_JUNIT_BUFFER_CHARS;
  let buffer: string[] = [];
  let bufferedChars = 0;
  let spool: Spool | null = null;
  let spilling: Promise<void> = Promise.resolve();
  let tests = 0;
  let failures = 0;
  let meta: RunMeta | null = null;
  const testKeys = new RecentTestKeys();

  const spill = (): Promise<void> => {
    const text = buffer.join('');
    buffer = [];
    bufferedChars = 0;
    // Chained, so spills append in order even if a caller did not wait for the previous one.
    spilling = spilling.then(async () => {
      spool ??= await Spool.create(options.spoolDir ?? tmpdir());
      await spool.append(text);
    });
    return spilling;
  };

  return {
    get bufferedChars() {
      return bufferedChars;
    },
    onRunStart: (runMeta) => {
      meta = runMeta;
    },
    onResult: (result) => {
      const xml = junitTestcase(result, testKeys.occurrence(result));
      tests += 1;
      if (FAILING_VERDICTS.has(result.verdict)) failures += 1;
      buffer.push(xml);
      bufferedChars += xml.length;
      return bufferedChars >= bufferLimit ? spill() : undefined;
    },
    onRunEnd: async (end) => {
      await spilling;
      const seconds = formatSeconds(end.summary.wallMs);
      const counts = `tests="${tests}" failures="${failures}" errors="0"`;
      const timestamp = meta === null ? '' : ` timestamp="${meta.startedAt.toISOString()}"`;
      await out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
          `<testsuites name="${JUNIT_SUITE_NAME}" ${counts} time="${seconds}">\n` +
          `  <testsuite name="${JUNIT_SUITE_NAME}" ${counts} skipped="0" time="${seconds}"${timestamp}>\n` +
          propertiesXml(meta, end),
      );
      if (spool !== null) {
        const spooled = spool;
        spool = null;
        await spooled.copyTo((text) => out.write(text)).finally(() => spooled.dispose());
      }
      const rest = buffer.join('');
      buffer = [];
      bufferedChars = 0;
      await out.write(`${rest}  </testsuite>\n</testsuites>\n`);
    },
  };
}

/**
 * The `classname` of an input's test cases: `urlcheck.` and the input's name with its dots made
 * underscores (`urls.txt` → `urlcheck.urls_txt`, `docs/guide.md` → `urlcheck.docs/guide_md`,
 * stdin → `urlcheck.stdin`). Jenkins splits a classname at its last dot into package and class:
 * `urls.txt` as it is would show as package "urls", class "txt"; this shows package "urlcheck",
 * one class per input. GitLab and the GitHub reporters show it whole.
 */
export function junitClassname(source: string): string {
  return `${JUNIT_SUITE_NAME}.${printable(source).replaceAll('.', '_')}`;
}

/**
 * A test case's `name`: the URL and its line, `https://example.com/ (line 12)`, so the same URL
 * on two lines is two test cases, and CI systems that key a test's history by classname and name
 * never merge them. `occurrence` (2, 3, …) tells apart the same URL repeated on one line of a
 * document: `https://example.com/ (line 12, #2)`.
 */
export function junitTestName(r: CheckResult, occurrence = 1): string {
  const where = occurrence > 1 ? `line ${r.line}, #${occurrence}` : `line ${r.line}`;
  return `${printable(r.url)} (${where})`;
}

/**
 * The XML of one `<testcase>`, indented for its place in the suite, with its trailing newline.
 * `occurrence`: see {@link junitTestName}.
 */
export function junitTestcase(r: CheckResult, occurrence = 1): string {
  const attributes = [`name="${xmlAttribute(junitTestName(r, occurrence))}"`, `classname="${xmlAttribute(junitClassname(r.source))}"`];
  // A CI system turns `file` into a link to the repository: stdin, or a document read from a
  // URL, would link nowhere.
  if (r.source !== STDIN_SOURCE && !URL_SOURCE.test(r.source)) {
    attributes.push(`file="${xmlAttribute(printable(r.source))}"`, `line="${r.line}"`);
  }
  attributes.push(`time="${formatSeconds(r.durationMs)}"`);
  const children: string[] = [];
  if (FAILING_VERDICTS.has(r.verdict)) {
    const code = r.error?.code ?? 'UNKNOWN';
    const message = r.error?.message ?? r.verdict;
    children.push(
      `      <failure message="${xmlAttribute(printable(message))}" type="${xmlAttribute(code)}">${xmlText(failureDetails(r))}</failure>\n`,
    );
  }
  const notes = systemOut(r);
  if (notes !== '') children.push(`      <system-out>${xmlText(notes)}</system-out>\n`);
  const start = `    <testcase ${attributes.join(' ')}`;
  return children.length === 0 ? `${start}/>\n` : `${start}>\n${children.join('')}    </testcase>\n`;
}

/**
 * How many results {@link RecentTestKeys} remembers. Results of one line arrive close together
 * (its links are read together, and duplicates of one check are resolved together), so a window
 * of this many is plenty, and memory stays bounded whatever the length of the list.
 */
const RECENT_TEST_KEYS = 8192;

/**
 * Numbers the results that share a source, a line and a URL: the same link repeated on one line of
 * a document (a list has one URL per line, so there every key is unique). It remembers only the
 * most recent {@link RECENT_TEST_KEYS} keys.
 */
class RecentTestKeys {
  private readonly seen = new Map<string, number>();

  /** 1 for the first result with this source, line and URL; 2, 3, … for the next ones. */
  occurrence(r: CheckResult): number {
    const key = `${r.source}\n${r.line}\n${r.url}`;
    // A duplicate of its own line (dedupe) follows that line's check, even one forgotten since.
    const own = r.duplicateOf !== undefined && r.duplicateOf.source === r.source && r.duplicateOf.line === r.line;
    const occurrence = Math.max((this.seen.get(key) ?? 0) + 1, own ? 2 : 1);
    this.seen.delete(key);
    this.seen.set(key, occurrence);
    if (this.seen.size > RECENT_TEST_KEYS) this.seen.delete(this.seen.keys().next().value as string);
    return occurrence;
  }
}

function failureDetails(r: CheckResult): string {
  const lines = [`verdict: ${r.verdict}`, `status: ${r.status === null ? 'no response' : r.status}${r.method === null ? '' : ` (${r.method})`}`];
  if (r.attempts > 1) lines.push(`attempts: ${r.attempts}`);
  lines.push(`input: ${printable(r.source)}:${r.line}`);
  return lines.join('\n');
}

function systemOut(r: CheckResult): string {
  const lines: string[] = [];
  for (const warning of r.warnings) lines.push(`warning ${warning.code}: ${printable(warning.message)}`);
  for (const hop of r.redirects) lines.push(`redirect ${hop.status} → ${printable(hop.location)}`);
  if (r.redirects.length > 0 && r.finalUrl !== null) lines.push(`final URL: ${printable(r.finalUrl)}`);
  return lines.join('\n');
}

/** The run's settings written as JUnit properties, in this order (`perHost` follows when set). */
const META_PROPERTIES = ['version', 'concurrency', 'timeoutMs', 'retries', 'method', 'accept', 'maxRedirects'] as const;
/** The --diff summary's fields, written as `diff.<field>` properties. */
const DIFF_PROPERTIES = ['previous', 'newlyFailing', 'recovered', 'stillFailing', 'gone'] as const;

function propertiesXml(meta: RunMeta | null, end: RunEnd): string {
  const properties: [string, string | number | boolean][] = [];
  if (meta !== null) {
    for (const key of META_PROPERTIES) properties.push([key, meta[key]]);
    if (meta.perHost !== null) properties.push(['perHost', meta.perHost]);
  }
  if (end.summary.interrupted) properties.push(['interrupted', true]);
  const { diff } = end;
  if (diff !== null) for (const key of DIFF_PROPERTIES) properties.push([`diff.${key}`, diff[key]]);
  if (properties.length === 0) return '';
  const items = properties.map(
    ([name, value]) => `      <property name="${xmlAttribute(name)}" value="${xmlAttribute(printable(String(value)))}"/>\n`,
  );
  return `    <properties>\n${items.join('')}    </properties>\n`;
}

/** Milliseconds as JUnit's seconds with millisecond precision: 1234.5 → "1.235". */
export function formatSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

// Everything outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets): C0 controls
// other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. No escape can carry them (not even
// &#1;), so they become U+FFFD; with the `u` flag a lone surrogate is one code point and matches.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;
const XML_TEXT_SPECIAL = /[&<>\r]/g;
const XML_ATTRIBUTE_SPECIAL = /[&<>"'\t\n\r]/g;
const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Character references, because a parser normalises raw ones: CR/CRLF to LF everywhere, and
  // tab, CR and LF to spaces inside attribute values.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Text that is safe as XML 1.0 character data: `&`, `<`, `>` and CR escaped, and characters
 * XML cannot carry at all replaced by U+FFFD.
 */
export function xmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '\ufffd').replace(XML_TEXT_SPECIAL, (char) => XML_ESCAPES[char] as string);
}

/**
 * Text that is safe inside a double- or single-quoted XML 1.0 attribute value, whitespace
 * preserved: markup characters, quotes, tab, LF and CR escaped, and characters XML cannot carry
 * replaced by U+FFFD.
 */
export function xmlAttribute(text: string): string {
  return text.replace(NOT_XML_CHAR, '\ufffd').replace(XML_ATTRIBUTE_SPECIAL, (char) => XML_ESCAPES[char] as string);
}

/** An append-only temporary file of testcase XML, read back once at the end of the run. */
class Spool {
  private bytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly dir: string,
    /** False once the directory is gone: POSIX lets us unlink it while the file is open. */
    private dirLeft: boolean,
  ) {}

  static async create(parent: string): Promise<Spool> {
    let dir: string;
    let handle: FileHandle;
    try {
      dir = await mkdtemp(join(parent, 'urlcheck-junit-'));
      handle = await open(join(dir, 'testcases.xml'), 'w+');
    } catch (error) {
      throw new Error(`cannot create the JUnit report's temporary file in "${parent}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    // Unlinked now, the file lives as long as the handle and vanishes even if the process is
    // killed. Windows refuses to delete an open file: there it is removed after the copy.
    const removed = await rm(dir, { recursive: true, force: true }).then(
      () => true,
      () => false,
    );
    return new Spool(handle, dir, !removed);
  }

  async append(text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    await this.handle.write(data, 0, data.length, this.bytes);
    this.bytes += data.length;
  }

  /** Hands the spooled text to `write` in order, waiting whenever `write` returns a promise. */
  async copyTo(write: (text: string) => Promise<void> | undefined): Promise<void> {
    const chunk = Buffer.alloc(COPY_CHUNK_BYTES);
    // A chunk may end inside a multi-byte UTF-8 character: the decoder carries it over.
    const decoder = new StringDecoder('utf8');
    for (let position = 0; position < this.bytes; ) {
      const { bytesRead } = await this.handle.read(chunk, 0, Math.min(chunk.length, this.bytes - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      await write(decoder.write(chunk.subarray(0, bytesRead)));
    }
    await write(decoder.end());
  }

  async dispose(): Promise<void> {
    await this.handle.close().catch(() => {});
    if (this.dirLeft) await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
