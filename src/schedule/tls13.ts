// The TLS 1.3 key schedule (RFC 8446 §7.1) as three stages. Each stage is its own type and is
// reached only from the one before it, once:
//
//   EarlySecret.start(psk?) ──intoHandshake((EC)DHE)──▶ HandshakeSecret ──intoMaster()──▶ MasterSecret
//
// A stage's secret is wiped (best effort: zero-filled) when the next stage is derived, and a used
// stage refuses further calls, so handshake secrets cannot be derived twice or out of order.
// Transcript hashes come from `Transcript`; the per-purpose derivations below (§7.2, §7.3, §4.4.4,
// §4.6.1, §4.2.11.2, §7.5) are plain functions of a secret.
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { HASH_LENGTH } from '../crypto/provider.js';
import type { Tls13Suite } from '../crypto/suites.js';
import { constantTimeEqual, utf8 } from '../bytes/util.js';
import { internalError } from '../errors/errors.js';
import { deriveSecret, hkdfExpandLabel } from './hkdf-label.js';

/** An AEAD key and the 12-byte IV the per-record nonce is built from (RFC 8446 §7.3). */
export interface TrafficKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

export interface TrafficSecretPair {
  readonly client: Uint8Array;
  readonly server: Uint8Array;
}

const EMPTY = new Uint8Array(0);
/** Not exported: only this module can create the later stages, so no stage can be skipped. */
const STAGE: unique symbol = Symbol('tls13 key schedule stage');
const EMPTY_HASHES = new WeakMap<CryptoProvider, Map<HashName, Uint8Array>>();

/** Hash("") for Derive-Secret(., ., "") — computed once per provider and hash. */
function emptyHash(provider: CryptoProvider, hash: HashName): Uint8Array {
  let m = EMPTY_HASHES.get(provider);
  if (m === undefined) EMPTY_HASHES.set(provider, (m = new Map()));
  let h = m.get(hash);
  if (h === undefined) m.set(hash, (h = provider.digest(hash, EMPTY)));
  return h;
}

/** The Early Secret without a PSK and its "derived" salt: public constants, per provider and hash. */
interface ZeroPskSecrets {
  readonly early: Uint8Array;
  readonly derived: Uint8Array;
}
const ZERO_PSK = new WeakMap<CryptoProvider, Map<HashName, ZeroPskSecrets>>();

/**
 * Without a PSK, Early Secret = HKDF-Extract(0, 0^HashLen) and its Derive-Secret(., "derived", "")
 * depend on nothing but the hash: computed once per provider and hash instead of two HMACs per
 * full handshake. Callers get copies (stages wipe their secrets).
 */
function zeroPskSecrets(provider: CryptoProvider, hash: HashName): ZeroPskSecrets {
  let m = ZERO_PSK.get(provider);
  if (m === undefined) ZERO_PSK.set(provider, (m = new Map()));
  let z = m.get(hash);
  if (z === undefined) {
    const zeros = new Uint8Array(HASH_LENGTH[hash]);
    const early = provider.hkdfExtract(hash, zeros, zeros);
    z = { early, derived: deriveSecret(provider, hash, early, 'derived', emptyHash(provider, hash)) };
    m.set(hash, z);
  }
  return z;
}

abstract class Stage {
  private used = false;
  private wiped = false;
  /** This stage's "derived" salt when it is a known constant (the Early Secret without a PSK). */
  protected knownDerived: Uint8Array | undefined;
  protected constructor(
    protected readonly provider: CryptoProvider,
    readonly hash: HashName,
    private readonly value: Uint8Array,
  ) {}

  /** The stage's secret (for key logs and tests). Unavailable once the next stage exists. */
  get secret(): Uint8Array {
    return this.live('secret');
  }

  get hashLength(): number {
    return HASH_LENGTH[this.hash];
  }

  protected live(what: string): Uint8Array {
    if (this.wiped) throw internalError(`${this.constructor.name}: ${what} after the next stage was derived`);
    return this.value;
  }

  protected derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.provider, this.hash, this.live(label), label, transcriptHash);
  }

  /** The "derived" salt for the next extract, then wipe this stage. One call only. */
  protected advance(what: string): Uint8Array {
    if (this.used) throw internalError(`${this.constructor.name}: ${what} was already derived`);
    this.used = true;
    const salt = this.knownDerived !== undefined ? this.knownDerived.slice() : this.derive('derived', emptyHash(this.provider, this.hash));
    this.value.fill(0);
    this.wiped = true;
    return salt;
  }

  protected onceFlags = new Set<string>();
  protected once(what: string): void {
    if (this.onceFlags.has(what)) throw internalError(`${this.constructor.name}: ${what} was already derived`);
    this.onceFlags.add(what);
  }
}

/** Early Secret = HKDF-Extract(0, PSK), with PSK = 0^HashLen when there is none. */
export class EarlySecret extends Stage {
  private constructor(provider: CryptoProvider, hash: HashName, secret: Uint8Array) {
    super(provider, hash, secret);
  }

  /** Start a key schedule. `psk` absent → a full handshake (PSK = HashLen zeros). */
  static start(provider: CryptoProvider, hash: HashName, psk?: Uint8Array): EarlySecret {
    if (psk === undefined) {
      const z = zeroPskSecrets(provider, hash);
      const early = new EarlySecret(provider, hash, z.early.slice());
      early.knownDerived = z.derived;
      return early;
    }
    return new EarlySecret(provider, hash, provider.hkdfExtract(hash, new Uint8Array(HASH_LENGTH[hash]), psk));
  }

  /**
   * binder_key: "res binder" for resumption PSKs (tickets), "ext binder" for external PSKs
   * (RFC 8446 §7.1), = Derive-Secret(Early Secret, label, "").
   */
  binderKey(kind: 'resumption' | 'external'): Uint8Array {
    return this.derive(kind === 'resumption' ? 'res binder' : 'ext binder', emptyHash(this.provider, this.hash));
  }

  /** client_early_traffic_secret = Derive-Secret(., "c e traffic", ClientHello). */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Uint8Array {
    return this.derive('c e traffic', clientHelloHash);
  }

  /** early_exporter_master_secret = Derive-Secret(., "e exp master", ClientHello). */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Uint8Array {
    return this.derive('e exp master', clientHelloHash);
  }

  /**
   * Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE). Without a shared
   * secret (psk_ke) the input is HashLen zeros. Wipes the early secret; one call only.
   */
  intoHandshake(sharedSecret?: Uint8Array): HandshakeSecret {
    const salt = this.advance('the handshake secret');
    const ikm = sharedSecret ?? new Uint8Array(this.hashLength);
    return HandshakeSecret.create(STAGE, this.provider, this.hash, salt, this.provider.hkdfExtract(this.hash, salt, ikm));
  }
}

export class HandshakeSecret extends Stage {
  private constructor(provider: CryptoProvider, hash: HashName, readonly salt: Uint8Array, secret: Uint8Array) {
    super(provider, hash, secret);
  }

  /** Reached only through `EarlySecret.intoHandshake` (the token is module-private). */
  static create(token: typeof STAGE, provider: CryptoProvider, hash: HashName, salt: Uint8Array, secret: Uint8Array): HandshakeSecret {
    if (token !== STAGE) throw internalError('HandshakeSecret can only be derived from the previous stage');
    return new HandshakeSecret(provider, hash, salt, secret);
  }

  /**
   * client/server_handshake_traffic_secret = Derive-Secret(., "c hs traffic" / "s hs traffic",
   * ClientHello...ServerHello). One call only.
   */
  trafficSecrets(helloHash: Uint8Array): TrafficSecretPair {
    this.once('the handshake traffic secrets');
    return { client: this.derive('c hs traffic', helloHash), server: this.derive('s hs traffic', helloHash) };
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(., "derived", ""), 0). Wipes this stage; one call only. */
  intoMaster(): MasterSecret {
    const salt = this.advance('the master secret');
    const secret = this.provider.hkdfExtract(this.hash, salt, new Uint8Array(this.hashLength));
    return MasterSecret.create(STAGE, this.provider, this.hash, salt, secret);
  }
}

export class MasterSecret extends Stage {
  private constructor(provider: CryptoProvider, hash: HashName, readonly salt: Uint8Array, secret: Uint8Array) {
    super(provider, hash, secret);
  }

  /** Reached only through `HandshakeSecret.intoMaster` (the token is module-private). */
  static create(token: typeof STAGE, provider: CryptoProvider, hash: HashName, salt: Uint8Array, secret: Uint8Array): MasterSecret {
    if (token !== STAGE) throw internalError('MasterSecret can only be derived from the previous stage');
    return new MasterSecret(provider, hash, salt, secret);
  }

  /**
   * client/server_application_traffic_secret_0 = Derive-Secret(., "c ap traffic" / "s ap traffic",
   * ClientHello...server Finished). One call only.
   */
  applicationTrafficSecrets(serverFinishedHash: Uint8Array): TrafficSecretPair {
    this.once('the application traffic secrets');
    return { client: this.derive('c ap traffic', serverFinishedHash), server: this.derive('s ap traffic', serverFinishedHash) };
  }

  /** exporter_master_secret = Derive-Secret(., "exp master", ClientHello...server Finished). */
  exporterMasterSecret(serverFinishedHash: Uint8Array): Uint8Array {
    this.once('the exporter master secret');
    return this.derive('exp master', serverFinishedHash);
  }

  /** resumption_master_secret = Derive-Secret(., "res master", ClientHello...client Finished). */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Uint8Array {
    this.once('the resumption master secret');
    return this.derive('res master', clientFinishedHash);
  }
}

/** RFC 8446 §7.3: write key = HKDF-Expand-Label(secret, "key", "", key_length), write iv likewise ("iv"). */
export function trafficKeys(provider: CryptoProvider, suite: Tls13Suite, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(provider, suite.hash, secret, 'key', EMPTY, suite.keyLength),
    iv: hkdfExpandLabel(provider, suite.hash, secret, 'iv', EMPTY, suite.ivLength),
  };
}

/** RFC 8446 §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length). */
export function nextTrafficSecret(provider: CryptoProvider, hash: HashName, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, secret, 'traffic upd', EMPTY, HASH_LENGTH[hash]);
}

/** RFC 8446 §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length). */
export function finishedKey(provider: CryptoProvider, hash: HashName, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, baseKey, 'finished', EMPTY, HASH_LENGTH[hash]);
}

/**
 * RFC 8446 §4.4.4: verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context,
 * Certificate*, CertificateVerify*)). `baseKey` is the sender's handshake traffic secret
 * (or, after the handshake, its application traffic secret for post-handshake auth).
 */
export function finishedVerifyData(
  provider: CryptoProvider,
  hash: HashName,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
): Uint8Array {
  return provider.hmac(hash, finishedKey(provider, hash, baseKey), transcriptHash);
}

/** Check a received Finished in constant time. */
export function verifyFinished(
  provider: CryptoProvider,
  hash: HashName,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
  received: Uint8Array,
): boolean {
  return constantTimeEqual(finishedVerifyData(provider, hash, baseKey, transcriptHash), received);
}

/**
 * RFC 8446 §4.2.11.2: a PSK binder is a Finished computed with binder_key as the base key over
 * Transcript-Hash(Truncate(ClientHello)) — the partial ClientHello up to, not including, the
 * binders list (preceded by ClientHello1 and the HelloRetryRequest after an HRR).
 */
export function pskBinder(
  provider: CryptoProvider,
  hash: HashName,
  binderKey: Uint8Array,
  truncatedTranscriptHash: Uint8Array,
): Uint8Array {
  return finishedVerifyData(provider, hash, binderKey, truncatedTranscriptHash);
}

/** RFC 8446 §4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
export function resumptionPsk(
  provider: CryptoProvider,
  hash: HashName,
  resumptionMasterSecret: Uint8Array,
  ticketNonce: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, hash, resumptionMasterSecret, 'resumption', ticketNonce, HASH_LENGTH[hash]);
}

/**
 * RFC 8446 §7.5: TLS-Exporter(label, context_value, key_length) =
 *   HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length)
 * with Secret the (early_)exporter_master_secret. `label` is UTF-8 text or bytes (it gets the
 * "tls13 " prefix like every HKDF label). In TLS 1.3 an absent context is the same as an empty
 * one (§7.5: "providing no context computes the same value as providing an empty context"),
 * unlike TLS 1.2's RFC 5705 exporter; `context` may therefore be omitted or empty.
 */
export function exportKeyingMaterial(
  provider: CryptoProvider,
  hash: HashName,
  exporterMasterSecret: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  const labelBytes = typeof label === 'string' ? utf8(label) : label;
  const n = HASH_LENGTH[hash];
  const derived = hkdfExpandLabel(provider, hash, exporterMasterSecret, labelBytes, emptyHash(provider, hash), n);
  const contextHash = provider.digest(hash, context ?? EMPTY);
  return hkdfExpandLabel(provider, hash, derived, 'exporter', contextHash, length);
}
