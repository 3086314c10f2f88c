import { safeDecodeURIComponent } from './text.js';

/**
 * The fragment of a URL that can be checked against a document's anchors, percent-decoded; null
 * when there is nothing to check: no fragment or an empty one, `#top` (the HTML standard scrolls to
 * the top when no element has that id), a text fragment (`#:~:text=…`, which names text, not an
 * anchor), and a single-page application's route (`#/path`, `#!/path`), which only its scripts
 * understand.
 */
export function checkableFragment(url: URL): string | null {
  const hash = url.hash;
  if (hash.length <= 1) return null;
  const fragment = safeDecodeURIComponent(hash.slice(1));
  if (fragment.toLowerCase() === 'top' || fragment.startsWith(':~:') || fragment.startsWith('/') || fragment.startsWith('!')) return null;
  return fragment;
}

/**
 * Whether a URL's fragment is one a fragment check looks at (see {@link checkableFragment}; line
 * anchors are not, on a page: they are made by scripts): two URLs that differ only in such a
 * fragment are two checks.
 */
export function isCheckedFragment(url: URL): boolean {
  if (url.hash.length <= 1) return false;
  const fragment = checkableFragment(url);
  return fragment !== null && lineAnchorEnd(fragment) === null;
}

/** A GitHub line anchor: `L10`, `L10-L20`, with optional columns (`L10C5-L12C3`). */
const LINE_ANCHOR = /^L(\d+)(?:C\d+)?(?:-L(\d+)(?:C\d+)?)?$/;

/** The last line a GitHub line anchor (`#L10`, `#L10-L20`) points at, or null when the fragment is not one. */
export function lineAnchorEnd(fragment: string): number | null {
  const match = LINE_ANCHOR.exec(fragment);
  if (match === null) return null;
  return Math.max(Number(match[1]), Number(match[2] ?? match[1]));
}

// GitHub renders ids with this prefix and its script matches fragments with or without it.
const GITHUB_PREFIX = 'user-content-';

/**
 * Whether `fragment` (decoded, see {@link checkableFragment}) names one of `anchors`: as written,
 * with or without GitHub's `user-content-` prefix, and — for a Markdown document, whose heading
 * slugs are lower-case and which GitHub matches whatever the case — lower-cased.
 */
export function hasAnchor(anchors: ReadonlySet<string>, fragment: string, caseInsensitive: boolean): boolean {
  const candidates = [fragment];
  if (fragment.startsWith(GITHUB_PREFIX)) candidates.push(fragment.slice(GITHUB_PREFIX.length));
  else candidates.push(GITHUB_PREFIX + fragment);
  for (const candidate of candidates) {
    if (anchors.has(candidate)) return true;
    if (caseInsensitive && anchors.has(candidate.toLowerCase())) return true;
  }
  return false;
}

/**
 * A map that keeps at most `capacity` entries, dropping the least recently used: the anchors of
 * the documents and pages fragments point into, bounded however many a run visits.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
