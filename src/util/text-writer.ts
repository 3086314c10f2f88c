import type { Writable } from 'node:stream';

/** Text is handed to the stream in batches of about this many characters. */
export const WRITE_BATCH_CHARS = 64 * 1024;

/**
 * A batching, backpressure-aware text writer over a Writable (stdout, stderr or a file).
 *
 * Writes made in the same event-loop turn go out as one chunk (one syscall instead of one per
 * result). `write` returns a promise only when the stream asked us to wait for 'drain', so the
 * hot path allocates none. A stream that fails (EPIPE when the reader of a pipe goes away) turns
 * the writer into a sink: later writes are dropped and `broken` holds the error.
 */
export class TextWriter {
  private chunks: string[] = [];
  private size = 0;
  private scheduled = false;
  private draining: Promise<void> | null = null;
  private releaseDrain: (() => void) | null = null;
  /** Writes handed to the stream whose callback has not come yet. */
  private inFlight = 0;
  // Shared by every flush() waiting at once, so a second caller never replaces the first's wake-up.
  private idleWait: { promise: Promise<void>; release: () => void } | null = null;
  // One callback for every write: the hot path allocates no closure per batch.
  private readonly written = (error?: Error | null) => {
    this.inFlight -= 1;
    if (error !== null && error !== undefined) this.fail(error);
    if (this.inFlight === 0) this.idle();
  };
  /** The stream's error, once it failed; writes are dropped from then on. */
  broken: Error | null = null;

  constructor(
    readonly stream: Writable & { isTTY?: boolean; columns?: number },
    private readonly onBroken: (error: Error) => void = () => {},
  ) {
    stream.on('error', (error: Error) => this.fail(error));
  }

  /** True when the stream is an interactive terminal. */
  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  /** The terminal's width in columns, when it is one. */
  get columns(): number | undefined {
    return this.isTTY ? this.stream.columns : undefined;
  }

  /** Queues text; returns a promise only when the caller should wait before writing more. */
  write(text: string): Promise<void> | undefined {
    if (this.broken !== null || text === '') return this.draining ?? undefined;
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= WRITE_BATCH_CHARS) return this.flushNow();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flushNow();
      });
    }
    return this.draining ?? undefined;
  }

  /**
   * Writes out everything queued and waits until the stream has written it (or failed: a write
   * error, such as a full disk, is in `broken` once this resolves).
   */
  async flush(): Promise<void> {
    await this.flushNow();
    if (this.inFlight === 0 || this.broken !== null) return;
    if (this.idleWait === null) {
      let release = () => {};
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.idleWait = { promise, release };
    }
    await this.idleWait.promise;
  }

  /**
   * Flushes, then ends the stream (for files; never call on stdout/stderr) and waits for it to
   * close. A write that fails on the way (a full disk) leaves its error in `broken`.
   */
  async end(): Promise<void> {
    await this.flushNow();
    if (this.broken !== null) return;
    await new Promise<void>((resolve) => {
      // The last write's error may reach end's callback before the 'error' event.
      this.stream.end((error?: Error | null) => {
        if (error !== null && error !== undefined) this.fail(error);
        resolve();
      });
      this.stream.once('error', () => resolve());
    });
  }

  private flushNow(): Promise<void> | undefined {
    if (this.size > 0 && this.broken === null) {
      const data = this.chunks.length === 1 ? (this.chunks[0] as string) : this.chunks.join('');
      this.chunks = [];
      this.size = 0;
      this.inFlight += 1;
      if (!this.stream.write(data, this.written) && this.draining === null) {
        this.draining = new Promise<void>((resolve) => {
          const done = () => {
            this.stream.off('drain', done);
            this.stream.off('close', done);
            this.draining = null;
            this.releaseDrain = null;
            resolve();
          };
          this.releaseDrain = done;
          this.stream.on('drain', done);
          this.stream.on('close', done);
        });
      }
    }
    return this.draining ?? undefined;
  }

  private idle(): void {
    const wait = this.idleWait;
    this.idleWait = null;
    wait?.release();
  }

  private fail(error: Error): void {
    if (this.broken !== null) return;
    this.broken = error;
    this.chunks = [];
    this.size = 0;
    // A failed stream that is not destroyed never emits 'drain' or 'close': release waiters here.
    this.releaseDrain?.();
    this.idle();
    this.onBroken(error);
  }
}
