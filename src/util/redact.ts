/** What replaces credentials in anything urlcheck prints. */
export const REDACTED = '***';

// The userinfo of a URL runs from "scheme://" to the last "@" before the first "/", "?" or "#".
// After http(s), ws(s) and ftp the URL parser takes any run of "/" and "\\" for "//", so
// "https:/u:p@h" and "https:\\u:p@h" hold credentials too, as do "1https://u:p@h" and
// "_https://u:p@h" (which \b missed). A match starts only where a run of scheme characters
// starts, and the userinfo stops at "\\" as at "/" (the parser ends an http(s) authority there):
// both keep the scan linear on a long line ("_a:\\_a:\\…" made it quadratic: minutes for 1 MiB).
const USERINFO_IN_TEXT = /(?<![a-z0-9+.-])([a-z0-9+.-]+:[/\\]+)[^/\\?#\s]*@/gi;

/**
 * A URL's href with any username and password replaced by `***`, so tokens passed as
 * `https://TOKEN@host/` or `https://user:pass@host/` never reach a report.
 */
export function redactUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = REDACTED;
  copy.password = '';
  return copy.href;
}

/**
 * Free text (an input line, an error message) with the userinfo of every URL in it redacted,
 * and every string in `secrets` (header values, passwords) replaced by `***`.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = redactUserinfo(text);
  let replaced = false;
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) {
      out = out.split(secret).join(REDACTED);
      replaced = true;
    }
  }
  // A secret that held a space or a "/" may have cut a "scheme://…@" apart: once it is gone the
  // userinfo is whole again, and redacting it now keeps redactText idempotent.
  return replaced ? redactUserinfo(out) : out;
}

function redactUserinfo(text: string): string {
  return text.includes('@') ? text.replace(USERINFO_IN_TEXT, `$1${REDACTED}@`) : text;
}

// C0 and C1 control characters, DEL, and the Unicode bidirectional controls ("Trojan Source"):
// a URL list or a server nobody controls must not be able to drive the terminal that shows a report.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that is safe to show in a terminal or a spreadsheet: every control character is written
 * as a visible `\uXXXX` escape instead of being passed through raw.
 */
export function printable(text: string): string {
  UNPRINTABLE.lastIndex = 0;
  if (!UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
