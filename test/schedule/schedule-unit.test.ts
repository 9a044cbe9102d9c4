// Unit tests: HkdfLabel encoding, the transcript (buffering, hashWith, message_hash), the stage
// rules of the key schedule, KeyUpdate and exporter, and the cipher suite table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, fromHex, toHex, utf8 } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { suiteById, suiteByName, TLS12_SUITES, TLS13_SUITES, tls12SuiteById, tls13SuiteById } from '../../src/crypto/suites.js';
import { TlsError } from '../../src/errors/index.js';
import { hkdfExpandLabel, hkdfLabel } from '../../src/schedule/hkdf-label.js';
import { Transcript } from '../../src/schedule/transcript.js';
import { EarlySecret, exportKeyingMaterial, HandshakeSecret, MasterSecret, nextTrafficSecret } from '../../src/schedule/tls13.js';

test('HkdfLabel: RFC 8446 §7.1 encoding, one buffer', () => {
  // From the trace draft: "tls13 key", 16 bytes, empty context.
  assert.equal(toHex(hkdfLabel('key', new Uint8Array(0), 16)), '001009746c733133206b657900');
  assert.equal(toHex(hkdfLabel('iv', new Uint8Array(0), 12)), '000c08746c733133206976' + '00');
  const ctx = new Uint8Array(32).fill(0xab);
  const b = hkdfLabel('c hs traffic', ctx, 48);
  assert.equal(b.length, 2 + 1 + 18 + 1 + 32);
  assert.equal(toHex(b.subarray(0, 3)), '003012');
  // Byte labels (exporter labels) get the prefix too.
  assert.equal(toHex(hkdfLabel(utf8('EXPORTER-x'), new Uint8Array(0), 1)), toHex(hkdfLabel('EXPORTER-x', new Uint8Array(0), 1)));
  assert.throws(() => hkdfLabel('x', new Uint8Array(256), 32), TlsError);
  assert.throws(() => hkdfLabel('x'.repeat(250), new Uint8Array(0), 32), TlsError);
  // Agrees with the provider's HKDF-Expand over a hand-built label.
  const prk = new Uint8Array(32).fill(7);
  const info = concat(fromHex('0020'), Uint8Array.of(6 + 8), utf8('tls13 finished'), Uint8Array.of(0));
  assert.equal(toHex(hkdfExpandLabel(provider, 'sha256', prk, 'finished', new Uint8Array(0), 32)), toHex(provider.hkdfExpand('sha256', prk, info, 32)));
});

const msgs = [fromHex('0100000401020304'), fromHex('0200000105'), fromHex('08000000')];

test('Transcript: buffering before the hash is chosen equals hashing directly; hash() does not consume', () => {
  for (const h of ['sha256', 'sha384'] as const) {
    const direct = new Transcript(provider, h);
    const buffered = new Transcript(provider);
    const caller = msgs[0]!.slice();
    buffered.add(caller);
    caller.fill(0xff); // the caller reuses its buffer: the transcript kept a copy
    assert.equal(buffered.bufferedBytes, 8);
    direct.add(msgs[0]!);
    buffered.selectHash(h);
    assert.equal(buffered.bufferedBytes, 0);
    for (const m of msgs.slice(1)) {
      direct.add(m);
      buffered.add(m);
    }
    const expected = toHex(provider.digest(h, concat(...msgs)));
    assert.equal(toHex(direct.hash()), expected);
    assert.equal(toHex(direct.hash()), expected, 'hash() twice');
    assert.equal(toHex(buffered.hash()), expected);
    assert.equal(buffered.messageCount, 3);
    // hashWith: extra bytes not added.
    const extra = fromHex('0f000000');
    assert.equal(toHex(direct.hashWith(extra)), toHex(provider.digest(h, concat(...msgs, extra))));
    assert.equal(toHex(direct.hash()), expected);
  }
  // hashWith before the hash is chosen (the client's PSK binder over ClientHello1).
  const t = new Transcript(provider);
  t.add(msgs[0]!);
  assert.equal(toHex(t.hashWith(msgs[1]!, 'sha384')), toHex(provider.digest('sha384', concat(msgs[0]!, msgs[1]!))));
  assert.throws(() => t.hashWith(msgs[1]!), TlsError);
  assert.throws(() => t.hash(), TlsError);
  t.selectHash('sha256');
  t.selectHash('sha256'); // same hash again: fine
  assert.throws(() => t.selectHash('sha384'), TlsError);
});

test('Transcript: HelloRetryRequest message_hash rule (RFC 8446 §4.4.1)', () => {
  const ch1 = msgs[0]!;
  const hrr = fromHex('0200000109');
  for (const h of ['sha256', 'sha384'] as const) {
    const n = h === 'sha256' ? 32 : 48;
    const t = new Transcript(provider);
    t.add(ch1);
    t.selectHash(h);
    t.replaceWithMessageHash();
    t.add(hrr);
    const synthetic = concat(Uint8Array.of(254, 0, 0, n), provider.digest(h, ch1));
    assert.equal(toHex(t.hash()), toHex(provider.digest(h, concat(synthetic, hrr))));
  }
  const t = new Transcript(provider, 'sha256');
  t.add(ch1);
  t.add(hrr);
  assert.throws(() => t.replaceWithMessageHash(), /ClientHello1 only/);
});

test('key schedule stages: one way, once each, secrets wiped', () => {
  const early = EarlySecret.start(provider, 'sha256');
  const es = toHex(early.secret);
  const hs = early.intoHandshake(new Uint8Array(32).fill(1));
  assert.throws(() => early.intoHandshake(new Uint8Array(32)), /already derived/);
  assert.throws(() => early.secret, /after the next stage/);
  assert.throws(() => early.binderKey('resumption'), /after the next stage/);
  const h = new Uint8Array(32);
  hs.trafficSecrets(h);
  assert.throws(() => hs.trafficSecrets(h), /already derived/);
  const ms = hs.intoMaster();
  assert.throws(() => hs.intoMaster(), /already derived/);
  assert.throws(() => hs.trafficSecrets(h), /already derived|after the next stage/);
  ms.applicationTrafficSecrets(h);
  assert.throws(() => ms.applicationTrafficSecrets(h), /already derived/);
  ms.resumptionMasterSecret(h);
  assert.throws(() => ms.resumptionMasterSecret(h), /already derived/);
  // Wrong transcript hash length is a bug.
  assert.throws(() => EarlySecret.start(provider, 'sha256').clientEarlyTrafficSecret(new Uint8Array(48)), /transcript hash has 48 bytes/);
  // A fresh start reproduces the same early secret (no state leaks between schedules).
  assert.equal(toHex(EarlySecret.start(provider, 'sha256').secret), es);
  // Later stages cannot be made from outside the module (no skipping the early secret).
  const z = new Uint8Array(32);
  assert.throws(() => HandshakeSecret.create(Symbol() as never, provider, 'sha256', z, z), /previous stage/);
  assert.throws(() => MasterSecret.create(Symbol() as never, provider, 'sha256', z, z), /previous stage/);
  // Binder keys differ for resumption and external PSKs.
  const e2 = EarlySecret.start(provider, 'sha256', new Uint8Array(32).fill(9));
  assert.notEqual(toHex(e2.binderKey('resumption')), toHex(e2.binderKey('external')));
});

test('KeyUpdate: application_traffic_secret_N+1 (RFC 8446 §7.2)', () => {
  const s0 = fromHex('9e47af27cb60d818a9ea7d233cb5ed4cc525fcd74614fb24b0ee59acb8e5aa7ff8d88b89792114208fec291a6fa96bad');
  const s1 = nextTrafficSecret(provider, 'sha384', s0);
  const info = concat(fromHex('0030'), Uint8Array.of(17), utf8('tls13 traffic upd'), Uint8Array.of(0));
  assert.equal(toHex(s1), toHex(provider.hkdfExpand('sha384', s0, info, 48)));
  assert.notEqual(toHex(nextTrafficSecret(provider, 'sha384', s1)), toHex(s1));
});

test('exporter (RFC 8446 §7.5): structure, and absent context = empty context', () => {
  // The Illustrated TLS 1.3 exporter_master_secret.
  const ems = fromHex('5da16dd8325dd8279e4535363384d9ad0dbe370538fc3ad74e53d533b77ac35ee072d56c90871344e6857ccb2efc9e14');
  const v = exportKeyingMaterial(provider, 'sha384', ems, 'EXPERIMENTAL hush', fromHex('0102'), 32);
  const derived = hkdfExpandLabel(provider, 'sha384', ems, 'EXPERIMENTAL hush', provider.digest('sha384', new Uint8Array(0)), 48);
  assert.equal(toHex(v), toHex(hkdfExpandLabel(provider, 'sha384', derived, 'exporter', provider.digest('sha384', fromHex('0102')), 32)));
  assert.equal(
    toHex(exportKeyingMaterial(provider, 'sha384', ems, 'EXPERIMENTAL hush', undefined, 32)),
    toHex(exportKeyingMaterial(provider, 'sha384', ems, 'EXPERIMENTAL hush', new Uint8Array(0), 32)),
  );
  assert.notEqual(toHex(exportKeyingMaterial(provider, 'sha384', ems, 'EXPERIMENTAL hush', undefined, 32)), toHex(v));
  assert.equal(exportKeyingMaterial(provider, 'sha384', ems, 'x', undefined, 100).length, 100);
});

test('cipher suite table: TLS 1.3 and TLS 1.2 entries, IANA and OpenSSL names', () => {
  assert.equal(TLS13_SUITES.length, 3);
  assert.equal(TLS12_SUITES.length, 16);
  const a = tls13SuiteById(0x1302)!;
  assert.deepEqual({ ...a }, {
    id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3', aead: 'aes-256-gcm', hash: 'sha384', hashLength: 48, keyLength: 32, ivLength: 12,
  });
  assert.equal(tls13SuiteById(0x1303)!.keyLength, 32);
  assert.equal(tls13SuiteById(0x1301)!.keyLength, 16);
  assert.equal(suiteByName('TLS_CHACHA20_POLY1305_SHA256')?.id, 0x1303);
  const e = suiteByName('ECDHE-RSA-AES128-GCM-SHA256');
  assert.equal(e, suiteByName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'));
  assert.equal(e?.id, 0xc02f);
  const cc = tls12SuiteById(0xcca9)!;
  assert.deepEqual([cc.kx, cc.auth, cc.cipher.kind, cc.prfHash], ['ecdhe', 'ecdsa', 'aead', 'sha256']);
  assert.ok(cc.cipher.kind === 'aead' && cc.cipher.explicitNonceLength === 0 && cc.cipher.fixedIvLength === 12);
  const g = tls12SuiteById(0xc030)!;
  assert.ok(g.cipher.kind === 'aead' && g.cipher.explicitNonceLength === 8 && g.cipher.fixedIvLength === 4);
  assert.equal(g.prfHash, 'sha384');
  const cbc = tls12SuiteById(0xc013)!;
  assert.ok(cbc.cipher.kind === 'cbc' && cbc.cipher.mac === 'sha1' && cbc.cipher.macLength === 20 && cbc.cipher.keyLength === 16);
  assert.equal(cbc.prfHash, 'sha256');
  assert.equal(suiteByName('AES256-GCM-SHA384')?.id, 0x009d);
  assert.equal(tls12SuiteById(0x1301), undefined);
  assert.equal(tls13SuiteById(0xc02f), undefined);
  assert.equal(suiteById(0x1304), undefined, 'CCM is not implemented');
  // Every OpenSSL name is one that node knows.
  for (const s of TLS12_SUITES) assert.ok(/^[A-Z0-9-]+$/.test(s.opensslName));
});
