// HandshakeInfo.certificateRequestSchemes (#16, getSharedSigalgs() in hush/node): a client reports
// the signature schemes of the server's CertificateRequest, in the server's order, in TLS 1.3 and
// TLS 1.2 (without the TLS 1.3-only ones there); nothing when no certificate was requested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureScheme as S } from '../../src/wire/enums.js';
import { assertEstablished, connect, pki } from './helpers.js';

const SERVER_SCHEMES = [S.rsa_pss_rsae_sha256, S.mldsa65, S.ecdsa_secp256r1_sha256, S.ed25519];

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  test(`${version}: the client's info carries the CertificateRequest's schemes, only when one was sent`, () => {
    const asked = connect(
      { maxVersion: version, clientCertificate: pki().client },
      { clientAuth: 'optional', clientTrust: pki().trust, signatureSchemes: SERVER_SCHEMES },
    );
    assertEstablished(asked);
    const expected = version === 'TLSv1.3' ? SERVER_SCHEMES : SERVER_SCHEMES.filter((s) => s !== S.mldsa65);
    assert.deepEqual(asked.client.handshakeInfo?.certificateRequestSchemes, expected);
    assert.equal(asked.server.handshakeInfo?.certificateRequestSchemes, undefined, 'a client-side field');

    const notAsked = connect({ maxVersion: version }, { signatureSchemes: SERVER_SCHEMES });
    assertEstablished(notAsked);
    assert.equal('certificateRequestSchemes' in notAsked.client.handshakeInfo!, false);
  });
}
