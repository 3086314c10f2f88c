import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/net/classify.js';
import type { ErrorCode } from '../../src/model/types.js';

/** An error shaped like the ones Node's net/tls/dns layers and undici throw. */
function errno(code: string, message = `${code} happened`, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('classifyError', () => {
  it.each<[string, ErrorCode]>([
    ['ECONNREFUSED', 'CONNECTION_REFUSED'],
    ['ECONNRESET', 'CONNECTION_RESET'],
    ['ECONNABORTED', 'CONNECTION_RESET'],
    ['EPIPE', 'CONNECTION_RESET'],
    ['UND_ERR_SOCKET', 'CONNECTION_RESET'],
    ['UND_ERR_CLOSED', 'CONNECTION_RESET'],
    ['ENOTFOUND', 'DNS'],
    ['EAI_AGAIN', 'DNS'],
    ['EAI_FAIL', 'DNS'],
    ['ETIMEDOUT', 'TIMEOUT'],
    ['UND_ERR_CONNECT_TIMEOUT', 'TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 'TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT', 'TIMEOUT'],
    ['EHOSTUNREACH', 'NETWORK_ERROR'],
    ['ENETUNREACH', 'NETWORK_ERROR'],
    ['EADDRNOTAVAIL', 'NETWORK_ERROR'],
    ['HPE_INVALID_CONSTANT', 'PROTOCOL_ERROR'],
    ['HPE_INVALID_HEADER_TOKEN', 'PROTOCOL_ERROR'],
    ['UND_ERR_HEADERS_OVERFLOW', 'PROTOCOL_ERROR'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'PROTOCOL_ERROR'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS'],
    ['CERT_HAS_EXPIRED', 'TLS'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'TLS'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS'],
    ['EPROTO', 'TLS'],
  ])('maps %s to %s', (code, expected) => {
    expect(classifyError(errno(code)).code).toBe(expected);
  });

  it('writes fixed messages for refused and reset connections, with the errno', () => {
    expect(classifyError(errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'))).toEqual({
      code: 'CONNECTION_REFUSED',
      message: 'connection refused (ECONNREFUSED)',
    });
    expect(classifyError(errno('UND_ERR_SOCKET', 'other side closed'))).toEqual({
      code: 'CONNECTION_RESET',
      message: 'connection closed or reset by the server before a complete response (UND_ERR_SOCKET)',
    });
  });

  it('names the host that could not be resolved', () => {
    expect(classifyError(errno('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere.test', { hostname: 'nowhere.test' }))).toEqual({
      code: 'DNS',
      message: 'could not resolve host "nowhere.test" (ENOTFOUND)',
    });
    expect(classifyError(errno('EAI_AGAIN', 'getaddrinfo EAI_AGAIN'))).toEqual({
      code: 'DNS',
      message: 'could not resolve host (EAI_AGAIN)',
    });
  });

  it('keeps undici\'s timeout message', () => {
    expect(classifyError(errno('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'))).toEqual({
      code: 'TIMEOUT',
      message: 'Connect Timeout Error (UND_ERR_CONNECT_TIMEOUT)',
    });
    expect(classifyError(errno('UND_ERR_HEADERS_TIMEOUT', ''))).toEqual({
      code: 'TIMEOUT',
      message: 'timed out (UND_ERR_HEADERS_TIMEOUT)',
    });
  });

  it('prefixes TLS failures', () => {
    expect(classifyError(errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'))).toEqual({
      code: 'TLS',
      message: 'TLS failure: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
  });

  it('keeps the parser\'s message for protocol errors and network errors', () => {
    expect(classifyError(errno('HPE_INVALID_CONSTANT', 'Expected HTTP/'))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: 'Expected HTTP/ (HPE_INVALID_CONSTANT)',
    });
    expect(classifyError(errno('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:80'))).toEqual({
      code: 'NETWORK_ERROR',
      message: 'connect EHOSTUNREACH 10.0.0.1:80 (EHOSTUNREACH)',
    });
    expect(classifyError({ code: 'EHOSTDOWN' })).toEqual({ code: 'NETWORK_ERROR', message: 'EHOSTDOWN' });
  });

  it('recognises an HTTPParserError by name', () => {
    const error = Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { name: 'HTTPParserError' });
    expect(classifyError(error).code).toBe('PROTOCOL_ERROR');
  });

  it('looks inside an AggregateError (happy eyeballs tried several addresses)', () => {
    const aggregate = new AggregateError(
      [errno('ECONNREFUSED', 'connect ECONNREFUSED ::1:9'), errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9')],
      '',
    );
    expect(classifyError(aggregate)).toEqual({ code: 'CONNECTION_REFUSED', message: 'connection refused (ECONNREFUSED)' });
  });

  it('follows a cause chain (undici wraps socket errors)', () => {
    const wrapped = new TypeError('fetch failed', { cause: new Error('outer', { cause: errno('ECONNRESET', 'read ECONNRESET') }) });
    expect(classifyError(wrapped).code).toBe('CONNECTION_RESET');
    const aggregateInCause = new Error('request failed', {
      cause: new AggregateError([new Error('nothing'), errno('ENETUNREACH')], ''),
    });
    expect(classifyError(aggregateInCause).code).toBe('NETWORK_ERROR');
  });

  it('prefers the outermost error that has a known code', () => {
    const error = errno('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error', { cause: errno('ECONNREFUSED') });
    expect(classifyError(error).code).toBe('TIMEOUT');
  });

  it('falls back to UNKNOWN with the top-level message', () => {
    expect(classifyError(errno('EWHATEVER', 'something odd'))).toEqual({ code: 'UNKNOWN', message: 'something odd' });
    expect(classifyError(new Error('plain failure'))).toEqual({ code: 'UNKNOWN', message: 'plain failure' });
    expect(classifyError('a string')).toEqual({ code: 'UNKNOWN', message: 'a string' });
    expect(classifyError(null)).toEqual({ code: 'UNKNOWN', message: 'null' });
    expect(classifyError(undefined)).toEqual({ code: 'UNKNOWN', message: 'undefined' });
    expect(classifyError({ code: 42 })).toEqual({ code: 'UNKNOWN', message: '[object Object]' });
  });

  it('stops on a cause cycle', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' };
    const b = { message: 'b', cause: a };
    a.cause = b;
    expect(classifyError(a)).toEqual({ code: 'UNKNOWN', message: 'a' });
  });

  it('gives up on a known code buried deeper than 5 causes', () => {
    let error: unknown = errno('ECONNREFUSED');
    for (let i = 0; i < 10; i += 1) error = new Error(`level ${i}`, { cause: error });
    expect(classifyError(error)).toEqual({ code: 'UNKNOWN', message: 'level 9' });
  });
});
