import type { LookupFunction } from 'node:net';
import type { Dispatcher } from 'undici';
import { BlockedAddressError, isNonPublicAddress, publicOnlyLookup } from './address-policy.js';
import { timedConnector, timedLookup } from './connection-timing.js';
import { createProxyDispatcher } from './proxy-dispatcher.js';
import type { ProxySettings } from './proxy.js';
import { buildConnector, newAgent, type AgentOptions } from './undici.js';

/**
 * How urlcheck talks to the network, for the checks and the document fetches alike. All
 * durations are in milliseconds.
 */
export interface NetOptions {
  /** Connections (so requests in flight) at once per origin, or null for no separate limit. */
  perHost: number | null;
  /**
   * Requests in flight at once in the whole run, when the caller bounds them (the pool does):
   * no origin then needs more connections than this, so none are opened beyond it (see
   * {@link createDispatcher}).
   */
  concurrency?: number | undefined;
  /** Hard deadline per attempt, in milliseconds; undici's idle timers are set to it too, so they never outlive it. */
  timeoutMs: number;
  /** Deadline for establishing a connection (TCP + TLS), in milliseconds; null = `timeoutMs`. */
  connectTimeoutMs: number | null;
  /** Accept invalid TLS certificates. */
  insecure: boolean;
  /** Refuse hosts that are, or resolve to, loopback, private, link-local or other non-public addresses. */
  publicOnly: boolean;
  /** A custom DNS lookup (as for `net.connect`), e.g. to pin host names to local addresses. */
  lookup?: LookupFunction | undefined;
  /** Route requests through these proxies; null = connect directly. */
  proxy: ProxySettings | null;
}

/** Idle keep-alive sockets are closed after this long, in milliseconds. */
const KEEP_ALIVE_TIMEOUT_MS = 4_000;

/**
 * The one place urlcheck creates an undici dispatcher: an Agent, or a proxy-routing one when
 * `options.proxy` is set, whose connections record their phases (see `connection-timing.ts`).
 * Deadlines are enforced per attempt by the caller; undici's own idle timers are set no longer
 * than the deadline so they never outlive it.
 *
 * With `publicOnly`, the policy is applied here and only here: every name is refused once
 * resolved to a non-public address (so neither a public name nor a redirect leads into the local
 * network), and a request to a non-public address literal, which is never looked up, throws a
 * {@link BlockedAddressError} from `dispatch` before any connection is opened.
 */
export function createDispatcher(options: NetOptions): Dispatcher {
  const lookup = options.publicOnly ? publicOnlyLookup(options.lookup) : options.lookup;
  const agentOptions: AgentOptions = {
    // At most as many connections per origin as requests can be in flight. Without the bound, a
    // request started the moment another one ended finds that one's connection not yet handed
    // back and opens a new one: a handshake (and a socket) more for most of the second wave of a
    // run against one host (W1: ~20 ms each, and 50 sockets more at -c 50). With it, the request
    // waits the few microseconds until the connection is free.
    connections: options.perHost ?? options.concurrency ?? null,
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: timedConnector(
      buildConnector({
        timeout: options.connectTimeoutMs ?? options.timeoutMs,
        rejectUnauthorized: !options.insecure,
        lookup: timedLookup(lookup),
      }),
    ),
  };
  const dispatcher = options.proxy === null ? newAgent(agentOptions) : createProxyDispatcher(options.proxy, agentOptions);
  return options.publicOnly ? refuseNonPublicLiterals(dispatcher) : dispatcher;
}

// The lookup never sees an address literal, so each request's (each redirect's) origin is
// looked at before it is dispatched.
function refuseNonPublicLiterals(dispatcher: Dispatcher): Dispatcher {
  const dispatch = dispatcher.dispatch.bind(dispatcher);
  dispatcher.dispatch = (options, handler) => {
    const hostname = hostnameOf(options.origin);
    if (hostname !== null && isNonPublicAddress(hostname)) throw new BlockedAddressError(hostname);
    return dispatch(options, handler);
  };
  return dispatcher;
}

function hostnameOf(origin: Dispatcher.DispatchOptions['origin']): string | null {
  try {
    return new URL(String(origin)).hostname;
  } catch {
    return null; // undici reports a bad origin in its own words
  }
}
