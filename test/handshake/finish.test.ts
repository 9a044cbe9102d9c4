// The completion helpers every handshake state uses (src/handshake/finish.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TlsError } from '../../src/errors/index.js';
import { checkFinished, negotiatedInfo, schemeName } from '../../src/handshake/shared/finish.js';

test('checkFinished: equal verify_data passes; any difference or length is decrypt_error naming the peer', () => {
  checkFinished(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3), 'server');
  for (const bad of [Uint8Array.of(1, 2, 4), Uint8Array.of(1, 2), new Uint8Array(0)]) {
    assert.throws(
      () => checkFinished(Uint8Array.of(1, 2, 3), bad, 'client'),
      (e) => e instanceof TlsError && e.alertName === 'decrypt_error' && e.message.startsWith("the client's Finished message is wrong"),
    );
  }
});

test('negotiatedInfo: the common HandshakeInfo fields, in order, with names; none for absent code points', () => {
  const info = negotiatedInfo('TLSv1.3', { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256' }, 0x001d, 0x0804);
  assert.deepEqual(Object.keys(info), ['version', 'cipherSuite', 'cipherName', 'group', 'groupName', 'signatureScheme', 'signatureSchemeName']);
  assert.equal(info.groupName, 'x25519');
  assert.equal(info.signatureSchemeName, 'rsa_pss_rsae_sha256');
  const rsa = negotiatedInfo('TLSv1.2', { id: 0x009c, name: 'TLS_RSA_WITH_AES_128_GCM_SHA256' }, undefined, undefined);
  assert.equal(rsa.groupName, undefined);
  assert.equal(rsa.signatureSchemeName, undefined);
  assert.equal(schemeName(undefined), undefined);
});
