// DNS-over-HTTPS (RFC 8484) for hush serve's own names, so that a browser pointed at it as its
// secure resolver learns the HTTPS record (RFC 9460) with the ECHConfigList and uses Encrypted Client
// Hello. Every name of the served certificates (and the ECH public names) answers A 127.0.0.1, AAAA
// ::1 (or the address the client reached us at, when that is not loopback) and HTTPS (alpn, ech); _PORT._https.NAME answers HTTPS for the listening port; other names
// get NXDOMAIN, other types of our names an empty answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { parseIp } from '../../x509/ip.js';
import { DnsFormatError, DnsRcodes, DnsTypes, encodeDnsError, encodeDnsResponse, MAX_DNS_MESSAGE, parseDnsQuery, type DnsAnswer } from './message.js';

export interface DnsZone {
  /** Lower-case names without a trailing dot; '*.example.com' matches one label. */
  readonly names: readonly string[];
  readonly port: number;
  readonly alpn: readonly string[];
  readonly echConfigList?: Uint8Array;
  readonly ttl?: number;
}

export const DOH_PATH = '/dns-query';
export const DNS_MESSAGE_TYPE = 'application/dns-message';

function owns(zone: DnsZone, name: string): boolean {
  return zone.names.some((n) => n === name || (n.startsWith('*.') && name.endsWith(n.slice(1)) && !name.slice(0, -n.length + 1).includes('.')));
}

const LOOPBACK = { a: Uint8Array.of(127, 0, 0, 1), aaaa: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) };

/**
 * The addresses our names resolve to for a client that reached us at `local` (the DoH request's
 * local address): loopback for a local client, else that very address (hush serve --host 0.0.0.0
 * on a LAN), so that the answer leads back to this server.
 */
export function addressesFor(local: string | undefined): { a?: Uint8Array; aaaa?: Uint8Array } {
  const text = local?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const ip = text === undefined ? undefined : parseIp(text);
  if (!ip || (ip.length === 4 && ip[0] === 127) || (ip.length === 16 && ip.every((b, i) => b === (i === 15 ? 1 : 0)))) return LOOPBACK;
  return ip.length === 4 ? { a: ip } : { aaaa: ip };
}

/** The answer message for a query message (a FORMERR/NOTIMP/REFUSED header when it does not parse but its id does). */
export function answerDnsMessage(zone: DnsZone, msg: Uint8Array, local?: string): Uint8Array {
  let q;
  try {
    q = parseDnsQuery(msg);
  } catch (e) {
    if (e instanceof DnsFormatError && e.id !== undefined) return encodeDnsError(e.id, e.rcode);
    throw e;
  }
  const ttl = zone.ttl ?? 60;
  const https = (target: string): DnsAnswer => ({ type: DnsTypes.HTTPS, ttl, priority: 1, target, alpn: zone.alpn, ...(zone.echConfigList ? { ech: zone.echConfigList } : {}) });
  const prefixed = /^_(\d{1,5})\._https\.(.+)$/.exec(q.name);
  if (prefixed) {
    // RFC 9460 §9.1: the record for another port than 443; its TargetName is the host itself.
    if (Number(prefixed[1]) !== zone.port || !owns(zone, prefixed[2]!)) return encodeDnsResponse(q, DnsRcodes.NXDOMAIN);
    return encodeDnsResponse(q, DnsRcodes.NOERROR, q.type === DnsTypes.HTTPS ? [https(prefixed[2]!)] : []);
  }
  if (!owns(zone, q.name)) return encodeDnsResponse(q, DnsRcodes.NXDOMAIN);
  switch (q.type) {
    case DnsTypes.A: {
      const a = addressesFor(local).a;
      return encodeDnsResponse(q, DnsRcodes.NOERROR, a ? [{ type: DnsTypes.A, ttl, address: a }] : []);
    }
    case DnsTypes.AAAA: {
      const aaaa = addressesFor(local).aaaa;
      return encodeDnsResponse(q, DnsRcodes.NOERROR, aaaa ? [{ type: DnsTypes.AAAA, ttl, address: aaaa }] : []);
    }
    case DnsTypes.HTTPS:
      return encodeDnsResponse(q, DnsRcodes.NOERROR, [https('.')]);
    default:
      return encodeDnsResponse(q, DnsRcodes.NOERROR);
  }
}

/** base64url without padding (RFC 8484 §4.1), strictly. */
export function decodeBase64Url(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

/** Serve one DoH request; calls done(status, bytes) once the response is sent. */
export function handleDoh(zone: DnsZone, req: Req, res: Res, headers: Readonly<Record<string, string>>, local: string | undefined, done: (status: number, bytes: number) => void): void {
  const fail = (status: number, text: string): void => {
    const body = Buffer.from(text + '\n');
    res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) });
    res.end(body);
    done(status, body.length);
  };
  const answer = (msg: Uint8Array): void => {
    let out: Uint8Array;
    try {
      out = answerDnsMessage(zone, msg, local);
    } catch (e) {
      return fail(400, `not a DNS query: ${(e as Error).message}`);
    }
    res.writeHead(200, { ...headers, 'content-type': DNS_MESSAGE_TYPE, 'content-length': String(out.length), 'cache-control': `max-age=${zone.ttl ?? 60}` });
    res.end(Buffer.from(out));
    done(200, out.length);
  };
  const url = new URL(req.url ?? '/', 'https://localhost');
  if (req.method === 'GET' || req.method === 'HEAD') {
    const dns = url.searchParams.get('dns');
    if (dns === null) return fail(400, 'a DoH GET needs ?dns= with the query in base64url (RFC 8484)');
    const msg = decodeBase64Url(dns);
    if (!msg) return fail(400, '?dns= is not base64url without padding');
    return answer(msg);
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    return fail(405, 'DoH takes GET ?dns= or POST application/dns-message');
  }
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== DNS_MESSAGE_TYPE) return fail(415, `a DoH POST has content-type ${DNS_MESSAGE_TYPE}`);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_DNS_MESSAGE) over = true;
    else chunks.push(c);
  });
  req.on('end', () => (over ? fail(413, 'a DNS message is at most 65535 bytes') : answer(new Uint8Array(Buffer.concat(chunks)))));
}
