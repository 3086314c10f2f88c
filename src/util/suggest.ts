// "Did you mean …?" for a value that is not one of a fixed set: a format, a verdict, a method.

/**
 * The choice nearest to `value` (case, `-` and `_` ignored): the only choice it is the start of
 * (3 characters at least: "warn" → "warning"), else the nearest at most `maxEdits` edits away
 * (2 by default, 1 for values of up to 3 characters, so "x" suggests nothing; swapping two
 * neighbours is one edit), else null. Ties go to the earlier choice.
 */
export function closestChoice(value: string, choices: readonly string[], maxEdits = 2): string | null {
  const squash = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  const wanted = squash(value);
  if (wanted === '') return null;
  if (wanted.length >= 3) {
    const starts = choices.filter((choice) => squash(choice).startsWith(wanted) && squash(choice) !== wanted);
    if (starts.length === 1) return starts[0] ?? null;
  }
  const limit = wanted.length <= 3 ? Math.min(1, maxEdits) : maxEdits;
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const choice of choices) {
    const distance = editDistance(wanted, squash(choice), limit);
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edits (insert, delete, substitute, swap two neighbours: the optimal string alignment
 * distance) from `a` to `b`, or `limit + 1` when the lengths alone differ by more than `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, index) => index)];
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const above = rows[i - 1] ?? [];
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
