// Pieces of option parsing that the flags' schema (options.ts) and the config file's
// (config.ts) share, so that a duration or a parser's error reads the same in both.
import { z } from 'zod';

/** A duration as text: a number of milliseconds, or a number with a unit: `5000`, `500ms`, `5s`, `1.5m`. */
export const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** A {@link DURATION} in milliseconds, not rounded; NaN when `text` is not one. */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  return match === null ? Number.NaN : Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}

/**
 * A zod transform over a parser that throws (a RangeError naming what is wrong): its message
 * becomes the issue's. `what` names the expected value for a value that is not even a string.
 */
export const parsedBy = <T>(parse: (text: string) => T, what?: string) =>
  z.string(what === undefined ? undefined : { error: `must be ${what}` }).transform((text, ctx) => {
    try {
      return parse(text);
    } catch (error) {
      ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text });
      return z.NEVER;
    }
  });
