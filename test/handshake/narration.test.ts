// Golden narration: the --trace and --trace-json lines of a set of in-memory handshakes (TLS 1.3
// and 1.2, HRR, resumption, client auth, RSA key transport, failures) must stay exactly as in
// narration.golden.txt. The file was recorded before the narration moved to handshake/narration.ts,
// so its git history proves the move changed no word. Regenerate (only on purpose) with
// HUSH_UPDATE_GOLDEN=1 node scripts/test.mjs handshake/narration
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CipherSuite, NamedGroup, SignatureScheme } from '../../src/wire/enums.js';
import { MemorySessionCache } from '../../src/handshake/session/server12-sessions.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import type { ConnectionEvent } from '../../src/connection/events.js';
import { TracePrinter } from '../../src/cli/trace-printer.js';
import { connect, pki } from '../connection/helpers.js';

const GOLDEN = fileURLToPath(new URL('./narration.golden.txt', import.meta.url));
const ticketKeys = [new Uint8Array(32).fill(7)];
const cookieKey = new Uint8Array(32).fill(9);

function render(side: string, events: readonly ConnectionEvent[]): string[] {
  const lines: string[] = [];
  const text = new TracePrinter('text', (l) => lines.push(l), `${side} `);
  const json = new TracePrinter('json', (l) => lines.push(`${side} ${l}`));
  for (const e of events) if (e.type === 'trace') text.event(e.trace);
  for (const e of events) if (e.type === 'trace') json.event(e.trace);
  json.finish();
  return lines;
}

function run(name: string, client: Partial<ClientConfig>, server: Partial<ServerConfig>): { lines: string[]; sessions: SessionTicket[] } {
  const p = connect({ trace: true, ...client }, { trace: true, ...server });
  const sessions = p.clientEvents.flatMap((e) => (e.type === 'session' ? [e.ticket] : []));
  return { lines: [`== ${name}`, ...render('C', p.clientEvents), ...render('S', p.serverEvents)], sessions };
}

function transcript(): string {
  const k = pki();
  const out: string[] = [];
  const add = (name: string, c: Partial<ClientConfig>, s: Partial<ServerConfig>) => {
    const r = run(name, c, s);
    out.push(...r.lines);
    return r.sessions;
  };
  const alpn = { alpnProtocols: ['h2', 'http/1.1'] };
  // TLS 1.3
  const s13 = add('tls13 full, ALPN', alpn, { ...alpn, ticketKeys });
  add('tls13 resumption', { session: s13.at(-1)! }, { ticketKeys });
  const earlyData = (ext: readonly { type: number; data: Uint8Array }[]) => [{ type: 42, data: new Uint8Array(0) }, ...ext];
  add('tls13 resumption, early data offered (skipped)', { session: s13.at(-1)!, customizeHelloExtensions: earlyData }, { ticketKeys });
  add('tls13 resumption refused (other ticket key)', { session: s13.at(-1)! }, { ticketKeys: [new Uint8Array(32).fill(1)] });
  add('tls13 HRR', { groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShares: 1 }, { groups: [NamedGroup.secp256r1], cookieKey });
  add('tls13 server without post-quantum groups: x25519, no HRR', {}, { groups: [NamedGroup.x25519, NamedGroup.secp256r1] });
  add('tls13 HRR to X25519MLKEM768', { groups: [NamedGroup.x25519, NamedGroup.X25519MLKEM768] }, { groups: [NamedGroup.X25519MLKEM768], cookieKey });
  add('tls13 SecP384r1MLKEM1024', { groups: [NamedGroup.SecP384r1MLKEM1024] }, { groups: [NamedGroup.SecP384r1MLKEM1024] });
  add('tls13 client auth required', { clientCertificate: k.client }, { clientAuth: 'required', clientTrust: k.trust });
  add('tls13 client auth optional, no certificate', {}, { clientAuth: 'optional', clientTrust: k.trust });
  add('tls13 client auth, untrusted client', { clientCertificate: k.strangerClient }, { clientAuth: 'required', clientTrust: k.trust });
  add('tls13 rsa server, SNI mismatch', { serverName: 'other.test', rejectUnauthorized: false }, { certificates: [k.server.rsa] });
  add('tls13 bad certificate (untrusted CA)', { trust: new TrustStore([k.otherCaPem]) }, {});
  add('tls13 ALPN offered, none chosen', { alpnProtocols: ['h2'] }, { selectAlpn: () => undefined });
  const rsaOnly = { certificates: [k.server.rsa], signatureSchemes: [SignatureScheme.rsa_pss_rsae_sha256], clientAuth: 'optional' as const, clientTrust: k.trust };
  add('tls13 client key cannot sign what the server accepts', { clientCertificate: k.client }, rsaOnly);
  add('tls13 untrusted chain, verification off', { trust: new TrustStore([k.otherCaPem]), rejectUnauthorized: false }, {});
  add('tls13 no shared suite', { cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256] }, { cipherSuites: [CipherSuite.TLS_AES_256_GCM_SHA384] });
  // TLS 1.2
  const v12 = { maxVersion: 'TLSv1.2' as const };
  const t12 = add('tls12 ECDHE, ALPN, ticket', { ...v12, ...alpn }, { ...alpn, ticketKeys });
  add('tls12 resumption by ticket', { ...v12, session: t12.at(-1)! }, { ticketKeys });
  const cache = new MemorySessionCache(8);
  const id12 = add('tls12 ECDHE rsa, session id', v12, { certificates: [k.server.rsa], sessionCache: cache });
  add('tls12 resumption by session id', { ...v12, session: id12.at(-1)! }, { certificates: [k.server.rsa], sessionCache: cache });
  add('tls12 resumption refused (unknown id)', { ...v12, session: id12.at(-1)! }, { certificates: [k.server.rsa], sessionCache: new MemorySessionCache(8) });
  add('tls12 resumption refused (suite no longer allowed)', { ...v12, session: t12.at(-1)! }, { ticketKeys, cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384] });
  add('tls12 client key cannot sign what the server accepts', { ...v12, clientCertificate: k.client }, rsaOnly);
  add('tls12 RSA key transport', { ...v12, cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] }, { certificates: [k.server.rsa], cipherSuites: [CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256] });
  add('tls12 client auth required', { ...v12, clientCertificate: k.client }, { clientAuth: 'required', clientTrust: k.trust });
  add('tls12 client auth optional, no certificate', v12, { clientAuth: 'optional', clientTrust: k.trust });
  add('tls12 bad certificate (untrusted CA)', { ...v12, trust: new TrustStore([k.otherCaPem]) }, {});
  return out.join('\n') + '\n';
}

test('narration: --trace and --trace-json lines are exactly the recorded ones', () => {
  const got = transcript();
  if (process.env.HUSH_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, got);
  const want = readFileSync(GOLDEN, 'utf8');
  const g = got.split('\n');
  const w = want.split('\n');
  for (let i = 0; i < Math.max(g.length, w.length); i++) assert.equal(g[i], w[i], `line ${i + 1}`);
});

test('narration: with tracing off a fact is never read nor turned into words', async () => {
  const { tell } = await import('../../src/handshake/narration.js');
  const ctx = {
    tracing: false,
    trace: () => assert.fail('trace() called with tracing off'),
  } as unknown as import('../../src/handshake/context.js').HandshakeContext;
  const fact = {
    kind: 'psk_refused',
    get reason(): string {
      return assert.fail('a fact field was read with tracing off');
    },
  } as const;
  tell(ctx, fact);
  const seen: unknown[] = [];
  tell({ ...ctx, tracing: true, trace: (e: unknown) => seen.push(e) } as typeof ctx, { kind: 'psk_refused', reason: 'x' });
  assert.deepEqual(seen, [{ event: 'psk', message: 'The client offered a session ticket, but we do a full handshake: x.', resumed: false, reason: 'x' }]);
});
