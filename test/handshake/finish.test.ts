// The completion helpers every handshake state uses (src/handshake/finish.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TlsError } from '../../src/errors/index.js';
import { checkFinished, groupName, schemeName } from '../../src/handshake/shared/finish.js';

test('checkFinished: equal verify_data passes; any difference or length is decrypt_error naming the peer', () => {
  checkFinished(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3), 'server');
  for (const bad of [Uint8Array.of(1, 2, 4), Uint8Array.of(1, 2), new Uint8Array(0)]) {
    assert.throws(
      () => checkFinished(Uint8Array.of(1, 2, 3), bad, 'client'),
      (e) => e instanceof TlsError && e.alertName === 'decrypt_error' && e.message.startsWith("the client's Finished message is wrong"),
    );
  }
});

test('groupName and schemeName: the names of the code points HandshakeInfo carries; none for absent ones', () => {
  assert.equal(groupName(0x001d), 'x25519');
  assert.equal(schemeName(0x0804), 'rsa_pss_rsae_sha256');
  assert.equal(groupName(undefined), undefined);
  assert.equal(schemeName(undefined), undefined);
});
