// Revocation options of connect() and createServer() (#15): CRLs (`crls`, and node's `crl`),
// `requestOCSP` and the 'OCSPResponse' event (node:tls semantics) on the client, a stapled OCSP
// response (`ocspStaple`) on the server.
import { UsageError } from '../errors/errors.js';
import type { CertifiedKey } from '../handshake/config.js';
import type { ClientRevocationConfig, OcspStaple, PeerRevocationConfig } from '../handshake/revocation-config.js';
import { parseCrlInputs } from '../x509/revocation.js';
import { parseOcspResponse } from '../x509/ocsp.js';
import { parseCertificate } from '../x509/certificate.js';
import type { Crl, CrlInput } from '../x509/crl.js';

type CrlOption = string | Uint8Array | Crl | readonly (string | Uint8Array | Crl)[];

export interface PeerRevocationOptions {
  /** CRLs (PEM text with "X509 CRL" blocks, DER Buffers, or parsed): a revoked certificate in the peer's path fails the handshake. */
  crls?: CrlOption;
  /** node:tls's name for the same (PEM CRLs); like node (OpenSSL's CRL_CHECK | CRL_CHECK_ALL), it makes crlCheck default to 'chain'. */
  crl?: CrlOption;
  /** Which certificates need a usable CRL: 'none' (default; 'chain' when node's `crl` is given), 'leaf' or 'chain'. */
  crlCheck?: 'none' | 'leaf' | 'chain';
}

export interface ClientRevocationOptions extends PeerRevocationOptions {
  /** Ask for a stapled OCSP response (node:tls); it is verified, and emitted as 'OCSPResponse'. */
  requestOCSP?: boolean;
  /** A valid staple saying 'unknown': 'reject' (default) or 'allow'. */
  ocspUnknown?: 'reject' | 'allow';
}

export interface ServerRevocationOptions extends PeerRevocationOptions {
  /**
   * A DER OCSPResponse, stapled (when clients ask) to the certificate it names; or a function asked
   * per handshake with the chosen certificate's leaf (DER), returning its staple or undefined.
   */
  ocspStaple?: Uint8Array | ((leaf: Uint8Array) => Uint8Array | undefined);
}

function crlList(v: CrlOption | undefined): CrlInput[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? [...(v as CrlInput[])] : [v as CrlInput];
}

/** The config's crls/crlCheck, with the CRLs parsed now (a bad CRL is a UsageError at setup). */
export function peerRevocationConfig(o: PeerRevocationOptions): PeerRevocationConfig {
  const inputs = [...crlList(o.crls), ...crlList(o.crl)];
  if (o.crlCheck !== undefined && o.crlCheck !== 'none' && o.crlCheck !== 'leaf' && o.crlCheck !== 'chain') {
    throw new UsageError(`crlCheck must be 'none', 'leaf' or 'chain', not ${JSON.stringify(o.crlCheck)}`);
  }
  let crls: Crl[] = [];
  try {
    crls = parseCrlInputs(inputs);
  } catch (e) {
    throw new UsageError(`crls: ${(e as Error).message}`);
  }
  // node's `crl` sets X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL: every certificate of the
  // path needs a CRL. hush's own `crls` checks what the CRLs cover unless crlCheck says more.
  const crlCheck = o.crlCheck ?? (crlList(o.crl).length > 0 ? 'chain' : undefined);
  return { ...(crls.length ? { crls } : {}), ...(crlCheck ? { crlCheck } : {}) };
}

export function clientRevocationConfig(o: ClientRevocationOptions): ClientRevocationConfig {
  if (o.ocspUnknown !== undefined && o.ocspUnknown !== 'reject' && o.ocspUnknown !== 'allow') {
    throw new UsageError(`ocspUnknown must be 'reject' or 'allow', not ${JSON.stringify(o.ocspUnknown)}`);
  }
  return {
    ...peerRevocationConfig(o),
    ...(o.requestOCSP === true ? { requestOCSP: true } : {}),
    ...(o.ocspUnknown ? { ocspUnknown: o.ocspUnknown } : {}),
  };
}

/** Certificates with the server's staple attached (unchanged without one). */
export function withOcspStaple(certs: readonly CertifiedKey[], staple: ServerRevocationOptions['ocspStaple']): readonly CertifiedKey[] {
  if (staple === undefined) return certs;
  if (!(staple instanceof Uint8Array) && typeof staple !== 'function') throw new UsageError('ocspStaple must be a Buffer (DER OCSPResponse) or a function returning one');
  if (typeof staple === 'function') {
    return certs.map((c) => {
      const leaf = c.chain[0]!;
      const ocspStaple: OcspStaple = () => staple(leaf);
      return { ...c, ocspStaple };
    });
  }
  // A response names its certificate (by serial): staple it only to that one.
  let serials: Set<string>;
  try {
    serials = new Set((parseOcspResponse(staple).basic?.responses ?? []).map((r) => r.certId.serialHex));
  } catch (e) {
    throw new UsageError(`ocspStaple: ${(e as Error).message}`);
  }
  // (Certificates of other SNI contexts are left alone; clients check the CertID anyway.)
  return certs.map((c) => (serials.has(parseCertificate(c.chain[0]!).serialHex) ? { ...c, ocspStaple: staple } : c));
}
