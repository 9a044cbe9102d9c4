// HPKE base mode (RFC 9180) on the appendix vectors: every base-mode vector whose KEM, KDF and
// AEAD hush implements (DHKEM X25519 / P-256; HKDF-SHA256/384/512; AES-GCM, ChaCha20-Poly1305,
// export-only): DeriveKeyPair, the key schedule values, each encryption (seal and open at its
// sequence number) and each export.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromHex, toHex } from '../../src/bytes/index.js';
import { nodeCryptoProvider as P } from '../../src/crypto/node/index.js';
import { TlsError } from '../../src/errors/index.js';
import { DhKem, hpkeDeriveKeyPair, hpkeKem, isSupportedHpkeSuite, setupBaseRecipient, setupBaseSender, type HpkeContext } from '../../src/hpke/index.js';
import { readVectorJson } from '../vectors.js';

interface Vector {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  suite_name: string;
  info: string;
  ikmE: string;
  pkEm: string;
  skEm: string;
  ikmR: string;
  pkRm: string;
  skRm: string;
  enc: string;
  shared_secret: string;
  key_schedule_context: string;
  secret: string;
  key: string;
  base_nonce: string;
  exporter_secret: string;
  encryptions: { sequence_number: number; aad: string; pt: string; ct: string; nonce: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const all = readVectorJson<Vector[]>('hpke/rfc9180-test-vectors.json');
const base = all.filter((v) => v.mode === 0);
const suiteOf = (v: Vector) => ({ kem: Number(v.kem_id), kdf: Number(v.kdf_id), aead: Number(v.aead_id) });
const supported = base.filter((v) => isSupportedHpkeSuite(suiteOf(v)));

/** Seal and open each encryption of a vector at its sequence number. */
function checkEncryptions(v: Vector, sender: HpkeContext, recipient: HpkeContext): number {
  let n = 0;
  const sorted = [...v.encryptions].sort((a, b) => a.sequence_number - b.sequence_number);
  for (const e of sorted) {
    while (sender.sequence < e.sequence_number) {
      // Sequence numbers 4, 255 and 256 are reached by sealing and opening empty messages.
      const filler = sender.seal(new Uint8Array(0), new Uint8Array(0));
      assert.ok(recipient.open(new Uint8Array(0), filler));
    }
    const ct = sender.seal(fromHex(e.aad), fromHex(e.pt));
    assert.equal(toHex(ct), e.ct, `${v.suite_name} seq ${e.sequence_number}`);
    const pt = recipient.open(fromHex(e.aad), fromHex(e.ct));
    assert.ok(pt, `${v.suite_name} open seq ${e.sequence_number}`);
    assert.equal(toHex(pt), e.pt);
    n++;
  }
  return n;
}

describe('HPKE (RFC 9180) base mode, appendix vectors', () => {
  test('the vector file has the suites we expect', () => {
    assert.equal(all.length, 28);
    assert.equal(base.length, 7);
    // Every base suite except DHKEM(P-521) (no P-521 key exchange in the provider).
    assert.deepEqual(
      supported.map((v) => v.suite_name),
      base.filter((v) => v.kem_id !== 0x12).map((v) => v.suite_name),
    );
    assert.equal(supported.length, 6);
  });

  let encryptions = 0;
  let exports = 0;
  for (const v of supported) {
    test(v.suite_name, () => {
      const suite = suiteOf(v);
      // DeriveKeyPair (§7.1.3) for both keys.
      const e = hpkeDeriveKeyPair(P, suite.kem, fromHex(v.ikmE));
      assert.equal(toHex(e.sk), v.skEm);
      assert.equal(toHex(e.pk), v.pkEm);
      const r = hpkeDeriveKeyPair(P, suite.kem, fromHex(v.ikmR));
      assert.equal(toHex(r.sk), v.skRm);
      assert.equal(toHex(r.pk), v.pkRm);

      const kem = new DhKem(P, hpkeKem(suite.kem)!);
      const { enc, context: sender } = setupBaseSender(P, suite, fromHex(v.pkRm), fromHex(v.info), kem.keyPair(fromHex(v.skEm)));
      assert.equal(toHex(enc), v.enc);
      const recipient = setupBaseRecipient(P, suite, fromHex(v.enc), fromHex(v.skRm), fromHex(v.info));
      for (const ctx of [sender, recipient]) {
        const s = ctx.schedule;
        assert.equal(toHex(s.sharedSecret), v.shared_secret);
        assert.equal(toHex(s.keyScheduleContext), v.key_schedule_context);
        assert.equal(toHex(s.secret), v.secret);
        assert.equal(toHex(s.key), v.key);
        assert.equal(toHex(s.baseNonce), v.base_nonce);
        assert.equal(toHex(s.exporterSecret), v.exporter_secret);
      }
      encryptions += checkEncryptions(v, sender, recipient);
      for (const x of v.exports) {
        assert.equal(toHex(sender.export(fromHex(x.exporter_context), x.L)), x.exported_value);
        assert.equal(toHex(recipient.export(fromHex(x.exporter_context), x.L)), x.exported_value);
        exports++;
      }
    });
  }

  test('every encryption and export of the supported suites was checked', () => {
    // 5 AEAD suites × 6 encryptions; 6 suites × 3 exports.
    assert.equal(encryptions, 30);
    assert.equal(exports, 18);
  });
});

describe('HPKE negative cases', () => {
  const suite = { kem: 0x20, kdf: 1, aead: 1 };
  const info = new Uint8Array([1, 2, 3]);
  test('a tampered ciphertext or aad does not open, and the sequence number stays', () => {
    const r = hpkeDeriveKeyPair(P, 0x20, new Uint8Array(32).fill(7));
    const { enc, context } = setupBaseSender(P, suite, r.pk, info);
    const ct = context.seal(new Uint8Array([9]), new Uint8Array([1, 2, 3]));
    const rc = setupBaseRecipient(P, suite, enc, r.sk, info);
    const bad = ct.slice();
    bad[0]! ^= 1;
    assert.equal(rc.open(new Uint8Array([9]), bad), null);
    assert.equal(rc.open(new Uint8Array([8]), ct), null);
    assert.equal(rc.sequence, 0);
    assert.deepEqual(rc.open(new Uint8Array([9]), ct), new Uint8Array([1, 2, 3]));
    assert.equal(rc.sequence, 1);
    // A different info gives a different key.
    assert.equal(setupBaseRecipient(P, suite, enc, r.sk, new Uint8Array([1])).open(new Uint8Array([9]), ct), null);
  });
  test('a low-order or wrong-length enc is illegal_parameter', () => {
    const r = hpkeDeriveKeyPair(P, 0x20, new Uint8Array(32).fill(7));
    assert.throws(() => setupBaseRecipient(P, suite, new Uint8Array(32), r.sk, info), (e) => e instanceof TlsError && e.alertName === 'illegal_parameter');
    assert.throws(() => setupBaseRecipient(P, suite, new Uint8Array(31), r.sk, info), (e) => e instanceof TlsError && e.alertName === 'illegal_parameter');
    assert.throws(() => setupBaseSender(P, suite, new Uint8Array(33), info), (e) => e instanceof TlsError && e.alertName === 'illegal_parameter');
  });
});
