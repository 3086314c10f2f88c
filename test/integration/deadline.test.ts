import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/model/types.js';
import { checkOne } from '../helpers/checks.js';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, waitFor, type LocalServer } from '../helpers/servers.js';

// Guards: the per-attempt deadline is the one asked for, not a multiple of it. A server that answers
// between the deadline and twice the deadline must still give TIMEOUT, and the server must see the
// client give up before its answer is due. Every check here is an order of events the server saw,
// never a wall-clock threshold.

/** What a paced server saw for one path, in order. */
type PacedEvent = 'arrived' | 'client-closed' | 'answer-due' | 'answer-written';

/** A server whose routes answer at set times after each request arrives, recording what happened when. */
interface PacedServer {
  server: LocalServer;
  /** Events per request path, in the order the server saw them. */
  events: Map<string, PacedEvent[]>;
  /** Every request's path, in arrival order. */
  arrivals: string[];
}

/**
 * Routes (times in milliseconds after the request arrived):
 * - `/late/<ms>`: the status and headers at `ms`.
 * - `/slow-body/<ms>`: the headers at once (a 1-byte sized body), the body's byte at `ms`.
 * - `/hops/<ms>/<n>`: after `ms`, a 302 to `/hops/<ms>/<n - 1>`, or a 200 when n is 1.
 */
async function startPacedServer(): Promise<PacedServer> {
  const events = new Map<string, PacedEvent[]>();
  const arrivals: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const seen: PacedEvent[] = [];
    events.set(path, seen);
    arrivals.push(path);
    seen.push('arrived');
    // 'close' before the response finished: the client gave up on this request.
    res.on('close', () => {
      if (!res.writableFinished) seen.push('client-closed');
    });
    const [, route, ms, hops] = path.split('/');
    const answer = (write: () => void) => {
      setTimeout(() => {
        seen.push('answer-due');
        if (res.destroyed) return;
        write();
        seen.push('answer-written');
      }, Number(ms));
    };
    if (route === 'late') {
      answer(() => res.writeHead(200, { 'content-type': 'text/plain' }).end());
    } else if (route === 'slow-body') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1' });
      res.flushHeaders();
      answer(() => res.end('x'));
    } else if (route === 'hops') {
      const left = Number(hops);
      answer(() => (left > 1 ? res.writeHead(302, { location: `/hops/${ms}/${left - 1}` }).end() : res.writeHead(200).end()));
    } else {
      res.writeHead(404).end();
    }
  };
  return { server: await startHttpServer(handler), events, arrivals };
}

/** The deadline-sensitive situations, for a deadline of `timeoutMs`, each with the paths its attempt asks for in turn. */
function cases(timeoutMs: number) {
  // 1.6 × the deadline: well after the deadline, well before twice it.
  const late = Math.round(timeoutMs * 1.6);
  // Two hops of 0.75 × the deadline: each alone fits, the attempt (the whole chain) does not.
  const hop = Math.round(timeoutMs * 0.75);
  return [
    { name: 'headers at 1.6 × the deadline', chain: [`/late/${late}`], method: 'head' as const },
    { name: 'headers at once, the body at 1.6 × the deadline', chain: [`/slow-body/${late}`], method: 'get' as const },
    { name: 'two redirect hops of 0.75 × the deadline each', chain: [`/hops/${hop}/2`, `/hops/${hop}/1`], method: 'head' as const },
  ];
}

/**
 * Checks what the server saw of the requests that arrived from index `from` on: the chain's
 * requests in order, each answered, except the last, which the client closed before its answer
 * was due (waited for here). On a starved machine the deadline may already pass during the first
 * hop: the chain then stops there, and the same holds of that hop.
 */
async function expectClosedBeforeAnswer(paced: PacedServer, chain: string[], from: number): Promise<void> {
  const requested = paced.arrivals.slice(from);
  expect(requested.length).toBeGreaterThan(0);
  expect(requested).toEqual(chain.slice(0, requested.length));
  const last = requested.at(-1) as string;
  await waitFor(() => paced.events.get(last)?.includes('answer-due') === true, 10_000, `the answer to ${last} to be due`);
  for (const answered of requested.slice(0, -1)) expect(paced.events.get(answered)).toEqual(['arrived', 'answer-due', 'answer-written']);
  expect(paced.events.get(last)).toEqual(['arrived', 'client-closed', 'answer-due']);
}

describe('the per-attempt deadline is the one asked for', () => {
  let paced: PacedServer;
  beforeAll(async () => {
    paced = await startPacedServer();
  });
  afterAll(async () => {
    await paced.server.close();
  });

  // Long enough that a loaded 2-core machine keeps the order (the margins are 0.5 × the deadline
  // and more); short enough that twice the deadline would see every answer.
  const TIMEOUT_MS = 800;

  describe('library', () => {
    it.each(cases(TIMEOUT_MS))('$name: TIMEOUT, and the server saw the client close first', async ({ chain, method }) => {
      const from = paced.arrivals.length;
      const result = await checkOne(paced.server.url(chain[0] as string), { timeoutMs: TIMEOUT_MS, retries: 0, method });
      expect(result).toMatchObject({ ok: false, status: null, attempts: 1 });
      expect(result.error?.code).toBe('TIMEOUT');
      await expectClosedBeforeAnswer(paced, chain, from);
    });

    it('sees the test set-up: under a deadline twice as long, the same answers arrive', async () => {
      // Guards against a server that never answers: the test above is only worth something if the
      // answers come before twice the deadline.
      for (const { chain, method } of cases(TIMEOUT_MS)) {
        const from = paced.arrivals.length;
        const result = await checkOne(paced.server.url(chain[0] as string), { timeoutMs: TIMEOUT_MS * 2, retries: 0, method });
        expect(result).toMatchObject({ ok: true, status: 200 });
        expect(paced.arrivals.slice(from)).toEqual(chain);
        for (const path of chain) expect(paced.events.get(path)).toEqual(['arrived', 'answer-due', 'answer-written']);
      }
    });
  });

  describe('CLI', () => {
    it.each(cases(TIMEOUT_MS))('$name: TIMEOUT with --timeout, and the server saw the client close first', async ({ chain, method }) => {
      const from = paced.arrivals.length;
      // The URL as a list line on stdin: a URL given as an argument is a document to read URLs from.
      const run = await runCli(['-', '--timeout', String(TIMEOUT_MS), '--retries', '0', '--method', method, '-f', 'ndjson'], {
        input: `${paced.server.url(chain[0] as string)}\n`,
      });
      expect(run.code).toBe(1);
      const result = JSON.parse(run.stdout) as CheckResult;
      expect(result).toMatchObject({ ok: false, status: null, attempts: 1 });
      expect(result.error?.code).toBe('TIMEOUT');
      await expectClosedBeforeAnswer(paced, chain, from);
    });
  });
});
