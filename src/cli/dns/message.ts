// A DNS message codec just large enough for hush serve's DNS-over-HTTPS answers (RFC 8484): parse a
// query strictly (one question, an optional EDNS OPT record, nothing else, every length bounded),
// and build responses with A, AAAA and HTTPS (RFC 9460) answers. An adapter concern: it lives in the
// CLI, not in the TLS core. Hand-written (some 150 lines) rather than dns-packet, which is Buffer-based
// and has had no release since 2023.

export const DnsTypes = { A: 1, AAAA: 28, OPT: 41, HTTPS: 65 } as const;
export const DnsRcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const CLASS_IN = 1;

/** A query we cannot answer; `id` is known when the header parsed (so a FORMERR can be sent). */
export class DnsFormatError extends Error {
  constructor(
    message: string,
    readonly id?: number,
    readonly rcode: number = DnsRcodes.FORMERR,
  ) {
    super(message);
  }
}

export interface DnsQuery {
  readonly id: number;
  readonly recursionDesired: boolean;
  /** Lower case, no trailing dot ('' for the root). */
  readonly name: string;
  readonly type: number;
  readonly edns: boolean;
}

/** RFC 8484 §6: a DoH message is at most 65535 bytes. */
export const MAX_DNS_MESSAGE = 65535;

/** Parse a query (RFC 1035 §4.1): QR=0, OPCODE 0, QDCOUNT 1, no answers or authority, at most one OPT. */
export function parseDnsQuery(msg: Uint8Array): DnsQuery {
  if (msg.length < 12) throw new DnsFormatError('a DNS message has a 12-byte header');
  if (msg.length > MAX_DNS_MESSAGE) throw new DnsFormatError('a DNS message is at most 65535 bytes');
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const id = dv.getUint16(0);
  const flags = dv.getUint16(2);
  if (flags & 0x8000) throw new DnsFormatError('a response, not a query', id);
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) throw new DnsFormatError(`opcode ${opcode} is not a standard query`, id, DnsRcodes.NOTIMP);
  const [qd, an, ns, ar] = [dv.getUint16(4), dv.getUint16(6), dv.getUint16(8), dv.getUint16(10)];
  if (qd !== 1) throw new DnsFormatError(`a query has exactly one question, not ${qd}`, id);
  if (an !== 0 || ns !== 0) throw new DnsFormatError('a query carries no answer or authority records', id);
  if (ar > 1) throw new DnsFormatError('a query carries at most one additional record (EDNS OPT)', id);
  let off = 12;
  const labels: string[] = [];
  let nameLen = 1;
  for (;;) {
    if (off >= msg.length) throw new DnsFormatError('the question name runs past the message', id);
    const len = msg[off]!;
    off += 1;
    if (len === 0) break;
    // A query has nothing before its question to point at: compression (0xC0) and the reserved 0x40/0x80 forms are refused.
    if (len > 63) throw new DnsFormatError('a label is at most 63 bytes, with no compression in a question', id);
    if (off + len > msg.length) throw new DnsFormatError('a label runs past the message', id);
    nameLen += len + 1;
    if (nameLen > 255) throw new DnsFormatError('a name is at most 255 bytes', id); // RFC 1035 §2.3.4
    let label = '';
    for (let i = off; i < off + len; i++) {
      const c = msg[i]!;
      if (c <= 0x20 || c >= 0x7f || c === 0x2e) throw new DnsFormatError('a label has a byte hush does not answer for', id, DnsRcodes.REFUSED);
      label += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    labels.push(label);
    off += len;
  }
  if (off + 4 > msg.length) throw new DnsFormatError('the question type and class run past the message', id);
  const type = dv.getUint16(off);
  const klass = dv.getUint16(off + 2);
  off += 4;
  if (klass !== CLASS_IN) throw new DnsFormatError(`class ${klass} is not IN`, id, DnsRcodes.REFUSED);
  let edns = false;
  if (ar === 1) {
    // RFC 6891 §6.1.2: OPT has the root as its name.
    if (off + 11 > msg.length || msg[off] !== 0) throw new DnsFormatError('the additional record is not an EDNS OPT record', id);
    if (dv.getUint16(off + 1) !== DnsTypes.OPT) throw new DnsFormatError('the additional record is not an EDNS OPT record', id);
    const rdlen = dv.getUint16(off + 9);
    off += 11;
    if (off + rdlen > msg.length) throw new DnsFormatError('the OPT record runs past the message', id);
    off += rdlen;
    edns = true;
  }
  if (off !== msg.length) throw new DnsFormatError('bytes after the last record', id);
  return { id, recursionDesired: (flags & 0x0100) !== 0, name: labels.join('.'), type, edns };
}

export type DnsAnswer =
  | { readonly type: typeof DnsTypes.A | typeof DnsTypes.AAAA; readonly ttl: number; readonly address: Uint8Array }
  | { readonly type: typeof DnsTypes.HTTPS; readonly ttl: number; readonly priority: number; readonly target: string; readonly alpn: readonly string[]; readonly ech?: Uint8Array };

/** Name in wire form (no compression). '' is the root. */
export function encodeDnsName(name: string): Uint8Array {
  const parts = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const out: number[] = [];
  for (const l of parts) {
    if (l.length > 63) throw new Error(`label too long: ${l}`);
    out.push(l.length, ...new TextEncoder().encode(l));
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** HTTPS RDATA (RFC 9460 §2.2): SvcPriority, TargetName, SvcParams in increasing key order (alpn=1, ech=5). */
function httpsRdata(a: Extract<DnsAnswer, { type: 65 }>): number[] {
  const out: number[] = [a.priority >> 8, a.priority & 0xff, ...encodeDnsName(a.target)];
  const param = (key: number, value: readonly number[]): void => {
    out.push(key >> 8, key & 0xff, value.length >> 8, value.length & 0xff, ...value);
  };
  if (a.alpn.length > 0) {
    const v: number[] = [];
    for (const id of a.alpn) {
      const b = new TextEncoder().encode(id);
      v.push(b.length, ...b);
    }
    param(1, v);
  }
  if (a.ech) param(5, [...a.ech]);
  return out;
}

/** A response to `q`: the question echoed, the answers with their owner compressed to the question name. */
export function encodeDnsResponse(q: DnsQuery, rcode: number, answers: readonly DnsAnswer[] = []): Uint8Array {
  const out: number[] = [];
  const u16 = (n: number): void => void out.push((n >> 8) & 0xff, n & 0xff);
  u16(q.id);
  // QR, AA, RD copied, RA (it answers as the resolver it is configured as), RCODE.
  u16(0x8000 | 0x0400 | (q.recursionDesired ? 0x0100 : 0) | 0x0080 | (rcode & 0xf));
  u16(1);
  u16(answers.length);
  u16(0);
  u16(0);
  out.push(...encodeDnsName(q.name));
  u16(q.type);
  u16(CLASS_IN);
  for (const a of answers) {
    const rdata = a.type === DnsTypes.HTTPS ? httpsRdata(a) : [...a.address];
    out.push(0xc0, 0x0c); // pointer to the question name at offset 12
    u16(a.type);
    u16(CLASS_IN);
    u16(a.ttl >>> 16);
    u16(a.ttl & 0xffff);
    u16(rdata.length);
    out.push(...rdata);
  }
  return Uint8Array.from(out);
}

/** The header-only answer for a query that did not parse but whose id is known. */
export function encodeDnsError(id: number, rcode: number): Uint8Array {
  return Uint8Array.from([id >> 8, id & 0xff, 0x80, 0x80 | (rcode & 0xf), 0, 0, 0, 0, 0, 0, 0, 0]);
}
