// The revocation part of the client and server configs (#15): CRLs for the peer's chain, OCSP
// stapling (RFC 6066 §8, RFC 8446 §4.4.2.1) and must-staple (RFC 7633).
import type { CrlInput } from '../x509/crl.js';

/** Checking the peer's chain against CRLs (both sides: the client checks servers, the server client certificates). */
export interface PeerRevocationConfig {
  /** CRLs (PEM/DER/parsed); a revoked certificate anywhere in the peer's path fails the handshake. */
  readonly crls?: readonly CrlInput[];
  /** Which certificates must be covered by a usable CRL: 'none' (default), 'leaf' or 'chain'. */
  readonly crlCheck?: 'none' | 'leaf' | 'chain';
}

export interface ClientRevocationConfig extends PeerRevocationConfig {
  /**
   * Ask the server for a stapled OCSP response (status_request, like node:tls requestOCSP).
   * Default false. A staple, when sent, is verified (issuer or delegated responder signature,
   * CertID, thisUpdate/nextUpdate); 'revoked' fails the handshake; a must-staple (RFC 7633)
   * certificate without a valid staple fails it too.
   */
  readonly requestOCSP?: boolean;
  /** A valid staple saying 'unknown': 'reject' (default) or 'allow'. */
  readonly ocspUnknown?: 'reject' | 'allow';
}

/** The OCSP response a server staples for one certificate (DER OCSPResponse), or a function asked per handshake. */
export type OcspStaple = Uint8Array | (() => Uint8Array | undefined);
