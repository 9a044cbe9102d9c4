// getSharedSigalgs() as node answers it: the signature schemes both sides accept, named like
// OpenSSL's SSL_get_shared_sigalgs (node 20/OpenSSL 3.0 and node 24/OpenSSL 3.5 agree on these
// names, measured: 'ECDSA+SHA256', 'Ed25519+UNDEF', 'RSA-PSS+SHA256' for both the rsae and the pss
// variant, 'id-ml-dsa-65+UNDEF').
import { schemeAllowedIn12, schemeInfo } from '../crypto/signature.js';
import { SignatureSchemes } from '../wire/enums.js';

const OPENSSL_SIGALG: Readonly<Record<string, string>> = {
  ecdsa_secp256r1_sha256: 'ECDSA+SHA256',
  ecdsa_secp384r1_sha384: 'ECDSA+SHA384',
  ecdsa_secp521r1_sha512: 'ECDSA+SHA512',
  ed25519: 'Ed25519+UNDEF',
  ed448: 'Ed448+UNDEF',
  rsa_pss_rsae_sha256: 'RSA-PSS+SHA256',
  rsa_pss_rsae_sha384: 'RSA-PSS+SHA384',
  rsa_pss_rsae_sha512: 'RSA-PSS+SHA512',
  rsa_pss_pss_sha256: 'RSA-PSS+SHA256',
  rsa_pss_pss_sha384: 'RSA-PSS+SHA384',
  rsa_pss_pss_sha512: 'RSA-PSS+SHA512',
  rsa_pkcs1_sha256: 'RSA+SHA256',
  rsa_pkcs1_sha384: 'RSA+SHA384',
  rsa_pkcs1_sha512: 'RSA+SHA512',
  rsa_pkcs1_sha1: 'RSA+SHA1',
  ecdsa_sha1: 'ECDSA+SHA1',
  mldsa44: 'id-ml-dsa-44+UNDEF',
  mldsa65: 'id-ml-dsa-65+UNDEF',
  mldsa87: 'id-ml-dsa-87+UNDEF',
};

/** OpenSSL's name of a signature scheme (hush's IANA name for one OpenSSL does not name). */
export function opensslSigalgName(id: number): string {
  const name = SignatureSchemes.name(id);
  return OPENSSL_SIGALG[name] ?? name;
}

/**
 * The schemes in both `own` (what this side accepts) and `peer` (the ClientHello's list on a
 * server, the CertificateRequest's on a client) that hush implements (SHA-1 ones never: OpenSSL 3
 * leaves them out too), TLS 1.3-only ones not for TLS 1.2; in our order when `ownOrder` (a server
 * with honorCipherOrder, node's default: OpenSSL's SSL_OP_CIPHER_SERVER_PREFERENCE), else the
 * peer's. OpenSSL's names.
 */
export function sharedSigalgNames(own: readonly number[], peer: readonly number[], ownOrder: boolean, tls12: boolean): string[] {
  const [pref, allow] = ownOrder ? [own, peer] : [peer, own];
  const out: string[] = [];
  const seen = new Set<number>();
  for (const id of pref) {
    if (seen.has(id) || !allow.includes(id) || schemeInfo(id) === undefined || (tls12 && !schemeAllowedIn12(id))) continue;
    seen.add(id);
    out.push(opensslSigalgName(id));
  }
  return out;
}
