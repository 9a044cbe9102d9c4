// RFC 9180 §4: LabeledExtract / LabeledExpand, bound to a suite_id ("KEM"‖kem_id or
// "HPKE"‖kem_id‖kdf_id‖aead_id).
import { concat, utf8 } from '../bytes/util.js';
import type { CryptoProvider, HashName } from '../crypto/provider.js';

const HPKE_V1 = new Uint8Array([0x48, 0x50, 0x4b, 0x45, 0x2d, 0x76, 0x31]); // "HPKE-v1"

function u16(v: number): Uint8Array {
  return new Uint8Array([(v >>> 8) & 0xff, v & 0xff]);
}

export function kemSuiteId(kem: number): Uint8Array {
  return concat(utf8('KEM'), u16(kem));
}

export function hpkeSuiteId(kem: number, kdf: number, aead: number): Uint8Array {
  return concat(utf8('HPKE'), u16(kem), u16(kdf), u16(aead));
}

export class LabeledKdf {
  constructor(
    private readonly provider: CryptoProvider,
    readonly hash: HashName,
    private readonly suiteId: Uint8Array,
  ) {}

  /** LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm). */
  extract(salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
    return this.provider.hkdfExtract(this.hash, salt, concat(HPKE_V1, this.suiteId, utf8(label), ikm));
  }

  /** LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L). */
  expand(prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
    return this.provider.hkdfExpand(this.hash, prk, concat(u16(length), HPKE_V1, this.suiteId, utf8(label), info), length);
  }
}
