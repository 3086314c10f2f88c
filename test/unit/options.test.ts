import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCEPT,
  DEFAULT_CONCURRENCY,
  DEFAULT_FORMAT,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_METHOD,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  resolveCheckOptions,
  resolveCliOptions,
  UsageError,
} from '../../src/cli/options.js';

/** What commander hands over when no flag is given: defaults as strings, booleans absent. */
function raw(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    concurrency: String(DEFAULT_CONCURRENCY),
    timeout: String(DEFAULT_TIMEOUT_MS),
    retries: String(DEFAULT_RETRIES),
    method: DEFAULT_METHOD,
    accept: DEFAULT_ACCEPT,
    maxRedirects: String(DEFAULT_MAX_REDIRECTS),
    header: [],
    userAgent: DEFAULT_USER_AGENT,
    format: DEFAULT_FORMAT,
    color: true,
    ...overrides,
  };
}

function usageMessage(overrides: Record<string, unknown>): string {
  try {
    resolveCliOptions(raw(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('USAGE');
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError');
}

describe('resolveCliOptions', () => {
  it('resolves the defaults', () => {
    const options = resolveCliOptions(raw());
    expect(options).toMatchObject({
      format: 'table',
      output: null,
      sequential: false,
      compare: false,
      compareSample: null,
      quiet: false,
    });
    expect(options.check).toMatchObject({
      concurrency: DEFAULT_CONCURRENCY,
      perHost: null,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      connectTimeoutMs: null,
      retries: DEFAULT_RETRIES,
      retryBaseMs: DEFAULT_RETRY_BASE_MS,
      maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
      method: 'head',
      maxRedirects: DEFAULT_MAX_REDIRECTS,
      headers: [],
      userAgent: DEFAULT_USER_AGENT,
      insecure: false,
    });
    expect(options.check.accept.text).toBe('200-299');
  });

  it('converts every value', () => {
    const options = resolveCliOptions(
      raw({
        concurrency: ' 8 ',
        perHost: '2',
        timeout: '1500',
        connectTimeout: '2s',
        retries: '0',
        method: 'GET',
        accept: '200-299, 401',
        maxRedirects: '0',
        header: ['Authorization: Bearer t0k3n', 'X-A: 1'],
        userAgent: 'probe/1',
        insecure: true,
        format: 'NDJSON',
        output: 'out.ndjson',
        quiet: true,
      }),
    );
    expect(options.check).toMatchObject({
      concurrency: 8,
      perHost: 2,
      timeoutMs: 1500,
      connectTimeoutMs: 2000,
      retries: 0,
      method: 'get',
      maxRedirects: 0,
      headers: [
        { name: 'authorization', value: 'Bearer t0k3n' },
        { name: 'x-a', value: '1' },
      ],
      userAgent: 'probe/1',
      insecure: true,
    });
    expect(options.check.accept.text).toBe('200-299,401');
    expect(options).toMatchObject({ format: 'ndjson', output: 'out.ndjson', quiet: true });
  });

  it('reads durations with units', () => {
    expect(resolveCliOptions(raw({ timeout: '5s' })).check.timeoutMs).toBe(5000);
    expect(resolveCliOptions(raw({ timeout: '250ms' })).check.timeoutMs).toBe(250);
    expect(resolveCliOptions(raw({ timeout: '1.5s' })).check.timeoutMs).toBe(1500);
    expect(resolveCliOptions(raw({ timeout: '2m' })).check.timeoutMs).toBe(120_000);
    expect(resolveCliOptions(raw({ timeout: '750' })).check.timeoutMs).toBe(750);
  });

  it('rejects --concurrency 0 and abc with one line naming the flag and the value', () => {
    expect(usageMessage({ concurrency: '0' })).toBe('--concurrency: must be at least 1 (got "0")');
    expect(usageMessage({ concurrency: 'abc' })).toBe('--concurrency: must be a whole number from 1 to 10000 (got "abc")');
    expect(usageMessage({ concurrency: '-3' })).toBe('--concurrency: must be a whole number from 1 to 10000 (got "-3")');
    expect(usageMessage({ concurrency: '2.5' })).toBe('--concurrency: must be a whole number from 1 to 10000 (got "2.5")');
    expect(usageMessage({ concurrency: '10001' })).toBe('--concurrency: must be at most 10000 (got "10001")');
  });

  it('names the flag, not the option key, for camel-case options', () => {
    expect(usageMessage({ perHost: '0' })).toBe('--per-host: must be at least 1 (got "0")');
    expect(usageMessage({ maxRedirects: 'many' })).toBe('--max-redirects: must be a whole number from 0 to 100 (got "many")');
    expect(usageMessage({ connectTimeout: 'soon' })).toBe(
      '--connect-timeout: must be a duration such as 500 (milliseconds), 500ms, 2s or 1m (got "soon")',
    );
    expect(usageMessage({ compareSample: '0' })).toBe('--compare-sample: must be at least 1 (got "0")');
    expect(usageMessage({ retries: '21' })).toBe('--retries: must be at most 20 (got "21")');
  });

  it('rejects bad --timeout values', () => {
    expect(usageMessage({ timeout: 'abc' })).toBe('--timeout: must be a duration such as 500 (milliseconds), 500ms, 2s or 1m (got "abc")');
    expect(usageMessage({ timeout: '5h' })).toBe('--timeout: must be a duration such as 500 (milliseconds), 500ms, 2s or 1m (got "5h")');
    expect(usageMessage({ timeout: '0' })).toBe('--timeout: must be at least 1 ms (got "0")');
    expect(usageMessage({ timeout: '2d' })).toMatch(/^--timeout: /);
  });

  it('rejects a bad --accept with the parser\'s reason', () => {
    expect(usageMessage({ accept: '999-1' })).toBe('--accept: 999 is not an HTTP status (100-599) (got "999-1")');
    expect(usageMessage({ accept: '299-200' })).toBe('--accept: range "299-200" is backwards (write 200-299)');
    expect(usageMessage({ accept: '' })).toBe('--accept: expected statuses such as "200-299,401", got an empty value');
  });

  it('rejects --method put and --format xml, listing the choices', () => {
    expect(usageMessage({ method: 'put' })).toBe('--method: must be head or get (got "put")');
    expect(usageMessage({ format: 'xml' })).toBe('--format: must be one of table, json, ndjson, csv, junit, markdown, html, prometheus, openmetrics (got "xml")');
  });

  it('says what --slow accepts, "off" included, instead of a generic "Invalid input"', () => {
    expect(usageMessage({ slow: 'fast' })).toBe('--slow: must be a duration such as 500 (milliseconds), 500ms, 2s or 1m, or off (got "fast")');
    expect(usageMessage({ slow: '0' })).toBe('--slow: must be at least 1 ms (got "0")');
    expect(resolveCliOptions(raw({ slow: 'OFF' })).check.slowMs).toBeNull();
    expect(resolveCliOptions(raw({ slow: '2S' })).check.slowMs).toBe(2000);
  });

  it('suggests the nearest word for a misspelt format, method, verdict or report format', () => {
    expect(usageMessage({ format: 'jsn' })).toBe('--format: must be one of table, json, ndjson, csv, junit, markdown, html, prometheus, openmetrics (got "jsn"); did you mean json?');
    expect(usageMessage({ format: 'mardown' })).toMatch(/; did you mean markdown\?$/);
    expect(usageMessage({ method: 'gte' })).toBe('--method: must be head or get (got "gte"); did you mean get?');
    expect(usageMessage({ failOn: 'brokn' })).toBe(
      '--fail-on: unknown verdict "brokn"; choose from healthy, warning, broken, transient, blocked, new, none; did you mean broken?',
    );
    expect(usageMessage({ failOn: 'broken,warn' })).toMatch(/^--fail-on: unknown verdict "warn"; .* \(got "broken,warn"\); did you mean warning\?$/);
    expect(usageMessage({ report: ['jsn:out.json'] })).toBe(
      '--report: must be format:path with a format of table, json, ndjson, csv, junit, markdown, html, prometheus, openmetrics, e.g. junit:results.xml (got "jsn:out.json"); did you mean json?',
    );
    // Nothing near enough: no suggestion, only what is accepted.
    expect(usageMessage({ format: 'xml' })).not.toContain('did you mean');
  });

  it('takes --ascii and --no-ascii, and leaves the choice to the locale without either', () => {
    expect(resolveCliOptions(raw()).ascii).toBeNull();
    expect(resolveCliOptions(raw({ ascii: true })).ascii).toBe(true);
    expect(resolveCliOptions(raw({ ascii: false })).ascii).toBe(false);
  });

  it('rejects a bad --header, naming the flag but never echoing the value', () => {
    const noColon = usageMessage({ header: ['X-Ok: 1', 'Authorization Bearer s3cr3t'] });
    expect(noColon).toBe('--header: expected "Name: value" (no ":" found)');
    const badName = usageMessage({ header: ['Bad Name: s3cr3t'] });
    expect(badName).toBe("--header: the header name before ':' is not valid (letters, digits and !#$%&'*+.^_`|~- only)");
    const injected = usageMessage({ header: ['Authorization: s3cr3t\r\nX-Evil: 1'] });
    expect(injected).toBe('--header: the value of header "Authorization" contains a line break or NUL');
    for (const message of [noColon, badName, injected]) expect(message).not.toContain('s3cr3t');
  });

  it('rejects an empty --user-agent and --output', () => {
    expect(usageMessage({ userAgent: '' })).toBe('--user-agent: must not be empty (got "")');
    expect(usageMessage({ output: '' })).toBe('--output: must be a file path (got "")');
  });

  it('shortens a very long bad value in the message', () => {
    const message = usageMessage({ concurrency: 'x'.repeat(500) });
    expect(message).toBe(`--concurrency: must be a whole number from 1 to 10000 (got "${'x'.repeat(80)}")`);
  });

  it('forces concurrency 1 with --sequential', () => {
    const options = resolveCliOptions(raw({ sequential: true, concurrency: '64' }));
    expect(options.sequential).toBe(true);
    expect(options.check.concurrency).toBe(1);
  });

  it('rejects --sequential with --compare or --compare-sample', () => {
    const message = '--sequential cannot be combined with --compare (which runs the sequential baseline itself)';
    expect(usageMessage({ sequential: true, compare: true })).toBe(message);
    expect(usageMessage({ sequential: true, compareSample: '10' })).toBe(message);
  });

  it('turns on --compare when --compare-sample is given', () => {
    expect(resolveCliOptions(raw({ compareSample: '100' }))).toMatchObject({ compare: true, compareSample: 100 });
    expect(resolveCliOptions(raw({ compare: true }))).toMatchObject({ compare: true, compareSample: null });
  });
});

describe('resolveCheckOptions', () => {
  it('fills what the caller left out with the defaults', () => {
    const options = resolveCheckOptions({ concurrency: 3 });
    expect(options.concurrency).toBe(3);
    expect(options.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(options.accept.has(204)).toBe(true);
    expect(options.accept.has(301)).toBe(false);
  });
});
