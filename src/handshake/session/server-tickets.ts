// Server-side secrets that travel through the client: TLS 1.3 session tickets (RFC 8446 §4.6.1),
// TLS 1.2 session tickets (RFC 5077, sealed with the same keys) and the stateless HelloRetryRequest cookie (RFC 8446 §4.2.2). Both are opaque to the client, so
// their format is ours: tickets are AEAD-sealed (AES-256-GCM) with a key derived from the
// application's ticket keys, cookies are authenticated with HMAC-SHA256.
import { UsageError } from '../../errors/errors.js';
import { Reader, Writer } from '../../bytes/index.js';
import { constantTimeEqual, toHex, utf8 } from '../../bytes/util.js';
import { decodeSessionState, encodeSessionState, type TicketState } from './session-state.js';
import type { Aead, CryptoProvider } from '../../crypto/provider.js';

const KEY_ID_LENGTH = 4;
const NONCE_LENGTH = 12;
const MIN_TICKET_KEY_LENGTH = 16;
/** Upper bound of remembered single-use tickets per ticket key set (the rest fail closed). */
export const MAX_USED_TICKETS = 65536;

export type { TicketState } from './session-state.js';

interface TicketKey {
  readonly id: Uint8Array;
  readonly aead: Aead;
}

/** Seals tickets with the first key and opens them with any (rotation). */
export class TicketSealer {
  private readonly keys: TicketKey[];

  constructor(private readonly provider: CryptoProvider, secrets: readonly Uint8Array[]) {
    this.keys = secrets.map((secret, i) => {
      if (!(secret instanceof Uint8Array) || secret.length < MIN_TICKET_KEY_LENGTH) {
        throw new UsageError(`ticketKeys[${i}] must be a Uint8Array of at least ${MIN_TICKET_KEY_LENGTH} random bytes`);
      }
      const prk = provider.hkdfExtract('sha256', utf8('hush session ticket key'), secret);
      return {
        id: provider.hkdfExpand('sha256', prk, utf8('key id'), KEY_ID_LENGTH),
        aead: provider.aead('aes-256-gcm', provider.hkdfExpand('sha256', prk, utf8('aes-256-gcm key'), 32)),
      };
    });
    if (this.keys.length === 0) throw new UsageError('ticketKeys is empty');
  }

  /** ticket = key id (4) || nonce (12) || AES-256-GCM(encodeSessionState(state)), the key id as associated data. */
  seal(state: TicketState): Uint8Array {
    const key = this.keys[0]!;
    const nonce = this.provider.randomBytes(NONCE_LENGTH);
    const sealed = key.aead.seal(nonce, key.id, encodeSessionState(state));
    const out = new Uint8Array(KEY_ID_LENGTH + NONCE_LENGTH + sealed.length);
    out.set(key.id, 0);
    out.set(nonce, KEY_ID_LENGTH);
    out.set(sealed, KEY_ID_LENGTH + NONCE_LENGTH);
    return out;
  }

  /** The state, or undefined for a ticket we cannot open (unknown key, tampered, malformed). */
  open(ticket: Uint8Array): { state: TicketState; id: string } | undefined {
    if (ticket.length < KEY_ID_LENGTH + NONCE_LENGTH + 16) return undefined;
    const id = ticket.subarray(0, KEY_ID_LENGTH);
    const key = this.keys.find((k) => constantTimeEqual(k.id, id));
    if (!key) return undefined;
    const nonce = ticket.subarray(KEY_ID_LENGTH, KEY_ID_LENGTH + NONCE_LENGTH);
    const plain = key.aead.open(nonce, key.id, ticket.subarray(KEY_ID_LENGTH + NONCE_LENGTH));
    if (plain === null) return undefined;
    const state = decodeSessionState(plain);
    return state ? { id: toHex(nonce), state } : undefined;
  }
}

/**
 * Tickets already resumed, for `singleUseTickets` (RFC 8446 §8.1 style anti-replay, per process).
 * Bounded: expired entries are purged when full; if it is still full, `claim` refuses (the client
 * then gets a full handshake), so the bound never lets a ticket be used twice.
 */
export class UsedTickets {
  private readonly used = new Map<string, number>();
  constructor(private readonly max = MAX_USED_TICKETS) {}

  get size(): number {
    return this.used.size;
  }

  /** Record `id` as used until `expiresAt`; false when it was used already (or the set is full). */
  claim(id: string, expiresAt: number, now: number): boolean {
    if (this.used.has(id)) return false;
    if (this.used.size >= this.max) {
      for (const [k, exp] of this.used) if (exp <= now) this.used.delete(k);
      if (this.used.size >= this.max) return false;
    }
    this.used.set(id, expiresAt);
    return true;
  }
}

// ---------------------------------------------------------------- HelloRetryRequest cookie

const COOKIE_FORMAT = 1;
const COOKIE_TAG_LENGTH = 32;

export interface CookieState {
  readonly cipherSuite: number;
  readonly group: number;
  /** ms since the epoch. */
  readonly issuedAt: number;
  /** Hash(ClientHello1), for the message_hash that replaces it in the transcript (RFC 8446 §4.4.1). */
  readonly clientHello1Hash: Uint8Array;
}

/** cookie = format | suite | group | issued (u64) | Hash(ClientHello1) | HMAC-SHA256(key, all before). */
export function sealCookie(provider: CryptoProvider, key: Uint8Array, state: CookieState): Uint8Array {
  const w = new Writer(128);
  w.u8(COOKIE_FORMAT);
  w.u16(state.cipherSuite);
  w.u16(state.group);
  w.u32(Math.floor(state.issuedAt / 2 ** 32));
  w.u32(state.issuedAt >>> 0);
  w.vector(1, state.clientHello1Hash);
  const body = w.finish();
  const tag = provider.hmac('sha256', key, body);
  const out = new Uint8Array(body.length + tag.length);
  out.set(body, 0);
  out.set(tag, body.length);
  return out;
}

/** The cookie's state when its tag checks out (constant time), else undefined. */
export function openCookie(provider: CryptoProvider, key: Uint8Array, cookie: Uint8Array): CookieState | undefined {
  if (cookie.length <= COOKIE_TAG_LENGTH) return undefined;
  const body = cookie.subarray(0, cookie.length - COOKIE_TAG_LENGTH);
  const tag = cookie.subarray(cookie.length - COOKIE_TAG_LENGTH);
  if (!constantTimeEqual(provider.hmac('sha256', key, body), tag)) return undefined;
  try {
    const r = new Reader(body, 'cookie');
    if (r.u8('format') !== COOKIE_FORMAT) return undefined;
    const cipherSuite = r.u16('suite');
    const group = r.u16('group');
    const hi = r.u32('issued_hi');
    const lo = r.u32('issued_lo');
    const clientHello1Hash = r.vector(1, 'hash', 32).slice();
    r.expectEnd();
    return { cipherSuite, group, issuedAt: hi * 2 ** 32 + lo, clientHello1Hash };
  } catch {
    return undefined;
  }
}
