// RFC 9849 §6.2: a GREASE encrypted_client_hello must not make the ClientHello stand out from one
// with real ECH. For the same configuration, a GREASE hello has the extensions of a real
// ClientHelloOuter in the same order and of the same lengths, and a payload as long as the real
// one (an EncodedClientHelloInner compressed and padded as §5.1 / §6.1.3 say, plus the AEAD tag);
// only server_name differs (the real name vs the config's public_name).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClientConnection } from '../../../src/connection/client.js';
import type { ClientConfig } from '../../../src/handshake/config.js';
import { decodeEchClientHello, type EchClientHelloOuter } from '../../../src/handshake/ech/ech-extensions.js';
import { decodeClientHello } from '../../../src/handshake/messages/client-hello.js';
import { ExtensionType } from '../../../src/wire/enums.js';
import { clientConfig, concatChunks, connect } from '../../connection/helpers.js';
import { makeEchKey } from './keys.js';

interface Shape {
  readonly total: number;
  readonly payload: number;
  /** Extension types and body lengths, in order (server_name's length apart). */
  readonly extensions: string;
  readonly sni: number;
}

function firstHello(config: ClientConfig): Shape {
  // The handshake bytes of the first records (a large hello spans several).
  const all = concatChunks(new ClientConnection(config).takeOutput());
  const parts: Uint8Array[] = [];
  for (let o = 0; o < all.length && all[o] === 22; o += 5 + ((all[o + 3]! << 8) | all[o + 4]!)) parts.push(all.subarray(o + 5, o + 5 + ((all[o + 3]! << 8) | all[o + 4]!)));
  const hs = concatChunks(parts);
  const m = hs.subarray(0, 4 + ((hs[1]! << 16) | (hs[2]! << 8) | hs[3]!));
  const ch = decodeClientHello(m.subarray(4), m);
  const ech = ch.extensions.find((e) => e.type === ExtensionType.encrypted_client_hello);
  assert.ok(ech, 'encrypted_client_hello');
  const e = decodeEchClientHello(ech.data) as EchClientHelloOuter;
  assert.equal(e.type, 0);
  return {
    total: m.length,
    payload: e.payload.length,
    extensions: ch.extensions.map((x) => (x.type === ExtensionType.server_name ? 'sni' : `${x.type}:${x.data.length}`)).join(' '),
    sni: ch.extensions.find((x) => x.type === ExtensionType.server_name)!.data.length,
  };
}

/** A valid public_name of exactly n characters (n ≥ 4). */
const nameOfLength = (n: number): string => `${'p'.repeat(n - 3)}.io`;

function ticket() {
  const p = connect({ rejectUnauthorized: false, echGrease: false }, { ticketKeys: [new Uint8Array(32).fill(7)] });
  const t = p.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : [])).at(-1);
  assert.ok(t, 'a ticket to resume');
  return t;
}

describe('a GREASE ClientHello is shaped like one with real ECH (RFC 9849 §6.2)', () => {
  const configs: Record<string, Partial<ClientConfig>> = {
    default: {},
    'ALPN h2 + http/1.1': { alpnProtocols: ['h2', 'http/1.1'] },
    'a short server name': { serverName: 'a.io' },
    'a long server name': { serverName: 'a-rather-long-server-name.subdomain.example.com' },
    'a session to resume': { session: ticket() },
    'minVersion TLSv1.3': { minVersion: 'TLSv1.3' },
  };
  // A public_name of a typical length, and maximum_name_length 0 (what `hush ech keys` publishes).
  const typical = makeEchKey(3, 'public.example');
  for (const [name, over] of Object.entries(configs)) {
    test(name, () => {
      const serverName = over.serverName ?? 'localhost';
      const greases = [0, 1, 2, 3].map(() => firstHello(clientConfig(over)));
      // The payload length is computed, not drawn: every GREASE hello of a config has the same shape.
      for (const g of greases.slice(1)) assert.deepEqual(g, greases[0]);
      const grease = greases[0]!;
      // Real ECH whose public_name is as long as the server name: the very same lengths.
      const same = firstHello(clientConfig({ ...over, echConfigList: makeEchKey(1, nameOfLength(serverName.length)).list }));
      assert.deepEqual(grease, same);
      // A public_name of another length: the payload and the other extensions are the same; the
      // hello differs by exactly the names' difference.
      const other = firstHello(clientConfig({ ...over, echConfigList: typical.list }));
      assert.equal(other.payload, grease.payload);
      assert.equal(other.extensions, grease.extensions);
      assert.equal(other.total - grease.total, typical.publicName.length - serverName.length);
      // Resuming: both carry pre_shared_key, last (real ECH: a GREASE one, §6.1.2).
      if (over.session) assert.match(grease.extensions, / 65037:\d+ 41:\d+$/);
      else assert.match(grease.extensions, / 65037:\d+$/);
    });
  }

  test('the payload grows with what ClientHelloInner would carry (a long name, a ticket), in steps of 32', () => {
    const payload = (over: Partial<ClientConfig>) => firstHello(clientConfig(over)).payload;
    const base = payload({});
    assert.equal((base - 16) % 32, 0);
    assert.ok(payload({ serverName: 'a-rather-long-server-name.subdomain.example.com' }) > base);
    assert.ok(payload({ session: ticket() }) > base);
  });

  test('sized after hush\'s own hello: the customizeHello* hooks run once, on the wire hello; a huge ticket still leaves a hello that fits', () => {
    let calls = 0;
    const hooked = firstHello(clientConfig({ customizeHelloExtensions: (e) => (calls++, [...e]), customizeHelloCipherSuites: (s) => (calls++, [...s]) }));
    assert.equal(calls, 2);
    assert.equal(hooked.payload, firstHello(clientConfig({})).payload);
    // A 40 000-byte ticket: a real ECH payload for it would not fit next to the outer PSK; the
    // GREASE payload is capped so that the extensions block stays within 2^16-1 bytes.
    const t = ticket();
    const huge = firstHello(clientConfig({ session: { ...t, ticket: new Uint8Array(40000).fill(1) } }));
    assert.ok(huge.payload > 0 && huge.payload < 65535 - 40000, `payload ${huge.payload}`);
    assert.match(huge.extensions, / 41:4\d{4}$/);
  });
});
