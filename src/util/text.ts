// Built only for what the fast path below does not cover: constructing the first Intl formatter
// loads ICU's locale data, 10-30 ms of a run's start-up, more than most runs spend formatting.
let integer: Intl.NumberFormat | undefined;

/** 1234567 → "1,234,567"; rounded to a whole number, halves up, as `Intl.NumberFormat('en-US')` does. */
export function formatCount(value: number): string {
  // -0 too is left to Intl, which writes it "-0".
  if ((value > 0 || Object.is(value, 0)) && value <= Number.MAX_SAFE_INTEGER) {
    const digits = String(Math.round(value));
    if (digits.length <= 3) return digits;
    let grouped = digits.slice(0, digits.length % 3 || 3);
    for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
    return grouped;
  }
  integer ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return integer.format(value);
}

/** "1 URL", "2 URLs", "1,000 URLs". */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${count === 1 ? noun : `${noun}s`}`;
}

/** A byte count for a message: `512 B`, `1.2 KiB`, `1 MiB`, `1.5 GiB`. Input in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** `decodeURIComponent`, or the text unchanged when it is not valid percent-encoding. */
export function safeDecodeURIComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** True when `value` is an array (a batch) rather than one item. */
export function isBatch<T>(value: T | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}
