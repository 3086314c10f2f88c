import { printable } from '../../util/redact.js';

const HTML_SPECIAL = /[&<>"']/g;
const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text that is safe as HTML character data and inside a quoted attribute value: markup
 * characters and quotes escaped, and control characters (line breaks, bidirectional controls)
 * written as visible `\uXXXX` (see `printable`), so no text from the input can start a line
 * of the document either.
 */
export function htmlText(text: string): string {
  return printable(text).replace(HTML_SPECIAL, (char) => HTML_ESCAPES[char] as string);
}

const SCRIPT_SPECIAL = /[<>&\u2028\u2029]/g;

/**
 * A value as JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&`
 * written as `\u003c`, `\u003e`, `\u0026` (so no `</script>` or `<!--` can close or confuse the
 * element), and U+2028/U+2029 escaped too. Line breaks and other control characters inside
 * strings are escaped by JSON itself, and lone surrogates by `JSON.stringify`, so the text is one
 * line that starts with the value's own bracket.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(SCRIPT_SPECIAL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
