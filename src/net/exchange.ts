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
  private cancel: ((reason: unknown) => void) | null = null;

  get aborted(): boolean {
    return this.reason !== null;
  }

  /** Cancels the request in flight (if any) and every later one through this gate. */
  abort(reason: unknown): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.cancel?.(reason);
  }

  /** @internal Registers the current request's cancel function. */
  attach(cancel: ((reason: unknown) => void) | null): void {
    this.cancel = cancel;
  }
}

/**
 * The hard deadlines of a run's attempts on one shared timer, instead of a setTimeout and a
 * clearTimeout per attempt. Every attempt of a run has the same timeout, so the order attempts
 * start in is the order their deadlines fall in: the oldest is always first, and the timer only
 * ever needs to wake for it.
 */
export class DeadlineClock {
  private readonly running = new Set<AttemptGate>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  /** Starts `gate`'s deadline now. */
  start(gate: AttemptGate): void {
    gate.deadline = performance.now() + this.timeoutMs;
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
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (gate.aborted) return reject(new AttemptAborted(gate.reason));
    let settled = false;
    let answer: Answer | null = null;
    let controller: Dispatcher.DispatchController | null = null;
    const times: RequestTimes = { dispatchedAt: performance.now(), sentAt: null, headersAt: null, endAt: null };
    const probe: SocketProbe = { method: request.method, path: request.path, socket: null, fresh: false };
    let bodyWanted = 0;
    let chunks: Buffer[] | null = null;
    let bodyRead = 0;
    const finish = (error: unknown) => {
      if (settled) return;
      settled = true;
      times.endAt = performance.now();
      gate.attach(null);
      if (answer !== null && chunks !== null) answer.body = Buffer.concat(chunks, Math.min(bodyRead, bodyWanted));
      if (error === null && answer !== null) resolve(answer);
      else reject(error);
    };
    gate.attach((reason) => {
      controller?.abort(BODY_CANCELLED);
      finish(new AttemptAborted(reason));
    });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        times.sentAt = performance.now();
        armSocketProbe(probe);
        if (settled) started.abort(BODY_CANCELLED);
      },
      onResponseStart(started, status, headers) {
        if (status < 200) return; // 1xx informational: the real answer follows
        times.headersAt = performance.now();
        answer = { status, headers, body: null, bodyTruncated: false, times, probe };
        if (request.method !== 'HEAD' && bodyPolicy !== undefined) bodyWanted = bodyPolicy(status, headers);
        if (bodyWanted > 0) {
          chunks = [];
          return;
        }
        const length = Number(headers['content-length']);
        if (request.method !== 'HEAD' && !(length <= DISCARD_LIMIT_BYTES)) {
          finish(null);
          started.abort(BODY_CANCELLED);
        }
      },
      onResponseData(started, chunk) {
        if (chunks === null || answer === null) return;
        chunks.push(chunk);
        bodyRead += chunk.length;
        if (bodyRead > bodyWanted) {
          // Enough to judge by: stop downloading.
          answer.bodyTruncated = true;
          finish(null);
          started.abort(BODY_CANCELLED);
        }
      },
      onResponseEnd() {
        finish(null);
      },
      onResponseError(_controller, error) {
        finish(error);
      },
    };
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
        handler,
      );
    } catch (error) {
      finish(error);
    }
  });
}

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
