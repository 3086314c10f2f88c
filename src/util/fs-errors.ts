import { printable, redactText } from './redact.js';

const FS_ERROR_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  ENXIO: 'no reader on the other end (a FIFO or device)',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
};

/**
 * A file-system error as a short phrase for a one-line message ("no such file or directory",
 * "no space left on device (ENOSPC)"…). Other errors give their own message, made printable,
 * with anything that looks like a credential in a URL redacted.
 */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') {
    const text = FS_ERROR_TEXT[code];
    if (text !== undefined) return code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' ? text : `${text} (${code})`;
  }
  return printable(redactText(error instanceof Error ? error.message : String(error)));
}

/** What `fs.stat` says a path is: the methods of `fs.Stats` that {@link describeFileKind} reads. */
export interface FileKindInfo {
  isFile(): boolean;
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}

/**
 * What a path that is not a regular file is, for a message ("a directory", "a character device",
 * "a FIFO"…); null for a regular file.
 */
export function describeFileKind(info: FileKindInfo): string | null {
  if (info.isFile()) return null;
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}
