/**
 * A set of accepted HTTP statuses parsed from text such as `200-299,401`, with O(1) lookup.
 */
export interface StatusRanges {
  /** The canonical text form, e.g. `200-299,401`. */
  readonly text: string;
  /** True when `status` is in one of the ranges. */
  has(status: number): boolean;
}

const LOWEST_STATUS = 100;
const HIGHEST_STATUS = 599;

/**
 * Parses `--accept` syntax: comma-separated statuses or inclusive ranges (`200-299,401,403`).
 * Throws a RangeError whose message names the bad part; callers prefix the flag name.
 */
export function parseStatusRanges(text: string): StatusRanges {
  const accepted = new Uint8Array(HIGHEST_STATUS + 1);
  const parts: string[] = [];
  const trimmed = text.trim();
  if (trimmed === '') throw new RangeError('expected statuses such as "200-299,401", got an empty value');
  for (const raw of trimmed.split(',')) {
    const part = raw.trim();
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!match) throw new RangeError(`"${part}" is not a status or a range like 200-299`);
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    for (const status of [low, high]) {
      if (status < LOWEST_STATUS || status > HIGHEST_STATUS) {
        throw new RangeError(`${status} is not an HTTP status (${LOWEST_STATUS}-${HIGHEST_STATUS})`);
      }
    }
    if (low > high) throw new RangeError(`range "${part}" is backwards (write ${high}-${low})`);
    accepted.fill(1, low, high + 1);
    parts.push(low === high ? String(low) : `${low}-${high}`);
  }
  return {
    text: parts.join(','),
    has: (status: number) => accepted[status] === 1,
  };
}
