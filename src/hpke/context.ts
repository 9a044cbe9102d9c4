// HPKE base mode (RFC 9180 §5): KeySchedule, the sender/recipient contexts (Seal/Open with
// the per-message nonce of §5.2) and the secret export of §5.3.
import { concat } from '../bytes/util.js';
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, HASH_LENGTH, type Aead, type CryptoProvider, type KeyShare } from '../crypto/provider.js';
import { TlsError, UsageError } from '../errors/errors.js';
import { DhKem } from './kem.js';
import { hpkeSuiteId, LabeledKdf } from './labeled.js';
import { hpkeAead, hpkeKdf, hpkeKem, type HpkeSuite } from './suite.js';

const MODE_BASE = 0x00;
const EMPTY = new Uint8Array(0);

/** The values of the key schedule (exposed for known-answer tests). */
export interface HpkeKeySchedule {
  readonly sharedSecret: Uint8Array;
  readonly keyScheduleContext: Uint8Array;
  readonly secret: Uint8Array;
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
  readonly exporterSecret: Uint8Array;
}

export class HpkeContext {
  private seq = 0;
  private readonly aead: Aead | null;

  constructor(
    private readonly kdf: LabeledKdf,
    readonly schedule: HpkeKeySchedule,
    provider: CryptoProvider,
    aeadId: number,
  ) {
    const name = hpkeAead(aeadId);
    this.aead = name === null || name === undefined ? null : provider.aead(name, schedule.key);
  }

  /** The sequence number of the next Seal/Open. */
  get sequence(): number {
    return this.seq;
  }

  private nonce(): Uint8Array {
    // §5.2: base_nonce XOR I2OSP(seq, Nn); seq stays far below 2^53 (each use increments it).
    if (this.seq >= Number.MAX_SAFE_INTEGER) throw new TlsError('internal_error', 'HPKE: message limit reached (MessageLimitReachedError)');
    const n = this.schedule.baseNonce.slice();
    let s = this.seq;
    for (let i = n.length - 1; i >= 0 && s > 0; i--) {
      n[i]! ^= s % 256;
      s = Math.floor(s / 256);
    }
    return n;
  }

  private requireAead(): Aead {
    if (this.aead === null) throw new UsageError('HPKE: this suite is export-only (no Seal/Open)');
    return this.aead;
  }

  seal(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const ct = this.requireAead().seal(this.nonce(), aad, plaintext);
    this.seq++;
    return ct;
  }

  /** The plaintext, or null when authentication fails (the sequence number does not advance). */
  open(aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const pt = this.requireAead().open(this.nonce(), aad, ciphertext);
    if (pt !== null) this.seq++;
    return pt;
  }

  /** Export(exporter_context, L) (§5.3). */
  export(exporterContext: Uint8Array, length: number): Uint8Array {
    if (length > 255 * HASH_LENGTH[this.kdf.hash]) throw new UsageError(`HPKE: export length ${length} is too long`);
    return this.kdf.expand(this.schedule.exporterSecret, 'sec', exporterContext, length);
  }
}

interface Resolved {
  readonly kem: DhKem;
  readonly kdf: LabeledKdf;
}

function resolve(provider: CryptoProvider, suite: HpkeSuite): Resolved {
  const kemInfo = hpkeKem(suite.kem);
  const hash = hpkeKdf(suite.kdf);
  if (kemInfo === undefined || hash === undefined || hpkeAead(suite.aead) === undefined) {
    throw new UsageError(`HPKE: unsupported suite kem=0x${suite.kem.toString(16)} kdf=0x${suite.kdf.toString(16)} aead=0x${suite.aead.toString(16)}`);
  }
  return { kem: new DhKem(provider, kemInfo), kdf: new LabeledKdf(provider, hash, hpkeSuiteId(suite.kem, suite.kdf, suite.aead)) };
}

function keySchedule(provider: CryptoProvider, suite: HpkeSuite, kdf: LabeledKdf, sharedSecret: Uint8Array, info: Uint8Array): HpkeContext {
  const aeadName = hpkeAead(suite.aead);
  const nk = aeadName ? AEAD_KEY_LENGTH[aeadName] : 0;
  const nn = aeadName ? AEAD_NONCE_LENGTH : 0;
  const pskIdHash = kdf.extract(EMPTY, 'psk_id_hash', EMPTY);
  const infoHash = kdf.extract(EMPTY, 'info_hash', info);
  const keyScheduleContext = concat(new Uint8Array([MODE_BASE]), pskIdHash, infoHash);
  const secret = kdf.extract(sharedSecret, 'secret', EMPTY);
  const schedule: HpkeKeySchedule = {
    sharedSecret,
    keyScheduleContext,
    secret,
    key: nk ? kdf.expand(secret, 'key', keyScheduleContext, nk) : EMPTY,
    baseNonce: nn ? kdf.expand(secret, 'base_nonce', keyScheduleContext, nn) : EMPTY,
    exporterSecret: kdf.expand(secret, 'exp', keyScheduleContext, HASH_LENGTH[kdf.hash]),
  };
  return new HpkeContext(kdf, schedule, provider, suite.aead);
}

/** SetupBaseS(pkR, info) (§5.1.1): the encapsulated key to send and the sender context. */
export function setupBaseSender(
  provider: CryptoProvider,
  suite: HpkeSuite,
  pkR: Uint8Array,
  info: Uint8Array,
  ephemeral?: KeyShare,
): { readonly enc: Uint8Array; readonly context: HpkeContext } {
  const { kem, kdf } = resolve(provider, suite);
  const { sharedSecret, enc } = kem.encap(pkR, ephemeral);
  return { enc, context: keySchedule(provider, suite, kdf, sharedSecret, info) };
}

/** SetupBaseR(enc, skR, info) (§5.1.1). `skR` is the private key bytes. */
export function setupBaseRecipient(provider: CryptoProvider, suite: HpkeSuite, enc: Uint8Array, skR: Uint8Array, info: Uint8Array): HpkeContext {
  const { kem, kdf } = resolve(provider, suite);
  const sharedSecret = kem.decap(enc, kem.keyPair(skR));
  return keySchedule(provider, suite, kdf, sharedSecret, info);
}

/** DeriveKeyPair(ikm) for a KEM (§7.1.3): private key bytes and the serialized public key. */
export function hpkeDeriveKeyPair(provider: CryptoProvider, kemId: number, ikm: Uint8Array): { readonly sk: Uint8Array; readonly pk: Uint8Array } {
  const info = hpkeKem(kemId);
  if (info === undefined) throw new UsageError(`HPKE: unsupported KEM 0x${kemId.toString(16)}`);
  return new DhKem(provider, info).deriveKeyPair(ikm);
}

/** A fresh key pair for a KEM (the server's ECH keys): private key bytes and public key. */
export function hpkeGenerateKeyPair(provider: CryptoProvider, kemId: number): { readonly sk: Uint8Array; readonly pk: Uint8Array } {
  return hpkeDeriveKeyPair(provider, kemId, provider.randomBytes(32));
}
