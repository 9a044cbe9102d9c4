// A "null cipher" TlsConnection for adapter tests: records are [type u8][length u32][payload],
// nothing is encrypted. It follows the TlsConnection contract (events, output, failure, close)
// so the node adapter's backpressure, events and lifecycle can be proven without the real core.
import type { ConnectionState, TlsConnection } from '../../src/connection/api.js';
import type { HandshakeInfo, SessionTicket } from '../../src/handshake/events.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { TlsError, UsageError } from '../../src/errors/errors.js';

const T = { hello: 1, serverHello: 2, finished: 3, data: 4, closeNotify: 5, alert: 6, ticket: 7, keyUpdate: 8 } as const;
const MAX_RECORD = 16384;

export interface FakeOptions {
  /** Server: never answer the hello (to test handshake timeouts). */
  silent?: boolean;
  /** Server: tickets sent after the handshake. */
  tickets?: number;
  alpn?: string;
  serverName?: string;
  /** Server: application data containing this string fails the connection with bad_record_mac. */
  failOn?: string;
  keyLog?: boolean;
  /** Count of bytes handed to write() so far and currently held, for tests. */
  stats?: { maxHeld: number };
}

function frame(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, 5);
  return out;
}

export class FakeConnection implements TlsConnection {
  readonly side: 'client' | 'server';
  state: ConnectionState = 'handshaking';
  handshakeInfo: HandshakeInfo | undefined;
  error: TlsError | undefined;
  peerClosed = false;
  /** Every event type produced, in order (for assertions). */
  readonly log: string[] = [];
  #out: Uint8Array[] = [];
  #events: ConnectionEvent[] = [];
  #in = new Uint8Array(0);
  #held: Uint8Array[] = [];
  #closed = false;
  #opts: FakeOptions;
  #serverName: string | undefined;

  constructor(side: 'client' | 'server', opts: FakeOptions = {}) {
    this.side = side;
    this.#opts = opts;
    if (side === 'client') this.#out.push(frame(T.hello, new TextEncoder().encode(opts.serverName ?? '')));
  }

  get wantsWrite(): boolean {
    return this.#out.length > 0;
  }

  takeOutput(): Uint8Array[] {
    const o = this.#out;
    this.#out = [];
    return o;
  }

  takeEvents(): ConnectionEvent[] {
    const e = this.#events;
    this.#events = [];
    return e;
  }

  #event(e: ConnectionEvent): void {
    this.log.push(e.type);
    this.#events.push(e);
  }

  #failLocal(err: TlsError): TlsError {
    this.state = 'failed';
    this.error = err;
    this.#out.push(frame(T.alert, new Uint8Array([err.alert])));
    this.#event({ type: 'error', error: err });
    return err;
  }

  receive(data: Uint8Array): TlsError | undefined {
    if (this.error) return this.error;
    const buf = new Uint8Array(this.#in.length + data.length);
    buf.set(this.#in);
    buf.set(data, this.#in.length);
    let off = 0;
    while (buf.length - off >= 5) {
      const len = new DataView(buf.buffer, buf.byteOffset + off + 1, 4).getUint32(0);
      if (len > MAX_RECORD + 256) return this.#failLocal(new TlsError('record_overflow', 'fake record too long'));
      if (buf.length - off < 5 + len) break;
      const type = buf[off]!;
      const payload = buf.slice(off + 5, off + 5 + len);
      off += 5 + len;
      const err = this.#record(type, payload);
      if (err) return err;
    }
    this.#in = buf.slice(off);
    return undefined;
  }

  #info(): HandshakeInfo {
    return {
      version: 'TLSv1.3',
      cipherSuite: 0x1301,
      cipherName: 'TLS_AES_128_GCM_SHA256',
      group: 0x001d,
      groupName: 'x25519',
      signatureScheme: 0x0403,
      signatureSchemeName: 'ecdsa_secp256r1_sha256',
      alpn: this.#opts.alpn,
      serverName: this.#serverName,
      resumed: false,
      peerCertificates: [],
      authorized: true,
      authorizationError: undefined,
      verifiedChain: [],
      finished: { local: new Uint8Array(32).fill(this.side === 'client' ? 1 : 2), peer: new Uint8Array(32).fill(this.side === 'client' ? 2 : 1) },
    };
  }

  #established(): void {
    this.state = 'established';
    this.handshakeInfo = this.#info();
    if (this.#opts.keyLog) this.#event({ type: 'keylog', line: `CLIENT_TRAFFIC_SECRET_0 00 ${this.side}` });
    this.#event({ type: 'handshake', info: this.handshakeInfo });
    const held = this.#held;
    this.#held = [];
    for (const h of held) this.#seal(h);
  }

  #record(type: number, payload: Uint8Array): TlsError | undefined {
    switch (type) {
      case T.hello:
        if (this.side !== 'server' || this.state !== 'handshaking') break;
        this.#serverName = new TextDecoder().decode(payload) || undefined;
        if (!this.#opts.silent) this.#out.push(frame(T.serverHello));
        return undefined;
      case T.serverHello:
        if (this.side !== 'client' || this.state !== 'handshaking') break;
        this.#serverName = this.#opts.serverName;
        this.#out.push(frame(T.finished));
        this.#established();
        return undefined;
      case T.finished:
        if (this.side !== 'server' || this.state !== 'handshaking') break;
        this.#established();
        for (let i = 0; i < (this.#opts.tickets ?? 0); i++) this.#out.push(frame(T.ticket, new Uint8Array([i])));
        return undefined;
      case T.ticket: {
        if (this.side !== 'client' || this.state !== 'established') break;
        const ticket: SessionTicket = {
          version: 'TLSv1.3', serverName: this.#opts.serverName, cipherSuite: 0x1301, ticket: payload,
          secret: new Uint8Array(32).fill(7), receivedAt: 1_700_000_000_000, lifetime: 7200, ageAdd: 12345,
          maxEarlyData: 0, alpn: this.#opts.alpn, peerCertificates: [],
        };
        this.#event({ type: 'session', ticket });
        return undefined;
      }
      case T.data: {
        if (this.state !== 'established' || this.peerClosed) break;
        if (this.#opts.failOn && new TextDecoder().decode(payload).includes(this.#opts.failOn)) {
          return this.#failLocal(new TlsError('bad_record_mac', 'fake: record failed authentication'));
        }
        this.#event({ type: 'data', data: payload });
        return undefined;
      }
      case T.closeNotify:
        this.peerClosed = true;
        if (this.#closed) this.state = 'closed';
        this.#event({ type: 'closed' });
        return undefined;
      case T.alert: {
        const err = new TlsError(payload[0] ?? 80, `fake: peer sent alert ${payload[0]}`, { remote: true });
        this.state = 'failed';
        this.error = err;
        this.#event({ type: 'error', error: err });
        return err;
      }
      case T.keyUpdate:
        this.#event({ type: 'keyUpdate', direction: 'received' });
        return undefined;
    }
    return this.#failLocal(new TlsError('unexpected_message', `fake: record type ${type} not expected in state ${this.state}`));
  }

  #seal(data: Uint8Array): void {
    for (let i = 0; i < data.length; i += MAX_RECORD) this.#out.push(frame(T.data, data.slice(i, i + MAX_RECORD)));
  }

  write(data: Uint8Array): void {
    if (this.#closed || this.state === 'failed' || this.state === 'closed') throw new UsageError('write after close');
    if (this.state === 'handshaking') {
      this.#held.push(data.slice());
      const held = this.#held.reduce((n, h) => n + h.length, 0);
      if (this.#opts.stats) this.#opts.stats.maxHeld = Math.max(this.#opts.stats.maxHeld, held);
      return;
    }
    this.#seal(data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.push(frame(T.closeNotify));
    if (this.peerClosed) this.state = 'closed';
  }

  setMaxSendFragment(): void {}

  updateKeys(): void {
    this.#out.push(frame(T.keyUpdate));
    this.#event({ type: 'keyUpdate', direction: 'sent' });
  }

  exportKeyingMaterial(length: number, label: string): Uint8Array {
    if (this.state !== 'established') throw new UsageError('exporter before the handshake');
    return new Uint8Array(length).fill(label.length);
  }
}
