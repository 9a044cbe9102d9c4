// The post-quantum hybrid key exchanges of draft-ietf-tls-ecdhe-mlkem: an ML-KEM encapsulation and
// an ECDHE exchange side by side, their values concatenated (no KDF combiner: the TLS 1.3 key
// schedule takes the concatenated secret as its (EC)DHE input, draft-ietf-tls-hybrid-design §3.3).
// This is protocol composition, not a primitive: any provider with the KEM and the ECDH group gets
// the hybrid from here. TLS 1.3 only.
import { TlsError, UsageError } from '../errors/index.js';
import { NamedGroup } from '../wire/enums.js';
import { KEM_SIZES, type Kem, type KemKeyPair, type KemName, type KeyExchangeAlgorithm, type KeyShare } from './provider.js';

/** One hybrid group: which KEM and which ECDH group, and which part comes first on the wire. */
export interface HybridGroupSpec {
  readonly group: number;
  readonly name: string;
  readonly kem: KemName;
  readonly ecdhGroup: number;
  /** Length of the ECDH public value (X25519: 32; P-256/P-384: uncompressed point). */
  readonly ecdhShareLength: number;
  /**
   * draft-ietf-tls-ecdhe-mlkem §3: X25519MLKEM768 puts ML-KEM first in the client share, the server
   * share and the secret; SecP256r1MLKEM768 and SecP384r1MLKEM1024 put the ECDH part first.
   */
  readonly kemFirst: boolean;
}

export const HYBRID_GROUPS: readonly HybridGroupSpec[] = [
  { group: NamedGroup.X25519MLKEM768, name: 'X25519MLKEM768', kem: 'ml-kem-768', ecdhGroup: NamedGroup.x25519, ecdhShareLength: 32, kemFirst: true },
  { group: NamedGroup.SecP256r1MLKEM768, name: 'SecP256r1MLKEM768', kem: 'ml-kem-768', ecdhGroup: NamedGroup.secp256r1, ecdhShareLength: 65, kemFirst: false },
  { group: NamedGroup.SecP384r1MLKEM1024, name: 'SecP384r1MLKEM1024', kem: 'ml-kem-1024', ecdhGroup: NamedGroup.secp384r1, ecdhShareLength: 97, kemFirst: false },
];

/** The hybrid spec for a NamedGroup, or undefined for a classical group. */
export function hybridGroup(group: number): HybridGroupSpec | undefined {
  return HYBRID_GROUPS.find((h) => h.group === group);
}

/** True for the groups TLS 1.2 can never use (a KEM needs the TLS 1.3 key_share flow). */
export function isTls13OnlyGroup(group: number): boolean {
  return hybridGroup(group) !== undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function illegal(message: string): TlsError {
  return new TlsError('illegal_parameter', message);
}

/**
 * A KeyExchangeAlgorithm for one hybrid group. Its shares carry `ecdhGroup`; `shareWith` builds the
 * hybrid client share around an existing ECDH share (the key pair the client also sends alone).
 */
export interface HybridKeyExchange extends KeyExchangeAlgorithm {
  readonly spec: HybridGroupSpec;
  /**
   * A client share that reuses the ECDH key pair of `ecdh` (a share for `spec.ecdhGroup`), so a
   * ClientHello with shares for X25519MLKEM768 and x25519 makes one X25519 key, not two (as Go and
   * Chromium do; draft-ietf-tls-hybrid-design allows reusing an ECDH share across the groups of
   * one ClientHello; each ClientHello still makes fresh keys).
   */
  shareWith(ecdh: KeyShare): KeyShare;
}

/** True for a KeyExchangeAlgorithm made by `hybridKeyExchange` (one that can reuse an ECDH share). */
export function isHybridKeyExchange(kx: KeyExchangeAlgorithm): kx is HybridKeyExchange {
  const h = kx as Partial<HybridKeyExchange>;
  return typeof h.shareWith === 'function' && h.spec !== undefined && h.spec.group === kx.group;
}

export function hybridKeyExchange(spec: HybridGroupSpec, kem: Kem, ecdh: KeyExchangeAlgorithm): HybridKeyExchange {
  const sizes = KEM_SIZES[spec.kem];
  const clientLength = sizes.encapsulationKey + spec.ecdhShareLength;
  const serverLength = sizes.ciphertext + spec.ecdhShareLength;
  const join = (kemPart: Uint8Array, ecdhPart: Uint8Array): Uint8Array => (spec.kemFirst ? concat(kemPart, ecdhPart) : concat(ecdhPart, kemPart));
  /** Split a peer value of exactly `kemLength + ecdhShareLength` bytes into its two parts. */
  const split = (value: Uint8Array, kemLength: number): { kemPart: Uint8Array; ecdhPart: Uint8Array } =>
    spec.kemFirst
      ? { kemPart: value.subarray(0, kemLength), ecdhPart: value.subarray(kemLength) }
      : { ecdhPart: value.subarray(0, spec.ecdhShareLength), kemPart: value.subarray(spec.ecdhShareLength) };

  const makeShare = (keyPair: KemKeyPair, ecdhShare: KeyShare): KeyShare => ({
    group: spec.group,
    publicKey: join(keyPair.encapsulationKey, ecdhShare.publicKey),
    complete(peer: Uint8Array): Uint8Array {
      // draft-ietf-tls-ecdhe-mlkem §3: the server share is the ciphertext and the ECDH share, exactly.
      if (peer.length !== serverLength) {
        throw illegal(`${spec.name} server key share must be ${serverLength} bytes, got ${peer.length}`);
      }
      const { kemPart, ecdhPart } = split(peer, sizes.ciphertext);
      const kemSecret = kem.decapsulate(keyPair, kemPart);
      const ecdhSecret = ecdhShare.complete(ecdhPart);
      return join(kemSecret, ecdhSecret);
    },
  });
  const shareWith = (ecdhShare: KeyShare): KeyShare => {
    if (ecdhShare.group !== spec.ecdhGroup) throw new UsageError(`${spec.name}: an ECDH share for group ${ecdhShare.group} cannot be reused`);
    return makeShare(kem.keygen(), ecdhShare);
  };

  return {
    group: spec.group,
    name: spec.name,
    spec,
    shareWith,
    generate: () => shareWith(ecdh.generate()),
    fromPrivateKey: (privateKey: Uint8Array): KeyShare => {
      // The KEM seed d ‖ z, then the ECDH private key: reproducible client shares for tests.
      if (privateKey.length <= sizes.seed) {
        throw new UsageError(`${spec.name} private key is the ${sizes.seed}-byte ML-KEM seed followed by the ECDH private key`);
      }
      return makeShare(kem.keygenFromSeed(privateKey.subarray(0, sizes.seed)), ecdh.fromPrivateKey(privateKey.subarray(sizes.seed)));
    },
    respond(peer: Uint8Array): { publicKey: Uint8Array; sharedSecret: Uint8Array } {
      // The client share is the encapsulation key and the ECDH share, exactly; the encapsulation key
      // passes the FIPS 203 §7.2 checks inside kem.encapsulate (both → illegal_parameter).
      if (peer.length !== clientLength) {
        throw illegal(`${spec.name} client key share must be ${clientLength} bytes, got ${peer.length}`);
      }
      const { kemPart, ecdhPart } = split(peer, sizes.encapsulationKey);
      const { ciphertext, sharedSecret: kemSecret } = kem.encapsulate(kemPart);
      const ecdhResult = ecdh.respond(ecdhPart);
      return { publicKey: join(ciphertext, ecdhResult.publicKey), sharedSecret: join(kemSecret, ecdhResult.sharedSecret) };
    },
  };
}

/**
 * The hybrid groups a provider can offer: those whose KEM and ECDH group it implements. A provider
 * adds these to its `keyExchange` table (the node provider does).
 */
export function createHybridKeyExchanges(
  kem: (name: KemName) => Kem | undefined,
  keyExchange: (group: number) => KeyExchangeAlgorithm | undefined,
): HybridKeyExchange[] {
  const out: HybridKeyExchange[] = [];
  for (const spec of HYBRID_GROUPS) {
    const k = kem(spec.kem);
    const e = keyExchange(spec.ecdhGroup);
    if (k && e) out.push(hybridKeyExchange(spec, k, e));
  }
  return out;
}
