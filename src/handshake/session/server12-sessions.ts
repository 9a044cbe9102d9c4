// The TLS 1.2 server's session cache, for resumption by session ID (RFC 5246 §7.3, §7.4.1.2).
// A session is the same TicketState a TLS 1.2 ticket seals (version 'TLSv1.2', the master secret
// in `psk`). The cache has no clock: the handshake passes `now` and refuses expired entries.
import { toHex } from '../../bytes/util.js';
import type { TicketState } from './server-tickets.js';

/** Where a server keeps TLS 1.2 sessions by ID. Implementations must be bounded. */
export interface SessionCache {
  /** The session stored under `id`, or undefined (unknown or expired at `now`, ms since the epoch). */
  get(id: Uint8Array, now: number): TicketState | undefined;
  /** Store `state` under `id` (32 random bytes chosen by the server). */
  set(id: Uint8Array, state: TicketState, now: number): void;
  /** Forget `id` (a session that failed, RFC 5246 §7.2.2). */
  delete(id: Uint8Array): void;
}

export const DEFAULT_SESSION_CACHE_SIZE = 10_000;

/** A bounded LRU in memory: the least recently used session goes first when full. */
export class MemorySessionCache implements SessionCache {
  private readonly sessions = new Map<string, TicketState>();

  constructor(private readonly maxSessions = DEFAULT_SESSION_CACHE_SIZE) {
    if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new RangeError('maxSessions must be a positive integer');
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: Uint8Array, now: number): TicketState | undefined {
    const key = toHex(id);
    const state = this.sessions.get(key);
    if (!state) return undefined;
    this.sessions.delete(key);
    if (expired(state, now)) return undefined;
    this.sessions.set(key, state); // most recently used last
    return state;
  }

  set(id: Uint8Array, state: TicketState, now: number): void {
    const key = toHex(id);
    this.sessions.delete(key);
    // Drop the oldest entry (Map order is insertion order) until there is room; expired ones go
    // first because they are older.
    let guard = this.sessions.size;
    for (const [k, s] of this.sessions) {
      if (this.sessions.size < this.maxSessions && !expired(s, now)) break;
      this.sessions.delete(k);
      if (--guard < 0) break;
    }
    this.sessions.set(key, state);
  }

  delete(id: Uint8Array): void {
    this.sessions.delete(toHex(id));
  }
}

function expired(s: TicketState, now: number): boolean {
  return now - s.issuedAt > s.lifetime * 1000 || now < s.issuedAt - 60_000;
}
