// Pieces of option parsing that the flags' schema (options.ts) and the config file's
// (config.ts) share, so that a duration or a parser's error reads the same in both. Built with
// zod/mini, as options.ts is: it is on every run's start-up path (see options.ts).
import { z } from 'zod/mini';
import { closestChoice } from '../util/suggest.js';

/** A duration as text: a number of milliseconds, or a number with a unit: `5000`, `500ms`, `5s`, `1.5m`. */
export const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** A {@link DURATION} in milliseconds, not rounded; NaN when `text` is not one. */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  return match === null ? Number.NaN : Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}

/**
 * What a parser throws for a value that is none of a fixed set of words (a format, a verdict):
 * the message says what is accepted, and `suggestion` is the nearest word, if one is close.
 */
export class ChoiceError extends RangeError {
  override readonly name = 'ChoiceError';

  constructor(
    message: string,
    /** The accepted word nearest to the value given (see `closestChoice`), or null. */
    readonly suggestion: string | null,
  ) {
    super(message);
  }
}

/**
 * A zod transform over a parser that throws (a RangeError naming what is wrong): its message
 * becomes the issue's, and a {@link ChoiceError}'s suggestion the issue's `params.suggestion`.
 * `what` names the expected value for a value that is not even a string.
 */
export const parsedBy = <T>(parse: (text: string) => T, what?: string) =>
  z.pipe(
    z.string(what === undefined ? undefined : { error: `must be ${what}` }),
    z.transform((text: string, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        const suggestion = error instanceof ChoiceError ? error.suggestion : null;
        ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text, ...(suggestion === null ? {} : { params: { suggestion } }) });
        return z.NEVER;
      }
    }),
  );

/**
 * One word of `choices`, case and surrounding space ignored (the value is the word as listed);
 * anything else is an issue saying `must be <what>`, with the nearest word as a suggestion.
 */
export const oneOf = <const C extends readonly string[]>(choices: C, what: string) =>
  z.pipe(
    z.string(),
    z.transform((text: string, ctx): C[number] => {
      const word = text.trim().toLowerCase();
      const match = choices.find((choice) => choice.toLowerCase() === word);
      if (match !== undefined) return match;
      const suggestion = closestChoice(word, choices);
      ctx.issues.push({ code: 'custom', message: `must be ${what}`, input: text, ...(suggestion === null ? {} : { params: { suggestion } }) });
      return z.NEVER;
    }),
  );
