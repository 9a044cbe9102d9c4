// The TLS 1.2 key schedule against known vectors and an independent node:crypto HMAC
// implementation of the RFC 5246 §5 PRF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { concat, fromHex, toHex, utf8 } from '../../src/bytes/index.js';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import type { HashName } from '../../src/crypto/provider.js';
import { TLS12_SUITES } from '../../src/crypto/suites.js';
import { UsageError } from '../../src/errors/index.js';
import {
  exportKeyingMaterial12, extendedMasterSecret12, finishedVerifyData12, keyBlock12, masterSecret12, prf12,
} from '../../src/schedule/tls12.js';

/** RFC 5246 §5 P_hash written independently, straight on node:crypto. */
function referencePrf(hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const hmac = (data: Uint8Array) => new Uint8Array(createHmac(hash, secret).update(data).digest());
  const s = concat(utf8(label), seed);
  const out: Uint8Array[] = [];
  let total = 0;
  let a = s;
  while (total < length) {
    a = hmac(a);
    const block = hmac(concat(a, s));
    out.push(block);
    total += block.length;
  }
  return concat(...out).subarray(0, length);
}

const rnd = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i * 17) & 0xff);
const clientRandom = rnd(32, 1);
const serverRandom = rnd(32, 100);

test('prf12: the published TLS 1.2 PRF (SHA-256) test vector, 100 bytes', () => {
  const secret = fromHex('9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35');
  const seed = fromHex('a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c');
  const out = prf12(provider, 'sha256', secret, 'test label', seed, 100);
  assert.equal(out.length, 100);
  assert.equal(toHex(out.subarray(0, 16)), 'e3f229ba727be17b8d122620557cd453');
  assert.equal(toHex(out), toHex(referencePrf('sha256', secret, 'test label', seed, 100)));
  assert.equal(
    toHex(out),
    'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
  );
});

test('prf12: every length 0..200 for SHA-256 and SHA-384 equals the reference, and shorter outputs are prefixes', () => {
  let checked = 0;
  for (const hash of ['sha256', 'sha384'] as const) {
    const secret = rnd(48, 7);
    const seed = rnd(64, 9);
    const long = prf12(provider, hash, secret, 'key expansion', seed, 200);
    assert.equal(toHex(long), toHex(referencePrf(hash, secret, 'key expansion', seed, 200)));
    for (let n = 0; n <= 200; n++) {
      assert.equal(toHex(prf12(provider, hash, secret, 'key expansion', seed, n)), toHex(long.subarray(0, n)));
      checked++;
    }
  }
  assert.equal(checked, 402);
  assert.notEqual(toHex(prf12(provider, 'sha256', rnd(48, 7), 'x', rnd(64, 9), 32)), toHex(prf12(provider, 'sha384', rnd(48, 7), 'x', rnd(64, 9), 32)));
  assert.throws(() => prf12(provider, 'sha256', rnd(48, 7), 'x', rnd(8, 0), -1), /bad output length/);
  assert.throws(() => prf12(provider, 'sha256', rnd(48, 7), 'x', rnd(8, 0), 1.5), /bad output length/);
});

test('masterSecret12 (RFC 5246 §8.1) and extendedMasterSecret12 (RFC 7627 §4)', () => {
  const pms = rnd(32, 3);
  const ms = masterSecret12(provider, 'sha256', pms, clientRandom, serverRandom);
  assert.equal(ms.length, 48);
  assert.equal(toHex(ms), toHex(referencePrf('sha256', pms, 'master secret', concat(clientRandom, serverRandom), 48)));

  for (const hash of ['sha256', 'sha384'] as const) {
    const sessionHash = provider.digest(hash, utf8('ClientHello..ClientKeyExchange'));
    const ems = extendedMasterSecret12(provider, hash, pms, sessionHash);
    assert.equal(ems.length, 48);
    assert.equal(toHex(ems), toHex(referencePrf(hash, pms, 'extended master secret', sessionHash, 48)));
    assert.notEqual(toHex(ems), toHex(masterSecret12(provider, hash, pms, clientRandom, serverRandom)));
  }
  // The session hash must be a hash of the PRF's algorithm.
  assert.throws(() => extendedMasterSecret12(provider, 'sha384', pms, new Uint8Array(32)), /session hash/);
  assert.throws(() => masterSecret12(provider, 'sha256', pms, clientRandom.subarray(1), serverRandom), /randoms/);
});

test('keyBlock12 (RFC 5246 §6.3): per-suite split of PRF(ms, "key expansion", server_random + client_random)', () => {
  const ms = rnd(48, 5);
  const seen = new Set<string>();
  for (const suite of TLS12_SUITES) {
    const kb = keyBlock12(provider, suite, ms, clientRandom, serverRandom);
    const c = suite.cipher;
    const mac = c.kind === 'cbc' ? c.macLength : 0;
    const iv = c.kind === 'aead' ? c.fixedIvLength : 0;
    for (const side of [kb.client, kb.server]) {
      assert.equal(side.macKey.length, mac, suite.name);
      assert.equal(side.key.length, c.keyLength, suite.name);
      assert.equal(side.iv.length, iv, suite.name);
    }
    const total = 2 * (mac + c.keyLength + iv);
    const expected = referencePrf(suite.prfHash, ms, 'key expansion', concat(serverRandom, clientRandom), total);
    assert.equal(toHex(concat(kb.client.macKey, kb.server.macKey, kb.client.key, kb.server.key, kb.client.iv, kb.server.iv)), toHex(expected), suite.name);
    seen.add(`${mac}/${c.keyLength}/${iv}`);
  }
  // GCM-128, GCM-256, ChaCha, CBC-128-SHA256, CBC-256-SHA384, CBC-128-SHA1, CBC-256-SHA1.
  assert.equal(seen.size, 7);
  assert.throws(() => keyBlock12(provider, TLS12_SUITES[0]!, rnd(47, 0), clientRandom, serverRandom), /master secret/);
});

test('finishedVerifyData12 (RFC 5246 §7.4.9): 12 bytes, client and server labels', () => {
  const ms = rnd(48, 11);
  const h = provider.digest('sha384', utf8('transcript'));
  const c = finishedVerifyData12(provider, 'sha384', ms, 'client', h);
  const s = finishedVerifyData12(provider, 'sha384', ms, 'server', h);
  assert.equal(c.length, 12);
  assert.equal(toHex(c), toHex(referencePrf('sha384', ms, 'client finished', h, 12)));
  assert.equal(toHex(s), toHex(referencePrf('sha384', ms, 'server finished', h, 12)));
  assert.notEqual(toHex(c), toHex(s));
});

test('exportKeyingMaterial12 (RFC 5705 §4): seed with and without context; reserved labels and long contexts refused', () => {
  const ms = rnd(48, 13);
  const noCtx = exportKeyingMaterial12(provider, 'sha256', ms, clientRandom, serverRandom, 'EXPORTER-test', undefined, 42);
  assert.equal(toHex(noCtx), toHex(referencePrf('sha256', ms, 'EXPORTER-test', concat(clientRandom, serverRandom), 42)));
  const emptyCtx = exportKeyingMaterial12(provider, 'sha256', ms, clientRandom, serverRandom, 'EXPORTER-test', new Uint8Array(0), 42);
  assert.equal(toHex(emptyCtx), toHex(referencePrf('sha256', ms, 'EXPORTER-test', concat(clientRandom, serverRandom, Uint8Array.of(0, 0)), 42)));
  assert.notEqual(toHex(noCtx), toHex(emptyCtx));
  const ctx = utf8('some context');
  const withCtx = exportKeyingMaterial12(provider, 'sha384', ms, clientRandom, serverRandom, 'EXPORTER-test', ctx, 64);
  assert.equal(toHex(withCtx), toHex(referencePrf('sha384', ms, 'EXPORTER-test', concat(clientRandom, serverRandom, Uint8Array.of(0, ctx.length), ctx), 64)));

  for (const label of ['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret']) {
    assert.throws(() => exportKeyingMaterial12(provider, 'sha256', ms, clientRandom, serverRandom, label, undefined, 16), UsageError, label);
  }
  assert.throws(() => exportKeyingMaterial12(provider, 'sha256', ms, clientRandom, serverRandom, 'EXPORTER-x', new Uint8Array(65536), 16), UsageError);
  assert.equal(exportKeyingMaterial12(provider, 'sha256', ms, clientRandom, serverRandom, 'EXPORTER-x', new Uint8Array(65535), 16).length, 16);
});
