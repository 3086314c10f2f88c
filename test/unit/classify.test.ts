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
    ['EAI_AGAIN', 'DNS_TEMPORARY'],
    ['EAI_FAIL', 'DNS'],
    ['EAI_NODATA', 'DNS'],
    ['ESERVFAIL', 'DNS_TEMPORARY'],
    ['ETIMEOUT', 'DNS_TEMPORARY'],
    ['ENODATA', 'DNS'],
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
  });

  it('tells a temporary DNS failure (EAI_AGAIN, retried) from a name that does not exist', () => {
    // The error dns.lookup (getaddrinfo) gives when no resolver answered in time, as Node builds it.
    const again = errno('EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.example.com', { errno: -3001, syscall: 'getaddrinfo', hostname: 'api.example.com' });
    expect(classifyError(again)).toEqual({
      code: 'DNS_TEMPORARY',
      message: 'temporary DNS failure: could not resolve host "api.example.com" for now (EAI_AGAIN)',
    });
    // undici hands the connector's error on as it is, or wrapped as a cause.
    expect(classifyError(new TypeError('fetch failed', { cause: again })).code).toBe('DNS_TEMPORARY');
    expect(classifyError(errno('EAI_AGAIN', 'getaddrinfo EAI_AGAIN'))).toEqual({
      code: 'DNS_TEMPORARY',
      message: 'temporary DNS failure: could not resolve host for now (EAI_AGAIN)',
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

  it('keeps the system\'s message for network errors', () => {
    expect(classifyError(errno('EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:80', { address: '10.0.0.1', port: 80 }))).toEqual({
      code: 'NETWORK_ERROR',
      message: 'no route to the host at 10.0.0.1:80 (EHOSTUNREACH)',
    });
    expect(classifyError(errno('ENETUNREACH', 'connect ENETUNREACH 2001:db8::1:443', { address: '2001:db8::1', port: 443 })).message).toBe(
      'network unreachable at [2001:db8::1]:443 (ENETUNREACH)',
    );
    expect(classifyError({ code: 'EHOSTDOWN' })).toEqual({ code: 'NETWORK_ERROR', message: 'host is down (EHOSTDOWN)' });
  });

  /** An error shaped like undici's HTTPParserError: llhttp's reason in parentheses, the bytes from where parsing failed. */
  const parserError = (reason: string, data?: string) =>
    Object.assign(new Error(`Response does not match the HTTP/1.1 protocol (${reason})`), { name: 'HTTPParserError', code: undefined, data });

  it.each([
    ['Expected HTTP/, RTSP/ or ICE/', "the server's answer is not HTTP: it does not start with a status line"],
    ['Invalid word encountered', "the server's answer is not HTTP: it does not start with a status line"],
    ['Invalid HTTP version', "the server's status line names no HTTP version urlcheck speaks (HTTP/1.0 or HTTP/1.1)"],
    ['Invalid major version', "the server's status line names no HTTP version urlcheck speaks (HTTP/1.0 or HTTP/1.1)"],
    ['Invalid response status', "the server's status line is malformed: no valid three-digit status code"],
    ['Invalid status code', "the server's status line is malformed: no valid three-digit status code"],
    ['Expected space after version', "the server's status line is malformed: no valid three-digit status code"],
    ['Invalid header token', "the server sent a malformed header: a character HTTP does not allow in a header's name or value"],
    ['Invalid header value char', "the server sent a malformed header: a character HTTP does not allow in a header's name or value"],
    ['Invalid header field char', "the server sent a malformed header: a character HTTP does not allow in a header's name or value"],
    ['Unexpected whitespace after header value', "the server sent a malformed header: a header folded onto a second line"],
    ['Invalid character in Content-Length', "the server sent an invalid Content-Length header (empty, not a number, too large, or given twice)"],
    ['Duplicate Content-Length', "the server sent an invalid Content-Length header (empty, not a number, too large, or given twice)"],
    ["Content-Length can't be present with Transfer-Encoding", 'the server sent both Content-Length and Transfer-Encoding, which HTTP forbids'],
    ['Invalid `Transfer-Encoding` header value', 'the server sent an invalid Transfer-Encoding header'],
    ['Invalid character in chunk size', "the server's chunked body is malformed: a bad chunk size or chunk boundary"],
    ['Expected LF after chunk data', "the server's chunked body is malformed: a bad chunk size or chunk boundary"],
    ['Missing expected CR after response line', "the server's answer breaks HTTP's line format: every line must end in CR LF"],
    ['Expected LF after CR', "the server's answer breaks HTTP's line format: every line must end in CR LF"],
    ['Data after `Connection: close`', 'the server sent more data after saying it would close the connection'],
    ['Invalid EOF state', "the connection ended in the middle of the server's answer"],
    ['Span callback error in on_status', "the server's answer is not valid HTTP"],
    ['something llhttp says one day', "the server's answer is not valid HTTP"],
  ])('says what a parser error (%s) means in plain words, keeping PROTOCOL_ERROR', (reason, message) => {
    expect(classifyError(parserError(reason))).toEqual({ code: 'PROTOCOL_ERROR', message });
  });

  it('quotes how a non-HTTP answer starts, and spots a TLS answer to http:', () => {
    expect(classifyError(parserError('Expected HTTP/, RTSP/ or ICE/', 'SSH-2.0-OpenSSH_9.6\r\n')).message).toBe(
      'the server\'s answer is not HTTP: it does not start with a status line (it starts with "SSH-2.0-OpenSSH_9.6")',
    );
    expect(classifyError(parserError('Expected HTTP/, RTSP/ or ICE/', `${'x'.repeat(60)}\n`)).message).toBe(
      `the server's answer is not HTTP: it does not start with a status line (it starts with "${'x'.repeat(40)}…")`,
    );
    expect(classifyError(parserError('Expected HTTP/, RTSP/ or ICE/', '\u0015\u0003\u0001\u0000\u0002\u0002(')).message).toBe(
      "the server's answer is not HTTP: it does not start with a status line (it answered in TLS: the URL may need https:)",
    );
    expect(classifyError(parserError('Expected HTTP/, RTSP/ or ICE/', '\u0000\u0001binary')).message).toBe(
      "the server's answer is not HTTP: it does not start with a status line (it starts with binary data)",
    );
  });

  it('keeps llhttp\'s HPE_ code when undici gives one', () => {
    expect(classifyError(errno('HPE_INVALID_CONSTANT', 'Response does not match the HTTP/1.1 protocol (Expected HTTP/)'))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: "the server's answer is not HTTP: it does not start with a status line (HPE_INVALID_CONSTANT)",
    });
  });

  it('says in plain words what undici reports of other answers that break HTTP', () => {
    expect(classifyError(errno('UND_ERR_HEADERS_OVERFLOW', 'Headers Overflow Error'))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: "the server's response headers are larger than 16 KiB",
    });
    expect(classifyError(errno('UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'Response body length does not match content-length header'))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: "the server's body is not as long as its Content-Length header says",
    });
    expect(classifyError(errno('UND_ERR_SOCKET', 'bad response'))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: 'the server sent an answer that was not asked for (an unrequested 100 Continue, or one response too many)',
    });
    expect(classifyError(errno('UND_ERR_SOCKET', 'bad upgrade')).code).toBe('PROTOCOL_ERROR');
    expect(classifyError(errno('ERR_ASSERTION', 'The expression evaluated to a falsy value:\n\n  assert(statusCode >= 100)\n'))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: "the server's status line is malformed: a status code below 100",
    });
    // Other socket errors stay resets.
    expect(classifyError(errno('UND_ERR_SOCKET', 'other side closed')).code).toBe('CONNECTION_RESET');
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
