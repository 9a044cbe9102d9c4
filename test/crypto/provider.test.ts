// Unit tests of the node crypto provider beyond Wycheproof: forking hashes, HKDF edge cases,
// AEAD tampering, key exchange round trips and RFC 7748 §6.1, keys and signatures of every type,
// RSA key transport, injected randomness.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { concat, fromHex, toHex, utf8 } from '../../src/bytes/index.js';
import type { AeadName, PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { createNodeCryptoProvider, nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import { TlsError, UsageError } from '../../src/errors/index.js';
import { NamedGroup } from '../../src/wire/enums.js';

function throwsAlert(f: () => unknown, alert: string): void {
  assert.throws(f, (e: unknown) => e instanceof TlsError && e.alertName === alert);
}
function isPlain(b: Uint8Array): boolean {
  return Object.getPrototypeOf(b) === Uint8Array.prototype;
}

describe('hashes, HMAC, HKDF', () => {
  test('digest and incremental hash agree; copy() forks the state', () => {
    assert.equal(toHex(P.digest('sha256', utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const h = P.hash('sha384');
    h.update(utf8('hello '));
    const fork = h.copy();
    h.update(utf8('world'));
    fork.update(utf8('there'));
    const mid = fork.copy();
    assert.equal(toHex(h.digest()), toHex(P.digest('sha384', utf8('hello world'))));
    assert.equal(toHex(fork.digest()), toHex(P.digest('sha384', utf8('hello there'))));
    assert.equal(toHex(mid.digest()), toHex(P.digest('sha384', utf8('hello there'))));
    assert.ok(isPlain(P.digest('sha256', utf8(''))));
  });

  test('HKDF: RFC 5869 A.3 (empty salt and info); empty salt equals HashLen zeros', () => {
    const ikm = new Uint8Array(22).fill(0x0b);
    const prk = P.hkdfExtract('sha256', new Uint8Array(0), ikm);
    assert.equal(toHex(prk), '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04');
    assert.equal(toHex(P.hkdfExtract('sha256', new Uint8Array(32), ikm)), toHex(prk));
    assert.equal(
      toHex(P.hkdfExpand('sha256', prk, new Uint8Array(0), 42)),
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
    assert.equal(toHex(P.hkdfExtract('sha384', new Uint8Array(0), ikm)), toHex(P.hmac('sha384', new Uint8Array(48), ikm)));
  });

  test('HKDF-Expand: lengths 0, HashLen, multi-block prefix property, and the 255*HashLen limit', () => {
    const prk = P.digest('sha256', utf8('prk'));
    const info = utf8('info');
    assert.equal(P.hkdfExpand('sha256', prk, info, 0).length, 0);
    const long = P.hkdfExpand('sha256', prk, info, 255 * 32);
    assert.equal(long.length, 8160);
    assert.equal(toHex(P.hkdfExpand('sha256', prk, info, 32)), toHex(long.subarray(0, 32)));
    assert.equal(toHex(P.hkdfExpand('sha256', prk, info, 50)), toHex(long.subarray(0, 50)));
    assert.throws(() => P.hkdfExpand('sha256', prk, info, 255 * 32 + 1), UsageError);
    assert.throws(() => P.hkdfExpand('sha384', prk, info, 255 * 48 + 1), UsageError);
  });
});

describe('AEAD and CBC', () => {
  const names: AeadName[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];
  for (const name of names) {
    test(`${name}: round trip; tampered tag, ciphertext, aad or nonce -> null`, () => {
      const key = P.randomBytes(name === 'aes-128-gcm' ? 16 : 32);
      const aead = P.aead(name, key);
      const nonce = P.randomBytes(12);
      const aad = utf8('header');
      const msg = P.randomBytes(1000);
      const sealed = aead.seal(nonce, aad, msg);
      assert.equal(sealed.length, 1016);
      assert.ok(isPlain(sealed));
      assert.equal(toHex(aead.open(nonce, aad, sealed)!), toHex(msg));
      for (const i of [0, 500, 999, 1000, 1015]) {
        const bad = sealed.slice();
        bad[i]! ^= 1;
        assert.equal(aead.open(nonce, aad, bad), null, `flip byte ${i}`);
      }
      assert.equal(aead.open(nonce, utf8('headex'), sealed), null);
      const n2 = nonce.slice();
      n2[11]! ^= 0x80;
      assert.equal(aead.open(n2, aad, sealed), null);
      assert.equal(aead.open(nonce, aad, sealed.subarray(0, 15)), null, 'shorter than a tag');
      assert.equal(aead.open(nonce, aad, sealed.subarray(0, 1015)), null, 'truncated');
      // Empty plaintext: the tag alone.
      const empty = aead.seal(nonce, aad, new Uint8Array(0));
      assert.equal(empty.length, 16);
      assert.equal(aead.open(nonce, aad, empty)!.length, 0);
      // Programming errors throw.
      assert.throws(() => aead.seal(new Uint8Array(8), aad, msg), UsageError);
      assert.throws(() => P.aead(name, new Uint8Array(24)), UsageError);
    });
  }

  test('AES-128-CBC without padding: NIST SP 800-38A F.2.1/F.2.2', () => {
    const c = P.blockCipher('aes-128-cbc', fromHex('2b7e151628aed2a6abf7158809cf4f3c'));
    const iv = fromHex('000102030405060708090a0b0c0d0e0f');
    const pt = fromHex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51');
    const ct = c.encrypt(iv, pt);
    assert.equal(toHex(ct), '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2');
    assert.equal(toHex(c.decrypt(iv, ct)), toHex(pt));
    assert.throws(() => c.decrypt(iv, ct.subarray(0, 20)), UsageError);
    const c256 = P.blockCipher('aes-256-cbc', new Uint8Array(32));
    assert.equal(toHex(c256.decrypt(iv, c256.encrypt(iv, pt))), toHex(pt));
  });
});

describe('key exchange', () => {
  test('groups: the three ML-KEM hybrids, then x25519, secp256r1, secp384r1', () => {
    assert.deepEqual(P.groups, [
      NamedGroup.X25519MLKEM768,
      NamedGroup.SecP256r1MLKEM768,
      NamedGroup.SecP384r1MLKEM1024,
      NamedGroup.x25519,
      NamedGroup.secp256r1,
      NamedGroup.secp384r1,
    ]);
    assert.equal(P.keyExchange(NamedGroup.x448), undefined);
  });

  for (const [group, len] of [
    [NamedGroup.x25519, 32],
    [NamedGroup.secp256r1, 65],
    [NamedGroup.secp384r1, 97],
  ] as const) {
    test(`group 0x${group.toString(16)}: generate/complete and respond round trips`, () => {
      const kx = P.keyExchange(group)!;
      const a = kx.generate();
      const b = kx.generate();
      assert.equal(a.publicKey.length, len);
      assert.notEqual(toHex(a.publicKey), toHex(b.publicKey));
      const s = a.complete(b.publicKey);
      assert.equal(toHex(s), toHex(b.complete(a.publicKey)));
      const r = kx.respond(a.publicKey);
      assert.equal(toHex(a.complete(r.publicKey)), toHex(r.sharedSecret));
      // Wrong lengths, a lone byte and the empty value are illegal_parameter.
      throwsAlert(() => a.complete(b.publicKey.subarray(1)), 'illegal_parameter');
      throwsAlert(() => a.complete(new Uint8Array(0)), 'illegal_parameter');
      throwsAlert(() => a.complete(concat(b.publicKey, new Uint8Array(1))), 'illegal_parameter');
      throwsAlert(() => kx.respond(new Uint8Array(len)), 'illegal_parameter');
    });
  }

  test('x25519: RFC 7748 §6.1 keys and shared secret via fromPrivateKey', () => {
    const kx = P.keyExchange(NamedGroup.x25519)!;
    const alice = kx.fromPrivateKey(fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
    const bob = kx.fromPrivateKey(fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
    assert.equal(toHex(alice.publicKey), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    assert.equal(toHex(bob.publicKey), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    assert.equal(toHex(alice.complete(bob.publicKey)), k);
    assert.equal(toHex(bob.complete(alice.publicKey)), k);
    // Low-order points give an all-zero secret: rejected (RFC 8446 §7.4.2).
    throwsAlert(() => alice.complete(new Uint8Array(32)), 'illegal_parameter');
    throwsAlert(() => alice.complete(fromHex('0100000000000000000000000000000000000000000000000000000000000000')), 'illegal_parameter');
    assert.throws(() => kx.fromPrivateKey(new Uint8Array(31)), UsageError);
  });

  test('secp256r1: compressed, hybrid and off-curve points are illegal_parameter', () => {
    const kx = P.keyExchange(NamedGroup.secp256r1)!;
    const a = kx.generate();
    const b = kx.generate().publicKey;
    const compressed = concat(Uint8Array.of(2 + (b[64]! & 1)), b.subarray(1, 33));
    throwsAlert(() => a.complete(compressed), 'illegal_parameter');
    const hybrid = b.slice();
    hybrid[0] = 6 + (b[64]! & 1);
    throwsAlert(() => a.complete(hybrid), 'illegal_parameter');
    const off = b.slice();
    off[64]! ^= 1;
    throwsAlert(() => a.complete(off), 'illegal_parameter');
  });
});

describe('keys and signatures', () => {
  const msg = utf8('the message to sign');
  const rsaPkcs1Sha256: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: 'sha256' };
  const pss256: SignatureAlgorithm = { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 };
  const pss384: SignatureAlgorithm = { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 };
  const ecdsa256: SignatureAlgorithm = { kind: 'ecdsa', hash: 'sha256' };
  const ed: SignatureAlgorithm = { kind: 'ed25519' };
  let rsa: PrivateKey | undefined;
  const rsaKey = (): PrivateKey => (rsa ??= P.generatePrivateKey({ type: 'rsa', bits: 2048 }));

  function roundTrip(key: PrivateKey, alg: SignatureAlgorithm): void {
    const sig = P.sign(key, alg, msg);
    assert.ok(isPlain(sig));
    assert.equal(P.verify(key.publicKey, alg, msg, sig), true);
    assert.equal(P.verify(key.publicKey, alg, utf8('another message'), sig), false);
    const bad = sig.slice();
    bad[bad.length >> 1]! ^= 1;
    assert.equal(P.verify(key.publicKey, alg, msg, bad), false);
    assert.equal(P.verify(key.publicKey, alg, msg, new Uint8Array(0)), false);
    // A re-imported public key (the X.509 path) verifies too.
    assert.equal(P.verify(P.importPublicKey(key.publicKey.spki), alg, msg, sig), true);
    // PKCS#8 export/import keeps the key.
    const again = P.importPrivateKey(P.exportPrivateKey(key));
    assert.equal(toHex(again.publicKey.spki), toHex(key.publicKey.spki));
    assert.equal(P.verify(key.publicKey, alg, msg, P.sign(again, alg, msg)), true);
  }

  test('ECDSA P-256/P-384/P-521 (DER signatures)', () => {
    for (const [curve, hash] of [
      ['P-256', 'sha256'],
      ['P-384', 'sha384'],
      ['P-521', 'sha512'],
    ] as const) {
      const k = P.generatePrivateKey({ type: 'ec', curve });
      assert.equal(k.type, 'ec');
      assert.equal(k.curve, curve);
      assert.equal(k.publicKey.curve, curve);
      roundTrip(k, { kind: 'ecdsa', hash });
      const sig = P.sign(k, { kind: 'ecdsa', hash }, msg);
      assert.equal(sig[0], 0x30, 'DER SEQUENCE');
      // TLS 1.2 may pair any hash with any curve.
      roundTrip(k, { kind: 'ecdsa', hash: 'sha256' });
    }
  });

  test('Ed25519', () => {
    const k = P.generatePrivateKey({ type: 'ed25519' });
    assert.equal(k.type, 'ed25519');
    roundTrip(k, ed);
    assert.equal(P.sign(k, ed, msg).length, 64);
  });

  test('RSA (rsaEncryption): PKCS#1 v1.5 and PSS with SHA-256/384/512', () => {
    const k = rsaKey();
    assert.equal(k.type, 'rsa');
    assert.equal(k.bits, 2048);
    roundTrip(k, rsaPkcs1Sha256);
    roundTrip(k, { kind: 'rsa-pkcs1', hash: 'sha384' });
    roundTrip(k, pss256);
    roundTrip(k, pss384);
    roundTrip(k, { kind: 'rsa-pss', hash: 'sha512', saltLength: 64 });
    // Salt length is checked.
    const sig = P.sign(k, pss256, msg);
    assert.equal(P.verify(k.publicKey, { ...pss256, saltLength: 20 }, msg, sig), false);
    // PSS signature is not a PKCS#1 one.
    assert.equal(P.verify(k.publicKey, rsaPkcs1Sha256, msg, sig), false);
  });

  test('RSA-PSS keys (id-RSASSA-PSS): PSS works, PKCS#1 v1.5 does not, parameter restrictions hold', () => {
    const pemOf = (o: Parameters<typeof generateKeyPairSync>[1]): string =>
      (generateKeyPairSync('rsa-pss', o as any).privateKey as unknown as { export(o: object): string }).export({ type: 'pkcs8', format: 'pem' });
    const free = P.importPrivateKey(pemOf({ modulusLength: 2048 }));
    assert.equal(free.type, 'rsa-pss');
    assert.equal(free.publicKey.type, 'rsa-pss');
    assert.equal(free.bits, 2048);
    roundTrip(free, pss256);
    roundTrip(free, pss384);
    assert.throws(() => P.sign(free, rsaPkcs1Sha256, msg), UsageError);
    assert.equal(P.verify(free.publicKey, rsaPkcs1Sha256, msg, P.sign(rsaKey(), rsaPkcs1Sha256, msg)), false);
    // A key restricted to SHA-256 (RFC 4055 parameters) refuses SHA-384.
    const bound = P.importPrivateKey(
      pemOf({ modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 }),
    );
    roundTrip(bound, pss256);
    assert.throws(() => P.sign(bound, pss384, msg));
    assert.equal(P.verify(bound.publicKey, pss384, msg, P.sign(free, pss384, msg)), false);
  });

  test('key/algorithm mismatches verify false and refuse to sign', () => {
    const ec = P.generatePrivateKey({ type: 'ec', curve: 'P-256' });
    const edk = P.generatePrivateKey({ type: 'ed25519' });
    const rsaSig = P.sign(rsaKey(), rsaPkcs1Sha256, msg);
    const ecSig = P.sign(ec, ecdsa256, msg);
    assert.equal(P.verify(rsaKey().publicKey, ecdsa256, msg, ecSig), false);
    assert.equal(P.verify(ec.publicKey, rsaPkcs1Sha256, msg, rsaSig), false);
    assert.equal(P.verify(ec.publicKey, ed, msg, ecSig), false);
    assert.equal(P.verify(edk.publicKey, ecdsa256, msg, P.sign(edk, ed, msg)), false);
    assert.throws(() => P.sign(ec, rsaPkcs1Sha256, msg), UsageError);
    assert.throws(() => P.sign(edk, ecdsa256, msg), UsageError);
    assert.throws(() => P.sign(rsaKey(), ed, msg), UsageError);
  });

  test('importPrivateKey: PKCS#8, PKCS#1 and SEC1 PEM, encrypted PEM, PEM bytes; bad input is a UsageError', () => {
    const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = rsaPair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
    assert.equal(P.importPrivateKey(pkcs1).type, 'rsa');
    const ecPair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const sec1 = ecPair.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    assert.match(sec1, /BEGIN EC PRIVATE KEY/);
    const k = P.importPrivateKey(sec1);
    assert.equal(k.curve, 'P-256');
    assert.equal(P.importPrivateKey(utf8(sec1)).curve, 'P-256');
    const pkcs8 = ecPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.equal(toHex(P.importPrivateKey(pkcs8).publicKey.spki), toHex(k.publicKey.spki));
    const enc = ecPair.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }) as string;
    assert.equal(toHex(P.importPrivateKey(enc, 'pw').publicKey.spki), toHex(k.publicKey.spki));
    assert.throws(() => P.importPrivateKey(enc), UsageError);
    assert.throws(() => P.importPrivateKey(enc, 'wrong'), UsageError);
    assert.throws(() => P.importPrivateKey('not a key'), UsageError);
    assert.throws(() => P.importPrivateKey(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), UsageError);
    const pub = ecPair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    assert.throws(() => P.importPrivateKey(pub), UsageError);
    // X25519 keys cannot sign.
    const x = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.throws(() => P.importPrivateKey(x), UsageError);
  });

  test('importPublicKey: fast JWK paths match node DER import; garbage and unsupported keys are TlsErrors', () => {
    for (const [type, opts] of [
      ['rsa', { modulusLength: 2048 }],
      ['ec', { namedCurve: 'prime256v1' }],
      ['ec', { namedCurve: 'secp384r1' }],
      ['ec', { namedCurve: 'secp521r1' }],
      ['ed25519', {}],
    ] as const) {
      const pair = generateKeyPairSync(type as any, opts as any) as any;
      const spki = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
      const key = P.importPublicKey(spki);
      assert.equal(key.type, type);
      assert.equal(toHex(key.spki), toHex(spki));
      assert.ok(isPlain(key.spki));
      assert.deepEqual(Object.keys(key).sort(), Object.keys(key).filter((k) => ['type', 'curve', 'bits', 'spki'].includes(k)).sort());
      // Trailing bytes or a truncated SPKI are refused.
      throwsAlert(() => P.importPublicKey(concat(spki, new Uint8Array(1))), 'bad_certificate');
      throwsAlert(() => P.importPublicKey(spki.subarray(0, spki.length - 1)), 'bad_certificate');
    }
    throwsAlert(() => P.importPublicKey(new Uint8Array(0)), 'bad_certificate');
    throwsAlert(() => P.importPublicKey(fromHex('3000')), 'bad_certificate');
    // A P-256 SPKI whose point is not on the curve.
    const good = P.generatePrivateKey({ type: 'ec', curve: 'P-256' }).publicKey.spki.slice();
    good[good.length - 1]! ^= 1;
    throwsAlert(() => P.importPublicKey(good), 'bad_certificate');
    // X25519 and DSA keys are well-formed but cannot verify TLS signatures.
    const x = new Uint8Array(generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' }));
    throwsAlert(() => P.importPublicKey(x), 'unsupported_certificate');
    // An unknown algorithm OID (1.2.3.4) with a bit string.
    throwsAlert(() => P.importPublicKey(fromHex('3010300706032a0304050003050001020304')), 'unsupported_certificate');
  });

  test('RSA key transport: rsaEncryptPkcs1 then rsaDecryptRaw gives a PKCS#1 v1.5 block', () => {
    const k = rsaKey();
    const premaster = P.randomBytes(48);
    const ct = P.rsaEncryptPkcs1(k.publicKey, premaster);
    assert.equal(ct.length, 256);
    const em = P.rsaDecryptRaw(k, ct);
    assert.equal(em.length, 256);
    assert.equal(em[0], 0);
    assert.equal(em[1], 2);
    assert.equal(em[256 - 49], 0);
    assert.equal(toHex(em.subarray(256 - 48)), toHex(premaster));
    throwsAlert(() => P.rsaDecryptRaw(k, ct.subarray(1)), 'decode_error');
    throwsAlert(() => P.rsaDecryptRaw(k, new Uint8Array(256).fill(0xff)), 'decode_error'); // c >= n
    const ec = P.generatePrivateKey({ type: 'ec', curve: 'P-256' });
    throwsAlert(() => P.rsaEncryptPkcs1(ec.publicKey, premaster), 'unsupported_certificate');
  });
});

describe('randomness', () => {
  function counterSource(): (n: number) => Uint8Array {
    let c = 1;
    return (n) => Uint8Array.from({ length: n }, () => (c = (c * 167 + 13) & 0xff));
  }

  test('injected randomBytes drives randomBytes, key shares and EC/Ed25519 key generation', () => {
    const a = createNodeCryptoProvider({ randomBytes: counterSource() });
    const b = createNodeCryptoProvider({ randomBytes: counterSource() });
    assert.equal(toHex(a.randomBytes(16)), toHex(b.randomBytes(16)));
    for (const g of a.groups) {
      assert.equal(toHex(a.keyExchange(g)!.generate().publicKey), toHex(b.keyExchange(g)!.generate().publicKey));
    }
    for (const spec of [{ type: 'ed25519' }, { type: 'ec', curve: 'P-256' }, { type: 'ec', curve: 'P-521' }] as const) {
      assert.equal(toHex(a.generatePrivateKey(spec).publicKey.spki), toHex(b.generatePrivateKey(spec).publicKey.spki));
    }
    // The x25519 share equals fromPrivateKey of the injected bytes.
    const src = counterSource();
    const c = createNodeCryptoProvider({ randomBytes: src });
    const share = c.keyExchange(NamedGroup.x25519)!.generate();
    const again = P.keyExchange(NamedGroup.x25519)!.fromPrivateKey(counterSource()(32));
    assert.equal(toHex(share.publicKey), toHex(again.publicKey));
    // A source that returns the wrong length is a usage error.
    const broken = createNodeCryptoProvider({ randomBytes: (n) => new Uint8Array(n + 1) });
    assert.throws(() => broken.randomBytes(4), UsageError);
  });

  test('default randomBytes: plain Uint8Array, fresh values', () => {
    const r = P.randomBytes(32);
    assert.ok(isPlain(r));
    assert.equal(r.length, 32);
    assert.notEqual(toHex(r), toHex(P.randomBytes(32)));
    assert.equal(P.randomBytes(0).length, 0);
  });
});
