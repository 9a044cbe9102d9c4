// The core's ExternalSessions (node's 'newSession'/'resumeSession' below the adapter): TLS 1.2
// sessions by ID and TLS 1.3 tickets (stateful or sealed) through a per-connection store, bad
// data from the store → full handshake, and nothing changes without a store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientConnection } from '../../src/connection/client.js';
import { ServerConnection } from '../../src/connection/server.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import type { ExternalSessions } from '../../src/handshake/session/external-sessions.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { toHex } from '../../src/bytes/util.js';
import { clientConfig, provider, pump, serverConfig } from './helpers.js';

class MapStore implements ExternalSessions {
  readonly map = new Map<string, Uint8Array>();
  readonly puts: Uint8Array[] = [];
  readonly gets: Uint8Array[] = [];
  corrupt = false;
  constructor(readonly statefulTickets: boolean) {}
  get(id: Uint8Array): Uint8Array | undefined {
    this.gets.push(id);
    const v = this.map.get(toHex(id));
    return v && this.corrupt ? v.subarray(0, v.length - 1) : v;
  }
  put(id: Uint8Array, session: Uint8Array): void {
    this.puts.push(id);
    this.map.set(toHex(id), session);
  }
}

function run(server: ServerConfig, client: Partial<ClientConfig>, store?: ExternalSessions) {
  const c = new ClientConnection(clientConfig(client));
  const s = new ServerConnection(server, undefined, store ? { sessions: store } : {});
  const ev = { a: [] as ConnectionEvent[], b: [] as ConnectionEvent[] };
  pump(c, s, ev);
  assert.equal(s.error, undefined, s.error?.message);
  assert.equal(s.state, 'established');
  const tickets = ev.a.flatMap((e) => (e.type === 'session' ? [e.ticket] : [])) as SessionTicket[];
  return { resumed: s.handshakeInfo!.resumed, tickets };
}

test('TLS 1.3 stateful tickets: each ticket is a 32-byte ID put into the store, and resumes through it', () => {
  const cfg = serverConfig(); // no ticketKeys: no sealed tickets
  assert.equal(run(cfg, {}).tickets.length, 0, 'without a store: no tickets (as before)');
  const store = new MapStore(true);
  const first = run(cfg, {}, store);
  assert.equal(first.tickets.length, 2);
  assert.deepEqual(first.tickets.map((t) => toHex(t.ticket)), store.puts.map(toHex));
  assert.ok(first.tickets.every((t) => t.ticket.length === 32));
  assert.equal(run(cfg, { session: first.tickets[0]! }, store).resumed, true);
  // Without the store (another connection, another process): a full handshake.
  assert.equal(run(cfg, { session: first.tickets[1]! }).resumed, false);
  // Data the store mangled: a full handshake, not a failure.
  store.corrupt = true;
  assert.equal(run(cfg, { session: first.tickets[1]! }, store).resumed, false);
});

test('TLS 1.3 sealed tickets with a store: one put per ticket (a random ID), resumption by the ticket alone', () => {
  const cfg = serverConfig({ ticketKeys: [provider.randomBytes(32)] });
  const store = new MapStore(false);
  const first = run(cfg, {}, store);
  assert.equal(first.tickets.length, 2);
  assert.equal(store.puts.length, 2);
  assert.ok(store.puts.every((id) => id.length === 32));
  assert.ok(first.tickets.every((t) => t.ticket.length > 32), 'sealed tickets');
  const gets = store.gets.length;
  assert.equal(run(cfg, { session: first.tickets[0]! }, new MapStore(false)).resumed, true);
  assert.equal(store.gets.length, gets);
});

test('TLS 1.2 sessions by ID go through the store instead of the config cache', () => {
  const cfg = serverConfig({ maxVersion: 'TLSv1.2' });
  const store = new MapStore(false);
  const first = run(cfg, { maxVersion: 'TLSv1.2' }, store);
  assert.equal(store.puts.length, 1);
  assert.equal(store.puts[0]!.length, 32);
  const session = first.tickets.at(-1)!;
  assert.equal(run(cfg, { maxVersion: 'TLSv1.2', session }, store).resumed, true);
  assert.equal(toHex(store.gets.at(-1)!), toHex(store.puts[0]!));
  // The config's own cache never saw it.
  assert.equal(run(cfg, { maxVersion: 'TLSv1.2', session }).resumed, false);
  store.corrupt = true;
  assert.equal(run(cfg, { maxVersion: 'TLSv1.2', session }, store).resumed, false, 'bad data: full handshake');
  // Without a store the config's cache works as before.
  const own = run(cfg, { maxVersion: 'TLSv1.2' });
  assert.equal(run(cfg, { maxVersion: 'TLSv1.2', session: own.tickets.at(-1)! }).resumed, true);
});
