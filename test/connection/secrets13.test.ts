// The TLS 1.3 secrets a connection keeps (src/connection/secrets13.ts) on their own: the KeyUpdate
// ratchet follows RFC 8446 §7.2 (checked against an HKDF-Expand-Label written here over
// node:crypto's HMAC), read and write move independently, the exporter uses the kept secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { nodeCryptoProvider as provider } from '../../src/crypto/node/index.js';
import { tls13SuiteById } from '../../src/crypto/suites.js';
import { TlsError } from '../../src/errors/index.js';
import { Secrets13 } from '../../src/connection/secrets13.js';
import { exportKeyingMaterial, trafficKeys } from '../../src/schedule/tls13.js';

const suite = tls13SuiteById(0x1302)!; // TLS_AES_256_GCM_SHA384

/** RFC 8446 §7.1 HKDF-Expand-Label with an empty context, for outputs up to one hash length. */
function expandLabel(secret: Uint8Array, label: string, length: number): Uint8Array {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  return new Uint8Array(createHmac('sha384', secret).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length));
}

test('Secrets13: KeyUpdate ratchets each direction on its own (RFC 8446 §7.2)', () => {
  const s = new Secrets13(provider);
  assert.equal(s.suite, undefined);
  const read0 = new Uint8Array(48).fill(1);
  const write0 = new Uint8Array(48).fill(2);
  assert.deepEqual(s.setRead(suite, read0), trafficKeys(provider, suite, read0));
  assert.deepEqual(s.setWrite(suite, write0), trafficKeys(provider, suite, write0));
  assert.equal(s.suite, suite);
  assert.equal(s.established, false);

  const read1 = expandLabel(read0, 'traffic upd', 48);
  const read2 = expandLabel(read1, 'traffic upd', 48);
  assert.deepEqual(s.updateRead(), trafficKeys(provider, suite, read1));
  assert.deepEqual(s.updateRead(), trafficKeys(provider, suite, read2));
  assert.deepEqual(s.readKeys(), trafficKeys(provider, suite, read2), 'readKeys: the current read key, again');
  // The write side did not move with the read side.
  assert.deepEqual(s.updateWrite(), trafficKeys(provider, suite, expandLabel(write0, 'traffic upd', 48)));
  // The caller's buffers are copied, not kept.
  assert.deepEqual(read0, new Uint8Array(48).fill(1));
});

test('Secrets13: the exporter uses the kept exporter master secret; a secret of another length is refused', () => {
  const s = new Secrets13(provider);
  assert.throws(() => s.exportKeyingMaterial(16, 'x', undefined), (e) => e instanceof TlsError && e.alertName === 'internal_error');
  const ems = new Uint8Array(48).fill(7);
  s.setExporter(suite, ems);
  assert.equal(s.established, true);
  const context = Uint8Array.of(1, 2, 3);
  assert.deepEqual(s.exportKeyingMaterial(32, 'EXPERIMENTAL test', context), exportKeyingMaterial(provider, 'sha384', ems, 'EXPERIMENTAL test', context, 32));
  assert.throws(() => s.setRead(suite, new Uint8Array(32)), (e) => e instanceof TlsError && e.alertName === 'internal_error');
  assert.throws(() => new Secrets13(provider).updateWrite(), (e) => e instanceof TlsError && e.alertName === 'internal_error');
});
