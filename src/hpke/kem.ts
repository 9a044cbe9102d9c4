// DHKEM (RFC 9180 §4.1) over the provider's X25519 / P-256 key exchange.
import { concat } from '../bytes/util.js';
import type { CryptoProvider, KeyExchangeAlgorithm, KeyShare } from '../crypto/provider.js';
import { TlsError, UsageError } from '../errors/errors.js';
import { kemSuiteId, LabeledKdf } from './labeled.js';
import type { DhKemInfo } from './suite.js';

export class DhKem {
  private readonly kdf: LabeledKdf;
  private readonly kx: KeyExchangeAlgorithm;

  constructor(
    provider: CryptoProvider,
    readonly info: DhKemInfo,
  ) {
    const kx = provider.keyExchange(info.group);
    if (kx === undefined) throw new UsageError(`HPKE: the crypto provider has no key exchange for KEM 0x${info.id.toString(16)}`);
    this.kx = kx;
    this.kdf = new LabeledKdf(provider, info.hash, kemSuiteId(info.id));
  }

  /** A key pair from a private key (SerializePrivateKey bytes). */
  keyPair(sk: Uint8Array): KeyShare {
    return this.kx.fromPrivateKey(sk);
  }

  /** DeriveKeyPair(ikm) (§7.1.3): the private key bytes. */
  deriveKeyPair(ikm: Uint8Array): { readonly sk: Uint8Array; readonly pk: Uint8Array } {
    const dkpPrk = this.kdf.extract(new Uint8Array(0), 'dkp_prk', ikm);
    if (this.info.bitmask === undefined) {
      const sk = this.kdf.expand(dkpPrk, 'sk', new Uint8Array(0), this.info.nSk);
      return { sk, pk: this.kx.fromPrivateKey(sk).publicKey };
    }
    // NIST curves: rejection sampling; a candidate that is zero or ≥ the order is refused by the provider.
    for (let counter = 0; counter < 256; counter++) {
      const sk = this.kdf.expand(dkpPrk, 'candidate', new Uint8Array([counter]), this.info.nSk);
      sk[0] = sk[0]! & this.info.bitmask;
      let pair: KeyShare;
      try {
        pair = this.kx.fromPrivateKey(sk);
      } catch (e) {
        if (e instanceof UsageError) continue;
        throw e;
      }
      if (sk.every((b) => b === 0)) continue;
      return { sk, pk: pair.publicKey };
    }
    throw new TlsError('internal_error', 'HPKE DeriveKeyPair: no valid candidate (DeriveKeyPairError)');
  }

  private extractAndExpand(dh: Uint8Array, kemContext: Uint8Array): Uint8Array {
    const eaePrk = this.kdf.extract(new Uint8Array(0), 'eae_prk', dh);
    return this.kdf.expand(eaePrk, 'shared_secret', kemContext, this.info.nSecret);
  }

  /** Encap(pkR) with a fresh ephemeral key (or `ephemeral`, for known-answer tests). */
  encap(pkR: Uint8Array, ephemeral?: KeyShare): { readonly sharedSecret: Uint8Array; readonly enc: Uint8Array } {
    if (pkR.length !== this.info.nPk) throw new TlsError('illegal_parameter', `HPKE: public key must be ${this.info.nPk} bytes, got ${pkR.length}`);
    const e = ephemeral ?? this.kx.generate();
    const dh = e.complete(pkR); // rejects invalid points and an all-zero X25519 result (§7.1.4 ValidationError)
    const enc = e.publicKey;
    return { sharedSecret: this.extractAndExpand(dh, concat(enc, pkR)), enc };
  }

  /** Decap(enc, skR). Throws TlsError(illegal_parameter) for a malformed or low-order `enc`. */
  decap(enc: Uint8Array, recipient: KeyShare): Uint8Array {
    if (enc.length !== this.info.nEnc) throw new TlsError('illegal_parameter', `HPKE: enc must be ${this.info.nEnc} bytes, got ${enc.length}`);
    const dh = recipient.complete(enc);
    return this.extractAndExpand(dh, concat(enc, recipient.publicKey));
  }
}
