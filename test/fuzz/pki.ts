// Deterministic keys, certificates and clock for the fuzzer's in-memory handshakes: Ed25519 keys
// from a seeded random source (Ed25519 signatures are deterministic too), so a seeded handshake
// produces the same bytes on every run and a recorded mutation replays exactly.
import { readFileSync } from 'node:fs';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { createNodeCryptoProvider } from '../../src/crypto/node/index.js';
import type { CryptoProvider, PublicKey } from '../../src/crypto/provider.js';
import { issueCertificate } from '../../src/x509/builder.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { issueCrl, issueOcspResponse } from '../../src/x509/revocation-builder.js';
import { encodeOcspRequest } from '../../src/x509/ocsp.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { Rng } from './prng.js';

/** The fuzzer's fixed clock: 2026-01-01T00:00:00Z. */
export const NOW = Date.UTC(2026, 0, 1);
export const now = (): number => NOW;

let stream = new Rng(0);

const base = createNodeCryptoProvider({ randomBytes: (n) => stream.bytes(n) });

/**
 * RSA PKCS#1 v1.5 encryption (TLS 1.2 RSA key transport) with its padding from the seeded stream
 * too (RFC 8017 §7.2.1: EM = 0x00 || 0x02 || PS || 0x00 || M, PS nonzero), so that the client's
 * ClientKeyExchange is the same on every run. The RSA operation itself is node's.
 */
function rsaEncryptPkcs1(key: PublicKey, data: Uint8Array): Uint8Array {
  const k = (key.bits ?? 0) / 8;
  const em = new Uint8Array(k);
  em[1] = 2;
  const ps = k - 3 - data.length;
  for (let i = 0; i < ps; i++) {
    let b = 0;
    while (b === 0) b = stream.bytes(1)[0]!;
    em[2 + i] = b;
  }
  em.set(data, k - data.length);
  const pub = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
  return new Uint8Array(publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, em));
}

/** Random bytes from a stream that `reseed` resets: each handshake starts from the same state. */
export const provider: CryptoProvider = Object.freeze({ ...base, rsaEncryptPkcs1 });

export function reseed(...seed: number[]): void {
  stream = new Rng(0x5eed, ...seed);
}

export interface FuzzPki {
  readonly caPem: string;
  readonly caDer: Uint8Array;
  readonly server: CertifiedKey;
  readonly client: CertifiedKey;
  /** An RSA-2048 server (fixed key from rsa-2048.key.pem: RSA key generation cannot be seeded). */
  readonly rsaServer: CertifiedKey;
  readonly trust: TrustStore;
  /** Ticket keys for the servers (fixed, so tickets made in one run resume in another). */
  readonly ticketKeys: readonly Uint8Array[];
  /** A CRL revoking the client certificate and a good OCSP response for the server (seeds, #15). */
  readonly crl: Uint8Array;
  readonly ocspResponse: Uint8Array;
  readonly ocspRequest: Uint8Array;
  /** PEM texts of everything above (seeds for the PEM fuzzer). */
  readonly pems: readonly string[];
}

let cached: FuzzPki | undefined;

export function fuzzPki(): FuzzPki {
  if (cached) return cached;
  reseed(0xca);
  const day = 86_400_000;
  const validity = { notBefore: NOW - 30 * day, notAfter: NOW + 365 * day };
  const caKey = provider.generatePrivateKey({ type: 'ed25519' });
  const ca = issueCertificate({ provider, subject: 'CN=Fuzz CA, O=hush', key: caKey, ca: true, serialNumber: 1n, ...validity });
  const leaf = (cn: string, dns: string[], eku: string[], serial: bigint): CertifiedKey & { pem: string } => {
    const key = provider.generatePrivateKey({ type: 'ed25519' });
    const cert = issueCertificate({
      provider, subject: `CN=${cn}`, key: key.publicKey, issuer: { certificate: ca.der, key: caKey },
      serialNumber: serial, dnsNames: dns, ipAddresses: dns.length ? ['127.0.0.1', '::1'] : [], extKeyUsage: eku, ...validity,
    });
    return { chain: [cert.der, ca.der], key, pem: cert.pem };
  };
  const server = leaf('fuzz.test', ['fuzz.test', '*.fuzz.test'], ['serverAuth'], 2n);
  const client = leaf('Fuzz Client', [], ['clientAuth'], 3n);
  const rsaKey = provider.importPrivateKey(readFileSync(new URL('./rsa-2048.key.pem', import.meta.url), 'utf8'));
  const rsaCert = issueCertificate({
    provider, subject: 'CN=fuzz.test, OU=rsa', key: rsaKey.publicKey, issuer: { certificate: ca.der, key: caKey },
    serialNumber: 4n, dnsNames: ['fuzz.test'], ...validity,
  });
  const crl = issueCrl({
    provider, issuer: { certificate: ca.der, key: caKey }, thisUpdate: NOW - day, nextUpdate: NOW + 7 * day,
    revoked: [{ serial: 3n, date: NOW - day, reason: 'keyCompromise' }], scope: { onlyContainsUserCerts: true },
  });
  const ocspResponse = issueOcspResponse({
    provider, certificate: server.chain[0]!, issuer: ca.der, signer: { certificate: ca.der, key: caKey },
    status: { status: 'good' }, thisUpdate: NOW - 3600_000, nextUpdate: NOW + day,
  });
  const ocspRequest = encodeOcspRequest(provider, parseCertificate(server.chain[0]!), ca.certificate);
  cached = {
    crl: crl.der,
    ocspResponse: ocspResponse.der,
    ocspRequest,
    caPem: ca.pem,
    caDer: ca.der,
    server: { chain: server.chain, key: server.key },
    client: { chain: client.chain, key: client.key },
    rsaServer: { chain: [rsaCert.der, ca.der], key: rsaKey },
    trust: new TrustStore([ca.pem]),
    ticketKeys: [new Rng(0x71c).bytes(32)],
    pems: [ca.pem, server.pem, client.pem, ca.pem + server.pem, rsaCert.pem],
  };
  return cached;
}
