import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns';
import type { LookupFunction } from 'node:net';

/** How the server answers one A query: addresses (NOERROR), or a DNS response code. */
export type DnsAnswer = { addresses: string[] } | { rcode: 'SERVFAIL' | 'NXDOMAIN' | 'REFUSED' };

/** A DNS server on 127.0.0.1 (UDP) that answers as the test says, and counts the queries per name. */
export interface LocalDnsServer {
  /** `127.0.0.1:<port>`, for `Resolver.setServers`. */
  readonly address: string;
  /** Queries received, by lower-case name. */
  readonly queries: Map<string, number>;
  close(): Promise<void>;
}

const RCODES = { SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const TYPE_A = 1;

/**
 * Starts a real DNS server on an ephemeral UDP port of 127.0.0.1: a query for an A record is
 * answered by `answer(name, count)` (`count`: this name's queries so far, from 1); any other
 * type gets an empty NOERROR answer.
 */
export async function startDnsServer(answer: (name: string, count: number) => DnsAnswer): Promise<LocalDnsServer> {
  const socket: Socket = createSocket('udp4');
  const queries = new Map<string, number>();
  socket.on('message', (query, peer) => {
    const parsed = parseQuestion(query);
    if (parsed === null) return;
    const count = (queries.get(parsed.name) ?? 0) + 1;
    queries.set(parsed.name, count);
    const reply = parsed.type === TYPE_A ? answer(parsed.name, count) : { addresses: [] };
    socket.send(buildResponse(query, parsed.end, reply), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/**
 * A `lookup` (as for `net.connect`) that asks `server` through Node's c-ares resolver, the way a
 * program that picks its own DNS server does: its errors are c-ares's (ESERVFAIL, ENOTFOUND …).
 */
export function resolverLookup(server: string): LookupFunction {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([server]);
  return (hostname, options, callback) => {
    resolver.resolve4(hostname, (error, addresses) => {
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
      const first = addresses?.[0];
      if (error !== null || first === undefined) {
        const failure = error ?? Object.assign(new Error(`queryA ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
        return void (callback as (e: NodeJS.ErrnoException) => void)(failure);
      }
      if (all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, addresses.map((address) => ({ address, family: 4 })));
      else callback(null, first, 4);
    });
  };
}

function parseQuestion(message: Buffer): { name: string; type: number; end: number } | null {
  if (message.length < 12) return null;
  let offset = 12;
  const labels: string[] = [];
  for (;;) {
    const length = message[offset];
    if (length === undefined) return null;
    offset += 1;
    if (length === 0) break;
    labels.push(message.subarray(offset, offset + length).toString('latin1'));
    offset += length;
  }
  if (offset + 4 > message.length) return null;
  return { name: labels.join('.').toLowerCase(), type: message.readUInt16BE(offset), end: offset + 4 };
}

function buildResponse(query: Buffer, questionEnd: number, reply: DnsAnswer): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the query's ID
  const recursionDesired = (query.readUInt16BE(2) & 0x0100) !== 0;
  const rcode = 'rcode' in reply ? RCODES[reply.rcode] : 0;
  header.writeUInt16BE(0x8000 | (recursionDesired ? 0x0100 : 0) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4); // one question, echoed
  const addresses = 'addresses' in reply ? reply.addresses : [];
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(1, 4); // class IN
    record.writeUInt32BE(60, 6); // TTL, seconds
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((part, i) => record.writeUInt8(Number(part), 12 + i));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}
