// NewSessionTicket: TLS 1.3 (RFC 8446 §4.6.1) and TLS 1.2 (RFC 5077 §3.3).
import { Reader } from '../../bytes/index.js';
import { HandshakeType } from '../../wire/index.js';
import { encodeHandshake } from './handshake.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/** RFC 8446 §4.6.1: servers MUST NOT use a lifetime above 7 days; the client enforces it. */
export const MAX_TICKET_LIFETIME_SECONDS = 604800;

/**
 * `struct { uint32 ticket_lifetime; uint32 ticket_age_add; opaque ticket_nonce<0..255>;
 * opaque ticket<1..2^16-1>; Extension extensions<0..2^16-2>; }`
 */
export interface NewSessionTicket13 {
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function encodeNewSessionTicket13(msg: NewSessionTicket13): Uint8Array {
  return encodeHandshake(HandshakeType.new_session_ticket, (w) => {
    w.u32(msg.lifetime);
    w.u32(msg.ageAdd);
    w.vector(1, msg.nonce);
    w.vector(2, msg.ticket);
    writeExtensions(w, msg.extensions);
  });
}

export function decodeNewSessionTicket13(body: Uint8Array): NewSessionTicket13 {
  const r = new Reader(body, 'NewSessionTicket');
  const lifetime = r.u32('ticket_lifetime');
  const ageAdd = r.u32('ticket_age_add');
  const nonce = r.vector(1, 'ticket_nonce');
  const ticket = r.vector(2, 'ticket', 1);
  const extensions = readExtensions(r);
  r.expectEnd();
  return { lifetime, ageAdd, nonce, ticket, extensions };
}

/** RFC 5077 §3.3: `struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; }` */
export interface NewSessionTicket12 {
  readonly lifetimeHint: number;
  readonly ticket: Uint8Array;
}

export function encodeNewSessionTicket12(msg: NewSessionTicket12): Uint8Array {
  return encodeHandshake(HandshakeType.new_session_ticket, (w) => {
    w.u32(msg.lifetimeHint);
    w.vector(2, msg.ticket);
  });
}

export function decodeNewSessionTicket12(body: Uint8Array): NewSessionTicket12 {
  const r = new Reader(body, 'NewSessionTicket');
  const lifetimeHint = r.u32('ticket_lifetime_hint');
  const ticket = r.vector(2, 'ticket');
  r.expectEnd();
  return { lifetimeHint, ticket };
}
