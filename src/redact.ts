/** What replaces credentials in anything urlcheck prints. */
export const REDACTED = '***';

// The userinfo of a URL runs from "scheme://" to the last "@" before the first "/", "?" or "#".
const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi;

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
  let out = text.includes('@') ? text.replace(USERINFO_IN_TEXT, `$1${REDACTED}@`) : text;
  for (const secret of secrets) {
    if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
