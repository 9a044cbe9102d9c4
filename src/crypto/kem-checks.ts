// The input checks FIPS 203 §7.2 and §7.3 require before ML-KEM.Encaps / ML-KEM.Decaps. They are
// part of the standard's interface, not of the primitive, so every provider runs the same ones
// (and a provider whose library also checks gets the same answer twice).
import { TlsError } from '../errors/index.js';
import { KEM_SIZES, type KemName } from './provider.js';

/** FIPS 203 §2.4: the modulus q. */
const Q = 3329;

/**
 * FIPS 203 §7.2: an encapsulation key must have exactly 384·k + 32 bytes, and its first 384·k bytes
 * must be 256·k 12-bit coefficients each below q (ByteEncode12(ByteDecode12(ek)) = ek). A TLS server
 * runs this on the client's key share before encapsulating (draft-ietf-tls-ecdhe-mlkem §4).
 * Throws TlsError(illegal_parameter).
 */
export function checkEncapsulationKey(kem: KemName, ek: Uint8Array): void {
  const want = KEM_SIZES[kem].encapsulationKey;
  if (ek.length !== want) {
    throw new TlsError('illegal_parameter', `${kem} encapsulation key must be ${want} bytes, got ${ek.length}`);
  }
  const end = want - 32; // the last 32 bytes are the seed ρ
  let bad = 0;
  for (let i = 0; i < end; i += 3) {
    const b0 = ek[i]!;
    const b1 = ek[i + 1]!;
    const b2 = ek[i + 2]!;
    const c0 = b0 | ((b1 & 0x0f) << 8);
    const c1 = (b1 >> 4) | (b2 << 4);
    // (public data, but no early exit anyway: the cost is the same either way)
    bad |= (c0 >= Q ? 1 : 0) | (c1 >= Q ? 1 : 0);
  }
  if (bad !== 0) {
    throw new TlsError('illegal_parameter', `${kem} encapsulation key fails the FIPS 203 modulus check (a coefficient is not below q = ${Q})`);
  }
}

/** FIPS 203 §7.3: a ciphertext must have exactly the parameter set's length. Throws TlsError(illegal_parameter). */
export function checkCiphertext(kem: KemName, ciphertext: Uint8Array): void {
  const want = KEM_SIZES[kem].ciphertext;
  if (ciphertext.length !== want) {
    throw new TlsError('illegal_parameter', `${kem} ciphertext must be ${want} bytes, got ${ciphertext.length}`);
  }
}
