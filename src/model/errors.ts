/** A usage error: a bad flag or value. The message is one line naming the flag and the value. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Stable code for programmatic callers. */
  readonly code = 'USAGE';
}
