// A per-connection window on an application's session store (node's 'newSession' and
// 'resumeSession' events). The store is asynchronous, the core is not: the adapter asks the store
// for the one session this ClientHello may resume *before* the connection processes it, and
// hands the answer in through get(); new sessions leave through put(), and the adapter holds the
// connection's output until the store confirms (node: "to ensure data will be sent or received").
//
// TLS 1.2: sessions by ID (RFC 5246 §7.4.1.2) go to the store instead of the built-in cache.
// TLS 1.3: put() is called once per NewSessionTicket. With `statefulTickets` the ticket *is* a
// 32-byte session ID and its state lives only in the store (RFC 8446 §4.6.1 allows either form);
// otherwise the ticket is sealed as usual and put() gets a random ID the client never sees.
import type { TicketState } from './server-tickets.js';
import type { SessionCache } from './server12-sessions.js';
import { decodeSessionState, encodeSessionState } from './session-state.js';

/** Length of the IDs the server makes: TLS 1.2 session IDs, stateful TLS 1.3 tickets. */
export const EXTERNAL_SESSION_ID_LENGTH = 32;

export interface ExternalSessions {
  /** TLS 1.3 tickets are 32-byte IDs resolved through get(), not sealed state. */
  readonly statefulTickets: boolean;
  /**
   * The serialized session (encodeSessionState) the store returned for `id`, or undefined. Only
   * the ID looked up before the ClientHello can be found; bytes that do not decode are ignored.
   */
  get(id: Uint8Array): Uint8Array | undefined;
  /** A new session: its ID and its serialized state (which holds the session's secret). */
  put(id: Uint8Array, session: Uint8Array): void;
}

/** The TLS 1.2 session cache of a connection whose sessions go through an ExternalSessions. */
export class ExternalSessionCache implements SessionCache {
  constructor(private readonly sessions: ExternalSessions) {}

  get(id: Uint8Array, now: number): TicketState | undefined {
    const bytes = this.sessions.get(id);
    const state = bytes === undefined ? undefined : decodeSessionState(bytes);
    if (!state) return undefined;
    // The store may keep sessions for as long as it likes; we do not resume them past their lifetime.
    if (now - state.issuedAt > state.lifetime * 1000 || now < state.issuedAt - 60_000) return undefined;
    return state;
  }

  set(id: Uint8Array, state: TicketState): void {
    this.sessions.put(id, encodeSessionState(state));
  }

  /** The store has no delete (nor has node's API): a failed session stays until the store evicts it. */
  delete(): void {}
}

/** The TLS 1.3 session a stateful ticket names, or undefined. */
export function openStatefulTicket(sessions: ExternalSessions, ticket: Uint8Array): TicketState | undefined {
  if (ticket.length !== EXTERNAL_SESSION_ID_LENGTH) return undefined;
  const bytes = sessions.get(ticket);
  return bytes === undefined ? undefined : decodeSessionState(bytes);
}
