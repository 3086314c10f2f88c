import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { armSocketProbe, type SocketProbe } from './connection-timing.js';
import { undiciRequest } from './undici.js';

/** Response bodies up to this size (by Content-Length) are drained so the connection is reused; larger or unsized ones are cancelled. */
export const DISCARD_LIMIT_BYTES = 64 * 1024;

/**
 * How many bytes of a response's body to read, decided when its status and headers arrive: 0
 * (the default) reads nothing, so the body is drained or cancelled as cheaply as possible.
 */
export type BodyPolicy = (status: number, headers: IncomingHttpHeaders) => number;

/** When one request's steps happened, on the performance.now() clock, in milliseconds. */
export interface RequestTimes {
  dispatchedAt: number;
  /** When undici started writing it to a connection. */
  sentAt: number | null;
  headersAt: number | null;
  endAt: number | null;
}

/** What a check needs of a response: status, headers, and the body only when asked for. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first bytes of the body, when the body policy asked for them; otherwise null. */
  body: Buffer | null;
  /** True when the body went on past what was read. */
  bodyTruncated: boolean;
  times: RequestTimes;
  /** Which socket carried the request (see connection-timing.ts). */
  probe: SocketProbe;
}

/** Why an attempt was cut short: its deadline, or the run being interrupted. */
export class AttemptAborted extends Error {
  constructor(override readonly cause: unknown) {
    super('attempt aborted');
  }
}

// Thrown into undici to cancel a body we do not want; never reaches a result.
const BODY_CANCELLED = new Error('body not needed');

/**
 * A cancellation point for one attempt, cheaper than an AbortController + AbortSignal per
 * request (measured: the biggest single cost of the hot path). The deadline timer or an
 * interrupt calls `abort`; the request in flight, if any, is cancelled at once.
 */
export class AttemptGate {
  reason: unknown = null;
  /** True once the attempt's deadline (not an interrupt) aborted it. */
  timedOut = false;
  /** When the deadline expires, on the performance.now() clock, in milliseconds. */
  deadline = 0;
  private current: Exchange | null = null;

  get aborted(): boolean {
    return this.reason !== null;
  }

  /** Cancels the request in flight (if any) and every later one through this gate. */
  abort(reason: unknown): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.current?.cancel(reason);
  }

  /** @internal Registers the request in flight, or null once it settled. */
  attach(exchange: Exchange | null): void {
    this.current = exchange;
  }
}

/**
 * The hard deadlines of a run's attempts on one shared timer, instead of a setTimeout and a
 * clearTimeout per attempt. Every attempt of a run has the same timeout, so the order attempts
 * start in is the order their deadlines fall in: the oldest is always first, and the timer only
 * ever needs to wake for it.
 */
export class DeadlineClock {
  /** The attempts whose deadline runs: started and neither stopped nor expired yet. */
  readonly running = new Set<AttemptGate>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  /** Starts `gate`'s deadline at `now` (performance.now(), when the caller has just read it). */
  start(gate: AttemptGate, now = performance.now()): void {
    gate.deadline = now + this.timeoutMs;
    this.running.add(gate);
    if (this.timer === null) this.arm(gate.deadline);
  }

  /** Ends `gate`'s deadline (its attempt finished). */
  stop(gate: AttemptGate): void {
    this.running.delete(gate);
    if (this.running.size === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private arm(deadline: number): void {
    this.timer = setTimeout(this.expire, Math.max(0, deadline - performance.now()));
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = null;
    const now = performance.now();
    for (const gate of this.running) {
      if (gate.deadline > now) return this.arm(gate.deadline);
      this.running.delete(gate);
      gate.timedOut = true;
      gate.abort(new Error('deadline'));
    }
  };
}

/**
 * Sends one request through undici's dispatcher and settles with its status and headers once
 * the response is done with: a HEAD response, or a body of at most {@link DISCARD_LIMIT_BYTES}
 * (by Content-Length) read to the end and thrown away so the connection can be reused; any other
 * body is cancelled the moment the headers arrive. Nothing is buffered, decoded or decompressed.
 *
 * Rejects with undici's error when the exchange fails (a body that breaks off included), and
 * with {@link AttemptAborted} as soon as `gate` is aborted, even while the request still waits
 * for a connection.
 */
export function send(
  dispatcher: Dispatcher,
  request: { origin: string; path: string; method: 'HEAD' | 'GET'; headers: string[] },
  gate: AttemptGate,
  bodyPolicy?: BodyPolicy,
  dispatchedAt = performance.now(),
): Promise<Answer> {
  if (gate.aborted) return Promise.reject(new AttemptAborted(gate.reason));
  const exchange = new Exchange(request.method, request.path, gate, bodyPolicy, dispatchedAt);
  const answered = new Promise<Answer>((resolve, reject) => {
    exchange.resolve = resolve;
    exchange.reject = reject;
  });
  gate.attach(exchange);
  try {
    dispatcher.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        // undici closes the connection after every HEAD by default (for servers that wrongly send
        // a body): a new TCP (and TLS) handshake per URL. It detects such a body and reconnects
        // anyway, so keep the connection: it is most of the cost of a HEAD check.
        reset: false,
      },
      exchange,
    );
  } catch (error) {
    exchange.finish(error);
  }
  return answered;
}

/**
 * One request's handler and state: a single object with its methods on the prototype, not a
 * handler of closures over a dozen variables, since one is made per request (the hot path).
 * @internal
 */
class Exchange implements Dispatcher.DispatchHandler {
  resolve: (answer: Answer) => void = noop;
  reject: (error: unknown) => void = noop;
  private settled = false;
  private answer: Answer | null = null;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly times: RequestTimes;
  private readonly probe: SocketProbe;
  private bodyWanted = 0;
  private chunks: Buffer[] | null = null;
  private bodyRead = 0;

  constructor(
    private readonly method: 'HEAD' | 'GET',
    path: string,
    private readonly gate: AttemptGate,
    private readonly bodyPolicy: BodyPolicy | undefined,
    dispatchedAt: number,
  ) {
    this.times = { dispatchedAt, sentAt: null, headersAt: null, endAt: null };
    this.probe = { method, path, socket: null, fresh: false, connection: null };
  }

  /** Settles the request: with its answer when `error` is null, else with `error`. */
  finish(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.times.endAt = performance.now();
    this.gate.attach(null);
    const answer = this.answer;
    if (answer !== null && this.chunks !== null) answer.body = Buffer.concat(this.chunks, Math.min(this.bodyRead, this.bodyWanted));
    if (error === null && answer !== null) this.resolve(answer);
    else this.reject(error);
  }

  /** The gate was aborted: stop the request wherever it is. */
  cancel(reason: unknown): void {
    this.controller?.abort(BODY_CANCELLED);
    this.finish(new AttemptAborted(reason));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.times.sentAt = performance.now();
    armSocketProbe(this.probe);
    if (this.settled) controller.abort(BODY_CANCELLED);
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (status < 200) return; // 1xx informational: the real answer follows
    this.times.headersAt = performance.now();
    this.answer = { status, headers, body: null, bodyTruncated: false, times: this.times, probe: this.probe };
    if (this.method !== 'HEAD' && this.bodyPolicy !== undefined) this.bodyWanted = this.bodyPolicy(status, headers);
    if (this.bodyWanted > 0) {
      this.chunks = [];
      return;
    }
    const length = Number(headers['content-length']);
    if (this.method !== 'HEAD' && !(length <= DISCARD_LIMIT_BYTES)) {
      this.finish(null);
      controller.abort(BODY_CANCELLED);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks === null || this.answer === null) return;
    this.chunks.push(chunk);
    this.bodyRead += chunk.length;
    if (this.bodyRead > this.bodyWanted) {
      // Enough to judge by: stop downloading.
      this.answer.bodyTruncated = true;
      this.finish(null);
      controller.abort(BODY_CANCELLED);
    }
  }

  onResponseEnd(): void {
    this.finish(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(error);
  }
}

function noop(): void {}

/**
 * Sends one GET through `dispatcher` and resolves once its status and headers arrive, with the
 * body as a stream read at the consumer's pace (undici's request API, with backpressure). For
 * documents, which are read whole or as their URLs are checked, where {@link send} reads at most
 * a few bytes. Aborting `signal` cancels the request, its body included; the caller must consume
 * or destroy the body.
 */
export function openResponse(
  dispatcher: Dispatcher,
  request: { origin: string; path: string; headers: Record<string, string>; signal: AbortSignal },
): Promise<Dispatcher.ResponseData> {
  return undiciRequest(dispatcher, { ...request, method: 'GET' });
}
