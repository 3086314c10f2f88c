import type { CheckError, ErrorCode } from '../model/types.js';

const BY_ERRNO: Record<string, ErrorCode> = {
  ECONNREFUSED: 'CONNECTION_REFUSED',
  ECONNRESET: 'CONNECTION_RESET',
  ECONNABORTED: 'CONNECTION_RESET',
  EPIPE: 'CONNECTION_RESET',
  UND_ERR_SOCKET: 'CONNECTION_RESET',
  UND_ERR_CLOSED: 'CONNECTION_RESET',
  ENOTFOUND: 'DNS',
  EAI_AGAIN: 'DNS',
  EAI_FAIL: 'DNS',
  EAI_NODATA: 'DNS',
  EAI_NONAME: 'DNS',
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
 */
export function classifyError(error: unknown): CheckError {
  for (const candidate of candidates(error)) {
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    const known = BY_ERRNO[code] ?? byPattern(code, candidate);
    if (known !== undefined) return { code: known, message: messageFor(known, code, candidate) };
  }
  const top = error as ErrorLike | null;
  const text = typeof top?.message === 'string' && top.message !== '' ? top.message : String(error);
  return { code: 'UNKNOWN', message: text };
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
  if (known === 'DNS') {
    const host = typeof error.hostname === 'string' ? ` "${error.hostname}"` : '';
    return `could not resolve host${host}${suffix}`;
  }
  if (known === 'TIMEOUT') return `${detail || 'timed out'}${suffix}`;
  if (known === 'TLS') return `TLS failure: ${detail}${suffix}`;
  if (known === 'BLOCKED_ADDRESS' || known === 'PROXY' || known === 'PROXY_AUTH') return detail;
  return detail === '' ? code : `${detail}${suffix}`;
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
