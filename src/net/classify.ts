import { maxHeaderSize } from 'node:http';
import type { CheckError, ErrorCode } from '../model/types.js';

const BY_ERRNO: Record<string, ErrorCode> = {
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ECONNRESET: 'CONNECTION_RESET',
  ECONNABORTED: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
  UND_ERR_SOCKET: 'CONNECTION_RESET',
  UND_ERR_CLOSED: 'CONNECTION_RESET',
  // getaddrinfo (dns.lookup, what urlcheck uses): the name does not exist, or has no address.
  ENOTFOUND: 'DNS',
  EAI_FAIL: 'DNS',
  EAI_NODATA: 'DNS',
  EAI_NONAME: 'DNS',
  // getaddrinfo's "try again": no resolver answered in time, or one answered SERVFAIL.
  EAI_AGAIN: 'DNS_TEMPORARY',
  // The same from c-ares (dns.Resolver), for a custom `lookup` built on one.
  ENODATA: 'DNS',
  ESERVFAIL: 'DNS_TEMPORARY',
  ETIMEOUT: 'DNS_TEMPORARY',
  ETIMEDOUT: 'TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'TIMEOUT',
  EHOSTUNREACH: 'NETWORK_ERROR',
  ENETUNREACH: 'NETWORK_ERROR',
  ENETDOWN: 'NETWORK_ERROR',
  EHOSTDOWN: 'NETWORK_ERROR',
  EADDRNOTAVAIL: 'NETWORK_ERROR',
  UND_ERR_HEADERS_OVERFLOW: 'PROTOCOL_ERROR',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'PROTOCOL_ERROR',
  UND_ERR_INFO: 'PROTOCOL_ERROR',
  EPROTO: 'TLS',
  ERR_URLCHECK_BLOCKED_ADDRESS: 'BLOCKED_ADDRESS',
  ERR_URLCHECK_PROXY: 'PROXY',
  ERR_URLCHECK_PROXY_AUTH: 'PROXY_AUTH',
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  CONNECTION_REFUSED: 'connection refused',
  CONNECTION_RESET: 'connection closed or reset by the server before a complete response',
};

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  name?: unknown;
  hostname?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * Maps an error thrown by undici or Node's net/tls/dns layers to a stable {@link ErrorCode}
 * and a short message. Looks through `cause` chains and AggregateErrors (several addresses
 * tried), because undici wraps socket errors and Node aggregates happy-eyeballs failures.
 * A PROTOCOL_ERROR's message says in plain words what the server got wrong, never the parser's
 * own text.
 */
export function classifyError(error: unknown): CheckError {
  for (const candidate of candidates(error)) {
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    const known = misbehaviour(code, candidate) ?? BY_ERRNO[code] ?? byPattern(code, candidate);
    if (known !== undefined) return { code: known, message: messageFor(known, code, candidate) };
  }
  const top = error as ErrorLike | null;
  const text = typeof top?.message === 'string' && top.message !== '' ? top.message : String(error);
  return { code: 'UNKNOWN', message: text };
}

// undici reports some answers that break HTTP as socket errors or failed assertions.
function misbehaviour(code: string, error: ErrorLike): ErrorCode | undefined {
  if (code === 'UND_ERR_SOCKET' && (error.message === 'bad response' || error.message === 'bad upgrade')) return 'PROTOCOL_ERROR';
  if (code === 'ERR_ASSERTION' && typeof error.message === 'string' && error.message.includes('statusCode')) return 'PROTOCOL_ERROR';
  return undefined;
}

function byPattern(code: string, error: ErrorLike): ErrorCode | undefined {
  if (code.startsWith('HPE_') || error.name === 'HTTPParserError') return 'PROTOCOL_ERROR';
  if (/^ERR_(TLS|SSL)_|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|_KEY_|SSL/.test(code)) return 'TLS';
  return undefined;
}

function messageFor(known: ErrorCode, code: string, error: ErrorLike): string {
  const fixed = MESSAGES[known];
  const detail = typeof error.message === 'string' ? error.message : '';
  const suffix = code === '' ? '' : ` (${code})`;
  if (fixed !== undefined) return `${fixed}${suffix}`;
  const host = typeof error.hostname === 'string' ? ` "${error.hostname}"` : '';
  if (known === 'DNS') return `could not resolve host${host}${suffix}`;
  if (known === 'DNS_TEMPORARY') return `temporary DNS failure: could not resolve host${host} for now${suffix}`;
  if (known === 'TIMEOUT') return `${detail || 'timed out'}${suffix}`;
  if (known === 'TLS') return `TLS failure: ${detail}${suffix}`;
  if (known === 'NETWORK_ERROR' && NETWORK_MESSAGES[code] !== undefined) return `${NETWORK_MESSAGES[code]}${where(error)}${suffix}`;
  if (known === 'PROTOCOL_ERROR') return `${protocolMessage(code, error)}${code.startsWith('HPE_') ? suffix : ''}`;
  if (known === 'BLOCKED_ADDRESS' || known === 'PROXY' || known === 'PROXY_AUTH') return detail;
  return detail === '' ? code : `${detail}${suffix}`;
}

const NETWORK_MESSAGES: Record<string, string> = {
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network is down',
  EHOSTDOWN: 'host is down',
  EADDRNOTAVAIL: 'address not available',
};

// The address a connect error was about, as Node's errors carry it.
function where(error: ErrorLike): string {
  const { address, port } = error as { address?: unknown; port?: unknown };
  if (typeof address !== 'string') return '';
  const host = address.includes(':') ? `[${address}]` : address;
  return typeof port === 'number' ? ` at ${host}:${port}` : ` at ${host}`;
}

const NOT_HTTP = "the server's answer is not HTTP: it does not start with a status line";

// llhttp's reasons for rejecting a response (undici puts them in parentheses after "Response
// does not match the HTTP/1.1 protocol"), by kind, in plain words. First match wins.
const PARSER_REASONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/callback error|[Pp]ause/, "the server's answer is not valid HTTP"],
  [/^Expected HTTP\/|^Invalid (word|method) encountered|Connection Preface/, NOT_HTTP],
  [/chunk/i, "the server's chunked body is malformed: a bad chunk size or chunk boundary"],
  [/can't be present with/, "the server sent both Content-Length and Transfer-Encoding, which HTTP forbids"],
  [/Content-Length/, "the server sent an invalid Content-Length header (empty, not a number, too large, or given twice)"],
  [/Transfer-Encoding/, "the server sent an invalid Transfer-Encoding header"],
  [/header (field|value) char|header token/, "the server sent a malformed header: a character HTTP does not allow in a header's name or value"],
  [/whitespace after header value/, "the server sent a malformed header: a header folded onto a second line"],
  [/Invalid (HTTP|major|minor) version|Expected dot/, "the server's status line names no HTTP version urlcheck speaks (HTTP/1.0 or HTTP/1.1)"],
  [/status|space after version/, "the server's status line is malformed: no valid three-digit status code"],
  [/CR|LF|space after start line/, "the server's answer breaks HTTP's line format: every line must end in CR LF"],
  [/Data after `Connection: close`/, "the server sent more data after saying it would close the connection"],
  [/EOF/, "the connection ended in the middle of the server's answer"],
];

function protocolMessage(code: string, error: ErrorLike): string {
  const detail = typeof error.message === 'string' ? error.message : '';
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return `the server's response headers are larger than ${Math.round(maxHeaderSize / 1024)} KiB`;
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return "the server's body is not as long as its Content-Length header says";
  if (code === 'UND_ERR_SOCKET' && detail === 'bad upgrade') return 'the server switched protocols (an Upgrade) without being asked to';
  if (code === 'UND_ERR_SOCKET') return 'the server sent an answer that was not asked for (an unrequested 100 Continue, or one response too many)';
  if (code === 'ERR_ASSERTION') return "the server's status line is malformed: a status code below 100";
  const reason = /\(([^()]*)\)\s*$/.exec(detail)?.[1] ?? detail;
  const plain = PARSER_REASONS.find(([pattern]) => pattern.test(reason))?.[1];
  if (plain === NOT_HTTP) return `${NOT_HTTP}${firstBytes(error)}`;
  return plain ?? "the server's answer is not valid HTTP";
}

// What a non-HTTP answer starts with, when that says something: the first line if it is plain
// text, or a hint when it is a TLS record (an https: server asked with http:).
function firstBytes(error: ErrorLike): string {
  const data = (error as { data?: unknown }).data;
  if (typeof data !== 'string' || data === '') return '';
  const first = data.charCodeAt(0);
  if ((first === 0x15 || first === 0x16) && data.charCodeAt(1) === 0x03) return ' (it answered in TLS: the URL may need https:)';
  const line = data.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (line === '' || !/^[\x20-\x7e\t]+$/.test(line)) return ' (it starts with binary data)';
  return ` (it starts with "${line.length > 40 ? `${line.slice(0, 40)}…` : line}")`;
}

function* candidates(error: unknown, depth = 0): Generator<ErrorLike> {
  if (error === null || typeof error !== 'object' || depth > 5) return;
  const current = error as ErrorLike;
  yield current;
  if (Array.isArray(current.errors)) {
    for (const inner of current.errors) yield* candidates(inner, depth + 1);
  }
  if (current.cause !== undefined) yield* candidates(current.cause, depth + 1);
}
