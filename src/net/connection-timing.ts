import { subscribe } from 'node:diagnostics_channel';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { TlsInfo } from '../model/types.js';
import type { Connector } from './undici.js';

/**
 * When each phase of opening one connection ended, on the performance.now() clock, in
 * milliseconds; null when the phase did not happen (an IP address needs no lookup, http: no TLS).
 */
export interface ConnectionRecord {
  startedAt: number;
  lookupAt: number | null;
  connectedAt: number | null;
  secureAt: number | null;
  /** The certificate and protocol, read once when the handshake finished. */
  tls: TlsInfo | null;
  /** True once a request has been sent on it: later requests reuse it and skip its phases. */
  used: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const records = new WeakMap<object, ConnectionRecord>();

// A resumed TLS session skips the certificate exchange, so the socket has no peer certificate
// to tell; the certificate is the one the session was made with. Keep the last one per host for
// at least as many hosts as undici keeps sessions for (100).
const RECENT_TLS_HOSTS = 256;
const recentTls = new Map<string, TlsInfo>();

function rememberTls(key: string, socket: TLSSocket): TlsInfo {
  const info = tlsInfoOf(socket, Date.now());
  if (info.validTo === null && socket.isSessionReused()) {
    const known = recentTls.get(key);
    if (known !== undefined) return { ...known, protocol: info.protocol };
    return info;
  }
  recentTls.delete(key);
  recentTls.set(key, info);
  if (recentTls.size > RECENT_TLS_HOSTS) recentTls.delete(recentTls.keys().next().value as string);
  return info;
}

// The connection being opened right now: net.connect calls the lookup synchronously, inside
// the connector, so the lookup can tell whose it is.
let opening: ConnectionRecord | null = null;

/**
 * Wraps a DNS lookup (for the connector's options) so the connection being opened records when
 * its lookup answered. The socket's own 'lookup' event cannot be used: it fires before anyone
 * can listen when the lookup answers synchronously (a cache, a test's resolver).
 */
export function timedLookup(lookup: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    const record = opening;
    lookup(hostname, options, ((...args: unknown[]) => {
      if (record !== null) record.lookupAt = performance.now();
      (callback as (...answer: unknown[]) => void)(...args);
    }) as typeof callback);
  };
}

/**
 * Wraps undici's connector so every connection it opens records its phases from real events
 * (the lookup's answer, the socket's 'connect' and 'secureConnect'), not estimates. Pair it with
 * {@link timedLookup} in the connector's options.
 */
export function timedConnector(base: Connector): Connector {
  return (options, callback) => {
    const record: ConnectionRecord = { startedAt: performance.now(), lookupAt: null, connectedAt: null, secureAt: null, tls: null, used: false };
    opening = record;
    let socket;
    try {
      socket = base(options, callback);
    } finally {
      opening = null;
    }
    if (socket === undefined || socket === null) return socket;
    records.set(socket, record);
    socket.once('connect', () => {
      record.connectedAt = performance.now();
    });
    if (options.protocol === 'https:') {
      socket.once('secureConnect', () => {
        record.secureAt = performance.now();
        record.tls = rememberTls(`${options.servername ?? options.hostname}:${options.port}`, socket as TLSSocket);
      });
    }
    return socket;
  };
}

/** The protocol and certificate of a TLS socket, as reports show them. */
export function tlsInfoOf(socket: TLSSocket, nowMs: number): TlsInfo {
  let certificate: PeerCertificate | null = null;
  try {
    const peer = socket.getPeerCertificate(false);
    certificate = peer !== null && Object.keys(peer).length > 0 ? peer : null;
  } catch {
    certificate = null;
  }
  const validToMs = certificate?.valid_to ? Date.parse(certificate.valid_to) : Number.NaN;
  return {
    protocol: socket.getProtocol() ?? null,
    issuer: nameOf(certificate?.issuer),
    subject: nameOf(certificate?.subject),
    validTo: Number.isNaN(validToMs) ? null : new Date(validToMs).toISOString(),
    daysLeft: Number.isNaN(validToMs) ? null : Math.floor((validToMs - nowMs) / DAY_MS),
  };
}

function nameOf(name: { CN?: string | string[]; O?: string | string[] } | undefined): string | null {
  const value = name?.CN ?? name?.O;
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** One request waiting to learn which socket undici writes it to. */
export interface SocketProbe {
  method: string;
  path: string;
  socket: object | null;
  /** True when this request was the first sent on a connection {@link timedConnector} opened. */
  fresh: boolean;
  /** The record of that socket's connection, when {@link timedConnector} opened it (found once, here). */
  connection: ConnectionRecord | null;
}

// undici calls a request's onRequestStart and then, synchronously in the same function
// (client-h1 writeH1), publishes 'undici:client:sendHeaders' with the socket it writes to. So
// the probe armed in onRequestStart is the one the next message belongs to; method and path are
// compared as a guard against a request that undici dropped between the two.
let armed: SocketProbe | null = null;
let subscribed = false;

function onSendHeaders(message: unknown): void {
  const probe = armed;
  armed = null;
  if (probe === null) return;
  const { request, socket } = message as { request: { method: string; path: string }; socket: object };
  // Through a proxy, an http: request's path is in absolute form (`http://host/path`).
  if (request.method !== probe.method || !(request.path === probe.path || request.path.endsWith(probe.path))) return;
  probe.socket = socket;
  const record = records.get(socket);
  if (record !== undefined) {
    probe.connection = record;
    probe.fresh = !record.used;
    record.used = true;
  }
}

/** Marks `probe` as the request undici is about to write; call from the handler's onRequestStart. */
export function armSocketProbe(probe: SocketProbe): void {
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:client:sendHeaders', onSendHeaders);
  }
  armed = probe;
}

/** The record of the connection a probed request went over, if it was opened by {@link timedConnector}. */
export function connectionOf(socket: object | null): ConnectionRecord | null {
  return socket === null ? null : (records.get(socket) ?? null);
}
