// The serialized form of a resumable session (TicketState): sealed inside our tickets, and handed
// as-is to an application's external session store (node's 'newSession'/'resumeSession').
// Strictly bounded decoding: anything malformed is undefined (the session is then not resumed).
import { Reader, Writer } from '../../bytes/index.js';
import { fromUtf8, utf8 } from '../../bytes/util.js';

const STATE_FORMAT = 2;

/** What a ticket remembers about the session it resumes. */
export interface TicketState {
  /** The version of the session (absent: TLSv1.3). A server resumes only its own version's. */
  readonly version?: 'TLSv1.3' | 'TLSv1.2';
  readonly cipherSuite: number;
  /** The resumption PSK (TLS 1.3, RFC 8446 §4.6.1) or the 48-byte master secret (TLS 1.2). Secret. */
  readonly psk: Uint8Array;
  /** ms since the epoch. */
  readonly issuedAt: number;
  /** Seconds. */
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** The client's certificates (DER) when it authenticated. */
  readonly clientCertificates: readonly Uint8Array[];
  /** Whether those certificates were verified. */
  readonly clientAuthorized: boolean;
  /** TLS 1.2: the session used the extended master secret (RFC 7627). */
  readonly extendedMasterSecret?: boolean;
}

/** format | version | ems | suite | issued (u64) | lifetime | age_add | psk | alpn | server_name | authorized | certificates. */
export function encodeSessionState(state: TicketState): Uint8Array {
  const w = new Writer(256);
  w.u8(STATE_FORMAT);
  w.u8(state.version === 'TLSv1.2' ? 2 : 3);
  w.u8(state.extendedMasterSecret ? 1 : 0);
  w.u16(state.cipherSuite);
  w.u32(Math.floor(state.issuedAt / 2 ** 32));
  w.u32(state.issuedAt >>> 0);
  w.u32(state.lifetime);
  w.u32(state.ageAdd);
  w.vector(1, state.psk);
  w.vector(1, utf8(state.alpn ?? ''));
  w.vector(2, utf8(state.serverName ?? ''));
  w.u8(state.clientAuthorized ? 1 : 0);
  w.vector(3, (w2) => {
    for (const c of state.clientCertificates) w2.vector(3, c);
  });
  return w.finish();
}

/** The session, or undefined for bytes that are not one (wrong format, truncated, trailing data). */
export function decodeSessionState(bytes: Uint8Array): TicketState | undefined {
  try {
    const r = new Reader(bytes, 'session');
    if (r.u8('format') !== STATE_FORMAT) return undefined;
    const version = r.u8('version');
    if (version !== 2 && version !== 3) return undefined;
    const ems = r.u8('ems');
    const cipherSuite = r.u16('suite');
    const hi = r.u32('issued_hi');
    const lo = r.u32('issued_lo');
    const lifetime = r.u32('lifetime');
    const ageAdd = r.u32('age_add');
    const psk = r.vector(1, 'psk', 32);
    const alpn = fromUtf8(r.vector(1, 'alpn'));
    const serverName = fromUtf8(r.vector(2, 'server_name'));
    const clientAuthorized = r.u8('authorized') === 1;
    const certs = r.sub(3, 'certificates');
    r.expectEnd();
    const clientCertificates: Uint8Array[] = [];
    while (!certs.atEnd) clientCertificates.push(certs.vector(3, 'certificate', 1).slice());
    return {
      version: version === 2 ? 'TLSv1.2' : 'TLSv1.3',
      extendedMasterSecret: ems === 1,
      cipherSuite,
      psk: psk.slice(),
      issuedAt: hi * 2 ** 32 + lo,
      lifetime,
      ageAdd,
      alpn: alpn === '' ? undefined : alpn,
      serverName: serverName === '' ? undefined : serverName,
      clientCertificates,
      clientAuthorized,
    };
  } catch {
    return undefined;
  }
}
