/**
 * Ignore comments, as markdown-link-check and lychee users write them, in Markdown and HTML:
 * `<!-- urlcheck-disable -->` … `<!-- urlcheck-enable -->` (a disable with no enable runs to the end
 * of the document) and `<!-- urlcheck-disable-next-line -->` (the links on the line after the
 * comment's last line). One instance per document, fed its comments and links in document order;
 * {@link ignored} counts the links it skipped.
 */
export class IgnoreComments {
  /** Links skipped so far. */
  ignored = 0;
  private disabled = false;
  private nextLine = 0;

  /** Takes note of a comment's text (without `<!--`/`-->`) that ends on 1-based `line`. */
  comment(text: string, line: number): void {
    const directive = DIRECTIVE.exec(text.trim())?.[1];
    if (directive === 'disable-next-line') this.nextLine = line + 1;
    else if (directive === 'disable') this.disabled = true;
    else if (directive === 'enable') this.disabled = false;
  }

  /** Whether a link on 1-based `line` is checked; false (and counted) inside an ignored region. */
  keeps(line: number): boolean {
    if (!this.disabled && line !== this.nextLine) return true;
    this.ignored += 1;
    return false;
  }
}

// "urlcheck-disable" alone or followed by a space or a colon and a reason; "urlcheck-disabled" is not one.
const DIRECTIVE = /^urlcheck-(disable-next-line|disable|enable)(?=$|[\s:])/;
