/**
 * The one base of urlcheck's own errors: a stable `code` for programmatic callers and, where
 * another error caused it, `cause`. Messages are one line, name the option or file and the bad
 * value, and never carry a credential.
 */
export class UrlcheckError extends Error {
  constructor(
    /** Stable, documented code (e.g. `USAGE`, `INPUT`, `ERR_URLCHECK_PROXY`). */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A usage error: a bad flag or value. The message is one line naming the flag and the value. */
export class UsageError extends UrlcheckError {
  override readonly name = 'UsageError';
  declare readonly code: 'USAGE';

  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/**
 * An input that cannot be read: a URL input that did not answer 2xx, a document over its size
 * cap, a file that is not the sitemap its name says. The message is one credential-free line,
 * `cannot read input "<name>": <reason>`, for the CLI to print as it is.
 */
export class InputReadError extends UrlcheckError {
  override readonly name = 'InputReadError';
  declare readonly code: 'INPUT';

  constructor(
    /** The source's name, as in results. */
    readonly source: string,
    /** Why, without the prefix. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('INPUT', `cannot read input "${source}": ${reason}`, options);
  }
}
