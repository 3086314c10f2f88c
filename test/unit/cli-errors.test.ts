import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { asInputError, CliError, EXIT, exitOnError, type CliIo } from '../../src/cli/io.js';
import { InputReadError } from '../../src/model/errors.js';
import { TextWriter } from '../../src/util/text-writer.js';

// Every known failure has a one-line message of its own; "unexpected error" is for bugs only.
function stderrOf(error: unknown): { code: number; text: string } {
  let text = '';
  const io = { stderr: { write: (chunk: string) => (text += chunk) } } as unknown as CliIo;
  const code = exitOnError(io, error);
  return { code, text };
}

function systemError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

describe('what a failed command says', () => {
  it('an input that cannot be read says which, as it is', () => {
    expect(stderrOf(asInputError(new InputReadError('https://example.com/sitemap.xml', 'the server closed the connection')))).toEqual({
      code: EXIT.USAGE,
      text: 'urlcheck: cannot read input "https://example.com/sitemap.xml": the server closed the connection\n',
    });
  });

  it('a system error met while reading input is an input failure, in plain words', () => {
    const error = asInputError(systemError('EIO', 'i/o error, read'));
    expect(error).toBeInstanceOf(CliError);
    expect(stderrOf(error).text).toBe('urlcheck: cannot read input: input/output error (EIO)\n');
  });

  it('a bug is an unexpected error, never an input failure', () => {
    const bug = new TypeError('reader.next is not a function');
    expect(asInputError(bug)).toBe(bug);
    expect(stderrOf(asInputError(bug))).toEqual({ code: EXIT.USAGE, text: 'urlcheck: unexpected error: reader.next is not a function\n' });
  });
});

describe('TextWriter.flush', () => {
  it('resolves only once the stream has written, with a failed write in broken', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        // A full disk answers a moment later, as fs does.
        setImmediate(() => callback(systemError('ENOSPC', 'no space left on device, write')));
      },
    });
    const failures: Error[] = [];
    const writer = new TextWriter(stream, (error) => failures.push(error));
    writer.write('a report\n');
    await writer.flush();
    expect((writer.broken as NodeJS.ErrnoException | null)?.code).toBe('ENOSPC');
    expect(failures).toHaveLength(1);
  });

  it('wakes every flush waiting at once when the stream has written', async () => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        setImmediate(() => {
          written.push(String(chunk));
          callback();
        });
      },
    });
    const writer = new TextWriter(stream);
    writer.write('one\n');
    const first = writer.flush();
    const second = writer.flush();
    const settled = await Promise.race([Promise.all([first, second]).then(() => 'both'), new Promise((resolve) => setTimeout(() => resolve('stuck'), 2_000))]);
    expect(settled).toBe('both');
    expect(written).toEqual(['one\n']);
  });
});
