import { readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFixtureServer, type FixtureServer, type FixtureServerOptions } from '../../src/demo/fixture-server.js';
import { parseTarget } from '../../src/input/targets.js';
import { resolveCheckOptions, type CheckOptions } from '../../src/check/options.js';
import type { Target } from '../../src/model/types.js';


function tlsPair(name: string): { key: Buffer; cert: Buffer } {
  return {
    key: readFileSync(new URL(`../../fixtures/tls/${name}.key`, import.meta.url)),
    cert: readFileSync(new URL(`../../fixtures/tls/${name}.crt`, import.meta.url)),
  };
}

/** The self-signed certificate for localhost / 127.0.0.1 / ::1 in fixtures/tls. */
export const SELF_SIGNED = tlsPair('self-signed');

/**
 * Starts a fixture server for the file's tests and closes it afterwards; stats are reset
 * between tests. Use inside a describe block or at the top level of a test file.
 */
export function useFixtureServer(options: FixtureServerOptions = {}): () => FixtureServer {
  let server: FixtureServer | undefined;
  beforeAll(async () => {
    server = await startFixtureServer(options);
  });
  afterEach(() => server?.resetStats());
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (server === undefined) throw new Error('fixture server not started');
    return server;
  };
}

/**
 * A DNS lookup that never leaves the machine: names ending in `.test` resolve to 127.0.0.1,
 * anything else fails with ENOTFOUND, exactly as a real resolver reports an unknown host.
 */
export const localLookup: LookupFunction = (hostname, options, callback) => {
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
  if (hostname.endsWith('.test') || hostname === 'localhost') {
    if (all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname,
  });
  callback(error, '', 0);
};

/** Check options for tests: short deadlines and back-offs so failures are quick. */
export function testOptions(overrides: Partial<CheckOptions> = {}): CheckOptions {
  return resolveCheckOptions({ timeoutMs: 2_000, retryBaseMs: 10, lookup: localLookup, ...overrides });
}

/** Targets from URL lines, numbered from 1, as if read from a file called `source`. */
export function targetsFrom(lines: string[], source = 'test.txt'): Target[] {
  return lines.flatMap((line, index) => parseTarget(line, source, index + 1) ?? []);
}

/** Drains an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}


/** Certificates signed by fixtures/tls/test-ca.crt: a valid one, an expired one, one for another host. */
export const CA_SIGNED = {
  valid: tlsPair('valid'),
  expired: tlsPair('expired'),
  wrongHost: tlsPair('wrong-host'),
};

/** The test CA's certificate file, for NODE_EXTRA_CA_CERTS. */
export const TEST_CA_FILE = new URL('../../fixtures/tls/test-ca.crt', import.meta.url).pathname;
