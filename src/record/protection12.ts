// TLS 1.2 record protection (RFC 5246 §6.2.3): AEAD (AES-GCM RFC 5288 with an 8-byte explicit
// nonce = the sequence number; ChaCha20-Poly1305 RFC 7905 with no explicit nonce) and, for the
// client's legacy CBC suites, MAC-then-encrypt (§6.2.3.2) or encrypt-then-MAC (RFC 7366).
// CONTRACT (filled in by the schedule/record work).
import { internalError } from '../errors/errors.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { Tls12Suite } from '../crypto/suites.js';
import type { Keys12 } from '../schedule/tls12.js';
import type { TlsRecord } from './deframer.js';
import type { OpenedRecord, RecordOpener, RecordSealer } from './protection.js';

export interface Protection12Options {
  /** RFC 7366 encrypt-then-MAC was negotiated (CBC suites only; ignored for AEAD). */
  readonly encryptThenMac?: boolean;
  /** Largest plaintext per record (default 2^14). */
  readonly maxFragmentLength?: number;
  /** CBC only: where explicit IVs come from (the provider's randomBytes by default). */
}

export class RecordSealer12 implements RecordSealer {
  readonly needsKeyUpdate = false;
  constructor(_provider: CryptoProvider, readonly suite: Tls12Suite, _keys: Keys12, _options: Protection12Options = {}) {}
  seal(_type: number, _data: Uint8Array): Uint8Array {
    throw internalError('RecordSealer12: not implemented yet');
  }
}

export class RecordOpener12 implements RecordOpener {
  readonly protectsAllTypes = true;
  constructor(_provider: CryptoProvider, readonly suite: Tls12Suite, _keys: Keys12, _options: Protection12Options = {}) {}
  open(_record: TlsRecord): OpenedRecord {
    throw internalError('RecordOpener12: not implemented yet');
  }
}
