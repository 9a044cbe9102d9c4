// The client's check of a stapled OCSP response (#15; RFC 6066 §8, RFC 8446 §4.4.2.1, RFC 7633),
// run after the chain was verified: TLS 1.3 has the staple in the Certificate message, TLS 1.2
// in the CertificateStatus that follows it (or none).
import { TlsError } from '../../errors/errors.js';
import { ExtensionType, ExtensionTypes } from '../../wire/index.js';
import { ocspError } from '../../x509/revocation.js';
import type { CertificateEntry } from '../messages/certificate.js';
import { decodeCertificateStatusBody } from '../messages/certificate-status.js';
import type { ClientConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';
import type { PeerVerification } from '../shared/peer-certificates.js';
import { tell } from '../narration.js';

/**
 * Verify `staple` for the peer's verified leaf when we asked for one: a staple that does not
 * verify, says 'revoked' (or 'unknown' unless allowed), or is missing for a must-staple leaf
 * fails the handshake (or, with rejectUnauthorized false, makes the peer unauthorized).
 * Without a verified chain there is nothing to check the staple against.
 */
export function checkStaple(ctx: HandshakeContext, config: ClientConfig, peer: PeerVerification, staple: Uint8Array | undefined): PeerVerification {
  if (config.requestOCSP !== true) return peer;
  const withStaple = staple ? { ...peer, ocspResponse: staple } : peer;
  if (!peer.authorized || peer.chain.length === 0) return withStaple;
  const error = ocspError(peer.chain[0]!, peer.chain[1], {
    at: ctx.now(),
    provider: ctx.provider,
    enforceMustStaple: true,
    ...(staple ? { ocspResponse: staple } : {}),
    ...(config.ocspUnknown ? { ocspUnknown: config.ocspUnknown } : {}),
  });
  tell(ctx, { kind: 'ocsp_staple', stapled: staple !== undefined, error: error?.message });
  if (!error) return withStaple;
  if (config.rejectUnauthorized !== false) throw error;
  return { ...withStaple, authorized: false, error };
}

/**
 * TLS 1.3 (RFC 8446 §4.4.2.1): the staple in the leaf's CertificateEntry. status_request is
 * allowed only when we asked (and then on any entry: responses for intermediates are read and
 * ignored); any other entry extension was not solicited → unsupported_extension.
 */
export function entryStaple(entries: readonly CertificateEntry[], requested: boolean): Uint8Array | undefined {
  let staple: Uint8Array | undefined;
  entries.forEach((entry, i) => {
    for (const e of entry.extensions) {
      if (e.type === ExtensionType.status_request && requested) {
        const resp = decodeCertificateStatusBody(e.data, 'CertificateEntry status_request');
        if (i === 0) staple = resp;
        continue;
      }
      throw new TlsError('unsupported_extension', `the server's certificate entry carries the ${ExtensionTypes.name(e.type)} extension, which we did not request`);
    }
  });
  return staple;
}
