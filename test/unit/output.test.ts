import { PassThrough, Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TextWriter, WRITE_BATCH_CHARS } from '../../src/util/text-writer.js';

/** A Writable that records each chunk it is handed; `hold` keeps write callbacks pending. */
function recorder(options: { highWaterMark?: number; hold?: boolean } = {}) {
  const chunks: string[] = [];
  const held: Array<() => void> = [];
  let holding = options.hold === true;
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      chunks.push(String(chunk));
      if (holding) held.push(() => callback());
      else callback();
    },
  });
  /** Lets the stream finish what it holds and everything after it: the reader caught up. */
  const release = () => {
    holding = false;
    for (const callback of held.splice(0)) callback();
  };
  return { stream, chunks, release };
}

describe('TextWriter', () => {
  it('batches the writes of one event-loop turn into one write to the stream', async () => {
    const { stream, chunks } = recorder();
    const writer = new TextWriter(stream);
    expect(writer.write('a')).toBeUndefined();
    expect(writer.write('b')).toBeUndefined();
    expect(writer.write('c')).toBeUndefined();
    expect(chunks).toEqual([]);
    await tick();
    expect(chunks).toEqual(['abc']);
    writer.write('d');
    await writer.flush();
    expect(chunks).toEqual(['abc', 'd']);
  });

  it('writes at once when a batch reaches WRITE_BATCH_CHARS', () => {
    const { stream, chunks } = recorder({ highWaterMark: WRITE_BATCH_CHARS * 4 });
    const writer = new TextWriter(stream);
    writer.write('x'.repeat(WRITE_BATCH_CHARS - 1));
    expect(chunks).toEqual([]);
    writer.write('y');
    expect(chunks).toEqual([`${'x'.repeat(WRITE_BATCH_CHARS - 1)}y`]);
  });

  it('ignores empty writes', async () => {
    const { stream, chunks } = recorder();
    const writer = new TextWriter(stream);
    expect(writer.write('')).toBeUndefined();
    await writer.flush();
    expect(chunks).toEqual([]);
  });

  it('works over a PassThrough', async () => {
    const stream = new PassThrough();
    const writer = new TextWriter(stream);
    writer.write('one\n');
    writer.write('two\n');
    await writer.flush();
    expect(String(stream.read())).toBe('one\ntwo\n');
  });

  it('returns a promise when the stream is full, which resolves on drain', async () => {
    const { stream, chunks, release } = recorder({ highWaterMark: 16, hold: true });
    const writer = new TextWriter(stream);
    writer.write('0123456789');
    writer.write('0123456789');
    const waiting = writer.flush();
    expect(waiting).toBeInstanceOf(Promise);
    let drained = false;
    void waiting.then(() => {
      drained = true;
    });
    // While the stream is full, every write hands back the same promise to wait on.
    const again = writer.write('more');
    expect(again).toBeInstanceOf(Promise);
    await tick();
    await tick();
    expect(drained).toBe(false);
    release();
    await waiting;
    expect(drained).toBe(true);
    await again;
    await writer.flush();
    expect(chunks.join('')).toBe('01234567890123456789more');
    expect(writer.write('x')).toBeUndefined();
  });

  it('returns no promise once the stream has drained', async () => {
    const { stream, release } = recorder({ highWaterMark: 4, hold: true });
    const writer = new TextWriter(stream);
    writer.write('12345678');
    const waiting = writer.flush();
    expect(waiting).toBeInstanceOf(Promise);
    release();
    await waiting;
    expect(writer.write('a')).toBeUndefined();
  });

  it('turns into a sink when the stream fails (EPIPE): onBroken once, later writes dropped, nothing thrown', async () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    let writes = 0;
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        writes += 1;
        callback(epipe);
      },
    });
    const broken: Error[] = [];
    const writer = new TextWriter(stream, (error) => broken.push(error));
    writer.write('first');
    await writer.flush();
    await tick();
    expect(writer.broken).toBe(epipe);
    expect(broken).toEqual([epipe]);
    expect(writes).toBe(1);

    expect(() => writer.write('dropped')).not.toThrow();
    await writer.flush();
    stream.emit('error', new Error('second failure'));
    expect(broken).toHaveLength(1);
    expect(writer.broken).toBe(epipe);
    expect(writes).toBe(1);
    await expect(writer.end()).resolves.toBeUndefined();
  });

  it('releases a writer waiting on drain when the stream fails instead', async () => {
    const { stream } = recorder({ highWaterMark: 4, hold: true });
    const writer = new TextWriter(stream, () => {});
    writer.write('12345678');
    const waiting = writer.flush();
    expect(waiting).toBeInstanceOf(Promise);
    stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(waiting).resolves.toBeUndefined();
    expect(writer.broken?.message).toBe('write EPIPE');
  });

  it('releases a writer waiting on drain when a stream that is not destroyed fails', async () => {
    let pending: ((error?: Error | null) => void) | undefined;
    const stream = new Writable({
      highWaterMark: 4,
      autoDestroy: false,
      write(_chunk, _encoding, callback) {
        pending = callback;
      },
    });
    const broken: Error[] = [];
    const writer = new TextWriter(stream, (error) => broken.push(error));
    writer.write('12345678');
    const waiting = writer.flush();
    expect(waiting).toBeInstanceOf(Promise);
    pending?.(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(waiting).resolves.toBeUndefined();
    expect(broken).toHaveLength(1);
    expect(writer.write('dropped')).toBeUndefined();
  });

  it('ends the stream after flushing', async () => {
    const { stream, chunks } = recorder();
    const writer = new TextWriter(stream);
    writer.write('last');
    await writer.end();
    expect(chunks).toEqual(['last']);
    expect(stream.writableFinished).toBe(true);
  });

  it('reports whether the stream is a terminal, and its width only then', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    expect(new TextWriter(tty).isTTY).toBe(true);
    expect(new TextWriter(tty).columns).toBe(120);
    const pipe = Object.assign(new PassThrough(), { columns: 120 });
    expect(new TextWriter(pipe).isTTY).toBe(false);
    expect(new TextWriter(pipe).columns).toBeUndefined();
  });
});
