// SessionTicket ↔ Buffer, so a session from a 'session' event can be stored and passed back to
// connect({ session }) like node:tls does with its opaque session Buffers.
// The format is versioned JSON (binary fields in base64). It holds a secret (the resumption
// PSK): store it like a password.
import type { SessionTicket } from '../handshake/events.js';
import { UsageError } from '../errors/errors.js';

const MAGIC = 'hush-session';
const VERSION = 1;

interface Encoded {
  f: typeof MAGIC;
  v: typeof VERSION;
  version: 'TLSv1.3' | 'TLSv1.2';
  serverName: string | null;
  cipherSuite: number;
  ticket: string;
  secret: string;
  receivedAt: number;
  lifetime: number;
  ageAdd: number;
  maxEarlyData: number;
  alpn: string | null;
  peerCertificates: string[];
  sessionId?: string;
  extendedMasterSecret?: boolean;
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Serialise a session ticket (from a connection's 'session' event). */
export function encodeSession(t: SessionTicket): Buffer {
  const e: Encoded = {
    f: MAGIC,
    v: VERSION,
    version: t.version,
    serverName: t.serverName ?? null,
    cipherSuite: t.cipherSuite,
    ticket: b64(t.ticket),
    secret: b64(t.secret),
    receivedAt: t.receivedAt,
    lifetime: t.lifetime,
    ageAdd: t.ageAdd,
    maxEarlyData: t.maxEarlyData,
    alpn: t.alpn ?? null,
    peerCertificates: t.peerCertificates.map(b64),
  };
  if (t.sessionId !== undefined) e.sessionId = b64(t.sessionId);
  if (t.extendedMasterSecret !== undefined) e.extendedMasterSecret = t.extendedMasterSecret;
  return Buffer.from(JSON.stringify(e), 'utf8');
}

function bad(why: string): never {
  throw new UsageError(`the session is not one hush produced (${why}); pass the Buffer from a 'session' event`);
}

function bytes(v: unknown, field: string): Uint8Array {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) bad(`${field} is not base64`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

function int(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) bad(`${field} is not an integer in range`);
  return v;
}

/** Parse a Buffer from encodeSession. Throws UsageError for anything else (e.g. a node:tls session). */
export function decodeSession(buf: Uint8Array): SessionTicket {
  let e: Partial<Encoded>;
  try {
    e = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8')) as Partial<Encoded>;
  } catch {
    bad('not JSON');
  }
  if (typeof e !== 'object' || e === null || e.f !== MAGIC) bad('no hush marker');
  if (e.v !== VERSION) bad(`format version ${String(e.v)}`);
  if (e.version !== 'TLSv1.3' && e.version !== 'TLSv1.2') bad('unknown TLS version');
  if (e.serverName !== null && typeof e.serverName !== 'string') bad('serverName');
  if (e.alpn !== null && typeof e.alpn !== 'string') bad('alpn');
  if (!Array.isArray(e.peerCertificates)) bad('peerCertificates');
  const t: SessionTicket = {
    version: e.version,
    serverName: e.serverName ?? undefined,
    cipherSuite: int(e.cipherSuite, 'cipherSuite', 0xffff),
    ticket: bytes(e.ticket, 'ticket'),
    secret: bytes(e.secret, 'secret'),
    receivedAt: int(e.receivedAt, 'receivedAt'),
    lifetime: int(e.lifetime, 'lifetime', 0xffffffff),
    ageAdd: int(e.ageAdd, 'ageAdd', 0xffffffff),
    maxEarlyData: int(e.maxEarlyData, 'maxEarlyData', 0xffffffff),
    alpn: e.alpn ?? undefined,
    peerCertificates: e.peerCertificates.map((c, i) => bytes(c, `peerCertificates[${i}]`)),
    ...(e.sessionId !== undefined ? { sessionId: bytes(e.sessionId, 'sessionId') } : {}),
    ...(e.extendedMasterSecret !== undefined ? { extendedMasterSecret: e.extendedMasterSecret === true } : {}),
  };
  return t;
}
