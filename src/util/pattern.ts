import { createRequire } from 'node:module';
import type { RE2JS, RE2JSSyntaxException } from 're2js';

type Re2Library = typeof import('re2js');

// re2js (~260 KB) is needed only when a run has --include/--exclude or regex expectations:
// loaded on first use, so other runs do not pay for it at start-up.
const requireCjs = createRequire(import.meta.url);
let re2Library: Re2Library | undefined;
const re2 = (): Re2Library => (re2Library ??= requireCjs('re2js') as Re2Library);

/**
 * A regular expression compiled by RE2 (re2js, a pure-JavaScript port of Google's RE2): matching
 * takes time linear in the text whatever the pattern, so a pattern from a user or a config file
 * cannot stall a run (`(a+)+$` against 40 `a`s and a `!` would take a backtracking engine days).
 * It has what urlcheck uses of a RegExp: `test()` (a match anywhere in the text) and `source`.
 */
export class LinearPattern {
  readonly #compiled: RE2JS;

  /** Use {@link compilePattern}, which says what is wrong with a bad pattern. */
  constructor(
    /** The pattern as written (RE2 syntax). */
    readonly source: string,
    compiled: RE2JS,
  ) {
    this.#compiled = compiled;
  }

  /** True when the pattern matches somewhere in `text`. Keeps no state between calls. */
  test(text: string): boolean {
    return this.#compiled.test(text);
  }

  /** `/source/`, as a RegExp prints. */
  toString(): string {
    return `/${this.source}/`;
  }
}

// The two things RE2 refuses because only a backtracking engine can run them, named for the user.
const BACKTRACKING: ReadonlyArray<[RegExp, string]> = [
  [/^\\([1-9]|k)/, 'a backreference (\\1, \\k<name>)'],
  [/^\(\?(=|!|<=|<!)/, 'lookahead or lookbehind ((?=, (?!, (?<=, (?<!)'],
];

/**
 * Compiles `source` in RE2 syntax (https://github.com/google/re2/wiki/Syntax): JavaScript's
 * syntax less backreferences and lookaround, plus inline flags such as `(?i)` anywhere. Throws a
 * RangeError `must be a regular expression: <why>`, or `must be a regular expression that runs in
 * linear time: <feature> needs backtracking, …`, that does not repeat the whole pattern (the
 * caller may show it, or may not).
 */
export function compilePattern(source: string): LinearPattern {
  const { RE2JS, RE2JSSyntaxException } = re2();
  try {
    return new LinearPattern(source, RE2JS.compile(source));
  } catch (error) {
    if (!(error instanceof RE2JSSyntaxException)) throw error;
    throw new RangeError(describeSyntaxError(error, source));
  }
}

function describeSyntaxError(error: RE2JSSyntaxException, source: string): string {
  // RE2 names the piece it stopped at: `\1`, `\k`, `(?=`, or for lookbehind (which it reads
  // as a bad named group) the rest of the pattern from `(?<`.
  const at = error.getPattern() ?? '';
  for (const [construct, feature] of BACKTRACKING) {
    if (construct.test(at)) {
      return `must be a regular expression that runs in linear time: ${feature} needs backtracking, which urlcheck does not do (RE2 syntax)`;
    }
  }
  return `must be a regular expression: ${error.getDescription()}${at === '' || at === source ? '' : ` \`${at}\``}`;
}
