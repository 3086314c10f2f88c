import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText, credential, urlish } from '../helpers/arbitraries.js';
import { REDACTED, redactText, redactUrl } from '../../src/util/redact.js';

/** A URL with credentials, built through the URL API so it is exactly what the parser would send. */
const urlWithCredentials = fc
  .record({
    base: fc.webUrl({ validSchemes: ['http', 'https', 'ws', 'wss', 'ftp'], withQueryParameters: true, withFragments: true }),
    user: fc.oneof(credential, fc.constant('')),
    password: fc.oneof(credential, fc.constant('')),
  })
  .filter(({ user, password }) => user !== '' || password !== '')
  .map(({ base, user, password }) => {
    const url = new URL(base);
    url.username = user;
    url.password = password;
    return { url, secrets: [user, password].filter((s) => s !== '') };
  });

/** Userinfo of any characters at all: the URL API percent-encodes what it must. */
const urlWithAnyUserinfo = fc
  .record({ base: fc.webUrl({ validSchemes: ['http', 'https'] }), user: anyText(20), password: anyText(20) })
  .map(({ base, user, password }) => {
    const url = new URL(base);
    url.username = user;
    url.password = password;
    return url;
  });

/** Text around a URL in a message: prose, punctuation, near-URLs, or nothing. */
const surrounding = fc.oneof(
  fc.constant(''),
  anyText(20),
  urlish(6),
  fc.constantFrom('redirect to ', 'GET ', '"', '<', '(', 'url=', 'x', '9', '_', '\n', 'see: '),
);

const secretAlphabet = fc.constantFrom('a', 'b', 'c', 'Q', '1', ':', '/', '@', '.', ' ', '%', '=');
/** Secrets as header values tend to be: at least 3 characters, never containing the `***` mark. */
const secretArb = fc.string({ unit: secretAlphabet, minLength: 3, maxLength: 8 });

/** Text that holds the secrets (and near misses) among arbitrary pieces. */
function textWith(secrets: string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...secrets), fc.string({ unit: secretAlphabet, maxLength: 5 }), surrounding, fc.constant('https://'));
  return fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join(''));
}

describe('redactUrl (properties)', () => {
  it('never shows the username or the password of any URL', () => {
    fc.assert(
      fc.property(urlWithCredentials, ({ url, secrets }) => {
        fc.pre(secrets.every((secret) => !url.host.includes(secret) && !`${url.pathname}${url.search}${url.hash}`.includes(secret)));
        const shown = redactUrl(url);
        for (const secret of secrets) expect(shown).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps everything but the userinfo, which becomes ***, whatever its characters', () => {
    fc.assert(
      fc.property(urlWithAnyUserinfo, (url) => {
        const shown = new URL(redactUrl(url));
        if (url.username === '' && url.password === '') {
          expect(shown.href).toBe(url.href);
          return;
        }
        expect(shown.username).toBe(REDACTED);
        expect(shown.password).toBe('');
        expect([shown.protocol, shown.host, shown.pathname, shown.search, shown.hash]).toEqual([url.protocol, url.host, url.pathname, url.search, url.hash]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('redactText (properties)', () => {
  it('hides the credentials of a URL embedded in any text', () => {
    fc.assert(
      fc.property(urlWithCredentials, surrounding, surrounding, ({ url, secrets }, before, after) => {
        const rest = `${before}${url.host}${url.pathname}${url.search}${url.hash}${after}`;
        fc.pre(secrets.every((secret) => !rest.includes(secret)));
        const shown = redactText(`${before}${url.href}${after}`);
        for (const secret of secrets) expect(shown).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it('removes every occurrence of every secret of 3 characters or more', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }).chain((secrets) => fc.tuple(fc.constant(secrets), textWith(secrets))),
        ([secrets, text]) => {
          const shown = redactText(text, secrets);
          for (const secret of secrets) expect(shown).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is idempotent: redacting twice is redacting once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { maxLength: 3 }).chain((secrets) =>
          fc.tuple(fc.constant(secrets), secrets.length > 0 ? textWith(secrets) : fc.oneof(anyText(60), urlish(15))),
        ),
        ([secrets, text]) => {
          const once = redactText(text, secrets);
          expect(redactText(once, secrets)).toBe(once);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves text without "@" and without secrets unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(anyText(60), urlish(15)), (text) => {
        fc.pre(!text.includes('@'));
        expect(redactText(text)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});
