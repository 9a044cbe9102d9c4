// TLS 1.2 RSA key transport (RFC 5246 §7.4.7.1): the client encrypts a 48-byte premaster secret to
// the server's certificate key with RSAES-PKCS1-v1_5; the server decrypts it without ever
// revealing whether the padding was valid (Bleichenbacher 1998, Klima-Pokorny-Rosa 2003, ROBOT 2017).
import { DerReader } from '../../asn1/index.js';
import { TlsError, UsageError, internalError } from '../../errors/index.js';
import type { CryptoProvider, PrivateKey, PublicKey } from '../../crypto/provider.js';
import { pkcs1Type2UnpadFixed } from '../../crypto/pkcs1.js';

/** RFC 5246 §7.4.7.1: `struct { ProtocolVersion client_version; opaque random[46]; } PreMasterSecret`. */
export const PRE_MASTER_SECRET_LENGTH = 48;

function checkVersion(v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new UsageError(`client hello version must be a uint16, got ${v}`);
}

/**
 * Client side. `clientHelloVersion` is the version the client put in ClientHello.legacy_version
 * (0x0303), NOT the negotiated one: RFC 5246 §7.4.7.1 uses it to detect version rollback.
 */
export function encryptPreMasterSecret(
  provider: CryptoProvider,
  serverKey: PublicKey,
  clientHelloVersion: number,
): { preMasterSecret: Uint8Array; encrypted: Uint8Array } {
  checkVersion(clientHelloVersion);
  // RFC 5246 §7.4.2: for RSA key exchange the certificate must carry an rsaEncryption key.
  // (An id-RSASSA-PSS key is signature-only, RFC 4055 §1.2.)
  if (serverKey.type !== 'rsa') {
    throw new TlsError(
      'unsupported_certificate',
      `the server chose an RSA key exchange cipher suite, but its certificate key is ${serverKey.type}, not an RSA encryption key`,
    );
  }
  const preMasterSecret = new Uint8Array(PRE_MASTER_SECRET_LENGTH);
  preMasterSecret[0] = clientHelloVersion >> 8;
  preMasterSecret[1] = clientHelloVersion & 0xff;
  preMasterSecret.set(provider.randomBytes(PRE_MASTER_SECRET_LENGTH - 2), 2);
  const encrypted = provider.rsaEncryptPkcs1(serverKey, preMasterSecret);
  return { preMasterSecret, encrypted };
}

/**
 * Server side: the premaster secret, always 48 bytes, never an error for a bad ciphertext.
 *
 * RFC 5246 §7.4.7.1, step by step:
 *   1. Generate a string R of 48 random bytes.
 *   2. Decrypt the message to recover the plaintext M.
 *   3. If the PKCS#1 padding is not correct, or the length of M is not exactly 48 bytes:
 *        pre_master_secret = R
 *      else if M[0..1] != ClientHello.client_version:
 *        pre_master_secret = R
 *      else:
 *        pre_master_secret = M
 * (hush never disables the version check, the RFC's TLS 1.0 exception.)
 *
 * ROBOT reasoning: an attacker who can tell "padding valid" from "padding invalid" — by a different
 * alert, a different message, a closed connection, or a timing difference — gets a
 * Bleichenbacher oracle and can decrypt a recorded ClientKeyExchange (or sign with the server's
 * key) with ~10^4–10^6 queries. So every failure here is silent and takes the same path:
 *   - R is drawn before anything else, whether or not it is used (so the randomness call is not a
 *     tell), and it is not drawn lazily on failure;
 *   - the RSA operation always runs: a ciphertext of the wrong length or ≥ n (both public facts,
 *     but an early return would still make the function's timing bimodal) gets a substitute
 *     ciphertext decrypted in its place;
 *   - padding, the length of M (by expecting exactly 48 bytes, so the separator position is fixed)
 *     and the version bytes are checked with arithmetic masks, no branches on secret data;
 *   - R or M is chosen byte by byte with the mask.
 * A wrong premaster then shows up only as a Finished mismatch, exactly like any other wrong key.
 * The caller must keep it that way: no alert, log line or state change may depend on which
 * branch was taken (there is no way to learn it from this function anyway).
 * Only a wrong-length ClientKeyExchange *vector encoding* is a decode_error, in the message codec:
 * that is a property of the public framing, not of the RSA plaintext.
 */
export function decryptPreMasterSecret(
  provider: CryptoProvider,
  key: PrivateKey,
  encrypted: Uint8Array,
  clientHelloVersion: number,
): Uint8Array {
  // Step 1: R first, always.
  const random = provider.randomBytes(PRE_MASTER_SECRET_LENGTH);
  checkVersion(clientHelloVersion);
  if (key.type !== 'rsa' || key.bits === undefined) {
    // Our own configuration, not the peer's input: suite selection must not pick RSA key exchange
    // without an rsaEncryption key.
    throw internalError(`RSA key exchange needs an rsaEncryption private key, but the configured key is ${key.type}`);
  }
  const k = (key.bits + 7) >> 3;

  // Step 2: decrypt. `publicOk` is 0x00 when the ciphertext is unusable for reasons anyone can
  // see (its length, or c ≥ n: the modulus is public). Such a ciphertext is replaced by a
  // substitute and decrypted all the same, so that no early return makes the timing bimodal.
  let publicOk = 0xff;
  let input = encrypted;
  if (encrypted.length !== k || !lessThanModulus(key.publicKey, encrypted)) {
    publicOk = 0;
    input = substituteCiphertext(k);
  }
  let em: Uint8Array;
  try {
    em = provider.rsaDecryptRaw(key, input);
  } catch (e) {
    // c ≥ n (RFC 8017 §5.1.2 "ciphertext representative out of range") when the modulus could not
    // be read above: still spend an RSA operation.
    if (!(e instanceof TlsError) || e.alertName !== 'decode_error') throw e;
    publicOk = 0;
    em = provider.rsaDecryptRaw(key, substituteCiphertext(k));
  }

  // Step 3: padding and length (fixed 48-byte message), then the version, all as masks.
  const { validMask, message } = pkcs1Type2UnpadFixed(em, PRE_MASTER_SECRET_LENGTH);
  const versionOk =
    ((((message[0]! ^ (clientHelloVersion >> 8)) | (message[1]! ^ (clientHelloVersion & 0xff))) - 1) >> 31) & 0xff;
  const mask = publicOk & validMask & versionOk;
  const notMask = ~mask & 0xff;
  const out = new Uint8Array(PRE_MASTER_SECRET_LENGTH);
  for (let i = 0; i < PRE_MASTER_SECRET_LENGTH; i++) out[i] = (message[i]! & mask) | (random[i]! & notMask);
  message.fill(0);
  em.fill(0);
  return out;
}

/** A well-formed ciphertext (c = 2 < n) to decrypt in place of an unusable one. */
function substituteCiphertext(k: number): Uint8Array {
  const c = new Uint8Array(k);
  c[k - 1] = 2;
  return c;
}

const MODULI = new WeakMap<PublicKey, Uint8Array | null>();

/**
 * c < n, for a k-byte c; true when the modulus cannot be read (rsaDecryptRaw then decides). Both
 * values are public, so an ordinary comparison is fine.
 */
function lessThanModulus(key: PublicKey, c: Uint8Array): boolean {
  let n = MODULI.get(key);
  if (n === undefined) {
    n = readModulus(key.spki) ?? null;
    MODULI.set(key, n);
  }
  if (n === null) return true;
  const pad = c.length - n.length;
  if (pad < 0) return true; // cannot happen for k = ceil(bits / 8)
  for (let i = 0; i < pad; i++) if (c[i] !== 0) return false;
  for (let i = 0; i < n.length; i++) {
    if (c[pad + i]! !== n[i]!) return c[pad + i]! < n[i]!;
  }
  return false; // c = n
}

/** The modulus of an rsaEncryption SubjectPublicKeyInfo (RFC 8017 §A.1.1 RSAPublicKey). */
function readModulus(spki: Uint8Array): Uint8Array | undefined {
  try {
    const outer = new DerReader(spki, 'SubjectPublicKeyInfo').sequence('SubjectPublicKeyInfo');
    outer.sequence('algorithm');
    const rsa = new DerReader(outer.bitStringBytes('subjectPublicKey'), 'RSAPublicKey').sequence('RSAPublicKey');
    return rsa.unsignedInteger('modulus', 2048);
  } catch {
    return undefined;
  }
}
